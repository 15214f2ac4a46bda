/* auditspoof - inject forged audit records into the audit multicast group,
 * as any root process can, to check that tattled believes only the kernel.
 * usage: auditspoof -p PID -e EXE -a ADDR -P PORT [-u UID] [-k KEY]
 *                   [-n COUNT] [-N NETNS] [-d DELAY_MS]
 *   Sends COUNT forged events (SYSCALL sendto + SOCKADDR ADDR:PORT + EOE)
 *   claiming PID (running EXE, uid UID) from a netlink socket whose port id
 *   is not 0, then reads them back on a second group member to prove they
 *   were delivered ("delivered N from portid P").
 *   With -N: afterwards enter that network namespace, connect a UDP socket
 *   to ADDR:PORT, wait DELAY_MS (default 120, so tattled's records of the
 *   connect are too old to explain anything), send the forged events again,
 *   then send one datagram and close at once: a packet that only the forged
 *   records explain.  Prints "sender PID".
 * Exit 0 when every forged record was delivered, 1 otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef AUDIT_NLGRP_READLOG
#define AUDIT_NLGRP_READLOG 1
#endif

struct spoof {
	const char *exe, *key;
	long pid, uid;
	unsigned port, serial;
	int family;
	uint8_t addr[16];
	int tx, rx;
	unsigned sent;
};

static int send_record(struct spoof *s, uint16_t type, const char *text)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = 0,
				  .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1) };
	char buf[2048];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	size_t n = strlen(text);

	if (NLMSG_SPACE(n) > sizeof(buf))
		return -1;
	memset(buf, 0, NLMSG_SPACE(n));
	nlh->nlmsg_len = NLMSG_LENGTH(n);
	nlh->nlmsg_type = type;
	memcpy(NLMSG_DATA(nlh), text, n);
	if (sendto(s->tx, buf, nlh->nlmsg_len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0) {
		perror("sendto netlink group");
		return -1;
	}
	s->sent++;
	return 0;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", p[i]);
}

static int send_event(struct spoof *s)
{
	char hdr[64], rec[1024], sa[128];
	uint8_t raw[28] = { 0 };
	struct timespec ts;
	size_t rl;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(hdr, sizeof(hdr), "audit(%lld.%03ld:%u): ", (long long)ts.tv_sec,
		 ts.tv_nsec / 1000000, s->serial++);
	/* sockaddr as the kernel dumps it: family (host order), port (net
	 * order), address. */
	raw[0] = (uint8_t)s->family;
	raw[2] = (uint8_t)(s->port >> 8);
	raw[3] = (uint8_t)s->port;
	if (s->family == AF_INET) {
		memcpy(raw + 4, s->addr, 4);
		rl = 16;
	} else {
		memcpy(raw + 8, s->addr, 16);
		rl = 28;
	}
	hex(sa, raw, rl);
	snprintf(rec, sizeof(rec),
		 "%sarch=c000003e syscall=44 success=yes exit=1 a0=3 a1=7ffd00001000 "
		 "a2=1 a3=0 items=0 ppid=1 pid=%ld auid=4294967295 uid=%ld gid=0 "
		 "euid=%ld suid=%ld fsuid=%ld egid=0 sgid=0 fsgid=0 tty=(none) "
		 "ses=4294967295 comm=\"victim\" exe=\"%s\" key=\"%s\"",
		 hdr, s->pid, s->uid, s->uid, s->uid, s->uid, s->exe, s->key);
	if (send_record(s, AUDIT_SYSCALL, rec) < 0)
		return -1;
	snprintf(rec, sizeof(rec), "%ssaddr=%s", hdr, sa);
	if (send_record(s, AUDIT_SOCKADDR, rec) < 0)
		return -1;
	return send_record(s, AUDIT_EOE, hdr);
}

