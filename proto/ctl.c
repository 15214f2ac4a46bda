/* ctl.c - see ctl.h. */
#include "ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "duration.h"
#include "event.h"

static const char *const cmd_names[CTL_CMD_COUNT] = {
	[CTL_SUBSCRIBE] = "subscribe",
	[CTL_UNSUBSCRIBE] = "unsubscribe",
	[CTL_STATS] = "stats",
	[CTL_CONNECTIONS_LIST] = "connections.list",
	[CTL_RULES_LIST] = "rules.list",
	[CTL_RULES_ADD] = "rules.add",
	[CTL_RULES_DELETE] = "rules.delete",
	[CTL_RULES_ENABLE] = "rules.enable",
	[CTL_RULES_DISABLE] = "rules.disable",
	[CTL_PROMPT_REGISTER] = "prompt.register",
	[CTL_PROMPT_ANSWER] = "prompt.answer",
	[CTL_CONFIG_GET] = "config.get",
};

static const char *const event_names[] = {
	"connection", "prompt", "rule-change", "stats", "audit-loss", "warning",
};

void ctl_seterr(struct ctl_error *err, const char *code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

enum ctl_cmd ctl_cmd_lookup(const char *name, size_t len)
{
	int i;

	for (i = 1; i < CTL_CMD_COUNT; i++) {
		if (strlen(cmd_names[i]) == len && !memcmp(cmd_names[i], name, len))
			return (enum ctl_cmd)i;
	}
	return CTL_UNKNOWN;
}

static uint32_t name_bit(const char *const *names, size_t n, const char *s)
{
	size_t i;

	if (!s)
		return 0;
	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], s))
			return 1u << i;
	}
	return 0;
}

uint32_t ctl_event_bit(const char *type)
{
	return name_bit(event_names, sizeof(event_names) / sizeof(event_names[0]),
			type);
}

uint32_t ctl_verdict_bit(const char *verdict)
{
	enum action a;

	if (!verdict || action_parse(verdict, strlen(verdict), &a) < 0)
		return 0;
	return ctl_action_bit(a);
}

uint32_t ctl_action_bit(enum action a)
{
	return a < ACTION_COUNT ? 1u << a : 0;
}

/* Parse exactly len bytes as one JSON value: trailing non-space is an
 * error, so "{} x" is not silently half-accepted. */
static int parse_json(const char *line, size_t len, struct json_object **out,
		      struct ctl_error *err)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end, tok_end_fix = SIZE_MAX;
	int r = -EBADMSG;

	*out = NULL;
	if (memchr(line, '\0', len)) {
		ctl_seterr(err, CTL_E_BAD_JSON, "NUL byte in line");
		return r;
	}
	tok = json_tokener_new_ex(CTL_DEPTH_MAX);
	if (!tok) {
		ctl_seterr(err, CTL_E_INTERNAL, "out of memory");
		return -ENOMEM;
	}
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o && json_tokener_get_error(tok) == json_tokener_continue) {
		/* A bare literal ("null", "5") waits for a delimiter: a NUL
		 * byte ends the input without reading past len. */
		size_t used = json_tokener_get_parse_end(tok);

		o = json_tokener_parse_ex(tok, "", 1);
		if (json_tokener_get_error(tok) == json_tokener_success)
			tok_end_fix = used;
	}
	if (json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		ctl_seterr(err, CTL_E_BAD_JSON, "%s", e == json_tokener_continue ?
			   "incomplete JSON" : json_tokener_error_desc(e));
		json_object_put(o);
		goto out;
	}
	end = tok_end_fix != SIZE_MAX ? tok_end_fix : json_tokener_get_parse_end(tok);
	for (; end < len; end++) {
		if (!strchr(" \t\r", line[end])) {
			ctl_seterr(err, CTL_E_BAD_JSON, "trailing data after JSON");
			json_object_put(o);
			goto out;
		}
	}
	*out = o;
	r = 0;
out:
	json_tokener_free(tok);
	return r;
}

