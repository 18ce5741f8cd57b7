/* SPDX-License-Identifier: Apache-2.0 */
/* The IR builder: one function per BPF idiom (constants, map references, helper calls,
 * stack slots, loads and stores at offsets, branches, counters). A leaf: it calls only LLVM. */
#include <linux/bpf.h>

#include "codegen_builder.h"

LLVMValueRef cg_const(struct cg_fn *f, uint64_t v)
{
	return LLVMConstInt(f->i64, v, 0);
}

LLVMValueRef cg_const32(struct cg_fn *f, uint32_t v)
{
	return LLVMConstInt(f->i32, v, 0);
}

/* A map reference: the BPF back end turns llvm.bpf.pseudo(BPF_PSEUDO_MAP_FD, fd) into a
 * ld_imm64 with src_reg 1, which the kernel replaces by the map's address at load. */
LLVMValueRef cg_map(struct cg_fn *f, int fd)
{
	LLVMTypeRef params[2] = { f->i64, f->i64 };
	LLVMTypeRef type = LLVMFunctionType(f->i64, params, 2, 0);
	LLVMValueRef fn = LLVMGetNamedFunction(f->mod, "llvm.bpf.pseudo");
	LLVMValueRef args[2] = { cg_const(f, BPF_PSEUDO_MAP_FD), cg_const(f, (uint64_t)fd) };
	LLVMValueRef v;

	if (!fn)
		fn = LLVMAddFunction(f->mod, "llvm.bpf.pseudo", type);
	v = LLVMBuildCall2(f->b, type, fn, args, 2, "");
	return LLVMBuildIntToPtr(f->b, v, f->ptr, "map");
}

/* A helper call is a call through the helper's id cast to a function pointer. */
LLVMValueRef cg_helper(struct cg_fn *f, int id, LLVMTypeRef ret, LLVMValueRef *args, unsigned n)
{
	LLVMTypeRef params[8];
	LLVMTypeRef type;
	LLVMValueRef callee;
	unsigned i;

	for (i = 0; i < n && i < 8; i++)
		params[i] = LLVMTypeOf(args[i]);
	type = LLVMFunctionType(ret, params, n, 0);
	callee = LLVMBuildIntToPtr(f->b, cg_const(f, (uint64_t)id), f->ptr, "");
	return LLVMBuildCall2(f->b, type, callee, args, n, "");
}

/* Stack slots go to the entry block so that they are allocated once. */
LLVMValueRef cg_helper0(struct cg_fn *f, int id)
{
	return cg_helper(f, id, f->i64, NULL, 0);
}

LLVMValueRef cg_slot(struct cg_fn *f, LLVMTypeRef type, unsigned count)
{
	LLVMBuilderRef b = LLVMCreateBuilderInContext(f->cg->ctx);
	LLVMValueRef first = LLVMGetFirstInstruction(f->entry);
	LLVMValueRef slot;

	if (first)
		LLVMPositionBuilderBefore(b, first);
	else
		LLVMPositionBuilderAtEnd(b, f->entry);
	slot = count > 1 ? LLVMBuildArrayAlloca(b, type, LLVMConstInt(f->i32, count, 0), "slot")
			 : LLVMBuildAlloca(b, type, "slot");
	LLVMSetAlignment(slot, 8);
	LLVMDisposeBuilder(b);
	return slot;
}

LLVMValueRef cg_at(struct cg_fn *f, LLVMValueRef base, LLVMValueRef off)
{
	return LLVMBuildGEP2(f->b, f->i8, base, &off, 1, "");
}

LLVMValueRef cg_load(struct cg_fn *f, LLVMTypeRef type, LLVMValueRef base, uint64_t off)
{
	LLVMValueRef v = LLVMBuildLoad2(f->b, type, off ? cg_at(f, base, cg_const(f, off)) : base,
					"");

	LLVMSetAlignment(v, LLVMABIAlignmentOfType(f->cg->data_layout, type));
	return v;
}

void cg_store(struct cg_fn *f, LLVMValueRef value, LLVMValueRef base, uint64_t off)
{
	LLVMValueRef s = LLVMBuildStore(f->b, value,
					off ? cg_at(f, base, cg_const(f, off)) : base);

	LLVMSetAlignment(s, LLVMABIAlignmentOfType(f->cg->data_layout, LLVMTypeOf(value)));
}

LLVMBasicBlockRef cg_block(struct cg_fn *f, const char *name)
{
	return LLVMAppendBasicBlockInContext(f->cg->ctx, f->fn, name);
}

void cg_goto(struct cg_fn *f, LLVMBasicBlockRef bb)
{
	LLVMBuildBr(f->b, bb);
	LLVMPositionBuilderAtEnd(f->b, bb);
}

/* Branches on COND and continues building in THEN. */
void cg_if(struct cg_fn *f, LLVMValueRef cond, LLVMBasicBlockRef then, LLVMBasicBlockRef other)
{
	LLVMBuildCondBr(f->b, cond, then, other);
	LLVMPositionBuilderAtEnd(f->b, then);
}

LLVMValueRef cg_lookup(struct cg_fn *f, int map_fd, LLVMValueRef key_slot)
{
	LLVMValueRef args[2] = { cg_map(f, map_fd), key_slot };

	return cg_helper(f, BPF_FUNC_map_lookup_elem, f->ptr, args, 2);
}

/* counters[index] += 1 in a per-CPU array: no atomics needed, each CPU has its own copy. */
void cg_counter_add(struct cg_fn *f, int map_fd, uint32_t index)
{
	cg_counter_add_at(f, map_fd, cg_const32(f, index));
}

void cg_counter_add_at(struct cg_fn *f, int map_fd, LLVMValueRef index)
{
	LLVMValueRef key = cg_slot(f, f->i32, 1);
	LLVMValueRef v, cur;
	LLVMBasicBlockRef found = cg_block(f, "counter"), done = cg_block(f, "counted");

	cg_store(f, index, key, 0);
	v = cg_lookup(f, map_fd, key);
	cg_if(f, LLVMBuildIsNotNull(f->b, v, ""), found, done);
	cur = cg_load(f, f->i64, v, 0);
	cg_store(f, LLVMBuildAdd(f->b, cur, cg_const(f, 1), ""), v, 0);
	cg_goto(f, done);
}

/* With a constant base the add folds: the same code as a constant key. */
LLVMValueRef cg_counter_key(struct cg_fn *f, uint32_t c)
{
	return LLVMBuildAdd(f->b, f->counter_base, cg_const32(f, c), "");
}

void cg_count(struct cg_fn *f, uint32_t c)
{
	cg_counter_add_at(f, f->env->counters_fd, cg_counter_key(f, c));
}

LLVMValueRef cg_arg(struct cg_fn *f, uint32_t i)
{
	static const uint32_t regs[] = CODEGEN_REGS_ARG_OFFSETS;

	if (f->regs_args)
		return cg_load(f, f->i64, f->regs_args, regs[i] - CODEGEN_REGS_ARGS_FROM);
	return cg_load(f, f->i64, f->ctx, f->layout->args[i]->offset);
}
