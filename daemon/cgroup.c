/* cgroup.c - cgroup v2 path of a process, the unit and container it
 * names, and a bounded cache from cgroup id to path. */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"

#define MAX_COMPS		256		/* innermost components looked at */

/* ---- /proc/PID/cgroup */

/* One line "ID:CONTROLLERS:PATH" at buf[0, len); the path part. */
static bool line_path(const char *l, size_t len, const char *prefix,
		      const char **path, size_t *plen)
{
	size_t n = strlen(prefix);

	if (len < n || memcmp(l, prefix, n))
		return false;
	*path = l + n;
	*plen = len - n;
	return true;
}

int cgroup_parse_proc(const char *buf, size_t len, const char **path,
		      size_t *plen)
{
	const char *p = buf, *end = buf + len, *v2 = NULL, *sd = NULL, *nl;
	size_t v2len = 0, sdlen = 0;
	static const char deleted[] = " (deleted)";

	*path = NULL;
	*plen = 0;
	for (; p < end; p = nl + 1) {
		size_t l;

		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		l = (size_t)(nl - p);
		if (!v2)
			(void)line_path(p, l, "0::", &v2, &v2len);
		if (!sd) {
			const char *c = memchr(p, ':', l);

			if (c)
				(void)line_path(c + 1, l - (size_t)(c + 1 - p),
						"name=systemd:", &sd, &sdlen);
		}
	}
	if (!v2) {
		v2 = sd;
		v2len = sdlen;
	}
	if (!v2)
		return -ENOENT;
	if (v2len >= sizeof(deleted) - 1 &&
	    !memcmp(v2 + v2len - (sizeof(deleted) - 1), deleted, sizeof(deleted) - 1))
		v2len -= sizeof(deleted) - 1;
	if (!v2len || v2[0] != '/' || memchr(v2, '\0', v2len))
		return -EBADMSG;
	if (v2len >= CGROUP_PATH_MAX)
		return -E2BIG;
	*path = v2;
	*plen = v2len;
	return 0;
}

/* ---- what a path names */

struct comp {
	const char *s;
	size_t len;
};

static bool has_prefix(struct comp c, const char *pfx)
{
	size_t n = strlen(pfx);

	return c.len >= n && !memcmp(c.s, pfx, n);
}

static bool has_suffix(struct comp c, const char *sfx)
{
	size_t n = strlen(sfx);

	return c.len >= n && !memcmp(c.s + c.len - n, sfx, n);
}

