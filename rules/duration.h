/* duration.h - Go durations as OpenSnitch writes them ("30s", "1h30m",
 * "1.5h", "500ms"): the one grammar that rule files and the control
 * socket's prompt answers share.  No I/O. */
#ifndef TATTLE_DURATION_H
#define TATTLE_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define DURATION_MAX_MS	(100ULL * 366 * 24 * 3600 * 1000)	/* 100 years */

/* s[0..len) (need not be NUL-terminated) to ms, as Go's
 * time.ParseDuration reads it: an optional '+', then one or more
 * <decimal>[.<decimal>]<unit> with unit ns, us, µs, ms, s, m or h; "0"
 * alone is 0.  0 and *ms; -EINVAL (empty, negative, unknown unit, over
 * DURATION_MAX_MS) with *ms 0. */
int duration_parse_go(const char *s, size_t len, uint64_t *ms);

#endif
