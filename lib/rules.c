/* SPDX-License-Identifier: Apache-2.0 */
/* Rule objects (built by the caller, copied by the tracer) and their plan for one syscall:
 * which conditions the generated programs decide, at enter or at exit, and which are left
 * to user space. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "serializer.h"
#include "util.h"

__attribute__((format(printf, 3, 4))) static int rule_fail(struct ebpfpub_rule *r, int err,
							    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->last_error, sizeof(r->last_error), fmt, ap);
	va_end(ap);
	return err;
}

int ebpfpub_rule_new(const char *name, struct ebpfpub_rule **out)
{
	struct ebpfpub_rule *r;

	if (!name || !*name || strlen(name) > RULES_NAME_MAX || !out)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	snprintf(r->name, sizeof(r->name), "%s", name);
	*out = r;
	return 0;
}

static void cond_release(struct rules_cond *c)
{
	size_t i;

	free(c->arg);
	free(c->ints);
	for (i = 0; i < c->string_count; i++)
		free((char *)c->strings[i].value);
	free(c->strings);
	free(c->cidrs);
}

void ebpfpub_rule_free(struct ebpfpub_rule *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->syscall_count; i++)
		free(r->syscalls[i]);
	free(r->syscalls);
	for (i = 0; i < r->cond_count; i++)
		cond_release(&r->conds[i]);
	free(r->conds);
	free(r);
}

const char *ebpfpub_rule_name(const struct ebpfpub_rule *r)
{
	return r ? r->name : NULL;
}

const char *ebpfpub_rule_last_error(const struct ebpfpub_rule *r)
{
	return r ? r->last_error : "";
}

bool rules_names_syscall(const struct ebpfpub_rule *r, const char *syscall)
{
	size_t i;

	for (i = 0; i < r->syscall_count; i++)
		if (strcmp(r->syscalls[i], syscall) == 0)
			return true;
	return false;
}

int ebpfpub_rule_add_syscall(struct ebpfpub_rule *r, const char *syscall)
{
	char **grown;

	if (!r || !syscall || !*syscall)
		return -EINVAL;
	if (rules_names_syscall(r, syscall))
		return rule_fail(r, -EEXIST, "rule '%s': syscall '%s' is named twice", r->name,
				 syscall);
	grown = realloc(r->syscalls, (r->syscall_count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	r->syscalls = grown;
	r->syscalls[r->syscall_count] = strdup(syscall);
	if (!r->syscalls[r->syscall_count])
		return -ENOMEM;
	r->syscall_count++;
	return 0;
}

static const char *key_name(enum ebpfpub_cond_key k)
{
	switch (k) {
	case EBPFPUB_COND_PID: return "pid";
	case EBPFPUB_COND_UID: return "uid";
	case EBPFPUB_COND_COMM: return "comm";
	case EBPFPUB_COND_EXIT_CODE: return "exit_code";
	case EBPFPUB_COND_ARG: return "arg";
	case EBPFPUB_COND_SOCKADDR_FAMILY: return "family";
	case EBPFPUB_COND_SOCKADDR_ADDR: return "address";
	case EBPFPUB_COND_SOCKADDR_PORT: return "port";
	case EBPFPUB_COND_SOCKADDR_PATH: return "path";
	case EBPFPUB_COND_ARGV0: return "argv0";
	case EBPFPUB_COND_ARGV_ANY: return "argv contains";
	case EBPFPUB_COND_AUID: return "auid";
	case EBPFPUB_COND_CONTAINER: return "container";
	case EBPFPUB_COND_ANCESTOR: return "ancestor";
	case EBPFPUB_COND_CGROUP: return "cgroup";
	}
	return "?";
}

/* What each key takes: 'i' ints, 's' strings, 'c' cidrs, 'a' ints or strings (an argument,
 * told by its type when bound), 0 unknown. */
