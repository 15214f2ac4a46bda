/* policy.c - see policy.h. */
#include "policy.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ctl.h"
#include "daemon.h"
#include "emit.h"
#include "event.h"
#include "match.h"
#include "rules.h"
#include "watch.h"

/* Scratch for one ruleset_match call: lazily filled look-ups, each done
 * at most once and only if a rule reads it. */
struct policy_scratch {
	struct daemon *d;
	const struct pending_pkt *pk;
	bool parent_done, in_done, out_done;
	const char *parent_v, *in_v, *out_v;
	char user[64];
	char env_val[1024];
	char parent[4096];
	char in[IF_NAMESIZE], out[IF_NAMESIZE];
};

/* Every invalid rule file becomes a warning naming it, as it is found. */
static void policy_report(void *data, const char *file, const char *reason)
{
	struct daemon *d = data;
	char path[CONFIG_PATH_MAX + 256];

	snprintf(path, sizeof(path), "%s/%s", d->cfg.rules_dir, file);
	daemon_warning(d, "rule-invalid", reason, path);
}

/* A rule that loaded while entries of its list directory were skipped. */
static void policy_note(void *data, const char *file, const char *reason)
{
	struct daemon *d = data;
	char path[CONFIG_PATH_MAX + 256];

	snprintf(path, sizeof(path), "%s/%s", d->cfg.rules_dir, file);
	daemon_warning(d, "list-file-skipped", reason, path);
}

static void on_watch(struct loop *l, int fd, uint32_t events, void *data)
{
	struct daemon *d = data;

	(void)l, (void)fd, (void)events;
	if (rules_watch_drain(d->rwatch, NULL, NULL) > 0 && !d->reload_at_ms)
		d->reload_at_ms = loop_now_ms() + POLICY_DEBOUNCE_MS;
}

int policy_open(struct daemon *d)
{
	struct rules_errors errs;
	struct rules_clock clk;
	int r;

	memset(&errs, 0, sizeof(errs));
	errs.report = policy_report;
	errs.note = policy_note;
	errs.report_data = d;
	if (!d->cfg.rules_dir[0]) {
		d->rules = ruleset_new();
		return d->rules ? 0 : -errno;
	}
	clk = rules_clock_now();
	if ((r = ruleset_load_dir(d->cfg.rules_dir, &clk, &d->rules, &errs)) < 0) {
		fprintf(stderr, "tattled: --rules %s: %s\n", d->cfg.rules_dir,
			strerror(-r));
		return r;
	}
	d->rwatch = rules_watch_new(d->cfg.rules_dir);
	if (!d->rwatch) {
		daemon_warning(d, "rules-watch", "cannot watch the rules directory: "
			       "changes need SIGHUP", d->cfg.rules_dir);
		return 0;
	}
	(void)rules_watch_set_lists(d->rwatch, d->rules);
	return loop_add(d->loop, rules_watch_fd(d->rwatch), EPOLLIN, on_watch, d);
}

void policy_close(struct daemon *d)
{
	rules_watch_free(d->rwatch);
	d->rwatch = NULL;
	ruleset_put(d->rules);
	d->rules = NULL;
}

void policy_rule_change(struct daemon *d, const char *change,
			const char *name, const char *file, const char *source,
			size_t invalid_files)
{
	char line[EVENT_LINE_MAX];
	struct jw w;

	emit_begin(d, &w, line, sizeof(line), "rule-change");
	jw_kstr(&w, "change", change);
	jw_kstr(&w, "rule", name);
	jw_kstr(&w, "file", file);
	jw_kstr(&w, "source", source);
	jw_kuint(&w, "rules", d->rules ? ruleset_count(d->rules) : 0);
	jw_kuint(&w, "invalid_files", invalid_files);
	(void)emit_end(d, &w, &(struct event_meta){ .type = "rule-change" });
}

void policy_set_rules(struct daemon *d, struct ruleset *rs)
{
	ruleset_put(d->rules);
	d->rules = rs;
	if (d->rwatch)
		(void)rules_watch_set_lists(d->rwatch, d->rules);
}

void policy_reload(struct daemon *d, const char *why)
{
	struct ruleset *ns = NULL;
	struct rules_errors errs;
	struct rules_clock clk;
	int r;

	d->reload_at_ms = 0;
	if (!d->cfg.rules_dir[0])
		return;
	memset(&errs, 0, sizeof(errs));
	errs.report = policy_report;
	errs.note = policy_note;
	errs.report_data = d;
	clk = rules_clock_now();
	r = ruleset_reload(d->rules, d->cfg.rules_dir, &clk, &ns, &errs);
	if (r < 0) {
		char msg[128];

		snprintf(msg, sizeof(msg), "reload failed (%s): the previous "
			 "rules stay active", strerror(-r));
		daemon_warning(d, "rules-reload", msg, d->cfg.rules_dir);
		return;
	}
	policy_set_rules(d, ns);
	policy_rule_change(d, why, NULL, NULL, "files", errs.total);
}

void policy_tick(struct daemon *d, uint64_t now_ms)
{
	struct ruleset *ns = NULL;

	if (d->reload_at_ms && now_ms >= d->reload_at_ms)
		policy_reload(d, "reload");
	if (d->rules && ruleset_expire(d->rules, loop_boottime_ms(), &ns) > 0 && ns) {
		policy_set_rules(d, ns);
		policy_rule_change(d, "expired", NULL, NULL, "timer", 0);
	}
}

