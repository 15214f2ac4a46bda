/* worker.h - one thread that runs blocking work off the verdict loop:
 * socket fd scans, whole-process reads, content hashes, cgroup id walks,
 * and the look-ups a rule may read (user names, a process's environment).
 * The loop submits requests (never blocks: a full queue is -ENOSPC), polls
 * worker_fd() and drains results with worker_results() on its own thread.  Requests and
 * results are copied through bounded queues under one mutex; nothing else
 * is shared. */
#ifndef TATTLE_WORKER_H
#define TATTLE_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hash.h"
#include "packet.h"
#include "procfs.h"
#include "sockdiag.h"

#define WORKER_MAX_REQUESTS	256
#define WORKER_MAX_RESULTS	1024
#define WORKER_MAX_PIDS		64	/* pids per targeted scan */
#define WORKER_USER_MAX		64	/* user name incl. NUL (longer: none) */
#define WORKER_ENV_MAX		(64 * 1024)	/* /proc/PID/environ read cap */

struct worker_config {
	const char *procroot;	/* NULL = "/proc"; copied */
	const char *cgroup_mnt;	/* cgroup2 mount point for WORKER_CGROUP;
				 * NULL = none (such requests are refused);
				 * copied */
	size_t max_requests;	/* 0 = WORKER_MAX_REQUESTS */
	size_t max_results;	/* 0 = WORKER_MAX_RESULTS */
};

enum worker_op {
	WORKER_SCAN_PIDS,	/* owners of inos[] among pids[] */
	WORKER_SCAN_ALL,	/* owners of inos[] in all of /proc; full
				 * scans queued back to back share one pass
				 * (up to PROCFS_SCAN_MAX_INOS inodes) */
	WORKER_READ_PROC,	/* procfs_read_proc(pid) */
	WORKER_SOCKET,		/* procnet_lookup(flow): the socket of a
				 * packet when sock_diag is unavailable */
	WORKER_HASH,		/* hash_cache_proc(pid, start_time,
				 * hash_which): content hashes of what the
				 * process runs, cached by file identity */
	WORKER_SOCKET_NS,	/* nssock_lookup(flow): the socket of a
				 * forwarded packet in the sender's network
				 * namespace; pids[] are hints (may be 0),
				 * netns is ours (skipped) */
	WORKER_CGROUP,		/* cgroup_path_by_id(cgroup_id): the path of
				 * a BPF record's cgroup, in result pi.cgroup
				 * (walks the mount on a miss) */
	WORKER_LOOKUP,		/* what a rule reads that can block: the
				 * name of uid (getpwuid_r: NSS may ask the
				 * network) if want_user, the environment of
				 * (pid, start_time) if want_env (it reads
				 * the process's memory) */
	WORKER_FILE,		/* filewrite_atomic(path, text): a rule file
				 * written atomically and fsynced, or (text
				 * NULL) path unlinked; off the loop, since
				 * fsync waits for the disk */
};

struct worker_req {
	enum worker_op op;
	uint64_t cookie;	/* caller's, returned in each result */
	uint64_t inos[PROCFS_SCAN_MAX_INOS];
	size_t n_inos;		/* scans: 1..PROCFS_SCAN_MAX_INOS */
	pid_t pids[WORKER_MAX_PIDS];
	size_t n_pids;		/* WORKER_SCAN_PIDS: 1..WORKER_MAX_PIDS */
	pid_t pid;		/* WORKER_READ_PROC, WORKER_HASH, _LOOKUP */
	uint64_t start_time;	/* WORKER_HASH, _LOOKUP: the process asked
				 * for */
	unsigned hash_which;	/* WORKER_HASH: HASH_MD5 | HASH_SHA1 */
	struct flow flow;	/* WORKER_SOCKET, WORKER_SOCKET_NS */
	uint64_t netns;		/* WORKER_SOCKET_NS: our own namespace */
	uint64_t cgroup_id;	/* WORKER_CGROUP */
	uint32_t uid;		/* WORKER_LOOKUP with want_user */
	bool want_user, want_env;	/* WORKER_LOOKUP: at least one */
	/* WORKER_FILE: malloc'd, owned by the request from a successful
	 * worker_submit() on (freed by the worker; on failure the caller
	 * keeps them).  text NULL: unlink path. */
	char *path, *text;
	size_t text_len;
};

/* A scan posts one result per requested inode; a read posts one. */
struct worker_result {
	enum worker_op op;
	uint64_t cookie;
	uint64_t ino;		/* scans: which inode this result is for */
	int err;		/* 0, or -ENOENT (not found / process gone),
				 * other -errno from procfs */
	pid_t pid;		/* owner found / pid read; 0 when err */
	struct sockdiag_sock sock;	/* WORKER_SOCKET: what /proc/net says */
	uint64_t start_time;	/* WORKER_HASH, _LOOKUP: as requested */
	uint64_t netns;		/* WORKER_SOCKET_NS: where it was found
				 * (pid is a process in it) */
	struct hash_value hash;	/* WORKER_HASH when err == 0 */
	uint64_t cgroup_id;	/* WORKER_CGROUP: as requested; err 0: the
				 * path is pi.cgroup, -ENOENT: no such
				 * cgroup (gone, or past the walk bound) */
	struct proc_info pi;	/* the owner's facts when err == 0; for a
				 * scan, pi.start_time == 0 if the owner
				 * exited before it could be read */
	/* WORKER_LOOKUP (err is 0): what was asked, as requested, and what
	 * was found.  user is "" when uid has no name; env is NULL when the
	 * environment could not be read (gone, pid reused), else env_len
	 * bytes (NUL-separated, at most WORKER_ENV_MAX) that the callback
	 * may take (then set env to NULL). */
	uint32_t uid;
	bool want_user, want_env;
	char user[WORKER_USER_MAX];
	char *env;
	size_t env_len;
};

struct worker;

/* Starts the thread.  NULL and errno on failure. */
struct worker *worker_new(const struct worker_config *cfg);

/* Stops and joins the thread, frees queued requests and results.  A scan
 * in progress finishes first.  NULL is fine. */
void worker_free(struct worker *w);

/* Copies *req into the queue.  0; -ENOSPC when the queue is full (count
 * it and fall back); -EINVAL for a malformed request. */
int worker_submit(struct worker *w, const struct worker_req *req);

/* Readable (eventfd) when results are waiting.  Owned by the worker. */
int worker_fd(const struct worker *w);

/* On the loop thread: reset worker_fd() and call cb for every result
 * queued.  cb may take ownership of r->pi (copy the struct, then zero
 * r->pi) and of r->env; what is left is freed after cb returns.  Returns
 * the number of results delivered. */
typedef void (*worker_result_fn)(struct worker_result *r, void *data);
int worker_results(struct worker *w, worker_result_fn cb, void *data);

struct worker_stats {
	uint64_t requests;	/* accepted */
	uint64_t rejected;	/* -ENOSPC */
	uint64_t scans_all;	/* full /proc passes */
	uint64_t coalesced;	/* full scans that shared another's pass */
	uint64_t procs_scanned;
	uint64_t fds_scanned;
	uint64_t hash_hits;	/* WORKER_HASH answered from the cache */
	uint64_t hash_computed;	/* files read and hashed */
	uint64_t hash_failed;	/* gone, unreadable, too large, changed */
	uint64_t hash_bytes;	/* bytes hashed */
	uint64_t cgroup_walks;	/* WORKER_CGROUP misses: mount walks */
	uint64_t cgroup_walked_dirs;	/* directories those walks visited */
};

void worker_get_stats(struct worker *w, struct worker_stats *out);

#endif
