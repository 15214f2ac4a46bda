/* test_rules_ident.c - the identity operands (process.unit, .cgroup,
 * .container, .hash.md5, .hash.sha1, lists.hash.md5), the "range" type,
 * strict booleans, nolog and description. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <json-c/json.h>

#include "rules.h"
#include "match.h"
#include "lists.h"
#include "test_rules_util.h"

#define MD5_A	"0123456789abcdef0123456789abcdef"
#define SHA1_A	"0123456789abcdef0123456789abcdef01234567"
#define CID	"3f1c0e9a5b7d2c4e6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6"

struct conn {
	struct flow flow;
	struct proc_info proc;
	struct rule_ctx ctx;
};

static void conn_init(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->flow = mkflow("10.0.0.2", 40000, "10.0.0.9", 8080, IPPROTO_TCP);
	c->proc.pid = 1234;
	c->proc.uid = 1000;
	c->proc.exe = (char *)"/usr/bin/python3";
	c->proc.cgroup = (char *)"/system.slice/docker-" CID ".scope";
	c->proc.unit = (char *)"docker-" CID ".scope";
	c->proc.container_id = (char *)CID;
	snprintf(c->proc.container_runtime, sizeof(c->proc.container_runtime),
		 "docker");
	snprintf(c->proc.md5, sizeof(c->proc.md5), "%s", MD5_A);
	snprintf(c->proc.sha1, sizeof(c->proc.sha1), "%s", SHA1_A);
	c->ctx.flow = &c->flow;
	c->ctx.proc = &c->proc;
}

static int parse(const char *json, struct rule **r, char *err, size_t errlen)
{
	return rule_parse(json, strlen(json), &test_clk, r, err, errlen);
}

/* A one-rule ruleset with the given operator; 1 if it matches ctx, -1 if
 * the rule does not parse. */
static int op_matches(const char *op, const struct rule_ctx *ctx)
{
	char json[2048], err[256] = "";
	struct ruleset *rs0 = ruleset_new(), *rs;
	const struct rule *hit;
	struct rule *r;
	int m;

	snprintf(json, sizeof(json), "{\"name\":\"t\",\"action\":\"deny\","
		 "\"enabled\":true,\"duration\":\"always\",\"operator\":%s}", op);
	if (parse(json, &r, err, sizeof(err)) < 0) {
		ruleset_put(rs0);
		return -1;
	}
	assert_int_equal(rule_load_lists(r, err, sizeof(err)), 0);
	assert_int_equal(ruleset_add(rs0, r, &rs), 0);
	m = ruleset_match(rs, ctx, test_clk.boot_ms, &hit);
	assert_true(m == 0 || hit == ruleset_find(rs, "t"));
	rule_put(r);
	ruleset_put(rs0);
	ruleset_put(rs);
	return m;
}

