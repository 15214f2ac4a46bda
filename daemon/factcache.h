/* factcache.h - what rules read that the verdict loop must not fetch
 * itself: user names by uid (NSS may ask the network) and a process's
 * environment by (pid, start time) (reading it takes that process's
 * memory lock).  The worker fetches them (WORKER_LOOKUP); the loop stores
 * the results here and policy.c reads them without I/O.
 *
 * Bounded: each table has a fixed capacity, and a full one replaces its
 * least recently stored entry.  An entry older than the ttl is a miss (a
 * renamed user is seen within the ttl).  Loop thread only. */
#ifndef TATTLE_FACTCACHE_H
#define TATTLE_FACTCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FACTCACHE_USERS		256
#define FACTCACHE_ENVS		64	/* each up to WORKER_ENV_MAX bytes */
#define FACTCACHE_TTL_MS	60000

struct factcache;

/* NULL and errno (EINVAL for a zero capacity, ENOMEM). */
struct factcache *factcache_new(unsigned users, unsigned envs, uint64_t ttl_ms);
void factcache_free(struct factcache *fc);	/* NULL ok */

/* 1 and *name ("" when uid has no name) on a hit; 0 on a miss.  *name
 * is valid until the next put. */
int factcache_user(const struct factcache *fc, uint32_t uid, uint64_t now_ms,
		   const char **name);
/* Store uid's name ("" for none; longer than 63 bytes is stored as ""). */
void factcache_put_user(struct factcache *fc, uint32_t uid, const char *name,
			uint64_t now_ms);

/* 1 and *env, *len (NULL and 0 when it could not be read) on a hit; 0 on
 * a miss.  *env is valid until the next put. */
int factcache_env(const struct factcache *fc, pid_t pid, uint64_t start_time,
		  uint64_t now_ms, const char **env, size_t *len);
/* Store the environment of (pid, start_time), taking env (malloc'd, may
 * be NULL: not readable). */
void factcache_put_env(struct factcache *fc, pid_t pid, uint64_t start_time,
		       char *env, size_t len, uint64_t now_ms);

#endif
