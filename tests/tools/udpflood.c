/* udpflood - one process, one unconnected UDP socket, datagrams to many
 * ports (each a new flow for conntrack, so each is queued) for a while.
 * usage: udpflood ADDR FIRST_PORT NPORTS MS
 * Prints "sent N" at the end.  Send errors (EPERM from a dropped packet,
 * ENOBUFS) are counted, not fatal: the point is the pressure. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long first, nports, ms, sent = 0, failed = 0, i = 0;
	uint64_t end;
	int fd;

	if (argc != 5 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: udpflood ADDR FIRST_PORT NPORTS MS\n");
		return 2;
	}
	first = strtoul(argv[2], NULL, 10);
	nports = strtoul(argv[3], NULL, 10);
	ms = strtoul(argv[4], NULL, 10);
	if (!first || !nports || first + nports > 65536) {
		fprintf(stderr, "udpflood: bad port range\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	end = now_ms() + ms;
	while (now_ms() < end) {
		unsigned k;

		for (k = 0; k < 64; k++, i++) {
			sa.sin_port = htons((uint16_t)(first + i % nports));
			if (sendto(fd, "x", 1, 0, (struct sockaddr *)&sa,
				   sizeof(sa)) == 1)
				sent++;
			else
				failed++;
		}
	}
	printf("sent %lu failed %lu\n", sent, failed);
	close(fd);
	return 0;
}
