/* test_procnet.c - /proc/net table parsing (fixtures in tests/data/procnet,
 * recorded on x86-64: the address words are little-endian) and a live
 * cross-check against sock_diag in a private network namespace. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <endian.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "packet.h"
#include "procnet.h"
#include "sockdiag.h"

#define DATA "tests/data/procnet"

static const char v4_listen[] =
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
	"00000000     0        0 13965 1 00000000cf1eafd9 100 0 0 10 0";
static const char v6_line[] =
	"   4: B80D0120000000000000000001000000:01BB "
	"00000000000000000000000000000000:0000 0A 00000000:00000000 "
	"00:00000000 00000000     7        0 13980 1 00000000bd543fce 100 0";
static const char v6_mapped[] =
	"   3: 0000000000000000FFFF00000100007F:9C41 "
	"0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 "
	"00:00000000 00000000     0        0 13971 2 00000000a1993d9f 20 0";

static void skip_on_big_endian(void)
{
	if (BYTE_ORDER != LITTLE_ENDIAN)
		skip();
}

static const char *ntop(int family, const uint8_t *a, char *buf)
{
	return inet_ntop(family, a, buf, INET6_ADDRSTRLEN);
}

static void test_v4_line_decodes_every_field(void **state)
{
	struct procnet_entry e;
	char b[INET6_ADDRSTRLEN];

	(void)state;
	skip_on_big_endian();
	assert_int_equal(procnet_parse_line(v4_listen, strlen(v4_listen),
					    AF_INET, &e), 0);
	assert_string_equal(ntop(AF_INET, e.local, b), "127.0.0.1");
	assert_int_equal(e.lport, 8080);
	assert_string_equal(ntop(AF_INET, e.remote, b), "0.0.0.0");
	assert_int_equal(e.rport, 0);
	assert_int_equal(e.state, TCP_LISTEN);
	assert_int_equal(e.uid, 0);
	assert_int_equal(e.inode, 13965);
	assert_int_equal(e.family, AF_INET);
}

static void test_v6_line_words_are_host_order(void **state)
{
	struct procnet_entry e;
	char b[INET6_ADDRSTRLEN];

	(void)state;
	skip_on_big_endian();
	assert_int_equal(procnet_parse_line(v6_line, strlen(v6_line), AF_INET6,
					    &e), 0);
	assert_string_equal(ntop(AF_INET6, e.local, b), "2001:db8::1");
	assert_int_equal(e.lport, 443);
	assert_string_equal(ntop(AF_INET6, e.remote, b), "::");
	assert_int_equal(e.uid, 7);
	assert_int_equal(e.inode, 13980);
}

static void test_v6_line_v4mapped_address(void **state)
{
	struct procnet_entry e;
	char b[INET6_ADDRSTRLEN];

	(void)state;
	skip_on_big_endian();
	assert_int_equal(procnet_parse_line(v6_mapped, strlen(v6_mapped),
					    AF_INET6, &e), 0);
	assert_string_equal(ntop(AF_INET6, e.local, b), "::ffff:127.0.0.1");
	assert_int_equal(e.lport, 40001);
	assert_int_equal(e.rport, 8080);
	assert_int_equal(e.state, TCP_ESTABLISHED);
}

static void test_v6_line_in_v4_table_is_ebadmsg(void **state)
{
	struct procnet_entry e;

	(void)state;
	assert_int_equal(procnet_parse_line(v6_line, strlen(v6_line), AF_INET,
					    &e), -EBADMSG);
}

static void test_malformed_lines_are_ebadmsg(void **state)
{
	static const char *bad[] = {
		"",
		"  sl  local_address rem_address   st tx_queue rx_queue tr "
		"tm->when retrnsmt   uid  timeout inode",
		"   1: 0100007G:1F90 00000000:0000 0A 0:0 00:0 0 0 0 1",
		"   2: 0100007F:1F90 00000000:0000 0A 0:0 00:0 0 0 0",
		"   3: 0100007F1F90 00000000:0000 0A 0:0 00:0 0 0 0 2",
		"   4: 0100007F:1F90 00000000:0000 0A 0:0 00:0 0 0 0 "
		"99999999999999999999999",
		"   5: 0100007F:1F9 00000000:0000 0A 0:0 00:0 0 0 0 3",
		"   6 0100007F:1F90 00000000:0000 0A 0:0 00:0 0 0 0 4",
		"   7: 0100007F:1F90 00000000:0000 0A 0:0 00:0 0 -1 0 5",
		"   8: 0100007F:1F90 00000000:0000 A 0:0 00:0 0 0 0 5",
		"   9: 0100007F:1F90 00000000:0000 0A 0:0 00:0 0 4294967296 0 5",
	};
	struct procnet_entry e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(procnet_parse_line(bad[i], strlen(bad[i]),
						    AF_INET, &e), -EBADMSG);
}

static int count_cb(const struct procnet_entry *e, void *data)
{
	uint64_t *inodes = data;

	inodes[++inodes[0]] = e->inode;
	return inodes[0] >= 15 ? 1 : 0;
}

static void test_fixture_malformed_lines_counted_and_skipped(void **state)
{
	uint64_t got[16] = { 0 };
	size_t bad = 0;

	(void)state;
	assert_int_equal(procnet_read(DATA "/malformed/net/tcp", AF_INET,
				      count_cb, got, &bad), 0);
	assert_int_equal(bad, 7);
	assert_int_equal(got[0], 3);	/* header not counted as bad */
	assert_int_equal(got[1], 13965);
	assert_int_equal(got[2], 13999);
	assert_int_equal(got[3], 14000);	/* last line, no newline */
}

