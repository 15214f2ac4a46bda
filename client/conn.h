/* conn.h - the client end of the control socket: connect, send requests,
 * read lines (capped), wait for a reply while collecting events.  Shared
 * by every tattle subcommand. */
#ifndef TATTLE_CLIENT_CONN_H
#define TATTLE_CLIENT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

#define TCONN_DEFAULT_SOCKET	"/run/tattle/tattle.sock"
#define TCONN_LINE_MAX		(256u * 1024 + 1)	/* longest reply + '\n' */
#define TCONN_CALL_TIMEOUT_MS	5000

/* Exit codes of every subcommand. */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

struct tconn {
	int fd;
	char *buf;		/* TCONN_LINE_MAX bytes */
	size_t len;		/* bytes buffered */
	size_t skip;		/* consumed by the last line returned */
	bool discarding;	/* inside an over-long line */
	int64_t next_id;
};

/* 0, or -errno (message to stderr is the caller's). */
int tconn_open(struct tconn *c, const char *path);
void tconn_close(struct tconn *c);

/* Send {"id":N,"cmd":cmd,"args":args_json}.  *id gets N (may be NULL). */
int tconn_send(struct tconn *c, const char *cmd, const char *args_json,
	       int64_t *id);

/* Next line, without '\n', NUL-terminated in place; valid until the next
 * call.  timeout_ms < 0 waits forever.  1 and *line; 0 at EOF;
 * -ETIMEDOUT; -errno.  Over-long lines are skipped. */
int tconn_read_line(struct tconn *c, int timeout_ms, char **line, size_t *len);

/* Call cmd and wait for its reply.  Event lines seen meanwhile go to
 * on_event (may be NULL: dropped).  0 and *result (new reference, may be
 * NULL if not wanted); -EREMOTEIO with "code: message" in err for an
 * error reply; -ETIMEDOUT, -ECONNRESET, -EBADMSG, -errno otherwise. */
int tconn_call(struct tconn *c, const char *cmd, const char *args_json,
	       struct json_object **result, char *err, size_t errlen,
	       void (*on_event)(void *data, struct json_object *ev), void *data);

/* Parse a line as a JSON object; NULL if it is not one. */
struct json_object *tconn_parse(const char *line, size_t len);

/* Take every complete line waiting now, parsed, to cb (lines that are not
 * JSON are skipped).  0, -ECONNRESET when the daemon left, or -errno. */
int tconn_drain(struct tconn *c, void (*cb)(void *data, struct json_object *ev),
		void *data);

/* Helpers for reading replies and events (NULL/0 when absent). */
struct json_object *jget(const struct json_object *o, const char *key);
const char *jstr(const struct json_object *o, const char *key);
int64_t jint(const struct json_object *o, const char *key);

/* Print "tattle CMD: cannot connect to PATH: reason" and return
 * EXIT_RUNTIME. */
int tconn_fail(const char *cmd, const char *path, int err);

#endif
