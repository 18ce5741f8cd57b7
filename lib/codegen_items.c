/* SPDX-License-Identifier: Apache-2.0 */
/* The items of a record (record.h) as the generated programs write them: strings, buffers,
 * socket addresses and argv lists read from user memory, each bounded so that the verifier
 * can prove every store stays inside the assembly area.
 *
 * Verifier notes: the running record size lives in the record itself (map memory), so every
 * capture starts from an unknown value that it bounds with a compare and an AND. Paths that
 * differ only in what they wrote to memory then look alike to the verifier, which prunes them:
 * the argv loop (a bounded loop, Linux 5.3+) costs the verifier one pass per iteration
 * instead of doubling at every branch. */
#include <linux/bpf.h>

#include "codegen_items.h"
#include "record.h"

void cg_probe_error(struct cg_fn *f, LLVMValueRef rec, uint32_t bits)
{
	LLVMValueRef cur = cg_load(f, f->i32, rec, RECORD_OFF_PROBE_ERROR);

	cg_store(f, LLVMBuildOr(f->b, cur, cg_const32(f, bits), ""), rec, RECORD_OFF_PROBE_ERROR);
}

/* Writes an item header {arg, kind, flags, len} at ITEM and moves the record size past the
 * item: size = OFF + 8 + align8(LEN). */
void cg_item_finish(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef item, LLVMValueRef off,
			uint32_t arg, uint32_t kind, uint32_t flags, LLVMValueRef len)
{
	LLVMValueRef hdr = LLVMBuildOr(f->b, cg_const(f, record_item_header(arg, kind, flags, 0)),
				       LLVMBuildShl(f->b, len, cg_const(f, RECORD_ITEM_LEN_SHIFT),
						    ""),
				       "");
	LLVMValueRef padded = LLVMBuildAnd(f->b, LLVMBuildAdd(f->b, len, cg_const(f, 7), ""),
					   cg_const(f, ~7ull), "");
	LLVMValueRef size = LLVMBuildAdd(f->b, off, LLVMBuildAdd(f->b, padded,
								 cg_const(f, RECORD_ITEM_SIZE), ""),
					 "");

	cg_store(f, hdr, item, 0);
	cg_store(f, LLVMBuildTrunc(f->b, size, f->i32, ""), rec, RECORD_OFF_SIZE);
}

/* The current record size, bounded: jumps to FULL (after flagging NO_SPACE) when no item may
 * start at it; otherwise returns the size and sets *ITEM to where the next item goes. */
LLVMValueRef cg_item_begin(struct cg_fn *f, LLVMValueRef rec, uint32_t limit,
			       LLVMBasicBlockRef full, LLVMValueRef *item)
{
	const struct layout_storage *st = &f->layout->storage;
	LLVMValueRef off = LLVMBuildZExt(f->b, cg_load(f, f->i32, rec, RECORD_OFF_SIZE), f->i64,
					 "off");
	LLVMBasicBlockRef room = cg_block(f, "room"), nospace = cg_block(f, "nospace");

	cg_if(f, LLVMBuildICmp(f->b, LLVMIntUGE, off, cg_const(f, limit), ""), nospace, room);
	cg_probe_error(f, rec, EBPFPUB_PROBE_ERROR_NO_SPACE);
	LLVMBuildBr(f->b, full);
	LLVMPositionBuilderAtEnd(f->b, room);
	/* off < limit <= capacity already; the AND tells the verifier so on every path. */
	*item = cg_at(f, rec, LLVMBuildAnd(f->b, off, cg_const(f, st->capacity - 1), "o"));
	return off;
}

