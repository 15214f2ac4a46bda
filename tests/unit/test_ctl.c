/* test_ctl.c - request decoding, argument decoders and reply encoders,
 * with a case per malformed-input path. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "ctl.h"

static int decode(const char *s, struct ctl_req *req, struct ctl_error *err)
{
	return ctl_decode(s, strlen(s), req, err);
}

static void test_decode_full_request(void **state)
{
	struct ctl_req req;
	struct ctl_error err;

	(void)state;
	assert_int_equal(decode("{\"id\":12,\"cmd\":\"rules.list\",\"args\":{\"limit\":3}}",
				&req, &err), 0);
	assert_true(req.has_id);
	assert_int_equal(req.id, 12);
	assert_int_equal(req.cmd, CTL_RULES_LIST);
	assert_non_null(req.args);
	ctl_req_free(&req);
}

static void test_decode_without_id_or_args(void **state)
{
	struct ctl_req req;
	struct ctl_error err;

	(void)state;
	assert_int_equal(decode(" {\"cmd\":\"stats\"} \r", &req, &err), 0);
	assert_false(req.has_id);
	assert_null(req.args);
	assert_int_equal(req.cmd, CTL_STATS);
	ctl_req_free(&req);
}

static void test_every_command_name_round_trips(void **state)
{
	/* PROTOCOL.md's command names, one per command */
	static const char *const names[] = {
		"subscribe", "unsubscribe", "stats", "connections.list",
		"rules.list", "rules.add", "rules.delete", "rules.enable",
		"rules.disable", "prompt.register", "prompt.answer",
		"config.get",
	};
	bool seen[CTL_CMD_COUNT] = { false };
	size_t i;

	(void)state;
	assert_int_equal(sizeof(names) / sizeof(names[0]), CTL_CMD_COUNT - 1);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum ctl_cmd c = ctl_cmd_lookup(names[i], strlen(names[i]));

		assert_true(c > CTL_UNKNOWN && c < CTL_CMD_COUNT);
		assert_false(seen[c]);
		seen[c] = true;
	}
	assert_int_equal(ctl_cmd_lookup("stats2", 6), CTL_UNKNOWN);
	assert_int_equal(ctl_cmd_lookup("stat", 4), CTL_UNKNOWN);
}

/* Table: every way a line can fail to be a request. */
static void test_malformed_lines(void **state)
{
	static const struct {
		const char *line;
		int r;
		const char *code;
		bool has_id;
	} cases[] = {
		{ "", -EBADMSG, CTL_E_BAD_JSON, false },
		{ "garbage", -EBADMSG, CTL_E_BAD_JSON, false },
		{ "{\"id\":1,\"cmd\":", -EBADMSG, CTL_E_BAD_JSON, false },
		{ "{\"id\":1} trailing", -EBADMSG, CTL_E_BAD_JSON, false },
		{ "{}{}", -EBADMSG, CTL_E_BAD_JSON, false },
		{ "[1,2]", -EBADMSG, CTL_E_BAD_REQUEST, false },
		{ "\"stats\"", -EBADMSG, CTL_E_BAD_REQUEST, false },
		{ "null", -EBADMSG, CTL_E_BAD_REQUEST, false },
		{ "{\"id\":\"x\",\"cmd\":\"stats\"}", -EBADMSG, CTL_E_BAD_REQUEST, false },
		{ "{\"id\":1.5,\"cmd\":\"stats\"}", -EBADMSG, CTL_E_BAD_REQUEST, false },
		{ "{\"id\":4}", -EBADMSG, CTL_E_BAD_REQUEST, true },
		{ "{\"id\":4,\"cmd\":7}", -EBADMSG, CTL_E_BAD_REQUEST, true },
		{ "{\"id\":4,\"cmd\":\"stats\",\"args\":[]}", -EBADMSG, CTL_E_BAD_REQUEST, true },
		{ "{\"id\":4,\"cmd\":\"stats\",\"args\":\"x\"}", -EBADMSG, CTL_E_BAD_REQUEST, true },
		{ "{\"id\":5,\"cmd\":\"nope\"}", -ENOENT, CTL_E_UNKNOWN_CMD, true },
		{ "{\"id\":5,\"cmd\":\"\"}", -ENOENT, CTL_E_UNKNOWN_CMD, true },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		  -EBADMSG, CTL_E_BAD_JSON, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_req req;
		struct ctl_error err;
		int r = decode(cases[i].line, &req, &err);

		if (r != cases[i].r || strcmp(err.code, cases[i].code) ||
		    req.has_id != cases[i].has_id)
			fail_msg("case %zu '%s': r=%d code=%s", i, cases[i].line, r,
				 err.code ? err.code : "(null)");
		assert_true(err.message[0] != '\0');
		ctl_req_free(&req);
	}
}

