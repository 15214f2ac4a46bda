/* prompt.h - the open-prompt table: connections no rule matched, held
 * while a person decides.  Pure: no I/O, time is a parameter.
 *
 * A prompt is keyed by executable and destination (dst ip, dst port,
 * protocol): further packets for the same key join it instead of asking
 * again.  Each prompt remembers the queue packet ids it holds (at most
 * PROMPT_MAX_PKTS) so an answer can decide them all, and every prompt has
 * one deadline (opened + timeout) shared by the packets that joined it. */
#ifndef TATTLE_PROMPT_H
#define TATTLE_PROMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "types.h"

#define PROMPT_MAX_PKTS		64	/* packets held by one prompt */
#define PROMPT_HOST_MAX		256
#define PROMPT_EXE_MAX		4096
#define PROMPTS_DEFAULT_CAP	64	/* prompts open at once */
#define PROMPT_UID_UNKNOWN	UINT32_MAX

/* A read-only view of one open prompt. */
struct prompt {
	uint32_t id;
	char *exe;			/* NULL: process unknown */
	uint32_t uid;			/* who opened it (PROMPT_UID_UNKNOWN) */
	char host[PROMPT_HOST_MAX];	/* "" when unknown */
	struct flow flow;		/* of the first packet */
	uint64_t opened_ms, deadline_ms;
	size_t n_pkts;
	uint32_t pkts[PROMPT_MAX_PKTS];
};

struct prompts;

/* NULL and errno.  cap prompts open at once; each lasts timeout_ms. */
struct prompts *prompts_new(unsigned cap, unsigned timeout_ms);
void prompts_free(struct prompts *p);	/* NULL ok */

/* At most per_uid prompts opened by one uid and per_exe for one
 * executable may be open at once (0: no quota, the default). */
void prompts_set_quotas(struct prompts *p, unsigned per_uid, unsigned per_exe);

/* Join the open prompt for (exe, f's destination) or open a new one; a
 * NULL exe is an unknown process, keyed by (uid, destination).  uid is
 * the connection's owner (PROMPT_UID_UNKNOWN).  host may be NULL.  0 with
 * *prompt_id and *is_new (true: the caller sends a prompt event);
 * -EINVAL for an empty exe; -ENOSPC when the table or that prompt's
 * packet list is full; -EDQUOT when uid or exe has its quota of prompts
 * open (the caller decides the packet now); -ENOMEM. */
int prompts_open_or_join(struct prompts *p, const char *exe, uint32_t uid,
			 const struct flow *f, const char *host,
			 uint32_t pkt_id, uint64_t now_ms,
			 uint32_t *prompt_id, bool *is_new);

/* The open prompt with this id, or NULL.  Valid until the next call that
 * changes the table. */
const struct prompt *prompts_get(const struct prompts *p, uint32_t prompt_id);

/* Close the prompt and copy its packet ids (up to max) into pkt_ids.
 * Returns the number copied, or -ENOENT (answered or expired already). */
int prompts_take(struct prompts *p, uint32_t prompt_id, uint32_t *pkt_ids,
		 size_t max);

/* Close every other open prompt that a rule for (exe, scope, host, f)
 * covers, appending their packet ids to pkt_ids (up to max).  Returns the
 * number of ids appended.  A prompt without a host is not covered by an
 * exe+host answer; a prompt of an unknown process by none. */
int prompts_take_covered(struct prompts *p, const char *exe,
			 enum prompt_scope scope, const char *host,
			 const struct flow *f, uint32_t *pkt_ids, size_t max);

/* Close prompts whose deadline is at or before now_ms (their packets are
 * decided by the pending table's own deadlines).  Returns how many. */
unsigned prompts_expire(struct prompts *p, uint64_t now_ms);

unsigned prompts_count(const struct prompts *p);

#define PROMPT_RULE_NAME_MAX	200	/* bytes; NAME.json fits NAME_MAX */

/* The name of the rule an answer creates: a readable part as OpenSnitch's
 * UI makes them ("allow-always-usrbincurl", only [A-Za-z0-9._-], cut to
 * fit), then "-" and 16 hex digits of a 64-bit hash of the exact fields
 * (action, duration, scope, exe, detail: the host or "ip port proto").
 * The readable part is lossy ("/opt/a b" and "/opt/a-b" read alike); the
 * hash keeps their names apart, and answering the same question again
 * gives the same name.  out gets at most PROMPT_RULE_NAME_MAX bytes + NUL;
 * len must exceed that.  0, or -ENOSPC. */
int prompt_rule_name(const char *action, const char *duration,
		     enum prompt_scope scope, const char *exe,
		     const char *detail, char *out, size_t len);

#endif
