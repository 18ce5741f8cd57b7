/* SPDX-License-Identifier: Apache-2.0 */
/* Writing the items of a record (record.h) from generated code: used by the programs and
 * by the serializers' own exit code. REC is the record being assembled; every item starts at
 * the record's current size and moves it past itself. */
#ifndef EBPFPUB_CODEGEN_ITEMS_H
#define EBPFPUB_CODEGEN_ITEMS_H

#include "codegen_builder.h"
#include "record.h"

/* Where argument I's value is in the record. */
#define CG_ARG_OFF(i) (RECORD_OFF_ARGS + 8u * (i))

/* ORs BITS (enum ebpfpub_probe_error) into the record's probe_error. */
void cg_probe_error(struct cg_fn *f, LLVMValueRef rec, uint32_t bits);

/* The current record size, bounded: jumps to FULL (after flagging NO_SPACE) when no item may
 * start at it below LIMIT; otherwise returns the size and sets *ITEM to where the item goes. */
LLVMValueRef cg_item_begin(struct cg_fn *f, LLVMValueRef rec, uint32_t limit,
			   LLVMBasicBlockRef full, LLVMValueRef *item);
/* Writes the header of the item at ITEM (record offset OFF) and moves the size past it. */
void cg_item_finish(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef item, LLVMValueRef off,
		    uint32_t arg, uint32_t kind, uint32_t flags, LLVMValueRef len);
void cg_item_finish_var(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef item,
			LLVMValueRef off, uint32_t arg, uint32_t kind, LLVMValueRef flags,
			LLVMValueRef len);
/* A C string at user address P as an item of KIND for argument ARG (at most BOUND bytes),
 * flagged NULL, unreadable or truncated; continues in DONE. */
void cg_item_string(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef p, uint32_t arg,
		    uint32_t kind, uint32_t bound, uint32_t limit, LLVMBasicBlockRef done);
/* An ARGV_END item {captured 0, SOURCE, more 0} with FLAGS at ITEM (record offset OFF). */
void cg_item_argv_end(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef item, LLVMValueRef off,
		      uint32_t arg, uint32_t flags, enum ebpfpub_argv_source source);

/* Every capture of the layout made at WHEN, items starting below LIMIT. */
void cg_captures(struct cg_fn *f, LLVMValueRef rec, enum ebpfpub_capture_when when,
		 uint32_t limit);

#endif
