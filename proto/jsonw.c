/* jsonw.c - see jsonw.h. */
#include "jsonw.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void jw_init(struct jw *w, char *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->first[0] = true;
}

static void jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->overflow || n > w->cap || w->len > w->cap - n) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void jw_putc(struct jw *w, char c)
{
	jw_put(w, &c, 1);
}

/* Separator before a value in an array or before a key in an object. */
static void jw_sep(struct jw *w)
{
	if (!w->first[w->depth])
		jw_putc(w, ',');
	w->first[w->depth] = false;
}

static void jw_value_sep(struct jw *w);

static void jw_open(struct jw *w, char c)
{
	jw_value_sep(w);
	jw_putc(w, c);
	if (w->depth + 1 >= JW_DEPTH) {
		w->overflow = true;
		return;
	}
	w->depth++;
	w->first[w->depth] = true;
}

static void jw_close(struct jw *w, char c)
{
	if (w->depth)
		w->depth--;
	jw_putc(w, c);
}

void jw_obj_begin(struct jw *w) { jw_open(w, '{'); }
void jw_obj_end(struct jw *w) { jw_close(w, '}'); }
void jw_arr_begin(struct jw *w) { jw_open(w, '['); }
void jw_arr_end(struct jw *w) { jw_close(w, ']'); }

/* Values in arrays need a separator; values after a key do not.  A key
 * leaves first[depth] false and sets the pending flag via the ':'. */
static bool jw_after_key(const struct jw *w)
{
	return w->len && w->buf[w->len - 1] == ':';
}

static void jw_value_sep(struct jw *w)
{
	if (!jw_after_key(w))
		jw_sep(w);
}

void jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	jw_putc(w, '"');
	jw_put(w, key, strlen(key));
	jw_put(w, "\":", 2);
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];
	size_t i = 0, k;

	jw_value_sep(w);
	jw_putc(w, '"');
	while (i < n) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			jw_put(w, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			static const char *const named = "\b\f\n\r\t";
			const char *hit = c ? strchr(named, c) : NULL;

			if (hit) {
				esc[0] = '\\', esc[1] = "bfnrt"[hit - named];
				jw_put(w, esc, 2);
			} else {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				jw_put(w, esc, 6);
			}
			i++;
		} else if ((k = utf8_seq(p + i, n - i)) > 0) {
			jw_put(w, s + i, k);
			i += k;
		} else {
			jw_put(w, "\\ufffd", 6);
			i++;
		}
	}
	jw_putc(w, '"');
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_int(struct jw *w, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRId64, v);

	jw_value_sep(w);
	jw_put(w, num, (size_t)n);
}

void jw_uint(struct jw *w, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRIu64, v);

	jw_value_sep(w);
	jw_put(w, num, (size_t)n);
}

void jw_bool(struct jw *w, bool v)
{
	jw_value_sep(w);
	jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	jw_value_sep(w);
	jw_put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *json)
{
	jw_value_sep(w);
	jw_put(w, json, strlen(json));
}

void jw_raw_members(struct jw *w, const char *members, size_t n)
{
	if (!n)
		return;
	jw_sep(w);
	jw_put(w, members, n);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kuint(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

int jw_finish(struct jw *w)
{
	jw_put(w, "\n", 2);	/* newline and NUL */
	if (w->overflow)
		return -ENOSPC;
	w->len--;		/* the NUL is not part of the line */
	return (int)w->len;
}
