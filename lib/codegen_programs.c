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
 * the argv loop (a bounded loop, Linux 5.3+) costs the verifier one pass per iteration
 * instead of doubling at every branch. */
#include <errno.h>
#include <string.h>

#include <linux/bpf.h>

#include "codegen_programs.h"
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

/* Jumps to SKIP unless the calling process is one the tracer watches: not the tracer itself,
 * one of the pids when there is a pid filter. Neither changes during a call. */
static void emit_pid_filters(struct cg_fn *f, LLVMValueRef pid_tgid, LLVMBasicBlockRef skip)
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
}

/* Jumps to SKIP unless the task's uid and comm pass the filters. Both may change during a
 * call (a setuid exec), so a call is judged by them at enter; an exit without an entry is
 * judged at exit, to tell a call filtered at enter from one whose entry is missing. */
static void emit_task_filters(struct cg_fn *f, LLVMBasicBlockRef skip)
{
	const struct codegen_env *env = f->env;

	if (env->filter_uid) {
		LLVMValueRef uid_gid = helper0(f, BPF_FUNC_get_current_uid_gid);
		LLVMValueRef uid = LLVMBuildAnd(f->b, uid_gid, cg_const(f, 0xffffffffu), "");
		LLVMBasicBlockRef next = cg_block(f, "uid_ok");

		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, uid, cg_const(f, env->uid), ""), next,
		      skip);
	}
	if (env->filter_comm) {
		LLVMValueRef slot = cg_slot(f, f->i64, 2);
		LLVMValueRef args[2] = { slot, cg_const(f, 16) };
		LLVMBasicBlockRef half = cg_block(f, "comm_half"), next = cg_block(f, "comm_ok");

		/* Before the kernel padded it (6.1, 6.12), the helper left the bytes after the
		 * NUL as they were: make them zeros, as in the words compared. */
		cg_store(f, cg_const(f, 0), slot, 0);
		cg_store(f, cg_const(f, 0), slot, 8);
		cg_helper(f, BPF_FUNC_get_current_comm, f->i64, args, 2);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, cg_load(f, f->i64, slot, 0),
				       cg_const(f, comm_word(env->comm, 0)), ""), half, skip);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, cg_load(f, f->i64, slot, 8),
				       cg_const(f, comm_word(env->comm, 1)), ""), next, skip);
	}
}

