/* aurec.h - audit record tokenizer and event reassembler (no I/O).
 *
 * Input is one audit record as the kernel multicasts it: the record type
 * (nlmsg_type) and the payload text `audit(SEC.MSEC:SERIAL): k=v ...` with
 * an explicit length (the payload is not NUL-terminated).  Front ends turn
 * auditd log lines and the JSONL capture format into the same (type, text).
 * Records are grouped by serial into events; a completed event is decoded
 * into struct audit_event and handed to a callback.
 */
#ifndef TATTLE_AUREC_H
#define TATTLE_AUREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Record types we decode (linux/audit.h). */
#define AUREC_T_USER		1005
#define AUREC_T_SYSCALL		1300
#define AUREC_T_PATH		1302
#define AUREC_T_SOCKETCALL	1304
#define AUREC_T_SOCKADDR	1306
#define AUREC_T_CWD		1307
#define AUREC_T_EXECVE		1309
#define AUREC_T_EOE		1320
#define AUREC_T_PROCTITLE	1327
#define AUREC_T_URINGOP		1336	/* io_uring op (kernel >= 5.16) */

#define AUREC_ARCH_X86_64	0xC000003Eu
#define AUREC_ARCH_I386		0x40000003u
#define AUREC_ARCH_AARCH64	0xC00000B7u

#define AUREC_MAX_TEXT		65536	/* longest record text accepted */
#define AUREC_PATH_MAX		4096	/* exe, cwd incl. NUL (PATH_MAX) */
#define AUREC_KEY_MAX		257	/* AUDIT_MAX_KEY_LEN + NUL */
#define AUREC_PROCTITLE_MAX	128	/* kernel MAX_PROCTITLE_AUDIT_LEN */
#define AUREC_ARGS_MAX		4096	/* EXECVE argv bytes kept */
#define AUREC_EVENT_TYPES_MAX	32	/* record types remembered per event */
#define AUREC_UNIX_PATH_MAX	108	/* sizeof(sun_path) */
#define AUREC_INFLIGHT_MAX	65536	/* cap on opts.max_inflight */

/* How a value was written.  Bare values may be upper-case hex (for string
 * fields) or numbers; only the field's meaning decides, see aurec_is_hex(). */
enum aurec_enc { AUREC_BARE = 0, AUREC_QUOTED = 1 };

/* A view into the record text: nothing is copied. */
struct aurec_field {
	const char *key;
	const char *val;	/* quotes stripped */
	uint32_t klen;
	uint32_t vlen;
	uint8_t enc;		/* enum aurec_enc */
};

/* Cursor over one record's fields. */
struct aurec_iter {
	const char *p;
	const char *end;
	bool in_msg;		/* inside msg='...' of a user record */
};

struct aurec_hdr {
	uint64_t time_ms;	/* audit timestamp, SEC * 1000 + MSEC */
	uint32_t serial;
};

/* Parses the `audit(SEC.MSEC:SERIAL)` prefix of text[0..len) and an optional
 * `:` and blanks after it.  0, *hdr and *it (positioned on the first field)
 * on success; -EBADMSG if the prefix is malformed. */
int aurec_hdr_parse(const char *text, size_t len, struct aurec_hdr *hdr,
		    struct aurec_iter *it);

/* 1 and *f for the next field, 0 at the end, -EBADMSG on an unterminated
 * quote.  Fields are separated by spaces (the kernel's only separator; a
 * bare value runs to the next space).  Words without `=` (as in
 * `avc:  denied {`) are skipped; the
 * `msg='...'` wrapper of user records is unwrapped so its inner fields are
 * returned as fields.  *f points into the text. */
int aurec_next(struct aurec_iter *it, struct aurec_field *f);

/* f's key / value is the string literal lit. */
#define AUREC_KEYIS(f, lit) \
	((f)->klen == sizeof(lit) - 1 && \
	 !memcmp((f)->key, lit, sizeof(lit) - 1))
#define AUREC_VALIS(f, lit) \
	((f)->vlen == sizeof(lit) - 1 && \
	 !memcmp((f)->val, lit, sizeof(lit) - 1))

/* A record's fields as views, for one pass of decoding: the first
 * AUREC_VIEWS, and more set when there were others (read those again with
 * aurec_next() from a copy of the iterator).  it is taken by value.
 * 0, or -EBADMSG on an unterminated quote. */
#define AUREC_VIEWS 64
struct aurec_views {
	unsigned n;
	bool more;
	struct aurec_field f[AUREC_VIEWS];
};
int aurec_tokenize(struct aurec_iter it, struct aurec_views *v);

/* Decimal digits at *pp (before end, at most maxd of them) into *out;
 * advances *pp.  -EBADMSG for no digits or more than maxd. */
