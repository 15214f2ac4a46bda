#!/bin/bash
# Issue 13's burst: one-shot senders that exit right after sending, 8 at a
# time, two executables (copies of one binary) racing to the same
# destination; TCP, connected UDP and fire-and-forget UDP, IPv4 and IPv6.
# This is the --no-bpf half (t_bpf_burst.sh is the eBPF one): the audit and
# /proc path alone may leave flows unattributed, never misattributed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/churn_lib.sh"
tt_require_root
tt_netns
tt_server 8080
tt_churn_copies churn

tt_daemon --no-bpf
tt_burst no-bpf 40000
tt_daemon_stop
python3 "$(dirname "$0")/bpf_check.py" "$TT_EVENTS" "$TT_TMP/flows.no-bpf" \
	no-bpf 0 || tt_fail "--no-bpf: misattributed"
