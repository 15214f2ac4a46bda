/* main.c - tattled: argv, setup in the right order, the loop, teardown.
 * Owns struct daemon; nothing else holds mutable global state. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "bytes.h"
#include "auditref.h"
#include "control.h"
#include "emit.h"
#include "logsink.h"
#include "fold.h"
#include "notify.h"
#include "privs.h"
#include "procfs.h"
#include "prompt.h"
#include "prompting.h"
#include "server.h"
#include "stats.h"
#include "policy.h"
#include "rules.h"
#include "version.h"

/* Test-only, for tests/integration/t_systemd_unit.sh: with
 * TATTLED_TEST_STALL=1 in the environment, SIGUSR2 stops the loop for
 * good, as a call that never returns would, so that the watchdog restart
 * can be shown.  Without the variable SIGUSR2 keeps its default action. */
#define TEST_STALL_ENV "TATTLED_TEST_STALL"

static void test_stall_forever(void)
{
	fprintf(stderr, "tattled: %s: SIGUSR2: the loop stops here (test "
		"only)\n", TEST_STALL_ENV);
	for (;;)
		pause();	/* SIGABRT (the watchdog's) and SIGKILL end it */
}

static void on_signal(struct loop *l, int fd, uint32_t events, void *data)
{
	struct daemon *d = data;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
			loop_stop(l);
			break;
		case SIGHUP:
			policy_reload(d, "sighup");
			break;
		case SIGUSR2:
			if (d->test_stall)
				test_stall_forever();
			break;
		default:
			break;
		}
	}
}

static int setup_signals(struct daemon *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	d->test_stall = getenv(TEST_STALL_ENV) &&
			!strcmp(getenv(TEST_STALL_ENV), "1");
	if (d->test_stall)
		sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0)
		return -errno;
	return loop_add(d->loop, d->sigfd, EPOLLIN, on_signal, d);
}

