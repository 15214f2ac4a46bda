/* test_fold.c - folding connection events past a rate: counts add up,
 * summaries come when windows end, in order, and keys are bounded.  Time
 * is a parameter: no sleeping. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fold.h"

struct sink {
	unsigned n;
	uint64_t total;
	char exe[8][32];
	uint64_t count[8];
	char members[8][64];
};

static void on_summary(const char *exe, enum action v, const char *members,
		       size_t len, uint64_t n, void *data)
{
	struct sink *s = data;

	(void)v;
	assert_true(s->n < 8);
	snprintf(s->exe[s->n], sizeof(s->exe[0]), "%s", exe ? exe : "(null)");
	snprintf(s->members[s->n], sizeof(s->members[0]), "%.*s", (int)len, members);
	s->count[s->n++] = n;
	s->total += n;
}

/* Account one event; when it is the first folded one, keep "m<i>". */
static enum fold_verdict one(struct fold *f, const char *exe, uint64_t now,
			     unsigned i, struct sink *s)
{
	enum fold_verdict r = fold_account(f, exe, ACTION_ALLOW, REASON_DEFAULT,
					   now, on_summary, s);
	char m[16];

	if (r == FOLD_KEEP) {
		snprintf(m, sizeof(m), "\"m\":%u", i);
		assert_int_equal(fold_keep(f, m, strlen(m)), 0);
	}
	return r;
}

static void test_under_the_rate_everything_is_sent(void **state)
{
	struct fold *f = fold_new(5, 0);
	struct sink s = { 0 };
	unsigned i;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_int_equal(one(f, "/bin/a", 100 + i, i, &s), FOLD_SEND);
	fold_flush(f, 5000, 1, on_summary, &s);
	assert_int_equal(s.n, 0);
	fold_free(f);
}

static void test_past_the_rate_one_summary_counts_the_rest(void **state)
{
	struct fold *f = fold_new(5, 0);
	struct sink s = { 0 };
	unsigned i, sent = 0;

	(void)state;
	for (i = 0; i < 100; i++)
		sent += one(f, "/bin/a", 100 + i, i, &s) == FOLD_SEND;
	assert_int_equal(sent, 5);
	fold_flush(f, 1099, 0, on_summary, &s);	/* window not over */
	assert_int_equal(s.n, 0);
	fold_flush(f, 1100, 0, on_summary, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.count[0], 95);
	assert_string_equal(s.members[0], "\"m\":5");	/* the first folded */
	assert_int_equal(sent + s.total, 100);
	fold_free(f);
}

/* The next window's first event comes after the last window's summary. */
static void test_new_window_sends_summary_first(void **state)
{
	struct fold *f = fold_new(1, 0);
	struct sink s = { 0 };

	(void)state;
	assert_int_equal(one(f, "/bin/a", 0, 0, &s), FOLD_SEND);
	assert_int_equal(one(f, "/bin/a", 10, 1, &s), FOLD_KEEP);
	assert_int_equal(one(f, "/bin/a", 20, 2, &s), FOLD_COUNT);
	assert_int_equal(s.n, 0);
	assert_int_equal(one(f, "/bin/a", 1000, 3, &s), FOLD_SEND);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.count[0], 2);
	fold_free(f);
}

/* Keys are program + verdict + reason; an unknown process is its own. */
static void test_keys_are_separate(void **state)
{
	struct fold *f = fold_new(1, 0);
	struct sink s = { 0 };

	(void)state;
	assert_int_equal(one(f, "/bin/a", 0, 0, &s), FOLD_SEND);
	assert_int_equal(one(f, "/bin/b", 0, 0, &s), FOLD_SEND);
	assert_int_equal(one(f, NULL, 0, 0, &s), FOLD_SEND);
	assert_int_equal(fold_account(f, "/bin/a", ACTION_DENY, REASON_DEFAULT, 0,
				      on_summary, &s), FOLD_SEND);
	assert_int_equal(fold_account(f, "/bin/a", ACTION_ALLOW, REASON_RULE, 0,
				      on_summary, &s), FOLD_SEND);
	assert_int_equal(one(f, NULL, 1, 1, &s), FOLD_KEEP);
	fold_flush(f, 0, 1, on_summary, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.exe[0], "(null)");
	fold_free(f);
}

/* With the key table full, the least recently used key is evicted and
 * its summary sent: nothing is lost. */
static void test_eviction_sends_the_summary(void **state)
{
	struct fold *f = fold_new(1, 2);
	struct sink s = { 0 };

	(void)state;
	one(f, "/bin/a", 0, 0, &s);
	assert_int_equal(one(f, "/bin/a", 1, 1, &s), FOLD_KEEP);
	one(f, "/bin/b", 2, 0, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(one(f, "/bin/c", 3, 0, &s), FOLD_SEND);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.exe[0], "/bin/a");
	assert_int_equal(s.count[0], 1);
	fold_free(f);
}

/* An event too long to keep is sent, not folded. */
static void test_too_long_is_sent(void **state)
{
	static char big[FOLD_MEMBERS_MAX + 1];
	struct fold *f = fold_new(1, 0);
	struct sink s = { 0 };
	struct fold_stats st;

	(void)state;
	one(f, "/bin/a", 0, 0, &s);
	assert_int_equal(fold_account(f, "/bin/a", ACTION_ALLOW, REASON_DEFAULT,
				      1, on_summary, &s), FOLD_KEEP);
	assert_int_equal(fold_keep(f, big, sizeof(big)), -E2BIG);
	fold_get_stats(f, &st);
	assert_int_equal(st.folded, 0);
	assert_int_equal(one(f, "/bin/a", 2, 2, &s), FOLD_KEEP);
	fold_flush(f, 0, 1, on_summary, &s);
	assert_int_equal(s.total, 1);
	fold_free(f);
}

static void test_rate_zero_never_folds(void **state)
{
	struct fold *f = fold_new(0, 0);
	struct sink s = { 0 };
	unsigned i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(one(f, "/bin/a", 0, i, &s), FOLD_SEND);
	fold_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_under_the_rate_everything_is_sent),
		cmocka_unit_test(test_past_the_rate_one_summary_counts_the_rest),
		cmocka_unit_test(test_new_window_sends_summary_first),
		cmocka_unit_test(test_keys_are_separate),
		cmocka_unit_test(test_eviction_sends_the_summary),
		cmocka_unit_test(test_too_long_is_sent),
		cmocka_unit_test(test_rate_zero_never_folds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
