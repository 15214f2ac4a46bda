/* audit_decode.c - `tattle audit-decode [FILE]`: audit records in, one JSON
 * line per reassembled event out. */
#include "audit_decode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "aurec.h"

#define DECODE_MAX_LINE	(1 << 20)	/* longer lines are skipped */

struct decode {
	FILE *out;
	int write_err;
	uint64_t bad_lines;
};

static const char usage[] =
	"usage: tattle audit-decode [FILE]\n"
	"Reads auditd log lines (type=... msg=audit(...): ...) or the JSONL\n"
	"capture format ({\"type\":N,\"payload\":\"audit(...): ...\"}), one\n"
	"record per line, from FILE or stdin, and prints one JSON object per\n"
	"reassembled event.  Exit 0, 1 on I/O error, 2 on bad usage.\n";

static struct json_object *str_n(const void *p, size_t n)
{
	return json_object_new_string_len(p, (int)n);
}

/* NUL-separated bytes -> array of strings. */
static struct json_object *argv_array(const uint8_t *p, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i = 0, start = 0;

	for (i = 0; i <= n; i++) {
		if (i == n && i == start)
			break;
		if (i == n || p[i] == '\0') {
			json_object_array_add(a, str_n(p + start, i - start));
			start = i + 1;
		}
	}
	return a;
}

static struct json_object *sockaddr_json(const struct audit_event *ev)
{
	struct json_object *o = json_object_new_object();
	char ip[INET6_ADDRSTRLEN] = "";

	switch (ev->family) {
	case 2:
	case 10:
		inet_ntop(ev->family == 2 ? AF_INET : AF_INET6, ev->addr, ip,
			  sizeof(ip));
		json_object_object_add(o, "family", json_object_new_string(
				       ev->family == 2 ? "inet" : "inet6"));
		json_object_object_add(o, "ip", json_object_new_string(ip));
		json_object_object_add(o, "port", json_object_new_int(ev->port));
		break;
	case 1:
		json_object_object_add(o, "family",
				       json_object_new_string("unix"));
		json_object_object_add(o, "path", str_n(ev->path, ev->path_len));
		json_object_object_add(o, "abstract",
				       json_object_new_boolean(ev->unix_abstract));
		break;
	case 16:
		json_object_object_add(o, "family",
				       json_object_new_string("netlink"));
		json_object_object_add(o, "pid", json_object_new_int64(ev->nl_pid));
		json_object_object_add(o, "groups",
				       json_object_new_int64(ev->nl_groups));
		break;
	default:
		json_object_object_add(o, "family",
				       json_object_new_int(ev->family));
		break;
	}
	return o;
}

static void add_types(struct json_object *o, const struct audit_event *ev)
{
	struct json_object *a = json_object_new_array();
	char buf[32];
	uint32_t i;

	for (i = 0; i < ev->ntypes; i++) {
		const char *n = aurec_type_name(ev->record_types[i]);

		if (!n) {
			snprintf(buf, sizeof(buf), "UNKNOWN[%u]",
				 ev->record_types[i]);
			n = buf;
		}
		json_object_array_add(a, json_object_new_string(n));
	}
	json_object_object_add(o, "records", a);
}

static void add_syscall(struct json_object *o, const struct audit_event *ev)
{
	char buf[32];
	unsigned i;

	snprintf(buf, sizeof(buf), "%x", ev->arch);
	json_object_object_add(o, "arch", json_object_new_string(buf));
	json_object_object_add(o, "syscall", json_object_new_int(ev->syscall));
	json_object_object_add(o, "call", json_object_new_string(
			       aurec_call_name(aurec_event_call(ev, NULL))));
	json_object_object_add(o, "success",
			       json_object_new_boolean(ev->success));
	json_object_object_add(o, "exit", json_object_new_int64(ev->exit));
	for (i = 0; i < 4; i++) {
		char key[3] = { 'a', (char)('0' + i), '\0' };

		snprintf(buf, sizeof(buf), "%llx", (unsigned long long)ev->a[i]);
		json_object_object_add(o, key, json_object_new_string(buf));
	}
}

static void add_id(struct json_object *o, const char *key, uint32_t v)
{
	/* 4294967295 is the kernel's "unset" */
	json_object_object_add(o, key, v == UINT32_MAX ? NULL :
				       json_object_new_int64(v));
}

