#!/bin/bash
# SIGKILL under load (audit on): while loops of connections run, SIGKILL
# tattled.  Default (bypass): a new connection passes within a second of
# the kill, over IPv4 and IPv6.  --fail-closed: new connections are dropped
# until the restart.  Each restart (under the same load) recovers: no
# duplicate chains (TATTLE lines in iptables -S and ip6tables -S), audit
# rules with our key back to the daemon's own count (the stale set is
# replaced, not doubled), connections pass; a clean stop leaves no chain
# and no rule.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_audit_guard
tt_netns
tt_server 8080

chains() { echo "$(tt_in iptables -S | grep -c TATTLE) $(tt_in ip6tables -S | grep -c TATTLE)"; }
arules() { tt_audit_state | python3 -c 'import json,sys; print(json.load(sys.stdin)["rules_with_key"])'; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Load: two loops of TCP (v4, v6) and one of UDP, each process making
# 50 connections, until $TT_TMP/stop exists.
load_start() {
	rm -f "$TT_TMP/stop"
	LOAD=""
	for args in "127.0.0.1" "::1" "-u 127.0.0.1"; do
		( while [ ! -e "$TT_TMP/stop" ]; do
			ip netns exec "$TT_NS" "$TT_TOOLS/tconnect" -q -c 50 -t 300 $args 8080 \
				>>"$TT_TMP/load.out" 2>&1
		  done ) &
		LOAD="$LOAD $!"
	done
	sleep 0.5
}
load_stop() { touch "$TT_TMP/stop"; wait $LOAD || true; LOAD=""; }
tt_on_exit 'touch $TT_TMP/stop'

kill9() {
	kill -KILL "$TT_DAEMON_PID"; wait "$TT_DAEMON_PID" 2>/dev/null || true
	TT_DAEMON_PID=""
}

# One connection attempt per family, timed from now.
first_pass_ms() {	# first_pass_ms ADDR: ms until a fresh connect succeeds (max 3000)
	t0=$(ms)
	while [ $(( $(ms) - t0 )) -lt 3000 ]; do
		if tt_in "$TT_TOOLS/tconnect" -t 200 "$1" 8080 >/dev/null 2>&1; then
			echo $(( $(ms) - t0 )); return 0
		fi
	done
	echo 9999
}

check_restart() {	# check_restart LABEL
	[ "$(chains)" = "$CHAINS" ] || tt_fail "$1: chains $(chains) after restart, want $CHAINS"
	[ "$(arules)" -eq "$RULES" ] || tt_fail "$1: $(arules) audit rules with our key after restart, want $RULES"
	tt_in "$TT_TOOLS/tconnect" -t 1000 127.0.0.1 8080 >/dev/null || tt_fail "$1: v4 connect after restart"
	tt_in "$TT_TOOLS/tconnect" -t 1000 ::1 8080 >/dev/null || tt_fail "$1: v6 connect after restart"
}

# --- default: bypass
tt_daemon --no-bpf --default-action allow
grep -q "audit on" "$TT_TMP/daemon.err" || tt_fail "audit did not start"
CHAINS=$(chains)
RULES=$(arules)
[ "$RULES" -gt 0 ] || tt_fail "no audit rules with our key while running"
set -- $CHAINS
[ "$1" -gt 0 ] && [ "$2" -gt 0 ] || tt_fail "no chains: $CHAINS"
tt_log "running: chains (v4 v6) $CHAINS, audit rules with key $RULES"

load_start
before=$(tt_count_events "e['type']=='connection'")
kill9
v4=$(first_pass_ms 127.0.0.1)
v6=$(first_pass_ms ::1)
tt_log "bypass: first new connection passed ${v4} ms (v4), ${v6} ms (v6) after SIGKILL; $before events before the kill"
[ "$before" -gt 20 ] || tt_fail "load did not run through the daemon ($before events)"
[ "$v4" -lt 1000 ] || tt_fail "bypass: v4 connections blocked ${v4} ms after SIGKILL"
[ "$v6" -lt 1000 ] || tt_fail "bypass: v6 connections blocked ${v6} ms after SIGKILL"
[ "$(chains)" = "$CHAINS" ] || tt_fail "chains changed on SIGKILL"
[ "$(arules)" -eq "$RULES" ] || tt_fail "audit rules changed on SIGKILL: $(arules)"

mark=$(tt_count_events "e['type']=='connection'")
tt_daemon --no-bpf --default-action allow
check_restart bypass
sleep 0.3
after=$(( $(tt_count_events "e['type']=='connection'") - mark ))
[ "$after" -gt 0 ] || tt_fail "no events after restart under load"
kill9
load_stop

# --- restart after a crash, then a clean stop: nothing left
tt_daemon --no-bpf --default-action allow
check_restart "restart before clean stop"
tt_daemon_stop
[ "$(chains)" = "0 0" ] || tt_fail "chains left after clean stop: $(chains)"
[ "$(arules)" -eq 0 ] || tt_fail "audit rules left after clean stop: $(arules)"

# --- fail-closed
tt_daemon --no-bpf --default-action allow --fail-closed
CHAINS=$(chains)
load_start
kill9
sleep 0.2
blocked=0
for addr in 127.0.0.1 ::1 127.0.0.1 ::1; do
	if tt_in "$TT_TOOLS/tconnect" -t 500 "$addr" 8080 >/dev/null 2>&1; then
		tt_fail "fail-closed: connect to $addr passed while tattled is dead"
	fi
	blocked=$((blocked + 1))
done
if tt_in "$TT_TOOLS/tconnect" -t 500 -u 127.0.0.1 8080 >/dev/null 2>&1; then
	tt_fail "fail-closed: UDP passed while tattled is dead"
fi
tt_log "fail-closed: $blocked TCP + 1 UDP connects dropped while dead"
t0=$(ms)
tt_daemon --no-bpf --default-action allow --fail-closed
check_restart fail-closed
tt_log "fail-closed: restart to both connections passing: $(( $(ms) - t0 )) ms"
load_stop
tt_daemon_stop
[ "$(chains)" = "0 0" ] || tt_fail "fail-closed: chains left after clean stop: $(chains)"
[ "$(arules)" -eq 0 ] || tt_fail "fail-closed: audit rules left after clean stop: $(arules)"
tt_log "load: $(grep -c fail "$TT_TMP/load.out" || true) tconnect runs of 50 saw failures (expected around the kills)"
