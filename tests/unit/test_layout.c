/* SPDX-License-Identifier: Apache-2.0 */
/* layout_build() on the committed format corpus: the sizes and captures it derives, and the
 * serializer tables it refuses, each with its exact message. */
#include <stdlib.h>

#include "layout.h"
#include "record.h"
#include "serializer.h"
#include "test.h"
#include "tracefs.h"
#include "util.h"

static char *enter_buf, *exit_buf;
static size_t enter_len, exit_len;
static char err[UTIL_ERR_SIZE];

static void read_formats(const char *name)
{
	const char *root = getenv("EBPFPUB_TEST_FORMATS");
	char event[300];

	ASSERT(root);
	free(enter_buf);
	free(exit_buf);
	snprintf(event, sizeof(event), "sys_enter_%s", name);
	ASSERT(tracefs_read_format(root, event, &enter_buf, &enter_len) == 0);
	snprintf(event, sizeof(event), "sys_exit_%s", name);
	ASSERT(tracefs_read_format(root, event, &exit_buf, &exit_len) == 0);
}

/* Builds the layout of NAME with SER (NULL: generic) over a 4096 x 8 storage. */
static int build(struct layout *l, const char *name, const struct ebpfpub_serializer *ser)
{
	struct layout_storage st;

	read_formats(name);
	layout_storage_init(&st, 4096, 8);
	err[0] = '\0';
	return layout_build(l, name, enter_buf, enter_len, exit_buf, exit_len, ser, &st, err,
			    sizeof(err));
}

/* A one-capture table for NAME must be refused with MESSAGE. */
static void check_refused(const char *name, const struct ebpfpub_capture *cap,
			  const char *message)
{
	const struct ebpfpub_serializer ser = {
		.sz = sizeof(ser), .name = "bad", .captures = cap, .capture_count = 1,
	};
	struct layout l;

	CHECK_INT(build(&l, name, &ser), -EINVAL);
	CHECK_STR(err, message);
}

static void test_storage(void)
{
	struct layout_storage st;

	layout_storage_init(&st, 4096, 8);
	CHECK_INT(st.buffer_size, 4096);
	CHECK_INT(st.capacity, 32768);
	CHECK_INT(st.area_size, 32768 + 4096 + 2 * RECORD_ITEM_SIZE);
	/* Small storages keep room for a 256-byte item and at least 1 KiB of items. */
	layout_storage_init(&st, 64, 4);
	CHECK_INT(st.capacity, 1024);
	CHECK_INT(st.area_size, 1024 + 256 + 2 * RECORD_ITEM_SIZE);
	layout_storage_init(&st, 100, 3);
	CHECK_INT(st.capacity, 1024);
	layout_storage_init(&st, 1000, 3);
	CHECK_INT(st.capacity, 4096);
}

static void test_generic(void)
{
	struct layout l;

	CHECK_INT(build(&l, "mkdir", NULL), 0);
	CHECK_STR(l.syscall, "mkdir");
	CHECK_STR(l.serializer_name, "generic");
	CHECK(l.user == NULL);
	CHECK_INT(l.arg_count, 2);
	CHECK_STR(l.args[0]->name, "pathname");
	CHECK_STR(l.args[1]->name, "mode");
	CHECK_INT(layout_arg_index(&l, "mode"), 1);
	CHECK_INT(layout_arg_index(&l, "nosuch"), -1);
	CHECK_INT(l.ret_offset, 16);
	CHECK_INT(l.fixed_size, RECORD_HEADER_SIZE + 16);
	CHECK_INT(l.capture_count, 1);
	CHECK_INT(l.captures[0].arg, 0);
	CHECK_INT(l.captures[0].kind, EBPFPUB_CAPTURE_STRING);
	CHECK_INT(l.captures[0].when, EBPFPUB_AT_EXIT);
	CHECK_INT(l.captures[0].size, 4096);
	CHECK(!l.has_enter_captures && !l.ops && l.rewind_capture == -1);
	CHECK_INT(l.entry_size, l.fixed_size);
	/* The width rule: the C type's (umode_t: 2), else the 8-byte slot. */
	CHECK_INT(layout_value_width(l.args[1]), 2);
	{
		struct format_field unknown = *l.args[1];

		unknown.value_width = 0;
		CHECK_INT(layout_value_width(&unknown), 8);
	}
	layout_release(&l);

	/* Every char * argument, none of the others */
	CHECK_INT(build(&l, "rename", NULL), 0);
	CHECK_INT(l.capture_count, 2);
	layout_release(&l);
	CHECK_INT(build(&l, "getpid", NULL), 0);
	CHECK_INT(l.arg_count, 0);
	CHECK_INT(l.capture_count, 0);
	CHECK_INT(l.fixed_size, RECORD_HEADER_SIZE);
	layout_release(&l);
	CHECK_INT(build(&l, "mmap", NULL), 0);
	CHECK_INT(l.arg_count, RECORD_MAX_ARGS);
	layout_release(&l);
}

