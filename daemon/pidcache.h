/* pidcache.h - process cache with a socket-inode index and an audit
 * destination index.  No I/O, no threads: time is a parameter (monotonic
 * ms) and liveness is asked of a caller callback.  Every table has a cap
 * set at init; memory is allocated once in pidcache_new(), and its pages
 * are first touched as entries come into use (an empty cache of default
 * size is mostly unfaulted).
 *
 * Identity is (pid, start_time): start_time is /proc/PID/stat field 22
 * and 0 means unknown.  Index entries belong to one cached process and
 * are dropped with it, so an index never resolves to a later process that
 * reused the pid. */
#ifndef TATTLE_PIDCACHE_H
#define TATTLE_PIDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procfs.h"

#define PIDCACHE_MAX_PROCS	65536
#define PIDCACHE_MAX_INODES	65536
#define PIDCACHE_MAX_DESTS	16384
#define PIDCACHE_DESTS_PER_KEY	16
#define PIDCACHE_TTL_MS		(10 * 60 * 1000)
#define PIDCACHE_GRACE_MS	(30 * 1000)
#define PIDCACHE_DEST_TTL_MS	(60 * 1000)
#define PIDCACHE_CREDIT_MAX	64	/* flows owed a record, per owner and key */

/* Zero fields take the defaults above. */
struct pidcache_config {
	size_t max_procs;
	size_t max_inodes;
	size_t max_dests;
	size_t dests_per_key;	/* candidates kept per destination key */
	uint64_t ttl_ms;	/* drop live entries idle this long */
	uint64_t grace_ms;	/* keep exited processes this long */
	uint64_t dest_ttl_ms;	/* drop destination entries this old */
};

struct pidcache_stats {
	uint64_t entries;	/* processes cached now */
	uint64_t inode_entries;
	uint64_t dest_entries;
	uint64_t hits;		/* all three lookups */
	uint64_t misses;
	uint64_t evictions;	/* processes evicted (LRU) for space */
	uint64_t index_evictions; /* inode or dest entries evicted for space */
	uint64_t expired_age;	/* idle past ttl_ms */
	uint64_t expired_dead;	/* exited and past grace_ms */
	uint64_t reuse_detected; /* put of a pid with a new start time */
};

/* One audit destination candidate: an owner with records to that
 * destination not yet joined to a flow.  proc points into the cache and is
 * valid until the next call that modifies the cache. */
struct pidcache_cand {
	pid_t pid;
	uint64_t start_time;
	uint64_t ts_ms;
	uint64_t made_ms;	/* no unused record of this owner was made
				 * before this (audit time, wall-clock ms) */
	uint64_t made_last_ms;	/* nor after this (newest record's) */
	uint32_t avail;		/* records not yet joined to a flow */
	uint8_t proto;		/* of the socket; 0: unknown */
	/* The newest unused connect and send records: the caller's read
	 * sequence number (0: none of that kind), and when the connect was
	 * read (monotonic ms).  Bounds only: using a record up does not
	 * move them. */
	uint64_t conn_seq, send_seq, conn_ms;
	const struct proc_info *proc;	/* NULL when stale */
	bool stale;		/* recorded for an earlier identity of the pid
				 * (pidcache_new_identity): someone else, now
				 * unknown */
};

/* Liveness probe: 1 if pid is alive with this start time, 0 if it is gone
 * or its start time changed, < 0 if unknown (entry left as is). */
typedef int (*pidcache_alive_fn)(pid_t pid, uint64_t start_time, void *data);

struct pidcache;

/* NULL and errno on failure (EINVAL, ENOMEM).  cfg may be NULL. */
struct pidcache *pidcache_new(const struct pidcache_config *cfg);
void pidcache_free(struct pidcache *pc);

/* Insert or refresh a process (deep copy of *pi; pi->pid > 0).  Same pid
 * with a different known start time, or a different known executable, is
 * a new identity (pid reuse, or an exec): the old entry's socket mappings
 * are dropped and its destination records go stale (reuse_detected++).  A put with start_time 0
 * over a known one keeps the known one; one with a known start over 0
 * adopts it.  A full cache evicts the least recently used process.
 * Refreshing an exited entry keeps it exited.  0, -EINVAL, -ENOMEM. */
int pidcache_put(struct pidcache *pc, const struct proc_info *pi,
		 uint64_t now_ms);

/* The cached pid is now a different process although its start time
 * looks the same: a pid reused within one 10 ms start-time tick, or an
 * exec (which keeps pid and start time).  Index entries learned so far stay, but
 * belong to the earlier identity: by_inode misses them and by_dest marks
 * them stale.  0, or -ENOENT if not cached. */
int pidcache_new_identity(struct pidcache *pc, pid_t pid);

