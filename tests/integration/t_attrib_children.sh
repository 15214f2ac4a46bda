#!/bin/bash
# Attribution: 200 connections from distinct child processes (TCP v4/v6,
# connected UDP v4/v6), launched several at a time: every event names the
# child's pid, exe and cmdline.  Then one long-lived process making 1000
# connections: every event names it, and most come from the cache.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
tt_daemon --no-bpf --default-action allow
grep -q "audit on" "$TT_TMP/daemon.err" || tt_fail "audit did not start"

# UDP kids print their local port (-L): a kid whose ephemeral port
# repeats an earlier kid's shares that kid's conntrack flow, so the kernel
# queues no new packet for it and no event is owed.
specs=("127.0.0.1" "::1" "-u -L 127.0.0.1" "-u -L ::1")
: >"$TT_TMP/map"
pids=""
for i in $(seq 0 199); do
	spec=${specs[$((i % 4))]}
	( out=$(tt_in "$TT_TOOLS/tconnect" -T "kid$i" $spec 8080) &&
	  pid=$(printf '%s\n' "$out" | awk '$2 == "ok" { print $1 }') &&
	  port=$(printf '%s\n' "$out" | awk '$1 == "local" { print $2 }') &&
	  echo "$i $pid ${port:--}" >>"$TT_TMP/map" ) &
	pids="$pids $!"
	if [ $((i % 8)) -eq 7 ]; then wait $pids; pids=""; fi
done
[ -n "$pids" ] && wait $pids
[ "$(wc -l <"$TT_TMP/map")" -eq 200 ] || tt_fail "not all 200 children connected"
sleep 0.5
python3 - "$TT_EVENTS" "$TT_TMP/map" "$TT_TOOLS/tconnect" <<'PY' || tt_fail "attribution mismatch"
import json, sys
events, mapf, exe = sys.argv[1:4]
want = {}
udp_ports = {}
for line in open(mapf):
    i, pid, port = line.split()
    want[int(pid)] = "kid" + i
    if port != "-":  # UDP: (family spec, local port) -> kids
        udp_ports.setdefault((int(i) % 4, port), []).append("kid" + i)
shared = {k for kids in udp_ports.values() if len(kids) > 1 for k in kids}
got = {}
bad = []
for line in open(events):
    e = json.loads(line)
    p = e.get("process")
    if e["type"] != "connection" or not p or "-T" not in (p.get("cmdline") or []):
        continue
    cmd = p["cmdline"]
    tag = cmd[cmd.index("-T") + 1]
    if not tag.startswith("kid"):
        continue
    if p["exe"] != exe:
        bad.append(("exe", p["exe"], tag))
    got.setdefault(tag, []).append((p["pid"], e["attribution"]["source"]))
for pid, tag in want.items():
    hits = got.get(tag, [])
    if not hits and tag in shared:
        continue    # its 5-tuple's conntrack flow already existed
    if not hits:
        bad.append(("missing", tag, pid))
    elif any(h[0] != pid for h in hits):
        bad.append(("pid", tag, pid, hits))
# no event may name a kid under another kid's pid
none = sum(1 for line in open(events)
           if json.loads(line)["type"] == "connection" and not json.loads(line)["process"])
srcs = {}
for hits in got.values():
    for _, s in hits:
        srcs[s] = srcs.get(s, 0) + 1
print("# 200 children: sources %s, unattributed events %d, UDP kids sharing "
      "a 5-tuple %d" % (srcs, none, len(shared)), file=sys.stderr)
if bad:
    print(bad[:10], file=sys.stderr)
    sys.exit(1)
PY

# One long-lived process, 1000 connections.
before=$(tt_count_events "e['type']=='connection'")
out=$(tt_in "$TT_TOOLS/tconnect" -c 1000 -T longlived 127.0.0.1 8080) || tt_fail "long-lived: $out"
pid=${out%% *}
tt_wait_events $((before + 1000)) "e['type']=='connection'" 10 >/dev/null ||
	tt_fail "fewer than 1000 events for the long-lived process"
python3 - "$TT_EVENTS" "$pid" <<'PY' || tt_fail "long-lived attribution"
import json, sys
pid = int(sys.argv[2])
n = cached = wrong = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    p = e.get("process")
    if e["type"] != "connection" or not p or "longlived" not in (p.get("cmdline") or []):
        continue
    n += 1
    wrong += p["pid"] != pid
    cached += e["attribution"]["source"] in ("inode-cache", "audit-fd")
print("# long-lived: %d events, %d from the cache/audit, %d wrong pid" % (n, cached, wrong),
      file=sys.stderr)
sys.exit(0 if n == 1000 and wrong == 0 and cached > 900 else 1)
PY
tt_daemon_stop
