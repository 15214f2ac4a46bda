/* test_dns.c - DNS response/query parsing and the ip -> name cache. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "dns.h"
#include "packet.h"

#define T_A	1
#define T_CNAME	5
#define T_TXT	16
#define T_AAAA	28
#define T_OPT	41
#define C_IN	1
#define C_CH	3
#define RESP	0x8180	/* QR, RD, RA, NOERROR */
#define QUERY	0x0100	/* RD */
#define S	1000ULL	/* ms per second */

/* A tiny message builder so each test reads as the message it sends. */
struct msg {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct msg *m, unsigned int v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned int v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void put_bytes(struct msg *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* Labels of a dotted name, without the root byte. */
static void put_labels(struct msg *m, const char *dotted)
{
	const char *p = dotted, *dot;
	size_t n;

	while (*p) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		put8(m, (unsigned int)n);
		put_bytes(m, p, n);
		p += n + (dot ? 1 : 0);
	}
}

static void put_name(struct msg *m, const char *dotted)
{
	put_labels(m, dotted);
	put8(m, 0);
}

static void put_ptr(struct msg *m, unsigned int off)
{
	put16(m, 0xc000 | off);
}

static void hdr(struct msg *m, unsigned int flags, unsigned int qd,
		unsigned int an, unsigned int ns, unsigned int ar)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

static void question(struct msg *m, const char *name, unsigned int type)
{
	put_name(m, name);
	put16(m, type);
	put16(m, C_IN);
}

/* After the owner name: type, class, ttl; returns where rdlength goes. */
static size_t rr_begin(struct msg *m, unsigned int type, unsigned int cls,
		       uint32_t ttl)
{
	size_t at;

	put16(m, type);
	put16(m, cls);
	put32(m, ttl);
	at = m->n;
	put16(m, 0);
	return at;
}

static void rr_end(struct msg *m, size_t at)
{
	size_t len = m->n - at - 2;

	m->b[at] = (uint8_t)(len >> 8);
	m->b[at + 1] = (uint8_t)len;
}

static void rr_a(struct msg *m, uint32_t ttl, uint8_t a, uint8_t b, uint8_t c,
		 uint8_t d)
{
	const uint8_t ip[4] = { a, b, c, d };
	size_t at = rr_begin(m, T_A, C_IN, ttl);

	put_bytes(m, ip, 4);
	rr_end(m, at);
}

static void rr_aaaa(struct msg *m, uint32_t ttl, const uint8_t *ip)
{
	size_t at = rr_begin(m, T_AAAA, C_IN, ttl);

	put_bytes(m, ip, 16);
	rr_end(m, at);
}

static void rr_cname(struct msg *m, uint32_t ttl, const char *target)
{
	size_t at = rr_begin(m, T_CNAME, C_IN, ttl);

	put_name(m, target);
	rr_end(m, at);
}

static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x42 };

/* The daemon's path for a response, as the tests of the cache use it:
 * the query it answers (same id, same question) left first on one flow,
 * allowed for an unknown process, then the reply comes back on it.  A
 * response without a printable question answers no query: 0. */
static int ingest(struct dns_cache *c, const uint8_t *p, size_t len,
		  uint64_t now)
{
	struct dns_response *r = malloc(sizeof(*r));
	struct dns_tuple q = { .family = AF_INET, .sport = 5353, .dport = 53 };
	struct dns_tuple a = { .family = AF_INET, .sport = 53, .dport = 5353 };
	bool asked = false;
	struct msg m;
	int ret;

	assert_non_null(r);
	if (dns_parse_response(p, len, r) == 0 && r->has_qname) {
		hdr(&m, QUERY, 1, 0, 0, 0);
		m.b[0] = (uint8_t)(r->id >> 8);
		m.b[1] = (uint8_t)r->id;
		question(&m, r->qname, T_A);
		assert_int_equal(dns_query_note(c, &q, m.b, m.n, now), 0);
		assert_int_equal(dns_query_owner(c, &q, NULL), 1);
		asked = true;
	}
	free(r);
	ret = dns_reply_ingest(c, &a, p, len, now);
	return ret == -ENOENT && !asked ? 0 : ret;
}

/* Parse from an exact-size heap copy so ASan sees any over-read. */
static int parse_copy(const uint8_t *p, size_t len, struct dns_response *r)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, p, len);
	ret = dns_parse_response(copy, len, r);
	free(copy);
	return ret;
}

static void v4(uint8_t *a, uint8_t w, uint8_t x, uint8_t y, uint8_t z)
{
	a[0] = w;
	a[1] = x;
	a[2] = y;
	a[3] = z;
}

/* ---- parsing ---- */

static void test_a_record_is_linked_to_qname(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 1, 0, 0);
	question(&m, "example.com", T_A);
	put_ptr(&m, 12);
	rr_a(&m, 300, 93, 184, 216, 34);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_string_equal(resp.qname, "example.com");
	assert_int_equal(resp.naddrs, 1);
	assert_int_equal(resp.addrs[0].family, AF_INET);
	assert_memory_equal(resp.addrs[0].addr, "\x5d\xb8\xd8\x22", 4);
	assert_int_equal(resp.addrs[0].ttl, 300);
	assert_true(resp.addrs[0].linked);
	assert_string_equal(resp.addrs[0].owner, "example.com");
}

static void test_aaaa_record_is_linked_to_qname(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 1, 0, 0);
	question(&m, "v6.example.org", T_AAAA);
	put_name(&m, "v6.example.org");
	rr_aaaa(&m, 60, ip6);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_int_equal(resp.naddrs, 1);
	assert_int_equal(resp.addrs[0].family, AF_INET6);
	assert_memory_equal(resp.addrs[0].addr, ip6, 16);
	assert_true(resp.addrs[0].linked);
}

