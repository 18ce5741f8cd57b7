/* SPDX-License-Identifier: Apache-2.0 */
/* Records as the generated programs wrote them, captured from Linux 6.18 by
 * tests/helpers/capture_records (tests/data/records, with the format files they were made
 * under), decoded without privilege: exact values of the calls that tool made. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "decode.h"
#include "layout.h"
#include "record.h"
#include "serializer.h"
#include "test.h"
#include "tracefs.h"
#include "util.h"

static const char *dir;
static struct layout layout;
static struct decode_state state;
static struct ebpfpub_event ev;
static unsigned char *rec;

/* The layout the tracer of capture_records built: built-in or generic serializer, default
 * storage (4096 x 8). */
static void use_layout(const char *name)
{
	char root[4096], event[300], err[UTIL_ERR_SIZE];
	char *en = NULL, *ex = NULL;
	size_t enl, exl;
	struct layout_storage st;

	decode_state_release(&state);
	layout_release(&layout);
	snprintf(root, sizeof(root), "%s/formats", dir);
	snprintf(event, sizeof(event), "sys_enter_%s", name);
	ASSERT(tracefs_read_format(root, event, &en, &enl) == 0);
	snprintf(event, sizeof(event), "sys_exit_%s", name);
	ASSERT(tracefs_read_format(root, event, &ex, &exl) == 0);
	layout_storage_init(&st, 4096, 8);
	if (layout_build(&layout, name, en, enl, ex, exl, serializer_builtin(name), &st, err,
			 sizeof(err))) {
		fprintf(stderr, "%s: %s\n", name, err);
		exit(1);
	}
	ASSERT(decode_state_init(&state, &layout) == 0);
	free(en);
	free(ex);
}

/* Decodes FILE (a heap copy of exactly its size) into ev. */
static int decode_file(const char *file)
{
	char path[4096], err[512];
	size_t size;
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	ASSERT(f);
	free(rec);
	rec = malloc(4096);
	ASSERT(rec);
	size = fread(rec, 1, 4096, f);
	fclose(f);
	rec = realloc(rec, size);
	r = decode_record(&layout, &state, rec, size, &ev, err, sizeof(err));
	if (r)
		fprintf(stderr, "%s: %s\n", file, err);
	return r;
}

static const struct ebpfpub_field *field(const char *name)
{
	const struct ebpfpub_field *f = ebpfpub_event_field(&ev, name);

	ASSERT(f);
	return f;
}

/* What every record of capture_records has: root, one thread, a plausible duration. */
static void check_common(const char *comm)
{
	CHECK_INT(ev.uid, 0);
	CHECK_INT(ev.gid, 0);
	CHECK_INT(ev.pid, ev.tid);
	CHECK(ev.pid > 1);
	CHECK(ev.timestamp_ns > 0);
	CHECK(ev.duration_ns > 0 && ev.duration_ns < 1000000000ull);
	CHECK_STR(ev.comm, comm);
}

static void check_inet(const char *name, const char *addr, uint16_t port)
{
	const struct ebpfpub_sockaddr *sa = &field(name)->value.sockaddr;
	struct in_addr want;

	CHECK_INT(field(name)->type, EBPFPUB_VALUE_SOCKADDR);
	CHECK_INT(field(name)->flags, 0);
	CHECK_INT(sa->family, AF_INET);
	CHECK_INT(sa->port, port);
	ASSERT(inet_pton(AF_INET, addr, &want) == 1);
	CHECK(memcmp(sa->addr, &want, 4) == 0);
}

static void test_mkdir(void)
{
	use_layout("mkdir");
	CHECK_INT(decode_file("mkdir.rec"), 0);
	check_common("capture_records");
	CHECK_STR(ev.syscall, "mkdir");
	CHECK_STR(ev.serializer, "generic");
	CHECK_INT(ev.exit_code, 0);
	CHECK_INT(ev.probe_error, 0);
	CHECK_INT(field("pathname")->type, EBPFPUB_VALUE_STRING);
	CHECK_STR(field("pathname")->value.bytes.data, "/tmp/ebpfpub-fixture");
	CHECK_INT(field("pathname")->value.bytes.len, 20);
	CHECK_INT(field("pathname")->flags, 0);
	CHECK_INT(field("mode")->type, EBPFPUB_VALUE_UNSIGNED);
	CHECK_INT(field("mode")->width, 2);
	CHECK_INT(field("mode")->value.u, 0750);
	CHECK_INT(decode_file("mkdir-eexist.rec"), 0);
	CHECK_INT(ev.exit_code, -EEXIST);
	CHECK_STR(field("pathname")->value.bytes.data, "/tmp/ebpfpub-fixture");
}

