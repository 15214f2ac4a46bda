/* fuzz_dns.c - the DNS response parser, the query-name parser and cache
 * ingest on arbitrary bytes.  The first input byte picks a clock offset so
 * expiry and eviction paths run too. */
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "dns.h"
#include "fuzz.h"

static void check_response(const struct dns_response *r)
{
	size_t i;

	if (r->naddrs > DNS_MAX_ADDRS || r->ncnames > DNS_MAX_CNAMES)
		abort();
	if (strnlen(r->qname, DNS_NAME_BUF) == DNS_NAME_BUF)
		abort();
	for (i = 0; i < r->naddrs; i++)
		if (strnlen(r->addrs[i].owner, DNS_NAME_BUF) == DNS_NAME_BUF)
			abort();
}

#define DNS_HDR 12

static const struct dns_tuple out = { .family = AF_INET, .sport = 4000,
				      .dport = 53 };
static const struct dns_tuple back = { .family = AF_INET, .sport = 53,
				       .dport = 4000 };
static const struct dns_owner owner = { 7, 9 };

/* A query with r's id and question name (type A, class IN).  Its length,
 * or 0 when it does not fit. */
static size_t query_of(const struct dns_response *r, uint8_t *q, size_t cap)
{
	const char *p = r->qname;
	size_t o = DNS_HDR;

	memset(q, 0, DNS_HDR);
	q[0] = (uint8_t)(r->id >> 8);
	q[1] = (uint8_t)r->id;
	q[2] = 0x01;		/* RD */
	q[5] = 1;		/* one question */
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (n == 0 || n > 63 || o + 1 + n + 5 > cap)
			return 0;
		q[o++] = (uint8_t)n;
		memcpy(q + o, p, n);
		o += n;
		p += n + (dot ? 1 : 0);
	}
	if (o + 5 > cap)
		return 0;
	q[o++] = 0;
	q[o++] = 0;
	q[o++] = 1;
	q[o++] = 0;
	q[o++] = 1;
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_response *r;
	struct dns_cache *c;
	char name[DNS_NAME_BUF];
	size_t i;

	if (size < 1 || size > 65535)
		return 0;
	r = malloc(sizeof(*r));
	c = dns_cache_new(4);
	if (!r || !c)
		abort();
	if (dns_parse_response(data + 1, size - 1, r) == 0)
		check_response(r);
	(void)dns_query_name(data + 1, size - 1, name, sizeof(name));
	/* The daemon's path: the query this response answers leaves first
	 * (built from its id and question), then the response comes back;
	 * twice, later, so refresh, expiry and eviction all get exercised. */
	for (i = 0; i < 2; i++) {
		uint64_t now = (uint64_t)data[0] * 10000 * i;
		uint8_t q[DNS_HDR + DNS_NAME_BUF + 8];
		size_t qlen;

		if (r->has_qname && (qlen = query_of(r, q, sizeof(q))) > 0 &&
		    dns_query_note(c, &out, q, qlen, now) == 0)
			(void)dns_query_owner(c, &out, i ? &owner : NULL);
		(void)dns_reply_ingest(c, &back, data + 1, size - 1, now);
	}
	/* A response is not a query. */
	(void)dns_query_note(c, &out, data + 1, size - 1, 0);
	for (i = 0; i < r->naddrs; i++) {
		(void)dns_cache_lookup_for(c, r->addrs[i].family, r->addrs[i].addr,
					   &owner, (uint64_t)data[0] * 20000);
		(void)dns_cache_lookup_for(c, r->addrs[i].family, r->addrs[i].addr,
					   NULL, (uint64_t)data[0] * 20000);
	}
	dns_cache_free(c);
	free(r);
	return 0;
}
