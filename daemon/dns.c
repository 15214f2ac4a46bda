/* dns.c - DNS response / query-name parsing and the ip -> name cache. */
#include "dns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#define DNS_HDR_LEN	12
#define DNS_WIRE_MAX	255	/* RFC 1035 3.1, incl. length bytes + root */
#define DNS_FLAG_QR	0x8000
#define DNS_OPCODE(f)	(((f) >> 11) & 0x0f)
#define DNS_TYPE_A	1
#define DNS_TYPE_CNAME	5
#define DNS_TYPE_AAAA	28
#define DNS_CLASS_IN	1
#define DNS_RR_FIXED	10	/* type, class, ttl, rdlength */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Append one label to out at *o, lower-cased.  Bytes that would make the
 * text ambiguous or unprintable ('.', controls, space, non-ASCII) are
 * written as '?' and reported, so the caller can refuse the name. */
static int label_copy(const uint8_t *src, size_t n, char *out, size_t *o)
{
	int bad = 0;
	size_t i;

	if (!out)
		return 0;
	if (*o + (*o != 0) + n >= DNS_NAME_BUF)
		return 1;	/* cannot happen: the wire limit bounds it */
	if (*o)
		out[(*o)++] = '.';
	for (i = 0; i < n; i++) {
		uint8_t ch = src[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (uint8_t)(ch - 'A' + 'a');
		if (ch <= 0x20 || ch >= 0x7f || ch == '.') {
			bad = 1;
			ch = '?';
		}
		out[(*o)++] = (char)ch;
	}
	return bad;
}

/* Decode the name at off.  *next is where the record continues: after the
 * first pointer, or after the root label.  Each pointer must target the
 * message body (not the header) strictly before the start of the piece
 * being read, so targets strictly decrease and the walk ends; jumps are
 * capped too, to bound the work per name.  out (DNS_NAME_BUF bytes) may be
 * NULL to validate only.  0, -EBADMSG, or -EILSEQ (structure fine, name
 * not printable: *next is valid). */
static int name_read(const uint8_t *msg, size_t len, size_t off, char *out,
		     size_t *next)
{
	size_t pos = off, floor = off, wire = 1, o = 0, end = 0, ptr;
	unsigned int jumps = 0;
	int bad = 0;
	uint8_t c;

	for (;;) {
		if (pos >= len)
			return -EBADMSG;
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			if (len - pos < 2)
				return -EBADMSG;
			ptr = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			if (!end)
				end = pos + 2;
			if (ptr < DNS_HDR_LEN || ptr >= floor ||
			    ++jumps > DNS_MAX_JUMPS)
				return -EBADMSG;
			pos = floor = ptr;
			continue;
		}
		if (c & 0xc0)	/* extended (0x40) and reserved (0x80) */
			return -EBADMSG;
		if (c == 0)
			break;
		wire += (size_t)c + 1;	/* wire started at 1: the root */
		if (wire > DNS_WIRE_MAX || len - pos - 1 < c)
			return -EBADMSG;
		bad |= label_copy(msg + pos + 1, c, out, &o);
		pos += 1 + (size_t)c;
	}
	if (out)
		out[o] = '\0';
	*next = end ? end : pos + 1;
	return bad ? -EILSEQ : 0;
}

struct rr {
	uint16_t type;
	uint16_t cls;
	uint32_t ttl;
	size_t rdoff;
	size_t rdlen;
	int name_r;	/* name_read result for the owner: 0 or -EILSEQ */
};

/* Read one resource record at *off, owner name into name (may be NULL). */
static int rr_read(const uint8_t *msg, size_t len, size_t *off, char *name,
		   struct rr *rr)
{
	size_t p;
	int r;

	r = name_read(msg, len, *off, name, &p);
	if (r == -EBADMSG)
		return r;
	if (len - p < DNS_RR_FIXED)
		return -EBADMSG;
	rr->name_r = r;
	rr->type = rd16(msg + p);
	rr->cls = rd16(msg + p + 2);
	rr->ttl = rd32(msg + p + 4);
	if (rr->ttl & 0x80000000u)	/* RFC 2181 8: treat as zero */
		rr->ttl = 0;
	rr->rdlen = rd16(msg + p + 8);
	rr->rdoff = p + DNS_RR_FIXED;
	if (rr->rdlen > len - rr->rdoff)
		return -EBADMSG;
	*off = rr->rdoff + rr->rdlen;
	return 0;
}