/* Reads a C string at P into a new item of KIND for argument ARG, at most BOUND bytes. */
void cg_item_string(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef p, uint32_t arg,
			     uint32_t kind, uint32_t bound, uint32_t limit,
			     LLVMBasicBlockRef done)
{
	LLVMValueRef item, off, r, args[3], len, byte;
	LLVMBasicBlockRef isnull = cg_block(f, "str_null"), read = cg_block(f, "str_read");
	LLVMBasicBlockRef bad = cg_block(f, "str_bad"), good = cg_block(f, "str_good");
	LLVMBasicBlockRef full = cg_block(f, "str_full"), check = cg_block(f, "str_check");
	LLVMBasicBlockRef cut = cg_block(f, "str_cut"), whole = cg_block(f, "str_whole");
	LLVMBasicBlockRef cut2 = cg_block(f, "str_cut2");

	off = cg_item_begin(f, rec, limit, full, &item);
	cg_if(f, LLVMBuildIsNull(f->b, p, ""), isnull, read);
	cg_item_finish(f, rec, item, off, arg, kind, EBPFPUB_FIELD_NULL, cg_const(f, 0));
	LLVMBuildBr(f->b, done);

	LLVMPositionBuilderAtEnd(f->b, read);
	args[0] = cg_at(f, item, cg_const(f, RECORD_ITEM_SIZE));
	args[1] = cg_const32(f, bound);
	args[2] = LLVMBuildIntToPtr(f->b, p, f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_user_str, f->i64, args, 3);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, r, cg_const(f, 0), ""), bad, good);
	cg_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
	cg_item_finish(f, rec, item, off, arg, kind, EBPFPUB_FIELD_UNREADABLE, cg_const(f, 0));
	LLVMBuildBr(f->b, done);

	/* r counts the NUL. r == bound means the helper may have cut the string; it was cut
	 * when the byte it overwrote with NUL is not NUL in user memory. */
	LLVMPositionBuilderAtEnd(f->b, good);
	/* Older kernels (6.1, 6.12) return 0, not 1, for an empty string, whose NUL they did
	 * copy: the item holds that NUL on every kernel. */
	len = LLVMBuildSelect(f->b, LLVMBuildIsNull(f->b, r, ""), cg_const(f, 1), r, "");
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, bound), ""), check, whole);
	{
		LLVMValueRef slot = cg_slot(f, f->i64, 1);
		LLVMValueRef a2[3] = { slot, cg_const32(f, 1),
				       LLVMBuildIntToPtr(f->b,
							 LLVMBuildAdd(f->b, p,
								      cg_const(f, bound - 1), ""),
							 f->ptr, "") };
		LLVMValueRef r2;

		cg_store(f, cg_const(f, 0), slot, 0);
		r2 = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a2, 3);
		byte = cg_load(f, f->i8, slot, 0);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r2, cg_const(f, 0), ""), cut2, whole);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntNE, byte, LLVMConstInt(f->i8, 0, 0), ""), cut,
		      whole);
		cg_probe_error(f, rec, EBPFPUB_PROBE_ERROR_TRUNCATED);
		cg_item_finish(f, rec, item, off, arg, kind, EBPFPUB_FIELD_TRUNCATED, len);
		LLVMBuildBr(f->b, done);
	}
	LLVMPositionBuilderAtEnd(f->b, whole);
	cg_item_finish(f, rec, item, off, arg, kind, 0, len);
	LLVMBuildBr(f->b, done);

	LLVMPositionBuilderAtEnd(f->b, full);
	LLVMBuildBr(f->b, done);
}

/* Like cg_item_finish, with the flags byte in a register. */
void cg_item_finish_var(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef item,
			    LLVMValueRef off, uint32_t arg, uint32_t kind, LLVMValueRef flags,
			    LLVMValueRef len)
{
	LLVMValueRef hdr = LLVMBuildOr(
		f->b, cg_const(f, record_item_header(arg, kind, 0, 0)),
		LLVMBuildOr(f->b, LLVMBuildShl(f->b, flags, cg_const(f, RECORD_ITEM_FLAGS_SHIFT), ""),
			    LLVMBuildShl(f->b, len, cg_const(f, RECORD_ITEM_LEN_SHIFT), ""), ""),
		"");
	LLVMValueRef padded = LLVMBuildAnd(f->b, LLVMBuildAdd(f->b, len, cg_const(f, 7), ""),
					   cg_const(f, ~7ull), "");
	LLVMValueRef size = LLVMBuildAdd(
		f->b, off, LLVMBuildAdd(f->b, padded, cg_const(f, RECORD_ITEM_SIZE), ""), "");

	cg_store(f, hdr, item, 0);
	cg_store(f, LLVMBuildTrunc(f->b, size, f->i32, ""), rec, RECORD_OFF_SIZE);
}

