/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file ebpfpub.h
 * @brief libebpfpub: record Linux system calls with eBPF programs generated at run time.
 *
 * Conventions (shared by every function below):
 * - Functions returning `int` return >= 0 on success and a negative errno on failure.
 * - Constructors write the new object to their last argument only on success.
 * - `_free()` functions accept NULL.
 * - Options structs start with `size_t sz`; declare them with EBPFPUB_OPTS() so that `sz` is
 *   set. A NULL options pointer or a zero field selects the default.
 * - Strings returned by getters are borrowed from the object and live as long as it does.
 * - Event data handed to a callback is valid only during that callback.
 * - The library never writes to stdout/stderr and never installs process-global hooks:
 *   messages reach the `log_fn` given in the options, and the text of the last failure of a
 *   tracer is kept for ebpfpub_tracer_last_error().
 */
#ifndef EBPFPUB_EBPFPUB_H
#define EBPFPUB_EBPFPUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/version.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define EBPFPUB_API __attribute__((visibility("default")))
#else
#define EBPFPUB_API
#endif

/** Declares an options struct named NAME of type `struct TYPE`, with `sz` set. */
#define EBPFPUB_OPTS(TYPE, NAME, ...)                                                         \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }

/** Severity passed to an ebpfpub_log_fn. */
enum ebpfpub_log_level {
	EBPFPUB_LOG_ERROR = 0,
	EBPFPUB_LOG_WARNING = 1,
	EBPFPUB_LOG_INFO = 2,
	EBPFPUB_LOG_DEBUG = 3,
};

/** Receives the library's messages for one object. @since 0.1 */
typedef void (*ebpfpub_log_fn)(void *ctx, enum ebpfpub_log_level level, const char *message);

/** Library version as "MAJOR.MINOR.PATCH". @since 0.1 */
EBPFPUB_API const char *ebpfpub_version(void);

/* ------------------------------------------------------------------------------------------ */
/* Buffer storage: the per-CPU area in which an event and its strings are assembled.          */

struct ebpfpub_buffer_storage;

struct ebpfpub_buffer_storage_opts {
	size_t sz;
	/** Bytes of one captured string or buffer, the terminating NUL included (default 4096,
	 *  16 .. 65536). A longer string is delivered cut and flagged EBPFPUB_FIELD_TRUNCATED. */
	uint32_t buffer_size;
	/** How many full-size buffers one event can carry (default 8, 1 .. 1024): the event's
	 *  string space is buffer_size * buffer_count bytes. */
	uint32_t buffer_count;
	ebpfpub_log_fn log_fn;
	void *log_ctx;
};

/**
 * Creates a buffer storage. One storage can be shared by any number of tracers and syscalls:
 * it is only the place where the record is assembled on each CPU, and every record is copied
 * whole into a perf output before its program returns, so no string can be overwritten
 * before user mode has read it.
 * @return 0, or -EINVAL (bad option), -EPERM (no CAP_BPF), -ENOMEM.
 * @since 0.1
 */
EBPFPUB_API int ebpfpub_buffer_storage_new(const struct ebpfpub_buffer_storage_opts *opts,
					   struct ebpfpub_buffer_storage **out);
EBPFPUB_API void ebpfpub_buffer_storage_free(struct ebpfpub_buffer_storage *storage);
/** Bytes of kernel memory the storage allocated (all CPUs). @since 0.1 */
EBPFPUB_API uint64_t
ebpfpub_buffer_storage_memory_usage(const struct ebpfpub_buffer_storage *storage);
EBPFPUB_API uint32_t ebpfpub_buffer_storage_buffer_size(const struct ebpfpub_buffer_storage *storage);
EBPFPUB_API uint32_t
ebpfpub_buffer_storage_buffer_count(const struct ebpfpub_buffer_storage *storage);

/* ------------------------------------------------------------------------------------------ */
/* Perf output: carries events from the kernel to user mode.                                  */

struct ebpfpub_perf_output;

enum ebpfpub_output_kind {
	/** Default: the BPF ring buffer (Linux 5.8+) when the kernel has it, else PERF_ARRAY. */
	EBPFPUB_OUTPUT_DEFAULT = 0,
	/** One ring shared by all CPUs: events arrive in order across CPUs. */
	EBPFPUB_OUTPUT_RING_BUFFER = 1,
	/** A BPF_MAP_TYPE_PERF_EVENT_ARRAY with one perf ring per CPU. */
	EBPFPUB_OUTPUT_PERF_ARRAY = 2,
};

struct ebpfpub_perf_output_opts {
	size_t sz;
	enum ebpfpub_output_kind kind;
	/** Size exponent N: 2^N pages per possible CPU (1 .. 16; 0: the default, 8). A ring buffer gets
	 *  the same total: 2^N pages times the number of possible CPUs, rounded up to a power
	 *  of two. */
	uint32_t page_exp;
	ebpfpub_log_fn log_fn;
	void *log_ctx;
};

/**
 * Creates a perf output. It can be shared by several tracers; whichever polls it delivers
 * each event to the callback of the tracer that produced it. A callback's negative return
 * ends only the poll of its own tracer: when another tracer's poll ran it, the value is kept
 * and returned by the next poll of the callback's tracer. Polls of tracers that share an
 * output may run on different threads (one drains at a time). The output must outlive the
 * tracers that use it.
 * @return 0, or -EINVAL, -EPERM, -EOPNOTSUPP (ring buffer asked for, kernel lacks it), -ENOMEM.
 * @since 0.1
 */
EBPFPUB_API int ebpfpub_perf_output_new(const struct ebpfpub_perf_output_opts *opts,
					struct ebpfpub_perf_output **out);
EBPFPUB_API void ebpfpub_perf_output_free(struct ebpfpub_perf_output *output);
/** Bytes of kernel memory the output allocated (rings and maps, all CPUs). @since 0.1 */
EBPFPUB_API uint64_t ebpfpub_perf_output_memory_usage(const struct ebpfpub_perf_output *output);
/** The kind actually used (never EBPFPUB_OUTPUT_DEFAULT). @since 0.1 */
EBPFPUB_API enum ebpfpub_output_kind
ebpfpub_perf_output_kind(const struct ebpfpub_perf_output *output);
/** Events lost because this output was full, as counted so far. @since 0.1 */
EBPFPUB_API uint64_t ebpfpub_perf_output_lost(const struct ebpfpub_perf_output *output);

/* ------------------------------------------------------------------------------------------ */
/* Events as delivered to the callback.                                                       */

