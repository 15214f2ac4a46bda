/* aurec.c - audit record tokenizer and event reassembler (no I/O). */
#include "aurec.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bytes.h"

#define KEYIS(f, lit) \
	((f)->klen == sizeof(lit) - 1 && \
	 !memcmp((f)->key, lit, sizeof(lit) - 1))
#define VALIS(f, lit) \
	((f)->vlen == sizeof(lit) - 1 && \
	 !memcmp((f)->val, lit, sizeof(lit) - 1))

/* Serial window for loss and lateness accounting (bits, power of two). */
#define WIN_BITS	4096u
#define WIN_WORDS	(WIN_BITS / 64)
/* A serial jump larger than this is a new stream, not loss. */
#define RESYNC_DIST	(1u << 20)

static const uint8_t blank_tab[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};


static inline bool is_blank(char c)
{
	return blank_tab[(unsigned char)c];
}

/* Hex values run to 8 KB (exe, cwd, EXECVE chunks): check and decode eight
 * characters per step (SWAR) rather than one. */
#define ONES	0x0101010101010101ull
#define HIGHS	0x8080808080808080ull

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return x;
}

/* Bit 7 of each byte set iff that byte is in [lo, hi]; bytes < 0x80. */
static inline uint64_t in_range(uint64_t x, unsigned lo, unsigned hi)
{
	uint64_t ge_lo = x + (0x80 - lo) * ONES;
	uint64_t gt_hi = x + (0x80 - hi - 1) * ONES;

	return ge_lo & ~gt_hi & HIGHS;
}

/* 0x80 in each byte of x equal to c; exact up to the lowest match. */
static inline uint64_t eqmask(uint64_t x, uint8_t c)
{
	uint64_t t = x ^ (c * ONES);

	return (t - ONES) & ~t & HIGHS;
}

/* First space in [p, end), or end: values run to the next space. */
static inline const char *find_space(const char *p, const char *end)
{
	const char *q;
	int words = 0;

	for (; end - p >= 8; p += 8) {
		uint64_t m = eqmask(load64((const uint8_t *)p), ' ');

		if (m)
			return p + (__builtin_ctzll(m) >> 3);
		if (++words == 4) {	/* a long (hex) value */
			q = memchr(p + 8, ' ', (size_t)(end - p - 8));
			return q ? q : end;
		}
	}
	while (p < end && *p != ' ')
		p++;
	return p;
}

/* First '=' or space in [p, end), or end: where a key ends. */
static inline const char *find_keyend(const char *p, const char *end)
{
	for (; end - p >= 8; p += 8) {
		uint64_t x = load64((const uint8_t *)p);
		uint64_t m = eqmask(x, ' ') | eqmask(x, '=');

		if (m)
			return p + (__builtin_ctzll(m) >> 3);
	}
	while (p < end && *p != ' ' && *p != '=')
		p++;
	return p;
}

/* Decimal digits at *pp (at most maxd of them) into *out; advances *pp. */
static inline int scan_dec(const char **pp, const char *end, unsigned maxd,
			   uint64_t *out)
{
	const char *p = *pp;
	const char *lim = (size_t)(end - p) > maxd ? p + maxd : end;
	uint64_t v = 0;
	unsigned d;

	/* maxd <= 19 digits cannot overflow 64 bits */
	while (p < lim && (d = (unsigned)(*p - '0')) < 10) {
		v = v * 10 + d;
		p++;
	}
	if (p == *pp || (p < end && (unsigned)(*p - '0') < 10))
		return -EBADMSG;	/* no digits, or too many */
	*pp = p;
	*out = v;
	return 0;
}

int aurec_hdr_parse(const char *text, size_t len, struct aurec_hdr *hdr,
		    struct aurec_iter *it)
{
	const char *p = text, *end = text + len;
	uint64_t sec, msec, serial;

