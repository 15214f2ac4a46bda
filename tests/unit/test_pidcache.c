/* test_pidcache.c - process cache and indexes under simulated time. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "pidcache.h"

#define TTL	1000
#define GRACE	500
#define DEST_TTL 2000

static const uint8_t ip_a[16] = { 10, 0, 0, 1 };
static const uint8_t ip_b[16] = { 10, 0, 0, 2 };

static struct pidcache *new_cache(size_t procs, size_t inodes, size_t dests,
				  size_t per_key)
{
	struct pidcache_config c = {
		.max_procs = procs, .max_inodes = inodes, .max_dests = dests,
		.dests_per_key = per_key, .ttl_ms = TTL, .grace_ms = GRACE,
		.dest_ttl_ms = DEST_TTL,
	};
	struct pidcache *pc = pidcache_new(&c);

	assert_non_null(pc);
	return pc;
}

static void put(struct pidcache *pc, pid_t pid, uint64_t start,
		const char *exe, uint64_t now)
{
	char buf[64];
	struct proc_info pi;

	memset(&pi, 0, sizeof(pi));
	pi.pid = pid;
	pi.start_time = start;
	pi.uid = 1000;
	snprintf(buf, sizeof(buf), "%s", exe);
	pi.exe = buf;
	strcpy(pi.comm, "t");
	assert_int_equal(pidcache_put(pc, &pi, now), 0);
}

static struct pidcache_stats stats(const struct pidcache *pc)
{
	struct pidcache_stats st;

	pidcache_get_stats(pc, &st);
	return st;
}

static bool cached(struct pidcache *pc, pid_t pid, uint64_t now)
{
	const struct proc_info *pi;

	return pidcache_get(pc, pid, now, &pi) == 0;
}

static void test_put_copies_and_get_returns_it(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out;

	(void)state;
	put(pc, 100, 7, "/usr/bin/curl", 0);
	assert_int_equal(pidcache_get(pc, 100, 10, &out), 0);
	assert_int_equal(out->pid, 100);
	assert_true(out->start_time == 7);
	assert_string_equal(out->exe, "/usr/bin/curl");
	assert_int_equal(stats(pc).hits, 1);
	assert_int_equal(stats(pc).entries, 1);
	pidcache_free(pc);
}

static void test_set_hash_fills_the_entry_and_a_put_clears_it(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out;
	struct proc_info pi;
	char exe[] = "/usr/bin/curl", cg[] = "/system.slice/x.service";

	(void)state;
	memset(&pi, 0, sizeof(pi));
	pi.pid = 100;
	pi.start_time = 7;
	pi.exe = exe;
	pi.cgroup = cg;
	assert_int_equal(pidcache_put(pc, &pi, 0), 0);
	assert_int_equal(pidcache_set_hash(pc, 100, 7, "0123456789abcdef0123456789abcdef",
					   NULL, 1), 0);
	assert_int_equal(pidcache_set_hash(pc, 100, 8, "ff", NULL, 1), -ESTALE);
	assert_int_equal(pidcache_set_hash(pc, 101, 0, "ff", NULL, 1), -ENOENT);
	assert_int_equal(pidcache_get(pc, 100, 2, &out), 0);
	assert_string_equal(out->md5, "0123456789abcdef0123456789abcdef");
	assert_string_equal(out->sha1, "");
	assert_string_equal(out->cgroup, "/system.slice/x.service");
	assert_ptr_not_equal(out->cgroup, cg);
	/* a refresh may follow an exec under the same path: hashes go */
	assert_int_equal(pidcache_put(pc, &pi, 3), 0);
	assert_int_equal(pidcache_get(pc, 100, 4, &out), 0);
	assert_string_equal(out->md5, "");
	pidcache_free(pc);
}

static void test_get_absent_is_enoent_and_a_miss(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out = (void *)1;

	(void)state;
	assert_int_equal(pidcache_get(pc, 100, 0, &out), -ENOENT);
	assert_null(out);
	assert_int_equal(stats(pc).misses, 1);
	pidcache_free(pc);
}

static void test_entry_idle_past_ttl_expires_on_get(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);

	(void)state;
	put(pc, 100, 7, "/bin/a", 0);
	assert_false(cached(pc, 100, TTL + 1));
	assert_int_equal(stats(pc).expired_age, 1);
	assert_int_equal(stats(pc).entries, 0);
	pidcache_free(pc);
}

static void test_hit_refreshes_idle_time(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);

	(void)state;
	put(pc, 100, 7, "/bin/a", 0);
	assert_true(cached(pc, 100, TTL - 100));
	assert_true(cached(pc, 100, 2 * TTL - 200));
	assert_int_equal(stats(pc).expired_age, 0);
	pidcache_free(pc);
}