static void test_overlong_line_counted_and_skipped(void **state)
{
	char buf[PROCNET_LINE_MAX + 200];
	uint64_t got[16] = { 0 };
	size_t bad = 0, n;

	(void)state;
	memset(buf, ' ', PROCNET_LINE_MAX + 10);
	buf[PROCNET_LINE_MAX + 10] = '\n';
	n = PROCNET_LINE_MAX + 11;
	memcpy(buf + n, v4_listen, strlen(v4_listen));
	n += strlen(v4_listen);
	assert_int_equal(procnet_parse(buf, n, AF_INET, count_cb, got, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(got[0], 1);
}

static void test_callback_stop_value_returned(void **state)
{
	uint64_t got[16] = { 14, 0 };	/* stops after one more entry */

	(void)state;
	assert_int_equal(procnet_parse(v4_listen, strlen(v4_listen), AF_INET,
				       count_cb, got, NULL), 1);
}

static void set_flow(struct flow *f, int family, int proto, const char *src,
		     uint16_t sport, const char *dst, uint16_t dport)
{
	memset(f, 0, sizeof(*f));
	f->family = (uint8_t)family;
	f->proto = (uint8_t)proto;
	assert_int_equal(inet_pton(family, src, f->src), 1);
	assert_int_equal(inet_pton(family, dst, f->dst), 1);
	f->sport = sport;
	f->dport = dport;
}

#define BASIC DATA "/basic"

static void test_fixture_tcp4_exact_has_inode_and_uid(void **state)
{
	struct sockdiag_sock s;
	struct flow f;

	(void)state;
	skip_on_big_endian();
	set_flow(&f, AF_INET, IPPROTO_TCP, "127.0.0.1", 43210, "127.0.0.1", 8080);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), 0);
	assert_int_equal(s.inode, 13966);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.state, TCP_ESTABLISHED);
	assert_int_equal(s.flags, 0);
	assert_int_equal(s.family, AF_INET);
}

static void test_fixture_tcp4_time_wait_is_enoent_with_flag(void **state)
{
	struct sockdiag_sock s;
	struct flow f;

	(void)state;
	skip_on_big_endian();
	set_flow(&f, AF_INET, IPPROTO_TCP, "127.0.0.1", 43211, "127.0.0.1", 8080);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), -ENOENT);
	assert_int_equal(s.flags, SOCKDIAG_F_TIME_WAIT);
	assert_int_equal(s.inode, 0);
}

