/* top.c - tattle top: a live per-application table, refreshed in place
 * with ANSI escapes.  Keys pick the sort column, g the grouping (program,
 * systemd unit, container); q quits. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "cmds.h"
#include "conn.h"
#include "fmt.h"
#include "term.h"

#define TOP_APPS_MAX	512	/* applications tracked; oldest evicted */
#define TOP_PIDS_MAX	32	/* distinct pids counted per application */
#define TOP_RATE_SECS	10	/* rate window */

struct app {
	char exe[256];		/* or the comm, or "(unknown)" */
	char name[64];
	int pids[TOP_PIDS_MAX];
	unsigned n_pids;
	bool pids_over;
	unsigned long conns, allowed, denied;
	char last_dest[128];
	uint64_t last_ms;
	uint32_t bucket[TOP_RATE_SECS];	/* connections in second bucket_sec[] */
	uint64_t bucket_sec[TOP_RATE_SECS];
};

enum top_sort { SORT_CONNS, SORT_ALLOWED, SORT_DENIED, SORT_RATE, SORT_NAME,
		SORT_LAST };

/* Every grouping is counted as events arrive, so g switches at once. */
enum top_group { GROUP_PROGRAM, GROUP_UNIT, GROUP_CONTAINER, GROUP_COUNT };

struct table {
	struct app *apps;
	unsigned n;
};

