/* filewrite.h - the one way tattled writes a file it keeps (rule files):
 * all or nothing, durable before it returns. */
#ifndef TATTLE_FILEWRITE_H
#define TATTLE_FILEWRITE_H

#include <stddef.h>

/* Replace path with len bytes of text atomically: a temporary file
 * (".NAME.XXXXXX", mode 0600, which loaders skip) in path's directory,
 * fsync, rename over path, fsync of the directory.  It waits for the
 * disk: call it off the loop (the worker's WORKER_FILE).  0 or -errno;
 * on failure path is as it was and no temporary file is left. */
int filewrite_atomic(const char *path, const char *text, size_t len);

#endif
