/* control.c - see control.h. */
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon.h"
#include "emit.h"
#include "event.h"
#include "policy.h"
#include "prompt.h"
#include "rules.h"
#include "stats.h"

/* ---- small commands */

static int cmd_stats(struct daemon *d, struct jw *w)
{
	jw_obj_begin(w);
	stats_put(w, d, loop_now_ms());
	jw_obj_end(w);
	return 0;
}

/* The newest `limit` lines that fit the reply, oldest first. */
static int cmd_connections(struct daemon *d, const struct ctl_req *req,
			   struct jw *w, struct ctl_error *err)
{
	uint64_t limit;
	int r;

	r = ctl_parse_uint(req->args, "limit", STATS_RECENT_MAX,
			   CONTROL_LIST_DEFAULT, &limit, err);
	if (r < 0)
		return r;
	stats_put_connections(w, d->stats, limit, SERVER_REPLY_MAX - 4096);
	return 0;
}

static int cmd_config(struct daemon *d, struct jw *w)
{
	const struct config *cf = &d->cfg;
	unsigned i;

	jw_obj_begin(w);
	jw_kstr(w, "rules_dir", cf->rules_dir[0] ? cf->rules_dir : NULL);
	jw_kstr(w, "socket", cf->socket_path);
	jw_kstr(w, "default_action", action_name(cf->default_action));
	jw_kstr(w, "unattributed_action", action_name(cf->unattributed_action));
	jw_kuint(w, "queue", cf->queue);
	jw_kuint(w, "queue_maxlen", cf->queue_maxlen);
	jw_kstr(w, "netns", cf->netns[0] ? cf->netns : NULL);
	/* The first sink, as before; all of them in log_sinks. */
	jw_kstr(w, "log_events", cf->n_log_sinks ? cf->log_sinks[0] : NULL);
	jw_key(w, "log_sinks");
	jw_arr_begin(w);
	for (i = 0; i < cf->n_log_sinks; i++)
		jw_str(w, cf->log_sinks[i]);
	jw_arr_end(w);
	jw_kstr(w, "host", d->host);
	jw_kbool(w, "no_firewall", cf->no_firewall);
	jw_kbool(w, "fail_closed", cf->fail_closed);
	jw_kbool(w, "no_audit", cf->no_audit);
	jw_kuint(w, "prompt_timeout_ms", cf->prompt_timeout_ms);
	jw_kuint(w, "verdict_timeout_ms", cf->verdict_timeout_ms);
	jw_kuint(w, "audit_wait_ms", cf->audit_wait_ms);
	jw_kuint(w, "pending_max", cf->pending_max);
	jw_kuint(w, "pidcache_max", cf->pidcache_max);
	jw_kuint(w, "event_rate_per_exe", cf->event_rate_per_exe);
	jw_obj_end(w);
	return 0;
}

/* ---- rules */

/* A control command replaced the rules: the list-directory watch
 * follows (policy_set_rules). */
static void swap_rules(struct daemon *d, struct ruleset *rs)
{
	policy_set_rules(d, rs);
	stats_add(d->stats, STATS_RULE_EDITS, 1);
}

static int rules_errno(int r, const char *name, struct ctl_error *err)
{
	if (r == -ENOENT)
		ctl_seterr(err, CTL_E_NOT_FOUND, "no rule named \"%s\"", name);
	else if (r == -ENOSPC)
		ctl_seterr(err, CTL_E_UNAVAILABLE, "rule table full");
	else
		ctl_seterr(err, CTL_E_INTERNAL, "%s", strerror(-r));
	return r;
}

/* -EEXIST when path is the file of a rule with another name: writing it
 * would silently replace that rule. */
static int file_taken(const struct ruleset *rs, const char *path,
		      const char *name, struct ctl_error *err)
{
	size_t i, n = rs ? ruleset_count(rs) : 0;

	for (i = 0; i < n; i++) {
		const struct rule *o = ruleset_at(rs, i);

		if (rule_file(o) && !strcmp(rule_file(o), path) &&
		    strcmp(rule_name(o), name)) {
			ctl_seterr(err, CTL_E_BAD_ARGS, "%s holds rule \"%s\"; "
				   "not replaced by \"%s\"", path, rule_name(o),
				   name);
			return -EEXIST;
		}
	}
	return 0;
}

