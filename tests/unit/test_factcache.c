/* test_factcache.c - user names and environments cached for the rules,
 * bounded and aged (time is a parameter). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "factcache.h"

static char *dup_env(const char *s, size_t len)
{
	char *p = malloc(len);

	assert_non_null(p);
	memcpy(p, s, len);
	return p;
}

static void test_user_hit_miss_and_nameless(void **state)
{
	struct factcache *fc = factcache_new(4, 4, 1000);
	const char *name;

	(void)state;
	assert_non_null(fc);
	assert_int_equal(factcache_user(fc, 1000, 0, &name), 0);
	assert_null(name);
	factcache_put_user(fc, 1000, "alice", 0);
	factcache_put_user(fc, 4000, "", 0);	/* no such user: remembered */
	assert_int_equal(factcache_user(fc, 1000, 10, &name), 1);
	assert_string_equal(name, "alice");
	assert_int_equal(factcache_user(fc, 4000, 10, &name), 1);
	assert_string_equal(name, "");
	factcache_put_user(fc, 1000, "alice2", 20);	/* replaced in place */
	assert_int_equal(factcache_user(fc, 1000, 30, &name), 1);
	assert_string_equal(name, "alice2");
	factcache_free(fc);
}

static void test_entries_age_out_after_ttl(void **state)
{
	struct factcache *fc = factcache_new(4, 4, 1000);
	const char *name, *env;
	size_t len;

	(void)state;
	factcache_put_user(fc, 1, "bin", 5000);
	factcache_put_env(fc, 7, 99, dup_env("A=1", 4), 4, 5000);
	assert_int_equal(factcache_user(fc, 1, 5999, &name), 1);
	assert_int_equal(factcache_env(fc, 7, 99, 5999, &env, &len), 1);
	assert_int_equal(factcache_user(fc, 1, 6000, &name), 0);
	assert_int_equal(factcache_env(fc, 7, 99, 6000, &env, &len), 0);
	assert_null(env);
	factcache_free(fc);
}

static void test_full_table_replaces_oldest(void **state)
{
	struct factcache *fc = factcache_new(2, 2, 100000);
	const char *name, *env;
	size_t len;

	(void)state;
	factcache_put_user(fc, 1, "a", 10);
	factcache_put_user(fc, 2, "b", 5);	/* oldest */
	factcache_put_user(fc, 3, "c", 20);
	assert_int_equal(factcache_user(fc, 2, 30, &name), 0);
	assert_int_equal(factcache_user(fc, 1, 30, &name), 1);
	assert_int_equal(factcache_user(fc, 3, 30, &name), 1);
	factcache_put_env(fc, 1, 1, dup_env("X=1", 4), 4, 5);	/* oldest */
	factcache_put_env(fc, 2, 1, NULL, 0, 10);
	factcache_put_env(fc, 3, 1, dup_env("Z=3", 4), 4, 20);
	assert_int_equal(factcache_env(fc, 1, 1, 30, &env, &len), 0);
	assert_int_equal(factcache_env(fc, 2, 1, 30, &env, &len), 1);
	assert_null(env);	/* unreadable is remembered as such */
	assert_int_equal(len, 0);
	assert_int_equal(factcache_env(fc, 3, 1, 30, &env, &len), 1);
	assert_memory_equal(env, "Z=3", 4);
	factcache_free(fc);	/* ASan: every taken buffer freed */
}

static void test_env_keyed_by_start_time(void **state)
{
	struct factcache *fc = factcache_new(1, 2, 100000);
	const char *env;
	size_t len;

	(void)state;
	factcache_put_env(fc, 42, 1000, dup_env("OLD=1", 6), 6, 0);
	/* pid 42 reused by another process: not the old one's environment */
	assert_int_equal(factcache_env(fc, 42, 2000, 1, &env, &len), 0);
	factcache_put_env(fc, 42, 1000, dup_env("OLD=2", 6), 6, 1);
	assert_int_equal(factcache_env(fc, 42, 1000, 2, &env, &len), 1);
	assert_memory_equal(env, "OLD=2", 6);
	factcache_free(fc);
}

static void test_zero_capacity_is_einval(void **state)
{
	(void)state;
	errno = 0;
	assert_null(factcache_new(0, 1, 1));
	assert_int_equal(errno, EINVAL);
	assert_null(factcache_new(1, 0, 1));
	factcache_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_hit_miss_and_nameless),
		cmocka_unit_test(test_entries_age_out_after_ttl),
		cmocka_unit_test(test_full_table_replaces_oldest),
		cmocka_unit_test(test_env_keyed_by_start_time),
		cmocka_unit_test(test_zero_capacity_is_einval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
