/* SPDX-License-Identifier: Apache-2.0 */
/* Rules evaluated in user space on a decoded event: every condition, as the generated code
 * decides the kernel's share (the tracer compares both), plus what only user space can do
 * (suffix, contains, glob, argv, sockaddr paths). */
#define _GNU_SOURCE  /* memmem */
#include <fnmatch.h>
#include <string.h>
#include <sys/socket.h>

#include "rules.h"

static bool int_test(const struct ebpfpub_int_test *t, uint64_t x, bool is_signed)
{
	int64_t s = (int64_t)x, a = t->value, b = t->value2;
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;

	switch (t->op) {
	case EBPFPUB_INT_EQ: return x == ua;
	case EBPFPUB_INT_NE: return x != ua;
	case EBPFPUB_INT_LT: return is_signed ? s < a : x < ua;
	case EBPFPUB_INT_LE: return is_signed ? s <= a : x <= ua;
	case EBPFPUB_INT_GT: return is_signed ? s > a : x > ua;
	case EBPFPUB_INT_GE: return is_signed ? s >= a : x >= ua;
	case EBPFPUB_INT_RANGE: return is_signed ? s >= a && s <= b : x >= ua && x <= ub;
	case EBPFPUB_INT_MASK: return (x & ua) == ua;
	}
	return false;
}

static bool ints_any(const struct rules_cond *c, uint64_t x, bool is_signed)
{
	size_t i;

	for (i = 0; i < c->int_count; i++)
		if (int_test(&c->ints[i], x, is_signed))
			return true;
	return false;
}

static bool string_test(const struct ebpfpub_string_test *t, const char *s, size_t len)
{
	size_t n = strlen(t->value);

	switch (t->op) {
	case EBPFPUB_STR_EQUALS: return len == n && memcmp(s, t->value, n) == 0;
	case EBPFPUB_STR_PREFIX: return len >= n && memcmp(s, t->value, n) == 0;
	case EBPFPUB_STR_SUFFIX: return len >= n && memcmp(s + len - n, t->value, n) == 0;
	case EBPFPUB_STR_CONTAINS: return memmem(s, len, t->value, n) != NULL;
	case EBPFPUB_STR_GLOB: return strlen(s) == len && fnmatch(t->value, s, 0) == 0;
	}
	return false;
}

static bool strings_any(const struct rules_cond *c, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < c->string_count; i++)
		if (string_test(&c->strings[i], s, len))
			return true;
	return false;
}

#define UNUSABLE (EBPFPUB_FIELD_UNREADABLE | EBPFPUB_FIELD_NULL | EBPFPUB_FIELD_NOT_CAPTURED | \
		  EBPFPUB_FIELD_BAD_LENGTH)

static bool in_cidr(const struct ebpfpub_cidr *n, const struct ebpfpub_sockaddr *sa)
{
	uint32_t full = n->prefix_len / 8u, rest = n->prefix_len % 8u;

	if (n->family != sa->family)
		return false;
	if (memcmp(n->addr, sa->addr, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xffu << (8u - rest));

		return (n->addr[full] & mask) == (sa->addr[full] & mask);
	}
	return true;
}

static bool sockaddr_holds(const struct rules_cond *c, const struct ebpfpub_field *f)
{
	const struct ebpfpub_sockaddr *sa = &f->value.sockaddr;
	size_t i;

	if (f->type != EBPFPUB_VALUE_SOCKADDR || (f->flags & UNUSABLE))
		return false;
	switch (c->key) {
	case EBPFPUB_COND_SOCKADDR_FAMILY:
		return ints_any(c, sa->family, false);
	case EBPFPUB_COND_SOCKADDR_PORT:
		return (sa->family == AF_INET || sa->family == AF_INET6) &&
		       ints_any(c, sa->port, false);
	case EBPFPUB_COND_SOCKADDR_ADDR:
		for (i = 0; i < c->cidr_count; i++)
			if (in_cidr(&c->cidrs[i], sa))
				return true;
		return false;
	case EBPFPUB_COND_SOCKADDR_PATH:
		return sa->family == AF_UNIX && strings_any(c, sa->data.data, sa->data.len);
	default:
		return false;
	}
}

