/* logsink.c - see logsink.h. */
#include "logsink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>

#include "event.h"
#include "loop.h"
#include "rfc5424.h"
#include "slog.h"

#define LOGSINK_FRAME_MAX (RFC5424_HEADER_MAX + EVENT_LINE_MAX)

struct sink {
	const char *spec;
	FILE *f;			/* file or stdout sink */
	struct slog *s;			/* syslog sink */
	bool armed;			/* EPOLLOUT registered */
	uint64_t written, dropped;
	struct logsinks *ls;
};

struct logsinks {
	struct sink sink[CONFIG_LOG_SINKS_MAX];
	unsigned n;
	char host[CONFIG_HOST_MAX];
	long pid;
	struct loop *loop;
	char *frame;			/* LOGSINK_FRAME_MAX bytes */
	void (*on_loss)(void *data, const char *spec, uint64_t dropped);
	void *data;
};

unsigned logsink_severity(const char *type)
{
	if (!strcmp(type, "warning") || !strcmp(type, "audit-loss"))
		return RFC5424_SEV_WARNING;
	if (!strcmp(type, "prompt") || !strcmp(type, "rule-change"))
		return RFC5424_SEV_NOTICE;
	return RFC5424_SEV_INFO;
}

static int sink_open(struct sink *k, const char *spec, size_t queue_bytes,
		     char *err, size_t errlen)
{
	const char *path;

	k->spec = spec;
	if (config_sink_syslog(spec, &path)) {
		k->s = slog_open(path, queue_bytes ? queue_bytes : SLOG_QUEUE_DEFAULT);
		if (!k->s) {
			int e = errno;

			snprintf(err, errlen, "%s: %s", spec, strerror(e));
			return -e;
		}
		return 0;
	}
	if (!strcmp(spec, "-")) {
		k->f = stdout;
		setvbuf(stdout, NULL, _IOLBF, 0);
		return 0;
	}
	k->f = fopen(spec, "ae");
	if (!k->f) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", spec, strerror(e));
		return -e;
	}
	return 0;
}

