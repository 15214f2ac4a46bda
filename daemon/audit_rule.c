/* audit_rule.c - audit rules in binary struct audit_rule_data form:
 * the syscall mask, the encoder and decoder, our default rule set (pure,
 * no I/O).  See audit.h. */
#include "audit.h"

#include <errno.h>
#include <string.h>

#define RULE_FIXED	sizeof(struct audit_rule_data)
#define SYS_SOCKET_CALL	1	/* socketcall(2) call number of socket() */
/* The top AUDIT_SYSCALL_CLASSES mask bits select syscall classes: the
 * kernel replaces them with the class members, so no syscall may use them. */
#define SYSCALL_NR_LIMIT (AUDIT_BITMASK_SIZE * 32 - AUDIT_SYSCALL_CLASSES)

/* ---- Syscall mask, encoder, decoder (pure) ---- */

int audit_mask_set(uint32_t mask[AUDIT_BITMASK_SIZE], unsigned nr)
{
	if (nr >= AUDIT_BITMASK_SIZE * 32)
		return -EINVAL;
	mask[nr / 32] |= 1u << (nr % 32);
	return 0;
}

bool audit_mask_test(const uint32_t mask[AUDIT_BITMASK_SIZE], unsigned nr)
{
	if (nr >= AUDIT_BITMASK_SIZE * 32)
		return false;
	return mask[nr / 32] & (1u << (nr % 32));
}

static void rule_put_field(struct audit_rule_data *d, uint32_t id,
			   uint32_t op, uint32_t value)
{
	d->fields[d->field_count] = id;
	d->fieldflags[d->field_count] = op;
	d->values[d->field_count] = value;
	d->field_count++;
}

int audit_rule_encode(const struct audit_rule_spec *spec, uint8_t *buf,
		      size_t size)
{
	struct audit_rule_data d;
	size_t klen = spec->key ? strlen(spec->key) : 0;
	unsigned i;

	if (spec->nsyscalls > AUDIT_SPEC_SYSCALLS_MAX ||
	    spec->nfields > AUDIT_SPEC_FIELDS_MAX ||
	    klen > AUDIT_MAX_KEY_LEN || (spec->key && klen == 0))
		return -EINVAL;
	if (size < RULE_FIXED + klen)
		return -ENOSPC;
	memset(&d, 0, sizeof(d));
	d.flags = spec->list;
	d.action = spec->action;
	for (i = 0; i < spec->nsyscalls; i++)
		if (spec->syscalls[i] >= SYSCALL_NR_LIMIT ||
		    audit_mask_set(d.mask, spec->syscalls[i]) < 0)
			return -EINVAL;
	/* io_uring rules carry no arch: an op runs in an io-wq or SQPOLL
	 * thread whose audit context has no syscall arch to compare. */
	if (spec->arch)
		rule_put_field(&d, AUDIT_ARCH, AUDIT_EQUAL, spec->arch);
	for (i = 0; i < spec->nfields; i++)
		rule_put_field(&d, spec->fields[i].id, spec->fields[i].op,
			       spec->fields[i].value);
	if (spec->key) {
		/* The value of a string field is its length; the bytes go
		 * to buf in field order, without NUL. */
		rule_put_field(&d, AUDIT_FILTERKEY, AUDIT_EQUAL, klen);
		d.buflen = klen;
	}
	memcpy(buf, &d, RULE_FIXED);
	if (klen)
		memcpy(buf + RULE_FIXED, spec->key, klen);
	return (int)(RULE_FIXED + klen);
}

/* Fields whose value is the length of a string stored in buf (kernel
 * audit_krule_to_data()). */
static bool field_is_string(uint32_t id)
{
	switch (id) {
	case AUDIT_SUBJ_USER: case AUDIT_SUBJ_ROLE: case AUDIT_SUBJ_TYPE:
	case AUDIT_SUBJ_SEN: case AUDIT_SUBJ_CLR:
	case AUDIT_OBJ_USER: case AUDIT_OBJ_ROLE: case AUDIT_OBJ_TYPE:
	case AUDIT_OBJ_LEV_LOW: case AUDIT_OBJ_LEV_HIGH:
	case AUDIT_WATCH: case AUDIT_DIR: case AUDIT_FILTERKEY:
	case AUDIT_EXE:
		return true;
	default:
		return false;
	}
}

