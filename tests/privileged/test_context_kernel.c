/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process context of real calls: processes that the test places in cgroups it creates
 * with each runtime's real path layout under the cgroup2 mount, a chain of five nested
 * shells (ancestry and command lines), a parent that exits before its child's call, pid
 * reuse, a thread; then the cgroup filter (in the kernel) and the container and host
 * filters (user space), each counted where it ends.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sys/syscall.h>

#include "feature_probes.h"
#include "process_table.h"
#include "capture.h"
#include "cgroup_dir.h"
#include "util.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define POD_UID "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
#define MAX_SEEN 64

struct seen {
	char path[128];
	uint32_t pid, tid, uid;
	struct ebpfpub_process p;
	char cgroup[512], runtime[16], id[80], short_id[80], pod[40];
	struct ebpfpub_ancestor anc[8];
	char argv[8][256];   /* the ancestors' command lines joined with ' ' ("" unknown) */
};

static struct seen seen[MAX_SEEN];
static size_t seen_count;
static char tag[64];

static int on_event(void *ctx, const struct ebpfpub_event *ev)
{
	const struct ebpfpub_field *f = ebpfpub_event_field(ev, "pathname");
	const struct ebpfpub_process *p = ebpfpub_event_process(ev);
	struct seen *s;
	size_t i, j;

	(void)ctx;
	if (!f || f->type != EBPFPUB_VALUE_STRING || !strstr(f->value.bytes.data, tag))
		return 0;
	ASSERT(seen_count < MAX_SEEN);
	ASSERT(p);
	s = &seen[seen_count++];
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", strstr(f->value.bytes.data, tag) + strlen(tag));
	s->pid = ev->pid;
	s->tid = ev->tid;
	s->uid = ev->uid;
	s->p = *p;
	snprintf(s->cgroup, sizeof(s->cgroup), "%s", p->cgroup_path ? p->cgroup_path : "(null)");
	snprintf(s->runtime, sizeof(s->runtime), "%s", p->container_runtime);
	snprintf(s->id, sizeof(s->id), "%s", p->container_id);
	snprintf(s->short_id, sizeof(s->short_id), "%s", p->container_short_id);
	snprintf(s->pod, sizeof(s->pod), "%s", p->pod_uid ? p->pod_uid : "");
	for (i = 0; i < p->ancestor_count && i < 8; i++) {
		size_t at = 0;

		s->anc[i] = p->ancestors[i];
		for (j = 0; p->ancestors[i].argv && j < p->ancestors[i].argc; j++)
			at += (size_t)snprintf(s->argv[i] + at, at < 256 ? 256 - at : 0, "%s%s",
					       j ? " " : "", p->ancestors[i].argv[j]);
	}
	return 0;
}

static struct seen *find(const char *path)
{
	size_t i;

	for (i = 0; i < seen_count; i++)
		if (!strcmp(seen[i].path, path))
			return &seen[i];
	return NULL;
}

static char cg_root[512];   /* the cgroup2 mount */
static char cg_test[700];   /* our cgroup below it */
static char cg_rel[128];    /* its path as the kernel names it */

/* /proc/self/stat's start time (ticks) in ns. */
static uint64_t self_start_ticks_ns(pid_t pid, uint64_t *res)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks = 0;
	int i, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	ASSERT(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT(n > 0);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	ASSERT(p);
	for (i = 0; i < 20 && p; i++)   /* field 22 is the 20th after the comm */
		p = strchr(p + 1, ' ');
	ASSERT(p && sscanf(p + 1, "%llu", &ticks) == 1);
	return proctable_ticks_to_ns(ticks, res);
}

static uint32_t read_u32_file(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return EBPFPUB_AUID_UNSET;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? (uint32_t)strtoul(buf, NULL, 10) : EBPFPUB_AUID_UNSET;
}

static void cg_make(const char *rel)
{
	char path[1200], *s;

	snprintf(path, sizeof(path), "%s/%s", cg_test, rel);
	for (s = path + strlen(cg_test) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			ASSERT(0);
		*s = '/';
	}
	ASSERT(mkdir(path, 0755) == 0 || errno == EEXIST);
}

