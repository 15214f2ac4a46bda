/* fuzz_event.c - a connection event built from arbitrary process, flow
 * and name fields (what a local process controls: exe path, cwd, cmdline,
 * cgroup names in a delegated subtree, the names it resolves), written the
 * way emit.c writes it, then framed as the syslog sink frames it.
 *
 * Input: 48 bytes of fixed fields (see below), then up to NSTR strings,
 * each a 2-byte little-endian length and its bytes, each cut to the cap
 * the daemon's own readers put on that field.  A line that is written must
 * be one valid JSON object (UTF-8 checked) ending in '\n'; the cmdline cut
 * must keep the line under EVENT_SOFT_MAX when the other fields leave
 * room; and the RFC 5424 frame must hold the line unchanged. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "event.h"
#include "fuzz.h"
#include "rfc5424.h"

#define FIXED		48
#define HOST_MAX	64	/* gethostname */

enum { S_COMM, S_EXE, S_CWD, S_CMDLINE, S_CGROUP, S_UNIT, S_CID, S_RUNTIME,
       S_MD5, S_SHA1, S_HOST, S_RULE, S_NODE, NSTR };

/* Longest each field gets from its reader (procfs.h, cgroup.h, dns.h,
 * rules.h). */
static const size_t caps[NSTR] = {
	[S_COMM] = 15, [S_EXE] = 4095, [S_CWD] = 4095, [S_CMDLINE] = 4096,
	[S_CGROUP] = 4095, [S_UNIT] = 255, [S_CID] = 255, [S_RUNTIME] = 15,
	[S_MD5] = 32, [S_SHA1] = 40, [S_HOST] = 253, [S_RULE] = 255,
	[S_NODE] = HOST_MAX,
};

struct strs {
	char *s[NSTR];		/* NUL-terminated copies, NULL when absent */
	size_t len[NSTR];
};

static uint64_t le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void take_strings(const uint8_t *p, size_t n, struct strs *st)
{
	for (unsigned i = 0; i < NSTR && n >= 2; i++) {
		size_t len = (size_t)le(p, 2);

		p += 2;
		n -= 2;
		if (len > n)
			len = n;
		st->len[i] = len < caps[i] ? len : caps[i];
		if (!(st->s[i] = malloc(st->len[i] + 1)))
			abort();
		memcpy(st->s[i], p, st->len[i]);
		st->s[i][st->len[i]] = '\0';
		/* Only the cmdline keeps its NULs (argv separators). */
		if (i != S_CMDLINE)
			st->len[i] = strlen(st->s[i]);
		p += len;
		n -= len;
	}
}

/* Bytes of escaped output s can take at most (every byte \u00XX). */
static size_t worst(const struct strs *st, unsigned i)
{
	return st->s[i] ? 6 * st->len[i] + 16 : 0;
}

static void check_line(const char *line, size_t n)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o, *v;

	if (!tok || n < 2 || line[n - 1] != '\n' || memchr(line, '\n', n - 1))
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)(n - 1));
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != n - 1 ||
	    !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "type", &v) ||
	    strcmp(json_object_get_string(v), "connection") ||
	    !json_object_object_get_ex(o, "process", &v))
		abort();
	json_object_put(o);
	json_tokener_free(tok);
}