static void test_expire_drops_idle_entries_by_age(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	put(pc, 2, 1, "/bin/a", 0);
	put(pc, 3, 1, "/bin/a", TTL);
	assert_int_equal(pidcache_expire(pc, TTL + 1, 8, NULL, NULL), 2);
	assert_int_equal(stats(pc).expired_age, 2);
	assert_int_equal(stats(pc).entries, 1);
	assert_true(cached(pc, 3, TTL + 1));
	pidcache_free(pc);
}

struct probe {
	pid_t dead;		/* reported gone */
	size_t calls;
	pid_t seen_pid[64];
	uint64_t seen_start[64];
};

static int probe_alive(pid_t pid, uint64_t start_time, void *data)
{
	struct probe *p = data;

	if (p->calls < 64) {
		p->seen_pid[p->calls] = pid;
		p->seen_start[p->calls] = start_time;
	}
	p->calls++;
	return pid != p->dead;
}

static void test_alive_callback_gets_pid_and_start_time(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	struct probe p = { 0 };

	(void)state;
	put(pc, 100, 4242, "/bin/a", 0);
	assert_int_equal(pidcache_expire(pc, 10, 8, probe_alive, &p), 0);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.seen_pid[0], 100);
	assert_true(p.seen_start[0] == 4242);
	pidcache_free(pc);
}

static void test_gone_process_is_kept_for_grace_period(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	struct probe p = { .dead = 100 };

	(void)state;
	put(pc, 100, 1, "/bin/a", 0);
	assert_int_equal(pidcache_expire(pc, 100, 8, probe_alive, &p), 0);
	assert_true(cached(pc, 100, 100 + GRACE));
	assert_int_equal(stats(pc).expired_dead, 0);
	pidcache_free(pc);
}

static void test_gone_process_is_dropped_after_grace(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	struct probe p = { .dead = 100 };

	(void)state;
	put(pc, 100, 1, "/bin/a", 0);
	put(pc, 200, 1, "/bin/b", 0);
	pidcache_expire(pc, 100, 8, probe_alive, &p);
	assert_int_equal(pidcache_expire(pc, 101 + GRACE, 8, probe_alive, &p),
			 1);
	assert_int_equal(stats(pc).expired_dead, 1);
	assert_false(cached(pc, 100, 101 + GRACE));
	assert_true(cached(pc, 200, 101 + GRACE));
	pidcache_free(pc);
}

static void test_dropped_process_takes_its_index_entries(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	struct probe p = { .dead = 100 };
	struct pidcache_cand c[2];
	const struct proc_info *out;

	(void)state;
	put(pc, 100, 1, "/bin/a", 0);
	assert_int_equal(pidcache_put_inode(pc, 555, 100, 1, 0), 0);
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 100, 1, false, 0, 0,
					   0), 0);
	pidcache_expire(pc, 100, 8, probe_alive, &p);
	pidcache_expire(pc, 101 + GRACE, 8, probe_alive, &p);
	assert_int_equal(pidcache_by_inode(pc, 555, 101 + GRACE, &out), -ENOENT);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000,
					  101 + GRACE, 10000, c, 2), 0);
	assert_int_equal(stats(pc).inode_entries, 0);
	assert_int_equal(stats(pc).dest_entries, 0);
	pidcache_free(pc);
}

static void test_mark_exited_starts_grace(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);

	(void)state;
	put(pc, 100, 1, "/bin/a", 0);
	assert_int_equal(pidcache_mark_exited(pc, 100, 50), 0);
	assert_true(cached(pc, 100, 50 + GRACE));
	assert_false(cached(pc, 100, 51 + GRACE));
	assert_int_equal(pidcache_mark_exited(pc, 7, 50), -ENOENT);
	pidcache_free(pc);
}

static void test_expire_visits_bounded_batch_round_robin(void **state)
{
	struct pidcache *pc = new_cache(16, 8, 8, 2);
	struct probe p = { 0 };
	bool seen[11] = { false };
	size_t i;
	pid_t pid;

	(void)state;
	for (pid = 1; pid <= 10; pid++)
		put(pc, pid, 1, "/bin/a", 0);
	pidcache_expire(pc, 1, 3, probe_alive, &p);
	assert_int_equal(p.calls, 3);
	for (i = 0; i < 3; i++)
		pidcache_expire(pc, 1, 3, probe_alive, &p);
	assert_int_equal(p.calls, 12);
	for (i = 0; i < p.calls; i++)
		seen[p.seen_pid[i]] = true;
	for (pid = 1; pid <= 10; pid++)
		assert_true(seen[pid]);
	pidcache_free(pc);
}

