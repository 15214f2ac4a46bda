/* inherit - a socket shared across fork, used by the side that did not
 * exec (issue 14 item 3).
 * usage: inherit PROGRAM ADDR PORT [ARG...]
 *   Makes a TCP socket without CLOEXEC and forks.  The parent execs
 *   PROGRAM ARG... (it keeps the socket).  The child waits until its
 *   parent runs PROGRAM, then connects the inherited socket to ADDR:PORT
 *   (2 s at most) and prints "<child pid> connected" or
 *   "<child pid> failed <errno name>".
 * Exit (the child's): 0 connected, 1 failed, 2 usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int peer(const char *a, const char *p, struct sockaddr_storage *ss,
		socklen_t *sl)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(a, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(p));
		*sl = sizeof(*s6);
		return inet_pton(AF_INET6, a, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)atoi(p));
	*sl = sizeof(*s4);
	return inet_pton(AF_INET, a, &s4->sin_addr) == 1 ? 0 : -1;
}

/* Wait until pid runs path (readlink of its exe), 5 s at most. */
static int wait_exec(pid_t pid, const char *path)
{
	char link[64], got[4096];
	ssize_t n;
	int i;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	for (i = 0; i < 500; i++) {
		n = readlink(link, got, sizeof(got) - 1);
		if (n > 0) {
			got[n] = '\0';
			if (strcmp(got, path) == 0)
				return 0;
		}
		usleep(10000);
	}
	return -1;
}

static int child(int s, const char *path, const struct sockaddr_storage *ss,
		 socklen_t sl)
{
	struct pollfd p = { .fd = s, .events = POLLOUT };
	int err = ETIMEDOUT;
	socklen_t el = sizeof(err);

	if (wait_exec(getppid(), path) < 0) {
		printf("%d failed NOEXEC\n", (int)getpid());
		return 1;
	}
	/* Let the parent's own connection (if PROGRAM makes one) go first. */
	usleep(300000);
	if (fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK) < 0 ||
	    (connect(s, (const struct sockaddr *)ss, sl) < 0 &&
	     errno != EINPROGRESS)) {
		err = errno;
	} else if (poll(&p, 1, 2000) == 1) {
		getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el);
	}
	if (err)
		printf("%d failed %s\n", (int)getpid(), strerrorname_np(err));
	else
		printf("%d connected\n", (int)getpid());
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	pid_t pid;
	int s;

	if (argc < 4 || peer(argv[2], argv[3], &ss, &sl) < 0) {
		fprintf(stderr, "usage: inherit PROGRAM ADDR PORT [ARG...]\n");
		return 2;
	}
	s = socket(ss.ss_family, SOCK_STREAM, 0);	/* no CLOEXEC */
	if (s < 0)
		return 1;
	setvbuf(stdout, NULL, _IONBF, 0);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		return child(s, argv[1], &ss, sl);
	argv[3] = argv[1];
	execv(argv[1], argv + 3);
	return 1;
}
