/* rules.c - OpenSnitch rule files -> immutable rulesets; verdict order. */
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "capread.h"
#include "duration.h"
#include "filewrite.h"
#include "lists.h"
#include "match.h"

struct rule {
	unsigned refs;
	char *name;
	char *description;
	char *created;		/* RFC 3339 as written, or generated */
	char *updated;
	char *duration_text;
	char *file;		/* NULL: added at runtime */
	bool enabled, precedence, nolog;
	enum rule_action action;
	enum rule_duration duration;
	int64_t expires_ms;
	struct rule_op *op;	/* shared between copies of the rule */
};

/* Equality index: most rules are one simple comparison (or a list that
 * requires one), so instead of testing 1,000 rules in turn, hash each
 * operand of the connection once and test only the rules keyed by that
 * value.  The rest are tested in order.  See ruleset_match. */
struct idx_entry {
	uint64_t hash;		/* match_hash_lower of the key's data */
	uint32_t operand;	/* enum rule_operand */
	uint32_t pos;		/* index into on[] */
};

struct ruleset {
	unsigned refs;
	size_t n;
	struct rule **all;	/* sorted by name, bytewise */
	size_t n_on;
	struct rule **on;	/* the enabled subset, same order */
	struct idx_entry *idx;	/* sorted by operand, hash, pos */
	size_t n_idx;
	uint32_t idx_lo[OPD_COUNT];	/* idx[lo, hi) hold one operand */
	uint32_t idx_hi[OPD_COUNT];
	uint32_t *lin;		/* positions not in idx, ascending */
	size_t n_lin;
	unsigned needs;		/* RULE_NEED_* of the enabled rules */
};

static const char *const action_names[] = {
	[RULE_ALLOW] = "allow", [RULE_DENY] = "deny", [RULE_REJECT] = "reject",
};

/* ---- time text */

static int digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*s)[i];

		if (c < '0' || c > '9')
			return -EINVAL;
		v = v * 10 + (c - '0');
	}
	*s += n;
	*out = v;
	return 0;
}

static int expect(const char **s, const char *set)
{
	if (!**s || !strchr(set, **s))
		return -EINVAL;
	(*s)++;
	return 0;
}

static int rfc3339_offset(const char *s, int *off_min)
{
	int sign, hh, mm;

	*off_min = 0;
	if ((*s == 'Z' || *s == 'z') && !s[1])
		return 0;
	if (*s != '+' && *s != '-')
		return -EINVAL;
	sign = *s++ == '-' ? -1 : 1;
	if (digits(&s, 2, &hh) || expect(&s, ":") || digits(&s, 2, &mm) ||
	    *s || hh > 23 || mm > 59)
		return -EINVAL;
	*off_min = sign * (hh * 60 + mm);
	return 0;
}

int rules_parse_rfc3339(const char *s, int64_t *ms)
{
	struct tm tm = { 0 };
	int frac_ms = 0, scale = 100, off;
	time_t t;

	*ms = 0;
	if (digits(&s, 4, &tm.tm_year) || expect(&s, "-") ||
	    digits(&s, 2, &tm.tm_mon) || expect(&s, "-") ||
	    digits(&s, 2, &tm.tm_mday) || expect(&s, "Tt ") ||
	    digits(&s, 2, &tm.tm_hour) || expect(&s, ":") ||
	    digits(&s, 2, &tm.tm_min) || expect(&s, ":") ||
	    digits(&s, 2, &tm.tm_sec))
		return -EINVAL;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -EINVAL;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return -EINVAL;
		for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
			frac_ms += (*s - '0') * scale;
	}
	if (rfc3339_offset(s, &off) < 0)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -EINVAL;
	*ms = ((int64_t)t - (int64_t)off * 60) * 1000 + frac_ms;
	return 0;
}

static char *format_rfc3339(int64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	char buf[64];
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return NULL;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(wall_ms % 1000));
	return strdup(buf);
}

/* ---- one rule */

static void op_put(struct rule_op *op)
{
	if (op && __atomic_sub_fetch(&op->refs, 1, __ATOMIC_ACQ_REL) == 0)
		rule_op_free(op);
}

