/* slog.h - a non-blocking sender of datagrams to a unix socket (a syslog
 * daemon's /dev/log).  It never blocks: while the socket is absent or full
 * (EAGAIN), messages wait in a byte-capped FIFO; past the cap they are
 * dropped and counted, and the count is handed to the caller once the
 * FIFO has drained, so the loss can be reported through the same socket.
 * An absent or restarted receiver is reconnected at most every
 * SLOG_RETRY_MS.  Time is a parameter. */
#ifndef TATTLE_SLOG_H
#define TATTLE_SLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLOG_DEFAULT_PATH	"/dev/log"
#define SLOG_QUEUE_DEFAULT	(4u * 1024 * 1024)	/* bytes waiting */
#define SLOG_MSG_MAX		(64u * 1024)	/* larger is dropped */
#define SLOG_RETRY_MS		500

struct slog;

struct slog_stats {
	uint64_t sent;		/* datagrams the socket accepted */
	uint64_t dropped;	/* FIFO full, or too large: lost */
	uint64_t deferred;	/* had to wait in the FIFO (EAGAIN, absent) */
	uint64_t queued;	/* waiting now */
	uint64_t queued_bytes;
	uint64_t reconnects;	/* successful connects after the first */
	bool connected;
};

/* A socket for path (not connected yet: the first send or flush tries).
 * NULL and errno: ENAMETOOLONG, EINVAL (queue_bytes 0), ENOMEM, or the
 * socket() error. */
struct slog *slog_open(const char *path, size_t queue_bytes);
void slog_close(struct slog *s);

/* The socket, for EPOLLOUT while slog_want_write(). */
int slog_fd(const struct slog *s);
/* Connected with messages waiting: the socket will say when it drains. */
bool slog_want_write(const struct slog *s);

/* Send one message as one datagram, or queue it behind earlier ones.
 * 0 sent, 1 queued, -ENOBUFS dropped (FIFO full), -EMSGSIZE dropped (too
 * large for the FIFO or the socket).  Never blocks. */
int slog_send(struct slog *s, const char *msg, size_t len, uint64_t now_ms);

/* Reconnect if due, then send waiting messages until the socket is full.
 * Returns the number of messages still waiting. */
size_t slog_flush(struct slog *s, uint64_t now_ms);

/* Messages dropped and not yet reported, once nothing waits and the
 * socket is connected (so a report sent now goes out in order); resets
 * the count.  0 otherwise. */
uint64_t slog_take_loss(struct slog *s);

void slog_get_stats(const struct slog *s, struct slog_stats *st);

#endif