static void test_pid_reuse_replaces_entry_and_counts(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out;

	(void)state;
	put(pc, 100, 1, "/bin/old", 0);
	put(pc, 100, 2, "/bin/new", 10);
	assert_int_equal(pidcache_get(pc, 100, 10, &out), 0);
	assert_string_equal(out->exe, "/bin/new");
	assert_true(out->start_time == 2);
	assert_int_equal(stats(pc).reuse_detected, 1);
	assert_int_equal(stats(pc).entries, 1);
	pidcache_free(pc);
}

static void test_old_process_inode_never_resolves_to_new(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out;

	(void)state;
	put(pc, 100, 1, "/bin/old", 0);
	assert_int_equal(pidcache_put_inode(pc, 555, 100, 1, 0), 0);
	put(pc, 100, 2, "/bin/new", 10);
	assert_int_equal(pidcache_by_inode(pc, 555, 10, &out), -ENOENT);
	assert_null(out);
	assert_int_equal(stats(pc).inode_entries, 0);
	pidcache_free(pc);
}

static void test_new_process_inode_never_indexed_for_old(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out;

	(void)state;
	put(pc, 100, 1, "/bin/old", 0);
	/* Learned for the new instance before the cache saw it: refused. */
	assert_int_equal(pidcache_put_inode(pc, 777, 100, 2, 0), -ESTALE);
	assert_int_equal(pidcache_by_inode(pc, 777, 0, &out), -ENOENT);
	put(pc, 100, 2, "/bin/new", 10);
	assert_int_equal(pidcache_put_inode(pc, 777, 100, 1, 10), -ESTALE);
	assert_int_equal(pidcache_put_inode(pc, 777, 100, 2, 10), 0);
	assert_int_equal(pidcache_by_inode(pc, 777, 10, &out), 0);
	assert_string_equal(out->exe, "/bin/new");
	pidcache_free(pc);
}

/* The old process's send stays on record, but as someone unknown: it must
 * never be reported as the new process. */
static void test_old_process_dest_is_stale_after_reuse(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	struct pidcache_cand c[2];

	(void)state;
	put(pc, 100, 1, "/bin/old", 0);
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 100, 1, false, 0, 0,
					   0), 0);
	put(pc, 100, 2, "/bin/new", 10);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 10,
					  1000, c, 2), 1);
	assert_true(c[0].stale);
	assert_null(c[0].proc);
	/* The new process's own send is a fresh, resolvable record. */
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 100, 2, false, 0, 0,
					   11), 0);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 11,
					  1000, c, 2), 2);
	assert_false(c[0].stale);
	assert_string_equal(c[0].proc->exe, "/bin/new");
	assert_true(c[1].stale);
	pidcache_free(pc);
}

/* Reuse within one start-time tick, told by the caller. */
static void test_new_identity_makes_index_entries_stale(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out;
	struct pidcache_cand c[2];

	(void)state;
	put(pc, 100, 1, "/bin/a", 0);
	assert_int_equal(pidcache_put_inode(pc, 777, 100, 1, 0), 0);
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 100, 1, false, 0, 0,
					   0), 0);
	assert_int_equal(pidcache_new_identity(pc, 100), 0);
	put(pc, 100, 1, "/bin/b", 1);
	assert_int_equal(pidcache_by_inode(pc, 777, 1, &out), -ENOENT);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1,
					  1000, c, 2), 1);
	assert_true(c[0].stale);
	assert_int_equal(pidcache_new_identity(pc, 999), -ENOENT);
	pidcache_free(pc);
}

static void test_unknown_start_time_keeps_known_one(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out;

	(void)state;
	put(pc, 100, 5, "/bin/a", 0);
	assert_int_equal(pidcache_put_inode(pc, 555, 100, 5, 0), 0);
	put(pc, 100, 0, "/bin/a", 10);
	assert_int_equal(pidcache_get(pc, 100, 10, &out), 0);
	assert_true(out->start_time == 5);
	assert_int_equal(stats(pc).reuse_detected, 0);
	assert_int_equal(pidcache_by_inode(pc, 555, 10, &out), 0);
	pidcache_free(pc);
}

/* Issue 14 item 3: another executable under the same pid and start time
 * (an exec) is a new identity: its socket mappings are dropped, not
 * relabelled with the new executable. */
static void test_exe_change_same_start_drops_socket_mappings(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out;

	(void)state;
	put(pc, 100, 5, "/tmp/m", 0);
	assert_int_equal(pidcache_put_inode(pc, 555, 100, 5, 0), 0);
	put(pc, 100, 5, "/usr/bin/allowed", 10);
	assert_int_equal(pidcache_by_inode(pc, 555, 10, &out), -ENOENT);
	assert_int_equal(pidcache_get(pc, 100, 10, &out), 0);
	assert_string_equal(out->exe, "/usr/bin/allowed");
	assert_int_equal(stats(pc).reuse_detected, 1);
	pidcache_free(pc);
}

