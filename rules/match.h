/* match.h - one compiled OpenSnitch operator and the connection facts it
 * is tested against.  Matching does no I/O of its own: anything that costs
 * I/O comes through the lazy callbacks in struct rule_ctx. */
#ifndef TATTLE_MATCH_H
#define TATTLE_MATCH_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "re2.h"

struct flow;
struct proc_info;
struct rule_list;
struct netset;
struct json_object;

#define RULE_OP_MAX_LIST	32	/* sub-operators in one "list" */
#define RULE_OP_MAX_DATA	4096	/* bytes of "data" (not for lists) */
#define RULE_ENV_NAME_MAX	256

/* What one connection offers.  flow is required; every other field may be
 * NULL (unknown), and an operand whose fact is unknown never matches. */
struct rule_ctx {
	const struct flow *flow;
	const struct proc_info *proc;	/* NULL: process.* never match */
	const char *parent_path;	/* process.parent.path */
	const char *dst_host;		/* dest.host, lists.domains* */
	const char *iface_in;
	const char *iface_out;
	bool has_uid;			/* uid of the socket when proc is NULL */
	uint32_t uid;			/* (proc->uid wins when proc is set) */
	/* Lazy look-ups, called only when a rule needs them (user_name at
	 * most once per ruleset_match, proc_env once per operator tested).
	 * The returned string must stay valid until ruleset_match returns;
	 * NULL means unknown.  Either callback may itself be NULL. */
	const char *(*user_name)(void *data, uint32_t uid);
	const char *(*proc_env)(void *data, const struct proc_info *pi,
				const char *name);
	/* Lazy forms of parent_path and iface_in/iface_out, used when the
	 * field is NULL: facts that cost a readlink or an ioctl are looked
	 * up only when a rule reads them. */
	const char *(*parent_path_of)(void *data, const struct proc_info *pi);
	const char *(*iface_name)(void *data, bool out);
	void *data;
};

enum rule_op_type { OP_SIMPLE, OP_REGEXP, OP_NETWORK, OP_LIST, OP_LISTS,
		   OP_RANGE };

enum rule_operand {
	OPD_TRUE, OPD_PROC_PATH, OPD_PROC_COMMAND, OPD_PROC_ID, OPD_PROC_ENV,
	OPD_PROC_PARENT_PATH, OPD_USER_ID, OPD_USER_NAME, OPD_PROTOCOL,
	OPD_DEST_IP, OPD_DEST_HOST, OPD_DEST_PORT, OPD_DEST_NETWORK,
	OPD_SRC_IP, OPD_SRC_PORT, OPD_SRC_NETWORK, OPD_IFACE_IN, OPD_IFACE_OUT,
	OPD_LISTS_DOMAINS, OPD_LISTS_DOMAINS_RE, OPD_LISTS_IPS, OPD_LISTS_NETS,
	OPD_LISTS_HASH_MD5,	/* last of the lists.* operands */
	OPD_PROC_UNIT, OPD_PROC_CGROUP, OPD_PROC_CONTAINER,
	OPD_PROC_HASH_MD5, OPD_PROC_HASH_SHA1,
	OPD_NONE,		/* "list" type: the operand is not used */
	OPD_COUNT
};

/* A compiled operator.  Immutable once built; shared between rulesets by
 * way of the rule that owns it. */
struct rule_op {
	unsigned refs;			/* owned by rules.c: rules share ops */
	enum rule_op_type type;
	enum rule_operand operand;
	bool sensitive;
	char *operand_text;		/* as written ("process.env.HOME") */
	char *data;			/* as written */
	size_t data_len;
	const char *env_name;		/* points into operand_text */
	regex_t re;			/* OP_REGEXP */
	bool re_ok;
	char *re_lit;			/* required substring, or NULL */
	struct netset *nets;		/* OP_NETWORK */
	struct rule_list *list;		/* OP_LISTS, NULL until loaded */
	struct rule_op **sub;		/* OP_LIST */
	size_t n_sub;
	uint64_t lo, hi;		/* OP_RANGE: lo <= value <= hi */
};

/* Facts that cost the daemon work to gather, so it gathers them only
 * when a rule reads them (rule_op_needs, ruleset_needs). */
#define RULE_NEED_MD5		(1u << 0)	/* process.hash.md5, lists.hash.md5 */
#define RULE_NEED_SHA1		(1u << 1)	/* process.hash.sha1 */
#define RULE_NEED_CGROUP	(1u << 2)	/* process.unit/cgroup/container */
#define RULE_NEED_USER		(1u << 3)	/* user.name: an NSS look-up */
#define RULE_NEED_ENV		(1u << 4)	/* process.env.*: /proc/PID/environ */

/* RULE_NEED_* bits of op and its sub-operators. */
unsigned rule_op_needs(const struct rule_op *op);

/* Build from an OpenSnitch "operator" object.  No I/O: an OP_LISTS
 * operator comes back with list == NULL (see rule_op_load_lists).
 * 0 and *out; -EINVAL with a reason in err on anything we cannot honour. */
int rule_op_compile(const struct json_object *obj, struct rule_op **out,
		    char *err, size_t errlen);
void rule_op_free(struct rule_op *op);
/* Load the list directories of every OP_LISTS operator in op (recursive
 * through OP_LIST).  Blocking I/O.  0 or -errno with a reason in err. */
int rule_op_load_lists(struct rule_op *op, char *err, size_t errlen);
/* Every OP_LISTS directory in op, resolved (realpath), must lie strictly
 * under root (itself resolved; "" allows none).  0, or -EPERM / -errno
 * with a reason naming the directory in err. */
int rule_op_lists_under(const struct rule_op *op, const char *root,
			char *err, size_t errlen);
/* Whether op or any operator under it reads operand opd. */
bool rule_op_uses(const struct rule_op *op, enum rule_operand opd);
/* Serialise back to an OpenSnitch 1.8 "operator" object (new reference). */
struct json_object *rule_op_to_json(const struct rule_op *op);

/* Per-evaluation cache of operand text, so 1,000 rules format dest.ip
 * once.  Zero it (match_cache_init) before each ruleset evaluation. */
struct match_cache {
	uint64_t have;			/* bit per enum rule_operand */
	const char *val[OPD_COUNT];
	size_t len[OPD_COUNT];
	char ip_dst[46], ip_src[46], port_dst[8], port_src[8], proto[16];
	char pid[16], uid[16];
	char host[256];			/* normalised dest.host for lists */
	int host_len;			/* -1 unusable, 0 not computed */
	char command[4097];		/* PROC_CMDLINE_MAX + NUL */
};

void match_cache_init(struct match_cache *c);
/* The text of a string operand for ctx (NULL when unknown), computed
 * once per cache.  Not for OPD_PROC_ENV, OPD_TRUE or address-only
 * operands. */
const char *match_operand_text(enum rule_operand o, const struct rule_ctx *ctx,
			       struct match_cache *c, size_t *len);
/* Case-folded hash (ASCII), the key of the ruleset's equality index. */
uint64_t match_hash_lower(const char *s, size_t len);
/* The simple, indexable equality operator every match of op requires:
 * op itself, or for "list" the first such sub-operator; NULL if none. */
const struct rule_op *rule_op_index_key(const struct rule_op *op);
/* 1 when op matches ctx, 0 otherwise. */
int rule_op_match(const struct rule_op *op, const struct rule_ctx *ctx,
		  struct match_cache *c);

#endif
