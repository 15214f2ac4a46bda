/* procnet.c - /proc/net/{tcp,udp,udplite}{,6} parser and tuple lookup. */
#include "procnet.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "bytes.h"
#include "packet.h"

/* Read chunk: many lines per read(), and a whole line always fits. */
#define PROCNET_CHUNK		(64 * 1024)
#define PROCNET_FIELDS		10	/* sl .. inode */

/* Split the next space-separated token off [*p, end). */
static bool next_token(const char **p, const char *end, const char **tok,
		       size_t *len)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	*tok = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*len = (size_t)(s - *tok);
	*p = s;
	return *len > 0;
}

/* Exactly n (1..8) hex digits. */
static int parse_hex32(const char *s, size_t n, uint32_t *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 8)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		int d = hex_digit(s[i]);

		if (d < 0)
			return -EBADMSG;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

/* 1..20 decimal digits, no overflow. */
static int parse_dec64(const char *s, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 20)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || *v > (UINT64_MAX - d) / 10)
			return -EBADMSG;
		*v = *v * 10 + d;
	}
	return 0;
}

/* "HEXADDR:PORT": 8 (IPv4) or 32 (IPv6) hex digits in 32-bit words. */
static int parse_endpoint(const char *s, size_t n, int family, uint8_t *addr,
			  uint16_t *port)
{
	size_t alen = family == AF_INET6 ? 32 : 8, i;
	uint32_t w;

	if (n != alen + 5 || s[alen] != ':')
		return -EBADMSG;
	for (i = 0; i < alen / 8; i++) {
		if (parse_hex32(s + i * 8, 8, &w) < 0)
			return -EBADMSG;
		memcpy(addr + i * 4, &w, 4);	/* host order: see procnet.h */
	}
	if (parse_hex32(s + alen + 1, 4, &w) < 0)
		return -EBADMSG;
	*port = (uint16_t)w;
	return 0;
}

/* Split the fixed fields; the trailing ones (refcount, pointer, ...) are
 * ignored. */
static int split_fields(const char *line, size_t len, const char **tok,
			size_t *tlen)
{
	const char *p = line, *end = line + len;
	int i;

	for (i = 0; i < PROCNET_FIELDS; i++)
		if (!next_token(&p, end, &tok[i], &tlen[i]))
			return -EBADMSG;
	return 0;
}

int procnet_parse_line(const char *line, size_t len, int family,
		       struct procnet_entry *e)
{
	const char *tok[PROCNET_FIELDS];
	size_t tlen[PROCNET_FIELDS];
	uint64_t v;
	uint32_t st;

	memset(e, 0, sizeof(*e));
	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	if (split_fields(line, len, tok, tlen) < 0)
		return -EBADMSG;
	if (tok[0][tlen[0] - 1] != ':' ||
	    parse_dec64(tok[0], tlen[0] - 1, &v) < 0)
		return -EBADMSG;	/* also the header line */
	if (parse_endpoint(tok[1], tlen[1], family, e->local, &e->lport) < 0 ||
	    parse_endpoint(tok[2], tlen[2], family, e->remote, &e->rport) < 0)
		return -EBADMSG;
	if (parse_hex32(tok[3], tlen[3], &st) < 0 || tlen[3] != 2)
		return -EBADMSG;
	e->state = (uint8_t)st;
	if (parse_dec64(tok[7], tlen[7], &v) < 0 || v > UINT32_MAX)
		return -EBADMSG;
	e->uid = (uint32_t)v;
	if (parse_dec64(tok[9], tlen[9], &e->inode) < 0)
		return -EBADMSG;
	e->family = (uint8_t)family;
	return 0;
}

static bool is_header(const char *line, size_t len)
{
	static const char h[] = "sl";
	const char *tok, *p = line;
	size_t n;

	return next_token(&p, line + len, &tok, &n) && n == 2 &&
	       memcmp(tok, h, 2) == 0;
}

int procnet_parse(const char *buf, size_t len, int family, procnet_cb cb,
		  void *data, size_t *bad)
{
	const char *p = buf, *end = buf + len;
	struct procnet_entry e;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int r = 0;

		if (n > PROCNET_LINE_MAX ||
		    procnet_parse_line(p, n, family, &e) < 0) {
			if (bad && n > 0 && !is_header(p, n))
				(*bad)++;
		} else {
			r = cb(&e, data);
		}
		if (r != 0)
			return r;
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

/* Parse the whole lines in buf[0, *fill) and keep the tail for the next
 * read.  A line that fills the buffer without a newline is dropped. */
static int feed_chunk(char *buf, size_t *fill, bool eof, int family,
		      procnet_cb cb, void *data, size_t *bad)
{
	const char *last = memrchr(buf, '\n', *fill);
	size_t whole = eof ? *fill : last ? (size_t)(last - buf) + 1 : 0;
	int r;

	if (whole == 0 && *fill == PROCNET_CHUNK) {
		if (bad)
			(*bad)++;
		*fill = 0;	/* overlong: its rest parses as junk, counted */
		return 0;
	}
	r = procnet_parse(buf, whole, family, cb, data, bad);
	memmove(buf, buf + whole, *fill - whole);
	*fill -= whole;
	return r;
}

int procnet_read(const char *path, int family, procnet_cb cb, void *data,
		 size_t *bad)
{
	char *buf = NULL;
	size_t fill = 0;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(PROCNET_CHUNK);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		n = read(fd, buf + fill, PROCNET_CHUNK - fill);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		fill += (size_t)n;
		r = feed_chunk(buf, &fill, n == 0, family, cb, data, bad);
		if (n == 0 || r != 0)
			break;
	}
out:
	free(buf);
	close(fd);
	return r;
}

