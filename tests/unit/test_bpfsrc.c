#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/capability.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "bpfsrc.h"
#include "packet.h"

#define CAP(c) (UINT64_C(1) << (c))
#define ALL_CAPS (CAP(CAP_NET_ADMIN) | CAP(38) | CAP(39))

static void test_flow_key_v4_and_any_src(void **state)
{
	struct flow f = { .family = AF_INET, .proto = 17, .sport = 40000, .dport = 53 };
	struct flowrec_key k;

	(void)state;
	inet_pton(AF_INET, "10.0.0.1", f.src);
	inet_pton(AF_INET, "10.0.0.2", f.dst);
	bpfsrc_flow_key(7, &f, false, &k);
	assert_int_equal(k.netns, 7);
	assert_int_equal(k.family, AF_INET);
	assert_int_equal(k.proto, 17);
	assert_int_equal(k.sport, 40000);
	assert_int_equal(k.dport, 53);
	assert_memory_equal(k.src, f.src, 4);
	assert_memory_equal(k.dst, f.dst, 4);
	assert_memory_equal(k.src + 4, (uint8_t[12]){ 0 }, 12);
	bpfsrc_flow_key(7, &f, true, &k);
	assert_memory_equal(k.src, (uint8_t[16]){ 0 }, 16);
	assert_memory_equal(k.dst, f.dst, 4);
}

/* Keys are hashed as bytes: padding must be zero whatever was there. */
static void test_flow_key_clears_padding(void **state)
{
	struct flow f = { .family = AF_INET6, .proto = 6, .sport = 1, .dport = 2 };
	struct flowrec_key a, b;

	(void)state;
	memset(&a, 0xa5, sizeof(a));
	memset(&b, 0x5a, sizeof(b));
	bpfsrc_flow_key(1, &f, false, &a);
	bpfsrc_flow_key(1, &f, false, &b);
	assert_memory_equal(&a, &b, sizeof(a));
}

/* The kernel's s_dev is major << 20 | minor; stat() encodes differently. */
static void test_dev_encoding(void **state)
{
	(void)state;
	assert_int_equal(bpfsrc_dev_to_user((254ULL << 20) | 0), makedev(254, 0));
	assert_int_equal(bpfsrc_dev_to_user((8ULL << 20) | 300), makedev(8, 300));
	assert_int_equal(bpfsrc_dev_to_user(0x2d), makedev(0, 0x2d));
}

static void test_start_ticks(void **state)
{
	(void)state;
	assert_int_equal(bpfsrc_start_ticks(9168216543400ULL, 100), 916821);
	assert_int_equal(bpfsrc_start_ticks(9999999, 100), 0);
	assert_int_equal(bpfsrc_start_ticks(10000000, 100), 1);
	assert_int_equal(bpfsrc_start_ticks(5, 0), 0);
}

static void test_explain_missing_cap_bpf(void **state)
{
	char why[BPFSRC_WHY_LEN];

	(void)state;
	bpfsrc_explain(-EPERM, "loading", ALL_CAPS & ~CAP(39), why, sizeof(why));
	assert_string_equal(why, "loading: missing CAP_BPF");
}

static void test_explain_sys_admin_stands_for_bpf_and_perfmon(void **state)
{
	char why[BPFSRC_WHY_LEN];

	(void)state;
	bpfsrc_explain(-EPERM, "loading", CAP(CAP_SYS_ADMIN) | CAP(CAP_NET_ADMIN),
		       why, sizeof(why));
	assert_non_null(strstr(why, "refused"));
}

static void test_explain_missing_perfmon_and_net_admin(void **state)
{
	char why[BPFSRC_WHY_LEN];

	(void)state;
	bpfsrc_explain(-EPERM, "loading", CAP(39) | CAP(CAP_NET_ADMIN), why, sizeof(why));
	assert_non_null(strstr(why, "missing CAP_PERFMON"));
	bpfsrc_explain(-EPERM, "attaching", CAP(39) | CAP(38), why, sizeof(why));
	assert_non_null(strstr(why, "missing CAP_NET_ADMIN"));
}

static void test_explain_other_errors_by_name(void **state)
{
	char why[BPFSRC_WHY_LEN];

	(void)state;
	bpfsrc_explain(-EINVAL, "loading", 0, why, sizeof(why));
	assert_string_equal(why, "loading: Invalid argument");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_key_v4_and_any_src),
		cmocka_unit_test(test_flow_key_clears_padding),
		cmocka_unit_test(test_dev_encoding),
		cmocka_unit_test(test_start_ticks),
		cmocka_unit_test(test_explain_missing_cap_bpf),
		cmocka_unit_test(test_explain_sys_admin_stands_for_bpf_and_perfmon),
		cmocka_unit_test(test_explain_missing_perfmon_and_net_admin),
		cmocka_unit_test(test_explain_other_errors_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
