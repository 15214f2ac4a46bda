/* test_server.c - the socket server over real unix sockets and the real
 * loop: replies, filters, error paths, the slow-reader drop accounting,
 * garbage disconnects, prompters, socket file handling. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "loop.h"
#include "server.h"

struct fx {
	char dir[48];
	char path[100];
	struct loop *l;
	struct server *s;
	int requests, closed;
	int later;			/* rules.add requests postponed */
	struct server_ticket t;		/* the last one's */
};

struct conn {
	int fd;
	char buf[1 << 16];
	size_t len;
};

static int ops_request(void *data, struct server_client *c,
		       const struct ctl_req *req, struct jw *w,
		       struct ctl_error *err)
{
	struct fx *fx = data;

	(void)c;
	fx->requests++;
	if (req->cmd == CTL_CONFIG_GET) {	/* a big reply */
		static char big[100 * 1024];

		memset(big, 'b', sizeof(big) - 1);
		jw_str(w, big);
		return 0;
	}
	if (req->cmd == CTL_RULES_ADD) {	/* answered by the test */
		server_ticket(c, req, &fx->t);
		fx->later++;
		return SERVER_LATER;
	}
	if (req->cmd == CTL_STATS) {
		jw_obj_begin(w);
		jw_kint(w, "answer", 42);
		jw_obj_end(w);
		return 0;
	}
	ctl_seterr(err, CTL_E_NOT_FOUND, "nothing here");
	return -ENOENT;
}

static void ops_closed(void *data, struct server_client *c)
{
	(void)c;
	((struct fx *)data)->closed++;
}

static const struct server_ops ops = {
	.request = ops_request,
	.closed = ops_closed,
};

static void stop_cb(struct loop *l, void *data)
{
	(void)data;
	loop_stop(l);
}

static void pump(struct fx *fx, unsigned ms)
{
	assert_int_equal(loop_set_timer(fx->l, loop_now_ms() + ms, stop_cb, NULL), 0);
	assert_int_equal(loop_run(fx->l), 0);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/tattle-test-server.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/sub/t.sock", fx->dir);
	fx->l = loop_new(SERVER_MAX_CLIENTS + 8);
	assert_non_null(fx->l);
	fx->s = server_open(fx->l, fx->path, &ops, fx);
	assert_non_null(fx->s);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[160];

	server_close(fx->s);
	loop_free(fx->l);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

static struct conn *conn_open(struct fx *fx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct conn *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fx->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pump(fx, 5);
	return c;
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c);
}

static void conn_send(struct fx *fx, struct conn *c, const char *s)
{
	assert_int_equal(write(c->fd, s, strlen(s)), (ssize_t)strlen(s));
	pump(fx, 5);
}

/* Next line into out (NUL-terminated, no '\n'); pumps the loop while
 * waiting.  0, or -ENODATA on timeout, -EPIPE on EOF. */
static int conn_line(struct fx *fx, struct conn *c, char *out, size_t cap)
{
	int tries;

	for (tries = 0; tries < 200; tries++) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - c->buf);

			assert_true(l < cap);
			memcpy(out, c->buf, l);
			out[l] = '\0';
			memmove(c->buf, nl + 1, c->len - l - 1);
			c->len -= l + 1;
			return 0;
		}
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n == 0)
			return -EPIPE;
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		pump(fx, 2);
	}
	return -ENODATA;
}

static struct json_object *conn_json(struct fx *fx, struct conn *c)
{
	static char line[1 << 16];
	struct json_object *o;

	assert_int_equal(conn_line(fx, c, line, sizeof(line)), 0);
	o = json_tokener_parse(line);
	assert_non_null(o);
	return o;
}

static const char *jstr(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, a, &v));
	if (b)
		assert_true(json_object_object_get_ex(v, b, &v));
	return json_object_get_string(v);
}

static void assert_error_code(struct fx *fx, struct conn *c, const char *code)
{
	struct json_object *o = conn_json(fx, c);

	assert_string_equal(jstr(o, "ok", NULL), "false");
	assert_string_equal(jstr(o, "error", "code"), code);
	json_object_put(o);
}