struct logsinks *logsinks_open(const struct logsink_opts *o, char *err,
			       size_t errlen)
{
	struct logsinks *ls;
	unsigned i;
	int r;

	if (o->n > CONFIG_LOG_SINKS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	ls = calloc(1, sizeof(*ls));
	if (!ls)
		return NULL;
	snprintf(ls->host, sizeof(ls->host), "%s", o->host ? o->host : "");
	ls->pid = o->pid;
	ls->on_loss = o->on_loss;
	ls->data = o->data;
	for (i = 0; i < o->n; i++) {
		ls->sink[i].ls = ls;
		if ((r = sink_open(&ls->sink[i], o->specs[i], o->queue_bytes,
				   err, errlen)) < 0)
			goto fail;
		ls->n++;
		if (ls->sink[i].s && !ls->frame &&
		    !(ls->frame = malloc(LOGSINK_FRAME_MAX))) {
			r = -ENOMEM;
			goto fail;
		}
	}
	return ls;
fail:
	logsinks_close(ls);
	errno = -r;
	return NULL;
}

uint64_t logsinks_drain(struct logsinks *ls, unsigned timeout_ms)
{
	uint64_t now = loop_now_ms(), end = now + timeout_ms, left = 0;
	unsigned i;

	for (i = 0; ls && i < ls->n; i++) {
		struct sink *k = &ls->sink[i];
		size_t n;

		if (!k->s)
			continue;
		while ((n = slog_flush(k->s, now)) > 0 && now < end) {
			struct pollfd p = { .fd = slog_fd(k->s), .events = POLLOUT };
			int wait = (int)(end - now);

			/* Unconnected: nothing to poll, retry when due. */
			if (!slog_want_write(k->s))
				(void)poll(NULL, 0, wait < 50 ? wait : 50);
			else
				(void)poll(&p, 1, wait);
			now = loop_now_ms();
		}
		left += n;
	}
	return left;
}

void logsinks_close(struct logsinks *ls)
{
	unsigned i;

	if (!ls)
		return;
	for (i = 0; i < ls->n; i++) {
		struct sink *k = &ls->sink[i];

		if (k->armed)
			(void)loop_del(ls->loop, slog_fd(k->s));
		if (k->s) {
			(void)slog_flush(k->s, loop_now_ms());
			slog_close(k->s);
		}
		if (k->f) {
			fflush(k->f);
			if (k->f != stdout)
				fclose(k->f);
		}
	}
	free(ls->frame);
	free(ls);
}

static void sink_report(struct sink *k)
{
	uint64_t lost = slog_take_loss(k->s);

	if (lost && k->ls->on_loss)
		k->ls->on_loss(k->ls->data, k->spec, lost);
}

static void sink_on_writable(struct loop *l, int fd, uint32_t events, void *data);

/* EPOLLOUT only while a connected socket has messages waiting: an idle
 * datagram socket is always writable. */
static void sink_arm(struct sink *k)
{
	bool want = k->ls->loop && slog_want_write(k->s);

	if (want == k->armed)
		return;
	if (want && loop_add(k->ls->loop, slog_fd(k->s), EPOLLOUT,
			     sink_on_writable, k) < 0)
		return;		/* the tick still flushes */
	if (!want)
		(void)loop_del(k->ls->loop, slog_fd(k->s));
	k->armed = want;
}

static void sink_on_writable(struct loop *l, int fd, uint32_t events, void *data)
{
	struct sink *k = data;

	(void)l, (void)fd, (void)events;
	(void)slog_flush(k->s, loop_now_ms());
	sink_arm(k);
	sink_report(k);
}

void logsinks_attach(struct logsinks *ls, struct loop *l)
{
	unsigned i;

	ls->loop = l;
	for (i = 0; i < ls->n; i++)
		if (ls->sink[i].s)
			sink_arm(&ls->sink[i]);
}

static int sink_syslog(struct logsinks *ls, struct sink *k, const char *type,
		       const struct timespec *ts, const char *line, size_t len,
		       uint64_t now_ms)
{
	const struct rfc5424_hdr h = {
		.facility = RFC5424_FAC_DAEMON, .severity = logsink_severity(type),
		.ts = ts, .hostname = ls->host, .app_name = "tattled",
		.procid = ls->pid, .msgid = type,
	};
	int n = rfc5424_format(&h, line, len, ls->frame, LOGSINK_FRAME_MAX);

	if (n < 0)
		return n;
	n = slog_send(k->s, ls->frame, (size_t)n, now_ms);
	sink_arm(k);
	return n < 0 ? n : 0;
}

unsigned logsinks_write(struct logsinks *ls, const char *type,
			const struct timespec *ts, const char *line, size_t len,
			uint64_t now_ms)
{
	unsigned i, failed = 0;

	if (!ls)
		return 0;
	for (i = 0; i < ls->n; i++) {
		struct sink *k = &ls->sink[i];
		bool ok;

		if (k->s)
			ok = sink_syslog(ls, k, type, ts, line, len, now_ms) == 0;
		else
			ok = fwrite(line, 1, len, k->f) == len;
		if (ok) {
			k->written++;
		} else {
			k->dropped++;
			failed++;
		}
	}
	return failed;
}

void logsinks_flush(struct logsinks *ls)
{
	unsigned i;

	for (i = 0; ls && i < ls->n; i++)
		if (ls->sink[i].f)
			fflush(ls->sink[i].f);
}

void logsinks_tick(struct logsinks *ls, uint64_t now_ms)
{
	unsigned i;

	for (i = 0; ls && i < ls->n; i++) {
		struct sink *k = &ls->sink[i];

		if (!k->s)
			continue;
		(void)slog_flush(k->s, now_ms);
		sink_arm(k);
		sink_report(k);
	}
}

int logsinks_get_stats(const struct logsinks *ls, unsigned i,
		       struct logsink_stats *st)
{
	const struct sink *k;

	memset(st, 0, sizeof(*st));
	if (!ls || i >= ls->n)
		return -ENOENT;
	k = &ls->sink[i];
	st->spec = k->spec;
	st->syslog = k->s != NULL;
	if (k->s) {
		struct slog_stats ss;

		slog_get_stats(k->s, &ss);
		st->written = ss.sent;
		st->dropped = ss.dropped;
		st->queued = ss.queued;
		st->deferred = ss.deferred;
		st->reconnects = ss.reconnects;
		st->connected = ss.connected;
	} else {
		st->written = k->written;
		st->dropped = k->dropped;
	}
	return 0;
}
