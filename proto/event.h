/* event.h - events as schema v1 JSON lines (proto/PROTOCOL.md).  No I/O:
 * encoders write into a caller's buffer. */
#ifndef TATTLE_EVENT_H
#define TATTLE_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "jsonw.h"
#include "packet.h"
#include "procfs.h"
#include "types.h"

#define EVENT_SCHEMA_VERSION 1
#define EVENT_LINE_MAX	(64 * 1024)	/* protocol line cap */
/* Events stay below this size, so a syslog pipeline with rsyslog's default
 * maxMessageSize (8 KiB) carries them whole: a command line that would
 * push the event past it is cut (and "cmdline_truncated": true says so). */
#define EVENT_SOFT_MAX	(7 * 1024 + 512)
#define EVENT_TAIL_RESERVE 768		/* members after "process" */
#define EVENT_FIELD_MAX	1024		/* output bytes of one path-like field */

/* A decided connection. Pointers are borrowed for the call. */
struct conn_event {
	enum action verdict;
	enum verdict_reason reason;
	const char *rule;		/* deciding rule name or NULL */
	const struct flow *flow;
	const char *dst_host;		/* NULL -> null */
	const struct proc_info *proc;	/* NULL -> "process": null */
	enum attrib_source source;
	enum attrib_confidence confidence;
	uint64_t attrib_us;
	uint64_t verdict_us;
	uint32_t prompt_id;		/* 0: none; else the prompt it answered */
};

/* Write {"v":1,"seq":..,"type":..,"ts":".."  and leave the object open
 * for the caller's members; close with jw_obj_end() and jw_finish(). */
void event_begin(struct jw *w, const char *type, uint64_t seq,
		 const struct timespec *ts);

/* RFC 3339 UTC with microseconds: buf at least 32 bytes. */
const char *event_time_str(const struct timespec *ts, char *buf, size_t len);

/* The "process" object (or null) for pi; shared with prompt events.
 * "cmdline" gets what room the line has left below EVENT_SOFT_MAX (minus
 * cwd and EVENT_TAIL_RESERVE); cut arguments and a cmdline that /proc
 * already cut add "cmdline_truncated": true.  exe, cwd, cgroup, unit and
 * the container id are cut at EVENT_FIELD_MAX bytes of output each, with
 * "<field>_truncated": true, so no process can push its own event past
 * EVENT_LINE_MAX. */
void event_put_process(struct jw *w, const struct proc_info *pi);
/* "src"/"dst" endpoint objects and proto/family for a flow. */
void event_put_flow(struct jw *w, const struct flow *f, const char *dst_host);

/* The members of a connection event, into an object opened with
 * event_begin() (the daemon's emit_begin(), which stamps seq and ts). */
void event_put_conn(struct jw *w, const struct conn_event *ev);

#endif
