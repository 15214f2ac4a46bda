/* test_rules.c - rule parsing, operators, verdict order, durations,
 * runtime edits and the OpenSnitch fixtures in tests/data/rules/.
 * Run from the repository root. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <json-c/json.h>

#include "rules.h"
#include "capread.h"
#include "duration.h"
#include "filewrite.h"
#include "match.h"
#include "lists.h"
#include "test_rules_util.h"

/* dir/NAME.json, as the daemon names the file of a rule added at runtime. */
static int write_in(const struct rule *r, const char *dir)
{
	char path[512];

	size_t len;
	char *text = rule_text(r, &len);
	int ret;

	snprintf(path, sizeof(path), "%s/%s.json", dir, rule_name(r));
	ret = text ? filewrite_atomic(path, text, len) : -ENOMEM;
	free(text);
	return ret;
}

/* ---- a standard connection: curl (pid 1234, uid 1000) to example.com */

static char cmdline[] = "curl\0-s\0https://example.com";

static const char *user_name_cb(void *data, uint32_t uid)
{
	(void)data;
	return uid == 1000 ? "alice" : NULL;
}

static const char *env_cb(void *data, const struct proc_info *pi,
			  const char *name)
{
	(void)data;
	(void)pi;
	return !strcmp(name, "HOME") ? "/home/alice" : NULL;
}

struct conn {
	struct flow flow;
	struct proc_info proc;
	struct rule_ctx ctx;
};

static void conn_init(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->flow = mkflow("10.0.0.2", 40000, "93.184.216.34", 443, IPPROTO_TCP);
	c->proc.pid = 1234;
	c->proc.ppid = 1000;
	c->proc.uid = 1000;
	c->proc.exe = (char *)"/usr/bin/curl";
	c->proc.cmdline = cmdline;
	c->proc.cmdline_len = sizeof(cmdline) - 1;
	c->ctx.flow = &c->flow;
	c->ctx.proc = &c->proc;
	c->ctx.parent_path = "/bin/bash";
	c->ctx.dst_host = "www.Example.com";
	c->ctx.iface_out = "eth0";
	c->ctx.user_name = user_name_cb;
	c->ctx.proc_env = env_cb;
}

static struct rule *parse_ok(const char *json)
{
	struct rule *r = NULL;
	char err[256] = "";
	int ret = rule_parse(json, strlen(json), &test_clk, &r, err, sizeof(err));

	if (ret)
		fail_msg("rule_parse(%s): %d %s", json, ret, err);
	return r;
}

/* A one-rule ruleset with the given operator; 1 if it matches ctx. */
static int op_matches(const char *op, const struct rule_ctx *ctx)
{
	char json[2048];
	struct ruleset *rs0 = ruleset_new(), *rs;
	const struct rule *hit;
	struct rule *r;
	int m;

	snprintf(json, sizeof(json), "{\"name\":\"t\",\"action\":\"deny\","
		 "\"enabled\":true,\"duration\":\"always\",\"operator\":%s}", op);
	r = parse_ok(json);
	assert_int_equal(ruleset_add(rs0, r, &rs), 0);
	m = ruleset_match(rs, ctx, test_clk.boot_ms, &hit);
	assert_true(m == 0 || hit == ruleset_find(rs, "t"));
	rule_put(r);
	ruleset_put(rs0);
	ruleset_put(rs);
	return m;
}

/* Lazy facts: asked only when a rule reads them. */
struct lazy_calls {
	unsigned parent, iface;
};

static const char *lazy_parent(void *data, const struct proc_info *pi)
{
	(void)pi;
	((struct lazy_calls *)data)->parent++;
	return "/usr/bin/bash";
}

static const char *lazy_iface(void *data, bool out)
{
	((struct lazy_calls *)data)->iface++;
	return out ? "eth0" : NULL;
}

static void test_lazy_parent_and_iface_only_when_read(void **state)
{
	struct flow f = mkflow("10.0.0.2", 40000, "10.0.0.9", 443, 6);
	struct proc_info pi = { .pid = 7, .ppid = 1, .exe = "/usr/bin/curl" };
	struct lazy_calls n = { 0 };
	struct rule_ctx ctx = { .flow = &f, .proc = &pi,
				.parent_path_of = lazy_parent,
				.iface_name = lazy_iface, .data = &n };

	(void)state;
	assert_int_equal(op_matches("{\"type\":\"simple\",\"operand\":"
				    "\"dest.port\",\"data\":\"443\"}", &ctx), 1);
	assert_int_equal(n.parent + n.iface, 0);
	assert_int_equal(op_matches("{\"type\":\"simple\",\"operand\":"
				    "\"process.parent.path\",\"data\":"
				    "\"/usr/bin/bash\"}", &ctx), 1);
	assert_int_equal(n.parent, 1);
	assert_int_equal(op_matches("{\"type\":\"simple\",\"operand\":"
				    "\"iface.out\",\"data\":\"eth0\"}", &ctx), 1);
	assert_int_equal(op_matches("{\"type\":\"simple\",\"operand\":"
				    "\"iface.in\",\"data\":\"eth0\"}", &ctx), 0);
	assert_int_equal(n.iface, 2);
	/* A value given directly wins over the callback. */
	ctx.parent_path = "/usr/bin/zsh";
	assert_int_equal(op_matches("{\"type\":\"simple\",\"operand\":"
				    "\"process.parent.path\",\"data\":"
				    "\"/usr/bin/zsh\"}", &ctx), 1);
	assert_int_equal(n.parent, 1);
}

#define OP(type, operand, sens, data) \
	"{\"type\":\"" type "\",\"operand\":\"" operand "\",\"sensitive\":" \
	#sens ",\"data\":\"" data "\"}"

