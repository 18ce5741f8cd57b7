/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "process_context.h"
#include "process_table.h"
#include "util.h"

_Static_assert(RECORD_CONTEXT_NO_AUDIT == EBPFPUB_PROCESS_NO_AUDIT &&
		       RECORD_CONTEXT_NO_CGROUP == EBPFPUB_PROCESS_NO_CGROUP &&
		       RECORD_CONTEXT_READ_FAILED == EBPFPUB_PROCESS_READ_FAILED &&
		       RECORD_CONTEXT_START_MONOTONIC == EBPFPUB_PROCESS_START_MONOTONIC,
	       "record context flags are the API's");

void process_context_layout(struct layout *l, uint32_t ancestors)
{
	l->context_offset = l->fixed_size;
	l->fixed_size += RECORD_CONTEXT_SIZE;
	/* Enter captures start after it; their room (enter_capacity) is an offset, unchanged. */
	if (!l->has_enter_captures)
		l->entry_size = l->fixed_size;
	l->ancestors = ancestors > RECORD_MAX_ANCESTORS ? RECORD_MAX_ANCESTORS : ancestors;
}

void process_context_begin(struct process_context_state *st, const void *data)
{
	struct record_context rc;

	memcpy(&rc, data, sizeof(rc));
	memset(&st->proc, 0, sizeof(st->proc));
	st->proc.sz = sizeof(st->proc);
	st->proc.flags = rc.flags & RECORD_CONTEXT_FLAGS;   /* the same bits as the API's */
	st->proc.ppid = rc.ppid;
	st->proc.start_time_ns = rc.start_ns;
	st->proc.auid = rc.auid;
	st->proc.session_id = rc.session_id;
	st->proc.cgroup_id = rc.cgroup_id;
	st->proc.ancestors = st->ancestors;
	st->name_count = 0;
	st->path_end = 0;
	if (rc.flags & RECORD_CONTEXT_PATH_SAME) {
		st->path_end = 4;   /* as a CGROUP_SAME item: no path item may follow */
		st->path_cpu = rc.flags >> RECORD_CONTEXT_CPU_SHIFT;
	}
}

int process_context_item(struct process_context_state *st, const char *syscall, uint32_t kind,
			 uint32_t arg, uint32_t flags, const char *data, uint32_t len, char *err,
			 size_t err_size)
{
	if (kind == RECORD_ITEM_ANCESTOR) {
		struct ebpfpub_ancestor *a;
		struct record_ancestor ra;

		if (arg != st->proc.ancestor_count || arg >= RECORD_MAX_ANCESTORS ||
		    len != RECORD_ANCESTOR_SIZE) {
			util_errf(err, err_size,
				  "syscall '%s': ancestor item %u of %u bytes after %zu ancestors",
				  syscall, arg, len, st->proc.ancestor_count);
			return -EINVAL;
		}
		memcpy(&ra, data, sizeof(ra));
		a = &st->ancestors[st->proc.ancestor_count++];
		memset(a, 0, sizeof(*a));
		a->pid = ra.pid;
		a->uid = EBPFPUB_UID_UNKNOWN;
		a->start_time_ns = ra.start_ns;
		memcpy(a->comm, ra.comm, sizeof(a->comm));
		a->comm[sizeof(a->comm) - 1] = '\0';
		return 0;
	}
	if (kind == RECORD_ITEM_CGROUP_SAME) {
		if (st->path_end || st->name_count || len != sizeof(struct record_cgroup_end)) {
			util_errf(err, err_size,
				  "syscall '%s': a cgroup item of %u bytes that says \"same path\" after %u names",
				  syscall, len, st->name_count);
			return -EINVAL;
		}
		memcpy(&st->path_cpu, data, 4);
		st->path_end = 4;
		return 0;
	}
	/* CGROUP_NAME: levels leaf first, then one end item */
	if (st->path_end || arg != st->name_count || arg > RECORD_CGROUP_MAX_LEVELS ||
	    len > RECORD_CGROUP_NAME_SIZE) {
		util_errf(err, err_size,
			  "syscall '%s': cgroup name item %u of %u bytes out of order (%u names%s)",
			  syscall, arg, len, st->name_count, st->path_end ? ", path ended" : "");
		return -EINVAL;
	}
	if (flags & (EBPFPUB_FIELD_NULL | EBPFPUB_FIELD_TRUNCATED)) {
		if (len != sizeof(struct record_cgroup_end)) {
			util_errf(err, err_size, "syscall '%s': cgroup path end item of %u bytes",
				  syscall, len);
			return -EINVAL;
		}
		memcpy(&st->path_cpu, data, 4);
		st->path_end = flags & EBPFPUB_FIELD_NULL ? 1 : 2;
		return 0;
	}
	if (len == 0) {
		st->path_end = 3;   /* unreadable */
		return 0;
	}
	if (arg == RECORD_CGROUP_MAX_LEVELS || data[len - 1] != '\0') {
		util_errf(err, err_size, "syscall '%s': cgroup name item %u is not a string",
			  syscall, arg);
		return -EINVAL;
	}
	st->names[st->name_count] = data;
	st->name_lens[st->name_count] = (uint32_t)strlen(data);
	st->name_count++;
	return 0;
}