static void test_fixture_tcp4_unknown_remote_is_listener(void **state)
{
	struct sockdiag_sock s;
	struct flow f;

	(void)state;
	skip_on_big_endian();
	set_flow(&f, AF_INET, IPPROTO_TCP, "127.0.0.1", 8080, "127.0.0.7", 999);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), 0);
	assert_int_equal(s.inode, 13965);
	assert_int_equal(s.flags, SOCKDIAG_F_LISTEN);
}

static void test_fixture_tcp6_exact_has_inode_and_uid(void **state)
{
	struct sockdiag_sock s;
	struct flow f;

	(void)state;
	skip_on_big_endian();
	set_flow(&f, AF_INET6, IPPROTO_TCP, "::1", 50000, "::1", 443);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), 0);
	assert_int_equal(s.inode, 13969);
	assert_int_equal(s.uid, 1001);
	assert_int_equal(s.family, AF_INET6);
}

static void test_fixture_ipv4_flow_found_as_v4mapped(void **state)
{
	struct sockdiag_sock s;
	struct flow f;

	(void)state;
	skip_on_big_endian();
	set_flow(&f, AF_INET, IPPROTO_TCP, "127.0.0.1", 40001, "127.0.0.1", 8080);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), 0);
	assert_int_equal(s.inode, 13971);
	assert_int_equal(s.flags, SOCKDIAG_F_V4MAPPED);
	assert_int_equal(s.family, AF_INET6);
}

static void test_fixture_bound_listener_beats_wildcard(void **state)
{
	struct sockdiag_sock s;
	struct flow f;

	(void)state;
	skip_on_big_endian();
	set_flow(&f, AF_INET6, IPPROTO_TCP, "2001:db8::1", 443, "2001:db8::2",
		 1234);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), 0);
	assert_int_equal(s.inode, 13980);
	set_flow(&f, AF_INET6, IPPROTO_TCP, "::1", 443, "::2", 1234);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), 0);
	assert_int_equal(s.inode, 13968);
}

static void test_fixture_udp_connected_and_unconnected(void **state)
{
	struct sockdiag_sock s;
	struct flow f;

	(void)state;
	skip_on_big_endian();
	set_flow(&f, AF_INET, IPPROTO_UDP, "127.0.0.1", 40000, "127.0.0.1", 53);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), 0);
	assert_int_equal(s.inode, 13976);
	assert_int_equal(s.flags, 0);
	set_flow(&f, AF_INET, IPPROTO_UDP, "10.0.0.1", 5353, "224.0.0.251", 5353);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), 0);
	assert_int_equal(s.inode, 13975);
	assert_int_equal(s.flags, SOCKDIAG_F_WILDCARD);
	set_flow(&f, AF_INET6, IPPROTO_UDP, "::1", 40002, "::1", 53);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), 0);
	assert_int_equal(s.inode, 13977);
}

static void test_fixture_unowned_tuple_is_enoent(void **state)
{
	struct sockdiag_sock s;
	struct flow f;

	(void)state;
	set_flow(&f, AF_INET, IPPROTO_TCP, "127.0.0.1", 1, "127.0.0.1", 8080);
	assert_int_equal(procnet_lookup(BASIC, &f, &s), -ENOENT);
	assert_int_equal(s.flags, 0);
	/* udplite tables are absent from the fixture: skipped, not an error */
	f.proto = IPPROTO_UDPLITE;
	assert_int_equal(procnet_lookup(BASIC, &f, &s), -ENOENT);
	f.proto = IPPROTO_ICMP;
	assert_int_equal(procnet_lookup(BASIC, &f, &s), -EPROTONOSUPPORT);
}

/* ---- live cross-check with sock_diag ---- */

static int lo_up(void)
{
	struct ifreq ifr;
	int fd, r = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!r && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		r = -errno;
	close(fd);
	return r;
}