static int decode_id(struct json_object *root, struct ctl_req *req,
		     struct ctl_error *err)
{
	struct json_object *id;

	if (!json_object_object_get_ex(root, "id", &id) || !id)
		return 0;
	if (!json_object_is_type(id, json_type_int)) {
		ctl_seterr(err, CTL_E_BAD_REQUEST, "\"id\" must be an integer");
		return -EBADMSG;
	}
	req->has_id = true;
	req->id = json_object_get_int64(id);
	return 0;
}

static int decode_cmd(struct json_object *root, struct ctl_req *req,
		      struct ctl_error *err)
{
	struct json_object *cmd, *args;
	const char *s;
	size_t n;

	if (!json_object_object_get_ex(root, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		ctl_seterr(err, CTL_E_BAD_REQUEST, "\"cmd\" must be a string");
		return -EBADMSG;
	}
	if (json_object_object_get_ex(root, "args", &args) && args) {
		if (!json_object_is_type(args, json_type_object)) {
			ctl_seterr(err, CTL_E_BAD_REQUEST, "\"args\" must be an object");
			return -EBADMSG;
		}
		req->args = args;
	}
	s = json_object_get_string(cmd);
	n = (size_t)json_object_get_string_len(cmd);
	req->cmd = ctl_cmd_lookup(s, n);
	if (req->cmd == CTL_UNKNOWN) {
		ctl_seterr(err, CTL_E_UNKNOWN_CMD, "unknown command \"%.*s\"",
			   (int)(n > CTL_CMD_MAX ? CTL_CMD_MAX : n), s);
		return -ENOENT;
	}
	return 0;
}

int ctl_decode(const char *line, size_t len, struct ctl_req *req,
	       struct ctl_error *err)
{
	int r;

	memset(req, 0, sizeof(*req));
	err->code = NULL;
	err->message[0] = '\0';
	if (len > CTL_LINE_MAX) {
		ctl_seterr(err, CTL_E_TOO_LONG, "line over %u bytes", CTL_LINE_MAX);
		return -EMSGSIZE;
	}
	if ((r = parse_json(line, len, &req->root, err)) < 0)
		return r;
	if (!req->root || !json_object_is_type(req->root, json_type_object)) {
		ctl_seterr(err, CTL_E_BAD_REQUEST, "request must be a JSON object");
		r = -EBADMSG;
		goto out;
	}
	if ((r = decode_id(req->root, req, err)) < 0)
		goto out;
	r = decode_cmd(req->root, req, err);
out:
	if (r < 0 && r != -ENOENT) {
		/* Keep the id for the error reply, drop the tree. */
		json_object_put(req->root);
		req->root = NULL;
		req->args = NULL;
	}
	return r;
}

void ctl_req_free(struct ctl_req *req)
{
	if (!req)
		return;
	json_object_put(req->root);
	req->root = NULL;
	req->args = NULL;
}

/* ---- argument decoders */

static struct json_object *member(const struct json_object *args,
				  const char *key)
{
	struct json_object *v = NULL;

	if (!args || !json_object_object_get_ex(args, key, &v))
		return NULL;
	return v;
}

/* A string member: -ENOENT absent, -EINVAL wrong type/size/NUL. */
static int get_str(const struct json_object *args, const char *key,
		   size_t max, const char **s, size_t *n, struct ctl_error *err)
{
	struct json_object *v = member(args, key);

	*s = NULL;
	*n = 0;
	if (!v)
		return -ENOENT;
	if (!json_object_is_type(v, json_type_string)) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "\"%s\" must be a string", key);
		return -EINVAL;
	}
	*s = json_object_get_string(v);
	*n = (size_t)json_object_get_string_len(v);
	if (*n > max || memchr(*s, '\0', *n)) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "\"%s\" too long or holds NUL", key);
		return -EINVAL;
	}
	return 0;
}

/* An array of names -> bit mask via bit_of; unknown names are errors so a
 * typo never silently subscribes to nothing. */
