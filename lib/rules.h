/* SPDX-License-Identifier: Apache-2.0 */
/* Rules (the public ebpfpub_rule objects) and their plan for one syscall: where each
 * condition runs (kernel enter, kernel exit, user space), read by the code generator
 * (codegen_rules.c), the user-space evaluation (rules_eval.c) and the tracer.
 *
 * The record carries the kernel's verdict: bit i of the upper 16 bits of probe_error is set
 * when the plan's rule i passed every condition the kernel decided (the decoder masks
 * probe_error with RECORD_PROBE_ERRORS, so these bits are never mistaken for errors). */
#ifndef EBPFPUB_RULES_H
#define EBPFPUB_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

#include "layout.h"
#include "record.h"

#define RULES_MAX_PER_SYSCALL 16u
#define RULES_MAX_GROUPS 64u
#define RULES_NAME_MAX 63u
/* Literals compared in the kernel: at most this long (longer ones: user space). */
#define RULES_KERNEL_STRING_MAX 62u
#define RULES_MASK_SHIFT 16u
#define RULES_OFF_MASK (RECORD_OFF_PROBE_ERROR + (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 2u : 0u))

struct rules_cond {
	enum ebpfpub_cond_key key;
	char *arg;
	bool negate;
	uint32_t group;                    /* EBPFPUB_WHEN or an exception group */
	struct ebpfpub_int_test *ints;
	size_t int_count;
	struct ebpfpub_string_test *strings;  /* values are owned copies */
	size_t string_count;
	struct ebpfpub_cidr *cidrs;
	size_t cidr_count;
};

struct ebpfpub_rule {
	char name[RULES_NAME_MAX + 1];
	char **syscalls;
	size_t syscall_count;
	struct rules_cond *conds;
	size_t cond_count;
	uint32_t group_count;              /* highest exception group used */
	int signo;
	char last_error[256];
};

enum rules_where {
	RULES_KERNEL_ENTER = 1,
	RULES_KERNEL_EXIT = 2,
	RULES_USER = 3,
};

/* One condition bound to a syscall's layout. */
struct rules_bound {
	const struct rules_cond *c;
	enum rules_where where;
	int arg;                  /* argument index, or -1 */
	uint32_t width;           /* ARG ints: the value's width and signedness */
	bool is_signed;
	int size_arg;             /* SOCKADDR at enter: the length argument, or -1 */
	uint32_t size;            /* ... or the fixed length */
	uint32_t cgroup_slot;     /* CGROUP in the kernel: test i is in slot cgroup_slot + i */
};

struct rules_plan_rule {
	const struct ebpfpub_rule *rule;
	struct rules_bound *conds;         /* cond_count entries, in the rule's order */
	/* Where each exception group is decided (index 1 .. group_count; 0 unused):
	 * enter when all its conditions are, exit when all can be told at exit, else user. */
	enum rules_where *group_where;
	/* Where the kernel's verdict on the rule is final: the last kernel phase it needs. */
	enum rules_where kernel_final;
	bool all_kernel;                   /* no condition is left to user space */
};

struct rules_plan {
	struct rules_plan_rule *rules;
	size_t count;
	uint32_t tracer_tgid;              /* never signalled */
	bool any_signal;                   /* some rule sends a signal */
	const char **matched;              /* scratch: names of the event's matching rules */
	/* The cgroups of the kernel's cgroup tests (rules_cgroup.c); 0: no map. */
	int cgroup_fd;
	uint32_t cgroup_count;
};

#define RULES_MAX_CGROUPS 64u
/* Puts cgroup PATH (below the cgroup2 root) in the plan's next slot: the slot, or -1 (the
 * condition is then decided in user space). */
int rules_cgroup_slot(struct rules_plan *plan, const char *path);
void rules_cgroup_release(struct rules_plan *plan);

/* A rule with an ancestor condition makes the tracer read this many ancestors when its
 * ancestors option is 0. */
#define RULES_ANCESTOR_DEPTH 8u

bool rules_key_needs_context(enum ebpfpub_cond_key k);
/* Whether some of the N RULES that name SYSCALL has an ancestor condition. */
bool rules_need_ancestors(struct ebpfpub_rule *const *rules, size_t n, const char *syscall);

/* Copies RULE (for the tracer, which owns the copy). */
int rules_copy(const struct ebpfpub_rule *rule, struct ebpfpub_rule **out);
bool rules_names_syscall(const struct ebpfpub_rule *rule, const char *syscall);

/* Binds the RULES (count N) that name LAYOUT's syscall. ERR names the rule, the condition and
 * what is wrong. An empty plan (count 0) when none names it. */
int rules_plan_build(struct rules_plan *plan, struct ebpfpub_rule *const *rules, size_t n,
		     const struct layout *layout, uint32_t tracer_tgid, char *err, size_t err_size);
void rules_plan_release(struct rules_plan *plan);
/* Whether two plans compile to the same programs: the same rules, in the same order. */
bool rules_plan_same(const struct rules_plan *a, const struct rules_plan *b);
/* Appends the plan's explanation, one line per condition, to *TEXT (malloc'd). */
int rules_plan_explain(const struct rules_plan *plan, const char *syscall, char **text);
const char *rules_where_name(enum rules_where w);

/* User space (rules_eval.c). */
bool rules_eval_cond(const struct rules_cond *c, const struct ebpfpub_event *ev);
/* The whole rule; KERNEL_ONLY: only the conditions and groups the plan gives the kernel. */
bool rules_eval_rule(const struct rules_plan_rule *pr, const struct ebpfpub_event *ev,
		     bool kernel_only);
/* The event's verdict: fills EV->rules / rule_count from the plan's scratch; returns
 * whether any rule matched. KERNEL_MASK is the record's rule bits; *DISAGREE names a rule
 * whose bit differs from the user-space evaluation of the same conditions (else NULL). */
bool rules_plan_accept(struct rules_plan *plan, uint32_t kernel_mask, struct ebpfpub_event *ev,
		       const char **disagree);

#endif
