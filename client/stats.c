/* stats.c - tattle stats (a summary for people) and tattle metrics
 * (OpenMetrics text for a Prometheus textfile collector), both from the
 * daemon's "stats" command. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmds.h"
#include "conn.h"
#include "metrics.h"

static int fetch_stats(const char *cmd, const char *path, struct json_object **res)
{
	struct tconn c;
	char err[512];
	int r;

	if ((r = tconn_open(&c, path)) < 0)
		return tconn_fail(cmd, path, r);
	r = tconn_call(&c, "stats", NULL, res, err, sizeof(err), NULL, NULL);
	tconn_close(&c);
	if (r < 0) {
		fprintf(stderr, "tattle %s: %s\n", cmd, err[0] ? err : strerror(-r));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static unsigned long long u(const struct json_object *o, const char *k)
{
	return (unsigned long long)jint(o, k);
}

/* The smallest bucket bound holding quantile q, or 0 when empty. */
static unsigned long long lat_quantile(const struct json_object *lat, double q)
{
	struct json_object *le = jget(lat, "le"), *cum = jget(lat, "cumulative");
	unsigned long long total = u(lat, "count");
	size_t i, n = le ? json_object_array_length(le) : 0;

	if (!total)
		return 0;
	for (i = 0; i < n; i++) {
		if ((double)json_object_get_int64(json_object_array_get_idx(cum, i)) >=
		    q * (double)total)
			return (unsigned long long)json_object_get_int64(
				json_object_array_get_idx(le, i));
	}
	return (unsigned long long)-1;
}

static void print_counts(const char *label, const struct json_object *o)
{
	int first = 1;

	printf("%-12s", label);
	json_object_object_foreach((struct json_object *)o, k, v) {
		printf("%s%s %lld", first ? " " : ", ", k, (long long)json_object_get_int64(v));
		first = 0;
	}
	printf("\n");
}

static void print_stats(const struct json_object *s)
{
	const struct json_object *p = jget(s, "prompts"), *cl = jget(s, "clients");
	const struct json_object *lat = jget(s, "verdict_latency_us");
	struct json_object *progs = jget(s, "programs");
	unsigned long long up = u(s, "uptime_ms") / 1000, p50, p99;
	size_t i, n = progs ? json_object_array_length(progs) : 0;

	printf("uptime       %lluh%02llum%02llus\n", up / 3600, up / 60 % 60, up % 60);
	printf("packets      %llu (malformed %llu), connections %llu, pending %llu\n",
	       u(s, "packets"), u(s, "malformed"), u(s, "connections"), u(s, "pending"));
	print_counts("verdicts", jget(s, "verdicts"));
	printf("timeouts     %llu, pending table full %llu, rules %llu\n",
	       u(s, "timeouts"), u(s, "pending_full"), u(s, "rules"));
	print_counts("attribution", jget(s, "attribution"));
	print_counts("audit", jget(s, "audit"));
	if (jget(s, "bpf"))
		print_counts("bpf", jget(s, "bpf"));
	printf("prompts      open %llu, asked %llu, answered %llu, expired %llu\n",
	       u(p, "open"), u(p, "asked"), u(p, "answered"), u(p, "expired"));
	printf("clients      %llu connected (%llu prompting), %llu events dropped, "
	       "%llu bad lines\n", u(cl, "connected"), u(cl, "prompters"),
	       u(cl, "dropped"), u(cl, "malformed") + u(cl, "too_long"));
	p50 = lat_quantile(lat, 0.5);
	p99 = lat_quantile(lat, 0.99);
	if (u(lat, "count"))
		printf("latency      p50 <= %lld us, p99 <= %lld us\n",
		       (long long)p50, (long long)p99);
	if (n)
		printf("programs     %-40s %8s %8s %8s\n", "", "allow", "deny", "reject");
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(progs, i);

		printf("             %-40.40s %8llu %8llu %8llu\n", jstr(e, "exe"),
		       u(e, "allow"), u(e, "deny"), u(e, "reject"));
	}
}

