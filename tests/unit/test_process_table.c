/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process table on a fixture /proc made at test time (odd comms, kernel threads,
 * missing files, garbage), on pid reuse, exec, aging under both bounds, and one scan of
 * the real /proc checked against this test's own pid, parent and command line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pipe2 */
#endif
#include "test.h"

#include "process_table.h"

#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define PATHF(buf, ...) ASSERT(snprintf(buf, sizeof(buf), __VA_ARGS__) < (int)sizeof(buf))

static char fixture[64];

static void write_file(const char *rel, const char *data, size_t len)
{
	char path[256];
	FILE *f;

	PATHF(path, "%s/%s", fixture, rel);
	f = fopen(path, "we");
	ASSERT(f);
	ASSERT(fwrite(data, 1, len, f) == len);
	ASSERT(fclose(f) == 0);
}

static void make_dir(const char *rel)
{
	char path[256];

	PATHF(path, "%s/%s", fixture, rel);
	ASSERT(mkdir(path, 0755) == 0);
}

/* A stat line as the kernel writes it, with COMM, PPID and STARTTIME (ticks). */
static void write_stat(unsigned int pid, const char *comm, unsigned int ppid,
		       unsigned long long starttime)
{
	char rel[64], line[1024];
	int n;

	PATHF(rel, "%u", pid);
	make_dir(rel);
	PATHF(rel, "%u/stat", pid);
	n = snprintf(line, sizeof(line),
		     "%u (%s) S %u %u %u 0 -1 4194560 1234 0 0 0 5 3 0 0 20 0 1 0 %llu "
		     "12345678 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		     pid, comm, ppid, pid, pid, starttime);
	ASSERT(n > 0 && n < (int)sizeof(line));
	write_file(rel, line, (size_t)n);
}

static void write_status_uid(unsigned int pid, const char *uid_line)
{
	char rel[64], text[512];
	int n;

	PATHF(rel, "%u/status", pid);
	n = snprintf(text, sizeof(text), "Name:\tx\nUmask:\t0022\nState:\tS (sleeping)\n"
		     "Tgid:\t%u\nPid:\t%u\nPPid:\t1\n%s\nGid:\t0\t0\t0\t0\n", pid, pid, uid_line);
	ASSERT(n > 0 && n < (int)sizeof(text));
	write_file(rel, text, (size_t)n);
}

static void write_cmdline(unsigned int pid, const char *data, size_t len)
{
	char rel[64];

	PATHF(rel, "%u/cmdline", pid);
	write_file(rel, data, len);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static uint64_t ticks(unsigned long long n)
{
	return proctable_ticks_to_ns(n, NULL);
}

static void check_argv(const struct proctable_entry *e, size_t argc, const char *const *want)
{
	size_t i;

	CHECK_INT(e->argc, argc);
	if (e->argc != argc || !e->argv)
		return;
	for (i = 0; i < argc; i++)
		CHECK_STR(e->argv[i], want[i]);
	CHECK(e->argv[argc] == NULL);
}

static void build_fixture(void)
{
	static const char long_cmd[] = "aaaaaaaaaa\0bbbbbbbbbb\0cccccccccc\0";

	PATHF(fixture, "/tmp/ebpfpub-proctable-XXXXXX");
	ASSERT(mkdtemp(fixture));
	/* a comm with spaces and parentheses */
	write_stat(100, "my (weird) app", 1, 12345);
	write_status_uid(100, "Uid:\t1000\t1001\t1002\t1003");
	write_cmdline(100, "app\0--flag\0x y\0", 15);
	/* a kernel thread: empty cmdline, parent 0 */
	write_stat(2, "kthreadd", 0, 3);
	write_status_uid(2, "Uid:\t0\t0\t0\t0");
	write_cmdline(2, "", 0);
	/* stat only */
	write_stat(300, "lonely", 2, 400);
	/* a workqueue worker's long name, a comm that is only ')' */
	write_stat(604, "kworker/u8:2-events_unbound", 2, 50);
	write_stat(602, ")", 1, 51);
	write_status_uid(602, "Uid:\tabc\t0\t0\t0");
	/* setproctitle: one string and no NUL */
	write_stat(600, "nginx", 1, 60);
	write_status_uid(600, "Uid:\t33\t33\t33\t33");
	write_cmdline(600, "nginx: worker process", 21);
	/* longer than max_cmdline (24): only the two whole arguments that fit */
	write_stat(601, "long", 1, 61);
	write_cmdline(601, long_cmd, sizeof(long_cmd) - 1);
	/* garbage and truncated stats, a pid mismatch, no stat, not a directory */
	make_dir("400");
	write_file("400/stat", "hello", 5);
	make_dir("401");
	write_file("401/stat", "401 (no close S 1 2 3", 21);
	make_dir("402");
	write_file("402/stat", "402 (cut) S 1 402 402 0 -1 4194560 1 2\n", 40);
	write_stat(403, "other", 1, 70);
	{
		char from[256], to[256];

		PATHF(from, "%s/403", fixture);
		PATHF(to, "%s/404", fixture);
		ASSERT(rename(from, to) == 0);
	}
	make_dir("405");
	write_file("406", "x", 1);
	make_dir("407");
	write_file("407/stat", "407 (huge) S 99999999999 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5\n", 64);
	/* not pids: ignored, not counted */
	make_dir("self");
	make_dir("0123");
	make_dir("sys");
	write_file("uptime", "1.0 1.0\n", 8);
}

static void test_fixture_scan(void)
{
	struct proctable_limits lim = { .max_entries = 64, .max_bytes = 1 << 20, .max_cmdline = 24 };
	static const char *const argv100[] = { "app", "--flag", "x y" };
	static const char *const argv600[] = { "nginx: worker process" };
	static const char *const argv601[] = { "aaaaaaaaaa", "bbbbbbbbbb" };
	const struct proctable_entry *e;
	struct proctable_stats st;
	struct proctable *t = proctable_new(&lim);
	uint64_t res;
	size_t skipped = 99;

	ASSERT(t);
	proctable_ticks_to_ns(0, &res);
	CHECK_INT(res, 1000000000 / sysconf(_SC_CLK_TCK));
	CHECK_INT(ticks(12345), 12345ull * res);
	CHECK_INT(ticks(0), 0);
	/* 2^40 ticks: ticks * 1e9 would overflow 64 bits */
	CHECK_INT(proctable_ticks_to_ns(1ull << 40, NULL), (1ull << 40) * res);
	CHECK_INT(proctable_scan(t, fixture, &skipped), 7);
	CHECK_INT(skipped, 7);	/* 400 401 402 404 405 406 407 */
	proctable_get_stats(t, &st);
	CHECK_INT(st.entries, 7);

	e = proctable_lookup(t, 100, ticks(12345));
	ASSERT(e);
	CHECK_STR(e->comm, "my (weird) app");
	CHECK_INT(e->pid, 100);
	CHECK_INT(e->ppid, 1);
	CHECK_INT(e->uid, 1000);
	CHECK_INT(e->start_ns, ticks(12345));
	CHECK_INT(e->start_res_ns, res);
	CHECK(!e->exited);
	CHECK(!e->argv_truncated);
	check_argv(e, 3, argv100);
	/* any time inside the tick is this process; the next tick is not */
	CHECK(proctable_lookup(t, 100, ticks(12345) + res - 1) == e);
	CHECK(proctable_lookup(t, 100, ticks(12345) + res) == NULL);
	CHECK(proctable_lookup(t, 100, ticks(12345) - 1) == NULL);
	CHECK(proctable_lookup(t, 101, ticks(12345)) == NULL);

	e = proctable_lookup(t, 2, ticks(3));
	ASSERT(e);
	CHECK_STR(e->comm, "kthreadd");
	CHECK_INT(e->ppid, 0);
	CHECK_INT(e->uid, 0);
	CHECK(e->argv != NULL);
	check_argv(e, 0, NULL);

	e = proctable_lookup(t, 300, ticks(400));
	ASSERT(e);
	CHECK_STR(e->comm, "lonely");
	CHECK_INT(e->ppid, 2);
	CHECK_INT(e->uid, PROCTABLE_UID_UNKNOWN);
	CHECK(e->argv == NULL);
	CHECK_INT(e->argc, 0);

	e = proctable_lookup(t, 604, ticks(50));
	ASSERT(e);
	CHECK_STR(e->comm, "kworker/u8:2-events_unbound");
	e = proctable_lookup(t, 602, ticks(51));
	ASSERT(e);
	CHECK_STR(e->comm, ")");
	CHECK_INT(e->uid, PROCTABLE_UID_UNKNOWN);

	e = proctable_lookup(t, 600, ticks(60));
	ASSERT(e);
	CHECK_INT(e->uid, 33);
	check_argv(e, 1, argv600);
	CHECK(!e->argv_truncated);

	e = proctable_lookup(t, 601, ticks(61));
	ASSERT(e);
	check_argv(e, 2, argv601);
	CHECK(e->argv_truncated);

	CHECK(proctable_lookup(t, 404, ticks(70)) == NULL);
	CHECK(proctable_lookup(t, 407, ticks(5)) == NULL);

	/* bytes are exactly what proctable_entry_bytes says */
	proctable_get_stats(t, &st);
	CHECK_INT(st.bytes, proctable_entry_bytes(3, 15) + proctable_entry_bytes(0, 0) * 4 +
			    proctable_entry_bytes(1, 22) + proctable_entry_bytes(2, 22));
	CHECK_INT(st.evicted_exited + st.evicted_live, 0);

	/* a second scan refreshes: same entries, nothing added twice */
	CHECK_INT(proctable_scan(t, fixture, NULL), 7);
	proctable_get_stats(t, &st);
	CHECK_INT(st.entries, 7);

	CHECK_INT(proctable_scan(t, "/nonexistent-proc-root", NULL), -ENOENT);
	CHECK_INT(proctable_scan(t, NULL, NULL), -EINVAL);
	proctable_free(t);
}

static void test_exec_and_reuse(void)
{
	static const char *const old_argv[] = { "app", "--flag", "x y" };
	static const char *const sh_argv[] = { "/bin/sh", "-c", "echo hi" };
	static const char *const new_argv[] = { "sleep", "10" };
	const struct proctable_entry *e, *old;
	struct proctable_stats st;
	struct proctable *t = proctable_new(NULL);
	uint64_t exact = ticks(12345) + 4321;

	ASSERT(t);
	CHECK_INT(proctable_scan(t, fixture, NULL), 7);
	/* an execve of the scanned process: same entry, new command line, exact start */
	CHECK_INT(proctable_exec(t, 100, exact, 1, 0, "sh", 3, sh_argv), 0);
	proctable_get_stats(t, &st);
	CHECK_INT(st.entries, 7);
	e = proctable_lookup(t, 100, exact);
	ASSERT(e);
	CHECK_STR(e->comm, "sh");
	CHECK_INT(e->uid, 0);
	CHECK_INT(e->start_ns, exact);
	CHECK_INT(e->start_res_ns, 1);
	check_argv(e, 3, sh_argv);
	/* now exact: the rest of the tick is someone else */
	CHECK(proctable_lookup(t, 100, ticks(12345)) == NULL);
	CHECK(proctable_lookup(t, 100, exact + 1) == NULL);
	/* a rescan finds the same process and keeps the exact start */
	CHECK_INT(proctable_scan(t, fixture, NULL), 7);
	e = proctable_lookup(t, 100, exact);
	ASSERT(e);
	CHECK_INT(e->start_ns, exact);
	check_argv(e, 3, old_argv);
	CHECK_STR(e->comm, "my (weird) app");

	/* pid 100 reused by a later process: the old one is exited, never confused */
	CHECK_INT(proctable_exec(t, 100, exact + 5000000000ull, 50, 1000, NULL, 2, new_argv), 0);
	old = proctable_lookup(t, 100, exact);
	ASSERT(old);
	CHECK(old->exited);
	check_argv(old, 3, old_argv);
	e = proctable_lookup(t, 100, exact + 5000000000ull);
	ASSERT(e && e != old);
	CHECK(!e->exited);
	CHECK_STR(e->comm, "");
	CHECK_INT(e->ppid, 50);
	CHECK_INT(e->uid, 1000);
	check_argv(e, 2, new_argv);
	CHECK(proctable_lookup(t, 100, exact + 2500000000ull) == NULL);
	proctable_get_stats(t, &st);
	CHECK_INT(st.entries, 8);

	/* exec with NULL comm keeps the comm; argc 0 is an empty command line */
	CHECK_INT(proctable_exec(t, 2, ticks(3), 0, 0, NULL, 0, NULL), 0);
	e = proctable_lookup(t, 2, ticks(3));
	ASSERT(e);
	CHECK_STR(e->comm, "kthreadd");
	check_argv(e, 0, NULL);

	CHECK_INT(proctable_exit(t, 300, ticks(400)), 0);
	CHECK(proctable_lookup(t, 300, ticks(400))->exited);
	CHECK_INT(proctable_exit(t, 300, ticks(401)), -ENOENT);
	CHECK_INT(proctable_exit(t, 999, 1), -ENOENT);
	CHECK_INT(proctable_exec(t, 1, 1, 0, 0, NULL, 1, NULL), -EINVAL);
	CHECK_INT(proctable_exec(t, 1, 1, 0, 0, NULL, 2, (const char *const[]){ "a", NULL }), -EINVAL);
	CHECK_INT(proctable_exec(NULL, 1, 1, 0, 0, NULL, 0, NULL), -EINVAL);
	proctable_free(t);
}

static void exec_simple(struct proctable *t, uint32_t pid, const char *arg)
{
	const char *argv[] = { arg };

	CHECK_INT(proctable_exec(t, pid, (uint64_t)pid * 1000, 1, 0, "p", 1, argv), 0);
}

static void test_aging(void)
{
	size_t one = proctable_entry_bytes(1, 2);	/* one argument of one letter */
	struct proctable_limits lim = { .max_entries = 4, .max_bytes = 1 << 20, .max_cmdline = 64 };
	struct proctable_stats st;
	struct proctable *t;
	uint32_t pid;

	/* by count: exited ones go first, least recently used first */
	t = proctable_new(&lim);
	ASSERT(t);
	for (pid = 1; pid <= 4; pid++)
		exec_simple(t, pid, "a");
	CHECK_INT(proctable_exit(t, 2, 2000), 0);
	CHECK_INT(proctable_exit(t, 3, 3000), 0);
	CHECK(proctable_lookup(t, 2, 2000));	/* 2 used after 3: 3 goes first */
	exec_simple(t, 5, "a");
	CHECK(proctable_lookup(t, 3, 3000) == NULL);
	CHECK(proctable_lookup(t, 2, 2000) != NULL);
	exec_simple(t, 6, "a");
	CHECK(proctable_lookup(t, 2, 2000) == NULL);
	proctable_get_stats(t, &st);
	CHECK_INT(st.entries, 4);
	CHECK_INT(st.evicted_exited, 2);
	CHECK_INT(st.evicted_live, 0);
	/* no exited one left: the least recently used live one (1 used last, so 4) */
	CHECK(proctable_lookup(t, 1, 1000));
	exec_simple(t, 7, "a");
	CHECK(proctable_lookup(t, 4, 4000) == NULL);
	CHECK(proctable_lookup(t, 1, 1000) != NULL);
	proctable_get_stats(t, &st);
	CHECK_INT(st.entries, 4);
	CHECK_INT(st.evicted_live, 1);
	CHECK_INT(st.bytes, 4 * one);
	proctable_free(t);

	/* by bytes: room for exactly three small entries and a big one replaces two */
	lim.max_entries = 100;
	lim.max_cmdline = 64;
	lim.max_bytes = proctable_entry_bytes(64, 64);
	ASSERT(lim.max_bytes >= 3 * one);
	t = proctable_new(&lim);
	ASSERT(t);
	for (pid = 1; pid <= 200; pid++) {
		exec_simple(t, pid, "a");
		proctable_get_stats(t, &st);
		CHECK(st.bytes <= lim.max_bytes);
		if (pid % 3 == 0)
			proctable_exit(t, pid, (uint64_t)pid * 1000);
	}
	proctable_get_stats(t, &st);
	CHECK_INT(st.entries, lim.max_bytes / one);
	CHECK_INT(st.bytes, st.entries * one);
	CHECK_INT(st.evicted_exited + st.evicted_live, 200 - st.entries);
	CHECK(proctable_lookup(t, 200, 200000) != NULL);
	CHECK(proctable_lookup(t, 1, 1000) == NULL);
	{
		char big[64];
		const char *argv[] = { big };

		memset(big, 'z', 62);
		big[62] = '\0';
		CHECK_INT(proctable_exec(t, 1000, 1, 1, 0, "big", 1, argv), 0);
		proctable_get_stats(t, &st);
		CHECK(st.bytes <= lim.max_bytes);
		CHECK(proctable_lookup(t, 1000, 1) != NULL);
		CHECK_INT(st.bytes, proctable_entry_bytes(1, 63) + (st.entries - 1) * one);
	}
	proctable_free(t);

	/* limits that cannot hold one command line are refused */
	lim.max_bytes = proctable_entry_bytes(64, 64) - 1;
	errno = 0;
	CHECK(proctable_new(&lim) == NULL);
	CHECK_INT(errno, EINVAL);
	lim.max_bytes = 1 << 20;
	lim.max_entries = 0;
	CHECK(proctable_new(&lim) == NULL);
	lim.max_entries = 1;
	lim.max_cmdline = 0;
	CHECK(proctable_new(&lim) == NULL);
}

/* The start time (ticks) of PID from /proc/PID/stat, parsed here on its own. */
static unsigned long long starttime_of(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long long v = 0;
	size_t n;
	FILE *f;
	int i;

	PATHF(path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	ASSERT(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	ASSERT(p);
	p += 2;
	for (i = 0; i < 19; i++) {
		p = strchr(p, ' ');
		ASSERT(p);
		p++;
	}
	ASSERT(sscanf(p, "%llu", &v) == 1);
	return v;
}

/* A child that stays in a known command line: returns once it has exec'd (the pipe's
 * close-on-exec end closes). */
static pid_t start_child(const char *const *argv)
{
	int fds[2];
	char c;
	pid_t pid;

	ASSERT(pipe2(fds, O_CLOEXEC) == 0);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		close(fds[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	ASSERT(read(fds[0], &c, 1) == 0);
	close(fds[0]);
	return pid;
}

/* Compares E's argv with the raw bytes of /proc/PID/cmdline, read here on its own
 * (through a /proc dirfd: valgrind fakes the file for an open of the whole path). */
static void check_self_cmdline(const struct proctable_entry *e, int argc, char **argv)
{
	char raw[4096];
	size_t len = 0, off = 0, i = 0;
	int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;
	char rel[32];
	ssize_t r;

	ASSERT(dfd >= 0);
	PATHF(rel, "%d/cmdline", (int)getpid());
	fd = openat(dfd, rel, O_RDONLY | O_CLOEXEC);
	close(dfd);
	ASSERT(fd >= 0);
	while ((r = read(fd, raw + len, sizeof(raw) - len)) > 0)
		len += (size_t)r;
	close(fd);
	ASSERT(len > 0 && len < sizeof(raw) && raw[len - 1] == '\0');
	for (; off < len; i++) {
		CHECK(i < e->argc);
		if (i >= e->argc)
			return;
		CHECK_STR(e->argv[i], raw + off);
		off += strlen(raw + off) + 1;
	}
	CHECK_INT(e->argc, i);
	/* not under valgrind: main's argv, exactly */
	if (strcmp(raw, argv[0]) == 0) {
		CHECK_INT(e->argc, argc);
		for (i = 0; i < (size_t)argc && i < e->argc; i++)
			CHECK_STR(e->argv[i], argv[i]);
	}
}

static void test_real_proc(int argc, char **argv)
{
	/* dash forks sleep for "sleep 30; :" and stays, with this command line */
	static const char *const child_argv[] = { "/bin/sh", "-c", "sleep 30; :", "my (shell)",
						  "a b", "", NULL };
	struct proctable *t = proctable_new(NULL);
	const struct proctable_entry *e;
	pid_t child = start_child(child_argv);
	size_t skipped;
	int n, status;

	ASSERT(t);
	n = proctable_scan(t, "/proc", &skipped);
	CHECK(n >= 3);
	/* this process: pid, parent, uid, command line (valgrind's when run under it) */
	e = proctable_lookup(t, (uint32_t)getpid(), ticks(starttime_of(getpid())));
	ASSERT(e);
	CHECK_INT(e->pid, getpid());
	CHECK_INT(e->ppid, getppid());
	CHECK_INT(e->uid, getuid());
	CHECK(!e->argv_truncated);
	check_self_cmdline(e, argc, argv);
	/* the child: everything exactly */
	e = proctable_lookup(t, (uint32_t)child, ticks(starttime_of(child)));
	ASSERT(e);
	CHECK_INT(e->pid, child);
	CHECK_INT(e->ppid, getpid());
	CHECK_INT(e->uid, getuid());
	CHECK_STR(e->comm, "sh");
	check_argv(e, 6, child_argv);
	CHECK(!e->exited);
	/* the same pid one tick later is another process */
	CHECK(proctable_lookup(t, (uint32_t)child, ticks(starttime_of(child) + 1)) == NULL);
	printf("real /proc: %d processes, %zu skipped; self %d, child %d\n", n, skipped,
	       (int)getpid(), (int)child);
	ASSERT(kill(-child, SIGKILL) == 0);
	ASSERT(waitpid(child, &status, 0) == child);
	proctable_free(t);
}

int main(int argc, char **argv)
{
	build_fixture();
	test_fixture_scan();
	test_exec_and_reuse();
	test_aging();
	test_real_proc(argc, argv);
	ASSERT(nftw(fixture, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
	return test_finish("test_process_table");
}
