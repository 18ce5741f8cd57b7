/* SPDX-License-Identifier: Apache-2.0 */
/* Bad input gets a clear error naming what was wrong and what to do; nothing crashes. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "capture.h"
#include "loader.h"

static char logged[8192];

static void keep_log(void *ctx, enum ebpfpub_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(logged, sizeof(logged), "%s", msg);
}

static int nop_cb(void *ctx, const struct ebpfpub_event *e)
{
	(void)ctx;
	(void)e;
	return 0;
}

static struct ebpfpub_tracer *new_tracer(const char *tracefs)
{
	struct ebpfpub_tracer *t = NULL;
	EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = nop_cb, .tracefs_path = tracefs,
		     .log_fn = keep_log);

	ASSERT(ebpfpub_tracer_new(&o, &t) == 0);
	return t;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ASSERT(fd >= 0);
	ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static void test_unknown_syscall(void)
{
	struct ebpfpub_tracer *t = new_tracer(NULL);

	CHECK_INT(ebpfpub_tracer_add_syscall(t, "mkdr"), -ENOENT);
	CHECK(strstr(ebpfpub_tracer_last_error(t), "unknown syscall 'mkdr'") != NULL);
	CHECK(strstr(ebpfpub_tracer_last_error(t), "'mkdir'") != NULL);
	CHECK(strstr(logged, "'mkdir'") != NULL);  /* the log hook got it too */
	CHECK_INT(ebpfpub_tracer_add_syscall(t, "no_such_call_at_all"), -ENOENT);
	CHECK(strstr(ebpfpub_tracer_last_error(t), "no_such_call_at_all") != NULL);
	CHECK_INT(ebpfpub_tracer_add_syscall(t, ""), -EINVAL);
	CHECK_INT(ebpfpub_tracer_add_syscall(t, "umask"), 0);
	CHECK_INT(ebpfpub_tracer_add_syscall(t, "umask"), -EEXIST);
	CHECK(strstr(ebpfpub_tracer_last_error(t), "traced already") != NULL);
	ebpfpub_tracer_free(t);
}

