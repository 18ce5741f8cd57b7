/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule files. A file is a list of rules:
 *
 *   - rule: NAME
 *     syscalls: [connect]
 *     when:   {KEY: SPEC, ..., args: {ARG: SPEC, ...}}   every key must hold; a list is an OR
 *     unless: {KEY: SPEC, ...}  (each key one exception) or [{...}, ...] (each item one
 *             exception whose keys must all hold); an exception that holds drops the call
 *     actions: [print, kill, {signal: SIGINT}, {exec: "COMMAND ARGS"}]
 *
 * Every node is checked here (unknown keys, bad values, unknown syscalls), with its file,
 * line and column; what only the syscall's format can tell (its arguments and their types)
 * is checked by the library when the rule is added, and rules_yaml_locate() finds the line.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <yaml.h>

#include "rules_yaml.h"

#define MAX_TESTS 256

struct ctx {
	const char *file;
	yaml_document_t *doc;
	char *err;
	size_t err_size;
	struct tracer_rule *tr;   /* the rule being read */
	uint32_t group;           /* the condition group being filled */
	uint32_t next_group;
};

__attribute__((format(printf, 3, 4))) static int fail_at(struct ctx *c, yaml_node_t *n,
							  const char *fmt, ...)
{
	size_t len;
	va_list ap;

	len = (size_t)snprintf(c->err, c->err_size, "%s:%lu:%lu: ", c->file,
			       n ? (unsigned long)n->start_mark.line + 1 : 0ul,
			       n ? (unsigned long)n->start_mark.column + 1 : 0ul);
	if (c->tr && c->tr->name && len < c->err_size)
		len += (size_t)snprintf(c->err + len, c->err_size - len, "rule '%s': ", c->tr->name);
	if (len < c->err_size) {
		va_start(ap, fmt);
		vsnprintf(c->err + len, c->err_size - len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *node_kind(yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? "a scalar" : n->type == YAML_SEQUENCE_NODE ? "a list"
										     : "a mapping";
}

/* Calls FN on each item of a list, or on N itself when it is not a list. */
typedef int (*item_fn)(struct ctx *c, yaml_node_t *item, void *data);

static int each_item(struct ctx *c, yaml_node_t *n, item_fn fn, void *data)
{
	yaml_node_item_t *it;

	if (n->type != YAML_SEQUENCE_NODE)
		return fn(c, n, data);
	if (n->data.sequence.items.start == n->data.sequence.items.top)
		return fail_at(c, n, "an empty list");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
		if (fn(c, node(c, *it), data) < 0)
			return -1;
	return 0;
}

/* ---- integers ---- */

struct int_list {
	struct ebpfpub_int_test t[MAX_TESTS];
	size_t n;
	const char *key;   /* for messages */
	char kind;         /* 'u' uid, 'f' family, 0 plain */
};

static bool parse_number(const char *s, int64_t *v)
{
	char *end;
	int base = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return false;
	if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		s += 2;
		base = 8;
	}
	errno = 0;
	*v = strtoll(s, &end, base);
	while (isspace((unsigned char)*end))
		end++;
	return !errno && !*end && end != s;
}

static bool parse_symbol(const char *s, char kind, int64_t *v)
{
	static const struct { const char *name; int value; } families[] = {
		{ "AF_UNSPEC", AF_UNSPEC }, { "AF_UNIX", AF_UNIX }, { "AF_LOCAL", AF_UNIX },
		{ "AF_INET", AF_INET },     { "AF_INET6", AF_INET6 }, { "AF_NETLINK", AF_NETLINK },
		{ "AF_PACKET", AF_PACKET }, { "AF_VSOCK", AF_VSOCK },
	};
	size_t i;

	if (parse_number(s, v))
		return true;
	if (kind == 'f') {
		for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
			if (!strcmp(s, families[i].name)) {
				*v = families[i].value;
				return true;
			}
	} else if (kind == 'u' || kind == 'a') {
		struct passwd *pw = getpwnam(s);

		if (kind == 'a' && !strcmp(s, "unset")) {
			*v = EBPFPUB_AUID_UNSET;   /* never logged in: the kernel's -1 */
			return true;
		}

		if (pw) {
			*v = pw->pw_uid;
			return true;
		}
	}
	return false;
}

/* "N", "== N", "!= N", "< N", "<= N", "> N", ">= N", "A-B", "A..B", "mask N". */
static bool parse_int_test(const char *s, char kind, struct ebpfpub_int_test *t)
{
	static const struct { const char *op; enum ebpfpub_int_op code; } ops[] = {
		{ "==", EBPFPUB_INT_EQ }, { "!=", EBPFPUB_INT_NE }, { "<=", EBPFPUB_INT_LE },
		{ ">=", EBPFPUB_INT_GE }, { "<", EBPFPUB_INT_LT },  { ">", EBPFPUB_INT_GT },
		{ "mask ", EBPFPUB_INT_MASK },
	};
	const char *dash;
	char a[64];
	size_t i;

	memset(t, 0, sizeof(*t));
	while (isspace((unsigned char)*s))
		s++;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(s, ops[i].op, strlen(ops[i].op))) {
			t->op = ops[i].code;
			return parse_symbol(s + strlen(ops[i].op) + strspn(s + strlen(ops[i].op), " "),
					    kind, &t->value);
		}
	t->op = EBPFPUB_INT_EQ;
	if (parse_symbol(s, kind, &t->value))
		return true;
	/* A range: the first number cannot start with '-' ("-5" is a number). */
	dash = strstr(s, "..");
	if (!dash && isdigit((unsigned char)s[0]))
		dash = strchr(s, '-');
	if (!dash || (size_t)(dash - s) >= sizeof(a))
		return false;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	t->op = EBPFPUB_INT_RANGE;
	return parse_symbol(a, kind, &t->value) &&
	       parse_symbol(dash + (dash[0] == '.' ? 2 : 1), kind, &t->value2) &&
	       t->value <= t->value2;
}

static int int_item(struct ctx *c, yaml_node_t *n, void *data)
{
	struct int_list *l = data;
	const char *s = scalar(n);

	if (!s)
		return fail_at(c, n, "%s: expected a number or a comparison, not %s", l->key,
			       node_kind(n));
	if (l->n == MAX_TESTS)
		return fail_at(c, n, "%s: more than %d values", l->key, MAX_TESTS);
	if (!parse_int_test(s, l->kind, &l->t[l->n]))
		return fail_at(c, n,
			       "%s: '%s' is not %s, a comparison (== != < <= > >= N), a range (A-B) or 'mask N'",
			       l->key, s,
			       l->kind == 'u' ? "a user id or name" :
			       l->kind == 'a' ? "a user id or name, or unset" :
			       l->kind == 'f' ? "a family (AF_INET, AF_INET6, AF_UNIX, ...) or a number" :
			       "a number");
	l->n++;
	return 0;
}

static bool looks_int(yaml_node_t *n, struct ctx *c)
{
	struct ebpfpub_int_test t;
	yaml_node_item_t *it;

	if (n->type == YAML_SCALAR_NODE)
		return parse_int_test(scalar(n), 0, &t);
	if (n->type != YAML_SEQUENCE_NODE)
		return false;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
		if (!scalar(node(c, *it)) || !parse_int_test(scalar(node(c, *it)), 0, &t))
			return false;
	return true;
}

static int add_cond(struct ctx *c, yaml_node_t *at, const struct ebpfpub_condition *cond)
{
	int r = ebpfpub_rule_add_condition(c->tr->rule, c->group, cond);

	if (r < 0) {
		const char *msg = ebpfpub_rule_last_error(c->tr->rule);
		const char *colon = strstr(msg, "': ");

		/* The library names the rule and the condition; the rule is named already. */
		return fail_at(c, at, "%s", colon ? colon + 3 : msg);
	}
	return 0;
}

/* SPEC: one value or a list; or {not: SPEC}. */
static int int_cond(struct ctx *c, yaml_node_t *n, enum ebpfpub_cond_key key, const char *arg,
		    const char *name, char kind, bool negate)
{
	struct int_list *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return fail_at(c, n, "out of memory");
	l->key = name;
	l->kind = kind;
	if (n->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p = n->data.mapping.pairs.start;
		const char *k = scalar(node(c, p->key));

		free(l);
		if (n->data.mapping.pairs.top - p != 1 || !k || strcmp(k, "not"))
			return fail_at(c, n, "%s: expected a value, a list, or {not: ...}", name);
		return int_cond(c, node(c, p->value), key, arg, name, kind, !negate);
	}
	r = each_item(c, n, int_item, l);
	if (r == 0) {
		EBPFPUB_OPTS(ebpfpub_condition, cond, .key = key, .arg = arg, .negate = negate,
			     .ints = l->t, .int_count = l->n);

		r = add_cond(c, n, &cond);
	}
	free(l);
	return r;
}

/* ---- strings ---- */

struct str_list {
	struct ebpfpub_string_test t[MAX_TESTS];
	size_t n;
	enum ebpfpub_string_op op;
	const char *key;
};

static int str_item(struct ctx *c, yaml_node_t *n, void *data)
{
	struct str_list *l = data;
	const char *s = scalar(n);

	if (!s)
		return fail_at(c, n, "%s: expected a string, not %s", l->key, node_kind(n));
	if (l->n == MAX_TESTS)
		return fail_at(c, n, "%s: more than %d strings", l->key, MAX_TESTS);
	l->t[l->n].op = l->op;
	l->t[l->n++].value = s;
	return 0;
}

static const struct { const char *name; enum ebpfpub_string_op op; } string_ops[] = {
	{ "equals", EBPFPUB_STR_EQUALS }, { "prefix", EBPFPUB_STR_PREFIX },
	{ "suffix", EBPFPUB_STR_SUFFIX }, { "contains", EBPFPUB_STR_CONTAINS },
	{ "glob", EBPFPUB_STR_GLOB },
};

static int string_op(const char *k)
{
	size_t i;

	for (i = 0; k && i < sizeof(string_ops) / sizeof(string_ops[0]); i++)
		if (!strcmp(k, string_ops[i].name))
			return (int)string_ops[i].op;
	return 0;
}

/* SPEC: a string or a list (equals), or {equals|prefix|suffix|contains|glob: S or [S...]};
 * all of a mapping's tests are alternatives (OR). */
static int str_cond(struct ctx *c, yaml_node_t *n, enum ebpfpub_cond_key key, const char *arg,
		    const char *name)
{
	struct str_list *l = calloc(1, sizeof(*l));
	int r = 0;

	if (!l)
		return fail_at(c, n, "out of memory");
	l->key = name;
	l->op = EBPFPUB_STR_EQUALS;
	if (n->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p;

		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !r; p++) {
			const char *k = scalar(node(c, p->key));

			l->op = (enum ebpfpub_string_op)string_op(k);
			if (!l->op)
				r = fail_at(c, node(c, p->key),
					    "%s: unknown key '%s' (expected equals, prefix, suffix, contains or glob)",
					    name, k ? k : "?");
			else
				r = each_item(c, node(c, p->value), str_item, l);
		}
	} else {
		r = each_item(c, n, str_item, l);
	}
	if (r == 0) {
		EBPFPUB_OPTS(ebpfpub_condition, cond, .key = key, .arg = arg, .strings = l->t,
			     .string_count = l->n);

		r = add_cond(c, n, &cond);
	}
	free(l);
	return r;
}

