/* loadgen - load generator for scripts/bench.sh.  One line of key=value
 * results on stdout per run, so the script can parse it with read/awk.
 *
 * usage: loadgen tcp [-P THREADS] [-n COUNT | -d MS] [-t MS] ADDR PORT
 *          connect, then close with RST (no TIME_WAIT, so ports never run
 *          out); per-connection latency from socket() to established.
 *          -n: COUNT connections per thread; -d: run for MS milliseconds.
 *          prints: conns= fail= secs= cps= p50= p90= p99= max= (us)
 *        loadgen udp [-n COUNT] [-b BASEPORT] [-t MS] ADDR PORT
 *          COUNT times: a new socket bound to BASEPORT+i (a flow conntrack
 *          has never seen, so its first packet is queued), send one
 *          datagram, wait for the echo.  Latency from send to reply.
 *          prints: n= fail= p50= p90= p99= max= (us)
 *        loadgen spawn [-n COUNT] [-j PARALLEL] [-b BASEPORT] -o MAP ADDR PORT
 *          COUNT short-lived processes, at most PARALLEL at once, each an
 *          exec of this binary in oneshot mode bound to BASEPORT+i.  MAP
 *          gets one line per process: "PID PORT EXE STATUS".
 *          prints: n= ok= fail= secs= exe=
 *        loadgen oneshot [-b SRCPORT] [-t MS] ADDR PORT
 *          one TCP connect, send a byte, close; exit 0 on success.
 *        loadgen hold [-n COUNT] [-P THREADS] [-m MARK] ADDR PORT
 *          open COUNT established connections, print "held= fail=" and
 *          keep them until SIGTERM/SIGINT.  -m sets SO_MARK on each (the
 *          bench's rules let marked packets bypass the queue).
 *        loadgen sendto [-n COUNT] ADDR PORT
 *          one unconnected UDP socket, COUNT sendto() calls of one byte
 *          (the loop whose cost per call a host-wide hook adds to).
 *          PORT 0: to a socket of its own that never reads (a sink: no
 *          echo, no ICMP error per datagram).
 *          prints: n= fail= secs= ns_per_call=
 * Addresses are IPv4 or IPv6 literals. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LG_MAX_THREADS	64
#define LG_MAX_SAMPLES	(4u << 20)	/* per thread, duration runs */
#define LG_MAX_COUNT	1000000
#define LG_MAX_SPAWN	60000
/* Source ports for udp and spawn: above the namespace's ephemeral range
 * (bench.sh sets it), so no other socket ever holds one. */
#define LG_DEFAULT_BASEPORT	61000

struct lg_opts {
	struct sockaddr_storage dst;
	socklen_t dstlen;
	unsigned threads, count, duration_ms, timeout_ms, parallel;
	unsigned baseport;
	uint32_t mark;
	const char *map;
};

struct lg_samples {
	uint32_t *us;
	size_t n, cap;
	unsigned fail;
	int first_err;
};

struct lg_thread {
	pthread_t th;
	const struct lg_opts *o;
	struct lg_samples s;
	int *fds;	/* hold: the open connections */
	unsigned nfds;
};

static volatile sig_atomic_t lg_stop;

static void lg_on_signal(int sig)
{
	(void)sig;
	lg_stop = 1;
}

static uint64_t lg_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int lg_parse_addr(struct sockaddr_storage *ss, socklen_t *len,
			 const char *addr, const char *port)
{
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	memset(ss, 0, sizeof(*ss));
	if (*end || p > 65535)	/* 0: only sendto's sink (main checks) */
		return -EINVAL;
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1 ? 0 : -EINVAL;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		*len = sizeof(*s4);
		return inet_pton(AF_INET, addr, &s4->sin_addr) == 1 ? 0 : -EINVAL;
	}
}

/* Bind fd to the wildcard address of dst's family on port. */
static int lg_bind_port(int fd, int family, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		len = sizeof(*s4);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&ss, len) < 0 ? -errno : 0;
}