/* BUFFER and SOCKADDR: LEN bytes at P, LEN from an argument (int), read through a pointer
 * (int *, an output of the call: read only when the call succeeded), or fixed. The item is
 * always written, flagged NULL, UNREADABLE or BAD_LENGTH when that is what happened. */
static void emit_buffer_item(struct cg_fn *f, LLVMValueRef rec, const struct layout_capture *c,
			     uint32_t limit, LLVMBasicBlockRef done)
{
	uint32_t kind = c->kind == EBPFPUB_CAPTURE_SOCKADDR ? RECORD_ITEM_SOCKADDR
							    : RECORD_ITEM_BYTES;
	/* An oversize sockaddr length is suspicious (the kernel rejects it): flag it as a bad
	 * length; a long buffer is just cut. Either way the first SIZE bytes are read. */
	uint32_t over_flag = c->kind == EBPFPUB_CAPTURE_SOCKADDR ? EBPFPUB_FIELD_BAD_LENGTH
								 : EBPFPUB_FIELD_TRUNCATED;
	LLVMValueRef len_slot = cg_slot(f, f->i64, 1), flags_slot = cg_slot(f, f->i64, 1);
	LLVMBasicBlockRef have_len = cg_block(f, "buf_len"), isnull = cg_block(f, "buf_null");
	LLVMBasicBlockRef nonnull = cg_block(f, "buf_nonnull"), bounded = cg_block(f, "buf_bounded");
	LLVMBasicBlockRef bad = cg_block(f, "buf_bad"), good = cg_block(f, "buf_good");
	LLVMBasicBlockRef full = cg_block(f, "buf_full");
	LLVMValueRef item, off, p, len, flags, r, a[3];

	if (c->size_is_pointer) {
		/* The kernel wrote the length and the data only if the call succeeded. */
		LLVMBasicBlockRef ok = cg_block(f, "buf_call_ok");
		LLVMValueRef ret = cg_load(f, f->i64, rec, RECORD_OFF_EXIT_CODE);

		cg_if(f, LLVMBuildICmp(f->b, LLVMIntSGE, ret, cg_const(f, 0), ""), ok, done);
	}
	off = cg_item_begin(f, rec, limit, full, &item);
	p = cg_load(f, f->i64, rec, CG_ARG_OFF(c->arg));
	cg_store(f, cg_const(f, 0), flags_slot, 0);
	cg_store(f, cg_const(f, c->size), len_slot, 0);
	if (c->size_arg < 0) {
		LLVMBuildBr(f->b, have_len);
	} else {
		LLVMValueRef raw = cg_load(f, f->i64, rec, CG_ARG_OFF(c->size_arg));
		LLVMBasicBlockRef neg = cg_block(f, "len_neg"), nonneg = cg_block(f, "len_nonneg");
		LLVMBasicBlockRef over = cg_block(f, "len_over"), fits = cg_block(f, "len_fits");
		bool signed_len = true;

		if (c->size_is_pointer) {
			LLVMBasicBlockRef rd = cg_block(f, "lenp_read"), rbad = cg_block(f, "lenp_bad");
			LLVMBasicBlockRef rok = cg_block(f, "lenp_ok");

			/* No length pointer: the caller asked for no address (accept(fd, 0, 0)). */
			cg_if(f, LLVMBuildIsNotNull(f->b, raw, ""), rd, isnull);
			a[0] = len_slot;
			a[1] = cg_const32(f, 4);
			a[2] = LLVMBuildIntToPtr(f->b, raw, f->ptr, "");
			r = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a, 3);
			cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, r, cg_const(f, 0), ""), rbad, rok);
			cg_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
			cg_item_finish(f, rec, item, off, c->arg, kind, EBPFPUB_FIELD_UNREADABLE,
				    cg_const(f, 0));
			LLVMBuildBr(f->b, done);
			LLVMPositionBuilderAtEnd(f->b, rok);
			raw = LLVMBuildSExt(f->b, cg_load(f, f->i32, len_slot, 0), f->i64, "");
		} else {
			/* The length argument's own C type: int addrlen (the low 32 bits, signed),
			 * size_t count (all 64 bits, unsigned), ... */
			const struct format_field *ff = f->layout->args[c->size_arg];
			uint32_t width = ff->value_width ? ff->value_width : 8;

			if (width < 8) {
				LLVMTypeRef t = LLVMIntTypeInContext(f->cg->ctx, 8 * width);

				raw = LLVMBuildTrunc(f->b, raw, t, "");
				raw = ff->value_signed ? LLVMBuildSExt(f->b, raw, f->i64, "")
						       : LLVMBuildZExt(f->b, raw, f->i64, "");
			}
			signed_len = ff->value_signed;
		}
		if (signed_len) {
			cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, raw, cg_const(f, 0), ""), neg,
			      nonneg);
			cg_store(f, cg_const(f, EBPFPUB_FIELD_BAD_LENGTH), flags_slot, 0);
			cg_store(f, cg_const(f, 0), len_slot, 0);
			LLVMBuildBr(f->b, have_len);
		} else {
			LLVMBuildBr(f->b, nonneg);
			LLVMDeleteBasicBlock(neg);
		}
		LLVMPositionBuilderAtEnd(f->b, nonneg);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntUGT, raw, cg_const(f, c->size), ""), over, fits);
		cg_store(f, cg_const(f, over_flag), flags_slot, 0);
		LLVMBuildBr(f->b, have_len);
		LLVMPositionBuilderAtEnd(f->b, fits);
		cg_store(f, raw, len_slot, 0);
		LLVMBuildBr(f->b, have_len);
	}
	LLVMPositionBuilderAtEnd(f->b, have_len);
	/* Bound LEN in the register that the helper gets. */
	len = cg_load(f, f->i64, len_slot, 0);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, len, cg_const(f, c->size), ""), bounded, full);
	cg_if(f, LLVMBuildIsNotNull(f->b, p, ""), nonnull, isnull);
	a[0] = cg_at(f, item, cg_const(f, RECORD_ITEM_SIZE));
	a[1] = LLVMBuildTrunc(f->b, len, f->i32, "");
	a[2] = LLVMBuildIntToPtr(f->b, p, f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a, 3);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, r, cg_const(f, 0), ""), bad, good);
	cg_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
	flags = LLVMBuildOr(f->b, cg_load(f, f->i64, flags_slot, 0),
			    cg_const(f, EBPFPUB_FIELD_UNREADABLE), "");
	cg_item_finish_var(f, rec, item, off, c->arg, kind, flags, cg_const(f, 0));
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, good);
	cg_item_finish_var(f, rec, item, off, c->arg, kind, cg_load(f, f->i64, flags_slot, 0), len);
	LLVMBuildBr(f->b, done);

	LLVMPositionBuilderAtEnd(f->b, isnull);
	flags = LLVMBuildOr(f->b, cg_load(f, f->i64, flags_slot, 0),
			    cg_const(f, EBPFPUB_FIELD_NULL), "");
	cg_item_finish_var(f, rec, item, off, c->arg, kind, flags, cg_const(f, 0));
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, full);
	LLVMBuildBr(f->b, done);
}