static char key_kind(enum ebpfpub_cond_key k)
{
	switch (k) {
	case EBPFPUB_COND_PID:
	case EBPFPUB_COND_UID:
	case EBPFPUB_COND_EXIT_CODE:
	case EBPFPUB_COND_SOCKADDR_FAMILY:
	case EBPFPUB_COND_SOCKADDR_PORT:
	case EBPFPUB_COND_AUID:
		return 'i';
	case EBPFPUB_COND_COMM:
	case EBPFPUB_COND_SOCKADDR_PATH:
	case EBPFPUB_COND_ARGV0:
	case EBPFPUB_COND_ARGV_ANY:
	case EBPFPUB_COND_CONTAINER:
	case EBPFPUB_COND_ANCESTOR:
	case EBPFPUB_COND_CGROUP:
		return 's';
	case EBPFPUB_COND_SOCKADDR_ADDR:
		return 'c';
	case EBPFPUB_COND_ARG:
		return 'a';
	}
	return 0;
}

bool rules_key_needs_context(enum ebpfpub_cond_key k)
{
	return k == EBPFPUB_COND_AUID || k == EBPFPUB_COND_CONTAINER ||
	       k == EBPFPUB_COND_ANCESTOR || k == EBPFPUB_COND_CGROUP;
}

bool rules_need_ancestors(struct ebpfpub_rule *const *rules, size_t n, const char *syscall)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!rules_names_syscall(rules[i], syscall))
			continue;
		for (j = 0; j < rules[i]->cond_count; j++)
			if (rules[i]->conds[j].key == EBPFPUB_COND_ANCESTOR)
				return true;
	}
	return false;
}

/* container: EQUALS any, host or a runtime's name (as container_id.c names them); PREFIX
 * an id. */
static int check_container(struct ebpfpub_rule *r, const struct ebpfpub_string_test *t)
{
	static const char *const names[] = { "any", "host", "docker", "containerd", "cri-o",
					     "podman", "kubernetes", "nspawn", "lxc", NULL };
	size_t i;

	if (t->op == EBPFPUB_STR_PREFIX) {
		if (!*t->value)
			return rule_fail(r, -EINVAL, "rule '%s': container: an empty id prefix",
					 r->name);
		return 0;
	}
	if (t->op != EBPFPUB_STR_EQUALS)
		return rule_fail(r, -EINVAL,
				 "rule '%s': container takes any, host, a runtime name (equals) or an id prefix (prefix)",
				 r->name);
	for (i = 0; names[i]; i++)
		if (!strcmp(t->value, names[i]))
			return 0;
	return rule_fail(r, -EINVAL,
			 "rule '%s': container '%s' is not any, host or a runtime (docker, containerd, cri-o, podman, kubernetes, nspawn, lxc); use {id: PREFIX} for an id",
			 r->name, t->value);
}

static bool key_needs_arg(enum ebpfpub_cond_key k)
{
	return k == EBPFPUB_COND_ARG || (k >= EBPFPUB_COND_SOCKADDR_FAMILY &&
					 k <= EBPFPUB_COND_ARGV_ANY);
}

/* "/a/b", "/a/b/" or "/": names that are not ".", ".." or empty. */
static bool plain_path(const char *p)
{
	const char *name = p + 1, *end;

	while (*name) {
		end = strchr(name, '/');
		if (!end)
			end = name + strlen(name);
		if (end == name ? *end != '\0' : (end - name <= 2 && !strncmp(name, "..", (size_t)(end - name))))
			return false;
		name = *end ? end + 1 : end;
	}
	return true;
}