static const struct { const char *op; int want; } operand_cases[] = {
	{ OP("simple", "true", false, ""), 1 },
	{ OP("simple", "process.path", false, "/USR/BIN/CURL"), 1 },
	{ OP("simple", "process.path", true, "/USR/BIN/CURL"), 0 },
	{ OP("simple", "process.path", true, "/usr/bin/curl"), 1 },
	{ OP("simple", "process.path", false, "/usr/bin/cur"), 0 },
	{ OP("simple", "process.command", false, "curl -s https://example.com"), 1 },
	{ OP("simple", "process.command", false, "curl"), 0 },
	{ OP("simple", "process.id", false, "1234"), 1 },
	{ OP("simple", "process.id", false, "123"), 0 },
	{ OP("simple", "process.env.HOME", true, "/home/alice"), 1 },
	{ OP("simple", "process.env.HOME", true, "/root"), 0 },
	{ OP("simple", "process.env.NOPE", false, ""), 0 },
	{ OP("simple", "process.parent.path", false, "/bin/bash"), 1 },
	{ OP("simple", "user.id", false, "1000"), 1 },
	{ OP("simple", "user.id", false, "0"), 0 },
	{ OP("simple", "user.name", false, "ALICE"), 1 },
	{ OP("simple", "user.name", true, "ALICE"), 0 },
	{ OP("simple", "protocol", false, "tcp"), 1 },
	{ OP("simple", "protocol", false, "udp"), 0 },
	{ OP("simple", "protocol", false, "tcp6"), 0 },
	{ OP("simple", "dest.ip", false, "93.184.216.34"), 1 },
	{ OP("simple", "dest.ip", false, "93.184.216.3"), 0 },
	{ OP("simple", "dest.host", false, "www.example.com"), 1 },
	{ OP("simple", "dest.host", true, "www.example.com"), 0 },
	{ OP("simple", "dest.port", false, "443"), 1 },
	{ OP("simple", "dest.port", false, "80"), 0 },
	{ OP("simple", "source.ip", false, "10.0.0.2"), 1 },
	{ OP("simple", "source.port", false, "40000"), 1 },
	{ OP("simple", "iface.out", false, "eth0"), 1 },
	{ OP("simple", "iface.in", false, "eth0"), 0 },
	{ OP("network", "dest.network", false, "93.184.216.0/24"), 1 },
	{ OP("network", "dest.network", false, "93.184.217.0/24"), 0 },
	{ OP("network", "dest.ip", false, "93.184.216.34"), 1 },
	{ OP("network", "source.network", false, "LAN"), 1 },
	{ OP("network", "dest.network", false, "LAN"), 0 },
	{ OP("network", "source.network", false, "MULTICAST"), 0 },
	{ OP("regexp", "process.path", true, "^/usr/bin/cu.l$"), 1 },
	{ OP("regexp", "process.path", true, "^/USR/bin/curl$"), 0 },
	{ OP("regexp", "process.path", false, "^/USR/bin/curl$"), 1 },
	{ OP("regexp", "dest.port", false, "^\\\\d+$"), 1 },
	{ OP("regexp", "dest.host", false, "example\\\\.com$"), 1 },
	{ OP("regexp", "dest.host", false, "^example\\\\.com$"), 0 },
	{ OP("regexp", "process.command", false, "-s\\\\s+https://"), 1 },
	{ OP("regexp", "user.name", false, "^ali"), 1 },
	{ OP("regexp", "protocol", false, "^(tcp|udp)$"), 1 },
	{ "{\"type\":\"list\",\"operand\":\"list\",\"list\":["
	  OP("simple", "process.path", false, "/usr/bin/curl") ","
	  OP("simple", "dest.port", false, "443") "]}", 1 },
	{ "{\"type\":\"list\",\"operand\":\"list\",\"list\":["
	  OP("simple", "process.path", false, "/usr/bin/curl") ","
	  OP("simple", "dest.port", false, "80") "]}", 0 },
	{ "{\"type\":\"list\",\"operand\":\"list\",\"data\":\"[{\\\"type\\\":"
	  "\\\"simple\\\",\\\"operand\\\":\\\"dest.port\\\",\\\"data\\\":"
	  "\\\"443\\\"}]\",\"list\":null}", 1 },
	{ "{\"type\":\"list\",\"operand\":\"list\",\"data\":\"[{\\\"type\\\":"
	  "\\\"simple\\\",\\\"operand\\\":\\\"dest.port\\\",\\\"data\\\":"
	  "\\\"80\\\"}]\",\"list\":[]}", 0 },
};

static void test_each_operand_matches_as_table_says(void **state)
{
	struct conn c;

	(void)state;
	conn_init(&c);
	for (size_t i = 0; i < sizeof(operand_cases) / sizeof(operand_cases[0]); i++) {
		int got = op_matches(operand_cases[i].op, &c.ctx);

		if (got != operand_cases[i].want)
			fail_msg("case %zu %s: got %d", i, operand_cases[i].op, got);
	}
}

static void test_unknown_process_never_matches_process_operands(void **state)
{
	struct conn c;

	(void)state;
	conn_init(&c);
	c.ctx.proc = NULL;
	c.ctx.has_uid = true;
	c.ctx.uid = 1000;
	assert_int_equal(op_matches(OP("simple", "process.path", false, "/usr/bin/curl"), &c.ctx), 0);
	assert_int_equal(op_matches(OP("regexp", "process.path", false, ".*"), &c.ctx), 0);
	assert_int_equal(op_matches(OP("simple", "process.parent.path", false, "/bin/bash"), &c.ctx), 0);
	assert_int_equal(op_matches(OP("simple", "process.env.HOME", false, "/home/alice"), &c.ctx), 0);
	/* the socket's uid is still known */
	assert_int_equal(op_matches(OP("simple", "user.id", false, "1000"), &c.ctx), 1);
	c.ctx.has_uid = false;
	assert_int_equal(op_matches(OP("simple", "user.id", false, "1000"), &c.ctx), 0);
}

static void test_ipv6_protocol_and_addresses(void **state)
{
	struct conn c;

	(void)state;
	conn_init(&c);
	c.flow = mkflow("fe80::1", 5353, "2001:db8::5", 53, IPPROTO_UDP);
	assert_int_equal(op_matches(OP("simple", "protocol", false, "udp6"), &c.ctx), 1);
	assert_int_equal(op_matches(OP("simple", "dest.ip", false, "2001:db8::5"), &c.ctx), 1);
	assert_int_equal(op_matches(OP("network", "dest.network", false, "2001:db8::/32"), &c.ctx), 1);
	assert_int_equal(op_matches(OP("network", "dest.network", false, "2001:db9::/32"), &c.ctx), 0);
	assert_int_equal(op_matches(OP("network", "dest.network", false, "10.0.0.0/8"), &c.ctx), 0);
	assert_int_equal(op_matches(OP("network", "source.network", false, "LAN"), &c.ctx), 1);
	c.flow = mkflow("::1", 1, "::1", 2, IPPROTO_ICMPV6);
	assert_int_equal(op_matches(OP("simple", "protocol", false, "icmp6"), &c.ctx), 1);
}

static const struct { const char *addr; bool lan, mcast; } alias_cases[] = {
	{ "127.0.0.1", true, false }, { "10.1.2.3", true, false },
	{ "172.16.0.1", true, false }, { "172.31.255.255", true, false },
	{ "172.32.0.1", false, false }, { "192.168.1.1", true, false },
	{ "169.254.1.1", true, false }, { "100.64.0.1", true, false },
	{ "8.8.8.8", false, false }, { "224.0.0.251", false, true },
	{ "239.255.255.250", false, true }, { "240.0.0.1", false, false },
	{ "::1", true, false }, { "fd00::1", true, false },
	{ "fe80::1", true, false }, { "2001:db8::1", false, false },
	{ "ff02::fb", false, true },
};

