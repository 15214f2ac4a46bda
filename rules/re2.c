/* re2.c - see re2.h.  Translation is one pass over the pattern that
 * also bounds what the POSIX engine will be asked to do (repeat counts,
 * nesting, a cost estimate). */
#include "re2.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rules_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct sbuf {
	char *p;
	size_t len, cap;
	bool full;
};

static void sb_puts(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n >= b->cap) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_putc(struct sbuf *b, char c)
{
	char s[2] = { c, '\0' };

	sb_puts(b, s);
}

/* Control escapes both dialects agree on once made literal. */
static int ctrl_escape(char n)
{
	switch (n) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'v': return '\v';
	}
	return 0;
}

static int bad_escape(char n, char *err, size_t errlen)
{
	if (n == 'b' || n == 'B')
		rules_seterr(err, errlen, "RE2 word boundary \\%c is not supported", n);
	else if (n == 'p' || n == 'P')
		rules_seterr(err, errlen, "RE2 Unicode class \\%c is not supported", n);
	else if (n >= '0' && n <= '9')
		rules_seterr(err, errlen, "back-reference or octal \\%c is not supported", n);
	else
		rules_seterr(err, errlen, "RE2 escape \\%c is not supported", n);
	return -EINVAL;
}

struct bracket {
	bool neg, rb, dash, caret;
	struct sbuf body;
	char bodybuf[1024];
};

static int bracket_escape(struct bracket *br, char n, char *err, size_t errlen)
{
	int c;

	switch (n) {
	case 'd': sb_puts(&br->body, "0-9"); return 0;
	case 'w': sb_puts(&br->body, "[:alnum:]_"); return 0;
	case 's': sb_puts(&br->body, "[:space:]"); return 0;
	case 'D': case 'W': case 'S':
		rules_seterr(err, errlen, "negated class \\%c inside [...] is not supported", n);
		return -EINVAL;
	case ']': br->rb = true; return 0;
	case '-': br->dash = true; return 0;
	case '^': br->caret = true; return 0;
	}
	if ((c = ctrl_escape(n))) {
		sb_putc(&br->body, (char)c);
		return 0;
	}
	if (ispunct((unsigned char)n)) {
		sb_putc(&br->body, n);
		return 0;
	}
	return bad_escape(n, err, errlen);
}

/* POSIX brackets have no escapes: ']' must come first, '-' last, '^' not
 * first.  Collect RE2 escapes as flags and place them accordingly. */
static void bracket_emit(struct bracket *br, struct sbuf *out)
{
	if (!br->body.len && !br->rb && br->caret && !br->dash && !br->neg) {
		sb_puts(out, "\\^");
		return;
	}
	sb_putc(out, '[');
	if (br->neg)
		sb_putc(out, '^');
	if (br->rb)
		sb_putc(out, ']');
	if (!br->body.len && !br->rb) {
		if (br->dash)
			sb_putc(out, '-');
		if (br->caret)
			sb_putc(out, '^');
	} else {
		sb_puts(out, br->bodybuf);
		if (br->caret)
			sb_putc(out, '^');
		if (br->dash)
			sb_putc(out, '-');
	}
	sb_putc(out, ']');
}

/* p points just past '['.  Returns chars consumed, or -EINVAL. */
static int bracket_parse(const char *p, struct sbuf *out, char *err,
			 size_t errlen)
{
	struct bracket br = { 0 };
	const char *s = p, *end;
	int r;

	br.body.p = br.bodybuf;
	br.body.cap = sizeof(br.bodybuf);
	if (*s == '^') {
		br.neg = true;
		s++;
	}
	if (*s == ']') {	/* literal when first, in both dialects */
		br.rb = true;
		s++;
	}
	for (; *s && *s != ']'; s++) {
		if (s[0] == '[' && s[1] == ':') {
			if (!(end = strstr(s + 2, ":]"))) {
				rules_seterr(err, errlen, "unterminated [: class");
				return -EINVAL;
			}
			for (; s < end + 1; s++)
				sb_putc(&br.body, *s);
			sb_putc(&br.body, ']');
			continue;
		}
		if (*s != '\\') {
			sb_putc(&br.body, *s);
			continue;
		}
		if (!*++s)
			break;
		if ((r = bracket_escape(&br, *s, err, errlen)) < 0)
			return r;
	}
	if (*s != ']') {
		rules_seterr(err, errlen, "missing ] in character class");
		return -EINVAL;
	}
	if (!br.body.len && !br.rb && !br.dash && !br.caret) {
		rules_seterr(err, errlen, "empty character class");
		return -EINVAL;
	}
	if (br.body.full) {
		rules_seterr(err, errlen, "character class too long");
		return -EINVAL;
	}
	bracket_emit(&br, out);
	return (int)(s - p) + 1;
}

