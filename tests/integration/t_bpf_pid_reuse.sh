#!/bin/bash
# PID reuse under eBPF: process A (a copy of tconnect named procA) makes one
# connection and exits; at once B (procB) runs under A's pid
# (tools/pidreuse, clone3 set_tid) and does the same.  TCP, connected UDP,
# fire-and-forget UDP, v4 and v6.  Each flow must be named by its own
# process from the BPF record: a recycled pid never gets the earlier
# process's identity, even when both started in one 10 ms tick (the
# record's start time is in ns and the executable's inode is checked).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/churn_lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
tt_netns
tt_server 8080
tt_daemon --default-action allow
grep -q "attribution bpf" "$TT_TMP/daemon.err" || tt_fail "eBPF did not start"
tt_pidreuse_run
sleep 1
tt_daemon_stop

python3 - "$TT_EVENTS" "$TT_TMP/map" "$TT_TMP" <<'PY' || tt_fail "a packet was attributed to the wrong process"
import collections, json, sys
events, mapf, tmp = sys.argv[1:4]
flows, dup = {}, set()
for line in open(mapf):
    i, kind, addr, who, pid, lport, tick = line.split()
    key = ("tcp" if kind == "tcp" else "udp", addr, int(lport))
    if key in flows:
        dup.add(key)
    flows[key] = (kind, who, int(pid), "%s%s" % (who.lower(), i), tick)
stats, bad = collections.Counter(), []
for line in open(events):
    e = json.loads(line)
    if e["type"] != "connection" or e["dst"]["port"] != 8080:
        continue
    key = (e["proto"], e["dst"]["ip"], e["src"]["port"])
    if key not in flows or key in dup:
        continue
    kind, who, pid, tag, tick = flows[key]
    other = "B" if who == "A" else "A"
    p, a = e["process"], e["attribution"]
    if p is None:
        stats[(kind, who, "none")] += 1
        continue
    cmd = p.get("cmdline") or []
    named_other = (p["exe"] == "%s/proc%s" % (tmp, other) or
                   p["comm"] == "proc" + other or
                   any(c.startswith(other.lower()) and c[1:].isdigit() for c in cmd))
    own = (p["pid"] == pid and
           (p["exe"] == "%s/proc%s" % (tmp, who) or
            (p["exe"] is None and p["comm"] == "proc" + who)) and
           (not cmd or tag in cmd))
    v = "WRONG" if named_other or (p["pid"] == pid and not own) else \
        "right" if own and a["source"] == "bpf" else "other"
    stats[(kind, who, v, tick)] += 1
    if v != "right":
        bad.append((v, kind, who, pid, tag, tick, p["pid"], p["exe"], p["comm"], a))
for k in sorted(stats):
    print("# %s: %d" % (" ".join(k), stats[k]), file=sys.stderr)
for b in bad[:10]:
    print("#   ", b, file=sys.stderr)
# Every flow is named by its own process from the BPF record, the pairs
# that share a start-time tick included.
sys.exit(1 if bad or not stats else 0)
PY
tt_bpf_none_left || tt_fail "BPF programs left attached"
tt_log "$pairs pid-reuse pairs ($tt_reuse_skipped rounds where the pid was taken)"
