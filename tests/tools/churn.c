/* churn - one-shot flows for attribution churn tests.
 *
 * One-shot mode: make ONE flow and _exit at once, printing nothing, so the
 * process (and its socket) is gone by the time the packet is decided.
 *   churn -m CLASS [-s SPORT] ADDR PORT
 * Driver mode: fork and exec N one-shot children, K alive at a time,
 * alternating executables (exe i % nexe) and addresses
 * ((i / nexe) % naddr); the children stay silent, the driver (which makes
 * no flow itself) prints one line per child when it has been reaped:
 *   churn -D -m CLASS -n N -k K -e EXE [-e EXE...] -a ADDR [-a ADDR...]
 *         [-i INTERVAL_MS] [-s SPORT_BASE] PORT
 *   output: "<pid> <exe> <class> <addr> <port> <sport|0> <status>"
 *   status: the child's exit code (0: sent), or "sig<N>".
 * The pid printed is the pid that made the flow (fork then exec keeps it).
 *
 * CLASS: tcp      non-blocking connect (the SYN), exit
 *        udp      connect, send one datagram, exit
 *        ff       unconnected sendto, exit (fire and forget)
 *        ffmsg    unconnected sendmsg with msg_name, exit
 *        ffmmsg   unconnected sendmmsg of one message, exit
 * -s binds the source port (driver: SPORT_BASE + i) so a test can match
 * every flow, none included, by its 5-tuple; without it the kernel picks.
 * Exit: one-shot 0 sent, 1 socket error, 2 usage; driver 0 when every
 * child reported 0, 1 otherwise, 2 usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHURN_MAX_EXE 8
#define CHURN_MAX_ADDR 8
#define CHURN_MAX_LIVE 256

static const char *const classes[] = { "tcp", "udp", "ff", "ffmsg", "ffmmsg" };

struct peer {
	struct sockaddr_storage ss;
	socklen_t sl;
};

static int class_index(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strcmp(s, classes[i]) == 0)
			return (int)i;
	return -1;
}

static int parse_peer(const char *a, const char *p, struct peer *out)
{
	char *end;
	long port = strtol(p, &end, 10);

	memset(out, 0, sizeof(*out));
	if (*p == '\0' || *end != '\0' || port < 0 || port > 65535)
		return -EINVAL;
	if (strchr(a, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		out->sl = sizeof(*s6);
		return inet_pton(AF_INET6, a, &s6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	out->sl = sizeof(*s4);
	return inet_pton(AF_INET, a, &s4->sin_addr) == 1 ? 0 : -EINVAL;
}

/* Bind the wildcard address of the peer's family at SPORT. */
static int bind_sport(int fd, int family, int sport)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)sport);
		sl = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)sport);
		sl = sizeof(struct sockaddr_in);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&ss, sl) == 0 ? 0 : -errno;
}

static int send_unconnected(int fd, int cls, const struct peer *p)
{
	char byte = 'U';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct mmsghdr mm;

	if (cls == 2)
		return sendto(fd, &byte, 1, 0, (const struct sockaddr *)&p->ss,
			      p->sl) == 1 ? 0 : -errno;
	memset(&mm, 0, sizeof(mm));
	mm.msg_hdr.msg_name = (void *)&p->ss;
	mm.msg_hdr.msg_namelen = p->sl;
	mm.msg_hdr.msg_iov = &iov;
	mm.msg_hdr.msg_iovlen = 1;
	if (cls == 3)
		return sendmsg(fd, &mm.msg_hdr, 0) == 1 ? 0 : -errno;
	return sendmmsg(fd, &mm, 1, 0) == 1 ? 0 : -errno;
}

/* One flow of class CLS to P; never returns. */
static __attribute__((noreturn)) void one_shot(int cls, const struct peer *p, int sport)
{
	int fam = p->ss.ss_family, r = 0, fd;

	fd = socket(fam, (cls == 0 ? SOCK_STREAM | SOCK_NONBLOCK : SOCK_DGRAM) |
		    SOCK_CLOEXEC, 0);
	if (fd < 0)
		_exit(1);
	if (sport > 0 && bind_sport(fd, fam, sport) < 0)
		_exit(1);
	switch (cls) {
	case 0:
		if (connect(fd, (const struct sockaddr *)&p->ss, p->sl) < 0 &&
		    errno != EINPROGRESS)
			r = -errno;
		break;
	case 1:
		if (connect(fd, (const struct sockaddr *)&p->ss, p->sl) < 0)
			r = -errno;
		else if (send(fd, "u", 1, 0) != 1)
			r = -errno;
		break;
	default:
		r = send_unconnected(fd, cls, p);
		break;
	}
	_exit(r < 0 ? 1 : 0);
}

