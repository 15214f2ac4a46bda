/* lists.h - address and name sets for rules: CIDR range sets (network
 * operators, lists.nets), exact byte-string hash sets (lists.domains,
 * lists.ips) and directories of list files (OpenSnitch "lists" type). */
#ifndef TATTLE_LISTS_H
#define TATTLE_LISTS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LISTS_MAX_ENTRIES	(2u << 20)	/* per list directory */
#define LISTS_MAX_FILES		1024		/* per list directory */
#define LISTS_MAX_FILE_BYTES	(64u << 20)	/* per list file */
#define LISTS_MAX_REGEXPS	4096		/* lists.domains_regexp */
#define LISTS_MAX_LINE		1024		/* longer lines are skipped */

/* ---- CIDR sets: sorted, merged ranges per family; lookup is a binary
 * search.  Built with netset_add, then netset_seal before any lookup. */
struct netset;

struct netset *netset_new(void);		/* NULL + errno */
void netset_free(struct netset *ns);
/* Add "a.b.c.d/n", "x::y/n" or a bare address (host prefix).  0, or
 * -EINVAL on bad text, -ENOSPC past LISTS_MAX_ENTRIES, -ENOMEM. */
int netset_add_cidr(struct netset *ns, const char *text);
/* Add an alias: "LAN" or "MULTICAST" (case-insensitive); -ENOENT if not one.
 * LAN = 127.0.0.0/8 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 169.254.0.0/16
 *       100.64.0.0/10 ::1/128 fc00::/7 fe80::/10
 * MULTICAST = 224.0.0.0/4 ff00::/8 */
int netset_add_alias(struct netset *ns, const char *name);
void netset_seal(struct netset *ns);		/* sort + merge */
/* addr: 4 (AF_INET) or 16 (AF_INET6) bytes, network order. */
bool netset_contains(const struct netset *ns, int family, const uint8_t *addr);

/* ---- Hash set of byte strings (open addressing, power-of-two table). */
struct strset;

struct strset *strset_new(void);		/* NULL + errno */
void strset_free(struct strset *s);
/* 1 added, 0 already present, -ENOSPC past LISTS_MAX_ENTRIES, -ENOMEM. */
int strset_add(struct strset *s, const void *key, size_t len);
bool strset_contains(const struct strset *s, const void *key, size_t len);

/* ---- A loaded list directory. */
enum list_kind {
	LIST_DOMAINS,		/* hosts format, exact names, lower-cased */
	LIST_DOMAINS_REGEXP,	/* one POSIX ERE per line (see REGEX.md) */
	LIST_IPS,		/* one address per line */
	LIST_NETS,		/* one CIDR (or address) per line */
	LIST_HASH_MD5,		/* one md5 (32 hex digits) per line; more
				 * words after it (md5sum output) ignored */
};

struct rule_list {
	enum list_kind kind;
	struct strset *set;	/* LIST_DOMAINS (names), LIST_IPS (17-byte
				 * keys: family byte + 16 address bytes),
				 * LIST_HASH_MD5 (32 lower-case hex digits) */
	struct netset *nets;	/* LIST_NETS */
	regex_t *res;		/* LIST_DOMAINS_REGEXP */
	size_t n_res;
	size_t entries;		/* accepted entries */
	size_t skipped;		/* malformed or over-long lines */
	size_t files_skipped;	/* entries not read: not a regular file, a
				 * symlink, over LISTS_MAX_FILE_BYTES */
};

/* Load every regular file (not starting with '.') in dir, each read
 * with capread_at (never blocks on a FIFO, never opens a device, never
 * follows a symlink).  Blocking I/O on regular files.  0 and *out (free
 * with rule_list_free); -errno if dir cannot be read.  Malformed lines are
 * skipped and counted, not fatal; so are entries that are not regular
 * files (files_skipped), and then err names the first one although 0 is
 * returned (a note for a warning).  err gets a reason on failure. */
int rule_list_load(const char *dir, enum list_kind kind,
		   struct rule_list **out, char *err, size_t errlen);
/* Parse one file body into l (used by rule_list_load and the tests). */
int rule_list_parse(struct rule_list *l, const char *buf, size_t len);
struct rule_list *rule_list_new(enum list_kind kind);	/* NULL + errno */
void rule_list_free(struct rule_list *l);

/* host: dest.host, any case, a trailing dot ignored.  Exact match only:
 * an entry "example.com" does not cover "www.example.com" (OpenSnitch). */
bool rule_list_match_host(const struct rule_list *l, const char *host);
bool rule_list_match_addr(const struct rule_list *l, int family,
			  const uint8_t *addr);
/* md5: hex digits, any case.  False for NULL, empty or malformed text:
 * a hash that could not be computed matches nothing. */
bool rule_list_match_md5(const struct rule_list *l, const char *md5);

/* Lower-case host into buf (ASCII), dropping one trailing dot.  Returns
 * the length, or -1 if it does not fit or is empty. */
int host_normalize(const char *host, char *buf, size_t len);

#endif
