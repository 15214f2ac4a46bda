/* common.bpf.h - maps and helpers shared by the tattle BPF programs.
 *
 * Each *.bpf.c includes this file; the maps are declared __weak so the
 * static linker (bpftool gen object) keeps one copy of each.  Sizes here
 * are defaults: user space sets them from the config before load. */
#ifndef TATTLE_COMMON_BPF_H
#define TATTLE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "flowrec.h"

#define AF_INET		2
#define AF_INET6	10
#define SK_PASS		1
/* A UDP socket re-records the same destination after this long, so an
 * evicted record comes back once conntrack forgets the flow. */
#define FLOWREC_REFRESH_NS	(5ULL * 1000 * 1000 * 1000)

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct flowrec_sk);
} tt_sk SEC(".maps") __weak;

/* (netns, proto, family, src, sport, dst, dport) -> owner */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flowrec_key);
	__type(value, struct flowrec_val);
} tt_flows SEC(".maps") __weak;

/* socket cookie -> owner, for sockets still open (found by sock_diag) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct flowrec_owner);
} tt_socks SEC(".maps") __weak;

/* executable (dev, inode) -> a path it was run by */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct flowrec_exec_key);
	__type(value, struct flowrec_exec);
} tt_execs SEC(".maps") __weak;

/* Counters user space reads (FLOWREC_CNT_*). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FLOWREC_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} tt_counts SEC(".maps") __weak;

static __always_inline void count(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&tt_counts, &what);

	if (c)
		__sync_fetch_and_add(c, 1);
}

/* Fill o from the current task, stamped at now (bpf_ktime_get_ns()).
 * The group leader's comm and start time name the process, not an
 * io_uring worker thread.  The task pointer is BTF-typed, so these are
 * plain loads with CO-RE offsets (faults read as zero), not one
 * bpf_probe_read_kernel() call per field: this runs in every TCP connect
 * and UDP connect on the host.  comm is copied as two words: the kernel
 * keeps it NUL-padded (__set_task_comm), so no string copy is needed. */
static __always_inline void owner_fill(struct flowrec_owner *o, __u64 netns,
				       __u64 now)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct task_struct *leader = t->group_leader;
	const __u64 *comm = (const __u64 *)leader->comm;
	struct mm_struct *mm = t->mm;
	struct file *exe = mm ? mm->exe_file : NULL;
	__u64 pt = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();

	o->tgid = pt >> 32;
	o->pid = (__u32)pt;
	o->uid = (__u32)ug;
	o->gid = ug >> 32;
	if (exe) {
		struct inode *ino = exe->f_inode;

		o->exe_dev = ino->i_sb->s_dev;
		o->exe_ino = ino->i_ino;
	} else {
		o->exe_dev = o->exe_ino = 0;
	}
	o->cgroup_id = bpf_get_current_cgroup_id();
	o->start_ns = leader->start_boottime;
	o->netns = netns;
	o->stamp_ns = now;
	((__u64 *)o->comm)[0] = comm[0];
	((__u64 *)o->comm)[1] = comm[1];
}

/* One load at a constant offset from a context or socket pointer.  The
 * verifier refuses pointer arithmetic on those, which clang produces when
 * it shares one base address among neighbouring fields; the empty asm hides
 * the pointer so each access folds its own offset. */
#define CTX_LD(p, field) ({					\
	__typeof__(p) __p = (p);				\
	asm volatile("" : "+r"(__p));				\
	__p->field;						\
})

/* ::ffff:a.b.c.d */
static __always_inline bool v4mapped(const __u32 *a)
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0xffff);
}

/* Copy a 16-byte address given as 4 words into key bytes; a v4-mapped
 * one becomes IPv4 (first 4 bytes). */
static __always_inline void addr_put(__u8 *dst, const __u32 *a, bool v4)
{
	__u32 *d = (__u32 *)dst;

	if (v4) {
		d[0] = a[3];
		d[1] = d[2] = d[3] = 0;
	} else {
		d[0] = a[0];
		d[1] = a[1];
		d[2] = a[2];
		d[3] = a[3];
	}
}

/* Insert or replace k's record; a new key is counted: inserts past
 * capacity are evictions. */
static __always_inline void flow_update(const struct flowrec_key *k,
					const struct flowrec_val *v)
{
	if (bpf_map_update_elem(&tt_flows, k, v, BPF_NOEXIST) == 0)
		count(FLOWREC_CNT_FLOW_INSERTS);
	else
		bpf_map_update_elem(&tt_flows, k, v, BPF_ANY);
}

/* Record k -> o, written at now (bpf_ktime_get_ns()). */
static __always_inline void flow_put(const struct flowrec_key *k,
				     const struct flowrec_owner *o, __u32 flags,
				     __u64 now)
{
	struct flowrec_val v = {};

	v.owner = *o;
	v.ts_ns = now;
	v.flags = flags;
	flow_update(k, &v);
}

#endif
