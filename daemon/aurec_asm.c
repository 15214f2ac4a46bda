/* aurec_asm.c - audit events: records grouped by serial and decoded into
 * struct audit_event, completed on EOE, single-record types, an idle
 * timeout or the in-flight cap; loss and lateness from the serial window
 * (no I/O).  The records themselves: aurec.c. */
#include "aurec.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

/* Serial window for loss and lateness accounting (bits, power of two). */
#define WIN_BITS	4096u
#define WIN_WORDS	(WIN_BITS / 64)
/* A serial jump larger than this is a new stream, not loss. */
#define RESYNC_DIST	(1u << 20)

/* ---- numbers ---- */

static int num_u64(const struct aurec_field *f, int base, uint64_t *out)
{
	const unsigned char *p = (const unsigned char *)f->val;
	uint64_t v = 0;
	uint32_t i, n = f->vlen;
	unsigned d;

	/* up to 19 decimal or 16 hex digits cannot overflow */
	if (n == 0 || n > (base == 10 ? 20u : 16u))
		return -EBADMSG;
	if (base == 16) {
		for (i = 0; i < n; i++) {
			int h = hex_digit(p[i]);

			if (h < 0)
				return -EBADMSG;
			v = v << 4 | (unsigned)h;
		}
	} else {
		for (i = 0; i < n; i++) {
			d = (unsigned)p[i] - '0';
			if (d > 9 || (n == 20 && v > (UINT64_MAX - d) / 10))
				return -EBADMSG;
			v = v * 10 + d;
		}
	}
	*out = v;
	return 0;
}

