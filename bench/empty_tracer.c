/* SPDX-License-Identifier: Apache-2.0 */
/*
 * empty_tracer: the floor. Attaches a BPF program that does nothing (r0 = 0; exit) to the
 * sys_enter_X and sys_exit_X tracepoints of each syscall given, the way libebpfpub attaches
 * its programs (one perf event per tracepoint, pid -1 on CPU 0, PERF_EVENT_IOC_SET_BPF), and
 * waits for SIGINT/SIGTERM. What a traced syscall pays then is the cost of the tracepoint and
 * of running any program at all there: no tracer can go below it.
 *
 *   empty_tracer SYSCALL...
 *
 * Prints "READY" once attached.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int tracepoint_id(const char *event)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[512], buf[32];
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		int fd, n;

		snprintf(path, sizeof(path), "%s/events/syscalls/%s/id", roots[i], event);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = (int)read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			return atoi(buf);
		}
	}
	return -ENOENT;
}

static int attach(int prog_fd, const char *event)
{
	struct perf_event_attr attr;
	int id = tracepoint_id(event), fd;

	if (id < 0) {
		fprintf(stderr, "empty_tracer: no tracepoint %s\n", event);
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = (unsigned)id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	fd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 || ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		fprintf(stderr, "empty_tracer: attaching to %s: %s\n", event, strerror(errno));
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	/* r0 = 0; exit */
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct sigaction sa;
	char event[300];
	int prog_fd, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SYSCALL...\n", argv[0]);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "empty", "GPL", insns, 2, NULL);
	if (prog_fd < 0) {
		fprintf(stderr, "empty_tracer: loading the program: %s\n", strerror(errno));
		return 1;
	}
	for (i = 1; i < argc; i++) {
		snprintf(event, sizeof(event), "sys_enter_%s", argv[i]);
		if (attach(prog_fd, event) < 0)
			return 1;
		snprintf(event, sizeof(event), "sys_exit_%s", argv[i]);
		if (attach(prog_fd, event) < 0)
			return 1;
	}
	printf("READY pid=%d\n", (int)getpid());
	fflush(stdout);
	while (!stop)
		pause();
	return 0;  /* exiting closes the perf events: that detaches the program */
}
