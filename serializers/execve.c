/* SPDX-License-Identifier: Apache-2.0 */
/* execve/execveat: the filename and argv are read at enter, while the caller's memory exists;
 * after a successful exec the argv is read again from the new program's stack, where the
 * kernel copied it (this also finds strings in pages the caller never touched). */
#include "serializer.h"

static const struct ebpfpub_capture execve_captures[] = {
	{ .arg = "filename", .kind = EBPFPUB_CAPTURE_STRING, .when = EBPFPUB_AT_ENTER },
	{ .arg = "argv", .kind = EBPFPUB_CAPTURE_ARGV, .when = EBPFPUB_AT_ENTER },
};

const struct ebpfpub_serializer serializer_execve = {
	.sz = sizeof(struct ebpfpub_serializer), .name = "execve",
	.captures = execve_captures, .capture_count = 2,
};
const struct ebpfpub_serializer serializer_execveat = {
	.sz = sizeof(struct ebpfpub_serializer), .name = "execve",
	.captures = execve_captures, .capture_count = 2,
};
