/* procfs.c - /proc readers: one process's facts, socket fd scans. */
#include "procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"

#define PROCFS_CGROUP_BUF_MAX	8192	/* hybrid hosts list ~13 hierarchies */
#define STAT_BUF_MAX	2048	/* stat is ~300 bytes; only fields 1-22 are read */
#define STATUS_BUF_MAX	4096	/* Uid/Gid/PPid sit in the first ~400 */
#define LINK_BUF_MAX	4096	/* PATH_MAX */
#define SOCK_LINK_MAX	48	/* "socket:[18446744073709551615]" is 29 */

static const char deleted_sfx[] = " (deleted)";
static const char sock_pfx[] = "socket:[";

void proc_info_clear(struct proc_info *pi)
{
	if (!pi)
		return;
	free(pi->exe);
	free(pi->cwd);
	free(pi->cmdline);
	free(pi->cgroup);
	free(pi->unit);
	free(pi->container_id);
	memset(pi, 0, sizeof(*pi));
}

static int dup_bytes(const char *s, size_t len, char **out)
{
	char *p = malloc(len + 1);

	if (!p)
		return -ENOMEM;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	*out = p;
	return 0;
}

int proc_info_copy(struct proc_info *dst, const struct proc_info *src)
{
	struct proc_info t = *src;
	int r = 0;

	t.exe = t.cwd = t.cmdline = NULL;
	t.cgroup = t.unit = t.container_id = NULL;
	if (src->exe && (r = dup_bytes(src->exe, strlen(src->exe), &t.exe)) < 0)
		goto out;
	if (src->cwd && (r = dup_bytes(src->cwd, strlen(src->cwd), &t.cwd)) < 0)
		goto out;
	if (src->cmdline &&
	    (r = dup_bytes(src->cmdline, src->cmdline_len, &t.cmdline)) < 0)
		goto out;
	if ((r = proc_info_copy_ident(&t, src)) < 0)
		goto out;
	*dst = t;
	return 0;
out:
	proc_info_clear(&t);
	return r;
}

int proc_info_copy_ident(struct proc_info *dst, const struct proc_info *src)
{
	char *cg = NULL, *unit = NULL, *cid = NULL;

	if ((src->cgroup && !(cg = strdup(src->cgroup))) ||
	    (src->unit && !(unit = strdup(src->unit))) ||
	    (src->container_id && !(cid = strdup(src->container_id)))) {
		free(cg);
		free(unit);
		free(cid);
		return -ENOMEM;
	}
	if (dst != src) {
		memcpy(dst->container_runtime, src->container_runtime,
		       sizeof(dst->container_runtime));
		memcpy(dst->md5, src->md5, sizeof(dst->md5));
		memcpy(dst->sha1, src->sha1, sizeof(dst->sha1));
	}
	dst->cgroup = cg;
	dst->unit = unit;
	dst->container_id = cid;
	return 0;
}

