/* test_procfs.c - /proc parsers against fixtures, readers against fixture
 * trees, temp trees with odd exe names, and the test process itself. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfs.h"

#ifndef PROC_DATA_DIR
#define PROC_DATA_DIR "tests/data/proc"
#endif
#define TREE PROC_DATA_DIR "/tree"

struct args {
	int argc;
	char **argv;
};

/* Reads a fixture into a heap buffer of exactly its size, so ASan flags
 * any read past len.  Caller frees. */
static char *fixture(const char *name, size_t *len)
{
	char path[PATH_MAX], *buf;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", PROC_DATA_DIR, name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void test_stat_comm_with_paren_and_space_parsed_after_last_paren(void **state)
{
	struct proc_info pi = { 0 };
	size_t len;
	char *buf = fixture("stat_comm_paren_space", &len);

	(void)state;
	assert_int_equal(procfs_parse_stat(buf, len, &pi), 0);
	assert_string_equal(pi.comm, "a) (b c");
	assert_int_equal(pi.ppid, 77);
	assert_int_equal(pi.start_time, 123456789);
	free(buf);
}

static void test_stat_kthread_has_ppid_zero_and_start_time(void **state)
{
	struct proc_info pi = { 0 };
	size_t len;
	char *buf = fixture("stat_kthread", &len);

	(void)state;
	assert_int_equal(procfs_parse_stat(buf, len, &pi), 0);
	assert_string_equal(pi.comm, "kthreadd");
	assert_int_equal(pi.ppid, 0);
	assert_int_equal(pi.start_time, 5);
	free(buf);
}

static void test_stat_long_comm_is_cut_to_comm_max(void **state)
{
	struct proc_info pi = { 0 };
	size_t len;
	char *buf = fixture("stat_long_comm", &len);

	(void)state;
	assert_int_equal(procfs_parse_stat(buf, len, &pi), 0);
	assert_string_equal(pi.comm, "abcdefghijklmno");
	assert_int_equal(pi.start_time, 4242);
	free(buf);
}

static void test_stat_comm_with_newline_and_fake_fields(void **state)
{
	/* comm "x) R 1 2\n(" tries to fake the fields that follow. */
	static const char line[] = "7 (x) R 1 2\n() S 3 7 7 0 -1 0 0 0 0 0 "
				   "0 0 0 0 20 0 1 0 999 0 0";
	struct proc_info pi = { 0 };

	(void)state;
	assert_int_equal(procfs_parse_stat(line, sizeof(line) - 1, &pi), 0);
	assert_string_equal(pi.comm, "x) R 1 2\n(");
	assert_int_equal(pi.ppid, 3);
	assert_true(pi.start_time == 999);
}

static void test_stat_malformed_is_ebadmsg(void **state)
{
	static const char *const bad[] = {
		"", "1 (x", "1 x) S", ") (", "1 (x) S 1",
		"1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
		"1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 x",
		"1 (x) S -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 9",
		("1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "
		 "99999999999999999999999"),
	};
	struct proc_info pi = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(procfs_parse_stat(bad[i], strlen(bad[i]), &pi),
				 -EBADMSG);
}

static void test_stat_fixture_cut_before_field_22_is_ebadmsg(void **state)
{
	struct proc_info pi = { 0 };
	size_t len;
	char *buf = fixture("stat_truncated", &len);
	char *full;
	size_t flen;

	(void)state;
	assert_int_equal(procfs_parse_stat(buf, len, &pi), -EBADMSG);
	free(buf);
	/* The length bounds the parse: a prefix of a good line is bad. */
	full = fixture("stat_comm_paren_space", &flen);
	assert_int_equal(procfs_parse_stat(full, 40, &pi), -EBADMSG);
	free(full);
}

static void test_status_gives_real_uid_gid_and_ppid(void **state)
{
	struct proc_info pi = { 0 };
	size_t len;
	char *buf = fixture("status_basic", &len);

	(void)state;
	assert_int_equal(procfs_parse_status(buf, len, &pi), 0);
	assert_int_equal(pi.uid, 1000);
	assert_int_equal(pi.gid, 100);
	assert_int_equal(pi.ppid, 77);
	free(buf);
}

static void test_status_without_uid_is_ebadmsg(void **state)
{
	struct proc_info pi = { 0 };
	size_t len;
	char *buf = fixture("status_no_uid", &len);

	(void)state;
	assert_int_equal(procfs_parse_status(buf, len, &pi), -EBADMSG);
	free(buf);
}

/* argv entries in pi->cmdline (NUL-separated, no trailing NUL) */
static size_t argc_of(const struct proc_info *pi)
{
	size_t i, n = 1;

	if (!pi->cmdline || pi->cmdline_len == 0)
		return 0;
	for (i = 0; i < pi->cmdline_len; i++)
		n += pi->cmdline[i] == '\0';
	return n;
}

static void test_cmdline_of_kernel_thread_is_empty(void **state)
{
	struct proc_info pi = { 0 };

	(void)state;
	assert_int_equal(procfs_parse_cmdline("", 0, &pi), 0);
	assert_null(pi.cmdline);
	assert_int_equal(pi.cmdline_len, 0);
	assert_false(pi.cmdline_truncated);
	assert_int_equal(argc_of(&pi), 0);
}

static void test_cmdline_keeps_argv_joined_by_nul(void **state)
{
	struct proc_info pi = { 0 };
	size_t len;
	char *buf = fixture("cmdline_curl", &len);

	(void)state;
	assert_int_equal(procfs_parse_cmdline(buf, len, &pi), 0);
	assert_int_equal(pi.cmdline_len, len - 1);
	assert_int_equal(argc_of(&pi), 3);
	assert_string_equal(pi.cmdline, "curl");
	assert_string_equal(pi.cmdline + 5, "-s");
	assert_string_equal(pi.cmdline + 8, "http://127.0.0.1:8080/");
	assert_false(pi.cmdline_truncated);
	proc_info_clear(&pi);
	free(buf);
}

static void test_long_cmdline_is_truncated_and_flagged(void **state)
{
	struct proc_info pi = { 0 };
	size_t len;
	char *buf = fixture("cmdline_long", &len);

	(void)state;
	assert_true(len > PROC_CMDLINE_MAX);
	assert_int_equal(procfs_parse_cmdline(buf, len, &pi), 0);
	assert_true(pi.cmdline_truncated);
	assert_true(pi.cmdline_len <= PROC_CMDLINE_MAX);
	assert_true(pi.cmdline_len >= PROC_CMDLINE_MAX - 1);
	assert_memory_equal(pi.cmdline, buf, pi.cmdline_len);
	assert_string_equal(pi.cmdline, "prog");
	proc_info_clear(&pi);
	free(buf);
}

static void test_exe_deleted_suffix_is_stripped_and_flagged(void **state)
{
	static const char link[] = "/usr/bin/tool (deleted)";
	struct proc_info pi = { 0 };

	(void)state;
	assert_int_equal(procfs_parse_exe(link, strlen(link), &pi), 0);
	assert_string_equal(pi.exe, "/usr/bin/tool");
	assert_true(pi.exe_deleted);
	proc_info_clear(&pi);
}

static void test_exe_with_nul_or_empty_is_ebadmsg(void **state)
{
	struct proc_info pi = { 0 };

	(void)state;
	assert_int_equal(procfs_parse_exe("/a\0b", 4, &pi), -EBADMSG);
	assert_int_equal(procfs_parse_exe("", 0, &pi), -EBADMSG);
	assert_null(pi.exe);
}

static void test_socket_link_table(void **state)
{
	static const struct {
		const char *link;
		int r;
		uint64_t ino;
	} cases[] = {
		{ "socket:[123]", 0, 123 },
		{ "socket:[18446744073709551615]", 0, UINT64_MAX },
		{ "pipe:[123]", -ENOTSOCK, 0 },
		{ "anon_inode:[eventfd]", -ENOTSOCK, 0 },
		{ "/dev/null", -ENOTSOCK, 0 },
		{ "socket:[]", -EBADMSG, 0 },
		{ "socket:[12a]", -EBADMSG, 0 },
		{ "socket:[1", -EBADMSG, 0 },
		{ "socket:[18446744073709551616]", -EBADMSG, 0 },
	};
	uint64_t ino;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ino = 0;
		assert_int_equal(procfs_parse_socket_link(cases[i].link,
				 strlen(cases[i].link), &ino), cases[i].r);
		if (cases[i].r == 0)
			assert_true(ino == cases[i].ino);
	}
}

