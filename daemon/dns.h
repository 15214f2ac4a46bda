/* dns.h - DNS message parsing (responses and query names) and a bounded
 * ip -> hostname cache fed by the responses we see.  No I/O.
 *
 * Input is a UDP payload (no TCP length prefix).  Parsing is all or
 * nothing: a message that is truncated at any byte, or whose section counts
 * claim more records than are present, is -EBADMSG and contributes nothing
 * to the cache.  Bytes after the last counted record are ignored (padding).
 * A response with TC set is parsed like any other: servers truncate at a
 * record boundary and count what they kept.
 *
 * Names are returned lower-case, without the trailing dot, in presentation
 * form; the root name is "".  Compression pointers must point strictly
 * before the start of the name (or name piece) that contains them, so a
 * walk always moves backwards and ends; at most DNS_MAX_JUMPS of them per
 * name; the wire form is limited to 255 bytes (RFC 1035 3.1). */
#ifndef TATTLE_DNS_H
#define TATTLE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX	253	/* presentation length, no trailing dot */
#define DNS_NAME_BUF	(DNS_NAME_MAX + 1)
#define DNS_MAX_JUMPS	32	/* compression pointers followed per name */
#define DNS_MAX_ADDRS	64	/* A/AAAA answers kept per message */
#define DNS_MAX_CNAMES	16	/* CNAME answers kept per message; also the
				 * longest chain followed */

/* TTL clamp for the cache.  The floor covers the gap between the answer and
 * the connect (and retries, happy eyeballs) even for TTL 0 answers; the
 * ceiling limits how long a reassigned address keeps a stale name. */
#define DNS_TTL_MIN_S	60
#define DNS_TTL_MAX_S	86400
#define DNS_CACHE_MAX	(1u << 20)	/* largest capacity dns_cache_new takes;
					 * about 300 bytes per entry */

/* One A/AAAA answer. */
struct dns_addr {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
	uint8_t linked;		/* 1 when owner chains (via CNAMEs in the
				 * answer section) back to the question name */
	uint32_t ttl;		/* seconds: min over the record and the
				 * CNAMEs of its chain (when linked) */
	char owner[DNS_NAME_BUF]; /* owner name (the canonical name) */
};

struct dns_cname {
	uint32_t ttl;
	char owner[DNS_NAME_BUF];
	char target[DNS_NAME_BUF];
};

/* A parsed response.  Large (about 26 KiB): keep it off small stacks. */
struct dns_response {
	uint16_t id;
	uint8_t rcode;
	uint8_t has_qname;	/* qdcount >= 1 and the name is printable */
	char qname[DNS_NAME_BUF]; /* first question's name */
	uint32_t skipped;	/* A/AAAA/CNAME answers not kept: over the
				 * caps, or names with bytes we cannot show */
	size_t naddrs;
	size_t ncnames;
	struct dns_addr addrs[DNS_MAX_ADDRS];
	struct dns_cname cnames[DNS_MAX_CNAMES];
};

/* Parse a DNS response (QR set, opcode QUERY).  Collects class IN A, AAAA
 * and CNAME records of the answer section and resolves each address's
 * CNAME chain to the question name (dns_addr.linked).  Authority and
 * additional sections are walked for structure only.  Names with bytes
 * outside printable ASCII, or a '.' inside a label, are not kept (counted
 * in skipped).  0 on success; -EBADMSG when malformed, truncated, or not a
 * response.  *out is zeroed first. */
int dns_parse_response(const uint8_t *msg, size_t len, struct dns_response *out);

/* The first question name of a DNS query (QR clear), for events about
 * connections to port 53.  0 and out filled; -EBADMSG malformed or not a
 * query; -ENOENT no question; -EILSEQ name not printable; -ENOSPC outlen
 * too small.  out is "" on any error (when outlen > 0). */
int dns_query_name(const uint8_t *msg, size_t len, char *out, size_t outlen);

struct dns_cache;

/* A process identity: pid and start time (/proc/PID/stat field 22), so a
 * reused pid is another owner.  {0, 0}: not known. */
struct dns_owner {
	uint32_t pid;
	uint64_t start;
};

