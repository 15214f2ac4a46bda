/* verdict.c - the packet path: parse, attribute, decide, emit.  Runs on the
 * loop thread and never blocks: a packet whose answer is not known yet
 * (audit to catch up, a /proc scan on the worker) stays pending by id with
 * a deadline, and other packets keep flowing. */
#include "daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "control.h"
#include "ctl.h"
#include "emit.h"
#include "event.h"
#include "fold.h"
#include "packet.h"
#include "match.h"
#include "policy.h"
#include "prompt.h"
#include "prompting.h"
#include "rules.h"
#include "server.h"
#include "stats.h"

struct decision {
	enum action action;
	enum verdict_reason reason;
	const char *rule;
	const char *dst_host;
	bool nolog;		/* a nolog rule decided: counted, no event */
};

/* ---- DNS: answers are learned only for queries that left, bound to the
 * process that asked (dns.h). */

static void dns_tuple_of(const struct flow *f, struct dns_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = f->family;
	memcpy(t->src, f->src, sizeof(t->src));
	memcpy(t->dst, f->dst, sizeof(t->dst));
	t->sport = f->sport;
	t->dport = f->dport;
}

static struct dns_owner dns_owner_of(const struct attrib_result *ar)
{
	struct dns_owner o = { 0, 0 };

	if (ar && ar->proc && ar->proc->pid > 0) {
		o.pid = (uint32_t)ar->proc->pid;
		o.start = ar->proc->start_time;
	}
	return o;
}

static bool is_dns_query(const struct flow *f)
{
	return f->proto == IPPROTO_UDP && f->dport == 53;
}

/* An allowed query: its answer will be learned, for this process. */
static void verdict_dns_allowed(struct daemon *d, const struct pending_pkt *pk,
				const struct attrib_result *ar)
{
	struct dns_owner o = dns_owner_of(ar);
	struct dns_tuple t;

	if (!d->dns || !is_dns_query(&pk->flow))
		return;
	dns_tuple_of(&pk->flow, &t);
	(void)dns_query_owner(d->dns, &t, &o);
}

/* A query on a flow whose first query was allowed (queued again only to
 * be remembered): accepted at once, as the kernel did before.  true when
 * handled. */
static bool verdict_dns_followup(struct daemon *d, const struct nfqueue_pkt *p,
				 const struct flow *f, uint64_t now_ms)
{
	struct dns_owner o;
	struct dns_tuple t;

	if (!d->dns || !is_dns_query(f) || !f->payload_len)
		return false;
	dns_tuple_of(f, &t);
	if (!dns_query_flow_allowed(d->dns, &t, now_ms, &o)) {
		(void)dns_query_note(d->dns, &t, p->payload + f->payload_off,
				     f->payload_len, now_ms);
		return false;
	}
	if (dns_query_note(d->dns, &t, p->payload + f->payload_off,
			   f->payload_len, now_ms) == 0)
		(void)dns_query_owner(d->dns, &t, &o);
	(void)nfqueue_verdict(d->q, p->id, NF_ACCEPT);
	return true;
}

/* A summary of folded connection events (fold.h): the first folded
 * one's members and the count it stands for. */
void verdict_fold_summary(const char *exe, enum action verdict,
			  const char *members, size_t len, uint64_t n, void *data)
{
	struct daemon *d = data;
	char *line = malloc(EVENT_LINE_MAX);
	const struct event_meta m = {
		.type = "connection", .verdict = ctl_action_bit(verdict), .exe = exe,
	};
	struct jw w;

	if (!line) {
		d->st.events_dropped++;
		return;
	}
	emit_begin(d, &w, line, EVENT_LINE_MAX, "connection");
	jw_raw_members(&w, members, len);
	jw_kuint(&w, "folded", n);
	(void)emit_end(d, &w, &m);
	free(line);
}

/* Fold this event into its program's summary when past the rate: true
 * when it is not to be sent now (counted in the stats all the same). */
static bool verdict_fold(struct daemon *d, const struct conn_event *ev,
			 const char *exe, uint64_t now_ms)
{
	char buf[FOLD_MEMBERS_MAX + 4];
	struct jw w;
	int n;

	if (!d->fold)
		return false;
	switch (fold_account(d->fold, exe, ev->verdict, ev->reason, now_ms,
			     verdict_fold_summary, d)) {
	case FOLD_SEND:
		return false;
	case FOLD_COUNT:
		break;
	case FOLD_KEEP:
		/* The members alone: the summary gets its own seq and ts. */
		jw_init(&w, buf, sizeof(buf));
		jw_obj_begin(&w);
		event_put_conn(&w, ev);
		jw_obj_end(&w);
		if ((n = jw_finish(&w)) < 3 ||
		    fold_keep(d->fold, buf + 1, (size_t)n - 3) < 0)
			return false;
		break;
	}
	stats_note_connection(d->stats, ev, NULL, 0);
	return true;
}

static void verdict_event(struct daemon *d, const struct pending_pkt *pk,
			  const struct decision *dc,
			  const struct attrib_result *ar, uint64_t now_us)
{
	char line[EVENT_LINE_MAX];
	struct conn_event ev = {
		.verdict = dc->action,
		.reason = dc->reason,
		.rule = dc->rule,
		.flow = &pk->flow,
		.dst_host = dc->dst_host,
		.proc = ar->proc,
		.source = ar->source,
		.confidence = ar->confidence,
		.attrib_us = now_us - pk->arrival_us,
		.verdict_us = now_us - pk->arrival_us,
	};
	const struct event_meta m = {
		.type = "connection", .verdict = ctl_action_bit(dc->action),
		.exe = ar->proc ? ar->proc->exe : NULL,
	};
	struct jw w;
	int n;

	ev.prompt_id = pk->wait == PENDING_PROMPT ? pk->prompt_id : 0;
	if (verdict_fold(d, &ev, m.exe, now_us / 1000))
		return;
	emit_begin(d, &w, line, sizeof(line), "connection");
	event_put_conn(&w, &ev);
	if ((n = emit_end(d, &w, &m)) > 0)
		stats_note_connection(d->stats, &ev, line, (size_t)n);
}

/* Send the verdict and the event.  Reject also destroys the local socket
 * so the caller fails at once instead of timing out. */
