/* test_hash.c - md5/sha1 of files and of what real processes run, the
 * cache by file identity, and the worker's WORKER_HASH round trip. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hash.h"
#include "procfs.h"
#include "worker.h"

static int tmp_file(const char *body, size_t len, char *path)
{
	int fd;

	strcpy(path, "/tmp/tattle-hash-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, len), (ssize_t)len);
	return fd;
}

static void test_known_vectors(void **state)
{
	static const struct {
		const char *body, *md5, *sha1;
	} v[] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e",
		  "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72",
		  "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "The quick brown fox jumps over the lazy dog",
		  "9e107d9d372bb6826bd81d3542a419d6",
		  "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12" },
	};
	struct hash_value h;
	char path[64];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int fd = tmp_file(v[i].body, strlen(v[i].body), path);

		assert_int_equal(hash_fd(fd, HASH_MD5 | HASH_SHA1, &h), 0);
		assert_string_equal(h.md5, v[i].md5);
		assert_string_equal(h.sha1, v[i].sha1);
		assert_int_equal(hash_fd(fd, HASH_SHA1, &h), 0);
		assert_string_equal(h.md5, "");
		assert_string_equal(h.sha1, v[i].sha1);
		close(fd);
		unlink(path);
	}
}

/* More than one read chunk (64 KiB), offset untouched. */
static void test_large_file_spans_chunks(void **state)
{
	size_t n = 200 * 1024 + 7;
	char *body = malloc(n), path[64];
	struct hash_value a, b;
	int fd;

	(void)state;
	assert_non_null(body);
	for (size_t i = 0; i < n; i++)
		body[i] = (char)(i * 31 + 7);
	fd = tmp_file(body, n, path);
	assert_int_equal(hash_fd(fd, HASH_MD5 | HASH_SHA1, &a), 0);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), (off_t)n);
	body[n - 1] ^= 1;
	assert_int_equal(pwrite(fd, body + n - 1, 1, (off_t)n - 1), 1);
	assert_int_equal(hash_fd(fd, HASH_MD5 | HASH_SHA1, &b), 0);
	assert_string_not_equal(a.md5, b.md5);
	assert_string_not_equal(a.sha1, b.sha1);
	close(fd);
	unlink(path);
	free(body);
}

static void test_not_a_regular_file(void **state)
{
	struct hash_value h;
	int p[2], d;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(hash_fd(p[0], HASH_MD5, &h), -EINVAL);
	close(p[0]);
	close(p[1]);
	d = open("/tmp", O_RDONLY | O_DIRECTORY);
	assert_int_equal(hash_fd(d, HASH_MD5, &h), -EINVAL);
	close(d);
}

/* ---- real processes */

struct child {
	pid_t pid;
	char exe[64];
};

/* A copy of /bin/sleep (plus extra bytes) running "sleep 30". */
static void spawn_copy(struct child *c, const char *extra)
{
	char cmd[256];
	int st;

	strcpy(c->exe, "/tmp/tattle-hash-exe-XXXXXX");
	close(mkstemp(c->exe));
	snprintf(cmd, sizeof(cmd), "cp /bin/sleep %s && printf '%s' >> %s && chmod 755 %s",
		 c->exe, extra, c->exe, c->exe);
	st = system(cmd);
	assert_int_equal(st, 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0) {
		execl(c->exe, "sleep", "30", (char *)NULL);
		_exit(127);
	}
	/* until it runs the copy, not us */
	for (int i = 0; i < 500; i++) {
		char link[64], target[256];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%d/exe", (int)c->pid);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0 && (target[n] = '\0', strstr(target, "tattle-hash-exe")))
			return;
		usleep(2000);
	}
	fail_msg("child never ran %s", c->exe);
}

static void reap(struct child *c)
{
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	unlink(c->exe);
}

static void file_hash(const char *path, struct hash_value *h)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(hash_fd(fd, HASH_MD5 | HASH_SHA1, h), 0);
	close(fd);
}