	hdr->time_ms = 0;
	hdr->serial = 0;
	it->p = it->end = text;
	it->in_msg = false;
	if (len > AUREC_MAX_TEXT || len < 6 || memcmp(p, "audit(", 6))
		return -EBADMSG;
	p += 6;
	if (scan_dec(&p, end, 19, &sec) < 0 || p >= end || *p++ != '.')
		return -EBADMSG;
	if (scan_dec(&p, end, 3, &msec) < 0 || p >= end || *p++ != ':')
		return -EBADMSG;
	if (scan_dec(&p, end, 10, &serial) < 0 || serial > UINT32_MAX)
		return -EBADMSG;
	if (p >= end || *p++ != ')')
		return -EBADMSG;
	if (sec > (UINT64_MAX - 999) / 1000)
		return -EBADMSG;
	/* auditd's own DAEMON_* records have no ':' after the paren */
	if (p < end && *p == ':')
		p++;
	hdr->time_ms = sec * 1000 + msec;
	hdr->serial = (uint32_t)serial;
	it->p = p;
	it->end = end;
	return 0;
}

/* "..." at p: the kernel quotes only values without '"' inside. */
static inline int quoted_value(struct aurec_iter *it, struct aurec_field *f,
			       const char *p)
{
	const char *q = memchr(p + 1, '"', (size_t)(it->end - p - 1));

	if (!q) {
		it->p = it->end;
		return -EBADMSG;
	}
	f->val = p + 1;
	f->vlen = (uint32_t)(q - p - 1);
	f->enc = AUREC_QUOTED;
	it->p = q + 1;
	return 1;
}

static inline __attribute__((always_inline)) int
next_field(struct aurec_iter *it, struct aurec_field *f)
{
	const char *p = it->p, *end = it->end, *k, *v;

	for (;;) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end) {
			it->p = p;
			return 0;
		}
		if (it->in_msg && *p == '\'') {	/* closing quote of msg='' */
			it->in_msg = false;
			p++;
			continue;
		}
		k = p;
		p = find_keyend(p, end);
		if (p >= end || *p != '=' || p == k) {
			/* a word that is not key=value: skip it */
			p = find_space(p, end);
			continue;
		}
		f->key = k;
		f->klen = (uint32_t)(p - k);
		p++;
		if (p < end && *p == '"')
			return quoted_value(it, f, p);
		if (p < end && *p == '\'' && !it->in_msg) {
			/* user records wrap their fields in msg='...' */
			it->in_msg = true;
			p++;
			continue;
		}
		v = p;
		p = find_space(p, end);
		f->val = v;
		f->vlen = (uint32_t)(p - v);
		f->enc = AUREC_BARE;
		if (it->in_msg && f->vlen && v[f->vlen - 1] == '\'') {
			f->vlen--;
			it->in_msg = false;
		}
		it->p = p;
		return 1;
	}
}

int aurec_next(struct aurec_iter *it, struct aurec_field *f)
{
	return next_field(it, f);
}

static bool all_hexup(const uint8_t *v, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x = load64(v + i);

		if ((x & HIGHS) || (in_range(x, '0', '9') |
				    in_range(x, 'A', 'F')) != HIGHS)
			return false;
	}
	for (; i < n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') ||
		      (v[i] >= 'A' && v[i] <= 'F')))
			return false;
	return true;
}

/* '0'-'9' -> low nibble; 'A'-'F' -> low nibble + 9 (bit 6 set). */
static inline unsigned nib(uint8_t c)
{
	return (c & 0xFu) + 9u * (c >> 6);
}

/* n output bytes from 2n upper-case hex characters (already checked). */
static void hex_decode(uint8_t *out, const uint8_t *v, size_t n)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		uint64_t x = load64(v + 2 * i), y;
		uint32_t w;

		x = (x & 0x0F0F0F0F0F0F0F0Full) + 9 * ((x >> 6) & ONES);
		/* little-endian: the first character of a pair is the low byte
		 * of its 16-bit lane and the high nibble of the output */
		y = ((x & 0x000F000F000F000Full) << 4) |
		    ((x >> 8) & 0x000F000F000F000Full);
		y = (y | (y >> 8)) & 0x0000FFFF0000FFFFull;
		y = (y | (y >> 16)) & 0xFFFFFFFFull;
		w = (uint32_t)y;
		memcpy(out + i, &w, 4);
	}
	for (; i < n; i++)
		out[i] = (uint8_t)(nib(v[2 * i]) << 4 | nib(v[2 * i + 1]));
}

