/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format_parse() on every syscall format file of the fixture kernel, exact values for a few
 * well-known syscalls, and malformed input that must be rejected cleanly.
 */
#include "test.h"

#include "format.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>

/* snprintf into an array, which must be large enough. */
#define PATHF(buf, ...) ASSERT(snprintf(buf, sizeof(buf), __VA_ARGS__) < (int)sizeof(buf))

static const char *formats_root(void)
{
	const char *root = getenv("EBPFPUB_TEST_FORMATS");

	return root && root[0] ? root : "tests/data/formats";
}

/* Reads a whole file into an exactly sized buffer without a NUL, so that a parser reading
 * past the length trips valgrind and ASan. */
static char *read_file_exact(const char *path, size_t *len)
{
	char tmp[65536];
	size_t n;
	char *buf;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return NULL;
	n = fread(tmp, 1, sizeof(tmp), f);
	fclose(f);
	ASSERT(n < sizeof(tmp));
	buf = malloc(n ? n : 1);
	ASSERT(buf);
	memcpy(buf, tmp, n);
	*len = n;
	return buf;
}

static int parse_exact(const char *text, size_t len, struct format *out, char *err,
		       size_t err_size)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	ASSERT(copy);
	memcpy(copy, text, len);
	ret = format_parse(copy, len, out, err, err_size);
	free(copy);
	return ret;
}

/* Integer C types seen in syscall formats, with the width and sign the parser must give.
 * A newer kernel that brings a type not listed here fails the test on purpose: the parser's
 * table needs the type too. */
static const struct {
	const char *c_type;
	uint32_t width;
	bool is_signed;
} expected_ints[] = {
	{ "int", 4, true },
	{ "const int", 4, true },
	{ "unsigned int", 4, false },
	{ "unsigned", 4, false },
	{ "long", 8, true },
	{ "unsigned long", 8, false },
	{ "size_t", 8, false },
	{ "const size_t", 8, false },
	{ "pid_t", 4, true },
	{ "u32", 4, false },
	{ "const __u32", 4, false },
	{ "__u64", 8, false },
	{ "__s32", 4, true },
	{ "umode_t", 2, false },
	{ "uid_t", 4, false },
	{ "gid_t", 4, false },
	{ "loff_t", 8, true },
	{ "off_t", 8, true },
	{ "aio_context_t", 8, false },
	{ "clockid_t", 4, true },
	{ "const clockid_t", 4, true },
	{ "timer_t", 4, true },
	{ "mqd_t", 4, true },
	{ "key_t", 4, true },
	{ "key_serial_t", 4, true },
	{ "qid_t", 4, false },
	{ "rwf_t", 4, true },
	{ "const enum landlock_rule_type", 4, false },
	{ "unsigned short", 2, false },
	{ "unsigned char", 1, false },
};

static void check_int_type(const char *event, const struct format_field *f)
{
	size_t i;

	for (i = 0; i < sizeof(expected_ints) / sizeof(expected_ints[0]); i++) {
		if (strcmp(expected_ints[i].c_type, f->c_type))
			continue;
		if (f->value_width != expected_ints[i].width ||
		    f->value_signed != expected_ints[i].is_signed) {
			fprintf(stderr, "%s: %s '%s': width %u signed %d, expected %u %d\n", event,
				f->name, f->c_type, f->value_width, f->value_signed,
				expected_ints[i].width, expected_ints[i].is_signed);
			test_failures++;
		}
		return;
	}
	fprintf(stderr, "%s: field %s has integer type '%s' that the test does not know\n", event,
		f->name, f->c_type);
	test_failures++;
}

