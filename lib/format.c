/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parser for tracefs event format files, e.g. events/syscalls/sys_enter_mkdir/format:
 *
 *	name: sys_enter_mkdir
 *	ID: 888
 *	format:
 *		field:unsigned short common_type;	offset:0;	size:2;	signed:0;
 *		...
 *		field:const char * pathname;	offset:16;	size:8;	signed:0;
 *
 *	print fmt: "..."
 *
 * The input is untrusted as far as this file is concerned (it is fuzzed): every read is
 * bounded by the length given, nothing assumes a terminating NUL, and every number is checked
 * for overflow. The buffer is only ever looked at through (pointer, length) spans.
 */
#include "format.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A real format file is about a kilobyte; the limits only stop pathological input from
 * costing time and memory. */
#define FORMAT_MAX_LEN (1u << 20)
#define FORMAT_MAX_FIELDS 1024u
#define FORMAT_MAX_TEXT 256u /* event names, field names and C types */

/* Pointers are 8 bytes in every syscall record this library reads (64-bit kernels only). */
#define FORMAT_POINTER_WIDTH 8u

struct format_span {
	const char *s;
	size_t n;
};

struct format_parser {
	const char *buf;
	size_t len;
	size_t pos;
	unsigned int line_no;
	char *err;
	size_t err_size;
};

/* Width and signedness of the integer types that syscall formats use. Sizes are those of
 * x86_64 and arm64 (LP64), the only targets of the library. */
struct format_int_type {
	const char *name;
	uint8_t width;
	bool is_signed;
};

static const struct format_int_type format_int_types[] = {
	/* The kernel is built with -funsigned-char (since 6.2, and on arm64 always). */
	{ "char", 1, false },
	{ "signed char", 1, true },
	{ "unsigned char", 1, false },
	{ "bool", 1, false },
	{ "_Bool", 1, false },
	{ "short", 2, true },
	{ "short int", 2, true },
	{ "signed short", 2, true },
	{ "unsigned short", 2, false },
	{ "unsigned short int", 2, false },
	{ "short unsigned int", 2, false },
	{ "int", 4, true },
	{ "signed", 4, true },
	{ "signed int", 4, true },
	{ "unsigned", 4, false },
	{ "unsigned int", 4, false },
	{ "long", 8, true },
	{ "long int", 8, true },
	{ "signed long", 8, true },
	{ "unsigned long", 8, false },
	{ "unsigned long int", 8, false },
	{ "long unsigned int", 8, false },
	{ "long long", 8, true },
	{ "long long int", 8, true },
	{ "unsigned long long", 8, false },
	{ "unsigned long long int", 8, false },
	{ "long long unsigned int", 8, false },
	{ "u8", 1, false },
	{ "u16", 2, false },
	{ "u32", 4, false },
	{ "u64", 8, false },
	{ "s8", 1, true },
	{ "s16", 2, true },
	{ "s32", 4, true },
	{ "s64", 8, true },
	{ "__u8", 1, false },
	{ "__u16", 2, false },
	{ "__u32", 4, false },
	{ "__u64", 8, false },
	{ "__s8", 1, true },
	{ "__s16", 2, true },
	{ "__s32", 4, true },
	{ "__s64", 8, true },
	{ "uint8_t", 1, false },
	{ "uint16_t", 2, false },
	{ "uint32_t", 4, false },
	{ "uint64_t", 8, false },
	{ "int8_t", 1, true },
	{ "int16_t", 2, true },
	{ "int32_t", 4, true },
	{ "int64_t", 8, true },
	{ "size_t", 8, false },
	{ "ssize_t", 8, true },
	{ "__kernel_size_t", 8, false },
	{ "__kernel_ssize_t", 8, true },
	{ "__kernel_long_t", 8, true },
	{ "__kernel_ulong_t", 8, false },
	{ "umode_t", 2, false },
	{ "mode_t", 4, false },
	{ "__kernel_mode_t", 4, false },
	{ "pid_t", 4, true },
	{ "__kernel_pid_t", 4, true },
	{ "uid_t", 4, false },
	{ "gid_t", 4, false },
	{ "__kernel_uid32_t", 4, false },
	{ "__kernel_gid32_t", 4, false },
	{ "qid_t", 4, false },
	/* 16-bit ids of the legacy *16 syscalls (x86 and arm64 both use unsigned short). */
	{ "old_uid_t", 2, false },
	{ "old_gid_t", 2, false },
	{ "__kernel_old_uid_t", 2, false },
	{ "__kernel_old_gid_t", 2, false },
	{ "off_t", 8, true },
	{ "loff_t", 8, true },
	{ "__kernel_off_t", 8, true },
	{ "__kernel_loff_t", 8, true },
	{ "time_t", 8, true },
	{ "__kernel_old_time_t", 8, true },
	{ "__kernel_time64_t", 8, true },
	{ "clock_t", 8, true },
	{ "__kernel_clock_t", 8, true },
	{ "suseconds_t", 8, true },
	{ "clockid_t", 4, true },
	{ "__kernel_clockid_t", 4, true },
	{ "timer_t", 4, true },
	{ "__kernel_timer_t", 4, true },
	{ "key_t", 4, true },
	{ "__kernel_key_t", 4, true },
	{ "key_serial_t", 4, true },
	{ "mqd_t", 4, true },
	{ "__kernel_mqd_t", 4, true },
	{ "rwf_t", 4, true },
	{ "__kernel_rwf_t", 4, true },
	{ "aio_context_t", 8, false },
	{ "old_sigset_t", 8, false },
	{ "dev_t", 4, false },
	{ "ino_t", 8, false },
	{ "nfds_t", 4, false },
};

