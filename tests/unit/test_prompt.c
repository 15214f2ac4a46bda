/* test_prompt.c - the open-prompt table: open, join, take, covered
 * prompts, expiry, caps.  Time is a parameter: no sleeping. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "prompt.h"

static struct flow flow4(const char *ip, uint16_t port, uint8_t proto)
{
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.proto = proto;
	assert_int_equal(inet_pton(AF_INET, ip, f.dst), 1);
	f.dport = port;
	f.sport = 40000;
	return f;
}

static int setup(void **state)
{
	*state = prompts_new(4, 15000);
	assert_non_null(*state);
	return 0;
}

static int teardown(void **state)
{
	prompts_free(*state);
	return 0;
}

static uint32_t open_ok(struct prompts *p, const char *exe, const struct flow *f,
			const char *host, uint32_t pkt, uint64_t now, bool want_new)
{
	uint32_t id;
	bool is_new;

	assert_int_equal(prompts_open_or_join(p, exe, 1000, f, host, pkt, now, &id, &is_new), 0);
	assert_int_equal(is_new, want_new);
	assert_true(id != 0);
	return id;
}

static void test_first_packet_opens_prompt_with_deadline(void **state)
{
	struct prompts *p = *state;
	struct flow f = flow4("10.0.0.1", 443, 6);
	uint32_t id = open_ok(p, "/usr/bin/curl", &f, "example.com", 100, 1000, true);
	const struct prompt *pr = prompts_get(p, id);

	assert_non_null(pr);
	assert_string_equal(pr->exe, "/usr/bin/curl");
	assert_string_equal(pr->host, "example.com");
	assert_int_equal(pr->deadline_ms, 16000);
	assert_int_equal(prompts_count(p), 1);
}

static void test_same_exe_and_destination_joins(void **state)
{
	struct prompts *p = *state;
	struct flow f = flow4("10.0.0.1", 443, 6);
	uint32_t a = open_ok(p, "/usr/bin/curl", &f, NULL, 100, 1000, true);
	uint32_t b = open_ok(p, "/usr/bin/curl", &f, NULL, 101, 2000, false);
	uint32_t ids[8];

	assert_int_equal(a, b);
	assert_int_equal(prompts_count(p), 1);
	assert_int_equal(prompts_take(p, a, ids, 8), 2);
	assert_int_equal(ids[0], 100);
	assert_int_equal(ids[1], 101);
}

static void test_other_port_proto_or_exe_opens_new_prompt(void **state)
{
	struct prompts *p = *state;
	struct flow f = flow4("10.0.0.1", 443, 6);
	struct flow port = flow4("10.0.0.1", 80, 6);
	struct flow udp = flow4("10.0.0.1", 443, 17);
	uint32_t a = open_ok(p, "/usr/bin/curl", &f, NULL, 1, 0, true);

	assert_int_not_equal(open_ok(p, "/usr/bin/curl", &port, NULL, 2, 0, true), a);
	assert_int_not_equal(open_ok(p, "/usr/bin/curl", &udp, NULL, 3, 0, true), a);
	assert_int_not_equal(open_ok(p, "/usr/bin/wget", &f, NULL, 4, 0, true), a);
	assert_int_equal(prompts_count(p), 4);
}

static void test_take_closes_prompt_and_second_take_is_enoent(void **state)
{
	struct prompts *p = *state;
	struct flow f = flow4("10.0.0.1", 443, 6);
	uint32_t id = open_ok(p, "/bin/x", &f, NULL, 7, 0, true);
	uint32_t ids[4];

	assert_int_equal(prompts_take(p, id, ids, 4), 1);
	assert_null(prompts_get(p, id));
	assert_int_equal(prompts_take(p, id, ids, 4), -ENOENT);
	/* A new packet for the same key asks again. */
	assert_int_not_equal(open_ok(p, "/bin/x", &f, NULL, 8, 0, true), id);
}

static void test_expire_closes_only_past_deadline(void **state)
{
	struct prompts *p = *state;
	struct flow f = flow4("10.0.0.1", 443, 6);
	struct flow g = flow4("10.0.0.2", 443, 6);
	uint32_t old = open_ok(p, "/bin/x", &f, NULL, 1, 1000, true);
	uint32_t young = open_ok(p, "/bin/x", &g, NULL, 2, 5000, true);

	assert_int_equal(prompts_expire(p, 15999), 0);
	assert_int_equal(prompts_expire(p, 16000), 1);
	assert_null(prompts_get(p, old));
	assert_non_null(prompts_get(p, young));
	/* the next one due is the young one, at 20000 */
	assert_int_equal(prompts_expire(p, 19999), 0);
	assert_int_equal(prompts_expire(p, 20000), 1);
	assert_int_equal(prompts_count(p), 0);
}