static void test_lan_and_multicast_aliases_cover_documented_sets(void **state)
{
	struct conn c;

	(void)state;
	conn_init(&c);
	for (size_t i = 0; i < sizeof(alias_cases) / sizeof(alias_cases[0]); i++) {
		c.flow = mkflow(strchr(alias_cases[i].addr, ':') ? "::2" : "1.1.1.1",
				1, alias_cases[i].addr, 2, IPPROTO_UDP);
		if (op_matches(OP("network", "dest.network", false, "LAN"), &c.ctx) !=
		    alias_cases[i].lan)
			fail_msg("LAN %s", alias_cases[i].addr);
		if (op_matches(OP("network", "dest.network", false, "multicast"), &c.ctx) !=
		    alias_cases[i].mcast)
			fail_msg("MULTICAST %s", alias_cases[i].addr);
	}
}

/* ---- verdict order */

static struct ruleset *build(const char *const *jsons, size_t n)
{
	struct ruleset *rs = ruleset_new(), *next;

	for (size_t i = 0; i < n; i++) {
		struct rule *r = parse_ok(jsons[i]);

		assert_int_equal(ruleset_add(rs, r, &next), 0);
		rule_put(r);
		ruleset_put(rs);
		rs = next;
	}
	return rs;
}

#define RULE(name, action, prec, enabled, op) \
	"{\"name\":\"" name "\",\"action\":\"" action "\",\"precedence\":" #prec \
	",\"enabled\":" #enabled ",\"duration\":\"always\",\"operator\":" op "}"
#define CURL OP("simple", "process.path", false, "/usr/bin/curl")
#define PORT443 OP("simple", "dest.port", false, "443")

static const char *winner(const char *const *jsons, size_t n)
{
	static char name[64];
	struct ruleset *rs = build(jsons, n);
	const struct rule *hit = NULL;
	struct conn c;

	conn_init(&c);
	name[0] = '\0';
	if (ruleset_match(rs, &c.ctx, test_clk.boot_ms, &hit) == 1)
		snprintf(name, sizeof(name), "%s", rule_name(hit));
	else
		assert_null(hit);
	ruleset_put(rs);
	return name;
}

static void test_deny_beats_allow_whatever_the_names(void **state)
{
	const char *a[] = { RULE("zzz-deny", "deny", false, true, CURL),
			    RULE("aaa-allow", "allow", false, true, PORT443) };
	const char *b[] = { RULE("aaa-deny", "reject", false, true, CURL),
			    RULE("zzz-allow", "allow", false, true, PORT443) };

	(void)state;
	assert_string_equal(winner(a, 2), "zzz-deny");
	assert_string_equal(winner(b, 2), "aaa-deny");
}

static void test_precedence_allow_sorting_first_beats_later_deny(void **state)
{
	const char *a[] = { RULE("zzz-deny", "deny", false, true, CURL),
			    RULE("000-allow", "allow", true, true, PORT443) };
	const char *b[] = { RULE("000-deny", "deny", false, true, CURL),
			    RULE("zzz-allow", "allow", true, true, PORT443) };

	(void)state;
	assert_string_equal(winner(a, 2), "000-allow");
	assert_string_equal(winner(b, 2), "000-deny");	/* earlier deny wins */
}

static void test_last_matching_allow_wins(void **state)
{
	const char *a[] = { RULE("b-allow", "allow", false, true, CURL),
			    RULE("a-allow", "allow", false, true, PORT443),
			    RULE("c-allow", "allow", false, true,
				 OP("simple", "dest.port", false, "80")) };

	(void)state;
	assert_string_equal(winner(a, 3), "b-allow");
}

static void test_disabled_rules_are_ignored(void **state)
{
	const char *a[] = { RULE("a-deny", "deny", false, false, CURL),
			    RULE("b-allow", "allow", false, true, PORT443) };
	const char *b[] = { RULE("a-deny", "deny", false, false, CURL) };

	(void)state;
	assert_string_equal(winner(a, 2), "b-allow");
	assert_string_equal(winner(b, 1), "");
}

static void test_missing_enabled_means_disabled_as_in_opensnitch(void **state)
{
	struct rule *r = parse_ok("{\"name\":\"n\",\"action\":\"deny\","
				  "\"operator\":" CURL "}");

	(void)state;
	assert_false(rule_json_bool(r, "enabled"));
	assert_int_equal(rule_duration(r), RULE_ALWAYS);	/* no duration */
	rule_put(r);
}

static void test_no_match_returns_zero_and_null(void **state)
{
	const char *a[] = { RULE("a", "deny", false, true,
				 OP("simple", "dest.port", false, "22")) };

	(void)state;
	assert_string_equal(winner(a, 1), "");
}

/* ---- the equality index agrees with a plain in-order walk */

static const char *const pool_ops[] = {
	OP("simple", "process.path", false, "/usr/bin/curl"),
	OP("simple", "process.path", true, "/usr/bin/CURL"),
	OP("simple", "process.path", false, "/usr/bin/wget"),
	OP("simple", "dest.host", false, "WWW.example.com"),
	OP("simple", "dest.host", true, "www.example.com"),
	OP("simple", "dest.port", false, "443"),
	OP("simple", "dest.port", false, "80"),
	OP("simple", "user.id", false, "1000"),
	OP("simple", "true", false, ""),
	OP("simple", "process.env.HOME", false, "/home/alice"),
	OP("regexp", "dest.host", false, "example\\\\.(com|org)$"),
	OP("regexp", "process.path", true, "^/usr/bin/[cw]"),
	OP("network", "dest.network", false, "93.184.0.0/16"),
	OP("network", "dest.network", false, "LAN"),
	"{\"type\":\"list\",\"operand\":\"list\",\"list\":["
	OP("simple", "dest.port", false, "443") ","
	OP("simple", "process.path", false, "/usr/bin/curl") "]}",
	"{\"type\":\"list\",\"operand\":\"list\",\"list\":["
	OP("network", "dest.network", false, "LAN") ","
	OP("simple", "dest.port", false, "80") "]}",
};

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static const struct rule *reference(const struct ruleset *rs,
				    const struct rule_ctx *ctx, uint64_t now)
{
	const struct rule *last = NULL;

	for (size_t i = 0; i < ruleset_count(rs); i++) {
		const struct rule *r = ruleset_at(rs, i);

		if (!rule_json_bool(r, "enabled") || !plain_match(r, ctx, now))
			continue;
		if (rule_action(r) != RULE_ALLOW || rule_json_bool(r, "precedence"))
			return r;
		last = r;
	}
	return last;
}

static struct ruleset *random_ruleset(uint32_t *seed)
{
	static const char *const actions[] = { "allow", "allow", "deny", "reject" };
	static const char *const durs[] = { "always", "always", "1s", "1h" };
	size_t n = 1 + xorshift(seed) % 40;
	const char *v[40];
	char bufs[40][1024];
	struct ruleset *rs;