bool aurec_is_hex(const struct aurec_field *f)
{
	if (f->enc != AUREC_BARE || f->vlen == 0 || (f->vlen & 1))
		return false;
	return all_hexup((const uint8_t *)f->val, f->vlen);
}

bool aurec_is_unset(const struct aurec_field *f)
{
	return f->enc == AUREC_BARE &&
	       (VALIS(f, "(null)") || VALIS(f, "(none)") || VALIS(f, "?"));
}

/* Raw bytes of a string field into out[0..cap); -E2BIG when cut. */
static int decode_raw(const struct aurec_field *f, uint8_t *out, size_t cap,
		      size_t *outlen)
{
	size_t n, i;

	*outlen = 0;
	if (aurec_is_unset(f))
		return 0;
	if (f->enc == AUREC_BARE && f->vlen && !(f->vlen & 1) &&
	    all_hexup((const uint8_t *)f->val, f->vlen)) {
		n = f->vlen / 2;
		i = n < cap ? n : cap;
		hex_decode(out, (const uint8_t *)f->val, i);
		*outlen = i;
		return i < n ? -E2BIG : 0;
	}
	n = f->vlen;
	i = n < cap ? n : cap;
	memcpy(out, f->val, i);
	*outlen = i;
	return i < n ? -E2BIG : 0;
}

int aurec_decode_str(const struct aurec_field *f, char *out, size_t cap)
{
	size_t n;
	int r;

	if (cap == 0)
		return -E2BIG;
	r = decode_raw(f, (uint8_t *)out, cap - 1, &n);
	out[n] = '\0';
	return r < 0 ? r : (int)n;
}

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

/* ---- record type names ---- */

struct type_name {
	uint16_t type;
	const char *name;
};

