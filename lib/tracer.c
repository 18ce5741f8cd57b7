/* SPDX-License-Identifier: Apache-2.0 */
/* The tracer: syscall names in, attached programs and decoded events out. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "buffer_storage.h"
#include "feature_probes.h"
#include "codegen.h"
#include "decode.h"
#include "dispatch.h"
#include "layout.h"
#include "loader.h"
#include "perf_output.h"
#include "program_cache.h"
#include "rules.h"
#include "serializer.h"
#include "syscall_numbers.h"
#include "task_storage.h"
#include "tracefs.h"
#include "tracer_context.h"
#include "util.h"

struct ebpfpub_tracer;

/* One traced syscall of a tracer. */
struct tracer_syscall {
	struct ebpfpub_tracer *tracer;
	struct layout layout;
	struct decode_state decode;
	uint32_t event_id;            /* its consumer id in the output */
	uint32_t counter_base;        /* its counters in the tracer's counters map */
	uint64_t received;            /* records the output handed over */
	int event_map_fd;
	int enter_fd, exit_fd;        /* programs */
	int enter_link, exit_link;    /* perf events holding the attachments */
	int exit_link2;               /* its exit program on the serializer's extra tracepoint */
	bool dispatched;              /* reached through the tracer's dispatch program arrays */
	bool in_arrays;               /* its programs are in those arrays now */
	int nr;                       /* its syscall number (dispatched), else -1 */
	bool entry_in_task;           /* its entries wait in the tracer's task storage */
	bool internal;                /* traced for the process table only: not delivered */
	int cache_slot;               /* its programs are the tracer's of its shape, or -1 */
	uint64_t memory;
	char *ir;                     /* made on request (ebpfpub_tracer_program_text) */
	char *insns_text;             /* made on request from the copies below */
	struct loader_program insns[2]; /* what was loaded: enter, exit */
	struct rules_plan plan;       /* its rules, compiled into the programs */
	uint32_t generation;          /* a rules reload replaces it by the next one */
};

struct registered_serializer {
	char *syscall;
	/* The caller's struct copied as far as its sz goes (an older, shorter one has no
	 * decode hook): nothing past it is ever read. */
	struct ebpfpub_serializer *serializer;
};

struct ebpfpub_tracer {
	struct ebpfpub_tracer_opts opts;
	uint32_t pids[CODEGEN_MAX_PIDS];
	char comm[16];
	struct ebpfpub_buffer_storage *storage;
	struct ebpfpub_perf_output *output;
	bool own_storage, own_output;
	struct codegen *cg;
	char tracefs[256];
	char **names;                 /* syscalls this kernel can trace, for checks and hints */
	struct tracer_syscall **syscalls;
	size_t syscall_count;
	struct registered_serializer *registered;
	size_t registered_count;
	int counters_fd;              /* per-CPU: CODEGEN_COUNTER_COUNT per syscall of names */
	int task_storage_fd;          /* entries of syscalls without enter captures, or -1 */
	bool task_storage_failed;     /* this kernel cannot: the event maps serve all */
	int epoll_fd;
	int stop_fd;
	volatile sig_atomic_t stopped;
	/* Re-entrancy: set while a poll runs; while the callback runs, on which thread. */
	int polling;
	int in_callback;
	pthread_t callback_thread;
	bool free_pending;            /* freed from its own callback: freed when that returns */
	bool codegen_used;            /* since the last poll: LLVM's memory can be given back */
	bool have_mm_offsets;
	bool mm_offsets_tried;
	uint32_t task_mm_offset, mm_arg_start_offset, mm_env_end_offset;
	struct dispatch *dispatch;    /* the raw_syscalls dispatchers, while one is dispatched */
	size_t dispatched_count;
	bool dispatch_failed;         /* this kernel cannot: every syscall on its tracepoints */
	uint32_t task_status_offset;  /* thread_info.status in task_struct (ia32 calls) */
	struct program_cache programs; /* by shape, for dispatched syscalls to share */
	uint64_t events, filtered, malformed, truncated, read_errors;
	struct tracer_context context;
	struct ebpfpub_tracer_stats retired;  /* kernel-side counts of removed syscalls */
	struct ebpfpub_rule **rules;  /* copies, in the order added */
	size_t rule_count;
	uint64_t rule_disagreements;
	char *explain;
	int gate_fd;                  /* per syscall: the generation whose programs run */
	struct ebpfpub_rule **retired_rules;  /* replaced by a reload, still named by events */
	size_t retired_rule_count;
	char last_error[UTIL_ERR_SIZE];
};

const char *ebpfpub_version(void)
{
	return EBPFPUB_VERSION;
}

const struct ebpfpub_field *ebpfpub_event_field(const struct ebpfpub_event *ev, const char *name)
{
	size_t i;

	if (!ev || !name)
		return NULL;
	for (i = 0; i < ev->field_count; i++)
		if (strcmp(ev->fields[i].name, name) == 0)
			return &ev->fields[i];
	return NULL;
}

__attribute__((format(printf, 3, 4))) static int fail(struct ebpfpub_tracer *t, int r,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->last_error, sizeof(t->last_error), fmt, ap);
	va_end(ap);
	util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_ERROR, "%s", t->last_error);
	return r;
}

static int fail_with(struct ebpfpub_tracer *t, int r, const char *msg)
{
	return fail(t, r, "%s", msg);
}

