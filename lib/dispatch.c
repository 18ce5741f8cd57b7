/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>

#include "codegen.h"
#include "dispatch.h"
#include "loader.h"
#include "syscall_numbers.h"
#include "util.h"

struct dispatch {
	int enter_array, exit_array;   /* BPF_MAP_TYPE_PROG_ARRAY: number -> program */
	int info_array;                /* number -> struct codegen_syscall_info */
	int enter_prog, exit_prog;     /* the dispatchers */
	int enter_link, exit_link;     /* their perf events on raw_syscalls */
};

/* The raw tracepoints give (struct pt_regs *regs, long id) at enter and (regs, long ret) at
 * exit: the enter dispatcher takes the number from ctx[1], the exit one reads it from
 * regs->orig_ax (where the syscall entry keeps it). Numbers outside the array (negative,
 * x32's 0x40000000 bit, beyond the table) return at once, as the per-syscall tracepoints
 * ignore them (a 64-bit compare: the kernel's own test is on the whole long); else
 * tail_call(ctx, array, nr); return 0. */
static int dispatcher_load(int array_fd, bool exit, const char *name, char *err,
			   size_t err_size)
{
	struct bpf_insn enter_nr[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_3, .src_reg = BPF_REG_1,
		  .off = 8 },
	};
	struct bpf_insn exit_nr[] = {
		/* r6 = ctx; r3 = ctx[0] + orig_ax; probe_read_kernel(fp - 8, 8, r3); r3 = *(fp - 8) */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_6, .src_reg = BPF_REG_1 },
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_3, .src_reg = BPF_REG_1 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_3,
		  .imm = CODEGEN_REGS_ORIG_AX },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_1, .imm = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = 8 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_probe_read_kernel },
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_3, .src_reg = BPF_REG_10,
		  .off = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_6 },
	};
	struct bpf_insn tail[] = {
		{ .code = BPF_JMP | BPF_JGT | BPF_K, .dst_reg = BPF_REG_3, .off = 3,
		  .imm = SYSCALL_NUMBERS_LIMIT - 1 },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = array_fd },
		{ 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_tail_call },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_insn insns[ARRAY_SIZE(exit_nr) + ARRAY_SIZE(tail)];
	size_t n = exit ? ARRAY_SIZE(exit_nr) : ARRAY_SIZE(enter_nr);
	struct loader_program prog = { .insns = insns, .insn_count = n + ARRAY_SIZE(tail),
				       .raw_tracepoint = true };
	char what[64];

	memcpy(insns, exit ? exit_nr : enter_nr, n * sizeof(*insns));
	memcpy(insns + n, tail, sizeof(tail));
	snprintf(what, sizeof(what), "the %s dispatcher", name);
	return loader_load(&prog, name, what, err, err_size);
}

static int array_create(const char *name)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, name, 4, 4, SYSCALL_NUMBERS_LIMIT, NULL);

	return fd < 0 ? -errno : fd;
}

static int attach_raw(int prog_fd, const char *event, char *err, size_t err_size)
{
	char what[64];

	snprintf(what, sizeof(what), "dispatch: the %s program", event);
	return loader_attach_raw(prog_fd, event, what, err, err_size);
}

int dispatch_new(struct dispatch **out, char *err, size_t err_size)
{
	struct dispatch *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return -ENOMEM;
	d->enter_prog = d->exit_prog = d->enter_link = d->exit_link = -1;
	d->enter_array = array_create("ebpfpub_denter");
	d->exit_array = array_create("ebpfpub_dexit");
	d->info_array = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ebpfpub_dinfo", 4,
				       sizeof(struct codegen_syscall_info), SYSCALL_NUMBERS_LIMIT,
				       NULL);
	if (d->info_array < 0)
		d->info_array = -errno;
	if (d->enter_array < 0 || d->exit_array < 0 || d->info_array < 0) {
		r = d->enter_array < 0 ? d->enter_array
		    : d->exit_array < 0 ? d->exit_array : d->info_array;
		util_errf(err, err_size, "dispatch: creating its program arrays failed: %s",
			  strerror(-r));
		goto fail;
	}
	r = d->enter_prog = dispatcher_load(d->enter_array, false, "ebpfpub_dspin", err, err_size);
	if (r >= 0)
		r = d->exit_prog = dispatcher_load(d->exit_array, true, "ebpfpub_dspout", err,
						   err_size);
	/* Exit first, for the same reason as the per-syscall programs. */
	if (r >= 0)
		r = d->exit_link = attach_raw(d->exit_prog, "sys_exit", err, err_size);
	if (r >= 0)
		r = d->enter_link = attach_raw(d->enter_prog, "sys_enter", err, err_size);
	if (r < 0)
		goto fail;
	*out = d;
	return 0;
