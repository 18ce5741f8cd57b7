/* SPDX-License-Identifier: Apache-2.0 */
/* Dispatch mode: how the attachment is chosen, ia32 calls unseen in both modes, adding and
 * removing syscalls while another thread calls a traced one (no call of it lost), programs
 * shared by syscalls of one shape, and no program left behind by a freed or SIGKILLed
 * tracer. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include <bpf/bpf.h>

#include "capture.h"

static uint32_t self;

static struct ebpfpub_tracer *tracer_in(struct cap_list *l, enum ebpfpub_attach_mode mode)
{
	struct ebpfpub_tracer *t = NULL;
	EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = cap_callback, .callback_ctx = l,
		     .trace_self = true, .pids = &self, .pid_count = 1, .log_fn = test_log,
		     .attach_mode = mode);
	int r = ebpfpub_tracer_new(&o, &t);

	if (r == -EPERM || r == -EACCES)
		test_skip_or_fail("no privilege to create BPF maps");
	ASSERT(r == 0);
	return t;
}

static void add(struct ebpfpub_tracer *t, const char *name)
{
	int r = ebpfpub_tracer_add_syscall(t, name);

	if (r < 0)
		fprintf(stderr, "add_syscall(%s): %d: %s\n", name, r, ebpfpub_tracer_last_error(t));
	if (r == -ENODEV)
		test_skip_or_fail("tracefs is not mounted");
	ASSERT(r == 0);
}

static void test_mode_choice(void)
{
	static const char *const many[] = { "getppid", "getpgrp", "umask", "getuid", "getgid",
					    "geteuid", "getegid", "getsid", "sched_yield",
					    "getpriority" };
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t;

	/* DEFAULT: a few one by one stay per-tracepoint; a set that reaches the crossover
	 * dispatches (those added before keep their attachment). */
	t = tracer_in(&l, EBPFPUB_ATTACH_DEFAULT);
	add(t, "mkdir");
	CHECK_INT(ebpfpub_tracer_syscall_attach_mode(t, "mkdir"), EBPFPUB_ATTACH_PER_TRACEPOINT);
	CHECK_INT(ebpfpub_tracer_syscall_attach_mode(t, "rmdir"), EBPFPUB_ATTACH_DEFAULT);
	CHECK_INT(ebpfpub_tracer_add_syscalls(t, many, 10), 10);
	CHECK_INT(ebpfpub_tracer_syscall_attach_mode(t, "getppid"), EBPFPUB_ATTACH_DISPATCH);
	CHECK_INT(ebpfpub_tracer_syscall_attach_mode(t, "mkdir"), EBPFPUB_ATTACH_PER_TRACEPOINT);
	/* execve's serializer has a second exit tracepoint: it stays on its own (mixed). */
	add(t, "execve");
	CHECK_INT(ebpfpub_tracer_syscall_attach_mode(t, "execve"), EBPFPUB_ATTACH_PER_TRACEPOINT);
	ebpfpub_tracer_free(t);

	t = tracer_in(&l, EBPFPUB_ATTACH_DISPATCH);
	add(t, "mkdir");
	CHECK_INT(ebpfpub_tracer_syscall_attach_mode(t, "mkdir"), EBPFPUB_ATTACH_DISPATCH);
	ebpfpub_tracer_free(t);

	t = tracer_in(&l, EBPFPUB_ATTACH_PER_TRACEPOINT);
	CHECK_INT(ebpfpub_tracer_add_syscalls(t, many, 10), 10);
	CHECK_INT(ebpfpub_tracer_syscall_attach_mode(t, "getppid"), EBPFPUB_ATTACH_PER_TRACEPOINT);
	ebpfpub_tracer_free(t);
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = cap_callback,
			     .attach_mode = (enum ebpfpub_attach_mode)7);
		t = NULL;
		CHECK_INT(ebpfpub_tracer_new(&o, &t), -EINVAL);
		CHECK(t == NULL);
	}
	free(l.ev);
}

/* An ia32 syscall from this 64-bit process: its number means another call in that table. */
static long ia32_syscall0(long nr)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory", "cc");
	return ret;
}

/* Whether int $0x80 works here (CONFIG_IA32_EMULATION, not disabled at boot): tried in a
 * child, which a kernel without it kills. */
