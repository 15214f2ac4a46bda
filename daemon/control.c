/* control.c - see control.h. */
#include "control.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon.h"
#include "emit.h"
#include "event.h"
#include "filewrite.h"
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

/* ---- rule files, written off the loop
 *
 * A command that writes or removes a rule file (rules.add of an "always"
 * rule, rules.enable/disable and rules.delete of a rule on disk, an
 * "always" answer) runs in two halves: the file goes to the worker
 * (WORKER_FILE: fsync waits for the disk, and the loop never does), and
 * once it is there the rules change and the request is answered
 * (control_file_done).  So a failed write changes nothing, and a reply
 * means the file is on disk.  One file at a time: an edit that comes
 * meanwhile waits, in order, and then sees the rules the one before it
 * left.  The asking client's later requests wait too (SERVER_LATER).
 * Without a worker the file is written at once, on the loop. */

/* An edit whose file is on the worker. */
struct control_job {
	enum ctl_cmd cmd;
	struct server_ticket t;
	struct rule *rule;		/* add, answer: installed once written */
	struct ctl_answer answer;	/* answer */
	char name[CTL_NAME_MAX + 1];
	char file[CONTROL_FILE_MAX];	/* written or removed */
	bool on;			/* enable, disable */
};

/* An edit that came while a file was on the worker. */
struct control_wait {
	struct server_ticket t;
	struct ctl_req req;		/* holds its own JSON reference */
};

struct control_files {
	bool busy;			/* job's file on the worker */
	uint64_t cookie;		/* job's WORKER_FILE request */
	struct control_job job;
	struct control_wait q[CONTROL_WAIT_MAX];
	size_t head, n;
};

static bool is_edit(enum ctl_cmd cmd)
{
	return cmd == CTL_RULES_ADD || cmd == CTL_RULES_DELETE ||
	       cmd == CTL_RULES_ENABLE || cmd == CTL_RULES_DISABLE ||
	       cmd == CTL_PROMPT_ANSWER;
}

static struct control_files *control_files(struct daemon *d)
{
	if (!d->ctl_files)
		d->ctl_files = calloc(1, sizeof(*d->ctl_files));
	return d->ctl_files;
}

/* Write (text) or remove (text NULL) j->file: on the worker, and then
 * SERVER_LATER with j kept for control_file_done(); without one, here,
 * and the result of the write (0 or -errno) for the caller to finish.
 * text is taken either way. */
static int job_file(struct daemon *d, const struct control_job *j,
		    char *text, size_t len)
{
	struct control_files *cf = d->worker ? control_files(d) : NULL;
	struct worker_req req = { .op = WORKER_FILE };
	int r;

	if (!cf) {
		r = text ? filewrite_atomic(j->file, text, len) :
		    unlink(j->file) < 0 && errno != ENOENT ? -errno : 0;
		free(text);
		return r;
	}
	req.cookie = ++cf->cookie;
	req.text = text;
	req.text_len = len;
	if (!(req.path = strdup(j->file))) {
		free(text);
		return -ENOMEM;
	}
	/* The worker's queue full: busy, not a reason to wait here. */
	if ((r = worker_submit(d->worker, &req)) < 0) {
		free(req.path);
		free(text);
		return r == -ENOSPC ? -EBUSY : r;
	}
	cf->job = *j;
	if (j->rule)
		cf->job.rule = rule_get(j->rule);
	cf->busy = true;
	return SERVER_LATER;
}

/* Add r (its file, if any, written) to the live ruleset. */
static int install_commit(struct daemon *d, struct rule *r, const char *file,
			  struct ctl_error *err)
{
	struct ruleset *base = d->rules, *ns = NULL, *empty = NULL;
	int ret;