static void test_cname_chain_resolves_to_qname_with_min_ttl(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 3, 0, 0);
	question(&m, "www.example.com", T_A);
	put_ptr(&m, 12);
	rr_cname(&m, 3600, "a.cdn.net");
	put_name(&m, "a.cdn.net");
	rr_cname(&m, 120, "b.cdn.net");
	put_name(&m, "b.cdn.net");
	rr_a(&m, 900, 10, 0, 0, 1);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_int_equal(resp.ncnames, 2);
	assert_int_equal(resp.naddrs, 1);
	assert_true(resp.addrs[0].linked);
	assert_string_equal(resp.addrs[0].owner, "b.cdn.net");
	assert_int_equal(resp.addrs[0].ttl, 120);
}

static void test_cname_chain_in_any_order_resolves(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 3, 0, 0);
	question(&m, "www.example.com", T_A);
	put_name(&m, "b.cdn.net");
	rr_a(&m, 900, 10, 0, 0, 1);
	put_name(&m, "a.cdn.net");
	rr_cname(&m, 300, "b.cdn.net");
	put_name(&m, "www.example.com");
	rr_cname(&m, 300, "a.cdn.net");
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_true(resp.addrs[0].linked);
}

/* Another name aliasing the same target must not hide the question's. */
static void test_shared_cname_target_still_links(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 3, 0, 0);
	question(&m, "www.example.com", T_A);
	put_name(&m, "other.example.com");
	rr_cname(&m, 60, "lb.example.net");
	put_ptr(&m, 12);
	rr_cname(&m, 60, "lb.example.net");
	put_name(&m, "lb.example.net");
	rr_a(&m, 60, 10, 1, 1, 1);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_true(resp.addrs[0].linked);
}

/* A loop that includes the question name still links, and ends. */
static void test_cname_loop_through_qname_ends(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 3, 0, 0);
	question(&m, "q.example", T_A);
	put_ptr(&m, 12);
	rr_cname(&m, 60, "b.example");
	put_name(&m, "b.example");
	rr_cname(&m, 60, "q.example");
	put_name(&m, "b.example");
	rr_a(&m, 30, 1, 2, 3, 4);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_true(resp.addrs[0].linked);
	assert_int_equal(resp.addrs[0].ttl, 30);
}

static void test_address_off_the_chain_is_unlinked(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 2, 0, 0);
	question(&m, "example.com", T_A);
	put_ptr(&m, 12);
	rr_a(&m, 300, 1, 1, 1, 1);
	put_name(&m, "bank.example.net");	/* not asked for */
	rr_a(&m, 300, 6, 6, 6, 6);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_int_equal(resp.naddrs, 2);
	assert_true(resp.addrs[0].linked);
	assert_false(resp.addrs[1].linked);
}

static void test_cname_loop_ends_unlinked(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 3, 0, 0);
	question(&m, "q.example", T_A);
	put_name(&m, "a.example");
	rr_cname(&m, 60, "b.example");
	put_name(&m, "b.example");
	rr_cname(&m, 60, "a.example");
	put_name(&m, "a.example");
	rr_a(&m, 60, 1, 2, 3, 4);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_false(resp.addrs[0].linked);
}

static void test_names_are_lowercased_without_trailing_dot(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 1, 0, 0);
	question(&m, "WWW.Example.COM", T_A);
	put_name(&m, "www.EXAMPLE.com");
	rr_a(&m, 60, 1, 2, 3, 4);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_string_equal(resp.qname, "www.example.com");
	assert_true(resp.addrs[0].linked);
}

static void test_compressed_suffixes_are_followed(void **state)
{
	struct dns_response resp;
	struct msg m;
	size_t at, cdn;

	(void)state;
	hdr(&m, RESP, 1, 2, 0, 0);
	question(&m, "www.example.com", T_A);	/* example.com at 16 */
	put_ptr(&m, 12);
	at = rr_begin(&m, T_CNAME, C_IN, 60);
	cdn = m.n;
	put_labels(&m, "edge");
	put_ptr(&m, 16);			/* edge.example.com */
	rr_end(&m, at);
	put_labels(&m, "x");
	put_ptr(&m, (unsigned int)cdn);		/* x + edge + example.com */
	rr_a(&m, 60, 9, 9, 9, 9);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_string_equal(resp.cnames[0].target, "edge.example.com");
	assert_string_equal(resp.addrs[0].owner, "x.edge.example.com");
	assert_false(resp.addrs[0].linked);
}

static void test_two_level_compression_is_followed(void **state)
{
	struct dns_response resp;
	struct msg m;
	size_t at, cdn;

	(void)state;
	hdr(&m, RESP, 1, 2, 0, 0);
	question(&m, "www.example.com", T_A);
	put_ptr(&m, 12);
	at = rr_begin(&m, T_CNAME, C_IN, 60);
	cdn = m.n;
	put_labels(&m, "edge");
	put_ptr(&m, 16);
	rr_end(&m, at);
	put_ptr(&m, (unsigned int)cdn);		/* -> edge -> example.com */
	rr_a(&m, 60, 9, 9, 9, 9);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_string_equal(resp.addrs[0].owner, "edge.example.com");
	assert_true(resp.addrs[0].linked);
}

struct bad_name {
	const char *name;
	uint8_t bytes[16];	/* the answer owner name, as raw wire bytes */
	size_t len;
};

/* Owner names of the single answer, placed right after the question
 * "a.example" (12..22: label "a" at 12, "example" at 14, root at 22). */
static const struct bad_name bad_names[] = {
	{ "pointer to itself", { 0xc0, 27 }, 2 },
	{ "pointer forward", { 0xc0, 40 }, 2 },
	{ "pointer into header", { 0xc0, 4 }, 2 },
	{ "pointer past the end", { 0xff, 0xff }, 2 },
	{ "label then pointer back to itself", { 1, 'z', 0xc0, 27 }, 4 },
	{ "extended label type 0x40", { 0x41, 'z', 0 }, 3 },
	{ "reserved label type 0x80", { 0x81, 'z', 0 }, 3 },
	{ "pointer to offset 0", { 0xc0, 0 }, 2 },
};