struct top {
	struct table tab[GROUP_COUNT];
	enum top_group group;
	enum top_sort sort;
	uint64_t total, dropped;
	uint64_t live_first_seq;	/* first live event's seq, 0 none yet */
	uint64_t hist_max_seq;		/* newest seq taken from history */
	unsigned interval_ms;
	const char *socket;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct app *app_find(struct table *t, const char *exe, uint64_t now)
{
	unsigned i, old = 0;
	struct app *a;

	for (i = 0; i < t->n; i++) {
		if (!strcmp(t->apps[i].exe, exe))
			return &t->apps[i];
		if (t->apps[i].last_ms < t->apps[old].last_ms)
			old = i;
	}
	a = t->n < TOP_APPS_MAX ? &t->apps[t->n++] : &t->apps[old];
	memset(a, 0, sizeof(*a));
	snprintf(a->exe, sizeof(a->exe), "%.255s", exe);
	a->last_ms = now;
	return a;
}

static void app_pid(struct app *a, int pid)
{
	unsigned i;

	for (i = 0; i < a->n_pids; i++) {
		if (a->pids[i] == pid)
			return;
	}
	if (a->n_pids < TOP_PIDS_MAX)
		a->pids[a->n_pids++] = pid;
	else
		a->pids_over = true;
}

static void app_count(struct app *a, uint64_t now)
{
	uint64_t sec = now / 1000;
	unsigned b = (unsigned)(sec % TOP_RATE_SECS);

	if (a->bucket_sec[b] != sec) {
		a->bucket_sec[b] = sec;
		a->bucket[b] = 0;
	}
	a->bucket[b]++;
}

static double app_rate(const struct app *a, uint64_t now)
{
	uint64_t sec = now / 1000, sum = 0;
	unsigned i;

	for (i = 0; i < TOP_RATE_SECS; i++) {
		if (a->bucket_sec[i] + TOP_RATE_SECS > sec)
			sum += a->bucket[i];
	}
	return (double)sum / TOP_RATE_SECS;
}

static void table_add(struct table *tb, enum top_group g,
		      const struct json_object *proc, const struct json_object *ev,
		      bool live, uint64_t now);

/* The row an event goes to under grouping g: its key and shown name. */
static void group_key(const struct json_object *proc, enum top_group g,
		      char *key, size_t len, char *name, size_t nlen)
{
	const char *exe = jstr(proc, "exe");

	switch (g) {
	case GROUP_UNIT:
		fmt_unit(proc, key, len);
		break;
	case GROUP_CONTAINER:
		fmt_container(proc, key, len);
		if (key[0])	/* the whole id: two containers may share 12 */
			snprintf(key, len, "%s:%s", jstr(jget(proc, "container"), "runtime"),
				 jstr(jget(proc, "container"), "id"));
		break;
	default:
		snprintf(key, len, "%s", exe ? exe : proc ? fmt_program(proc) : "(unknown)");
		snprintf(name, nlen, "%s", proc ? fmt_program(proc) : "(unknown)");
		fmt_sanitize(name);
		return;
	}
	if (g == GROUP_CONTAINER)
		fmt_container(proc, name, nlen);
	else
		snprintf(name, nlen, "%s", key);
	if (!key[0]) {
		snprintf(key, len, "%s", !proc ? "(unknown)" :
			 g == GROUP_UNIT ? "(no unit)" : "(host)");
		snprintf(name, nlen, "%s", key);
	}
	fmt_sanitize(name);
}

/* Fold one connection event into every grouping.  live: counts toward
 * rate. */
static void top_add(struct top *t, const struct json_object *ev, bool live)
{
	const struct json_object *proc = jget(ev, "process");
	uint64_t now = now_ms();

	for (int g = 0; g < GROUP_COUNT; g++)
		table_add(&t->tab[g], (enum top_group)g, proc, ev, live, now);
	t->total++;
}

static void table_add(struct table *tb, enum top_group g,
		      const struct json_object *proc, const struct json_object *ev,
		      bool live, uint64_t now)
{
	const char *v = jstr(ev, "verdict");
	char key[300], name[300];
	struct app *a;

	group_key(proc, g, key, sizeof(key), name, sizeof(name));
	a = app_find(tb, key, now);
	snprintf(a->name, sizeof(a->name), "%.63s", name);
	if (proc)
		app_pid(a, (int)jint(proc, "pid"));
	a->conns++;
	a->allowed += v && !strcmp(v, "allow");
	a->denied += v && strcmp(v, "allow");
	fmt_dest(ev, a->last_dest, sizeof(a->last_dest));
	a->last_ms = now;
	if (live)
		app_count(a, now);
}

/* A live event: history already counted anything up to hist_max_seq. */
static void top_event(void *data, struct json_object *ev)
{
	struct top *t = data;
	const char *type = jstr(ev, "type");
	uint64_t seq = (uint64_t)jint(ev, "seq");

	if (type && !strcmp(type, "dropped")) {
		t->dropped += (uint64_t)jint(ev, "count");
		return;
	}
	if (!type || strcmp(type, "connection") || (seq && seq <= t->hist_max_seq))
		return;
	if (!t->live_first_seq)
		t->live_first_seq = seq;
	top_add(t, ev, true);
}

static void top_history(struct top *t, const struct json_object *res)
{
	struct json_object *list = jget(res, "connections");
	size_t i, n = list ? json_object_array_length(list) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *ev = json_object_array_get_idx(list, i);
		uint64_t seq = (uint64_t)jint(ev, "seq");

		if (t->live_first_seq && seq >= t->live_first_seq)
			continue;
		top_add(t, ev, false);
		if (seq > t->hist_max_seq)
			t->hist_max_seq = seq;
	}
}

struct sort_ctx {
	enum top_sort sort;
	uint64_t now;
};

static int cmp_u(unsigned long a, unsigned long b)
{
	return a < b ? 1 : a > b ? -1 : 0;	/* descending */
}

static int app_cmp(const void *x, const void *y, void *data)
{
	const struct app *a = x, *b = y;
	const struct sort_ctx *c = data;
	double ra, rb;
	int r = 0;

	switch (c->sort) {
	case SORT_CONNS: r = cmp_u(a->conns, b->conns); break;
	case SORT_ALLOWED: r = cmp_u(a->allowed, b->allowed); break;
	case SORT_DENIED: r = cmp_u(a->denied, b->denied); break;
	case SORT_LAST: r = cmp_u(a->last_ms, b->last_ms); break;
	case SORT_RATE:
		ra = app_rate(a, c->now);
		rb = app_rate(b, c->now);
		r = ra < rb ? 1 : ra > rb ? -1 : 0;
		break;
	case SORT_NAME: break;
	}
	return r ? r : strcmp(a->name, b->name);
}

