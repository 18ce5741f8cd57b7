/* SPDX-License-Identifier: Apache-2.0 */
/* The perf output: a BPF ring buffer (default) or a perf event array, its consumer, and the
 * dispatch of each record to the syscall that produced it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>

#include "objects.h"
#include "record.h"
#include "util.h"

static int kernel_has_ringbuf(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "ebpfpub_probe", 0, 0, 4096, NULL);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int dispatch(struct ebpfpub_perf_output *out, const void *data, size_t size)
{
	struct record_header h;
	int r;

	if (size < RECORD_HEADER_SIZE) {
		out->malformed++;
		return 0;
	}
	memcpy(&h, data, sizeof(h));
	if (h.event_id == 0 || h.event_id >= out->sink_count || !out->sinks[h.event_id]) {
		/* A program of a syscall that was just removed may still have been running. */
		out->malformed++;
		return 0;
	}
	r = tracer_deliver(out->sinks[h.event_id], data, size);
	if (r < 0) {
		out->stop_rc = r;
		return r;
	}
	out->delivered += r;
	return 0;
}

static int ringbuf_sample(void *ctx, void *data, size_t size)
{
	return dispatch(ctx, data, size);
}

static enum bpf_perf_event_ret perf_event(void *ctx, int cpu, struct perf_event_header *ev)
{
	struct ebpfpub_perf_output *out = ctx;

	(void)cpu;
	if (ev->type == PERF_RECORD_SAMPLE) {
		/* PERF_SAMPLE_RAW: u32 size, then the bytes, padded to 8. */
		const unsigned char *p = (const unsigned char *)(ev + 1);
		uint32_t raw;

		if (ev->size < sizeof(*ev) + 4) {
			out->malformed++;
			return LIBBPF_PERF_EVENT_CONT;
		}
		memcpy(&raw, p, 4);
		if (raw > ev->size - sizeof(*ev) - 4) {
			out->malformed++;
			return LIBBPF_PERF_EVENT_CONT;
		}
		if (dispatch(out, p + 4, raw) < 0)
			return LIBBPF_PERF_EVENT_DONE;
	} else if (ev->type == PERF_RECORD_LOST) {
		const uint64_t *lost = (const uint64_t *)(ev + 1);

		if (ev->size >= sizeof(*ev) + 16)
			out->perf_lost += lost[1];
	}
	return LIBBPF_PERF_EVENT_CONT;
}

int ebpfpub_perf_output_new(const struct ebpfpub_perf_output_opts *uopts,
			    struct ebpfpub_perf_output **result)
{
	struct ebpfpub_perf_output_opts opts;
	struct ebpfpub_perf_output *out;
	long page = sysconf(_SC_PAGESIZE);
	int r;

	if (!result)
		return -EINVAL;
	r = util_copy_opts(&opts, sizeof(opts), uopts, uopts ? uopts->sz : 0);
	if (r < 0)
		return r;
	if (!opts.page_exp)
		opts.page_exp = 8;
	if (opts.page_exp > 16 || (unsigned)opts.kind > EBPFPUB_OUTPUT_PERF_ARRAY) {
		util_log(opts.log_fn, opts.log_ctx, EBPFPUB_LOG_ERROR,
			 "perf output: page_exp %u or kind %d is out of range (page_exp 1 .. 16)",
			 opts.page_exp, (int)opts.kind);
		return -EINVAL;
	}
	out = calloc(1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	out->map_fd = out->control_fd = out->lost_fd = -1;
	out->log_fn = opts.log_fn;
	out->log_ctx = opts.log_ctx;
	out->page_exp = opts.page_exp;
	out->cpus = util_possible_cpus();
	out->kind = opts.kind;
	if (out->kind == EBPFPUB_OUTPUT_DEFAULT)
		out->kind = kernel_has_ringbuf() ? EBPFPUB_OUTPUT_RING_BUFFER
						 : EBPFPUB_OUTPUT_PERF_ARRAY;
	out->sink_count = 1;
	out->sinks = calloc(1, sizeof(*out->sinks));
	if (!out->sinks) {
		r = -ENOMEM;
		goto err;
	}
	out->lost_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "ebpfpub_lost", 4, 8, 1, NULL);
	if (out->lost_fd < 0) {
		r = -errno;
		util_log(out->log_fn, out->log_ctx, EBPFPUB_LOG_ERROR,
			 "perf output: creating a map failed: %s%s", strerror(-r),
			 r == -EPERM ? " (needs root or CAP_BPF)" : "");
		goto err;
	}
	if (out->kind == EBPFPUB_OUTPUT_RING_BUFFER) {
		LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_MMAPABLE);
		uint64_t bytes = (uint64_t)page << opts.page_exp;

