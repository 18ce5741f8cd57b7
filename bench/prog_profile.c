/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-program run time of the BPF programs loaded on the machine, over one run of a workload:
 * the kernel's own accounting (BPF_ENABLE_STATS / kernel.bpf_stats_enabled: run count and
 * run time of every program), read before and after the workload.
 *
 *   prog_profile [-p PREFIX]... -- WORKLOAD [ARGS...]
 *
 * Prints the workload's output, then one line per program whose name starts with one of the
 * prefixes (all programs without -p) and that ran during the workload:
 *
 *   PROG name=epn_mkdir id=42 runs=1000000 ns_per_run=212.4 insns=187 jited_bytes=1230
 *
 * bpftool prog profile would give cycles and instructions per program, but it needs fentry
 * programs, which this machine's kernel does not offer; the run-time statistics need nothing
 * but the syscall (or the sysctl on kernels without BPF_ENABLE_STATS). They add two clock
 * reads to every program run, so ns_per_run is a little above the cost without them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>

#define MAX_PROGS 4096
#define MAX_PREFIXES 16

struct prog_sample {
	uint32_t id;
	char name[BPF_OBJ_NAME_LEN];
	uint64_t run_cnt, run_time_ns;
	uint32_t insns, jited_bytes;
};

static const char *prefixes[MAX_PREFIXES];
static int prefix_count;

static bool wanted(const char *name)
{
	if (!prefix_count)
		return true;
	for (int i = 0; i < prefix_count; i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* Every wanted program's counters now; returns how many were stored. */
static int snapshot(struct prog_sample *out, int max)
{
	uint32_t id = 0;
	int n = 0;

	while (n < max && bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue; /* unloaded meanwhile */
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && wanted(info.name)) {
			out[n].id = id;
			snprintf(out[n].name, sizeof(out[n].name), "%s", info.name);
			out[n].run_cnt = info.run_cnt;
			out[n].run_time_ns = info.run_time_ns;
			out[n].insns = info.xlated_prog_len / 8;
			out[n].jited_bytes = info.jited_prog_len;
			n++;
		}
		close(fd);
	}
	return n;
}

/* Statistics on, by the syscall (off again when the fd closes, i.e. at exit) or else by the
 * sysctl, which is put back at the end. Returns the previous sysctl value or -1. */
static int stats_on(int *stats_fd)
{
	FILE *f;
	int prev = -1;

	*stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (*stats_fd >= 0)
		return -1;
	f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r+");
	if (!f) {
		fprintf(stderr, "prog_profile: cannot enable BPF run-time statistics: "
				"BPF_ENABLE_STATS failed and /proc/sys/kernel/bpf_stats_enabled "
				"cannot be opened (%s); run as root\n", strerror(errno));
		exit(2);
	}
	if (fscanf(f, "%d", &prev) != 1)
		prev = 0;
	rewind(f);
	fputs("1\n", f);
	fclose(f);
	return prev;
}

static void stats_restore(int prev)
{
	FILE *f;

	if (prev < 0)
		return;
	f = fopen("/proc/sys/kernel/bpf_stats_enabled", "w");
	if (f) {
		fprintf(f, "%d\n", prev);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	static struct prog_sample before[MAX_PROGS], after[MAX_PROGS];
	int opt, n_before, n_after, stats_fd, prev, status;
	pid_t child;

	while ((opt = getopt(argc, argv, "+p:h")) != -1) {
		if (opt == 'p' && prefix_count < MAX_PREFIXES) {
			prefixes[prefix_count++] = optarg;
			continue;
		}
		fprintf(stderr, "usage: %s [-p PREFIX]... -- WORKLOAD [ARGS...]\n", argv[0]);
		return opt == 'h' ? 0 : 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "prog_profile: no workload given (usage: %s [-p PREFIX]... -- "
				"WORKLOAD [ARGS...])\n", argv[0]);
		return 2;
	}

	prev = stats_on(&stats_fd);
	n_before = snapshot(before, MAX_PROGS);
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("prog_profile: fork");
		return 1;
	}
	if (child == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "prog_profile: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	if (waitpid(child, &status, 0) < 0) {
		perror("prog_profile: waitpid");
		return 1;
	}
	n_after = snapshot(after, MAX_PROGS);
	stats_restore(prev);
	if (stats_fd >= 0)
		close(stats_fd);

	for (int i = 0; i < n_after; i++) {
		uint64_t runs = after[i].run_cnt, ns = after[i].run_time_ns;

		for (int j = 0; j < n_before; j++)
			if (before[j].id == after[i].id) {
				runs -= before[j].run_cnt;
				ns -= before[j].run_time_ns;
				break;
			}
		if (!runs)
			continue;
		printf("PROG name=%s id=%u runs=%llu ns_per_run=%.1f insns=%u jited_bytes=%u\n",
		       after[i].name, after[i].id, (unsigned long long)runs,
		       (double)ns / (double)runs, after[i].insns, after[i].jited_bytes);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