	for (size_t i = 0; i < n; i++) {
		uint32_t x = xorshift(seed);

		snprintf(bufs[i], sizeof(bufs[i]), "{\"name\":\"r%02u-%zu\","
			 "\"action\":\"%s\",\"precedence\":%s,\"enabled\":%s,"
			 "\"duration\":\"%s\",\"operator\":%s}", x % 97, i,
			 actions[x % 4], x & 0x100 ? "true" : "false",
			 x & 0x600 ? "true" : "false", durs[(x >> 12) % 4],
			 pool_ops[(x >> 16) % (sizeof(pool_ops) / sizeof(pool_ops[0]))]);
		v[i] = bufs[i];
	}
	rs = build(v, n);
	return rs;
}

static void test_indexed_match_agrees_with_in_order_walk(void **state)
{
	static const char *const hosts[] = { "www.example.com", "WWW.EXAMPLE.COM",
					     "x.example.org", NULL };
	static const char *const exes[] = { "/usr/bin/curl", "/usr/bin/CURL",
					    "/usr/bin/wget", "/bin/sh" };
	uint32_t seed = 0x9e3779b9;
	struct conn c;

	(void)state;
	conn_init(&c);
	for (int round = 0; round < 300; round++) {
		struct ruleset *rs = random_ruleset(&seed);

		for (int k = 0; k < 20; k++) {
			uint32_t x = xorshift(&seed);
			uint64_t now = test_clk.boot_ms + (x & 1 ? 5000 : 0);
			const struct rule *got, *want;

			c.ctx.dst_host = hosts[x % 4];
			c.proc.exe = (char *)exes[(x >> 2) % 4];
			c.flow = mkflow("10.0.0.2", 1, x & 0x10 ? "93.184.216.34" :
					"192.168.1.1", x & 0x20 ? 443 : 80, IPPROTO_TCP);
			c.ctx.proc = x & 0x40 ? NULL : &c.proc;
			ruleset_match(rs, &c.ctx, now, &got);
			want = reference(rs, &c.ctx, now);
			if (got != want)
				fail_msg("round %d: got %s want %s", round,
					 got ? rule_name(got) : "-",
					 want ? rule_name(want) : "-");
		}
		ruleset_put(rs);
	}
}

/* ---- invalid files */

static const struct {
	const char *file, *body, *reason;
} invalid_cases[] = {
	{ "bad-json.json", "{\"name\": \"x\", ", "bad JSON" },
	{ "trailing.json", RULE("t", "deny", false, true, CURL) " {}", "trailing data" },
	{ "not-object.json", "[1,2]", "not a JSON object" },
	{ "unknown-operand.json", RULE("u", "deny", false, true,
		OP("simple", "process.colour", false, "red")), "unknown operand \"process.colour\"" },
	{ "unknown-type.json", RULE("u", "deny", false, true,
		OP("glob", "process.path", false, "*")), "unknown operator type \"glob\"" },
	{ "bad-regexp.json", RULE("u", "deny", false, true,
		OP("regexp", "dest.host", false, "(unclosed")), "bad regexp" },
	{ "re2-flags.json", RULE("u", "deny", false, true,
		OP("regexp", "dest.host", false, "(?i)evil")), "(?...)" },
	{ "re2-lazy.json", RULE("u", "deny", false, true,
		OP("regexp", "dest.host", false, "a.*?b")), "lazy quantifier" },
	{ "re2-boundary.json", RULE("u", "deny", false, true,
		OP("regexp", "dest.host", false, "\\\\bevil")), "word boundary" },
	{ "re2-unicode.json", RULE("u", "deny", false, true,
		OP("regexp", "dest.host", false, "\\\\pL+")), "Unicode class" },
	{ "bad-cidr.json", RULE("u", "deny", false, true,
		OP("network", "dest.network", false, "10.0.0.0/33")), "bad network" },
	{ "bad-cidr-text.json", RULE("u", "deny", false, true,
		OP("network", "dest.network", false, "intranet")), "bad network" },
	{ "bad-pair.json", RULE("u", "deny", false, true,
		OP("simple", "lists.domains", false, "/tmp")), "cannot be used with type" },
	{ "bad-duration.json", "{\"name\":\"d\",\"action\":\"deny\",\"duration\":"
		"\"fortnight\",\"operator\":" CURL "}", "bad duration \"fortnight\"" },
	{ "bad-action.json", "{\"name\":\"d\",\"action\":\"maybe\",\"operator\":"
		CURL "}", "unknown action" },
	{ "missing-name.json", "{\"action\":\"deny\",\"operator\":" CURL "}",
		"missing \"name\"" },
	{ "slash-name.json", "{\"name\":\"a/b\",\"action\":\"deny\",\"operator\":"
		CURL "}", "rule name has '/'" },
	{ "no-operator.json", "{\"name\":\"n\",\"action\":\"deny\"}",
		"missing \"operator\"" },
	{ "bad-created.json", "{\"name\":\"n\",\"action\":\"deny\",\"created\":"
		"\"yesterday\",\"operator\":" CURL "}", "bad \"created\"" },
	{ "empty-list.json", RULE("u", "deny", false, true,
		"{\"type\":\"list\",\"operand\":\"list\",\"list\":[]}"),
		"without sub-operators" },
	{ "missing-list-dir.json", RULE("u", "deny", false, true,
		OP("lists", "lists.domains", false, "/nonexistent/tattle")),
		"/nonexistent/tattle" },
};

static const struct rules_error *find_error(const struct rules_errors *e,
					    const char *file)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->e[i].file, file))
			return &e->e[i];
	return NULL;
}

static void test_invalid_files_are_skipped_with_reason_and_neighbours_load(void **state)
{
	char dir[] = "/tmp/test_rules.XXXXXX";
	struct rules_errors errs = { 0 };
	struct ruleset *rs = NULL;
	const size_t n = sizeof(invalid_cases) / sizeof(invalid_cases[0]);

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < n; i++)
		write_file(dir, invalid_cases[i].file, invalid_cases[i].body,
			   strlen(invalid_cases[i].body));
	write_file(dir, "zz-good.json", RULE("good", "allow", false, true, CURL),
		   strlen(RULE("good", "allow", false, true, CURL)));
	write_file(dir, "notes.txt", "ignored", 7);
	assert_int_equal(ruleset_load_dir(dir, &test_clk, &rs, &errs), 0);
	assert_int_equal(errs.n, n);
	for (size_t i = 0; i < n; i++) {
		const struct rules_error *e = find_error(&errs, invalid_cases[i].file);

		if (!e)
			fail_msg("no error for %s", invalid_cases[i].file);
		if (!strstr(e->reason, invalid_cases[i].reason))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", e->file,
				 e->reason, invalid_cases[i].reason);
	}
	assert_int_equal(ruleset_count(rs), 1);
	assert_non_null(ruleset_find(rs, "good"));
	ruleset_put(rs);
	rm_tree(dir);
}

