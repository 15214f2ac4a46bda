/* hash.h - content hashes (md5, sha1) of the file a process runs, and a
 * bounded cache of them keyed by file identity, so each build of a binary
 * is read once.  Blocking I/O: the worker thread's, never the loop's. */
#ifndef TATTLE_HASH_H
#define TATTLE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HASH_MD5		(1u << 0)
#define HASH_SHA1		(1u << 1)
#define HASH_FILE_MAX_BYTES	(1ull << 30)	/* larger files: not hashed */
#define HASH_CACHE_MAX		4096

/* Lower-case hex; "" for a kind not computed. */
struct hash_value {
	char md5[33];
	char sha1[41];
};

/* The identity a hash is valid for: a file rewritten in place changes
 * size or mtime, a replaced one changes inode. */
struct hash_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

/* Hash the open regular file fd from offset 0 (pread; the offset is not
 * moved) for the kinds in `which`, filling out (kinds not asked stay "").
 * 0; -EFBIG past HASH_FILE_MAX_BYTES; -EINVAL not a regular file;
 * -EAGAIN if the file changed while it was read; -errno. */
int hash_fd(int fd, unsigned which, struct hash_value *out);

struct hash_cache;

/* cap 0 = HASH_CACHE_MAX.  NULL + errno. */
struct hash_cache *hash_cache_new(size_t cap);
void hash_cache_free(struct hash_cache *hc);

/* The hashes of what (pid, start_time) runs: opens procroot/PID/exe
 * (the file itself, even when its path was replaced or deleted), checks
 * the process is still the one asked for (start_time 0: any), and
 * answers from the cache or computes the missing kinds.  0 and *out;
 * -ESRCH when the process is gone or reused; -errno as hash_fd. */
int hash_cache_proc(struct hash_cache *hc, const char *procroot, pid_t pid,
		    uint64_t start_time, unsigned which, uint64_t now_ms,
		    struct hash_value *out);

struct hash_stats {
	uint64_t hits, computed, failed, evictions, bytes;
};
void hash_cache_stats(const struct hash_cache *hc, struct hash_stats *out);

#endif