static bool is_hex_id(const char *s, size_t len)
{
	if (len < 12 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void set_str(char *dst, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* systemd unit-name escaping: "\x2d" is '-'.  Other bytes are copied. */
static void unescape_into(char *dst, size_t cap, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < cap; i++) {
		int hi, lo;

		if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' &&
		    (hi = hex_digit(s[i + 2])) >= 0 && (lo = hex_digit(s[i + 3])) >= 0 &&
		    (hi || lo)) {
			dst[o++] = (char)(hi * 16 + lo);
			i += 3;
			continue;
		}
		dst[o++] = s[i];
	}
	dst[o] = '\0';
}

/* "<pfx><hexid>.scope" for the systemd-driver runtimes. */
static const struct {
	const char *prefix, *runtime;
} scope_runtimes[] = {
	{ "docker-", "docker" },
	{ "libpod-", "podman" },
	{ "cri-containerd-", "containerd" },
	{ "nerdctl-", "containerd" },
	{ "crio-", "cri-o" },
};

static bool scope_container(struct comp c, struct cgroup_ident *out)
{
	if (!has_suffix(c, ".scope"))
		return false;
	for (size_t i = 0; i < sizeof(scope_runtimes) / sizeof(scope_runtimes[0]); i++) {
		size_t pl = strlen(scope_runtimes[i].prefix);
		const char *id = c.s + pl;
		size_t idlen;

		if (!has_prefix(c, scope_runtimes[i].prefix) || c.len < pl + 6)
			continue;
		idlen = c.len - pl - 6;
		/* libpod-conmon-ID.scope is podman's monitor, not the
		 * container; is_hex_id refuses it. */
		if (!is_hex_id(id, idlen))
			continue;
		set_str(out->runtime, sizeof(out->runtime),
			scope_runtimes[i].runtime, strlen(scope_runtimes[i].runtime));
		set_str(out->id, sizeof(out->id), id, idlen);
		return true;
	}
	if (has_prefix(c, "machine-") && c.len > 8 + 6) {
		set_str(out->runtime, sizeof(out->runtime), "nspawn", 6);
		unescape_into(out->id, sizeof(out->id), c.s + 8, c.len - 8 - 6);
		return true;
	}
	return false;
}

static bool comp_eq(struct comp c, const char *s)
{
	return c.len == strlen(s) && !memcmp(c.s, s, c.len);
}

/* Component v[i] (innermost at 0) seen with its parent v[i + 1] and the
 * rest of the path above. */
static bool comp_container(const struct comp *v, size_t n, size_t i,
			   struct cgroup_ident *out)
{
	struct comp c = v[i];

	if (scope_container(c, out))
		return true;
	if (has_prefix(c, "lxc.payload.") && c.len > 12) {
		set_str(out->runtime, sizeof(out->runtime), "lxc", 3);
		set_str(out->id, sizeof(out->id), c.s + 12, c.len - 12);
		return true;
	}
	if (i + 1 >= n)
		return false;
	if (comp_eq(v[i + 1], "docker") && is_hex_id(c.s, c.len)) {
		set_str(out->runtime, sizeof(out->runtime), "docker", 6);
		set_str(out->id, sizeof(out->id), c.s, c.len);
		return true;
	}
	if (comp_eq(v[i + 1], "lxc") && c.len) {
		set_str(out->runtime, sizeof(out->runtime), "lxc", 3);
		set_str(out->id, sizeof(out->id), c.s, c.len);
		return true;
	}
	/* Kubernetes, cgroupfs driver: /kubepods[/QOS]/podUID/ID. */
	if (has_prefix(v[i + 1], "pod") && is_hex_id(c.s, c.len)) {
		for (size_t k = i + 2; k < n; k++) {
			if (has_prefix(v[k], "kubepods")) {
				set_str(out->runtime, sizeof(out->runtime), "kubernetes", 10);
				set_str(out->id, sizeof(out->id), c.s, c.len);
				return true;
			}
		}
	}
	return false;
}

/* Components of path, innermost first, at most max. */
static size_t split_rev(const char *path, size_t len, struct comp *v, size_t max)
{
	size_t n = 0, end = len;

	while (end > 0 && n < max) {
		size_t start = end;

		while (start > 0 && path[start - 1] != '/')
			start--;
		if (end > start) {
			v[n].s = path + start;
			v[n++].len = end - start;
		}
		end = start ? start - 1 : 0;
	}
	return n;
}

void cgroup_ident_parse(const char *path, size_t len, struct cgroup_ident *out)
{
	struct comp v[MAX_COMPS];
	size_t n = split_rev(path, len, v, MAX_COMPS);
	bool have_unit = false, have_ctr = false;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n && !(have_unit && have_ctr); i++) {
		if (!have_unit && v[i].len < CGROUP_UNIT_MAX &&
		    ((has_suffix(v[i], ".service") && v[i].len > 8) ||
		     (has_suffix(v[i], ".scope") && v[i].len > 6))) {
			set_str(out->unit, sizeof(out->unit), v[i].s, v[i].len);
			have_unit = true;
		}
		if (!have_ctr)
			have_ctr = comp_container(v, n, i, out);
	}
}

/* ---- mountinfo */