static void test_read_proc_from_fixture_tree(void **state)
{
	struct proc_info pi;

	(void)state;
	assert_int_equal(procfs_read_proc(TREE, 4242, &pi), 0);
	assert_int_equal(pi.pid, 4242);
	assert_int_equal(pi.ppid, 77);
	assert_int_equal(pi.uid, 1000);
	assert_int_equal(pi.gid, 100);
	assert_int_equal(pi.start_time, 123456789);
	assert_string_equal(pi.comm, "a) (b c");
	assert_string_equal(pi.exe, "/usr/bin/fixture-curl");
	assert_false(pi.exe_deleted);
	assert_string_equal(pi.cwd, "/home/user");
	assert_int_equal(argc_of(&pi), 3);
	proc_info_clear(&pi);
}

static void test_read_proc_kernel_thread_has_no_exe_nor_cmdline(void **state)
{
	struct proc_info pi;

	(void)state;
	assert_int_equal(procfs_read_proc(TREE, 2, &pi), 0);
	assert_string_equal(pi.comm, "kthreadd");
	assert_null(pi.exe);
	assert_null(pi.cmdline);
	assert_int_equal(pi.cmdline_len, 0);
	assert_int_equal(pi.uid, 0);
	proc_info_clear(&pi);
}

static void test_read_proc_deleted_exe_in_tree(void **state)
{
	struct proc_info pi;

	(void)state;
	assert_int_equal(procfs_read_proc(TREE, 4243, &pi), 0);
	assert_string_equal(pi.exe, "/usr/bin/fixture-sh");
	assert_true(pi.exe_deleted);
	proc_info_clear(&pi);
}

