/* SPDX-License-Identifier: Apache-2.0 */
/* The process context of an event in user space: the layout part, decoding the record's
 * context (struct record_context, CGROUP_NAME and ANCESTOR items) into struct
 * ebpfpub_process, the container identity of the captured path, and the ancestors'
 * command lines from the process table. */
#ifndef EBPFPUB_PROCESS_CONTEXT_H
#define EBPFPUB_PROCESS_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

#include "container_id.h"
#include "layout.h"
#include "record.h"

struct proctable;

/* Adds the context to a built layout: the struct record_context after the arguments, and
 * ANCESTORS (at most RECORD_MAX_ANCESTORS) ancestor items at exit. */
void process_context_layout(struct layout *l, uint32_t ancestors);

#define PROCESS_CONTEXT_PATH_SIZE (RECORD_CGROUP_MAX_LEVELS * RECORD_CGROUP_NAME_SIZE + 8)

/* Per-syscall decoding state; the last path's container identity is kept, so that events
 * of one cgroup are identified once. */
struct process_context_state {
	struct ebpfpub_process proc;
	struct ebpfpub_ancestor ancestors[RECORD_MAX_ANCESTORS];
	const char *names[RECORD_CGROUP_MAX_LEVELS];
	uint32_t name_lens[RECORD_CGROUP_MAX_LEVELS];
	uint32_t name_count;
	int path_end;              /* 0: none seen, 1: root, 2: top cut, 3: unreadable,
	                            * 4: the CPU's last path (RECORD_CONTEXT_PATH_SAME
	                            * or a CGROUP_SAME item) */
	uint32_t path_cpu;
	/* The last path each CPU sent: {cgroup id, end (1 or 2), path}, grown on demand. */
	struct process_context_cpu *cpus;
	size_t cpu_cap;
	char path[PROCESS_CONTEXT_PATH_SIZE];
	char cached_path[PROCESS_CONTEXT_PATH_SIZE];
	bool cached;
	/* Which remembered path `path` holds, and which one ci was identified from (0: not
	 * known): a run of "same path" events copies and compares nothing. */
	uint64_t path_serial, ident_serial, serial_next;
	struct container_identity ci;
	char short_id[CONTAINER_ID_SIZE];
};

struct process_context_cpu {
	uint64_t cgroup_id;
	uint64_t serial;           /* of this path: unique within the state */
	int end;
	char *path;
};

/* Frees what ST allocated (not ST). */
void process_context_release(struct process_context_state *st);

/* Starts an event: the struct record_context at DATA (RECORD_CONTEXT_SIZE bytes). */
void process_context_begin(struct process_context_state *st, const void *data);
/* One CGROUP_NAME or ANCESTOR item; -EINVAL with a message for one out of order or of a
 * wrong size. */
int process_context_item(struct process_context_state *st, const char *syscall, uint32_t kind,
			 uint32_t arg, uint32_t flags, const char *data, uint32_t len, char *err,
			 size_t err_size);
/* Ends the event: path, container identity; returns what ebpfpub_event.process points to. */
const struct ebpfpub_process *process_context_finish(struct process_context_state *st);

/* Gives the ancestors found in TABLE their command line and uid. */
void process_context_enrich(struct proctable *table, struct ebpfpub_process *proc);

/* Whether PROC passes the user-space filters: CONTAINER (an id or name prefix, or NULL) and
 * HOST_FILTER (0, EBPFPUB_HOST_ONLY, EBPFPUB_CONTAINERS_ONLY). */
bool process_context_pass(const struct ebpfpub_process *proc, const char *container,
			  int host_filter);

#endif
