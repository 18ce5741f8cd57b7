/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The user-space process table: comm, real uid, parent and command line of processes,
 * keyed by (pid, start time) so that a reused pid is never taken for the process that had
 * it before. Fed by one scan of /proc and by execve events; exited processes stay until the
 * bounds push them out, since events about them may still be on their way.
 *
 * Start times are ns since boot on the boottime clock (the task's start_boottime, the
 * clock of /proc/PID/stat). /proc gives them in clock ticks (USER_HZ, 10 ms), truncated:
 * a scanned entry matches any start time inside its tick, an exec'd one only its own.
 *
 * Bounds: at most max_entries entries and max_bytes bytes, counted as
 * proctable_entry_bytes() per entry (the entry plus its argv pointers and strings); the
 * hash buckets, fixed at creation, add 8 bytes per entry of max_entries rounded up to a
 * power of two. Over a bound, exited entries go first, least recently used first, then
 * live ones the same way; the entry being added is never the one dropped. A command line
 * keeps the whole arguments that fit in max_cmdline bytes (NULs included), argv_truncated
 * says when some were dropped.
 *
 * Not thread-safe: one caller at a time. Entries returned stay valid until the next call
 * that changes the table (scan, exec, exit, another lookup may reorder but never frees).
 */
#ifndef EBPFPUB_PROCESS_TABLE_H
#define EBPFPUB_PROCESS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A workqueue worker's name in /proc/PID/stat is longer than TASK_COMM_LEN. */
#define PROCTABLE_COMM_SIZE	64
/* Linux never gives a task uid -1 (setuid(-1) means "unchanged"). */
#define PROCTABLE_UID_UNKNOWN	UINT32_MAX

#define PROCTABLE_DEFAULT_MAX_ENTRIES	32768
#define PROCTABLE_DEFAULT_MAX_BYTES	(16u << 20)
#define PROCTABLE_DEFAULT_MAX_CMDLINE	4096

struct proctable_limits {
	size_t max_entries;	/* >= 1 */
	size_t max_bytes;	/* >= proctable_entry_bytes() of the largest command line */
	size_t max_cmdline;	/* >= 1 */
};

struct proctable_entry {
	uint32_t pid;
	uint32_t ppid;
	uint32_t uid;			/* real uid, or PROCTABLE_UID_UNKNOWN */
	uint64_t start_ns;		/* boottime ns */
	uint64_t start_res_ns;		/* 1 when exact, else the tick of /proc */
	char comm[PROCTABLE_COMM_SIZE];
	size_t argc;
	const char *const *argv;	/* argc strings then NULL; NULL when not known */
	bool argv_truncated;
	bool exited;
};

struct proctable_stats {
	size_t entries;
	size_t bytes;
	size_t evicted_exited;
	size_t evicted_live;
};

struct proctable;

/* LIMITS NULL: the defaults. Returns NULL with errno set (EINVAL, ENOMEM). */
struct proctable *proctable_new(const struct proctable_limits *limits);
void proctable_free(struct proctable *t);

/*
 * Adds every process of PROC_ROOT ("/proc", or a fixture directory of the same layout).
 * A process needs a readable, well-formed stat; a missing cmdline leaves argv NULL, a
 * missing or malformed Uid line of status leaves the uid unknown. Returns the number of
 * processes added or refreshed, or -errno when PROC_ROOT cannot be read; *SKIPPED (may
 * be NULL) counts the numeric entries that were not processes.
 */
int proctable_scan(struct proctable *t, const char *proc_root, size_t *skipped);

/*
 * An execve of (PID, START_NS): replaces the command line, comm and uid of that process
 * (its start time becomes exact), or adds it. Another process still listed under PID is
 * marked exited: its pid was reused. COMM may be NULL (kept, or empty). Returns 0,
 * -EINVAL or -ENOMEM.
 */
int proctable_exec(struct proctable *t, uint32_t pid, uint64_t start_ns, uint32_t ppid,
		   uint32_t uid, const char *comm, size_t argc, const char *const *argv);

/* Marks (PID, START_NS) exited: first in line when room is needed. 0 or -ENOENT. */
int proctable_exit(struct proctable *t, uint32_t pid, uint64_t start_ns);

/* The entry of (PID, START_NS), exited or not, marked as used; NULL when the table has no
 * such process (a different start time is a different process). */
const struct proctable_entry *proctable_lookup(struct proctable *t, uint32_t pid,
					       uint64_t start_ns);

void proctable_get_stats(const struct proctable *t, struct proctable_stats *stats);

/* What one entry counts against max_bytes: ARGC arguments of STRINGS_LEN bytes in all,
 * NULs included (a NULL argv: argc 0, strings_len 0). */
size_t proctable_entry_bytes(size_t argc, size_t strings_len);

/* /proc/PID/stat's starttime (clock ticks) in ns; *RES_NS (may be NULL): one tick. */
uint64_t proctable_ticks_to_ns(uint64_t ticks, uint64_t *res_ns);

#endif
