/* SPDX-License-Identifier: Apache-2.0 */
/* Rules in the generated programs. Every rule of a syscall has a bit in a mask: the enter
 * program clears the bits of rules whose enter conditions fail (and drops the call when none
 * is left, before the entry is stored), writes the mask into the entry (rules.h), and the
 * exit program clears the bits of rules whose exit conditions fail (and drops the call
 * before the captures and the output). User space re-checks the same conditions
 * (rules_eval.c) and adds what only it can decide.
 *
 * A condition is a list of tests (OR): the code branches to PASS at the first that holds,
 * else to FAIL; negated conditions swap the two. Values come from the tracepoint at enter
 * and from the record at exit; strings and socket addresses are read from user memory into
 * a small stack buffer in the phase in which their capture reads them. */
#include <string.h>

#include <linux/bpf.h>
#include <sys/socket.h>

#include "codegen_items.h"
#include "codegen_rules.h"
#include "rules.h"

#define STR_BUF 64u   /* RULES_KERNEL_STRING_MAX + NUL + the byte that tells "longer" */
#define SA_BUF 32u    /* a sockaddr_in6 without scope id: family, port, flow, address */
#define SA_READ 28u

struct phase {
	struct cg_fn *f;
	bool at_exit;
	LLVMValueRef rec;      /* exit: the record */
	LLVMValueRef pid_tgid; /* enter */
	LLVMValueRef retval;   /* exit */
};

static const struct rules_plan *plan_of(struct cg_fn *f)
{
	const struct rules_plan *p = f->env->rules;

	return p && p->count ? p : NULL;
}

static LLVMValueRef icmp(struct cg_fn *f, LLVMIntPredicate p, LLVMValueRef a, uint64_t b)
{
	return LLVMBuildICmp(f->b, p, a, cg_const(f, b), "");
}

/* An argument's value as its C type says: truncated to its width and extended. */
static LLVMValueRef normalize(struct cg_fn *f, LLVMValueRef v, uint32_t width, bool is_signed)
{
	LLVMTypeRef t;

	if (!width || width >= 8)
		return v;
	t = LLVMIntTypeInContext(f->cg->ctx, width * 8);
	v = LLVMBuildTrunc(f->b, v, t, "");
	return is_signed ? LLVMBuildSExt(f->b, v, f->i64, "") : LLVMBuildZExt(f->b, v, f->i64, "");
}

static LLVMValueRef arg_value(struct phase *ph, int arg)
{
	struct cg_fn *f = ph->f;

	if (ph->at_exit)
		return cg_load(f, f->i64, ph->rec, CG_ARG_OFF((uint32_t)arg));
	return cg_arg(f, arg);
}

static LLVMValueRef int_value(struct phase *ph, const struct rules_bound *b, bool *is_signed)
{
	struct cg_fn *f = ph->f;
	LLVMValueRef v;

	*is_signed = false;
	switch (b->c->key) {
	case EBPFPUB_COND_PID:
		v = ph->at_exit ? cg_load(f, f->i64, ph->rec, RECORD_OFF_PID_TGID) : ph->pid_tgid;
		return LLVMBuildLShr(f->b, v, cg_const(f, 32), "tgid");
	case EBPFPUB_COND_UID:
		v = ph->at_exit ? cg_load(f, f->i64, ph->rec, RECORD_OFF_UID_GID)
				: cg_helper0(f, BPF_FUNC_get_current_uid_gid);
		return LLVMBuildAnd(f->b, v, cg_const(f, 0xffffffffu), "uid");
	case EBPFPUB_COND_EXIT_CODE:
		*is_signed = true;
		return ph->retval;
	default:
		*is_signed = b->is_signed;
		return normalize(f, arg_value(ph, b->arg), b->width, b->is_signed);
	}
}

