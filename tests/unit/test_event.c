/* test_event.c - schema v1 JSON lines: structure, escaping, nulls. */
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

#include "event.h"

static struct flow tcp4_flow(void)
{
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.proto = 6;
	inet_pton(AF_INET, "127.0.0.1", f.src);
	inet_pton(AF_INET, "10.1.2.3", f.dst);
	f.sport = 43210;
	f.dport = 8080;
	return f;
}

/* A connection line as the daemon writes it: emit_begin()'s stamp, then
 * event_put_conn(). */
static int conn_encode(const struct conn_event *ev, uint64_t seq,
		       const struct timespec *ts, char *buf, size_t len)
{
	struct jw w;

	jw_init(&w, buf, len);
	event_begin(&w, "connection", seq, ts);
	event_put_conn(&w, ev);
	jw_obj_end(&w);
	return jw_finish(&w);
}

static uint64_t enc_seq;
static struct timespec enc_ts;

static struct json_object *encode(const struct conn_event *ev, char *buf, size_t len)
{
	int n = conn_encode(ev, enc_seq, &enc_ts, buf, len);
	struct json_object *o;

	assert_true(n > 0);
	assert_int_equal(buf[n - 1], '\n');
	assert_null(memchr(buf, '\n', (size_t)n - 1));	/* one line */
	o = json_tokener_parse(buf);
	assert_non_null(o);
	return o;
}

static const char *jstr(struct json_object *o, const char *path)
{
	char tmp[128], *save = NULL, *tok;
	struct json_object *cur = o;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (tok = strtok_r(tmp, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(cur, tok, &cur))
			return "<missing>";
	return json_object_is_type(cur, json_type_null) ? "<null>" :
	       json_object_get_string(cur);
}

static void test_connection_without_process_has_null_process(void **state)
{
	struct flow f = tcp4_flow();
	struct conn_event ev = { .verdict = ACTION_ALLOW, .reason = REASON_DEFAULT,
				 .flow = &f, .verdict_us = 31 };
	char buf[4096];
	struct json_object *o;

	(void)state;
	enc_seq = 42;
	enc_ts.tv_sec = 1795375540;	/* 2026-11-23T... */
	enc_ts.tv_nsec = 123456000;
	o = encode(&ev, buf, sizeof(buf));
	assert_string_equal(jstr(o, "v"), "1");
	assert_string_equal(jstr(o, "seq"), "42");
	assert_string_equal(jstr(o, "type"), "connection");
	assert_string_equal(jstr(o, "process"), "<null>");
	assert_string_equal(jstr(o, "rule"), "<null>");
	assert_string_equal(jstr(o, "dst.host"), "<null>");
	assert_string_equal(jstr(o, "attribution.source"), "none");
	assert_string_equal(jstr(o, "attribution.confidence"), "none");
	assert_string_equal(jstr(o, "proto"), "tcp");
	assert_string_equal(jstr(o, "family"), "ipv4");
	assert_string_equal(jstr(o, "src.ip"), "127.0.0.1");
	assert_string_equal(jstr(o, "src.port"), "43210");
	assert_string_equal(jstr(o, "dst.ip"), "10.1.2.3");
	assert_string_equal(jstr(o, "dst.port"), "8080");
	assert_string_equal(jstr(o, "verdict_us"), "31");
	assert_non_null(strstr(buf, "\"ts\":\"2026-11-22T"));
	assert_non_null(strstr(buf, ".123456Z\""));
	json_object_put(o);
}

static void test_process_fields_and_cmdline_array(void **state)
{
	static char cmd[] = "curl\0http://x/\0";
	struct flow f = tcp4_flow();
	struct proc_info pi = { .pid = 1234, .ppid = 1, .uid = 1000, .gid = 100,
				.comm = "curl", .exe = "/usr/bin/curl",
				.cwd = "/root", .cmdline = cmd,
				.cmdline_len = sizeof(cmd) - 2 };
	struct conn_event ev = { .verdict = ACTION_DENY, .reason = REASON_RULE,
				 .rule = "000-x", .flow = &f, .proc = &pi,
				 .source = ATTRIB_SRC_INODE_CACHE, .confidence = ATTRIB_CONF_EXACT };
	struct json_object *o, *arr;
	char buf[4096];

	(void)state;
	o = encode(&ev, buf, sizeof(buf));
	assert_string_equal(jstr(o, "process.pid"), "1234");
	assert_string_equal(jstr(o, "process.exe"), "/usr/bin/curl");
	assert_string_equal(jstr(o, "process.comm"), "curl");
	assert_string_equal(jstr(o, "rule"), "000-x");
	assert_true(json_object_object_get_ex(json_object_object_get(o, "process"),
					      "cmdline", &arr));
	assert_int_equal(json_object_array_length(arr), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(arr, 1)),
			    "http://x/");
	json_object_put(o);
}

