/* pidcache.c - process cache, socket-inode index, audit destination index.
 *
 * Three fixed pools allocated at init, each with a hash table (chained
 * through the entries), an LRU list and a free list.  Inode and dest
 * entries also sit on their owner's list, so dropping a process drops
 * its index entries: an index entry can only ever name the process
 * instance it was learned for.
 *
 * The pools are calloc'd and never swept, so their pages are faulted in
 * only as slots come into use.  A slot is handed out from the free list
 * (dropped slots, most recently dropped first) or, when that is empty,
 * from the pool's high-water mark (never-used slots in index order):
 * the same order a free list seeded with every slot would give. */
#include "pidcache.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct dl {
	struct dl *prev, *next;
};

#define dl_entry(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

struct pc_proc {
	struct proc_info pi;
	uint64_t last_seen_ms;
	uint64_t exited_at_ms;
	bool exited;
	bool used;
	uint32_t gen;		/* identity generation, see pidcache_new_identity */
	struct pc_proc *hnext;
	struct dl lru;		/* LRU if used, free list if dropped */
	struct dl inodes;	/* pc_inode.own */
	struct dl dests;	/* pc_dest.own */
};

struct pc_inode {
	uint64_t ino;
	uint64_t start_time;	/* owner's start time when learned */
	uint32_t gen;		/* owner's identity generation when learned */
	struct pc_proc *owner;
	struct pc_inode *hnext;
	struct dl lru;
	struct dl own;
};

struct pc_dest {
	uint8_t addr[16];
	uint16_t port;
	uint8_t family;
	uint8_t proto;		/* IPPROTO_TCP/UDP of the socket, 0: unknown */
	uint32_t uid;
	uint64_t ts_ms;		/* newest record read (monotonic) */
	uint64_t made_ms;	/* lower bound of unused records' audit time */
	uint64_t made_last_ms;	/* the newest record's audit time */
	uint32_t avail;		/* records not yet joined to a flow */
	uint32_t credit;	/* flows joined before their record came */
	uint64_t credit_made_ms; /* newest such flow's queue time (wall) */
	uint64_t credit_until_ms; /* credits expire (monotonic) */
	uint64_t lost_ms;	/* read time of an unused record this entry
				 * displaced (0: none) */
	uint64_t conn_seq, send_seq, conn_ms; /* see pidcache_cand */
	uint64_t hash;
	uint32_t gen;		/* owner's identity generation when recorded */
	struct pc_proc *owner;
	struct pc_dest *hnext;
	struct dl lru;		/* head = most recently recorded */
	struct dl own;
};

struct pidcache {
	struct pidcache_config cfg;
	struct pidcache_stats st;
	uint64_t seed;
	size_t cursor;		/* round-robin position, <= phigh */

	/* *high: slots [0, *high) have been handed out at least once; the
	 * rest are untouched zeroes, on no list. */
	struct pc_proc *procs;
	struct pc_proc **pbucket;
	size_t pmask, phigh;
	struct dl plru, pfree;

	struct pc_inode *inodes;
	struct pc_inode **ibucket;
	size_t imask, ihigh;
	struct dl ilru, ifree;

	struct pc_dest *dests;
	struct pc_dest **dbucket;
	size_t dmask, dhigh;
	struct dl dlru, dfree;
};

static void dl_init(struct dl *h)
{
	h->prev = h->next = h;
}

static void dl_add(struct dl *h, struct dl *n)
{
	n->next = h->next;
	n->prev = h;
	h->next->prev = n;
	h->next = n;
}

