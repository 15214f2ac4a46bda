/* filewrite.c - see filewrite.h. */
#include "filewrite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int filewrite_atomic(const char *path, const char *text, size_t len)
{
	char tmp[4096], dir[4096];
	const char *base = strrchr(path, '/');
	int fd = -1, ret;

	if (!base || base == path || !base[1] ||
	    (size_t)(base - path) >= sizeof(dir))
		return -EINVAL;
	memcpy(dir, path, (size_t)(base - path));
	dir[base - path] = '\0';
	/* Next to the target, so rename() is atomic; the dot name keeps the
	 * rules watcher's loader away from it. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base + 1) >=
	    sizeof(tmp))
		return -ENAMETOOLONG;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return -errno;
	if ((ret = write_all(fd, text, len)) < 0)
		goto out;
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		ret = -errno;
		goto out;
	}
	tmp[0] = '\0';
	ret = fsync_dir(dir);
out:
	close(fd);
	if (tmp[0])
		unlink(tmp);
	return ret;
}