/* Checks and keeps the options (copies of the pids and comm: the caller's may go away). */
static int take_options(struct ebpfpub_tracer *t, const struct ebpfpub_tracer_opts *uopts)
{
	struct ebpfpub_tracer_opts *o = &t->opts;

	if (util_copy_opts(o, sizeof(*o), uopts, uopts->sz) < 0) {
		util_log(uopts->log_fn, uopts->log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: unknown fields are set (struct of %zu bytes, this library knows %zu)",
			 uopts->sz, sizeof(*o));
		return -EINVAL;
	}
	if (!o->event_map_size)
		o->event_map_size = 1024;
	if (!o->callback) {
		util_log(o->log_fn, o->log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: a callback is required");
	} else if ((unsigned)o->attach_mode > EBPFPUB_ATTACH_DISPATCH) {
		util_log(o->log_fn, o->log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: attach_mode %d is not an enum ebpfpub_attach_mode",
			 (int)o->attach_mode);
	} else if ((unsigned)o->entry_storage > EBPFPUB_ENTRY_STORAGE_EVENT_MAP) {
		util_log(o->log_fn, o->log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: entry_storage %d is not an enum ebpfpub_entry_storage",
			 (int)o->entry_storage);
	} else if (o->event_map_size < 16 || o->event_map_size > (1u << 20)) {
		util_log(o->log_fn, o->log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: event_map_size %u is out of range (16 .. 1048576)",
			 o->event_map_size);
	} else if (o->pid_count > CODEGEN_MAX_PIDS || (o->pid_count && !o->pids)) {
		util_log(o->log_fn, o->log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: at most %d pids can be filtered", CODEGEN_MAX_PIDS);
	} else if (o->comm && (strlen(o->comm) > 15 || !o->comm[0])) {
		util_log(o->log_fn, o->log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: comm '%s' must have 1 to 15 characters", o->comm);
	} else {
		if (o->pid_count)
			memcpy(t->pids, o->pids, o->pid_count * sizeof(uint32_t));
		o->pids = t->pids;
		if (o->comm) {
			strncpy(t->comm, o->comm, sizeof(t->comm) - 1);
			o->comm = t->comm;
		}
		if (o->tracefs_path)
			snprintf(t->tracefs, sizeof(t->tracefs), "%s", o->tracefs_path);
		o->tracefs_path = NULL;
		return 0;
	}
	return -EINVAL;
}

/* The storage and output given in the options, or private ones. */
static int take_shared_objects(struct ebpfpub_tracer *t)
{
	int r;

	t->storage = t->opts.buffer_storage;
	if (!t->storage) {
		EBPFPUB_OPTS(ebpfpub_buffer_storage_opts, so, .log_fn = t->opts.log_fn,
			     .log_ctx = t->opts.log_ctx);

		r = ebpfpub_buffer_storage_new(&so, &t->storage);
		if (r < 0)
			return r;
		t->own_storage = true;
	}
	t->output = t->opts.perf_output;
	if (!t->output) {
		EBPFPUB_OPTS(ebpfpub_perf_output_opts, po, .log_fn = t->opts.log_fn,
			     .log_ctx = t->opts.log_ctx);

		r = ebpfpub_perf_output_new(&po, &t->output);
		if (r < 0)
			return r;
		t->own_output = true;
	}
	return 0;
}

/* The set a poll waits on (the output's own poll uses it): an event or a stop ends it. */
static int create_wait_set(struct ebpfpub_tracer *t)
{
	struct epoll_event ev;
	int fds[2], i;

	t->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	t->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->epoll_fd < 0 || t->stop_fd < 0)
		return fail(t, -errno, "tracer: creating its epoll set failed: %s", strerror(errno));
	fds[0] = t->stop_fd;
	fds[1] = output_epoll_fd(t->output);
	for (i = 0; i < 2; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.fd = fds[i];
		if (epoll_ctl(t->epoll_fd, EPOLL_CTL_ADD, fds[i], &ev) < 0)
			return fail(t, -errno, "tracer: epoll_ctl failed: %s", strerror(errno));
	}
	return 0;
}

int ebpfpub_tracer_new(const struct ebpfpub_tracer_opts *uopts, struct ebpfpub_tracer **out)
{
	struct ebpfpub_tracer *t;
	char err[UTIL_ERR_SIZE];
	int r;

	if (!out || !uopts)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->counters_fd = t->epoll_fd = t->stop_fd = t->task_storage_fd = -1;
	t->context.cgroup_map_fd = -1;
	t->gate_fd = -1;
	r = take_options(t, uopts);
	if (r == 0) {
		r = tracer_context_init(&t->context, &t->opts, err, sizeof(err));
		if (r < 0)
			fail_with(t, r, err);
	}
	if (r == 0)
		r = take_shared_objects(t);
	/* LLVM and its BPF target are checked now, so that a tracer that exists can generate. */
	if (r == 0) {
		r = codegen_new(&t->cg, err, sizeof(err));
		if (r < 0)
			fail_with(t, r, err);
	}
	if (r == 0)
		r = create_wait_set(t);
	if (r < 0) {
		ebpfpub_tracer_free(t);
		return r;
	}
	*out = t;
	return 0;
}

/* Closes S's programs and attachments (and its event map), so that it can be generated
 * again or freed. */
/* Closes S's attachments: its programs run no more. */
static void syscall_detach_programs(struct tracer_syscall *s)
{
	int *links[] = { &s->enter_link, &s->exit_link, &s->exit_link2 };
	size_t i;

	/* Enter first: a call whose enter program ran still meets its exit program. */
	if (s->in_arrays) {
		dispatch_clear_enter(s->tracer->dispatch, (uint32_t)s->nr);
		dispatch_clear_exit(s->tracer->dispatch, (uint32_t)s->nr);
		s->in_arrays = false;
	}
	for (i = 0; i < ARRAY_SIZE(links); i++) {
		if (*links[i] >= 0)
			close(*links[i]);
		*links[i] = -1;
	}
}

static void syscall_detach(struct tracer_syscall *s)
{
	int *fds[] = { &s->enter_link, &s->exit_link, &s->exit_link2, &s->enter_fd, &s->exit_fd,
		       &s->event_map_fd };
	size_t i;

	/* A program array holds its own reference: take the programs out first. */
	syscall_detach_programs(s);
	/* Detach first: closing the perf events stops the programs from running. Each close
	 * waits for an RCU grace period under the kernel's event_mutex (Linux 6.14+ made
	 * syscall tracepoints faultable), ~40 ms apiece, so it cannot be done in parallel. */
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	free(s->ir);
	free(s->insns_text);
	s->ir = s->insns_text = NULL;
	loader_program_release(&s->insns[0]);
	loader_program_release(&s->insns[1]);
	program_cache_drop(&s->tracer->programs, s->cache_slot);
	s->cache_slot = -1;
}

static void syscall_free(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	if (!s)
		return;
	syscall_detach(s);
	if (s->dispatched && t->dispatched_count && !--t->dispatched_count) {
		/* No syscall is dispatched any more: no dispatcher on every syscall either. */
		dispatch_free(t->dispatch);
		t->dispatch = NULL;
	}
	if (s->event_id)
		output_consumer_remove(t->output, s->event_id);
	decode_state_release(&s->decode);
	rules_plan_release(&s->plan);
	layout_release(&s->layout);
	free(s);
}

static bool in_own_callback(const struct ebpfpub_tracer *t)
{
	return __atomic_load_n(&t->in_callback, __ATOMIC_ACQUIRE) &&
	       pthread_equal(t->callback_thread, pthread_self());
}

static void tracer_destroy(struct ebpfpub_tracer *t);

void ebpfpub_tracer_free(struct ebpfpub_tracer *t)
{
	if (!t)
		return;
	if (in_own_callback(t) || __atomic_load_n(&t->polling, __ATOMIC_ACQUIRE)) {
		/* From its own callback: the dispatch still uses it. It is freed as soon as
		 * the callback returns; nothing more is delivered meanwhile. */
		t->free_pending = true;
		ebpfpub_tracer_stop(t);
		return;
	}
	tracer_destroy(t);
}

static void tracer_destroy(struct ebpfpub_tracer *t)
{
	size_t i;

	/* The dispatchers first: two detaches stop every dispatched syscall at once (and
	 * closing the arrays releases their programs), instead of one array update each. */
	dispatch_free(t->dispatch);
	t->dispatch = NULL;
	t->dispatched_count = 0;
	for (i = 0; i < t->syscall_count; i++)
		t->syscalls[i]->in_arrays = false;
	for (i = 0; i < t->syscall_count; i++)
		syscall_free(t, t->syscalls[i]);
	free(t->syscalls);
	for (i = 0; i < t->registered_count; i++)
		free(t->registered[i].syscall), free(t->registered[i].serializer);
	free(t->registered);
	if (t->own_output)
		ebpfpub_perf_output_free(t->output);
	if (t->own_storage)
		ebpfpub_buffer_storage_free(t->storage);
	if (t->counters_fd >= 0)
		close(t->counters_fd);
	if (t->task_storage_fd >= 0)
		close(t->task_storage_fd);
	if (t->epoll_fd >= 0)
		close(t->epoll_fd);
	if (t->stop_fd >= 0)
		close(t->stop_fd);
	program_cache_release(&t->programs);
	codegen_free(t->cg);
	tracer_context_release(&t->context);
	tracefs_strv_free(t->names);
	for (i = 0; i < t->rule_count; i++)
		ebpfpub_rule_free(t->rules[i]);
	free(t->rules);
	for (i = 0; i < t->retired_rule_count; i++)
		ebpfpub_rule_free(t->retired_rules[i]);
	free(t->retired_rules);
	if (t->gate_fd >= 0)
		close(t->gate_fd);
	free(t->explain);
	free(t);
}

/* One slot of counters per syscall this kernel can trace, so that each syscall's calls can
 * be accounted for on their own. */
static int create_counters(struct ebpfpub_tracer *t)
{
	size_t n = 0;
	int r;

	while (t->names[n])
		n++;
	/* Two sets per syscall: a rules reload's new programs count in the other one while
	 * the old ones still run. */
	t->counters_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "ebpfpub_count", 4, 8,
					(uint32_t)((n + 1) * 2 * CODEGEN_COUNTER_COUNT), NULL);
	if (t->counters_fd < 0) {
		r = -errno;
		return fail(t, r, "creating the tracer's counters map failed: %s%s", strerror(-r),
			    r == -EPERM ? " (needs root or CAP_BPF)" : "");
	}
	return 0;
}

static uint32_t syscall_slot(const struct ebpfpub_tracer *t, const char *name)
{
	uint32_t i;

	for (i = 0; t->names[i]; i++)
		if (strcmp(t->names[i], name) == 0)
			return i;
	return i;   /* never: callers checked known_syscall() */
}

/* Finds tracefs and the list of traceable syscalls once. */
static int ensure_tracefs(struct ebpfpub_tracer *t)
{
	char err[1024], root[256];
	int r;

	if (t->names)
		return 0;
	r = tracefs_locate(t->tracefs[0] ? t->tracefs : NULL, root, sizeof(root), err,
			   sizeof(err));
	if (r < 0)
		return fail(t, r, "%s", err);
	snprintf(t->tracefs, sizeof(t->tracefs), "%s", root);
	r = tracefs_list_syscalls(t->tracefs, &t->names);
	if (r < 0)
		return fail(t, r, "cannot list the syscall tracepoints in %s/events/syscalls: %s",
			    t->tracefs, strerror(-r));
	r = create_counters(t);
	if (r < 0) {
		tracefs_strv_free(t->names);
		t->names = NULL;
	}
	return r;
}

static bool known_syscall(struct ebpfpub_tracer *t, const char *name)
{
	char **n;

	for (n = t->names; n && *n; n++)
		if (strcmp(*n, name) == 0)
			return true;
	return false;
}

static int unknown_syscall(struct ebpfpub_tracer *t, const char *name)
{
	char hint[256] = "";
	char path[512];
	bool enter, exit;

	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_%s", t->tracefs, name);
	enter = access(path, F_OK) == 0;
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_exit_%s", t->tracefs, name);
	exit = access(path, F_OK) == 0;
	if (enter != exit)
		return fail(t, -ENOENT, "syscall '%s' has no sys_%s_%s tracepoint on this kernel",
			    name, enter ? "exit" : "enter", name);
	if (tracefs_suggest(name, t->names, hint, sizeof(hint)) > 0)
		return fail(t, -ENOENT,
			    "unknown syscall '%s': this kernel has no tracepoints sys_enter_%s/sys_exit_%s; did you mean %s?",
			    name, name, name, hint);
	return fail(t, -ENOENT,
		    "unknown syscall '%s': this kernel has no tracepoints sys_enter_%s/sys_exit_%s (ebpftracer --list shows the traceable ones)",
		    name, name, name);
}

static struct tracer_syscall *find_syscall(const struct ebpfpub_tracer *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->syscall_count; i++)
		if (strcmp(t->syscalls[i]->layout.syscall, name) == 0)
			return t->syscalls[i];
	return NULL;
}

static const struct ebpfpub_serializer *serializer_for(const struct ebpfpub_tracer *t,
						       const char *name)
{
	size_t i;

	for (i = 0; i < t->registered_count; i++)
		if (strcmp(t->registered[i].syscall, name) == 0)
			return t->registered[i].serializer;
	return serializer_builtin(name);
}

const char *ebpfpub_tracer_serializer_name(struct ebpfpub_tracer *t, const char *name)
{
	const struct ebpfpub_serializer *s;

	if (!t || !name)
		return NULL;
	s = serializer_for(t, name);
	return s ? (s->name ? s->name : "custom") : serializer_generic_name;
}

/* Reads both format files and builds the layout. */
static int build_layout(struct ebpfpub_tracer *t, const char *name,
			const struct ebpfpub_serializer *ser, struct layout *l)
{
	char event[300], err[1024];
	char *enter = NULL, *exit = NULL;
	size_t enter_len, exit_len;
	int r;

	snprintf(event, sizeof(event), "sys_enter_%s", name);
	r = tracefs_read_format(t->tracefs, event, &enter, &enter_len);
	if (r < 0) {
		fail(t, r, "syscall '%s': cannot read %s/events/syscalls/%s/format: %s", name,
		     t->tracefs, event, strerror(-r));
		goto out;
	}
	snprintf(event, sizeof(event), "sys_exit_%s", name);
	r = tracefs_read_format(t->tracefs, event, &exit, &exit_len);
	if (r < 0) {
		fail(t, r, "syscall '%s': cannot read %s/events/syscalls/%s/format: %s", name,
		     t->tracefs, event, strerror(-r));
		goto out;
	}
	r = layout_build(l, name, enter, enter_len, exit, exit_len, ser,
			 buffer_storage_sizes(t->storage), err, sizeof(err));
	if (r < 0)
		fail_with(t, r, err);
out:
	free(enter);
	free(exit);
	return r;
}

