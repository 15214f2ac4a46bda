/* attrib.c - see attrib.h. */
#include "attrib.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ATTRIB_MAX_CANDS 16
/* Flows that waited for audit, kept to tell whether a destination record
 * could belong to another of them.  Older than the window they no longer
 * matter; a log that wraps faster than that answers "contested". */
#define ATTRIB_FLOW_LOG 1024
/* A flow named before its own record came leaves a credit that record
 * pays: a blocking connect's record comes only when it completes. */
#define ATTRIB_CREDIT_MS 10000
/* A UDP connect record read this close to a packet may answer for it at
 * once (see attrib_fresh_connect). */
#define ATTRIB_FRESH_MS 2
/* After audit loss the destination index is trusted again this long
 * after the loss was seen (the reassembler settles a gap late). */
#define ATTRIB_LOSS_HOLD_MS 2000
/* Sockets found shared by different programs, remembered this long. */
#define ATTRIB_MIXED_MAX 64
#define ATTRIB_MIXED_TTL_MS 60000
/* What kind of socket each recent socket() record made, by (pid, fd):
 * direct-mapped, a collision forgets the older one (then: unknown). */
#define ATTRIB_SOCKETS 4096
/* The sender's audit record is read after its packet (the syscall exits
 * after the packet is queued), or a little before when both wait in the
 * same wakeup.  An older record to the same destination is someone's
 * earlier send, not this one: never use it. */
#define ATTRIB_DEST_SLACK_MS 50
/* Destination records kept for the order rule (attrib_by_order). */
#define ATTRIB_RECS 1024

/* One destination record, as the order rule needs it. */
struct attrib_rec {
	uint64_t seq;		/* the caller's audit_seq; 0: empty */
	uint64_t start;		/* the sender's start time */
	uint32_t serial;	/* audit serial of the record */
	uint32_t sock_serial;	/* of its fd's socket() record; 0: unknown */
	pid_t pid;
	uint32_t uid;
	uint8_t addr[16];
	uint16_t port;
	uint8_t family;
	uint8_t proto;		/* of the socket; 0: unknown */
	bool after;		/* emitted after its packet was queued */
};

/* One flow that waited for its owner, and the key its records go by. */
struct attrib_flow {
	uint64_t seq;		/* 0: empty */
	uint64_t arrival_ms;	/* monotonic */
	uint64_t wall_ms;	/* 0: unknown */
	uint64_t mark;		/* its attrib_pkt.queue_mark */
	uint8_t addr[16];
	uint16_t port;
	uint8_t family;
	uint8_t proto;
	bool joined;		/* named after a process */
	uint32_t uid;
};

struct attrib {
	struct sockdiag *sd;
	struct pidcache *pc;
	char procroot[256];
	uint64_t dest_slack_ms;
	pid_t self;
	uint64_t netns;		/* the namespace we police; 0 = unknown */
	struct attrib_stats st;
	bool forward;
	struct {
		uint64_t ns;
		pid_t pid;
		uint64_t ts_ms;
	} fns[ATTRIB_NETNS_HINTS];	/* foreign namespaces seen (forward) */
	struct { uint64_t ino, at_ms; } mixed[ATTRIB_MIXED_MAX];
	unsigned mixed_next;	/* ring position */
	struct {
		pid_t pid;
		int32_t fd;
		uint32_t serial;	/* of the socket() record */
		uint8_t proto;
	} sockets[ATTRIB_SOCKETS];
	uint64_t flow_seq;	/* last seq handed out */
	uint64_t audit_seq;	/* destination records read so far */
	uint64_t queue_mark;	/* audit_seq when the queue was last empty */
	uint64_t loss_total;	/* last attrib_audit_loss() total */
	uint64_t loss_until_ms;	/* no destination answers before this */
	struct attrib_flow flows[ATTRIB_FLOW_LOG];
	struct attrib_rec recs[ATTRIB_RECS];
};

struct attrib *attrib_new(const struct attrib_opts *o, struct sockdiag *sd,
			  struct pidcache *pc)
{
	struct attrib *a;

	if (!pc) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->sd = sd;
	a->pc = pc;
	snprintf(a->procroot, sizeof(a->procroot), "%s",
		 o->procroot ? o->procroot : "/proc");
	a->dest_slack_ms = o->dest_slack_ms ? o->dest_slack_ms : ATTRIB_DEST_SLACK_MS;
	a->self = o->self;
	a->forward = o->forward;
	/* attrib_new runs after setns: this is the namespace whose packets
	 * we see.  Audit is host-wide, so events from processes elsewhere
	 * (containers, other namespaces with their own loopback) must not
	 * become candidates for our packets. */
	(void)procfs_netns(a->procroot, getpid(), &a->netns);
	return a;
}

void attrib_free(struct attrib *a)
{
	free(a);
}

