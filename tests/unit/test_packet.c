/* test_packet.c - packet_parse over IPv4/IPv6, extension headers, L4. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <cmocka.h>
#include "packet.h"

/* Header builders.  Lengths are in bytes unless the macro says words. */
#define HI(x)	(((x) >> 8) & 0xff)
#define LO(x)	((x) & 0xff)
#define SRC4	192, 0, 2, 1
#define DST4	198, 51, 100, 7
#define V4W(words, tot, frag, proto) \
	0x40 | (words), 0, HI(tot), LO(tot), 0x12, 0x34, HI(frag), LO(frag), \
	64, proto, 0, 0, SRC4, DST4
#define V4(tot, frag, proto)	V4W(5, tot, frag, proto)
#define SRC6	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
#define DST6	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2
#define V6(plen, nh)	0x60, 0, 0, 0, HI(plen), LO(plen), nh, 64, SRC6, DST6
#define TCPO(sp, dp, doff, fl) \
	HI(sp), LO(sp), HI(dp), LO(dp), 0, 0, 0, 1, 0, 0, 0, 0, \
	(doff) << 4, fl, 0xff, 0xff, 0, 0, 0, 0
#define TCP(sp, dp, fl)	TCPO(sp, dp, 5, fl)
#define UDP(sp, dp, ulen) HI(sp), LO(sp), HI(dp), LO(dp), HI(ulen), LO(ulen), 0, 0
#define SCTP(sp, dp)	HI(sp), LO(sp), HI(dp), LO(dp), 0, 0, 0, 9, 0, 0, 0, 0
#define ICMP(t, c)	t, c, 0, 0, 0, 1, 0, 1
#define PAD4		0, 0, 0, 0
/* IPv6 extension headers */
#define HBH(nh)		nh, 0, 1, 4, 0, 0, 0, 0			/* 8 bytes */
#define RT(nh)		nh, 0, 0, 0, 0, 0, 0, 0			/* 8 bytes */
#define DST16(nh)	nh, 1, 1, 12, PAD4, PAD4, PAD4		/* 16 bytes */
#define FRAG(nh, off8, m) nh, 0, HI(((off8) << 3) | (m)), \
	LO(((off8) << 3) | (m)), 0, 0, 0, 7			/* 8 bytes */
#define AH(nh)		nh, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, \
	PAD4, PAD4, PAD4					/* 24 bytes */

#define PKT(...) .pkt = (const uint8_t[]){ __VA_ARGS__ }, \
	.len = sizeof((const uint8_t[]){ __VA_ARGS__ })

struct ok_case {
	const char *name;
	const uint8_t *pkt;
	size_t len;
	uint8_t family, proto, flags;
	uint16_t sport, dport;
	uint8_t tcp_flags, icmp_type, icmp_code;
	uint16_t l4_off, payload_off;
	uint32_t payload_len;
};

#define F_FRAG	FLOW_F_FRAGMENT
#define F_NOL4	(FLOW_F_FRAGMENT | FLOW_F_NO_L4)