static void rule_free(struct rule *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->description);
	free(r->created);
	free(r->updated);
	free(r->duration_text);
	free(r->file);
	op_put(r->op);
	free(r);
}

struct rule *rule_get(struct rule *r)
{
	__atomic_add_fetch(&r->refs, 1, __ATOMIC_RELAXED);
	return r;
}

void rule_put(struct rule *r)
{
	if (r && __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0)
		rule_free(r);
}

/* The name becomes a file name: no '/', no control bytes, no leading '.'
 * (our temp files and editors' swap files start with one). */
static int check_name(const char *name, size_t len, char *err, size_t errlen)
{
	if (!len || len > RULE_NAME_MAX) {
		rules_seterr(err, errlen, "rule name empty or longer than %d bytes",
		       RULE_NAME_MAX);
		return -EINVAL;
	}
	if (name[0] == '.' || strlen(name) != len) {
		rules_seterr(err, errlen, "rule name starts with '.' or has a NUL byte");
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '/' || (unsigned char)name[i] < 0x20 ||
		    name[i] == 0x7f) {
			rules_seterr(err, errlen, "rule name has '/' or a control character");
			return -EINVAL;
		}
	}
	return 0;
}

static int get_str(const struct json_object *o, const char *key, bool need,
		   char **out, char *err, size_t errlen)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null)) {
		if (need)
			rules_seterr(err, errlen, "missing \"%s\"", key);
		return need ? -EINVAL : 0;
	}
	if (!json_object_is_type(v, json_type_string)) {
		rules_seterr(err, errlen, "\"%s\" is not a string", key);
		return -EINVAL;
	}
	if (!(*out = strdup(json_object_get_string(v))))
		return -ENOMEM;
	return 0;
}

/* Absent or null: dflt.  Anything but a JSON boolean is an error: the
 * string "false" must not read as true. */
static int get_bool(const struct json_object *o, const char *key, bool dflt,
		    bool *out, char *err, size_t errlen)
{
	struct json_object *v;

	*out = dflt;
	if (!json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		rules_seterr(err, errlen, "\"%s\" is not a boolean (true or false)", key);
		return -EINVAL;
	}
	*out = json_object_get_boolean(v);
	return 0;
}

static int parse_action(struct rule *r, const char *s, char *err, size_t errlen)
{
	for (int i = RULE_ALLOW; i <= RULE_REJECT; i++) {
		if (!strcasecmp(s, action_names[i])) {
			r->action = (enum rule_action)i;
			return 0;
		}
	}
	rules_seterr(err, errlen, "unknown action \"%.32s\"", s);
	return -EINVAL;
}

static int parse_duration(struct rule *r, const struct rules_clock *clk,
			  char *err, size_t errlen)
{
	const char *s = r->duration_text;
	int64_t created, base;
	uint64_t ms;

	if (!strcmp(s, "once")) {
		r->duration = RULE_ONCE;
	} else if (!strcmp(s, "until restart") || !strcmp(s, "restart")) {
		r->duration = RULE_UNTIL_RESTART;
	} else if (!strcmp(s, "always") || !*s) {
		r->duration = RULE_ALWAYS;
	} else if (duration_parse_go(s, strlen(s), &ms) == 0) {
		r->duration = RULE_TIMED;
		base = (int64_t)clk->boot_ms;
		/* "created" moved onto the boot clock: the offset between
		 * the clocks is the same now as then, unless someone set the
		 * wall clock in between. */
		if (r->created && rules_parse_rfc3339(r->created, &created) == 0)
			base = created - (clk->wall_ms - (int64_t)clk->boot_ms);
		r->expires_ms = base + (int64_t)ms;
		if (!r->expires_ms)	/* 0 reads as "never" */
			r->expires_ms = -1;
	} else {
		rules_seterr(err, errlen, "bad duration \"%.32s\"", s);
		return -EINVAL;
	}
	return 0;
}