static int attrib_done(struct attrib *a, struct attrib_result *out,
		       const struct proc_info *pi, enum attrib_source src)
{
	out->proc = pi;
	out->source = src;
	out->confidence = !pi ? ATTRIB_CONF_NONE : src == ATTRIB_SRC_AUDIT_DST ?
			  ATTRIB_CONF_INFERRED : ATTRIB_CONF_EXACT;
	out->own = pi && pi->pid == a->self;
	a->st.by_source[src]++;
	return 1;
}

static bool attrib_is_mixed(const struct attrib *a, uint64_t ino,
			    uint64_t now_ms)
{
	unsigned i;

	for (i = 0; i < ATTRIB_MIXED_MAX; i++)
		if (a->mixed[i].ino == ino && a->mixed[i].at_ms &&
		    now_ms - a->mixed[i].at_ms < ATTRIB_MIXED_TTL_MS)
			return true;
	return false;
}

static bool attrib_has_socket_table(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE;
}

static void attrib_sockdiag(struct attrib *a, const struct flow *f,
			    struct attrib_pkt *st)
{
	int r;

	st->looked_up = true;
	if (!a->sd || !attrib_has_socket_table(f->proto) ||
	    (f->flags & FLOW_F_NO_L4))
		return;
	r = sockdiag_lookup(a->sd, f, &st->sock);
	if (r == 0 && st->sock.inode) {
		st->sock_found = true;
		a->st.sockdiag_hits++;
	} else if (r == -ENOENT) {
		a->st.sockdiag_misses++;
	} else {
		a->st.sockdiag_errors++;
	}
}

/* The flow has a destination-index key and may be named from it (a
 * forwarded flow may not: the index holds our own processes' sends). */
static bool attrib_has_key(const struct flow *f, bool has_uid,
			   const struct attrib_pkt *st)
{
	return has_uid && !st->no_dest && f->family &&
	       !(f->flags & FLOW_F_NO_L4);
}

/* Put the flow in the log (once) so later lookups see it waiting. */
static void attrib_note_flow(struct attrib *a, const struct flow *f,
			     uint32_t uid, struct attrib_pkt *st)
{
	struct attrib_flow *e;

	if (st->flow_seq)
		return;
	st->flow_seq = ++a->flow_seq;
	e = &a->flows[st->flow_seq % ATTRIB_FLOW_LOG];
	memset(e, 0, sizeof(*e));
	e->seq = st->flow_seq;
	e->arrival_ms = st->arrival_ms;
	e->wall_ms = st->arrival_wall_ms;
	e->mark = st->queue_mark;
	memcpy(e->addr, f->dst, sizeof(e->addr));
	e->port = f->dport;
	e->family = f->family;
	e->proto = f->proto;
	e->uid = uid;
}

static struct attrib_flow *attrib_flow_of(struct attrib *a, uint64_t seq)
{
	struct attrib_flow *e = &a->flows[seq % ATTRIB_FLOW_LOG];

	return seq && e->seq == seq ? e : NULL;
}

/* The flow was named after pi: it is no longer a rival for records, and
 * it uses up one of pi's records to its destination (one record, one
 * flow), now or when that record comes. */
static void attrib_join(struct attrib *a, const struct flow *f, bool has_uid,
			uint32_t uid, struct attrib_pkt *st,
			const struct proc_info *pi, uint64_t now_ms)
{
	struct attrib_flow *e = attrib_flow_of(a, st->flow_seq);

	if (e)
		e->joined = true;
	if (!pi || pi->pid == a->self || !attrib_has_key(f, has_uid, st))
		return;
	(void)pidcache_use_dest(a->pc, f->family, f->dst, f->dport, f->proto, uid,
				pi->pid, pi->start_time,
				st->arrival_wall_ms ? st->arrival_wall_ms : UINT64_MAX,
				now_ms, ATTRIB_CREDIT_MS);
}

/* Could one of c's unused records be the record of a flow of protocol
 * proto, queued after the queue was seen empty with mark records read,
 * and read at wall (ms, 0: unknown)?  Only what is certain excludes: a
 * record of another kind of socket; a record made (audit time) after the
 * packet was read is a later syscall, and records all made more than the
 * window before it belong to flows long gone (audit was slow to deliver
 * them);
 * a send record, or a TCP connect record, is emitted when the syscall
 * returns, after its packet was queued; a UDP socket's connect returns
 * before its first datagram, at any time before. */
static bool attrib_eligible(const struct attrib *a,
			    const struct pidcache_cand *c, uint8_t proto,
			    uint64_t mark, uint64_t wall)
{
	if (c->proto && c->proto != proto)
		return false;
	/* Made after the packet was read, or every record made a window
	 * before it (its flow long decided; audit delivered it late). */
	if (wall && (c->made_ms > wall ||
		     (c->made_last_ms && c->made_last_ms + a->dest_slack_ms < wall)))
		return false;
	if (c->send_seq > mark)
		return true;
	return c->conn_seq && (proto != IPPROTO_TCP || c->conn_seq > mark);
}

