#!/bin/bash
# A tattled killed with SIGKILL leaves no BPF program attached (its
# bpf_link fds close with it), and the next start attaches one set, not a
# second one on top; attribution by BPF works again after the restart.
. "$(dirname "$0")/lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
tt_netns
tt_server 8080
# Programs attached in the cgroup tree that the running daemon holds (its
# bpf_link fds): counting the whole tree would count sibling tattleds.
count_new() {
	for f in /proc/"$TT_DAEMON_PID"/fdinfo/*; do
		awk '$1 == "prog_id:" { print $2 }' "$f" 2>/dev/null
	done | sort -u | comm -12 - <(tt_bpf_ours) | wc -l
}
tt_daemon
grep -q "attribution bpf" "$TT_TMP/daemon.err" || tt_fail "eBPF did not start"
n1=$(count_new)
[ "$n1" -ge 6 ] || tt_fail "expected our 6 cgroup programs attached, found $n1"
kill -KILL "$TT_DAEMON_PID"
wait "$TT_DAEMON_PID" 2>/dev/null || true
TT_DAEMON_PID=""
# Its chains stay in the namespace: the next start replaces them.
tt_bpf_none_left || tt_fail "programs still attached after SIGKILL"
: >"$TT_EVENTS"
tt_daemon
n2=$(count_new)
[ "$n2" -eq "$n1" ] || tt_fail "restart attached $n2 programs, first start $n1 (stacked?)"
cp "$TT_TOOLS/churn" "$TT_TMP/churn-a"
tt_in "$TT_TOOLS/churn" -D -m tcp -n 4 -k 2 -e "$TT_TMP/churn-a" -a 127.0.0.1 \
	-s 21000 8080 >"$TT_TMP/flows" || tt_fail "senders failed"
tt_wait_events 4 "e['type']=='connection'" 10 >/dev/null || true
tt_daemon_stop
python3 "$(dirname "$0")/bpf_check.py" "$TT_EVENTS" "$TT_TMP/flows" restart 100 bpf ||
	tt_fail "not attributed by BPF after the restart"
tt_bpf_none_left || tt_fail "programs left attached after a clean stop"