static void test_full_cache_evicts_least_recently_used(void **state)
{
	struct pidcache *pc = new_cache(3, 8, 8, 2);

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	put(pc, 2, 1, "/bin/a", 1);
	put(pc, 3, 1, "/bin/a", 2);
	assert_true(cached(pc, 1, 3));	/* 2 is now the oldest used */
	put(pc, 4, 1, "/bin/a", 4);
	assert_int_equal(stats(pc).evictions, 1);
	assert_int_equal(stats(pc).entries, 3);
	assert_false(cached(pc, 2, 5));
	assert_true(cached(pc, 1, 5));
	assert_true(cached(pc, 3, 5));
	assert_true(cached(pc, 4, 5));
	pidcache_free(pc);
}

static void test_evicted_process_takes_its_inodes(void **state)
{
	struct pidcache *pc = new_cache(1, 8, 8, 2);
	const struct proc_info *out;

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	assert_int_equal(pidcache_put_inode(pc, 11, 1, 1, 0), 0);
	put(pc, 2, 1, "/bin/b", 1);
	assert_int_equal(pidcache_by_inode(pc, 11, 1, &out), -ENOENT);
	assert_int_equal(stats(pc).inode_entries, 0);
	pidcache_free(pc);
}

static void test_by_inode_returns_owner(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out;

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	put(pc, 2, 1, "/bin/b", 0);
	assert_int_equal(pidcache_put_inode(pc, 11, 1, 1, 0), 0);
	assert_int_equal(pidcache_put_inode(pc, 22, 2, 0, 0), 0);
	assert_int_equal(pidcache_by_inode(pc, 22, 1, &out), 0);
	assert_string_equal(out->exe, "/bin/b");
	assert_int_equal(pidcache_by_inode(pc, 11, 1, &out), 0);
	assert_int_equal(out->pid, 1);
	pidcache_free(pc);
}

static void test_inode_of_uncached_process_is_refused(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);

	(void)state;
	assert_int_equal(pidcache_put_inode(pc, 11, 9, 1, 0), -ENOENT);
	assert_int_equal(stats(pc).inode_entries, 0);
	pidcache_free(pc);
}

static void test_inode_moves_to_new_owner(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	const struct proc_info *out;

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	put(pc, 2, 1, "/bin/b", 0);
	assert_int_equal(pidcache_put_inode(pc, 11, 1, 1, 0), 0);
	assert_int_equal(pidcache_put_inode(pc, 11, 2, 1, 0), 0);
	assert_int_equal(stats(pc).inode_entries, 1);
	assert_int_equal(pidcache_by_inode(pc, 11, 1, &out), 0);
	assert_int_equal(out->pid, 2);
	pidcache_free(pc);
}

static void test_full_inode_index_evicts_least_recently_used(void **state)
{
	struct pidcache *pc = new_cache(8, 2, 8, 2);
	const struct proc_info *out;

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	assert_int_equal(pidcache_put_inode(pc, 11, 1, 1, 0), 0);
	assert_int_equal(pidcache_put_inode(pc, 12, 1, 1, 0), 0);
	assert_int_equal(pidcache_by_inode(pc, 11, 1, &out), 0);
	assert_int_equal(pidcache_put_inode(pc, 13, 1, 1, 2), 0);
	assert_int_equal(stats(pc).index_evictions, 1);
	assert_int_equal(stats(pc).inode_entries, 2);
	assert_int_equal(pidcache_by_inode(pc, 12, 3, &out), -ENOENT);
	assert_int_equal(pidcache_by_inode(pc, 11, 3, &out), 0);
	assert_int_equal(pidcache_by_inode(pc, 13, 3, &out), 0);
	pidcache_free(pc);
}

static void test_dest_candidates_are_newest_first(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 4);
	struct pidcache_cand c[4];

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	put(pc, 2, 1, "/bin/b", 0);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1, false, 0, 0, 100);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 2, 1, false, 0, 0, 200);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 250,
					  1000, c, 4), 2);
	assert_int_equal(c[0].pid, 2);
	assert_true(c[0].ts_ms == 200);
	assert_string_equal(c[0].proc->exe, "/bin/b");
	assert_int_equal(c[1].pid, 1);
	assert_string_equal(c[1].proc->exe, "/bin/a");
	pidcache_free(pc);
}