static void test_bad_owner_names_are_ebadmsg(void **state)
{
	struct dns_response resp;
	struct msg m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		print_message("case: %s\n", bad_names[i].name);
		hdr(&m, RESP, 1, 1, 0, 0);
		question(&m, "a.example", T_A);
		assert_int_equal(m.n, 27);
		put_bytes(&m, bad_names[i].bytes, bad_names[i].len);
		rr_a(&m, 60, 1, 2, 3, 4);
		assert_int_equal(parse_copy(m.b, m.n, &resp), -EBADMSG);
	}
}

/* A forward pointer is refused even when it leads to a well-formed name:
 * only backward pointers guarantee the walk ends. */
static void test_forward_pointer_to_valid_name_is_ebadmsg(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 2, 0, 0);
	question(&m, "a.example", T_A);
	put_ptr(&m, 27 + 2 + 14);		/* the next record's owner */
	rr_a(&m, 60, 1, 2, 3, 4);
	assert_int_equal(m.n, 43);
	put_name(&m, "a.example");
	rr_a(&m, 60, 1, 2, 3, 5);
	assert_int_equal(parse_copy(m.b, m.n, &resp), -EBADMSG);
}

/* Answer i's owner is a pointer to answer i-1's owner: following answer
 * i takes i + 1 jumps, each strictly backwards. */
static void build_pointer_chain(struct msg *m, unsigned int n)
{
	size_t prev = 12;
	unsigned int i;

	hdr(m, RESP, 1, n, 0, 0);
	question(m, "a.example", T_A);
	for (i = 0; i < n; i++) {
		size_t here = m->n;

		put_ptr(m, (unsigned int)prev);
		rr_a(m, 60, 1, 2, 3, (uint8_t)i);
		prev = here;
	}
}

static void test_pointer_chain_at_jump_cap_is_accepted(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	build_pointer_chain(&m, DNS_MAX_JUMPS);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_int_equal(resp.naddrs, DNS_MAX_JUMPS);
	assert_string_equal(resp.addrs[DNS_MAX_JUMPS - 1].owner, "a.example");
}

static void test_pointer_chain_over_jump_cap_is_ebadmsg(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	build_pointer_chain(&m, DNS_MAX_JUMPS + 1);
	assert_int_equal(parse_copy(m.b, m.n, &resp), -EBADMSG);
}

static void test_name_of_255_wire_bytes_is_accepted(void **state)
{
	struct dns_response resp;
	char name[300], l63[64], l61[62];
	struct msg m;

	(void)state;
	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l61, 'b', 61);
	l61[61] = '\0';
	snprintf(name, sizeof(name), "%s.%s.%s.%s", l63, l63, l63, l61);
	assert_int_equal(strlen(name), DNS_NAME_MAX);
	hdr(&m, RESP, 1, 1, 0, 0);
	question(&m, name, T_A);		/* 64 * 3 + 62 + 1 = 255 */
	put_ptr(&m, 12);
	rr_a(&m, 60, 1, 2, 3, 4);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_string_equal(resp.qname, name);
	assert_true(resp.addrs[0].linked);
}

static void test_name_over_255_wire_bytes_is_ebadmsg(void **state)
{
	struct dns_response resp;
	char name[300], l63[64], l62[63];
	struct msg m;

	(void)state;
	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l62, 'b', 62);
	l62[62] = '\0';
	snprintf(name, sizeof(name), "%s.%s.%s.%s", l63, l63, l63, l62);
	hdr(&m, RESP, 1, 0, 0, 0);
	question(&m, name, T_A);		/* 64 * 3 + 63 + 1 = 256 */
	assert_int_equal(parse_copy(m.b, m.n, &resp), -EBADMSG);
}

static void test_name_over_255_through_pointer_is_ebadmsg(void **state)
{
	struct dns_response resp;
	char name[300], l63[64], l60[61];
	struct msg m;

	(void)state;
	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l60, 'b', 60);
	l60[60] = '\0';
	snprintf(name, sizeof(name), "%s.%s.%s.%s", l63, l63, l63, l60);
	hdr(&m, RESP, 1, 1, 0, 0);
	question(&m, name, T_A);		/* 64 * 3 + 61 + 1 = 254: fine */
	put_labels(&m, "c");			/* + 2 = 256 */
	put_ptr(&m, 12);
	rr_a(&m, 60, 1, 2, 3, 4);
	assert_int_equal(parse_copy(m.b, m.n, &resp), -EBADMSG);
}

struct lie {
	const char *name;
	unsigned int qd, an, ns, ar;
};

static void test_counts_that_lie_are_ebadmsg(void **state)
{
	struct dns_response resp;
	static const struct lie lies[] = {
		{ "qdcount 2", 2, 1, 0, 0 },
		{ "ancount 2", 1, 2, 0, 0 },
		{ "nscount 1", 1, 1, 1, 0 },
		{ "arcount 1", 1, 1, 0, 1 },
		{ "arcount 65535", 1, 1, 0, 65535 },
	};
	struct msg m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		print_message("case: %s\n", lies[i].name);
		hdr(&m, RESP, lies[i].qd, lies[i].an, lies[i].ns, lies[i].ar);
		question(&m, "example.com", T_A);
		put_ptr(&m, 12);
		rr_a(&m, 60, 1, 2, 3, 4);
		assert_int_equal(parse_copy(m.b, m.n, &resp), -EBADMSG);
	}
}

/* A response using every section and record kind we handle. */
static void build_full(struct msg *m)
{
	size_t at;

	hdr(m, RESP, 1, 4, 1, 1);
	question(m, "www.example.com", T_A);
	put_ptr(m, 12);
	rr_cname(m, 300, "edge.cdn.example.net");
	put_name(m, "edge.cdn.example.net");
	rr_a(m, 60, 192, 0, 2, 10);
	put_ptr(m, 45);				/* edge.cdn.example.net */
	rr_aaaa(m, 60, ip6);
	put_ptr(m, 12);
	at = rr_begin(m, T_TXT, C_IN, 60);
	put_bytes(m, "\x05hello", 6);
	rr_end(m, at);
	put_ptr(m, 16);				/* authority: example.com */
	at = rr_begin(m, 2, C_IN, 3600);	/* NS */
	put_labels(m, "ns1");
	put_ptr(m, 16);
	rr_end(m, at);
	put8(m, 0);				/* additional: OPT */
	at = rr_begin(m, T_OPT, 1232, 0);
	rr_end(m, at);
}

