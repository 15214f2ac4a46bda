/* audit.c - the kernel audit control socket: status, our rules (added,
 * listed, purged by key), diagnostics, setup and teardown.  Rule
 * encoding: audit_rule.c; the multicast reader: audit_mc.c. */
#include "audit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#define CTL_TIMEOUT_S	2
#define CTL_RX_SIZE	16384	/* one listed rule per message, ~1.1 KiB */
#define CTL_TX_SIZE	(NLMSG_HDRLEN + AUDIT_RULE_MAX_BYTES + 8)
#define PURGE_PASSES	4	/* list+delete rounds for stale rules */
#define STALE_MAX	32	/* stale rules deleted per round */
#define ENABLED_LOCKED	2	/* audit_status.enabled: auditctl -e 2 */

/* ---- Diagnostics ---- */

void audit_diag_clear(struct audit_diag *d)
{
	memset(d, 0, sizeof(*d));
}

__attribute__((format(printf, 2, 3)))
static void diag_add(struct audit_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d->n == AUDIT_DIAG_MAX) {
		d->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(d->msg[d->n++], AUDIT_DIAG_LEN, fmt, ap);
	va_end(ap);
}

/* The kernel's audit_comparator(); unknown operators count as a match so
 * that we warn rather than stay silent. */
static bool op_match(uint32_t left, uint32_t op, uint32_t right)
{
	switch (op) {
	case AUDIT_EQUAL:			return left == right;
	case AUDIT_NOT_EQUAL:			return left != right;
	case AUDIT_LESS_THAN:			return left < right;
	case AUDIT_LESS_THAN_OR_EQUAL:		return left <= right;
	case AUDIT_GREATER_THAN:		return left > right;
	case AUDIT_GREATER_THAN_OR_EQUAL:	return left >= right;
	case AUDIT_BIT_MASK:			return left & right;
	case AUDIT_BIT_TEST:			return (left & right) == right;
	default:				return true;
	}
}

/* A NEVER rule restricted only by arch (a key restricts nothing) that
 * covers one of our syscalls on that arch hides those events entirely. */
static const struct audit_rule_spec *
never_rule_blinds(const struct audit_rule_view *v,
		  const struct audit_rule_spec *ours, size_t n,
		  unsigned *nr_out)
{
	size_t r;
	uint32_t i;
	unsigned k;

	for (i = 0; i < v->field_count; i++)
		if (v->fields[i] != AUDIT_ARCH &&
		    v->fields[i] != AUDIT_FILTERKEY)
			return NULL;
	for (r = 0; r < n; r++) {
		bool arch_ok = true;

		if (ours[r].list != v->list)
			continue;	/* io_uring op numbers are not syscalls */
		for (i = 0; i < v->field_count; i++)
			if (v->fields[i] == AUDIT_ARCH &&
			    !op_match(ours[r].arch, v->fieldflags[i],
				      v->values[i]))
				arch_ok = false;
		if (!arch_ok)
			continue;
		for (k = 0; k < ours[r].nsyscalls; k++)
			if (audit_mask_test(v->mask, ours[r].syscalls[k])) {
				*nr_out = ours[r].syscalls[k];
				return &ours[r];
			}
	}
	return NULL;
}

/* Exclude rules drop records before they exist (kernel audit_filter():
 * any matching rule on that list excludes, whatever its action). */
static bool exclude_admits(const struct audit_rule_view *v, uint32_t type,
			   bool *other_fields)
{
	uint32_t i;
	bool match = true;

	*other_fields = false;
	for (i = 0; i < v->field_count; i++) {
		if (v->fields[i] != AUDIT_MSGTYPE)
			*other_fields = true;
		else if (!op_match(type, v->fieldflags[i], v->values[i]))
			match = false;
	}
	return match;
}

static int key_for_msg(const struct audit_rule_view *v, char *out, size_t n)
{
	size_t k = v->key_len < n - 1 ? v->key_len : n - 1;

	if (!v->key)
		return snprintf(out, n, "(none)");
	memcpy(out, v->key, k);
	out[k] = '\0';
	return (int)k;
}