static void test_dest_window_excludes_older_candidates(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 4);
	struct pidcache_cand c[4];

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	put(pc, 2, 1, "/bin/b", 0);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1, false, 0, 0, 100);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 2, 1, false, 0, 0, 200);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 250,
					  100, c, 4), 1);
	assert_int_equal(c[0].pid, 2);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 400,
					  100, c, 4), 0);
	assert_int_equal(stats(pc).misses, 1);
	pidcache_free(pc);
}

static void test_dest_key_is_family_addr_port_and_uid(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 4);
	struct pidcache_cand c[1];

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1, false, 0, 0, 100);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 100, 10,
					  c, 1), 1);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 0, 100, 10,
					  c, 1), 0);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 54, 0, 1000, 100, 10,
					  c, 1), 0);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_b, 53, 0, 1000, 100, 10,
					  c, 1), 0);
	assert_int_equal(pidcache_by_dest(pc, AF_INET6, ip_a, 53, 0, 1000, 100, 10,
					  c, 1), 0);
	pidcache_free(pc);
}

static void test_dest_same_owner_refreshes_instead_of_adding(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 4);
	struct pidcache_cand c[4];

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1, false, 0, 0, 100);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1, false, 0, 0, 300);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1, false, 0, 0, 200);
	assert_int_equal(stats(pc).dest_entries, 1);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 300, 10,
					  c, 4), 1);
	assert_true(c[0].ts_ms == 300);
	pidcache_free(pc);
}

static void test_dest_per_key_cap_gives_up_a_used_entry_first(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	struct pidcache_cand c[4];

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	put(pc, 2, 1, "/bin/b", 0);
	put(pc, 3, 1, "/bin/c", 0);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1, false, 0, 0, 100);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 2, 1, false, 0, 0, 200);
	/* 1's record joined its flow: its entry goes, though 2's is newer. */
	assert_int_equal(pidcache_use_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1,
					   10, 210, 100), 0);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 3, 1, false, 0, 0, 300);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 300,
					  1000, c, 4), 2);
	assert_int_equal(c[0].pid, 3);
	assert_int_equal(c[1].pid, 2);
	assert_int_equal(stats(pc).dest_entries, 2);
	pidcache_free(pc);
}

static void test_dest_displacing_unused_record_says_incomplete(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 2);
	struct pidcache_cand c[4];

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	put(pc, 2, 1, "/bin/b", 0);
	put(pc, 3, 1, "/bin/c", 0);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1, false, 0, 0, 100);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 2, 1, false, 0, 0, 200);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 3, 1, false, 0, 0, 300);
	/* 1's unused record was pushed out: whoever it was is unknown, so
	 * the list claims more than it holds. */
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 300,
					  1000, c, 4), 5);
	assert_int_equal(c[0].pid, 3);
	assert_int_equal(c[1].pid, 2);
	assert_int_equal(stats(pc).dest_entries, 2);
	/* Once that record is out of the window, the list is whole again. */
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1200,
					  1000, c, 4), 2);
	pidcache_free(pc);
}

static void test_dest_record_joined_to_a_flow_is_used_up(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 4);
	struct pidcache_cand c[4];

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1,
					   false, 5000, 1, 100), 0);
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1,
					   false, 5004, 2, 104), 0);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 105,
					  1000, c, 4), 1);
	assert_int_equal(c[0].avail, 2);
	assert_int_equal(c[0].made_ms, 5000);
	assert_int_equal(c[0].send_seq, 2);
	assert_int_equal(pidcache_use_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1,
					   5004, 106, 100), 0);
	assert_int_equal(pidcache_use_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1,
					   5004, 107, 100), 0);
	/* Both records joined flows: no candidate left. */
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 108,
					  1000, c, 4), 0);
	pidcache_free(pc);
}

static void test_dest_record_made_after_the_flow_pays_no_credit(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 4);
	struct pidcache_cand c[4];

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	/* A flow named before its record came (made no later than 5000)
	 * leaves a credit; its record pays it. */
	assert_int_equal(pidcache_use_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1,
					   5000, 100, 50), 0);
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1,
					   true, 4996, 1, 101), 0);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 102,
					  1000, c, 4), 0);
	/* Another credit, but the record came from a later syscall (made
	 * after the flow was queued): a record of its own flow. */
	assert_int_equal(pidcache_use_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1,
					   5010, 110, 50), 0);
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1,
					   true, 5020, 2, 111), 0);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 112,
					  1000, c, 4), 1);
	assert_int_equal(c[0].conn_seq, 2);
	assert_int_equal(c[0].conn_ms, 111);
	/* An expired credit is paid by nobody. */
	put(pc, 2, 1, "/bin/b", 0);
	assert_int_equal(pidcache_use_dest(pc, AF_INET, ip_a, 53, 0, 1000, 2, 1,
					   6000, 200, 50), 0);
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 2, 1,
					   false, 5990, 3, 251), 0);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 252,
					  1000, c, 4), 2);
	pidcache_free(pc);
}