static int lg_wait(int fd, short ev, unsigned ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r = poll(&p, 1, (int)ms);

	return r == 1 ? 0 : r == 0 ? -ETIMEDOUT : -errno;
}

/* Connect with a timeout.  Returns the connected fd or -errno. */
static int lg_connect(const struct lg_opts *o, unsigned srcport)
{
	int fd, r, err = 0;
	socklen_t el = sizeof(err);

	fd = socket(o->dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (srcport && (r = lg_bind_port(fd, o->dst.ss_family, srcport)) < 0)
		goto fail;
	if (o->mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &o->mark,
				  sizeof(o->mark)) < 0) {
		r = -errno;
		goto fail;
	}
	if (connect(fd, (const struct sockaddr *)&o->dst, o->dstlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		r = -errno;
		goto fail;
	}
	if ((r = lg_wait(fd, POLLOUT, o->timeout_ms)) < 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
		r = err ? -err : -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

/* Close with RST: no TIME_WAIT, so a long run never exhausts ports. */
static void lg_close_rst(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static int lg_sample_add(struct lg_samples *s, uint64_t us)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		uint32_t *p;

		if (cap > LG_MAX_SAMPLES)
			return -ENOSPC;
		p = realloc(s->us, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->us = p;
		s->cap = cap;
	}
	s->us[s->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	return 0;
}

static void lg_sample_fail(struct lg_samples *s, int err)
{
	s->fail++;
	if (!s->first_err)
		s->first_err = -err;
}

static void *lg_tcp_thread(void *arg)
{
	struct lg_thread *t = arg;
	const struct lg_opts *o = t->o;
	uint64_t end = o->duration_ms ? lg_now_us() + o->duration_ms * 1000ull : 0;
	unsigned i;

	for (i = 0; !lg_stop; i++) {
		uint64_t t0 = lg_now_us();
		int fd;

		if (end ? t0 >= end : i >= o->count)
			break;
		fd = lg_connect(o, 0);
		if (fd < 0) {
			lg_sample_fail(&t->s, fd);
			continue;
		}
		if (lg_sample_add(&t->s, lg_now_us() - t0) < 0) {
			lg_close_rst(fd);
			break;
		}
		lg_close_rst(fd);
	}
	return NULL;
}

static int lg_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t lg_pct(const struct lg_samples *s, unsigned pct)
{
	size_t i;

	if (!s->n)
		return 0;
	i = (s->n * pct + 99) / 100;
	return s->us[i ? i - 1 : 0];
}

/* Merge every thread's samples into all, sorted. */
static int lg_merge(struct lg_thread *t, unsigned n, struct lg_samples *all)
{
	unsigned i;
	size_t k = 0, total = 0;

	memset(all, 0, sizeof(*all));
	for (i = 0; i < n; i++) {
		total += t[i].s.n;
		all->fail += t[i].s.fail;
		if (!all->first_err)
			all->first_err = t[i].s.first_err;
	}
	all->us = malloc((total ? total : 1) * sizeof(*all->us));
	if (!all->us)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (t[i].s.n)
			memcpy(all->us + k, t[i].s.us, t[i].s.n * sizeof(*all->us));
		k += t[i].s.n;
	}
	all->n = all->cap = total;
	qsort(all->us, all->n, sizeof(*all->us), lg_cmp_u32);
	return 0;
}

static void lg_print_pcts(const struct lg_samples *s)
{
	printf(" p50=%u p90=%u p99=%u max=%u",
	       lg_pct(s, 50), lg_pct(s, 90), lg_pct(s, 99), lg_pct(s, 100));
	if (s->fail)
		printf(" first_err=%s", strerrorname_np(s->first_err) ?: "?");
	printf("\n");
}

static int lg_run_threads(struct lg_opts *o, void *(*fn)(void *),
			  struct lg_thread *t)
{
	unsigned i;

	for (i = 0; i < o->threads; i++) {
		t[i].o = o;
		if (pthread_create(&t[i].th, NULL, fn, &t[i]) != 0) {
			fprintf(stderr, "loadgen: pthread_create failed\n");
			lg_stop = 1;
			o->threads = i;
			break;
		}
	}
	for (i = 0; i < o->threads; i++)
		pthread_join(t[i].th, NULL);
	return 0;
}

static int lg_cmd_tcp(struct lg_opts *o)
{
	struct lg_thread t[LG_MAX_THREADS];
	struct lg_samples all;
	uint64_t t0, el;
	unsigned i;

	memset(t, 0, sizeof(t));
	t0 = lg_now_us();
	lg_run_threads(o, lg_tcp_thread, t);
	el = lg_now_us() - t0;
	if (lg_merge(t, o->threads, &all) < 0)
		return 1;
	printf("conns=%zu fail=%u secs=%.3f cps=%.0f", all.n, all.fail,
	       (double)el / 1e6, el ? (double)all.n * 1e6 / (double)el : 0.0);
	lg_print_pcts(&all);
	for (i = 0; i < o->threads; i++)
		free(t[i].s.us);
	free(all.us);
	return all.fail ? 1 : 0;
}

/* One UDP first-packet round trip from srcport.  Latency or -errno. */
static int64_t lg_udp_once(const struct lg_opts *o, unsigned srcport)
{
	char buf[64];
	uint64_t t0;
	int fd, r;

	fd = socket(o->dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if ((r = lg_bind_port(fd, o->dst.ss_family, srcport)) < 0)
		goto out;
	t0 = lg_now_us();
	if (sendto(fd, "b", 1, 0, (const struct sockaddr *)&o->dst, o->dstlen) != 1) {
		r = -errno;
		goto out;
	}
	if ((r = lg_wait(fd, POLLIN, o->timeout_ms)) < 0)
		goto out;
	if (recv(fd, buf, sizeof(buf), 0) < 0) {
		r = -errno;
		goto out;
	}
	close(fd);
	return (int64_t)(lg_now_us() - t0);
out:
	close(fd);
	return r;
}

static int lg_cmd_udp(struct lg_opts *o)
{
	struct lg_samples s;
	unsigned i;
	int rc;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < o->count && !lg_stop; i++) {
		int64_t us = lg_udp_once(o, o->baseport + i);

		if (us < 0)
			lg_sample_fail(&s, (int)us);
		else if (lg_sample_add(&s, (uint64_t)us) < 0)
			break;
	}
	qsort(s.us, s.n, sizeof(*s.us), lg_cmp_u32);
	printf("n=%zu fail=%u", s.n, s.fail);
	lg_print_pcts(&s);
	rc = s.fail ? 1 : 0;
	free(s.us);
	return rc;
}

static int lg_cmd_sendto(struct lg_opts *o)
{
	int fd = socket(o->dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int sink = -1;
	unsigned i, fail = 0;
	uint64_t t0, t1;

	if (fd < 0)
		return 1;
	/* The sink: bound to ADDR port 0, then its port is the destination. */
	if (((struct sockaddr_in *)&o->dst)->sin_port == 0) {
		socklen_t l = o->dstlen;

		sink = socket(o->dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sink < 0 || bind(sink, (struct sockaddr *)&o->dst, o->dstlen) < 0 ||
		    getsockname(sink, (struct sockaddr *)&o->dst, &l) < 0)
			return 1;
	}
	t0 = lg_now_us();
	for (i = 0; i < o->count && !lg_stop; i++)
		if (sendto(fd, "s", 1, 0, (const struct sockaddr *)&o->dst,
			   o->dstlen) != 1)
			fail++;
	t1 = lg_now_us();
	close(fd);
	if (sink >= 0)
		close(sink);
	printf("n=%u fail=%u secs=%.3f ns_per_call=%.0f\n", i, fail,
	       (double)(t1 - t0) / 1e6, i ? (double)(t1 - t0) * 1000.0 / i : 0.0);
	return fail ? 1 : 0;
}

static int lg_cmd_oneshot(const struct lg_opts *o)
{
	int fd = lg_connect(o, o->baseport);

	if (fd < 0)
		return 1;
	(void)!send(fd, "x", 1, MSG_NOSIGNAL);
	lg_close_rst(fd);
	return 0;
}

struct lg_child {
	pid_t pid;
	unsigned port;
	int status;
};

/* Fork and exec "EXE oneshot -b PORT -t MS ADDR PORT". */
static pid_t lg_spawn_one(const char *exe, const char *addr, const char *port,
			  unsigned srcport, unsigned timeout_ms)
{
	char sp[16], tm[16];
	pid_t pid;

	snprintf(sp, sizeof(sp), "%u", srcport);
	snprintf(tm, sizeof(tm), "%u", timeout_ms);
	pid = fork();
	if (pid == 0) {
		char *const argv[] = { "loadgen", "oneshot", "-b", sp, "-t", tm,
				       (char *)addr, (char *)port, NULL };

		execv(exe, argv);
		_exit(127);
	}
	return pid;
}

/* Reap one child and record its status.  Returns how many were reaped. */
static unsigned lg_reap(struct lg_child *c, unsigned n)
{
	int st;
	unsigned i;
	pid_t pid = waitpid(-1, &st, 0);

	if (pid < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (c[i].pid == pid) {
			c[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
			break;
		}
	}
	return 1;
}

static int lg_write_map(const char *path, const struct lg_child *c, unsigned n,
			const char *exe)
{
	FILE *f = fopen(path, "we");
	unsigned i;

	if (!f)
		return -errno;
	for (i = 0; i < n; i++)
		fprintf(f, "%d %u %s %d\n", (int)c[i].pid, c[i].port, exe, c[i].status);
	return fclose(f) == 0 ? 0 : -errno;
}

static int lg_cmd_spawn(const struct lg_opts *o, const char *addr, const char *port)
{
	char exe[PATH_MAX];
	struct lg_child *c;
	unsigned i, running = 0, ok = 0;
	uint64_t t0, el;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0 || !o->map)
		return 2;
	exe[n] = '\0';
	c = calloc(o->count, sizeof(*c));
	if (!c)
		return 1;
	t0 = lg_now_us();
	for (i = 0; i < o->count && !lg_stop; i++) {
		if (running >= o->parallel)
			running -= lg_reap(c, i);
		c[i].port = o->baseport + i;
		c[i].status = -1;
		c[i].pid = lg_spawn_one(exe, addr, port, c[i].port, o->timeout_ms);
		if (c[i].pid > 0)
			running++;
	}
	while (running && lg_reap(c, i))
		running--;
	el = lg_now_us() - t0;
	for (i = 0; i < o->count; i++)
		ok += c[i].status == 0;
	printf("n=%u ok=%u fail=%u secs=%.3f exe=%s\n", o->count, ok,
	       o->count - ok, (double)el / 1e6, exe);
	if (lg_write_map(o->map, c, o->count, exe) < 0)
		fprintf(stderr, "loadgen: %s: %s\n", o->map, strerror(errno));
	free(c);
	return ok == o->count ? 0 : 1;
}

static void *lg_hold_thread(void *arg)
{
	struct lg_thread *t = arg;
	unsigned i;

	for (i = 0; i < t->nfds && !lg_stop; i++) {
		int fd = lg_connect(t->o, 0);

		if (fd < 0) {
			lg_sample_fail(&t->s, fd);
			t->fds[i] = -1;
			continue;
		}
		t->fds[i] = fd;
	}
	return NULL;
}

static int lg_cmd_hold(struct lg_opts *o)
{
	struct lg_thread t[LG_MAX_THREADS];
	unsigned i, j, held = 0, fail = 0;
	sigset_t none;

	memset(t, 0, sizeof(t));
	for (i = 0; i < o->threads; i++) {
		t[i].nfds = o->count / o->threads + (i < o->count % o->threads);
		t[i].fds = calloc(t[i].nfds ? t[i].nfds : 1, sizeof(int));
		if (!t[i].fds)
			return 1;
	}
	lg_run_threads(o, lg_hold_thread, t);
	for (i = 0; i < o->threads; i++) {
		fail += t[i].s.fail;
		for (j = 0; j < t[i].nfds; j++)
			held += t[i].fds[j] >= 0;
	}
	printf("held=%u fail=%u\n", held, fail);
	fflush(stdout);
	sigemptyset(&none);
	while (!lg_stop)
		sigsuspend(&none);
	for (i = 0; i < o->threads; i++) {
		for (j = 0; j < t[i].nfds; j++)
			if (t[i].fds[j] >= 0)
				lg_close_rst(t[i].fds[j]);
		free(t[i].fds);
	}
	return 0;
}

static int lg_getopts(int argc, char **argv, struct lg_opts *o)
{
	int opt;

	while ((opt = getopt(argc, argv, "P:n:d:t:j:b:o:m:")) != -1) {
		unsigned long v = optarg ? strtoul(optarg, NULL, 0) : 0;

		switch (opt) {
		case 'P': o->threads = (unsigned)v; break;
		case 'n': o->count = (unsigned)v; break;
		case 'd': o->duration_ms = (unsigned)v; break;
		case 't': o->timeout_ms = (unsigned)v; break;
		case 'j': o->parallel = (unsigned)v; break;
		case 'b': o->baseport = (unsigned)v; break;
		case 'o': o->map = optarg; break;
		case 'm': o->mark = (uint32_t)v; break;
		default: return -EINVAL;
		}
	}
	if (optind + 2 != argc || o->threads < 1 || o->threads > LG_MAX_THREADS ||
	    o->count < 1 || o->count > LG_MAX_COUNT || o->parallel < 1 ||
	    o->baseport > 65535 || o->timeout_ms < 1)
		return -EINVAL;
	return lg_parse_addr(&o->dst, &o->dstlen, argv[optind], argv[optind + 1]);
}

static void lg_setup_process(void)
{
	struct sigaction sa = { .sa_handler = lg_on_signal };
	struct rlimit rl = { 1 << 17, 1 << 17 };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	struct lg_opts o = { .threads = 1, .count = 1000, .timeout_ms = 3000,
			     .parallel = 1 };
	const char *cmd = argc > 1 ? argv[1] : "";

	if (argc < 2)
		goto usage;
	argc--, argv++;
	if (lg_getopts(argc, argv, &o) < 0)
		goto usage;
	if (((struct sockaddr_in *)&o.dst)->sin_port == 0 &&
	    strcmp(cmd, "sendto") != 0)
		goto usage;
	if (strcmp(cmd, "oneshot") == 0)
		return lg_cmd_oneshot(&o);
	lg_setup_process();
	if (!o.baseport)
		o.baseport = LG_DEFAULT_BASEPORT;
	if (strcmp(cmd, "tcp") == 0)
		return lg_cmd_tcp(&o);
	if (strcmp(cmd, "udp") == 0)
		return o.baseport + o.count > 65536 ? 2 : lg_cmd_udp(&o);
	if (strcmp(cmd, "hold") == 0)
		return lg_cmd_hold(&o);
	if (strcmp(cmd, "sendto") == 0)
		return lg_cmd_sendto(&o);
	if (strcmp(cmd, "spawn") == 0 && o.count <= LG_MAX_SPAWN &&
	    o.baseport + o.count <= 65536)
		return lg_cmd_spawn(&o, argv[optind], argv[optind + 1]);
usage:
	fprintf(stderr,
		"usage: loadgen tcp [-P THREADS] [-n COUNT | -d MS] [-t MS] ADDR PORT\n"
		"       loadgen udp [-n COUNT] [-b BASEPORT] [-t MS] ADDR PORT\n"
		"       loadgen spawn [-n COUNT] [-j PARALLEL] [-b BASEPORT] -o MAP ADDR PORT\n"
		"       loadgen oneshot [-b SRCPORT] [-t MS] ADDR PORT\n"
		"       loadgen hold [-n COUNT] [-P THREADS] [-m MARK] ADDR PORT\n"
		"       loadgen sendto [-n COUNT] ADDR PORT\n");
	return 2;
}