int audit_rule_decode(const uint8_t *buf, size_t len,
		      struct audit_rule_view *v)
{
	struct audit_rule_data d;
	size_t off = 0;
	uint32_t i;

	memset(v, 0, sizeof(*v));
	if (len < RULE_FIXED)
		return -EBADMSG;
	memcpy(&d, buf, RULE_FIXED);
	if (d.field_count > AUDIT_MAX_FIELDS || d.buflen > len - RULE_FIXED)
		return -EBADMSG;
	for (i = 0; i < d.field_count; i++) {
		if (!field_is_string(d.fields[i]))
			continue;
		if (d.values[i] > d.buflen - off)
			return -EBADMSG;
		if (d.fields[i] == AUDIT_FILTERKEY && !v->key) {
			v->key = (const char *)buf + RULE_FIXED + off;
			v->key_len = d.values[i];
		}
		off += d.values[i];
	}
	v->list = d.flags & ~(uint32_t)AUDIT_FILTER_PREPEND;
	v->action = d.action;
	v->field_count = d.field_count;
	memcpy(v->mask, d.mask, sizeof(v->mask));
	memcpy(v->fields, d.fields, sizeof(v->fields));
	memcpy(v->values, d.values, sizeof(v->values));
	memcpy(v->fieldflags, d.fieldflags, sizeof(v->fieldflags));
	v->len = RULE_FIXED + d.buflen;
	return 0;
}

bool audit_rule_has_key(const struct audit_rule_view *v, const char *key)
{
	size_t klen = strlen(key);

	return v->key && v->key_len == klen && !memcmp(v->key, key, klen);
}

/* ---- Default rule set ---- */

int audit_key_valid(const char *key)
{
	size_t i, n = strlen(key);

	if (n == 0 || n > AUDIT_MAX_KEY_LEN)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)key[i];

		if (ch < 0x21 || ch > 0x7e || ch == '"')
			return -EINVAL;
	}
	return 0;
}

struct rule_tmpl {
	uint32_t arch;			/* 0: none (io_uring list) */
	uint16_t syscalls[AUDIT_SPEC_SYSCALLS_MAX];	/* 0-terminated; on
					 * the io_uring list, op numbers */
	uint32_t field;			/* 0 (AUDIT_PID) = no extra field */
	uint32_t value;
	bool execve;
};

#if defined(__x86_64__)
/* Why these:
 * - socket() with a0 = AF_INET / AF_INET6 learns (pid, fd) before the
 *   first packet; the kernel ANDs a rule's fields, so one rule per family.
 * - connect/sendto/sendmsg/sendmmsg with saddr_fam: the kernel only knows
 *   a sockaddr when the caller passed one (move_addr_to_kernel() ->
 *   audit_sockaddr()), so AF_UNIX and connected sends never match.
 * - i386 socketcall(102) reaches the same __sys_connect()/__sys_sendto()
 *   code, so saddr_fam works there too.  Its a0 is the call number, not
 *   the family, so socket() via socketcall is audited for every family
 *   (a0 = SYS_SOCKET); aurec filters by the SOCKETCALL record.  32-bit
 *   processes are rare, so the cost is small. */
