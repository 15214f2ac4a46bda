/* worker.c - the thread for blocking work (/proc scans, hashes, look-ups).  One mutex guards both rings and the
 * stats; the thread waits on `work`, a producer of results blocked on a
 * full result ring waits on `space`.  The loop is never blocked: submit
 * fails with -ENOSPC and results are announced through an eventfd. */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "filewrite.h"
#include "nssock.h"
#include "procnet.h"

/* Full scans queued back to back share one pass over /proc: a burst of
 * unattributed packets then costs one scan, not one each. */
#define WORKER_BATCH_MAX	16

struct batch {
	struct worker_req q[WORKER_BATCH_MAX];
	size_t n;
};

struct worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work;	/* a request arrived, or stop */
	pthread_cond_t space;	/* a result slot freed, or stop */
	bool stop;
	int efd;
	char *procroot;

	struct worker_req *req;
	size_t req_cap, req_head, req_len;
	struct worker_result *res;
	size_t res_cap, res_head, res_len;

	struct worker_stats st;
	struct batch batch;	/* the thread's own, not shared */
	struct hash_cache *hashes;	/* the thread's own */
	struct cgroup_cache *cgroups;	/* the thread's own; NULL: none */
};

static void wake_loop(struct worker *w)
{
	uint64_t one = 1;

	/* Only fails when the counter would overflow: still readable. */
	if (write(w->efd, &one, sizeof(one)) < 0)
		return;
}

/* Queue one result, waiting for room; on stop it is dropped. */
static void post(struct worker *w, struct worker_result *r)
{
	pthread_mutex_lock(&w->mu);
	while (w->res_len == w->res_cap && !w->stop)
		pthread_cond_wait(&w->space, &w->mu);
	if (w->stop) {
		pthread_mutex_unlock(&w->mu);
		proc_info_clear(&r->pi);
		free(r->env);
		r->env = NULL;
		return;
	}
	w->res[(w->res_head + w->res_len) % w->res_cap] = *r;
	w->res_len++;
	pthread_mutex_unlock(&w->mu);
	memset(&r->pi, 0, sizeof(r->pi));
	r->env = NULL;
	wake_loop(w);
}

/* An empty result answering request q. */
static void result_begin(struct worker_result *r, const struct worker_req *q)
{
	memset(r, 0, sizeof(*r));
	r->op = q->op;
	r->cookie = q->cookie;
}

/* One result per inode of a finished scan, with the owner's facts.  A
 * socket held by processes running different executables (inherited
 * across fork, one side exec'd) names none of them: -ENOTUNIQ. */
static void post_owners(struct worker *w, const struct worker_req *q,
			const pid_t *owners, const bool *mixed, int scan_err)
{
	struct worker_result r;
	size_t i;

	for (i = 0; i < q->n_inos; i++) {
		result_begin(&r, q);
		r.ino = q->inos[i];
		r.pid = owners[i];
		if (scan_err < 0)
			r.err = scan_err;
		else if (!owners[i])
			r.err = -ENOENT;
		else if (mixed[i])
			r.err = -ENOTUNIQ;
		else if (procfs_read_proc(w->procroot, owners[i], &r.pi) < 0)
			r.pi.pid = owners[i];	/* exited since: pid only */
		if (r.err)
			r.pid = 0;
		post(w, &r);
	}
}

static void pop_locked(struct worker *w, struct worker_req *out)
{
	*out = w->req[w->req_head];
	w->req_head = (w->req_head + 1) % w->req_cap;
	w->req_len--;
}

/* Takes the head request and, for a full scan, the full scans after it
 * while their inodes fit one pass.  Called with the lock held. */
static void take_batch_locked(struct worker *w, struct batch *b)
{
	const struct worker_req *next;
	size_t inos;

	pop_locked(w, &b->q[0]);
	b->n = 1;
	if (b->q[0].op != WORKER_SCAN_ALL)
		return;
	inos = b->q[0].n_inos;
	while (w->req_len && b->n < WORKER_BATCH_MAX) {
		next = &w->req[w->req_head];
		if (next->op != WORKER_SCAN_ALL ||
		    inos + next->n_inos > PROCFS_SCAN_MAX_INOS)
			break;
		inos += next->n_inos;
		pop_locked(w, &b->q[b->n++]);
	}
	w->st.coalesced += b->n - 1;
}