/* A query's UDP 5-tuple as it left this host: src local, dst resolver. */
struct dns_tuple {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t src[16], dst[16];	/* network order; IPv4 in 4 bytes */
	uint16_t sport, dport;	/* host order */
};

#define DNS_QUERIES_MAX		1024	/* queries remembered (oldest dropped) */
#define DNS_QUERY_TTL_MS	30000	/* a reply must come within this */

struct dns_cache_stats {
	size_t entries;
	size_t capacity;
	uint64_t inserted;	/* addresses stored (new or refreshed) */
	uint64_t evictions;	/* live entries dropped because full */
	uint64_t expired;	/* entries dropped because their TTL ran out */
	uint64_t malformed;	/* ingested messages that were -EBADMSG */
	uint64_t queries;	/* queries noted */
	uint64_t queries_evicted; /* dropped unanswered to make room */
	uint64_t unsolicited;	/* replies that answer no query that left
				 * (5-tuple, id and question): not learned */
};

/* A cache of at most cap addresses (1..DNS_CACHE_MAX), all memory
 * allocated here.  NULL with errno EINVAL or ENOMEM. */
struct dns_cache *dns_cache_new(size_t cap);

/* Accepts NULL. */
void dns_cache_free(struct dns_cache *c);


/* Remember a query (a UDP payload with QR clear) that is leaving on t,
 * for DNS_QUERY_TTL_MS: its id and first question name.  The owner is set
 * later by dns_query_owner (when the packet is allowed).  0; -EBADMSG,
 * -ENOENT, -EILSEQ as dns_query_name. */
int dns_query_note(struct dns_cache *c, const struct dns_tuple *t,
		   const uint8_t *msg, size_t len, uint64_t now_ms);

/* The queries noted on t were allowed and sent by owner (may be unknown):
 * their answers will be bound to it.  Returns how many were set. */
unsigned dns_query_owner(struct dns_cache *c, const struct dns_tuple *t,
			 const struct dns_owner *owner);

/* Whether a query on t was allowed (dns_query_owner) and is still
 * remembered: later queries on the same flow need no new decision.  On
 * true, *owner (may be NULL) is the owner of that query. */
bool dns_query_flow_allowed(const struct dns_cache *c,
			    const struct dns_tuple *t, uint64_t now_ms,
			    struct dns_owner *owner);

/* A reply arriving on t (src = resolver, dst = local).  It is learned
 * only when it answers a query that left: same 5-tuple (reversed), same
 * id and the same question name, not answered before.  Then, for each
 * address linked to the question, the question name (what the program
 * asked for, not the canonical name) is stored for the query's owner,
 * expiring after the TTL clamped to [DNS_TTL_MIN_S, DNS_TTL_MAX_S]; an
 * address already present for that owner is overwritten (last answer
 * wins); when full the least recently used entry is evicted.  Returns the
 * number of addresses stored; -ENOENT for a reply no query asked for
 * (counted in stats.unsolicited); -EBADMSG when malformed (counted in
 * stats.malformed). */
int dns_reply_ingest(struct dns_cache *c, const struct dns_tuple *t,
		     const uint8_t *msg, size_t len, uint64_t now_ms);

/* Store one mapping for owner (NULL or unknown: shared; see
 * dns_cache_lookup_for), ttl_s clamped as above.  name must be shorter
 * than DNS_NAME_BUF.  0, or -EINVAL for a bad family or name. */
int dns_cache_insert(struct dns_cache *c, int family, const uint8_t *addr,
		     const struct dns_owner *owner, const char *name,
		     uint32_t ttl_s, uint64_t now_ms);

/* The name for addr (AF_INET: 4 bytes, AF_INET6: 16) as seen by owner:
 * its own lookups first, then lookups whose process was not known.
 * Another known process's lookups never name an address for it.  owner
 * may be NULL or unknown: then only lookups of unknown processes count.
 * NULL when absent or expired (an expired entry is dropped).  A hit
 * counts as a use for LRU.  The string lives in the cache, valid until
 * the next ingest, insert or free. */
const char *dns_cache_lookup_for(struct dns_cache *c, int family,
				 const uint8_t *addr,
				 const struct dns_owner *owner, uint64_t now_ms);

void dns_cache_stats(const struct dns_cache *c, struct dns_cache_stats *out);

#endif