static void dl_del(struct dl *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

static bool dl_empty(const struct dl *h)
{
	return h->next == h;
}

static void dl_move(struct dl *h, struct dl *n)
{
	dl_del(n);
	dl_add(h, n);
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static size_t buckets_for(size_t cap)
{
	size_t n = 16;

	while (n < cap)
		n <<= 1;
	return n;
}

static size_t proc_slot(const struct pidcache *pc, pid_t pid)
{
	return mix64(pc->seed ^ (uint64_t)(uint32_t)pid) & pc->pmask;
}

static size_t inode_slot(const struct pidcache *pc, uint64_t ino)
{
	return mix64(pc->seed ^ ino) & pc->imask;
}

static uint64_t dest_hash(const struct pidcache *pc, int family,
			  const uint8_t *addr, uint16_t port, uint8_t proto,
			  uint32_t uid)
{
	uint64_t a, b;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	return mix64(mix64(mix64(pc->seed ^ a) ^ b) ^
		     ((uint64_t)proto << 56 | (uint64_t)(uint8_t)family << 48 |
		      (uint64_t)port << 32 | uid));
}

static bool dest_is(const struct pc_dest *d, int family, const uint8_t *addr,
		    uint16_t port, uint8_t proto, uint32_t uid)
{
	return d->family == (uint8_t)family && d->port == port &&
	       d->proto == proto && d->uid == uid &&
	       memcmp(d->addr, addr, 16) == 0;
}

static void set_defaults(struct pidcache_config *c)
{
	if (!c->max_procs)
		c->max_procs = PIDCACHE_MAX_PROCS;
	if (!c->max_inodes)
		c->max_inodes = PIDCACHE_MAX_INODES;
	if (!c->max_dests)
		c->max_dests = PIDCACHE_MAX_DESTS;
	if (!c->dests_per_key)
		c->dests_per_key = PIDCACHE_DESTS_PER_KEY;
	if (!c->ttl_ms)
		c->ttl_ms = PIDCACHE_TTL_MS;
	if (!c->grace_ms)
		c->grace_ms = PIDCACHE_GRACE_MS;
	if (!c->dest_ttl_ms)
		c->dest_ttl_ms = PIDCACHE_DEST_TTL_MS;
}

/* Allocation only: no slot is linked or written here, so the calloc'd
 * pools and buckets stay unfaulted until first used. */
static int alloc_tables(struct pidcache *pc)
{
	const struct pidcache_config *c = &pc->cfg;
	size_t np = buckets_for(c->max_procs), ni = buckets_for(c->max_inodes);
	size_t nd = buckets_for(c->max_dests);

	pc->procs = calloc(c->max_procs, sizeof(*pc->procs));
	pc->inodes = calloc(c->max_inodes, sizeof(*pc->inodes));
	pc->dests = calloc(c->max_dests, sizeof(*pc->dests));
	pc->pbucket = calloc(np, sizeof(*pc->pbucket));
	pc->ibucket = calloc(ni, sizeof(*pc->ibucket));
	pc->dbucket = calloc(nd, sizeof(*pc->dbucket));
	if (!pc->procs || !pc->inodes || !pc->dests || !pc->pbucket ||
	    !pc->ibucket || !pc->dbucket)
		return -ENOMEM;
	pc->pmask = np - 1;
	pc->imask = ni - 1;
	pc->dmask = nd - 1;
	dl_init(&pc->plru);
	dl_init(&pc->pfree);
	dl_init(&pc->ilru);
	dl_init(&pc->ifree);
	dl_init(&pc->dlru);
	dl_init(&pc->dfree);
	return 0;
}

void pidcache_free(struct pidcache *pc)
{
	size_t i;

	if (!pc)
		return;
	/* Slots past phigh were never used (and are not faulted in). */
	for (i = 0; i < pc->phigh; i++)
		proc_info_clear(&pc->procs[i].pi);
	free(pc->procs);
	free(pc->inodes);
	free(pc->dests);
	free(pc->pbucket);
	free(pc->ibucket);
	free(pc->dbucket);
	free(pc);
}

struct pidcache *pidcache_new(const struct pidcache_config *cfg)
{
	struct pidcache *pc = calloc(1, sizeof(*pc));

	if (!pc)
		return NULL;
	if (cfg)
		pc->cfg = *cfg;
	set_defaults(&pc->cfg);
	if (pc->cfg.max_procs > SIZE_MAX / 4 || pc->cfg.max_inodes > SIZE_MAX / 4 ||
	    pc->cfg.max_dests > SIZE_MAX / 4) {
		free(pc);
		errno = EINVAL;
		return NULL;
	}
	if (alloc_tables(pc) < 0) {
		pidcache_free(pc);
		errno = ENOMEM;
		return NULL;
	}
	/* A seeded hash keeps local processes from picking colliding
	 * destinations; any value works, so a failure is harmless. */
	if (getrandom(&pc->seed, sizeof(pc->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(pc->seed))
		pc->seed = (uint64_t)(uintptr_t)pc;
	return pc;
}

/* ---- inode entries ---- */

/* A free slot (off every list, lru self-linked), or NULL if all are in
 * use.  Dropped slots first, then never-used ones: see the top. */
static struct pc_inode *inode_take(struct pidcache *pc)
{
	struct pc_inode *e;

	if (!dl_empty(&pc->ifree)) {
		e = dl_entry(pc->ifree.next, struct pc_inode, lru);
		dl_del(&e->lru);
		return e;
	}
	if (pc->ihigh == pc->cfg.max_inodes)
		return NULL;
	e = &pc->inodes[pc->ihigh++];
	dl_init(&e->lru);
	return e;
}

static struct pc_inode *inode_find(const struct pidcache *pc, uint64_t ino)
{
	struct pc_inode *e = pc->ibucket[inode_slot(pc, ino)];

	while (e && e->ino != ino)
		e = e->hnext;
	return e;
}

static void inode_drop(struct pidcache *pc, struct pc_inode *e)
{
	struct pc_inode **pp = &pc->ibucket[inode_slot(pc, e->ino)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	dl_del(&e->own);
	dl_move(&pc->ifree, &e->lru);
	e->owner = NULL;
	pc->st.inode_entries--;
}

/* ---- dest entries ---- */

/* As inode_take(), for the dest pool. */
static struct pc_dest *dest_take(struct pidcache *pc)
{
	struct pc_dest *d;

	if (!dl_empty(&pc->dfree)) {
		d = dl_entry(pc->dfree.next, struct pc_dest, lru);
		dl_del(&d->lru);
		return d;
	}
	if (pc->dhigh == pc->cfg.max_dests)
		return NULL;
	d = &pc->dests[pc->dhigh++];
	dl_init(&d->lru);
	return d;
}

static void dest_drop(struct pidcache *pc, struct pc_dest *d)
{
	struct pc_dest **pp = &pc->dbucket[d->hash & pc->dmask];

	while (*pp != d)
		pp = &(*pp)->hnext;
	*pp = d->hnext;
	dl_del(&d->own);
	dl_move(&pc->dfree, &d->lru);
	d->owner = NULL;
	pc->st.dest_entries--;
}

/* ---- processes ---- */

static struct pc_proc *proc_find(const struct pidcache *pc, pid_t pid)
{
	struct pc_proc *p = pc->pbucket[proc_slot(pc, pid)];

	while (p && p->pi.pid != pid)
		p = p->hnext;
	return p;
}

static void proc_drop(struct pidcache *pc, struct pc_proc *p)
{
	struct pc_proc **pp = &pc->pbucket[proc_slot(pc, p->pi.pid)];

	while (!dl_empty(&p->inodes))
		inode_drop(pc, dl_entry(p->inodes.next, struct pc_inode, own));
	while (!dl_empty(&p->dests))
		dest_drop(pc, dl_entry(p->dests.next, struct pc_dest, own));
	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
	proc_info_clear(&p->pi);
	p->used = false;
	dl_move(&pc->pfree, &p->lru);
	pc->st.entries--;
}

/* As inode_take(), for the process pool. */
static struct pc_proc *proc_take(struct pidcache *pc)
{
	struct pc_proc *p;

	if (!dl_empty(&pc->pfree)) {
		p = dl_entry(pc->pfree.next, struct pc_proc, lru);
		dl_del(&p->lru);
		return p;
	}
	if (pc->phigh == pc->cfg.max_procs)
		return NULL;
	p = &pc->procs[pc->phigh++];
	dl_init(&p->lru);
	return p;
}

/* A free slot, evicting the least recently used process if needed. */
static struct pc_proc *proc_alloc(struct pidcache *pc)
{
	struct pc_proc *p;

	if (!(p = proc_take(pc))) {
		proc_drop(pc, dl_entry(pc->plru.prev, struct pc_proc, lru));
		pc->st.evictions++;
		p = proc_take(pc);
	}
	p->used = true;
	p->exited = false;
	p->exited_at_ms = 0;
	p->hnext = NULL;
	dl_init(&p->inodes);
	dl_init(&p->dests);
	pc->st.entries++;
	return p;
}

/* Drops p if it has outlived its TTL or grace period; true if dropped. */
static bool proc_expire(struct pidcache *pc, struct pc_proc *p,
			uint64_t now_ms)
{
	if (p->exited && now_ms > p->exited_at_ms &&
	    now_ms - p->exited_at_ms > pc->cfg.grace_ms) {
		proc_drop(pc, p);
		pc->st.expired_dead++;
		return true;
	}
	if (!p->exited && now_ms > p->last_seen_ms &&
	    now_ms - p->last_seen_ms > pc->cfg.ttl_ms) {
		proc_drop(pc, p);
		pc->st.expired_age++;
		return true;
	}
	return false;
}

static void proc_touch(struct pidcache *pc, struct pc_proc *p, uint64_t now)
{
	if (now > p->last_seen_ms)
		p->last_seen_ms = now;
	dl_move(&pc->plru, &p->lru);
}

static bool start_differs(uint64_t a, uint64_t b)
{
	return a && b && a != b;
}

/* Another executable under the same pid and start time is an exec (or a
 * reuse within one start-time tick): a new identity either way. */
static bool exe_differs(const char *a, const char *b)
{
	return a && b && strcmp(a, b) != 0;
}

int pidcache_put(struct pidcache *pc, const struct proc_info *pi,
		 uint64_t now_ms)
{
	struct proc_info copy;
	struct pc_proc *p;
	size_t slot;
	int r;

	if (!pi || pi->pid <= 0)
		return -EINVAL;
	if ((r = proc_info_copy(&copy, pi)) < 0)
		return r;
	p = proc_find(pc, pi->pid);
	if (p && (start_differs(p->pi.start_time, copy.start_time) ||
		  exe_differs(p->pi.exe, copy.exe))) {
		/* Reuse, or an exec: a new identity in the same slot.  Its
		 * socket mappings go (a socket inherited across the exec is
		 * found again by a scan, with every holder); its destination
		 * records stay, stale: they never resolve to the new
		 * process, and a destination match that includes one is
		 * ambiguous rather than wrongly the new process's. */
		while (!dl_empty(&p->inodes))
			inode_drop(pc, dl_entry(p->inodes.next, struct pc_inode, own));
		p->gen++;
		p->exited = false;
		pc->st.reuse_detected++;
	}
	if (p) {
		if (!copy.start_time)
			copy.start_time = p->pi.start_time;
		proc_info_clear(&p->pi);
		p->pi = copy;
		proc_touch(pc, p, now_ms);
		return 0;
	}
	p = proc_alloc(pc);
	p->pi = copy;
	p->last_seen_ms = now_ms;
	slot = proc_slot(pc, copy.pid);
	p->hnext = pc->pbucket[slot];
	pc->pbucket[slot] = p;
	dl_add(&pc->plru, &p->lru);
	return 0;
}

/* The live entry for pid, or NULL (dropping it if expired). */
static struct pc_proc *proc_lookup(struct pidcache *pc, pid_t pid,
				   uint64_t now_ms)
{
	struct pc_proc *p = proc_find(pc, pid);

	if (p && proc_expire(pc, p, now_ms))
		p = NULL;
	return p;
}

int pidcache_get(struct pidcache *pc, pid_t pid, uint64_t now_ms,
		 const struct proc_info **out)
{
	struct pc_proc *p = proc_lookup(pc, pid, now_ms);

	*out = NULL;
	if (!p) {
		pc->st.misses++;
		return -ENOENT;
	}
	proc_touch(pc, p, now_ms);
	pc->st.hits++;
	*out = &p->pi;
	return 0;
}

int pidcache_mark_exited(struct pidcache *pc, pid_t pid, uint64_t now_ms)
{
	struct pc_proc *p = proc_find(pc, pid);

	if (!p)
		return -ENOENT;
	if (!p->exited) {
		p->exited = true;
		p->exited_at_ms = now_ms;
	}
	return 0;
}

int pidcache_set_hash(struct pidcache *pc, pid_t pid, uint64_t start_time,
		      const char *md5, const char *sha1, uint64_t now_ms)
{
	struct pc_proc *p = proc_lookup(pc, pid, now_ms);

	if (!p)
		return -ENOENT;
	if (start_differs(p->pi.start_time, start_time))
		return -ESTALE;
	if (md5 && md5[0])
		snprintf(p->pi.md5, sizeof(p->pi.md5), "%s", md5);
	if (sha1 && sha1[0])
		snprintf(p->pi.sha1, sizeof(p->pi.sha1), "%s", sha1);
	return 0;
}

/* The cached owner for an index put: -ENOENT absent, -ESTALE reused. */
static int owner_for(struct pidcache *pc, pid_t pid, uint64_t start_time,
		     uint64_t now_ms, struct pc_proc **out)
{
	*out = proc_lookup(pc, pid, now_ms);
	if (!*out)
		return -ENOENT;
	if (start_differs((*out)->pi.start_time, start_time))
		return -ESTALE;
	return 0;
}

int pidcache_put_inode(struct pidcache *pc, uint64_t ino, pid_t pid,
		       uint64_t start_time, uint64_t now_ms)
{
	struct pc_proc *owner;
	struct pc_inode *e;
	size_t slot;
	int r;

	if ((r = owner_for(pc, pid, start_time, now_ms, &owner)) < 0)
		return r;
	if (!(e = inode_find(pc, ino))) {
		if (!(e = inode_take(pc))) {
			inode_drop(pc, dl_entry(pc->ilru.prev,
						struct pc_inode, lru));
			pc->st.index_evictions++;
			e = inode_take(pc);
		}
		e->ino = ino;
		slot = inode_slot(pc, ino);
		e->hnext = pc->ibucket[slot];
		pc->ibucket[slot] = e;
		dl_init(&e->own);
		pc->st.inode_entries++;
	}
	dl_del(&e->own);
	dl_add(&owner->inodes, &e->own);
	e->owner = owner;
	e->gen = owner->gen;
	e->start_time = start_time ? start_time : owner->pi.start_time;
	dl_move(&pc->ilru, &e->lru);
	return 0;
}

int pidcache_by_inode(struct pidcache *pc, uint64_t ino, uint64_t now_ms,
		      const struct proc_info **out)
{
	struct pc_inode *e = inode_find(pc, ino);
	struct pc_proc *owner;

	*out = NULL;
	if (!e)
		goto miss;
	owner = e->owner;
	/* Defence in depth: owners drop their entries on reuse already.  An
	 * entry learned for an earlier identity of the pid is not this
	 * process's socket. */
	if (start_differs(e->start_time, owner->pi.start_time) ||
	    e->gen != owner->gen) {
		inode_drop(pc, e);
		goto miss;
	}
	if (proc_expire(pc, owner, now_ms))
		goto miss;
	dl_move(&pc->ilru, &e->lru);
	proc_touch(pc, owner, now_ms);
	pc->st.hits++;
	*out = &owner->pi;
	return 0;
miss:
	pc->st.misses++;
	return -ENOENT;
}

static bool dest_unused(const struct pc_dest *d)
{
	return d->avail > 0 || d->credit > 0;
}

/* The key's entry to give up when it holds dests_per_key owners: one
 * with nothing unused (oldest), else the oldest. */
static struct pc_dest *dest_victim(struct pc_dest *v, struct pc_dest *d)
{
	if (!v)
		return d;
	if (dest_unused(v) != dest_unused(d))
		return dest_unused(v) ? d : v;
	return d->ts_ms < v->ts_ms ? d : v;
}

/* An existing entry for this key and owner, or a slot for a new one
 * (zeroed counters): the key's victim when it has dests_per_key, else a
 * free one. */
static struct pc_dest *dest_slot(struct pidcache *pc, uint64_t h, int family,
				 const uint8_t *addr, uint16_t port,
				 uint8_t proto, uint32_t uid,
				 const struct pc_proc *owner)
{
	struct pc_dest *d, *victim = NULL;
	uint64_t lost = 0;
	size_t n = 0;

	for (d = pc->dbucket[h & pc->dmask]; d; d = d->hnext) {
		if (!dest_is(d, family, addr, port, proto, uid))
			continue;
		if (d->owner == owner && d->gen == owner->gen)
			return d;
		victim = dest_victim(victim, d);
		n++;
	}
	if (n >= pc->cfg.dests_per_key) {
		d = victim;
		if (d->avail > 0)
			lost = d->ts_ms;
		if (d->lost_ms > lost)
			lost = d->lost_ms;
	} else {
		if (!(d = dest_take(pc))) {
			dest_drop(pc, dl_entry(pc->dlru.prev, struct pc_dest, lru));
			pc->st.index_evictions++;
			d = dest_take(pc);
		}
		memcpy(d->addr, addr, 16);
		d->family = (uint8_t)family;
		d->port = port;
		d->proto = proto;
		d->uid = uid;
		d->hash = h;
		d->hnext = pc->dbucket[h & pc->dmask];
		pc->dbucket[h & pc->dmask] = d;
		dl_init(&d->own);
		pc->st.dest_entries++;
	}
	d->ts_ms = 0;
	d->made_ms = 0;
	d->made_last_ms = 0;
	d->avail = 0;
	d->credit = 0;
	d->credit_made_ms = 0;
	d->credit_until_ms = 0;
	d->lost_ms = lost;
	d->conn_seq = d->send_seq = d->conn_ms = 0;
	return d;
}

/* Give d to owner (moving it off an earlier owner's list). */
static void dest_own(struct pidcache *pc, struct pc_dest *d,
		     struct pc_proc *owner)
{
	dl_del(&d->own);
	dl_add(&owner->dests, &d->own);
	d->owner = owner;
	d->gen = owner->gen;
	dl_move(&pc->dlru, &d->lru);
}

int pidcache_put_dest(struct pidcache *pc, int family, const uint8_t *addr,
		      uint16_t port, uint8_t proto, uint32_t uid, pid_t pid,
		      uint64_t start_time, bool connect, uint64_t made_ms,
		      uint64_t seq, uint64_t ts_ms)
{
	struct pc_proc *owner;
	struct pc_dest *d;
	uint64_t h;
	int r;

	if (family < 0 || family > UINT8_MAX)
		return -EINVAL;
	if ((r = owner_for(pc, pid, start_time, ts_ms, &owner)) < 0)
		return r;
	h = dest_hash(pc, family, addr, port, proto, uid);
	d = dest_slot(pc, h, family, addr, port, proto, uid, owner);
	/* Audit events can arrive out of order: never move ts_ms back. */
	if (ts_ms > d->ts_ms)
		d->ts_ms = ts_ms;
	dest_own(pc, d, owner);
	if (d->credit && made_ms <= d->credit_made_ms &&
	    ts_ms <= d->credit_until_ms) {
		d->credit--;	/* this record's flow was joined already */
		return 0;
	}
	if (!d->avail) {
		d->made_ms = d->made_last_ms = made_ms;
		d->conn_seq = d->send_seq = d->conn_ms = 0;
	} else if (made_ms < d->made_ms) {
		d->made_ms = made_ms;
	}
	if (made_ms > d->made_last_ms)
		d->made_last_ms = made_ms;
	if (connect) {
		if (seq > d->conn_seq)
			d->conn_seq = seq;
		if (ts_ms > d->conn_ms)
			d->conn_ms = ts_ms;
	} else if (seq > d->send_seq) {
		d->send_seq = seq;
	}
	if (d->avail < UINT32_MAX)
		d->avail++;
	return 0;
}

/* The owner's existing entry for a key, or NULL. */
static struct pc_dest *dest_find(struct pidcache *pc, int family,
				 const uint8_t *addr, uint16_t port,
				 uint8_t proto, uint32_t uid,
				 const struct pc_proc *owner)
{
	uint64_t h = dest_hash(pc, family, addr, port, proto, uid);
	struct pc_dest *d;

	for (d = pc->dbucket[h & pc->dmask]; d; d = d->hnext)
		if (dest_is(d, family, addr, port, proto, uid) &&
		    d->owner == owner && d->gen == owner->gen)
			return d;
	return NULL;
}

/* Uses up one unused record of d made no later than made_ms. */
static bool dest_use(struct pc_dest *d, uint64_t made_ms)
{
	/* made_ms of the entry is a lower bound: an unused record made
	 * before the flow was queued may be this flow's. */
	if (!d || !d->avail || d->made_ms > made_ms)
		return false;
	d->avail--;
	return true;
}

int pidcache_use_dest(struct pidcache *pc, int family, const uint8_t *addr,
		      uint16_t port, uint8_t proto, uint32_t uid, pid_t pid,
		      uint64_t start_time, uint64_t made_ms, uint64_t now_ms,
		      uint64_t credit_ms)
{
	struct pc_proc *owner;
	struct pc_dest *d;
	uint64_t h;

	if (family < 0 || family > UINT8_MAX)
		return -EINVAL;
	/* No expiry here: the caller holds a pointer to this process. */
	if (!(owner = proc_find(pc, pid)))
		return -ENOENT;
	if (start_differs(owner->pi.start_time, start_time))
		return -ESTALE;
	/* A record of a socket of unknown kind may be this flow's too. */
	if (proto && dest_use(dest_find(pc, family, addr, port, 0, uid, owner),
			      made_ms))
		return 0;
	h = dest_hash(pc, family, addr, port, proto, uid);
	d = dest_slot(pc, h, family, addr, port, proto, uid, owner);
	if (!d->ts_ms)
		d->ts_ms = now_ms;
	dest_own(pc, d, owner);
	if (dest_use(d, made_ms))
		return 0;
	if (d->credit < PIDCACHE_CREDIT_MAX)
		d->credit++;
	if (made_ms > d->credit_made_ms)
		d->credit_made_ms = made_ms;
	d->credit_until_ms = now_ms + credit_ms;
	return 0;
}

/* Insert c into cands[0..*n) newest first, keeping at most max. */
static void cand_insert(struct pidcache_cand *cands, size_t *n, size_t max,
			const struct pidcache_cand *c)
{
	size_t i = *n < max ? *n : max;

	if (max == 0 || (i == max && cands[max - 1].ts_ms >= c->ts_ms))
		return;
	if (i == max)
		i--;
	for (; i > 0 && cands[i - 1].ts_ms < c->ts_ms; i--)
		cands[i] = cands[i - 1];
	cands[i] = *c;
	if (*n < max)
		(*n)++;
}

/* Candidates of one key into cands; *lost set when one was displaced. */
static int dest_cands(struct pidcache *pc, int family, const uint8_t *addr,
		      uint16_t port, uint8_t proto, uint32_t uid,
		      uint64_t now_ms, uint64_t window_ms,
		      struct pidcache_cand *cands, size_t *stored, size_t max,
		      bool *lost)
{
	uint64_t h = dest_hash(pc, family, addr, port, proto, uid);
	struct pidcache_cand c;
	struct pc_dest *d;
	int total = 0;

	for (d = pc->dbucket[h & pc->dmask]; d; d = d->hnext) {
		if (!dest_is(d, family, addr, port, proto, uid))
			continue;
		if (d->lost_ms && (d->lost_ms >= now_ms ||
				   now_ms - d->lost_ms <= window_ms))
			*lost = true;
		if (!d->avail ||
		    (d->ts_ms < now_ms && now_ms - d->ts_ms > window_ms))
			continue;
		c.pid = d->owner->pi.pid;
		c.start_time = d->owner->pi.start_time;
		c.ts_ms = d->ts_ms;
		c.made_ms = d->made_ms;
		c.made_last_ms = d->made_last_ms;
		c.avail = d->avail;
		c.proto = d->proto;
		c.conn_seq = d->conn_seq;
		c.send_seq = d->send_seq;
		c.conn_ms = d->conn_ms;
		/* Recorded for an earlier identity of this pid: who it was is
		 * no longer known, only that it was someone else. */
		c.stale = d->gen != d->owner->gen;
		c.proc = c.stale ? NULL : &d->owner->pi;
		cand_insert(cands, stored, max, &c);
		total++;
	}
	return total;
}

int pidcache_by_dest(struct pidcache *pc, int family, const uint8_t *addr,
		     uint16_t port, uint8_t proto, uint32_t uid,
		     uint64_t now_ms, uint64_t window_ms,
		     struct pidcache_cand *cands, size_t max)
{
	size_t stored = 0;
	bool lost = false;
	int total;

	total = dest_cands(pc, family, addr, port, proto, uid, now_ms,
			   window_ms, cands, &stored, max, &lost);
	if (proto)
		total += dest_cands(pc, family, addr, port, 0, uid, now_ms,
				    window_ms, cands, &stored, max, &lost);
	/* Someone's unused record is gone: the list is not the whole truth. */
	if (lost && (size_t)total <= max)
		total = (int)max + 1;
	if (total)
		pc->st.hits++;
	else
		pc->st.misses++;
	return total;
}

static void prune_dests(struct pidcache *pc, struct pc_proc *p,
			uint64_t now_ms)
{
	struct dl *n, *next;
	struct pc_dest *d;

	for (n = p->dests.next; n != &p->dests; n = next) {
		next = n->next;
		d = dl_entry(n, struct pc_dest, own);
		if (d->ts_ms < now_ms && now_ms - d->ts_ms > pc->cfg.dest_ttl_ms)
			dest_drop(pc, d);
	}
}

int pidcache_expire(struct pidcache *pc, uint64_t now_ms, size_t batch,
		    pidcache_alive_fn alive, void *data)
{
	size_t visited = 0, steps;
	struct pc_proc *p;
	int dropped = 0;

	/* Slots past phigh were never used: wrap there, not at max_procs
	 * (same visits, and the untouched tail stays unfaulted). */
	for (steps = 0; visited < batch && steps < pc->phigh; steps++) {
		if (pc->cursor >= pc->phigh)
			pc->cursor = 0;
		p = &pc->procs[pc->cursor++];
		if (!p->used)
			continue;
		visited++;
		if (proc_expire(pc, p, now_ms)) {
			dropped++;
			continue;
		}
		prune_dests(pc, p, now_ms);
		if (!p->exited && alive &&
		    alive(p->pi.pid, p->pi.start_time, data) == 0) {
			p->exited = true;
			p->exited_at_ms = now_ms;
		}
	}
	return dropped;
}

void pidcache_get_stats(const struct pidcache *pc, struct pidcache_stats *out)
{
	*out = pc->st;
}

int pidcache_new_identity(struct pidcache *pc, pid_t pid)
{
	struct pc_proc *p = proc_find(pc, pid);

	if (!p)
		return -ENOENT;
	p->gen++;
	pc->st.reuse_detected++;
	return 0;
}
