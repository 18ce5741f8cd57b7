/* SPDX-License-Identifier: Apache-2.0 */
/* Serializers: which arguments of a syscall are dereferenced, when, and how they decode.
 * A serializer is a table of captures (struct ebpfpub_capture, public so that an embedding
 * program can write its own); the code generator and the decoder implement each kind once. */
#ifndef EBPFPUB_SERIALIZER_H
#define EBPFPUB_SERIALIZER_H

#include <ebpfpub/ebpfpub.h>

#include "format.h"

/* The built-in serializer for SYSCALL (connect, bind, accept, accept4, execve, execveat),
 * or NULL when the generic one applies. */
const struct ebpfpub_serializer *serializer_builtin(const char *syscall);

/* The generic serializer: every `char *` argument as a string, read at exit. Returns a
 * malloc'd capture array in *OUT (may be NULL with *COUNT 0). */
int serializer_generic_captures(const struct format *enter, struct ebpfpub_capture **out,
				size_t *count);
extern const char serializer_generic_name[];

struct cg_fn;
struct LLVMOpaqueValue;

/* What a built-in serializer adds to the core's programs and attachments beyond its capture
 * table, so that the core names no syscall. */
struct serializer_ops {
	/* Emitted in the exit program once the entry is in the record and the exit code is
	 * stored, before the exit captures (REC and RETVAL are LLVM values). */
	void (*emit_exit)(struct cg_fn *f, struct LLVMOpaqueValue *rec,
			  struct LLVMOpaqueValue *retval);
	/* Also attach the exit program to sys_exit_<this> (or NULL). */
	const char *extra_exit_syscall;
	/* Exits without an entry are expected (an exit tracepoint shared with another
	 * syscall): they are not counted. */
	bool exit_shared;
	/* emit_exit reads task->mm and mm's argument fields: the env needs their offsets. */
	bool needs_mm_offsets;
	/* The ARGV capture of this argument is kept the last enter capture and its position is
	 * written into the header's argv_offset, for emit_exit to replace it. */
	const char *rewind_argv;
};

/* The operations for SYSCALL's built-in handling, or NULL (whatever its capture table). */
const struct serializer_ops *serializer_ops_for(const char *syscall);

/* Decodes the bytes of a struct sockaddr as read from user memory into OUT, whose data
 * points into DATA. Returns EBPFPUB_FIELD_BAD_LENGTH when LEN is too short for the family
 * (or, for AF_UNIX, too long), else 0; whatever fits is decoded either way. */
uint32_t serializer_decode_sockaddr(const unsigned char *data, uint32_t len,
				    struct ebpfpub_sockaddr *out);

#endif
