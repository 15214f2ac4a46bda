/* flood - test load: one process that floods UDP from fresh sockets (each
 * a new flow whose owner the firewall must look up) while it makes TCP
 * connects, to show what the firewall decides for the connects under
 * overload.
 * usage: flood [-d SECS] [-k KEEP] [-c CONNECTS] [-t TIMEOUT_MS]
 *              ADDR UDP_PORT_BASE UDP_PORTS TCP_PORT
 *   -d SECS     flood for this long (default 5)
 *   -k KEEP     UDP sockets kept open at once, oldest closed first
 *               (default 256): open sockets make sock_diag find them, so
 *               each needs a /proc scan
 *   -c N        TCP connects made meanwhile, one after another (default 50)
 *   -t MS       timeout of each connect (default 1000)
 * Prints "udp SENT tcp_ok OK tcp_fail FAILED".  Exit 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
	unsigned secs, keep, connects, timeout_ms;
	unsigned udp_base, udp_ports, tcp_port;
	struct in_addr addr;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int tcp_once(const struct opts *o)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = o->addr,
				  .sin_port = htons((uint16_t)o->tcp_port) };
	struct pollfd p;
	int fd, err = 0, r;
	socklen_t el = sizeof(err);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0 && errno != EINPROGRESS) {
		r = -errno;
		goto out;
	}
	p.fd = fd;
	p.events = POLLOUT;
	r = poll(&p, 1, (int)o->timeout_ms);
	if (r <= 0) {
		r = r == 0 ? -ETIMEDOUT : -errno;
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
		r = -(err ? err : errno);
		goto out;
	}
	r = 0;
out:
	close(fd);
	return r;
}

struct tcp_result {
	const struct opts *o;
	unsigned ok, failed;
};

static void *tcp_main(void *arg)
{
	struct tcp_result *t = arg;
	unsigned i;

	/* Let the flood build up first. */
	usleep(300 * 1000);
	for (i = 0; i < t->o->connects; i++) {
		if (tcp_once(t->o) == 0)
			t->ok++;
		else
			t->failed++;
	}
	return NULL;
}

static unsigned long udp_flood(const struct opts *o, volatile int *stop)
{
	int *ring = calloc(o->keep, sizeof(*ring));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = o->addr };
	uint64_t end = now_ms() + o->secs * 1000u;
	unsigned long sent = 0;
	unsigned i = 0, k;

	if (!ring)
		return 0;
	for (k = 0; k < o->keep; k++)
		ring[k] = -1;
	while (!*stop && now_ms() < end) {
		k = i % o->keep;
		if (ring[k] >= 0)
			close(ring[k]);
		ring[k] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (ring[k] < 0) {
			usleep(1000);
			continue;
		}
		sa.sin_port = htons((uint16_t)(o->udp_base + i % o->udp_ports));
		if (sendto(ring[k], "x", 1, MSG_DONTWAIT, (struct sockaddr *)&sa,
			   sizeof(sa)) == 1)
			sent++;
		i++;
	}
	for (k = 0; k < o->keep; k++)
		if (ring[k] >= 0)
			close(ring[k]);
	free(ring);
	return sent;
}

int main(int argc, char **argv)
{
	struct opts o = { .secs = 5, .keep = 256, .connects = 50, .timeout_ms = 1000 };
	struct tcp_result t = { .o = &o };
	volatile int stop = 0;
	unsigned long sent;
	pthread_t th;
	int c;

	while ((c = getopt(argc, argv, "d:k:c:t:")) != -1) {
		switch (c) {
		case 'd': o.secs = (unsigned)atoi(optarg); break;
		case 'k': o.keep = (unsigned)atoi(optarg); break;
		case 'c': o.connects = (unsigned)atoi(optarg); break;
		case 't': o.timeout_ms = (unsigned)atoi(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind != 4 || inet_pton(AF_INET, argv[optind], &o.addr) != 1 ||
	    !o.keep) {
		fprintf(stderr, "usage: flood [-d S] [-k N] [-c N] [-t MS] ADDR "
			"UDP_BASE UDP_PORTS TCP_PORT\n");
		return 2;
	}
	o.udp_base = (unsigned)atoi(argv[optind + 1]);
	o.udp_ports = (unsigned)atoi(argv[optind + 2]);
	o.tcp_port = (unsigned)atoi(argv[optind + 3]);
	if (!o.udp_ports)
		return 2;
	if (pthread_create(&th, NULL, tcp_main, &t) != 0)
		return 1;
	sent = udp_flood(&o, &stop);
	pthread_join(th, NULL);
	printf("udp %lu tcp_ok %u tcp_fail %u\n", sent, t.ok, t.failed);
	return 0;
}