int aurec_scan_dec(const char **pp, const char *end, unsigned maxd,
		   uint64_t *out);

/* The raw bytes of a string field (hex decoded when aurec_is_hex()) into
 * out[0..cap), *outlen of them; unset sentinels are 0 bytes.  0, or
 * -E2BIG when cut. */
int aurec_field_raw(const struct aurec_field *f, uint8_t *out, size_t cap,
		    size_t *outlen);

/* true if f is an unquoted, non-empty, even-length run of upper-case hex:
 * the kernel's encoding of an untrusted string. */
bool aurec_is_hex(const struct aurec_field *f);

/* true for the unset sentinels `(null)`, `(none)` and `?` (unquoted). */
bool aurec_is_unset(const struct aurec_field *f);

/* Decodes a string field (quoted text, or hex when aurec_is_hex()) into
 * out[0..cap), always NUL-terminated when cap > 0.  Returns the decoded
 * length (which may contain NULs), or -E2BIG if it did not fit (out then
 * holds the truncated prefix).  Unset sentinels decode to "". */
int aurec_decode_str(const struct aurec_field *f, char *out, size_t cap);

/* Record type names as auditd writes them.  aurec_type_from_name() accepts
 * NAME or UNKNOWN[N]; returns the number or -ENOENT.  aurec_type_name()
 * returns NULL for types it does not know. */
int aurec_type_from_name(const char *name, size_t len);
const char *aurec_type_name(uint16_t type);

/* auditd log line `[node=X ]type=NAME msg=audit(...): ...` (no newline
 * needed; an enriched-format tail after 0x1d is ignored).  0 with *type and
 * *text, *text_len (a view into line) on success; -EBADMSG otherwise. */
int aurec_logline(const char *line, size_t len, uint16_t *type,
		  const char **text, size_t *text_len);

/* One line of the JSONL capture format ({"type":N,"payload":"..."}): the
 * JSON string payload is unescaped into buf[0..cap).  0 on success with
 * *type, *text = buf and *text_len; -EBADMSG if not that format; -E2BIG if
 * the payload does not fit. */
int aurec_jsonl(const char *line, size_t len, char *buf, size_t cap,
		uint16_t *type, const char **text, size_t *text_len);

/* ---- reassembled events ---- */

enum aurec_end {
	AUREC_END_EOE,		/* EOE record */
	AUREC_END_SINGLE,	/* single-record type (USER_*, DAEMON_*...) */
	AUREC_END_PROCTITLE,	/* opts.proctitle_ends */
	AUREC_END_TIMEOUT,	/* idle longer than opts.timeout_ms */
	AUREC_END_EVICTED,	/* in-flight cap reached, oldest pushed out */
	AUREC_END_FLUSH,	/* aurec_asm_flush() */
	AUREC_END_NEWTIME,	/* same serial, different timestamp (replay) */
};

enum aurec_call {
	AUREC_CALL_OTHER = 0,
	AUREC_CALL_SOCKET,
	AUREC_CALL_CONNECT,
	AUREC_CALL_SENDTO,
	AUREC_CALL_SENDMSG,
	AUREC_CALL_SENDMMSG,
	AUREC_CALL_EXECVE,
	AUREC_CALL_URING,	/* an io_uring op that may send: the
				 * io_uring_enter() that submitted it, or
				 * its own URINGOP record (SQPOLL); a[0] is
				 * the ring, never a socket */
};

struct audit_event {
	uint32_t serial;
	uint64_t time_ms;		/* audit timestamp (syscall entry) */
	enum aurec_end end;
	uint32_t nrecords;		/* all records, even past the array */
	uint32_t ntypes;		/* entries used in record_types */
	uint16_t record_types[AUREC_EVENT_TYPES_MAX];

	bool has_syscall;
	uint32_t arch;
	int syscall;
	bool success;
	int64_t exit;
	uint64_t a[4];
	int32_t pid, ppid;		/* -1 if unknown */
	uint32_t uid, gid, euid, auid, ses;	/* UINT32_MAX if unknown */
	char comm[17];
	char exe[AUREC_PATH_MAX];
	char cwd[AUREC_PATH_MAX];
	char key[AUREC_KEY_MAX];	/* several keys joined by 0x01 */

	/* PROCTITLE: argv joined by NUL, at most 128 bytes from the kernel.
	 * proctitle_stale: the event carries EXECVE args and the proctitle is
	 * not their prefix (the kernel caches it per task across execve). */
	uint8_t proctitle[AUREC_PROCTITLE_MAX];
	uint16_t proctitle_len;
	bool proctitle_stale;