static const struct {
	const char *op;
	int want;
} cases[] = {
	{ "{\"type\":\"simple\",\"operand\":\"process.container\",\"data\":\"" CID "\"}", 1 },
	{ "{\"type\":\"simple\",\"operand\":\"process.container\",\"data\":\"3f1c0e9a5b7d\"}", 0 },
	{ "{\"type\":\"regexp\",\"operand\":\"process.container\",\"data\":\"^3f1c0e9a5b7d\"}", 1 },
	{ "{\"type\":\"simple\",\"operand\":\"process.unit\",\"data\":\"docker-" CID ".scope\"}", 1 },
	{ "{\"type\":\"regexp\",\"operand\":\"process.unit\",\"data\":\"\\\\.service$\"}", 0 },
	{ "{\"type\":\"regexp\",\"operand\":\"process.cgroup\",\"data\":\"^/system\\\\.slice/docker-\"}", 1 },
	{ "{\"type\":\"simple\",\"operand\":\"process.cgroup\",\"data\":\"/system.slice\"}", 0 },
	{ "{\"type\":\"simple\",\"operand\":\"process.hash.md5\",\"data\":\"" MD5_A "\"}", 1 },
	{ "{\"type\":\"simple\",\"operand\":\"process.hash.md5\",\"data\":\"0123456789ABCDEF0123456789ABCDEF\"}", 1 },
	{ "{\"type\":\"simple\",\"operand\":\"process.hash.md5\",\"sensitive\":true,\"data\":\"0123456789ABCDEF0123456789ABCDEF\"}", 0 },
	{ "{\"type\":\"simple\",\"operand\":\"process.hash.md5\",\"data\":\"ffffffffffffffffffffffffffffffff\"}", 0 },
	{ "{\"type\":\"simple\",\"operand\":\"process.hash.sha1\",\"data\":\"" SHA1_A "\"}", 1 },
	{ "{\"type\":\"list\",\"operand\":\"list\",\"list\":["
	  "{\"type\":\"simple\",\"operand\":\"process.container\",\"data\":\"" CID "\"},"
	  "{\"type\":\"simple\",\"operand\":\"dest.port\",\"data\":\"8080\"}]}", 1 },
	{ "{\"type\":\"list\",\"operand\":\"list\",\"list\":["
	  "{\"type\":\"simple\",\"operand\":\"process.container\",\"data\":\"" CID "\"},"
	  "{\"type\":\"simple\",\"operand\":\"dest.port\",\"data\":\"8081\"}]}", 0 },
	{ "{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\"8000-8999\"}", 1 },
	{ "{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\"8080-8080\"}", 1 },
	{ "{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\"8081-8999\"}", 0 },
	{ "{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\"1-8079\"}", 0 },
	{ "{\"type\":\"range\",\"operand\":\"source.port\",\"data\":\"32768-60999\"}", 1 },
	{ "{\"type\":\"range\",\"operand\":\"user.id\",\"data\":\"1000-1999\"}", 1 },
	{ "{\"type\":\"range\",\"operand\":\"process.id\",\"data\":\"0-1233\"}", 0 },
};

static void test_identity_operands_and_ranges_match_as_table_says(void **state)
{
	struct conn c;

	(void)state;
	conn_init(&c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (op_matches(cases[i].op, &c.ctx) != cases[i].want)
			fail_msg("case %zu: %s: want %d", i, cases[i].op, cases[i].want);
}

static void test_unknown_identity_and_hashes_match_nothing(void **state)
{
	static const char *const ops[] = {
		"{\"type\":\"simple\",\"operand\":\"process.container\",\"data\":\"\"}",
		"{\"type\":\"regexp\",\"operand\":\"process.container\",\"data\":\".*\"}",
		"{\"type\":\"regexp\",\"operand\":\"process.unit\",\"data\":\".*\"}",
		"{\"type\":\"regexp\",\"operand\":\"process.cgroup\",\"data\":\".*\"}",
		"{\"type\":\"simple\",\"operand\":\"process.hash.md5\",\"data\":\"\"}",
		"{\"type\":\"regexp\",\"operand\":\"process.hash.md5\",\"data\":\".*\"}",
		"{\"type\":\"simple\",\"operand\":\"process.hash.sha1\",\"data\":\"\"}",
	};
	struct conn c;

	(void)state;
	conn_init(&c);
	c.proc.cgroup = c.proc.unit = c.proc.container_id = NULL;
	c.proc.md5[0] = c.proc.sha1[0] = '\0';
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (op_matches(ops[i], &c.ctx) != 0)
			fail_msg("%s matched an unknown fact", ops[i]);
	c.ctx.proc = NULL;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		assert_int_equal(op_matches(ops[i], &c.ctx), 0);
}

static void test_bad_ranges_and_pairs_are_rejected(void **state)
{
	static const char *const ops[] = {
		"{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\"9000-8000\"}",
		"{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\"8000\"}",
		"{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\"-8000\"}",
		"{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\"80-\"}",
		"{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\" 80-90\"}",
		"{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\"+80-90\"}",
		"{\"type\":\"range\",\"operand\":\"dest.port\",\"data\":\"80-99999999999\"}",
		"{\"type\":\"range\",\"operand\":\"dest.host\",\"data\":\"1-2\"}",
		"{\"type\":\"network\",\"operand\":\"process.container\",\"data\":\"10.0.0.0/8\"}",
		"{\"type\":\"lists\",\"operand\":\"process.hash.md5\",\"data\":\"/tmp\"}",
		"{\"type\":\"simple\",\"operand\":\"lists.hash.md5\",\"data\":\"x\"}",
		"{\"type\":\"simple\",\"operand\":\"process.hash.md4\",\"data\":\"x\"}",
	};
	struct conn c;

	(void)state;
	conn_init(&c);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (op_matches(ops[i], &c.ctx) != -1)
			fail_msg("%s was accepted", ops[i]);
}

static void test_range_round_trips_as_opensnitch_writes_it(void **state)
{
	const char *json = "{\"name\":\"r\",\"action\":\"allow\",\"enabled\":true,"
		"\"operator\":{\"type\":\"range\",\"operand\":\"dest.port\","
		"\"sensitive\":false,\"data\":\"8000-8999\"}}";
	struct json_object *o, *op, *v;
	struct rule *r = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(json, &r, err, sizeof(err)), 0);
	assert_non_null(o = rule_to_json(r));
	assert_true(json_object_object_get_ex(o, "operator", &op));
	assert_true(json_object_object_get_ex(op, "type", &v));
	assert_string_equal(json_object_get_string(v), "range");
	assert_true(json_object_object_get_ex(op, "data", &v));
	assert_string_equal(json_object_get_string(v), "8000-8999");
	json_object_put(o);
	rule_put(r);
}