static void test_read_proc_of_absent_pid_is_enoent(void **state)
{
	struct proc_info pi;
	uint64_t start = 1;

	(void)state;
	assert_int_equal(procfs_read_proc(TREE, 31337, &pi), -ENOENT);
	assert_null(pi.exe);
	assert_int_equal(procfs_stat_start(TREE, 31337, &start), -ENOENT);
	assert_true(start == 0);
}

static void test_readlink_fd_in_fixture_tree(void **state)
{
	uint64_t ino;

	(void)state;
	assert_int_equal(procfs_readlink_fd(TREE, 4242, 3, &ino), 0);
	assert_true(ino == 777);
	assert_int_equal(procfs_readlink_fd(TREE, 4242, 4, &ino), -ENOTSOCK);
	assert_int_equal(procfs_readlink_fd(TREE, 4242, 0, &ino), -ENOTSOCK);
	assert_int_equal(procfs_readlink_fd(TREE, 4242, 9, &ino), -ENOENT);
}

static void test_targeted_scan_of_fixture_tree_finds_owners(void **state)
{
	const uint64_t inos[] = { 888, 999, 12345 };
	const pid_t pids[] = { 2, 4242, 4243 };
	pid_t owners[3] = { 0 };

	(void)state;
	assert_int_equal(procfs_scan_pids(TREE, pids, 3, inos, 3, owners, NULL), 2);
	assert_int_equal(owners[0], 4242);
	assert_int_equal(owners[1], 4243);
	assert_int_equal(owners[2], 0);
}

static void test_targeted_scan_skips_pids_not_listed(void **state)
{
	const uint64_t inos[] = { 999 };
	const pid_t pids[] = { 4242, 31337 };
	pid_t owners[1] = { 0 };

	(void)state;
	assert_int_equal(procfs_scan_pids(TREE, pids, 2, inos, 1, owners, NULL), 0);
	assert_int_equal(owners[0], 0);
}