/* Invariants every syscall format must satisfy. */
static void check_syscall_format(const char *event, const struct format *fmt)
{
	bool is_enter = !strncmp(event, "sys_enter_", 10);
	const struct format_field *nr;
	size_t i, args;
	uint64_t end = 0;

	CHECK_STR(fmt->name, event);
	CHECK(fmt->id > 0);
	ASSERT(fmt->field_count >= 5);
	CHECK_STR(fmt->fields[0].name, "common_type");
	CHECK_INT(fmt->fields[0].offset, 0);
	CHECK_INT(fmt->fields[0].size, 2);

	for (i = 0; i < fmt->field_count; i++) {
		const struct format_field *f = &fmt->fields[i];

		/* Offsets increase and fields do not overlap. */
		if (f->offset < end) {
			fprintf(stderr, "%s: field %s at %u overlaps the previous one (end %llu)\n",
				event, f->name, f->offset, (unsigned long long)end);
			test_failures++;
		}
		end = (uint64_t)f->offset + f->size;
		CHECK(f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8);
		CHECK(f->value_width == 1 || f->value_width == 2 || f->value_width == 4 ||
		      f->value_width == 8);
		CHECK(f->value_width <= f->size);
		CHECK(strstr(f->c_type, "__user") == NULL);
		CHECK(strstr(f->c_type, "__attribute__") == NULL);
		CHECK(strstr(f->c_type, "  ") == NULL);
		CHECK(f->c_type[0] != ' ' && f->c_type[strlen(f->c_type) - 1] != ' ');
		CHECK(f->is_common == (!strncmp(f->name, "common_", 7) ||
				       !strcmp(f->name, "__syscall_nr")));
		/* Common fields come first. */
		if (i && fmt->fields[i - 1].is_common == false)
			CHECK(!f->is_common);
		if (f->class != FORMAT_CLASS_INTEGER) {
			CHECK_INT(f->value_width, 8);
			CHECK(!f->value_signed);
			CHECK(strchr(f->c_type, '*') || strstr(f->c_type, "_t"));
		} else if (!f->is_common) {
			CHECK(strchr(f->c_type, '*') == NULL);
			check_int_type(event, f);
		}
		if (f->class == FORMAT_CLASS_STRING || f->class == FORMAT_CLASS_STRING_ARRAY)
			CHECK(strstr(f->c_type, "char") != NULL);
	}

	nr = format_find(fmt, "__syscall_nr");
	ASSERT(nr);
	CHECK_INT(nr->offset, 8);
	CHECK_INT(nr->size, 4);
	CHECK(nr->is_signed);
	CHECK(nr->is_common);

	args = format_arg_count(fmt);
	CHECK(args <= 6);
	for (i = 0; i < args; i++) {
		const struct format_field *a = format_arg(fmt, i);

		ASSERT(a);
		CHECK(!a->is_common);
		/* Every syscall argument is one 8-byte slot after __syscall_nr. */
		CHECK_INT(a->size, 8);
		CHECK_INT(a->offset, 16 + 8 * i);
		CHECK(format_find(fmt, a->name) == a);
		if (is_enter)
			CHECK(!a->is_signed);
	}
	CHECK(format_arg(fmt, args) == NULL);
	if (!is_enter) {
		const struct format_field *ret = format_arg(fmt, 0);

		CHECK_INT(args, 1);
		ASSERT(ret);
		CHECK_STR(ret->name, "ret");
		CHECK_STR(ret->c_type, "long");
		CHECK_INT(ret->class, FORMAT_CLASS_INTEGER);
		CHECK_INT(ret->value_width, 8);
		CHECK(ret->value_signed);
		CHECK(ret->is_signed);
	}
}