static void test_builtin(void)
{
	struct layout l;

	CHECK_INT(build(&l, "execve", serializer_builtin("execve")), 0);
	CHECK_STR(l.serializer_name, "execve");
	CHECK(l.user == NULL);
	CHECK(l.ops && l.ops->rewind_argv && l.has_enter_captures);
	CHECK_INT(l.rewind_capture, (int)l.capture_count - 1);
	/* The argv that a successful exec replaces is the last enter capture. */
	CHECK_INT(l.captures[l.capture_count - 1].kind, EBPFPUB_CAPTURE_ARGV);
	CHECK_STR(l.args[l.captures[l.capture_count - 1].arg]->name, "argv");
	CHECK_INT(l.captures[l.capture_count - 1].max_items, LAYOUT_ARGV_DEFAULT_ITEMS);
	CHECK_INT(l.enter_capacity, LAYOUT_ENTER_CAPACITY_MAX);
	CHECK_INT(l.entry_size, LAYOUT_ENTER_CAPACITY_MAX + 4096 + 2 * RECORD_ITEM_SIZE);
	layout_release(&l);

	CHECK_INT(build(&l, "accept4", serializer_builtin("accept4")), 0);
	CHECK_INT(l.capture_count, 1);
	CHECK_INT(l.captures[0].kind, EBPFPUB_CAPTURE_SOCKADDR);
	CHECK_INT(l.captures[0].when, EBPFPUB_AT_EXIT);
	CHECK_INT(l.captures[0].size_arg, 2);
	CHECK(l.captures[0].size_is_pointer);
	CHECK_INT(l.captures[0].size, LAYOUT_SOCKADDR_MAX);
	layout_release(&l);
}

static void test_user_table(void)
{
	static const struct ebpfpub_capture caps[] = {
		{ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER, .when = EBPFPUB_AT_ENTER,
		  .size_arg = "count", .size = 100000 },
	};
	static const struct ebpfpub_serializer ser = {
		.sz = sizeof(ser), .name = "write_buf", .captures = caps, .capture_count = 1,
	};
	struct layout l;

	CHECK_INT(build(&l, "write", &ser), 0);
	CHECK(l.user == &ser);
	CHECK_STR(l.serializer_name, "write_buf");
	CHECK_INT(l.captures[0].size_arg, 2);
	CHECK_INT(l.captures[0].size, 4096); /* bounded by the buffer size */
	layout_release(&l);
}

/* Tables that read memory through an integer or take a length from a pointer (#9.5). */
static void test_refused_types(void)
{
	struct ebpfpub_capture c;

	c = (struct ebpfpub_capture){ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER,
				      .when = EBPFPUB_AT_ENTER, .size_arg = "buf" };
	check_refused("write", &c,
		      "syscall 'write': buffer capture of 'buf': length argument 'buf' has type 'const char *', not an integer");
	c = (struct ebpfpub_capture){ .arg = "newname", .kind = EBPFPUB_CAPTURE_BUFFER,
				      .when = EBPFPUB_AT_ENTER, .size_arg = "oldname" };
	check_refused("rename", &c,
		      "syscall 'rename': buffer capture of 'newname': length argument 'oldname' has type 'const char *', not an integer");
	c = (struct ebpfpub_capture){ .arg = "mode", .kind = EBPFPUB_CAPTURE_STRING };
	check_refused("mkdir", &c,
		      "syscall 'mkdir': string capture of 'mode': the argument has type 'umode_t', an integer, not a pointer");
	c = (struct ebpfpub_capture){ .arg = "fd", .kind = EBPFPUB_CAPTURE_SOCKADDR,
				      .when = EBPFPUB_AT_ENTER, .size_arg = "addrlen" };
	check_refused("connect", &c,
		      "syscall 'connect': sockaddr capture of 'fd': the argument has type 'int', an integer, not a pointer");
	c = (struct ebpfpub_capture){ .arg = "flags", .kind = EBPFPUB_CAPTURE_ARGV };
	check_refused("execveat", &c,
		      "syscall 'execveat': argv capture of 'flags': the argument has type 'int', an integer, not a pointer");
	/* A length through a pointer must come from a pointer (accept4's int *). */
	c = (struct ebpfpub_capture){ .arg = "upeer_sockaddr", .kind = EBPFPUB_CAPTURE_SOCKADDR,
				      .size_arg = "flags", .size_is_pointer = true };
	check_refused("accept4", &c,
		      "syscall 'accept4': sockaddr capture of 'upeer_sockaddr': length argument 'flags' has type 'int', not a pointer to an integer");
	/* ... and a plain length from an integer. */
	c = (struct ebpfpub_capture){ .arg = "upeer_sockaddr", .kind = EBPFPUB_CAPTURE_SOCKADDR,
				      .size_arg = "upeer_addrlen" };
	check_refused("accept4", &c,
		      "syscall 'accept4': sockaddr capture of 'upeer_sockaddr': length argument 'upeer_addrlen' has type 'int *', not an integer");
}

