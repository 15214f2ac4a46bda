#!/bin/bash
# PID reuse, as the daemon sees it (audit on).  tattled lives in the host
# pid namespace and audit records carry host pids, so reuse has to happen
# there.  Writing the host's ns_last_pid would disturb every process on the
# machine; instead tools/pidreuse takes one free pid with clone3(set_tid)
# (what CRIU uses; ns_last_pid for one process).  Each round: process A
# (a copy of tconnect named procA) makes one connection and exits; at once
# process B (a copy named procB) is started under A's pid and makes the
# same kind of connection to the same place.  TCP, connected UDP and
# fire-and-forget UDP, IPv4 and IPv6.  No event may name the other
# process: A's flow names procA (with A's cmdline tag) or nothing, B's
# names procB or nothing.  Rounds where A and B share a start-time tick
# (10 ms, /proc/PID/stat field 22) are counted: there the start time
# cannot tell them apart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/churn_lib.sh"
tt_require_root
tt_audit_guard
tt_netns
tt_server 8080
tt_daemon --no-bpf --default-action allow
grep -q "audit on" "$TT_TMP/daemon.err" || tt_fail "audit did not start"
tt_pidreuse_run
sleep 1
tt_daemon_stop

python3 - "$TT_EVENTS" "$TT_TMP/map" "$TT_TMP" <<'PY' || tt_fail "a packet was attributed to the wrong process"
import collections, json, os, sys
events, mapf, tmp = sys.argv[1:4]
flows = {}
dup = set()
for line in open(mapf):
    i, kind, addr, who, pid, lport, tick = line.split()
    key = ("tcp" if kind == "tcp" else "udp", addr, int(lport))
    if key in flows:
        dup.add(key)  # same 5-tuple twice: one conntrack flow, one event
    flows[key] = (kind, who, int(pid), "%s%s" % (who.lower(), i), tick)
wrong, sameexe, stats = [], [], collections.Counter()
seen = set()
for line in open(events):
    e = json.loads(line)
    if e["type"] != "connection" or e["dst"]["port"] != 8080:
        continue
    key = (e["proto"], e["dst"]["ip"], e["src"]["port"])
    if key not in flows or key in dup:
        continue
    seen.add(key)
    kind, who, pid, tag, tick = flows[key]
    p = e["process"]
    src = e["attribution"]["source"]
    if p is None:
        stats[(kind, who, "none")] += 1
        continue
    exe_ok = p["exe"] == "%s/proc%s" % (tmp, who)
    cmd = p.get("cmdline") or []
    tag_ok = not cmd or tag in cmd  # no cmdline known is not a wrong one
    if exe_ok and tag_ok and p["pid"] == pid:
        verdict = "right"
    elif not exe_ok or p["pid"] == pid:
        verdict = "WRONG"  # the other program, or this pid with the other's facts
    else:
        verdict = "other-pid-same-exe"  # another run of the same program
    stats[(kind, who, verdict)] += 1
    if verdict != "right":
        bad = (verdict, kind, who, pid, tag, tick, p["pid"], p["exe"].rsplit("/", 1)[-1],
               p.get("cmdline")[2:4] if p.get("cmdline") else None, src)
        (wrong if verdict == "WRONG" else sameexe).append(bad)
for k in sorted(stats):
    print("# %-3s %s: %-5s %d" % (k[0], k[1], k[2], stats[k]), file=sys.stderr)
missing = [k for k in flows if k not in seen and k not in dup]
same = sum(1 for v in flows.values() if v[4] == "same") // 2
print("# %d flows, %d with an event, %d shared a 5-tuple; %d of %d pairs started "
      "in the same 10 ms tick" % (len(flows), len(seen), len(dup), same, len(flows) // 2),
      file=sys.stderr)
for w in wrong[:10] + sameexe[:10]:
    print("#   (verdict, kind, flow owner, pid, tag, start tick, named pid, exe, cmdline tag, source)"
          if w is (wrong + sameexe)[0] else "", end="", file=sys.stderr)
    print("\n#   %s" % (w,), file=sys.stderr)
strict = os.environ.get("TT_FAULT_STRICT") == "1"
# TCP and connected UDP of both A and B are live when their packet is
# queued: they must be named (and rightly).
unnamed = [k for k, c in stats.items() if k[0] in ("tcp", "udp") and k[2] == "none" and c]
if unnamed:
    print("# unattributed live flows:", unnamed, file=sys.stderr)
sys.exit(1 if wrong or unnamed or missing or (strict and sameexe) else 0)
PY
tt_log "$pairs pid-reuse pairs ($tt_reuse_skipped rounds where the pid was taken)"
