/* fold.h - event volume under a flood.  Connection events of one program
 * with the same verdict and reason (the key) past a rate per second are
 * folded: not sent one by one, but counted, and when the key's one-second
 * window ends one summary goes out: the first folded connection's event
 * with "folded": N, the number of decisions that line stands for (itself
 * included).  Nothing is lost silently: every decision is in exactly one
 * line, alone or in a summary's count.
 *
 * Pure: no I/O, time is a parameter.  Bounded: at most max_keys keys
 * (the least recently used is evicted, its summary sent first) and one
 * stored event of at most FOLD_MEMBERS_MAX bytes per key. */
#ifndef TATTLE_FOLD_H
#define TATTLE_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "types.h"

#define FOLD_WINDOW_MS		1000
#define FOLD_KEYS_MAX		64
#define FOLD_MEMBERS_MAX	(16 * 1024)

/* What the caller does with the event fold_account() was asked about. */
enum fold_verdict {
	FOLD_SEND,	/* send it as usual */
	FOLD_KEEP,	/* folded, the first of its window: hand its encoded
			 * members to fold_keep() */
	FOLD_COUNT,	/* folded and counted: nothing to send */
};

/* A summary to send now: exe (NULL: unknown process), verdict, the stored
 * members (len bytes, "k":v,...) and n, the decisions it stands for. */
typedef void (*fold_summary_fn)(const char *exe, enum action verdict,
				const char *members, size_t len, uint64_t n,
				void *data);

struct fold_stats {
	uint64_t folded;	/* decisions not sent one by one */
	uint64_t summaries;	/* summary lines handed out */
	uint64_t evictions;	/* keys evicted to make room */
};

struct fold;

/* NULL and errno.  rate_per_s 0: nothing is ever folded.  max_keys 0:
 * FOLD_KEYS_MAX. */
struct fold *fold_new(unsigned rate_per_s, unsigned max_keys);
void fold_free(struct fold *f);		/* NULL ok */

/* One decided connection of (exe, verdict, reason) at now_ms.  Before it
 * returns, cb gets a summary that is due first (this key's ended window,
 * or the key evicted to make room), so lines stay in order. */
enum fold_verdict fold_account(struct fold *f, const char *exe,
			       enum action verdict, enum verdict_reason reason,
			       uint64_t now_ms, fold_summary_fn cb, void *data);

/* Store the members of the event fold_account() just answered FOLD_KEEP
 * for.  0; -E2BIG when longer than FOLD_MEMBERS_MAX: it is then not
 * folded (uncounted again) and the caller sends it as usual. */
int fold_keep(struct fold *f, const char *members, size_t len);

/* Hand out the summaries of windows ended by now_ms (all: every one,
 * at shutdown).  Call from the periodic tick. */
void fold_flush(struct fold *f, uint64_t now_ms, int all, fold_summary_fn cb,
		void *data);

void fold_get_stats(const struct fold *f, struct fold_stats *out);

#endif
