/* test_rfc5424.c - RFC 5424 framing: PRI, header fields, escaping, limits. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "rfc5424.h"

/* 2026-11-21T19:25:40.123456Z */
static const struct timespec t0 = { .tv_sec = 1795289140, .tv_nsec = 123456789 };

static struct rfc5424_hdr hdr(void)
{
	struct rfc5424_hdr h = {
		.facility = RFC5424_FAC_DAEMON, .severity = RFC5424_SEV_INFO,
		.ts = &t0, .hostname = "web-3", .app_name = "tattled",
		.procid = 1234, .msgid = "connection",
	};
	return h;
}

static void test_full_message_layout(void **state)
{
	const char *msg = "{\"v\":1,\"seq\":1}\n";
	const char *want = "<30>1 2026-11-21T19:25:40.123456Z web-3 tattled 1234 "
			   "connection - {\"v\":1,\"seq\":1}";
	struct rfc5424_hdr h = hdr();
	char buf[512];
	int n;

	(void)state;
	n = rfc5424_format(&h, msg, strlen(msg), buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

static void test_pri_is_facility_times_8_plus_severity(void **state)
{
	static const struct { unsigned fac, sev; const char *pri; } cases[] = {
		{ 0, 0, "<0>1 " }, { 3, 4, "<28>1 " }, { 3, 5, "<29>1 " },
		{ 23, 7, "<191>1 " }, { 10, 6, "<86>1 " },
	};
	char buf[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rfc5424_hdr h = hdr();

		h.facility = cases[i].fac;
		h.severity = cases[i].sev;
		assert_true(rfc5424_format(&h, "x", 1, buf, sizeof(buf)) > 0);
		assert_memory_equal(buf, cases[i].pri, strlen(cases[i].pri));
	}
}

static void test_out_of_range_pri_is_einval(void **state)
{
	struct rfc5424_hdr h = hdr();
	char buf[512];

	(void)state;
	h.facility = 24;
	assert_int_equal(rfc5424_format(&h, "x", 1, buf, sizeof(buf)), -EINVAL);
	h = hdr();
	h.severity = 8;
	assert_int_equal(rfc5424_format(&h, "x", 1, buf, sizeof(buf)), -EINVAL);
}

static void test_missing_fields_are_nilvalue(void **state)
{
	struct rfc5424_hdr h = { .facility = 3, .severity = 6, .hostname = "" };
	const char *want = "<30>1 - - - - - - {}";
	char buf[64];
	int n;

	(void)state;
	n = rfc5424_format(&h, "{}", 2, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

static void test_header_fields_keep_only_printusascii(void **state)
{
	struct rfc5424_hdr h = hdr();
	const char *want = "<30>1 2026-11-21T19:25:40.123456Z my_host__ tat_d 1234 "
			   "a_b - m";
	char buf[512];
	int n;

	(void)state;
	h.hostname = "my host\xc3\xa9";	/* space and UTF-8 bytes */
	h.app_name = "tat\td";
	h.msgid = "a\x7f" "b";
	n = rfc5424_format(&h, "m", 1, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

static void test_header_fields_cut_at_rfc_limits(void **state)
{
	struct rfc5424_hdr h = hdr();
	char host[400], app[100], msgid[100], buf[2048];
	const char *p;
	int n;

	(void)state;
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	memset(app, 'a', sizeof(app) - 1);
	app[sizeof(app) - 1] = '\0';
	memset(msgid, 'm', sizeof(msgid) - 1);
	msgid[sizeof(msgid) - 1] = '\0';
	h.hostname = host;
	h.app_name = app;
	h.msgid = msgid;
	n = rfc5424_format(&h, "x", 1, buf, sizeof(buf));
	assert_true(n > 0 && n <= RFC5424_HEADER_MAX + 2);
	p = buf + strlen("<30>1 2026-11-21T19:25:40.123456Z ");
	assert_int_equal(strspn(p, "h"), RFC5424_HOSTNAME_MAX);
	p += RFC5424_HOSTNAME_MAX + 1;
	assert_int_equal(strspn(p, "a"), RFC5424_APPNAME_MAX);
	p += RFC5424_APPNAME_MAX + 1 + strlen("1234 ");
	assert_int_equal(strspn(p, "m"), RFC5424_MSGID_MAX);
	assert_memory_equal(p + RFC5424_MSGID_MAX, " - x", 4);
}

static void test_msg_bytes_copied_unchanged(void **state)
{
	/* MSG may hold any octets: UTF-8 and JSON escapes stay as they are. */
	const char msg[] = "{\"a\":\"caf\xc3\xa9 \\n \\u0001\"}";
	struct rfc5424_hdr h = hdr();
	char buf[512];
	int n;

	(void)state;
	n = rfc5424_format(&h, msg, sizeof(msg) - 1, buf, sizeof(buf));
	assert_true(n > (int)sizeof(msg) - 1);
	assert_memory_equal(buf + n - (sizeof(msg) - 1), msg, sizeof(msg) - 1);
}

static void test_only_one_trailing_newline_dropped(void **state)
{
	struct rfc5424_hdr h = hdr();
	char buf[512];
	int n;

	(void)state;
	n = rfc5424_format(&h, "ab\n\n", 4, buf, sizeof(buf));
	assert_memory_equal(buf + n - 3, "ab\n", 3);
}

static void test_exact_fit_and_one_short(void **state)
{
	struct rfc5424_hdr h = hdr();
	char big[1024], buf[1024];
	int n;

	(void)state;
	n = rfc5424_format(&h, "hello", 5, big, sizeof(big));
	assert_true(n > 0);
	assert_int_equal(rfc5424_format(&h, "hello", 5, buf, (size_t)n), n);
	assert_memory_equal(buf, big, (size_t)n);
	assert_int_equal(rfc5424_format(&h, "hello", 5, buf, (size_t)n - 1), -ENOSPC);
	assert_int_equal(rfc5424_format(&h, "hello", 5, buf, 0), -ENOSPC);
}

static void test_procid_absent_is_nilvalue(void **state)
{
	struct rfc5424_hdr h = hdr();
	char buf[512];

	(void)state;
	h.procid = 0;
	assert_true(rfc5424_format(&h, "x", 1, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " tattled - connection - x"));
}

/* Years RFC 3339 cannot show are NILVALUE, up to the last year gmtime_r
 * takes (tm_year near INT_MAX: adding 1900 to it overflowed). */
static void test_year_past_9999_is_nilvalue(void **state)
{
	static const long long years[] = { 10000, 1000000, INT_MAX - 10LL + 1900,
					   INT_MAX + 1900LL };
	struct rfc5424_hdr h = hdr();
	struct timespec ts = { 0, 0 };
	struct tm tm;
	char buf[512];
	size_t i;
	int n;

	(void)state;
	h.ts = &ts;
	for (i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
		/* Mid-year, so the year is the one meant in any calendar. */
		ts.tv_sec = (time_t)((years[i] - 1970) * 31556952LL + 15778476);
		if (!gmtime_r(&ts.tv_sec, &tm))
			continue;	/* past what gmtime_r takes: also "-" */
		assert_int_equal((long long)tm.tm_year + 1900, years[i]);
		n = rfc5424_format(&h, "x", 1, buf, sizeof(buf));
		assert_true(n > 0);
		assert_memory_equal(buf, "<30>1 - web-3 ", 14);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_message_layout),
		cmocka_unit_test(test_pri_is_facility_times_8_plus_severity),
		cmocka_unit_test(test_out_of_range_pri_is_einval),
		cmocka_unit_test(test_missing_fields_are_nilvalue),
		cmocka_unit_test(test_header_fields_keep_only_printusascii),
		cmocka_unit_test(test_header_fields_cut_at_rfc_limits),
		cmocka_unit_test(test_msg_bytes_copied_unchanged),
		cmocka_unit_test(test_only_one_trailing_newline_dropped),
		cmocka_unit_test(test_exact_fit_and_one_short),
		cmocka_unit_test(test_procid_absent_is_nilvalue),
		cmocka_unit_test(test_year_past_9999_is_nilvalue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