static void test_socket_mode_is_0660_and_parent_made(void **state)
{
	struct fx *fx = *state;
	struct stat st;

	assert_int_equal(stat(fx->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
}

static void test_live_socket_is_not_replaced(void **state)
{
	struct fx *fx = *state;

	assert_null(server_open(fx->l, fx->path, &ops, fx));
	assert_int_equal(errno, EADDRINUSE);
}

static void test_stale_socket_is_replaced(void **state)
{
	struct fx *fx = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct server *s2;
	char p2[100];
	int fd;

	snprintf(p2, sizeof(p2), "%s/stale.sock", fx->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p2);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);	/* bound, never listened: what a crash leaves */
	s2 = server_open(fx->l, p2, &ops, fx);
	assert_non_null(s2);
	server_close(s2);
	assert_int_equal(access(p2, F_OK), -1);
}

static void test_regular_file_is_not_unlinked(void **state)
{
	struct fx *fx = *state;
	char p2[100];
	FILE *f;

	snprintf(p2, sizeof(p2), "%s/file", fx->dir);
	f = fopen(p2, "w");
	assert_non_null(f);
	fclose(f);
	assert_null(server_open(fx->l, p2, &ops, fx));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(access(p2, F_OK), 0);
}

static void test_request_goes_to_handler_with_id(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct json_object *o;

	conn_send(fx, c, "{\"id\":7,\"cmd\":\"stats\"}\n");
	o = conn_json(fx, c);
	assert_string_equal(jstr(o, "id", NULL), "7");
	assert_string_equal(jstr(o, "ok", NULL), "true");
	assert_string_equal(jstr(o, "result", "answer"), "42");
	json_object_put(o);
	conn_close(c);
}

static void test_handler_error_becomes_error_reply(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);

	conn_send(fx, c, "{\"id\":1,\"cmd\":\"rules.delete\",\"args\":{\"name\":\"x\"}}\n");
	assert_error_code(fx, c, CTL_E_NOT_FOUND);
	conn_close(c);
}

static void test_malformed_json_is_error_and_counted(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct server_stats st;

	conn_send(fx, c, "{\"id\":1,\"cmd\":\n");
	assert_error_code(fx, c, CTL_E_BAD_JSON);
	server_get_stats(fx->s, &st);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(fx->requests, 0);
	conn_close(c);
}

static void test_unknown_command_echoes_id(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct json_object *o;

	conn_send(fx, c, "{\"id\":99,\"cmd\":\"frobnicate\"}\n");
	o = conn_json(fx, c);
	assert_string_equal(jstr(o, "id", NULL), "99");
	assert_string_equal(jstr(o, "error", "code"), CTL_E_UNKNOWN_CMD);
	json_object_put(o);
	conn_close(c);
}