static void test_joined_packet_keeps_original_deadline(void **state)
{
	struct prompts *p = *state;
	struct flow f = flow4("10.0.0.1", 443, 6);
	uint32_t id = open_ok(p, "/bin/x", &f, NULL, 1, 1000, true);

	open_ok(p, "/bin/x", &f, NULL, 2, 9000, false);
	assert_int_equal(prompts_get(p, id)->deadline_ms, 16000);
}

static void test_full_table_is_enospc(void **state)
{
	struct prompts *p = *state;
	uint32_t id;
	bool is_new;
	int i;

	for (i = 0; i < 4; i++) {
		struct flow f = flow4("10.0.0.1", (uint16_t)(1000 + i), 6);

		open_ok(p, "/bin/x", &f, NULL, (uint32_t)i, 0, true);
	}
	{
		struct flow f = flow4("10.0.0.1", 9, 6);

		assert_int_equal(prompts_open_or_join(p, "/bin/x", 1000, &f, NULL, 9, 0,
						      &id, &is_new), -ENOSPC);
		assert_int_equal(id, 0);
	}
}

static void test_full_packet_list_is_enospc(void **state)
{
	struct prompts *p = *state;
	struct flow f = flow4("10.0.0.1", 443, 6);
	uint32_t id;
	bool is_new;
	uint32_t i;

	for (i = 0; i < PROMPT_MAX_PKTS; i++)
		open_ok(p, "/bin/x", &f, NULL, i, 0, i == 0);
	assert_int_equal(prompts_open_or_join(p, "/bin/x", 1000, &f, NULL, 999, 0,
					      &id, &is_new), -ENOSPC);
}

static void test_empty_exe_is_einval(void **state)
{
	struct prompts *p = *state;
	struct flow f = flow4("10.0.0.1", 443, 6);
	uint32_t id;
	bool is_new;

	assert_int_equal(prompts_open_or_join(p, "", 1000, &f, NULL, 1, 0, &id, &is_new), -EINVAL);
	assert_int_equal(prompts_count(p), 0);
}

/* An unknown process (NULL exe) is asked about, keyed by uid and
 * destination; an answer about a program never covers it. */
static void test_unknown_process_is_keyed_by_uid(void **state)
{
	struct prompts *p = *state;
	struct flow f = flow4("10.0.0.1", 443, 6);
	uint32_t a, b, c, ids[8];
	bool is_new;

	assert_int_equal(prompts_open_or_join(p, NULL, 1000, &f, NULL, 1, 0, &a, &is_new), 0);
	assert_true(is_new);
	assert_null(prompts_get(p, a)->exe);
	assert_int_equal(prompts_get(p, a)->uid, 1000);
	assert_int_equal(prompts_open_or_join(p, NULL, 1000, &f, NULL, 2, 0, &b, &is_new), 0);
	assert_false(is_new);
	assert_int_equal(a, b);
	assert_int_equal(prompts_open_or_join(p, NULL, 1001, &f, NULL, 3, 0, &c, &is_new), 0);
	assert_true(is_new);
	assert_int_equal(prompts_take_covered(p, "/bin/x", PROMPT_SCOPE_EXE, NULL,
					      &f, ids, 8), 0);
	assert_int_equal(prompts_count(p), 2);
}

/* One uid at its quota cannot open more, another uid still can. */
static void test_uid_quota_leaves_room_for_others(void **state)
{
	struct prompts *p = *state;
	struct flow f1 = flow4("10.0.0.1", 1, 6), f2 = flow4("10.0.0.1", 2, 6);
	struct flow f3 = flow4("10.0.0.1", 3, 6);
	uint32_t id;
	bool is_new;

	prompts_set_quotas(p, 2, 0);
	assert_int_equal(prompts_open_or_join(p, "/bin/a", 7, &f1, NULL, 1, 0, &id, &is_new), 0);
	assert_int_equal(prompts_open_or_join(p, "/bin/b", 7, &f2, NULL, 2, 0, &id, &is_new), 0);
	assert_int_equal(prompts_open_or_join(p, "/bin/c", 7, &f3, NULL, 3, 0, &id, &is_new), -EDQUOT);
	assert_int_equal(id, 0);
	/* Joining an open prompt is not a new one: no quota. */
	assert_int_equal(prompts_open_or_join(p, "/bin/a", 7, &f1, NULL, 4, 0, &id, &is_new), 0);
	assert_int_equal(prompts_open_or_join(p, "/bin/c", 8, &f3, NULL, 5, 0, &id, &is_new), 0);
	assert_true(is_new);
}

