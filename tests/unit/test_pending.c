/* test_pending.c - the held-packet table: bounds, lookup, deadlines. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "pending.h"

static void test_full_table_returns_null(void **state)
{
	struct pending *p = pending_new(2, 0);

	(void)state;
	assert_non_null(pending_add(p, 1, 0));
	assert_non_null(pending_add(p, 2, 0));
	assert_null(pending_add(p, 3, 0));
	assert_int_equal(pending_count(p), 2);
	pending_free(p);
}

static void test_find_and_remove_by_id(void **state)
{
	struct pending *p = pending_new(8, 0);
	struct pending_pkt *a, *b;

	(void)state;
	a = pending_add(p, 10, 0);
	b = pending_add(p, 20, 0);
	assert_ptr_equal(pending_find(p, 20), b);
	pending_remove(p, a);
	assert_null(pending_find(p, 10));
	assert_ptr_equal(pending_find(p, 20), b);
	assert_int_equal(pending_count(p), 1);
	pending_free(p);
}

static void test_slots_are_reused_after_remove(void **state)
{
	struct pending *p = pending_new(1, 0);
	struct pending_pkt *a;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		a = pending_add(p, (uint32_t)i, 0);
		assert_non_null(a);
		assert_int_equal(a->id, i);
		pending_remove(p, a);
	}
	assert_int_equal(pending_count(p), 0);
	pending_free(p);
}

static void test_next_deadline_is_minimum(void **state)
{
	struct pending *p = pending_new(8, 0);

	(void)state;
	assert_int_equal(pending_next_deadline(p), 0);
	pending_add(p, 1, 0)->deadline_ms = 300;
	pending_add(p, 2, 0)->deadline_ms = 100;
	pending_add(p, 3, 0)->deadline_ms = 200;
	assert_int_equal(pending_next_deadline(p), 100);
	pending_remove(p, pending_find(p, 2));
	assert_int_equal(pending_next_deadline(p), 200);
	pending_free(p);
}

static void remove_even(struct pending_pkt *pkt, void *data)
{
	struct pending *p = data;

	if (pkt->id % 2 == 0)
		pending_remove(p, pkt);
}

static void test_foreach_may_remove_current(void **state)
{
	struct pending *p = pending_new(16, 0);
	uint32_t i;

	(void)state;
	for (i = 0; i < 10; i++)
		pending_add(p, i, 0);
	assert_int_equal(pending_foreach(p, remove_even, p), 10);
	assert_int_equal(pending_count(p), 5);
	for (i = 0; i < 10; i++)
		assert_true((pending_find(p, i) != NULL) == (i % 2 == 1));
	pending_free(p);
}

/* One uid at its quota gets EDQUOT; another uid still gets a slot, and
 * a removed packet gives its uid room again. */
static void test_uid_quota_leaves_room_for_others(void **state)
{
	struct pending *p = pending_new(8, 2);
	struct pending_pkt *a;

	(void)state;
	assert_non_null(a = pending_add(p, 1, 1000));
	assert_non_null(pending_add(p, 2, 1000));
	errno = 0;
	assert_null(pending_add(p, 3, 1000));
	assert_int_equal(errno, EDQUOT);
	assert_non_null(pending_add(p, 4, 1001));
	assert_non_null(pending_add(p, 5, PENDING_UID_NONE));
	pending_remove(p, a);
	assert_non_null(pending_add(p, 6, 1000));
	assert_int_equal(pending_count(p), 4);
	pending_free(p);
}

/* Past PENDING_UIDS distinct uids the rest share one count and quota. */
static void test_uids_past_the_table_share_a_quota(void **state)
{
	struct pending *p = pending_new(256, 2);
	uint32_t u;

	(void)state;
	for (u = 0; u < PENDING_UIDS; u++)
		assert_non_null(pending_add(p, u + 1, u));
	assert_non_null(pending_add(p, 1000, 5000));
	assert_non_null(pending_add(p, 1001, 5001));
	assert_null(pending_add(p, 1002, 5002));
	assert_int_equal(errno, EDQUOT);
	pending_free(p);
}

static void test_full_table_is_enospc(void **state)
{
	struct pending *p = pending_new(1, 0);

	(void)state;
	assert_non_null(pending_add(p, 1, 7));
	assert_null(pending_add(p, 2, 8));
	assert_int_equal(errno, ENOSPC);
	pending_free(p);
}

static void test_zero_capacity_is_refused(void **state)
{
	(void)state;
	assert_null(pending_new(0, 0));
	pending_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_table_returns_null),
		cmocka_unit_test(test_find_and_remove_by_id),
		cmocka_unit_test(test_slots_are_reused_after_remove),
		cmocka_unit_test(test_next_deadline_is_minimum),
		cmocka_unit_test(test_foreach_may_remove_current),
		cmocka_unit_test(test_zero_capacity_is_refused),
		cmocka_unit_test(test_uid_quota_leaves_room_for_others),
		cmocka_unit_test(test_uids_past_the_table_share_a_quota),
		cmocka_unit_test(test_full_table_is_enospc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
