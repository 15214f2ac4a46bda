/* daemon.h - struct daemon: all of tattled's state, owned by main.c and
 * passed to every callback as its data pointer.  No globals. */
#ifndef TATTLE_DAEMON_H
#define TATTLE_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "attrib.h"
#include "audit.h"
#include "aurec.h"
#include "bpfjoin.h"
#include "bpfsrc.h"
#include "cgroup.h"
#include "config.h"
#include "dns.h"
#include "factcache.h"
#include "firewall.h"
#include "loop.h"
#include "nfqueue.h"
#include "pending.h"
#include "pidcache.h"
#include "ratelimit.h"
#include "sockdiag.h"
#include "worker.h"

#define DAEMON_DRAIN_BATCH 256	/* packets per wakeup before other fds */
#define DAEMON_TICK_MS	250	/* housekeeping: expiry, audit loss */
#define DAEMON_EXPIRE_BATCH 256	/* cache entries probed per tick */
#define DAEMON_STATUS_EVERY_MS 5000	/* kernel audit status poll */
#define DAEMON_STATS_EVERY_MS 60000	/* a "stats" event this often */
#define DAEMON_DRAIN_SINKS_MS 2000	/* at exit, for syslog to take the rest */
#define DAEMON_QUEUE_EVERY_MS 1000	/* kernel queue drop counters */
#define DAEMON_DNS_CACHE	16384	/* names remembered; memory grows with use */
#define DAEMON_PENDING_UID_SHARE 4	/* one uid holds at most 1/4 of the
					 * pending table */

struct daemon_stats {
	uint64_t packets;
	uint64_t malformed;
	uint64_t allowed, denied, rejected;
	uint64_t pending_full;	/* decided at once: table full */
	uint64_t pending_quota;	/* decided at once: uid's quota held */
	uint64_t timeouts;	/* decided by deadline */
	uint64_t own_traffic;
	uint64_t events, events_dropped;
	uint64_t scans_submitted, scans_rejected;
	uint64_t nolog;		/* decided by a nolog rule: no event */
	uint64_t forwarded;	/* packets from the FORWARD hook */
	uint64_t hash_waits;	/* packets held for an executable's hash */
	uint64_t bpf_attributed;	/* decided from a BPF record */
	uint64_t bpf_disagree;		/* audit path named another process */
	uint64_t cgroup_waits;		/* held for a cgroup id's path */
	uint64_t unattributed;	/* decided by unattributed_action */
	uint64_t overload;	/* decided without the worker: it was full */
	uint64_t scans_deferred;	/* waited for room on the worker */
	uint64_t prompt_refused;	/* denied: a prompter, but no room */
};

/* Audit loss counters as last reported, to report only increases. */
struct audit_loss {
	uint64_t enobufs, sk_drops, serial_gaps, kernel_lost, truncated;
};

struct daemon {
	struct config cfg;
	struct loop *loop;
	struct nfqueue *q;
	struct pending *pending;
	struct logsinks *sinks;		/* --log-events, or NULL */
	char host[CONFIG_HOST_MAX];	/* "host" on every event */
	char run_id[33];		/* 128 random bits, hex: this run */
	struct timespec emit_ts;	/* ts of the event being emitted */
	int sigfd;
	uint64_t seq;			/* last event sequence number */
	enum firewall_backend fw;
	bool firewall_installed;
	int exit_code;
	struct daemon_stats st;
	pid_t self;
	/* attribution */
	struct sockdiag *sd;
	struct pidcache *pc;
	struct worker *worker;
	struct attrib *attrib;
	struct dns_cache *dns;		/* ip -> name from queued DNS replies */
	struct factcache *facts;	/* user names, environments: rules */
	/* eBPF flow owners (NULL with --no-bpf or when unavailable) */
	struct bpfsrc *bpf;
	struct bpfjoin_ctx bj;
	struct cgroup_cache *cgc;	/* the loop's cgroup id -> path answers
					 * (the worker walks); NULL: none */
	uint64_t netns_cookie;		/* the namespace whose packets we see */
	/* audit (NULL with --no-audit or when unavailable) */
	struct audit_ctl *actl;
	struct audit_mc *amc;
	struct aurec_asm *asm_;
	bool audit_learned;		/* set by the event callback */
	struct audit_loss loss;		/* last reported */
	uint64_t next_tick_ms, next_status_ms, next_stats_ms, next_queue_ms;
	/* control socket, prompts, rules (proto/server.h, daemon/control.h) */
	struct server *server;		/* NULL with --socket "" */
	struct prompts *prompts;
	struct stats *stats;		/* daemon/stats.h */
	struct control_files *ctl_files;	/* rule edits on the worker
						 * (control.c), NULL: none yet */
	struct fold *fold;		/* event folding, NULL: off */
	struct ruleset *rules;		/* current; policy_set_rules() swaps it */
	struct rules_watch *rwatch;	/* inotify on --rules (policy.c) */
	uint64_t reload_at_ms;		/* debounced reload due, 0 = none */
	/* systemd watchdog: WATCHDOG=1 every watchdog_ms from the tick */
	uint64_t watchdog_ms, next_watchdog_ms;	/* 0 = no watchdog */
	bool test_stall;		/* TATTLED_TEST_STALL: SIGUSR2 hangs */
	/* "warning" events for what packets can trigger, rate-limited */
	struct ratelimit rl_prompt_refused;
	struct ratelimit rl_overload;
	struct ratelimit rl_pending_full;
	bool scans_wanted;		/* packets may wait in PENDING_SCAN_WAIT */
};

/* verdict.c: the packet path. */
void verdict_on_queue(struct loop *l, int fd, uint32_t events, void *data);
/* Decide every held packet past its deadline, run housekeeping when due. */
void verdict_on_timer(struct loop *l, void *data);
/* Arm the loop's one timer at the earliest of the held packets' deadlines
 * and the next housekeeping tick.  Called before the loop sleeps. */
void verdict_arm_timer(struct daemon *d);
/* Decide every held packet now with the default action, reason "default",
 * no rules and no prompt (shutdown). */
void verdict_flush_all(struct daemon *d);
/* Decide the packets ids[0..n) held by an answered prompt with action a,
 * reason "prompt" and rule (NULL for a "once" answer).  Ids no longer
 * held for a prompt (timed out meanwhile) are skipped. */
void verdict_prompt_decided(struct daemon *d, const uint32_t *ids, size_t n,
			    enum action a, const char *rule);

/* Submit the /proc scans packets wait for, batched, as far as the
 * worker's queue has room.  Called before the loop sleeps. */
void verdict_submit_scans(struct daemon *d);

/* Audit multicast readable / worker results ready. */
void verdict_on_audit(struct loop *l, int fd, uint32_t events, void *data);
void verdict_on_worker(struct loop *l, int fd, uint32_t events, void *data);
/* aurec's on_event: feed the join. */
void verdict_audit_event(const struct audit_event *ev, void *data);

/* fold.h's summary callback: sends one folded "connection" event. */
void verdict_fold_summary(const char *exe, enum action verdict,
			  const char *members, size_t len, uint64_t n, void *data);

/* housekeeping.c: the periodic tick (cache expiry, audit loss). */
void housekeeping_tick(struct daemon *d, uint64_t now_ms);
/* A "stats" event now (the run's first event, then every
 * DAEMON_STATS_EVERY_MS from the tick). */
void housekeeping_stats_event(struct daemon *d, uint64_t now_ms);

#endif
