/* server.c - see server.h. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "loop.h"

#define SERVER_ACCEPT_BATCH	16	/* accepts per wakeup */
#define SERVER_READ_BATCH	4	/* reads per client wakeup: fairness */
#define SERVER_IN_CAP		(CTL_LINE_MAX + 1)

struct out_line {
	struct out_line *next;
	size_t len;
	bool reply;			/* replies are never dropped */
	char buf[];
};

struct server_client {
	struct server *s;
	int fd;
	uint64_t id;
	bool dead;			/* closed; freed by server_reap() */
	bool eof;			/* peer shut down writing: flush, close */
	bool want_out;			/* EPOLLOUT armed */
	bool subscribed;
	bool prompter;
	bool later;			/* a request answered later: read no
					 * more until it is (server_answer) */
	uid_t uid;			/* SO_PEERCRED at connect time */
	uint64_t connected_ms;		/* monotonic, for idle eviction */
	uint64_t requests;		/* request lines decoded */
	struct ctl_filter filter;
	char *in;			/* SERVER_IN_CAP bytes */
	size_t in_len;
	bool discarding;		/* inside an over-long line */
	unsigned bad_run;		/* consecutive bad lines */
	struct out_line *head, *tail;
	size_t head_off;		/* bytes of head already written */
	size_t out_bytes, out_lines;
	uint64_t dropped_unsent;	/* events lost since the last notice */
};

struct server {
	struct loop *loop;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct server_ops *ops;
	void *data;
	uint64_t next_id;
	struct server_stats st;
	struct server_client *clients[SERVER_MAX_CLIENTS];
	char *reply;			/* SERVER_REPLY_MAX */
	unsigned busy;			/* inside a client callback: no reaping */
};

static void on_client(struct loop *l, int fd, uint32_t events, void *data);

static void client_free(struct server_client *c)
{
	struct out_line *o, *next;

	for (o = c->head; o; o = next) {
		next = o->next;
		free(o);
	}
	free(c->in);
	free(c);
}

/* Close now; the memory goes in server_reap() so callers up the stack may
 * still look at c->dead. */