/** Flags in ebpfpub_event.probe_error: something could not be captured in the kernel. */
enum ebpfpub_probe_error {
	/** A user-memory read failed (see the flags of the fields for which one). */
	EBPFPUB_PROBE_ERROR_READ = 1u << 0,
	/** The event's string space (buffer storage) was full: later captures were skipped. */
	EBPFPUB_PROBE_ERROR_NO_SPACE = 1u << 1,
	/** Some string was truncated to the buffer size. */
	EBPFPUB_PROBE_ERROR_TRUNCATED = 1u << 2,
};

enum ebpfpub_value_type {
	EBPFPUB_VALUE_SIGNED = 1,   /**< .value.s: integer, sign-extended from .width bytes */
	EBPFPUB_VALUE_UNSIGNED = 2, /**< .value.u */
	EBPFPUB_VALUE_POINTER = 3,  /**< .value.u: a user address that was not dereferenced */
	EBPFPUB_VALUE_STRING = 4,   /**< .value.bytes: NUL-terminated text, .len excludes NUL */
	EBPFPUB_VALUE_BYTES = 5,    /**< .value.bytes: raw buffer */
	EBPFPUB_VALUE_SOCKADDR = 6, /**< .value.sockaddr */
	EBPFPUB_VALUE_ARGV = 7,     /**< .value.argv */
};

/** Flags of one field. */
enum ebpfpub_field_flags {
	EBPFPUB_FIELD_TRUNCATED = 1u << 0,   /**< the data was longer than its buffer */
	EBPFPUB_FIELD_UNREADABLE = 1u << 1,  /**< reading user memory failed */
	EBPFPUB_FIELD_NULL = 1u << 2,        /**< the pointer was NULL */
	EBPFPUB_FIELD_NOT_CAPTURED = 1u << 3, /**< no space left in the event for it */
	EBPFPUB_FIELD_BAD_LENGTH = 1u << 4,  /**< a length argument was negative or oversize */
};

struct ebpfpub_bytes {
	const char *data;
	uint32_t len;
};

/**
 * A decoded struct sockaddr (connect, bind, accept, accept4). The field is flagged
 * EBPFPUB_FIELD_NULL (NULL pointer), EBPFPUB_FIELD_UNREADABLE (the read faulted; also for a
 * length pointer that could not be read) or EBPFPUB_FIELD_BAD_LENGTH (a negative length, one
 * over 128 bytes, of which the first 128 are read, or one too short for the family); the event
 * is delivered in every case. accept/accept4 read the address the kernel wrote, with the
 * length it wrote, only when the call succeeded: after a failure the field keeps
 * EBPFPUB_FIELD_NOT_CAPTURED.
 */
struct ebpfpub_sockaddr {
	uint16_t family;   /**< AF_INET, AF_INET6, AF_UNIX, or another value */
	uint16_t port;     /**< host byte order (AF_INET, AF_INET6) */
	uint8_t addr[16];  /**< network byte order: 4 bytes for AF_INET, 16 for AF_INET6 */
	uint32_t flowinfo; /**< AF_INET6, host byte order */
	uint32_t scope_id; /**< AF_INET6 */
	/** AF_UNIX: path bytes (an abstract name starts with a NUL byte; length 0 = unnamed);
	 *  other families: the raw address bytes after the family. */
	struct ebpfpub_bytes data;
};

/** Where an argv was read from. */
enum ebpfpub_argv_source {
	EBPFPUB_ARGV_FROM_CALLER = 1,  /**< the caller's argv pointers, at syscall enter */
	EBPFPUB_ARGV_FROM_NEW_MM = 2,  /**< the new program's stack, after a successful exec */
};

/**
 * A decoded argv (execve, execveat). Empty strings are kept. An argument longer than the
 * capture's bytes per argument is cut and flagged EBPFPUB_FIELD_TRUNCATED in arg_flags; more
 * arguments than max_items set `more`; either also flags the field EBPFPUB_FIELD_TRUNCATED.
 * A NULL argv flags the field EBPFPUB_FIELD_NULL with count 0; an unreadable pointer array
 * EBPFPUB_FIELD_UNREADABLE (the arguments read before it are kept); an unreadable string
 * has EBPFPUB_FIELD_UNREADABLE in its arg_flags (and in the field's flags).
 * BPF programs cannot take page faults, so strings in pages the caller never touched (string
 * literals after a fork) are unreadable at enter: after a successful exec the argv comes from
 * the new program (source EBPFPUB_ARGV_FROM_NEW_MM) and is complete; after a failed one the
 * filename is read again at exit (the kernel faulted it in), the arguments stay flagged.
 */
struct ebpfpub_argv {
	uint32_t count;                       /**< captured arguments */
	enum ebpfpub_argv_source source;
	const struct ebpfpub_bytes *args;     /**< count entries, each NUL-terminated */
	const uint32_t *arg_flags;            /**< count entries of ebpfpub_field_flags */
	bool more;                            /**< argv had more than count arguments */
};

struct ebpfpub_field {
	const char *name;             /**< the argument's name in the tracefs format */
	const char *c_type;           /**< its C type as the kernel declares it */
	enum ebpfpub_value_type type;
	uint32_t width;               /**< integer width in bytes (1, 2, 4, 8) */
	uint32_t flags;               /**< enum ebpfpub_field_flags */
	uint64_t raw;                 /**< the argument's register value as the syscall got it */
	union {
		int64_t s;
		uint64_t u;
		struct ebpfpub_bytes bytes;
		struct ebpfpub_sockaddr sockaddr;
		struct ebpfpub_argv argv;
	} value;
};

struct ebpfpub_event {
	const char *syscall;     /**< syscall name, e.g. "mkdir" */
	const char *serializer;  /**< serializer that captured it, e.g. "generic" */
	uint64_t timestamp_ns;   /**< CLOCK_MONOTONIC at syscall enter */
	uint32_t pid;            /**< process (thread group) id */
	uint32_t tid;            /**< thread id */
	uint32_t uid;
	uint32_t gid;
	int64_t exit_code;       /**< the syscall's return value; -errno on failure */
	uint64_t duration_ns;    /**< from enter to exit */
	uint32_t probe_error;    /**< enum ebpfpub_probe_error */
	char comm[16];           /**< task name at exit */
	size_t field_count;
	const struct ebpfpub_field *fields;
	/** Who made the call, or NULL (context off, or an event crafted by an older caller):
	 *  read it with ebpfpub_event_process(), which is safe whatever the struct's age.
	 *  @since 0.3 */
	const struct ebpfpub_process *process;
	/** The names of the tracer's rules (ebpfpub_tracer_add_rule) that this event matched,
	 *  in the order they were added; 0 when the tracer has no rule for the syscall.
	 *  @since 0.3 */
	size_t rule_count;
	const char *const *rules;
};