static bool attrib_flow_is(const struct attrib_flow *e, const struct flow *f,
			   uint32_t uid)
{
	return e->family == f->family && e->port == f->dport && e->uid == uid &&
	       memcmp(e->addr, f->dst, sizeof(e->addr)) == 0;
}

/* A later flow with a record of its own: one made after this flow was
 * read (so never this flow's) that the later flow could own. */
static bool attrib_has_own(const struct attrib *a, const struct attrib_flow *e,
			   const struct attrib_pkt *st,
			   const struct pidcache_cand *all, size_t n)
{
	size_t j;

	if (!st->arrival_wall_ms || !e->wall_ms ||
	    e->wall_ms <= st->arrival_wall_ms)
		return false;
	for (j = 0; j < n; j++)
		if (all[j].made_ms > st->arrival_wall_ms &&
		    attrib_eligible(a, &all[j], e->proto, e->mark, e->wall_ms))
			return true;
	return false;
}

/* Another flow to the destination, within the window, still waiting or
 * left unnamed, that could own one of the candidates k[0..nk) too: an
 * earlier one, or a later one without a record of its own among
 * all[0..n) (every candidate, eligible for this flow or not). */
static bool attrib_contested(struct attrib *a, const struct flow *f,
			     uint32_t uid, const struct attrib_pkt *st,
			     const struct pidcache_cand *k, size_t nk,
			     const struct pidcache_cand *all, size_t n)
{
	uint64_t from = st->arrival_ms > a->dest_slack_ms ?
			st->arrival_ms - a->dest_slack_ms : 0;
	const struct attrib_flow *e;
	uint64_t seq;
	size_t i, j;

	/* The slot written next still inside the window: the log wrapped. */
	e = &a->flows[(a->flow_seq + 1) % ATTRIB_FLOW_LOG];
	if (e->seq && e->arrival_ms >= from)
		return true;
	/* Newest first; flows are logged about in arrival order, so stop a
	 * window past the first one older than the window. */
	for (i = 0, seq = a->flow_seq; i < ATTRIB_FLOW_LOG && seq; i++, seq--) {
		e = &a->flows[seq % ATTRIB_FLOW_LOG];
		if (e->seq != seq || e->arrival_ms + a->dest_slack_ms < from)
			break;
		if (e->seq == st->flow_seq || e->joined ||
		    e->arrival_ms < from || !attrib_flow_is(e, f, uid) ||
		    attrib_has_own(a, e, st, all, n))
			continue;
		for (j = 0; j < nk; j++)
			if (attrib_eligible(a, &k[j], e->proto, e->mark, e->wall_ms))
				return true;
	}
	return false;
}

/* A UDP socket's connect() returns before its first datagram is queued,
 * so that record is often read before the packet: one owner whose connect
 * was read just before this packet is its sender, not an earlier send. */
static bool attrib_fresh_connect(const struct flow *f,
				 const struct attrib_pkt *st,
				 const struct pidcache_cand *k, size_t nk)
{
	return f->proto != IPPROTO_TCP && nk == 1 && k[0].conn_seq &&
	       k[0].conn_ms + ATTRIB_FRESH_MS >= st->arrival_ms &&
	       k[0].conn_ms <= st->arrival_ms + ATTRIB_FRESH_MS;
}

/* The one record of candidate c to f's destination in the ring (its
 * newest unused record, and the only one the ring holds), or NULL. */
static const struct attrib_rec *attrib_rec_of(const struct attrib *a,
					      const struct flow *f,
					      uint32_t uid,
					      const struct pidcache_cand *c)
{
	uint64_t newest = c->send_seq > c->conn_seq ? c->send_seq : c->conn_seq;
	const struct attrib_rec *r, *found = NULL;
	size_t i;

	for (i = 0; i < ATTRIB_RECS; i++) {
		r = &a->recs[i];
		if (!r->seq || r->pid != c->pid || r->start != c->start_time ||
		    r->uid != uid || r->family != f->family ||
		    r->port != f->dport ||
		    memcmp(r->addr, f->dst, sizeof(r->addr)) != 0)
			continue;
		if (found)
			return NULL;	/* more than one send: no order */
		found = r;
	}
	return found && found->seq == newest ? found : NULL;
}

/* Serial numbers compared across a wrap. */
static bool attrib_serial_before(uint32_t x, uint32_t y)
{
	return (int32_t)(y - x) > 0;
}

/* The unjoined flows to f's destination (this one among them) from the
 * window before this flow on, oldest first, into e[0..max): how many, or
 * max + 1 when there are more. */