static void count(struct cg_fn *f, enum codegen_counter c)
{
	cg_counter_add(f, f->env->counters_fd, f->env->counter_base + (uint32_t)c);
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

/* Like finish_item, with the flags byte in a register. */
static void finish_item_var(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef item,
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
	off = begin_item(f, rec, limit, full, &item);
	p = cg_load(f, f->i64, rec, ARG_OFF(c->arg));
	cg_store(f, cg_const(f, 0), flags_slot, 0);
	cg_store(f, cg_const(f, c->size), len_slot, 0);
	if (c->size_arg < 0) {
		LLVMBuildBr(f->b, have_len);
	} else {
		LLVMValueRef raw = cg_load(f, f->i64, rec, ARG_OFF(c->size_arg));
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
			or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
			finish_item(f, rec, item, off, c->arg, kind, EBPFPUB_FIELD_UNREADABLE,
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
	or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
	flags = LLVMBuildOr(f->b, cg_load(f, f->i64, flags_slot, 0),
			    cg_const(f, EBPFPUB_FIELD_UNREADABLE), "");
	finish_item_var(f, rec, item, off, c->arg, kind, flags, cg_const(f, 0));
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, good);
	finish_item_var(f, rec, item, off, c->arg, kind, cg_load(f, f->i64, flags_slot, 0), len);
	LLVMBuildBr(f->b, done);

	LLVMPositionBuilderAtEnd(f->b, isnull);
	flags = LLVMBuildOr(f->b, cg_load(f, f->i64, flags_slot, 0),
			    cg_const(f, EBPFPUB_FIELD_NULL), "");
	finish_item_var(f, rec, item, off, c->arg, kind, flags, cg_const(f, 0));
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, full);
	LLVMBuildBr(f->b, done);
}

/* The ARGV capture that a successful exec replaces with the new program's argv: the one of
 * the argument named "argv" (execve, execveat), read at enter. */
static const struct layout_capture *exec_argv_capture(const struct layout *l)
{
	size_t i;

	if (!l->is_exec)
		return NULL;
	for (i = 0; i < l->capture_count; i++) {
		const struct layout_capture *c = &l->captures[i];

		if (c->kind == EBPFPUB_CAPTURE_ARGV && c->when == EBPFPUB_AT_ENTER &&
		    strcmp(l->args[c->arg]->name, "argv") == 0)
			return c;
	}
	return NULL;
}

/* Writes an ARGV_END item {captured 0, SOURCE, more 0} with FLAGS at ITEM (record offset
 * OFF) and moves the record size past it. */
static void write_argv_end(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef item, LLVMValueRef off,
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
	LLVMValueRef argv = cg_load(f, f->i64, rec, ARG_OFF(c->arg));
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

	hdr_off = begin_item(f, rec, limit, done, &hdr);
	/* A successful exec rewinds here to store the new program's argv instead. */
	if (c == exec_argv_capture(f->layout))
		cg_store(f, LLVMBuildTrunc(f->b, hdr_off, f->i16, ""), rec, RECORD_OFF_ARGV_OFFSET);
	write_argv_end(f, rec, hdr, hdr_off, c->arg, 0, EBPFPUB_ARGV_FROM_CALLER);
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
	or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
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
	or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_NO_SPACE);
	cg_store(f, cg_const(f, 1ull << 32 | EBPFPUB_FIELD_TRUNCATED), end_slot, 0);
	LLVMBuildBr(f->b, end);

	LLVMPositionBuilderAtEnd(f->b, room);
	emit_string_item(f, rec, p, c->arg, RECORD_ITEM_ARGV_ARG, c->size, limit, next);
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
	emit_string_item(f, rec, cg_load(f, f->i64, rec, ARG_OFF(c->arg)), c->arg,
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
				 LLVMBuildAdd(f->b, helper0(f, BPF_FUNC_get_current_task),
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
	emit_string_item(f, rec, cg_load(f, f->i64, slot, 0), c->arg, RECORD_ITEM_STRING, c->size,
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
static void emit_exec_argv(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef retval,
			   const struct layout_capture *unused)
{
	const struct layout *l = f->layout;
	const struct codegen_env *env = f->env;
	const struct layout_capture *c = exec_argv_capture(l);
	uint32_t bound, max_len;
	LLVMBasicBlockRef done, ok, have_off, in_range, clamp;
	LLVMBasicBlockRef sized, bounded, read_ok, read_bad;
	LLVMValueRef ao, slot, a[3], r, start, len, item, flags_slot;

	(void)unused;
	emit_exec_filename_retry(f, rec, retval);
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
	or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_TRUNCATED);
	cg_goto(f, sized);
	len = cg_load(f, f->i64, slot, 8);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, len, cg_const(f, max_len), ""), bounded, done);
	item = cg_at(f, rec, ao);
	a[0] = cg_at(f, item, cg_const(f, RECORD_ITEM_SIZE));
	a[1] = LLVMBuildTrunc(f->b, len, f->i32, "");
	a[2] = LLVMBuildIntToPtr(f->b, start, f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a, 3);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), read_ok, read_bad);
	finish_item_var(f, rec, item, ao, c->arg, RECORD_ITEM_ARGV_BLOCK,
			cg_load(f, f->i64, flags_slot, 0), len);
	cg_goto(f, done);

	/* A failed read zeroed what was there, the enter-time argv included: say so in an
	 * empty header item rather than leave bytes that do not parse. */
	LLVMPositionBuilderAtEnd(f->b, read_bad);
	or_probe_error(f, rec, EBPFPUB_PROBE_ERROR_READ);
	write_argv_end(f, rec, item, ao, c->arg, EBPFPUB_FIELD_UNREADABLE,
		       EBPFPUB_ARGV_FROM_NEW_MM);
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, done);
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

/* The current thread's entry in the task-local storage, created when CREATE; jumps to NONE
 * when there is none (or, creating, no memory for it). */
