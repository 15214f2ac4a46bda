/* flowrec.h - the records the BPF object writes and tattled reads: shared
 * by the programs in daemon/bpf and user space, so both sides agree on layout.
 *
 * A flow record is written in the context of the process that connects or
 * sends (see daemon/bpf/README.md for which hook covers which flow), keyed
 * by what the verdict loop sees in the queued packet plus the socket's
 * network namespace.  Addresses are in network byte order (IPv4 in the
 * first 4 bytes, rest zero, as in struct flow); ports in host byte order.
 * An unconnected UDP send records src as all zeros when the socket is not
 * bound to an address (the kernel picks it later): FLOWREC_F_ANY_SRC. */
#ifndef TATTLE_FLOWREC_H
#define TATTLE_FLOWREC_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define FLOWREC_COMM_LEN	16
#define FLOWREC_PATH_LEN	256

/* tt_counts indexes */
#define FLOWREC_CNT_FLOW_INSERTS	0
#define FLOWREC_CNT_MAX			4

/* flowrec_val.flags */
#define FLOWREC_F_ANY_SRC	0x01	/* recorded with src unknown (zeros) */
#define FLOWREC_F_RELEASE	0x02	/* written when the socket was closed */

/* Who owns a socket: the task that last connected or sent on it. */
struct flowrec_owner {
	__u32 tgid;
	__u32 pid;		/* the thread */
	__u32 uid, gid;
	__u64 exe_dev;		/* mm->exe_file's s_dev: major << 20 | minor */
	__u64 exe_ino;
	__u64 cgroup_id;	/* cgroup v2 id of the task */
	__u64 start_ns;		/* group leader's start_boottime (ns) */
	__u64 netns;		/* the socket's network namespace cookie */
	__u64 stamp_ns;		/* CLOCK_MONOTONIC of the connect/send */
	char comm[FLOWREC_COMM_LEN];	/* the group leader's comm */
};

struct flowrec_key {
	__u64 netns;		/* network namespace cookie */
	__u8 proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	__u8 family;		/* AF_INET / AF_INET6 */
	__u16 sport;
	__u16 dport;
	__u16 pad;
	__u8 src[16];
	__u8 dst[16];
};

struct flowrec_val {
	struct flowrec_owner owner;
	__u64 ts_ns;		/* CLOCK_MONOTONIC when this was written */
	__u32 flags;		/* FLOWREC_F_* */
	__u32 pad;
};

/* Per-socket storage: the owner and the last unconnected destination
 * recorded, so a UDP socket sending to one destination records it once. */
struct flowrec_sk {
	struct flowrec_owner owner;
	__u8 last_dst[16];
	__u16 last_dport;
	__u16 last_sport;
	__u32 pad;
	__u64 last_ns;
};

/* Exec tracking: an executable file (dev, inode) -> a path it was run
 * by.  Keyed by the file, not the process, so a forked child that never
 * exec'd, or a process whose pid was reused, finds its path too. */
struct flowrec_exec_key {
	__u64 exe_dev;		/* s_dev: major << 20 | minor */
	__u64 exe_ino;
};

struct flowrec_exec {
	__u64 ts_ns;
	char filename[FLOWREC_PATH_LEN];	/* as the exec gave it */
};

#endif
