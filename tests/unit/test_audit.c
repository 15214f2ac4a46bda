/* test_audit.c - audit rule encoding (against go-libaudit's kernel-listed
 * bytes), the default rule set, diagnostics, and, as root, the live
 * control socket and multicast reader.
 *
 * Live tests touch only rules keyed "tattle-test-<pid>" and restore
 * enabled/backlog_limit in their teardown.  Not root: skipped.  Root with
 * CI=true: audit must work, or the tests fail instead of skipping. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <cmocka.h>

#include "audit.h"

#define RULE_FIXED	sizeof(struct audit_rule_data)
#define GOLDEN_MAX	8

/* ---- go-libaudit golden files: YAML with base64 rule bytes ---- */

struct golden {
	size_t n;
	size_t len[GOLDEN_MAX];
	uint8_t bytes[GOLDEN_MAX][2048];
};

static const char *data_dir(void)
{
	const char *d = getenv("TATTLE_TEST_DATA");

	return d ? d : "tests/data";
}

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Appends the base64 in line to out; '=' and spaces are skipped. */
static void b64_append(const char *line, uint8_t *out, size_t cap,
		       size_t *len, uint32_t *acc, int *bits)
{
	for (; *line; line++) {
		int v = b64_val((unsigned char)*line);

		if (v < 0)
			continue;
		*acc = (*acc << 6) | (uint32_t)v;
		*bits += 6;
		if (*bits >= 8) {
			*bits -= 8;
			assert_true(*len < cap);
			out[(*len)++] = (uint8_t)(*acc >> *bits);
		}
	}
}

/* Reads every "bytes: !!binary |" block of a golden file. */
static void golden_load(const char *name, struct golden *g)
{
	char path[512], line[512];
	uint32_t acc = 0;
	int bits = 0, in = 0;
	FILE *f;

	memset(g, 0, sizeof(*g));
	snprintf(path, sizeof(path), "%s/go-libaudit/rules/%s", data_dir(),
		 name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "bytes: !!binary")) {
			assert_true(g->n < GOLDEN_MAX);
			in = 1;
			acc = 0;
			bits = 0;
			g->n++;
		} else if (in && !strncmp(line, "    ", 4)) {
			b64_append(line, g->bytes[g->n - 1],
				   sizeof(g->bytes[0]), &g->len[g->n - 1],
				   &acc, &bits);
		} else {
			in = 0;
		}
	}
	fclose(f);
}

/* The kernel lists rules padded to 4 bytes (netlink alignment); the
 * encoder emits the exact fixed part + key.  Everything past our length
 * must be that zero padding. */
static void assert_golden_equal(const struct golden *g, size_t i,
				const uint8_t *buf, int n)
{
	size_t k;

	assert_true(n > 0);
	assert_true(g->len[i] >= (size_t)n && g->len[i] < (size_t)n + 4);
	assert_memory_equal(g->bytes[i], buf, (size_t)n);
	for (k = (size_t)n; k < g->len[i]; k++)
		assert_int_equal(g->bytes[i][k], 0);
}

static void decode_golden(const char *file, size_t i,
			  struct audit_rule_view *v, struct golden *g)
{
	golden_load(file, g);
	assert_true(i < g->n);
	assert_int_equal(audit_rule_decode(g->bytes[i], g->len[i], v), 0);
}

/* ---- Pure: mask, encoder ---- */

static void test_mask_sets_bit_nr_mod_32_of_word_nr_div_32(void **state)
{
	uint32_t mask[AUDIT_BITMASK_SIZE] = { 0 };

	(void)state;
	assert_int_equal(audit_mask_set(mask, 42), 0);
	assert_int_equal(audit_mask_set(mask, 0), 0);
	assert_int_equal(audit_mask_set(mask, 2047), 0);
	assert_int_equal(mask[0], 1u);
	assert_int_equal(mask[1], 1u << 10);
	assert_int_equal(mask[63], 1u << 31);
	assert_true(audit_mask_test(mask, 42));
	assert_false(audit_mask_test(mask, 43));
}

static void test_mask_rejects_syscall_past_2047(void **state)
{
	uint32_t mask[AUDIT_BITMASK_SIZE] = { 0 };

	(void)state;
	assert_int_equal(audit_mask_set(mask, 2048), -EINVAL);
	assert_false(audit_mask_test(mask, 2048));
}

/* -a always,exit -F arch=b64 -S connect,accept,listen,bind -F a2=16
 *  -F saddr_fam=<fam> -F success=1 -F key=<key> */
static void spec_network(struct audit_rule_spec *s, uint32_t a2,
			 uint32_t fam, const char *key)
{
	memset(s, 0, sizeof(*s));
	s->list = AUDIT_FILTER_EXIT;
	s->action = AUDIT_ALWAYS;
	s->arch = AUDIT_ARCH_X86_64;
	s->nsyscalls = 4;
	s->syscalls[0] = 42;
	s->syscalls[1] = 43;
	s->syscalls[2] = 50;
	s->syscalls[3] = 49;
	s->nfields = 3;
	s->fields[0] = (struct audit_rule_field){ AUDIT_ARG2, AUDIT_EQUAL, a2 };
	s->fields[1] = (struct audit_rule_field){ AUDIT_SADDR_FAM, AUDIT_EQUAL,
						  fam };
	s->fields[2] = (struct audit_rule_field){ AUDIT_SUCCESS, AUDIT_EQUAL,
						  1 };
	s->key = key;
}

static void test_encode_matches_kernel_bytes_network_v4(void **state)
{
	static struct golden g;
	struct audit_rule_spec s;
	uint8_t buf[AUDIT_RULE_MAX_BYTES];
	int n;

	(void)state;
	golden_load("71-networking.rules.golden.yml", &g);
	assert_int_equal(g.n, 3);
	spec_network(&s, 16, 2, "network-v4");
	n = audit_rule_encode(&s, buf, sizeof(buf));
	assert_int_equal(n, RULE_FIXED + strlen("network-v4"));
	assert_golden_equal(&g, 1, buf, n);
}