static void test_full_response_parses(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	build_full(&m);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_int_equal(resp.naddrs, 2);
	assert_int_equal(resp.ncnames, 1);
	assert_true(resp.addrs[0].linked);
	assert_true(resp.addrs[1].linked);
	assert_string_equal(resp.addrs[1].owner, "edge.cdn.example.net");
}

static void test_truncation_at_every_byte_is_ebadmsg(void **state)
{
	struct dns_response resp;
	struct dns_cache *c = dns_cache_new(16);
	struct dns_cache_stats st;
	struct msg m;
	size_t l;

	(void)state;
	assert_non_null(c);
	build_full(&m);
	for (l = 0; l < m.n; l++) {
		assert_int_equal(parse_copy(m.b, l, &resp), -EBADMSG);
		assert_int_equal(resp.naddrs, 0);
		assert_int_equal(ingest(c, m.b, l, 0), -EBADMSG);
	}
	dns_cache_stats(c, &st);
	assert_int_equal(st.malformed, m.n);
	assert_int_equal(st.entries, 0);
	dns_cache_free(c);
}

static void test_trailing_bytes_are_ignored(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	build_full(&m);
	put_bytes(&m, "\0\0\0\0", 4);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_int_equal(resp.naddrs, 2);
}

static void test_query_is_not_a_response(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, QUERY, 1, 0, 0, 0);
	question(&m, "example.com", T_A);
	assert_int_equal(parse_copy(m.b, m.n, &resp), -EBADMSG);
}

static void test_a_with_wrong_rdlength_is_ebadmsg(void **state)
{
	struct dns_response resp;
	struct msg m;
	size_t at;

	(void)state;
	hdr(&m, RESP, 1, 1, 0, 0);
	question(&m, "example.com", T_A);
	put_ptr(&m, 12);
	at = rr_begin(&m, T_A, C_IN, 60);
	put_bytes(&m, "\1\2\3\4\5", 5);
	rr_end(&m, at);
	assert_int_equal(parse_copy(m.b, m.n, &resp), -EBADMSG);
}

static void test_cname_not_filling_rdata_is_ebadmsg(void **state)
{
	struct dns_response resp;
	struct msg m;
	size_t at;

	(void)state;
	hdr(&m, RESP, 1, 1, 0, 0);
	question(&m, "example.com", T_A);
	put_ptr(&m, 12);
	at = rr_begin(&m, T_CNAME, C_IN, 60);
	put_name(&m, "x.example.com");
	put8(&m, 0);				/* one byte too many */
	rr_end(&m, at);
	assert_int_equal(parse_copy(m.b, m.n, &resp), -EBADMSG);
}

static void test_other_classes_are_ignored(void **state)
{
	struct dns_response resp;
	struct msg m;
	size_t at;

	(void)state;
	hdr(&m, RESP, 1, 1, 0, 0);
	question(&m, "version.bind", 16);
	put_ptr(&m, 12);
	at = rr_begin(&m, T_A, C_CH, 60);
	put_bytes(&m, "\1\2\3\4", 4);
	rr_end(&m, at);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_int_equal(resp.naddrs, 0);
}

static void test_unprintable_names_are_skipped(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 2, 0, 0);
	question(&m, "example.com", T_A);
	put8(&m, 3);
	put_bytes(&m, "a.b", 3);		/* a dot inside a label */
	put_ptr(&m, 12);
	rr_a(&m, 60, 1, 1, 1, 1);
	put8(&m, 2);
	put_bytes(&m, "x\0", 2);		/* a NUL byte */
	put_ptr(&m, 12);
	rr_a(&m, 60, 2, 2, 2, 2);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_int_equal(resp.naddrs, 0);
	assert_int_equal(resp.skipped, 2);
}

static void test_unprintable_qname_links_nothing(void **state)
{
	struct dns_response resp;
	struct dns_cache *c = dns_cache_new(4);
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 1, 0, 0);
	put8(&m, 3);
	put_bytes(&m, "a\x7f" "b", 3);
	put8(&m, 0);
	put16(&m, T_A);
	put16(&m, C_IN);
	put_ptr(&m, 12);
	rr_a(&m, 60, 1, 1, 1, 1);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_false(resp.has_qname);
	assert_int_equal(ingest(c, m.b, m.n, 0), 0);
	dns_cache_free(c);
}

static void test_answers_over_the_cap_are_counted(void **state)
{
	struct dns_response resp;
	struct msg m;
	unsigned int i;

	(void)state;
	hdr(&m, RESP, 1, DNS_MAX_ADDRS + 6, 0, 0);
	question(&m, "many.example", T_A);
	for (i = 0; i < DNS_MAX_ADDRS + 6; i++) {
		put_ptr(&m, 12);
		rr_a(&m, 60, 10, 0, 0, (uint8_t)i);
	}
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_int_equal(resp.naddrs, DNS_MAX_ADDRS);
	assert_int_equal(resp.skipped, 6);
}

static void test_nxdomain_has_no_addresses(void **state)
{
	struct dns_response resp;
	struct msg m;

	(void)state;
	hdr(&m, RESP | 3, 1, 0, 0, 0);
	question(&m, "nope.example", T_A);
	assert_int_equal(parse_copy(m.b, m.n, &resp), 0);
	assert_int_equal(resp.rcode, 3);
	assert_int_equal(resp.naddrs, 0);
}

/* ---- query names ---- */

static void test_query_name_is_returned_lowercase(void **state)
{
	char out[DNS_NAME_BUF];
	struct msg m;

	(void)state;
	hdr(&m, QUERY, 1, 0, 0, 0);
	question(&m, "Mail.Example.ORG", T_AAAA);
	assert_int_equal(dns_query_name(m.b, m.n, out, sizeof(out)), 0);
	assert_string_equal(out, "mail.example.org");
}

