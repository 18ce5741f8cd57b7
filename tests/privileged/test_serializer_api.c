/* SPDX-License-Identifier: Apache-2.0 */
/* The public serializer interface: registration errors, a user serializer for a syscall that
 * has none (write: a buffer; sendto, getsockname: socket addresses), one that replaces a
 * built-in (execve with its own argument count and bytes per argument, up to the maximum of
 * 1024 arguments), and the decode hook. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "layout.h"
#include "record.h"

static char *const child_env[] = { "EBPFPUB_PRINT_ARGS_QUIET=1", NULL };
static char helper[PATH_MAX];

static struct ebpfpub_tracer *new_tracer(struct cap_list *l, bool children)
{
	static uint32_t self;
	static char comm[16];
	struct ebpfpub_tracer *t = NULL;
	int r;

	self = (uint32_t)getpid();
	if (children) {
		FILE *fp = fopen("/proc/self/comm", "r");

		ASSERT(fp && fgets(comm, sizeof(comm), fp));
		fclose(fp);
		comm[strcspn(comm, "\n")] = '\0';
	}
	{
		/* children: everything named like this test (its forks, until they exec). */
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = cap_callback, .callback_ctx = l,
			     .trace_self = true, .pids = children ? NULL : &self,
			     .pid_count = children ? 0 : 1, .comm = children ? comm : NULL,
			     .log_fn = test_log);

		r = ebpfpub_tracer_new(&o, &t);
	}
	if (r == -EPERM || r == -EACCES)
		test_skip_or_fail("no privilege to create BPF maps");
	ASSERT(r == 0);
	return t;
}

static const struct cap_event *find_pid(struct ebpfpub_tracer *t, struct cap_list *l,
					const char *syscall, pid_t pid)
{
	int waited;
	size_t i;

	for (waited = 0; waited <= 5000; waited += 20) {
		for (i = 0; i < l->count; i++)
			if (l->ev[i].pid == (uint32_t)pid && !strcmp(l->ev[i].syscall, syscall))
				return &l->ev[i];
		ASSERT(ebpfpub_tracer_poll(t, 20) >= 0);
	}
	fprintf(stderr, "no %s event of pid %d\n", syscall, (int)pid);
	return NULL;
}