/* container: any | host | a runtime's name | {id: PREFIX}, or a list of them. */
static int container_item(struct ctx *c, yaml_node_t *n, void *data)
{
	struct str_list *l = data;
	const char *s = scalar(n);

	if (!s && n->type == YAML_MAPPING_NODE && n->data.mapping.pairs.top - n->data.mapping.pairs.start == 1 &&
	    scalar(node(c, n->data.mapping.pairs.start->key)) &&
	    !strcmp(scalar(node(c, n->data.mapping.pairs.start->key)), "id") &&
	    (s = scalar(node(c, n->data.mapping.pairs.start->value)))) {
		l->op = EBPFPUB_STR_PREFIX;
	} else if (s) {
		l->op = EBPFPUB_STR_EQUALS;
	} else {
		return fail_at(c, n,
			       "container: expected any, host, a runtime name or {id: PREFIX}, not %s",
			       node_kind(n));
	}
	if (l->n == MAX_TESTS)
		return fail_at(c, n, "container: more than %d values", MAX_TESTS);
	l->t[l->n].op = l->op;
	l->t[l->n++].value = s;
	return 0;
}

static int container_cond(struct ctx *c, yaml_node_t *n)
{
	struct str_list *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return fail_at(c, n, "out of memory");
	l->key = "container";
	r = each_item(c, n, container_item, l);
	if (r == 0) {
		EBPFPUB_OPTS(ebpfpub_condition, cond, .key = EBPFPUB_COND_CONTAINER,
			     .strings = l->t, .string_count = l->n);

		r = add_cond(c, n, &cond);
	}
	free(l);
	return r;
}

