/* metrics.c - see metrics.h. */
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conn.h"
#include "types.h"

struct mw {
	FILE *f;
	bool om;		/* OpenMetrics */
};

/* Label values: backslash, double quote and newline escaped. */
static void put_label(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void family(struct mw *w, const char *name, const char *type,
		   const char *help)
{
	bool counter = !strcmp(type, "counter");
	const char *sfx = counter && !w->om ? "_total" : "";

	if (w->om)
		fprintf(w->f, "# TYPE %s %s\n# HELP %s %s\n", name, type, name, help);
	else
		fprintf(w->f, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, sfx, help,
			name, sfx, type);
}

/* One sample; name gets "_total" for counters; label may be NULL. */
static void sample(struct mw *w, const char *name, bool counter,
		   const char *label, const char *value, unsigned long long v)
{
	fprintf(w->f, "%s%s", name, counter ? "_total" : "");
	if (label) {
		fprintf(w->f, "{%s=\"", label);
		put_label(w->f, value);
		fputs("\"}", w->f);
	}
	fprintf(w->f, " %llu\n", v);
}

/* A counter family with one sample per member of obj, labelled by key. */
static void counter_by(struct mw *w, const char *name, const char *help,
		       const char *label, const struct json_object *obj)
{
	family(w, name, "counter", help);
	if (!obj)
		return;
	json_object_object_foreach((struct json_object *)obj, k, v)
		sample(w, name, true, label, k,
		       (unsigned long long)json_object_get_int64(v));
}

static void programs(struct mw *w, const struct json_object *progs)
{
	size_t i, n = progs ? json_object_array_length(progs) : 0;

	family(w, "tattle_program_verdicts", "counter",
	       "Connections decided per program (exe) and verdict.");
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(progs, i);

		enum action k;

		for (k = ACTION_ALLOW; k < ACTION_COUNT; k++) {
			fputs("tattle_program_verdicts_total{exe=\"", w->f);
			put_label(w->f, jstr(p, "exe"));
			fprintf(w->f, "\",verdict=\"%s\"} %lld\n", action_name(k),
				(long long)jint(p, action_name(k)));
		}
	}
}

static void latency(struct mw *w, const struct json_object *lat)
{
	struct json_object *le = jget(lat, "le"), *cum = jget(lat, "cumulative");
	size_t i, n = le ? json_object_array_length(le) : 0;

	family(w, "tattle_verdict_latency_seconds", "histogram",
	       "Time from packet arrival to verdict.");
	for (i = 0; i < n; i++)
		fprintf(w->f, "tattle_verdict_latency_seconds_bucket{le=\"%g\"} %lld\n",
			(double)json_object_get_int64(json_object_array_get_idx(le, i)) / 1e6,
			(long long)json_object_get_int64(json_object_array_get_idx(cum, i)));
	fprintf(w->f, "tattle_verdict_latency_seconds_bucket{le=\"+Inf\"} %lld\n",
		(long long)jint(lat, "count"));
	fprintf(w->f, "tattle_verdict_latency_seconds_sum %g\n",
		(double)jint(lat, "sum") / 1e6);
	fprintf(w->f, "tattle_verdict_latency_seconds_count %lld\n",
		(long long)jint(lat, "count"));
}

static void gauge(struct mw *w, const char *name, const char *help,
		  unsigned long long v)
{
	family(w, name, "gauge", help);
	sample(w, name, false, NULL, NULL, v);
}

static void counter(struct mw *w, const char *name, const char *help,
		    unsigned long long v)
{
	family(w, name, "counter", help);
	sample(w, name, true, NULL, NULL, v);
}

static void audit(struct mw *w, const struct json_object *a)
{
	static const char *const kinds[] = { "enobufs", "socket_drops",
		"serial_gaps", "kernel_lost", "truncated" };
	size_t i;

	family(w, "tattle_audit_loss", "counter",
	       "Audit records lost or damaged, by how it was detected.");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		sample(w, "tattle_audit_loss", true, "kind", kinds[i],
		       (unsigned long long)jint(a, kinds[i]));
}

