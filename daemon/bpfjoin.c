/* bpfjoin.c - see bpfjoin.h. */
#include "bpfjoin.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bpfsrc.h"
#include "cgroup.h"

/* 1: path is the file the record names (same dev, inode); 0: it is
 * another file; -1: it cannot be checked here (no path, deleted, or not
 * present in tattled's mount namespace, as in a container). */
static int bpfjoin_same_file(const char *path, const struct flowrec_owner *o)
{
	struct stat sb;

	if (!path || path[0] != '/' || stat(path, &sb) < 0)
		return -1;
	return (uint64_t)sb.st_dev == bpfsrc_dev_to_user(o->exe_dev) &&
	       (uint64_t)sb.st_ino == o->exe_ino;
}

/* A path exec tracking saw the record's file run by, if it still leads
 * to that file here. */
static int bpfjoin_exec_path(struct bpfjoin_ctx *j, const struct flowrec_owner *o,
			     struct proc_info *pi)
{
	char real[PATH_MAX];
	struct flowrec_exec e;

	if (!j->bpf || !o->exe_ino ||
	    bpfsrc_exec(j->bpf, o->exe_dev, o->exe_ino, &e) < 0)
		return -ENOENT;
	e.filename[sizeof(e.filename) - 1] = '\0';
	/* The exec gave a path as typed (a symlink, say); /proc/PID/exe, and
	 * so every rule, names the file by its resolved path. */
	if (!realpath(e.filename, real) || bpfjoin_same_file(real, o) != 1)
		return -ENOENT;
	return procfs_parse_exe(real, strlen(real), pi);
}

/* Make pi's exe the record's file, or NULL when a known path is another
 * file and exec tracking has none.  A path that cannot be checked is what
 * /proc said for this very process (same pid and start time): kept. */
static void bpfjoin_fix_exe(struct bpfjoin_ctx *j, const struct flowrec_owner *o,
			    struct proc_info *pi)
{
	if (bpfjoin_same_file(pi->exe, o) != 0 && pi->exe)
		return;
	if (bpfjoin_exec_path(j, o, pi) == 0) {
		j->st.exe_from_exec++;
		return;
	}
	/* Whatever tattled knew is another file than the one that ran:
	 * better no path than a wrong one. */
	free(pi->exe);
	pi->exe = NULL;
	pi->exe_deleted = false;
	j->st.exe_unknown++;
}

/* The process as the record alone describes it (it has exited). */
static void bpfjoin_from_record(const struct flowrec_owner *o, uint64_t ticks,
				struct proc_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->pid = (pid_t)o->tgid;
	pi->uid = o->uid;
	pi->gid = o->gid;
	pi->start_time = ticks;
	memcpy(pi->comm, o->comm, sizeof(pi->comm) - 1);
	pi->comm[sizeof(pi->comm) - 1] = '\0';
}

/* The record's cgroup path into path[len], when the loop's cache has
 * it: the path, else NULL. */
static const char *bpfjoin_record_cgroup(struct bpfjoin_ctx *j,
					 const struct flowrec_owner *o,
					 uint64_t now_ms, char *path, size_t len)
{
	if (!j->cg || !o->cgroup_id ||
	    cgroup_cache_get(j->cg, o->cgroup_id, now_ms, path, len) < 0)
		return NULL;
	return path;
}

static bool bpfjoin_cgroup_agrees(const struct proc_info *pi, const char *rp)
{
	return !rp || (pi->cgroup && strcmp(pi->cgroup, rp) == 0);
}

/* Place pi in the record's cgroup rp (see bpfjoin.h: the record wins).
 * 0 or -ENOMEM. */
static int bpfjoin_fix_cgroup(struct bpfjoin_ctx *j, const char *rp,
			      struct proc_info *pi)
{
	bool had = pi->cgroup != NULL;
	int r;

