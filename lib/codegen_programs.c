/* SPDX-License-Identifier: Apache-2.0 */
/* The enter and exit programs of one syscall.
 *
 * enter: filters, then the entry (record header + every argument by value + enter captures)
 *        is stored in the syscall's event map under pid_tgid.
 * exit:  the entry is copied into this CPU's assembly area (buffer storage) and deleted from
 *        the map; the exit code and the exit captures are added; the record goes to the perf
 *        output with its real length.
 *
 * Verifier notes: the running record size lives in the record itself (map memory), so every
 * capture starts from an unknown value that it bounds with a compare and an AND. Paths that
 * differ only in what they wrote to memory then look alike to the verifier, which prunes them:
 * the unrolled argv loop stays linear instead of doubling at every branch. */
#include <errno.h>
#include <string.h>

#include <linux/bpf.h>

#include "codegen_internal.h"
#include "record.h"

#define ARG_OFF(i) (RECORD_OFF_ARGS + 8u * (i))

static void ret0(struct cg_fn *f)
{
	LLVMBuildRet(f->b, cg_const32(f, 0));
}

static LLVMValueRef helper0(struct cg_fn *f, int id)
{
	return cg_helper(f, id, f->i64, NULL, 0);
}

static uint64_t comm_word(const char *comm, int half)
{
	uint64_t w = 0;
	int i;

	for (i = 7; i >= 0; i--)
		w = w << 8 | (unsigned char)comm[half * 8 + i];
	return w;
}

/* Jumps to SKIP unless the current task passes the tracer's filters. */
static void emit_filters(struct cg_fn *f, LLVMValueRef pid_tgid, LLVMBasicBlockRef skip,
			 bool at_exit)
{
	const struct codegen_env *env = f->env;
	LLVMValueRef tgid = LLVMBuildLShr(f->b, pid_tgid, cg_const(f, 32), "tgid");
	uint32_t i;

	if (env->self_tgid) {
		LLVMBasicBlockRef next = cg_block(f, "not_self");

		cg_if(f, LLVMBuildICmp(f->b, LLVMIntNE, tgid, cg_const(f, env->self_tgid), ""),
		      next, skip);
	}
	if (env->pid_count) {
		LLVMBasicBlockRef ok = cg_block(f, "pid_ok");

		for (i = 0; i < env->pid_count; i++) {
			LLVMBasicBlockRef next = cg_block(f, "pid_next");

			LLVMBuildCondBr(f->b,
					LLVMBuildICmp(f->b, LLVMIntEQ, tgid,
						      cg_const(f, env->pids[i]), ""),
					ok, next);
			LLVMPositionBuilderAtEnd(f->b, next);
		}
		LLVMBuildBr(f->b, skip);
		LLVMPositionBuilderAtEnd(f->b, ok);
	}
	/* uid and comm may change during the call (a setuid exec): judge them at enter only. */
	if (env->filter_uid && !at_exit) {
		LLVMValueRef uid_gid = helper0(f, BPF_FUNC_get_current_uid_gid);
		LLVMValueRef uid = LLVMBuildAnd(f->b, uid_gid, cg_const(f, 0xffffffffu), "");
		LLVMBasicBlockRef next = cg_block(f, "uid_ok");

		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, uid, cg_const(f, env->uid), ""), next,
		      skip);
	}
	if (env->filter_comm && !at_exit) {
		LLVMValueRef slot = cg_slot(f, f->i64, 2);
		LLVMValueRef args[2] = { slot, cg_const(f, 16) };
		LLVMBasicBlockRef half = cg_block(f, "comm_half"), next = cg_block(f, "comm_ok");

		cg_helper(f, BPF_FUNC_get_current_comm, f->i64, args, 2);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, cg_load(f, f->i64, slot, 0),
				       cg_const(f, comm_word(env->comm, 0)), ""), half, skip);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, cg_load(f, f->i64, slot, 8),
				       cg_const(f, comm_word(env->comm, 1)), ""), next, skip);
	}
}

static void or_probe_error(struct cg_fn *f, LLVMValueRef rec, uint32_t bits)
{
	LLVMValueRef cur = cg_load(f, f->i32, rec, RECORD_OFF_PROBE_ERROR);

	cg_store(f, LLVMBuildOr(f->b, cur, cg_const32(f, bits), ""), rec, RECORD_OFF_PROBE_ERROR);
}

/* Writes an item header {arg, kind, flags, len} at ITEM and moves the record size past the
 * item: size = OFF + 8 + align8(LEN). */
