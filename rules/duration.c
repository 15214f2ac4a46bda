/* duration.c - see duration.h. */
#include "duration.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static const struct {
	const char *unit;
	uint64_t ns;
} go_units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
	{ "ms", 1000000 }, { "s", 1000000000ULL }, { "m", 60000000000ULL },
	{ "h", 3600000000000ULL },
};

/* One "<digits>[.<digits>]<unit>" element of [*p, end); advances *p and
 * adds its ns to *tot. */
static int go_elem(const char **p, const char *end, long double *tot)
{
	const char *q = *p;
	long double v = 0, scale = 1;
	size_t best = 0, bestlen = 0, i;
	bool digits = false;

	for (; q < end && *q >= '0' && *q <= '9'; q++, digits = true)
		v = v * 10 + (*q - '0');
	if (q < end && *q == '.')
		for (q++; q < end && *q >= '0' && *q <= '9'; q++, digits = true)
			v += (*q - '0') * (scale /= 10);
	if (!digits)
		return -EINVAL;
	for (i = 0; i < sizeof(go_units) / sizeof(go_units[0]); i++) {
		size_t n = strlen(go_units[i].unit);

		if ((size_t)(end - q) >= n && !memcmp(q, go_units[i].unit, n) &&
		    n > bestlen) {
			best = i;
			bestlen = n;
		}
	}
	if (!bestlen)
		return -EINVAL;
	*tot += v * go_units[best].ns;
	*p = q + bestlen;
	return 0;
}

int duration_parse_go(const char *s, size_t len, uint64_t *ms)
{
	const char *end = s + len;
	long double ns = 0;

	*ms = 0;
	if (s < end && *s == '+')
		s++;
	if (end - s == 1 && *s == '0')
		return 0;
	if (s == end)
		return -EINVAL;
	while (s < end)
		if (go_elem(&s, end, &ns) < 0 ||
		    ns / 1e6L > (long double)DURATION_MAX_MS)
			return -EINVAL;
	*ms = (uint64_t)(ns / 1e6L);
	return 0;
}
