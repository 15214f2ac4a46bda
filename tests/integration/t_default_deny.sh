#!/bin/bash
# Default deny: the TCP connect times out and the event says deny.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
tt_daemon --default-action deny --no-audit

if out=$(tt_in "$TT_TOOLS/tconnect" -t 1000 127.0.0.1 8080); then
	tt_fail "connect succeeded under default deny: $out"
fi
echo "$out" | grep -q ETIMEDOUT || tt_fail "expected a timeout, got: $out"
tt_wait_events 1 "e['type']=='connection' and e['verdict']=='deny' and \
e['reason']=='default' and e['dst']['port']==8080" >/dev/null ||
	tt_fail "no deny event"
if tt_in "$TT_TOOLS/tconnect" -u -t 500 ::1 8080 >/dev/null; then
	tt_fail "UDP passed under default deny"
fi
tt_wait_events 1 "e['verdict']=='deny' and e['proto']=='udp' and \
e['family']=='ipv6'" >/dev/null || tt_fail "no UDP deny event"
tt_daemon_stop