static int num_i64(const struct aurec_field *f, int64_t *out)
{
	struct aurec_field g = *f;
	uint64_t v;
	bool neg = g.vlen && g.val[0] == '-';

	if (neg) {
		g.val++;
		g.vlen--;
	}
	if (num_u64(&g, 10, &v) < 0 || v > (uint64_t)INT64_MAX + neg)
		return -EBADMSG;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static inline void set_u32(const struct aurec_field *f, uint32_t *out)
{
	uint64_t v;

	if (num_u64(f, 10, &v) == 0 && v <= UINT32_MAX)
		*out = (uint32_t)v;
}

static inline void set_pid(const struct aurec_field *f, int32_t *out)
{
	uint64_t v;

	if (num_u64(f, 10, &v) == 0 && v <= INT32_MAX)
		*out = (int32_t)v;
}

/* ---- event helpers ---- */

/* IORING_OP_SENDMSG, CONNECT, SEND, SEND_ZC, SENDMSG_ZC */
static bool aurec_uring_op_sends(int op)
{
	return op == 9 || op == 16 || op == 26 || op == 47 || op == 48;
}

enum aurec_call aurec_event_call(const struct audit_event *ev,
				 uint64_t args[4])
{
	static const struct {
		uint32_t arch;
		int nr;
		enum aurec_call call;
	} tab[] = {
		{ AUREC_ARCH_X86_64, 41, AUREC_CALL_SOCKET },
		{ AUREC_ARCH_X86_64, 42, AUREC_CALL_CONNECT },
		{ AUREC_ARCH_X86_64, 44, AUREC_CALL_SENDTO },
		{ AUREC_ARCH_X86_64, 46, AUREC_CALL_SENDMSG },
		{ AUREC_ARCH_X86_64, 307, AUREC_CALL_SENDMMSG },
		{ AUREC_ARCH_X86_64, 59, AUREC_CALL_EXECVE },
		{ AUREC_ARCH_X86_64, 322, AUREC_CALL_EXECVE },
		{ AUREC_ARCH_I386, 359, AUREC_CALL_SOCKET },
		{ AUREC_ARCH_I386, 362, AUREC_CALL_CONNECT },
		{ AUREC_ARCH_I386, 369, AUREC_CALL_SENDTO },
		{ AUREC_ARCH_I386, 370, AUREC_CALL_SENDMSG },
		{ AUREC_ARCH_I386, 345, AUREC_CALL_SENDMMSG },
		{ AUREC_ARCH_I386, 11, AUREC_CALL_EXECVE },
		{ AUREC_ARCH_I386, 358, AUREC_CALL_EXECVE },
		{ AUREC_ARCH_AARCH64, 198, AUREC_CALL_SOCKET },
		{ AUREC_ARCH_AARCH64, 203, AUREC_CALL_CONNECT },
		{ AUREC_ARCH_AARCH64, 206, AUREC_CALL_SENDTO },
		{ AUREC_ARCH_AARCH64, 211, AUREC_CALL_SENDMSG },
		{ AUREC_ARCH_AARCH64, 269, AUREC_CALL_SENDMMSG },
		{ AUREC_ARCH_AARCH64, 221, AUREC_CALL_EXECVE },
		{ AUREC_ARCH_AARCH64, 281, AUREC_CALL_EXECVE },
	};
	enum aurec_call c = AUREC_CALL_OTHER;
	size_t i;

	if (args)
		memcpy(args, ev->a, sizeof(ev->a));
	if (!ev->has_syscall)
		return ev->has_uringop && aurec_uring_op_sends(ev->uring_op) ?
		       AUREC_CALL_URING : c;
	/* io_uring_enter is 426 on x86_64, i386 and aarch64 alike */
	if (ev->syscall == 426 && (ev->arch == AUREC_ARCH_X86_64 ||
				   ev->arch == AUREC_ARCH_I386 ||
				   ev->arch == AUREC_ARCH_AARCH64))
		return AUREC_CALL_URING;
	if (ev->arch == AUREC_ARCH_I386 && ev->syscall == 102) {
		/* socketcall(call, args): the SOCKETCALL record has the args */
		switch (ev->a[0]) {
		case 1: c = AUREC_CALL_SOCKET; break;
		case 3: c = AUREC_CALL_CONNECT; break;
		case 9: /* send: sendto without an address */
		case 11: c = AUREC_CALL_SENDTO; break;
		case 16: c = AUREC_CALL_SENDMSG; break;
		case 20: c = AUREC_CALL_SENDMMSG; break;
		default: break;
		}
		if (args) {
			memset(args, 0, 4 * sizeof(args[0]));
			if (ev->has_socketcall)
				memcpy(args, ev->socketcall_args,
				       4 * sizeof(args[0]));
		}
		return c;
	}
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].arch == ev->arch && tab[i].nr == ev->syscall)
			return tab[i].call;
	return c;
}

const char *aurec_call_name(enum aurec_call c)
{
	static const char *const names[] = {
		"other", "socket", "connect", "sendto", "sendmsg", "sendmmsg",
		"execve", "io_uring",
	};

	if ((unsigned)c >= sizeof(names) / sizeof(names[0]))
		return "other";
	return names[c];
}

/* ---- reassembly ---- */

struct slot {
	struct audit_event ev;
	uint64_t last_ms;
	int prev, next;		/* LRU order, least recently touched first */
	int hnext;		/* hash chain */
	int cur_arg;		/* EXECVE argument being filled, -1 none */
	bool arg_open, args_full, ident;
};

struct aurec_asm {
	struct aurec_asm_opts o;
	struct slot *slots;
	int *hash;
	unsigned cap, hmask, inflight;
	int free_head, lru_head, lru_tail;
	struct aurec_stats st;
	/* serials [lo, hi) are unsettled; bit s % WIN_BITS says seen */
	bool seen_any;
	uint32_t lo, hi;
	uint64_t win[WIN_WORDS];
	/* serials below mark_hi are settled once mark_ms is timeout old */
	uint32_t mark_hi;
	uint64_t mark_ms;
	/* the records of an event share their `audit(...):` prefix: the last
	 * one parsed is kept so the next can skip the digits */
	struct aurec_hdr last_hdr;
	uint8_t last_plen;
	char last_prefix[48];
};

