/* emit.c - see emit.h. */
#include "emit.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "ctl.h"
#include "daemon.h"
#include "event.h"
#include "server.h"

void emit_begin(struct daemon *d, struct jw *w, char *buf, size_t len,
		const char *type)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	jw_init(w, buf, len);
	event_begin(w, type, ++d->seq, &ts);
	/* Members every event carries go here. */
}

int emit_end(struct daemon *d, struct jw *w, const struct event_meta *m)
{
	int n;

	jw_obj_end(w);
	if ((n = jw_finish(w)) < 0) {
		d->st.events_dropped++;
		return -ENOSPC;
	}
	emit_line(d, m, w->buf, (size_t)n);
	return n;
}

/* Sink: --log-events (a file or stdout); flushed before the loop sleeps. */
static void sink_log(struct daemon *d, const char *line, size_t len)
{
	if (d->log && fwrite(line, 1, len, d->log) != len)
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
	sink_log(d, line, len);
	sink_clients(d, m, line, len);
}

void emit_flush(struct daemon *d)
{
	if (d->log)
		fflush(d->log);
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