static void test_non_boolean_flags_are_rejected_with_the_key(void **state)
{
	static const struct {
		const char *json, *key;
	} bad[] = {
		{ "{\"name\":\"a\",\"action\":\"deny\",\"enabled\":\"true\","
		  "\"operator\":{\"type\":\"simple\",\"operand\":\"true\",\"data\":\"\"}}",
		  "\"enabled\"" },
		{ "{\"name\":\"a\",\"action\":\"deny\",\"enabled\":true,\"precedence\":1,"
		  "\"operator\":{\"type\":\"simple\",\"operand\":\"true\",\"data\":\"\"}}",
		  "\"precedence\"" },
		{ "{\"name\":\"a\",\"action\":\"deny\",\"enabled\":true,\"nolog\":\"false\","
		  "\"operator\":{\"type\":\"simple\",\"operand\":\"true\",\"data\":\"\"}}",
		  "\"nolog\"" },
		{ "{\"name\":\"a\",\"action\":\"deny\",\"enabled\":true,"
		  "\"operator\":{\"type\":\"simple\",\"operand\":\"dest.host\","
		  "\"sensitive\":\"false\",\"data\":\"x\"}}", "\"sensitive\"" },
		{ "{\"name\":\"a\",\"action\":\"deny\",\"enabled\":true,"
		  "\"operator\":{\"type\":\"list\",\"operand\":\"list\",\"list\":["
		  "{\"type\":\"simple\",\"operand\":\"dest.host\","
		  "\"sensitive\":0,\"data\":\"x\"}]}}", "\"sensitive\"" },
	};
	struct rule *r = NULL;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i].json, &r, err, sizeof(err)), -EINVAL);
		assert_null(r);
		if (!strstr(err, bad[i].key) || !strstr(err, "boolean"))
			fail_msg("case %zu: reason \"%s\"", i, err);
	}
}

static void test_null_flags_read_as_defaults(void **state)
{
	const char *json = "{\"name\":\"a\",\"action\":\"deny\",\"enabled\":true,"
		"\"precedence\":null,\"nolog\":null,\"operator\":{\"type\":"
		"\"simple\",\"operand\":\"true\",\"sensitive\":null,\"data\":\"\"}}";
	struct rule *r = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(json, &r, err, sizeof(err)), 0);
	assert_false(rule_json_bool(r, "precedence"));
	assert_false(rule_nolog(r));
	rule_put(r);
}

