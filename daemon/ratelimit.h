/* ratelimit.h - at most one report per interval for conditions that
 * packets can trigger (overload, refused prompts), with the number of
 * occurrences since the last report, so nothing is silently lost and a
 * flood does not become a flood of warnings.  Time is a parameter. */
#ifndef TATTLE_RATELIMIT_H
#define TATTLE_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_INTERVAL_MS	1000

struct ratelimit {
	uint64_t next_ms;	/* no report before this (monotonic) */
	uint64_t hits;		/* occurrences since the last report */
};

/* Count one occurrence at now_ms.  true when it should be reported now,
 * with *n the occurrences it stands for (this one included); the count
 * restarts. */
bool ratelimit_hit(struct ratelimit *r, uint64_t now_ms, uint64_t *n);

#endif
