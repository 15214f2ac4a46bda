/* test_aurec_diff.c - differential test of aurec against libauparse: every
 * record of the corpora goes through both, and the fields the daemon uses
 * must agree.  libauparse interprets values (uid -> name, exit -> errno
 * name), so numbers are compared raw and strings in AUPARSE_ESC_RAW. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <auparse.h>

#include "aurec.h"

#define GO "tests/data/go-libaudit/"

static const char *const corpora[] = {
	GO "auparse/audit-rhel6.log", GO "auparse/audit-rhel7.log",
	GO "auparse/audit-ubuntu14.log", GO "auparse/audit-ubuntu16.log",
	GO "auparse/audit-ubuntu17.log", GO "auparse/test2.log",
	GO "auparse/test3.log", GO "reassembly/normal.log",
	GO "reassembly/lost_messages.log", GO "reassembly/out_of_order.log",
	GO "reassembly/rollover.log",
	"tests/data/kernel-6.18/audit-capture-6.18.jsonl",
};

struct tally {
	int records, compared, disagree, truncated, eoe;
};

static void keep(const struct audit_event *ev, void *data)
{
	*(struct audit_event *)data = *ev;
}

/* What aurec makes of one record on its own. */
static void aurec_one(uint16_t type, const char *text, size_t len,
		      struct audit_event *ev)
{
	struct aurec_asm_opts o = { .max_inflight = 1, .on_event = keep,
				    .data = ev };
	struct aurec_asm *a = aurec_asm_new(&o);

	assert_non_null(a);
	memset(ev, 0, sizeof(*ev));
	ev->serial = 0xdeadbeef;
	assert_int_equal(aurec_asm_push(a, type, text, len, 0), 0);
	aurec_asm_flush(a);
	assert_int_not_equal(ev->serial, 0xdeadbeef);
	aurec_asm_free(a);
}

static void disagree(struct tally *t, const char *where, const char *field,
		     const char *ours, const char *theirs)
{
	t->disagree++;
	print_message("DIFF %s %s: aurec '%s' libauparse '%s'\n", where, field,
		      ours, theirs);
}

/* Compares a field both sides have; absent on the auparse side is skipped
 * (auparse_find_field is first-match, aurec keeps SYSCALL's value). */
static void cmp(struct tally *t, auparse_state_t *au, const char *where,
		const char *name, const char *ours, bool interpret)
{
	const char *theirs;

	auparse_first_record(au);
	if (!auparse_find_field(au, name))
		return;
	theirs = interpret ? auparse_interpret_field(au) :
			     auparse_get_field_str(au);
	if (!theirs)
		return;
	t->compared++;
	/* comm[17] holds the kernel's 16 bytes; user records (SYSTEM_BOOT's
	 * comm="systemd-update-utmp") can carry more: cut and flagged */
	if (!strcmp(name, "comm") && strlen(ours) == 16 &&
	    !strncmp(ours, theirs, 16)) {
		t->truncated++;
		return;
	}
	if (strcmp(ours, theirs))
		disagree(t, where, name, ours, theirs);
}

/* auparse: "{ saddr_fam=inet laddr=127.0.0.1 lport=9 }" */
static void cmp_saddr(struct tally *t, auparse_state_t *au, const char *where,
		      const struct audit_event *ev)
{
	char ours[256], ip[INET6_ADDRSTRLEN];
	const char *theirs;
	uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff };

	auparse_first_record(au);
	if (!auparse_find_field(au, "saddr") ||
	    !(theirs = auparse_interpret_field(au)))
		return;
	if (ev->family == 2 && strstr(theirs, "saddr_fam=inet6")) {
		/* aurec reports ::ffff:a.b.c.d as AF_INET on purpose */
		memcpy(mapped + 12, ev->addr, 4);
		inet_ntop(AF_INET6, mapped, ip, sizeof(ip));
		snprintf(ours, sizeof(ours),
			 "{ saddr_fam=inet6 laddr=%s lport=%u }", ip, ev->port);
	} else if (ev->family == 2) {
		inet_ntop(AF_INET, ev->addr, ip, sizeof(ip));
		snprintf(ours, sizeof(ours),
			 "{ saddr_fam=inet laddr=%s lport=%u }", ip, ev->port);
	} else if (ev->family == 10) {
		inet_ntop(AF_INET6, ev->addr, ip, sizeof(ip));
		snprintf(ours, sizeof(ours),
			 "{ saddr_fam=inet6 laddr=%s lport=%u }", ip, ev->port);
	} else if (ev->family == 1) {
		/* libauparse drops the abstract marker (the leading NUL):
		 * compare the name, aurec's unix_abstract is checked apart */
		snprintf(ours, sizeof(ours), "{ saddr_fam=local path=%s }",
			 ev->path);
	} else if (ev->family == 16) {
		snprintf(ours, sizeof(ours),
			 "{ saddr_fam=netlink nlnk-fam=16 nlnk-pid=%u }",
			 ev->nl_pid);
	} else {
		snprintf(ours, sizeof(ours), "unknown-family(%d)", ev->family);
	}
	t->compared++;
	if (strcmp(ours, theirs))
		disagree(t, where, "saddr", ours, theirs);
}