/* A conn event for a process whose cmdline is n copies of arg. */
static int encode_long_cmdline(const char *arg, size_t n, bool proc_cut,
			       char *buf, size_t len, char **cmd_out)
{
	static struct flow f;
	static struct proc_info pi;
	static struct conn_event ev;
	size_t alen = strlen(arg) + 1, i;
	char *cmd = malloc(alen * n);

	assert_non_null(cmd);
	for (i = 0; i < n; i++)
		memcpy(cmd + i * alen, arg, alen);
	f = tcp4_flow();
	memset(&pi, 0, sizeof(pi));
	pi.pid = 1;
	pi.exe = "/usr/bin/x";
	pi.cwd = "/";
	pi.cmdline = cmd;
	pi.cmdline_len = alen * n - 1;
	pi.cmdline_truncated = proc_cut;
	memset(&ev, 0, sizeof(ev));
	ev.verdict = ACTION_ALLOW;
	ev.reason = REASON_DEFAULT;
	ev.flow = &f;
	ev.proc = &pi;
	*cmd_out = cmd;
	return conn_encode(&ev, 1, &enc_ts, buf, len);
}

static bool truncated_flag(struct json_object *o)
{
	struct json_object *p, *t;

	return json_object_object_get_ex(o, "process", &p) &&
	       json_object_object_get_ex(p, "cmdline_truncated", &t) &&
	       json_object_get_boolean(t);
}

static void test_long_cmdline_is_cut_below_soft_max(void **state)
{
	static const char *const args[] = {
		"abcdefghijklmnopqrstuvwxyz0123456789",	/* plain */
		"\x01\x02\x03\x04",		/* 6 bytes each escaped */
		"\xff\xfe caf\xc3\xa9",		/* invalid and valid UTF-8 */
	};
	char *buf = malloc(EVENT_LINE_MAX), *cmd;
	size_t i;

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		struct json_object *o, *arr;
		int n = encode_long_cmdline(args[i], 2000, false, buf,
					    EVENT_LINE_MAX, &cmd);

		assert_true(n > 0 && n <= EVENT_SOFT_MAX);
		o = json_tokener_parse(buf);
		assert_non_null(o);
		assert_true(truncated_flag(o));
		assert_true(json_object_object_get_ex(
			json_object_object_get(o, "process"), "cmdline", &arr));
		assert_true(json_object_array_length(arr) > 0);
		/* Most of the room is used: cut, not emptied. */
		assert_true(n > EVENT_SOFT_MAX - EVENT_TAIL_RESERVE - 600);
		json_object_put(o);
		free(cmd);
	}
	free(buf);
}

static void test_one_huge_argument_is_cut_not_dropped(void **state)
{
	char big[9000], *cmd, buf[EVENT_LINE_MAX];
	struct json_object *o, *arr;
	const char *first;
	int n;

	(void)state;
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = encode_long_cmdline(big, 1, false, buf, sizeof(buf), &cmd);
	assert_true(n > 0 && n <= EVENT_SOFT_MAX);
	o = json_tokener_parse(buf);
	assert_non_null(o);
	assert_true(truncated_flag(o));
	json_object_object_get_ex(json_object_object_get(o, "process"), "cmdline", &arr);
	assert_int_equal(json_object_array_length(arr), 1);
	first = json_object_get_string(json_object_array_get_idx(arr, 0));
	assert_true(strlen(first) > 4000);
	json_object_put(o);
	free(cmd);
}

