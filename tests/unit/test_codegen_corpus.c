/* SPDX-License-Identifier: Apache-2.0 */
/* For every syscall of the committed format corpus: build the layout with its serializer, generate
 * both programs, verify the module, emit the BPF object and cut both program sections out with
 * libelf. No privilege: map fds are plain numbers here, the kernel never sees the code. */
#include <stdlib.h>
#include <time.h>

#include "bpf_cfg.h"
#include "codegen.h"
#include "layout.h"
#include "context_offsets.h"
#include "loader.h"
#include "process_context.h"
#include "serializer.h"
#include "test.h"
#include "tracefs.h"
#include "util.h"

/* Linux 6.1's verifier refuses a loop whose back-edge is not a jump (bpf_cfg.h). */
static void check_old_verifier_cfg(const char *name, const char *which,
				   const struct loader_program *p)
{
	int from = -1, to = -1;

	if (!bpf_cfg_old_verifier_ok(p->insns, p->insn_count, &from, &to)) {
		fprintf(stderr, "%s %s: back-edge from insn %d to %d is not a jump\n", name, which,
			from, to);
		CHECK(false);
	}
}

/* Task and cgroup offsets as a kernel's BTF gives them (6.1-like: kernfs parent, name
 * adjacent); the variants take the other code paths. */
static struct context_offsets ctx_offsets = {
	.have_task = true, .start_is_boottime = true, .have_audit = true, .have_cgroup = true,
	.task_real_parent = 1280, .task_group_leader = 1328, .task_tgid = 1268,
	.task_comm = 1752, .task_start = 1560, .task_loginuid = 1952, .task_sessionid = 1956,
	.task_cgroups = 2376, .css_set_dfl_cgrp = 112, .cgroup_kn = 256, .kn_name = 16,
	.kn_parent = 8, .kn_parent_name = "parent",
};

/* CONTEXT: -1 none, else the ancestors of the process context. */
static int generate_ctx(struct codegen *cg, const char *root, const char *name, bool ringbuf,
			uint32_t buffer_size, uint32_t buffer_count, int context,
			const struct context_offsets *offsets, bool cgroup_filter, bool direct)
{
	char event[300], err[UTIL_ERR_SIZE];
	char *enter = NULL, *exit_fmt = NULL;
	size_t enter_len, exit_len;
	struct layout_storage st;
	struct layout l;
	struct codegen_env env;
	struct codegen_object obj;
	struct loader_program p;
	int r;

	snprintf(event, sizeof(event), "sys_enter_%s", name);
	ASSERT(tracefs_read_format(root, event, &enter, &enter_len) == 0);
	snprintf(event, sizeof(event), "sys_exit_%s", name);
	ASSERT(tracefs_read_format(root, event, &exit_fmt, &exit_len) == 0);
	layout_storage_init(&st, buffer_size, buffer_count);
	r = layout_build(&l, name, enter, enter_len, exit_fmt, exit_len, serializer_builtin(name), &st,
			 err, sizeof(err));
	free(enter);
	free(exit_fmt);
	if (r < 0) {
		fprintf(stderr, "%s: layout: %s\n", name, err);
		return r;
	}
	memset(&env, 0, sizeof(env));
	if (context >= 0) {
		process_context_layout(&l, (uint32_t)context);
		env.context = offsets;
		env.have_cgroup_id_helper = true;
		env.context_direct = direct;
	}
	env.filter_cgroup = cgroup_filter;
	env.cgroup_filter_fd = 16;
	env.event_map_fd = 10;
	env.storage_fd = 11;
	env.counters_fd = 12;
	env.output_fd = 13;
	env.output_is_ringbuf = ringbuf;
	env.control_fd = 14;
	env.lost_fd = 15;
	env.ringbuf_watermark = 1 << 20;
	env.event_id = 1;
	env.self_tgid = 1234;
	env.have_mm_offsets = true;
	env.task_mm_offset = 2000;
	env.mm_arg_start_offset = 300;
	env.mm_env_end_offset = 324;
	r = codegen_syscall(cg, &l, &env, &obj, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s: codegen: %s\n", name, err);
		layout_release(&l);
		return r;
	}
	CHECK(obj.ir && strstr(obj.ir, "llvm.bpf.pseudo"));
	r = loader_extract(obj.elf, obj.elf_size, CODEGEN_ENTER_SECTION, &p, err, sizeof(err));
	if (r == 0) {
		CHECK(p.insn_count > 10);
		check_old_verifier_cfg(name, "enter", &p);
		loader_program_release(&p);
		r = loader_extract(obj.elf, obj.elf_size, CODEGEN_EXIT_SECTION, &p, err,
				   sizeof(err));
	}
	if (r == 0) {
		CHECK(p.insn_count > 10);
		check_old_verifier_cfg(name, "exit", &p);
		loader_program_release(&p);
	} else {
		fprintf(stderr, "%s: extract: %s\n", name, err);
	}
	codegen_object_release(&obj);
	layout_release(&l);
	return r;
}

static int generate(struct codegen *cg, const char *root, const char *name, bool ringbuf,
		    uint32_t buffer_size, uint32_t buffer_count)
{
	return generate_ctx(cg, root, name, ringbuf, buffer_size, buffer_count, 0, &ctx_offsets,
			    false, true);
}

int main(void)
{
	const char *root = getenv("EBPFPUB_TEST_FORMATS");
	struct codegen *cg;
	char err[1024];
	char **names, **n;
	int count, done = 0;
	struct timespec a, b;

	ASSERT(root);
	count = tracefs_list_syscalls(root, &names);
	ASSERT(count > 300);
	ASSERT(codegen_new(&cg, err, sizeof(err)) == 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (n = names; *n; n++) {
		int r = generate(cg, root, *n, true, 4096, 8);

		CHECK_INT(r, 0);
		done += r == 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK_INT(done, count);
	printf("generated and emitted %d syscalls in %.3f s\n", done,
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);

	/* The perf-array output and other storage sizes take other code paths. */
	CHECK_INT(generate(cg, root, "openat", false, 4096, 8), 0);
	CHECK_INT(generate(cg, root, "execve", false, 256, 4), 0);
	CHECK_INT(generate(cg, root, "connect", true, 16, 1), 0);
	CHECK_INT(generate(cg, root, "renameat2", true, 65536, 1024), 0);

	/* The process context: off, 8 and 32 ancestors, the cgroup filter, a kernel without
	 * audit whose kernfs parent and name are apart, the smallest storage. */
	{
		struct context_offsets apart = ctx_offsets;

		apart.have_audit = false;
		apart.kn_parent = 40;
		apart.start_is_boottime = false;
		CHECK_INT(generate_ctx(cg, root, "mkdir", true, 4096, 8, -1, NULL, false, false), 0);
		CHECK_INT(generate_ctx(cg, root, "mkdir", true, 4096, 8, 8, &ctx_offsets, true, true),
			  0);
		CHECK_INT(generate_ctx(cg, root, "mkdir", true, 4096, 8, 8, &ctx_offsets, true, false),
			  0);
		CHECK_INT(generate_ctx(cg, root, "execve", false, 16, 1, 32, &ctx_offsets, false,
				       true), 0);
		CHECK_INT(generate_ctx(cg, root, "execve", false, 16, 1, 32, &ctx_offsets, false,
				       false), 0);
		CHECK_INT(generate_ctx(cg, root, "connect", true, 4096, 8, 32, &apart, true, false), 0);
	}

	codegen_free(cg);
	tracefs_strv_free(names);
	return test_finish("test_codegen_corpus");
}
