/* test_firewall.c - the rule text we hand to iptables-restore / nft. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "firewall.h"

static void test_ipv4_queues_syn_and_new_with_bypass(void **state)
{
	struct firewall_opts o = { .queue = 7 };
	char buf[4096];

	(void)state;
	assert_true(firewall_render_iptables(&o, 4, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "-A TATTLE-OUT -p tcp --tcp-flags FIN,SYN,RST,ACK SYN "
				    "-j NFQUEUE --queue-num 7 --queue-bypass\n"));
	assert_non_null(strstr(buf, "-A TATTLE-OUT -m conntrack --ctstate NEW "
				    "-j NFQUEUE --queue-num 7 --queue-bypass\n"));
	assert_non_null(strstr(buf, "-A TATTLE-IN -p udp --sport 53 -m conntrack "
				    "--ctstate ESTABLISHED -j NFQUEUE"));
	assert_non_null(strstr(buf, "-A TATTLE-OUT -p udp --dport 53 -m conntrack "
				    "--ctstate ESTABLISHED -j NFQUEUE"));
	assert_non_null(strstr(buf, "-I OUTPUT 1 -j TATTLE-OUT\n"));
	assert_non_null(strstr(buf, "COMMIT\n"));
	assert_null(strstr(buf, "icmpv6"));
}

/* Non-SYN TCP must return before the conntrack NEW rule, or a mid-stream
 * packet conntrack calls NEW (after a flush) would be held. */
static void test_tcp_return_precedes_ctstate_rule(void **state)
{
	struct firewall_opts o = { .queue = 1 };
	char buf[4096];

	(void)state;
	assert_true(firewall_render_iptables(&o, 4, buf, sizeof(buf)) > 0);
	assert_true(strstr(buf, "-p tcp -j RETURN") < strstr(buf, "--ctstate NEW"));
	assert_true(strstr(buf, "--mark 0x7a77 -j RETURN") < strstr(buf, "SYN -j NFQUEUE"));
}

static void test_forward_queues_new_forwarded_flows_only_when_asked(void **state)
{
	struct firewall_opts o = { .queue = 5 };
	char buf[4096];

	(void)state;
	assert_true(firewall_render_iptables(&o, 4, buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "FORWARD"));
	assert_true(firewall_render_nft(&o, buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "hook forward"));
	o.forward = true;
	assert_true(firewall_render_iptables(&o, 4, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, ":TATTLE-FWD - [0:0]\n"));
	assert_non_null(strstr(buf, "-A TATTLE-FWD -p tcp --tcp-flags FIN,SYN,RST,ACK SYN "
				    "-j NFQUEUE --queue-num 5 --queue-bypass\n"));
	assert_non_null(strstr(buf, "-A TATTLE-FWD -m conntrack --ctstate NEW "
				    "-j NFQUEUE --queue-num 5 --queue-bypass\n"));
	assert_true(strstr(buf, "-A TATTLE-FWD -p tcp -j RETURN") <
		    strstr(buf, "-A TATTLE-FWD -m conntrack"));
	assert_non_null(strstr(buf, "-I FORWARD 1 -j TATTLE-FWD\n"));
	assert_true(strstr(buf, "-I FORWARD") < strstr(buf, "COMMIT"));
	assert_true(firewall_render_nft(&o, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " chain fwd {\n  type filter hook forward priority 0;"));
	assert_non_null(strstr(buf, "ct state new queue num 5 bypass\n }\n}\n"));
}

static void test_fail_closed_has_no_bypass(void **state)
{
	struct firewall_opts o = { .queue = 3, .fail_closed = true };
	char buf[4096];

	(void)state;
	assert_true(firewall_render_iptables(&o, 6, buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "bypass"));
	assert_true(firewall_render_nft(&o, buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "bypass"));
}

static void test_ipv6_skips_neighbour_discovery(void **state)
{
	struct firewall_opts o = { .queue = 3 };
	char buf[4096];

	(void)state;
	assert_true(firewall_render_iptables(&o, 6, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "--icmpv6-type 135 -j RETURN"));
	assert_non_null(strstr(buf, "--icmpv6-type 136 -j RETURN"));
}

static void test_nft_replaces_table_atomically(void **state)
{
	struct firewall_opts o = { .queue = 9 };
	char buf[4096];

	(void)state;
	assert_true(firewall_render_nft(&o, buf, sizeof(buf)) > 0);
	assert_ptr_equal(strstr(buf, "table inet tattle\ndelete table inet tattle\n"), buf);
	assert_non_null(strstr(buf, "queue num 9 bypass"));
	assert_non_null(strstr(buf, "udp sport 53 ct state established queue num 9 bypass"));
	assert_non_null(strstr(buf, "udp dport 53 ct state established queue num 9 bypass"));
}

static void test_small_buffer_is_enospc(void **state)
{
	struct firewall_opts o = { .queue = 9 };
	char buf[64];

	(void)state;
	assert_int_equal(firewall_render_iptables(&o, 4, buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(firewall_render_nft(&o, buf, sizeof(buf)), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_queues_syn_and_new_with_bypass),
		cmocka_unit_test(test_tcp_return_precedes_ctstate_rule),
		cmocka_unit_test(test_forward_queues_new_forwarded_flows_only_when_asked),
		cmocka_unit_test(test_fail_closed_has_no_bypass),
		cmocka_unit_test(test_ipv6_skips_neighbour_discovery),
		cmocka_unit_test(test_nft_replaces_table_atomically),
		cmocka_unit_test(test_small_buffer_is_enospc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