static int check_tests(struct ebpfpub_rule *r, const struct ebpfpub_condition *c, char kind)
{
	const char *k = key_name(c->key);
	size_t i;

	if ((c->int_count && !c->ints) || (c->string_count && !c->strings) ||
	    (c->cidr_count && !c->cidrs))
		return rule_fail(r, -EINVAL, "rule '%s': condition '%s': a count without its list",
				 r->name, k);
	if (!!c->int_count + !!c->string_count + !!c->cidr_count != 1)
		return rule_fail(r, -EINVAL,
				 "rule '%s': condition '%s': give exactly one non-empty list of tests",
				 r->name, k);
	if ((kind == 'i' && !c->int_count) || (kind == 's' && !c->string_count) ||
	    (kind == 'c' && !c->cidr_count) || (kind == 'a' && c->cidr_count))
		return rule_fail(r, -EINVAL, "rule '%s': condition '%s' takes %s", r->name, k,
				 kind == 'i' ? "integer tests" : kind == 's' ? "string tests" :
				 kind == 'c' ? "CIDR networks" : "integer or string tests");
	for (i = 0; i < c->int_count; i++)
		if (c->ints[i].op < EBPFPUB_INT_EQ || c->ints[i].op > EBPFPUB_INT_MASK)
			return rule_fail(r, -EINVAL, "rule '%s': condition '%s': bad integer op %d",
					 r->name, k, (int)c->ints[i].op);
	for (i = 0; i < c->string_count; i++) {
		if (c->strings[i].op < EBPFPUB_STR_EQUALS || c->strings[i].op > EBPFPUB_STR_GLOB)
			return rule_fail(r, -EINVAL, "rule '%s': condition '%s': bad string op %d",
					 r->name, k, (int)c->strings[i].op);
		if (!c->strings[i].value)
			return rule_fail(r, -EINVAL, "rule '%s': condition '%s': a NULL string",
					 r->name, k);
		if ((c->key == EBPFPUB_COND_COMM || c->key == EBPFPUB_COND_ANCESTOR) &&
		    strlen(c->strings[i].value) > 15 && c->strings[i].op == EBPFPUB_STR_EQUALS)
			return rule_fail(r, -EINVAL,
					 "rule '%s': %s '%s' is longer than a task name (15 bytes)",
					 r->name, k, c->strings[i].value);
		if (c->key == EBPFPUB_COND_CONTAINER && check_container(r, &c->strings[i]) < 0)
			return -EINVAL;
		if (c->key == EBPFPUB_COND_CGROUP && c->strings[i].op == EBPFPUB_STR_EQUALS &&
		    c->strings[i].value[0] != '/')
			return rule_fail(r, -EINVAL,
					 "rule '%s': cgroup '%s': give its path below the cgroup2 root, starting with '/' (e.g. /system.slice)",
					 r->name, c->strings[i].value);
		/* the kernel resolves a path, user space compares names: no . or .. or // */
		if (c->key == EBPFPUB_COND_CGROUP && c->strings[i].op == EBPFPUB_STR_EQUALS &&
		    !plain_path(c->strings[i].value))
			return rule_fail(r, -EINVAL,
					 "rule '%s': cgroup '%s': no '.', '..' or empty names in the path",
					 r->name, c->strings[i].value);
	}
	for (i = 0; i < c->cidr_count; i++) {
		const struct ebpfpub_cidr *n = &c->cidrs[i];

		if ((n->family != 2 /* AF_INET */ && n->family != 10 /* AF_INET6 */) ||
		    n->prefix_len > (n->family == 2 ? 32 : 128))
			return rule_fail(r, -EINVAL,
					 "rule '%s': condition '%s': network %zu has a bad family or prefix length",
					 r->name, k, i);
	}
	return 0;
}

static int copy_cond(struct rules_cond *dst, const struct ebpfpub_condition *c, uint32_t group)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->key = c->key;
	dst->negate = c->negate;
	dst->group = group;
	if (c->arg && !(dst->arg = strdup(c->arg)))
		return -ENOMEM;
	if (c->int_count) {
		dst->ints = calloc(c->int_count, sizeof(*dst->ints));
		if (!dst->ints)
			return -ENOMEM;
		memcpy(dst->ints, c->ints, c->int_count * sizeof(*dst->ints));
		dst->int_count = c->int_count;
	}
	if (c->cidr_count) {
		dst->cidrs = calloc(c->cidr_count, sizeof(*dst->cidrs));
		if (!dst->cidrs)
			return -ENOMEM;
		memcpy(dst->cidrs, c->cidrs, c->cidr_count * sizeof(*dst->cidrs));
		dst->cidr_count = c->cidr_count;
	}
	if (c->string_count) {
		dst->strings = calloc(c->string_count, sizeof(*dst->strings));
		if (!dst->strings)
			return -ENOMEM;
		for (i = 0; i < c->string_count; i++) {
			dst->strings[i].op = c->strings[i].op;
			dst->strings[i].value = strdup(c->strings[i].value);
			dst->string_count = i + 1;
			if (!dst->strings[i].value)
				return -ENOMEM;
		}
	}
	return 0;
}

