/* SPDX-License-Identifier: Apache-2.0 */
/* The tracer: syscall names in, attached programs and decoded events out. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "codegen.h"
#include "loader.h"
#include "objects.h"
#include "serializer.h"
#include "tracefs.h"
#include "util.h"

/* While events flow, a poll waits this long before draining again so that each wakeup reads
 * a batch; when the ring is empty the reader sleeps until the first new event. */
#define TRACER_FLUSH_MS 5
#define TRACER_PERF_FLUSH_MS 10

struct registered_serializer {
	char *syscall;
	const struct ebpfpub_serializer *serializer;
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
	int counters_fd;
	int epoll_fd;
	int stop_fd;
	volatile sig_atomic_t stopped;
	bool have_mm_offsets;
	bool mm_offsets_tried;
	uint32_t task_mm_offset, mm_arg_start_offset, mm_env_end_offset;
	uint64_t events, filtered, malformed, truncated, read_errors;
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

int ebpfpub_tracer_new(const struct ebpfpub_tracer_opts *uopts, struct ebpfpub_tracer **out)
{
	struct ebpfpub_tracer *t;
	struct epoll_event ev;
	char err[UTIL_ERR_SIZE];
	int r;

	if (!out || !uopts)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->counters_fd = t->epoll_fd = t->stop_fd = -1;
	r = util_copy_opts(&t->opts, sizeof(t->opts), uopts, uopts->sz);
	if (r < 0) {
		util_log(uopts->log_fn, uopts->log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: unknown fields are set (struct of %zu bytes, this library knows %zu)",
			 uopts->sz, sizeof(t->opts));
		goto err;
	}
	r = -EINVAL;
	if (!t->opts.callback) {
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: a callback is required");
		goto err;
	}
	if (!t->opts.event_map_size)
		t->opts.event_map_size = 1024;
	if (t->opts.event_map_size < 16 || t->opts.event_map_size > (1u << 20)) {
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: event_map_size %u is out of range (16 .. 1048576)",
			 t->opts.event_map_size);
		goto err;
	}
	if (t->opts.pid_count > CODEGEN_MAX_PIDS || (t->opts.pid_count && !t->opts.pids)) {
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_ERROR,
			 "tracer options: at most %d pids can be filtered", CODEGEN_MAX_PIDS);
		goto err;
	}
	memcpy(t->pids, t->opts.pids, t->opts.pid_count * sizeof(uint32_t));
	t->opts.pids = t->pids;
	if (t->opts.comm) {
		if (strlen(t->opts.comm) > 15 || !t->opts.comm[0]) {
			util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_ERROR,
				 "tracer options: comm '%s' must have 1 to 15 characters",
				 t->opts.comm);
			goto err;
		}
		strncpy(t->comm, t->opts.comm, sizeof(t->comm) - 1);
		t->opts.comm = t->comm;
	}
	if (t->opts.tracefs_path)
		snprintf(t->tracefs, sizeof(t->tracefs), "%s", t->opts.tracefs_path);
	t->opts.tracefs_path = NULL;

	t->storage = t->opts.buffer_storage;
	if (!t->storage) {
		EBPFPUB_OPTS(ebpfpub_buffer_storage_opts, so, .log_fn = t->opts.log_fn,
			     .log_ctx = t->opts.log_ctx);

		r = ebpfpub_buffer_storage_new(&so, &t->storage);
		if (r < 0)
			goto err;
		t->own_storage = true;
	}
	t->output = t->opts.perf_output;
	if (!t->output) {
		EBPFPUB_OPTS(ebpfpub_perf_output_opts, po, .log_fn = t->opts.log_fn,
			     .log_ctx = t->opts.log_ctx);

		r = ebpfpub_perf_output_new(&po, &t->output);
		if (r < 0)
			goto err;
		t->own_output = true;
	}
	t->counters_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "ebpfpub_count", 4, 8,
					CODEGEN_COUNTER_COUNT, NULL);
	if (t->counters_fd < 0) {
		r = -errno;
		goto err;
	}
	r = codegen_new(&t->cg, err, sizeof(err));
	if (r < 0) {
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_ERROR, "%s", err);
		goto err;
	}
	t->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	t->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->epoll_fd < 0 || t->stop_fd < 0) {
		r = -errno;
		goto err;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = t->stop_fd;
	if (epoll_ctl(t->epoll_fd, EPOLL_CTL_ADD, t->stop_fd, &ev) < 0) {
		r = -errno;
		goto err;
	}
	ev.data.fd = output_epoll_fd(t->output);
	if (epoll_ctl(t->epoll_fd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0) {
		r = -errno;
		goto err;
	}
	*out = t;
	return 0;
err:
	ebpfpub_tracer_free(t);
	return r;
}

static void syscall_free(struct ebpfpub_tracer *t, struct tracer_syscall *s)
{
	if (!s)
		return;
	/* Detach first: closing the perf events stops the programs from running. Each close
	 * waits for an RCU grace period under the kernel's event_mutex (Linux 6.14+ made
	 * syscall tracepoints faultable), ~40 ms apiece, so it cannot be done in parallel. */
	if (s->enter_link >= 0)
		close(s->enter_link);
	if (s->exit_link >= 0)
		close(s->exit_link);
	if (s->exit_link2 >= 0)
		close(s->exit_link2);
	if (s->enter_fd >= 0)
		close(s->enter_fd);
	if (s->exit_fd >= 0)
		close(s->exit_fd);
	if (s->event_map_fd >= 0)
		close(s->event_map_fd);
	if (s->event_id)
		output_unregister(t->output, s->event_id);
	decode_state_release(&s->decode);
	layout_release(&s->layout);
	free(s->ir);
	free(s->insns_text);
	free(s);
}

void ebpfpub_tracer_free(struct ebpfpub_tracer *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->syscall_count; i++)
		syscall_free(t, t->syscalls[i]);
	free(t->syscalls);
	for (i = 0; i < t->registered_count; i++)
		free(t->registered[i].syscall);
	free(t->registered);
	if (t->own_output)
		ebpfpub_perf_output_free(t->output);
	if (t->own_storage)
		ebpfpub_buffer_storage_free(t->storage);
	if (t->counters_fd >= 0)
		close(t->counters_fd);
	if (t->epoll_fd >= 0)
		close(t->epoll_fd);
	if (t->stop_fd >= 0)
		close(t->stop_fd);
	codegen_free(t->cg);
	tracefs_strv_free(t->names);
	free(t);
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
	return 0;
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
	r = layout_build(l, name, enter, enter_len, exit, exit_len, ser, &t->storage->sizes, err,
			 sizeof(err));
	if (r < 0)
		fail_with(t, r, err);
out:
	free(enter);
	free(exit);
	return r;
}