static LLVMValueRef int_test(struct cg_fn *f, const struct ebpfpub_int_test *t, LLVMValueRef x,
			     bool s)
{
	uint64_t a = (uint64_t)t->value, b = (uint64_t)t->value2;

	switch (t->op) {
	case EBPFPUB_INT_EQ: return icmp(f, LLVMIntEQ, x, a);
	case EBPFPUB_INT_NE: return icmp(f, LLVMIntNE, x, a);
	case EBPFPUB_INT_LT: return icmp(f, s ? LLVMIntSLT : LLVMIntULT, x, a);
	case EBPFPUB_INT_LE: return icmp(f, s ? LLVMIntSLE : LLVMIntULE, x, a);
	case EBPFPUB_INT_GT: return icmp(f, s ? LLVMIntSGT : LLVMIntUGT, x, a);
	case EBPFPUB_INT_GE: return icmp(f, s ? LLVMIntSGE : LLVMIntUGE, x, a);
	case EBPFPUB_INT_RANGE:
		return LLVMBuildAnd(f->b, icmp(f, s ? LLVMIntSGE : LLVMIntUGE, x, a),
				    icmp(f, s ? LLVMIntSLE : LLVMIntULE, x, b), "");
	case EBPFPUB_INT_MASK:
		return icmp(f, LLVMIntEQ, LLVMBuildAnd(f->b, x, cg_const(f, a), ""), a);
	}
	return LLVMConstInt(LLVMInt1TypeInContext(f->cg->ctx), 0, 0);
}

/* Branches to PASS when some test holds on X, else to NONE. */
static void ints_any(struct cg_fn *f, const struct rules_cond *c, LLVMValueRef x, bool s,
		     LLVMBasicBlockRef pass, LLVMBasicBlockRef none)
{
	size_t i;

	for (i = 0; i < c->int_count; i++) {
		LLVMBasicBlockRef next = cg_block(f, "int_next");

		LLVMBuildCondBr(f->b, int_test(f, &c->ints[i], x, s), pass, next);
		LLVMPositionBuilderAtEnd(f->b, next);
	}
	LLVMBuildBr(f->b, none);
}

/* BUF holds a NUL-terminated string (zero-filled after its end up to the buffer's size). */
static LLVMValueRef string_test(struct cg_fn *f, const struct ebpfpub_string_test *t,
				LLVMValueRef buf)
{
	LLVMValueRef ok = LLVMConstInt(LLVMInt1TypeInContext(f->cg->ctx), 1, 0);
	size_t n = strlen(t->value), i;

	for (i = 0; i < n; i++) {
		LLVMValueRef byte = cg_load(f, f->i8, buf, i);

		ok = LLVMBuildAnd(f->b, ok,
				  LLVMBuildICmp(f->b, LLVMIntEQ, byte,
						LLVMConstInt(f->i8, (unsigned char)t->value[i], 0),
						""),
				  "");
	}
	if (t->op == EBPFPUB_STR_EQUALS)
		ok = LLVMBuildAnd(f->b, ok,
				  LLVMBuildICmp(f->b, LLVMIntEQ, cg_load(f, f->i8, buf, n),
						LLVMConstInt(f->i8, 0, 0), ""),
				  "");
	return ok;
}

static void strings_any(struct cg_fn *f, const struct rules_cond *c, LLVMValueRef buf,
			LLVMBasicBlockRef pass, LLVMBasicBlockRef none)
{
	size_t i;

	for (i = 0; i < c->string_count; i++) {
		LLVMBasicBlockRef next = cg_block(f, "str_next");

		LLVMBuildCondBr(f->b, string_test(f, &c->strings[i], buf), pass, next);
		LLVMPositionBuilderAtEnd(f->b, next);
	}
	LLVMBuildBr(f->b, none);
}

static LLVMValueRef zeroed(struct cg_fn *f, uint32_t bytes)
{
	LLVMValueRef slot = cg_slot(f, f->i64, bytes / 8);
	uint32_t i;

	for (i = 0; i < bytes; i += 8)
		cg_store(f, cg_const(f, 0), slot, i);
	return slot;
}

