/* event.c - see event.h. */
#include "event.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *event_time_str(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char base[24];

	if (!gmtime_r(&ts->tv_sec, &tm) ||
	    !strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(base, sizeof(base), "1970-01-01T00:00:00");
	snprintf(buf, len, "%s.%06ldZ", base, ts->tv_nsec / 1000);
	return buf;
}

void event_begin(struct jw *w, const char *type, uint64_t seq,
		 const struct timespec *ts)
{
	char tbuf[40];

	jw_obj_begin(w);
	jw_kint(w, "v", EVENT_SCHEMA_VERSION);
	jw_kuint(w, "seq", seq);
	jw_kstr(w, "type", type);
	jw_kstr(w, "ts", event_time_str(ts, tbuf, sizeof(tbuf)));
}

/* n bytes of s at most, backed off to a UTF-8 character boundary. */
static size_t utf8_prefix(const char *s, size_t len, size_t n)
{
	if (n >= len)
		return len;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* One argument, or as much of it as fits budget bytes of output (counted
 * from start); false when it was cut.  A try that does not fit is undone
 * by restoring the writer. */
static bool event_put_arg(struct jw *w, const char *arg, size_t alen,
			  size_t start, size_t budget)
{
	const struct jw saved = *w;
	size_t room;

	jw_strn(w, arg, alen);
	if (w->len - start <= budget)
		return true;
	*w = saved;
	room = budget - (saved.len - start);
	if (room < 8)
		return false;
	/* Plain text first; escapes take up to 6 bytes per input byte, so the
	 * second try always fits (quotes and comma: 3 bytes). */
	jw_strn(w, arg, utf8_prefix(arg, alen, room - 3));
	if (w->len - start > budget) {
		*w = saved;
		jw_strn(w, arg, utf8_prefix(arg, alen, (room - 3) / 6));
	}
	return false;
}

/* Output bytes s takes as a JSON string, at most: control characters,
 * quote and backslash are escaped (6), bytes that are not ASCII become at
 * most U+FFFD (3). */
static size_t event_json_len(const char *s)
{
	size_t n = 2;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		n += c < 0x20 || c == '"' || c == '\\' ? 6 : c >= 0x80 ? 3 : 1;
	}
	return n;
}

/* What a capped field written after the cmdline may take (key included). */
static size_t event_field_room(const char *s)
{
	size_t n = s ? event_json_len(s) : 4;

	return (n < EVENT_FIELD_MAX ? n : EVENT_FIELD_MAX) + 24;
}

/* "key": s, cut to EVENT_FIELD_MAX bytes of output; a cut adds
 * "key_truncated": true.  Paths come from the process (deep directories,
 * cgroup names in a delegated subtree): uncapped, a local user could grow
 * the line past EVENT_LINE_MAX and make its own events disappear. */
static void event_put_capped(struct jw *w, const char *key, const char *s)
{
	char flag[32];
	size_t start;

	jw_key(w, key);
	if (!s) {
		jw_null(w);
		return;
	}
	start = w->len;
	if (event_put_arg(w, s, strlen(s), start, EVENT_FIELD_MAX))
		return;
	if (w->len == start)
		jw_strn(w, "", 0);
	snprintf(flag, sizeof(flag), "%s_truncated", key);
	jw_kbool(w, flag, true);
}

/* Returns true when the cmdline was cut (here or by /proc). */
static bool event_put_cmdline(struct jw *w, const struct proc_info *pi)
{
	size_t i = 0, n = pi->cmdline_len, start, budget, used;

	jw_key(w, "cmdline");
	if (!pi->cmdline) {
		jw_null(w);
		return pi->cmdline_truncated;
	}
	used = w->len + EVENT_TAIL_RESERVE + event_field_room(pi->cwd) +
	       event_field_room(pi->cgroup) + event_field_room(pi->unit) +
	       event_field_room(pi->container_id);
	budget = used < EVENT_SOFT_MAX ? EVENT_SOFT_MAX - used : 0;
	jw_arr_begin(w);
	start = w->len;
	while (i < n) {
		const char *arg = pi->cmdline + i;
		const char *end = memchr(arg, '\0', n - i);
		size_t alen = end ? (size_t)(end - arg) : n - i;

		if (!event_put_arg(w, arg, alen, start, budget)) {
			jw_arr_end(w);
			return true;
		}
		i += alen + 1;
	}
	jw_arr_end(w);
	return pi->cmdline_truncated;
}