static void test_refused_other(void)
{
	struct ebpfpub_capture c;
	const struct ebpfpub_capture twice[] = {
		{ .arg = "pathname", .kind = EBPFPUB_CAPTURE_STRING },
		{ .arg = "pathname", .kind = EBPFPUB_CAPTURE_STRING, .when = EBPFPUB_AT_ENTER },
	};
	const struct ebpfpub_serializer ser = {
		.sz = sizeof(ser), .captures = twice, .capture_count = 2,
	};
	struct layout l;

	c = (struct ebpfpub_capture){ .arg = "nosuch", .kind = EBPFPUB_CAPTURE_STRING };
	check_refused("mkdir", &c, "syscall 'mkdir' has no argument 'nosuch' to capture");
	c = (struct ebpfpub_capture){ .kind = EBPFPUB_CAPTURE_STRING };
	check_refused("mkdir", &c, "syscall 'mkdir': a capture has no argument name");
	c = (struct ebpfpub_capture){ .arg = "pathname", .kind = 9 };
	check_refused("mkdir", &c, "syscall 'mkdir': argument 'pathname': unknown capture kind 9");
	c = (struct ebpfpub_capture){ .arg = "pathname", .kind = EBPFPUB_CAPTURE_STRING,
				      .when = 5 };
	check_refused("mkdir", &c,
		      "syscall 'mkdir': argument 'pathname': 'when' must be AT_ENTER or AT_EXIT");
	c = (struct ebpfpub_capture){ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER };
	check_refused("write", &c,
		      "syscall 'write': argument 'buf': a buffer capture needs size_arg or size");
	c = (struct ebpfpub_capture){ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER,
				      .size_arg = "length" };
	check_refused("write", &c, "syscall 'write': argument 'buf': no length argument 'length'");
	c = (struct ebpfpub_capture){ .arg = "upeer_sockaddr", .kind = EBPFPUB_CAPTURE_SOCKADDR,
				      .when = EBPFPUB_AT_ENTER, .size_arg = "upeer_addrlen",
				      .size_is_pointer = true };
	check_refused("accept4", &c,
		      "syscall 'accept4': argument 'upeer_sockaddr': a length read through a pointer needs AT_EXIT");
	c = (struct ebpfpub_capture){ .arg = "argv", .kind = EBPFPUB_CAPTURE_ARGV,
				      .max_items = LAYOUT_ARGV_MAX_ITEMS + 1 };
	check_refused("execve", &c, "syscall 'execve': argument 'argv': max_items 1025 is over 1024");
	CHECK_INT(build(&l, "mkdir", &ser), -EINVAL);
	CHECK_STR(err, "syscall 'mkdir': argument 'pathname' is captured twice");
}

/* Formats that break what the record assumes (crafted from mkdir's). */
static void test_refused_formats(void)
{
	static const char seven[] =
		"name: sys_enter_seven\nID: 1\nformat:\n"
		"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:long a;\toffset:16;\tsize:8;\tsigned:0;\n"
		"\tfield:long b;\toffset:24;\tsize:8;\tsigned:0;\n"
		"\tfield:long c;\toffset:32;\tsize:8;\tsigned:0;\n"
		"\tfield:long d;\toffset:40;\tsize:8;\tsigned:0;\n"
		"\tfield:long e;\toffset:48;\tsize:8;\tsigned:0;\n"
		"\tfield:long f;\toffset:56;\tsize:8;\tsigned:0;\n"
		"\tfield:long g;\toffset:64;\tsize:8;\tsigned:0;\n\nprint fmt: \"\"\n";
	static const char no_ret[] =
		"name: sys_exit_seven\nID: 2\nformat:\n"
		"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:long result;\toffset:16;\tsize:8;\tsigned:1;\n\nprint fmt: \"\"\n";
	struct layout_storage st;
	struct layout l;

	read_formats("mkdir");
	layout_storage_init(&st, 4096, 8);
	CHECK_INT(layout_build(&l, "seven", seven, sizeof(seven) - 1, exit_buf, exit_len, NULL,
			       &st, err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "syscall 'seven' has 7 arguments; a syscall has at most 6");
	CHECK_INT(layout_build(&l, "mkdir", enter_buf, enter_len, no_ret, sizeof(no_ret) - 1,
			       NULL, &st, err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "syscall 'mkdir': sys_exit_mkdir has no 8-byte field 'ret'");
}

int main(void)
{
	test_storage();
	test_generic();
	test_builtin();
	test_user_table();
	test_refused_types();
	test_refused_other();
	test_refused_formats();
	free(enter_buf);
	free(exit_buf);
	return test_finish("test_layout");
}
