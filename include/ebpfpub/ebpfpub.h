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
};

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
	/** How programs are attached; see enum ebpfpub_attach_mode. @since 0.3 */
	enum ebpfpub_attach_mode attach_mode;
};

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
	uint64_t exit_without_enter; /**< exits whose call began before the tracer saw it */
	uint64_t filtered;           /**< rejected by a serializer's decode hook */
	uint64_t malformed;          /**< records that failed validation */
	uint64_t truncated;          /**< events with a truncated field */
	uint64_t read_errors;        /**< events with an unreadable field */
	/** Rejected by the pid, uid, comm or own-process filter in the enter program. @since 0.2 */
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
