/* SPDX-License-Identifier: Apache-2.0 */
/* ebpfpub_features_*() and ebpfpub_list_syscalls() with the fixture tree as tracefs. */
#define _GNU_SOURCE /* nftw() */
#include "test.h"

#include <ebpfpub/ebpfpub.h>

#include "feature_probes.h"

#include <ftw.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>

/* statfs()'s f_type of a cgroup2 mount (linux/magic.h's CGROUP2_SUPER_MAGIC). */
#define CGROUP2_MAGIC 0x63677270

#define PATHF(buf, ...) ASSERT(snprintf(buf, sizeof(buf), __VA_ARGS__) < (int)sizeof(buf))

static const char *formats_root(void)
{
	const char *root = getenv("EBPFPUB_TEST_FORMATS");

	return root && root[0] ? root : "tests/data/formats";
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static bool valid_state(enum ebpfpub_feature_state s)
{
	return s == EBPFPUB_FEATURE_NO || s == EBPFPUB_FEATURE_YES || s == EBPFPUB_FEATURE_UNKNOWN;
}

/* The effective capability set as /proc/self/status shows it, to check capget's reading. */
static bool cap_eff(uint64_t *eff)
{
	char line[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, eff) == 1)
			found = true;
	fclose(f);
	return found;
}

static void check_line(const char *report, const char *line)
{
	if (!strstr(report, line)) {
		fprintf(stderr, "report lacks '%s':\n%s", line, report);
		test_failures++;
	}
}

/* The findings about the running kernel, against evidence found another way. */
static void check_probed_kernel(const struct ebpfpub_features *f)
{
	const enum ebpfpub_feature_state programs[] = {
		f->probe_read_user_kernel, f->bounded_loops, f->bpf_loop, f->send_signal,
		f->task_storage, f->current_task_btf,
	};
	struct statfs sfs;
	size_t i;

	for (i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		CHECK(valid_state(programs[i]));
		/* No program can be loaded without both: nothing can be known then. */
		if (f->cap_bpf == EBPFPUB_FEATURE_NO || f->cap_perfmon == EBPFPUB_FEATURE_NO)
			CHECK_INT(programs[i], EBPFPUB_FEATURE_UNKNOWN);
	}
	if (f->cap_bpf == EBPFPUB_FEATURE_NO)
		CHECK(f->ring_buffer != EBPFPUB_FEATURE_YES);

	CHECK(valid_state(f->cgroup2));
	if (f->cgroup2 == EBPFPUB_FEATURE_YES) {
		ASSERT(f->cgroup2_path[0] == '/');
		CHECK(statfs(f->cgroup2_path, &sfs) == 0 && sfs.f_type == CGROUP2_MAGIC);
	} else {
		CHECK_STR(f->cgroup2_path, "");
	}
	CHECK_INT(f->audit_loginuid, access("/proc/self/loginuid", F_OK) == 0 ?
					     EBPFPUB_FEATURE_YES :
					     EBPFPUB_FEATURE_NO);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	ASSERT(f);
	ASSERT(fputs(text, f) >= 0);
	ASSERT(fclose(f) == 0);
}