static void test_oversized_file_is_rejected(void **state)
{
	char dir[] = "/tmp/test_rules.XXXXXX";
	struct rules_errors errs = { 0 };
	struct ruleset *rs = NULL;
	size_t len = RULES_MAX_FILE_BYTES + 1;
	char *big = malloc(len);

	(void)state;
	assert_non_null(big);
	assert_non_null(mkdtemp(dir));
	memset(big, ' ', len);
	memcpy(big, RULE("big", "deny", false, true, CURL),
	       strlen(RULE("big", "deny", false, true, CURL)));
	write_file(dir, "big.json", big, len);
	assert_int_equal(ruleset_load_dir(dir, &test_clk, &rs, &errs), 0);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.e[0].file, "big.json");
	assert_non_null(strstr(errs.e[0].reason, "larger than"));
	assert_int_equal(ruleset_count(rs), 0);
	free(big);
	ruleset_put(rs);
	rm_tree(dir);
}

static void test_duplicate_name_keeps_first_file(void **state)
{
	char dir[] = "/tmp/test_rules.XXXXXX";
	struct rules_errors errs = { 0 };
	struct ruleset *rs = NULL;
	const char *a = RULE("same", "deny", false, true, CURL);
	const char *b = RULE("same", "allow", false, true, CURL);

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "a.json", a, strlen(a));
	write_file(dir, "b.json", b, strlen(b));
	assert_int_equal(ruleset_load_dir(dir, &test_clk, &rs, &errs), 0);
	assert_int_equal(ruleset_count(rs), 1);
	assert_int_equal(rule_action(ruleset_find(rs, "same")), RULE_DENY);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.e[0].file, "b.json");
	assert_non_null(strstr(errs.e[0].reason, "duplicate"));
	ruleset_put(rs);
	rm_tree(dir);
}

static void test_error_list_is_bounded(void **state)
{
	char dir[] = "/tmp/test_rules.XXXXXX", name[32];
	struct rules_errors errs = { 0 };
	struct ruleset *rs = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < RULES_MAX_ERRORS + 5; i++) {
		snprintf(name, sizeof(name), "bad%03d.json", i);
		write_file(dir, name, "{", 1);
	}
	assert_int_equal(ruleset_load_dir(dir, &test_clk, &rs, &errs), 0);
	assert_int_equal(errs.n, RULES_MAX_ERRORS);
	assert_int_equal(errs.dropped, 5);
	ruleset_put(rs);
	rm_tree(dir);
}

static void test_missing_directory_is_an_error(void **state)
{
	struct ruleset *rs = NULL;

	(void)state;
	assert_int_equal(ruleset_load_dir("/nonexistent/tattle-rules", &test_clk,
					  &rs, NULL), -ENOENT);
	assert_null(rs);
}

/* ---- OpenSnitch fixtures */

static struct ruleset *load_fixture(const char *dir, size_t want)
{
	struct rules_errors errs = { 0 };
	struct ruleset *rs = NULL;

	assert_int_equal(ruleset_load_dir(dir, &test_clk, &rs, &errs), 0);
	for (size_t i = 0; i < errs.n; i++)
		print_error("%s: %s\n", errs.e[i].file, errs.e[i].reason);
	assert_int_equal(errs.n, 0);
	assert_int_equal(ruleset_count(rs), want);
	return rs;
}

static const char *verdict(const struct ruleset *rs, const struct rule_ctx *ctx)
{
	const struct rule *hit;

	return ruleset_match(rs, ctx, test_clk.boot_ms, &hit) ? rule_name(hit) : "";
}

static void test_opensnitch_15_fixtures_load_and_decide(void **state)
{
	struct ruleset *rs = load_fixture("tests/data/rules/os15", 5);
	struct conn c;

	(void)state;
	conn_init(&c);
	assert_string_equal(verdict(rs, &c.ctx), "allow-always-list-curl-443");
	c.proc.exe = (char *)"/usr/bin/telnet";
	assert_string_equal(verdict(rs, &c.ctx), "deny-always-simple-usr-bin-telnet");
	c.flow = mkflow("127.0.0.1", 1, "127.0.0.1", 23, IPPROTO_TCP);
	assert_string_equal(verdict(rs, &c.ctx), "000-allow-localhost");
	c.flow = mkflow("10.0.0.2", 1, "93.184.216.34", 443, IPPROTO_TCP);
	c.proc.exe = (char *)"/usr/bin/wget";
	c.ctx.dst_host = "stats.g.DoubleClick.net";
	assert_string_equal(verdict(rs, &c.ctx), "reject-always-regexp-doubleclick");
	c.ctx.dst_host = "notdoubleclick.net";
	assert_string_equal(verdict(rs, &c.ctx), "");
	c.proc.exe = (char *)"/usr/lib/firefox/firefox";
	assert_string_equal(verdict(rs, &c.ctx), "allow-30m-simple-firefox");
	assert_true(rule_json_bool(ruleset_find(rs, "000-allow-localhost"), "precedence"));
	ruleset_put(rs);
}

static void test_opensnitch_18_fixtures_load_and_decide(void **state)
{
	struct ruleset *rs = load_fixture("tests/data/rules/os18", 8);
	const struct rule *r = ruleset_find(rs, "000-allow-localhost");
	struct conn c;

	(void)state;
	conn_init(&c);
	assert_true(rule_nolog(r));
	assert_string_equal(verdict(rs, &c.ctx), "");
	c.ctx.dst_host = "ADS.example.com.";
	assert_string_equal(verdict(rs, &c.ctx), "deny-lists-domains-ads");
	c.ctx.dst_host = "www.ads.example.com";	/* exact names only */
	assert_string_equal(verdict(rs, &c.ctx), "");
	c.ctx.dst_host = "ad42.example.com";
	assert_string_equal(verdict(rs, &c.ctx), "deny-lists-regexp");
	c.ctx.dst_host = NULL;
	c.flow = mkflow("10.0.0.2", 1, "203.0.113.7", 80, IPPROTO_TCP);
	assert_string_equal(verdict(rs, &c.ctx), "reject-lists-ips");
	c.flow = mkflow("10.0.0.2", 1, "198.51.100.200", 80, IPPROTO_TCP);
	assert_string_equal(verdict(rs, &c.ctx), "deny-lists-nets");
	c.flow = mkflow("10.0.0.2", 1, "224.0.0.251", 5353, IPPROTO_UDP);
	assert_string_equal(verdict(rs, &c.ctx), "001-allow-lan-multicast");
	c.proc.exe = (char *)"/usr/bin/nc";
	c.flow = mkflow("10.0.0.2", 1, "127.0.0.1", 80, IPPROTO_TCP);
	assert_string_equal(verdict(rs, &c.ctx), "000-allow-localhost");
	c.flow = mkflow("10.0.0.2", 1, "8.8.8.8", 80, IPPROTO_TCP);
	assert_string_equal(verdict(rs, &c.ctx), "deny-always-list-nc-tcp");
	c.flow = mkflow("10.0.0.2", 1, "8.8.8.8", 80, IPPROTO_UDP);
	assert_string_equal(verdict(rs, &c.ctx), "");	/* user 1000 rule disabled */
	ruleset_put(rs);
}