int audit_rule_check(const struct audit_rule_view *v,
		     const struct audit_rule_spec *ours, size_t n,
		     struct audit_diag *d)
{
	const struct audit_rule_spec *hit;
	unsigned nr = 0;
	char key[48];
	bool other, sys, sa;

	key_for_msg(v, key, sizeof(key));
	if (v->list == AUDIT_FILTER_EXIT && v->action == AUDIT_NEVER) {
		hit = never_rule_blinds(v, ours, n, &nr);
		if (!hit)
			return 0;
		diag_add(d, "audit: a 'never,exit' rule (key %s) covers "
			 "syscall %u for arch 0x%x: those connections cannot "
			 "be attributed by audit", key, nr, hit->arch);
		return 1;
	}
	if (v->list != AUDIT_FILTER_EXCLUDE)
		return 0;
	sys = exclude_admits(v, AUDIT_SYSCALL, &other);
	sa = exclude_admits(v, AUDIT_SOCKADDR, &other);
	if (!sys && !sa)
		return 0;
	diag_add(d, "audit: an exclude rule (key %s) drops %s records%s",
		 key, sys && sa ? "SYSCALL and SOCKADDR" : sys ? "SYSCALL" :
		 "SOCKADDR", other ? " for some processes" : "");
	return 1;
}

/* ---- Control socket ---- */

struct audit_ctl {
	struct mnl_socket *nl;
	uint32_t seq;
	bool have_orig;		/* orig holds the state before our setup */
	struct audit_status orig;
	bool recovered;		/* rec_*: the state before a crashed run */
	uint32_t rec_enabled, rec_backlog;
	bool set_enabled;	/* we changed enabled from orig to 1 */
	bool set_backlog;	/* we changed backlog_limit to our_backlog */
	uint32_t our_backlog;
	bool locked;
	unsigned foreign;	/* others' rules at our first setup */
	char key[AUDIT_MAX_KEY_LEN + 1];
	size_t nrules;
	struct audit_rule_spec rules[AUDIT_RULES_MAX];
	size_t stale_len[STALE_MAX];
	uint8_t stale[STALE_MAX][AUDIT_RULE_MAX_BYTES];
	uint8_t tx[CTL_TX_SIZE] __attribute__((aligned(4)));
	uint8_t rx[CTL_RX_SIZE] __attribute__((aligned(4)));
};

/* One request/response exchange.  Requests carry NLM_F_ACK; the kernel
 * may queue the reply (status, rule list) from a worker thread, so the
 * ACK can arrive before or after it and we wait for both. */
struct xfer {
	uint16_t reply;		/* wanted message type; 0 = ACK only */
	bool multi;		/* reply is a dump ended by NLMSG_DONE */
	bool acked;
	bool done;
	int (*on_reply)(const struct nlmsghdr *nlh, void *arg);
	void *arg;
};

struct audit_ctl *audit_ctl_open(void)
{
	struct timeval tv = { .tv_sec = CTL_TIMEOUT_S };
	struct audit_ctl *c;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->nl = mnl_socket_open2(NETLINK_AUDIT, SOCK_CLOEXEC);
	if (!c->nl)
		goto fail;
	if (mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* A kernel that never answers must not hang the daemon. */
	if (setsockopt(mnl_socket_get_fd(c->nl), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv)) < 0)
		goto fail;
	return c;
fail:
	err = errno;
	audit_ctl_close(c);
	errno = err;
	return NULL;
}

void audit_ctl_close(struct audit_ctl *c)
{
	if (!c)
		return;
	if (c->nl)
		mnl_socket_close(c->nl);
	free(c);
}

