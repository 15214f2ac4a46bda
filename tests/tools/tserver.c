/* tserver - test server: TCP accept (held open until the peer closes) and
 * UDP echo, on every address given.  Runs until SIGTERM/SIGINT.
 * usage: tserver -p PORT [-a ADDR]...  (default 127.0.0.1 and ::1) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_ADDRS 8

static int listen_on(const char *addr, int port, int type)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return -1;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			return -1;
		sl = sizeof(*s4);
	}
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 4096) < 0)) {
		perror(addr);
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *addrs[MAX_ADDRS];
	int naddr = 0, port = 0, opt, ep, i, nl = 0;
	int lfd[MAX_ADDRS * 2], ltype[MAX_ADDRS * 2];
	struct rlimit rl = { 1 << 17, 1 << 17 };
	struct epoll_event ev, evs[64];
	sigset_t set;

	while ((opt = getopt(argc, argv, "p:a:")) != -1) {
		if (opt == 'p')
			port = atoi(optarg);
		else if (opt == 'a' && naddr < MAX_ADDRS)
			addrs[naddr++] = optarg;
		else {
			fprintf(stderr, "usage: tserver -p PORT [-a ADDR]...\n");
			return 2;
		}
	}
	if (!port) {
		fprintf(stderr, "usage: tserver -p PORT [-a ADDR]...\n");
		return 2;
	}
	if (!naddr) {
		addrs[naddr++] = "127.0.0.1";
		addrs[naddr++] = "::1";
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	ep = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < naddr; i++) {
		int t, types[2] = { SOCK_STREAM, SOCK_DGRAM };

		for (t = 0; t < 2; t++) {
			int fd = listen_on(addrs[i], port, types[t]);

			if (fd < 0)
				return 1;
			lfd[nl] = fd;
			ltype[nl] = types[t];
			ev.events = EPOLLIN;
			ev.data.u64 = (uint64_t)nl << 32 | (uint32_t)fd;
			epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
			nl++;
		}
	}
	sigemptyset(&set);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);

		for (i = 0; i < n; i++) {
			int fd = (int)(uint32_t)evs[i].data.u64;
			unsigned idx = (unsigned)(evs[i].data.u64 >> 32);
			char buf[2048];

			if (idx < (unsigned)nl && fd == lfd[idx] && ltype[idx] == SOCK_STREAM) {
				int c;

				while ((c = accept4(fd, NULL, NULL,
						    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					ev.events = EPOLLIN | EPOLLRDHUP;
					ev.data.u64 = (uint64_t)UINT32_MAX << 32 | (uint32_t)c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
			} else if (idx < (unsigned)nl && fd == lfd[idx]) {
				struct sockaddr_storage peer;
				socklen_t pl = sizeof(peer);
				ssize_t m;

				while ((m = recvfrom(fd, buf, sizeof(buf), 0,
						     (struct sockaddr *)&peer, &pl)) >= 0) {
					sendto(fd, buf, (size_t)m, 0,
					       (struct sockaddr *)&peer, pl);
					pl = sizeof(peer);
				}
			} else {
				ssize_t m = read(fd, buf, sizeof(buf));

				if (m == 0 || (m < 0 && errno != EAGAIN))
					close(fd);
				else if (m > 0)
					(void)!write(fd, buf, (size_t)m);
			}
		}
	}
}
