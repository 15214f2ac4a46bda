/* nfqueue.h - the NFQUEUE socket (libmnl + libnetfilter_queue's nlmsg API):
 * bind a queue, receive packets, send verdicts asynchronously by id. */
#ifndef TATTLE_NFQUEUE_H
#define TATTLE_NFQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enough for every header we parse and a DNS reply (EDNS0 4096 + headers). */
#define NFQUEUE_COPY_RANGE	4352
#define NFQUEUE_MAXLEN		8192	/* default kernel queue length */
#define NFQUEUE_MAXLEN_MAX	(1u << 20)
#define NFQUEUE_RCVBUF		(16u << 20)
#define NFQUEUE_PROC		"/proc/net/netfilter/nfnetlink_queue"

struct nfqueue;

struct nfqueue_pkt {
	uint32_t id;
	uint16_t hw_proto;	/* ETH_P_IP / ETH_P_IPV6, host order */
	uint8_t hook;
	const uint8_t *payload;	/* points into the receive buffer */
	size_t len;		/* bytes present (<= copy range) */
	uint32_t orig_len;	/* wire length (NFQA_CAP_LEN) or len */
	bool has_uid;
	uint32_t uid, gid;
	uint32_t mark;
	uint32_t indev, outdev;	/* ifindex, 0 = none */
};

struct nfqueue_stats {
	uint64_t received;
	uint64_t malformed;	/* netlink messages we could not read */
	uint64_t enobufs;	/* kernel dropped messages to us */
	uint64_t verdicts;
	uint64_t verdict_errors;
	/* The kernel's own counters for our queue (NFQUEUE_PROC), as last
	 * read by nfqueue_poll_kernel(): packets dropped because the queue
	 * was full, and because sending them to us failed (socket buffer). */
	uint64_t queue_dropped;
	uint64_t user_dropped;
};

/* One line of NFQUEUE_PROC. */
struct nfqueue_kstats {
	uint32_t portid;
	uint32_t queued;		/* waiting for a verdict now */
	uint64_t queue_dropped;
	uint64_t user_dropped;
};

/* 0 to keep reading, <0 to stop the drain and return that error. */
typedef int (*nfqueue_cb)(const struct nfqueue_pkt *p, void *data);

/* Open and bind queue `num`, holding at most maxlen packets (0: the
 * default NFQUEUE_MAXLEN).  The queue is never bound with FAIL_OPEN: when
 * it is full the kernel drops new packets (senders retry) instead of
 * accepting them unseen, so overload can never turn into an allow.  (While
 * no tattled is bound at all, the rules' --queue-bypass decides.)
 * NULL and errno (EBUSY: another program owns the queue; EPERM: needs
 * CAP_NET_ADMIN). */
struct nfqueue *nfqueue_open(uint16_t num, uint32_t maxlen);
void nfqueue_close(struct nfqueue *q);
int nfqueue_fd(const struct nfqueue *q);

/* Read up to max packets without blocking, calling cb for each.
 * Returns the number read; ENOBUFS is counted and not an error. */
int nfqueue_drain(struct nfqueue *q, unsigned max, nfqueue_cb cb, void *data);

/* verdict: NF_ACCEPT or NF_DROP.  0 or -errno (-ENOENT: id unknown to the
 * kernel, e.g. already decided or flushed). */
int nfqueue_verdict(struct nfqueue *q, uint32_t id, int verdict);

void nfqueue_get_stats(const struct nfqueue *q, struct nfqueue_stats *st);

/* Parse NFQUEUE_PROC text (len bytes, need not be NUL-terminated) for
 * queue num.  0 and *out; -ENOENT when the queue has no line; -EBADMSG
 * when its line is malformed.  No I/O. */
int nfqueue_parse_proc(const char *text, size_t len, uint16_t num,
		       struct nfqueue_kstats *out);

/* Read the kernel's drop counters for this queue (path: NFQUEUE_PROC in
 * the queue's network namespace; a parameter for tests) and store them in
 * the stats.  Returns how many packets the kernel dropped since the last
 * call (0 when none or unreadable). */
uint64_t nfqueue_poll_kernel(struct nfqueue *q, const char *path);

#endif