static void test_encode_matches_kernel_bytes_network_v6(void **state)
{
	static struct golden g;
	struct audit_rule_spec s;
	uint8_t buf[AUDIT_RULE_MAX_BYTES];

	(void)state;
	golden_load("71-networking.rules.golden.yml", &g);
	spec_network(&s, 24, 10, "network-v6");
	assert_golden_equal(&g, 2, buf,
			    audit_rule_encode(&s, buf, sizeof(buf)));
}

static void test_encode_matches_kernel_bytes_syscalls_only(void **state)
{
	static struct golden g;
	struct audit_rule_spec s = {
		.list = AUDIT_FILTER_EXIT, .action = AUDIT_ALWAYS,
		.arch = AUDIT_ARCH_X86_64, .nsyscalls = 2,
		.syscalls = { 43, 42 }, .key = "external-access",
	};
	uint8_t buf[AUDIT_RULE_MAX_BYTES];

	(void)state;
	golden_load("71-networking.rules.golden.yml", &g);
	assert_golden_equal(&g, 0, buf,
			    audit_rule_encode(&s, buf, sizeof(buf)));
}

static void test_encode_puts_key_last_in_buf_without_nul(void **state)
{
	struct audit_rule_spec s = {
		.list = AUDIT_FILTER_EXIT, .action = AUDIT_ALWAYS,
		.arch = AUDIT_ARCH_I386, .nsyscalls = 1, .syscalls = { 102 },
		.nfields = 1,
		.fields = { { AUDIT_PID, AUDIT_NOT_EQUAL, 4242 } },
		.key = "abc",
	};
	uint8_t buf[AUDIT_RULE_MAX_BYTES];
	struct audit_rule_data d;
	int n;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	n = audit_rule_encode(&s, buf, sizeof(buf));
	assert_int_equal(n, RULE_FIXED + 3);
	memcpy(&d, buf, RULE_FIXED);
	assert_int_equal(d.field_count, 3);
	assert_int_equal(d.fields[0], AUDIT_ARCH);
	assert_int_equal(d.values[0], AUDIT_ARCH_I386);
	assert_int_equal(d.fields[1], AUDIT_PID);
	assert_int_equal(d.fieldflags[1], AUDIT_NOT_EQUAL);
	assert_int_equal(d.values[1], 4242);
	assert_int_equal(d.fields[2], AUDIT_FILTERKEY);
	assert_int_equal(d.values[2], 3);
	assert_int_equal(d.buflen, 3);
	assert_memory_equal(buf + RULE_FIXED, "abc", 3);
	assert_int_equal(buf[RULE_FIXED + 3], 0xee);	/* untouched */
}

static void test_encode_rejects_empty_key(void **state)
{
	struct audit_rule_spec s = { .list = AUDIT_FILTER_EXIT, .key = "" };
	uint8_t buf[AUDIT_RULE_MAX_BYTES];

	(void)state;
	assert_int_equal(audit_rule_encode(&s, buf, sizeof(buf)), -EINVAL);
}

static void test_encode_rejects_small_buffer(void **state)
{
	struct audit_rule_spec s = { .list = AUDIT_FILTER_EXIT, .key = "k" };
	uint8_t buf[AUDIT_RULE_MAX_BYTES];

	(void)state;
	assert_int_equal(audit_rule_encode(&s, buf, RULE_FIXED), -ENOSPC);
}

static void test_encode_rejects_syscall_out_of_range(void **state)
{
	struct audit_rule_spec s = { .list = AUDIT_FILTER_EXIT, .nsyscalls = 1,
				     .syscalls = { 4000 } };
	uint8_t buf[AUDIT_RULE_MAX_BYTES];

	(void)state;
	assert_int_equal(audit_rule_encode(&s, buf, sizeof(buf)), -EINVAL);
}

/* Bits 2032..2047 select syscall classes; the kernel rewrites them. */
static void test_encode_rejects_syscall_class_bits(void **state)
{
	struct audit_rule_spec s = { .list = AUDIT_FILTER_EXIT, .nsyscalls = 1,
				     .syscalls = { 2032 } };
	uint8_t buf[AUDIT_RULE_MAX_BYTES];

	(void)state;
	assert_int_equal(audit_rule_encode(&s, buf, sizeof(buf)), -EINVAL);
	s.syscalls[0] = 2031;
	assert_true(audit_rule_encode(&s, buf, sizeof(buf)) > 0);
}

/* ---- Pure: default rule set ---- */

struct want_rule {
	uint32_t arch;
	uint16_t syscalls[AUDIT_SPEC_SYSCALLS_MAX];
	uint32_t field;
	uint32_t value;
};

static const struct want_rule want_default[] = {
	{ AUDIT_ARCH_X86_64, { 41 }, AUDIT_ARG0, 2 },
	{ AUDIT_ARCH_X86_64, { 41 }, AUDIT_ARG0, 10 },
	{ AUDIT_ARCH_X86_64, { 42, 44, 46, 307 }, AUDIT_SADDR_FAM, 2 },
	{ AUDIT_ARCH_X86_64, { 42, 44, 46, 307 }, AUDIT_SADDR_FAM, 10 },
	{ AUDIT_ARCH_I386, { 359 }, AUDIT_ARG0, 2 },
	{ AUDIT_ARCH_I386, { 359 }, AUDIT_ARG0, 10 },
	{ AUDIT_ARCH_I386, { 102 }, AUDIT_ARG0, 1 },
	{ AUDIT_ARCH_I386, { 362, 369, 370, 345, 102 }, AUDIT_SADDR_FAM, 2 },
	{ AUDIT_ARCH_I386, { 362, 369, 370, 345, 102 }, AUDIT_SADDR_FAM, 10 },
	{ AUDIT_ARCH_X86_64, { 426 }, AUDIT_SADDR_FAM, 2 },
	{ AUDIT_ARCH_X86_64, { 426 }, AUDIT_SADDR_FAM, 10 },
	{ AUDIT_ARCH_I386, { 426 }, AUDIT_SADDR_FAM, 2 },
	{ AUDIT_ARCH_I386, { 426 }, AUDIT_SADDR_FAM, 10 },
};
#define N_DEFAULT (sizeof(want_default) / sizeof(want_default[0]))
#define N_URING 2	/* last: the io_uring list, after execve */

