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
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "daemon.h"
#include "event.h"
#include "prompt.h"
#include "rules.h"
#include "stats.h"
#include "worker.h"

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
	fx->d.pending = pending_new(16, 0);
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

	control_free(&fx->d);
	worker_free(fx->d.worker);
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

/* The named rule's "enabled", as rules.list shows it. */
static bool enabled_in(const struct ruleset *rs, const char *name)
{
	const struct rule *r = ruleset_find(rs, name);
	struct json_object *o, *v;
	bool on;

	assert_non_null(r);
	assert_non_null(o = rule_to_json(r));
	assert_true(json_object_object_get_ex(o, "enabled", &v));
	on = json_object_get_boolean(v);
	json_object_put(o);
	return on;
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
	assert_false(enabled_in(fx->d.rules, "r1"));
	assert_int_equal(run(fx, "{\"id\":6,\"cmd\":\"rules.enable\",\"args\":"
			     "{\"name\":\"r1\"}}", &res, NULL, 0), 0);
	json_object_put(res);
	assert_true(enabled_in(fx->d.rules, "r1"));
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

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* The rules directory as tattled would load it, into fx->d.rules. */
static void load_dir(struct fixture *fx, size_t want_errors)
{
	struct rules_errors errs;
	struct rules_clock clk = rules_clock_now();
	struct ruleset *rs = NULL;

	memset(&errs, 0, sizeof(errs));
	assert_int_equal(ruleset_load_dir(fx->dir, &clk, &rs, &errs), 0);
	assert_int_equal(errs.total, want_errors);
	ruleset_put(fx->d.rules);
	fx->d.rules = rs;
}

static bool file_enabled(const char *dir, const char *name)
{
	char path[256];
	struct json_object *o, *v;
	bool on;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(o = json_object_from_file(path));
	assert_true(json_object_object_get_ex(o, "enabled", &v));
	on = json_object_get_boolean(v);
	json_object_put(o);
	return on;
}

#define DENY_X "{\"name\":\"deny-x\",\"enabled\":true,\"action\":\"deny\"," \
	"\"duration\":\"always\",\"operator\":{\"type\":\"simple\"," \
	"\"operand\":\"dest.port\",\"data\":\"8080\"}}"

/* Issue 14 item 5: the rule lives in 010-file.json; disabling it must
 * rewrite that file, not create deny-x.json beside it (which the reload
 * then reported as a duplicate while restoring the old state). */
static void test_disable_rewrites_the_rules_own_file(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res;
	char path[256];
	struct stat st;

	put_file(fx->dir, "010-file.json", DENY_X);
	load_dir(fx, 0);
	assert_int_equal(run(fx, "{\"id\":1,\"cmd\":\"rules.disable\",\"args\":"
			     "{\"name\":\"deny-x\"}}", &res, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s/010-file.json", fx->dir);
	assert_string_equal(jstr_at(res, "file"), path);
	json_object_put(res);
	assert_false(file_enabled(fx->dir, "010-file.json"));
	snprintf(path, sizeof(path), "%s/deny-x.json", fx->dir);
	assert_int_equal(stat(path, &st), -1);
	/* What the watcher's reload reads: the same state, no duplicate. */
	load_dir(fx, 0);
	assert_false(enabled_in(fx->d.rules, "deny-x"));
	assert_int_equal(run(fx, "{\"id\":2,\"cmd\":\"rules.enable\",\"args\":"
			     "{\"name\":\"deny-x\"}}", &res, NULL, 0), 0);
	json_object_put(res);
	assert_true(file_enabled(fx->dir, "010-file.json"));
	load_dir(fx, 0);
	assert_true(enabled_in(fx->d.rules, "deny-x"));
}

/* An unwritable file: the error names it and nothing changes. */
static void test_disable_that_cannot_write_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res;
	char code[64], sub[128];

	snprintf(sub, sizeof(sub), "%s/sub", fx->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	put_file(sub, "x.json", DENY_X);
	/* A rule whose file is in a directory that then disappears. */
	{
		struct rules_clock clk = rules_clock_now();
		struct ruleset *rs = NULL;

		assert_int_equal(ruleset_load_dir(sub, &clk, &rs, NULL), 0);
		ruleset_put(fx->d.rules);
		fx->d.rules = rs;
	}
	{
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", sub);
		assert_int_equal(system(cmd), 0);
	}
	assert_true(run(fx, "{\"id\":3,\"cmd\":\"rules.disable\",\"args\":"
			"{\"name\":\"deny-x\"}}", &res, code, sizeof(code)) < 0);
	assert_string_equal(code, "internal");
	assert_true(enabled_in(fx->d.rules, "deny-x"));
}

/* rules.add of a name that a file holds: that file is rewritten. */
static void test_add_replacing_a_file_rule_writes_its_file(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res;
	char path[256], code[64];
	struct stat st;

	put_file(fx->dir, "010-file.json", DENY_X);
	put_file(fx->dir, "other.json", "{\"name\":\"keep-me\",\"enabled\":true,"
		 "\"action\":\"allow\",\"duration\":\"always\",\"operator\":"
		 "{\"type\":\"simple\",\"operand\":\"dest.port\",\"data\":\"1\"}}");
	load_dir(fx, 0);
	assert_int_equal(run(fx, "{\"id\":4,\"cmd\":\"rules.add\",\"args\":{\"rule\":"
			     "{\"name\":\"deny-x\",\"enabled\":false,\"action\":\"deny\","
			     "\"duration\":\"always\",\"operator\":{\"type\":\"simple\","
			     "\"operand\":\"dest.port\",\"data\":\"9090\"}}}}", &res, NULL, 0), 0);
	json_object_put(res);
	assert_false(file_enabled(fx->dir, "010-file.json"));
	snprintf(path, sizeof(path), "%s/deny-x.json", fx->dir);
	assert_int_equal(stat(path, &st), -1);
	load_dir(fx, 0);
	/* A rule named "other" would be written to other.json: that file
	 * holds keep-me, which must not be replaced. */
	assert_true(run(fx, "{\"id\":5,\"cmd\":\"rules.add\",\"args\":{\"rule\":"
			"{\"name\":\"other\",\"enabled\":true,\"action\":\"deny\","
			"\"duration\":\"always\",\"operator\":{\"type\":\"simple\","
			"\"operand\":\"dest.port\",\"data\":\"1\"}}}}", &res, code,
			sizeof(code)) < 0);
	assert_string_equal(code, "bad-args");
	load_dir(fx, 0);
	assert_non_null(ruleset_find(fx->d.rules, "keep-me"));
	assert_null(ruleset_find(fx->d.rules, "other"));
}

/* Issue 14 item 9: process.env rules only from files. */
static void test_env_rules_are_refused_over_the_socket(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res;
	char code[64];

	assert_true(run(fx, "{\"id\":6,\"cmd\":\"rules.add\",\"args\":{\"rule\":"
			"{\"name\":\"oracle\",\"enabled\":true,\"action\":\"allow\","
			"\"duration\":\"until restart\",\"operator\":{\"type\":\"list\","
			"\"operand\":\"list\",\"list\":[{\"type\":\"regexp\","
			"\"operand\":\"process.env.SECRET\",\"data\":\"^a\"},"
			"{\"type\":\"simple\",\"operand\":\"dest.port\",\"data\":\"1\"}]}}}}",
			&res, code, sizeof(code)) < 0);
	assert_string_equal(code, "bad-args");
	assert_int_equal(ruleset_count(fx->d.rules), 0);
	/* From a file it loads. */
	put_file(fx->dir, "env.json", "{\"name\":\"env\",\"enabled\":true,"
		 "\"action\":\"deny\",\"duration\":\"always\",\"operator\":"
		 "{\"type\":\"simple\",\"operand\":\"process.env.X\",\"data\":\"1\"}}");
	load_dir(fx, 0);
	assert_non_null(ruleset_find(fx->d.rules, "env"));
}

static uint32_t open_prompt(struct fixture *fx, const char *exe, uint32_t pkt)
{
	struct flow f = { .family = AF_INET, .proto = 6, .dport = 443 };
	uint32_t id;
	bool is_new;

	inet_pton(AF_INET, "10.0.0.1", f.dst);
	assert_int_equal(prompts_open_or_join(fx->d.prompts, exe, 0, &f, NULL, pkt,
					      0, &id, &is_new), 0);
	assert_true(is_new);
	return id;
}

static int answer(struct fixture *fx, uint32_t id, char *rule, char *code)
{
	struct json_object *res;
	char line[160];
	int r;

	snprintf(line, sizeof(line), "{\"id\":7,\"cmd\":\"prompt.answer\",\"args\":"
		 "{\"prompt_id\":%u,\"action\":\"allow\",\"duration\":\"always\","
		 "\"scope\":\"exe\"}}", id);
	r = run(fx, line, &res, code, 64);
	if (r == 0) {
		snprintf(rule, 256, "%s", jstr_at(res, "rule"));
		json_object_put(res);
	}
	return r;
}

/* Issue 14 item 11: lookalike executables get rules of their own. */
static void test_answers_for_lookalike_exes_make_two_rules(void **state)
{
	struct fixture *fx = *state;
	char a[256], b[256];

	assert_int_equal(answer(fx, open_prompt(fx, "/tmp/x y", 1), a, NULL), 0);
	assert_int_equal(answer(fx, open_prompt(fx, "/tmp/x-y", 2), b, NULL), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(ruleset_count(fx->d.rules), 2);
	load_dir(fx, 0);
	assert_int_equal(ruleset_count(fx->d.rules), 2);
	/* The same question again replaces its own rule. */
	assert_int_equal(answer(fx, open_prompt(fx, "/tmp/x y", 3), b, NULL), 0);
	assert_string_equal(a, b);
	assert_int_equal(ruleset_count(fx->d.rules), 2);
}

/* ... and an answer never replaces a rule it did not create. */
static void test_answer_never_replaces_another_rule(void **state)
{
	struct fixture *fx = *state;
	char name[PROMPT_RULE_NAME_MAX + 1], line[1024], code[64], rule[256];
	struct json_object *res;
	const struct rule *ru;

	assert_int_equal(prompt_rule_name("allow", "always", PROMPT_SCOPE_EXE,
					  "/usr/bin/curl", "", name, sizeof(name)), 0);
	snprintf(line, sizeof(line), "{\"id\":8,\"cmd\":\"rules.add\",\"args\":"
		 "{\"rule\":{\"name\":\"%s\",\"enabled\":true,\"action\":"
		 "\"deny\",\"duration\":\"always\",\"operator\":{\"type\":"
		 "\"simple\",\"operand\":\"dest.port\",\"data\":\"22\"}}}}", name);
	assert_int_equal(run(fx, line, &res, NULL, 0), 0);
	json_object_put(res);
	assert_true(answer(fx, open_prompt(fx, "/usr/bin/curl", 1), rule, code) < 0);
	assert_string_equal(code, "bad-args");
	ru = ruleset_find(fx->d.rules, name);
	assert_non_null(ru);
	assert_int_equal(rule_action(ru), RULE_DENY);
}

/* With a worker, as in tattled: the rule file is written there and the
 * edit finishes when the result comes back (control_file_done). */
static void worker_round(struct fixture *fx)
{
	struct pollfd p = { .fd = worker_fd(fx->d.worker), .events = POLLIN };

	assert_int_equal(poll(&p, 1, 5000), 1);
	verdict_on_worker(NULL, p.fd, POLLIN, &fx->d);
}

static void test_always_rule_waits_for_its_file(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res;
	char path[128];

	assert_non_null(fx->d.worker = worker_new(NULL));
	assert_int_equal(run(fx, "{\"id\":1,\"cmd\":\"rules.add\",\"args\":{\"rule\":"
			     "{\"name\":\"w1\",\"enabled\":true,\"action\":\"deny\","
			     "\"duration\":\"always\",\"operator\":{\"type\":\"simple\","
			     "\"operand\":\"dest.port\",\"data\":\"25\"}}}}",
			     &res, NULL, 0), SERVER_LATER);
	/* Not in force before its file is on disk. */
	assert_null(ruleset_find(fx->d.rules, "w1"));
	/* An edit meanwhile waits its turn, and then sees w1. */
	assert_int_equal(run(fx, "{\"id\":2,\"cmd\":\"rules.disable\",\"args\":"
			     "{\"name\":\"w1\"}}", &res, NULL, 0), SERVER_LATER);
	worker_round(fx);
	assert_true(enabled_in(fx->d.rules, "w1"));
	snprintf(path, sizeof(path), "%s/w1.json", fx->dir);
	assert_int_equal(access(path, F_OK), 0);
	worker_round(fx);		/* the disable's write */
	assert_false(enabled_in(fx->d.rules, "w1"));
	assert_false(file_enabled(fx->dir, "w1.json"));
	/* Idle again: an edit with no file runs at once. */
	assert_int_equal(run(fx, "{\"id\":3,\"cmd\":\"rules.add\",\"args\":{\"rule\":"
			     "{\"name\":\"w2\",\"enabled\":true,\"action\":\"allow\","
			     "\"duration\":\"until restart\",\"operator\":{\"type\":\"simple\","
			     "\"operand\":\"dest.port\",\"data\":\"53\"}}}}",
			     &res, NULL, 0), 0);
	json_object_put(res);
	assert_non_null(ruleset_find(fx->d.rules, "w2"));
}

static void test_failed_write_on_the_worker_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	struct json_object *res;
	char path[128];

	assert_non_null(fx->d.worker = worker_new(NULL));
	/* A directory where the file goes: the worker's rename fails. */
	snprintf(path, sizeof(path), "%s/w1.json", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(run(fx, "{\"id\":1,\"cmd\":\"rules.add\",\"args\":{\"rule\":"
			     "{\"name\":\"w1\",\"enabled\":true,\"action\":\"deny\","
			     "\"duration\":\"always\",\"operator\":{\"type\":\"simple\","
			     "\"operand\":\"dest.port\",\"data\":\"25\"}}}}",
			     &res, NULL, 0), SERVER_LATER);
	worker_round(fx);
	assert_null(ruleset_find(fx->d.rules, "w1"));
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
		cmocka_unit_test_setup_teardown(test_disable_rewrites_the_rules_own_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disable_that_cannot_write_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_replacing_a_file_rule_writes_its_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_rules_are_refused_over_the_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answers_for_lookalike_exes_make_two_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_never_replaces_another_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_always_rule_waits_for_its_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_on_the_worker_changes_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