/* Add r to the live ruleset; an "always" rule is written to the rules
 * directory first, so a failed write changes nothing.  file gets the path
 * written, or "". */
static int install_rule(struct daemon *d, struct rule *r, char *file,
			size_t flen, struct ctl_error *err)
{
	struct ruleset *base = d->rules, *ns = NULL, *empty = NULL;
	const char *dir = d->cfg.rules_dir;
	int ret;

	file[0] = '\0';
	if (rule_duration(r) == RULE_ALWAYS) {
		const struct rule *old = base ? ruleset_find(base, rule_name(r)) : NULL;

		if (!dir[0]) {
			ctl_seterr(err, CTL_E_UNAVAILABLE,
				   "no rules directory: use a shorter duration");
			return -ENOENT;
		}
		/* Replacing a rule from a file: that file, not NAME.json
		 * next to it (two files, one name: the reload would keep
		 * the old one). */
		if (old && rule_file(old))
			snprintf(file, flen, "%s", rule_file(old));
		else
			snprintf(file, flen, "%s/%s.json", dir, rule_name(r));
		if ((ret = file_taken(base, file, rule_name(r), err)) < 0 ||
		    (ret = rule_write_path(r, file)) < 0 ||
		    (ret = rule_set_file(r, file)) < 0) {
			if (!err->code)
				ctl_seterr(err, CTL_E_INTERNAL, "writing %s: %s",
					   file, strerror(-ret));
			file[0] = '\0';
			return ret;
		}
	}
	if (!base && !(base = empty = ruleset_new()))
		return rules_errno(-ENOMEM, rule_name(r), err);
	ret = ruleset_add(base, r, &ns);
	ruleset_put(empty);
	if (ret < 0)
		return rules_errno(ret, rule_name(r), err);
	swap_rules(d, ns);
	policy_rule_change(d, "added", rule_name(r), file[0] ? file : NULL, "control", 0);
	return 0;
}

/* Where a rule lives on disk: the file it was loaded from, or for an
 * "always" rule added at runtime the file install_rule() wrote.  NULL for
 * runtime-only rules. */
static const char *rule_path(const struct daemon *d, const struct rule *ru,
			     char *buf, size_t len)
{
	if (rule_file(ru))
		return rule_file(ru);
	if (!d->cfg.rules_dir[0] || rule_duration(ru) != RULE_ALWAYS)
		return NULL;
	snprintf(buf, len, "%s/%s.json", d->cfg.rules_dir, rule_name(ru));
	return buf;
}

static void put_rule_result(struct jw *w, const char *name, const char *file)
{
	jw_obj_begin(w);
	jw_kstr(w, "name", name);
	jw_kstr(w, "file", file && file[0] ? file : NULL);
	jw_obj_end(w);
}

static int cmd_rules_add(struct daemon *d, const struct ctl_req *req,
			 struct jw *w, struct ctl_error *err)
{
	struct rules_clock clk = rules_clock_now();
	struct json_object *obj;
	struct rule *r = NULL;
	char why[256], file[CONFIG_PATH_MAX + CTL_NAME_MAX + 8];
	int ret;

	if ((ret = ctl_parse_rule_obj(req->args, &obj, err)) < 0)
		return ret;
	ret = rule_from_json(obj, &clk, &r, why, sizeof(why));
	/* process.env.* reads another user's environment (root's too): a
	 * rule over the socket would let a group member read secrets bit by
	 * bit from which rule matches.  Only root's rule files may. */
	if (ret == 0 && rule_uses_env(r)) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "rule: process.env.* rules are "
			   "only loaded from rule files, not over the socket");
		ret = -EPERM;
		goto out;
	}
	/* Over the socket, lists only from under the rules directory:
	 * tattled reads them as root. */
	if (ret == 0)
		ret = rule_lists_under(r, d->cfg.rules_dir, why, sizeof(why));
	if (ret == 0) {
		why[0] = '\0';
		ret = rule_load_lists(r, why, sizeof(why));
		if (ret == 0 && why[0])
			daemon_warning(d, "list-file-skipped", why, NULL);
	}
	if (ret < 0) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "rule: %s", why);
		goto out;
	}
	if ((ret = install_rule(d, r, file, sizeof(file), err)) < 0)
		goto out;
	put_rule_result(w, rule_name(r), file);