static void client_kill(struct server_client *c, bool by_us)
{
	struct server *s = c->s;

	if (c->dead)
		return;
	c->dead = true;
	if (s->ops && s->ops->closed)
		s->ops->closed(s->data, c);
	(void)loop_del(s->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	s->st.disconnects += by_us;
}

static void server_reap(struct server *s)
{
	unsigned i;

	/* A handler may broadcast (rule-change) and so kill its own client;
	 * the memory must outlive the callback that is still using it. */
	if (s->busy)
		return;
	for (i = 0; i < SERVER_MAX_CLIENTS; i++) {
		if (s->clients[i] && s->clients[i]->dead) {
			client_free(s->clients[i]);
			s->clients[i] = NULL;
		}
	}
}

/* Poll for input unless the peer stopped writing or a request of its
 * waits for a later answer; for output while lines wait. */
static void client_poll(struct server_client *c)
{
	uint32_t ev = (c->eof || c->later ? 0 : EPOLLIN) |
		      (c->want_out ? EPOLLOUT : 0);

	if (!c->dead && loop_mod(c->s->loop, c->fd, ev) < 0)
		client_kill(c, true);
}

static void client_set_out(struct server_client *c, bool want)
{
	if (c->want_out == want)
		return;
	c->want_out = want;
	client_poll(c);
}

static struct out_line *line_new(const char *buf, size_t len, bool reply)
{
	struct out_line *o = malloc(sizeof(*o) + len);

	if (!o)
		return NULL;
	o->next = NULL;
	o->len = len;
	o->reply = reply;
	memcpy(o->buf, buf, len);
	return o;
}

static void out_unlink(struct server_client *c, struct out_line *prev,
		       struct out_line *o)
{
	if (prev)
		prev->next = o->next;
	else
		c->head = o->next;
	if (c->tail == o)
		c->tail = prev;
	c->out_bytes -= o->len;
	c->out_lines--;
	free(o);
}

/* Drop the oldest droppable event (never a line partly written).
 * false when there is none. */
static bool out_drop_oldest(struct server_client *c)
{
	struct out_line *prev = NULL, *o = c->head;

	if (o && c->head_off) {
		prev = o;
		o = o->next;
	}
	while (o && o->reply) {
		prev = o;
		o = o->next;
	}
	if (!o)
		return false;
	out_unlink(c, prev, o);
	c->dropped_unsent++;
	c->s->st.dropped++;
	return true;
}

/* Put the "dropped" notice in front of everything not yet started. */
static void out_push_notice(struct server_client *c)
{
	char buf[64];
	struct out_line *o;
	int n = ctl_dropped_encode(c->dropped_unsent, buf, sizeof(buf));

	if (n < 0 || !(o = line_new(buf, (size_t)n, true)))
		return;		/* retried before the next line */
	o->next = c->head;
	c->head = o;
	if (!c->tail)
		c->tail = o;
	c->out_bytes += o->len;
	c->out_lines++;
	c->dropped_unsent = 0;
}

static void client_flush(struct server_client *c)
{
	while (!c->dead) {
		ssize_t n;

		if (!c->head_off && c->dropped_unsent)
			out_push_notice(c);
		if (!c->head)
			break;
		n = send(c->fd, c->head->buf + c->head_off,
			 c->head->len - c->head_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			client_set_out(c, true);
			return;
		}
		if (n < 0) {
			client_kill(c, true);
			return;
		}
		c->head_off += (size_t)n;
		if (c->head_off == c->head->len) {
			c->head_off = 0;
			out_unlink(c, NULL, c->head);
		}
	}
	if (c->dead)
		return;
	if (c->eof && !c->later) {
		client_kill(c, false);
		return;
	}
	client_set_out(c, false);
}

/* Queue a line, trimming the oldest events to stay within the caps. */
static void client_send(struct server_client *c, const char *line, size_t len,
			bool reply)
{
	struct out_line *o;

	if (c->dead)
		return;
	if (!(o = line_new(line, len, reply))) {
		if (!reply) {
			c->dropped_unsent++;
			c->s->st.dropped++;
		}
		return;
	}
	if (c->tail)
		c->tail->next = o;
	else
		c->head = o;
	c->tail = o;
	c->out_bytes += len;
	c->out_lines++;
	while (c->out_bytes > SERVER_OUT_MAX || c->out_lines > SERVER_OUT_LINES) {
		if (!out_drop_oldest(c)) {
			/* Only unread replies left: it is not reading. */
			client_kill(c, true);
			return;
		}
	}
	if (!c->want_out)
		client_flush(c);
}

static void client_error(struct server_client *c, const struct ctl_req *req,
			 const struct ctl_error *err)
{
	char buf[CTL_MSG_MAX + 128];
	int n = ctl_error_encode(req, err, buf, sizeof(buf));

	if (n > 0)
		client_send(c, buf, (size_t)n, true);
}

/* Commands that only change this connection's state. */
static int builtin(struct server_client *c, const struct ctl_req *req,
		   struct jw *w, struct ctl_error *err)
{
	struct ctl_filter f;
	int r;

	switch (req->cmd) {
	case CTL_SUBSCRIBE:
		if ((r = ctl_parse_filter(req->args, &f, err)) < 0)
			return r;
		c->filter = f;
		c->subscribed = true;
		break;
	case CTL_UNSUBSCRIBE:
		c->subscribed = false;
		break;
	case CTL_PROMPT_REGISTER:
		c->prompter = true;
		break;
	default:
		return 1;
	}
	jw_obj_begin(w);
	jw_kbool(w, "subscribed", c->subscribed);
	jw_kbool(w, "prompter", c->prompter);
	jw_obj_end(w);
	return 0;
}

static void client_request(struct server_client *c, const struct ctl_req *req)
{
	struct server *s = c->s;
	struct ctl_error err = { .code = NULL };
	struct jw w;
	int r, n;

	jw_init(&w, s->reply, SERVER_REPLY_MAX);
	ctl_reply_begin(&w, req);
	r = builtin(c, req, &w, &err);
	if (r == 1 && s->ops && s->ops->request) {
		r = s->ops->request(s->data, c, req, &w, &err);
		if (r == SERVER_LATER) {
			c->later = true;
			client_poll(c);
			return;
		}
	} else if (r == 1) {
		ctl_seterr(&err, CTL_E_UNAVAILABLE, "command not available");
	}
	if (r != 0) {
		client_error(c, req, &err);
		return;
	}
	n = ctl_reply_end(&w);
	if (n < 0) {
		ctl_seterr(&err, CTL_E_TOO_LARGE, "reply over %u bytes; ask for less",
			   SERVER_REPLY_MAX);
		client_error(c, req, &err);
		return;
	}
	client_send(c, s->reply, (size_t)n, true);
}

static void client_bad_line(struct server_client *c, const struct ctl_req *req,
			    const struct ctl_error *err)
{
	client_error(c, req, err);
	if (++c->bad_run >= SERVER_GARBAGE_MAX)
		client_kill(c, true);
}

static void client_line(struct server_client *c, const char *line, size_t len)
{
	struct ctl_req req;
	struct ctl_error err;
	int r;

	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return;		/* blank lines are keep-alives, not garbage */
	r = ctl_decode(line, len, &req, &err);
	if (r < 0) {
		c->s->st.malformed++;
		client_bad_line(c, &req, &err);
		ctl_req_free(&req);
		return;
	}
	c->s->st.requests++;
	c->requests++;
	c->bad_run = 0;
	client_request(c, &req);
	ctl_req_free(&req);
}

/* Split the input buffer into lines; keep a partial tail; turn a buffer
 * full without a newline into one "line-too-long" and skip to its end. */
static void client_lines(struct server_client *c)
{
	size_t start = 0;
	char *nl;

	while (!c->dead && !c->later && start < c->in_len &&
	       (nl = memchr(c->in + start, '\n', c->in_len - start))) {
		size_t len = (size_t)(nl - (c->in + start));

		if (c->discarding)
			c->discarding = false;
		else
			client_line(c, c->in + start, len);
		start += len + 1;
	}
	if (c->dead)
		return;
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (c->later)
		return;		/* the rest waits for the answer */
	if (c->in_len == SERVER_IN_CAP) {
		struct ctl_error err;

		c->in_len = 0;
		if (c->discarding)
			return;
		c->discarding = true;
		c->s->st.too_long++;
		ctl_seterr(&err, CTL_E_TOO_LONG, "line over %u bytes discarded",
			   CTL_LINE_MAX);
		client_bad_line(c, NULL, &err);
	}
}

static void client_read(struct server_client *c)
{
	int i;

	for (i = 0; i < SERVER_READ_BATCH && !c->dead && !c->eof && !c->later;
	     i++) {
		ssize_t n = read(c->fd, c->in + c->in_len, SERVER_IN_CAP - c->in_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			/* EOF: answer what was asked, then close. */
			c->eof = true;
			if (!c->head && !c->later)
				client_kill(c, false);
			else {
				c->want_out = false;
				client_set_out(c, true);
			}
			return;
		}
		c->in_len += (size_t)n;
		client_lines(c);
	}
}

static void on_client(struct loop *l, int fd, uint32_t events, void *data)
{
	struct server_client *c = data;
	struct server *s = c->s;

	(void)l;
	if (c->dead || c->fd != fd)
		return;
	s->busy++;
	if (events & EPOLLOUT)
		client_flush(c);
	/* Waiting for a later answer, input is not read; a peer that is
	 * gone altogether (hang-up, not a half close) is let go. */
	if (!c->dead && c->later && (events & (EPOLLHUP | EPOLLERR)))
		client_kill(c, false);
	if (!c->dead && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		client_read(c);
	s->busy--;
	server_reap(s);
}

static void server_refuse(struct server *s, int fd, bool per_uid)
{
	static const char all[] = "{\"id\":null,\"ok\":false,\"error\":"
		"{\"code\":\"busy\",\"message\":\"too many clients\"}}\n";
	static const char uid[] = "{\"id\":null,\"ok\":false,\"error\":"
		"{\"code\":\"busy\",\"message\":\"too many clients of this "
		"user\"}}\n";
	const char *msg = per_uid ? uid : all;

	s->st.refused++;
	s->st.refused_uid += per_uid;
	(void)send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/* Which clients a newcomer may count against or evict. */
enum peer_set { PEERS_ALL, PEERS_UID, PEERS_NON_ROOT };

static bool peer_in(const struct server_client *c, enum peer_set set, uid_t uid)
{
	switch (set) {
	case PEERS_UID:
		return c->uid == uid;
	case PEERS_NON_ROOT:
		return c->uid != 0;
	default:
		return true;
	}
}

static unsigned server_count(const struct server *s, enum peer_set set,
			     uid_t uid)
{
	unsigned i, n = 0;

	for (i = 0; i < SERVER_MAX_CLIENTS; i++)
		if (s->clients[i] && !s->clients[i]->dead &&
		    peer_in(s->clients[i], set, uid))
			n++;
	return n;
}

/* No room: make some by closing the oldest client of `set` that has been
 * connected for SERVER_IDLE_EVICT_MS without ever sending a request (a UI
 * asks at once), so idle connections cannot lock every UI out.  Returns
 * the freed slot, or SERVER_MAX_CLIENTS when no client qualifies. */
static unsigned server_evict_idle(struct server *s, uint64_t now_ms,
				  enum peer_set set, uid_t uid)
{
	unsigned i, best = SERVER_MAX_CLIENTS;

	for (i = 0; i < SERVER_MAX_CLIENTS; i++) {
		struct server_client *c = s->clients[i];

		if (!c || c->dead || !peer_in(c, set, uid) || c->requests ||
		    c->subscribed || c->prompter ||
		    now_ms - c->connected_ms < SERVER_IDLE_EVICT_MS)
			continue;
		if (best == SERVER_MAX_CLIENTS ||
		    c->connected_ms < s->clients[best]->connected_ms)
			best = i;
	}
	if (best == SERVER_MAX_CLIENTS || s->busy)
		return SERVER_MAX_CLIENTS;
	client_kill(s->clients[best], true);
	client_free(s->clients[best]);
	s->clients[best] = NULL;
	s->st.evicted_idle++;
	return best;
}

/* A slot for a peer of this uid: free, or freed from an idle client whose
 * place it may take.  SERVER_MAX_CLIENTS and *per_uid when there is none. */
static unsigned server_slot(struct server *s, uid_t uid, uint64_t now_ms,
			    bool *per_uid)
{
	unsigned i;

	*per_uid = false;
	if (uid != 0 && server_count(s, PEERS_UID, uid) >= SERVER_PER_UID_MAX) {
		*per_uid = true;
		return server_evict_idle(s, now_ms, PEERS_UID, uid);
	}
	if (uid != 0 && server_count(s, PEERS_NON_ROOT, 0) >=
	    SERVER_MAX_CLIENTS - SERVER_ROOT_SLOTS) {
		*per_uid = true;
		return server_evict_idle(s, now_ms, PEERS_NON_ROOT, 0);
	}
	for (i = 0; i < SERVER_MAX_CLIENTS && s->clients[i]; i++)
		;
	if (i == SERVER_MAX_CLIENTS)
		i = server_evict_idle(s, now_ms, PEERS_ALL, 0);
	return i;
}

static void server_add_client(struct server *s, int fd)
{
	struct server_client *c = NULL;
	uint64_t now_ms = loop_now_ms();
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	bool per_uid;
	unsigned i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
	    cl != sizeof(cred)) {
		server_refuse(s, fd, false);
		return;
	}
	i = server_slot(s, cred.uid, now_ms, &per_uid);
	if (i == SERVER_MAX_CLIENTS) {
		server_refuse(s, fd, per_uid);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->in = malloc(SERVER_IN_CAP);
	if (!c || !c->in || loop_add(s->loop, fd, EPOLLIN, on_client, c) < 0) {
		if (c)
			free(c->in);
		free(c);
		server_refuse(s, fd, false);
		return;
	}
	c->s = s;
	c->fd = fd;
	c->uid = cred.uid;
	c->connected_ms = now_ms;
	c->id = ++s->next_id;
	s->clients[i] = c;
	s->st.accepted++;
}

static void on_accept(struct loop *l, int fd, uint32_t events, void *data)
{
	struct server *s = data;
	int i;

	(void)l, (void)events;
	for (i = 0; i < SERVER_ACCEPT_BATCH; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0)
			break;
		server_add_client(s, cfd);
	}
}

static int mkdir_parents(const char *path)
{
	char dir[sizeof(((struct server *)0)->path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* A socket file left by a crash is replaced; a live server is not. */
static int unlink_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0 || errno == EAGAIN)
		return -EADDRINUSE;
	return unlink(sa->sun_path) < 0 && errno != ENOENT ? -errno : 0;
}

static int server_listen(struct server *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct group *g;
	int r;

	memcpy(sa.sun_path, s->path, sizeof(sa.sun_path));
	if ((r = mkdir_parents(s->path)) < 0 || (r = unlink_stale(&sa)) < 0)
		return r;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return -errno;
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	if (chmod(s->path, 0660) < 0)
		return -errno;
	g = getgrnam(SERVER_GROUP);
	if (g && chown(s->path, (uid_t)-1, g->gr_gid) < 0)
		return -errno;
	if (listen(s->fd, 32) < 0)
		return -errno;
	return loop_add(s->loop, s->fd, EPOLLIN, on_accept, s);
}

struct server *server_open(struct loop *l, const char *path,
			   const struct server_ops *ops, void *data)
{
	struct server *s;
	bool bound = false;
	int r = -ENAMETOOLONG;

	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->fd = -1;
	s->loop = l;
	s->ops = ops;
	s->data = data;
	if (!path[0] || strlen(path) >= sizeof(s->path))
		goto fail;
	snprintf(s->path, sizeof(s->path), "%s", path);
	r = -ENOMEM;
	if (!(s->reply = malloc(SERVER_REPLY_MAX)))
		goto fail;
	if ((r = server_listen(s)) == 0)
		return s;
	bound = s->fd >= 0 && r != -EADDRINUSE;
fail:
	if (s->fd >= 0)
		close(s->fd);
	if (bound)
		unlink(s->path);
	free(s->reply);
	free(s);
	errno = -r;
	return NULL;
}

void server_close(struct server *s)
{
	unsigned i;

	if (!s)
		return;
	for (i = 0; i < SERVER_MAX_CLIENTS; i++) {
		if (s->clients[i])
			client_kill(s->clients[i], false);
	}
	server_reap(s);
	(void)loop_del(s->loop, s->fd);
	close(s->fd);
	unlink(s->path);
	free(s->reply);
	free(s);
}

void server_broadcast(struct server *s, const struct event_meta *m,
		      const char *line, size_t len)
{
	unsigned i;

	if (!s)
		return;
	for (i = 0; i < SERVER_MAX_CLIENTS; i++) {
		struct server_client *c = s->clients[i];

		if (c && !c->dead && c->subscribed && ctl_filter_match(&c->filter, m))
			client_send(c, line, len, false);
	}
	server_reap(s);
}

void server_prompt_event(struct server *s, const char *line, size_t len)
{
	const struct event_meta m = { .type = "prompt" };
	unsigned i;

	if (!s)
		return;
	for (i = 0; i < SERVER_MAX_CLIENTS; i++) {
		struct server_client *c = s->clients[i];

		if (c && !c->dead && (c->prompter ||
		    (c->subscribed && ctl_filter_match(&c->filter, &m))))
			client_send(c, line, len, false);
	}
	server_reap(s);
}

bool server_has_prompter(const struct server *s)
{
	unsigned i;

	if (!s)
		return false;
	for (i = 0; i < SERVER_MAX_CLIENTS; i++) {
		if (s->clients[i] && !s->clients[i]->dead && s->clients[i]->prompter)
			return true;
	}
	return false;
}

void server_get_stats(const struct server *s, struct server_stats *st)
{
	unsigned i;

	memset(st, 0, sizeof(*st));
	if (!s)
		return;
	*st = s->st;
	for (i = 0; i < SERVER_MAX_CLIENTS; i++) {
		const struct server_client *c = s->clients[i];

		if (c && !c->dead) {
			st->clients++;
			st->prompters += c->prompter;
		}
	}
}

void server_ticket(const struct server_client *c, const struct ctl_req *req,
		   struct server_ticket *t)
{
	t->client = c ? c->id : 0;
	t->has_id = req && req->has_id;
	t->id = req && req->has_id ? req->id : 0;
}

static struct server_client *server_find(struct server *s, uint64_t id)
{
	unsigned i;

	for (i = 0; i < SERVER_MAX_CLIENTS; i++)
		if (s->clients[i] && !s->clients[i]->dead &&
		    s->clients[i]->id == id)
			return s->clients[i];
	return NULL;
}

void server_answer(struct server *s, const struct server_ticket *t,
		   const char *result, const struct ctl_error *err)
{
	struct ctl_req req = { .has_id = t->has_id, .id = t->id };
	struct server_client *c = server_find(s, t->client);
	struct ctl_error e;
	struct jw w;
	int n;

	if (!c || !c->later)
		return;
	s->busy++;
	c->later = false;
	if (err) {
		client_error(c, &req, err);
	} else {
		jw_init(&w, s->reply, SERVER_REPLY_MAX);
		ctl_reply_begin(&w, &req);
		jw_raw(&w, result);
		if ((n = ctl_reply_end(&w)) < 0) {
			ctl_seterr(&e, CTL_E_TOO_LARGE, "reply over %u bytes",
				   SERVER_REPLY_MAX);
			client_error(c, &req, &e);
		} else {
			client_send(c, s->reply, (size_t)n, true);
		}
	}
	/* What it asked meanwhile, then input again (or, after EOF, close
	 * once everything is sent). */
	client_lines(c);
	if (!c->dead) {
		client_poll(c);
		if (c->eof && !c->later && !c->head)
			client_kill(c, false);
	}
	s->busy--;
	server_reap(s);
}
