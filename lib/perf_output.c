/* SPDX-License-Identifier: Apache-2.0 */
/* The perf output: a BPF ring buffer (default) or a perf event array, and its consumer loop.
 * It dispatches each record to the consumer whose id the record carries and knows nothing
 * of what a consumer does with it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>

#include "codegen.h"
#include "feature_probes.h"
#include "perf_output.h"
#include "record.h"
#include "util.h"

/* While events flow, a poll waits this long before draining again so that each wakeup reads
 * a batch; when the ring is empty the reader sleeps until the first new event. Perf event
 * arrays wake the reader on a watermark only, so an idle reader looks again this often. */
#define OUTPUT_FLUSH_MS 5
#define OUTPUT_PERF_FLUSH_MS 10

struct output_consumer {
	output_sample_fn fn;  /* NULL: free slot */
	void *ctx;
	const void *owner;    /* polls are made on behalf of an owner (a tracer) */
	int pending_rc;       /* a negative sample return seen in another owner's poll */
};

struct ebpfpub_perf_output {
	enum ebpfpub_output_kind kind;
	uint32_t page_exp;
	int cpus;
	int map_fd;                   /* ring buffer or perf event array */
	int control_fd;               /* ring buffer: wakeup control, mmapped */
	int lost_fd;                  /* per-CPU count of failed outputs, written by programs */
	uint32_t watermark;           /* ring buffer: wake the reader from this many bytes */
	struct codegen_output_control *control;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	uint64_t memory;
	uint64_t malformed;
	bool recently_busy;           /* the last drain found events: batch the next one */
	struct output_consumer *consumers; /* index: consumer id (0 is never used) */
	uint32_t consumer_count;
	/* One drain at a time: polls of tracers that share the output may run on several
	 * threads. The drainer is remembered to refuse a re-entrant poll from a callback. */
	pthread_mutex_t lock;
	bool draining;
	pthread_t drainer;
	const void *self;             /* during a drain: whose poll it is */
	int self_delivered;
	int stop_rc;
	bool free_pending;            /* freed from inside its own drain */
	ebpfpub_log_fn log_fn;
	void *log_ctx;
};

static bool drained_by_this_thread(struct ebpfpub_perf_output *out)
{
	return __atomic_load_n(&out->draining, __ATOMIC_ACQUIRE) &&
	       pthread_equal(out->drainer, pthread_self());
}

/* Consumer registration may come from inside a sample function (another tracer's), when the
 * lock is held by this thread already. */
static void lock_unless_draining(struct ebpfpub_perf_output *out, bool *locked)
{
	*locked = !drained_by_this_thread(out);
	if (*locked)
		pthread_mutex_lock(&out->lock);
}

static void unlock_if(struct ebpfpub_perf_output *out, bool locked)
{
	if (locked)
		pthread_mutex_unlock(&out->lock);
}

static int dispatch(struct ebpfpub_perf_output *out, const void *data, size_t size)
{
	struct record_header h;
	output_sample_fn fn;
	uint32_t id;
	int r;

	if (size < RECORD_HEADER_SIZE) {
		out->malformed++;
		return 0;
	}
	memcpy(&h, data, sizeof(h));
	id = h.event_id;
	if (id == 0 || id >= out->consumer_count || !out->consumers[id].fn) {
		/* A program of a consumer that was just removed may still have been running. */
		out->malformed++;
		return 0;
	}
	/* The sample function may add consumers (realloc): index again afterwards. */
	fn = out->consumers[id].fn;
	r = fn(out->consumers[id].ctx, data, size);
	if (id >= out->consumer_count)
		return 0;
	if (out->consumers[id].owner != out->self) {
		/* Another owner's callback asked to stop: its own next poll says so; this
		 * poll goes on. */
		if (r < 0 && !out->consumers[id].pending_rc)
			out->consumers[id].pending_rc = r;
		return 0;
	}
	if (r >= 0) {
		out->self_delivered += r;
		return 0;
	}
	{
		out->stop_rc = r;
		return r;   /* ends this drain */
	}
}

