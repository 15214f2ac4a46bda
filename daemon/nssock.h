/* nssock.h - the socket behind a flow that was sent from another network
 * namespace (a forwarded packet from a container on a bridge): the
 * /proc/PID/net tables of one process per namespace, since sock_diag
 * answers only for the namespace its socket lives in and entering
 * another would need CAP_SYS_ADMIN.  Blocking reads: worker thread only. */
#ifndef TATTLE_NSSOCK_H
#define TATTLE_NSSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sockdiag.h"

struct flow;

#define NSSOCK_MAX_NETNS	256	/* namespaces looked at per lookup */

struct nssock_result {
	struct sockdiag_sock sock;
	pid_t pid;		/* a process in the namespace it was found in */
	uint64_t netns;		/* that namespace's inode */
	size_t netns_tried;	/* namespaces whose tables were read */
};

/* Find the socket of f (src = the sender's local end) in the network
 * namespaces of the hint pids first, then, when walk is set, of every
 * process under procroot; skip_netns (ours, 0 = none) is never read.  An
 * exact 5-tuple match in any namespace wins; an unconnected UDP socket
 * bound to the source port (a wildcard match) counts only when exactly
 * one namespace has one, and a TCP listener never does (a forwarded
 * SYN is a connect).  0 and *out; -ENOENT; -EPROTONOSUPPORT for protocols
 * without socket tables. */
int nssock_lookup(const char *procroot, const struct flow *f,
		  const pid_t *hints, size_t nhints, uint64_t skip_netns,
		  bool walk, struct nssock_result *out);

#endif
