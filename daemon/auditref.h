/* auditref.h - the kernel's audit enable flag and backlog_limit are
 * host-wide, shared by every tattled on the host (different queues,
 * namespaces, keys).  Each run that uses audit keeps one file in a state
 * directory (/run/tattle), DIR/audit-KEY.state:
 *
 *     enabled E backlog_limit B pid P start S
 *
 * E and B are the settings found before the first of the runs now sharing
 * audit changed them; P and S (stat field 22) name the run.  A run that
 * starts while other files exist takes E and B from them, not from the
 * kernel (which holds what the others raised).  At exit a run restores the
 * settings only if no other live run holds a file: the last one out.  A
 * file whose pid is gone or reused is a crashed run: it still carries the
 * original values, but no reference.  Files of older versions (no pid) are
 * read as crashed runs.  Setup and teardown run under auditref_lock(), so
 * two runs never decide at once.  No file is ever removed but one's own. */
#ifndef TATTLE_AUDITREF_H
#define TATTLE_AUDITREF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define AUDITREF_DIR	"/run/tattle"
#define AUDITREF_MAX	64	/* state files read; more are ignored */

struct auditref_self {
	const char *dir;	/* AUDITREF_DIR, or a test's directory */
	const char *key;	/* our audit key: names our file */
	pid_t pid;
	uint64_t start;		/* /proc/PID/stat field 22 of pid */
};

/* What the other files say. */
struct auditref_view {
	bool have_orig;		/* some file (live or crashed) had values */
	uint32_t enabled, backlog_limit;	/* ...these */
	unsigned live;		/* other runs alive (excluding our pid) */
	unsigned crashed;	/* files of runs that are gone */
	pid_t same_key_pid;	/* a live other run with our key, or 0 */
};

/* Opens DIR/audit.lock (creating DIR 0755 and the file) and takes an
 * exclusive flock on it, waiting for another run's setup or teardown.
 * Returns the fd, or -errno. */
int auditref_lock(const char *dir);

/* Releases the lock.  Accepts a negative fd. */
void auditref_unlock(int fd);

/* Reads every DIR/audit-*.state into *v (our own file counts for the
 * original values, not as another run).  Liveness is checked in
 * procroot ("/proc").  0, or -errno when DIR cannot be read (-ENOENT:
 * nothing there, *v is empty). */
int auditref_scan(const struct auditref_self *me, const char *procroot,
		  struct auditref_view *v);

/* Writes our file (atomically: a temporary file renamed over it) with
 * the original values given.  0 or -errno. */
int auditref_save(const struct auditref_self *me, uint32_t enabled,
		  uint32_t backlog_limit);

/* Removes our file.  0, also when there was none, or -errno. */
int auditref_drop(const struct auditref_self *me);

/* Parses one state file's text (len bytes, not NUL-terminated).  Old
 * files without pid give *pid = 0 and *start = 0.  0 or -EBADMSG. */
int auditref_parse(const char *buf, size_t len, uint32_t *enabled,
		   uint32_t *backlog_limit, pid_t *pid, uint64_t *start);

#endif
