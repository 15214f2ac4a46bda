/* fmt.c - see fmt.h. */
#include "fmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "conn.h"

void fmt_sanitize(char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

const char *fmt_program(const struct json_object *proc)
{
	const char *comm = jstr(proc, "comm"), *exe = jstr(proc, "exe"), *b;

	if (comm && comm[0])
		return comm;
	if (exe && (b = strrchr(exe, '/')) && b[1])
		return b + 1;
	return exe && exe[0] ? exe : "?";
}

void fmt_dest(const struct json_object *ev, char *out, size_t len)
{
	const struct json_object *dst = jget(ev, "dst");
	const char *ip = jstr(dst, "ip"), *host = jstr(dst, "host");
	struct json_object *port = jget(dst, "port");
	bool v6 = ip && strchr(ip, ':');
	char hp[300] = "";

	if (host && host[0])
		snprintf(hp, sizeof(hp), "%s/", host);
	if (port && !json_object_is_type(port, json_type_null))
		snprintf(out, len, "%s%s%s%s:%d", hp, v6 ? "[" : "", ip ? ip : "?",
			 v6 ? "]" : "", json_object_get_int(port));
	else
		snprintf(out, len, "%s%s", hp, ip ? ip : "?");
	fmt_sanitize(out);
}

void fmt_time(const char *ts, char *out, size_t len)
{
	struct tm tm;
	const char *frac;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (!ts || !strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(out, len, "--:--:--");
		return;
	}
	t = timegm(&tm);
	localtime_r(&t, &tm);
	frac = strchr(ts, '.');
	snprintf(out, len, "%02d:%02d:%02d.%.3s", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 frac && strlen(frac) >= 4 ? frac + 1 : "000");
}

void fmt_cmdline(const struct json_object *proc, char *out, size_t len)
{
	struct json_object *argv = jget(proc, "cmdline");
	size_t i, n, o = 0;

	out[0] = '\0';
	if (!argv || !json_object_is_type(argv, json_type_array))
		return;
	n = json_object_array_length(argv);
	for (i = 0; i < n && o + 1 < len; i++) {
		const char *a = json_object_get_string(json_object_array_get_idx(argv, i));
		int w = snprintf(out + o, len - o, "%s%s", i ? " " : "", a ? a : "");

		if (w < 0)
			break;
		o += (size_t)w < len - o ? (size_t)w : len - o - 1;
	}
	fmt_sanitize(out);
}

void fmt_container(const struct json_object *proc, char *out, size_t len)
{
	const struct json_object *c = jget(proc, "container");
	const char *rt = jstr(c, "runtime"), *id = jstr(c, "id");
	size_t n;
	bool hex = true;

	out[0] = '\0';
	if (!rt || !id)
		return;
	n = strlen(id);
	for (size_t i = 0; i < n; i++)
		hex &= (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
	snprintf(out, len, "%s:%.*s", rt, hex && n > 12 ? 12 : (int)n, id);
	fmt_sanitize(out);
}

void fmt_unit(const struct json_object *proc, char *out, size_t len)
{
	const char *u = jstr(proc, "unit");

	snprintf(out, len, "%s", u ? u : "");
	fmt_sanitize(out);
}

void fmt_identity(const struct json_object *proc, char *out, size_t len)
{
	fmt_container(proc, out, len);
	if (!out[0])
		fmt_unit(proc, out, len);
}

static void fmt_conn(const struct json_object *ev, const char *tbuf,
		     const char *label, char *out, size_t len)
{
	const struct json_object *proc = jget(ev, "process");
	const char *rule = jstr(ev, "rule"), *reason = jstr(ev, "reason");
	char dest[400], prog[400], why[300], id[300];

	fmt_dest(ev, dest, sizeof(dest));
	fmt_identity(proc, id, sizeof(id));
	snprintf(prog, sizeof(prog), "%s[%lld]%s%s%s", fmt_program(proc),
		 proc ? (long long)jint(proc, "pid") : 0LL, id[0] ? " {" : "",
		 id, id[0] ? "}" : "");
	if (!proc)
		snprintf(prog, sizeof(prog), "?");
	if (jget(ev, "prompt_id") && !jget(ev, "verdict"))
		snprintf(why, sizeof(why), "prompt %lld", (long long)jint(ev, "prompt_id"));
	else
		snprintf(why, sizeof(why), "%s%s", rule ? "rule=" : "",
			 rule ? rule : reason ? reason : "");
	snprintf(out, len, "%s %-6s %-22s -> %s %s %s", tbuf, label, prog, dest,
		 jstr(ev, "proto") ? jstr(ev, "proto") : "?", why);
	fmt_sanitize(out);
}

int fmt_event(const struct json_object *ev, char *out, size_t len)
{
	const char *type = jstr(ev, "type");
	char tbuf[32], label[16];
	size_t i;

	if (!type)
		return 0;
	fmt_time(jstr(ev, "ts"), tbuf, sizeof(tbuf));
	if (!strcmp(type, "connection") || !strcmp(type, "prompt")) {
		snprintf(label, sizeof(label), "%s", !strcmp(type, "prompt") ? "ASK" :
			 jstr(ev, "verdict") ? jstr(ev, "verdict") : "?");
		for (i = 0; label[i]; i++)
			label[i] = (char)(label[i] >= 'a' && label[i] <= 'z' ?
					  label[i] - 32 : label[i]);
		fmt_conn(ev, tbuf, label, out, len);
	} else if (!strcmp(type, "rule-change")) {
		snprintf(out, len, "%s RULE   %s %s", tbuf,
			 jstr(ev, "change") ? jstr(ev, "change") : "changed",
			 jstr(ev, "rule") ? jstr(ev, "rule") : "?");
	} else if (!strcmp(type, "warning")) {
		snprintf(out, len, "%s WARN   %s: %s", tbuf,
			 jstr(ev, "code") ? jstr(ev, "code") : "?",
			 jstr(ev, "message") ? jstr(ev, "message") : "");
	} else if (!strcmp(type, "audit-loss")) {
		snprintf(out, len, "%s AUDIT  records lost: %s", tbuf,
			 json_object_to_json_string_ext(jget(ev, "new"),
							JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (!strcmp(type, "dropped")) {
		snprintf(out, len, "-- %lld events dropped: this terminal fell behind --",
			 (long long)jint(ev, "count"));
	} else {
		return 0;
	}
	fmt_sanitize(out);
	return 1;
}
