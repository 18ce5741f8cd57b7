/* SPDX-License-Identifier: Apache-2.0 */
/* The printers' buffer: growth, and integers written without printf. */
#include <errno.h>
#include <stdlib.h>

#include "outbuf.h"

int outbuf_init(struct outbuf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->data = malloc(cap);
	if (!b->data)
		return -ENOMEM;
	b->cap = cap;
	return 0;
}

void outbuf_release(struct outbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

bool outbuf_grow(struct outbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 64;
	char *grown;

	if (b->error)
		return false;
	/* Doubling keeps an event of any size at a few reallocations. */
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2) {
			b->error = ENOMEM;
			return false;
		}
		cap *= 2;
	}
	grown = realloc(b->data, cap);
	if (!grown) {
		b->error = ENOMEM;
		return false;
	}
	b->data = grown;
	b->cap = cap;
	return true;
}

/* Two decimal digits per table entry: half the divisions of one digit at a time. */
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Writes V backwards ending at END; returns where the digits start. */
static char *format_u64(char *end, uint64_t v)
{
	char *p = end;

	while (v >= 100) {
		const char *pair = digit_pairs + (v % 100) * 2;

		v /= 100;
		*--p = pair[1];
		*--p = pair[0];
	}
	if (v >= 10) {
		*--p = digit_pairs[v * 2 + 1];
		*--p = digit_pairs[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	return p;
}

void outbuf_u64(struct outbuf *b, uint64_t v)
{
	char tmp[20], *start = format_u64(tmp + sizeof(tmp), v);

	outbuf_put(b, start, (size_t)(tmp + sizeof(tmp) - start));
}

void outbuf_i64(struct outbuf *b, int64_t v)
{
	char tmp[21], *start;

	/* The magnitude as unsigned: -INT64_MIN does not fit an int64_t. */
	if (v < 0) {
		start = format_u64(tmp + sizeof(tmp), -(uint64_t)v);
		*--start = '-';
	} else {
		start = format_u64(tmp + sizeof(tmp), (uint64_t)v);
	}
	outbuf_put(b, start, (size_t)(tmp + sizeof(tmp) - start));
}

void outbuf_hex64(struct outbuf *b, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16], *p = tmp + sizeof(tmp);

	do {
		*--p = digits[v & 0xf];
		v >>= 4;
	} while (v);
	outbuf_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}
