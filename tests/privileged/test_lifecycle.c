/* SPDX-License-Identifier: Apache-2.0 */
/* Destroy and process death leave nothing attached; two tracers in one process don't
 * interfere. */
#include <bpf/bpf.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "capture.h"

/* Ids of loaded programs whose name ends in "_SUFFIX" (ours are named epn_X / epx_X). */
static size_t prog_ids(const char *suffix, uint32_t *ids, size_t max)
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
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.name[0] == 'e' &&
		    info.name[1] == 'p' && strlen(info.name) > 4 &&
		    strcmp(info.name + 4, suffix) == 0 && n < max)
			ids[n++] = id;
		close(fd);
	}
	return n;
}

/* Keeps in IDS only those not in OLD: the programs that appeared (others may be tracing the
 * same syscalls at the same time). */
static size_t new_ids(uint32_t *ids, size_t n, const uint32_t *old, size_t nold)
{
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < nold; j++)
			if (ids[i] == old[j])
				break;
		if (j == nold)
			ids[k++] = ids[i];
	}
	return k;
}

static bool prog_exists(uint32_t id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Program release is deferred (RCU): give it a moment. */
static bool gone_within(const uint32_t *ids, size_t n, int ms)
{
	size_t i;
	int waited;

	for (waited = 0; waited <= ms; waited += 20) {
		bool any = false;

		for (i = 0; i < n; i++)
			any |= prog_exists(ids[i]);
		if (!any)
			return true;
		usleep(20000);
	}
	return false;
}

static void test_destroy(void)
{
	static const char *const names[] = { "getcwd", "umask" };
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t;
	uint32_t before[64], after[64];
	size_t nb, na;

	nb = prog_ids("umask", before, 64);
	t = cap_tracer(&l, names, 2);
	na = new_ids(after, prog_ids("umask", after, 64), before, nb);
	CHECK_INT(na, 2);  /* enter and exit */
	umask(022);
	cap_poll_until(t, &l, "umask", 1, 3000);
	CHECK_INT(cap_count(&l, "umask"), 1);
	ebpfpub_tracer_free(t);
	CHECK(gone_within(after, na, 10000));
	cap_clear(&l);
	free(l.ev);
}

static void test_process_death(void)
{
	int pipefd[2];
	uint32_t ids[64];
	ssize_t got;
	size_t n;
	pid_t child;

	ASSERT(pipe(pipefd) == 0);
	child = fork();
	ASSERT(child >= 0);
	if (child == 0) {
		static const char *const names[] = { "getcwd", "umask" };
		struct cap_list l = { 0 };
		uint32_t mine[64], old[64];
		size_t before = prog_ids("getcwd", old, 64), now;

		(void)cap_tracer(&l, names, 2);
		now = new_ids(mine, prog_ids("getcwd", mine, 64), old, before);
		if (write(pipefd[1], mine, now * sizeof(uint32_t)) < 0)
			_exit(2);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	got = read(pipefd[0], ids, sizeof(ids));
	ASSERT(got > 0);
	n = (size_t)got / sizeof(uint32_t);
	CHECK(n >= 2);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(pipefd[0]);
	/* Exit closes the fds like free does; each detach waits for a grace period under a kernel
	 * mutex that other tracers may hold for a while: allow for that. */
	CHECK(gone_within(ids, n, 60000));
}

static void test_two_tracers(void)
{
	static const char *const a_names[] = { "mkdir" };
	static const char *const b_names[] = { "mkdir", "rmdir" };
	struct cap_list la = { 0 }, lb = { 0 };
	struct ebpfpub_tracer *a, *b;
	char path[64];

	snprintf(path, sizeof(path), "/tmp/ebpfpub-two-%d", getpid());
	a = cap_tracer(&la, a_names, 1);
	b = cap_tracer(&lb, b_names, 2);
	ASSERT(mkdir(path, 0700) == 0);
	ASSERT(rmdir(path) == 0);
	cap_poll_until(a, &la, "mkdir", 1, 3000);
	cap_poll_until(b, &lb, "rmdir", 1, 3000);
	ebpfpub_tracer_poll(a, 100);
	ebpfpub_tracer_poll(b, 100);
	CHECK_INT(cap_count(&la, "mkdir"), 1);
	CHECK_INT(cap_count(&la, "rmdir"), 0);
	CHECK_INT(cap_count(&lb, "mkdir"), 1);
	CHECK_INT(cap_count(&lb, "rmdir"), 1);
	CHECK(cap_find(&la, "mkdir", "pathname", path) != NULL);
	CHECK(cap_find(&lb, "mkdir", "pathname", path) != NULL);

	/* Freeing one leaves the other working. */
	ebpfpub_tracer_free(a);
	ASSERT(mkdir(path, 0700) == 0);
	ASSERT(rmdir(path) == 0);
	cap_poll_until(b, &lb, "rmdir", 2, 3000);
	CHECK_INT(cap_count(&lb, "mkdir"), 2);
	CHECK_INT(cap_count(&lb, "rmdir"), 2);
	ebpfpub_tracer_free(b);
	cap_clear(&la);
	cap_clear(&lb);
	free(la.ev);
	free(lb.ev);
}

/* The first poll gives LLVM's memory back; a syscall added after it is generated with a new
 * context and traced like the first. */
static void test_add_after_poll(void)
{
	static const char *const names[] = { "mkdir" };
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = cap_tracer(&l, names, 1);
	char path[64];

	snprintf(path, sizeof(path), "/tmp/ebpfpub-late-%d", getpid());
	ASSERT(mkdir(path, 0700) == 0);
	cap_poll_until(t, &l, "mkdir", 1, 3000);
	CHECK_INT(cap_count(&l, "mkdir"), 1);
	ASSERT(ebpfpub_tracer_add_syscall(t, "rmdir") == 0);
	ASSERT(ebpfpub_tracer_program_text(t, "rmdir", EBPFPUB_PROGRAM_IR) != NULL);
	ASSERT(rmdir(path) == 0);
	cap_poll_until(t, &l, "rmdir", 1, 3000);
	CHECK(cap_find(&l, "rmdir", "pathname", path) != NULL);
	ASSERT(ebpfpub_tracer_add_syscall(t, "unlink") == 0);   /* and again */
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
}

/* Removing a syscall detaches it (its calls are no longer seen), delivers what it had
 * output, keeps its counts, and lets it be added again. */
static void test_remove(void)
{
	static const char *const names[] = { "mkdir", "rmdir" };
	uint32_t before[64], after[64];
	size_t nbefore = prog_ids("rmdir", before, 64), nafter;
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = cap_tracer(&l, names, 2);
	EBPFPUB_OPTS(ebpfpub_tracer_stats, st);
	char path[64];

	snprintf(path, sizeof(path), "/tmp/ebpfpub-remove-%d", getpid());
	CHECK_INT(ebpfpub_tracer_remove_syscall(t, "openat"), -ENOENT);
	CHECK_STR(ebpfpub_tracer_last_error(t), "syscall 'openat' is not traced");
	ASSERT(mkdir(path, 0700) == 0);
	ASSERT(rmdir(path) == 0);
	/* Not polled yet: the rmdir record is still in the output when rmdir is removed. */
	CHECK_INT(ebpfpub_tracer_remove_syscall(t, "rmdir"), 0);
	CHECK_INT(cap_count(&l, "rmdir"), 1);
	CHECK_INT(ebpfpub_tracer_syscall_count(t), 1);
	CHECK_STR(ebpfpub_tracer_syscall_name(t, 0), "mkdir");
	nafter = new_ids(after, prog_ids("rmdir", after, 64), before, nbefore);
	CHECK_INT(nafter, 0);
	ASSERT(mkdir(path, 0700) == 0);
	ASSERT(rmdir(path) == 0);   /* not traced any more */
	cap_poll_until(t, &l, "mkdir", 2, 3000);
	CHECK_INT(cap_count(&l, "mkdir"), 2);
	CHECK_INT(cap_count(&l, "rmdir"), 1);
	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	CHECK_INT(st.events, 3);
	CHECK_INT(st.in_flight + st.evicted + st.lost, 0);
	/* Added again: a fresh start for its counters, and its calls are seen again. */
	ASSERT(ebpfpub_tracer_add_syscall(t, "rmdir") == 0);
	ASSERT(mkdir(path, 0700) == 0);
	ASSERT(rmdir(path) == 0);
	cap_poll_until(t, &l, "rmdir", 2, 3000);
	CHECK_INT(cap_count(&l, "rmdir"), 2);
	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	CHECK_INT(st.events, 5);
	CHECK_INT(st.in_flight + st.evicted + st.lost + st.exit_not_seen, 0);
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
}

int main(void)
{
	test_require_root();
	test_destroy();
	test_process_death();
	test_two_tracers();
	test_add_after_poll();
	test_remove();
	return test_finish("test_lifecycle");
}