static void test_nul_byte_inside_line_is_bad_json(void **state)
{
	const char line[] = "{\"cmd\":\"stats\"}\0{}";
	struct ctl_req req;
	struct ctl_error err;

	(void)state;
	assert_int_equal(ctl_decode(line, sizeof(line) - 1, &req, &err), -EBADMSG);
	assert_string_equal(err.code, CTL_E_BAD_JSON);
}

static void test_decode_respects_explicit_length(void **state)
{
	const char line[] = "{\"cmd\":\"stats\"}GARBAGE";
	struct ctl_req req;
	struct ctl_error err;

	(void)state;
	assert_int_equal(ctl_decode(line, 15, &req, &err), 0);
	assert_int_equal(req.cmd, CTL_STATS);
	ctl_req_free(&req);
}

static void test_over_long_line_is_emsgsize(void **state)
{
	size_t n = CTL_LINE_MAX + 1;
	char *line = malloc(n);
	struct ctl_req req;
	struct ctl_error err;

	(void)state;
	assert_non_null(line);
	memset(line, ' ', n);
	assert_int_equal(ctl_decode(line, n, &req, &err), -EMSGSIZE);
	assert_string_equal(err.code, CTL_E_TOO_LONG);
	free(line);
}

static struct json_object *args(const char *s)
{
	struct json_object *o = json_tokener_parse(s);

	assert_non_null(o);
	return o;
}

static void test_filter_parses_types_verdicts_exe(void **state)
{
	struct json_object *a = args("{\"types\":[\"connection\",\"warning\"],"
				     "\"verdicts\":[\"deny\",\"reject\"],\"exe\":\"/bin/x\"}");
	struct ctl_filter f;
	struct ctl_error err;

	(void)state;
	assert_int_equal(ctl_parse_filter(a, &f, &err), 0);
	assert_int_equal(f.types, CTL_EV_CONNECTION | CTL_EV_WARNING);
	assert_int_equal(f.verdicts, CTL_VERDICT_DENY | CTL_VERDICT_REJECT);
	assert_string_equal(f.exe, "/bin/x");
	json_object_put(a);
}

static void test_filter_rejects_bad_members(void **state)
{
	static const char *const bad[] = {
		"{\"types\":\"connection\"}",
		"{\"types\":[\"connection\",\"bogus\"]}",
		"{\"types\":[1]}",
		"{\"verdicts\":[\"maybe\"]}",
		"{\"exe\":5}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *a = args(bad[i]);
		struct ctl_filter f;
		struct ctl_error err;

		assert_int_equal(ctl_parse_filter(a, &f, &err), -EINVAL);
		assert_string_equal(err.code, CTL_E_BAD_ARGS);
		json_object_put(a);
	}
}

static void test_filter_match_semantics(void **state)
{
	struct ctl_filter f = { .types = CTL_EV_CONNECTION | CTL_EV_STATS,
				.verdicts = CTL_VERDICT_DENY };
	struct event_meta deny = { "connection", CTL_VERDICT_DENY, "/bin/a" };
	struct event_meta allow = { "connection", CTL_VERDICT_ALLOW, "/bin/a" };
	struct event_meta stats = { "stats", 0, NULL };
	struct event_meta warn = { "warning", 0, NULL };
	struct ctl_filter all;

	(void)state;
	memset(&all, 0, sizeof(all));
	assert_true(ctl_filter_match(&f, &deny));
	assert_false(ctl_filter_match(&f, &allow));
	assert_true(ctl_filter_match(&f, &stats));	/* verdicts: connections only */
	assert_false(ctl_filter_match(&f, &warn));
	strcpy(f.exe, "/bin/b");
	assert_false(ctl_filter_match(&f, &deny));
	assert_true(ctl_filter_match(&all, &warn));
}

static void test_answer_defaults_once_and_exe(void **state)
{
	struct json_object *a = args("{\"prompt_id\":3,\"action\":\"allow\"}");
	struct ctl_answer ans;
	struct ctl_error err;

	(void)state;
	assert_int_equal(ctl_parse_answer(a, &ans, &err), 0);
	assert_int_equal(ans.prompt_id, 3);
	assert_string_equal(action_name(ans.action), "allow");
	assert_string_equal(ans.duration, "once");
	assert_int_equal(ans.scope, PROMPT_SCOPE_EXE);
	json_object_put(a);
}