/* ---- socket addresses ---- */

struct cidr_list {
	struct ebpfpub_cidr t[MAX_TESTS];
	size_t n;
	const char *key;
};

static int cidr_item(struct ctx *c, yaml_node_t *n, void *data)
{
	struct cidr_list *l = data;
	const char *s = scalar(n), *slash;
	char addr[64];
	struct ebpfpub_cidr *x;
	int64_t len;

	if (!s)
		return fail_at(c, n, "%s: expected a network (10.0.0.0/8, ::1/128), not %s", l->key,
			       node_kind(n));
	if (l->n == MAX_TESTS)
		return fail_at(c, n, "%s: more than %d networks", l->key, MAX_TESTS);
	x = &l->t[l->n];
	memset(x, 0, sizeof(*x));
	slash = strchr(s, '/');
	snprintf(addr, sizeof(addr), "%.*s", slash ? (int)(slash - s) : (int)strlen(s), s);
	x->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(x->family, addr, x->addr) != 1)
		return fail_at(c, n, "%s: '%s' is not an IPv4 or IPv6 address", l->key, addr);
	len = x->family == AF_INET ? 32 : 128;
	if (slash && (!parse_number(slash + 1, &len) || len < 0 ||
		      len > (x->family == AF_INET ? 32 : 128)))
		return fail_at(c, n, "%s: '%s' has a bad prefix length", l->key, s);
	x->prefix_len = (uint8_t)len;
	l->n++;
	return 0;
}

