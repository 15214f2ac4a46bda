# churn_lib.sh - the one-shot sender workloads shared by the eBPF and the
# --no-bpf attribution tests; sourced after lib.sh, inside tt_netns with
# tt_server 8080 running.

# Copies of one binary under two names: two executables racing.
tt_churn_copies() {	# TOOL
	cp "$TT_TOOLS/$1" "$TT_TMP/$1-a"
	cp "$TT_TOOLS/$1" "$TT_TMP/$1-b"
}

# Issue 13's burst: one-shot senders that exit right after sending, 8 at a
# time, churn-a and churn-b to the same destination; TCP, connected UDP,
# fire-and-forget UDP, IPv4 and IPv6; TT_BURST_N per class and family.
# Flows to $TT_TMP/flows.MODE (for bpf_check.py); waits for the events.
tt_burst() {	# MODE SPORT_BASE
	n=${TT_BURST_N:-100}
	: >"$TT_TMP/flows.$1"
	base=$2
	for cls in tcp udp ff; do
		for addr in 127.0.0.1 ::1; do
			tt_in "$TT_TOOLS/churn" -D -m $cls -n "$n" -k 8 \
				-e "$TT_TMP/churn-a" -e "$TT_TMP/churn-b" \
				-a $addr -s $base 8080 >>"$TT_TMP/flows.$1" ||
				tt_log "$1: some $cls senders failed to send"
			base=$((base + n))
		done
	done
	tt_wait_events $((6 * n)) "e['type']=='connection'" 30 >/dev/null ||
		tt_log "$1: fewer than $((6 * n)) events"
}

# PID reuse in the host pid namespace, where tattled and audit see pids:
# tools/pidreuse takes one free pid with clone3(set_tid) (what CRIU uses)
# instead of writing the host's ns_last_pid.  Each pair: process A (procA,
# a copy of tconnect) makes one connection and exits; at once B (procB)
# runs under A's pid and makes the same kind of connection to the same
# place.  TT_REUSE_ROUNDS rounds of TCP, connected UDP and fire-and-forget
# UDP over IPv4 and IPv6, then fire-and-forget pairs alone 150 ms apart.
# Writes $TT_TMP/map: "round kind addr A|B pid lport same|diff" per flow
# (same: A and B started in one 10 ms start-time tick).
tt_pidreuse_run() {
	[ -x "$TT_TOOLS/pidreuse" ] || tt_fail "build/tools/pidreuse missing (make tools)"
	cp "$TT_TOOLS/tconnect" "$TT_TMP/procA"
	cp "$TT_TOOLS/tconnect" "$TT_TMP/procB"
	rounds=${TT_REUSE_ROUNDS:-10}
	: >"$TT_TMP/map"
	tt_reuse_skipped=0
	tt_reuse_i=0
	for _ in $(seq "$rounds"); do
		for kind in tcp udp ff; do
			for addr in 127.0.0.1 ::1; do tt_pidreuse_pair "$kind" "$addr"; done
		done
	done
	sleep 0.2
	for _ in $(seq $((rounds * 2))); do
		tt_pidreuse_pair ff 127.0.0.1
		sleep 0.15
	done
	grep -q '^BAD' "$TT_TMP/map" &&
		tt_fail "B did not get A's pid: $(grep '^BAD' "$TT_TMP/map" | head -3)"
	pairs=$(( $(wc -l <"$TT_TMP/map") / 2 ))
	[ "$pairs" -ge $((tt_reuse_i * 3 / 4)) ] ||
		tt_fail "only $pairs of $tt_reuse_i rounds reused a pid ($tt_reuse_skipped pid taken)"
}

tt_pidreuse_pair() {	# KIND ADDR: A, then B under A's pid
	tt_reuse_i=$((tt_reuse_i + 1))
	case $1 in tcp) f="" ;; udp) f="-u" ;; ff) f="-U" ;; esac
	rc=0
	out=$(tt_in "$TT_TOOLS/pidreuse" 0 \
		"$TT_TMP/procA" -L -T "a$tt_reuse_i" $f "$2" 8080 -- \
		"$TT_TMP/procB" -L -T "b$tt_reuse_i" $f "$2" 8080) || rc=$?
	if [ "$rc" -eq 125 ]; then
		tt_reuse_skipped=$((tt_reuse_skipped + 1))
		return 0
	fi
	[ "$rc" -eq 0 ] || tt_fail "pair $tt_reuse_i ($1 $2): exit $rc: $out"
	echo "$out" | awk -v k="$1" -v a="$2" -v i="$tt_reuse_i" '
		BEGIN { n = 0 } /^local/ { lp[n] = $2 } $2 == "ok" { pid[n] = $1; n++ }
		/^start/ { same = ($2 == $3) ? "same" : "diff" }
		END { if (n == 2 && pid[0] == pid[1])
			printf "%s %s %s A %s %s %s\n%s %s %s B %s %s %s\n",
			i, k, a, pid[0], lp[0], same, i, k, a, pid[1], lp[1], same
		      else print "BAD " i " " n " " pid[0] " " pid[1] }' >>"$TT_TMP/map"
}
