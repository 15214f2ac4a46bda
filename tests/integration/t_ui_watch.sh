#!/bin/bash
# tattle watch prints one readable line per connection (time, verdict,
# program[pid], destination, proto, reason/rule); exit codes: 1 when it
# cannot connect, 2 on bad usage.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
SOCK=$TT_TMP/tattle.sock
rc=0; "$TATTLE" watch --socket "$TT_TMP/nothing.sock" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || tt_fail "watch without a daemon exited $rc, want 1"
rc=0; "$TATTLE" watch --bogus 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || tt_fail "watch --bogus exited $rc, want 2"
"$TATTLE" watch --help | grep -q "usage: tattle watch" || tt_fail "watch --help"
tt_daemon --default-action deny --socket "$SOCK"
"$TATTLE" watch --socket "$SOCK" >"$TT_TMP/watch.out" 2>&1 &
W=$!
tt_on_exit "kill $W 2>/dev/null"
sleep 0.5
tt_in "$TT_TOOLS/tconnect" -t 500 127.0.0.1 8080 >/dev/null && tt_fail "connect passed default deny"
for _ in $(seq 30); do grep -q DENY "$TT_TMP/watch.out" && break; sleep 0.1; done
grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} DENY +tconnect\[[0-9]+\] +-> 127\.0\.0\.1:8080 tcp default$' \
	"$TT_TMP/watch.out" || tt_fail "unexpected watch output: $(cat "$TT_TMP/watch.out")"
tt_daemon_stop
rc=0; wait $W || rc=$?
[ "$rc" -eq 1 ] || tt_fail "watch exited $rc when the daemon went away, want 1"
