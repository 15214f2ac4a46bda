#!/bin/bash
# With eBPF active tattled installs no audit syscall rules (they tax every
# process on the host) unless --audit-with-bpf; with it, both run, the BPF
# record still decides, and disagreements of the audit path are counted.
. "$(dirname "$0")/lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
tt_audit_guard
tt_netns
tt_server 8080
rules() { tt_audit_state | python3 -c 'import json,sys; print(json.load(sys.stdin)["rules_with_key"])'; }

tt_daemon
grep -q "audit off, attribution bpf, sock_diag, proc-scan" "$TT_TMP/daemon.err" ||
	tt_fail "start line: $(grep '^tattled ' "$TT_TMP/daemon.err")"
[ "$(rules)" -eq 0 ] || tt_fail "audit rules installed although eBPF is active"
tt_daemon_stop

: >"$TT_EVENTS"
tt_daemon --audit-with-bpf
grep -q "audit on, attribution bpf, sock_diag, audit, proc-scan" "$TT_TMP/daemon.err" ||
	tt_fail "start line: $(grep '^tattled ' "$TT_TMP/daemon.err")"
[ "$(rules)" -gt 0 ] || tt_fail "--audit-with-bpf: no audit rules"
cp "$TT_TOOLS/churn" "$TT_TMP/churn-a"
cp "$TT_TOOLS/churn" "$TT_TMP/churn-b"
: >"$TT_TMP/flows"
base=24000
for cls in tcp udp ff; do
	tt_in "$TT_TOOLS/churn" -D -m $cls -n 20 -k 8 -e "$TT_TMP/churn-a" \
		-e "$TT_TMP/churn-b" -a 127.0.0.1 -s $base 8080 >>"$TT_TMP/flows" ||
		tt_log "some $cls senders failed"
	base=$((base + 20))
done
tt_wait_events 60 "e['type']=='connection'" 10 >/dev/null || true
tt_daemon_stop
python3 "$(dirname "$0")/bpf_check.py" "$TT_EVENTS" "$TT_TMP/flows" audit+bpf 100 bpf ||
	tt_fail "with audit on too, not every flow decided exactly by BPF"
grep -q "bpf and audit disagreed [0-9]" "$TT_TMP/daemon.err" ||
	tt_fail "summary does not count disagreements"
tt_log "$(grep -o 'bpf [0-9]*, .*disagreed [0-9]*' "$TT_TMP/daemon.err")"
tt_bpf_none_left || tt_fail "BPF programs left attached"
