/* test_sockdiag.c - exact sock_diag lookups against sockets we open on
 * loopback inside a private network namespace (needs root). */
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
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>

#include "packet.h"
#include "sockdiag.h"

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

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

/* Every test gets a fresh netns of its own: sockets from one test (TIME_WAIT
 * entries included) never leak into the next, and the host is untouched. */
static int setup(void **state)
{
	struct sockdiag *sd;

	if (unshare(CLONE_NEWNET) < 0 || lo_up() < 0) {
		*state = NULL;
		return 0;
	}
	sd = sockdiag_open();
	*state = sd;
	return sd ? 0 : -1;
}

static int teardown(void **state)
{
	sockdiag_close(*state);
	return 0;
}

#define NEED_SD(state) do { if (!*(state)) skip(); } while (0)

/* Address of a socket as the packet would carry it: a v4-mapped IPv6
 * address becomes an IPv4 one, because the packet on the wire is IPv4. */
static void sa_to_flow(const struct sockaddr_storage *ss, uint8_t *family,
		       uint8_t *addr, uint16_t *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		*family = AF_INET;
		memcpy(addr, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		*port = ntohs(s6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			*family = AF_INET;
			memcpy(addr, &s6->sin6_addr.s6_addr[12], 4);
		} else {
			*family = AF_INET6;
			memcpy(addr, &s6->sin6_addr, 16);
		}
	}
}

/* The outbound packet of a connected socket: src = local, dst = peer. */
static void flow_of(int fd, uint8_t proto, struct flow *f)
{
	struct sockaddr_storage l, p;
	socklen_t ll = sizeof(l), pl = sizeof(p);
	uint8_t fam2;

	memset(f, 0, sizeof(*f));
	assert_int_equal(getsockname(fd, (struct sockaddr *)&l, &ll), 0);
	assert_int_equal(getpeername(fd, (struct sockaddr *)&p, &pl), 0);
	f->proto = proto;
	sa_to_flow(&l, &f->family, f->src, &f->sport);
	sa_to_flow(&p, &fam2, f->dst, &f->dport);
	assert_int_equal(f->family, fam2);
}

static uint64_t ino_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static void sa_loop(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (void *)ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (void *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		*len = sizeof(*s6);
	}
}

/* A listening TCP socket on loopback of the given family, any port. */
static int listener(int family)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	sa_loop(family, &ss, &len);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(listen(fd, 16), 0);
	return fd;
}

/* Connect a new socket of cfamily to the listener lfd. */
static int connect_to(int lfd, int cfamily, bool mapped)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	assert_int_equal(getsockname(lfd, (struct sockaddr *)&ss, &len), 0);
	if (mapped) {
		struct sockaddr_in *s4 = (void *)&ss;
		struct sockaddr_in6 m = { .sin6_family = AF_INET6,
					  .sin6_port = s4->sin_port };

		m.sin6_addr.s6_addr[10] = 0xff;
		m.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&m.sin6_addr.s6_addr[12], &s4->sin_addr, 4);
		memcpy(&ss, &m, sizeof(m));
		len = sizeof(m);
	}
	fd = socket(cfamily, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, len), 0);
	return fd;
}

/* Connected UDP (or UDPLite) pair a <-> b on loopback. */
static void udp_pair(int family, int proto, int *a, int *b)
{
	struct sockaddr_storage sa, sb;
	socklen_t la, lb;

	*a = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, proto);
	*b = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, proto);
	assert_true(*a >= 0 && *b >= 0);
	sa_loop(family, &sa, &la);
	sa_loop(family, &sb, &lb);
	assert_int_equal(bind(*a, (struct sockaddr *)&sa, la), 0);
	assert_int_equal(bind(*b, (struct sockaddr *)&sb, lb), 0);
	assert_int_equal(getsockname(*a, (struct sockaddr *)&sa, &la), 0);
	assert_int_equal(getsockname(*b, (struct sockaddr *)&sb, &lb), 0);
	assert_int_equal(connect(*a, (struct sockaddr *)&sb, lb), 0);
	assert_int_equal(connect(*b, (struct sockaddr *)&sa, la), 0);
}

/* Look up fd's outbound flow and check it is fd itself. */
static void expect_self(struct sockdiag *sd, int fd, uint8_t proto,
			struct sockdiag_sock *s)
{
	struct flow f;