/* The string the condition looks at, in a buffer; jumps to NONE when it cannot be read. */
static LLVMValueRef string_value(struct phase *ph, const struct rules_bound *b,
				 LLVMBasicBlockRef none)
{
	struct cg_fn *f = ph->f;
	LLVMValueRef buf, a[3], r;
	LLVMBasicBlockRef read;

	if (b->c->key == EBPFPUB_COND_COMM) {
		if (ph->at_exit)
			return cg_at(f, ph->rec, cg_const(f, RECORD_OFF_COMM));
		buf = zeroed(f, 16);
		a[0] = buf;
		a[1] = cg_const(f, 16);
		cg_helper(f, BPF_FUNC_get_current_comm, f->i64, a, 2);
		return buf;
	}
	read = cg_block(f, "str_read");
	buf = zeroed(f, STR_BUF);
	a[0] = buf;
	a[1] = cg_const32(f, STR_BUF);
	a[2] = LLVMBuildIntToPtr(f->b, arg_value(ph, b->arg), f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_user_str, f->i64, a, 3);
	cg_if(f, icmp(f, LLVMIntSGE, r, 0), read, none);
	return buf;
}

/* A sockaddr as the enter capture reads it; jumps to NONE when the capture would flag it
 * (NULL, unreadable, a bad length for its family). Returns the buffer, *FAMILY set. */
static LLVMValueRef sockaddr_value(struct phase *ph, const struct rules_bound *b,
				   LLVMValueRef *family, LLVMBasicBlockRef none)
{
	struct cg_fn *f = ph->f;
	LLVMValueRef buf = zeroed(f, SA_BUF), len, n, a[3], r, fam, short_for;
	LLVMBasicBlockRef sized = cg_block(f, "sa_sized"), read = cg_block(f, "sa_read");
	LLVMBasicBlockRef fits = cg_block(f, "sa_fits");

	if (b->size_arg >= 0)
		len = normalize(f, arg_value(ph, b->size_arg), 4, true);
	else
		len = cg_const(f, b->size);
	cg_if(f, LLVMBuildAnd(f->b, icmp(f, LLVMIntSGE, len, 2),
			      icmp(f, LLVMIntSLE, len, LAYOUT_SOCKADDR_MAX), ""),
	      sized, none);
	n = LLVMBuildSelect(f->b, icmp(f, LLVMIntULT, len, SA_READ), len, cg_const(f, SA_READ), "");
	a[0] = buf;
	a[1] = LLVMBuildTrunc(f->b, LLVMBuildAnd(f->b, n, cg_const(f, SA_BUF - 1), ""), f->i32, "");
	a[2] = LLVMBuildIntToPtr(f->b, arg_value(ph, b->arg), f->ptr, "");
	r = cg_helper(f, BPF_FUNC_probe_read_user, f->i64, a, 3);
	cg_if(f, icmp(f, LLVMIntEQ, r, 0), read, none);
	fam = LLVMBuildZExt(f->b, cg_load(f, f->i16, buf, 0), f->i64, "family");
	/* The decoder's length rules (serializers/sockaddr.c). */
	short_for = LLVMBuildOr(
		f->b,
		LLVMBuildAnd(f->b, icmp(f, LLVMIntEQ, fam, AF_INET), icmp(f, LLVMIntSLT, len, 16), ""),
		LLVMBuildOr(f->b,
			    LLVMBuildAnd(f->b, icmp(f, LLVMIntEQ, fam, AF_INET6),
					 icmp(f, LLVMIntSLT, len, 24), ""),
			    LLVMBuildAnd(f->b, icmp(f, LLVMIntEQ, fam, AF_UNIX),
					 icmp(f, LLVMIntSGT, len, 110), ""),
			    ""),
		"");
	cg_if(f, LLVMBuildNot(f->b, short_for, ""), fits, none);
	*family = fam;
	return buf;
}

