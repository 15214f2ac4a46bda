/* rule_oracle.h - the reference a rule's match is checked against, shared
 * by the rules unit tests and fuzz_rules. */
#ifndef RULE_ORACLE_H
#define RULE_ORACLE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "match.h"
#include "rules.h"

/* Whether r alone, enabled or not, matches ctx at now, without the
 * ruleset's index: its operator compiled again from rule_to_json() and
 * tested with rule_op_match() directly (the oracle for ruleset_match). */
static inline bool plain_match(const struct rule *r, const struct rule_ctx *ctx,
			       uint64_t now)
{
	struct json_object *o = rule_to_json(r), *jop;
	struct rule_op *op = NULL;
	struct match_cache c;
	char err[256];
	bool hit = false;

	if (o && json_object_object_get_ex(o, "operator", &jop) &&
	    rule_op_compile(jop, &op, err, sizeof(err)) == 0) {
		match_cache_init(&c);
		hit = !rule_expired(r, now) && rule_op_match(op, ctx, &c) == 1;
	} else {
		abort();	/* rule_to_json's operator must compile again */
	}
	rule_op_free(op);
	json_object_put(o);
	return hit;
}

#endif
