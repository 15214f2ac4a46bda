/* audit.h - kernel audit over netlink: the control socket (status, our
 * rules in binary struct audit_rule_data form, diagnostics) and the
 * multicast reader (AUDIT_NLGRP_READLOG).  No record parsing: the reader
 * hands (type, text, len) to a callback and aurec.c parses the text.
 *
 * Needs CAP_AUDIT_CONTROL (control) and CAP_AUDIT_READ (multicast) in the
 * host namespaces; open both before any setns(). */
#ifndef TATTLE_AUDIT_H
#define TATTLE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/audit.h>

#define AUDIT_KEY_DEFAULT	"tattle"
#define AUDIT_BACKLOG_DEFAULT	8192u
#define AUDIT_MC_RCVBUF_DEFAULT	(8 << 20)
#define AUDIT_MC_BUF_SIZE	65536	/* records exceed 8 KiB; see corpus */

#define AUDIT_SPEC_SYSCALLS_MAX	8
#define AUDIT_SPEC_FIELDS_MAX	6	/* besides arch and key */
#define AUDIT_RULES_MAX		24	/* our default set needs 17 */
/* Largest rule we encode: fixed part plus the key. */
#define AUDIT_RULE_MAX_BYTES \
	(sizeof(struct audit_rule_data) + AUDIT_MAX_KEY_LEN)

#define AUDIT_DIAG_MAX		16
#define AUDIT_DIAG_LEN		200

/* ---- Rules: pure, no I/O ---- */

struct audit_rule_field {
	uint32_t id;		/* AUDIT_PID, AUDIT_ARG0, AUDIT_SADDR_FAM... */
	uint32_t op;		/* AUDIT_EQUAL, AUDIT_NOT_EQUAL... */
	uint32_t value;
};

/* One rule as we think of it.  Encoded as: arch field first, then
 * fields[] in order, then the key (AUDIT_FILTERKEY) last, which is the
 * order auditctl uses for "-F arch=.. -S .. -F .. -F key=..". */
struct audit_rule_spec {
	uint32_t list;		/* AUDIT_FILTER_EXIT, AUDIT_FILTER_URING_EXIT */
	uint32_t action;	/* AUDIT_ALWAYS */
	uint32_t arch;		/* AUDIT_ARCH_X86_64 / AUDIT_ARCH_I386; 0: no
				 * arch field (io_uring list) */
	unsigned nsyscalls;
	uint16_t syscalls[AUDIT_SPEC_SYSCALLS_MAX];
	unsigned nfields;
	struct audit_rule_field fields[AUDIT_SPEC_FIELDS_MAX];
	const char *key;	/* borrowed; NULL = no key field */
};

struct audit_setup {
	const char *key;	/* NULL = AUDIT_KEY_DEFAULT; 1 to
				 * AUDIT_MAX_KEY_LEN bytes of 0x21..0x7e but
				 * not '"', so records carry it quoted */
	pid_t own_pid;		/* excluded with pid!=own_pid; 0 = none */
	bool with_execve;	/* also audit execve (b64 59, b32 11) */
	uint32_t backlog_limit;	/* raised to this while no auditd runs;
				 * 0 = AUDIT_BACKLOG_DEFAULT */
};

/* Sets bit nr % 32 of word nr / 32.  -EINVAL if nr is past the mask. */
int audit_mask_set(uint32_t mask[AUDIT_BITMASK_SIZE], unsigned nr);
bool audit_mask_test(const uint32_t mask[AUDIT_BITMASK_SIZE], unsigned nr);

/* Encodes spec as the kernel's struct audit_rule_data into buf.  Returns
 * the byte count (sizeof(struct audit_rule_data) + key length; the key is
 * stored without NUL) or -EINVAL (bad syscall number, too many fields, key
 * too long or empty) or -ENOSPC (size too small).  Unused bytes of the
 * fixed part are zero. */
int audit_rule_encode(const struct audit_rule_spec *spec, uint8_t *buf,
		      size_t size);

/* Fills out[0..cap) with our default rule set for this host (x86_64: b64
 * and b32/i386 incl. socketcall; see audit.c for the list and why).  Key
 * pointers borrow opts->key (or the default).  Returns the rule count,
 * -EINVAL for a bad key, -ENOSPC if cap is too small, -EOPNOTSUPP on
 * other architectures. */
