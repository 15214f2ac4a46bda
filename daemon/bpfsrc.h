/* bpfsrc.h - the eBPF attribution source: load the object built from
 * daemon/bpf/ (CO-RE, libbpf skeleton), attach it at the cgroup v2 root,
 * and answer "which process owns this flow" with one map lookup.
 *
 * What the programs record, and when (daemon/bpf/README.md has the why):
 *  - TCP: the SYN's 5-tuple, from tcp_connect() (sockops), before the SYN
 *    reaches netfilter;
 *  - unconnected UDP (sendto/sendmsg/sendmmsg): each new destination of a
 *    socket, at the send, before the datagram reaches netfilter; the source
 *    address is not chosen yet, so unless bound it is recorded as zeros;
 *  - connected UDP: the owner by socket cookie while the socket is open
 *    (found with sock_diag), and the 5-tuple when it is closed (before it
 *    leaves the kernel's tables, so a sock_diag miss is followed by a hit);
 *  - exec: executable (dev, inode) -> a path it was run by.
 * Owners are stamped in the connecting or sending task's own context, so a
 * record stays exact after the process has exited.
 *
 * The programs are held by bpf_link fds: they detach when tattled exits in
 * any way (a crash or SIGKILL included), so a restart never stacks copies.
 * A short-lived child process does the loading (libbpf parses megabytes
 * of kernel BTF) and passes the map and link fds back, so tattled's memory
 * never holds it.  After bpfsrc_open() no capability is needed: lookups
 * use the map fds. */
#ifndef TATTLE_BPFSRC_H
#define TATTLE_BPFSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/flowrec.h"

struct flow;
struct bpfsrc;

#define BPFSRC_DEFAULT_FLOWS	65536
#define BPFSRC_DEFAULT_SOCKETS	65536
#define BPFSRC_DEFAULT_EXECS	16384
#define BPFSRC_WHY_LEN		256

struct bpfsrc_config {
	uint32_t flows;		/* map sizes; 0 = the defaults above */
	uint32_t sockets;
	uint32_t execs;
	const char *cgroup;	/* cgroup v2 directory to attach at; NULL:
				 * the first cgroup2 mount in /proc/self/mounts */
};

struct bpfsrc_stats {
	uint64_t flow_hits, flow_misses;	/* bpfsrc_flow() */
	uint64_t sock_hits, sock_misses;	/* bpfsrc_sock() */
	uint64_t flows_inserted;	/* new keys written by the programs */
	uint64_t flow_evictions;	/* inserts past capacity: each one
					 * pushed the least recent record out */
	uint32_t flow_capacity;
	bool exec;			/* exec tracking attached */
};

/* Load, size and attach everything (in a child process: call it before
 * any thread is started).  0 and *out; on failure -errno, *out NULL,
 * everything loaded so far detached and freed, and why holds one
 * line naming what is missing ("no kernel BTF ...", "missing CAP_BPF",
 * "the kernel refused ... (EPERM)").  Exec tracking is optional: when the
 * kernel refuses only it, the rest is used and bpfsrc_get_stats() says so. */
int bpfsrc_open(const struct bpfsrc_config *c, struct bpfsrc **out,
		char *why, size_t whylen);

/* Detach and free.  NULL is fine. */
void bpfsrc_close(struct bpfsrc *b);

/* The record for the outbound packet f in network namespace netns (a
 * cookie, see bpfsrc_netns_cookie): the exact 5-tuple first, then the same
 * with the source address unknown (unconnected UDP).  0 and *out, or
 * -ENOENT. */
int bpfsrc_flow(struct bpfsrc *b, uint64_t netns, const struct flow *f,
		struct flowrec_val *out);

/* The owner of the open socket with this cookie (sock_diag gives it).
 * 0 and *out, or -ENOENT. */
int bpfsrc_sock(struct bpfsrc *b, uint64_t cookie, struct flowrec_owner *out);

/* A path the executable (dev, inode; kernel encoding, as in an owner
 * record) was run by.  0 and *out; -ENOENT (also without exec tracking). */
int bpfsrc_exec(struct bpfsrc *b, uint64_t exe_dev, uint64_t exe_ino,
		struct flowrec_exec *out);

void bpfsrc_get_stats(const struct bpfsrc *b, struct bpfsrc_stats *out);

/* The cookie of the calling thread's network namespace (SO_NETNS_COOKIE).
 * 0 and *out, or -errno. */
int bpfsrc_netns_cookie(uint64_t *out);

/* ---- Pure helpers (no I/O), unit-tested. */

/* The map key for f in netns; any_src zeroes the source address. */
void bpfsrc_flow_key(uint64_t netns, const struct flow *f, bool any_src,
		     struct flowrec_key *k);

/* A kernel dev_t (major << 20 | minor, as in s_dev) as user space's
 * st_dev encoding. */
uint64_t bpfsrc_dev_to_user(uint64_t kdev);

/* A start_boottime in ns as /proc/PID/stat field 22 (clock ticks at hz). */
uint64_t bpfsrc_start_ticks(uint64_t start_ns, long hz);

/* One line for why loading failed: what the capability mask (bit n =
 * capability n) lacks, else what err means at that stage. */
void bpfsrc_explain(int err, const char *stage, uint64_t caps, char *why,
		    size_t whylen);

#endif