static int parse_meta(struct rule *r, const struct json_object *obj,
		      char *err, size_t errlen)
{
	char *action = NULL;
	int64_t t;
	int ret;

	if ((ret = get_str(obj, "name", true, &r->name, err, errlen)) < 0 ||
	    (ret = check_name(r->name, strlen(r->name), err, errlen)) < 0 ||
	    (ret = get_str(obj, "description", false, &r->description, err, errlen)) < 0 ||
	    (ret = get_str(obj, "created", false, &r->created, err, errlen)) < 0 ||
	    (ret = get_str(obj, "updated", false, &r->updated, err, errlen)) < 0 ||
	    (ret = get_str(obj, "duration", false, &r->duration_text, err, errlen)) < 0 ||
	    (ret = get_str(obj, "action", true, &action, err, errlen)) < 0)
		goto out;
	if ((ret = parse_action(r, action, err, errlen)) < 0)
		goto out;
	if (r->created && rules_parse_rfc3339(r->created, &t) < 0) {
		rules_seterr(err, errlen, "bad \"created\" timestamp \"%.40s\"", r->created);
		ret = -EINVAL;
		goto out;
	}
	/* Go's zero value: OpenSnitch treats a file without "enabled" as
	 * disabled, and so must we, or a forgotten field would block. */
	if ((ret = get_bool(obj, "enabled", false, &r->enabled, err, errlen)) < 0 ||
	    (ret = get_bool(obj, "precedence", false, &r->precedence, err, errlen)) < 0 ||
	    (ret = get_bool(obj, "nolog", false, &r->nolog, err, errlen)) < 0)
		goto out;
out:
	free(action);
	return ret;
}

int rule_from_json(const struct json_object *obj, const struct rules_clock *clk,
		   struct rule **out, char *err, size_t errlen)
{
	struct json_object *opobj;
	struct rule *r;
	int ret;

	*out = NULL;
	if (!json_object_is_type(obj, json_type_object)) {
		rules_seterr(err, errlen, "rule is not a JSON object");
		return -EINVAL;
	}
	if (!(r = calloc(1, sizeof(*r))))
		return -ENOMEM;
	r->refs = 1;
	if ((ret = parse_meta(r, obj, err, errlen)) < 0)
		goto out;
	if (!r->duration_text && !(r->duration_text = strdup("always"))) {
		ret = -ENOMEM;
		goto out;
	}
	if (!r->created && !(r->created = format_rfc3339(clk->wall_ms))) {
		ret = -ENOMEM;
		goto out;
	}
	if ((ret = parse_duration(r, clk, err, errlen)) < 0)
		goto out;
	if (!json_object_object_get_ex(obj, "operator", &opobj)) {
		rules_seterr(err, errlen, "missing \"operator\"");
		ret = -EINVAL;
		goto out;
	}
	if ((ret = rule_op_compile(opobj, &r->op, err, errlen)) < 0)
		goto out;
	r->op->refs = 1;
	*out = r;
	r = NULL;
out:
	rule_free(r);
	return ret;
}

int rule_parse(const char *buf, size_t len, const struct rules_clock *clk,
	       struct rule **out, char *err, size_t errlen)
{
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL;
	int ret;

	*out = NULL;
	if (len > RULES_MAX_FILE_BYTES) {
		rules_seterr(err, errlen, "larger than %u bytes", RULES_MAX_FILE_BYTES);
		return -EINVAL;
	}
	if (!(tok = json_tokener_new_ex(32)))
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		rules_seterr(err, errlen, "bad JSON: %s", e == json_tokener_continue ?
		       "unexpected end of input" : json_tokener_error_desc(e));
		ret = -EINVAL;
		goto out;
	}
	/* Trailing bytes other than white space are not one JSON value. */
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
		if (!strchr(" \t\r\n", buf[i])) {
			rules_seterr(err, errlen, "bad JSON: trailing data at byte %zu", i);
			ret = -EINVAL;
			goto out;
		}
	}
	ret = rule_from_json(root, clk, out, err, errlen);
out:
	json_object_put(root);
	json_tokener_free(tok);
	return ret;
}

int rule_load_lists(struct rule *r, char *err, size_t errlen)
{
	return rule_op_load_lists(r->op, err, errlen);
}