static LLVMValueRef cidr_test(struct cg_fn *f, const struct ebpfpub_cidr *c, LLVMValueRef buf,
			      LLVMValueRef fam)
{
	uint32_t base = c->family == AF_INET ? 4 : 8, full = c->prefix_len / 8u;
	uint32_t rest = c->prefix_len % 8u, i;
	LLVMValueRef ok = icmp(f, LLVMIntEQ, fam, c->family);

	for (i = 0; i < full; i++)
		ok = LLVMBuildAnd(f->b, ok,
				  LLVMBuildICmp(f->b, LLVMIntEQ, cg_load(f, f->i8, buf, base + i),
						LLVMConstInt(f->i8, c->addr[i], 0), ""),
				  "");
	if (rest) {
		uint8_t mask = (uint8_t)(0xffu << (8u - rest));
		LLVMValueRef byte = LLVMBuildAnd(f->b, cg_load(f, f->i8, buf, base + full),
						 LLVMConstInt(f->i8, mask, 0), "");

		ok = LLVMBuildAnd(f->b, ok,
				  LLVMBuildICmp(f->b, LLVMIntEQ, byte,
						LLVMConstInt(f->i8, c->addr[full] & mask, 0), ""),
				  "");
	}
	return ok;
}

/* Branches to PASS when the condition holds, else to FAIL. */
static void emit_cond(struct phase *ph, const struct rules_bound *b, LLVMBasicBlockRef pass,
		      LLVMBasicBlockRef fail)
{
	struct cg_fn *f = ph->f;
	const struct rules_cond *c = b->c;
	LLVMBasicBlockRef yes = c->negate ? fail : pass, no = c->negate ? pass : fail;
	LLVMValueRef buf, fam;
	bool s = false;
	size_t i;

	switch (c->key) {
	case EBPFPUB_COND_COMM:
		strings_any(f, c, string_value(ph, b, no), yes, no);
		return;
	case EBPFPUB_COND_ARG:
		if (c->string_count) {
			buf = string_value(ph, b, no);
			strings_any(f, c, buf, yes, no);
			return;
		}
		break;
	case EBPFPUB_COND_SOCKADDR_FAMILY:
		sockaddr_value(ph, b, &fam, no);
		ints_any(f, c, fam, false, yes, no);
		return;
	case EBPFPUB_COND_SOCKADDR_PORT: {
		LLVMBasicBlockRef inet = cg_block(f, "sa_inet");
		LLVMValueRef port;

		buf = sockaddr_value(ph, b, &fam, no);
		cg_if(f, LLVMBuildOr(f->b, icmp(f, LLVMIntEQ, fam, AF_INET),
				     icmp(f, LLVMIntEQ, fam, AF_INET6), ""),
		      inet, no);
		/* network byte order: the two bytes, high first */
		port = LLVMBuildOr(f->b,
				   LLVMBuildShl(f->b,
						LLVMBuildZExt(f->b, cg_load(f, f->i8, buf, 2), f->i64, ""),
						cg_const(f, 8), ""),
				   LLVMBuildZExt(f->b, cg_load(f, f->i8, buf, 3), f->i64, ""), "port");
		ints_any(f, c, port, false, yes, no);
		return;
	}
	case EBPFPUB_COND_CGROUP:
		/* 1: the task's cgroup (default hierarchy) is the slot's or below it */
		for (i = 0; i < c->string_count; i++) {
			LLVMBasicBlockRef next = cg_block(f, "cgroup_next");
			LLVMValueRef a[2] = { cg_map(f, plan_of(f)->cgroup_fd),
					      cg_const32(f, b->cgroup_slot + (uint32_t)i) };
			LLVMValueRef r = cg_helper(f, BPF_FUNC_current_task_under_cgroup, f->i64, a, 2);

			LLVMBuildCondBr(f->b, icmp(f, LLVMIntEQ, r, 1), yes, next);
			LLVMPositionBuilderAtEnd(f->b, next);
		}
		LLVMBuildBr(f->b, no);
		return;
	case EBPFPUB_COND_AUID: {
		/* At exit, from the record's context as user space decodes it: no audit in the
		 * kernel, no auid (the condition does not hold). */
		LLVMBasicBlockRef audit = cg_block(f, "auid_known");
		uint32_t base = f->layout->context_offset;
		LLVMValueRef flags = cg_load(f, f->i32, ph->rec, base + RECORD_CONTEXT_OFF_FLAGS);

		cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ,
				       LLVMBuildAnd(f->b, flags, cg_const32(f, RECORD_CONTEXT_NO_AUDIT), ""),
				       cg_const32(f, 0), ""),
		      audit, no);
		ints_any(f, c,
			 LLVMBuildZExt(f->b, cg_load(f, f->i32, ph->rec, base + RECORD_CONTEXT_OFF_AUID),
				       f->i64, "auid"),
			 false, yes, no);
		return;
	}
	case EBPFPUB_COND_SOCKADDR_ADDR:
		buf = sockaddr_value(ph, b, &fam, no);
		for (i = 0; i < c->cidr_count; i++) {
			LLVMBasicBlockRef next = cg_block(f, "cidr_next");

			LLVMBuildCondBr(f->b, cidr_test(f, &c->cidrs[i], buf, fam), yes, next);
			LLVMPositionBuilderAtEnd(f->b, next);
		}
		LLVMBuildBr(f->b, no);
		return;
	default:
		break;
	}
	buf = int_value(ph, b, &s);   /* before reading s */
	ints_any(f, c, buf, s, yes, no);
}

