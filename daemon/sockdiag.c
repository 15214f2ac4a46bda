/* sockdiag.c - 5-tuple -> socket via NETLINK_SOCK_DIAG exact lookups. */
#include "sockdiag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

#include "packet.h"

/* One exact reply is an inet_diag_msg plus the few attributes the kernel
 * always adds (shutdown, v6only, cgroup id, sockopt): well under 1 KiB.
 * A reply that does not fit is an error (MSG_TRUNC), never a realloc. */
#define SOCKDIAG_RECV_MAX	8192
/* Replies to requests we gave up on (a failed recv) can still be queued;
 * they are skipped by seq.  The receive queue bounds them anyway (reads
 * never block); this cap only bounds the loop. */
#define SOCKDIAG_STALE_MAX	256

struct sockdiag {
	struct mnl_socket *nl;
	uint32_t seq;
	uint8_t buf[SOCKDIAG_RECV_MAX];
};

struct sockdiag *sockdiag_open(void)
{
	struct sockdiag *sd;
	int err;

	sd = calloc(1, sizeof(*sd));
	if (!sd)
		return NULL;
	sd->nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!sd->nl)
		goto fail;
	if (mnl_socket_bind(sd->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	sd->seq = 1;
	return sd;
fail:
	err = errno;
	sockdiag_close(sd);
	errno = err;
	return NULL;
}

void sockdiag_close(struct sockdiag *sd)
{
	if (!sd)
		return;
	if (sd->nl)
		mnl_socket_close(sd->nl);
	free(sd);
}

/* Scan one datagram for the answer to seq.  1 and *msg for a diag reply,
 * 0 for an ack, -errno for an NLMSG_ERROR, -EAGAIN if seq is not in it. */
static int reply_scan(const void *buf, size_t len, uint32_t seq,
		      struct inet_diag_msg *msg)
{
	const struct nlmsghdr *nlh = buf;
	int n = (int)len;

	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		size_t plen = mnl_nlmsg_get_payload_len(nlh);

		if (nlh->nlmsg_seq != seq)
			continue;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (plen < sizeof(*e))
				return -EBADMSG;
			return e->error > 0 ? -EBADMSG : e->error;
		}
		if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			return -EBADMSG;
		if (plen < sizeof(*msg))
			return -EBADMSG;
		/* No attribute is read: the fixed header has all we need. */
		memcpy(msg, mnl_nlmsg_get_payload(nlh), sizeof(*msg));
		return 1;
	}
	return -EAGAIN;
}

/* Receive the answer to seq without blocking: sock_diag answers inside
 * our sendmsg(), so an empty queue means the reply was lost. */
static int reply_recv(struct sockdiag *sd, uint32_t seq,
		      struct inet_diag_msg *msg)
{
	struct sockaddr_nl from;
	struct iovec iov = { sd->buf, sizeof(sd->buf) };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
			     .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int i, r = -EAGAIN;

	for (i = 0; i < SOCKDIAG_STALE_MAX && r == -EAGAIN; i++) {
		mh.msg_namelen = sizeof(from);
		n = recvmsg(mnl_socket_get_fd(sd->nl), &mh, MSG_DONTWAIT);
		if (n < 0) {
			r = errno == EAGAIN ? -EIO : -errno;
			break;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			r = -EMSGSIZE;
			break;
		}
		if (mh.msg_namelen != sizeof(from) || from.nl_pid != 0)
			continue;	/* only the kernel may answer */
		r = reply_scan(sd->buf, (size_t)n, seq, msg);
	}
	return r == -EAGAIN ? -EIO : r;
}

/* Send one SOCK_DIAG_BY_FAMILY or SOCK_DESTROY request and wait for its
 * answer.  1 and *msg for a socket, 0 for an ack, -errno otherwise. */
