#!/bin/bash
# A subscriber that never reads does not slow verdicts, and when it reads
# at last it is told how many events it lost.  Reports connect p50 with
# and without it.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
SOCK=$TT_TMP/tattle.sock
N=${TT_SLOW_N:-3000}
# Every connection its own line (no folding): the point is the volume
# that reaches a subscriber that never reads.
tt_daemon --default-action allow --no-audit --socket "$SOCK" --event-rate-per-exe 0

p50() {
	tt_in "$TT_TOOLS/tconnect" -l -c "$N" 127.0.0.1 8080 >"$TT_TMP/lat.$1" ||
		tt_fail "connects failed ($1)"
	awk '/^lat / {print $2}' "$TT_TMP/lat.$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
base=$(p50 base)
sleep 0.3
before=$(tt_count_events "e['type']=='connection'")

# Subscribe, then never read until told to.
python3 - "$SOCK" "$TT_TMP/slow.out" <<'PY' &
import json, signal, socket, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
s = socket.socket(socket.AF_UNIX)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b'{"id":1,"cmd":"subscribe","args":{"types":["connection"]}}\n')
signal.sigwait([signal.SIGUSR1])
# The reply to this request is queued behind every event still queued,
# so reading up to it reads everything the daemon kept for us.
s.sendall(b'{"id":2,"cmd":"stats"}\n')
s.settimeout(30)
f = s.makefile()
events = dropped = 0
for line in f:
    o = json.loads(line)
    if o.get("id") == 2:
        break
    if o.get("type") == "dropped":
        dropped += o["count"]
    elif o.get("type") == "connection":
        events += 1
open(sys.argv[2], "w").write("%d %d\n" % (events, dropped))
PY
SLOW=$!
tt_on_exit "kill $SLOW 2>/dev/null"
sleep 0.5
slow=$(p50 slow)
sleep 0.3
sent=$(( $(tt_count_events "e['type']=='connection'") - before ))
tt_log "connect p50: ${base} us without a subscriber, ${slow} us with one that never reads ($N connects)"
kill -USR1 $SLOW
wait $SLOW || tt_fail "slow subscriber script failed"
read -r got lost <"$TT_TMP/slow.out"
tt_log "slow subscriber: $got events delivered, told of $lost dropped"
[ "$lost" -gt 0 ] || tt_fail "no dropped notice (got $got events)"
# Every event broadcast while it was subscribed is either delivered or
# counted as dropped (the log says how many there were).
[ $((got + lost)) -eq "$sent" ] || tt_fail "delivered $got + dropped $lost != $sent sent"
# Generous: a blocking write would stall verdicts far beyond this.
[ "$slow" -le $((base * 10 + 5000)) ] || tt_fail "p50 $slow us vs $base us: a slow reader slowed verdicts"
[ "$sent" -ge "$N" ] || tt_fail "$sent connection events for $N connects"
tt_daemon_stop
