#!/bin/bash
# Two tattled on one host (own namespaces, queues and audit keys) share
# the kernel's audit enable flag and backlog_limit.  The first one out
# must leave them to the other: audit stays enabled with the raised
# backlog while the second runs, and only the last one out puts the
# original values back.  Then the same with the first one SIGKILLed: a
# crashed run holds no reference, so the survivor's exit restores (and
# `tattle audit-status --purge` of the crashed key meanwhile deletes its
# rules but leaves the settings to the survivor).  And a
# second run with the first one's key stays off audit.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_audit_guard

KEY_B="${TT_KEY}b"
QUEUE_B=$((TT_QUEUE + 1))
NS_B="tt-two-b-$$"
PID_B=""

field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
audit() { "$TATTLE" audit-status --key "${2:-$TT_KEY}" | field "$1"; }

cleanup_b() {
	if [ -n "$PID_B" ] && kill -0 "$PID_B" 2>/dev/null; then
		kill -TERM "$PID_B"; wait "$PID_B" 2>/dev/null
	fi
	if [ -f "/run/tattle/audit-$KEY_B.state" ]; then
		"$TATTLE" audit-status --key "$KEY_B" --purge >/dev/null 2>&1
	fi
	ip netns del "$NS_B" 2>/dev/null
}
tt_on_exit cleanup_b

start_b() {
	: >"$TT_TMP/b.err"
	"$TATTLED" --netns "/run/netns/$NS_B" --queue "$QUEUE_B" --socket "" \
		--audit-key "${1:-$KEY_B}" --config "$TT_TMP/conf.json" --no-firewall --no-bpf \
		2>>"$TT_TMP/b.err" &
	PID_B=$!
	for _ in $(seq 100); do
		grep -q "^tattled .*: queue" "$TT_TMP/b.err" && return 0
		kill -0 "$PID_B" 2>/dev/null || { cat "$TT_TMP/b.err" >&2; tt_fail "second tattled exited at start"; }
		sleep 0.05
	done
	tt_fail "second tattled did not become ready"
}

stop_b() {
	kill -TERM "$PID_B"
	rc=0; wait "$PID_B" || rc=$?
	PID_B=""
	[ "$rc" -eq 0 ] || { cat "$TT_TMP/b.err" >&2; tt_fail "second tattled exited $rc"; }
}

tt_netns
ip netns add "$NS_B" || tt_fail "ip netns add"

en0=$(echo "$TT_AUDIT_BEFORE" | field enabled)
bl0=$(echo "$TT_AUDIT_BEFORE" | field backlog_limit)
[ "$(echo "$TT_AUDIT_BEFORE" | field auditd_pid)" -eq 0 ] ||
	tt_skip "auditd is running: tattled leaves its backlog alone then"
# A backlog above what the host has, so that raising it shows.
raised=$((bl0 + 1111))
echo "{\"audit_backlog\": $raised}" >"$TT_TMP/conf.json"

for round in clean crash; do
	tt_daemon --no-bpf --no-firewall --config "$TT_TMP/conf.json"
	start_b
	[ "$(audit enabled)" -eq 1 ] || tt_fail "audit not enabled while both run"
	[ "$(audit backlog_limit)" -eq "$raised" ] || tt_fail "backlog $(audit backlog_limit), want $raised"
	[ "$(audit rules_with_key)" -gt 0 ] && [ "$(audit rules_with_key "$KEY_B")" -gt 0 ] ||
		tt_fail "each run should have its own rules"

	if [ "$round" = clean ]; then
		tt_daemon_stop
	else
		kill -KILL "$TT_DAEMON_PID"; wait "$TT_DAEMON_PID" 2>/dev/null || true
		TT_DAEMON_PID=""
		[ "$(audit rules_with_key)" -gt 0 ] || tt_fail "crash: killed run's rules gone?"
		# Cleaning up after the killed run by hand must not reset
		# the settings under the live one either.
		"$TATTLE" audit-status --key "$TT_KEY" --purge >/dev/null 2>"$TT_TMP/purge.err"
		grep -q "settings left as they are: 1 running tattled still uses them" "$TT_TMP/purge.err" ||
			{ cat "$TT_TMP/purge.err" >&2; tt_fail "purge did not leave the settings to the live run"; }
		[ "$(audit rules_with_key)" -eq 0 ] || tt_fail "purge left the killed run's rules"
	fi
	sleep 0.3
	# The second run goes on with what it set up.
	[ "$(audit enabled)" -eq 1 ] || tt_fail "$round: audit disabled under the second run"
	[ "$(audit backlog_limit)" -eq "$raised" ] ||
		tt_fail "$round: backlog $(audit backlog_limit) under the second run, want $raised"
	[ "$(audit rules_with_key "$KEY_B")" -gt 0 ] || tt_fail "$round: second run's rules gone"
	kill -0 "$PID_B" || tt_fail "$round: second tattled died"
	if [ "$round" = clean ]; then
		grep -q "1 other tattled run still uses them" "$TT_TMP/daemon.err" ||
			tt_fail "the first one out did not say it left the settings"
	fi
	tt_log "$round: first out; second still has enabled=1 backlog=$raised"

	stop_b
	[ "$(audit rules_with_key "$KEY_B")" -eq 0 ] || tt_fail "$round: second run's rules left"
	[ "$(audit enabled)" -eq "$en0" ] || tt_fail "$round: enabled $(audit enabled) after both, was $en0"
	[ "$(audit backlog_limit)" -eq "$bl0" ] ||
		tt_fail "$round: backlog $(audit backlog_limit) after both, was $bl0"
	[ ! -f "/run/tattle/audit-$KEY_B.state" ] || tt_fail "$round: second run's state file left"
	tt_log "$round: last out restored enabled=$en0 backlog=$bl0"
done

# Same key twice: setting up would delete the first one's rules, so the
# second one runs without audit and says why.
tt_daemon --no-bpf --no-firewall --config "$TT_TMP/conf.json"
n=$(audit rules_with_key)
start_b "$TT_KEY"
grep -q "audit key \"$TT_KEY\" is in use by another tattled (pid $TT_DAEMON_PID)" "$TT_TMP/b.err" ||
	{ cat "$TT_TMP/b.err" >&2; tt_fail "second run with the same key did not refuse audit"; }
grep -q "^tattled .*audit off" "$TT_TMP/b.err" || tt_fail "second run with the same key has audit on"
[ "$(audit rules_with_key)" -eq "$n" ] || tt_fail "same key: first run's rules touched"
stop_b
[ "$(audit rules_with_key)" -eq "$n" ] || tt_fail "same key: second run's exit touched the first's rules"
[ "$(audit backlog_limit)" -eq "$raised" ] || tt_fail "same key: second run's exit reset the backlog"
tt_daemon_stop
tt_log "same key: the second run refused audit; the first kept its rules"