/** ebpfpub_process.flags: what the kernel could not tell. @since 0.3 */
enum ebpfpub_process_flags {
	/** No audit in this kernel (no task_struct.loginuid): auid and session_id unknown. */
	EBPFPUB_PROCESS_NO_AUDIT = 1u << 0,
	/** No cgroup id or path (no bpf_get_current_cgroup_id, or no cgroup BTF). */
	EBPFPUB_PROCESS_NO_CGROUP = 1u << 1,
	/** A kernel read of the task failed: the fields it fed are 0. */
	EBPFPUB_PROCESS_READ_FAILED = 1u << 2,
	/** start_time_ns is the task's start_time (CLOCK_MONOTONIC), not start_boottime. */
	EBPFPUB_PROCESS_START_MONOTONIC = 1u << 3,
	/** The cgroup path lacks its top levels (deeper than the bound): it starts with "...". */
	EBPFPUB_PROCESS_PATH_TOP_CUT = 1u << 4,
	/** The cgroup path could not be read (no room, a failed read): cgroup_path is NULL and
	 *  the container runtime "unknown". */
	EBPFPUB_PROCESS_PATH_UNKNOWN = 1u << 5,
};

/** auid and session_id of a task that never logged in (the kernel's "unset"). @since 0.3 */
#define EBPFPUB_AUID_UNSET UINT32_MAX
#define EBPFPUB_SESSION_UNSET UINT32_MAX
/** ebpfpub_ancestor.uid when the process table does not know the process. @since 0.3 */
#define EBPFPUB_UID_UNKNOWN UINT32_MAX

/** One ancestor of the calling process, as the kernel saw it at the call. @since 0.3 */
struct ebpfpub_ancestor {
	uint32_t pid;            /**< thread group id */
	uint32_t uid;            /**< real uid (process table), or EBPFPUB_UID_UNKNOWN */
	uint64_t start_time_ns;  /**< process start, ns since boot (CLOCK_BOOTTIME) */
	char comm[16];           /**< its leader's comm */
	/** Its command line from the tracer's process table (option cmdline), or argc 0 and
	 *  argv NULL when the table does not know this (pid, start time). */
	size_t argc;
	const char *const *argv;
	bool argv_truncated;
};

/**
 * Who made the call: read in the kernel at the call (the fixed part at enter; the cgroup
 * path and the ancestors at exit), so it is right even for a process that is gone by the
 * time the event is read. Grows at its end; sz says how far this library fills it.
 * @since 0.3
 */
struct ebpfpub_process {
	size_t sz;
	uint32_t flags;          /**< enum ebpfpub_process_flags */
	uint32_t ppid;           /**< the real parent's thread group id */
	/** The process's start (its thread group leader's start_boottime), ns since boot:
	 *  with pid it names the process across pid reuse; /proc/PID/stat's clock. */
	uint64_t start_time_ns;
	uint32_t auid;           /**< login uid, or EBPFPUB_AUID_UNSET */
	uint32_t session_id;     /**< audit session, or EBPFPUB_SESSION_UNSET */
	uint64_t cgroup_id;      /**< the default hierarchy (cgroup v2) cgroup's id */
	/** Its path below the cgroup2 root as the kernel names it ("/" for the root), or NULL
	 *  (EBPFPUB_PROCESS_PATH_UNKNOWN, EBPFPUB_PROCESS_NO_CGROUP). */
	const char *cgroup_path;
	/** "host", "docker", "containerd", "cri-o", "podman", "kubernetes", "nspawn", "lxc",
	 *  or "unknown" (the path was cut where it matters). */
	const char *container_runtime;
	const char *container_id;       /**< full id (nspawn, lxc: the name); "" on the host */
	const char *container_short_id; /**< the first 12 characters of a hex id, or the name */
	const char *pod_uid;            /**< kubernetes: the pod's uid; else NULL */
	size_t ancestor_count;          /**< at most the ancestors option, the parent first */
	const struct ebpfpub_ancestor *ancestors;
};

/** The process context of EVENT, or NULL when it has none. @since 0.3 */
EBPFPUB_API const struct ebpfpub_process *ebpfpub_event_process(const struct ebpfpub_event *event);

/** The field named NAME, or NULL. @since 0.1 */
EBPFPUB_API const struct ebpfpub_field *ebpfpub_event_field(const struct ebpfpub_event *event,
							      const char *name);

/** Receives one event. A negative return stops the poll, which returns that value. */
typedef int (*ebpfpub_event_fn)(void *ctx, const struct ebpfpub_event *event);

/* ------------------------------------------------------------------------------------------ */
/* Serializers: what is captured for a syscall, and how it is decoded.                       */

/** What a serializer captures from one argument. */
enum ebpfpub_capture_kind {
	/** The C string the argument points to (bpf_probe_read_user_str). */
	EBPFPUB_CAPTURE_STRING = 1,
	/** size_arg (or size) bytes the argument points to. */
	EBPFPUB_CAPTURE_BUFFER = 2,
	/** A struct sockaddr of size_arg bytes (or *size_arg when size_is_pointer). */
	EBPFPUB_CAPTURE_SOCKADDR = 3,
	/** A NULL-terminated array of C strings (argv), read at enter. For the argument named
	 *  "argv" of execve/execveat, a successful call is re-read at exit from the new
	 *  program's stack (ebpfpub_argv.source tells which). */
	EBPFPUB_CAPTURE_ARGV = 4,
};

/** When a capture reads user memory. */
enum ebpfpub_capture_when {
	EBPFPUB_AT_EXIT = 0,  /**< after the syscall: outputs, and inputs still in place */
	EBPFPUB_AT_ENTER = 1, /**< before the syscall: inputs that the call may destroy */
};

struct ebpfpub_capture {
	const char *arg;               /**< argument name as in the tracefs format */
	enum ebpfpub_capture_kind kind;
	enum ebpfpub_capture_when when;
	/** BUFFER / SOCKADDR: name of the argument that holds the length; NULL: use size. */
	const char *size_arg;
	/** size_arg is a pointer to the length (accept's int *addrlen): the length and the data
	 *  are outputs of the call, read at exit and only when the call succeeded. */
	bool size_is_pointer;
	/** BUFFER: fixed length, or the upper bound of size_arg (0: the buffer size).
	 *  SOCKADDR: the upper bound of size_arg (0 or more than 128: 128).
	 *  STRING / ARGV: bytes kept of one string, its NUL included (0 or more than the
	 *  storage's buffer_size: buffer_size). */
	uint32_t size;
	/** ARGV: most arguments captured (0: 32, at most 1024); argv[max_items] is looked at
	 *  to tell whether there were more (ebpfpub_argv.more). */
	uint32_t max_items;
};

