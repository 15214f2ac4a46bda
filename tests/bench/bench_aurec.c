/* bench_aurec.c - parse + reassemble throughput of aurec against
 * libauparse's feed API, over the kernel 6.18 capture repeated (serials and
 * times shifted per copy so every copy is new events).
 *
 *   build/bench/bench_aurec [COPIES [aurec]]   (default 600: 330k records;
 *   "aurec" skips libauparse, for profiling)
 * Times are CPU time of the thread, best of three.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <auparse.h>

#include "aurec.h"

#define KCAP "tests/data/kernel-6.18/audit-capture-6.18.jsonl"
#define MAXREC 1024

struct rec {
	uint16_t type;
	char *text;
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;

	/* CPU time of this thread: the machine is shared and loaded */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t load(struct rec *r)
{
	static char payload[70000];
	FILE *f = fopen(KCAP, "r");
	char *line = NULL;
	size_t cap = 0, n = 0;
	const char *text;
	uint16_t type;
	size_t len;

	if (!f) {
		perror(KCAP);
		exit(1);
	}
	while (getline(&line, &cap, f) > 0 && n < MAXREC) {
		if (aurec_jsonl(line, strlen(line), payload, sizeof(payload),
				&type, &text, &len) < 0)
			continue;
		r[n].type = type;
		r[n].text = malloc(len);
		if (!r[n].text)
			exit(1);
		memcpy(r[n].text, text, len);
		r[n].len = len;
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

/* Writes record r of copy k as a multicast text (serial and time shifted)
 * into out; returns its length.  With log != 0 as an auditd log line. */
static size_t render(const struct rec *r, unsigned k, int log, char *out,
		     size_t cap)
{
	struct aurec_hdr h;
	struct aurec_iter it;
	const char *name = aurec_type_name(r->type);
	int n = 0, m;

	if (aurec_hdr_parse(r->text, r->len, &h, &it) < 0)
		return 0;
	if (log)
		n = name ? snprintf(out, cap, "type=%s msg=", name) :
			   snprintf(out, cap, "type=UNKNOWN[%u] msg=", r->type);
	h.time_ms += (uint64_t)k * 1000;
	m = snprintf(out + n, cap - (size_t)n, "audit(%llu.%03llu:%u):%.*s%s",
		     (unsigned long long)(h.time_ms / 1000),
		     (unsigned long long)(h.time_ms % 1000),
		     h.serial + k * 1000000u, (int)(it.end - it.p), it.p,
		     log ? "\n" : "");
	return (size_t)(n + m);
}

struct sink {
	uint64_t events, sum;
};

static void on_event(const struct audit_event *ev, void *data)
{
	struct sink *s = data;

	s->events++;
	s->sum += (uint64_t)ev->pid + ev->uid + (uint64_t)ev->exit +
		  (uint64_t)ev->syscall + ev->port + (uint8_t)ev->comm[0] +
		  (uint8_t)ev->exe[0];
}

static double run_aurec(const char *buf, size_t len, int log, size_t nrec,
			struct sink *s)
{
	struct aurec_asm_opts o = { .max_inflight = 64, .timeout_ms = 2000,
				    .on_event = on_event, .data = s };
	struct aurec_asm *a = aurec_asm_new(&o);
	const char *p = buf, *end = buf + len, *text;
	size_t i, tlen;
	uint16_t type;
	double t0 = now_s();

	if (!a)
		exit(1);
	for (i = 0; i < nrec && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (log) {
			if (aurec_logline(p, (size_t)(nl - p), &type, &text,
					  &tlen) == 0)
				aurec_asm_push(a, type, text, tlen, i / 64);
		} else {
			/* raw: "TYPE " prefix stands in for nlmsg_type */
			type = (uint16_t)atoi(p);
			text = memchr(p, ' ', (size_t)(nl - p)) + 1;
			aurec_asm_push(a, type, text, (size_t)(nl - text),
				       i / 64);
		}
		p = nl + 1;
	}
	aurec_asm_flush(a);
	aurec_asm_free(a);
	return now_s() - t0;
}

static void au_cb(auparse_state_t *au, auparse_cb_event_t t, void *data)
{
	struct sink *s = data;
	const char *v;

	if (t != AUPARSE_CB_EVENT_READY || auparse_first_record(au) <= 0)
		return;
	s->events++;
	do {
		/* the fields aurec decodes for every event */
		s->sum += (uint64_t)auparse_get_type(au) +
			  auparse_get_serial(au);
		if (auparse_get_type(au) == AUREC_T_SYSCALL) {
			static const char *const raw[] = {
				"syscall", "success", "exit", "a0", "a1",
				"pid", "ppid", "uid", "auid",
			};
			size_t i;

			for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
				if ((v = auparse_find_field(au, raw[i])))
					s->sum += (uint8_t)v[0];
			auparse_first_field(au);
			if ((v = auparse_find_field(au, "comm")) &&
			    (v = auparse_interpret_field(au)))
				s->sum += (uint8_t)v[0];
			auparse_first_field(au);
			if ((v = auparse_find_field(au, "exe")) &&
			    (v = auparse_interpret_field(au)))
				s->sum += (uint8_t)v[0];
		} else if (auparse_get_type(au) == AUREC_T_SOCKADDR ||
			   auparse_get_type(au) == AUREC_T_CWD ||
			   auparse_get_type(au) == AUREC_T_PROCTITLE) {
			if (auparse_first_field(au) > 0 &&
			    (v = auparse_interpret_field(au)))
				s->sum += (uint8_t)v[0];
		}
	} while (auparse_next_record(au) > 0);
}

static double run_auparse(const char *buf, size_t len, struct sink *s)
{
	auparse_state_t *au = auparse_init(AUSOURCE_FEED, NULL);
	size_t off, chunk = 65536;
	double t0 = now_s();

	if (!au)
		exit(1);
	auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
	auparse_add_callback(au, au_cb, s, NULL);
	for (off = 0; off < len; off += chunk)
		auparse_feed(au, buf + off,
			     len - off < chunk ? len - off : chunk);
	auparse_flush_feed(au);
	auparse_destroy(au);
	return now_s() - t0;
}

int main(int argc, char **argv)
{
	static struct rec r[MAXREC];
	unsigned copies = argc > 1 ? (unsigned)atoi(argv[1]) : 600, k;
	int only_aurec = argc > 2 && !strcmp(argv[2], "aurec");
	size_t n = load(r), i, cap, loglen = 0, rawlen = 0, total;
	char *logbuf, *rawbuf;
	struct sink sa = { 0 }, sr = { 0 }, sp = { 0 };
	double ta, tr, tp;

	if (!n || !copies || copies > 4000)
		return 2;
	cap = (size_t)copies * 400000;
	logbuf = malloc(cap);
	rawbuf = malloc(cap);
	if (!logbuf || !rawbuf)
		return 1;
	for (k = 0; k < copies; k++)
		for (i = 0; i < n; i++) {
			loglen += render(&r[i], k, 1, logbuf + loglen,
					 cap - loglen);
			rawlen += (size_t)snprintf(rawbuf + rawlen,
						   cap - rawlen, "%u ",
						   r[i].type);
			rawlen += render(&r[i], k, 0, rawbuf + rawlen,
					 cap - rawlen);
			rawbuf[rawlen++] = '\n';
		}
	total = n * copies;
	/* best of three runs each: the machine is shared */
	tr = ta = tp = 1e9;
	for (k = 0; k < 3; k++) {
		double t;

		sr = sa = sp = (struct sink){ 0 };
		if ((t = run_aurec(rawbuf, rawlen, 0, total, &sr)) < tr)
			tr = t;
		if ((t = run_aurec(logbuf, loglen, 1, total, &sa)) < ta)
			ta = t;
		if (only_aurec)		/* for profiling aurec alone */
			continue;
		if ((t = run_auparse(logbuf, loglen, &sp)) < tp)
			tp = t;
	}
	printf("records: %zu (%zu x %u), %.1f MB of log text\n", total, n,
	       copies, (double)loglen / 1e6);
	printf("aurec  raw multicast text: %10.0f records/s  %llu events\n",
	       (double)total / tr, (unsigned long long)sr.events);
	printf("aurec  auditd log lines:   %10.0f records/s  %llu events\n",
	       (double)total / ta, (unsigned long long)sa.events);
	printf("libauparse feed API:       %10.0f records/s  %llu events\n",
	       (double)total / tp, (unsigned long long)sp.events);
	printf("ratio aurec/libauparse: %.1fx (log lines), %.1fx (raw)\n",
	       tp / ta, tp / tr);
	for (i = 0; i < n; i++)
		free(r[i].text);
	free(logbuf);
	free(rawbuf);
	return 0;
}