static void fill_env(struct ebpfpub_tracer *t, struct tracer_syscall *s, struct codegen_env *env)
{
	memset(env, 0, sizeof(*env));
	env->event_map_fd = s->event_map_fd;
	env->storage_fd = t->storage->fd;
	env->counters_fd = t->counters_fd;
	env->output_fd = t->output->map_fd;
	env->output_is_ringbuf = t->output->kind == EBPFPUB_OUTPUT_RING_BUFFER;
	env->control_fd = t->output->control_fd;
	env->lost_fd = t->output->lost_fd;
	env->ringbuf_watermark = t->output->watermark;
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
	if (s->layout.is_exec && !t->mm_offsets_tried) {
		char err[256];

		t->mm_offsets_tried = true;
		t->have_mm_offsets = loader_mm_offsets(&t->task_mm_offset, &t->mm_arg_start_offset,
						       &t->mm_env_end_offset,
						       err, sizeof(err)) == 0;
		if (!t->have_mm_offsets)
			util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_WARNING,
				 "%s: execve argv will only be read at enter", err);
	}
	env->have_mm_offsets = t->have_mm_offsets;
	env->task_mm_offset = t->task_mm_offset;
	env->mm_arg_start_offset = t->mm_arg_start_offset;
	env->mm_env_end_offset = t->mm_env_end_offset;
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
	codegen_disassemble_append(&s->insns_text, enter ? "enter" : "exit", prog.insns,
				   prog.insn_count);
	r = loader_load(&prog, pname, what, err, sizeof(err));
	loader_program_release(&prog);
	if (r < 0)
		return fail_with(t, r, err);
	*prog_fd = r;
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