static void test_check_dir_prints_rules_and_counts_invalid(void **state)
{
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0, lines = 0;
	FILE *out = open_memstream(&obuf, &olen);
	FILE *err = open_memstream(&ebuf, &elen);

	(void)state;
	assert_int_equal(rules_check_dir("tests/data/rules/invalid", out, err), 3);
	fclose(out);
	fclose(err);
	for (char *p = obuf; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 1);
	assert_non_null(strstr(obuf, "\"name\":\"ok-neighbour\""));
	assert_non_null(strstr(ebuf, "tests/data/rules/invalid/bad-json.json: bad JSON"));
	assert_non_null(strstr(ebuf, "bad-operand.json: unknown operand"));
	assert_non_null(strstr(ebuf, "re2-only.json: RE2 group syntax"));
	free(obuf);
	free(ebuf);
}

static void test_check_dir_on_fixtures_reports_no_invalid_file(void **state)
{
	FILE *out = fopen("/dev/null", "w"), *err = fopen("/dev/null", "w");

	(void)state;
	assert_int_equal(rules_check_dir("tests/data/rules/os15", out, err), 0);
	assert_int_equal(rules_check_dir("tests/data/rules/os18", out, err), 0);
	assert_int_equal(rules_check_dir("/nonexistent/tattle", out, err), -ENOENT);
	fclose(out);
	fclose(err);
}

static void test_list_dirs_are_reported_once_each(void **state)
{
	struct ruleset *rs = load_fixture("tests/data/rules/os18", 8);
	const char *dirs[8];

	(void)state;
	assert_int_equal(ruleset_list_dirs(rs, dirs, 8), 4);
	assert_int_equal(ruleset_list_dirs(rs, dirs, 1), 4);
	assert_non_null(strstr(dirs[0], "tests/data/rules/lists/"));
	ruleset_put(rs);
}

/* ---- durations */

static const struct { const char *text; int ret; uint64_t ms; } go_cases[] = {
	{ "30s", 0, 30000 }, { "5m", 0, 300000 }, { "15m", 0, 900000 },
	{ "1h", 0, 3600000 }, { "12h", 0, 43200000 }, { "1h30m", 0, 5400000 },
	{ "1.5h", 0, 5400000 }, { "500ms", 0, 500 }, { "0", 0, 0 },
	{ "2h45m10s", 0, 9910000 }, { "1500us", 0, 1 }, { "", -EINVAL, 0 },
	{ "-5m", -EINVAL, 0 }, { "5", -EINVAL, 0 }, { "5d", -EINVAL, 0 },
	{ "m", -EINVAL, 0 }, { "1h ", -EINVAL, 0 }, { ".s", -EINVAL, 0 },
	{ "99999999999h", -EINVAL, 0 },
};

static void test_go_durations_parse_as_go_does(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(go_cases) / sizeof(go_cases[0]); i++) {
		uint64_t ms = 7;
		int r = duration_parse_go(go_cases[i].text,
					  strlen(go_cases[i].text), &ms);

		if (r != go_cases[i].ret || (r == 0 && ms != go_cases[i].ms))
			fail_msg("\"%s\": ret %d ms %llu", go_cases[i].text, r,
				 (unsigned long long)ms);
	}
}

static const struct { const char *text; int ret; int64_t ms; } rfc_cases[] = {
	{ "2023-11-14T22:13:20Z", 0, 1700000000000LL },
	{ "2023-11-14T23:13:20+01:00", 0, 1700000000000LL },
	{ "2023-11-14T22:13:20.25Z", 0, 1700000000250LL },
	{ "2023-11-14T17:13:20.123456789-05:00", 0, 1700000000123LL },
	{ "2023-11-14 22:13:20z", 0, 1700000000000LL },
	{ "2023-11-14T22:13:20", -EINVAL, 0 },
	{ "2023-13-14T22:13:20Z", -EINVAL, 0 },
	{ "2023-11-14T22:13:20+0100", -EINVAL, 0 },
	{ "2023-11-14T22:13:20.Z", -EINVAL, 0 },
	{ "yesterday", -EINVAL, 0 },
};

static void test_rfc3339_timestamps_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc_cases) / sizeof(rfc_cases[0]); i++) {
		int64_t ms = 7;
		int r = rules_parse_rfc3339(rfc_cases[i].text, &ms);

		if (r != rfc_cases[i].ret || (r == 0 && ms != rfc_cases[i].ms))
			fail_msg("\"%s\": ret %d ms %lld", rfc_cases[i].text, r,
				 (long long)ms);
	}
}

#define TIMED(name, dur, created) \
	"{\"name\":\"" name "\",\"action\":\"deny\",\"enabled\":true," \
	"\"duration\":\"" dur "\"" \
	created ",\"operator\":" CURL "}"

static void test_timed_rule_without_created_expires_after_load_plus_duration(void **state)
{
	const char *j[] = { TIMED("t", "5m", "") };
	struct ruleset *rs = build(j, 1);
	const struct rule *hit;
	struct conn c;

	(void)state;
	conn_init(&c);
	assert_int_equal(rule_expiry(ruleset_find(rs, "t")), 1000000 + 300000);
	assert_int_equal(ruleset_match(rs, &c.ctx, 1000000 + 299999, &hit), 1);
	assert_int_equal(ruleset_match(rs, &c.ctx, 1000000 + 300000, &hit), 0);
	assert_null(hit);
	ruleset_put(rs);
}

static void test_timed_rule_counts_from_created_on_boot_clock(void **state)
{
	/* created 60 s before the test clock's wall time */
	const char *j[] = { TIMED("t", "90s", ",\"created\":\"2023-11-14T22:12:20Z\""),
			    TIMED("old", "30s", ",\"created\":\"2023-11-14T22:12:20Z\"") };
	struct ruleset *rs = build(j, 2);

	(void)state;
	assert_int_equal(rule_expiry(ruleset_find(rs, "t")), 1000000 + 30000);
	assert_true(rule_expired(ruleset_find(rs, "old"), test_clk.boot_ms));
	assert_false(rule_expired(ruleset_find(rs, "t"), test_clk.boot_ms));
	ruleset_put(rs);
}