static void verdict_apply(struct daemon *d, struct pending_pkt *pk,
			  const struct decision *dc,
			  const struct attrib_result *ar)
{
	uint64_t now_us = loop_now_us();
	int v = dc->action == ACTION_ALLOW ? NF_ACCEPT : NF_DROP;

	(void)nfqueue_verdict(d->q, pk->id, v);
	switch (dc->action) {
	case ACTION_ALLOW:
		d->st.allowed++;
		verdict_dns_allowed(d, pk, ar);
		break;
	case ACTION_DENY:
		d->st.denied++;
		break;
	case ACTION_REJECT:
		d->st.rejected++;
		/* An unconnected UDP socket may carry many flows (a resolver):
		 * destroying it would reject them all, so that one is only
		 * dropped.  A packet decided from its eBPF record has not
		 * looked for its socket yet. */
		if (d->sd && !pk->ast.looked_up && !pk->forwarded &&
		    !(pk->flow.flags & FLOW_F_NO_L4)) {
			pk->ast.looked_up = true;
			pk->ast.sock_found =
				sockdiag_lookup(d->sd, &pk->flow, &pk->ast.sock) == 0 &&
				pk->ast.sock.inode;
		}
		if (d->sd && pk->ast.sock_found && !pk->forwarded &&
		    (pk->flow.proto == IPPROTO_TCP ||
		     pk->ast.sock.state == TCP_ESTABLISHED))
			(void)sockdiag_destroy(d->sd, &pk->ast.sock);
		break;
	}
	if (dc->nolog)
		d->st.nolog++;
	else
		verdict_event(d, pk, dc, ar, now_us);
}

static const struct attrib_result verdict_none = {
	.source = ATTRIB_SRC_NONE, .confidence = ATTRIB_CONF_NONE,
};

/* No rule matched: hold the packet for a person's answer when one can be
 * asked.  Only a packet in the pending table can be held, and only once.
 * 1 held; 0 nobody to ask; -ENOSPC/-EDQUOT a prompter is there but this
 * connection cannot be asked about (tables or quotas full). */
static int verdict_hold_for_prompt(struct daemon *d, struct pending_pkt *pk,
				   const struct attrib_result *ar,
				   const char *host)
{
	uint32_t id;
	uint64_t deadline;
	int r;

	if (pk->wait == PENDING_PROMPT || pending_find(d->pending, pk->id) != pk)
		return 0;
	r = prompting_open(d, &pk->flow, pk->id, ar->proc,
			   pk->has_uid ? pk->uid : PROMPT_UID_UNKNOWN, host,
			   loop_now_ms(), &id, &deadline);
	if (r <= 0)
		return r;
	pk->wait = PENDING_PROMPT;
	pk->prompt_id = id;
	pk->deadline_ms = deadline;
	return 1;
}

/* Load made a packet's decision go without what the worker would have
 * found (a scan that never ran before the hard deadline, a socket lookup
 * or hash it had no room for): counted, and said once a second. */
static void verdict_overload(struct daemon *d, uint64_t now_ms)
{
	char msg[256];
	uint64_t n;

	d->st.overload++;
	if (!ratelimit_hit(&d->rl_overload, now_ms, &n))
		return;
	snprintf(msg, sizeof(msg), "overload: %llu packet(s) decided without "
		 "what the /proc worker would have found (it could not keep "
		 "up); unknown processes get the unattributed action %s",
		 (unsigned long long)n, action_name(d->cfg.unattributed_action));
	daemon_warning(d, "overload", msg, NULL);
}

/* A rule reads a content hash (or hash_executables is on) and the
 * sender's is not known yet: hash what it runs on the worker and hold
 * the packet, once; it resumes in verdict_resume_hashed.  A hash that
 * cannot be computed leaves the field empty, and such a rule matches
 * nothing. */
static bool verdict_hold_for_hash(struct daemon *d, struct pending_pkt *pk,
				  const struct attrib_result *ar)
{
	unsigned need = d->rules ? ruleset_needs(d->rules) : 0, which = 0;
	struct worker_req req = { .op = WORKER_HASH };
	const struct proc_info *pi = ar->proc;
	uint64_t hard = pk->arrival_us / 1000 + d->cfg.verdict_timeout_ms;

	if (d->cfg.hash_executables)
		need |= RULE_NEED_MD5 | RULE_NEED_SHA1;
	if (!pi || pk->hash_tried || !d->worker ||
	    pending_find(d->pending, pk->id) != pk)
		return false;
	if ((need & RULE_NEED_MD5) && !pi->md5[0])
		which |= HASH_MD5;
	if ((need & RULE_NEED_SHA1) && !pi->sha1[0])
		which |= HASH_SHA1;
	if (!which)
		return false;
	pk->hash_tried = true;
	req.cookie = pk->id;
	req.pid = pi->pid;
	req.start_time = pi->start_time;
	req.hash_which = which;
	if (worker_submit(d->worker, &req) < 0) {
		d->st.scans_rejected++;
		verdict_overload(d, loop_now_ms());
		return false;
	}
	d->st.hash_waits++;
	pk->wait = PENDING_HASH;
	pk->held_pid = pi->pid;
	pk->held_start = pi->start_time;
	pk->held_src = ar->source;
	pk->held_conf = ar->confidence;
	if (pk->deadline_ms < hard)
		pk->deadline_ms = hard;
	return true;
}

/* A rule reads a user's name or a process's environment, which the loop
 * must not fetch itself (getpwuid_r may ask the network; the environ read
 * takes the process's memory lock), and the cache does not have it: look
 * it up on the worker and hold the packet as for a hash; it resumes in
 * verdict_resume_hashed once the answer is cached.  When the worker has
 * no room, the rule sees the fact as unknown and that counts as overload,
 * as for a hash. */
