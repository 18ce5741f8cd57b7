/* SPDX-License-Identifier: Apache-2.0 */
/* What execve and execveat add to their exit programs. A successful exec has replaced the
 * caller's memory, so the argv read at enter may have been incomplete (pages the caller never
 * touched): it is read again from the new program's stack, where the kernel copied it, and so
 * is the filename; a failed exec re-reads an unreadable filename (the kernel has faulted it in
 * since). The only serializer file that generates code. */
#include <string.h>

#include <linux/bpf.h>

#include "codegen_items.h"
#include "serializer.h"

/* The ARGV capture that a successful exec replaces with the new program's argv: the one of
 * the argument named "argv" (execve, execveat), read at enter. */
static const struct layout_capture *exec_argv_capture(const struct layout *l)
{
	return l->rewind_capture >= 0 ? &l->captures[l->rewind_capture] : NULL;
}

/* The filename of an exec, when it is the first enter capture (its item is then the first
 * of the record): the one a failed exec re-reads. */
static const struct layout_capture *exec_filename_capture(const struct layout *l)
{
	size_t i;

	for (i = 0; i < l->capture_count; i++) {
		const struct layout_capture *c = &l->captures[i];

		if (c->when != EBPFPUB_AT_ENTER)
			continue;
		if (c->kind == EBPFPUB_CAPTURE_STRING && strcmp(l->args[c->arg]->name, "filename") == 0)
			return c;
		return NULL;
	}
	return NULL;
}

/* Continues in THEN when the record's first item is filename capture C's string flagged
 * unreadable (the enter program could not read it), else in OTHER. */
static void if_filename_unreadable(struct cg_fn *f, LLVMValueRef rec,
				   const struct layout_capture *c, LLVMBasicBlockRef then,
				   LLVMBasicBlockRef other)
{
	/* arg and kind must match, and the UNREADABLE bit of the flags be set */
	LLVMValueRef hdr = LLVMBuildAnd(
		f->b, cg_load(f, f->i64, rec, f->layout->fixed_size),
		cg_const(f, record_item_header(0xffff, 0xff, EBPFPUB_FIELD_UNREADABLE, 0)), "");
	LLVMValueRef want = cg_const(f, record_item_header(c->arg, RECORD_ITEM_STRING,
							   EBPFPUB_FIELD_UNREADABLE, 0));

	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, hdr, want, ""), then, other);
}

/* A failed exec whose filename was unreadable at enter (a page the caller never touched):
 * the kernel's getname() has faulted it in since, so read it again, into a second item that
 * the decoder takes instead of the first. */
static void emit_exec_filename_retry(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef retval)
{
	const struct layout *l = f->layout;
	const struct layout_capture *c = exec_filename_capture(l);
	LLVMBasicBlockRef failed, retry, after;

	if (!c)
		return;
	failed = cg_block(f, "fname_failed");
	retry = cg_block(f, "fname_retry");
	after = cg_block(f, "fname_done");
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntNE, retval, cg_const(f, 0), ""), failed, after);
	if_filename_unreadable(f, rec, c, retry, after);
	cg_item_string(f, rec, cg_load(f, f->i64, rec, CG_ARG_OFF(c->arg)), c->arg,
			 RECORD_ITEM_STRING, c->size, l->storage.capacity, after);
	LLVMPositionBuilderAtEnd(f->b, after);
}

/* Reads SIZE bytes at current->mm + OFFSET into SLOT (after a successful exec, the new
 * program's mm); jumps to FAIL when the task has no mm or a read fails. */
static void emit_read_mm(struct cg_fn *f, LLVMValueRef slot, uint32_t offset, uint32_t size,
			 LLVMBasicBlockRef fail)
{
	LLVMBasicBlockRef have_mm = cg_block(f, "mm_read"), nonnull = cg_block(f, "mm_nonnull");
	LLVMBasicBlockRef done = cg_block(f, "mm_field");
	LLVMValueRef a[3], r, mm;

	a[0] = slot;
	a[1] = cg_const32(f, 8);
	a[2] = LLVMBuildIntToPtr(f->b,
				 LLVMBuildAdd(f->b, cg_helper0(f, BPF_FUNC_get_current_task),
					      cg_const(f, f->env->task_mm_offset), ""),
				 f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_kernel, f->i64, a, 3);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), have_mm, fail);
	mm = cg_load(f, f->i64, slot, 0);
	cg_if(f, LLVMBuildIsNotNull(f->b, mm, ""), nonnull, fail);
	a[1] = cg_const32(f, size);
	a[2] = LLVMBuildIntToPtr(f->b, LLVMBuildAdd(f->b, mm, cg_const(f, offset), ""), f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_kernel, f->i64, a, 3);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), done, fail);
}

/* A successful exec whose filename was unreadable at enter (a page the caller never
 * touched): the kernel copied it to the top of the new program's stack, right after the
 * environment strings (mm->env_end), so read it there into a second item, which the decoder
 * takes instead of the first. */
static void emit_exec_filename_from_mm(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef retval)
{
	const struct layout *l = f->layout;
	const struct codegen_env *env = f->env;
	const struct layout_capture *c = exec_filename_capture(l);
	LLVMBasicBlockRef ok, unreadable, after;
	LLVMValueRef slot;

	if (!c || !env->mm_env_end_offset)
		return;
	ok = cg_block(f, "fname_ok");
	unreadable = cg_block(f, "fname_unreadable");
	after = cg_block(f, "fname_mm_done");
	slot = cg_slot(f, f->i64, 1);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, retval, cg_const(f, 0), ""), ok, after);
	if_filename_unreadable(f, rec, c, unreadable, after);
	emit_read_mm(f, slot, env->mm_env_end_offset, 8, after);
	cg_item_string(f, rec, cg_load(f, f->i64, slot, 0), c->arg, RECORD_ITEM_STRING, c->size,
			 l->storage.capacity, after);
	LLVMPositionBuilderAtEnd(f->b, after);
}

