/* fuzz_dns.c - the DNS response parser, the query-name parser and cache
 * ingest on arbitrary bytes.  The first input byte picks a clock offset so
 * expiry and eviction paths run too.  A first byte of 0xff makes the rest
 * a script of queries leaving, verdicts, replies coming back and time
 * passing on a few flows, replayed the way verdict.c calls the cache (see
 * run_script), with a model of which names may be learned for whom. */
#include <errno.h>
#include <stdbool.h>
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

/* ---- script mode */

#define SCRIPT		0xff
#define NTUPLES		4
#define NOWNERS		4
#define MODEL_MAX	256	/* queries remembered by the model (well
				 * under DNS_QUERIES_MAX: no ring eviction) */

static const struct dns_tuple tuples[NTUPLES] = {
	{ AF_INET, { 10, 0, 0, 1 }, { 10, 0, 0, 53 }, 4000, 53 },
	{ AF_INET, { 10, 0, 0, 1 }, { 10, 0, 0, 53 }, 4001, 53 },
	{ AF_INET6, { 0xfd, [15] = 1 }, { 0xfd, [15] = 0x53 }, 4000, 53 },
	{ AF_INET, { 10, 0, 0, 1 }, { 10, 0, 0, 54 }, 4000, 53 },
};

/* Unknown, a process, the same pid reused, another process. */
static const struct dns_owner owners[NOWNERS] = {
	{ 0, 0 }, { 100, 1 }, { 100, 2 }, { 200, 5 },
};

/* A query the daemon noted: a name it may learn once allowed. */
struct mq {
	unsigned tuple, owner;
	bool allowed;
	char name[DNS_NAME_BUF];
};

struct model {
	struct mq q[MODEL_MAX];
	size_t n;
	uint64_t now;
	struct dns_response *r;		/* scratch */
};

static unsigned owner_index(const struct dns_owner *o)
{
	for (unsigned i = 0; i < NOWNERS; i++)
		if (o->pid == owners[i].pid && o->start == owners[i].start)
			return i;
	abort();	/* the cache made up an owner */
}

static struct dns_tuple reversed(const struct dns_tuple *t)
{
	struct dns_tuple r = { .family = t->family, .sport = t->dport,
			       .dport = t->sport };

	memcpy(r.src, t->dst, sizeof(r.src));
	memcpy(r.dst, t->src, sizeof(r.dst));
	return r;
}

/* dns_query_note, and the model remembers the name when it was noted. */
static int note(struct dns_cache *c, struct model *m, unsigned t,
		const uint8_t *msg, size_t len)
{
	struct mq *q = &m->q[m->n];
	int r;

	if (m->n == MODEL_MAX)
		return -ENOSPC;
	if ((r = dns_query_note(c, &tuples[t], msg, len, m->now)) == 0) {
		if (dns_query_name(msg, len, q->name, sizeof(q->name)) < 0)
			abort();	/* noted what it could not name */
		q->tuple = t;
		q->allowed = false;
		m->n++;
	}
	return r;
}

static void allow(struct dns_cache *c, struct model *m, unsigned t, unsigned o)
{
	(void)dns_query_owner(c, &tuples[t], &owners[o]);
	for (size_t i = 0; i < m->n; i++)
		if (m->q[i].tuple == t && !m->q[i].allowed) {
			m->q[i].allowed = true;
			m->q[i].owner = o;
		}
}

/* An outgoing query on t (verdict_dns_followup, then the verdict). */
static void out_query(struct dns_cache *c, struct model *m, unsigned t,
		      bool allowed, unsigned o, const uint8_t *msg, size_t len)
{
	struct dns_owner prev;

	if (dns_query_flow_allowed(c, &tuples[t], m->now, &prev)) {
		if (note(c, m, t, msg, len) == 0)
			allow(c, m, t, owner_index(&prev));
		return;
	}
	(void)note(c, m, t, msg, len);
	if (allowed)
		allow(c, m, t, o);
}

/* name was learned for o: some allowed query asked for it, by o or by an
 * unknown process (shared). */
static void check_learned(const struct model *m, const char *name, unsigned o)
{
	if (strnlen(name, DNS_NAME_BUF) == DNS_NAME_BUF)
		abort();
	for (size_t i = 0; i < m->n; i++)
		if (m->q[i].allowed && (m->q[i].owner == o || m->q[i].owner == 0) &&
		    !strcmp(m->q[i].name, name))
			return;
	abort();
}

/* A reply on t's reverse; then every address it names is looked up for
 * every owner. */
static void in_reply(struct dns_cache *c, struct model *m, unsigned t,
		     const uint8_t *msg, size_t len)
{
	struct dns_tuple back_t = reversed(&tuples[t]);
	bool any = false;
	int r = dns_reply_ingest(c, &back_t, msg, len, m->now);

	for (size_t i = 0; i < m->n; i++)
		any |= m->q[i].tuple == t && m->q[i].allowed;
	if (r > 0 && !any)
		abort();	/* learned an answer to no allowed query */
	if (dns_parse_response(msg, len, m->r) < 0)
		return;
	for (size_t i = 0; i < m->r->naddrs; i++)
		for (unsigned o = 0; o < NOWNERS; o++) {
			const char *name = dns_cache_lookup_for(
				c, m->r->addrs[i].family, m->r->addrs[i].addr,
				o ? &owners[o] : NULL, m->now);

			if (name)
				check_learned(m, name, o);
		}
}

/* Ops: 1 byte, then for queries and replies a 2-byte length and the
 * payload, for time a 2-byte step of 50 ms units.
 *   op & 3: 0 query (bit 4: allowed, bits 5-6: owner), 1 reply, 2 time
 *   op >> 2 & 3: the flow. */
static void run_script(const uint8_t *p, size_t n)
{
	struct dns_cache *c = dns_cache_new(8);
	struct model *m = calloc(1, sizeof(*m));
	struct dns_cache_stats st;

	if (!c || !m || !(m->r = malloc(sizeof(*m->r))))
		abort();
	m->now = 1000;
	while (n >= 3) {
		unsigned op = p[0], t = op >> 2 & 3;
		size_t len = (size_t)p[1] | (size_t)p[2] << 8;

		p += 3;
		n -= 3;
		if ((op & 3) == 2) {
			m->now += len * 50;
			continue;
		}
		if (len > n)
			len = n;
		if ((op & 3) == 0)
			out_query(c, m, t, op & 0x10, op >> 5 & 3, p, len);
		else if ((op & 3) == 1)
			in_reply(c, m, t, p, len);
		p += len;
		n -= len;
	}
	dns_cache_stats(c, &st);
	if (st.entries > st.capacity)
		abort();
	dns_cache_free(c);
	free(m->r);
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_response *r;
	struct dns_cache *c;
	char name[DNS_NAME_BUF];
	size_t i;

	if (size < 1 || size > 65535)
		return 0;
	if (data[0] == SCRIPT) {
		run_script(data + 1, size - 1);
		return 0;
	}
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
