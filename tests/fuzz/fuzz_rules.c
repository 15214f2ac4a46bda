/* fuzz_rules.c - arbitrary bytes as one rule file body.  A rule that
 * parses must serialise and parse again from its own JSON, and the
 * indexed ruleset_match must agree with testing the rule alone. */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <json-c/json.h>

#include "fuzz.h"
#include "lists.h"
#include "match.h"
#include "packet.h"
#include "procfs.h"
#include "rules.h"
#include "../unit/rule_oracle.h"

static const struct rules_clock clk = { 1000000, 1700000000000LL };

static const char *env_cb(void *data, const struct proc_info *pi,
			  const char *name)
{
	(void)data;
	(void)pi;
	return name[0] == 'H' ? "/home/x" : NULL;
}

static const char *user_cb(void *data, uint32_t uid)
{
	(void)data;
	return uid == 1000 ? "alice" : NULL;
}

/* "enabled" as rules.list shows it */
static bool enabled(const struct rule *r)
{
	struct json_object *o = rule_to_json(r), *v;
	bool on = false;

	if (o && json_object_object_get_ex(o, "enabled", &v))
		on = json_object_get_boolean(v);
	json_object_put(o);
	return on;
}

static void check(const struct ruleset *rs, const struct rule *r,
		  const struct rule_ctx *ctx)
{
	const struct rule *hit;
	int got = ruleset_match(rs, ctx, clk.boot_ms, &hit);

	if (got != (enabled(r) && plain_match(r, ctx, clk.boot_ms)))
		abort();
}

static void eval(struct rule *r)
{
	static char cmd[] = "curl\0-s\0x";
	struct ruleset *empty = ruleset_new(), *rs = NULL;
	struct proc_info pi = { .pid = 1, .uid = 1000, .exe = (char *)"/usr/bin/curl",
				.cmdline = cmd, .cmdline_len = sizeof(cmd) - 1,
				.cgroup = (char *)"/system.slice/docker-abc123.scope",
				.unit = (char *)"docker-abc123.scope",
				.container_id = (char *)"abc123",
				.container_runtime = "docker",
				.md5 = "d41d8cd98f00b204e9800998ecf8427e",
				.sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709" };
	struct flow f = { .family = AF_INET, .proto = IPPROTO_TCP, .sport = 1,
			  .dport = 443, .src = { 10, 0, 0, 1 }, .dst = { 1, 2, 3, 4 } };
	struct rule_ctx ctx = { .flow = &f, .proc = &pi, .dst_host = "a.example",
				.parent_path = "/bin/sh", .iface_out = "eth0",
				.proc_env = env_cb, .user_name = user_cb };

	if (empty && ruleset_add(empty, r, &rs) == 0) {
		check(rs, r, &ctx);
		f.family = AF_INET6;
		f.proto = IPPROTO_UDP;
		pi.md5[0] = pi.sha1[0] = '\0';	/* hashes not computable */
		pi.container_id = NULL;
		check(rs, r, &ctx);
		ctx.proc = NULL;
		ctx.dst_host = NULL;
		check(rs, r, &ctx);
	}
	ruleset_put(rs);
	ruleset_put(empty);
}

/* Input "#<kind>..." (never valid JSON) is a list file body instead. */
static void fuzz_list(const uint8_t *data, size_t size)
{
	struct rule_list *l = rule_list_new((enum list_kind)(data[1] % 5));
	uint8_t addr[16] = { 0 };

	if (!l)
		return;
	(void)rule_list_parse(l, (const char *)data + 2, size - 2);
	if (l->nets)
		netset_seal(l->nets);
	(void)rule_list_match_host(l, "a.example");
	(void)rule_list_match_addr(l, AF_INET, addr);
	(void)rule_list_match_addr(l, AF_INET6, addr);
	(void)rule_list_match_md5(l, "d41d8cd98f00b204e9800998ecf8427e");
	rule_list_free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule *r = NULL, *again = NULL;
	struct json_object *o;
	const char *text;
	char err[256];

	if (size > RULES_MAX_FILE_BYTES)
		return 0;
	if (size >= 2 && data[0] == '#') {
		fuzz_list(data, size);
		return 0;
	}
	if (rule_parse((const char *)data, size, &clk, &r, err, sizeof(err)) < 0)
		return 0;
	eval(r);
	o = rule_to_json(r);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (rule_parse(text, strlen(text), &clk, &again, err, sizeof(err)) < 0)
		abort();	/* our own output must read back */
	json_object_put(o);
	rule_put(again);
	rule_put(r);
	return 0;
}
