/* SPDX-License-Identifier: Apache-2.0 */
/* What ebpftracer tells about itself: the start-up report, the programs, the summary. */
#ifndef EBPFTRACER_REPORT_H
#define EBPFTRACER_REPORT_H

#include <stdio.h>

#include <ebpfpub/ebpfpub.h>

/* The memory each object allocated in the kernel, then each syscall and its serializer. */
void report_startup(FILE *out, struct ebpfpub_tracer *tracer);

/* The line after which events follow. */
void report_ready(FILE *out, const struct ebpfpub_tracer *tracer);

/* The generated programs of every traced syscall (--verbose). */
void report_programs(FILE *out, const struct ebpfpub_tracer *tracer);

/* "Terminating..." and the counters of the tracer and its output. */
void report_summary(FILE *out, struct ebpfpub_tracer *tracer);

#endif