static int append_cond(struct ebpfpub_rule *r, const struct ebpfpub_condition *c, uint32_t group)
{
	struct rules_cond *grown = realloc(r->conds, (r->cond_count + 1) * sizeof(*grown));
	int e;

	if (!grown)
		return -ENOMEM;
	r->conds = grown;
	e = copy_cond(&r->conds[r->cond_count], c, group);
	if (e < 0) {
		cond_release(&r->conds[r->cond_count]);
		return e;
	}
	r->cond_count++;
	if (group > r->group_count)
		r->group_count = group;
	return 0;
}

int ebpfpub_rule_add_condition(struct ebpfpub_rule *r, uint32_t group,
			       const struct ebpfpub_condition *uc)
{
	struct ebpfpub_condition c;
	char kind;
	int e;

	if (!r || !uc)
		return -EINVAL;
	if (util_copy_opts(&c, sizeof(c), uc, uc->sz) < 0)
		return rule_fail(r, -EINVAL,
				 "rule '%s': condition struct of %zu bytes has fields this library does not know",
				 r->name, uc->sz);
	if (group > RULES_MAX_GROUPS)
		return rule_fail(r, -EINVAL, "rule '%s': exception group %u (at most %u)", r->name,
				 group, RULES_MAX_GROUPS);
	kind = key_kind(c.key);
	if (!kind)
		return rule_fail(r, -EINVAL, "rule '%s': unknown condition key %d", r->name,
				 (int)c.key);
	if (key_needs_arg(c.key) && (!c.arg || !*c.arg))
		return rule_fail(r, -EINVAL, "rule '%s': condition '%s' needs an argument name",
				 r->name, key_name(c.key));
	e = check_tests(r, &c, kind);
	if (e < 0)
		return e;
	if (append_cond(r, &c, group) < 0)
		return rule_fail(r, -ENOMEM, "rule '%s': out of memory", r->name);
	return 0;
}

int ebpfpub_rule_set_signal(struct ebpfpub_rule *r, int signo)
{
	if (!r)
		return -EINVAL;
	if (signo < 0 || signo >= 65 /* _NSIG */)
		return rule_fail(r, -EINVAL, "rule '%s': bad signal number %d", r->name, signo);
	r->signo = signo;
	return 0;
}

int rules_copy(const struct ebpfpub_rule *src, struct ebpfpub_rule **out)
{
	struct ebpfpub_rule *r;
	size_t i;

	if (ebpfpub_rule_new(src->name, &r) < 0)
		return -ENOMEM;
	r->signo = src->signo;
	for (i = 0; i < src->syscall_count; i++)
		if (ebpfpub_rule_add_syscall(r, src->syscalls[i]) < 0)
			goto nomem;
	for (i = 0; i < src->cond_count; i++) {
		const struct rules_cond *c = &src->conds[i];
		struct ebpfpub_condition pub = {
			.sz = sizeof(pub), .key = c->key, .arg = c->arg, .negate = c->negate,
			.ints = c->ints, .int_count = c->int_count, .strings = c->strings,
			.string_count = c->string_count, .cidrs = c->cidrs,
			.cidr_count = c->cidr_count,
		};

		if (append_cond(r, &pub, c->group) < 0)
			goto nomem;
	}
	*out = r;
	return 0;
nomem:
	ebpfpub_rule_free(r);
	return -ENOMEM;
}

