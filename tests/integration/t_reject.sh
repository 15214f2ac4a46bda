#!/bin/bash
# Reject: the packet is dropped and the local socket destroyed, so the
# caller gets an error at once (ECONNABORTED) instead of a timeout.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
tt_daemon --default-action reject --no-audit
start=$(date +%s%N)
if out=$(tt_in "$TT_TOOLS/tconnect" -t 5000 127.0.0.1 8080); then
	tt_fail "connect succeeded under reject"
fi
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$out" | grep -q ECONNABORTED || tt_fail "expected ECONNABORTED, got: $out"
[ "$ms" -lt 4000 ] || tt_fail "reject took ${ms} ms: looks like a timeout"
tt_wait_events 1 "e['verdict']=='reject' and e['proto']=='tcp'" >/dev/null ||
	tt_fail "no reject event"
if tt_in "$TT_TOOLS/tconnect" -t 5000 ::1 8080 >/dev/null; then
	tt_fail "v6 connect succeeded under reject"
fi
tt_daemon_stop
tt_log "rejected TCP connect failed after ${ms} ms"
