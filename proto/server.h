/* server.h - the event/control unix socket (proto/PROTOCOL.md).
 *
 * Many clients at once, all on the daemon's loop thread; nothing here ever
 * blocks.  Each client has a capped input line (CTL_LINE_MAX) and a
 * bounded output queue: when a subscriber stops reading, its OLDEST queued
 * events are dropped and it is told how many with a "dropped" line before
 * the next line it gets, so a slow UI never slows a verdict.  Replies are
 * never dropped: a client whose unread replies alone exceed the cap is
 * disconnected, as is one that sends SERVER_GARBAGE_MAX bad lines in a row.
 *
 * Slots are shared fairly: the peer's uid (SO_PEERCRED, at connect time)
 * may hold at most SERVER_PER_UID_MAX connections unless it is root, and
 * SERVER_ROOT_SLOTS are never given to non-root peers, so no member of
 * the socket's group can lock root (or other users) out.
 *
 * The server answers subscribe, unsubscribe and prompt.register itself and
 * hands every other command to ops->request. */
#ifndef TATTLE_SERVER_H
#define TATTLE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "jsonw.h"

struct loop;
struct server;
struct server_client;

#define SERVER_MAX_CLIENTS	64
#define SERVER_PER_UID_MAX	8	/* connections of one non-root uid */
#define SERVER_ROOT_SLOTS	4	/* of SERVER_MAX_CLIENTS, kept for uid 0 */
#define SERVER_IDLE_EVICT_MS	1000	/* a client silent this long may be
					 * closed when all slots are taken */
#define SERVER_OUT_MAX		(1u << 20)	/* queued bytes per client */
#define SERVER_OUT_LINES	8192		/* queued lines per client */
#define SERVER_GARBAGE_MAX	16		/* bad lines in a row */
#define SERVER_REPLY_MAX	(256u * 1024)	/* one reply line */
#define SERVER_GROUP		"tattle"

/* ops->request's "answered later": no reply now.  The client's further
 * requests wait (unread) until server_answer() answers this one, so each
 * client still gets its replies in the order it asked. */
#define SERVER_LATER	1

/* Whom a postponed request is answered to: the connection (by its id,
 * never reused; gone by then: the answer is dropped) and the request's
 * id. */
struct server_ticket {
	uint64_t client;
	bool has_id;
	int64_t id;
};

struct server_ops {
	/* Answer req: write exactly one JSON value (the "result") into w and
	 * return 0, or return -errno with *err filled (nothing written to w
	 * is kept then), or return SERVER_LATER and answer it later with
	 * server_answer() (server_ticket() says to whom).  Runs on the loop
	 * thread; must not block. */
	int (*request)(void *data, struct server_client *c,
		       const struct ctl_req *req, struct jw *w,
		       struct ctl_error *err);
	/* c is going away (may be NULL). */
	void (*closed)(void *data, struct server_client *c);
};

struct server_stats {
	uint64_t clients;		/* connected now */
	uint64_t prompters;		/* of which registered as prompters */
	uint64_t accepted;		/* connections ever accepted */
	uint64_t refused;		/* over SERVER_MAX_CLIENTS, or over the
					 * per-uid limit (also in refused_uid) */
	uint64_t refused_uid;		/* over SERVER_PER_UID_MAX, or non-root
					 * over the slots not kept for root */
	uint64_t evicted_idle;		/* closed to make room: no request for
					 * SERVER_IDLE_EVICT_MS */
	uint64_t requests;		/* lines decoded as requests */
	uint64_t malformed;		/* bad JSON / not a request / unknown cmd */
	uint64_t too_long;		/* lines over CTL_LINE_MAX */
	uint64_t dropped;		/* events dropped from full queues */
	uint64_t disconnects;		/* clients we closed: garbage, overflow,
					 * write error */
};

/* Listen on path: mkdir -p its parent (0755), replace a stale socket (but
 * refuse -EADDRINUSE when a live server answers there, and never unlink a
 * non-socket), mode 0660, group SERVER_GROUP when it exists.  Registers
 * the listening fd on l.  ops and data are borrowed for the server's life.
 * NULL and errno on failure. */
struct server *server_open(struct loop *l, const char *path,
			   const struct server_ops *ops, void *data);
/* Disconnect everyone, unregister, unlink the socket.  NULL ok. */
void server_close(struct server *s);

/* Queue an event line (ending in '\n', at most CTL_LINE_MAX + 1 bytes) to
 * every subscriber whose filter passes m. */
void server_broadcast(struct server *s, const struct event_meta *m,
		      const char *line, size_t len);
/* Queue a prompt event line to every prompter, and to subscribers whose
 * filter takes "prompt" events. */
void server_prompt_event(struct server *s, const char *line, size_t len);
bool server_has_prompter(const struct server *s);

/* The ticket of req, asked on connection c (in ops->request). */
void server_ticket(const struct server_client *c, const struct ctl_req *req,
		   struct server_ticket *t);

/* Answer a request postponed with SERVER_LATER: result (one JSON value,
 * NUL-terminated) when err is NULL, else the error.  The client's waiting
 * requests are then read and answered.  A client that left meanwhile is
 * skipped. */
void server_answer(struct server *s, const struct server_ticket *t,
		   const char *result, const struct ctl_error *err);

void server_get_stats(const struct server *s, struct server_stats *st);

#endif