static int ctl_send(struct audit_ctl *c, uint16_t type, const void *p,
		    size_t len, uint32_t *seq)
{
	struct nlmsghdr *nlh;

	if (len > CTL_TX_SIZE - NLMSG_HDRLEN - 4)
		return -EMSGSIZE;
	nlh = mnl_nlmsg_put_header(c->tx);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (++c->seq == 0)
		c->seq = 1;
	nlh->nlmsg_seq = *seq = c->seq;
	if (len)
		memcpy(mnl_nlmsg_put_extra_header(nlh, len), p, len);
	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/* One datagram from the kernel into c->rx; others' datagrams are skipped. */
static int ctl_recv(struct audit_ctl *c, int *len)
{
	struct sockaddr_nl sa;
	struct iovec iov = { c->rx, sizeof(c->rx) };
	ssize_t n;

	for (;;) {
		struct msghdr msg = {
			.msg_name = &sa, .msg_namelen = sizeof(sa),
			.msg_iov = &iov, .msg_iovlen = 1,
		};

		n = recvmsg(mnl_socket_get_fd(c->nl), &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ?
				-ETIMEDOUT : -errno;
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (msg.msg_namelen < sizeof(sa) || sa.nl_pid != 0)
			continue;
		*len = (int)n;
		return 0;
	}
}

static int ctl_walk(const void *buf, int len, uint32_t seq, struct xfer *x)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlmsgerr *e;
	int r;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_seq != seq)
			continue;	/* late answer to an earlier request */
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
				return -EBADMSG;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error > 0)
				return -EPROTO;
			if (e->error < 0)
				return e->error;
			x->acked = true;
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			x->done = true;
		} else if (x->reply && nlh->nlmsg_type == x->reply) {
			if ((r = x->on_reply(nlh, x->arg)) < 0)
				return r;
			if (!x->multi)
				x->done = true;
		}
	}
	return 0;
}

static int ctl_xfer(struct audit_ctl *c, uint16_t type, const void *p,
		    size_t len, struct xfer *x)
{
	uint32_t seq;
	int r, n = 0;

	if ((r = ctl_send(c, type, p, len, &seq)) < 0)
		return r;
	while (!x->acked || (x->reply && !x->done)) {
		if ((r = ctl_recv(c, &n)) < 0)
			return r;
		if ((r = ctl_walk(c->rx, n, seq, x)) < 0)
			return r;
	}
	return 0;
}

static int on_status(const struct nlmsghdr *nlh, void *arg)
{
	struct audit_status *st = arg;
	size_t n = mnl_nlmsg_get_payload_len(nlh);

	/* Older kernels send the 7-field original struct. */
	if (n < offsetof(struct audit_status, backlog) + sizeof(st->backlog))
		return -EBADMSG;
	if (n > sizeof(*st))
		n = sizeof(*st);
	memcpy(st, mnl_nlmsg_get_payload(nlh), n);
	return 0;
}

int audit_ctl_status(struct audit_ctl *c, struct audit_status *st)
{
	struct audit_status tmp;
	struct xfer x = { .reply = AUDIT_GET, .on_reply = on_status,
			  .arg = &tmp };
	int r;

	memset(st, 0, sizeof(*st));
	memset(&tmp, 0, sizeof(tmp));
	if ((r = ctl_xfer(c, AUDIT_GET, NULL, 0, &x)) < 0)
		return r;
	*st = tmp;
	return 0;
}

int audit_ctl_set(struct audit_ctl *c, uint32_t mask, uint32_t value)
{
	struct audit_status s;
	struct xfer x = { 0 };

	memset(&s, 0, sizeof(s));
	s.mask = mask;
	if (mask == AUDIT_STATUS_ENABLED)
		s.enabled = value;
	else if (mask == AUDIT_STATUS_BACKLOG_LIMIT)
		s.backlog_limit = value;
	else
		return -EINVAL;
	return ctl_xfer(c, AUDIT_SET, &s, sizeof(s), &x);
}

static int ctl_rule_raw(struct audit_ctl *c, uint16_t type,
			const uint8_t *raw, size_t len)
{
	struct xfer x = { 0 };

	return ctl_xfer(c, type, raw, len, &x);
}

static int ctl_rule_op(struct audit_ctl *c, uint16_t type,
		       const struct audit_rule_spec *s)
{
	uint8_t buf[AUDIT_RULE_MAX_BYTES];
	int n;

	if ((n = audit_rule_encode(s, buf, sizeof(buf))) < 0)
		return n;
	return ctl_rule_raw(c, type, buf, (size_t)n);
}

/* ---- Listing: stale rules, foreign rules ---- */

struct scan {
	struct audit_ctl *c;
	const char *key;
	bool collect;		/* keep our-key rules in c->stale to delete */
	bool keep_current;	/* ...except those equal to one of c->rules */
	struct audit_diag *diag;	/* check foreign rules; NULL = don't */
	unsigned ours;		/* rules with our key seen */
	unsigned foreign;	/* rules with another key or none */
	unsigned current;	/* ours, byte-equal to one of c->rules */
	unsigned n;		/* collected */
	bool more;		/* more than STALE_MAX to collect */
};

