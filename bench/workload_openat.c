/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark workload: N times openat(AT_FDCWD, PATH, O_RDONLY) + close. A file-system syscall
 * with a string argument that many tools trace (file access auditing), and one that other
 * processes on the machine make too.
 *
 *   workload_openat N [--missing]
 *
 * Default: PATH is a file this process creates (in /tmp, removed at the end), so every
 * openat succeeds and the descriptor is closed again (close is not traced). --missing: PATH
 * is a name in /tmp that does not exist: openat fails with ENOENT after the path walk and
 * there is nothing to close.
 *
 * Only the loop calls openat on PATH (/tmp/ebpfpub-bench-openat-PID; the file is made with
 * mknod, not openat), and the loop runs under the comm "openat_loop" (prctl): a tracer's
 * events of the loop are those of that comm, or of this pid with that path — not the
 * dynamic loader's openat calls before main.
 *
 * Prints one line of key=value pairs; ns_per_iter is wall time (CLOCK_MONOTONIC) / N
 * (openat + close), cpu_ns_per_call the process's CPU time (getrusage, user + system) / N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workload_clock.h"

int main(int argc, char **argv)
{
	char path[64];
	int missing, fd;
	uint64_t n, i, t0, t1, c0, c1, unexpected = 0;
	char *end;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--missing") != 0)) {
		fprintf(stderr, "usage: %s N [--missing]\n", argv[0]);
		return 2;
	}
	missing = argc == 3;
	errno = 0;
	n = strtoull(argv[1], &end, 10);
	if (errno || *end || n == 0) {
		fprintf(stderr, "workload_openat: bad N '%s'\n", argv[1]);
		return 2;
	}
	snprintf(path, sizeof(path), "/tmp/ebpfpub-bench-openat-%d", (int)getpid());
	unlink(path);
	if (!missing) {
		if (mknod(path, S_IFREG | 0600, 0) < 0) {
			perror("workload_openat: mknod");
			return 1;
		}
	}
	prctl(PR_SET_NAME, "openat_loop", 0, 0, 0);

	c0 = cpu_ns();
	t0 = now_ns();
	if (missing) {
		for (i = 0; i < n; i++)
			if (openat(AT_FDCWD, path, O_RDONLY) >= 0 || errno != ENOENT)
				unexpected++;
	} else {
		for (i = 0; i < n; i++) {
			fd = openat(AT_FDCWD, path, O_RDONLY);
			if (fd < 0)
				unexpected++;
			else
				close(fd);
		}
	}
	t1 = now_ns();
	c1 = cpu_ns();

	if (!missing)
		unlink(path);
	printf("workload=openat pid=%d mode=%s calls=%llu elapsed_ns=%llu ns_per_iter=%.1f"
	       " cpu_ns_per_call=%.1f unexpected=%llu\n",
	       (int)getpid(), missing ? "missing" : "existing", (unsigned long long)n,
	       (unsigned long long)(t1 - t0), (double)(t1 - t0) / (double)n,
	       (double)(c1 - c0) / (double)n, (unsigned long long)unexpected);
	return unexpected ? 1 : 0;
}