/* Whether S's programs read its event id and counters by number (so that syscalls of one
 * shape share them): dispatched, entries in task storage, and neither rules (their gate and
 * counters are per generation) nor a serializer's own code. */
static bool by_number(const struct tracer_syscall *s)
{
	return s->dispatched && s->entry_in_task && !s->plan.count && !s->layout.ops &&
	       s->generation == 1;
}

static void fill_env(struct ebpfpub_tracer *t, struct tracer_syscall *s, struct codegen_env *env)
{
	struct output_program_env oe;

	memset(env, 0, sizeof(*env));
	output_program_env(t->output, &oe);
	env->entry_in_task = s->entry_in_task;
	env->task_storage_fd = t->task_storage_fd;
	env->event_map_fd = s->event_map_fd;
	env->storage_fd = buffer_storage_fd(t->storage);
	env->counters_fd = t->counters_fd;
	env->counter_base = s->counter_base;
	env->output_fd = oe.map_fd;
	env->output_is_ringbuf = oe.is_ringbuf;
	env->control_fd = oe.control_fd;
	env->lost_fd = oe.lost_fd;
	env->ringbuf_watermark = oe.watermark;
	env->event_id = s->event_id;
	env->self_tgid = t->opts.trace_self ? 0 : (uint32_t)getpid();
	env->pid_count = (uint32_t)t->opts.pid_count;
	memcpy(env->pids, t->pids, sizeof(env->pids));
	env->filter_uid = t->opts.filter_uid;
	env->uid = t->opts.uid;
	if (t->opts.comm) {
		env->filter_comm = true;
		memcpy(env->comm, t->comm, sizeof(env->comm));
	}
	/* task->mm: the new program's argv (execve), and telling kernel threads from processes
	 * before a rule's signal. */
	if (((s->layout.ops && s->layout.ops->needs_mm_offsets) || s->plan.any_signal) &&
	    !t->mm_offsets_tried) {
		char err[256];

		t->mm_offsets_tried = true;
		t->have_mm_offsets = loader_mm_offsets(&t->task_mm_offset, &t->mm_arg_start_offset,
						       &t->mm_env_end_offset,
						       err, sizeof(err)) == 0;
		if (!t->have_mm_offsets)
			util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_WARNING,
				 "%s: syscall '%s': %s", err,
				 s->layout.syscall,
				 s->plan.any_signal ? "a rule's signal relies on bpf_send_signal alone to spare kernel threads"
						    : "argv will only be read at enter");
	}
	env->have_mm_offsets = t->have_mm_offsets;
	env->task_mm_offset = t->task_mm_offset;
	env->mm_arg_start_offset = t->mm_arg_start_offset;
	env->mm_env_end_offset = t->mm_env_end_offset;
	tracer_context_env(&t->context, env);
	env->rules = &s->plan;
	env->gate_fd = t->gate_fd;
	env->gate_key = syscall_slot(t, s->layout.syscall);
	env->generation = s->generation;
	env->skip_compat = s->dispatched;
	env->raw_tracepoint = s->dispatched;
	env->task_status_offset = t->task_status_offset;
	env->by_number = by_number(s);
	env->syscall_info_fd = dispatch_info_fd(t->dispatch);
}

static int load_program(struct ebpfpub_tracer *t, struct tracer_syscall *s,
			const struct codegen_object *obj, bool enter, int *prog_fd, int *link_fd)
{
	const char *name = s->layout.syscall;
	struct loader_program prog;
	char what[128], pname[16], event[300], err[UTIL_ERR_SIZE];
	uint32_t id;
	int r;

	snprintf(what, sizeof(what), "syscall '%s': the %s program", name,
		 enter ? "enter" : "exit");
	r = loader_extract(obj->elf, obj->elf_size,
			   enter ? CODEGEN_ENTER_SECTION : CODEGEN_EXIT_SECTION, &prog, err,
			   sizeof(err));
	if (r < 0)
		return fail(t, r, "%s: %s", what, err);
	snprintf(pname, sizeof(pname), "ep%c_%s", enter ? 'n' : 'x', name);
	prog.raw_tracepoint = s->dispatched;   /* tail-called from the raw dispatchers */
	r = loader_load(&prog, pname, what, err, sizeof(err));
	/* Kept for ebpfpub_tracer_program_text(), disassembled only if it is called. */
	loader_program_release(&s->insns[enter ? 0 : 1]);
	s->insns[enter ? 0 : 1] = prog;
	if (r < 0)
		return fail_with(t, r, err);
	*prog_fd = r;
	if (s->dispatched)
		return 0;   /* reached through the program arrays (generate_and_attach) */
	snprintf(event, sizeof(event), "sys_%s_%s", enter ? "enter" : "exit", name);
	r = loader_tracepoint_id(t->tracefs, event, &id);
	if (r < 0)
		return fail(t, r, "%s: cannot read the id of tracepoint %s: %s", what, event,
			    strerror(-r));
	r = loader_attach(*prog_fd, id, what, err, sizeof(err));
	if (r < 0)
		return fail_with(t, r, err);
	*link_fd = r;
	return 0;
}

static int deliver(void *ctx, const void *data, size_t size);

/* Calls that change a tracer are refused while its poll runs: from its own callback (the
 * dispatch is iterating over what they change) or from another thread. */
static int refuse_if_polling(struct ebpfpub_tracer *t, const char *what)
{
	if (!__atomic_load_n(&t->polling, __ATOMIC_ACQUIRE) && !in_own_callback(t))
		return 0;
	if (!in_own_callback(t)) {
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_ERROR,
			 "%s: another thread is polling this tracer", what);
		return -EBUSY;
	}
	return fail(t, -EBUSY, "%s cannot be called from the tracer's own callback", what);
}

/* The start of every call that changes the tracer: not while it polls, a fresh error text,
 * tracefs found. */
static int begin_change(struct ebpfpub_tracer *t, const char *what)
{
	int r = refuse_if_polling(t, what);

	if (r < 0)
		return r;
	t->last_error[0] = '\0';
	return ensure_tracefs(t);
}

/* Whether S's entries can wait in the thread's task storage, created on first use. */
static bool use_task_storage(struct ebpfpub_tracer *t, const struct tracer_syscall *s, int *r)
{
	char err[256];
	int fd;

	*r = 0;
	if (t->opts.entry_storage == EBPFPUB_ENTRY_STORAGE_EVENT_MAP || t->task_storage_failed ||
	    s->layout.has_enter_captures || s->layout.entry_size > CODEGEN_TASK_ENTRY_SIZE)
		return false;
	if (t->task_storage_fd >= 0)
		return true;
	fd = task_storage_create(CODEGEN_TASK_ENTRY_SIZE, err, sizeof(err));
	if (fd >= 0) {
		t->task_storage_fd = fd;
		return true;
	}
	if (t->opts.entry_storage == EBPFPUB_ENTRY_STORAGE_TASK) {
		*r = fail(t, fd, "%s (entry_storage is EBPFPUB_ENTRY_STORAGE_TASK)", err);
		return false;
	}
	t->task_storage_failed = true;
	util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_WARNING,
		 "%s: entries wait in one LRU map per syscall instead", err);
	return false;
}

/* Entries that carry enter captures are big: fewer of them (a storm of more threads inside
 * the call at once than this is counted as evicted, not silent). */
static int create_event_map(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	uint32_t entries = t->opts.event_map_size;
	LIBBPF_OPTS(bpf_map_create_opts, lru_opts, .map_flags = BPF_F_NO_COMMON_LRU);
	int r;

	s->entry_in_task = use_task_storage(t, s, &r);
	if (r < 0 || s->entry_in_task)
		return r;

	if (s->layout.has_enter_captures) {
		entries /= 8;
		if (entries < 64)
			entries = 64;
	}
	/* One LRU list per CPU: a common LRU list on kernels before the 2025 "adjust free
	 * target" fix (Debian's 6.1) hands free entries to a CPU in batches of 128 and evicts
	 * entries still in flight to fill a batch, so exits lost their enter. A CPU's list
	 * evicts only when that CPU's share is in use; each CPU gets at least 8 entries. */
	if (entries < 8u * (uint32_t)util_possible_cpus())
		entries = 8u * (uint32_t)util_possible_cpus();
	s->event_map_fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "ebpfpub_events", 8,
					 s->layout.entry_size, entries, &lru_opts);
	if (s->event_map_fd >= 0)
		return 0;
	r = -errno;
	return fail(t, r,
		    "syscall '%s': creating its event map (%u entries of %u bytes) failed: %s%s",
		    s->layout.syscall, entries, s->layout.entry_size, strerror(-r),
		    r == -EPERM ? " (needs root or CAP_BPF)" : "");
}

/* The serializer's second exit tracepoint (execveat's successful returns come through
 * sys_exit_execve). */
static int attach_extra_exit(struct ebpfpub_tracer *t, struct tracer_syscall *s,
			     const char *other)
{
	char err[UTIL_ERR_SIZE], event[300], what[400];
	uint32_t id;
	int r;

	snprintf(event, sizeof(event), "sys_exit_%s", other);
	snprintf(what, sizeof(what), "syscall '%s': the exit program on %s", s->layout.syscall,
		 event);
	r = loader_tracepoint_id(t->tracefs, event, &id);
	if (r < 0)
		return fail(t, r, "%s: cannot read the tracepoint's id: %s", what, strerror(-r));
	r = loader_attach(s->exit_fd, id, what, err, sizeof(err));
	if (r < 0)
		return fail_with(t, r, err);
	s->exit_link2 = r;
	return 0;
}

static int attach_generated(struct ebpfpub_tracer *t, struct tracer_syscall *s,
			    struct codegen_object *obj);

