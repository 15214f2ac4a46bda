/* floor - the cheapest NFQUEUE program: bind a queue, accept every packet
 * at once.  What any NFQUEUE firewall pays before it does any work of its
 * own; scripts/bench.sh reports every other mode as a ratio to it.
 *
 * usage: floor [-q QUEUE] [-r COPY_RANGE]
 * Prints "ready" on stdout once the queue is bound; on SIGTERM/SIGINT
 * prints "floor: N packets" on stderr and exits 0.
 *
 * Queue setup mirrors tattled's (copy range, queue length, receive buffer,
 * no fail-open, GSO) so the kernel side of the path is the same. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define FLOOR_COPY_RANGE	4352
#define FLOOR_MAXLEN		8192
#define FLOOR_RCVBUF		(16 << 20)
#define FLOOR_CTLSZ		8192	/* config messages and their ACKs */

static volatile sig_atomic_t floor_stop;

static void on_signal(int sig)
{
	(void)sig;
	floor_stop = 1;
}

/* Send one config message and wait for its ACK.  0 or -errno. */
static int floor_cfg_send(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char buf[FLOOR_CTLSZ];
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	if (mnl_cb_run(buf, (size_t)n, 0, portid, NULL, NULL) < 0)
		return -errno;
	return 0;
}

static int floor_bind(struct mnl_socket *nl, uint16_t queue, uint32_t range)
{
	char buf[FLOOR_CTLSZ];
	struct nlmsghdr *nlh;
	uint32_t flags = NFQA_CFG_F_GSO;
	int r;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	if ((r = floor_cfg_send(nl, nlh)) < 0)
		return r;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, (int)range);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, FLOOR_MAXLEN);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags | NFQA_CFG_F_FAIL_OPEN));
	return floor_cfg_send(nl, nlh);
}

static int floor_accept(struct mnl_socket *nl, uint16_t queue, uint32_t id)
{
	char buf[256];
	struct nlmsghdr *nlh;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, queue);
	nfq_nlmsg_verdict_put(nlh, (int)id, NF_ACCEPT);
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
}

/* Accept every packet message in one datagram.  Returns how many. */
static unsigned floor_dispatch(struct mnl_socket *nl, uint16_t queue,
			       const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;
	unsigned n = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nlattr *attr[NFQA_MAX + 1] = { NULL };
		const struct nfqnl_msg_packet_hdr *ph;

		if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE)
			continue;
		if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR] ||
		    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(*ph))
			continue;
		ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
		if (floor_accept(nl, queue, ntohl(ph->packet_id)) == 0)
			n++;
	}
	return n;
}

static int floor_run(struct mnl_socket *nl, uint16_t queue, unsigned long *count)
{
	size_t sz = FLOOR_COPY_RANGE + 4096;
	char *buf = malloc(sz);
	ssize_t len;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (!floor_stop) {
		len = recv(mnl_socket_get_fd(nl), buf, sz, 0);
		if (len < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			r = -errno;
			break;
		}
		*count += floor_dispatch(nl, queue, buf, (size_t)len);
	}
	free(buf);
	return r;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct mnl_socket *nl = NULL;
	unsigned long queue = 0, range = FLOOR_COPY_RANGE, count = 0;
	int opt, sz = FLOOR_RCVBUF, r, rc = 1;

	while ((opt = getopt(argc, argv, "q:r:")) != -1) {
		if (opt == 'q')
			queue = strtoul(optarg, NULL, 0);
		else if (opt == 'r')
			range = strtoul(optarg, NULL, 0);
		else
			goto usage;
	}
	if (optind != argc || queue > 65535 || range < 40 || range > 65535)
		goto usage;
	/* No SA_RESTART: a signal interrupts the blocking recv. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("floor: netlink");
		goto out;
	}
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &sz, sizeof(sz)) < 0)
		(void)setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF,
				 &sz, sizeof(sz));
	if ((r = floor_bind(nl, (uint16_t)queue, (uint32_t)range)) < 0) {
		fprintf(stderr, "floor: bind queue %lu: %s\n", queue, strerror(-r));
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	if ((r = floor_run(nl, (uint16_t)queue, &count)) < 0)
		fprintf(stderr, "floor: recv: %s\n", strerror(-r));
	else
		rc = 0;
	fprintf(stderr, "floor: %lu packets\n", count);
out:
	if (nl)
		mnl_socket_close(nl);
	return rc;
usage:
	fprintf(stderr, "usage: floor [-q QUEUE] [-r COPY_RANGE]\n");
	return 2;
}
