#!/bin/bash
# io_uring: connect, send and sendmsg submitted through io_uring (inline and,
# with IOSQE_ASYNC, from an io-wq worker thread) reach the same cgroup
# hooks; each flow is attributed exactly to the process, from the BPF
# record, although the process exits right after.
. "$(dirname "$0")/lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
tt_netns
tt_server 8080
[ -x "$TT_TOOLS/uring" ] || tt_fail "build/tools/uring missing (make tools; liburing-dev)"
cp "$TT_TOOLS/uring" "$TT_TMP/uring-client"
tt_daemon
grep -q "attribution bpf" "$TT_TMP/daemon.err" || tt_fail "eBPF did not start"
: >"$TT_TMP/flows"
port=22000
for round in 1 2; do
	for cls in tcp udp ff; do
		for addr in 127.0.0.1 ::1; do
			for async in "" -A; do
				port=$((port + 1))
				rc=0
				out=$(tt_in "$TT_TMP/uring-client" $async -m $cls -s $port \
					$addr 8080) || rc=$?
				[ "$rc" -eq 0 ] || tt_fail "uring $async $cls $addr: exit $rc"
				echo "${out%% *} $TT_TMP/uring-client $cls $addr 8080 $port 0" \
					>>"$TT_TMP/flows"
			done
		done
	done
done
n=$(wc -l <"$TT_TMP/flows")
tt_wait_events "$n" "e['type']=='connection'" 10 >/dev/null || true
tt_daemon_stop
python3 "$(dirname "$0")/bpf_check.py" "$TT_EVENTS" "$TT_TMP/flows" io_uring 100 bpf ||
	tt_fail "io_uring flows not all attributed exactly by BPF"
tt_bpf_none_left || tt_fail "BPF programs left attached"