static bool verdict_hold_for_lookup(struct daemon *d, struct pending_pkt *pk,
				    const struct attrib_result *ar)
{
	unsigned need = d->rules ? ruleset_needs(d->rules) : 0;
	struct worker_req req = { .op = WORKER_LOOKUP };
	const struct proc_info *pi = ar->proc;
	uint64_t now_ms = loop_now_ms();
	uint64_t hard = pk->arrival_us / 1000 + d->cfg.verdict_timeout_ms;
	const char *name, *env;
	size_t len;

	if (!(need & (RULE_NEED_USER | RULE_NEED_ENV)) || !d->worker ||
	    !d->facts || pending_find(d->pending, pk->id) != pk)
		return false;
	/* the uid a user.name rule reads: the process's, else the socket's */
	req.uid = pi ? pi->uid : pk->uid;
	req.want_user = (need & RULE_NEED_USER) && (pi || pk->has_uid) &&
			!factcache_user(d->facts, req.uid, now_ms, &name);
	req.want_env = (need & RULE_NEED_ENV) && pi && pi->start_time &&
		       !factcache_env(d->facts, pi->pid, pi->start_time, now_ms,
				      &env, &len);
	if (!req.want_user && !req.want_env)
		return false;
	req.cookie = pk->id;
	req.pid = pi ? pi->pid : 0;
	req.start_time = pi ? pi->start_time : 0;
	if (worker_submit(d->worker, &req) < 0) {
		d->st.scans_rejected++;
		verdict_overload(d, now_ms);
		return false;
	}
	pk->wait = PENDING_HASH;
	pk->held_pid = req.pid;
	pk->held_start = req.start_time;
	pk->held_src = ar->source;
	pk->held_conf = ar->confidence;
	if (pk->deadline_ms < hard)
		pk->deadline_ms = hard;
	return true;
}

/* How verdict_decide() reaches a verdict for a packet that is not our
 * own traffic (own traffic is always allowed). */
enum decide_mode {
	DECIDE_RULES_PROMPT,	/* the rules; no match: hold it for a prompt
				 * when someone can be asked, else default */
	DECIDE_RULES,		/* the rules; no match: the default action */
	DECIDE_FIXED,		/* no rules: the default action, with the
				 * caller's reason (prompt timeout, shutdown) */
};

/* No rule matched and the packet is not held for a prompt.  A prompter
 * is there but could not be asked (refused < 0, or the packet could not
 * even be held: DECIDE_RULES): deny, since whoever runs one wants to be
 * asked, not to have the default decide.  No process known: the
 * unattributed action.  Otherwise the default action. */
static void verdict_fallback(struct daemon *d, const struct attrib_result *ar,
			     enum decide_mode mode, int refused,
			     struct decision *dc)
{
	if (refused < 0 ||
	    (mode == DECIDE_RULES && server_has_prompter(d->server))) {
		d->st.prompt_refused++;
		dc->action = ACTION_DENY;
		dc->reason = REASON_PROMPT_REFUSED;
	} else if (!ar->proc || !ar->proc->exe || !ar->proc->verified) {
		/* A pid without an executable, or one whose executable could
		 * not be verified (gone before it was, or another mount
		 * namespace's file), names no program either: no path rule
		 * matched it, and the default action would let a denied
		 * program that exits quickly escape its deny rule. */
		d->st.unattributed++;
		dc->action = d->cfg.unattributed_action;
		dc->reason = REASON_UNATTRIBUTED;
	}
}

/* Decide pk: false when it is now held for a prompt, else true (verdict
 * sent, event emitted; the caller removes pk from the pending table).
 * reason is used by DECIDE_FIXED only; the rule modes say rule/default
 * (or unattributed, prompt-refused: verdict_fallback).  A prompt timeout
 * of an unknown process takes the unattributed action. */
static bool verdict_decide(struct daemon *d, struct pending_pkt *pk,
			   const struct attrib_result *ar, enum decide_mode mode,
			   enum verdict_reason reason)
{
	struct decision dc = { .action = d->cfg.default_action,
			       .reason = mode == DECIDE_FIXED ? reason : REASON_DEFAULT };
	struct dns_owner owner = dns_owner_of(ar);
	struct policy_decision pd;
	int r = 0;

	/* Only this process's own lookups (or those of unknown processes)
	 * name the address it connects to. */
	const char *cached = d->dns ? dns_cache_lookup_for(d->dns, pk->flow.family,
							   pk->flow.dst, &owner,
							   loop_now_ms()) : NULL;

	/* The event of a DNS query names what was asked; rules see where
	 * the packet goes (the resolver), so "deny dest.host X" blocks
	 * connections to X, not the lookup of X. */
	dc.dst_host = pk->host[0] ? pk->host : cached;
	if (ar->own) {
		d->st.own_traffic++;
		dc.action = ACTION_ALLOW;
		dc.reason = REASON_OWN_TRAFFIC;
	} else if (mode != DECIDE_FIXED) {
		if (verdict_hold_for_hash(d, pk, ar) ||
		    verdict_hold_for_lookup(d, pk, ar))
			return false;
		policy_match(d, pk, ar, cached, &pd);
		if (pd.matched) {
			dc.action = pd.action;
			dc.reason = REASON_RULE;
			dc.rule = pd.rule;
			dc.nolog = pd.nolog;
		} else if (mode == DECIDE_RULES_PROMPT &&
			   (r = verdict_hold_for_prompt(d, pk, ar, dc.dst_host)) > 0) {
			return false;
		} else {
			verdict_fallback(d, ar, mode, r, &dc);
		}
	} else if (reason == REASON_PROMPT_TIMEOUT &&
		   (!ar->proc || !ar->proc->exe || !ar->proc->verified)) {
		dc.action = d->cfg.unattributed_action;
	}
	verdict_apply(d, pk, &dc, ar);
	return true;
}

/* The attribution of a packet decided from its eBPF record, again (the
 * cache may have changed since): the same owner, exact. */
static void verdict_bpf_result(struct daemon *d, struct pending_pkt *pk,
			       uint64_t now_ms, struct attrib_result *ar)
{
	*ar = (struct attrib_result){ .source = ATTRIB_SRC_BPF,
				      .confidence = ATTRIB_CONF_EXACT };
	if (bpfjoin_owner(&d->bj, &pk->bpf_owner, now_ms, &ar->proc) < 0)
		ar->proc = NULL;
	ar->own = pk->bpf_owner.tgid == (uint32_t)d->self;
}

/* Who owns a packet held for a prompt, looked at once more when the
 * prompt ends (answered or not): its eBPF record when it had one, else
 * the best the audit and /proc path knows now. */
