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

static void event_put_cmdline(struct jw *w, const struct proc_info *pi)
{
	size_t i = 0, n = pi->cmdline_len;

	jw_key(w, "cmdline");
	if (!pi->cmdline) {
		jw_null(w);
		return;
	}
	jw_arr_begin(w);
	while (i < n) {
		const char *arg = pi->cmdline + i;
		const char *end = memchr(arg, '\0', n - i);
		size_t alen = end ? (size_t)(end - arg) : n - i;

		jw_strn(w, arg, alen);
		i += alen + 1;
	}
	jw_arr_end(w);
}

/* cgroup, unit, container (DESIGN.md), and hashes when computed. */
static void event_put_identity(struct jw *w, const struct proc_info *pi)
{
	jw_kstr(w, "cgroup", pi->cgroup);
	jw_kstr(w, "unit", pi->unit);
	jw_key(w, "container");
	if (pi->container_id && pi->container_runtime[0]) {
		jw_obj_begin(w);
		jw_kstr(w, "runtime", pi->container_runtime);
		jw_kstr(w, "id", pi->container_id);
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
	jw_kstr(w, "exe", pi->exe);
	if (pi->exe_deleted)
		jw_kbool(w, "exe_deleted", true);
	event_put_cmdline(w, pi);
	jw_kstr(w, "cwd", pi->cwd);
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
