/* test_worker.c - requests round-trip through the worker thread. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "worker.h"

#define WAIT_MS 10000

struct got {
	size_t n;
	struct worker_result r[8];	/* pi not kept: see keep_pi */
	char exe[8][PATH_MAX];
	struct proc_info kept;		/* taken by the take_pi callback */
};

static void collect(struct worker_result *r, void *data)
{
	struct got *g = data;

	if (g->n < 8) {
		g->r[g->n] = *r;
		memset(&g->r[g->n].pi, 0, sizeof(r->pi));
		snprintf(g->exe[g->n], PATH_MAX, "%s", r->pi.exe ? r->pi.exe : "");
	}
	g->n++;
}

static void take_pi(struct worker_result *r, void *data)
{
	struct got *g = data;

	g->kept = r->pi;
	memset(&r->pi, 0, sizeof(r->pi));
	g->n++;
}

static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Poll and drain until want results arrived (or the deadline). */
static void wait_for(struct worker *w, struct got *g, size_t want,
		     worker_result_fn cb)
{
	int left = WAIT_MS / 10;

	while (g->n < want && left-- > 0) {
		if (readable(worker_fd(w), 10))
			worker_results(w, cb, g);
	}
	assert_int_equal(g->n, want);
}

static uint64_t socket_ino(int s)
{
	struct stat st;

	assert_true(s >= 0);
	assert_int_equal(fstat(s, &st), 0);
	return st.st_ino;
}

static void test_read_proc_round_trips_with_cookie(void **state)
{
	struct worker *w = worker_new(NULL);
	struct worker_req q = { .op = WORKER_READ_PROC, .cookie = 42 };
	char exe[PATH_MAX];
	struct got g = { 0 };
	ssize_t n;

	(void)state;
	assert_non_null(w);
	q.pid = getpid();
	assert_int_equal(worker_submit(w, &q), 0);
	wait_for(w, &g, 1, collect);
	assert_true(g.r[0].cookie == 42);
	assert_int_equal(g.r[0].op, WORKER_READ_PROC);
	assert_int_equal(g.r[0].err, 0);
	assert_int_equal(g.r[0].pid, getpid());
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	assert_string_equal(g.exe[0], exe);
	worker_free(w);
}

static void test_result_fd_readable_until_drained(void **state)
{
	struct worker *w = worker_new(NULL);
	struct worker_req q = { .op = WORKER_READ_PROC, .cookie = 1 };
	struct got g = { 0 };

	(void)state;
	q.pid = getpid();
	assert_false(readable(worker_fd(w), 0));
	assert_int_equal(worker_submit(w, &q), 0);
	assert_true(readable(worker_fd(w), WAIT_MS));
	assert_int_equal(worker_results(w, collect, &g), 1);
	assert_false(readable(worker_fd(w), 0));
	worker_free(w);
}

static void test_read_of_absent_pid_is_enoent(void **state)
{
	struct worker_config c = { .procroot = "tests/data/proc/tree" };
	struct worker *w = worker_new(&c);
	struct worker_req q = { .op = WORKER_READ_PROC, .cookie = 5,
				.pid = 31337 };
	struct got g = { 0 };

	(void)state;
	assert_int_equal(worker_submit(w, &q), 0);
	wait_for(w, &g, 1, collect);
	assert_int_equal(g.r[0].err, -ENOENT);
	assert_int_equal(g.r[0].pid, 0);
	worker_free(w);
}