int ebpfpub_tracer_add_syscall(struct ebpfpub_tracer *t, const char *name)
{
	struct tracer_syscall *s = NULL, **grown;
	struct codegen_object obj = { 0 };
	struct codegen_env env;
	char err[UTIL_ERR_SIZE];
	uint32_t entries;
	LIBBPF_OPTS(bpf_map_create_opts, lru_opts, .map_flags = BPF_F_NO_COMMON_LRU);
	int r;

	if (!t || !name || !*name)
		return -EINVAL;
	t->last_error[0] = '\0';
	r = ensure_tracefs(t);
	if (r < 0)
		return r;
	if (find_syscall(t, name))
		return fail(t, -EEXIST, "syscall '%s' is traced already", name);
	if (!known_syscall(t, name))
		return unknown_syscall(t, name);

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->tracer = t;
	s->event_map_fd = s->enter_fd = s->exit_fd = s->enter_link = s->exit_link = -1;
	s->exit_link2 = -1;
	r = build_layout(t, name, serializer_for(t, name), &s->layout);
	if (r < 0) {
		free(s);
		return r;
	}
	if (t->output->kind == EBPFPUB_OUTPUT_PERF_ARRAY && s->layout.storage.area_size > 65000) {
		r = fail(t, -EINVAL,
			 "syscall '%s': records of up to %u bytes do not fit a perf event array sample (64 KiB): lower buffer_size * buffer_count or use the ring buffer output",
			 name, s->layout.storage.area_size);
		goto err;
	}
	r = decode_state_init(&s->decode, &s->layout);
	if (r < 0)
		goto err;
	/* Entries that carry enter captures are big: fewer of them (an exec storm of more
	 * threads at once than this is counted in enter_dropped, not silent). */
	entries = t->opts.event_map_size;
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
	if (s->event_map_fd < 0) {
		r = -errno;
		fail(t, r, "syscall '%s': creating its event map (%u entries of %u bytes) failed: %s%s",
		     name, entries, s->layout.entry_size, strerror(-r),
		     r == -EPERM ? " (needs root or CAP_BPF)" : "");
		goto err;
	}
	r = output_register(t->output, s, &s->event_id);
	if (r < 0)
		goto err;
	fill_env(t, s, &env);
	r = codegen_syscall(t->cg, &s->layout, &env, &obj, err, sizeof(err));
	if (r < 0) {
		fail_with(t, r, err);
		goto err;
	}
	s->ir = obj.ir;
	obj.ir = NULL;
	r = load_program(t, s, &obj, true, &s->enter_fd, &s->enter_link);
	if (r < 0)
		goto err;
	r = load_program(t, s, &obj, false, &s->exit_fd, &s->exit_link);
	if (r < 0)
		goto err;
	if (strcmp(name, "execveat") == 0) {
		/* x86-64 reports the return of a successful execveat as one of execve (the new
		 * program starts with execve's syscall number): watch for it there as well. */
		uint32_t id;

		r = loader_tracepoint_id(t->tracefs, "sys_exit_execve", &id);
		if (r == 0)
			r = loader_attach(s->exit_fd, id, "syscall 'execveat': the exit program on sys_exit_execve",
					  err, sizeof(err));
		if (r < 0) {
			fail_with(t, r, err);
			goto err;
		}
		s->exit_link2 = r;
	}
	codegen_object_release(&obj);
	s->memory = util_fd_memlock(s->event_map_fd) + util_fd_memlock(s->enter_fd) +
		    util_fd_memlock(s->exit_fd);
	grown = realloc(t->syscalls, (t->syscall_count + 1) * sizeof(*grown));
	if (!grown) {
		r = -ENOMEM;
		goto err;
	}
	t->syscalls = grown;
	t->syscalls[t->syscall_count++] = s;
	return 0;
err:
	codegen_object_release(&obj);
	syscall_free(t, s);
	return r;
}

int ebpfpub_tracer_add_all_syscalls(struct ebpfpub_tracer *t)
{
	char **n;
	int added = 0, first_error = 0, failed = 0, r;

	if (!t)
		return -EINVAL;
	r = ensure_tracefs(t);
	if (r < 0)
		return r;
	for (n = t->names; *n; n++) {
		if (find_syscall(t, *n))
			continue;
		r = ebpfpub_tracer_add_syscall(t, *n);
		if (r < 0) {
			failed++;
			if (!first_error)
				first_error = r;
			continue;
		}
		added++;
	}
	if (failed)
		util_log(t->opts.log_fn, t->opts.log_ctx, EBPFPUB_LOG_WARNING,
			 "%d syscall(s) could not be traced; the last error: %s", failed,
			 t->last_error);
	return added ? added : (first_error ? first_error : -ENOENT);
}

int ebpfpub_tracer_set_serializer(struct ebpfpub_tracer *t, const char *name,
				  const struct ebpfpub_serializer *ser)
{
	struct registered_serializer *grown;
	struct layout l;
	size_t i;
	int r;

	if (!t || !name || !ser || ser->sz < offsetof(struct ebpfpub_serializer, decode_hook) ||
	    (ser->capture_count && !ser->captures))
		return -EINVAL;
	t->last_error[0] = '\0';
	r = ensure_tracefs(t);
	if (r < 0)
		return r;
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
		return -ENOMEM;
	t->registered[t->registered_count].serializer = ser;
	t->registered_count++;
	return 0;
}