static void finish_item(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef item, LLVMValueRef off,
			uint32_t arg, uint32_t kind, uint32_t flags, LLVMValueRef len)
{
	uint64_t fixed = arg | (uint64_t)kind << 16 | (uint64_t)flags << 24;
	LLVMValueRef hdr = LLVMBuildOr(f->b, cg_const(f, fixed),
				       LLVMBuildShl(f->b, len, cg_const(f, 32), ""), "");
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
static LLVMValueRef begin_item(struct cg_fn *f, LLVMValueRef rec, uint32_t limit,
			       LLVMBasicBlockRef full, LLVMValueRef *item)
{
	const struct layout_storage *st = &f->layout->storage;
	LLVMValueRef off = LLVMBuildZExt(f->b, cg_load(f, f->i32, rec, RECORD_OFF_SIZE), f->i64,
					 "off");
	LLVMBasicBlockRef room = cg_block(f, "room"), nospace = cg_block(f, "nospace");

	cg_if(f, LLVMBuildICmp(f->b, LLVMIntUGE, off, cg_const(f, limit), ""), nospace, room);
	or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_NO_SPACE);
	LLVMBuildBr(f->b, full);
	LLVMPositionBuilderAtEnd(f->b, room);
	/* off < limit <= capacity already; the AND tells the verifier so on every path. */
	*item = cg_at(f, rec, LLVMBuildAnd(f->b, off, cg_const(f, st->capacity - 1), "o"));
	return off;
}

/* Reads a C string at P into a new item of KIND for argument ARG, at most BOUND bytes. */
static void emit_string_item(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef p, uint32_t arg,
			     uint32_t kind, uint32_t bound, uint32_t limit,
			     LLVMBasicBlockRef done)
{
	LLVMValueRef item, off, r, args[3], len, byte;
	LLVMBasicBlockRef isnull = cg_block(f, "str_null"), read = cg_block(f, "str_read");
	LLVMBasicBlockRef bad = cg_block(f, "str_bad"), good = cg_block(f, "str_good");
	LLVMBasicBlockRef full = cg_block(f, "str_full"), check = cg_block(f, "str_check");
	LLVMBasicBlockRef cut = cg_block(f, "str_cut"), whole = cg_block(f, "str_whole");
	LLVMBasicBlockRef cut2 = cg_block(f, "str_cut2");

	off = begin_item(f, rec, limit, full, &item);
	cg_if(f, LLVMBuildIsNull(f->b, p, ""), isnull, read);
	finish_item(f, rec, item, off, arg, kind, EBPFPUB_FIELD_NULL, cg_const(f, 0));
	LLVMBuildBr(f->b, done);

	LLVMPositionBuilderAtEnd(f->b, read);
	args[0] = cg_at(f, item, cg_const(f, RECORD_ITEM_SIZE));
	args[1] = cg_const32(f, bound);
	args[2] = LLVMBuildIntToPtr(f->b, p, f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_user_str, f->i64, args, 3);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, r, cg_const(f, 0), ""), bad, good);
	or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
	finish_item(f, rec, item, off, arg, kind, EBPFPUB_FIELD_UNREADABLE, cg_const(f, 0));
	LLVMBuildBr(f->b, done);

	/* r counts the NUL. r == bound means the helper may have cut the string; it was cut
	 * when the byte it overwrote with NUL is not NUL in user memory. */
	LLVMPositionBuilderAtEnd(f->b, good);
	len = r;
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
		or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_TRUNCATED);
		finish_item(f, rec, item, off, arg, kind, EBPFPUB_FIELD_TRUNCATED, len);
		LLVMBuildBr(f->b, done);
	}
	LLVMPositionBuilderAtEnd(f->b, whole);
	finish_item(f, rec, item, off, arg, kind, 0, len);
	LLVMBuildBr(f->b, done);

	LLVMPositionBuilderAtEnd(f->b, full);
	LLVMBuildBr(f->b, done);
}