/* ---- lazy look-ups for rule_ctx */

/* From the cache the worker filled (verdict_hold_for_lookup): never an
 * NSS look-up here. */
static const char *policy_user_name(void *data, uint32_t uid)
{
	struct policy_scratch *s = data;
	const char *name;

	if (!s->d->facts ||
	    !factcache_user(s->d->facts, uid, loop_now_ms(), &name) || !name[0])
		return NULL;
	snprintf(s->user, sizeof(s->user), "%s", name);
	return s->user;
}

static const char *policy_proc_env(void *data, const struct proc_info *pi,
				   const char *name)
{
	struct policy_scratch *s = data;
	size_t nlen = strlen(name), off = 0, n = 0;
	const char *buf;

	/* Read by the worker for the process the packet was attributed to
	 * (pid and start time), never for whoever holds its pid now. */
	if (!s->d->facts || !factcache_env(s->d->facts, pi->pid, pi->start_time,
					   loop_now_ms(), &buf, &n) || !buf)
		return NULL;
	while (off < n) {
		const char *e = buf + off;
		const char *end = memchr(e, '\0', n - off);
		size_t elen = end ? (size_t)(end - e) : n - off;

		if (elen > nlen && e[nlen] == '=' && !memcmp(e, name, nlen)) {
			snprintf(s->env_val, sizeof(s->env_val), "%.*s",
				 (int)(elen - nlen - 1), e + nlen + 1);
			return s->env_val;
		}
		off += elen + 1;
	}
	return NULL;
}


/* A used "once" rule's file goes, on the worker (unlinking waits for the
 * directory's lock; a failure comes back as a warning); here when there
 * is no worker or its queue is full. */
static void policy_remove_file(struct daemon *d, const char *path)
{
	struct worker_req req = { .op = WORKER_FILE };

	if (d->worker && (req.path = strdup(path)) &&
	    worker_submit(d->worker, &req) == 0)
		return;
	free(req.path);
	if (unlink(path) < 0 && errno != ENOENT)
		daemon_warning(d, "rule-once", "cannot remove a used once-rule's "
			       "file", path);
}
/* Only a parent that is provably the parent (started no later than the
 * child) and runs a verified executable: see attrib_parent_exe(). */
static const char *policy_parent_of(void *data, const struct proc_info *pi)
{
	struct policy_scratch *s = data;

	if (s->parent_done)
		return s->parent_v;
	s->parent_done = true;
	if (!s->d->attrib)
		return NULL;
	return s->parent_v = attrib_parent_exe(s->d->attrib, pi, loop_now_ms(),
					       s->parent, sizeof(s->parent));
}

static const char *policy_iface_name(void *data, bool out)
{
	struct policy_scratch *s = data;
	uint32_t idx = out ? s->pk->outdev : s->pk->indev;
	bool *done = out ? &s->out_done : &s->in_done;
	const char **v = out ? &s->out_v : &s->in_v;

	if (!*done) {
		*done = true;
		*v = idx ? if_indextoname(idx, out ? s->out : s->in) : NULL;
	}
	return *v;
}

void policy_match(struct daemon *d, const struct pending_pkt *pk,
		  const struct attrib_result *ar, const char *dst_host,
		  struct policy_decision *out)
{
	struct policy_scratch s;	/* buffers filled only when used */
	struct proc_info unverified;
	struct rule_ctx ctx = {
		.flow = &pk->flow, .proc = ar->proc, .dst_host = dst_host,
		.has_uid = pk->has_uid, .uid = pk->uid,
		.user_name = policy_user_name, .proc_env = policy_proc_env,
		.parent_path_of = policy_parent_of, .iface_name = policy_iface_name,
		.data = &s,
	};
	const struct rule *ru = NULL;

	s.d = d;
	s.pk = pk;
	s.parent_done = s.in_done = s.out_done = false;
	/* process.path rules match only a verified executable: a process in
	 * its own mount namespace can make any path name any file. */
	if (ar->proc && !ar->proc->verified) {
		unverified = *ar->proc;
		unverified.exe = NULL;
		ctx.proc = &unverified;
	}
	memset(out, 0, sizeof(*out));
	out->action = d->cfg.default_action;
	if (!d->rules || !ruleset_count(d->rules))
		return;
	if (ruleset_match(d->rules, &ctx, loop_boottime_ms(), &ru) != 1 || !ru)
		return;
	out->matched = true;
	out->nolog = rule_nolog(ru);
	snprintf(out->rule, sizeof(out->rule), "%s", rule_name(ru));
	switch (rule_action(ru)) {
	case RULE_DENY:
		out->action = ACTION_DENY;
		break;
	case RULE_REJECT:
		out->action = ACTION_REJECT;
		break;
	default:
		out->action = ACTION_ALLOW;
		break;
	}
	if (rule_duration(ru) == RULE_ONCE) {
		struct ruleset *ns = NULL;

		/* "once": it decided this connection and is gone, file too, or
		 * the next reload would bring it back. */
		if (rule_file(ru))
			policy_remove_file(d, rule_file(ru));
		if (ruleset_remove(d->rules, out->rule, &ns) == 0 && ns) {
			policy_set_rules(d, ns);
			policy_rule_change(d, "once-used", out->rule, NULL, "match", 0);
		}
	}
}