static void assert_rule_like(const struct audit_rule_spec *s,
			     const struct want_rule *w, pid_t own)
{
	unsigned k, nsys = 0;

	assert_int_equal(s->list, AUDIT_FILTER_EXIT);
	assert_int_equal(s->action, AUDIT_ALWAYS);
	assert_int_equal(s->arch, w->arch);
	while (nsys < AUDIT_SPEC_SYSCALLS_MAX && w->syscalls[nsys])
		nsys++;
	assert_int_equal(s->nsyscalls, nsys);
	for (k = 0; k < nsys; k++)
		assert_int_equal(s->syscalls[k], w->syscalls[k]);
	assert_int_equal(s->nfields, 2);
	assert_int_equal(s->fields[0].id, AUDIT_PID);
	assert_int_equal(s->fields[0].op, AUDIT_NOT_EQUAL);
	assert_int_equal(s->fields[0].value, (uint32_t)own);
	assert_int_equal(s->fields[1].id, w->field);
	assert_int_equal(s->fields[1].op, AUDIT_EQUAL);
	assert_int_equal(s->fields[1].value, w->value);
}

static void test_default_rules_per_arch(void **state)
{
	struct audit_setup o = { .own_pid = 4321 };
	struct audit_rule_spec r[AUDIT_RULES_MAX];
	size_t i;

	(void)state;
	assert_int_equal(audit_rules_build(&o, r, AUDIT_RULES_MAX),
			 N_DEFAULT + N_URING);
	for (i = 0; i < N_DEFAULT; i++) {
		assert_rule_like(&r[i], &want_default[i], 4321);
		assert_string_equal(r[i].key, AUDIT_KEY_DEFAULT);
	}
}

/* io_uring: the URING_EXIT list, no arch, op numbers in the mask, one
 * rule per address family; encoded without an arch field. */
static void test_uring_rules_have_no_arch_and_op_mask(void **state)
{
	static const uint16_t ops[] = { 9, 16, 26, 47, 48 };
	struct audit_setup o = { .own_pid = 4321 };
	struct audit_rule_spec r[AUDIT_RULES_MAX];
	uint8_t buf[AUDIT_RULE_MAX_BYTES];
	struct audit_rule_view v;
	size_t i, k;
	int len;

	(void)state;
	assert_int_equal(audit_rules_build(&o, r, AUDIT_RULES_MAX),
			 N_DEFAULT + N_URING);
	for (i = N_DEFAULT; i < N_DEFAULT + N_URING; i++) {
		assert_int_equal(r[i].list, AUDIT_FILTER_URING_EXIT);
		assert_int_equal(r[i].arch, 0);
		assert_int_equal(r[i].nsyscalls, 5);
		for (k = 0; k < 5; k++)
			assert_int_equal(r[i].syscalls[k], ops[k]);
		assert_int_equal(r[i].fields[0].id, AUDIT_PID);
		assert_int_equal(r[i].fields[1].id, AUDIT_SADDR_FAM);
		assert_int_equal(r[i].fields[1].value, i == N_DEFAULT ? 2 : 10);
		len = audit_rule_encode(&r[i], buf, sizeof(buf));
		assert_true(len > 0);
		assert_int_equal(audit_rule_decode(buf, (size_t)len, &v), 0);
		assert_int_equal(v.list, AUDIT_FILTER_URING_EXIT);
		for (k = 0; k < v.field_count; k++)
			assert_int_not_equal(v.fields[k], AUDIT_ARCH);
		assert_true(audit_mask_test(v.mask, 16));
		assert_false(audit_mask_test(v.mask, 42));
	}
}

static void test_default_rules_add_execve_on_request(void **state)
{
	struct audit_setup o = { .own_pid = 7, .with_execve = true,
				 .key = "k1" };
	struct audit_rule_spec r[AUDIT_RULES_MAX];

	(void)state;
	assert_int_equal(audit_rules_build(&o, r, AUDIT_RULES_MAX),
			 N_DEFAULT + 2 + N_URING);
	assert_int_equal(r[N_DEFAULT].arch, AUDIT_ARCH_X86_64);
	assert_int_equal(r[N_DEFAULT].syscalls[0], 59);
	assert_int_equal(r[N_DEFAULT].nfields, 1);	/* pid!= only */
	assert_int_equal(r[N_DEFAULT + 1].arch, AUDIT_ARCH_I386);
	assert_int_equal(r[N_DEFAULT + 1].syscalls[0], 11);
	assert_string_equal(r[N_DEFAULT + 1].key, "k1");
}

static void test_default_rules_omit_pid_field_without_own_pid(void **state)
{
	struct audit_setup o = { 0 };
	struct audit_rule_spec r[AUDIT_RULES_MAX];

	(void)state;
	assert_int_equal(audit_rules_build(&o, r, AUDIT_RULES_MAX),
			 N_DEFAULT + N_URING);
	assert_int_equal(r[0].nfields, 1);
	assert_int_equal(r[0].fields[0].id, AUDIT_ARG0);
}

