/* SPDX-License-Identifier: Apache-2.0 */
/* tracefs_* on the fixture tree (a copy of a real events/syscalls) and on made-up trees. */
#define _GNU_SOURCE /* nftw() */
#include "test.h"

#include "tracefs.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define PATHF(buf, ...) ASSERT(snprintf(buf, sizeof(buf), __VA_ARGS__) < (int)sizeof(buf))

static const char *formats_root(void)
{
	const char *root = getenv("EBPFPUB_TEST_FORMATS");

	return root && root[0] ? root : "tests/data/formats";
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The number of X with both sys_enter_X and sys_exit_X, counted independently. */
static int count_pairs(const char *root)
{
	char dir_path[4096], path[4096];
	struct dirent *de;
	int pairs = 0;
	DIR *dir;

	PATHF(dir_path, "%s/events/syscalls", root);
	dir = opendir(dir_path);
	ASSERT(dir);
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "sys_enter_", 10))
			continue;
		PATHF(path, "%s/sys_exit_%s", dir_path, de->d_name + 10);
		if (is_dir(path))
			pairs++;
	}
	closedir(dir);
	return pairs;
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "mkdir %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void remove_tree(const char *path)
{
	CHECK(nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0);
}

static void check_locate(void)
{
	char path[4096], err[512];
	int ret;

	ret = tracefs_locate(formats_root(), path, sizeof(path), err, sizeof(err));
	if (ret)
		fprintf(stderr, "locate %s: %s\n", formats_root(), err);
	CHECK_INT(ret, 0);
	CHECK_STR(path, formats_root());

	ret = tracefs_locate("/nonexistent/ebpfpub-tracefs", path, sizeof(path), err, sizeof(err));
	CHECK_INT(ret, -ENODEV);
	CHECK(strstr(err, "not mounted") != NULL);
	CHECK(strstr(err, "mount -t tracefs nodev /nonexistent/ebpfpub-tracefs") != NULL);

	/* No room for the path. */
	ret = tracefs_locate(formats_root(), path, 3, err, sizeof(err));
	CHECK_INT(ret, -ENAMETOOLONG);
	CHECK(err[0] != '\0');
	CHECK_INT(tracefs_locate("", path, sizeof(path), err, sizeof(err)), -EINVAL);
	CHECK_INT(tracefs_locate(formats_root(), NULL, 0, NULL, 0), -EINVAL);

	/* Without an override the answer depends on the machine, but it is one of these and
	 * the message matches it. */
	ret = tracefs_locate(NULL, path, sizeof(path), err, sizeof(err));
	if (!ret)
		CHECK(!strcmp(path, "/sys/kernel/tracing") ||
		      !strcmp(path, "/sys/kernel/debug/tracing"));
	else if (ret == -ENODEV)
		CHECK(strstr(err, "mount -t tracefs nodev /sys/kernel/tracing") ||
		      strstr(err, "CONFIG_FTRACE_SYSCALLS"));
	else
		CHECK_INT(ret, -EACCES);
}

/* A root that is mounted but has no events/syscalls (a kernel without FTRACE_SYSCALLS). */
static void check_locate_without_syscalls(const char *tmp)
{
	char root[4096], path[4096], err[512];

	PATHF(root, "%s/nosyscalls", tmp);
	make_dir(root);
	PATHF(path, "%s/events", root);
	make_dir(path);
	CHECK_INT(tracefs_locate(root, path, sizeof(path), err, sizeof(err)), -ENODEV);
	CHECK(strstr(err, "CONFIG_FTRACE_SYSCALLS") != NULL);
}

/* EACCES: an unprivileged caller cannot look into a 0700 tracefs. Root is not stopped by
 * modes, so a child drops to nobody first. */