/* A local user controls its exe, cwd and (in a delegated subtree) cgroup
 * path: 4 KiB of control bytes each escape to 24 KiB.  The event must
 * still be written, below the soft cap, with each cut field flagged. */
static void test_hostile_paths_are_cut_and_flagged(void **state)
{
	static const char *const keys[] = { "exe", "cwd", "cgroup" };
	char *path = malloc(4097), *buf = malloc(EVENT_LINE_MAX), *cmd;
	struct json_object *o, *p, *v;
	struct flow f = tcp4_flow();
	struct proc_info pi = { .pid = 7 };
	struct conn_event ev = { .verdict = ACTION_ALLOW, .reason = REASON_DEFAULT };
	size_t i;
	int n;

	(void)state;
	assert_non_null(path);
	assert_non_null(buf);
	memset(path, '\x01', 4096);
	path[0] = '/';
	path[4096] = '\0';
	cmd = strdup("x");
	assert_non_null(cmd);
	pi.exe = pi.cwd = pi.cgroup = path;
	pi.cmdline = cmd;
	pi.cmdline_len = 1;
	ev.flow = &f;
	ev.proc = &pi;
	n = conn_encode(&ev, 1, &enc_ts, buf, EVENT_LINE_MAX);
	assert_true(n > 0 && n <= EVENT_SOFT_MAX);
	o = json_tokener_parse(buf);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "process", &p));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char flag[32];

		assert_true(json_object_object_get_ex(p, keys[i], &v));
		assert_true(json_object_get_string_len(v) > 100);
		assert_memory_equal(json_object_get_string(v), "/\x01", 2);
		snprintf(flag, sizeof(flag), "%s_truncated", keys[i]);
		assert_true(json_object_object_get_ex(p, flag, &v));
		assert_true(json_object_get_boolean(v));
	}
	assert_false(json_object_object_get_ex(p, "unit_truncated", &v));
	json_object_put(o);
	free(cmd);
	free(buf);
	free(path);
}

static void test_short_cmdline_has_no_truncated_flag_unless_proc_cut(void **state)
{
	char *cmd, buf[EVENT_LINE_MAX];
	struct json_object *o;

	(void)state;
	assert_true(encode_long_cmdline("ls", 3, false, buf, sizeof(buf), &cmd) > 0);
	o = json_tokener_parse(buf);
	assert_false(truncated_flag(o));
	json_object_put(o);
	free(cmd);
	/* /proc/PID/cmdline longer than PROC_CMDLINE_MAX was cut at read. */
	assert_true(encode_long_cmdline("ls", 3, true, buf, sizeof(buf), &cmd) > 0);
	o = json_tokener_parse(buf);
	assert_true(truncated_flag(o));
	json_object_put(o);
	free(cmd);
}

/* exe names and cmdlines can hold any byte: quotes, backslashes, control
 * characters and invalid UTF-8 must still give one valid JSON line. */
static void test_odd_strings_are_escaped(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *decoded;
	} cases[] = {
		{ "a\"b", 3, "a\"b" },
		{ "a\\b", 3, "a\\b" },
		{ "line\nbreak", 10, "line\nbreak" },
		{ "tab\there", 8, "tab\there" },
		{ "\x01\x1f\x7f", 3, "\x01\x1f\x7f" },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
		{ "bad\xff", 4, "bad\xef\xbf\xbd" },
		{ "trunc\xe2\x82", 7, "trunc\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[256], exe[32];
		struct jw w;
		struct json_object *o;
		int n;

		memcpy(exe, cases[i].in, cases[i].len);
		jw_init(&w, buf, sizeof(buf));
		jw_obj_begin(&w);
		jw_key(&w, "s");
		jw_strn(&w, exe, cases[i].len);
		jw_obj_end(&w);
		n = jw_finish(&w);
		assert_true(n > 0);
		o = json_tokener_parse(buf);
		assert_non_null(o);
		assert_string_equal(json_object_get_string(json_object_object_get(o, "s")),
				    cases[i].decoded);
		json_object_put(o);
	}
}

