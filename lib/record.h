/* SPDX-License-Identifier: Apache-2.0 */
/* The wire format of one event, shared by the code generator (which writes it in BPF) and the
 * decoder (which reads it in user mode). All integers are in host byte order. */
#ifndef EBPFPUB_RECORD_H
#define EBPFPUB_RECORD_H

#include <stdint.h>

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

#define RECORD_HEADER_SIZE 72u
_Static_assert(sizeof(struct record_header) == RECORD_HEADER_SIZE, "record header layout");

/* Offsets used by generated code (kept next to the struct they describe). */
#define RECORD_OFF_SIZE 0u
#define RECORD_OFF_EVENT_ID 4u
#define RECORD_OFF_ENTER_NS 8u
#define RECORD_OFF_EXIT_NS 16u
#define RECORD_OFF_PID_TGID 24u
#define RECORD_OFF_UID_GID 32u
#define RECORD_OFF_EXIT_CODE 40u
#define RECORD_OFF_PROBE_ERROR 48u
#define RECORD_OFF_ARG_COUNT 52u
#define RECORD_OFF_ARGV_OFFSET 54u
#define RECORD_OFF_COMM 56u
#define RECORD_OFF_ARGS RECORD_HEADER_SIZE

enum record_item_kind {
	RECORD_ITEM_STRING = 1,   /* data: the string and its NUL; len counts the NUL */
	RECORD_ITEM_BYTES = 2,    /* data: raw bytes */
	RECORD_ITEM_SOCKADDR = 3, /* data: the struct sockaddr bytes as read */
	RECORD_ITEM_ARGV_ARG = 4, /* data: one argv element (string with NUL) */
	RECORD_ITEM_ARGV_END = 5, /* data: struct record_argv_end; the enter program writes it
	                           * before the ARGV_ARG items it counts (so that it always has
	                           * room) and completes it when its loop ends */
	RECORD_ITEM_ARGV_BLOCK = 6, /* data: the new program's NUL-separated argv area */
};

/* Item flags: the low bits are enum ebpfpub_field_flags. */
struct record_item {
	uint16_t arg;   /* index of the argument (0-based, in format order) */
	uint8_t kind;   /* enum record_item_kind */
	uint8_t flags;  /* enum ebpfpub_field_flags */
	uint32_t len;   /* bytes of data that follow */
};

#define RECORD_ITEM_SIZE 8u
_Static_assert(sizeof(struct record_item) == RECORD_ITEM_SIZE, "record item layout");

struct record_argv_end {
	uint32_t captured;  /* argv elements captured: the ARGV_ARG items of this argument */
	uint32_t source;    /* enum ebpfpub_argv_source */
	uint32_t more;      /* 1 when argv had more elements than captured */
	uint32_t reserved;
};

static inline uint32_t record_align(uint32_t n)
{
	return (n + 7u) & ~7u;
}

#endif