/* The search state of procnet_lookup across its tables. */
struct match {
	const struct flow *f;
	bool mapped;		/* IPv4 flow against a v6 table */
	bool have_exact, exact_mapped;
	bool have_wild, wild_mapped, wild_specific;
	struct procnet_entry exact, wild;
};

static bool addr_is_any(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, sizeof(zero)) == 0;
}

/* Entry address (table family) against a flow address (flow family). */
static bool addr_match(const struct match *m, const uint8_t *ea,
		       const uint8_t *fa)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (m->mapped)
		return memcmp(ea, v4mapped, 12) == 0 && memcmp(ea + 12, fa, 4) == 0;
	return memcmp(ea, fa, m->f->family == AF_INET6 ? 16 : 4) == 0;
}

/* A socket that may stand in for a missing exact one: a live TCP listener,
 * or a UDP socket with no remote. */
static bool wild_ok(uint8_t proto, const struct procnet_entry *e)
{
	if (!e->inode)
		return false;
	if (proto == IPPROTO_TCP)
		return e->state == TCP_LISTEN;
	return e->rport == 0 && addr_is_any(e->remote);
}

static int match_cb(const struct procnet_entry *e, void *data)
{
	struct match *m = data;
	const struct flow *f = m->f;
	bool local_eq;

	if (e->lport != f->sport)
		return 0;
	local_eq = addr_match(m, e->local, f->src);
	if (!local_eq && !addr_is_any(e->local))
		return 0;
	if (local_eq && e->rport == f->dport && addr_match(m, e->remote, f->dst)) {
		m->exact = *e;
		m->have_exact = true;
		m->exact_mapped = m->mapped;
		return e->inode ? 1 : 0;
	}
	if (!wild_ok(f->proto, e) || (m->have_wild && !local_eq) ||
	    (m->have_wild && m->wild_specific))
		return 0;
	m->wild = *e;
	m->have_wild = true;
	m->wild_mapped = m->mapped;
	m->wild_specific = local_eq;	/* a bound address beats 0.0.0.0 */
	return 0;
}

static void fill_out(const struct procnet_entry *e, uint8_t proto,
		     uint8_t flags, struct sockdiag_sock *out)
{
	out->inode = e->inode;
	out->uid = e->uid;
	out->state = e->state;
	out->family = e->family;
	out->proto = proto;
	out->flags = flags;
}

static const char *table_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_UDPLITE:
		return "udplite";
	default:
		return NULL;
	}
}

/* Scan one table; a table that does not exist (no IPv6, no UDPLite) is
 * not an error. */
static int scan_table(const char *procroot, const char *name, bool v6,
		      struct match *m)
{
	char path[4096];
	int r, n;

	n = snprintf(path, sizeof(path), "%s/net/%s%s", procroot, name,
		     v6 ? "6" : "");
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	m->mapped = v6 && m->f->family == AF_INET;
	r = procnet_read(path, v6 ? AF_INET6 : AF_INET, match_cb, m, NULL);
	if (r == -ENOENT)
		r = 0;
	return r < 0 ? r : 0;
}

/* The result once every table is scanned: exact, TIME_WAIT, stand-in. */
static int decide(const struct match *m, uint8_t proto,
		  struct sockdiag_sock *out)
{
	uint8_t fl;

	if (m->have_exact && m->exact.inode) {
		fill_out(&m->exact, proto,
			 m->exact_mapped ? SOCKDIAG_F_V4MAPPED : 0, out);
		return 0;
	}
	if (m->have_exact && m->exact.state == TCP_TIME_WAIT &&
	    proto == IPPROTO_TCP) {
		out->flags = SOCKDIAG_F_TIME_WAIT;
		return -ENOENT;
	}
	if (!m->have_wild)
		return -ENOENT;
	fl = proto == IPPROTO_TCP ? SOCKDIAG_F_LISTEN : SOCKDIAG_F_WILDCARD;
	if (m->wild_mapped)
		fl |= SOCKDIAG_F_V4MAPPED;
	fill_out(&m->wild, proto, fl, out);
	return 0;
}

int procnet_lookup(const char *procroot, const struct flow *f,
		   struct sockdiag_sock *out)
{
	struct match m = { .f = f };
	const char *name;
	int r;

	memset(out, 0, sizeof(*out));
	name = table_name(f->proto);
	if (!name || (f->family != AF_INET && f->family != AF_INET6))
		return -EPROTONOSUPPORT;
	if (f->family == AF_INET) {
		r = scan_table(procroot, name, false, &m);
		if (r < 0)
			return r;
		if (m.have_exact && m.exact.inode)
			return decide(&m, f->proto, out);
	}
	r = scan_table(procroot, name, true, &m);
	if (r < 0)
		return r;
	return decide(&m, f->proto, out);
}
