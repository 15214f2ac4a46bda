/* test_control.c - the daemon's socket commands, driven through
 * control_server_ops with requests decoded by the real codec, against a
 * minimal struct daemon (no queue, no audit, a temporary rules dir). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "daemon.h"
#include "event.h"
#include "prompt.h"
#include "rules.h"
#include "stats.h"

struct fixture {
	struct daemon d;
	char dir[64];
	char out[1 << 16];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	config_defaults(&fx->d.cfg);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/tattle-ctl-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->d.cfg.rules_dir, sizeof(fx->d.cfg.rules_dir), "%s", fx->dir);
	fx->d.rules = ruleset_new();
	fx->d.pending = pending_new(16);
	fx->d.prompts = prompts_new(16, 15000);
	fx->d.stats = stats_new(0);
	assert_non_null(fx->d.rules);
	assert_non_null(fx->d.stats);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	stats_free(fx->d.stats);
	prompts_free(fx->d.prompts);
	pending_free(fx->d.pending);
	ruleset_put(fx->d.rules);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* Run one request line; returns the handler's result and, on success,
 * the parsed "result" value (caller puts it). */
static int run(struct fixture *fx, const char *line, struct json_object **res,
	       char *code, size_t codelen)
{
	struct ctl_error err;
	struct ctl_req req;
	struct jw w;
	int r;

	*res = NULL;
	assert_int_equal(ctl_decode(line, strlen(line), &req, &err), 0);
	jw_init(&w, fx->out, sizeof(fx->out));
	memset(&err, 0, sizeof(err));
	r = control_server_ops.request(&fx->d, NULL, &req, &w, &err);
	if (r == 0) {
		assert_true(jw_finish(&w) > 0);
		*res = json_tokener_parse(fx->out);
		assert_non_null(*res);
	} else if (code) {
		snprintf(code, codelen, "%s", err.code);
	}
	ctl_req_free(&req);
	return r;
}