/* cgroup2 found through mountinfo, with v1 controllers beside it as on this project's VM. */
static void check_cgroup2_mountinfo(const char *tmp)
{
	char path[600], found[256], small[8];

	PATHF(path, "%s/mountinfo", tmp);
	write_file(path,
		   "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		   "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		   "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
		   "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
		   "50 31 0:39 / /mnt/second rw,relatime - cgroup2 cgroup2 rw\n");
	CHECK_INT(features_find_cgroup2(path, found, sizeof(found)), EBPFPUB_FEATURE_YES);
	CHECK_STR(found, "/sys/fs/cgroup/unified");

	/* Optional fields before "-", an escaped space, and "cgroup2" as a tmpfs's source: only
	 * the file system type counts. */
	write_file(path,
		   "22 1 0:21 / /run/cg2 rw shared:5 - tmpfs cgroup2 rw\n"
		   "29 22 0:26 / /run/my\\040cg rw,nosuid shared:9 master:1 - cgroup2 none rw\n");
	CHECK_INT(features_find_cgroup2(path, found, sizeof(found)), EBPFPUB_FEATURE_YES);
	CHECK_STR(found, "/run/my cg");

	/* A mount point that does not fit: present, path not given. */
	memset(small, 'x', sizeof(small));
	CHECK_INT(features_find_cgroup2(path, small, sizeof(small)), EBPFPUB_FEATURE_YES);
	CHECK_STR(small, "");

	write_file(path, "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n");
	strcpy(found, "stale");
	CHECK_INT(features_find_cgroup2(path, found, sizeof(found)), EBPFPUB_FEATURE_NO);
	CHECK_STR(found, "");

	write_file(path, "");
	CHECK_INT(features_find_cgroup2(path, found, sizeof(found)), EBPFPUB_FEATURE_NO);
	CHECK(remove(path) == 0);
	CHECK_INT(features_find_cgroup2(path, found, sizeof(found)), EBPFPUB_FEATURE_UNKNOWN);
	CHECK_STR(found, "");
}

/* What the report says when a kernel lacks each probed feature, or cannot be asked. */
static void check_describe_kernel_features(void)
{
	EBPFPUB_OPTS(ebpfpub_features, f);
	char report[4096];

	f.probe_read_user_kernel = EBPFPUB_FEATURE_NO;
	f.bounded_loops = EBPFPUB_FEATURE_NO;
	f.bpf_loop = EBPFPUB_FEATURE_NO;
	f.send_signal = EBPFPUB_FEATURE_NO;
	f.task_storage = EBPFPUB_FEATURE_NO;
	f.current_task_btf = EBPFPUB_FEATURE_NO;
	f.cgroup2 = EBPFPUB_FEATURE_NO;
	f.audit_loginuid = EBPFPUB_FEATURE_NO;
	f.ring_buffer = EBPFPUB_FEATURE_NO;
	f.btf = EBPFPUB_FEATURE_NO;
	ASSERT(ebpfpub_features_describe(&f, report, sizeof(report)) > 0);
	check_line(report, "ring buffer: no (Linux 5.8 or later: a perf event array is used "
			   "instead)\n");
	check_line(report, "BTF: no (/sys/kernel/btf/vmlinux is missing: execve argv is read "
			   "only at enter, not again from the new program)\n");
	check_line(report, "bpf_probe_read_user/kernel: no (Linux 5.5 or later: no program can "
			   "be loaded)\n");
	check_line(report, "bounded loops: no (Linux 5.3 or later: execve and execveat cannot "
			   "be traced (their argv loop is rejected); other syscalls are not "
			   "affected)\n");
	check_line(report, "bpf_loop: no (Linux 5.17 or later: argv is read in a bounded loop "
			   "instead)\n");
	check_line(report, "bpf_send_signal: no (Linux 5.3 or later: not used by this "
			   "version)\n");
	check_line(report, "task-local storage: no (Linux 5.11 or later: enter entries wait in "
			   "one LRU hash per syscall instead, where more threads inside a call than "
			   "it holds are evicted)\n");
	check_line(report, "bpf_get_current_task_btf: no (Linux 5.11 or later: needed for "
			   "task-local storage (see above))\n");
	check_line(report, "cgroup v2: no (no cgroup2 mount in /proc/self/mountinfo: cgroup "
			   "paths are empty, containers unknown, no --cgroup filter)\n");
	check_line(report, "audit login uid: no (no /proc/self/loginuid (CONFIG_AUDIT): events "
			   "carry no auid)\n");
	check_line(report, "process context (task BTF): no (no kernel BTF for task_struct: "
			   "events carry no process context)\n");
	check_line(report, "process context: audit: no (no task_struct.loginuid (CONFIG_AUDIT): "
			   "auid and session id are flagged unknown)\n");
	check_line(report, "process context: cgroup path: no (no css_set/cgroup/kernfs_node "
			   "BTF: no cgroup path nor container)\n");
	check_line(report, "bpf_get_current_cgroup_id: no (Linux 4.18 or later: no cgroup id "
			   "nor container)\n");

	f.bpf_loop = EBPFPUB_FEATURE_UNKNOWN;
	f.ring_buffer = EBPFPUB_FEATURE_UNKNOWN;
	f.cgroup2 = EBPFPUB_FEATURE_YES;
	strcpy(f.cgroup2_path, "/sys/fs/cgroup/unified");
	f.audit_loginuid = EBPFPUB_FEATURE_YES;
	ASSERT(ebpfpub_features_describe(&f, report, sizeof(report)) > 0);
	check_line(report, "bpf_loop: unknown (probing needs CAP_BPF and CAP_PERFMON)\n");
	check_line(report, "ring buffer: unknown (probing needs CAP_BPF: a perf event array is "
			   "used instead)\n");
	check_line(report, "cgroup v2: /sys/fs/cgroup/unified\n");
	check_line(report, "audit login uid: yes\n");
}