	if (file[0] && (ret = rule_set_file(r, file)) < 0)
		return rules_errno(ret, rule_name(r), err);
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

static int write_failed(const struct control_job *j, int r, const char *what,
			struct ctl_error *err)
{
	ctl_seterr(err, CTL_E_INTERNAL, "%s %s: %s (rule \"%s\" unchanged)",
		   what, j->file, strerror(-r), j->name);
	return r;
}

/* Add r to the live ruleset; an "always" rule's file is written first
 * (j->file), so a failed write changes nothing.  0 done (j->file is the
 * path written, or ""), SERVER_LATER, or -errno with *err. */
static int install_rule(struct daemon *d, struct control_job *j, struct rule *r,
			struct ctl_error *err)
{
	struct ruleset *base = d->rules;
	const struct rule *old = base ? ruleset_find(base, rule_name(r)) : NULL;
	const char *dir = d->cfg.rules_dir;
	size_t len;
	char *text;
	int ret;

	j->file[0] = '\0';
	snprintf(j->name, sizeof(j->name), "%s", rule_name(r));
	if (rule_duration(r) != RULE_ALWAYS)
		return install_commit(d, r, j->file, err);
	if (!dir[0]) {
		ctl_seterr(err, CTL_E_UNAVAILABLE,
			   "no rules directory: use a shorter duration");
		return -ENOENT;
	}
	/* Replacing a rule from a file: that file, not NAME.json next to it
	 * (two files, one name: the reload would keep the old one). */
	if (old && rule_file(old))
		snprintf(j->file, sizeof(j->file), "%s", rule_file(old));
	else
		snprintf(j->file, sizeof(j->file), "%s/%s.json", dir, rule_name(r));
	if ((ret = file_taken(base, j->file, rule_name(r), err)) < 0)
		goto fail;
	if (!(text = rule_text(r, &len))) {
		ret = rules_errno(-ENOMEM, rule_name(r), err);
		goto fail;
	}
	j->rule = r;
	ret = job_file(d, j, text, len);
	j->rule = NULL;
	if (ret == SERVER_LATER)
		return ret;
	if (ret < 0) {
		ret = write_failed(j, ret, "writing", err);
		goto fail;
	}
	return install_commit(d, r, j->file, err);
fail:
	j->file[0] = '\0';
	return ret;
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
			 struct control_job *j, struct jw *w,
			 struct ctl_error *err)
{
	struct rules_clock clk = rules_clock_now();
	struct json_object *obj;
	struct rule *r = NULL;
	char why[256];
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
	if ((ret = install_rule(d, j, r, err)) < 0 || ret == SERVER_LATER)
		goto out;
	put_rule_result(w, rule_name(r), j->file);
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

/* The rule leaves the live ruleset (its file is gone already). */
static int delete_commit(struct daemon *d, const struct control_job *j,
			 struct jw *w, struct ctl_error *err)
{
	struct ruleset *ns = NULL;
	int r;

	r = d->rules ? ruleset_remove(d->rules, j->name, &ns) : -ENOENT;
	/* Gone already: the watcher's reload saw its file go first. */
	if (r == -ENOENT && j->file[0])
		ns = NULL;
	else if (r < 0)
		return rules_errno(r, j->name, err);
	if (ns)
		swap_rules(d, ns);
	policy_rule_change(d, "deleted", j->name, j->file[0] ? j->file : NULL,
			   "control", 0);
	put_rule_result(w, j->name, j->file);
	return 0;
}

static int cmd_rules_delete(struct daemon *d, const struct ctl_req *req,
			    struct control_job *j, struct jw *w,
			    struct ctl_error *err)
{
	const struct rule *ru;
	int r;

	if ((r = ctl_parse_name(req->args, j->name, sizeof(j->name), err)) < 0)
		return r;
	ru = d->rules ? ruleset_find(d->rules, j->name) : NULL;
	if (!ru)
		return rules_errno(-ENOENT, j->name, err);
	j->file[0] = '\0';
	if (rule_path(d, ru, j->file, sizeof(j->file))) {
		if (rule_file(ru))
			snprintf(j->file, sizeof(j->file), "%s", rule_file(ru));
		r = job_file(d, j, NULL, 0);
		if (r == SERVER_LATER)
			return r;
		if (r < 0)
			return write_failed(j, r, "removing", err);
	}
	return delete_commit(d, j, w, err);
}

/* The rule's new state (its file written already, if it has one). */
static int enable_commit(struct daemon *d, const struct control_job *j,
			 struct jw *w, struct ctl_error *err)
{
	struct ruleset *ns = NULL;
	int r;

