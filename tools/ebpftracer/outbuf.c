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
const char outbuf_digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

const uint64_t outbuf_pow10[20] = {
	1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
	10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
	1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
	10000000000000000000u,
};

char *fmt_hex64(char *d, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	unsigned int len = v ? (67 - (unsigned int)__builtin_clzll(v)) / 4 : 1;
	char *p = d + len;

	do {
		*--p = digits[v & 0xf];
		v >>= 4;
	} while (v);
	return d + len;
}
