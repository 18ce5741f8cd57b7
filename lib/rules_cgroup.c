/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroup conditions a plan gives the kernel: each tested cgroup directory in a slot of
 * the plan's BPF_MAP_TYPE_CGROUP_ARRAY, for bpf_current_task_under_cgroup (4.8) in the
 * enter program. A cgroup that cannot be put there (no cgroup2 mount, no such directory,
 * no map) leaves its condition to user space, which decides the same from the path. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/magic.h>

#include <bpf/bpf.h>

#include "feature_probes.h"
#include "rules.h"

static int open_below_root(const char *path)
{
	char root[256], full[1024];
	struct statfs sf;
	int fd;

	if (features_find_cgroup2("/proc/self/mountinfo", root, sizeof(root)) !=
		    EBPFPUB_FEATURE_YES || !root[0])
		return -1;
	if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
		return -1;
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		close(fd);
		return -1;
	}
	return fd;
}

int rules_cgroup_slot(struct rules_plan *plan, const char *path)
{
	uint32_t slot = plan->cgroup_count;
	int fd, r;

	if (slot >= RULES_MAX_CGROUPS)
		return -1;
	if (!plan->cgroup_count) {
		plan->cgroup_fd = bpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, "ebpfpub_rule_cg", 4, 4,
						 RULES_MAX_CGROUPS, NULL);
		if (plan->cgroup_fd < 0)
			return -1;
	}
	fd = open_below_root(path);
	if (fd < 0) {
		r = -1;
	} else {
		uint32_t value = (uint32_t)fd;

		r = bpf_map_update_elem(plan->cgroup_fd, &slot, &value, BPF_ANY) < 0 ? -1 : 0;
		close(fd);   /* the map holds the cgroup */
	}
	if (r < 0) {
		if (!plan->cgroup_count)
			close(plan->cgroup_fd);
		return -1;
	}
	plan->cgroup_count++;
	return (int)slot;
}

void rules_cgroup_release(struct rules_plan *plan)
{
	if (plan->cgroup_count)
		close(plan->cgroup_fd);
	plan->cgroup_count = 0;
}