/* Most frequent first: the log front end scans this linearly. */
static const struct type_name type_names[] = {
	{ 1300, "SYSCALL" }, { 1327, "PROCTITLE" }, { 1320, "EOE" },
	{ 1306, "SOCKADDR" }, { 1302, "PATH" }, { 1307, "CWD" },
	{ 1309, "EXECVE" }, { 1304, "SOCKETCALL" }, { 1321, "BPRM_FCAPS" },
	{ 1005, "USER" }, { 1006, "LOGIN" }, { 1100, "USER_AUTH" },
	{ 1101, "USER_ACCT" }, { 1102, "USER_MGMT" }, { 1103, "CRED_ACQ" },
	{ 1104, "CRED_DISP" }, { 1105, "USER_START" }, { 1106, "USER_END" },
	{ 1107, "USER_AVC" }, { 1108, "USER_CHAUTHTOK" }, { 1109, "USER_ERR" },
	{ 1110, "CRED_REFR" }, { 1111, "USYS_CONFIG" }, { 1112, "USER_LOGIN" },
	{ 1113, "USER_LOGOUT" }, { 1114, "ADD_USER" }, { 1115, "DEL_USER" },
	{ 1116, "ADD_GROUP" }, { 1117, "DEL_GROUP" }, { 1118, "DAC_CHECK" },
	{ 1119, "CHGRP_ID" }, { 1120, "TEST" }, { 1121, "TRUSTED_APP" },
	{ 1122, "USER_SELINUX_ERR" }, { 1123, "USER_CMD" },
	{ 1124, "USER_TTY" },
	{ 1125, "CHUSER_ID" }, { 1126, "GRP_AUTH" }, { 1127, "SYSTEM_BOOT" },
	{ 1128, "SYSTEM_SHUTDOWN" }, { 1129, "SYSTEM_RUNLEVEL" },
	{ 1130, "SERVICE_START" }, { 1131, "SERVICE_STOP" },
	{ 1132, "GRP_MGMT" }, { 1133, "GRP_CHAUTHTOK" }, { 1134, "MAC_CHECK" },
	{ 1135, "ACCT_LOCK" }, { 1136, "ACCT_UNLOCK" },
	{ 1137, "USER_DEVICE" }, { 1138, "SOFTWARE_UPDATE" },
	{ 1200, "DAEMON_START" }, { 1201, "DAEMON_END" },
	{ 1202, "DAEMON_ABORT" }, { 1203, "DAEMON_CONFIG" },
	{ 1204, "DAEMON_RECONFIG" }, { 1205, "DAEMON_ROTATE" },
	{ 1206, "DAEMON_RESUME" }, { 1207, "DAEMON_ACCEPT" },
	{ 1208, "DAEMON_CLOSE" }, { 1209, "DAEMON_ERR" },
	{ 1301, "FS_WATCH" }, { 1303, "IPC" }, { 1305, "CONFIG_CHANGE" },
	{ 1308, "FS_INODE" }, { 1311, "IPC_SET_PERM" }, { 1312, "MQ_OPEN" },
	{ 1313, "MQ_SENDRECV" }, { 1314, "MQ_NOTIFY" },
	{ 1315, "MQ_GETSETATTR" }, { 1316, "KERNEL_OTHER" },
	{ 1317, "FD_PAIR" }, { 1318, "OBJ_PID" }, { 1319, "TTY" },
	{ 1322, "CAPSET" }, { 1323, "MMAP" }, { 1324, "NETFILTER_PKT" },
	{ 1325, "NETFILTER_CFG" }, { 1326, "SECCOMP" },
	{ 1328, "FEATURE_CHANGE" }, { 1329, "REPLACE" },
	{ 1330, "KERN_MODULE" }, { 1331, "FANOTIFY" },
	{ 1332, "TIME_INJOFFSET" }, { 1333, "TIME_ADJNTPVAL" }, { 1334, "BPF" },
	{ 1335, "EVENT_LISTENER" }, { 1336, "URINGOP" }, { 1337, "OPENAT2" },
	{ 1338, "DM_CTRL" }, { 1339, "DM_EVENT" },
	{ 1400, "AVC" }, { 1401, "SELINUX_ERR" }, { 1402, "AVC_PATH" },
	{ 1403, "MAC_POLICY_LOAD" }, { 1404, "MAC_STATUS" },
	{ 1405, "MAC_CONFIG_CHANGE" }, { 1700, "ANOM_PROMISCUOUS" },
	{ 1701, "ANOM_ABEND" }, { 1702, "ANOM_LINK" }, { 1703, "ANOM_CREAT" },
	{ 2000, "KERNEL" }, { 2100, "ANOM_LOGIN_FAILURES" },
	{ 2101, "ANOM_LOGIN_TIME" }, { 2102, "ANOM_LOGIN_SESSIONS" },
	{ 2103, "ANOM_LOGIN_ACCT" }, { 2104, "ANOM_LOGIN_LOCATION" },
	{ 2300, "USER_ROLE_CHANGE" }, { 2301, "ROLE_ASSIGN" },
	{ 2302, "ROLE_REMOVE" }, { 2309, "FS_RELABEL" },
	{ 2310, "USER_MAC_POLICY_LOAD" }, { 2311, "ROLE_MODIFY" },
	{ 2312, "USER_MAC_CONFIG_CHANGE" }, { 2313, "USER_MAC_STATUS" },
	{ 2400, "CRYPTO_TEST_USER" }, { 2401, "CRYPTO_PARAM_CHANGE_USER" },
	{ 2402, "CRYPTO_LOGIN" }, { 2403, "CRYPTO_LOGOUT" },
	{ 2404, "CRYPTO_KEY_USER" }, { 2405, "CRYPTO_FAILURE_USER" },
	{ 2406, "CRYPTO_REPLAY_USER" }, { 2407, "CRYPTO_SESSION" },
	{ 2408, "CRYPTO_IKE_SA" }, { 2409, "CRYPTO_IPSEC_SA" },
	{ 2500, "VIRT_CONTROL" }, { 2501, "VIRT_RESOURCE" },
	{ 2502, "VIRT_MACHINE_ID" }, { 2503, "VIRT_INTEGRITY_CHECK" },
	{ 2504, "VIRT_CREATE" }, { 2505, "VIRT_DESTROY" },
	{ 2506, "VIRT_MIGRATE_IN" }, { 2507, "VIRT_MIGRATE_OUT" },
};