/**
 * A serializer: what the programs of one syscall capture, as a table of captures that the
 * library turns into BPF code (the same code paths as the built-in serializers), plus an
 * optional hook that sees each decoded event. Built in: connect and bind (the sockaddr at
 * enter), accept and accept4 (the peer's sockaddr at exit), execve and execveat (filename and
 * argv at enter, argv again from the new program after success); "generic" for every other
 * syscall (each `char *` argument as a string at exit). Every argument is also delivered by
 * value; a captured one changes type (string, bytes, sockaddr, argv).
 *
 * Registering one with ebpfpub_tracer_set_serializer() replaces the built-in or generic one for
 * that syscall on that tracer, e.g. to capture up to 256 arguments of at most 512 bytes for
 * execve:
 *
 * @code
 * static const struct ebpfpub_capture caps[] = {
 *	{ .arg = "filename", .kind = EBPFPUB_CAPTURE_STRING, .when = EBPFPUB_AT_ENTER },
 *	{ .arg = "argv", .kind = EBPFPUB_CAPTURE_ARGV, .when = EBPFPUB_AT_ENTER,
 *	  .max_items = 256, .size = 512 },
 * };
 * static const struct ebpfpub_serializer big_execve = {
 *	.sz = sizeof(struct ebpfpub_serializer), .name = "big_execve",
 *	.captures = caps, .capture_count = 2,
 * };
 *
 * ebpfpub_tracer_set_serializer(tracer, "execve", &big_execve);   // before adding it
 * ebpfpub_tracer_add_syscall(tracer, "execve");
 * @endcode
 *
 * or, for a syscall without a built-in one, the buffer that write() passes:
 *
 * @code
 * { .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER, .when = EBPFPUB_AT_ENTER,
 *   .size_arg = "count", .size = 256 }
 * @endcode
 *
 * Argument names are those of the syscall's tracefs format
 * (/sys/kernel/tracing/events/syscalls/sys_enter_NAME/format). examples/custom_serializer.c
 * is a complete program.
 */
struct ebpfpub_serializer {
	size_t sz;
	const char *name;              /**< shown in events and by ebpftracer, e.g. "connect" */
	const struct ebpfpub_capture *captures;
	size_t capture_count;
	/** Optional: called after the library decoded an event of this serializer's syscall,
	 *  before the tracer's callback; may adjust nothing, only inspect or reject (return <0
	 *  to drop the event, which is counted as filtered). */
	int (*decode_hook)(void *ctx, const struct ebpfpub_event *event);
	void *hook_ctx;
};

/* ------------------------------------------------------------------------------------------ */
/* Tracer                                                                                     */

struct ebpfpub_tracer;

/** Where a call's enter data waits for its exit. */
enum ebpfpub_entry_storage {
	/** TASK where the kernel has it, else EVENT_MAP. */
	EBPFPUB_ENTRY_STORAGE_DEFAULT = 0,
	/** The thread's task-local storage (Linux 5.11+, BTF), shared by the tracer's
	 *  syscalls: one small entry per thread, freed with it, never evicted. Syscalls whose
	 *  serializer captures data at enter (connect, execve...) use EVENT_MAP regardless. */
	EBPFPUB_ENTRY_STORAGE_TASK = 1,
	/** One LRU hash per syscall, of event_map_size entries: when more threads are inside
	 *  the call at once, the oldest entries are evicted (counted). */
	EBPFPUB_ENTRY_STORAGE_EVENT_MAP = 2,
};

/**
 * How the programs of a syscall are reached.
 *
 * PER_TRACEPOINT attaches each syscall's enter and exit programs to its own sys_enter_X and
 * sys_exit_X tracepoints: untraced syscalls run no program, but each tracepoint costs an
 * attach (and, on Linux 6.14+, ~50 ms to detach).
 *
 * DISPATCH attaches two programs, to raw_syscalls/sys_enter and raw_syscalls/sys_exit, that
 * tail-call the syscall's programs through program arrays indexed by syscall number: one
 * attach for any number of syscalls, adding or removing a syscall is an array update, but
 * every syscall of every task runs the dispatcher (a tail-call attempt) while the tracer
 * exists. x86-64 only; syscalls without a known number (newer than the library's build
 * headers), execve and execveat stay on their own tracepoints ("mixed"; logged). ia32 calls
 * are not reported, as in per-tracepoint mode. Events are identical in both modes.
 * @since 0.3
 */
enum ebpfpub_attach_mode {
	/** PER_TRACEPOINT while the tracer has few syscalls; DISPATCH from
	 *  EBPFPUB_DISPATCH_CROSSOVER on, when the kernel offers it: a call that adds several
	 *  (ebpfpub_tracer_add_syscalls, ebpfpub_tracer_add_all_syscalls) and reaches it uses
	 *  DISPATCH for all it adds; syscalls already added keep their attachment. */
	EBPFPUB_ATTACH_DEFAULT = 0,
	EBPFPUB_ATTACH_PER_TRACEPOINT = 1,
	/** Forced: an add fails with -EOPNOTSUPP when the kernel cannot dispatch. */
	EBPFPUB_ATTACH_DISPATCH = 2,
};

/** Syscalls from which EBPFPUB_ATTACH_DEFAULT dispatches (measured: see bench/README.md). */
#define EBPFPUB_DISPATCH_CROSSOVER 8

struct ebpfpub_tracer_opts {
	size_t sz;
	/** Receives every event. Required. */
	ebpfpub_event_fn callback;
	void *callback_ctx;
	/** Shared objects; NULL: the tracer creates private ones with default options. */
	struct ebpfpub_buffer_storage *buffer_storage;
	struct ebpfpub_perf_output *perf_output;
	/** Entries of each syscall's enter->exit event map (default 1024, 16 .. 1048576):
	 *  the number of threads that can be inside one traced syscall at the same time. */
	uint32_t event_map_size;
	/** tracefs mount point; NULL: /sys/kernel/tracing, then /sys/kernel/debug/tracing. */
	const char *tracefs_path;
	/** Only these processes (thread group ids); 0 entries: all. At most 8. */
	const uint32_t *pids;
	size_t pid_count;
	/** Only this user id when filter_uid is set. */
	bool filter_uid;
	uint32_t uid;
	/** Only tasks whose comm equals this (at most 15 bytes); NULL: all. */
	const char *comm;
	/** Also trace the calling process (default: its own syscalls are excluded). */
	bool trace_self;
	ebpfpub_log_fn log_fn;
	void *log_ctx;
	/** Where enter data waits for the exit; see enum ebpfpub_entry_storage. @since 0.2 */
	enum ebpfpub_entry_storage entry_storage;
	/** Do not capture the process context (ebpfpub_event.process is then NULL).
	 *  @since 0.3 */
	bool no_process_context;
	/** Ancestors read in the kernel per event, the parent first (0 .. 32, default 0).
	 *  @since 0.3 */
	uint32_t ancestors;
	/** Keep a process table (one /proc scan, then every execve) and give each ancestor
	 *  its command line and uid; traces execve internally (its events reach the callback
	 *  only when the caller adds execve itself). @since 0.3 */
	bool cmdline;
	/** Only tasks in this cgroup (a cgroup2 directory path, or a path relative to the
	 *  cgroup2 mount) or below it: exact, in the kernel. @since 0.3 */
	const char *cgroup;
	/** Only tasks in the container whose id (or name) starts with this; decided in user
	 *  space from the captured cgroup path, counted in stats.filtered. @since 0.3 */
	const char *container;
	/** 1: only tasks outside containers; 2: only tasks inside (user space, like
	 *  container). @since 0.3 */
	int host_filter;
	/** How programs are attached; see enum ebpfpub_attach_mode. @since 0.3 */
	enum ebpfpub_attach_mode attach_mode;
};