/* Whether the phase decides this condition of the rule's own (WHEN) list. */
static bool decides(const struct phase *ph, enum rules_where w)
{
	return w == (ph->at_exit ? RULES_KERNEL_EXIT : RULES_KERNEL_ENTER);
}

static bool phase_has_work(const struct phase *ph, const struct rules_plan_rule *pr)
{
	uint32_t g;
	size_t i;

	if (pr->rule->signo && decides(ph, pr->kernel_final))
		return true;
	for (i = 0; i < pr->rule->cond_count; i++)
		if (pr->rule->conds[i].group == EBPFPUB_WHEN && decides(ph, pr->conds[i].where))
			return true;
	for (g = 1; g <= pr->rule->group_count; g++)
		if (decides(ph, pr->group_where[g]))
			return true;
	return false;
}

/* Never the tracer, pid 1 (nor 0) or a kernel thread: a task without an mm, when BTF gives
 * task->mm's offset (the helper itself refuses kernel threads and init too). */
static void emit_signal(struct phase *ph, const struct rules_plan_rule *pr)
{
	struct cg_fn *f = ph->f;
	LLVMBasicBlockRef send = cg_block(f, "signal"), done = cg_block(f, "signalled");
	LLVMValueRef tgid, a[3];

	tgid = LLVMBuildLShr(f->b, ph->at_exit ? cg_load(f, f->i64, ph->rec, RECORD_OFF_PID_TGID)
					       : ph->pid_tgid,
			     cg_const(f, 32), "");
	cg_if(f, LLVMBuildAnd(f->b, icmp(f, LLVMIntUGT, tgid, 1),
			      icmp(f, LLVMIntNE, tgid, plan_of(f)->tracer_tgid), ""),
	      send, done);
	if (f->env->have_mm_offsets) {
		LLVMValueRef slot = cg_slot(f, f->i64, 1), task, r;
		LLVMBasicBlockRef read = cg_block(f, "mm_read"), user = cg_block(f, "has_mm");

		cg_store(f, cg_const(f, 0), slot, 0);
		task = cg_helper0(f, BPF_FUNC_get_current_task);
		a[0] = slot;
		a[1] = cg_const32(f, 8);
		a[2] = LLVMBuildIntToPtr(f->b,
					 LLVMBuildAdd(f->b, task, cg_const(f, f->env->task_mm_offset), ""),
					 f->ptr, "");
		r = cg_helper(f, BPF_FUNC_probe_read_kernel, f->i64, a, 3);
		cg_if(f, icmp(f, LLVMIntEQ, r, 0), read, done);
		cg_if(f, icmp(f, LLVMIntNE, cg_load(f, f->i64, slot, 0), 0), user, done);
	}
	a[0] = cg_const32(f, (uint32_t)pr->rule->signo);
	cg_helper(f, BPF_FUNC_send_signal, f->i64, a, 1);
	cg_goto(f, done);
}

