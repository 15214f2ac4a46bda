/* emit.h - the one event fan-out.  Every event tattled produces
 * (connection, prompt, stats, warning, rule-change, audit-loss) is stamped
 * here once and sent from here to every sink:
 *
 *	char line[EVENT_LINE_MAX];
 *	struct jw w;
 *
 *	emit_begin(d, &w, line, sizeof(line), "warning");
 *	jw_kstr(&w, "code", code);			(the event's own members)
 *	emit_end(d, &w, &(struct event_meta){ .type = "warning" });
 *
 * emit_begin() writes the common members (v, seq, type, ts, host: any
 * member every event should carry goes there).  emit_line() writes a
 * finished line to the sinks: the --log-events files and syslog sockets
 * (logsink.h) and the socket's subscribers (prompt events also reach every
 * prompter).
 *
 * Runs on the loop thread; never blocks.  Buffered sinks are flushed by
 * emit_flush(), which main.c's before-sleep hook calls once per wakeup. */
#ifndef TATTLE_EMIT_H
#define TATTLE_EMIT_H

#include <stddef.h>
#include <stdint.h>

struct daemon;
struct jw;
struct event_meta;

/* Open an event object of this type in buf, stamped with the next
 * sequence number and the wall clock. */
void emit_begin(struct daemon *d, struct jw *w, char *buf, size_t len,
		const char *type);

/* Close the object opened by emit_begin() and emit_line() it.  m says
 * what subscribers filter on (its type must be emit_begin's).  Returns
 * the line length (w's buffer holds the line, ending in '\n'), or
 * -ENOSPC when it did not fit (counted in events_dropped, not sent, and
 * its seq is given back so seq stays gapless: no emit_begin() may come
 * between an emit_begin() and its emit_end()). */
int emit_end(struct daemon *d, struct jw *w, const struct event_meta *m);

/* Send one finished event line (ending in '\n') to every sink. */
void emit_line(struct daemon *d, const struct event_meta *m,
	       const char *line, size_t len);

/* Flush the sinks that buffer (the log file). */
void emit_flush(struct daemon *d);

/* logsinks' on_loss (data: the daemon): a "warning" event with code
 * "log-events-lost", the sink and the count, also written to stderr. */
void emit_sink_lost(void *data, const char *sink, uint64_t dropped);

/* A "warning" event, also written to stderr.  file may be NULL. */
void daemon_warning(struct daemon *d, const char *code, const char *msg,
		    const char *file);

#endif