int rule_lists_under(const struct rule *r, const char *root, char *err,
		     size_t errlen)
{
	char real[PATH_MAX] = "";

	if (root[0] && !realpath(root, real)) {
		int e = -errno;

		snprintf(err, errlen, "rules directory %s: %s", root, strerror(-e));
		return e;
	}
	return rule_op_lists_under(r->op, real, err, errlen);
}

bool rule_uses_env(const struct rule *r)
{
	return rule_op_uses(r->op, OPD_PROC_ENV);
}

bool rule_same_policy(const struct rule *a, const struct rule *b)
{
	struct json_object *x = rule_op_to_json(a->op), *y = rule_op_to_json(b->op);
	bool same = x && y && a->action == b->action &&
		    a->precedence == b->precedence &&
		    !strcmp(json_object_to_json_string(x), json_object_to_json_string(y));

	json_object_put(x);
	json_object_put(y);
	return same;
}

int rule_set_file(struct rule *r, const char *path)
{
	char *f = strdup(path);

	if (!f)
		return -ENOMEM;
	free(r->file);
	r->file = f;
	return 0;
}

const char *rule_name(const struct rule *r) { return r->name; }
enum rule_action rule_action(const struct rule *r) { return r->action; }
enum rule_duration rule_duration(const struct rule *r) { return r->duration; }
bool rule_nolog(const struct rule *r) { return r->nolog; }
const char *rule_file(const struct rule *r) { return r->file; }

bool rule_expired(const struct rule *r, uint64_t now_ms)
{
	return r->duration == RULE_TIMED &&
	       (r->expires_ms < 0 || now_ms >= (uint64_t)r->expires_ms);
}

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v ? v : ""));
}

struct json_object *rule_to_json(const struct rule *r)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_str(o, "created", r->created);
	add_str(o, "updated", r->updated ? r->updated : r->created);
	add_str(o, "name", r->name);
	add_str(o, "description", r->description);
	json_object_object_add(o, "enabled", json_object_new_boolean(r->enabled));
	json_object_object_add(o, "precedence", json_object_new_boolean(r->precedence));
	json_object_object_add(o, "nolog", json_object_new_boolean(r->nolog));
	add_str(o, "action", action_names[r->action]);
	add_str(o, "duration", r->duration_text);
	json_object_object_add(o, "operator", rule_op_to_json(r->op));
	return o;
}

char *rule_text(const struct rule *r, size_t *len)
{
	struct json_object *o = rule_to_json(r);
	const char *t;
	char *out = NULL;
	size_t n;

	if (!o)
		return NULL;
	t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	n = t ? strlen(t) : 0;
	if (t && (out = malloc(n + 2))) {
		memcpy(out, t, n);
		out[n] = '\n';
		out[n + 1] = '\0';
		*len = n + 1;
	}
	json_object_put(o);
	return out;
}

/* ---- rulesets */

static int cmp_rule(const void *a, const void *b)
{
	const struct rule *x = *(struct rule *const *)a;
	const struct rule *y = *(struct rule *const *)b;

	return strcmp(x->name, y->name);
}

static int cmp_idx(const void *a, const void *b)
{
	const struct idx_entry *x = a, *y = b;

	if (x->operand != y->operand)
		return x->operand < y->operand ? -1 : 1;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void ruleset_index(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n_on; i++) {
		const struct rule_op *key = rule_op_index_key(rs->on[i]->op);

		if (!key) {
			rs->lin[rs->n_lin++] = (uint32_t)i;
			continue;
		}
		rs->idx[rs->n_idx].hash = match_hash_lower(key->data, key->data_len);
		rs->idx[rs->n_idx].operand = key->operand;
		rs->idx[rs->n_idx++].pos = (uint32_t)i;
	}
	if (rs->n_idx)
		qsort(rs->idx, rs->n_idx, sizeof(*rs->idx), cmp_idx);
	for (size_t i = rs->n_idx; i-- > 0;)
		rs->idx_lo[rs->idx[i].operand] = (uint32_t)i;
	for (size_t i = 0; i < rs->n_idx; i++)
		rs->idx_hi[rs->idx[i].operand] = (uint32_t)i + 1;
}

