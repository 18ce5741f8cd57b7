/* SPDX-License-Identifier: Apache-2.0 */
/* The layout of one traced syscall: its format fields, what its serializer captures, and the
 * sizes that follow. The one table that both the code generator and the decoder read. */
#ifndef EBPFPUB_LAYOUT_H
#define EBPFPUB_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

#include "format.h"
#include "record.h"

/* Sizes of the record assembly area, fixed by the buffer storage. */
struct layout_storage {
	uint32_t buffer_size; /* bytes of one string, NUL included */
	uint32_t capacity;    /* power of two: items start only below this offset */
	uint32_t area_size;   /* capacity + room for the largest item */
};

#define LAYOUT_SOCKADDR_MAX 128u  /* sizeof(struct sockaddr_storage) */
#define LAYOUT_ARGV_DEFAULT_ITEMS 32u
#define LAYOUT_ARGV_MAX_ITEMS 1024u
#define LAYOUT_ENTER_CAPACITY_MAX 16384u

struct layout_capture {
	uint32_t arg;               /* argument index */
	enum ebpfpub_capture_kind kind;
	enum ebpfpub_capture_when when;
	int size_arg;               /* argument index holding the length, or -1 */
	bool size_is_pointer;
	uint32_t size;              /* fixed length or bound */
	uint32_t max_items;         /* ARGV */
};

struct layout {
	char *syscall;
	const char *serializer_name;
	const struct ebpfpub_serializer *user;  /* for the decode hook; NULL for built-ins */
	struct format enter;
	struct format exit;
	uint32_t arg_count;
	const struct format_field **args;       /* arg_count entries into enter.fields */
	struct layout_capture *captures;
	size_t capture_count;
	uint32_t ret_offset;                    /* offset of `ret` in the exit record */
	bool has_enter_captures;
	const struct serializer_ops *ops;       /* the syscall's built-in extras, or NULL */
	int rewind_capture;                     /* index of ops->rewind_argv's capture, or -1 */
	uint32_t fixed_size;                    /* header + args (+ context) */
	uint32_t entry_size;                    /* event map value: fixed + enter capture room */
	uint32_t enter_capacity;                /* where enter captures must stop */
	uint32_t context_offset;                /* struct record_context, or 0: none */
	uint32_t ancestors;                     /* ancestor items the exit program adds */
	struct layout_storage storage;
};

/* Builds the layout of SYSCALL from its two format buffers and a serializer (NULL: generic).
 * On failure writes a message naming the syscall, the field and the problem to ERR. */
int layout_build(struct layout *layout, const char *syscall, const char *enter_buf,
		 size_t enter_len, const char *exit_buf, size_t exit_len,
		 const struct ebpfpub_serializer *serializer, const struct layout_storage *storage,
		 char *err, size_t err_size);
void layout_release(struct layout *layout);

/* The storage sizes for a buffer size and count. */
void layout_storage_init(struct layout_storage *st, uint32_t buffer_size, uint32_t buffer_count);

int layout_arg_index(const struct layout *layout, const char *name);

/* The width of an argument's value: its C type's, or its whole slot (8 bytes: layout_build
 * refuses other sizes) when the type is unknown. The one rule for the code generator, which
 * bounds length arguments with it, and the decoder, which extends values from it. */
static inline uint32_t layout_value_width(const struct format_field *ff)
{
	return ff->value_width ? ff->value_width : ff->size;
}

#endif