/* 0 and *out on hit (exited entries within their grace period included);
 * -ENOENT if absent or idle past ttl_ms (then dropped).  A hit refreshes
 * the entry's LRU position and last-seen time.  *out points into the
 * cache, valid until the next call that modifies the cache. */
int pidcache_get(struct pidcache *pc, pid_t pid, uint64_t now_ms,
		 const struct proc_info **out);

/* Record content hashes (lower-case hex; NULL or "" leaves that kind as
 * it is) of what (pid, start_time) runs.  A later put replaces them
 * (the process may have exec'd another file under the same path: the
 * worker's cache by file identity answers again cheaply).  0, -ENOENT
 * not cached, -ESTALE start time differs. */
int pidcache_set_hash(struct pidcache *pc, pid_t pid, uint64_t start_time,
		      const char *md5, const char *sha1, uint64_t now_ms);

/* Mark pid exited at now_ms (e.g. from an audit exit event); the grace
 * period starts.  0, or -ENOENT if not cached. */
int pidcache_mark_exited(struct pidcache *pc, pid_t pid, uint64_t now_ms);

/* Index socket inode ino as owned by (pid, start_time).  The process must
 * be cached with that start time (0 matches any): else -ENOENT, and
 * -ESTALE on a start-time mismatch.  An inode already indexed moves to
 * the new owner.  A full index evicts its least recently used entry. */
int pidcache_put_inode(struct pidcache *pc, uint64_t ino, pid_t pid,
		       uint64_t start_time, uint64_t now_ms);

/* 0 and *out (the owning process) on hit; -ENOENT otherwise. */
int pidcache_by_inode(struct pidcache *pc, uint64_t ino, uint64_t now_ms,
		      const struct proc_info **out);

/* Record that (pid, start_time) sent to (family, addr, port) as uid: one
 * audit record made at made_ms (its audit timestamp, wall-clock ms; 0 if
 * unknown) and read at ts_ms.  addr is 16 bytes (IPv4 in the first 4, rest
 * zero); port in host order; proto: IPPROTO_TCP or IPPROTO_UDP of the
 * socket (from its socket() record), 0 when unknown; connect: a connect()
 * record, else a send;
 * seq: the caller's count of records read so far, this one included.
 * One entry per owner and key counts the
 * records not yet joined to a flow; a record that pays a credit left by
 * pidcache_use_dest() is used up at once.  At most dests_per_key owners
 * per key (an entry with nothing unused goes first, else the oldest; a
 * displaced unused record makes the key's candidates incomplete, see
 * pidcache_by_dest()); a full index evicts the oldest entry overall.  The
 * process must be cached: -ENOENT, -ESTALE as for pidcache_put_inode(). */
int pidcache_put_dest(struct pidcache *pc, int family, const uint8_t *addr,
		      uint16_t port, uint8_t proto, uint32_t uid, pid_t pid,
		      uint64_t start_time, bool connect, uint64_t made_ms,
		      uint64_t seq, uint64_t ts_ms);

/* A flow to (family, addr, port) as uid, queued no later than made_ms
 * (wall-clock ms), was joined to (pid, start_time): one record, one flow.
 * Uses up one of the owner's unused records made no later than made_ms
 * (one of a socket of unknown kind first);
 * when there is none yet (the record trails the packet), leaves a credit
 * that the owner's next such record, read before now_ms + credit_ms, pays.
 * 0, or -ENOENT / -ESTALE as for pidcache_put_inode(). */
int pidcache_use_dest(struct pidcache *pc, int family, const uint8_t *addr,
		      uint16_t port, uint8_t proto, uint32_t uid, pid_t pid,
		      uint64_t start_time, uint64_t made_ms, uint64_t now_ms,
		      uint64_t credit_ms);

/* Owners with unused records for a destination, of a socket of protocol
 * proto or of unknown kind (0: unknown only), read within window_ms
 * before now_ms (or later than now_ms), newest first.  Writes at most max
 * into cands and returns how many matched in all: more than max also when
 * an unused record read within the window was displaced for space (the
 * list is then incomplete); 0 is a miss. */
int pidcache_by_dest(struct pidcache *pc, int family, const uint8_t *addr,
		     uint16_t port, uint8_t proto, uint32_t uid,
		     uint64_t now_ms, uint64_t window_ms,
		     struct pidcache_cand *cands, size_t max);

/* Timer work: visit up to batch cached processes round-robin.  Exited
 * entries past grace_ms and live ones idle past ttl_ms are dropped; the
 * others are probed with alive() (may be NULL: age only), and those gone
 * are marked exited at now_ms.  Old destination entries of visited
 * processes are pruned.  Returns the number of processes dropped. */
int pidcache_expire(struct pidcache *pc, uint64_t now_ms, size_t batch,
		    pidcache_alive_fn alive, void *data);

void pidcache_get_stats(const struct pidcache *pc, struct pidcache_stats *out);

#endif
