/* SPDX-License-Identifier: Apache-2.0 */
/* Rules compiled into the programs, against real calls made by this test: every condition
 * type with exact counts, the kernel's share proven by kernel_filtered, the same calls fed
 * through a rule-less tracer and judged by ebpfpub_rule_matches() (both paths must agree),
 * pidtree's port semantics, and the signal actions on children. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ebpfpub/ebpfpub.h>

#include "capture.h"
#include "cgroup_dir.h"
#include "feature_probes.h"

struct seen {
	size_t events;
	size_t per_rule[16];        /* matches per rule of the rules tracer, by rule index */
	struct ebpfpub_rule *const *rules;
	size_t rule_count;
	size_t judged[16];          /* the rule-less tracer: user-space verdicts */
	bool judge;
};

static int on_event(void *ctx, const struct ebpfpub_event *e)
{
	struct seen *s = ctx;
	size_t i, j;

	s->events++;
	for (i = 0; i < s->rule_count; i++) {
		if (s->judge) {
			s->judged[i] += ebpfpub_rule_matches(s->rules[i], e) == 1;
			continue;
		}
		for (j = 0; j < e->rule_count; j++)
			if (strcmp(e->rules[j], ebpfpub_rule_name(s->rules[i])) == 0)
				s->per_rule[i]++;
	}
	return 0;
}

/* The process-context cases: children in this cgroup (exact, in the kernel) instead of
 * this process; the rule-less tracer reads this many ancestors. */
static const char *case_cgroup;
static uint32_t judge_ancestors;
static const char *case_explain[8];   /* lines the rules tracer's explanation must have */

static struct ebpfpub_tracer *tracer_with(struct seen *s, const uint32_t *pids, size_t npids,
					  uint32_t ancestors)
{
	struct ebpfpub_tracer *t = NULL;
	EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = on_event, .callback_ctx = s,
		     .trace_self = true, .pids = pids, .pid_count = npids, .log_fn = test_log,
		     .cgroup = case_cgroup, .ancestors = ancestors);
	int r;

	if (case_cgroup) {
		o.pids = NULL;
		o.pid_count = 0;
	}
	r = ebpfpub_tracer_new(&o, &t);

	if (r == -EPERM || r == -EACCES)
		test_skip_or_fail("no privilege to create BPF maps");
	ASSERT(r == 0);
	return t;
}

static struct ebpfpub_tracer *tracer_for(struct seen *s, const uint32_t *pids, size_t npids)
{
	return tracer_with(s, pids, npids, 0);
}

static void add_syscall(struct ebpfpub_tracer *t, const char *name)
{
	int r = ebpfpub_tracer_add_syscall(t, name);

	if (r < 0)
		fprintf(stderr, "add_syscall(%s): %s\n", name, ebpfpub_tracer_last_error(t));
	if (r == -ENODEV)
		test_skip_or_fail("tracefs is not mounted");
	ASSERT(r == 0);
}

static void drain(struct ebpfpub_tracer *t)
{
	int i;

	for (i = 0; i < 4; i++)
		ASSERT(ebpfpub_tracer_poll(t, 30) >= 0);
}

static struct ebpfpub_rule *rule(const char *name, const char *syscall)
{
	struct ebpfpub_rule *r;

	ASSERT(ebpfpub_rule_new(name, &r) == 0);
	ASSERT(ebpfpub_rule_add_syscall(r, syscall) == 0);
	return r;
}

static void add_ints(struct ebpfpub_rule *r, uint32_t group, enum ebpfpub_cond_key key,
		     const char *arg, bool negate, const struct ebpfpub_int_test *t, size_t n)
{
	EBPFPUB_OPTS(ebpfpub_condition, c, .key = key, .arg = arg, .negate = negate, .ints = t,
		     .int_count = n);
	int e = ebpfpub_rule_add_condition(r, group, &c);

	if (e < 0)
		fprintf(stderr, "%s\n", ebpfpub_rule_last_error(r));
	ASSERT(e == 0);
}

static void add_strings(struct ebpfpub_rule *r, uint32_t group, enum ebpfpub_cond_key key,
			const char *arg, const struct ebpfpub_string_test *t, size_t n)
{
	EBPFPUB_OPTS(ebpfpub_condition, c, .key = key, .arg = arg, .strings = t, .string_count = n);
	int e = ebpfpub_rule_add_condition(r, group, &c);

	if (e < 0)
		fprintf(stderr, "%s\n", ebpfpub_rule_last_error(r));
	ASSERT(e == 0);
}

/* Runs WORK with the rules on one tracer and none on another (same calls), then checks each
 * rule's matches (WANT), the kernel's share (KFILTERED: calls dropped in the kernel) and
 * that the rule-less tracer's user-space verdicts agree. */
static void run_case(const char *what, const char *syscall, struct ebpfpub_rule **rules,
		     size_t n, void (*work)(void), const size_t *want, uint64_t kfiltered,
		     uint64_t ufiltered)
{
	uint32_t self = (uint32_t)getpid();
	struct seen ruled = { .rules = rules, .rule_count = n };
	struct seen all = { .rules = rules, .rule_count = n, .judge = true };
	struct ebpfpub_tracer *t = tracer_for(&ruled, &self, 1);
	struct ebpfpub_tracer *u = tracer_with(&all, &self, 1, judge_ancestors);
	EBPFPUB_OPTS(ebpfpub_tracer_stats, st);
	size_t i;

	for (i = 0; i < n; i++) {
		int r = ebpfpub_tracer_add_rule(t, rules[i]);

		if (r < 0)
			fprintf(stderr, "%s: add_rule: %s\n", what, ebpfpub_tracer_last_error(t));
		ASSERT(r == 0);
	}
	add_syscall(t, syscall);
	add_syscall(u, syscall);
	work();
	drain(t);
	drain(u);
	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	fprintf(stderr, "%s: %zu events, rules_kernel_filtered %" PRIu64 ", filtered %" PRIu64 "\n%s",
		what, ruled.events, st.rules_kernel_filtered, st.filtered, ebpfpub_tracer_explain(t));
	for (i = 0; i < sizeof(case_explain) / sizeof(case_explain[0]) && case_explain[i]; i++)
		if (!strstr(ebpfpub_tracer_explain(t), case_explain[i])) {
			fprintf(stderr, "%s: the explanation lacks '%s'\n", what, case_explain[i]);
			test_failures++;
		}
	for (i = 0; i < n; i++) {
		CHECK_INT(ruled.per_rule[i], want[i]);
		CHECK_INT(all.judged[i], want[i]);
	}
	CHECK_INT(st.rules_kernel_filtered, kfiltered);
	CHECK(st.kernel_filtered >= kfiltered);
	CHECK_INT(st.filtered, ufiltered);
	CHECK_INT(st.rule_disagreements, 0);
	CHECK_INT(st.in_flight, 0);
	CHECK_INT(st.lost + st.evicted + st.malformed, 0);
	CHECK_INT(st.exit_without_enter, 0);   /* the calls dropped at enter are not misses */
	ebpfpub_tracer_free(t);
	ebpfpub_tracer_free(u);
	for (i = 0; i < n; i++)
		ebpfpub_rule_free(rules[i]);
}