/* Joins the names, top first, into st->path; false when one has a '/' (never from the
 * kernel: kernfs names cannot). */
static bool join_path(struct process_context_state *st)
{
	size_t at = 0;
	uint32_t i;

	st->path_serial = 0;
	if (st->path_end == 2) {
		memcpy(st->path, "...", 3);
		at = 3;
	}
	for (i = st->name_count; i-- > 0;) {
		if (memchr(st->names[i], '/', st->name_lens[i]))
			return false;
		st->path[at++] = '/';
		memcpy(st->path + at, st->names[i], st->name_lens[i]);
		at += st->name_lens[i];
	}
	if (at == 0)
		st->path[at++] = '/';
	st->path[at] = '\0';
	return true;
}

/* strcmp() == 0 without a call for the first bytes: the path is compared on every event,
 * and it is short ("/", a slice, a container scope) far more often than not. */
static inline bool same_path(const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < 16; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			return true;
	}
	return strcmp(a + i, b + i) == 0;
}

static void identify(struct process_context_state *st)
{
	const char *path = st->path_end == 2 ? st->path + 3 : st->path;
	unsigned int flags = st->path_end == 2 ? CONTAINER_PATH_TOP_CUT : 0;

	if (st->path_serial && st->path_serial == st->ident_serial)
		return;   /* the path identified last, unchanged */
	st->ident_serial = st->path_serial;
	if (st->cached && same_path(st->cached_path, st->path))
		return;
	if (container_identify(path, flags, &st->ci) < 0) {
		memset(&st->ci, 0, sizeof(st->ci));
		st->ci.runtime = CONTAINER_UNKNOWN;
	}
	if (container_short_id(&st->ci, st->short_id, sizeof(st->short_id)) < 0)
		st->short_id[0] = '\0';
	strcpy(st->cached_path, st->path);
	st->cached = true;
}

void process_context_release(struct process_context_state *st)
{
	size_t i;

	for (i = 0; i < st->cpu_cap; i++)
		free(st->cpus[i].path);
	free(st->cpus);
	st->cpus = NULL;
	st->cpu_cap = 0;
}

/* The CPU's last path, for the records that say "same" (one CPU's records arrive in order;
 * a lost one made the kernel send the next path whole). */