static void test_nul_inside_string_is_escaped(void **state)
{
	char buf[64];
	struct jw w;

	(void)state;
	jw_init(&w, buf, sizeof(buf));
	jw_strn(&w, "a\0b", 3);
	assert_true(jw_finish(&w) > 0);
	assert_string_equal(buf, "\"a\\u0000b\"\n");
}

static void test_small_buffer_is_enospc(void **state)
{
	struct flow f = tcp4_flow();
	struct conn_event ev = { .verdict = ACTION_ALLOW, .reason = REASON_DEFAULT, .flow = &f };
	char buf[64];

	(void)state;
	assert_int_equal(conn_encode(&ev, 1, &enc_ts, buf, sizeof(buf)), -ENOSPC);
}

static void test_ipv6_icmp_has_null_ports(void **state)
{
	struct flow f;
	struct conn_event ev = { .verdict = ACTION_ALLOW, .reason = REASON_DEFAULT, .flow = &f };
	struct json_object *o;
	char buf[2048];

	(void)state;
	memset(&f, 0, sizeof(f));
	f.family = AF_INET6;
	f.proto = 58;
	inet_pton(AF_INET6, "::1", f.src);
	inet_pton(AF_INET6, "fe80::1", f.dst);
	o = encode(&ev, buf, sizeof(buf));
	assert_string_equal(jstr(o, "family"), "ipv6");
	assert_string_equal(jstr(o, "proto"), "icmpv6");
	assert_string_equal(jstr(o, "dst.ip"), "fe80::1");
	assert_string_equal(jstr(o, "dst.port"), "<null>");
	json_object_put(o);
}

static void test_arrays_of_objects_are_comma_separated(void **state)
{
	char buf[128];
	struct jw w;

	(void)state;
	jw_init(&w, buf, sizeof(buf));
	jw_arr_begin(&w);
	jw_obj_begin(&w);
	jw_kint(&w, "a", 1);
	jw_obj_end(&w);
	jw_obj_begin(&w);
	jw_kint(&w, "a", -2);
	jw_obj_end(&w);
	jw_arr_end(&w);
	assert_true(jw_finish(&w) > 0);
	assert_string_equal(buf, "[{\"a\":1},{\"a\":-2}]\n");
}

static void test_event_begin_stamps_version_seq_type_time(void **state)
{
	struct timespec ts = { 0, 0 };
	struct json_object *o;
	char buf[512];
	struct jw w;

	(void)state;
	jw_init(&w, buf, sizeof(buf));
	event_begin(&w, "warning", 7, &ts);
	jw_kstr(&w, "file", "/etc/tattle/rules/x.json");
	jw_obj_end(&w);
	assert_true(jw_finish(&w) > 0);
	o = json_tokener_parse(buf);
	assert_non_null(o);
	assert_string_equal(jstr(o, "v"), "1");
	assert_string_equal(jstr(o, "seq"), "7");
	assert_string_equal(jstr(o, "type"), "warning");
	assert_string_equal(jstr(o, "file"), "/etc/tattle/rules/x.json");
	assert_string_equal(jstr(o, "ts"), "1970-01-01T00:00:00.000000Z");
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connection_without_process_has_null_process),
		cmocka_unit_test(test_process_fields_and_cmdline_array),
		cmocka_unit_test(test_long_cmdline_is_cut_below_soft_max),
		cmocka_unit_test(test_one_huge_argument_is_cut_not_dropped),
		cmocka_unit_test(test_hostile_paths_are_cut_and_flagged),
		cmocka_unit_test(test_short_cmdline_has_no_truncated_flag_unless_proc_cut),
		cmocka_unit_test(test_odd_strings_are_escaped),
		cmocka_unit_test(test_nul_inside_string_is_escaped),
		cmocka_unit_test(test_small_buffer_is_enospc),
		cmocka_unit_test(test_ipv6_icmp_has_null_ports),
		cmocka_unit_test(test_arrays_of_objects_are_comma_separated),
		cmocka_unit_test(test_event_begin_stamps_version_seq_type_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
