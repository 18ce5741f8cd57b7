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

/* Decimal, as printf's PRIu64 and PRId64 write them. */
void outbuf_u64(struct outbuf *b, uint64_t v);
void outbuf_i64(struct outbuf *b, int64_t v);

/* Lower-case hexadecimal without leading zeros or prefix (printf's PRIx64). */
void outbuf_hex64(struct outbuf *b, uint64_t v);

#endif
