/* emit.c - events the daemon itself produces: stamped with the next
 * sequence number and the wall clock, written to --log-events and to every
 * socket subscriber. */
#include "daemon.h"

#include <stdio.h>
#include <time.h>

#include "control.h"
#include "ctl.h"
#include "event.h"

void daemon_emit(struct daemon *d, const char *line, size_t len)
{
	d->st.events++;
	if (d->log && fwrite(line, 1, len, d->log) != len)
		d->st.events_dropped++;
}

void daemon_event_begin(struct daemon *d, struct jw *w, char *buf, size_t len,
			const char *type)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	jw_init(w, buf, len);
	event_begin(w, type, ++d->seq, &ts);
}

void daemon_event_end(struct daemon *d, struct jw *w, const char *type)
{
	const struct event_meta m = { .type = type };
	int n;

	jw_obj_end(w);
	if ((n = jw_finish(w)) < 0) {
		d->st.events_dropped++;
		return;
	}
	control_emit(d, &m, w->buf, (size_t)n);
}

void daemon_warning(struct daemon *d, const char *code, const char *msg,
		    const char *file)
{
	char line[EVENT_LINE_MAX];
	struct jw w;

	fprintf(stderr, "tattled: warning: %s%s%s\n", file ? file : "",
		file ? ": " : "", msg);
	daemon_event_begin(d, &w, line, sizeof(line), "warning");
	jw_kstr(&w, "code", code);
	jw_kstr(&w, "message", msg);
	if (file)
		jw_kstr(&w, "file", file);
	daemon_event_end(d, &w, "warning");
}
