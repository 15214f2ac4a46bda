#!/bin/bash
# Audit after a crash: a SIGKILLed tattled leaves its audit rules and the
# raised settings behind; the next run replaces the rules (never doubles
# them) and, at its clean exit, restores audit to what the killed run
# found, not to what it left.  The guard fails the test otherwise.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_audit_guard
tt_netns
rules_with_key() {
	tt_audit_state | python3 -c 'import json,sys; print(json.load(sys.stdin)["rules_with_key"])'
}
tt_daemon --no-bpf --no-firewall
n=$(rules_with_key)
[ "$n" -gt 0 ] || tt_fail "no audit rules while running"
kill -KILL "$TT_DAEMON_PID"; wait "$TT_DAEMON_PID" 2>/dev/null || true
TT_DAEMON_PID=""
[ "$(rules_with_key)" -eq "$n" ] || tt_fail "rules changed by SIGKILL"
[ -f "/run/tattle/audit-$TT_KEY.state" ] || tt_fail "no saved audit state"
tt_daemon --no-bpf --no-firewall
[ "$(rules_with_key)" -eq "$n" ] || tt_fail "rules doubled after restart: $(rules_with_key) vs $n"
tt_daemon_stop
[ "$(rules_with_key)" -eq 0 ] || tt_fail "rules left after clean exit"
[ ! -f "/run/tattle/audit-$TT_KEY.state" ] || tt_fail "state file left after clean exit"
tt_log "before: $TT_AUDIT_BEFORE; after: $(tt_audit_state)"