/* Puts S's programs in the dispatch arrays, its values first when they read them. */
static int dispatch_put(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	char err[UTIL_ERR_SIZE];
	int r = 0;

	if (by_number(s))
		r = dispatch_set_info(t->dispatch, (uint32_t)s->nr, s->event_id, s->counter_base,
				      err, sizeof(err));
	if (r == 0)
		r = dispatch_set(t->dispatch, (uint32_t)s->nr, s->enter_fd, s->exit_fd, err,
				 sizeof(err));
	if (r < 0)
		return fail(t, r, "syscall '%s': %s", s->layout.syscall, err);
	s->in_arrays = true;
	return 0;
}

/* S's shape into SHAPE: 1 when its programs can be shared (0: they cannot). */
static int shape_of(struct ebpfpub_tracer *t, struct tracer_syscall *s,
		    struct program_shape *shape)
{
	struct codegen_env env;
	int r;

	memset(shape, 0, sizeof(*shape));
	if (!by_number(s))
		return 0;
	fill_env(t, s, &env);
	r = program_shape_of(&s->layout, &env, shape);
	return r < 0 ? fail(t, r, "syscall '%s': out of memory", s->layout.syscall) : r;
}

/* Gives S the programs of an earlier syscall of SHAPE, when the tracer has them: 1; else 0. */
static int attach_cached(struct ebpfpub_tracer *t, struct tracer_syscall *s,
			 const struct program_shape *shape)
{
	int slot = program_cache_find(&t->programs, shape), r;
	const struct program_cache_entry *e;

	if (slot < 0)
		return 0;
	e = &t->programs.entries[slot];
	s->enter_fd = fcntl(e->enter_fd, F_DUPFD_CLOEXEC, 0);
	s->exit_fd = fcntl(e->exit_fd, F_DUPFD_CLOEXEC, 0);
	if (s->enter_fd < 0 || s->exit_fd < 0)
		return fail(t, -errno, "syscall '%s': duplicating its shared programs failed: %s",
			    s->layout.syscall, strerror(errno));
	if (program_cache_copy_insns(&s->insns[0], &e->insns[0]) < 0 ||
	    program_cache_copy_insns(&s->insns[1], &e->insns[1]) < 0)
		return fail(t, -ENOMEM, "syscall '%s': out of memory", s->layout.syscall);
	program_cache_hold(&t->programs, slot);
	s->cache_slot = slot;
	r = dispatch_put(t, s);
	return r < 0 ? r : 1;
}

/* Offers S's programs, just loaded, to the syscalls of its shape that come after it. */
static void cache_programs(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	struct program_shape shape;

	if (shape_of(t, s, &shape) <= 0 || program_cache_find(&t->programs, &shape) >= 0) {
		program_shape_release(&shape);
		t->last_error[0] = '\0';
		return;
	}
	/* Not cached (out of memory): S keeps them, later syscalls generate their own. */
	s->cache_slot = program_cache_add(&t->programs, &shape, s->enter_fd, s->exit_fd, s->insns);
	if (s->cache_slot < 0)
		s->cache_slot = -1;
}

/* Generates, loads and attaches both programs of S. */
static int generate_and_attach(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	struct codegen_object obj = { 0 };
	struct codegen_env env;
	char err[UTIL_ERR_SIZE];
	int r;

	if (!t->cg) {
		r = codegen_new(&t->cg, err, sizeof(err));
		if (r < 0)
			return fail_with(t, r, err);
	}
	t->codegen_used = true;
	fill_env(t, s, &env);
	codegen_set_ir_text(t->cg, false);
	r = codegen_syscall(t->cg, &s->layout, &env, &obj, err, sizeof(err));
	if (r < 0)
		return fail_with(t, r, err);
	return attach_generated(t, s, &obj);
}

/* Loads and attaches the programs of OBJ (released here), generated for S. */
static int attach_generated(struct ebpfpub_tracer *t, struct tracer_syscall *s,
			    struct codegen_object *obj)
{
	int r;

	/* Exit first: a call whose enter program ran always meets its exit program. */
	r = load_program(t, s, obj, false, &s->exit_fd, &s->exit_link);
	if (r == 0 && s->layout.ops && s->layout.ops->extra_exit_syscall)
		r = attach_extra_exit(t, s, s->layout.ops->extra_exit_syscall);
	if (r == 0)
		r = load_program(t, s, obj, true, &s->enter_fd, &s->enter_link);
	codegen_object_release(obj);
	return r == 0 && s->dispatched ? dispatch_put(t, s) : r;
}

/* The gate of S's syscall: created on first use; set to S's generation now (a first add)
 * or, for a reload, when S's programs are attached (SWITCH). */
static int open_gate(struct ebpfpub_tracer *t, struct tracer_syscall *s, bool now)
{
	uint32_t key = syscall_slot(t, s->layout.syscall), n = 0;
	int r;

	if (t->gate_fd < 0) {
		while (t->names[n])
			n++;
		t->gate_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ebpfpub_gates", 4, 4, n + 1, NULL);
		if (t->gate_fd < 0) {
			r = -errno;
			return fail(t, r, "creating the rules' gate map failed: %s", strerror(-r));
		}
	}
	if (s->generation > 1 && !now)
		return 0;
	if (bpf_map_update_elem(t->gate_fd, &key, &s->generation, BPF_ANY) < 0) {
		r = -errno;
		return fail(t, r, "syscall '%s': setting its gate failed: %s", s->layout.syscall,
			    strerror(-r));
	}
	return 0;
}

static int plan_rules(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	char err[UTIL_ERR_SIZE];
	int r = rules_plan_build(&s->plan, t->rules, t->rule_count, &s->layout, (uint32_t)getpid(),
				 err, sizeof(err));

	return r < 0 ? fail_with(t, r, err) : 0;
}

static int syscall_start(struct ebpfpub_tracer *t, struct tracer_syscall *s);

static int syscall_new(struct ebpfpub_tracer *t, const char *name, uint32_t generation,
		       struct tracer_syscall **out)
{
	struct tracer_syscall *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return fail(t, -ENOMEM, "syscall '%s': out of memory", name);
	s->tracer = t;
	s->event_map_fd = s->enter_fd = s->exit_fd = s->enter_link = s->exit_link = -1;
	s->exit_link2 = -1;
	s->cache_slot = -1;
	s->nr = -1;
	s->generation = generation;
	s->counter_base = (syscall_slot(t, name) * 2 + (generation & 1)) * CODEGEN_COUNTER_COUNT;
	/* A syscall removed and added again starts from 0 (its old counts are retired). */
	for (r = 0; r < CODEGEN_COUNTER_COUNT; r++)
		util_percpu_zero(t->counters_fd, s->counter_base + (uint32_t)r);
	r = build_layout(t, name, serializer_for(t, name), &s->layout);
	if (r < 0) {
		free(s);
		return r;
	}
	tracer_context_layout(&t->context, &s->layout,
			      rules_need_ancestors(t->rules, t->rule_count, name) ? RULES_ANCESTOR_DEPTH : 0,
			      t->opts.log_fn, t->opts.log_ctx);
	r = plan_rules(t, s);
	if (r == 0 && s->plan.count)
		r = open_gate(t, s, false);
	if (r < 0) {
		rules_plan_release(&s->plan);
		layout_release(&s->layout);
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

/* The dispatchers, the first time a syscall is dispatched. */
static int start_dispatch(struct ebpfpub_tracer *t, char *err, size_t err_size)
{
	int r = loader_task_status_offset(&t->task_status_offset, err, err_size);

	if (r < 0) {
		size_t n = strlen(err);

		snprintf(err + n, err_size - n, ": ia32 calls could not be told apart");
		return r;
	}
	return dispatch_new(&t->dispatch, err, err_size);
}

static bool number_dispatched(const struct ebpfpub_tracer *t, int nr)
{
	size_t i;

	for (i = 0; i < t->syscall_count; i++)
		if (t->syscalls[i]->dispatched && t->syscalls[i]->nr == nr)
			return true;
	return false;
}

/* Whether S is reached through the dispatchers: the mode asks for it (DEFAULT: once the
 * tracer has, or this call brings it to, EBPFPUB_DISPATCH_CROSSOVER syscalls), the kernel
 * offers it, and S has a number and no second exit tracepoint. */
static int choose_attachment(struct ebpfpub_tracer *t, struct tracer_syscall *s, size_t planned)
{
	enum ebpfpub_attach_mode mode = t->opts.attach_mode;
	const char *name = s->layout.syscall;
	char err[UTIL_ERR_SIZE];
	int nr, r;

	if (mode == EBPFPUB_ATTACH_PER_TRACEPOINT ||
	    (mode == EBPFPUB_ATTACH_DEFAULT &&
	     t->syscall_count + planned < EBPFPUB_DISPATCH_CROSSOVER))
		return 0;
	if (s->layout.ops && (s->layout.ops->extra_exit_syscall || s->layout.ops->exit_shared)) {
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_INFO,
			 "syscall '%s' stays on its own tracepoints (mixed mode): its serializer shares an exit tracepoint with another syscall",
			 name);
		return 0;
	}
	nr = syscall_number(name);
	if (nr < 0 || number_dispatched(t, nr)) {
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_INFO,
			 "syscall '%s' stays on its own tracepoints (mixed mode): %s", name,
			 nr < 0 ? "this build of libebpfpub knows no x86-64 number for it (newer than its build headers)"
				: "its number is dispatched to another name already");
		return 0;
	}
	if (!t->dispatch) {
		if (t->dispatch_failed)
			return mode == EBPFPUB_ATTACH_DISPATCH
				       ? fail(t, -EOPNOTSUPP,
					      "syscall '%s': dispatch is not available on this kernel (see the earlier message; ebpftracer --check)",
					      name)
				       : 0;
		r = start_dispatch(t, err, sizeof(err));
		if (r < 0) {
			if (mode == EBPFPUB_ATTACH_DISPATCH)
				return fail(t, r == -EPERM ? r : -EOPNOTSUPP,
					    "syscall '%s': attach_mode is EBPFPUB_ATTACH_DISPATCH, but %s",
					    name, err);
			t->dispatch_failed = true;
			util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_WARNING,
				 "%s: every syscall is attached to its own tracepoints instead", err);
			return 0;
		}
	}
	s->dispatched = true;
	s->nr = nr;
	t->dispatched_count++;
	return 0;
}