static int simple_opts(int argc, char **argv, const char **sock, bool *json,
		       void (*usage)(FILE *))
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "js:h", lo, NULL)) != -1) {
		switch (c) {
		case 'j': *json = true; break;
		case 's': *sock = optarg; break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static void stats_usage(FILE *out)
{
	fprintf(out,
"usage: tattle stats [--json] [--socket PATH]\n"
"Print the daemon's counters: verdicts, attribution sources, audit loss,\n"
"prompts, clients, verdict latency and per-program verdicts.\n"
"  --json          print the stats result object as JSON\n"
"  --socket PATH   daemon socket (default " TCONN_DEFAULT_SOCKET ")\n"
"exit: 0 ok, 1 cannot connect or daemon error, 2 usage\n");
}

int stats_main(int argc, char **argv)
{
	const char *sock = TCONN_DEFAULT_SOCKET;
	struct json_object *res = NULL;
	bool json = false;
	int r = simple_opts(argc, argv, &sock, &json, stats_usage);

	if (r)
		return r < 0 ? EXIT_OK : r;
	if ((r = fetch_stats("stats", sock, &res)) != EXIT_OK)
		return r;
	if (json)
		printf("%s\n", json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_stats(res);
	json_object_put(res);
	return EXIT_OK;
}

static void metrics_usage(FILE *out)
{
	fprintf(out,
"usage: tattle metrics [--output FILE] [--format openmetrics|prometheus]\n"
"                      [--socket PATH]\n"
"Print the daemon's counters as OpenMetrics text: verdicts by action, per\n"
"program, attribution sources, audit loss, the verdict latency histogram,\n"
"clients and dropped events.\n"
"  --output FILE   write FILE atomically (for node_exporter's textfile\n"
"                  collector: FILE should end in .prom)\n"
"  --format F      openmetrics (default; ends with '# EOF') or prometheus\n"
"                  (text format 0.0.4)\n"
"  --socket PATH   daemon socket (default " TCONN_DEFAULT_SOCKET ")\n"
"exit: 0 ok, 1 cannot connect or cannot write, 2 usage\n");
}

/* Write to FILE.tmp.XXXXXX and rename, so a collector never reads half. */
static int write_atomic(const char *path, const char *text)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	FILE *f;
	int fd, r = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	if (!(f = fdopen(fd, "w"))) {
		r = -errno;
		close(fd);
		goto out;
	}
	if (fputs(text, f) < 0 || fflush(f) || fsync(fd) || fchmod(fd, 0644))
		r = -errno;
	if (fclose(f) && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
out:
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

static int metrics_opts(int argc, char **argv, const char **sock,
			const char **output, bool *openm)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:f:s:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': *output = optarg; break;
		case 'f':
			if (!strcmp(optarg, "openmetrics") || !strcmp(optarg, "prometheus")) {
				*openm = !strcmp(optarg, "openmetrics");
				break;
			}
			fprintf(stderr, "tattle metrics: unknown format '%s'\n", optarg);
			return EXIT_USAGE;
		case 's': *sock = optarg; break;
		case 'h': metrics_usage(stdout); return -1;
		default: metrics_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		metrics_usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

int metrics_main(int argc, char **argv)
{
	const char *sock = TCONN_DEFAULT_SOCKET, *output = NULL;
	struct json_object *res = NULL;
	bool openm = true;
	char *text = NULL;
	int r = metrics_opts(argc, argv, &sock, &output, &openm);

	if (r)
		return r < 0 ? EXIT_OK : r;
	if ((r = fetch_stats("metrics", sock, &res)) != EXIT_OK)
		return r;
	r = metrics_render(res, openm, &text);
	json_object_put(res);
	if (r < 0) {
		fprintf(stderr, "tattle metrics: %s\n", strerror(-r));
		return EXIT_RUNTIME;
	}
	if (output && (r = write_atomic(output, text)) < 0)
		fprintf(stderr, "tattle metrics: %s: %s\n", output, strerror(-r));
	else if (!output)
		fputs(text, stdout);
	free(text);
	return r < 0 ? EXIT_RUNTIME : EXIT_OK;
}