static void test_errors(void)
{
	static const struct ebpfpub_capture missing[] = {
		{ .arg = "no_such_arg", .kind = EBPFPUB_CAPTURE_STRING },
	};
	static const struct ebpfpub_capture twice[] = {
		{ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER, .size_arg = "count" },
		{ .arg = "buf", .kind = EBPFPUB_CAPTURE_STRING },
	};
	static const struct ebpfpub_capture bad_kind[] = {
		{ .arg = "buf", .kind = (enum ebpfpub_capture_kind)99 },
	};
	static const struct ebpfpub_capture too_many[] = {
		{ .arg = "argv", .kind = EBPFPUB_CAPTURE_ARGV, .when = EBPFPUB_AT_ENTER,
		  .max_items = LAYOUT_ARGV_MAX_ITEMS + 1 },
	};
	static const struct ebpfpub_capture len_ptr_at_enter[] = {
		{ .arg = "upeer_sockaddr", .kind = EBPFPUB_CAPTURE_SOCKADDR, .when = EBPFPUB_AT_ENTER,
		  .size_arg = "upeer_addrlen", .size_is_pointer = true },
	};
	static const struct ebpfpub_capture buf_no_size[] = {
		{ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER },
	};
	static const struct ebpfpub_capture ok[] = {
		{ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER, .size_arg = "count", .size = 64 },
	};
#define SER(NAME, CAPS)                                                                      \
	{ .sz = sizeof(struct ebpfpub_serializer), .name = NAME, .captures = CAPS,           \
	  .capture_count = sizeof(CAPS) / sizeof(CAPS[0]) }
	static const struct ebpfpub_serializer s_missing = SER("missing", missing);
	static const struct ebpfpub_serializer s_twice = SER("twice", twice);
	static const struct ebpfpub_serializer s_bad_kind = SER("bad_kind", bad_kind);
	static const struct ebpfpub_serializer s_too_many = SER("too_many", too_many);
	static const struct ebpfpub_serializer s_len_ptr = SER("len_ptr", len_ptr_at_enter);
	static const struct ebpfpub_serializer s_no_size = SER("no_size", buf_no_size);
	static const struct ebpfpub_serializer s_ok = SER("ok", ok);
	static const struct ebpfpub_serializer s_ok2 = SER("ok2", ok);
	struct ebpfpub_serializer s_small = s_ok;
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = new_tracer(&l, false);
	const char *msg;

	CHECK_INT(ebpfpub_tracer_set_serializer(t, "no_such_syscall", &s_ok), -ENOENT);
	msg = ebpfpub_tracer_last_error(t);
	fprintf(stderr, "expected: %s\n", msg);
	CHECK(strstr(msg, "no_such_syscall") != NULL);

	CHECK_INT(ebpfpub_tracer_set_serializer(t, "write", &s_missing), -EINVAL);
	msg = ebpfpub_tracer_last_error(t);
	fprintf(stderr, "expected: %s\n", msg);
	CHECK(strstr(msg, "no_such_arg") != NULL);

	CHECK_INT(ebpfpub_tracer_set_serializer(t, "write", &s_twice), -EINVAL);
	CHECK(strstr(ebpfpub_tracer_last_error(t), "twice") != NULL);
	CHECK_INT(ebpfpub_tracer_set_serializer(t, "write", &s_bad_kind), -EINVAL);
	CHECK(strstr(ebpfpub_tracer_last_error(t), "kind") != NULL);
	CHECK_INT(ebpfpub_tracer_set_serializer(t, "execve", &s_too_many), -EINVAL);
	CHECK(strstr(ebpfpub_tracer_last_error(t), "max_items") != NULL);
	CHECK_INT(ebpfpub_tracer_set_serializer(t, "accept", &s_len_ptr), -EINVAL);
	CHECK_INT(ebpfpub_tracer_set_serializer(t, "write", &s_no_size), -EINVAL);
	CHECK_INT(ebpfpub_tracer_set_serializer(t, "write", NULL), -EINVAL);
	s_small.sz = 4;
	CHECK_INT(ebpfpub_tracer_set_serializer(t, "write", &s_small), -EINVAL);
	/* None of the failures registered anything. */
	CHECK_STR(ebpfpub_tracer_serializer_name(t, "write"), "generic");

	CHECK_INT(ebpfpub_tracer_set_serializer(t, "write", &s_ok), 0);
	CHECK_STR(ebpfpub_tracer_serializer_name(t, "write"), "ok");
	CHECK_INT(ebpfpub_tracer_set_serializer(t, "write", &s_ok2), -EEXIST);
	msg = ebpfpub_tracer_last_error(t);
	fprintf(stderr, "expected: %s\n", msg);
	CHECK(strstr(msg, "write") != NULL && strstr(msg, "ok") != NULL);
	CHECK_STR(ebpfpub_tracer_serializer_name(t, "write"), "ok");

	/* Once a syscall is traced, its serializer is fixed. */
	ASSERT(ebpfpub_tracer_add_syscall(t, "mkdir") == 0);
	CHECK_INT(ebpfpub_tracer_set_serializer(t, "mkdir", &s_ok), -EEXIST);

	/* Built-in ones, and the generic one for the rest. */
	CHECK_STR(ebpfpub_tracer_serializer_name(t, "connect"), "connect");
	CHECK_STR(ebpfpub_tracer_serializer_name(t, "execveat"), "execve");
	CHECK_STR(ebpfpub_tracer_serializer_name(t, "openat"), "generic");
	ebpfpub_tracer_free(t);
	free(l.ev);
}

/* The hook sees each decoded event and drops the writes of exactly 3 bytes. */
static int hook_calls;
static int drop_three(void *ctx, const struct ebpfpub_event *e)
{
	const struct ebpfpub_field *count = ebpfpub_event_field(e, "count");

	CHECK(ctx == &hook_calls);
	CHECK_STR(e->serializer, "write_buf");
	hook_calls++;
	return count && count->value.u == 3 ? -1 : 0;
}