/* One executable at its quota, whoever runs it, cannot open more. */
static void test_exe_quota_across_uids(void **state)
{
	struct prompts *p = *state;
	struct flow f1 = flow4("10.0.0.1", 1, 6), f2 = flow4("10.0.0.1", 2, 6);
	uint32_t id;
	bool is_new;

	prompts_set_quotas(p, 0, 1);
	assert_int_equal(prompts_open_or_join(p, "/bin/a", 7, &f1, NULL, 1, 0, &id, &is_new), 0);
	assert_int_equal(prompts_open_or_join(p, "/bin/a", 8, &f2, NULL, 2, 0, &id, &is_new), -EDQUOT);
	assert_int_equal(prompts_open_or_join(p, "/bin/b", 8, &f2, NULL, 3, 0, &id, &is_new), 0);
}

static void test_exe_scope_covers_every_destination_of_that_exe(void **state)
{
	struct prompts *p = *state;
	struct flow a = flow4("10.0.0.1", 443, 6), b = flow4("10.0.0.2", 80, 6);
	uint32_t ids[8];

	open_ok(p, "/bin/x", &a, NULL, 1, 0, true);
	open_ok(p, "/bin/x", &b, NULL, 2, 0, true);
	open_ok(p, "/bin/y", &a, NULL, 3, 0, true);
	assert_int_equal(prompts_take_covered(p, "/bin/x", PROMPT_SCOPE_EXE, NULL,
					      &a, ids, 8), 2);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(prompts_count(p), 1);
}

static void test_host_scope_needs_same_host(void **state)
{
	struct prompts *p = *state;
	struct flow a = flow4("10.0.0.1", 443, 6), b = flow4("10.0.0.2", 443, 6);
	struct flow c = flow4("10.0.0.3", 443, 6);
	uint32_t ids[8];

	open_ok(p, "/bin/x", &a, "example.com", 1, 0, true);
	open_ok(p, "/bin/x", &b, "example.com", 2, 0, true);
	open_ok(p, "/bin/x", &c, NULL, 3, 0, true);
	assert_int_equal(prompts_take_covered(p, "/bin/x", PROMPT_SCOPE_EXE_HOST,
					      "example.com", &a, ids, 8), 2);
	assert_int_equal(prompts_count(p), 1);
	assert_int_equal(prompts_take_covered(p, "/bin/x", PROMPT_SCOPE_EXE_HOST,
					      NULL, &c, ids, 8), 0);
}

static void test_ip_port_scope_needs_same_destination(void **state)
{
	struct prompts *p = *state;
	struct flow a = flow4("10.0.0.1", 443, 6), b = flow4("10.0.0.1", 444, 6);
	uint32_t ids[8];

	open_ok(p, "/bin/x", &a, NULL, 1, 0, true);
	open_ok(p, "/bin/x", &b, NULL, 2, 0, true);
	assert_int_equal(prompts_take_covered(p, "/bin/x", PROMPT_SCOPE_EXE_IP_PORT,
					      NULL, &a, ids, 8), 1);
	assert_int_equal(ids[0], 1);
}

static void test_take_respects_max(void **state)
{
	struct prompts *p = *state;
	struct flow f = flow4("10.0.0.1", 443, 6);
	uint32_t ids[2], id = 0;
	uint32_t i;

	for (i = 0; i < 5; i++)
		id = open_ok(p, "/bin/x", &f, NULL, i, 0, i == 0);
	assert_int_equal(prompts_take(p, id, ids, 2), 2);
	assert_int_equal(prompts_count(p), 0);
}

static void test_ipv6_destination_compares_all_bytes(void **state)
{
	struct prompts *p = *state;
	struct flow a, b;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	a.proto = 6;
	a.dport = 443;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", a.dst), 1);
	b = a;
	b.dst[15] = 2;
	open_ok(p, "/bin/x", &a, NULL, 1, 0, true);
	open_ok(p, "/bin/x", &b, NULL, 2, 0, true);
	assert_int_equal(prompts_count(p), 2);
}