static void test_query_name_errors(void **state)
{
	char out[DNS_NAME_BUF], small[8];
	struct msg m;
	size_t l;

	(void)state;
	hdr(&m, QUERY, 0, 0, 0, 0);
	assert_int_equal(dns_query_name(m.b, m.n, out, sizeof(out)), -ENOENT);
	hdr(&m, RESP, 1, 0, 0, 0);
	question(&m, "example.com", T_A);
	assert_int_equal(dns_query_name(m.b, m.n, out, sizeof(out)), -EBADMSG);
	hdr(&m, QUERY, 1, 0, 0, 0);
	question(&m, "example.com", T_A);
	assert_int_equal(dns_query_name(m.b, m.n, small, sizeof(small)), -ENOSPC);
	assert_string_equal(small, "");
	for (l = 0; l < m.n; l++)
		assert_int_equal(dns_query_name(m.b, l, out, sizeof(out)), -EBADMSG);
}

static void test_query_name_from_udp_packet(void **state)
{
	uint8_t pkt[128] = { 0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0,
			     10, 0, 0, 2, 10, 0, 0, 1 };
	char out[DNS_NAME_BUF];
	struct flow f;
	struct msg m;
	size_t tot;

	(void)state;
	hdr(&m, QUERY, 1, 0, 0, 0);
	question(&m, "example.com", T_A);
	tot = 28 + m.n;
	pkt[2] = (uint8_t)(tot >> 8);
	pkt[3] = (uint8_t)tot;
	pkt[20] = 0xc3; pkt[21] = 0x50; pkt[22] = 0; pkt[23] = 53;
	pkt[24] = (uint8_t)((8 + m.n) >> 8);
	pkt[25] = (uint8_t)(8 + m.n);
	memcpy(pkt + 28, m.b, m.n);
	assert_int_equal(packet_parse(pkt, tot, &f), 0);
	assert_int_equal(f.dport, 53);
	assert_int_equal(dns_query_name(pkt + f.payload_off, f.payload_len,
					out, sizeof(out)), 0);
	assert_string_equal(out, "example.com");
}

/* ---- the cache ---- */

static void test_ingest_remembers_qname_not_canonical_name(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_cache_stats st;
	uint8_t a[4];
	struct msg m;

	(void)state;
	build_full(&m);
	assert_int_equal(ingest(c, m.b, m.n, 1000), 2);
	v4(a, 192, 0, 2, 10);
	assert_string_equal(dns_cache_lookup_for(c, AF_INET, a, NULL, 1000),
			    "www.example.com");
	assert_string_equal(dns_cache_lookup_for(c, AF_INET6, ip6, NULL, 1000),
			    "www.example.com");
	dns_cache_stats(c, &st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.inserted, 2);
	dns_cache_free(c);
}

static void test_unlinked_address_is_not_cached(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	uint8_t a[4];
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 1, 0, 0);
	question(&m, "example.com", T_A);
	put_name(&m, "bank.example.net");
	rr_a(&m, 300, 6, 6, 6, 6);
	assert_int_equal(ingest(c, m.b, m.n, 0), 0);
	v4(a, 6, 6, 6, 6);
	assert_null(dns_cache_lookup_for(c, AF_INET, a, NULL, 0));
	dns_cache_free(c);
}

static void ingest_one(struct dns_cache *c, uint32_t ttl, uint64_t now)
{
	struct msg m;

	hdr(&m, RESP, 1, 1, 0, 0);
	question(&m, "ttl.example", T_A);
	put_ptr(&m, 12);
	rr_a(&m, ttl, 10, 9, 8, 7);
	assert_int_equal(ingest(c, m.b, m.n, now), 1);
}

struct ttl_case {
	const char *name;
	uint32_t ttl;
	uint64_t lifetime_ms;
};

static void test_ttl_is_clamped_and_expires(void **state)
{
	static const struct ttl_case t[] = {
		{ "zero -> min", 0, DNS_TTL_MIN_S * S },
		{ "below min", 5, DNS_TTL_MIN_S * S },
		{ "in range", 300, 300 * S },
		{ "above max", 7 * 86400, DNS_TTL_MAX_S * S },
		{ "msb set means zero", 0x80000000u, DNS_TTL_MIN_S * S },
	};
	const uint64_t t0 = 5000000;
	const uint8_t a[4] = { 10, 9, 8, 7 };
	struct dns_cache_stats st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dns_cache *c = dns_cache_new(4);

		print_message("case: %s\n", t[i].name);
		ingest_one(c, t[i].ttl, t0);
		assert_non_null(dns_cache_lookup_for(c, AF_INET, a, NULL,
						     t0 + t[i].lifetime_ms - 1));
		assert_null(dns_cache_lookup_for(c, AF_INET, a, NULL,
						 t0 + t[i].lifetime_ms));
		dns_cache_stats(c, &st);
		assert_int_equal(st.expired, 1);
		assert_int_equal(st.entries, 0);
		dns_cache_free(c);
	}
}

static void test_chain_ttl_bounds_the_entry(void **state)
{
	struct dns_cache *c = dns_cache_new(4);
	const uint8_t a[4] = { 10, 0, 0, 1 };
	struct msg m;

	(void)state;
	hdr(&m, RESP, 1, 2, 0, 0);
	question(&m, "www.example.com", T_A);
	put_ptr(&m, 12);
	rr_cname(&m, 100, "edge.example.net");
	put_name(&m, "edge.example.net");
	rr_a(&m, 3000, 10, 0, 0, 1);
	assert_int_equal(ingest(c, m.b, m.n, 0), 1);
	assert_non_null(dns_cache_lookup_for(c, AF_INET, a, NULL, 99999));
	assert_null(dns_cache_lookup_for(c, AF_INET, a, NULL, 100000));
	dns_cache_free(c);
}