static void verdict_held_owner(struct daemon *d, struct pending_pkt *pk,
			       struct attrib_result *ar)
{
	*ar = verdict_none;
	if (pk->bpf_found)
		verdict_bpf_result(d, pk, loop_now_ms(), ar);
	else if (d->attrib)
		(void)attrib_lookup(d->attrib, &pk->flow, pk->has_uid, pk->uid,
				    &pk->ast, ATTRIB_FINAL, loop_now_ms(), ar);
}

void verdict_prompt_decided(struct daemon *d, const uint32_t *ids, size_t n,
			    enum action a, const char *rule)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct pending_pkt *pk = pending_find(d->pending, ids[i]);
		struct decision dc = { .action = a, .reason = REASON_PROMPT, .rule = rule };
		struct attrib_result ar;

		if (!pk || pk->wait != PENDING_PROMPT)
			continue;	/* timed out meanwhile */
		verdict_held_owner(d, pk, &ar);
		verdict_apply(d, pk, &dc, &ar);
		pending_remove(d->pending, pk);
	}
}

/* The wait is over and nothing more will come: the eBPF record when
 * there was one, else the best inference, or none. */
static bool verdict_final(struct daemon *d, struct pending_pkt *pk)
{
	struct attrib_result ar;

	if (pk->bpf_found) {
		verdict_bpf_result(d, pk, loop_now_ms(), &ar);
		return verdict_decide(d, pk, &ar, DECIDE_RULES_PROMPT,
				      REASON_DEFAULT);
	}
	if (!d->attrib)
		return verdict_decide(d, pk, &verdict_none, DECIDE_RULES_PROMPT,
				      REASON_DEFAULT);
	(void)attrib_lookup(d->attrib, &pk->flow, pk->has_uid, pk->uid, &pk->ast,
			    ATTRIB_FINAL, loop_now_ms(), &ar);
	return verdict_decide(d, pk, &ar, DECIDE_RULES_PROMPT, REASON_DEFAULT);
}

/* Have the worker find the socket's owner in /proc: the packet waits
 * for verdict_submit_scans(), which batches the inodes of all waiting
 * packets into as few requests as the worker's queue takes.  A packet the
 * worker has no room for stays held (bounded by the pending table and
 * its hard deadline), never decided as unknown because of load.  false
 * when no scan can help (no worker, no socket to look for). */
static bool verdict_scan(struct daemon *d, struct pending_pkt *pk, uint64_t now_ms)
{
	if (!d->worker || !pk->ast.sock_found)
		return false;
	pk->wait = PENDING_SCAN_WAIT;
	d->scans_wanted = true;
	/* A scan keeps the packet until the hard cap, not past it. */
	if (pk->deadline_ms < now_ms)
		pk->deadline_ms = now_ms;
	return true;
}

/* A forwarded flow's socket is in the sender's network namespace: the
 * worker reads that namespace's /proc/PID/net tables (audit's recent
 * senders from other namespaces first, then every namespace); the
 * result continues in verdict_first.  true when submitted. */
static bool verdict_find_socket_ns(struct daemon *d, struct pending_pkt *pk)
{
	struct worker_req req = { .op = WORKER_SOCKET_NS };
	uint8_t p = pk->flow.proto;

	if (!pk->forwarded || pk->ns_tried)
		return false;
	pk->ns_tried = true;
	pk->ast.looked_up = true;	/* our sock_diag cannot see it */
	pk->ast.no_dest = true;
	if (!d->worker || (pk->flow.flags & FLOW_F_NO_L4) ||
	    (p != IPPROTO_TCP && p != IPPROTO_UDP && p != IPPROTO_UDPLITE))
		return false;
	req.cookie = pk->id;
	req.flow = pk->flow;
	req.n_pids = attrib_netns_hints(d->attrib, req.pids, WORKER_MAX_PIDS);
	req.netns = attrib_netns(d->attrib);
	if (worker_submit(d->worker, &req) < 0) {
		d->st.scans_rejected++;
		verdict_overload(d, loop_now_ms());
		return false;
	}
	pk->wait = PENDING_SOCKET_NS;
	pk->deadline_ms = pk->arrival_us / 1000 + d->cfg.verdict_timeout_ms;
	return true;
}

#define VERDICT_SCAN_COOKIE	(1ull << 40)	/* results of batched scans */
#define VERDICT_SCAN_PKTS	256		/* packets per batch */

struct scan_batch {
	struct daemon *d;
	struct worker_req req;
	struct pending_pkt *pks[VERDICT_SCAN_PKTS];
	size_t n;
	bool full;		/* the worker refused: stop for now */
};

/* Submit the batch; its packets now wait for the results. */
static void scan_batch_flush(struct scan_batch *b)
{
	size_t i;

	if (!b->n)
		return;
	if (worker_submit(b->d->worker, &b->req) < 0) {
		b->d->st.scans_rejected++;
		b->full = true;
		return;
	}
	b->d->st.scans_submitted++;
	for (i = 0; i < b->n; i++)
		b->pks[i]->wait = PENDING_WORKER;
	b->n = 0;
	b->req.n_inos = 0;
}

static void scan_batch_add(struct pending_pkt *pk, void *data)
{
	struct scan_batch *b = data;
	uint64_t ino = pk->ast.sock.inode;
	size_t i;

	if (pk->wait != PENDING_SCAN_WAIT)
		return;
	for (i = 0; i < b->req.n_inos && b->req.inos[i] != ino; i++)
		;
	if (!b->full && i == b->req.n_inos &&
	    b->req.n_inos == PROCFS_SCAN_MAX_INOS)
		scan_batch_flush(b);
	if (b->full) {
		/* Held until the worker has room or the hard deadline. */
		if (!pk->deferred)
			b->d->st.scans_deferred++;
		pk->deferred = true;
		return;
	}
	if (i == b->req.n_inos)
		b->req.inos[b->req.n_inos++] = ino;
	b->pks[b->n++] = pk;
	if (b->n == VERDICT_SCAN_PKTS)
		scan_batch_flush(b);
}

void verdict_submit_scans(struct daemon *d)
{
	struct scan_batch b;

	if (!d->scans_wanted || !d->worker)
		return;
	d->scans_wanted = false;
	memset(&b, 0, sizeof(b));
	b.d = d;
	b.req.op = WORKER_SCAN_ALL;
	b.req.cookie = VERDICT_SCAN_COOKIE;
	pending_foreach(d->pending, scan_batch_add, &b);
	scan_batch_flush(&b);
}