static int cidr_cond(struct ctx *c, yaml_node_t *n, const char *arg, const char *name,
		     bool negate)
{
	struct cidr_list *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return fail_at(c, n, "out of memory");
	l->key = name;
	r = each_item(c, n, cidr_item, l);
	if (r == 0) {
		EBPFPUB_OPTS(ebpfpub_condition, cond, .key = EBPFPUB_COND_SOCKADDR_ADDR, .arg = arg,
			     .negate = negate, .cidrs = l->t, .cidr_count = l->n);

		r = add_cond(c, n, &cond);
	}
	free(l);
	return r;
}

static bool is_sockaddr_key(const char *k)
{
	return !strcmp(k, "family") || !strcmp(k, "in") || !strcmp(k, "not in") ||
	       !strcmp(k, "port") || !strcmp(k, "not port") || !strcmp(k, "path");
}

/* ---- arguments ---- */

static int remember_arg(struct ctx *c, const char *arg, yaml_node_t *at)
{
	struct tracer_rule *tr = c->tr;
	struct arg_mark *grown = realloc(tr->args, (tr->arg_count + 1) * sizeof(*grown));

	if (!grown)
		return fail_at(c, at, "out of memory");
	tr->args = grown;
	grown[tr->arg_count].arg = strdup(arg);
	grown[tr->arg_count].at.file = c->file;
	grown[tr->arg_count].at.line = (unsigned)at->start_mark.line + 1;
	grown[tr->arg_count].at.column = (unsigned)at->start_mark.column + 1;
	if (!grown[tr->arg_count].arg)
		return fail_at(c, at, "out of memory");
	tr->arg_count++;
	return 0;
}

static int arg_scalar_or_tests(struct ctx *c, const char *arg, yaml_node_t *n);

/* The keys of one argument's mapping: socket address keys, argv keys (an argument named
 * argv or envp), or string tests. */
static int arg_mapping(struct ctx *c, const char *arg, yaml_node_t *n)
{
	bool argv = !strcmp(arg, "argv") || !strcmp(arg, "envp");
	yaml_node_pair_t *p;
	char name[160];

	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(c, p->key));
		yaml_node_t *v = node(c, p->value);
		int r;

		if (!k)
			return fail_at(c, node(c, p->key), "args: %s: a key must be a string", arg);
		snprintf(name, sizeof(name), "args: %s: %s", arg, k);
		if (!strcmp(k, "family"))
			r = int_cond(c, v, EBPFPUB_COND_SOCKADDR_FAMILY, arg, name, 'f', false);
		else if (!strcmp(k, "port"))
			r = int_cond(c, v, EBPFPUB_COND_SOCKADDR_PORT, arg, name, 0, false);
		else if (!strcmp(k, "not port"))
			r = int_cond(c, v, EBPFPUB_COND_SOCKADDR_PORT, arg, name, 0, true);
		else if (!strcmp(k, "in") || !strcmp(k, "not in"))
			r = cidr_cond(c, v, arg, name, k[0] == 'n');
		else if (!strcmp(k, "path"))
			r = str_cond(c, v, EBPFPUB_COND_SOCKADDR_PATH, arg, name);
		else if (argv && !strcmp(k, "argv0"))
			r = str_cond(c, v, EBPFPUB_COND_ARGV0, arg, name);
		else if (argv && !strcmp(k, "contains"))
			r = str_cond(c, v, EBPFPUB_COND_ARGV_ANY, arg, name);
		else if (!strcmp(k, "not") || !strcmp(k, "mask") || string_op(k))
			return arg_scalar_or_tests(c, arg, n);
		else
			return fail_at(c, node(c, p->key),
				       "args: %s: unknown key '%s' (expected family, in, not in, port, not port, path%s, equals, prefix, suffix, contains, glob, mask or not)",
				       arg, k, argv ? ", argv0, contains" : "");
		if (r < 0)
			return r;
	}
	return 0;
}

