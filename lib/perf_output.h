/* SPDX-License-Identifier: Apache-2.0 */
/* The perf output as the layers above it see it: a transport that knows nothing of tracers.
 * Consumers register a sample function and a context (libbpf's ring_buffer__add pattern) and
 * get a small integer id that their programs write into each record's event_id; a poll drains
 * the output and hands each record to the consumer whose id it carries. */
#ifndef EBPFPUB_PERF_OUTPUT_H
#define EBPFPUB_PERF_OUTPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

/* Returns the events it delivered (0 or more), or a negative value that stops the poll of the
 * consumer it belongs to. */
typedef int (*output_sample_fn)(void *ctx, const void *data, size_t size);

/* OWNER groups consumers whose events one poll reports (a tracer's syscalls). */
int output_consumer_add(struct ebpfpub_perf_output *out, output_sample_fn fn, void *ctx,
			const void *owner, uint32_t *id);
/* Records of ID that are still in the output are dropped from now on. Safe during a drain. */
void output_consumer_remove(struct ebpfpub_perf_output *out, uint32_t id);

/*
 * Waits up to TIMEOUT_MS (-1: forever) on WAIT_FD (an epoll fd that includes
 * output_epoll_fd() and whatever else should end the wait) and drains the output. Every
 * record goes to its own consumer. Returns the events delivered to the consumers of owner
 * SELF, their negative sample return (another owner's is kept and returned by that owner's
 * next poll), or
 * -ECANCELED once *STOPPED is set and nothing is left; -EBUSY when called from inside a
 * sample function of this output (a drain is already running on this thread).
 */
int output_poll(struct ebpfpub_perf_output *out, const void *self, int wait_fd, int timeout_ms,
		const volatile sig_atomic_t *stopped);

int output_epoll_fd(const struct ebpfpub_perf_output *out);
int output_flush_interval_ms(const struct ebpfpub_perf_output *out);

/* What the generated programs need to write into the output. */
struct output_program_env {
	int map_fd;           /* ring buffer or perf event array */
	bool is_ringbuf;
	int control_fd;       /* ring buffer wakeup control (array of 1), or -1 */
	int lost_fd;          /* per-CPU array of 1 u64: outputs that failed */
	uint32_t watermark;   /* ring buffer: wake the reader from this many bytes */
};

void output_program_env(const struct ebpfpub_perf_output *out, struct output_program_env *env);

/* Records that could not be dispatched (too short, unknown or removed consumer). */
uint64_t output_malformed(const struct ebpfpub_perf_output *out);

#endif