/* Undo mountinfo's octal escapes (\040 space, \011 tab, \012, \134). */
static int unoctal(const char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\\' && i + 3 < len &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
				   (s[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= cap)
			return -E2BIG;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* Field k (0-based, space separated) of line l[0, len). */
static bool field(const char *l, size_t len, int k, const char **f, size_t *flen)
{
	size_t i = 0;

	for (int n = 0;; n++) {
		size_t start = i;

		while (i < len && l[i] != ' ')
			i++;
		if (n == k) {
			*f = l + start;
			*flen = i - start;
			return true;
		}
		if (i >= len)
			return false;
		i++;
	}
}

/* "... - cgroup2 SOURCE OPTIONS": the file system type after " - ". */
static bool is_cgroup2_line(const char *l, size_t len)
{
	for (size_t i = 0; i + 3 <= len; i++)
		if (!memcmp(l + i, " - ", 3))
			return len - i - 3 >= 8 && !memcmp(l + i + 3, "cgroup2 ", 8);
	return false;
}

int cgroup_parse_mountinfo(const char *buf, size_t len, char *mnt,
			   size_t mntlen)
{
	const char *p = buf, *end = buf + len, *nl, *root, *mp;
	size_t rootlen, mplen;

	if (mntlen)
		mnt[0] = '\0';
	for (; p < end; p = nl + 1) {
		size_t l;

		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		l = (size_t)(nl - p);
		if (!is_cgroup2_line(p, l) || !field(p, l, 3, &root, &rootlen) ||
		    !field(p, l, 4, &mp, &mplen))
			continue;
		if (rootlen != 1 || root[0] != '/')
			continue;
		return unoctal(mp, mplen, mnt, mntlen);
	}
	return -ENOENT;
}

/* ---- readers */


int cgroup_id_of(int dirfd, const char *name, uint64_t *id)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + 64];
	} h;
	struct stat st;
	int mnt_id;

	*id = 0;
	h.fh.handle_bytes = 64;
	if (name_to_handle_at(dirfd, name, &h.fh, &mnt_id, 0) == 0 &&
	    h.fh.handle_bytes == sizeof(uint64_t)) {
		memcpy(id, h.fh.f_handle, sizeof(*id));
		return 0;
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	*id = (uint64_t)st.st_ino;
	return 0;
}

/* ---- id -> path cache */

struct cg_entry {
	uint64_t id;
	uint64_t used_ms;
	char *path;		/* NULL: free slot; "": no such cgroup */
};

struct cgroup_cache {
	char *mnt;
	size_t cap;
	struct cg_entry *e;
	struct cgroup_cache_stats st;
};

struct cgroup_cache *cgroup_cache_new(const char *mnt, size_t cap)
{
	struct cgroup_cache *cc = calloc(1, sizeof(*cc));

	if (!cc)
		return NULL;
	cc->cap = cap ? cap : CGROUP_CACHE_MAX;
	cc->mnt = strdup(mnt);
	cc->e = calloc(cc->cap, sizeof(*cc->e));
	if (!cc->mnt || !cc->e) {
		cgroup_cache_free(cc);
		errno = ENOMEM;
		return NULL;
	}
	return cc;
}

void cgroup_cache_free(struct cgroup_cache *cc)
{
	if (!cc)
		return;
	for (size_t i = 0; i < cc->cap; i++)
		free(cc->e[i].path);
	free(cc->e);
	free(cc->mnt);
	free(cc);
}

void cgroup_cache_stats(const struct cgroup_cache *cc,
			struct cgroup_cache_stats *out)
{
	*out = cc->st;
}

struct walk {
	uint64_t want;
	size_t budget;
	char path[CGROUP_PATH_MAX];	/* relative to the mount */
	size_t len;
	uint64_t visited;
};

