/* lists.c - CIDR range sets, byte-string hash sets, list directories. */
#include "lists.h"

#include "capread.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "re2.h"

typedef unsigned __int128 u128;

struct range4 { uint32_t lo, hi; };
struct range6 { u128 lo, hi; };

struct netset {
	struct range4 *v4;
	size_t n4, cap4;
	struct range6 *v6;
	size_t n6, cap6;
};

struct netset *netset_new(void)
{
	return calloc(1, sizeof(struct netset));
}

void netset_free(struct netset *ns)
{
	if (!ns)
		return;
	free(ns->v4);
	free(ns->v6);
	free(ns);
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= LISTS_MAX_ENTRIES)
		return -ENOSPC;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static u128 load128(const uint8_t *a)
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = (v << 8) | a[i];
	return v;
}

static int netset_add_prefix(struct netset *ns, int family,
			     const uint8_t *addr, unsigned plen)
{
	int r;

	if (family == AF_INET) {
		uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
			     (uint32_t)addr[2] << 8 | addr[3];
		uint32_t host = plen == 0 ? UINT32_MAX :
				(plen >= 32 ? 0 : UINT32_MAX >> plen);

		if ((r = grow((void **)&ns->v4, &ns->cap4, ns->n4,
			      sizeof(*ns->v4))) < 0)
			return r;
		ns->v4[ns->n4].lo = a & ~host;
		ns->v4[ns->n4++].hi = a | host;
		return 0;
	} else {
		u128 a = load128(addr);
		u128 host = plen == 0 ? ~(u128)0 :
			    (plen >= 128 ? 0 : ~(u128)0 >> plen);

		if ((r = grow((void **)&ns->v6, &ns->cap6, ns->n6,
			      sizeof(*ns->v6))) < 0)
			return r;
		ns->v6[ns->n6].lo = a & ~host;
		ns->v6[ns->n6++].hi = a | host;
		return 0;
	}
}

/* Strict decimal 0..max, no sign, no leading junk. */
static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (!*s || strlen(s) > 3)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int netset_add_cidr(struct netset *ns, const char *text)
{
	char buf[64];
	uint8_t addr[16];
	const char *slash;
	unsigned plen;
	int family;
	size_t alen;

	slash = strchr(text, '/');
	alen = slash ? (size_t)(slash - text) : strlen(text);
	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		family = AF_INET6;
	else
		return -EINVAL;
	plen = family == AF_INET ? 32 : 128;
	if (slash && parse_uint(slash + 1, plen, &plen) < 0)
		return -EINVAL;
	return netset_add_prefix(ns, family, addr, plen);
}

static const char *const alias_lan[] = {
	"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
	"169.254.0.0/16", "100.64.0.0/10", "::1/128", "fc00::/7",
	"fe80::/10", NULL
};
static const char *const alias_multicast[] = {
	"224.0.0.0/4", "ff00::/8", NULL
};

int netset_add_alias(struct netset *ns, const char *name)
{
	const char *const *set;
	int r;

	if (!strcasecmp(name, "LAN"))
		set = alias_lan;
	else if (!strcasecmp(name, "MULTICAST"))
		set = alias_multicast;
	else
		return -ENOENT;
	for (; *set; set++)
		if ((r = netset_add_cidr(ns, *set)) < 0)
			return r;
	return 0;
}