		bytes = util_round_up_pow2((uint32_t)(bytes * (uint64_t)out->cpus));
		out->ring_bytes = bytes;
		out->watermark = (uint32_t)(bytes / 4);
		out->map_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "ebpfpub_ring", 0, 0,
					     (uint32_t)bytes, NULL);
		if (out->map_fd < 0) {
			r = -errno;
			util_log(out->log_fn, out->log_ctx, EBPFPUB_LOG_ERROR,
				 "perf output: creating a %llu-byte ring buffer failed: %s%s",
				 (unsigned long long)bytes, strerror(-r),
				 r == -EINVAL ? " (the kernel may lack BPF ring buffers, Linux 5.8+: use EBPFPUB_OUTPUT_PERF_ARRAY)" : "");
			if (r == -EINVAL && opts.kind == EBPFPUB_OUTPUT_RING_BUFFER)
				r = -EOPNOTSUPP;
			goto err;
		}
		out->control_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ebpfpub_ctl", 4,
						 sizeof(struct codegen_output_control), 1, &mopts);
		if (out->control_fd < 0) {
			r = -errno;
			goto err;
		}
		out->control = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED,
				    out->control_fd, 0);
		if (out->control == MAP_FAILED) {
			out->control = NULL;
			r = -errno;
			goto err;
		}
		out->rb = ring_buffer__new(out->map_fd, ringbuf_sample, out, NULL);
		if (!out->rb) {
			r = -errno;
			goto err;
		}
		/* Kernels without per-map memory accounting (6.1) report a ring buffer's memlock
		 * as (key + value size) x entries, which is 0: count its data and 3 meta pages. */
		out->memory = util_fd_memlock(out->map_fd);
		if (out->memory < bytes)
			out->memory = bytes + 3 * (uint64_t)page;
		out->memory += util_fd_memlock(out->control_fd) + util_fd_memlock(out->lost_fd);
	} else {
		struct perf_event_attr attr;
		size_t pages = (size_t)1 << opts.page_exp;

		memset(&attr, 0, sizeof(attr));
		attr.type = PERF_TYPE_SOFTWARE;
		attr.config = PERF_COUNT_SW_BPF_OUTPUT;
		attr.sample_type = PERF_SAMPLE_RAW;
		attr.sample_period = 1;
		/* Wake the reader when a quarter of a ring is used, not for every event; poll
		 * picks up a trickle within the flush interval. */
		attr.watermark = 1;
		attr.wakeup_watermark = (uint32_t)(pages * (size_t)page / 4);
		out->map_fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "ebpfpub_perf", 4, 4,
					     (uint32_t)out->cpus, NULL);
		if (out->map_fd < 0) {
			r = -errno;
			util_log(out->log_fn, out->log_ctx, EBPFPUB_LOG_ERROR,
				 "perf output: creating the perf event array failed: %s",
				 strerror(-r));
			goto err;
		}
		out->pb = perf_buffer__new_raw(out->map_fd, pages, &attr, perf_event, out, NULL);
		if (!out->pb) {
			r = -errno;
			util_log(out->log_fn, out->log_ctx, EBPFPUB_LOG_ERROR,
				 "perf output: opening %zu-page perf rings failed: %s", pages,
				 strerror(-r));
			goto err;
		}
		out->ring_bytes = (uint64_t)(pages + 1) * (uint64_t)page * (uint64_t)out->cpus;
		out->memory = out->ring_bytes + util_fd_memlock(out->map_fd) +
			      util_fd_memlock(out->lost_fd);
	}
	*result = out;
	return 0;
