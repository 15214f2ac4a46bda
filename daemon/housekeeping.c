/* housekeeping.c - the periodic tick: PID cache expiry by age and
 * liveness, audit reassembly timeouts, and audit loss detection (ENOBUFS,
 * SO_MEMINFO drops, serial gaps, the kernel's lost counter), reported as
 * "audit-loss" events, never ignored. */
#include "daemon.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "emit.h"
#include "event.h"
#include "logsink.h"
#include "notify.h"
#include "fold.h"
#include "policy.h"
#include "stats.h"

static void hk_emit_loss(struct daemon *d, const struct audit_loss *now,
			 const struct audit_loss *delta)
{
	char line[EVENT_LINE_MAX];
	struct jw w;

	emit_begin(d, &w, line, sizeof(line), "audit-loss");
	jw_key(&w, "new");
	jw_obj_begin(&w);
	stats_put_loss(&w, delta);
	jw_obj_end(&w);
	jw_key(&w, "total");
	jw_obj_begin(&w);
	stats_put_loss(&w, now);
	jw_obj_end(&w);
	(void)emit_end(d, &w, &(struct event_meta){ .type = "audit-loss" });
}

static void hk_audit_loss(struct daemon *d, uint64_t now_ms)
{
	struct audit_mc_stats ms;
	struct aurec_stats as;
	struct audit_loss cur = d->loss, delta;

	if (!d->amc)
		return;
	(void)audit_mc_stats(d->amc, &ms);
	aurec_asm_stats(d->asm_, &as);
	cur.enobufs = ms.enobufs;
	cur.sk_drops = ms.sk_drops;
	cur.truncated = ms.truncated;
	cur.serial_gaps = as.lost;
	if (d->actl && now_ms >= d->next_status_ms) {
		struct audit_status st;

		d->next_status_ms = now_ms + DAEMON_STATUS_EVERY_MS;
		if (audit_ctl_status(d->actl, &st) == 0) {
			cur.kernel_lost = st.lost;
			if (st.enabled == 0) {
				/* Someone turned audit off under us (another
				 * tool restoring its own state): say so, and
				 * turn it back on, or attribution degrades. */
				daemon_warning(d, "audit-disabled",
					       "audit was disabled by another "
					       "program; re-enabling", NULL);
				(void)audit_ctl_set(d->actl, AUDIT_STATUS_ENABLED, 1);
			}
		}
	}
	delta.enobufs = cur.enobufs - d->loss.enobufs;
	delta.sk_drops = cur.sk_drops - d->loss.sk_drops;
	delta.truncated = cur.truncated - d->loss.truncated;
	delta.serial_gaps = cur.serial_gaps - d->loss.serial_gaps;
	delta.kernel_lost = cur.kernel_lost > d->loss.kernel_lost ?
			    cur.kernel_lost - d->loss.kernel_lost : 0;
	if (delta.enobufs || delta.sk_drops || delta.truncated ||
	    delta.serial_gaps || delta.kernel_lost)
		hk_emit_loss(d, &cur, &delta);
	d->loss = cur;
}

void housekeeping_stats_event(struct daemon *d, uint64_t now_ms)
{
	char line[EVENT_LINE_MAX];
	struct jw w;

	if (!d->stats)
		return;
	d->next_stats_ms = now_ms + DAEMON_STATS_EVERY_MS;
	emit_begin(d, &w, line, sizeof(line), "stats");
	stats_put(&w, d, now_ms);
	(void)emit_end(d, &w, &(struct event_meta){ .type = "stats" });
}

static void hk_stats(struct daemon *d, uint64_t now_ms)
{
	if (!d->next_stats_ms)
		d->next_stats_ms = now_ms + DAEMON_STATS_EVERY_MS;
	if (now_ms >= d->next_stats_ms)
		housekeeping_stats_event(d, now_ms);
}

/* The queue is bound without FAIL_OPEN: what the kernel could not queue
 * was dropped (the sender retries).  Never silent: a warning per second
 * at most while it happens, and the totals in stats. */
static void hk_queue_drops(struct daemon *d, uint64_t now_ms)
{
	struct nfqueue_stats st;
	char msg[256];
	uint64_t n;

	if (!d->q || now_ms < d->next_queue_ms)
		return;
	d->next_queue_ms = now_ms + DAEMON_QUEUE_EVERY_MS;
	n = nfqueue_poll_kernel(d->q, NFQUEUE_PROC);
	if (!n)
		return;
	nfqueue_get_stats(d->q, &st);
	snprintf(msg, sizeof(msg), "queue %u full: the kernel dropped %llu new "
		 "packets (senders retry; total %llu queue full, %llu not "
		 "delivered); raise queue_maxlen if this is not a flood",
		 d->cfg.queue, (unsigned long long)n,
		 (unsigned long long)st.queue_dropped,
		 (unsigned long long)st.user_dropped);
	daemon_warning(d, "queue-full", msg, NULL);
}

/* From the tick, so systemd hears from us only while the loop turns: a
 * loop stuck in a call stops the pings and the manager restarts us. */
static void hk_watchdog(struct daemon *d, uint64_t now_ms)
{
	if (!d->watchdog_ms || now_ms < d->next_watchdog_ms)
		return;
	d->next_watchdog_ms = now_ms + d->watchdog_ms;
	(void)notify_watchdog();
}

void housekeeping_tick(struct daemon *d, uint64_t now_ms)
{
	hk_watchdog(d, now_ms);
	if (d->pc)
		(void)pidcache_expire(d->pc, now_ms, DAEMON_EXPIRE_BATCH,
				      procfs_alive, (void *)"/proc");
	if (d->asm_)
		(void)aurec_asm_tick(d->asm_, now_ms);
	hk_audit_loss(d, now_ms);
	hk_queue_drops(d, now_ms);
	policy_tick(d, now_ms);
	if (d->fold)
		fold_flush(d->fold, now_ms, 0, verdict_fold_summary, d);
	hk_stats(d, now_ms);
	/* Retry absent syslog sockets; report what they lost once drained. */
	logsinks_tick(d->sinks, now_ms);
}