static void test_expire_drops_only_expired_rules_and_reports_next(void **state)
{
	const char *j[] = { TIMED("a", "10s", ""), TIMED("b", "1m", ""),
			    TIMED("c", "always", "") };
	struct ruleset *rs = build(j, 3), *next = NULL, *b = NULL, *c = NULL;
	uint64_t t0 = test_clk.boot_ms;

	(void)state;
	assert_int_equal(ruleset_expire(rs, t0 + 9999, &next), 0);
	assert_null(next);
	assert_int_equal(ruleset_expire(rs, t0 + 10000, &next), 1);
	assert_int_equal(ruleset_count(next), 2);
	assert_null(ruleset_find(next, "a"));
	/* the next one due is b, at one minute; c never expires */
	assert_int_equal(ruleset_expire(next, t0 + 59999, &b), 0);
	assert_null(b);
	assert_int_equal(ruleset_expire(next, t0 + 60000, &b), 1);
	assert_non_null(ruleset_find(b, "c"));
	assert_int_equal(ruleset_expire(b, UINT64_MAX - 1, &c), 0);
	assert_null(c);
	ruleset_put(rs);
	ruleset_put(next);
	ruleset_put(b);
}

static void test_duration_kinds_are_reported(void **state)
{
	static const struct { const char *dur; enum rule_duration want; } cases[] = {
		{ "once", RULE_ONCE }, { "until restart", RULE_UNTIL_RESTART },
		{ "always", RULE_ALWAYS }, { "1h", RULE_TIMED },
	};
	char json[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rule *r;

		snprintf(json, sizeof(json), TIMED("d", "%s", ""), cases[i].dur);
		r = parse_ok(json);
		assert_int_equal(rule_duration(r), cases[i].want);
		assert_int_equal(rule_expired(r, UINT64_MAX - 1), cases[i].want == RULE_TIMED);
		rule_put(r);
	}
}

static void test_once_rule_is_removed_after_first_match(void **state)
{
	const char *j[] = { TIMED("once", "once", "") };
	struct ruleset *rs = build(j, 1), *next;
	const struct rule *hit;
	struct conn c;

	(void)state;
	conn_init(&c);
	assert_int_equal(ruleset_match(rs, &c.ctx, test_clk.boot_ms, &hit), 1);
	assert_int_equal(rule_duration(hit), RULE_ONCE);
	assert_int_equal(ruleset_remove(rs, rule_name(hit), &next), 0);
	assert_int_equal(ruleset_match(next, &c.ctx, test_clk.boot_ms, &hit), 0);
	ruleset_put(rs);
	ruleset_put(next);
}

/* ---- runtime edits */

/* A rule as a prompt answer or rules.add makes it: enabled, one simple
 * operator, no "created" (a Go duration counts from the boot clock). */
#define ANSWER(name, action, dur, operand, sensitive, data) \
	"{\"name\":\"" name "\",\"enabled\":true,\"action\":\"" action "\"," \
	"\"duration\":\"" dur "\",\"operator\":{\"type\":\"simple\"," \
	"\"operand\":\"" operand "\",\"sensitive\":" #sensitive "," \
	"\"data\":\"" data "\"}}"

static void test_answer_rule_is_an_enabled_runtime_rule(void **state)
{
	struct ruleset *empty = ruleset_new(), *rs;
	struct rule *r = NULL;
	const struct rule *hit;
	char err[128] = "";
	struct conn c;

	(void)state;
	conn_init(&c);
	assert_int_equal(rule_parse(ANSWER("allow-curl-5m", "allow", "5m",
					   "process.path", true, "/usr/bin/curl"),
				    strlen(ANSWER("allow-curl-5m", "allow", "5m",
						  "process.path", true,
						  "/usr/bin/curl")),
				    &test_clk, &r, err, sizeof(err)), 0);
	assert_true(rule_json_bool(r, "enabled"));
	assert_null(rule_file(r));
	assert_int_equal(rule_expiry(r), test_clk.boot_ms + 300000);
	assert_int_equal(ruleset_add(empty, r, &rs), 0);
	assert_int_equal(ruleset_match(rs, &c.ctx, test_clk.boot_ms, &hit), 1);
	assert_ptr_equal(hit, r);
	rule_put(r);
	assert_int_equal(rule_parse(ANSWER("x", "deny", "always", "nope", false,
					   "1"),
				    strlen(ANSWER("x", "deny", "always", "nope",
						  false, "1")),
				    &test_clk, &r, err, sizeof(err)), -EINVAL);
	assert_null(r);
	assert_non_null(strstr(err, "unknown operand"));
	ruleset_put(empty);
	ruleset_put(rs);
}

static void test_timed_rule_written_then_reloaded_later_keeps_its_expiry(void **state)
{
	char dir[] = "/tmp/test_rules.XXXXXX";
	struct rules_clock later = { test_clk.boot_ms + 60000, test_clk.wall_ms + 60000 };
	struct ruleset *rs = NULL;
	struct rule *r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	r = parse_ok(ANSWER("t", "deny", "5m", "dest.port", false, "22"));
	assert_int_equal(write_in(r, dir), 0);
	assert_int_equal(ruleset_load_dir(dir, &later, &rs, NULL), 0);
	assert_int_equal(rule_expiry(ruleset_find(rs, "t")), rule_expiry(r));
	rule_put(r);
	ruleset_put(rs);
	rm_tree(dir);
}

static void test_add_replaces_same_name_and_leaves_old_ruleset_intact(void **state)
{
	const char *j[] = { RULE("r", "deny", false, true, CURL) };
	struct ruleset *rs = build(j, 1), *next;
	struct rule *r = parse_ok(RULE("r", "allow", false, true, CURL));
	struct conn c;

	(void)state;
	conn_init(&c);
	assert_int_equal(ruleset_add(rs, r, &next), 0);
	rule_put(r);
	assert_int_equal(ruleset_count(next), 1);
	assert_int_equal(rule_action(ruleset_find(next, "r")), RULE_ALLOW);
	assert_int_equal(rule_action(ruleset_find(rs, "r")), RULE_DENY);
	ruleset_put(rs);
	ruleset_put(next);
}

static void test_remove_and_enable_by_name(void **state)
{
	const char *j[] = { RULE("a", "deny", false, true, CURL),
			    RULE("b", "allow", false, true, PORT443) };
	struct ruleset *rs = build(j, 2), *off, *on, *rm;
	struct conn c;

	(void)state;
	conn_init(&c);
	assert_string_equal(verdict(rs, &c.ctx), "a");
	assert_int_equal(ruleset_set_enabled(rs, "a", false, &off), 0);
	assert_string_equal(verdict(off, &c.ctx), "b");
	assert_false(rule_json_bool(ruleset_find(off, "a"), "enabled"));
	assert_int_equal(ruleset_set_enabled(off, "a", true, &on), 0);
	ruleset_put(off);
	assert_string_equal(verdict(on, &c.ctx), "a");
	assert_int_equal(ruleset_remove(on, "b", &rm), 0);
	assert_int_equal(ruleset_count(rm), 1);
	assert_int_equal(ruleset_remove(rm, "b", &off), -ENOENT);
	assert_int_equal(ruleset_set_enabled(rm, "zz", true, &off), -ENOENT);
	ruleset_put(rs);
	ruleset_put(on);
	ruleset_put(rm);
}

