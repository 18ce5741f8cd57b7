/* SPDX-License-Identifier: Apache-2.0 */
/* execve and execveat of children of this test, traced with the built-in execve serializer:
 * argv read from the new program after success (even from pages the caller never touched), from
 * the caller after failure, truncation of the count and of one argument, and bad input. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"

static char helper[PATH_MAX];
static char *const child_env[] = { "EBPFPUB_PRINT_ARGS_QUIET=1", NULL };

/* Per event, what capture.h does not keep. */
struct extra {
	bool more;
};
struct exec_list {
	struct cap_list l;
	struct extra *x;
	size_t xcap;
};

static int exec_callback(void *ctx, const struct ebpfpub_event *e)
{
	struct exec_list *el = ctx;
	const struct ebpfpub_field *f = ebpfpub_event_field(e, "argv");

	if (el->l.count == el->xcap) {
		el->xcap = el->xcap ? el->xcap * 2 : 64;
		el->x = realloc(el->x, el->xcap * sizeof(*el->x));
		ASSERT(el->x);
	}
	el->x[el->l.count].more = f && f->type == EBPFPUB_VALUE_ARGV && f->value.argv.more;
	return cap_callback(&el->l, e);
}

/* A tracer for execve and execveat of the processes named like this one: the children that
 * this test forks, until they exec. */
static struct ebpfpub_tracer *exec_tracer(struct exec_list *el,
					  struct ebpfpub_buffer_storage *storage)
{
	static char comm[16];
	struct ebpfpub_tracer *t = NULL;
	FILE *fp = fopen("/proc/self/comm", "r");
	int r;

	ASSERT(fp && fgets(comm, sizeof(comm), fp));
	fclose(fp);
	comm[strcspn(comm, "\n")] = '\0';
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .attach_mode = cap_attach_mode(), .callback = exec_callback, .callback_ctx = el,
			     .trace_self = true, .comm = comm, .buffer_storage = storage,
			     .log_fn = test_log);

		r = ebpfpub_tracer_new(&o, &t);
	}
	if (r == -EPERM || r == -EACCES)
		test_skip_or_fail("no privilege to create BPF maps");
	ASSERT(r == 0);
	r = ebpfpub_tracer_add_syscall(t, "execve");
	if (r == -ENODEV)
		test_skip_or_fail("tracefs is not mounted");
	if (r < 0)
		fprintf(stderr, "execve: %s\n", ebpfpub_tracer_last_error(t));
	ASSERT(r == 0);
	r = ebpfpub_tracer_add_syscall(t, "execveat");
	if (r < 0)
		fprintf(stderr, "execveat: %s\n", ebpfpub_tracer_last_error(t));
	ASSERT(r == 0);
	CHECK_STR(ebpfpub_tracer_serializer_name(t, "execve"), "execve");
	CHECK_STR(ebpfpub_tracer_serializer_name(t, "execveat"), "execve");
	return t;
}

/* Reads S in the child: fork does not copy the page tables of file mappings (string
 * literals), and the enter program cannot fault pages in; a caller that built its argv has
 * touched it. test_untouched() is about the other case. */
static void touch(const char *s)
{
	if ((uintptr_t)s >= 4096) {
		volatile size_t n = strlen(s);

		(void)n;
	}
}

/* Forks a child that calls execve(PATH, ARGV, env) (or execveat on DIRFD with FLAGS when
 * DIRFD >= 0) and exits 127 if that fails; returns its pid once it is gone. */
static pid_t run_exec(int dirfd, const char *path, char *const *argv, int flags)
{
	pid_t pid = fork();
	int status, i;

	ASSERT(pid >= 0);
	if (pid == 0) {
		touch(path);
		for (i = 0; (uintptr_t)argv >= 4096 && argv[i]; i++)
			touch(argv[i]);
		if (dirfd >= 0)
			syscall(SYS_execveat, dirfd, path, argv, child_env, flags);
		else
			syscall(SYS_execve, path, argv, child_env);
		_exit(127);
	}
	ASSERT(waitpid(pid, &status, 0) == pid);
	return pid;
}

static const struct cap_event *find_pid(struct ebpfpub_tracer *t, struct exec_list *el,
					const char *syscall, pid_t pid, size_t *index)
{
	int waited;
	size_t i;

	for (waited = 0; waited <= 5000; waited += 20) {
		for (i = 0; i < el->l.count; i++)
			if (el->l.ev[i].pid == (uint32_t)pid && !strcmp(el->l.ev[i].syscall, syscall)) {
				if (index)
					*index = i;
				return &el->l.ev[i];
			}
		ASSERT(ebpfpub_tracer_poll(t, 20) >= 0);
	}
	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
		fprintf(stderr,
			"no %s event of pid %d (lost %llu, malformed %llu, enter_dropped %llu, exit_without_enter %llu)\n",
			syscall, (int)pid, (unsigned long long)st.lost,
			(unsigned long long)st.malformed, (unsigned long long)st.enter_dropped,
			(unsigned long long)st.exit_without_enter);
	}
	return NULL;
}