int audit_rules_build(const struct audit_setup *opts,
		      struct audit_rule_spec *out, size_t cap);

/* A rule as the kernel lists it (AUDIT_LIST_RULES), decoded and checked. */
struct audit_rule_view {
	uint32_t list;		/* flags without AUDIT_FILTER_PREPEND */
	uint32_t action;
	uint32_t field_count;
	uint32_t mask[AUDIT_BITMASK_SIZE];
	uint32_t fields[AUDIT_MAX_FIELDS];
	uint32_t values[AUDIT_MAX_FIELDS];
	uint32_t fieldflags[AUDIT_MAX_FIELDS];
	const char *key;	/* points into buf, not NUL-terminated; NULL
				 * when the rule has no key */
	size_t key_len;
	size_t len;		/* fixed part + buflen: what AUDIT_DEL_RULE
				 * wants back; trailing padding excluded */
};

/* 0, or -EBADMSG when short, field_count > 64, buflen past len, or the
 * string fields (key, exe, watch, LSM labels) overrun buflen. */
int audit_rule_decode(const uint8_t *buf, size_t len,
		      struct audit_rule_view *v);
/* Whether the decoded rule v carries exactly key. */
bool audit_rule_has_key(const struct audit_rule_view *v, const char *key);
/* 0 when key can tag our rules (1..AUDIT_MAX_KEY_LEN printable bytes, no
 * '"'), else -EINVAL. */
int audit_key_valid(const char *key);

/* ---- Diagnostics ---- */

/* Warnings for the daemon to turn into "warning" events.  Bounded: past
 * AUDIT_DIAG_MAX, warnings are counted in dropped. */
struct audit_diag {
	unsigned n;
	unsigned dropped;
	bool locked;		/* enabled == 2: read-only, rules unchanged */
	unsigned ours_listed;	/* rules with our key found by setup */
	unsigned ours_current;	/* ...of which byte-equal to a rule we add:
				 * kept, not deleted and re-added */
	char msg[AUDIT_DIAG_MAX][AUDIT_DIAG_LEN];
};

void audit_diag_clear(struct audit_diag *d);

/* Adds a warning to d if the foreign rule v would hide our events: an
 * exit-list NEVER rule restricted at most by arch (and key) whose syscalls
 * overlap ours[] for that arch, or an exclude-list rule whose msgtype
 * conditions admit SYSCALL (1300) or SOCKADDR (1306) records.  Returns 1
 * if a warning was added (or dropped for lack of room), else 0. */
int audit_rule_check(const struct audit_rule_view *v,
		     const struct audit_rule_spec *ours, size_t n,
		     struct audit_diag *d);

/* ---- Control socket ---- */

struct audit_ctl;

/* NULL and errno on failure (EPROTONOSUPPORT: no audit in this kernel).
 * Control calls block: each reply is awaited at most 2 s.  Use them at
 * start and exit (or from the worker thread), never in the verdict loop. */
struct audit_ctl *audit_ctl_open(void);

/* AUDIT_GET.  0 and *st (fields a shorter kernel reply lacks are 0), or
 * -errno. The ACK may arrive before or after the reply. */
int audit_ctl_status(struct audit_ctl *c, struct audit_status *st);

/* AUDIT_SET of one setting: mask AUDIT_STATUS_ENABLED or
 * AUDIT_STATUS_BACKLOG_LIMIT (else -EINVAL).  Not remembered for
 * teardown: for tools and tests that restore state themselves. */
int audit_ctl_set(struct audit_ctl *c, uint32_t mask, uint32_t value);

/* Brings audit into the state we need and remembers what it changed:
 * enables audit if disabled, raises backlog_limit while no auditd is
 * registered, deletes every rule carrying our key (stale, from a crash),
 * then adds our rules (EEXIST counts as installed).  b32 rules the kernel
 * refuses are a warning, not an error.  Locked audit (enabled == 2) is a
 * warning and leaves everything as it is (read-only, returns 0).  Foreign
 * rules that would blind us are reported in *diag.  Calling it again
 * replaces our rules rather than duplicating them.  On error, whatever was
 * changed has been undone.  Returns 0 or -errno. */