static int escape_outside(char n, struct sbuf *out, char *err, size_t errlen)
{
	static const char *const cls[][2] = {
		{ "d", "[0-9]" }, { "D", "[^0-9]" },
		{ "w", "[[:alnum:]_]" }, { "W", "[^[:alnum:]_]" },
		{ "s", "[[:space:]]" }, { "S", "[^[:space:]]" },
		{ "A", "^" }, { "z", "$" },
	};
	int c;

	for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
		if (n == cls[i][0][0]) {
			sb_puts(out, cls[i][1]);
			return 0;
		}
	}
	if ((c = ctrl_escape(n))) {
		sb_putc(out, (char)c);
		return 0;
	}
	if (!ispunct((unsigned char)n))
		return bad_escape(n, err, errlen);
	/* ERE defines \c only for its special characters. */
	if (strchr(".[]{}()*+?^$|\\", n))
		sb_putc(out, '\\');
	sb_putc(out, n);
	return 0;
}

/* glibc compiles x{n} and x+ by copying x, so nested or stacked
 * repetitions grow the compiled pattern multiplicatively (a fuzzer found
 * a 40-byte pattern taking 2 GiB).  We track the copy factor of every
 * group and refuse what RE2 itself refuses: counts over 1000, stacked
 * operators (a**), operators without an argument. */
#define RE_MAX_REPEAT	1000
#define RE_MAX_COST	20000
#define RE_MAX_DEPTH	32

struct re_state {
	struct sbuf out;
	char run[64], best[64];	/* literal runs at depth 0 */
	size_t run_len, best_len;
	bool last_lit;		/* the last atom extended run */
	bool alt_top;		/* '|' at depth 0: nothing is required */
	int depth;
	uint32_t weight[RE_MAX_DEPTH + 1];	/* largest copy factor inside */
	uint32_t atom_w;	/* copy factor of the last atom, 0: none */
	bool last_quant;
	uint32_t cost;
};

static void re_run_end(struct re_state *st)
{
	if (st->run_len > st->best_len) {
		memcpy(st->best, st->run, st->run_len);
		st->best_len = st->run_len;
	}
	st->run_len = 0;
	st->last_lit = false;
}

/* A literal byte at depth 0 extends the current required run. */
static void re_lit(struct re_state *st, char c)
{
	if (st->depth > 0 || st->run_len >= sizeof(st->run) - 1) {
		re_run_end(st);
		return;
	}
	st->run[st->run_len++] = c;
	st->last_lit = true;
}

static void re_atom(struct re_state *st, uint32_t w)
{
	st->atom_w = w;
	st->last_quant = false;
	if (w > st->weight[st->depth])
		st->weight[st->depth] = w;
}

/* "{n}", "{n,}", "{n,m}" at p: chars consumed and the largest count, or 0
 * when it is not a repetition (RE2 then reads '{' as a literal). */
static int re_braces(const char *p, uint32_t *bound, bool *zero)
{
	unsigned long n, m;
	char *end;

	if (p[1] < '0' || p[1] > '9')
		return 0;
	n = strtoul(p + 1, &end, 10);
	m = n;
	if (*end == ',') {
		if (end[1] == '}')
			m = n + 1, end++;
		else if (end[1] >= '0' && end[1] <= '9')
			m = strtoul(end + 1, &end, 10);
		else
			return 0;
	}
	if (*end != '}')
		return 0;
	*zero = n == 0;
	*bound = n > RE_MAX_REPEAT || m > RE_MAX_REPEAT + 1 || m < n ?
		 UINT32_MAX : (uint32_t)(m ? m : 1);
	return (int)(end - p) + 1;
}

static int re_quant(struct re_state *st, uint32_t factor, char *err,
		    size_t errlen)
{
	uint64_t w;

	if (st->last_quant || !st->atom_w) {
		rules_seterr(err, errlen, "%s repetition operator",
		       st->last_quant ? "stacked" : "missing argument to");
		return -EINVAL;
	}
	w = (uint64_t)st->atom_w * factor;
	st->cost += (uint32_t)(w > RE_MAX_COST ? RE_MAX_COST : w);
	if (factor == UINT32_MAX || w > RE_MAX_REPEAT || st->cost > RE_MAX_COST) {
		rules_seterr(err, errlen, "repetition too large (RE2 allows %d)",
		       RE_MAX_REPEAT);
		return -EINVAL;
	}
	if (w > st->weight[st->depth])
		st->weight[st->depth] = (uint32_t)w;
	st->last_quant = true;
	return 0;
}

/* After a quantifier the run cannot continue; an optional last byte is
 * not required at all. */
static void re_quant_run(struct re_state *st, bool zero)
{
	if (st->last_lit && zero)
		st->run_len--;
	re_run_end(st);
}

static int re_paren(struct re_state *st, char c, char *err, size_t errlen)
{
	re_run_end(st);
	sb_putc(&st->out, c);
	if (c == '(') {
		if (st->depth >= RE_MAX_DEPTH) {
			rules_seterr(err, errlen, "groups nested too deep");
			return -EINVAL;
		}
		st->weight[++st->depth] = 1;
		st->atom_w = 0;
		st->last_quant = false;
	} else if (st->depth > 0) {	/* an unmatched ')' is regcomp's error */
		st->depth--;
		re_atom(st, st->weight[st->depth + 1]);
	}
	return 0;
}