/* Writes an ARGV_END item {captured 0, SOURCE, more 0} with FLAGS at ITEM (record offset
 * OFF) and moves the record size past it. */
void cg_item_argv_end(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef item, LLVMValueRef off,
			   uint32_t arg, uint32_t flags, enum ebpfpub_argv_source source)
{
	cg_store(f, cg_const(f, record_item_header(arg, RECORD_ITEM_ARGV_END, flags,
						     sizeof(struct record_argv_end))),
		 item, 0);
	cg_store(f, cg_const(f, record_argv_end_word(0, source)), item, RECORD_ITEM_SIZE);
	cg_store(f, cg_const(f, 0), item, RECORD_ITEM_SIZE + RECORD_ARGV_END_OFF_MORE);
	cg_store(f,
		 LLVMBuildTrunc(f->b,
				LLVMBuildAdd(f->b, off,
					     cg_const(f, RECORD_ITEM_SIZE +
							     sizeof(struct record_argv_end)),
					     ""),
				f->i32, ""),
		 rec, RECORD_OFF_SIZE);
}

/* ARGV at enter: a header item (ARGV_END: flags, count, whether more arguments followed)
 * placed first so that it always has room, then one ARGV_ARG item per string read through
 * the caller's argv pointers. The strings are read in a real loop, bounded by max_items
 * (Linux 5.3+ verifies bounded loops): unrolled, 1024 iterations would need jumps longer
 * than a BPF jump can reach. The header is completed when the loop ends.
 * The bound is tested at the bottom: until Linux 6.3 the verifier takes a back-edge only
 * from a jump instruction, and a test at the top let the latch's store fall through into
 * the loop head ("back-edge from insn N to N+1"). A conditional latch always ends in one. */