/* A caller built against the struct that ended at missing_syscalls: only that is written
 * and read. */
static void check_older_struct(void)
{
	const size_t base = offsetof(struct ebpfpub_features, missing_syscalls) + sizeof(char **);
	const char *names[] = { "nosuchcall" };
	struct ebpfpub_features f;
	char report[4096];
	size_t i;

	memset(&f, 0xa5, sizeof(f));
	f.sz = base;
	ASSERT(ebpfpub_features_probe(formats_root(), names, 1, &f) == 0);
	CHECK_INT(f.sz, base);
	CHECK_INT(f.tracefs, EBPFPUB_FEATURE_YES);
	ASSERT(f.missing_syscalls);
	CHECK_STR(f.missing_syscalls[0], "nosuchcall");
	for (i = base; i < sizeof(f); i++)
		if (((unsigned char *)&f)[i] != 0xa5) {
			fprintf(stderr, "byte %zu past the caller's struct was written\n", i);
			test_failures++;
			break;
		}
	ASSERT(ebpfpub_features_describe(&f, report, sizeof(report)) > 0);
	check_line(report, "BTF: ");
	CHECK(strstr(report, "bounded loops") == NULL);
	CHECK(strstr(report, "cgroup v2") == NULL);
	ebpfpub_features_release(&f);
	CHECK(f.missing_syscalls == NULL);

	f.sz = base - 1;
	CHECK_INT(ebpfpub_features_probe(formats_root(), names, 1, &f), -EINVAL);
}

