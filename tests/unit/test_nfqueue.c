/* test_nfqueue.c - reading the kernel's per-queue counters from
 * /proc/net/netfilter/nfnetlink_queue text (lines as the kernel prints
 * them: queue, portid, total, copy mode, copy range, queue dropped, user
 * dropped, id sequence, 1). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nfqueue.h"

static const char two_queues[] =
	"    0   4131      0 2  4352     0     0        7  1\n"
	" 1234 3791264   8 2  4352 90412    17   123456  1\n";

static void test_finds_its_own_line(void **state)
{
	struct nfqueue_kstats k;

	(void)state;
	assert_int_equal(nfqueue_parse_proc(two_queues, strlen(two_queues),
					    1234, &k), 0);
	assert_int_equal(k.portid, 3791264);
	assert_int_equal(k.queued, 8);
	assert_int_equal(k.queue_dropped, 90412);
	assert_int_equal(k.user_dropped, 17);
}

static void test_absent_queue_is_enoent(void **state)
{
	struct nfqueue_kstats k;

	(void)state;
	assert_int_equal(nfqueue_parse_proc(two_queues, strlen(two_queues),
					    7, &k), -ENOENT);
	assert_int_equal(nfqueue_parse_proc("", 0, 0, &k), -ENOENT);
}

static void test_short_line_is_ebadmsg(void **state)
{
	static const char cut[] = "   12  555  3 2 4352 9\n";
	struct nfqueue_kstats k;

	(void)state;
	assert_int_equal(nfqueue_parse_proc(cut, strlen(cut), 12, &k), -EBADMSG);
}

/* The length given is the limit, not a NUL: a line cut by it is short. */
static void test_length_bounds_the_read(void **state)
{
	struct nfqueue_kstats k;
	size_t first = strchr(two_queues, '\n') - two_queues + 1;

	(void)state;
	assert_int_equal(nfqueue_parse_proc(two_queues, first + 20, 1234, &k),
			 -EBADMSG);
	assert_int_equal(nfqueue_parse_proc(two_queues, first, 1234, &k),
			 -ENOENT);
}

static void test_huge_counter_is_ebadmsg(void **state)
{
	static const char big[] =
		"5 1 0 2 4352 99999999999999999999999 0 1 1\n";
	struct nfqueue_kstats k;

	(void)state;
	assert_int_equal(nfqueue_parse_proc(big, strlen(big), 5, &k), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_its_own_line),
		cmocka_unit_test(test_absent_queue_is_enoent),
		cmocka_unit_test(test_short_line_is_ebadmsg),
		cmocka_unit_test(test_length_bounds_the_read),
		cmocka_unit_test(test_huge_counter_is_ebadmsg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
