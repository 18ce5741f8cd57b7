/* SPDX-License-Identifier: Apache-2.0 */
/* Rules compiled into the enter and exit programs (the plan of rules.h). Each hook does
 * nothing when the syscall has no rules. */
#ifndef EBPFPUB_CODEGEN_RULES_H
#define EBPFPUB_CODEGEN_RULES_H

#include "codegen_builder.h"

/* Enter, first of all: returns at once (to OUT, uncounted: the programs of the syscall's
 * other generation count the call) unless this generation is the active one. */
void cg_rules_gate(struct cg_fn *f, LLVMBasicBlockRef out);
/* Exit, when no entry was found: with rules, jumps to OUT uncounted. The rules dropped most
 * such calls at enter (counted there), which an exit cannot tell from a call that began
 * before the tracer, or under a reload's other generation: exit_without_enter is not
 * counted for syscalls with rules. */
void cg_rules_skip_miss(struct cg_fn *f, LLVMBasicBlockRef out);
/* Enter: each rule's enter conditions; when no rule is left, counts the call as
 * CODEGEN_COUNTER_RULE_FILTERED_ENTER and jumps to OUT. Returns the mask of the rules still
 * in the running (NULL without rules), for cg_rules_store_mask. */
LLVMValueRef cg_rules_enter(struct cg_fn *f, LLVMValueRef pid_tgid, LLVMBasicBlockRef out);
void cg_rules_store_mask(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef mask);
/* Exit, with the record assembled from the entry and the exit code: each rule still in the
 * running is judged by its exit conditions; when none is left, the call is counted as
 * CODEGEN_COUNTER_RULE_FILTERED and the program jumps to OUT, before any capture. */
void cg_rules_exit(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef retval, LLVMBasicBlockRef out);

#endif
