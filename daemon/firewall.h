/* firewall.h - install and remove tattle's own netfilter chains.
 *
 * Outbound TCP with only SYN set, and other protocols in conntrack state
 * NEW, go to our NFQUEUE; inbound UDP from port 53 too (for hostnames);
 * with forward, the same new flows on the FORWARD hook.
 * Packets carrying our own mark are accepted.  nftables is used when the
 * kernel has the nft queue statement, else iptables/ip6tables through
 * iptables-restore --noflush (atomic per family).  Stale chains from a
 * crash are removed before installing, so chains are never duplicated. */
#ifndef TATTLE_FIREWALL_H
#define TATTLE_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FIREWALL_CHAIN_OUT	"TATTLE-OUT"
#define FIREWALL_CHAIN_IN	"TATTLE-IN"
#define FIREWALL_CHAIN_FWD	"TATTLE-FWD"	/* --forward only */
#define FIREWALL_NFT_TABLE	"tattle"
#define FIREWALL_OWN_MARK	0x7a77u	/* SO_MARK on tattled's own sockets */

enum firewall_backend { FIREWALL_NONE, FIREWALL_NFT, FIREWALL_IPTABLES };

struct firewall_opts {
	uint16_t queue;
	bool fail_closed;	/* no --queue-bypass / bypass flag */
	bool forward;		/* new forwarded flows too (FORWARD hook):
				 * containers on a bridge, other hosts */
};

/* The iptables-restore input for one family (4 or 6).  Pure.  Returns the
 * length written or -ENOSPC. */
int firewall_render_iptables(const struct firewall_opts *o, int family,
			     char *buf, size_t len);
/* The nft -f input (replaces our table atomically).  Pure. */
int firewall_render_nft(const struct firewall_opts *o, char *buf, size_t len);

/* Install for both families in the current network namespace; removes any
 * stale chains first.  *backend says which one was used.  0 or -errno; on
 * failure err holds a one-line reason. */
int firewall_install(const struct firewall_opts *o,
		     enum firewall_backend *backend, char *err, size_t errlen);

/* Remove our chains/table (both backends, whichever exist).  0 or -errno. */
int firewall_remove(void);

/* Whether any of our chains or our table exists in this namespace:
 * 1 yes, 0 no, -errno when the tools fail. */
int firewall_present(void);

const char *firewall_backend_name(enum firewall_backend b);

#endif