/* Typedefs that hide a pointer: without a '*' in the text they would look like integers. */
static const char *const format_pointer_typedefs[] = {
	"cap_user_header_t", "cap_user_data_t", "caddr_t", "__kernel_caddr_t",
	"__sighandler_t",    "__sigrestore_t",
};

static const char *const format_qualifiers[] = {
	"const", "volatile", "restrict", "__restrict", "__restrict__",
};

static struct format_span format_span_trim(struct format_span sp)
{
	while (sp.n && (sp.s[0] == ' ' || sp.s[0] == '\t')) {
		sp.s++;
		sp.n--;
	}
	while (sp.n && (sp.s[sp.n - 1] == ' ' || sp.s[sp.n - 1] == '\t'))
		sp.n--;
	return sp;
}

static bool format_span_starts(struct format_span sp, const char *prefix)
{
	size_t n = strlen(prefix);

	return sp.n >= n && memcmp(sp.s, prefix, n) == 0;
}

static bool format_span_eq(struct format_span sp, const char *str)
{
	return sp.n == strlen(str) && memcmp(sp.s, str, sp.n) == 0;
}

static struct format_span format_span_skip(struct format_span sp, size_t n)
{
	sp.s += n;
	sp.n -= n;
	return sp;
}

/* Index of the first C in SP, or SP.n. */
static size_t format_span_find(struct format_span sp, char c)
{
	const char *hit = memchr(sp.s, c, sp.n);

	return hit ? (size_t)(hit - sp.s) : sp.n;
}

static bool format_is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Copies SP for an error message: at most 40 bytes, non-printable bytes shown as '?'. */
static void format_quote(struct format_span sp, char *out, size_t out_size)
{
	size_t n = sp.n < 40 ? sp.n : 40;
	size_t i;

	if (n >= out_size)
		n = out_size - 1;
	for (i = 0; i < n; i++)
		out[i] = (sp.s[i] >= 0x20 && sp.s[i] < 0x7f) ? sp.s[i] : '?';
	if (n < sp.n && n >= 3)
		memcpy(out + n - 3, "...", 3);
	out[n] = '\0';
}

__attribute__((format(printf, 2, 3))) static int format_error(struct format_parser *p,
							      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->err_size)
		return -EINVAL;
	n = snprintf(p->err, p->err_size, "line %u: ", p->line_no);
	if (n < 0 || (size_t)n >= p->err_size)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->err_size - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Next line without its '\n'; false at the end of the input. */
static bool format_next_line(struct format_parser *p, struct format_span *line)
{
	struct format_span rest;
	size_t n;

	if (p->pos >= p->len)
		return false;
	rest.s = p->buf + p->pos;
	rest.n = p->len - p->pos;
	n = format_span_find(rest, '\n');
	line->s = rest.s;
	line->n = n;
	p->pos += n < rest.n ? n + 1 : n;
	p->line_no++;
	return true;
}

static int format_check_text(struct format_parser *p, struct format_span line)
{
	size_t i;

	for (i = 0; i < line.n; i++) {
		unsigned char c = (unsigned char)line.s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return format_error(p, "control character 0x%02x at column %zu", c, i + 1);
	}
	return 0;
}