static int cmp4(const void *a, const void *b)
{
	const struct range4 *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int cmp6(const void *a, const void *b)
{
	const struct range6 *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorted by lo, then overlapping or adjacent ranges merged, so a lookup
 * is one binary search for the last range with lo <= addr. */
void netset_seal(struct netset *ns)
{
	size_t i, j;

	if (ns->n4)
		qsort(ns->v4, ns->n4, sizeof(*ns->v4), cmp4);
	for (i = 0, j = 0; i < ns->n4; i++) {
		if (j && (ns->v4[j - 1].hi == UINT32_MAX ||
			  ns->v4[i].lo <= ns->v4[j - 1].hi + 1)) {
			if (ns->v4[i].hi > ns->v4[j - 1].hi)
				ns->v4[j - 1].hi = ns->v4[i].hi;
		} else {
			ns->v4[j++] = ns->v4[i];
		}
	}
	ns->n4 = j;
	if (ns->n6)
		qsort(ns->v6, ns->n6, sizeof(*ns->v6), cmp6);
	for (i = 0, j = 0; i < ns->n6; i++) {
		if (j && (ns->v6[j - 1].hi == ~(u128)0 ||
			  ns->v6[i].lo <= ns->v6[j - 1].hi + 1)) {
			if (ns->v6[i].hi > ns->v6[j - 1].hi)
				ns->v6[j - 1].hi = ns->v6[i].hi;
		} else {
			ns->v6[j++] = ns->v6[i];
		}
	}
	ns->n6 = j;
}

bool netset_contains(const struct netset *ns, int family, const uint8_t *addr)
{
	size_t lo = 0, hi;

	if (!ns)
		return false;
	if (family == AF_INET) {
		uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
			     (uint32_t)addr[2] << 8 | addr[3];

		hi = ns->n4;
		while (lo < hi) {	/* first range with lo > a */
			size_t mid = lo + (hi - lo) / 2;

			if (ns->v4[mid].lo <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo > 0 && a <= ns->v4[lo - 1].hi;
	}
	if (family == AF_INET6) {
		u128 a = load128(addr);

		hi = ns->n6;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (ns->v6[mid].lo <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo > 0 && a <= ns->v6[lo - 1].hi;
	}
	return false;
}

/* ---- strset */

struct slot {
	uint64_t hash;		/* 0 = empty */
	uint32_t off;
	uint32_t len;
};

struct strset {
	struct slot *tab;
	size_t mask;		/* table size - 1 */
	size_t n;
	char *arena;
	size_t used, cap;
};

/* FNV-1a with a final avalanche; never returns 0 (the empty marker). */
static uint64_t hash_bytes(const void *key, size_t len)
{
	uint64_t h = fnv1a64(FNV1A64_INIT, key, len);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h ? h : 1;
}

struct strset *strset_new(void)
{
	struct strset *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->tab = calloc(64, sizeof(*s->tab));
	if (!s->tab) {
		free(s);
		return NULL;
	}
	s->mask = 63;
	return s;
}

void strset_free(struct strset *s)
{
	if (!s)
		return;
	free(s->tab);
	free(s->arena);
	free(s);
}

static struct slot *strset_find(const struct strset *s, uint64_t h,
				const void *key, size_t len)
{
	size_t i = h & s->mask;

	for (;; i = (i + 1) & s->mask) {
		struct slot *sl = &s->tab[i];

		if (!sl->hash)
			return sl;
		if (sl->hash == h && sl->len == len &&
		    !memcmp(s->arena + sl->off, key, len))
			return sl;
	}
}

static int strset_rehash(struct strset *s)
{
	size_t nsize = (s->mask + 1) * 2;
	struct slot *old = s->tab, *ntab;
	size_t omask = s->mask;

	ntab = calloc(nsize, sizeof(*ntab));
	if (!ntab)
		return -ENOMEM;
	s->tab = ntab;
	s->mask = nsize - 1;
	for (size_t i = 0; i <= omask; i++) {
		size_t j;

		if (!old[i].hash)
			continue;
		for (j = old[i].hash & s->mask; ntab[j].hash;
		     j = (j + 1) & s->mask)
			;
		ntab[j] = old[i];
	}
	free(old);
	return 0;
}

int strset_add(struct strset *s, const void *key, size_t len)
{
	uint64_t h = hash_bytes(key, len);
	struct slot *sl;
	int r;

	sl = strset_find(s, h, key, len);
	if (sl->hash)
		return 0;
	if (s->n >= LISTS_MAX_ENTRIES || len > UINT32_MAX / 2)
		return -ENOSPC;
	if (s->used + len > s->cap) {
		size_t ncap = s->cap ? s->cap : 4096;
		char *p;

		while (ncap < s->used + len)
			ncap *= 2;
		if (ncap > UINT32_MAX)
			return -ENOSPC;
		if (!(p = realloc(s->arena, ncap)))
			return -ENOMEM;
		s->arena = p;
		s->cap = ncap;
	}
	memcpy(s->arena + s->used, key, len);
	sl->hash = h;
	sl->off = (uint32_t)s->used;
	sl->len = (uint32_t)len;
	s->used += len;
	s->n++;
	/* Load factor at most 1/2 keeps probe chains short. */
	if (s->n * 2 > s->mask + 1 && (r = strset_rehash(s)) < 0)
		return r;
	return 1;
}

bool strset_contains(const struct strset *s, const void *key, size_t len)
{
	if (!s)
		return false;
	return strset_find(s, hash_bytes(key, len), key, len)->hash != 0;
}

/* ---- list files */

int host_normalize(const char *host, char *buf, size_t len)
{
	size_t n = strnlen(host, len);

	if (n >= len)
		return -1;
	if (n && host[n - 1] == '.')
		n--;
	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)host[i]);
	buf[n] = '\0';
	return (int)n;
}

struct rule_list *rule_list_new(enum list_kind kind)
{
	struct rule_list *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->kind = kind;
	if (kind == LIST_DOMAINS || kind == LIST_IPS || kind == LIST_HASH_MD5)
		l->set = strset_new();
	else if (kind == LIST_NETS)
		l->nets = netset_new();
	if ((kind == LIST_DOMAINS || kind == LIST_IPS ||
	     kind == LIST_HASH_MD5) && !l->set) {
		free(l);
		return NULL;
	}
	if (kind == LIST_NETS && !l->nets) {
		free(l);
		return NULL;
	}
	return l;
}

void rule_list_free(struct rule_list *l)
{
	if (!l)
		return;
	strset_free(l->set);
	netset_free(l->nets);
	for (size_t i = 0; i < l->n_res; i++)
		regfree(&l->res[i]);
	free(l->res);
	free(l);
}

/* Host names that hosts files map to themselves, not block entries. */
static bool host_is_local_alias(const char *name)
{
	static const char *const skip[] = {
		"localhost", "localhost.localdomain", "local",
		"broadcasthost", "ip6-localhost", "ip6-loopback",
		"0.0.0.0", NULL
	};

	for (const char *const *p = skip; *p; p++)
		if (!strcasecmp(name, *p))
			return true;
	return false;
}

static int add_domain(struct rule_list *l, const char *name)
{
	char host[256];
	int n;

	if (host_is_local_alias(name))
		return 0;
	if ((n = host_normalize(name, host, sizeof(host))) < 0)
		return -EINVAL;
	return strset_add(l->set, host, (size_t)n) < 0 ? -ENOSPC : 1;
}

/* "0.0.0.0 a.example b.example", "127.0.0.1 x", or a bare "name". */
static int parse_domains_line(struct rule_list *l, char *line)
{
	char *save = NULL, *tok;
	uint8_t addr[16];
	int r, added = 0;

	tok = strtok_r(line, " \t", &save);
	if (!tok)
		return 0;
	if (inet_pton(AF_INET, tok, addr) != 1 &&
	    inet_pton(AF_INET6, tok, addr) != 1)
		return add_domain(l, tok);
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if ((r = add_domain(l, tok)) < 0)
			return r;
		added += r;
	}
	return added;
}

static int parse_ip_line(struct rule_list *l, const char *line)
{
	uint8_t key[17] = { 0 };

	if (inet_pton(AF_INET, line, key + 1) == 1)
		key[0] = 4;
	else if (inet_pton(AF_INET6, line, key + 1) == 1)
		key[0] = 6;
	else
		return -EINVAL;
	return strset_add(l->set, key, sizeof(key)) < 0 ? -ENOSPC : 1;
}

/* 32 hex digits, lower-cased into out[33]; -EINVAL otherwise. */
static int md5_normalize(const char *s, size_t len, char *out)
{
	if (len != 32)
		return -EINVAL;
	for (size_t i = 0; i < 32; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[32] = '\0';
	return 0;
}

/* "<md5>" or md5sum's "<md5>  <file>". */
static int parse_md5_line(struct rule_list *l, const char *line)
{
	size_t n = strcspn(line, " \t");
	char key[33];

	if (md5_normalize(line, n, key) < 0)
		return -EINVAL;
	return strset_add(l->set, key, 32) < 0 ? -ENOSPC : 1;
}

static int parse_regexp_line(struct rule_list *l, const char *line)
{
	char err[128];
	regex_t *p;

	if (l->n_res >= LISTS_MAX_REGEXPS)
		return -ENOSPC;
	if (!(p = realloc(l->res, (l->n_res + 1) * sizeof(*p))))
		return -ENOMEM;
	l->res = p;
	if (re2_compile(&l->res[l->n_res], line, true, err, sizeof(err)) < 0)
		return -EINVAL;
	l->n_res++;
	return 1;
}

static int parse_line(struct rule_list *l, char *line)
{
	char *hash, *end;

	/* Comments run to end of line, except in regexps where '#' is a
	 * literal: there only whole-line comments are skipped. */
	if (l->kind != LIST_DOMAINS_REGEXP && (hash = strchr(line, '#')))
		*hash = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	if (l->kind == LIST_DOMAINS_REGEXP && *line == '#')
		return 0;
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (!*line)
		return 0;
	switch (l->kind) {
	case LIST_DOMAINS:
		return parse_domains_line(l, line);
	case LIST_IPS:
		return parse_ip_line(l, line);
	case LIST_NETS:
		return netset_add_cidr(l->nets, line) < 0 ? -EINVAL : 1;
	case LIST_DOMAINS_REGEXP:
		return parse_regexp_line(l, line);
	case LIST_HASH_MD5:
		return parse_md5_line(l, line);
	}
	return -EINVAL;
}

int rule_list_parse(struct rule_list *l, const char *buf, size_t len)
{
	char line[LISTS_MAX_LINE + 1];
	size_t pos = 0;
	int r;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		if (n > LISTS_MAX_LINE || memchr(buf + pos, '\0', n)) {
			l->skipped++;
		} else {
			memcpy(line, buf + pos, n);
			line[n] = '\0';
			r = parse_line(l, line);
			if (r == -ENOSPC || r == -ENOMEM)
				return r;
			if (r < 0)
				l->skipped++;
			else
				l->entries += (size_t)r;
		}
		pos += n + 1;
	}
	return 0;
}

/* One entry of the list directory dfd.  An entry that is not a regular
 * file (a FIFO would block forever, a device must never be opened as
 * root), a symlink, or one over the size cap is skipped, and the first
 * such one is named in err as a note while the rest of the list loads. */
static int list_load_file(struct rule_list *l, int dfd, const char *dir,
			  const char *name, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int r;

	r = capread_at(dfd, name, LISTS_MAX_FILE_BYTES, 0, &buf, &len);
	if (r == -ELOOP || r == -EINVAL || r == -EFBIG || r == -ESTALE) {
		if (!l->files_skipped++ && errlen)
			snprintf(err, errlen, "list file %s/%s skipped: %s", dir,
				 name, capread_strerror(r));
		return 0;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(-r));
		return r;
	}
	r = rule_list_parse(l, buf, len);
	if (r < 0)
		snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(-r));
	free(buf);
	return r;
}