static const struct cap_field *argv_field(const struct cap_event *e)
{
	const struct cap_field *f = cap_field(e, "argv");

	ASSERT(f);
	CHECK_INT(f->type, EBPFPUB_VALUE_ARGV);
	return f;
}

/* The event's argv is exactly ARGV (N entries), every entry unflagged. */
static void check_argv(const struct cap_field *f, char *const *argv, uint32_t n)
{
	uint32_t i;

	CHECK_INT(f->argc, n);
	for (i = 0; i < n && i < f->argc && i < CAP_MAX_ARGV; i++) {
		CHECK_STR(f->argv[i], argv[i]);
		CHECK_INT(f->argv_flags[i], 0);
	}
}

/* Whether this kernel gives a program execve'd with an empty argv one empty argument (Linux
 * 5.18 and later do): asked of the kernel, by running the helper that way. */
static bool kernel_inserts_argv0(void)
{
	static char *const env[] = { "EBPFPUB_PRINT_ARGS_EXIT_ARGC=1", NULL };
	static char *const none[] = { NULL };
	pid_t pid = fork();
	int status;

	ASSERT(pid >= 0);
	if (pid == 0) {
		syscall(SYS_execve, helper, none, env);
		_exit(127);
	}
	ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	ASSERT(WEXITSTATUS(status) <= 1);
	return WEXITSTATUS(status) == 1;
}

static void test_counts(struct ebpfpub_tracer *t, struct exec_list *el)
{
	char *none[] = { NULL };
	char *one[] = { "print_args", NULL };
	char *three[] = { "print_args", "two words", "x", NULL };
	char *empty[] = { "print_args", "", "mid", "", NULL };
	char *many[40];
	char bufs[40][16];
	const struct cap_event *e;
	const struct cap_field *f;
	size_t idx;
	pid_t pid;
	int i;

	for (i = 0; i < 33; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "arg%d", i);
		many[i] = bufs[i];
	}
	many[33] = NULL;

	/* No argument at all: Linux 5.18+ hands the program one empty string. */
	pid = run_exec(-1, helper, none, 0);
	e = find_pid(t, el, "execve", pid, &idx);
	ASSERT(e);
	CHECK_STR(e->serializer, "execve");
	CHECK_INT(e->exit_code, 0);
	CHECK_STR(e->comm, "print_args");
	CHECK_STR(cap_field(e, "filename")->str, helper);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_NEW_MM);
	CHECK_INT(f->flags, 0);
	if (kernel_inserts_argv0()) {
		CHECK_INT(f->argc, 1);
		CHECK_STR(f->argc ? f->argv[0] : NULL, "");
	} else {
		CHECK_INT(f->argc, 0);
	}

	pid = run_exec(-1, helper, one, 0);
	e = find_pid(t, el, "execve", pid, &idx);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_NEW_MM);
	CHECK_INT(f->flags, 0);
	check_argv(f, one, 1);
	CHECK(!el->x[idx].more);

	pid = run_exec(-1, helper, three, 0);
	e = find_pid(t, el, "execve", pid, &idx);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_NEW_MM);
	CHECK_INT(f->flags, 0);
	check_argv(f, three, 3);

	/* Empty strings are arguments like the others. */
	pid = run_exec(-1, helper, empty, 0);
	e = find_pid(t, el, "execve", pid, &idx);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = argv_field(e);
	CHECK_INT(f->flags, 0);
	check_argv(f, empty, 4);

	/* 33 arguments, 32 by default: the first 32, and the field says there were more. */
	pid = run_exec(-1, helper, many, 0);
	e = find_pid(t, el, "execve", pid, &idx);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_NEW_MM);
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	check_argv(f, many, 32);
	CHECK(el->x[idx].more);

	/* The same from the caller's memory: a failed call. */
	pid = run_exec(-1, "/nonexistent/ebpfpub-test", many, 0);
	e = find_pid(t, el, "execve", pid, &idx);
	ASSERT(e);
	CHECK_INT(e->exit_code, -ENOENT);
	CHECK_STR(cap_field(e, "filename")->str, "/nonexistent/ebpfpub-test");
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_CALLER);
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	check_argv(f, many, 32);
	CHECK(el->x[idx].more);

	pid = run_exec(-1, "/nonexistent/ebpfpub-test", empty, 0);
	e = find_pid(t, el, "execve", pid, &idx);
	ASSERT(e);
	CHECK_INT(e->exit_code, -ENOENT);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_CALLER);
	CHECK_INT(f->flags, 0);
	check_argv(f, empty, 4);
	CHECK(!el->x[idx].more);
	CHECK_INT(e->probe_error, 0);
}

