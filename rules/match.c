/* match.c - compile OpenSnitch operators, translate RE2 to POSIX ERE, and
 * test operators against a connection. */
#include "match.h"

#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "bytes.h"
#include "lists.h"
#include "packet.h"
#include "procfs.h"
#include "re2.h"

#define OP_MAX_DEPTH	4	/* nested "list" operators */

/* ---- operator compile */

static const struct {
	const char *name;
	enum rule_operand opd;
} operands[] = {
	{ "true", OPD_TRUE },
	{ "process.path", OPD_PROC_PATH },
	{ "process.command", OPD_PROC_COMMAND },
	{ "process.id", OPD_PROC_ID },
	{ "process.parent.path", OPD_PROC_PARENT_PATH },
	{ "user.id", OPD_USER_ID },
	{ "user.name", OPD_USER_NAME },
	{ "protocol", OPD_PROTOCOL },
	{ "dest.ip", OPD_DEST_IP },
	{ "dest.host", OPD_DEST_HOST },
	{ "dest.port", OPD_DEST_PORT },
	{ "dest.network", OPD_DEST_NETWORK },
	{ "source.ip", OPD_SRC_IP },
	{ "source.port", OPD_SRC_PORT },
	{ "source.network", OPD_SRC_NETWORK },
	{ "iface.in", OPD_IFACE_IN },
	{ "iface.out", OPD_IFACE_OUT },
	{ "lists.domains", OPD_LISTS_DOMAINS },
	{ "lists.domains_regexp", OPD_LISTS_DOMAINS_RE },
	{ "lists.ips", OPD_LISTS_IPS },
	{ "lists.nets", OPD_LISTS_NETS },
	{ "lists.hash.md5", OPD_LISTS_HASH_MD5 },
	{ "process.unit", OPD_PROC_UNIT },
	{ "process.cgroup", OPD_PROC_CGROUP },
	{ "process.container", OPD_PROC_CONTAINER },
	{ "process.hash.md5", OPD_PROC_HASH_MD5 },
	{ "process.hash.sha1", OPD_PROC_HASH_SHA1 },
};

static const char *const type_names[] = {
	[OP_SIMPLE] = "simple", [OP_REGEXP] = "regexp",
	[OP_NETWORK] = "network", [OP_LIST] = "list", [OP_LISTS] = "lists",
	[OP_RANGE] = "range",
};

static int parse_operand(struct rule_op *op, const char *s, char *err,
			 size_t errlen)
{
	size_t n;

	for (size_t i = 0; i < sizeof(operands) / sizeof(operands[0]); i++) {
		if (!strcmp(s, operands[i].name)) {
			op->operand = operands[i].opd;
			return 0;
		}
	}
	if (!strncmp(s, "process.env.", 12)) {
		n = strlen(s + 12);
		if (n == 0 || n >= RULE_ENV_NAME_MAX || strchr(s + 12, '=')) {
			rules_seterr(err, errlen, "bad environment variable in operand \"%.64s\"", s);
			return -EINVAL;
		}
		op->operand = OPD_PROC_ENV;
		op->env_name = op->operand_text + 12;
		return 0;
	}
	rules_seterr(err, errlen, "unknown operand \"%.64s\"", s);
	return -EINVAL;
}

static int parse_type(const char *s, enum rule_op_type *t, char *err,
		      size_t errlen)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (!strcmp(s, type_names[i])) {
			*t = (enum rule_op_type)i;
			return 0;
		}
	}
	rules_seterr(err, errlen, "unknown operator type \"%.64s\"", s);
	return -EINVAL;
}

/* Which operand each type accepts: network types want an address
 * operand, lists want a lists.* operand, and neither fits elsewhere. */
static int check_pair(const struct rule_op *op, char *err, size_t errlen)
{
	enum rule_operand o = op->operand;
	bool is_lists = o >= OPD_LISTS_DOMAINS && o <= OPD_LISTS_HASH_MD5;
	bool is_num = o == OPD_DEST_PORT || o == OPD_SRC_PORT ||
		      o == OPD_USER_ID || o == OPD_PROC_ID;
	bool is_net = o == OPD_DEST_NETWORK || o == OPD_SRC_NETWORK;
	bool is_addr = is_net || o == OPD_DEST_IP || o == OPD_SRC_IP;
	bool ok;

	switch (op->type) {
	case OP_SIMPLE: ok = !is_lists && !is_net; break;
	case OP_REGEXP: ok = !is_lists && !is_net && o != OPD_TRUE; break;
	case OP_NETWORK: ok = is_addr; break;
	case OP_LISTS: ok = is_lists; break;
	case OP_RANGE: ok = is_num; break;
	default: ok = true; break;
	}
	if (!ok)
		rules_seterr(err, errlen, "operand \"%s\" cannot be used with type \"%s\"",
		       op->operand_text, type_names[op->type]);
	return ok ? 0 : -EINVAL;
}