	flow_of(fd, proto, &f);
	assert_int_equal(sockdiag_lookup(sd, &f, s), 0);
	assert_int_equal(s->inode, ino_of(fd));
	assert_int_equal(s->uid, getuid());
	assert_int_equal(s->proto, proto);
	assert_true(s->cookie != 0);
}

static void tcp_pair_client_found(void **state, int family)
{
	struct sockdiag_sock s;
	int l, c, a;

	NEED_SD(state);
	l = listener(family);
	c = connect_to(l, family, false);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	expect_self(*state, c, IPPROTO_TCP, &s);
	assert_int_equal(s.state, TCP_ESTABLISHED);
	assert_int_equal(s.family, family);
	assert_int_equal(s.flags, 0);
	/* and the other direction is the accepted socket, not the client */
	expect_self(*state, a, IPPROTO_TCP, &s);
	close(a);
	close(c);
	close(l);
}

static void test_tcp4_connected_pair_each_side_found(void **state)
{
	tcp_pair_client_found(state, AF_INET);
}

static void test_tcp6_connected_pair_each_side_found(void **state)
{
	tcp_pair_client_found(state, AF_INET6);
}

/* A server's packet to a remote with no connection (e.g. a reply conntrack
 * picked up as NEW) is attributed to the listener. */
static void test_tcp_listening_port_unknown_remote_is_listener(void **state)
{
	struct sockdiag_sock s;
	struct flow f;
	int l;

	NEED_SD(state);
	l = listener(AF_INET);
	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.proto = IPPROTO_TCP;
	{
		struct sockaddr_in a;
		socklen_t al = sizeof(a);

		assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
		memcpy(f.src, &a.sin_addr, 4);
		f.sport = ntohs(a.sin_port);
	}
	inet_pton(AF_INET, "127.0.0.9", f.dst);
	f.dport = 40000;
	assert_int_equal(sockdiag_lookup(*state, &f, &s), 0);
	assert_int_equal(s.inode, ino_of(l));
	assert_int_equal(s.state, TCP_LISTEN);
	assert_true(s.flags & SOCKDIAG_F_LISTEN);
	close(l);
}

/* Before accept() the server side has no file (inode 0): the listener owns
 * it, and the lookup says so. */
static void test_tcp_unaccepted_server_side_is_listener(void **state)
{
	struct sockdiag_sock s;
	struct flow f, g;
	int l, c;

	NEED_SD(state);
	l = listener(AF_INET);
	c = connect_to(l, AF_INET, false);
	flow_of(c, IPPROTO_TCP, &f);
	memset(&g, 0, sizeof(g));	/* the server's reply direction */
	g.family = AF_INET;
	g.proto = IPPROTO_TCP;
	memcpy(g.src, f.dst, 4);
	memcpy(g.dst, f.src, 4);
	g.sport = f.dport;
	g.dport = f.sport;
	assert_int_equal(sockdiag_lookup(*state, &g, &s), 0);
	assert_int_equal(s.inode, ino_of(l));
	assert_true(s.flags & SOCKDIAG_F_LISTEN);
	close(c);
	close(l);
}

static void udp_pair_each_side_found(void **state, int family, int proto)
{
	struct sockdiag_sock s;
	int a, b;

	NEED_SD(state);
	udp_pair(family, proto, &a, &b);
	/* a and b share address and differ only by port: a swapped request
	 * would find the peer, so this pins the orientation down. */
	expect_self(*state, a, (uint8_t)proto, &s);
	assert_int_equal(s.flags, 0);
	assert_int_equal(s.state, TCP_ESTABLISHED);
	expect_self(*state, b, (uint8_t)proto, &s);
	close(a);
	close(b);
}

/* A bare SYN from the listening port cannot come from the listener: the
 * connecting socket is gone, so the answer is "nobody". */
