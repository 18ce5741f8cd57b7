/* SPDX-License-Identifier: Apache-2.0 */
/* Rules in user space, without a kernel: ebpfpub_rule_matches() on hand-made events (every
 * test type, negation, unless groups, flagged fields) and the checks of
 * ebpfpub_rule_add_condition(). The kernel's share is compared with these in
 * tests/privileged/test_rules.c. */
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>

#include <ebpfpub/ebpfpub.h>

#include "test.h"

static struct ebpfpub_field fields[4];
static struct ebpfpub_event ev;

static void reset(const char *syscall)
{
	memset(fields, 0, sizeof(fields));
	memset(&ev, 0, sizeof(ev));
	ev.syscall = syscall;
	ev.pid = 4242;
	ev.uid = 1000;
	ev.exit_code = -2;
	snprintf(ev.comm, sizeof(ev.comm), "curl");
	ev.fields = fields;
}

static struct ebpfpub_field *field(const char *name, enum ebpfpub_value_type type)
{
	struct ebpfpub_field *f = &fields[ev.field_count++];

	f->name = name;
	f->type = type;
	return f;
}

static struct ebpfpub_rule *rule1(const char *syscall, uint32_t group,
				  const struct ebpfpub_condition *c)
{
	struct ebpfpub_rule *r;

	ASSERT(ebpfpub_rule_new("r", &r) == 0);
	ASSERT(ebpfpub_rule_add_syscall(r, syscall) == 0);
	if (c && ebpfpub_rule_add_condition(r, group, c) != 0) {
		fprintf(stderr, "%s\n", ebpfpub_rule_last_error(r));
		ASSERT(0);
	}
	return r;
}

/* Whether the one-condition rule matches the current event. */
static int matches(const struct ebpfpub_condition *c)
{
	struct ebpfpub_rule *r = rule1(ev.syscall, EBPFPUB_WHEN, c);
	int m = ebpfpub_rule_matches(r, &ev);

	ebpfpub_rule_free(r);
	return m;
}

static void test_ints(void)
{
	struct ebpfpub_int_test lt = { .op = EBPFPUB_INT_LT, .value = 0 };
	struct ebpfpub_int_test mask = { .op = EBPFPUB_INT_MASK, .value = 0101 };
	struct ebpfpub_int_test range = { .op = EBPFPUB_INT_RANGE, .value = 10, .value2 = 20 };
	struct ebpfpub_int_test list[] = { { .op = EBPFPUB_INT_EQ, .value = 1 },
					   { .op = EBPFPUB_INT_GE, .value = 1000 } };
	struct ebpfpub_field *fd, *flags;

	reset("openat");
	fd = field("dfd", EBPFPUB_VALUE_SIGNED);
	fd->value.s = -100;
	flags = field("flags", EBPFPUB_VALUE_UNSIGNED);
	flags->value.u = 0101 | 02000;
	{
		EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_ARG, .arg = "dfd", .ints = &lt,
			     .int_count = 1);
		CHECK_INT(matches(&c), 1);     /* signed: -100 < 0 */
		c.arg = "flags";
		CHECK_INT(matches(&c), 0);
		c.ints = &mask;
		CHECK_INT(matches(&c), 1);
		flags->value.u = 0100;
		CHECK_INT(matches(&c), 0);     /* every bit of the mask */
		c.negate = true;
		CHECK_INT(matches(&c), 1);
		c.negate = false;
		c.ints = &range;
		flags->value.u = 20;
		CHECK_INT(matches(&c), 1);
		flags->value.u = 21;
		CHECK_INT(matches(&c), 0);
		c.arg = "nosuch";
		CHECK_INT(matches(&c), 0);
	}
	{
		EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_UID, .ints = list, .int_count = 2);
		CHECK_INT(matches(&c), 1);     /* uid 1000 >= 1000 */
		c.key = EBPFPUB_COND_PID;
		CHECK_INT(matches(&c), 1);
		c.key = EBPFPUB_COND_EXIT_CODE;
		CHECK_INT(matches(&c), 0);
		c.ints = &lt;
		c.int_count = 1;
		CHECK_INT(matches(&c), 1);     /* -2 < 0 */
	}
}

