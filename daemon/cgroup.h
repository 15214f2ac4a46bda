/* cgroup.h - a process's cgroup v2 path and what it names: the systemd
 * unit and the container.  Parsers do no I/O; the readers below them are
 * small and blocking (one file, or a bounded walk of the cgroup2 mount on
 * the worker thread). */
#ifndef TATTLE_CGROUP_H
#define TATTLE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>


#define CGROUP_PATH_MAX		4096	/* longer paths are refused */
#define CGROUP_UNIT_MAX		256	/* systemd's own limit on unit names */
#define CGROUP_ID_MAX		256	/* container id or name */
#define CGROUP_RUNTIME_MAX	16

/* What a cgroup path names.  Empty strings when it names nothing. */
struct cgroup_ident {
	char unit[CGROUP_UNIT_MAX];		/* innermost .service or .scope */
	char runtime[CGROUP_RUNTIME_MAX];	/* "docker", "podman", ... */
	char id[CGROUP_ID_MAX];			/* container id or name */
};

/* /proc/PID/cgroup body -> the cgroup v2 path: the "0::" line (present on
 * pure v2 and on hybrid hosts alike), or, on a v1-only host, the
 * "name=systemd" line.  A trailing " (deleted)" is dropped.  *path points
 * into buf, *plen bytes, not NUL-terminated.  0; -ENOENT when neither
 * line is there; -EBADMSG when the chosen line is not an absolute path;
 * -E2BIG past CGROUP_PATH_MAX. */
int cgroup_parse_proc(const char *buf, size_t len, const char **path,
		      size_t *plen);

/* The unit and container a cgroup path names (see cgroup.c for the
 * layouts known).  Always succeeds for a path; *out is zeroed first.
 * Container runtimes: docker (docker-ID.scope, /docker/ID), podman
 * (libpod-ID.scope), containerd (cri-containerd-ID.scope,
 * nerdctl-ID.scope), cri-o (crio-ID.scope), kubernetes (cgroupfs
 * driver: /kubepods/.../podUID/ID), lxc (lxc.payload.NAME, /lxc/NAME),
 * nspawn (machine-NAME.scope, NAME unescaped). */
void cgroup_ident_parse(const char *path, size_t len, struct cgroup_ident *out);

/* /proc/self/mountinfo body -> mount point of the cgroup2 file system
 * (the first one whose root is "/"), with octal escapes (\040) undone,
 * into mnt[mntlen].  0, -ENOENT when none, -E2BIG when it does not fit. */
int cgroup_parse_mountinfo(const char *buf, size_t len, char *mnt,
			   size_t mntlen);

/* ---- Readers (blocking). */

/* The cgroup id of a directory: the kernfs node id that
 * bpf_get_current_cgroup_id() returns, from name_to_handle_at(2) (the
 * inode number where file handles are not supported).  0 or -errno. */
int cgroup_id_of(int dirfd, const char *name, uint64_t *id);

/* ---- Cache from cgroup id to path, for the BPF record's cgroup id.
 * Bounded: CGROUP_CACHE_MAX entries, the least recently used evicted and
 * counted; a miss walks the mount at most CGROUP_WALK_MAX directories
 * deep-first (CGROUP_WALK_DEPTH levels).  Not thread-safe: each thread
 * owns its own (the worker walks; the loop only gets and puts what the
 * worker found). */
#define CGROUP_CACHE_MAX	1024
#define CGROUP_WALK_MAX		20000
#define CGROUP_WALK_DEPTH	32

struct cgroup_cache;

/* mnt: the cgroup2 mount point (copied).  cap 0 = CGROUP_CACHE_MAX.
 * NULL + errno. */
struct cgroup_cache *cgroup_cache_new(const char *mnt, size_t cap);
void cgroup_cache_free(struct cgroup_cache *cc);

/* Path of cgroup id (relative to the mount, starting with '/') into
 * out[outlen].  0; -ENOENT when no directory has it (the cgroup is gone
 * or the walk bound was hit; remembered: cgroup ids are never reused, so
 * it is not walked for again); -E2BIG; -errno.  now_ms orders eviction.
 * Blocking: a miss walks the file system (worker thread only). */
int cgroup_path_by_id(struct cgroup_cache *cc, uint64_t id, uint64_t now_ms,
		      char *out, size_t outlen);

/* The cache alone, no walk (fine on the loop): 0 and the path; -ENOENT
 * when remembered as gone; -EAGAIN when not cached (ask the walker);
 * -E2BIG. */
int cgroup_cache_get(struct cgroup_cache *cc, uint64_t id, uint64_t now_ms,
		     char *out, size_t outlen);

/* Remember id -> path (NULL: no such cgroup), replacing what id had and
 * evicting the least recently used entry when full.  0 or -ENOMEM. */
int cgroup_cache_put(struct cgroup_cache *cc, uint64_t id, const char *path,
		     uint64_t now_ms);

struct cgroup_cache_stats {
	uint64_t hits, misses, walks, walked_dirs, evictions;
};
void cgroup_cache_stats(const struct cgroup_cache *cc,
			struct cgroup_cache_stats *out);

#endif