static const struct ok_case ok_cases[] = {
	{ "tcp4 syn", PKT(V4(40, 0, 6), TCP(43210, 443, 0x02)),
	  AF_INET, 6, 0, 43210, 443, 0x02, 0, 0, 20, 40, 0 },
	{ "tcp4 with payload", PKT(V4(44, 0, 6), TCP(1, 2, 0x18), 'a', 'b', 'c', 'd'),
	  AF_INET, 6, 0, 1, 2, 0x18, 0, 0, 20, 40, 4 },
	{ "tcp4 with options", PKT(V4(52, 0, 6), TCPO(5, 6, 8, 0x12), 2, 4, 5, 0xb4,
				   1, 1, 4, 2, 1, 3, 3, 7),
	  AF_INET, 6, 0, 5, 6, 0x12, 0, 0, 20, 52, 0 },
	{ "udp4", PKT(V4(32, 0, 17), UDP(5353, 53, 12), 'x', 'y', 'z', 'w'),
	  AF_INET, 17, 0, 5353, 53, 0, 0, 0, 20, 28, 4 },
	{ "udp4 length field clips payload", PKT(V4(32, 0, 17), UDP(1000, 53, 10), PAD4),
	  AF_INET, 17, 0, 1000, 53, 0, 0, 0, 20, 28, 2 },
	{ "udp4 length zero not clipped", PKT(V4(32, 0, 17), UDP(1000, 53, 0), PAD4),
	  AF_INET, 17, 0, 1000, 53, 0, 0, 0, 20, 28, 4 },
	{ "udplite4 coverage does not clip", PKT(V4(32, 0, 136), UDP(7, 8, 8), PAD4),
	  AF_INET, 136, 0, 7, 8, 0, 0, 0, 20, 28, 4 },
	{ "sctp4", PKT(V4(36, 0, 132), SCTP(5000, 6000), PAD4),
	  AF_INET, 132, 0, 5000, 6000, 0, 0, 0, 20, 32, 4 },
	{ "icmp4 echo", PKT(V4(28, 0, 1), ICMP(8, 0)),
	  AF_INET, 1, 0, 0, 0, 0, 8, 0, 20, 28, 0 },
	{ "icmp4 unreachable", PKT(V4(32, 0, 1), ICMP(3, 13), PAD4),
	  AF_INET, 1, 0, 0, 0, 0, 3, 13, 20, 28, 4 },
	{ "ipv4 options nop eol", PKT(V4W(6, 44, 0, 6), 1, 1, 1, 0, TCP(80, 81, 0x10)),
	  AF_INET, 6, 0, 80, 81, 0x10, 0, 0, 24, 44, 0 },
	{ "ipv4 max options ihl 15", PKT(V4W(15, 68, 0, 17),
		PAD4, PAD4, PAD4, PAD4, PAD4, PAD4, PAD4, PAD4, PAD4, PAD4,
		UDP(11, 12, 8)),
	  AF_INET, 17, 0, 11, 12, 0, 0, 0, 60, 68, 0 },
	{ "ipv4 unknown proto gre", PKT(V4(24, 0, 47), PAD4),
	  AF_INET, 47, FLOW_F_NO_L4, 0, 0, 0, 0, 0, 20, 20, 4 },
	{ "ipv4 first fragment parses l4", PKT(V4(32, 0x2000, 17), UDP(4000, 53, 1000), PAD4),
	  AF_INET, 17, F_FRAG, 4000, 53, 0, 0, 0, 20, 28, 4 },
	{ "ipv4 middle fragment has no l4", PKT(V4(28, 0x2001, 17), UDP(4000, 53, 1000)),
	  AF_INET, 17, F_NOL4, 0, 0, 0, 0, 0, 20, 20, 8 },
	{ "ipv4 last fragment has no l4", PKT(V4(28, 0x0003, 6), PAD4, PAD4),
	  AF_INET, 6, F_NOL4, 0, 0, 0, 0, 0, 20, 20, 8 },
	{ "ipv4 tot_len past buffer is short copy", PKT(V4(1500, 0, 6), TCP(1, 2, 2), 'p'),
	  AF_INET, 6, 0, 1, 2, 2, 0, 0, 20, 40, 1 },
	{ "ipv4 bytes past tot_len ignored", PKT(V4(40, 0, 6), TCP(1, 2, 2), PAD4),
	  AF_INET, 6, 0, 1, 2, 2, 0, 0, 20, 40, 0 },
	{ "tcp6", PKT(V6(20, 6), TCP(50000, 22, 0x02)),
	  AF_INET6, 6, 0, 50000, 22, 0x02, 0, 0, 40, 60, 0 },
	{ "udp6", PKT(V6(12, 17), UDP(53, 40000, 12), PAD4),
	  AF_INET6, 17, 0, 53, 40000, 0, 0, 0, 40, 48, 4 },
	{ "udplite6", PKT(V6(12, 136), UDP(9, 10, 0), PAD4),
	  AF_INET6, 136, 0, 9, 10, 0, 0, 0, 40, 48, 4 },
	{ "sctp6", PKT(V6(12, 132), SCTP(38412, 38412)),
	  AF_INET6, 132, 0, 38412, 38412, 0, 0, 0, 40, 52, 0 },
	{ "icmpv6 echo", PKT(V6(8, 58), ICMP(128, 0)),
	  AF_INET6, 58, 0, 0, 0, 0, 128, 0, 40, 48, 0 },
	{ "ipv6 hop-by-hop", PKT(V6(28, 0), HBH(6), TCP(1, 2, 2)),
	  AF_INET6, 6, 0, 1, 2, 2, 0, 0, 48, 68, 0 },
	{ "ipv6 routing", PKT(V6(16, 43), RT(17), UDP(3, 4, 8)),
	  AF_INET6, 17, 0, 3, 4, 0, 0, 0, 48, 56, 0 },
	{ "ipv6 destination options", PKT(V6(24, 60), DST16(17), UDP(3, 4, 8)),
	  AF_INET6, 17, 0, 3, 4, 0, 0, 0, 56, 64, 0 },
	{ "ipv6 ah", PKT(V6(44, 51), AH(6), TCP(7, 8, 0x11)),
	  AF_INET6, 6, 0, 7, 8, 0x11, 0, 0, 64, 84, 0 },
	{ "ipv6 esp has no l4", PKT(V6(8, 50), PAD4, PAD4),
	  AF_INET6, 50, FLOW_F_NO_L4, 0, 0, 0, 0, 0, 40, 40, 8 },
	{ "ipv6 no next header", PKT(V6(0, 59)),
	  AF_INET6, 59, FLOW_F_NO_L4, 0, 0, 0, 0, 0, 40, 40, 0 },
	{ "ipv6 unknown next header", PKT(V6(4, 253), PAD4),
	  AF_INET6, 253, FLOW_F_NO_L4, 0, 0, 0, 0, 0, 40, 40, 4 },
	{ "ipv6 esp after hop-by-hop", PKT(V6(12, 0), HBH(50), PAD4),
	  AF_INET6, 50, FLOW_F_NO_L4, 0, 0, 0, 0, 0, 48, 48, 4 },
	{ "ipv6 first fragment parses l4", PKT(V6(16, 44), FRAG(17, 0, 1), UDP(5, 53, 900)),
	  AF_INET6, 17, F_FRAG, 5, 53, 0, 0, 0, 48, 56, 0 },
	{ "ipv6 later fragment has no l4", PKT(V6(16, 44), FRAG(17, 1, 1), PAD4, PAD4),
	  AF_INET6, 17, F_NOL4, 0, 0, 0, 0, 0, 48, 48, 8 },
	{ "ipv6 last fragment has no l4", PKT(V6(12, 44), FRAG(6, 185, 0), PAD4),
	  AF_INET6, 6, F_NOL4, 0, 0, 0, 0, 0, 48, 48, 4 },
	{ "ipv6 atomic fragment is whole", PKT(V6(16, 44), FRAG(17, 0, 0), UDP(5, 6, 8)),
	  AF_INET6, 17, 0, 5, 6, 0, 0, 0, 48, 56, 0 },
	{ "ipv6 every extension chained",
	  PKT(V6(100, 0), HBH(60), DST16(43), RT(44), FRAG(51, 0, 1), AH(60),
	      DST16(6), TCP(1234, 443, 0x02)),
	  AF_INET6, 6, F_FRAG, 1234, 443, 0x02, 0, 0, 120, 140, 0 },
	{ "ipv6 eight extension headers allowed",
	  PKT(V6(108, 60), DST16(60), DST16(60), DST16(60), DST16(43), RT(43),
	      RT(43), RT(43), RT(17), UDP(1, 2, 8), PAD4),
	  AF_INET6, 17, 0, 1, 2, 0, 0, 0, 136, 144, 0 },
	{ "ipv6 plen past buffer is short copy", PKT(V6(1400, 6), TCP(1, 2, 2)),
	  AF_INET6, 6, 0, 1, 2, 2, 0, 0, 40, 60, 0 },
	{ "ipv6 bytes past plen ignored", PKT(V6(8, 17), UDP(1, 2, 8), PAD4),
	  AF_INET6, 17, 0, 1, 2, 0, 0, 0, 40, 48, 0 },
	{ "ipv6 jumbogram uses buffer length", PKT(V6(0, 0), HBH(17), UDP(1, 2, 0), PAD4),
	  AF_INET6, 17, 0, 1, 2, 0, 0, 0, 48, 56, 4 },
};