	if (bpfjoin_cgroup_agrees(pi, rp))
		return 0;
	if ((r = procfs_set_cgroup(pi, rp, strlen(rp))) < 0)
		return r == -ENOMEM ? r : 0;
	if (had)
		j->st.cgroup_moved++;
	else
		j->st.cgroup_from_record++;
	return 0;
}

/* Is c (cached) the record's process, with its file?  *same: what
 * bpfjoin_same_file said of its path (0 when not asked). */
static bool bpfjoin_cached_is(const struct proc_info *c,
			      const struct flowrec_owner *o, uint64_t ticks,
			      int *same)
{
	*same = 0;
	return c->start_time == ticks && c->exe &&
	       (*same = bpfjoin_same_file(c->exe, o)) != 0;
}

/* The process from /proc, or (gone) from the record and what the cache
 * knew of the same process.  0 or -ENOMEM; *exited set. */
static int bpfjoin_build(struct bpfjoin_ctx *j, const struct flowrec_owner *o,
			 const struct proc_info *c, uint64_t ticks,
			 struct proc_info *pi, bool *exited)
{
	const char *procroot = j->procroot ? j->procroot : "/proc";
	int r, same;

	*exited = false;
	memset(pi, 0, sizeof(*pi));
	/* Start times tick every 10 ms: a pid reused within one tick looks
	 * the same, but runs another file, and is not this process. */
	if (procfs_read_proc(procroot, (pid_t)o->tgid, pi) == 0 &&
	    pi->start_time == ticks && bpfjoin_same_file(pi->exe, o) != 0) {
		j->st.read++;
		return 0;
	}
	proc_info_clear(pi);
	bpfjoin_from_record(o, ticks, pi);
	*exited = true;
	j->st.exited++;
	/* Same identity cached earlier: keep what /proc said then. */
	if (c && bpfjoin_cached_is(c, o, ticks, &same) &&
	    ((r = procfs_parse_exe(c->exe, strlen(c->exe), pi)) < 0 ||
	     (r = proc_info_copy_ident(pi, c)) < 0))
		return r;
	return 0;
}

int bpfjoin_owner(struct bpfjoin_ctx *j, const struct flowrec_owner *o,
		  uint64_t now_ms, const struct proc_info **out)
{
	uint64_t ticks = bpfsrc_start_ticks(o->start_ns, j->hz);
	const struct proc_info *c = NULL;
	char path[CGROUP_PATH_MAX];
	const char *rp = bpfjoin_record_cgroup(j, o, now_ms, path, sizeof(path));
	struct proc_info pi;
	bool exited = false;
	int r, same;

	*out = NULL;
	memset(&pi, 0, sizeof(pi));
	if (!o->tgid)
		return -EINVAL;
	/* A cached entry not yet verified whose path is the record's file is
	 * rebuilt below, verified. */
	if (pidcache_get(j->pc, (pid_t)o->tgid, now_ms, &c) == 0 &&
	    bpfjoin_cached_is(c, o, ticks, &same) && (c->verified || same < 0)) {
		j->st.cached++;
		if (bpfjoin_cgroup_agrees(c, rp)) {
			*out = c;
			return 0;
		}
		if ((r = proc_info_copy(&pi, c)) < 0)
			goto out;
	} else {
		if ((r = bpfjoin_build(j, o, c, ticks, &pi, &exited)) < 0)
			goto out;
		bpfjoin_fix_exe(j, o, &pi);
		/* The kernel's record says which file ran: a path that leads
		 * to that file in tattled's own mount namespace is verified,
		 * even after the process exited (DESIGN.md,
		 * process.verified). */
		pi.verified = bpfjoin_same_file(pi.exe, o) == 1;
	}
	if ((r = bpfjoin_fix_cgroup(j, rp, &pi)) < 0 ||
	    (r = pidcache_put(j->pc, &pi, now_ms)) < 0)
		goto out;
	if (exited)
		(void)pidcache_mark_exited(j->pc, pi.pid, now_ms);
	r = pidcache_get(j->pc, pi.pid, now_ms, out);
out:
	proc_info_clear(&pi);
	return r;
}
