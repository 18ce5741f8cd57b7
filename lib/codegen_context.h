/* SPDX-License-Identifier: Apache-2.0 */
/* The process context in the generated programs (record.h: struct record_context, the
 * CGROUP_NAME and ANCESTOR items). */
#ifndef EBPFPUB_CODEGEN_CONTEXT_H
#define EBPFPUB_CODEGEN_CONTEXT_H

#include "codegen_builder.h"

/* Jumps to SKIP unless the task is in the --cgroup cgroup or below it. */
void cg_context_filter(struct cg_fn *f, LLVMBasicBlockRef skip);
/* At enter: the struct record_context at layout.context_offset. TASK: the current task as
 * bpf_get_current_task_btf returned it to the caller (its task storage), or NULL. */
void cg_context_enter(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef task);
/* At exit: the cgroup path's names and the ancestors, as items; TASK as above. */
void cg_context_exit(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef task);
/* At exit, when the output refused the record: forget the path it carried. */
void cg_context_lost(struct cg_fn *f);

#endif