/* Kernel-listed bytes equal what we encode (see the golden test), so a
 * rule we are about to add again can stay: no window without it. */
static bool rule_is_current(const struct audit_ctl *c, const uint8_t *raw,
			    size_t len)
{
	uint8_t buf[AUDIT_RULE_MAX_BYTES];
	size_t i;
	int n;

	for (i = 0; i < c->nrules; i++) {
		n = audit_rule_encode(&c->rules[i], buf, sizeof(buf));
		if (n > 0 && (size_t)n == len && !memcmp(buf, raw, len))
			return true;
	}
	return false;
}

static int on_rule(const struct nlmsghdr *nlh, void *arg)
{
	struct scan *s = arg;
	const uint8_t *raw = mnl_nlmsg_get_payload(nlh);
	struct audit_rule_view v;

	if (audit_rule_decode(raw, mnl_nlmsg_get_payload_len(nlh), &v) < 0)
		return 0;	/* not ours to judge; keep listing */
	if (!s->key) {
		s->ours++;	/* counting every rule */
		return 0;
	}
	if (!audit_rule_has_key(&v, s->key)) {
		s->foreign++;
		if (s->diag)
			audit_rule_check(&v, s->c->rules, s->c->nrules,
					 s->diag);
		return 0;
	}
	s->ours++;
	if (!s->collect)
		return 0;
	if (s->keep_current && rule_is_current(s->c, raw, v.len)) {
		s->current++;
		return 0;
	}
	if (s->n == STALE_MAX || v.len > AUDIT_RULE_MAX_BYTES) {
		s->more = true;
		return 0;
	}
	/* AUDIT_DEL_RULE matches on the exact rule, so send back what the
	 * kernel listed (it may hold another pid from a crashed run). */
	memcpy(s->c->stale[s->n], raw, v.len);
	s->c->stale_len[s->n++] = v.len;
	return 0;
}

static int ctl_scan(struct audit_ctl *c, struct scan *s)
{
	struct xfer x = { .reply = AUDIT_LIST_RULES, .multi = true,
			  .on_reply = on_rule, .arg = s };

	return ctl_xfer(c, AUDIT_LIST_RULES, NULL, 0, &x);
}

int audit_ctl_diagnose(struct audit_ctl *c, const char *key,
		       struct audit_diag *diag)
{
	struct audit_setup o = { .key = key };
	struct scan s = { .c = c, .key = key, .diag = diag };
	struct audit_status st;
	bool built = false;
	int n, r;

	audit_diag_clear(diag);
	if ((r = audit_ctl_status(c, &st)) < 0)
		return r;
	if (st.enabled == ENABLED_LOCKED) {
		diag->locked = true;
		diag_add(diag, "audit: configuration is locked (enabled=2): "
			 "tattled cannot add its rules");
	}
	/* Foreign rules are judged against the rules we would install. */
	if (!c->nrules) {
		if ((n = audit_rules_build(&o, c->rules, AUDIT_RULES_MAX)) < 0)
			return n;
		c->nrules = (size_t)n;
		built = true;
	}
	r = ctl_scan(c, &s);
	if (built)
		c->nrules = 0;	/* not installed: teardown must not delete */
	diag->ours_listed = s.ours;
	return r;
}

int audit_ctl_count_key(struct audit_ctl *c, const char *key)
{
	struct scan s = { .c = c, .key = key };
	int r;

	if ((r = ctl_scan(c, &s)) < 0)
		return r;
	return (int)s.ours;
}

/* Deletes every rule whose key is key; the first pass also checks foreign
 * rules into diag (may be NULL). */
static int ctl_purge(struct audit_ctl *c, const char *key, bool keep_current,
		     struct audit_diag *diag)
{
	unsigned pass, i;
	int r;

