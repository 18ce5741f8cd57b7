/* SPDX-License-Identifier: Apache-2.0 */
/* The enter and exit programs of one syscall.
 *
 * enter: filters, then the entry (record header + every argument by value + enter captures)
 *        is written where it waits for the exit: the thread's task-local storage or the
 *        syscall's event map.
 * exit:  the entry is copied into this CPU's assembly area (buffer storage) and released;
 *        the exit code, the serializer's exit work and the exit captures are added; the
 *        record goes to the perf output with its real length. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/bpf.h>

#include "codegen_context.h"
#include "codegen_compat.h"
#include "codegen_items.h"
#include "codegen_programs.h"
#include "codegen_rules.h"
#include "record.h"
#include "serializer.h"

static void ret0(struct cg_fn *f)
{
	LLVMBuildRet(f->b, cg_const32(f, 0));
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
		LLVMValueRef uid_gid = cg_helper0(f, BPF_FUNC_get_current_uid_gid);
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
	cg_count(f, (uint32_t)c);
}

/* The syscall's event id and counter base: constants, or (by_number) what the tracer put in
 * the info array under the number the dispatcher saw (ctx->id); a number without info (0:
 * not set up yet) returns at once. */
/* bpf_probe_read_kernel(DST, SIZE, the registers + OFF) at a raw tracepoint. */
static void read_regs(struct cg_fn *f, LLVMValueRef dst, uint32_t size, uint32_t off)
{
	LLVMValueRef a[3], regs = cg_load(f, f->i64, f->ctx, 0);

	a[0] = dst;
	a[1] = cg_const32(f, size);
	a[2] = LLVMBuildIntToPtr(f->b, LLVMBuildAdd(f->b, regs, cg_const(f, off), ""), f->ptr, "");
	cg_helper(f, BPF_FUNC_probe_read_kernel, f->i64, a, 3);
}

/* The syscall number: the tracepoint record's (ctx + 8: raw_syscalls' id, sys_enter_X's
 * __syscall_nr; raw tracepoint enter: ctx[1]), or at a raw exit (ctx[1] is the return value)
 * regs->orig_ax. A failed read leaves 0, a number without info. */
static LLVMValueRef syscall_nr(struct cg_fn *f, bool exit)
{
	LLVMValueRef slot;

	if (!exit || !f->env->raw_tracepoint)
		return cg_load(f, f->i64, f->ctx, 8);
	slot = cg_slot(f, f->i64, 1);
	cg_store(f, cg_const(f, ~0ull), slot, 0);
	read_regs(f, slot, 8, CODEGEN_REGS_ORIG_AX);
	return cg_load(f, f->i64, slot, 0);
}

static void syscall_values(struct cg_fn *f, bool exit, LLVMBasicBlockRef out)
{
	const struct codegen_env *env = f->env;
	LLVMValueRef key, info;
	LLVMBasicBlockRef have, ready;

	if (!env->by_number) {
		f->event_id = cg_const32(f, env->event_id);
		f->counter_base = cg_const32(f, env->counter_base);
		return;
	}
	have = cg_block(f, "have_info");
	ready = cg_block(f, "info_ready");
	key = cg_slot(f, f->i32, 1);
	cg_store(f, LLVMBuildTrunc(f->b, syscall_nr(f, exit), f->i32, ""), key, 0);
	info = cg_lookup(f, env->syscall_info_fd, key);
	cg_if(f, LLVMBuildIsNotNull(f->b, info, ""), have, out);
	f->event_id = cg_load(f, f->i32, info, offsetof(struct codegen_syscall_info, event_id));
	f->counter_base = cg_load(f, f->i32, info,
				  offsetof(struct codegen_syscall_info, counter_base));
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntNE, f->event_id, cg_const32(f, 0), ""), ready, out);
}

static LLVMValueRef storage_area(struct cg_fn *f, LLVMBasicBlockRef fail)
{
	LLVMValueRef key = cg_slot(f, f->i32, 1), area;
	LLVMBasicBlockRef ok = cg_block(f, "have_area");

	cg_store(f, LLVMBuildTrunc(f->b, cg_helper0(f, BPF_FUNC_get_smp_processor_id), f->i32, ""),
		 key, 0);
	area = cg_lookup(f, f->env->storage_fd, key);
	cg_if(f, LLVMBuildIsNotNull(f->b, area, ""), ok, fail);
	return area;
}

/* The current thread's entry in the task-local storage, created when CREATE; jumps to NONE
 * when there is none (or, creating, no memory for it). *TASK: the current task. */