out:
	rule_put(r);
	return ret;
}

static int cmd_rules_list(struct daemon *d, const struct ctl_req *req,
			  struct jw *w, struct ctl_error *err)
{
	size_t n = d->rules ? ruleset_count(d->rules) : 0;
	uint64_t off, limit, i;
	int r;

	if ((r = ctl_parse_uint(req->args, "offset", RULES_MAX_COUNT, 0, &off, err)) < 0 ||
	    (r = ctl_parse_uint(req->args, "limit", CONTROL_RULES_LIST_MAX,
				CONTROL_RULES_LIST_MAX, &limit, err)) < 0)
		return r;
	jw_obj_begin(w);
	jw_kuint(w, "count", n);
	jw_key(w, "rules");
	jw_arr_begin(w);
	for (i = off; i < n && i < off + limit && !w->overflow; i++) {
		const struct rule *ru = ruleset_at(d->rules, i);
		struct json_object *o = rule_to_json(ru);
		char buf[CONFIG_PATH_MAX + CTL_NAME_MAX + 8];
		const char *f = rule_path(d, ru, buf, sizeof(buf));

		if (!o)
			break;
		json_object_object_add(o, "file", f ? json_object_new_string(f) : NULL);
		jw_raw(w, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	return 0;
}

static int cmd_rules_delete(struct daemon *d, const struct ctl_req *req,
			    struct jw *w, struct ctl_error *err)
{
	char name[CTL_NAME_MAX + 1], file[CONFIG_PATH_MAX + CTL_NAME_MAX + 8];
	struct ruleset *ns = NULL;
	const struct rule *ru;
	int r;

	if ((r = ctl_parse_name(req->args, name, sizeof(name), err)) < 0)
		return r;
	ru = d->rules ? ruleset_find(d->rules, name) : NULL;
	if (!ru)
		return rules_errno(-ENOENT, name, err);
	file[0] = '\0';
	if (rule_path(d, ru, file, sizeof(file))) {
		if (rule_file(ru))
			snprintf(file, sizeof(file), "%s", rule_file(ru));
		r = unlink(file) < 0 ? -errno : 0;
		if (r < 0 && r != -ENOENT)
			return rules_errno(r, name, err);
	}
	if ((r = ruleset_remove(d->rules, name, &ns)) < 0)
		return rules_errno(r, name, err);
	swap_rules(d, ns);
	policy_rule_change(d, "deleted", name, file[0] ? file : NULL, "control", 0);
	put_rule_result(w, name, file);
	return 0;
}

static int cmd_rules_enable(struct daemon *d, const struct ctl_req *req,
			    bool on, struct jw *w, struct ctl_error *err)
{
	char name[CTL_NAME_MAX + 1], buf[CONFIG_PATH_MAX + CTL_NAME_MAX + 8];
	struct ruleset *ns = NULL;
	const struct rule *ru;
	const char *file;
	int r;

	if ((r = ctl_parse_name(req->args, name, sizeof(name), err)) < 0)
		return r;
	if (!d->rules)
		return rules_errno(-ENOENT, name, err);
	if ((r = ruleset_set_enabled(d->rules, name, on, &ns)) < 0)
		return rules_errno(r, name, err);
	ru = ruleset_find(ns, name);
	file = ru ? rule_path(d, ru, buf, sizeof(buf)) : NULL;
	/* A rule on disk stays as the user set it across restarts: written
	 * back to its own file (whatever that file is called), atomically,
	 * so the watcher's reload reads the same state, not a duplicate. */
	if (file && (r = rule_write_path(ru, file)) < 0) {
		ctl_seterr(err, CTL_E_INTERNAL, "writing %s: %s (rule \"%s\" "
			   "unchanged)", file, strerror(-r), name);
		ruleset_put(ns);	/* file may point into it */
		return r;
	}
	swap_rules(d, ns);
	policy_rule_change(d, on ? "enabled" : "disabled", name, file, "control", 0);
	put_rule_result(w, name, file);
	return 0;
}

/* ---- prompts */

/* The operator an answer's scope asks for: process.path alone, or a
 * "list" (AND) with dest.host, or with dest.ip + dest.port + protocol. */
static struct json_object *answer_operator(const struct prompt *pr,
					   enum prompt_scope scope)
{
	struct json_object *op, *list;
	char ip[64], port[8], proto[16];

	if (scope == PROMPT_SCOPE_EXE)
		return rule_json_simple("process.path", pr->exe);
	list = json_object_new_array();
	json_object_array_add(list, rule_json_simple("process.path", pr->exe));
	if (scope == PROMPT_SCOPE_EXE_HOST) {
		json_object_array_add(list, rule_json_simple("dest.host", pr->host));
	} else {
		flow_addr_str(pr->flow.family, pr->flow.dst, ip, sizeof(ip));
		snprintf(port, sizeof(port), "%u", pr->flow.dport);
		json_object_array_add(list, rule_json_simple("dest.ip", ip));
		json_object_array_add(list, rule_json_simple("dest.port", port));
		if (packet_proto_operand(&pr->flow, proto, sizeof(proto)))
			json_object_array_add(list, rule_json_simple("protocol", proto));
	}
	op = json_object_new_object();
	json_object_object_add(op, "type", json_object_new_string("list"));
	json_object_object_add(op, "operand", json_object_new_string("list"));
	json_object_object_add(op, "list", list);
	return op;
}

/* The answer's rule name (prompt_rule_name): readable, and distinct for
 * every distinct question, so answering the same question again replaces
 * the rule instead of piling up copies, and never another one. */
static int answer_rule_name(const struct prompt *pr, const struct ctl_answer *a,
			    char *out, size_t len)
{
	char detail[PROMPT_HOST_MAX + 96], ip[64], proto[16] = "";

	detail[0] = '\0';
	if (a->scope == PROMPT_SCOPE_EXE_HOST) {
		snprintf(detail, sizeof(detail), "%s", pr->host);
	} else if (a->scope == PROMPT_SCOPE_EXE_IP_PORT) {
		(void)packet_proto_operand(&pr->flow, proto, sizeof(proto));
		snprintf(detail, sizeof(detail), "%s %u %s",
			 flow_addr_str(pr->flow.family, pr->flow.dst, ip,
				       sizeof(ip)), pr->flow.dport, proto);
	}
	return prompt_rule_name(action_name(a->action), a->duration, a->scope,
				pr->exe, detail, out, len);
}

static int answer_rule(struct daemon *d, const struct prompt *pr,
		       const struct ctl_answer *a, char *name, size_t nlen,
		       char *file, size_t flen, struct ctl_error *err)
{
	struct rules_clock clk = rules_clock_now();
	struct json_object *o = json_object_new_object();
	const struct rule *existing;
	struct rule *r = NULL;
	char why[256];
	int ret;

	if (answer_rule_name(pr, a, name, nlen) < 0) {
		json_object_put(o);
		ctl_seterr(err, CTL_E_INTERNAL, "rule name does not fit");
		return -ENOSPC;
	}
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "enabled", json_object_new_boolean(true));
	json_object_object_add(o, "precedence", json_object_new_boolean(false));
	json_object_object_add(o, "action", json_object_new_string(action_name(a->action)));
	json_object_object_add(o, "duration", json_object_new_string(a->duration));
	json_object_object_add(o, "operator", answer_operator(pr, a->scope));
	ret = rule_from_json(o, &clk, &r, why, sizeof(why));
	json_object_put(o);
	if (ret < 0) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "rule: %s", why);
		return ret;
	}
	/* Same name, other condition or action: not this answer's rule
	 * (made by hand, or a hash collision).  Never replaced. */
	existing = d->rules ? ruleset_find(d->rules, name) : NULL;
	if (existing && !rule_same_policy(existing, r)) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "a different rule named \"%s\" "
			   "exists; not replaced", name);
		rule_put(r);
		return -EEXIST;
	}
	ret = install_rule(d, r, file, flen, err);
	rule_put(r);
	return ret;
}