static void test_strings(void)
{
	struct ebpfpub_string_test t[] = {
		{ .op = EBPFPUB_STR_EQUALS, .value = "/etc/shadow" },
		{ .op = EBPFPUB_STR_PREFIX, .value = "/etc/sha" },
		{ .op = EBPFPUB_STR_SUFFIX, .value = "adow" },
		{ .op = EBPFPUB_STR_CONTAINS, .value = "c/sh" },
		{ .op = EBPFPUB_STR_GLOB, .value = "/etc/*ow" },
		{ .op = EBPFPUB_STR_EQUALS, .value = "/etc/shado" },
		{ .op = EBPFPUB_STR_PREFIX, .value = "/etc/shadow-" },
		{ .op = EBPFPUB_STR_GLOB, .value = "/etc/?" },
	};
	struct ebpfpub_field *f;
	size_t i;

	reset("openat");
	f = field("filename", EBPFPUB_VALUE_STRING);
	f->value.bytes.data = "/etc/shadow";
	f->value.bytes.len = 11;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_ARG, .arg = "filename",
			     .strings = &t[i], .string_count = 1);

		CHECK_INT(matches(&c), i < 5);
	}
	{
		EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_ARG, .arg = "filename",
			     .strings = t, .string_count = 1);

		f->flags = EBPFPUB_FIELD_UNREADABLE;     /* no value: never holds */
		CHECK_INT(matches(&c), 0);
		c.negate = true;
		CHECK_INT(matches(&c), 1);
		f->flags = EBPFPUB_FIELD_TRUNCATED;      /* a cut string is compared as cut */
		c.negate = false;
		CHECK_INT(matches(&c), 1);
	}
	{
		struct ebpfpub_string_test comm[] = { { .op = EBPFPUB_STR_EQUALS, .value = "cur" },
						      { .op = EBPFPUB_STR_EQUALS, .value = "curl" } };
		EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_COMM, .strings = comm,
			     .string_count = 1);

		CHECK_INT(matches(&c), 0);
		c.string_count = 2;                      /* a list: any of them */
		CHECK_INT(matches(&c), 1);
		memset(ev.comm, 'x', sizeof(ev.comm));   /* 16 bytes, no NUL */
		CHECK_INT(matches(&c), 0);
	}
}

static struct ebpfpub_cidr cidr(int family, const char *text, uint8_t len)
{
	struct ebpfpub_cidr c = { .family = (uint16_t)family, .prefix_len = len };

	ASSERT(inet_pton(family, text, c.addr) == 1);
	return c;
}

static void sockaddr_is(struct ebpfpub_field *f, int family, const char *addr, uint16_t port)
{
	memset(&f->value.sockaddr, 0, sizeof(f->value.sockaddr));
	f->value.sockaddr.family = (uint16_t)family;
	f->value.sockaddr.port = port;
	if (addr)
		ASSERT(inet_pton(family, addr, f->value.sockaddr.addr) == 1);
	f->flags = 0;
}

static void test_sockaddr(void)
{
	struct ebpfpub_cidr nets[] = { cidr(AF_INET, "172.16.0.0", 12), cidr(AF_INET6, "fc00::", 7),
				       cidr(AF_INET6, "::1", 128) };
	struct ebpfpub_int_test p443 = { .op = EBPFPUB_INT_EQ, .value = 443 };
	struct ebpfpub_int_test fam = { .op = EBPFPUB_INT_EQ, .value = AF_INET6 };
	struct ebpfpub_field *f;
	EBPFPUB_OPTS(ebpfpub_condition, in, .key = EBPFPUB_COND_SOCKADDR_ADDR, .arg = "uservaddr",
		     .cidrs = nets, .cidr_count = 3);
	EBPFPUB_OPTS(ebpfpub_condition, port, .key = EBPFPUB_COND_SOCKADDR_PORT, .arg = "uservaddr",
		     .ints = &p443, .int_count = 1);
	EBPFPUB_OPTS(ebpfpub_condition, family, .key = EBPFPUB_COND_SOCKADDR_FAMILY,
		     .arg = "uservaddr", .ints = &fam, .int_count = 1);

	reset("connect");
	f = field("uservaddr", EBPFPUB_VALUE_SOCKADDR);
	sockaddr_is(f, AF_INET, "172.31.255.1", 443);
	CHECK_INT(matches(&in), 1);
	CHECK_INT(matches(&port), 1);
	CHECK_INT(matches(&family), 0);
	sockaddr_is(f, AF_INET, "172.32.0.1", 443);
	CHECK_INT(matches(&in), 0);                      /* outside the /12 */
	sockaddr_is(f, AF_INET6, "fd12::1", 80);
	CHECK_INT(matches(&in), 1);                      /* fc00::/7 holds fd00::/8 */
	CHECK_INT(matches(&port), 0);
	CHECK_INT(matches(&family), 1);
	sockaddr_is(f, AF_INET6, "fe80::1", 443);
	CHECK_INT(matches(&in), 0);
	sockaddr_is(f, AF_INET6, "::1", 443);
	CHECK_INT(matches(&in), 1);
	f->flags = EBPFPUB_FIELD_BAD_LENGTH;             /* malformed: no test holds */
	CHECK_INT(matches(&in), 0);
	CHECK_INT(matches(&port), 0);
	in.negate = true;
	CHECK_INT(matches(&in), 1);
	in.negate = false;
	sockaddr_is(f, AF_UNIX, NULL, 443);
	CHECK_INT(matches(&port), 0);                    /* no port outside AF_INET/AF_INET6 */
	port.negate = true;
	CHECK_INT(matches(&port), 1);
	{
		struct ebpfpub_string_test p = { .op = EBPFPUB_STR_PREFIX, .value = "/run/" };
		EBPFPUB_OPTS(ebpfpub_condition, path, .key = EBPFPUB_COND_SOCKADDR_PATH,
			     .arg = "uservaddr", .strings = &p, .string_count = 1);

		f->value.sockaddr.data.data = "/run/docker.sock";
		f->value.sockaddr.data.len = 16;
		CHECK_INT(matches(&path), 1);
		f->value.sockaddr.family = AF_INET;
		CHECK_INT(matches(&path), 0);
	}
}