static size_t attrib_waiting(struct attrib *a, const struct flow *f,
			     uint32_t uid, const struct attrib_pkt *st,
			     const struct attrib_flow **e, size_t max)
{
	uint64_t from = st->arrival_ms > a->dest_slack_ms ?
			st->arrival_ms - a->dest_slack_ms : 0;
	const struct attrib_flow *x;
	uint64_t seq;
	size_t i, n = 0;

	x = &a->flows[(a->flow_seq + 1) % ATTRIB_FLOW_LOG];
	if (x->seq && x->arrival_ms >= from)
		return max + 1;		/* the log wrapped inside the window */
	for (i = 0, seq = a->flow_seq; i < ATTRIB_FLOW_LOG && seq; i++, seq--) {
		x = &a->flows[seq % ATTRIB_FLOW_LOG];
		if (x->seq != seq || x->arrival_ms + a->dest_slack_ms < from)
			break;
		if (x->joined || x->arrival_ms < from || x->proto != f->proto ||
		    !attrib_flow_is(x, f, uid))
			continue;
		if (n == max)
			return max + 1;
		e[n++] = x;
	}
	for (i = 0; i < n / 2; i++) {
		x = e[i];
		e[i] = e[n - 1 - i];
		e[n - 1 - i] = x;
	}
	return n;
}

/* The order rule, for flows the candidates cannot settle (several senders,
 * or contested).  A send, or a TCP connect, is logged (and given its
 * serial) when the call returns, after its packet was queued; a process
 * sends on a socket only after its socket() call returned.  So when each
 * record's socket() serial comes after the previous record's serial, each
 * packet was queued after the previous one: the records are in queue
 * order.  With as many unjoined flows to the destination as unused
 * records, the k-th flow read is the k-th record's.  Anything unproven
 * (records of senders that overlapped, a UDP connect, an unknown socket,
 * two records of one sender, counts that differ, a record not eligible
 * for its flow) answers NULL. */
static const struct proc_info *attrib_by_order(struct attrib *a,
					       const struct flow *f,
					       uint32_t uid,
					       const struct attrib_pkt *st,
					       const struct pidcache_cand *c,
					       size_t n)
{
	const struct attrib_rec *r[ATTRIB_MAX_CANDS], *t;
	const struct attrib_flow *e[ATTRIB_MAX_CANDS];
	size_t i, j, nf, k = n;

	if (n < 2 || n > ATTRIB_MAX_CANDS)
		return NULL;
	for (i = 0; i < n; i++) {
		if (c[i].stale || !c[i].proc || c[i].avail != 1 ||
		    c[i].proto != f->proto ||
		    !(r[i] = attrib_rec_of(a, f, uid, &c[i])) ||
		    !r[i]->after || !r[i]->sock_serial)
			return NULL;
	}
	for (i = 1; i < n; i++)	/* by serial */
		for (j = i; j > 0 && attrib_serial_before(r[j]->serial,
							  r[j - 1]->serial); j--) {
			t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	for (i = 1; i < n; i++)
		if (!attrib_serial_before(r[i - 1]->serial, r[i]->sock_serial))
			return NULL;
	nf = attrib_waiting(a, f, uid, st, e, ATTRIB_MAX_CANDS);
	if (nf != n)
		return NULL;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n && (c[j].pid != r[i]->pid ||
				      c[j].start_time != r[i]->start); j++)
			;
		if (j == n || !attrib_eligible(a, &c[j], f->proto, e[i]->mark,
					       e[i]->wall_ms))
			return NULL;
		if (e[i]->seq == st->flow_seq)
			k = j;
	}
	return k < n ? c[k].proc : NULL;
}

/* The order rule's answer at the final look (1 with *out), else -1. */
static int attrib_ordered(struct attrib *a, const struct flow *f,
			  uint32_t uid, const struct attrib_pkt *st,
			  enum attrib_stage stage,
			  const struct pidcache_cand *c, int n,
			  const struct proc_info **out)
{
	if (stage != ATTRIB_FINAL ||
	    !(*out = attrib_by_order(a, f, uid, st, c, (size_t)n)))
		return -1;
	a->st.ordered++;
	return 1;
}

/* Senders to this destination as this uid, recently, with records not
 * yet joined to a flow that could be this flow's (attrib_eligible).  1
 * with one process, 0
 * when none or not yet, -1 when they disagree or, at the final look,
 * another flow could own the record (attrib_contested).
 *
 * A record already there at the first look may be an earlier send by
 * someone else whose flow went unnamed or never reached the queue: until
 * the wait is over, only a record read since may answer (or a fresh UDP
 * connect); at the final look every eligible record counts. */