/* Rule I in this phase: branches to KEEP when it is still in the running, else to DROP. */
static void emit_rule(struct phase *ph, const struct rules_plan_rule *pr, LLVMBasicBlockRef keep,
		      LLVMBasicBlockRef drop)
{
	struct cg_fn *f = ph->f;
	const struct ebpfpub_rule *r = pr->rule;
	LLVMBasicBlockRef passed = cg_block(f, "rule_passed");
	uint32_t g;
	size_t i;

	for (i = 0; i < r->cond_count; i++) {
		LLVMBasicBlockRef next;

		if (r->conds[i].group != EBPFPUB_WHEN || !decides(ph, pr->conds[i].where))
			continue;
		next = cg_block(f, "cond_ok");
		emit_cond(ph, &pr->conds[i], next, drop);
		LLVMPositionBuilderAtEnd(f->b, next);
	}
	for (g = 1; g <= r->group_count; g++) {
		LLVMBasicBlockRef not_all = cg_block(f, "exception_fails");

		if (!decides(ph, pr->group_where[g])) {
			LLVMDeleteBasicBlock(not_all);
			continue;
		}
		for (i = 0; i < r->cond_count; i++) {
			LLVMBasicBlockRef next;

			if (r->conds[i].group != g)
				continue;
			next = cg_block(f, "exception_next");
			emit_cond(ph, &pr->conds[i], next, not_all);
			LLVMPositionBuilderAtEnd(f->b, next);
		}
		LLVMBuildBr(f->b, drop);    /* every condition of the exception held */
		LLVMPositionBuilderAtEnd(f->b, not_all);
	}
	cg_goto(f, passed);
	if (r->signo && decides(ph, pr->kernel_final))
		emit_signal(ph, pr);
	LLVMBuildBr(f->b, keep);
}

/* Each rule in turn, on the mask in SLOT. */
static void emit_rules(struct phase *ph, LLVMValueRef slot)
{
	struct cg_fn *f = ph->f;
	const struct rules_plan *p = plan_of(f);
	size_t i;

	for (i = 0; i < p->count; i++) {
		LLVMBasicBlockRef run = cg_block(f, "rule"), keep = cg_block(f, "rule_keep");
		LLVMBasicBlockRef drop = cg_block(f, "rule_drop"), next = cg_block(f, "rule_next");
		uint64_t bit = 1ull << i;

		if (!phase_has_work(ph, &p->rules[i])) {
			LLVMDeleteBasicBlock(run);
			LLVMDeleteBasicBlock(keep);
			LLVMDeleteBasicBlock(drop);
			LLVMDeleteBasicBlock(next);
			continue;
		}
		/* At exit, a rule the enter program dropped stays dropped. */
		LLVMBuildCondBr(f->b,
				icmp(f, LLVMIntNE,
				     LLVMBuildAnd(f->b, cg_load(f, f->i64, slot, 0), cg_const(f, bit), ""),
				     0),
				run, next);
		LLVMPositionBuilderAtEnd(f->b, run);
		emit_rule(ph, &p->rules[i], keep, drop);
		LLVMPositionBuilderAtEnd(f->b, keep);
		LLVMBuildBr(f->b, next);
		LLVMPositionBuilderAtEnd(f->b, drop);
		cg_store(f, LLVMBuildAnd(f->b, cg_load(f, f->i64, slot, 0), cg_const(f, ~bit), ""),
			 slot, 0);
		cg_goto(f, next);
	}
}

