/* SPDX-License-Identifier: Apache-2.0 */
/* Locating tracefs, listing syscall tracepoints and reading their format files. */
#ifndef EBPFPUB_TRACEFS_H
#define EBPFPUB_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>

/* Finds the tracefs root: OVERRIDE if not NULL, else /sys/kernel/tracing, then
 * /sys/kernel/debug/tracing. A root counts when <root>/events/syscalls exists.
 * Returns 0 and writes the root to PATH, or -ENODEV with a message that says how to mount it
 * ("mount -t tracefs nodev /sys/kernel/tracing"), or -EACCES/-errno. */
/* Where tracefs is looked for, in order, when no path is given (NULL-terminated). */
extern const char *const tracefs_default_roots[];

int tracefs_locate(const char *override, char *path, size_t path_size, char *err,
		   size_t err_size);

/* Whether ROOT holds an events/ directory: tracefs is mounted there even if syscall
 * tracepoints are not (a kernel without CONFIG_FTRACE_SYSCALLS). */
bool tracefs_has_events(const char *root);

/* Sorted names X for which both events/syscalls/sys_enter_X and sys_exit_X exist.
 * Returns the count and a NULL-terminated malloc'd vector (free with tracefs_strv_free). */
int tracefs_list_syscalls(const char *root, char ***names);
void tracefs_strv_free(char **strv);

/* Reads <root>/events/syscalls/<event>/format into a malloc'd NUL-terminated buffer. */
int tracefs_read_format(const char *root, const char *event, char **buf, size_t *len);

/* Writes up to 3 names of NAMES closest to NAME (edit distance, prefix/substring matches
 * first) as "'mkdirat', 'mkdir'" into OUT; returns how many were written. */
int tracefs_suggest(const char *name, char *const *names, char *out, size_t out_size);

#endif
