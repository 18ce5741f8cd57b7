/* SPDX-License-Identifier: Apache-2.0 */
/* The process context as the generated programs read it: task_struct fields at the offsets
 * of the kernel's BTF (context_offsets.c), read with plain loads from the BTF task pointer
 * (context_direct: no helper call but the names' bpf_probe_read_kernel_str) or, when the
 * verifier refuses those, with bpf_probe_read_kernel (5.5+).
 *
 * At enter, the fixed part (ppid, start time, loginuid, sessionid, cgroup id): the call is
 * described as it began. At exit, the cgroup path and the ancestors: they need room that
 * only the exit's assembly area has (a task-storage entry is small and fixed).
 *
 * The walks (cgroup levels, ancestors) are unrolled at generation time: every store is at a
 * constant offset from a bounded item start, and the verifier of any kernel (6.1's refuses
 * back-edges it cannot bound) sees straight code. A failed read zeroes its destination
 * (the helper's contract), so the fixed part reads without branches and flags failure once. */
#include <stddef.h>

#include <linux/bpf.h>

#include "codegen_context.h"
#include "codegen.h"
#include "codegen_items.h"
#include "context_offsets.h"
#include "record.h"

/* bpf_probe_read_kernel(DST, SIZE, BASE + OFF); BASE an i64 kernel address. */
static LLVMValueRef kread(struct cg_fn *f, LLVMValueRef dst, uint32_t size, LLVMValueRef base,
			  uint32_t off)
{
	LLVMValueRef a[3];

	a[0] = dst;
	a[1] = cg_const32(f, size);
	a[2] = LLVMBuildIntToPtr(f->b, LLVMBuildAdd(f->b, base, cg_const(f, off), ""), f->ptr, "");
	return cg_helper(f, BPF_FUNC_probe_read_kernel, f->i64, a, 3);
}

/* The kernel pointer at BASE + OFF, via SLOT (an i64 slot); *ERR ORs the helper's result. */
static LLVMValueRef kread_ptr(struct cg_fn *f, LLVMValueRef slot, LLVMValueRef base, uint32_t off,
			      LLVMValueRef *err)
{
	LLVMValueRef r = kread(f, slot, 8, base, off);

	*err = *err ? LLVMBuildOr(f->b, *err, r, "") : r;
	return cg_load(f, f->i64, slot, 0);
}

void cg_context_filter(struct cg_fn *f, LLVMBasicBlockRef skip)
{
	LLVMValueRef a[2], r;
	LLVMBasicBlockRef in;

	if (!f->env->filter_cgroup)
		return;
	in = cg_block(f, "cgroup_ok");
	a[0] = cg_map(f, f->env->cgroup_filter_fd);
	a[1] = cg_const32(f, 0);
	/* 1: the task's cgroup (default hierarchy) is the one in the map or below it */
	r = cg_helper(f, BPF_FUNC_current_task_under_cgroup, f->i64, a, 2);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 1), ""), in, skip);
}

/* A load of TYPE at P + OFF, P a BTF pointer (task_struct...): volatile, so that LLVM never
 * merges two into a wider one, which the verifier would refuse (it checks each access
 * against the struct member at its offset). */
static LLVMValueRef dload(struct cg_fn *f, LLVMTypeRef type, LLVMValueRef p, uint32_t off)
{
	LLVMValueRef v = cg_load(f, type, p, off);

	LLVMSetVolatile(v, 1);
	return v;
}

/* The u64 whose first u32 in memory is LO and second HI (a pair of record members). */
static LLVMValueRef pair64(struct cg_fn *f, LLVMValueRef lo, LLVMValueRef hi)
{
	LLVMValueRef a = LLVMBuildZExt(f->b, lo, f->i64, ""), b = LLVMBuildZExt(f->b, hi, f->i64, "");
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return LLVMBuildOr(f->b, a, LLVMBuildShl(f->b, b, cg_const(f, 32), ""), "");
#else
	return LLVMBuildOr(f->b, LLVMBuildShl(f->b, a, cg_const(f, 32), ""), b, "");
#endif
}