/* Take the held packets of the answered prompt (and, for a lasting rule,
 * of every other open prompt it covers) and have verdict.c decide them. */
static size_t answer_decide(struct daemon *d, const struct ctl_answer *a,
			    enum action act, const char *rule)
{
	uint32_t ids[CONTROL_HELD_MAX];
	const struct prompt *pr = prompts_get(d->prompts, a->prompt_id);
	char exe[PROMPT_EXE_MAX], host[PROMPT_HOST_MAX];
	struct flow f = pr->flow;
	int n, m = 0;

	snprintf(exe, sizeof(exe), "%s", pr->exe ? pr->exe : "");
	snprintf(host, sizeof(host), "%s", pr->host);
	n = prompts_take(d->prompts, a->prompt_id, ids, CONTROL_HELD_MAX);
	if (n < 0)
		n = 0;
	if (rule && exe[0])
		m = prompts_take_covered(d->prompts, exe, a->scope,
					 host, &f, ids + n, CONTROL_HELD_MAX - (size_t)n);
	verdict_prompt_decided(d, ids, (size_t)(n + m), act, rule);
	return (size_t)(n + m);
}

static int cmd_prompt_answer(struct daemon *d, const struct ctl_req *req,
			     struct jw *w, struct ctl_error *err)
{
	char name[CTL_NAME_MAX + 1] = "", file[CONFIG_PATH_MAX + CTL_NAME_MAX + 8] = "";
	const struct prompt *pr;
	struct ctl_answer a;
	enum action act;
	bool once;
	size_t n;
	int r;

