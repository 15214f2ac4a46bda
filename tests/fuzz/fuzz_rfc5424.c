/* fuzz_rfc5424.c - RFC 5424 framing of one event line with arbitrary
 * header fields, time and message.  Input: 23 bytes of fixed fields (see
 * struct in_hdr below), then "HOST\0APP\0MSGID\0MSG" (MSG may hold any
 * byte; missing fields are NULL).  The output must be exactly the header
 * the contract describes (printable, cut at the RFC limits, at most
 * RFC5424_HEADER_MAX bytes) followed by the message unchanged, a smaller
 * buffer must give -ENOSPC without a byte written past it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "rfc5424.h"

#define IN_HDR		23
#define F_TS_NULL	0x01	/* ts = NULL */
#define F_TS_YEARS	0x02	/* tv_sec = int32 years * 31556952 + secs,
				 * so every representable year is reached */

static uint64_t le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Next NUL-terminated field of [*p, end), or NULL when there is no NUL. */
static const char *field(const char **p, const char *end)
{
	const char *s = *p, *nul = memchr(s, '\0', (size_t)(end - s));

	if (!nul)
		return NULL;
	*p = nul + 1;
	return s;
}

/* The header field as the contract says it is written; its length. */
static size_t expect_field(const char *s, size_t max, char *out)
{
	size_t i;

	if (!s || !*s) {
		out[0] = '-';
		return 1;
	}
	for (i = 0; s[i] && i < max; i++)
		out[i] = (unsigned char)s[i] >= 33 && (unsigned char)s[i] <= 126 ?
			 s[i] : '_';
	return i;
}

/* Compare the token at *o (up to the next space) with want[n]. */
static void expect_token(const char *buf, size_t len, size_t *o,
			 const char *want, size_t n)
{
	if (*o + n + 1 > len || memcmp(buf + *o, want, n) || buf[*o + n] != ' ')
		abort();
	*o += n + 1;
}

static bool digits(const char *s, size_t n, long *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* TIMESTAMP: "-" or YYYY-MM-DDTHH:MM:SS.uuuuuuZ naming ts exactly. */
static void check_time(const char *buf, size_t len, size_t *o,
		       const struct timespec *ts)
{
	const char *t = buf + *o;
	struct tm tm;
	long y, mo, d, h, mi, s, us;

	if (*o + 2 <= len && t[0] == '-' && t[1] == ' ') {
		/* NILVALUE only when the time cannot be shown. */
		if (ts && gmtime_r(&ts->tv_sec, &tm) &&
		    tm.tm_year >= -1900 && tm.tm_year <= 9999 - 1900)
			abort();
		*o += 2;
		return;
	}
	if (!ts || *o + 28 > len || t[4] != '-' || t[7] != '-' ||
	    t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.' ||
	    t[26] != 'Z' || t[27] != ' ' ||
	    !digits(t, 4, &y) || !digits(t + 5, 2, &mo) || !digits(t + 8, 2, &d) ||
	    !digits(t + 11, 2, &h) || !digits(t + 14, 2, &mi) ||
	    !digits(t + 17, 2, &s) || !digits(t + 20, 6, &us))
		abort();
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)s;
	if (timegm(&tm) != ts->tv_sec || us != ts->tv_nsec / 1000)
		abort();
	*o += 28;
}

static void check(const struct rfc5424_hdr *h, const char *msg, size_t mlen,
		  const char *buf, size_t len)
{
	char want[RFC5424_HEADER_MAX + 32];
	size_t o = 0, n, i;

	n = (size_t)snprintf(want, sizeof(want), "<%u>1",
			     h->facility * 8 + h->severity);
	expect_token(buf, len, &o, want, n);
	check_time(buf, len, &o, h->ts);
	expect_token(buf, len, &o, want,
		     expect_field(h->hostname, RFC5424_HOSTNAME_MAX, want));
	expect_token(buf, len, &o, want,
		     expect_field(h->app_name, RFC5424_APPNAME_MAX, want));
	n = h->procid > 0 ? (size_t)snprintf(want, sizeof(want), "%ld", h->procid) :
	    (size_t)snprintf(want, sizeof(want), "-");
	expect_token(buf, len, &o, want, n);
	n = expect_field(h->msgid, RFC5424_MSGID_MAX, want);
	if (o + n + 2 > len || memcmp(buf + o, want, n) || memcmp(buf + o + n, " -", 2))
		abort();
	o += n + 2;
	/* The header: printable US-ASCII and single-space separators. */
	if (o > RFC5424_HEADER_MAX)
		abort();
	for (i = 0; i < o; i++)
		if ((buf[i] < 33 || buf[i] > 126) && buf[i] != ' ')
			abort();
	if (mlen && msg[mlen - 1] == '\n')
		mlen--;
	if (mlen ? len != o + 1 + mlen || buf[o] != ' ' ||
		   memcmp(buf + o + 1, msg, mlen) : len != o)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timespec ts;
	struct rfc5424_hdr h;
	const char *p, *end;
	char *buf, *small;
	size_t mlen, cap;
	int r;

	if (size < IN_HDR || size > 70000)
		return 0;
	memset(&h, 0, sizeof(h));
	h.facility = data[0];
	h.severity = data[1];
	if (data[2] & F_TS_YEARS)
		ts.tv_sec = (time_t)(int32_t)le(data + 3, 4) * 31556952 +
			    (time_t)le(data + 7, 4);
	else
		ts.tv_sec = (time_t)le(data + 3, 8);
	ts.tv_nsec = (long)(le(data + 11, 4) % 1000000000u);
	h.ts = data[2] & F_TS_NULL ? NULL : &ts;
	h.procid = (long)le(data + 15, 8);
	p = (const char *)data + IN_HDR;
	end = (const char *)data + size;
	h.hostname = field(&p, end);
	h.app_name = h.hostname ? field(&p, end) : NULL;
	h.msgid = h.app_name ? field(&p, end) : NULL;
	if (!h.msgid)
		p = end;
	mlen = (size_t)(end - p);

	cap = RFC5424_HEADER_MAX + 1 + mlen;
	if (!(buf = malloc(cap)))
		abort();
	r = rfc5424_format(&h, p, mlen, buf, cap);
	if (h.facility > RFC5424_FACILITY_MAX || h.severity > RFC5424_SEVERITY_MAX) {
		if (r != -EINVAL)
			abort();
		free(buf);
		return 0;
	}
	if (r < 0)
		abort();	/* the documented bound must be enough */
	check(&h, p, mlen, buf, (size_t)r);
	/* One byte short: -ENOSPC, and ASan sees any write past it. */
	if (!(small = malloc(r > 0 ? (size_t)r - 1 : 1)))
		abort();
	if (r > 0 && rfc5424_format(&h, p, mlen, small, (size_t)r - 1) != -ENOSPC)
		abort();
	/* Exactly enough: the same bytes. */
	free(small);
	if (!(small = malloc((size_t)r)) ||
	    rfc5424_format(&h, p, mlen, small, (size_t)r) != r ||
	    memcmp(small, buf, (size_t)r))
		abort();
	free(small);
	free(buf);
	return 0;
}