/* BUFFER and SOCKADDR: LEN bytes at P, LEN from an argument, through a pointer, or fixed. */
static void emit_buffer_item(struct cg_fn *f, LLVMValueRef rec, const struct layout_capture *c,
			     uint32_t limit, LLVMBasicBlockRef done)
{
	uint32_t kind = c->kind == EBPFPUB_CAPTURE_SOCKADDR ? RECORD_ITEM_SOCKADDR
							    : RECORD_ITEM_BYTES;
	/* An oversize sockaddr length is suspicious (the kernel rejects it): flag it as a bad
	 * length; a long buffer is just cut. */
	uint32_t over_flag = c->kind == EBPFPUB_CAPTURE_SOCKADDR ? EBPFPUB_FIELD_BAD_LENGTH
								 : EBPFPUB_FIELD_TRUNCATED;
	LLVMValueRef item, off, p, len, flags_slot = cg_slot(f, f->i64, 1);
	LLVMBasicBlockRef full = cg_block(f, "buf_full"), have_len = cg_block(f, "buf_len");
	LLVMBasicBlockRef isnull = cg_block(f, "buf_null"), read = cg_block(f, "buf_read");
	LLVMBasicBlockRef bad = cg_block(f, "buf_bad"), good = cg_block(f, "buf_good");

	off = begin_item(f, rec, limit, full, &item);
	p = cg_load(f, f->i64, rec, ARG_OFF(c->arg));
	cg_store(f, cg_const(f, 0), flags_slot, 0);
	if (c->size_arg < 0) {
		len = cg_const(f, c->size);
		LLVMBuildBr(f->b, have_len);
	} else {
		LLVMValueRef raw = cg_load(f, f->i64, rec, ARG_OFF(c->size_arg));
		LLVMValueRef len_slot = cg_slot(f, f->i64, 1);
		LLVMBasicBlockRef neg = cg_block(f, "len_neg"), nonneg = cg_block(f, "len_ok");
		LLVMBasicBlockRef over = cg_block(f, "len_over"), fits = cg_block(f, "len_fits");

		cg_store(f, cg_const(f, 0), len_slot, 0);
		if (c->size_is_pointer) {
			LLVMBasicBlockRef rd = cg_block(f, "lenp_read"), rbad = cg_block(f, "lenp_bad");
			LLVMBasicBlockRef rok = cg_block(f, "lenp_ok");
			LLVMValueRef a[3] = { len_slot, cg_const32(f, 4),
					      LLVMBuildIntToPtr(f->b, raw, f->ptr, "") };
			LLVMValueRef r;

			cg_if(f, LLVMBuildIsNull(f->b, raw, ""), isnull, rd);
			r = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a, 3);
			cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, r, cg_const(f, 0), ""), rbad, rok);
			or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
			finish_item(f, rec, item, off, c->arg, kind, EBPFPUB_FIELD_UNREADABLE,
				    cg_const(f, 0));
			LLVMBuildBr(f->b, done);
			LLVMPositionBuilderAtEnd(f->b, rok);
			raw = cg_load(f, f->i32, len_slot, 0);
			raw = LLVMBuildSExt(f->b, raw, f->i64, "");
		} else {
			/* int addrlen: the low 32 bits, signed. */
			raw = LLVMBuildSExt(f->b, LLVMBuildTrunc(f->b, raw, f->i32, ""), f->i64, "");
		}
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, raw, cg_const(f, 0), ""), neg, nonneg);
		cg_store(f, cg_const(f, EBPFPUB_FIELD_BAD_LENGTH), flags_slot, 0);
		LLVMBuildBr(f->b, have_len);
		LLVMPositionBuilderAtEnd(f->b, nonneg);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntUGT, raw, cg_const(f, c->size), ""), over, fits);
		cg_store(f, cg_const(f, over_flag), flags_slot, 0);
		cg_store(f, cg_const(f, c->size), len_slot, 0);
		LLVMBuildBr(f->b, have_len);
		LLVMPositionBuilderAtEnd(f->b, fits);
		cg_store(f, raw, len_slot, 0);
		LLVMBuildBr(f->b, have_len);
		LLVMPositionBuilderAtEnd(f->b, have_len);
		len = cg_load(f, f->i64, len_slot, 0);
	}
	if (c->size_arg < 0)
		LLVMPositionBuilderAtEnd(f->b, have_len);
	{
		/* Bound LEN in a register the verifier sees compared. */
		LLVMBasicBlockRef ok = cg_block(f, "len_bounded");
		LLVMValueRef flags, r, a[3];

		cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, len, cg_const(f, c->size), ""), ok, full);
		if (!c->size_is_pointer) {
			LLVMBasicBlockRef nn = cg_block(f, "buf_nonnull");

			cg_if(f, LLVMBuildIsNull(f->b, p, ""), isnull, nn);
		} else {
			LLVMBasicBlockRef nn = cg_block(f, "buf_nonnull");

			cg_if(f, LLVMBuildIsNull(f->b, p, ""), isnull, nn);
		}
		LLVMBuildBr(f->b, read);
		LLVMPositionBuilderAtEnd(f->b, read);
		a[0] = cg_at(f, item, cg_const(f, RECORD_ITEM_SIZE));
		a[1] = LLVMBuildTrunc(f->b, len, f->i32, "");
		a[2] = LLVMBuildIntToPtr(f->b, p, f->ptr, "");
		r = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a, 3);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, r, cg_const(f, 0), ""), bad, good);
		or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
		finish_item(f, rec, item, off, c->arg, kind, EBPFPUB_FIELD_UNREADABLE,
			    cg_const(f, 0));
		LLVMBuildBr(f->b, done);
		LLVMPositionBuilderAtEnd(f->b, good);
		flags = cg_load(f, f->i64, flags_slot, 0);
		{
			/* finish_item with a variable flags byte */
			LLVMValueRef hdr = LLVMBuildOr(
				f->b,
				cg_const(f, c->arg | (uint64_t)kind << 16),
				LLVMBuildOr(f->b, LLVMBuildShl(f->b, flags, cg_const(f, 24), ""),
					    LLVMBuildShl(f->b, len, cg_const(f, 32), ""), ""),
				"");
			LLVMValueRef padded = LLVMBuildAnd(
				f->b, LLVMBuildAdd(f->b, len, cg_const(f, 7), ""), cg_const(f, ~7ull),
				"");
			LLVMValueRef size = LLVMBuildAdd(
				f->b, off,
				LLVMBuildAdd(f->b, padded, cg_const(f, RECORD_ITEM_SIZE), ""), "");

			cg_store(f, hdr, item, 0);
			cg_store(f, LLVMBuildTrunc(f->b, size, f->i32, ""), rec, RECORD_OFF_SIZE);
		}
		LLVMBuildBr(f->b, done);
	}
	LLVMPositionBuilderAtEnd(f->b, isnull);
	finish_item(f, rec, item, off, c->arg, kind, EBPFPUB_FIELD_NULL, cg_const(f, 0));
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, full);
	LLVMBuildBr(f->b, done);
}