/** ebpfpub_tracer_opts.host_filter. @since 0.3 */
#define EBPFPUB_HOST_ONLY 1
#define EBPFPUB_CONTAINERS_ONLY 2

/**
 * Creates a tracer with no syscall yet.
 * @return 0, or -EINVAL (bad option), -ENOMEM, or the error of creating the default storage
 *         or output.
 * @since 0.1
 */
EBPFPUB_API int ebpfpub_tracer_new(const struct ebpfpub_tracer_opts *opts,
				   struct ebpfpub_tracer **out);

/**
 * Detaches every program and frees every map and ring the tracer created. Shared storages
 * and outputs passed in the options are not freed. Accepts NULL.
 *
 * Callbacks: a tracer is used by one thread at a time. From inside its own callback,
 * ebpfpub_tracer_stop(), ebpfpub_tracer_stats() and the getters may be called;
 * ebpfpub_tracer_poll(), ebpfpub_tracer_add_syscall(), ebpfpub_tracer_add_all_syscalls() and
 * ebpfpub_tracer_set_serializer() return -EBUSY with a message (they also return -EBUSY while
 * another thread polls the tracer); ebpfpub_tracer_free() is allowed: nothing more is
 * delivered, and the tracer is freed when the callback returns (the poll that ran it then
 * returns -ECANCELED, and the caller must not use the tracer again).
 * @since 0.1
 */
EBPFPUB_API void ebpfpub_tracer_free(struct ebpfpub_tracer *tracer);

/**
 * Generates, loads and attaches the programs for syscall NAME (e.g. "openat"), with the
 * serializer registered for it, or the generic one.
 * @return 0, or -ENOENT (unknown syscall; the message suggests close names), -EEXIST
 *         (already traced), -ENODEV (tracefs not mounted), -EPERM (missing capability),
 *         -EACCES or -EINVAL (the verifier's rejection as the kernel returns it; the
 *         message holds the verifier's last lines), -EINVAL (also: a record would not fit
 *         the output), -EBUSY (called from the tracer's
 *         callback or while another thread polls it), -ENOMEM.
 *         ebpfpub_tracer_last_error() explains.
 * @since 0.1
 */
EBPFPUB_API int ebpfpub_tracer_add_syscall(struct ebpfpub_tracer *tracer, const char *name);

/**
 * Adds every syscall that has both tracepoints on this kernel. Syscalls that fail are
 * reported through log_fn and counted; returns how many were added, or -errno when none.
 * @since 0.1
 */
EBPFPUB_API int ebpfpub_tracer_add_all_syscalls(struct ebpfpub_tracer *tracer);

/**
 * Adds the COUNT syscalls of NAMES; with EBPFPUB_ATTACH_DEFAULT, the attachment is chosen for
 * the whole set. Failures are reported through log_fn; returns how many were added, or the
 * first -errno when none.
 * @since 0.3
 */
EBPFPUB_API int ebpfpub_tracer_add_syscalls(struct ebpfpub_tracer *tracer,
					    const char *const *names, size_t count);

/** How syscall NAME is attached (PER_TRACEPOINT or DISPATCH), or EBPFPUB_ATTACH_DEFAULT when
 *  it is not traced. @since 0.3 */
EBPFPUB_API enum ebpfpub_attach_mode
ebpfpub_tracer_syscall_attach_mode(const struct ebpfpub_tracer *tracer, const char *name);

/**
 * Stops tracing syscall NAME: detaches its programs (in dispatch mode: takes them out of the
 * program arrays, without a detach), delivers what it had already written to
 * the output (the callback may run for any of the tracer's syscalls meanwhile), keeps its
 * counts in the tracer's stats and frees its programs and maps. It can be added again.
 * @return 0, -ENOENT (not traced), -EBUSY (from the callback, or while another thread polls),
 *         or a callback's negative value (the syscall is removed all the same).
 * @since 0.2
 */
EBPFPUB_API int ebpfpub_tracer_remove_syscall(struct ebpfpub_tracer *tracer, const char *name);

/**
 * Registers SERIALIZER for syscall NAME on this tracer, before that syscall is added. The
 * struct and its strings must stay valid for the tracer's life. The captures are checked
 * against the syscall's arguments now; ebpfpub_tracer_last_error() says what is wrong.
 * @return 0, -ENOENT (no such syscall), -EEXIST (one is registered for it already, or the
 *         syscall is traced already), -EINVAL (a capture names a missing argument, an
 *         argument twice, or has a bad kind, when or size).
 * @since 0.1
 */
EBPFPUB_API int ebpfpub_tracer_set_serializer(struct ebpfpub_tracer *tracer, const char *name,
					      const struct ebpfpub_serializer *serializer);

/** Name of the serializer that handles (or would handle) syscall NAME. @since 0.1 */
EBPFPUB_API const char *ebpfpub_tracer_serializer_name(struct ebpfpub_tracer *tracer,
						       const char *name);

/**
 * Waits up to TIMEOUT_MS (-1: forever, 0: not at all) and delivers the pending events to the
 * callback. @return the number of events delivered, the callback's negative value, or
 * -ECANCELED once ebpfpub_tracer_stop() was called and the events already in the output were
 * delivered (so `while (ebpfpub_tracer_poll(t, -1) >= 0);` loses nothing that arrived), or
 * -EBUSY when called from the tracer's own callback or while another thread polls it (each
 * record is delivered exactly once).
 * @since 0.1
 */
EBPFPUB_API int ebpfpub_tracer_poll(struct ebpfpub_tracer *tracer, int timeout_ms);

/**
 * A file descriptor that becomes readable when events are pending, for the caller's own
 * event loop; then call ebpfpub_tracer_poll(tracer, 0). Events are delivered within about
 * ten milliseconds when the loop calls poll whenever the fd is readable and at least
 * every ebpfpub_tracer_flush_interval_ms() while events flow.
 * @since 0.1
 */
