/* SPDX-License-Identifier: Apache-2.0 */
/* Where the process context lives in the kernel's structs, from the kernel's BTF: the
 * offsets the generated programs read task fields at. Probed by name, never by version
 * (kernfs_node.parent became __parent in 6.15; loginuid exists only with CONFIG_AUDIT). */
#ifndef EBPFPUB_CONTEXT_OFFSETS_H
#define EBPFPUB_CONTEXT_OFFSETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct context_offsets {
	bool have_task;       /* real_parent, group_leader, tgid, comm, a start time */
	bool start_is_boottime; /* start_boottime (else start_time: monotonic, no suspend) */
	bool have_audit;      /* loginuid and sessionid */
	bool have_cgroup;     /* cgroups -> dfl_cgrp -> kn -> name, parent */
	uint32_t task_real_parent, task_group_leader, task_tgid, task_comm, task_start;
	uint32_t task_loginuid, task_sessionid;
	uint32_t task_cgroups, css_set_dfl_cgrp, cgroup_kn;
	uint32_t kn_name, kn_parent;
	bool have_kn_id;      /* kernfs_node.id, a u64 (5.5+): the cgroup id read directly */
	uint32_t kn_id;
	const char *kn_parent_name; /* "parent" or "__parent" */
};

/* Fills O from /sys/kernel/btf/vmlinux. Returns 0 when at least the task part is there
 * (the rest is flagged in O); -ENOENT with a message in ERR otherwise. */
int context_offsets_load(struct context_offsets *o, char *err, size_t err_size);

#endif