static const char *jstr_at(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void note(struct fixture *fx, const char *exe, const char *verdict)
{
	static char cmd[] = "prog\0";
	struct proc_info pi = { .pid = 42, .comm = "prog", .exe = (char *)exe,
				.cmdline = cmd, .cmdline_len = 4 };
	struct flow f = { .family = AF_INET, .proto = 6, .dport = 443 };
	struct conn_event ev = { .reason = REASON_DEFAULT,
				 .flow = &f, .proc = &pi, .source = ATTRIB_SRC_INODE_CACHE,
				 .confidence = ATTRIB_CONF_EXACT, .verdict_us = 10 };
	struct timespec ts = { 0 };
	char line[2048];
	struct jw w;
	int n;

	assert_int_equal(action_parse(verdict, strlen(verdict), &ev.verdict), 0);
	inet_pton(AF_INET, "10.0.0.1", f.dst);
	jw_init(&w, line, sizeof(line));
	event_begin(&w, "connection", 1, &ts);
	event_put_conn(&w, &ev);
	jw_obj_end(&w);
	n = jw_finish(&w);
	assert_true(n > 0);
	stats_note_connection(fx->d.stats, &ev, line, (size_t)n);
}

static void test_stats_count_verdicts_per_program(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res, *progs;

	note(fx, "/usr/bin/curl", "allow");
	note(fx, "/usr/bin/curl", "deny");
	note(fx, "/usr/bin/wget", "allow");
	assert_int_equal(run(fx, "{\"id\":1,\"cmd\":\"stats\"}", &res, NULL, 0), 0);
	assert_true(json_object_object_get_ex(res, "programs", &progs));
	assert_non_null(strstr(json_object_to_json_string_ext(progs, JSON_C_TO_STRING_NOSLASHESCAPE), "/usr/bin/curl"));
	assert_non_null(strstr(json_object_to_json_string_ext(progs, JSON_C_TO_STRING_NOSLASHESCAPE), "/usr/bin/wget"));
	assert_non_null(json_object_object_get(res, "queue"));
	assert_non_null(json_object_object_get(res, "audit"));
	json_object_put(res);
}

static void test_connections_list_is_recent_first_and_limited(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res, *arr = NULL;
	int i;

	for (i = 0; i < 5; i++)
		note(fx, i == 4 ? "/bin/last" : "/bin/older", "allow");
	assert_int_equal(run(fx, "{\"id\":2,\"cmd\":\"connections.list\","
			     "\"args\":{\"limit\":2}}", &res, NULL, 0), 0);
	if (json_object_is_type(res, json_type_array))
		arr = res;
	else
		json_object_object_get_ex(res, "connections", &arr);
	assert_non_null(arr);
	assert_int_equal(json_object_array_length(arr), 2);
	assert_non_null(strstr(json_object_to_json_string_ext(res, JSON_C_TO_STRING_NOSLASHESCAPE), "/bin/last"));
	json_object_put(res);
}

static void test_rules_add_always_writes_a_loadable_file(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res;
	struct ruleset *rs = NULL;
	struct rules_errors errs;
	struct rules_clock clk = rules_clock_now();
	char path[256];
	struct stat st;

	memset(&errs, 0, sizeof(errs));
	assert_int_equal(run(fx, "{\"id\":3,\"cmd\":\"rules.add\",\"args\":{\"rule\":"
			     "{\"name\":\"deny-telemetry\",\"enabled\":true,"
			     "\"action\":\"deny\",\"duration\":\"always\",\"operator\":"
			     "{\"type\":\"simple\",\"operand\":\"dest.host\","
			     "\"data\":\"telemetry.example.com\"}}}}", &res, NULL, 0), 0);
	assert_string_equal(jstr_at(res, "name"), "deny-telemetry");
	json_object_put(res);
	snprintf(path, sizeof(path), "%s/deny-telemetry.json", fx->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(ruleset_count(fx->d.rules), 1);
	/* The file is what OpenSnitch would read: it loads on its own. */
	assert_int_equal(ruleset_load_dir(fx->dir, &clk, &rs, &errs), 0);
	assert_int_equal(errs.total, 0);
	assert_int_equal(ruleset_count(rs), 1);
	ruleset_put(rs);
}

static void test_rules_disable_enable_delete(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res;
	char code[64];

	assert_int_equal(run(fx, "{\"id\":4,\"cmd\":\"rules.add\",\"args\":{\"rule\":"
			     "{\"name\":\"r1\",\"enabled\":true,\"action\":\"allow\","
			     "\"duration\":\"until restart\",\"operator\":"
			     "{\"type\":\"simple\",\"operand\":\"dest.port\",\"data\":\"53\"}}}}",
			     &res, NULL, 0), 0);
	json_object_put(res);
	assert_int_equal(run(fx, "{\"id\":5,\"cmd\":\"rules.disable\",\"args\":"
			     "{\"name\":\"r1\"}}", &res, NULL, 0), 0);
	json_object_put(res);
	assert_false(rule_enabled(ruleset_find(fx->d.rules, "r1")));
	assert_int_equal(run(fx, "{\"id\":6,\"cmd\":\"rules.enable\",\"args\":"
			     "{\"name\":\"r1\"}}", &res, NULL, 0), 0);
	json_object_put(res);
	assert_true(rule_enabled(ruleset_find(fx->d.rules, "r1")));
	assert_int_equal(run(fx, "{\"id\":7,\"cmd\":\"rules.delete\",\"args\":"
			     "{\"name\":\"r1\"}}", &res, NULL, 0), 0);
	json_object_put(res);
	assert_null(ruleset_find(fx->d.rules, "r1"));
	assert_true(run(fx, "{\"id\":8,\"cmd\":\"rules.delete\",\"args\":"
			"{\"name\":\"r1\"}}", &res, code, sizeof(code)) < 0);
	assert_string_equal(code, "not-found");
}

static void test_rules_add_bad_rule_is_bad_args(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res;
	char code[64];

	assert_true(run(fx, "{\"id\":9,\"cmd\":\"rules.add\",\"args\":{\"rule\":"
			"{\"name\":\"x\",\"action\":\"maybe\"}}}", &res, code,
			sizeof(code)) < 0);
	assert_string_equal(code, "bad-args");
	assert_int_equal(ruleset_count(fx->d.rules), 0);
}

static void test_config_get_reports_default_action(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res;

	fx->d.cfg.default_action = ACTION_DENY;
	assert_int_equal(run(fx, "{\"id\":10,\"cmd\":\"config.get\"}", &res, NULL, 0), 0);
	assert_non_null(strstr(json_object_to_json_string_ext(res, JSON_C_TO_STRING_NOSLASHESCAPE), "\"deny\""));
	json_object_put(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats_count_verdicts_per_program, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connections_list_is_recent_first_and_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_add_always_writes_a_loadable_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_disable_enable_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_add_bad_rule_is_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_get_reports_default_action, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
