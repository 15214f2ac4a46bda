/* test_attrib_forward.c - audit events from another network namespace (a
 * real one): ignored without --forward; with it, the namespace is noted
 * as a hint for forwarded packets, and its destinations never become
 * candidates for our own packets. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attrib.h"

struct fixture {
	pid_t child;
	char exe[256];
};

static int setup(void **state)
{
	static struct fixture fx;
	char link[64];
	int fds[2];
	ssize_t n;
	char c;

	if (geteuid() != 0 || pipe(fds) < 0)
		return 0;
	if ((fx.child = fork()) == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		(void)!write(fds[1], "x", 1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], &c, 1);
	close(fds[0]);
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)fx.child);
	if (n != 1 || (n = readlink(link, fx.exe, sizeof(fx.exe) - 1)) <= 0) {
		kill(fx.child, SIGKILL);
		waitpid(fx.child, NULL, 0);
		return 0;
	}
	fx.exe[n] = '\0';
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx) {
		kill(fx->child, SIGKILL);
		waitpid(fx->child, NULL, 0);
	}
	return 0;
}

static void sendto_event(struct audit_event *ev, pid_t pid, const char *exe)
{
	memset(ev, 0, sizeof(*ev));
	ev->has_syscall = true;
	ev->arch = AUREC_ARCH_X86_64;
	ev->syscall = 44;	/* sendto */
	ev->success = true;
	ev->exit = 1;
	ev->a[0] = 3;
	ev->pid = pid;
	ev->ppid = 1;
	snprintf(ev->comm, sizeof(ev->comm), "c");
	snprintf(ev->exe, sizeof(ev->exe), "%s", exe);
	ev->has_sockaddr = true;
	ev->family = AF_INET;
	inet_pton(AF_INET, "10.98.0.1", ev->addr);
	ev->port = 5353;
}

static void test_foreign_namespace_is_a_hint_not_a_destination(void **state)
{
	struct fixture *fx = *state;
	struct attrib_opts o = { .self = 1 };
	struct pidcache *pc = pidcache_new(NULL);
	struct attrib_pkt st = { .arrival_ms = 1000 };
	struct attrib_result r;
	struct attrib_stats as;
	struct audit_event ev;
	struct attrib *a;
	struct flow f;
	pid_t hints[4];

	if (!fx)
		skip();
	assert_non_null(pc);
	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.proto = 17;
	f.sport = 40000;
	f.dport = 5353;
	inet_pton(AF_INET, "10.98.0.1", f.dst);
	sendto_event(&ev, fx->child, fx->exe);

	/* without --forward: ignored, as before */
	assert_non_null(a = attrib_new(&o, NULL, pc));
	assert_int_equal(attrib_on_audit(a, &ev, true, 1001), 0);
	attrib_get_stats(a, &as);
	assert_int_equal(as.foreign_netns, 1);
	assert_int_equal(attrib_netns_hints(a, hints, 4), 0);
	attrib_free(a);

	/* with it: a hint, and the process is known, but our own packet
	 * to the same destination never takes it for the sender */
	o.forward = true;
	assert_non_null(a = attrib_new(&o, NULL, pc));
	assert_true(attrib_netns(a) != 0);
	assert_int_equal(attrib_lookup(a, &f, true, 0, &st, ATTRIB_FIRST, 1000, &r), 0);
	(void)attrib_on_audit(a, &ev, true, 1001);
	assert_int_equal(attrib_netns_hints(a, hints, 4), 1);
	assert_int_equal(hints[0], fx->child);
	assert_int_equal(attrib_lookup(a, &f, true, 0, &st, ATTRIB_FINAL, 1002, &r), 1);
	assert_null(r.proc);
	/* a second event of the same, now cached, process: still checked */
	(void)attrib_on_audit(a, &ev, true, 1003);
	st.dest_seen_seq = 0;
	assert_int_equal(attrib_lookup(a, &f, true, 0, &st, ATTRIB_FINAL, 1004, &r), 1);
	assert_null(r.proc);
	attrib_get_stats(a, &as);
	assert_int_equal(as.foreign_netns, 2);
	attrib_free(a);
	pidcache_free(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_namespace_is_a_hint_not_a_destination),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
