/* auditref.c - see auditref.h. */
#include "auditref.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfs.h"

#define AUDITREF_LINE_MAX	160	/* a state file is one short line */
#define AUDITREF_PREFIX		"audit-"
#define AUDITREF_SUFFIX		".state"

int auditref_lock(const char *dir)
{
	char path[512];
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/audit.lock", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int r = -errno;

			close(fd);
			return r;
		}
	}
	return fd;
}

void auditref_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the flock */
}

int auditref_parse(const char *buf, size_t len, uint32_t *enabled,
		   uint32_t *backlog_limit, pid_t *pid, uint64_t *start)
{
	char line[AUDITREF_LINE_MAX];
	unsigned en, bl;
	unsigned long long st;
	int p, used = 0;

	*enabled = *backlog_limit = 0;
	*pid = 0;
	*start = 0;
	if (len >= sizeof(line))
		return -EBADMSG;
	memcpy(line, buf, len);
	line[len] = '\0';
	if (sscanf(line, "enabled %u backlog_limit %u%n", &en, &bl, &used) != 2)
		return -EBADMSG;
	if (sscanf(line + used, " pid %d start %llu", &p, &st) == 2) {
		if (p <= 0)
			return -EBADMSG;
		*pid = p;
		*start = st;
	}
	*enabled = en;
	*backlog_limit = bl;
	return 0;
}

static int key_of(const char *name, char *key, size_t len)
{
	size_t n = strlen(name), pl = strlen(AUDITREF_PREFIX),
	       sl = strlen(AUDITREF_SUFFIX);

	if (n <= pl + sl || strncmp(name, AUDITREF_PREFIX, pl) ||
	    strcmp(name + n - sl, AUDITREF_SUFFIX) || n - pl - sl >= len)
		return -EINVAL;
	memcpy(key, name + pl, n - pl - sl);
	key[n - pl - sl] = '\0';
	return 0;
}

/* One file's text, read without following links and capped. */
static int read_small(int dirfd, const char *name, char *buf, size_t cap,
		      size_t *len)
{
	ssize_t n;
	int fd, r = 0;

	*len = 0;
	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap);
	if (n < 0)
		r = -errno;
	else
		*len = (size_t)n;
	close(fd);
	return r;
}

static void view_add(const struct auditref_self *me, const char *procroot,
		     const char *key, const char *buf, size_t len,
		     struct auditref_view *v)
{
	uint32_t en, bl;
	uint64_t start;
	pid_t pid;
	bool mine = !strcmp(key, me->key);

	if (auditref_parse(buf, len, &en, &bl, &pid, &start) < 0)
		return;
	if (!v->have_orig || mine) {
		/* They agree by construction; our own file (a crashed run
		 * of our key) is the one the old single-run logic used. */
		v->have_orig = true;
		v->enabled = en;
		v->backlog_limit = bl;
	}
	if (pid == me->pid && start == me->start)
		return;
	if (pid > 0 && procfs_alive(pid, start, (void *)procroot) == 1) {
		v->live++;
		if (mine)
			v->same_key_pid = pid;
	} else {
		v->crashed++;
	}
}

int auditref_scan(const struct auditref_self *me, const char *procroot,
		  struct auditref_view *v)
{
	char key[256], buf[AUDITREF_LINE_MAX];
	unsigned seen = 0;
	struct dirent *de;
	size_t len;
	DIR *d;

	memset(v, 0, sizeof(*v));
	d = opendir(me->dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && seen < AUDITREF_MAX) {
		if (key_of(de->d_name, key, sizeof(key)) < 0)
			continue;
		if (read_small(dirfd(d), de->d_name, buf, sizeof(buf), &len) < 0)
			continue;
		seen++;
		view_add(me, procroot, key, buf, len, v);
	}
	closedir(d);
	return 0;
}

static int state_path(const struct auditref_self *me, const char *suffix,
		      char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/" AUDITREF_PREFIX "%s" AUDITREF_SUFFIX "%s",
			 me->dir, me->key, suffix);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int auditref_save(const struct auditref_self *me, uint32_t enabled,
		  uint32_t backlog_limit)
{
	char path[512], tmp[512];
	FILE *f;
	int r;

	if ((r = state_path(me, "", path, sizeof(path))) < 0 ||
	    (r = state_path(me, ".new", tmp, sizeof(tmp))) < 0)
		return r;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "enabled %" PRIu32 " backlog_limit %" PRIu32
		" pid %ld start %" PRIu64 "\n", enabled, backlog_limit,
		(long)me->pid, me->start);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		r = -errno;
		(void)unlink(tmp);
		return r;
	}
	return 0;
}

int auditref_drop(const struct auditref_self *me)
{
	char path[512];
	int r;

	if ((r = state_path(me, "", path, sizeof(path))) < 0)
		return r;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
