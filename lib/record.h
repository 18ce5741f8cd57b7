/* SPDX-License-Identifier: Apache-2.0 */
/* The wire format of one event, defined once for the code generator (which writes it in BPF)
 * and the decoder (which reads it in user mode). All integers are in host byte order. */
#ifndef EBPFPUB_RECORD_H
#define EBPFPUB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

/* A syscall has at most six register arguments. */
#define RECORD_MAX_ARGS 6u

/* A record is: header, arg_count u64 argument values, then items, each 8-byte aligned. */
struct record_header {
	uint32_t size;        /* bytes of the whole record, header included */
	uint32_t event_id;    /* dispatch key within a perf output (tracer + syscall) */
	uint64_t enter_ns;    /* bpf_ktime_get_ns() at enter */
	uint64_t exit_ns;     /* bpf_ktime_get_ns() at exit */
	uint64_t pid_tgid;    /* bpf_get_current_pid_tgid(): tgid << 32 | tid */
	uint64_t uid_gid;     /* bpf_get_current_uid_gid(): gid << 32 | uid */
	int64_t exit_code;    /* the exit tracepoint's ret */
	uint32_t probe_error; /* enum ebpfpub_probe_error */
	uint16_t arg_count;
	uint16_t argv_offset; /* where enter-time argv items start (0: none); a successful
	                       * exec rewinds to it and stores the new program's argv */
	char comm[16];        /* bpf_get_current_comm() at exit */
};

#define RECORD_HEADER_SIZE ((uint32_t)sizeof(struct record_header))
#define RECORD_OFF_SIZE ((uint32_t)offsetof(struct record_header, size))
#define RECORD_OFF_EVENT_ID ((uint32_t)offsetof(struct record_header, event_id))
#define RECORD_OFF_ENTER_NS ((uint32_t)offsetof(struct record_header, enter_ns))
#define RECORD_OFF_EXIT_NS ((uint32_t)offsetof(struct record_header, exit_ns))
#define RECORD_OFF_PID_TGID ((uint32_t)offsetof(struct record_header, pid_tgid))
#define RECORD_OFF_UID_GID ((uint32_t)offsetof(struct record_header, uid_gid))
#define RECORD_OFF_EXIT_CODE ((uint32_t)offsetof(struct record_header, exit_code))
#define RECORD_OFF_PROBE_ERROR ((uint32_t)offsetof(struct record_header, probe_error))
#define RECORD_OFF_ARG_COUNT ((uint32_t)offsetof(struct record_header, arg_count))
#define RECORD_OFF_ARGV_OFFSET ((uint32_t)offsetof(struct record_header, argv_offset))
#define RECORD_OFF_COMM ((uint32_t)offsetof(struct record_header, comm))
#define RECORD_OFF_ARGS RECORD_HEADER_SIZE

/* The generated code stores some neighbours with one wider store: the enter program writes
 * probe_error (0) and arg_count with one u64, comm with two. */
_Static_assert(sizeof(struct record_header) == 72, "record header layout");
_Static_assert(RECORD_OFF_ARG_COUNT == RECORD_OFF_PROBE_ERROR + 4, "probe_error, arg_count");
_Static_assert(RECORD_OFF_COMM % 8 == 0 && RECORD_OFF_ARGS % 8 == 0, "8-byte stores");

/* What the probe_error word may hold. */
#define RECORD_PROBE_ERRORS                                                                   \
	(EBPFPUB_PROBE_ERROR_READ | EBPFPUB_PROBE_ERROR_NO_SPACE | EBPFPUB_PROBE_ERROR_TRUNCATED)