static const char *sort_name(enum top_sort s)
{
	static const char *const n[] = { "connections", "allowed", "denied",
					 "rate", "program", "last seen" };

	return n[s];
}

static void top_row(FILE *f, const struct app *a, uint64_t now, unsigned cols)
{
	char procs[8], line[512];

	snprintf(procs, sizeof(procs), "%u%s", a->n_pids, a->pids_over ? "+" : "");
	snprintf(line, sizeof(line), "%-20.20s %5s %7lu %7lu %7lu %7.1f/s  %s",
		 a->name, procs, a->conns, a->allowed, a->denied,
		 app_rate(a, now), a->last_dest);
	if (cols < sizeof(line))
		line[cols] = '\0';
	fprintf(f, "%s\033[K\n", line);
}

static const char *group_name(enum top_group g)
{
	static const char *const n[] = { "PROGRAM", "UNIT", "CONTAINER" };

	return n[g];
}

static void top_render(struct top *t, const struct term *tm)
{
	struct sort_ctx c = { .sort = t->sort, .now = now_ms() };
	struct table *tb = &t->tab[t->group];
	unsigned i, rows = tm->rows > 4 ? tm->rows - 4 : 1;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	qsort_r(tb->apps, tb->n, sizeof(tb->apps[0]), app_cmp, &c);
	fprintf(f, "\033[Htattle top  %u %s  %llu connections  sort: %s%s\033[K\n",
		tb->n, t->group == GROUP_PROGRAM ? "apps" : t->group == GROUP_UNIT ?
		"units" : "containers", (unsigned long long)t->total,
		sort_name(t->sort),
		t->dropped ? "  (events dropped: terminal too slow)" : "");
	fprintf(f, "keys: c conns  a allowed  d denied  r rate  p name  "
		"l last  g group  q quit\033[K\n");
	fprintf(f, "\033[7m%-20s %5s %7s %7s %7s %9s  %-30s\033[0m\033[K\n",
		group_name(t->group), "PROCS", "CONNS", "ALLOWED", "DENIED", "RATE",
		"LAST DESTINATION");
	for (i = 0; i < tb->n && i < rows; i++)
		top_row(f, &tb->apps[i], c.now, tm->cols);
	fputs("\033[J", f);
	if (fclose(f) == 0) {
		fwrite(buf, 1, len, stdout);
		fflush(stdout);
	}
	free(buf);
}

/* 1 to quit, 0 otherwise. */
static int top_key(struct top *t, int k)
{
	switch (k) {
	case 'q': case 'Q': return 1;
	case 'c': t->sort = SORT_CONNS; break;
	case 'a': t->sort = SORT_ALLOWED; break;
	case 'd': t->sort = SORT_DENIED; break;
	case 'r': t->sort = SORT_RATE; break;
	case 'p': case 'n': t->sort = SORT_NAME; break;
	case 'l': t->sort = SORT_LAST; break;
	case 'g': t->group = (enum top_group)((t->group + 1) % GROUP_COUNT); break;
	default: break;
	}
	return 0;
}

static void top_usage(FILE *out)
{
	fprintf(out,
"usage: tattle top [--interval MS] [--group G] [--socket PATH]\n"
"A live table of applications making connections: program, processes,\n"
"connections, allowed, denied, last destination and rate (per second over\n"
"the last 10 s).  Keys: c a d r p l pick the sort column, g groups rows by\n"
"program, systemd unit or container in turn, q quits.\n"
"  --interval MS   refresh period (default 1000)\n"
"  --group G       program (default), unit or container\n"
"  --socket PATH   daemon socket (default " TCONN_DEFAULT_SOCKET ")\n"
"exit: 0 on q, 1 cannot connect or the daemon went away, 2 usage\n");
}