#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

int aurec_type_from_name(const char *name, size_t len)
{
	const char *p, *end = name + len;
	uint64_t v;
	size_t i;

	if (len > 8 && !memcmp(name, "UNKNOWN[", 8) && name[len - 1] == ']') {
		p = name + 8;
		if (scan_dec(&p, end - 1, 5, &v) < 0 || p != end - 1 ||
		    v > UINT16_MAX)
			return -ENOENT;
		return (int)v;
	}
	if (len == 0)
		return -ENOENT;
	for (i = 0; i < NTYPES; i++) {
		const char *n = type_names[i].name;

		if (n[0] == name[0] && strlen(n) == len &&
		    !memcmp(n, name, len))
			return type_names[i].type;
	}
	return -ENOENT;
}

const char *aurec_type_name(uint16_t type)
{
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return NULL;
}

/* ---- front ends ---- */

int aurec_logline(const char *line, size_t len, uint16_t *type,
		  const char **text, size_t *text_len)
{
	const char *p = line, *end = line + len, *name, *gs;
	int t;

	*type = 0;
	*text = NULL;
	*text_len = 0;
	if ((gs = memchr(line, 0x1d, len)))	/* enriched-format tail */
		end = gs;
	while (end > p && is_blank(end[-1]))
		end--;
	if (end - p > 5 && !memcmp(p, "node=", 5)) {
		while (p < end && !is_blank(*p))
			p++;
		while (p < end && is_blank(*p))
			p++;
	}
	if (end - p < 5 || memcmp(p, "type=", 5))
		return -EBADMSG;
	name = p += 5;
	while (p < end && !is_blank(*p))
		p++;
	if ((t = aurec_type_from_name(name, (size_t)(p - name))) < 0)
		return -EBADMSG;
	while (p < end && is_blank(*p))
		p++;
	if (end - p < 4 || memcmp(p, "msg=", 4))
		return -EBADMSG;
	*type = (uint16_t)t;
	*text = p + 4;
	*text_len = (size_t)(end - p - 4);
	return 0;
}