/* Parse from an exact-size heap copy, so ASan catches any over-read. */
static int parse_copy(const uint8_t *pkt, size_t len, struct flow *f)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	if (len)
		memcpy(copy, pkt, len);
	r = packet_parse(copy, len, f);
	free(copy);
	return r;
}

static void check_ok(const struct ok_case *c, const struct flow *f)
{
	assert_int_equal(f->family, c->family);
	assert_int_equal(f->proto, c->proto);
	assert_int_equal(f->flags, c->flags);
	assert_int_equal(f->sport, c->sport);
	assert_int_equal(f->dport, c->dport);
	assert_int_equal(f->tcp_flags, c->tcp_flags);
	assert_int_equal(f->icmp_type, c->icmp_type);
	assert_int_equal(f->icmp_code, c->icmp_code);
	assert_int_equal(f->l4_off, c->l4_off);
	assert_int_equal(f->payload_off, c->payload_off);
	assert_int_equal(f->payload_len, c->payload_len);
}

static void test_valid_packets_parse_to_expected_flow(void **state)
{
	struct flow f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];

		print_message("case: %s\n", c->name);
		assert_int_equal(parse_copy(c->pkt, c->len, &f), 0);
		check_ok(c, &f);
	}
}

static void test_addresses_are_copied(void **state)
{
	const uint8_t v4[] = { V4(40, 0, 6), TCP(1, 2, 2) };
	const uint8_t v6[] = { V6(20, 6), TCP(1, 2, 2) };
	const uint8_t s4[16] = { SRC4 }, d4[16] = { DST4 };
	const uint8_t s6[16] = { SRC6 }, d6[16] = { DST6 };
	struct flow f;

	(void)state;
	assert_int_equal(packet_parse(v4, sizeof(v4), &f), 0);
	assert_memory_equal(f.src, s4, 16);
	assert_memory_equal(f.dst, d4, 16);
	assert_int_equal(packet_parse(v6, sizeof(v6), &f), 0);
	assert_memory_equal(f.src, s6, 16);
	assert_memory_equal(f.dst, d6, 16);
}