static int enter_netns(const char *path)
{
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* The host name events carry: config, else the kernel's (uname -n). */
static void daemon_host(struct daemon *d)
{
	if (d->cfg.host[0]) {
		snprintf(d->host, sizeof(d->host), "%s", d->cfg.host);
		return;
	}
	if (gethostname(d->host, sizeof(d->host) - 1) < 0 || !d->host[0])
		snprintf(d->host, sizeof(d->host), "localhost");
	d->host[sizeof(d->host) - 1] = '\0';
}

/* A fresh random id per run, so a collector tells a restart from loss. */
static int daemon_run_id(struct daemon *d)
{
	uint8_t b[16];

	_Static_assert(sizeof(d->run_id) == 2 * sizeof(b) + 1, "run_id holds b");
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -errno;
	hex_encode(b, sizeof(b), d->run_id);
	return 0;
}

/* Files open now (their errors are fatal, as before); syslog sockets
 * connect when the first event goes out, and again whenever needed. */
static int open_sinks(struct daemon *d)
{
	struct logsink_opts o = {
		.specs = (const char (*)[CONFIG_PATH_MAX])d->cfg.log_sinks,
		.n = d->cfg.n_log_sinks, .host = d->host, .pid = d->self,
		.queue_bytes = d->cfg.log_queue_bytes,
		.on_loss = emit_sink_lost, .data = d,
	};
	char err[CONFIG_PATH_MAX + 128];

	if (!o.n)
		return 0;
	d->sinks = logsinks_open(&o, err, sizeof(err));
	if (!d->sinks) {
		int r = -errno;

		fprintf(stderr, "tattled: --log-events %s\n", err);
		return r;
	}
	return 0;
}

/* Our entry among the runs sharing the host's audit settings. */
static void audit_ref_self(const struct daemon *d, struct auditref_self *me)
{
	*me = (struct auditref_self){ .dir = AUDITREF_DIR,
				      .key = d->cfg.audit_key, .pid = d->self };
	if (procfs_stat_start("/proc", d->self, &me->start) < 0)
		me->start = 0;
}

/* enabled and backlog_limit are host-wide (auditref.h): under the lock,
 * the original values come from the other runs' files (live, or crashed:
 * then restored at our exit rather than what the crash left), else from
 * the kernel now; then set up and record our reference.  Best effort
 * without the directory: behaviour is then as for a single run.  0,
 * -EBUSY when a live run already uses our key (setting up would delete
 * its rules), or -errno from audit_ctl_setup. */
static int audit_share_setup(struct daemon *d, const struct audit_setup *as,
			     struct audit_diag *diag, pid_t *busy)
{
	struct auditref_self me;
	struct auditref_view v = { 0 };
	struct audit_status st = { 0 };
	int lock, r;

	*busy = 0;
	audit_ref_self(d, &me);
	lock = auditref_lock(me.dir);
	(void)auditref_scan(&me, "/proc", &v);
	if (v.same_key_pid) {
		*busy = v.same_key_pid;
		r = -EBUSY;
		goto out;
	}
	if (v.have_orig)
		audit_ctl_recover(d->actl, v.enabled, v.backlog_limit);
	else if (audit_ctl_status(d->actl, &st) == 0)
		v = (struct auditref_view){ .enabled = st.enabled,
					    .backlog_limit = st.backlog_limit };
	if ((r = audit_ctl_setup(d->actl, as, diag)) < 0)
		goto out;
	if (lock >= 0)
		(void)auditref_save(&me, v.enabled, v.backlog_limit);
out:
	auditref_unlock(lock);
	return r;
}

/* Our rules go in any case; enabled and backlog_limit are restored only
 * by the last live run out.  Our file goes once that is done. */
static void audit_share_teardown(struct daemon *d)
{
	struct auditref_self me;
	struct auditref_view v;
	int lock;

	audit_ref_self(d, &me);
	lock = auditref_lock(me.dir);
	if (auditref_scan(&me, "/proc", &v) == 0 && v.live > 0) {
		audit_ctl_keep_settings(d->actl);
		fprintf(stderr, "tattled: audit enable and backlog left as they "
			"are: %u other tattled run%s still use%s them\n", v.live,
			v.live == 1 ? "" : "s", v.live == 1 ? "s" : "");
	}
	if (audit_ctl_teardown(d->actl) < 0)
		fprintf(stderr, "tattled: could not restore all audit settings\n");
	else
		(void)auditref_drop(&me);
	auditref_unlock(lock);
}

/* Audit is optional: without it attribution falls back to /proc scans,
 * and the reason is reported, never silent. */
static void setup_audit(struct daemon *d)
{
	struct audit_setup as = { .key = d->cfg.audit_key, .own_pid = d->self,
				  .with_execve = d->cfg.audit_execve,
				  .backlog_limit = d->cfg.audit_backlog };
	struct aurec_asm_opts ao = { .max_inflight = 64, .timeout_ms = 2000,
				     .on_event = verdict_audit_event, .data = d };
	struct audit_diag diag;
	struct audit_status st;
	char msg[AUDIT_DIAG_LEN + 64];
	unsigned i;
	pid_t busy;
	int r;

	audit_diag_clear(&diag);
	d->actl = audit_ctl_open();
	if (!d->actl) {
		snprintf(msg, sizeof(msg), "audit control unavailable: %s; "
			 "attribution falls back to /proc", strerror(errno));
		daemon_warning(d, "audit-unavailable", msg, NULL);
		return;
	}
	if ((r = audit_share_setup(d, &as, &diag, &busy)) < 0) {
		if (busy)
			snprintf(msg, sizeof(msg), "audit key \"%s\" is in use "
				 "by another tattled (pid %ld): give each its "
				 "own audit_key; attribution falls back to /proc",
				 d->cfg.audit_key, (long)busy);
		else
			snprintf(msg, sizeof(msg), "audit rules: %s; attribution "
				 "falls back to /proc", strerror(-r));
		daemon_warning(d, "audit-unavailable", msg, NULL);
		audit_ctl_close(d->actl);
		d->actl = NULL;
		return;
	}
	for (i = 0; i < diag.n; i++)
		daemon_warning(d, "audit-config", diag.msg[i], NULL);
	if (audit_ctl_status(d->actl, &st) == 0)
		d->loss.kernel_lost = st.lost;	/* report only new loss */
	d->amc = audit_mc_open(0);
	d->asm_ = aurec_asm_new(&ao);
	if (!d->amc || !d->asm_) {
		snprintf(msg, sizeof(msg), "audit multicast: %s; attribution "
			 "falls back to /proc", strerror(errno));
		daemon_warning(d, "audit-unavailable", msg, NULL);
		audit_mc_close(d->amc);
		d->amc = NULL;
	}
}

/* eBPF first: when it is active, audit adds no syscall rules unless asked
 * (audit_with_bpf), because those rules tax every process on the host.
 * Loading needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN; privs_drop() later
 * removes the first two, and lookups need none. */
static void setup_bpf(struct daemon *d)
{
	struct bpfsrc_config bc = { .flows = d->cfg.bpf_flows,
				    .sockets = d->cfg.bpf_sockets,
				    .execs = d->cfg.bpf_execs };
	char why[BPFSRC_WHY_LEN], msg[BPFSRC_WHY_LEN + 96];
	struct bpfsrc_stats bs;

	if (d->cfg.no_bpf)
		return;
	if (bpfsrc_open(&bc, &d->bpf, why, sizeof(why)) < 0) {
		snprintf(msg, sizeof(msg), "eBPF attribution unavailable: %s; "
			 "the audit and /proc path carries on alone", why);
		daemon_warning(d, "bpf-unavailable", msg, NULL);
		return;
	}
	bpfsrc_get_stats(d->bpf, &bs);
	if (!bs.exec)
		daemon_warning(d, "bpf-exec-unavailable", "eBPF exec tracking "
			       "refused by the kernel: exited processes' paths "
			       "come from the cache only", NULL);
}

/* Inside the target namespace: sock_diag, the cache, the worker, the join. */
static int setup_attrib(struct daemon *d)
{
	struct pidcache_config pcc = { .max_procs = d->cfg.pidcache_max,
				       .ttl_ms = d->cfg.process_ttl_ms,
				       .grace_ms = d->cfg.grace_ms };
	struct attrib_opts ao = { .self = d->self, .forward = d->cfg.forward };
	struct worker_config wc = { 0 };
	char cgmnt[PATH_MAX];
	int r;

	/* eBPF records name the sender's cgroup by id: the worker walks the
	 * cgroup2 mount for its path, the loop keeps the answers. */
	if (d->bpf) {
		if ((r = procfs_cgroup2_mount("/proc", cgmnt, sizeof(cgmnt))) == 0)
			wc.cgroup_mnt = cgmnt;
		else
			fprintf(stderr, "tattled: no cgroup2 mount found (%s): "
				"cgroups come from /proc only\n", strerror(-r));
	}
	d->sd = d->cfg.no_sockdiag ? NULL : sockdiag_open();
	if (!d->sd)
		daemon_warning(d, "sockdiag-unavailable",
			       "sock_diag unavailable: finding sockets in "
			       "/proc/net on the worker thread (slower)", NULL);
	d->pc = pidcache_new(&pcc);
	d->worker = worker_new(&wc);
	d->dns = dns_cache_new(DAEMON_DNS_CACHE);
	d->facts = factcache_new(FACTCACHE_USERS, FACTCACHE_ENVS,
				 FACTCACHE_TTL_MS);
	if (!d->pc || !d->worker || !d->dns || !d->facts)
		return -errno;
	if (wc.cgroup_mnt && !(d->cgc = cgroup_cache_new(cgmnt, 0)))
		return -errno;
	d->attrib = attrib_new(&ao, d->sd, d->pc);
	if (!d->attrib)
		return -errno;
	d->bj = (struct bpfjoin_ctx){ .pc = d->pc, .bpf = d->bpf, .cg = d->cgc,
				      .hz = sysconf(_SC_CLK_TCK) };
	if (d->bpf && (r = bpfsrc_netns_cookie(&d->netns_cookie)) < 0) {
		fprintf(stderr, "tattled: network namespace cookie: %s\n",
			strerror(-r));
		return r;
	}
	if ((r = loop_add(d->loop, worker_fd(d->worker), EPOLLIN,
			  verdict_on_worker, d)) < 0)
		return r;
	if (d->amc && (r = loop_add(d->loop, audit_mc_fd(d->amc), EPOLLIN,
				    verdict_on_audit, d)) < 0)
		return r;
	return 0;
}

/* The control socket, after the rules (commands edit d->rules). */
static int setup_control(struct daemon *d)
{
	d->prompts = prompts_new(PROMPTS_DEFAULT_CAP, d->cfg.prompt_timeout_ms);
	if (!d->prompts)
		return -ENOMEM;
	prompts_set_quotas(d->prompts, PROMPTING_PER_UID, PROMPTING_PER_EXE);
	if (d->cfg.event_rate_per_exe &&
	    !(d->fold = fold_new(d->cfg.event_rate_per_exe, 0)))
		return -ENOMEM;
	if (!d->cfg.socket_path[0])
		return 0;
	d->server = server_open(d->loop, d->cfg.socket_path, &control_server_ops, d);
	if (!d->server) {
		int r = -errno;

		fprintf(stderr, "tattled: --socket %s: %s\n", d->cfg.socket_path,
			strerror(-r));
		return r;
	}
	return 0;
}

/* After every batch of callbacks, before the loop waits again: write out
 * the events they emitted and arm the timer for the deadlines they set,
 * once, instead of at the end of every callback. */
static void before_sleep(struct loop *l, void *data)
{
	struct daemon *d = data;

	(void)l;
	verdict_submit_scans(d);
	emit_flush(d);
	verdict_arm_timer(d);
}

/* Order matters: host-only sockets (audit) first, then the namespace, then
 * everything that must live inside it (queue, firewall, sock_diag). */
static int daemon_setup(struct daemon *d)
{
	struct firewall_opts fo = { .queue = d->cfg.queue,
				    .fail_closed = d->cfg.fail_closed,
				    .forward = d->cfg.forward };
	char err[256];
	int r;

	daemon_host(d);
	if ((r = daemon_run_id(d)) < 0) {
		fprintf(stderr, "tattled: run id: %s\n", strerror(-r));
		return r;
	}
	if ((r = open_sinks(d)) < 0)
		return r;
	d->loop = loop_new(256);
	d->pending = pending_new(d->cfg.pending_max,
				 d->cfg.pending_max / DAEMON_PENDING_UID_SHARE ?
				 d->cfg.pending_max / DAEMON_PENDING_UID_SHARE : 1);
	d->stats = stats_new(loop_now_ms());
	if (!d->loop || !d->pending || !d->stats)
		return -ENOMEM;
	if (d->sinks)
		logsinks_attach(d->sinks, d->loop);
	/* The run's first event says which run this is. */
	housekeeping_stats_event(d, loop_now_ms());
	if ((r = setup_signals(d)) < 0)
		return r;
	setup_bpf(d);
	if (!d->cfg.no_audit && (!d->bpf || d->cfg.audit_with_bpf))
		setup_audit(d);
	if (d->cfg.netns[0] && (r = enter_netns(d->cfg.netns)) < 0) {
		fprintf(stderr, "tattled: --netns %s: %s\n", d->cfg.netns, strerror(-r));
		return r;
	}
	if ((r = policy_open(d)) < 0)
		return r;
	if ((r = setup_control(d)) < 0)
		return r;
	/* Before setup_attrib starts the worker thread: caps are per thread. */
	if ((r = privs_drop(&(struct privs_opts){ .firewall = !d->cfg.no_firewall,
						  .audit = d->actl != NULL })) < 0) {
		fprintf(stderr, "tattled: dropping capabilities: %s\n", strerror(-r));
		return r;
	}
	if ((r = setup_attrib(d)) < 0) {
		fprintf(stderr, "tattled: attribution setup: %s\n", strerror(-r));
		return r;
	}
	d->q = nfqueue_open(d->cfg.queue, d->cfg.queue_maxlen);
	if (!d->q) {
		r = -errno;
		fprintf(stderr, "tattled: queue %u: %s%s\n", d->cfg.queue, strerror(-r),
			r == -EBUSY ? " (another program owns this queue)" : "");
		return r;
	}
	if ((r = loop_add(d->loop, nfqueue_fd(d->q), EPOLLIN,
			  verdict_on_queue, d)) < 0)
		return r;
	if (!d->cfg.no_firewall) {
		if ((r = firewall_install(&fo, &d->fw, err, sizeof(err))) < 0) {
			fprintf(stderr, "tattled: firewall: %s\n", err[0] ? err : strerror(-r));
			return r;
		}
		d->firewall_installed = true;
	}
	d->next_tick_ms = loop_now_ms() + DAEMON_TICK_MS;
	loop_before_sleep(d->loop, before_sleep, d);
	{
		struct privs_state ps = { 0 };
		char caps[256] = "?";

		if (privs_get(&ps) == 0)
			(void)privs_format(ps.effective, caps, sizeof(caps));
		fprintf(stderr, "tattled %s: queue %u, firewall %s%s, default %s, "
			"audit %s, attribution %s%s%s, capabilities %s\n",
			TATTLE_VERSION, d->cfg.queue, firewall_backend_name(d->fw),
			d->cfg.fail_closed ? " (fail-closed)" : " (bypass when down)",
			action_name(d->cfg.default_action), d->amc ? "on" : "off",
			d->bpf ? "bpf, " : "", d->sd ? "sock_diag" : "/proc/net",
			d->amc ? ", audit, proc-scan" : ", proc-scan", caps);
	}
	return 0;
}

/* systemd's watchdog (WatchdogSec= in the unit): pinged from the tick. */
static void setup_watchdog(struct daemon *d, uint64_t now_ms)
{
	if (notify_watchdog_parse(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"),
				  d->self, &d->watchdog_ms) < 0)
		fprintf(stderr, "tattled: WATCHDOG_USEC=%s: not a number of "
			"microseconds; watchdog off\n", getenv("WATCHDOG_USEC"));
	if (d->watchdog_ms && d->watchdog_ms < DAEMON_TICK_MS)
		fprintf(stderr, "tattled: watchdog interval below %u ms: the "
			"%u ms tick will be late for it\n", 2 * DAEMON_TICK_MS,
			DAEMON_TICK_MS);
	d->next_watchdog_ms = now_ms;
}

/* One summary on stderr at exit: what an admin checks first. */
static void daemon_summary(struct daemon *d)
{
	struct attrib_stats as = { 0 };
	struct audit_mc_stats ms = { 0 };
	struct aurec_stats rs = { 0 };
	char src[256];
	size_t off = 0;
	unsigned i;

	if (d->attrib)
		attrib_get_stats(d->attrib, &as);
	as.by_source[ATTRIB_SRC_BPF] = d->st.bpf_attributed;
	if (d->amc)
		(void)audit_mc_stats(d->amc, &ms);
	if (d->asm_)
		aurec_asm_stats(d->asm_, &rs);
	src[0] = '\0';
	for (i = 1; i <= ATTRIB_SRC_COUNT && off < sizeof(src); i++) {
		enum attrib_source s = i % ATTRIB_SRC_COUNT;	/* "none" last */
		int n = snprintf(src + off, sizeof(src) - off, "%s%s %llu",
				 off ? ", " : "", attrib_source_name(s),
				 (unsigned long long)as.by_source[s]);

		if (n > 0)
			off += (size_t)n;
	}
	fprintf(stderr, "tattled: packets %llu (malformed %llu): allowed %llu, "
		"denied %llu, rejected %llu; attribution %s "
		"(ambiguous %llu, contested %llu, by record order %llu, "
		"withheld after audit loss "
		"%llu, bpf and audit disagreed %llu); audit records %llu, "
		"events %llu, joined %llu, lost %llu\n",
		(unsigned long long)d->st.packets, (unsigned long long)d->st.malformed,
		(unsigned long long)d->st.allowed, (unsigned long long)d->st.denied,
		(unsigned long long)d->st.rejected, src,
		(unsigned long long)as.ambiguous,
		(unsigned long long)as.contested,
		(unsigned long long)as.ordered,
		(unsigned long long)as.loss_withheld,
		(unsigned long long)d->st.bpf_disagree,
		(unsigned long long)ms.records, (unsigned long long)rs.events,
		(unsigned long long)as.audit_events, (unsigned long long)rs.lost);
}

/* The last events out, then one line per --log-events sink. */
static void sinks_summary(struct daemon *d)
{
	struct logsink_stats ls;
	unsigned i;

	emit_flush(d);
	(void)logsinks_drain(d->sinks, DAEMON_DRAIN_SINKS_MS);
	for (i = 0; logsinks_get_stats(d->sinks, i, &ls) == 0; i++)
		fprintf(stderr, "tattled: log %s sent %llu, dropped %llu, "
			"queued %llu, reconnects %llu, deferred %llu\n", ls.spec,
			(unsigned long long)ls.written,
			(unsigned long long)ls.dropped,
			(unsigned long long)ls.queued,
			(unsigned long long)ls.reconnects,
			(unsigned long long)ls.deferred);
}

static void daemon_teardown(struct daemon *d)
{
	daemon_summary(d);
	/* Chains first, so no new packet is queued to a reader that is
	 * going away; then decide what is still held. */
	if (d->firewall_installed && firewall_remove() < 0)
		fprintf(stderr, "tattled: could not remove all firewall chains\n");
	/* No prompter may hold what the flush decides. */
	server_close(d->server);
	d->server = NULL;
	control_free(d);
	if (d->q && d->pending)
		verdict_flush_all(d);
	/* Every folded decision is in a summary line before the sinks drain. */
	if (d->fold)
		fold_flush(d->fold, loop_now_ms(), 1, verdict_fold_summary, d);
	fold_free(d->fold);
	d->fold = NULL;
	sinks_summary(d);
	prompts_free(d->prompts);
	stats_free(d->stats);
	if (d->actl)
		audit_share_teardown(d);
	audit_ctl_close(d->actl);
	audit_mc_close(d->amc);
	aurec_asm_free(d->asm_);
	logsinks_close(d->sinks);
	d->sinks = NULL;
	bpfsrc_close(d->bpf);
	nfqueue_close(d->q);
	policy_close(d);
	worker_free(d->worker);
	cgroup_cache_free(d->cgc);
	attrib_free(d->attrib);
	pidcache_free(d->pc);
	dns_cache_free(d->dns);
	factcache_free(d->facts);
	sockdiag_close(d->sd);
	pending_free(d->pending);
	if (d->sigfd > 0)
		close(d->sigfd);
	loop_free(d->loop);
}

int main(int argc, char **argv)
{
	struct daemon d;
	enum config_cmd cmd;
	char err[512];
	int r;

	memset(&d, 0, sizeof(d));
	d.sigfd = -1;
	d.self = getpid();
	config_defaults(&d.cfg);
	if (config_parse(&d.cfg, argc, argv, &cmd, err, sizeof(err)) < 0) {
		fprintf(stderr, "tattled: %s\n", err);
		config_usage(stderr);
		return 2;
	}
	switch (cmd) {
	case CONFIG_HELP:
		config_usage(stdout);
		return 0;
	case CONFIG_VERSION:
		printf("tattled %s\n", TATTLE_VERSION);
		return 0;
	case CONFIG_CHECK_RULES:
		r = rules_check_dir(d.cfg.check_rules, stdout, stderr);
		if (r < 0) {
			fprintf(stderr, "tattled: --check-rules %s: %s\n",
				d.cfg.check_rules, strerror(-r));
			return 2;
		}
		return r > 0 ? 1 : 0;
	default:
		break;
	}
	r = daemon_setup(&d);
	if (r == 0)
		setup_watchdog(&d, loop_now_ms());
	if (r == 0)
		(void)notify_ready("queue %u, audit %s", d.cfg.queue, d.amc ? "on" : "off");
	if (r == 0 && (r = loop_run(d.loop)) < 0)
		fprintf(stderr, "tattled: loop: %s\n", strerror(-r));
	(void)notify_stopping();
	daemon_teardown(&d);
	return r < 0 ? 1 : d.exit_code;
}