static void run_scan_all(struct worker *w, const struct batch *b)
{
	uint64_t inos[PROCFS_SCAN_MAX_INOS];
	pid_t owners[PROCFS_SCAN_MAX_INOS] = { 0 };
	bool mixed[PROCFS_SCAN_MAX_INOS] = { false };
	size_t i, n = 0, nprocs = 0, nfds = 0;
	int r;

	for (i = 0; i < b->n; i++) {
		memcpy(inos + n, b->q[i].inos, b->q[i].n_inos * sizeof(*inos));
		n += b->q[i].n_inos;
	}
	r = procfs_scan_all(w->procroot, inos, n, owners, mixed, &nprocs, &nfds);
	pthread_mutex_lock(&w->mu);
	w->st.scans_all++;
	w->st.procs_scanned += nprocs;
	w->st.fds_scanned += nfds;
	pthread_mutex_unlock(&w->mu);
	for (i = 0, n = 0; i < b->n; n += b->q[i].n_inos, i++)
		post_owners(w, &b->q[i], owners + n, mixed + n, r);
}

static void run_scan_pids(struct worker *w, const struct worker_req *q)
{
	pid_t owners[PROCFS_SCAN_MAX_INOS] = { 0 };
	bool mixed[PROCFS_SCAN_MAX_INOS] = { false };
	int r;

	r = procfs_scan_pids(w->procroot, q->pids, q->n_pids, q->inos,
			     q->n_inos, owners, mixed);
	pthread_mutex_lock(&w->mu);
	w->st.procs_scanned += q->n_pids;
	pthread_mutex_unlock(&w->mu);
	post_owners(w, q, owners, mixed, r);
}

static void run_read(struct worker *w, const struct worker_req *q)
{
	struct worker_result r;

	result_begin(&r, q);
	r.err = procfs_read_proc(w->procroot, q->pid, &r.pi);
	r.pid = r.err ? 0 : q->pid;
	post(w, &r);
}

/* /proc/net parsing costs milliseconds (tens with 10k sockets): here,
 * never on the loop. */
static void run_socket(struct worker *w, const struct worker_req *q)
{
	struct worker_result r;

	result_begin(&r, q);
	r.err = procnet_lookup(w->procroot, &q->flow, &r.sock);
	r.ino = r.err ? 0 : r.sock.inode;
	post(w, &r);
}

/* A forwarded packet's socket lives in the sender's namespace: its
 * tables are read here, one namespace after another. */
static void run_socket_ns(struct worker *w, const struct worker_req *q)
{
	struct nssock_result ns;
	struct worker_result r;

	result_begin(&r, q);
	r.err = nssock_lookup(w->procroot, &q->flow, q->pids, q->n_pids,
			      q->netns, true, &ns);
	if (r.err == 0) {
		r.sock = ns.sock;
		r.ino = ns.sock.inode;
		r.pid = ns.pid;
		r.netns = ns.netns;
	}
	post(w, &r);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reading a binary costs up to a second for a large one: here only. */
static void run_hash(struct worker *w, const struct worker_req *q)
{
	struct worker_result r;
	struct hash_stats hs;

	result_begin(&r, q);
	r.start_time = q->start_time;
	r.err = hash_cache_proc(w->hashes, w->procroot, q->pid, q->start_time,
				q->hash_which, mono_ms(), &r.hash);
	r.pid = q->pid;
	hash_cache_stats(w->hashes, &hs);
	pthread_mutex_lock(&w->mu);
	w->st.hash_hits = hs.hits;
	w->st.hash_computed = hs.computed;
	w->st.hash_failed = hs.failed;
	w->st.hash_bytes = hs.bytes;
	pthread_mutex_unlock(&w->mu);
	post(w, &r);
}

/* A walk of the cgroup2 mount visits up to CGROUP_WALK_MAX directories:
 * here only.  The path travels in r.pi.cgroup, freed with the result. */
static void run_cgroup(struct worker *w, const struct worker_req *q)
{
	char path[CGROUP_PATH_MAX];
	struct cgroup_cache_stats cs;
	struct worker_result r;

	result_begin(&r, q);
	r.cgroup_id = q->cgroup_id;
	r.err = cgroup_path_by_id(w->cgroups, q->cgroup_id, mono_ms(), path,
				  sizeof(path));
	if (r.err == 0 && !(r.pi.cgroup = strdup(path)))
		r.err = -ENOMEM;
	cgroup_cache_stats(w->cgroups, &cs);
	pthread_mutex_lock(&w->mu);
	w->st.cgroup_walks = cs.walks;
	w->st.cgroup_walked_dirs = cs.walked_dirs;
	pthread_mutex_unlock(&w->mu);
	post(w, &r);
}

/* The name of uid: NSS may be files, but also LDAP or sssd over the
 * network, so never on the loop.  "" when uid has no (short) name. */
static void lookup_user(uint32_t uid, char *out, size_t cap)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	out[0] = '\0';
	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) == 0 && res &&
	    strlen(res->pw_name) < cap)
		memcpy(out, res->pw_name, strlen(res->pw_name) + 1);
}