static int keep_addr(const uint8_t *msg, const struct rr *rr,
		     const char *name, struct dns_response *out)
{
	size_t alen = rr->type == DNS_TYPE_A ? 4 : 16;
	struct dns_addr *a;

	if (rr->rdlen != alen)
		return -EBADMSG;
	if (rr->name_r < 0 || out->naddrs == DNS_MAX_ADDRS) {
		out->skipped++;
		return 0;
	}
	a = &out->addrs[out->naddrs++];
	a->family = alen == 4 ? AF_INET : AF_INET6;
	memcpy(a->addr, msg + rr->rdoff, alen);
	a->ttl = rr->ttl;
	memcpy(a->owner, name, DNS_NAME_BUF);
	return 0;
}

/* The CNAME target must fill the rdata exactly. */
static int keep_cname(const uint8_t *msg, size_t len, const struct rr *rr,
		      const char *name, struct dns_response *out)
{
	char target[DNS_NAME_BUF];
	struct dns_cname *cn;
	size_t next;
	int r;

	r = name_read(msg, len, rr->rdoff, target, &next);
	if (r == -EBADMSG || next != rr->rdoff + rr->rdlen)
		return -EBADMSG;
	if (r < 0 || rr->name_r < 0 || out->ncnames == DNS_MAX_CNAMES) {
		out->skipped++;
		return 0;
	}
	cn = &out->cnames[out->ncnames++];
	cn->ttl = rr->ttl;
	memcpy(cn->owner, name, DNS_NAME_BUF);
	memcpy(cn->target, target, DNS_NAME_BUF);
	return 0;
}

static int answers_read(const uint8_t *msg, size_t len, unsigned int n,
			size_t *off, struct dns_response *out)
{
	char name[DNS_NAME_BUF];
	struct rr rr;
	int r;

	for (; n > 0; n--) {
		if ((r = rr_read(msg, len, off, name, &rr)) < 0)
			return r;
		if (rr.cls != DNS_CLASS_IN)
			continue;
		if (rr.type == DNS_TYPE_A || rr.type == DNS_TYPE_AAAA)
			r = keep_addr(msg, &rr, name, out);
		else if (rr.type == DNS_TYPE_CNAME)
			r = keep_cname(msg, len, &rr, name, out);
		if (r < 0)
			return r;
	}
	return 0;
}

static int rrs_skip(const uint8_t *msg, size_t len, unsigned int n,
		    size_t *off)
{
	struct rr rr;
	int r;

	for (; n > 0; n--)
		if ((r = rr_read(msg, len, off, NULL, &rr)) < 0)
			return r;
	return 0;
}

/* Questions: name + type + class.  Only the first name is kept. */
static int questions_read(const uint8_t *msg, size_t len, unsigned int n,
			  size_t *off, struct dns_response *out)
{
	unsigned int i;
	int r;

	for (i = 0; i < n; i++) {
		r = name_read(msg, len, *off, i ? NULL : out->qname, off);
		if (r == -EBADMSG)
			return r;
		if (i == 0)
			out->has_qname = r == 0;
		if (len - *off < 4)
			return -EBADMSG;
		*off += 4;
	}
	return 0;
}

static const struct dns_cname *cname_from(const struct dns_response *r,
					  const char *owner)
{
	size_t i;

	for (i = 0; i < r->ncnames; i++)
		if (!strcmp(r->cnames[i].owner, owner))
			return &r->cnames[i];
	return NULL;
}

static void link_owner(struct dns_response *r, const char *owner,
		       uint32_t chain_ttl)
{
	struct dns_addr *a;
	size_t i;

	for (i = 0; i < r->naddrs; i++) {
		a = &r->addrs[i];
		if (a->linked || strcmp(a->owner, owner))
			continue;
		a->linked = 1;
		if (chain_ttl < a->ttl)
			a->ttl = chain_ttl;
	}
}