/* ---- the plan for one syscall ---- */

const char *rules_where_name(enum rules_where w)
{
	return w == RULES_KERNEL_ENTER ? "kernel enter" : w == RULES_KERNEL_EXIT ? "kernel exit"
										 : "user space";
}

static const struct layout_capture *capture_of(const struct layout *l, int arg)
{
	size_t i;

	for (i = 0; i < l->capture_count; i++)
		if ((int)l->captures[i].arg == arg)
			return &l->captures[i];
	return NULL;
}

static bool strings_kernel(const struct rules_cond *c, size_t max)
{
	size_t i;

	for (i = 0; i < c->string_count; i++)
		if ((c->strings[i].op != EBPFPUB_STR_EQUALS && c->strings[i].op != EBPFPUB_STR_PREFIX) ||
		    strlen(c->strings[i].value) > max)
			return false;
	return true;
}

/* The exec family changes comm during the call: judge it by the record's, at exit. */
static bool comm_changes(const struct layout *l)
{
	return l->ops && l->ops->needs_mm_offsets;
}

__attribute__((format(printf, 4, 5))) static int plan_fail(char *err, size_t size, int e,
							    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return e;
}

/* cgroup equals: in the kernel when every tested cgroup exists now (it is put in the plan's
 * cgroup array), else in user space. */
static enum rules_where bind_cgroup(struct rules_plan *plan, const struct rules_cond *c,
				    struct rules_bound *b)
{
	size_t i;
	int slot;

	for (i = 0; i < c->string_count; i++)
		if (c->strings[i].op != EBPFPUB_STR_EQUALS)
			return RULES_USER;
	if (plan->cgroup_count + c->string_count > RULES_MAX_CGROUPS)
		return RULES_USER;
	for (i = 0; i < c->string_count; i++) {
		slot = rules_cgroup_slot(plan, c->strings[i].value);
		if (slot < 0) {
			/* the slots taken stay unused */
			return RULES_USER;
		}
		if (i == 0)
			b->cgroup_slot = (uint32_t)slot;
	}
	return RULES_KERNEL_ENTER;
}

