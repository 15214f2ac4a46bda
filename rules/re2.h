/* re2.h - OpenSnitch's regexps are RE2; tattle runs them on the C
 * library's POSIX ERE engine after translating the common subset (see
 * rules/REGEX.md for what is rewritten and what is refused).  No I/O. */
#ifndef TATTLE_RE2_H
#define TATTLE_RE2_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/* Translate an RE2 pattern into POSIX ERE and compile it (REG_EXTENDED |
 * REG_NOSUB, plus REG_ICASE when icase).  \d \D \w \W \s \S \A \z and
 * escaped punctuation (also inside [...]) are translated; (?...) groups,
 * lazy quantifiers, \b \B \p \P \Q \x, back-references and other escapes
 * are rejected with -EINVAL and a reason in err.  See rules/REGEX.md. */
int re2_compile(regex_t *re, const char *pattern, bool icase,
		char *err, size_t errlen);
/* Only the translation; 0 or -EINVAL (reason in err), -ENOSPC if out is
 * too small. */
int re2_translate(const char *pattern, char *out, size_t outlen,
		  char *err, size_t errlen);
/* As re2_translate, and also the longest literal every match must
 * contain ("" when none is known) into lit (litlen bytes incl. NUL). */
int re2_translate_lit(const char *pattern, char *out, size_t outlen,
		      char *lit, size_t litlen, char *err, size_t errlen);

/* Format an error into err[errlen] (NULL or 0 ignored); shared by the
 * rules library's parsers.  It lives here, at the bottom of the library
 * (lists.c and match.c call the translator), so every part can use it. */
void rules_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
