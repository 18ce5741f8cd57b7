/* SPDX-License-Identifier: Apache-2.0 */
/* Escaping of captured bytes for the text and JSON printers. */
#ifndef EBPFTRACER_ESCAPE_H
#define EBPFTRACER_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "outbuf.h"

/*
 * Length (1 .. 4) of the well-formed UTF-8 sequence at S (N bytes available), or 0 when the
 * byte at S does not start one (a stray continuation byte, an overlong form, a surrogate, a
 * code point past U+10FFFF, or a sequence cut by the end of the data).
 */
size_t escape_utf8_len(const unsigned char *s, size_t n);

/*
 * Appends LEN bytes of DATA for the text output, without the surrounding quotes: ' and \ are
 * preceded by \, newline, tab and carriage return become \n \t \r, every other control
 * character (C0, DEL and C1) and every byte that is not part of well-formed UTF-8 becomes
 * \xHH of the raw byte. A value can therefore never end its line or its quotes early, and
 * each \xHH gives back the exact byte.
 */
void escape_text(struct outbuf *out, const char *data, size_t len);

/* The same at D, which has room for escape_text_max(LEN) bytes; returns the end. */
char *escape_text_at(char *d, const char *data, size_t len);

/* The most LEN bytes can become: \xHH each. SIZE_MAX, which no buffer can hold, when the
 * product overflows. */
static inline size_t escape_text_max(size_t len)
{
	return len <= SIZE_MAX / 4 ? len * 4 : SIZE_MAX;
}

/*
 * Appends LEN bytes of DATA as the inside of a JSON string: " and \ escaped, control
 * characters as \n \t \r \b \f or \u00XX, well-formed UTF-8 copied. A byte that is not part
 * of well-formed UTF-8 becomes \u00XX of its value: the output is always valid JSON, at the
 * price that such a byte and the character U+00XX look the same once decoded.
 */
void escape_json(struct outbuf *out, const char *data, size_t len);

/* The same at D, which has room for escape_json_max(LEN) bytes; returns the end. */
char *escape_json_at(char *d, const char *data, size_t len);

/* The most LEN bytes can become: \u00XX each (SIZE_MAX on overflow). */
static inline size_t escape_json_max(size_t len)
{
	return len <= SIZE_MAX / 6 ? len * 6 : SIZE_MAX;
}

/* For each byte, whether the text (ESCAPE_PLAIN_TEXT) and the JSON (ESCAPE_PLAIN_JSON)
 * output copy it as it is: printable ASCII but the output's own quote and the backslash. */
enum { ESCAPE_PLAIN_TEXT = 1, ESCAPE_PLAIN_JSON = 2 };
extern const unsigned char escape_plain[256];

/*
 * A NUL-terminated string S, quoted as a JSON string, when it is plain and shorter than
 * ESCAPE_SHORT: copied while its end is looked for, at D (room for ESCAPE_SHORT + 2 bytes).
 * Returns the end, or NULL (nothing meaningful at D) for any other string. Names (of
 * syscalls, serializers, arguments) are such strings, and each would cost a strlen() and
 * an escape_json() call.
 */
#define ESCAPE_SHORT 32

static inline char *escape_json_short(char *d, const char *s)
{
	size_t i;

	*d++ = '"';
	for (i = 0; i < ESCAPE_SHORT; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(escape_plain[c] & ESCAPE_PLAIN_JSON)) {
			if (c)
				return NULL;
			d[i] = '"';
			return d + i + 1;
		}
		d[i] = (char)c;
	}
	return NULL;
}

/* Appends DATA as lower-case hexadecimal, two digits a byte. */
void escape_hex(struct outbuf *out, const void *data, size_t len);

#endif
