#!/bin/bash
# Issue 13's burst: one-shot senders that exit right after sending, 8 at a
# time, two executables (copies of one binary) racing to the same
# destination; TCP, connected UDP and fire-and-forget UDP, IPv4 and IPv6.
# With eBPF every class is >= 99% exact and 0 wrong.  (The --no-bpf half
# is t_burst_nobpf.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/churn_lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
tt_netns
tt_server 8080
tt_churn_copies churn

tt_daemon
grep -q "attribution bpf" "$TT_TMP/daemon.err" ||
	tt_fail "eBPF not active: $(cat "$TT_TMP/daemon.err")"
tt_burst bpf 20000
tt_daemon_stop
python3 "$(dirname "$0")/bpf_check.py" "$TT_EVENTS" "$TT_TMP/flows.bpf" \
	bpf 99 bpf || tt_fail "with eBPF: below 99% exact or misattributed"
tt_bpf_none_left || tt_fail "BPF programs left attached"
