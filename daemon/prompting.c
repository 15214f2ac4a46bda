/* prompting.c - see prompting.h. */
#include "prompting.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "daemon.h"
#include "emit.h"
#include "event.h"
#include "prompt.h"
#include "server.h"
#include "stats.h"

static void send_prompt_event(struct daemon *d, const struct prompt *pr,
			      const struct proc_info *pi, const char *host)
{
	char *line = malloc(EVENT_LINE_MAX);
	struct jw w;

	if (!line)
		return;
	emit_begin(d, &w, line, EVENT_LINE_MAX, "prompt");
	jw_kuint(&w, "prompt_id", pr->id);
	jw_kuint(&w, "timeout_ms", pr->deadline_ms - pr->opened_ms);
	event_put_flow(&w, &pr->flow, host);
	event_put_process(&w, pi);
	/* For an unknown process (null) this is what there is to show. */
	if (pr->uid != PROMPT_UID_UNKNOWN)
		jw_kuint(&w, "uid", pr->uid);
	else
		jw_kstr(&w, "uid", NULL);
	(void)emit_end(d, &w, &(struct event_meta){ .type = "prompt" });
	free(line);
}

/* Rate-limited: a flood of refusals is one warning a second with the
 * count since the last one. */
static void warn_refused(struct daemon *d, int why, uint32_t uid,
			 const char *exe, uint64_t now_ms)
{
	char msg[512];
	uint64_t n;

	if (!ratelimit_hit(&d->rl_prompt_refused, now_ms, &n))
		return;
	snprintf(msg, sizeof(msg), "cannot ask about a connection of uid %ld "
		 "(%s): %s; denied (%llu refused since the last warning)",
		 uid == PROMPT_UID_UNKNOWN ? -1L : (long)uid,
		 exe ? exe : "unknown process",
		 why == -EDQUOT ? "its quota of open prompts is used" :
		 "the prompt table is full", (unsigned long long)n);
	daemon_warning(d, "prompt-refused", msg, NULL);
}

int prompting_open(struct daemon *d, const struct flow *f, uint32_t pkt_id,
		   const struct proc_info *pi, uint32_t uid, const char *host,
		   uint64_t now_ms, uint32_t *prompt_id, uint64_t *deadline_ms)
{
	const char *exe = pi && pi->exe && pi->exe[0] ? pi->exe : NULL;
	const struct prompt *pr;
	uint32_t id;
	bool is_new;
	int r;

	*prompt_id = 0;
	*deadline_ms = 0;
	if (!d->stats || !d->prompts || !server_has_prompter(d->server))
		return 0;
	if (uid == PROMPT_UID_UNKNOWN && pi)
		uid = pi->uid;
	if ((r = prompts_open_or_join(d->prompts, exe, uid, f, host, pkt_id,
				      now_ms, &id, &is_new)) < 0) {
		stats_add(d->stats, STATS_PROMPTS_REFUSED, 1);
		warn_refused(d, r, uid, exe, now_ms);
		return r == -EDQUOT ? -EDQUOT : -ENOSPC;
	}
	pr = prompts_get(d->prompts, id);
	*prompt_id = id;
	*deadline_ms = pr->deadline_ms;
	if (is_new) {
		stats_add(d->stats, STATS_PROMPTS_ASKED, 1);
		send_prompt_event(d, pr, pi, host);
	}
	return 1;
}

void prompting_expire(struct daemon *d, uint64_t now_ms)
{
	if (d->prompts)
		stats_add(d->stats, STATS_PROMPTS_EXPIRED,
			  prompts_expire(d->prompts, now_ms));
}
