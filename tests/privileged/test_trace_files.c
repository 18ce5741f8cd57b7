/* SPDX-License-Identifier: Apache-2.0 */
/* Traces file syscalls made by this test and checks every decoded value exactly. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capture.h"

static void check_header(const struct cap_event *e)
{
	CHECK_INT(e->pid, getpid());
	CHECK_INT(e->tid, syscall(SYS_gettid));
	CHECK_INT(e->uid, getuid());
	CHECK_INT(e->gid, getgid());
	CHECK(e->timestamp_ns > 0);
}

int main(void)
{
	static const char *const names[] = { "mkdir", "rmdir", "renameat2", "openat", "unlinkat",
					     "fchmodat" };
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t;
	const struct cap_event *e;
	const struct cap_field *f;
	char dir[PATH_MAX], a[PATH_MAX + 16], b[PATH_MAX + 16], file[PATH_MAX + 16];
	int fd;

	test_require_root();
	t = cap_tracer(&l, names, 6);
	snprintf(dir, sizeof(dir), "/tmp/ebpfpub-test-%d", getpid());
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b with 'quote'", dir);
	snprintf(file, sizeof(file), "%s/file", dir);

	ASSERT(mkdir(dir, 0750) == 0);
	ASSERT(mkdir(dir, 0750) == -1);                 /* EEXIST */
	ASSERT(mkdir(a, 0700) == 0);
	ASSERT(syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 0) == 0);
	fd = openat(AT_FDCWD, file, O_CREAT | O_WRONLY | O_CLOEXEC, 0640);
	ASSERT(fd >= 0);
	close(fd);
	ASSERT(openat(AT_FDCWD, "/nonexistent/x", O_RDONLY) == -1);
	ASSERT(fchmodat(AT_FDCWD, file, 0600, 0) == 0);
	ASSERT(unlinkat(AT_FDCWD, file, 0) == 0);
	ASSERT(rmdir(b) == 0);
	ASSERT(syscall(SYS_unlinkat, AT_FDCWD, dir, AT_REMOVEDIR) == 0);

	cap_poll_until(t, &l, "rmdir", 1, 5000);
	cap_poll_until(t, &l, "unlinkat", 2, 5000);

	/* mkdir: success then EEXIST, same path */
	e = cap_find(&l, "mkdir", "pathname", dir);
	ASSERT(e);
	check_header(e);
	CHECK_STR(e->serializer, "generic");
	CHECK_INT(e->exit_code, 0);
	f = cap_field(e, "mode");
	ASSERT(f);
	CHECK_INT(f->type, EBPFPUB_VALUE_UNSIGNED);
	CHECK_INT(f->u, 0750);
	CHECK_INT(cap_count(&l, "mkdir"), 3);
	{
		size_t i, eexist = 0;

		for (i = 0; i < l.count; i++)
			if (!strcmp(l.ev[i].syscall, "mkdir") && l.ev[i].exit_code == -EEXIST)
				eexist++;
		CHECK_INT(eexist, 1);
	}

	/* renameat2: two paths, dirfds signed -100 */
	e = cap_find(&l, "renameat2", "oldname", a);
	ASSERT(e);
	check_header(e);
	CHECK_STR(cap_field(e, "newname")->str, b);
	CHECK_INT(cap_field(e, "olddfd")->type, EBPFPUB_VALUE_SIGNED);
	CHECK_INT(cap_field(e, "olddfd")->s, -100);
	CHECK_INT(cap_field(e, "newdfd")->s, -100);
	CHECK_INT(cap_field(e, "flags")->u, 0);
	CHECK_INT(e->exit_code, 0);

	/* openat: flags, mode, returned fd; and ENOENT */
	e = cap_find(&l, "openat", "filename", file);
	ASSERT(e);
	check_header(e);
	CHECK_INT(cap_field(e, "dfd")->s, AT_FDCWD);
	CHECK_INT(cap_field(e, "flags")->s, O_CREAT | O_WRONLY | O_CLOEXEC);
	CHECK_INT(cap_field(e, "mode")->u, 0640);
	CHECK_INT(e->exit_code, fd);
	e = cap_find(&l, "openat", "filename", "/nonexistent/x");
	ASSERT(e);
	CHECK_INT(e->exit_code, -ENOENT);
	CHECK_INT(cap_field(e, "flags")->s, O_RDONLY);

	/* fchmodat */
	e = cap_find(&l, "fchmodat", "filename", file);
	ASSERT(e);
	check_header(e);
	CHECK_INT(cap_field(e, "mode")->u, 0600);
	CHECK_INT(e->exit_code, 0);

	/* unlinkat: file, then the directory with AT_REMOVEDIR */
	e = cap_find(&l, "unlinkat", "pathname", file);
	ASSERT(e);
	CHECK_INT(cap_field(e, "flag")->s, 0);
	CHECK_INT(e->exit_code, 0);
	e = cap_find(&l, "unlinkat", "pathname", dir);
	ASSERT(e);
	CHECK_INT(cap_field(e, "flag")->s, AT_REMOVEDIR);
	CHECK_INT(e->exit_code, 0);

	/* rmdir */
	e = cap_find(&l, "rmdir", "pathname", b);
	ASSERT(e);
	check_header(e);
	CHECK_INT(e->exit_code, 0);
	CHECK(e->duration_ns > 0);

	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
		CHECK_INT(st.lost, 0);
		CHECK_INT(st.malformed, 0);
		CHECK(st.events >= 10);
	}
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
	return test_finish("test_trace_files");
}