static bool ia32_available(void)
{
	int status;
	pid_t pid = fork();

	ASSERT(pid >= 0);
	if (pid == 0)
		_exit(ia32_syscall0(20 /* ia32 getpid */) == getpid() ? 0 : 1);
	ASSERT(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_compat_unseen(enum ebpfpub_attach_mode mode)
{
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = tracer_in(&l, mode);
	const struct cap_event *e;
	long me = getpid();
	int i;

	/* ia32 getpid is 20 (x86-64 writev): neither writev nor getpid must see it. */
	add(t, "writev");
	add(t, "getpid");
	CHECK_INT(ebpfpub_tracer_syscall_attach_mode(t, "writev"), mode);
	for (i = 0; i < 3; i++)
		CHECK_INT(ia32_syscall0(20), me);
	CHECK_INT(syscall(SYS_writev, -1L, NULL, 0L), -1);
	CHECK_INT(syscall(SYS_getpid), me);
	cap_poll_until(t, &l, "getpid", 1, 2000);
	cap_poll_until(t, &l, "writev", 1, 2000);
	ebpfpub_tracer_poll(t, 50);
	CHECK_INT(cap_count(&l, "writev"), 1);
	CHECK_INT(cap_count(&l, "getpid"), 1);
	e = cap_find(&l, "writev", NULL, NULL);
	ASSERT(e);
	CHECK_INT(e->exit_code, -EBADF);
	CHECK_INT(cap_field(e, "fd")->u, (uint64_t)-1);
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
}

static atomic_int worker_stop;
static atomic_long worker_calls;
static atomic_int worker_tid;

/* Calls getppid, paced so that the output never fills, until told to stop. */
static void *worker(void *arg)
{
	struct timespec pause = { 0, 20000 };
	long n = 0;

	(void)arg;
	atomic_store(&worker_tid, (int)syscall(SYS_gettid));
	while (!atomic_load(&worker_stop)) {
		syscall(SYS_getppid);
		n++;
		nanosleep(&pause, NULL);
	}
	atomic_store(&worker_calls, n);
	return NULL;
}

static size_t count_tid(const struct cap_list *l, const char *syscall, uint32_t tid)
{
	size_t i, n = 0;

	for (i = 0; i < l->count; i++)
		if (strcmp(l->ev[i].syscall, syscall) == 0 && l->ev[i].tid == tid)
			n++;
	return n;
}

static void test_add_remove_live(enum ebpfpub_attach_mode mode)
{
	static const char *const others[] = { "getpgrp", "umask", "getuid" };
	struct ebpfpub_tracer_stats st = { .sz = sizeof(st) };
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = tracer_in(&l, mode);
	pthread_t th;
	size_t before;
	int round, i;

	add(t, "getppid");
	atomic_store(&worker_stop, 0);
	ASSERT(pthread_create(&th, NULL, worker, NULL) == 0);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 3; i++) {
			add(t, others[i]);
			ebpfpub_tracer_poll(t, 0);
		}
		before = cap_count(&l, "getpgrp");
		syscall(SYS_getpgrp);
		cap_poll_until(t, &l, "getpgrp", before + 1, 2000);
		CHECK_INT(cap_count(&l, "getpgrp"), before + 1);
		for (i = 0; i < 3; i++)
			CHECK_INT(ebpfpub_tracer_remove_syscall(t, others[i]), 0);
		syscall(SYS_getpgrp);   /* not traced any more */
		ebpfpub_tracer_poll(t, 0);
	}
	atomic_store(&worker_stop, 1);
	pthread_join(th, NULL);
	cap_poll_until(t, &l, "getppid", 0, 0);
	for (i = 0; i < 500 && count_tid(&l, "getppid", (uint32_t)atomic_load(&worker_tid)) <
				      (size_t)atomic_load(&worker_calls); i++)
		ebpfpub_tracer_poll(t, 20);
	fprintf(stderr, "mode %d: worker made %ld getppid calls\n", (int)mode,
		atomic_load(&worker_calls));
	CHECK(atomic_load(&worker_calls) > 0);
	CHECK_INT(count_tid(&l, "getppid", (uint32_t)atomic_load(&worker_tid)),
		  atomic_load(&worker_calls));
	CHECK_INT(cap_count(&l, "getpgrp"), 3);
	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	CHECK_INT(st.lost, 0);
	CHECK_INT(st.enter_dropped, 0);
	CHECK_INT(ebpfpub_tracer_remove_syscall(t, "getpgrp"), -ENOENT);
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
}