/* pidtree: exclude 10/8 except port 443 = unless {in 10/8 and port not 443} */
static void test_unless_groups(void)
{
	struct ebpfpub_cidr ten = cidr(AF_INET, "10.0.0.0", 8);
	struct ebpfpub_int_test p443 = { .op = EBPFPUB_INT_EQ, .value = 443 };
	EBPFPUB_OPTS(ebpfpub_condition, in, .key = EBPFPUB_COND_SOCKADDR_ADDR, .arg = "uservaddr",
		     .cidrs = &ten, .cidr_count = 1);
	EBPFPUB_OPTS(ebpfpub_condition, not443, .key = EBPFPUB_COND_SOCKADDR_PORT,
		     .arg = "uservaddr", .negate = true, .ints = &p443, .int_count = 1);
	struct ebpfpub_rule *r = rule1("connect", 1, &in);
	struct ebpfpub_field *f;

	ASSERT(ebpfpub_rule_add_condition(r, 1, &not443) == 0);
	reset("connect");
	f = field("uservaddr", EBPFPUB_VALUE_SOCKADDR);
	sockaddr_is(f, AF_INET, "10.1.2.3", 80);
	CHECK_INT(ebpfpub_rule_matches(r, &ev), 0);
	sockaddr_is(f, AF_INET, "10.1.2.3", 443);
	CHECK_INT(ebpfpub_rule_matches(r, &ev), 1);
	sockaddr_is(f, AF_INET, "8.8.8.8", 80);
	CHECK_INT(ebpfpub_rule_matches(r, &ev), 1);
	ev.syscall = "bind";                             /* not one of the rule's syscalls */
	CHECK_INT(ebpfpub_rule_matches(r, &ev), 0);
	ebpfpub_rule_free(r);
}

static void test_argv(void)
{
	static const struct ebpfpub_bytes args[] = { { "sh", 2 }, { "-c", 2 }, { "id", 2 } };
	static const uint32_t flags[] = { 0, 0, 0 };
	struct ebpfpub_string_test sh = { .op = EBPFPUB_STR_EQUALS, .value = "sh" };
	struct ebpfpub_string_test id = { .op = EBPFPUB_STR_EQUALS, .value = "id" };
	struct ebpfpub_field *f;
	EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_ARGV0, .arg = "argv",
		     .strings = &sh, .string_count = 1);

	reset("execve");
	f = field("argv", EBPFPUB_VALUE_ARGV);
	f->value.argv.count = 3;
	f->value.argv.args = args;
	f->value.argv.arg_flags = flags;
	CHECK_INT(matches(&c), 1);
	c.strings = &id;
	CHECK_INT(matches(&c), 0);                       /* argv0 only */
	c.key = EBPFPUB_COND_ARGV_ANY;
	CHECK_INT(matches(&c), 1);
}