/* /proc/PID/environ reads the process's memory (its mmap lock): here. */
static void lookup_env(struct worker *w, const struct worker_req *q,
		       struct worker_result *r)
{
	size_t len = 0;
	char *buf = malloc(WORKER_ENV_MAX);

	if (buf && procfs_read_environ(w->procroot, q->pid, q->start_time, buf,
				       WORKER_ENV_MAX, &len) == 0) {
		r->env = buf;
		r->env_len = len;
		return;
	}
	free(buf);
}

static void run_lookup(struct worker *w, const struct worker_req *q)
{
	struct worker_result r;

	result_begin(&r, q);
	r.pid = q->pid;
	r.start_time = q->start_time;
	r.uid = q->uid;
	r.want_user = q->want_user;
	r.want_env = q->want_env;
	if (q->want_user)
		lookup_user(q->uid, r.user, sizeof(r.user));
	if (q->want_env)
		lookup_env(w, q, &r);
	post(w, &r);
}

/* A rule file: written (temporary file, fsync, rename, fsync of the
 * directory) or removed; a file already gone counts as removed. */
static void run_file(struct worker *w, struct worker_req *q)
{
	struct worker_result r;

	result_begin(&r, q);
	if (q->text)
		r.err = filewrite_atomic(q->path, q->text, q->text_len);
	else if (unlink(q->path) < 0 && errno != ENOENT)
		r.err = -errno;
	free(q->path);
	free(q->text);
	q->path = q->text = NULL;
	post(w, &r);
}

/* Run a batch taken off the queue: one request, or full scans sharing a
 * pass. */
static void run_batch(struct worker *w, struct batch *b)
{
	struct worker_req *q = &b->q[0];

	switch (q->op) {
	case WORKER_READ_PROC:
		run_read(w, q);
		break;
	case WORKER_SOCKET:
		run_socket(w, q);
		break;
	case WORKER_HASH:
		run_hash(w, q);
		break;
	case WORKER_SOCKET_NS:
		run_socket_ns(w, q);
		break;
	case WORKER_CGROUP:
		run_cgroup(w, q);
		break;
	case WORKER_LOOKUP:
		run_lookup(w, q);
		break;
	case WORKER_FILE:
		run_file(w, q);
		break;
	case WORKER_SCAN_PIDS:
		run_scan_pids(w, q);
		break;
	case WORKER_SCAN_ALL:
		run_scan_all(w, b);
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct batch *b = &w->batch;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		if (w->req_len == 0) {
			pthread_cond_wait(&w->work, &w->mu);
			continue;
		}
		take_batch_locked(w, b);
		pthread_mutex_unlock(&w->mu);
		run_batch(w, b);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Signals stay with the loop's signalfd: the thread blocks them all. */
static int start_thread(struct worker *w)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -r;
}

static void worker_destroy(struct worker *w)
{
	if (w->efd >= 0)
		close(w->efd);
	pthread_cond_destroy(&w->space);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->mu);
	free(w->req);
	free(w->res);
	free(w->procroot);
	hash_cache_free(w->hashes);
	cgroup_cache_free(w->cgroups);
	free(w);
}

