/* audit_status.c - tattle audit-status: see audit_status.h. */
#include "audit_status.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "auditref.h"
#include "jsonw.h"

static void audit_status_usage(FILE *out)
{
	fprintf(out, "usage: tattle audit-status [--key KEY] [--purge]\n"
		"  print kernel audit state as JSON: enabled, backlog_limit, lost,\n"
		"  auditd pid, rule counts (all, and with KEY, default \"%s\")\n"
		"  --purge  after a crash: delete every audit rule carrying KEY and\n"
		"           restore the audit settings the crashed tattled found\n",
		AUDIT_KEY_DEFAULT);
}

/* After a crash: delete the rules with key, and put back the settings the
 * crashed run found (tattled saves them in /run/tattle/audit-KEY.state),
 * unless another live tattled still uses them (auditref.h): then the
 * last of those restores them at its exit. */
static void audit_status_purge(struct audit_ctl *c, const char *key)
{
	struct auditref_self me = { .dir = AUDITREF_DIR, .key = key,
				    .pid = getpid() };
	struct auditref_view v;
	unsigned en, bl;
	char path[512];
	FILE *f = NULL;
	int lock;

	lock = auditref_lock(AUDITREF_DIR);
	if (audit_ctl_purge_key(c, key) < 0)
		fprintf(stderr, "tattle: audit: purge %s failed\n", key);
	snprintf(path, sizeof(path), "%s/audit-%s.state", AUDITREF_DIR, key);
	if (auditref_scan(&me, "/proc", &v) == 0 && v.live > 0) {
		fprintf(stderr, "tattle: audit: settings left as they are: %u "
			"running tattled still use%s them\n", v.live,
			v.live == 1 ? "s" : "");
		(void)unlink(path);
		goto out;
	}
	f = fopen(path, "re");
	if (!f)
		goto out;
	if (fscanf(f, "enabled %u backlog_limit %u", &en, &bl) == 2 &&
	    audit_ctl_set(c, AUDIT_STATUS_BACKLOG_LIMIT, bl) == 0 &&
	    audit_ctl_set(c, AUDIT_STATUS_ENABLED, en) == 0)
		(void)unlink(path);
	else
		fprintf(stderr, "tattle: audit: cannot restore %s\n", path);
out:
	if (f)
		fclose(f);
	auditref_unlock(lock);
}

/* ,"warnings":[...]: what would blind tattled (locked audit, foreign
 * rules hiding its events), as the daemon reports them at start. */
static void audit_status_warnings(struct audit_ctl *c, const char *key)
{
	struct audit_diag diag;
	char buf[AUDIT_DIAG_LEN * 2 + 8];
	struct jw w;
	unsigned i;

	if (audit_ctl_diagnose(c, key, &diag) < 0)
		return;
	printf(",\"warnings\":[");
	for (i = 0; i < diag.n; i++) {
		jw_init(&w, buf, sizeof(buf));
		jw_str(&w, diag.msg[i]);
		if (jw_finish(&w) > 0) {
			buf[w.len - 1] = '\0';	/* drop the newline */
			printf("%s%s", i ? "," : "", buf);
		}
	}
	printf("]");
}

int audit_status_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "purge", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = AUDIT_KEY_DEFAULT;
	struct audit_status st;
	struct audit_ctl *c;
	bool purge = false;
	int opt, all, ours, r = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			key = optarg;
			break;
		case 'p':
			purge = true;
			break;
		case 'h':
			audit_status_usage(stdout);
			return 0;
		default:
			audit_status_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		audit_status_usage(stderr);
		return 2;
	}
	c = audit_ctl_open();
	if (!c) {
		fprintf(stderr, "tattle: audit: %s\n", strerror(errno));
		return 1;
	}
	if (purge)
		audit_status_purge(c, key);
	if (audit_ctl_status(c, &st) < 0 ||
	    (all = audit_ctl_count_key(c, NULL)) < 0 ||
	    (ours = audit_ctl_count_key(c, key)) < 0) {
		fprintf(stderr, "tattle: audit: cannot read status (needs root)\n");
		goto out;
	}
	printf("{\"enabled\":%u,\"backlog_limit\":%u,\"lost\":%u,\"backlog\":%u,"
	       "\"auditd_pid\":%u,\"rules\":%d,\"rules_with_key\":%d",
	       st.enabled, st.backlog_limit, st.lost, st.backlog, st.pid, all, ours);
	audit_status_warnings(c, key);
	printf("}\n");
	r = 0;
out:
	audit_ctl_close(c);
	return r;
}
