/* prompt.c - see prompt.h. */
#include "prompt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bytes.h"

struct prompts {
	unsigned cap, n;
	unsigned timeout_ms;
	unsigned per_uid, per_exe;	/* quotas, 0 = none */
	uint32_t last_id;
	struct prompt *v;	/* v[0..n): open prompts, oldest first */
};

struct prompts *prompts_new(unsigned cap, unsigned timeout_ms)
{
	struct prompts *p;

	if (!cap) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->v = calloc(cap, sizeof(*p->v));
	if (!p->v) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->cap = cap;
	p->timeout_ms = timeout_ms;
	return p;
}

void prompts_free(struct prompts *p)
{
	unsigned i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		free(p->v[i].exe);
	free(p->v);
	free(p);
}

static size_t addr_len(const struct flow *f)
{
	return f->family == AF_INET6 ? 16 : 4;
}

static bool same_dest(const struct flow *a, const struct flow *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->dport == b->dport && !memcmp(a->dst, b->dst, addr_len(a));
}

void prompts_set_quotas(struct prompts *p, unsigned per_uid, unsigned per_exe)
{
	p->per_uid = per_uid;
	p->per_exe = per_exe;
}

/* Same program: the same executable, or both unknown and the same uid. */
static bool same_who(const struct prompt *pr, const char *exe, uint32_t uid)
{
	if (!pr->exe || !exe)
		return !pr->exe && !exe && pr->uid == uid;
	return !strcmp(pr->exe, exe);
}

static struct prompt *find_key(struct prompts *p, const char *exe,
			       uint32_t uid, const struct flow *f)
{
	unsigned i;

	for (i = 0; i < p->n; i++) {
		if (same_dest(&p->v[i].flow, f) && same_who(&p->v[i], exe, uid))
			return &p->v[i];
	}
	return NULL;
}

/* -EDQUOT when uid or exe already has its quota of open prompts. */
static int check_quotas(const struct prompts *p, const char *exe, uint32_t uid)
{
	unsigned i, by_uid = 0, by_exe = 0;

	for (i = 0; i < p->n; i++) {
		by_uid += p->v[i].uid == uid;
		by_exe += exe && p->v[i].exe && !strcmp(p->v[i].exe, exe);
	}
	if ((p->per_uid && by_uid >= p->per_uid) ||
	    (p->per_exe && exe && by_exe >= p->per_exe))
		return -EDQUOT;
	return 0;
}

static uint32_t next_id(struct prompts *p)
{
	if (++p->last_id == 0)
		p->last_id = 1;
	return p->last_id;
}

static int prompt_open(struct prompts *p, const char *exe, uint32_t uid,
		       const struct flow *f, const char *host, uint64_t now_ms,
		       struct prompt **out)
{
	struct prompt *pr;
	size_t n = exe ? strlen(exe) : 0;
	int r;

	*out = NULL;
	if (p->n == p->cap)
		return -ENOSPC;
	if (n >= PROMPT_EXE_MAX)
		return -EINVAL;
	if ((r = check_quotas(p, exe, uid)) < 0)
		return r;
	pr = &p->v[p->n];
	memset(pr, 0, sizeof(*pr));
	if (exe) {
		pr->exe = malloc(n + 1);
		if (!pr->exe)
			return -ENOMEM;
		memcpy(pr->exe, exe, n + 1);
	}
	pr->uid = uid;
	if (host)
		snprintf(pr->host, sizeof(pr->host), "%s", host);
	pr->flow = *f;
	pr->id = next_id(p);
	pr->opened_ms = now_ms;
	pr->deadline_ms = now_ms + p->timeout_ms;
	p->n++;
	*out = pr;
	return 0;
}

int prompts_open_or_join(struct prompts *p, const char *exe, uint32_t uid,
			 const struct flow *f, const char *host,
			 uint32_t pkt_id, uint64_t now_ms,
			 uint32_t *prompt_id, bool *is_new)
{
	struct prompt *pr;
	int r;

	*prompt_id = 0;
	*is_new = false;
	if (exe && !exe[0])
		return -EINVAL;
	pr = find_key(p, exe, uid, f);
	if (pr && pr->n_pkts == PROMPT_MAX_PKTS)
		return -ENOSPC;
	if (!pr) {
		if ((r = prompt_open(p, exe, uid, f, host, now_ms, &pr)) < 0)
			return r;
		*is_new = true;
	}
	if (!pr->host[0] && host)
		snprintf(pr->host, sizeof(pr->host), "%s", host);
	pr->pkts[pr->n_pkts++] = pkt_id;
	*prompt_id = pr->id;
	return 0;
}