static void check_id_file(const char *dir, const struct format *fmt)
{
	char path[4096];
	unsigned int id;
	FILE *f;

	PATHF(path, "%s/id", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	CHECK(fscanf(f, "%u", &id) == 1);
	CHECK_INT(fmt->id, id);
	fclose(f);
}

static size_t parse_all_fixtures(void)
{
	char dir_path[4096], path[4096], err[256];
	size_t parsed = 0, enters = 0, exits = 0;
	struct dirent *de;
	DIR *dir;

	PATHF(dir_path, "%s/events/syscalls", formats_root());
	dir = opendir(dir_path);
	if (!dir) {
		fprintf(stderr, "cannot open %s (set EBPFPUB_TEST_FORMATS)\n", dir_path);
		exit(1);
	}
	while ((de = readdir(dir))) {
		struct format fmt;
		size_t len;
		char *buf;
		int ret;

		if (de->d_name[0] == '.')
			continue;
		PATHF(path, "%s/%s/format", dir_path, de->d_name);
		buf = read_file_exact(path, &len);
		if (!buf) {
			fprintf(stderr, "cannot read %s\n", path);
			test_failures++;
			continue;
		}
		ret = format_parse(buf, len, &fmt, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "%s: format_parse: %d: %s\n", path, ret, err);
			test_failures++;
			free(buf);
			continue;
		}
		check_syscall_format(de->d_name, &fmt);
		PATHF(path, "%s/%s", dir_path, de->d_name);
		check_id_file(path, &fmt);
		if (!strncmp(de->d_name, "sys_enter_", 10))
			enters++;
		else if (!strncmp(de->d_name, "sys_exit_", 9))
			exits++;
		format_release(&fmt);
		CHECK(fmt.fields == NULL && fmt.name == NULL && fmt.field_count == 0);
		free(buf);
		parsed++;
	}
	closedir(dir);
	CHECK(enters > 100);
	CHECK_INT(enters, exits);
	return parsed;
}

static void parse_fixture(const char *event, struct format *fmt)
{
	char path[4096], err[256];
	size_t len;
	char *buf;
	int ret;

	PATHF(path, "%s/events/syscalls/%s/format", formats_root(), event);
	buf = read_file_exact(path, &len);
	ASSERT(buf);
	ret = format_parse(buf, len, fmt, err, sizeof(err));
	if (ret)
		fprintf(stderr, "%s: %s\n", event, err);
	ASSERT(ret == 0);
	free(buf);
}

static const struct format_field *arg_named(const struct format *fmt, const char *name)
{
	const struct format_field *f = format_find(fmt, name);

	if (!f)
		fprintf(stderr, "%s: no field %s\n", fmt->name, name);
	ASSERT(f);
	return f;
}

