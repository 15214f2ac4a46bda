/* nfqueue.c - see nfqueue.h. */
#include "nfqueue.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define NFQUEUE_BUFSZ	(NFQUEUE_COPY_RANGE + 4096)
#define NFQUEUE_CTLSZ	8192	/* config messages and their ACKs */
#define NFQUEUE_VERDSZ	256	/* header + verdict attribute */

struct nfqueue {
	struct mnl_socket *nl;
	uint16_t num;
	uint32_t portid;
	struct nfqueue_stats st;
	char buf[NFQUEUE_BUFSZ];
};

/* Send one config message and wait for its ACK.  0 or -errno. */
static int nfqueue_request(struct nfqueue *q, struct nlmsghdr *nlh,
			   char *buf, size_t len)
{
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(q->nl, buf, len);
	if (n < 0 || mnl_cb_run(buf, (size_t)n, 0, q->portid, NULL, NULL) < 0)
		return -errno;
	return 0;
}

/* FAIL_OPEN is in the mask with its bit clear: it is switched off even
 * if an earlier binder of this queue number set it. */
static int nfqueue_config(struct nfqueue *q, uint32_t maxlen)
{
	char buf[NFQUEUE_CTLSZ];
	struct nlmsghdr *nlh;
	uint32_t f = NFQA_CFG_F_GSO | NFQA_CFG_F_UID_GID;
	uint32_t mask = NFQA_CFG_F_GSO | NFQA_CFG_F_UID_GID | NFQA_CFG_F_FAIL_OPEN;
	int r;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	if ((r = nfqueue_request(q, nlh, buf, sizeof(buf))) < 0)
		return r;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, NFQUEUE_COPY_RANGE);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(f));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	return nfqueue_request(q, nlh, buf, sizeof(buf));
}

struct nfqueue *nfqueue_open(uint16_t num, uint32_t maxlen)
{
	struct nfqueue *q;
	int sz = NFQUEUE_RCVBUF, r;

	if (maxlen == 0)
		maxlen = NFQUEUE_MAXLEN;
	if (maxlen > NFQUEUE_MAXLEN_MAX) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->num = num;
	q->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!q->nl)
		goto fail;
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	q->portid = mnl_socket_get_portid(q->nl);
	/* A large buffer absorbs bursts; FORCE needs CAP_NET_ADMIN. */
	if (setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &sz, sizeof(sz)) < 0)
		(void)setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET,
				 SO_RCVBUF, &sz, sizeof(sz));
	if ((r = nfqueue_config(q, maxlen)) < 0) {
		errno = -r;
		goto fail;
	}
	return q;
fail:
	{
		int e = errno;

		nfqueue_close(q);
		errno = e;
	}
	return NULL;
}

void nfqueue_close(struct nfqueue *q)
{
	if (!q)
		return;
	if (q->nl)
		mnl_socket_close(q->nl);
	free(q);
}

int nfqueue_fd(const struct nfqueue *q)
{
	return mnl_socket_get_fd(q->nl);
}

static int nfqueue_fill(const struct nlmsghdr *nlh, struct nfqueue_pkt *p)
{
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	struct nfqnl_msg_packet_hdr *ph;

	if (nfq_nlmsg_parse(nlh, attr) < 0)
		return -EBADMSG;
	if (!attr[NFQA_PACKET_HDR] || !attr[NFQA_PAYLOAD] ||
	    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(*ph))
		return -EBADMSG;
	memset(p, 0, sizeof(*p));
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	p->id = ntohl(ph->packet_id);
	p->hw_proto = ntohs(ph->hw_protocol);
	p->hook = ph->hook;
	p->payload = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
	p->len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	p->orig_len = (uint32_t)p->len;
	if (attr[NFQA_CAP_LEN] &&
	    mnl_attr_validate(attr[NFQA_CAP_LEN], MNL_TYPE_U32) == 0)
		p->orig_len = ntohl(mnl_attr_get_u32(attr[NFQA_CAP_LEN]));
	if (attr[NFQA_UID] && attr[NFQA_GID] &&
	    mnl_attr_validate(attr[NFQA_UID], MNL_TYPE_U32) == 0 &&
	    mnl_attr_validate(attr[NFQA_GID], MNL_TYPE_U32) == 0) {
		p->has_uid = true;
		p->uid = ntohl(mnl_attr_get_u32(attr[NFQA_UID]));
		p->gid = ntohl(mnl_attr_get_u32(attr[NFQA_GID]));
	}
	if (attr[NFQA_MARK] && mnl_attr_validate(attr[NFQA_MARK], MNL_TYPE_U32) == 0)
		p->mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	if (attr[NFQA_IFINDEX_INDEV] &&
	    mnl_attr_validate(attr[NFQA_IFINDEX_INDEV], MNL_TYPE_U32) == 0)
		p->indev = ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_INDEV]));
	if (attr[NFQA_IFINDEX_OUTDEV] &&
	    mnl_attr_validate(attr[NFQA_IFINDEX_OUTDEV], MNL_TYPE_U32) == 0)
		p->outdev = ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_OUTDEV]));
	return 0;
}