/* Decimal digits at *pp (before end) into *v; advances *pp. */
static int parse_u64(const char **pp, const char *end, uint64_t *v)
{
	const char *p = *pp;
	uint64_t x = 0;

	if (p >= end || *p < '0' || *p > '9')
		return -EBADMSG;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (x > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*pp = p;
	*v = x;
	return 0;
}

/* The whole of [p, end) must be one decimal number. */
static int parse_u64_exact(const char *p, const char *end, uint64_t *v)
{
	int r = parse_u64(&p, end, v);

	if (r == 0 && p != end)
		r = -EBADMSG;
	return r;
}

int procfs_parse_stat(const char *buf, size_t len, struct proc_info *pi)
{
	const char *end = buf + len, *lp, *rp, *p, *tok;
	uint64_t ppid = 0, start = 0;
	size_t clen;
	int field = 3;

	lp = memchr(buf, '(', len);
	rp = memrchr(buf, ')', len);
	if (!lp || !rp || rp < lp)
		return -EBADMSG;
	/* Fields after the last ')' are single-space separated, no spaces. */
	for (p = rp + 1; field <= 22; field++) {
		if (p >= end || *p != ' ')
			return -EBADMSG;
		tok = ++p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (p == tok)
			return -EBADMSG;
		if (field == 4 && parse_u64_exact(tok, p, &ppid) < 0)
			return -EBADMSG;
		if (field == 22 && parse_u64_exact(tok, p, &start) < 0)
			return -EBADMSG;
	}
	if (ppid > INT_MAX)
		return -EBADMSG;
	clen = (size_t)(rp - lp - 1);
	if (clen > PROC_COMM_MAX - 1)
		clen = PROC_COMM_MAX - 1;
	memcpy(pi->comm, lp + 1, clen);
	pi->comm[clen] = '\0';
	pi->ppid = (pid_t)ppid;
	pi->start_time = start;
	return 0;
}

/* First number of a status value: "\t1000\t1000\t..." -> 1000. */
static int status_first_num(const char *p, const char *eol, uint64_t *v)
{
	while (p < eol && (*p == '\t' || *p == ' '))
		p++;
	if (parse_u64(&p, eol, v) < 0)
		return -EBADMSG;
	if (p < eol && *p != '\t' && *p != ' ')
		return -EBADMSG;
	return 0;
}

static bool has_key(const char *p, const char *eol, const char *key)
{
	size_t klen = strlen(key);

	return (size_t)(eol - p) >= klen && memcmp(p, key, klen) == 0;
}

/* Name: is escaped by the kernel (newlines become "\n"), so status can be
 * split on newlines safely. */
int procfs_parse_status(const char *buf, size_t len, struct proc_info *pi)
{
	const char *p = buf, *end = buf + len, *eol;
	uint64_t uid = 0, gid = 0, ppid = 0;
	int seen = 0;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (has_key(p, eol, "Uid:")) {
			if (status_first_num(p + 4, eol, &uid) < 0)
				return -EBADMSG;
			seen |= 1;
		} else if (has_key(p, eol, "Gid:")) {
			if (status_first_num(p + 4, eol, &gid) < 0)
				return -EBADMSG;
			seen |= 2;
		} else if (has_key(p, eol, "PPid:")) {
			if (status_first_num(p + 5, eol, &ppid) < 0)
				return -EBADMSG;
			seen |= 4;
		}
	}
	if (seen != 7 || uid > UINT32_MAX || gid > UINT32_MAX ||
	    ppid > INT_MAX)
		return -EBADMSG;
	pi->uid = (uint32_t)uid;
	pi->gid = (uint32_t)gid;
	pi->ppid = (pid_t)ppid;
	return 0;
}

int procfs_parse_cmdline(const char *buf, size_t len, struct proc_info *pi)
{
	size_t n = len > PROC_CMDLINE_MAX ? PROC_CMDLINE_MAX : len;
	char *copy = NULL;
	int r;

	if (n && buf[n - 1] == '\0')
		n--;
	if (n && (r = dup_bytes(buf, n, &copy)) < 0)
		return r;
	free(pi->cmdline);
	pi->cmdline = copy;
	pi->cmdline_len = n;
	pi->cmdline_truncated = len > PROC_CMDLINE_MAX;
	return 0;
}

int procfs_parse_exe(const char *buf, size_t len, struct proc_info *pi)
{
	size_t slen = sizeof(deleted_sfx) - 1;
	bool deleted = false;
	char *copy;
	int r;

	if (len == 0 || memchr(buf, '\0', len))
		return -EBADMSG;
	if (len > slen && memcmp(buf + len - slen, deleted_sfx, slen) == 0) {
		len -= slen;
		deleted = true;
	}
	if ((r = dup_bytes(buf, len, &copy)) < 0)
		return r;
	free(pi->exe);
	pi->exe = copy;
	pi->exe_deleted = deleted;
	return 0;
}

int procfs_parse_socket_link(const char *buf, size_t len, uint64_t *ino)
{
	size_t plen = sizeof(sock_pfx) - 1;

	if (len < plen || memcmp(buf, sock_pfx, plen) != 0)
		return -ENOTSOCK;
	if (len < plen + 2 || buf[len - 1] != ']')
		return -EBADMSG;
	return parse_u64_exact(buf + plen, buf + len - 1, ino) < 0 ?
		-EBADMSG : 0;
}

