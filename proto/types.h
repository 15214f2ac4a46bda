/* types.h - the decision vocabulary shared by the daemon, the wire and the
 * client: what a verdict is, why it was made, where the process came from
 * and how sure we are, what an answered prompt covers.
 *
 * Each enum has ONE name table (types.c).  Code passes the enums around
 * and turns them into text only where JSON is written (event.c, stats,
 * config.get) or read (ctl.c, config.c).  Never compare the names. */
#ifndef TATTLE_TYPES_H
#define TATTLE_TYPES_H

#include <stddef.h>

/* A verdict.  Zero is allow, the built-in default action. */
enum action {
	ACTION_ALLOW,
	ACTION_DENY,
	ACTION_REJECT,
};
#define ACTION_COUNT (ACTION_REJECT + 1)

/* Why a connection got its verdict (event "reason"). */
enum verdict_reason {
	REASON_DEFAULT,		/* no rule matched, nobody asked */
	REASON_RULE,
	REASON_PROMPT,		/* a person answered */
	REASON_PROMPT_TIMEOUT,
	REASON_OWN_TRAFFIC,
	REASON_FAIL_CLOSED,
	REASON_UNATTRIBUTED,	/* no rule matched, no process known:
				 * unattributed_action */
	REASON_PROMPT_REFUSED,	/* no rule matched, a prompter is there but
				 * this connection could not be asked about
				 * (tables or quotas full): deny */
};
#define REASON_COUNT (REASON_PROMPT_REFUSED + 1)

/* Where the process behind a packet was found (attribution.source).  Zero
 * is "none", so an unset result says nothing is known. */
enum attrib_source {
	ATTRIB_SRC_NONE,
	ATTRIB_SRC_BPF,		/* eBPF record made in the sender's context */
	ATTRIB_SRC_INODE_CACHE,	/* sock_diag inode -> cached pid */
	ATTRIB_SRC_AUDIT_FD,	/* audit (pid, fd) -> readlink */
	ATTRIB_SRC_AUDIT_DST,	/* audit destination index (inferred) */
	ATTRIB_SRC_PROC_SCAN,	/* /proc fd scan */
};
#define ATTRIB_SRC_COUNT (ATTRIB_SRC_PROC_SCAN + 1)

/* How sure the attribution is (attribution.confidence).  Zero is none. */
enum attrib_confidence {
	ATTRIB_CONF_NONE,
	ATTRIB_CONF_EXACT,
	ATTRIB_CONF_INFERRED,
};
#define ATTRIB_CONF_COUNT (ATTRIB_CONF_INFERRED + 1)

/* What an answered prompt's rule covers (prompt.answer "scope"). */
enum prompt_scope {
	PROMPT_SCOPE_EXE,		/* this executable, any destination */
	PROMPT_SCOPE_EXE_HOST,		/* ... and this host name */
	PROMPT_SCOPE_EXE_IP_PORT,	/* ... and this ip, port, protocol */
};
#define PROMPT_SCOPE_COUNT (PROMPT_SCOPE_EXE_IP_PORT + 1)

/* Names as they appear on the wire.  An out-of-range value gets "?". */
const char *action_name(enum action a);
const char *verdict_reason_name(enum verdict_reason r);
const char *attrib_source_name(enum attrib_source s);
const char *attrib_confidence_name(enum attrib_confidence c);
const char *prompt_scope_name(enum prompt_scope s);

/* Parse exactly len bytes of s (no NUL needed).  0 and *out, or -EINVAL. */
int action_parse(const char *s, size_t len, enum action *out);
int prompt_scope_parse(const char *s, size_t len, enum prompt_scope *out);

#endif