static void test_targeted_scan_reports_each_inode(void **state)
{
	struct worker *w = worker_new(NULL);
	struct worker_req q = { .op = WORKER_SCAN_PIDS, .cookie = 7,
				.n_inos = 2, .n_pids = 1 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct got g = { 0 };
	size_t i, found = 0;

	(void)state;
	q.inos[0] = socket_ino(s);
	q.inos[1] = UINT64_MAX;		/* no such socket */
	q.pids[0] = getpid();
	assert_int_equal(worker_submit(w, &q), 0);
	wait_for(w, &g, 2, collect);
	for (i = 0; i < 2; i++) {
		assert_true(g.r[i].cookie == 7);
		if (g.r[i].ino == q.inos[0]) {
			assert_int_equal(g.r[i].err, 0);
			assert_int_equal(g.r[i].pid, getpid());
			found++;
		} else {
			assert_true(g.r[i].ino == UINT64_MAX);
			assert_int_equal(g.r[i].err, -ENOENT);
		}
	}
	assert_int_equal(found, 1);
	close(s);
	worker_free(w);
}

static void test_full_scan_finds_own_socket_with_proc_info(void **state)
{
	struct worker *w = worker_new(NULL);
	struct worker_req q = { .op = WORKER_SCAN_ALL, .cookie = 9,
				.n_inos = 1 };
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct worker_stats st;
	struct got g = { 0 };

	(void)state;
	q.inos[0] = socket_ino(s);
	assert_int_equal(worker_submit(w, &q), 0);
	wait_for(w, &g, 1, take_pi);
	assert_int_equal(g.kept.pid, getpid());
	assert_true(g.kept.start_time > 0);
	assert_non_null(g.kept.exe);
	worker_get_stats(w, &st);
	assert_int_equal(st.scans_all, 1);
	assert_true(st.fds_scanned >= 1);
	proc_info_clear(&g.kept);
	close(s);
	worker_free(w);
}

/* ---- look-ups: user names and environments, off the loop */

struct lookup_got {
	size_t n;
	struct worker_result r;		/* env taken, pi not kept */
};

static void take_lookup(struct worker_result *r, void *data)
{
	struct lookup_got *g = data;

	g->r = *r;
	memset(&g->r.pi, 0, sizeof(g->r.pi));
	r->env = NULL;
	g->n++;
}

static void lookup(struct worker *w, const struct worker_req *q,
		   struct lookup_got *g)
{
	int left = WAIT_MS / 10;

	memset(g, 0, sizeof(*g));
	assert_int_equal(worker_submit(w, q), 0);
	while (g->n < 1 && left-- > 0)
		if (readable(worker_fd(w), 10))
			worker_results(w, take_lookup, g);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->r.op, WORKER_LOOKUP);
	assert_int_equal(g->r.err, 0);
}

static void test_lookup_names_uid_and_reads_environ(void **state)
{
	struct worker *w = worker_new(NULL);
	struct worker_req q = { .op = WORKER_LOOKUP, .cookie = 9,
				.want_user = true, .want_env = true };
	struct passwd *pw = getpwuid(getuid());
	static char want[WORKER_ENV_MAX];
	struct lookup_got g;
	ssize_t n;
	int fd;

	(void)state;
	assert_non_null(w);
	assert_non_null(pw);
	q.uid = getuid();
	q.pid = getpid();
	assert_int_equal(procfs_stat_start("/proc", getpid(), &q.start_time), 0);
	lookup(w, &q, &g);
	assert_true(g.r.cookie == 9);
	assert_true(g.r.want_user && g.r.want_env);
	assert_int_equal(g.r.uid, getuid());
	assert_string_equal(g.r.user, pw->pw_name);
	/* the same bytes as our own read of /proc/self/environ */
	assert_true((fd = open("/proc/self/environ", O_RDONLY)) >= 0);
	n = read(fd, want, sizeof(want));
	close(fd);
	assert_true(n >= 0);
	assert_non_null(g.r.env);
	assert_int_equal(g.r.env_len, (size_t)n);
	assert_memory_equal(g.r.env, want, (size_t)n);
	free(g.r.env);
	worker_free(w);
}

static void test_lookup_of_reused_pid_or_nameless_uid_finds_nothing(void **state)
{
	struct worker *w = worker_new(NULL);
	struct worker_req q = { .op = WORKER_LOOKUP, .want_user = true,
				.want_env = true, .uid = 3999999999u };
	struct lookup_got g;

	(void)state;
	assert_non_null(w);
	q.pid = getpid();
	assert_int_equal(procfs_stat_start("/proc", getpid(), &q.start_time), 0);
	q.start_time++;		/* another process that had our pid */
	lookup(w, &q, &g);
	assert_string_equal(g.r.user, "");
	assert_null(g.r.env);
	/* a user look-up alone needs no process */
	q.want_env = false;
	q.pid = 0;
	q.start_time = 0;
	q.uid = getuid();
	lookup(w, &q, &g);
	assert_int_not_equal(strlen(g.r.user), 0);
	assert_null(g.r.env);
	worker_free(w);
}

static void test_malformed_request_is_einval(void **state)
{
	struct worker *w = worker_new(NULL);
	struct worker_req q = { .op = WORKER_SCAN_ALL, .n_inos = 0 };

	(void)state;
	assert_int_equal(worker_submit(w, &q), -EINVAL);
	q.n_inos = PROCFS_SCAN_MAX_INOS + 1;
	assert_int_equal(worker_submit(w, &q), -EINVAL);
	q.op = WORKER_SCAN_PIDS;
	q.n_inos = 1;
	q.n_pids = 0;
	assert_int_equal(worker_submit(w, &q), -EINVAL);
	q.op = WORKER_READ_PROC;
	q.pid = 0;
	assert_int_equal(worker_submit(w, &q), -EINVAL);
	q.op = WORKER_LOOKUP;		/* asks for nothing */
	assert_int_equal(worker_submit(w, &q), -EINVAL);
	q.want_env = true;		/* an environment needs the process */
	assert_int_equal(worker_submit(w, &q), -EINVAL);
	worker_free(w);
}