enum record_item_kind {
	RECORD_ITEM_STRING = 1,   /* data: the string and its NUL; len counts the NUL */
	RECORD_ITEM_BYTES = 2,    /* data: raw bytes */
	RECORD_ITEM_SOCKADDR = 3, /* data: the struct sockaddr bytes as read */
	RECORD_ITEM_ARGV_ARG = 4, /* data: one argv element (string with NUL) */
	RECORD_ITEM_ARGV_END = 5, /* data: struct record_argv_end; the enter program writes it
	                           * before the ARGV_ARG items it counts (so that it always has
	                           * room) and completes it when its loop ends */
	RECORD_ITEM_ARGV_BLOCK = 6, /* data: the new program's NUL-separated argv area */
	/* Process context (a tracer's context option; the record then has a struct
	 * record_context after its arguments, layout.context_offset). */
	RECORD_ITEM_CGROUP_NAME = 7, /* data: the kernfs name of cgroup level `arg` (0: the
	                              * leaf) with its NUL (flags 0), or nothing (UNREADABLE);
	                              * the path ends with one flagged NULL (the root was
	                              * reached) or TRUNCATED (the depth bound cut it) whose data
	                              * is struct record_cgroup_end */
	RECORD_ITEM_ANCESTOR = 8,    /* data: struct record_ancestor of ancestor `arg` (0: the
	                              * parent) */
	RECORD_ITEM_CGROUP_SAME = 9, /* data: struct record_cgroup_end: the path is the one
	                              * this CPU last sent for this syscall (same cgroup id).
	                              * The exit program says so with RECORD_CONTEXT_PATH_SAME
	                              * instead (16 bytes fewer); the decoder takes either */
};

/* Which CPU sent a path: the decoder keeps the last one per CPU (records of one CPU arrive
 * in order), the exit program sends it again only when the cgroup id changed or the
 * previous record was lost. */
struct record_cgroup_end {
	uint32_t cpu;
	uint32_t reserved;
};
_Static_assert(sizeof(struct record_cgroup_end) == 8, "cgroup end item layout");

/* Item flags are enum ebpfpub_field_flags; NOT_CAPTURED is the decoder's own (no item came),
 * so an item cannot carry it. */
#define RECORD_ITEM_FLAGS                                                                     \
	(EBPFPUB_FIELD_TRUNCATED | EBPFPUB_FIELD_UNREADABLE | EBPFPUB_FIELD_NULL |           \
	 EBPFPUB_FIELD_BAD_LENGTH)

struct record_item {
	uint16_t arg;   /* index of the argument (0-based, in format order) */
	uint8_t kind;   /* enum record_item_kind */
	uint8_t flags;  /* enum ebpfpub_field_flags */
	uint32_t len;   /* bytes of data that follow */
};

#define RECORD_ITEM_SIZE ((uint32_t)sizeof(struct record_item))
#define RECORD_ITEM_OFF_FLAGS ((uint32_t)offsetof(struct record_item, flags))
_Static_assert(sizeof(struct record_item) == 8, "record item layout");

/* Generated code writes an item header as one u64: the shift of each member in it. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define RECORD_ITEM_SHIFT(m) (8u * (uint32_t)offsetof(struct record_item, m))
#else
#define RECORD_ITEM_SHIFT(m)                                                                  \
	(64u - 8u * (uint32_t)(offsetof(struct record_item, m) +                              \
			       sizeof(((struct record_item *)0)->m)))
#endif
#define RECORD_ITEM_ARG_SHIFT RECORD_ITEM_SHIFT(arg)
#define RECORD_ITEM_KIND_SHIFT RECORD_ITEM_SHIFT(kind)
#define RECORD_ITEM_FLAGS_SHIFT RECORD_ITEM_SHIFT(flags)
#define RECORD_ITEM_LEN_SHIFT RECORD_ITEM_SHIFT(len)

/* An item header as the u64 that generated code stores; codegen ORs a length or flags known
 * only at run time, shifted by RECORD_ITEM_LEN_SHIFT / RECORD_ITEM_FLAGS_SHIFT, into it. */
static inline uint64_t record_item_header(uint32_t arg, uint32_t kind, uint32_t flags,
					  uint32_t len)
{
	return (uint64_t)(uint16_t)arg << RECORD_ITEM_ARG_SHIFT |
	       (uint64_t)(uint8_t)kind << RECORD_ITEM_KIND_SHIFT |
	       (uint64_t)(uint8_t)flags << RECORD_ITEM_FLAGS_SHIFT |
	       (uint64_t)len << RECORD_ITEM_LEN_SHIFT;
}

struct record_argv_end {
	uint32_t captured;  /* argv elements captured: the ARGV_ARG items of this argument */
	uint32_t source;    /* enum ebpfpub_argv_source */
	uint32_t more;      /* 1 when argv had more elements than captured */
	uint32_t reserved;
};