	if ((r = ctl_parse_answer(req->args, &a, err)) < 0)
		return r;
	pr = d->prompts ? prompts_get(d->prompts, a.prompt_id) : NULL;
	if (!pr) {
		ctl_seterr(err, CTL_E_NO_PROMPT, "prompt %u is not open (answered "
			   "or timed out)", a.prompt_id);
		return -ENOENT;
	}
	if (a.scope == PROMPT_SCOPE_EXE_HOST && !pr->host[0]) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "no host name known for this prompt");
		return -EINVAL;
	}
	act = a.action;
	once = !strcmp(a.duration, "once");
	if (!once && !pr->exe) {
		/* A rule names a program; without one it would cover every
		 * program of that user to that destination. */
		ctl_seterr(err, CTL_E_BAD_ARGS, "no process known for this "
			   "prompt: only a once answer");
		return -EINVAL;
	}
	if (!once && (r = answer_rule(d, pr, &a, name, sizeof(name), file,
				      sizeof(file), err)) < 0)
		return r;
	n = answer_decide(d, &a, act, once ? NULL : name);
	stats_add(d->stats, STATS_PROMPTS_ANSWERED, 1);
	jw_obj_begin(w);
	jw_kuint(w, "prompt_id", a.prompt_id);
	jw_kuint(w, "decided", n);
	jw_kstr(w, "rule", once ? NULL : name);
	jw_kstr(w, "file", file[0] ? file : NULL);
	jw_obj_end(w);
	return 0;
}

/* ---- dispatch */

static int control_request(void *data, struct server_client *cl,
			   const struct ctl_req *req, struct jw *w,
			   struct ctl_error *err)
{
	struct daemon *d = data;

	(void)cl;
	if (!d->stats) {
		ctl_seterr(err, CTL_E_UNAVAILABLE, "daemon is starting");
		return -EAGAIN;
	}
	switch (req->cmd) {
	case CTL_STATS:
		return cmd_stats(d, w);
	case CTL_CONNECTIONS_LIST:
		return cmd_connections(d, req, w, err);
	case CTL_CONFIG_GET:
		return cmd_config(d, w);
	case CTL_RULES_LIST:
		return cmd_rules_list(d, req, w, err);
	case CTL_RULES_ADD:
		return cmd_rules_add(d, req, w, err);
	case CTL_RULES_DELETE:
		return cmd_rules_delete(d, req, w, err);
	case CTL_RULES_ENABLE:
		return cmd_rules_enable(d, req, true, w, err);
	case CTL_RULES_DISABLE:
		return cmd_rules_enable(d, req, false, w, err);
	case CTL_PROMPT_ANSWER:
		return cmd_prompt_answer(d, req, w, err);
	default:
		ctl_seterr(err, CTL_E_UNKNOWN_CMD, "command not handled here");
		return -ENOENT;
	}
}

const struct server_ops control_server_ops = {
	.request = control_request,
};
