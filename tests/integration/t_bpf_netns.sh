#!/bin/bash
# Network namespaces are part of the flow key.  Two namespaces, one tattled
# attached to each (--netns), and in each at the same time one-shot senders
# making the very same 5-tuples (127.0.0.1 / ::1, same ports), from
# different executables.  Every event of each daemon names the process of
# its own namespace, exactly, from the BPF record.
. "$(dirname "$0")/lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
tt_netns
NS2="${TT_NS}-2"
NS2=$(printf '%s' "$NS2" | cut -c1-60)
ip netns add "$NS2" || tt_fail "ip netns add $NS2"
tt_on_exit 'ip netns pids "$NS2" 2>/dev/null | xargs -r kill -KILL 2>/dev/null; ip netns del "$NS2" 2>/dev/null'
ip -n "$NS2" link set lo up
tt_server 8080
(ip netns exec "$NS2" "$TT_TOOLS/tserver" -p 8080 >"$TT_TMP/server2.out" 2>&1 &)
for f in a b c d; do cp "$TT_TOOLS/churn" "$TT_TMP/churn-$f"; done
N=${TT_NETNS_N:-40}

tt_daemon
grep -q "attribution bpf" "$TT_TMP/daemon.err" || tt_fail "eBPF did not start"
EV2=$TT_TMP/events2.jsonl
"$TATTLED" --netns "/run/netns/$NS2" --queue $((TT_QUEUE + 1)) --socket "" \
	--log-events "$EV2" --audit-key "$TT_KEY-2" >/dev/null 2>"$TT_TMP/daemon2.err" &
D2=$!
tt_on_exit 'kill -TERM $D2 2>/dev/null; wait $D2 2>/dev/null'
for _ in $(seq 100); do
	grep -q "^tattled .*: queue" "$TT_TMP/daemon2.err" && break
	kill -0 $D2 2>/dev/null || tt_fail "second tattled exited: $(cat "$TT_TMP/daemon2.err")"
	sleep 0.05
done
grep -q "attribution bpf" "$TT_TMP/daemon2.err" || tt_fail "second tattled: eBPF did not start"
tt_bpf_note $D2

: >"$TT_TMP/flows1"
: >"$TT_TMP/flows2"
base=23000
for cls in tcp udp ff; do
	for addr in 127.0.0.1 ::1; do
		tt_in "$TT_TOOLS/churn" -D -m $cls -n "$N" -k 4 -e "$TT_TMP/churn-a" \
			-e "$TT_TMP/churn-b" -a $addr -s $base 8080 >>"$TT_TMP/flows1" &
		ip netns exec "$NS2" "$TT_TOOLS/churn" -D -m $cls -n "$N" -k 4 \
			-e "$TT_TMP/churn-c" -e "$TT_TMP/churn-d" -a $addr -s $base 8080 \
			>>"$TT_TMP/flows2"
		wait $!
		base=$((base + N))
	done
done
tt_wait_events $((6 * N)) "e['type']=='connection'" 20 >/dev/null || true
kill -TERM $D2
wait $D2 || tt_fail "second tattled exited $? on SIGTERM"
tt_daemon_stop
python3 "$(dirname "$0")/bpf_check.py" "$TT_EVENTS" "$TT_TMP/flows1" netns-1 100 bpf ||
	tt_fail "namespace 1: not every flow named its own process"
python3 "$(dirname "$0")/bpf_check.py" "$EV2" "$TT_TMP/flows2" netns-2 100 bpf ||
	tt_fail "namespace 2: not every flow named its own process"
tt_bpf_none_left || tt_fail "BPF programs left attached"