int aurec_jsonl(const char *line, size_t len, char *buf, size_t cap,
		uint16_t *type, const char **text, size_t *text_len)
{
	struct json_tokener *tok;
	struct json_object *o = NULL, *jt, *jp;
	int64_t t;
	size_t n;
	int r = -EBADMSG;

	*type = 0;
	*text = NULL;
	*text_len = 0;
	if (len > INT_MAX || !(tok = json_tokener_new()))
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "type", &jt) ||
	    !json_object_is_type(jt, json_type_int) ||
	    !json_object_object_get_ex(o, "payload", &jp) ||
	    !json_object_is_type(jp, json_type_string))
		goto out;
	t = json_object_get_int64(jt);
	if (t < 0 || t > UINT16_MAX)
		goto out;
	n = (size_t)json_object_get_string_len(jp);
	if (n > cap) {
		r = -E2BIG;
		goto out;
	}
	memcpy(buf, json_object_get_string(jp), n);
	*type = (uint16_t)t;
	*text = buf;
	*text_len = n;
	r = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return r;
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

	if (KEYIS(f, "pid"))
		set_pid(f, &ev->pid);
	else if (KEYIS(f, "ppid"))
		set_pid(f, &ev->ppid);
	else if (KEYIS(f, "uid"))
		set_u32(f, &ev->uid);
	else if (KEYIS(f, "gid"))
		set_u32(f, &ev->gid);
	else if (KEYIS(f, "euid"))
		set_u32(f, &ev->euid);
	else if (KEYIS(f, "auid"))
		set_u32(f, &ev->auid);
	else if (KEYIS(f, "ses"))
		set_u32(f, &ev->ses);
	else if (KEYIS(f, "comm"))
		put_str(ev, f, ev->comm, sizeof(ev->comm));
	else if (KEYIS(f, "exe"))
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
		if (k[0] == 'k' && KEYIS(f, "key"))
			put_str(ev, f, ev->key, sizeof(ev->key));
		else if (k[0] != 't')		/* tty */
			decode_ident(s, f);
		return;
	case 4:
		if (k[0] == 'a' && KEYIS(f, "arch")) {
			if (num_u64(f, 16, &v) == 0 && v <= UINT32_MAX)
				ev->arch = (uint32_t)v;
		} else if (k[0] == 'e' && KEYIS(f, "exit")) {
			(void)num_i64(f, &ev->exit);
		} else if (k[0] != 's' && !(k[0] == 'e' && k[1] == 'g')) {
			decode_ident(s, f);	/* not suid sgid subj egid */
		}
		return;
	case 7:
		if (KEYIS(f, "syscall")) {
			if (num_u64(f, 10, &v) == 0 && v <= INT_MAX)
				ev->syscall = (int)v;
		} else if (KEYIS(f, "success")) {
			ev->success = VALIS(f, "yes");
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
	(void)decode_raw(f, buf, sizeof(buf), &n);
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
	if (decode_raw(f, (uint8_t *)ev->args + ev->args_len, room, &n) < 0) {
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

	if (KEYIS(f, "argc")) {
		set_u32(f, &s->ev.execve_argc);
		return;
	}
	if (f->key[0] != 'a' || scan_dec(&p, end, 9, &idx) < 0)
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
		if (KEYIS(f, "saddr") && aurec_is_hex(f))
			decode_saddr_field(ev, f);
		break;
	case AUREC_T_CWD:
		if (KEYIS(f, "cwd"))
			put_str(ev, f, ev->cwd, sizeof(ev->cwd));
		break;
	case AUREC_T_PROCTITLE:
		if (KEYIS(f, "proctitle")) {
			if (decode_raw(f, ev->proctitle, sizeof(ev->proctitle),
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
		if (KEYIS(f, "uring_op")) {
			if (num_u64(f, 10, &v) == 0 && v <= 255)
				ev->uring_op = (int)v;
		} else if (!ev->has_syscall) {
			/* an op of its own: it names the task */
			if (KEYIS(f, "key"))
				put_str(ev, f, ev->key, sizeof(ev->key));
			else if (KEYIS(f, "success"))
				ev->success = VALIS(f, "yes");
			else if (KEYIS(f, "exit"))
				(void)num_i64(f, &ev->exit);
			else
				decode_ident(s, f);
		}
		break;
	case AUREC_T_SOCKETCALL:
		ev->has_socketcall = true;
		if (KEYIS(f, "nargs"))
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
#define VIEWS 64

struct views {
	unsigned n;
	bool more;
	struct aurec_field f[VIEWS];
};

static int tokenize(struct aurec_iter it, struct views *v)
{
	struct aurec_field spill;
	int r;

	v->n = 0;
	v->more = false;
	for (;;) {
		struct aurec_field *f = v->n < VIEWS ? &v->f[v->n] : &spill;

		if ((r = next_field(&it, f)) <= 0)
			return r;
		if (v->n < VIEWS)
			v->n++;
		else
			v->more = true;
	}
}

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
		       const struct views *v)
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
	struct views v;
	bool fresh = false;
	int i;

	a->st.received++;
	if (hdr_cached(a, text, len, &hdr, &it) < 0 || tokenize(it, &v) < 0) {
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
