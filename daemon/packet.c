/* packet.c - IPv4/IPv6 + L4 header parsing into a flow.  No I/O.
 *
 * Every read is checked against `end`, the end of the IP datagram as far
 * as it is present: min(len, IP total length).  Headers past the total
 * length are not part of the packet, so they are treated as missing. */
#include "packet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define IPV4_HDR_MIN	20
#define IPV6_HDR_LEN	40
#define IPV6_EXT_MIN	8	/* every extension header is >= 8 bytes */
#define TCP_HDR_MIN	20
#define UDP_HDR_LEN	8
#define SCTP_HDR_LEN	12
#define ICMP_HDR_LEN	8	/* type, code, checksum, 4 bytes of rest */

/* More extension headers than this is not a real packet; it is someone
 * making us walk.  The kernel itself stops well before 2 KiB per header. */
#define PACKET_MAX_EXTHDR 8

#define IPV4_MF		0x2000
#define IPV4_OFFMASK	0x1fff
#define IPV6_FRAG_MF	0x0001

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* UDP length covers header + payload.  0 is allowed (IPv6 jumbograms);
 * 1..7 cannot be.  A length past the bytes present is a first fragment or
 * a short copy, so it never grows the payload. */
static int udp_clip(const uint8_t *p, struct flow *f, size_t *payload)
{
	size_t ulen = rd16(p + 4);

	if (f->proto == IPPROTO_UDPLITE)
		return 0;	/* that field is checksum coverage, not length */
	if (ulen == 0)
		return 0;
	if (ulen < UDP_HDR_LEN)
		return -EBADMSG;
	if (ulen - UDP_HDR_LEN < *payload)
		*payload = ulen - UDP_HDR_LEN;
	return 0;
}

/* Fill ports / flags / payload from the L4 header at off; off <= end. */
static int parse_l4(const uint8_t *buf, size_t end, size_t off,
		    struct flow *f)
{
	const uint8_t *p = buf + off;
	size_t avail = end - off, hlen = 0;
	int r = 0;

	switch (f->proto) {
	case IPPROTO_TCP:
		if (avail < TCP_HDR_MIN)
			return -EBADMSG;
		hlen = (size_t)(p[12] >> 4) * 4;
		if (hlen < TCP_HDR_MIN || hlen > avail)
			return -EBADMSG;
		f->tcp_flags = p[13];
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		hlen = UDP_HDR_LEN;
		break;
	case IPPROTO_SCTP:
		hlen = SCTP_HDR_LEN;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		hlen = ICMP_HDR_LEN;
		break;
	default:
		f->flags |= FLOW_F_NO_L4;
		break;
	}
	if (hlen > avail)
		return -EBADMSG;
	if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		f->icmp_type = p[0];
		f->icmp_code = p[1];
	} else if (hlen) {
		f->sport = rd16(p);
		f->dport = rd16(p + 2);
	}
	avail -= hlen;
	if (f->proto == IPPROTO_UDP || f->proto == IPPROTO_UDPLITE)
		r = udp_clip(p, f, &avail);
	f->l4_off = (uint16_t)off;
	f->payload_off = (uint16_t)(off + hlen);
	f->payload_len = avail > UINT32_MAX ? UINT32_MAX : (uint32_t)avail;
	return r;
}

/* A fragment without its L4 header: ports stay 0, the rest is payload. */
static int no_l4(struct flow *f, size_t off, size_t end)
{
	f->flags |= FLOW_F_FRAGMENT | FLOW_F_NO_L4;
	f->l4_off = (uint16_t)off;
	f->payload_off = (uint16_t)off;
	f->payload_len = (uint32_t)(end - off);
	return 0;
}

static int parse_ipv4(const uint8_t *buf, size_t len, struct flow *f)
{
	size_t ihl, tot, end;
	uint16_t frag;

	if (len < IPV4_HDR_MIN)
		return -EBADMSG;
	ihl = (size_t)(buf[0] & 0x0f) * 4;
	tot = rd16(buf + 2);
	if (ihl < IPV4_HDR_MIN || ihl > tot || ihl > len)
		return -EBADMSG;
	end = tot < len ? tot : len;
	f->family = AF_INET;
	f->proto = buf[9];
	memcpy(f->src, buf + 12, 4);
	memcpy(f->dst, buf + 16, 4);
	frag = rd16(buf + 6);
	if (frag & (IPV4_MF | IPV4_OFFMASK))
		f->flags |= FLOW_F_FRAGMENT;
	if (frag & IPV4_OFFMASK)
		return no_l4(f, ihl, end);
	return parse_l4(buf, end, ihl, f);
}