static void test_full_dest_index_evicts_oldest(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 2, 2);
	struct pidcache_cand c[2];

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	pidcache_put_dest(pc, AF_INET, ip_a, 1, 0, 1000, 1, 1, false, 0, 0, 100);
	pidcache_put_dest(pc, AF_INET, ip_a, 2, 0, 1000, 1, 1, false, 0, 0, 101);
	pidcache_put_dest(pc, AF_INET, ip_a, 3, 0, 1000, 1, 1, false, 0, 0, 102);
	assert_int_equal(stats(pc).index_evictions, 1);
	assert_int_equal(stats(pc).dest_entries, 2);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 1, 0, 1000, 102,
					  1000, c, 2), 0);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 3, 0, 1000, 102,
					  1000, c, 2), 1);
	pidcache_free(pc);
}

static void test_dest_candidates_capped_at_max_but_counted(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 4);
	struct pidcache_cand c[2];
	pid_t pid;

	(void)state;
	for (pid = 1; pid <= 3; pid++) {
		put(pc, pid, 1, "/bin/a", 0);
		pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, pid, 1, false, 0, 0,
				  100 + (uint64_t)pid);
	}
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 53, 0, 1000, 200,
					  1000, c, 2), 3);
	assert_int_equal(c[0].pid, 3);
	assert_int_equal(c[1].pid, 2);
	pidcache_free(pc);
}

static void test_dest_of_uncached_process_is_refused(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 4);

	(void)state;
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 9, 1, false, 0, 0,
					   0), -ENOENT);
	put(pc, 9, 2, "/bin/a", 0);
	assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 9, 1, false, 0, 0,
					   0), -ESTALE);
	assert_int_equal(stats(pc).dest_entries, 0);
	pidcache_free(pc);
}

static void test_expire_prunes_dest_entries_past_dest_ttl(void **state)
{
	struct pidcache *pc = new_cache(8, 8, 8, 4);
	struct pidcache_cand c[1];

	(void)state;
	put(pc, 1, 1, "/bin/a", 0);
	pidcache_put_dest(pc, AF_INET, ip_a, 53, 0, 1000, 1, 1, false, 0, 0, 0);
	pidcache_put_dest(pc, AF_INET, ip_a, 54, 0, 1000, 1, 1, false, 0, 0, 900);
	put(pc, 1, 1, "/bin/a", DEST_TTL);	/* keep the process alive */
	assert_int_equal(pidcache_expire(pc, DEST_TTL + 1, 8, NULL, NULL), 0);
	assert_int_equal(stats(pc).dest_entries, 1);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 54, 0, 1000,
					  DEST_TTL + 1, UINT64_MAX, c, 1), 1);
	pidcache_free(pc);
}

static void test_new_with_zero_config_uses_defaults(void **state)
{
	struct pidcache *pc = pidcache_new(NULL);

	(void)state;
	assert_non_null(pc);
	put(pc, 1, 1, "/bin/a", 0);
	assert_true(cached(pc, 1, PIDCACHE_TTL_MS));
	assert_false(cached(pc, 1, 2 * PIDCACHE_TTL_MS + 1));
	pidcache_free(pc);
	pidcache_free(NULL);
}

/* Drops pids [first, first + n) as exited past their grace period. */
static uint64_t drop_exited(struct pidcache *pc, pid_t first, pid_t n,
			    uint64_t now)
{
	pid_t pid;

	for (pid = first; pid < first + n; pid++)
		assert_int_equal(pidcache_mark_exited(pc, pid, now), 0);
	now += PIDCACHE_GRACE_MS + 1;
	for (pid = first; pid < first + n; pid++)
		assert_false(cached(pc, pid, now));
	return now;
}

/* Default size: slots come from the free list, else the pool's untouched
 * tail, and only when both are empty from LRU eviction. */