struct aurec_asm *aurec_asm_new(const struct aurec_asm_opts *opts)
{
	struct aurec_asm *a;
	unsigned i, hsize = 1;

	if (!opts || !opts->on_event ||
	    opts->max_inflight > AUREC_INFLIGHT_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if (!(a = calloc(1, sizeof(*a))))
		return NULL;
	a->o = *opts;
	a->cap = opts->max_inflight ? opts->max_inflight : 64;
	if (!a->o.timeout_ms)
		a->o.timeout_ms = 2000;
	while (hsize < 2 * a->cap)
		hsize <<= 1;
	a->hmask = hsize - 1;
	a->slots = calloc(a->cap, sizeof(*a->slots));
	a->hash = malloc(hsize * sizeof(*a->hash));
	if (!a->slots || !a->hash) {
		aurec_asm_free(a);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < hsize; i++)
		a->hash[i] = -1;
	for (i = 0; i < a->cap; i++)
		a->slots[i].next = i + 1 < a->cap ? (int)i + 1 : -1;
	a->free_head = 0;
	a->lru_head = a->lru_tail = -1;
	return a;
}

void aurec_asm_free(struct aurec_asm *a)
{
	if (!a)
		return;
	free(a->slots);
	free(a->hash);
	free(a);
}

void aurec_asm_stats(const struct aurec_asm *a, struct aurec_stats *out)
{
	*out = a->st;
}

static unsigned hslot(const struct aurec_asm *a, uint32_t serial)
{
	return (serial * 2654435761u) & a->hmask;
}

static int find(const struct aurec_asm *a, uint32_t serial)
{
	int i = a->hash[hslot(a, serial)];

	while (i >= 0 && a->slots[i].ev.serial != serial)
		i = a->slots[i].hnext;
	return i;
}

static void lru_unlink(struct aurec_asm *a, int i)
{
	struct slot *s = &a->slots[i];

	if (s->prev >= 0)
		a->slots[s->prev].next = s->next;
	else
		a->lru_head = s->next;
	if (s->next >= 0)
		a->slots[s->next].prev = s->prev;
	else
		a->lru_tail = s->prev;
}

static void lru_append(struct aurec_asm *a, int i)
{
	struct slot *s = &a->slots[i];

	s->prev = a->lru_tail;
	s->next = -1;
	if (a->lru_tail >= 0)
		a->slots[a->lru_tail].next = i;
	else
		a->lru_head = i;
	a->lru_tail = i;
}

static void args_close(struct slot *s)
{
	struct audit_event *ev = &s->ev;

	if (!s->arg_open)
		return;
	ev->args[ev->args_len++] = '\0';	/* room was reserved */
	ev->args_count++;
	s->arg_open = false;
}

static bool proctitle_is_stale(const struct audit_event *ev)
{
	size_t n = ev->proctitle_len < ev->args_len ? ev->proctitle_len :
						       ev->args_len;

	return ev->has_execve && ev->args_len && ev->proctitle_len &&
	       memcmp(ev->proctitle, ev->args, n) != 0;
}

static void deliver(struct aurec_asm *a, int i, enum aurec_end end)
{
	struct slot *s = &a->slots[i];
	int *pp = &a->hash[hslot(a, s->ev.serial)];

	args_close(s);
	s->ev.proctitle_stale = proctitle_is_stale(&s->ev);
	s->ev.end = end;
	if (end == AUREC_END_EVICTED)
		a->st.evicted_inflight++;
	else if (end == AUREC_END_TIMEOUT)
		a->st.timed_out++;
	a->st.events++;
	a->o.on_event(&s->ev, a->o.data);
	while (*pp != i)
		pp = &a->slots[*pp].hnext;
	*pp = s->hnext;
	lru_unlink(a, i);
	s->next = a->free_head;
	a->free_head = i;
	a->inflight--;
}

static void ev_reset(struct slot *s, uint32_t serial, uint64_t time_ms)
{
	struct audit_event *ev = &s->ev;

	/* the big buffers are only reset to "", not cleared */
	memset(ev, 0, offsetof(struct audit_event, comm));
	ev->serial = serial;
	ev->time_ms = time_ms;
	ev->pid = ev->ppid = -1;
	ev->uid = ev->gid = ev->euid = ev->auid = ev->ses = UINT32_MAX;
	ev->comm[0] = ev->exe[0] = ev->cwd[0] = ev->key[0] = '\0';
	ev->proctitle_len = 0;
	ev->proctitle_stale = ev->has_execve = false;
	ev->execve_argc = ev->args_count = ev->args_len = 0;
	ev->has_socketcall = false;
	ev->socketcall_nargs = 0;
	memset(ev->socketcall_args, 0, sizeof(ev->socketcall_args));
	ev->has_sockaddr = false;
	ev->family = 0;
	ev->saddr_len = ev->port = ev->path_len = 0;
	ev->scope_id = ev->nl_pid = ev->nl_groups = 0;
	memset(ev->addr, 0, sizeof(ev->addr));
	ev->path[0] = '\0';
	ev->unix_abstract = ev->truncated = false;
	ev->has_uringop = false;
	ev->uring_op = 0;
	s->cur_arg = -1;
	s->arg_open = s->args_full = s->ident = false;
}

/* ---- serial window: loss and lateness ---- */

static bool win_test(const struct aurec_asm *a, uint32_t s)
{
	uint32_t b = s & (WIN_BITS - 1);

	return a->win[b / 64] >> (b % 64) & 1;
}

static void win_set(struct aurec_asm *a, uint32_t s, bool on)
{
	uint32_t b = s & (WIN_BITS - 1);

	if (on)
		a->win[b / 64] |= 1ull << (b % 64);
	else
		a->win[b / 64] &= ~(1ull << (b % 64));
}

/* Settles serials [lo, upto): the ones never seen are lost. */
static void settle(struct aurec_asm *a, uint32_t upto)
{
	uint32_t span = upto - a->lo;

	if (span > a->hi - a->lo) {		/* past everything seen */
		settle(a, a->hi);
		a->st.lost += (uint32_t)(upto - a->hi);
		a->lo = a->hi = upto;
		return;
	}
	while (a->lo != upto) {
		uint32_t b = a->lo & (WIN_BITS - 1);

		if (b % 64 == 0 && upto - a->lo >= 64) {	/* whole word */
			a->st.lost += 64 - (unsigned)__builtin_popcountll(
						   a->win[b / 64]);
			a->win[b / 64] = 0;
			a->lo += 64;
			continue;
		}
		if (!win_test(a, a->lo))
			a->st.lost++;
		win_set(a, a->lo, false);
		a->lo++;
	}
}

static void resync(struct aurec_asm *a, uint32_t s)
{
	settle(a, a->hi);
	a->st.resync++;
	a->lo = a->hi = a->mark_hi = s;
}

/* 0 if s is new (now marked seen), 1 if it was already seen or settled. */
static int win_admit(struct aurec_asm *a, uint32_t s)
{
	int32_t d;

	if (!a->seen_any) {
		a->seen_any = true;
		a->lo = a->hi = a->mark_hi = s;
	}
	d = (int32_t)(s - a->lo);
	if (d < 0 && (uint32_t)-(int64_t)d > RESYNC_DIST)
		resync(a, s);
	else if (d < 0)
		return 1;
	else if ((uint32_t)d > RESYNC_DIST)
		resync(a, s);
	else if ((uint32_t)d >= WIN_BITS)
		settle(a, s - WIN_BITS + 1);
	if ((uint32_t)(s - a->lo) < a->hi - a->lo && win_test(a, s))
		return 1;
	win_set(a, s, true);
	if ((int32_t)(s - a->hi) >= 0)
		a->hi = s + 1;
	return 0;
}

/* Gaps older than one timeout are loss, not reordering. */
static void mark_check(struct aurec_asm *a, uint64_t now_ms)
{
	if (!a->seen_any || now_ms - a->mark_ms < a->o.timeout_ms ||
	    now_ms < a->mark_ms)
		return;
	if ((uint32_t)(a->mark_hi - a->lo) <= a->hi - a->lo)
		settle(a, a->mark_hi);
	a->mark_hi = a->hi;
	a->mark_ms = now_ms;
}

/* ---- decoding records into the event ---- */

static void put_str(struct audit_event *ev, const struct aurec_field *f,
		    char *out, size_t cap)
{
	if (aurec_decode_str(f, out, cap) < 0)
		ev->truncated = true;
}

static void decode_ident(struct slot *s, const struct aurec_field *f)
{
	struct audit_event *ev = &s->ev;

	if (AUREC_KEYIS(f, "pid"))
		set_pid(f, &ev->pid);
	else if (AUREC_KEYIS(f, "ppid"))
		set_pid(f, &ev->ppid);
	else if (AUREC_KEYIS(f, "uid"))
		set_u32(f, &ev->uid);
	else if (AUREC_KEYIS(f, "gid"))
		set_u32(f, &ev->gid);
	else if (AUREC_KEYIS(f, "euid"))
		set_u32(f, &ev->euid);
	else if (AUREC_KEYIS(f, "auid"))
		set_u32(f, &ev->auid);
	else if (AUREC_KEYIS(f, "ses"))
		set_u32(f, &ev->ses);
	else if (AUREC_KEYIS(f, "comm"))
		put_str(ev, f, ev->comm, sizeof(ev->comm));
	else if (AUREC_KEYIS(f, "exe"))
		put_str(ev, f, ev->exe, sizeof(ev->exe));
}

/* SYSCALL fields by length and first byte: a record has ~27 of them. */
static void decode_syscall(struct slot *s, const struct aurec_field *f)
{
	struct audit_event *ev = &s->ev;
	const char *k = f->key;
	uint64_t v;

	switch (f->klen) {
	case 2:
		if (k[0] == 'a' && k[1] >= '0' && k[1] <= '3')
			(void)num_u64(f, 16, &ev->a[k[1] - '0']);
		return;
	case 3:
		if (k[0] == 'k' && AUREC_KEYIS(f, "key"))
			put_str(ev, f, ev->key, sizeof(ev->key));
		else if (k[0] != 't')		/* tty */
			decode_ident(s, f);
		return;
	case 4:
		if (k[0] == 'a' && AUREC_KEYIS(f, "arch")) {
			if (num_u64(f, 16, &v) == 0 && v <= UINT32_MAX)
				ev->arch = (uint32_t)v;
		} else if (k[0] == 'e' && AUREC_KEYIS(f, "exit")) {
			(void)num_i64(f, &ev->exit);
		} else if (k[0] != 's' && !(k[0] == 'e' && k[1] == 'g')) {
			decode_ident(s, f);	/* not suid sgid subj egid */
		}
		return;
	case 7:
		if (AUREC_KEYIS(f, "syscall")) {
			if (num_u64(f, 10, &v) == 0 && v <= INT_MAX)
				ev->syscall = (int)v;
		} else if (AUREC_KEYIS(f, "success")) {
			ev->success = AUREC_VALIS(f, "yes");
		}
		return;
	default:
		return;				/* items fsuid fsgid ... */
	}
}

/* sun_path bytes: a path ends at its NUL (the kernel logs the caller's
 * addrlen, junk may follow); an abstract name starts with NUL and is
 * exactly len bytes. */
static void decode_unix(struct audit_event *ev, const uint8_t *p, size_t len)
{
	size_t cut;

	if (len && p[0] == 0) {
		ev->unix_abstract = true;
		p++;
		len--;
	} else {
		const uint8_t *z = memchr(p, 0, len);

		if (z)
			len = (size_t)(z - p);
	}
	cut = len < AUREC_UNIX_PATH_MAX ? len : AUREC_UNIX_PATH_MAX;
	ev->truncated |= cut < len;
	memcpy(ev->path, p, cut);
	ev->path[cut] = '\0';
	ev->path_len = (uint16_t)cut;
}

static void decode_sockaddr(struct audit_event *ev, const uint8_t *b, size_t n)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };
	uint16_t fam;

	ev->has_sockaddr = true;
	ev->saddr_len = (uint16_t)n;
	if (n < 2)
		return;
	memcpy(&fam, b, 2);			/* host byte order */
	ev->family = fam;
	if (fam == 2 && n >= 8) {		/* AF_INET */
		ev->port = (uint16_t)(b[2] << 8 | b[3]);
		memcpy(ev->addr, b + 4, 4);
	} else if (fam == 10 && n >= 24) {	/* AF_INET6 */
		ev->port = (uint16_t)(b[2] << 8 | b[3]);
		if (!memcmp(b + 8, mapped, 12)) {
			ev->family = 2;
			memcpy(ev->addr, b + 20, 4);
		} else {
			memcpy(ev->addr, b + 8, 16);
			if (n >= 28)
				memcpy(&ev->scope_id, b + 24, 4);
		}
	} else if (fam == 1) {			/* AF_UNIX */
		decode_unix(ev, b + 2, n - 2);
	} else if (fam == 16 && n >= 12) {	/* AF_NETLINK */
		memcpy(&ev->nl_pid, b + 4, 4);
		memcpy(&ev->nl_groups, b + 8, 4);
	}
}