/* ---- names of the rules answers create */

static void name(const char *exe, const char *detail, enum prompt_scope sc,
		 char *out)
{
	assert_int_equal(prompt_rule_name("allow", "always", sc, exe, detail,
					  out, PROMPT_RULE_NAME_MAX + 1), 0);
}

/* The readable part is lossy: these read the same, the names must not. */
static void test_rule_names_of_lookalike_exes_differ(void **state)
{
	static const char *const pairs[][2] = {
		{ "/tmp/x y", "/tmp/x-y" },
		{ "/tmp/x:y", "/tmp/x y" },
		{ "/usr/bin/curl", "/usr/bin/cu/rl" },
		{ "/opt/app\xc3\xa9", "/opt/app" },
	};
	char a[PROMPT_RULE_NAME_MAX + 1], b[PROMPT_RULE_NAME_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		name(pairs[i][0], "", PROMPT_SCOPE_EXE, a);
		name(pairs[i][1], "", PROMPT_SCOPE_EXE, b);
		assert_string_not_equal(a, b);
	}
	/* Field boundaries count: exe "a" + host "bc" is not "ab" + "c". */
	name("/x/a", "bc", PROMPT_SCOPE_EXE_HOST, a);
	name("/x/ab", "c", PROMPT_SCOPE_EXE_HOST, b);
	assert_string_not_equal(a, b);
	name("/x/a", "", PROMPT_SCOPE_EXE, a);
	name("/x/a", "", PROMPT_SCOPE_EXE_HOST, b);
	assert_string_not_equal(a, b);
}

static void test_rule_name_is_stable_and_readable(void **state)
{
	char a[PROMPT_RULE_NAME_MAX + 1], b[PROMPT_RULE_NAME_MAX + 1];
	const char *p;

	(void)state;
	name("/usr/bin/curl", "", PROMPT_SCOPE_EXE, a);
	name("/usr/bin/curl", "", PROMPT_SCOPE_EXE, b);
	assert_string_equal(a, b);
	assert_int_equal(strncmp(a, "allow-always-usrbincurl-", 24), 0);
	assert_int_equal(strlen(a), 24 + 16);
	for (p = a; *p; p++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
				       "NOPQRSTUVWXYZ0123456789._-", *p));
}

static void test_long_exes_are_cut_but_stay_distinct(void **state)
{
	char e1[600], e2[600], a[PROMPT_RULE_NAME_MAX + 1], b[PROMPT_RULE_NAME_MAX + 1];

	(void)state;
	memset(e1, 'a', sizeof(e1) - 1);
	e1[0] = '/';
	e1[sizeof(e1) - 1] = '\0';
	memcpy(e2, e1, sizeof(e1));
	e2[sizeof(e2) - 2] = 'b';	/* differs only past the cut */
	name(e1, "", PROMPT_SCOPE_EXE, a);
	name(e2, "", PROMPT_SCOPE_EXE, b);
	assert_true(strlen(a) <= PROMPT_RULE_NAME_MAX);
	assert_string_not_equal(a, b);
	assert_int_equal(prompt_rule_name("allow", "always", PROMPT_SCOPE_EXE,
					  e1, "", a, PROMPT_RULE_NAME_MAX), -ENOSPC);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_first_packet_opens_prompt_with_deadline),
		T(test_same_exe_and_destination_joins),
		T(test_other_port_proto_or_exe_opens_new_prompt),
		T(test_take_closes_prompt_and_second_take_is_enoent),
		T(test_expire_closes_only_past_deadline),
		T(test_joined_packet_keeps_original_deadline),
		T(test_full_table_is_enospc),
		T(test_full_packet_list_is_enospc),
		T(test_empty_exe_is_einval),
		T(test_unknown_process_is_keyed_by_uid),
		T(test_uid_quota_leaves_room_for_others),
		T(test_exe_quota_across_uids),
		T(test_exe_scope_covers_every_destination_of_that_exe),
		T(test_host_scope_needs_same_host),
		T(test_ip_port_scope_needs_same_destination),
		T(test_take_respects_max),
		T(test_ipv6_destination_compares_all_bytes),
		T(test_rule_names_of_lookalike_exes_differ),
		T(test_rule_name_is_stable_and_readable),
		T(test_long_exes_are_cut_but_stay_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