static int add_one(struct ebpfpub_tracer *t, const char *name, size_t planned);
static int syscall_setup(struct ebpfpub_tracer *t, struct tracer_syscall *s);

/* With the cmdline option, execve is traced from the first add on (before the /proc scan,
 * so that no exec falls between the two); its events reach the callback only once the
 * caller adds execve itself. */
static int add_internal_execve(struct ebpfpub_tracer *t)
{
	int r;

	if (!t->context.table || t->context.table_scanned)
		return 0;
	if (!find_syscall(t, "execve")) {
		r = add_one(t, "execve", 1);
		if (r < 0)   /* the /proc scan alone, then: said, not fatal */
			util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_WARNING,
				 "command lines: execve cannot be traced (%s): only processes that existed at start have theirs",
				 t->last_error);
		else
			find_syscall(t, "execve")->internal = true;
		t->last_error[0] = '\0';
	}
	tracer_context_scan(&t->context);
	return 0;
}

/* A syscall traced so far only for the process table is now the caller's too. */
static bool claim_internal(struct ebpfpub_tracer *t, const char *name)
{
	struct tracer_syscall *s = find_syscall(t, name);

	if (!s || !s->internal)
		return false;
	s->internal = false;
	return true;
}

int ebpfpub_tracer_add_syscall(struct ebpfpub_tracer *t, const char *name)
{
	int r;

	if (!t || !name || !*name)
		return -EINVAL;
	r = begin_change(t, "ebpfpub_tracer_add_syscall()");
	if (r < 0)
		return r;
	if (claim_internal(t, name))
		return 0;
	r = add_internal_execve(t);
	if (r < 0)
		return r;
	if (claim_internal(t, name))
		return 0;
	return add_one(t, name, 1);
}

/* Adds NAME, one of PLANNED syscalls that the caller's call adds (the attachment is chosen
 * for all of them). */
static int prepare_one(struct ebpfpub_tracer *t, const char *name, size_t planned,
		       struct tracer_syscall **out);
static int finish_one(struct ebpfpub_tracer *t, struct tracer_syscall *s,
		      struct codegen_object *obj);

static int add_one(struct ebpfpub_tracer *t, const char *name, size_t planned)
{
	struct tracer_syscall *s;
	int r = prepare_one(t, name, planned, &s);

	return r < 0 ? r : finish_one(t, s, NULL);
}

static void unlink_syscall(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	size_t i;

	for (i = 0; i < t->syscall_count; i++)
		if (t->syscalls[i] == s)
			break;
	if (i == t->syscall_count)
		return;
	memmove(&t->syscalls[i], &t->syscalls[i + 1],
		(t->syscall_count - i - 1) * sizeof(*t->syscalls));
	t->syscall_count--;
}

/* Everything of adding NAME up to code generation; S is listed in the tracer from now on
 * (so that a name or number twice in a set is refused), and finish_one() completes it. */
static int prepare_one(struct ebpfpub_tracer *t, const char *name, size_t planned,
		       struct tracer_syscall **out)
{
	struct tracer_syscall *s = NULL, **grown;
	int r;

	t->last_error[0] = '\0';
	if (find_syscall(t, name))
		return fail(t, -EEXIST, "syscall '%s' is traced already", name);
	if (!known_syscall(t, name))
		return unknown_syscall(t, name);
	r = syscall_new(t, name, 1, &s);
	if (r < 0)
		return r;
	r = choose_attachment(t, s, planned);
	if (r < 0)
		goto err;
	r = syscall_setup(t, s);
	if (r < 0)
		goto err;
	grown = realloc(t->syscalls, (t->syscall_count + 1) * sizeof(*grown));
	if (!grown) {
		r = fail(t, -ENOMEM, "syscall '%s': out of memory", name);
		goto err;
	}
	t->syscalls = grown;
	t->syscalls[t->syscall_count++] = s;
	*out = s;
	return 0;
err:
	syscall_free(t, s);
	return r;
}

/* Generates S's programs (or takes OBJ, generated already), loads and attaches them, and
 * falls back where the verifier refused what the first attempt used. */
static int syscall_attach(struct ebpfpub_tracer *t, struct tracer_syscall *s,
			  struct codegen_object *obj)
{
	const char *name = s->layout.syscall;
	struct program_shape shape;
	int r;

	/* A syscall of a shape loaded already takes those programs (OBJ, if generated, is
	 * not needed then). */
	r = shape_of(t, s, &shape);
	if (r > 0)
		r = attach_cached(t, s, &shape);
	program_shape_release(&shape);
	if (r != 0) {
		if (obj)
			codegen_object_release(obj);
		if (r < 0)
			return r;
		s->memory = util_fd_memlock(s->event_map_fd);
		return 0;
	}
	r = obj ? attach_generated(t, s, obj) : generate_and_attach(t, s);
	if (r < 0 && (r == -EACCES || r == -EINVAL) &&
	    tracer_context_fallback(&t->context, t->opts.log_fn, t->opts.log_ctx, t->last_error)) {
		syscall_detach(s);
		r = create_event_map(t, s);
		if (r == 0)
			r = generate_and_attach(t, s);
	}
	if (r < 0 && s->entry_in_task &&
	    t->opts.entry_storage == EBPFPUB_ENTRY_STORAGE_DEFAULT) {
		/* A verifier without task storage for tracepoints: the event map then. */
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_WARNING,
			 "syscall '%s': programs on task-local storage were refused, using event maps: %s",
			 name, t->last_error);
		t->task_storage_failed = true;
		syscall_detach(s);
		r = create_event_map(t, s);
		if (r == 0)
			r = generate_and_attach(t, s);
	}
	if (r < 0)
		return r;
	cache_programs(t, s);
	/* Shared programs are counted once, with the tracer's cache. */
	s->memory = util_fd_memlock(s->event_map_fd) +
		    (s->cache_slot >= 0 ? 0 : util_fd_memlock(s->enter_fd) + util_fd_memlock(s->exit_fd));
	return 0;
}

/* Everything after the layout and the attachment's choice, before the programs: decoder,
 * entry storage, output consumer. */
static int syscall_setup(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	const char *name = s->layout.syscall;
	int r;

	if (ebpfpub_perf_output_kind(t->output) == EBPFPUB_OUTPUT_PERF_ARRAY &&
	    s->layout.storage.area_size > 65000)
		return fail(t, -EINVAL,
			 "syscall '%s': records of up to %u bytes do not fit a perf event array sample (64 KiB): lower buffer_size * buffer_count or use the ring buffer output",
			 name, s->layout.storage.area_size);
	r = decode_state_init(&s->decode, &s->layout);
	if (r < 0)
		return fail(t, r, "syscall '%s': out of memory", name);
	r = create_event_map(t, s);
	if (r < 0)
		return r;
	r = output_consumer_add(t->output, deliver, s, t, &s->event_id);
	if (r < 0)
		return fail(t, r, "syscall '%s': out of memory", name);
	return 0;
}

/* A rules reload's replacement S: set up and attached like the syscall it replaces. */
static int syscall_start(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	int r = syscall_setup(t, s);

	return r < 0 ? r : syscall_attach(t, s, NULL);
}

/* Completes what prepare_one() began; on failure S is unlisted and freed. */
static int finish_one(struct ebpfpub_tracer *t, struct tracer_syscall *s,
		      struct codegen_object *obj)
{
	int r = syscall_attach(t, s, obj);

	if (r < 0)
		goto err;
	return 0;
err:
	unlink_syscall(t, s);
	syscall_free(t, s);
	return r;
}

/* One syscall of a set whose programs are generated on several threads. */
struct pending_codegen {
	struct tracer_syscall *s;
	struct codegen_env env;
	struct codegen_object obj;
	int r;
	char err[UTIL_ERR_SIZE];
	struct program_shape shape;   /* empty: its programs cannot be shared */
	bool skip;                    /* an earlier one of its shape is generated for it */
};

struct codegen_batch {
	struct pending_codegen *items;
	size_t count;
	size_t next;                  /* the next item to take (atomic) */
};

static void batch_run(struct codegen_batch *b, struct codegen *cg)
{
	size_t i;

	while ((i = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED)) < b->count) {
		struct pending_codegen *p = &b->items[i];

		if (p->skip)
			continue;
		p->r = codegen_syscall(cg, &p->s->layout, &p->env, &p->obj, p->err, sizeof(p->err));
	}
}

/* A helper thread: its own LLVM context and target machine (LLVM allows one thread per
 * context); a thread that cannot make one leaves the work to the others. */
static void *batch_worker(void *arg)
{
	struct codegen *cg;
	char err[256];

	if (codegen_new(&cg, err, sizeof(err)) < 0)
		return NULL;
	codegen_set_ir_text(cg, false);
	batch_run(arg, cg);
	codegen_free(cg);
	return NULL;
}

/* Generates the programs of the COUNT items, on this thread and up to three more (one per
 * other online CPU): LLVM's instruction selection is ~80 % of adding a syscall. */
static void generate_batch(struct ebpfpub_tracer *t, struct pending_codegen *items, size_t count)
{
	struct codegen_batch b = { .items = items, .count = count };
	pthread_t threads[3];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = 0, i, want = cpus > 1 ? (size_t)cpus - 1 : 0, todo = 0;
	char err[UTIL_ERR_SIZE];
	int r;

	for (i = 0; i < count; i++)
		todo += !items[i].skip;
	if (!todo)
		return;

	if (!t->cg) {
		r = codegen_new(&t->cg, err, sizeof(err));
		if (r < 0) {
			for (i = 0; i < count; i++) {
				items[i].r = r;
				snprintf(items[i].err, sizeof(items[i].err), "%s", err);
			}
			return;
		}
	}
	t->codegen_used = true;
	codegen_set_ir_text(t->cg, false);
	if (want > ARRAY_SIZE(threads))
		want = ARRAY_SIZE(threads);
	if (want > todo / 8)
		want = todo / 8;   /* a few syscalls: not worth a thread's LLVM context */
	for (i = 0; i < want; i++)
		if (pthread_create(&threads[n], NULL, batch_worker, &b) == 0)
			n++;
	batch_run(&b, t->cg);
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
}

