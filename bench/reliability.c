/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reliability: the figures of README's "Reliability" section.
 *
 *   reliability cycles N     N create/add/free cycles of a tracer of mkdir: resident set,
 *                            open fds and loaded BPF programs and maps before and after
 *   reliability sigkill N    N children that build a tracer of mkdir and openat, killed with
 *                            SIGKILL at a random point of that: programs left loaded after
 *
 * BPF programs and maps are counted machine-wide by id: run it on an otherwise idle machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <bpf/bpf.h>
#include <ebpfpub/ebpfpub.h>

static int nothing(void *ctx, const struct ebpfpub_event *ev)
{
	(void)ctx;
	(void)ev;
	return 0;
}

static long count_ids(int (*next)(__u32, __u32 *))
{
	__u32 id = 0;
	long n = 0;

	while (next(id, &id) == 0)
		n++;
	return n;
}

static long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;   /* the directory's own fd */
}

static long rss_kib(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int one_tracer(const char *const *syscalls, size_t n)
{
	struct ebpfpub_tracer *t = NULL;
	EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = nothing);
	size_t i;
	int r;

	r = ebpfpub_tracer_new(&o, &t);
	for (i = 0; r == 0 && i < n; i++)
		r = ebpfpub_tracer_add_syscall(t, syscalls[i]);
	if (r < 0)
		fprintf(stderr, "reliability: %s\n", t ? ebpfpub_tracer_last_error(t) : strerror(-r));
	ebpfpub_tracer_free(t);
	return r;
}

static int cycles(int n)
{
	static const char *const mkdir_only[] = { "mkdir" };
	long rss0, fds0, progs0, maps0;
	int i;

	/* Warm up: LLVM's and libc's one-time allocations are not leaks. */
	for (i = 0; i < 10; i++)
		if (one_tracer(mkdir_only, 1) < 0)
			return 1;
	rss0 = rss_kib();
	fds0 = open_fds();
	progs0 = count_ids(bpf_prog_get_next_id);
	maps0 = count_ids(bpf_map_get_next_id);
	for (i = 0; i < n; i++)
		if (one_tracer(mkdir_only, 1) < 0)
			return 1;
	printf("cycles %d: resident set %ld -> %ld KiB, open fds %ld -> %ld, "
	       "BPF programs %ld -> %ld, maps %ld -> %ld\n",
	       n, rss0, rss_kib(), fds0, open_fds(), progs0, count_ids(bpf_prog_get_next_id),
	       maps0, count_ids(bpf_map_get_next_id));
	return 0;
}

static int sigkills(int n)
{
	static const char *const two[] = { "mkdir", "openat" };
	long progs0 = count_ids(bpf_prog_get_next_id), maps0 = count_ids(bpf_map_get_next_id);
	long progs, maps;
	int i, tries;

	srand((unsigned)time(NULL));
	for (i = 0; i < n; i++) {
		pid_t child = fork();
		int status;

		if (child < 0)
			return 1;
		if (child == 0) {
			one_tracer(two, 2);
			pause();
			_exit(0);
		}
		/* Building the tracer takes ~50-100 ms: kill it somewhere in there or after. */
		usleep((useconds_t)(rand() % 120000));
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
	}
	/* The kernel frees programs and maps after an RCU grace period: let it. */
	for (tries = 0; tries < 50; tries++) {
		progs = count_ids(bpf_prog_get_next_id);
		maps = count_ids(bpf_map_get_next_id);
		if (progs <= progs0 && maps <= maps0)
			break;
		usleep(100000);
	}
	printf("sigkill %d: BPF programs %ld -> %ld, maps %ld -> %ld\n", n, progs0, progs, maps0,
	       maps);
	return progs > progs0 || maps > maps0;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (argc == 3 && strcmp(argv[1], "cycles") == 0 && n > 0)
		return cycles(n);
	if (argc == 3 && strcmp(argv[1], "sigkill") == 0 && n > 0)
		return sigkills(n);
	fprintf(stderr, "usage: reliability cycles N | reliability sigkill N\n");
	return 2;
}