#define RECORD_ARGV_END_OFF_CAPTURED ((uint32_t)offsetof(struct record_argv_end, captured))
#define RECORD_ARGV_END_OFF_MORE ((uint32_t)offsetof(struct record_argv_end, more))
_Static_assert(sizeof(struct record_argv_end) == 16, "argv end item layout");
_Static_assert(offsetof(struct record_argv_end, source) == 4 &&
		       RECORD_ARGV_END_OFF_MORE == 8,
	       "argv end: {captured, source} and {more, reserved} are u64 stores");

/* The first u64 of a struct record_argv_end: {captured, source}. */
static inline uint64_t record_argv_end_word(uint32_t captured, uint32_t source)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint64_t)source << 32 | captured;
#else
	return (uint64_t)captured << 32 | source;
#endif
}

/* Written by the enter program right after the arguments when the tracer captures the
 * process context; read through task_struct offsets from the kernel's BTF. */
struct record_context {
	uint32_t ppid;        /* current->real_parent->tgid */
	uint32_t flags;       /* RECORD_CONTEXT_* */
	uint64_t start_ns;    /* current->group_leader->start_boottime (or start_time) */
	uint32_t auid;        /* current->loginuid; (uint32_t)-1 unset */
	uint32_t session_id;  /* current->sessionid; (uint32_t)-1 unset */
	uint64_t cgroup_id;   /* bpf_get_current_cgroup_id(): the default hierarchy's */
};

#define RECORD_CONTEXT_SIZE ((uint32_t)sizeof(struct record_context))
#define RECORD_CONTEXT_OFF_PPID ((uint32_t)offsetof(struct record_context, ppid))
#define RECORD_CONTEXT_OFF_FLAGS ((uint32_t)offsetof(struct record_context, flags))
#define RECORD_CONTEXT_OFF_START ((uint32_t)offsetof(struct record_context, start_ns))
#define RECORD_CONTEXT_OFF_AUID ((uint32_t)offsetof(struct record_context, auid))
#define RECORD_CONTEXT_OFF_CGROUP_ID ((uint32_t)offsetof(struct record_context, cgroup_id))
_Static_assert(sizeof(struct record_context) == 32, "record context layout");
_Static_assert(RECORD_CONTEXT_OFF_FLAGS == RECORD_CONTEXT_OFF_PPID + 4 &&
		       RECORD_CONTEXT_OFF_AUID + 4 ==
			       (uint32_t)offsetof(struct record_context, session_id),
	       "context: {ppid, flags} and {auid, session_id} are u64 stores");

/* record_context.flags: what could not be read (the kernel lacks it, or a read failed). */
#define RECORD_CONTEXT_NO_AUDIT (1u << 0)   /* no loginuid/sessionid in task_struct */
#define RECORD_CONTEXT_NO_CGROUP (1u << 1)  /* no cgroup id helper or no cgroup BTF */
#define RECORD_CONTEXT_READ_FAILED (1u << 2) /* a kernel read of the task failed */
#define RECORD_CONTEXT_START_MONOTONIC (1u << 3) /* start_ns is start_time, not boottime */
#define RECORD_CONTEXT_FLAGS 0xfu
/* Set by the exit program instead of path items: the path is the one this CPU last sent
 * for this syscall (same cgroup id); the CPU is in the flags' high 16 bits. */
#define RECORD_CONTEXT_PATH_SAME (1u << 8)
#define RECORD_CONTEXT_CPU_SHIFT 16u

/* One ancestor, as the exit program reads it (the process: its thread group leader). */
struct record_ancestor {
	uint32_t pid;         /* tgid */
	uint32_t reserved;
	uint64_t start_ns;    /* group_leader->start_boottime (or start_time) */
	char comm[16];        /* group_leader->comm */
};

#define RECORD_ANCESTOR_SIZE ((uint32_t)sizeof(struct record_ancestor))
#define RECORD_ANCESTOR_OFF_START ((uint32_t)offsetof(struct record_ancestor, start_ns))
#define RECORD_ANCESTOR_OFF_COMM ((uint32_t)offsetof(struct record_ancestor, comm))
_Static_assert(sizeof(struct record_ancestor) == 32, "record ancestor layout");

/* The bounds of the exit program's walks (unrolled: no loop for the verifier). */
#define RECORD_CGROUP_MAX_LEVELS 10u
#define RECORD_CGROUP_NAME_SIZE 256u   /* NAME_MAX and its NUL */
#define RECORD_MAX_ANCESTORS 32u

static inline uint32_t record_align(uint32_t n)
{
	return (n + 7u) & ~7u;
}

#endif
