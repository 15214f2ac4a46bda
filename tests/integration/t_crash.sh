#!/bin/bash
# SIGKILL: with the default bypass new connections pass while tattled is
# dead; with --fail-closed they are dropped; a restart recovers without
# duplicate chains; a clean exit leaves no chain.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080

tt_daemon --default-action allow --no-audit
tt_in "$TT_TOOLS/tconnect" 127.0.0.1 8080 >/dev/null || tt_fail "connect with daemon up"
chains=$(tt_chain_count)
kill -KILL "$TT_DAEMON_PID"; wait "$TT_DAEMON_PID" 2>/dev/null || true
TT_DAEMON_PID=""
[ "$(tt_chain_count)" -eq "$chains" ] || tt_fail "chains changed on SIGKILL"
tt_in "$TT_TOOLS/tconnect" -t 2000 127.0.0.1 8080 >/dev/null ||
	tt_fail "bypass: connect failed while tattled is dead"
tt_in "$TT_TOOLS/tconnect" -t 2000 ::1 8080 >/dev/null ||
	tt_fail "bypass: v6 connect failed while tattled is dead"

# Restart over the stale chains: same count, not doubled.
tt_daemon --default-action allow --no-audit
[ "$(tt_chain_count)" -eq "$chains" ] || tt_fail "chains duplicated after restart"
tt_in "$TT_TOOLS/tconnect" 127.0.0.1 8080 >/dev/null || tt_fail "connect after restart"
tt_daemon_stop
[ "$(tt_chain_count)" -eq 0 ] || tt_fail "chains left after clean exit"

# Fail-closed: dead daemon means dropped connections.
tt_daemon --default-action allow --no-audit --fail-closed
tt_in "$TT_TOOLS/tconnect" 127.0.0.1 8080 >/dev/null || tt_fail "fail-closed: connect with daemon up"
kill -KILL "$TT_DAEMON_PID"; wait "$TT_DAEMON_PID" 2>/dev/null || true
TT_DAEMON_PID=""
if tt_in "$TT_TOOLS/tconnect" -t 1000 127.0.0.1 8080 >/dev/null; then
	tt_fail "fail-closed: connect passed while tattled is dead"
fi
tt_daemon --default-action allow --no-audit --fail-closed
[ "$(tt_chain_count)" -eq "$chains" ] || tt_fail "fail-closed: chains duplicated"
tt_in "$TT_TOOLS/tconnect" 127.0.0.1 8080 >/dev/null || tt_fail "fail-closed: connect after restart"
tt_daemon_stop
[ "$(tt_chain_count)" -eq 0 ] || tt_fail "fail-closed: chains left after clean exit"