EBPFPUB_API int ebpfpub_tracer_fd(const struct ebpfpub_tracer *tracer);
EBPFPUB_API int ebpfpub_tracer_flush_interval_ms(const struct ebpfpub_tracer *tracer);

/** Makes the current poll return, and polls from then on deliver what is pending and then
 *  return -ECANCELED. Async-signal-safe. @since 0.1 */
EBPFPUB_API void ebpfpub_tracer_stop(struct ebpfpub_tracer *tracer);

/** Text of the last failure of a call on TRACER ("" if none). @since 0.1 */
EBPFPUB_API const char *ebpfpub_tracer_last_error(const struct ebpfpub_tracer *tracer);

/**
 * Where the calls went. Every call that an enter program saw ends in exactly one of
 * kernel_filtered, enter_dropped, events, filtered, malformed, lost, evicted, exit_not_seen
 * or in_flight
 * (exact once the output is drained). Calls whose exit came without an enter (they began
 * before the tracer) are counted in exit_without_enter.
 */
struct ebpfpub_tracer_stats {
	size_t sz;
	uint64_t events;             /**< delivered to the callback */
	uint64_t lost;               /**< dropped because the perf output was full */
	uint64_t enter_dropped;      /**< enter could not store its entry (no event map room) */
	uint64_t exit_without_enter; /**< exits whose call began before the tracer saw it
	                              *   (not counted for syscalls with rules: their enter
	                              *   programs drop calls, whose exits look alike) */
	/** Rejected in user space: by a serializer's decode hook, by the container/host
	 *  filters, or by the user-space share of the rules. */
	uint64_t filtered;
	uint64_t malformed;          /**< records that failed validation */
	uint64_t truncated;          /**< events with a truncated field */
	uint64_t read_errors;        /**< events with an unreadable field */
	/** Rejected by the pid, uid, comm, cgroup or own-process filter in the enter program.
	 *  @since 0.2 */
	uint64_t kernel_filtered;
	/** Entries that aged out of the (LRU) event map, because more threads were inside the
	 *  syscall at once than it holds, before their exit came. @since 0.2 */
	uint64_t evicted;
	/** Calls that have begun and not returned yet (or never will: a thread that ended
	 *  inside exit_group). @since 0.2 */
	uint64_t in_flight;
	/** Calls whose exit never came before the same thread's next call began (a thread
	 *  that died inside it, a call that does not return). @since 0.2 */
	uint64_t exit_not_seen;
	/** Events for which the kernel's verdict on a rule and the user-space evaluation of
	 *  the same conditions differed (a bug: always 0). The user-space verdict wins. @since 0.3 */
	uint64_t rule_disagreements;
	/** The part of kernel_filtered that the tracer's rules dropped (at enter or at exit,
	 *  before anything was output); a rule's user-space rejections count in filtered.
	 *  @since 0.3 */
	uint64_t rules_kernel_filtered;
};

/** Fills STATS (sz must be set). @since 0.1 */
EBPFPUB_API int ebpfpub_tracer_stats(struct ebpfpub_tracer *tracer,
				     struct ebpfpub_tracer_stats *stats);

/** Bytes of kernel memory this tracer's own maps use (not the shared objects). @since 0.1 */
EBPFPUB_API uint64_t ebpfpub_tracer_memory_usage(const struct ebpfpub_tracer *tracer);

/** The storage and output the tracer uses (borrowed). @since 0.1 */
EBPFPUB_API struct ebpfpub_buffer_storage *
ebpfpub_tracer_buffer_storage(const struct ebpfpub_tracer *tracer);
EBPFPUB_API struct ebpfpub_perf_output *
ebpfpub_tracer_perf_output(const struct ebpfpub_tracer *tracer);

/** Number of syscalls traced, and the name of the I-th (borrowed). @since 0.1 */
EBPFPUB_API size_t ebpfpub_tracer_syscall_count(const struct ebpfpub_tracer *tracer);
EBPFPUB_API const char *ebpfpub_tracer_syscall_name(const struct ebpfpub_tracer *tracer,
						    size_t i);

/** What ebpfpub_tracer_program_text() returns. */
enum ebpfpub_program_text {
	EBPFPUB_PROGRAM_IR = 0,    /**< the LLVM IR of both programs */
	EBPFPUB_PROGRAM_INSNS = 1, /**< the BPF instructions, one per line */
};

/**
 * The generated programs of syscall NAME as text (IR or BPF instructions). Valid until the
 * tracer is freed. @since 0.1
 */
EBPFPUB_API const char *ebpfpub_tracer_program_text(const struct ebpfpub_tracer *tracer,
						    const char *name,
						    enum ebpfpub_program_text what);

/* ------------------------------------------------------------------------------------------ */
/* Rules: which calls matter, compiled into the programs.                                     */

/**
 * A rule names syscalls, conditions that must all hold (`when`), exceptions (`unless`
 * groups: the call is dropped when every condition of any one group holds) and an optional
 * signal sent from the program. Conditions that the kernel can decide (pid, uid, auid,
 * cgroup, comm equals/prefix, integer arguments, the exit code, string arguments
 * equals/prefix, socket address family/address/port of a sockaddr read at enter) are
 * generated into the enter or exit program, so that a call no rule wants is counted in
 * kernel_filtered and never reaches user mode; the others (suffix, contains, glob, argv,
 * container, ancestor) run in user mode after decoding, and such a rejection counts in
 * `filtered`. ebpfpub_tracer_explain() says which runs where.
 *
 * @code
 * struct ebpfpub_rule *r;
 * static const struct ebpfpub_int_test mode = { .op = EBPFPUB_INT_EQ, .value = 0700 };
 * EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_ARG, .arg = "mode",
 *              .ints = &mode, .int_count = 1);
 *
 * ebpfpub_rule_new("private-dirs", &r);
 * ebpfpub_rule_add_syscall(r, "mkdir");
 * ebpfpub_rule_add_condition(r, EBPFPUB_WHEN, &c);
 * ebpfpub_tracer_add_rule(tracer, r);      // copied; before mkdir is added
 * ebpfpub_rule_free(r);
 * ebpfpub_tracer_add_syscall(tracer, "mkdir");
 * @endcode
 */
struct ebpfpub_rule;