static int parse_mask(const struct json_object *args, const char *key,
		      uint32_t (*bit_of)(const char *), uint32_t *mask,
		      struct ctl_error *err)
{
	struct json_object *v = member(args, key);
	size_t i, n;

	*mask = 0;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_array)) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "\"%s\" must be an array", key);
		return -EINVAL;
	}
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		uint32_t b = 0;

		if (json_object_is_type(e, json_type_string))
			b = bit_of(json_object_get_string(e));
		if (!b) {
			ctl_seterr(err, CTL_E_BAD_ARGS, "\"%s\"[%zu] is not a known name",
				   key, i);
			return -EINVAL;
		}
		*mask |= b;
	}
	return 0;
}

int ctl_parse_filter(const struct json_object *args, struct ctl_filter *f,
		     struct ctl_error *err)
{
	const char *s;
	size_t n;
	int r;

	memset(f, 0, sizeof(*f));
	if ((r = parse_mask(args, "types", ctl_event_bit, &f->types, err)) < 0 ||
	    (r = parse_mask(args, "verdicts", ctl_verdict_bit, &f->verdicts, err)) < 0)
		return r;
	r = get_str(args, "exe", CTL_EXE_MAX - 1, &s, &n, err);
	if (r == -EINVAL)
		return r;
	if (r == 0) {
		memcpy(f->exe, s, n);
		f->exe[n] = '\0';
	}
	return 0;
}

bool ctl_filter_match(const struct ctl_filter *f, const struct event_meta *m)
{
	uint32_t t = ctl_event_bit(m->type);

	if (f->types && !(f->types & t))
		return false;
	/* Verdict and exe filters only speak about connection events. */
	if (t != CTL_EV_CONNECTION)
		return true;
	if (f->verdicts && !(f->verdicts & m->verdict))
		return false;
	if (f->exe[0] && (!m->exe || strcmp(f->exe, m->exe)))
		return false;
	return true;
}

int ctl_parse_uint(const struct json_object *args, const char *key,
		   uint64_t max, uint64_t def, uint64_t *out,
		   struct ctl_error *err)
{
	struct json_object *v = member(args, key);
	int64_t x;

	*out = def;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int)) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "\"%s\" must be an integer", key);
		return -EINVAL;
	}
	x = json_object_get_int64(v);
	if (x < 0 || (uint64_t)x > max) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "\"%s\" must be in 0..%llu", key,
			   (unsigned long long)max);
		return -EINVAL;
	}
	*out = (uint64_t)x;
	return 0;
}

int ctl_parse_name(const struct json_object *args, char *name, size_t len,
		   struct ctl_error *err)
{
	const char *s;
	size_t n;
	int r;

	name[0] = '\0';
	r = get_str(args, "name", CTL_NAME_MAX, &s, &n, err);
	if (r == -ENOENT)
		ctl_seterr(err, CTL_E_BAD_ARGS, "\"name\" is required");
	if (r < 0)
		return -EINVAL;
	if (!n || n >= len || s[0] == '.' || memchr(s, '/', n)) {
		ctl_seterr(err, CTL_E_BAD_ARGS,
			   "\"name\" must be 1..%d bytes, no '/', no leading '.'",
			   CTL_NAME_MAX);
		return -EINVAL;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	return 0;
}

static int parse_duration(const struct json_object *args, char *out,
			  size_t outlen, struct ctl_error *err)
{
	const char *s;
	uint64_t ms;
	size_t n;
	int r;

	r = get_str(args, "duration", CTL_DURATION_MAX, &s, &n, err);
	if (r == -ENOENT) {
		snprintf(out, outlen, "once");
		return 0;
	}
	if (r < 0)
		return r;
	if ((n == 4 && !memcmp(s, "once", 4)) ||
	    (n == 13 && !memcmp(s, "until restart", 13)) ||
	    (n == 6 && !memcmp(s, "always", 6)) || duration_parse_go(s, n, &ms) == 0) {
		memcpy(out, s, n);
		out[n] = '\0';
		return 0;
	}
	ctl_seterr(err, CTL_E_BAD_ARGS, "\"duration\" must be once, until restart, "
		   "always or a Go duration (30s, 5m, 1h)");
	return -EINVAL;
}

static int parse_scope(const struct json_object *args, enum prompt_scope *sc,
		       struct ctl_error *err)
{
	const char *s;
	size_t n;
	int r;