	r = d->rules ? ruleset_set_enabled(d->rules, j->name, j->on, &ns) :
	    -ENOENT;
	if (r < 0)
		return rules_errno(r, j->name, err);
	swap_rules(d, ns);
	policy_rule_change(d, j->on ? "enabled" : "disabled", j->name,
			   j->file[0] ? j->file : NULL, "control", 0);
	put_rule_result(w, j->name, j->file);
	return 0;
}

static int cmd_rules_enable(struct daemon *d, const struct ctl_req *req,
			    struct control_job *j, struct jw *w,
			    struct ctl_error *err)
{
	char buf[CONTROL_FILE_MAX];
	struct ruleset *ns = NULL;
	const struct rule *ru;
	const char *file;
	size_t len;
	char *text;
	int r;

	if ((r = ctl_parse_name(req->args, j->name, sizeof(j->name), err)) < 0)
		return r;
	j->on = req->cmd == CTL_RULES_ENABLE;
	if (!d->rules)
		return rules_errno(-ENOENT, j->name, err);
	/* The rule as it will be, to write it. */
	if ((r = ruleset_set_enabled(d->rules, j->name, j->on, &ns)) < 0)
		return rules_errno(r, j->name, err);
	ru = ruleset_find(ns, j->name);
	file = ru ? rule_path(d, ru, buf, sizeof(buf)) : NULL;
	snprintf(j->file, sizeof(j->file), "%s", file ? file : "");
	text = file ? rule_text(ru, &len) : NULL;
	ruleset_put(ns);
	/* A rule on disk stays as the user set it across restarts: written
	 * back to its own file (whatever that file is called), atomically,
	 * so the watcher's reload reads the same state, not a duplicate. */
	if (file) {
		if (!text)
			return rules_errno(-ENOMEM, j->name, err);
		r = job_file(d, j, text, len);
		if (r == SERVER_LATER)
			return r;
		if (r < 0)
			return write_failed(j, r, "writing", err);
	}
	return enable_commit(d, j, w, err);
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

/* The rule an answer asks for, new (*out), or -errno with *err. */
static int answer_rule(struct daemon *d, const struct prompt *pr,
		       const struct ctl_answer *a, char *name, size_t nlen,
		       struct rule **out, struct ctl_error *err)
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
	*out = r;
	return 0;
}

/* Take the held packets of the answered prompt (and, for a lasting rule,
 * of every other open prompt it covers) and have verdict.c decide them.
 * A prompt that closed meanwhile (timed out while its rule was written)
 * decides nothing. */
static size_t answer_decide(struct daemon *d, const struct ctl_answer *a,
			    enum action act, const char *rule)
{
	uint32_t ids[CONTROL_HELD_MAX];
	const struct prompt *pr = d->prompts ? prompts_get(d->prompts, a->prompt_id) : NULL;
	char exe[PROMPT_EXE_MAX], host[PROMPT_HOST_MAX];
	struct flow f;
	int n, m = 0;

	if (!pr)
		return 0;
	f = pr->flow;
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

/* The answer's rule is in (or it was "once"): decide and reply. */
static int answer_commit(struct daemon *d, const struct control_job *j,
			 struct jw *w)
{
	bool once = !j->name[0];
	size_t n = answer_decide(d, &j->answer, j->answer.action,
				 once ? NULL : j->name);