/* An argument's tests that are not socket address or argv keys: integers or strings. */
static int arg_scalar_or_tests(struct ctx *c, const char *arg, yaml_node_t *n)
{
	char name[160];

	snprintf(name, sizeof(name), "args: %s", arg);
	if (n->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p = n->data.mapping.pairs.start;
		const char *k = scalar(node(c, p->key));

		if (k && !strcmp(k, "mask") && n->data.mapping.pairs.top - p == 1) {
			const char *v = scalar(node(c, p->value));
			struct ebpfpub_int_test t = { .op = EBPFPUB_INT_MASK };
			EBPFPUB_OPTS(ebpfpub_condition, cond, .key = EBPFPUB_COND_ARG, .arg = arg,
				     .ints = &t, .int_count = 1);

			if (!v || !parse_number(v, &t.value))
				return fail_at(c, node(c, p->value), "%s: mask: expected a number", name);
			return add_cond(c, n, &cond);
		}
		if (k && !strcmp(k, "not") && n->data.mapping.pairs.top - p == 1)
			return int_cond(c, n, EBPFPUB_COND_ARG, arg, name, 0, false);
		return str_cond(c, n, EBPFPUB_COND_ARG, arg, name);
	}
	if (looks_int(n, c))
		return int_cond(c, n, EBPFPUB_COND_ARG, arg, name, 0, false);
	return str_cond(c, n, EBPFPUB_COND_ARG, arg, name);
}

static int arg_spec(struct ctx *c, const char *arg, yaml_node_t *n)
{
	yaml_node_pair_t *p;

	if (n->type == YAML_MAPPING_NODE) {
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			const char *k = scalar(node(c, p->key));

			if (k && (is_sockaddr_key(k) || !strcmp(k, "argv0") ||
				  (!strcmp(k, "contains") &&
				   (!strcmp(arg, "argv") || !strcmp(arg, "envp")))))
				return arg_mapping(c, arg, n);
		}
		if (n->data.mapping.pairs.start == n->data.mapping.pairs.top)
			return fail_at(c, n, "args: %s: an empty mapping", arg);
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			const char *k = scalar(node(c, p->key));

			if (!k || (!string_op(k) && strcmp(k, "mask") && strcmp(k, "not")))
				return arg_mapping(c, arg, n);   /* names the unknown key */
		}
	}
	return arg_scalar_or_tests(c, arg, n);
}

/* ---- when / unless ---- */


/* One key of a when/unless mapping. */
static int cond_key(struct ctx *c, const char *k, yaml_node_t *kn, yaml_node_t *v, bool each_arg_group)
{
	if (!strcmp(k, "pid"))
		return int_cond(c, v, EBPFPUB_COND_PID, NULL, k, 0, false);
	if (!strcmp(k, "uid"))
		return int_cond(c, v, EBPFPUB_COND_UID, NULL, k, 'u', false);
	if (!strcmp(k, "exit_code"))
		return int_cond(c, v, EBPFPUB_COND_EXIT_CODE, NULL, k, 0, false);
	if (!strcmp(k, "comm"))
		return str_cond(c, v, EBPFPUB_COND_COMM, NULL, k);
	if (!strcmp(k, "auid"))
		return int_cond(c, v, EBPFPUB_COND_AUID, NULL, k, 'a', false);
	if (!strcmp(k, "ancestor"))
		return str_cond(c, v, EBPFPUB_COND_ANCESTOR, NULL, k);
	if (!strcmp(k, "cgroup"))
		return str_cond(c, v, EBPFPUB_COND_CGROUP, NULL, k);
	if (!strcmp(k, "container"))
		return container_cond(c, v);
	if (!strcmp(k, "args")) {
		yaml_node_pair_t *p;

		if (v->type != YAML_MAPPING_NODE)
			return fail_at(c, v, "args: expected a mapping of argument names, not %s",
				       node_kind(v));
		for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
			const char *arg = scalar(node(c, p->key));

			if (!arg)
				return fail_at(c, node(c, p->key), "args: an argument name must be a string");
			if (each_arg_group)
				c->group = c->next_group++;
			if (remember_arg(c, arg, node(c, p->key)) < 0 ||
			    arg_spec(c, arg, node(c, p->value)) < 0)
				return -1;
		}
		return 0;
	}
	return fail_at(c, kn,
		       "unknown key '%s' (expected pid, uid, comm, exit_code, args, auid, container, ancestor or cgroup)",
		       k);
}

