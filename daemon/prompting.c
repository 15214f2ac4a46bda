/* prompting.c - see prompting.h. */
#include "prompting.h"

#include <stdbool.h>
#include <stdlib.h>

#include "ctl.h"
#include "daemon.h"
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
	(void)emit_end(d, &w, &(struct event_meta){ .type = "prompt" });
	free(line);
}

int prompting_open(struct daemon *d, const struct flow *f, uint32_t pkt_id,
		   const struct proc_info *pi, const char *host,
		   uint64_t now_ms, uint32_t *prompt_id, uint64_t *deadline_ms)
{
	const struct prompt *pr;
	uint32_t id;
	bool is_new;

	*prompt_id = 0;
	*deadline_ms = 0;
	if (!d->stats || !d->prompts || !server_has_prompter(d->server) ||
	    !pi || !pi->exe)
		return 0;
	if (prompts_open_or_join(d->prompts, pi->exe, f, host, pkt_id, now_ms,
				 &id, &is_new) < 0) {
		stats_add(d->stats, STATS_PROMPTS_REFUSED, 1);
		return 0;
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