int rule_list_load(const char *dir, enum list_kind kind,
		   struct rule_list **out, char *err, size_t errlen)
{
	struct rule_list *l = NULL;
	struct dirent *de;
	size_t files = 0;
	DIR *d;
	int r = 0;

	*out = NULL;
	if (!(d = opendir(dir))) {
		r = -errno;
		snprintf(err, errlen, "list directory %s: %s", dir,
			 strerror(-r));
		return r;
	}
	if (!(l = rule_list_new(kind))) {
		r = -ENOMEM;
		goto out;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (++files > LISTS_MAX_FILES) {
			r = -ENOSPC;
			snprintf(err, errlen, "list directory %s: more than %d files",
				 dir, LISTS_MAX_FILES);
			goto out;
		}
		if ((r = list_load_file(l, dirfd(d), dir, de->d_name, err,
					errlen)) < 0)
			goto out;
	}
	if (l->nets)
		netset_seal(l->nets);
	*out = l;
	l = NULL;
out:
	rule_list_free(l);
	closedir(d);
	return r;
}

bool rule_list_match_host(const struct rule_list *l, const char *host)
{
	char buf[256];
	int n;

	if (!l || !host || (n = host_normalize(host, buf, sizeof(buf))) < 0)
		return false;
	if (l->kind == LIST_DOMAINS)
		return strset_contains(l->set, buf, (size_t)n);
	if (l->kind == LIST_DOMAINS_REGEXP) {
		for (size_t i = 0; i < l->n_res; i++)
			if (regexec(&l->res[i], buf, 0, NULL, 0) == 0)
				return true;
	}
	return false;
}

bool rule_list_match_addr(const struct rule_list *l, int family,
			  const uint8_t *addr)
{
	uint8_t key[17] = { 0 };

	if (!l)
		return false;
	if (l->kind == LIST_NETS)
		return netset_contains(l->nets, family, addr);
	if (l->kind != LIST_IPS)
		return false;
	if (family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, addr, 4);
	} else if (family == AF_INET6) {
		key[0] = 6;
		memcpy(key + 1, addr, 16);
	} else {
		return false;
	}
	return strset_contains(l->set, key, sizeof(key));
}

bool rule_list_match_md5(const struct rule_list *l, const char *md5)
{
	char key[33];

	if (!l || !md5 || l->kind != LIST_HASH_MD5 ||
	    md5_normalize(md5, strlen(md5), key) < 0)
		return false;
	return strset_contains(l->set, key, 32);
}