static int attrib_by_dest(struct attrib *a, const struct flow *f, uint32_t uid,
			  struct attrib_pkt *st, enum attrib_stage stage,
			  const struct proc_info **out)
{
	struct pidcache_cand c[ATTRIB_MAX_CANDS], k[ATTRIB_MAX_CANDS];
	bool newer = false, contested;
	size_t i, nk = 0;
	int n;

	*out = NULL;
	if (stage == ATTRIB_FIRST) {
		st->dest_seen_seq = a->audit_seq;
		return 0;
	}
	/* Records may be missing, this flow's among them. */
	if (a->loss_until_ms && st->arrival_ms <= a->loss_until_ms) {
		a->st.loss_withheld++;
		return stage == ATTRIB_FINAL ? -1 : 0;
	}
	n = pidcache_by_dest(a->pc, f->family, f->dst, f->dport, f->proto, uid,
			     st->arrival_ms, a->dest_slack_ms, c, ATTRIB_MAX_CANDS);
	if (n > ATTRIB_MAX_CANDS)
		return -1;	/* too many to vouch for */
	for (i = 0; i < (size_t)n; i++) {
		if (!attrib_eligible(a, &c[i], f->proto, st->queue_mark,
				     st->arrival_wall_ms))
			continue;
		/* Read since the first look, or emitted after the packet
		 * was queued (attrib_eligible): not an older send. */
		newer |= c[i].send_seq > st->dest_seen_seq ||
			 c[i].conn_seq > st->dest_seen_seq ||
			 c[i].send_seq > st->queue_mark ||
			 (f->proto == IPPROTO_TCP && c[i].conn_seq > st->queue_mark);
		k[nk++] = c[i];
	}
	if (nk == 0 || (stage != ATTRIB_FINAL && !newer &&
			!attrib_fresh_connect(f, st, k, nk)))
		return 0;
	contested = attrib_contested(a, f, uid, st, k, nk, c, (size_t)n);
	if (contested)
		a->st.contested++;
	for (i = 0; i < nk; i++) {
		/* A stale candidate was some other process, now unknown; two
		 * senders are not guessed between, even of one executable
		 * (the pid, cmdline and user would be a guess).  Candidates
		 * another waiting flow could own may still be sorted out (it
		 * takes its record) until the end. */
		if (k[i].stale || !k[i].proc || k[i].pid != k[0].pid ||
		    k[i].start_time != k[0].start_time)
			return contested && stage != ATTRIB_FINAL ? 0 :
			       attrib_ordered(a, f, uid, st, stage, c, n, out);
	}
	if (contested)
		return stage == ATTRIB_FINAL ?
		       attrib_ordered(a, f, uid, st, stage, c, n, out) : 0;
	*out = k[0].proc;
	return *out ? 1 : 0;
}

int attrib_lookup(struct attrib *a, const struct flow *f, bool has_uid,
		  uint32_t uid, struct attrib_pkt *st, enum attrib_stage stage,
		  uint64_t now_ms, struct attrib_result *out)
{
	static const enum attrib_source inode_src[] = {
		[ATTRIB_FIRST] = ATTRIB_SRC_INODE_CACHE, [ATTRIB_AUDIT] = ATTRIB_SRC_AUDIT_FD,
		[ATTRIB_SCAN] = ATTRIB_SRC_PROC_SCAN, [ATTRIB_FINAL] = ATTRIB_SRC_AUDIT_FD,
	};
	const struct proc_info *pi = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (!st->looked_up) {
		a->st.lookups++;
		st->queue_mark = a->queue_mark;
		attrib_sockdiag(a, f, st);
	}
	if (st->sock_found && !has_uid) {
		uid = st->sock.uid;
		has_uid = true;
	}
	if (st->sock_found) {
		if (attrib_is_mixed(a, st->sock.inode, now_ms)) {
			a->st.ambiguous++;
			out->ambiguous = true;
			return attrib_done(a, out, NULL, ATTRIB_SRC_NONE);
		}
		if (pidcache_by_inode(a->pc, st->sock.inode, now_ms, &pi) == 0) {
			attrib_join(a, f, has_uid, uid, st, pi, now_ms);
			return attrib_done(a, out, pi, inode_src[stage]);
		}
		/* The socket exists, so its owner can still be named exactly
		 * (its sender may have exited meanwhile): until the wait is
		 * over, the destination index may name it, not call it
		 * ambiguous. */
		if (stage != ATTRIB_FINAL) {
			if (!attrib_has_key(f, has_uid, st))
				return 0;
			attrib_note_flow(a, f, uid, st);
			if (attrib_by_dest(a, f, uid, st, stage, &pi) <= 0)
				return 0;
			attrib_join(a, f, has_uid, uid, st, pi, now_ms);
			return attrib_done(a, out, pi, ATTRIB_SRC_AUDIT_DST);
		}
	}
	if (attrib_has_key(f, has_uid, st)) {
		attrib_note_flow(a, f, uid, st);
		r = attrib_by_dest(a, f, uid, st, stage, &pi);
		if (r > 0) {
			attrib_join(a, f, has_uid, uid, st, pi, now_ms);
			return attrib_done(a, out, pi, ATTRIB_SRC_AUDIT_DST);
		}
		if (r < 0) {
			a->st.ambiguous++;
			out->ambiguous = true;
			return attrib_done(a, out, NULL, ATTRIB_SRC_NONE);
		}
	}
	if (stage == ATTRIB_FINAL)
		return attrib_done(a, out, NULL, ATTRIB_SRC_NONE);
	return 0;
}

/* The process behind an audit event, as a proc_info: /proc while it is
 * alive and still runs what the record says, else the record itself. */