/* One datagram holds one packet message; walk it anyway in case the kernel
 * ever batches. */
static int nfqueue_dispatch(struct nfqueue *q, size_t len, nfqueue_cb cb,
			    void *data)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)q->buf;
	int left = (int)len, r;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nfqueue_pkt p;

		if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE)
			continue;
		if (nfqueue_fill(nlh, &p) < 0) {
			q->st.malformed++;
			continue;
		}
		q->st.received++;
		if ((r = cb(&p, data)) < 0)
			return r;
	}
	return 0;
}

int nfqueue_drain(struct nfqueue *q, unsigned max, nfqueue_cb cb, void *data)
{
	unsigned n = 0;
	ssize_t len;
	int r;

	while (n < max) {
		len = recv(nfqueue_fd(q), q->buf, sizeof(q->buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				q->st.enobufs++;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		if ((r = nfqueue_dispatch(q, (size_t)len, cb, data)) < 0)
			return r;
		n++;
	}
	return (int)n;
}

int nfqueue_verdict(struct nfqueue *q, uint32_t id, int verdict)
{
	char buf[NFQUEUE_VERDSZ];
	struct nlmsghdr *nlh;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, q->num);
	nfq_nlmsg_verdict_put(nlh, (int)id, verdict);
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0) {
		q->st.verdict_errors++;
		return -errno;
	}
	q->st.verdicts++;
	return 0;
}

void nfqueue_get_stats(const struct nfqueue *q, struct nfqueue_stats *st)
{
	*st = q->st;
}

/* One decimal field at *p (after blanks); advances *p. */
static int proc_field(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s < '0' || *s > '9')
		return -EBADMSG;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -EBADMSG;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*v = n;
	return 0;
}

/* Line format (net/netfilter/nfnetlink_queue.c seq_show): queue number,
 * peer portid, queue total, copy mode, copy range, queue dropped, user
 * dropped, id sequence, 1. */
int nfqueue_parse_proc(const char *text, size_t len, uint16_t num,
		       struct nfqueue_kstats *out)
{
	const char *line = text, *end = text + len;

	memset(out, 0, sizeof(*out));
	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *p = line;
		uint64_t f[7];
		unsigned i;

		if (!eol)
			eol = end;
		if (proc_field(&p, eol, &f[0]) == 0 && f[0] == num) {
			for (i = 1; i < 7; i++)
				if (proc_field(&p, eol, &f[i]) < 0)
					return -EBADMSG;
			out->portid = (uint32_t)f[1];
			out->queued = (uint32_t)f[2];
			out->queue_dropped = f[5];
			out->user_dropped = f[6];
			return 0;
		}
		line = eol + 1;
	}
	return -ENOENT;
}

uint64_t nfqueue_poll_kernel(struct nfqueue *q, const char *path)
{
	char text[16384];
	struct nfqueue_kstats k;
	uint64_t before, after;
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	/* A procfs seq file gives whole lines per read; 16 KiB holds about
	 * 300 queues (one network namespace rarely has more than a few). */
	while (len < sizeof(text) &&
	       (n = read(fd, text + len, sizeof(text) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (nfqueue_parse_proc(text, len, q->num, &k) < 0 ||
	    k.portid != q->portid)
		return 0;
	before = q->st.queue_dropped + q->st.user_dropped;
	after = k.queue_dropped + k.user_dropped;
	q->st.queue_dropped = k.queue_dropped;
	q->st.user_dropped = k.user_dropped;
	return after > before ? after - before : 0;
}