/* Thousands of arguments: at most max_items, never a lost event. */
static void test_thousands(struct ebpfpub_tracer *t, struct exec_list *el)
{
	enum { N = 5000 };
	char **argv = calloc(N + 1, sizeof(*argv));
	const struct cap_event *e;
	const struct cap_field *f;
	size_t idx;
	pid_t pid;
	int i;

	ASSERT(argv);
	for (i = 0; i < N; i++) {
		argv[i] = malloc(16);
		ASSERT(argv[i]);
		snprintf(argv[i], 16, "many%d", i);
	}
	pid = run_exec(-1, helper, argv, 0);
	e = find_pid(t, el, "execve", pid, &idx);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_NEW_MM);
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	check_argv(f, argv, 32);
	CHECK(el->x[idx].more);

	pid = run_exec(-1, "/nonexistent/ebpfpub-test", argv, 0);
	e = find_pid(t, el, "execve", pid, &idx);
	ASSERT(e);
	CHECK_INT(e->exit_code, -ENOENT);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_CALLER);
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	check_argv(f, argv, 32);
	CHECK(el->x[idx].more);
	for (i = 0; i < N; i++)
		free(argv[i]);
	free(argv);
}

/* NULL and unreadable argv, an unreadable argument: flagged events. */
static void test_bad(struct ebpfpub_tracer *t, struct exec_list *el)
{
	char *bad_arg[] = { "print_args", (char *)1, "after", NULL };
	const struct cap_event *e;
	const struct cap_field *f;
	pid_t pid;

	pid = run_exec(-1, "/nonexistent/ebpfpub-test", NULL, 0);
	e = find_pid(t, el, "execve", pid, NULL);
	ASSERT(e);
	CHECK_INT(e->exit_code, -ENOENT);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_CALLER);
	CHECK_INT(f->flags, EBPFPUB_FIELD_NULL);
	CHECK_INT(f->argc, 0);

	/* A NULL argv still runs the program (with one empty argument on Linux 5.18+). */
	pid = run_exec(-1, helper, NULL, 0);
	e = find_pid(t, el, "execve", pid, NULL);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_NEW_MM);

	pid = run_exec(-1, helper, (char *const *)8, 0);
	e = find_pid(t, el, "execve", pid, NULL);
	ASSERT(e);
	CHECK_INT(e->exit_code, -EFAULT);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_CALLER);
	CHECK_INT(f->flags, EBPFPUB_FIELD_UNREADABLE);
	CHECK_INT(f->argc, 0);
	CHECK(e->probe_error & EBPFPUB_PROBE_ERROR_READ);

	pid = run_exec(-1, helper, bad_arg, 0);
	e = find_pid(t, el, "execve", pid, NULL);
	ASSERT(e);
	CHECK_INT(e->exit_code, -EFAULT);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_CALLER);
	CHECK_INT(f->flags, EBPFPUB_FIELD_UNREADABLE);
	CHECK_INT(f->argc, 3);
	if (f->argc == 3) {
		CHECK_STR(f->argv[0], "print_args");
		CHECK_INT(f->argv_flags[0], 0);
		CHECK_STR(f->argv[1], "");
		CHECK_INT(f->argv_flags[1], EBPFPUB_FIELD_UNREADABLE);
		CHECK_STR(f->argv[2], "after");
		CHECK_INT(f->argv_flags[2], 0);
	}

	/* An unreadable filename. */
	pid = run_exec(-1, (const char *)16, bad_arg + 2, 0);
	e = find_pid(t, el, "execve", pid, NULL);
	ASSERT(e);
	CHECK_INT(e->exit_code, -EFAULT);
	CHECK_INT(cap_field(e, "filename")->flags, EBPFPUB_FIELD_UNREADABLE);
	check_argv(argv_field(e), bad_arg + 2, 1);
}

