/* jsonw.h - a tiny JSON writer into a caller's fixed buffer.  No
 * allocation; overflow is sticky and reported by jw_finish().  Strings are
 * written as valid JSON: control characters escaped, and bytes that are not
 * valid UTF-8 (exe names, cmdlines, comm can hold any byte) replaced by
 * U+FFFD so every consumer can parse the line. */
#ifndef TATTLE_JSONW_H
#define TATTLE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_DEPTH 16

struct jw {
	char *buf;
	size_t cap, len;
	bool overflow;
	unsigned depth;
	bool first[JW_DEPTH];	/* no member written yet at this depth */
};

void jw_init(struct jw *w, char *buf, size_t cap);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);	/* key: trusted ASCII */
void jw_str(struct jw *w, const char *s);	/* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_raw(struct jw *w, const char *json);	/* pre-encoded value */
/* Pre-encoded members ("k":v,"k2":v2, n bytes) into the open object. */
void jw_raw_members(struct jw *w, const char *members, size_t n);

/* Shorthands for "key": value. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, int64_t v);
void jw_kuint(struct jw *w, const char *key, uint64_t v);
void jw_kbool(struct jw *w, const char *key, bool v);

/* Appends '\n' and NUL.  Returns the line length (without NUL) or -ENOSPC
 * when the buffer was too small. */
int jw_finish(struct jw *w);

#endif
