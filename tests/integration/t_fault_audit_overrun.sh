#!/bin/bash
# Audit overrun: many processes call socket(AF_INET/AF_INET6) in a tight
# loop (tools/auditburst; every call is audited, no packet is sent) for a
# few seconds, far more records than tattled reads.  Asserts: an
# audit-loss event appears (type "audit-loss", "new" and "total" objects,
# some count > 0), stats.audit.lost agrees with the last event's total,
# and attribution carries on afterwards: fresh TCP connections (v4, v6)
# are each attributed exactly to their pid, and traffic during the burst
# is still decided.  The burst is escalated (more processes) until loss
# shows, at most 3 times; calls made and records lost are reported.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_audit_guard
tt_netns
tt_server 8080
SOCK=$TT_TMP/s.sock
[ -x "$TT_TOOLS/auditburst" ] || tt_fail "build/tools/auditburst missing (make tools)"
tt_daemon --no-bpf --default-action allow --socket "$SOCK"
grep -q "audit on" "$TT_TMP/daemon.err" || tt_fail "audit did not start"

attributed() {	# attributed LABEL: 6 fresh TCP connects, each named by pid
	: >"$TT_TMP/fresh.$1"
	for i in 1 2 3 4 5 6; do
		addr=127.0.0.1; [ $((i % 2)) -eq 0 ] && addr=::1
		tt_in "$TT_TOOLS/tconnect" -L -T "$1$i" "$addr" 8080 >>"$TT_TMP/fresh.$1" ||
			tt_fail "$1: connect $addr failed"
	done
	sleep 0.3
	python3 - "$TT_EVENTS" "$TT_TMP/fresh.$1" "$TT_TOOLS/tconnect" "$1" <<'PY' || tt_fail "$1: attribution did not carry on"
import json, sys
events, fresh, exe, label = sys.argv[1:5]
want = {}
pid = None
for line in open(fresh):
    w = line.split()
    if w[0] == "local":
        lport = int(w[1])
    elif w[1] == "ok":
        want[lport] = int(w[0])
got = {}
with open(events) as f:
    for line in f:
        if not line.endswith("\n"):
            break
        e = json.loads(line)
        if e["type"] == "connection" and e["proto"] == "tcp" and e["src"]["port"] in want:
            got[e["src"]["port"]] = e
bad = []
for lport, pid in want.items():
    e = got.get(lport)
    p = e and e["process"]
    if not p or p["pid"] != pid or p["exe"] != exe:
        bad.append((lport, pid, p and p["pid"], e and e["attribution"]))
print("# %s: %d/%d fresh connects attributed to their pid (%s)" % (label,
      len(want) - len(bad), len(want),
      sorted({got[l]["attribution"]["source"] for l in got})), file=sys.stderr)
if bad:
    print("# wrong:", bad, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
attributed before

loss_events() { tt_count_events "e['type']=='audit-loss'"; }
procs=${TT_BURST_PROCS:-16}
for round in 1 2 3; do
	# Connections during the burst must still be decided.
	( sleep 0.5; tt_in "$TT_TOOLS/tconnect" -q -c 20 -t 3000 127.0.0.1 8080 \
		>"$TT_TMP/during.$round" 2>&1; echo "rc $?" >>"$TT_TMP/during.$round" ) &
	DURING=$!
	t0=$(date +%s%N)
	calls=$(tt_in "$TT_TOOLS/auditburst" -p "$procs" -t 2000 | awk '{print $2}')
	wait $DURING || true
	tt_log "burst $round: $procs processes, $calls audited socket() calls in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	grep -q "rc 0" "$TT_TMP/during.$round" || tt_fail "connections during the burst failed: $(cat "$TT_TMP/during.$round")"
	if tt_wait_events 1 "e['type']=='audit-loss'" 3 >/dev/null; then break; fi
	procs=$((procs * 2))
done
n=$(loss_events)
[ "$n" -gt 0 ] || tt_fail "no audit-loss event after 3 bursts (up to $procs processes)"
sleep 1.5	# let the reader drain and the next tick settle the counters
stats=$("$TATTLE" stats --json --socket "$SOCK") || tt_fail "stats failed"
python3 - "$TT_EVENTS" "$stats" <<'PY' || tt_fail "audit-loss events or stats wrong"
import json, sys
events, stats = sys.argv[1], json.loads(sys.argv[2])
keys = ("enobufs", "socket_drops", "serial_gaps", "kernel_lost", "truncated")
loss = []
with open(events) as f:
    for line in f:
        if not line.endswith("\n"):
            break
        e = json.loads(line)
        if e["type"] == "audit-loss":
            loss.append(e)
ok = True
for e in loss:
    if not all(k in e["new"] and k in e["total"] for k in keys) or \
            not any(e["new"][k] > 0 for k in keys):
        print("# malformed audit-loss event:", e, file=sys.stderr)
        ok = False
last = loss[-1]["total"]
a = stats["audit"]
print("# %d audit-loss events; last total %s; stats.audit %s" % (len(loss), last, a),
      file=sys.stderr)
m = {"enobufs": "enobufs", "socket_drops": "socket_drops", "serial_gaps": "serial_gaps"}
for ek, sk in m.items():
    if a[sk] < last[ek]:
        print("# stats.audit.%s %d < event total %d" % (sk, a[sk], last[ek]), file=sys.stderr)
        ok = False
if a["lost"] <= 0:
    print("# stats.audit.lost is 0", file=sys.stderr)
    ok = False
sys.exit(0 if ok else 1)
PY
attributed after
tt_daemon_stop
