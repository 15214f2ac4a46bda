/* stats.h - what the daemon counts and remembers for the `stats` and
 * `connections.list` commands, `tattle metrics` and "stats" events: the
 * ring of recent connection lines, verdicts per program, attribution
 * sources, the verdict-latency histogram, prompt and rule-edit counters;
 * and their JSON encoding.  Loop thread only; bounded memory. */
#ifndef TATTLE_STATS_H
#define TATTLE_STATS_H

#include <stddef.h>
#include <stdint.h>

struct audit_loss;
struct conn_event;
struct daemon;
struct jw;
struct stats;

#define STATS_RECENT_MAX	1024		/* connections.list ring */
#define STATS_RECENT_BYTES	(4u << 20)	/* and its byte cap */
#define STATS_PROGRAMS_MAX	256		/* per-program counters */

enum stats_counter {
	STATS_PROMPTS_ASKED,
	STATS_PROMPTS_ANSWERED,
	STATS_PROMPTS_EXPIRED,
	STATS_PROMPTS_REFUSED,		/* prompt table or packet list full */
	STATS_RULE_EDITS,		/* rules changed by control commands */
};
#define STATS_COUNTERS (STATS_RULE_EDITS + 1)

/* NULL and errno.  now_ms (monotonic) starts the uptime. */
struct stats *stats_new(uint64_t now_ms);
void stats_free(struct stats *s);	/* NULL ok */

/* Record a decided connection: its encoded line (with or without the
 * '\n'; NULL for a folded one, not sent alone) goes into the ring, its verdict, program, attribution source and
 * verdict_us into the counters.  s NULL: nothing. */
void stats_note_connection(struct stats *s, const struct conn_event *ev,
			   const char *line, size_t len);

/* Add n to a counter.  s NULL: nothing. */
void stats_add(struct stats *s, enum stats_counter what, uint64_t n);

/* The five audit loss counters as members of an open object: the stats
 * event's "audit" and both halves of an "audit-loss" event. */
void stats_put_loss(struct jw *w, const struct audit_loss *l);

/* The stats command's result members (d->stats must be set), written
 * into an open object: the command's result or a "stats" event. */
void stats_put(struct jw *w, const struct daemon *d, uint64_t now_ms);

/* The connections.list result: {"total","truncated","connections":[..]}
 * with the newest `limit` lines that fit in budget bytes, oldest first. */
void stats_put_connections(struct jw *w, const struct stats *s,
			   uint64_t limit, size_t budget);

#endif