static void test_full_scan_of_fixture_tree_skips_non_pid_dirs(void **state)
{
	const uint64_t inos[] = { 999, 777, 1 };
	pid_t owners[3] = { 0 };
	size_t nprocs = 0, nfds = 0;

	(void)state;
	assert_int_equal(procfs_scan_all(TREE, inos, 3, owners, NULL, &nprocs,
					 &nfds), 2);
	assert_int_equal(owners[0], 4243);
	assert_int_equal(owners[1], 4242);
	assert_int_equal(owners[2], 0);
	assert_int_equal(nprocs, 3);	/* 2, 4242, 4243; not "sys" */
	assert_int_equal(nfds, 6);
}

static void test_scan_rejects_too_many_inodes(void **state)
{
	uint64_t inos[PROCFS_SCAN_MAX_INOS + 1] = { 0 };
	pid_t owners[PROCFS_SCAN_MAX_INOS + 1] = { 0 };

	(void)state;
	assert_int_equal(procfs_scan_all(TREE, inos, PROCFS_SCAN_MAX_INOS + 1,
					 owners, NULL, NULL, NULL), -EINVAL);
}

/* ---- temp trees: names a fixture repository cannot hold comfortably */

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void copy_fixture(const char *name, const char *dst)
{
	size_t len;
	char *buf = fixture(name, &len);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(buf);
}