/* Apart from decode_field() so its hot path has no array to guard. */
static void decode_saddr_field(struct audit_event *ev,
			       const struct aurec_field *f)
{
	uint8_t buf[128];
	size_t n;

	/* only the head matters; a longer tail is padding */
	(void)aurec_field_raw(f, buf, sizeof(buf), &n);
	decode_sockaddr(ev, buf, n);
	ev->saddr_len = (uint16_t)(f->vlen / 2 > UINT16_MAX ? UINT16_MAX :
				   f->vlen / 2);
}

/* EXECVE argument text into the args buffer, keeping room for its NUL. */
static void args_put(struct slot *s, const struct aurec_field *f)
{
	struct audit_event *ev = &s->ev;
	size_t room, n;

	if (s->args_full)
		return;
	room = AUREC_ARGS_MAX - ev->args_len - 1;
	if (aurec_field_raw(f, (uint8_t *)ev->args + ev->args_len, room, &n) < 0) {
		s->args_full = true;
		ev->truncated = true;
	}
	ev->args_len += (uint32_t)n;
}

static void args_open(struct slot *s, int idx)
{
	if (s->arg_open && s->cur_arg == idx)
		return;
	args_close(s);
	s->cur_arg = idx;
	if (s->args_full || s->ev.args_len >= AUREC_ARGS_MAX) {
		s->args_full = true;
		s->ev.truncated = true;
		return;
	}
	s->arg_open = true;
}