	*sc = PROMPT_SCOPE_EXE;
	r = get_str(args, "scope", 16, &s, &n, err);
	if (r == -ENOENT)
		return 0;
	if (r == 0 && prompt_scope_parse(s, n, sc) == 0)
		return 0;
	ctl_seterr(err, CTL_E_BAD_ARGS,
		   "\"scope\" must be exe, exe+host or exe+ip+port");
	return -EINVAL;
}

int ctl_parse_answer(const struct json_object *args, struct ctl_answer *a,
		     struct ctl_error *err)
{
	const char *s;
	uint64_t id;
	size_t n;
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = ctl_parse_uint(args, "prompt_id", UINT32_MAX, 0, &id, err)) < 0)
		return r;
	if (!id) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "\"prompt_id\" is required (> 0)");
		return -EINVAL;
	}
	a->prompt_id = (uint32_t)id;
	r = get_str(args, "action", 7, &s, &n, err);
	if (r < 0 || action_parse(s, n, &a->action) < 0) {
		ctl_seterr(err, CTL_E_BAD_ARGS,
			   "\"action\" must be allow, deny or reject");
		return -EINVAL;
	}
	if ((r = parse_duration(args, a->duration, sizeof(a->duration), err)) < 0)
		return r;
	return parse_scope(args, &a->scope, err);
}

int ctl_parse_rule_obj(const struct json_object *args,
		       struct json_object **rule, struct ctl_error *err)
{
	struct json_object *v = member(args, "rule");

	*rule = NULL;
	if (!v || !json_object_is_type(v, json_type_object)) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "\"rule\" must be a rule object");
		return -EINVAL;
	}
	*rule = v;
	return 0;
}

/* ---- encoders */

static void put_id(struct jw *w, const struct ctl_req *req)
{
	jw_key(w, "id");
	if (req && req->has_id)
		jw_int(w, req->id);
	else
		jw_null(w);
}

void ctl_reply_begin(struct jw *w, const struct ctl_req *req)
{
	jw_obj_begin(w);
	put_id(w, req);
	jw_kbool(w, "ok", true);
	jw_key(w, "result");
}

int ctl_reply_end(struct jw *w)
{
	jw_obj_end(w);
	return jw_finish(w);
}

int ctl_error_encode(const struct ctl_req *req, const struct ctl_error *err,
		     char *buf, size_t len)
{
	struct jw w;

	jw_init(&w, buf, len);
	jw_obj_begin(&w);
	put_id(&w, req);
	jw_kbool(&w, "ok", false);
	jw_key(&w, "error");
	jw_obj_begin(&w);
	jw_kstr(&w, "code", err->code ? err->code : CTL_E_INTERNAL);
	jw_kstr(&w, "message", err->message);
	jw_obj_end(&w);
	jw_obj_end(&w);
	return jw_finish(&w);
}

int ctl_dropped_encode(uint64_t count, char *buf, size_t len)
{
	struct jw w;

	jw_init(&w, buf, len);
	jw_obj_begin(&w);
	jw_kint(&w, "v", EVENT_SCHEMA_VERSION);
	jw_kstr(&w, "type", "dropped");
	jw_kuint(&w, "count", count);
	jw_obj_end(&w);
	return jw_finish(&w);
}

int ctl_request_encode(int64_t id, const char *cmd, const char *args_json,
		       char *buf, size_t len)
{
	struct jw w;

	jw_init(&w, buf, len);
	jw_obj_begin(&w);
	jw_kint(&w, "id", id);
	jw_kstr(&w, "cmd", cmd);
	if (args_json) {
		jw_key(&w, "args");
		jw_raw(&w, args_json);
	}
	jw_obj_end(&w);
	return jw_finish(&w);
}