/* ARGV at enter: up to max_items strings through the caller's argv pointers, unrolled, then an
 * ARGV_END item saying whether more followed and whether the array was readable. */
static void emit_argv_items(struct cg_fn *f, LLVMValueRef rec, const struct layout_capture *c,
			    uint32_t limit, LLVMBasicBlockRef done)
{
	LLVMValueRef argv = cg_load(f, f->i64, rec, ARG_OFF(c->arg));
	LLVMValueRef ptr_slot = cg_slot(f, f->i64, 1), end_slot = cg_slot(f, f->i64, 1);
	LLVMBasicBlockRef end = cg_block(f, "argv_end"), first = cg_block(f, "argv_first");
	LLVMValueRef off, item, a[3], r;
	uint32_t k;

	/* A successful exec rewinds here to store the new program's argv instead. */
	cg_store(f, LLVMBuildTrunc(f->b, LLVMBuildZExt(f->b, cg_load(f, f->i32, rec,
								     RECORD_OFF_SIZE),
						      f->i64, ""),
				   f->i16, ""),
		 rec, RECORD_OFF_ARGV_OFFSET);
	/* end_slot: bits 0-7 flags of the END item, bit 32: more arguments than captured. */
	cg_store(f, cg_const(f, 0), end_slot, 0);
	{
		LLVMBasicBlockRef isnull = cg_block(f, "argv_null");

		cg_if(f, LLVMBuildIsNull(f->b, argv, ""), isnull, first);
		cg_store(f, cg_const(f, EBPFPUB_FIELD_NULL), end_slot, 0);
		LLVMBuildBr(f->b, end);
		LLVMPositionBuilderAtEnd(f->b, first);
	}
	for (k = 0; k <= c->max_items; k++) {
		LLVMBasicBlockRef unreadable = cg_block(f, "argv_unreadable");
		LLVMBasicBlockRef readable = cg_block(f, "argv_readable");
		LLVMBasicBlockRef some = cg_block(f, "argv_some"), next = cg_block(f, "argv_next");

		a[0] = ptr_slot;
		a[1] = cg_const32(f, 8);
		a[2] = LLVMBuildIntToPtr(f->b, LLVMBuildAdd(f->b, argv, cg_const(f, 8ull * k), ""),
					 f->ptr, "");
		r = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a, 3);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, r, cg_const(f, 0), ""), unreadable,
		      readable);
		or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
		cg_store(f, cg_const(f, EBPFPUB_FIELD_UNREADABLE), end_slot, 0);
		LLVMBuildBr(f->b, end);
		LLVMPositionBuilderAtEnd(f->b, readable);
		{
			LLVMValueRef p = cg_load(f, f->i64, ptr_slot, 0);

			cg_if(f, LLVMBuildIsNotNull(f->b, p, ""), some, end);
			if (k == c->max_items) {
				/* argv[max] exists: more than we capture. */
				cg_store(f, cg_const(f, 1ull << 32 | EBPFPUB_FIELD_TRUNCATED),
					 end_slot, 0);
				LLVMBuildBr(f->b, end);
				LLVMDeleteBasicBlock(next);
				break;
			}
			emit_string_item(f, rec, p, c->arg, RECORD_ITEM_ARGV_ARG, c->size, limit,
					 next);
			LLVMPositionBuilderAtEnd(f->b, next);
		}
	}
	LLVMPositionBuilderAtEnd(f->b, end);
	{
		LLVMBasicBlockRef full = cg_block(f, "argv_end_full");
		LLVMValueRef v = cg_load(f, f->i64, end_slot, 0);
		LLVMValueRef flags = LLVMBuildAnd(f->b, v, cg_const(f, 0xff), "");
		LLVMValueRef more = LLVMBuildLShr(f->b, v, cg_const(f, 32), "");
		LLVMValueRef hdr;

		off = begin_item(f, rec, limit, full, &item);
		hdr = LLVMBuildOr(f->b,
				  cg_const(f, c->arg | (uint64_t)RECORD_ITEM_ARGV_END << 16 |
						      (uint64_t)sizeof(struct record_argv_end) << 32),
				  LLVMBuildShl(f->b, flags, cg_const(f, 24), ""), "");
		cg_store(f, hdr, item, 0);
		/* captured (filled in by the decoder) | source << 32 */
		cg_store(f, cg_const(f, (uint64_t)EBPFPUB_ARGV_FROM_CALLER << 32), item,
			 RECORD_ITEM_SIZE);
		cg_store(f, more, item, RECORD_ITEM_SIZE + 8);
		cg_store(f,
			 LLVMBuildTrunc(f->b,
					LLVMBuildAdd(f->b, off,
						     cg_const(f, RECORD_ITEM_SIZE +
								 sizeof(struct record_argv_end)),
						     ""),
					f->i32, ""),
			 rec, RECORD_OFF_SIZE);
		LLVMBuildBr(f->b, done);
		LLVMPositionBuilderAtEnd(f->b, full);
		LLVMBuildBr(f->b, done);
	}
}

