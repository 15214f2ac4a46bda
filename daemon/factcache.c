/* factcache.c - see factcache.h.  Small tables searched linearly: they
 * hold the handful of users and processes that env and user-name rules
 * are asked about. */
#include "factcache.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FACTCACHE_NAME_MAX 64

struct user_slot {
	bool used;
	uint32_t uid;
	uint64_t stored_ms;
	char name[FACTCACHE_NAME_MAX];
};

struct env_slot {
	bool used;
	pid_t pid;
	uint64_t start_time;
	uint64_t stored_ms;
	char *env;
	size_t len;
};

struct factcache {
	uint64_t ttl_ms;
	unsigned n_users, n_envs;
	struct user_slot *users;
	struct env_slot *envs;
};

struct factcache *factcache_new(unsigned users, unsigned envs, uint64_t ttl_ms)
{
	struct factcache *fc;

	if (!users || !envs) {
		errno = EINVAL;
		return NULL;
	}
	fc = calloc(1, sizeof(*fc));
	if (!fc)
		return NULL;
	fc->ttl_ms = ttl_ms;
	fc->n_users = users;
	fc->n_envs = envs;
	fc->users = calloc(users, sizeof(*fc->users));
	fc->envs = calloc(envs, sizeof(*fc->envs));
	if (!fc->users || !fc->envs) {
		factcache_free(fc);
		errno = ENOMEM;
		return NULL;
	}
	return fc;
}

void factcache_free(struct factcache *fc)
{
	unsigned i;

	if (!fc)
		return;
	for (i = 0; fc->envs && i < fc->n_envs; i++)
		free(fc->envs[i].env);
	free(fc->envs);
	free(fc->users);
	free(fc);
}

static bool fresh(const struct factcache *fc, uint64_t stored_ms,
		  uint64_t now_ms)
{
	return now_ms >= stored_ms && now_ms - stored_ms < fc->ttl_ms;
}

int factcache_user(const struct factcache *fc, uint32_t uid, uint64_t now_ms,
		   const char **name)
{
	unsigned i;

	*name = NULL;
	for (i = 0; i < fc->n_users; i++) {
		const struct user_slot *u = &fc->users[i];

		if (u->used && u->uid == uid && fresh(fc, u->stored_ms, now_ms)) {
			*name = u->name;
			return 1;
		}
	}
	return 0;
}

/* uid's slot, else a free one, else the least recently stored. */
static struct user_slot *user_slot_for(struct factcache *fc, uint32_t uid)
{
	struct user_slot *oldest = &fc->users[0];
	unsigned i;

	for (i = 0; i < fc->n_users; i++)
		if (fc->users[i].used && fc->users[i].uid == uid)
			return &fc->users[i];
	for (i = 0; i < fc->n_users; i++) {
		if (!fc->users[i].used)
			return &fc->users[i];
		if (fc->users[i].stored_ms < oldest->stored_ms)
			oldest = &fc->users[i];
	}
	return oldest;
}

void factcache_put_user(struct factcache *fc, uint32_t uid, const char *name,
			uint64_t now_ms)
{
	struct user_slot *u = user_slot_for(fc, uid);

	u->used = true;
	u->uid = uid;
	u->stored_ms = now_ms;
	u->name[0] = '\0';
	if (name && strlen(name) < sizeof(u->name))
		memcpy(u->name, name, strlen(name) + 1);
}

int factcache_env(const struct factcache *fc, pid_t pid, uint64_t start_time,
		  uint64_t now_ms, const char **env, size_t *len)
{
	unsigned i;

	*env = NULL;
	*len = 0;
	for (i = 0; i < fc->n_envs; i++) {
		const struct env_slot *e = &fc->envs[i];

		if (e->used && e->pid == pid && e->start_time == start_time &&
		    fresh(fc, e->stored_ms, now_ms)) {
			*env = e->env;
			*len = e->len;
			return 1;
		}
	}
	return 0;
}

/* (pid, start_time)'s slot, else a free one, else the least recently
 * stored. */
static struct env_slot *env_slot_for(struct factcache *fc, pid_t pid,
				     uint64_t start_time)
{
	struct env_slot *oldest = &fc->envs[0];
	unsigned i;

	for (i = 0; i < fc->n_envs; i++)
		if (fc->envs[i].used && fc->envs[i].pid == pid &&
		    fc->envs[i].start_time == start_time)
			return &fc->envs[i];
	for (i = 0; i < fc->n_envs; i++) {
		if (!fc->envs[i].used)
			return &fc->envs[i];
		if (fc->envs[i].stored_ms < oldest->stored_ms)
			oldest = &fc->envs[i];
	}
	return oldest;
}

void factcache_put_env(struct factcache *fc, pid_t pid, uint64_t start_time,
		       char *env, size_t len, uint64_t now_ms)
{
	struct env_slot *e = env_slot_for(fc, pid, start_time);

	free(e->env);
	e->used = true;
	e->pid = pid;
	e->start_time = start_time;
	e->stored_ms = now_ms;
	e->env = env;
	e->len = env ? len : 0;
}