int tracer_deliver(struct tracer_syscall *s, const void *data, size_t size)
{
	struct ebpfpub_tracer *t = s->tracer;
	struct ebpfpub_event ev;
	char err[512];
	int r;

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
	t->events++;
	if (ev.probe_error & EBPFPUB_PROBE_ERROR_TRUNCATED)
		t->truncated++;
	if (ev.probe_error & EBPFPUB_PROBE_ERROR_READ)
		t->read_errors++;
	r = t->opts.callback(t->opts.callback_ctx, &ev);
	return r < 0 ? r : 1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_events(struct ebpfpub_tracer *t, int timeout_ms)
{
	struct epoll_event evs[4];
	int n;

	n = epoll_wait(t->epoll_fd, evs, 4, timeout_ms);
	if (n < 0 && errno != EINTR)
		return -errno;
	return 0;
}

int ebpfpub_tracer_poll(struct ebpfpub_tracer *t, int timeout_ms)
{
	struct ebpfpub_perf_output *out;
	int64_t deadline;
	int n, r, flush;

	if (!t)
		return -EINVAL;
	out = t->output;
	/* Stopped: hand over what is already in the output, then say so. */
	if (t->stopped) {
		n = output_drain(out);
		return n != 0 ? n : -ECANCELED;
	}
	flush = out->control ? TRACER_FLUSH_MS : TRACER_PERF_FLUSH_MS;
	deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	/* Busy: let a batch build up (the watermark still wakes us early). */
	if (out->recently_busy && timeout_ms != 0) {
		r = wait_events(t, timeout_ms < 0 || timeout_ms > flush ? flush : timeout_ms);
		if (r < 0)
			return r;
	}
	for (;;) {
		int left;

		n = output_drain(out);
		if (n != 0) {
			out->recently_busy = n > 0;
			return n;
		}
		out->recently_busy = false;
		if (t->stopped)
			return -ECANCELED;
		left = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && left <= 0)
			return 0;
		/* Idle: ask the programs for a wakeup at the next event, then look once more
		 * so that an event written just before the flag is not left waiting. */
		output_about_to_sleep(out, true);
		n = output_drain(out);
		if (n != 0) {
			output_about_to_sleep(out, false);
			out->recently_busy = n > 0;
			return n;
		}
		if (!out->control && (left < 0 || left > flush))
			left = flush;  /* perf arrays wake on a watermark only */
		r = wait_events(t, left);
		if (r < 0)
			return r;
	}
}

int ebpfpub_tracer_fd(const struct ebpfpub_tracer *t)
{
	return t ? t->epoll_fd : -EINVAL;
}

int ebpfpub_tracer_flush_interval_ms(const struct ebpfpub_tracer *t)
{
	return t && t->output->control ? TRACER_FLUSH_MS : TRACER_PERF_FLUSH_MS;
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

static uint64_t counter_sum(int fd, uint32_t key, int cpus)
{
	uint64_t values[1024] = { 0 }, sum = 0;  /* zeroed: valgrind cannot see the kernel write it */
	int i;

	if (cpus > 1024 || bpf_map_lookup_elem(fd, &key, values) != 0)
		return 0;
	for (i = 0; i < cpus; i++)
		sum += values[i];
	return sum;
}

int ebpfpub_tracer_stats(struct ebpfpub_tracer *t, struct ebpfpub_tracer_stats *stats)
{
	struct ebpfpub_tracer_stats s;
	int cpus;

	if (!t || !stats || stats->sz < sizeof(size_t))
		return -EINVAL;
	cpus = util_possible_cpus();
	memset(&s, 0, sizeof(s));
	s.sz = stats->sz;
	s.events = t->events;
	s.lost = output_lost_total(t->output);
	s.enter_dropped = counter_sum(t->counters_fd, CODEGEN_COUNTER_ENTER_DROPPED, cpus);
	s.exit_without_enter = counter_sum(t->counters_fd, CODEGEN_COUNTER_EXIT_WITHOUT_ENTER, cpus);
	s.filtered = t->filtered;
	s.malformed = t->malformed + t->output->malformed;
	s.truncated = t->truncated;
	s.read_errors = t->read_errors;
	memcpy(stats, &s, stats->sz < sizeof(s) ? stats->sz : sizeof(s));
	return 0;
}

uint64_t ebpfpub_tracer_memory_usage(const struct ebpfpub_tracer *t)
{
	uint64_t sum;
	size_t i;

	if (!t)
		return 0;
	sum = util_fd_memlock(t->counters_fd);
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

const char *ebpfpub_tracer_program_text(const struct ebpfpub_tracer *t, const char *name,
					int what)
{
	struct tracer_syscall *s;

	if (!t || !name)
		return NULL;
	s = find_syscall(t, name);
	if (!s)
		return NULL;
	return what == 0 ? s->ir : s->insns_text;
}
