#!/bin/bash
# Audit: 200 short-lived processes each for TCP, connected UDP and
# fire-and-forget UDP (v4 and v6), several at a time, two different
# executables mixed.  No event ever names the wrong executable; TCP and
# connected UDP are all attributed; the share of fire-and-forget UDP
# attributed is reported.  After exit no audit rule with our key remains
# and enabled/backlog_limit are as before.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_audit_guard
tt_netns
tt_server 8080
cp "$TT_TOOLS/tconnect" "$TT_TMP/good"
cp "$TT_TOOLS/tconnect" "$TT_TMP/bad"
tt_daemon --no-bpf --default-action allow
grep -q "audit on" "$TT_TMP/daemon.err" || tt_fail "audit did not start"
[ "$(tt_audit_state | python3 -c 'import json,sys; print(json.load(sys.stdin)["rules_with_key"])')" -gt 0 ] ||
	tt_fail "no audit rules with our key while running"

: >"$TT_TMP/map"
n=0
for kind in tcp udp ff; do
	pids=""
	for i in $(seq 0 199); do
		exe=good; [ $((i % 2)) -eq 1 ] && exe=bad
		addr=127.0.0.1; [ $((i % 4)) -ge 2 ] && addr=::1
		case $kind in
		tcp) flags="" ;; udp) flags="-u" ;; ff) flags="-U" ;;
		esac
		( out=$(tt_in "$TT_TMP/$exe" -L -T "$kind$i" $flags "$addr" 8080) &&
		  lport=$(echo "$out" | awk '/^local/ {print $2}') &&
		  pid=$(echo "$out" | awk '$2 == "ok" {print $1}') &&
		  echo "$kind $exe $pid $addr $lport" >>"$TT_TMP/map" ) &
		pids="$pids $!"
		if [ $((i % 8)) -eq 7 ]; then wait $pids; pids=""; fi
	done
	[ -n "$pids" ] && wait $pids
done
[ "$(wc -l <"$TT_TMP/map")" -eq 600 ] || tt_fail "not all 600 processes ran"
# A UDP sender that drew the same source port as an earlier one to the same
# place shares its conntrack flow, which is no longer NEW: never queued,
# no event, by design.  Expect one event per distinct 5-tuple.
flows=$(awk '{print ($1 == "tcp" ? "tcp" : "udp"), $4, $5}' "$TT_TMP/map" | sort -u | wc -l)
tt_wait_events "$flows" "e['type']=='connection'" 10 >/dev/null ||
	tt_fail "fewer than $flows events for $flows distinct flows"
tt_daemon_stop
python3 - "$TT_EVENTS" "$TT_TMP/map" "$TT_TMP" <<'PY' || tt_fail "attribution wrong"
import json, sys
events, mapf, tmp = sys.argv[1:4]
who = {}
seen = set()
expect = {"tcp": 0, "udp": 0, "ff": 0}
for line in open(mapf):
    kind, exe, pid, addr, lport = line.split()
    who[int(pid)] = (kind, tmp + "/" + exe)
    flow = ("tcp" if kind == "tcp" else "udp", addr, lport)
    if flow not in seen:
        seen.add(flow)
        expect[kind] += 1
stats = {k: [0, 0] for k in ("tcp", "udp", "ff")}
wrong = []
for line in open(events):
    e = json.loads(line)
    if e["type"] != "connection" or e["dst"]["port"] != 8080:
        continue
    p = e["process"]
    if p is None:
        # unattributed: which kind? infer from proto; TCP/connected UDP must not be here
        continue
    cmd = p.get("cmdline") or []
    tag = next((c for c in cmd if c[:3] in ("tcp", "udp") or c[:2] == "ff"), None)
    if p["pid"] in who:
        kind, exe = who[p["pid"]]
        if p["exe"] != exe:
            wrong.append((p["pid"], p["exe"], exe))
        stats[kind][0] += 1
    else:
        wrong.append(("unknown pid", p["pid"], p["exe"]))
for kind, (hit, _) in stats.items():
    print("# %s: %d/%d attributed (%d processes; the rest reused a flow)"
          % (kind, hit, expect[kind], 200), file=sys.stderr)
if wrong:
    print("# wrong:", wrong[:10], file=sys.stderr)
    sys.exit(1)
sys.exit(0 if stats["tcp"][0] == expect["tcp"] and stats["udp"][0] == expect["udp"] else 1)
PY