fail:
	dispatch_free(d);
	return r;
}

void dispatch_free(struct dispatch *d)
{
	int *fds[7];
	size_t i;

	if (!d)
		return;
	/* The attachments first (enter before exit), then programs and arrays. */
	fds[0] = &d->enter_link, fds[1] = &d->exit_link, fds[2] = &d->enter_prog;
	fds[3] = &d->exit_prog, fds[4] = &d->enter_array, fds[5] = &d->exit_array;
	fds[6] = &d->info_array;
	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	free(d);
}

int dispatch_set(struct dispatch *d, uint32_t nr, int enter_fd, int exit_fd, char *err,
		 size_t err_size)
{
	uint32_t v;

	v = (uint32_t)exit_fd;
	if (bpf_map_update_elem(d->exit_array, &nr, &v, BPF_ANY) < 0)
		goto fail;
	v = (uint32_t)enter_fd;
	if (bpf_map_update_elem(d->enter_array, &nr, &v, BPF_ANY) == 0)
		return 0;
	dispatch_clear_exit(d, nr);
fail:
	util_errf(err, err_size,
		  "dispatch: putting the programs of syscall number %u in the program array failed: %s",
		  nr, strerror(errno));
	return -errno;
}

int dispatch_info_fd(const struct dispatch *d)
{
	return d ? d->info_array : -1;
}

int dispatch_set_info(struct dispatch *d, uint32_t nr, uint32_t event_id, uint32_t counter_base,
		      char *err, size_t err_size)
{
	struct codegen_syscall_info v = { .event_id = event_id, .counter_base = counter_base };

	if (bpf_map_update_elem(d->info_array, &nr, &v, BPF_ANY) == 0)
		return 0;
	util_errf(err, err_size,
		  "dispatch: setting the values of syscall number %u for its programs failed: %s",
		  nr, strerror(errno));
	return -errno;
}

void dispatch_clear_enter(struct dispatch *d, uint32_t nr)
{
	bpf_map_delete_elem(d->enter_array, &nr);
}

void dispatch_clear_exit(struct dispatch *d, uint32_t nr)
{
	bpf_map_delete_elem(d->exit_array, &nr);
}

void dispatch_wait_running(void)
{
	(void)syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
}

uint64_t dispatch_memory(const struct dispatch *d)
{
	if (!d)
		return 0;
	return util_fd_memlock(d->enter_array) + util_fd_memlock(d->exit_array) +
	       util_fd_memlock(d->info_array) +
	       util_fd_memlock(d->enter_prog) + util_fd_memlock(d->exit_prog);
}

enum ebpfpub_feature_state dispatch_probe(const char *tracefs, char *why, size_t why_size)
{
	enum ebpfpub_feature_state state = EBPFPUB_FEATURE_YES;
	char err[512];
	uint32_t id;
	int array, prog;

	if (!tracefs || loader_event_id(tracefs, "raw_syscalls", "sys_enter", &id) < 0 ||
	    loader_event_id(tracefs, "raw_syscalls", "sys_exit", &id) < 0) {
		util_errf(why, why_size, "no raw_syscalls/sys_enter and sys_exit tracepoints%s",
			  tracefs ? "" : " (tracefs not found)");
		return tracefs ? EBPFPUB_FEATURE_NO : EBPFPUB_FEATURE_UNKNOWN;
	}
	if (syscall_number("openat") < 0) {
		util_errf(why, why_size, "no syscall number table for this architecture");
		return EBPFPUB_FEATURE_NO;
	}
	array = array_create("ebpfpub_probe");
	if (array < 0) {
		util_errf(why, why_size, "a program array cannot be created: %s",
			  strerror(-array));
		return array == -EPERM ? EBPFPUB_FEATURE_UNKNOWN : EBPFPUB_FEATURE_NO;
	}
	prog = dispatcher_load(array, true, "ebpfpub_probe", err, sizeof(err));
	if (prog < 0) {
		util_errf(why, why_size, "a raw tracepoint program with a tail call was refused: %s",
			  err);
		state = prog == -EPERM ? EBPFPUB_FEATURE_UNKNOWN : EBPFPUB_FEATURE_NO;
	} else {
		close(prog);
	}
	close(array);
	return state;
}