static void test_tcp_syn_on_listening_port_is_not_listener(void **state)
{
	struct sockdiag_sock s;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	struct flow f = { .family = AF_INET, .proto = IPPROTO_TCP,
			  .dport = 80, .tcp_flags = TH_SYN };
	int l;

	NEED_SD(state);
	l = listener(AF_INET);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
	memcpy(f.src, &a.sin_addr, 4);
	f.sport = ntohs(a.sin_port);
	inet_pton(AF_INET, "127.0.0.9", f.dst);
	assert_int_equal(sockdiag_lookup(*state, &f, &s), -ENOENT);
	assert_int_equal(s.inode, 0);
	f.tcp_flags = TH_SYN | TH_ACK;	/* a SYN-ACK is the listener's */
	assert_int_equal(sockdiag_lookup(*state, &f, &s), 0);
	assert_int_equal(s.inode, ino_of(l));
	close(l);
}

static void test_udp4_connected_pair_each_side_found(void **state)
{
	udp_pair_each_side_found(state, AF_INET, IPPROTO_UDP);
}

static void test_udp6_connected_pair_each_side_found(void **state)
{
	udp_pair_each_side_found(state, AF_INET6, IPPROTO_UDP);
}

static void test_udplite4_connected_pair_each_side_found(void **state)
{
	udp_pair_each_side_found(state, AF_INET, IPPROTO_UDPLITE);
}

static void test_udplite6_connected_pair_each_side_found(void **state)
{
	udp_pair_each_side_found(state, AF_INET6, IPPROTO_UDPLITE);
}

/* An unconnected socket bound to the wildcard address that sent a
 * datagram: the packet's src is 127.0.0.1, the socket's is 0.0.0.0. */
static void test_udp_unconnected_sender_found(void **state)
{
	struct sockaddr_in any = { .sin_family = AF_INET }, dst, me;
	socklen_t ml = sizeof(me);
	struct sockdiag_sock s;
	struct flow f;
	int fd;

	NEED_SD(state);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&any, sizeof(any)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&me, &ml), 0);
	dst = (struct sockaddr_in){ .sin_family = AF_INET,
				    .sin_port = htons(9),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(sendto(fd, "x", 1, 0, (struct sockaddr *)&dst,
				sizeof(dst)), 1);
	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.proto = IPPROTO_UDP;
	inet_pton(AF_INET, "127.0.0.1", f.src);
	inet_pton(AF_INET, "127.0.0.1", f.dst);
	f.sport = ntohs(me.sin_port);
	f.dport = 9;
	assert_int_equal(sockdiag_lookup(*state, &f, &s), 0);
	assert_int_equal(s.inode, ino_of(fd));
	assert_int_equal(s.state, TCP_CLOSE);
	close(fd);
}

/* An AF_INET6 socket (not V6ONLY) connected to 127.0.0.1 sends IPv4. */
static void test_tcp_dual_stack_v4mapped_found_for_ipv4_flow(void **state)
{
	struct sockdiag_sock s;
	int l, c, a;

	NEED_SD(state);
	l = listener(AF_INET);
	c = connect_to(l, AF_INET6, true);
	a = accept(l, NULL, NULL);
	expect_self(*state, c, IPPROTO_TCP, &s);
	assert_int_equal(s.family, AF_INET6);
	close(a);
	close(c);
	close(l);
}

static void test_udp_dual_stack_v4mapped_found_for_ipv4_flow(void **state)
{
	struct sockaddr_in6 m = { .sin6_family = AF_INET6 };
	struct sockaddr_in peer = { .sin_family = AF_INET };
	socklen_t pl = sizeof(peer);
	struct sockdiag_sock s;
	int p, c;

	NEED_SD(state);
	p = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(p, (struct sockaddr *)&peer, sizeof(peer)), 0);
	assert_int_equal(getsockname(p, (struct sockaddr *)&peer, &pl), 0);
	m.sin6_port = peer.sin_port;
	m.sin6_addr.s6_addr[10] = m.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&m.sin6_addr.s6_addr[12], &peer.sin_addr, 4);
	c = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&m, sizeof(m)), 0);
	expect_self(*state, c, IPPROTO_UDP, &s);
	assert_int_equal(s.family, AF_INET6);
	close(c);
	close(p);
}

