/* pending.c - see pending.h.  A slab of cap entries with a free list and an
 * arrival-ordered in-use list.  Counts are small (a few in flight at
 * loopback speed), so scans are linear. */
#include "pending.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct pending_slot {
	struct pending_pkt pkt;	/* first: pkt pointers are slot pointers */
	int prev, next;		/* in-use list, or next free */
	int uid_slot;		/* index into uids[] */
	bool used;
};

/* Held packets per uid: uids[0..PENDING_UIDS) by uid, the last one for
 * every uid that found no slot. */
struct pending_uid {
	uint32_t uid;
	unsigned held;
};

struct pending {
	struct pending_slot *slots;
	unsigned cap, count, per_uid;
	int head, tail, free;
	struct pending_uid uids[PENDING_UIDS + 1];
};

/* The count for uid: its own, a free one, or the shared last one. */
static int pending_uid_slot(struct pending *p, uint32_t uid)
{
	int i, empty = -1;

	for (i = 0; i < PENDING_UIDS; i++) {
		if (p->uids[i].held && p->uids[i].uid == uid)
			return i;
		if (!p->uids[i].held && empty < 0)
			empty = i;
	}
	if (empty < 0)
		return PENDING_UIDS;
	p->uids[empty].uid = uid;
	return empty;
}

struct pending *pending_new(unsigned cap, unsigned per_uid)
{
	struct pending *p;
	unsigned i;

	if (!cap || cap > (1u << 20))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->slots = calloc(cap, sizeof(*p->slots));
	if (!p->slots) {
		free(p);
		return NULL;
	}
	p->cap = cap;
	p->per_uid = per_uid;
	p->head = p->tail = -1;
	for (i = 0; i < cap; i++)
		p->slots[i].next = i + 1 < cap ? (int)i + 1 : -1;
	p->free = 0;
	return p;
}

void pending_free(struct pending *p)
{
	if (!p)
		return;
	free(p->slots);
	free(p);
}

struct pending_pkt *pending_add(struct pending *p, uint32_t id, uint32_t uid)
{
	struct pending_slot *s;
	int i = p->free, u;

	if (i < 0) {
		errno = ENOSPC;
		return NULL;
	}
	u = pending_uid_slot(p, uid);
	if (p->per_uid && p->uids[u].held >= p->per_uid) {
		errno = EDQUOT;
		return NULL;
	}
	p->uids[u].held++;
	s = &p->slots[i];
	p->free = s->next;
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->uid_slot = u;
	s->pkt.id = id;
	s->prev = p->tail;
	s->next = -1;
	if (p->tail >= 0)
		p->slots[p->tail].next = i;
	else
		p->head = i;
	p->tail = i;
	p->count++;
	return &s->pkt;
}

struct pending_pkt *pending_find(struct pending *p, uint32_t id)
{
	int i;

	for (i = p->head; i >= 0; i = p->slots[i].next)
		if (p->slots[i].pkt.id == id)
			return &p->slots[i].pkt;
	return NULL;
}

void pending_remove(struct pending *p, struct pending_pkt *pkt)
{
	struct pending_slot *s = (struct pending_slot *)pkt;
	int i = (int)(s - p->slots);

	if (i < 0 || (unsigned)i >= p->cap || !s->used)
		return;
	if (s->prev >= 0)
		p->slots[s->prev].next = s->next;
	else
		p->head = s->next;
	if (s->next >= 0)
		p->slots[s->next].prev = s->prev;
	else
		p->tail = s->prev;
	s->used = false;
	p->uids[s->uid_slot].held--;
	s->next = p->free;
	p->free = i;
	p->count--;
}

unsigned pending_count(const struct pending *p)
{
	return p->count;
}

uint64_t pending_next_deadline(const struct pending *p)
{
	uint64_t best = 0;
	int i;

	for (i = p->head; i >= 0; i = p->slots[i].next) {
		uint64_t d = p->slots[i].pkt.deadline_ms;

		if (!best || d < best)
			best = d;
	}
	return best;
}

unsigned pending_foreach(struct pending *p,
			 void (*cb)(struct pending_pkt *pkt, void *data),
			 void *data)
{
	unsigned n = 0;
	int i, next;

	for (i = p->head; i >= 0; i = next) {
		next = p->slots[i].next;
		cb(&p->slots[i].pkt, data);
		n++;
	}
	return n;
}
