/* SPDX-License-Identifier: Apache-2.0 */
/* Escaping shared by both printers: captured strings are arbitrary bytes from user memory,
 * and no path, however hostile, may break a line of text or a JSON document. */
#include <stdbool.h>
#include <stdint.h>

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

static void put_hex_byte(FILE *out, const char *prefix, unsigned char c)
{
	static const char digits[] = "0123456789abcdef";

	fputs(prefix, out);
	putc(digits[c >> 4], out);
	putc(digits[c & 0xf], out);
}

void escape_text(FILE *out, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0, run = 0, n;

	/* Plain bytes are written in runs; the run is flushed before each escape. */
	while (i < len) {
		unsigned char c = p[i];
		const char *esc = NULL;

		n = escape_utf8_len(p + i, len - i);
		if (n == 1 && c >= 0x20 && c != 0x7f && c != '\'' && c != '\\') {
			i++;
			continue;
		}
		if (n > 1 && !is_c1_control(p + i, n)) {
			i += n;
			continue;
		}
		fwrite(p + run, 1, i - run, out);
		switch (c) {
		case '\'':
			esc = "\\'";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\r':
			esc = "\\r";
			break;
		}
		if (esc) {
			fputs(esc, out);
			i++;
		} else if (n > 1) {
			/* A C1 control: each of its bytes, so the text still gives them back. */
			size_t k;

			for (k = 0; k < n; k++)
				put_hex_byte(out, "\\x", p[i + k]);
			i += n;
		} else {
			put_hex_byte(out, "\\x", c);
			i++;
		}
		run = i;
	}
	fwrite(p + run, 1, i - run, out);
}

void escape_json(FILE *out, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0, run = 0, n;

	while (i < len) {
		unsigned char c = p[i];
		const char *esc = NULL;

		n = escape_utf8_len(p + i, len - i);
		if (n == 1 && c >= 0x20 && c != 0x7f && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (n > 1) {
			i += n;
			continue;
		}
		fwrite(p + run, 1, i - run, out);
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		}
		if (esc)
			fputs(esc, out);
		else
			put_hex_byte(out, "\\u00", c);
		i++;
		run = i;
	}
	fwrite(p + run, 1, i - run, out);
}

void escape_hex(FILE *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		put_hex_byte(out, "", p[i]);
}