static void test_execveat(struct ebpfpub_tracer *t, struct exec_list *el)
{
	char *argv[] = { "fexecve'd", "--flag", NULL };
	const struct cap_event *e;
	const struct cap_field *f;
	int fd = open(helper, O_RDONLY | O_CLOEXEC);
	pid_t pid;

	ASSERT(fd >= 0);
	pid = run_exec(fd, "", argv, AT_EMPTY_PATH);
	e = find_pid(t, el, "execveat", pid, NULL);
	ASSERT(e);
	CHECK_STR(e->serializer, "execve");
	CHECK_INT(e->exit_code, 0);
	CHECK_INT(cap_field(e, "fd")->s, fd);
	CHECK_INT(cap_field(e, "flags")->s, AT_EMPTY_PATH);
	CHECK_STR(cap_field(e, "filename")->str, "");
	CHECK_INT(cap_field(e, "filename")->flags, 0);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_NEW_MM);
	CHECK_INT(f->flags, 0);
	check_argv(f, argv, 2);

	/* A failing execveat: the caller's argv. */
	pid = run_exec(fd, "no-such-file", argv, 0);
	e = find_pid(t, el, "execveat", pid, NULL);
	ASSERT(e);
	CHECK_INT(e->exit_code, -ENOTDIR);
	f = argv_field(e);
	CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_CALLER);
	check_argv(f, argv, 2);
	close(fd);
}

/* argv strings in a file mapping that the child maps and never reads before execve: the
 * enter program cannot read them (no page fault allowed), the exit program reads the copy in
 * the new program. Many times, every argv complete. */
static void test_untouched(struct ebpfpub_tracer *t, struct exec_list *el)
{
	enum { RUNS = 200, NARGS = 6 };
	static const char *const strs[NARGS] = { "print_args", "untouched", "", "pages",
						 "of a file mapping", "end" };
	char path[64], content[512], *expect[NARGS];
	size_t offs[NARGS], size = 0, fname_off;
	pid_t pids[RUNS];
	int fd, i, run, read_errors = 0;

	for (i = 0; i < NARGS; i++) {
		size_t n = strlen(strs[i]) + 1;

		ASSERT(size + n <= sizeof(content));
		offs[i] = size;
		memcpy(content + size, strs[i], n);
		size += n;
		expect[i] = (char *)strs[i];
	}
	/* The filename too lives in the untouched mapping: read from the new program's stack. */
	fname_off = size;
	ASSERT(size + strlen(helper) + 1 <= sizeof(content));
	memcpy(content + size, helper, strlen(helper) + 1);
	size += strlen(helper) + 1;
	snprintf(path, sizeof(path), "/tmp/ebpfpub-test-argv-%d", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT(fd >= 0);
	ASSERT(write(fd, content, size) == (ssize_t)size);
	for (run = 0; run < RUNS; run++) {
		pid_t pid = fork();
		int status;

		ASSERT(pid >= 0);
		if (pid == 0) {
			char *argv[NARGS + 1];
			char *base = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);

			if (base == MAP_FAILED)
				_exit(126);
			for (i = 0; i < NARGS; i++)
				argv[i] = base + offs[i];
			argv[NARGS] = NULL;
			syscall(SYS_execve, base + fname_off, argv, child_env);
			_exit(127);
		}
		ASSERT(waitpid(pid, &status, 0) == pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		pids[run] = pid;
		ASSERT(ebpfpub_tracer_poll(t, 0) >= 0);
	}
	for (run = 0; run < RUNS; run++) {
		const struct cap_event *e = find_pid(t, el, "execve", pids[run], NULL);
		const struct cap_field *f;

		ASSERT(e);
		CHECK_INT(e->exit_code, 0);
		f = argv_field(e);
		CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_NEW_MM);
		CHECK_INT(f->flags, 0);
		check_argv(f, expect, NARGS);
		CHECK_STR(cap_field(e, "filename")->str, helper);
		CHECK_INT(cap_field(e, "filename")->flags, 0);
		read_errors += (e->probe_error & EBPFPUB_PROBE_ERROR_READ) != 0;
	}
	/* The enter program did fail to read the strings: the test saw untouched pages. */
	fprintf(stderr, "untouched: %d of %d enter-time reads failed\n", read_errors, RUNS);
	CHECK(read_errors > 0);

	/* When such an exec fails, only the enter-time capture exists: every string flagged. */
	{
		pid_t pid = fork();
		const struct cap_event *e;
		const struct cap_field *f;
		int status;

		ASSERT(pid >= 0);
		if (pid == 0) {
			char *argv[NARGS + 1];
			char *base = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);

			if (base == MAP_FAILED)
				_exit(126);
			for (i = 0; i < NARGS; i++)
				argv[i] = base + offs[i];
			argv[NARGS] = NULL;
			syscall(SYS_execve, "/nonexistent/ebpfpub-test", argv, child_env);
			_exit(127);
		}
		ASSERT(waitpid(pid, &status, 0) == pid);
		e = find_pid(t, el, "execve", pid, NULL);
		ASSERT(e);
		CHECK_INT(e->exit_code, -ENOENT);
		/* The filename (a literal the child never read) is read again at exit: the
		 * kernel faulted it in. */
		CHECK_STR(cap_field(e, "filename")->str, "/nonexistent/ebpfpub-test");
		CHECK_INT(cap_field(e, "filename")->flags, 0);
		f = argv_field(e);
		CHECK_INT(f->argv_source, EBPFPUB_ARGV_FROM_CALLER);
		CHECK_INT(f->flags, EBPFPUB_FIELD_UNREADABLE);
		CHECK_INT(f->argc, NARGS);
		for (i = 0; i < NARGS && i < (int)f->argc; i++) {
			CHECK_STR(f->argv[i], "");
			CHECK_INT(f->argv_flags[i], EBPFPUB_FIELD_UNREADABLE);
		}
	}
	close(fd);
	unlink(path);
}

