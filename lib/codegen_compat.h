/* SPDX-License-Identifier: Apache-2.0 */
/* Dispatch mode only: the raw_syscalls tracepoints also fire for ia32 calls (int $0x80 and
 * compat tasks), with ia32 numbers, which the per-syscall tracepoints never report
 * (trace_get_syscall_nr() is -1 under in_32bit_syscall()). */
#ifndef EBPFPUB_CODEGEN_COMPAT_H
#define EBPFPUB_CODEGEN_COMPAT_H

#include "codegen_builder.h"

/* x86's TS_COMPAT in thread_info.status: the task is in an ia32 syscall. */
#define CODEGEN_TS_COMPAT 0x0002u

/* When env->skip_compat: jumps to SKIP if the current task is in an ia32 syscall. Such a
 * call is not one of this syscall's (its number means another syscall in the ia32 table),
 * so it is not counted anywhere, as in per-tracepoint mode where it is never seen. */
void cg_skip_compat(struct cg_fn *f, LLVMBasicBlockRef skip);

#endif