/* The kernfs node of the task's default-hierarchy cgroup (task->cgroups->dfl_cgrp->kn) with
 * plain loads: NULL when one faults. Needs o->have_cgroup. */
static LLVMValueRef dfl_cgroup_kn(struct cg_fn *f, LLVMValueRef task)
{
	const struct context_offsets *o = f->env->context;
	LLVMValueRef p = dload(f, f->ptr, task, o->task_cgroups);

	p = dload(f, f->ptr, p, o->css_set_dfl_cgrp);
	return dload(f, f->ptr, p, o->cgroup_kn);
}

/* The task's default-hierarchy cgroup id with plain loads from its node KN (NULL: from
 * TASK): kn->id, what bpf_get_current_cgroup_id returns, without its call. The helper when
 * the kernel's BTF lacks kernfs_node.id, 0 without either. */
static LLVMValueRef cgroup_id_direct(struct cg_fn *f, LLVMValueRef task, LLVMValueRef kn)
{
	const struct context_offsets *o = f->env->context;

	if (!f->env->have_cgroup_id_helper)
		return cg_const(f, 0);
	if (!o->have_cgroup || !o->have_kn_id)
		return cg_helper0(f, BPF_FUNC_get_current_cgroup_id);
	return dload(f, f->i64, kn ? kn : dfl_cgroup_kn(f, task), o->kn_id);
}

/* The fixed part with plain loads from the BTF task pointer (TASK: the one the entry code
 * obtained, or NULL): a faulting load gives 0. Four u64 stores. */
static void context_enter_direct(struct cg_fn *f, LLVMValueRef rec, uint32_t base,
				 uint32_t flags, LLVMValueRef task)
{
	const struct context_offsets *o = f->env->context;
	LLVMValueRef p, ppid;

	if (!task)
		task = cg_helper(f, BPF_FUNC_get_current_task_btf, f->ptr, NULL, 0);
	p = dload(f, f->ptr, task, o->task_real_parent);
	ppid = dload(f, f->i32, p, o->task_tgid);
	cg_store(f, pair64(f, ppid, cg_const32(f, flags)), rec, base + RECORD_CONTEXT_OFF_PPID);
	p = dload(f, f->ptr, task, o->task_group_leader);
	cg_store(f, dload(f, f->i64, p, o->task_start), rec, base + RECORD_CONTEXT_OFF_START);
	if (o->have_audit)
		cg_store(f, pair64(f, dload(f, f->i32, task, o->task_loginuid),
				   dload(f, f->i32, task, o->task_sessionid)),
			 rec, base + RECORD_CONTEXT_OFF_AUID);
	else
		cg_store(f, cg_const(f, ~0ull), rec, base + RECORD_CONTEXT_OFF_AUID);
	cg_store(f, cgroup_id_direct(f, task, NULL), rec, base + RECORD_CONTEXT_OFF_CGROUP_ID);
}

