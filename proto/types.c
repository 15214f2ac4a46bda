/* types.c - see types.h: the one name table of each enum. */
#include "types.h"

#include <errno.h>
#include <string.h>

static const char *const action_names[ACTION_COUNT] = {
	[ACTION_ALLOW] = "allow",
	[ACTION_DENY] = "deny",
	[ACTION_REJECT] = "reject",
};

static const char *const reason_names[REASON_COUNT] = {
	[REASON_DEFAULT] = "default",
	[REASON_RULE] = "rule",
	[REASON_PROMPT] = "prompt",
	[REASON_PROMPT_TIMEOUT] = "prompt-timeout",
	[REASON_OWN_TRAFFIC] = "own-traffic",
	[REASON_FAIL_CLOSED] = "fail-closed",
	[REASON_UNATTRIBUTED] = "unattributed",
	[REASON_PROMPT_REFUSED] = "prompt-refused",
};

static const char *const source_names[ATTRIB_SRC_COUNT] = {
	[ATTRIB_SRC_NONE] = "none",
	[ATTRIB_SRC_BPF] = "bpf",
	[ATTRIB_SRC_INODE_CACHE] = "inode-cache",
	[ATTRIB_SRC_AUDIT_FD] = "audit-fd",
	[ATTRIB_SRC_AUDIT_DST] = "audit-dst",
	[ATTRIB_SRC_PROC_SCAN] = "proc-scan",
};

static const char *const confidence_names[ATTRIB_CONF_COUNT] = {
	[ATTRIB_CONF_NONE] = "none",
	[ATTRIB_CONF_EXACT] = "exact",
	[ATTRIB_CONF_INFERRED] = "inferred",
};

static const char *const scope_names[PROMPT_SCOPE_COUNT] = {
	[PROMPT_SCOPE_EXE] = "exe",
	[PROMPT_SCOPE_EXE_HOST] = "exe+host",
	[PROMPT_SCOPE_EXE_IP_PORT] = "exe+ip+port",
};

static const char *name_of(const char *const *names, unsigned n, unsigned v)
{
	return v < n ? names[v] : "?";
}

static int index_of(const char *const *names, unsigned n, const char *s,
		    size_t len)
{
	unsigned i;

	for (i = 0; s && i < n; i++) {
		if (strlen(names[i]) == len && !memcmp(names[i], s, len))
			return (int)i;
	}
	return -EINVAL;
}

const char *action_name(enum action a)
{
	return name_of(action_names, ACTION_COUNT, a);
}

const char *verdict_reason_name(enum verdict_reason r)
{
	return name_of(reason_names, REASON_COUNT, r);
}

const char *attrib_source_name(enum attrib_source s)
{
	return name_of(source_names, ATTRIB_SRC_COUNT, s);
}

const char *attrib_confidence_name(enum attrib_confidence c)
{
	return name_of(confidence_names, ATTRIB_CONF_COUNT, c);
}

const char *prompt_scope_name(enum prompt_scope s)
{
	return name_of(scope_names, PROMPT_SCOPE_COUNT, s);
}

int action_parse(const char *s, size_t len, enum action *out)
{
	int i = index_of(action_names, ACTION_COUNT, s, len);

	if (i < 0)
		return i;
	*out = (enum action)i;
	return 0;
}

int prompt_scope_parse(const char *s, size_t len, enum prompt_scope *out)
{
	int i = index_of(scope_names, PROMPT_SCOPE_COUNT, s, len);

	if (i < 0)
		return i;
	*out = (enum prompt_scope)i;
	return 0;
}