/* Whether ITEMS[N]'s programs need not be generated: the tracer has its shape loaded, or an
 * earlier item of the set has its shape (once that one is attached, N takes its programs;
 * if it fails, N is generated on its own). */
static bool shape_done(struct ebpfpub_tracer *t, struct pending_codegen *items, size_t n)
{
	struct program_shape *shape = &items[n].shape;
	size_t i;

	if (program_shape_of(&items[n].s->layout, &items[n].env, shape) <= 0)
		return false;
	if (program_cache_find(&t->programs, shape) >= 0)
		return true;
	for (i = 0; i < n; i++)
		if (!items[i].skip && items[i].shape.bytes &&
		    program_shape_equal(shape, &items[i].shape))
			return true;
	return false;
}

/* Adds each of NAMES (COUNT of them) not traced yet, choosing the attachment for the set:
 * prepared one by one, generated in parallel, then loaded and attached one by one. */
static int add_many(struct ebpfpub_tracer *t, const char *const *names, size_t count,
		    bool summarize)
{
	char last_failure[UTIL_ERR_SIZE] = "";
	struct pending_codegen *items;
	struct tracer_syscall *s;
	size_t planned = 0, n = 0, i;
	int added = 0, first_error = 0, failed = 0, r;

	r = add_internal_execve(t);
	if (r < 0)
		return r;
	for (i = 0; i < count; i++)
		if (!find_syscall(t, names[i]))
			planned++;
	items = calloc(planned ? planned : 1, sizeof(*items));
	if (!items)
		return fail(t, -ENOMEM, "adding %zu syscalls: out of memory", planned);
	for (i = 0; i < count; i++) {
		if (claim_internal(t, names[i])) {
			added++;
			continue;
		}
		if (find_syscall(t, names[i]))
			continue;
		r = prepare_one(t, names[i], planned, &s);
		if (r == 0) {
			items[n].s = s;
			fill_env(t, s, &items[n].env);
			items[n].skip = shape_done(t, items, n);
			n++;
			continue;
		}
		snprintf(last_failure, sizeof(last_failure), "%s", t->last_error);
		failed++;
		if (!first_error)
			first_error = r;
	}
	generate_batch(t, items, n);
	for (i = 0; i < n; i++) {
		s = items[i].s;
		if (items[i].r < 0) {
			r = fail(t, items[i].r, "%s", items[i].err);
			unlink_syscall(t, s);
			syscall_free(t, s);
		} else {
			t->last_error[0] = '\0';
			r = finish_one(t, s, items[i].skip ? NULL : &items[i].obj);
		}
		if (r < 0) {
			snprintf(last_failure, sizeof(last_failure), "%s", t->last_error);
			failed++;
			if (!first_error)
				first_error = r;
			continue;
		}
		added++;
	}
	for (i = 0; i < n; i++)
		program_shape_release(&items[i].shape);
	free(items);
	if (failed) {
		/* What the last failure said, not the empty text of a later success. */
		snprintf(t->last_error, sizeof(t->last_error), "%s", last_failure);
	}
	if (failed && summarize) {
		/* Each failure was logged as an error already; all-syscalls says how many. */
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_WARNING,
			 "%d syscall(s) could not be traced; the last error: %s", failed,
			 t->last_error);
	}
	return added ? added : (first_error ? first_error : -ENOENT);
}

int ebpfpub_tracer_add_all_syscalls(struct ebpfpub_tracer *t)
{
	size_t n = 0;
	int r;

	if (!t)
		return -EINVAL;
	r = begin_change(t, "ebpfpub_tracer_add_all_syscalls()");
	if (r < 0)
		return r;
	while (t->names[n])
		n++;
	return add_many(t, (const char *const *)t->names, n, true);
}

int ebpfpub_tracer_add_syscalls(struct ebpfpub_tracer *t, const char *const *names,
				size_t count)
{
	size_t i;
	int r;

	if (!t || (count && !names))
		return -EINVAL;
	for (i = 0; i < count; i++)
		if (!names[i] || !names[i][0])
			return -EINVAL;
	r = begin_change(t, "ebpfpub_tracer_add_syscalls()");
	if (r < 0)
		return r;
	return add_many(t, names, count, false);
}

enum ebpfpub_attach_mode ebpfpub_tracer_syscall_attach_mode(const struct ebpfpub_tracer *t,
							    const char *name)
{
	const struct tracer_syscall *s = t && name ? find_syscall(t, name) : NULL;

	if (!s)
		return EBPFPUB_ATTACH_DEFAULT;
	return s->dispatched ? EBPFPUB_ATTACH_DISPATCH : EBPFPUB_ATTACH_PER_TRACEPOINT;
}

static int register_copy(struct ebpfpub_tracer *t, const char *name,
			 struct ebpfpub_serializer *ser);

int ebpfpub_tracer_set_serializer(struct ebpfpub_tracer *t, const char *name,
				  const struct ebpfpub_serializer *ser)
{
	struct ebpfpub_serializer *copy;
	int r;

	if (!t || !name || !ser || ser->sz < offsetof(struct ebpfpub_serializer, decode_hook) ||
	    (ser->capture_count && !ser->captures))
		return -EINVAL;
	r = begin_change(t, "ebpfpub_tracer_set_serializer()");
	if (r < 0)
		return r;
	copy = calloc(1, sizeof(*copy));
	if (!copy)
		return fail(t, -ENOMEM, "serializer for '%s': out of memory", name);
	if (util_copy_opts(copy, sizeof(*copy), ser, ser->sz) < 0) {
		free(copy);
		return fail(t, -EINVAL,
			    "serializer '%s': unknown fields are set (struct of %zu bytes, this library knows %zu)",
			    ser->name ? ser->name : "custom", ser->sz, sizeof(*copy));
	}
	r = register_copy(t, name, copy);
	if (r < 0)
		free(copy);
	return r;
}

static int register_copy(struct ebpfpub_tracer *t, const char *name,
			 struct ebpfpub_serializer *ser)
{
	struct registered_serializer *grown;
	struct layout l;
	size_t i;
	int r;

	if (!known_syscall(t, name)) {
		char why[UTIL_ERR_SIZE];

		unknown_syscall(t, name);
		/* last_error is both the message to quote and where the new one goes. */
		snprintf(why, sizeof(why), "%s", t->last_error);
		return fail(t, -ENOENT, "cannot register serializer '%s': %s",
			    ser->name ? ser->name : "custom", why);
	}
	for (i = 0; i < t->registered_count; i++)
		if (strcmp(t->registered[i].syscall, name) == 0)
			return fail(t, -EEXIST,
				    "syscall '%s' has serializer '%s' registered already", name,
				    t->registered[i].serializer->name ? t->registered[i].serializer->name : "custom");
	if (find_syscall(t, name))
		return fail(t, -EEXIST,
			    "syscall '%s' is traced already: register its serializer before adding it",
			    name);
	/* Check the captures against the syscall's real arguments now, not at add time. */
	r = build_layout(t, name, ser, &l);
	if (r < 0)
		return r;
	layout_release(&l);
	grown = realloc(t->registered, (t->registered_count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	t->registered = grown;
	t->registered[t->registered_count].syscall = strdup(name);
	if (!t->registered[t->registered_count].syscall)
		return fail(t, -ENOMEM, "serializer for '%s': out of memory", name);
	t->registered[t->registered_count].serializer = ser;
	t->registered_count++;
	return 0;
}

/* The output's sample function for one syscall: decode, then the user's callback. */
static int deliver(void *ctx, const void *data, size_t size)
{
	struct tracer_syscall *s = ctx;
	struct ebpfpub_tracer *t = s->tracer;
	struct ebpfpub_event ev;
	char err[512];
	int r;

	s->received++;
	if (t->free_pending)
		return 0;   /* freed from a callback: nothing more is delivered */
	if (decode_record(&s->layout, &s->decode, data, size, &ev, err, sizeof(err)) < 0) {
		/* Reported and counted, never read past; the next record is still good. */
		if (!t->malformed++)
			util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_WARNING,
				 "malformed record: %s", err);
		return 0;
	}
	if (s->layout.user && s->layout.user->decode_hook &&
	    s->layout.user->decode_hook(s->layout.user->hook_ctx, &ev) < 0) {
		t->filtered++;
		return 0;
	}
	/* The process table's execve, and the user-space context filters: counted as
	 * filtered, never silently dropped. */
	if (!tracer_context_event(&t->context, &ev) || s->internal) {
		t->filtered++;
		return 0;
	}
	if (s->plan.count) {
		/* The kernel's verdict per rule rides in probe_error's upper half (rules.h). */
		uint32_t mask = ((const struct record_header *)data)->probe_error >> RULES_MASK_SHIFT;
		const char *disagree;
		bool keep = rules_plan_accept(&s->plan, mask, &ev, &disagree);

		if (disagree && !t->rule_disagreements++)
			util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_WARNING,
				 "syscall '%s': the kernel and user space judged rule '%s' differently",
				 s->layout.syscall, disagree);
		if (!keep) {
			t->filtered++;
			return 0;
		}
	}
	t->events++;
	if (ev.probe_error & EBPFPUB_PROBE_ERROR_TRUNCATED)
		t->truncated++;
	if (ev.probe_error & EBPFPUB_PROBE_ERROR_READ)
		t->read_errors++;
	t->callback_thread = pthread_self();
	__atomic_store_n(&t->in_callback, 1, __ATOMIC_RELEASE);
	r = t->opts.callback(t->opts.callback_ctx, &ev);
	__atomic_store_n(&t->in_callback, 0, __ATOMIC_RELEASE);
	if (t->free_pending) {
		if (__atomic_load_n(&t->polling, __ATOMIC_ACQUIRE))
			return -ECANCELED;   /* its own poll frees it when the drain ends */
		/* Dispatched from another tracer's poll of a shared output: free it now (its
		 * consumer slots are cleared, which a running drain allows). */
		tracer_destroy(t);
		return 1;
	}
	return r < 0 ? r : 1;
}

