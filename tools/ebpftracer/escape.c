/* SPDX-License-Identifier: Apache-2.0 */
/* Escaping shared by both printers: captured strings are arbitrary bytes from user memory,
 * and no path, however hostile, may break a line of text or a JSON document. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "escape.h"

static bool is_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t escape_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c, lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	/* Table 3-7 of the Unicode standard: the second byte's range depends on the first,
	 * which rules out overlong forms, surrogates and code points past U+10FFFF. */
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (!is_continuation(s[i]))
			return 0;
	return len;
}

/* U+0080 .. U+009F, encoded C2 80 .. C2 9F: controls that terminals act on. */
static bool is_c1_control(const unsigned char *s, size_t len)
{
	return len == 2 && s[0] == 0xc2 && s[1] <= 0x9f;
}

static const char hex_digits[] = "0123456789abcdef";

/* Bytes each output copies unchanged: printable ASCII but its own quote and backslash. */
enum { PLAIN_TEXT = ESCAPE_PLAIN_TEXT, PLAIN_JSON = ESCAPE_PLAIN_JSON };

const unsigned char escape_plain[256] = {
	[0x20 ... 0x21] = PLAIN_TEXT | PLAIN_JSON,
	['"'] = PLAIN_TEXT,
	[0x23 ... 0x26] = PLAIN_TEXT | PLAIN_JSON,
	['\''] = PLAIN_JSON,
	[0x28 ... 0x5b] = PLAIN_TEXT | PLAIN_JSON,
	/* 0x5c, the backslash, is escaped by both */
	[0x5d ... 0x7e] = PLAIN_TEXT | PLAIN_JSON,
};

/*
 * Eight bytes at a time while none needs a look (most paths are plain ASCII): true when the
 * word W has no control byte, no DEL, no byte >= 0x80, no backslash and no QUOTE. Each test
 * is the exact "some byte is zero" (or "below N") bit trick, so nothing is missed.
 */
#define ONES (~(uint64_t)0 / 255)
#define HIGHS (ONES * 0x80)

static inline bool word_has_zero(uint64_t w)
{
	return (w - ONES) & ~w & HIGHS;
}

static inline bool word_is_plain(uint64_t w, unsigned char quote)
{
	return !(((w - ONES * 0x20) | w) & HIGHS) && !word_has_zero(w ^ (ONES * 0x7f)) &&
	       !word_has_zero(w ^ (ONES * '\\')) && !word_has_zero(w ^ (ONES * quote));
}

/* Copies the plain words at the start of P; returns how many bytes were copied. */
static inline size_t copy_plain_words(char *d, const unsigned char *p, size_t len,
				      unsigned char quote)
{
	size_t i = 0;
	uint64_t w;

	while (len - i >= sizeof(w)) {
		memcpy(&w, p + i, sizeof(w));
		if (!word_is_plain(w, quote))
			break;
		memcpy(d + i, &w, sizeof(w));
		i += sizeof(w);
	}
	return i;
}

static char *put_hex_byte(char *d, char prefix_last, unsigned char c)
{
	*d++ = '\\';
	*d++ = prefix_last;
	*d++ = hex_digits[c >> 4];
	*d++ = hex_digits[c & 0xf];
	return d;
}

char *escape_text_at(char *d, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = copy_plain_words(d, p, len, '\''), n;

	d += i;
	while (i < len) {
		unsigned char c = p[i];

		if (escape_plain[c] & PLAIN_TEXT) {
			*d++ = (char)c;
			i++;
			continue;
		}
		if (c >= 0x80) {
			n = escape_utf8_len(p + i, len - i);
			if (n > 1 && !is_c1_control(p + i, n)) {
				memcpy(d, p + i, n);
				d += n;
				i += n;
				continue;
			}
			if (n < 2)
				n = 1;
			/* A C1 control gives each of its bytes, so the text still gives them back. */
			while (n--)
				d = put_hex_byte(d, 'x', p[i++]);
			continue;
		}
		switch (c) {
		case '\'':
		case '\\':
			*d++ = '\\';
			*d++ = (char)c;
			break;
		case '\n':
			*d++ = '\\';
			*d++ = 'n';
			break;
		case '\t':
			*d++ = '\\';
			*d++ = 't';
			break;
		case '\r':
			*d++ = '\\';
			*d++ = 'r';
			break;
		default:
			d = put_hex_byte(d, 'x', c);
			break;
		}
		i++;
	}
	return d;
}

void escape_text(struct outbuf *out, const char *data, size_t len)
{
	char *d = outbuf_reserve(out, escape_text_max(len));

	if (d)
		outbuf_commit(out, escape_text_at(d, data, len));
}

char *escape_json_at(char *d, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = copy_plain_words(d, p, len, '"'), n;

	d += i;
	while (i < len) {
		unsigned char c = p[i];

		if (escape_plain[c] & PLAIN_JSON) {
			*d++ = (char)c;
			i++;
			continue;
		}
		if (c >= 0x80) {
			n = escape_utf8_len(p + i, len - i);
			if (n > 1) {
				memcpy(d, p + i, n);
				d += n;
				i += n;
				continue;
			}
		}
		switch (c) {
		case '"':
		case '\\':
			*d++ = '\\';
			*d++ = (char)c;
			break;
		case '\n':
			*d++ = '\\';
			*d++ = 'n';
			break;
		case '\t':
			*d++ = '\\';
			*d++ = 't';
			break;
		case '\r':
			*d++ = '\\';
			*d++ = 'r';
			break;
		case '\b':
			*d++ = '\\';
			*d++ = 'b';
			break;
		case '\f':
			*d++ = '\\';
			*d++ = 'f';
			break;
		default:
			*d++ = '\\';
			*d++ = 'u';
			*d++ = '0';
			*d++ = '0';
			*d++ = hex_digits[c >> 4];
			*d++ = hex_digits[c & 0xf];
			break;
		}
		i++;
	}
	return d;
}

void escape_json(struct outbuf *out, const char *data, size_t len)
{
	char *d = outbuf_reserve(out, escape_json_max(len));

	if (d)
		outbuf_commit(out, escape_json_at(d, data, len));
}

void escape_hex(struct outbuf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	char *d = outbuf_reserve(out, len <= SIZE_MAX / 2 ? len * 2 : SIZE_MAX);
	size_t i;

	if (!d)
		return;
	for (i = 0; i < len; i++) {
		*d++ = hex_digits[p[i] >> 4];
		*d++ = hex_digits[p[i] & 0xf];
	}
	outbuf_commit(out, d);
}
