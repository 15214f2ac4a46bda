/* bpfjoin.c - see bpfjoin.h. */
#include "bpfjoin.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bpfsrc.h"

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

int bpfjoin_owner(struct bpfjoin_ctx *j, const struct flowrec_owner *o,
		  uint64_t now_ms, const struct proc_info **out)
{
	const char *procroot = j->procroot ? j->procroot : "/proc";
	uint64_t ticks = bpfsrc_start_ticks(o->start_ns, j->hz);
	const struct proc_info *c = NULL;
	struct proc_info pi;
	bool exited = false;
	int r;

	*out = NULL;
	if (!o->tgid)
		return -EINVAL;
	/* A cached entry not yet verified whose path is the record's file is
	 * rebuilt below, verified. */
	if (pidcache_get(j->pc, (pid_t)o->tgid, now_ms, &c) == 0 &&
	    c->start_time == ticks && c->exe &&
	    (r = bpfjoin_same_file(c->exe, o)) != 0 && (c->verified || r < 0)) {
		j->st.cached++;
		*out = c;
		return 0;
	}
	memset(&pi, 0, sizeof(pi));
	/* Start times tick every 10 ms: a pid reused within one tick looks
	 * the same, but runs another file, and is not this process. */
	if (procfs_read_proc(procroot, (pid_t)o->tgid, &pi) == 0 &&
	    pi.start_time == ticks && bpfjoin_same_file(pi.exe, o) != 0) {
		j->st.read++;
	} else {
		proc_info_clear(&pi);
		bpfjoin_from_record(o, ticks, &pi);
		/* Same identity cached earlier: keep what /proc said then. */
		if (c && c->start_time == ticks && c->exe &&
		    bpfjoin_same_file(c->exe, o) != 0 &&
		    (r = procfs_parse_exe(c->exe, strlen(c->exe), &pi)) < 0)
			goto out;
		exited = true;
		j->st.exited++;
	}
	bpfjoin_fix_exe(j, o, &pi);
	/* The kernel's record says which file ran: a path that leads to that
	 * file in tattled's own mount namespace is verified, even after the
	 * process exited (DESIGN.md, process.verified). */
	pi.verified = bpfjoin_same_file(pi.exe, o) == 1;
	if ((r = pidcache_put(j->pc, &pi, now_ms)) < 0)
		goto out;
	if (exited)
		(void)pidcache_mark_exited(j->pc, pi.pid, now_ms);
	r = pidcache_get(j->pc, pi.pid, now_ms, out);
out:
	proc_info_clear(&pi);
	return r;
}