const struct prompt *prompts_get(const struct prompts *p, uint32_t prompt_id)
{
	unsigned i;

	for (i = 0; i < p->n; i++) {
		if (p->v[i].id == prompt_id)
			return &p->v[i];
	}
	return NULL;
}

/* Remove v[i], keeping the rest in opening order. */
static void prompt_close(struct prompts *p, unsigned i)
{
	free(p->v[i].exe);
	memmove(&p->v[i], &p->v[i + 1], (p->n - i - 1) * sizeof(p->v[0]));
	p->n--;
}

static size_t copy_pkts(const struct prompt *pr, uint32_t *ids, size_t have,
			size_t max)
{
	size_t k;

	for (k = 0; k < pr->n_pkts && have < max; k++)
		ids[have++] = pr->pkts[k];
	return have;
}

int prompts_take(struct prompts *p, uint32_t prompt_id, uint32_t *pkt_ids,
		 size_t max)
{
	unsigned i;
	size_t n;

	for (i = 0; i < p->n; i++) {
		if (p->v[i].id != prompt_id)
			continue;
		n = copy_pkts(&p->v[i], pkt_ids, 0, max);
		prompt_close(p, i);
		return (int)n;
	}
	return -ENOENT;
}

static bool covers(const struct prompt *pr, const char *exe,
		   enum prompt_scope scope, const char *host,
		   const struct flow *f)
{
	if (!pr->exe || !exe || strcmp(pr->exe, exe))
		return false;
	switch (scope) {
	case PROMPT_SCOPE_EXE:
		return true;
	case PROMPT_SCOPE_EXE_HOST:
		return host && host[0] && !strcmp(pr->host, host);
	case PROMPT_SCOPE_EXE_IP_PORT:
		return same_dest(&pr->flow, f);
	}
	return false;
}

int prompts_take_covered(struct prompts *p, const char *exe,
			 enum prompt_scope scope, const char *host,
			 const struct flow *f, uint32_t *pkt_ids, size_t max)
{
	unsigned i = 0;
	size_t n = 0;

	while (i < p->n) {
		if (!covers(&p->v[i], exe, scope, host, f)) {
			i++;
			continue;
		}
		n = copy_pkts(&p->v[i], pkt_ids, n, max);
		prompt_close(p, i);
	}
	return (int)n;
}

unsigned prompts_expire(struct prompts *p, uint64_t now_ms)
{
	unsigned i = 0, n = 0;

	while (i < p->n) {
		if (p->v[i].deadline_ms > now_ms) {
			i++;
			continue;
		}
		prompt_close(p, i);
		n++;
	}
	return n;
}

unsigned prompts_count(const struct prompts *p)
{
	return p->n;
}

/* FNV-1a 64 over length-prefixed fields, so ("ab","c") and ("a","bc")
 * differ. */
static uint64_t name_hash_field(uint64_t h, const char *s)
{
	uint64_t n = strlen(s);
	unsigned i;

	for (i = 0; i < 8; i++)
		h = fnv1a64_byte(h, (uint8_t)(n >> (8 * i)));
	return fnv1a64(h, s, (size_t)n);
}

int prompt_rule_name(const char *action, const char *duration,
		     enum prompt_scope scope, const char *exe,
		     const char *detail, char *out, size_t len)
{
	const char *parts[] = { action, duration, exe, detail };
	uint64_t h = FNV1A64_INIT;
	char scope_s[4];
	size_t o = 0, i, keep = PROMPT_RULE_NAME_MAX - 17;

	if (len <= PROMPT_RULE_NAME_MAX)
		return -ENOSPC;
	snprintf(scope_s, sizeof(scope_s), "%u", (unsigned)scope);
	h = name_hash_field(h, scope_s);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *p = parts[i] ? parts[i] : "";

		h = name_hash_field(h, p);
		for (; *p && o < keep; p++) {
			char ch = *p == ' ' || *p == ':' ? '-' : *p;

			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
			    ch == '_')
				out[o++] = ch;
		}
		if (i + 1 < sizeof(parts) / sizeof(parts[0]) && parts[i + 1] &&
		    parts[i + 1][0] && o < keep)
			out[o++] = '-';
	}
	snprintf(out + o, len - o, "-%016llx", (unsigned long long)h);
	return 0;
}