static void check_locate_denied(const char *tmp)
{
	char root[4096], path[4096];
	pid_t pid;
	int status;

	PATHF(root, "%s/denied", tmp);
	make_dir(root);
	PATHF(path, "%s/events", root);
	make_dir(path);
	PATHF(path, "%s/events/syscalls", root);
	make_dir(path);
	ASSERT(chmod(root, 0700) == 0);
	ASSERT(chmod(tmp, 0755) == 0);

	pid = fork();
	ASSERT(pid >= 0);
	if (!pid) {
		char err[512];
		int ret;

		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(77);
		if (geteuid() == 0)
			_exit(77);
		ret = tracefs_locate(root, path, sizeof(path), err, sizeof(err));
		if (ret != -EACCES) {
			fprintf(stderr, "locate as uid %d: %d (%s)\n", (int)getuid(), ret, err);
			_exit(1);
		}
		if (!strstr(err, "root") || !strstr(err, "CAP_SYS_ADMIN")) {
			fprintf(stderr, "EACCES message: %s\n", err);
			_exit(2);
		}
		_exit(0);
	}
	ASSERT(waitpid(pid, &status, 0) == pid);
	ASSERT(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		fprintf(stderr, "note: could not drop privileges, EACCES case not checked\n");
	else
		CHECK_INT(WEXITSTATUS(status), 0);
	ASSERT(chmod(root, 0755) == 0);
}

static void check_list(void)
{
	char **names = NULL;
	bool mkdir_seen = false, openat_seen = false;
	int count, i;

	count = tracefs_list_syscalls(formats_root(), &names);
	ASSERT(count > 0);
	ASSERT(names);
	printf("fixture syscalls: %d\n", count);
	CHECK_INT(count, count_pairs(formats_root()));
	CHECK(names[count] == NULL);
	for (i = 0; i < count; i++) {
		if (i)
			CHECK(strcmp(names[i - 1], names[i]) < 0);
		CHECK(strncmp(names[i], "sys_", 4) != 0);
		mkdir_seen = mkdir_seen || !strcmp(names[i], "mkdir");
		openat_seen = openat_seen || !strcmp(names[i], "openat");
	}
	CHECK(mkdir_seen);
	CHECK(openat_seen);
	tracefs_strv_free(names);
	tracefs_strv_free(NULL);

	names = NULL;
	CHECK_INT(tracefs_list_syscalls("/nonexistent/ebpfpub-tracefs", &names), -ENOENT);
	CHECK(names == NULL);
	CHECK_INT(tracefs_list_syscalls(NULL, &names), -EINVAL);
}

/* Only names with both tracepoints count; files and stray names are ignored. */
static void check_list_pairs(const char *tmp)
{
	static const char *const dirs[] = {
		"sys_enter_b", "sys_exit_b", "sys_enter_a", "sys_exit_a", "sys_enter_only",
		"sys_exit_exitonly", "sys_enter_", "sys_exit_", "other_event",
	};
	char root[4096], path[4096];
	char **names = NULL;
	size_t i;
	int count, fd;

	PATHF(root, "%s/pairs", tmp);
	make_dir(root);
	PATHF(path, "%s/events", root);
	make_dir(path);
	PATHF(path, "%s/events/syscalls", root);
	make_dir(path);

	count = tracefs_list_syscalls(root, &names);
	CHECK_INT(count, 0);
	ASSERT(names);
	CHECK(names[0] == NULL);
	tracefs_strv_free(names);

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		PATHF(path, "%s/events/syscalls/%s", root, dirs[i]);
		make_dir(path);
	}
	PATHF(path, "%s/events/syscalls/enable", root);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ASSERT(fd >= 0);
	close(fd);

	count = tracefs_list_syscalls(root, &names);
	CHECK_INT(count, 2);
	ASSERT(names);
	CHECK_STR(names[0], "a");
	CHECK_STR(names[1], "b");
	CHECK(names[2] == NULL);
	tracefs_strv_free(names);
}

static void check_read_format(void)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0, flen;
	FILE *f;
	char *expected;

	CHECK_INT(tracefs_read_format(formats_root(), "sys_enter_mkdir", &buf, &len), 0);
	ASSERT(buf);
	CHECK_INT(len, strlen(buf));
	CHECK(!strncmp(buf, "name: sys_enter_mkdir\n", 22));

	PATHF(path, "%s/events/syscalls/sys_enter_mkdir/format", formats_root());
	f = fopen(path, "re");
	ASSERT(f);
	expected = calloc(1, 65536);
	ASSERT(expected);
	flen = fread(expected, 1, 65535, f);
	fclose(f);
	CHECK_INT(len, flen);
	CHECK(!memcmp(buf, expected, flen));
	free(expected);
	free(buf);

	buf = NULL;
	CHECK_INT(tracefs_read_format(formats_root(), "sys_enter_nosuchcall", &buf, &len), -ENOENT);
	CHECK(buf == NULL);
	CHECK_INT(tracefs_read_format(formats_root(), "../syscalls/sys_enter_mkdir", &buf, &len),
		  -EINVAL);
	CHECK_INT(tracefs_read_format(formats_root(), "..", &buf, &len), -EINVAL);
	CHECK_INT(tracefs_read_format(formats_root(), "", &buf, &len), -EINVAL);
	CHECK_INT(tracefs_read_format(NULL, "sys_enter_mkdir", &buf, &len), -EINVAL);
}

