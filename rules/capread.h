/* capread.h - the one way tattled reads a whole file it did not write
 * (rule files, list files, the config file): never blocks, never follows
 * a symlink it was not told to, never opens anything but a regular file,
 * never reads more than a cap. */
#ifndef TATTLE_CAPREAD_H
#define TATTLE_CAPREAD_H

#include <stddef.h>

#define CAPREAD_FOLLOW	0x1	/* follow a symlink in the last component
				 * (paths an admin gave on the command line) */

/* Read name (relative to dirfd; AT_FDCWD for a plain path) into a
 * NUL-terminated heap buffer (*len excludes the NUL; free() it).
 * The entry is checked with fstatat before it is opened, so a FIFO or a
 * device is never opened at all; the open itself is O_RDONLY|O_NONBLOCK|
 * O_CLOEXEC (and O_NOFOLLOW unless CAPREAD_FOLLOW), and the opened file
 * must be the regular file that was checked (same dev and inode).
 * 0; -ELOOP a symlink; -EINVAL not a regular file; -EFBIG over cap (or it
 * grew past its size while being read); -ESTALE replaced between the check
 * and the open; other -errno from the calls. */
int capread_at(int dirfd, const char *name, size_t cap, unsigned flags,
	       char **buf, size_t *len);

/* A reason for a capread_at error, for warnings ("not a regular file"). */
const char *capread_strerror(int r);

#endif