/* A mapping of conditions; EACH_GROUP: every key (and every argument) is its own exception. */
static int conditions(struct ctx *c, yaml_node_t *n, const char *what, bool each_group)
{
	yaml_node_pair_t *p;

	if (n->type != YAML_MAPPING_NODE)
		return fail_at(c, n, "%s: expected a mapping of conditions, not %s", what,
			       node_kind(n));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(c, p->key));

		if (!k)
			return fail_at(c, node(c, p->key), "%s: a key must be a string", what);
		if (each_group && strcmp(k, "args"))
			c->group = c->next_group++;
		if (cond_key(c, k, node(c, p->key), node(c, p->value),
			     each_group && !strcmp(k, "args")) < 0)
			return -1;
	}
	return 0;
}

static int unless_item(struct ctx *c, yaml_node_t *n, void *data)
{
	(void)data;
	c->group = c->next_group++;
	return conditions(c, n, "unless", false);
}

/* ---- actions ---- */

static int signal_number(const char *s)
{
	static const struct { const char *name; int sig; } sigs[] = {
		{ "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "ABRT", SIGABRT },
		{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "ALRM", SIGALRM },
		{ "TERM", SIGTERM }, { "STOP", SIGSTOP }, { "CONT", SIGCONT }, { "TRAP", SIGTRAP },
	};
	int64_t v;
	size_t i;

	if (parse_number(s, &v))
		return v > 0 && v < 65 ? (int)v : 0;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(s, sigs[i].name))
			return sigs[i].sig;
	return 0;
}

static int set_signal(struct ctx *c, yaml_node_t *at, int sig)
{
	if (c->tr->signo)
		return fail_at(c, at, "actions: only one of kill and signal");
	c->tr->signo = sig;
	ebpfpub_rule_set_signal(c->tr->rule, sig);
	return 0;
}

/* exec: "PROGRAM ARG..." (split at spaces, no shell) or [PROGRAM, ARG...]. */
static int set_exec(struct ctx *c, yaml_node_t *v)
{
	char **argv = NULL;
	size_t n = 0;
	yaml_node_item_t *it;

	if (c->tr->exec_argv)
		return fail_at(c, v, "actions: exec is given twice");
	if (v->type == YAML_SCALAR_NODE) {
		char *copy = strdup(scalar(v)), *save = NULL, *w;

		for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			argv = realloc(argv, (n + 2) * sizeof(*argv));
			argv[n++] = strdup(w);
		}
		free(copy);
	} else if (v->type == YAML_SEQUENCE_NODE) {
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			const char *s = scalar(node(c, *it));

			if (!s) {
				c->tr->exec_argv = argv;
				if (argv)
					argv[n] = NULL;
				return fail_at(c, node(c, *it), "actions: exec: each word must be a string");
			}
			argv = realloc(argv, (n + 2) * sizeof(*argv));
			argv[n++] = strdup(s);
		}
	}
	if (argv)
		argv[n] = NULL;
	c->tr->exec_argv = argv;
	if (!n)
		return fail_at(c, v, "actions: exec: expected a command (a string or a list of words)");
	return 0;
}