static char dir[48];

static const char *ebpftracer_explain_or(struct ebpfpub_tracer *t)
{
	const char *e = ebpfpub_tracer_explain(t);

	return e ? e : "";
}

static void mk(const char *name, mode_t mode)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	mkdir(p, mode);
}

/* 1000 mkdirs: 10 with mode 0700, 990 with 0755 (then 0711 x5 in a dir "keep-*"). */
static void work_modes(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		char n[32];

		snprintf(n, sizeof(n), "d%d", i);
		mk(n, i % 100 == 0 ? 0700 : 0755);
	}
}

static void test_int_args(void)
{
	struct ebpfpub_int_test eq = { .op = EBPFPUB_INT_EQ, .value = 0700 };
	struct ebpfpub_int_test lt = { .op = EBPFPUB_INT_LT, .value = 0701 };
	struct ebpfpub_int_test mask = { .op = EBPFPUB_INT_MASK, .value = 0055 };
	struct ebpfpub_int_test range = { .op = EBPFPUB_INT_RANGE, .value = 0750, .value2 = 0760 };
	struct ebpfpub_int_test list[] = { { .op = EBPFPUB_INT_EQ, .value = 1 },
					   { .op = EBPFPUB_INT_GE, .value = 0755 } };
	struct ebpfpub_rule *r[5] = { rule("eq", "mkdir"), rule("lt", "mkdir"), rule("mask", "mkdir"),
				      rule("range", "mkdir"), rule("list-ne", "mkdir") };
	const size_t want[5] = { 10, 10, 990, 990, 0 };
	struct ebpfpub_int_test ne = { .op = EBPFPUB_INT_NE, .value = 0755 };

	add_ints(r[0], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &eq, 1);
	add_ints(r[1], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &lt, 1);
	add_ints(r[2], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &mask, 1);
	add_ints(r[3], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &range, 1);
	/* (mode == 1 or mode >= 0755) and mode != 0755 and not mode < 0701: none */
	add_ints(r[4], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, list, 2);
	add_ints(r[4], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &ne, 1);
	add_ints(r[4], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", true, &lt, 1);
	run_case("integer arguments", "mkdir", r, 5, work_modes, want, 0, 0);
}

/* 1000 calls, each matched by some rule: nothing dropped. Then a rule alone. */
static void test_kernel_filtered(void)
{
	struct ebpfpub_int_test eq = { .op = EBPFPUB_INT_EQ, .value = 0700 };
	struct ebpfpub_rule *r[1] = { rule("one-in-100", "mkdir") };
	const size_t want[1] = { 10 };

	add_ints(r[0], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &eq, 1);
	run_case("kernel filter at enter", "mkdir", r, 1, work_modes, want, 990, 0);
}

static void work_exit_codes(void)
{
	int i;

	/* 20 new directories, then the same 20 again: EEXIST */
	for (i = 0; i < 40; i++) {
		char n[32];

		snprintf(n, sizeof(n), "e%d", i % 20);
		mk(n, 0750);
	}
}

static void test_exit_code_pid_uid_comm(void)
{
	struct ebpfpub_int_test eexist = { .op = EBPFPUB_INT_EQ, .value = -EEXIST };
	struct ebpfpub_int_test ok = { .op = EBPFPUB_INT_GE, .value = 0 };
	struct ebpfpub_int_test pid = { .op = EBPFPUB_INT_EQ, .value = getpid() };
	struct ebpfpub_int_test uid = { .op = EBPFPUB_INT_EQ, .value = getuid() };
	struct ebpfpub_int_test init = { .op = EBPFPUB_INT_EQ, .value = 1 };
	struct ebpfpub_string_test comm = { .op = EBPFPUB_STR_EQUALS, .value = "test_rules" };
	struct ebpfpub_string_test comm_prefix = { .op = EBPFPUB_STR_PREFIX, .value = "test_r" };
	struct ebpfpub_string_test comm_glob = { .op = EBPFPUB_STR_GLOB, .value = "*_rul?s" };
	struct ebpfpub_rule *r[6] = { rule("eexist", "mkdir"), rule("created", "mkdir"),
				      rule("me", "mkdir"), rule("init", "mkdir"),
				      rule("comm", "mkdir"), rule("comm-glob", "mkdir") };
	const size_t want[6] = { 20, 20, 40, 0, 40, 40 };

	add_ints(r[0], EBPFPUB_WHEN, EBPFPUB_COND_EXIT_CODE, NULL, false, &eexist, 1);
	add_ints(r[1], EBPFPUB_WHEN, EBPFPUB_COND_EXIT_CODE, NULL, false, &ok, 1);
	add_ints(r[2], EBPFPUB_WHEN, EBPFPUB_COND_PID, NULL, false, &pid, 1);
	add_ints(r[2], EBPFPUB_WHEN, EBPFPUB_COND_UID, NULL, false, &uid, 1);
	add_ints(r[3], EBPFPUB_WHEN, EBPFPUB_COND_PID, NULL, false, &init, 1);
	add_strings(r[4], EBPFPUB_WHEN, EBPFPUB_COND_COMM, NULL, &comm, 1);
	add_strings(r[4], EBPFPUB_WHEN, EBPFPUB_COND_COMM, NULL, &comm_prefix, 1);
	add_strings(r[5], EBPFPUB_WHEN, EBPFPUB_COND_COMM, NULL, &comm_glob, 1);
	run_case("exit code, pid, uid, comm", "mkdir", r, 6, work_exit_codes, want, 0, 0);
}

static void work_paths(void)
{
	int i;

	for (i = 0; i < 30; i++) {
		char n[32];

		/* 10 keep-N-x, 10 keep-N-y, 10 other-N */
		snprintf(n, sizeof(n), "%s-%d-%s", i < 20 ? "keep" : "other", i,
			 i < 10 ? "x" : "y");
		mk(n, 0750);
	}
}

static void test_strings(void)
{
	char prefix[96], exact[96];
	struct ebpfpub_string_test p = { .op = EBPFPUB_STR_PREFIX, .value = prefix };
	struct ebpfpub_string_test eq = { .op = EBPFPUB_STR_EQUALS, .value = exact };
	struct ebpfpub_string_test sfx = { .op = EBPFPUB_STR_SUFFIX, .value = "-x" };
	struct ebpfpub_string_test has = { .op = EBPFPUB_STR_CONTAINS, .value = "r-2" };
	struct ebpfpub_rule *r[3] = { rule("keep-x", "mkdir"), rule("exact", "mkdir"),
				      rule("has", "mkdir") };
	const size_t want[3] = { 10, 1, 10 };

	snprintf(prefix, sizeof(prefix), "%s/keep", dir);
	snprintf(exact, sizeof(exact), "%s/keep-3-x", dir);
	add_strings(r[0], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "pathname", &p, 1);
	add_strings(r[0], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "pathname", &sfx, 1);
	add_strings(r[1], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "pathname", &eq, 1);
	add_strings(r[2], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "pathname", &has, 1);
	/* kernel (prefix, equals at exit): the 10 other-N pass neither prefix nor equals but
	 * "has" (user space) keeps them in the running; of those, "other-2x" match. Dropped
	 * in the kernel: none (rule "has" is user-only); in user space: 30 - 10 - 10 = 10. */
	run_case("strings", "mkdir", r, 3, work_paths, want, 0, 10);
}

static void test_strings_kernel_only(void)
{
	char prefix[96];
	struct ebpfpub_string_test p = { .op = EBPFPUB_STR_PREFIX, .value = prefix };
	struct ebpfpub_int_test mode = { .op = EBPFPUB_INT_EQ, .value = 0750 };
	struct ebpfpub_rule *r[1] = { rule("keep", "mkdir") };
	const size_t want[1] = { 20 };

	snprintf(prefix, sizeof(prefix), "%s/keep", dir);
	add_ints(r[0], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &mode, 1);
	add_strings(r[0], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "pathname", &p, 1);
	/* the 10 other-N: dropped by the exit program */
	run_case("string prefix in the kernel", "mkdir", r, 1, work_paths, want, 10, 0);
}

static void test_unless(void)
{
	struct ebpfpub_int_test all = { .op = EBPFPUB_INT_GE, .value = 0 };
	struct ebpfpub_int_test m700 = { .op = EBPFPUB_INT_EQ, .value = 0700 };
	struct ebpfpub_rule *r[1] = { rule("not-700", "mkdir") };
	const size_t want[1] = { 990 };

	add_ints(r[0], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &all, 1);
	add_ints(r[0], 1, EBPFPUB_COND_ARG, "mode", false, &m700, 1);
	run_case("unless", "mkdir", r, 1, work_modes, want, 10, 0);
}

static uint16_t port_a = 40001, port_b = 40002;

static void udp_connect(int family, const char *addr, uint16_t port)
{
	int fd = socket(family, SOCK_DGRAM, 0);

	ASSERT(fd >= 0);
	if (family == AF_INET) {
		struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };

		inet_pton(AF_INET, addr, &in.sin_addr);
		connect(fd, (struct sockaddr *)&in, sizeof(in));
	} else {
		struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

		inet_pton(AF_INET6, addr, &in6.sin6_addr);
		connect(fd, (struct sockaddr *)&in6, sizeof(in6));
	}
	close(fd);
}

