/* SPDX-License-Identifier: Apache-2.0 */
/* The buffer storage is one assembly area per CPU. A record (header, arguments, strings) is
 * built there and copied whole into the perf output before the program returns; BPF programs
 * on one CPU never run nested, so one area per CPU serves every tracer and syscall. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "buffer_storage.h"
#include "record.h"
#include "util.h"

struct ebpfpub_buffer_storage {
	int fd;                       /* BPF_MAP_TYPE_ARRAY: cpu -> assembly area */
	int cpus;
	struct layout_storage sizes;
	uint32_t buffer_count;
	uint64_t memory;
};

int ebpfpub_buffer_storage_new(const struct ebpfpub_buffer_storage_opts *uopts,
			       struct ebpfpub_buffer_storage **out)
{
	struct ebpfpub_buffer_storage_opts opts;
	struct ebpfpub_buffer_storage *s;
	int r;

	if (!out)
		return -EINVAL;
	r = util_copy_opts(&opts, sizeof(opts), uopts, uopts ? uopts->sz : 0);
	if (r < 0)
		return r;
	if (!opts.buffer_size)
		opts.buffer_size = 4096;
	if (!opts.buffer_count)
		opts.buffer_count = 8;
	if (opts.buffer_size < 16 || opts.buffer_size > 65536) {
		util_log(opts.log_fn, opts.log_ctx, EBPFPUB_LOG_ERROR,
			 "buffer storage: buffer_size %u is out of range (16 .. 65536)",
			 opts.buffer_size);
		return -EINVAL;
	}
	if (opts.buffer_count > 1024 ||
	    (uint64_t)opts.buffer_size * opts.buffer_count > (64u << 20)) {
		util_log(opts.log_fn, opts.log_ctx, EBPFPUB_LOG_ERROR,
			 "buffer storage: buffer_count %u is out of range (1 .. 1024, and at most 64 MiB per CPU)",
			 opts.buffer_count);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->cpus = util_possible_cpus();
	s->buffer_count = opts.buffer_count;
	layout_storage_init(&s->sizes, opts.buffer_size, opts.buffer_count);
	s->fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ebpfpub_store", 4, s->sizes.area_size,
			       (uint32_t)s->cpus, NULL);
	if (s->fd < 0) {
		r = -errno;
		util_log(opts.log_fn, opts.log_ctx, EBPFPUB_LOG_ERROR,
			 "buffer storage: creating a %u-byte x %d map failed: %s%s",
			 s->sizes.area_size, s->cpus, strerror(-r),
			 r == -EPERM ? " (needs root or CAP_BPF)" : "");
		free(s);
		return r;
	}
	s->memory = util_fd_memlock(s->fd);
	if (!s->memory)
		s->memory = (uint64_t)record_align(s->sizes.area_size) * (uint64_t)s->cpus;
	*out = s;
	return 0;
}

void ebpfpub_buffer_storage_free(struct ebpfpub_buffer_storage *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

uint64_t ebpfpub_buffer_storage_memory_usage(const struct ebpfpub_buffer_storage *s)
{
	return s ? s->memory : 0;
}

uint32_t ebpfpub_buffer_storage_buffer_size(const struct ebpfpub_buffer_storage *s)
{
	return s ? s->sizes.buffer_size : 0;
}

uint32_t ebpfpub_buffer_storage_buffer_count(const struct ebpfpub_buffer_storage *s)
{
	return s ? s->buffer_count : 0;
}

int buffer_storage_fd(const struct ebpfpub_buffer_storage *s)
{
	return s->fd;
}

const struct layout_storage *buffer_storage_sizes(const struct ebpfpub_buffer_storage *s)
{
	return &s->sizes;
}