/* Follow CNAMEs forward from the question name (a name owns at most one
 * CNAME, RFC 1034 3.6.2, while many may share a target) and link the
 * addresses owned by any name on the way.  At most DNS_MAX_CNAMES steps, so
 * a CNAME loop ends. */
static void addrs_link(struct dns_response *r)
{
	const struct dns_cname *cn;
	const char *cur = r->qname;
	uint32_t chain_ttl = UINT32_MAX;
	size_t step;

	if (!r->has_qname)
		return;
	for (step = 0;; step++) {
		link_owner(r, cur, chain_ttl);
		if (step == DNS_MAX_CNAMES || !(cn = cname_from(r, cur)))
			break;
		cur = cn->target;
		if (cn->ttl < chain_ttl)
			chain_ttl = cn->ttl;
	}
}

int dns_parse_response(const uint8_t *msg, size_t len, struct dns_response *out)
{
	size_t off = DNS_HDR_LEN;
	uint16_t flags;
	int r = -EBADMSG;

	memset(out, 0, sizeof(*out));
	if (len < DNS_HDR_LEN)
		goto out;
	flags = rd16(msg + 2);
	if (!(flags & DNS_FLAG_QR) || DNS_OPCODE(flags) != 0)
		goto out;
	out->id = rd16(msg);
	out->rcode = flags & 0x0f;
	if ((r = questions_read(msg, len, rd16(msg + 4), &off, out)) < 0)
		goto out;
	if ((r = answers_read(msg, len, rd16(msg + 6), &off, out)) < 0)
		goto out;
	/* authority + additional: structure only; their addresses are glue,
	 * not answers, and must not name anything */
	r = rrs_skip(msg, len, (unsigned int)rd16(msg + 8) + rd16(msg + 10),
		     &off);
	if (r < 0)
		goto out;
	addrs_link(out);
out:
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int dns_query_name(const uint8_t *msg, size_t len, char *out, size_t outlen)
{
	char name[DNS_NAME_BUF];
	size_t next, n;
	uint16_t flags;
	int r = -EBADMSG;

	if (outlen)
		out[0] = '\0';
	if (len < DNS_HDR_LEN)
		return r;
	flags = rd16(msg + 2);
	if ((flags & DNS_FLAG_QR) || DNS_OPCODE(flags) != 0)
		return r;
	if (rd16(msg + 4) == 0)
		return -ENOENT;
	if ((r = name_read(msg, len, DNS_HDR_LEN, name, &next)) < 0)
		return r;
	if (len - next < 4)
		return -EBADMSG;
	n = strlen(name);
	if (n >= outlen)
		return -ENOSPC;
	memcpy(out, name, n + 1);
	return 0;
}

/* ---- the cache ---- */

#define NIL		UINT32_MAX
#define KEY_LEN		29	/* family byte + 16 address bytes + owner
				 * pid (4) + owner start time (8) */

/* A query that left, waiting for its answer. */
struct dns_query {
	struct dns_tuple t;
	uint16_t id;
	bool used;		/* slot holds a query */
	bool answered;		/* one answer per query */
	bool allowed;		/* dns_query_owner was called */
	struct dns_owner owner;
	uint64_t expires_ms;
	char qname[DNS_NAME_BUF];
};

struct dns_entry {
	uint32_t hnext;		/* hash chain */
	uint32_t prev, next;	/* LRU list (head = most recent); free list
				 * uses next */
	uint64_t expires_ms;
	uint8_t key[KEY_LEN];
	char name[DNS_NAME_BUF];
};

struct dns_cache {
	struct dns_entry *e;
	uint32_t *bucket;
	uint32_t cap, mask, count;
	uint32_t head, tail, free;
	uint32_t hw;		/* entries below it have been used */
	uint64_t k0, k1;	/* SipHash key: responses are remote input,
				 * so bucket choice must not be predictable */
	struct dns_cache_stats st;
	struct dns_response resp; /* scratch for ingest */
	struct dns_query *q;	/* DNS_QUERIES_MAX, a ring */
	uint32_t q_next;	/* slot the next query takes */
};

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

static void sip_block(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
}

/* SipHash-2-4 of the fixed-size key. */
static uint64_t key_hash(const struct dns_cache *c, const uint8_t *in)
{
	uint64_t v[4] = {
		c->k0 ^ 0x736f6d6570736575ULL, c->k1 ^ 0x646f72616e646f6dULL,
		c->k0 ^ 0x6c7967656e657261ULL, c->k1 ^ 0x7465646279746573ULL,
	};
	uint64_t m, last = (uint64_t)KEY_LEN << 56;
	size_t i, j;

	for (i = 0; i + 8 <= KEY_LEN; i += 8) {
		for (m = 0, j = 0; j < 8; j++)
			m |= (uint64_t)in[i + j] << (8 * j);
		sip_block(v, m);
	}
	for (j = 0; i + j < KEY_LEN; j++)
		last |= (uint64_t)in[i + j] << (8 * j);
	sip_block(v, last);
	v[2] ^= 0xff;
	for (j = 0; j < 4; j++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static int key_make(int family, const uint8_t *addr,
		    const struct dns_owner *o, uint8_t *key)
{
	memset(key, 0, KEY_LEN);
	if (family == AF_INET)
		memcpy(key + 1, addr, 4);
	else if (family == AF_INET6)
		memcpy(key + 1, addr, 16);
	else
		return -EINVAL;
	key[0] = (uint8_t)family;
	if (o && o->pid) {
		memcpy(key + 17, &o->pid, sizeof(o->pid));
		memcpy(key + 21, &o->start, sizeof(o->start));
	}
	return 0;
}

static uint32_t *bucket_of(struct dns_cache *c, const uint8_t *key)
{
	return &c->bucket[key_hash(c, key) & c->mask];
}

static uint32_t entry_find(struct dns_cache *c, const uint8_t *key)
{
	uint32_t i;

	for (i = *bucket_of(c, key); i != NIL; i = c->e[i].hnext)
		if (!memcmp(c->e[i].key, key, KEY_LEN))
			return i;
	return NIL;
}

static void lru_unlink(struct dns_cache *c, uint32_t i)
{
	struct dns_entry *e = &c->e[i];

	if (e->prev != NIL)
		c->e[e->prev].next = e->next;
	else
		c->head = e->next;
	if (e->next != NIL)
		c->e[e->next].prev = e->prev;
	else
		c->tail = e->prev;
}

static void lru_push(struct dns_cache *c, uint32_t i)
{
	c->e[i].prev = NIL;
	c->e[i].next = c->head;
	if (c->head != NIL)
		c->e[c->head].prev = i;
	else
		c->tail = i;
	c->head = i;
}

static void entry_drop(struct dns_cache *c, uint32_t i)
{
	uint32_t *p = bucket_of(c, c->e[i].key);

	while (*p != i)
		p = &c->e[*p].hnext;
	*p = c->e[i].hnext;
	lru_unlink(c, i);
	c->e[i].next = c->free;
	c->free = i;
	c->count--;
}

/* A free slot, evicting the least recently used entry when full. */
static uint32_t entry_alloc(struct dns_cache *c, uint64_t now_ms)
{
	uint32_t i;

	if (c->free == NIL && c->hw < c->cap) {
		c->count++;
		return c->hw++;
	}
	if (c->free == NIL) {
		if (now_ms >= c->e[c->tail].expires_ms)
			c->st.expired++;
		else
			c->st.evictions++;
		entry_drop(c, c->tail);
	}
	i = c->free;
	c->free = c->e[i].next;
	c->count++;
	return i;
}

struct dns_cache *dns_cache_new(size_t cap)
{
	struct dns_cache *c;
	size_t nb = 1;
	uint64_t seed[2];

	if (cap == 0 || cap > DNS_CACHE_MAX) {
		errno = EINVAL;
		return NULL;
	}
	while (nb < cap)
		nb <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->e = calloc(cap, sizeof(*c->e));
	c->bucket = malloc(nb * sizeof(*c->bucket));
	c->q = calloc(DNS_QUERIES_MAX, sizeof(*c->q));
	if (!c->e || !c->bucket || !c->q) {
		dns_cache_free(c);
		errno = ENOMEM;
		return NULL;
	}
	/* no entropy yet (early boot): an unkeyed hash still works */
	if (getrandom(seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		memset(seed, 0, sizeof(seed));
	c->k0 = seed[0];
	c->k1 = seed[1];
	c->cap = (uint32_t)cap;
	c->mask = (uint32_t)(nb - 1);
	c->head = c->tail = NIL;
	memset(c->bucket, 0xff, nb * sizeof(*c->bucket));
	/* Entries are handed out from a high-water mark, so a large cache
	 * costs resident memory only as it fills. */
	c->free = NIL;
	c->hw = 0;
	return c;
}

void dns_cache_free(struct dns_cache *c)
{
	if (!c)
		return;
	free(c->e);
	free(c->bucket);
	free(c->q);
	free(c);
}

static uint64_t expiry(uint32_t ttl_s, uint64_t now_ms)
{
	uint64_t ms;

	if (ttl_s < DNS_TTL_MIN_S)
		ttl_s = DNS_TTL_MIN_S;
	if (ttl_s > DNS_TTL_MAX_S)
		ttl_s = DNS_TTL_MAX_S;
	ms = (uint64_t)ttl_s * 1000;
	return now_ms > UINT64_MAX - ms ? UINT64_MAX : now_ms + ms;
}

int dns_cache_insert(struct dns_cache *c, int family, const uint8_t *addr,
		     const struct dns_owner *owner, const char *name,
		     uint32_t ttl_s, uint64_t now_ms)
{
	uint8_t key[KEY_LEN];
	size_t n;
	uint32_t i;
	uint32_t *b;

	if (key_make(family, addr, owner, key) < 0)
		return -EINVAL;
	n = strnlen(name, DNS_NAME_BUF);
	if (n == DNS_NAME_BUF)
		return -EINVAL;
	i = entry_find(c, key);
	if (i == NIL) {
		i = entry_alloc(c, now_ms);
		memcpy(c->e[i].key, key, KEY_LEN);
		b = bucket_of(c, key);
		c->e[i].hnext = *b;
		*b = i;
	} else {
		lru_unlink(c, i);
	}
	memcpy(c->e[i].name, name, n + 1);
	c->e[i].expires_ms = expiry(ttl_s, now_ms);
	lru_push(c, i);
	c->st.inserted++;
	return 0;
}

/* The addresses of the parsed response c->resp, bound to owner. */
static int learn(struct dns_cache *c, const struct dns_owner *owner,
		 uint64_t now_ms)
{
	const struct dns_response *r = &c->resp;
	const struct dns_addr *a;
	size_t i;
	int n = 0;

	for (i = 0; i < r->naddrs; i++) {
		a = &r->addrs[i];
		if (!a->linked)
			continue;
		if (dns_cache_insert(c, a->family, a->addr, owner, r->qname,
				     a->ttl, now_ms) == 0)
			n++;
	}
	return n;
}

/* ---- queries that left */

static size_t tuple_addr_len(const struct dns_tuple *t)
{
	return t->family == AF_INET ? 4 : 16;
}

static bool tuple_eq(const struct dns_tuple *a, const struct dns_tuple *b)
{
	return a->family == b->family && a->sport == b->sport &&
	       a->dport == b->dport &&
	       !memcmp(a->src, b->src, tuple_addr_len(a)) &&
	       !memcmp(a->dst, b->dst, tuple_addr_len(a));
}

static bool query_live(const struct dns_query *q, uint64_t now_ms)
{
	return q->used && now_ms < q->expires_ms;
}

int dns_query_note(struct dns_cache *c, const struct dns_tuple *t,
		   const uint8_t *msg, size_t len, uint64_t now_ms)
{
	struct dns_query *q;
	char name[DNS_NAME_BUF];
	int r;

	if (t->family != AF_INET && t->family != AF_INET6)
		return -EINVAL;
	if ((r = dns_query_name(msg, len, name, sizeof(name))) < 0)
		return r;
	q = &c->q[c->q_next];
	c->q_next = (c->q_next + 1) % DNS_QUERIES_MAX;
	if (query_live(q, now_ms) && !q->answered)
		c->st.queries_evicted++;
	memset(q, 0, sizeof(*q));
	q->t = *t;
	q->id = rd16(msg);
	q->used = true;
	q->expires_ms = now_ms + DNS_QUERY_TTL_MS;
	memcpy(q->qname, name, sizeof(name));
	c->st.queries++;
	return 0;
}

unsigned dns_query_owner(struct dns_cache *c, const struct dns_tuple *t,
			 const struct dns_owner *owner)
{
	unsigned i, n = 0;

	for (i = 0; i < DNS_QUERIES_MAX; i++) {
		struct dns_query *q = &c->q[i];

		if (!q->used || q->allowed || !tuple_eq(&q->t, t))
			continue;
		q->allowed = true;
		if (owner)
			q->owner = *owner;
		n++;
	}
	return n;
}

bool dns_query_flow_allowed(const struct dns_cache *c,
			    const struct dns_tuple *t, uint64_t now_ms,
			    struct dns_owner *owner)
{
	unsigned i;

	for (i = 0; i < DNS_QUERIES_MAX; i++) {
		const struct dns_query *q = &c->q[i];

		if (query_live(q, now_ms) && q->allowed && tuple_eq(&q->t, t)) {
			if (owner)
				*owner = q->owner;
			return true;
		}
	}
	return false;
}

/* The open query this response answers, or NULL. */
static struct dns_query *query_for(struct dns_cache *c,
				   const struct dns_tuple *reply,
				   uint64_t now_ms)
{
	const struct dns_response *r = &c->resp;
	struct dns_tuple want = {
		.family = reply->family,
		.sport = reply->dport, .dport = reply->sport,
	};
	unsigned i;

	memcpy(want.src, reply->dst, sizeof(want.src));
	memcpy(want.dst, reply->src, sizeof(want.dst));
	if (!r->has_qname)
		return NULL;
	for (i = 0; i < DNS_QUERIES_MAX; i++) {
		struct dns_query *q = &c->q[i];

		if (query_live(q, now_ms) && q->allowed && !q->answered &&
		    q->id == r->id && tuple_eq(&q->t, &want) &&
		    !strcmp(q->qname, r->qname))
			return q;
	}
	return NULL;
}

int dns_reply_ingest(struct dns_cache *c, const struct dns_tuple *t,
		     const uint8_t *msg, size_t len, uint64_t now_ms)
{
	struct dns_query *q;

	if (dns_parse_response(msg, len, &c->resp) < 0) {
		c->st.malformed++;
		return -EBADMSG;
	}
	if (!(q = query_for(c, t, now_ms))) {
		c->st.unsolicited++;
		return -ENOENT;
	}
	q->answered = true;
	return learn(c, &q->owner, now_ms);
}

static const char *lookup_key(struct dns_cache *c, int family,
			      const uint8_t *addr,
			      const struct dns_owner *owner, uint64_t now_ms)
{
	uint8_t key[KEY_LEN];
	uint32_t i;

	if (key_make(family, addr, owner, key) < 0)
		return NULL;
	i = entry_find(c, key);
	if (i == NIL)
		return NULL;
	if (now_ms >= c->e[i].expires_ms) {
		entry_drop(c, i);
		c->st.expired++;
		return NULL;
	}
	lru_unlink(c, i);
	lru_push(c, i);
	return c->e[i].name;
}

const char *dns_cache_lookup_for(struct dns_cache *c, int family,
				 const uint8_t *addr,
				 const struct dns_owner *owner, uint64_t now_ms)
{
	const char *name = NULL;

	if (owner && owner->pid)
		name = lookup_key(c, family, addr, owner, now_ms);
	return name ? name : lookup_key(c, family, addr, NULL, now_ms);
}

void dns_cache_stats(const struct dns_cache *c, struct dns_cache_stats *out)
{
	*out = c->st;
	out->entries = c->count;
	out->capacity = c->cap;
}