static void test_unowned_tuple_is_enoent(void **state)
{
	struct sockdiag_sock s;
	struct flow f = { .family = AF_INET, .proto = IPPROTO_TCP,
			  .sport = 41234, .dport = 80 };

	NEED_SD(state);
	inet_pton(AF_INET, "127.0.0.1", f.src);
	inet_pton(AF_INET, "127.0.0.2", f.dst);
	assert_int_equal(sockdiag_lookup(*state, &f, &s), -ENOENT);
	assert_int_equal(s.flags, 0);
	assert_int_equal(s.inode, 0);
	f.proto = IPPROTO_UDP;
	assert_int_equal(sockdiag_lookup(*state, &f, &s), -ENOENT);
	f.family = AF_INET6;
	f.proto = IPPROTO_TCP;
	inet_pton(AF_INET6, "::1", f.src);
	inet_pton(AF_INET6, "::1", f.dst);
	assert_int_equal(sockdiag_lookup(*state, &f, &s), -ENOENT);
}

/* The handle's netlink socket: the one NETLINK_SOCK_DIAG fd we hold. */
static int diag_fd(void)
{
	int fd, v;
	socklen_t n;

	for (fd = 3; fd < 1024; fd++) {
		n = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &n) < 0 ||
		    v != AF_NETLINK)
			continue;
		n = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &n) == 0 &&
		    v == NETLINK_SOCK_DIAG)
			return fd;
	}
	fail_msg("no NETLINK_SOCK_DIAG socket open");
	return -1;
}

/* Queue a reply nobody waits for (as after a failed receive): the next
 * lookup must skip it by sequence number and return its own answer. */
static void test_stale_reply_in_queue_is_skipped(void **state)
{
	uint8_t buf[512];
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	struct sockdiag_sock s;
	struct flow lf;
	int l, c, a, i;

	NEED_SD(state);
	l = listener(AF_INET);
	c = connect_to(l, AF_INET, false);
	a = accept(l, NULL, NULL);
	flow_of(a, IPPROTO_TCP, &lf);
	for (i = 0; i < 3; i++) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		nlh->nlmsg_seq = 0x7fff0000u + (uint32_t)i;
		req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
		memset(req, 0, sizeof(*req));
		req->sdiag_family = AF_INET;
		req->sdiag_protocol = IPPROTO_TCP;
		req->idiag_states = ~0U;
		memcpy(req->id.idiag_src, lf.src, 4);
		memcpy(req->id.idiag_dst, lf.dst, 4);
		req->id.idiag_sport = htons(lf.sport);
		req->id.idiag_dport = htons(lf.dport);
		req->id.idiag_cookie[0] = req->id.idiag_cookie[1] =
			INET_DIAG_NOCOOKIE;
		assert_int_equal(send(diag_fd(), nlh, nlh->nlmsg_len,
				      0), (ssize_t)nlh->nlmsg_len);
	}
	expect_self(*state, c, IPPROTO_TCP, &s);	/* not a's reply */
	expect_self(*state, a, IPPROTO_TCP, &s);
	close(a);
	close(c);
	close(l);
}

static void test_icmp_flow_is_eprotonosupport(void **state)
{
	struct sockdiag_sock s;
	struct flow f = { .family = AF_INET, .proto = IPPROTO_ICMP };

	NEED_SD(state);
	assert_int_equal(sockdiag_lookup(*state, &f, &s), -EPROTONOSUPPORT);
}

/* Close the active side first: it ends in TIME_WAIT, which has no inode. */
static void test_time_wait_is_enoent_with_flag(void **state)
{
	struct sockdiag_sock s;
	struct flow f;
	char c;
	int l, cl, a;

	NEED_SD(state);
	l = listener(AF_INET);
	cl = connect_to(l, AF_INET, false);
	a = accept(l, NULL, NULL);
	flow_of(cl, IPPROTO_TCP, &f);
	close(cl);
	assert_int_equal(read(a, &c, 1), 0);	/* FIN arrived */
	close(a);
	close(l);
	for (int i = 0; i < 100; i++) {		/* LAST_ACK -> TIME_WAIT */
		if (sockdiag_lookup(*state, &f, &s) == -ENOENT &&
		    (s.flags & SOCKDIAG_F_TIME_WAIT))
			break;
		usleep(1000);
	}
	assert_int_equal(sockdiag_lookup(*state, &f, &s), -ENOENT);
	assert_true(s.flags & SOCKDIAG_F_TIME_WAIT);
	assert_int_equal(s.inode, 0);
}