static void compare_record(struct tally *t, const char *where, uint16_t type,
			   const char *text, size_t len)
{
	char line[70000], num[32];
	const char *name = aurec_type_name(type);
	struct audit_event *ev = malloc(sizeof(*ev));
	auparse_state_t *au;
	int n;

	assert_non_null(ev);
	aurec_one(type, text, len, ev);
	if (name)
		n = snprintf(line, sizeof(line), "type=%s msg=%.*s\n", name,
			     (int)len, text);
	else
		n = snprintf(line, sizeof(line), "type=UNKNOWN[%u] msg=%.*s\n",
			     type, (int)len, text);
	assert_true(n > 0 && (size_t)n < sizeof(line));
	au = auparse_init(AUSOURCE_BUFFER, line);
	assert_non_null(au);
	auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
	t->records++;
	if (type == AUREC_T_EOE) {
		/* libauparse takes a lone EOE as an event terminator and
		 * yields no event for it; aurec's view is checked in
		 * test_aurec (empty body, ends the event) */
		assert_int_equal(ev->nrecords, 1);
		t->eoe++;
		goto out;
	}
	if (auparse_next_event(au) <= 0) {
		disagree(t, where, "record", "parsed", "not parsed");
		goto out;
	}
	if (auparse_get_type(au) != type) {
		snprintf(num, sizeof(num), "%u", type);
		disagree(t, where, "type", num, "other");
	}
	t->compared += 2;
	if (auparse_get_serial(au) != ev->serial)
		disagree(t, where, "serial", "ours", "theirs");
	if (type == AUREC_T_SYSCALL) {
		snprintf(num, sizeof(num), "%d", ev->syscall);
		cmp(t, au, where, "syscall", num, false);
		cmp(t, au, where, "success", ev->success ? "yes" : "no", false);
		snprintf(num, sizeof(num), "%lld", (long long)ev->exit);
		cmp(t, au, where, "exit", num, false);
		snprintf(num, sizeof(num), "%d", ev->ppid);
		cmp(t, au, where, "ppid", num, false);
	}
	if (ev->pid >= 0) {
		snprintf(num, sizeof(num), "%d", ev->pid);
		cmp(t, au, where, "pid", num, false);
	}
	if (ev->uid != UINT32_MAX) {
		snprintf(num, sizeof(num), "%u", ev->uid);
		cmp(t, au, where, "uid", num, false);
	}
	if (type == AUREC_T_SYSCALL || ev->comm[0])
		cmp(t, au, where, "comm", ev->comm, true);
	if (type == AUREC_T_SYSCALL || ev->exe[0])
		cmp(t, au, where, "exe", ev->exe, true);
	if (type == AUREC_T_SOCKADDR)
		cmp_saddr(t, au, where, ev);
out:
	auparse_destroy(au);
	free(ev);
}

static void run_corpus(const char *path, struct tally *t)
{
	static char payload[70000];
	char where[300], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(path, "r");
	int lineno = 0;

	assert_non_null(f);
	while ((n = getline(&line, &cap, f)) > 0) {
		const char *text;
		size_t len;
		uint16_t type;
		int r;

		lineno++;
		if (line[0] == '{')
			r = aurec_jsonl(line, (size_t)n, payload,
					sizeof(payload), &type, &text, &len);
		else
			r = aurec_logline(line, (size_t)n, &type, &text, &len);
		assert_int_equal(r, 0);
		{
			struct aurec_hdr h;
			struct aurec_iter it;

			if (aurec_hdr_parse(text, len, &h, &it) < 0)
				continue;	/* rhel7:31 `msg=?`, no header */
		}
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		compare_record(t, where, type, text, len);
	}
	free(line);
	fclose(f);
}

static void test_every_record_agrees_with_libauparse(void **state)
{
	struct tally t = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(corpora) / sizeof(corpora[0]); i++)
		run_corpus(corpora[i], &t);
	print_message("%d records (%d lone EOE), %d fields compared, "
		      "%d disagreements, %d comm cut to 16 bytes\n",
		      t.records, t.eoe, t.compared, t.disagree, t.truncated);
	assert_true(t.records > 600);
	assert_int_equal(t.disagree, 0);
}

/* Record type names: ours must be what libauparse maps them to. */
static void test_type_names_agree_with_libauparse(void **state)
{
	char line[128];
	unsigned t;
	int checked = 0, unknown = 0;

	(void)state;
	for (t = 1000; t < 3000; t++) {
		const char *name = aurec_type_name((uint16_t)t);
		auparse_state_t *au;

		if (!name || t == AUREC_T_EOE)	/* a lone EOE is no event */
			continue;
		snprintf(line, sizeof(line),
			 "type=%s msg=audit(1.002:3): x=1\n", name);
		au = auparse_init(AUSOURCE_BUFFER, line);
		assert_non_null(au);
		assert_int_equal(auparse_next_event(au), 1);
		if (auparse_get_type(au) < 0) {
			/* libaudit 3.0.9's table lacks a few newer names */
			print_message("libauparse does not know %s (%u)\n",
				      name, t);
			unknown++;
		} else if (auparse_get_type(au) != (int)t) {
			fail_msg("%s: aurec %u libauparse %d", name, t,
				 auparse_get_type(au));
		} else {
			checked++;
		}
		auparse_destroy(au);
	}
	print_message("%d names agree, %d unknown to libauparse\n", checked,
		      unknown);
	assert_true(checked > 100);
	assert_true(unknown < 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_record_agrees_with_libauparse),
		cmocka_unit_test(test_type_names_agree_with_libauparse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
