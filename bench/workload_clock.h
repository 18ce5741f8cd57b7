/* SPDX-License-Identifier: Apache-2.0 */
/* Clocks shared by the workloads: wall time and the CPU time of the process and its
 * waited-for children. */
#ifndef EBPFPUB_BENCH_WORKLOAD_CLOCK_H
#define EBPFPUB_BENCH_WORKLOAD_CLOCK_H

#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time (user + system) of this process and its waited-for children, in ns. */
static inline uint64_t cpu_ns(void)
{
	struct rusage self, children;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	return ((uint64_t)self.ru_utime.tv_sec + (uint64_t)self.ru_stime.tv_sec +
		(uint64_t)children.ru_utime.tv_sec + (uint64_t)children.ru_stime.tv_sec) *
		       1000000000u +
	       ((uint64_t)self.ru_utime.tv_usec + (uint64_t)self.ru_stime.tv_usec +
		(uint64_t)children.ru_utime.tv_usec + (uint64_t)children.ru_stime.tv_usec) * 1000u;
}

#endif