/* Ids of loaded programs whose name starts with PREFIX, into IDS (at most MAX). */
static size_t programs_named(const char *prefix, uint32_t *ids, size_t max)
{
	uint32_t id = 0;
	size_t n = 0;

	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    strncmp(info.name, prefix, strlen(prefix)) == 0 && n < max)
			ids[n++] = id;
		close(fd);
	}
	return n;
}

static bool program_exists(uint32_t id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Whether the programs of IDS (not in OLD) are all gone within two seconds (their release
 * after the last reference is deferred a little). */
static bool gone_soon(const uint32_t *ids, size_t n)
{
	int tries;
	size_t i;

	for (tries = 0; tries < 200; tries++) {
		for (i = 0; i < n && !program_exists(ids[i]); i++)
			;
		if (i == n)
			return true;
		usleep(10000);
	}
	return false;
}

static size_t new_ids(const uint32_t *old, size_t old_n, uint32_t *now, size_t now_n)
{
	size_t i, j, k = 0;

	for (i = 0; i < now_n; i++) {
		for (j = 0; j < old_n && old[j] != now[i]; j++)
			;
		if (j == old_n)
			now[k++] = now[i];
	}
	return k;
}

/* Syscalls of one shape (a path argument alone: rmdir, unlink, chdir) share one pair of
 * programs in dispatch mode, named after the first; each still gets its own events with its
 * own name, values and exit code. Removing that first one leaves the others traced; the
 * last one's removal releases the pair. */
static void test_shared_programs(void)
{
	static const char *const names[] = { "rmdir", "unlink", "chdir" };
	uint32_t old_n_ids[64], old_x_ids[64], enter[64], exit_ids[64];
	size_t old_n, old_x, n_enter, n_exit;
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = tracer_in(&l, EBPFPUB_ATTACH_DISPATCH);
	const struct cap_event *e;
	char dir[64], missing[64];

	snprintf(dir, sizeof(dir), "/tmp/ebpfpub-shared-%d", getpid());
	snprintf(missing, sizeof(missing), "/tmp/ebpfpub-shared-missing-%d", getpid());
	old_n = programs_named("epn_", old_n_ids, 64);
	old_x = programs_named("epx_", old_x_ids, 64);
	CHECK_INT(ebpfpub_tracer_add_syscalls(t, names, 3), 3);
	n_enter = new_ids(old_n_ids, old_n, enter, programs_named("epn_", enter, 64));
	n_exit = new_ids(old_x_ids, old_x, exit_ids, programs_named("epx_", exit_ids, 64));
	CHECK_INT(n_enter, 1);
	CHECK_INT(n_exit, 1);
	CHECK_INT(ebpfpub_tracer_syscall_attach_mode(t, "unlink"), EBPFPUB_ATTACH_DISPATCH);
	CHECK_STR(ebpfpub_tracer_program_text(t, "unlink", EBPFPUB_PROGRAM_INSNS),
		  ebpfpub_tracer_program_text(t, "chdir", EBPFPUB_PROGRAM_INSNS));

	ASSERT(mkdir(dir, 0700) == 0);
	ASSERT(rmdir(dir) == 0);
	CHECK_INT(unlink(missing), -1);
	CHECK_INT(chdir(missing), -1);
	cap_poll_until(t, &l, "chdir", 1, 3000);
	e = cap_find(&l, "rmdir", "pathname", dir);
	CHECK(e && e->exit_code == 0 && e->tid == (uint32_t)syscall(SYS_gettid));
	e = cap_find(&l, "unlink", "pathname", missing);
	CHECK(e && e->exit_code == -ENOENT);
	e = cap_find(&l, "chdir", "filename", missing);
	CHECK(e && e->exit_code == -ENOENT);
	CHECK_INT(cap_count(&l, "rmdir") + cap_count(&l, "unlink") + cap_count(&l, "chdir"), 3);

	/* rmdir's name is on the programs; unlink and chdir keep running them. */
	CHECK_INT(ebpfpub_tracer_remove_syscall(t, "rmdir"), 0);
	CHECK(program_exists(enter[0]) && program_exists(exit_ids[0]));
	cap_clear(&l);
	CHECK_INT(unlink(missing), -1);
	ASSERT(mkdir(dir, 0700) == 0);
	ASSERT(rmdir(dir) == 0);   /* not traced any more */
	cap_poll_until(t, &l, "unlink", 1, 3000);
	CHECK(cap_find(&l, "unlink", "pathname", missing) != NULL);
	CHECK_INT(cap_count(&l, "rmdir"), 0);

	/* Added again: it takes the programs the others run. */
	add(t, "rmdir");
	CHECK_INT(new_ids(old_n_ids, old_n, enter, programs_named("epn_", enter, 64)), 1);
	ASSERT(mkdir(dir, 0700) == 0);
	ASSERT(rmdir(dir) == 0);
	cap_poll_until(t, &l, "rmdir", 1, 3000);
	CHECK(cap_find(&l, "rmdir", "pathname", dir) != NULL);

	CHECK_INT(ebpfpub_tracer_remove_syscall(t, "unlink"), 0);
	CHECK_INT(ebpfpub_tracer_remove_syscall(t, "chdir"), 0);
	CHECK_INT(ebpfpub_tracer_remove_syscall(t, "rmdir"), 0);
	CHECK(gone_soon(enter, 1) && gone_soon(exit_ids, 1));
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
}

static void test_teardown(void)
{
	static const char *const names[] = { "getppid", "getpgrp", "umask" };
	uint32_t old[64], now[64];
	size_t old_n, now_n;
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t;
	int pipefd[2], status;
	char c;
	pid_t pid;

	/* The dispatchers of a freed tracer (and the programs they reached) are gone. */
	old_n = programs_named("ebpfpub_dsp", old, 64);
	t = tracer_in(&l, EBPFPUB_ATTACH_DISPATCH);
	CHECK_INT(ebpfpub_tracer_add_syscalls(t, names, 3), 3);
	now_n = new_ids(old, old_n, now, programs_named("ebpfpub_dsp", now, 64));
	CHECK_INT(now_n, 2);
	ebpfpub_tracer_free(t);
	CHECK(gone_soon(now, now_n));
	free(l.ev);

	/* SIGKILLed: the process's fds close, and with them every attachment. */
	ASSERT(pipe(pipefd) == 0);
	old_n = programs_named("ebpfpub_dsp", old, 64);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		struct cap_list cl = { 0 };
		struct ebpfpub_tracer *ct;

		close(pipefd[0]);
		ct = tracer_in(&cl, EBPFPUB_ATTACH_DISPATCH);
		if (ebpfpub_tracer_add_syscalls(ct, names, 3) != 3)
			_exit(1);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	CHECK_INT(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	now_n = new_ids(old, old_n, now, programs_named("ebpfpub_dsp", now, 64));
	CHECK_INT(now_n, 2);
	kill(pid, SIGKILL);
	ASSERT(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status));
	CHECK(gone_soon(now, now_n));
}

int main(void)
{
	char why[256];
	struct ebpfpub_features f = { .sz = sizeof(f) };

	test_require_root();
	self = (uint32_t)getpid();
	ASSERT(ebpfpub_features_probe(NULL, NULL, 0, &f) == 0);
	if (f.dispatch != EBPFPUB_FEATURE_YES) {
		snprintf(why, sizeof(why), "this kernel cannot dispatch (ebpftracer --check)");
		ebpfpub_features_release(&f);
		test_skip_or_fail(why);
	}
	ebpfpub_features_release(&f);
	test_mode_choice();
	if (ia32_available()) {
		test_compat_unseen(EBPFPUB_ATTACH_PER_TRACEPOINT);
		test_compat_unseen(EBPFPUB_ATTACH_DISPATCH);
	} else {
		fprintf(stderr, "int $0x80 does not work here (no IA32 emulation): the ia32 check is skipped\n");
	}
	test_add_remove_live(EBPFPUB_ATTACH_DISPATCH);
	test_add_remove_live(EBPFPUB_ATTACH_PER_TRACEPOINT);
	test_shared_programs();
	test_teardown();
	return test_finish("test_dispatch");
}
