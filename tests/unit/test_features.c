/* SPDX-License-Identifier: Apache-2.0 */
/* ebpfpub_features_*() and ebpfpub_list_syscalls() with the fixture tree as tracefs. */
#define _GNU_SOURCE /* nftw() */
#include "test.h"

#include <ebpfpub/ebpfpub.h>

#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/utsname.h>

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
	check_bad_args();
	check_list_syscalls();
	CHECK(nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0);
	return test_finish("test_features");
}