/* auid, container, cgroup and ancestor on crafted process contexts. */
static void test_process(void)
{
	static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct ebpfpub_ancestor anc[2];
	struct ebpfpub_process p;
	struct ebpfpub_int_test unset = { .op = EBPFPUB_INT_EQ, .value = EBPFPUB_AUID_UNSET };
	struct ebpfpub_int_test ge = { .op = EBPFPUB_INT_GE, .value = 1000 };
	struct ebpfpub_string_test any = { .op = EBPFPUB_STR_EQUALS, .value = "any" };
	struct ebpfpub_string_test host = { .op = EBPFPUB_STR_EQUALS, .value = "host" };
	struct ebpfpub_string_test docker = { .op = EBPFPUB_STR_EQUALS, .value = "docker" };
	struct ebpfpub_string_test podman = { .op = EBPFPUB_STR_EQUALS, .value = "podman" };
	struct ebpfpub_string_test idp = { .op = EBPFPUB_STR_PREFIX, .value = "0123456789ab" };
	struct ebpfpub_string_test idx = { .op = EBPFPUB_STR_PREFIX, .value = "01234567899" };
	struct ebpfpub_string_test cg = { .op = EBPFPUB_STR_EQUALS, .value = "/system.slice/" };
	struct ebpfpub_string_test sshd = { .op = EBPFPUB_STR_EQUALS, .value = "sshd" };
	struct ebpfpub_string_test glob = { .op = EBPFPUB_STR_GLOB, .value = "ba*" };

	reset("mkdir");
	memset(&p, 0, sizeof(p));
	memset(anc, 0, sizeof(anc));
	p.sz = sizeof(p);
	p.auid = EBPFPUB_AUID_UNSET;
	p.cgroup_path = "/system.slice/docker-0123456789abcdef.scope";
	p.container_runtime = "docker";
	p.container_id = id;
	p.ancestor_count = 2;
	p.ancestors = anc;
	snprintf(anc[0].comm, sizeof(anc[0].comm), "bash");
	snprintf(anc[1].comm, sizeof(anc[1].comm), "sshd");
	{
		EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_AUID, .ints = &unset,
			     .int_count = 1);

		CHECK_INT(matches(&c), 0);     /* no context: nothing holds */
		ev.process = &p;
		CHECK_INT(matches(&c), 1);
		c.ints = &ge;                  /* unsigned: UINT32_MAX >= 1000 */
		CHECK_INT(matches(&c), 1);
		p.auid = 999;
		CHECK_INT(matches(&c), 0);
		c.negate = true;
		CHECK_INT(matches(&c), 1);
		c.negate = false;
		p.auid = 1000;
		CHECK_INT(matches(&c), 1);
		p.flags = EBPFPUB_PROCESS_NO_AUDIT;   /* the kernel has no auid: never holds */
		CHECK_INT(matches(&c), 0);
		p.flags = 0;
	}
	{
		EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_CONTAINER, .strings = &any,
			     .string_count = 1);

		CHECK_INT(matches(&c), 1);
		c.strings = &docker;
		CHECK_INT(matches(&c), 1);
		c.strings = &podman;
		CHECK_INT(matches(&c), 0);
		c.strings = &host;
		CHECK_INT(matches(&c), 0);
		c.strings = &idp;
		CHECK_INT(matches(&c), 1);
		c.strings = &idx;
		CHECK_INT(matches(&c), 0);
		p.container_runtime = "host";
		p.container_id = "";
		c.strings = &host;
		CHECK_INT(matches(&c), 1);
		c.strings = &any;
		CHECK_INT(matches(&c), 0);
		c.negate = true;
		CHECK_INT(matches(&c), 1);
		c.negate = false;
		p.container_runtime = "unknown";   /* the path was cut: neither */
		CHECK_INT(matches(&c), 0);
		c.strings = &host;
		CHECK_INT(matches(&c), 0);
		p.container_runtime = "docker";
		p.container_id = id;
	}
	{
		EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_CGROUP, .strings = &cg,
			     .string_count = 1);

		CHECK_INT(matches(&c), 1);     /* below /system.slice */
		p.cgroup_path = "/system.slice";
		CHECK_INT(matches(&c), 1);     /* the cgroup itself */
		p.cgroup_path = "/system.slicex/a";
		CHECK_INT(matches(&c), 0);     /* a sibling with a longer name */
		p.cgroup_path = "/";
		CHECK_INT(matches(&c), 0);
		cg.value = "/";
		CHECK_INT(matches(&c), 1);     /* the root: every task */
		p.cgroup_path = "/system.slice/x";
		p.flags = EBPFPUB_PROCESS_PATH_TOP_CUT;
		CHECK_INT(matches(&c), 0);     /* a cut path cannot tell */
		p.flags = 0;
		p.cgroup_path = NULL;
		CHECK_INT(matches(&c), 0);
		p.cgroup_path = "/system.slice/x";
		cg.op = EBPFPUB_STR_SUFFIX;    /* other tests: on the path's text */
		cg.value = "/x";
		CHECK_INT(matches(&c), 1);
	}
	{
		EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_ANCESTOR, .strings = &sshd,
			     .string_count = 1);

		CHECK_INT(matches(&c), 1);     /* the grandparent */
		c.strings = &glob;
		CHECK_INT(matches(&c), 1);
		p.ancestor_count = 1;
		c.strings = &sshd;
		CHECK_INT(matches(&c), 0);
		c.negate = true;
		CHECK_INT(matches(&c), 1);
		p.ancestor_count = 0;
		CHECK_INT(matches(&c), 1);
	}
}