/* a<N>, a<N>_len, a<N>[<M>] */
static void decode_execve(struct slot *s, const struct aurec_field *f)
{
	const char *p = f->key + 1, *end = f->key + f->klen;
	uint64_t idx;

	if (AUREC_KEYIS(f, "argc")) {
		set_u32(f, &s->ev.execve_argc);
		return;
	}
	if (f->key[0] != 'a' || aurec_scan_dec(&p, end, 9, &idx) < 0)
		return;
	if (p == end) {				/* whole argument */
		args_open(s, (int)idx);
		if (s->arg_open)
			args_put(s, f);
		args_close(s);
	} else if (end - p == 4 && !memcmp(p, "_len", 4)) {
		args_open(s, (int)idx);
	} else if (*p == '[') {			/* one chunk of it */
		args_open(s, (int)idx);
		if (s->arg_open)
			args_put(s, f);
	}
}

static void decode_field(struct slot *s, uint16_t type,
			 const struct aurec_field *f)
{
	struct audit_event *ev = &s->ev;
	size_t n;
	uint64_t v;

	switch (type) {
	case AUREC_T_SYSCALL:
		decode_syscall(s, f);
		break;
	case AUREC_T_SOCKADDR:
		if (AUREC_KEYIS(f, "saddr") && aurec_is_hex(f))
			decode_saddr_field(ev, f);
		break;
	case AUREC_T_CWD:
		if (AUREC_KEYIS(f, "cwd"))
			put_str(ev, f, ev->cwd, sizeof(ev->cwd));
		break;
	case AUREC_T_PROCTITLE:
		if (AUREC_KEYIS(f, "proctitle")) {
			if (aurec_field_raw(f, ev->proctitle, sizeof(ev->proctitle),
				       &n) < 0)
				ev->truncated = true;
			ev->proctitle_len = (uint16_t)n;
		}
		break;
	case AUREC_T_EXECVE:
		ev->has_execve = true;
		decode_execve(s, f);
		break;
	case AUREC_T_URINGOP:
		ev->has_uringop = true;
		if (AUREC_KEYIS(f, "uring_op")) {
			if (num_u64(f, 10, &v) == 0 && v <= 255)
				ev->uring_op = (int)v;
		} else if (!ev->has_syscall) {
			/* an op of its own: it names the task */
			if (AUREC_KEYIS(f, "key"))
				put_str(ev, f, ev->key, sizeof(ev->key));
			else if (AUREC_KEYIS(f, "success"))
				ev->success = AUREC_VALIS(f, "yes");
			else if (AUREC_KEYIS(f, "exit"))
				(void)num_i64(f, &ev->exit);
			else
				decode_ident(s, f);
		}
		break;
	case AUREC_T_SOCKETCALL:
		ev->has_socketcall = true;
		if (AUREC_KEYIS(f, "nargs"))
			set_u32(f, &ev->socketcall_nargs);
		else if (f->klen == 2 && f->key[0] == 'a' &&
			 f->key[1] >= '0' && f->key[1] <= '5' &&
			 num_u64(f, 16, &v) == 0)
			ev->socketcall_args[f->key[1] - '0'] = v;
		break;
	default:
		/* records before SYSCALL (or without one) may name the task */
		if (!ev->has_syscall && !s->ident)
			decode_ident(s, f);
		break;
	}
}