	/* EXECVE: each argument followed by NUL, reassembled from a0_len /
	 * a0[0] chunks across records. */
	bool has_execve;
	uint32_t execve_argc;		/* argc= as logged */
	uint32_t args_count;		/* arguments kept in args */
	uint32_t args_len;
	char args[AUREC_ARGS_MAX];

	/* SOCKETCALL (i386 socketcall): real args; call number is a[0]. */
	bool has_socketcall;
	uint32_t socketcall_nargs;
	uint64_t socketcall_args[6];

	/* SOCKADDR, decoded.  v4-mapped IPv6 is reported as AF_INET. */
	bool has_sockaddr;
	int family;
	uint16_t saddr_len;		/* raw sockaddr length in bytes */
	uint8_t addr[16];		/* AF_INET: 4 bytes, AF_INET6: 16 */
	uint16_t port;			/* host order */
	uint32_t scope_id;
	char path[AUREC_UNIX_PATH_MAX + 1];	/* AF_UNIX, NUL-terminated */
	uint16_t path_len;	/* bytes in path (abstract: may hold NUL) */
	bool unix_abstract;	/* path is the name after the leading NUL */
	uint32_t nl_pid, nl_groups;	/* AF_NETLINK */

	/* Something was cut to fit (exe, cwd, key, comm, proctitle, args,
	 * record_types, path). */
	bool truncated;

	/* URINGOP: the io_uring opcode (uring_op=).  Without a SYSCALL
	 * record (an op run by an io-wq or SQPOLL thread) the identity
	 * fields above come from it and exe/comm stay empty. */
	bool has_uringop;
	int uring_op;
};

/* Which network call the event is, across x86_64, i386 (direct calls and
 * socketcall with its SOCKETCALL record) and aarch64.  When args is not
 * NULL it receives the call's real first four arguments (for socketcall,
 * those of the SOCKETCALL record; absent ones are 0). */
enum aurec_call aurec_event_call(const struct audit_event *ev,
				 uint64_t args[4]);

/* "connect" etc.; "other" for AUREC_CALL_OTHER. */
const char *aurec_call_name(enum aurec_call c);

struct aurec_stats {
	uint64_t received;	/* records pushed */
	uint64_t malformed;	/* records rejected with -EBADMSG */
	uint64_t events;	/* events delivered */
	/* Serials never seen, wrap-aware (4294967295 -> 0 is no gap).  A gap
	 * is settled as lost once it is a timeout old, 4096 serials behind
	 * the newest, or at flush; a reordered serial arriving before that is
	 * not lost.  An upper bound on loss: any serial the
	 * kernel used without multicasting a record looks the same. */
	uint64_t lost;
	uint64_t late;		/* records for a serial already delivered or
				 * settled: dropped, never reopen an event */
	uint64_t evicted_inflight;	/* events completed by the cap: the
					 * least recently active goes first */
	uint64_t timed_out;	/* events completed by the idle timeout */
	uint64_t resync;	/* serial jumps too big to be loss (reboot,
				 * several logs concatenated) */
};

struct aurec_asm_opts {
	unsigned max_inflight;	/* events being assembled; 0 -> 64, at most
				 * AUREC_INFLIGHT_MAX (each ~13 KiB) */
	uint64_t timeout_ms;	/* idle time before an event completes; 0 ->
				 * 2000 */
	bool proctitle_ends;	/* PROCTITLE completes a syscall event, for
				 * hosts that exclude EOE; a later EOE for it is
				 * dropped without counting it late */
	void (*on_event)(const struct audit_event *ev, void *data);
	void *data;
};

struct aurec_asm;

/* NULL and errno (EINVAL without on_event, ENOMEM) on failure.  All memory
 * is allocated here, sized by max_inflight. */
struct aurec_asm *aurec_asm_new(const struct aurec_asm_opts *opts);
void aurec_asm_free(struct aurec_asm *a);

/* Adds one record.  Events it completes are delivered (on_event) before it
 * returns; ev pointers are valid only during the callback, which must not
 * call back into this assembler.  0 on success,
 * 1 if the record was late (its serial was already delivered) and dropped,
 * -EBADMSG (counted in malformed) if the record is malformed. */
int aurec_asm_push(struct aurec_asm *a, uint16_t type, const char *text,
		   size_t len, uint64_t now_ms);

/* Completes events idle for timeout_ms or more; returns how many. */
int aurec_asm_tick(struct aurec_asm *a, uint64_t now_ms);

/* Completes every event in flight (oldest first) and settles pending serial
 * gaps as lost; returns how many events. */
int aurec_asm_flush(struct aurec_asm *a);

void aurec_asm_stats(const struct aurec_asm *a, struct aurec_stats *out);

#endif