/* After a successful exec: replace the enter-time argv by the new program's argv area
 * (mm->arg_start .. arg_end), which the kernel filled, so it is readable even when the
 * caller's strings were in pages it never touched. */
static void emit_exec_argv(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef retval,
			   const struct layout_capture *c)
{
	const struct layout *l = f->layout;
	const struct codegen_env *env = f->env;
	uint32_t bound = l->fixed_size + RECORD_ITEM_SIZE + record_align(l->storage.buffer_size);
	uint32_t max_len = l->storage.area_size - bound - RECORD_ITEM_SIZE;
	LLVMBasicBlockRef done = cg_block(f, "exec_done"), ok = cg_block(f, "exec_ok");
	LLVMBasicBlockRef have_off = cg_block(f, "exec_off"), in_range = cg_block(f, "exec_range");
	LLVMBasicBlockRef have_mm = cg_block(f, "exec_mm"), have_mm2 = cg_block(f, "exec_mm2");
	LLVMBasicBlockRef have_args = cg_block(f, "exec_args"), clamp = cg_block(f, "exec_clamp");
	LLVMBasicBlockRef sized = cg_block(f, "exec_sized"), bounded = cg_block(f, "exec_bounded");
	LLVMBasicBlockRef read_ok = cg_block(f, "exec_read");
	LLVMValueRef ao, task, slot = cg_slot(f, f->i64, 2), a[3], r, start, len, item, flags_slot;

	flags_slot = cg_slot(f, f->i64, 1);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, retval, cg_const(f, 0), ""), ok, done);
	ao = LLVMBuildZExt(f->b, cg_load(f, f->i16, rec, RECORD_OFF_ARGV_OFFSET), f->i64, "ao");
	cg_if(f, LLVMBuildIsNotNull(f->b, ao, ""), have_off, done);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, ao, cg_const(f, bound), ""), in_range, done);

	task = helper0(f, BPF_FUNC_get_current_task);
	a[0] = slot;
	a[1] = cg_const32(f, 8);
	a[2] = LLVMBuildIntToPtr(f->b, LLVMBuildAdd(f->b, task, cg_const(f, env->task_mm_offset), ""),
				 f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_kernel, f->i64, a, 3);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), have_mm, done);
	{
		LLVMValueRef mm = cg_load(f, f->i64, slot, 0);

		cg_if(f, LLVMBuildIsNotNull(f->b, mm, ""), have_mm2, done);
		a[0] = slot;
		a[1] = cg_const32(f, 16);
		a[2] = LLVMBuildIntToPtr(f->b,
					 LLVMBuildAdd(f->b, mm, cg_const(f, env->mm_arg_start_offset), ""),
					 f->ptr, "");
		r = cg_helper(f, BPF_FUNC_probe_read_kernel, f->i64, a, 3);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), have_args, done);
	}
	start = cg_load(f, f->i64, slot, 0);
	len = LLVMBuildSub(f->b, cg_load(f, f->i64, slot, 8), start, "");
	cg_store(f, len, slot, 8);
	cg_store(f, cg_const(f, 0), flags_slot, 0);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntUGT, len, cg_const(f, max_len), ""), clamp, sized);
	cg_store(f, cg_const(f, max_len), slot, 8);
	cg_store(f, cg_const(f, EBPFPUB_FIELD_TRUNCATED), flags_slot, 0);
	cg_goto(f, sized);
	len = cg_load(f, f->i64, slot, 8);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, len, cg_const(f, max_len), ""), bounded, done);
	item = cg_at(f, rec, ao);
	a[0] = cg_at(f, item, cg_const(f, RECORD_ITEM_SIZE));
	a[1] = LLVMBuildTrunc(f->b, len, f->i32, "");
	a[2] = LLVMBuildIntToPtr(f->b, start, f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a, 3);
	/* On failure the enter-time argv stays: it is better than nothing. */
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), read_ok, done);
	{
		LLVMValueRef flags = cg_load(f, f->i64, flags_slot, 0);
		LLVMValueRef hdr = LLVMBuildOr(
			f->b, cg_const(f, c->arg | (uint64_t)RECORD_ITEM_ARGV_BLOCK << 16),
			LLVMBuildOr(f->b, LLVMBuildShl(f->b, flags, cg_const(f, 24), ""),
				    LLVMBuildShl(f->b, len, cg_const(f, 32), ""), ""),
			"");
		LLVMValueRef padded = LLVMBuildAnd(f->b, LLVMBuildAdd(f->b, len, cg_const(f, 7), ""),
						   cg_const(f, ~7ull), "");
		LLVMValueRef size = LLVMBuildAdd(
			f->b, ao, LLVMBuildAdd(f->b, padded, cg_const(f, RECORD_ITEM_SIZE), ""), "");

		cg_store(f, hdr, item, 0);
		cg_store(f, LLVMBuildTrunc(f->b, size, f->i32, ""), rec, RECORD_OFF_SIZE);
		cg_goto(f, done);
	}
}

