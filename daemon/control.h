/* control.h - the daemon's side of the control protocol: the handlers of
 * stats, connections.list, config.get, rules.* and prompt.answer (the
 * server answers subscribe and prompt.register itself).
 *
 * Everything runs on the loop thread.  Wiring (daemon/main.c), after the
 * rules are loaded (commands edit d->rules through policy_set_rules()):
 *	d->stats = stats_new(loop_now_ms());
 *	d->prompts = prompts_new(PROMPTS_DEFAULT_CAP, d->cfg.prompt_timeout_ms);
 *	d->server = server_open(d->loop, d->cfg.socket_path,
 *				&control_server_ops, d);
 * An edit that writes a rule file finishes when the worker has written it
 * (control_file_done, from verdict_on_result); control_free() at exit.
 * An answered prompt's held packets are decided by verdict_prompt_decided();
 * statistics live in stats.c, prompting (hold, expire) in prompting.c. */
#ifndef TATTLE_CONTROL_H
#define TATTLE_CONTROL_H

#include "config.h"
#include "server.h"

#define CONTROL_LIST_DEFAULT	100		/* connections.list, rules.list */
#define CONTROL_RULES_LIST_MAX	1000
#define CONTROL_HELD_MAX	1024		/* packets one answer decides */
#define CONTROL_FILE_MAX	(CONFIG_PATH_MAX + CTL_NAME_MAX + 8)	/* a rule
						 * file's path */
#define CONTROL_WAIT_MAX	64		/* edits waiting for a file */
#define CONTROL_REPLY_MAX	(CONTROL_FILE_MAX + 1024)	/* an edit's reply */

struct daemon;

/* Pass to server_open() with data = the struct daemon.  Until d->stats is
 * set, every command is answered "unavailable". */
extern const struct server_ops control_server_ops;

/* The worker's WORKER_FILE result (cookie, err) for a rule edit: the
 * edit is finished and answered, and the edits that waited run. */
void control_file_done(struct daemon *d, uint64_t cookie, int file_err);

/* Free the waiting edits (the daemon is stopping: never answered). */
void control_free(struct daemon *d);

#endif