/* A decimal number of at most UINT32_MAX, digits only. */
static int format_parse_u32(struct format_parser *p, struct format_span sp, const char *what,
			    uint32_t *out)
{
	uint64_t v = 0;
	char q[48];
	size_t i;

	sp = format_span_trim(sp);
	format_quote(sp, q, sizeof(q));
	if (!sp.n)
		return format_error(p, "%s: missing number", what);
	for (i = 0; i < sp.n; i++) {
		if (sp.s[i] < '0' || sp.s[i] > '9')
			return format_error(p, "%s: '%s' is not a number", what, q);
		v = v * 10 + (uint64_t)(sp.s[i] - '0');
		if (v > UINT32_MAX)
			return format_error(p, "%s: '%s' is out of range", what, q);
	}
	*out = (uint32_t)v;
	return 0;
}

static char *format_strndup(const char *s, size_t n)
{
	char *copy = malloc(n + 1);

	if (!copy)
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	return copy;
}

/* Moves *I past the "((...))" that follows an __attribute__ keyword. */
static int format_skip_attribute(struct format_parser *p, struct format_span type, size_t *i)
{
	unsigned int depth = 0;
	size_t k = *i;

	while (k < type.n && (type.s[k] == ' ' || type.s[k] == '\t'))
		k++;
	if (k >= type.n || type.s[k] != '(')
		return format_error(p, "'__attribute__' without '(' in type");
	do {
		if (type.s[k] == '(')
			depth++;
		else if (type.s[k] == ')')
			depth--;
		k++;
	} while (depth && k < type.n);
	if (depth)
		return format_error(p, "unbalanced '(' in type");
	*i = k;
	return 0;
}

/*
 * Writes TYPE to OUT without annotations that only matter to the kernel's checkers
 * ("__user", "__attribute__((user))", "__attribute__((btf_type_tag("user")))") and with
 * every run of blanks made one space, so that types compare as text. OUT has TYPE.n + 1
 * bytes; the result is never longer than the input.
 */
static int format_normalize_type(struct format_parser *p, struct format_span type, char *out)
{
	size_t i = 0, o = 0;
	bool space = false;

	while (i < type.n) {
		char c = type.s[i];

		if (c == ' ' || c == '\t') {
			space = true;
			i++;
			continue;
		}
		if (format_is_ident_char(c)) {
			size_t start = i;
			struct format_span word;

			while (i < type.n && format_is_ident_char(type.s[i]))
				i++;
			word.s = type.s + start;
			word.n = i - start;
			if (format_span_eq(word, "__user"))
				continue;
			if (format_span_eq(word, "__attribute__") ||
			    format_span_eq(word, "__attribute")) {
				int err = format_skip_attribute(p, type, &i);

				if (err)
					return err;
				space = true;
				continue;
			}
			if (space && o)
				out[o++] = ' ';
			space = false;
			memcpy(out + o, word.s, word.n);
			o += word.n;
			continue;
		}
		if (space && o)
			out[o++] = ' ';
		space = false;
		out[o++] = c;
		i++;
	}
	out[o] = '\0';
	return 0;
}

static bool format_is_qualifier(struct format_span word)
{
	size_t i;

	for (i = 0; i < sizeof(format_qualifiers) / sizeof(format_qualifiers[0]); i++)
		if (format_span_eq(word, format_qualifiers[i]))
			return true;
	return false;
}

static bool format_is_char_base(const char *base)
{
	return !strcmp(base, "char") || !strcmp(base, "unsigned char") ||
	       !strcmp(base, "signed char");
}

