/* stats.c - see stats.h. */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "event.h"
#include "logsink.h"
#include "fold.h"
#include "prompt.h"
#include "rules.h"
#include "server.h"

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

struct stats {
	uint64_t start_ms;
	/* connections.list */
	struct recent_line recent[STATS_RECENT_MAX];
	unsigned head, n;	/* oldest at head */
	size_t bytes;
	uint64_t conns;
	/* counters for stats / metrics */
	struct program prog[STATS_PROGRAMS_MAX];
	unsigned n_prog;
	struct program other;		/* evicted programs */
	struct program unknown;		/* process not attributed */
	uint64_t by_source[ATTRIB_SRC_COUNT + 1];	/* last: anything else */
	uint64_t lat[LAT_N + 1];	/* per bucket, last: +Inf */
	uint64_t lat_sum_us;
	uint64_t count[STATS_COUNTERS];	/* enum stats_counter */
};

struct stats *stats_new(uint64_t now_ms)
{
	struct stats *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->start_ms = now_ms;
	return c;
}

void stats_free(struct stats *c)
{
	unsigned i;

	if (!c)
		return;
	for (i = 0; i < STATS_RECENT_MAX; i++)
		free(c->recent[i].s);
	for (i = 0; i < c->n_prog; i++)
		free(c->prog[i].exe);
	free(c);
}

static void recent_pop(struct stats *c)
{
	struct recent_line *r = &c->recent[c->head];

	c->bytes -= r->len;
	free(r->s);
	r->s = NULL;
	r->len = 0;
	c->head = (c->head + 1) % STATS_RECENT_MAX;
	c->n--;
}

static void recent_push(struct stats *c, const char *line, size_t len)
{
	struct recent_line *r;
	char *s;

	if (len && line[len - 1] == '\n')
		len--;
	if (len > STATS_RECENT_BYTES || !(s = malloc(len + 1)))
		return;
	memcpy(s, line, len);
	s[len] = '\0';
	while (c->n && (c->n == STATS_RECENT_MAX ||
			c->bytes + len > STATS_RECENT_BYTES))
		recent_pop(c);
	r = &c->recent[(c->head + c->n) % STATS_RECENT_MAX];
	r->s = s;
	r->len = len;
	c->bytes += len;
	c->n++;
}

/* The program's counters; when the table is full the least recently
 * decided program is folded into "(other)" to make room. */
