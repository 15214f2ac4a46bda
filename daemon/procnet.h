/* procnet.h - 5-tuple -> socket from /proc/net/{tcp,udp,udplite}{,6}: the
 * fallback for kernels without sock_diag (sockdiag_open() failed with
 * EPROTONOSUPPORT).  Blocking file reads of a size that grows with the
 * socket count: keep it off the verdict loop's fast path.
 *
 * /proc/net is /proc/self/net: it shows the network namespace of the
 * reading thread, so call this after entering the target namespace. */
#ifndef TATTLE_PROCNET_H
#define TATTLE_PROCNET_H

#include <stddef.h>
#include <stdint.h>

#include "sockdiag.h"

struct flow;

/* A line longer than this is counted as malformed and skipped. */
#define PROCNET_LINE_MAX	512

/* One table line, decoded.  The kernel prints each 32-bit address word
 * with %08X of its in-memory (network order) value read as a host u32, so
 * the words are stored back in host order: the bytes then come out in
 * network order, for IPv6 too.  Fixture files are thus endian-specific. */
struct procnet_entry {
	uint8_t family;		/* AF_INET or AF_INET6 (from the caller) */
	uint8_t state;		/* st column: TCP_* for TCP; UDP 07 unconnected,
				 * 01 connected */
	uint8_t local[16];	/* network order; IPv4 in the first 4 bytes */
	uint8_t remote[16];
	uint16_t lport;		/* host order */
	uint16_t rport;
	uint32_t uid;
	uint64_t inode;		/* 0 for TIME_WAIT and unaccepted sockets */
};

/* Called for each entry; return 0 to go on, > 0 to stop (procnet_parse
 * returns that value), < 0 to fail with it. */
typedef int (*procnet_cb)(const struct procnet_entry *e, void *data);

/* Decode one line (no newline needed; len bytes, need not be NUL
 * terminated) of a table of the given family.  0 and *e on success;
 * -EBADMSG when malformed.  The header line is malformed too: callers
 * skip it (procnet_parse does). */
int procnet_parse_line(const char *line, size_t len, int family,
		       struct procnet_entry *e);

/* Parse buf (len bytes of whole lines, the first one may be the header)
 * and call cb for each entry.  Malformed lines are skipped and added to
 * *bad (if not NULL).  Returns 0 when all lines were seen, else what cb
 * returned. */
int procnet_parse(const char *buf, size_t len, int family, procnet_cb cb,
		  void *data, size_t *bad);

/* Read one table file (e.g. "/proc/net/tcp6") in bounded chunks and call
 * cb as procnet_parse does.  -errno if it cannot be opened or read. */
int procnet_read(const char *path, int family, procnet_cb cb, void *data,
		 size_t *bad);

/* Same contract and output as sockdiag_lookup(), from the tables under
 * procroot ("/proc" in production; a fixture directory in tests, holding
 * net/tcp etc.).  Exact tuple first; then TCP: the LISTEN socket on the
 * local address or the wildcard address (also when the exact entry has no
 * inode: an unaccepted connection); UDP: a socket with no remote.  An IPv4
 * flow is also matched against the v6 table as ::ffff:a.b.c.d (and "::"
 * for wildcards).  out->cookie is 0: procnet results cannot be destroyed.
 * -ENOENT when nothing matches (SOCKDIAG_F_TIME_WAIT when only a TIME_WAIT
 * line did), -EPROTONOSUPPORT for other protocols, -errno on I/O failure
 * of a table that exists (a missing v6 or udplite table is skipped). */
int procnet_lookup(const char *procroot, const struct flow *f,
		   struct sockdiag_sock *out);

#endif