/* Once programs are loaded, code generation is idle until the next add: free LLVM's context
 * (made again on demand), return freed heap, and drop the clean pages of libLLVM that it
 * touched. A tracer of three syscalls goes from ~60 to under 20 MiB resident. */
static void release_codegen(struct ebpfpub_tracer *t)
{
	if (!t->codegen_used)
		return;
	t->codegen_used = false;
	codegen_free(t->cg);
	t->cg = NULL;
	malloc_trim(0);
	util_drop_file_pages("libLLVM");
}

int ebpfpub_tracer_poll(struct ebpfpub_tracer *t, int timeout_ms)
{
	int r;

	if (!t)
		return -EINVAL;
	if (in_own_callback(t))
		return fail(t, -EBUSY,
			    "ebpfpub_tracer_poll() cannot be called from the tracer's own callback");
	if (__atomic_exchange_n(&t->polling, 1, __ATOMIC_ACQ_REL)) {
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_ERROR,
			 "ebpfpub_tracer_poll(): another thread is polling this tracer");
		return -EBUSY;
	}
	release_codegen(t);
	r = output_poll(t->output, t, t->epoll_fd, timeout_ms, &t->stopped);
	__atomic_store_n(&t->polling, 0, __ATOMIC_RELEASE);
	if (t->free_pending) {
		tracer_destroy(t);
		return -ECANCELED;
	}
	return r;
}

int ebpfpub_tracer_fd(const struct ebpfpub_tracer *t)
{
	return t ? t->epoll_fd : -EINVAL;
}

int ebpfpub_tracer_flush_interval_ms(const struct ebpfpub_tracer *t)
{
	return t ? output_flush_interval_ms(t->output) : -EINVAL;
}

void ebpfpub_tracer_stop(struct ebpfpub_tracer *t)
{
	uint64_t one = 1;
	ssize_t n;

	if (!t)
		return;
	t->stopped = 1;
	n = write(t->stop_fd, &one, sizeof(one));
	(void)n;
}

const char *ebpfpub_tracer_last_error(const struct ebpfpub_tracer *t)
{
	return t ? t->last_error : "";
}

static uint64_t counter(const struct ebpfpub_tracer *t, const struct tracer_syscall *s,
			enum codegen_counter c)
{
	uint64_t v;

	util_percpu_sum(t->counters_fd, s->counter_base + (uint32_t)c, &v);
	return v;
}