static void flow_of(int fd, int family, int proto, struct flow *f)
{
	struct sockaddr_storage l, p;
	socklen_t ll = sizeof(l), pl = sizeof(p);

	memset(f, 0, sizeof(*f));
	assert_int_equal(getsockname(fd, (struct sockaddr *)&l, &ll), 0);
	assert_int_equal(getpeername(fd, (struct sockaddr *)&p, &pl), 0);
	f->family = (uint8_t)family;
	f->proto = (uint8_t)proto;
	if (family == AF_INET) {
		struct sockaddr_in *a = (void *)&l, *b = (void *)&p;

		memcpy(f->src, &a->sin_addr, 4);
		memcpy(f->dst, &b->sin_addr, 4);
		f->sport = ntohs(a->sin_port);
		f->dport = ntohs(b->sin_port);
	} else {
		struct sockaddr_in6 *a = (void *)&l, *b = (void *)&p;

		memcpy(f->src, &a->sin6_addr, 16);
		memcpy(f->dst, &b->sin6_addr, 16);
		f->sport = ntohs(a->sin6_port);
		f->dport = ntohs(b->sin6_port);
	}
}

static void cross_check(struct sockdiag *sd, int fd, int family, int proto)
{
	struct sockdiag_sock a, b;
	struct stat st;
	struct flow f;

	flow_of(fd, family, proto, &f);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(procnet_lookup("/proc", &f, &a), 0);
	assert_int_equal(sockdiag_lookup(sd, &f, &b), 0);
	assert_int_equal(a.inode, st.st_ino);
	assert_int_equal(b.inode, st.st_ino);
	assert_int_equal(a.uid, b.uid);
	assert_int_equal(a.state, b.state);
	assert_int_equal(a.flags, b.flags);
}

static void live_pair(int family, int type, int *a, int *b)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = -1;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	len = family == AF_INET ? sizeof(struct sockaddr_in) :
				  sizeof(struct sockaddr_in6);
	*b = socket(family, type | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(*b, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(getsockname(*b, (struct sockaddr *)&ss, &len), 0);
	if (type == SOCK_STREAM) {
		assert_int_equal(listen(*b, 4), 0);
		l = *b;
	}
	*a = socket(family, type | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(*a, (struct sockaddr *)&ss, len), 0);
	if (l >= 0) {
		*b = accept(l, NULL, NULL);
		close(l);
	}
}

static void test_live_lookup_agrees_with_sockdiag(void **state)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct sockdiag *sd;
	int a, b;

	(void)state;
	if (unshare(CLONE_NEWNET) < 0 || lo_up() < 0)
		skip();
	sd = sockdiag_open();
	assert_non_null(sd);
	for (int i = 0; i < 2; i++) {
		live_pair(fams[i], SOCK_STREAM, &a, &b);
		cross_check(sd, a, fams[i], IPPROTO_TCP);
		cross_check(sd, b, fams[i], IPPROTO_TCP);
		close(a);
		close(b);
		live_pair(fams[i], SOCK_DGRAM, &a, &b);
		cross_check(sd, a, fams[i], IPPROTO_UDP);
		close(a);
		close(b);
	}
	sockdiag_close(sd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_line_decodes_every_field),
		cmocka_unit_test(test_v6_line_words_are_host_order),
		cmocka_unit_test(test_v6_line_v4mapped_address),
		cmocka_unit_test(test_v6_line_in_v4_table_is_ebadmsg),
		cmocka_unit_test(test_malformed_lines_are_ebadmsg),
		cmocka_unit_test(test_fixture_malformed_lines_counted_and_skipped),
		cmocka_unit_test(test_overlong_line_counted_and_skipped),
		cmocka_unit_test(test_callback_stop_value_returned),
		cmocka_unit_test(test_fixture_tcp4_exact_has_inode_and_uid),
		cmocka_unit_test(test_fixture_tcp4_time_wait_is_enoent_with_flag),
		cmocka_unit_test(test_fixture_tcp4_unknown_remote_is_listener),
		cmocka_unit_test(test_fixture_tcp6_exact_has_inode_and_uid),
		cmocka_unit_test(test_fixture_ipv4_flow_found_as_v4mapped),
		cmocka_unit_test(test_fixture_bound_listener_beats_wildcard),
		cmocka_unit_test(test_fixture_udp_connected_and_unconnected),
		cmocka_unit_test(test_fixture_unowned_tuple_is_enoent),
		cmocka_unit_test(test_live_lookup_agrees_with_sockdiag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