static void test_default_cache_fills_reuses_then_evicts(void **state)
{
	struct pidcache *pc = pidcache_new(NULL);
	const pid_t max = PIDCACHE_MAX_PROCS, gone = 100, extra = 10;
	struct probe p = { 0 };
	const struct proc_info *out;
	uint64_t now = 0;
	pid_t pid, next;

	(void)state;
	assert_non_null(pc);
	for (next = 1; next <= max / 2; next++)
		put(pc, next, 1, "/bin/a", now++);
	/* Freed while the tail is untouched: reused first, then the tail. */
	now = drop_exited(pc, 1001, gone, now);
	assert_int_equal(stats(pc).entries, max / 2 - gone);
	for (; stats(pc).entries < (uint64_t)max; next++)
		put(pc, next, 1, "/bin/b", now++);
	assert_int_equal(next, max + gone + 1);
	/* Freed once the whole pool has been used: reused, no eviction. */
	now = drop_exited(pc, 2001, gone, now);
	assert_int_equal(stats(pc).entries, max - gone);
	for (pid = 0; pid < gone; pid++, next++)
		put(pc, next, 1, "/bin/c", now++);
	assert_int_equal(stats(pc).expired_dead, 2 * gone);
	assert_int_equal(stats(pc).entries, max);
	assert_int_equal(stats(pc).evictions, 0);
	/* Past capacity: the least recently used go, oldest first. */
	for (pid = 0; pid < extra; pid++, next++)
		put(pc, next, 1, "/bin/c", now++);
	assert_int_equal(stats(pc).evictions, extra);
	assert_int_equal(stats(pc).entries, max);
	for (pid = 1; pid <= extra; pid++)
		assert_false(cached(pc, pid, now));
	for (pid = extra + 1; pid < next; pid++) {
		if ((pid >= 1001 && pid < 1001 + gone) ||
		    (pid >= 2001 && pid < 2001 + gone))
			continue;
		assert_int_equal(pidcache_get(pc, pid, now, &out), 0);
		assert_int_equal(out->pid, pid);
		assert_string_equal(out->exe, pid <= max / 2 ? "/bin/a" :
				    pid <= max + gone ? "/bin/b" : "/bin/c");
	}
	/* A full round-robin pass sees every entry once, twice in a row. */
	assert_int_equal(pidcache_expire(pc, now, (size_t)max, probe_alive,
					 &p), 0);
	assert_int_equal(p.calls, max);
	assert_int_equal(pidcache_expire(pc, now, 2 * (size_t)max, probe_alive,
					 &p), 0);
	assert_int_equal(p.calls, 2 * (size_t)max);
	pidcache_free(pc);
}

static void put_inodes(struct pidcache *pc, uint64_t first, uint64_t n,
		       pid_t pid, uint64_t *now)
{
	uint64_t i;

	for (i = first; i < first + n; i++)
		assert_int_equal(pidcache_put_inode(pc, i, pid, 0, (*now)++),
				 0);
}

/* Destination key k is ip_a port k, uid 1000. */
static void put_dests(struct pidcache *pc, uint64_t first, uint64_t n,
		      pid_t pid, uint64_t *now)
{
	uint64_t k;

	for (k = first; k < first + n; k++)
		assert_int_equal(pidcache_put_dest(pc, AF_INET, ip_a,
						   (uint16_t)k, 0, 1000, pid, 0, false, 0, 0,
						   (*now)++), 0);
}

static int dest_count(struct pidcache *pc, uint64_t k, uint64_t now)
{
	struct pidcache_cand c[1];

	return pidcache_by_dest(pc, AF_INET, ip_a, (uint16_t)k, 0, 1000, now,
				UINT64_MAX, c, 1);
}

/* As above for the inode and dest indexes at their default sizes.  A
 * reused pid hands its inode entries back to the free list (its sockets
 * died with it); its destination records stay, stale, until evicted. */