static void check_known_syscalls(void)
{
	const struct format_field *f;
	struct format fmt;

	parse_fixture("sys_enter_mkdir", &fmt);
	CHECK_INT(format_arg_count(&fmt), 2);
	f = arg_named(&fmt, "pathname");
	CHECK(f == format_arg(&fmt, 0));
	CHECK_STR(f->c_type, "const char *");
	CHECK_INT(f->class, FORMAT_CLASS_STRING);
	CHECK_INT(f->offset, 16);
	CHECK_INT(f->size, 8);
	CHECK(!f->is_signed);
	f = arg_named(&fmt, "mode");
	CHECK_STR(f->c_type, "umode_t");
	CHECK_INT(f->class, FORMAT_CLASS_INTEGER);
	CHECK_INT(f->offset, 24);
	CHECK_INT(f->value_width, 2);
	CHECK(!f->value_signed);
	CHECK(format_find(&fmt, "nosuch") == NULL);
	f = arg_named(&fmt, "common_pid");
	CHECK(f->is_common);
	CHECK(f->is_signed);
	CHECK_INT(f->value_width, 4);
	format_release(&fmt);

	parse_fixture("sys_enter_openat", &fmt);
	f = arg_named(&fmt, "dfd");
	CHECK(f == format_arg(&fmt, 0));
	CHECK_STR(f->c_type, "int");
	CHECK_INT(f->class, FORMAT_CLASS_INTEGER);
	CHECK_INT(f->value_width, 4);
	CHECK(f->value_signed);
	CHECK_INT(arg_named(&fmt, "filename")->class, FORMAT_CLASS_STRING);
	CHECK_INT(arg_named(&fmt, "flags")->value_width, 4);
	CHECK_INT(arg_named(&fmt, "mode")->value_width, 2);
	format_release(&fmt);

	parse_fixture("sys_enter_execve", &fmt);
	CHECK_INT(arg_named(&fmt, "filename")->class, FORMAT_CLASS_STRING);
	f = arg_named(&fmt, "argv");
	CHECK_STR(f->c_type, "const char *const *");
	CHECK_INT(f->class, FORMAT_CLASS_STRING_ARRAY);
	CHECK_INT(arg_named(&fmt, "envp")->class, FORMAT_CLASS_STRING_ARRAY);
	format_release(&fmt);

	/* read's buf is declared "char *": by its type it is a string. It really is an output
	 * buffer of count bytes, which a serializer captures as such; the class only reflects
	 * the declaration. */
	parse_fixture("sys_enter_read", &fmt);
	f = arg_named(&fmt, "fd");
	CHECK_STR(f->c_type, "unsigned int");
	CHECK_INT(f->value_width, 4);
	CHECK(!f->value_signed);
	f = arg_named(&fmt, "buf");
	CHECK_STR(f->c_type, "char *");
	CHECK_INT(f->class, FORMAT_CLASS_STRING);
	f = arg_named(&fmt, "count");
	CHECK_STR(f->c_type, "size_t");
	CHECK_INT(f->value_width, 8);
	CHECK(!f->value_signed);
	format_release(&fmt);

	parse_fixture("sys_enter_write", &fmt);
	CHECK_STR(arg_named(&fmt, "buf")->c_type, "const char *");
	format_release(&fmt);

	/* Pointer typedefs have no '*' in their text. */
	parse_fixture("sys_enter_capget", &fmt);
	f = arg_named(&fmt, "header");
	CHECK_STR(f->c_type, "cap_user_header_t");
	CHECK_INT(f->class, FORMAT_CLASS_POINTER);
	CHECK_INT(f->value_width, 8);
	CHECK_INT(arg_named(&fmt, "dataptr")->class, FORMAT_CLASS_POINTER);
	format_release(&fmt);

	parse_fixture("sys_enter_capset", &fmt);
	f = arg_named(&fmt, "data");
	CHECK_STR(f->c_type, "const cap_user_data_t");
	CHECK_INT(f->class, FORMAT_CLASS_POINTER);
	format_release(&fmt);

	parse_fixture("sys_enter_get_robust_list", &fmt);
	f = arg_named(&fmt, "head_ptr");
	CHECK_STR(f->c_type, "struct robust_list_head * *");
	CHECK_INT(f->class, FORMAT_CLASS_POINTER);
	format_release(&fmt);

	parse_fixture("sys_enter_clock_gettime", &fmt);
	f = arg_named(&fmt, "which_clock");
	CHECK_STR(f->c_type, "const clockid_t");
	CHECK_INT(f->value_width, 4);
	CHECK(f->value_signed);
	CHECK_INT(arg_named(&fmt, "tp")->class, FORMAT_CLASS_POINTER);
	format_release(&fmt);

	parse_fixture("sys_enter_connect", &fmt);
	f = arg_named(&fmt, "uservaddr");
	CHECK_STR(f->c_type, "struct sockaddr *");
	CHECK_INT(f->class, FORMAT_CLASS_POINTER);
	format_release(&fmt);

	parse_fixture("sys_exit_mkdir", &fmt);
	CHECK_INT(format_arg_count(&fmt), 1);
	f = format_arg(&fmt, 0);
	ASSERT(f);
	CHECK_STR(f->name, "ret");
	CHECK_INT(f->offset, 16);
	CHECK(f->value_signed);
	format_release(&fmt);
}

#define HEAD "name: sys_enter_test\nID: 42\nformat:\n"                                     \
	     "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"             \
	     "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"

/* HEAD plus one "int x" field with the given attributes. */
#define INT_X(attrs) HEAD "\tfield:int x;" attrs "\n"