static void test_overlong_line_is_discarded_then_next_line_works(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct server_stats st;
	size_t i, total = CTL_LINE_MAX + 5000;
	char chunk[4096];

	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < total; i += sizeof(chunk)) {
		assert_int_equal(write(c->fd, chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
		pump(fx, 1);
	}
	conn_send(fx, c, "\n{\"id\":2,\"cmd\":\"stats\"}\n");
	assert_error_code(fx, c, CTL_E_TOO_LONG);
	server_get_stats(fx->s, &st);
	assert_int_equal(st.too_long, 1);
	{
		struct json_object *o = conn_json(fx, c);

		assert_string_equal(jstr(o, "id", NULL), "2");
		assert_string_equal(jstr(o, "ok", NULL), "true");
		json_object_put(o);
	}
	conn_close(c);
}

static void test_garbage_sender_is_disconnected(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct server_stats st;
	char line[256];
	int i, r;

	for (i = 0; i < SERVER_GARBAGE_MAX; i++)
		assert_int_equal(write(c->fd, "garbage\n", 8), 8);
	pump(fx, 10);
	for (i = 0; i < SERVER_GARBAGE_MAX; i++)
		assert_int_equal(conn_line(fx, c, line, sizeof(line)), 0);
	r = conn_line(fx, c, line, sizeof(line));
	assert_int_equal(r, -EPIPE);
	server_get_stats(fx->s, &st);
	assert_int_equal(st.disconnects, 1);
	assert_int_equal(st.clients, 0);
	assert_int_equal(fx->closed, 1);
	conn_close(c);
}

static void test_good_line_resets_garbage_run(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct server_stats st;
	int i;

	for (i = 0; i < 3 * SERVER_GARBAGE_MAX / 2; i++) {
		conn_send(fx, c, i % 8 == 7 ? "{\"cmd\":\"stats\"}\n" : "junk\n");
	}
	server_get_stats(fx->s, &st);
	assert_int_equal(st.clients, 1);
	assert_int_equal(st.disconnects, 0);
	conn_close(c);
}

static void broadcast_conn(struct fx *fx, uint64_t seq, const char *verdict,
			   const char *exe, size_t pad)
{
	char line[4096], padding[3000];
	struct event_meta m = { .type = "connection", .verdict = ctl_verdict_bit(verdict),
				.exe = exe };
	int n;

	assert_true(pad < sizeof(padding));
	memset(padding, 'p', pad);
	padding[pad] = '\0';
	n = snprintf(line, sizeof(line), "{\"v\":1,\"seq\":%llu,\"type\":\"connection\","
		     "\"verdict\":\"%s\",\"pad\":\"%s\"}\n",
		     (unsigned long long)seq, verdict, padding);
	server_broadcast(fx->s, &m, line, (size_t)n);
}

static void test_unsubscribed_client_gets_no_events(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	char line[256];

	broadcast_conn(fx, 1, "allow", "/bin/x", 0);
	assert_int_equal(conn_line(fx, c, line, sizeof(line)), -ENODATA);
	conn_close(c);
}

static void subscribe(struct fx *fx, struct conn *c, const char *args)
{
	char req[512];
	struct json_object *o;

	snprintf(req, sizeof(req), "{\"id\":1,\"cmd\":\"subscribe\",\"args\":%s}\n", args);
	conn_send(fx, c, req);
	o = conn_json(fx, c);
	assert_string_equal(jstr(o, "ok", NULL), "true");
	assert_string_equal(jstr(o, "result", "subscribed"), "true");
	json_object_put(o);
}

static void test_subscriber_gets_matching_events_only(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct json_object *o;

	subscribe(fx, c, "{\"verdicts\":[\"deny\"],\"exe\":\"/bin/x\"}");
	broadcast_conn(fx, 1, "allow", "/bin/x", 0);
	broadcast_conn(fx, 2, "deny", "/bin/y", 0);
	broadcast_conn(fx, 3, "deny", "/bin/x", 0);
	o = conn_json(fx, c);
	assert_string_equal(jstr(o, "seq", NULL), "3");
	json_object_put(o);
	conn_close(c);
}

static void test_bad_filter_is_bad_args(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);

	conn_send(fx, c, "{\"id\":1,\"cmd\":\"subscribe\",\"args\":{\"types\":[\"nope\"]}}\n");
	assert_error_code(fx, c, CTL_E_BAD_ARGS);
	conn_close(c);
}

/* The heart of it: a client that does not read loses the oldest events,
 * the broadcaster never waits, and the client is told exactly how many it
 * lost, before the events that follow the gap. */
static void test_slow_reader_loses_oldest_and_is_told_count(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	const uint64_t total = 4000;
	uint64_t seq, expect = 1, got = 0, dropped = 0;
	struct server_stats st;
	bool notice_seen = false;

	subscribe(fx, c, "{}");
	for (seq = 1; seq <= total; seq++)
		broadcast_conn(fx, seq, "allow", "/bin/x", 900);
	server_get_stats(fx->s, &st);
	assert_true(st.dropped > 0);
	while (expect <= total) {
		struct json_object *o = conn_json(fx, c);
		const char *type = jstr(o, "type", NULL);

		if (!strcmp(type, "dropped")) {
			uint64_t n = strtoull(jstr(o, "count", NULL), NULL, 10);

			assert_false(notice_seen);	/* one gap, one notice */
			notice_seen = true;
			dropped += n;
			expect += n;
		} else {
			assert_int_equal(strtoull(jstr(o, "seq", NULL), NULL, 10), expect);
			expect++;
			got++;
		}
		json_object_put(o);
	}
	assert_true(notice_seen);
	assert_int_equal(got + dropped, total);
	assert_int_equal(dropped, st.dropped);
	assert_true(got * 900 >= SERVER_OUT_MAX / 2);	/* kept a full queue */
	conn_close(c);
}