static void test_default_rules_reject_keys_that_would_be_hex(void **state)
{
	static const char *const bad[] = { "", "a b", "q\"", "tab\t" };
	struct audit_rule_spec r[AUDIT_RULES_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct audit_setup o = { .key = bad[i] };

		assert_int_equal(audit_rules_build(&o, r, AUDIT_RULES_MAX),
				 -EINVAL);
	}
}

static void test_default_rules_need_room(void **state)
{
	struct audit_setup o = { 0 };
	struct audit_rule_spec r[4];

	(void)state;
	assert_int_equal(audit_rules_build(&o, r, 4), -ENOSPC);
}

static void test_default_rules_encode(void **state)
{
	struct audit_setup o = { .own_pid = 99, .with_execve = true };
	struct audit_rule_spec r[AUDIT_RULES_MAX];
	uint8_t buf[AUDIT_RULE_MAX_BYTES];
	struct audit_rule_view v;
	int i, n, len;

	(void)state;
	n = audit_rules_build(&o, r, AUDIT_RULES_MAX);
	for (i = 0; i < n; i++) {
		len = audit_rule_encode(&r[i], buf, sizeof(buf));
		assert_int_equal(len, RULE_FIXED + strlen(AUDIT_KEY_DEFAULT));
		assert_int_equal(audit_rule_decode(buf, (size_t)len, &v), 0);
		assert_true(audit_mask_test(v.mask, r[i].syscalls[0]));
		assert_int_equal(v.key_len, strlen(AUDIT_KEY_DEFAULT));
	}
}

/* ---- Pure: decoder ---- */

static void test_decode_finds_key_and_drops_padding(void **state)
{
	static struct golden g;
	struct audit_rule_view v;

	(void)state;
	decode_golden("71-networking.rules.golden.yml", 1, &v, &g);
	assert_int_equal(v.list, AUDIT_FILTER_EXIT);
	assert_int_equal(v.action, AUDIT_ALWAYS);
	assert_int_equal(v.field_count, 5);
	assert_int_equal(v.len, RULE_FIXED + 10);
	assert_int_equal(v.key_len, 10);
	assert_memory_equal(v.key, "network-v4", 10);
}

static void test_decode_skips_other_string_fields(void **state)
{
	static struct golden g;
	struct audit_rule_view v;

	(void)state;
	/* -a never,user -F subj_type=crond_t: a string, but not a key */
	decode_golden("20-dont-audit.rules.golden.yml", 0, &v, &g);
	assert_null(v.key);
	assert_int_equal(v.len, RULE_FIXED + 7);
}

static void test_decode_rejects_short_rule(void **state)
{
	uint8_t buf[RULE_FIXED] = { 0 };
	struct audit_rule_view v;

	(void)state;
	assert_int_equal(audit_rule_decode(buf, RULE_FIXED - 1, &v), -EBADMSG);
}

static void test_decode_rejects_buflen_past_end(void **state)
{
	static struct golden g;
	struct audit_rule_view v;

	(void)state;
	golden_load("71-networking.rules.golden.yml", &g);
	/* cut inside the key */
	assert_int_equal(audit_rule_decode(g.bytes[1], RULE_FIXED + 5, &v),
			 -EBADMSG);
}

static void test_decode_rejects_string_past_buflen(void **state)
{
	static struct golden g;
	struct audit_rule_data d;
	struct audit_rule_view v;

	(void)state;
	golden_load("71-networking.rules.golden.yml", &g);
	memcpy(&d, g.bytes[1], RULE_FIXED);
	d.values[4] = 11;	/* key length 11 > buflen 10 */
	memcpy(g.bytes[1], &d, RULE_FIXED);
	assert_int_equal(audit_rule_decode(g.bytes[1], g.len[1], &v), -EBADMSG);
}

/* ---- Pure: diagnostics ---- */

static size_t ours_build(struct audit_rule_spec *r)
{
	struct audit_setup o = { .own_pid = 1 };

	return (size_t)audit_rules_build(&o, r, AUDIT_RULES_MAX);
}

static void view_from_spec(const struct audit_rule_spec *s,
			   struct audit_rule_view *v, uint8_t *buf)
{
	int n = audit_rule_encode(s, buf, AUDIT_RULE_MAX_BYTES);

	assert_true(n > 0);
	assert_int_equal(audit_rule_decode(buf, (size_t)n, v), 0);
}

static int check_golden(const char *file, size_t i)
{
	static struct golden g;
	struct audit_rule_spec r[AUDIT_RULES_MAX];
	struct audit_rule_view v;
	struct audit_diag d;
	size_t n = ours_build(r);
	int hit;

	audit_diag_clear(&d);
	decode_golden(file, i, &v, &g);
	hit = audit_rule_check(&v, r, n, &d);
	assert_int_equal(d.n, (unsigned)hit);
	return hit;
}

static void test_diag_ignores_never_rule_with_other_fields(void **state)
{
	(void)state;
	/* never,exit arch=x86_64 -S adjtimex -F auid=unset -F uid=20 ... */
	assert_int_equal(check_golden("20-dont-audit.rules.golden.yml", 1), 0);
}

static void test_diag_ignores_never_rule_on_other_syscalls(void **state)
{
	(void)state;
	/* never,exit -F arch=b64 -S rt_sigreturn */
	assert_int_equal(check_golden("70-einval.rules.golden.yml", 0), 0);
}

static void test_diag_ignores_exclude_of_other_msgtype(void **state)
{
	(void)state;
	/* always,exclude -F msgtype=CRYPTO_KEY_USER */
	assert_int_equal(check_golden("20-dont-audit.rules.golden.yml", 2), 0);
}

static void test_diag_warns_exclude_without_msgtype(void **state)
{
	(void)state;
	/* exclude,always -F exe=/bin/ls: drops every record of ls */
	assert_int_equal(check_golden("20-dont-audit.rules.golden.yml", 3), 1);
}