static struct program *program_slot(struct stats *c, const char *exe)
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
	if (c->n_prog < STATS_PROGRAMS_MAX) {
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

void stats_note_connection(struct stats *c, const struct conn_event *ev,
			     const char *line, size_t len)
{
	struct program *p;
	unsigned i;

	if (!c)
		return;
	c->conns++;
	if (line)
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

static void put_programs(struct jw *w, const struct stats *c)
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

static void put_latency(struct jw *w, const struct stats *c)
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
	jw_kuint(w, "refused_uid", st.refused_uid);
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
	jw_kuint(w, "queue_dropped", q.queue_dropped);
	jw_kuint(w, "user_dropped", q.user_dropped);
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
	jw_kuint(w, "queries", dn.queries);
	jw_kuint(w, "queries_evicted", dn.queries_evicted);
	jw_kuint(w, "unsolicited", dn.unsolicited);
	jw_obj_end(w);
	jw_key(w, "worker");
	jw_obj_begin(w);
	jw_kuint(w, "requests", wk.requests);
	jw_kuint(w, "rejected", wk.rejected);
	jw_kuint(w, "full_scans", wk.scans_all);
	jw_kuint(w, "hash_hits", wk.hash_hits);
	jw_kuint(w, "hash_computed", wk.hash_computed);
	jw_kuint(w, "hash_failed", wk.hash_failed);
	jw_kuint(w, "cgroup_walks", wk.cgroup_walks);
	jw_kuint(w, "cgroup_walked_dirs", wk.cgroup_walked_dirs);
	jw_obj_end(w);
}

static void put_daemon_counters(struct jw *w, const struct daemon *d)
{
	const struct daemon_stats *st = &d->st;

	jw_kuint(w, "packets", st->packets);
	jw_kuint(w, "malformed", st->malformed);
	jw_key(w, "verdicts");
	jw_obj_begin(w);
	jw_kuint(w, action_name(ACTION_ALLOW), st->allowed);
	jw_kuint(w, action_name(ACTION_DENY), st->denied);
	jw_kuint(w, action_name(ACTION_REJECT), st->rejected);
	jw_obj_end(w);
	jw_kuint(w, "pending", pending_count(d->pending));
	jw_kuint(w, "pending_full", st->pending_full);
	jw_kuint(w, "pending_quota", st->pending_quota);
	jw_kuint(w, "timeouts", st->timeouts);
	jw_kuint(w, "unattributed", st->unattributed);
	jw_kuint(w, "prompt_refused", st->prompt_refused);
	jw_kuint(w, "overload", st->overload);
	jw_kuint(w, "scans_deferred", st->scans_deferred);
	jw_kuint(w, "own_traffic", st->own_traffic);
	jw_kuint(w, "nolog", st->nolog);
	jw_kuint(w, "forwarded", st->forwarded);
	jw_kuint(w, "hash_waits", st->hash_waits);
	jw_kuint(w, "cgroup_waits", st->cgroup_waits);
	jw_kuint(w, "events", st->events);
	jw_kuint(w, "events_dropped", st->events_dropped);
	if (d->fold) {
		struct fold_stats fs;

		fold_get_stats(d->fold, &fs);
		jw_kuint(w, "events_folded", fs.folded);
		jw_kuint(w, "fold_summaries", fs.summaries);
	} else {
		jw_kuint(w, "events_folded", 0);
		jw_kuint(w, "fold_summaries", 0);
	}
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

/* The eBPF source: lookups, map pressure (new keys past the map's
 * capacity each evicted the least recent record) and how often the audit
 * path, also running, named another process (the BPF record won). */
static void put_bpf(struct jw *w, const struct daemon *d)
{
	struct bpfsrc_stats bs;

	bpfsrc_get_stats(d->bpf, &bs);
	jw_key(w, "bpf");
	jw_obj_begin(w);
	jw_kbool(w, "enabled", d->bpf != NULL);
	jw_kbool(w, "exec_tracking", bs.exec);
	jw_kuint(w, "attributed", d->st.bpf_attributed);
	jw_kuint(w, "flow_hits", bs.flow_hits);
	jw_kuint(w, "flow_misses", bs.flow_misses);
	jw_kuint(w, "socket_hits", bs.sock_hits);
	jw_kuint(w, "flows_recorded", bs.flows_inserted);
	jw_kuint(w, "flow_capacity", bs.flow_capacity);
	jw_kuint(w, "flow_evictions", bs.flow_evictions);
	jw_kuint(w, "audit_disagreed", d->st.bpf_disagree);
	jw_kuint(w, "exited_owners", d->bj.st.exited);
	jw_kuint(w, "exe_from_exec", d->bj.st.exe_from_exec);
	jw_kuint(w, "exe_unknown", d->bj.st.exe_unknown);
	jw_kuint(w, "cgroup_from_record", d->bj.st.cgroup_from_record);
	jw_kuint(w, "cgroup_moved", d->bj.st.cgroup_moved);
	jw_obj_end(w);
}

static void put_own_counters(struct jw *w, const struct daemon *d)
{
	const struct stats *c = d->stats;
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
	stats_put_loss(w, &d->loss);
	put_audit_reader(w, d);
	jw_obj_end(w);
	put_bpf(w, d);
	jw_key(w, "prompts");
	jw_obj_begin(w);
	jw_kuint(w, "open", d->prompts ? prompts_count(d->prompts) : 0);
	jw_kuint(w, "asked", c->count[STATS_PROMPTS_ASKED]);
	jw_kuint(w, "answered", c->count[STATS_PROMPTS_ANSWERED]);
	jw_kuint(w, "expired", c->count[STATS_PROMPTS_EXPIRED]);
	jw_kuint(w, "refused", c->count[STATS_PROMPTS_REFUSED]);
	jw_obj_end(w);
	jw_kuint(w, "rule_edits", c->count[STATS_RULE_EDITS]);
	put_latency(w, c);
	put_programs(w, c);
}

/* Per --log-events sink: what it took and lost. */
static void put_log_sinks(struct jw *w, const struct daemon *d)
{
	struct logsink_stats ls;
	unsigned i;

	jw_key(w, "log_sinks");
	jw_arr_begin(w);
	for (i = 0; logsinks_get_stats(d->sinks, i, &ls) == 0; i++) {
		jw_obj_begin(w);
		jw_kstr(w, "sink", ls.spec);
		jw_kuint(w, "sent", ls.written);
		jw_kuint(w, "dropped", ls.dropped);
		if (ls.syslog) {
			jw_kuint(w, "queued", ls.queued);
			jw_kuint(w, "deferred", ls.deferred);
			jw_kuint(w, "reconnects", ls.reconnects);
			jw_kbool(w, "connected", ls.connected);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void stats_put_loss(struct jw *w, const struct audit_loss *l)
{
	jw_kuint(w, "enobufs", l->enobufs);
	jw_kuint(w, "socket_drops", l->sk_drops);
	jw_kuint(w, "serial_gaps", l->serial_gaps);
	jw_kuint(w, "kernel_lost", l->kernel_lost);
	jw_kuint(w, "truncated", l->truncated);
}

void stats_put(struct jw *w, const struct daemon *d, uint64_t now_ms)
{
	jw_kstr(w, "run", d->run_id);
	jw_kuint(w, "uptime_ms", now_ms - d->stats->start_ms);
	put_daemon_counters(w, d);
	put_own_counters(w, d);
	put_clients(w, d->server);
	put_log_sinks(w, d);
}

void stats_add(struct stats *c, enum stats_counter what, uint64_t n)
{
	if (c && what < STATS_COUNTERS)
		c->count[what] += n;
}

/* The newest `limit` lines that fit in budget bytes, oldest first. */
void stats_put_connections(struct jw *w, const struct stats *c,
			   uint64_t limit, size_t budget)
{
	size_t used = 0;
	unsigned k = 0, i;

	while (k < c->n && k < limit) {
		const struct recent_line *l =
			&c->recent[(c->head + c->n - 1 - k) % STATS_RECENT_MAX];

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
		jw_raw(w, c->recent[(c->head + i) % STATS_RECENT_MAX].s);
	jw_arr_end(w);
	jw_obj_end(w);
}