static int is_ipv6_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_AH;
}

/* Length of the extension header at p (avail >= IPV6_EXT_MIN). */
static size_t ipv6_ext_len(uint8_t nh, const uint8_t *p)
{
	if (nh == IPPROTO_FRAGMENT)
		return 8;
	if (nh == IPPROTO_AH)
		return ((size_t)p[1] + 2) * 4;	/* RFC 4302: 4-byte units */
	return ((size_t)p[1] + 1) * 8;		/* RFC 8200: 8-byte units */
}

/* Walk the extension chain from off; stop at the first non-extension
 * header, which becomes f->proto.  Hop-by-hop is only valid first
 * (RFC 8200 4.3), as the kernel enforces. */
static int ipv6_walk(const uint8_t *buf, size_t end, uint8_t nh,
		     struct flow *f)
{
	size_t off = IPV6_HDR_LEN, hlen;
	unsigned int n;
	uint16_t frag;

	for (n = 0; is_ipv6_ext(nh); n++) {
		if (n == PACKET_MAX_EXTHDR)
			return -EBADMSG;
		if (nh == IPPROTO_HOPOPTS && n != 0)
			return -EBADMSG;
		if (end - off < IPV6_EXT_MIN)
			return -EBADMSG;
		hlen = ipv6_ext_len(nh, buf + off);
		if (hlen > end - off)
			return -EBADMSG;
		if (nh == IPPROTO_FRAGMENT) {
			frag = rd16(buf + off + 2);
			/* an atomic fragment (offset 0, no M) is whole */
			if (frag & (0xfff8 | IPV6_FRAG_MF))
				f->flags |= FLOW_F_FRAGMENT;
			if (frag & 0xfff8) {
				f->proto = buf[off];
				return no_l4(f, off + hlen, end);
			}
		}
		nh = buf[off];
		off += hlen;
	}
	f->proto = nh;
	return parse_l4(buf, end, off, f);
}

static int parse_ipv6(const uint8_t *buf, size_t len, struct flow *f)
{
	size_t plen, end;
	uint8_t nh;

	if (len < IPV6_HDR_LEN)
		return -EBADMSG;
	plen = rd16(buf + 4);
	nh = buf[6];
	end = IPV6_HDR_LEN + plen;
	/* payload length 0 with hop-by-hop is a jumbogram (RFC 2675): the
	 * real length is in an option; use what we were given */
	if ((plen == 0 && nh == IPPROTO_HOPOPTS) || end > len)
		end = len;
	f->family = AF_INET6;
	memcpy(f->src, buf + 8, 16);
	memcpy(f->dst, buf + 24, 16);
	return ipv6_walk(buf, end, nh, f);
}

int packet_parse(const uint8_t *buf, size_t len, struct flow *f)
{
	int r;

	memset(f, 0, sizeof(*f));
	if (len < 1)
		return -EBADMSG;
	switch (buf[0] >> 4) {
	case 4:
		r = parse_ipv4(buf, len, f);
		break;
	case 6:
		r = parse_ipv6(buf, len, f);
		break;
	default:
		r = -EPROTONOSUPPORT;
		break;
	}
	if (r < 0)
		memset(f, 0, sizeof(*f));
	return r;
}

const char *packet_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		return NULL;
	}
}

const char *packet_proto_operand(const struct flow *f, char *buf, size_t len)
{
	const char *base;
	int n;

	/* OpenSnitch calls both ICMP flavours "icmp" and marks IPv6 by a
	 * trailing 6 on every protocol */
	base = f->proto == IPPROTO_ICMPV6 ? "icmp" : packet_proto_name(f->proto);
	if (!base || !buf || len == 0)
		return NULL;
	n = snprintf(buf, len, "%s%s", base, f->family == AF_INET6 ? "6" : "");
	if (n < 0 || (size_t)n >= len)
		return NULL;
	return buf;
}

const char *flow_addr_str(int family, const uint8_t *addr, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (len > INT32_MAX || !inet_ntop(family, addr, buf, (socklen_t)len))
		buf[0] = '\0';
	return buf;
}