static void test_default_indexes_fill_reuse_then_evict(void **state)
{
	struct pidcache *pc = pidcache_new(NULL);
	const uint64_t maxi = PIDCACHE_MAX_INODES, maxd = PIDCACHE_MAX_DESTS;
	const uint64_t gone = 100, ino = 1000000;
	const struct proc_info *out;
	struct pidcache_cand c[1];
	uint64_t i, now = 0;

	(void)state;
	assert_non_null(pc);
	put(pc, 1, 1, "/bin/a", now);
	put(pc, 2, 1, "/bin/b", now);
	put(pc, 3, 1, "/bin/c", now);
	/* Freed while the tail is untouched. */
	put_inodes(pc, 0, maxi / 2, 1, &now);
	put(pc, 1, 2, "/bin/a2", now);
	assert_int_equal(stats(pc).inode_entries, 0);
	put_inodes(pc, ino, maxi - gone, 2, &now);
	put_inodes(pc, ino + maxi - gone, gone, 3, &now);
	assert_int_equal(stats(pc).inode_entries, maxi);
	/* Freed once the whole pool has been used. */
	put(pc, 3, 2, "/bin/c2", now);
	assert_int_equal(stats(pc).inode_entries, maxi - gone);
	put_inodes(pc, ino + maxi - gone, gone, 2, &now);
	assert_int_equal(stats(pc).inode_entries, maxi);
	assert_int_equal(stats(pc).index_evictions, 0);
	/* One more evicts the least recently used. */
	put_inodes(pc, ino + maxi, 1, 2, &now);
	assert_int_equal(stats(pc).index_evictions, 1);
	assert_int_equal(stats(pc).inode_entries, maxi);
	assert_int_equal(pidcache_by_inode(pc, ino, now, &out), -ENOENT);
	for (i = 1; i <= maxi; i++) {
		assert_int_equal(pidcache_by_inode(pc, ino + i, now, &out), 0);
		assert_int_equal(out->pid, 2);
	}
	/* Destinations: pid 3's records survive its reuse, stale; the pool
	 * fills, then the oldest are evicted one for one. */
	put_dests(pc, 0, gone, 3, &now);
	put(pc, 3, 3, "/bin/c3", now);
	assert_int_equal(stats(pc).dest_entries, gone);
	assert_int_equal(pidcache_by_dest(pc, AF_INET, ip_a, 0, 0, 1000, now,
					  UINT64_MAX, c, 1), 1);
	assert_true(c[0].stale);
	put_dests(pc, gone, maxd - gone, 2, &now);
	assert_int_equal(stats(pc).dest_entries, maxd);
	put_dests(pc, maxd, gone, 2, &now);
	assert_int_equal(stats(pc).dest_entries, maxd);
	assert_int_equal(stats(pc).index_evictions, 1 + gone);
	for (i = 0; i < gone; i++)
		assert_int_equal(dest_count(pc, i, now), 0);
	for (i = gone; i < maxd + gone; i++)
		assert_int_equal(dest_count(pc, i, now), 1);
	pidcache_free(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_copies_and_get_returns_it),
		cmocka_unit_test(test_set_hash_fills_the_entry_and_a_put_clears_it),
		cmocka_unit_test(test_get_absent_is_enoent_and_a_miss),
		cmocka_unit_test(test_entry_idle_past_ttl_expires_on_get),
		cmocka_unit_test(test_hit_refreshes_idle_time),
		cmocka_unit_test(test_expire_drops_idle_entries_by_age),
		cmocka_unit_test(test_alive_callback_gets_pid_and_start_time),
		cmocka_unit_test(test_gone_process_is_kept_for_grace_period),
		cmocka_unit_test(test_gone_process_is_dropped_after_grace),
		cmocka_unit_test(test_dropped_process_takes_its_index_entries),
		cmocka_unit_test(test_mark_exited_starts_grace),
		cmocka_unit_test(test_expire_visits_bounded_batch_round_robin),
		cmocka_unit_test(test_pid_reuse_replaces_entry_and_counts),
		cmocka_unit_test(test_old_process_inode_never_resolves_to_new),
		cmocka_unit_test(test_new_process_inode_never_indexed_for_old),
		cmocka_unit_test(test_old_process_dest_is_stale_after_reuse),
		cmocka_unit_test(test_new_identity_makes_index_entries_stale),
		cmocka_unit_test(test_unknown_start_time_keeps_known_one),
		cmocka_unit_test(test_exe_change_same_start_drops_socket_mappings),
		cmocka_unit_test(test_full_cache_evicts_least_recently_used),
		cmocka_unit_test(test_evicted_process_takes_its_inodes),
		cmocka_unit_test(test_by_inode_returns_owner),
		cmocka_unit_test(test_inode_of_uncached_process_is_refused),
		cmocka_unit_test(test_inode_moves_to_new_owner),
		cmocka_unit_test(test_full_inode_index_evicts_least_recently_used),
		cmocka_unit_test(test_dest_candidates_are_newest_first),
		cmocka_unit_test(test_dest_window_excludes_older_candidates),
		cmocka_unit_test(test_dest_key_is_family_addr_port_and_uid),
		cmocka_unit_test(test_dest_same_owner_refreshes_instead_of_adding),
		cmocka_unit_test(test_dest_per_key_cap_gives_up_a_used_entry_first),
		cmocka_unit_test(test_dest_displacing_unused_record_says_incomplete),
		cmocka_unit_test(test_dest_record_joined_to_a_flow_is_used_up),
		cmocka_unit_test(test_dest_record_made_after_the_flow_pays_no_credit),
		cmocka_unit_test(test_full_dest_index_evicts_oldest),
		cmocka_unit_test(test_dest_candidates_capped_at_max_but_counted),
		cmocka_unit_test(test_dest_of_uncached_process_is_refused),
		cmocka_unit_test(test_expire_prunes_dest_entries_past_dest_ttl),
		cmocka_unit_test(test_new_with_zero_config_uses_defaults),
		cmocka_unit_test(test_default_cache_fills_reuses_then_evicts),
		cmocka_unit_test(test_default_indexes_fill_reuse_then_evict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
