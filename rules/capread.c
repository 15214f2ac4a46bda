/* capread.c - see capread.h. */
#include "capread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read to EOF into p (room for size + 1 bytes: one more than the size
 * shows a file that grew). */
static int read_all(int fd, char *p, size_t size, size_t *got)
{
	*got = 0;
	for (;;) {
		ssize_t n = read(fd, p + *got, size + 1 - *got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		*got += (size_t)n;
		if (*got > size)
			return -EFBIG;
	}
}

int capread_at(int dirfd, const char *name, size_t cap, unsigned flags,
	       char **buf, size_t *len)
{
	int oflags = O_RDONLY | O_NONBLOCK | O_CLOEXEC, fd = -1, r;
	int sflags = (flags & CAPREAD_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW;
	struct stat pre, st;
	char *p = NULL;
	size_t got = 0;

	*buf = NULL;
	*len = 0;
	if (!(flags & CAPREAD_FOLLOW))
		oflags |= O_NOFOLLOW;
	if (fstatat(dirfd, name, &pre, sflags) < 0)
		return -errno;
	if (S_ISLNK(pre.st_mode))
		return -ELOOP;
	if (!S_ISREG(pre.st_mode))
		return -EINVAL;
	if ((fd = openat(dirfd, name, oflags)) < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != pre.st_dev ||
	    st.st_ino != pre.st_ino) {
		r = -ESTALE;
		goto out;
	}
	if ((uint64_t)st.st_size > cap) {
		r = -EFBIG;
		goto out;
	}
	if (!(p = malloc((size_t)st.st_size + 2))) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = read_all(fd, p, (size_t)st.st_size, &got)) < 0)
		goto out;
	p[got] = '\0';
	*buf = p;
	*len = got;
	p = NULL;
out:
	free(p);
	if (fd >= 0)
		close(fd);
	return r;
}

const char *capread_strerror(int r)
{
	switch (r) {
	case -ELOOP:
		return "a symbolic link (not followed)";
	case -EINVAL:
		return "not a regular file (FIFO, device, socket or directory)";
	case -EFBIG:
		return "too large";
	case -ESTALE:
		return "replaced while being opened";
	default:
		return strerror(-r);
	}
}