	stats_add(d->stats, STATS_PROMPTS_ANSWERED, 1);
	jw_obj_begin(w);
	jw_kuint(w, "prompt_id", j->answer.prompt_id);
	jw_kuint(w, "decided", n);
	jw_kstr(w, "rule", once ? NULL : j->name);
	jw_kstr(w, "file", j->file[0] ? j->file : NULL);
	jw_obj_end(w);
	return 0;
}

static int cmd_prompt_answer(struct daemon *d, const struct ctl_req *req,
			     struct control_job *j, struct jw *w,
			     struct ctl_error *err)
{
	const struct ctl_answer *a = &j->answer;
	char name[CTL_NAME_MAX + 1];
	const struct prompt *pr;
	struct rule *rule = NULL;
	int r;

	if ((r = ctl_parse_answer(req->args, &j->answer, err)) < 0)
		return r;
	pr = d->prompts ? prompts_get(d->prompts, a->prompt_id) : NULL;
	if (!pr) {
		ctl_seterr(err, CTL_E_NO_PROMPT, "prompt %u is not open (answered "
			   "or timed out)", a->prompt_id);
		return -ENOENT;
	}
	if (a->scope == PROMPT_SCOPE_EXE_HOST && !pr->host[0]) {
		ctl_seterr(err, CTL_E_BAD_ARGS, "no host name known for this prompt");
		return -EINVAL;
	}
	j->name[0] = j->file[0] = '\0';
	if (!strcmp(a->duration, "once"))
		return answer_commit(d, j, w);
	if (!pr->exe) {
		/* A rule names a program; without one it would cover every
		 * program of that user to that destination. */
		ctl_seterr(err, CTL_E_BAD_ARGS, "no process known for this "
			   "prompt: only a once answer");
		return -EINVAL;
	}
	if ((r = answer_rule(d, pr, a, name, sizeof(name), &rule, err)) < 0)
		return r;
	r = install_rule(d, j, rule, err);
	rule_put(rule);
	if (r < 0 || r == SERVER_LATER)
		return r;
	return answer_commit(d, j, w);
}

/* The second half of an edit whose file the worker wrote (or failed to):
 * into w, or -errno with *err. */
static int job_finish(struct daemon *d, struct control_job *j, int file_err,
		      struct jw *w, struct ctl_error *err)
{
	int r;

