/* rules.h - OpenSnitch-format rule files -> immutable, refcounted
 * rulesets, the verdict order, and runtime edits (each edit builds a new
 * ruleset; the daemon swaps its pointer). */
#ifndef TATTLE_RULES_H
#define TATTLE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;
struct rule_ctx;

#define RULES_MAX_FILE_BYTES	(1u << 20)	/* one rule file */
#define RULES_MAX_COUNT		10000		/* rules in a ruleset */
#define RULES_MAX_ERRORS	64		/* kept; more are counted */
#define RULE_NAME_MAX		255		/* bytes; name.json is a file */

enum rule_action { RULE_ALLOW, RULE_DENY, RULE_REJECT };

enum rule_duration {
	RULE_ONCE,		/* the daemon removes it after its first match */
	RULE_UNTIL_RESTART,	/* runtime only, never written to disk */
	RULE_ALWAYS,
	RULE_TIMED,		/* Go duration: see rule_expired */
};

/* Both clocks read at one instant: boot_ms from CLOCK_BOOTTIME (counts
 * suspend, so timed rules expire across it), wall_ms from CLOCK_REALTIME
 * (to place "created" timestamps on the boot clock). */
struct rules_clock {
	uint64_t boot_ms;
	int64_t wall_ms;
};

/* Both clocks read now (CLOCK_BOOTTIME, CLOCK_REALTIME). */
struct rules_clock rules_clock_now(void);

/* Files that failed to load, for the daemon's warning events. */
struct rules_error {
	char file[256];
	char reason[256];
};

struct rules_errors {
	size_t n;		/* entries in e[] */
	size_t dropped;		/* further errors not kept in e[] */
	size_t total;		/* every error, kept or not */
	/* Optional: called for every error as it is found (file is the name
	 * inside the directory), so none is lost to the cap of e[]. */
	void (*report)(void *data, const char *file, const char *reason);
	/* Optional: a rule that loaded but with a problem worth a warning
	 * (entries of its list directory skipped: not regular files, too
	 * large).  Not counted in total.  Called with report_data. */
	void (*note)(void *data, const char *file, const char *reason);
	void *report_data;
	struct rules_error e[RULES_MAX_ERRORS];
};

struct rule;
struct ruleset;

/* ---- one rule */

/* Parse one rule file body (no I/O: "lists" operators are left unloaded,
 * see rule_load_lists).  A timed rule expires at created + duration
 * (created converted to the boot clock with clk), or clk->boot_ms +
 * duration when there is no "created".  0 and *out (one reference);
 * -EINVAL with a reason in err; -ENOMEM. */
int rule_parse(const char *buf, size_t len, const struct rules_clock *clk,
	       struct rule **out, char *err, size_t errlen);
int rule_from_json(const struct json_object *obj,
		   const struct rules_clock *clk, struct rule **out,
		   char *err, size_t errlen);
/* Load list directories of a freshly parsed rule (blocking I/O).  Call
 * before the rule is shared.  0 or -errno with a reason in err. */
int rule_load_lists(struct rule *r, char *err, size_t errlen);
/* For rules from a less trusted source (the socket): every list
 * directory the rule names must resolve to a path under root (the rules
 * directory; "" allows none).  0, or -EPERM / -errno with a reason. */
int rule_lists_under(const struct rule *r, const char *root, char *err,
		     size_t errlen);
/* Same action, precedence and condition (operator), whatever the name,
 * duration or dates: one is a re-issue of the other. */
bool rule_same_policy(const struct rule *a, const struct rule *b);
/* Whether the rule reads a process.env.* operand anywhere. */
bool rule_uses_env(const struct rule *r);

struct rule *rule_get(struct rule *r);	/* +1 reference, returns r */
void rule_put(struct rule *r);		/* -1 reference; NULL ok */

const char *rule_name(const struct rule *r);
enum rule_action rule_action(const struct rule *r);
enum rule_duration rule_duration(const struct rule *r);
bool rule_nolog(const struct rule *r);
bool rule_expired(const struct rule *r, uint64_t now_ms);
/* The file it was loaded from, or NULL for a runtime rule. */
const char *rule_file(const struct rule *r);
/* Record the file a fresh rule (not yet shared) was written to, so later
 * edits and deletes go to that file.  0 or -ENOMEM. */
int rule_set_file(struct rule *r, const char *path);

