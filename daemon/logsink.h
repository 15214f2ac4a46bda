/* logsink.h - the --log-events sinks: files (or stdout) get each event
 * line as is; syslog sinks get it as one RFC 5424 message (APP-NAME
 * tattled, PROCID our pid, MSGID the event type, severity by type) through
 * a non-blocking datagram sender (slog.h).  Several sinks may be given.
 * A syslog sink that had to drop events reports the count through
 * on_loss once it has drained, from logsinks_tick() or its EPOLLOUT
 * callback (never from inside logsinks_write(), so reporting may emit). */
#ifndef TATTLE_LOGSINK_H
#define TATTLE_LOGSINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"

struct logsinks;
struct loop;

struct logsink_opts {
	const char (*specs)[CONFIG_PATH_MAX];	/* config's log_sinks */
	unsigned n;
	const char *host;		/* HOSTNAME field */
	long pid;			/* PROCID field */
	size_t queue_bytes;		/* per syslog sink; 0 = SLOG_QUEUE_DEFAULT */
	/* A syslog sink at spec lost `dropped` events since its last report. */
	void (*on_loss)(void *data, const char *spec, uint64_t dropped);
	void *data;
};

struct logsink_stats {
	const char *spec;
	bool syslog;
	uint64_t written;		/* lines written / datagrams sent */
	uint64_t dropped;		/* write errors / syslog drops */
	uint64_t queued;		/* syslog: waiting now */
	uint64_t deferred;		/* syslog: had to wait (EAGAIN, absent) */
	uint64_t reconnects;		/* syslog */
	bool connected;			/* syslog */
};

/* Open every sink: files are opened for append now (an error names the
 * file in err); syslog sockets connect on first use and whenever the
 * receiver comes back.  NULL and errno. */
struct logsinks *logsinks_open(const struct logsink_opts *o, char *err,
			       size_t errlen);
/* At exit: wait up to timeout_ms (blocking, the loop has stopped) for
 * waiting syslog messages to go out.  Returns how many still wait. */
uint64_t logsinks_drain(struct logsinks *ls, unsigned timeout_ms);

/* Flushes and closes files; waiting syslog messages are tried once. */
void logsinks_close(struct logsinks *ls);

/* Let the loop tell a full syslog socket's sinks when they drain. */
void logsinks_attach(struct logsinks *ls, struct loop *l);

/* One event line (ending in '\n') of the given type, stamped ts, to every
 * sink.  Returns the number of sinks that could not take it (a file write
 * error or a syslog drop; a syslog message waiting in the queue counts as
 * taken).  Never blocks on a syslog socket. */
unsigned logsinks_write(struct logsinks *ls, const char *type,
			const struct timespec *ts, const char *line, size_t len,
			uint64_t now_ms);

/* Flush file buffers (call after a batch of writes). */
void logsinks_flush(struct logsinks *ls);

/* Retry absent syslog sockets, send what waits, report drained losses. */
void logsinks_tick(struct logsinks *ls, uint64_t now_ms);

/* Stats of sink i (in --log-events order); 0, or -ENOENT past the last. */
int logsinks_get_stats(const struct logsinks *ls, unsigned i,
		       struct logsink_stats *st);

/* RFC 5424 severity for an event type: warning for "warning" and
 * "audit-loss", notice for "prompt" and "rule-change", else info. */
unsigned logsink_severity(const char *type);

#endif
