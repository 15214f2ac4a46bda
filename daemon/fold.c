/* fold.c - see fold.h.  Keys are few (FOLD_KEYS_MAX): linear search. */
#include "fold.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct fold_entry {
	bool used;
	char *exe;		/* NULL: unknown process */
	enum action verdict;
	enum verdict_reason reason;
	uint64_t window_ms;	/* start of the current window */
	unsigned in_window;	/* decisions in it, sent or folded */
	uint64_t folded;	/* of them, folded */
	uint64_t last_use;	/* for eviction */
	char *members;		/* FOLD_MEMBERS_MAX bytes */
	size_t len;		/* 0: the first folded one is not stored */
};

struct fold {
	unsigned rate, max_keys;
	uint64_t use;
	int keep;		/* entry of the last FOLD_KEEP, or -1 */
	struct fold_entry *v;
	struct fold_stats st;
};

struct fold *fold_new(unsigned rate_per_s, unsigned max_keys)
{
	struct fold *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->rate = rate_per_s;
	f->max_keys = max_keys ? max_keys : FOLD_KEYS_MAX;
	f->keep = -1;
	f->v = calloc(f->max_keys, sizeof(*f->v));
	if (!f->v) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	return f;
}

void fold_free(struct fold *f)
{
	unsigned i;

	if (!f)
		return;
	for (i = 0; i < f->max_keys; i++) {
		free(f->v[i].exe);
		free(f->v[i].members);
	}
	free(f->v);
	free(f);
}

static bool same_key(const struct fold_entry *e, const char *exe,
		     enum action verdict, enum verdict_reason reason)
{
	if (!e->used || e->verdict != verdict || e->reason != reason)
		return false;
	if (!e->exe || !exe)
		return !e->exe && !exe;
	return !strcmp(e->exe, exe);
}

/* Send e's summary if it folded anything, and start a new window. */
static void entry_close_window(struct fold *f, struct fold_entry *e,
			       uint64_t now_ms, fold_summary_fn cb, void *data)
{
	if (e->folded) {
		f->st.summaries++;
		cb(e->exe, e->verdict, e->members, e->len, e->folded, data);
	}
	e->window_ms = now_ms;
	e->in_window = 0;
	e->folded = 0;
	e->len = 0;
}

/* A slot for a new key: a free one, or the least recently used one
 * after its summary.  -ENOMEM when the key cannot be stored. */
static int entry_new(struct fold *f, const char *exe, enum action verdict,
		     enum verdict_reason reason, uint64_t now_ms,
		     fold_summary_fn cb, void *data)
{
	struct fold_entry *e;
	unsigned i, victim = 0;
	char *copy = NULL;

	for (i = 0; i < f->max_keys && f->v[i].used; i++)
		if (f->v[i].last_use < f->v[victim].last_use)
			victim = i;
	if (i == f->max_keys) {
		i = victim;
		f->st.evictions++;
		entry_close_window(f, &f->v[i], now_ms, cb, data);
	}
	e = &f->v[i];
	if ((exe && !(copy = strdup(exe))) ||
	    (!e->members && !(e->members = malloc(FOLD_MEMBERS_MAX)))) {
		free(copy);
		return -ENOMEM;
	}
	free(e->exe);
	e->exe = copy;
	e->used = true;
	e->verdict = verdict;
	e->reason = reason;
	e->window_ms = now_ms;
	e->in_window = 0;
	e->folded = 0;
	e->len = 0;
	return (int)i;
}

enum fold_verdict fold_account(struct fold *f, const char *exe,
			       enum action verdict, enum verdict_reason reason,
			       uint64_t now_ms, fold_summary_fn cb, void *data)
{
	struct fold_entry *e;
	int i;

	f->keep = -1;
	if (!f->rate)
		return FOLD_SEND;
	for (i = 0; i < (int)f->max_keys; i++)
		if (same_key(&f->v[i], exe, verdict, reason))
			break;
	if (i == (int)f->max_keys &&
	    (i = entry_new(f, exe, verdict, reason, now_ms, cb, data)) < 0)
		return FOLD_SEND;	/* no memory: never fold blindly */
	e = &f->v[i];
	e->last_use = ++f->use;
	if (now_ms >= e->window_ms + FOLD_WINDOW_MS)
		entry_close_window(f, e, now_ms, cb, data);
	if (e->in_window++ < f->rate)
		return FOLD_SEND;
	e->folded++;
	f->st.folded++;
	if (e->folded > 1)
		return FOLD_COUNT;
	f->keep = i;
	return FOLD_KEEP;
}

int fold_keep(struct fold *f, const char *members, size_t len)
{
	struct fold_entry *e;

	if (f->keep < 0)
		return -EINVAL;
	e = &f->v[f->keep];
	f->keep = -1;
	if (len > FOLD_MEMBERS_MAX) {
		e->folded--;
		f->st.folded--;
		return -E2BIG;
	}
	memcpy(e->members, members, len);
	e->len = len;
	return 0;
}

void fold_flush(struct fold *f, uint64_t now_ms, int all, fold_summary_fn cb,
		void *data)
{
	unsigned i;

	for (i = 0; i < f->max_keys; i++) {
		struct fold_entry *e = &f->v[i];

		if (e->used && e->folded &&
		    (all || now_ms >= e->window_ms + FOLD_WINDOW_MS))
			entry_close_window(f, e, now_ms, cb, data);
	}
}

void fold_get_stats(const struct fold *f, struct fold_stats *out)
{
	*out = f->st;
}