static void test_user_serializers(void)
{
	static const struct ebpfpub_capture write_caps[] = {
		{ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER, .when = EBPFPUB_AT_ENTER,
		  .size_arg = "count", .size = 64 },
	};
	static const struct ebpfpub_serializer write_ser = {
		.sz = sizeof(struct ebpfpub_serializer), .name = "write_buf",
		.captures = write_caps, .capture_count = 1,
		.decode_hook = drop_three, .hook_ctx = &hook_calls,
	};
	static const struct ebpfpub_capture sendto_caps[] = {
		{ .arg = "addr", .kind = EBPFPUB_CAPTURE_SOCKADDR, .when = EBPFPUB_AT_ENTER,
		  .size_arg = "addr_len" },
		{ .arg = "buff", .kind = EBPFPUB_CAPTURE_BUFFER, .when = EBPFPUB_AT_ENTER,
		  .size_arg = "len", .size = 16 },
	};
	static const struct ebpfpub_serializer sendto_ser = {
		.sz = sizeof(struct ebpfpub_serializer), .name = "sendto_addr",
		.captures = sendto_caps, .capture_count = 2,
	};
	/* getsockname: the address the kernel wrote, with the length it wrote. */
	static const struct ebpfpub_capture getsockname_caps[] = {
		{ .arg = "usockaddr", .kind = EBPFPUB_CAPTURE_SOCKADDR, .when = EBPFPUB_AT_EXIT,
		  .size_arg = "usockaddr_len", .size_is_pointer = true },
	};
	static const struct ebpfpub_serializer getsockname_ser = {
		.sz = sizeof(struct ebpfpub_serializer), .name = "getsockname_addr",
		.captures = getsockname_caps, .capture_count = 1,
	};
	static const char *const names[] = { "write", "sendto", "getsockname", "mkdir" };
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = new_tracer(&l, false);
	char big[100];
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) }, me;
	socklen_t me_len = sizeof(me);
	const struct cap_event *e;
	const struct cap_field *f;
	size_t i, writes = 0;

	ASSERT(devnull >= 0 && udp >= 0);
	ASSERT(ebpfpub_tracer_set_serializer(t, "write", &write_ser) == 0);
	ASSERT(ebpfpub_tracer_set_serializer(t, "sendto", &sendto_ser) == 0);
	ASSERT(ebpfpub_tracer_set_serializer(t, "getsockname", &getsockname_ser) == 0);
	for (i = 0; i < 4; i++) {
		int r = ebpfpub_tracer_add_syscall(t, names[i]);

		if (r < 0)
			fprintf(stderr, "%s: %s\n", names[i], ebpfpub_tracer_last_error(t));
		ASSERT(r == 0);
	}
	memset(big, 'B', sizeof(big));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	ASSERT(write(devnull, "hello world", 11) == 11);
	ASSERT(write(devnull, "abc", 3) == 3);           /* dropped by the hook */
	ASSERT(write(devnull, big, sizeof(big)) == sizeof(big));
	ASSERT(sendto(udp, "datagram payload longer than 16", 31, 0, (struct sockaddr *)&to,
		      sizeof(to)) == 31);
	ASSERT(getsockname(udp, (struct sockaddr *)&me, &me_len) == 0);
	ASSERT(mkdir("/nonexistent/ebpfpub-test", 0700) == -1);
	cap_poll_until(t, &l, "mkdir", 1, 5000);

	for (i = 0; i < l.count; i++) {
		e = &l.ev[i];
		if (strcmp(e->syscall, "write") != 0 || cap_field(e, "fd")->u != (uint64_t)devnull)
			continue;
		writes++;
		CHECK_STR(e->serializer, "write_buf");
		f = cap_field(e, "buf");
		CHECK_INT(f->type, EBPFPUB_VALUE_BYTES);
		CHECK(cap_field(e, "count")->u != 3);
		if (cap_field(e, "count")->u == 11) {
			CHECK_INT(f->flags, 0);
			CHECK_INT(f->len, 11);
			CHECK_STR(f->str, "hello world");
			CHECK_INT(e->exit_code, 11);
		} else {
			CHECK_INT(cap_field(e, "count")->u, sizeof(big));
			CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
			CHECK_INT(f->len, 64);
			CHECK(memcmp(f->str, big, 64) == 0);
		}
	}
	CHECK_INT(writes, 2);
	CHECK(hook_calls >= 3);

	e = cap_find(&l, "sendto", NULL, NULL);
	ASSERT(e);
	CHECK_STR(e->serializer, "sendto_addr");
	CHECK_INT(e->exit_code, 31);
	f = cap_field(e, "addr");
	CHECK_INT(f->type, EBPFPUB_VALUE_SOCKADDR);
	CHECK_INT(f->flags, 0);
	CHECK_INT(f->sa.family, AF_INET);
	CHECK_INT(f->sa.port, 9);
	CHECK(memcmp(f->sa.addr, &to.sin_addr, 4) == 0);
	f = cap_field(e, "buff");
	CHECK_INT(f->type, EBPFPUB_VALUE_BYTES);
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK_STR(f->str, "datagram payload");

	e = cap_find(&l, "getsockname", NULL, NULL);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	f = cap_field(e, "usockaddr");
	CHECK_INT(f->type, EBPFPUB_VALUE_SOCKADDR);
	CHECK_INT(f->flags, 0);
	CHECK_INT(f->sa.family, AF_INET);
	CHECK_INT(f->sa.port, ntohs(me.sin_port));
	CHECK(memcmp(f->sa.addr, &me.sin_addr, 4) == 0);

	e = cap_find(&l, "mkdir", "pathname", "/nonexistent/ebpfpub-test");
	ASSERT(e);
	CHECK_STR(e->serializer, "generic");
	CHECK_INT(e->exit_code, -ENOENT);
	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
		CHECK(st.filtered >= 1);
		CHECK_INT(st.malformed, 0);
	}
	close(devnull);
	close(udp);
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
}