static void emit_captures(struct cg_fn *f, LLVMValueRef rec, enum ebpfpub_capture_when when,
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
			emit_string_item(f, rec, cg_load(f, f->i64, rec, ARG_OFF(c->arg)), c->arg,
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

static LLVMValueRef storage_area(struct cg_fn *f, LLVMBasicBlockRef fail)
{
	LLVMValueRef key = cg_slot(f, f->i32, 1), area;
	LLVMBasicBlockRef ok = cg_block(f, "have_area");

	cg_store(f, LLVMBuildTrunc(f->b, helper0(f, BPF_FUNC_get_smp_processor_id), f->i32, ""),
		 key, 0);
	area = cg_lookup(f, f->env->storage_fd, key);
	cg_if(f, LLVMBuildIsNotNull(f->b, area, ""), ok, fail);
	return area;
}

static void emit_enter(struct cg_fn *f)
{
	const struct layout *l = f->layout;
	const struct codegen_env *env = f->env;
	LLVMBasicBlockRef out = cg_block(f, "out"), dropped = cg_block(f, "dropped");
	LLVMBasicBlockRef stored = cg_block(f, "stored");
	LLVMValueRef pid_tgid, rec, key, a[4], r;
	uint32_t i;

	pid_tgid = helper0(f, BPF_FUNC_get_current_pid_tgid);
	emit_filters(f, pid_tgid, out, false);
	if (l->has_enter_captures)
		rec = storage_area(f, out);
	else
		rec = cg_slot(f, f->i64, l->entry_size / 8);

	cg_store(f, cg_const32(f, l->fixed_size), rec, RECORD_OFF_SIZE);
	cg_store(f, cg_const32(f, env->event_id), rec, RECORD_OFF_EVENT_ID);
	cg_store(f, helper0(f, BPF_FUNC_ktime_get_ns), rec, RECORD_OFF_ENTER_NS);
	cg_store(f, cg_const(f, 0), rec, RECORD_OFF_EXIT_NS);
	cg_store(f, pid_tgid, rec, RECORD_OFF_PID_TGID);
	cg_store(f, helper0(f, BPF_FUNC_get_current_uid_gid), rec, RECORD_OFF_UID_GID);
	cg_store(f, cg_const(f, 0), rec, RECORD_OFF_EXIT_CODE);
	/* probe_error, arg_count, argv_offset in one store */
	cg_store(f, cg_const(f, (uint64_t)l->arg_count << 32), rec, RECORD_OFF_PROBE_ERROR);
	cg_store(f, cg_const(f, 0), rec, RECORD_OFF_COMM);
	cg_store(f, cg_const(f, 0), rec, RECORD_OFF_COMM + 8);
	for (i = 0; i < l->arg_count; i++)
		cg_store(f, cg_load(f, f->i64, f->ctx, l->args[i]->offset), rec, ARG_OFF(i));

	if (l->has_enter_captures)
		emit_captures(f, rec, EBPFPUB_AT_ENTER, l->enter_capacity);

	key = cg_slot(f, f->i64, 1);
	cg_store(f, pid_tgid, key, 0);
	a[0] = cg_map(f, env->event_map_fd);
	a[1] = key;
	a[2] = rec;
	a[3] = cg_const(f, BPF_ANY);
	r = cg_helper(f, BPF_FUNC_map_update_elem, f->i64, a, 4);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), stored, dropped);
	LLVMBuildBr(f->b, out);
	LLVMPositionBuilderAtEnd(f->b, dropped);
	cg_counter_add(f, env->counters_fd, CODEGEN_COUNTER_ENTER_DROPPED);
	LLVMBuildBr(f->b, out);
	LLVMPositionBuilderAtEnd(f->b, out);
	ret0(f);
}