static bool plain(const char *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

/* The cmdline is cut so the line stays under EVENT_SOFT_MAX, counting
 * cwd and EVENT_TAIL_RESERVE for what follows it: the promise holds when
 * cwd needs no escapes, the members after the cmdline fit the reserve
 * (about 320 bytes of them are fixed keys and numbers), and what comes
 * before it leaves room. */
static bool soft_cap_applies(const struct conn_event *ev, const struct strs *st)
{
	size_t after = worst(st, S_CGROUP) + worst(st, S_UNIT) + worst(st, S_CID) +
		       worst(st, S_RUNTIME) + worst(st, S_MD5) + worst(st, S_SHA1);
	size_t before = worst(st, S_EXE) + worst(st, S_COMM) + worst(st, S_RULE) +
			worst(st, S_HOST) + worst(st, S_NODE) + 1024;

	return ev->proc && st->s[S_CMDLINE] && plain(st->s[S_CWD], st->len[S_CWD]) &&
	       after + 320 <= EVENT_TAIL_RESERVE &&
	       before + st->len[S_CWD] + EVENT_TAIL_RESERVE < EVENT_SOFT_MAX;
}

/* The syslog sink's frame (logsink.c sink_syslog) holds the line. */
static void check_frame(const char *line, size_t n, const struct timespec *ts,
			const char *node)
{
	const size_t cap = RFC5424_HEADER_MAX + EVENT_LINE_MAX;
	const struct rfc5424_hdr h = {
		.facility = RFC5424_FAC_DAEMON, .severity = RFC5424_SEV_INFO,
		.ts = ts, .hostname = node, .app_name = "tattled",
		.procid = 4242, .msgid = "connection",
	};
	char *frame = malloc(cap);
	int r;

	if (!frame)
		abort();
	r = rfc5424_format(&h, line, n, frame, cap);
	if (r < (int)n ||
	    memcmp(frame + (size_t)r - (n - 1), line, n - 1))
		abort();
	free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strs st = { { 0 }, { 0 } };
	struct proc_info pi;
	struct flow f;
	struct timespec ts;
	struct conn_event ev;
	struct jw w;
	char *line;
	size_t others = 0;
	int n;

	if (size < FIXED || size > 40000)
		return 0;
	take_strings(data + FIXED, size - FIXED, &st);
	memset(&pi, 0, sizeof(pi));
	pi.pid = (pid_t)le(data + 4, 4);
	pi.ppid = (pid_t)le(data + 8, 4);
	pi.uid = (uint32_t)le(data + 12, 4);
	pi.gid = (uint32_t)le(data + 16, 4);
	pi.exe_deleted = data[0] & 1;
	pi.cmdline_truncated = data[0] & 2;
	if (st.s[S_COMM])
		memcpy(pi.comm, st.s[S_COMM], st.len[S_COMM] + 1);
	pi.exe = st.s[S_EXE];
	pi.cwd = st.s[S_CWD];
	pi.cmdline = st.s[S_CMDLINE];
	pi.cmdline_len = st.len[S_CMDLINE];
	pi.cgroup = st.s[S_CGROUP];
	pi.unit = st.s[S_UNIT];
	pi.container_id = st.s[S_CID];
	if (st.s[S_RUNTIME])
		memcpy(pi.container_runtime, st.s[S_RUNTIME], st.len[S_RUNTIME] + 1);
	if (st.s[S_MD5])
		memcpy(pi.md5, st.s[S_MD5], st.len[S_MD5] + 1);
	if (st.s[S_SHA1])
		memcpy(pi.sha1, st.s[S_SHA1], st.len[S_SHA1] + 1);

	memset(&f, 0, sizeof(f));
	f.family = data[1] & 1 ? AF_INET6 : AF_INET;
	f.proto = data[2];
	f.flags = data[3] & 3;
	f.sport = (uint16_t)le(data + 20, 2);
	f.dport = (uint16_t)le(data + 22, 2);
	memcpy(f.src, data + 24, 8);
	memcpy(f.dst, data + 32, 16);

	memset(&ev, 0, sizeof(ev));
	ev.verdict = (enum action)(data[1] >> 1 & 3) % ACTION_COUNT;
	ev.reason = (enum verdict_reason)((data[1] >> 3) % REASON_COUNT);
	ev.source = (enum attrib_source)((data[3] >> 2 & 7) % ATTRIB_SRC_COUNT);
	ev.confidence = (enum attrib_confidence)((data[3] >> 5) % ATTRIB_CONF_COUNT);
	ev.rule = st.s[S_RULE];
	ev.flow = &f;
	ev.dst_host = st.s[S_HOST];
	ev.proc = data[0] & 4 ? NULL : &pi;
	ev.attrib_us = le(data + 8, 8);
	ev.verdict_us = le(data + 12, 8);
	ev.prompt_id = data[0] & 8 ? (uint32_t)le(data + 4, 4) : 0;
	ts.tv_sec = (time_t)(le(data + 16, 5));
	ts.tv_nsec = (long)(le(data + 20, 4) % 1000000000u);

	/* emit_begin, event_put_conn, emit_end */
	if (!(line = malloc(EVENT_LINE_MAX)))
		abort();
	jw_init(&w, line, EVENT_LINE_MAX);
	event_begin(&w, "connection", le(data + 40, 8), &ts);
	jw_kstr(&w, "host", st.s[S_NODE]);
	event_put_conn(&w, &ev);
	jw_obj_end(&w);
	n = jw_finish(&w);

	for (unsigned i = 0; i < NSTR; i++)
		if (i != S_CMDLINE)
			others += worst(&st, i);
	if (n < 0) {
		/* Lost only when the fields themselves could not fit: the
		 * cmdline is cut to EVENT_SOFT_MAX. */
		if (others + EVENT_SOFT_MAX + 2048 < EVENT_LINE_MAX)
			abort();
	} else {
		check_line(line, (size_t)n);
		check_frame(line, (size_t)n, &ts, st.s[S_NODE]);
		if (soft_cap_applies(&ev, &st) && (size_t)n > EVENT_SOFT_MAX)
			abort();
	}
	free(line);
	for (unsigned i = 0; i < NSTR; i++)
		free(st.s[i]);
	return 0;
}