int audit_ctl_setup(struct audit_ctl *c, const struct audit_setup *opts,
		    struct audit_diag *diag);

/* Read-only diagnostics: a locked configuration, and foreign rules that
 * would hide the events of the rules we would install with key (an exit
 * NEVER rule over our syscalls, an exclude rule on SYSCALL/SOCKADDR).
 * Fills *diag (cleared first; ours_listed = rules with key).  0 or
 * -errno. */
int audit_ctl_diagnose(struct audit_ctl *c, const char *key,
		       struct audit_diag *diag);

/* Before audit_ctl_setup: a previous run with our key crashed after
 * finding audit with these values, so restore to them at teardown rather
 * than to what that run left behind. */
void audit_ctl_recover(struct audit_ctl *c, uint32_t enabled,
		       uint32_t backlog_limit);

/* Another run still relies on audit being enabled with the raised
 * backlog: the next teardown deletes our rules but leaves enabled and
 * backlog_limit as they are (the last run out restores them). */
void audit_ctl_keep_settings(struct audit_ctl *c);

/* Lists the kernel's rules and counts those whose key equals key exactly
 * (key NULL: every rule).  Returns the count or -errno. */
int audit_ctl_count_key(struct audit_ctl *c, const char *key);

/* Deletes every rule whose key equals key exactly (e.g. after a crash,
 * or for a cleanup command), whatever else the rule holds.  0, -E2BIG if
 * more than 128 remained, or -errno. */
int audit_ctl_purge_key(struct audit_ctl *c, const char *key);

/* Deletes our rules (ENOENT is fine) and restores enabled and
 * backlog_limit to the values seen before the first setup, each only if
 * it still holds the value we set and no other rules appeared since that
 * setup (someone else's later change, or a new audit user, wins).
 * Idempotent.  Returns 0 or the first -errno, after trying everything. */
int audit_ctl_teardown(struct audit_ctl *c);

/* Closes without teardown.  Accepts NULL. */
void audit_ctl_close(struct audit_ctl *c);

/* ---- Multicast reader ---- */

struct audit_mc;

struct audit_mc_stats {
	uint64_t datagrams;	/* accepted from the kernel */
	uint64_t records;	/* handed to the callback */
	uint64_t truncated;	/* larger than AUDIT_MC_BUF_SIZE: dropped */
	uint64_t spoofed;	/* sender nl_pid != 0: dropped */
	uint64_t malformed;	/* bad netlink framing: dropped */
	uint64_t enobufs;	/* receive queue overruns reported by recv */
	uint32_t sk_drops;	/* SO_MEMINFO SK_MEMINFO_DROPS, cumulative */
	int rcvbuf;		/* effective SO_RCVBUF (kernel doubles it) */
};

/* Nonblocking, close-on-exec socket in group AUDIT_NLGRP_READLOG with a
 * receive buffer of rcvbuf_bytes (SO_RCVBUFFORCE, else SO_RCVBUF; <= 0 =
 * AUDIT_MC_RCVBUF_DEFAULT).  NULL and errno on failure (EPERM without
 * CAP_AUDIT_READ). */
struct audit_mc *audit_mc_open(int rcvbuf_bytes);
int audit_mc_fd(const struct audit_mc *m);

/* Called once per record: type is nlmsg_type, text is the payload (length
 * from the netlink header, trailing NULs dropped, not NUL-terminated) and
 * is valid only during the call. */
typedef void audit_mc_cb(uint16_t type, const char *text, size_t len,
			 void *data);

/* Reads up to max datagrams without blocking.  Returns the number of
 * datagrams read (including dropped ones), 0 when none was waiting, or a
 * -errno other than EAGAIN/EINTR/ENOBUFS (those are retried or counted). */
int audit_mc_drain(struct audit_mc *m, audit_mc_cb *cb, void *data,
		   unsigned max);

/* Snapshot of the counters, with sk_drops and rcvbuf read from the socket
 * now (call it from a timer).  0 or -errno; on error the counters are
 * still filled and sk_drops keeps its last known value. */
int audit_mc_stats(struct audit_mc *m, struct audit_mc_stats *out);

void audit_mc_close(struct audit_mc *m);	/* accepts NULL */

#endif /* TATTLE_AUDIT_H */