static void attrib_event_proc(struct attrib *a, const struct audit_event *ev,
			      struct proc_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	a->st.proc_reads++;
	if (procfs_read_proc(a->procroot, ev->pid, pi) == 0 &&
	    (!ev->exe[0] || (pi->exe && !strcmp(pi->exe, ev->exe))))
		return;
	proc_info_clear(pi);
	pi->pid = ev->pid;
	pi->ppid = ev->ppid > 0 ? ev->ppid : 0;
	pi->uid = ev->uid;
	pi->gid = ev->gid;
	memcpy(pi->comm, ev->comm, sizeof(pi->comm) - 1);	/* comm: 16 max */
	pi->comm[sizeof(pi->comm) - 1] = '\0';
	pi->exe = ev->exe[0] ? strdup(ev->exe) : NULL;
	pi->cwd = ev->cwd[0] ? strdup(ev->cwd) : NULL;
	if (ev->has_execve && ev->args_len) {
		pi->cmdline = malloc(ev->args_len);
		if (pi->cmdline) {
			memcpy(pi->cmdline, ev->args, ev->args_len);
			pi->cmdline_len = ev->args_len -
					  (ev->args[ev->args_len - 1] == '\0');
		}
	} else if (ev->proctitle_len && !ev->proctitle_stale) {
		pi->cmdline = malloc(ev->proctitle_len);
		if (pi->cmdline) {
			memcpy(pi->cmdline, ev->proctitle, ev->proctitle_len);
			pi->cmdline_len = ev->proctitle_len;
		}
	}
}

/* What the cache holds for the event's pid. */
enum attrib_known { KNOWN_NOT, KNOWN_SAME, KNOWN_OTHER_EXE };

static enum attrib_known attrib_known(struct attrib *a,
				      const struct audit_event *ev,
				      uint64_t now_ms,
				      const struct proc_info **cached)
{
	if (pidcache_get(a->pc, ev->pid, now_ms, cached) < 0)
		return KNOWN_NOT;
	return !ev->exe[0] || ((*cached)->exe && !strcmp((*cached)->exe, ev->exe)) ?
	       KNOWN_SAME : KNOWN_OTHER_EXE;
}

static size_t attrib_socket_slot(pid_t pid, int64_t fd)
{
	uint64_t h = ((uint64_t)(uint32_t)pid << 32 | (uint32_t)fd) *
		     0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 52) % ATTRIB_SOCKETS;
}

/* A socket() record: remember whether fd is a TCP or UDP socket, so its
 * connect and send records are candidates for flows of that protocol
 * only (a TCP connect is not a UDP datagram's record). */
static void attrib_note_socket(struct attrib *a, pid_t pid, int64_t fd,
			       uint32_t serial, const uint64_t args[4])
{
	size_t i = attrib_socket_slot(pid, fd);
	int type = (int)(args[1] & 0xf);
	uint8_t proto = args[2] == IPPROTO_TCP || args[2] == IPPROTO_UDP ||
			args[2] == IPPROTO_UDPLITE ? (uint8_t)args[2] :
			args[2] ? 0 : type == SOCK_STREAM ? IPPROTO_TCP :
			type == SOCK_DGRAM ? IPPROTO_UDP : 0;

	if (fd < 0 || fd > INT32_MAX ||
	    (args[0] != AF_INET && args[0] != AF_INET6))
		return;
	a->sockets[i].pid = pid;
	a->sockets[i].fd = (int32_t)fd;
	a->sockets[i].serial = serial;
	a->sockets[i].proto = proto;
}

/* The protocol of pid's socket fd, 0 when unknown. */
static uint8_t attrib_socket_proto(const struct attrib *a, pid_t pid,
				   uint64_t fd)
{
	size_t i = attrib_socket_slot(pid, (int64_t)fd);

	return a->sockets[i].pid == pid && a->sockets[i].fd == (int64_t)fd ?
	       a->sockets[i].proto : 0;
}

/* Keep the record just put (a->audit_seq) for the order rule. */
static void attrib_note_rec(struct attrib *a, const struct audit_event *ev,
			    enum aurec_call call, uint64_t start,
			    const uint8_t addr[16], uint8_t proto)
{
	struct attrib_rec *r = &a->recs[a->audit_seq % ATTRIB_RECS];
	uint64_t args[4];
	size_t i;

	(void)aurec_event_call(ev, args);
	i = attrib_socket_slot(ev->pid, (int64_t)args[0]);
	memset(r, 0, sizeof(*r));
	r->seq = a->audit_seq;
	r->start = start;
	r->serial = ev->serial;
	if (a->sockets[i].pid == ev->pid && (uint64_t)a->sockets[i].fd == args[0])
		r->sock_serial = a->sockets[i].serial;
	r->pid = ev->pid;
	r->uid = ev->euid;
	memcpy(r->addr, addr, sizeof(r->addr));
	r->port = ev->port;
	r->family = (uint8_t)ev->family;
	r->proto = proto;
	/* A UDP connect returns before its datagram is sent. */
	r->after = call != AUREC_CALL_CONNECT || proto == IPPROTO_TCP;
}

