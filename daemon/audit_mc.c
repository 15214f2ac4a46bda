/* audit_mc.c - the audit multicast reader (AUDIT_NLGRP_READLOG): records
 * from the kernel only, loss counted.  See audit.h. */
#include "audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

/* ---- Multicast reader ---- */

struct audit_mc {
	int fd;
	struct audit_mc_stats st;
	uint8_t buf[AUDIT_MC_BUF_SIZE] __attribute__((aligned(4)));
};

struct audit_mc *audit_mc_open(int rcvbuf_bytes)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1),
	};
	struct audit_mc *m;
	int err;

	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       NETLINK_AUDIT);
	if (m->fd < 0)
		goto fail;
	if (rcvbuf_bytes <= 0)
		rcvbuf_bytes = AUDIT_MC_RCVBUF_DEFAULT;
	/* FORCE passes rmem_max (needs CAP_NET_ADMIN); bursts of records
	 * must not overrun us while the loop is busy. */
	if (setsockopt(m->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf_bytes,
		       sizeof(rcvbuf_bytes)) < 0 &&
	    setsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf_bytes,
		       sizeof(rcvbuf_bytes)) < 0)
		goto fail;
	if (bind(m->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	return m;
fail:
	err = errno;
	audit_mc_close(m);
	errno = err;
	return NULL;
}

int audit_mc_fd(const struct audit_mc *m)
{
	return m->fd;
}

void audit_mc_close(struct audit_mc *m)
{
	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

static void mc_walk(struct audit_mc *m, int len, audit_mc_cb *cb, void *data)
{
	const struct nlmsghdr *nlh = (const void *)m->buf;
	const char *text;
	size_t n;

	if (!mnl_nlmsg_ok(nlh, len)) {
		m->st.malformed++;
		return;
	}
	m->st.datagrams++;
	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		text = mnl_nlmsg_get_payload(nlh);
		n = mnl_nlmsg_get_payload_len(nlh);
		/* Old kernels counted a NUL into the length. */
		while (n && text[n - 1] == '\0')
			n--;
		m->st.records++;
		cb(nlh->nlmsg_type, text, n, data);
	}
	if (len > 0)
		m->st.malformed++;	/* trailing bytes that are no message */
}

/* 0 when a datagram (or an overrun report) was consumed, else -errno. */
static int mc_recv_one(struct audit_mc *m, audit_mc_cb *cb, void *data)
{
	struct sockaddr_nl sa;
	struct iovec iov = { m->buf, sizeof(m->buf) };
	struct msghdr msg = {
		.msg_name = &sa, .msg_namelen = sizeof(sa),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	/* MSG_TRUNC: netlink returns the real datagram length. */
	n = recvmsg(m->fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 && errno == ENOBUFS) {
		m->st.enobufs++;
		return 0;
	}
	if (n < 0)
		return -errno;
	if ((size_t)n > sizeof(m->buf) || (msg.msg_flags & MSG_TRUNC)) {
		m->st.truncated++;
		return 0;
	}
	/* Any root process can send to the group; only the kernel speaks
	 * for audit. */
	if (msg.msg_namelen < sizeof(sa) || sa.nl_family != AF_NETLINK ||
	    sa.nl_pid != 0) {
		m->st.spoofed++;
		return 0;
	}
	mc_walk(m, (int)n, cb, data);
	return 0;
}

int audit_mc_drain(struct audit_mc *m, audit_mc_cb *cb, void *data,
		   unsigned max)
{
	unsigned got = 0;
	int r;

	while (got < max) {
		r = mc_recv_one(m, cb, data);
		if (r == -EINTR)
			continue;
		if (r == -EAGAIN || r == -EWOULDBLOCK)
			break;
		if (r < 0)
			return r;
		got++;
	}
	return (int)got;
}

int audit_mc_stats(struct audit_mc *m, struct audit_mc_stats *out)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mi);
	int rcvbuf, r = 0;
	socklen_t rlen = sizeof(rcvbuf);

	memset(mi, 0, sizeof(mi));
	if (getsockopt(m->fd, SOL_SOCKET, SO_MEMINFO, mi, &len) < 0)
		r = -errno;
	else if (len >= (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t))
		m->st.sk_drops = mi[SK_MEMINFO_DROPS];
	if (getsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &rlen) == 0)
		m->st.rcvbuf = rcvbuf;
	else if (!r)
		r = -errno;
	*out = m->st;
	return r;
}
