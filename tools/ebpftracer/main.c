/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ebpftracer: traces the syscalls named on the command line and prints every call.
 *
 * It is also the sample of how to embed libebpfpub, so it uses only the public API, in the
 * order a program would: a buffer storage and a perf output sized from the options, a
 * tracer with the filters, one ebpfpub_tracer_add_syscall() per name, then
 * ebpfpub_tracer_poll() until a signal makes ebpfpub_tracer_stop() end it. Events are
 * formatted into one buffer and written once per poll batch.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "notify.h"
#include "options.h"
#include "output.h"
#include "printer.h"
#include "report.h"
#include "rules_run.h"

/* The library's messages for one run: warnings are shown at once, errors are kept and shown
 * with the failure they explain, so that each failure is one message. */
struct log_state {
	bool verbose;
	char last_error[4096];
};

struct run {
	const struct options *opts;
	FILE *out;                     /* events (written through out_fd) */
	int out_fd;
	FILE *report;                  /* start-up report, ready line, summary */
	struct outbuf events;          /* formatted events not yet written */
	printer_event_fn print;
	int write_errno;               /* set when formatting or writing events failed */
	struct log_state log;
	struct ebpfpub_buffer_storage *storage;
	struct ebpfpub_perf_output *output;
	struct ebpfpub_tracer *tracer;
	struct rules_run rules;        /* --rules */
};

/*
 * The only global state, because a signal handler has no other way in: the tracer to stop,
 * and whether a signal came before there was one. ebpfpub_tracer_stop() is async-signal-
 * safe, and a lock-free atomic pointer may be read in a handler.
 */
_Static_assert(ATOMIC_POINTER_LOCK_FREE == 2, "the signal handler needs lock-free pointers");
static _Atomic(struct ebpfpub_tracer *) signal_tracer;
static volatile sig_atomic_t signal_received;   /* the signal's number */
static volatile sig_atomic_t reload_requested;  /* SIGHUP with --rules */
static int signal_setup_error;

static void on_signal(int sig)
{
	struct ebpfpub_tracer *t = atomic_load(&signal_tracer);

	signal_received = sig;
	if (t)
		ebpfpub_tracer_stop(t);
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* A second Ctrl-C kills at once: detaching hundreds of programs can take a minute,
	 * and the kernel detaches them anyway when the process dies. */
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -errno;
	/* A closed pipe (ebpftracer | head) is a write error to report, not a silent death. */
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -errno;
	return 0;
}

/*
 * The handlers are installed from .preinit_array, which runs before the constructors of the
 * shared libraries: LLVM's take milliseconds, and a SIGTERM then would kill by the default
 * action instead of stopping cleanly. Only the dynamic loader's own work (mapping and
 * relocating libLLVM) comes before this, and no code of ours can run earlier.
 */
static void early_signals(int argc, char **argv, char **envp)
{
	signal_setup_error = install_signals();
}

__attribute__((section(".preinit_array"), used)) static void (*const preinit_signals)(
	int, char **, char **) = early_signals;

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

/* With --rules, SIGHUP rereads them (daemon use; ExecReload of ebpftracer.service). */
static int install_reload(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGHUP, &sa, NULL) < 0 ? -errno : 0;
}

/* --list, --check, --help: a signal ends them the default way, also one that came early. */
static void default_signals(void)
{
	int sig = signal_received;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (sig)
		raise(sig);
}

/*
 * When standard output is closed, the first file the library opens would become fd 1 and
 * receive the events. /dev/null, read-only, takes the place, so the writability check
 * below refuses it like a closed one.
 */
static void reserve_stdout(void)
{
	int fd;

	if (fcntl(STDOUT_FILENO, F_GETFD) >= 0 || errno != EBADF)
		return;
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != STDOUT_FILENO) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
}

