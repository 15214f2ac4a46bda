/* auditburst - a burst of audited syscalls: PROCS processes each call
 * socket(AF_INET or AF_INET6, SOCK_DGRAM) and close() in a tight loop for
 * MS milliseconds.  Makes audit records, no packets.
 * usage: auditburst [-p PROCS] [-t MS] [-6]
 * Prints "calls N" (socket() calls made by all processes).  Exit 0. */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
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
	int procs = 8, ms = 1000, fam = AF_INET, opt, i;
	unsigned long *counts, total = 0;

	while ((opt = getopt(argc, argv, "p:t:6")) != -1) {
		switch (opt) {
		case 'p': procs = atoi(optarg); break;
		case 't': ms = atoi(optarg); break;
		case '6': fam = AF_INET6; break;
		default:
			fprintf(stderr, "usage: auditburst [-p PROCS] [-t MS] [-6]\n");
			return 2;
		}
	}
	if (procs < 1 || procs > 1024)
		return 2;
	counts = mmap(NULL, sizeof(*counts) * (size_t)procs, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED)
		return 1;
	for (i = 0; i < procs; i++) {
		pid_t p = fork();

		if (p == 0) {
			uint64_t end = now_ms() + (uint64_t)ms;
			unsigned long n = 0;

			while (now_ms() < end) {
				int j;

				for (j = 0; j < 64; j++) {
					int fd = socket(fam, SOCK_DGRAM, 0);

					if (fd >= 0)
						close(fd);
					n++;
				}
			}
			counts[i] = n;
			_exit(0);
		}
		if (p < 0)
			break;
	}
	while (wait(NULL) > 0)
		;
	for (i = 0; i < procs; i++)
		total += counts[i];
	printf("calls %lu\n", total);
	return 0;
}
