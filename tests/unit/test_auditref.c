/* test_auditref.c - the shared audit-settings references in a real
 * directory, with real processes for live, crashed and reused pids. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auditref.h"
#include "procfs.h"

struct fixture {
	char dir[64];
	pid_t child;		/* a live other run, or 0 */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/tattle-auditref-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A real process standing for another tattled run. */
static pid_t spawn_sleeper(void)
{
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0) {
		for (;;)
			pause();
	}
	return p;
}

static uint64_t start_of(pid_t pid)
{
	uint64_t start = 0;

	assert_int_equal(procfs_stat_start("/proc", pid, &start), 0);
	return start;
}

static struct auditref_self self_of(const struct fixture *f, const char *key,
				    pid_t pid)
{
	return (struct auditref_self){ .dir = f->dir, .key = key, .pid = pid,
				       .start = start_of(pid) };
}

static void write_file(const struct fixture *f, const char *name,
		       const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_parse_new_and_old_formats(void **state)
{
	static const char cur[] = "enabled 0 backlog_limit 64 pid 77 start 12345\n";
	static const char old[] = "enabled 1 backlog_limit 320\n";
	uint32_t en, bl;
	uint64_t st;
	pid_t pid;

	(void)state;
	assert_int_equal(auditref_parse(cur, strlen(cur), &en, &bl, &pid, &st), 0);
	assert_int_equal(en, 0);
	assert_int_equal(bl, 64);
	assert_int_equal(pid, 77);
	assert_int_equal(st, 12345);
	assert_int_equal(auditref_parse(old, strlen(old), &en, &bl, &pid, &st), 0);
	assert_int_equal(en, 1);
	assert_int_equal(bl, 320);
	assert_int_equal(pid, 0);
	assert_int_equal(st, 0);
}

static void test_parse_rejects_garbage(void **state)
{
	static const char *const bad[] = {
		"", "enabled", "enabled x backlog_limit 1", "backlog_limit 1",
		"enabled 1 backlog_limit 2 pid -5 start 1",
	};
	char big[400];
	uint32_t en, bl;
	uint64_t st;
	pid_t pid;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(auditref_parse(bad[i], strlen(bad[i]), &en, &bl,
						&pid, &st), -EBADMSG);
	memset(big, ' ', sizeof(big));
	memcpy(big, "enabled 1 backlog_limit 2", 25);
	assert_int_equal(auditref_parse(big, sizeof(big), &en, &bl, &pid, &st),
			 -EBADMSG);
}

static void test_first_run_finds_nothing(void **state)
{
	struct fixture *f = *state;
	struct auditref_self me = self_of(f, "a", getpid());
	struct auditref_view v;

	assert_int_equal(auditref_scan(&me, "/proc", &v), 0);
	assert_false(v.have_orig);
	assert_int_equal(v.live, 0);
	assert_int_equal(v.crashed, 0);
}

/* Our own file is not another run. */
static void test_own_file_is_not_a_reference(void **state)
{
	struct fixture *f = *state;
	struct auditref_self me = self_of(f, "a", getpid());
	struct auditref_view v;

	assert_int_equal(auditref_save(&me, 0, 64), 0);
	assert_int_equal(auditref_scan(&me, "/proc", &v), 0);
	assert_true(v.have_orig);
	assert_int_equal(v.enabled, 0);
	assert_int_equal(v.backlog_limit, 64);
	assert_int_equal(v.live, 0);
	assert_int_equal(v.crashed, 0);
	assert_int_equal(v.same_key_pid, 0);
}

/* A second run sees the first one's values and reference; once the
 * first process is gone its file is a crash: values, no reference. */
static void test_live_then_crashed_other_run(void **state)
{
	struct fixture *f = *state;
	struct auditref_self other, me = self_of(f, "b", getpid());
	struct auditref_view v;

	f->child = spawn_sleeper();
	other = self_of(f, "a", f->child);
	assert_int_equal(auditref_save(&other, 0, 64), 0);
	assert_int_equal(auditref_scan(&me, "/proc", &v), 0);
	assert_true(v.have_orig);
	assert_int_equal(v.enabled, 0);
	assert_int_equal(v.backlog_limit, 64);
	assert_int_equal(v.live, 1);
	assert_int_equal(v.crashed, 0);
	assert_int_equal(v.same_key_pid, 0);

	kill(f->child, SIGKILL);
	waitpid(f->child, NULL, 0);
	f->child = 0;
	assert_int_equal(auditref_scan(&me, "/proc", &v), 0);
	assert_true(v.have_orig);
	assert_int_equal(v.backlog_limit, 64);
	assert_int_equal(v.live, 0);
	assert_int_equal(v.crashed, 1);
}

/* A pid that exists again but with another start time is not the run. */
static void test_reused_pid_is_a_crash(void **state)
{
	struct fixture *f = *state;
	struct auditref_self me = self_of(f, "b", getpid());
	struct auditref_view v;
	char text[128];

	f->child = spawn_sleeper();
	snprintf(text, sizeof(text), "enabled 0 backlog_limit 64 pid %ld start %llu\n",
		 (long)f->child, (unsigned long long)start_of(f->child) + 1);
	write_file(f, "audit-a.state", text);
	assert_int_equal(auditref_scan(&me, "/proc", &v), 0);
	assert_int_equal(v.live, 0);
	assert_int_equal(v.crashed, 1);
}

/* Files from before references (no pid) are crashed runs. */
static void test_old_file_gives_values_not_a_reference(void **state)
{
	struct fixture *f = *state;
	struct auditref_self me = self_of(f, "a", getpid());
	struct auditref_view v;

	write_file(f, "audit-a.state", "enabled 0 backlog_limit 128\n");
	write_file(f, "audit-x.tmp", "enabled 1 backlog_limit 1\n");
	write_file(f, "audit-y.state", "garbage\n");
	assert_int_equal(auditref_scan(&me, "/proc", &v), 0);
	assert_true(v.have_orig);
	assert_int_equal(v.enabled, 0);
	assert_int_equal(v.backlog_limit, 128);
	assert_int_equal(v.live, 0);
	assert_int_equal(v.crashed, 1);
}

static void test_live_run_with_our_key_is_named(void **state)
{
	struct fixture *f = *state;
	struct auditref_self other, me = self_of(f, "a", getpid());
	struct auditref_view v;

	f->child = spawn_sleeper();
	other = self_of(f, "a", f->child);
	assert_int_equal(auditref_save(&other, 1, 8192), 0);
	assert_int_equal(auditref_scan(&me, "/proc", &v), 0);
	assert_int_equal(v.same_key_pid, f->child);
}

static void test_drop_removes_only_our_file(void **state)
{
	struct fixture *f = *state;
	struct auditref_self a = self_of(f, "a", getpid());
	struct auditref_self b = self_of(f, "b", getpid());
	struct auditref_view v;

	assert_int_equal(auditref_save(&a, 0, 64), 0);
	assert_int_equal(auditref_save(&b, 0, 64), 0);
	assert_int_equal(auditref_drop(&a), 0);
	assert_int_equal(auditref_drop(&a), 0);	/* gone already: fine */
	assert_int_equal(auditref_scan(&a, "/proc", &v), 0);
	assert_true(v.have_orig);	/* b's file is left */
}

/* While one run holds the lock, another cannot take it. */
static void test_lock_excludes_another_process(void **state)
{
	struct fixture *f = *state;
	char path[128];
	int fd, status;
	pid_t p;

	fd = auditref_lock(f->dir);
	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "%s/audit.lock", f->dir);
	p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		int cfd = open(path, O_RDWR | O_CLOEXEC);

		_exit(cfd >= 0 && flock(cfd, LOCK_EX | LOCK_NB) < 0 &&
		      errno == EWOULDBLOCK ? 0 : 1);
	}
	assert_int_equal(waitpid(p, &status, 0), p);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	auditref_unlock(fd);
	fd = auditref_lock(f->dir);	/* free again */
	assert_true(fd >= 0);
	auditref_unlock(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_new_and_old_formats),
		cmocka_unit_test(test_parse_rejects_garbage),
		cmocka_unit_test_setup_teardown(test_first_run_finds_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_file_is_not_a_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_then_crashed_other_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reused_pid_is_a_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_file_gives_values_not_a_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_run_with_our_key_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_removes_only_our_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_excludes_another_process, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
