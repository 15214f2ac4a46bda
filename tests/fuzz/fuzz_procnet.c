/* fuzz_procnet.c - arbitrary bytes as a /proc/PID/net/{tcp,udp}{,6}
 * table (nssock reads these from other namespaces).  First byte: bit 0
 * IPv6 table, bit 1 UDP, bit 2 also look a flow up through the file
 * reader (procnet_lookup over a scratch procroot), bit 3 that flow is IPv4
 * against the v6 table, bits 4-7 stop the walk after that many entries.
 * Every entry decoded must print back (as the kernel prints it) to a line
 * that decodes to the same entry, and a socket found must be one of the
 * table's entries on the flow's source port. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "packet.h"
#include "procnet.h"

struct walk {
	int family;
	size_t n, stop;
	bool have_first;
	struct procnet_entry first;
	const struct sockdiag_sock *found;	/* second pass: look for it */
	uint16_t sport;
	bool seen;
};

static char root[64];		/* scratch procroot, made once */

static void cleanup(void)
{
	static const char *const t[] = { "tcp", "tcp6", "udp", "udp6" };
	char p[96];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(p, sizeof(p), "%s/net/%s", root, t[i]);
		(void)unlink(p);
	}
	snprintf(p, sizeof(p), "%s/net", root);
	(void)rmdir(p);
	(void)rmdir(root);
}

/* The line the kernel prints for e (tcp4_seq_show / tcp6 / udp). */
static int print_line(const struct procnet_entry *e, char *buf, size_t cap)
{
	const uint32_t *l = (const void *)e->local, *r = (const void *)e->remote;

	if (e->family == AF_INET)
		return snprintf(buf, cap, "%4d: %08X:%04X %08X:%04X %02X "
				"00000000:00000000 00:00000000 00000000 %5u "
				"0 %llu 1 0000000000000000 100 0 0 10 0",
				3, l[0], e->lport, r[0], e->rport, e->state,
				e->uid, (unsigned long long)e->inode);
	return snprintf(buf, cap, "%4d: %08X%08X%08X%08X:%04X "
			"%08X%08X%08X%08X:%04X %02X 00000000:00000000 "
			"00:00000000 00000000 %5u 0 %llu 2 0000000000000000 0",
			3, l[0], l[1], l[2], l[3], e->lport, r[0], r[1], r[2],
			r[3], e->rport, e->state, e->uid,
			(unsigned long long)e->inode);
}

static int walk_cb(const struct procnet_entry *e, void *data)
{
	struct walk *w = data;
	struct procnet_entry again;
	char line[PROCNET_LINE_MAX];
	int n;

	if (e->family != w->family)
		abort();
	if (w->found) {
		if (e->inode == w->found->inode && e->lport == w->sport)
			w->seen = true;
		return 0;
	}
	n = print_line(e, line, sizeof(line));
	if (n <= 0 || (size_t)n >= sizeof(line) ||
	    procnet_parse_line(line, (size_t)n, w->family, &again) < 0 ||
	    memcmp(&again, e, sizeof(again)))
		abort();
	if (!w->have_first) {
		w->first = *e;
		w->have_first = true;
	}
	return ++w->n == w->stop ? 7 : 0;
}

static int write_table(const char *name, const uint8_t *data, size_t size)
{
	char p[96];
	int fd;
	bool ok;

	if (!root[0]) {
		snprintf(root, sizeof(root), "/tmp/fuzz_procnet.XXXXXX");
		if (!mkdtemp(root))
			abort();
		snprintf(p, sizeof(p), "%s/net", root);
		if (mkdir(p, 0700) < 0)
			abort();
		atexit(cleanup);
	}
	snprintf(p, sizeof(p), "%s/net/%s", root, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	ok = write(fd, data, size) == (ssize_t)size;
	close(fd);
	return ok ? 0 : -EIO;
}

static void lookup(uint8_t mode, const struct walk *w, const uint8_t *data,
		   size_t size)
{
	static const char *const names[] = { "tcp", "tcp6", "udp", "udp6" };
	struct walk again = { .family = w->family };
	struct sockdiag_sock s;
	struct flow f;
	char p[96];
	int r;

	if (write_table(names[mode & 3], data, size) < 0)
		return;
	memset(&f, 0, sizeof(f));
	f.proto = mode & 2 ? IPPROTO_UDP : IPPROTO_TCP;
	f.family = (uint8_t)w->family;
	f.sport = w->first.lport;
	f.dport = w->first.rport;
	memcpy(f.src, w->first.local, 16);
	memcpy(f.dst, w->first.remote, 16);
	if (w->family == AF_INET6 && (mode & 8)) {
		f.family = AF_INET;	/* as ::ffff:a.b.c.d */
		memmove(f.src, f.src + 12, 4);
		memmove(f.dst, f.dst + 12, 4);
		memset(f.src + 4, 0, 12);
		memset(f.dst + 4, 0, 12);
	}
	r = procnet_lookup(root, &f, &s);
	if (r == 0) {
		/* It must be an entry of this table, on our source port. */
		again.found = &s;
		again.sport = f.sport;
		snprintf(p, sizeof(p), "%s/net/%s", root, names[mode & 3]);
		if (procnet_read(p, w->family, walk_cb, &again, NULL) < 0 ||
		    !again.seen || s.proto != f.proto || s.family != w->family)
			abort();
	} else if (r != -ENOENT) {
		abort();
	}
	snprintf(p, sizeof(p), "%s/net/%s", root, names[mode & 3]);
	(void)unlink(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk w = { 0 };
	struct procnet_entry e;
	size_t bad = 0;
	int r;

	if (size < 1 || size > 256 * 1024)
		return 0;
	w.family = data[0] & 1 ? AF_INET6 : AF_INET;
	w.stop = data[0] >> 4;
	(void)procnet_parse_line((const char *)data + 1, size - 1, w.family, &e);
	r = procnet_parse((const char *)data + 1, size - 1, w.family, walk_cb,
			  &w, &bad);
	if (r != 0 && (r != 7 || w.n != w.stop))
		abort();
	if (data[0] & 4)
		lookup(data[0], &w, data + 1, size - 1);
	return 0;
}