	for (pass = 0; pass < PURGE_PASSES; pass++) {
		struct scan s = { .c = c, .key = key, .collect = true,
				  .keep_current = keep_current,
				  .diag = pass == 0 ? diag : NULL };

		if ((r = ctl_scan(c, &s)) < 0)
			return r;
		if (pass == 0 && diag) {
			diag->ours_listed = s.ours;
			diag->ours_current = s.current;
		}
		for (i = 0; i < s.n; i++) {
			r = ctl_rule_raw(c, AUDIT_DEL_RULE, c->stale[i],
					 c->stale_len[i]);
			if (r < 0 && r != -ENOENT)
				return r;
		}
		if (!s.more)
			return 0;
	}
	if (diag)
		diag_add(diag, "audit: could not delete all stale rules with "
			 "key %s", key);
	return -E2BIG;
}

int audit_ctl_purge_key(struct audit_ctl *c, const char *key)
{
	if (audit_key_valid(key) < 0)
		return -EINVAL;
	return ctl_purge(c, key, false, NULL);
}

/* ---- Setup and teardown ---- */

/* Enables audit and raises backlog_limit, remembering each change so that
 * teardown undoes exactly what we did (and a second setup nothing). */
static int ctl_raise(struct audit_ctl *c, const struct audit_status *st,
		     uint32_t backlog)
{
	int r;

	if (st->enabled == 0) {
		if ((r = audit_ctl_set(c, AUDIT_STATUS_ENABLED, 1)) < 0)
			return r;
		c->set_enabled = true;
	}
	/* auditd sizes the backlog for itself; only raise it when we are
	 * the sole reader, since audited tasks sleep when it is full. */
	if (st->pid == 0 && st->backlog_limit < backlog) {
		r = audit_ctl_set(c, AUDIT_STATUS_BACKLOG_LIMIT, backlog);
		if (r < 0)
			return r;
		c->set_backlog = true;
		c->our_backlog = backlog;
	}
	return 0;
}

/* What a crashed run changed is ours to undo: it found audit as
 * recorded (rec_*) and left it as it is now (st). */
static void ctl_adopt_crashed(struct audit_ctl *c, const struct audit_status *st)
{
	if (!c->recovered)
		return;
	if (c->rec_enabled == 0 && st->enabled == 1)
		c->set_enabled = true;
	if (!c->set_backlog && st->pid == 0 && c->rec_backlog < st->backlog_limit) {
		c->set_backlog = true;
		c->our_backlog = st->backlog_limit;
	}
}

void audit_ctl_recover(struct audit_ctl *c, uint32_t enabled,
		       uint32_t backlog_limit)
{
	c->recovered = true;
	c->rec_enabled = enabled;
	c->rec_backlog = backlog_limit;
}

void audit_ctl_keep_settings(struct audit_ctl *c)
{
	c->set_enabled = false;
	c->set_backlog = false;
}