static void on_event(const struct audit_event *ev, void *data)
{
	struct decode *d = data;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "serial", json_object_new_int64(ev->serial));
	json_object_object_add(o, "time_ms", json_object_new_int64(
			       (int64_t)ev->time_ms));
	add_types(o, ev);
	if (ev->has_syscall)
		add_syscall(o, ev);
	json_object_object_add(o, "pid", ev->pid < 0 ? NULL :
				       json_object_new_int(ev->pid));
	json_object_object_add(o, "ppid", ev->ppid < 0 ? NULL :
				       json_object_new_int(ev->ppid));
	add_id(o, "uid", ev->uid);
	add_id(o, "auid", ev->auid);
	json_object_object_add(o, "comm", json_object_new_string(ev->comm));
	json_object_object_add(o, "exe", json_object_new_string(ev->exe));
	if (ev->cwd[0])
		json_object_object_add(o, "cwd", json_object_new_string(ev->cwd));
	if (ev->key[0])
		json_object_object_add(o, "key", json_object_new_string(ev->key));
	if (ev->proctitle_len)
		json_object_object_add(o, "proctitle",
				       argv_array(ev->proctitle, ev->proctitle_len));
	if (ev->proctitle_stale)
		json_object_object_add(o, "proctitle_stale",
				       json_object_new_boolean(1));
	if (ev->has_execve)
		json_object_object_add(o, "execve", argv_array(
				       (const uint8_t *)ev->args, ev->args_len));
	if (ev->has_sockaddr)
		json_object_object_add(o, "sockaddr", sockaddr_json(ev));
	if (ev->truncated)
		json_object_object_add(o, "truncated",
				       json_object_new_boolean(1));
	if (fprintf(d->out, "%s\n", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		d->write_err = 1;
	json_object_put(o);
}

/* One input line through the right front end into the assembler. */
static void decode_line(struct aurec_asm *a, struct decode *d, const char *line,
			size_t len, char *buf, size_t cap, uint64_t *now)
{
	struct aurec_hdr h;
	struct aurec_iter it;
	const char *text;
	size_t tlen;
	uint16_t type;
	int r;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len == 0)
		return;
	if (line[0] == '{')
		r = aurec_jsonl(line, len, buf, cap, &type, &text, &tlen);
	else
		r = aurec_logline(line, len, &type, &text, &tlen);
	if (r < 0 || aurec_hdr_parse(text, tlen, &h, &it) < 0) {
		d->bad_lines++;
		return;
	}
	/* the audit clock drives idle timeouts when replaying a file */
	if (h.time_ms > *now)
		*now = h.time_ms;
	if (aurec_asm_push(a, type, text, tlen, *now) < 0)
		d->bad_lines++;
	aurec_asm_tick(a, *now);
}

static int decode_stream(FILE *in, struct decode *d)
{
	struct aurec_asm_opts o = { .max_inflight = 256, .timeout_ms = 2000,
				    .on_event = on_event, .data = d };
	struct aurec_asm *a = aurec_asm_new(&o);
	struct aurec_stats st;
	char *line = NULL, *buf = malloc(DECODE_MAX_LINE);
	uint64_t now = 0;
	size_t cap = 0;
	ssize_t n;
	int r = 0;

	if (!a || !buf) {
		fprintf(stderr, "audit-decode: out of memory\n");
		r = 1;
		goto out;
	}
	while ((n = getline(&line, &cap, in)) > 0 && !d->write_err)
		decode_line(a, d, line, (size_t)n, buf, DECODE_MAX_LINE, &now);
	if (ferror(in)) {
		fprintf(stderr, "audit-decode: read: %s\n", strerror(errno));
		r = 1;
	}
	aurec_asm_flush(a);
	aurec_asm_stats(a, &st);
	fprintf(stderr, "audit-decode: %llu records, %llu events, %llu "
		"malformed lines, %llu lost (serial gaps), %llu late\n",
		(unsigned long long)st.received, (unsigned long long)st.events,
		(unsigned long long)d->bad_lines, (unsigned long long)st.lost,
		(unsigned long long)st.late);
	if (fflush(d->out) != 0 || d->write_err) {
		fprintf(stderr, "audit-decode: write: %s\n", strerror(errno));
		r = 1;
	}
out:
	free(line);
	free(buf);
	aurec_asm_free(a);
	return r;
}

int audit_decode_main(int argc, char **argv)
{
	struct decode d = { .out = stdout };
	const char *path = NULL;
	FILE *in = stdin;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "audit-decode: unknown option %s\n%s",
				argv[i], usage);
			return 2;
		}
		if (path) {
			fprintf(stderr, "audit-decode: one FILE at most\n%s",
				usage);
			return 2;
		}
		path = argv[i];
	}
	if (path && strcmp(path, "-") && !(in = fopen(path, "r"))) {
		fprintf(stderr, "audit-decode: %s: %s\n", path, strerror(errno));
		return 1;
	}
	r = decode_stream(in, &d);
	if (in != stdin)
		fclose(in);
	return r;
}