static void test_destroy_connected_tcp_aborts_recv(void **state)
{
	struct sockdiag_sock s;
	char c;
	int l, cl, a;

	NEED_SD(state);
	l = listener(AF_INET6);
	cl = connect_to(l, AF_INET6, false);
	a = accept(l, NULL, NULL);
	expect_self(*state, cl, IPPROTO_TCP, &s);
	assert_int_equal(sockdiag_destroy(*state, &s), 0);
	assert_int_equal(recv(cl, &c, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, ECONNABORTED);
	close(a);
	close(cl);
	close(l);
}

static void test_destroy_flow_aborts_send(void **state)
{
	struct sockdiag_sock s;
	struct flow f;
	int l, cl, a;

	NEED_SD(state);
	l = listener(AF_INET);
	cl = connect_to(l, AF_INET, false);
	a = accept(l, NULL, NULL);
	flow_of(cl, IPPROTO_TCP, &f);
	/* what verdict_apply() does for a reject: look up, then destroy */
	assert_int_equal(sockdiag_lookup(*state, &f, &s), 0);
	assert_int_equal(sockdiag_destroy(*state, &s), 0);
	assert_int_equal(send(cl, "x", 1, MSG_NOSIGNAL), -1);
	assert_int_equal(errno, ECONNABORTED);
	close(a);
	close(cl);
	close(l);
}

/* The cookie pins the socket: once it is gone, a second destroy of the
 * same lookup result finds nothing rather than whatever took its place. */
static void test_destroy_twice_is_enoent(void **state)
{
	struct sockdiag_sock s;
	int l, cl, a;

	NEED_SD(state);
	l = listener(AF_INET);
	cl = connect_to(l, AF_INET, false);
	a = accept(l, NULL, NULL);
	expect_self(*state, cl, IPPROTO_TCP, &s);
	close(a);
	close(cl);
	cl = connect_to(l, AF_INET, false);	/* a new socket, new cookie */
	a = accept(l, NULL, NULL);
	assert_int_equal(sockdiag_destroy(*state, &s), -ENOENT);
	close(a);
	close(cl);
	close(l);
}

static void test_destroy_listener_is_einval(void **state)
{
	struct sockdiag_sock s;
	struct flow f = { .family = AF_INET, .proto = IPPROTO_TCP,
			  .dport = 5555 };
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int l;

	NEED_SD(state);
	l = listener(AF_INET);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
	memcpy(f.src, &a.sin_addr, 4);
	f.sport = ntohs(a.sin_port);
	inet_pton(AF_INET, "127.0.0.3", f.dst);
	assert_int_equal(sockdiag_lookup(*state, &f, &s), 0);
	assert_int_equal(sockdiag_destroy(*state, &s), -EINVAL);
	assert_int_equal(listen(l, 16), 0);	/* still a listener */
	close(l);
}

static void test_destroy_connected_udp_aborts_recv(void **state)
{
	struct sockdiag_sock s;
	char c;
	int a, b;

	NEED_SD(state);
	udp_pair(AF_INET, IPPROTO_UDP, &a, &b);
	expect_self(*state, a, IPPROTO_UDP, &s);
	assert_int_equal(sockdiag_destroy(*state, &s), 0);
	assert_int_equal(recv(a, &c, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, ECONNABORTED);
	close(a);
	close(b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tcp4_connected_pair_each_side_found),
		T(test_tcp6_connected_pair_each_side_found),
		T(test_tcp_listening_port_unknown_remote_is_listener),
		T(test_tcp_unaccepted_server_side_is_listener),
		T(test_tcp_syn_on_listening_port_is_not_listener),
		T(test_udp4_connected_pair_each_side_found),
		T(test_udp6_connected_pair_each_side_found),
		T(test_udplite4_connected_pair_each_side_found),
		T(test_udplite6_connected_pair_each_side_found),
		T(test_udp_unconnected_sender_found),
		T(test_tcp_dual_stack_v4mapped_found_for_ipv4_flow),
		T(test_udp_dual_stack_v4mapped_found_for_ipv4_flow),
		T(test_unowned_tuple_is_enoent),
		T(test_stale_reply_in_queue_is_skipped),
		T(test_icmp_flow_is_eprotonosupport),
		T(test_time_wait_is_enoent_with_flag),
		T(test_destroy_connected_tcp_aborts_recv),
		T(test_destroy_flow_aborts_send),
		T(test_destroy_twice_is_enoent),
		T(test_destroy_listener_is_einval),
		T(test_destroy_connected_udp_aborts_recv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