/* Any prefix that stops inside the headers must be -EBADMSG. */
static void test_every_truncation_inside_headers_is_ebadmsg(void **state)
{
	struct flow f;
	size_t i, l;

	(void)state;
	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];

		print_message("case: %s\n", c->name);
		for (l = 0; l < c->payload_off && l < c->len; l++) {
			assert_int_equal(parse_copy(c->pkt, l, &f), -EBADMSG);
			assert_int_equal(f.family, 0);
		}
	}
}

/* A short copy range that keeps the headers still parses the same flow. */
static void test_every_short_copy_past_headers_parses(void **state)
{
	struct flow f;
	size_t i, l;

	(void)state;
	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];

		for (l = c->payload_off; l <= c->len; l++) {
			assert_int_equal(parse_copy(c->pkt, l, &f), 0);
			assert_int_equal(f.proto, c->proto);
			assert_int_equal(f.sport, c->sport);
			assert_int_equal(f.dport, c->dport);
			assert_int_equal(f.payload_off, c->payload_off);
			assert_true(f.payload_len <= c->payload_len);
			assert_true(f.payload_off + f.payload_len <= l);
		}
	}
}

struct bad_case {
	const char *name;
	const uint8_t *pkt;
	size_t len;
	int ret;
};

static const struct bad_case bad_cases[] = {
	{ "empty", (const uint8_t *)"", 0, -EBADMSG },
	{ "version 5", PKT(0x50, 0, 0, 20), -EPROTONOSUPPORT },
	{ "version 0", PKT(0x00, 0, 0, 20), -EPROTONOSUPPORT },
	{ "version 15", PKT(0xf5, 0, 0, 40, PAD4, PAD4, PAD4, PAD4), -EPROTONOSUPPORT },
	{ "ipv4 ihl 4", PKT(V4W(4, 40, 0, 6), TCP(1, 2, 2)), -EBADMSG },
	{ "ipv4 ihl 0", PKT(V4W(0, 40, 0, 6), TCP(1, 2, 2)), -EBADMSG },
	{ "ipv4 ihl past tot_len", PKT(V4W(6, 20, 0, 6), PAD4, TCP(1, 2, 2)), -EBADMSG },
	{ "ipv4 ihl past buffer", PKT(V4W(15, 80, 0, 6), TCP(1, 2, 2)), -EBADMSG },
	{ "ipv4 tot_len cuts tcp header", PKT(V4(30, 0, 6), TCP(1, 2, 2)), -EBADMSG },
	{ "ipv4 tot_len cuts udp header", PKT(V4(24, 0, 17), UDP(1, 2, 8)), -EBADMSG },
	{ "tcp data offset 4", PKT(V4(40, 0, 6), TCPO(1, 2, 4, 2)), -EBADMSG },
	{ "tcp data offset 0", PKT(V4(40, 0, 6), TCPO(1, 2, 0, 2)), -EBADMSG },
	{ "tcp data offset past buffer", PKT(V4(40, 0, 6), TCPO(1, 2, 15, 2)), -EBADMSG },
	{ "tcp6 data offset past plen", PKT(V6(20, 6), TCPO(1, 2, 6, 2), PAD4), -EBADMSG },
	{ "udp length 7", PKT(V4(28, 0, 17), UDP(1, 2, 7)), -EBADMSG },
	{ "udp6 length 1", PKT(V6(8, 17), UDP(1, 2, 1)), -EBADMSG },
	{ "ipv6 header 39 bytes", PKT(0x60, 0, 0, 0, 0, 0, 59, 64, SRC6, PAD4, PAD4,
					     PAD4, 0, 0, 0), -EBADMSG },
	{ "ipv6 hop-by-hop not first", PKT(V6(16, 60), RT(0), HBH(59)), -EBADMSG },
	{ "ipv6 nine extension headers",
	  PKT(V6(72, 43), RT(43), RT(43), RT(43), RT(43), RT(43), RT(43), RT(43),
	      RT(43), RT(59)), -EBADMSG },
	{ "ipv6 ext length past buffer", PKT(V6(16, 60), 17, 2, PAD4, 0, 0, UDP(1, 2, 8)),
	  -EBADMSG },
	{ "ipv6 ah length past buffer", PKT(V6(40, 51), 6, 9, 0, 0, PAD4, PAD4,
					    TCP(1, 2, 2)), -EBADMSG },
	{ "ipv6 ext length past plen", PKT(V6(8, 60), DST16(17), UDP(1, 2, 8)), -EBADMSG },
	{ "ipv6 tcp past plen", PKT(V6(10, 6), TCP(1, 2, 2)), -EBADMSG },
	{ "ipv6 fragment header cut", PKT(V6(4, 44), FRAG(17, 1, 0)), -EBADMSG },
};

