/* SPDX-License-Identifier: Apache-2.0 */
/* --list and --check: answers about this machine, without tracing anything. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define TRACEFS_HINT "mount -t tracefs nodev /sys/kernel/tracing"

int check_list(const struct options *o)
{
	char **names = NULL;
	int r, i;

	r = ebpfpub_list_syscalls(o->tracefs_path, &names);
	if (r < 0) {
		if (r == -ENODEV)
			fprintf(stderr, "ebpftracer: tracefs is not mounted%s%s (run: %s)\n",
				o->tracefs_path ? " at " : "",
				o->tracefs_path ? o->tracefs_path : "", TRACEFS_HINT);
		else
			fprintf(stderr, "ebpftracer: cannot list the syscall tracepoints: %s%s\n",
				strerror(-r),
				r == -EACCES || r == -EPERM ? " (tracefs is readable by root only)" : "");
		return 1;
	}
	for (i = 0; i < r; i++)
		printf("%s\n", names[i]);
	ebpfpub_strv_free(names);
	return 0;
}

/* Whether -t asks for a syscall whose programs need bounded loops (the argv loop). */
static bool wants_exec(const struct options *o)
{
	size_t i;

	if (o->trace_all)
		return true;
	for (i = 0; i < o->syscall_count; i++)
		if (!strcmp(o->syscalls[i], "execve") || !strcmp(o->syscalls[i], "execveat"))
			return true;
	return false;
}

/* Appends WHAT to the list of missing things in BUF. */
static void missing(char *buf, size_t size, const char *what)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? ", " : "", what);
}

int check_features(const struct options *o)
{
	EBPFPUB_OPTS(ebpfpub_features, f);
	const char *const *names = (const char *const *)o->syscalls;
	size_t count = o->trace_all ? 0 : o->syscall_count;
	char lacking[512] = "";
	char *text;
	int r, len;

	r = ebpfpub_features_probe(o->tracefs_path, count ? names : NULL, count, &f);
	if (r < 0) {
		fprintf(stderr, "ebpftracer: the feature check failed: %s\n", strerror(-r));
		return 1;
	}
	len = ebpfpub_features_describe(&f, NULL, 0);
	text = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (!text || ebpfpub_features_describe(&f, text, (size_t)len + 1) < 0) {
		fprintf(stderr, "ebpftracer: cannot describe the features: %s\n",
			strerror(len < 0 ? -len : ENOMEM));
		free(text);
		ebpfpub_features_release(&f);
		return 1;
	}
	fputs(text, stdout);
	free(text);

	/* Needed: what loading and attaching cannot do without. BPF events count as missing
	 * only when the kernel config says so: without a config file it is unknown, and the
	 * other findings are direct evidence. */
	if (f.tracefs != EBPFPUB_FEATURE_YES)
		missing(lacking, sizeof(lacking), "tracefs");
	if (f.syscall_tracepoints != EBPFPUB_FEATURE_YES)
		missing(lacking, sizeof(lacking), "syscall tracepoints");
	if (f.cap_bpf != EBPFPUB_FEATURE_YES)
		missing(lacking, sizeof(lacking), "CAP_BPF");
	if (f.cap_perfmon != EBPFPUB_FEATURE_YES)
		missing(lacking, sizeof(lacking), "CAP_PERFMON");
	if (f.bpf_events == EBPFPUB_FEATURE_NO)
		missing(lacking, sizeof(lacking), "BPF events");
	if (o->output_kind == EBPFPUB_OUTPUT_RING_BUFFER && f.ring_buffer != EBPFPUB_FEATURE_YES)
		missing(lacking, sizeof(lacking), "ring buffer (--output_kind ringbuf)");
	/* Every program reads arguments with these helpers. */
	if (f.probe_read_user_kernel == EBPFPUB_FEATURE_NO)
		missing(lacking, sizeof(lacking), "bpf_probe_read_user/kernel");
	if (f.bounded_loops == EBPFPUB_FEATURE_NO && wants_exec(o))
		missing(lacking, sizeof(lacking), "bounded loops (execve, execveat)");
	if (f.missing_syscalls && f.missing_syscalls[0])
		missing(lacking, sizeof(lacking), "some syscalls");
	ebpfpub_features_release(&f);
	if (lacking[0]) {
		printf("result: not ready, missing: %s\n", lacking);
		return 1;
	}
	printf("result: ready, everything needed is there\n");
	return 0;
}
