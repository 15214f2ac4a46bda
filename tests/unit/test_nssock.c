/* test_nssock.c - the socket of a flow found in another network namespace
 * (a real one, made by a child with unshare), as for forwarded packets. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nssock.h"
#include "packet.h"
#include "procfs.h"

struct peer {
	pid_t pid;
	uint16_t lport, cport, uport;
	uint64_t cino, uino;
};

/* Child: a namespace with lo up, a TCP connection to itself over
 * 127.0.0.1 and a UDP socket bound to 0.0.0.0; reports ports and inodes. */
static void child(int wfd)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct peer p = { 0 };
	struct stat st;
	int l, c, u;

	if (unshare(CLONE_NEWNET) < 0 || system("ip link set lo up") != 0)
		_exit(1);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(l, (void *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (void *)&a, &alen) < 0)
		_exit(1);
	p.lport = ntohs(a.sin_port);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (void *)&a, sizeof(a)) < 0 ||
	    getsockname(c, (void *)&a, &alen) < 0 || fstat(c, &st) < 0)
		_exit(1);
	p.cport = ntohs(a.sin_port);
	p.cino = st.st_ino;
	u = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	a.sin_port = 0;
	if (bind(u, (void *)&a, sizeof(a)) < 0 ||
	    getsockname(u, (void *)&a, &alen) < 0 || fstat(u, &st) < 0)
		_exit(1);
	p.uport = ntohs(a.sin_port);
	p.uino = st.st_ino;
	p.pid = getpid();
	if (write(wfd, &p, sizeof(p)) != sizeof(p))
		_exit(1);
	pause();
	_exit(0);
}

static int setup(void **state)
{
	static struct peer p;
	int fds[2];
	pid_t pid;

	if (geteuid() != 0 || pipe(fds) < 0)
		return 0;
	if ((pid = fork()) == 0)
		child(fds[1]);
	close(fds[1]);
	if (read(fds[0], &p, sizeof(p)) != sizeof(p)) {
		waitpid(pid, NULL, 0);
		close(fds[0]);
		return 0;
	}
	close(fds[0]);
	*state = &p;
	return 0;
}

static int teardown(void **state)
{
	struct peer *p = *state;

	if (p) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	return 0;
}

static struct flow flow4(uint8_t proto, const char *src, uint16_t sport,
			 const char *dst, uint16_t dport)
{
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.proto = proto;
	inet_pton(AF_INET, src, f.src);
	inet_pton(AF_INET, dst, f.dst);
	f.sport = sport;
	f.dport = dport;
	return f;
}

static void test_finds_the_connection_in_the_other_namespace(void **state)
{
	struct peer *p = *state;
	struct nssock_result r;
	struct flow f;
	uint64_t ours, theirs;

	if (!p)
		skip();
	assert_int_equal(procfs_netns("/proc", getpid(), &ours), 0);
	assert_int_equal(procfs_netns("/proc", p->pid, &theirs), 0);
	assert_true(ours != theirs);
	f = flow4(IPPROTO_TCP, "127.0.0.1", p->cport, "127.0.0.1", p->lport);
	/* by hint */
	assert_int_equal(nssock_lookup("/proc", &f, &p->pid, 1, ours, false, &r), 0);
	assert_int_equal(r.sock.inode, p->cino);
	assert_int_equal(r.pid, p->pid);
	assert_int_equal(r.netns, theirs);
	assert_int_equal(r.netns_tried, 1);
	/* by walking every namespace */
	assert_int_equal(nssock_lookup("/proc", &f, NULL, 0, ours, true, &r), 0);
	assert_int_equal(r.sock.inode, p->cino);
	assert_int_equal(r.netns, theirs);
	/* our own namespace is never read */
	assert_int_equal(nssock_lookup("/proc", &f, &p->pid, 1, theirs, false, &r), -ENOENT);
}

static void test_listener_never_stands_in_for_a_forwarded_syn(void **state)
{
	struct peer *p = *state;
	struct nssock_result r;
	struct flow f;
	uint64_t ours;

	if (!p)
		skip();
	assert_int_equal(procfs_netns("/proc", getpid(), &ours), 0);
	/* a SYN "from" the listening port to somewhere else */
	f = flow4(IPPROTO_TCP, "127.0.0.1", p->lport, "10.9.9.9", 80);
	assert_int_equal(nssock_lookup("/proc", &f, &p->pid, 1, ours, true, &r), -ENOENT);
}

static void test_unconnected_udp_counts_when_one_namespace_has_it(void **state)
{
	struct peer *p = *state;
	struct nssock_result r;
	struct flow f;
	uint64_t ours;

	if (!p)
		skip();
	assert_int_equal(procfs_netns("/proc", getpid(), &ours), 0);
	f = flow4(IPPROTO_UDP, "10.99.0.2", p->uport, "10.98.0.1", 53);
	assert_int_equal(nssock_lookup("/proc", &f, &p->pid, 1, ours, false, &r), 0);
	assert_int_equal(r.sock.inode, p->uino);
	f.proto = IPPROTO_ICMP;
	assert_int_equal(nssock_lookup("/proc", &f, &p->pid, 1, ours, false, &r),
			 -EPROTONOSUPPORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_the_connection_in_the_other_namespace),
		cmocka_unit_test(test_listener_never_stands_in_for_a_forwarded_syn),
		cmocka_unit_test(test_unconnected_udp_counts_when_one_namespace_has_it),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