void cg_rules_gate(struct cg_fn *f, LLVMBasicBlockRef out)
{
	LLVMBasicBlockRef have, open;
	LLVMValueRef key, v;

	if (!plan_of(f))
		return;
	have = cg_block(f, "gate");
	open = cg_block(f, "gate_open");
	key = cg_slot(f, f->i32, 1);
	cg_store(f, cg_const32(f, f->env->gate_key), key, 0);
	v = cg_lookup(f, f->env->gate_fd, key);
	cg_if(f, LLVMBuildIsNotNull(f->b, v, ""), have, out);
	cg_if(f, LLVMBuildICmp(f->b, LLVMIntEQ, cg_load(f, f->i32, v, 0),
			       cg_const32(f, f->env->generation), ""),
	      open, out);
}

void cg_rules_skip_miss(struct cg_fn *f, LLVMBasicBlockRef out)
{
	LLVMBasicBlockRef next;

	if (!plan_of(f))
		return;
	LLVMBuildBr(f->b, out);
	/* what follows in the caller is unreachable; give it a block to be built in */
	next = cg_block(f, "after_miss");
	LLVMPositionBuilderAtEnd(f->b, next);
}

LLVMValueRef cg_rules_enter(struct cg_fn *f, LLVMValueRef pid_tgid, LLVMBasicBlockRef out)
{
	const struct rules_plan *p = plan_of(f);
	struct phase ph = { .f = f, .pid_tgid = pid_tgid };
	LLVMBasicBlockRef kept, filtered;
	LLVMValueRef slot, mask;

	if (!p)
		return NULL;
	slot = cg_slot(f, f->i64, 1);
	cg_store(f, cg_const(f, p->count >= 64 ? ~0ull : (1ull << p->count) - 1), slot, 0);
	emit_rules(&ph, slot);
	mask = cg_load(f, f->i64, slot, 0);
	kept = cg_block(f, "rules_kept");
	filtered = cg_block(f, "rules_filtered");
	cg_if(f, icmp(f, LLVMIntNE, mask, 0), kept, filtered);
	LLVMPositionBuilderAtEnd(f->b, filtered);
	cg_count(f, CODEGEN_COUNTER_RULE_FILTERED_ENTER);
	LLVMBuildBr(f->b, out);
	LLVMPositionBuilderAtEnd(f->b, kept);
	return mask;
}

void cg_rules_store_mask(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef mask)
{
	if (mask)
		cg_store(f, LLVMBuildTrunc(f->b, mask, f->i16, ""), rec, RULES_OFF_MASK);
}

void cg_rules_exit(struct cg_fn *f, LLVMValueRef rec, LLVMValueRef retval, LLVMBasicBlockRef out)
{
	const struct rules_plan *p = plan_of(f);
	struct phase ph = { .f = f, .at_exit = true, .rec = rec, .retval = retval };
	LLVMBasicBlockRef kept, dropped;
	LLVMValueRef slot, mask;
	size_t i;
	bool work = false;

	if (!p)
		return;
	for (i = 0; i < p->count; i++)
		work |= phase_has_work(&ph, &p->rules[i]);
	if (!work)
		return;
	slot = cg_slot(f, f->i64, 1);
	cg_store(f, LLVMBuildZExt(f->b, cg_load(f, f->i16, rec, RULES_OFF_MASK), f->i64, ""), slot,
		 0);
	emit_rules(&ph, slot);
	mask = cg_load(f, f->i64, slot, 0);
	cg_store(f, LLVMBuildTrunc(f->b, mask, f->i16, ""), rec, RULES_OFF_MASK);
	kept = cg_block(f, "rules_kept");
	dropped = cg_block(f, "rules_dropped");
	cg_if(f, icmp(f, LLVMIntNE, mask, 0), kept, dropped);
	LLVMPositionBuilderAtEnd(f->b, dropped);
	cg_count(f, CODEGEN_COUNTER_RULE_FILTERED);
	LLVMBuildBr(f->b, out);
	LLVMPositionBuilderAtEnd(f->b, kept);
}