static void test_connect(void)
{
	use_layout("connect");
	CHECK_INT(decode_file("connect-refused.rec"), 0);
	check_common("capture_records");
	CHECK_STR(ev.serializer, "connect");
	CHECK_INT(ev.exit_code, -ECONNREFUSED);
	CHECK_INT(field("fd")->type, EBPFPUB_VALUE_SIGNED);
	CHECK(field("fd")->value.s > 2);
	CHECK_INT(field("addrlen")->value.s, 16);
	check_inet("uservaddr", "127.0.0.1", 9);
	CHECK_INT(decode_file("connect-inet.rec"), 0);
	CHECK_INT(ev.exit_code, 0);
	check_inet("uservaddr", "127.0.0.1", 47110);
	CHECK_INT(decode_file("connect-unix.rec"), 0);
	CHECK_INT(ev.exit_code, -ENOENT);
	CHECK_INT(field("addrlen")->value.s, 110);
	CHECK_INT(field("uservaddr")->flags, 0);
	CHECK_INT(field("uservaddr")->value.sockaddr.family, AF_UNIX);
	CHECK_INT(field("uservaddr")->value.sockaddr.data.len, 25);
	CHECK(memcmp(field("uservaddr")->value.sockaddr.data.data, "/tmp/ebpfpub-fixture.sock",
		     25) == 0);
}

static void test_accept4(void)
{
	use_layout("accept4");
	CHECK_INT(decode_file("accept4.rec"), 0);
	check_common("capture_records");
	CHECK_STR(ev.serializer, "accept");
	CHECK(ev.exit_code > field("fd")->value.s);
	CHECK_INT(field("flags")->value.s, SOCK_CLOEXEC);
	CHECK_INT(field("upeer_addrlen")->type, EBPFPUB_VALUE_POINTER);
	/* The peer, read at exit with the length the kernel wrote. */
	check_inet("upeer_sockaddr", "127.0.0.1", 47111);
}

static void test_execve(void)
{
	static const char *const want[] = { "true", "fixture", "", "a b" };
	const struct ebpfpub_argv *argv;
	uint32_t i;

	use_layout("execve");
	/* Success: the filename, unreadable at enter (a string literal after fork), is read
	 * again from the new program, and argv comes from its stack: later items win. */
	CHECK_INT(decode_file("execve.rec"), 0);
	check_common("true");
	CHECK_STR(ev.serializer, "execve");
	CHECK_INT(ev.exit_code, 0);
	CHECK_INT(field("filename")->flags, 0);
	CHECK_STR(field("filename")->value.bytes.data, "/bin/true");
	argv = &field("argv")->value.argv;
	CHECK_INT(field("argv")->flags, 0);
	CHECK_INT(argv->source, EBPFPUB_ARGV_FROM_NEW_MM);
	CHECK_INT(argv->count, 4);
	CHECK(!argv->more);
	for (i = 0; i < argv->count && i < 4; i++) {
		CHECK_STR(argv->args[i].data, want[i]);
		CHECK_INT(argv->args[i].len, strlen(want[i]));
		CHECK_INT(argv->arg_flags[i], 0);
	}
	CHECK_INT(field("envp")->type, EBPFPUB_VALUE_POINTER);

	/* Failure: the enter-time argv, its strings unreadable; the filename read again at
	 * exit, after the kernel faulted it in. */
	CHECK_INT(decode_file("execve-enoent.rec"), 0);
	check_common("capture_records");
	CHECK_INT(ev.exit_code, -ENOENT);
	CHECK_INT(field("filename")->flags, 0);
	CHECK_STR(field("filename")->value.bytes.data, "/nonexistent/ebpfpub-fixture");
	argv = &field("argv")->value.argv;
	CHECK_INT(argv->source, EBPFPUB_ARGV_FROM_CALLER);
	CHECK_INT(argv->count, 2);
	CHECK_INT(field("argv")->flags, EBPFPUB_FIELD_UNREADABLE);
	for (i = 0; i < argv->count && i < 2; i++) {
		CHECK_STR(argv->args[i].data, "");
		CHECK_INT(argv->arg_flags[i], EBPFPUB_FIELD_UNREADABLE);
	}
	CHECK_INT(ev.probe_error, EBPFPUB_PROBE_ERROR_READ);
}

int main(void)
{
	dir = getenv("EBPFPUB_TEST_RECORDS");
	if (!dir) {
		fprintf(stderr, "EBPFPUB_TEST_RECORDS is not set (meson test sets it)\n");
		return 1;
	}
	test_mkdir();
	test_connect();
	test_accept4();
	test_execve();
	decode_state_release(&state);
	layout_release(&layout);
	free(rec);
	return test_finish("test_decode_fixtures");
}