/* Make sure the event's process is cached; *start gets its start time. */
static int attrib_learn_proc(struct attrib *a, const struct audit_event *ev,
			     enum attrib_known known,
			     const struct proc_info *cached, bool refresh,
			     uint64_t now_ms, uint64_t *start)
{
	struct proc_info pi;
	int r;

	if (known == KNOWN_SAME && !refresh) {
		*start = cached->start_time;
		return 0;
	}
	/* Another executable without an exec: the pid was reused (perhaps
	 * within one start-time tick).  An exec (refresh), even of the same
	 * file: the process runs other code now, and a socket it kept
	 * across the exec may be used by a child of the old image.  Either
	 * way a new identity: what was learned before never names it. */
	if (known != KNOWN_NOT && (known == KNOWN_OTHER_EXE || refresh))
		(void)pidcache_new_identity(a->pc, ev->pid);
	attrib_event_proc(a, ev, &pi);
	r = pidcache_put(a->pc, &pi, now_ms);
	*start = pi.start_time;
	proc_info_clear(&pi);
	return r;
}

/* Index the socket at pid's fd as the cached process's.  The record may
 * be late: its process may have exited and its pid gone to another one
 * (which may hold another socket at that fd), so the fd counts only if
 * the pid is still the cached process after it was read. */
static int attrib_index_fd(struct attrib *a, pid_t pid, int64_t fd,
			   uint64_t start, uint64_t now_ms)
{
	const struct proc_info *pi;
	uint64_t ino;

	if (fd < 0 || fd > INT32_MAX)
		return 0;
	if (procfs_readlink_fd(a->procroot, pid, (int)fd, &ino) < 0 ||
	    pidcache_get(a->pc, pid, now_ms, &pi) < 0 ||
	    procfs_is(a->procroot, pid, start ? start : pi->start_time,
		      pi->exe) != 1) {
		a->st.readlink_fail++;
		return 0;
	}
	a->st.readlink_ok++;
	return pidcache_put_inode(a->pc, ino, pid, start, now_ms) == 0;
}

/* Remember a pid of namespace ns: the newest per namespace, the oldest
 * namespace replaced when the table is full. */
static void attrib_note_netns(struct attrib *a, uint64_t ns, pid_t pid,
			      uint64_t now_ms)
{
	size_t i, victim = 0;

	for (i = 0; i < ATTRIB_NETNS_HINTS; i++) {
		if (a->fns[i].ns == ns || !a->fns[i].ns) {
			victim = i;
			break;
		}
		if (a->fns[i].ts_ms < a->fns[victim].ts_ms)
			victim = i;
	}
	a->fns[victim].ns = ns;
	a->fns[victim].pid = pid;
	a->fns[victim].ts_ms = now_ms;
}

size_t attrib_netns_hints(const struct attrib *a, pid_t *pids, size_t max)
{
	bool used[ATTRIB_NETNS_HINTS] = { false };
	size_t n = 0;

	while (n < max) {
		size_t best = ATTRIB_NETNS_HINTS;

		for (size_t i = 0; i < ATTRIB_NETNS_HINTS; i++)
			if (a->fns[i].ns && !used[i] &&
			    (best == ATTRIB_NETNS_HINTS ||
			     a->fns[i].ts_ms > a->fns[best].ts_ms))
				best = i;
		if (best == ATTRIB_NETNS_HINTS)
			break;
		used[best] = true;
		pids[n++] = a->fns[best].pid;
	}
	return n;
}

uint64_t attrib_netns(const struct attrib *a)
{
	return a->netns;
}

/* An io_uring op that sends (its io_uring_enter, or its own URINGOP
 * record): only the destination is learned.  Its a[0] is the ring, and a
 * socket made by IORING_OP_SOCKET is audited nowhere (the kernel skips
 * that op) and, as a direct descriptor, is in no fd table: such a flow is
 * named by destination (audit-dst, inferred) or stays none.  The socket's
 * kind is unknown (0); the record is made when the op has run, after its
 * packet (as a send's). */
static int attrib_uring_dest(struct attrib *a, const struct audit_event *ev,
			     uint64_t start, uint64_t now_ms)
{
	uint8_t addr[16] = { 0 };

	if (!ev->has_sockaddr ||
	    (ev->family != AF_INET && ev->family != AF_INET6))
		return 0;
	memcpy(addr, ev->addr, ev->family == AF_INET ? 4 : 16);
	if (pidcache_put_dest(a->pc, ev->family, addr, ev->port, 0, ev->euid,
			      ev->pid, start,
			      ev->has_uringop && ev->uring_op == 16,
			      ev->time_ms, ++a->audit_seq, now_ms) < 0)
		return 0;
	attrib_note_rec(a, ev, AUREC_CALL_SENDMSG, start, addr, 0);
	return 1;
}