/* Without sock_diag the packet's socket comes from /proc/net, read on the
 * worker; the result continues in verdict_first.  true when submitted. */
static bool verdict_find_socket(struct daemon *d, struct pending_pkt *pk)
{
	struct worker_req req = { .op = WORKER_SOCKET };
	uint8_t p = pk->flow.proto;

	if (d->sd || !d->worker || pk->ast.looked_up || pk->forwarded ||
	    (pk->flow.flags & FLOW_F_NO_L4) ||
	    (p != IPPROTO_TCP && p != IPPROTO_UDP && p != IPPROTO_UDPLITE))
		return false;
	req.cookie = pk->id;
	req.flow = pk->flow;
	if (worker_submit(d->worker, &req) < 0) {
		d->st.scans_rejected++;
		verdict_overload(d, loop_now_ms());
		return false;
	}
	pk->wait = PENDING_SOCKET;
	pk->deadline_ms = pk->arrival_us / 1000 + d->cfg.verdict_timeout_ms;
	return true;
}

/* TCP SYNs are retransmitted for about two minutes and each one is
 * queued again (conntrack stays NEW without a reply); older records are
 * someone else's earlier use of the 5-tuple. */
#define VERDICT_BPF_MAX_AGE_NS (180ULL * 1000 * 1000 * 1000)

/* Could v be this packet's record?  Connect and send records are written
 * before their packet is queued, so one written after the packet arrived
 * belongs to a later flow reusing the 5-tuple; a close record is written
 * later, but its socket was stamped before. */
static bool verdict_bpf_fits(const struct flowrec_val *v, uint64_t arrival_ns)
{
	if (v->flags & FLOWREC_F_RELEASE)
		return v->owner.stamp_ns <= arrival_ns &&
		       (v->ts_ns > arrival_ns ||
			arrival_ns - v->ts_ns < VERDICT_BPF_MAX_AGE_NS);
	return v->ts_ns <= arrival_ns &&
	       arrival_ns - v->ts_ns < VERDICT_BPF_MAX_AGE_NS;
}

/* The owner the BPF programs recorded for this packet: the flow record,
 * else (connected UDP) the open socket's by cookie, else the record its
 * close wrote meanwhile.  0 and *o, or -ENOENT. */
static int verdict_bpf_owner(struct daemon *d, struct pending_pkt *pk,
			     struct flowrec_owner *o)
{
	uint64_t arrival_ns = pk->arrival_us * 1000;
	struct flowrec_val v;

	/* A close record may be an earlier socket's with this 5-tuple:
	 * an open socket, asked next, wins over it. */
	if (bpfsrc_flow(d->bpf, d->netns_cookie, &pk->flow, &v) == 0 &&
	    !(v.flags & FLOWREC_F_RELEASE) && verdict_bpf_fits(&v, arrival_ns)) {
		*o = v.owner;
		return 0;
	}
	if (pk->flow.proto != IPPROTO_UDP || !d->sd)
		return -ENOENT;
	/* attrib_lookup() reuses this look (ast.looked_up). */
	pk->ast.looked_up = true;
	if (sockdiag_lookup(d->sd, &pk->flow, &pk->ast.sock) == 0 &&
	    pk->ast.sock.inode) {
		pk->ast.sock_found = true;
		if (bpfsrc_sock(d->bpf, pk->ast.sock.cookie, o) == 0)
			return 0;
	}
	/* Closed after the first lookup: sock_release recorded it before
	 * the socket left the table sock_diag searched (and before it
	 * dropped the cookie's entry). */
	if (bpfsrc_flow(d->bpf, d->netns_cookie, &pk->flow, &v) == 0 &&
	    verdict_bpf_fits(&v, arrival_ns)) {
		*o = v.owner;
		return 0;
	}
	return -ENOENT;
}

/* The record names its cgroup by id.  The path comes from the loop's
 * cache; on a miss, from a walk of the cgroup2 mount on the worker, and
 * the packet waits for it (once) as it would for a /proc scan: the
 * sender may have exited, and then the record is all that places it in
 * its unit and container.  Queue full: decided with what is known.  true
 * when held; it resumes in verdict_on_result. */
static bool verdict_hold_for_cgroup(struct daemon *d, struct pending_pkt *pk,
				    uint64_t now_ms)
{
	struct worker_req req = { .op = WORKER_CGROUP };
	uint64_t hard = pk->arrival_us / 1000 + d->cfg.verdict_timeout_ms;
	char path[CGROUP_PATH_MAX];

	if (!d->cgc || !d->worker || !pk->bpf_owner.cgroup_id ||
	    pk->cgroup_tried || pending_find(d->pending, pk->id) != pk ||
	    cgroup_cache_get(d->cgc, pk->bpf_owner.cgroup_id, now_ms, path,
			     sizeof(path)) != -EAGAIN)
		return false;
	pk->cgroup_tried = true;
	req.cookie = pk->id;
	req.cgroup_id = pk->bpf_owner.cgroup_id;
	if (worker_submit(d->worker, &req) < 0) {
		d->st.scans_rejected++;
		return false;
	}
	d->st.cgroup_waits++;
	pk->wait = PENDING_CGROUP;
	if (pk->deadline_ms < hard)
		pk->deadline_ms = hard;
	return true;
}

/* Decide a packet from its BPF record (pk->bpf_owner). */
static bool verdict_bpf_decide(struct daemon *d, struct pending_pkt *pk,
			       uint64_t now_ms)
{
	struct attrib_result ar;

	verdict_bpf_result(d, pk, now_ms, &ar);
	return verdict_decide(d, pk, &ar, DECIDE_RULES_PROMPT, REASON_DEFAULT);
}

/* Decide from a BPF record: exact, no wait for audit (a wait for its
 * cgroup's path at most).  With audit also running (audit_with_bpf),
 * what the audit path already knows is compared, and a disagreement
 * counted: the BPF record wins, it was written by the sender.  true when
 * decided (or held); false: no record. */