static void test_malformed_packets_are_rejected(void **state)
{
	struct flow f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		print_message("case: %s\n", c->name);
		assert_int_equal(parse_copy(c->pkt, c->len, &f), c->ret);
	}
}

static void test_proto_names(void **state)
{
	(void)state;
	assert_string_equal(packet_proto_name(IPPROTO_TCP), "tcp");
	assert_string_equal(packet_proto_name(IPPROTO_UDP), "udp");
	assert_string_equal(packet_proto_name(IPPROTO_UDPLITE), "udplite");
	assert_string_equal(packet_proto_name(IPPROTO_SCTP), "sctp");
	assert_string_equal(packet_proto_name(IPPROTO_ICMP), "icmp");
	assert_string_equal(packet_proto_name(IPPROTO_ICMPV6), "icmpv6");
	assert_null(packet_proto_name(IPPROTO_ESP));
	assert_null(packet_proto_name(47));
}

static void test_proto_operand_appends_6_for_ipv6(void **state)
{
	static const struct {
		uint8_t family, proto;
		const char *want;
	} t[] = {
		{ AF_INET, IPPROTO_TCP, "tcp" }, { AF_INET6, IPPROTO_TCP, "tcp6" },
		{ AF_INET, IPPROTO_UDP, "udp" }, { AF_INET6, IPPROTO_UDP, "udp6" },
		{ AF_INET, IPPROTO_UDPLITE, "udplite" },
		{ AF_INET6, IPPROTO_UDPLITE, "udplite6" },
		{ AF_INET, IPPROTO_SCTP, "sctp" }, { AF_INET6, IPPROTO_SCTP, "sctp6" },
		{ AF_INET, IPPROTO_ICMP, "icmp" },
		{ AF_INET6, IPPROTO_ICMPV6, "icmp6" },
		{ AF_INET6, IPPROTO_ESP, NULL }, { AF_INET, 47, NULL },
	};
	char buf[16];
	struct flow f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.family = t[i].family;
		f.proto = t[i].proto;
		if (!t[i].want) {
			assert_null(packet_proto_operand(&f, buf, sizeof(buf)));
			continue;
		}
		assert_ptr_equal(packet_proto_operand(&f, buf, sizeof(buf)), buf);
		assert_string_equal(buf, t[i].want);
	}
}

