/* bpfjoin.h - turn an owner record written by the BPF programs into a
 * process in the PID cache, so the event and the rules see the same
 * struct proc_info as every other attribution source.
 *
 * Identity is (tgid, start time): the record's start_boottime, in the
 * clock ticks of /proc/PID/stat field 22, must equal the cached or read
 * process's, so a recycled pid is never given the earlier process's facts.
 * The executable path comes from what tattled knew (the cache, /proc while
 * the process lives, or the path exec tracking saw) and is kept only when
 * that file's (dev, inode) equals the record's.
 *
 * The cgroup (and the unit and container it names) comes from the
 * record's cgroup id, through the loop's id -> path cache, whenever that
 * cache knows the id: the record was made in the sender's context at send
 * time, while /proc says where the process is when tattled reads it, so a
 * process moved since is placed where it sent from.  When the cache does
 * not know the id (the caller did not ask the worker, or the cgroup is
 * gone), /proc's or the cache's earlier facts stay, or none. */
#ifndef TATTLE_BPFJOIN_H
#define TATTLE_BPFJOIN_H

#include <stdint.h>

#include "bpf/flowrec.h"
#include "pidcache.h"

struct bpfsrc;
struct cgroup_cache;

struct bpfjoin_stats {
	uint64_t cached;	/* answered from the cache */
	uint64_t read;		/* alive: read from /proc */
	uint64_t exited;	/* gone: built from the record */
	uint64_t exe_from_exec;	/* path from exec tracking */
	uint64_t exe_unknown;	/* no path matched the record's inode */
	uint64_t cgroup_from_record;	/* no cgroup known: the record's */
	uint64_t cgroup_moved;	/* /proc said another cgroup: the record's
				 * won */
};

struct bpfjoin_ctx {
	struct pidcache *pc;
	struct bpfsrc *bpf;	/* for exec records; may be NULL */
	struct cgroup_cache *cg;	/* the loop's id -> path cache, only
					 * read here (never walks); may be
					 * NULL */
	const char *procroot;	/* NULL = "/proc" */
	long hz;		/* sysconf(_SC_CLK_TCK) */
	struct bpfjoin_stats st;
};

/* 0 and *out (points into the cache, valid until it changes), or -errno
 * (-ENOMEM; -EINVAL for a record without a tgid). */
int bpfjoin_owner(struct bpfjoin_ctx *j, const struct flowrec_owner *o,
		  uint64_t now_ms, const struct proc_info **out);

#endif
