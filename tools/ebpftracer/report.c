/* SPDX-License-Identifier: Apache-2.0 */
/* The start-up report and the summary: what the tracer costs and what it saw. */
#include <inttypes.h>

#include "report.h"

static const char *output_kind_name(enum ebpfpub_output_kind kind)
{
	switch (kind) {
	case EBPFPUB_OUTPUT_RING_BUFFER:
		return "ring buffer";
	case EBPFPUB_OUTPUT_PERF_ARRAY:
		return "perf event array";
	default:
		return "unknown kind";
	}
}

/* Bytes, and the same in the largest binary unit that keeps it above 1. */
static void print_bytes(FILE *out, const char *what, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024.0 && u + 1 < (int)(sizeof(units) / sizeof(units[0]))) {
		v /= 1024.0;
		u++;
	}
	if (u < 0)
		fprintf(out, "  %s: %" PRIu64 " bytes\n", what, bytes);
	else
		fprintf(out, "  %s: %" PRIu64 " bytes (%.1f %s)\n", what, bytes, v, units[u]);
}

void report_startup(FILE *out, struct ebpfpub_tracer *t)
{
	struct ebpfpub_buffer_storage *storage = ebpfpub_tracer_buffer_storage(t);
	struct ebpfpub_perf_output *output = ebpfpub_tracer_perf_output(t);
	uint64_t storage_bytes = ebpfpub_buffer_storage_memory_usage(storage);
	uint64_t output_bytes = ebpfpub_perf_output_memory_usage(output);
	uint64_t tracer_bytes = ebpfpub_tracer_memory_usage(t);
	size_t i, n = ebpfpub_tracer_syscall_count(t);
	char what[128];

	fputs("Memory usage:\n", out);
	snprintf(what, sizeof(what), "buffer storage (%" PRIu32 " buffers of %" PRIu32 " bytes)",
		 ebpfpub_buffer_storage_buffer_count(storage),
		 ebpfpub_buffer_storage_buffer_size(storage));
	print_bytes(out, what, storage_bytes);
	snprintf(what, sizeof(what), "perf output (%s)",
		 output_kind_name(ebpfpub_perf_output_kind(output)));
	print_bytes(out, what, output_bytes);
	print_bytes(out, "tracer maps and programs", tracer_bytes);
	print_bytes(out, "total", storage_bytes + output_bytes + tracer_bytes);

	fputs("Syscalls and their serializers:\n", out);
	for (i = 0; i < n; i++) {
		const char *name = ebpfpub_tracer_syscall_name(t, i);

		fprintf(out, "  %s: %s\n", name, ebpfpub_tracer_serializer_name(t, name));
	}
}

void report_ready(FILE *out, const struct ebpfpub_tracer *t)
{
	size_t n = ebpfpub_tracer_syscall_count(t);

	fprintf(out, "Ready: tracing %zu syscall%s; press Ctrl-C to stop\n", n, n == 1 ? "" : "s");
}

void report_programs(FILE *out, const struct ebpfpub_tracer *t)
{
	size_t i, n = ebpfpub_tracer_syscall_count(t);

	for (i = 0; i < n; i++) {
		const char *name = ebpfpub_tracer_syscall_name(t, i);
		const char *ir = ebpfpub_tracer_program_text(t, name, 0);
		const char *insns = ebpfpub_tracer_program_text(t, name, 1);

		fprintf(out, "==== %s: LLVM IR ====\n%s\n", name, ir ? ir : "(not available)");
		fprintf(out, "==== %s: BPF instructions ====\n%s\n", name,
			insns ? insns : "(not available)");
	}
}

void report_summary(FILE *out, struct ebpfpub_tracer *t)
{
	EBPFPUB_OPTS(ebpfpub_tracer_stats, st);
	struct ebpfpub_perf_output *output = ebpfpub_tracer_perf_output(t);

	fputs("Terminating...\n", out);
	if (ebpfpub_tracer_stats(t, &st) < 0) {
		fputs("Summary: the counters could not be read\n", out);
		return;
	}
	fputs("Summary:\n", out);
	fprintf(out, "  events: %" PRIu64 "\n", st.events);
	/* One output here; a program sharing one between tracers would list each. */
	fprintf(out, "  lost events (%s output): %" PRIu64 "\n",
		output_kind_name(ebpfpub_perf_output_kind(output)), ebpfpub_perf_output_lost(output));
	fprintf(out, "  enter dropped (no room for the entry): %" PRIu64 "\n", st.enter_dropped);
	fprintf(out, "  evicted from event maps (too many threads in a call): %" PRIu64 "\n",
		st.evicted);
	fprintf(out, "  exit never seen (the call did not return): %" PRIu64 "\n",
		st.exit_not_seen);
	fprintf(out, "  still inside a call: %" PRIu64 "\n", st.in_flight);
	fprintf(out, "  exits without enter (began before tracing): %" PRIu64 "\n",
		st.exit_without_enter);
	fprintf(out, "  filtered in the kernel (pid, uid, comm, cgroup, self): %" PRIu64 "\n",
		st.kernel_filtered);
	fprintf(out, "  filtered in user space (serializers, --container, --host, internal execve): %" PRIu64 "\n",
		st.filtered);
	fprintf(out, "  malformed records: %" PRIu64 "\n", st.malformed);
	fprintf(out, "  events with truncated fields: %" PRIu64 "\n", st.truncated);
	fprintf(out, "  events with read errors: %" PRIu64 "\n", st.read_errors);
}