static void test_proto_operand_small_buffer_is_null(void **state)
{
	struct flow f = { .family = AF_INET6, .proto = IPPROTO_UDPLITE };
	char buf[8];

	(void)state;
	assert_null(packet_proto_operand(&f, buf, sizeof(buf)));
}

static void test_addr_str_formats_both_families(void **state)
{
	const uint8_t a4[16] = { 10, 1, 2, 3 };
	const uint8_t a6[16] = { 0xfe, 0x80, [15] = 1 };
	char buf[46];

	(void)state;
	assert_string_equal(flow_addr_str(AF_INET, a4, buf, sizeof(buf)), "10.1.2.3");
	assert_string_equal(flow_addr_str(AF_INET6, a6, buf, sizeof(buf)), "fe80::1");
	assert_string_equal(flow_addr_str(AF_UNIX, a6, buf, sizeof(buf)), "");
	assert_string_equal(flow_addr_str(AF_INET6, a6, buf, 4), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_packets_parse_to_expected_flow),
		cmocka_unit_test(test_addresses_are_copied),
		cmocka_unit_test(test_every_truncation_inside_headers_is_ebadmsg),
		cmocka_unit_test(test_every_short_copy_past_headers_parses),
		cmocka_unit_test(test_malformed_packets_are_rejected),
		cmocka_unit_test(test_proto_names),
		cmocka_unit_test(test_proto_operand_appends_6_for_ipv6),
		cmocka_unit_test(test_proto_operand_small_buffer_is_null),
		cmocka_unit_test(test_addr_str_formats_both_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