int attrib_on_audit(struct attrib *a, const struct audit_event *ev,
		    bool want_fds, uint64_t now_ms)
{
	uint64_t args[4], start = 0, ns;
	enum aurec_call call = aurec_event_call(ev, args);
	const struct proc_info *cached = NULL;
	enum attrib_known known;
	bool foreign = false;
	int learned = 0;

	if (call == AUREC_CALL_OTHER || ev->pid <= 0 || ev->pid == a->self)
		return 0;
	known = attrib_known(a, ev, now_ms, &cached);
	/* A process we can still see in another namespace is not ours; one
	 * already gone is kept (short-lived senders are why we read audit).
	 * Cached processes were checked when first learned. */
	if (call != AUREC_CALL_EXECVE && a->netns &&
	    (known != KNOWN_SAME || a->forward) &&
	    procfs_netns(a->procroot, ev->pid, &ns) == 0 && ns != a->netns) {
		a->st.foreign_netns++;
		/* With --forward its packets may cross our FORWARD hook:
		 * socket inodes are unique host-wide, so indexing them is
		 * safe; its destinations are not ours and stay out. */
		if (!a->forward)
			return 0;
		foreign = true;
		attrib_note_netns(a, ns, ev->pid, now_ms);
	}
	a->st.audit_events++;
	if (attrib_learn_proc(a, ev, known, cached, call == AUREC_CALL_EXECVE,
			      now_ms, &start) < 0)
		return 0;
	switch (call) {
	case AUREC_CALL_SOCKET:
		if (ev->success) {
			attrib_note_socket(a, ev->pid, ev->exit, ev->serial, args);
			learned |= attrib_index_fd(a, ev->pid, ev->exit, start, now_ms);
		}
		break;
	case AUREC_CALL_CONNECT:
	case AUREC_CALL_SENDTO:
	case AUREC_CALL_SENDMSG:
	case AUREC_CALL_SENDMMSG:
		/* The socket() record indexed this fd already; read the link
		 * again only when a packet waits (e.g. that record was missed). */
		if (want_fds)
			learned |= attrib_index_fd(a, ev->pid, (int64_t)args[0],
						   start, now_ms);
		if (!foreign && ev->has_sockaddr &&
		    (ev->family == AF_INET || ev->family == AF_INET6)) {
			uint8_t addr[16] = { 0 };

			uint8_t proto = attrib_socket_proto(a, ev->pid, args[0]);

			memcpy(addr, ev->addr, ev->family == AF_INET ? 4 : 16);
			if (pidcache_put_dest(a->pc, ev->family, addr, ev->port,
					      proto, ev->euid, ev->pid, start,
					      call == AUREC_CALL_CONNECT,
					      ev->time_ms, ++a->audit_seq,
					      now_ms) == 0) {
				attrib_note_rec(a, ev, call, start, addr, proto);
				learned = 1;
			}
		}
		break;
	case AUREC_CALL_URING:
		learned |= attrib_uring_dest(a, ev, start, now_ms);
		break;
	default:
		break;
	}
	return learned;
}

void attrib_on_scan_mixed(struct attrib *a, uint64_t ino, uint64_t now_ms)
{
	a->mixed[a->mixed_next].ino = ino;
	a->mixed[a->mixed_next].at_ms = now_ms;
	a->mixed_next = (a->mixed_next + 1) % ATTRIB_MIXED_MAX;
}

int attrib_on_scan(struct attrib *a, uint64_t ino, pid_t pid,
		   const struct proc_info *pi, uint64_t now_ms)
{
	int r;

	if (pid <= 0 || !pi)
		return -ENOENT;
	if ((r = pidcache_put(a->pc, pi, now_ms)) < 0)
		return r;
	return pidcache_put_inode(a->pc, ino, pid, pi->start_time, now_ms);
}

void attrib_audit_loss(struct attrib *a, uint64_t total, uint64_t now_ms)
{
	if (total > a->loss_total)
		a->loss_until_ms = now_ms + ATTRIB_LOSS_HOLD_MS;
	a->loss_total = total;
}

void attrib_queue_empty(struct attrib *a)
{
	a->queue_mark = a->audit_seq;
}

const char *attrib_parent_exe(struct attrib *a, const struct proc_info *pi,
			      uint64_t now_ms, char *buf, size_t len)
{
	const struct proc_info *pp;

	if (!pi || pi->ppid <= 0 || len == 0)
		return NULL;
	if (pidcache_get(a->pc, pi->ppid, now_ms, &pp) == 0 && pp->exe &&
	    pp->verified && pp->start_time && pi->start_time &&
	    pp->start_time <= pi->start_time)
		return pp->exe;
	return procfs_parent_exe(a->procroot, pi->ppid, pi->start_time, buf,
				 len) == 0 ? buf : NULL;
}

void attrib_get_stats(const struct attrib *a, struct attrib_stats *out)
{
	*out = a->st;
}
