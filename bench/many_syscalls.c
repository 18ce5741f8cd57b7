/* SPDX-License-Identifier: Apache-2.0 */
/*
 * many_syscalls: per-tracepoint against dispatch attachment, for 1, 10, 50 and all syscalls,
 * in one run. For each: start-up (tracer_new + generate + load + attach), teardown
 * (tracer_free), kernel memory (tracer + storage + output), and the time of an untraced
 * syscall (getpid) and of a traced one (mkdir on an existing path: EEXIST, an event each)
 * against the same calls with no tracer and with the floor (empty programs on
 * sys_enter_mkdir/sys_exit_mkdir, as bench/empty_tracer.c: what any syscall tracepoint
 * costs every syscall). The calls are made by a child process that the tracer filters on,
 * while a thread of this process drains the events.
 *
 *   many_syscalls [CALLS]      (default 200000 getpid and 50000 mkdir calls per measure)
 *
 * Also measured: the floor of dispatch, empty raw tracepoint programs on sys_enter and
 * sys_exit (as the dispatchers attach: every syscall runs a program there, traced or not),
 * and, for comparison, empty tracepoint programs on raw_syscalls/sys_enter and sys_exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <ebpfpub/ebpfpub.h>

static long calls = 200000;
static char dir_path[64];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median ns per call of 5 runs of N calls. */
static double ns_per_call(bool mkdir_call, long n)
{
	double r[5];
	int k;
	long i;

	for (k = 0; k < 5; k++) {
		double t0 = now_s();

		for (i = 0; i < n; i++) {
			if (mkdir_call)
				syscall(SYS_mkdir, dir_path, 0700);
			else
				syscall(SYS_getpid);
		}
		r[k] = (now_s() - t0) * 1e9 / (double)n;
	}
	qsort(r, 5, sizeof(r[0]), cmp_double);
	return r[2];
}

/* The child: on each byte from CMD, measures getpid and mkdir and writes both back. */
static void child_loop(int cmd, int res)
{
	char c;

	while (read(cmd, &c, 1) == 1) {
		double v[2];

		v[0] = ns_per_call(false, calls);
		v[1] = ns_per_call(true, calls / 4);
		if (write(res, v, sizeof(v)) != sizeof(v))
			_exit(1);
	}
	_exit(0);
}

static int cmd_fd, res_fd;

static void measure(double v[2])
{
	if (write(cmd_fd, "m", 1) != 1 || read(res_fd, v, 2 * sizeof(double)) != 2 * sizeof(double)) {
		fprintf(stderr, "many_syscalls: the measuring child died\n");
		exit(1);
	}
}

/* The floor: r0 = 0; exit on sys_enter_mkdir and sys_exit_mkdir. With CATEGORY
 * raw_syscalls, the floor of dispatch: an empty program on every syscall. */
static int floor_attach(const char *category, const char *event)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct perf_event_attr attr;
	char path[256], buf[32];
	int prog, fd, n;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s/id", category, event);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "empty", "GPL", insns, 2, NULL);
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = strtoul(buf, NULL, 10);
	attr.sample_period = 1;
	fd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (prog < 0 || fd < 0 || ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
		return -1;
	close(prog);
	return fd;
}

/* The floor of dispatch as libebpfpub attaches it: empty raw tracepoint programs on the raw
 * syscall tracepoints (EVENT: sys_enter or sys_exit). */
static int floor_attach_raw(const char *event)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int prog = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "empty", "GPL", insns, 2, NULL), fd;

	if (prog < 0)
		return -1;
	fd = bpf_raw_tracepoint_open(event, prog);
	close(prog);
	return fd;
}

static atomic_int poll_stop;

static int on_event(void *ctx, const struct ebpfpub_event *e)
{
	(void)ctx;
	(void)e;
	return 0;
}

static void *poller(void *arg)
{
	struct ebpfpub_tracer *t = arg;

	while (!atomic_load(&poll_stop))
		ebpfpub_tracer_poll(t, 20);
	return NULL;
}

static void quiet(void *ctx, enum ebpfpub_log_level level, const char *msg)
{
	(void)ctx;
	if (level <= EBPFPUB_LOG_ERROR)
		fprintf(stderr, "libebpfpub: %s\n", msg);
}