static bool argv_holds(const struct rules_cond *c, const struct ebpfpub_field *f)
{
	const struct ebpfpub_argv *a = &f->value.argv;
	uint32_t i;

	if (f->type != EBPFPUB_VALUE_ARGV)
		return false;
	for (i = 0; i < a->count; i++) {
		if (a->arg_flags[i] & EBPFPUB_FIELD_UNREADABLE)
			continue;
		if (strings_any(c, a->args[i].data, a->args[i].len))
			return true;
		if (c->key == EBPFPUB_COND_ARGV0)
			break;
	}
	return false;
}

/* cgroup equals X: the path is X or below it (X's trailing '/' ignored; "/": all). */
static bool cgroup_test(const struct ebpfpub_string_test *t, const char *path)
{
	size_t n = strlen(t->value);

	if (t->op != EBPFPUB_STR_EQUALS)
		return string_test(t, path, strlen(path));
	while (n && t->value[n - 1] == '/')
		n--;
	return strncmp(path, t->value, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The path is known whole: not cut at the top, not missing. */
static bool cgroup_holds(const struct rules_cond *c, const struct ebpfpub_process *p)
{
	size_t i;

	if (!p->cgroup_path || (p->flags & (EBPFPUB_PROCESS_PATH_TOP_CUT |
					     EBPFPUB_PROCESS_PATH_UNKNOWN |
					     EBPFPUB_PROCESS_NO_CGROUP)))
		return false;
	for (i = 0; i < c->string_count; i++)
		if (cgroup_test(&c->strings[i], p->cgroup_path))
			return true;
	return false;
}

/* container: equals any (some container runtime), host, or a runtime; prefix: the id. An
 * unknown runtime (the path was cut) is neither host nor a container. */
static bool container_holds(const struct rules_cond *c, const struct ebpfpub_process *p)
{
	const char *rt = p->container_runtime, *id = p->container_id;
	size_t i;

	if (!rt || !strcmp(rt, "unknown"))
		return false;
	for (i = 0; i < c->string_count; i++) {
		const struct ebpfpub_string_test *t = &c->strings[i];

		if (t->op == EBPFPUB_STR_PREFIX) {
			if (strcmp(rt, "host") && id && !strncmp(id, t->value, strlen(t->value)))
				return true;
		} else if (!strcmp(t->value, "any") ? strcmp(rt, "host") != 0
						     : !strcmp(t->value, rt)) {
			return true;
		}
	}
	return false;
}

static bool ancestor_holds(const struct rules_cond *c, const struct ebpfpub_process *p)
{
	size_t i;

	for (i = 0; i < p->ancestor_count; i++)
		if (strings_any(c, p->ancestors[i].comm,
				strnlen(p->ancestors[i].comm, sizeof(p->ancestors[i].comm))))
			return true;
	return false;
}

/* Without a context (none captured, or a crafted event) none of these holds. */
static bool process_holds(const struct rules_cond *c, const struct ebpfpub_event *ev)
{
	const struct ebpfpub_process *p = ebpfpub_event_process(ev);

	if (!p)
		return false;
	switch (c->key) {
	case EBPFPUB_COND_AUID:
		/* as the exit program reads it: the record's auid unless the kernel has none */
		return !(p->flags & EBPFPUB_PROCESS_NO_AUDIT) && ints_any(c, p->auid, false);
	case EBPFPUB_COND_CGROUP:
		return cgroup_holds(c, p);
	case EBPFPUB_COND_CONTAINER:
		return container_holds(c, p);
	default:
		return ancestor_holds(c, p);
	}
}

static bool base_holds(const struct rules_cond *c, const struct ebpfpub_event *ev)
{
	const struct ebpfpub_field *f;

	switch (c->key) {
	case EBPFPUB_COND_AUID:
	case EBPFPUB_COND_CGROUP:
	case EBPFPUB_COND_CONTAINER:
	case EBPFPUB_COND_ANCESTOR:
		return process_holds(c, ev);
	case EBPFPUB_COND_PID:
		return ints_any(c, ev->pid, false);
	case EBPFPUB_COND_UID:
		return ints_any(c, ev->uid, false);
	case EBPFPUB_COND_EXIT_CODE:
		return ints_any(c, (uint64_t)ev->exit_code, true);
	case EBPFPUB_COND_COMM:
		return strings_any(c, ev->comm, strnlen(ev->comm, sizeof(ev->comm)));
	default:
		break;
	}
	f = ebpfpub_event_field(ev, c->arg);
	if (!f)
		return false;
	switch (c->key) {
	case EBPFPUB_COND_ARG:
		if (f->type == EBPFPUB_VALUE_STRING)
			return !(f->flags & UNUSABLE) && c->string_count &&
			       strings_any(c, f->value.bytes.data, f->value.bytes.len);
		if (f->type == EBPFPUB_VALUE_SIGNED)
			return ints_any(c, (uint64_t)f->value.s, true);
		if (f->type == EBPFPUB_VALUE_UNSIGNED || f->type == EBPFPUB_VALUE_POINTER)
			return ints_any(c, f->value.u, false);
		return false;
	case EBPFPUB_COND_ARGV0:
	case EBPFPUB_COND_ARGV_ANY:
		return argv_holds(c, f);
	default:
		return sockaddr_holds(c, f);
	}
}

bool rules_eval_cond(const struct rules_cond *c, const struct ebpfpub_event *ev)
{
	return base_holds(c, ev) != c->negate;
}

bool rules_eval_rule(const struct rules_plan_rule *pr, const struct ebpfpub_event *ev,
		     bool kernel_only)
{
	const struct ebpfpub_rule *r = pr->rule;
	uint32_t g;
	size_t i;

	for (i = 0; i < r->cond_count; i++) {
		if (r->conds[i].group != EBPFPUB_WHEN)
			continue;
		if (kernel_only && pr->conds[i].where == RULES_USER)
			continue;
		if (!rules_eval_cond(&r->conds[i], ev))
			return false;
	}
	for (g = 1; g <= r->group_count; g++) {
		bool all = true, any = false;

		if (kernel_only && pr->group_where[g] == RULES_USER)
			continue;
		for (i = 0; i < r->cond_count && all; i++) {
			if (r->conds[i].group != g)
				continue;
			any = true;
			all = rules_eval_cond(&r->conds[i], ev);
		}
		if (any && all)
			return false;
	}
	return true;
}

bool rules_plan_accept(struct rules_plan *plan, uint32_t kernel_mask, struct ebpfpub_event *ev,
		       const char **disagree)
{
	size_t i, n = 0;

	*disagree = NULL;
	for (i = 0; i < plan->count; i++) {
		bool kernel = kernel_mask >> i & 1u;

		if (rules_eval_rule(&plan->rules[i], ev, true) != kernel)
			*disagree = plan->rules[i].rule->name;
		if (rules_eval_rule(&plan->rules[i], ev, false))
			plan->matched[n++] = plan->rules[i].rule->name;
	}
	ev->rules = plan->matched;
	ev->rule_count = n;
	return n > 0;
}

int ebpfpub_rule_matches(const struct ebpfpub_rule *rule, const struct ebpfpub_event *ev)
{
	struct rules_plan_rule pr;
	enum rules_where groups[RULES_MAX_GROUPS + 1];
	struct rules_bound none[1];

	if (!rule || !ev || !ev->syscall)
		return -22; /* -EINVAL */
	if (!rules_names_syscall(rule, ev->syscall))
		return 0;
	/* Evaluating everything needs no plan: user space can tell every condition. */
	memset(&pr, 0, sizeof(pr));
	memset(groups, 0, sizeof(groups));
	pr.rule = rule;
	pr.conds = none;
	pr.group_where = groups;
	return rules_eval_rule(&pr, ev, false) ? 1 : 0;
}