static void test_answer_accepts_durations_and_scopes(void **state)
{
	static const struct {
		const char *dur, *scope;
		enum prompt_scope sc;
	} ok[] = {
		{ "always", "exe+host", PROMPT_SCOPE_EXE_HOST },
		{ "until restart", "exe+ip+port", PROMPT_SCOPE_EXE_IP_PORT },
		{ "30s", "exe", PROMPT_SCOPE_EXE },
		{ "1h30m", "exe", PROMPT_SCOPE_EXE },
		{ "1.5h", "exe", PROMPT_SCOPE_EXE },
		{ "500ms", "exe", PROMPT_SCOPE_EXE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char buf[128];
		struct json_object *a;
		struct ctl_answer ans;
		struct ctl_error err;

		snprintf(buf, sizeof(buf), "{\"prompt_id\":1,\"action\":\"deny\","
			 "\"duration\":\"%s\",\"scope\":\"%s\"}", ok[i].dur, ok[i].scope);
		a = args(buf);
		assert_int_equal(ctl_parse_answer(a, &ans, &err), 0);
		assert_string_equal(ans.duration, ok[i].dur);
		assert_int_equal(ans.scope, ok[i].sc);
		json_object_put(a);
	}
}

static void test_answer_rejects_bad_members(void **state)
{
	static const char *const bad[] = {
		"{\"action\":\"allow\"}",
		"{\"prompt_id\":0,\"action\":\"allow\"}",
		"{\"prompt_id\":-1,\"action\":\"allow\"}",
		"{\"prompt_id\":4294967296,\"action\":\"allow\"}",
		"{\"prompt_id\":\"1\",\"action\":\"allow\"}",
		"{\"prompt_id\":1}",
		"{\"prompt_id\":1,\"action\":\"maybe\"}",
		"{\"prompt_id\":1,\"action\":\"allowx\"}",
		"{\"prompt_id\":1,\"action\":\"allow\",\"duration\":\"forever\"}",
		"{\"prompt_id\":1,\"action\":\"allow\",\"duration\":\"5\"}",
		"{\"prompt_id\":1,\"action\":\"allow\",\"duration\":\"h\"}",
		"{\"prompt_id\":1,\"action\":\"allow\",\"duration\":\"5d\"}",
		"{\"prompt_id\":1,\"action\":\"allow\",\"duration\":\"1111111111111111111111111111111111h\"}",
		"{\"prompt_id\":1,\"action\":\"allow\",\"scope\":\"host\"}",
		"{\"prompt_id\":1,\"action\":\"allow\",\"scope\":3}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *a = args(bad[i]);
		struct ctl_answer ans;
		struct ctl_error err;

		if (ctl_parse_answer(a, &ans, &err) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_string_equal(err.code, CTL_E_BAD_ARGS);
		json_object_put(a);
	}
}

static void test_name_rules(void **state)
{
	static const char *const bad[] = {
		"{}", "{\"name\":\"\"}", "{\"name\":\"../x\"}", "{\"name\":\".hidden\"}",
		"{\"name\":\"a/b\"}", "{\"name\":1}",
	};
	struct json_object *a = args("{\"name\":\"allow-curl\"}");
	struct ctl_error err;
	char name[CTL_NAME_MAX + 1];
	size_t i;

	(void)state;
	assert_int_equal(ctl_parse_name(a, name, sizeof(name), &err), 0);
	assert_string_equal(name, "allow-curl");
	json_object_put(a);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a = args(bad[i]);
		assert_int_equal(ctl_parse_name(a, name, sizeof(name), &err), -EINVAL);
		json_object_put(a);
	}
}

static void test_name_too_long(void **state)
{
	char buf[400], name[CTL_NAME_MAX + 1];
	struct json_object *a;
	struct ctl_error err;

	(void)state;
	snprintf(buf, sizeof(buf), "{\"name\":\"%0256d\"}", 0);
	a = args(buf);
	assert_int_equal(ctl_parse_name(a, name, sizeof(name), &err), -EINVAL);
	json_object_put(a);
}

static void test_uint_bounds_and_default(void **state)
{
	struct json_object *a = args("{\"limit\":10,\"neg\":-1,\"big\":5000,\"s\":\"1\"}");
	struct ctl_error err;
	uint64_t v;

	(void)state;
	assert_int_equal(ctl_parse_uint(a, "limit", 1024, 5, &v, &err), 0);
	assert_int_equal(v, 10);
	assert_int_equal(ctl_parse_uint(a, "absent", 1024, 5, &v, &err), 0);
	assert_int_equal(v, 5);
	assert_int_equal(ctl_parse_uint(a, "neg", 1024, 5, &v, &err), -EINVAL);
	assert_int_equal(ctl_parse_uint(a, "big", 1024, 5, &v, &err), -EINVAL);
	assert_int_equal(ctl_parse_uint(a, "s", 1024, 5, &v, &err), -EINVAL);
	assert_int_equal(ctl_parse_uint(NULL, "limit", 1024, 5, &v, &err), 0);
	json_object_put(a);
}

static void test_rule_obj_must_be_object(void **state)
{
	struct json_object *a = args("{\"rule\":{\"name\":\"x\"}}");
	struct json_object *b = args("{\"rule\":\"x\"}");
	struct json_object *r;
	struct ctl_error err;

	(void)state;
	assert_int_equal(ctl_parse_rule_obj(a, &r, &err), 0);
	assert_non_null(r);
	assert_int_equal(ctl_parse_rule_obj(b, &r, &err), -EINVAL);
	assert_null(r);
	assert_int_equal(ctl_parse_rule_obj(NULL, &r, &err), -EINVAL);
	json_object_put(a);
	json_object_put(b);
}

static void test_reply_encoding(void **state)
{
	struct ctl_req req = { .has_id = true, .id = 9, .cmd = CTL_STATS };
	char buf[256];
	struct jw w;
	int n;

	(void)state;
	jw_init(&w, buf, sizeof(buf));
	ctl_reply_begin(&w, &req);
	jw_obj_begin(&w);
	jw_kint(&w, "x", 1);
	jw_obj_end(&w);
	n = ctl_reply_end(&w);
	assert_string_equal(buf, "{\"id\":9,\"ok\":true,\"result\":{\"x\":1}}\n");
	assert_int_equal(n, (int)strlen(buf));
}

static void test_error_encoding_escapes_message_and_null_id(void **state)
{
	struct ctl_error err;
	char buf[256];

	(void)state;
	ctl_seterr(&err, CTL_E_BAD_ARGS, "bad \"%s\"\n", "x");
	assert_true(ctl_error_encode(NULL, &err, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "{\"id\":null,\"ok\":false,\"error\":{\"code\":\"bad-args\","
			    "\"message\":\"bad \\\"x\\\"\\n\"}}\n");
}

static void test_encoders_report_enospc(void **state)
{
	struct ctl_error err;
	char buf[8];

	(void)state;
	ctl_seterr(&err, CTL_E_BAD_ARGS, "x");
	assert_int_equal(ctl_error_encode(NULL, &err, buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(ctl_dropped_encode(12345, buf, sizeof(buf)), -ENOSPC);
}

static void test_dropped_and_request_encoding(void **state)
{
	char buf[128];

	(void)state;
	assert_true(ctl_dropped_encode(17, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "{\"v\":1,\"type\":\"dropped\",\"count\":17}\n");
	assert_true(ctl_request_encode(3, "rules.delete", "{\"name\":\"a\"}",
				       buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "{\"id\":3,\"cmd\":\"rules.delete\",\"args\":{\"name\":\"a\"}}\n");
}

static void test_request_encoding_decodes_back(void **state)
{
	struct ctl_req req;
	struct ctl_error err;
	char buf[128];
	int n;

	(void)state;
	n = ctl_request_encode(77, "connections.list", "{\"limit\":2}", buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(ctl_decode(buf, (size_t)n - 1, &req, &err), 0);
	assert_int_equal(req.id, 77);
	assert_int_equal(req.cmd, CTL_CONNECTIONS_LIST);
	ctl_req_free(&req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_full_request),
		cmocka_unit_test(test_decode_without_id_or_args),
		cmocka_unit_test(test_every_command_name_round_trips),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_nul_byte_inside_line_is_bad_json),
		cmocka_unit_test(test_decode_respects_explicit_length),
		cmocka_unit_test(test_over_long_line_is_emsgsize),
		cmocka_unit_test(test_filter_parses_types_verdicts_exe),
		cmocka_unit_test(test_filter_rejects_bad_members),
		cmocka_unit_test(test_filter_match_semantics),
		cmocka_unit_test(test_answer_defaults_once_and_exe),
		cmocka_unit_test(test_answer_accepts_durations_and_scopes),
		cmocka_unit_test(test_answer_rejects_bad_members),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_uint_bounds_and_default),
		cmocka_unit_test(test_rule_obj_must_be_object),
		cmocka_unit_test(test_reply_encoding),
		cmocka_unit_test(test_error_encoding_escapes_message_and_null_id),
		cmocka_unit_test(test_encoders_report_enospc),
		cmocka_unit_test(test_dropped_and_request_encoding),
		cmocka_unit_test(test_request_encoding_decodes_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
