/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing of tracefs event format files. Works on buffers only (no I/O) so it can be fuzzed. */
#ifndef EBPFPUB_FORMAT_H
#define EBPFPUB_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an argument is, judged from its C type text. */
enum format_class {
	FORMAT_CLASS_INTEGER = 1,      /* int, long, size_t, umode_t, pid_t, u32, ... */
	FORMAT_CLASS_STRING = 2,       /* char * / const char * (a C string in user memory) */
	FORMAT_CLASS_STRING_ARRAY = 3, /* const char *const * (argv, envp) */
	FORMAT_CLASS_POINTER = 4,      /* any other pointer (struct stat *, void *, ...) */
};

struct format_field {
	char *name;         /* "pathname" */
	char *c_type;       /* "const char *", with __attribute__((user)) and "__user" removed */
	uint32_t offset;    /* byte offset in the tracepoint record */
	uint32_t size;      /* bytes in the record (8 for every syscall argument) */
	bool is_signed;     /* as the format says (0 for every syscall argument) */
	bool is_common;     /* common_* fields and __syscall_nr */
	enum format_class class;
	/* The C type's own width and signedness: "int" -> 4/true, "umode_t" -> 2/false,
	 * "long" -> 8/true, pointers -> 8/false; unknown typedefs fall back to size/is_signed. */
	uint32_t value_width;
	bool value_signed;
};

struct format {
	char *name;                   /* "sys_enter_mkdir" */
	uint32_t id;                  /* the ID: line */
	struct format_field *fields;  /* in file order, common fields included */
	size_t field_count;
};

/* Parses BUF (LEN bytes, need not be NUL-terminated) into OUT. On failure returns -EINVAL
 * (or -ENOMEM) and writes a message naming the line and what was wrong to ERR. */
int format_parse(const char *buf, size_t len, struct format *out, char *err, size_t err_size);
void format_release(struct format *format);

/* Argument fields: the fields after the common ones and __syscall_nr, in order. */
size_t format_arg_count(const struct format *format);
const struct format_field *format_arg(const struct format *format, size_t i);
const struct format_field *format_find(const struct format *format, const char *name);

#endif
