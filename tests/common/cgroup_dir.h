/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroup directories a privileged test made, removed again. */
#ifndef EBPFPUB_TESTS_CGROUP_DIR_H
#define EBPFPUB_TESTS_CGROUP_DIR_H

#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

/* Removes the cgroup DIR and every cgroup below it, deepest first (a cgroup directory can
 * only be removed once it has no children and no tasks). */
static inline void cgroup_dir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char sub[1200];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub))
			continue;   /* not one of ours: they are short */
		cgroup_dir_remove(sub);
	}
	closedir(d);
	rmdir(dir);
}

#endif