static void check_probe_fixtures(void)
{
	const char *names[] = { "mkdir", "nosuchcall", "foo", "mkdir", "nosuchcall" };
	EBPFPUB_OPTS(ebpfpub_features, f);
	char report[4096], line[512], small[10];
	struct utsname uts;
	uint64_t eff;
	int n, n2;

	if (strlen(formats_root()) >= sizeof(f.tracefs_path)) {
		fprintf(stderr, "fixture path too long for tracefs_path, probe not checked\n");
		return;
	}
	ASSERT(ebpfpub_features_probe(formats_root(), names, 5, &f) == 0);
	CHECK_INT(f.sz, sizeof(f));
	CHECK_INT(f.tracefs, EBPFPUB_FEATURE_YES);
	CHECK_STR(f.tracefs_path, formats_root());
	CHECK_INT(f.syscall_tracepoints, EBPFPUB_FEATURE_YES);

	/* Each missing name once, in the order asked. */
	ASSERT(f.missing_syscalls);
	CHECK_STR(f.missing_syscalls[0], "nosuchcall");
	CHECK_STR(f.missing_syscalls[1], "foo");
	CHECK(f.missing_syscalls[2] == NULL);

	ASSERT(uname(&uts) == 0);
	CHECK(f.kernel_release[0] != '\0');
	CHECK_STR(f.kernel_release, uts.release);

	CHECK(valid_state(f.cap_bpf));
	CHECK(valid_state(f.cap_perfmon));
	CHECK(valid_state(f.bpf_events));
	CHECK(valid_state(f.ring_buffer));
	CHECK(valid_state(f.btf));
	if (cap_eff(&eff)) {
		bool admin = eff >> 21 & 1;

		CHECK_INT(f.cap_bpf, (admin || (eff >> 39 & 1)) ? EBPFPUB_FEATURE_YES :
								  EBPFPUB_FEATURE_NO);
		CHECK_INT(f.cap_perfmon, (admin || (eff >> 38 & 1)) ? EBPFPUB_FEATURE_YES :
								      EBPFPUB_FEATURE_NO);
	}
	CHECK_INT(f.btf, access("/sys/kernel/btf/vmlinux", R_OK) == 0 ? EBPFPUB_FEATURE_YES :
									  EBPFPUB_FEATURE_NO);
	check_probed_kernel(&f);
	if (f.kernel_config_source[0])
		CHECK(f.bpf_events != EBPFPUB_FEATURE_UNKNOWN);
	else
		CHECK_INT(f.bpf_events, EBPFPUB_FEATURE_UNKNOWN);

	n = ebpfpub_features_describe(&f, report, sizeof(report));
	ASSERT(n > 0);
	CHECK_INT(n, strlen(report));
	printf("%s", report);
	PATHF(line, "kernel: %s\n", uts.release);
	check_line(report, line);
	PATHF(line, "tracefs: %s\n", formats_root());
	check_line(report, line);
	check_line(report, "syscall tracepoints: yes\n");
	PATHF(line, "CAP_BPF: %s", f.cap_bpf == EBPFPUB_FEATURE_YES ? "yes\n" : "no (");
	check_line(report, line);
	check_line(report, "CAP_PERFMON: ");
	check_line(report, "BPF events (CONFIG_BPF_EVENTS): ");
	check_line(report, "ring buffer: ");
	check_line(report, "BTF: ");
	check_line(report, "bpf_probe_read_user/kernel: ");
	check_line(report, "bounded loops: ");
	check_line(report, "bpf_loop: ");
	check_line(report, "bpf_send_signal: ");
	check_line(report, "task-local storage: ");
	check_line(report, "bpf_get_current_task_btf: ");
	check_line(report, "cgroup v2: ");
	check_line(report, "audit login uid: ");
	check_line(report, "kernel config: ");
	check_line(report, "missing syscall: 'foo' (did you mean 'fork'?)\n");
	check_line(report, "missing syscall: 'nosuchcall'");
	CHECK(strstr(report, "'mkdir'") == NULL);
	CHECK(report[n - 1] == '\n');

	/* Like snprintf: the full length whatever the room, and output cut with a NUL. */
	n2 = ebpfpub_features_describe(&f, NULL, 0);
	CHECK_INT(n2, n);
	memset(small, 'x', sizeof(small));
	n2 = ebpfpub_features_describe(&f, small, sizeof(small));
	CHECK_INT(n2, n);
	CHECK_INT(small[sizeof(small) - 1], 0);
	CHECK(!strncmp(small, report, sizeof(small) - 1));
	CHECK_INT(ebpfpub_features_describe(NULL, report, sizeof(report)), -EINVAL);
	CHECK_INT(ebpfpub_features_describe(&f, NULL, 10), -EINVAL);

	ebpfpub_features_release(&f);
	CHECK(f.missing_syscalls == NULL);
	ebpfpub_features_release(&f);
	ebpfpub_features_release(NULL);

	/* Nothing missing: no list at all, and a zeroed struct (sz 0) is accepted. */
	memset(&f, 0, sizeof(f));
	ASSERT(ebpfpub_features_probe(formats_root(), names, 1, &f) == 0);
	CHECK(f.missing_syscalls == NULL);
	ebpfpub_features_release(&f);
	ASSERT(ebpfpub_features_probe(formats_root(), NULL, 0, &f) == 0);
	CHECK(f.missing_syscalls == NULL);
	ebpfpub_features_release(&f);
}

