/* policy.h - rules in the daemon: load, live reload (inotify, SIGHUP),
 * expiry, and the decision for an attributed connection.  Operates on
 * struct daemon (d->rules is the current immutable ruleset; a reload
 * swaps the pointer, so a change takes effect for the next connection). */
#ifndef TATTLE_POLICY_H
#define TATTLE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

struct daemon;
struct pending_pkt;
struct attrib_result;
struct ruleset;

#define POLICY_DEBOUNCE_MS 100	/* editors write files in several steps */

struct policy_decision {
	enum action action;
	char rule[256];		/* deciding rule's name, "" for none */
	bool matched;
	bool nolog;		/* the rule says: decide, write no event */
};

/* Load --rules DIR (warnings for invalid files) and start watching it.
 * Without --rules: an empty ruleset.  0 or -errno (fatal only when the
 * directory cannot be read at all). */
int policy_open(struct daemon *d);
void policy_close(struct daemon *d);

/* Reload everything now (SIGHUP, or the debounced watch). */
void policy_reload(struct daemon *d, const char *why);

/* Make rs (owned, may be NULL) the current ruleset, dropping the old
 * one, and point the list-directory watch at rs's lists.  Every change
 * of d->rules goes through here. */
void policy_set_rules(struct daemon *d, struct ruleset *rs);

/* A "rule-change" event: what changed (added, deleted, enabled, reload,
 * expired...), which rule and file when one, who (control, files, timer,
 * match), and how many rule files failed to load. */
void policy_rule_change(struct daemon *d, const char *change,
			const char *name, const char *file, const char *source,
			size_t invalid_files);

/* Housekeeping: debounced reloads and rule expiry. */
void policy_tick(struct daemon *d, uint64_t now_ms);

/* Match the ruleset.  matched false: no rule applies (the caller prompts
 * or applies the default). */
void policy_match(struct daemon *d, const struct pending_pkt *pk,
		  const struct attrib_result *ar, const char *dst_host,
		  struct policy_decision *out);

#endif