/* Forks a child that execs PATH with ARGV (touched first: see test_execve.c). */
static pid_t run_exec(const char *path, char *const *argv)
{
	pid_t pid = fork();
	int status, i;

	ASSERT(pid >= 0);
	if (pid == 0) {
		volatile size_t n0 = strlen(path);

		(void)n0;
		for (i = 0; argv[i]; i++) {
			volatile size_t n = strlen(argv[i]);

			(void)n;
		}
		syscall(SYS_execve, path, argv, child_env);
		_exit(127);
	}
	ASSERT(waitpid(pid, &status, 0) == pid);
	return pid;
}

/* execve with a serializer of the user's: 4 arguments of at most 16 bytes. */
static void test_execve_limits(void)
{
	static const struct ebpfpub_capture caps[] = {
		{ .arg = "filename", .kind = EBPFPUB_CAPTURE_STRING, .when = EBPFPUB_AT_ENTER },
		{ .arg = "argv", .kind = EBPFPUB_CAPTURE_ARGV, .when = EBPFPUB_AT_ENTER,
		  .max_items = 4, .size = 16 },
	};
	static const struct ebpfpub_serializer ser = {
		.sz = sizeof(struct ebpfpub_serializer), .name = "small_execve",
		.captures = caps, .capture_count = 2,
	};
	char *argv[] = { "print_args", "a-rather-long-argument", "", "three", "four", NULL };
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = new_tracer(&l, true);
	int pass;

	ASSERT(ebpfpub_tracer_set_serializer(t, "execve", &ser) == 0);
	ASSERT(ebpfpub_tracer_add_syscall(t, "execve") == 0);
	for (pass = 0; pass < 2; pass++) {
		pid_t pid = run_exec(pass ? "/nonexistent/ebpfpub-test" : helper, argv);
		const struct cap_event *e = find_pid(t, &l, "execve", pid);
		const struct cap_field *f;

		ASSERT(e);
		CHECK_STR(e->serializer, "small_execve");
		CHECK_INT(e->exit_code, pass ? -ENOENT : 0);
		f = cap_field(e, "argv");
		CHECK_INT(f->argv_source, pass ? EBPFPUB_ARGV_FROM_CALLER : EBPFPUB_ARGV_FROM_NEW_MM);
		CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
		CHECK_INT(f->argc, 4);
		if (f->argc == 4) {
			CHECK_STR(f->argv[0], "print_args");
			CHECK_INT(f->argv_flags[0], 0);
			CHECK_STR(f->argv[1], "a-rather-long-a");
			CHECK_INT(f->argv_flags[1], EBPFPUB_FIELD_TRUNCATED);
			CHECK_STR(f->argv[2], "");
			CHECK_INT(f->argv_flags[2], 0);
			CHECK_STR(f->argv[3], "three");
			CHECK_INT(f->argv_flags[3], 0);
		}
	}
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
}