void cg_context_enter(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef task)
{
	const struct context_offsets *o = f->env->context;
	uint32_t base = f->layout->context_offset;
	uint32_t flags = 0;
	LLVMValueRef cur, slot, err = NULL, p, failed;

	if (!base || !o)
		return;
	if (f->env->context_direct) {
		context_enter_direct(f, rec, base,
				     (o->start_is_boottime ? 0 : RECORD_CONTEXT_START_MONOTONIC) |
				     (o->have_audit ? 0 : RECORD_CONTEXT_NO_AUDIT) |
				     (f->env->have_cgroup_id_helper ? 0 : RECORD_CONTEXT_NO_CGROUP),
				     task);
		return;
	}
	slot = cg_slot(f, f->i64, 1);
	cur = cg_helper0(f, BPF_FUNC_get_current_task);
	p = kread_ptr(f, slot, cur, o->task_real_parent, &err);
	cg_store(f, cg_const32(f, 0), rec, base + RECORD_CONTEXT_OFF_PPID);
	err = LLVMBuildOr(f->b, err,
			  kread(f, cg_at(f, rec, cg_const(f, base + RECORD_CONTEXT_OFF_PPID)), 4, p,
				o->task_tgid),
			  "");
	/* The process's start time: its leader's (a thread's own would differ). */
	p = kread_ptr(f, slot, cur, o->task_group_leader, &err);
	err = LLVMBuildOr(f->b, err,
			  kread(f, cg_at(f, rec, cg_const(f, base + RECORD_CONTEXT_OFF_START)), 8, p,
				o->task_start),
			  "");
	if (!o->start_is_boottime)
		flags |= RECORD_CONTEXT_START_MONOTONIC;
	if (o->have_audit && o->task_sessionid == o->task_loginuid + 4) {
		err = LLVMBuildOr(f->b, err,
				  kread(f, cg_at(f, rec, cg_const(f, base + RECORD_CONTEXT_OFF_AUID)),
					8, cur, o->task_loginuid),
				  "");
	} else if (o->have_audit) {
		err = LLVMBuildOr(f->b, err,
				  kread(f, cg_at(f, rec, cg_const(f, base + RECORD_CONTEXT_OFF_AUID)),
					4, cur, o->task_loginuid),
				  "");
		err = LLVMBuildOr(f->b, err,
				  kread(f, cg_at(f, rec, cg_const(f, base + RECORD_CONTEXT_OFF_AUID + 4)),
					4, cur, o->task_sessionid),
				  "");
	} else {
		flags |= RECORD_CONTEXT_NO_AUDIT;
		cg_store(f, cg_const(f, ~0ull), rec, base + RECORD_CONTEXT_OFF_AUID);
	}
	if (f->env->have_cgroup_id_helper) {
		cg_store(f, cg_helper0(f, BPF_FUNC_get_current_cgroup_id), rec,
			 base + RECORD_CONTEXT_OFF_CGROUP_ID);
	} else {
		flags |= RECORD_CONTEXT_NO_CGROUP;
		cg_store(f, cg_const(f, 0), rec, base + RECORD_CONTEXT_OFF_CGROUP_ID);
	}
	failed = LLVMBuildSelect(f->b, LLVMBuildICmp(f->b, LLVMIntNE, err, cg_const(f, 0), ""),
				 cg_const32(f, flags | RECORD_CONTEXT_READ_FAILED),
				 cg_const32(f, flags), "");
	cg_store(f, failed, rec, base + RECORD_CONTEXT_OFF_FLAGS);
}

/* What the path walk shares: this CPU's last-sent slot, the current cgroup id (NULL
 * without the helper: nothing is cached) and the CPU. */
struct path_cache {
	LLVMValueRef slot, cgroup_id, cpu;
};

/* The level of the item at ITEM: a run-time value (the walk is a loop). */
static void set_level(struct cg_fn *f, LLVMValueRef item, LLVMValueRef level)
{
	cg_store(f, LLVMBuildTrunc(f->b, level, f->i16, ""), item,
		 offsetof(struct record_item, arg));
}

/* An item {cpu} of KIND, FLAGS for LEVEL; continues in DONE. */
static void cpu_item(struct cg_fn *f, LLVMValueRef rec, const struct path_cache *pc,
		     uint32_t kind, LLVMValueRef level, uint32_t flags, LLVMBasicBlockRef done)
{
	LLVMValueRef item, off;
	LLVMBasicBlockRef full = cg_block(f, "path_full");

	off = cg_item_begin(f, rec, f->layout->storage.capacity, full, &item);
	cg_store(f, pc->cpu, item, RECORD_ITEM_SIZE);
	cg_item_finish(f, rec, item, off, 0, kind, flags,
		       cg_const(f, sizeof(struct record_cgroup_end)));
	set_level(f, item, level);
	/* The path goes out with this record: later ones of this CPU may refer to it (reset
	 * when the output refuses the record, cg_context_lost). */
	if (kind == RECORD_ITEM_CGROUP_NAME && pc->cgroup_id)
		cg_store(f, pc->cgroup_id, pc->slot, 0);
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, full);
	LLVMBuildBr(f->b, done);
}