static void check_valid_variants(void)
{
	const struct format_field *f;
	struct format fmt;
	char err[256];
	int ret;

	/* Annotations of older kernels and of BTF type tags are removed from the type. */
	static const char annotated[] = HEAD
		"\tfield:const char __attribute__((user)) * pathname;"
		"\toffset:16;\tsize:8;\tsigned:0;\n"
		"\tfield:const char __user *filename;\toffset:24;\tsize:8;\tsigned:0;\n"
		"\tfield:const char __attribute__((btf_type_tag(\"user\"))) *  name;"
		"\toffset:32;\tsize:8;\tsigned:0;\n"
		"\tfield:const   char\t*const __user *  argv;\toffset:40;\tsize:8;\tsigned:0;\n"
		"\tfield:char **envp;\toffset:48;\tsize:8;\tsigned:0;\n"
		"\tfield:const unsigned char * vec;\toffset:56;\tsize:8;\tsigned:0;\n"
		"\n"
		"print fmt: \"pathname: 0x%08lx\", ((unsigned long)(REC->pathname))\n";
	ret = parse_exact(annotated, sizeof(annotated) - 1, &fmt, err, sizeof(err));
	if (ret)
		fprintf(stderr, "annotated: %s\n", err);
	ASSERT(ret == 0);
	CHECK_STR(fmt.name, "sys_enter_test");
	CHECK_INT(fmt.id, 42);
	CHECK_INT(format_arg_count(&fmt), 6);
	f = arg_named(&fmt, "pathname");
	CHECK_STR(f->c_type, "const char *");
	CHECK_INT(f->class, FORMAT_CLASS_STRING);
	f = arg_named(&fmt, "filename");
	CHECK_STR(f->c_type, "const char *");
	CHECK_INT(f->class, FORMAT_CLASS_STRING);
	f = arg_named(&fmt, "name");
	CHECK_STR(f->c_type, "const char *");
	f = arg_named(&fmt, "argv");
	CHECK_STR(f->c_type, "const char *const *");
	CHECK_INT(f->class, FORMAT_CLASS_STRING_ARRAY);
	f = arg_named(&fmt, "envp");
	CHECK_STR(f->c_type, "char **");
	CHECK_INT(f->class, FORMAT_CLASS_STRING_ARRAY);
	CHECK_INT(arg_named(&fmt, "vec")->class, FORMAT_CLASS_STRING);
	format_release(&fmt);

	/* Arrays (non-syscall events), unknown typedefs, unknown keys, no final newline, and a
	 * length that counts the terminating NUL. */
	static const char misc[] = HEAD
		"\tfield:char comm[16];\toffset:16;\tsize:16;\tsigned:0;\n"
		"\tfield:__data_loc char[] msg;\toffset:32;\tsize:4;\tsigned:0;\n"
		"\tfield:foo_t custom;\toffset:36;\tsize:4;\tsigned:1;\tfuture:7;\n"
		"\tfield:u8 data[];\toffset:40;\tsize:0;\tsigned:0;";
	ret = format_parse(misc, sizeof(misc), &fmt, err, sizeof(err));
	if (ret)
		fprintf(stderr, "misc: %s\n", err);
	ASSERT(ret == 0);
	f = arg_named(&fmt, "comm");
	CHECK_STR(f->c_type, "char[16]");
	CHECK_INT(f->size, 16);
	f = arg_named(&fmt, "msg");
	CHECK_STR(f->c_type, "__data_loc char[]");
	CHECK_INT(f->offset, 32);
	f = arg_named(&fmt, "custom");
	CHECK_STR(f->c_type, "foo_t");
	CHECK_INT(f->class, FORMAT_CLASS_INTEGER);
	CHECK_INT(f->value_width, 4);
	CHECK(f->value_signed);
	CHECK_STR(arg_named(&fmt, "data")->c_type, "u8[]");
	format_release(&fmt);

	/* format_release() and the accessors accept empty and NULL formats. */
	memset(&fmt, 0, sizeof(fmt));
	format_release(&fmt);
	format_release(NULL);
	CHECK_INT(format_arg_count(NULL), 0);
	CHECK(format_arg(NULL, 0) == NULL);
	CHECK(format_find(NULL, "x") == NULL);
}