static int action_item(struct ctx *c, yaml_node_t *n, void *data)
{
	const char *s = scalar(n), *k;
	yaml_node_pair_t *p;
	int sig;

	(void)data;
	if (s) {
		if (!strcmp(s, "print")) {
			c->tr->print = true;
			return 0;
		}
		if (!strcmp(s, "kill"))
			return set_signal(c, n, SIGKILL);
		return fail_at(c, n, "actions: unknown action '%s' (expected print, kill, signal: NAME or exec: COMMAND)", s);
	}
	if (n->type != YAML_MAPPING_NODE || n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
		return fail_at(c, n, "actions: expected print, kill, {signal: NAME} or {exec: COMMAND}");
	p = n->data.mapping.pairs.start;
	k = scalar(node(c, p->key));
	if (k && !strcmp(k, "signal")) {
		s = scalar(node(c, p->value));
		sig = s ? signal_number(s) : 0;
		if (!sig)
			return fail_at(c, node(c, p->value), "actions: signal: '%s' is not a signal name (SIGINT, SIGTERM, ...)",
				       s ? s : "?");
		return set_signal(c, node(c, p->value), sig);
	}
	if (k && !strcmp(k, "exec"))
		return set_exec(c, node(c, p->value));
	return fail_at(c, node(c, p->key), "actions: unknown action '%s' (expected print, kill, signal or exec)",
		       k ? k : "?");
}

/* ---- rules ---- */

struct syscall_check {
	char *const *known;
	struct rules_yaml *out;
};

static int add_union(struct rules_yaml *out, const char *name)
{
	size_t i;
	char **grown;

	for (i = 0; i < out->syscall_count; i++)
		if (!strcmp(out->syscalls[i], name))
			return 0;
	grown = realloc(out->syscalls, (out->syscall_count + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	out->syscalls = grown;
	grown[out->syscall_count] = strdup(name);
	if (!grown[out->syscall_count])
		return -1;
	out->syscall_count++;
	return 0;
}

static int syscall_item(struct ctx *c, yaml_node_t *n, void *data)
{
	struct syscall_check *sc = data;
	const char *s = scalar(n);
	char *const *k;
	int r;

	if (!s || !*s)
		return fail_at(c, n, "syscalls: expected a syscall name");
	if (sc->known) {
		for (k = sc->known; *k; k++)
			if (!strcmp(*k, s))
				break;
		if (!*k)
			return fail_at(c, n, "syscalls: unknown syscall '%s' (ebpftracer --list shows those this kernel can trace)", s);
	}
	r = ebpfpub_rule_add_syscall(c->tr->rule, s);
	if (r == -EEXIST)
		return fail_at(c, n, "syscalls: '%s' is named twice", s);
	if (r < 0 || add_union(sc->out, s) < 0)
		return fail_at(c, n, "out of memory");
	return 0;
}

static yaml_node_t *find_key(struct ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(c, p->key));

		if (k && !strcmp(k, key))
			return node(c, p->value);
	}
	return NULL;
}

static const struct tracer_rule *find_rule(const struct rules_yaml *out, const char *name)
{
	size_t i;

	for (i = 0; i < out->count; i++)
		if (!strcmp(out->rules[i].name, name))
			return &out->rules[i];
	return NULL;
}

static int one_rule(struct ctx *c, yaml_node_t *n, char *const *known, struct rules_yaml *out)
{
	static const char *const keys[] = { "rule", "syscalls", "when", "unless", "actions",
					    "description", NULL };
	struct syscall_check sc = { known, out };
	const struct tracer_rule *dup;
	struct tracer_rule *tr, *grown;
	yaml_node_t *name, *v;
	yaml_node_pair_t *p;
	size_t i;

	if (n->type != YAML_MAPPING_NODE)
		return fail_at(c, n, "a rule must be a mapping (rule:, syscalls:, when:, ...), not %s",
			       node_kind(n));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(c, p->key));

		for (i = 0; k && keys[i] && strcmp(k, keys[i]); i++)
			;
		if (!k || !keys[i])
			return fail_at(c, node(c, p->key),
				       "unknown key '%s' (expected rule, syscalls, when, unless, actions or description)",
				       k ? k : "?");
	}
	name = find_key(c, n, "rule");
	if (!name || !scalar(name) || !*scalar(name))
		return fail_at(c, name ? name : n, "rule: a name is required");
	if (strlen(scalar(name)) > 63)
		return fail_at(c, name, "rule: the name '%s' is longer than 63 bytes", scalar(name));
	dup = find_rule(out, scalar(name));
	if (dup)
		return fail_at(c, name, "rule: the name '%s' is used already (%s:%u:%u)",
			       scalar(name), dup->at.file, dup->at.line, dup->at.column);
	grown = realloc(out->rules, (out->count + 1) * sizeof(*grown));
	if (!grown)
		return fail_at(c, n, "out of memory");
	out->rules = grown;
	tr = &out->rules[out->count];
	memset(tr, 0, sizeof(*tr));
	if (ebpfpub_rule_new(scalar(name), &tr->rule) < 0)
		return fail_at(c, name, "rule: bad name '%s'", scalar(name));
	out->count++;
	tr->name = ebpfpub_rule_name(tr->rule);
	tr->at.file = c->file;
	tr->at.line = (unsigned)name->start_mark.line + 1;
	tr->at.column = (unsigned)name->start_mark.column + 1;
	c->tr = tr;
	c->group = EBPFPUB_WHEN;
	c->next_group = 1;
	v = find_key(c, n, "syscalls");
	if (!v)
		return fail_at(c, n, "syscalls: required (e.g. syscalls: [connect])");
	if (each_item(c, v, syscall_item, &sc) < 0)
		return -1;
	v = find_key(c, n, "when");
	if (v && conditions(c, v, "when", false) < 0)
		return -1;
	v = find_key(c, n, "unless");
	if (v && (v->type == YAML_SEQUENCE_NODE ? each_item(c, v, unless_item, NULL)
						 : conditions(c, v, "unless", true)) < 0)
		return -1;
	v = find_key(c, n, "actions");
	if (v && each_item(c, v, action_item, NULL) < 0)
		return -1;
	if (!v)
		tr->print = true;
	v = find_key(c, n, "description");
	if (v && !scalar(v))
		return fail_at(c, v, "description: expected a string");
	c->tr = NULL;
	return 0;
}