/* cgroup, unit, container (DESIGN.md), and hashes when computed. */
static void event_put_identity(struct jw *w, const struct proc_info *pi)
{
	event_put_capped(w, "cgroup", pi->cgroup);
	event_put_capped(w, "unit", pi->unit);
	jw_key(w, "container");
	if (pi->container_id && pi->container_runtime[0]) {
		jw_obj_begin(w);
		jw_kstr(w, "runtime", pi->container_runtime);
		event_put_capped(w, "id", pi->container_id);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	if (!pi->md5[0] && !pi->sha1[0])
		return;
	jw_key(w, "hash");
	jw_obj_begin(w);
	if (pi->md5[0])
		jw_kstr(w, "md5", pi->md5);
	if (pi->sha1[0])
		jw_kstr(w, "sha1", pi->sha1);
	jw_obj_end(w);
}

void event_put_process(struct jw *w, const struct proc_info *pi)
{
	jw_key(w, "process");
	if (!pi) {
		jw_null(w);
		return;
	}
	jw_obj_begin(w);
	jw_kint(w, "pid", pi->pid);
	jw_kint(w, "ppid", pi->ppid);
	jw_kuint(w, "uid", pi->uid);
	jw_kuint(w, "gid", pi->gid);
	jw_kstr(w, "comm", pi->comm[0] ? pi->comm : NULL);
	event_put_capped(w, "exe", pi->exe);
	if (pi->exe_deleted)
		jw_kbool(w, "exe_deleted", true);
	if (event_put_cmdline(w, pi))
		jw_kbool(w, "cmdline_truncated", true);
	event_put_capped(w, "cwd", pi->cwd);
	jw_kbool(w, "verified", pi->verified);
	event_put_identity(w, pi);
	jw_obj_end(w);
}

static void event_put_endpoint(struct jw *w, const char *key, int family,
			       const uint8_t *addr, uint16_t port,
			       bool has_port, const char *host, bool with_host)
{
	char ip[64];

	jw_key(w, key);
	jw_obj_begin(w);
	jw_kstr(w, "ip", flow_addr_str(family, addr, ip, sizeof(ip)));
	jw_key(w, "port");
	if (has_port)
		jw_uint(w, port);
	else
		jw_null(w);
	if (with_host)
		jw_kstr(w, "host", host);
	jw_obj_end(w);
}

void event_put_flow(struct jw *w, const struct flow *f, const char *dst_host)
{
	const char *pname = packet_proto_name(f->proto);
	bool ports = !(f->flags & FLOW_F_NO_L4) &&
		     (f->sport || f->dport || f->proto == 6 || f->proto == 17);
	char num[8];

	if (!pname) {
		snprintf(num, sizeof(num), "%u", f->proto);
		pname = num;
	}
	jw_kstr(w, "proto", pname);
	jw_kstr(w, "family", f->family == AF_INET6 ? "ipv6" : "ipv4");
	event_put_endpoint(w, "src", f->family, f->src, f->sport, ports,
			   NULL, false);
	event_put_endpoint(w, "dst", f->family, f->dst, f->dport, ports,
			   dst_host, true);
}

void event_put_conn(struct jw *w, const struct conn_event *ev)
{
	jw_kstr(w, "verdict", action_name(ev->verdict));
	jw_kstr(w, "reason", verdict_reason_name(ev->reason));
	jw_kstr(w, "rule", ev->rule);
	event_put_flow(w, ev->flow, ev->dst_host);
	event_put_process(w, ev->proc);
	jw_key(w, "attribution");
	jw_obj_begin(w);
	jw_kstr(w, "source", attrib_source_name(ev->source));
	jw_kstr(w, "confidence", attrib_confidence_name(ev->confidence));
	jw_kuint(w, "us", ev->attrib_us);
	jw_obj_end(w);
	jw_kuint(w, "verdict_us", ev->verdict_us);
	if (ev->prompt_id)
		jw_kuint(w, "prompt_id", ev->prompt_id);
}