/* TEXT must be rejected with -EINVAL and a message, leaving OUT alone. */
static void expect_invalid_len(const char *what, const char *text, size_t len,
			       const char *needle)
{
	struct format fmt;
	char err[256];
	int ret;

	memset(&fmt, 0xa5, sizeof(fmt));
	memset(err, 0, sizeof(err));
	ret = parse_exact(text, len, &fmt, err, sizeof(err));
	if (ret != -EINVAL) {
		fprintf(stderr, "%s: format_parse returned %d, expected -EINVAL\n", what, ret);
		test_failures++;
		if (!ret)
			format_release(&fmt);
		return;
	}
	if (!err[0] || strncmp(err, "line ", 5)) {
		fprintf(stderr, "%s: message '%s' does not name a line\n", what, err);
		test_failures++;
	}
	if (needle && !strstr(err, needle)) {
		fprintf(stderr, "%s: message '%s' lacks '%s'\n", what, err, needle);
		test_failures++;
	}
	CHECK(fmt.fields == (void *)(uintptr_t)0xa5a5a5a5a5a5a5a5ull);
}

static void expect_invalid(const char *what, const char *text, const char *needle)
{
	expect_invalid_len(what, text, strlen(text), needle);
}

static void check_malformed(void)
{
	struct format fmt;
	char err[256];
	char *big;
	size_t i;
	int ret;

	expect_invalid("empty", "", "name:");
	ret = format_parse(NULL, 0, &fmt, err, sizeof(err));
	CHECK_INT(ret, -EINVAL);
	CHECK(err[0]);
	expect_invalid("name only", "name: x\n", "ID:");
	expect_invalid("no format line", "name: x\nID: 1\n", "format:");
	expect_invalid("no fields", "name: x\nID: 1\nformat:\n\nprint fmt: \"\"\n", "field:");
	expect_invalid("empty name", "name: \nID: 1\nformat:\n", "name");
	expect_invalid("id not a number", "name: x\nID: 12a\nformat:\n", "line 2:");
	expect_invalid("id overflow", "name: x\nID: 4294967296\nformat:\n", "out of range");
	expect_invalid("second name", "name: x\nname: y\n", "line 2:");
	expect_invalid("format before id", "name: x\nformat:\n", "line 2:");
	expect_invalid("garbage line", "name: x\nID: 1\nhello world\n", "line 3:");
	expect_invalid("field before format",
		       "name: x\nID: 1\n\tfield:int a;\toffset:0;\tsize:4;\tsigned:1;\n",
		       "line 3:");
	expect_invalid("garbage in format", HEAD "\tgarbage\n", "line 6:");
	expect_invalid("truncated mid-line", HEAD "\tfield:const char * pathname;\toffset:16;\tsiz",
		       "line 6:");
	expect_invalid("truncated in number", HEAD "\tfield:const char * pathname;\toffset:1",
		       "';'");
	expect_invalid("truncated in decl", HEAD "\tfield:const char * path", "';'");
	expect_invalid("missing offset", INT_X("\tsize:4;\tsigned:1;"), "offset");
	expect_invalid("missing size", INT_X("\toffset:16;\tsigned:1;"), "size");
	expect_invalid("missing signed", INT_X("\toffset:16;\tsize:4;"), "signed");
	expect_invalid("missing ';' after value", INT_X("\toffset:16\tsize:4;\tsigned:1;"),
		       "not a number");
	expect_invalid("missing ';' after decl", HEAD "\tfield:int x\toffset:16\n", "';'");
	expect_invalid("non-numeric size", INT_X("\toffset:16;\tsize:abc;\tsigned:1;"),
		       "not a number");
	expect_invalid("negative size", INT_X("\toffset:16;\tsize:-4;\tsigned:1;"),
		       "not a number");
	expect_invalid("empty size", INT_X("\toffset:16;\tsize:;\tsigned:1;"),
		       "missing number");
	expect_invalid("huge offset",
		       INT_X("\toffset:99999999999999999999999999;\tsize:4;\tsigned:1;"),
		       "out of range");
	expect_invalid("offset just too big",
		       INT_X("\toffset:4294967296;\tsize:4;\tsigned:1;"), "out of range");
	expect_invalid("offset + size overflow",
		       INT_X("\toffset:4294967295;\tsize:4;\tsigned:1;"), "overflows");
	expect_invalid("signed 2", INT_X("\toffset:16;\tsize:4;\tsigned:2;"), "signed");
	expect_invalid("size 0", INT_X("\toffset:16;\tsize:0;\tsigned:1;"), "size is 0");
	expect_invalid("offset twice",
		       INT_X("\toffset:16;\toffset:16;\tsize:4;\tsigned:1;"), "twice");
	expect_invalid("duplicate field",
		       INT_X("\toffset:16;\tsize:4;\tsigned:1;")
			    "\tfield:int x;\toffset:24;\tsize:4;\tsigned:1;\n",
		       "line 7:");
	expect_invalid("empty decl", HEAD "\tfield:;\toffset:16;\tsize:4;\tsigned:1;\n", "empty");
	expect_invalid("no type", HEAD "\tfield:int;\toffset:16;\tsize:4;\tsigned:1;\n", "no type");
	expect_invalid("only a star", HEAD "\tfield:* x;\toffset:16;\tsize:8;\tsigned:0;\n",
		       "no type name");
	expect_invalid("only annotations",
		       HEAD "\tfield:__user x;\toffset:16;\tsize:8;\tsigned:0;\n", "no type name");
	expect_invalid("unbalanced attribute",
		       HEAD "\tfield:char __attribute__((user * x;"
			    "\toffset:16;\tsize:8;\tsigned:0;\n",
		       "unbalanced");
	expect_invalid("digit name", HEAD "\tfield:int 9x;\toffset:16;\tsize:4;\tsigned:1;\n",
		       "digit");
	expect_invalid("bracket", HEAD "\tfield:int x];\toffset:16;\tsize:4;\tsigned:1;\n", "']'");
	expect_invalid("control char", HEAD "\tfield:int \x01x;\toffset:16;\tsize:4;\tsigned:1;\n",
		       "control");
	expect_invalid("no key", INT_X("\t16;"), "key:value");

	/* An embedded NUL ends the text: the fields after it are not seen. */
	static const char with_nul[] = "name: x\nID: 1\nformat:\n\0"
				       "\tfield:int x;\toffset:0;\tsize:4;\tsigned:1;\n";
	expect_invalid_len("embedded NUL", with_nul, sizeof(with_nul) - 1, "field:");

	/* Longer than the limit. */
	big = malloc((1u << 20) + 1);
	ASSERT(big);
	memset(big, 'a', (1u << 20) + 1);
	ret = format_parse(big, (1u << 20) + 1, &fmt, err, sizeof(err));
	CHECK_INT(ret, -EINVAL);
	CHECK(strstr(err, "limit") != NULL);
	free(big);

	/* Too many fields. */
	{
		size_t cap = 2048 * 64 + 64, used;

		big = malloc(cap);
		ASSERT(big);
		used = (size_t)snprintf(big, cap, "name: x\nID: 1\nformat:\n");
		for (i = 0; i < 1100; i++)
			used += (size_t)snprintf(big + used, cap - used,
						 "\tfield:int f%zu;\toffset:%zu;\tsize:4;"
						 "\tsigned:1;\n",
						 i, i * 4);
		ret = format_parse(big, used, &fmt, err, sizeof(err));
		CHECK_INT(ret, -EINVAL);
		CHECK(strstr(err, "more than") != NULL);
		free(big);
	}

	/* A small or missing message buffer is never overrun. */
	ret = format_parse("x", 1, &fmt, err, 8);
	CHECK_INT(ret, -EINVAL);
	CHECK(strlen(err) == 7);
	CHECK_INT(format_parse("x", 1, &fmt, NULL, 0), -EINVAL);
	CHECK_INT(format_parse("x", 1, &fmt, err, 1), -EINVAL);
	CHECK_INT(err[0], 0);
}