/* The most arguments a serializer may ask for: the program loads, and 2000 arguments arrive
 * as the first 1024, flagged. */
static struct {
	uint32_t count, bad, flags;
	bool more;
	int source;
	pid_t pid;
} big_seen[2];
static int big_calls;

static int big_callback(void *ctx, const struct ebpfpub_event *e)
{
	const struct ebpfpub_field *f = ebpfpub_event_field(e, "argv");
	uint32_t i;

	(void)ctx;
	if (big_calls >= 2 || !f || f->type != EBPFPUB_VALUE_ARGV)
		return 0;
	big_seen[big_calls].pid = (pid_t)e->pid;
	big_seen[big_calls].count = f->value.argv.count;
	big_seen[big_calls].more = f->value.argv.more;
	big_seen[big_calls].flags = f->flags;
	big_seen[big_calls].source = f->value.argv.source;
	for (i = 0; i < f->value.argv.count; i++) {
		char want[16];

		snprintf(want, sizeof(want), "a%u", i);
		if (strcmp(f->value.argv.args[i].data, want) != 0 || f->value.argv.args[i].len != strlen(want) ||
		    f->value.argv.arg_flags[i] != 0)
			big_seen[big_calls].bad++;
	}
	big_calls++;
	return 0;
}

static void test_execve_max(void)
{
	static const struct ebpfpub_capture caps[] = {
		{ .arg = "filename", .kind = EBPFPUB_CAPTURE_STRING, .when = EBPFPUB_AT_ENTER },
		{ .arg = "argv", .kind = EBPFPUB_CAPTURE_ARGV, .when = EBPFPUB_AT_ENTER,
		  .max_items = LAYOUT_ARGV_MAX_ITEMS },
	};
	static const struct ebpfpub_serializer ser = {
		.sz = sizeof(struct ebpfpub_serializer), .name = "max_execve",
		.captures = caps, .capture_count = 2,
	};
	enum { N = 2000 };
	static const char nonexistent[] = "/nonexistent/ebpfpub-test";
	static char comm[16];
	char **argv = calloc(N + 1, sizeof(*argv));
	struct ebpfpub_tracer *t = NULL;
	struct layout_storage st;
	uint32_t fit, off, i;
	pid_t pids[2];
	int pass, r;

	{
		FILE *fp = fopen("/proc/self/comm", "r");

		ASSERT(fp && fgets(comm, sizeof(comm), fp));
		fclose(fp);
		comm[strcspn(comm, "\n")] = '\0';
	}
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = big_callback, .comm = comm,
			     .log_fn = test_log);

		ASSERT(ebpfpub_tracer_new(&o, &t) == 0);
	}
	ASSERT(ebpfpub_tracer_set_serializer(t, "execve", &ser) == 0);
	r = ebpfpub_tracer_add_syscall(t, "execve");
	if (r < 0)
		fprintf(stderr, "execve with 1024 arguments: %s\n", ebpfpub_tracer_last_error(t));
	ASSERT(r == 0);
	ASSERT(argv);
	for (i = 0; i < N; i++) {
		argv[i] = malloc(16);
		ASSERT(argv[i]);
		snprintf(argv[i], 16, "a%u", i);
	}
	for (pass = 0; pass < 2; pass++) {
		pids[pass] = run_exec(pass ? nonexistent : helper, argv);
		while (big_calls <= pass) {
			r = ebpfpub_tracer_poll(t, 5000);
			ASSERT(r > 0);
		}
	}
	CHECK_INT(big_seen[0].pid, pids[0]);
	CHECK_INT(big_seen[0].source, EBPFPUB_ARGV_FROM_NEW_MM);
	CHECK_INT(big_seen[0].count, LAYOUT_ARGV_MAX_ITEMS);
	CHECK(big_seen[0].more);
	CHECK_INT(big_seen[0].flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK_INT(big_seen[0].bad, 0);

	/* From the caller (a failed call), the event's room at enter (16 KiB with the default
	 * storage) holds fewer: as many 16-byte items as fit after the header, the filename and
	 * the argv header, after the process context (on by default). The event says it was
	 * cut. */
	layout_storage_init(&st, 4096, 8);
	fit = st.capacity < LAYOUT_ENTER_CAPACITY_MAX ? st.capacity : LAYOUT_ENTER_CAPACITY_MAX;
	off = RECORD_HEADER_SIZE + 3 * 8 + RECORD_CONTEXT_SIZE + RECORD_ITEM_SIZE +
	      record_align(sizeof(nonexistent)) +
	      RECORD_ITEM_SIZE + sizeof(struct record_argv_end);
	fit = (fit - off + 15) / 16;
	CHECK_INT(big_seen[1].pid, pids[1]);
	CHECK_INT(big_seen[1].source, EBPFPUB_ARGV_FROM_CALLER);
	CHECK_INT(big_seen[1].count, fit);
	CHECK(big_seen[1].more);
	CHECK_INT(big_seen[1].flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK_INT(big_seen[1].bad, 0);
	fprintf(stderr, "1024-argument serializer: %u from the new program, %u from the caller\n",
		big_seen[0].count, big_seen[1].count);
	for (i = 0; i < N; i++)
		free(argv[i]);
	free(argv);
	ebpfpub_tracer_free(t);
}

static int short_hook_calls;

static int counting_hook(void *ctx, const struct ebpfpub_event *ev)
{
	(void)ctx;
	(void)ev;
	short_hook_calls++;
	return -1;
}

/* A caller built against a struct that ended before decode_hook: the bytes where a newer
 * library has the hook are not the caller's and must never be used. */
static void test_short_serializer_struct(void)
{
	static const struct ebpfpub_capture caps[] = {
		{ .arg = "pathname", .kind = EBPFPUB_CAPTURE_STRING },
	};
	struct ebpfpub_serializer ser = { .sz = offsetof(struct ebpfpub_serializer, decode_hook),
					  .name = "short", .captures = caps, .capture_count = 1,
					  .decode_hook = counting_hook };
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = new_tracer(&l, false);
	char path[64];

	ASSERT(ebpfpub_tracer_set_serializer(t, "mkdir", &ser) == 0);
	memset(&ser, 0xff, sizeof(ser));   /* the library keeps its own copy */
	ASSERT(ebpfpub_tracer_add_syscall(t, "mkdir") == 0);
	CHECK_STR(ebpfpub_tracer_serializer_name(t, "mkdir"), "short");
	snprintf(path, sizeof(path), "/tmp/ebpfpub-short-%d", getpid());
	ASSERT(mkdir(path, 0700) == 0);
	ASSERT(rmdir(path) == 0);
	cap_poll_until(t, &l, "mkdir", 1, 3000);
	CHECK_INT(cap_count(&l, "mkdir"), 1);
	CHECK_INT(short_hook_calls, 0);
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
}

int main(void)
{
	const char *env = getenv("EBPFPUB_TEST_PRINT_ARGS");

	test_require_root();
	if (env && *env) {
		snprintf(helper, sizeof(helper), "%s", env);
	} else {
		ssize_t n = readlink("/proc/self/exe", helper, sizeof(helper) - 32);

		ASSERT(n > 0);
		helper[n] = '\0';
		strcpy(strrchr(helper, '/') + 1, "print_args");
	}
	ASSERT(access(helper, X_OK) == 0);

	test_errors();
	test_user_serializers();
	test_execve_limits();
	test_execve_max();
	test_short_serializer_struct();
	return test_finish("test_serializer_api");
}