/** What a condition looks at. */
enum ebpfpub_cond_key {
	EBPFPUB_COND_PID = 1,        /**< ints: the process (thread group) id */
	EBPFPUB_COND_UID = 2,        /**< ints: the user id at enter */
	EBPFPUB_COND_COMM = 3,       /**< strings: the task name */
	EBPFPUB_COND_EXIT_CODE = 4,  /**< ints: the signed return value */
	EBPFPUB_COND_ARG = 5,        /**< ints or strings: the argument named .arg */
	EBPFPUB_COND_SOCKADDR_FAMILY = 6, /**< ints: the family of the sockaddr argument .arg */
	EBPFPUB_COND_SOCKADDR_ADDR = 7,   /**< cidrs: its address is in one of them */
	EBPFPUB_COND_SOCKADDR_PORT = 8,   /**< ints: its port (AF_INET, AF_INET6) */
	EBPFPUB_COND_SOCKADDR_PATH = 9,   /**< strings: its AF_UNIX path */
	EBPFPUB_COND_ARGV0 = 10,     /**< strings: argv[0] of the argv argument .arg */
	EBPFPUB_COND_ARGV_ANY = 11,  /**< strings: some element of the argv argument .arg */
	/* The process context (ebpfpub_event.process; a tracer with no_process_context refuses
	 * rules with these). None holds on an event without a context. */
	/** ints: the audit login uid (EBPFPUB_AUID_UNSET: never logged in); decided in the exit
	 *  program; never holds without audit (EBPFPUB_PROCESS_NO_AUDIT) */
	EBPFPUB_COND_AUID = 32,
	/** strings, user space: EQUALS "any" (some container), "host" (none) or a runtime
	 *  ("docker", "containerd", "cri-o", "podman", "kubernetes", "nspawn", "lxc"); PREFIX:
	 *  the container id (or name) starts with it. A runtime "unknown" matches none. */
	EBPFPUB_COND_CONTAINER = 33,
	/** strings, user space: some ancestor's comm. A tracer whose ancestors option is 0
	 *  reads 8 ancestors for the syscalls of a rule with this. */
	EBPFPUB_COND_ANCESTOR = 34,
	/** strings: EQUALS "/A/B": the task is in cgroup /A/B (below the cgroup2 root; no "."
	 *  or ".." names) or below it, decided in the enter program when that cgroup exists as
	 *  the rule is bound to a syscall, else in user space from the captured path (a path cut
	 *  at the top, EBPFPUB_PROCESS_PATH_TOP_CUT, or unknown never holds there); the other
	 *  tests apply to the path's text, in user space. */
	EBPFPUB_COND_CGROUP = 35,
};

enum ebpfpub_int_op {
	EBPFPUB_INT_EQ = 1,
	EBPFPUB_INT_NE = 2,
	EBPFPUB_INT_LT = 3,
	EBPFPUB_INT_LE = 4,
	EBPFPUB_INT_GT = 5,
	EBPFPUB_INT_GE = 6,
	EBPFPUB_INT_RANGE = 7, /**< value <= x <= value2 */
	EBPFPUB_INT_MASK = 8,  /**< every bit of value is set in x */
};

/** One integer test; signed or unsigned as the compared value's C type. */
struct ebpfpub_int_test {
	enum ebpfpub_int_op op;
	int64_t value;
	int64_t value2;
};

enum ebpfpub_string_op {
	EBPFPUB_STR_EQUALS = 1,
	EBPFPUB_STR_PREFIX = 2,
	EBPFPUB_STR_SUFFIX = 3,   /**< user mode */
	EBPFPUB_STR_CONTAINS = 4, /**< user mode */
	EBPFPUB_STR_GLOB = 5,     /**< user mode, fnmatch(3) without flags */
};

struct ebpfpub_string_test {
	enum ebpfpub_string_op op;
	const char *value;
};

/** An IPv4 or IPv6 network: family AF_INET or AF_INET6, addr in network byte order. */
struct ebpfpub_cidr {
	uint16_t family;
	uint8_t prefix_len;
	uint8_t addr[16];
};

/**
 * One condition: it holds when any of its tests holds (a list is an OR), or, with negate,
 * when none does. A sockaddr condition on a missing, unreadable or malformed address does
 * not hold (negated: does). Use exactly one of ints, strings or cidrs, as the key says.
 */
struct ebpfpub_condition {
	size_t sz;
	enum ebpfpub_cond_key key;
	const char *arg;          /**< argument name in the tracefs format (ARG, SOCKADDR_*, ARGV*) */
	bool negate;
	const struct ebpfpub_int_test *ints;
	size_t int_count;
	const struct ebpfpub_string_test *strings;
	size_t string_count;
	const struct ebpfpub_cidr *cidrs;
	size_t cidr_count;
};

/** ebpfpub_rule_add_condition's group: the rule's own conditions (AND). Groups 1, 2, ...
 *  are exceptions: the call is dropped when all conditions of one of them hold. */
#define EBPFPUB_WHEN 0u

/** A rule named NAME (1 .. 63 bytes), without syscalls or conditions. @since 0.3 */
EBPFPUB_API int ebpfpub_rule_new(const char *name, struct ebpfpub_rule **out);
EBPFPUB_API void ebpfpub_rule_free(struct ebpfpub_rule *rule);
EBPFPUB_API const char *ebpfpub_rule_name(const struct ebpfpub_rule *rule);
/** @return 0, -EINVAL, -EEXIST (named twice), -ENOMEM. @since 0.3 */
EBPFPUB_API int ebpfpub_rule_add_syscall(struct ebpfpub_rule *rule, const char *syscall);
/**
 * Adds a copy of COND to GROUP (EBPFPUB_WHEN, or an exception group 1 .. 64).
 * @return 0, -EINVAL (a bad key, op, empty list or a test that does not fit the key:
 *         ebpfpub_rule_last_error() says which), -ENOMEM.
 * @since 0.3
 */
EBPFPUB_API int ebpfpub_rule_add_condition(struct ebpfpub_rule *rule, uint32_t group,
					   const struct ebpfpub_condition *cond);
/** Sends SIGNO (e.g. SIGKILL, SIGINT) from the program to the calling process when the rule
 *  matches; 0: none. Never to pid 1, the tracer or a kernel thread. The call itself is not
 *  prevented. All of such a rule's conditions must be decidable in the kernel. @since 0.3 */
EBPFPUB_API int ebpfpub_rule_set_signal(struct ebpfpub_rule *rule, int signo);
/** The text of the last failure on RULE ("" if none). @since 0.3 */
EBPFPUB_API const char *ebpfpub_rule_last_error(const struct ebpfpub_rule *rule);
/**
 * Evaluates every condition of RULE on EVENT in user mode (the syscall must be one of the
 * rule's), as the tracer would: 1 matches, 0 does not. @since 0.3
 */
EBPFPUB_API int ebpfpub_rule_matches(const struct ebpfpub_rule *rule,
				     const struct ebpfpub_event *event);