static void test_reload_keeps_runtime_rules_not_taken_by_files(void **state)
{
	char dir[] = "/tmp/test_rules.XXXXXX";
	const char *file_rule = RULE("file", "deny", false, true, CURL);
	const char *j[] = { RULE("runtime", "allow", false, true, PORT443),
			    RULE("file", "allow", false, true, PORT443),
			    TIMED("gone", "1s", "") };
	struct ruleset *rt = build(j, 3), *rs;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "file.json", file_rule, strlen(file_rule));
	struct rules_clock later = test_clk;
	later.boot_ms += 5000;
	assert_int_equal(ruleset_reload(rt, dir, &later, &rs, NULL), 0);
	assert_int_equal(ruleset_count(rs), 2);
	assert_int_equal(rule_action(ruleset_find(rs, "file")), RULE_DENY);
	assert_non_null(rule_file(ruleset_find(rs, "file")));
	assert_non_null(ruleset_find(rs, "runtime"));
	assert_null(ruleset_find(rs, "gone"));
	ruleset_put(rt);
	ruleset_put(rs);
	rm_tree(dir);
}

static char *rule_plain(const struct rule *r)
{
	struct json_object *o = rule_to_json(r);
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

	json_object_put(o);
	return s;
}

static void roundtrip_dir(const char *src, size_t want)
{
	char dir[] = "/tmp/test_rules.XXXXXX";
	struct ruleset *a = load_fixture(src, want), *b;

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < ruleset_count(a); i++)
		assert_int_equal(write_in(ruleset_at(a, i), dir), 0);
	b = load_fixture(dir, want);
	for (size_t i = 0; i < want; i++) {
		char *x = rule_plain(ruleset_at(a, i)), *y = rule_plain(ruleset_at(b, i));

		assert_string_equal(x, y);
		assert_int_equal(rule_expiry(ruleset_at(a, i)),
				 rule_expiry(ruleset_at(b, i)));
		free(x);
		free(y);
	}
	ruleset_put(a);
	ruleset_put(b);
	rm_tree(dir);
}

static void test_written_json_reloads_identically(void **state)
{
	(void)state;
	roundtrip_dir("tests/data/rules/os15", 5);
	roundtrip_dir("tests/data/rules/os18", 8);
}

static void test_written_file_is_opensnitch_shaped(void **state)
{
	struct rule *r = parse_ok(RULE("allow-curl", "allow", false, true, CURL));
	char dir[] = "/tmp/test_rules.XXXXXX", path[256], *buf;
	struct json_object *o, *v, *op;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(write_in(r, dir), 0);
	snprintf(path, sizeof(path), "%s/allow-curl.json", dir);
	assert_int_equal(capread_at(AT_FDCWD, path, 1 << 20, 0, &buf, &len), 0);
	assert_non_null(o = json_tokener_parse(buf));
	assert_true(json_object_object_get_ex(o, "created", &v));
	assert_string_equal(json_object_get_string(v), "2023-11-14T22:13:20.000Z");
	assert_true(json_object_object_get_ex(o, "duration", &v));
	assert_string_equal(json_object_get_string(v), "always");
	assert_true(json_object_object_get_ex(o, "operator", &op));
	assert_true(json_object_object_get_ex(op, "operand", &v));
	assert_string_equal(json_object_get_string(v), "process.path");
	assert_true(json_object_object_get_ex(op, "list", &v));
	assert_true(json_object_is_type(v, json_type_array));
	json_object_put(o);
	free(buf);
	rule_put(r);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_operand_matches_as_table_says),
		cmocka_unit_test(test_unknown_process_never_matches_process_operands),
		cmocka_unit_test(test_ipv6_protocol_and_addresses),
		cmocka_unit_test(test_lan_and_multicast_aliases_cover_documented_sets),
		cmocka_unit_test(test_deny_beats_allow_whatever_the_names),
		cmocka_unit_test(test_precedence_allow_sorting_first_beats_later_deny),
		cmocka_unit_test(test_last_matching_allow_wins),
		cmocka_unit_test(test_disabled_rules_are_ignored),
		cmocka_unit_test(test_no_match_returns_zero_and_null),
		cmocka_unit_test(test_missing_enabled_means_disabled_as_in_opensnitch),
		cmocka_unit_test(test_indexed_match_agrees_with_in_order_walk),
		cmocka_unit_test(test_invalid_files_are_skipped_with_reason_and_neighbours_load),
		cmocka_unit_test(test_oversized_file_is_rejected),
		cmocka_unit_test(test_duplicate_name_keeps_first_file),
		cmocka_unit_test(test_error_list_is_bounded),
		cmocka_unit_test(test_missing_directory_is_an_error),
		cmocka_unit_test(test_opensnitch_15_fixtures_load_and_decide),
		cmocka_unit_test(test_opensnitch_18_fixtures_load_and_decide),
		cmocka_unit_test(test_check_dir_prints_rules_and_counts_invalid),
		cmocka_unit_test(test_check_dir_on_fixtures_reports_no_invalid_file),
		cmocka_unit_test(test_list_dirs_are_reported_once_each),
		cmocka_unit_test(test_go_durations_parse_as_go_does),
		cmocka_unit_test(test_rfc3339_timestamps_parse),
		cmocka_unit_test(test_timed_rule_without_created_expires_after_load_plus_duration),
		cmocka_unit_test(test_timed_rule_counts_from_created_on_boot_clock),
		cmocka_unit_test(test_duration_kinds_are_reported),
		cmocka_unit_test(test_expire_drops_only_expired_rules_and_reports_next),
		cmocka_unit_test(test_once_rule_is_removed_after_first_match),
		cmocka_unit_test(test_answer_rule_is_an_enabled_runtime_rule),
		cmocka_unit_test(test_timed_rule_written_then_reloaded_later_keeps_its_expiry),
		cmocka_unit_test(test_add_replaces_same_name_and_leaves_old_ruleset_intact),
		cmocka_unit_test(test_remove_and_enable_by_name),
		cmocka_unit_test(test_reload_keeps_runtime_rules_not_taken_by_files),
		cmocka_unit_test(test_written_json_reloads_identically),
		cmocka_unit_test(test_written_file_is_opensnitch_shaped),
		cmocka_unit_test(test_lazy_parent_and_iface_only_when_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