static uint64_t cg_id(const char *rel)
{
	char path[1200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", cg_test, rel);
	ASSERT(stat(path, &st) == 0);
	return st.st_ino;
}

/* A child that moves itself into cgroup REL ("" : ours) and calls mkdir(tag NAME). */
static pid_t mkdir_in(const char *rel, const char *name)
{
	pid_t pid = fork();

	ASSERT(pid >= 0);
	if (pid == 0) {
		char path[1200], dir[256];
		int fd;

		if (rel) {
			snprintf(path, sizeof(path), "%s%s%s/cgroup.procs", cg_test, *rel ? "/" : "", rel);
			fd = open(path, O_WRONLY);
			if (fd < 0 || write(fd, "0", 1) != 1)
				_exit(3);
			close(fd);
		}
		snprintf(dir, sizeof(dir), "/nonexistent/%s%s", tag, name);
		mkdir(dir, 0700);
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	ASSERT(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void drain(struct ebpfpub_tracer *t)
{
	int i;

	for (i = 0; i < 5; i++)
		if (ebpfpub_tracer_poll(t, 50) < 0)
			break;
}

static struct ebpfpub_tracer *tracer(const struct ebpfpub_tracer_opts *o)
{
	struct ebpfpub_tracer *t;
	int r = ebpfpub_tracer_new(o, &t);

	if (r < 0)
		fprintf(stderr, "tracer: %d\n", r);
	ASSERT(r == 0);
	r = ebpfpub_tracer_add_syscall(t, "mkdir");
	if (r == -ENODEV)
		test_skip_or_fail("tracefs is not mounted");
	if (r < 0)
		fprintf(stderr, "mkdir: %s\n", ebpfpub_tracer_last_error(t));
	ASSERT(r == 0);
	return t;
}

struct layout_case {
	const char *rel;
	const char *runtime, *id, *pod;
};

static const struct layout_case layouts[] = {
	{ "system.slice/docker-" HEX64 ".scope", "docker", HEX64, "" },
	{ "docker/" HEX64B, "docker", HEX64B, "" },
	{ "system.slice/cri-containerd-" HEX64 ".scope", "containerd", HEX64, "" },
	{ "system.slice/crio-" HEX64B ".scope", "cri-o", HEX64B, "" },
	{ "machine.slice/libpod-" HEX64 ".scope", "podman", HEX64, "" },
	{ "user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" HEX64B ".scope",
	  "podman", HEX64B, "" },
	{ "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	  "0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/cri-containerd-" HEX64 ".scope",
	  "kubernetes", HEX64, POD_UID },
	{ "kubepods/besteffort/pod" POD_UID "/" HEX64B, "kubernetes", HEX64B, POD_UID },
	{ "machine.slice/machine-mybox.scope", "nspawn", "mybox", "" },
	{ "lxc/web01", "lxc", "web01", "" },
	{ "system.slice/ssh.service", "host", "", "" },
};

static pid_t test_pid;

static void cleanup(void)
{
	if (getpid() == test_pid)
		cgroup_dir_remove(cg_test);
}

static void *thread_mkdir(void *arg)
{
	char dir[256];

	(void)arg;
	snprintf(dir, sizeof(dir), "/nonexistent/%sthread", tag);
	mkdir(dir, 0700);
	return (void *)(intptr_t)syscall(SYS_gettid);
}

int main(void)
{
	struct ebpfpub_tracer *t;
	struct ebpfpub_tracer_stats stats = { .sz = sizeof(stats) };
	uint64_t my_start, res;
	uint32_t auid = read_u32_file("/proc/self/loginuid");
	uint32_t sess = read_u32_file("/proc/self/sessionid");
	size_t i;
	struct seen *s;
	char name[64];

	test_require_root();
	test_pid = getpid();
	if (features_find_cgroup2("/proc/self/mountinfo", cg_root, sizeof(cg_root)) !=
		    EBPFPUB_FEATURE_YES || !cg_root[0])
		test_skip_or_fail("no cgroup2 mount");
	snprintf(tag, sizeof(tag), "ebpfpub-ctx-%d-", getpid());
	snprintf(cg_rel, sizeof(cg_rel), "ebpfpub-test-%d", getpid());
	snprintf(cg_test, sizeof(cg_test), "%s/%s", cg_root, cg_rel);
	ASSERT(mkdir(cg_test, 0755) == 0);
	atexit(cleanup);   /* a failed ASSERT exits: our cgroups go all the same */
	for (i = 0; i < ARRAY_SIZE(layouts); i++)
		cg_make(layouts[i].rel);
	my_start = self_start_ticks_ns(getpid(), &res);
	ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);

	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = on_event, .ancestors = 8,
			     .cmdline = true, .trace_self = true, .log_fn = test_log);
		t = tracer(&o);
	}

	/* Each runtime's layout, field by field. */
	/* Twice each: the second is most often sent as "the same path as this CPU's last". */
	for (i = 0; i < 2 * ARRAY_SIZE(layouts); i++) {
		snprintf(name, sizeof(name), "layout%zu", i);
		reap(mkdir_in(layouts[i / 2].rel, name));
	}
	drain(t);
	for (i = 0; i < 2 * ARRAY_SIZE(layouts); i++) {
		char want[1200];

		snprintf(name, sizeof(name), "layout%zu", i);
		s = find(name);
		if (!s) {
			fprintf(stderr, "no event for %s\n", layouts[i / 2].rel);
			CHECK(0);
			continue;
		}
		snprintf(want, sizeof(want), "/%s/%s", cg_rel, layouts[i / 2].rel);
		CHECK_STR(s->cgroup, want);
		CHECK(s->p.cgroup_id == cg_id(layouts[i / 2].rel));
		CHECK_STR(s->runtime, layouts[i / 2].runtime);
		CHECK_STR(s->id, layouts[i / 2].id);
		CHECK_STR(s->pod, layouts[i / 2].pod);
		if (strlen(layouts[i / 2].id) == 64)
			CHECK(strncmp(s->short_id, layouts[i / 2].id, 12) == 0 && strlen(s->short_id) == 12);
		CHECK_INT(s->p.ppid, getpid());
		CHECK_INT(s->p.flags & ~(uint32_t)EBPFPUB_PROCESS_NO_AUDIT, 0);
		if (!(s->p.flags & EBPFPUB_PROCESS_NO_AUDIT)) {
			CHECK_INT(s->p.auid, auid);
			CHECK_INT(s->p.session_id, sess);
		}
		/* The parent first: this test, at its start time, then its parent. */
		CHECK(s->p.ancestor_count >= 2);
		CHECK_INT(s->anc[0].pid, getpid());
		CHECK_STR(s->anc[0].comm, "test_context_ke");
		CHECK(s->anc[0].start_time_ns >= my_start && s->anc[0].start_time_ns < my_start + res);
		CHECK_INT(s->anc[1].pid, getppid());
	}
	fprintf(stderr, "%zu cgroup layouts checked (cgroup2 at %s)\n", ARRAY_SIZE(layouts),
		cg_root);

	/* Deep paths: the kernel keeps the leaf's RECORD_CGROUP_MAX_LEVELS (10) names; with
	 * exactly 10 below the root the path is whole, with 11 or 12 its top is cut ("..."). */
	{
		static const int depth[] = { 9, 10, 11 };   /* below ours, which is one more */
		char rel[256], want[400];
		size_t k;
		int d;

		for (k = 0; k < ARRAY_SIZE(depth); k++) {
			size_t at = 0;

			for (d = 1; d <= depth[k]; d++)
				at += (size_t)snprintf(rel + at, sizeof(rel) - at, "%sd%d", d > 1 ? "/" : "", d);
			cg_make(rel);
			snprintf(name, sizeof(name), "deep%zu", k);
			reap(mkdir_in(rel, name));
		}
		drain(t);
		for (k = 0; k < ARRAY_SIZE(depth); k++) {
			size_t at = 0;

			if (depth[k] == 9)
				at = (size_t)snprintf(want, sizeof(want), "/%s", cg_rel);
			else
				at = (size_t)snprintf(want, sizeof(want), "...");
			for (d = depth[k] == 11 ? 2 : 1; d <= depth[k]; d++)
				at += (size_t)snprintf(want + at, sizeof(want) - at, "/d%d", d);
			snprintf(name, sizeof(name), "deep%zu", k);
			s = find(name);
			CHECK(s != NULL);
			if (s)
				CHECK_STR(s->cgroup, want);
		}
	}

	/* Five nested shells: the innermost's mkdir child has them as ancestors, nearest
	 * first, with their exact command lines (from the execve events), then this test.
	 * Each level runs the next from an environment variable, so that every command line
	 * is an exact string; "; true" keeps each shell from exec'ing its last command. */
	{
		static const char *const lv[] = { "L1", "L2", "L3", "L4" };
		char inner[256], want[5][512];
		pid_t pid;
		int k;

		snprintf(inner, sizeof(inner), "mkdir /nonexistent/%snested 2>/dev/null; true",
			 tag);
		/* want[k]: the command line of level k + 1 */
		snprintf(want[0], sizeof(want[0]), "/bin/sh -c /bin/sh -c \"$L1\"; true");
		for (k = 1; k < 4; k++)
			snprintf(want[k], sizeof(want[k]), "/bin/sh -c /bin/sh -c \"$%s\"; true",
				 lv[k]);
		snprintf(want[4], sizeof(want[4]), "/bin/sh -c %s", inner);
		pid = fork();
		ASSERT(pid >= 0);
		if (pid == 0) {
			setenv("L4", inner, 1);
			setenv("L3", "/bin/sh -c \"$L4\"; true", 1);
			setenv("L2", "/bin/sh -c \"$L3\"; true", 1);
			setenv("L1", "/bin/sh -c \"$L2\"; true", 1);
			execl("/bin/sh", "/bin/sh", "-c", "/bin/sh -c \"$L1\"; true", (char *)NULL);
			_exit(127);
		}
		reap(pid);
		drain(t);
		s = find("nested");
		ASSERT(s);
		CHECK_INT(s->p.ancestor_count, 8);
		for (k = 0; k < 5; k++) {
			CHECK_STR(s->anc[k].comm, "sh");
			CHECK_STR(s->argv[k], want[4 - k]);
			CHECK_INT(s->anc[k].uid, 0);
			if (k < 4)
				CHECK(s->anc[k].start_time_ns >= s->anc[k + 1].start_time_ns);
		}
		CHECK_INT(s->p.ppid, s->anc[0].pid);
		CHECK_INT(s->anc[4].pid, pid);
		CHECK_INT(s->anc[5].pid, getpid());
		CHECK(s->anc[5].argv != NULL);   /* from the /proc scan */
		CHECK_INT(s->anc[6].pid, getppid());
	}

	/* A parent that exits before its child's call: the child is re-parented (to this
	 * test, a subreaper), and the event says so, as the kernel did at that instant. */
	{
		int pfd[2];
		pid_t mid, orphan = 0;

		ASSERT(pipe(pfd) == 0);
		mid = fork();
		ASSERT(mid >= 0);
		if (mid == 0) {
			pid_t me = getpid(), c = fork();

			if (c == 0) {
				char dir[256];

				while (getppid() == me)
					usleep(1000);
				snprintf(dir, sizeof(dir), "/nonexistent/%sorphan", tag);
				mkdir(dir, 0700);
				_exit(0);
			}
			if (write(pfd[1], &c, sizeof(c)) != sizeof(c))
				_exit(1);
			_exit(0);
		}
		close(pfd[1]);
		ASSERT(read(pfd[0], &orphan, sizeof(orphan)) == sizeof(orphan));
		close(pfd[0]);
		reap(mid);
		reap(orphan);
		drain(t);
		s = find("orphan");
		ASSERT(s);
		CHECK_INT(s->pid, orphan);
		CHECK_INT(s->p.ppid, getpid());
		CHECK_INT(s->anc[0].pid, getpid());
	}

	/* Pid reuse: a process that exec'd a shell, then another process with the same pid
	 * that never exec'd. The second's child must not get the first's command line. */
	{
		char lastpid[32];
		pid_t a, b;
		int fd, tries;

		a = fork();
		ASSERT(a >= 0);
		if (a == 0) {
			char cmd[256];

			snprintf(cmd, sizeof(cmd), "mkdir /nonexistent/%sreuse-a 2>/dev/null; true",
				 tag);
			execl("/bin/sh", "/bin/sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		reap(a);
		for (tries = 0, b = -1; tries < 20 && b != a; tries++) {
			fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
			ASSERT(fd >= 0);
			snprintf(lastpid, sizeof(lastpid), "%d", (int)a - 1);
			ASSERT(write(fd, lastpid, strlen(lastpid)) > 0);
			close(fd);
			b = fork();
			ASSERT(b >= 0);
			if (b == 0) {
				if (getpid() == a)
					reap(mkdir_in(NULL, "reuse-b"));
				_exit(0);
			}
			reap(b);
		}
		CHECK_INT(b, a);
		drain(t);
		s = find("reuse-a");
		ASSERT(s);
		CHECK_INT(s->anc[0].pid, a);
		CHECK(strstr(s->argv[0], "reuse-a") != NULL);
		{
			uint64_t a_start = s->anc[0].start_time_ns;

			s = find("reuse-b");
			ASSERT(s);
			CHECK_INT(s->anc[0].pid, a);
			CHECK(s->anc[0].start_time_ns > a_start);
			CHECK_STR(s->argv[0], "");   /* never the other process's command line */
			CHECK_INT(s->anc[0].uid, EBPFPUB_UID_UNKNOWN);
		}
	}

	/* A thread of a multi-threaded process: its own tid, the process's pid, start time
	 * and parent. */
	{
		pthread_t th;
		void *tid;

		ASSERT(pthread_create(&th, NULL, thread_mkdir, NULL) == 0);
		ASSERT(pthread_join(th, &tid) == 0);
		drain(t);
		s = find("thread");
		ASSERT(s);
		CHECK_INT(s->pid, getpid());
		CHECK_INT(s->tid, (uint32_t)(intptr_t)tid);
		CHECK(s->tid != s->pid);
		CHECK_INT(s->p.ppid, getppid());
		CHECK(s->p.start_time_ns >= my_start && s->p.start_time_ns < my_start + res);
	}
	ebpfpub_tracer_free(t);

	/* --cgroup: exact, in the kernel; the call outside is counted as kernel-filtered. */
	{
		char rel[700];

		seen_count = 0;
		snprintf(rel, sizeof(rel), "%s/system.slice", cg_rel);
		{
			EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = on_event, .cgroup = rel,
				     .log_fn = test_log);
			t = tracer(&o);
		}
		reap(mkdir_in(layouts[0].rel, "cg-in"));
		reap(mkdir_in("lxc/web01", "cg-out"));
		reap(mkdir_in(NULL, "cg-out2"));
		drain(t);
		CHECK(find("cg-in") != NULL);
		CHECK(find("cg-out") == NULL);
		CHECK(find("cg-out2") == NULL);
		ebpfpub_tracer_stats(t, &stats);
		CHECK(stats.kernel_filtered >= 2);
		ebpfpub_tracer_free(t);
	}

	/* --container (a prefix) and --host, --no-host: in user space, counted as filtered. */
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = on_event, .container = "0123456789ab",
			     .log_fn = test_log);

		seen_count = 0;
		t = tracer(&o);
		reap(mkdir_in(layouts[0].rel, "ct-docker"));
		reap(mkdir_in(layouts[3].rel, "ct-crio"));
		reap(mkdir_in("", "ct-host"));
		drain(t);
		CHECK(find("ct-docker") != NULL);
		CHECK(find("ct-crio") == NULL);
		CHECK(find("ct-host") == NULL);
		ebpfpub_tracer_stats(t, &stats);
		CHECK(stats.filtered >= 2);
		ebpfpub_tracer_free(t);

		o.container = NULL;
		o.host_filter = EBPFPUB_HOST_ONLY;
		seen_count = 0;
		t = tracer(&o);
		reap(mkdir_in(layouts[0].rel, "h-docker"));
		reap(mkdir_in("system.slice/ssh.service", "h-host"));
		drain(t);
		CHECK(find("h-docker") == NULL);
		CHECK(find("h-host") != NULL);
		ebpfpub_tracer_free(t);

		o.host_filter = EBPFPUB_CONTAINERS_ONLY;
		seen_count = 0;
		t = tracer(&o);
		reap(mkdir_in(layouts[9].rel, "nh-lxc"));
		reap(mkdir_in("system.slice/ssh.service", "nh-host"));
		drain(t);
		CHECK(find("nh-lxc") != NULL);
		CHECK(find("nh-host") == NULL);
		ebpfpub_tracer_free(t);
	}

	/* Context off: no process; bad options refused with a message. */
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = on_event, .no_process_context = true,
			     .log_fn = test_log);
		struct ebpfpub_tracer *bad = NULL;

		o.ancestors = 33;
		o.no_process_context = false;
		CHECK_INT(ebpfpub_tracer_new(&o, &bad), -EINVAL);
		o.ancestors = 0;
		o.host_filter = 3;
		CHECK_INT(ebpfpub_tracer_new(&o, &bad), -EINVAL);
		o.host_filter = 0;
		o.cgroup = "no-such-cgroup-here";
		CHECK(ebpfpub_tracer_new(&o, &bad) < 0);
		o.cgroup = "/tmp";
		CHECK_INT(ebpfpub_tracer_new(&o, &bad), -EINVAL);
		o.cgroup = NULL;
		o.no_process_context = true;
		o.ancestors = 2;
		CHECK_INT(ebpfpub_tracer_new(&o, &bad), -EINVAL);
		CHECK(bad == NULL);
	}

	return test_finish("test_context_kernel");
}