static void test_lru_evicts_least_recently_used_and_counts(void **state)
{
	struct dns_cache *c = dns_cache_new(3);
	struct dns_cache_stats st;
	uint8_t a[4] = { 10, 0, 0, 0 };

	(void)state;
	for (a[3] = 1; a[3] <= 3; a[3]++)
		assert_int_equal(dns_cache_insert(c, AF_INET, a, NULL, "n", 600, 0), 0);
	a[3] = 1;
	assert_non_null(dns_cache_lookup_for(c, AF_INET, a, NULL, 1));	/* 1 is fresh */
	a[3] = 4;
	assert_int_equal(dns_cache_insert(c, AF_INET, a, NULL, "d", 600, 2), 0);
	a[3] = 2;
	assert_null(dns_cache_lookup_for(c, AF_INET, a, NULL, 3));	/* LRU: gone */
	a[3] = 1;
	assert_non_null(dns_cache_lookup_for(c, AF_INET, a, NULL, 3));
	a[3] = 3;
	assert_non_null(dns_cache_lookup_for(c, AF_INET, a, NULL, 3));
	a[3] = 4;
	assert_string_equal(dns_cache_lookup_for(c, AF_INET, a, NULL, 3), "d");
	dns_cache_stats(c, &st);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.expired, 0);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.capacity, 3);
	dns_cache_free(c);
}

static void test_expired_victim_counts_as_expired(void **state)
{
	struct dns_cache *c = dns_cache_new(1);
	struct dns_cache_stats st;
	const uint8_t a[4] = { 1, 1, 1, 1 }, b[4] = { 2, 2, 2, 2 };

	(void)state;
	assert_int_equal(dns_cache_insert(c, AF_INET, a, NULL, "a", 60, 0), 0);
	assert_int_equal(dns_cache_insert(c, AF_INET, b, NULL, "b", 60, 60 * S), 0);
	dns_cache_stats(c, &st);
	assert_int_equal(st.evictions, 0);
	assert_int_equal(st.expired, 1);
	assert_string_equal(dns_cache_lookup_for(c, AF_INET, b, NULL, 60 * S), "b");
	dns_cache_free(c);
}

static void test_reinsert_overwrites_and_refreshes(void **state)
{
	struct dns_cache *c = dns_cache_new(2);
	struct dns_cache_stats st;
	const uint8_t a[4] = { 1, 1, 1, 1 };

	(void)state;
	assert_int_equal(dns_cache_insert(c, AF_INET, a, NULL, "old", 60, 0), 0);
	assert_int_equal(dns_cache_insert(c, AF_INET, a, NULL, "new", 60, 50 * S), 0);
	assert_string_equal(dns_cache_lookup_for(c, AF_INET, a, NULL, 100 * S), "new");
	dns_cache_stats(c, &st);
	assert_int_equal(st.entries, 1);
	dns_cache_free(c);
}

static void test_families_do_not_collide(void **state)
{
	struct dns_cache *c = dns_cache_new(4);
	uint8_t a[16] = { 1, 2, 3, 4 };

	(void)state;
	assert_int_equal(dns_cache_insert(c, AF_INET, a, NULL, "four", 60, 0), 0);
	assert_null(dns_cache_lookup_for(c, AF_INET6, a, NULL, 0));
	assert_int_equal(dns_cache_insert(c, AF_INET6, a, NULL, "six", 60, 0), 0);
	assert_string_equal(dns_cache_lookup_for(c, AF_INET, a, NULL, 0), "four");
	assert_string_equal(dns_cache_lookup_for(c, AF_INET6, a, NULL, 0), "six");
	assert_int_equal(dns_cache_insert(c, AF_UNIX, a, NULL, "x", 60, 0), -EINVAL);
	dns_cache_free(c);
}

/* Fill twice over: the newest cap entries stay findable, the rest went. */
static void test_full_cache_keeps_newest_entries(void **state)
{
	const size_t cap = 1000;
	struct dns_cache *c = dns_cache_new(cap);
	struct dns_cache_stats st;
	char want[32];
	uint8_t a[16] = { 0 };
	uint32_t i;

	(void)state;
	for (i = 0; i < 2 * cap; i++) {
		memcpy(a + 12, &i, 4);
		snprintf(want, sizeof(want), "h%u", i);
		assert_int_equal(dns_cache_insert(c, AF_INET6, a, NULL, want, 600, 0), 0);
	}
	for (i = 0; i < 2 * cap; i++) {
		const char *got;

		memcpy(a + 12, &i, 4);
		got = dns_cache_lookup_for(c, AF_INET6, a, NULL, 1);
		snprintf(want, sizeof(want), "h%u", i);
		if (i < cap) {
			assert_null(got);
		} else {
			assert_non_null(got);
			assert_string_equal(got, want);
		}
	}
	dns_cache_stats(c, &st);
	assert_int_equal(st.evictions, cap);
	assert_int_equal(st.entries, cap);
	dns_cache_free(c);
}

static void test_cache_new_rejects_bad_capacity(void **state)
{
	(void)state;
	assert_null(dns_cache_new(0));
	assert_int_equal(errno, EINVAL);
	assert_null(dns_cache_new((size_t)DNS_CACHE_MAX + 1));
	dns_cache_free(NULL);
}

/* ---- queries that left, and who asked */

static const struct dns_owner owner_a = { 100, 5000 }, owner_b = { 200, 6000 };

static void tuple_make(struct dns_tuple *t, uint16_t sport)
{
	memset(t, 0, sizeof(*t));
	t->family = AF_INET;
	v4(t->src, 10, 0, 0, 1);	/* local */
	v4(t->dst, 10, 0, 0, 53);	/* resolver */
	t->sport = sport;
	t->dport = 53;
}

/* The same flow seen from the reply's side. */
static void tuple_reply(struct dns_tuple *r, const struct dns_tuple *q)
{
	memset(r, 0, sizeof(*r));
	r->family = q->family;
	memcpy(r->src, q->dst, 16);
	memcpy(r->dst, q->src, 16);
	r->sport = q->dport;
	r->dport = q->sport;
}