/* The kernfs names of the task's default-hierarchy cgroup and its parents, leaf first; or,
 * when this CPU sent this cgroup's path last, no item but RECORD_CONTEXT_PATH_SAME and the
 * CPU in the context's flags (the walk costs a read per level; most events come from the
 * cgroup of the one before). With context_direct, plain loads from TASK (the current task,
 * or NULL: then it is asked for), else bpf_probe_read_kernel. */
static void emit_cgroup_path(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef task)
{
	const struct context_offsets *o = f->env->context;
	bool pair = o->kn_name == o->kn_parent + 8, direct = f->env->context_direct;
	uint32_t flags_off = f->layout->context_offset + RECORD_CONTEXT_OFF_FLAGS;
	LLVMValueRef slot = cg_slot(f, f->i64, 2), key = cg_slot(f, f->i32, 1), err = NULL;
	LLVMValueRef k_slot = cg_slot(f, f->i64, 1), enter_id = NULL;
	LLVMBasicBlockRef done = cg_block(f, "path_done"), cached = cg_block(f, "path_cached");
	LLVMBasicBlockRef walk = cg_block(f, "path_walk"), have = cg_block(f, "path_slot");
	LLVMBasicBlockRef loop = cg_block(f, "kn_level"), have_kn = cg_block(f, "kn");
	LLVMBasicBlockRef read = cg_block(f, "kn_read"), named = cg_block(f, "kn_named");
	LLVMBasicBlockRef root = cg_block(f, "kn_root"), below = cg_block(f, "kn_below");
	LLVMBasicBlockRef cut = cg_block(f, "kn_cut"), bad = cg_block(f, "kn_bad");
	LLVMBasicBlockRef good = cg_block(f, "kn_good"), full = cg_block(f, "kn_full");
	struct path_cache pc = { 0 };
	LLVMValueRef r, name, kn = NULL, k, item, off, a[3];

	cg_store(f, cg_counter_key(f, CODEGEN_SLOT_LAST_CGROUP), key, 0);
	pc.slot = cg_lookup(f, f->env->counters_fd, key);
	/* never NULL (the key is in range): without it, no path (the decoder says unknown) */
	cg_if(f, LLVMBuildIsNotNull(f->b, pc.slot, ""), have, done);
	pc.cpu = cg_helper0(f, BPF_FUNC_get_smp_processor_id);
	if (direct && !task)
		task = cg_helper(f, BPF_FUNC_get_current_task_btf, f->ptr, NULL, 0);
	if (f->env->have_cgroup_id_helper) {
		/* The id the enter program stored: what the record says; no helper call. */
		LLVMBasicBlockRef same = cg_block(f, "path_same");
		LLVMValueRef cpu;

		enter_id = cg_load(f, f->i64, rec,
				   f->layout->context_offset + RECORD_CONTEXT_OFF_CGROUP_ID);

		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, cg_load(f, f->i64, pc.slot, 0), enter_id, ""),
		      cached, walk);
		/* the flags keep 16 bits for the CPU (the decoder's bound too); a higher CPU
		 * sends its path every time */
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntULT, pc.cpu, cg_const(f, 1u << 16), ""), same,
		      walk);
		cpu = LLVMBuildShl(f->b, LLVMBuildTrunc(f->b, pc.cpu, f->i32, ""),
				   cg_const32(f, RECORD_CONTEXT_CPU_SHIFT), "");
		cg_store(f, LLVMBuildOr(f->b, cg_load(f, f->i32, rec, flags_off),
					LLVMBuildOr(f->b, cpu, cg_const32(f, RECORD_CONTEXT_PATH_SAME),
						    ""), ""),
			 rec, flags_off);
		LLVMBuildBr(f->b, done);
		LLVMPositionBuilderAtEnd(f->b, walk);
	} else {
		LLVMBuildBr(f->b, walk);
		LLVMPositionBuilderAtEnd(f->b, walk);
		LLVMDeleteBasicBlock(cached);
	}
	/* a failed read leaves a NULL node: no end item, and the decoder says "unknown" */
	if (direct) {
		kn = dfl_cgroup_kn(f, task);
		cg_store(f, kn, slot, 0);
	} else {
		kread_ptr(f, slot, cg_helper0(f, BPF_FUNC_get_current_task), o->task_cgroups, &err);
		kread_ptr(f, slot, cg_load(f, f->i64, slot, 0), o->css_set_dfl_cgrp, &err);
		kread_ptr(f, slot, cg_load(f, f->i64, slot, 0), o->cgroup_kn, &err);
	}
	if (enter_id) {
		/* The path read now is remembered under the record's id only when the task did
		 * not change cgroup during the call (else nothing is remembered: 0). With plain
		 * loads, the id is the node's just read. */
		LLVMValueRef now = direct ? cgroup_id_direct(f, task, kn)
					  : cg_helper0(f, BPF_FUNC_get_current_cgroup_id);

		pc.cgroup_id = LLVMBuildSelect(f->b, LLVMBuildICmp(f->b, LLVMIntEQ, now, enter_id, ""),
					       enter_id, cg_const(f, 0), "");
	}
	cg_store(f, cg_const(f, 0), k_slot, 0);
	LLVMBuildBr(f->b, loop);

	/* slot[0]: the node of level k; its parent goes to slot[0], its name to slot[1] */
	LLVMPositionBuilderAtEnd(f->b, loop);
	if (direct) {
		kn = cg_load(f, f->ptr, slot, 0);
		cg_if(f, LLVMBuildIsNotNull(f->b, kn, ""), have_kn, done);
		/* the root's parent is NULL; so is a faulting load's */
		cg_store(f, dload(f, f->ptr, kn, o->kn_parent), slot, 0);
		cg_store(f, dload(f, f->ptr, kn, o->kn_name), slot, 8);
		LLVMBuildBr(f->b, read);
		LLVMPositionBuilderAtEnd(f->b, read);
	} else {
		kn = cg_load(f, f->i64, slot, 0);
		cg_if(f, LLVMBuildIsNotNull(f->b, kn, ""), have_kn, done);
		if (pair) {
			r = kread(f, slot, 16, kn, o->kn_parent);
		} else {
			r = kread(f, slot, 8, kn, o->kn_parent);
			r = LLVMBuildOr(f->b, r, kread(f, cg_at(f, slot, cg_const(f, 8)), 8, kn,
						       o->kn_name), "");
		}
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, r, cg_const(f, 0), ""), read, done);
	}
	name = cg_load(f, f->ptr, slot, 8);
	k = cg_load(f, f->i64, k_slot, 0);
	cg_if(f, LLVMBuildIsNotNull(f->b, cg_load(f, f->i64, slot, 0), ""), named, root);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULT, k, cg_const(f, RECORD_CGROUP_MAX_LEVELS), ""),
	      below, cut);
	off = cg_item_begin(f, rec, f->layout->storage.capacity, full, &item);
	a[0] = cg_at(f, item, cg_const(f, RECORD_ITEM_SIZE));
	a[1] = cg_const32(f, RECORD_CGROUP_NAME_SIZE);
	a[2] = name;
	r = cg_helper(f, BPF_FUNC_probe_read_kernel_str, f->i64, a, 3);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntSGT, r, cg_const(f, 0), ""), good, bad);
	cg_item_finish(f, rec, item, off, 0, RECORD_ITEM_CGROUP_NAME, 0, r);
	set_level(f, item, k);
	k = LLVMBuildAdd(f->b, k, cg_const(f, 1), "");
	cg_store(f, k, k_slot, 0);
	/* always true (k was below the maximum): the bound the verifier sees */
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntULE, k, cg_const(f, RECORD_CGROUP_MAX_LEVELS), ""),
	      loop, done);

	LLVMPositionBuilderAtEnd(f->b, bad);
	cg_item_finish(f, rec, item, off, 0, RECORD_ITEM_CGROUP_NAME, EBPFPUB_FIELD_UNREADABLE,
		       cg_const(f, 0));
	set_level(f, item, cg_load(f, f->i64, k_slot, 0));
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, full);
	LLVMBuildBr(f->b, done);

	/* a parent above the last level kept: the top is cut */
	LLVMPositionBuilderAtEnd(f->b, cut);
	cpu_item(f, rec, &pc, RECORD_ITEM_CGROUP_NAME, cg_const(f, RECORD_CGROUP_MAX_LEVELS),
		 EBPFPUB_FIELD_TRUNCATED, done);
	LLVMPositionBuilderAtEnd(f->b, root);
	cpu_item(f, rec, &pc, RECORD_ITEM_CGROUP_NAME, cg_load(f, f->i64, k_slot, 0),
		 EBPFPUB_FIELD_NULL, done);
	LLVMPositionBuilderAtEnd(f->b, done);
}