static void test_process_hash_is_of_the_file_it_runs(void **state)
{
	struct hash_cache *hc = hash_cache_new(8);
	struct hash_value want, got, other_want, other_got;
	struct hash_stats st;
	struct child a, b;
	uint64_t start;

	(void)state;
	spawn_copy(&a, "");
	spawn_copy(&b, "x");	/* one byte appended: another build */
	file_hash(a.exe, &want);
	file_hash(b.exe, &other_want);
	assert_int_equal(procfs_stat_start("/proc", a.pid, &start), 0);
	assert_int_equal(hash_cache_proc(hc, "/proc", a.pid, start, HASH_MD5, 1, &got), 0);
	assert_string_equal(got.md5, want.md5);
	assert_string_equal(got.sha1, "");
	/* sha1 later: computed once more; then both from the cache */
	assert_int_equal(hash_cache_proc(hc, "/proc", a.pid, start,
					 HASH_MD5 | HASH_SHA1, 2, &got), 0);
	assert_string_equal(got.sha1, want.sha1);
	assert_int_equal(hash_cache_proc(hc, "/proc", a.pid, 0,
					 HASH_MD5 | HASH_SHA1, 3, &got), 0);
	hash_cache_stats(hc, &st);
	assert_int_equal(st.computed, 2);
	assert_int_equal(st.hits, 1);
	assert_int_equal(hash_cache_proc(hc, "/proc", b.pid, 0, HASH_MD5, 4, &other_got), 0);
	assert_string_equal(other_got.md5, other_want.md5);
	assert_string_not_equal(other_got.md5, got.md5);
	/* the path removed: still the file the process runs */
	unlink(a.exe);
	assert_int_equal(hash_cache_proc(hc, "/proc", a.pid, start, HASH_MD5, 5, &got), 0);
	assert_string_equal(got.md5, want.md5);
	/* another identity of the pid, and a gone process */
	assert_int_equal(hash_cache_proc(hc, "/proc", a.pid, start + 1, HASH_MD5, 6, &got), -ESRCH);
	assert_string_equal(got.md5, "");
	reap(&a);
	assert_int_equal(hash_cache_proc(hc, "/proc", a.pid, start, HASH_MD5, 7, &got), -ESRCH);
	reap(&b);
	hash_cache_free(hc);
}

static void test_cache_is_bounded(void **state)
{
	struct hash_cache *hc = hash_cache_new(1);
	struct hash_value got;
	struct hash_stats st;
	struct child a, b;

	(void)state;
	spawn_copy(&a, "1");
	spawn_copy(&b, "2");
	assert_int_equal(hash_cache_proc(hc, "/proc", a.pid, 0, HASH_MD5, 1, &got), 0);
	assert_int_equal(hash_cache_proc(hc, "/proc", b.pid, 0, HASH_MD5, 2, &got), 0);
	assert_int_equal(hash_cache_proc(hc, "/proc", a.pid, 0, HASH_MD5, 3, &got), 0);
	hash_cache_stats(hc, &st);
	assert_int_equal(st.computed, 3);
	assert_int_equal(st.evictions, 2);
	reap(&a);
	reap(&b);
	hash_cache_free(hc);
}

static void on_result(struct worker_result *r, void *data)
{
	*(struct worker_result *)data = *r;
}

static void test_worker_hashes_off_the_loop(void **state)
{
	struct worker *w = worker_new(NULL);
	struct worker_req q = { .op = WORKER_HASH, .cookie = 42,
				.hash_which = HASH_MD5 | HASH_SHA1 };
	struct worker_result r;
	struct worker_stats ws;
	struct hash_value want;
	struct pollfd pfd;
	struct child a;

	(void)state;
	assert_non_null(w);
	spawn_copy(&a, "w");
	file_hash(a.exe, &want);
	q.pid = a.pid;
	assert_int_equal(procfs_stat_start("/proc", a.pid, &q.start_time), 0);
	assert_int_equal(worker_submit(w, &q), 0);
	pfd.fd = worker_fd(w);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	memset(&r, 0, sizeof(r));
	assert_int_equal(worker_results(w, on_result, &r), 1);
	assert_int_equal(r.op, WORKER_HASH);
	assert_int_equal(r.cookie, 42);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.pid, a.pid);
	assert_string_equal(r.hash.md5, want.md5);
	assert_string_equal(r.hash.sha1, want.sha1);
	worker_get_stats(w, &ws);
	assert_int_equal(ws.hash_computed, 1);
	q.hash_which = 0;
	assert_int_equal(worker_submit(w, &q), -EINVAL);
	reap(&a);
	worker_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_large_file_spans_chunks),
		cmocka_unit_test(test_not_a_regular_file),
		cmocka_unit_test(test_process_hash_is_of_the_file_it_runs),
		cmocka_unit_test(test_cache_is_bounded),
		cmocka_unit_test(test_worker_hashes_off_the_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
