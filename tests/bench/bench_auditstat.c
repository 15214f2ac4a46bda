/* bench_auditstat - read or put back the kernel audit state, so that
 * scripts/bench.sh can prove a benchmark run left audit as it found it.
 *
 * usage: bench_auditstat get          prints "ENABLED BACKLOG_LIMIT"
 *        bench_auditstat set E B      sets enabled and backlog_limit
 * Needs CAP_AUDIT_CONTROL; run in the initial network namespace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/audit.h>
#include <linux/netlink.h>

#define AS_BUFSZ 8192

struct as_reply {
	struct audit_status st;
	int have;
};

static int as_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct as_reply *rep = data;

	if (nlh->nlmsg_type == AUDIT_GET &&
	    mnl_nlmsg_get_payload_len(nlh) >= sizeof(rep->st)) {
		memcpy(&rep->st, mnl_nlmsg_get_payload(nlh), sizeof(rep->st));
		rep->have = 1;
	}
	return MNL_CB_OK;
}

/* Send one request and read until its ACK.  0 or -errno. */
static int as_request(struct mnl_socket *nl, uint16_t type, const void *payload,
		      size_t len, struct as_reply *rep)
{
	char buf[AS_BUFSZ];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint32_t seq = 1, portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int r;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (len)
		memcpy(mnl_nlmsg_put_extra_header(nlh, len), payload, len);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, portid, as_data_cb, rep);
		if (r < 0)
			return -errno;
		/* The status reply may come before or after the ACK. */
		if (rep ? rep->have : r == MNL_CB_STOP)
			return 0;
	}
}

int main(int argc, char **argv)
{
	struct mnl_socket *nl;
	struct timeval tv = { .tv_sec = 2 };
	struct as_reply rep;
	int r = 0, rc = 1;

	memset(&rep, 0, sizeof(rep));
	if (!(argc == 2 && !strcmp(argv[1], "get")) &&
	    !(argc == 4 && !strcmp(argv[1], "set"))) {
		fprintf(stderr, "usage: bench_auditstat get | set ENABLED BACKLOG_LIMIT\n");
		return 2;
	}
	nl = mnl_socket_open(NETLINK_AUDIT);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("bench_auditstat: netlink audit");
		goto out;
	}
	/* Bounded: a reply that never comes is an error, not a hang. */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (argc == 2) {
		if ((r = as_request(nl, AUDIT_GET, NULL, 0, &rep)) < 0 || !rep.have) {
			fprintf(stderr, "bench_auditstat: get: %s\n",
				r < 0 ? strerror(-r) : "no reply");
			goto out;
		}
		printf("%u %u\n", rep.st.enabled, rep.st.backlog_limit);
	} else {
		struct audit_status st;

		memset(&st, 0, sizeof(st));
		st.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_BACKLOG_LIMIT;
		st.enabled = (uint32_t)strtoul(argv[2], NULL, 10);
		st.backlog_limit = (uint32_t)strtoul(argv[3], NULL, 10);
		if ((r = as_request(nl, AUDIT_SET, &st, sizeof(st), NULL)) < 0) {
			fprintf(stderr, "bench_auditstat: set: %s\n", strerror(-r));
			goto out;
		}
	}
	rc = 0;
out:
	if (nl)
		mnl_socket_close(nl);
	return rc;
}
