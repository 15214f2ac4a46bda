/* prompting.h - asking a person about a connection no rule matched: the
 * packet joins or opens a prompt in the open-prompt table (prompt.c), and
 * a new prompt goes out as a "prompt" event.  verdict.c holds the packet
 * until the returned deadline; control.c's prompt.answer decides it
 * through verdict_prompt_decided(). */
#ifndef TATTLE_PROMPTING_H
#define TATTLE_PROMPTING_H

#include <stdint.h>

#include "prompt.h"

struct daemon;
struct flow;
struct proc_info;

/* Per uid and per executable, at most this many prompts are open. */
#define PROMPTING_PER_UID	(PROMPTS_DEFAULT_CAP / 4)
#define PROMPTING_PER_EXE	(PROMPTS_DEFAULT_CAP / 4)

/* 1 with *prompt_id and *deadline_ms (monotonic) when packet pkt_id
 * joined or opened a prompt: the caller holds it until then.  pi NULL is
 * an unknown process: the prompt shows what is known (uid, destination).
 * uid is the connection's owner (PROMPT_UID_UNKNOWN).  0 when nobody can
 * be asked (no prompter connected): the caller decides now.  -ENOSPC or
 * -EDQUOT when a prompter is there but this one cannot be asked (table,
 * prompt or quota full: counted, and a rate-limited "warning" event).
 * host may be NULL. */
int prompting_open(struct daemon *d, const struct flow *f, uint32_t pkt_id,
		   const struct proc_info *pi, uint32_t uid, const char *host,
		   uint64_t now_ms, uint32_t *prompt_id, uint64_t *deadline_ms);

/* Close prompts past their deadline (their packets time out through the
 * pending table with reason prompt-timeout).  Call from the timer. */
void prompting_expire(struct daemon *d, uint64_t now_ms);

#endif
