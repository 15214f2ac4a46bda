#!/bin/bash
# Issue 13's burst: one-shot senders that exit right after sending, 8 at a
# time, two executables (copies of one binary) racing to the same
# destination; TCP, connected UDP and fire-and-forget UDP, IPv4 and IPv6.
# With eBPF every class is >= 99% exact and 0 wrong.  (The --no-bpf half
# is t_burst_nobpf.sh.)
. "$(dirname "$0")/lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
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

tt_daemon
grep -q "attribution bpf" "$TT_TMP/daemon.err" ||
	tt_fail "eBPF not active: $(cat "$TT_TMP/daemon.err")"
burst bpf 20000
tt_daemon_stop
python3 "$(dirname "$0")/bpf_check.py" "$TT_EVENTS" "$TT_TMP/flows.bpf" \
	bpf 99 bpf || tt_fail "with eBPF: below 99% exact or misattributed"
tt_bpf_none_left || tt_fail "BPF programs left attached"
