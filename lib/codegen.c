/* SPDX-License-Identifier: Apache-2.0 */
/* The driver of code generation: one LLVM context and target machine per tracer; per
 * syscall a module with the two programs (codegen_programs.c, on the builder of
 * codegen_builder.c), verified and emitted as a BPF ELF object in memory. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>
#include <llvm-c/Analysis.h>
#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>

#include "codegen_programs.h"
#include "util.h"

/* llvm-c/Target.h brings llvm-config.h: the LLVM built against, not the kernel. meson.build
 * refuses LLVM 14 already; this catches an -isystem that points at another LLVM's headers. */
#if LLVM_VERSION_MAJOR < 15
#error "libebpfpub needs LLVM >= 15 (the C API's opaque pointers: LLVMPointerTypeInContext)"
#endif

static pthread_once_t target_once = PTHREAD_ONCE_INIT;

static void init_bpf_target(void)
{
	/* The only process-wide LLVM state we touch: registering the BPF back end. */
	LLVMInitializeBPFTargetInfo();
	LLVMInitializeBPFTarget();
	LLVMInitializeBPFTargetMC();
	LLVMInitializeBPFAsmPrinter();
	LLVMInitializeBPFDisassembler();
}

static void diagnostic_handler(LLVMDiagnosticInfoRef info, void *opaque)
{
	struct codegen *cg = opaque;
	char *text = LLVMGetDiagInfoDescription(info);

	/* Keep the last one; it ends up in the error message of a failed generation. */
	if (text) {
		snprintf(cg->diag, sizeof(cg->diag), "%s", text);
		LLVMDisposeMessage(text);
	}
}

int codegen_new(struct codegen **out, char *err, size_t err_size)
{
	struct codegen *cg;
	LLVMTargetRef target;
	char *msg = NULL;

	pthread_once(&target_once, init_bpf_target);
	cg = calloc(1, sizeof(*cg));
	if (!cg)
		return -ENOMEM;
	cg->triple = strdup("bpfel-unknown-none");
	if (!cg->triple)
		goto nomem;
	if (LLVMGetTargetFromTriple(cg->triple, &target, &msg)) {
		util_errf(err, err_size, "LLVM has no BPF target: %s", msg ? msg : "?");
		LLVMDisposeMessage(msg);
		codegen_free(cg);
		return -ENOTSUP;
	}
	cg->ctx = LLVMContextCreate();
	if (!cg->ctx)
		goto nomem;
	LLVMContextSetDiagnosticHandler(cg->ctx, diagnostic_handler, cg);
#if LLVM_VERSION_MAJOR < 17
	/* The IR uses only "ptr". LLVM 15 and 16 default to opaque pointers, but an embedding
	 * program can turn them off process-wide (-opaque-pointers=0); 17 has nothing else. */
	LLVMContextSetOpaquePointers(cg->ctx, 1);
#endif
	/* v2 (BPF ISA with JLT/JLE, Linux 4.14+); v3's 32-bit jumps would save little here. */
	cg->tm = LLVMCreateTargetMachine(target, cg->triple, "v2", "", LLVMCodeGenLevelDefault,
					 LLVMRelocStatic, LLVMCodeModelDefault);
	if (!cg->tm)
		goto nomem;
	cg->data_layout = LLVMCreateTargetDataLayout(cg->tm);
	*out = cg;
	return 0;
nomem:
	codegen_free(cg);
	return -ENOMEM;
}

void codegen_free(struct codegen *cg)
{
	if (!cg)
		return;
	if (cg->data_layout)
		LLVMDisposeTargetData(cg->data_layout);
	if (cg->tm)
		LLVMDisposeTargetMachine(cg->tm);
	if (cg->ctx)
		LLVMContextDispose(cg->ctx);
	free(cg->triple);
	free(cg);
}

static void fn_init(struct cg_fn *f, struct codegen *cg, LLVMModuleRef mod, const char *name,
		    const char *section)
{
	LLVMTypeRef params[1];
	LLVMTypeRef type;

	memset(f, 0, sizeof(*f));
	f->cg = cg;
	f->mod = mod;
	f->i8 = LLVMInt8TypeInContext(cg->ctx);
	f->i16 = LLVMInt16TypeInContext(cg->ctx);
	f->i32 = LLVMInt32TypeInContext(cg->ctx);
	f->i64 = LLVMInt64TypeInContext(cg->ctx);
	f->ptr = LLVMPointerTypeInContext(cg->ctx, 0);
	f->void_t = LLVMVoidTypeInContext(cg->ctx);
	params[0] = f->ptr;
	type = LLVMFunctionType(f->i32, params, 1, 0);
	f->fn = LLVMAddFunction(mod, name, type);
	LLVMSetSection(f->fn, section);
	LLVMSetLinkage(f->fn, LLVMExternalLinkage);
	f->ctx = LLVMGetParam(f->fn, 0);
	LLVMSetValueName2(f->ctx, "ctx", 3);
	f->b = LLVMCreateBuilderInContext(cg->ctx);
	f->entry = LLVMAppendBasicBlockInContext(cg->ctx, f->fn, "entry");
	LLVMPositionBuilderAtEnd(f->b, f->entry);
}