/**
 * Adds a copy of RULE to the tracer, before any of its syscalls is added (the syscalls are
 * not added by this). Checked against each syscall's arguments now. A syscall with rules
 * delivers only the calls that match one of them; at most 16 rules per syscall.
 * @return 0, -EINVAL (an argument the syscall lacks or of the wrong kind, a signal rule
 *         with a user-mode condition, a process condition on a tracer without the process
 *         context; ebpfpub_tracer_last_error() says which), -ENOENT
 *         (unknown syscall), -EEXIST (a rule of that name, or one of its syscalls traced
 *         already), -E2BIG (over 16 rules on a syscall), -EOPNOTSUPP (signal without
 *         bpf_send_signal), -EBUSY, -ENOMEM.
 * @since 0.3
 */
EBPFPUB_API int ebpfpub_tracer_add_rule(struct ebpfpub_tracer *tracer,
					const struct ebpfpub_rule *rule);
/**
 * Replaces the tracer's rules by copies of RULES (N may be 0), for a daemon's reload. All are
 * checked first; on any error nothing changes. Then each traced syscall whose rules changed
 * gets new programs, attached and switched to before the old ones detach, so that no call
 * is missed or seen twice; syscalls whose rules are the same keep their programs; a traced
 * syscall that no new rule names keeps its programs (remove it, or add it again, to change
 * that). Syscalls named by new rules but not traced are not added by this.
 * @return 0, an error of ebpfpub_tracer_add_rule() (nothing changed), or the first error of
 *         replacing a syscall's programs (that syscall keeps its old ones).
 * @since 0.3
 */
EBPFPUB_API int ebpfpub_tracer_set_rules(struct ebpfpub_tracer *tracer,
					 const struct ebpfpub_rule *const *rules, size_t n);
/**
 * Per rule and condition, where it runs ("kernel enter", "kernel exit", "user space"), as
 * text, one line per condition. Valid until the next call on the tracer. @since 0.3
 */
EBPFPUB_API const char *ebpfpub_tracer_explain(struct ebpfpub_tracer *tracer);

/* ------------------------------------------------------------------------------------------ */
/* Syscall listing and the feature check.                                                     */

/**
 * Lists the syscalls that have both sys_enter_X and sys_exit_X tracepoints, sorted.
 * TRACEFS_PATH may be NULL. Free the result with ebpfpub_strv_free().
 * @return the count, or -ENODEV (tracefs not mounted), -errno.
 * @since 0.1
 */
EBPFPUB_API int ebpfpub_list_syscalls(const char *tracefs_path, char ***names);
EBPFPUB_API void ebpfpub_strv_free(char **strv);

enum ebpfpub_feature_state {
	EBPFPUB_FEATURE_NO = 0,
	EBPFPUB_FEATURE_YES = 1,
	EBPFPUB_FEATURE_UNKNOWN = 2,
};

struct ebpfpub_features {
	size_t sz;
	char tracefs_path[256];                   /**< "" when not mounted */
	enum ebpfpub_feature_state tracefs;
	enum ebpfpub_feature_state cap_bpf;       /**< CAP_BPF or CAP_SYS_ADMIN */
	enum ebpfpub_feature_state cap_perfmon;   /**< CAP_PERFMON or CAP_SYS_ADMIN */
	enum ebpfpub_feature_state syscall_tracepoints;
	enum ebpfpub_feature_state bpf_events;    /**< CONFIG_BPF_EVENTS */
	enum ebpfpub_feature_state ring_buffer;
	enum ebpfpub_feature_state btf;           /**< /sys/kernel/btf/vmlinux */
	char kernel_config_source[64];            /**< "/proc/config.gz", a /boot file, or "" */
	char kernel_release[65];
	/** Requested syscalls that this kernel cannot trace (NULL-terminated, or NULL). */
	char **missing_syscalls;
	/*
	 * Probed by loading small programs that are never attached: UNKNOWN without CAP_BPF
	 * and CAP_PERFMON. A caller whose struct ends at missing_syscalls gets only that part.
	 */
	enum ebpfpub_feature_state probe_read_user_kernel; /**< both helpers (Linux 5.5) */
	enum ebpfpub_feature_state bounded_loops;    /**< the verifier walks back-edges (5.3) */
	enum ebpfpub_feature_state bpf_loop;         /**< the bpf_loop helper (5.17) */
	enum ebpfpub_feature_state send_signal;      /**< bpf_send_signal (5.3) */
	enum ebpfpub_feature_state task_storage;     /**< task-local storage map + helper (5.11) */
	enum ebpfpub_feature_state current_task_btf; /**< bpf_get_current_task_btf (5.11) */
	/** A cgroup2 mount in /proc/self/mountinfo; cgroup2_path is the first one, or "". */
	enum ebpfpub_feature_state cgroup2;
	char cgroup2_path[256];
	enum ebpfpub_feature_state audit_loginuid;   /**< /proc/self/loginuid (CONFIG_AUDIT) */
	/*
	 * The process context (@since 0.3), from the kernel's BTF: a caller whose struct ends
	 * at audit_loginuid gets only that part.
	 */
	/** task_struct.real_parent, group_leader, tgid, comm, start_boottime/start_time */
	enum ebpfpub_feature_state context_task;
	enum ebpfpub_feature_state context_audit;     /**< task_struct.loginuid, sessionid */
	/** task->cgroups->dfl_cgrp->kn and kernfs_node name, parent (or __parent) */
	enum ebpfpub_feature_state context_cgroup_path;
	enum ebpfpub_feature_state cgroup_id_helper;  /**< bpf_get_current_cgroup_id (4.18) */
	/** raw_syscalls tracepoints, tail calls from tracepoint programs and a syscall number
	 *  table: EBPFPUB_ATTACH_DISPATCH works. @since 0.3 */
	enum ebpfpub_feature_state dispatch;
};

/**
 * Checks what the library needs without loading anything, for the syscalls in NAMES
 * (COUNT may be 0). FEATURES->sz is 0 (this header's struct) or the size of the caller's
 * struct, which must reach at least to missing_syscalls; that much is filled and sz is left
 * as given (a larger sz is set to this header's size). Free with ebpfpub_features_release().
 * @return 0 or -errno (-EINVAL for a sz that ends before missing_syscalls, -ENOMEM).
 * @since 0.1
 */
EBPFPUB_API int ebpfpub_features_probe(const char *tracefs_path, const char *const *names,
				       size_t count, struct ebpfpub_features *features);
EBPFPUB_API void ebpfpub_features_release(struct ebpfpub_features *features);
/** Writes a human-readable report, one finding per line, to BUF (like snprintf). */
EBPFPUB_API int ebpfpub_features_describe(const struct ebpfpub_features *features, char *buf,
					  size_t size);

#ifdef __cplusplus
}
#endif

#endif /* EBPFPUB_EBPFPUB_H */
