/* control.c - see control.h. */
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon.h"
#include "event.h"
#include "prompt.h"
#include "rules.h"

/* Verdict latency buckets (us), for the metrics histogram. */
static const uint64_t lat_le_us[] = {
	50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000,
	100000, 250000, 500000, 1000000, 5000000,
};
#define LAT_N (sizeof(lat_le_us) / sizeof(lat_le_us[0]))

struct recent_line {
	char *s;		/* NUL-terminated, no '\n' */
	size_t len;
};

struct program {
	char *exe;		/* NULL: the "(other)" bucket */
	uint64_t v[ACTION_COUNT];
	uint64_t last_seq;	/* for eviction: least recently decided */
};

struct control {
	const struct control_hooks *hooks;
	uint64_t start_ms;
	/* connections.list */
	struct recent_line recent[CONTROL_RECENT_MAX];
	unsigned head, n;	/* oldest at head */
	size_t bytes;
	uint64_t conns;
	/* counters for stats / metrics */
	struct program prog[CONTROL_PROGRAMS_MAX];
	unsigned n_prog;
	struct program other;		/* evicted programs */
	struct program unknown;		/* process not attributed */
	uint64_t by_source[ATTRIB_SRC_COUNT + 1];	/* last: anything else */
	uint64_t lat[LAT_N + 1];	/* per bucket, last: +Inf */
	uint64_t lat_sum_us;
	uint64_t prompts_asked, prompts_answered, prompts_expired;
	uint64_t prompts_refused;	/* table or packet list full */
	uint64_t rule_edits;
};

struct control *control_new(const struct control_hooks *hooks, uint64_t now_ms)
{
	struct control *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->hooks = hooks;
	c->start_ms = now_ms;
	return c;
}

void control_free(struct control *c)
{
	unsigned i;

	if (!c)
		return;
	for (i = 0; i < CONTROL_RECENT_MAX; i++)
		free(c->recent[i].s);
	for (i = 0; i < c->n_prog; i++)
		free(c->prog[i].exe);
	free(c);
}

static void recent_pop(struct control *c)
{
	struct recent_line *r = &c->recent[c->head];

	c->bytes -= r->len;
	free(r->s);
	r->s = NULL;
	r->len = 0;
	c->head = (c->head + 1) % CONTROL_RECENT_MAX;
	c->n--;
}

static void recent_push(struct control *c, const char *line, size_t len)
{
	struct recent_line *r;
	char *s;

	if (len && line[len - 1] == '\n')
		len--;
	if (len > CONTROL_RECENT_BYTES || !(s = malloc(len + 1)))
		return;
	memcpy(s, line, len);
	s[len] = '\0';
	while (c->n && (c->n == CONTROL_RECENT_MAX ||
			c->bytes + len > CONTROL_RECENT_BYTES))
		recent_pop(c);
	r = &c->recent[(c->head + c->n) % CONTROL_RECENT_MAX];
	r->s = s;
	r->len = len;
	c->bytes += len;
	c->n++;
}

/* The program's counters; when the table is full the least recently
 * decided program is folded into "(other)" to make room. */
static struct program *program_slot(struct control *c, const char *exe)
{
	unsigned i, victim = 0;
	struct program *p;
	char *copy;

	if (!exe)
		return &c->unknown;
	for (i = 0; i < c->n_prog; i++) {
		if (!strcmp(c->prog[i].exe, exe))
			return &c->prog[i];
		if (c->prog[i].last_seq < c->prog[victim].last_seq)
			victim = i;
	}
	if (!(copy = strdup(exe)))
		return &c->other;
	if (c->n_prog < CONTROL_PROGRAMS_MAX) {
		p = &c->prog[c->n_prog++];
	} else {
		p = &c->prog[victim];
		for (i = 0; i < ACTION_COUNT; i++)
			c->other.v[i] += p->v[i];
		free(p->exe);
	}
	memset(p, 0, sizeof(*p));
	p->exe = copy;
	return p;
}

void control_note_connection(struct control *c, const struct conn_event *ev,
			     const char *line, size_t len)
{
	struct program *p;
	unsigned i;

	if (!c)
		return;
	c->conns++;
	recent_push(c, line, len);
	p = program_slot(c, ev->proc ? ev->proc->exe : NULL);
	p->v[ev->verdict < ACTION_COUNT ? ev->verdict : ACTION_ALLOW]++;
	p->last_seq = c->conns;
	c->by_source[ev->source < ATTRIB_SRC_COUNT ? ev->source : ATTRIB_SRC_COUNT]++;
	for (i = 0; i < LAT_N && ev->verdict_us > lat_le_us[i]; i++)
		;
	c->lat[i]++;
	c->lat_sum_us += ev->verdict_us;
}