static int load_file(const char *file, char *const *known, struct rules_yaml *out, char *err,
		     size_t err_size)
{
	struct ctx c = { .file = file, .err = err, .err_size = err_size };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_item_t *it;
	FILE *fp = fopen(file, "re");
	int r = 0;

	if (!fp) {
		snprintf(err, err_size, "%s: cannot open: %s", file, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, err_size, "%s:%lu:%lu: %s%s%s", file,
			 (unsigned long)parser.problem_mark.line + 1,
			 (unsigned long)parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "not YAML",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(fp);
		return -1;
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(err, err_size, "%s:1:1: the file is empty (expected a list of rules)", file);
		r = -1;
	} else if (root->type != YAML_SEQUENCE_NODE) {
		r = fail_at(&c, root, "expected a list of rules (each item starting with '- rule: NAME'), not %s",
			    node_kind(root));
	} else {
		for (it = root->data.sequence.items.start; it < root->data.sequence.items.top && !r; it++)
			r = one_rule(&c, node(&c, *it), known, out);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(fp);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_file(struct rules_yaml *out, const char *path)
{
	char **grown = realloc(out->files, (out->file_count + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	out->files = grown;
	grown[out->file_count] = strdup(path);
	return grown[out->file_count++] ? 0 : -1;
}

int rules_yaml_load(const char *path, char *const *known, struct rules_yaml *out, char *err,
		    size_t err_size)
{
	struct stat st;
	size_t i, first;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) < 0) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;

		if (!d) {
			snprintf(err, err_size, "%s: %s", path, strerror(errno));
			return -1;
		}
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);
			char full[4096];

			if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") || e->d_name[0] == '.')
				continue;
			snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
			if (add_file(out, full) < 0)
				r = -1;
		}
		closedir(d);
		if (!out->file_count && !r) {
			snprintf(err, err_size, "%s: no *.yaml rule file in the directory", path);
			r = -1;
		}
	} else if (add_file(out, path) < 0) {
		r = -1;
	}
	if (r < 0) {
		if (!*err)
			snprintf(err, err_size, "out of memory");
		rules_yaml_release(out);
		return -1;
	}
	qsort(out->files, out->file_count, sizeof(*out->files), by_name);
	first = 0;
	for (i = 0; i < out->file_count && !r; i++)
		r = load_file(out->files[i], known, out, err, err_size);
	(void)first;
	if (r == 0 && !out->count) {
		snprintf(err, err_size, "%s: no rule", path);
		r = -1;
	}
	if (r < 0)
		rules_yaml_release(out);
	return r;
}

void rules_yaml_release(struct rules_yaml *r)
{
	size_t i, j;

	for (i = 0; i < r->count; i++) {
		struct tracer_rule *tr = &r->rules[i];

		ebpfpub_rule_free(tr->rule);
		for (j = 0; tr->exec_argv && tr->exec_argv[j]; j++)
			free(tr->exec_argv[j]);
		free(tr->exec_argv);
		for (j = 0; j < tr->arg_count; j++)
			free(tr->args[j].arg);
		free(tr->args);
	}
	free(r->rules);
	for (i = 0; i < r->syscall_count; i++)
		free(r->syscalls[i]);
	free(r->syscalls);
	for (i = 0; i < r->file_count; i++)
		free(r->files[i]);
	free(r->files);
	memset(r, 0, sizeof(*r));
}

struct yaml_where rules_yaml_locate(const struct tracer_rule *tr, const char *message)
{
	char quoted[160];
	size_t i;

	for (i = 0; i < tr->arg_count; i++) {
		snprintf(quoted, sizeof(quoted), "argument '%s'", tr->args[i].arg);
		if (strstr(message, quoted))
			return tr->args[i].at;
	}
	return tr->at;
}