static int ctl_add_ours(struct audit_ctl *c, struct audit_diag *diag)
{
	bool warned_b32 = false, warned_uring = false;
	size_t i;
	int r;

	for (i = 0; i < c->nrules; i++) {
		r = ctl_rule_op(c, AUDIT_ADD_RULE, &c->rules[i]);
		if (r == -EEXIST)
			r = 0;
		/* A kernel without IA32 emulation may refuse i386 rules;
		 * 64-bit processes are still covered. */
		if (r < 0 && c->rules[i].arch == AUDIT_ARCH_I386 &&
		    r != -EPERM && r != -ETIMEDOUT) {
			if (!warned_b32)
				diag_add(diag, "audit: kernel refused i386 "
					 "rules (%s): 32-bit processes are not "
					 "audited", strerror(-r));
			warned_b32 = true;
			continue;
		}
		/* Before 5.16 there is no io_uring filter list. */
		if (r < 0 && c->rules[i].list == AUDIT_FILTER_URING_EXIT &&
		    r != -EPERM && r != -ETIMEDOUT) {
			if (!warned_uring)
				diag_add(diag, "audit: kernel refused io_uring "
					 "rules (%s, needs Linux 5.16): io_uring "
					 "SQPOLL flows are not audited",
					 strerror(-r));
			warned_uring = true;
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int ctl_setup_locked(struct audit_ctl *c, struct audit_diag *diag)
{
	struct scan s = { .c = c, .key = c->key, .diag = diag };
	int r;

	c->locked = true;
	diag->locked = true;
	diag_add(diag, "audit: configuration is locked (enabled=2): rules "
		 "cannot be changed, running read-only");
	if ((r = ctl_scan(c, &s)) < 0)
		return r;
	diag->ours_listed = s.ours;
	if (s.ours < c->nrules)
		diag_add(diag, "audit: only %u of our %zu rules are loaded "
			 "(key %s)", s.ours, c->nrules, c->key);
	return 0;
}

int audit_ctl_setup(struct audit_ctl *c, const struct audit_setup *opts,
		    struct audit_diag *diag)
{
	struct audit_setup o = *opts;
	struct scan s = { .c = c };
	struct audit_status st;
	int r, n;

	audit_diag_clear(diag);
	if (!o.key)
		o.key = AUDIT_KEY_DEFAULT;
	if (audit_key_valid(o.key) < 0)
		return -EINVAL;
	/* Teardown must delete what was added, even with another key. */
	if (c->nrules && !c->locked && strcmp(c->key, o.key) != 0)
		return -EBUSY;
	strcpy(c->key, o.key);
	o.key = c->key;
	if ((n = audit_rules_build(&o, c->rules, AUDIT_RULES_MAX)) < 0)
		return n;
	c->nrules = (size_t)n;
	if ((r = audit_ctl_status(c, &st)) < 0)
		goto fail;
	if (!c->have_orig) {
		/* Before changing anything, so that a failed setup's
		 * teardown compares with the right count. */
		s.key = c->key;
		if ((r = ctl_scan(c, &s)) < 0)
			goto fail;
		c->foreign = s.foreign;
		c->orig = st;
		c->have_orig = true;
		if (c->recovered) {
			c->orig.enabled = c->rec_enabled;
			c->orig.backlog_limit = c->rec_backlog;
		}
	}
	if (st.enabled == ENABLED_LOCKED)
		return ctl_setup_locked(c, diag);
	if ((r = ctl_raise(c, &st, o.backlog_limit ? o.backlog_limit :
			   AUDIT_BACKLOG_DEFAULT)) < 0)
		goto fail;
	ctl_adopt_crashed(c, &st);
	/* Stale rules are not fatal; the ones we add are what matters. */
	r = ctl_purge(c, c->key, true, diag);
	if (r < 0 && r != -E2BIG)
		goto fail;
	if ((r = ctl_add_ours(c, diag)) < 0)
		goto fail;
	return 0;
fail:
	audit_ctl_teardown(c);
	return r;
}

/* Puts back enabled and backlog_limit, unless someone changed them after
 * us, or added rules since our setup (a new audit user relies on them):
 * their later decision wins over our memory. */
static int ctl_restore(struct audit_ctl *c)
{
	struct scan s = { .c = c, .key = c->key };
	struct audit_status st;
	int r;

	if ((r = audit_ctl_status(c, &st)) < 0)
		return r;
	if ((r = ctl_scan(c, &s)) < 0)
		return r;
	if (s.foreign > c->foreign) {
		c->set_backlog = false;
		c->set_enabled = false;
		return 0;
	}
	if (c->set_backlog && st.backlog_limit == c->our_backlog &&
	    (r = audit_ctl_set(c, AUDIT_STATUS_BACKLOG_LIMIT,
			 c->orig.backlog_limit)) < 0)
		return r;
	c->set_backlog = false;
	if (c->set_enabled && st.enabled == 1 &&
	    (r = audit_ctl_set(c, AUDIT_STATUS_ENABLED, c->orig.enabled)) < 0)
		return r;
	c->set_enabled = false;
	return 0;
}

int audit_ctl_teardown(struct audit_ctl *c)
{
	int r, first = 0;
	size_t i;

	for (i = 0; !c->locked && i < c->nrules; i++) {
		r = ctl_rule_op(c, AUDIT_DEL_RULE, &c->rules[i]);
		if (r < 0 && r != -ENOENT && !first)
			first = r;
	}
	if (!first)
		c->nrules = 0;
	if (c->set_enabled || c->set_backlog) {
		r = ctl_restore(c);
		if (r < 0 && !first)
			first = r;
	}
	if (!c->set_enabled && !c->set_backlog && !c->nrules) {
		c->have_orig = false;
		c->locked = false;
	}
	return first;
}
