#!/bin/bash
# Issue 14 item 1: a full queue must drop, never accept.  Default deny and
# a tiny kernel queue (queue_maxlen 4); one process floods UDP to many
# ports (each a new flow, so each is queued) while another keeps trying a
# TCP connect that the policy denies.  No connection may ever be accepted
# by the server; the kernel's drops are reported (warning event, stats).
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_in python3 "$TT_ROOT/tests/tools/acceptcount.py" 127.0.0.1 8080 \
	"$TT_TMP/accepts" >"$TT_TMP/acc.out" 2>&1 &
for _ in $(seq 50); do grep -q ready "$TT_TMP/acc.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$TT_TMP/acc.out" || tt_fail "accept counter did not start"
# Control: without tattled the connect reaches the server.
tt_in "$TT_TOOLS/tconnect" -t 1000 127.0.0.1 8080 >/dev/null || tt_fail "control connect failed"
sleep 0.2
[ "$(cat "$TT_TMP/accepts")" = 1 ] || tt_fail "control connect not counted"
printf '{"queue_maxlen": 4}\n' >"$TT_TMP/config.json"
SOCK=$TT_TMP/tattle.sock
tt_daemon --config "$TT_TMP/config.json" --default-action deny --no-audit \
	--socket "$SOCK"

tt_in "$TT_TOOLS/udpflood" 127.0.0.1 20000 40000 6000 >"$TT_TMP/flood.out" 2>&1 &
flood=$!
tt_on_exit "kill $flood 2>/dev/null"
sleep 0.5
tries=0
end=$(( $(date +%s) + 5 ))
while [ "$(date +%s)" -lt "$end" ]; do
	# One SYN per try (no retransmit within 300 ms), many tries.
	tt_in "$TT_TOOLS/tconnect" -P 20 -c 2 -t 300 127.0.0.1 8080 >/dev/null 2>&1 || true
	tries=$((tries + 40))
done
wait "$flood" || true
tt_log "flood: $(cat "$TT_TMP/flood.out"); denied connects tried: $tries"
sleep 0.3
acc=$(cat "$TT_TMP/accepts")
[ "$acc" = 1 ] || tt_fail "$((acc - 1)) denied connections got through the full queue"

# The drops were real and were reported.
sleep 1.2
stats=$("$TATTLE" stats --json --socket "$SOCK") || tt_fail "stats failed"
qd=$(printf '%s' "$stats" | python3 -c 'import json,sys; q=json.load(sys.stdin)["queue"]; print(q["queue_dropped"]+q["user_dropped"])')
tt_log "kernel drops for the queue: $qd"
[ "$qd" -gt 0 ] || tt_fail "the queue never filled: the test proved nothing ($stats)"
"$TATTLE" metrics --socket "$SOCK" | grep -q '^tattle_queue_drops_total{kind="queue_full"} [1-9]' ||
	tt_fail "metrics: no queue_full drops"
# (grep: the events file holds one line per flood packet decided)
grep -q '"type":"warning".*"code":"queue-full"' "$TT_EVENTS" ||
	tt_fail "no queue-full warning event"
# The daemon still decides after the flood.
if tt_in "$TT_TOOLS/tconnect" -t 500 127.0.0.1 8080 >/dev/null; then
	tt_fail "connect allowed after the flood"
fi
sleep 0.3
grep -q '"verdict":"deny".*"dst":{"ip":"127.0.0.1","port":8080' "$TT_EVENTS" ||
	tt_fail "no deny event for port 8080"
tt_daemon_stop