void cg_context_lost(struct cg_fn *f)
{
	LLVMValueRef key, v;
	LLVMBasicBlockRef have, done;

	if (!f->layout->context_offset || !f->env->context || !f->env->context->have_cgroup)
		return;
	/* The path this record carried never reached user space: send the next one whole. */
	key = cg_slot(f, f->i32, 1);
	have = cg_block(f, "lost_slot");
	done = cg_block(f, "lost_done");
	cg_store(f, cg_counter_key(f, CODEGEN_SLOT_LAST_CGROUP), key, 0);
	v = cg_lookup(f, f->env->counters_fd, key);
	cg_if(f, LLVMBuildIsNotNull(f->b, v, ""), have, done);
	cg_store(f, cg_const(f, 0), v, 0);
	cg_goto(f, done);
}

/* The first layout.ancestors ancestors, the parent first, stopping after pid 1 (or at a
 * task without a process id: the idle task above kthreadd). */
static void emit_ancestors(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef task)
{
	const struct context_offsets *o = f->env->context;
	uint32_t n = f->layout->ancestors, i;
	LLVMValueRef slot = cg_slot(f, f->i64, 1), tslot = cg_slot(f, f->i32, 1), err = NULL;
	LLVMBasicBlockRef done = cg_block(f, "anc_done");

	if (n > RECORD_MAX_ANCESTORS)
		n = RECORD_MAX_ANCESTORS;
	kread_ptr(f, slot, task, o->task_real_parent, &err);
	for (i = 0; i < n; i++) {
		LLVMBasicBlockRef have = cg_block(f, "anc"), proc = cg_block(f, "anc_proc");
		LLVMBasicBlockRef full = cg_block(f, "anc_full"), up = cg_block(f, "anc_up");
		LLVMBasicBlockRef next = cg_block(f, "anc_next");
		LLVMValueRef p, tgid, item, off, leader, e2 = NULL;

		p = cg_load(f, f->i64, slot, 0);
		cg_if(f, LLVMBuildIsNotNull(f->b, p, ""), have, done);
		cg_store(f, cg_const32(f, 0), tslot, 0);
		kread(f, tslot, 4, p, o->task_tgid);
		tgid = cg_load(f, f->i32, tslot, 0);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntNE, tgid, cg_const32(f, 0), ""), proc, done);
		off = cg_item_begin(f, rec, f->layout->storage.capacity, full, &item);
		cg_store(f, LLVMBuildZExt(f->b, tgid, f->i64, ""), item, RECORD_ITEM_SIZE);
		leader = kread_ptr(f, slot, p, o->task_group_leader, &e2);
		kread(f, cg_at(f, item, cg_const(f, RECORD_ITEM_SIZE + RECORD_ANCESTOR_OFF_START)), 8,
		      leader, o->task_start);
		kread(f, cg_at(f, item, cg_const(f, RECORD_ITEM_SIZE + RECORD_ANCESTOR_OFF_COMM)), 16,
		      leader, o->task_comm);
		cg_item_finish(f, rec, item, off, i, RECORD_ITEM_ANCESTOR, 0,
			       cg_const(f, RECORD_ANCESTOR_SIZE));
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntNE, tgid, cg_const32(f, 1), ""), up, done);
		kread_ptr(f, slot, p, o->task_real_parent, &e2);
		LLVMBuildBr(f->b, next);
		LLVMPositionBuilderAtEnd(f->b, full);
		LLVMBuildBr(f->b, done);
		LLVMPositionBuilderAtEnd(f->b, next);
	}
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, done);
}

