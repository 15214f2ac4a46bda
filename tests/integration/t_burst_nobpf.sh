#!/bin/bash
# Issue 13's burst: one-shot senders that exit right after sending, 8 at a
# time, two executables (copies of one binary) racing to the same
# destination; TCP, connected UDP and fire-and-forget UDP, IPv4 and IPv6.
# This is the --no-bpf half (t_bpf_burst.sh is the eBPF one): the audit and
# /proc path alone may leave flows unattributed, never misattributed.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
cp "$TT_TOOLS/churn" "$TT_TMP/churn-a"
cp "$TT_TOOLS/churn" "$TT_TMP/churn-b"
N=${TT_BURST_N:-100}		# per class and family: 2N per class

burst() {	# MODE SPORT_BASE
	: >"$TT_TMP/flows.$1"
	base=$2
	for cls in tcp udp ff; do
		for addr in 127.0.0.1 ::1; do
			tt_in "$TT_TOOLS/churn" -D -m $cls -n "$N" -k 8 \
				-e "$TT_TMP/churn-a" -e "$TT_TMP/churn-b" \
				-a $addr -s $base 8080 >>"$TT_TMP/flows.$1" ||
				tt_log "$1: some $cls senders failed to send"
			base=$((base + N))
		done
	done
	total=$((6 * N))
	tt_wait_events $total "e['type']=='connection'" 30 >/dev/null ||
		tt_log "$1: fewer than $total events"
}

tt_daemon --no-bpf
burst no-bpf 40000
tt_daemon_stop
python3 "$(dirname "$0")/bpf_check.py" "$TT_EVENTS" "$TT_TMP/flows.no-bpf" \
	no-bpf 0 || tt_fail "--no-bpf: misattributed"