static LLVMValueRef task_entry(struct cg_fn *f, bool create, LLVMBasicBlockRef none,
			       LLVMValueRef *task)
{
	LLVMBasicBlockRef have = cg_block(f, "have_entry");
	LLVMValueRef a[4], entry;

	a[0] = cg_map(f, f->env->task_storage_fd);
	a[1] = *task = cg_helper(f, BPF_FUNC_get_current_task_btf, f->ptr, NULL, 0);
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
	LLVMValueRef pid_tgid, rec, rules_mask, task = NULL;
	uint32_t i;

	cg_skip_compat(f, out);
	syscall_values(f, false, out);
	if (env->raw_tracepoint && l->arg_count) {
		/* One read for all arguments (a failed one leaves zeros). */
		f->regs_args = cg_slot(f, f->i64, CODEGEN_REGS_ARGS_SIZE / 8);
		read_regs(f, f->regs_args, CODEGEN_REGS_ARGS_SIZE, CODEGEN_REGS_ARGS_FROM);
	}
	cg_rules_gate(f, out);
	pid_tgid = cg_helper0(f, BPF_FUNC_get_current_pid_tgid);
	emit_pid_filters(f, pid_tgid, filtered);
	emit_task_filters(f, filtered);
	cg_context_filter(f, filtered);
	rules_mask = cg_rules_enter(f, pid_tgid, out);
	/* The entry is written where it waits: the thread's own storage, or a staging area
	 * (this CPU's, when captures need room) that the map update copies. */
	if (env->entry_in_task) {
		LLVMBasicBlockRef stale = cg_block(f, "stale"), fresh = cg_block(f, "fresh");

		rec = task_entry(f, true, dropped, &task);
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
	cg_store(f, f->event_id, rec, RECORD_OFF_EVENT_ID);
	cg_store(f, cg_helper0(f, BPF_FUNC_ktime_get_ns), rec, RECORD_OFF_ENTER_NS);
	cg_store(f, cg_const(f, 0), rec, RECORD_OFF_EXIT_NS);
	cg_store(f, pid_tgid, rec, RECORD_OFF_PID_TGID);
	cg_store(f, cg_helper0(f, BPF_FUNC_get_current_uid_gid), rec, RECORD_OFF_UID_GID);
	cg_store(f, cg_const(f, 0), rec, RECORD_OFF_EXIT_CODE);
	/* probe_error, arg_count, argv_offset in one store */
	cg_store(f, cg_const(f, (uint64_t)l->arg_count << 32), rec, RECORD_OFF_PROBE_ERROR);
	cg_rules_store_mask(f, rec, rules_mask);
	cg_store(f, cg_const(f, 0), rec, RECORD_OFF_COMM);
	cg_store(f, cg_const(f, 0), rec, RECORD_OFF_COMM + 8);
	for (i = 0; i < l->arg_count; i++)
		cg_store(f, cg_arg(f, i), rec, CG_ARG_OFF(i));
	cg_context_enter(f, rec, task);

	if (l->has_enter_captures)
		cg_captures(f, rec, EBPFPUB_AT_ENTER, l->enter_capacity);
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
	cg_context_lost(f);
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
	LLVMValueRef pid_tgid, key, entry, rec, a[3], retval, task = NULL;
	uint32_t i;

	cg_skip_compat(f, out);
	syscall_values(f, true, out);
	pid_tgid = cg_helper0(f, BPF_FUNC_get_current_pid_tgid);
	emit_pid_filters(f, pid_tgid, out);
	key = cg_slot(f, f->i64, 1);
	cg_store(f, pid_tgid, key, 0);
	if (env->entry_in_task) {
		/* The thread's entry is this call's when it carries this syscall's id; the
		 * exit clears the id, so a stale entry is never taken twice. */
		LLVMBasicBlockRef have = cg_block(f, "task_entry");
		LLVMValueRef id;

		entry = task_entry(f, false, miss, &task);
		id = cg_load(f, f->i32, entry, RECORD_OFF_EVENT_ID);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, id, f->event_id, ""), have,
		      miss);
		LLVMBuildBr(f->b, found);
		LLVMPositionBuilderAtEnd(f->b, miss);
	} else {
		entry = cg_lookup(f, env->event_map_fd, key);
		cg_if(f, LLVMBuildIsNull(f->b, entry, ""), miss, found);
	}
	/* A call the uid or comm filter rejected at enter is counted there, not here; nor are
	 * misses on an exit tracepoint that the serializer shares with another syscall. */
	if (!(l->ops && l->ops->exit_shared)) {
		cg_rules_skip_miss(f, out);   /* rules drop calls at enter: misses are theirs */
		emit_task_filters(f, out);
		cg_context_filter(f, out);
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

	cg_store(f, cg_helper0(f, BPF_FUNC_ktime_get_ns), rec, RECORD_OFF_EXIT_NS);
	/* the raw exit tracepoint's ctx[1], else the record's ret */
	retval = cg_load(f, f->i64, f->ctx, env->raw_tracepoint ? 8 : l->ret_offset);
	cg_store(f, retval, rec, RECORD_OFF_EXIT_CODE);
	a[0] = cg_at(f, rec, cg_const(f, RECORD_OFF_COMM));
	a[1] = cg_const32(f, 16);
	cg_helper(f, BPF_FUNC_get_current_comm, f->i64, a, 2);
	cg_rules_exit(f, rec, retval, out);

	if (l->ops && l->ops->emit_exit)
		l->ops->emit_exit(f, rec, retval);
	cg_captures(f, rec, EBPFPUB_AT_EXIT, l->storage.capacity);
	cg_context_exit(f, rec, task);
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