static bool single_record_type(uint16_t t)
{
	return t == AUREC_T_USER || (t >= 1100 && t <= 1299) || t == 2000 ||
	       (t >= 2100 && t <= 2999);
}

/* The record's fields, tokenized once and checked before any of them
 * touches an event.  Records with more fields than fit (long EXECVE) are
 * tokenized again while decoding. */
static bool type_decoded(uint16_t type)
{
	switch (type) {
	case AUREC_T_SYSCALL: case AUREC_T_SOCKADDR: case AUREC_T_CWD:
	case AUREC_T_PROCTITLE: case AUREC_T_EXECVE: case AUREC_T_SOCKETCALL:
	case AUREC_T_URINGOP:
		return true;
	default:
		return false;
	}
}

static void add_record(struct slot *s, uint16_t type, struct aurec_iter it,
		       const struct aurec_views *v)
{
	struct audit_event *ev = &s->ev;
	struct aurec_field f;
	unsigned i;

	if (ev->ntypes < AUREC_EVENT_TYPES_MAX)
		ev->record_types[ev->ntypes++] = type;
	else
		ev->truncated = true;
	ev->nrecords++;
	if (type == AUREC_T_SYSCALL) {
		ev->has_syscall = true;
		ev->pid = ev->ppid = -1;
		ev->comm[0] = ev->exe[0] = '\0';
	}
	/* other records only matter while no SYSCALL names the task */
	if (!type_decoded(type) && (ev->has_syscall || s->ident))
		return;
	if (v->more) {
		while (aurec_next(&it, &f) > 0)
			decode_field(s, type, &f);
	} else {
		for (i = 0; i < v->n; i++)
			decode_field(s, type, &v->f[i]);
	}
	if (type != AUREC_T_SYSCALL && ev->pid >= 0)
		s->ident = true;
}

