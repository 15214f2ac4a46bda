/* hash.c - md5/sha1 of executables through libcrypto's EVP interface
 * (OpenSSL 3, already on every Debian host: a vetted, fast digest beats a
 * hand-written one in a security tool), and a bounded LRU cache by file
 * identity. */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bytes.h"
#include "procfs.h"

#define HASH_CHUNK	(64 * 1024)

static struct hash_key key_of(const struct stat *st)
{
	struct hash_key k = {
		.dev = (uint64_t)st->st_dev, .ino = (uint64_t)st->st_ino,
		.size = (uint64_t)st->st_size,
		.mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
	};
	return k;
}

static bool key_eq(const struct hash_key *a, const struct hash_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns;
}

static int digest_init(EVP_MD_CTX **ctx, const EVP_MD *md, bool want)
{
	*ctx = NULL;
	if (!want)
		return 0;
	if (!(*ctx = EVP_MD_CTX_new()) || EVP_DigestInit_ex(*ctx, md, NULL) != 1)
		return -ENOMEM;
	return 0;
}

static void digest_final(EVP_MD_CTX *ctx, char *out)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (ctx && EVP_DigestFinal_ex(ctx, d, &n) == 1)
		hex_encode(d, n, out);
}

/* Feed [0, size) of fd to the digests. */
static int digest_file(int fd, uint64_t size, EVP_MD_CTX *m, EVP_MD_CTX *s)
{
	unsigned char *buf = malloc(HASH_CHUNK);
	uint64_t off = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (off < size) {
		ssize_t n = pread(fd, buf, HASH_CHUNK, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EAGAIN;	/* shrank meanwhile */
			break;
		}
		if ((m && EVP_DigestUpdate(m, buf, (size_t)n) != 1) ||
		    (s && EVP_DigestUpdate(s, buf, (size_t)n) != 1)) {
			r = -ENOMEM;
			break;
		}
		off += (uint64_t)n;
	}
	free(buf);
	return r;
}

int hash_fd(int fd, unsigned which, struct hash_value *out)
{
	EVP_MD_CTX *m = NULL, *s = NULL;
	struct hash_key k0, k1;
	struct stat st;
	int r;

	memset(out, 0, sizeof(*out));
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > HASH_FILE_MAX_BYTES)
		return -EFBIG;
	k0 = key_of(&st);
	if ((r = digest_init(&m, EVP_md5(), which & HASH_MD5)) < 0 ||
	    (r = digest_init(&s, EVP_sha1(), which & HASH_SHA1)) < 0)
		goto out;
	if ((r = digest_file(fd, k0.size, m, s)) < 0)
		goto out;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	k1 = key_of(&st);
	if (!key_eq(&k0, &k1)) {
		r = -EAGAIN;	/* written while we read: no hash is right */
		goto out;
	}
	digest_final(m, out->md5);
	digest_final(s, out->sha1);
out:
	EVP_MD_CTX_free(m);
	EVP_MD_CTX_free(s);
	return r;
}

/* ---- cache */

struct hash_entry {
	struct hash_key key;
	struct hash_value v;
	uint64_t used_ms;
	bool used;
};

struct hash_cache {
	size_t cap;
	struct hash_entry *e;
	struct hash_stats st;
};

struct hash_cache *hash_cache_new(size_t cap)
{
	struct hash_cache *hc = calloc(1, sizeof(*hc));

	if (!hc)
		return NULL;
	hc->cap = cap ? cap : HASH_CACHE_MAX;
	if (!(hc->e = calloc(hc->cap, sizeof(*hc->e)))) {
		free(hc);
		errno = ENOMEM;
		return NULL;
	}
	return hc;
}

void hash_cache_free(struct hash_cache *hc)
{
	if (!hc)
		return;
	free(hc->e);
	free(hc);
}

void hash_cache_stats(const struct hash_cache *hc, struct hash_stats *out)
{
	*out = hc->st;
}

static struct hash_entry *cache_find(struct hash_cache *hc,
				     const struct hash_key *k)
{
	for (size_t i = 0; i < hc->cap; i++)
		if (hc->e[i].used && key_eq(&hc->e[i].key, k))
			return &hc->e[i];
	return NULL;
}

static struct hash_entry *cache_slot(struct hash_cache *hc)
{
	struct hash_entry *victim = &hc->e[0];

	for (size_t i = 0; i < hc->cap; i++) {
		if (!hc->e[i].used)
			return &hc->e[i];
		if (hc->e[i].used_ms < victim->used_ms)
			victim = &hc->e[i];
	}
	hc->st.evictions++;
	return victim;
}

static unsigned missing(const struct hash_value *v, unsigned which)
{
	return ((which & HASH_MD5) && !v->md5[0] ? HASH_MD5 : 0) |
	       ((which & HASH_SHA1) && !v->sha1[0] ? HASH_SHA1 : 0);
}

/* Open what pid runs and check it is still (pid, start_time). */
static int open_exe(const char *procroot, pid_t pid, uint64_t start_time,
		    int *fd)
{
	char path[PATH_MAX];
	uint64_t now_start;
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%d/exe", procroot,
			     (int)pid) >= sizeof(path))
		return -ENAMETOOLONG;
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	r = procfs_stat_start(procroot, pid, &now_start);
	if (r == 0 && start_time && now_start != start_time)
		r = -ESRCH;
	if (r == -ENOENT)
		r = -ESRCH;
	if (r < 0) {
		close(*fd);
		*fd = -1;
	}
	return r;
}

static int cache_fill(struct hash_cache *hc, int fd, unsigned which,
		      uint64_t now_ms, struct hash_value *out)
{
	struct hash_value got;
	struct hash_entry *e;
	struct stat st;
	struct hash_key k;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	k = key_of(&st);
	e = cache_find(hc, &k);
	if (e && !missing(&e->v, which)) {
		hc->st.hits++;
		e->used_ms = now_ms;
		*out = e->v;
		return 0;
	}
	if ((r = hash_fd(fd, e ? missing(&e->v, which) : which, &got)) < 0) {
		hc->st.failed++;
		return r;
	}
	hc->st.computed++;
	hc->st.bytes += k.size;
	if (!e || !key_eq(&e->key, &k)) {
		e = cache_slot(hc);
		memset(e, 0, sizeof(*e));
		e->key = k;
		e->used = true;
	}
	if (got.md5[0])
		memcpy(e->v.md5, got.md5, sizeof(got.md5));
	if (got.sha1[0])
		memcpy(e->v.sha1, got.sha1, sizeof(got.sha1));
	e->used_ms = now_ms;
	*out = e->v;
	return 0;
}

int hash_cache_proc(struct hash_cache *hc, const char *procroot, pid_t pid,
		    uint64_t start_time, unsigned which, uint64_t now_ms,
		    struct hash_value *out)
{
	int fd = -1, r;

	memset(out, 0, sizeof(*out));
	if (pid <= 0 || !which)
		return -EINVAL;
	if ((r = open_exe(procroot, pid, start_time, &fd)) < 0) {
		hc->st.failed++;
		return r;
	}
	r = cache_fill(hc, fd, which, now_ms, out);
	close(fd);
	return r;
}
