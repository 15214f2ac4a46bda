/* test_config.c - argv and config file parsing. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static int parse(struct config *c, enum config_cmd *cmd, char *err, int argc, ...)
{
	char *argv[16];
	va_list ap;
	int i;

	va_start(ap, argc);
	argv[0] = "tattled";
	for (i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	config_defaults(c);
	return config_parse(c, argc, argv, cmd, err, 256);
}

static void test_defaults(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.default_action, ACTION_ALLOW);
	assert_string_equal(c.socket_path, "/run/tattle/tattle.sock");
	assert_int_equal(c.audit_wait_ms, 50);
	assert_int_equal(c.grace_ms, 30000);
	assert_int_equal(c.prompt_timeout_ms, 15000);
	assert_int_equal(c.pidcache_max, 65536);
}

static void test_flags_are_applied(void **state)
{
	struct config c;
	enum config_cmd cmd;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, &cmd, err, 11, "--default-action", "reject",
			       "--queue", "42", "--no-firewall", "--fail-closed",
			       "--netns", "/run/netns/x", "--queue-maxlen", "16"), 0);
	assert_int_equal(cmd, CONFIG_RUN);
	assert_int_equal(c.default_action, ACTION_REJECT);
	assert_int_equal(c.queue, 42);
	assert_int_equal(c.queue_maxlen, 16);
	assert_true(c.no_firewall);
	assert_true(c.fail_closed);
	assert_string_equal(c.netns, "/run/netns/x");
}

/* unattributed_action follows the default action unless set. */
static void test_unattributed_action_defaults_to_default_action(void **state)
{
	struct config c;
	enum config_cmd cmd;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, &cmd, err, 3, "--default-action", "deny"), 0);
	assert_int_equal(c.unattributed_action, ACTION_DENY);
	assert_int_equal(parse(&c, &cmd, err, 5, "--default-action", "deny",
			       "--unattributed-action", "allow"), 0);
	assert_int_equal(c.default_action, ACTION_DENY);
	assert_int_equal(c.unattributed_action, ACTION_ALLOW);
	assert_int_equal(parse(&c, &cmd, err, 3, "--unattributed-action", "maybe"),
			 -EINVAL);
	assert_non_null(strstr(err, "unattributed-action"));
}

static void test_bad_values_are_einval_with_reason(void **state)
{
	static const char *const bad[][2] = {
		{ "--default-action", "maybe" },
		{ "--queue", "65536" },
		{ "--queue", "-1" },
		{ "--queue", "12x" },
		{ "--queue-maxlen", "2000000" },
		{ "--bogus", "1" },
	};
	struct config c;
	enum config_cmd cmd;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(&c, &cmd, err, 3, bad[i][0], bad[i][1]), -EINVAL);
		assert_true(strlen(err) > 0);
	}
}

static void test_stray_argument_is_einval(void **state)
{
	struct config c;
	enum config_cmd cmd;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, &cmd, err, 2, "extra"), -EINVAL);
	assert_non_null(strstr(err, "extra"));
}

static void test_help_version_check_rules(void **state)
{
	struct config c;
	enum config_cmd cmd;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, &cmd, err, 2, "--help"), 0);
	assert_int_equal(cmd, CONFIG_HELP);
	assert_int_equal(parse(&c, &cmd, err, 2, "--version"), 0);
	assert_int_equal(cmd, CONFIG_VERSION);
	assert_int_equal(parse(&c, &cmd, err, 3, "--check-rules", "/tmp/r"), 0);
	assert_int_equal(cmd, CONFIG_CHECK_RULES);
	assert_string_equal(c.check_rules, "/tmp/r");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_config_file_then_flags_override(void **state)
{
	char path[] = "/tmp/tattle-cfg-XXXXXX";
	struct config c;
	enum config_cmd cmd;
	char err[256];
	int fd = mkstemp(path);

	(void)state;
	close(fd);
	write_file(path, "{\"default_action\":\"deny\",\"queue\":5,"
			 "\"fail-closed\":true,\"grace_ms\":1000}");
	assert_int_equal(parse(&c, &cmd, err, 5, "--config", path, "--queue", "6"), 0);
	assert_int_equal(c.default_action, ACTION_DENY);
	assert_int_equal(c.queue, 6);
	assert_true(c.fail_closed);
	assert_int_equal(c.grace_ms, 1000);
	unlink(path);
}

static void test_log_events_repeat_and_syslog_paths(void **state)
{
	struct config c;
	enum config_cmd cmd;
	const char *path;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, &cmd, err, 7, "--log-events", "/tmp/ev.jsonl",
			       "--log-events", "syslog", "--log-events",
			       "syslog:/run/rs.sock"), 0);
	assert_int_equal(c.n_log_sinks, 3);
	assert_string_equal(c.log_sinks[0], "/tmp/ev.jsonl");
	assert_int_equal(config_sink_syslog(c.log_sinks[0], &path), 0);
	assert_int_equal(config_sink_syslog(c.log_sinks[1], &path), 1);
	assert_string_equal(path, "/dev/log");
	assert_int_equal(config_sink_syslog(c.log_sinks[2], &path), 1);
	assert_string_equal(path, "/run/rs.sock");
	/* A file named like the keyword is still a file. */
	assert_int_equal(config_sink_syslog("syslogs.jsonl", &path), 0);
}

