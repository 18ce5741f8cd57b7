/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark workload: N times fork + execve("/bin/true", {"/bin/true", "a", "b", "c"}) +
 * waitpid.
 *
 *   workload_exec N
 *
 * The child reads its argv strings before execve (see below), so that every tracer can read
 * them at syscall enter.
 *
 * Prints one line of key=value pairs; ns_per_iter is wall time (CLOCK_MONOTONIC) / N,
 * cpu_ns_per_call the CPU time (getrusage, user + system, of this process and of the
 * children it waited for) / N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload_clock.h"

int main(int argc, char **argv)
{
	static char *const child_argv[] = { "/bin/true", "a", "b", "c", NULL };
	static char *const child_env[] = { "PATH=/usr/bin:/bin", NULL };
	uint64_t n, i, t0, t1, c0, c1, failed = 0;
	char *end;

	if (argc != 2) {
		fprintf(stderr, "usage: %s N\n", argv[0]);
		return 2;
	}
	errno = 0;
	n = strtoull(argv[1], &end, 10);
	if (errno || *end || n == 0) {
		fprintf(stderr, "workload_exec: bad N '%s'\n", argv[1]);
		return 2;
	}

	c0 = cpu_ns();
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			perror("workload_exec: fork");
			return 1;
		}
		if (pid == 0) {
			/* Fault in the pages of the strings in this freshly forked child, so that
			 * tracers that read argv at syscall enter (bpftrace, execsnoop) find them
			 * present; otherwise they would read empty strings. */
			volatile unsigned sum = 0;
			char *const *a;
			const char *p;

			for (a = child_argv; *a; a++)
				for (p = *a; *p; p++)
					sum += (unsigned char)*p;
			(void)sum;
			execve(child_argv[0], child_argv, child_env);
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				perror("workload_exec: waitpid");
				return 1;
			}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	t1 = now_ns();
	c1 = cpu_ns();

	printf("workload=exec pid=%d calls=%llu elapsed_ns=%llu ns_per_iter=%.1f"
	       " cpu_ns_per_call=%.1f failed=%llu\n",
	       (int)getpid(), (unsigned long long)n, (unsigned long long)(t1 - t0),
	       (double)(t1 - t0) / (double)n,
	       (double)(c1 - c0) / (double)n, (unsigned long long)failed);
	return failed ? 1 : 0;
}