static int transact(struct sockdiag *sd, uint16_t type, uint16_t flags,
		    uint8_t family, uint8_t proto,
		    const struct inet_diag_sockid *id, struct inet_diag_msg *msg)
{
	uint8_t req_buf[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct inet_diag_req_v2))];
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;

	memset(req_buf, 0, sizeof(req_buf));
	nlh = mnl_nlmsg_put_header(req_buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++sd->seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = proto;
	req->idiag_states = ~0U;
	req->id = *id;
	if (mnl_socket_sendto(sd->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return reply_recv(sd, nlh->nlmsg_seq, msg);
}

static bool proto_ok(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE;
}

/* Build the request id for f.  TCP: src = local; UDP: src = remote.
 * mapped: an IPv4 flow as ::ffff:a.b.c.d.  wild: remote address and port
 * zero. */
static void build_id(const struct flow *f, bool mapped, bool wild,
		     struct inet_diag_sockid *id)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	uint8_t *local, *remote;

	memset(id, 0, sizeof(*id));
	id->idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	id->idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (f->proto == IPPROTO_TCP) {
		local = (uint8_t *)id->idiag_src;
		remote = (uint8_t *)id->idiag_dst;
		id->idiag_sport = htons(f->sport);
		id->idiag_dport = wild ? 0 : htons(f->dport);
	} else {
		local = (uint8_t *)id->idiag_dst;
		remote = (uint8_t *)id->idiag_src;
		id->idiag_dport = htons(f->sport);
		id->idiag_sport = wild ? 0 : htons(f->dport);
	}
	if (f->family == AF_INET6) {
		memcpy(local, f->src, 16);
		if (!wild)
			memcpy(remote, f->dst, 16);
	} else if (mapped) {
		memcpy(local, v4mapped, 12);
		memcpy(local + 12, f->src, 4);
		memcpy(remote, v4mapped, 12);	/* ::ffff:0.0.0.0 if wild */
		if (!wild)
			memcpy(remote + 12, f->dst, 4);
	} else {
		memcpy(local, f->src, 4);
		if (!wild)
			memcpy(remote, f->dst, 4);
	}
}

/* One lookup request.  0 and *out for a live socket; -ENOENT for no
 * socket or a TIME_WAIT entry (flagged); -EAGAIN for a socket without an
 * inode that is not TIME_WAIT (a TCP request socket in SYN_RECV). */
static int query(struct sockdiag *sd, const struct flow *f, bool mapped,
		 bool wild, struct sockdiag_sock *out)
{
	struct inet_diag_sockid id;
	struct inet_diag_msg msg;
	uint8_t family = mapped ? AF_INET6 : f->family;
	int r;

	build_id(f, mapped, wild, &id);
	r = transact(sd, SOCK_DIAG_BY_FAMILY, 0, family, f->proto, &id, &msg);
	if (r < 0)
		return r;
	if (r == 0)
		return -EBADMSG;	/* an ack where a socket was due */
	out->inode = msg.idiag_inode;
	out->uid = msg.idiag_uid;
	out->state = msg.idiag_state;
	out->family = msg.idiag_family;
	out->proto = f->proto;
	out->cookie = (uint64_t)msg.id.idiag_cookie[1] << 32 |
		      msg.id.idiag_cookie[0];
	out->req_family = family;
	out->req_id = id;
	out->req_id.idiag_cookie[0] = msg.id.idiag_cookie[0];
	out->req_id.idiag_cookie[1] = msg.id.idiag_cookie[1];
	if (out->inode)
		return 0;
	if (out->state == TCP_TIME_WAIT) {
		out->flags |= SOCKDIAG_F_TIME_WAIT;
		return -ENOENT;
	}
	return -EAGAIN;
}

/* Native family, then (IPv4 only) the v4-mapped form. */
static int query_both(struct sockdiag *sd, const struct flow *f, bool wild,
		      struct sockdiag_sock *out)
{
	int r;

	r = query(sd, f, false, wild, out);
	if (r != -ENOENT || f->family != AF_INET ||
	    (out->flags & SOCKDIAG_F_TIME_WAIT))
		return r;
	r = query(sd, f, true, wild, out);
	if (r == 0)
		out->flags |= SOCKDIAG_F_V4MAPPED;
	return r;
}

int sockdiag_lookup(struct sockdiag *sd, const struct flow *f,
		    struct sockdiag_sock *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (!proto_ok(f->proto) ||
	    (f->family != AF_INET && f->family != AF_INET6))
		return -EPROTONOSUPPORT;
	r = query_both(sd, f, false, out);
	if (r == 0 || (r != -ENOENT && r != -EAGAIN))
		goto out;
	if (out->flags & SOCKDIAG_F_TIME_WAIT)
		goto out;
	memset(out, 0, sizeof(*out));
	r = query_both(sd, f, true, out);
	if (r == -EAGAIN)
		r = -ENOENT;
	if (r == 0 && f->proto == IPPROTO_TCP && out->state != TCP_LISTEN)
		r = -ENOENT;	/* only the listener may stand in */
	if (r == 0 && f->proto != IPPROTO_TCP)
		out->flags |= SOCKDIAG_F_WILDCARD;
out:
	if (r == 0 && f->proto == IPPROTO_TCP && out->state == TCP_LISTEN) {
		out->flags |= SOCKDIAG_F_LISTEN;
		/* A listener never sends a bare SYN: the connecting socket
		 * is gone and the kernel fell through to the listener. */
		if ((f->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN)
			r = -ENOENT;
	}
	if (r < 0) {
		uint8_t flags = out->flags & SOCKDIAG_F_TIME_WAIT;

		memset(out, 0, sizeof(*out));
		out->flags = flags;
	}
	return r == -EAGAIN ? -ENOENT : r;
}

/* udp_diag_destroy() looks the socket up with (saddr = id.dst, daddr =
 * id.src): the reverse of udp_dump_one(), i.e. the socket's own
 * orientation, as TCP uses for both.  Checked by experiment on 6.18. */
static void destroy_id(const struct sockdiag_sock *s,
		       struct inet_diag_sockid *id)
{
	*id = s->req_id;
	if (s->proto == IPPROTO_TCP)
		return;
	memcpy(id->idiag_src, s->req_id.idiag_dst, sizeof(id->idiag_src));
	memcpy(id->idiag_dst, s->req_id.idiag_src, sizeof(id->idiag_dst));
	id->idiag_sport = s->req_id.idiag_dport;
	id->idiag_dport = s->req_id.idiag_sport;
}

int sockdiag_destroy(struct sockdiag *sd, const struct sockdiag_sock *s)
{
	struct inet_diag_sockid id;
	struct inet_diag_msg msg;
	int r;

	if (!s->inode || (s->proto == IPPROTO_TCP && s->state == TCP_LISTEN))
		return -EINVAL;
	destroy_id(s, &id);
	r = transact(sd, SOCK_DESTROY, NLM_F_ACK, s->req_family, s->proto,
		     &id, &msg);
	return r > 0 ? -EBADMSG : r;
}
