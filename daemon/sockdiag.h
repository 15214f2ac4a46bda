/* sockdiag.h - map an outbound packet's 5-tuple to its socket (inode, owner
 * uid, state, cookie) with one NETLINK_SOCK_DIAG exact lookup, and destroy
 * sockets for the `reject` verdict.
 *
 * Open the handle after entering the target network namespace: sock_diag
 * answers for the namespace the netlink socket was created in.  The handle
 * is not thread-safe (one request in flight at a time); it never blocks,
 * because the kernel queues the reply before sendmsg() returns.
 *
 * Kernel facts this relies on (checked on 6.18 by tests/unit/test_sockdiag.c):
 *  - TCP: the request id is (src = local, dst = remote).  The kernel's exact
 *    lookup is inet_lookup(): established/TIME_WAIT/request sockets first,
 *    then the listener on the local address/port.
 *  - UDP/UDPLite: the request id is swapped (src = remote, dst = local),
 *    because udp_dump_one() calls __udp{4,6}_lib_lookup(saddr = id.src,
 *    daddr = id.dst) as for a received datagram.  That lookup is the normal
 *    scored socket lookup, so unconnected sockets match too; the wildcard
 *    retry below only covers what the scored lookup rejects.
 *  - Replies always carry the id in socket orientation (src = local).
 */
#ifndef TATTLE_SOCKDIAG_H
#define TATTLE_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/inet_diag.h>

struct flow;
struct sockdiag;

/* sockdiag_sock.flags */
#define SOCKDIAG_F_TIME_WAIT	0x01	/* only a TIME_WAIT entry matched (the
					 * owner closed it): lookup is -ENOENT */
#define SOCKDIAG_F_LISTEN	0x02	/* TCP: the listener matched, not a
					 * connection (see sockdiag_lookup) */
#define SOCKDIAG_F_WILDCARD	0x04	/* UDP: matched with a wildcard remote */
#define SOCKDIAG_F_V4MAPPED	0x08	/* IPv4 flow found as an AF_INET6
					 * socket via ::ffff:a.b.c.d */

/* One socket as sock_diag reported it. */
struct sockdiag_sock {
	uint64_t inode;		/* 0 only with SOCKDIAG_F_TIME_WAIT */
	uint64_t cookie;	/* kernel socket cookie, stable for the
				 * socket's life, never reused */
	uint32_t uid;		/* owner uid (in the netns's user ns) */
	uint8_t state;		/* TCP_* (netinet/tcp.h); UDP: TCP_ESTABLISHED
				 * when connected, TCP_CLOSE when not */
	uint8_t family;		/* AF_INET / AF_INET6 of the socket found */
	uint8_t proto;		/* IPPROTO_TCP / _UDP / _UDPLITE */
	uint8_t flags;		/* SOCKDIAG_F_* */
	/* The request that found it (for sockdiag_destroy); private. */
	uint8_t req_family;
	struct inet_diag_sockid req_id;
};

/* Open a NETLINK_SOCK_DIAG socket in the current network namespace.
 * NULL and errno on failure; EPROTONOSUPPORT means no sock_diag in this
 * kernel: use procnet_lookup() instead. */
struct sockdiag *sockdiag_open(void);

/* Close the socket and free the handle.  NULL is fine. */
void sockdiag_close(struct sockdiag *sd);

/* Find the local socket that sends the outbound packet f (f->src local,
 * f->dst remote).  TCP, UDP and UDPLite over IPv4/IPv6 only.
 * One round trip when the exact tuple matches; on a miss at most three more:
 *  - IPv4 flow: AF_INET6 with ::ffff:a.b.c.d (dual-stack socket);
 *  - TCP exact match in SYN_RECV (a request socket: inode 0): the listener
 *    owns it, so ask again with a wildcard remote and accept only LISTEN.
 *    This is when a local *server*'s packets are attributed: the SYN-ACK
 *    sent before accept(), or a server reply that conntrack sees as NEW
 *    (connection picked up mid-stream after a conntrack flush or a daemon
 *    restart).  The kernel's own exact lookup also falls through to the
 *    listener; either way the result has SOCKDIAG_F_LISTEN.  A flow with
 *    SYN set and ACK clear is never given a listener (a listener does not
 *    connect): -ENOENT;
 *  - UDP: ask again with a wildcard remote (unconnected socket).
 * Returns 0 and *out on a hit; -ENOENT when no socket owns the tuple
 * (out->flags has SOCKDIAG_F_TIME_WAIT when only a TIME_WAIT entry did:
 * the process has closed it); -EPROTONOSUPPORT for other protocols or
 * families; other -errno on netlink failure.  A kernel without the diag
 * module for the protocol (normally autoloaded) also answers -ENOENT.
 * *out is cleared first. */
int sockdiag_lookup(struct sockdiag *sd, const struct flow *f,
		    struct sockdiag_sock *out);

/* SOCK_DESTROY the socket s found by sockdiag_lookup (matched by its tuple
 * and cookie, so a newer socket reusing the tuple is never hit).  A TCP
 * socket gets a reset: its pending connect()/send()/recv() fails with
 * ECONNABORTED at once.  A UDP socket is shut for good (all its flows).
 * 0 on success; -EINVAL for a listener or TIME_WAIT entry (rejecting one
 * connection must not kill a server); -ENOENT if it is already gone;
 * -EPERM without CAP_NET_ADMIN; -EOPNOTSUPP without
 * CONFIG_INET_DIAG_DESTROY; other -errno. */
int sockdiag_destroy(struct sockdiag *sd, const struct sockdiag_sock *s);

#endif
