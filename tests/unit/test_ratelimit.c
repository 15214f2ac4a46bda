/* test_ratelimit.c - one report per interval, counting what it stands for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ratelimit.h"

static void test_first_hit_reports_then_counts_until_interval(void **state)
{
	struct ratelimit r = { 0 };
	uint64_t n;
	int i;

	(void)state;
	assert_true(ratelimit_hit(&r, 5000, &n));
	assert_int_equal(n, 1);
	for (i = 0; i < 10; i++)
		assert_false(ratelimit_hit(&r, 5000 + (uint64_t)i * 10, &n));
	assert_false(ratelimit_hit(&r, 5999, &n));
	assert_true(ratelimit_hit(&r, 6000, &n));
	assert_int_equal(n, 12);	/* 11 suppressed + this one */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_hit_reports_then_counts_until_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
