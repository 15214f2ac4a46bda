/* tconnect - test client: make connections and report them.
 * usage: tconnect [-u|-U] [-c COUNT] [-t TIMEOUT_MS] [-n] [-H] [-l] [-q]
 *                 ADDR PORT
 *   default  TCP connect, send one byte, close
 *   -u       connected UDP: connect, send, wait for the echo
 *   -U       unconnected UDP: sendto (fire and forget unless -w)
 *   -w       with -U: wait for the echo
 *   -c N     N connections from this one process
 *   -n       non-blocking TCP connect, then exit at once (SYN in flight)
 *   -H       hold the connections open until killed
 *   -l       print each connection's latency in microseconds
 *   -P N     N connections in parallel threads (each of -c)
 *   -L       print each connection's local port ("local PORT")
 *   -T TAG   ignored: lets a test tell its processes apart by cmdline 
 * Prints "<pid> ok <n>" or "<pid> fail <n_failed> <first errno name>".
 * Exit 0 when every connection succeeded, 1 otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
	int mode;		/* 't', 'u', 'U' */
	int count, timeout_ms, nonblock_exit, hold, latency, wait_echo, lport;
	struct sockaddr_storage ss;
	socklen_t sl;
};

struct result {
	int ok, failed, first_err;
	int *held;
	int nheld;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r = poll(&p, 1, ms);

	return r == 1 ? 0 : r == 0 ? -ETIMEDOUT : -errno;
}

static void print_lport(const struct opts *o, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (!o->lport || getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	printf("local %u\n", ntohs(ss.ss_family == AF_INET6 ?
				 ((struct sockaddr_in6 *)&ss)->sin6_port :
				 ((struct sockaddr_in *)&ss)->sin_port));
}

static int one_tcp(const struct opts *o, int *keep)
{
	int fd, err = 0, r;
	socklen_t el = sizeof(err);

	fd = socket(o->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)&o->ss, o->sl);
	if (r < 0 && errno != EINPROGRESS) {
		r = -errno;
		goto out;
	}
	print_lport(o, fd);
	if (o->nonblock_exit) {
		fflush(stdout);
		_exit(0);
	}
	if (r < 0) {
		if ((r = wait_fd(fd, POLLOUT, o->timeout_ms)) < 0)
			goto out;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			r = -err;
			goto out;
		}
	}
	r = send(fd, "x", 1, MSG_NOSIGNAL) == 1 ? 0 : -errno;
	if (r == 0 && o->hold) {
		*keep = fd;
		return 0;
	}
out:
	close(fd);
	return r;
}

static int one_udp(const struct opts *o)
{
	int fd, r;
	char buf[16];

	fd = socket(o->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (o->mode == 'u') {
		if (connect(fd, (const struct sockaddr *)&o->ss, o->sl) < 0) {
			r = -errno;
			goto out;
		}
		r = send(fd, "u", 1, 0) == 1 ? 0 : -errno;
	} else {
		r = sendto(fd, "U", 1, 0, (const struct sockaddr *)&o->ss, o->sl) == 1 ?
		    0 : -errno;
	}
	print_lport(o, fd);
	if (r < 0 || (o->mode == 'U' && !o->wait_echo))
		goto out;
	if ((r = wait_fd(fd, POLLIN, o->timeout_ms)) < 0)
		goto out;
	r = recv(fd, buf, sizeof(buf), 0) > 0 ? 0 : -errno;
out:
	close(fd);
	return r;
}

static void *run(void *arg)
{
	const struct opts *o = ((void **)arg)[0];
	struct result *res = ((void **)arg)[1];
	int i;

	for (i = 0; i < o->count; i++) {
		uint64_t t0 = now_us();
		int keep = -1;
		int r = o->mode == 't' ? one_tcp(o, &keep) : one_udp(o);

		if (r == 0) {
			res->ok++;
			if (keep >= 0)
				res->held[res->nheld++] = keep;
		} else {
			res->failed++;
			if (!res->first_err)
				res->first_err = -r;
		}
		if (o->latency)
			printf("lat %llu %d\n", (unsigned long long)(now_us() - t0), r);
	}
	return NULL;
}

static int parse_addr(struct opts *o, const char *a, const char *p)
{
	int port = atoi(p);

	memset(&o->ss, 0, sizeof(o->ss));
	if (strchr(a, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&o->ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		o->sl = sizeof(*s6);
		return inet_pton(AF_INET6, a, &s6->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&o->ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		o->sl = sizeof(*s4);
		return inet_pton(AF_INET, a, &s4->sin_addr) == 1 ? 0 : -1;
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .mode = 't', .count = 1, .timeout_ms = 3000 };
	struct rlimit rl = { 1 << 17, 1 << 17 };
	int opt, par = 1, i, ok = 0, failed = 0, first = 0, quiet = 0;
	pthread_t th[64];
	struct result res[64];
	void *args[64][2];

	while ((opt = getopt(argc, argv, "uUc:t:nHlwP:qLT:")) != -1) {
		switch (opt) {
		case 'u': case 'U': o.mode = opt; break;
		case 'c': o.count = atoi(optarg); break;
		case 't': o.timeout_ms = atoi(optarg); break;
		case 'n': o.nonblock_exit = 1; break;
		case 'H': o.hold = 1; break;
		case 'l': o.latency = 1; break;
		case 'w': o.wait_echo = 1; break;
		case 'q': quiet = 1; break;
		case 'L': o.lport = 1; break;
		case 'T': break;
		case 'P': par = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind + 2 != argc || par < 1 || par > 64 || o.count < 1 ||
	    parse_addr(&o, argv[optind], argv[optind + 1]) < 0)
		goto usage;
	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i < par; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		if (o.hold && !(res[i].held = calloc((size_t)o.count, sizeof(int))))
			return 1;
		args[i][0] = &o;
		args[i][1] = &res[i];
		pthread_create(&th[i], NULL, run, args[i]);
	}
	for (i = 0; i < par; i++) {
		pthread_join(th[i], NULL);
		ok += res[i].ok;
		failed += res[i].failed;
		if (!first)
			first = res[i].first_err;
	}
	if (!quiet || failed) {
		if (failed)
			printf("%d fail %d %s\n", (int)getpid(), failed, strerrorname_np(first));
		else
			printf("%d ok %d\n", (int)getpid(), ok);
	}
	fflush(stdout);
	if (o.hold)
		pause();
	return failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: tconnect [-u|-U] [-c N] [-t MS] [-n] [-H] [-l] [-w] [-P N] ADDR PORT\n");
	return 2;
}
