/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent: a small consumer of the installed libebpfpub.
 *
 * Logs every execve with its argv and every connect with its address, one line per event:
 *
 *   execve pid=123 exit=0 argv=['/bin/true','a']
 *   connect pid=123 exit=-111 addr=127.0.0.1:9
 *
 * It prints "ready" once both syscalls are traced, flushes stdout after every line, and runs
 * until SIGINT/SIGTERM or for --duration N seconds. Needs root (CAP_BPF and CAP_PERFMON) and
 * a mounted tracefs.
 *
 * Build against the installed library with nothing but pkg-config:
 *   cc -o agent agent.c $(pkg-config --cflags --libs libebpfpub)
 */
#define _POSIX_C_SOURCE 200809L

#include <ebpfpub/ebpfpub.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static struct ebpfpub_tracer *g_tracer;

static void on_signal(int sig)
{
	(void)sig;
	/* Async-signal-safe: makes the running and every later poll return -ECANCELED. */
	if (g_tracer)
		ebpfpub_tracer_stop(g_tracer);
}

static void on_log(void *ctx, enum ebpfpub_log_level level, const char *message)
{
	(void)ctx;
	if (level <= EBPFPUB_LOG_WARNING)
		fprintf(stderr, "agent: libebpfpub: %s\n", message);
}

/* Writes DATA[0..LEN) as a single-quoted string; quotes, backslashes and non-printable bytes
 * are escaped so that one event always stays on one line. */
static void put_quoted(FILE *out, const char *data, uint32_t len)
{
	uint32_t i;

	fputc('\'', out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\'' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('\'', out);
}

static const struct ebpfpub_field *find_field(const struct ebpfpub_event *ev,
					      enum ebpfpub_value_type type)
{
	size_t i;

	for (i = 0; i < ev->field_count; i++)
		if (ev->fields[i].type == type)
			return &ev->fields[i];
	return NULL;
}

/* Returns true when the field holds no usable value, after printing why. */
static bool put_missing(FILE *out, const struct ebpfpub_field *f)
{
	if (!f) {
		fputs("?", out);
		return true;
	}
	if (f->flags & EBPFPUB_FIELD_NULL) {
		fputs("NULL", out);
		return true;
	}
	if (f->flags & EBPFPUB_FIELD_UNREADABLE) {
		fputs("<unreadable>", out);
		return true;
	}
	if (f->flags & EBPFPUB_FIELD_NOT_CAPTURED) {
		fputs("<not-captured>", out);
		return true;
	}
	return false;
}

static void put_argv(FILE *out, const struct ebpfpub_field *f)
{
	uint32_t i;

	if (put_missing(out, f))
		return;
	fputc('[', out);
	for (i = 0; i < f->value.argv.count; i++) {
		if (i)
			fputc(',', out);
		put_quoted(out, f->value.argv.args[i].data, f->value.argv.args[i].len);
	}
	fputc(']', out);
	if (f->flags & EBPFPUB_FIELD_TRUNCATED)
		fputs(" truncated=1", out);
}

static void put_sockaddr(FILE *out, const struct ebpfpub_field *f)
{
	const struct ebpfpub_sockaddr *sa;
	char text[INET6_ADDRSTRLEN];

	if (put_missing(out, f))
		return;
	sa = &f->value.sockaddr;
	switch (sa->family) {
	case AF_INET:
		if (inet_ntop(AF_INET, sa->addr, text, sizeof(text)))
			fprintf(out, "%s:%u", text, (unsigned)sa->port);
		else
			fputs("?", out);
		break;
	case AF_INET6:
		if (inet_ntop(AF_INET6, sa->addr, text, sizeof(text)))
			fprintf(out, "[%s]:%u", text, (unsigned)sa->port);
		else
			fputs("?", out);
		break;
	case AF_UNIX:
		if (sa->data.len == 0) {
			fputs("unix:(unnamed)", out);
		} else if (sa->data.data[0] == '\0') {
			fputs("unix:@", out);
			put_quoted(out, sa->data.data + 1, sa->data.len - 1);
		} else {
			fputs("unix:", out);
			put_quoted(out, sa->data.data, sa->data.len);
		}
		break;
	default:
		fprintf(out, "family=%u", (unsigned)sa->family);
		break;
	}
}

static int on_event(void *ctx, const struct ebpfpub_event *ev)
{
	FILE *out = ctx;

	if (strcmp(ev->syscall, "execve") == 0) {
		fprintf(out, "execve pid=%" PRIu32 " exit=%" PRId64 " argv=", ev->pid, ev->exit_code);
		put_argv(out, find_field(ev, EBPFPUB_VALUE_ARGV));
	} else if (strcmp(ev->syscall, "connect") == 0) {
		fprintf(out, "connect pid=%" PRIu32 " exit=%" PRId64 " addr=", ev->pid, ev->exit_code);
		put_sockaddr(out, find_field(ev, EBPFPUB_VALUE_SOCKADDR));
	} else {
		return 0;
	}
	fputc('\n', out);
	fflush(out);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: agent [--duration SECONDS]\n"
		"Logs every execve (with argv) and connect (with address), one line each,\n"
		"until SIGINT/SIGTERM or for SECONDS seconds. Needs root. libebpfpub %s\n",
		ebpfpub_version());
}

int main(int argc, char **argv)
{
	static const char *const syscalls[] = { "execve", "connect" };
	struct ebpfpub_tracer_stats stats = { .sz = sizeof(stats) };
	struct sigaction sa;
	double duration = 0, deadline = 0;
	int i, r, status = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc) {
			char *end;

			duration = strtod(argv[++i], &end);
			if (*end || duration < 0) {
				fprintf(stderr, "agent: bad --duration '%s'\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}

	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, opts, .callback = on_event, .callback_ctx = stdout,
			     .log_fn = on_log);

		r = ebpfpub_tracer_new(&opts, &g_tracer);
	}
	if (r < 0) {
		fprintf(stderr, "agent: cannot create the tracer: %s\n", strerror(-r));
		return 1;
	}
	for (i = 0; i < (int)(sizeof(syscalls) / sizeof(syscalls[0])); i++) {
		r = ebpfpub_tracer_add_syscall(g_tracer, syscalls[i]);
		if (r < 0) {
			fprintf(stderr, "agent: cannot trace %s: %s\n", syscalls[i],
				ebpfpub_tracer_last_error(g_tracer));
			ebpfpub_tracer_free(g_tracer);
			return 1;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	printf("ready\n");
	fflush(stdout);

	if (duration > 0)
		deadline = now_s() + duration;
	for (;;) {
		int timeout_ms = 250;

		if (duration > 0) {
			double left = deadline - now_s();

			if (left <= 0) {
				ebpfpub_tracer_poll(g_tracer, 0); /* what is already queued */
				break;
			}
			if (left * 1000 < timeout_ms)
				timeout_ms = (int)(left * 1000) + 1;
		}
		r = ebpfpub_tracer_poll(g_tracer, timeout_ms);
		if (r == -ECANCELED)
			break;
		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "agent: poll: %s: %s\n", strerror(-r),
				ebpfpub_tracer_last_error(g_tracer));
			status = 1;
			break;
		}
	}

	if (ebpfpub_tracer_stats(g_tracer, &stats) == 0)
		fprintf(stderr, "agent: %" PRIu64 " events, %" PRIu64 " lost\n", stats.events,
			stats.lost);
	ebpfpub_tracer_free(g_tracer);
	return status;
}
