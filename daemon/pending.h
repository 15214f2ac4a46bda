/* pending.h - packets held in the queue awaiting an asynchronous verdict.
 * Bounded at init; every entry has a deadline after which the caller
 * applies the default action. */
#ifndef TATTLE_PENDING_H
#define TATTLE_PENDING_H

#include <stdbool.h>
#include <stdint.h>

#include "attrib.h"
#include "bpf/flowrec.h"
#include "packet.h"

/* What we are still waiting for. */
enum pending_wait {
	PENDING_AUDIT = 1,	/* audit records to catch up */
	PENDING_WORKER,		/* a /proc scan on the worker thread */
	PENDING_PROMPT,		/* a person's answer */
	PENDING_SOCKET,		/* /proc/net read for its socket (no sock_diag) */
	PENDING_HASH,		/* the sender's executable hashed on the worker */
	PENDING_SOCKET_NS,	/* a forwarded flow's socket in the sender's
				 * network namespace (worker) */
	PENDING_CGROUP,		/* the path of its BPF record's cgroup id
				 * (a walk of the cgroup2 mount, worker) */
	PENDING_SCAN_WAIT,	/* a /proc scan, not yet submitted: batched
				 * before the loop sleeps, held while the
				 * worker's queue is full (overload) */
};

struct pending_pkt {
	uint32_t id;		/* nfqueue packet id */
	uint64_t deadline_ms;	/* monotonic */
	uint64_t arrival_us;	/* monotonic, for verdict_us */
	enum pending_wait wait;
	struct flow flow;
	bool has_uid;
	uint32_t uid, gid;
	uint32_t indev, outdev;
	struct attrib_pkt ast;	/* attribution state (socket found...) */
	bool bpf_found;		/* attributed from an eBPF record: */
	struct flowrec_owner bpf_owner;	/* this owner, kept for a later look
					 * (a prompt's answer) */
	char host[254];		/* DNS query: the name asked for ("" none) */
	uint32_t prompt_id;	/* PENDING_PROMPT: which prompt holds it */
	unsigned tries;		/* re-examinations so far */
	bool forwarded;		/* queued on the FORWARD hook (--forward) */
	bool ns_tried;		/* PENDING_SOCKET_NS asked already */
	bool hash_tried;	/* PENDING_HASH asked already */
	bool cgroup_tried;	/* PENDING_CGROUP asked already */
	/* PENDING_HASH: the attribution it resumes with once hashed. */
	pid_t held_pid;
	uint64_t held_start;
	enum attrib_source held_src;
	enum attrib_confidence held_conf;
	bool deferred;		/* waited for room on the worker */
};

struct pending;

#define PENDING_UIDS	64	/* uids counted apart; others share a count */
#define PENDING_UID_NONE UINT32_MAX	/* packet without an owner uid */

/* cap entries; at most per_uid of them held for one uid (0: no quota),
 * so that one user's flood cannot take every slot. */
struct pending *pending_new(unsigned cap, unsigned per_uid);
void pending_free(struct pending *p);

/* A zeroed slot with id set, counted against uid (PENDING_UID_NONE), or
 * NULL with errno ENOSPC when the table is full, EDQUOT when uid has its
 * quota held (the caller decides now). */
struct pending_pkt *pending_add(struct pending *p, uint32_t id, uint32_t uid);
struct pending_pkt *pending_find(struct pending *p, uint32_t id);
/* pkt must come from this table; it is invalid afterwards. */
void pending_remove(struct pending *p, struct pending_pkt *pkt);

unsigned pending_count(const struct pending *p);
/* Earliest deadline, or 0 when empty. */
uint64_t pending_next_deadline(const struct pending *p);

/* Call cb for each entry in arrival order.  cb may remove the entry it was
 * given (and only that one).  Returns how many were visited. */
unsigned pending_foreach(struct pending *p,
			 void (*cb)(struct pending_pkt *pkt, void *data),
			 void *data);

#endif