static int top_parse(int argc, char **argv, struct top *t)
{
	static const struct option lo[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "group", required_argument, NULL, 'g' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "i:g:s:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			t->interval_ms = (unsigned)strtoul(optarg, &end, 10);
			if (*end || t->interval_ms < 50 || t->interval_ms > 60000) {
				fprintf(stderr, "tattle top: --interval: 50..60000\n");
				return EXIT_USAGE;
			}
			break;
		case 'g':
			for (t->group = 0; t->group < GROUP_COUNT; t->group++)
				if (!strcasecmp(optarg, group_name(t->group)))
					break;
			if (t->group == GROUP_COUNT) {
				fprintf(stderr, "tattle top: --group: program, unit or container\n");
				return EXIT_USAGE;
			}
			break;
		case 's': t->socket = optarg; break;
		case 'h': top_usage(stdout); return -1;
		default: top_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		top_usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static void top_on_event(void *data, struct json_object *ev)
{
	top_event(data, ev);
}

static int top_start(struct top *t, struct tconn *c)
{
	struct json_object *res = NULL;
	char err[512];
	int r;

	r = tconn_call(c, "subscribe", "{\"types\":[\"connection\"]}", NULL,
		       err, sizeof(err), top_event, t);
	if (r == 0)
		r = tconn_call(c, "connections.list", "{\"limit\":1024}", &res,
			       err, sizeof(err), top_event, t);
	if (r < 0) {
		fprintf(stderr, "tattle top: %s\n", err[0] ? err : strerror(-r));
		return r;
	}
	top_history(t, res);
	json_object_put(res);
	return 0;
}

static int top_loop(struct top *t, struct tconn *c, struct term *tm)
{
	uint64_t next = 0, now;
	int ev, r;

	for (;;) {
		if ((r = tconn_drain(c, top_on_event, t)) < 0)
			return r;
		now = now_ms();
		if (now >= next) {
			top_render(t, tm);
			next = now + t->interval_ms;
		}
		ev = term_wait(tm, c->fd, (int)(next - now));
		if (ev < 0)
			return ev;
		if (ev & TERM_EV_QUIT)
			return 0;
		if (ev & TERM_EV_RESIZE)
			next = 0;
		if ((ev & TERM_EV_KEY)) {
			int k = term_key(tm);

			if (k < 0 || top_key(t, k))
				return 0;
			next = 0;
		}
	}
}

int top_main(int argc, char **argv)
{
	struct top t = { .interval_ms = 1000, .socket = TCONN_DEFAULT_SOCKET };
	struct term tm;
	struct tconn c;
	int r;

	if ((r = top_parse(argc, argv, &t)) != 0)
		return r < 0 ? EXIT_OK : r;
	if ((r = tconn_open(&c, t.socket)) < 0)
		return tconn_fail("top", t.socket, r);
	for (int g = 0; g < GROUP_COUNT; g++)
		t.tab[g].apps = calloc(TOP_APPS_MAX, sizeof(*t.tab[g].apps));
	if (!t.tab[0].apps || !t.tab[1].apps || !t.tab[2].apps || top_start(&t, &c) < 0) {
		for (int g = 0; g < GROUP_COUNT; g++)
			free(t.tab[g].apps);
		tconn_close(&c);
		return EXIT_RUNTIME;
	}
	if ((r = term_open(&tm)) == 0)
		r = top_loop(&t, &c, &tm);
	term_close(&tm);
	if (r < 0)
		fprintf(stderr, "tattle top: %s\n", r == -ECONNRESET ?
			"daemon closed the connection" : strerror(-r));
	for (int g = 0; g < GROUP_COUNT; g++)
		free(t.tab[g].apps);
	tconn_close(&c);
	return r < 0 ? EXIT_RUNTIME : EXIT_OK;
}