static const struct rule_tmpl default_tmpl[] = {
	{ AUDIT_ARCH_X86_64, { 41 }, AUDIT_ARG0, 2, false },
	{ AUDIT_ARCH_X86_64, { 41 }, AUDIT_ARG0, 10, false },
	{ AUDIT_ARCH_X86_64, { 42, 44, 46, 307 }, AUDIT_SADDR_FAM, 2, false },
	{ AUDIT_ARCH_X86_64, { 42, 44, 46, 307 }, AUDIT_SADDR_FAM, 10, false },
	{ AUDIT_ARCH_I386, { 359 }, AUDIT_ARG0, 2, false },
	{ AUDIT_ARCH_I386, { 359 }, AUDIT_ARG0, 10, false },
	{ AUDIT_ARCH_I386, { 102 }, AUDIT_ARG0, SYS_SOCKET_CALL, false },
	{ AUDIT_ARCH_I386, { 362, 369, 370, 345, 102 }, AUDIT_SADDR_FAM, 2,
	  false },
	{ AUDIT_ARCH_I386, { 362, 369, 370, 345, 102 }, AUDIT_SADDR_FAM, 10,
	  false },
	/* io_uring (kernel >= 5.16): IORING_OP_CONNECT / SENDMSG copy their
	 * sockaddr in the submitting io_uring_enter(426, both arches), whose
	 * exit record then carries it, even when the op itself runs later
	 * in an io-wq thread; with SQPOLL the op's own URINGOP record does.
	 * IORING_OP_SOCKET and SEND are never audited by the kernel
	 * (audit_skip), so a flow whose socket only io_uring knows (a direct
	 * descriptor) is named by destination or stays "none". */
	{ AUDIT_ARCH_X86_64, { 426 }, AUDIT_SADDR_FAM, 2, false },
	{ AUDIT_ARCH_X86_64, { 426 }, AUDIT_SADDR_FAM, 10, false },
	{ AUDIT_ARCH_I386, { 426 }, AUDIT_SADDR_FAM, 2, false },
	{ AUDIT_ARCH_I386, { 426 }, AUDIT_SADDR_FAM, 10, false },
	/* execve and execveat */
	{ AUDIT_ARCH_X86_64, { 59, 322 }, 0, 0, true },
	{ AUDIT_ARCH_I386, { 11, 358 }, 0, 0, true },
};

/* On the io_uring list (AUDIT_FILTER_URING_EXIT), no arch, the mask holds
 * op numbers: SENDMSG 9, CONNECT 16, SEND 26, SEND_ZC 47, SENDMSG_ZC 48.
 * Only ops that carry a sockaddr match (an SQPOLL thread's op; ops
 * submitted by io_uring_enter are covered by the 426 rules above). */
static const struct rule_tmpl uring_tmpl[] = {
	{ 0, { 9, 16, 26, 47, 48 }, AUDIT_SADDR_FAM, 2, false },
	{ 0, { 9, 16, 26, 47, 48 }, AUDIT_SADDR_FAM, 10, false },
};
#endif

static void tmpl_to_spec(const struct rule_tmpl *t, const char *key,
			 pid_t own_pid, struct audit_rule_spec *s)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->list = AUDIT_FILTER_EXIT;
	s->action = AUDIT_ALWAYS;
	s->arch = t->arch;
	for (i = 0; i < AUDIT_SPEC_SYSCALLS_MAX && t->syscalls[i]; i++)
		s->syscalls[s->nsyscalls++] = t->syscalls[i];
	if (own_pid > 0)
		s->fields[s->nfields++] = (struct audit_rule_field){
			AUDIT_PID, AUDIT_NOT_EQUAL, (uint32_t)own_pid };
	if (t->field != 0)
		s->fields[s->nfields++] = (struct audit_rule_field){
			t->field, AUDIT_EQUAL, t->value };
	s->key = key;
}

int audit_rules_build(const struct audit_setup *opts,
		      struct audit_rule_spec *out, size_t cap)
{
#if defined(__x86_64__)
	const char *key = opts->key ? opts->key : AUDIT_KEY_DEFAULT;
	size_t i, n = 0;

	if (audit_key_valid(key) < 0)
		return -EINVAL;
	for (i = 0; i < sizeof(default_tmpl) / sizeof(default_tmpl[0]); i++) {
		if (default_tmpl[i].execve && !opts->with_execve)
			continue;
		if (n == cap)
			return -ENOSPC;
		tmpl_to_spec(&default_tmpl[i], key, opts->own_pid, &out[n++]);
	}
	for (i = 0; i < sizeof(uring_tmpl) / sizeof(uring_tmpl[0]); i++) {
		if (n == cap)
			return -ENOSPC;
		tmpl_to_spec(&uring_tmpl[i], key, opts->own_pid, &out[n]);
		out[n++].list = AUDIT_FILTER_URING_EXIT;
	}
	return (int)n;
#else
	(void)opts;
	(void)out;
	(void)cap;
	return -EOPNOTSUPP;
#endif
}