static void emit_output(struct cg_fn *f, LLVMValueRef rec)
{
	const struct codegen_env *env = f->env;
	const struct layout *l = f->layout;
	LLVMBasicBlockRef send = cg_block(f, "send"), lost = cg_block(f, "lost");
	LLVMBasicBlockRef out = cg_block(f, "sent");
	LLVMValueRef size, r;

	size = LLVMBuildZExt(f->b, cg_load(f, f->i32, rec, RECORD_OFF_SIZE), f->i64, "size");
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, size, cg_const(f, l->storage.area_size), ""), send,
	      out);
	if (env->output_is_ringbuf) {
		LLVMValueRef flags_slot = cg_slot(f, f->i64, 1), key = cg_slot(f, f->i32, 1), ctl;
		LLVMBasicBlockRef have_ctl = cg_block(f, "have_ctl"), sleeping = cg_block(f, "wake");
		LLVMBasicBlockRef awake = cg_block(f, "awake"), high = cg_block(f, "high_water");
		LLVMBasicBlockRef go = cg_block(f, "output");
		LLVMValueRef a[4];

		/* Wake the reader only when it said it is going to sleep, or when the ring is
		 * filling up: one wakeup per batch instead of one per event. */
		cg_store(f, cg_const(f, BPF_RB_NO_WAKEUP), flags_slot, 0);
		cg_store(f, cg_const32(f, 0), key, 0);
		ctl = cg_lookup(f, env->control_fd, key);
		cg_if(f, LLVMBuildIsNotNull(f->b, ctl, ""), have_ctl, go);
		cg_if(f, LLVMBuildIsNotNull(f->b, cg_load(f, f->i64, ctl, 0), ""), sleeping, awake);
		cg_store(f, cg_const(f, 0), ctl, 0);
		cg_store(f, cg_const(f, BPF_RB_FORCE_WAKEUP), flags_slot, 0);
		LLVMBuildBr(f->b, go);
		LLVMPositionBuilderAtEnd(f->b, awake);
		a[0] = cg_map(f, env->output_fd);
		a[1] = cg_const(f, BPF_RB_AVAIL_DATA);
		r = cg_helper(f, BPF_FUNC_ringbuf_query, f->i64, a, 2);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntUGE, r, cg_const(f, env->ringbuf_watermark), ""),
		      high, go);
		cg_store(f, cg_const(f, BPF_RB_FORCE_WAKEUP), flags_slot, 0);
		cg_goto(f, go);
		a[0] = cg_map(f, env->output_fd);
		a[1] = rec;
		a[2] = size;
		a[3] = cg_load(f, f->i64, flags_slot, 0);
		r = cg_helper(f, BPF_FUNC_ringbuf_output, f->i64, a, 4);
	} else {
		LLVMValueRef a[5] = { f->ctx, cg_map(f, env->output_fd), cg_const(f, BPF_F_CURRENT_CPU),
				      rec, size };

		r = cg_helper(f, BPF_FUNC_perf_event_output, f->i64, a, 5);
	}
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntSLT, r, cg_const(f, 0), ""), lost, out);
	cg_counter_add(f, env->lost_fd, 0);
	LLVMBuildBr(f->b, out);
	LLVMPositionBuilderAtEnd(f->b, out);
}