static void test_load_dir_names_the_file_with_a_string_boolean(void **state)
{
	const char *good = "{\"name\":\"good\",\"action\":\"allow\",\"enabled\":true,"
		"\"operator\":{\"type\":\"simple\",\"operand\":\"true\",\"data\":\"\"}}";
	const char *bad = "{\"name\":\"bad\",\"action\":\"allow\",\"enabled\":true,"
		"\"operator\":{\"type\":\"simple\",\"operand\":\"dest.host\","
		"\"sensitive\":\"false\",\"data\":\"x\"}}";
	struct rules_errors errs = { 0 };
	char dir[] = "/tmp/tattle-ident-XXXXXX";
	struct ruleset *rs = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "good.json", good, strlen(good));
	write_file(dir, "bad.json", bad, strlen(bad));
	assert_int_equal(ruleset_load_dir(dir, &test_clk, &rs, &errs), 0);
	assert_int_equal(ruleset_count(rs), 1);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.e[0].file, "bad.json");
	assert_non_null(strstr(errs.e[0].reason, "sensitive"));
	ruleset_put(rs);
	rm_tree(dir);
}

static void test_nolog_and_description_are_kept(void **state)
{
	const char *json = "{\"name\":\"quiet\",\"action\":\"allow\",\"enabled\":true,"
		"\"nolog\":true,\"description\":\"NTP, too chatty to log\","
		"\"operator\":{\"type\":\"simple\",\"operand\":\"dest.port\",\"data\":\"123\"}}";
	struct json_object *o, *v;
	struct rule *r = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(json, &r, err, sizeof(err)), 0);
	assert_true(rule_nolog(r));
	assert_non_null(o = rule_to_json(r));
	assert_true(json_object_object_get_ex(o, "nolog", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "description", &v));
	assert_string_equal(json_object_get_string(v), "NTP, too chatty to log");
	json_object_put(o);
	rule_put(r);
}

static void test_md5_list_directory_matches_md5sum_lines(void **state)
{
	char dir[] = "/tmp/tattle-md5-XXXXXX", op[512];
	const char *body = "# known builds\n"
		"0123456789ABCDEF0123456789ABCDEF  /usr/bin/python3\n"
		"not-a-hash\n"
		"ffffffffffffffffffffffffffffffff\n";
	struct conn c;

	(void)state;
	conn_init(&c);
	assert_non_null(mkdtemp(dir));
	write_file(dir, "builds.md5", body, strlen(body));
	snprintf(op, sizeof(op), "{\"type\":\"lists\",\"operand\":"
		 "\"lists.hash.md5\",\"data\":\"%s\"}", dir);
	assert_int_equal(op_matches(op, &c.ctx), 1);
	snprintf(c.proc.md5, sizeof(c.proc.md5), "%s", "00000000000000000000000000000000");
	assert_int_equal(op_matches(op, &c.ctx), 0);
	c.proc.md5[0] = '\0';
	assert_int_equal(op_matches(op, &c.ctx), 0);
	rm_tree(dir);
}

static void test_md5_list_counts_and_skips(void **state)
{
	struct rule_list *l = rule_list_new(LIST_HASH_MD5);
	const char *body = "0123456789abcdef0123456789abcdef\n"
		"0123456789abcdef0123456789abcde\n"	/* 31 digits */
		"0123456789abcdef0123456789abcdeg\n";	/* not hex */

	(void)state;
	assert_non_null(l);
	assert_int_equal(rule_list_parse(l, body, strlen(body)), 0);
	assert_int_equal(l->entries, 1);
	assert_int_equal(l->skipped, 2);
	assert_true(rule_list_match_md5(l, MD5_A));
	assert_false(rule_list_match_md5(l, ""));
	assert_false(rule_list_match_md5(l, NULL));
	rule_list_free(l);
}

static struct ruleset *one_rule_set(const char *op, bool enabled)
{
	char json[1024], err[256] = "";
	struct ruleset *rs0 = ruleset_new(), *rs = NULL;
	struct rule *r = NULL;

	snprintf(json, sizeof(json), "{\"name\":\"n\",\"action\":\"deny\","
		 "\"enabled\":%s,\"operator\":%s}", enabled ? "true" : "false", op);
	assert_int_equal(parse(json, &r, err, sizeof(err)), 0);
	assert_int_equal(ruleset_add(rs0, r, &rs), 0);
	rule_put(r);
	ruleset_put(rs0);
	return rs;
}