static struct process_context_cpu *cpu_slot(struct process_context_state *st, uint32_t cpu)
{
	if (cpu >= 65536)
		return NULL;
	if (cpu >= st->cpu_cap) {
		size_t cap = (size_t)cpu + 1 > st->cpu_cap * 2 ? (size_t)cpu + 1 : st->cpu_cap * 2;
		struct process_context_cpu *grown = realloc(st->cpus, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		memset(grown + st->cpu_cap, 0, (cap - st->cpu_cap) * sizeof(*grown));
		st->cpus = grown;
		st->cpu_cap = cap;
	}
	return &st->cpus[cpu];
}

static void remember_path(struct process_context_state *st)
{
	struct process_context_cpu *c = cpu_slot(st, st->path_cpu);

	if (!c)
		return;
	if (!c->path && !(c->path = malloc(PROCESS_CONTEXT_PATH_SIZE)))
		return;
	strcpy(c->path, st->path);
	c->cgroup_id = st->proc.cgroup_id;
	c->end = st->path_end;
	c->serial = st->path_serial = ++st->serial_next;
}

/* A "same path" record: the CPU's last path, when it is of the same cgroup. */
static bool recall_path(struct process_context_state *st)
{
	struct process_context_cpu *c =
		st->path_cpu < st->cpu_cap ? &st->cpus[st->path_cpu] : NULL;

	if (!c || !c->path || c->cgroup_id != st->proc.cgroup_id)
		return false;
	if (c->serial != st->path_serial) {
		strcpy(st->path, c->path);
		st->path_serial = c->serial;
	}
	st->path_end = c->end;
	return true;
}

const struct ebpfpub_process *process_context_finish(struct process_context_state *st)
{
	struct ebpfpub_process *p = &st->proc;
	bool joined = false;

	if (p->flags & EBPFPUB_PROCESS_NO_CGROUP) {
		p->container_runtime = container_runtime_name(CONTAINER_UNKNOWN);
		p->container_id = p->container_short_id = "";
		return p;
	}
	if (st->path_end == 4)
		joined = recall_path(st);
	else if (st->path_end == 1 || st->path_end == 2) {
		joined = join_path(st);
		if (joined)
			remember_path(st);
	}
	if (joined) {
		if (st->path_end == 2)
			p->flags |= EBPFPUB_PROCESS_PATH_TOP_CUT;
		identify(st);
		p->cgroup_path = st->path;
		p->container_runtime = container_runtime_name(st->ci.runtime);
		p->container_id = st->ci.id;
		p->container_short_id = st->short_id;
		p->pod_uid = st->ci.pod_uid[0] ? st->ci.pod_uid : NULL;
		return p;
	}
	p->flags |= EBPFPUB_PROCESS_PATH_UNKNOWN;
	p->container_runtime = container_runtime_name(CONTAINER_UNKNOWN);
	p->container_id = p->container_short_id = "";
	return p;
}

void process_context_enrich(struct proctable *table, struct ebpfpub_process *proc)
{
	size_t i;

	if (!table)
		return;
	for (i = 0; i < proc->ancestor_count; i++) {
		struct ebpfpub_ancestor *a = (struct ebpfpub_ancestor *)&proc->ancestors[i];
		const struct proctable_entry *e = proctable_lookup(table, a->pid, a->start_time_ns);

		if (!e)
			continue;
		a->uid = e->uid == PROCTABLE_UID_UNKNOWN ? EBPFPUB_UID_UNKNOWN : e->uid;
		if (e->argv) {
			a->argc = e->argc;
			a->argv = e->argv;
			a->argv_truncated = e->argv_truncated;
		}
	}
}

bool process_context_pass(const struct ebpfpub_process *proc, const char *container,
			  int host_filter)
{
	bool host;

	if (!container && !host_filter)
		return true;
	if (!proc)
		return false;   /* no context: cannot be shown to pass */
	host = strcmp(proc->container_runtime, "host") == 0;
	if (host_filter == EBPFPUB_HOST_ONLY && !host)
		return false;
	if (host_filter == EBPFPUB_CONTAINERS_ONLY && host)
		return false;
	if (container && (host || strncmp(proc->container_id, container, strlen(container)) != 0))
		return false;
	return true;
}

const struct ebpfpub_process *ebpfpub_event_process(const struct ebpfpub_event *event)
{
	return event ? event->process : NULL;
}
