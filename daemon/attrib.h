/* attrib.h - the join: which process sent this packet?
 *
 * Cheapest first (DESIGN.md "Attribution"): sock_diag exact lookup of the
 * 5-tuple gives the socket inode; the PID cache's inode index gives the
 * process (learned from audit (pid, fd) by one readlink, or from earlier
 * scans); for sockets already closed, the audit destination index gives the
 * recent senders to that destination as that uid.  Two candidates are
 * never guessed between.  What is not known yet is
 * answered later: audit records arrive (attrib_on_audit) or a /proc scan on
 * the worker thread finds the owner (attrib_on_scan).
 *
 * Runs on the loop thread; blocking work is limited to single-file /proc
 * reads for a pid that audit just named. */
#ifndef TATTLE_ATTRIB_H
#define TATTLE_ATTRIB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "aurec.h"
#include "packet.h"
#include "pidcache.h"
#include "procfs.h"
#include "sockdiag.h"
#include "types.h"

/* Which look the packet is getting; decides the source tag and whether the
 * destination index may answer for a socket that still exists. */
enum attrib_stage {
	ATTRIB_FIRST,	/* on arrival: cache only */
	ATTRIB_AUDIT,	/* audit records arrived while it waited */
	ATTRIB_SCAN,	/* a /proc scan result arrived */
	ATTRIB_FINAL,	/* the wait is over: take the best inference */
};

/* Per-packet attribution state, kept with the held packet. */
struct attrib_pkt {
	uint64_t arrival_ms;	/* when the packet reached us (monotonic) */
	uint64_t arrival_wall_ms; /* the same instant, wall clock (ms), read
				 * when the packet was: audit records made
				 * later are not its own (0: unknown) */
	uint64_t dest_seen_seq;	/* audit records read by the first look */
	uint64_t queue_mark;	/* audit records read when the queue was last
				 * seen empty before this packet came: a
				 * send record among those was emitted
				 * before this packet was queued */
	uint64_t flow_seq;	/* its place in the flow log (0: none) */
	bool looked_up;		/* sock_diag asked already */
	bool no_dest;		/* never infer from the destination index (a
				 * forwarded flow: the index holds our own
				 * namespace's senders only) */
	bool sock_found;
	struct sockdiag_sock sock;
};

struct attrib_result {
	const struct proc_info *proc;	/* NULL: unknown; points into the
					 * cache, valid until it changes */
	enum attrib_source source;
	enum attrib_confidence confidence;
	bool ambiguous;			/* candidates disagreed: none */
	bool own;			/* tattled's own socket */
};

struct attrib_stats {
	uint64_t lookups;
	uint64_t sockdiag_hits, sockdiag_misses, sockdiag_errors;
	uint64_t by_source[ATTRIB_SRC_COUNT];
	uint64_t ambiguous;
	uint64_t loss_withheld;		/* audit-dst answers withheld after
					 * audit loss */
	uint64_t contested;		/* audit-dst answers withheld: another
					 * unjoined flow to the destination
					 * could own the record */
	uint64_t ordered;		/* audit-dst answers by record order
					 * (serial senders whose records
					 * came together) */
	uint64_t audit_events;		/* network/exec events joined */
	uint64_t foreign_netns;		/* events from other namespaces */
	uint64_t readlink_ok, readlink_fail;
	uint64_t proc_reads;		/* single-process /proc reads */
};

struct attrib_opts {
	const char *procroot;		/* NULL = "/proc" */
	uint64_t dest_slack_ms;		/* audit-dst: a sender counts only if
					 * its record was read no earlier than
					 * this before the packet arrived */
	pid_t self;			/* our pid (own traffic) */
	bool forward;			/* --forward: learn sockets of other
					 * namespaces too (never their
					 * destinations: those would pass
					 * for ours) */
};

struct attrib;

/* sd may be NULL (no sock_diag: the destination index and scans only).
 * pc is borrowed.  NULL and errno on failure. */
struct attrib *attrib_new(const struct attrib_opts *o, struct sockdiag *sd,
			  struct pidcache *pc);
void attrib_free(struct attrib *a);

/* Try to attribute an outbound packet.  uid is the socket owner from the
 * queue (has_uid false when unknown).  Returns 1 with *out when decided
 * (out->proc may still be NULL: "none" after an ambiguous match or at
 * ATTRIB_FINAL), 0 when it should wait.
 *
 * Audit destination records are joined one record, one flow: a packet
 * named after a process uses up one of that process's records to its
 * destination (or the next one, when the record trails the packet), and a
 * record made after the packet was queued (st->arrival_wall_ms) is never
 * its own.  While another flow to the same destination is waiting or was
 * left unnamed and could own the record, the destination index answers
 * nothing (stats: contested). */
int attrib_lookup(struct attrib *a, const struct flow *f, bool has_uid,
		  uint32_t uid, struct attrib_pkt *st, enum attrib_stage stage,
		  uint64_t now_ms, struct attrib_result *out);

/* Audit records were lost (total: the reassembler's count of serials
 * never seen; only a rise matters): for a while the destination index
 * may lack the record of any flow, so it names nobody. */
void attrib_audit_loss(struct attrib *a, uint64_t total, uint64_t now_ms);

/* The queue was just read until empty: packets read from now on were
 * queued after every audit record fed so far. */
void attrib_queue_empty(struct attrib *a);

/* Feed one reassembled audit event.  want_fds: packets are waiting, so
 * also index the fd of connect/send calls (socket() fds always are).
 * Returns 1 when the cache learned something a waiting packet could use,
 * else 0. */
int attrib_on_audit(struct attrib *a, const struct audit_event *ev,
		    bool want_fds, uint64_t now_ms);

/* A /proc scan found (or did not find) the owner of ino.  pi is copied
 * into the cache.  0, or -errno. */
int attrib_on_scan(struct attrib *a, uint64_t ino, pid_t pid,
		   const struct proc_info *pi, uint64_t now_ms);

/* A /proc scan found ino held by processes running different programs (a
 * socket inherited across fork and exec): for a while every packet of
 * that socket is "none", even after all holders but one are gone (the
 * one left did not necessarily make the connection: its SYN is retried
 * after the maker exited). */
void attrib_on_scan_mixed(struct attrib *a, uint64_t ino, uint64_t now_ms);

/* The executable of pi's parent for process.parent.path, or NULL: the
 * parent must have started no later than pi (a later process under that
 * pid got it after the parent died) and run a verified executable.  From
 * the cache, else /proc into buf[0..len).  The result is valid until the
 * cache or buf changes. */
const char *attrib_parent_exe(struct attrib *a, const struct proc_info *pi,
			      uint64_t now_ms, char *buf, size_t len);

void attrib_get_stats(const struct attrib *a, struct attrib_stats *out);

#define ATTRIB_NETNS_HINTS	16

/* With forward: pids recently seen by audit in other network namespaces,
 * one per namespace, newest first, at most max (for WORKER_SOCKET_NS).
 * Returns how many were written. */
size_t attrib_netns_hints(const struct attrib *a, pid_t *pids, size_t max);

/* The network namespace attrib polices (its inode; 0 unknown). */
uint64_t attrib_netns(const struct attrib *a);

#endif
