/* SPDX-License-Identifier: Apache-2.0 */
/* The enter and exit programs of one syscall, generated into two functions the driver made. */
#ifndef EBPFPUB_CODEGEN_PROGRAMS_H
#define EBPFPUB_CODEGEN_PROGRAMS_H

#include "codegen_builder.h"

int codegen_emit_programs(struct cg_fn *enter, struct cg_fn *exit);

#endif
