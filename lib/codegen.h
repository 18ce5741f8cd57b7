/* SPDX-License-Identifier: Apache-2.0 */
/* BPF code generation through the LLVM C API. The only module besides codegen_*.c that knows
 * LLVM exists is none: callers see plain bytes (an ELF object) and text. */
#ifndef EBPFPUB_CODEGEN_H
#define EBPFPUB_CODEGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

#include "layout.h"
#include "record.h"

struct context_offsets;

#define CODEGEN_ENTER_SECTION "ebpfpub/enter"
#define CODEGEN_EXIT_SECTION "ebpfpub/exit"
#define CODEGEN_MAX_PIDS 8
/* Entries without enter captures: the record header and at most six arguments. */
#define CODEGEN_TASK_ENTRY_SIZE (RECORD_HEADER_SIZE + 6 * 8 + RECORD_CONTEXT_SIZE)

/* A syscall's counters in the tracer's per-CPU counters map, at key
 * env.counter_base + enum codegen_counter. With them and what user mode received, every call
 * an enter program saw ends in exactly one place (see tracer.c, syscall_stats). */
enum codegen_counter {
	CODEGEN_COUNTER_FILTERED = 0,           /* enter: rejected by a pid/uid/comm/self filter */
	CODEGEN_COUNTER_STORED = 1,             /* enter: entry stored in the event map */
	CODEGEN_COUNTER_ENTER_DROPPED = 2,      /* enter: the event map refused the entry */
	CODEGEN_COUNTER_EXIT_WITHOUT_ENTER = 3, /* exit: no entry (began earlier, or evicted) */
	CODEGEN_COUNTER_LOST = 4,               /* exit: the output was full */
	CODEGEN_COUNTER_REPLACED = 5,           /* enter: the thread's previous entry was never
	                                         * taken by an exit (that call never returned) */
	CODEGEN_COUNTER_RULE_FILTERED = 6,      /* exit: no rule's exit conditions held */
	CODEGEN_COUNTER_RULE_FILTERED_ENTER = 7, /* enter: no rule's enter conditions held */
	/* Not a counter: the cgroup id whose path this CPU last sent for the syscall (0:
	 * none), so that the exit program sends a path only when it changed (see
	 * codegen_context.c). */
	CODEGEN_SLOT_LAST_CGROUP = 8,
	CODEGEN_COUNTER_COUNT = 9,
};

/* The output's control map value, shared with user mode through mmap. */
struct codegen_output_control {
	uint64_t reader_sleeping;   /* set by the reader before it waits; wake it at once */
	uint64_t lost;              /* unused by BPF: per-CPU loss counts live in lost_fd */
};

/* x86-64's struct pt_regs, which the raw syscall tracepoints pass: where the syscall number
 * (orig_ax) and the six arguments (di, si, dx, r10, r8, r9) are. The arguments lie within
 * [CODEGEN_REGS_ARGS_FROM, + CODEGEN_REGS_ARGS_SIZE), read with one probe. */
#define CODEGEN_REGS_ORIG_AX 120
#define CODEGEN_REGS_ARGS_FROM 56
#define CODEGEN_REGS_ARGS_SIZE 64
#define CODEGEN_REGS_ARG_OFFSETS { 112, 104, 96, 56, 72, 64 }

/* Dispatch: a syscall's values in the info array (codegen_env.syscall_info_fd), by number. */
struct codegen_syscall_info {
	uint32_t event_id;          /* 0: the number is not traced (yet) */
	uint32_t counter_base;
};

/* Map fds and constants baked into the programs. */
struct codegen_env {
	/* Where the entry waits for the exit: in the thread's task-local storage (shared by
	 * the tracer's syscalls, tagged with the event id) or in the syscall's LRU hash. */
	bool entry_in_task;
	int task_storage_fd;  /* task storage of CODEGEN_TASK_ENTRY_SIZE-byte entries */
	int event_map_fd;     /* LRU hash: pid_tgid -> entry */
	int storage_fd;       /* array: cpu -> assembly area */
	int counters_fd;      /* per-CPU array of u64, enum codegen_counter */
	uint32_t counter_base; /* this syscall's first counter */
	int output_fd;        /* ring buffer or perf event array */
	bool output_is_ringbuf;
	int control_fd;       /* ring buffer wakeup control (array of 1), or -1 */
	int lost_fd;          /* per-CPU array of 1 u64: outputs that failed */
	uint32_t ringbuf_watermark;
	uint32_t event_id;
	/* Dispatch: event_id and counter_base are not constants but read from the info array
	 * under the number at ctx + 8 (the raw_syscalls record's id), so that the programs of
	 * syscalls of one shape (program_shape.h) are the same and load once. */
	bool by_number;
	int syscall_info_fd;  /* array: number -> struct codegen_syscall_info */
	uint32_t self_tgid;   /* 0: don't exclude */
	uint32_t pids[CODEGEN_MAX_PIDS];
	uint32_t pid_count;
	bool filter_uid;
	uint32_t uid;
	bool filter_comm;
	char comm[16];
	/* BTF offsets for reading the new program's argv (execve): task->mm, mm->arg_start. */
	bool have_mm_offsets;
	uint32_t task_mm_offset;
	uint32_t mm_arg_start_offset;
	uint32_t mm_env_end_offset;   /* 0: unknown */
	/* The process context (layout.context_offset): task, cgroup offsets from BTF. */
	const struct context_offsets *context;
	bool have_cgroup_id_helper;
	/* Read the fixed part through bpf_get_current_task_btf() with plain loads (the
	 * verifier makes them fault-safe): a few ns each, against tens for a helper call. */
	bool context_direct;
	bool filter_cgroup;           /* only tasks in the cgroup of cgroup_filter_fd or below */
	int cgroup_filter_fd;         /* cgroup array of 1 */
	/* The syscall's rules (rules.h), compiled by codegen_rules.c; NULL: none. */
	const struct rules_plan *rules;
	/* With rules: the enter program runs only while gate[gate_key] == generation, so that
	 * a reload's new programs take over from the old ones at one instant. */
	int gate_fd;
	uint32_t gate_key;
	uint32_t generation;
	/* Dispatch mode: skip ia32 calls (thread_info.status & TS_COMPAT, at this offset in
	 * task_struct). */
	bool skip_compat;
	/* Dispatch mode: the programs are tail-called from raw tracepoint dispatchers, with
	 * their context: {struct pt_regs *, long id} at enter, {regs, long ret} at exit. */
	bool raw_tracepoint;
	uint32_t task_status_offset;
};

struct codegen;
struct rules_plan;

struct codegen_object {
	void *elf;            /* the emitted ELF object (malloc'd) */
	size_t elf_size;
	char *ir;             /* textual LLVM IR (malloc'd) */
};

int codegen_new(struct codegen **out, char *err, size_t err_size);
void codegen_free(struct codegen *cg);

/* Builds, verifies and emits the enter and exit programs of one syscall. */
int codegen_syscall(struct codegen *cg, const struct layout *layout,
		    const struct codegen_env *env, struct codegen_object *obj, char *err,
		    size_t err_size);
void codegen_object_release(struct codegen_object *obj);

/* Whether codegen_syscall also prints the module's IR into obj->ir (default: yes). Printing
 * is ~6% of generating: a tracer asks for it only when the text is wanted. */
void codegen_set_ir_text(struct codegen *cg, bool on);

/* Appends "LABEL:\n" and the BPF instructions, one per line, to *TEXT (malloc'd). */
int codegen_disassemble_append(char **text, const char *label, const void *insns, size_t count);

#endif