static int bind_cond(struct rules_plan *plan, const struct ebpfpub_rule *r,
		     const struct rules_cond *c, const struct layout *l, struct rules_bound *b,
		     char *err, size_t size)
{
	const struct layout_capture *cap = NULL;
	const struct format_field *ff = NULL;
	const char *k = key_name(c->key);

	memset(b, 0, sizeof(*b));
	b->c = c;
	b->arg = -1;
	b->size_arg = -1;
	b->where = RULES_USER;
	if (key_needs_arg(c->key)) {
		b->arg = layout_arg_index(l, c->arg);
		if (b->arg < 0)
			return plan_fail(err, size, -EINVAL,
					 "rule '%s': syscall '%s' has no argument '%s'", r->name,
					 l->syscall, c->arg);
		ff = l->args[b->arg];
		cap = capture_of(l, b->arg);
	}
	switch (c->key) {
	case EBPFPUB_COND_PID:
	case EBPFPUB_COND_UID:
		b->where = RULES_KERNEL_ENTER;
		break;
	case EBPFPUB_COND_EXIT_CODE:
		b->where = RULES_KERNEL_EXIT;
		break;
	case EBPFPUB_COND_COMM:
		if (strings_kernel(c, 15))
			b->where = comm_changes(l) ? RULES_KERNEL_EXIT : RULES_KERNEL_ENTER;
		break;
	case EBPFPUB_COND_ARG:
		if (cap) {
			if (cap->kind != EBPFPUB_CAPTURE_STRING || c->int_count)
				return plan_fail(err, size, -EINVAL,
						 "rule '%s': argument '%s' of '%s' is captured as %s: %s",
						 r->name, c->arg, l->syscall,
						 cap->kind == EBPFPUB_CAPTURE_STRING ? "a string" :
						 cap->kind == EBPFPUB_CAPTURE_SOCKADDR ? "a socket address" :
						 cap->kind == EBPFPUB_CAPTURE_ARGV ? "an argv" : "a buffer",
						 cap->kind == EBPFPUB_CAPTURE_STRING ? "use string tests" :
						 cap->kind == EBPFPUB_CAPTURE_SOCKADDR ? "use family, in or port" :
						 cap->kind == EBPFPUB_CAPTURE_ARGV ? "use argv0 or contains" :
						 "it cannot be compared");
			/* A literal longer than the capture keeps could disagree. */
			if (strings_kernel(c, l->storage.buffer_size - 2 < RULES_KERNEL_STRING_MAX
						      ? l->storage.buffer_size - 2
						      : RULES_KERNEL_STRING_MAX))
				b->where = cap->when == EBPFPUB_AT_ENTER ? RULES_KERNEL_ENTER
									 : RULES_KERNEL_EXIT;
		} else {
			if (c->string_count)
				return plan_fail(err, size, -EINVAL,
						 "rule '%s': argument '%s' of '%s' is not captured as a string (%s): use integer tests",
						 r->name, c->arg, l->syscall, ff->c_type);
			b->where = RULES_KERNEL_ENTER;
			b->width = layout_value_width(ff);
			b->is_signed = ff->value_signed;
		}
		break;
	case EBPFPUB_COND_SOCKADDR_FAMILY:
	case EBPFPUB_COND_SOCKADDR_ADDR:
	case EBPFPUB_COND_SOCKADDR_PORT:
	case EBPFPUB_COND_SOCKADDR_PATH:
		if (!cap || cap->kind != EBPFPUB_CAPTURE_SOCKADDR)
			return plan_fail(err, size, -EINVAL,
					 "rule '%s': argument '%s' of '%s' is not a captured socket address: '%s' cannot apply",
					 r->name, c->arg, l->syscall, k);
		if (c->key != EBPFPUB_COND_SOCKADDR_PATH && cap->when == EBPFPUB_AT_ENTER &&
		    !cap->size_is_pointer) {
			b->where = RULES_KERNEL_ENTER;
			b->size_arg = cap->size_arg;
			b->size = cap->size && cap->size < LAYOUT_SOCKADDR_MAX ? cap->size
									       : LAYOUT_SOCKADDR_MAX;
		}
		break;
	case EBPFPUB_COND_ARGV0:
	case EBPFPUB_COND_ARGV_ANY:
		if (!cap || cap->kind != EBPFPUB_CAPTURE_ARGV)
			return plan_fail(err, size, -EINVAL,
					 "rule '%s': argument '%s' of '%s' is not a captured argv: '%s' cannot apply",
					 r->name, c->arg, l->syscall, k);
		break;
	case EBPFPUB_COND_AUID:
		/* From the record's context (read from task->loginuid at enter) in the exit
		 * program: the same bytes user space decodes. */
		b->where = RULES_KERNEL_EXIT;
		break;
	case EBPFPUB_COND_CGROUP:
		if (l->context_offset)
			b->where = bind_cgroup(plan, c, b);
		break;
	case EBPFPUB_COND_CONTAINER:
	case EBPFPUB_COND_ANCESTOR:
		/* From the decoded context: the container identity is parsed from the cgroup
		 * path's names, the ancestors are items of the record. */
		break;
	default:
		return plan_fail(err, size, -EINVAL, "rule '%s': unknown condition '%s'", r->name,
				 k);
	}
	if (rules_key_needs_context(c->key) && !l->context_offset)
		return plan_fail(err, size, -EINVAL,
				 "rule '%s': condition '%s' needs the process context, which this tracer does not capture (created with no_process_context, or the kernel's BTF lacks task_struct): drop the condition or enable the context",
				 r->name, k);
	return 0;
}

/* Conditions the exit program can still tell from the record: not the user memory that only
 * the enter program read (strings and sockaddrs read at enter). */
