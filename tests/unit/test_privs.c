/* test_privs.c - which capabilities are kept, and (as root) that a real
 * drop leaves exactly those in every set, that an exec'd program as uid 0
 * gets them back (the iptables run at exit), and no more. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privs.h"

#define BIT(c)	(UINT64_C(1) << (c))

static void test_keep_mask_by_what_runs(void **state)
{
	static const struct {
		struct privs_opts o;
		uint64_t want;
	} cases[] = {
		{ { .firewall = false, .audit = false },
		  BIT(CAP_NET_ADMIN) | BIT(CAP_SYS_PTRACE) | BIT(CAP_DAC_READ_SEARCH) },
		{ { .firewall = true, .audit = false },
		  BIT(CAP_NET_ADMIN) | BIT(CAP_SYS_PTRACE) | BIT(CAP_DAC_READ_SEARCH) |
		  BIT(CAP_NET_RAW) },
		{ { .firewall = false, .audit = true },
		  BIT(CAP_NET_ADMIN) | BIT(CAP_SYS_PTRACE) | BIT(CAP_DAC_READ_SEARCH) |
		  BIT(CAP_AUDIT_CONTROL) },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(privs_keep_mask(&cases[i].o), cases[i].want);
}

/* Only needed before the drop: never kept. */
static void test_setup_only_caps_are_never_kept(void **state)
{
	struct privs_opts all = { .firewall = true, .audit = true };
	uint64_t m = privs_keep_mask(&all);

	(void)state;
	assert_false(m & BIT(CAP_AUDIT_READ));
	assert_false(m & BIT(CAP_CHOWN));
	assert_false(m & BIT(CAP_SETPCAP));
	assert_false(m & BIT(CAP_SYS_ADMIN));
	assert_false(m & BIT(CAP_DAC_OVERRIDE));
	assert_false(m & BIT(CAP_SETUID));
}

static void test_format_names_and_unknown_bits(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(privs_format(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_true(privs_format(BIT(CAP_NET_ADMIN) | BIT(CAP_AUDIT_READ) |
				 BIT(62), buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "cap_net_admin,cap_audit_read,cap_62");
	assert_int_equal(privs_format(BIT(CAP_NET_ADMIN), buf, 5), -ENOSPC);
	assert_true(strlen(buf) < 5);	/* cut, but terminated */
}

/* The CapEff/CapPrm/CapBnd of a program exec'd by the dropped child:
 * what iptables gets when tattled removes its chains. */
static int exec_caps(uint64_t *eff, uint64_t *prm, uint64_t *bnd)
{
	char line[256];
	int p[2], st, found = 0;
	FILE *f;
	pid_t pid;

	if (pipe(p) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "CapEff: %llx", &v) == 1)
			*eff = v, found++;
		else if (sscanf(line, "CapPrm: %llx", &v) == 1)
			*prm = v, found++;
		else if (sscanf(line, "CapBnd: %llx", &v) == 1)
			*bnd = v, found++;
	}
	if (f)
		fclose(f);
	waitpid(pid, &st, 0);
	return found == 3 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

/* Child: drop, then check every set.  Exit code = first failed check, so
 * the parent's assert names it.  _exit: the sanitizers' exit-time leak
 * check needs ptrace, which the dropped child no longer has. */
static int child_drop_and_check(void)
{
	struct privs_opts o = { .firewall = true, .audit = true };
	uint64_t keep = privs_keep_mask(&o), eff = 0, prm = 0, bnd = 0;
	struct privs_state s;

	if (privs_drop(&o) != 0)
		return 1;
	if (privs_get(&s) != 0)
		return 2;
	if (s.effective != keep || s.permitted != keep)
		return 3;
	if (s.bounding != keep)
		return 4;
	if (s.inheritable || s.ambient)
		return 5;
	if (!s.no_new_privs)
		return 6;
	if (exec_caps(&eff, &prm, &bnd) != 0)
		return 7;
	if (eff != keep || prm != keep || bnd != keep)
		return 8;
	return 0;
}

static int is_root_with_setpcap(void)
{
	struct privs_state s;

	return geteuid() == 0 && privs_get(&s) == 0 &&
	       (s.effective & BIT(CAP_SETPCAP)) &&
	       (s.permitted & privs_keep_mask(&(struct privs_opts){ true, true })) ==
	       privs_keep_mask(&(struct privs_opts){ true, true });
}

static void test_drop_leaves_exactly_the_kept_set(void **state)
{
	int st;
	pid_t pid;

	(void)state;
	if (!is_root_with_setpcap())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_drop_and_check());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Without CAP_SETPCAP the bounding set stays, but no_new_privs still
 * caps what an exec'd program gets at the kept set. */
static int child_drop_without_setpcap(void)
{
	struct privs_opts o = { .firewall = false, .audit = false };
	uint64_t keep = privs_keep_mask(&o), eff = 0, prm = 0, bnd = 0;
	struct privs_state s;

	if (prctl(PR_CAPBSET_DROP, CAP_SETPCAP, 0, 0, 0) < 0 || privs_get(&s) < 0)
		return 1;
	s.effective &= ~BIT(CAP_SETPCAP);
	s.permitted &= ~BIT(CAP_SETPCAP);
	{
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[2] = {
			{ (uint32_t)s.effective, (uint32_t)s.permitted, 0 },
			{ (uint32_t)(s.effective >> 32), (uint32_t)(s.permitted >> 32), 0 },
		};

		if (syscall(SYS_capset, &h, d) < 0)
			return 2;
	}
	if (privs_drop(&o) != 0)
		return 3;
	if (privs_get(&s) != 0 || s.effective != keep || s.permitted != keep)
		return 4;
	if (exec_caps(&eff, &prm, &bnd) != 0)
		return 5;
	if (eff != keep || prm != keep)
		return 6;
	return 0;
}

static void test_drop_without_setpcap_still_bounds_exec(void **state)
{
	int st;
	pid_t pid;

	(void)state;
	if (!is_root_with_setpcap())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_drop_without_setpcap());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void *idle_thread(void *arg)
{
	int *fd = arg;
	char c;

	(void)!read(*fd, &c, 1);	/* until the test closes the pipe */
	return NULL;
}

/* A thread started before the drop would keep every capability. */
static int child_with_thread(void)
{
	struct privs_opts o = { .firewall = true, .audit = true };
	pthread_t t;
	int p[2], r;

	if (pipe(p) < 0 || pthread_create(&t, NULL, idle_thread, &p[0]) != 0)
		return 100;
	r = privs_drop(&o);
	close(p[1]);
	pthread_join(t, NULL);
	return r == -EBUSY ? 0 : 1;
}

static void test_drop_refuses_when_threads_exist(void **state)
{
	int st;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_with_thread());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_mask_by_what_runs),
		cmocka_unit_test(test_setup_only_caps_are_never_kept),
		cmocka_unit_test(test_format_names_and_unknown_bits),
		cmocka_unit_test(test_drop_leaves_exactly_the_kept_set),
		cmocka_unit_test(test_drop_without_setpcap_still_bounds_exec),
		cmocka_unit_test(test_drop_refuses_when_threads_exist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