static void test_log_events_bad_values(void **state)
{
	char longp[200], spec[220];
	struct config c;
	enum config_cmd cmd;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, &cmd, err, 3, "--log-events", "syslog:"), -EINVAL);
	memset(longp, 'x', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	snprintf(spec, sizeof(spec), "syslog:/%s", longp);
	assert_int_equal(parse(&c, &cmd, err, 3, "--log-events", spec), -EINVAL);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(parse(&c, &cmd, err, 11, "--log-events", "a",
			       "--log-events", "b", "--log-events", "c",
			       "--log-events", "d", "--log-events", "e"), -EINVAL);
	assert_int_equal(parse(&c, &cmd, err, 3, "--host", ""), -EINVAL);
}

static void test_config_file_sink_array_and_host(void **state)
{
	char path[] = "/tmp/tattle-cfg-XXXXXX";
	struct config c;
	enum config_cmd cmd;
	char err[256];
	int fd = mkstemp(path);

	(void)state;
	close(fd);
	write_file(path, "{\"log_events\":[\"syslog\",\"/var/log/t.jsonl\"],"
			 "\"host\":\"web-3\"}");
	assert_int_equal(parse(&c, &cmd, err, 3, "--config", path), 0);
	assert_int_equal(c.n_log_sinks, 2);
	assert_string_equal(c.log_sinks[0], "syslog");
	assert_string_equal(c.log_sinks[1], "/var/log/t.jsonl");
	assert_string_equal(c.host, "web-3");
	/* Flags replace the file's sinks rather than add to them. */
	assert_int_equal(parse(&c, &cmd, err, 5, "--config", path,
			       "--log-events", "-"), 0);
	assert_int_equal(c.n_log_sinks, 1);
	assert_string_equal(c.log_sinks[0], "-");
	/* A plain string still works; a non-string element does not. */
	write_file(path, "{\"log_events\":\"syslog:/x.sock\"}");
	assert_int_equal(parse(&c, &cmd, err, 3, "--config", path), 0);
	assert_int_equal(c.n_log_sinks, 1);
	write_file(path, "{\"log_events\":[\"syslog\",3]}");
	assert_int_equal(parse(&c, &cmd, err, 3, "--config", path), -EINVAL);
	assert_non_null(strstr(err, path));
	unlink(path);
}

static void test_forward_and_hash_executables_by_flag_and_file(void **state)
{
	char path[] = "/tmp/tattle-cfg-XXXXXX";
	struct config c;
	enum config_cmd cmd;
	char err[256];
	int fd = mkstemp(path);

	(void)state;
	close(fd);
	assert_int_equal(parse(&c, &cmd, err, 1), 0);
	assert_false(c.forward);
	assert_false(c.hash_executables);
	assert_int_equal(parse(&c, &cmd, err, 3, "--forward", "--hash-executables"), 0);
	assert_true(c.forward);
	assert_true(c.hash_executables);
	write_file(path, "{\"forward\":true,\"hash_executables\":true}");
	assert_int_equal(parse(&c, &cmd, err, 3, "--config", path), 0);
	assert_true(c.forward);
	assert_true(c.hash_executables);
	write_file(path, "{\"hash_executables\":\"yes\"}");
	assert_int_equal(parse(&c, &cmd, err, 3, "--config", path), -EINVAL);
	unlink(path);
}

static void test_bad_config_file_names_file(void **state)
{
	char path[] = "/tmp/tattle-cfg-XXXXXX";
	struct config c;
	char err[256];
	int fd = mkstemp(path);

	(void)state;
	close(fd);
	write_file(path, "{\"queue\":\"lots\"}");
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, path));
	write_file(path, "{not json");
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, path));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flags_are_applied),
		cmocka_unit_test(test_unattributed_action_defaults_to_default_action),
		cmocka_unit_test(test_bad_values_are_einval_with_reason),
		cmocka_unit_test(test_stray_argument_is_einval),
		cmocka_unit_test(test_help_version_check_rules),
		cmocka_unit_test(test_config_file_then_flags_override),
		cmocka_unit_test(test_forward_and_hash_executables_by_flag_and_file),
		cmocka_unit_test(test_bad_config_file_names_file),
		cmocka_unit_test(test_log_events_repeat_and_syslog_paths),
		cmocka_unit_test(test_log_events_bad_values),
		cmocka_unit_test(test_config_file_sink_array_and_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