static void emit_exit(struct cg_fn *f)
{
	const struct layout *l = f->layout;
	const struct codegen_env *env = f->env;
	LLVMBasicBlockRef out = cg_block(f, "out"), miss = cg_block(f, "miss");
	LLVMBasicBlockRef found = cg_block(f, "found"), gone = cg_block(f, "no_area");
	LLVMValueRef pid_tgid, key, entry, rec, a[3], retval;
	uint32_t i;

	pid_tgid = helper0(f, BPF_FUNC_get_current_pid_tgid);
	emit_filters(f, pid_tgid, out, true);
	key = cg_slot(f, f->i64, 1);
	cg_store(f, pid_tgid, key, 0);
	entry = cg_lookup(f, env->event_map_fd, key);
	cg_if(f, LLVMBuildIsNull(f->b, entry, ""), miss, found);
	/* With a uid or comm filter, enter skipped some calls on purpose: not a miss. */
	if (!env->filter_uid && !env->filter_comm)
		cg_counter_add(f, env->counters_fd, CODEGEN_COUNTER_EXIT_WITHOUT_ENTER);
	LLVMBuildBr(f->b, out);

	LLVMPositionBuilderAtEnd(f->b, found);
	rec = storage_area(f, gone);
	if (l->entry_size <= 256) {
		for (i = 0; i < l->entry_size; i += 8)
			cg_store(f, cg_load(f, f->i64, entry, i), rec, i);
	} else {
		a[0] = rec;
		a[1] = cg_const32(f, l->entry_size);
		a[2] = entry;
		cg_helper(f, BPF_FUNC_probe_read_kernel, f->i64, a, 3);
	}
	a[0] = cg_map(f, env->event_map_fd);
	a[1] = key;
	cg_helper(f, BPF_FUNC_map_delete_elem, f->i64, a, 2);

	cg_store(f, helper0(f, BPF_FUNC_ktime_get_ns), rec, RECORD_OFF_EXIT_NS);
	retval = cg_load(f, f->i64, f->ctx, l->ret_offset);
	cg_store(f, retval, rec, RECORD_OFF_EXIT_CODE);
	a[0] = cg_at(f, rec, cg_const(f, RECORD_OFF_COMM));
	a[1] = cg_const32(f, 16);
	cg_helper(f, BPF_FUNC_get_current_comm, f->i64, a, 2);

	if (l->is_exec && env->have_mm_offsets) {
		for (i = 0; i < l->capture_count; i++)
			if (l->captures[i].kind == EBPFPUB_CAPTURE_ARGV &&
			    l->captures[i].when == EBPFPUB_AT_ENTER) {
				emit_exec_argv(f, rec, retval, &l->captures[i]);
				break;
			}
	}
	emit_captures(f, rec, EBPFPUB_AT_EXIT, l->storage.capacity);
	emit_output(f, rec);
	LLVMBuildBr(f->b, out);

	LLVMPositionBuilderAtEnd(f->b, gone);
	a[0] = cg_map(f, env->event_map_fd);
	a[1] = key;
	cg_helper(f, BPF_FUNC_map_delete_elem, f->i64, a, 2);
	LLVMBuildBr(f->b, out);

	LLVMPositionBuilderAtEnd(f->b, out);
	ret0(f);
}

int codegen_emit_programs(struct cg_fn *enter, struct cg_fn *exit)
{
	emit_enter(enter);
	emit_exit(exit);
	return 0;
}