/* Replies are never dropped; a client that leaves more than the queue cap
 * of them unread is not reading at all and is closed. */
static void test_client_not_reading_replies_is_disconnected(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct server_stats st;
	int i;

	for (i = 0; i < 30; i++) {
		const char req[] = "{\"id\":1,\"cmd\":\"config.get\"}\n";

		if (send(c->fd, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0)
			break;		/* closed on us: the point */
		pump(fx, 5);
	}
	assert_true(i < 30);
	server_get_stats(fx->s, &st);
	assert_int_equal(st.clients, 0);
	assert_int_equal(st.disconnects, 1);
	assert_int_equal(st.dropped, 0);
	conn_close(c);
}

static void test_replies_survive_event_overflow(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct json_object *o;
	bool reply_seen = false;
	uint64_t seq;

	subscribe(fx, c, "{}");
	for (seq = 1; seq <= 3000; seq++) {
		broadcast_conn(fx, seq, "allow", "/bin/x", 900);
		if (seq == 10)
			assert_int_equal(write(c->fd, "{\"id\":5,\"cmd\":\"stats\"}\n", 23), 23);
		if (seq == 10)
			pump(fx, 5);
	}
	for (;;) {
		o = conn_json(fx, c);
		if (!json_object_object_get_ex(o, "type", NULL)) {
			assert_string_equal(jstr(o, "id", NULL), "5");
			reply_seen = true;
		}
		if (json_object_object_get_ex(o, "seq", NULL) &&
		    strtoull(jstr(o, "seq", NULL), NULL, 10) == 3000) {
			json_object_put(o);
			break;
		}
		json_object_put(o);
	}
	assert_true(reply_seen);
	conn_close(c);
}

static void test_prompt_events_go_to_prompters(void **state)
{
	struct fx *fx = *state;
	struct conn *p = conn_open(fx), *other = conn_open(fx);
	const char ev[] = "{\"v\":1,\"seq\":5,\"type\":\"prompt\",\"prompt_id\":1}\n";
	struct json_object *o;
	char line[256];

	assert_false(server_has_prompter(fx->s));
	conn_send(fx, p, "{\"id\":1,\"cmd\":\"prompt.register\"}\n");
	o = conn_json(fx, p);
	assert_string_equal(jstr(o, "result", "prompter"), "true");
	json_object_put(o);
	assert_true(server_has_prompter(fx->s));
	server_prompt_event(fx->s, ev, sizeof(ev) - 1);
	o = conn_json(fx, p);
	assert_string_equal(jstr(o, "type", NULL), "prompt");
	json_object_put(o);
	assert_int_equal(conn_line(fx, other, line, sizeof(line)), -ENODATA);
	conn_close(p);
	pump(fx, 5);
	assert_false(server_has_prompter(fx->s));
	conn_close(other);
}

static void test_reply_survives_half_close(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct json_object *o;

	assert_int_equal(write(c->fd, "{\"id\":3,\"cmd\":\"stats\"}\n", 23), 23);
	shutdown(c->fd, SHUT_WR);
	pump(fx, 5);
	o = conn_json(fx, c);
	assert_string_equal(jstr(o, "id", NULL), "3");
	json_object_put(o);
	conn_close(c);
}

static void test_clients_over_cap_are_refused(void **state)
{
	struct fx *fx = *state;
	struct conn *c[SERVER_MAX_CLIENTS + 1];
	struct server_stats st;
	int i;

	for (i = 0; i <= SERVER_MAX_CLIENTS; i++)
		c[i] = conn_open(fx);
	server_get_stats(fx->s, &st);
	assert_int_equal(st.clients, SERVER_MAX_CLIENTS);
	assert_int_equal(st.refused, 1);
	assert_error_code(fx, c[SERVER_MAX_CLIENTS], "busy");
	for (i = 0; i <= SERVER_MAX_CLIENTS; i++)
		conn_close(c[i]);
}

/* Open a connection whose peer credentials are `uid` (SO_PEERCRED takes
 * the effective uid at connect time), and make it ask something, so idle
 * eviction cannot free its slot. */
static struct conn *conn_open_as(struct fx *fx, uid_t uid)
{
	static const char sub[] = "{\"id\":1,\"cmd\":\"subscribe\"}\n";
	struct conn *c;

	assert_int_equal(seteuid(uid), 0);
	c = conn_open(fx);
	assert_int_equal(seteuid(0), 0);
	/* A refused one is closed already: no SIGPIPE, no check. */
	(void)send(c->fd, sub, strlen(sub), MSG_NOSIGNAL);
	pump(fx, 2);
	return c;
}

/* Let other uids reach the socket (it is 0660 root:tattle). */
static bool open_to_all(struct fx *fx)
{
	char sub[sizeof(fx->dir) + 8];

	if (geteuid() != 0)
		return false;
	snprintf(sub, sizeof(sub), "%s/sub", fx->dir);
	assert_int_equal(chmod(fx->dir, 0755), 0);
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(chmod(fx->path, 0666), 0);
	return true;
}

/* Answered at all: the stats handler replies {"answer":42}. */
static void assert_served(struct fx *fx, struct conn *c)
{
	struct json_object *o;

	conn_send(fx, c, "{\"id\":7,\"cmd\":\"stats\"}\n");
	o = conn_json(fx, c);
	assert_string_equal(jstr(o, "ok", NULL), "true");
	assert_string_equal(jstr(o, "result", "answer"), "42");
	json_object_put(o);
}

static void test_one_uid_cannot_take_every_slot(void **state)
{
	struct fx *fx = *state;
	struct conn *c[SERVER_MAX_CLIENTS], *root, *other;
	struct server_stats st;
	int i;

	if (!open_to_all(fx))
		skip();
	for (i = 0; i < SERVER_MAX_CLIENTS; i++)
		c[i] = conn_open_as(fx, 65534);
	server_get_stats(fx->s, &st);
	assert_int_equal(st.clients, SERVER_PER_UID_MAX);
	assert_int_equal(st.refused_uid, SERVER_MAX_CLIENTS - SERVER_PER_UID_MAX);
	assert_error_code(fx, c[SERVER_MAX_CLIENTS - 1], "busy");
	/* Root and another user still get in and are answered. */
	root = conn_open(fx);
	assert_served(fx, root);
	other = conn_open_as(fx, 65533);
	json_object_put(conn_json(fx, other));	/* its subscribe reply */
	assert_served(fx, other);
	conn_close(root);
	conn_close(other);
	for (i = 0; i < SERVER_MAX_CLIENTS; i++)
		conn_close(c[i]);
}

/* Many uids together may not take the slots kept for root. */
static void test_root_slots_survive_many_uids(void **state)
{
	struct fx *fx = *state;
	struct conn *c[SERVER_MAX_CLIENTS + 8], *root[SERVER_ROOT_SLOTS];
	struct server_stats st;
	int i, n = SERVER_MAX_CLIENTS + 8;

	if (!open_to_all(fx))
		skip();
	for (i = 0; i < n; i++)
		c[i] = conn_open_as(fx, 60000 + (uid_t)(i / SERVER_PER_UID_MAX));
	server_get_stats(fx->s, &st);
	assert_int_equal(st.clients, SERVER_MAX_CLIENTS - SERVER_ROOT_SLOTS);
	for (i = 0; i < SERVER_ROOT_SLOTS; i++) {
		root[i] = conn_open(fx);
		assert_served(fx, root[i]);
	}
	server_get_stats(fx->s, &st);
	assert_int_equal(st.clients, SERVER_MAX_CLIENTS);
	for (i = 0; i < SERVER_ROOT_SLOTS; i++)
		conn_close(root[i]);
	for (i = 0; i < n; i++)
		conn_close(c[i]);
}

static const char add_line[] =
	"{\"id\":1,\"cmd\":\"rules.add\",\"args\":{}}\n";

static void test_later_reply_keeps_the_clients_order(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct json_object *o;
	char line[256];

	conn_send(fx, c, "{\"id\":1,\"cmd\":\"rules.add\",\"args\":{}}\n"
		  "{\"id\":2,\"cmd\":\"stats\"}\n");
	assert_int_equal(fx->later, 1);
	/* The stats request waits behind the postponed one, unread. */
	assert_int_equal(fx->requests, 1);
	assert_int_equal(conn_line(fx, c, line, sizeof(line)), -ENODATA);
	server_answer(fx->s, &fx->t, "{\"done\":true}", NULL);
	o = conn_json(fx, c);
	assert_string_equal(jstr(o, "id", NULL), "1");
	assert_string_equal(jstr(o, "result", "done"), "true");
	json_object_put(o);
	o = conn_json(fx, c);
	assert_string_equal(jstr(o, "id", NULL), "2");
	assert_string_equal(jstr(o, "result", "answer"), "42");
	json_object_put(o);
	assert_int_equal(fx->requests, 2);
	conn_close(c);
}

static void test_later_error_reply(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct ctl_error err;

	conn_send(fx, c, add_line);
	ctl_seterr(&err, CTL_E_INTERNAL, "disk full");
	server_answer(fx->s, &fx->t, NULL, &err);
	assert_error_code(fx, c, CTL_E_INTERNAL);
	conn_close(c);
}

static void test_later_reply_survives_half_close(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct json_object *o;
	char line[256];

	assert_int_equal(write(c->fd, add_line, strlen(add_line)),
			 (ssize_t)strlen(add_line));
	shutdown(c->fd, SHUT_WR);
	pump(fx, 5);
	assert_int_equal(fx->closed, 0);	/* still owed an answer */
	server_answer(fx->s, &fx->t, "{}", NULL);
	o = conn_json(fx, c);
	assert_string_equal(jstr(o, "id", NULL), "1");
	json_object_put(o);
	assert_int_equal(conn_line(fx, c, line, sizeof(line)), -EPIPE);
	assert_int_equal(fx->closed, 1);
	conn_close(c);
}

static void test_later_reply_to_a_gone_client_is_dropped(void **state)
{
	struct fx *fx = *state;
	struct conn *c = conn_open(fx);
	struct conn *other = conn_open(fx);
	struct json_object *o;

	conn_send(fx, c, add_line);
	conn_close(c);
	pump(fx, 5);
	assert_int_equal(fx->closed, 1);
	server_answer(fx->s, &fx->t, "{}", NULL);	/* nobody to tell */
	conn_send(fx, other, "{\"id\":5,\"cmd\":\"stats\"}\n");
	o = conn_json(fx, other);
	assert_string_equal(jstr(o, "id", NULL), "5");
	json_object_put(o);
	conn_close(other);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_socket_mode_is_0660_and_parent_made),
		T(test_live_socket_is_not_replaced),
		T(test_stale_socket_is_replaced),
		T(test_regular_file_is_not_unlinked),
		T(test_request_goes_to_handler_with_id),
		T(test_handler_error_becomes_error_reply),
		T(test_malformed_json_is_error_and_counted),
		T(test_unknown_command_echoes_id),
		T(test_overlong_line_is_discarded_then_next_line_works),
		T(test_garbage_sender_is_disconnected),
		T(test_good_line_resets_garbage_run),
		T(test_unsubscribed_client_gets_no_events),
		T(test_subscriber_gets_matching_events_only),
		T(test_bad_filter_is_bad_args),
		T(test_slow_reader_loses_oldest_and_is_told_count),
		T(test_client_not_reading_replies_is_disconnected),
		T(test_replies_survive_event_overflow),
		T(test_prompt_events_go_to_prompters),
		T(test_reply_survives_half_close),
		T(test_clients_over_cap_are_refused),
		T(test_one_uid_cannot_take_every_slot),
		T(test_root_slots_survive_many_uids),
		T(test_later_reply_keeps_the_clients_order),
		T(test_later_error_reply),
		T(test_later_reply_survives_half_close),
		T(test_later_reply_to_a_gone_client_is_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