static void query_msg(struct msg *m, uint16_t id, const char *name)
{
	hdr(m, QUERY, 1, 0, 0, 0);
	m->b[0] = (uint8_t)(id >> 8);
	m->b[1] = (uint8_t)id;
	question(m, name, T_A);
}

static void reply_msg(struct msg *m, uint16_t id, const char *name,
		      uint8_t last_octet)
{
	hdr(m, RESP, 1, 1, 0, 0);
	m->b[0] = (uint8_t)(id >> 8);
	m->b[1] = (uint8_t)id;
	question(m, name, T_A);
	put_ptr(m, 12);
	rr_a(m, 300, 192, 0, 2, last_octet);
}

/* A query for name with id left on t and was allowed for owner. */
static void asked(struct dns_cache *c, const struct dns_tuple *t, uint16_t id,
		  const char *name, const struct dns_owner *o)
{
	struct msg m;

	query_msg(&m, id, name);
	assert_int_equal(dns_query_note(c, t, m.b, m.n, 0), 0);
	assert_int_equal(dns_query_owner(c, t, o), 1);
}

static int answered(struct dns_cache *c, const struct dns_tuple *q,
		    uint16_t id, const char *name, uint8_t octet)
{
	struct dns_tuple r;
	struct msg m;

	tuple_reply(&r, q);
	reply_msg(&m, id, name, octet);
	return dns_reply_ingest(c, &r, m.b, m.n, 10);
}

static const char *name_for(struct dns_cache *c, uint8_t octet,
			    const struct dns_owner *o)
{
	uint8_t a[4];

	v4(a, 192, 0, 2, octet);
	return dns_cache_lookup_for(c, AF_INET, a, o, 20);
}

static void test_reply_to_no_query_is_not_learned(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_cache_stats st;
	struct dns_tuple t;

	(void)state;
	tuple_make(&t, 40000);
	assert_int_equal(answered(c, &t, 7, "good.test", 66), -ENOENT);
	assert_null(name_for(c, 66, NULL));
	dns_cache_stats(c, &st);
	assert_int_equal(st.unsolicited, 1);
	dns_cache_free(c);
}

static void test_reply_with_wrong_id_is_not_learned(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_tuple t;

	(void)state;
	tuple_make(&t, 40000);
	asked(c, &t, 7, "good.test", NULL);
	assert_int_equal(answered(c, &t, 8, "good.test", 66), -ENOENT);
	assert_null(name_for(c, 66, NULL));
	assert_int_equal(answered(c, &t, 7, "good.test", 10), 1);
	assert_string_equal(name_for(c, 10, NULL), "good.test");
	dns_cache_free(c);
}

static void test_reply_with_other_question_is_not_learned(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_tuple t;

	(void)state;
	tuple_make(&t, 40000);
	asked(c, &t, 7, "good.test", NULL);
	assert_int_equal(answered(c, &t, 7, "bank.test", 66), -ENOENT);
	assert_null(name_for(c, 66, NULL));
	/* Case does not make another question (names are lower-cased). */
	assert_int_equal(answered(c, &t, 7, "GOOD.test", 10), 1);
	dns_cache_free(c);
}

static void test_reply_on_another_flow_is_not_learned(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_tuple t, other;

	(void)state;
	tuple_make(&t, 40000);
	tuple_make(&other, 40001);
	asked(c, &t, 7, "good.test", NULL);
	assert_int_equal(answered(c, &other, 7, "good.test", 66), -ENOENT);
	other = t;
	v4(other.dst, 10, 0, 0, 54);	/* another resolver */
	assert_int_equal(answered(c, &other, 7, "good.test", 66), -ENOENT);
	assert_null(name_for(c, 66, NULL));
	dns_cache_free(c);
}

static void test_second_answer_is_not_learned(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_tuple t;

	(void)state;
	tuple_make(&t, 40000);
	asked(c, &t, 7, "good.test", NULL);
	assert_int_equal(answered(c, &t, 7, "good.test", 10), 1);
	assert_int_equal(answered(c, &t, 7, "good.test", 66), -ENOENT);
	assert_null(name_for(c, 66, NULL));
	dns_cache_free(c);
}

/* A query that was not allowed (dropped) gets no answer learned. */
static void test_query_not_allowed_is_not_answered(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_tuple t;
	struct msg m;

	(void)state;
	tuple_make(&t, 40000);
	query_msg(&m, 7, "good.test");
	assert_int_equal(dns_query_note(c, &t, m.b, m.n, 0), 0);
	assert_false(dns_query_flow_allowed(c, &t, 0, NULL));
	assert_int_equal(answered(c, &t, 7, "good.test", 10), -ENOENT);
	dns_cache_free(c);
}

static void test_query_expires(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_tuple t, r;
	struct msg m;

	(void)state;
	tuple_make(&t, 40000);
	asked(c, &t, 7, "good.test", NULL);
	assert_true(dns_query_flow_allowed(c, &t, DNS_QUERY_TTL_MS - 1, NULL));
	assert_false(dns_query_flow_allowed(c, &t, DNS_QUERY_TTL_MS, NULL));
	tuple_reply(&r, &t);
	reply_msg(&m, 7, "good.test", 10);
	assert_int_equal(dns_reply_ingest(c, &r, m.b, m.n, DNS_QUERY_TTL_MS),
			 -ENOENT);
	dns_cache_free(c);
}

static void test_answer_is_bound_to_the_asker(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_owner o;
	struct dns_tuple t;

	(void)state;
	tuple_make(&t, 40000);
	asked(c, &t, 7, "good.test", &owner_a);
	assert_true(dns_query_flow_allowed(c, &t, 0, &o));
	assert_int_equal(o.pid, owner_a.pid);
	assert_int_equal(answered(c, &t, 7, "good.test", 10), 1);
	assert_string_equal(name_for(c, 10, &owner_a), "good.test");
	assert_null(name_for(c, 10, &owner_b));
	assert_null(name_for(c, 10, NULL));
	/* The same pid with another start time is another process. */
	o = owner_a;
	o.start++;
	assert_null(name_for(c, 10, &o));
	dns_cache_free(c);
}