/* Entries in S's event map now: calls that began and have not returned yet. */
static uint64_t entries_in_map(const struct tracer_syscall *s)
{
	uint64_t key, next, n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(s->event_map_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

static uint64_t minus(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/*
 * Where each call of S that its enter program saw ended: filtered in the kernel, refused by
 * the event map, or stored; a stored entry was then received by user mode, lost because the
 * output was full, is still in the map (the call has not returned), or else was evicted from
 * the LRU map by newer entries before its exit came. An evicted entry's exit finds nothing
 * and is counted as a miss there too; those misses are not counted twice. Exact whenever
 * the output has been drained.
 */
static void syscall_stats(const struct ebpfpub_tracer *t, const struct tracer_syscall *s,
			  struct ebpfpub_tracer_stats *st)
{
	uint64_t stored = counter(t, s, CODEGEN_COUNTER_STORED);
	uint64_t lost = counter(t, s, CODEGEN_COUNTER_LOST);
	uint64_t replaced = counter(t, s, CODEGEN_COUNTER_REPLACED);
	/* Dropped by the rules at exit: taken from the map, never output. */
	uint64_t ruled = counter(t, s, CODEGEN_COUNTER_RULE_FILTERED);
	/* Task storage never evicts: what is not received, lost or replaced is still inside
	 * the call. */
	uint64_t in_flight = s->entry_in_task ? minus(stored, s->received + lost + replaced + ruled)
					      : entries_in_map(s);
	uint64_t evicted = minus(stored, s->received + lost + replaced + ruled + in_flight);

	uint64_t ruled_at_enter = counter(t, s, CODEGEN_COUNTER_RULE_FILTERED_ENTER);

	st->kernel_filtered += counter(t, s, CODEGEN_COUNTER_FILTERED) + ruled + ruled_at_enter;
	st->rules_kernel_filtered += ruled + ruled_at_enter;
	st->enter_dropped += counter(t, s, CODEGEN_COUNTER_ENTER_DROPPED);
	st->lost += lost;
	st->exit_not_seen += replaced;
	st->in_flight += in_flight;
	st->evicted += evicted;
	st->exit_without_enter += minus(counter(t, s, CODEGEN_COUNTER_EXIT_WITHOUT_ENTER), evicted);
}

int ebpfpub_tracer_stats(struct ebpfpub_tracer *t, struct ebpfpub_tracer_stats *stats)
{
	struct ebpfpub_tracer_stats s;
	size_t i;

	if (!t || !stats || stats->sz < sizeof(size_t))
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	s.sz = stats->sz;
	s.events = t->events;
	s.kernel_filtered = t->retired.kernel_filtered;
	s.rules_kernel_filtered = t->retired.rules_kernel_filtered;
	s.enter_dropped = t->retired.enter_dropped;
	s.lost = t->retired.lost;
	s.evicted = t->retired.evicted;
	s.exit_not_seen = t->retired.exit_not_seen;
	s.exit_without_enter = t->retired.exit_without_enter;
	for (i = 0; i < t->syscall_count; i++)
		syscall_stats(t, t->syscalls[i], &s);
	s.filtered = t->filtered;
	s.malformed = t->malformed + output_malformed(t->output);
	s.truncated = t->truncated;
	s.read_errors = t->read_errors;
	s.rule_disagreements = t->rule_disagreements;
	memcpy(stats, &s, stats->sz < sizeof(s) ? stats->sz : sizeof(s));
	return 0;
}

uint64_t ebpfpub_tracer_memory_usage(const struct ebpfpub_tracer *t)
{
	uint64_t sum;
	size_t i;

	if (!t)
		return 0;
	sum = util_fd_memlock(t->counters_fd) + dispatch_memory(t->dispatch) +
	      program_cache_memory(&t->programs);
	if (t->task_storage_fd >= 0)
		sum += util_fd_memlock(t->task_storage_fd);
	for (i = 0; i < t->syscall_count; i++)
		sum += t->syscalls[i]->memory;
	return sum;
}

struct ebpfpub_buffer_storage *ebpfpub_tracer_buffer_storage(const struct ebpfpub_tracer *t)
{
	return t ? t->storage : NULL;
}

struct ebpfpub_perf_output *ebpfpub_tracer_perf_output(const struct ebpfpub_tracer *t)
{
	return t ? t->output : NULL;
}

size_t ebpfpub_tracer_syscall_count(const struct ebpfpub_tracer *t)
{
	return t ? t->syscall_count : 0;
}

const char *ebpfpub_tracer_syscall_name(const struct ebpfpub_tracer *t, size_t i)
{
	return t && i < t->syscall_count ? t->syscalls[i]->layout.syscall : NULL;
}

/* The IR of S's programs, generated again as when they were loaded (same layout and
 * environment, so the same module): printing it at every add would cost ~6% of start-up. */
static void regenerate_ir(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	struct codegen_object obj = { 0 };
	struct codegen_env env;
	char err[UTIL_ERR_SIZE];

	if (!t->cg && codegen_new(&t->cg, err, sizeof(err)) < 0)
		return;
	t->codegen_used = true;
	fill_env(t, s, &env);
	codegen_set_ir_text(t->cg, true);
	if (codegen_syscall(t->cg, &s->layout, &env, &obj, err, sizeof(err)) == 0) {
		s->ir = obj.ir;
		obj.ir = NULL;
	}
	codegen_set_ir_text(t->cg, false);
	codegen_object_release(&obj);
}

const char *ebpfpub_tracer_program_text(const struct ebpfpub_tracer *t, const char *name,
					enum ebpfpub_program_text what)
{
	struct tracer_syscall *s;

	if (!t || !name)
		return NULL;
	s = find_syscall(t, name);
	if (!s)
		return NULL;
	switch (what) {
	case EBPFPUB_PROGRAM_IR:
		if (!s->ir)
			regenerate_ir((struct ebpfpub_tracer *)t, s);
		return s->ir;
	case EBPFPUB_PROGRAM_INSNS:
		if (!s->insns_text && s->insns[0].insns) {
			codegen_disassemble_append(&s->insns_text, "exit", s->insns[1].insns,
						   s->insns[1].insn_count);
			codegen_disassemble_append(&s->insns_text, "enter", s->insns[0].insns,
						   s->insns[0].insn_count);
		}
		return s->insns_text;
	}
	return NULL;
}

static int drain_output(struct ebpfpub_tracer *t);

int ebpfpub_tracer_remove_syscall(struct ebpfpub_tracer *t, const char *name)
{
	struct tracer_syscall *s;
	bool dispatched;
	int r;

	if (!t || !name)
		return -EINVAL;
	r = refuse_if_polling(t, "ebpfpub_tracer_remove_syscall()");
	if (r < 0)
		return r;
	t->last_error[0] = '\0';
	s = find_syscall(t, name);
	if (!s)
		return fail(t, -ENOENT, "syscall '%s' is not traced", name);
	/* Detach, then hand over what it had already output, then account for it. */
	dispatched = s->in_arrays;
	syscall_detach_programs(s);
	if (dispatched)
		dispatch_wait_running();   /* a program still running delivers before the drain */
	r = drain_output(t);
	if (r == -ECANCELED)
		return r;
	syscall_stats(t, s, &t->retired);
	unlink_syscall(t, s);
	syscall_free(t, s);
	return r;
}

/* A copy of RULE for the tracer, checked against each of its syscalls' arguments. TRACED_OK:
 * (a reload) its syscalls may be traced already. */
static int check_rule(struct ebpfpub_tracer *t, const struct ebpfpub_rule *rule, bool traced_ok,
		      struct ebpfpub_rule **out)
{
	struct ebpfpub_rule *copy;
	struct rules_plan plan;
	struct layout l;
	char err[UTIL_ERR_SIZE];
	size_t i;
	int r;

	if (!rule->syscall_count)
		return fail(t, -EINVAL, "rule '%s' names no syscall", rule->name);
	if (rule->signo && features_probe_helper(BPF_FUNC_send_signal) == EBPFPUB_FEATURE_NO)
		return fail(t, -EOPNOTSUPP,
			    "rule '%s' sends a signal, but this kernel has no bpf_send_signal (Linux 5.3+)",
			    rule->name);
	if (t->opts.no_process_context)
		for (i = 0; i < rule->cond_count; i++)
			if (rules_key_needs_context(rule->conds[i].key))
				return fail(t, -EINVAL,
					    "rule '%s': its %s condition needs the process context, but the tracer was created with no_process_context",
					    rule->name,
					    rule->conds[i].key == EBPFPUB_COND_AUID ? "auid" :
					    rule->conds[i].key == EBPFPUB_COND_CONTAINER ? "container" :
					    rule->conds[i].key == EBPFPUB_COND_ANCESTOR ? "ancestor" :
											  "cgroup");
	r = rules_copy(rule, &copy);
	if (r < 0)
		return fail(t, r, "rule '%s': out of memory", rule->name);
	for (i = 0; i < copy->syscall_count && r == 0; i++) {
		const char *name = copy->syscalls[i];

		if (!traced_ok && find_syscall(t, name))
			r = fail(t, -EEXIST,
				 "rule '%s': syscall '%s' is traced already: add rules before their syscalls",
				 copy->name, name);
		else if (!known_syscall(t, name))
			r = unknown_syscall(t, name);
		else if ((r = build_layout(t, name, serializer_for(t, name), &l)) == 0) {
			/* as syscall_new will: the context decides what the rule can use */
			tracer_context_layout(&t->context, &l, 0, t->opts.log_fn, t->opts.log_ctx);
			r = rules_plan_build(&plan, &copy, 1, &l, 0, err, sizeof(err));
			if (r < 0)
				fail_with(t, r, err);
			rules_plan_release(&plan);
			layout_release(&l);
		}
	}
	if (r < 0) {
		ebpfpub_rule_free(copy);
		return r;
	}
	*out = copy;
	return 0;
}

int ebpfpub_tracer_add_rule(struct ebpfpub_tracer *t, const struct ebpfpub_rule *rule)
{
	struct ebpfpub_rule *copy, **grown;
	size_t i;
	int r;

	if (!t || !rule)
		return -EINVAL;
	r = begin_change(t, "ebpfpub_tracer_add_rule()");
	if (r < 0)
		return r;
	for (i = 0; i < t->rule_count; i++)
		if (strcmp(t->rules[i]->name, rule->name) == 0)
			return fail(t, -EEXIST, "a rule named '%s' was added already", rule->name);
	r = check_rule(t, rule, false, &copy);
	if (r < 0)
		return r;
	grown = realloc(t->rules, (t->rule_count + 1) * sizeof(*grown));
	if (!grown) {
		ebpfpub_rule_free(copy);
		return fail(t, -ENOMEM, "rule '%s': out of memory", rule->name);
	}
	t->rules = grown;
	t->rules[t->rule_count++] = copy;
	return 0;
}

/* Delivers what the output holds, as ebpfpub_tracer_poll(t, 0) would, from inside a call
 * that changes the tracer. -ECANCELED: the callback freed the tracer (it is gone). */
static int drain_output(struct ebpfpub_tracer *t)
{
	volatile sig_atomic_t not_stopped = 0;
	int r;

	__atomic_store_n(&t->polling, 1, __ATOMIC_RELEASE);
	r = output_poll(t->output, t, t->epoll_fd, 0, &not_stopped);
	__atomic_store_n(&t->polling, 0, __ATOMIC_RELEASE);
	if (t->free_pending) {
		tracer_destroy(t);
		return -ECANCELED;
	}
	return r < 0 && r != -ECANCELED ? r : 0;
}

/* A reload of syscall I's rules: the next generation's programs are attached, the gate is
 * switched to them (from then on the old enter program lets every call pass untouched),
 * the old programs finish the calls that entered under them, then they go. No call is
 * missed or seen twice. */
static int replace_syscall(struct ebpfpub_tracer *t, size_t i)
{
	struct tracer_syscall *old = t->syscalls[i], *s = NULL;
	struct ebpfpub_tracer_stats st;
	int r, waited;

	r = syscall_new(t, old->layout.syscall, old->generation + 1, &s);
	if (r == 0 && old->dispatched) {
		/* Dispatched: the new programs take the old ones' array slots (one update each),
		 * so the old ones must not clear them when they go. */
		s->dispatched = true;
		s->nr = old->nr;
		t->dispatched_count++;
	}
	if (r == 0)
		r = syscall_start(t, s);
	if (r == 0)
		r = open_gate(t, s, true);
	if (r < 0) {
		if (s && s->in_arrays) {
			/* Put the old programs back in the slots the failed attempt took. */
			s->in_arrays = false;
			dispatch_set(t->dispatch, (uint32_t)old->nr, old->enter_fd, old->exit_fd,
				     NULL, 0);
		}
		syscall_free(t, s);
		return r;
	}
	old->in_arrays = false;
	/* The calls inside the old programs return within microseconds, except calls that
	 * block; those are given 100 ms, then counted where the old programs leave them. */
	for (waited = 0; waited < 100; waited++) {
		r = drain_output(t);
		if (r == -ECANCELED)
			return r;
		memset(&st, 0, sizeof(st));
		syscall_stats(t, old, &st);
		if (!st.in_flight)
			break;
		usleep(1000);
	}
	syscall_detach_programs(old);
	r = drain_output(t);
	if (r == -ECANCELED)
		return r;
	syscall_stats(t, old, &t->retired);
	t->syscalls[i] = s;
	syscall_free(t, old);
	return r;
}

int ebpfpub_tracer_set_rules(struct ebpfpub_tracer *t, const struct ebpfpub_rule *const *rules,
			     size_t n)
{
	struct ebpfpub_rule **copies = NULL, **old = NULL, **retired;
	struct rules_plan *plans = NULL;
	char err[UTIL_ERR_SIZE];
	size_t i, j, old_count;
	int r = 0, first = 0;

	if (!t || (n && !rules))
		return -EINVAL;
	r = begin_change(t, "ebpfpub_tracer_set_rules()");
	if (r < 0)
		return r;
	copies = calloc(n + 1, sizeof(*copies));
	plans = calloc(t->syscall_count + 1, sizeof(*plans));
	if (!copies || !plans) {
		r = fail(t, -ENOMEM, "ebpfpub_tracer_set_rules(): out of memory");
		goto out;
	}
	/* Everything is checked before anything changes: a bad set keeps the old one. */
	for (i = 0; i < n && r == 0; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(rules[i]->name, rules[j]->name))
				r = fail(t, -EEXIST, "rule '%s' is given twice", rules[i]->name);
		if (r == 0)
			r = check_rule(t, rules[i], true, &copies[i]);
	}
	for (i = 0; i < t->syscall_count && r == 0; i++) {
		r = rules_plan_build(&plans[i], copies, n, &t->syscalls[i]->layout,
				     (uint32_t)getpid(), err, sizeof(err));
		if (r < 0)
			fail_with(t, r, err);
	}
	if (r < 0)
		goto out;
	retired = realloc(t->retired_rules, (t->retired_rule_count + t->rule_count + 1) * sizeof(*retired));
	if (!retired) {
		r = fail(t, -ENOMEM, "ebpfpub_tracer_set_rules(): out of memory");
		goto out;
	}
	t->retired_rules = retired;
	old = t->rules;
	old_count = t->rule_count;
	t->rules = copies;
	t->rule_count = n;
	copies = NULL;
	for (i = 0; i < t->syscall_count; i++) {
		struct tracer_syscall *s = t->syscalls[i];

		if (!plans[i].count) {
			/* No new rule names it: it runs on as it was until it is removed. */
			continue;
		}
		if (rules_plan_same(&s->plan, &plans[i])) {
			rules_plan_release(&s->plan);
			s->plan = plans[i];
			memset(&plans[i], 0, sizeof(plans[i]));
			continue;
		}
		r = replace_syscall(t, i);
		if (r == -ECANCELED) {
			free(old);   /* the tracer is gone, and the copies with it */
			free(plans);
			return r;
		}
		if (r < 0 && !first)
			first = r;
	}
	/* The old copies stay: plans kept above, and events already decoded, name them. */
	for (i = 0; i < old_count; i++)
		t->retired_rules[t->retired_rule_count++] = old[i];
	free(old);
	r = first;
out:
	for (i = 0; plans && i <= t->syscall_count; i++)
		rules_plan_release(&plans[i]);
	free(plans);
	for (i = 0; copies && i < n; i++)
		ebpfpub_rule_free(copies[i]);
	free(copies);
	return r;
}

const char *ebpfpub_tracer_explain(struct ebpfpub_tracer *t)
{
	size_t i;

	if (!t)
		return NULL;
	free(t->explain);
	t->explain = NULL;
	for (i = 0; i < t->syscall_count; i++)
		if (rules_plan_explain(&t->syscalls[i]->plan, t->syscalls[i]->layout.syscall,
				       &t->explain) < 0)
			break;
	return t->explain ? t->explain : "";
}