static void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_put(rs->all[i]);
	free(rs->all);
	free(rs->on);
	free(rs->idx);
	free(rs->lin);
	free(rs);
}

/* Build from rules already unique by name; takes a reference on each. */
static struct ruleset *ruleset_build(struct rule **rules, size_t n)
{
	struct ruleset *rs = calloc(1, sizeof(*rs));
	size_t cap = n ? n : 1;

	if (!rs)
		return NULL;
	rs->refs = 1;
	rs->all = calloc(cap, sizeof(*rs->all));
	rs->on = calloc(cap, sizeof(*rs->on));
	rs->idx = calloc(cap, sizeof(*rs->idx));
	rs->lin = calloc(cap, sizeof(*rs->lin));
	if (!rs->all || !rs->on || !rs->idx || !rs->lin) {
		ruleset_free(rs);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		rs->all[rs->n++] = rule_get(rules[i]);
	if (n)
		qsort(rs->all, rs->n, sizeof(*rs->all), cmp_rule);
	for (size_t i = 0; i < n; i++) {
		if (!rs->all[i]->enabled)
			continue;
		rs->on[rs->n_on++] = rs->all[i];
		rs->needs |= rule_op_needs(rs->all[i]->op);
	}
	ruleset_index(rs);
	return rs;
}

struct ruleset *ruleset_new(void)
{
	struct ruleset *rs = ruleset_build(NULL, 0);

	if (!rs)
		errno = ENOMEM;
	return rs;
}

void ruleset_put(struct ruleset *rs)
{
	if (rs && __atomic_sub_fetch(&rs->refs, 1, __ATOMIC_ACQ_REL) == 0)
		ruleset_free(rs);
}

size_t ruleset_count(const struct ruleset *rs) { return rs->n; }
unsigned ruleset_needs(const struct ruleset *rs) { return rs->needs; }

const struct rule *ruleset_at(const struct ruleset *rs, size_t i)
{
	return i < rs->n ? rs->all[i] : NULL;
}

static ssize_t find_idx(const struct ruleset *rs, const char *name)
{
	size_t lo = 0, hi = rs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rs->all[mid]->name, name);