/* Fills class, value_width and value_signed of FIELD from its normalized c_type. */
static void format_classify(struct format_field *field)
{
	const char *t = field->c_type;
	char base[FORMAT_MAX_TEXT + 1];
	size_t i = 0, b = 0, stars = 0;
	bool before_star = true, other = false;

	/* Base type: the words before the first '*', without qualifiers. */
	while (t[i]) {
		if (format_is_ident_char(t[i])) {
			struct format_span word = { t + i, 0 };

			while (format_is_ident_char(t[i]))
				i++;
			word.n = (size_t)(t + i - word.s);
			if (!before_star || format_is_qualifier(word))
				continue;
			if (b + word.n + 1 >= sizeof(base))
				continue;
			if (b)
				base[b++] = ' ';
			memcpy(base + b, word.s, word.n);
			b += word.n;
			continue;
		}
		if (t[i] == '*') {
			stars++;
			before_star = false;
		} else if (t[i] != ' ') {
			/* '[' of an array, '(' of a function pointer, '__data_loc' arrays. */
			other = true;
		}
		i++;
	}
	base[b] = '\0';

	field->class = FORMAT_CLASS_INTEGER;
	field->value_width = field->size;
	field->value_signed = field->is_signed;
	if (other) {
		/* Arrays (never syscall arguments) and function pointers: only the record's own
		 * size and sign are known; a function pointer is still an address. */
		if (stars || strchr(t, '(')) {
			field->class = FORMAT_CLASS_POINTER;
			field->value_width = FORMAT_POINTER_WIDTH;
			field->value_signed = false;
		}
		return;
	}
	if (stars) {
		field->class = FORMAT_CLASS_POINTER;
		field->value_width = FORMAT_POINTER_WIDTH;
		field->value_signed = false;
		if (format_is_char_base(base) && stars == 1)
			field->class = FORMAT_CLASS_STRING;
		else if (format_is_char_base(base) && stars == 2)
			field->class = FORMAT_CLASS_STRING_ARRAY;
		return;
	}
	for (i = 0; i < sizeof(format_pointer_typedefs) / sizeof(format_pointer_typedefs[0]); i++) {
		if (!strcmp(base, format_pointer_typedefs[i])) {
			field->class = FORMAT_CLASS_POINTER;
			field->value_width = FORMAT_POINTER_WIDTH;
			field->value_signed = false;
			return;
		}
	}
	for (i = 0; i < sizeof(format_int_types) / sizeof(format_int_types[0]); i++) {
		if (!strcmp(base, format_int_types[i].name)) {
			field->value_width = format_int_types[i].width;
			field->value_signed = format_int_types[i].is_signed;
			return;
		}
	}
	/* GCC gives an enum without negative values the type unsigned int; the kernel's
	 * enums passed to syscalls have none. */
	if (!strncmp(base, "enum ", 5)) {
		field->value_width = 4;
		field->value_signed = false;
	}
}

/*
 * Splits a declaration such as "const char * pathname", "char comm[16]" or
 * "__data_loc char[] msg" into the field's name and its normalized C type.
 */
static int format_parse_decl(struct format_parser *p, struct format_span decl,
			     struct format_field *field)
{
	struct format_span body, name, type, suffix = { NULL, 0 };
	char q[48];
	size_t i;
	int err;

	decl = format_span_trim(decl);
	format_quote(decl, q, sizeof(q));
	if (!decl.n)
		return format_error(p, "empty field declaration");
	if (decl.n > FORMAT_MAX_TEXT)
		return format_error(p, "field declaration '%s' is longer than %u bytes", q,
				    FORMAT_MAX_TEXT);
	body = decl;
	if (decl.s[decl.n - 1] == ']') {
		/* "char comm[16]": the brackets belong to the type, not to the name. */
		for (i = decl.n - 1; i > 0 && decl.s[i - 1] != '['; i--)
			;
		if (!i)
			return format_error(p, "']' without '[' in '%s'", q);
		suffix.s = decl.s + i - 1;
		suffix.n = decl.n - (i - 1);
		body.n = i - 1;
		body = format_span_trim(body);
	}
	for (i = body.n; i > 0 && format_is_ident_char(body.s[i - 1]); i--)
		;
	name.s = body.s + i;
	name.n = body.n - i;
	if (!name.n)
		return format_error(p, "no field name in '%s'", q);
	if (name.s[0] >= '0' && name.s[0] <= '9')
		return format_error(p, "field name in '%s' starts with a digit", q);
	type.s = body.s;
	type.n = i;
	type = format_span_trim(type);
	if (!type.n)
		return format_error(p, "no type before the field name in '%s'", q);

	field->name = format_strndup(name.s, name.n);
	field->c_type = malloc(type.n + suffix.n + 1);
	if (!field->name || !field->c_type)
		return -ENOMEM;
	err = format_normalize_type(p, type, field->c_type);
	if (err)
		return err;
	for (i = 0; field->c_type[i] && !format_is_ident_char(field->c_type[i]); i++)
		;
	if (!field->c_type[i])
		return format_error(p, "field '%s' has no type name", field->name);
	/* The array suffix goes right after the type: "char[16]". */
	if (suffix.n) {
		size_t tn = strlen(field->c_type);

		memcpy(field->c_type + tn, suffix.s, suffix.n);
		field->c_type[tn + suffix.n] = '\0';
	}
	return 0;
}

/* "offset:16;	size:8;	signed:0;" after the declaration. */
static int format_parse_attrs(struct format_parser *p, struct format_span rest,
			      struct format_field *field)
{
	bool have_offset = false, have_size = false, have_signed = false;