static void log_message(void *ctx, enum ebpfpub_log_level level, const char *message)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	struct log_state *ls = ctx;

	if (level == EBPFPUB_LOG_ERROR) {
		snprintf(ls->last_error, sizeof(ls->last_error), "%s", message);
		if (!ls->verbose)
			return;
	} else if (level != EBPFPUB_LOG_WARNING && !ls->verbose) {
		return;
	}
	fprintf(stderr, "ebpftracer: libebpfpub %s: %s\n",
		(unsigned)level < 4 ? names[level] : "message", message);
}

/*
 * One line on stderr for a failed call: the library's explanation when it gave one (it names
 * the object and the cause), else WHAT and the errno text; and a hint when privilege is
 * missing.
 */
static int fail(const char *what, int err, const char *detail)
{
	bool privilege = err == -EPERM || err == -EACCES;
	const char *why;

	if (detail && detail[0]) {
		why = detail;
		fprintf(stderr, "ebpftracer: %s", detail);
	} else {
		why = strerror(-err);
		fprintf(stderr, "ebpftracer: %s: %s", what, why);
	}
	if (privilege && !strstr(why, "root"))
		fputs(" (run as root, or with CAP_BPF and CAP_PERFMON)", stderr);
	fputc('\n', stderr);
	return 1;
}

static int flush_events(struct run *r)
{
	int rc = output_flush(&r->events, r->out_fd);

	if (rc < 0 && !r->write_errno)
		r->write_errno = -rc;
	return rc;
}

static int on_event(void *ctx, const struct ebpfpub_event *event)
{
	struct run *r = ctx;
	size_t start = r->events.len;

	if (r->rules.active && !rules_run_event(&r->rules, event))
		return 0;
	r->print(&r->events, event);
	if (r->events.error) {
		/* Only whole events are written: this one is dropped, the batch is kept. */
		r->events.len = start;
		r->write_errno = r->events.error;
		return -r->write_errno;
	}
	if (r->events.len < OUTPUT_FLUSH_BYTES)
		return 0;
	return flush_events(r);
}

static int create_objects(struct run *r)
{
	const struct options *o = r->opts;
	int rc;

	{
		EBPFPUB_OPTS(ebpfpub_buffer_storage_opts, so, .buffer_size = o->buffer_size,
			     .buffer_count = o->buffer_count, .log_fn = log_message,
			     .log_ctx = &r->log);

		r->log.last_error[0] = '\0';
		rc = ebpfpub_buffer_storage_new(&so, &r->storage);
		if (rc < 0)
			return fail("cannot create the buffer storage", rc, r->log.last_error);
	}
	{
		EBPFPUB_OPTS(ebpfpub_perf_output_opts, po, .kind = o->output_kind,
			     .page_exp = o->perf_size, .log_fn = log_message, .log_ctx = &r->log);

		r->log.last_error[0] = '\0';
		rc = ebpfpub_perf_output_new(&po, &r->output);
		if (rc == -EOPNOTSUPP)
			return fail("cannot create the perf output", rc,
				    "this kernel has no BPF ring buffer (Linux 5.8+): use --output_kind perf");
		if (rc < 0)
			return fail("cannot create the perf output", rc, r->log.last_error);
	}
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, to, .callback = on_event, .callback_ctx = r,
			     .buffer_storage = r->storage, .perf_output = r->output,
			     .event_map_size = o->event_map_size, .tracefs_path = o->tracefs_path,
			     .pids = o->pids, .pid_count = o->pid_count,
			     .filter_uid = o->filter_uid, .uid = o->uid, .comm = o->comm,
			     .no_process_context = o->no_context, .ancestors = o->ancestors,
			     .cmdline = o->cmdline, .cgroup = o->cgroup, .container = o->container,
			     .host_filter = o->host_filter,
			     .log_fn = log_message, .log_ctx = &r->log,
			     .attach_mode = o->attach_mode);

		r->log.last_error[0] = '\0';
		rc = ebpfpub_tracer_new(&to, &r->tracer);
		if (rc < 0)
			return fail("cannot create the tracer", rc, r->log.last_error);
	}
	atomic_store(&signal_tracer, r->tracer);
	return 0;
}

