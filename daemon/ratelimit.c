/* ratelimit.c - see ratelimit.h. */
#include "ratelimit.h"

bool ratelimit_hit(struct ratelimit *r, uint64_t now_ms, uint64_t *n)
{
	r->hits++;
	*n = 0;
	if (now_ms < r->next_ms)
		return false;
	*n = r->hits;
	r->hits = 0;
	r->next_ms = now_ms + RATELIMIT_INTERVAL_MS;
	return true;
}