static void emit_argv_items(struct cg_fn *f, LLVMValueRef rec, const struct layout_capture *c,
			    uint32_t limit, LLVMBasicBlockRef done)
{
	LLVMValueRef argv = cg_load(f, f->i64, rec, CG_ARG_OFF(c->arg));
	LLVMValueRef k_slot = cg_slot(f, f->i64, 1), ptr_slot = cg_slot(f, f->i64, 1);
	LLVMValueRef end_slot = cg_slot(f, f->i64, 1);
	LLVMBasicBlockRef isnull = cg_block(f, "argv_null"), start = cg_block(f, "argv_start");
	LLVMBasicBlockRef loop = cg_block(f, "argv_loop");
	LLVMBasicBlockRef unreadable = cg_block(f, "argv_unreadable");
	LLVMBasicBlockRef readable = cg_block(f, "argv_readable"), some = cg_block(f, "argv_some");
	LLVMBasicBlockRef more = cg_block(f, "argv_more"), below = cg_block(f, "argv_below");
	LLVMBasicBlockRef nospace = cg_block(f, "argv_nospace"), room = cg_block(f, "argv_room");
	LLVMBasicBlockRef next = cg_block(f, "argv_next"), end = cg_block(f, "argv_end");
	LLVMValueRef hdr_off, hdr, k, p, size, a[3], r;

	hdr_off = cg_item_begin(f, rec, limit, done, &hdr);
	/* A successful exec rewinds here to store the new program's argv instead. */
	if (f->layout->rewind_capture >= 0 && c == &f->layout->captures[f->layout->rewind_capture])
		cg_store(f, LLVMBuildTrunc(f->b, hdr_off, f->i16, ""), rec, RECORD_OFF_ARGV_OFFSET);
	cg_item_argv_end(f, rec, hdr, hdr_off, c->arg, 0, EBPFPUB_ARGV_FROM_CALLER);
	/* end_slot: bits 0-7 the header's flags, bit 32: more arguments than captured. */
	cg_store(f, cg_const(f, 0), end_slot, 0);
	cg_store(f, cg_const(f, 0), k_slot, 0);
	cg_if(f, LLVMBuildIsNull(f->b, argv, ""), isnull, start);
	cg_store(f, cg_const(f, EBPFPUB_FIELD_NULL), end_slot, 0);
	LLVMBuildBr(f->b, end);

	/* k = 0 is always within max_items: the first pass needs no test. */
	LLVMPositionBuilderAtEnd(f->b, start);
	LLVMBuildBr(f->b, loop);
	LLVMPositionBuilderAtEnd(f->b, loop);
	k = cg_load(f, f->i64, k_slot, 0);
	a[0] = ptr_slot;
	a[1] = cg_const32(f, 8);
	a[2] = LLVMBuildIntToPtr(f->b,
				 LLVMBuildAdd(f->b, argv, LLVMBuildShl(f->b, k, cg_const(f, 3), ""),
					      ""),
				 f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a, 3);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, r, cg_const(f, 0), ""), unreadable, readable);
	cg_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
	cg_store(f, cg_const(f, EBPFPUB_FIELD_UNREADABLE), end_slot, 0);
	LLVMBuildBr(f->b, end);

	LLVMPositionBuilderAtEnd(f->b, readable);
	p = cg_load(f, f->i64, ptr_slot, 0);
	cg_if(f, LLVMBuildIsNotNull(f->b, p, ""), some, end);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, k, cg_const(f, c->max_items), ""), more, below);
	/* argv[max_items] exists: more than we capture. */
	cg_store(f, cg_const(f, 1ull << 32 | EBPFPUB_FIELD_TRUNCATED), end_slot, 0);
	LLVMBuildBr(f->b, end);

	LLVMPositionBuilderAtEnd(f->b, below);
	size = LLVMBuildZExt(f->b, cg_load(f, f->i32, rec, RECORD_OFF_SIZE), f->i64, "");
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntUGE, size, cg_const(f, limit), ""), nospace, room);
	cg_probe_error(f, rec, EBPFPUB_PROBE_ERROR_NO_SPACE);
	cg_store(f, cg_const(f, 1ull << 32 | EBPFPUB_FIELD_TRUNCATED), end_slot, 0);
	LLVMBuildBr(f->b, end);

	LLVMPositionBuilderAtEnd(f->b, room);
	cg_item_string(f, rec, p, c->arg, RECORD_ITEM_ARGV_ARG, c->size, limit, next);
	LLVMPositionBuilderAtEnd(f->b, next);
	k = LLVMBuildAdd(f->b, k, cg_const(f, 1), "");
	cg_store(f, k, k_slot, 0);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, k, cg_const(f, c->max_items), ""), loop, end);

	LLVMPositionBuilderAtEnd(f->b, end);
	{
		LLVMValueRef v = cg_load(f, f->i64, end_slot, 0);

		cg_store(f, LLVMBuildTrunc(f->b, v, f->i8, ""), hdr, RECORD_ITEM_OFF_FLAGS);
		cg_store(f, LLVMBuildTrunc(f->b, cg_load(f, f->i64, k_slot, 0), f->i32, ""), hdr,
			 RECORD_ITEM_SIZE + RECORD_ARGV_END_OFF_CAPTURED);
		cg_store(f, LLVMBuildLShr(f->b, v, cg_const(f, 32), ""), hdr,
			 RECORD_ITEM_SIZE + RECORD_ARGV_END_OFF_MORE);
		LLVMBuildBr(f->b, done);
	}
}

void cg_captures(struct cg_fn *f, LLVMValueRef rec, enum ebpfpub_capture_when when,
			  uint32_t limit)
{
	const struct layout *l = f->layout;
	size_t i;

	for (i = 0; i < l->capture_count; i++) {
		const struct layout_capture *c = &l->captures[i];
		LLVMBasicBlockRef done;

		if (c->when != when)
			continue;
		done = cg_block(f, "capture_done");
		switch (c->kind) {
		case EBPFPUB_CAPTURE_STRING:
			cg_item_string(f, rec, cg_load(f, f->i64, rec, CG_ARG_OFF(c->arg)), c->arg,
					 RECORD_ITEM_STRING, c->size, limit, done);
			break;
		case EBPFPUB_CAPTURE_BUFFER:
		case EBPFPUB_CAPTURE_SOCKADDR:
			emit_buffer_item(f, rec, c, limit, done);
			break;
		case EBPFPUB_CAPTURE_ARGV:
			emit_argv_items(f, rec, c, limit, done);
			break;
		}
		LLVMPositionBuilderAtEnd(f->b, done);
	}
}