/* buffer_size 64: an argument of 100 bytes is cut to 63, flagged, from either source. */
static void test_long_arg(void)
{
	struct ebpfpub_buffer_storage *st = NULL;
	struct exec_list el = { 0 };
	struct ebpfpub_tracer *t;
	char longarg[101], *argv[] = { "print_args", longarg, "short", NULL };
	const struct cap_event *e;
	const struct cap_field *f;
	size_t idx;
	pid_t pid;
	int pass;

	{
		EBPFPUB_OPTS(ebpfpub_buffer_storage_opts, so, .buffer_size = 64);

		ASSERT(ebpfpub_buffer_storage_new(&so, &st) == 0);
	}
	memset(longarg, 'L', 100);
	longarg[100] = '\0';
	t = exec_tracer(&el, st);
	for (pass = 0; pass < 2; pass++) {
		pid = run_exec(-1, pass ? "/nonexistent/ebpfpub-test" : helper, argv, 0);
		e = find_pid(t, &el, "execve", pid, &idx);
		ASSERT(e);
		CHECK_INT(e->exit_code, pass ? -ENOENT : 0);
		f = argv_field(e);
		CHECK_INT(f->argv_source,
			  pass ? EBPFPUB_ARGV_FROM_CALLER : EBPFPUB_ARGV_FROM_NEW_MM);
		CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
		CHECK_INT(f->argc, 3);
		if (f->argc == 3) {
			CHECK_STR(f->argv[0], "print_args");
			CHECK_INT(f->argv_flags[0], 0);
			CHECK_INT(strlen(f->argv[1]), 63);
			CHECK(strncmp(f->argv[1], longarg, 63) == 0);
			CHECK_INT(f->argv_flags[1], EBPFPUB_FIELD_TRUNCATED);
			CHECK_STR(f->argv[2], "short");
			CHECK_INT(f->argv_flags[2], 0);
		}
		CHECK(!el.x[idx].more);
		CHECK(e->probe_error & EBPFPUB_PROBE_ERROR_TRUNCATED || !pass);
	}
	ebpfpub_tracer_free(t);
	ebpfpub_buffer_storage_free(st);
	cap_clear(&el.l);
	free(el.l.ev);
	free(el.x);
}

int main(void)
{
	struct exec_list el = { 0 };
	struct ebpfpub_tracer *t;
	const char *env = getenv("EBPFPUB_TEST_PRINT_ARGS");

	test_require_root();
	if (env && *env) {
		snprintf(helper, sizeof(helper), "%s", env);
	} else {
		/* Run by hand: print_args is built next to this test. */
		ssize_t n = readlink("/proc/self/exe", helper, sizeof(helper) - 32);

		ASSERT(n > 0);
		helper[n] = '\0';
		strcpy(strrchr(helper, '/') + 1, "print_args");
	}
	ASSERT(access(helper, X_OK) == 0);

	t = exec_tracer(&el, NULL);
	test_counts(t, &el);
	test_thousands(t, &el);
	test_bad(t, &el);
	test_execveat(t, &el);
	test_untouched(t, &el);
	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
		CHECK_INT(st.lost, 0);
		CHECK_INT(st.malformed, 0);
		CHECK_INT(st.enter_dropped, 0);
	}
	ebpfpub_tracer_free(t);
	cap_clear(&el.l);
	free(el.l.ev);
	free(el.x);

	test_long_arg();
	return test_finish("test_execve");
}