/* Depth-first below dfd (whose path is w->path); 1 found, 0 not, -errno. */
static int walk_dir(int dfd, struct walk *w, int depth)
{
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth > CGROUP_WALK_DEPTH || !(d = fdopendir(dfd))) {
		close(dfd);
		return 0;
	}
	while (r == 0 && (de = readdir(d))) {
		size_t base = w->len, n = strlen(de->d_name);
		uint64_t id;
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (!w->budget--)
			break;
		w->visited++;
		if (base + 1 + n >= sizeof(w->path))
			continue;
		w->path[base] = '/';
		memcpy(w->path + base + 1, de->d_name, n + 1);
		w->len = base + 1 + n;
		if (cgroup_id_of(dirfd(d), de->d_name, &id) == 0 && id == w->want) {
			r = 1;
			break;
		}
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0)
			r = walk_dir(sub, w, depth + 1);
		if (r == 0) {
			w->len = base;
			w->path[base] = '\0';
		}
	}
	closedir(d);
	return r;
}

static int cache_walk(struct cgroup_cache *cc, uint64_t id, char *out,
		      size_t outlen)
{
	struct walk *w = calloc(1, sizeof(*w));
	uint64_t root_id;
	int dfd, r;

	if (!w)
		return -ENOMEM;
	w->want = id;
	w->budget = CGROUP_WALK_MAX;
	cc->st.walks++;
	if ((dfd = open(cc->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = -errno;
		goto out;
	}
	if (cgroup_id_of(AT_FDCWD, cc->mnt, &root_id) == 0 && root_id == id) {
		close(dfd);
		r = 1;
	} else {
		r = walk_dir(dfd, w, 0);
	}
	cc->st.walked_dirs += w->visited;
	if (r < 0)
		goto out;
	if (!r) {
		r = -ENOENT;
		goto out;
	}
	if (!w->len)
		w->path[w->len++] = '/';
	w->path[w->len] = '\0';
	if (w->len >= outlen) {
		r = -E2BIG;
		goto out;
	}
	memcpy(out, w->path, w->len + 1);
	r = 0;
out:
	free(w);
	return r;
}

int cgroup_cache_put(struct cgroup_cache *cc, uint64_t id, const char *path,
		     uint64_t now_ms)
{
	struct cg_entry *victim = &cc->e[0];
	char *p = strdup(path ? path : "");

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < cc->cap; i++) {
		if (!cc->e[i].path || cc->e[i].id == id) {
			victim = &cc->e[i];
			break;
		}
		if (cc->e[i].used_ms < victim->used_ms)
			victim = &cc->e[i];
	}
	if (victim->path && victim->id != id)
		cc->st.evictions++;
	free(victim->path);
	victim->id = id;
	victim->path = p;
	victim->used_ms = now_ms;
	return 0;
}

int cgroup_cache_get(struct cgroup_cache *cc, uint64_t id, uint64_t now_ms,
		     char *out, size_t outlen)
{
	if (outlen)
		out[0] = '\0';
	for (size_t i = 0; i < cc->cap; i++) {
		struct cg_entry *e = &cc->e[i];
		size_t n;

		if (!e->path || e->id != id)
			continue;
		e->used_ms = now_ms;
		cc->st.hits++;
		if (!e->path[0])
			return -ENOENT;
		if ((n = strlen(e->path)) >= outlen)
			return -E2BIG;
		memcpy(out, e->path, n + 1);
		return 0;
	}
	cc->st.misses++;
	return -EAGAIN;
}

int cgroup_path_by_id(struct cgroup_cache *cc, uint64_t id, uint64_t now_ms,
		      char *out, size_t outlen)
{
	int r;

	if ((r = cgroup_cache_get(cc, id, now_ms, out, outlen)) != -EAGAIN)
		return r;
	r = cache_walk(cc, id, out, outlen);
	/* A cgroup id is never reused: one that is gone stays gone, so a
	 * miss is remembered and not walked for again. */
	if (r == 0 || r == -ENOENT)
		(void)cgroup_cache_put(cc, id, r == 0 ? out : NULL, now_ms);
	return r;
}