	if (file_err < 0)
		return write_failed(j, file_err, j->cmd == CTL_RULES_DELETE ?
				    "removing" : "writing", err);
	switch (j->cmd) {
	case CTL_RULES_ADD:
		if ((r = install_commit(d, j->rule, j->file, err)) < 0)
			return r;
		put_rule_result(w, rule_name(j->rule), j->file);
		return 0;
	case CTL_PROMPT_ANSWER:
		if ((r = install_commit(d, j->rule, j->file, err)) < 0)
			return r;
		return answer_commit(d, j, w);
	case CTL_RULES_DELETE:
		return delete_commit(d, j, w, err);
	default:
		return enable_commit(d, j, w, err);
	}
}

/* ---- dispatch */

static int control_run(struct daemon *d, const struct server_ticket *t,
		       const struct ctl_req *req, struct jw *w,
		       struct ctl_error *err)
{
	struct control_job j = { .cmd = req->cmd, .t = *t };

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
		return cmd_rules_add(d, req, &j, w, err);
	case CTL_RULES_DELETE:
		return cmd_rules_delete(d, req, &j, w, err);
	case CTL_RULES_ENABLE:
	case CTL_RULES_DISABLE:
		return cmd_rules_enable(d, req, &j, w, err);
	case CTL_PROMPT_ANSWER:
		return cmd_prompt_answer(d, req, &j, w, err);
	default:
		ctl_seterr(err, CTL_E_UNKNOWN_CMD, "command not handled here");
		return -ENOENT;
	}
}

/* Answer t with what a handler returned: r 0 and the result in w, or
 * -errno and *err. */
static void control_answer(struct daemon *d, const struct server_ticket *t,
			   int r, struct jw *w, const struct ctl_error *err)
{
	struct ctl_error e = { .code = NULL };

	if (!d->server)
		return;
	if (r < 0) {
		server_answer(d->server, t, NULL, err);
		return;
	}
	if (w->overflow || w->len >= w->cap) {
		ctl_seterr(&e, CTL_E_TOO_LARGE, "reply does not fit");
		server_answer(d->server, t, NULL, &e);
		return;
	}
	w->buf[w->len] = '\0';
	server_answer(d->server, t, w->buf, NULL);
}

/* Run the edits that waited, in order, until one puts its file on the
 * worker again. */
static void control_run_waiting(struct daemon *d)
{
	struct control_files *cf = d->ctl_files;
	static_assert(CONTROL_REPLY_MAX >= CONTROL_FILE_MAX + CTL_NAME_MAX + 64,
		      "a rule reply fits");
	char buf[CONTROL_REPLY_MAX];

	while (cf && !cf->busy && cf->n) {
		struct control_wait wt = cf->q[cf->head];
		struct ctl_error err = { .code = NULL };
		struct jw w;
		int r;

		cf->head = (cf->head + 1) % CONTROL_WAIT_MAX;
		cf->n--;
		jw_init(&w, buf, sizeof(buf));
		r = control_run(d, &wt.t, &wt.req, &w, &err);
		if (r != SERVER_LATER)
			control_answer(d, &wt.t, r, &w, &err);
		ctl_req_free(&wt.req);
	}
}

void control_file_done(struct daemon *d, uint64_t cookie, int file_err)
{
	struct control_files *cf = d->ctl_files;
	struct ctl_error err = { .code = NULL };
	char buf[CONTROL_REPLY_MAX];
	struct control_job j;
	struct jw w;
	int r;

	if (!cf || !cf->busy || cookie != cf->cookie)
		return;
	j = cf->job;
	cf->busy = false;
	memset(&cf->job, 0, sizeof(cf->job));
	jw_init(&w, buf, sizeof(buf));
	r = job_finish(d, &j, file_err, &w, &err);
	rule_put(j.rule);
	control_answer(d, &j.t, r, &w, &err);
	control_run_waiting(d);
}

void control_free(struct daemon *d)
{
	struct control_files *cf = d->ctl_files;

	if (!cf)
		return;
	while (cf->n) {
		ctl_req_free(&cf->q[cf->head].req);
		cf->head = (cf->head + 1) % CONTROL_WAIT_MAX;
		cf->n--;
	}
	rule_put(cf->job.rule);
	free(cf);
	d->ctl_files = NULL;
}

/* An edit while a file is on the worker (or others wait): queued behind
 * it with its own reference to the request. */
static int control_wait(struct control_files *cf, const struct server_ticket *t,
			const struct ctl_req *req, struct ctl_error *err)
{
	struct control_wait *wt;

	if (cf->n == CONTROL_WAIT_MAX) {
		ctl_seterr(err, CTL_E_UNAVAILABLE, "%u rule edits waiting for "
			   "the disk; try again", CONTROL_WAIT_MAX);
		return -EBUSY;
	}
	wt = &cf->q[(cf->head + cf->n) % CONTROL_WAIT_MAX];
	wt->t = *t;
	wt->req = *req;
	json_object_get(wt->req.root);
	cf->n++;
	return SERVER_LATER;
}

static int control_request(void *data, struct server_client *cl,
			   const struct ctl_req *req, struct jw *w,
			   struct ctl_error *err)
{
	struct daemon *d = data;
	struct control_files *cf = d->ctl_files;
	struct server_ticket t;

	if (!d->stats) {
		ctl_seterr(err, CTL_E_UNAVAILABLE, "daemon is starting");
		return -EAGAIN;
	}
	server_ticket(cl, req, &t);
	if (is_edit(req->cmd) && cf && (cf->busy || cf->n))
		return control_wait(cf, &t, req, err);
	return control_run(d, &t, req, w, err);
}

const struct server_ops control_server_ops = {
	.request = control_request,
};
