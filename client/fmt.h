/* fmt.h - events as human-readable text for watch, top and ask.  Pure:
 * JSON objects in, text into the caller's buffer. */
#ifndef TATTLE_CLIENT_FMT_H
#define TATTLE_CLIENT_FMT_H

#include <stddef.h>

struct json_object;

/* One line for `tattle watch` (no '\n'):
 *   HH:MM:SS.mmm VERDICT program[pid] -> host/ip:port proto rule
 * with " {container-or-unit}" after program[pid] when the event names one.
 * Returns 1 when written, 0 for event types watch does not show. */
int fmt_event(const struct json_object *ev, char *out, size_t len);

/* process.comm, else the exe's basename, else "?" (process null). */
const char *fmt_program(const struct json_object *proc);
/* "host/ip:port", "ip:port", "[v6]:port", or "ip" without a port. */
void fmt_dest(const struct json_object *ev, char *out, size_t len);
/* The event's UTC "ts" as local HH:MM:SS.mmm (or "--:--:--"). */
void fmt_time(const char *ts, char *out, size_t len);
/* argv joined by spaces, NULL cmdline as "". */
void fmt_cmdline(const struct json_object *proc, char *out, size_t len);
/* What the process runs in: "docker:3f1c0e9a5b7d" (a hex id cut to 12),
 * "lxc:web1", else its systemd unit, else "" (process null too). */
void fmt_identity(const struct json_object *proc, char *out, size_t len);
/* Only the container ("runtime:id" as above) or only the unit; "". */
void fmt_container(const struct json_object *proc, char *out, size_t len);
void fmt_unit(const struct json_object *proc, char *out, size_t len);
/* Make s safe for a terminal: control bytes become '?'. In place. */
void fmt_sanitize(char *s);

#endif