int procfs_read_at(int dfd, const char *name, char *buf, size_t cap,
		   size_t *len)
{
	size_t got = 0;
	ssize_t n;
	int fd, r = 0;

	*len = 0;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (got < cap) {
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
out:
	close(fd);
	return r;
}

/* readlink into buf; -ENAMETOOLONG when it may have been cut. */
static int link_at(int dfd, const char *name, char *buf, size_t cap,
		   size_t *len)
{
	ssize_t n = readlinkat(dfd, name, buf, cap);

	*len = 0;
	if (n < 0)
		return -errno;
	if ((size_t)n >= cap)
		return -ENAMETOOLONG;
	*len = (size_t)n;
	return 0;
}

static int open_pid_dir(const char *procroot, pid_t pid, int *dfd)
{
	char path[PATH_MAX];
	int n;

	*dfd = -1;
	if (pid <= 0)
		return -EINVAL;
	n = snprintf(path, sizeof(path), "%s/%d", procroot, (int)pid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	*dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *dfd < 0 ? -errno : 0;
}

static int read_stat_at(int dfd, struct proc_info *pi)
{
	char buf[STAT_BUF_MAX];
	size_t len;
	int r;

	if ((r = procfs_read_at(dfd, "stat", buf, sizeof(buf), &len)) < 0)
		return r;
	return procfs_parse_stat(buf, len, pi);
}

/* Read dfd/name (up to cap bytes, on the heap: some are large) and
 * parse it into pi. */
static int read_parsed_at(int dfd, const char *name, size_t cap,
			  int (*parse)(const char *, size_t, struct proc_info *),
			  struct proc_info *pi)
{
	char *buf = malloc(cap);
	size_t len;
	int r;

	if (!buf)
		return -ENOMEM;
	if ((r = procfs_read_at(dfd, name, buf, cap, &len)) == 0)
		r = parse(buf, len, pi);
	free(buf);
	return r;
}

static int parse_cgroup(const char *buf, size_t len, struct proc_info *pi)
{
	return procfs_cgroup_info(pi, buf, len);
}

static int read_status_at(int dfd, struct proc_info *pi)
{
	return read_parsed_at(dfd, "status", STATUS_BUF_MAX,
			      procfs_parse_status, pi);
}

/* Best effort like exe and cwd: a process without a readable cgroup file
 * keeps NULL cgroup, unit and container. */
static int read_cgroup_at(int dfd, struct proc_info *pi)
{
	return read_parsed_at(dfd, "cgroup", PROCFS_CGROUP_BUF_MAX,
			      parse_cgroup, pi);
}

/* One byte past the cap tells a truncated cmdline from a full one. */
static int read_cmdline_at(int dfd, struct proc_info *pi)
{
	return read_parsed_at(dfd, "cmdline", PROC_CMDLINE_MAX + 1,
			      procfs_parse_cmdline, pi);
}

/* Whether the file dfd/exe runs is the one at path in our own mount
 * namespace: a process in another one can make any path name any file
 * (bind mount over it, then exec the path). */
static bool exe_is_path(int dfd, const char *path)
{
	struct stat a, b;

	return path && path[0] == '/' && fstatat(dfd, "exe", &a, 0) == 0 &&
	       stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* A file may really be named "x (deleted)": the kernel appends the suffix
 * only for unlinked files, whose link count is 0. */
static int read_exe_at(int dfd, struct proc_info *pi, char *buf)
{
	struct stat st;
	size_t len;
	int r;

	if ((r = link_at(dfd, "exe", buf, LINK_BUF_MAX, &len)) < 0)
		return r;
	if ((r = procfs_parse_exe(buf, len, pi)) < 0)
		return r;
	if (pi->exe_deleted && fstatat(dfd, "exe", &st, 0) == 0 &&
	    st.st_nlink > 0) {
		free(pi->exe);
		pi->exe = NULL;
		pi->exe_deleted = false;
		r = dup_bytes(buf, len, &pi->exe);
	}
	if (r == 0)
		pi->verified = exe_is_path(dfd, pi->exe);
	return r;
}

static int read_cwd_at(int dfd, struct proc_info *pi, char *buf)
{
	size_t len;
	int r;

	if ((r = link_at(dfd, "cwd", buf, LINK_BUF_MAX, &len)) < 0)
		return r;
	return dup_bytes(buf, len, &pi->cwd);
}

int procfs_read_proc(const char *procroot, pid_t pid, struct proc_info *out)
{
	char *buf = NULL;
	int dfd = -1, r;

	memset(out, 0, sizeof(*out));
	if ((r = open_pid_dir(procroot, pid, &dfd)) < 0)
		goto out;
	if ((r = read_stat_at(dfd, out)) < 0)
		goto out;
	if ((r = read_status_at(dfd, out)) < 0)
		goto out;
	out->pid = pid;
	if (!(buf = malloc(LINK_BUF_MAX))) {
		r = -ENOMEM;
		goto out;
	}
	/* Best effort: kernel threads have no exe, zombies no cmdline. */
	if ((r = read_exe_at(dfd, out, buf)) == -ENOMEM ||
	    (r = read_cwd_at(dfd, out, buf)) == -ENOMEM ||
	    (r = read_cmdline_at(dfd, out)) == -ENOMEM ||
	    (r = read_cgroup_at(dfd, out)) == -ENOMEM)
		goto out;
	r = 0;
out:
	if (r < 0)
		proc_info_clear(out);
	free(buf);
	if (dfd >= 0)
		close(dfd);
	return r;
}

int procfs_stat_start(const char *procroot, pid_t pid, uint64_t *start)
{
	struct proc_info pi;
	int dfd = -1, r;

	*start = 0;
	memset(&pi, 0, sizeof(pi));
	if ((r = open_pid_dir(procroot, pid, &dfd)) < 0)
		goto out;
	if ((r = read_stat_at(dfd, &pi)) < 0)
		goto out;
	*start = pi.start_time;
out:
	if (dfd >= 0)
		close(dfd);
	return r;
}

int procfs_read_environ(const char *procroot, pid_t pid, uint64_t start_time,
			char *buf, size_t cap, size_t *len)
{
	struct proc_info pi;
	int dfd = -1, r;

	*len = 0;
	memset(&pi, 0, sizeof(pi));
	if (!start_time)
		return -ESRCH;
	if ((r = open_pid_dir(procroot, pid, &dfd)) < 0)
		goto out;
	/* Through the one directory fd: if pid was reused, the new process
	 * has another start time; if it is reused after this check, the fd
	 * still names the old (dead) process and the read fails. */
	if ((r = read_stat_at(dfd, &pi)) < 0)
		goto out;
	if (pi.start_time != start_time) {
		r = -ESRCH;
		goto out;
	}
	r = procfs_read_at(dfd, "environ", buf, cap, len);
out:
	if (dfd >= 0)
		close(dfd);
	return r;
}

int procfs_alive(pid_t pid, uint64_t start_time, void *procroot)
{
	uint64_t now_start;
	int r = procfs_stat_start(procroot, pid, &now_start);

	if (r == -ENOENT || r == -ESRCH)
		return 0;
	if (r < 0)
		return r;
	return !start_time || now_start == start_time;
}

int procfs_readlink_fd(const char *procroot, pid_t pid, int fd, uint64_t *ino)
{
	char path[PATH_MAX], buf[SOCK_LINK_MAX];
	ssize_t n;
	int len;

	*ino = 0;
	if (pid <= 0 || fd < 0)
		return -EINVAL;
	len = snprintf(path, sizeof(path), "%s/%d/fd/%d", procroot, (int)pid,
		       fd);
	if (len < 0 || (size_t)len >= sizeof(path))
		return -ENAMETOOLONG;
	n = readlink(path, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(buf))
		return -ENOTSOCK;	/* a long path, not "socket:[N]" */
	return procfs_parse_socket_link(buf, (size_t)n, ino);
}

/* The identity of what pid runs: (dev, inode) of procfd/PID/exe. */
static int exe_id(int procfd, pid_t pid, uint64_t id[2])
{
	char name[32];
	struct stat st;

	snprintf(name, sizeof(name), "%d/exe", (int)pid);
	if (fstatat(procfd, name, &st, 0) < 0)
		return -errno;
	id[0] = (uint64_t)st.st_dev;
	id[1] = (uint64_t)st.st_ino;
	return 0;
}

/* One scan: the set of inodes, their first holder, and (when mixed is
 * wanted) whether every later holder runs the first one's executable. */
struct scan {
	const uint64_t *inos;
	size_t n;
	pid_t *owners;
	bool *mixed;		/* NULL: the first holder is enough */
	uint64_t ids[PROCFS_SCAN_MAX_INOS][2];
	bool have_id[PROCFS_SCAN_MAX_INOS];
	size_t nfds;
};

/* Another holder of an owned inode: mixed unless it runs the same file.
 * One that cannot be told (exe unreadable) counts as different. */
static void another_holder(struct scan *sc, int procfd, size_t i, pid_t pid)
{
	uint64_t id[2];

	if (sc->mixed[i] || pid == sc->owners[i])
		return;
	if (!sc->have_id[i]) {
		if (exe_id(procfd, sc->owners[i], sc->ids[i]) < 0) {
			sc->mixed[i] = true;
			return;
		}
		sc->have_id[i] = true;
	}
	if (exe_id(procfd, pid, id) < 0 || id[0] != sc->ids[i][0] ||
	    id[1] != sc->ids[i][1])
		sc->mixed[i] = true;
}

/* Matches ino against the set: unowned entries get pid; with mixed
 * wanted, owned ones note another holder.  Returns how many were new. */
static size_t claim(struct scan *sc, int procfd, uint64_t ino, pid_t pid)
{
	size_t i, found = 0;

	for (i = 0; i < sc->n; i++) {
		if (sc->inos[i] != ino)
			continue;
		if (sc->owners[i] == 0) {
			sc->owners[i] = pid;
			found++;
		} else if (sc->mixed) {
			another_holder(sc, procfd, i, pid);
		}
	}
	return found;
}

/* Scan procfd/PID/fd.  Vanished or forbidden processes count as empty. */
static size_t scan_one(struct scan *sc, int procfd, pid_t pid)
{
	char name[32], link[SOCK_LINK_MAX];
	struct dirent *de;
	size_t found = 0;
	uint64_t ino;
	ssize_t len;
	DIR *d;
	int fd;

	snprintf(name, sizeof(name), "%d/fd", (int)pid);
	fd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		sc->nfds++;
		len = readlinkat(fd, de->d_name, link, sizeof(link));
		if (len <= 0 || (size_t)len >= sizeof(link))
			continue;
		if (procfs_parse_socket_link(link, (size_t)len, &ino) == 0)
			found += claim(sc, procfd, ino, pid);
	}
	closedir(d);
	return found;
}

static size_t unowned(const pid_t *owners, size_t n)
{
	size_t i, left = 0;

	for (i = 0; i < n; i++)
		left += owners[i] == 0;
	return left;
}

static void scan_init(struct scan *sc, const uint64_t *inos, size_t n,
		      pid_t *owners, bool *mixed)
{
	memset(sc, 0, sizeof(*sc));
	sc->inos = inos;
	sc->n = n;
	sc->owners = owners;
	sc->mixed = mixed;
}

int procfs_scan_pids(const char *procroot, const pid_t *pids, size_t npids,
		     const uint64_t *inos, size_t n, pid_t *owners, bool *mixed)
{
	size_t i, found = 0, left;
	struct scan sc;
	int procfd;

	if (n > PROCFS_SCAN_MAX_INOS)
		return -EINVAL;
	if ((left = unowned(owners, n)) == 0 && !mixed)
		return 0;
	scan_init(&sc, inos, n, owners, mixed);
	procfd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	for (i = 0; i < npids && (mixed || found < left); i++) {
		if (pids[i] > 0)
			found += scan_one(&sc, procfd, pids[i]);
	}
	close(procfd);
	return (int)found;
}

/* A process directory name: all digits, fits a pid. */
static pid_t name_pid(const char *s)
{
	uint64_t v;
	size_t len = strnlen(s, 16);

	if (len == 0 || len >= 16 || parse_u64_exact(s, s + len, &v) < 0 ||
	    v == 0 || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

int procfs_scan_all(const char *procroot, const uint64_t *inos, size_t n,
		    pid_t *owners, bool *mixed, size_t *nprocs, size_t *nfds)
{
	size_t found = 0, left, procs = 0;
	struct dirent *de;
	struct scan sc;
	DIR *d;
	pid_t pid;

	if (n > PROCFS_SCAN_MAX_INOS)
		return -EINVAL;
	left = unowned(owners, n);
	scan_init(&sc, inos, n, owners, mixed);
	if (!(d = opendir(procroot)))
		return -errno;
	/* Every holder matters when mixed is wanted: no early stop then. */
	while ((mixed || found < left) && (de = readdir(d))) {
		if (!(pid = name_pid(de->d_name)))
			continue;
		procs++;
		found += scan_one(&sc, dirfd(d), pid);
	}
	closedir(d);
	if (nprocs)
		*nprocs = procs;
	if (nfds)
		*nfds = sc.nfds;
	return (int)found;
}

int procfs_parent_exe(const char *procroot, pid_t pid, uint64_t child_start,
		      char *buf, size_t len)
{
	struct proc_info pi;
	size_t n;
	int dfd = -1, r;

	memset(&pi, 0, sizeof(pi));
	if (len == 0)
		return -EINVAL;
	buf[0] = '\0';
	if ((r = open_pid_dir(procroot, pid, &dfd)) < 0)
		goto out;
	if ((r = read_stat_at(dfd, &pi)) < 0)
		goto out;
	/* A parent starts no later than its child: a later one is someone
	 * else who got the pid after the parent died. */
	if (!child_start || !pi.start_time || pi.start_time > child_start) {
		r = -ESTALE;
		goto out;
	}
	if ((r = link_at(dfd, "exe", buf, len - 1, &n)) < 0)
		goto out;
	buf[n] = '\0';
	r = exe_is_path(dfd, buf) ? 0 : -EPERM;
out:
	if (r < 0)
		buf[0] = '\0';
	if (dfd >= 0)
		close(dfd);
	proc_info_clear(&pi);
	return r;
}

int procfs_is(const char *procroot, pid_t pid, uint64_t start,
	      const char *exe)
{
	struct proc_info pi;
	char *buf = NULL;
	int dfd = -1, r;

	memset(&pi, 0, sizeof(pi));
	if ((r = open_pid_dir(procroot, pid, &dfd)) < 0)
		goto out;
	if ((r = read_stat_at(dfd, &pi)) < 0)
		goto out;
	if (start && pi.start_time != start) {
		r = 0;
		goto out;
	}
	if (exe) {
		if (!(buf = malloc(LINK_BUF_MAX))) {
			r = -ENOMEM;
			goto out;
		}
		if ((r = read_exe_at(dfd, &pi, buf)) < 0)
			goto out;
		if (!pi.exe || strcmp(pi.exe, exe) != 0) {
			r = 0;
			goto out;
		}
	}
	r = 1;
out:
	free(buf);
	if (dfd >= 0)
		close(dfd);
	proc_info_clear(&pi);
	return r;
}

int procfs_netns(const char *procroot, pid_t pid, uint64_t *ino)
{
	char path[PATH_MAX];
	struct stat st;

	*ino = 0;
	if (pid <= 0)
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s/%d/ns/net", procroot, (int)pid) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0)
		return -errno;
	*ino = (uint64_t)st.st_ino;
	return 0;
}

/* ---- cgroup facts (cgroup.h parses; this file owns struct proc_info) */

#define MOUNTINFO_MAX		(1024 * 1024)

int procfs_set_cgroup(struct proc_info *pi, const char *path, size_t len)
{
	char *cg = NULL, *unit = NULL, *cid = NULL;
	struct cgroup_ident id;

	if (!len || path[0] != '/')
		return -EBADMSG;
	if (len >= CGROUP_PATH_MAX)
		return -E2BIG;
	cgroup_ident_parse(path, len, &id);
	if (!(cg = strndup(path, len)) ||
	    (id.unit[0] && !(unit = strdup(id.unit))) ||
	    (id.id[0] && !(cid = strdup(id.id)))) {
		free(cg);
		free(unit);
		return -ENOMEM;
	}
	free(pi->cgroup);
	free(pi->unit);
	free(pi->container_id);
	pi->cgroup = cg;
	pi->unit = unit;
	pi->container_id = cid;
	memcpy(pi->container_runtime, id.runtime, sizeof(pi->container_runtime));
	return 0;
}

int procfs_cgroup_info(struct proc_info *pi, const char *buf, size_t len)
{
	const char *path;
	size_t plen;
	int r;

	if ((r = cgroup_parse_proc(buf, len, &path, &plen)) < 0)
		return r;
	return procfs_set_cgroup(pi, path, plen);
}

int procfs_cgroup2_mount(const char *procroot, char *mnt, size_t mntlen)
{
	char path[PATH_MAX], *buf;
	size_t len;
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/self/mountinfo",
			     procroot) >= sizeof(path))
		return -ENAMETOOLONG;
	if (!(buf = malloc(MOUNTINFO_MAX)))
		return -ENOMEM;
	if ((r = procfs_read_at(AT_FDCWD, path, buf, MOUNTINFO_MAX, &len)) == 0)
		r = cgroup_parse_mountinfo(buf, len, mnt, mntlen);
	free(buf);
	return r;
}
