/* aurec.c - audit records: tokenizer, field values, type names and the
 * log/JSONL front ends (no I/O).  Events: aurec_asm.c. */
#include "aurec.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

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

int aurec_scan_dec(const char **pp, const char *end, unsigned maxd,
		   uint64_t *out)
{
	return scan_dec(pp, end, maxd, out);
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

int aurec_tokenize(struct aurec_iter it, struct aurec_views *v)
{
	struct aurec_field spill;
	int r;

	v->n = 0;
	v->more = false;
	for (;;) {
		struct aurec_field *f = v->n < AUREC_VIEWS ? &v->f[v->n] : &spill;

		if ((r = next_field(&it, f)) <= 0)
			return r;
		if (v->n < AUREC_VIEWS)
			v->n++;
		else
			v->more = true;
	}
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
	       (AUREC_VALIS(f, "(null)") || AUREC_VALIS(f, "(none)") || AUREC_VALIS(f, "?"));
}

int aurec_field_raw(const struct aurec_field *f, uint8_t *out, size_t cap,
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
	r = aurec_field_raw(f, (uint8_t *)out, cap - 1, &n);
	out[n] = '\0';
	return r < 0 ? r : (int)n;
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