static int ringbuf_sample(void *ctx, void *data, size_t size)
{
	return dispatch(ctx, data, size);
}

static enum bpf_perf_event_ret perf_event(void *ctx, int cpu, struct perf_event_header *ev)
{
	struct ebpfpub_perf_output *out = ctx;
	const unsigned char *p = (const unsigned char *)(ev + 1);
	uint32_t raw;

	(void)cpu;
	/* PERF_RECORD_LOST is not counted: the programs count every failed output themselves,
	 * and the kernel's record reports the same drops a second time. */
	if (ev->type != PERF_RECORD_SAMPLE)
		return LIBBPF_PERF_EVENT_CONT;
	/* PERF_SAMPLE_RAW: u32 size, then the bytes, padded to 8. */
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
	return LIBBPF_PERF_EVENT_CONT;
}

static int create_ring_buffer(struct ebpfpub_perf_output *out, long page)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_MMAPABLE);
	uint64_t bytes = (uint64_t)page << out->page_exp;
	int r;

	bytes = util_round_up_pow2((uint32_t)(bytes * (uint64_t)out->cpus));
	out->watermark = (uint32_t)(bytes / 4);
	out->map_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "ebpfpub_ring", 0, 0, (uint32_t)bytes,
				     NULL);
	if (out->map_fd < 0) {
		r = -errno;
		util_log(out->log_fn, out->log_ctx, EBPFPUB_LOG_ERROR,
			 "perf output: creating a %llu-byte ring buffer failed: %s%s",
			 (unsigned long long)bytes, strerror(-r),
			 r == -EINVAL ? " (the kernel may lack BPF ring buffers, Linux 5.8+: use EBPFPUB_OUTPUT_PERF_ARRAY)" : "");
		return r == -EINVAL ? -EOPNOTSUPP : r;
	}
	out->control_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ebpfpub_ctl", 4,
					 sizeof(struct codegen_output_control), 1, &mopts);
	if (out->control_fd < 0)
		return -errno;
	out->control = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED,
			    out->control_fd, 0);
	if (out->control == MAP_FAILED) {
		out->control = NULL;
		return -errno;
	}
	out->rb = ring_buffer__new(out->map_fd, ringbuf_sample, out, NULL);
	if (!out->rb)
		return -errno;
	/* Kernels without per-map memory accounting (6.1) report a ring buffer's memlock as
	 * (key + value size) x entries, which is 0: count its data and 3 meta pages. */
	out->memory = util_fd_memlock(out->map_fd);
	if (out->memory < bytes)
		out->memory = bytes + 3 * (uint64_t)page;
	out->memory += util_fd_memlock(out->control_fd) + util_fd_memlock(out->lost_fd);
	return 0;
}