static void check_probe_not_mounted(void)
{
	const char *names[] = { "mkdir" };
	EBPFPUB_OPTS(ebpfpub_features, f);
	char report[4096];

	ASSERT(ebpfpub_features_probe("/nonexistent/ebpfpub-tracefs", names, 1, &f) == 0);
	CHECK_INT(f.tracefs, EBPFPUB_FEATURE_NO);
	CHECK_STR(f.tracefs_path, "");
	/* Whether mkdir has tracepoints cannot be known without tracefs. */
	CHECK(f.missing_syscalls == NULL);
	ASSERT(ebpfpub_features_describe(&f, report, sizeof(report)) > 0);
	check_line(report,
		   "tracefs: not mounted — run: mount -t tracefs nodev /sys/kernel/tracing\n");
	ebpfpub_features_release(&f);
}

/* tracefs mounted on a kernel without syscall tracepoints: every syscall is missing. */
static void check_probe_without_syscalls(const char *tmp)
{
	const char *names[] = { "mkdir", "openat" };
	EBPFPUB_OPTS(ebpfpub_features, f);
	char root[512], path[600], report[4096];

	PATHF(root, "%s/nosyscalls", tmp);
	ASSERT(mkdir(root, 0755) == 0);
	PATHF(path, "%s/events", root);
	ASSERT(mkdir(path, 0755) == 0);

	ASSERT(ebpfpub_features_probe(root, names, 2, &f) == 0);
	CHECK_INT(f.tracefs, EBPFPUB_FEATURE_YES);
	CHECK_STR(f.tracefs_path, root);
	CHECK_INT(f.syscall_tracepoints, EBPFPUB_FEATURE_NO);
	ASSERT(f.missing_syscalls);
	CHECK_STR(f.missing_syscalls[0], "mkdir");
	CHECK_STR(f.missing_syscalls[1], "openat");
	CHECK(f.missing_syscalls[2] == NULL);
	ASSERT(ebpfpub_features_describe(&f, report, sizeof(report)) > 0);
	check_line(report, "syscall tracepoints: no (");
	check_line(report, "missing syscall: 'mkdir'\n");
	ebpfpub_features_release(&f);
}

static void check_bad_args(void)
{
	const char *names[] = { "mkdir", NULL };
	EBPFPUB_OPTS(ebpfpub_features, f);

	CHECK_INT(ebpfpub_features_probe(formats_root(), names, 1, NULL), -EINVAL);
	CHECK_INT(ebpfpub_features_probe(formats_root(), NULL, 1, &f), -EINVAL);
	CHECK_INT(ebpfpub_features_probe(formats_root(), names, 2, &f), -EINVAL);
	f.sz = 8;
	CHECK_INT(ebpfpub_features_probe(formats_root(), names, 1, &f), -EINVAL);
}

static void check_list_syscalls(void)
{
	char **names = NULL;
	int count, i;
	bool seen = false;

	count = ebpfpub_list_syscalls(formats_root(), &names);
	ASSERT(count > 0);
	ASSERT(names);
	CHECK(names[count] == NULL);
	for (i = 0; i < count; i++) {
		seen = seen || !strcmp(names[i], "mkdir");
		if (i)
			CHECK(strcmp(names[i - 1], names[i]) < 0);
	}
	CHECK(seen);
	ebpfpub_strv_free(names);
	ebpfpub_strv_free(NULL);

	names = NULL;
	CHECK_INT(ebpfpub_list_syscalls("/nonexistent/ebpfpub-tracefs", &names), -ENODEV);
	CHECK(names == NULL);
	CHECK_INT(ebpfpub_list_syscalls(formats_root(), NULL), -EINVAL);
}

int main(void)
{
	char tmp[] = "/tmp/ebpfpub-test-features-XXXXXX";

	ASSERT(mkdtemp(tmp));
	check_probe_fixtures();
	check_probe_not_mounted();
	check_probe_without_syscalls(tmp);
	check_cgroup2_mountinfo(tmp);
	check_describe_kernel_features();
	check_older_struct();
	check_bad_args();
	check_list_syscalls();
	CHECK(nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0);
	return test_finish("test_features");
}