		if (!c)
			return (ssize_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const struct rule *ruleset_find(const struct ruleset *rs, const char *name)
{
	ssize_t i = find_idx(rs, name);

	return i < 0 ? NULL : rs->all[i];
}

/* old's rules minus the one at skip (-1: none), plus extra (may be NULL). */
static int ruleset_derive(const struct ruleset *old, ssize_t skip,
			  struct rule *extra, struct ruleset **out)
{
	struct rule **v;
	size_t n = 0;

	*out = NULL;
	if (extra && skip < 0 && old->n >= RULES_MAX_COUNT)
		return -ENOSPC;
	if (!(v = calloc(old->n + 1, sizeof(*v))))
		return -ENOMEM;
	for (size_t i = 0; i < old->n; i++)
		if ((ssize_t)i != skip)
			v[n++] = old->all[i];
	if (extra)
		v[n++] = extra;
	*out = ruleset_build(v, n);
	free(v);
	return *out ? 0 : -ENOMEM;
}

int ruleset_add(const struct ruleset *old, struct rule *r, struct ruleset **out)
{
	return ruleset_derive(old, find_idx(old, r->name), r, out);
}

int ruleset_remove(const struct ruleset *old, const char *name,
		   struct ruleset **out)
{
	ssize_t i = find_idx(old, name);

	*out = NULL;
	if (i < 0)
		return -ENOENT;
	return ruleset_derive(old, i, NULL, out);
}

/* A copy of r sharing its compiled operator. */
static struct rule *rule_clone(const struct rule *r)
{
	struct rule *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	*c = *r;
	c->refs = 1;
	c->name = strdup(r->name);
	c->description = r->description ? strdup(r->description) : NULL;
	c->created = r->created ? strdup(r->created) : NULL;
	c->updated = r->updated ? strdup(r->updated) : NULL;
	c->duration_text = strdup(r->duration_text);
	c->file = r->file ? strdup(r->file) : NULL;
	__atomic_add_fetch(&c->op->refs, 1, __ATOMIC_RELAXED);
	if (!c->name || !c->duration_text || (r->description && !c->description) ||
	    (r->created && !c->created) || (r->updated && !c->updated) ||
	    (r->file && !c->file)) {
		rule_free(c);
		return NULL;
	}
	return c;
}

int ruleset_set_enabled(const struct ruleset *old, const char *name,
			bool enabled, struct ruleset **out)
{
	ssize_t i = find_idx(old, name);
	struct rule *c;
	int r;

	*out = NULL;
	if (i < 0)
		return -ENOENT;
	if (!(c = rule_clone(old->all[i])))
		return -ENOMEM;
	c->enabled = enabled;
	r = ruleset_derive(old, i, c, out);
	rule_put(c);
	return r;
}

int ruleset_expire(const struct ruleset *old, uint64_t now_ms,
		   struct ruleset **out)
{
	struct rule **v;
	size_t n = 0;

	*out = NULL;
	if (!(v = calloc(old->n ? old->n : 1, sizeof(*v))))
		return -ENOMEM;
	for (size_t i = 0; i < old->n; i++)
		if (!rule_expired(old->all[i], now_ms))
			v[n++] = old->all[i];
	if (n < old->n && !(*out = ruleset_build(v, n))) {
		free(v);
		return -ENOMEM;
	}
	free(v);
	return (int)(old->n - n);
}

size_t ruleset_list_dirs(const struct ruleset *rs, const char **dirs,
			 size_t max)
{
	const struct rule_op *stack[64];
	size_t total = 0;

	for (size_t i = 0; i < rs->n; i++) {
		size_t sp = 0;

		stack[sp++] = rs->all[i]->op;
		while (sp) {
			const struct rule_op *op = stack[--sp];
			bool seen = false;

			for (size_t k = 0; k < op->n_sub && sp < 64; k++)
				stack[sp++] = op->sub[k];
			if (op->type != OP_LISTS)
				continue;
			for (size_t k = 0; k < total && k < max; k++)
				seen |= !strcmp(dirs[k], op->data);
			if (seen)
				continue;
			if (total < max)
				dirs[total] = op->data;
			total++;
		}
	}
	return total;
}

/* The first decisive match (deny, reject or precedence) wins, else the
 * last allow: over positions that is the lowest decisive position, else
 * the highest allow position, whichever order we test them in. */
struct verdict {
	size_t decisive;	/* SIZE_MAX: none yet */
	size_t allow;		/* SIZE_MAX: none */
};

static void consider(const struct ruleset *rs, size_t pos, struct verdict *v)
{
	const struct rule *r = rs->on[pos];

	if (r->action != RULE_ALLOW || r->precedence) {
		if (pos < v->decisive)
			v->decisive = pos;
	} else if (v->allow == SIZE_MAX || pos > v->allow) {
		v->allow = pos;
	}
}

static void match_indexed(const struct ruleset *rs, const struct rule_ctx *ctx,
			  uint64_t now_ms, struct match_cache *c,
			  struct verdict *v)
{
	for (uint32_t o = 0; o < OPD_COUNT; o++) {
		size_t len, lo = rs->idx_lo[o], hi = rs->idx_hi[o], end = hi;
		const char *text;
		uint64_t h;

		if (lo == hi || !(text = match_operand_text(o, ctx, c, &len)))
			continue;
		h = match_hash_lower(text, len);
		while (lo < hi) {	/* first entry with hash >= h */
			size_t mid = lo + (hi - lo) / 2;

			if (rs->idx[mid].hash < h)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < end && rs->idx[lo].hash == h; lo++) {
			const struct rule *r = rs->on[rs->idx[lo].pos];

			if (!rule_expired(r, now_ms) && rule_op_match(r->op, ctx, c))
				consider(rs, rs->idx[lo].pos, v);
		}
	}
}

int ruleset_match(const struct ruleset *rs, const struct rule_ctx *ctx,
		  uint64_t now_ms, const struct rule **out)
{
	struct verdict v = { SIZE_MAX, SIZE_MAX };
	struct match_cache c;

	*out = NULL;
	match_cache_init(&c);
	match_indexed(rs, ctx, now_ms, &c, &v);
	for (size_t i = 0; i < rs->n_lin; i++) {
		const struct rule *r = rs->on[rs->lin[i]];

		if (rs->lin[i] > v.decisive)
			break;	/* a decisive match earlier in order won */
		if (!rule_expired(r, now_ms) && rule_op_match(r->op, ctx, &c))
			consider(rs, rs->lin[i], &v);
	}
	if (v.decisive != SIZE_MAX)
		*out = rs->on[v.decisive];
	else if (v.allow != SIZE_MAX)
		*out = rs->on[v.allow];
	return *out != NULL;
}

/* ---- loading a directory */

static void add_error(struct rules_errors *errs, const char *file,
		      const char *reason)
{
	struct rules_error *e;

	if (!errs)
		return;
	errs->total++;
	if (errs->report)
		errs->report(errs->report_data, file, reason);
	if (errs->n >= RULES_MAX_ERRORS) {
		errs->dropped++;
		return;
	}
	e = &errs->e[errs->n++];
	snprintf(e->file, sizeof(e->file), "%s", file);
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.json names in the directory dfd, at most RULES_MAX_COUNT (the
 * rest are reported). */
static int list_rule_files(int dfd, char ***names, size_t *n,
			   struct rules_errors *errs)
{
	struct dirent *de;
	char **v;
	DIR *d;
	int fd;

	*names = NULL;
	*n = 0;
	if ((fd = dup(dfd)) < 0)
		return -errno;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -errno;
	}
	if (!(v = calloc(RULES_MAX_COUNT, sizeof(*v)))) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".json"))
			continue;
		if (*n >= RULES_MAX_COUNT) {
			add_error(errs, de->d_name, "more than 10000 rule files");
			continue;
		}
		if (!(v[*n] = strdup(de->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), cmp_str);
	*names = v;
	return 0;
}

/* One rule file, read through capread: a FIFO, device or symlink named
 * *.json is an invalid file, never a hang.  A note (list entries that
 * were skipped) may be left in err while 0 is returned. */
static int load_one(int dfd, const char *dir, const char *fname,
		    const struct rules_clock *clk, struct rule **out,
		    char *err, size_t errlen)
{
	char path[4096], *buf = NULL;
	size_t len;
	int r;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, fname) >= sizeof(path)) {
		rules_seterr(err, errlen, "path too long");
		return -ENAMETOOLONG;
	}
	r = capread_at(dfd, fname, RULES_MAX_FILE_BYTES, 0, &buf, &len);
	if (r == -EFBIG)
		rules_seterr(err, errlen, "larger than %u bytes", RULES_MAX_FILE_BYTES);
	else if (r < 0)
		rules_seterr(err, errlen, "%s", capread_strerror(r));
	if (r < 0)
		return r;
	if ((r = rule_parse(buf, len, clk, out, err, errlen)) < 0)
		goto out;
	err[0] = '\0';
	if ((r = rule_load_lists(*out, err, errlen)) < 0 ||
	    !((*out)->file = strdup(path))) {
		r = r < 0 ? r : -ENOMEM;
		rule_put(*out);
		*out = NULL;
	}