static void test_diag_warns_never_rule_on_connect(void **state)
{
	struct audit_rule_spec r[AUDIT_RULES_MAX];
	struct audit_rule_spec f = {
		.list = AUDIT_FILTER_EXIT, .action = AUDIT_NEVER,
		.arch = AUDIT_ARCH_X86_64, .nsyscalls = 1, .syscalls = { 42 },
		.key = "quiet",
	};
	uint8_t buf[AUDIT_RULE_MAX_BYTES];
	struct audit_rule_view v;
	struct audit_diag d;

	(void)state;
	audit_diag_clear(&d);
	view_from_spec(&f, &v, buf);
	assert_int_equal(audit_rule_check(&v, r, ours_build(r), &d), 1);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.msg[0], "syscall 42"));
	assert_non_null(strstr(d.msg[0], "quiet"));
}

static void test_diag_ignores_never_rule_for_other_arch(void **state)
{
	struct audit_rule_spec r[AUDIT_RULES_MAX];
	/* i386 syscall 42 is pipe: same number, not ours */
	struct audit_rule_spec f = {
		.list = AUDIT_FILTER_EXIT, .action = AUDIT_NEVER,
		.arch = AUDIT_ARCH_I386, .nsyscalls = 1, .syscalls = { 42 },
	};
	uint8_t buf[AUDIT_RULE_MAX_BYTES];
	struct audit_rule_view v;
	struct audit_diag d;

	(void)state;
	audit_diag_clear(&d);
	view_from_spec(&f, &v, buf);
	assert_int_equal(audit_rule_check(&v, r, ours_build(r), &d), 0);
}

static int check_exclude(uint32_t op, uint32_t value)
{
	struct audit_rule_spec r[AUDIT_RULES_MAX];
	struct audit_rule_view v;
	struct audit_diag d;

	memset(&v, 0, sizeof(v));
	v.list = AUDIT_FILTER_EXCLUDE;
	v.action = AUDIT_ALWAYS;
	v.field_count = 1;
	v.fields[0] = AUDIT_MSGTYPE;
	v.fieldflags[0] = op;
	v.values[0] = value;
	audit_diag_clear(&d);
	return audit_rule_check(&v, r, ours_build(r), &d);
}

static void test_diag_warns_exclude_of_syscall_type(void **state)
{
	(void)state;
	assert_int_equal(check_exclude(AUDIT_EQUAL, AUDIT_SYSCALL), 1);
}

static void test_diag_warns_exclude_of_sockaddr_range(void **state)
{
	(void)state;
	/* msgtype>=1301 still covers SOCKADDR (1306) */
	assert_int_equal(check_exclude(AUDIT_GREATER_THAN_OR_EQUAL, 1301), 1);
}

static void test_diag_ignores_exclude_of_eoe(void **state)
{
	(void)state;
	assert_int_equal(check_exclude(AUDIT_EQUAL, AUDIT_EOE), 0);
}

static void test_diag_list_is_bounded(void **state)
{
	struct audit_rule_spec r[AUDIT_RULES_MAX];
	struct audit_rule_view v;
	struct audit_diag d;
	size_t n = ours_build(r);
	unsigned i;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.list = AUDIT_FILTER_EXCLUDE;	/* no fields: excludes everything */
	audit_diag_clear(&d);
	for (i = 0; i < AUDIT_DIAG_MAX + 3; i++)
		assert_int_equal(audit_rule_check(&v, r, n, &d), 1);
	assert_int_equal(d.n, AUDIT_DIAG_MAX);
	assert_int_equal(d.dropped, 3);
	assert_true(strlen(d.msg[AUDIT_DIAG_MAX - 1]) < AUDIT_DIAG_LEN);
}

/* ---- Live (root) ---- */

/* The state found before any live test; every test's teardown puts it
 * back if the code under test did not, and fails that test. */
/* The state found before any live test; every test's teardown puts it
 * back if the code under test did not, and fails that test. */
struct group {
	bool have;
	struct audit_status orig;
	int rules;		/* foreign rules present at the start */
};

struct live {
	struct group *g;
	struct audit_ctl *c;
	struct audit_mc *m;
	struct audit_status before;
	char key[64];
};

static bool ci_mode(void)
{
	const char *v = getenv("CI");

	return v && !strcmp(v, "true");
}

static int group_setup(void **state)
{
	struct group *g = calloc(1, sizeof(*g));
	struct audit_ctl *c;

	if (!g)
		return -1;
	*state = g;
	if (geteuid() != 0)
		return 0;
	c = audit_ctl_open();
	g->have = c && audit_ctl_status(c, &g->orig) == 0 &&
		  (g->rules = audit_ctl_count_key(c, NULL)) >= 0;
	audit_ctl_close(c);
	return g->have || !ci_mode() ? 0 : -1;
}

/* Someone else (a tattled under test, say) added rules since we started:
 * enabled and backlog_limit are then theirs to restore, not ours. */
static bool others_active(const struct group *g, struct audit_ctl *c,
			  const char *key)
{
	int all = audit_ctl_count_key(c, NULL);
	int ours = key ? audit_ctl_count_key(c, key) : 0;

	return all < 0 || ours < 0 || all - ours > g->rules;
}

/* 0 if enabled and backlog_limit are as found (or another audit user is
 * active); else restores them and returns -1. */
static int restore_orig(const struct group *g, struct audit_ctl *c,
			const char *key)
{
	struct audit_status st;

	if (audit_ctl_status(c, &st) < 0)
		return -1;
	if (st.backlog_limit == g->orig.backlog_limit &&
	    (st.enabled == g->orig.enabled || st.enabled == 2))
		return 0;
	if (others_active(g, c, key)) {
		print_message("audit: state changed while another audit user "
			      "is active; leaving it to them\n");
		return 0;
	}
	if (st.backlog_limit != g->orig.backlog_limit)
		audit_ctl_set(c, AUDIT_STATUS_BACKLOG_LIMIT,
			      g->orig.backlog_limit);
	if (st.enabled != g->orig.enabled && st.enabled != 2)
		audit_ctl_set(c, AUDIT_STATUS_ENABLED, g->orig.enabled);
	return -1;
}