static void check_suggest(void)
{
	static const char *const small[] = { "mkdir", "mkdirat", "rmdir", "fork", "vfork",
					     "open", "openat", "openat2", NULL };
	char *const *names = (char *const *)small;
	char **all = NULL;
	char out[256];
	int n;

	n = tracefs_suggest("mkdr", names, out, sizeof(out));
	CHECK(n >= 1 && n <= 3);
	CHECK(strstr(out, "'mkdir'") != NULL);
	/* Closest first: mkdir is one edit away, the others two or more. */
	CHECK(!strncmp(out, "'mkdir'", 7));

	n = tracefs_suggest("mkdira", names, out, sizeof(out));
	CHECK_INT(n, 2);
	CHECK_STR(out, "'mkdirat', 'mkdir'");

	n = tracefs_suggest("foo", names, out, sizeof(out));
	CHECK(n >= 1);
	CHECK(strstr(out, "'fork'") != NULL);

	n = tracefs_suggest("mkdri", names, out, sizeof(out));
	CHECK(!strncmp(out, "'mkdir'", 7));

	n = tracefs_suggest("openat", names, out, sizeof(out));
	CHECK_INT(n, 3);
	CHECK_STR(out, "'openat', 'openat2', 'open'");

	n = tracefs_suggest("zzzzzzzzzzzz", names, out, sizeof(out));
	CHECK_INT(n, 0);
	CHECK_STR(out, "");

	/* A short buffer holds whole names only. */
	n = tracefs_suggest("mkdira", names, out, 12);
	CHECK_INT(n, 1);
	CHECK_STR(out, "'mkdirat'");
	n = tracefs_suggest("mkdira", names, out, 5);
	CHECK_INT(n, 0);
	CHECK_STR(out, "");

	CHECK_INT(tracefs_suggest("mkdr", NULL, out, sizeof(out)), 0);
	CHECK_INT(tracefs_suggest(NULL, names, out, sizeof(out)), 0);
	CHECK_INT(tracefs_suggest("mkdr", names, NULL, 0), 0);
	CHECK_INT(tracefs_suggest("", names, out, sizeof(out)), 0);

	/* On the fixture's full list too. */
	ASSERT(tracefs_list_syscalls(formats_root(), &all) > 0);
	n = tracefs_suggest("mkdr", all, out, sizeof(out));
	printf("suggest 'mkdr': %s\n", out);
	CHECK(n >= 1);
	CHECK(strstr(out, "'mkdir'") != NULL);
	n = tracefs_suggest("foo", all, out, sizeof(out));
	printf("suggest 'foo': %s\n", out);
	CHECK(strstr(out, "'fork'") != NULL);
	n = tracefs_suggest("opnat", all, out, sizeof(out));
	printf("suggest 'opnat': %s\n", out);
	CHECK(strstr(out, "'openat'") != NULL);
	n = tracefs_suggest("execv", all, out, sizeof(out));
	printf("suggest 'execv': %s\n", out);
	CHECK(strstr(out, "'execve'") != NULL);
	tracefs_strv_free(all);
}

int main(void)
{
	char tmp[] = "/tmp/ebpfpub-test-tracefs-XXXXXX";

	ASSERT(mkdtemp(tmp));
	check_locate();
	check_locate_without_syscalls(tmp);
	check_locate_denied(tmp);
	check_list();
	check_list_pairs(tmp);
	check_read_format();
	check_suggest();
	remove_tree(tmp);
	return test_finish("test_tracefs");
}