/* 3 x 127.0.0.1:A, 4 x 127.0.0.2:B, 5 x [::1]:B, 6 x 10.1.2.3:A, 1 AF_UNSPEC */
static void work_connects(void)
{
	int i, fd;
	struct sockaddr sa = { .sa_family = AF_UNSPEC };

	for (i = 0; i < 3; i++)
		udp_connect(AF_INET, "127.0.0.1", port_a);
	for (i = 0; i < 4; i++)
		udp_connect(AF_INET, "127.0.0.2", port_b);
	for (i = 0; i < 5; i++)
		udp_connect(AF_INET6, "::1", port_b);
	for (i = 0; i < 6; i++)
		udp_connect(AF_INET, "10.1.2.3", port_a);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	connect(fd, &sa, sizeof(sa));
	close(fd);
}

static struct ebpfpub_cidr cidr(int family, const char *text, uint8_t len)
{
	struct ebpfpub_cidr c = { .family = (uint16_t)family, .prefix_len = len };

	ASSERT(inet_pton(family, text, c.addr) == 1);
	return c;
}

static void add_cidrs(struct ebpfpub_rule *r, uint32_t group, bool negate,
		      const struct ebpfpub_cidr *c, size_t n)
{
	EBPFPUB_OPTS(ebpfpub_condition, cond, .key = EBPFPUB_COND_SOCKADDR_ADDR, .arg = "uservaddr",
		     .negate = negate, .cidrs = c, .cidr_count = n);

	ASSERT(ebpfpub_rule_add_condition(r, group, &cond) == 0);
}

static void test_sockaddr(void)
{
	struct ebpfpub_cidr private[] = { cidr(AF_INET, "127.0.0.0", 8), cidr(AF_INET, "10.0.0.0", 8),
					  cidr(AF_INET6, "::1", 128) };
	struct ebpfpub_int_test pa = { .op = EBPFPUB_INT_EQ, .value = port_a };
	struct ebpfpub_int_test v6 = { .op = EBPFPUB_INT_EQ, .value = AF_INET6 };
	struct ebpfpub_int_test ports = { .op = EBPFPUB_INT_RANGE, .value = port_b, .value2 = port_b };
	struct ebpfpub_int_test inet[] = { { .op = EBPFPUB_INT_EQ, .value = AF_INET },
					   { .op = EBPFPUB_INT_EQ, .value = AF_INET6 } };
	struct ebpfpub_rule *r[5] = { rule("private-except-A", "connect"), rule("v6", "connect"),
				      rule("only-B", "connect"), rule("public", "connect"),
				      rule("in-10", "connect") };
	/* pidtree: private subnets excluded except port A: 3 (127.0.0.1:A) + 6 (10.x:A) */
	const size_t want[5] = { 9, 5, 9, 0, 6 };

	add_ints(r[0], EBPFPUB_WHEN, EBPFPUB_COND_SOCKADDR_FAMILY, "uservaddr", false, inet, 2);
	add_cidrs(r[0], 1, false, private, 3);
	add_ints(r[0], 1, EBPFPUB_COND_SOCKADDR_PORT, "uservaddr", true, &pa, 1);
	add_ints(r[1], EBPFPUB_WHEN, EBPFPUB_COND_SOCKADDR_FAMILY, "uservaddr", false, &v6, 1);
	add_ints(r[2], EBPFPUB_WHEN, EBPFPUB_COND_SOCKADDR_PORT, "uservaddr", false, &ports, 1);
	add_cidrs(r[3], EBPFPUB_WHEN, true, private, 3);
	add_ints(r[3], EBPFPUB_WHEN, EBPFPUB_COND_SOCKADDR_FAMILY, "uservaddr", false, inet, 2);
	add_cidrs(r[4], EBPFPUB_WHEN, false, &private[1], 1);
	/* 19 connects; matched by some rule: 3 + 4 (only-B) + 5 + 6 = 18; AF_UNSPEC: none */
	run_case("sockaddr", "connect", r, 5, work_connects, want, 1, 0);
}

