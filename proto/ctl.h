/* ctl.h - control protocol codec (proto/PROTOCOL.md): one request line in,
 * reply and error lines out.  No I/O, no state: the server, the daemon's
 * handlers, the client and the fuzzer all call it directly.  Request
 * lines are untrusted: every decoder takes an explicit length and reports
 * a machine-readable code plus a human message on any malformed input. */
#ifndef TATTLE_CTL_H
#define TATTLE_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"
#include "types.h"

struct json_object;

#define CTL_LINE_MAX		(64 * 1024)	/* bytes, without the '\n' */
#define CTL_DEPTH_MAX		16		/* JSON nesting of a request */
#define CTL_CMD_MAX		32		/* bytes of a command name */
#define CTL_EXE_MAX		4096		/* bytes of an exe filter */
#define CTL_NAME_MAX		255		/* bytes of a rule name */
#define CTL_DURATION_MAX	32		/* bytes of a Go duration */
#define CTL_MSG_MAX		256

enum ctl_cmd {
	CTL_UNKNOWN = 0,
	CTL_SUBSCRIBE,
	CTL_UNSUBSCRIBE,
	CTL_STATS,
	CTL_CONNECTIONS_LIST,
	CTL_RULES_LIST,
	CTL_RULES_ADD,
	CTL_RULES_DELETE,
	CTL_RULES_ENABLE,
	CTL_RULES_DISABLE,
	CTL_PROMPT_REGISTER,
	CTL_PROMPT_ANSWER,
	CTL_CONFIG_GET,
	CTL_CMD_COUNT
};

/* Event types as filter bits.  "dropped" is per client and never filtered. */
#define CTL_EV_CONNECTION	(1u << 0)
#define CTL_EV_PROMPT		(1u << 1)
#define CTL_EV_RULE_CHANGE	(1u << 2)
#define CTL_EV_STATS		(1u << 3)
#define CTL_EV_AUDIT_LOSS	(1u << 4)
#define CTL_EV_WARNING		(1u << 5)
#define CTL_EV_ALL		0x3fu

#define CTL_VERDICT_ALLOW	(1u << ACTION_ALLOW)
#define CTL_VERDICT_DENY	(1u << ACTION_DENY)
#define CTL_VERDICT_REJECT	(1u << ACTION_REJECT)
#define CTL_VERDICT_ALL		0x7u

/* Error codes (the "code" member of an error reply). */
#define CTL_E_TOO_LONG		"line-too-long"
#define CTL_E_BAD_JSON		"bad-json"
#define CTL_E_BAD_REQUEST	"bad-request"
#define CTL_E_UNKNOWN_CMD	"unknown-command"
#define CTL_E_BAD_ARGS		"bad-args"
#define CTL_E_NOT_FOUND		"not-found"
#define CTL_E_NO_PROMPT		"no-such-prompt"
#define CTL_E_UNAVAILABLE	"unavailable"
#define CTL_E_TOO_LARGE		"too-large"
#define CTL_E_INTERNAL		"internal"

struct ctl_error {
	const char *code;		/* one of CTL_E_*: static storage */
	char message[CTL_MSG_MAX];
};

/* A decoded request.  root is owned (ctl_req_free); args borrows from it
 * and is NULL when the request had none. */
struct ctl_req {
	bool has_id;
	int64_t id;
	enum ctl_cmd cmd;
	struct json_object *root;
	struct json_object *args;
};

/* What a subscriber wants.  0 masks and "" exe mean "everything". */
struct ctl_filter {
	uint32_t types;			/* CTL_EV_* */
	uint32_t verdicts;		/* CTL_VERDICT_*: connection events */
	char exe[CTL_EXE_MAX];		/* exact process.exe, "" = any */
};

/* What the server needs to know of an event to filter it, without
 * parsing the line.  Pointers are borrowed; exe may be NULL. */
struct event_meta {
	const char *type;
	uint32_t verdict;		/* CTL_VERDICT_* of a connection, else 0 */
	const char *exe;
};

/* An answer to a prompt. */
struct ctl_answer {
	uint32_t prompt_id;
	enum action action;
	char duration[CTL_DURATION_MAX + 1]; /* once | until restart | always | Go */
	enum prompt_scope scope;
};

/* Decode one request line (len bytes, no '\n').  0 and *req, which the
 * caller frees with ctl_req_free().  On failure -EMSGSIZE (too long),
 * -EBADMSG (not JSON, or not a request object) or -ENOENT (unknown
 * command) with *err filled; req->has_id/id are still set when the line
 * carried a usable id, so the error reply can echo it. */
int ctl_decode(const char *line, size_t len, struct ctl_req *req,
	       struct ctl_error *err);
void ctl_req_free(struct ctl_req *req);

enum ctl_cmd ctl_cmd_lookup(const char *name, size_t len);
/* CTL_EV_* bit of an event type name, 0 if unknown. */
uint32_t ctl_event_bit(const char *type);
uint32_t ctl_verdict_bit(const char *verdict);
/* CTL_VERDICT_* bit of a verdict. */
uint32_t ctl_action_bit(enum action a);

/* ---- argument decoders: 0, or -EINVAL with *err (code bad-args). */

/* subscribe: {"types":[..], "verdicts":[..], "exe":".."}, all optional. */
int ctl_parse_filter(const struct json_object *args, struct ctl_filter *f,
		     struct ctl_error *err);
/* prompt.answer: {"prompt_id":N,"action":..,"duration":..,"scope":..};
 * duration defaults to "once", scope to "exe". */
int ctl_parse_answer(const struct json_object *args, struct ctl_answer *a,
		     struct ctl_error *err);
/* rules.delete/enable/disable: {"name":".."}: 1..CTL_NAME_MAX bytes, no
 * '/', no leading '.' (it names a file in the rules directory). */
int ctl_parse_name(const struct json_object *args, char *name, size_t len,
		   struct ctl_error *err);
/* Optional unsigned member key in [0, max]; *out keeps def when absent. */
int ctl_parse_uint(const struct json_object *args, const char *key,
		   uint64_t max, uint64_t def, uint64_t *out,
		   struct ctl_error *err);
/* rules.add: {"rule":{...}} -> the borrowed rule object. */
int ctl_parse_rule_obj(const struct json_object *args,
		       struct json_object **rule, struct ctl_error *err);

/* True when an event passes f. */
bool ctl_filter_match(const struct ctl_filter *f, const struct event_meta *m);

/* ---- encoders: line length (ending in '\n') or -ENOSPC. */

/* Start {"id":N,"ok":true,"result": ; the caller writes exactly one value,
 * then ctl_reply_end() closes the object and finishes the line. */
void ctl_reply_begin(struct jw *w, const struct ctl_req *req);
int ctl_reply_end(struct jw *w);
/* {"id":N|null,"ok":false,"error":{"code":..,"message":..}} */
int ctl_error_encode(const struct ctl_req *req, const struct ctl_error *err,
		     char *buf, size_t len);
/* {"v":1,"type":"dropped","count":N}: events this client lost. */
int ctl_dropped_encode(uint64_t count, char *buf, size_t len);
/* {"id":N,"cmd":..,"args":ARGS}: args_json is pre-encoded JSON or NULL. */
int ctl_request_encode(int64_t id, const char *cmd, const char *args_json,
		       char *buf, size_t len);

/* Fill err (printf-style message). */
void ctl_seterr(struct ctl_error *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
