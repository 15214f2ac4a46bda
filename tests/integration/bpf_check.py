#!/usr/bin/env python3
"""Compare churn driver output with tattled's connection events, flow by flow.

usage: bpf_check.py EVENTS FLOWS MODE MIN_EXACT_PCT [SOURCE]
FLOWS: churn -D lines "<pid> <exe> <class> <addr> <port> <sport> <status>".
A flow is exact when its event names the same pid and executable with
confidence exact (and, if SOURCE is given, that attribution source); wrong
when it names another pid or another executable.  Prints one line per class
and exits 1 on any wrong flow or a class below MIN_EXACT_PCT."""
import json
import sys

events, flows, mode, min_pct = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
want_src = sys.argv[5] if len(sys.argv) > 5 else None
PROTO = {"tcp": "tcp", "udp": "udp", "ff": "udp", "ffmsg": "udp", "ffmmsg": "udp"}

by_key = {}
for line in open(events):
    if not line.endswith("\n"):
        break
    e = json.loads(line)
    if e.get("type") != "connection":
        continue
    key = (e["proto"], e["family"], e["src"]["port"], e["dst"]["port"])
    by_key.setdefault(key, e)   # the first packet of the flow

stats = {}
bad = 0
for line in open(flows):
    pid, exe, cls, addr, port, sport, status = line.split()
    fam = "ipv6" if ":" in addr else "ipv4"
    s = stats.setdefault(cls, {"n": 0, "exact": 0, "wrong": 0, "none": 0,
                               "missing": 0, "other": 0, "failed": 0})
    s["n"] += 1
    if status != "0":
        s["failed"] += 1
        continue
    e = by_key.get((PROTO[cls], fam, int(sport), int(port)))
    if e is None:
        s["missing"] += 1
        continue
    p, a = e["process"], e["attribution"]
    if p is None:
        s["none"] += 1
    elif p["pid"] != int(pid) or (p["exe"] is not None and p["exe"] != exe):
        s["wrong"] += 1
        print("# %s wrong: flow %s %s sport %s -> %s %s via %s" %
              (mode, pid, exe, sport, p["pid"], p["exe"], a), file=sys.stderr)
    elif p["exe"] == exe and a["confidence"] == "exact" and \
            (want_src is None or a["source"] == want_src):
        s["exact"] += 1
    else:
        s["other"] += 1
for cls, s in sorted(stats.items()):
    ok = s["n"] - s["failed"]
    pct = 100.0 * s["exact"] / ok if ok else 0.0
    print("# %s %s: %d/%d exact (%.1f%%), %d wrong, %d none, %d other, "
          "%d missing, %d sender failures" %
          (mode, cls, s["exact"], ok, pct, s["wrong"], s["none"], s["other"],
           s["missing"], s["failed"]), file=sys.stderr)
    if s["wrong"] or pct < min_pct or ok == 0:
        bad = 1
sys.exit(bad)