out:
	free(buf);
	return r;
}

static int cmp_rule_file(const void *a, const void *b)
{
	const struct rule *x = *(struct rule *const *)a;
	const struct rule *y = *(struct rule *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->file, y->file);
}

/* Sort by name; of several files with one name the first file name
 * wins and the others are reported. */
static size_t drop_duplicates(struct rule **v, size_t n,
			      struct rules_errors *errs)
{
	char reason[300];
	size_t j = 0;

	qsort(v, n, sizeof(*v), cmp_rule_file);
	for (size_t i = 0; i < n; i++) {
		if (!j || strcmp(v[j - 1]->name, v[i]->name)) {
			v[j++] = v[i];
			continue;
		}
		snprintf(reason, sizeof(reason), "duplicate rule name \"%.200s\"",
			 v[i]->name);
		add_error(errs, strrchr(v[i]->file, '/') + 1, reason);
		rule_put(v[i]);
	}
	return j;
}

static int load_rules(const char *dir, const struct rules_clock *clk,
		      struct rule ***out, size_t *nout, struct rules_errors *errs)
{
	char **names = NULL, err[256];
	struct rule **v = NULL;
	size_t n = 0, nr = 0;
	int r, dfd;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if ((r = list_rule_files(dfd, &names, &n, errs)) < 0)
		goto out;
	if (!(v = calloc(n ? n : 1, sizeof(*v)))) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		err[0] = '\0';
		r = load_one(dfd, dir, names[i], clk, &v[nr], err, sizeof(err));
		if (r == -ENOMEM)
			goto out;
		if (r < 0) {
			add_error(errs, names[i], err);
			continue;
		}
		nr++;
		if (err[0] && errs->note)
			errs->note(errs->report_data, names[i], err);
	}
	r = 0;
	*out = v;
	*nout = nr;
	v = NULL;
