/* control.h - the daemon's side of the control protocol: command
 * handlers (stats, connections.list, config.get, rules.*, prompt.answer),
 * the ring of recent connection events, the counters behind `stats` and
 * `tattle metrics`, and the prompt hold/answer flow.
 *
 * Everything runs on the loop thread.  Wiring (daemon/main.c):
 *	d->ctl = control_new(&hooks, loop_now_ms());
 *	d->prompts = prompts_new(PROMPTS_DEFAULT_CAP, d->cfg.prompt_timeout_ms);
 *	d->server = server_open(d->loop, d->cfg.socket_path,
 *				&control_server_ops, d);
 * and see control_note_connection() / control_prompt_hold() for verdict.c. */
#ifndef TATTLE_CONTROL_H
#define TATTLE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "ctl.h"
#include "server.h"

struct daemon;
struct conn_event;
struct pending_pkt;
struct proc_info;
struct control;

#define CONTROL_RECENT_MAX	1024		/* connections.list ring */
#define CONTROL_RECENT_BYTES	(4u << 20)	/* and its byte cap */
#define CONTROL_PROGRAMS_MAX	256		/* per-program counters */
#define CONTROL_LIST_DEFAULT	100		/* connections.list, rules.list */
#define CONTROL_RULES_LIST_MAX	1000
#define CONTROL_HELD_MAX	1024		/* packets one answer decides */

/* What control.c needs from the packet path (verdict.c). */
struct control_hooks {
	/* Decide the held packets ids[0..n) with action a, reason "prompt",
	 * rule name (NULL for a "once" answer) and the prompt id.  Ids no
	 * longer pending (timed out meanwhile) must be skipped. */
	void (*decide_held)(struct daemon *d, const uint32_t *ids, size_t n,
			    enum action a, const char *rule, uint32_t prompt_id);
	/* d->rules was replaced by a control command (may be NULL). */
	void (*rules_changed)(struct daemon *d);
};

/* NULL and errno.  hooks is borrowed for the control's life. */
struct control *control_new(const struct control_hooks *hooks,
			    uint64_t now_ms);
void control_free(struct control *c);	/* NULL ok */

/* Pass to server_open() with data = the struct daemon. */
extern const struct server_ops control_server_ops;

/* Record a decided connection (after event_conn_encode): the line (with
 * or without its '\n') goes into the connections.list ring, and the
 * verdict, program, attribution source and verdict_us into the counters. */
void control_note_connection(struct control *c, const struct conn_event *ev,
			     const char *line, size_t len);

/* A packet no rule matched.  When a prompter is connected and the process
 * is known, the packet joins or opens a prompt: pk->wait, pk->prompt_id
 * and pk->deadline_ms are set (the caller then keeps it pending) and a
 * new prompt is sent to prompters.  1 held, 0 not held (no prompter, no
 * exe, table full: the caller applies the default). */
int control_prompt_hold(struct daemon *d, struct pending_pkt *pk,
			const struct proc_info *pi, const char *host,
			uint64_t now_ms);
/* Close prompts past their deadline (their packets time out through the
 * pending table with reason prompt-timeout).  Call from the timer. */
void control_prompt_expire(struct daemon *d, uint64_t now_ms);

/* The stats command's result members, into an open object (a "stats"
 * event opened with emit_begin()). */
void control_stats_put(struct jw *w, struct daemon *d, uint64_t now_ms);

/* A "rule-change" event: what changed (added, deleted, enabled, reload,
 * expired...), which rule and file when one, who (control, files), and
 * how many rule files failed to load. */
void control_rule_change(struct daemon *d, const char *change,
			 const char *name, const char *file, const char *source,
			 size_t invalid_files);

#endif