static int group_teardown(void **state)
{
	struct group *g = *state;
	struct audit_ctl *c;
	int r = 0;

	if (g && g->have) {
		c = audit_ctl_open();
		r = c ? restore_orig(g, c, NULL) : -1;
		audit_ctl_close(c);
	}
	free(g);
	return r;
}

/* Not root: *state = NULL and the test skips.  Root: audit must be there,
 * unless outside CI, where a kernel without audit also skips. */
static int live_setup(void **state)
{
	struct group *g = *state;
	struct live *l;

	*state = NULL;
	if (!g || !g->have)
		return geteuid() == 0 && ci_mode() ? -1 : 0;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -1;
	l->g = g;
	snprintf(l->key, sizeof(l->key), "tattle-test-%d", (int)getpid());
	l->c = audit_ctl_open();
	if (!l->c || audit_ctl_status(l->c, &l->before) < 0) {
		audit_ctl_close(l->c);
		free(l);
		return -1;
	}
	*state = l;
	return 0;
}

/* Runs on failure too: no rule with our key, enabled/backlog as found. */
static int live_teardown(void **state)
{
	struct live *l = *state;
	int r;

	if (!l)
		return 0;
	audit_mc_close(l->m);
	audit_ctl_teardown(l->c);
	r = audit_ctl_purge_key(l->c, l->key) == 0 &&
	    audit_ctl_count_key(l->c, l->key) == 0 ? 0 : -1;
	if (restore_orig(l->g, l->c, l->key) < 0)
		r = -1;
	audit_ctl_close(l->c);
	free(l);
	return r;
}

static struct live *live_get(void **state)
{
	if (!*state)
		skip();
	return *state;
}

static int live_install(struct live *l, pid_t own)
{
	struct audit_setup o = { .key = l->key, .own_pid = own };
	struct audit_diag d;
	unsigned i;
	int r;

	r = audit_ctl_setup(l->c, &o, &d);
	for (i = 0; i < d.n; i++)
		print_message("audit diag: %s\n", d.msg[i]);
	return r;
}

static void test_live_status_is_sane(void **state)
{
	struct live *l = live_get(state);

	assert_in_range(l->before.enabled, 0, 2);
	assert_true(l->before.backlog_limit > 0);
}

static void test_live_setup_installs_all_rules(void **state)
{
	struct live *l = live_get(state);
	struct audit_status st;

	if (l->before.enabled == 2)
		skip();
	assert_int_equal(live_install(l, getpid()), 0);
	assert_int_equal(audit_ctl_count_key(l->c, l->key), (N_DEFAULT + N_URING));
	assert_int_equal(audit_ctl_status(l->c, &st), 0);
	assert_true(st.enabled == 1);
	if (st.pid == 0)
		assert_true(st.backlog_limit >= AUDIT_BACKLOG_DEFAULT);
}

static void test_live_teardown_restores_everything(void **state)
{
	struct live *l = live_get(state);
	struct audit_status st;

	if (l->before.enabled == 2)
		skip();
	assert_int_equal(live_install(l, getpid()), 0);
	assert_int_equal(audit_ctl_teardown(l->c), 0);
	assert_int_equal(audit_ctl_count_key(l->c, l->key), 0);
	assert_int_equal(audit_ctl_status(l->c, &st), 0);
	assert_int_equal(st.enabled, l->before.enabled);
	assert_int_equal(st.backlog_limit, l->before.backlog_limit);
}

/* Another run still relies on the settings: teardown deletes our rules
 * and leaves enabled and backlog_limit as setup made them. */
static void test_live_keep_settings_deletes_only_rules(void **state)
{
	struct live *l = live_get(state);
	struct audit_setup o = { .key = l->key, .own_pid = getpid() };
	struct audit_status raised, st;
	struct audit_diag d;

	if (l->before.enabled == 2 || l->before.pid != 0)
		skip();		/* locked, or auditd's backlog: not raised */
	/* Above what the host has, so that the raise is ours to keep. */
	o.backlog_limit = l->before.backlog_limit + 1000;
	assert_int_equal(audit_ctl_setup(l->c, &o, &d), 0);
	assert_int_equal(audit_ctl_status(l->c, &raised), 0);
	assert_int_equal(raised.backlog_limit, o.backlog_limit);
	audit_ctl_keep_settings(l->c);
	assert_int_equal(audit_ctl_teardown(l->c), 0);
	assert_int_equal(audit_ctl_count_key(l->c, l->key), 0);
	assert_int_equal(audit_ctl_status(l->c, &st), 0);
	/* Put back what we found before asserting, so a failure does not
	 * leave the host changed. */
	(void)audit_ctl_set(l->c, AUDIT_STATUS_BACKLOG_LIMIT,
			    l->before.backlog_limit);
	(void)audit_ctl_set(l->c, AUDIT_STATUS_ENABLED, l->before.enabled);
	assert_int_equal(st.enabled, 1);
	assert_int_equal(st.backlog_limit, raised.backlog_limit);
}

/* A crashed run left rules with our key but another pid: a new setup
 * replaces them instead of adding a second set. */