static void test_add_condition_errors(void)
{
	struct ebpfpub_rule *r;
	struct ebpfpub_int_test i = { .op = EBPFPUB_INT_EQ, .value = 1 };
	struct ebpfpub_int_test bad_op = { .op = 99 };
	struct ebpfpub_string_test s = { .op = EBPFPUB_STR_EQUALS, .value = "x" };
	struct ebpfpub_cidr bad = { .family = AF_INET, .prefix_len = 33 };
	EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_PID, .ints = &i, .int_count = 1);

	ASSERT(ebpfpub_rule_new("errors", &r) == 0);
	CHECK_INT(ebpfpub_rule_new("", &r), -EINVAL);
	CHECK_INT(ebpfpub_rule_add_condition(r, 65, &c), -EINVAL);
	c.int_count = 0;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	CHECK_STR(ebpfpub_rule_last_error(r),
		  "rule 'errors': condition 'pid': give exactly one non-empty list of tests");
	c.int_count = 1;
	c.ints = &bad_op;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	c.ints = NULL;
	c.int_count = 0;
	c.strings = &s;
	c.string_count = 1;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	CHECK_STR(ebpfpub_rule_last_error(r), "rule 'errors': condition 'pid' takes integer tests");
	c.key = EBPFPUB_COND_ARG;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);   /* no argument name */
	c.key = EBPFPUB_COND_SOCKADDR_ADDR;
	c.arg = "uservaddr";
	c.strings = NULL;
	c.string_count = 0;
	c.cidrs = &bad;
	c.cidr_count = 1;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	c.key = EBPFPUB_COND_CONTAINER;   /* takes strings */
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	CHECK_STR(ebpfpub_rule_last_error(r), "rule 'errors': condition 'container' takes string tests");
	c.cidrs = NULL;
	c.cidr_count = 0;
	c.strings = &s;
	c.string_count = 1;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);   /* "x": no runtime */
	CHECK_STR(ebpfpub_rule_last_error(r),
		  "rule 'errors': container 'x' is not any, host or a runtime (docker, containerd, cri-o, podman, kubernetes, nspawn, lxc); use {id: PREFIX} for an id");
	s.op = EBPFPUB_STR_SUFFIX;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	s.op = EBPFPUB_STR_PREFIX;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), 0);          /* an id prefix */
	s.op = EBPFPUB_STR_EQUALS;
	c.key = EBPFPUB_COND_CGROUP;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);   /* not from the root */
	CHECK_STR(ebpfpub_rule_last_error(r),
		  "rule 'errors': cgroup 'x': give its path below the cgroup2 root, starting with '/' (e.g. /system.slice)");
	s.value = "/a/../b";
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	CHECK_STR(ebpfpub_rule_last_error(r),
		  "rule 'errors': cgroup '/a/../b': no '.', '..' or empty names in the path");
	s.value = "/a//b";
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	s.value = "/a/.";
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	s.value = "/a/..b/.c/";
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), 0);
	s.value = "/";
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), 0);
	s.value = "a-name-longer-than-15";
	c.key = EBPFPUB_COND_ANCESTOR;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	CHECK_STR(ebpfpub_rule_last_error(r),
		  "rule 'errors': ancestor 'a-name-longer-than-15' is longer than a task name (15 bytes)");
	c.key = EBPFPUB_COND_AUID;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);   /* takes ints */
	c.key = 77;
	CHECK_INT(ebpfpub_rule_add_condition(r, 0, &c), -EINVAL);
	CHECK_INT(ebpfpub_rule_add_syscall(r, "mkdir"), 0);
	CHECK_INT(ebpfpub_rule_add_syscall(r, "mkdir"), -EEXIST);
	CHECK_INT(ebpfpub_rule_set_signal(r, 99), -EINVAL);
	CHECK_INT(ebpfpub_rule_set_signal(r, SIGINT), 0);
	ebpfpub_rule_free(r);
	ebpfpub_rule_free(NULL);
}

int main(void)
{
	test_ints();
	test_strings();
	test_sockaddr();
	test_unless_groups();
	test_argv();
	test_process();
	test_add_condition_errors();
	return test_finish("test_rules_eval");
}