static LLVMValueRef task_entry(struct cg_fn *f, bool create, LLVMBasicBlockRef none)
{
	LLVMBasicBlockRef have = cg_block(f, "have_entry");
	LLVMValueRef a[4], entry;

	a[0] = cg_map(f, f->env->task_storage_fd);
	a[1] = cg_helper(f, BPF_FUNC_get_current_task_btf, f->ptr, NULL, 0);
	a[2] = LLVMConstNull(f->ptr);
	a[3] = cg_const(f, create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	entry = cg_helper(f, BPF_FUNC_task_storage_get, f->ptr, a, 4);
	cg_if(f, LLVMBuildIsNotNull(f->b, entry, ""), have, none);
	return entry;
}

static void emit_enter(struct cg_fn *f)
{
	const struct layout *l = f->layout;
	const struct codegen_env *env = f->env;
	LLVMBasicBlockRef out = cg_block(f, "out"), dropped = cg_block(f, "dropped");
	LLVMBasicBlockRef filtered = cg_block(f, "filtered");
	LLVMValueRef pid_tgid, rec;
	uint32_t i;

	pid_tgid = helper0(f, BPF_FUNC_get_current_pid_tgid);
	emit_pid_filters(f, pid_tgid, filtered);
	emit_task_filters(f, filtered);
	/* The entry is written where it waits: the thread's own storage, or a staging area
	 * (this CPU's, when captures need room) that the map update copies. */
	if (env->entry_in_task) {
		LLVMBasicBlockRef stale = cg_block(f, "stale"), fresh = cg_block(f, "fresh");

		rec = task_entry(f, true, dropped);
		/* An entry no exit took: that call never returned (exit_group, a thread that
		 * died in it). Its data is replaced; count it. */
		cg_if(f, LLVMBuildIsNotNull(f->b, cg_load(f, f->i32, rec, RECORD_OFF_EVENT_ID), ""),
		      stale, fresh);
		count(f, CODEGEN_COUNTER_REPLACED);
		cg_goto(f, fresh);
	} else if (l->has_enter_captures)
		rec = storage_area(f, dropped);
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
	if (!env->entry_in_task) {
		LLVMValueRef key = cg_slot(f, f->i64, 1), a[4], r;
		LLVMBasicBlockRef stored = cg_block(f, "stored");

		LLVMBasicBlockRef not_new = cg_block(f, "not_new"), stale = cg_block(f, "stale");

		cg_store(f, pid_tgid, key, 0);
		a[0] = cg_map(f, env->event_map_fd);
		a[1] = key;
		a[2] = rec;
		a[3] = cg_const(f, BPF_NOEXIST);
		r = cg_helper(f, BPF_FUNC_map_update_elem, f->i64, a, 4);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntNE, r, cg_const(f, 0), ""), not_new, stored);
		/* The thread's previous entry is still there: that call never returned. */
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, (uint64_t)-EEXIST), ""),
		      stale, dropped);
		count(f, CODEGEN_COUNTER_REPLACED);
		a[3] = cg_const(f, BPF_ANY);
		r = cg_helper(f, BPF_FUNC_map_update_elem, f->i64, a, 4);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), stored, dropped);
	}
	count(f, CODEGEN_COUNTER_STORED);
	LLVMBuildBr(f->b, out);
	LLVMPositionBuilderAtEnd(f->b, dropped);
	count(f, CODEGEN_COUNTER_ENTER_DROPPED);
	LLVMBuildBr(f->b, out);
	LLVMPositionBuilderAtEnd(f->b, filtered);
	count(f, CODEGEN_COUNTER_FILTERED);
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
	/* Never true (captures stop below the area's end); counted if it were. */
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, size, cg_const(f, l->storage.area_size), ""), send,
	      lost);
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
	count(f, CODEGEN_COUNTER_LOST);
	LLVMBuildBr(f->b, out);
	LLVMPositionBuilderAtEnd(f->b, out);
}

/* The call's entry has been taken: clear its id (task storage) or delete it (map). */
static void release_entry(struct cg_fn *f, LLVMValueRef entry, LLVMValueRef key)
{
	LLVMValueRef a[2];

	if (f->env->entry_in_task) {
		cg_store(f, cg_const32(f, 0), entry, RECORD_OFF_EVENT_ID);
		return;
	}
	a[0] = cg_map(f, f->env->event_map_fd);
	a[1] = key;
	cg_helper(f, BPF_FUNC_map_delete_elem, f->i64, a, 2);
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
	emit_pid_filters(f, pid_tgid, out);
	key = cg_slot(f, f->i64, 1);
	cg_store(f, pid_tgid, key, 0);
	if (env->entry_in_task) {
		/* The thread's entry is this call's when it carries this syscall's id; the
		 * exit clears the id, so a stale entry is never taken twice. */
		LLVMBasicBlockRef have = cg_block(f, "task_entry");
		LLVMValueRef id;

		entry = task_entry(f, false, miss);
		id = cg_load(f, f->i32, entry, RECORD_OFF_EVENT_ID);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, id, cg_const32(f, env->event_id), ""), have,
		      miss);
		LLVMBuildBr(f->b, found);
		LLVMPositionBuilderAtEnd(f->b, miss);
	} else {
		entry = cg_lookup(f, env->event_map_fd, key);
		cg_if(f, LLVMBuildIsNull(f->b, entry, ""), miss, found);
	}
	/* A call the uid or comm filter rejected at enter is counted there, not here. Exec
	 * misses are not counted: execveat's exit program also runs for every execve, and
	 * execve's for every successful execveat (see tracer.c). */
	if (!l->is_exec) {
		emit_task_filters(f, out);
		count(f, CODEGEN_COUNTER_EXIT_WITHOUT_ENTER);
	}
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
	release_entry(f, entry, key);

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
		emit_exec_filename_from_mm(f, rec, retval);
	}
	emit_captures(f, rec, EBPFPUB_AT_EXIT, l->storage.capacity);
	emit_output(f, rec);
	LLVMBuildBr(f->b, out);

	/* No assembly area (never on a possible CPU): the record cannot be sent. */
	LLVMPositionBuilderAtEnd(f->b, gone);
	release_entry(f, entry, key);
	count(f, CODEGEN_COUNTER_LOST);
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
