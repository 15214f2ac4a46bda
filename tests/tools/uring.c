/* uring - one flow made through io_uring, then exit at once: the connect,
 * send and sendmsg happen in io_uring's context (with -A in an io-wq worker
 * thread), not in a connect()/send() system call of the process.
 * usage: uring [-A] -m tcp|udp|ff -s SPORT ADDR PORT
 *   tcp  IORING_OP_CONNECT (non-blocking socket: the SYN), exit
 *   udp  IORING_OP_CONNECT, then IORING_OP_SEND of one byte, exit
 *   ff   IORING_OP_SENDMSG with msg_name (unconnected), exit
 *   -A   IOSQE_ASYNC: run each op in an io-wq worker thread
 * The source port is bound to SPORT so a test can find the flow.
 * Prints "<pid> <sport>" before the flow, exits 0 when the ops completed
 * (a TCP connect may complete with EINPROGRESS/ECONNREFUSED: still sent),
 * 1 on failure, 2 on usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int peer(const char *a, int port, struct sockaddr_storage *ss, socklen_t *sl)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(a, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*s6);
		return inet_pton(AF_INET6, a, &s6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*sl = sizeof(*s4);
	return inet_pton(AF_INET, a, &s4->sin_addr) == 1 ? 0 : -EINVAL;
}

static int bind_port(int fd, int family, int port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&ss, sl) == 0 ? 0 : -errno;
}

/* Submit one prepared sqe and wait for it; the cqe's result. */
static int run_one(struct io_uring *r)
{
	struct io_uring_cqe *cqe;
	int res;

	if (io_uring_submit(r) != 1 || io_uring_wait_cqe(r, &cqe) < 0)
		return -EIO;
	res = cqe->res;
	io_uring_cqe_seen(r, cqe);
	return res;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	const char *mode = NULL;
	int opt, sport = 0, async = 0, fd, r;
	char byte = 'u';
	socklen_t sl;

	while ((opt = getopt(argc, argv, "Am:s:")) != -1) {
		switch (opt) {
		case 'A': async = 1; break;
		case 'm': mode = optarg; break;
		case 's': sport = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!mode || optind + 2 != argc ||
	    peer(argv[optind], atoi(argv[optind + 1]), &ss, &sl) < 0)
		return 2;
	fd = socket(ss.ss_family, strcmp(mode, "tcp") == 0 ?
		    SOCK_STREAM | SOCK_NONBLOCK : SOCK_DGRAM, 0);
	if (fd < 0 || (sport && bind_port(fd, ss.ss_family, sport) < 0) ||
	    io_uring_queue_init(4, &ring, 0) < 0)
		return 1;
	printf("%d %d\n", (int)getpid(), sport);
	fflush(stdout);
	sqe = io_uring_get_sqe(&ring);
	if (strcmp(mode, "ff") == 0) {
		struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
		struct msghdr m = { .msg_name = &ss, .msg_namelen = sl,
				    .msg_iov = &iov, .msg_iovlen = 1 };

		io_uring_prep_sendmsg(sqe, fd, &m, 0);
		if (async)
			sqe->flags |= IOSQE_ASYNC;
		return run_one(&ring) == 1 ? 0 : 1;
	}
	io_uring_prep_connect(sqe, fd, (struct sockaddr *)&ss, sl);
	if (async)
		sqe->flags |= IOSQE_ASYNC;
	r = run_one(&ring);
	if (strcmp(mode, "tcp") == 0)
		return r == 0 || r == -EINPROGRESS || r == -ECONNREFUSED ? 0 : 1;
	if (r < 0)
		return 1;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_send(sqe, fd, &byte, 1, 0);
	if (async)
		sqe->flags |= IOSQE_ASYNC;
	return run_one(&ring) == 1 ? 0 : 1;
}