int codegen_syscall(struct codegen *cg, const struct layout *layout,
		    const struct codegen_env *env, struct codegen_object *obj, char *err,
		    size_t err_size)
{
	struct cg_fn enter, exit;
	LLVMModuleRef mod;
	LLVMMemoryBufferRef buf = NULL;
	char *msg = NULL, *ir;
	int r;

	memset(obj, 0, sizeof(*obj));
	cg->diag[0] = '\0';
	mod = LLVMModuleCreateWithNameInContext(layout->syscall, cg->ctx);
	if (!mod)
		return -ENOMEM;
	LLVMSetTarget(mod, cg->triple);
	LLVMSetModuleDataLayout(mod, cg->data_layout);

	fn_init(&enter, cg, mod, "ebpfpub_enter", CODEGEN_ENTER_SECTION);
	fn_init(&exit, cg, mod, "ebpfpub_exit", CODEGEN_EXIT_SECTION);
	enter.env = exit.env = env;
	enter.layout = exit.layout = layout;
	r = codegen_emit_programs(&enter, &exit);
	LLVMDisposeBuilder(enter.b);
	LLVMDisposeBuilder(exit.b);
	if (r < 0) {
		util_errf(err, err_size, "syscall '%s': code generation failed (%d)",
			  layout->syscall, r);
		goto out;
	}

	if (!cg->no_ir_text) {
		ir = LLVMPrintModuleToString(mod);
		obj->ir = ir ? strdup(ir) : NULL;
		LLVMDisposeMessage(ir);
	}

	if (LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
		util_errf(err, err_size, "syscall '%s': the generated module is invalid: %s",
			  layout->syscall, msg ? msg : "?");
		r = -EINVAL;
		goto out;
	}
	LLVMDisposeMessage(msg);
	msg = NULL;
	if (LLVMTargetMachineEmitToMemoryBuffer(cg->tm, mod, LLVMObjectFile, &msg, &buf)) {
		util_errf(err, err_size, "syscall '%s': LLVM could not emit the BPF object: %s%s%s",
			  layout->syscall, msg ? msg : "?", cg->diag[0] ? "; " : "", cg->diag);
		r = -EINVAL;
		goto out;
	}
	obj->elf_size = LLVMGetBufferSize(buf);
	obj->elf = malloc(obj->elf_size);
	if (!obj->elf) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(obj->elf, LLVMGetBufferStart(buf), obj->elf_size);
	r = 0;
out:
	LLVMDisposeMessage(msg);
	if (buf)
		LLVMDisposeMemoryBuffer(buf);
	LLVMDisposeModule(mod);
	if (r < 0)
		codegen_object_release(obj);
	return r;
}

void codegen_set_ir_text(struct codegen *cg, bool on)
{
	cg->no_ir_text = !on;
}

void codegen_object_release(struct codegen_object *obj)
{
	free(obj->elf);
	free(obj->ir);
	memset(obj, 0, sizeof(*obj));
}

static int text_append(char **text, size_t *len, const char *s)
{
	size_t n = strlen(s);
	char *t = realloc(*text, *len + n + 1);

	if (!t)
		return -ENOMEM;
	memcpy(t + *len, s, n + 1);
	*text = t;
	*len += n;
	return 0;
}

int codegen_disassemble_append(char **text, const char *label, const void *insns, size_t count)
{
	LLVMDisasmContextRef dc;
	const uint8_t *p = insns;
	size_t len = *text ? strlen(*text) : 0, pc = 0, size = count * 8;
	char line[256], asm_text[200];

	pthread_once(&target_once, init_bpf_target);
	dc = LLVMCreateDisasm("bpfel-unknown-none", NULL, 0, NULL, NULL);
	snprintf(line, sizeof(line), "%s: %zu instructions\n", label, count);
	if (text_append(text, &len, line) < 0)
		goto out;
	while (pc < size) {
		size_t n = dc ? LLVMDisasmInstruction(dc, (uint8_t *)p + pc, size - pc, pc, asm_text,
						     sizeof(asm_text))
			      : 0;

		if (!n) {
			/* No disassembler: show the raw 8 bytes. */
			snprintf(asm_text, sizeof(asm_text), "\t.quad 0x%016llx",
				 (unsigned long long)*(const uint64_t *)(p + pc));
			n = 8;
		}
		snprintf(line, sizeof(line), "%5zu:%s\n", pc / 8, asm_text);
		if (text_append(text, &len, line) < 0)
			break;
		pc += n;
	}
out:
	if (dc)
		LLVMDisasmDispose(dc);
	return 0;
}