static bool verdict_bpf(struct daemon *d, struct pending_pkt *pk, uint64_t now_ms,
			bool *decided)
{
	struct attrib_result other;
	struct flowrec_owner o;

	if ((pk->flow.proto != IPPROTO_TCP && pk->flow.proto != IPPROTO_UDP) ||
	    (pk->flow.flags & FLOW_F_NO_L4) ||
	    verdict_bpf_owner(d, pk, &o) < 0)
		return false;
	pk->bpf_found = true;
	pk->bpf_owner = o;
	if (d->amc && attrib_lookup(d->attrib, &pk->flow, pk->has_uid, pk->uid,
				    &pk->ast, ATTRIB_FIRST, now_ms, &other) == 1 &&
	    other.proc && other.proc->pid != (pid_t)o.tgid)
		d->st.bpf_disagree++;
	d->st.bpf_attributed++;
	if (verdict_hold_for_cgroup(d, pk, now_ms)) {
		*decided = false;
		return true;
	}
	*decided = verdict_bpf_decide(d, pk, now_ms);
	return true;
}

/* First look at a new packet.  true when decided now. */
static bool verdict_first(struct daemon *d, struct pending_pkt *pk, uint64_t now_ms)
{
	struct attrib_result ar;
	bool decided;

	if (!d->attrib)
		return verdict_decide(d, pk, &verdict_none, DECIDE_RULES_PROMPT,
				      REASON_DEFAULT);
	/* A forwarded flow's record is keyed by the sender's namespace,
	 * which is not ours: the namespace path below finds it. */
	if (d->bpf && !pk->forwarded && !pk->ast.looked_up &&
	    verdict_bpf(d, pk, now_ms, &decided))
		return decided;
	if (verdict_find_socket_ns(d, pk) || verdict_find_socket(d, pk))
		return false;
	if (attrib_lookup(d->attrib, &pk->flow, pk->has_uid, pk->uid, &pk->ast,
			  ATTRIB_FIRST, now_ms, &ar) == 1)
		return verdict_decide(d, pk, &ar, DECIDE_RULES_PROMPT, REASON_DEFAULT);
	/* Held, not released early: a process blocked in connect() stays
	 * alive until its socket() record is joined; released, a short-lived
	 * one exits first and could only be inferred (measured in the
	 * benchmark's short-lived workload). */
	if (d->amc) {
		pk->wait = PENDING_AUDIT;
		pk->deadline_ms = now_ms + d->cfg.audit_wait_ms;
		return false;
	}
	pk->deadline_ms = pk->arrival_us / 1000 + d->cfg.verdict_timeout_ms;
	if (verdict_scan(d, pk, now_ms))
		return false;
	return verdict_final(d, pk);
}

/* Wall-clock ms, read per packet: audit records carry this clock. */
static uint64_t verdict_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The pending table is full, or this uid holds its quota of it: decide
 * now rather than hold without bound, with what is known at once (the
 * rules still apply to the process found), never asking (a prompt would
 * hold it): with a prompter there, no match is a deny.  Counted, and a
 * warning once a second. */
static void verdict_unheld(struct daemon *d, struct pending_pkt *pk, int why,
			   uint64_t now_ms)
{
	struct attrib_result ar = verdict_none;
	char msg[256];
	uint64_t n;

	if (why == EDQUOT)
		d->st.pending_quota++;
	else
		d->st.pending_full++;
	if (d->attrib &&
	    attrib_lookup(d->attrib, &pk->flow, pk->has_uid, pk->uid, &pk->ast,
			  ATTRIB_FIRST, now_ms, &ar) != 1)
		(void)attrib_lookup(d->attrib, &pk->flow, pk->has_uid, pk->uid,
				    &pk->ast, ATTRIB_FINAL, now_ms, &ar);
	(void)verdict_decide(d, pk, &ar, DECIDE_RULES, REASON_DEFAULT);
	if (!ratelimit_hit(&d->rl_pending_full, now_ms, &n))
		return;
	if (why == EDQUOT)
		snprintf(msg, sizeof(msg), "pending table: uid %u holds its "
			 "quota; %llu packet(s) decided without waiting",
			 pk->uid, (unsigned long long)n);
	else
		snprintf(msg, sizeof(msg), "pending table full; %llu packet(s) "
			 "decided without waiting", (unsigned long long)n);
	daemon_warning(d, "pending-full", msg, NULL);
}

static int verdict_on_packet(const struct nfqueue_pkt *p, void *data)
{
	struct daemon *d = data;
	struct pending_pkt tmp, *pk;
	uint64_t now_us = loop_now_us();

	d->st.packets++;
	memset(&tmp, 0, sizeof(tmp));
	tmp.id = p->id;
	tmp.arrival_us = now_us;
	if (packet_parse(p->payload, p->len, &tmp.flow) < 0) {
		/* Malformed: counted, and the owner's default decides, so
		 * bad input never opens a hole the policy did not choose. */
		d->st.malformed++;
		(void)nfqueue_verdict(d->q, p->id,
				      d->cfg.default_action == ACTION_ALLOW ?
				      NF_ACCEPT : NF_DROP);
		return 0;
	}
	if (p->hook == NF_INET_LOCAL_IN) {
		/* Inbound DNS replies (to queries that left this host) are
		 * queued only to learn names; malformed ones are counted by
		 * the cache and passed on like any other. */
		if (d->dns && tmp.flow.proto == IPPROTO_UDP &&
		    tmp.flow.sport == 53 && tmp.flow.payload_len) {
			struct dns_tuple t;

			dns_tuple_of(&tmp.flow, &t);
			(void)dns_reply_ingest(d->dns, &t,
					       p->payload + tmp.flow.payload_off,
					       tmp.flow.payload_len, now_us / 1000);
		}
		(void)nfqueue_verdict(d->q, p->id, NF_ACCEPT);
		return 0;
	}
	if (verdict_dns_followup(d, p, &tmp.flow, now_us / 1000))
		return 0;
	/* A query to port 53: the event names what was asked. */
	if (tmp.flow.proto == IPPROTO_UDP && tmp.flow.dport == 53 &&
	    tmp.flow.payload_len &&
	    dns_query_name(p->payload + tmp.flow.payload_off, tmp.flow.payload_len,
			   tmp.host, sizeof(tmp.host)) < 0)
		tmp.host[0] = '\0';
	tmp.ast.arrival_ms = now_us / 1000;
	tmp.ast.arrival_wall_ms = verdict_wall_ms();
	tmp.has_uid = p->has_uid;
	tmp.uid = p->uid;
	tmp.gid = p->gid;
	tmp.indev = p->indev;
	tmp.outdev = p->outdev;
	tmp.forwarded = p->hook == NF_INET_FORWARD;
	d->st.forwarded += tmp.forwarded;
	pk = pending_add(d->pending, p->id,
			 tmp.has_uid ? tmp.uid : PENDING_UID_NONE);
	if (!pk) {
		verdict_unheld(d, &tmp, errno, now_us / 1000);
		return 0;
	}
	*pk = tmp;
	if (verdict_first(d, pk, now_us / 1000))
		pending_remove(d->pending, pk);
	return 0;
}