static bool exit_can_tell(const struct rules_bound *b)
{
	switch (b->c->key) {
	case EBPFPUB_COND_PID:
	case EBPFPUB_COND_UID:
	case EBPFPUB_COND_EXIT_CODE:
	case EBPFPUB_COND_COMM:
	case EBPFPUB_COND_AUID:
		return b->where != RULES_USER;
	case EBPFPUB_COND_ARG:
		return b->where == RULES_KERNEL_EXIT || (b->where == RULES_KERNEL_ENTER && b->width);
	default:
		return false;
	}
}

static int plan_rule(struct rules_plan *plan, struct rules_plan_rule *pr,
		     const struct ebpfpub_rule *r, const struct layout *l, char *err, size_t size)
{
	size_t i;
	uint32_t g;
	int e;

	pr->rule = r;
	pr->conds = calloc(r->cond_count ? r->cond_count : 1, sizeof(*pr->conds));
	pr->group_where = calloc(r->group_count + 1, sizeof(*pr->group_where));
	if (!pr->conds || !pr->group_where)
		return plan_fail(err, size, -ENOMEM, "out of memory");
	pr->all_kernel = true;
	pr->kernel_final = RULES_KERNEL_ENTER;
	for (i = 0; i < r->cond_count; i++) {
		e = bind_cond(plan, r, &r->conds[i], l, &pr->conds[i], err, size);
		if (e < 0)
			return e;
		if (r->conds[i].group == EBPFPUB_WHEN) {
			if (pr->conds[i].where == RULES_USER)
				pr->all_kernel = false;
			else if (pr->conds[i].where == RULES_KERNEL_EXIT)
				pr->kernel_final = RULES_KERNEL_EXIT;
		}
	}
	for (g = 1; g <= r->group_count; g++) {
		enum rules_where w = RULES_KERNEL_ENTER;
		bool exit_ok = true, any = false;

		for (i = 0; i < r->cond_count; i++) {
			if (r->conds[i].group != g)
				continue;
			any = true;
			if (pr->conds[i].where > w)
				w = pr->conds[i].where;
			if (!exit_can_tell(&pr->conds[i]))
				exit_ok = false;
		}
		if (w == RULES_KERNEL_EXIT && !exit_ok)
			w = RULES_USER;
		if (!any)
			continue;   /* an unused group number: nothing to decide */
		pr->group_where[g] = w;
		if (w == RULES_USER)
			pr->all_kernel = false;
		else if (w == RULES_KERNEL_EXIT)
			pr->kernel_final = RULES_KERNEL_EXIT;
	}
	if (r->signo && !pr->all_kernel)
		return plan_fail(err, size, -EINVAL,
				 "rule '%s': a signal is sent from the program, but some of its conditions can only be decided in user space (see ebpfpub_tracer_explain())",
				 r->name);
	return 0;
}

int rules_plan_build(struct rules_plan *plan, struct ebpfpub_rule *const *rules, size_t n,
		     const struct layout *l, uint32_t tracer_tgid, char *err, size_t size)
{
	size_t i, count = 0;
	int e;

	memset(plan, 0, sizeof(*plan));
	plan->tracer_tgid = tracer_tgid;
	for (i = 0; i < n; i++)
		count += rules_names_syscall(rules[i], l->syscall);
	if (!count)
		return 0;
	if (count > RULES_MAX_PER_SYSCALL)
		return plan_fail(err, size, -E2BIG, "syscall '%s' has %zu rules (at most %u)",
				 l->syscall, count, RULES_MAX_PER_SYSCALL);
	plan->rules = calloc(count, sizeof(*plan->rules));
	plan->matched = calloc(count, sizeof(*plan->matched));
	if (!plan->rules || !plan->matched) {
		rules_plan_release(plan);
		return plan_fail(err, size, -ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		if (!rules_names_syscall(rules[i], l->syscall))
			continue;
		plan->any_signal |= rules[i]->signo != 0;
		e = plan_rule(plan, &plan->rules[plan->count++], rules[i], l, err, size);
		if (e < 0) {
			rules_plan_release(plan);
			return e;
		}
	}
	return 0;
}

void rules_plan_release(struct rules_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->count; i++) {
		free(plan->rules[i].conds);
		free(plan->rules[i].group_where);
	}
	free(plan->rules);
	free(plan->matched);
	rules_cgroup_release(plan);
	memset(plan, 0, sizeof(*plan));
}