/* OpenSnitch 1.8 layout (new reference, NULL on ENOMEM).  Runtime rules
 * without "created" get one from the clock they were parsed with. */
struct json_object *rule_to_json(const struct rule *r);
/* A new {"type":"simple","operand":..,"sensitive":false,"data":..} operator
 * object, as OpenSnitch writes it (caller owns the reference). */
struct json_object *rule_json_simple(const char *operand, const char *data);
/* The rule's file contents: rule_to_json() pretty-printed, with a final
 * newline.  malloc'd (*len bytes, NUL-terminated), NULL on ENOMEM.  The
 * daemon writes it to the rule's own file (whatever its name; new ones
 * are dir/NAME.json) with filewrite_atomic(), on the worker. */
char *rule_text(const struct rule *r, size_t *len);

/* ---- rulesets: immutable once built, refcounted (atomically) */

/* Load every *.json (not starting with '.') in dir, in file-name order.
 * Invalid files, and later files reusing an earlier rule name, are
 * skipped and reported in errs (may be NULL).  0 and *out; -errno only
 * when dir itself cannot be read, or -ENOMEM. */
int ruleset_load_dir(const char *dir, const struct rules_clock *clk,
		     struct ruleset **out, struct rules_errors *errs);
/* As ruleset_load_dir, then keep old's runtime rules (rule_file NULL,
 * not expired at clk->boot_ms) whose names no file took.  old may be
 * NULL.  Use for rules-directory and list-directory changes alike. */
int ruleset_reload(const struct ruleset *old, const char *dir,
		   const struct rules_clock *clk, struct ruleset **out,
		   struct rules_errors *errs);
struct ruleset *ruleset_new(void);	/* empty; NULL + errno */
void ruleset_put(struct ruleset *rs);	/* NULL ok */

/* New ruleset = old + r (replacing a rule of the same name).  Takes its
 * own reference on r.  0, -ENOSPC at RULES_MAX_COUNT, -ENOMEM. */
int ruleset_add(const struct ruleset *old, struct rule *r,
		struct ruleset **out);
/* New ruleset without the named rule; -ENOENT if absent. */
int ruleset_remove(const struct ruleset *old, const char *name,
		   struct ruleset **out);
/* New ruleset with the named rule enabled or disabled; -ENOENT. */
int ruleset_set_enabled(const struct ruleset *old, const char *name,
			bool enabled, struct ruleset **out);

/* New ruleset without the rules expired at now_ms.  Returns how many were
 * dropped; 0 leaves *out NULL (keep using old), or -ENOMEM. */
int ruleset_expire(const struct ruleset *old, uint64_t now_ms,
		   struct ruleset **out);

size_t ruleset_count(const struct ruleset *rs);	/* all, incl. disabled */
/* RULE_NEED_* bits (match.h) of the enabled rules: which costly process
 * facts (content hashes, cgroup) a verdict under rs may read. */
unsigned ruleset_needs(const struct ruleset *rs);
/* i-th rule in name order; valid while the caller holds rs. */
const struct rule *ruleset_at(const struct ruleset *rs, size_t i);
const struct rule *ruleset_find(const struct ruleset *rs, const char *name);
/* Distinct list directories used by "lists" operators, for the watcher.
 * Fills up to max pointers (valid while rs is held); returns the total. */
size_t ruleset_list_dirs(const struct ruleset *rs, const char **dirs,
			 size_t max);

/* The verdict order: enabled, unexpired rules in name order; the first
 * match that is deny or reject or has precedence wins at once, else the
 * last matching allow.  1 and *out (valid while rs is held), or 0 with
 * *out NULL when nothing matched (the caller prompts or applies the
 * default).  now_ms is CLOCK_BOOTTIME. */
int ruleset_match(const struct ruleset *rs, const struct rule_ctx *ctx,
		  uint64_t now_ms, const struct rule **out);

/* tattled --check-rules: print each parsed rule as one JSON line to out
 * and each invalid file with its reason to err.  Returns the number of
 * invalid files, or -errno if dir cannot be read. */
int rules_check_dir(const char *dir, FILE *out, FILE *err);

/* RFC 3339 ("2024-05-01T10:00:00.123+02:00") to Unix ms; 0 or -EINVAL. */
int rules_parse_rfc3339(const char *s, int64_t *ms);

#endif