static void test_live_setup_replaces_stale_rules(void **state)
{
	struct live *l = live_get(state);
	struct audit_ctl *crashed;
	struct audit_setup o = { .key = l->key, .own_pid = 1 };
	struct audit_diag d;

	if (l->before.enabled == 2)
		skip();
	assert_int_equal(live_install(l, getpid()), 0);
	crashed = audit_ctl_open();
	assert_non_null(crashed);
	assert_int_equal(audit_ctl_setup(crashed, &o, &d), 0);
	assert_int_equal(d.ours_listed, (N_DEFAULT + N_URING));
	audit_ctl_close(crashed);	/* no teardown: the "crash" */
	assert_int_equal(audit_ctl_count_key(l->c, l->key), (N_DEFAULT + N_URING));
	assert_int_equal(live_install(l, getpid()), 0);
	assert_int_equal(audit_ctl_count_key(l->c, l->key), (N_DEFAULT + N_URING));
}

static void test_live_setup_twice_does_not_duplicate(void **state)
{
	struct live *l = live_get(state);

	if (l->before.enabled == 2)
		skip();
	assert_int_equal(live_install(l, getpid()), 0);
	assert_int_equal(live_install(l, getpid()), 0);
	assert_int_equal(audit_ctl_count_key(l->c, l->key), (N_DEFAULT + N_URING));
}

/* The running kernel lists our rules byte for byte as we encode them
 * (like the 6.5 golden file), so a second setup keeps them in place. */
static void test_live_kernel_lists_our_encoding(void **state)
{
	struct live *l = live_get(state);
	struct audit_setup o = { .key = l->key, .own_pid = getpid() };
	struct audit_diag d;

	if (l->before.enabled == 2)
		skip();
	assert_int_equal(live_install(l, getpid()), 0);
	assert_int_equal(audit_ctl_setup(l->c, &o, &d), 0);
	assert_int_equal(d.ours_listed, (N_DEFAULT + N_URING));
	assert_int_equal(d.ours_current, (N_DEFAULT + N_URING));
}

struct seen {
	char pid_pat[32];	/* " pid=N " */
	char key_pat[96];	/* key="K" */
	char own_pat[32];	/* our own pid */
	bool found;
	bool found_our_key;
	bool own_seen;
	bool marker_seen;
};

static bool has(const char *t, size_t n, const char *pat)
{
	return memmem(t, n, pat, strlen(pat)) != NULL;
}

static void on_record(uint16_t type, const char *text, size_t len,
		      void *data)
{
	struct seen *s = data;

	if (has(text, len, "tattle-spoof"))
		s->marker_seen = true;
	if (type != AUDIT_SYSCALL)
		return;
	/* The exit list is first-match: a rule added before ours (another
	 * tattled on this machine) logs the event under its key. */
	if (has(text, len, s->pid_pat) && has(text, len, " syscall=42 ")) {
		s->found = true;
		s->found_our_key = has(text, len, s->key_pat);
	}
	if (has(text, len, s->own_pat) && has(text, len, s->key_pat))
		s->own_seen = true;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Drains until stop() says so or ms pass. */
static void drain_for(struct audit_mc *m, struct seen *s, unsigned ms,
		      bool (*stop)(const struct seen *, struct audit_mc *))
{
	uint64_t end = now_ms() + ms;
	struct pollfd p = { .fd = audit_mc_fd(m), .events = POLLIN };

	while (now_ms() < end && !(stop && stop(s, m))) {
		(void)poll(&p, 1, 50);
		assert_true(audit_mc_drain(m, on_record, s, 64) >= 0);
	}
}

static bool found_child(const struct seen *s, struct audit_mc *m)
{
	(void)m;
	return s->found;
}

/* A loopback port bound but not listening: connect() is refused, and
 * nobody else can take the port while fd is open. */
static int refused_port(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)sin, sizeof(*sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sin, &len), 0);
	return fd;
}

static void connect_once(const struct sockaddr_in *sin)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd >= 0) {
		(void)connect(fd, (const struct sockaddr *)sin, sizeof(*sin));
		close(fd);
	}
}

static pid_t child_connect(const struct sockaddr_in *sin)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		connect_once(sin);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static void seen_init(struct seen *s, const struct live *l, pid_t child)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->pid_pat, sizeof(s->pid_pat), " pid=%d ", (int)child);
	snprintf(s->own_pat, sizeof(s->own_pat), " pid=%d ", (int)getpid());
	snprintf(s->key_pat, sizeof(s->key_pat), "key=\"%s\"", l->key);
}

static void test_live_child_connect_is_reported(void **state)
{
	struct live *l = live_get(state);
	struct sockaddr_in sin;
	struct seen s;
	int port_fd;
	pid_t child;

	if (l->before.enabled == 2)
		skip();
	l->m = audit_mc_open(0);
	assert_non_null(l->m);
	assert_int_equal(live_install(l, getpid()), 0);
	port_fd = refused_port(&sin);
	child = child_connect(&sin);
	seen_init(&s, l, child);
	drain_for(l->m, &s, 2000, found_child);
	close(port_fd);
	assert_true(s.found);
	/* Another key can only come from a foreign rule that matched first
	 * (another audit user on this machine); without one it is ours. */
	if (!s.found_our_key)
		print_message("audit: child's connect logged under a foreign "
			      "key (an earlier rule matched first)\n");
}

static void test_live_own_pid_is_not_reported(void **state)
{
	struct live *l = live_get(state);
	struct sockaddr_in sin;
	struct seen s;
	int port_fd;
	pid_t child;

	if (l->before.enabled == 2)
		skip();
	l->m = audit_mc_open(0);
	assert_non_null(l->m);
	assert_int_equal(live_install(l, getpid()), 0);
	port_fd = refused_port(&sin);
	connect_once(&sin);		/* ours: excluded by pid!= */
	child = child_connect(&sin);	/* proves the rules were live */
	seen_init(&s, l, child);
	drain_for(l->m, &s, 2000, found_child);
	drain_for(l->m, &s, 300, NULL);	/* stragglers from other CPUs */
	close(port_fd);
	assert_true(s.found);
	assert_false(s.own_seen);
}

