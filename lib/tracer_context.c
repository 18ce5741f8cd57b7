/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/magic.h>

#include <bpf/bpf.h>

#include "feature_probes.h"
#include "process_context.h"
#include "process_table.h"
#include "tracer_context.h"
#include "util.h"

/* Opens the cgroup2 directory PATH (absolute, or relative to the cgroup2 mount). */
static int open_cgroup(const char *path, char *err, size_t err_size)
{
	char mount[256], full[PATH_MAX];
	struct statfs sf;
	int fd;

	if (path[0] == '/' && access(path, F_OK) == 0) {
		snprintf(full, sizeof(full), "%s", path);
	} else {
		if (features_find_cgroup2("/proc/self/mountinfo", mount, sizeof(mount)) !=
			    EBPFPUB_FEATURE_YES || !mount[0]) {
			util_errf(err, err_size,
				  "cgroup filter '%s': no cgroup2 mount in /proc/self/mountinfo (mount one, e.g. mount -t cgroup2 none /sys/fs/cgroup/unified)",
				  path);
			return -ENOENT;
		}
		snprintf(full, sizeof(full), "%s/%s", mount, path[0] == '/' ? path + 1 : path);
	}
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;

		util_errf(err, err_size, "cgroup filter: cannot open %s: %s", full, strerror(-r));
		return r;
	}
	if (fstatfs(fd, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		util_errf(err, err_size,
			  "cgroup filter: %s is not a cgroup2 directory (give a path below the cgroup2 mount)",
			  full);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

static int create_cgroup_filter(struct tracer_context *c, const char *path, char *err,
				size_t err_size)
{
	uint32_t key = 0, value;
	int fd = open_cgroup(path, err, err_size), r;

	if (fd < 0)
		return fd;
	c->cgroup_map_fd = bpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, "ebpfpub_cgroup", 4, 4, 1,
					  NULL);
	if (c->cgroup_map_fd < 0) {
		r = -errno;
		util_errf(err, err_size, "cgroup filter: creating its cgroup array failed: %s",
			  strerror(-r));
		close(fd);
		return r;
	}
	value = (uint32_t)fd;
	r = bpf_map_update_elem(c->cgroup_map_fd, &key, &value, BPF_ANY) < 0 ? -errno : 0;
	close(fd);   /* the map holds the cgroup */
	if (r < 0)
		util_errf(err, err_size, "cgroup filter: storing %s failed: %s", path, strerror(-r));
	return r;
}

int tracer_context_init(struct tracer_context *c, struct ebpfpub_tracer_opts *o, char *err,
			size_t err_size)
{
	memset(c, 0, sizeof(*c));
	c->cgroup_map_fd = -1;
	c->enabled = !o->no_process_context;
	c->ancestors = o->ancestors;
	c->cmdline = o->cmdline;
	c->host_filter = o->host_filter;
	if (o->ancestors > RECORD_MAX_ANCESTORS) {
		util_errf(err, err_size, "tracer options: ancestors %u is out of range (0 .. %u)",
			  o->ancestors, RECORD_MAX_ANCESTORS);
		return -EINVAL;
	}
	if (o->host_filter < 0 || o->host_filter > EBPFPUB_CONTAINERS_ONLY) {
		util_errf(err, err_size,
			  "tracer options: host_filter %d is not 0, EBPFPUB_HOST_ONLY or EBPFPUB_CONTAINERS_ONLY",
			  o->host_filter);
		return -EINVAL;
	}
	if (!c->enabled && (o->ancestors || o->cmdline || o->container || o->host_filter)) {
		util_errf(err, err_size,
			  "tracer options: ancestors, cmdline, container and host_filter need the process context (no_process_context is set)");
		return -EINVAL;
	}
	if (o->container && !o->container[0]) {
		util_errf(err, err_size, "tracer options: container is an empty string");
		return -EINVAL;
	}
	if (o->container && !(c->container = strdup(o->container)))
		return -ENOMEM;
	o->container = c->container;
	if (o->cgroup) {
		int r = create_cgroup_filter(c, o->cgroup, err, err_size);

		if (r < 0)
			return r;
	}
	o->cgroup = NULL;   /* the map holds it */
	if (c->cmdline && !(c->table = proctable_new(NULL)))
		return -errno;
	return 0;
}

void tracer_context_release(struct tracer_context *c)
{
	if (c->cgroup_map_fd >= 0)
		close(c->cgroup_map_fd);
	c->cgroup_map_fd = -1;
	proctable_free(c->table);
	c->table = NULL;
	free(c->container);
	c->container = NULL;
}

void tracer_context_layout(struct tracer_context *c, struct layout *l, uint32_t rule_ancestors,
			   ebpfpub_log_fn log, void *log_ctx)
{
	char err[256];

	if (!c->enabled)
		return;
	if (!c->offsets_tried) {
		c->offsets_tried = true;
		if (context_offsets_load(&c->offsets, err, sizeof(err)) < 0) {
			util_log(log, log_ctx, EBPFPUB_LOG_WARNING, "%s", err);
			c->enabled = false;
			return;
		}
		c->have_cgroup_id_helper =
			features_probe_helper(BPF_FUNC_get_current_cgroup_id) == EBPFPUB_FEATURE_YES;
		c->direct = !getenv("EBPFPUB_CONTEXT_HELPER_READS") &&
			    features_probe_helper(BPF_FUNC_get_current_task_btf) ==
				    EBPFPUB_FEATURE_YES;
		if (!c->offsets.have_audit)
			util_log(log, log_ctx, EBPFPUB_LOG_INFO,
				 "process context: the kernel has no audit (task_struct.loginuid): auid and session id are not captured");
		if (!c->offsets.have_cgroup || !c->have_cgroup_id_helper)
			util_log(log, log_ctx, EBPFPUB_LOG_WARNING,
				 "process context: no cgroup %s: containers are not recognised",
				 c->have_cgroup_id_helper ? "path (kernel BTF lacks it)"
							  : "id (bpf_get_current_cgroup_id)");
	}
	process_context_layout(l, c->ancestors ? c->ancestors : rule_ancestors);
}

void tracer_context_env(const struct tracer_context *c, struct codegen_env *env)
{
	env->context = c->enabled ? &c->offsets : NULL;
	env->have_cgroup_id_helper = c->have_cgroup_id_helper;
	env->context_direct = c->direct;
	env->filter_cgroup = c->cgroup_map_fd >= 0;
	env->cgroup_filter_fd = c->cgroup_map_fd;
}

bool tracer_context_fallback(struct tracer_context *c, ebpfpub_log_fn log, void *log_ctx,
			     const char *why)
{
	if (!c->enabled || !c->direct)
		return false;
	c->direct = false;
	util_log(log, log_ctx, EBPFPUB_LOG_WARNING,
		 "process context: the verifier refused plain reads of task_struct (%s): reading it with bpf_probe_read_kernel instead",
		 why);
	return true;
}

/* A successful execve: the process's new command line, for the ancestors of later events. */
static void feed_table(struct tracer_context *c, const struct ebpfpub_event *ev)
{
	const struct ebpfpub_field *argv = ebpfpub_event_field(ev, "argv");
	const char *strs[257];
	size_t n = 0, i;

	if (ev->exit_code != 0 || !ev->process || !argv || argv->type != EBPFPUB_VALUE_ARGV)
		return;
	for (i = 0; i < argv->value.argv.count && n < 256; i++)
		strs[n++] = argv->value.argv.args[i].data;
	strs[n] = NULL;
	proctable_exec(c->table, ev->pid, ev->process->start_time_ns, ev->process->ppid, ev->uid,
		       ev->comm, n, strs);
}

bool tracer_context_event(struct tracer_context *c, struct ebpfpub_event *ev)
{
	if (!ev->process)
		return !c->container && !c->host_filter;
	if (c->table) {
		if (!strcmp(ev->syscall, "execve") || !strcmp(ev->syscall, "execveat"))
			feed_table(c, ev);
		process_context_enrich(c->table, (struct ebpfpub_process *)ev->process);
	}
	return process_context_pass(ev->process, c->container, c->host_filter);
}

void tracer_context_scan(struct tracer_context *c)
{
	if (!c->table || c->table_scanned)
		return;
	c->table_scanned = true;
	proctable_scan(c->table, "/proc", NULL);
}
