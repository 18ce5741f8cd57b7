/* SPDX-License-Identifier: Apache-2.0 */
/* The tracer's process-context part: its options, the kernel offsets, the --cgroup filter
 * map, the process table and what user space adds to each event. */
#ifndef EBPFPUB_TRACER_CONTEXT_H
#define EBPFPUB_TRACER_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

#include "codegen.h"
#include "context_offsets.h"
#include "layout.h"

struct proctable;

struct tracer_context {
	bool enabled;              /* the option; cleared when the kernel cannot */
	bool offsets_tried;
	struct context_offsets offsets;
	bool have_cgroup_id_helper;
	bool direct;               /* plain loads through the BTF task pointer (see codegen) */
	uint32_t ancestors;
	bool cmdline;
	char *container;           /* copy of the option */
	int host_filter;
	int cgroup_map_fd;         /* cgroup array of 1 for the --cgroup filter, or -1 */
	struct proctable *table;   /* cmdline: the process table */
	bool table_scanned;
};

/* Checks and copies the context options of O (the tracer's own copy, whose cgroup and
 * container pointers it replaces); creates the cgroup filter. -EINVAL etc. with ERR. */
int tracer_context_init(struct tracer_context *c, struct ebpfpub_tracer_opts *o, char *err,
			size_t err_size);
void tracer_context_release(struct tracer_context *c);

/* Adds the context to a syscall's layout (when on, and once the kernel's offsets are
 * known: a kernel without them gets none, with a warning through LOG). The ancestors
 * option, or RULE_ANCESTORS ancestors when it is 0 (the syscall's rules need them). */
void tracer_context_layout(struct tracer_context *c, struct layout *l, uint32_t rule_ancestors,
			   ebpfpub_log_fn log, void *log_ctx);
void tracer_context_env(const struct tracer_context *c, struct codegen_env *env);

/* When a syscall's programs were refused with direct reads: true (and a warning) when it
 * is worth generating them again with helper reads. */
bool tracer_context_fallback(struct tracer_context *c, ebpfpub_log_fn log, void *log_ctx,
			     const char *why);

/* After decoding: the execve feed of the table, the ancestors' command lines, the
 * user-space filters. False when the event is filtered out. */
bool tracer_context_event(struct tracer_context *c, struct ebpfpub_event *ev);

/* The /proc scan of the process table (cmdline), once execve is traced. */
void tracer_context_scan(struct tracer_context *c);

#endif