static int create_perf_array(struct ebpfpub_perf_output *out, long page)
{
	struct perf_event_attr attr;
	size_t pages = (size_t)1 << out->page_exp;
	int r;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	/* Wake the reader when a quarter of a ring is used, not for every event; poll picks up
	 * a trickle within the flush interval. */
	attr.watermark = 1;
	attr.wakeup_watermark = (uint32_t)(pages * (size_t)page / 4);
	out->map_fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "ebpfpub_perf", 4, 4,
				     (uint32_t)out->cpus, NULL);
	if (out->map_fd < 0) {
		r = -errno;
		util_log(out->log_fn, out->log_ctx, EBPFPUB_LOG_ERROR,
			 "perf output: creating the perf event array failed: %s", strerror(-r));
		return r;
	}
	out->pb = perf_buffer__new_raw(out->map_fd, pages, &attr, perf_event, out, NULL);
	if (!out->pb) {
		r = -errno;
		util_log(out->log_fn, out->log_ctx, EBPFPUB_LOG_ERROR,
			 "perf output: opening %zu-page perf rings failed: %s", pages, strerror(-r));
		return r;
	}
	/* The rings are mmapped perf buffers, not BPF maps: count their pages here. */
	out->memory = (uint64_t)(pages + 1) * (uint64_t)page * (uint64_t)out->cpus +
		      util_fd_memlock(out->map_fd) + util_fd_memlock(out->lost_fd);
	return 0;
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
	pthread_mutex_init(&out->lock, NULL);
	out->map_fd = out->control_fd = out->lost_fd = -1;
	out->log_fn = opts.log_fn;
	out->log_ctx = opts.log_ctx;
	out->page_exp = opts.page_exp;
	out->cpus = util_possible_cpus();
	out->kind = opts.kind;
	if (out->kind == EBPFPUB_OUTPUT_DEFAULT)
		out->kind = features_have_ringbuf() ? EBPFPUB_OUTPUT_RING_BUFFER
						    : EBPFPUB_OUTPUT_PERF_ARRAY;
	out->consumer_count = 1;
	out->consumers = calloc(1, sizeof(*out->consumers));
	if (!out->consumers) {
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
	r = out->kind == EBPFPUB_OUTPUT_RING_BUFFER ? create_ring_buffer(out, page)
						    : create_perf_array(out, page);
	if (r == -EOPNOTSUPP && opts.kind == EBPFPUB_OUTPUT_DEFAULT)
		r = -EINVAL;   /* the probe said yes: not a missing feature */
	if (r < 0)
		goto err;
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
	if (drained_by_this_thread(out)) {
		/* From a sample function: the drain frees it when it returns. */
		out->free_pending = true;
		return;
	}
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
	pthread_mutex_destroy(&out->lock);
	free(out->consumers);
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

uint64_t ebpfpub_perf_output_lost(const struct ebpfpub_perf_output *out)
{
	uint64_t sum = 0;

	if (out)
		util_percpu_sum(out->lost_fd, 0, &sum);
	return sum;
}

uint64_t output_malformed(const struct ebpfpub_perf_output *out)
{
	return out->malformed;
}

void output_program_env(const struct ebpfpub_perf_output *out, struct output_program_env *env)
{
	env->map_fd = out->map_fd;
	env->is_ringbuf = out->kind == EBPFPUB_OUTPUT_RING_BUFFER;
	env->control_fd = out->control_fd;
	env->lost_fd = out->lost_fd;
	env->watermark = out->watermark;
}

int output_consumer_add(struct ebpfpub_perf_output *out, output_sample_fn fn, void *ctx,
			const void *owner, uint32_t *id)
{
	struct output_consumer *grown;
	bool locked;
	uint32_t i;

	lock_unless_draining(out, &locked);
	/* Ids are small integers so that dispatch is an array index, and never reused: a
	 * record (or a thread's task storage entry) of a removed consumer must not be taken
	 * for a later one's. */
	i = out->consumer_count;
	{
		grown = realloc(out->consumers, (out->consumer_count + 1) * sizeof(*grown));
		if (!grown) {
			unlock_if(out, locked);
			return -ENOMEM;
		}
		out->consumers = grown;
		out->consumer_count++;
	}
	memset(&out->consumers[i], 0, sizeof(out->consumers[i]));
	out->consumers[i].fn = fn;
	out->consumers[i].ctx = ctx;
	out->consumers[i].owner = owner;
	*id = i;
	unlock_if(out, locked);
	return 0;
}

void output_consumer_remove(struct ebpfpub_perf_output *out, uint32_t id)
{
	bool locked;

	lock_unless_draining(out, &locked);
	if (id && id < out->consumer_count)
		memset(&out->consumers[id], 0, sizeof(out->consumers[id]));
	unlock_if(out, locked);
}

int output_epoll_fd(const struct ebpfpub_perf_output *out)
{
	return out->rb ? ring_buffer__epoll_fd(out->rb) : perf_buffer__epoll_fd(out->pb);
}

int output_flush_interval_ms(const struct ebpfpub_perf_output *out)
{
	return out->control ? OUTPUT_FLUSH_MS : OUTPUT_PERF_FLUSH_MS;
}

/* Tells the programs the reader is about to wait (ring buffer), or nothing. */
static void about_to_sleep(struct ebpfpub_perf_output *out, bool sleeping)
{
	if (out->control)
		__atomic_store_n(&out->control->reader_sleeping, sleeping ? 1 : 0,
				 __ATOMIC_SEQ_CST);
}

/* Drains what is there without waiting: SELF's events, SELF's error, or -EBUSY. *FREED is
 * set when a sample function freed the output (it is gone then). */
static int drain(struct ebpfpub_perf_output *out, const void *self, bool *freed)
{
	int r = 0, n;
	uint32_t i;

	*freed = false;
	if (drained_by_this_thread(out))
		return -EBUSY;
	pthread_mutex_lock(&out->lock);
	out->drainer = pthread_self();
	__atomic_store_n(&out->draining, true, __ATOMIC_RELEASE);
	out->self = self;
	out->self_delivered = 0;
	out->stop_rc = 0;
	for (i = 1; i < out->consumer_count; i++)
		if (out->consumers[i].fn && out->consumers[i].owner == self &&
		    out->consumers[i].pending_rc) {
			out->stop_rc = out->consumers[i].pending_rc;
			out->consumers[i].pending_rc = 0;
			break;
		}
	if (out->stop_rc) {
		/* reported before anything more is delivered */
	} else if (out->rb) {
		r = ring_buffer__consume(out->rb);
	} else {
		size_t b, cnt = perf_buffer__buffer_cnt(out->pb);

		for (b = 0; b < cnt && !out->stop_rc; b++) {
			r = perf_buffer__consume_buffer(out->pb, b);
			if (r < 0)
				break;
		}
	}
	n = out->self_delivered;
	__atomic_store_n(&out->draining, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&out->lock);
	if (out->free_pending) {
		out->free_pending = false;
		ebpfpub_perf_output_free(out);
		*freed = true;
		return r < 0 && !n ? r : -ECANCELED;
	}
	if (out->stop_rc)
		return out->stop_rc;
	if (r < 0)
		return r;
	return n;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_on(int fd, int timeout_ms)
{
	struct epoll_event evs[4];

	if (epoll_wait(fd, evs, 4, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

int output_poll(struct ebpfpub_perf_output *out, const void *self, int wait_fd, int timeout_ms,
		const volatile sig_atomic_t *stopped)
{
	int flush = output_flush_interval_ms(out);
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	bool freed;
	int n, r;

	if (drained_by_this_thread(out))
		return -EBUSY;
	/* Stopped: hand over what is already in the output, then say so. */
	if (*stopped) {
		n = drain(out, self, &freed);
		return n != 0 ? n : -ECANCELED;
	}
	/* Busy: let a batch build up (the watermark still wakes us early). */
	if (out->recently_busy && timeout_ms != 0) {
		r = wait_on(wait_fd, timeout_ms < 0 || timeout_ms > flush ? flush : timeout_ms);
		if (r < 0)
			return r;
	}
	for (;;) {
		int left;

		n = drain(out, self, &freed);
		if (freed)
			return n;
		if (n != 0) {
			out->recently_busy = n > 0;
			return n;
		}
		out->recently_busy = false;
		if (*stopped)
			return -ECANCELED;
		left = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && left <= 0)
			return 0;
		/* Idle: ask the programs for a wakeup at the next event, then look once more so
		 * that an event written just before the flag is not left waiting. */
		about_to_sleep(out, true);
		n = drain(out, self, &freed);
		if (freed)
			return n;
		if (n != 0) {
			about_to_sleep(out, false);
			out->recently_busy = n > 0;
			return n;
		}
		if (!out->control && (left < 0 || left > flush))
			left = flush;
		r = wait_on(wait_fd, left);
		if (r < 0)
			return r;
	}
}
