/* SPDX-License-Identifier: Apache-2.0 */
/* The IR builder used by the program generators (bpftrace's IRBuilderBPF idea, in C). */
#ifndef EBPFPUB_CODEGEN_BUILDER_H
#define EBPFPUB_CODEGEN_BUILDER_H

#include "codegen_internal.h"

/* One function being built: the builder helpers below work on it (bpftrace's IRBuilderBPF
 * idea, in C). */
struct cg_fn {
	struct codegen *cg;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMValueRef fn;
	LLVMValueRef ctx;       /* the tracepoint record */
	LLVMBasicBlockRef entry;
	LLVMTypeRef i8, i16, i32, i64, ptr, void_t;
	const struct codegen_env *env;
	const struct layout *layout;
	/* i32: the syscall's event id and first counter, constants or read per number
	 * (codegen_env.by_number); set by the program's first block. */
	LLVMValueRef event_id, counter_base;
	/* Raw tracepoint enter: a stack copy of the registers that hold the arguments (see
	 * CODEGEN_REGS_ARGS_FROM), made by the program's first block; NULL otherwise. */
	LLVMValueRef regs_args;
};

LLVMValueRef cg_const(struct cg_fn *f, uint64_t v);
LLVMValueRef cg_const32(struct cg_fn *f, uint32_t v);
LLVMValueRef cg_map(struct cg_fn *f, int fd);
LLVMValueRef cg_helper(struct cg_fn *f, int id, LLVMTypeRef ret, LLVMValueRef *args, unsigned n);
/* A helper without arguments that returns a u64 (pid_tgid, ktime, the task...). */
LLVMValueRef cg_helper0(struct cg_fn *f, int id);
LLVMValueRef cg_slot(struct cg_fn *f, LLVMTypeRef type, unsigned count);
LLVMValueRef cg_at(struct cg_fn *f, LLVMValueRef base, LLVMValueRef off);
LLVMValueRef cg_load(struct cg_fn *f, LLVMTypeRef type, LLVMValueRef base, uint64_t off);
void cg_store(struct cg_fn *f, LLVMValueRef value, LLVMValueRef base, uint64_t off);
LLVMBasicBlockRef cg_block(struct cg_fn *f, const char *name);
void cg_goto(struct cg_fn *f, LLVMBasicBlockRef bb);
void cg_if(struct cg_fn *f, LLVMValueRef cond, LLVMBasicBlockRef then, LLVMBasicBlockRef other);
LLVMValueRef cg_lookup(struct cg_fn *f, int map_fd, LLVMValueRef key_slot);
void cg_counter_add(struct cg_fn *f, int map_fd, uint32_t index);
void cg_counter_add_at(struct cg_fn *f, int map_fd, LLVMValueRef index);
/* Argument I of the call at enter: from the tracepoint record, or from the copy of the
 * registers (raw tracepoint). */
LLVMValueRef cg_arg(struct cg_fn *f, uint32_t i);
/* Counter C of the syscall (enum codegen_counter) in env.counters_fd. */
void cg_count(struct cg_fn *f, uint32_t c);
/* The key of the syscall's slot C in env.counters_fd: counter_base + C. */
LLVMValueRef cg_counter_key(struct cg_fn *f, uint32_t c);

#endif