out:
	for (size_t i = 0; v && i < nr; i++)
		rule_put(v[i]);
	free(v);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	close(dfd);
	return r;
}

int ruleset_reload(const struct ruleset *old, const char *dir,
		   const struct rules_clock *clk, struct ruleset **out,
		   struct rules_errors *errs)
{
	struct rule **v = NULL, **all;
	size_t n = 0, nfile, extra = old ? old->n : 0;
	int r;

	*out = NULL;
	if ((r = load_rules(dir, clk, &v, &n, errs)) < 0)
		return r;
	n = drop_duplicates(v, n, errs);
	if (!(all = realloc(v, (n + extra + 1) * sizeof(*v)))) {
		r = -ENOMEM;
		goto out;
	}
	v = all;
	nfile = n;	/* v[0..nfile) is sorted by name */
	for (size_t i = 0; i < extra; i++) {
		struct rule *o = old->all[i];

		if (o->file || rule_expired(o, clk->boot_ms) ||
		    bsearch(&o, v, nfile, sizeof(*v), cmp_rule))
			continue;
		if (n < RULES_MAX_COUNT)
			v[n++] = rule_get(o);
	}
	if (!(*out = ruleset_build(v, n)))
		r = -ENOMEM;
out:
	for (size_t i = 0; i < n; i++)
		rule_put(v[i]);
	free(v);
	return r;
}

int ruleset_load_dir(const char *dir, const struct rules_clock *clk,
		     struct ruleset **out, struct rules_errors *errs)
{
	return ruleset_reload(NULL, dir, clk, out, errs);
}

struct check_ctx {
	const char *dir;
	FILE *err;
};

static void check_report(void *data, const char *file, const char *reason)
{
	const struct check_ctx *x = data;

	fprintf(x->err, "%s/%s: %s\n", x->dir, file, reason);
}

int rules_check_dir(const char *dir, FILE *out, FILE *err)
{
	struct check_ctx x = { .dir = dir, .err = err };
	struct rules_errors errs = { .report = check_report, .report_data = &x };
	struct rules_clock clk = rules_clock_now();
	struct ruleset *rs = NULL;
	int r;

	if ((r = ruleset_load_dir(dir, &clk, &rs, &errs)) < 0) {
		fprintf(err, "%s: %s\n", dir, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < rs->n; i++) {
		struct json_object *o = rule_to_json(rs->all[i]);

		fprintf(out, "%s\n", o ? json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : "null");
		json_object_put(o);
	}
	ruleset_put(rs);
	return (int)errs.total;
}

struct rules_clock rules_clock_now(void)
{
	struct rules_clock clk;
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	clk.boot_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	clock_gettime(CLOCK_REALTIME, &ts);
	clk.wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return clk;
}

struct json_object *rule_json_simple(const char *operand, const char *data)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "type", json_object_new_string("simple"));
	json_object_object_add(o, "operand", json_object_new_string(operand));
	json_object_object_add(o, "sensitive", json_object_new_boolean(0));
	json_object_object_add(o, "data", json_object_new_string(data));
	return o;
}
