/* SPDX-License-Identifier: Apache-2.0 */
/* Command-line options of ebpftracer. */
#ifndef EBPFTRACER_OPTIONS_H
#define EBPFTRACER_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

/* The library filters at most this many processes (ebpfpub_tracer_opts.pids). */
#define OPTIONS_MAX_PIDS 8

/* Exit statuses: a usage error is told apart from a failure while tracing. */
#define EXIT_USAGE 2

enum options_action {
	OPTIONS_TRACE,   /* trace until stopped */
	OPTIONS_LIST,    /* --list */
	OPTIONS_CHECK,   /* --check */
	OPTIONS_EXIT,    /* --help or --version was printed: exit 0 */
};

struct options {
	enum options_action action;
	/* -t: the syscalls in the order given, without repeats; or trace_all. */
	char **syscalls;
	size_t syscall_count;
	bool trace_all;
	/* Library settings; 0 leaves the library's default. */
	uint32_t buffer_size;
	uint32_t buffer_count;
	uint32_t perf_size;
	uint32_t event_map_size;
	enum ebpfpub_output_kind output_kind;
	enum ebpfpub_attach_mode attach_mode;
	/* Filters. */
	uint32_t pids[OPTIONS_MAX_PIDS];
	size_t pid_count;
	bool filter_uid;
	uint32_t uid;
	const char *comm;
	/* Process context. */
	uint32_t ancestors;
	bool cmdline;
	const char *cgroup;
	const char *container;
	int host_filter;          /* EBPFPUB_HOST_ONLY, EBPFPUB_CONTAINERS_ONLY */
	bool no_context;
	/* Output. */
	bool verbose;
	bool json;
	const char *output_path;
	const char *tracefs_path;
	/* --duration in milliseconds; 0: until a signal. */
	uint64_t duration_ms;
	/* --rules FILE|DIR, and --explain (print where each condition runs, then exit). */
	const char *rules_path;
	bool explain;
};

/*
 * Parses ARGV into OPTS. Returns 0, or EXIT_USAGE after printing one message to stderr.
 * --help and --version are printed to stdout here, and set OPTIONS_EXIT.
 */
int options_parse(int argc, char **argv, struct options *opts);
void options_release(struct options *opts);

#endif