static int slot_get(struct aurec_asm *a, uint32_t serial, uint64_t time_ms)
{
	unsigned h;
	int i;

	if (a->inflight == a->cap)
		deliver(a, a->lru_head, AUREC_END_EVICTED);
	i = a->free_head;
	a->free_head = a->slots[i].next;
	ev_reset(&a->slots[i], serial, time_ms);
	h = hslot(a, serial);
	a->slots[i].hnext = a->hash[h];
	a->hash[h] = i;
	lru_append(a, i);
	a->inflight++;
	return i;
}

/* aurec_hdr_parse(), or the cached result when the prefix is the same. */
static int hdr_cached(struct aurec_asm *a, const char *text, size_t len,
		      struct aurec_hdr *hdr, struct aurec_iter *it)
{
	size_t plen;
	int r;

	if (a->last_plen && len >= a->last_plen && len <= AUREC_MAX_TEXT &&
	    !memcmp(text, a->last_prefix, a->last_plen)) {
		*hdr = a->last_hdr;
		it->p = text + a->last_plen;
		it->end = text + len;
		it->in_msg = false;
		return 0;
	}
	a->last_plen = 0;
	if ((r = aurec_hdr_parse(text, len, hdr, it)) < 0)
		return r;
	plen = (size_t)(it->p - text);
	if (plen <= sizeof(a->last_prefix)) {
		memcpy(a->last_prefix, text, plen);
		a->last_plen = (uint8_t)plen;
		a->last_hdr = *hdr;
	}
	return 0;
}

