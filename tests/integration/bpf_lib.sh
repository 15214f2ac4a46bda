# bpf_lib.sh - helpers for the eBPF tests; sourced after lib.sh.

# The kernel and tools the eBPF source needs; skip elsewhere, never in CI.
tt_bpf_require() {
	if [ ! -r /sys/kernel/btf/vmlinux ]; then
		[ "${CI:-}" = true ] && tt_fail "no kernel BTF in CI"
		tt_skip "no kernel BTF (/sys/kernel/btf/vmlinux)"
	fi
	command -v bpftool >/dev/null || tt_fail "bpftool missing (scripts/deps.sh)"
	TT_BPF_BEFORE=$(tt_bpf_ours)
	tt_on_exit tt_bpf_cleanup
}

# Programs of ours (tt_*) attached anywhere in the cgroup tree, one per line.
tt_bpf_ours() {
	bpftool cgroup tree 2>/dev/null | awk '$NF ~ /^tt_/ { print $1 }' | sort
}

# True when no tt_* program is attached beyond what was there before this
# test (another tattled may run on the host).
tt_bpf_none_left() {
	for _ in $(seq 50); do
		[ "$(tt_bpf_ours)" = "$TT_BPF_BEFORE" ] && return 0
		sleep 0.1
	done
	tt_log "attached now: $(tt_bpf_ours | tr '\n' ' ') before: $(echo $TT_BPF_BEFORE)"
	return 1
}

# At exit: the daemon is gone, so its links are; anything new left over
# (a daemon that could not be killed) is detached by id.
tt_bpf_cleanup() {
	now=$(tt_bpf_ours)
	[ "$now" = "$TT_BPF_BEFORE" ] && return 0
	for id in $(comm -13 <(echo "$TT_BPF_BEFORE") <(echo "$now")); do
		tt_log "detaching left-over program $id"
		bpftool cgroup tree 2>/dev/null | awk -v id="$id" '
			/^\// { cg = $1 } $1 == id { print cg, $2 }' |
		while read -r cg type; do
			bpftool cgroup detach "$cg" "$type" id "$id" 2>/dev/null
		done
	done
}
