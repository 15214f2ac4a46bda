/* test_bpfjoin.c - an eBPF owner record joined to a process: its cgroup,
 * unit and container come from the record's cgroup id (through the loop's
 * id -> path cache) for a process that has exited, and win over /proc's
 * for one that has moved.  Real processes: this one, and a child that has
 * exited and been reaped. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfjoin.h"
#include "cgroup.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CTR_PATH "/system.slice/docker-" ID64 ".scope"
#define CG_CTR	1001	/* cgroup ids the cache knows */
#define CG_GONE	1002
#define CG_NEW	1003	/* one it does not know */

struct fx {
	struct pidcache *pc;
	struct cgroup_cache *cg;
	struct bpfjoin_ctx j;
};

static int setup(void **state)
{
	struct pidcache_config pcc = { .max_procs = 64 };
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || !(f->pc = pidcache_new(&pcc)) ||
	    !(f->cg = cgroup_cache_new("/nonexistent-tattle-ut", 0)))
		return -1;
	if (cgroup_cache_put(f->cg, CG_CTR, CTR_PATH, 1) < 0 ||
	    cgroup_cache_put(f->cg, CG_GONE, NULL, 1) < 0)
		return -1;
	f->j = (struct bpfjoin_ctx){ .pc = f->pc, .cg = f->cg,
				     .hz = sysconf(_SC_CLK_TCK) };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	pidcache_free(f->pc);
	cgroup_cache_free(f->cg);
	free(f);
	return 0;
}

/* The record the BPF programs would write for pid (alive now). */
static void record_of(pid_t pid, long hz, uint64_t cgroup_id,
		      struct flowrec_owner *o)
{
	struct proc_info pi = { 0 };
	struct stat sb;

	assert_int_equal(procfs_read_proc("/proc", pid, &pi), 0);
	assert_int_equal(stat(pi.exe, &sb), 0);
	memset(o, 0, sizeof(*o));
	o->tgid = o->pid = (uint32_t)pid;
	o->uid = pi.uid;
	o->gid = pi.gid;
	o->exe_dev = (uint64_t)major(sb.st_dev) << 20 | minor(sb.st_dev);
	o->exe_ino = sb.st_ino;
	o->cgroup_id = cgroup_id;
	o->start_ns = pi.start_time * (1000000000ULL / (uint64_t)hz);
	memcpy(o->comm, pi.comm, sizeof(o->comm));
	proc_info_clear(&pi);
}

static void test_exited_sender_gets_container_from_record(void **state)
{
	struct fx *f = *state;
	const struct proc_info *out;
	struct flowrec_owner o;
	int p[2], st;
	pid_t child;
	char c;

	assert_int_equal(pipe(p), 0);
	if ((child = fork()) == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) < 0);
	}
	close(p[0]);
	record_of(child, f->j.hz, CG_CTR, &o);
	close(p[1]);
	assert_int_equal(waitpid(child, &st, 0), child);

	assert_int_equal(bpfjoin_owner(&f->j, &o, 10, &out), 0);
	assert_int_equal(f->j.st.exited, 1);
	assert_int_equal(out->pid, child);
	assert_string_equal(out->cgroup, CTR_PATH);
	assert_string_equal(out->unit, "docker-" ID64 ".scope");
	assert_string_equal(out->container_id, ID64);
	assert_string_equal(out->container_runtime, "docker");
	assert_int_equal(f->j.st.cgroup_from_record, 1);
	assert_int_equal(f->j.st.cgroup_moved, 0);
}

static void test_exited_sender_of_unknown_cgroup_has_none(void **state)
{
	struct fx *f = *state;
	const struct proc_info *out;
	struct flowrec_owner o;
	uint64_t ids[] = { CG_GONE, CG_NEW, 0 };
	int p[2], st;
	pid_t child;
	char c;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_int_equal(pipe(p), 0);
		if ((child = fork()) == 0) {
			close(p[1]);
			_exit(read(p[0], &c, 1) < 0);
		}
		close(p[0]);
		record_of(child, f->j.hz, ids[i], &o);
		close(p[1]);
		assert_int_equal(waitpid(child, &st, 0), child);
		assert_int_equal(bpfjoin_owner(&f->j, &o, 10, &out), 0);
		assert_int_equal(out->pid, child);
		assert_null(out->cgroup);
		assert_null(out->container_id);
	}
	assert_int_equal(f->j.st.cgroup_from_record, 0);
}

/* This process "moved": /proc names its real cgroup, the record the
 * container's.  The record wins, in the cache too; asked again, the
 * cache answers without another change. */
static void test_record_cgroup_wins_over_proc(void **state)
{
	struct fx *f = *state;
	const struct proc_info *out;
	struct proc_info self = { 0 };
	struct flowrec_owner o;

	assert_int_equal(procfs_read_proc("/proc", getpid(), &self), 0);
	assert_non_null(self.cgroup);
	assert_string_not_equal(self.cgroup, CTR_PATH);
	record_of(getpid(), f->j.hz, CG_CTR, &o);
	assert_int_equal(bpfjoin_owner(&f->j, &o, 10, &out), 0);
	assert_int_equal(f->j.st.read, 1);
	assert_string_equal(out->cgroup, CTR_PATH);
	assert_string_equal(out->container_id, ID64);
	assert_int_equal(f->j.st.cgroup_moved, 1);
	assert_int_equal(bpfjoin_owner(&f->j, &o, 11, &out), 0);
	assert_int_equal(f->j.st.cached, 1);
	assert_string_equal(out->cgroup, CTR_PATH);
	assert_int_equal(f->j.st.cgroup_moved, 1);
	/* a record whose cgroup the cache does not know: what is known
	 * stays (here, the record's earlier answer in the process cache) */
	o.cgroup_id = CG_NEW;
	assert_int_equal(bpfjoin_owner(&f->j, &o, 12, &out), 0);
	assert_string_equal(out->cgroup, CTR_PATH);
	proc_info_clear(&self);
}

/* Cached with /proc's cgroup, then a record from another: the cached
 * entry is refreshed with the record's, keeping the rest it knew. */
static void test_cached_process_moved_keeps_other_facts(void **state)
{
	struct fx *f = *state;
	const struct proc_info *out;
	struct proc_info self = { 0 };
	struct flowrec_owner o;

	assert_int_equal(procfs_read_proc("/proc", getpid(), &self), 0);
	assert_int_equal(pidcache_put(f->pc, &self, 5), 0);
	record_of(getpid(), f->j.hz, CG_CTR, &o);
	assert_int_equal(bpfjoin_owner(&f->j, &o, 10, &out), 0);
	assert_int_equal(f->j.st.cached, 1);
	assert_int_equal(f->j.st.read, 0);
	assert_int_equal(f->j.st.cgroup_moved, 1);
	assert_string_equal(out->cgroup, CTR_PATH);
	assert_string_equal(out->exe, self.exe);
	assert_int_equal(out->cmdline_len, self.cmdline_len);
	assert_memory_equal(out->cmdline, self.cmdline, self.cmdline_len);
	proc_info_clear(&self);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exited_sender_gets_container_from_record,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exited_sender_of_unknown_cgroup_has_none,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_cgroup_wins_over_proc,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cached_process_moved_keeps_other_facts,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
