/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A custom serializer, with nothing but the public header:
 *
 *   - write(): the first 32 bytes of the buffer, bounded by the `count` argument;
 *   - execve(): up to 64 arguments of at most 128 bytes each (the built-in one keeps 32 of
 *     up to the storage's buffer size), with a decode hook that drops the execs of /bin/true.
 *
 * Build (in the tree, meson builds it as build/examples/custom_serializer):
 *   cc -o custom_serializer custom_serializer.c $(pkg-config --cflags --libs libebpfpub)
 * Run as root:
 *   sudo ./custom_serializer [SECONDS]
 */
#include <ebpfpub/ebpfpub.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* write(unsigned int fd, const char *buf, size_t count): argument names as in
 * /sys/kernel/tracing/events/syscalls/sys_enter_write/format. The buffer is an input, still in
 * place at exit; AT_ENTER would do as well. */
static const struct ebpfpub_capture write_captures[] = {
	{ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER, .when = EBPFPUB_AT_EXIT,
	  .size_arg = "count", .size = 32 },
};
static const struct ebpfpub_serializer write_serializer = {
	.sz = sizeof(struct ebpfpub_serializer),
	.name = "write_head",
	.captures = write_captures,
	.capture_count = sizeof(write_captures) / sizeof(write_captures[0]),
};

/* execve: the caller's memory is gone after a successful exec, so both are read at enter;
 * the library re-reads "argv" from the new program after success by itself. */
static const struct ebpfpub_capture execve_captures[] = {
	{ .arg = "filename", .kind = EBPFPUB_CAPTURE_STRING, .when = EBPFPUB_AT_ENTER },
	{ .arg = "argv", .kind = EBPFPUB_CAPTURE_ARGV, .when = EBPFPUB_AT_ENTER,
	  .max_items = 64, .size = 128 },
};

static unsigned long dropped;

/* Sees every decoded execve event before the callback; < 0 drops it. */
static int skip_true(void *ctx, const struct ebpfpub_event *event)
{
	const struct ebpfpub_field *f = ebpfpub_event_field(event, "filename");

	(void)ctx;
	if (f && f->type == EBPFPUB_VALUE_STRING && strcmp(f->value.bytes.data, "/bin/true") == 0) {
		dropped++;
		return -1;
	}
	return 0;
}

static const struct ebpfpub_serializer execve_serializer = {
	.sz = sizeof(struct ebpfpub_serializer),
	.name = "execve64",
	.captures = execve_captures,
	.capture_count = sizeof(execve_captures) / sizeof(execve_captures[0]),
	.decode_hook = skip_true,
};

static void print_bytes(const struct ebpfpub_bytes *b)
{
	uint32_t i;

	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
}

static int on_event(void *ctx, const struct ebpfpub_event *event)
{
	size_t i;

	(void)ctx;
	printf("%s [%s] pid=%u comm=%s exit=%lld", event->syscall, event->serializer, event->pid,
	       event->comm, (long long)event->exit_code);
	for (i = 0; i < event->field_count; i++) {
		const struct ebpfpub_field *f = &event->fields[i];
		uint32_t k;

		printf(" %s=", f->name);
		switch (f->type) {
		case EBPFPUB_VALUE_BYTES:
		case EBPFPUB_VALUE_STRING:
			putchar('\'');
			print_bytes(&f->value.bytes);
			putchar('\'');
			break;
		case EBPFPUB_VALUE_ARGV:
			printf("%s[", f->value.argv.source == EBPFPUB_ARGV_FROM_NEW_MM ? "" : "caller:");
			for (k = 0; k < f->value.argv.count; k++) {
				printf(k ? ",'" : "'");
				print_bytes(&f->value.argv.args[k]);
				putchar('\'');
			}
			printf("%s]", f->value.argv.more ? ",..." : "");
			break;
		case EBPFPUB_VALUE_SIGNED:
			printf("%lld", (long long)f->value.s);
			break;
		default:
			printf("0x%llx", (unsigned long long)f->value.u);
			break;
		}
		if (f->flags & EBPFPUB_FIELD_TRUNCATED)
			printf("(cut)");
		if (f->flags & (EBPFPUB_FIELD_UNREADABLE | EBPFPUB_FIELD_NULL))
			printf("(unreadable)");
	}
	putchar('\n');
	return 0;
}

static struct ebpfpub_tracer *tracer;

static void on_signal(int sig)
{
	(void)sig;
	ebpfpub_tracer_stop(tracer);
}

int main(int argc, char **argv)
{
	static const char *const syscalls[] = { "write", "execve" };
	int seconds = argc > 1 ? atoi(argv[1]) : 10;
	time_t end = time(NULL) + seconds;
	size_t i;
	int r;

	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, opts, .callback = on_event);

		r = ebpfpub_tracer_new(&opts, &tracer);
	}
	if (r < 0) {
		fprintf(stderr, "ebpfpub_tracer_new: %s\n", strerror(-r));
		return 1;
	}
	/* Register before adding: the serializer is built into the programs. */
	if (ebpfpub_tracer_set_serializer(tracer, "write", &write_serializer) < 0 ||
	    ebpfpub_tracer_set_serializer(tracer, "execve", &execve_serializer) < 0) {
		fprintf(stderr, "%s\n", ebpfpub_tracer_last_error(tracer));
		ebpfpub_tracer_free(tracer);
		return 1;
	}
	for (i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++) {
		if (ebpfpub_tracer_add_syscall(tracer, syscalls[i]) < 0) {
			fprintf(stderr, "%s\n", ebpfpub_tracer_last_error(tracer));
			ebpfpub_tracer_free(tracer);
			return 1;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* Our own writes to stdout are excluded: a tracer never traces its own process unless
	 * trace_self is set. */
	while (time(NULL) < end) {
		r = ebpfpub_tracer_poll(tracer, 200);
		if (r < 0)
			break;
		fflush(stdout);
	}
	fprintf(stderr, "%lu execs of /bin/true dropped by the hook\n", dropped);
	ebpfpub_tracer_free(tracer);
	return 0;
}