err:
	ebpfpub_perf_output_free(out);
	return r;
}

void ebpfpub_perf_output_free(struct ebpfpub_perf_output *out)
{
	if (!out)
		return;
	if (out->rb)
		ring_buffer__free(out->rb);
	if (out->pb)
		perf_buffer__free(out->pb);
	if (out->control)
		munmap(out->control, (size_t)sysconf(_SC_PAGESIZE));
	if (out->control_fd >= 0)
		close(out->control_fd);
	if (out->map_fd >= 0)
		close(out->map_fd);
	if (out->lost_fd >= 0)
		close(out->lost_fd);
	free(out->sinks);
	free(out);
}

uint64_t ebpfpub_perf_output_memory_usage(const struct ebpfpub_perf_output *out)
{
	return out ? out->memory : 0;
}

enum ebpfpub_output_kind ebpfpub_perf_output_kind(const struct ebpfpub_perf_output *out)
{
	return out ? out->kind : EBPFPUB_OUTPUT_DEFAULT;
}

uint64_t output_lost_total(const struct ebpfpub_perf_output *out)
{
	uint64_t values[1024] = { 0 }, sum = 0;  /* zeroed: valgrind cannot see the kernel write it */
	uint32_t key = 0;
	int i;

	if (out->cpus <= 1024 && bpf_map_lookup_elem(out->lost_fd, &key, values) == 0)
		for (i = 0; i < out->cpus; i++)
			sum += values[i];
	return sum + out->perf_lost;
}

uint64_t ebpfpub_perf_output_lost(const struct ebpfpub_perf_output *out)
{
	return out ? output_lost_total(out) : 0;
}

int output_register(struct ebpfpub_perf_output *out, struct tracer_syscall *sink, uint32_t *id)
{
	struct tracer_syscall **s;
	uint32_t i;

	/* Ids are small integers so that dispatch is an array index. */
	for (i = 1; i < out->sink_count; i++)
		if (!out->sinks[i])
			break;
	if (i == out->sink_count) {
		s = realloc(out->sinks, (out->sink_count + 1) * sizeof(*s));
		if (!s)
			return -ENOMEM;
		out->sinks = s;
		out->sink_count++;
	}
	out->sinks[i] = sink;
	*id = i;
	return 0;
}

void output_unregister(struct ebpfpub_perf_output *out, uint32_t id)
{
	if (id && id < out->sink_count)
		out->sinks[id] = NULL;
}

int output_epoll_fd(const struct ebpfpub_perf_output *out)
{
	return out->rb ? ring_buffer__epoll_fd(out->rb) : perf_buffer__epoll_fd(out->pb);
}

void output_about_to_sleep(struct ebpfpub_perf_output *out, bool sleeping)
{
	if (!out->control)
		return;
	__atomic_store_n(&out->control->reader_sleeping, sleeping ? 1 : 0, __ATOMIC_SEQ_CST);
}

int output_drain(struct ebpfpub_perf_output *out)
{
	int r = 0;

	out->delivered = 0;
	out->stop_rc = 0;
	if (out->rb) {
		r = ring_buffer__consume(out->rb);
	} else {
		size_t i, n = perf_buffer__buffer_cnt(out->pb);

		for (i = 0; i < n && !out->stop_rc; i++) {
			r = perf_buffer__consume_buffer(out->pb, i);
			if (r < 0)
				break;
		}
	}
	if (out->stop_rc)
		return out->stop_rc;
	if (r < 0)
		return r;
	return out->delivered;
}
