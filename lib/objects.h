/* SPDX-License-Identifier: Apache-2.0 */
/* The library's objects, as the modules that cooperate on them see them. */
#ifndef EBPFPUB_OBJECTS_H
#define EBPFPUB_OBJECTS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

#include "codegen.h"
#include "decode.h"
#include "layout.h"

struct ebpfpub_buffer_storage {
	int fd;                       /* BPF_MAP_TYPE_ARRAY: cpu -> assembly area */
	int cpus;
	struct layout_storage sizes;
	uint32_t buffer_count;
	uint64_t memory;
};

struct tracer_syscall;

/* A perf output delivers each record to the syscall that produced it, found by event id. */
struct ebpfpub_perf_output {
	enum ebpfpub_output_kind kind;
	uint32_t page_exp;
	int cpus;
	int map_fd;                   /* ring buffer or perf event array */
	int control_fd;               /* ring buffer: wakeup control, mmapped */
	int lost_fd;                  /* per-CPU count of failed outputs */
	uint32_t watermark;           /* ring buffer: wake the reader from this many bytes */
	struct codegen_output_control *control;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	uint64_t ring_bytes;
	uint64_t memory;
	uint64_t perf_lost;           /* PERF_RECORD_LOST counts */
	uint64_t malformed;           /* records with an unknown id or too short */
	bool recently_busy;           /* the last drain found events: batch the next one */
	struct tracer_syscall **sinks; /* index: event id */
	uint32_t sink_count;
	/* during a drain */
	int delivered;
	int stop_rc;
	ebpfpub_log_fn log_fn;
	void *log_ctx;
};

int output_register(struct ebpfpub_perf_output *out, struct tracer_syscall *sink, uint32_t *id);
void output_unregister(struct ebpfpub_perf_output *out, uint32_t id);
/* Drains what is there without waiting; returns events delivered or a callback's error. */
int output_drain(struct ebpfpub_perf_output *out);
int output_epoll_fd(const struct ebpfpub_perf_output *out);
/* Tells the kernel side the reader is about to wait (ring buffer), or nothing. */
void output_about_to_sleep(struct ebpfpub_perf_output *out, bool sleeping);
uint64_t output_lost_total(const struct ebpfpub_perf_output *out);

/* One traced syscall of a tracer. */
struct tracer_syscall {
	struct ebpfpub_tracer *tracer;
	struct layout layout;
	struct decode_state decode;
	uint32_t event_id;
	int event_map_fd;
	int enter_fd, exit_fd;        /* programs */
	int enter_link, exit_link;    /* perf events holding the attachments */
	int exit_link2;               /* execveat: its exit program on sys_exit_execve too */
	uint64_t memory;
	char *ir;
	char *insns_text;
};

/* Called by the output for each record of SINK's syscall. */
int tracer_deliver(struct tracer_syscall *sink, const void *data, size_t size);

/* Kernel memory a BPF object fd accounts for (fdinfo memlock), or 0. */
uint64_t util_fd_memlock(int fd);

#endif
