/* emit.c - see emit.h. */
#include "emit.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "ctl.h"
#include "daemon.h"
#include "event.h"
#include "logsink.h"
#include "server.h"

void emit_begin(struct daemon *d, struct jw *w, char *buf, size_t len,
		const char *type)
{
	clock_gettime(CLOCK_REALTIME, &d->emit_ts);
	jw_init(w, buf, len);
	event_begin(w, type, ++d->seq, &d->emit_ts);
	/* Members every event carries go here. */
	jw_kstr(w, "host", d->host);
}

int emit_end(struct daemon *d, struct jw *w, const struct event_meta *m)
{
	int n;

	jw_obj_end(w);
	if ((n = jw_finish(w)) < 0) {
		/* Not sent: give its seq back, so seq stays gapless and a
		 * gap at a collector always means loss on the way. */
		d->seq--;
		d->st.events_dropped++;
		return -ENOSPC;
	}
	emit_line(d, m, w->buf, (size_t)n);
	return n;
}

/* Sinks: --log-events (files flushed before the loop sleeps, syslog
 * sockets that never block). */
static void sink_log(struct daemon *d, const struct event_meta *m,
		     const char *line, size_t len)
{
	/* The syslog TIMESTAMP is the event's own "ts". */
	if (d->sinks && logsinks_write(d->sinks, m->type, &d->emit_ts, line,
				       len, loop_now_ms()))
		d->st.events_dropped++;
}

/* Sink: socket clients.  Prompts go to every prompter as well as to the
 * subscribers that take them. */
static void sink_clients(struct daemon *d, const struct event_meta *m,
			 const char *line, size_t len)
{
	if (ctl_event_bit(m->type) == CTL_EV_PROMPT)
		server_prompt_event(d->server, line, len);
	else
		server_broadcast(d->server, m, line, len);
}

void emit_line(struct daemon *d, const struct event_meta *m,
	       const char *line, size_t len)
{
	d->st.events++;
	sink_log(d, m, line, len);
	sink_clients(d, m, line, len);
}

void emit_flush(struct daemon *d)
{
	logsinks_flush(d->sinks);
}

void emit_sink_lost(void *data, const char *sink, uint64_t dropped)
{
	struct daemon *d = data;
	char line[EVENT_LINE_MAX], msg[128];
	struct jw w;

	snprintf(msg, sizeof(msg), "%llu events lost: the sink was full or "
		 "absent for too long", (unsigned long long)dropped);
	fprintf(stderr, "tattled: warning: --log-events %s: %s\n", sink, msg);
	emit_begin(d, &w, line, sizeof(line), "warning");
	jw_kstr(&w, "code", "log-events-lost");
	jw_kstr(&w, "message", msg);
	jw_kstr(&w, "sink", sink);
	jw_kuint(&w, "dropped", dropped);
	(void)emit_end(d, &w, &(struct event_meta){ .type = "warning" });
}

void daemon_warning(struct daemon *d, const char *code, const char *msg,
		    const char *file)
{
	char line[EVENT_LINE_MAX];
	struct jw w;

	fprintf(stderr, "tattled: warning: %s%s%s\n", file ? file : "",
		file ? ": " : "", msg);
	emit_begin(d, &w, line, sizeof(line), "warning");
	jw_kstr(&w, "code", code);
	jw_kstr(&w, "message", msg);
	if (file)
		jw_kstr(&w, "file", file);
	(void)emit_end(d, &w, &(struct event_meta){ .type = "warning" });
}