static const char *obj_str(const struct json_object *o, const char *key,
			  size_t *len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	if (len)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

static int compile_network(struct rule_op *op, char *err, size_t errlen)
{
	int r;

	if (!(op->nets = netset_new()))
		return -ENOMEM;
	r = netset_add_alias(op->nets, op->data);
	if (r == -ENOENT)
		r = netset_add_cidr(op->nets, op->data);
	if (r < 0) {
		rules_seterr(err, errlen, "bad network \"%.64s\" (want CIDR, LAN or MULTICAST)",
		       op->data);
		return -EINVAL;
	}
	netset_seal(op->nets);
	return 0;
}

static int compile_one(const struct json_object *obj, int depth,
		       struct rule_op **out, char *err, size_t errlen);

/* Decimal without sign or spaces, at most 10 digits (ports, ids). */
static int range_number(const char *s, size_t len, uint64_t *v)
{
	*v = 0;
	if (!len || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

/* OpenSnitch "range": "LOW-HIGH", both inclusive ("8000-8999"). */
static int compile_range(struct rule_op *op, char *err, size_t errlen)
{
	const char *dash = memchr(op->data, '-', op->data_len);

	if (!dash ||
	    range_number(op->data, (size_t)(dash - op->data), &op->lo) < 0 ||
	    range_number(dash + 1, op->data_len - (size_t)(dash - op->data) - 1,
			 &op->hi) < 0 || op->lo > op->hi) {
		rules_seterr(err, errlen, "bad range \"%.64s\" (want LOW-HIGH, "
			     "e.g. 8000-8999)", op->data);
		return -EINVAL;
	}
	return 0;
}

/* A substring every match must contain: a strstr() before regexec()
 * skips most non-matching values for a fraction of the cost. */
static int regexp_literal(struct rule_op *op)
{
	size_t cap = op->data_len * 4 + 16;
	char *ere = malloc(cap), lit[64];
	int r = 0;

	if (!ere)
		return -ENOMEM;
	if (re2_translate_lit(op->data, ere, cap, lit, sizeof(lit), NULL, 0) == 0 &&
	    strlen(lit) >= 2 && !(op->re_lit = strdup(lit)))
		r = -ENOMEM;
	free(ere);
	return r;
}

/* "list": sub-operators in the "list" array, or (OpenSnitch <= 1.5) the
 * same array as a JSON string in "data". */
static int compile_list(struct rule_op *op, const struct json_object *obj,
			int depth, char *err, size_t errlen)
{
	struct json_object *arr = NULL, *parsed = NULL;
	size_t n;
	int r = 0;

	if (!json_object_object_get_ex(obj, "list", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) == 0) {
		struct json_tokener *tok = json_tokener_new_ex(OP_MAX_DEPTH * 4);

		if (!tok)
			return -ENOMEM;
		parsed = json_tokener_parse_ex(tok, op->data, (int)op->data_len);
		json_tokener_free(tok);
		arr = parsed;
	}
	if (!arr || !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0) {
		rules_seterr(err, errlen, "list operator without sub-operators");
		r = -EINVAL;
		goto out;
	}
	if (n > RULE_OP_MAX_LIST) {
		rules_seterr(err, errlen, "list has more than %d operators", RULE_OP_MAX_LIST);
		r = -EINVAL;
		goto out;
	}
	if (!(op->sub = calloc(n, sizeof(*op->sub)))) {
		r = -ENOMEM;
		goto out;
	}
	for (; op->n_sub < n; op->n_sub++) {
		r = compile_one(json_object_array_get_idx(arr, op->n_sub),
				depth + 1, &op->sub[op->n_sub], err, errlen);
		if (r < 0)
			goto out;
	}
out:
	json_object_put(parsed);
	return r;
}

static int compile_fields(struct rule_op *op, const struct json_object *obj,
			  char *err, size_t errlen)
{
	struct json_object *v;
	const char *s;
	size_t len = 0;

	if (!(s = obj_str(obj, "type", NULL))) {
		rules_seterr(err, errlen, "operator has no \"type\"");
		return -EINVAL;
	}
	if (parse_type(s, &op->type, err, errlen) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(obj, "sensitive", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		/* "false" as a string read as true before: refuse it. */
		if (!json_object_is_type(v, json_type_boolean)) {
			rules_seterr(err, errlen, "operator \"sensitive\" is not a boolean");
			return -EINVAL;
		}
		op->sensitive = json_object_get_boolean(v);
	}
	s = obj_str(obj, "data", &len);
	if (json_object_object_get_ex(obj, "data", &v) && !s &&
	    !json_object_is_type(v, json_type_null)) {
		rules_seterr(err, errlen, "operator \"data\" is not a string");
		return -EINVAL;
	}
	if (!s)
		s = "";
	if (op->type != OP_LIST && len > RULE_OP_MAX_DATA) {
		rules_seterr(err, errlen, "operator data longer than %d bytes", RULE_OP_MAX_DATA);
		return -EINVAL;
	}
	if (memchr(s, '\0', len)) {
		rules_seterr(err, errlen, "operator data contains a NUL byte");
		return -EINVAL;
	}
	if (!(op->data = strndup(s, len)))
		return -ENOMEM;
	op->data_len = len;
	s = obj_str(obj, "operand", NULL);
	if (!s && op->type != OP_LIST) {
		rules_seterr(err, errlen, "operator has no \"operand\"");
		return -EINVAL;
	}
	if (!(op->operand_text = strdup(s ? s : "list")))
		return -ENOMEM;
	if (op->type == OP_LIST) {
		op->operand = OPD_NONE;
		return 0;
	}
	if (parse_operand(op, op->operand_text, err, errlen) < 0)
		return -EINVAL;
	return check_pair(op, err, errlen);
}

static int compile_one(const struct json_object *obj, int depth,
		       struct rule_op **out, char *err, size_t errlen)
{
	struct rule_op *op;
	int r = 0;

	*out = NULL;
	if (!obj || !json_object_is_type(obj, json_type_object)) {
		rules_seterr(err, errlen, "operator is not an object");
		return -EINVAL;
	}
	if (depth > OP_MAX_DEPTH) {
		rules_seterr(err, errlen, "list operators nested too deep");
		return -EINVAL;
	}
	if (!(op = calloc(1, sizeof(*op))))
		return -ENOMEM;
	if ((r = compile_fields(op, obj, err, errlen)) < 0)
		goto out;
	switch (op->type) {
	case OP_REGEXP:
		if ((r = re2_compile(&op->re, op->data, !op->sensitive, err,
				     errlen)) == 0)
			op->re_ok = true;
		if (!r)
			r = regexp_literal(op);
		break;
	case OP_NETWORK:
		r = compile_network(op, err, errlen);
		break;
	case OP_RANGE:
		r = compile_range(op, err, errlen);
		break;
	case OP_LIST:
		r = compile_list(op, obj, depth, err, errlen);
		break;
	case OP_LISTS:
		if (!op->data_len) {
			rules_seterr(err, errlen, "lists operator without a directory");
			r = -EINVAL;
		}
		break;
	case OP_SIMPLE:
		break;
	}
out:
	if (r < 0)
		rule_op_free(op);
	else
		*out = op;
	return r;
}

int rule_op_compile(const struct json_object *obj, struct rule_op **out,
		    char *err, size_t errlen)
{
	return compile_one(obj, 0, out, err, errlen);
}

void rule_op_free(struct rule_op *op)
{
	if (!op)
		return;
	if (op->re_ok)
		regfree(&op->re);
	netset_free(op->nets);
	rule_list_free(op->list);
	for (size_t i = 0; i < op->n_sub; i++)
		rule_op_free(op->sub[i]);
	free(op->sub);
	free(op->operand_text);
	free(op->data);
	free(op->re_lit);
	free(op);
}

static const enum list_kind list_kinds[] = {
	[OPD_LISTS_DOMAINS - OPD_LISTS_DOMAINS] = LIST_DOMAINS,
	[OPD_LISTS_DOMAINS_RE - OPD_LISTS_DOMAINS] = LIST_DOMAINS_REGEXP,
	[OPD_LISTS_IPS - OPD_LISTS_DOMAINS] = LIST_IPS,
	[OPD_LISTS_NETS - OPD_LISTS_DOMAINS] = LIST_NETS,
	[OPD_LISTS_HASH_MD5 - OPD_LISTS_DOMAINS] = LIST_HASH_MD5,
};

int rule_op_load_lists(struct rule_op *op, char *err, size_t errlen)
{
	struct rule_list *l;
	int r;

	for (size_t i = 0; i < op->n_sub; i++)
		if ((r = rule_op_load_lists(op->sub[i], err, errlen)) < 0)
			return r;
	if (op->type != OP_LISTS)
		return 0;
	r = rule_list_load(op->data, list_kinds[op->operand - OPD_LISTS_DOMAINS],
			   &l, err, errlen);
	if (r < 0)
		return r;
	rule_list_free(op->list);
	op->list = l;
	return 0;
}

int rule_op_lists_under(const struct rule_op *op, const char *root,
			char *err, size_t errlen)
{
	char real[PATH_MAX];
	size_t n = strlen(root);
	int r;

	for (size_t i = 0; i < op->n_sub; i++)
		if ((r = rule_op_lists_under(op->sub[i], root, err, errlen)) < 0)
			return r;
	if (op->type != OP_LISTS)
		return 0;
	if (!realpath(op->data, real)) {
		r = -errno;
		snprintf(err, errlen, "list directory %s: %s", op->data,
			 strerror(-r));
		return r;
	}
	if (!n || strncmp(real, root, n) || real[n] != '/') {
		snprintf(err, errlen, "list directory %s is not under the rules "
			 "directory%s%s", op->data, n ? " " : "", root);
		return -EPERM;
	}
	return 0;
}

bool rule_op_uses(const struct rule_op *op, enum rule_operand opd)
{
	for (size_t i = 0; i < op->n_sub; i++)
		if (rule_op_uses(op->sub[i], opd))
			return true;
	return op->type != OP_LIST && op->operand == opd;
}

struct json_object *rule_op_to_json(const struct rule_op *op)
{
	struct json_object *o = json_object_new_object(), *arr;

	if (!o)
		return NULL;
	json_object_object_add(o, "type", json_object_new_string(type_names[op->type]));
	json_object_object_add(o, "operand", json_object_new_string(op->operand_text));
	json_object_object_add(o, "sensitive", json_object_new_boolean(op->sensitive));
	arr = json_object_new_array();
	for (size_t i = 0; arr && i < op->n_sub; i++)
		json_object_array_add(arr, rule_op_to_json(op->sub[i]));
	/* OpenSnitch writes the sub-list twice for "list": as the array and,
	 * for older readers, as a JSON string in "data". */
	if (op->type == OP_LIST && arr)
		json_object_object_add(o, "data", json_object_new_string(
			json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN)));
	else
		json_object_object_add(o, "data",
			json_object_new_string_len(op->data, (int)op->data_len));
	json_object_object_add(o, "list", arr);
	return o;
}

/* ---- matching */

void match_cache_init(struct match_cache *c)
{
	c->have = 0;
	c->host_len = 0;
}

static const char *join_cmdline(const struct proc_info *pi, char *buf,
				size_t cap)
{
	size_t n = pi->cmdline_len < cap - 1 ? pi->cmdline_len : cap - 1;

	for (size_t i = 0; i < n; i++)
		buf[i] = pi->cmdline[i] ? pi->cmdline[i] : ' ';
	buf[n] = '\0';
	return buf;
}

static bool ctx_uid(const struct rule_ctx *ctx, uint32_t *uid)
{
	if (ctx->proc) {
		*uid = ctx->proc->uid;
		return true;
	}
	*uid = ctx->uid;
	return ctx->has_uid;
}

/* The text an operand stands for, computed once per evaluation. */
static const char *compute_text(enum rule_operand o, const struct rule_ctx *ctx,
				struct match_cache *c)
{
	const struct proc_info *pi = ctx->proc;
	const struct flow *f = ctx->flow;
	uint32_t uid;

	switch (o) {
	case OPD_PROC_PATH: return pi ? pi->exe : NULL;
	case OPD_PROC_COMMAND:
		return pi && pi->cmdline ?
		       join_cmdline(pi, c->command, sizeof(c->command)) : NULL;
	case OPD_PROC_ID:
		if (!pi)
			return NULL;
		snprintf(c->pid, sizeof(c->pid), "%d", (int)pi->pid);
		return c->pid;
	case OPD_PROC_PARENT_PATH:
		if (!pi || ctx->parent_path)
			return pi ? ctx->parent_path : NULL;
		return ctx->parent_path_of ? ctx->parent_path_of(ctx->data, pi) : NULL;
	case OPD_USER_ID:
		if (!ctx_uid(ctx, &uid))
			return NULL;
		snprintf(c->uid, sizeof(c->uid), "%u", uid);
		return c->uid;
	case OPD_USER_NAME:
		if (!ctx->user_name || !ctx_uid(ctx, &uid))
			return NULL;
		return ctx->user_name(ctx->data, uid);
	case OPD_PROTOCOL:
		return packet_proto_operand(f, c->proto, sizeof(c->proto));
	case OPD_DEST_IP:
		return flow_addr_str(f->family, f->dst, c->ip_dst, sizeof(c->ip_dst));
	case OPD_SRC_IP:
		return flow_addr_str(f->family, f->src, c->ip_src, sizeof(c->ip_src));
	case OPD_DEST_PORT:
		snprintf(c->port_dst, sizeof(c->port_dst), "%u", f->dport);
		return c->port_dst;
	case OPD_SRC_PORT:
		snprintf(c->port_src, sizeof(c->port_src), "%u", f->sport);
		return c->port_src;
	case OPD_DEST_HOST: return ctx->dst_host;
	case OPD_PROC_UNIT: return pi ? pi->unit : NULL;
	case OPD_PROC_CGROUP: return pi ? pi->cgroup : NULL;
	case OPD_PROC_CONTAINER: return pi ? pi->container_id : NULL;
	/* A hash that could not be computed is "": it matches nothing. */
	case OPD_PROC_HASH_MD5: return pi && pi->md5[0] ? pi->md5 : NULL;
	case OPD_PROC_HASH_SHA1: return pi && pi->sha1[0] ? pi->sha1 : NULL;
	case OPD_IFACE_IN:
		return ctx->iface_in ? ctx->iface_in :
		       ctx->iface_name ? ctx->iface_name(ctx->data, false) : NULL;
	case OPD_IFACE_OUT:
		return ctx->iface_out ? ctx->iface_out :
		       ctx->iface_name ? ctx->iface_name(ctx->data, true) : NULL;
	default: return NULL;
	}
}

const char *match_operand_text(enum rule_operand o, const struct rule_ctx *ctx,
			       struct match_cache *c, size_t *len)
{
	const char *v;

	if (!(c->have & (1ull << o))) {
		v = compute_text(o, ctx, c);
		c->val[o] = v;
		c->len[o] = v ? strlen(v) : 0;
		c->have |= 1ull << o;
	}
	*len = c->len[o];
	return c->val[o];
}

static const char *operand_text(const struct rule_op *op,
				const struct rule_ctx *ctx,
				struct match_cache *c, size_t *len)
{
	const char *v;

	if (op->operand == OPD_PROC_ENV) {	/* one name per operator */
		v = ctx->proc && ctx->proc_env ?
		    ctx->proc_env(ctx->data, ctx->proc, op->env_name) : NULL;
		*len = v ? strlen(v) : 0;
		return v;
	}
	return match_operand_text(op->operand, ctx, c, len);
}

uint64_t match_hash_lower(const char *s, size_t len)
{
	uint64_t h = FNV1A64_INIT;

	for (size_t i = 0; i < len; i++)
		h = fnv1a64_byte(h, (uint8_t)tolower((unsigned char)s[i]));
	return h;
}

static bool indexable(const struct rule_op *op)
{
	if (op->type != OP_SIMPLE)
		return false;
	switch (op->operand) {
	case OPD_PROC_PATH: case OPD_PROC_COMMAND: case OPD_PROC_ID:
	case OPD_PROC_PARENT_PATH: case OPD_USER_ID: case OPD_USER_NAME:
	case OPD_PROTOCOL: case OPD_DEST_IP: case OPD_DEST_HOST:
	case OPD_DEST_PORT: case OPD_SRC_IP: case OPD_SRC_PORT:
	case OPD_IFACE_IN: case OPD_IFACE_OUT: case OPD_PROC_UNIT:
	case OPD_PROC_CGROUP: case OPD_PROC_CONTAINER: case OPD_PROC_HASH_MD5:
	case OPD_PROC_HASH_SHA1:
		return true;
	default:
		return false;
	}
}

const struct rule_op *rule_op_index_key(const struct rule_op *op)
{
	if (indexable(op))
		return op;
	if (op->type != OP_LIST)
		return NULL;
	for (size_t i = 0; i < op->n_sub; i++)
		if (indexable(op->sub[i]))
			return op->sub[i];
	return NULL;
}

static const uint8_t *operand_addr(const struct rule_op *op,
				   const struct rule_ctx *ctx)
{
	switch (op->operand) {
	case OPD_DEST_IP: case OPD_DEST_NETWORK: case OPD_LISTS_IPS:
	case OPD_LISTS_NETS:
		return ctx->flow->dst;
	case OPD_SRC_IP: case OPD_SRC_NETWORK:
		return ctx->flow->src;
	default:
		return NULL;
	}
}

static int match_lists(const struct rule_op *op, const struct rule_ctx *ctx)
{
	if (!op->list)
		return 0;
	if (op->operand == OPD_LISTS_HASH_MD5)
		return ctx->proc && rule_list_match_md5(op->list, ctx->proc->md5);
	if (op->operand == OPD_LISTS_DOMAINS || op->operand == OPD_LISTS_DOMAINS_RE)
		return ctx->dst_host && rule_list_match_host(op->list, ctx->dst_host);
	return rule_list_match_addr(op->list, ctx->flow->family,
				    operand_addr(op, ctx));
}

static int match_range(const struct rule_op *op, const struct rule_ctx *ctx,
		       struct match_cache *c)
{
	const char *v;
	uint64_t n;
	size_t len;

	if (!(v = operand_text(op, ctx, c, &len)) || range_number(v, len, &n) < 0)
		return 0;
	return n >= op->lo && n <= op->hi;
}

int rule_op_match(const struct rule_op *op, const struct rule_ctx *ctx,
		  struct match_cache *c)
{
	const char *v;
	size_t len;

	switch (op->type) {
	case OP_SIMPLE:
		if (op->operand == OPD_TRUE)
			return 1;
		if (!(v = operand_text(op, ctx, c, &len)) || len != op->data_len)
			return 0;
		return op->sensitive ? !memcmp(v, op->data, len) :
				       !strncasecmp(v, op->data, len);
	case OP_REGEXP:
		if (!(v = operand_text(op, ctx, c, &len)))
			return 0;
		if (op->re_lit && !(op->sensitive ? strstr(v, op->re_lit) :
				    strcasestr(v, op->re_lit)))
			return 0;
		return regexec(&op->re, v, 0, NULL, 0) == 0;
	case OP_NETWORK:
		return netset_contains(op->nets, ctx->flow->family,
				       operand_addr(op, ctx));
	case OP_LIST:
		for (size_t i = 0; i < op->n_sub; i++)
			if (!rule_op_match(op->sub[i], ctx, c))
				return 0;
		return 1;
	case OP_LISTS:
		return match_lists(op, ctx);
	case OP_RANGE:
		return match_range(op, ctx, c);
	}
	return 0;
}

unsigned rule_op_needs(const struct rule_op *op)
{
	unsigned need = 0;

	for (size_t i = 0; i < op->n_sub; i++)
		need |= rule_op_needs(op->sub[i]);
	switch (op->operand) {
	case OPD_PROC_HASH_MD5: case OPD_LISTS_HASH_MD5:
		return need | RULE_NEED_MD5;
	case OPD_PROC_HASH_SHA1:
		return need | RULE_NEED_SHA1;
	case OPD_PROC_UNIT: case OPD_PROC_CGROUP: case OPD_PROC_CONTAINER:
		return need | RULE_NEED_CGROUP;
	case OPD_USER_NAME:
		return need | RULE_NEED_USER;
	case OPD_PROC_ENV:
		return need | RULE_NEED_ENV;
	default:
		return need;
	}
}
