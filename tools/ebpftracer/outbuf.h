/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable byte buffer that the printers format events into, with the number formatting
 * they need. Formatting a field costs a few stores instead of a printf call, which is what
 * keeps ebpftracer's CPU per event near the library's own.
 *
 * A failed allocation is sticky, like ferror(): later appends do nothing and ->error is
 * ENOMEM, so a printer needs no checks and its caller checks once per event.
 */
#ifndef EBPFTRACER_OUTBUF_H
#define EBPFTRACER_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct outbuf {
	char *data;
	size_t len;
	size_t cap;
	int error;   /* 0, or ENOMEM once growing failed */
};

/* An empty buffer of CAP bytes; -ENOMEM. */
int outbuf_init(struct outbuf *b, size_t cap);
void outbuf_release(struct outbuf *b);

/* Makes room for N more bytes; false (and ->error set) when memory runs out. */
bool outbuf_grow(struct outbuf *b, size_t n);

/* A + B, or SIZE_MAX (more than any buffer can hold) when that overflows. */
static inline size_t size_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Where N bytes may be written, or NULL; outbuf_commit() then says how many were. */
static inline char *outbuf_reserve(struct outbuf *b, size_t n)
{
	if (b->cap - b->len < n && !outbuf_grow(b, n))
		return NULL;
	return b->data + b->len;
}

static inline void outbuf_commit(struct outbuf *b, const char *end)
{
	b->len = (size_t)(end - b->data);
}

static inline void outbuf_put(struct outbuf *b, const void *s, size_t n)
{
	char *d = outbuf_reserve(b, n);

	if (d) {
		memcpy(d, s, n);
		b->len += n;
	}
}

/* A string literal, its length known at compile time. */
#define outbuf_lit(b, s) outbuf_put((b), "" s, sizeof(s) - 1)

static inline void outbuf_putc(struct outbuf *b, char c)
{
	char *d = outbuf_reserve(b, 1);

	if (d) {
		*d = c;
		b->len++;
	}
}

static inline void outbuf_puts(struct outbuf *b, const char *s)
{
	outbuf_put(b, s, strlen(s));
}

/*
 * Cursor forms, for a run of pieces with one outbuf_reserve() of their total: each writes
 * at D and returns the end. Integers take at most FMT_INT_MAX bytes.
 */
#define FMT_INT_MAX 20

static inline char *fmt_mem(char *d, const void *s, size_t n)
{
	memcpy(d, s, n);
	return d + n;
}

#define fmt_lit(d, s) fmt_mem((d), "" s, sizeof(s) - 1)

extern const char outbuf_digit_pairs[201];
extern const uint64_t outbuf_pow10[20];

/* The two digits of V (< 100) at D. */
static inline void fmt_pair(char *d, uint32_t v)
{
	memcpy(d, outbuf_digit_pairs + v * 2, 2);
}

/* Exactly eight digits of V (< 10^8), leading zeros included, at D: two halves of four
 * digits each, whose divisions do not wait for each other. */
static inline void fmt_8digits(char *d, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;

	fmt_pair(d, hi / 100);
	fmt_pair(d + 2, hi % 100);
	fmt_pair(d + 4, lo / 100);
	fmt_pair(d + 6, lo % 100);
}

/* Decimal, as printf's PRIu64 writes it. */
static inline char *fmt_u64(char *d, uint64_t v)
{
	unsigned int len, t;
	uint32_t w;
	char *p;

	if (v < 10) {
		*d = (char)('0' + v);
		return d + 1;
	}
	/* bits * log10(2) is the number of digits, or one more than it. */
	t = ((64 - (unsigned int)__builtin_clzll(v)) * 1233) >> 12;
	len = t + 1 - (v < outbuf_pow10[t]);
	p = d + len;
	/* Eight digits at a time while more than eight are left, then 32-bit pairs. */
	while (v >= 100000000u) {
		p -= 8;
		fmt_8digits(p, (uint32_t)(v % 100000000u));
		v /= 100000000u;
	}
	w = (uint32_t)v;
	while (w >= 100) {
		p -= 2;
		fmt_pair(p, w % 100);
		w /= 100;
	}
	if (w >= 10)
		fmt_pair(p - 2, w);
	else
		p[-1] = (char)('0' + w);
	return d + len;
}

/* Decimal, as printf's PRId64 writes it. */
static inline char *fmt_i64(char *d, int64_t v)
{
	if (v >= 0)
		return fmt_u64(d, (uint64_t)v);
	/* The magnitude as unsigned: -INT64_MIN does not fit an int64_t. */
	*d = '-';
	return fmt_u64(d + 1, -(uint64_t)v);
}

/* Lower-case hexadecimal without leading zeros or prefix (printf's PRIx64). */
char *fmt_hex64(char *d, uint64_t v);

static inline void outbuf_u64(struct outbuf *b, uint64_t v)
{
	char *d = outbuf_reserve(b, FMT_INT_MAX);

	if (d)
		outbuf_commit(b, fmt_u64(d, v));
}

static inline void outbuf_i64(struct outbuf *b, int64_t v)
{
	char *d = outbuf_reserve(b, FMT_INT_MAX);

	if (d)
		outbuf_commit(b, fmt_i64(d, v));
}

static inline void outbuf_hex64(struct outbuf *b, uint64_t v)
{
	char *d = outbuf_reserve(b, 16);

	if (d)
		outbuf_commit(b, fmt_hex64(d, v));
}

#endif
