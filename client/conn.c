/* conn.c - see conn.h. */
#include "conn.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"

int tconn_open(struct tconn *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (!(c->buf = malloc(TCONN_LINE_MAX)))
		return -ENOMEM;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		tconn_close(c);
		return r;
	}
	return 0;
}

void tconn_close(struct tconn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int tconn_send(struct tconn *c, const char *cmd, const char *args_json,
	       int64_t *id)
{
	size_t cap = strlen(cmd) + (args_json ? strlen(args_json) : 0) + 96;
	char *buf = malloc(cap);
	int n, r;

	if (!buf)
		return -ENOMEM;
	if (id)
		*id = c->next_id;
	n = ctl_request_encode(c->next_id++, cmd, args_json, buf, cap);
	r = n < 0 ? n : write_all(c->fd, buf, (size_t)n);
	free(buf);
	return r;
}

/* A complete line in the buffer: 1 and *line, or 0. */
static int take_line(struct tconn *c, char **line, size_t *len)
{
	char *nl = memchr(c->buf, '\n', c->len);

	if (!nl)
		return 0;
	*nl = '\0';
	*line = c->buf;
	*len = (size_t)(nl - c->buf);
	c->skip = *len + 1;
	return 1;
}

int tconn_read_line(struct tconn *c, int timeout_ms, char **line, size_t *len)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	*line = NULL;
	*len = 0;
	memmove(c->buf, c->buf + c->skip, c->len - c->skip);
	c->len -= c->skip;
	c->skip = 0;
	for (;;) {
		ssize_t n;

		if (!c->discarding && take_line(c, line, len))
			return 1;
		if (c->discarding) {
			char *nl = memchr(c->buf, '\n', c->len);

			if (nl) {
				c->discarding = false;
				c->len -= (size_t)(nl + 1 - c->buf);
				memmove(c->buf, nl + 1, c->len);
				continue;
			}
			c->len = 0;
		}
		if (c->len == TCONN_LINE_MAX) {
			c->discarding = true;
			c->len = 0;
		}
		if (timeout_ms >= 0) {
			int p = poll(&pfd, 1, timeout_ms);

			if (p == 0)
				return -ETIMEDOUT;
			if (p < 0 && errno != EINTR)
				return -errno;
			if (p < 0)
				continue;
		}
		n = read(c->fd, c->buf + c->len, TCONN_LINE_MAX - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		c->len += (size_t)n;
	}
}

struct json_object *tconn_parse(const char *line, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(CTL_DEPTH_MAX + 8);
	struct json_object *o;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

struct json_object *jget(const struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

const char *jstr(const struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

int64_t jint(const struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v ? json_object_get_int64(v) : 0;
}

static int reply_result(struct json_object *o, struct json_object **result,
			char *err, size_t errlen)
{
	struct json_object *e = jget(o, "error");

	if (!json_object_get_boolean(jget(o, "ok"))) {
		snprintf(err, errlen, "%s: %s", jstr(e, "code") ? jstr(e, "code") : "error",
			 jstr(e, "message") ? jstr(e, "message") : "");
		return -EREMOTEIO;
	}
	if (result)
		*result = json_object_get(jget(o, "result"));
	return 0;
}

int tconn_call(struct tconn *c, const char *cmd, const char *args_json,
	       struct json_object **result, char *err, size_t errlen,
	       void (*on_event)(void *data, struct json_object *ev), void *data)
{
	int64_t id;
	int r, sent;

	if (result)
		*result = NULL;
	err[0] = '\0';
	/* A refused client ("busy") finds the server's error line waiting
	 * while its own write fails: read it rather than report EPIPE. */
	sent = tconn_send(c, cmd, args_json, &id);
	if (sent < 0 && sent != -EPIPE && sent != -ECONNRESET)
		return sent;
	for (;;) {
		struct json_object *o;
		char *line;
		size_t len;

		r = tconn_read_line(c, TCONN_CALL_TIMEOUT_MS, &line, &len);
		if (r <= 0)
			return sent < 0 ? sent : r == 0 ? -ECONNRESET : r;
		if (!(o = tconn_parse(line, len)))
			return -EBADMSG;
		if (jget(o, "type")) {
			if (on_event)
				on_event(data, o);
		} else if (jint(o, "id") == id || !jget(o, "id") ||
			   json_object_is_type(jget(o, "id"), json_type_null)) {
			r = reply_result(o, result, err, errlen);
			json_object_put(o);
			return r;
		}
		json_object_put(o);
	}
}

int tconn_fail(const char *cmd, const char *path, int err)
{
	fprintf(stderr, "tattle %s: cannot connect to %s: %s\n", cmd, path,
		strerror(-err));
	return EXIT_RUNTIME;
}

int tconn_drain(struct tconn *c, void (*cb)(void *data, struct json_object *ev),
		void *data)
{
	char *line;
	size_t len;
	int r;

	while ((r = tconn_read_line(c, 0, &line, &len)) > 0) {
		struct json_object *ev = tconn_parse(line, len);

		if (ev)
			cb(data, ev);
		json_object_put(ev);
	}
	return r == 0 ? -ECONNRESET : r == -ETIMEDOUT ? 0 : r;
}
