/* SPDX-License-Identifier: Apache-2.0 */
/* From an emitted object to attached programs: libelf takes the program sections out,
 * bpf_prog_load() loads them, perf_event_open() + PERF_EVENT_IOC_SET_BPF attach them. Every
 * attachment is an fd: closing it (or the process dying) detaches. */
#ifndef EBPFPUB_LOADER_H
#define EBPFPUB_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loader_program {
	void *insns;       /* struct bpf_insn[], malloc'd */
	size_t insn_count;
	bool raw_tracepoint; /* loaded as a raw tracepoint program, else a tracepoint one */
};

/* Copies section SECTION of the ELF object out. Fails with -EINVAL if the section is missing
 * or has relocations (the generated code must not need any). */
int loader_extract(const void *elf, size_t elf_size, const char *section,
		   struct loader_program *prog, char *err, size_t err_size);
void loader_program_release(struct loader_program *prog);

/* Loads a (raw) tracepoint program; returns its fd. On rejection the message holds the verifier's
 * last lines. NAME is the kernel-visible name (at most 15 characters are kept). */
int loader_load(const struct loader_program *prog, const char *name, const char *what,
		char *err, size_t err_size);

/* Attaches PROG_FD to tracepoint ID; returns the perf event fd that holds the attachment. */
int loader_attach(int prog_fd, uint32_t tracepoint_id, const char *what, char *err,
		  size_t err_size);

/* Attaches raw tracepoint program PROG_FD to raw tracepoint NAME ("sys_enter"); returns the
 * fd that holds the attachment. */
int loader_attach_raw(int prog_fd, const char *name, const char *what, char *err,
		      size_t err_size);

/* Reads <tracefs>/events/syscalls/<event>/id. */
int loader_tracepoint_id(const char *tracefs, const char *event, uint32_t *id);

struct btf;

/* Offset in bytes of member NAME of struct or union TYPE_ID (anonymous members are looked
 * into; DEPTH 0 at the top), or -ENOENT. */
int loader_btf_member_offset(const struct btf *btf, uint32_t type_id, const char *name,
			     uint32_t *offset, int depth);

/* Reads <tracefs>/events/<category>/<event>/id (raw_syscalls/sys_enter...). */
int loader_event_id(const char *tracefs, const char *category, const char *event, uint32_t *id);

/* The offset of the current task's thread_info.status (x86: TS_COMPAT marks an ia32 call)
 * inside task_struct, from the kernel BTF. */
int loader_task_status_offset(uint32_t *offset, char *err, size_t err_size);

/* The BTF offsets of task_struct.mm, mm_struct.arg_start and mm_struct.env_end (0 when it
 * is not where the exit program expects it), from /sys/kernel/btf/vmlinux. */
int loader_mm_offsets(uint32_t *task_mm, uint32_t *mm_arg_start, uint32_t *mm_env_end, char *err,
		      size_t err_size);

#endif