/* A second netlink socket (nl_pid != 0) sending to group 1. */
static void send_to_group(size_t payload_len, unsigned count)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	size_t total = NLMSG_HDRLEN + payload_len;
	struct nlmsghdr *nlh = calloc(1, total);
	unsigned i;
	int fd;

	assert_non_null(nlh);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
	nlh->nlmsg_len = (uint32_t)total;
	nlh->nlmsg_type = AUDIT_SYSCALL;
	memset((char *)nlh + NLMSG_HDRLEN, 'x', payload_len);
	memcpy((char *)nlh + NLMSG_HDRLEN, "audit(1.0:1): tattle-spoof", 26);
	for (i = 0; i < count; i++)
		assert_int_equal(sendto(fd, nlh, total, 0,
					(struct sockaddr *)&to, sizeof(to)),
				 (ssize_t)total);
	close(fd);
	free(nlh);
}

static bool spoof_counted(const struct seen *s, struct audit_mc *m)
{
	struct audit_mc_stats st;

	(void)s;
	assert_int_equal(audit_mc_stats(m, &st), 0);
	return st.spoofed > 0;
}

static void test_live_spoofed_datagram_is_dropped(void **state)
{
	struct live *l = live_get(state);
	struct audit_mc_stats st;
	struct seen s;

	l->m = audit_mc_open(0);
	assert_non_null(l->m);
	seen_init(&s, l, 0);
	send_to_group(64, 1);
	drain_for(l->m, &s, 1000, spoof_counted);
	assert_int_equal(audit_mc_stats(l->m, &st), 0);
	assert_int_equal(st.spoofed, 1);
	assert_false(s.marker_seen);
}

static bool truncated_counted(const struct seen *s, struct audit_mc *m)
{
	struct audit_mc_stats st;

	(void)s;
	assert_int_equal(audit_mc_stats(m, &st), 0);
	return st.truncated > 0;
}

static void test_live_oversized_datagram_is_counted_truncated(void **state)
{
	struct live *l = live_get(state);
	struct audit_mc_stats st;
	struct seen s;

	l->m = audit_mc_open(0);
	assert_non_null(l->m);
	seen_init(&s, l, 0);
	send_to_group(AUDIT_MC_BUF_SIZE + 1000, 1);
	drain_for(l->m, &s, 1000, truncated_counted);
	assert_int_equal(audit_mc_stats(l->m, &st), 0);
	assert_int_equal(st.truncated, 1);
	assert_false(s.marker_seen);
}

static void test_live_overrun_is_counted(void **state)
{
	struct live *l = live_get(state);
	struct audit_mc_stats st;
	struct seen s;

	/* The smallest buffer the kernel allows fills after a few
	 * datagrams; the rest are dropped and reported. */
	l->m = audit_mc_open(1);
	assert_non_null(l->m);
	seen_init(&s, l, 0);
	send_to_group(512, 64);
	drain_for(l->m, &s, 300, NULL);
	assert_int_equal(audit_mc_stats(l->m, &st), 0);
	assert_true(st.enobufs >= 1);
	assert_true(st.sk_drops >= 1);
	assert_true(st.spoofed < 64);
}

int main(void)
{
#define T(t) cmocka_unit_test(t)
#define LIVE(t) cmocka_unit_test_setup_teardown(t, live_setup, live_teardown)
	const struct CMUnitTest tests[] = {
		T(test_mask_sets_bit_nr_mod_32_of_word_nr_div_32),
		T(test_mask_rejects_syscall_past_2047),
		T(test_encode_matches_kernel_bytes_network_v4),
		T(test_encode_matches_kernel_bytes_network_v6),
		T(test_encode_matches_kernel_bytes_syscalls_only),
		T(test_encode_puts_key_last_in_buf_without_nul),
		T(test_encode_rejects_empty_key),
		T(test_encode_rejects_small_buffer),
		T(test_encode_rejects_syscall_out_of_range),
		T(test_encode_rejects_syscall_class_bits),
		T(test_default_rules_per_arch),
		T(test_uring_rules_have_no_arch_and_op_mask),
		T(test_default_rules_add_execve_on_request),
		T(test_default_rules_omit_pid_field_without_own_pid),
		T(test_default_rules_reject_keys_that_would_be_hex),
		T(test_default_rules_need_room),
		T(test_default_rules_encode),
		T(test_decode_finds_key_and_drops_padding),
		T(test_decode_skips_other_string_fields),
		T(test_decode_rejects_short_rule),
		T(test_decode_rejects_buflen_past_end),
		T(test_decode_rejects_string_past_buflen),
		T(test_diag_ignores_never_rule_with_other_fields),
		T(test_diag_ignores_never_rule_on_other_syscalls),
		T(test_diag_ignores_exclude_of_other_msgtype),
		T(test_diag_warns_exclude_without_msgtype),
		T(test_diag_warns_never_rule_on_connect),
		T(test_diag_ignores_never_rule_for_other_arch),
		T(test_diag_warns_exclude_of_syscall_type),
		T(test_diag_warns_exclude_of_sockaddr_range),
		T(test_diag_ignores_exclude_of_eoe),
		T(test_diag_list_is_bounded),
		LIVE(test_live_status_is_sane),
		LIVE(test_live_setup_installs_all_rules),
		LIVE(test_live_teardown_restores_everything),
		LIVE(test_live_keep_settings_deletes_only_rules),
		LIVE(test_live_setup_replaces_stale_rules),
		LIVE(test_live_setup_twice_does_not_duplicate),
		LIVE(test_live_kernel_lists_our_encoding),
		LIVE(test_live_child_connect_is_reported),
		LIVE(test_live_own_pid_is_not_reported),
		LIVE(test_live_spoofed_datagram_is_dropped),
		LIVE(test_live_oversized_datagram_is_counted_truncated),
		LIVE(test_live_overrun_is_counted),
	};
#undef LIVE
#undef T
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