/* Every prefix of a real file parses or fails cleanly; a prefix that stops inside an
 * argument's field line always fails. */
static void check_prefixes(void)
{
	char path[4096], err[256];
	const char *arg_line;
	size_t len, cut, arg_start, arg_end;
	struct format fmt;
	char *buf, *text;
	int ret;

	PATHF(path, "%s/events/syscalls/sys_enter_mkdir/format", formats_root());
	buf = read_file_exact(path, &len);
	ASSERT(buf);
	text = malloc(len + 1);
	ASSERT(text);
	memcpy(text, buf, len);
	text[len] = '\0';
	arg_line = strstr(text, "\tfield:const char * pathname;");
	ASSERT(arg_line);
	arg_start = (size_t)(arg_line - text) + 1;
	arg_end = (size_t)(strchr(arg_line, '\n') - text) - 1; /* at the final ';' */

	for (cut = 0; cut <= len; cut++) {
		err[0] = '\0';
		ret = parse_exact(text, cut, &fmt, err, sizeof(err));
		if (ret == 0) {
			format_release(&fmt);
		} else {
			CHECK_INT(ret, -EINVAL);
			CHECK(err[0] != '\0');
		}
		if (cut > arg_start && cut <= arg_end && ret != -EINVAL) {
			fprintf(stderr, "prefix of %zu bytes (inside the pathname line) parsed\n",
				cut);
			test_failures++;
		}
	}
	free(text);
	free(buf);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random bytes and random damage to a real file: never a crash, a leak or an overread. */
static void check_random(void)
{
	char path[4096], err[256];
	unsigned char junk[1024];
	struct format fmt;
	size_t len, i, j;
	char *orig, *mut;
	int ret;

	for (i = 0; i < 2000; i++) {
		size_t n = rng() % sizeof(junk);

		for (j = 0; j < n; j++)
			junk[j] = (unsigned char)rng();
		err[0] = '\0';
		ret = parse_exact((const char *)junk, n, &fmt, err, sizeof(err));
		CHECK_INT(ret, -EINVAL);
		CHECK(err[0] != '\0');
	}

	PATHF(path, "%s/events/syscalls/sys_enter_openat/format", formats_root());
	orig = read_file_exact(path, &len);
	ASSERT(orig);
	mut = malloc(len);
	ASSERT(mut);
	for (i = 0; i < 5000; i++) {
		size_t flips = 1 + rng() % 4, n = len;

		memcpy(mut, orig, len);
		for (j = 0; j < flips; j++) {
			size_t at = rng() % len;

			switch (rng() % 4) {
			case 0:
				mut[at] = (char)rng();
				break;
			case 1:
				mut[at] = "0123456789;:\t\n *[]()_"[rng() % 21];
				break;
			case 2:
				mut[at] ^= (char)(1u << (rng() % 8));
				break;
			default:
				n = at;
				break;
			}
		}
		err[0] = '\0';
		ret = parse_exact(mut, n, &fmt, err, sizeof(err));
		if (ret == 0) {
			for (j = 0; j < fmt.field_count; j++)
				CHECK(fmt.fields[j].name[0] && fmt.fields[j].c_type[0]);
			format_release(&fmt);
		} else {
			CHECK_INT(ret, -EINVAL);
			CHECK(err[0] != '\0');
		}
	}
	free(mut);
	free(orig);
}

int main(void)
{
	size_t parsed = parse_all_fixtures();

	printf("parsed %zu fixture format files\n", parsed);
	CHECK(parsed > 200);
	check_known_syscalls();
	check_valid_variants();
	check_malformed();
	check_prefixes();
	check_random();
	return test_finish("test_format");
}
