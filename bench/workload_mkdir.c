/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark workload: mkdir("/tmp", 0755) N times. /tmp exists, so every call fails with
 * EEXIST after the path walk: a cheap syscall with a string argument, which makes the
 * tracing overhead per call visible.
 *
 *   workload_mkdir [--at] N [THREADS]
 *
 * --at: call mkdirat(AT_FDCWD, "/tmp", 0755) instead: the same work through another syscall
 * (and other tracepoints), for measuring while something else traces mkdir.
 * --rare K: every K-th call passes mode 0700 instead: the calls that a rule keeps in the
 * rules benchmark (the same work for the kernel).
 *
 * N calls in total, split over THREADS threads (default 1). Prints one line of key=value
 * pairs; ns_per_call is wall time (CLOCK_MONOTONIC) divided by N, cpu_ns_per_call the
 * process's CPU time (getrusage, user + system, all threads) divided by N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "workload_clock.h"

static int use_mkdirat;
static uint64_t rare;   /* --rare K: every K-th call uses mode 0700 */

struct worker {
	pthread_t thread;
	uint64_t calls;
	uint64_t unexpected;  /* calls that did not fail with EEXIST */
};

static void *run(void *arg)
{
	struct worker *w = arg;
	uint64_t i;

	if (use_mkdirat) {
		for (i = 0; i < w->calls; i++)
			if (mkdirat(AT_FDCWD, "/tmp", 0755) == 0 || errno != EEXIST)
				w->unexpected++;
	} else if (rare) {
		for (i = 0; i < w->calls; i++)
			if (mkdir("/tmp", i % rare == rare - 1 ? 0700 : 0755) == 0 || errno != EEXIST)
				w->unexpected++;
	} else {
		for (i = 0; i < w->calls; i++)
			if (mkdir("/tmp", 0755) == 0 || errno != EEXIST)
				w->unexpected++;
	}
	return NULL;
}

static uint64_t parse_count(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0) {
		fprintf(stderr, "workload_mkdir: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct worker *w;
	uint64_t n, t, i, t0, t1, c0, c1, unexpected = 0;

	if (argc > 1 && strcmp(argv[1], "--at") == 0) {
		use_mkdirat = 1;
		argv++;
		argc--;
	}
	if (argc > 2 && strcmp(argv[1], "--rare") == 0) {
		rare = parse_count(argv[2], "K");
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s [--at] [--rare K] N [THREADS]\n", argv[0]);
		return 2;
	}
	n = parse_count(argv[1], "N");
	t = argc == 3 ? parse_count(argv[2], "THREADS") : 1;
	if (t > 1024 || t > n) {
		fprintf(stderr, "workload_mkdir: THREADS must be 1 .. min(N, 1024)\n");
		return 2;
	}
	w = calloc(t, sizeof(*w));
	if (!w)
		return 1;
	for (i = 0; i < t; i++)
		w[i].calls = n / t + (i < n % t);

	c0 = cpu_ns();
	t0 = now_ns();
	if (t == 1) {
		run(&w[0]);
	} else {
		for (i = 0; i < t; i++)
			if (pthread_create(&w[i].thread, NULL, run, &w[i]) != 0) {
				perror("workload_mkdir: pthread_create");
				return 1;
			}
		for (i = 0; i < t; i++)
			pthread_join(w[i].thread, NULL);
	}
	t1 = now_ns();
	c1 = cpu_ns();

	for (i = 0; i < t; i++)
		unexpected += w[i].unexpected;
	printf("workload=%s pid=%d calls=%llu threads=%llu elapsed_ns=%llu ns_per_call=%.1f"
	       " cpu_ns_per_call=%.1f unexpected=%llu\n",
	       use_mkdirat ? "mkdirat" : "mkdir", (int)getpid(), (unsigned long long)n,
	       (unsigned long long)t,
	       (unsigned long long)(t1 - t0), (double)(t1 - t0) / (double)n,
	       (double)(c1 - c0) / (double)n,
	       (unsigned long long)unexpected);
	free(w);
	return unexpected ? 1 : 0;
}
