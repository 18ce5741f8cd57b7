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

/* True for syscalls whose argv is re-read from the new program after a successful exec. */
bool serializer_is_exec(const char *syscall);

/* Decodes the bytes of a struct sockaddr as read from user memory into OUT, whose data
 * points into DATA. Returns EBPFPUB_FIELD_BAD_LENGTH when LEN is too short for the family
 * (or, for AF_UNIX, too long), else 0; whatever fits is decoded either way. */
uint32_t serializer_decode_sockaddr(const unsigned char *data, uint32_t len,
				    struct ebpfpub_sockaddr *out);

#endif
