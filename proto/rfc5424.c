/* rfc5424.c - see rfc5424.h. */
#include "rfc5424.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct out {
	char *buf;
	size_t cap, len;
	int err;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	if (n > o->cap - o->len) {
		o->err = -ENOSPC;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* A header field: NILVALUE when empty, else PRINTUSASCII cut at max. */
static void put_field(struct out *o, const char *s, size_t max)
{
	size_t i;

	if (!s || !*s) {
		put(o, "-", 1);
		return;
	}
	for (i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		char ch = c >= 33 && c <= 126 ? (char)c : '_';

		put(o, &ch, 1);
	}
}

/* FULL-DATE "T" FULL-TIME with six TIME-SECFRAC digits, in UTC. */
static void put_time(struct out *o, const struct timespec *ts)
{
	char tb[40];
	struct tm tm;
	int n;

	/* tm_year + 1900 overflows int for the last years gmtime_r takes. */
	if (!ts || !gmtime_r(&ts->tv_sec, &tm) || tm.tm_year > 9999 - 1900 ||
	    tm.tm_year < -1900) {
		put(o, "-", 1);
		return;
	}
	n = snprintf(tb, sizeof(tb), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, (long)(ts->tv_nsec / 1000) % 1000000);
	put(o, tb, (size_t)n);
}

int rfc5424_format(const struct rfc5424_hdr *h, const char *msg,
		   size_t msg_len, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };
	char num[32];
	int n;

	if (h->facility > RFC5424_FACILITY_MAX || h->severity > RFC5424_SEVERITY_MAX)
		return -EINVAL;
	n = snprintf(num, sizeof(num), "<%u>1 ", h->facility * 8 + h->severity);
	put(&o, num, (size_t)n);
	put_time(&o, h->ts);
	put(&o, " ", 1);
	put_field(&o, h->hostname, RFC5424_HOSTNAME_MAX);
	put(&o, " ", 1);
	put_field(&o, h->app_name, RFC5424_APPNAME_MAX);
	put(&o, " ", 1);
	if (h->procid > 0) {
		n = snprintf(num, sizeof(num), "%ld", h->procid);
		put(&o, num, (size_t)n);
	} else {
		put(&o, "-", 1);
	}
	put(&o, " ", 1);
	put_field(&o, h->msgid, RFC5424_MSGID_MAX);
	put(&o, " -", 2);
	if (msg_len && msg[msg_len - 1] == '\n')
		msg_len--;
	if (msg_len) {
		put(&o, " ", 1);
		put(&o, msg, msg_len);
	}
	return o.err ? o.err : (int)o.len;
}