static void verdict_drain(struct daemon *d);

void verdict_on_queue(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l, (void)fd, (void)events;
	verdict_drain(data);
}

/* ---- audit: records arrive, packets waiting for them are re-examined */

struct recheck_ctx {
	struct daemon *d;
	uint64_t now_ms;
};

static void verdict_recheck_one(struct pending_pkt *pk, void *data)
{
	struct recheck_ctx *x = data;
	struct attrib_result ar;

	if (pk->wait != PENDING_AUDIT)
		return;
	pk->tries++;
	if (attrib_lookup(x->d->attrib, &pk->flow, pk->has_uid, pk->uid,
			  &pk->ast, ATTRIB_AUDIT, x->now_ms, &ar) != 1)
		return;
	if (verdict_decide(x->d, pk, &ar, DECIDE_RULES_PROMPT, REASON_DEFAULT))
		pending_remove(x->d->pending, pk);
}

void verdict_audit_event(const struct audit_event *ev, void *data)
{
	struct daemon *d = data;

	if (attrib_on_audit(d->attrib, ev, pending_count(d->pending) > 0,
			    loop_now_ms()) > 0)
		d->audit_learned = true;
}

static void verdict_on_record(uint16_t type, const char *text, size_t len,
			      void *data)
{
	struct daemon *d = data;

	(void)aurec_asm_push(d->asm_, type, text, len, loop_now_ms());
}

/* Read what audit has, then the queue, then re-examine the packets
 * waiting for audit.  Audit first: the socket() record of a connection is
 * usually already waiting, so the SYN finds its inode in the cache.  The
 * queue next, on audit wakeups too: a packet is queued before its
 * sender's send record is emitted, so after this every packet that
 * record could belong to is known when the waiting ones are looked at
 * again, and a queue seen empty tells attrib that later packets were
 * queued after the records read so far. */
static void verdict_drain(struct daemon *d)
{
	struct recheck_ctx x = { .d = d };
	int r = 0, n;

	d->audit_learned = false;
	if (d->amc)
		r = audit_mc_drain(d->amc, verdict_on_record, d, DAEMON_DRAIN_BATCH);
	if (r < 0)
		fprintf(stderr, "tattled: %s: audit read: %s\n", __func__, strerror(-r));
	if (d->amc && d->attrib) {
		struct aurec_stats as;

		aurec_asm_stats(d->asm_, &as);
		attrib_audit_loss(d->attrib, as.lost, loop_now_ms());
	}
	n = nfqueue_drain(d->q, DAEMON_DRAIN_BATCH, verdict_on_packet, d);
	if (n < 0 && n != -EINTR)
		fprintf(stderr, "tattled: %s: queue read: %s\n", __func__, strerror(-n));
	if (n >= 0 && n < DAEMON_DRAIN_BATCH && d->attrib)
		attrib_queue_empty(d->attrib);
	if ((d->audit_learned || n > 0) && d->attrib && pending_count(d->pending)) {
		x.now_ms = loop_now_ms();
		pending_foreach(d->pending, verdict_recheck_one, &x);
	}
}

void verdict_on_audit(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l, (void)fd, (void)events;
	verdict_drain(data);
}

/* ---- worker: /proc scan results */

/* The hash or look-up is in its cache (or could not be had): decide with
 * the attribution the packet was held with (no process: only the socket's
 * uid was looked up). */
static bool verdict_resume_hashed(struct daemon *d, struct pending_pkt *pk,
				  uint64_t now_ms)
{
	struct attrib_result ar = { .source = pk->held_src,
				    .confidence = pk->held_conf };
	const struct proc_info *pi;

	if (!pk->held_pid)
		return verdict_decide(d, pk, &ar, DECIDE_RULES_PROMPT,
				      REASON_DEFAULT);
	if (!d->pc || pidcache_get(d->pc, pk->held_pid, now_ms, &pi) < 0 ||
	    (pk->held_start && pi->start_time != pk->held_start))
		return verdict_final(d, pk);
	ar.proc = pi;
	return verdict_decide(d, pk, &ar, DECIDE_RULES_PROMPT, REASON_DEFAULT);
}

struct scanned_ctx {
	struct daemon *d;
	uint64_t ino, now_ms;
};

/* A scan result for x->ino: decide the packets that waited for it. */
static void verdict_scanned_one(struct pending_pkt *pk, void *data)
{
	struct scanned_ctx *x = data;
	struct attrib_result ar;

	if (pk->wait != PENDING_WORKER || pk->ast.sock.inode != x->ino)
		return;		/* not this one, or decided by its deadline */
	if (attrib_lookup(x->d->attrib, &pk->flow, pk->has_uid, pk->uid, &pk->ast,
			  ATTRIB_SCAN, x->now_ms, &ar) == 1 ?
	    verdict_decide(x->d, pk, &ar, DECIDE_RULES_PROMPT, REASON_DEFAULT) :
	    verdict_final(x->d, pk))
		pending_remove(x->d->pending, pk);
}

/* A packet that waited (wait) for a worker result: go on with step. */
static void verdict_resume(struct daemon *d, struct pending_pkt *pk,
			   enum pending_wait wait,
			   bool (*step)(struct daemon *, struct pending_pkt *,
					uint64_t),
			   uint64_t now_ms)
{
	if (!pk || pk->wait != wait)
		return;		/* not held for this, or decided meanwhile */
	pk->wait = 0;
	if (step(d, pk, now_ms))
		pending_remove(d->pending, pk);
}

