/* bench_rules.c - one ruleset_match against 1,000 rules, the last of
 * which looks the host up in a 100,000-entry lists.domains directory.
 * Every rule is tested (no earlier rule matches), so this is the
 * worst case for a connection.  Prints p50 / p99 / max in ns. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "match.h"
#include "packet.h"
#include "procfs.h"
#include "rules.h"

#define N_RULES		1000
#define N_DOMAINS	100000
#define N_ITER		200000

static const struct rules_clock clk = { 1000000, 1700000000000LL };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A mix like a real rules directory: mostly per-application simple
 * rules, some hosts, ports, networks, lists, a few regexps. */
static void rule_json(int i, const char *listdir, char *buf, size_t len)
{

	char op[512];

	if (i == N_RULES - 1)
		snprintf(op, sizeof(op), "{\"type\":\"lists\",\"operand\":"
			 "\"lists.domains\",\"data\":\"%s\"}", listdir);
	else if (i % 100 == 1)
		snprintf(op, sizeof(op), "{\"type\":\"regexp\",\"operand\":"
			 "\"dest.host\",\"data\":\"^(.+\\\\.)?tracker%d\\\\.com$\"}", i);
	else if (i % 20 == 2)
		snprintf(op, sizeof(op), "{\"type\":\"network\",\"operand\":"
			 "\"dest.network\",\"data\":\"10.%d.0.0/16\"}", i % 256);
	else if (i % 20 == 3)
		snprintf(op, sizeof(op), "{\"type\":\"list\",\"operand\":\"list\","
			 "\"list\":[{\"type\":\"simple\",\"operand\":\"process.path\","
			 "\"data\":\"/usr/bin/app%d\"},{\"type\":\"simple\",\"operand\":"
			 "\"dest.port\",\"data\":\"%d\"}]}", i, 1000 + i);
	else if (i % 4 == 0)
		snprintf(op, sizeof(op), "{\"type\":\"simple\",\"operand\":"
			 "\"dest.host\",\"data\":\"host%d.example.org\"}", i);
	else
		snprintf(op, sizeof(op), "{\"type\":\"simple\",\"operand\":"
			 "\"process.path\",\"sensitive\":%s,\"data\":\"/usr/bin/app%d\"}",
			 i % 2 ? "true" : "false", i);
	snprintf(buf, len, "{\"name\":\"r%04d\",\"enabled\":true,\"action\":\"%s\",\"operator\":%s}",
		 i, i % 3 ? "allow" : "deny", op);
}

static int make_list(const char *dir)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/hosts", dir);
	if (!(fp = fopen(path, "w")))
		return -1;
	for (int i = 0; i < N_DOMAINS; i++)
		fprintf(fp, "0.0.0.0 ad%d.blocked-example.net\n", i);
	return fclose(fp);
}

static struct ruleset *make_rules(const char *listdir)
{
	struct ruleset *rs = ruleset_new(), *next;
	char json[1024], err[256];

	for (int i = 0; i < N_RULES; i++) {
		struct rule *r;

		rule_json(i, listdir, json, sizeof(json));
		if (rule_parse(json, strlen(json), &clk, &r, err, sizeof(err)) < 0 ||
		    rule_load_lists(r, err, sizeof(err)) < 0) {
			fprintf(stderr, "rule %d: %s\n", i, err);
			exit(1);
		}
		if (ruleset_add(rs, r, &next) < 0)
			exit(1);
		rule_put(r);
		ruleset_put(rs);
		rs = next;
	}
	return rs;
}

static void run(const char *label, const struct ruleset *rs,
		const struct rule_ctx *ctx, uint64_t *lat)
{
	const struct rule *hit = NULL;
	int m = 0;

	for (int i = 0; i < N_ITER; i++) {
		uint64_t t0 = now_ns();

		m = ruleset_match(rs, ctx, clk.boot_ms, &hit);
		lat[i] = now_ns() - t0;
	}
	qsort(lat, N_ITER, sizeof(*lat), cmp_u64);
	printf("bench_rules %-22s rules=%d list=%d p50=%lluns p99=%lluns max=%lluns (%s)\n",
	       label, N_RULES, N_DOMAINS, (unsigned long long)lat[N_ITER / 2],
	       (unsigned long long)lat[N_ITER * 99 / 100],
	       (unsigned long long)lat[N_ITER - 1], m ? rule_name(hit) : "no match");
}

int main(void)
{
	static char cmd[] = "/usr/bin/firefox\0--new-window";
	char dir[] = "/tmp/bench_rules.XXXXXX";
	struct proc_info pi = { .pid = 4242, .uid = 1000,
				.exe = (char *)"/usr/bin/firefox",
				.cmdline = cmd, .cmdline_len = sizeof(cmd) - 1 };
	struct flow f = { .family = AF_INET, .proto = IPPROTO_TCP,
			  .sport = 51234, .dport = 443 };
	struct rule_ctx ctx = { .flow = &f, .proc = &pi,
				.dst_host = "ad77777.blocked-example.net" };
	uint64_t *lat = calloc(N_ITER, sizeof(*lat));
	struct ruleset *rs;
	char path[512];

	if (!lat || !mkdtemp(dir) || make_list(dir) < 0)
		return 1;
	inet_pton(AF_INET, "192.168.1.10", f.src);
	inet_pton(AF_INET, "93.184.216.34", f.dst);
	rs = make_rules(dir);
	run("listed-host", rs, &ctx, lat);
	ctx.dst_host = "www.unlisted.example";
	run("no-match", rs, &ctx, lat);
	ruleset_put(rs);
	snprintf(path, sizeof(path), "%s/hosts", dir);
	unlink(path);
	rmdir(dir);
	free(lat);
	return 0;
}
