/* watch.h - inotify on the rules directory and the list directories the
 * loaded rules use.  The daemon polls rules_watch_fd() in its epoll set,
 * calls rules_watch_drain() when readable, debounces, and reloads. */
#ifndef TATTLE_WATCH_H
#define TATTLE_WATCH_H

#include <stddef.h>

struct ruleset;
struct rules_watch;

#define RULES_WATCH_MAX_DIRS	64	/* list directories watched */

/* Watch rules_dir.  NULL + errno. */
struct rules_watch *rules_watch_new(const char *rules_dir);
void rules_watch_free(struct rules_watch *w);	/* NULL ok */
int rules_watch_fd(const struct rules_watch *w);	/* non-blocking */

/* Watch exactly the list directories rs uses (ruleset_list_dirs), adding
 * and removing watches as needed; call after every reload.  0, or -errno
 * of the first directory that could not be watched (others still are). */
int rules_watch_set_lists(struct rules_watch *w, const struct ruleset *rs);

/* Read all pending events.  For each relevant change (a *.json in the
 * rules directory, any file in a list directory, or a watched directory
 * itself going away) calls cb with the full path when cb is not NULL.
 * Our own temp files (names starting with '.') are ignored.  Returns the
 * number of relevant changes (> 0: reload needed), or -errno. */
int rules_watch_drain(struct rules_watch *w,
		      void (*cb)(void *data, const char *path), void *data);

#endif
