/* watch.c - inotify for rule and list directories. */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "rules.h"

#define WATCH_MASK (IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
		    IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB | \
		    IN_ONLYDIR)

struct wdir {
	int wd;
	bool is_rules;
	char *path;
};

struct rules_watch {
	int fd;
	size_t n;
	struct wdir d[1 + RULES_WATCH_MAX_DIRS];	/* d[0]: rules dir */
};

struct rules_watch *rules_watch_new(const char *rules_dir)
{
	struct rules_watch *w = calloc(1, sizeof(*w));
	int e;

	if (!w)
		return NULL;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0)
		goto fail;
	w->d[0].wd = inotify_add_watch(w->fd, rules_dir, WATCH_MASK);
	if (w->d[0].wd < 0)
		goto fail;
	w->d[0].is_rules = true;
	if (!(w->d[0].path = strdup(rules_dir)))
		goto fail;
	w->n = 1;
	return w;
fail:
	e = errno;
	if (w->fd >= 0)
		close(w->fd);
	free(w->d[0].path);
	free(w);
	errno = e;
	return NULL;
}

void rules_watch_free(struct rules_watch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		free(w->d[i].path);
	close(w->fd);
	free(w);
}

int rules_watch_fd(const struct rules_watch *w)
{
	return w->fd;
}

static bool in_list(const char *path, const char **dirs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(path, dirs[i]))
			return true;
	return false;
}

static int watch_add(struct rules_watch *w, const char *path)
{
	int wd;

	for (size_t i = 1; i < w->n; i++)
		if (!strcmp(w->d[i].path, path))
			return 0;
	if (w->n > RULES_WATCH_MAX_DIRS)
		return -ENOSPC;
	if ((wd = inotify_add_watch(w->fd, path, WATCH_MASK)) < 0)
		return -errno;
	if (!(w->d[w->n].path = strdup(path))) {
		inotify_rm_watch(w->fd, wd);
		return -ENOMEM;
	}
	w->d[w->n].wd = wd;
	w->d[w->n++].is_rules = false;
	return 0;
}

int rules_watch_set_lists(struct rules_watch *w, const struct ruleset *rs)
{
	const char *dirs[RULES_WATCH_MAX_DIRS];
	size_t n = ruleset_list_dirs(rs, dirs, RULES_WATCH_MAX_DIRS);
	int r, first = 0;

	if (n > RULES_WATCH_MAX_DIRS) {
		n = RULES_WATCH_MAX_DIRS;
		first = -ENOSPC;
	}
	for (size_t i = 1; i < w->n;) {	/* drop watches no rule needs */
		if (in_list(w->d[i].path, dirs, n)) {
			i++;
			continue;
		}
		inotify_rm_watch(w->fd, w->d[i].wd);
		free(w->d[i].path);
		w->d[i] = w->d[--w->n];
	}
	for (size_t i = 0; i < n; i++)
		if ((r = watch_add(w, dirs[i])) < 0 && !first)
			first = r;
	return first;
}

static const struct wdir *find_wd(const struct rules_watch *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->d[i].wd == wd)
			return &w->d[i];
	return NULL;
}

static bool relevant(const struct wdir *d, const struct inotify_event *ev)
{
	size_t len;

	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW))
		return true;
	if (!ev->len || ev->name[0] == '.' || ev->name[0] == '\0')
		return false;
	if (!d->is_rules)
		return true;
	len = strlen(ev->name);
	return len > 5 && !strcmp(ev->name + len - 5, ".json");
}

int rules_watch_drain(struct rules_watch *w,
		      void (*cb)(void *data, const char *path), void *data)
{
	char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	char path[4096];
	int count = 0;

	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? count : -errno;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;
			const struct wdir *d = find_wd(w, ev->wd);

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW)
				d = &w->d[0];	/* events lost: reload */
			if (!d || !relevant(d, ev))
				continue;
			count++;
			if (!cb)
				continue;
			snprintf(path, sizeof(path), "%s%s%s", d->path,
				 ev->len ? "/" : "", ev->len ? ev->name : "");
			cb(data, path);
		}
	}
}
