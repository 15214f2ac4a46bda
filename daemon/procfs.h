/* procfs.h - /proc readers: process facts, socket fd scans.  Blocking I/O:
 * the verdict loop calls only the cheap single-file readers
 * (procfs_read_proc on one pid, procfs_readlink_fd); scans run on the
 * worker thread. */
#ifndef TATTLE_PROCFS_H
#define TATTLE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_COMM_MAX	16		/* TASK_COMM_LEN incl. NUL */
#define PROC_CMDLINE_MAX 4096		/* longer cmdlines are truncated */

/* What we know of one process.  Strings are heap copies owned by the
 * struct (free with proc_info_clear); any may be NULL when unknown. */
struct proc_info {
	pid_t pid;
	pid_t ppid;
	uint32_t uid;
	uint32_t gid;
	uint64_t start_time;	/* /proc/PID/stat field 22, clock ticks since
				 * boot; 0 = unknown */
	char comm[PROC_COMM_MAX];
	char *exe;		/* readlink of /proc/PID/exe, " (deleted)"
				 * stripped */
	bool exe_deleted;
	bool verified;		/* the (dev, inode) of /proc/PID/exe equals
				 * that of exe in our own mount namespace
				 * (read while the process lived) */
	char *cwd;
	char *cmdline;		/* argv joined by NUL bytes, cmdline_len bytes
				 * (no trailing NUL counted) */
	size_t cmdline_len;
	bool cmdline_truncated;
	/* Identity beyond the path (cgroup.h, hash.h); NULL or "" when
	 * unknown. */
	char *cgroup;		/* cgroup v2 path, "/system.slice/x.service" */
	char *unit;		/* innermost *.service or *.scope, or NULL */
	char *container_id;	/* NULL: in no container we recognise */
	char container_runtime[16];	/* "docker", "podman", ... or "" */
	char md5[33];		/* lower-case hex of what /proc/PID/exe runs */
	char sha1[41];		/* "" = not computed or not computable */
};

void proc_info_clear(struct proc_info *pi);	/* frees strings, zeroes */
int proc_info_copy(struct proc_info *dst, const struct proc_info *src);
/* Copy only the identity fields (cgroup, unit, container, hashes) of src
 * into dst, whose identity pointers must not own memory (they are
 * overwritten).  0 or -ENOMEM (dst unchanged). */
int proc_info_copy_ident(struct proc_info *dst, const struct proc_info *src);

/* ---- Parsers: no I/O, explicit lengths, buf need not be NUL-terminated.
 * Each returns 0 or -errno and touches only the fields it names. */

/* /proc/PID/stat: comm (between the first '(' and the LAST ')', since comm
 * may hold ')' and spaces; cut to PROC_COMM_MAX - 1), ppid (field 4) and
 * start_time (field 22).  -EBADMSG when malformed. */
int procfs_parse_stat(const char *buf, size_t len, struct proc_info *pi);

/* /proc/PID/status: uid and gid (the real ids, first of "Uid:"/"Gid:")
 * and ppid.  -EBADMSG when a line is missing or malformed. */
int procfs_parse_status(const char *buf, size_t len, struct proc_info *pi);

/* /proc/PID/cmdline: copies at most PROC_CMDLINE_MAX bytes into a fresh
 * pi->cmdline (NUL-terminated past cmdline_len), drops one trailing NUL,
 * sets cmdline_truncated when len > PROC_CMDLINE_MAX.  An empty buffer
 * (kernel thread, zombie) leaves cmdline NULL and cmdline_len 0.
 * Frees any previous pi->cmdline.  -ENOMEM. */
int procfs_parse_cmdline(const char *buf, size_t len, struct proc_info *pi);

/* Target of /proc/PID/exe: a trailing " (deleted)" is stripped and
 * exe_deleted set.  (procfs_read_proc() checks the link count to tell a
 * file really named "x (deleted)" apart.)  Frees any previous pi->exe.
 * -ENOMEM, -EBADMSG on an empty link. */
int procfs_parse_exe(const char *buf, size_t len, struct proc_info *pi);

/* "socket:[INODE]" -> *ino.  -ENOTSOCK for other fd kinds (files, pipes,
 * anon inodes), -EBADMSG for a malformed socket link. */
int procfs_parse_socket_link(const char *buf, size_t len, uint64_t *ino);

/* ---- Readers.  procroot is normally "/proc"; tests point it at a fixture
 * tree.  Errors: -ENOENT/-ESRCH when the process is gone, -EACCES when we
 * lack the rights (other users' fds need CAP_SYS_PTRACE). */

/* Read one process into *out (cleared first; caller owns it, free with
 * proc_info_clear).  stat (comm, ppid, start time) and status (uid, gid)
 * are required; exe, cwd and cmdline are best effort and stay NULL when
 * unreadable (kernel threads have no exe and an empty cmdline).  All files
 * are read through one open /proc/PID directory, so a pid reused mid-read
 * fails with -ESRCH/-ENOENT instead of mixing two processes. */