static int add_syscalls(struct run *r)
{
	const struct options *o = r->opts;
	size_t i;
	int rc;

	if (o->trace_all) {
		/* Syscalls that cannot be traced are reported as warnings and skipped. */
		rc = ebpfpub_tracer_add_all_syscalls(r->tracer);
		if (rc < 0)
			return fail("cannot trace any syscall", rc,
				    ebpfpub_tracer_last_error(r->tracer));
		return 0;
	}
	/* All at once: the library chooses the attachment for the whole set. */
	rc = ebpfpub_tracer_add_syscalls(r->tracer, (const char *const *)o->syscalls,
					 o->syscall_count);
	for (i = 0; i < o->syscall_count && !signal_received; i++) {
		if (ebpfpub_tracer_syscall_attach_mode(r->tracer, o->syscalls[i]) ==
		    EBPFPUB_ATTACH_DEFAULT) {
			const char *why = ebpfpub_tracer_last_error(r->tracer);

			char what[128];

			/* The library's message names the syscall; without one, we do. */
			snprintf(what, sizeof(what), "cannot trace '%s'", o->syscalls[i]);
			return fail(what, rc, why);
		}
	}
	/* --rules: their syscalls too (a syscall given with -t as well is traced once). */
	for (i = 0; r->rules.active && i < r->rules.yaml.syscall_count && !signal_received; i++) {
		const char *name = r->rules.yaml.syscalls[i];

		rc = ebpfpub_tracer_add_syscall(r->tracer, name);
		if (rc < 0 && rc != -EEXIST)
			return fail(name, rc, ebpfpub_tracer_last_error(r->tracer));
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Polls until a signal, the end of --duration, or an error; returns the exit status. A
 * signal or the deadline stops the tracer, and the events already in the output are still
 * delivered and written.
 */
static int poll_events(struct run *r)
{
	int64_t deadline = r->opts->duration_ms ? now_ms() + (int64_t)r->opts->duration_ms : -1;
	int64_t flush_at = -1;   /* when the buffered events are due to be written */

	for (;;) {
		int timeout = -1, n;
		int64_t now = now_ms();

		if (r->rules.active)
			timeout = 200;   /* SIGHUP is looked at between polls */
		if (deadline >= 0) {
			int64_t left = deadline - now;

			if (left <= 0) {
				ebpfpub_tracer_stop(r->tracer);
				deadline = -1;
				left = 0;
			}
			if (timeout < 0 || left < timeout)
				timeout = left > INT_MAX ? INT_MAX : (int)left;
		}
		if (flush_at >= 0) {
			int64_t left = flush_at > now ? flush_at - now : 0;

			if (timeout < 0 || left < timeout)
				timeout = (int)left;
		}
		n = ebpfpub_tracer_poll(r->tracer, timeout);
		/*
		 * The events reach the reader of a pipe within OUTPUT_FLUSH_MS: the batch is
		 * written once its first events waited that long, when a poll found nothing
		 * more (idle, or the wait above ran out), and before stopping or failing.
		 */
		if (!r->events.len) {
			flush_at = -1;
		} else {
			if (flush_at < 0)
				flush_at = now_ms() + OUTPUT_FLUSH_MS;
			if (n <= 0 || reload_requested || now_ms() >= flush_at) {
				flush_events(r);
				flush_at = -1;
			}
		}
		if (r->rules.active)
			rules_run_reap(&r->rules);
		if (reload_requested && n != -ECANCELED) {
			reload_requested = 0;
			notify_systemd("RELOADING=1");
			rules_run_reload(&r->rules, r->opts->rules_path, r->opts->tracefs_path,
					 r->tracer, r->opts->syscalls, r->opts->syscall_count);
			notify_systemd("READY=1");
		}
		if (r->write_errno) {
			fprintf(stderr, "ebpftracer: cannot write the events: %s\n",
				strerror(r->write_errno));
			return 1;
		}
		if (n == -ECANCELED)
			return 0;
		if (n < 0)
			return fail("polling the events failed", n,
				    ebpfpub_tracer_last_error(r->tracer));
	}
}

static int trace(struct run *r)
{
	int status = 0;

	/* A signal during loading stops before the first poll, still with a summary. */
	if (!signal_received) {
		if (r->opts->verbose)
			report_programs(r->report, r->tracer);
		report_startup(r->report, r->tracer);
		report_ready(r->report, r->tracer);
		fflush(r->report);
		notify_systemd("READY=1");
		status = poll_events(r);
	}
	report_summary(r->report, r->tracer);
	if (r->rules.active) {
		rules_run_finish(&r->rules);
		rules_run_summary(&r->rules, r->tracer, r->report);
	}
	return status;
}

/* Flushes and closes the event stream; a failure is reported unless one was already. */
static int close_output(struct run *r, bool quiet)
{
	int rc = r->out == stdout ? fflush(stdout) : fclose(r->out);

	if (rc == 0)
		return 0;
	if (!quiet)
		fprintf(stderr, "ebpftracer: cannot write %s: %s\n",
			r->opts->output_path ? r->opts->output_path : "the output", strerror(errno));
	return 1;
}

static int run_trace(const struct options *o)
{
	struct run r;
	int status, rc;

	memset(&r, 0, sizeof(r));
	r.opts = o;
	r.log.verbose = o->verbose;
	r.print = o->json ? print_json_event : print_text_event;
	r.out = stdout;
	/* One rule for text and JSON: no output to write to is an error before anything. */
	if (!o->output_path && output_writable(STDOUT_FILENO) < 0) {
		fputs("ebpftracer: cannot write the events: standard output is closed or read-only"
		      " (redirect it, or give --output FILE)\n", stderr);
		return 1;
	}
	if (outbuf_init(&r.events, OUTPUT_FLUSH_BYTES + 65536) < 0)
		return fail("cannot allocate the output buffer", -ENOMEM, NULL);
	if (o->output_path) {
		r.out = fopen(o->output_path, "we");
		if (!r.out) {
			fprintf(stderr, "ebpftracer: cannot open %s: %s\n", o->output_path,
				strerror(errno));
			outbuf_release(&r.events);
			return 1;
		}
	}
	r.out_fd = fileno(r.out);
	/* JSON lines stay pure: everything else goes to stderr then. */
	r.report = o->json ? stderr : r.out;
	rc = signal_setup_error;
	if (rc < 0)
		status = fail("cannot install the signal handlers", rc, NULL);
	else
		status = create_objects(&r);
	if (!status && o->rules_path) {
		status = rules_run_load(&r.rules, o->rules_path, o->tracefs_path, r.tracer);
		if (!status && (rc = install_reload()) < 0)
			status = fail("cannot install the SIGHUP handler", rc, NULL);
	}
	if (!status)
		status = add_syscalls(&r);
	if (!status && o->explain) {
		/* The plan exists once the programs were generated. */
		fputs(ebpfpub_tracer_explain(r.tracer), stdout);
	} else if (!status) {
		status = trace(&r);
	}
	/* The handler must not see a freed tracer. */
	atomic_store(&signal_tracer, NULL);
	ebpfpub_tracer_free(r.tracer);
	if (r.rules.active)
		rules_run_release(&r.rules);
	ebpfpub_perf_output_free(r.output);
	ebpfpub_buffer_storage_free(r.storage);
	outbuf_release(&r.events);
	if (close_output(&r, status != 0))
		status = 1;
	return status;
}

int main(int argc, char **argv)
{
	struct options o;
	int status;

	reserve_stdout();
	status = options_parse(argc, argv, &o);
	if (!status && o.action != OPTIONS_TRACE)
		default_signals();
	if (!status) {
		switch (o.action) {
		case OPTIONS_TRACE:
			status = run_trace(&o);
			break;
		case OPTIONS_LIST:
			status = check_list(&o);
			break;
		case OPTIONS_CHECK:
			status = check_features(&o);
			break;
		case OPTIONS_EXIT:
			break;
		}
	}
	options_release(&o);
	return status;
}