/* The kernel dropped these instead of queueing them (never accepted
 * them): a flood, or a queue too short for the load. */
static void queue_drops(struct mw *w, const struct json_object *q)
{
	family(w, "tattle_queue_drops", "counter",
	       "Packets the kernel dropped for tattled's queue, by why.");
	sample(w, "tattle_queue_drops", true, "kind", "queue_full",
	       (unsigned long long)jint(q, "queue_dropped"));
	sample(w, "tattle_queue_drops", true, "kind", "not_delivered",
	       (unsigned long long)jint(q, "user_dropped"));
}

/* Absent from older daemons: then nothing is written. */
static void bpf(struct mw *w, const struct json_object *b)
{
	if (!b)
		return;
	gauge(w, "tattle_bpf_enabled", "1 when the eBPF source is attached.",
	      (unsigned long long)jint(b, "enabled"));
	counter(w, "tattle_bpf_flow_evictions",
		"Flow records pushed out of the full eBPF map.",
		(unsigned long long)jint(b, "flow_evictions"));
	counter(w, "tattle_bpf_audit_disagreements",
		"Connections the audit path gave to another process than the "
		"eBPF record (the record won).",
		(unsigned long long)jint(b, "audit_disagreed"));
}

static void render(struct mw *w, const struct json_object *s)
{
	const struct json_object *p = jget(s, "prompts"), *cl = jget(s, "clients");

	gauge(w, "tattle_uptime_seconds", "Seconds since tattled started.",
	      (unsigned long long)jint(s, "uptime_ms") / 1000);
	counter(w, "tattle_packets", "Packets read from the queue.",
		(unsigned long long)jint(s, "packets"));
	counter(w, "tattle_malformed_packets", "Packets that did not parse.",
		(unsigned long long)jint(s, "malformed"));
	counter_by(w, "tattle_verdicts", "Connections decided, by verdict.",
		   "verdict", jget(s, "verdicts"));
	programs(w, jget(s, "programs"));
	counter_by(w, "tattle_attribution", "Connections by attribution source.",
		   "source", jget(s, "attribution"));
	audit(w, jget(s, "audit"));
	bpf(w, jget(s, "bpf"));
	latency(w, jget(s, "verdict_latency_us"));
	queue_drops(w, jget(s, "queue"));
	counter(w, "tattle_verdict_timeouts", "Packets decided by their deadline.",
		(unsigned long long)jint(s, "timeouts"));
	gauge(w, "tattle_pending", "Packets held now.",
	      (unsigned long long)jint(s, "pending"));
	gauge(w, "tattle_rules", "Rules loaded.", (unsigned long long)jint(s, "rules"));
	gauge(w, "tattle_prompts_open", "Prompts waiting for an answer.",
	      (unsigned long long)jint(p, "open"));
	family(w, "tattle_prompts", "counter", "Prompts by outcome.");
	sample(w, "tattle_prompts", true, "outcome", "asked", (unsigned long long)jint(p, "asked"));
	sample(w, "tattle_prompts", true, "outcome", "answered", (unsigned long long)jint(p, "answered"));
	sample(w, "tattle_prompts", true, "outcome", "expired", (unsigned long long)jint(p, "expired"));
	gauge(w, "tattle_clients", "Clients connected to the socket.",
	      (unsigned long long)jint(cl, "connected"));
	counter(w, "tattle_client_events_dropped",
		"Events dropped because a client read too slowly.",
		(unsigned long long)jint(cl, "dropped"));
	counter(w, "tattle_client_bad_lines", "Malformed or over-long request lines.",
		(unsigned long long)(jint(cl, "malformed") + jint(cl, "too_long")));
}

int metrics_render(const struct json_object *stats, bool openmetrics,
		   char **out)
{
	struct mw w = { .om = openmetrics };
	size_t len;

	*out = NULL;
	if (!(w.f = open_memstream(out, &len)))
		return -ENOMEM;
	render(&w, stats);
	if (openmetrics)
		fputs("# EOF\n", w.f);
	if (fclose(w.f)) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}