	for (;;) {
		struct format_span key, value;
		size_t colon, semi;
		uint32_t v;
		char q[48], what[FORMAT_MAX_TEXT + 64];
		bool *have;
		int err;

		rest = format_span_trim(rest);
		if (!rest.n)
			break;
		colon = format_span_find(rest, ':');
		semi = format_span_find(rest, ';');
		if (colon >= semi) {
			format_quote(rest, q, sizeof(q));
			return format_error(p, "field '%s': expected 'key:value;' at '%s'",
					    field->name, q);
		}
		key.s = rest.s;
		key.n = colon;
		key = format_span_trim(key);
		if (semi == rest.n) {
			format_quote(key, q, sizeof(q));
			return format_error(p, "field '%s': missing ';' after '%s:'", field->name,
					    q);
		}
		value.s = rest.s + colon + 1;
		value.n = semi - colon - 1;
		rest = format_span_skip(rest, semi + 1);

		if (format_span_eq(key, "offset"))
			have = &have_offset;
		else if (format_span_eq(key, "size"))
			have = &have_size;
		else if (format_span_eq(key, "signed"))
			have = &have_signed;
		else
			continue; /* a key added by a later kernel */
		format_quote(key, q, sizeof(q));
		if (*have)
			return format_error(p, "field '%s': '%s:' given twice", field->name, q);
		*have = true;
		snprintf(what, sizeof(what), "field '%s': %s", field->name, q);
		err = format_parse_u32(p, value, what, &v);
		if (err)
			return err;
		if (have == &have_offset) {
			field->offset = v;
		} else if (have == &have_size) {
			field->size = v;
		} else {
			if (v > 1)
				return format_error(p, "field '%s': 'signed:%u' is not 0 or 1",
						    field->name, v);
			field->is_signed = v;
		}
	}
	if (!have_offset)
		return format_error(p, "field '%s': missing 'offset:'", field->name);
	if (!have_size)
		return format_error(p, "field '%s': missing 'size:'", field->name);
	if (!have_signed)
		return format_error(p, "field '%s': missing 'signed:'", field->name);
	if ((uint64_t)field->offset + field->size > UINT32_MAX)
		return format_error(p, "field '%s': offset %u + size %u overflows", field->name,
				    field->offset, field->size);
	/* Only a flexible array ("u8 data[]") may take no room in the record. */
	if (!field->size && !strchr(field->c_type, '['))
		return format_error(p, "field '%s': size is 0", field->name);
	return 0;
}

static void format_field_release(struct format_field *field)
{
	free(field->name);
	free(field->c_type);
	memset(field, 0, sizeof(*field));
}

/* LINE is "field:<decl>; offset:N; size:N; signed:N;" (tab-separated), leading blanks cut. */
static int format_parse_field(struct format_parser *p, struct format_span line,
			      struct format *fmt)
{
	struct format_field field = { 0 }, *grown;
	struct format_span decl;
	size_t semi, i;
	int err;

	line = format_span_skip(line, strlen("field:"));
	semi = format_span_find(line, ';');
	if (semi == line.n) {
		err = format_error(p, "missing ';' after the field declaration");
		goto err;
	}
	decl.s = line.s;
	decl.n = semi;
	err = format_parse_decl(p, decl, &field);
	if (err)
		goto err;
	err = format_parse_attrs(p, format_span_skip(line, semi + 1), &field);
	if (err)
		goto err;
	for (i = 0; i < fmt->field_count; i++) {
		if (!strcmp(fmt->fields[i].name, field.name)) {
			err = format_error(p, "field '%s' given twice", field.name);
			goto err;
		}
	}
	if (fmt->field_count >= FORMAT_MAX_FIELDS) {
		err = format_error(p, "more than %u fields", FORMAT_MAX_FIELDS);
		goto err;
	}
	field.is_common = !strncmp(field.name, "common_", 7) ||
			  !strcmp(field.name, "__syscall_nr");
	format_classify(&field);

	grown = realloc(fmt->fields, (fmt->field_count + 1) * sizeof(*grown));
	if (!grown) {
		err = -ENOMEM;
		goto err;
	}
	fmt->fields = grown;
	fmt->fields[fmt->field_count++] = field;
	return 0;
err:
	format_field_release(&field);
	return err;
}

static int format_parse_name(struct format_parser *p, struct format_span value,
			     struct format *fmt)
{
	size_t i;

