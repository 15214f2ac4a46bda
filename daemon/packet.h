/* packet.h - IPv4/IPv6 + L4 header parsing into a flow.  No I/O. */
#ifndef TATTLE_PACKET_H
#define TATTLE_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* flow.flags */
#define FLOW_F_FRAGMENT	0x01	/* packet is a fragment (any) */
#define FLOW_F_NO_L4	0x02	/* no L4 header: non-first fragment, or
				 * unknown/none next header */

/* The parsed view of one packet.  Addresses are in network byte order;
 * IPv4 uses the first 4 bytes of src/dst, the rest is zero.  Ports are in
 * host byte order and 0 when the protocol has none.  Offsets index the
 * buffer given to packet_parse(). */
struct flow {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_* of the L4 header (after the
				 * IPv6 extension chain) */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t tcp_flags;	/* TCP: the flags byte (FIN 0x01, SYN 0x02,
				 * RST 0x04, ACK 0x10) */
	uint8_t icmp_type;	/* ICMP / ICMPv6 */
	uint8_t icmp_code;
	uint8_t flags;		/* FLOW_F_* */
	uint16_t l4_off;	/* offset of the L4 header */
	uint16_t payload_off;	/* offset of the L4 payload (UDP: after the
				 * 8-byte header; TCP: after data offset) */
	uint32_t payload_len;	/* bytes of L4 payload present in the buffer */
};

/* Parse an IP packet (first byte's version nibble selects v4/v6).
 * 0 and *f filled on success; -EBADMSG when malformed or truncated before
 * the headers we need; -EPROTONOSUPPORT when not IPv4/IPv6.  A buffer
 * shorter than the IP total length (a short copy range) is not an error as
 * long as every header read lies inside len. */
int packet_parse(const uint8_t *buf, size_t len, struct flow *f);

/* "tcp", "udp", "udplite", "sctp", "icmp", "icmpv6", or NULL for others. */
const char *packet_proto_name(uint8_t proto);

/* OpenSnitch protocol operand: "tcp", "udp", "udplite", "sctp", "icmp",
 * with "6" appended for IPv6 ("tcp6", "icmp6" is written "icmp6").  Writes
 * into buf (at least 16 bytes); returns buf, or NULL for unknown protocols. */
const char *packet_proto_operand(const struct flow *f, char *buf, size_t len);

/* Address as text (inet_ntop); buf at least 46 bytes.  Returns buf. */
const char *flow_addr_str(int family, const uint8_t *addr, char *buf, size_t len);

#endif
