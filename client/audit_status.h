#ifndef TATTLE_AUDIT_STATUS_H
#define TATTLE_AUDIT_STATUS_H
/* tattle audit-status [--key KEY] [--purge]: the kernel audit state as one
 * JSON line (enabled, backlog_limit, lost, auditd pid, rules in all and
 * with KEY).  --purge deletes every rule with KEY and restores the audit
 * settings a crashed tattled saved (cleanup after a crash).
 * Needs CAP_AUDIT_CONTROL. */
int audit_status_main(int argc, char **argv);
#endif