int aurec_asm_push(struct aurec_asm *a, uint16_t type, const char *text,
		   size_t len, uint64_t now_ms)
{
	struct aurec_hdr hdr;
	struct aurec_iter it;
	struct aurec_views v;
	bool fresh = false;
	int i;

	a->st.received++;
	if (hdr_cached(a, text, len, &hdr, &it) < 0 || aurec_tokenize(it, &v) < 0) {
		a->st.malformed++;
		return -EBADMSG;
	}
	mark_check(a, now_ms);
	i = find(a, hdr.serial);
	if (i >= 0 && a->slots[i].ev.time_ms != hdr.time_ms) {
		deliver(a, i, AUREC_END_NEWTIME);	/* a serial reused */
		i = -1;
		fresh = true;
	}
	if (i < 0) {
		if (win_admit(a, hdr.serial) && !fresh) {
			if (!(a->o.proctitle_ends && type == AUREC_T_EOE))
				a->st.late++;
			return 1;
		}
		i = slot_get(a, hdr.serial, hdr.time_ms);
	} else {
		lru_unlink(a, i);
		lru_append(a, i);
	}
	a->slots[i].last_ms = now_ms;
	add_record(&a->slots[i], type, it, &v);
	if (type == AUREC_T_EOE)
		deliver(a, i, AUREC_END_EOE);
	else if (single_record_type(type) && a->slots[i].ev.nrecords == 1)
		deliver(a, i, AUREC_END_SINGLE);
	else if (type == AUREC_T_PROCTITLE && a->o.proctitle_ends &&
		 a->slots[i].ev.has_syscall)
		deliver(a, i, AUREC_END_PROCTITLE);
	return 0;
}

int aurec_asm_tick(struct aurec_asm *a, uint64_t now_ms)
{
	int n = 0;

	mark_check(a, now_ms);
	while (a->lru_head >= 0 &&
	       now_ms >= a->slots[a->lru_head].last_ms &&
	       now_ms - a->slots[a->lru_head].last_ms >= a->o.timeout_ms) {
		deliver(a, a->lru_head, AUREC_END_TIMEOUT);
		n++;
	}
	return n;
}

int aurec_asm_flush(struct aurec_asm *a)
{
	int n = 0;

	while (a->lru_head >= 0) {
		deliver(a, a->lru_head, AUREC_END_FLUSH);
		n++;
	}
	if (a->seen_any) {
		settle(a, a->hi);
		a->mark_hi = a->hi;
	}
	return n;
}
