/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "context_offsets.h"
#include "loader.h"
#include "util.h"

static bool member(const struct btf *btf, int type, const char *name, uint32_t *off)
{
	return type > 0 && loader_btf_member_offset(btf, (uint32_t)type, name, off, 0) == 0;
}

/* A member NAME of TYPE that is an 8-byte integer (kernfs_node.id; a union before 5.5). */
static bool member_u64(const struct btf *btf, int type, const char *name, uint32_t *off)
{
	const struct btf_type *t = type > 0 ? btf__type_by_id(btf, (uint32_t)type) : NULL;
	const struct btf_member *m;
	int i;

	if (!t || !btf_is_struct(t))
		return false;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		int tid = btf__resolve_type(btf, m->type);
		const struct btf_type *mt = tid > 0 ? btf__type_by_id(btf, (uint32_t)tid) : NULL;

		if (!mname || strcmp(mname, name) != 0)
			continue;
		if (!mt || !btf_is_int(mt) || btf__resolve_size(btf, (uint32_t)tid) != 8 ||
		    btf_member_bit_offset(t, (uint32_t)i) % 64 != 0)
			return false;
		*off = btf_member_bit_offset(t, (uint32_t)i) / 8;
		return true;
	}
	return false;
}

int context_offsets_load(struct context_offsets *o, char *err, size_t err_size)
{
	struct btf *btf;
	int task, css, cgrp, kn;

	memset(o, 0, sizeof(*o));
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		util_errf(err, err_size,
			  "kernel BTF (/sys/kernel/btf/vmlinux) is not readable: %s: no process context",
			  strerror(errno));
		return -ENOENT;
	}
	task = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	css = btf__find_by_name_kind(btf, "css_set", BTF_KIND_STRUCT);
	cgrp = btf__find_by_name_kind(btf, "cgroup", BTF_KIND_STRUCT);
	kn = btf__find_by_name_kind(btf, "kernfs_node", BTF_KIND_STRUCT);

	o->have_task = member(btf, task, "real_parent", &o->task_real_parent) &&
		       member(btf, task, "group_leader", &o->task_group_leader) &&
		       member(btf, task, "tgid", &o->task_tgid) &&
		       member(btf, task, "comm", &o->task_comm);
	/* start_boottime (5.3+) counts suspend, as /proc/PID/stat does: the process table's
	 * clock. */
	if (member(btf, task, "start_boottime", &o->task_start))
		o->start_is_boottime = true;
	else if (!member(btf, task, "start_time", &o->task_start))
		o->have_task = false;
	o->have_audit = member(btf, task, "loginuid", &o->task_loginuid) &&
			member(btf, task, "sessionid", &o->task_sessionid);
	o->kn_parent_name = "parent";
	if (!member(btf, kn, "parent", &o->kn_parent)) {
		o->kn_parent_name = "__parent";
		if (!member(btf, kn, "__parent", &o->kn_parent))
			o->kn_parent_name = NULL;
	}
	o->have_cgroup = o->kn_parent_name && member(btf, task, "cgroups", &o->task_cgroups) &&
			 member(btf, css, "dfl_cgrp", &o->css_set_dfl_cgrp) &&
			 member(btf, cgrp, "kn", &o->cgroup_kn) &&
			 member(btf, kn, "name", &o->kn_name);
	o->have_kn_id = member_u64(btf, kn, "id", &o->kn_id);
	btf__free(btf);
	if (!o->have_task) {
		util_errf(err, err_size,
			  "kernel BTF lacks task_struct.real_parent/group_leader/tgid/comm/start_time: no process context");
		return -ENOENT;
	}
	return 0;
}
