/* SPDX-License-Identifier: Apache-2.0 */
/* The code generator's LLVM objects, shared by the driver (codegen.c) and the builder. */
#ifndef EBPFPUB_CODEGEN_INTERNAL_H
#define EBPFPUB_CODEGEN_INTERNAL_H

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "codegen.h"

struct codegen {
	LLVMContextRef ctx;
	LLVMTargetMachineRef tm;
	LLVMTargetDataRef data_layout;
	char *triple;
	char diag[1024];      /* last diagnostic from LLVM, for error messages */
	bool no_ir_text;      /* codegen_syscall leaves obj->ir NULL (see codegen_set_ir_text) */
};

#endif