static void test_ruleset_says_which_costly_facts_it_reads(void **state)
{
	struct ruleset *rs;

	(void)state;
	rs = one_rule_set("{\"type\":\"simple\",\"operand\":\"dest.port\",\"data\":\"1\"}", true);
	assert_int_equal(ruleset_needs(rs), 0);
	ruleset_put(rs);
	rs = one_rule_set("{\"type\":\"simple\",\"operand\":\"process.hash.md5\",\"data\":\"" MD5_A "\"}", true);
	assert_int_equal(ruleset_needs(rs), RULE_NEED_MD5);
	ruleset_put(rs);
	rs = one_rule_set("{\"type\":\"simple\",\"operand\":\"process.hash.md5\",\"data\":\"" MD5_A "\"}", false);
	assert_int_equal(ruleset_needs(rs), 0);
	ruleset_put(rs);
	rs = one_rule_set("{\"type\":\"list\",\"operand\":\"list\",\"list\":["
			  "{\"type\":\"simple\",\"operand\":\"process.hash.sha1\",\"data\":\"x\"},"
			  "{\"type\":\"regexp\",\"operand\":\"process.unit\",\"data\":\"x\"}]}", true);
	assert_int_equal(ruleset_needs(rs), RULE_NEED_SHA1 | RULE_NEED_CGROUP);
	ruleset_put(rs);
	/* the look-ups the loop leaves to the worker */
	rs = one_rule_set("{\"type\":\"list\",\"operand\":\"list\",\"list\":["
			  "{\"type\":\"simple\",\"operand\":\"user.name\",\"data\":\"root\"},"
			  "{\"type\":\"simple\",\"operand\":\"process.env.HOME\",\"data\":\"/\"}]}", true);
	assert_int_equal(ruleset_needs(rs), RULE_NEED_USER | RULE_NEED_ENV);
	ruleset_put(rs);
}

/* Many container rules go through the equality index; the answer must be
 * the one the in-order walk gives. */
static void test_indexed_container_rules_pick_the_right_one(void **state)
{
	struct ruleset *rs = ruleset_new(), *next;
	const struct rule *hit;
	char json[1024], err[256], id[65];
	struct rule *r;
	struct conn c;

	(void)state;
	conn_init(&c);
	for (int i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "%064d", i);
		snprintf(json, sizeof(json), "{\"name\":\"c%03d\",\"action\":\"%s\","
			 "\"enabled\":true,\"operator\":{\"type\":\"simple\",\"operand\":"
			 "\"process.container\",\"data\":\"%s\"}}", i,
			 i == 77 ? "deny" : "allow", i == 150 ? CID : id);
		assert_int_equal(parse(json, &r, err, sizeof(err)), 0);
		assert_int_equal(ruleset_add(rs, r, &next), 0);
		rule_put(r);
		ruleset_put(rs);
		rs = next;
	}
	assert_int_equal(ruleset_match(rs, &c.ctx, test_clk.boot_ms, &hit), 1);
	assert_string_equal(rule_name(hit), "c150");
	snprintf(id, sizeof(id), "%064d", 77);
	c.proc.container_id = id;
	assert_int_equal(ruleset_match(rs, &c.ctx, test_clk.boot_ms, &hit), 1);
	assert_string_equal(rule_name(hit), "c077");
	assert_int_equal(rule_action(hit), RULE_DENY);
	ruleset_put(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_operands_and_ranges_match_as_table_says),
		cmocka_unit_test(test_unknown_identity_and_hashes_match_nothing),
		cmocka_unit_test(test_bad_ranges_and_pairs_are_rejected),
		cmocka_unit_test(test_range_round_trips_as_opensnitch_writes_it),
		cmocka_unit_test(test_non_boolean_flags_are_rejected_with_the_key),
		cmocka_unit_test(test_null_flags_read_as_defaults),
		cmocka_unit_test(test_load_dir_names_the_file_with_a_string_boolean),
		cmocka_unit_test(test_nolog_and_description_are_kept),
		cmocka_unit_test(test_md5_list_directory_matches_md5sum_lines),
		cmocka_unit_test(test_md5_list_counts_and_skips),
		cmocka_unit_test(test_ruleset_says_which_costly_facts_it_reads),
		cmocka_unit_test(test_indexed_container_rules_pick_the_right_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