/* Read back what the group saw from our sender; 0 when all sent arrived. */
static int check_delivery(struct spoof *s, unsigned want)
{
	struct sockaddr_nl me, from;
	socklen_t ml = sizeof(me), fl;
	char buf[8192];
	unsigned got = 0;
	ssize_t n;

	if (getsockname(s->tx, (struct sockaddr *)&me, &ml) < 0)
		return -1;
	while (got < want) {
		struct pollfd p = { .fd = s->rx, .events = POLLIN };

		if (poll(&p, 1, 1000) != 1)
			break;
		fl = sizeof(from);
		n = recvfrom(s->rx, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == ENOBUFS)
				continue;
			perror("recvfrom");
			return -1;
		}
		if (from.nl_pid == me.nl_pid)
			got++;
	}
	printf("delivered %u/%u from portid %u\n", got, want, me.nl_pid);
	return got == want ? 0 : -1;
}

static int open_sockets(struct spoof *s)
{
	struct sockaddr_nl rx = { .nl_family = AF_NETLINK,
				  .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1) };
	struct sockaddr_nl tx = { .nl_family = AF_NETLINK };
	int big = 4 << 20;

	s->rx = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	s->tx = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (s->rx < 0 || s->tx < 0) {
		perror("socket(NETLINK_AUDIT)");
		return -1;
	}
	setsockopt(s->rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	/* tx: an explicit non-zero port id, as the kernel never has. */
	tx.nl_pid = (uint32_t)getpid() | 0x40000000u;
	if (bind(s->rx, (struct sockaddr *)&rx, sizeof(rx)) < 0 ||
	    bind(s->tx, (struct sockaddr *)&tx, sizeof(tx)) < 0) {
		perror("bind netlink");
		return -1;
	}
	return 0;
}

static int send_burst(struct spoof *s, unsigned count)
{
	unsigned i, before = s->sent;

	for (i = 0; i < count; i++)
		if (send_event(s) < 0)
			return -1;
	return check_delivery(s, s->sent - before);
}

static int fire(struct spoof *s, const char *netns, unsigned count, int delay_ms)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int nsfd, fd;

	nsfd = open(netns, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
		perror(netns);
		return -1;
	}
	close(nsfd);
	if (s->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)s->port);
		memcpy(&a->sin_addr, s->addr, 4);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)s->port);
		memcpy(&a->sin6_addr, s->addr, 16);
		sl = sizeof(*a);
	}
	fd = socket(s->family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		perror("udp connect");
		return -1;
	}
	usleep((useconds_t)delay_ms * 1000);
	if (send_burst(s, count) < 0)
		return -1;
	printf("sender %ld\n", (long)getpid());
	fflush(stdout);
	if (write(fd, "x", 1) != 1) {
		perror("udp write");
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct spoof s = { .exe = "/usr/bin/victim", .key = "tattle", .uid = 0,
			   .family = AF_INET };
	const char *addr = "127.0.0.1", *netns = NULL;
	unsigned count = 1;
	int opt, delay_ms = 120;

	while ((opt = getopt(argc, argv, "p:e:a:P:u:k:n:N:d:")) != -1) {
		switch (opt) {
		case 'p': s.pid = atol(optarg); break;
		case 'e': s.exe = optarg; break;
		case 'a': addr = optarg; break;
		case 'P': s.port = (unsigned)atoi(optarg); break;
		case 'u': s.uid = atol(optarg); break;
		case 'k': s.key = optarg; break;
		case 'n': count = (unsigned)atoi(optarg); break;
		case 'N': netns = optarg; break;
		case 'd': delay_ms = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (!s.pid || !s.port)
		goto usage;
	if (inet_pton(AF_INET, addr, s.addr) == 1)
		s.family = AF_INET;
	else if (inet_pton(AF_INET6, addr, s.addr) == 1)
		s.family = AF_INET6;
	else
		goto usage;
	/* Far from the kernel's serials, so no real event is merged in. */
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	s.serial = 3000000000u + (unsigned)(rand() % 100000000);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (open_sockets(&s) < 0)
		return 1;
	if (!netns)
		return send_burst(&s, count) < 0;
	return fire(&s, netns, count, delay_ms) < 0;
usage:
	fprintf(stderr, "usage: auditspoof -p PID -e EXE -a ADDR -P PORT [-u UID] "
		"[-k KEY] [-n COUNT] [-N NETNS] [-d DELAY_MS]\n");
	return 2;
}