struct worker *worker_new(const struct worker_config *cfg)
{
	struct worker *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return NULL;
	w->efd = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->space, NULL);
	w->req_cap = cfg && cfg->max_requests ? cfg->max_requests :
		     WORKER_MAX_REQUESTS;
	w->res_cap = cfg && cfg->max_results ? cfg->max_results :
		     WORKER_MAX_RESULTS;
	w->procroot = strdup(cfg && cfg->procroot ? cfg->procroot : "/proc");
	w->req = calloc(w->req_cap, sizeof(*w->req));
	w->res = calloc(w->res_cap, sizeof(*w->res));
	w->hashes = hash_cache_new(0);
	if (cfg && cfg->cgroup_mnt &&
	    !(w->cgroups = cgroup_cache_new(cfg->cgroup_mnt, 0))) {
		r = ENOMEM;
		goto fail;
	}
	if (!w->procroot || !w->req || !w->res || !w->hashes) {
		r = ENOMEM;
		goto fail;
	}
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		r = errno;
		goto fail;
	}
	if ((r = -start_thread(w)) != 0)
		goto fail;
	return w;
fail:
	worker_destroy(w);
	errno = r;
	return NULL;
}

void worker_free(struct worker *w)
{
	size_t i;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->work);
	pthread_cond_broadcast(&w->space);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	/* Requests never run: a rule file not written (its request was
	 * never answered either). */
	for (i = 0; i < w->req_len; i++) {
		struct worker_req *q = &w->req[(w->req_head + i) % w->req_cap];

		free(q->path);
		free(q->text);
	}
	for (i = 0; i < w->res_len; i++) {
		struct worker_result *r = &w->res[(w->res_head + i) % w->res_cap];

		proc_info_clear(&r->pi);
		free(r->env);
	}
	worker_destroy(w);
}

static bool req_valid(const struct worker_req *q)
{
	bool inos_ok = q->n_inos > 0 && q->n_inos <= PROCFS_SCAN_MAX_INOS;

	switch (q->op) {
	case WORKER_SCAN_PIDS:
		return inos_ok && q->n_pids > 0 && q->n_pids <= WORKER_MAX_PIDS;
	case WORKER_SCAN_ALL:
		return inos_ok;
	case WORKER_READ_PROC:
		return q->pid > 0;
	case WORKER_SOCKET:
		return q->flow.family != 0;
	case WORKER_HASH:
		return q->pid > 0 && (q->hash_which & (HASH_MD5 | HASH_SHA1));
	case WORKER_SOCKET_NS:
		return q->flow.family != 0 && q->n_pids <= WORKER_MAX_PIDS;
	case WORKER_CGROUP:
		return q->cgroup_id != 0;
	case WORKER_LOOKUP:
		return (q->want_user || q->want_env) &&
		       (!q->want_env || (q->pid > 0 && q->start_time));
	case WORKER_FILE:
		return q->path && q->path[0] == '/';
	}
	return false;
}

int worker_submit(struct worker *w, const struct worker_req *req)
{
	int r = 0;

	if (!req_valid(req))
		return -EINVAL;
	if (req->op == WORKER_CGROUP && !w->cgroups)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&w->mu);
	if (w->req_len == w->req_cap) {
		w->st.rejected++;
		r = -ENOSPC;
		goto out;
	}
	w->req[(w->req_head + w->req_len) % w->req_cap] = *req;
	w->req_len++;
	w->st.requests++;
	pthread_cond_signal(&w->work);
out:
	pthread_mutex_unlock(&w->mu);
	return r;
}

int worker_fd(const struct worker *w)
{
	return w->efd;
}

/* Pops one result; false when none. */
static bool take(struct worker *w, struct worker_result *out, bool *more)
{
	bool got = false;

	pthread_mutex_lock(&w->mu);
	if (w->res_len) {
		*out = w->res[w->res_head];
		w->res_head = (w->res_head + 1) % w->res_cap;
		w->res_len--;
		got = true;
		pthread_cond_signal(&w->space);
	}
	*more = w->res_len > 0;
	pthread_mutex_unlock(&w->mu);
	return got;
}

int worker_results(struct worker *w, worker_result_fn cb, void *data)
{
	struct worker_result r;
	uint64_t cnt;
	bool more = false;
	size_t n = 0;

	/* Reset before draining: a result posted meanwhile re-arms it. */
	if (read(w->efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return -errno;
	/* At most one ring's worth per call, so the loop is not starved. */
	while (n < w->res_cap && take(w, &r, &more)) {
		cb(&r, data);
		proc_info_clear(&r.pi);
		free(r.env);
		n++;
	}
	if (more)
		wake_loop(w);
	return (int)n;
}

void worker_get_stats(struct worker *w, struct worker_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->st;
	pthread_mutex_unlock(&w->mu);
}