/* A fake procroot whose 1/stat is a FIFO: the worker blocks reading it
 * for as long as we hold the write end open. */
struct blocker {
	char root[64];
	char fifo[PATH_MAX];
	int wfd;
};

static void block_worker(struct worker *w, struct blocker *b)
{
	struct worker_req q = { .op = WORKER_READ_PROC, .cookie = 1,
				.pid = 1 };
	int tries = WAIT_MS;
	struct timespec ms = { 0, 1000000 };
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/1", b->root);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(b->fifo, sizeof(b->fifo), "%s/1/stat", b->root);
	assert_int_equal(mkfifo(b->fifo, 0600), 0);
	assert_int_equal(worker_submit(w, &q), 0);
	/* Opening the write end succeeds once the worker is the reader. */
	while ((b->wfd = open(b->fifo, O_WRONLY | O_NONBLOCK)) < 0 &&
	       tries-- > 0)
		nanosleep(&ms, NULL);
	assert_true(b->wfd >= 0);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* EOF for the worker's read; the tree stays until remove_tree(). */
static void unblock_worker(struct blocker *b)
{
	close(b->wfd);
}

static void remove_tree(struct blocker *b)
{
	nftw(b->root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_full_request_queue_is_enospc(void **state)
{
	struct blocker b = { .root = "/tmp/tattle-worker-XXXXXX" };
	struct worker_config c = { .max_requests = 2 };
	struct worker_req q = { .op = WORKER_READ_PROC, .pid = 2 };
	struct worker_stats st;
	struct got g = { 0 };
	struct worker *w;

	(void)state;
	assert_non_null(mkdtemp(b.root));
	c.procroot = b.root;
	w = worker_new(&c);
	block_worker(w, &b);
	q.cookie = 2;
	assert_int_equal(worker_submit(w, &q), 0);
	q.cookie = 3;
	assert_int_equal(worker_submit(w, &q), 0);
	q.cookie = 4;
	assert_int_equal(worker_submit(w, &q), -ENOSPC);
	worker_get_stats(w, &st);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.requests, 3);
	unblock_worker(&b);
	wait_for(w, &g, 3, collect);
	assert_true(g.r[0].cookie == 1);
	assert_int_equal(g.r[0].err, -EBADMSG);	/* empty stat */
	assert_true(g.r[1].cookie == 2);
	assert_int_equal(g.r[1].err, -ENOENT);
	assert_true(g.r[2].cookie == 3);
	worker_free(w);
	remove_tree(&b);
}

static void test_queued_full_scans_share_one_pass(void **state)
{
	struct blocker b = { .root = "/tmp/tattle-worker-XXXXXX" };
	struct worker_config c = { 0 };
	struct worker_req q = { .op = WORKER_SCAN_ALL, .n_inos = 1 };
	char path[PATH_MAX];
	struct worker_stats st;
	struct got g = { 0 };
	struct worker *w;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(b.root));
	snprintf(path, sizeof(path), "%s/4242", b.root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/4242/fd", b.root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/4242/fd/3", b.root);
	assert_int_equal(symlink("socket:[777]", path), 0);
	c.procroot = b.root;
	w = worker_new(&c);
	block_worker(w, &b);
	for (i = 0; i < 3; i++) {
		q.cookie = 10 + i;
		q.inos[0] = i < 2 ? 777 : 888;
		assert_int_equal(worker_submit(w, &q), 0);
	}
	unblock_worker(&b);
	wait_for(w, &g, 4, collect);
	worker_get_stats(w, &st);
	assert_int_equal(st.scans_all, 1);
	assert_int_equal(st.coalesced, 2);
	assert_true(g.r[1].cookie == 10 && g.r[1].pid == 4242);
	assert_true(g.r[2].cookie == 11 && g.r[2].pid == 4242);
	assert_true(g.r[3].cookie == 12 && g.r[3].err == -ENOENT);
	worker_free(w);
	remove_tree(&b);
}

static void test_shutdown_frees_undrained_results(void **state)
{
	struct worker *w = worker_new(NULL);
	struct worker_req q = { .op = WORKER_READ_PROC };
	int i;

	(void)state;
	q.pid = getpid();
	for (i = 0; i < 4; i++) {
		q.cookie = (uint64_t)i;
		assert_int_equal(worker_submit(w, &q), 0);
	}
	assert_true(readable(worker_fd(w), WAIT_MS));
	worker_free(w);		/* LSan checks the proc_info strings */
}

static void test_shutdown_wakes_worker_blocked_on_full_results(void **state)
{
	struct worker_config c = { .max_results = 1 };
	struct worker *w = worker_new(&c);
	struct worker_req q = { .op = WORKER_READ_PROC };
	struct timespec ms = { 0, 20000000 };
	int i;

	(void)state;
	q.pid = getpid();
	for (i = 0; i < 3; i++)
		assert_int_equal(worker_submit(w, &q), 0);
	assert_true(readable(worker_fd(w), WAIT_MS));
	nanosleep(&ms, NULL);	/* let it block on the second result */
	worker_free(w);
}

static void test_many_results_all_delivered_in_order(void **state)
{
	struct worker_config c = { .max_results = 2, .max_requests = 8 };
	struct worker *w = worker_new(&c);
	struct worker_req q = { .op = WORKER_READ_PROC };
	struct got g = { 0 };
	size_t i;

	(void)state;
	q.pid = getpid();
	for (i = 0; i < 8; i++) {
		q.cookie = 100 + i;
		assert_int_equal(worker_submit(w, &q), 0);
	}
	wait_for(w, &g, 8, collect);
	for (i = 0; i < 8; i++)
		assert_true(g.r[i].cookie == 100 + i);
	worker_free(w);
}

/* WORKER_CGROUP walks the tree it was given (a plain directory here: the
 * id is what cgroup_id_of says, as on the cgroup2 mount) and sends the
 * path in pi.cgroup; a gone id is -ENOENT, and without a mount the
 * request is refused at once. */
static void test_cgroup_id_walked_to_path(void **state)
{
	char top[] = "/tmp/tattle-ut-wcg-XXXXXX", p[64];
	struct worker_config c = { .cgroup_mnt = top };
	struct worker_req q = { .op = WORKER_CGROUP, .cookie = 9 };
	struct worker_stats st;
	struct worker *w;
	struct got g = { 0 };
	uint64_t id;

	(void)state;
	assert_non_null(mkdtemp(top));
	snprintf(p, sizeof(p), "%s/a.slice", top);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/a.slice/docker-1.scope", top);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(cgroup_id_of(AT_FDCWD, p, &id), 0);
	assert_non_null(w = worker_new(&c));
	q.cgroup_id = id;
	assert_int_equal(worker_submit(w, &q), 0);
	wait_for(w, &g, 1, take_pi);
	assert_non_null(g.kept.cgroup);
	assert_string_equal(g.kept.cgroup, "/a.slice/docker-1.scope");
	assert_int_equal(rmdir(p), 0);
	proc_info_clear(&g.kept);
	/* gone now, but the worker's cache still has it; another id is not
	 * found */
	assert_int_equal(worker_submit(w, &q), 0);
	wait_for(w, &g, 2, take_pi);
	assert_non_null(g.kept.cgroup);
	assert_string_equal(g.kept.cgroup, "/a.slice/docker-1.scope");
	proc_info_clear(&g.kept);
	q.cgroup_id = id + 1000003;
	assert_int_equal(worker_submit(w, &q), 0);
	g.n = 0;
	wait_for(w, &g, 1, collect);
	assert_int_equal(g.r[0].err, -ENOENT);
	assert_true(g.r[0].cgroup_id == id + 1000003);
	assert_int_equal(g.r[0].op, WORKER_CGROUP);
	worker_get_stats(w, &st);
	assert_int_equal(st.cgroup_walks, 2);
	q.cgroup_id = 0;
	assert_int_equal(worker_submit(w, &q), -EINVAL);
	worker_free(w);
	assert_non_null(w = worker_new(NULL));
	q.cgroup_id = id;
	assert_int_equal(worker_submit(w, &q), -EOPNOTSUPP);
	worker_free(w);
	snprintf(p, sizeof(p), "%s/a.slice", top);
	rmdir(p);
	rmdir(top);
}

static void test_free_null_is_noop(void **state)
{
	(void)state;
	worker_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_proc_round_trips_with_cookie),
		cmocka_unit_test(test_result_fd_readable_until_drained),
		cmocka_unit_test(test_read_of_absent_pid_is_enoent),
		cmocka_unit_test(test_targeted_scan_reports_each_inode),
		cmocka_unit_test(test_full_scan_finds_own_socket_with_proc_info),
		cmocka_unit_test(test_lookup_names_uid_and_reads_environ),
		cmocka_unit_test(test_lookup_of_reused_pid_or_nameless_uid_finds_nothing),
		cmocka_unit_test(test_malformed_request_is_einval),
		cmocka_unit_test(test_full_request_queue_is_enospc),
		cmocka_unit_test(test_queued_full_scans_share_one_pass),
		cmocka_unit_test(test_shutdown_frees_undrained_results),
		cmocka_unit_test(test_shutdown_wakes_worker_blocked_on_full_results),
		cmocka_unit_test(test_many_results_all_delivered_in_order),
		cmocka_unit_test(test_cgroup_id_walked_to_path),
		cmocka_unit_test(test_free_null_is_noop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