static int re_escape(struct re_state *st, char n, char *err, size_t errlen)
{
	int r;

	if (!n) {
		rules_seterr(err, errlen, "trailing backslash");
		return -EINVAL;
	}
	if ((r = escape_outside(n, &st->out, err, errlen)) < 0)
		return r;
	re_atom(st, n == 'A' || n == 'z' ? 0 : 1);
	if (ispunct((unsigned char)n))
		re_lit(st, n);
	else
		re_run_end(st);
	return 2;
}

/* The r-byte quantifier at p, with copy factor bound. */
static int re_repeat(struct re_state *st, const char *p, int r, uint32_t bound,
		     bool zero, char *err, size_t errlen)
{
	if (p[r] == '?') {
		rules_seterr(err, errlen, "RE2 lazy quantifier %.*s? is not supported", r, p);
		return -EINVAL;
	}
	if (re_quant(st, bound, err, errlen) < 0)
		return -EINVAL;
	re_quant_run(st, zero);
	for (int i = 0; i < r; i++)
		sb_putc(&st->out, p[i]);
	return r;
}

/* One step of the translation at p; returns chars consumed or -errno. */
static int re_step(struct re_state *st, const char *p, char *err,
		   size_t errlen)
{
	uint32_t bound;
	bool zero = false;
	int r;

	switch (*p) {
	case '\\':
		return re_escape(st, p[1], err, errlen);
	case '(':
		if (p[1] == '?') {
			rules_seterr(err, errlen, "RE2 group syntax (?...) (flags, "
			       "non-capturing or named groups) is not supported; "
			       "use \"sensitive\": false instead of (?i)");
			return -EINVAL;
		}
		return (r = re_paren(st, *p, err, errlen)) < 0 ? r : 1;
	case ')':
		return (r = re_paren(st, *p, err, errlen)) < 0 ? r : 1;
	case '[':
		if ((r = bracket_parse(p + 1, &st->out, err, errlen)) < 0)
			return r;
		re_atom(st, 1);
		re_run_end(st);
		return r + 1;
	case '|':
		re_run_end(st);
		st->alt_top |= st->depth == 0;
		st->atom_w = 0;
		st->last_quant = false;
		sb_putc(&st->out, '|');
		return 1;
	case '^': case '$':
		re_run_end(st);
		sb_putc(&st->out, *p);
		st->atom_w = 0;	/* RE2: nothing to repeat */
		st->last_quant = false;
		return 1;
	case '*': case '+': case '?':
		r = 1;
		bound = *p == '+' ? 2 : 1;
		zero = *p != '+';
		break;
	case '{':
		if ((r = re_braces(p, &bound, &zero)) > 0)
			break;
		sb_puts(&st->out, "\\{");
		re_atom(st, 1);
		re_lit(st, '{');
		return 1;
	default:
		sb_putc(&st->out, *p);
		re_atom(st, 1);
		if (*p == '.')
			re_run_end(st);
		else
			re_lit(st, *p);
		return 1;
	}
	return re_repeat(st, p, r, bound, zero, err, errlen);
}

int re2_translate(const char *p, char *outbuf, size_t outlen, char *err,
		  size_t errlen)
{
	return re2_translate_lit(p, outbuf, outlen, NULL, 0, err, errlen);
}

int re2_translate_lit(const char *p, char *outbuf, size_t outlen, char *lit,
		      size_t litlen, char *err, size_t errlen)
{
	struct re_state st = { .out = { outbuf, 0, outlen, false } };
	int r;

	if (!outlen)
		return -ENOSPC;
	outbuf[0] = '\0';
	st.weight[0] = 1;
	while (*p) {
		if ((r = re_step(&st, p, err, errlen)) < 0)
			return r;
		p += r;
	}
	if (st.out.full) {
		rules_seterr(err, errlen, "regexp too long");
		return -ENOSPC;
	}
	re_run_end(&st);
	if (lit && litlen) {
		size_t n = st.alt_top || st.best_len >= litlen ? 0 : st.best_len;

		memcpy(lit, st.best, n);
		lit[n] = '\0';
	}
	return 0;
}

int re2_compile(regex_t *re, const char *pattern, bool icase, char *err,
		size_t errlen)
{
	size_t cap = strlen(pattern) * 4 + 16;
	char *ere;
	int r;

	if (!(ere = malloc(cap)))
		return -ENOMEM;
	if ((r = re2_translate(pattern, ere, cap, err, errlen)) < 0)
		goto out;
	r = regcomp(re, ere, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
	if (r) {
		char msg[128];

		regerror(r, re, msg, sizeof(msg));
		rules_seterr(err, errlen, "bad regexp: %s", msg);
		r = -EINVAL;
	}
out:
	free(ere);
	return r;
}