/* Where the exec argv's header item can start at most: after the other enter captures. */
static uint32_t exec_argv_offset_bound(const struct layout *l, const struct layout_capture *argv)
{
	uint32_t bound = l->fixed_size;
	size_t i;

	for (i = 0; i < l->capture_count; i++) {
		const struct layout_capture *c = &l->captures[i];

		if (c == argv || c->when != EBPFPUB_AT_ENTER)
			continue;
		if (c->kind == EBPFPUB_CAPTURE_ARGV)
			return l->enter_capacity - 1;
		bound += RECORD_ITEM_SIZE + record_align(c->size);
	}
	return bound < l->enter_capacity - 1 ? bound : l->enter_capacity - 1;
}

/* After a successful exec: replace the enter-time argv by the new program's argv area
 * (mm->arg_start .. arg_end), which the kernel filled, so it is readable even when the
 * caller's strings were in pages it never touched. The item (ARGV_BLOCK) goes where the
 * enter-time argv started; the decoder splits it into arguments. The enter-time argv stays
 * for failed calls. */
static void emit_exec_argv(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef retval)
{
	const struct layout *l = f->layout;
	const struct codegen_env *env = f->env;
	const struct layout_capture *c = exec_argv_capture(l);
	uint32_t bound, max_len;
	LLVMBasicBlockRef done, ok, have_off, in_range, clamp;
	LLVMBasicBlockRef sized, bounded, read_ok, read_bad;
	LLVMValueRef ao, slot, a[3], r, start, len, item, flags_slot;

	if (!c)
		return;
	bound = exec_argv_offset_bound(l, c);
	max_len = l->storage.area_size - bound - RECORD_ITEM_SIZE;
	done = cg_block(f, "exec_done");
	ok = cg_block(f, "exec_ok");
	have_off = cg_block(f, "exec_off");
	in_range = cg_block(f, "exec_range");
	clamp = cg_block(f, "exec_clamp");
	sized = cg_block(f, "exec_sized");
	bounded = cg_block(f, "exec_bounded");
	read_ok = cg_block(f, "exec_read");
	read_bad = cg_block(f, "exec_read_bad");
	slot = cg_slot(f, f->i64, 2);
	flags_slot = cg_slot(f, f->i64, 1);

	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, retval, cg_const(f, 0), ""), ok, done);
	ao = LLVMBuildZExt(f->b, cg_load(f, f->i16, rec, RECORD_OFF_ARGV_OFFSET), f->i64, "ao");
	cg_if(f, LLVMBuildIsNotNull(f->b, ao, ""), have_off, done);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, ao, cg_const(f, bound), ""), in_range, done);

	/* arg_start and arg_end, next to each other (checked by the loader) */
	emit_read_mm(f, slot, env->mm_arg_start_offset, 16, done);
	start = cg_load(f, f->i64, slot, 0);
	len = LLVMBuildSub(f->b, cg_load(f, f->i64, slot, 8), start, "");
	cg_store(f, len, slot, 8);
	cg_store(f, cg_const(f, 0), flags_slot, 0);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntUGT, len, cg_const(f, max_len), ""), clamp, sized);
	cg_store(f, cg_const(f, max_len), slot, 8);
	cg_store(f, cg_const(f, EBPFPUB_FIELD_TRUNCATED), flags_slot, 0);
	cg_probe_error(f, rec, EBPFPUB_PROBE_ERROR_TRUNCATED);
	cg_goto(f, sized);
	len = cg_load(f, f->i64, slot, 8);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, len, cg_const(f, max_len), ""), bounded, done);
	item = cg_at(f, rec, ao);
	a[0] = cg_at(f, item, cg_const(f, RECORD_ITEM_SIZE));
	a[1] = LLVMBuildTrunc(f->b, len, f->i32, "");
	a[2] = LLVMBuildIntToPtr(f->b, start, f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a, 3);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), read_ok, read_bad);
	cg_item_finish_var(f, rec, item, ao, c->arg, RECORD_ITEM_ARGV_BLOCK,
			cg_load(f, f->i64, flags_slot, 0), len);
	cg_goto(f, done);

	/* A failed read zeroed what was there, the enter-time argv included: say so in an
	 * empty header item rather than leave bytes that do not parse. */
	LLVMPositionBuilderAtEnd(f->b, read_bad);
	cg_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
	cg_item_argv_end(f, rec, item, ao, c->arg, EBPFPUB_FIELD_UNREADABLE,
		       EBPFPUB_ARGV_FROM_NEW_MM);
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, done);
}

static void execve_emit_exit(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef retval)
{
	emit_exec_filename_retry(f, rec, retval);
	if (!f->env->have_mm_offsets)
		return;   /* no BTF: the enter-time argv stays (said when the syscall is added) */
	emit_exec_argv(f, rec, retval);
	emit_exec_filename_from_mm(f, rec, retval);
}

/* execve's exit program also sees every successful execveat, which returns as execve on
 * x86-64 (the new program starts with execve's syscall number): misses are expected. */
const struct serializer_ops serializer_execve_ops = {
	.emit_exit = execve_emit_exit,
	.exit_shared = true,
	.needs_mm_offsets = true,
	.rewind_argv = "argv",
};

/* ...which is also why execveat's exit program is attached to sys_exit_execve. */
const struct serializer_ops serializer_execveat_ops = {
	.emit_exit = execve_emit_exit,
	.extra_exit_syscall = "execve",
	.exit_shared = true,
	.needs_mm_offsets = true,
	.rewind_argv = "argv",
};
