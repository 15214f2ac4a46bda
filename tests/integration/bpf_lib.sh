# bpf_lib.sh - helpers for the eBPF tests; sourced after lib.sh.

# The kernel and tools the eBPF source needs; skip elsewhere, never in CI.
tt_bpf_require() {
	if [ ! -r /sys/kernel/btf/vmlinux ]; then
		[ "${CI:-}" = true ] && tt_fail "no kernel BTF in CI"
		tt_skip "no kernel BTF (/sys/kernel/btf/vmlinux)"
	fi
	command -v bpftool >/dev/null || tt_fail "bpftool missing (scripts/deps.sh)"
	TT_BPF_BEFORE=$(tt_bpf_ours)
	TT_BPF_NOTE=1	# tt_daemon notes its daemon's programs
	: >"$TT_TMP/bpf_mine"
	tt_on_exit tt_bpf_cleanup
}

# Note the programs tattled PID holds (its bpf_link fds) as this test's:
# only these are waited for and detached, so a sibling test's tattled on
# the same host is never touched.
tt_bpf_note() {
	for f in /proc/"$1"/fdinfo/*; do
		awk '$1 == "prog_id:" { print $2 }' "$f" 2>/dev/null
	done | sort -u >>"$TT_TMP/bpf_mine"
}

# This test's programs still attached: those noted, or (none noted) any
# attached since the test began.
tt_bpf_left() {
	if [ -s "$TT_TMP/bpf_mine" ]; then
		tt_bpf_ours | comm -12 - <(sort -u "$TT_TMP/bpf_mine")
	else
		comm -13 <(echo "$TT_BPF_BEFORE") <(tt_bpf_ours)
	fi
}

# Programs of ours (tt_*) attached anywhere in the cgroup tree, one per line.
tt_bpf_ours() {
	bpftool cgroup tree 2>/dev/null | awk '$NF ~ /^tt_/ { print $1 }' | sort
}

# True when none of this test's programs is attached any more (other
# tattleds may run on the host: theirs do not count).
tt_bpf_none_left() {
	for _ in $(seq 50); do
		[ -z "$(tt_bpf_left)" ] && return 0
		sleep 0.1
	done
	tt_log "still attached: $(tt_bpf_left | tr '\n' ' ')"
	return 1
}

# At exit: the daemon is gone, so its links are; any of its programs left
# over (a daemon that could not be killed) is detached by id.  Only noted
# programs: one attached meanwhile by another test's tattled is not ours.
tt_bpf_cleanup() {
	[ -s "$TT_TMP/bpf_mine" ] || return 0
	for id in $(tt_bpf_left); do
		tt_log "detaching left-over program $id"
		bpftool cgroup tree 2>/dev/null | awk -v id="$id" '
			/^\// { cg = $1 } $1 == id { print cg, $2 }' |
		while read -r cg type; do
			bpftool cgroup detach "$cg" "$type" id "$id" 2>/dev/null
		done
	done
}