/* A child blocked on a pipe until the tracer is ready, then mkdir with MODE, then reports
 * on another pipe. Returns its wait status; *REPORT gets what it wrote ("" if nothing). */
static volatile sig_atomic_t caught;

static void on_sigint(int sig)
{
	(void)sig;
	caught = 1;
}

static int child_run(const struct ebpfpub_rule *r, mode_t mode, char *report, size_t size,
		     size_t want)
{
	int go[2], back[2], status = 0;
	struct seen s = { 0 };
	struct ebpfpub_tracer *t;
	uint32_t pid;
	ssize_t n;
	char c;
	pid_t child;

	ASSERT(pipe(go) == 0 && pipe(back) == 0);
	child = fork();
	ASSERT(child >= 0);
	if (child == 0) {
		char p[128];

		signal(SIGINT, on_sigint);
		close(go[1]);
		close(back[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		snprintf(p, sizeof(p), "%s/child-%d", dir, (int)getpid());
		mkdir(p, mode);
		n = write(back[1], caught ? "caught" : "alive", caught ? 6 : 5);
		_exit(n > 0 ? 0 : 3);
	}
	close(go[0]);
	close(back[1]);
	pid = (uint32_t)child;
	t = tracer_for(&s, &pid, 1);
	ASSERT(ebpfpub_tracer_add_rule(t, r) == 0);
	add_syscall(t, "mkdir");
	ASSERT(write(go[1], "g", 1) == 1);
	n = read(back[0], report, size - 1);
	report[n > 0 ? n : 0] = '\0';
	ASSERT(waitpid(child, &status, 0) == child);
	drain(t);
	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
		/* The mkdir is delivered (the call is not prevented) or dropped in the kernel. */
		CHECK_INT(s.events, want);
		CHECK_INT(st.rules_kernel_filtered, 1 - want);
		CHECK_INT(st.in_flight + st.exit_not_seen, 0);
	}
	ebpfpub_tracer_free(t);
	close(go[1]);
	close(back[0]);
	return status;
}

static void test_signals(void)
{
	struct ebpfpub_int_test m = { .op = EBPFPUB_INT_EQ, .value = 0711 };
	struct ebpfpub_rule *kill = rule("kill", "mkdir"), *intr = rule("interrupt", "mkdir");
	struct ebpfpub_rule *self = rule("kill-self", "mkdir");
	struct seen s = { 0 };
	uint32_t me = (uint32_t)getpid();
	struct ebpfpub_tracer *t;
	char report[16];
	int status;

	add_ints(kill, EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &m, 1);
	ASSERT(ebpfpub_rule_set_signal(kill, SIGKILL) == 0);
	status = child_run(kill, 0711, report, sizeof(report), 1);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK_STR(report, "");     /* killed before its next syscall (the write) */
	status = child_run(kill, 0712, report, sizeof(report), 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_STR(report, "alive");

	add_ints(intr, EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &m, 1);
	ASSERT(ebpfpub_rule_set_signal(intr, SIGINT) == 0);
	status = child_run(intr, 0711, report, sizeof(report), 1);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_STR(report, "caught");

	/* Sent from the exit program: the exit code is known there. */
	{
		struct ebpfpub_int_test ok = { .op = EBPFPUB_INT_EQ, .value = 0 };
		struct ebpfpub_int_test m714 = { .op = EBPFPUB_INT_EQ, .value = 0714 };
		struct ebpfpub_rule *at_exit = rule("kill-at-exit", "mkdir");

		add_ints(at_exit, EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &m714, 1);
		add_ints(at_exit, EBPFPUB_WHEN, EBPFPUB_COND_EXIT_CODE, NULL, false, &ok, 1);
		ASSERT(ebpfpub_rule_set_signal(at_exit, SIGKILL) == 0);
		status = child_run(at_exit, 0714, report, sizeof(report), 1);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		CHECK_STR(report, "");
		ebpfpub_rule_free(at_exit);
	}

	/* Never the tracer itself. */
	add_ints(self, EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &m, 1);
	ASSERT(ebpfpub_rule_set_signal(self, SIGKILL) == 0);
	t = tracer_for(&s, &me, 1);
	ASSERT(ebpfpub_tracer_add_rule(t, self) == 0);
	add_syscall(t, "mkdir");
	mk("self", 0711);
	drain(t);
	CHECK_INT(s.events, 1);
	ebpfpub_tracer_free(t);
	ebpfpub_rule_free(kill);
	ebpfpub_rule_free(intr);
	ebpfpub_rule_free(self);
}

static void test_errors(void)
{
	struct seen s = { 0 };
	uint32_t me = (uint32_t)getpid();
	struct ebpfpub_tracer *t = tracer_for(&s, &me, 1);
	struct ebpfpub_int_test i = { .op = EBPFPUB_INT_EQ, .value = 1 };
	struct ebpfpub_string_test g = { .op = EBPFPUB_STR_GLOB, .value = "*" };
	struct ebpfpub_rule *r = rule("bad-arg", "mkdir"), *u = rule("user-kill", "mkdir");
	struct ebpfpub_rule *a = rule("auid", "mkdir");
	EBPFPUB_OPTS(ebpfpub_condition, auid, .key = EBPFPUB_COND_AUID, .ints = &i, .int_count = 1);

	add_ints(r, EBPFPUB_WHEN, EBPFPUB_COND_ARG, "flags", false, &i, 1);
	CHECK_INT(ebpfpub_tracer_add_rule(t, r), -EINVAL);
	CHECK_STR(ebpfpub_tracer_last_error(t), "rule 'bad-arg': syscall 'mkdir' has no argument 'flags'");
	add_strings(u, EBPFPUB_WHEN, EBPFPUB_COND_ARG, "pathname", &g, 1);
	ASSERT(ebpfpub_rule_set_signal(u, SIGKILL) == 0);
	CHECK_INT(ebpfpub_tracer_add_rule(t, u), -EINVAL);
	CHECK(strstr(ebpfpub_tracer_last_error(t), "decided in user space") != NULL);
	CHECK_INT(ebpfpub_rule_add_condition(a, EBPFPUB_WHEN, &auid), 0);
	ebpfpub_rule_free(r);
	ebpfpub_rule_free(u);
	ebpfpub_tracer_free(t);
	{
		/* a process condition on a tracer without the process context */
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = on_event, .callback_ctx = &s,
			     .no_process_context = true, .log_fn = test_log);

		ASSERT(ebpfpub_tracer_new(&o, &t) == 0);
		CHECK_INT(ebpfpub_tracer_add_rule(t, a), -EINVAL);
		CHECK_STR(ebpfpub_tracer_last_error(t),
			  "rule 'auid': its auid condition needs the process context, but the tracer was created with no_process_context");
		ebpfpub_tracer_free(t);
	}
	ebpfpub_rule_free(a);
}

/* ---- execve: argv, the comm that changes, the filename read at enter ---- */

static void test_execve_rules(void)
{
	const char *prog = getenv("EBPFPUB_TEST_PRINT_ARGS");
	struct ebpfpub_string_test a0 = { .op = EBPFPUB_STR_EQUALS, .value = "print_args-x" };
	struct ebpfpub_string_test flag = { .op = EBPFPUB_STR_EQUALS, .value = "--flag" };
	struct ebpfpub_string_test glob = { .op = EBPFPUB_STR_GLOB, .value = "--fl*" };
	struct ebpfpub_string_test nope = { .op = EBPFPUB_STR_EQUALS, .value = "--none" };
	struct ebpfpub_string_test newc = { .op = EBPFPUB_STR_EQUALS, .value = "print_args" };
	struct ebpfpub_string_test oldc = { .op = EBPFPUB_STR_EQUALS, .value = "test_rules" };
	struct ebpfpub_string_test file = { .op = EBPFPUB_STR_PREFIX, .value = prog };
	struct ebpfpub_rule *r[7] = { rule("argv0", "execve"), rule("argv-has", "execve"),
				      rule("argv-glob", "execve"), rule("argv-none", "execve"),
				      rule("new-comm", "execve"), rule("old-comm", "execve"),
				      rule("filename", "execve") };
	const size_t want[7] = { 1, 1, 1, 0, 1, 0, 1 };
	struct seen s = { .rules = r, .rule_count = 7 };
	struct seen judge = { .rules = r, .rule_count = 7, .judge = true };
	EBPFPUB_OPTS(ebpfpub_tracer_stats, st);
	struct ebpfpub_tracer *t, *u;
	int go[2], status;
	uint32_t pid;
	pid_t child;
	size_t i;
	char c;

	ASSERT(prog);
	file.value = prog;
	add_strings(r[0], EBPFPUB_WHEN, EBPFPUB_COND_ARGV0, "argv", &a0, 1);
	add_strings(r[1], EBPFPUB_WHEN, EBPFPUB_COND_ARGV_ANY, "argv", &flag, 1);
	add_strings(r[2], EBPFPUB_WHEN, EBPFPUB_COND_ARGV_ANY, "argv", &glob, 1);
	add_strings(r[3], EBPFPUB_WHEN, EBPFPUB_COND_ARGV_ANY, "argv", &nope, 1);
	add_strings(r[4], EBPFPUB_WHEN, EBPFPUB_COND_COMM, NULL, &newc, 1);
	add_strings(r[5], EBPFPUB_WHEN, EBPFPUB_COND_COMM, NULL, &oldc, 1);
	add_strings(r[6], EBPFPUB_WHEN, EBPFPUB_COND_ARG, "filename", &file, 1);
	ASSERT(pipe(go) == 0);
	child = fork();
	ASSERT(child >= 0);
	if (child == 0) {
		char *const argv[] = { "print_args-x", "--flag", NULL };
		char *const envp[] = { "EBPFPUB_PRINT_ARGS_QUIET=1", NULL };

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		execve(prog, argv, envp);
		_exit(3);
	}
	close(go[0]);
	pid = (uint32_t)child;
	t = tracer_for(&s, &pid, 1);
	u = tracer_for(&judge, &pid, 1);
	for (i = 0; i < 7; i++)
		ASSERT(ebpfpub_tracer_add_rule(t, r[i]) == 0);
	add_syscall(t, "execve");
	add_syscall(u, "execve");
	fprintf(stderr, "%s", ebpftracer_explain_or(t));
	ASSERT(write(go[1], "g", 1) == 1);
	ASSERT(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	drain(t);
	drain(u);
	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	CHECK_INT(s.events, 1);
	CHECK_INT(judge.events, 1);
	for (i = 0; i < 7; i++) {
		CHECK_INT(s.per_rule[i], want[i]);
		CHECK_INT(judge.judged[i], want[i]);
	}
	CHECK_INT(st.rule_disagreements, 0);
	ebpfpub_tracer_free(t);
	ebpfpub_tracer_free(u);
	close(go[1]);
	for (i = 0; i < 7; i++)
		ebpfpub_rule_free(r[i]);
}

/* AF_UNIX: the family in the kernel, the path in user space. */
static void work_unix(void)
{
	const char *names[] = { "sock-a", "sock-a", "other" };
	int i;

	for (i = 0; i < 3; i++) {
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		ASSERT(fd >= 0);
		snprintf(un.sun_path, sizeof(un.sun_path), "%s/%s", dir, names[i]);
		connect(fd, (struct sockaddr *)&un, sizeof(un));
		close(fd);
	}
	udp_connect(AF_INET, "127.0.0.1", port_a);
}

static void test_unix_path(void)
{
	struct ebpfpub_int_test unix_family = { .op = EBPFPUB_INT_EQ, .value = AF_UNIX };
	struct ebpfpub_string_test sfx = { .op = EBPFPUB_STR_SUFFIX, .value = "/sock-a" };
	struct ebpfpub_rule *r[1] = { rule("unix-a", "connect") };
	const size_t want[1] = { 2 };
	EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_SOCKADDR_PATH, .arg = "uservaddr",
		     .strings = &sfx, .string_count = 1);

	add_ints(r[0], EBPFPUB_WHEN, EBPFPUB_COND_SOCKADDR_FAMILY, "uservaddr", false, &unix_family, 1);
	ASSERT(ebpfpub_rule_add_condition(r[0], EBPFPUB_WHEN, &c) == 0);
	/* the AF_INET connect: in the kernel; "other": in user space */
	run_case("AF_UNIX path", "connect", r, 1, work_unix, want, 1, 1);
}

/* ---- the process context: containers, cgroups, ancestors, auid ---- */

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CG_DOCKER "system.slice/docker-" HEX64 ".scope"
#define CG_HOST "system.slice/ssh.service"

static char cg_test[700];    /* our cgroup below the cgroup2 mount */
static char cg_rel[128];     /* its path as the kernel names it: /ebpfpub-rules-PID */
static pid_t main_pid;

static void cg_cleanup(void)
{
	if (getpid() == main_pid && cg_test[0])
		cgroup_dir_remove(cg_test);
}

static void cg_make(const char *rel)
{
	char path[1200], *p;

	snprintf(path, sizeof(path), "%s/%s", cg_test, rel);
	for (p = path + strlen(cg_test) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		ASSERT(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	ASSERT(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* In a child: moves it into cgroup REL of ours. */
static void cg_enter(const char *rel)
{
	char path[1200];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", cg_test, rel);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "0", 1) != 1)
		_exit(3);
	close(fd);
}

static void child_mkdirs(const char *rel, const char *comm, int n)
{
	int i;

	cg_enter(rel);
	if (comm)
		prctl(PR_SET_NAME, comm);
	for (i = 0; i < n; i++) {
		char p[128];

		snprintf(p, sizeof(p), "%s/ctx-%d-%d", dir, (int)getpid(), i);
		mkdir(p, 0700);
	}
}

static void wait_ok(pid_t pid)
{
	int st;

	ASSERT(pid >= 0);
	ASSERT(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* 6 mkdirs, all in our cgroup: 3 by a host child (system.slice/ssh.service), 2 by a docker
 * child, 1 by a grandchild "rules-kid" whose parent is "rules-anc" (host, no mkdir). */
static void work_context(void)
{
	pid_t a, b, c;

	if ((a = fork()) == 0) {
		child_mkdirs(CG_HOST, NULL, 3);
		_exit(0);
	}
	wait_ok(a);
	if ((b = fork()) == 0) {
		child_mkdirs(CG_DOCKER, NULL, 2);
		_exit(0);
	}
	wait_ok(b);
	if ((c = fork()) == 0) {
		pid_t kid;
		int st;

		cg_enter(CG_HOST);
		prctl(PR_SET_NAME, "rules-anc");
		if ((kid = fork()) == 0) {
			child_mkdirs(CG_HOST, "rules-kid", 1);
			_exit(0);
		}
		_exit(kid > 0 && waitpid(kid, &st, 0) == kid && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0 ? 0 : 4);
	}
	wait_ok(c);
}

static uint32_t self_auid(void)
{
	char buf[32] = "";
	int fd = open("/proc/self/loginuid", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 ? (uint32_t)strtoul(buf, NULL, 10) : EBPFPUB_AUID_UNSET;
}

static void test_process_context(void)
{
	char root[512], below_docker[256], below_all[256], prefix[32];
	struct ebpfpub_string_test any = { .op = EBPFPUB_STR_EQUALS, .value = "any" };
	struct ebpfpub_string_test host = { .op = EBPFPUB_STR_EQUALS, .value = "host" };
	struct ebpfpub_string_test docker = { .op = EBPFPUB_STR_EQUALS, .value = "docker" };
	struct ebpfpub_string_test id = { .op = EBPFPUB_STR_PREFIX, .value = prefix };
	struct ebpfpub_string_test other_id = { .op = EBPFPUB_STR_PREFIX, .value = "fedcba98" };
	struct ebpfpub_string_test cg_docker = { .op = EBPFPUB_STR_EQUALS, .value = below_docker };
	struct ebpfpub_string_test cg_all = { .op = EBPFPUB_STR_EQUALS, .value = below_all };
	struct ebpfpub_string_test anc = { .op = EBPFPUB_STR_EQUALS, .value = "rules-anc" };
	struct ebpfpub_string_test kid = { .op = EBPFPUB_STR_EQUALS, .value = "rules-kid" };
	uint32_t auid = self_auid();
	struct ebpfpub_int_test unset = { .op = EBPFPUB_INT_EQ, .value = EBPFPUB_AUID_UNSET };
	struct ebpfpub_int_test mine = { .op = EBPFPUB_INT_EQ, .value = auid };
	struct ebpfpub_int_test not_mine = { .op = EBPFPUB_INT_EQ, .value = auid ^ 1u };
	size_t six = 6;

	if (features_find_cgroup2("/proc/self/mountinfo", root, sizeof(root)) !=
		    EBPFPUB_FEATURE_YES || !root[0]) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
		test_skip_or_fail("no cgroup2 mount");
	}
	main_pid = getpid();
	snprintf(cg_rel, sizeof(cg_rel), "/ebpfpub-rules-%d", (int)getpid());
	snprintf(cg_test, sizeof(cg_test), "%s%s", root, cg_rel);
	ASSERT(mkdir(cg_test, 0755) == 0);
	atexit(cg_cleanup);
	cg_make(CG_DOCKER);
	cg_make(CG_HOST);
	snprintf(below_docker, sizeof(below_docker), "%s/system.slice/docker-0123", cg_rel);
	snprintf(below_all, sizeof(below_all), "%s/", cg_rel);
	snprintf(prefix, sizeof(prefix), "%.12s", HEX64);
	fprintf(stderr, "process context: cgroup %s, auid %u\n", cg_test, auid);
	case_cgroup = cg_test;
	judge_ancestors = 8;
	{
		/* "docker-0123" is a name's prefix, not a cgroup: no task is in it */
		struct ebpfpub_rule *r[10] = {
			rule("c-any", "mkdir"), rule("c-host", "mkdir"), rule("c-docker", "mkdir"),
			rule("c-id", "mkdir"), rule("c-other-id", "mkdir"), rule("cg-part", "mkdir"),
			rule("cg-all", "mkdir"), rule("anc", "mkdir"), rule("anc-self", "mkdir"),
			rule("cg-docker-host", "mkdir"),
		};
		const size_t want[10] = { 2, 4, 2, 2, 0, 0, 6, 1, 0, 0 };
		char docker_cg[256];
		struct ebpfpub_string_test cg_d = { .op = EBPFPUB_STR_EQUALS, .value = docker_cg };

		snprintf(docker_cg, sizeof(docker_cg), "%s/%s", cg_rel, CG_DOCKER);
		add_strings(r[0], EBPFPUB_WHEN, EBPFPUB_COND_CONTAINER, NULL, &any, 1);
		add_strings(r[1], EBPFPUB_WHEN, EBPFPUB_COND_CONTAINER, NULL, &host, 1);
		add_strings(r[2], EBPFPUB_WHEN, EBPFPUB_COND_CONTAINER, NULL, &docker, 1);
		add_strings(r[3], EBPFPUB_WHEN, EBPFPUB_COND_CONTAINER, NULL, &id, 1);
		add_strings(r[4], EBPFPUB_WHEN, EBPFPUB_COND_CONTAINER, NULL, &other_id, 1);
		add_strings(r[5], EBPFPUB_WHEN, EBPFPUB_COND_CGROUP, NULL, &cg_docker, 1);
		add_strings(r[6], EBPFPUB_WHEN, EBPFPUB_COND_CGROUP, NULL, &cg_all, 1);
		add_strings(r[7], EBPFPUB_WHEN, EBPFPUB_COND_ANCESTOR, NULL, &anc, 1);
		/* the caller's own comm is not an ancestor's */
		add_strings(r[8], EBPFPUB_WHEN, EBPFPUB_COND_ANCESTOR, NULL, &kid, 1);
		/* in the docker cgroup (2 calls), unless a container: none */
		add_strings(r[9], EBPFPUB_WHEN, EBPFPUB_COND_CGROUP, NULL, &cg_d, 1);
		add_strings(r[9], 1, EBPFPUB_COND_CONTAINER, NULL, &any, 1);
		case_explain[0] = "rule c-any, syscall mkdir:\n  when container: user space\n";
		case_explain[1] = "rule cg-all, syscall mkdir:\n  when cgroup: kernel enter\n";
		case_explain[2] = "rule anc, syscall mkdir:\n  when ancestor: user space\n";
		case_explain[3] = "rule cg-docker-host, syscall mkdir:\n  when cgroup: kernel enter\n  unless container: user space\n";
		/* a cgroup that does not exist (yet): user space */
		case_explain[4] = "rule cg-part, syscall mkdir:\n  when cgroup: user space\n";
		run_case("container, cgroup, ancestor", "mkdir", r, 10, work_context, want, 0, 0);
	}
	{
		/* auid: in the exit program. This machine's tasks may never have logged in. */
		struct ebpfpub_rule *r[3] = { rule("auid-mine", "mkdir"), rule("auid-unset", "mkdir"),
					      rule("auid-other", "mkdir") };
		/* a kernel without audit has no /proc/self/loginuid: auid then never holds */
		bool audit = access("/proc/self/loginuid", F_OK) == 0;
		const size_t want[3] = { audit ? 6 : 0, audit && auid == EBPFPUB_AUID_UNSET ? 6 : 0, 0 };

		add_ints(r[0], EBPFPUB_WHEN, EBPFPUB_COND_AUID, NULL, false, &mine, 1);
		add_ints(r[1], EBPFPUB_WHEN, EBPFPUB_COND_AUID, NULL, false, &unset, 1);
		add_ints(r[2], EBPFPUB_WHEN, EBPFPUB_COND_AUID, NULL, false, &not_mine, 1);
		case_explain[0] = "rule auid-mine, syscall mkdir:\n  when auid: kernel exit\n";
		case_explain[1] = case_explain[2] = case_explain[3] = case_explain[4] = NULL;
		run_case("auid", "mkdir", r, 3, work_context, want, audit ? 0 : 6, 0);
	}
	{
		/* the docker cgroup alone: the 4 other calls dropped by the enter program */
		char docker_cg[256];
		struct ebpfpub_string_test cg_d = { .op = EBPFPUB_STR_EQUALS, .value = docker_cg };
		struct ebpfpub_rule *r[1] = { rule("cg-docker", "mkdir") };
		const size_t two = 2;

		snprintf(docker_cg, sizeof(docker_cg), "%s/%s", cg_rel, CG_DOCKER);
		add_strings(r[0], EBPFPUB_WHEN, EBPFPUB_COND_CGROUP, NULL, &cg_d, 1);
		case_explain[0] = "rule cg-docker, syscall mkdir:\n  when cgroup: kernel enter\n";
		run_case("cgroup in the kernel", "mkdir", r, 1, work_context, &two, 4, 0);
	}
	{
		/* a rule that wants no call: all 6 dropped by the exit program */
		struct ebpfpub_rule *r[1] = { rule("auid-none", "mkdir") };
		const size_t none = 0;

		add_ints(r[0], EBPFPUB_WHEN, EBPFPUB_COND_AUID, NULL, false, &not_mine, 1);
		case_explain[0] = "rule auid-none, syscall mkdir:\n  when auid: kernel exit\n";
		run_case("auid in the kernel", "mkdir", r, 1, work_context, &none, six, 0);
	}
	case_explain[0] = NULL;
	case_cgroup = NULL;
	judge_ancestors = 0;
}

/* ---- reload ---- */

/* mkdirs until told to stop: at least 1000 before the reload and 1000 after it, however
 * slow the machine (a VM without KVM generates programs slowly). */
static volatile int storm_stop;
static volatile uint64_t storm_calls;

static volatile size_t storm_delivered;   /* by the callback */

/* Calls mkdir until told to stop, at most 20,000 calls ahead of what was delivered: a storm
 * that keeps calling while the reload generates and switches programs (nothing is polled
 * then), not a flood that a loaded machine's ring cannot hold. */
static void *storm(void *arg)
{
	char p[128];
	uint64_t calls;

	(void)arg;
	snprintf(p, sizeof(p), "%s/storm", dir);
	while (!storm_stop) {
		mkdir(p, 0700);   /* EEXIST after the first */
		calls = __atomic_add_fetch(&storm_calls, 1, __ATOMIC_RELAXED);
		if (calls % 256 == 0)
			usleep(50);
		while (!storm_stop && calls > storm_delivered + 20000)
			usleep(200);
	}
	return NULL;
}

static void storm_wait(struct ebpfpub_tracer *t, uint64_t calls)
{
	while (__atomic_load_n(&storm_calls, __ATOMIC_RELAXED) < calls)
		ASSERT(ebpfpub_tracer_poll(t, 1) >= 0);
}

struct names {
	size_t a, b, other;
};

static int count_names(void *ctx, const struct ebpfpub_event *e)
{
	struct names *n = ctx;

	storm_delivered++;
	if (e->rule_count == 1 && !strcmp(e->rules[0], "gen-a"))
		n->a++;
	else if (e->rule_count == 1 && !strcmp(e->rules[0], "gen-b"))
		n->b++;
	else
		n->other++;
	return 0;
}

static void test_reload(void)
{
	struct ebpfpub_int_test me = { .op = EBPFPUB_INT_EQ, .value = getpid() };
	struct ebpfpub_int_test m700 = { .op = EBPFPUB_INT_EQ, .value = 0700 };
	struct ebpfpub_int_test any = { .op = EBPFPUB_INT_LE, .value = 0 };
	struct ebpfpub_rule *a = rule("gen-a", "mkdir"), *b = rule("gen-b", "mkdir");
	struct ebpfpub_rule *bad = rule("bad", "mkdir");
	const struct ebpfpub_rule *set_b[1] = { b }, *set_bad[2] = { b, bad };
	uint32_t self = (uint32_t)getpid();
	struct names n = { 0 };
	struct ebpfpub_tracer *t = NULL;
	struct ebpfpub_perf_output *out = NULL;
	/* Room for what the storm writes while the reload generates programs (no poll then). */
	EBPFPUB_OPTS(ebpfpub_perf_output_opts, po, .page_exp = 11);
	EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = count_names, .callback_ctx = &n,
		     .trace_self = true, .pids = &self, .pid_count = 1, .log_fn = test_log);
	EBPFPUB_OPTS(ebpfpub_tracer_stats, st);
	const char *text;
	pthread_t th;

	add_ints(a, EBPFPUB_WHEN, EBPFPUB_COND_PID, NULL, false, &me, 1);
	add_ints(a, EBPFPUB_WHEN, EBPFPUB_COND_ARG, "mode", false, &m700, 1);
	add_ints(b, EBPFPUB_WHEN, EBPFPUB_COND_PID, NULL, false, &me, 1);
	add_ints(b, EBPFPUB_WHEN, EBPFPUB_COND_EXIT_CODE, NULL, false, &any, 1);
	add_ints(bad, EBPFPUB_WHEN, EBPFPUB_COND_ARG, "flags", false, &me, 1);
	ASSERT(ebpfpub_perf_output_new(&po, &out) == 0);
	o.perf_output = out;
	ASSERT(ebpfpub_tracer_new(&o, &t) == 0);
	ASSERT(ebpfpub_tracer_add_rule(t, a) == 0);
	add_syscall(t, "mkdir");
	/* the same rules again: the programs are kept (the same text, not regenerated) */
	text = ebpfpub_tracer_program_text(t, "mkdir", EBPFPUB_PROGRAM_INSNS);
	{
		const struct ebpfpub_rule *set_a[1] = { a };

		CHECK_INT(ebpfpub_tracer_set_rules(t, set_a, 1), 0);
	}
	CHECK(ebpfpub_tracer_program_text(t, "mkdir", EBPFPUB_PROGRAM_INSNS) == text);
	/* a broken set changes nothing */
	CHECK_INT(ebpfpub_tracer_set_rules(t, set_bad, 2), -EINVAL);
	CHECK(ebpfpub_tracer_program_text(t, "mkdir", EBPFPUB_PROGRAM_INSNS) == text);

	ASSERT(pthread_create(&th, NULL, storm, NULL) == 0);
	storm_wait(t, 1000);
	/* switched while the storm runs */
	{
		/* by content: the new text may well reuse the old one's freed memory */
		char *old_text = strdup(text);

		ASSERT(old_text);
		CHECK_INT(ebpfpub_tracer_set_rules(t, set_b, 1), 0);
		CHECK(strcmp(ebpfpub_tracer_program_text(t, "mkdir", EBPFPUB_PROGRAM_INSNS),
			     old_text) != 0);
		free(old_text);
	}
	storm_wait(t, __atomic_load_n(&storm_calls, __ATOMIC_RELAXED) + 1000);
	storm_stop = 1;
	ASSERT(pthread_join(th, NULL) == 0);
	drain(t);
	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	fprintf(stderr, "reload: %zu events of gen-a, %zu of gen-b, %zu other; lost %" PRIu64
		", exit without enter %" PRIu64 "\n", n.a, n.b, n.other, st.lost,
		st.exit_without_enter);
	/* The first mkdir created the directory (exit code 0): gen-a may have it, gen-b not
	 * (exit_code <= 0 holds for 0 too); every call is delivered exactly once. */
	CHECK_INT(n.a + n.b, storm_calls);
	CHECK(n.a > 0);
	CHECK(n.b > 0);
	CHECK_INT(n.other, 0);
	CHECK_INT(st.events, storm_calls);
	CHECK_INT(st.lost + st.evicted + st.in_flight + st.rule_disagreements, 0);
	ebpfpub_tracer_free(t);
	ebpfpub_perf_output_free(out);
	ebpfpub_rule_free(a);
	ebpfpub_rule_free(b);
	ebpfpub_rule_free(bad);
}

int main(void)
{
	char cmd[128];

	test_require_root();
	snprintf(dir, sizeof(dir), "/tmp/ebpfpub_rules_%d", (int)getpid());
	ASSERT(mkdir(dir, 0700) == 0);
	test_errors();
	test_int_args();
	snprintf(cmd, sizeof(cmd), "rm -rf %s/d*", dir);
	ASSERT(system(cmd) == 0);
	test_kernel_filtered();
	ASSERT(system(cmd) == 0);
	test_unless();
	test_exit_code_pid_uid_comm();
	test_strings();
	snprintf(cmd, sizeof(cmd), "rm -rf %s/keep* %s/other*", dir, dir);
	ASSERT(system(cmd) == 0);
	test_strings_kernel_only();
	test_sockaddr();
	test_signals();
	test_execve_rules();
	test_unix_path();
	test_reload();
	test_process_context();   /* last: without a cgroup2 mount it skips (exits 77) */
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ASSERT(system(cmd) == 0);
	return test_finish("test_rules");
}
