/* SPDX-License-Identifier: Apache-2.0 */
/* --rules at run time: the rules added to the tracer, and the actions ebpftracer runs
 * itself for a matching event (print, exec), with the per-rule counts of the summary. */
#ifndef EBPFTRACER_RULES_RUN_H
#define EBPFTRACER_RULES_RUN_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <ebpfpub/ebpfpub.h>

#include "outbuf.h"
#include "rules_yaml.h"

/* Commands of exec actions running at once; more are dropped and counted. */
#define RULES_EXEC_MAX 8

struct rules_run {
	struct rules_yaml yaml;
	bool active;
	pid_t running[RULES_EXEC_MAX];
	size_t running_count;
	uint64_t exec_started, exec_dropped, exec_failed;
	struct outbuf json;      /* one event as the exec'd command reads it */
};

/* Reads PATH and adds its rules to TRACER (before its syscalls). Returns 0, or 1 after
 * one message on stderr naming the file, line and column. */
int rules_run_load(struct rules_run *rr, const char *path, const char *tracefs,
		   struct ebpfpub_tracer *tracer);
/* The actions of the event's rules: exec'd commands are started; returns whether the event
 * is printed (some matching rule prints, or the syscall has no rule). */
bool rules_run_event(struct rules_run *rr, const struct ebpfpub_event *ev);
/* Collects the exec'd commands that ended. */
void rules_run_reap(struct rules_run *rr);
/* SIGHUP: reads PATH again. A broken file, or rules the tracer refuses, keep the old rules
 * (the reason on stderr, -1); else the tracer switches to the new rules, the new rules'
 * syscalls are added and the old ones no longer named (nor in KEEP, the -t list) removed. */
int rules_run_reload(struct rules_run *rr, const char *path, const char *tracefs,
		     struct ebpfpub_tracer *tracer, char *const *keep, size_t keep_count);
/* Waits a little for the exec'd commands still running (before the summary). */
void rules_run_finish(struct rules_run *rr);
void rules_run_summary(struct rules_run *rr, struct ebpfpub_tracer *tracer, FILE *out);
void rules_run_release(struct rules_run *rr);

#endif