/* ---- stats */

static void put_programs(struct jw *w, const struct control *c)
{
	unsigned i, k;

	jw_key(w, "programs");
	jw_arr_begin(w);
	for (i = 0; i <= c->n_prog + 1; i++) {
		const struct program *p = i < c->n_prog ? &c->prog[i] :
			i == c->n_prog ? &c->unknown : &c->other;
		const char *exe = i < c->n_prog ? p->exe :
			i == c->n_prog ? "(unknown)" : "(other)";

		if (i >= c->n_prog && !p->v[0] && !p->v[1] && !p->v[2])
			continue;
		jw_obj_begin(w);
		jw_kstr(w, "exe", exe);
		for (k = 0; k < ACTION_COUNT; k++)
			jw_kuint(w, action_name((enum action)k), p->v[k]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void put_latency(struct jw *w, const struct control *c)
{
	uint64_t cum = 0;
	unsigned i;

	jw_key(w, "verdict_latency_us");
	jw_obj_begin(w);
	jw_key(w, "le");
	jw_arr_begin(w);
	for (i = 0; i < LAT_N; i++)
		jw_uint(w, lat_le_us[i]);
	jw_arr_end(w);
	jw_key(w, "cumulative");
	jw_arr_begin(w);
	for (i = 0; i <= LAT_N; i++) {
		cum += c->lat[i];
		jw_uint(w, cum);
	}
	jw_arr_end(w);
	jw_kuint(w, "count", cum);
	jw_kuint(w, "sum", c->lat_sum_us);
	jw_obj_end(w);
}

static void put_clients(struct jw *w, const struct server *s)
{
	struct server_stats st;

	server_get_stats(s, &st);
	jw_key(w, "clients");
	jw_obj_begin(w);
	jw_kuint(w, "connected", st.clients);
	jw_kuint(w, "prompters", st.prompters);
	jw_kuint(w, "accepted", st.accepted);
	jw_kuint(w, "refused", st.refused);
	jw_kuint(w, "evicted_idle", st.evicted_idle);
	jw_kuint(w, "requests", st.requests);
	jw_kuint(w, "malformed", st.malformed);
	jw_kuint(w, "too_long", st.too_long);
	jw_kuint(w, "dropped", st.dropped);
	jw_kuint(w, "disconnects", st.disconnects);
	jw_obj_end(w);
}

/* The parts' own counters: the queue (ENOBUFS means the kernel dropped
 * packets to us), the caches and the /proc worker. */
static void put_internals(struct jw *w, const struct daemon *d)
{
	struct nfqueue_stats q = { 0 };
	struct pidcache_stats pc = { 0 };
	struct dns_cache_stats dn = { 0 };
	struct worker_stats wk = { 0 };

	if (d->q)
		nfqueue_get_stats(d->q, &q);
	if (d->pc)
		pidcache_get_stats(d->pc, &pc);
	if (d->dns)
		dns_cache_stats(d->dns, &dn);
	if (d->worker)
		worker_get_stats(d->worker, &wk);
	jw_key(w, "queue");
	jw_obj_begin(w);
	jw_kuint(w, "received", q.received);
	jw_kuint(w, "enobufs", q.enobufs);
	jw_kuint(w, "malformed", q.malformed);
	jw_kuint(w, "verdict_errors", q.verdict_errors);
	jw_obj_end(w);
	jw_key(w, "pidcache");
	jw_obj_begin(w);
	jw_kuint(w, "entries", pc.entries);
	jw_kuint(w, "hits", pc.hits);
	jw_kuint(w, "misses", pc.misses);
	jw_kuint(w, "evictions", pc.evictions);
	jw_kuint(w, "expired_age", pc.expired_age);
	jw_kuint(w, "expired_dead", pc.expired_dead);
	jw_kuint(w, "reuse_detected", pc.reuse_detected);
	jw_obj_end(w);
	jw_key(w, "dns");
	jw_obj_begin(w);
	jw_kuint(w, "entries", dn.entries);
	jw_kuint(w, "evictions", dn.evictions);
	jw_kuint(w, "malformed", dn.malformed);
	jw_obj_end(w);
	jw_key(w, "worker");
	jw_obj_begin(w);
	jw_kuint(w, "requests", wk.requests);
	jw_kuint(w, "rejected", wk.rejected);
	jw_kuint(w, "full_scans", wk.scans_all);
	jw_obj_end(w);
}

static void put_daemon_counters(struct jw *w, const struct daemon *d)
{
	const struct daemon_stats *st = &d->st;

	jw_kuint(w, "packets", st->packets);
	jw_kuint(w, "malformed", st->malformed);
	jw_key(w, "verdicts");
	jw_obj_begin(w);
	jw_kuint(w, "allow", st->allowed);
	jw_kuint(w, "deny", st->denied);
	jw_kuint(w, "reject", st->rejected);
	jw_obj_end(w);
	jw_kuint(w, "pending", pending_count(d->pending));
	jw_kuint(w, "pending_full", st->pending_full);
	jw_kuint(w, "timeouts", st->timeouts);
	jw_kuint(w, "own_traffic", st->own_traffic);
	jw_kuint(w, "events", st->events);
	jw_kuint(w, "events_dropped", st->events_dropped);
	jw_kuint(w, "rules", d->rules ? ruleset_count(d->rules) : 0);
	put_internals(w, d);
}

/* What the multicast reader and the reassembler saw: datagrams from
 * anyone but the kernel are counted as spoofed and never parsed. */
static void put_audit_reader(struct jw *w, const struct daemon *d)
{
	struct audit_mc_stats ms = { 0 };
	struct aurec_stats rs = { 0 };

	if (d->amc)
		(void)audit_mc_stats(d->amc, &ms);
	if (d->asm_)
		aurec_asm_stats(d->asm_, &rs);
	jw_kuint(w, "records", ms.records);
	jw_kuint(w, "spoofed", ms.spoofed);
	jw_kuint(w, "malformed_datagrams", ms.malformed);
	jw_kuint(w, "malformed_records", rs.malformed);
	jw_kuint(w, "events", rs.events);
	jw_kuint(w, "late_records", rs.late);
}

static void put_control_counters(struct jw *w, const struct daemon *d)
{
	const struct control *c = d->ctl;
	unsigned i;

	jw_kuint(w, "connections", c->conns);
	jw_key(w, "attribution");
	jw_obj_begin(w);
	/* "none" last, as it always was; "other" stays for old readers. */
	for (i = 1; i <= ATTRIB_SRC_COUNT; i++) {
		enum attrib_source src = i % ATTRIB_SRC_COUNT;

		jw_kuint(w, attrib_source_name(src), c->by_source[src]);
	}
	jw_kuint(w, "other", c->by_source[ATTRIB_SRC_COUNT]);
	jw_obj_end(w);
	jw_key(w, "audit");
	jw_obj_begin(w);
	jw_kbool(w, "enabled", d->amc != NULL);
	jw_kuint(w, "lost", d->loss.enobufs + d->loss.sk_drops +
		 d->loss.serial_gaps + d->loss.kernel_lost);
	jw_kuint(w, "enobufs", d->loss.enobufs);
	jw_kuint(w, "socket_drops", d->loss.sk_drops);
	jw_kuint(w, "serial_gaps", d->loss.serial_gaps);
	jw_kuint(w, "kernel_lost", d->loss.kernel_lost);
	jw_kuint(w, "truncated", d->loss.truncated);
	put_audit_reader(w, d);
	jw_obj_end(w);
	jw_key(w, "prompts");
	jw_obj_begin(w);
	jw_kuint(w, "open", d->prompts ? prompts_count(d->prompts) : 0);
	jw_kuint(w, "asked", c->prompts_asked);
	jw_kuint(w, "answered", c->prompts_answered);
	jw_kuint(w, "expired", c->prompts_expired);
	jw_kuint(w, "refused", c->prompts_refused);
	jw_obj_end(w);
	jw_kuint(w, "rule_edits", c->rule_edits);
	put_latency(w, c);
	put_programs(w, c);
}

/* The members of the stats result (and of a "stats" event). */
static void put_stats_members(struct jw *w, struct daemon *d, uint64_t now_ms)
{
	jw_kuint(w, "uptime_ms", now_ms - d->ctl->start_ms);
	put_daemon_counters(w, d);
	put_control_counters(w, d);
	put_clients(w, d->server);
}

void control_stats_put(struct jw *w, struct daemon *d, uint64_t now_ms)
{
	put_stats_members(w, d, now_ms);
}

/* ---- small commands */

static int cmd_stats(struct daemon *d, struct jw *w)
{
	jw_obj_begin(w);
	put_stats_members(w, d, loop_now_ms());
	jw_obj_end(w);
	return 0;
}

/* The newest `limit` lines that fit the reply, oldest first. */
static int cmd_connections(struct daemon *d, const struct ctl_req *req,
			   struct jw *w, struct ctl_error *err)
{
	const struct control *c = d->ctl;
	size_t budget = SERVER_REPLY_MAX - 4096, used = 0;
	uint64_t limit;
	unsigned k = 0, i;
	int r;

	r = ctl_parse_uint(req->args, "limit", CONTROL_RECENT_MAX,
			   CONTROL_LIST_DEFAULT, &limit, err);
	if (r < 0)
		return r;
	while (k < c->n && k < limit) {
		const struct recent_line *l =
			&c->recent[(c->head + c->n - 1 - k) % CONTROL_RECENT_MAX];

		if (used + l->len + 1 > budget)
			break;
		used += l->len + 1;
		k++;
	}
	jw_obj_begin(w);
	jw_kuint(w, "total", c->conns);
	jw_kbool(w, "truncated", k < limit && k < c->n);
	jw_key(w, "connections");
	jw_arr_begin(w);
	for (i = c->n - k; i < c->n; i++)
		jw_raw(w, c->recent[(c->head + i) % CONTROL_RECENT_MAX].s);
	jw_arr_end(w);
	jw_obj_end(w);
	return 0;
}

static int cmd_config(struct daemon *d, struct jw *w)
{
	const struct config *cf = &d->cfg;

	jw_obj_begin(w);
	jw_kstr(w, "rules_dir", cf->rules_dir[0] ? cf->rules_dir : NULL);
	jw_kstr(w, "socket", cf->socket_path);
	jw_kstr(w, "default_action", action_name(cf->default_action));
	jw_kuint(w, "queue", cf->queue);
	jw_kstr(w, "netns", cf->netns[0] ? cf->netns : NULL);
	jw_kstr(w, "log_events", cf->log_events[0] ? cf->log_events : NULL);
	jw_kbool(w, "no_firewall", cf->no_firewall);
	jw_kbool(w, "fail_closed", cf->fail_closed);
	jw_kbool(w, "no_audit", cf->no_audit);
	jw_kuint(w, "prompt_timeout_ms", cf->prompt_timeout_ms);
	jw_kuint(w, "verdict_timeout_ms", cf->verdict_timeout_ms);
	jw_kuint(w, "audit_wait_ms", cf->audit_wait_ms);
	jw_kuint(w, "pending_max", cf->pending_max);
	jw_kuint(w, "pidcache_max", cf->pidcache_max);
	jw_obj_end(w);
	return 0;
}

/* ---- rules */

void control_rule_change(struct daemon *d, const char *change,
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

static void swap_rules(struct daemon *d, struct ruleset *rs)
{
	ruleset_put(d->rules);
	d->rules = rs;
	d->ctl->rule_edits++;
	if (d->ctl->hooks && d->ctl->hooks->rules_changed)
		d->ctl->hooks->rules_changed(d);
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
		if (!dir[0]) {
			ctl_seterr(err, CTL_E_UNAVAILABLE,
				   "no rules directory: use a shorter duration");
			return -ENOENT;
		}
		if ((ret = rule_write_file(r, dir)) < 0) {
			ctl_seterr(err, CTL_E_INTERNAL, "writing %s/%s.json: %s",
				   dir, rule_name(r), strerror(-ret));
			return ret;
		}
		snprintf(file, flen, "%s/%s.json", dir, rule_name(r));
	}
	if (!base && !(base = empty = ruleset_new()))
		return rules_errno(-ENOMEM, rule_name(r), err);
	ret = ruleset_add(base, r, &ns);
	ruleset_put(empty);
	if (ret < 0)
		return rules_errno(ret, rule_name(r), err);
	swap_rules(d, ns);
	control_rule_change(d, "added", rule_name(r), file[0] ? file : NULL, "control", 0);
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
	if (ret == 0)
		ret = rule_load_lists(r, why, sizeof(why));
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
	control_rule_change(d, "deleted", name, file[0] ? file : NULL, "control", 0);
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
	/* A rule on disk stays as the user set it across restarts. */
	if (file && (r = rule_write_file(ru, d->cfg.rules_dir)) < 0) {
		ruleset_put(ns);
		return rules_errno(r, name, err);
	}
	swap_rules(d, ns);
	control_rule_change(d, on ? "enabled" : "disabled", name, file, "control", 0);
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

/* Rule names as OpenSnitch's UI makes them ("allow-always-usrbincurl"),
 * plus the scope, so answering the same question again replaces the rule
 * instead of piling up copies.  Only [A-Za-z0-9._-] survive. */
static void answer_rule_name(const struct prompt *pr, const struct ctl_answer *a,
			     char *out, size_t len)
{
	char raw[CTL_NAME_MAX * 2], ip[64];
	size_t i, o = 0;

	const char *act = action_name(a->action);

	if (a->scope == PROMPT_SCOPE_EXE_HOST)
		snprintf(raw, sizeof(raw), "%s-%s-%s-%s", act, a->duration,
			 pr->exe, pr->host);
	else if (a->scope == PROMPT_SCOPE_EXE_IP_PORT)
		snprintf(raw, sizeof(raw), "%s-%s-%s-%s-%u", act, a->duration,
			 pr->exe, flow_addr_str(pr->flow.family, pr->flow.dst,
						ip, sizeof(ip)), pr->flow.dport);
	else
		snprintf(raw, sizeof(raw), "%s-%s-%s", act, a->duration, pr->exe);
	for (i = 0; raw[i] && o + 1 < len && o < CTL_NAME_MAX; i++) {
		char ch = raw[i] == ' ' || raw[i] == ':' ? '-' : raw[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_')
			out[o++] = ch;
	}
	out[o] = '\0';
}

static int answer_rule(struct daemon *d, const struct prompt *pr,
		       const struct ctl_answer *a, char *name, size_t nlen,
		       char *file, size_t flen, struct ctl_error *err)
{
	struct rules_clock clk = rules_clock_now();
	struct json_object *o = json_object_new_object();
	struct rule *r = NULL;
	char why[256];
	int ret;

	answer_rule_name(pr, a, name, nlen);
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

	snprintf(exe, sizeof(exe), "%s", pr->exe);
	snprintf(host, sizeof(host), "%s", pr->host);
	n = prompts_take(d->prompts, a->prompt_id, ids, CONTROL_HELD_MAX);
	if (n < 0)
		n = 0;
	if (rule)
		m = prompts_take_covered(d->prompts, exe, a->scope,
					 host, &f, ids + n, CONTROL_HELD_MAX - (size_t)n);
	if (d->ctl->hooks && d->ctl->hooks->decide_held)
		d->ctl->hooks->decide_held(d, ids, (size_t)(n + m), act, rule,
					   a->prompt_id);
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
	if (!once && (r = answer_rule(d, pr, &a, name, sizeof(name), file,
				      sizeof(file), err)) < 0)
		return r;
	n = answer_decide(d, &a, act, once ? NULL : name);
	d->ctl->prompts_answered++;
	jw_obj_begin(w);
	jw_kuint(w, "prompt_id", a.prompt_id);
	jw_kuint(w, "decided", n);
	jw_kstr(w, "rule", once ? NULL : name);
	jw_kstr(w, "file", file[0] ? file : NULL);
	jw_obj_end(w);
	return 0;
}

static void send_prompt_event(struct daemon *d, const struct prompt *pr,
			      const struct proc_info *pi, const char *host)
{
	char *line = malloc(EVENT_LINE_MAX);
	struct jw w;

	if (!line)
		return;
	emit_begin(d, &w, line, EVENT_LINE_MAX, "prompt");
	jw_kuint(&w, "prompt_id", pr->id);
	jw_kuint(&w, "timeout_ms", pr->deadline_ms - pr->opened_ms);
	event_put_flow(&w, &pr->flow, host);
	event_put_process(&w, pi);
	(void)emit_end(d, &w, &(struct event_meta){ .type = "prompt" });
	free(line);
}

int control_prompt_hold(struct daemon *d, struct pending_pkt *pk,
			const struct proc_info *pi, const char *host,
			uint64_t now_ms)
{
	const struct prompt *pr;
	uint32_t id;
	bool is_new;
	int r;

	if (!d->ctl || !d->prompts || !server_has_prompter(d->server) ||
	    !pi || !pi->exe)
		return 0;
	r = prompts_open_or_join(d->prompts, pi->exe, &pk->flow, host, pk->id,
				 now_ms, &id, &is_new);
	if (r < 0) {
		d->ctl->prompts_refused++;
		return 0;
	}
	pr = prompts_get(d->prompts, id);
	pk->wait = PENDING_PROMPT;
	pk->prompt_id = id;
	pk->deadline_ms = pr->deadline_ms;
	if (is_new) {
		d->ctl->prompts_asked++;
		send_prompt_event(d, pr, pi, host);
	}
	return 1;
}

void control_prompt_expire(struct daemon *d, uint64_t now_ms)
{
	if (d->ctl && d->prompts)
		d->ctl->prompts_expired += prompts_expire(d->prompts, now_ms);
}

/* ---- dispatch */

static int control_request(void *data, struct server_client *cl,
			   const struct ctl_req *req, struct jw *w,
			   struct ctl_error *err)
{
	struct daemon *d = data;

	(void)cl;
	if (!d->ctl) {
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
