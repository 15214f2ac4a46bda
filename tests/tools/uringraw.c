/* uringraw - one flow made through io_uring with raw system calls (no
 * liburing), then exit at once: the socket, connect and send happen as
 * io_uring operations, not as socket()/connect()/sendto() system calls.
 * usage: uringraw [-A] [-P] [-W] [-S|-D] -m tcp|ff ADDR PORT
 *   tcp  IORING_OP_CONNECT (the SYN; EINPROGRESS/ECONNREFUSED count as
 *        sent), then IORING_OP_SEND of one byte if it connected
 *   ff   IORING_OP_SENDMSG with msg_name: UDP fire and forget
 *   -S   the socket from IORING_OP_SOCKET (a normal fd)
 *   -D   the socket from IORING_OP_SOCKET as a direct descriptor: it is
 *        in no fd table, so /proc/PID/fd cannot show it
 *   -A   IOSQE_ASYNC: each op runs in an io-wq worker thread
 *   -W   submit and wait in one io_uring_enter (default: submit, then
 *        wait in a second call)
 *   -P   IORING_SETUP_SQPOLL: a kernel thread submits (no io_uring_enter
 *        per submission)
 * Prints "<pid> ok" or "<pid> fail <op> <errno name>"; exit 0 / 1 / 2,
 * 3 when a connect has not completed after 3 s (its SYN dropped). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_setup(struct ring *r, int sqpoll)
{
	struct io_uring_params p;
	uint8_t *sq, *cq;
	size_t sl, cl;

	memset(&p, 0, sizeof(p));
	if (sqpoll) {
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 1000;
	}
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	sl = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cl = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sl, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, cl, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Submit one sqe and wait for its completion: its res.  wait_in_submit:
 * one io_uring_enter submits and waits (liburing's submit_and_wait), else
 * one submits and returns, a second waits (submit, then wait_cqe). */
static int ring_run(struct ring *r, const struct io_uring_sqe *in,
		    int wait_in_submit)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	unsigned flags = IORING_ENTER_SQ_WAKEUP;
	int res;

	r->sqes[idx] = *in;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	/* With SQPOLL the kernel thread picks the sqe up (woken if idle). */
	if (wait_in_submit)
		flags |= IORING_ENTER_GETEVENTS;
	if (syscall(__NR_io_uring_enter, r->fd, 1, wait_in_submit, flags,
		    NULL, 0) < 0)
		return -errno;
	if (!wait_in_submit &&
	    syscall(__NR_io_uring_enter, r->fd, 0, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		return -errno;
	head = *r->cq_head;
	while (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		;	/* GETEVENTS waited for it: not reached in practice */
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static void on_alarm(int sig)
{
	(void)sig;
	_exit(3);	/* a dropped SYN: connect would wait for minutes */
}

static int fail(const char *op, int err)
{
	printf("%d fail %s %s\n", (int)getpid(), op, strerrorname_np(-err) ?
	       strerrorname_np(-err) : "?");
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct io_uring_rsrc_register rr;
	struct io_uring_sqe q;
	struct msghdr mh;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	int c, async = 0, sqpoll = 0, wait_in_submit = 0, via_op = 0, direct = 0, udp = 0, fd, r;
	uint8_t flags;
	const char *mode = NULL;
	struct ring rg;

	while ((c = getopt(argc, argv, "APSDWm:")) != -1) {
		switch (c) {
		case 'W': wait_in_submit = 1; break;
		case 'P': sqpoll = 1; break;
		case 'A': async = 1; break;
		case 'S': via_op = 1; break;
		case 'D': via_op = direct = 1; break;
		case 'm': mode = optarg; break;
		default: return 2;
		}
	}
	if (!mode || (strcmp(mode, "tcp") && strcmp(mode, "ff")) ||
	    argc - optind != 2 || inet_pton(AF_INET, argv[optind], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: uringraw [-A] [-P] [-W] [-S|-D] -m tcp|ff ADDR PORT\n");
		return 2;
	}
	udp = !strcmp(mode, "ff");
	signal(SIGALRM, on_alarm);
	alarm(3);
	sa.sin_port = htons((uint16_t)atoi(argv[optind + 1]));
	if ((r = ring_setup(&rg, sqpoll)) < 0)
		return fail("setup", r);
	flags = async ? IOSQE_ASYNC : 0;
	if (direct) {
		memset(&rr, 0, sizeof(rr));
		rr.nr = 4;
		rr.flags = IORING_RSRC_REGISTER_SPARSE;
		if (syscall(__NR_io_uring_register, rg.fd, IORING_REGISTER_FILES2,
			    &rr, sizeof(rr)) < 0)
			return fail("register", -errno);
	}
	if (via_op) {
		memset(&q, 0, sizeof(q));
		q.opcode = IORING_OP_SOCKET;
		q.fd = AF_INET;
		q.off = udp ? SOCK_DGRAM : SOCK_STREAM;
		q.file_index = direct ? 1 : 0;	/* slot 0, plus one */
		q.flags = flags;
		if ((fd = ring_run(&rg, &q, wait_in_submit)) < 0)
			return fail("socket", fd);
		if (direct)
			fd = 0;			/* the slot */
	} else if ((fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0)) < 0) {
		return fail("socket", -errno);
	}
	if (direct)
		flags |= IOSQE_FIXED_FILE;
	memset(&q, 0, sizeof(q));
	q.fd = fd;
	q.flags = flags;
	if (udp) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &sa;
		mh.msg_namelen = sizeof(sa);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		q.opcode = IORING_OP_SENDMSG;
		q.addr = (uintptr_t)&mh;
		q.len = 1;
		r = ring_run(&rg, &q, wait_in_submit);
		if (r < 0)
			return fail("sendmsg", r);
	} else {
		q.opcode = IORING_OP_CONNECT;
		q.addr = (uintptr_t)&sa;
		q.off = sizeof(sa);
		r = ring_run(&rg, &q, wait_in_submit);
		if (r < 0 && r != -EINPROGRESS && r != -ECONNREFUSED &&
		    r != -ETIMEDOUT)
			return fail("connect", r);
		if (r == 0) {
			memset(&q, 0, sizeof(q));
			q.opcode = IORING_OP_SEND;
			q.fd = fd;
			q.flags = flags;
			q.addr = (uintptr_t)"x";
			q.len = 1;
			if ((r = ring_run(&rg, &q, wait_in_submit)) < 0)
				return fail("send", r);
		}
	}
	printf("%d ok\n", (int)getpid());
	return 0;
}