static void test_tracefs(void)
{
	char root[128], path[256];
	struct ebpfpub_tracer *t;

	/* Not mounted: say how to mount it. */
	t = new_tracer("/nonexistent-tracefs");
	CHECK_INT(ebpfpub_tracer_add_syscall(t, "mkdir"), -ENODEV);
	CHECK(strstr(ebpfpub_tracer_last_error(t), "mount -t tracefs") != NULL);
	ebpfpub_tracer_free(t);

	/* A syscall with an enter tracepoint only. */
	snprintf(root, sizeof(root), "/tmp/ebpfpub-fake-tracefs-%d", getpid());
	mkdir(root, 0755);
	snprintf(path, sizeof(path), "%s/events", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/events/syscalls", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_halfcall", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_halfcall/format", root);
	write_file(path, "name: sys_enter_halfcall\nID: 1\nformat:\n");
	t = new_tracer(root);
	CHECK_INT(ebpfpub_tracer_add_syscall(t, "halfcall"), -ENOENT);
	CHECK(strstr(ebpfpub_tracer_last_error(t), "no sys_exit_halfcall tracepoint") != NULL);
	ebpfpub_tracer_free(t);
	unlink(path);
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_halfcall", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/events/syscalls", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/events", root);
	rmdir(path);
	rmdir(root);
}

static void test_bad_options(void)
{
	struct ebpfpub_tracer *t = NULL;
	struct ebpfpub_buffer_storage *s = NULL;
	struct ebpfpub_perf_output *p = NULL;

	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .log_fn = keep_log);
		CHECK_INT(ebpfpub_tracer_new(&o, &t), -EINVAL);   /* no callback */
		CHECK(strstr(logged, "callback is required") != NULL);
	}
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = nop_cb, .event_map_size = 3,
			     .log_fn = keep_log);
		CHECK_INT(ebpfpub_tracer_new(&o, &t), -EINVAL);
		CHECK(strstr(logged, "event_map_size 3") != NULL);
	}
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = nop_cb, .comm = "a-name-longer-than-15",
			     .log_fn = keep_log);
		CHECK_INT(ebpfpub_tracer_new(&o, &t), -EINVAL);
		CHECK(strstr(logged, "comm") != NULL);
	}
	{
		/* A newer caller's bigger struct with a non-zero field we don't know. */
		struct {
			struct ebpfpub_tracer_opts o;
			uint64_t future;
		} big;

		memset(&big, 0, sizeof(big));
		big.o.sz = sizeof(big);
		big.o.callback = nop_cb;
		big.o.log_fn = keep_log;
		big.future = 1;
		CHECK_INT(ebpfpub_tracer_new(&big.o, &t), -EINVAL);
		big.future = 0;
		CHECK_INT(ebpfpub_tracer_new(&big.o, &t), 0);
		ebpfpub_tracer_free(t);
	}
	{
		EBPFPUB_OPTS(ebpfpub_buffer_storage_opts, o, .buffer_size = 8, .log_fn = keep_log);
		CHECK_INT(ebpfpub_buffer_storage_new(&o, &s), -EINVAL);
		CHECK(strstr(logged, "buffer_size 8") != NULL);
	}
	{
		EBPFPUB_OPTS(ebpfpub_buffer_storage_opts, o, .buffer_count = 5000, .log_fn = keep_log);
		CHECK_INT(ebpfpub_buffer_storage_new(&o, &s), -EINVAL);
		CHECK(strstr(logged, "buffer_count 5000") != NULL);
	}
	{
		EBPFPUB_OPTS(ebpfpub_perf_output_opts, o, .page_exp = 40, .log_fn = keep_log);
		CHECK_INT(ebpfpub_perf_output_new(&o, &p), -EINVAL);
		CHECK(strstr(logged, "page_exp 40") != NULL);
	}
	CHECK_INT(ebpfpub_tracer_new(NULL, &t), -EINVAL);
	CHECK_INT(ebpfpub_tracer_add_syscall(NULL, "mkdir"), -EINVAL);
	CHECK_INT(ebpfpub_tracer_poll(NULL, 0), -EINVAL);
	ebpfpub_tracer_free(NULL);
	ebpfpub_buffer_storage_free(NULL);
	ebpfpub_perf_output_free(NULL);
	{
		/* Records of a perf event array are limited to 64 KiB. */
		EBPFPUB_OPTS(ebpfpub_buffer_storage_opts, so, .buffer_size = 65536, .buffer_count = 4);
		EBPFPUB_OPTS(ebpfpub_perf_output_opts, po, .kind = EBPFPUB_OUTPUT_PERF_ARRAY);

		ASSERT(ebpfpub_buffer_storage_new(&so, &s) == 0);
		ASSERT(ebpfpub_perf_output_new(&po, &p) == 0);
		{
			EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = nop_cb, .buffer_storage = s,
				     .perf_output = p);

			ASSERT(ebpfpub_tracer_new(&o, &t) == 0);
		}
		CHECK_INT(ebpfpub_tracer_add_syscall(t, "mkdir"), -EINVAL);
		CHECK(strstr(ebpfpub_tracer_last_error(t), "ring buffer") != NULL);
		ebpfpub_tracer_free(t);
		ebpfpub_perf_output_free(p);
		ebpfpub_buffer_storage_free(s);
	}
}

/* The verifier's own words reach the caller. */
static void test_verifier_rejection(void)
{
	struct bpf_insn insns[] = {
		/* r0 = *(u64 *)(r1 + 100000): far outside the tracepoint record */
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = 0, .src_reg = 1, .off = 32000 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct loader_program prog = { .insns = insns, .insn_count = 2 };
	char err[8192];
	int fd;

	fd = loader_load(&prog, "ep_bad", "syscall 'test': the enter program", err, sizeof(err));
	CHECK(fd < 0);
	if (fd >= 0)
		close(fd);
	CHECK(strstr(err, "syscall 'test': the enter program") != NULL);
	if (!strstr(err, "verifier rejected"))
		fprintf(stderr, "message was: %s\n", err);
	CHECK(strstr(err, "verifier rejected") != NULL);
	CHECK(strstr(err, "invalid bpf_context access") != NULL);
}

/* Without CAP_BPF: a clear message saying which capability. */
static void test_no_privilege(void)
{
	pid_t child = fork();
	int status;

	ASSERT(child >= 0);
	if (child == 0) {
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[2];
		struct ebpfpub_tracer *t = NULL;
		int r;

		/* Leaving uid 0 clears every capability (no keepcaps). */
		(void)h;
		(void)d;
		if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
			_exit(11);
		{
			EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = nop_cb, .log_fn = keep_log);

			r = ebpfpub_tracer_new(&o, &t);
		}
		if (r != -EPERM)
			_exit(12);
		if (!strstr(logged, "CAP_BPF"))
			_exit(13);
		_exit(0);
	}
	ASSERT(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), 0);
}

int main(void)
{
	test_require_root();
	test_unknown_syscall();
	test_tracefs();
	test_bad_options();
	test_verifier_rejection();
	test_no_privilege();
	return test_finish("test_errors");
}