static int append(char **text, const char *fmt, ...)
{
	size_t old = *text ? strlen(*text) : 0;
	va_list ap;
	char *grown;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	grown = realloc(*text, old + (size_t)n + 1);
	if (!grown)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(grown + old, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*text = grown;
	return 0;
}

int rules_plan_explain(const struct rules_plan *plan, const char *syscall, char **text)
{
	size_t i, j;

	for (i = 0; i < plan->count; i++) {
		const struct rules_plan_rule *pr = &plan->rules[i];

		if (append(text, "rule %s, syscall %s:\n", pr->rule->name, syscall) < 0)
			return -ENOMEM;
		for (j = 0; j < pr->rule->cond_count; j++) {
			const struct rules_bound *b = &pr->conds[j];
			uint32_t g = b->c->group;
			enum rules_where w = g ? pr->group_where[g] : b->where;

			if (append(text, "  %s%s%s%s%s: %s\n",
				   g ? "unless " : "when ", key_name(b->c->key),
				   b->c->arg ? " " : "", b->c->arg ? b->c->arg : "",
				   b->c->negate ? " (negated)" : "", rules_where_name(w)) < 0)
				return -ENOMEM;
		}
		if (!pr->rule->cond_count &&
		    append(text, "  (no condition: every call matches)\n") < 0)
			return -ENOMEM;
		if (pr->rule->signo &&
		    append(text, "  signal %d: %s\n", pr->rule->signo,
			   rules_where_name(pr->kernel_final)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static bool conds_equal(const struct rules_cond *a, const struct rules_cond *b)
{
	size_t i;

	if (a->key != b->key || a->negate != b->negate || a->group != b->group ||
	    !!a->arg != !!b->arg || (a->arg && strcmp(a->arg, b->arg)) ||
	    a->int_count != b->int_count || a->string_count != b->string_count ||
	    a->cidr_count != b->cidr_count)
		return false;
	for (i = 0; i < a->int_count; i++)
		if (a->ints[i].op != b->ints[i].op || a->ints[i].value != b->ints[i].value ||
		    a->ints[i].value2 != b->ints[i].value2)
			return false;
	for (i = 0; i < a->string_count; i++)
		if (a->strings[i].op != b->strings[i].op ||
		    strcmp(a->strings[i].value, b->strings[i].value))
			return false;
	for (i = 0; i < a->cidr_count; i++)
		if (a->cidrs[i].family != b->cidrs[i].family ||
		    a->cidrs[i].prefix_len != b->cidrs[i].prefix_len ||
		    memcmp(a->cidrs[i].addr, b->cidrs[i].addr, sizeof(a->cidrs[i].addr)))
			return false;
	return true;
}

static bool rules_equal(const struct ebpfpub_rule *a, const struct ebpfpub_rule *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || a->signo != b->signo || a->cond_count != b->cond_count)
		return false;
	for (i = 0; i < a->cond_count; i++)
		if (!conds_equal(&a->conds[i], &b->conds[i]))
			return false;
	return true;
}

bool rules_plan_same(const struct rules_plan *a, const struct rules_plan *b)
{
	size_t i;

	size_t j;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++) {
		if (!rules_equal(a->rules[i].rule, b->rules[i].rule))
			return false;
		/* the same rules placed differently (a cgroup created since) compile apart */
		for (j = 0; j < a->rules[i].rule->cond_count; j++)
			if (a->rules[i].conds[j].where != b->rules[i].conds[j].where)
				return false;
	}
	return true;
}
