/* fuzz_aurec.c - arbitrary bytes through the log and JSONL front ends and
 * aurec_asm_push(), the daemon's own entry (tokenizer, decoders,
 * reassembler; small cap, simulated time). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aurec.h"
#include "fuzz.h"

static void on_event(const struct audit_event *ev, void *data)
{
	uint64_t args[4];
	size_t *n = data;

	/* touch what a consumer reads so ASan checks the bounds */
	*n += strlen(ev->comm) + strlen(ev->exe) + strlen(ev->cwd) +
	      strlen(ev->key) + ev->args_len + ev->proctitle_len +
	      (size_t)aurec_event_call(ev, args) + ev->path_len;
}

/* One input line: a log line, a JSONL line, or 2 type bytes + raw text. */
static void push_line(struct aurec_asm *a, const char *p, size_t n,
		      uint64_t now)
{
	char buf[4096];
	const char *text;
	size_t tlen;
	uint16_t type;

	if (aurec_logline(p, n, &type, &text, &tlen) == 0) {
		(void)aurec_asm_push(a, type, text, tlen, now);
	} else if (n && p[0] == '{') {
		if (aurec_jsonl(p, n, buf, sizeof(buf), &type, &text,
				&tlen) == 0)
			(void)aurec_asm_push(a, type, text, tlen, now);
	} else if (n >= 2) {
		type = (uint16_t)(1300 + ((unsigned char)p[0] % 40));
		if ((unsigned char)p[1] & 0x80)
			type = (uint16_t)(1100 + (unsigned char)p[1] % 100);
		(void)aurec_asm_push(a, type, p + 2, n - 2, now);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aurec_asm_opts o = { .max_inflight = 3, .timeout_ms = 5,
				    .on_event = on_event };
	const char *p = (const char *)data, *end = p + size, *nl;
	struct aurec_stats st;
	struct aurec_asm *a;
	uint64_t now = 0;
	size_t sink = 0;

	if (size > 1 << 17)
		return 0;
	o.data = &sink;
	o.proctitle_ends = size & 1;
	if (!(a = aurec_asm_new(&o)))
		return 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		push_line(a, p, (size_t)(nl - p), now);
		now += (size_t)(nl - p) % 4;
		if ((nl - p) % 7 == 0)
			(void)aurec_asm_tick(a, now);
		p = nl + 1;
	}
	(void)aurec_asm_flush(a);
	aurec_asm_stats(a, &st);
	aurec_asm_free(a);
	return 0;
}