int procfs_read_proc(const char *procroot, pid_t pid, struct proc_info *out);

/* Up to cap bytes of dfd/name (AT_FDCWD for a path) into buf, *len of
 * them: the one reader of small /proc files (they show size 0, so the
 * capped reader for rule files does not fit them).  0 or -errno. */
int procfs_read_at(int dfd, const char *name, char *buf, size_t cap,
		   size_t *len);

/* The executable of pid, checked to be the parent of a process that
 * started at child_start (stat field 22): into buf[0..len), 0; -ESTALE
 * when pid started later than the child (its pid was reused after the
 * parent died) or either start time is unknown (0); -EPERM when the
 * executable is not verified (see proc_info.verified); -errno. */
int procfs_parent_exe(const char *procroot, pid_t pid, uint64_t child_start,
		      char *buf, size_t len);

/* 1 if pid is still the process that started at start (0: not checked)
 * running exe (NULL: not checked), 0 if it is another, -errno if it
 * cannot tell (gone: -ENOENT).  Read after something else was read of
 * the pid, it says that read was of this process (a pid, once reused,
 * never comes back to it). */
int procfs_is(const char *procroot, pid_t pid, uint64_t start,
	      const char *exe);

/* Start time (stat field 22) of pid, for liveness checks. */
/* Network namespace of pid: 0 and *ino (the inode of /proc/PID/ns/net),
 * or -errno (-ENOENT when the process is gone).  One stat(2). */
int procfs_netns(const char *procroot, pid_t pid, uint64_t *ino);

int procfs_stat_start(const char *procroot, pid_t pid, uint64_t *start);

/* Up to cap bytes of /proc/PID/environ, only if pid is still the process
 * that started at start_time (stat field 22; 0 = unknown, refused): the
 * stat check and the read go through one open /proc/PID directory, so a
 * reused pid never answers for the process a rule is asking about.
 * 0 and *len; -ESRCH for another (or an unknown) process; -errno. */
int procfs_read_environ(const char *procroot, pid_t pid, uint64_t start_time,
			char *buf, size_t cap, size_t *len);

/* Liveness probe shaped as pidcache_alive_fn; procroot is the (const
 * char *) /proc root.  1 if pid exists with this start time (0 = any),
 * 0 if it is gone or its start time differs (pid reused), -errno when it
 * cannot tell. */
int procfs_alive(pid_t pid, uint64_t start_time, void *procroot);

/* readlink /proc/PID/fd/FD and parse "socket:[INODE]".  -ENOTSOCK when the
 * fd is not a socket, -ENOENT when the fd or process is gone. */
int procfs_readlink_fd(const char *procroot, pid_t pid, int fd, uint64_t *ino);

/* ---- Socket fd scans.  Both take a set of n socket inodes (n at most
 * PROCFS_SCAN_MAX_INOS) and fill owners[i] with the pid holding inos[i]
 * (owners[] entries already nonzero are kept: the first owner found
 * wins).  A socket shared after fork has several holders: when mixed is
 * non-NULL (n entries, caller-zeroed) every process is looked at and
 * mixed[i] is set when another holder of inos[i] runs another executable
 * than owners[i] ((dev, inode) of /proc/PID/exe; one that cannot be read
 * counts as another).  They return the number of inodes newly found
 * (>= 0) or -EINVAL / -ENOENT for a bad procroot.  Processes that vanish
 * or deny access mid-scan are skipped.  Blocking: call from the worker
 * thread, not the verdict loop. */
#define PROCFS_SCAN_MAX_INOS	64

/* Scan only the given pids. */
int procfs_scan_pids(const char *procroot, const pid_t *pids, size_t npids,
		     const uint64_t *inos, size_t n, pid_t *owners, bool *mixed);

/* Scan every numeric directory of procroot; without mixed, stops early
 * once all n are found.  *nprocs and *nfds (either may be NULL) receive
 * how many processes and fds were looked at, for stats. */
int procfs_scan_all(const char *procroot, const uint64_t *inos, size_t n,
		    pid_t *owners, bool *mixed, size_t *nprocs, size_t *nfds);

/* cgroup facts of a process (cgroup.h has the parsers). */
/* Fill pi->cgroup, pi->unit, pi->container_id and pi->container_runtime
 * from a cgroup v2 path of len bytes (freeing what was there).  0;
 * -EBADMSG when it is not absolute; -E2BIG past CGROUP_PATH_MAX (pi
 * unchanged); -ENOMEM. */
int procfs_set_cgroup(struct proc_info *pi, const char *path, size_t len);

/* The same from a /proc/PID/cgroup body (freeing what was there).  0, -ENOENT /
 * -EBADMSG / -E2BIG as cgroup_parse_proc (pi unchanged), -ENOMEM. */
int procfs_cgroup_info(struct proc_info *pi, const char *buf, size_t len);

/* Mount point of cgroup2 from procroot/self/mountinfo (cgroup.h parses it). */
int procfs_cgroup2_mount(const char *procroot, char *mnt, size_t mntlen);

#endif