int main(int argc, char **argv)
{
	static const int sizes[] = { 1, 5, 8, 10, 50, 0 };
	double base[2], base2[2], floor_v[2], raw_floor[2], rawtp_floor[2];
	char **all = NULL;
	const char **names;
	int n_all, cmd[2], res[2], fe, fx, m;
	uint32_t child;
	size_t si, i, k;
	pid_t pid;

	if (argc > 1)
		calls = atol(argv[1]);
	snprintf(dir_path, sizeof(dir_path), "/tmp/many_syscalls-%d", getpid());
	mkdir(dir_path, 0700);
	n_all = ebpfpub_list_syscalls(NULL, &all);
	if (n_all <= 0) {
		fprintf(stderr, "many_syscalls: cannot list syscalls (root, tracefs?)\n");
		return 1;
	}
	/* mkdir first, getpid never: getpid is the untraced call. */
	names = calloc((size_t)n_all + 1, sizeof(*names));
	k = 0;
	names[k++] = "mkdir";
	for (i = 0; i < (size_t)n_all; i++)
		if (strcmp(all[i], "mkdir") && strcmp(all[i], "getpid"))
			names[k++] = all[i];
	if (pipe(cmd) || pipe(res))
		return 1;
	pid = fork();
	if (pid == 0) {
		close(cmd[1]);
		close(res[0]);
		child_loop(cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	cmd_fd = cmd[1];
	res_fd = res[0];
	child = (uint32_t)pid;

	measure(base);
	fe = floor_attach("syscalls", "sys_enter_mkdir");
	fx = floor_attach("syscalls", "sys_exit_mkdir");
	measure(floor_v);
	close(fe);
	close(fx);
	fe = floor_attach("raw_syscalls", "sys_enter");
	fx = floor_attach("raw_syscalls", "sys_exit");
	measure(raw_floor);
	close(fe);
	close(fx);
	fe = floor_attach_raw("sys_enter");
	fx = floor_attach_raw("sys_exit");
	measure(rawtp_floor);
	close(fe);
	close(fx);
	/* The untraced figures again: the lower of the two (a disturbed first run is common). */
	measure(base2);
	for (m = 0; m < 2; m++)
		if (base2[m] < base[m])
			base[m] = base2[m];
	printf("untraced:          getpid %6.1f ns   mkdir %6.1f ns\n", base[0], base[1]);
	printf("floor (empty progs on mkdir): getpid %6.1f ns (x%.2f)   mkdir %6.1f ns (x%.2f)\n",
	       floor_v[0], floor_v[0] / base[0], floor_v[1], floor_v[1] / base[1]);
	printf("empty tracepoint progs on raw_syscalls: getpid %6.1f ns (x%.2f)   mkdir %6.1f ns (x%.2f)\n",
	       raw_floor[0], raw_floor[0] / base[0], raw_floor[1], raw_floor[1] / base[1]);
	printf("dispatch floor (empty raw tracepoint progs on sys_enter/sys_exit): getpid %6.1f ns (x%.2f)   mkdir %6.1f ns (x%.2f)\n",
	       rawtp_floor[0], rawtp_floor[0] / base[0], rawtp_floor[1], rawtp_floor[1] / base[1]);
	printf("%-15s %5s %9s %9s %9s %9s %7s %9s %7s %6s\n", "mode", "n", "start_s", "stop_s",
	       "mem_MiB", "getpid_ns", "x_base", "mkdir_ns", "x_base", "lost");
	for (m = 1; m <= 2; m++) {
		for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			size_t n = sizes[si] ? (size_t)sizes[si] : k;
			struct ebpfpub_tracer *t = NULL;
			struct ebpfpub_tracer_stats st = { .sz = sizeof(st) };
			EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = on_event, .pids = &child,
				     .pid_count = 1, .log_fn = quiet,
				     .attach_mode = (enum ebpfpub_attach_mode)m);
			double t0, t_start, t_stop, v[2], mem;
			pthread_t th;
			int added;

			t0 = now_s();
			if (ebpfpub_tracer_new(&o, &t) < 0)
				return 1;
			added = ebpfpub_tracer_add_syscalls(t, names, n);
			t_start = now_s() - t0;
			mem = (double)(ebpfpub_tracer_memory_usage(t) +
				       ebpfpub_buffer_storage_memory_usage(ebpfpub_tracer_buffer_storage(t)) +
				       ebpfpub_perf_output_memory_usage(ebpfpub_tracer_perf_output(t))) /
			      1048576.0;
			atomic_store(&poll_stop, 0);
			pthread_create(&th, NULL, poller, t);
			measure(v);
			atomic_store(&poll_stop, 1);
			pthread_join(th, NULL);
			ebpfpub_tracer_stats(t, &st);
			t0 = now_s();
			ebpfpub_tracer_free(t);
			t_stop = now_s() - t0;
			printf("%-15s %5d %9.3f %9.3f %9.1f %9.1f %7.2f %9.1f %7.2f %6llu\n",
			       m == 1 ? "per-tracepoint" : "dispatch", added, t_start, t_stop, mem,
			       v[0], v[0] / base[0], v[1], v[1] / base[1],
			       (unsigned long long)st.lost);
			fflush(stdout);
		}
	}
	close(cmd_fd);
	waitpid(pid, NULL, 0);
	rmdir(dir_path);
	ebpfpub_strv_free(all);
	free(names);
	return 0;
}