struct driver {
	const char *exe[CHURN_MAX_EXE];
	const char *addr[CHURN_MAX_ADDR];
	int nexe, naddr, n, k, interval_ms, sport_base;
	const char *cls, *port;
};

struct live {
	pid_t pid;
	int idx;
};

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Fork and exec flow IDX; returns the child's pid or -errno. */
static pid_t spawn(const struct driver *d, int idx)
{
	const char *exe = d->exe[idx % d->nexe];
	const char *addr = d->addr[(idx / d->nexe) % d->naddr];
	char sport[16];
	pid_t pid;

	snprintf(sport, sizeof(sport), "%d",
		 d->sport_base > 0 ? d->sport_base + idx : 0);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execl(exe, exe, "-m", d->cls, "-s", sport, addr, d->port,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void report(const struct driver *d, const struct live *l, int status)
{
	char st[16];

	if (WIFEXITED(status))
		snprintf(st, sizeof(st), "%d", WEXITSTATUS(status));
	else
		snprintf(st, sizeof(st), "sig%d", WTERMSIG(status));
	printf("%d %s %s %s %s %d %s\n", (int)l->pid, d->exe[l->idx % d->nexe],
	       d->cls, d->addr[(l->idx / d->nexe) % d->naddr], d->port,
	       d->sport_base > 0 ? d->sport_base + l->idx : 0, st);
}

/* Reap one child, report it and free its slot; returns its status ok. */
static int reap_one(const struct driver *d, struct live *live, int *nlive)
{
	int status, i;
	pid_t pid;

	do
		pid = wait(&status);
	while (pid < 0 && errno == EINTR);
	if (pid < 0)
		return -errno;
	for (i = 0; i < *nlive; i++) {
		if (live[i].pid != pid)
			continue;
		report(d, &live[i], status);
		live[i] = live[--*nlive];
		break;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int drive(const struct driver *d)
{
	struct live live[CHURN_MAX_LIVE];
	int nlive = 0, i, bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < d->n; i++) {
		pid_t pid;

		while (nlive >= d->k)
			if (reap_one(d, live, &nlive) < 0)
				bad++;
		if ((pid = spawn(d, i)) < 0) {
			fprintf(stderr, "churn: fork: %s\n", strerror((int)-pid));
			bad++;
			break;
		}
		live[nlive].pid = pid;
		live[nlive].idx = i;
		nlive++;
		if (d->interval_ms > 0)
			sleep_ms(d->interval_ms);
	}
	while (nlive > 0)
		if (reap_one(d, live, &nlive) < 0)
			bad++;
	return bad ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: churn -m CLASS [-s SPORT] ADDR PORT\n"
		"       churn -D -m CLASS -n N -k K -e EXE [-e EXE...] "
		"-a ADDR [-a ADDR...] [-i MS] [-s SPORT_BASE] PORT\n"
		"CLASS: tcp udp ff ffmsg ffmmsg\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct driver d = { .n = 1, .k = 1 };
	int opt, drv = 0, cls = -1;
	struct peer p;

	while ((opt = getopt(argc, argv, "Dm:n:k:e:a:i:s:")) != -1) {
		switch (opt) {
		case 'D': drv = 1; break;
		case 'm': d.cls = optarg; cls = class_index(optarg); break;
		case 'n': d.n = atoi(optarg); break;
		case 'k': d.k = atoi(optarg); break;
		case 'i': d.interval_ms = atoi(optarg); break;
		case 's': d.sport_base = atoi(optarg); break;
		case 'e':
			if (d.nexe == CHURN_MAX_EXE)
				return usage();
			d.exe[d.nexe++] = optarg;
			break;
		case 'a':
			if (d.naddr == CHURN_MAX_ADDR)
				return usage();
			d.addr[d.naddr++] = optarg;
			break;
		default: return usage();
		}
	}
	if (cls < 0 || d.sport_base < 0 || d.sport_base > 65535)
		return usage();
	if (!drv) {
		if (optind + 2 != argc || parse_peer(argv[optind], argv[optind + 1], &p) < 0)
			return usage();
		one_shot(cls, &p, d.sport_base);
	}
	if (optind + 1 != argc || d.nexe < 1 || d.naddr < 1 || d.n < 1 ||
	    d.k < 1 || d.k > CHURN_MAX_LIVE ||
	    (d.sport_base > 0 && d.sport_base + d.n > 65536))
		return usage();
	d.port = argv[optind];
	for (int i = 0; i < d.naddr; i++)
		if (parse_peer(d.addr[i], d.port, &p) < 0)
			return usage();
	return drive(&d);
}
