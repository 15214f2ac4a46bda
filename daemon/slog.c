/* slog.c - see slog.h. */
#include "slog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* FIFO records: a 4-byte length, then the bytes, packed from head to tail
 * in one buffer; compacted to the front when the tail reaches the end. */
#define REC_HDR sizeof(uint32_t)

struct slog {
	int fd;
	struct sockaddr_un addr;
	socklen_t addrlen;
	bool connected, ever_connected;
	uint64_t retry_at_ms;
	char *q;
	size_t cap, head, tail, n;
	uint64_t unreported;
	struct slog_stats st;
};

struct slog *slog_open(const char *path, size_t queue_bytes)
{
	struct slog *s;
	size_t plen = strlen(path);

	if (plen == 0 || plen >= sizeof(s->addr.sun_path)) {
		errno = plen ? ENAMETOOLONG : EINVAL;
		return NULL;
	}
	if (queue_bytes < REC_HDR + 1) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->q = malloc(queue_bytes);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!s->q || s->fd < 0) {
		int e = errno;

		slog_close(s);
		errno = e;
		return NULL;
	}
	s->cap = queue_bytes;
	s->addr.sun_family = AF_UNIX;
	memcpy(s->addr.sun_path, path, plen);
	s->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + 1);
	return s;
}

void slog_close(struct slog *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->q);
	free(s);
}

int slog_fd(const struct slog *s)
{
	return s->fd;
}

bool slog_want_write(const struct slog *s)
{
	return s->connected && s->n > 0;
}

/* A datagram socket may connect again: the same fd serves a receiver that
 * restarted (new socket file) or appeared late. */
static void slog_connect(struct slog *s, uint64_t now_ms)
{
	if (s->connected || now_ms < s->retry_at_ms)
		return;
	if (connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) < 0) {
		s->retry_at_ms = now_ms + SLOG_RETRY_MS;
		return;
	}
	s->connected = true;
	if (s->ever_connected)
		s->st.reconnects++;
	s->ever_connected = true;
}

static void slog_disconnect(struct slog *s, uint64_t retry_at_ms)
{
	struct sockaddr_un none = { .sun_family = AF_UNSPEC };

	/* AF_UNSPEC dissolves the association, so a dead peer is not kept. */
	(void)connect(s->fd, (struct sockaddr *)&none, sizeof(none.sun_family));
	s->connected = false;
	s->retry_at_ms = retry_at_ms;
}

/* 0 sent, -EAGAIN try later (kept), -EMSGSIZE never (drop it).  A dead
 * receiver (ECONNREFUSED, ...) is dropped and its path connected again at
 * once: a restarted syslog daemon has usually made its new socket. */
static int slog_try(struct slog *s, const char *msg, size_t len, uint64_t now_ms)
{
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		slog_connect(s, now_ms);
		if (!s->connected)
			return -EAGAIN;
		if (send(s->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
			s->st.sent++;
			return 0;
		}
		switch (errno) {
		case EAGAIN:
		case ENOBUFS:
		case EINTR:
			return -EAGAIN;
		case EMSGSIZE:
			return -EMSGSIZE;
		default:	/* ECONNREFUSED, ENOTCONN, EPIPE... */
			slog_disconnect(s, attempt ? now_ms + SLOG_RETRY_MS : now_ms);
			break;
		}
	}
	return -EAGAIN;
}

static void slog_drop(struct slog *s)
{
	s->st.dropped++;
	s->unreported++;
}

static int slog_push(struct slog *s, const char *msg, size_t len)
{
	uint32_t l = (uint32_t)len;

	if (s->cap - s->tail < REC_HDR + len && s->head > 0) {
		memmove(s->q, s->q + s->head, s->tail - s->head);
		s->tail -= s->head;
		s->head = 0;
	}
	if (s->cap - s->tail < REC_HDR + len) {
		slog_drop(s);
		return -ENOBUFS;
	}
	memcpy(s->q + s->tail, &l, REC_HDR);
	memcpy(s->q + s->tail + REC_HDR, msg, len);
	s->tail += REC_HDR + len;
	s->n++;
	s->st.deferred++;
	return 1;
}

int slog_send(struct slog *s, const char *msg, size_t len, uint64_t now_ms)
{
	int r;

	if (len > SLOG_MSG_MAX || len + REC_HDR > s->cap) {
		slog_drop(s);
		return -EMSGSIZE;
	}
	if (s->n && slog_flush(s, now_ms))
		return slog_push(s, msg, len);	/* keep the order */
	r = slog_try(s, msg, len, now_ms);
	if (r == -EAGAIN)
		return slog_push(s, msg, len);
	if (r == -EMSGSIZE)
		slog_drop(s);
	return r;
}

size_t slog_flush(struct slog *s, uint64_t now_ms)
{
	while (s->n) {
		uint32_t l;
		int r;

		memcpy(&l, s->q + s->head, REC_HDR);
		r = slog_try(s, s->q + s->head + REC_HDR, l, now_ms);
		if (r == -EAGAIN)
			break;
		if (r == -EMSGSIZE)
			slog_drop(s);
		s->head += REC_HDR + l;
		s->n--;
	}
	if (!s->n)
		s->head = s->tail = 0;
	return s->n;
}

uint64_t slog_take_loss(struct slog *s)
{
	uint64_t n;

	if (s->n || !s->connected)
		return 0;
	n = s->unreported;
	s->unreported = 0;
	return n;
}

void slog_get_stats(const struct slog *s, struct slog_stats *st)
{
	*st = s->st;
	st->queued = s->n;
	st->queued_bytes = s->tail - s->head;
	st->connected = s->connected;
}