	value = format_span_trim(value);
	if (!value.n)
		return format_error(p, "empty event name");
	if (value.n > FORMAT_MAX_TEXT)
		return format_error(p, "event name longer than %u bytes", FORMAT_MAX_TEXT);
	for (i = 0; i < value.n; i++)
		if (value.s[i] == ' ' || value.s[i] == '\t')
			return format_error(p, "blank in the event name");
	fmt->name = format_strndup(value.s, value.n);
	return fmt->name ? 0 : -ENOMEM;
}

int format_parse(const char *buf, size_t len, struct format *out, char *err, size_t err_size)
{
	struct format_parser p = { .err = err, .err_size = err_size };
	struct format fmt = { 0 };
	bool have_id = false, in_format = false;
	struct format_span line;
	int ret;

	if (err && err_size)
		err[0] = '\0';
	if (!out || (!buf && len)) {
		ret = format_error(&p, "no buffer");
		goto err;
	}
	if (len > FORMAT_MAX_LEN) {
		ret = format_error(&p, "input of %zu bytes is larger than the %u byte limit", len,
				   FORMAT_MAX_LEN);
		goto err;
	}
	/* Text ends at the first NUL: callers may pass a length that includes it. */
	p.buf = buf;
	p.len = buf ? strnlen(buf, len) : 0;

	while (format_next_line(&p, &line)) {
		struct format_span t = format_span_trim(line);

		/* The print fmt is free-form C and the last section: nothing after it is ours. */
		if (format_span_starts(t, "print fmt:"))
			break;
		ret = format_check_text(&p, line);
		if (ret)
			goto err;
		if (!t.n)
			continue;
		if (format_span_starts(t, "field:")) {
			if (!in_format) {
				ret = format_error(&p, "field before the 'format:' line");
				goto err;
			}
			ret = format_parse_field(&p, t, &fmt);
			if (ret)
				goto err;
		} else if (in_format) {
			char q[48];

			format_quote(t, q, sizeof(q));
			ret = format_error(&p, "expected 'field:' or 'print fmt:', got '%s'", q);
			goto err;
		} else if (format_span_starts(t, "name:")) {
			if (fmt.name) {
				ret = format_error(&p, "second 'name:' line");
				goto err;
			}
			ret = format_parse_name(&p, format_span_skip(t, 5), &fmt);
			if (ret)
				goto err;
		} else if (format_span_starts(t, "ID:")) {
			if (have_id) {
				ret = format_error(&p, "second 'ID:' line");
				goto err;
			}
			ret = format_parse_u32(&p, format_span_skip(t, 3), "ID", &fmt.id);
			if (ret)
				goto err;
			have_id = true;
		} else if (format_span_eq(t, "format:")) {
			if (!fmt.name || !have_id) {
				ret = format_error(&p, "'format:' before the %s line",
						   fmt.name ? "'ID:'" : "'name:'");
				goto err;
			}
			in_format = true;
		} else {
			char q[48];

			format_quote(t, q, sizeof(q));
			ret = format_error(&p, "unexpected line '%s'", q);
			goto err;
		}
	}
	if (!in_format) {
		if (!p.line_no)
			p.line_no = 1;
		ret = format_error(&p, "input ends before the %s line",
				   !fmt.name ? "'name:'" : !have_id ? "'ID:'" : "'format:'");
		goto err;
	}
	if (!fmt.field_count) {
		ret = format_error(&p, "no 'field:' line after 'format:'");
		goto err;
	}
	*out = fmt;
	return 0;
err:
	format_release(&fmt);
	return ret;
}

void format_release(struct format *format)
{
	size_t i;

	if (!format)
		return;
	for (i = 0; i < format->field_count; i++)
		format_field_release(&format->fields[i]);
	free(format->fields);
	free(format->name);
	memset(format, 0, sizeof(*format));
}

size_t format_arg_count(const struct format *format)
{
	size_t i, n = 0;

	if (!format)
		return 0;
	for (i = 0; i < format->field_count; i++)
		if (!format->fields[i].is_common)
			n++;
	return n;
}

const struct format_field *format_arg(const struct format *format, size_t i)
{
	size_t k;

	if (!format)
		return NULL;
	for (k = 0; k < format->field_count; k++) {
		if (format->fields[k].is_common)
			continue;
		if (!i--)
			return &format->fields[k];
	}
	return NULL;
}

const struct format_field *format_find(const struct format *format, const char *name)
{
	size_t i;

	if (!format || !name)
		return NULL;
	for (i = 0; i < format->field_count; i++)
		if (!strcmp(format->fields[i].name, name))
			return &format->fields[i];
	return NULL;
}