/* Where the asker was not known, the answer names the address for all. */
static void test_answer_of_unknown_asker_is_shared(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_tuple t, u;

	(void)state;
	tuple_make(&t, 40000);
	asked(c, &t, 7, "shared.test", NULL);
	assert_int_equal(answered(c, &t, 7, "shared.test", 10), 1);
	tuple_make(&u, 40001);
	asked(c, &u, 9, "mine.test", &owner_a);
	assert_int_equal(answered(c, &u, 9, "mine.test", 10), 1);
	/* Its own lookup first, then the shared one. */
	assert_string_equal(name_for(c, 10, &owner_a), "mine.test");
	assert_string_equal(name_for(c, 10, &owner_b), "shared.test");
	assert_string_equal(name_for(c, 10, NULL), "shared.test");
	dns_cache_free(c);
}

static void test_query_ring_drops_oldest_and_counts(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_cache_stats st;
	struct dns_tuple t;
	unsigned i;

	(void)state;
	tuple_make(&t, 40000);
	asked(c, &t, 7, "first.test", NULL);
	for (i = 0; i < DNS_QUERIES_MAX; i++) {
		struct dns_tuple f;
		struct msg m;

		tuple_make(&f, (uint16_t)(1000 + i));
		query_msg(&m, 1, "flood.test");
		assert_int_equal(dns_query_note(c, &f, m.b, m.n, 0), 0);
	}
	dns_cache_stats(c, &st);
	assert_int_equal(st.queries, DNS_QUERIES_MAX + 1);
	assert_int_equal(st.queries_evicted, 1);
	assert_int_equal(answered(c, &t, 7, "first.test", 10), -ENOENT);
	dns_cache_free(c);
}

static void test_response_is_not_noted_as_query(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct dns_tuple t;
	struct msg m;

	(void)state;
	tuple_make(&t, 40000);
	reply_msg(&m, 7, "good.test", 10);
	assert_int_equal(dns_query_note(c, &t, m.b, m.n, 0), -EBADMSG);
	dns_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_record_is_linked_to_qname),
		cmocka_unit_test(test_aaaa_record_is_linked_to_qname),
		cmocka_unit_test(test_cname_chain_resolves_to_qname_with_min_ttl),
		cmocka_unit_test(test_cname_chain_in_any_order_resolves),
		cmocka_unit_test(test_shared_cname_target_still_links),
		cmocka_unit_test(test_cname_loop_through_qname_ends),
		cmocka_unit_test(test_address_off_the_chain_is_unlinked),
		cmocka_unit_test(test_cname_loop_ends_unlinked),
		cmocka_unit_test(test_names_are_lowercased_without_trailing_dot),
		cmocka_unit_test(test_compressed_suffixes_are_followed),
		cmocka_unit_test(test_two_level_compression_is_followed),
		cmocka_unit_test(test_bad_owner_names_are_ebadmsg),
		cmocka_unit_test(test_forward_pointer_to_valid_name_is_ebadmsg),
		cmocka_unit_test(test_pointer_chain_at_jump_cap_is_accepted),
		cmocka_unit_test(test_pointer_chain_over_jump_cap_is_ebadmsg),
		cmocka_unit_test(test_name_of_255_wire_bytes_is_accepted),
		cmocka_unit_test(test_name_over_255_wire_bytes_is_ebadmsg),
		cmocka_unit_test(test_name_over_255_through_pointer_is_ebadmsg),
		cmocka_unit_test(test_counts_that_lie_are_ebadmsg),
		cmocka_unit_test(test_full_response_parses),
		cmocka_unit_test(test_truncation_at_every_byte_is_ebadmsg),
		cmocka_unit_test(test_trailing_bytes_are_ignored),
		cmocka_unit_test(test_query_is_not_a_response),
		cmocka_unit_test(test_a_with_wrong_rdlength_is_ebadmsg),
		cmocka_unit_test(test_cname_not_filling_rdata_is_ebadmsg),
		cmocka_unit_test(test_other_classes_are_ignored),
		cmocka_unit_test(test_unprintable_names_are_skipped),
		cmocka_unit_test(test_unprintable_qname_links_nothing),
		cmocka_unit_test(test_answers_over_the_cap_are_counted),
		cmocka_unit_test(test_nxdomain_has_no_addresses),
		cmocka_unit_test(test_query_name_is_returned_lowercase),
		cmocka_unit_test(test_query_name_errors),
		cmocka_unit_test(test_query_name_from_udp_packet),
		cmocka_unit_test(test_ingest_remembers_qname_not_canonical_name),
		cmocka_unit_test(test_unlinked_address_is_not_cached),
		cmocka_unit_test(test_ttl_is_clamped_and_expires),
		cmocka_unit_test(test_chain_ttl_bounds_the_entry),
		cmocka_unit_test(test_lru_evicts_least_recently_used_and_counts),
		cmocka_unit_test(test_expired_victim_counts_as_expired),
		cmocka_unit_test(test_reinsert_overwrites_and_refreshes),
		cmocka_unit_test(test_reply_to_no_query_is_not_learned),
		cmocka_unit_test(test_reply_with_wrong_id_is_not_learned),
		cmocka_unit_test(test_reply_with_other_question_is_not_learned),
		cmocka_unit_test(test_reply_on_another_flow_is_not_learned),
		cmocka_unit_test(test_second_answer_is_not_learned),
		cmocka_unit_test(test_query_not_allowed_is_not_answered),
		cmocka_unit_test(test_query_expires),
		cmocka_unit_test(test_answer_is_bound_to_the_asker),
		cmocka_unit_test(test_answer_of_unknown_asker_is_shared),
		cmocka_unit_test(test_query_ring_drops_oldest_and_counts),
		cmocka_unit_test(test_response_is_not_noted_as_query),
		cmocka_unit_test(test_families_do_not_collide),
		cmocka_unit_test(test_full_cache_keeps_newest_entries),
		cmocka_unit_test(test_cache_new_rejects_bad_capacity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