/* root/100/{stat,status,cmdline} plus exe -> target. */
static void make_tmp_proc(char *root, const char *target)
{
	char path[PATH_MAX];

	strcpy(root, "/tmp/tattle-procfs-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/100", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/100/stat", root);
	copy_fixture("stat_comm_paren_space", path);
	snprintf(path, sizeof(path), "%s/100/status", root);
	copy_fixture("status_basic", path);
	snprintf(path, sizeof(path), "%s/100/cmdline", root);
	copy_fixture("cmdline_curl", path);
	snprintf(path, sizeof(path), "%s/100/exe", root);
	assert_int_equal(symlink(target, path), 0);
}

static void test_exe_with_spaces_and_newline_is_kept_exactly(void **state)
{
	static const char name[] = "/opt/my prog\nwith newline";
	char root[64];
	struct proc_info pi;

	(void)state;
	make_tmp_proc(root, name);
	assert_int_equal(procfs_read_proc(root, 100, &pi), 0);
	assert_string_equal(pi.exe, name);
	assert_false(pi.exe_deleted);
	assert_null(pi.cwd);
	proc_info_clear(&pi);
	nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_deleted_exe_with_newline_is_stripped(void **state)
{
	char root[64];
	struct proc_info pi;

	(void)state;
	make_tmp_proc(root, "/opt/a b\n (deleted)");
	assert_int_equal(procfs_read_proc(root, 100, &pi), 0);
	assert_string_equal(pi.exe, "/opt/a b\n");
	assert_true(pi.exe_deleted);
	proc_info_clear(&pi);
	nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_existing_file_named_deleted_is_not_deleted(void **state)
{
	char root[64], target[PATH_MAX], link[PATH_MAX];
	struct proc_info pi;
	int fd;

	(void)state;
	make_tmp_proc(root, "/placeholder");
	snprintf(target, sizeof(target), "%s/tool (deleted)", root);
	fd = open(target, O_WRONLY | O_CREAT, 0755);
	assert_true(fd >= 0);
	close(fd);
	snprintf(link, sizeof(link), "%s/100/exe", root);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(procfs_read_proc(root, 100, &pi), 0);
	assert_string_equal(pi.exe, target);
	assert_false(pi.exe_deleted);
	proc_info_clear(&pi);
	nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- the test process itself */

static void test_self_exe_matches_readlink(void **state)
{
	char want[PATH_MAX];
	struct proc_info pi;
	ssize_t n;

	(void)state;
	n = readlink("/proc/self/exe", want, sizeof(want) - 1);
	assert_true(n > 0);
	want[n] = '\0';
	assert_int_equal(procfs_read_proc("/proc", getpid(), &pi), 0);
	assert_string_equal(pi.exe, want);
	assert_int_equal(pi.uid, getuid());
	assert_int_equal(pi.gid, getgid());
	assert_int_equal(pi.ppid, getppid());
	proc_info_clear(&pi);
}

static void test_self_cmdline_matches_argv(void **state)
{
	const struct args *a = *state;
	struct proc_info pi;
	size_t off = 0;
	int i;

	assert_int_equal(procfs_read_proc("/proc", getpid(), &pi), 0);
	assert_int_equal(argc_of(&pi), a->argc);
	for (i = 0; i < a->argc; i++) {
		assert_string_equal(pi.cmdline + off, a->argv[i]);
		off += strlen(a->argv[i]) + 1;
	}
	assert_int_equal(off - 1, pi.cmdline_len);
	proc_info_clear(&pi);
}

static void test_self_start_time_nonzero_and_stable(void **state)
{
	struct proc_info pi;
	uint64_t start = 0;

	(void)state;
	assert_int_equal(procfs_read_proc("/proc", getpid(), &pi), 0);
	assert_true(pi.start_time > 0);
	assert_int_equal(procfs_stat_start("/proc", getpid(), &start), 0);
	assert_true(start == pi.start_time);
	proc_info_clear(&pi);
}

static void test_alive_checks_existence_and_start_time(void **state)
{
	char self[] = "/proc", tree[] = TREE;
	uint64_t start;

	(void)state;
	assert_int_equal(procfs_stat_start(self, getpid(), &start), 0);
	assert_int_equal(procfs_alive(getpid(), start, self), 1);
	assert_int_equal(procfs_alive(getpid(), 0, self), 1);
	assert_int_equal(procfs_alive(getpid(), start + 1, self), 0);
	assert_int_equal(procfs_alive(4242, 123456789, tree), 1);
	assert_int_equal(procfs_alive(31337, 1, tree), 0);
}

static void test_readlink_fd_gives_socket_st_ino(void **state)
{
	struct stat st;
	uint64_t ino = 0;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	(void)state;
	assert_true(s >= 0);
	assert_int_equal(fstat(s, &st), 0);
	assert_int_equal(procfs_readlink_fd("/proc", getpid(), s, &ino), 0);
	assert_true(ino == (uint64_t)st.st_ino);
	close(s);
}

static void test_targeted_scan_finds_own_socket(void **state)
{
	struct stat st;
	pid_t pids[2], owners[1] = { 0 };
	uint64_t ino;
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)state;
	assert_true(s >= 0);
	assert_int_equal(fstat(s, &st), 0);
	ino = st.st_ino;
	pids[0] = 1;
	pids[1] = getpid();
	assert_int_equal(procfs_scan_pids("/proc", pids, 2, &ino, 1, owners, NULL),
			 1);
	assert_int_equal(owners[0], getpid());
	close(s);
}

static void test_full_scan_finds_own_socket(void **state)
{
	struct stat st;
	pid_t owners[1] = { 0 };
	size_t nprocs = 0, nfds = 0;
	uint64_t ino;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	(void)state;
	assert_true(s >= 0);
	assert_int_equal(fstat(s, &st), 0);
	ino = st.st_ino;
	assert_int_equal(procfs_scan_all("/proc", &ino, 1, owners, NULL, &nprocs,
					 &nfds), 1);
	assert_int_equal(owners[0], getpid());
	assert_true(nprocs >= 1);
	assert_true(nfds >= 1);
	close(s);
}

static void test_full_scan_for_closed_socket_finds_nothing(void **state)
{
	struct stat st;
	pid_t owners[1] = { 0 };
	size_t nprocs = 0;
	uint64_t ino;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	(void)state;
	assert_true(s >= 0);
	assert_int_equal(fstat(s, &st), 0);
	ino = st.st_ino;
	close(s);
	assert_int_equal(procfs_scan_all("/proc", &ino, 1, owners, NULL, &nprocs,
					 NULL), 0);
	assert_int_equal(owners[0], 0);
	assert_true(nprocs >= 1);	/* at least us */
}

/* environ is read only for the process that started at that time. */
static void test_environ_needs_the_same_start_time(void **state)
{
	char buf[65536];
	uint64_t start;
	size_t len;

	(void)state;
	assert_int_equal(setenv("TATTLE_TEST_SECRET", "s3cret", 1), 0);
	assert_int_equal(procfs_stat_start("/proc", getpid(), &start), 0);
	assert_int_equal(procfs_read_environ("/proc", getpid(), start, buf,
					     sizeof(buf), &len), 0);
	assert_true(len > 0);
	assert_int_equal(procfs_read_environ("/proc", getpid(), start + 1, buf,
					     sizeof(buf), &len), -ESRCH);
	assert_int_equal(len, 0);
	assert_int_equal(procfs_read_environ("/proc", getpid(), 0, buf,
					     sizeof(buf), &len), -ESRCH);
}

/* A child holding our socket (inherited, no CLOEXEC): after exec(path)
 * when path is set, else still this program.  Waits until it runs it. */
static pid_t holder_child(int s, const char *path)
{
	char self[64], want[4096], got[4096];
	pid_t pid = fork();
	ssize_t n;
	int i;

	assert_true(pid >= 0);
	if (pid == 0) {
		(void)s;
		if (path)
			execl(path, path, "5", (char *)NULL);
		pause();
		_exit(0);
	}
	snprintf(self, sizeof(self), "/proc/%d/exe", (int)pid);
	n = readlink(path ? path : "/proc/self/exe", want, sizeof(want) - 1);
	want[n > 0 ? n : 0] = '\0';
	if (path)
		snprintf(want, sizeof(want), "%s", path);
	for (i = 0; i < 200; i++) {
		n = readlink(self, got, sizeof(got) - 1);
		got[n > 0 ? n : 0] = '\0';
		if (n > 0 && strcmp(got, want) == 0)
			break;
		usleep(10000);
	}
	return pid;
}

/* Issue 14 item 3: a socket inherited by a process that exec'd another
 * program is held by two executables: mixed.  Shared by a plain fork
 * (same program): not mixed. */
static void test_scan_sees_every_holder_of_a_shared_socket(void **state)
{
	struct stat st;
	pid_t owners[1] = { 0 }, pid;
	bool mixed[1] = { false };
	uint64_t ino;
	int s = socket(AF_INET, SOCK_STREAM, 0);	/* inherited */

	(void)state;
	assert_true(s >= 0);
	assert_int_equal(fstat(s, &st), 0);
	ino = st.st_ino;
	pid = holder_child(s, NULL);
	assert_int_equal(procfs_scan_all("/proc", &ino, 1, owners, mixed, NULL,
					 NULL), 1);
	assert_false(mixed[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	owners[0] = 0;
	pid = holder_child(s, "/bin/sleep");
	assert_int_equal(procfs_scan_all("/proc", &ino, 1, owners, mixed, NULL,
					 NULL), 1);
	assert_true(mixed[0]);
	owners[0] = 0;
	mixed[0] = false;
	{
		pid_t pids[2] = { getpid(), pid };

		assert_int_equal(procfs_scan_pids("/proc", pids, 2, &ino, 1,
						  owners, mixed), 1);
		assert_true(mixed[0]);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(s);
}

/* procfs_is: still the same process (start time and executable)? */
static void test_is_checks_start_time_and_exe(void **state)
{
	char self[4096];
	uint64_t start = 0;
	ssize_t n;

	(void)state;
	assert_int_equal(procfs_stat_start("/proc", getpid(), &start), 0);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	assert_int_equal(procfs_is("/proc", getpid(), start, self), 1);
	assert_int_equal(procfs_is("/proc", getpid(), 0, NULL), 1);
	assert_int_equal(procfs_is("/proc", getpid(), start + 1, self), 0);
	assert_int_equal(procfs_is("/proc", getpid(), start, "/bin/other"), 0);
}

/* Issue 14 item 2: our own executable is the file at its path here. */
static void test_read_proc_verifies_own_exe(void **state)
{
	struct proc_info pi;

	(void)state;
	assert_int_equal(procfs_read_proc("/proc", getpid(), &pi), 0);
	assert_non_null(pi.exe);
	assert_true(pi.verified);
	proc_info_clear(&pi);
}

/* Issue 14 item 10 on the real /proc: our parent started before us and
 * runs a verified file; we did not start before a child older than us. */
static void test_parent_exe_checks_start_time(void **state)
{
	char buf[4096], self[4096];
	uint64_t start = 0;
	ssize_t n;

	(void)state;
	assert_int_equal(procfs_stat_start("/proc", getpid(), &start), 0);
	assert_int_equal(procfs_parent_exe("/proc", getppid(), start, buf,
					   sizeof(buf)), 0);
	assert_true(buf[0] == '/');
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	assert_int_equal(procfs_parent_exe("/proc", getpid(), start, buf,
					   sizeof(buf)), 0);
	assert_string_equal(buf, self);
	assert_int_equal(procfs_parent_exe("/proc", getpid(), start - 1, buf,
					   sizeof(buf)), -ESTALE);
	assert_string_equal(buf, "");
	assert_int_equal(procfs_parent_exe("/proc", getpid(), 0, buf,
					   sizeof(buf)), -ESTALE);
}

int main(int argc, char **argv)
{
	struct args a = { argc, argv };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_sees_every_holder_of_a_shared_socket),
		cmocka_unit_test(test_parent_exe_checks_start_time),
		cmocka_unit_test(test_read_proc_verifies_own_exe),
		cmocka_unit_test(test_is_checks_start_time_and_exe),
		cmocka_unit_test(test_stat_comm_with_paren_and_space_parsed_after_last_paren),
		cmocka_unit_test(test_stat_kthread_has_ppid_zero_and_start_time),
		cmocka_unit_test(test_stat_long_comm_is_cut_to_comm_max),
		cmocka_unit_test(test_stat_comm_with_newline_and_fake_fields),
		cmocka_unit_test(test_stat_malformed_is_ebadmsg),
		cmocka_unit_test(test_stat_fixture_cut_before_field_22_is_ebadmsg),
		cmocka_unit_test(test_status_gives_real_uid_gid_and_ppid),
		cmocka_unit_test(test_status_without_uid_is_ebadmsg),
		cmocka_unit_test(test_cmdline_of_kernel_thread_is_empty),
		cmocka_unit_test(test_cmdline_keeps_argv_joined_by_nul),
		cmocka_unit_test(test_long_cmdline_is_truncated_and_flagged),
		cmocka_unit_test(test_exe_deleted_suffix_is_stripped_and_flagged),
		cmocka_unit_test(test_exe_with_nul_or_empty_is_ebadmsg),
		cmocka_unit_test(test_socket_link_table),
		cmocka_unit_test(test_read_proc_from_fixture_tree),
		cmocka_unit_test(test_read_proc_kernel_thread_has_no_exe_nor_cmdline),
		cmocka_unit_test(test_read_proc_deleted_exe_in_tree),
		cmocka_unit_test(test_read_proc_of_absent_pid_is_enoent),
		cmocka_unit_test(test_readlink_fd_in_fixture_tree),
		cmocka_unit_test(test_targeted_scan_of_fixture_tree_finds_owners),
		cmocka_unit_test(test_targeted_scan_skips_pids_not_listed),
		cmocka_unit_test(test_full_scan_of_fixture_tree_skips_non_pid_dirs),
		cmocka_unit_test(test_scan_rejects_too_many_inodes),
		cmocka_unit_test(test_exe_with_spaces_and_newline_is_kept_exactly),
		cmocka_unit_test(test_deleted_exe_with_newline_is_stripped),
		cmocka_unit_test(test_existing_file_named_deleted_is_not_deleted),
		cmocka_unit_test(test_self_exe_matches_readlink),
		cmocka_unit_test_prestate(test_self_cmdline_matches_argv, &a),
		cmocka_unit_test(test_self_start_time_nonzero_and_stable),
		cmocka_unit_test(test_alive_checks_existence_and_start_time),
		cmocka_unit_test(test_readlink_fd_gives_socket_st_ino),
		cmocka_unit_test(test_targeted_scan_finds_own_socket),
		cmocka_unit_test(test_full_scan_finds_own_socket),
		cmocka_unit_test(test_full_scan_for_closed_socket_finds_nothing),
		cmocka_unit_test(test_environ_needs_the_same_start_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
