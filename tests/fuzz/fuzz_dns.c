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
	/* twice, later, so refresh, expiry and eviction all get exercised */
	(void)dns_cache_ingest(c, data + 1, size - 1, 0);
	(void)dns_cache_ingest(c, data + 1, size - 1, (uint64_t)data[0] * 10000);
	for (i = 0; r->naddrs && i < r->naddrs; i++)
		(void)dns_cache_lookup(c, r->addrs[i].family, r->addrs[i].addr,
				       (uint64_t)data[0] * 20000);
	/* The checked path: the same bytes as a query that left, then as
	 * its reply on the reversed flow. */
	{
		struct dns_tuple q = { .family = AF_INET, .sport = 4000,
				       .dport = 53 }, a;
		struct dns_owner o = { 1, 2 };

		a = q;
		a.sport = 53;
		a.dport = 4000;
		if (dns_query_note(c, &q, data + 1, size - 1, 0) == 0)
			(void)dns_query_owner(c, &q, &o);
		(void)dns_reply_ingest(c, &a, data + 1, size - 1, 1);
		for (i = 0; r->naddrs && i < r->naddrs; i++)
			(void)dns_cache_lookup_for(c, r->addrs[i].family,
						   r->addrs[i].addr, &o, 2);
	}
	dns_cache_free(c);
	free(r);
	return 0;
}