/* The socket the worker found in another namespace, or in /proc. */
static void verdict_take_socket(struct pending_pkt *pk,
				const struct worker_result *r)
{
	pk->ast.sock_found = r->err == 0 && r->sock.inode;
	if (pk->ast.sock_found)
		pk->ast.sock = r->sock;
}

static void verdict_on_result(struct worker_result *r, void *data)
{
	struct daemon *d = data;
	struct pending_pkt *pk = r->cookie == VERDICT_SCAN_COOKIE ? NULL :
				 pending_find(d->pending, (uint32_t)r->cookie);
	uint64_t now_ms = loop_now_ms();
	struct scanned_ctx x = { .d = d, .ino = r->ino, .now_ms = now_ms };

	/* The worker took a request off its queue: room for waiting scans. */
	d->scans_wanted = true;
	switch (r->op) {
	case WORKER_FILE:
		if (r->cookie)
			control_file_done(d, r->cookie, r->err);
		else if (r->err < 0)
			daemon_warning(d, "rule-once", "cannot remove a used "
				       "once-rule's file", strerror(-r->err));
		return;
	case WORKER_LOOKUP:
		if (d->facts && r->want_user)
			factcache_put_user(d->facts, r->uid, r->user, now_ms);
		if (d->facts && r->want_env) {
			factcache_put_env(d->facts, r->pid, r->start_time, r->env,
					  r->env_len, now_ms);
			r->env = NULL;
		}
		verdict_resume(d, pk, PENDING_HASH, verdict_resume_hashed, now_ms);
		return;
	case WORKER_HASH:
		if (r->err == 0 && d->pc)
			(void)pidcache_set_hash(d->pc, r->pid, r->start_time,
						r->hash.md5, r->hash.sha1, now_ms);
		verdict_resume(d, pk, PENDING_HASH, verdict_resume_hashed, now_ms);
		return;
	case WORKER_CGROUP:
		/* Remembered either way: a gone cgroup id is never reused. */
		if (d->cgc && (r->err == 0 || r->err == -ENOENT))
			(void)cgroup_cache_put(d->cgc, r->cgroup_id,
					       r->err ? NULL : r->pi.cgroup, now_ms);
		verdict_resume(d, pk, PENDING_CGROUP, verdict_bpf_decide, now_ms);
		return;
	case WORKER_SOCKET_NS:
		if (pk && pk->wait == PENDING_SOCKET_NS)
			verdict_take_socket(pk, r);
		verdict_resume(d, pk, PENDING_SOCKET_NS, verdict_first, now_ms);
		return;
	case WORKER_SOCKET:
		if (pk && pk->wait == PENDING_SOCKET) {
			pk->ast.looked_up = true;
			verdict_take_socket(pk, r);
		}
		verdict_resume(d, pk, PENDING_SOCKET, verdict_first, now_ms);
		return;
	default:
		break;
	}
	if (r->err == 0)
		(void)attrib_on_scan(d->attrib, r->ino, r->pid, &r->pi, now_ms);
	else if (r->err == -ENOTUNIQ)
		attrib_on_scan_mixed(d->attrib, r->ino, now_ms);
	if (r->cookie == VERDICT_SCAN_COOKIE)
		pending_foreach(d->pending, verdict_scanned_one, &x);
}

void verdict_on_worker(struct loop *l, int fd, uint32_t events, void *data)
{
	struct daemon *d = data;

	(void)l, (void)fd, (void)events;
	(void)worker_results(d->worker, verdict_on_result, d);
}

/* ---- deadlines */

/* Nobody answered: the default action, or for an unknown process the
 * unattributed one (so attribute it once more). */
static void verdict_prompt_timeout(struct daemon *d, struct pending_pkt *pk)
{
	struct attrib_result ar;

	verdict_held_owner(d, pk, &ar);
	(void)verdict_decide(d, pk, &ar, DECIDE_FIXED, REASON_PROMPT_TIMEOUT);
}

struct expire_ctx {
	struct daemon *d;
	uint64_t now_ms;
	bool all;		/* every held packet (shutdown), not only expired */
};

static void verdict_expire_one(struct pending_pkt *pk, void *data)
{
	struct expire_ctx *x = data;
	uint64_t hard = pk->arrival_us / 1000 + x->d->cfg.verdict_timeout_ms;

	if (x->all) {
		(void)verdict_decide(x->d, pk, &verdict_none, DECIDE_FIXED,
				     REASON_DEFAULT);
		pending_remove(x->d->pending, pk);
		return;
	}
	if (pk->deadline_ms > x->now_ms)
		return;
	if (pk->wait == PENDING_AUDIT && x->now_ms < hard) {
		/* Audit did not name it in time: scan /proc for the socket. */
		pk->deadline_ms = hard;
		if (verdict_scan(x->d, pk, x->now_ms))
			return;
	}
	x->d->st.timeouts += pk->wait != PENDING_AUDIT;
	if (pk->wait == PENDING_SCAN_WAIT)
		verdict_overload(x->d, x->now_ms);
	if (pk->wait == PENDING_PROMPT)
		verdict_prompt_timeout(x->d, pk);
	else if (!verdict_final(x->d, pk))
		return;		/* now held for a prompt */
	pending_remove(x->d->pending, pk);
}

void verdict_arm_timer(struct daemon *d)
{
	uint64_t at = pending_next_deadline(d->pending);

	if (!at || d->next_tick_ms < at)
		at = d->next_tick_ms;
	(void)loop_set_timer(d->loop, at, verdict_on_timer, d);
}

void verdict_on_timer(struct loop *l, void *data)
{
	struct daemon *d = data;
	struct expire_ctx x = { .d = d, .now_ms = loop_now_ms() };

	(void)l;
	pending_foreach(d->pending, verdict_expire_one, &x);
	prompting_expire(d, x.now_ms);
	if (x.now_ms >= d->next_tick_ms) {
		housekeeping_tick(d, x.now_ms);
		d->next_tick_ms = x.now_ms + DAEMON_TICK_MS;
	}
}

void verdict_flush_all(struct daemon *d)
{
	struct expire_ctx x = { .d = d, .now_ms = loop_now_ms(), .all = true };

	pending_foreach(d->pending, verdict_expire_one, &x);
}
