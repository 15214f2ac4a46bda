/* bytes.h - the small byte helpers several parsers and tables share:
 * hex digits both ways and FNV-1a 64.  Header-only, no I/O. */
#ifndef TATTLE_BYTES_H
#define TATTLE_BYTES_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_INIT	0xcbf29ce484222325ULL
#define FNV1A64_PRIME	0x100000001b3ULL

/* 0..15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* in[0..n) as 2n lower-case hex digits and a NUL: out holds 2n + 1. */
static inline void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* One byte into an FNV-1a 64 hash h (start from FNV1A64_INIT). */
static inline uint64_t fnv1a64_byte(uint64_t h, uint8_t b)
{
	return (h ^ b) * FNV1A64_PRIME;
}

/* p[0..n) into h. */
static inline uint64_t fnv1a64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = fnv1a64_byte(h, b[i]);
	return h;
}

#endif