/* The same walk with plain loads from BTF pointers (context_direct); TASK the current task
 * or NULL. */
static void emit_ancestors_direct(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef task)
{
	const struct context_offsets *o = f->env->context;
	uint32_t n = f->layout->ancestors, i;
	LLVMBasicBlockRef done = cg_block(f, "anc_done");
	LLVMValueRef p;

	if (!task)
		task = cg_helper(f, BPF_FUNC_get_current_task_btf, f->ptr, NULL, 0);
	if (n > RECORD_MAX_ANCESTORS)
		n = RECORD_MAX_ANCESTORS;
	p = dload(f, f->ptr, task, o->task_real_parent);
	for (i = 0; i < n; i++) {
		LLVMBasicBlockRef have = cg_block(f, "anc"), proc = cg_block(f, "anc_proc");
		LLVMBasicBlockRef full = cg_block(f, "anc_full"), up = cg_block(f, "anc_up");
		LLVMValueRef tgid, item, off, leader;

		cg_if(f, LLVMBuildIsNotNull(f->b, p, ""), have, done);
		tgid = dload(f, f->i32, p, o->task_tgid);
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntNE, tgid, cg_const32(f, 0), ""), proc, done);
		off = cg_item_begin(f, rec, f->layout->storage.capacity, full, &item);
		cg_store(f, LLVMBuildZExt(f->b, tgid, f->i64, ""), item, RECORD_ITEM_SIZE);
		leader = dload(f, f->ptr, p, o->task_group_leader);
		cg_store(f, dload(f, f->i64, leader, o->task_start), item,
			 RECORD_ITEM_SIZE + RECORD_ANCESTOR_OFF_START);
		cg_store(f, dload(f, f->i64, leader, o->task_comm), item,
			 RECORD_ITEM_SIZE + RECORD_ANCESTOR_OFF_COMM);
		cg_store(f, dload(f, f->i64, leader, o->task_comm + 8), item,
			 RECORD_ITEM_SIZE + RECORD_ANCESTOR_OFF_COMM + 8);
		cg_item_finish(f, rec, item, off, i, RECORD_ITEM_ANCESTOR, 0,
			       cg_const(f, RECORD_ANCESTOR_SIZE));
		cg_if(f, LLVMBuildICmp(f->b, LLVMIntNE, tgid, cg_const32(f, 1), ""), up, done);
		p = dload(f, f->ptr, p, o->task_real_parent);
		LLVMPositionBuilderAtEnd(f->b, full);
		LLVMBuildBr(f->b, done);
		LLVMPositionBuilderAtEnd(f->b, up);
	}
	LLVMBuildBr(f->b, done);
	LLVMPositionBuilderAtEnd(f->b, done);
}

void cg_context_exit(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef task)
{
	const struct context_offsets *o = f->env->context;
	if (!f->layout->context_offset || !o)
		return;
	if (o->have_cgroup)
		emit_cgroup_path(f, rec, task);
	if (f->layout->ancestors && f->env->context_direct)
		emit_ancestors_direct(f, rec, task);
	else if (f->layout->ancestors)
		emit_ancestors(f, rec, cg_helper0(f, BPF_FUNC_get_current_task));
}
