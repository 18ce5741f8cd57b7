/* SPDX-License-Identifier: Apache-2.0 */
#include <linux/bpf.h>

#include "codegen_compat.h"

void cg_skip_compat(struct cg_fn *f, LLVMBasicBlockRef skip)
{
	LLVMBasicBlockRef native, read;
	LLVMValueRef slot, a[3], r, status;

	if (!f->env->skip_compat)
		return;
	native = cg_block(f, "native_call");
	read = cg_block(f, "status_read");
	slot = cg_slot(f, f->i64, 1);
	cg_store(f, cg_const(f, 0), slot, 0);
	a[0] = slot;
	a[1] = cg_const32(f, 4);
	a[2] = LLVMBuildIntToPtr(f->b,
				 LLVMBuildAdd(f->b, cg_helper0(f, BPF_FUNC_get_current_task),
					      cg_const(f, f->env->task_status_offset), ""),
				 f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_kernel, f->i64, a, 3);
	/* An unreadable status (never seen) counts as a native call: nothing is dropped. */
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), read, native);
	status = cg_load(f, f->i32, slot, 0);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ,
			       LLVMBuildAnd(f->b, status, cg_const32(f, CODEGEN_TS_COMPAT), ""),
			       cg_const32(f, 0), ""),
	      native, skip);
}
