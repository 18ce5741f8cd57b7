/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ebpftracer's printers against the golden files in tests/data/printers: crafted events of
 * every value type, every escape case, every missing-value reason and extreme integers.
 * The golden files were written by the printers of before the rewrite for speed, so the
 * output must stay byte-identical.
 *
 *   test_printers GOLDEN_DIR          compares (the unit suite)
 *   test_printers --print text|json   writes the output to stdout (to record the files)
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"

#include "../../tools/ebpftracer/escape.h"
#include "../../tools/ebpftracer/print_process.h"
#include "../../tools/ebpftracer/printer.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define BYTES(s) { .data = (s), .len = sizeof(s) - 1 }

#define INT_S(n, w, v) { .name = (n), .type = EBPFPUB_VALUE_SIGNED, .width = (w), \
			 .raw = (uint64_t)(int64_t)(v), .value.s = (v) }
#define INT_U(n, w, v) { .name = (n), .type = EBPFPUB_VALUE_UNSIGNED, .width = (w), \
			 .raw = (v), .value.u = (v) }
#define PTR(n, v) { .name = (n), .type = EBPFPUB_VALUE_POINTER, .width = 8, .raw = (v), \
		    .value.u = (v) }
#define STR(n, s, fl) { .name = (n), .type = EBPFPUB_VALUE_STRING, .width = 8, \
			.raw = 0x7ffc0000a000, .flags = (fl), .value.bytes = BYTES(s) }
#define BUF(n, s, fl) { .name = (n), .type = EBPFPUB_VALUE_BYTES, .width = 8, \
			.raw = 0x7ffc0000b000, .flags = (fl), .value.bytes = BYTES(s) }
#define MISSING(n, t, fl) { .name = (n), .type = (t), .width = 8, .raw = 0xdead0000beef, \
			    .flags = (fl) }

/* Strings: plain, then one for each escape of either printer. */
static const struct ebpfpub_field strings[] = {
	STR("empty", "", 0),
	STR("plain", "/tmp/ebpfpub-test/a b~c", 0),
	STR("quotes", "single ' double \" back \\ end", 0),
	STR("controls", "nl\n tab\t cr\r bs\b ff\f nul\x00 one\x01 us\x1f" " del\x7f" " esc\x1b[31m", 0),
	STR("c1", "c1 start \xc2\x80 end \xc2\x9f nbsp \xc2\xa0", 0),
	STR("utf8", "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbf", 0),
	STR("invalid", "ff \xff fe \xfe c0 \xc0\x80 c1 \xc1\xbf stray \x80 surrogate \xed\xa0\x80 "
		       "big \xf4\x90\x80\x80 over3 \xe0\x80\x80 over4 \xf0\x80\x80\x80 f5 \xf5", 0),
	STR("cut_2", "cut \xc3", 0),
	STR("cut_3", "cut \xe2\x82", 0),
	STR("cut_4", "cut \xf0\x9f\x98", 0),
	STR("bad_cont", "bad \xe2\x28\xa1 \xf0\x9f\x28\x80", 0),
	STR("truncated", "/very/long/path/cut/her", EBPFPUB_FIELD_TRUNCATED),
	STR("only_escapes", "''\\\\\"\"\n\n\xff\xff", EBPFPUB_FIELD_TRUNCATED),
	STR("long", "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
		    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
		    "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac'''\\\\\\\x01\x02\x03\xff\xfe\xfd"
		    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz", 0),
};

/* Integers at the ends of each width, pointers, byte buffers. */
static const struct ebpfpub_field numbers[] = {
	INT_S("s8_min", 1, -128), INT_S("s8_max", 1, 127),
	INT_S("s16_min", 2, -32768), INT_S("s16_max", 2, 32767),
	INT_S("s32_min", 4, INT32_MIN), INT_S("s32_max", 4, INT32_MAX),
	INT_S("s64_min", 8, INT64_MIN), INT_S("s64_max", 8, INT64_MAX),
	INT_S("zero", 4, 0), INT_S("minus_one", 4, -1), INT_S("dfd", 4, -100),
	INT_S("ten", 8, 10), INT_S("nines", 8, 999999999999999999),
	INT_U("u8_max", 1, 255), INT_U("u16_max", 2, 65535),
	INT_U("u32_max", 4, UINT32_MAX), INT_U("u64_max", 8, UINT64_MAX),
	INT_U("u_zero", 4, 0), INT_U("mode", 4, 0755), INT_U("pow10", 8, 10000000000000000000u),
	PTR("null_ptr", 0), PTR("ptr", 0x7ffd1234abcd), PTR("ptr_max", UINT64_MAX),
	PTR("ptr_small", 0xf),
	BUF("buf_empty", "", 0),
	BUF("buf", "\x00\x01\x7f\x80\xfe\xff" "AZaz09'\"\\", 0),
	BUF("buf_cut", "\xde\xad\xbe\xef", EBPFPUB_FIELD_TRUNCATED),
};

#define SA_FIELD(n, sa, fl) { .name = (n), .type = EBPFPUB_VALUE_SOCKADDR, .width = 8, \
			      .raw = 0x7ffc0000c000, .flags = (fl), .value.sockaddr = sa }

static const struct ebpfpub_field sockaddrs[] = {
	SA_FIELD("in", ((struct ebpfpub_sockaddr){ .family = AF_INET, .port = 9,
		 .addr = { 127, 0, 0, 1 }, .data = BYTES("\x00\x09\x7f\x00\x00\x01\0\0\0\0\0\0\0\0") }), 0),
	SA_FIELD("in_max", ((struct ebpfpub_sockaddr){ .family = AF_INET, .port = 65535,
		 .addr = { 255, 255, 255, 255 }, .data = BYTES("\xff\xff\xff\xff\xff\xff") }), 0),
	SA_FIELD("in_short", ((struct ebpfpub_sockaddr){ .family = AF_INET,
		 .data = BYTES("\x00\x50\x0a") }), 0),
	SA_FIELD("in6", ((struct ebpfpub_sockaddr){ .family = AF_INET6, .port = 443,
		 .addr = { [15] = 1 }, .flowinfo = 5,
		 .data = BYTES("\x01\xbb\0\0\0\x05\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0") }), 0),
	SA_FIELD("in6_scope", ((struct ebpfpub_sockaddr){ .family = AF_INET6, .port = 22,
		 .addr = { 0xfe, 0x80, [15] = 1 }, .flowinfo = UINT32_MAX, .scope_id = 3,
		 .data = BYTES("\x00\x16\xff\xff\xff\xff\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\x03") }),
		 0),
	SA_FIELD("in6_mapped", ((struct ebpfpub_sockaddr){ .family = AF_INET6, .port = 0,
		 .addr = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 },
		 .data = BYTES("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\0\0\x01") }), 0),
	SA_FIELD("in6_short", ((struct ebpfpub_sockaddr){ .family = AF_INET6, .port = 80,
		 .data = BYTES("\x00\x50\0\0\0\0\x20\x01\x0d\xb8") }), 0),
	SA_FIELD("unix", ((struct ebpfpub_sockaddr){ .family = AF_UNIX,
		 .data = BYTES("/run/x.sock") }), 0),
	SA_FIELD("unix_escapes", ((struct ebpfpub_sockaddr){ .family = AF_UNIX,
		 .data = BYTES("/tmp/it's\n\"\\\xff\xc2\x85") }), 0),
	SA_FIELD("unix_abstract", ((struct ebpfpub_sockaddr){ .family = AF_UNIX,
		 .data = BYTES("\0abstract\0name") }), 0),
	SA_FIELD("unix_abstract_empty", ((struct ebpfpub_sockaddr){ .family = AF_UNIX,
		 .data = BYTES("\0") }), 0),
	SA_FIELD("unix_unnamed", ((struct ebpfpub_sockaddr){ .family = AF_UNIX }), 0),
	SA_FIELD("unix_cut", ((struct ebpfpub_sockaddr){ .family = AF_UNIX,
		 .data = BYTES("/run/a-very-long") }), EBPFPUB_FIELD_TRUNCATED),
	SA_FIELD("netlink", ((struct ebpfpub_sockaddr){ .family = AF_NETLINK,
		 .data = BYTES("\0\0\x39\x30\0\0\0\0\x01\0\0\0") }), 0),
	SA_FIELD("unspec_empty", ((struct ebpfpub_sockaddr){ .family = AF_UNSPEC }), 0),
	SA_FIELD("family_max", ((struct ebpfpub_sockaddr){ .family = UINT16_MAX,
		 .data = BYTES("\xab") }), EBPFPUB_FIELD_TRUNCATED),
};

static const struct ebpfpub_bytes args_plain[] = { BYTES("mkdir"), BYTES("-p"), BYTES("/tmp/x") };
static const uint32_t flags_plain[] = { 0, 0, 0 };
static const struct ebpfpub_bytes args_mixed[] = {
	BYTES(""), BYTES("it's"), BYTES(""), BYTES("cut-her"), BYTES("a\tb\n\xff\"\\"),
};
static const uint32_t flags_mixed[] = {
	0, 0, EBPFPUB_FIELD_UNREADABLE, EBPFPUB_FIELD_TRUNCATED, 0,
};
static const struct ebpfpub_bytes args_last_cut[] = { BYTES("sh"), BYTES("-c"), BYTES("ech") };
static const uint32_t flags_last_cut[] = { 0, 0, EBPFPUB_FIELD_TRUNCATED };
static const struct ebpfpub_bytes args_unreadable[] = { BYTES("true"), BYTES("") };
static const uint32_t flags_unreadable[] = { 0, EBPFPUB_FIELD_UNREADABLE };

#define ARGV(n, a, f, c, src, fl, m) { .name = (n), .type = EBPFPUB_VALUE_ARGV, .width = 8, \
	.raw = 0x7ffc0000d000, .flags = (fl), .value.argv = { .count = (c), .source = (src), \
	.args = (a), .arg_flags = (f), .more = (m) } }

static const struct ebpfpub_field argvs[] = {
	ARGV("argv", args_plain, flags_plain, 3, EBPFPUB_ARGV_FROM_CALLER, 0, false),
	ARGV("argv_new_mm", args_plain, flags_plain, 3, EBPFPUB_ARGV_FROM_NEW_MM, 0, false),
	ARGV("argv_mixed", args_mixed, flags_mixed, 5, EBPFPUB_ARGV_FROM_CALLER,
	     EBPFPUB_FIELD_TRUNCATED | EBPFPUB_FIELD_UNREADABLE, false),
	ARGV("argv_more", args_plain, flags_plain, 2, EBPFPUB_ARGV_FROM_NEW_MM,
	     EBPFPUB_FIELD_TRUNCATED, true),
	ARGV("argv_last_cut", args_last_cut, flags_last_cut, 3, EBPFPUB_ARGV_FROM_CALLER,
	     EBPFPUB_FIELD_TRUNCATED, false),
	ARGV("argv_none_more", args_plain, flags_plain, 0, EBPFPUB_ARGV_FROM_CALLER,
	     EBPFPUB_FIELD_TRUNCATED, true),
	ARGV("argv_empty", NULL, NULL, 0, EBPFPUB_ARGV_FROM_CALLER, 0, false),
	ARGV("argv_unreadable_tail", args_unreadable, flags_unreadable, 2,
	     EBPFPUB_ARGV_FROM_CALLER, EBPFPUB_FIELD_UNREADABLE, false),
	ARGV("argv_null", NULL, NULL, 0, EBPFPUB_ARGV_FROM_CALLER, EBPFPUB_FIELD_NULL, false),
	ARGV("argv_unreadable", NULL, NULL, 0, EBPFPUB_ARGV_FROM_CALLER,
	     EBPFPUB_FIELD_UNREADABLE, false),
};

/* Fields without a value, each reason and the order in which reasons win. */
static const struct ebpfpub_field missing[] = {
	MISSING("str_null", EBPFPUB_VALUE_STRING, EBPFPUB_FIELD_NULL),
	MISSING("str_unreadable", EBPFPUB_VALUE_STRING, EBPFPUB_FIELD_UNREADABLE),
	MISSING("str_both", EBPFPUB_VALUE_STRING, EBPFPUB_FIELD_UNREADABLE | EBPFPUB_FIELD_NULL),
	MISSING("sa_not_captured", EBPFPUB_VALUE_SOCKADDR, EBPFPUB_FIELD_NOT_CAPTURED),
	MISSING("sa_bad_length", EBPFPUB_VALUE_SOCKADDR, EBPFPUB_FIELD_BAD_LENGTH),
	MISSING("buf_bad_length", EBPFPUB_VALUE_BYTES,
		EBPFPUB_FIELD_BAD_LENGTH | EBPFPUB_FIELD_TRUNCATED),
	MISSING("buf_not_captured", EBPFPUB_VALUE_BYTES,
		EBPFPUB_FIELD_NOT_CAPTURED | EBPFPUB_FIELD_BAD_LENGTH),
	{ .name = "ptr_zero_raw", .type = EBPFPUB_VALUE_STRING, .flags = EBPFPUB_FIELD_NULL },
	{ .name = "type_zero", .type = 0, .raw = 0x1234 },
	{ .name = "type_new", .type = 99, .raw = UINT64_MAX, .flags = EBPFPUB_FIELD_NULL },
};

static const struct ebpfpub_field mkdir_fields[] = {
	STR("pathname", "/tmp", 0),
	INT_U("mode", 4, 0755),
};

/* The process context (0.3): a Kubernetes container with ancestors, one known to the
 * process table with a command line that needs escaping; a host task without audit; a path
 * that could not be read. */
static const char *const bash_argv[] = { "bash", "-c", "echo 'hi'\n", NULL };
static const struct ebpfpub_ancestor ancestors[] = {
	{ .pid = 812, .uid = 1000, .start_time_ns = 5843110000000, .comm = "bash", .argc = 3,
	  .argv = bash_argv },
	{ .pid = 1, .uid = EBPFPUB_UID_UNKNOWN, .start_time_ns = 20000000, .comm = "sys'temd\n" },
};
static const struct ebpfpub_process proc_pod = {
	.sz = sizeof(struct ebpfpub_process), .ppid = 812, .start_time_ns = 5843120000000,
	.auid = 1000, .session_id = 3, .cgroup_id = 7321,
	.cgroup_path = "/kubepods.slice/kubepods-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/"
		       "cri-containerd-1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b.scope",
	.container_runtime = "kubernetes",
	.container_id = "1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b",
	.container_short_id = "1a2b3c4d5e6f", .pod_uid = "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
	.ancestor_count = 2, .ancestors = ancestors,
};
static const struct ebpfpub_process proc_host = {
	.sz = sizeof(struct ebpfpub_process), .flags = EBPFPUB_PROCESS_NO_AUDIT, .ppid = 1,
	.start_time_ns = 1, .auid = EBPFPUB_AUID_UNSET, .session_id = EBPFPUB_SESSION_UNSET,
	.cgroup_id = 1, .cgroup_path = "/", .container_runtime = "host", .container_id = "",
	.container_short_id = "",
};
static const struct ebpfpub_process proc_unknown = {
	.sz = sizeof(struct ebpfpub_process), .flags = EBPFPUB_PROCESS_PATH_UNKNOWN,
	.ppid = 2, .start_time_ns = 2, .auid = EBPFPUB_AUID_UNSET,
	.session_id = EBPFPUB_SESSION_UNSET, .cgroup_id = 99, .container_runtime = "unknown",
	.container_id = "", .container_short_id = "",
};

static const struct ebpfpub_event events[] = {
	{ .syscall = "mkdir", .serializer = "generic", .timestamp_ns = 5844569753196,
	  .pid = 21270, .tid = 21270, .exit_code = -17, .duration_ns = 1450,
	  .comm = "workload_mkdir", .field_count = N(mkdir_fields), .fields = mkdir_fields },
	{ .syscall = "strings", .serializer = "test", .timestamp_ns = 1, .pid = 1, .tid = 2,
	  .uid = 1000, .gid = 1000, .exit_code = 0, .duration_ns = 0,
	  .probe_error = EBPFPUB_PROBE_ERROR_TRUNCATED, .comm = "a'b\"c\\d\ne\xff",
	  .field_count = N(strings), .fields = strings },
	{ .syscall = "numbers", .serializer = "test", .timestamp_ns = UINT64_MAX,
	  .pid = UINT32_MAX, .tid = UINT32_MAX, .uid = UINT32_MAX, .gid = UINT32_MAX,
	  .exit_code = INT64_MIN, .duration_ns = UINT64_MAX, .probe_error = UINT32_MAX,
	  .comm = "0123456789abcdef", .field_count = N(numbers), .fields = numbers },
	{ .syscall = "connect", .serializer = "connect", .timestamp_ns = 1000000000,
	  .pid = 42, .tid = 43, .exit_code = INT64_MAX, .duration_ns = 31000,
	  .comm = "curl", .field_count = N(sockaddrs), .fields = sockaddrs },
	{ .syscall = "execve", .serializer = "execve", .timestamp_ns = 999,
	  .pid = 7, .tid = 7, .exit_code = -2, .duration_ns = 10,
	  .probe_error = EBPFPUB_PROBE_ERROR_READ | EBPFPUB_PROBE_ERROR_TRUNCATED,
	  .comm = "\xc3\xa9t\xc3\xa9", .field_count = N(argvs), .fields = argvs },
	{ .syscall = "missing", .serializer = "generic", .timestamp_ns = 10, .pid = 2, .tid = 3,
	  .exit_code = -14, .duration_ns = 5,
	  .probe_error = EBPFPUB_PROBE_ERROR_READ | EBPFPUB_PROBE_ERROR_NO_SPACE,
	  .comm = "", .field_count = N(missing), .fields = missing },
	{ .syscall = "getpid", .serializer = "generic", .timestamp_ns = 0, .pid = 0, .tid = 0,
	  .exit_code = 0, .comm = "x", .field_count = 0, .fields = NULL },
	{ .syscall = "mkdir", .serializer = "generic", .timestamp_ns = 5844569753196,
	  .pid = 4242, .tid = 4243, .uid = 1000, .gid = 1000, .exit_code = 0, .duration_ns = 900,
	  .comm = "mkdir", .field_count = N(mkdir_fields), .fields = mkdir_fields,
	  .process = &proc_pod },
	{ .syscall = "getpid", .serializer = "generic", .timestamp_ns = 1, .pid = 5, .tid = 5,
	  .exit_code = 5, .comm = "x", .process = &proc_host },
	{ .syscall = "getpid", .serializer = "generic", .timestamp_ns = 2, .pid = 6, .tid = 6,
	  .exit_code = 6, .comm = "y", .process = &proc_unknown },
};

/*
 * The whole corpus through one printer into a string of *LEN bytes. A buffer of CAP bytes:
 * a small one grows in the middle of every kind of value.
 */
static char *print_all(bool json, size_t cap, size_t *len)
{
	struct outbuf b;
	size_t i;

	ASSERT(outbuf_init(&b, cap) == 0);
	for (i = 0; i < N(events); i++) {
		if (json)
			print_json_event(&b, &events[i]);
		else
			print_text_event(&b, &events[i]);
	}
	ASSERT(b.error == 0);
	*len = b.len;
	return b.data;
}

/* The integer formatting against printf's, around every power of ten and at the ends,
 * and at pseudo-random values of every length (zeros inside the groups of eight digits). */
static void check_numbers(void)
{
	char want[128];
	uint64_t p = 1, x = 88172645463325252u;
	int k;

	for (k = 0; k < 20 + 2000; k++, p *= 10) {
		uint64_t values[] = { p - 1, p, p + 1, p * 9 + 9 };
		size_t i;

		if (k >= 20) {
			for (i = 0; i < N(values); i++) {
				/* xorshift64, cut to 1 .. 64 bits */
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				values[i] = x >> (x % 64);
				if (i == 3)
					values[i] = values[i] / 1000 * 1000;
			}
		}
		for (i = 0; i < N(values); i++) {
			struct outbuf b;
			int n;

			ASSERT(outbuf_init(&b, 1) == 0);
			outbuf_u64(&b, values[i]);
			outbuf_putc(&b, ' ');
			outbuf_i64(&b, (int64_t)values[i]);
			outbuf_putc(&b, ' ');
			outbuf_i64(&b, -(int64_t)values[i]);
			outbuf_putc(&b, ' ');
			outbuf_hex64(&b, values[i]);
			n = snprintf(want, sizeof(want), "%" PRIu64 " %" PRId64 " %" PRId64 " %" PRIx64,
				     values[i], (int64_t)values[i], -(int64_t)values[i], values[i]);
			CHECK_INT(b.len, n);
			if (b.len != (size_t)n || memcmp(b.data, want, b.len)) {
				fprintf(stderr, "got '%.*s', want '%s'\n", (int)b.len, b.data, want);
				test_failures++;
			}
			outbuf_release(&b);
		}
	}
}

/*
 * The process printers keep the last context's text (print_process.c): a run of events
 * whose contexts change one member at a time, in the same buffers as the library reuses
 * them, each printed after the previous one (the memo warm) and again after
 * print_process_forget() (cold), which must agree; HIT says whether the warm one may come
 * from the memo, and it must exactly then.
 */
struct memo_step {
	const char *what;
	bool hit;
	void (*change)(struct ebpfpub_process *p);
};

static char memo_cgroup[2048], memo_runtime[16], memo_id[80], memo_short[16], pod_buf[48];
static const struct ebpfpub_ancestor memo_ancestor[] = {
	{ .pid = 1, .uid = 0, .start_time_ns = 10, .comm = "init" },
};

static void memo_host(struct ebpfpub_process *p)
{
	memset(p, 0, sizeof(*p));
	p->sz = sizeof(*p);
	p->ppid = 14767;
	p->start_time_ns = 1144943681475;
	p->auid = EBPFPUB_AUID_UNSET;
	p->session_id = EBPFPUB_SESSION_UNSET;
	p->cgroup_id = 1;
	strcpy(memo_cgroup, "/");
	strcpy(memo_runtime, "host");
	memo_id[0] = memo_short[0] = '\0';
	p->cgroup_path = memo_cgroup;
	p->container_runtime = memo_runtime;
	p->container_id = memo_id;
	p->container_short_id = memo_short;
}

static void memo_same(struct ebpfpub_process *p) { (void)p; }
static void memo_ppid(struct ebpfpub_process *p) { p->ppid = 1; }
static void memo_start(struct ebpfpub_process *p) { p->start_time_ns++; }
static void memo_auid(struct ebpfpub_process *p) { p->auid = 1000; }
static void memo_session(struct ebpfpub_process *p) { p->session_id = 3; }
static void memo_no_audit(struct ebpfpub_process *p) { p->flags |= EBPFPUB_PROCESS_NO_AUDIT; }
static void memo_audit(struct ebpfpub_process *p) { p->flags &= ~EBPFPUB_PROCESS_NO_AUDIT; }
static void memo_cgroup_id(struct ebpfpub_process *p) { p->cgroup_id = 7321; }
static void memo_no_cgroup(struct ebpfpub_process *p) { p->flags |= EBPFPUB_PROCESS_NO_CGROUP; }
static void memo_cgroup_back(struct ebpfpub_process *p) { p->flags &= ~EBPFPUB_PROCESS_NO_CGROUP; }

/* The same buffer, other content: a pointer compare would miss these. */
static void memo_path(struct ebpfpub_process *p)
{
	strcpy(memo_cgroup, "/system.slice/a'b\"c\\d\n.scope");
}

static void memo_path_last_byte(struct ebpfpub_process *p)
{
	memo_cgroup[strlen(memo_cgroup) - 1] = 'f';
}

static void memo_path_longer(struct ebpfpub_process *p)
{
	strcat(memo_cgroup, "/x");
}

static void memo_path_null(struct ebpfpub_process *p)
{
	p->cgroup_path = NULL;
	p->flags |= EBPFPUB_PROCESS_PATH_UNKNOWN;
}

static void memo_path_empty(struct ebpfpub_process *p)
{
	p->flags &= ~EBPFPUB_PROCESS_PATH_UNKNOWN;
	memo_cgroup[0] = '\0';
	p->cgroup_path = memo_cgroup;
}

static void memo_docker(struct ebpfpub_process *p)
{
	strcpy(memo_cgroup, "/system.slice/docker-1a2b3c4d5e6f0000.scope");
	strcpy(memo_runtime, "docker");
	strcpy(memo_id, "1a2b3c4d5e6f0000");
	strcpy(memo_short, "1a2b3c4d5e6f");
}

static void memo_other_id(struct ebpfpub_process *p)
{
	memo_id[15] = '1';   /* the short id and the path stay */
}

static void memo_other_short(struct ebpfpub_process *p)
{
	memo_short[0] = '9';   /* only the text printer shows it */
}

static void memo_runtime_only(struct ebpfpub_process *p)
{
	strcpy(memo_runtime, "podman");
}

static void memo_pod(struct ebpfpub_process *p)
{
	strcpy(pod_buf, "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
	p->pod_uid = pod_buf;
}

static void memo_pod_other(struct ebpfpub_process *p)
{
	pod_buf[0] = 'f';
}

static void memo_pod_empty(struct ebpfpub_process *p)
{
	pod_buf[0] = '\0';
}

static void memo_pod_none(struct ebpfpub_process *p)
{
	p->pod_uid = NULL;
}

static void memo_ancestors(struct ebpfpub_process *p)
{
	p->ancestor_count = N(memo_ancestor);
	p->ancestors = memo_ancestor;
}

static void memo_no_ancestors(struct ebpfpub_process *p)
{
	p->ancestor_count = 0;
	p->ancestors = NULL;
}

/* A path longer than the memo keeps (1 KiB of strings): formatted every time. */
static void memo_path_huge(struct ebpfpub_process *p)
{
	memset(memo_cgroup, 'a', sizeof(memo_cgroup) - 1);
	memo_cgroup[0] = '/';
	memo_cgroup[sizeof(memo_cgroup) - 1] = '\0';
}

static void memo_back_to_host(struct ebpfpub_process *p)
{
	memo_host(p);
}

static const struct memo_step memo_steps[] = {
	{ "host", false, memo_back_to_host },
	{ "same", true, memo_same },
	{ "same again", true, memo_same },
	{ "ppid", false, memo_ppid },
	{ "start time", false, memo_start },
	{ "auid", false, memo_auid },
	{ "session", false, memo_session },
	{ "no audit", false, memo_no_audit },
	{ "same, no audit", true, memo_same },
	{ "audit", false, memo_audit },
	{ "cgroup id", false, memo_cgroup_id },
	{ "no cgroup", false, memo_no_cgroup },
	{ "cgroup", false, memo_cgroup_back },
	{ "path in the same buffer", false, memo_path },
	{ "same path", true, memo_same },
	{ "path's last byte", false, memo_path_last_byte },
	{ "longer path", false, memo_path_longer },
	{ "no path", false, memo_path_null },
	{ "same, no path", true, memo_same },
	{ "empty path", false, memo_path_empty },
	{ "docker", false, memo_docker },
	{ "same container", true, memo_same },
	{ "other id, same short id", false, memo_other_id },
	{ "other short id", false, memo_other_short },
	{ "other runtime", false, memo_runtime_only },
	{ "pod", false, memo_pod },
	{ "same pod", true, memo_same },
	{ "other pod", false, memo_pod_other },
	{ "empty pod", false, memo_pod_empty },
	{ "no pod", false, memo_pod_none },
	{ "ancestors", false, memo_ancestors },
	{ "same, with ancestors", false, memo_same },
	{ "no ancestors", false, memo_no_ancestors },
	{ "same, without ancestors", true, memo_same },
	{ "huge path", false, memo_path_huge },
	{ "same huge path", false, memo_same },
	{ "host again", false, memo_back_to_host },
	{ "same host", true, memo_same },
};

static void check_process_memo(void)
{
	struct ebpfpub_process proc;
	struct ebpfpub_event ev = {
		.syscall = "mkdir", .serializer = "generic", .timestamp_ns = 1150718903953,
		.pid = 16506, .tid = 16578, .exit_code = -17, .duration_ns = 986,
		.comm = "workload_mkdir", .field_count = N(mkdir_fields), .fields = mkdir_fields,
		.process = &proc,
	};
	size_t i;
	int json;

	memo_host(&proc);
	for (json = 0; json < 2; json++) {
		print_process_forget();
		for (i = 0; i < N(memo_steps); i++) {
			struct outbuf warm, cold;
			unsigned long hits = print_process_memo_hits;

			memo_steps[i].change(&proc);
			ASSERT(outbuf_init(&warm, 16) == 0 && outbuf_init(&cold, 16) == 0);
			if (json)
				print_json_event(&warm, &ev);
			else
				print_text_event(&warm, &ev);
			if ((print_process_memo_hits != hits) != memo_steps[i].hit) {
				fprintf(stderr, "%s memo, step '%s': %s\n", json ? "json" : "text",
					memo_steps[i].what,
					memo_steps[i].hit ? "not used" : "used");
				test_failures++;
			}
			print_process_forget();
			if (json)
				print_json_event(&cold, &ev);
			else
				print_text_event(&cold, &ev);
			ASSERT(warm.error == 0 && cold.error == 0);
			if (warm.len != cold.len || memcmp(warm.data, cold.data, warm.len)) {
				fprintf(stderr, "%s memo, step '%s':\n  cold: %.*s\n  warm: %.*s\n",
					json ? "json" : "text", memo_steps[i].what, (int)cold.len,
					cold.data, (int)warm.len, warm.data);
				test_failures++;
			}
			outbuf_release(&warm);
			outbuf_release(&cold);
		}
	}
}

/*
 * Names (syscall, serializer, argument, rule) are copied while their end is looked for when
 * they are short and plain (escape_json_short): at and around its bound, and with every
 * kind of byte that sends them the general way, they must come out as escape_json() has it;
 * the text printer copies them the same way (names are not escaped there) up to its bound.
 */
static void check_names(void)
{
	static const char *const names[] = {
		"", "a", "mkdir", "0123456789abcdefghijklmnopqrstu" /* 31 */,
		"0123456789abcdefghijklmnopqrstuv" /* 32 */, "0123456789abcdefghijklmnopqrstuvw",
		"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
		"quote\"", "\"", "back\\slash", "nl\n", "tab\t", "\x01", "del\x7f", "\xc3\xa9t\xc3\xa9",
		"bad \xff", "0123456789abcdefghijklmnopqrstu\"", "0123456789abcdefghijklmnopqrstuv\"",
	};
	size_t i;

	for (i = 0; i < N(names); i++) {
		const char *n = names[i];
		const char *const rules[] = { n, "plain" };
		const struct ebpfpub_field field = INT_U(n, 4, 1);
		const struct ebpfpub_event ev = {
			.syscall = n, .serializer = n, .comm = "x", .field_count = 1,
			.fields = &field, .rule_count = N(rules), .rules = rules,
		};
		struct outbuf got, q;
		char want[1024];
		int len;

		ASSERT(outbuf_init(&got, 1) == 0 && outbuf_init(&q, 1) == 0);
		escape_json(&q, n, strlen(n));
		ASSERT(q.error == 0);
		len = snprintf(want, sizeof(want),
			       "{\"timestamp\":0,\"process_id\":0,\"thread_id\":0,\"user_id\":0,"
			       "\"group_id\":0,\"exit_code\":0,\"probe_error\":0,\"syscall\":\"%.*s\","
			       "\"serializer\":\"%.*s\",\"comm\":\"x\",\"duration_ns\":0,\"args\":{"
			       "\"%.*s\":{\"type\":\"unsigned\",\"value\":1}},\"rules\":[\"%.*s\","
			       "\"plain\"]}\n", (int)q.len, q.data, (int)q.len, q.data, (int)q.len,
			       q.data, (int)q.len, q.data);
		ASSERT(len > 0 && (size_t)len < sizeof(want));
		print_json_event(&got, &ev);
		ASSERT(got.error == 0);
		if (got.len != (size_t)len || memcmp(got.data, want, got.len)) {
			fprintf(stderr, "name %zu:\n  want: %s  got:  %.*s", i, want, (int)got.len,
				got.data);
			test_failures++;
		}
		/* The text printer shows names as they are, also with the copy loop. */
		got.len = 0;
		len = snprintf(want, sizeof(want),
			       "timestamp: 0 process_id: 0 thread_id: 0 user_id: 0 group_id: 0 "
			       "exit_code: 0 probe_error: 0\nsyscall: %s %s: 1 rules: %s,plain\n\n",
			       n, n, n);
		ASSERT(len > 0 && (size_t)len < sizeof(want));
		print_text_event(&got, &ev);
		ASSERT(got.error == 0);
		if (got.len != (size_t)len || memcmp(got.data, want, got.len)) {
			fprintf(stderr, "text name %zu:\n  want: %s  got:  %.*s", i, want,
				(int)got.len, got.data);
			test_failures++;
		}
		outbuf_release(&got);
		outbuf_release(&q);
	}
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (!f) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	ASSERT(fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0);
	data = malloc((size_t)n + 1);
	ASSERT(data && fread(data, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

/* Byte-exact comparison; on a difference, the line where it starts. */
static void compare(const char *what, const char *got, size_t got_len, const char *want,
		    size_t want_len)
{
	size_t i, line = 1, start = 0;

	for (i = 0; i < got_len && i < want_len && got[i] == want[i]; i++) {
		if (got[i] == '\n') {
			line++;
			start = i + 1;
		}
	}
	if (i == got_len && i == want_len)
		return;
	fprintf(stderr, "%s: output differs from the golden file at line %zu, byte %zu\n", what,
		line, i - start);
	fprintf(stderr, "  want: %.*s\n", (int)strcspn(want + start, "\n"), want + start);
	fprintf(stderr, "  got:  %.*s\n", (int)strcspn(got + start, "\n"), got + start);
	test_failures++;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "events.txt", "events.jsonl" };
	size_t len, want_len;
	char *got, *want, path[4096];
	int json;

	if (argc == 3 && !strcmp(argv[1], "--print")) {
		got = print_all(!strcmp(argv[2], "json"), 1 << 20, &len);
		fwrite(got, 1, len, stdout);
		free(got);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s GOLDEN_DIR | --print text|json\n", argv[0]);
		return 2;
	}
	check_numbers();
	check_process_memo();
	check_names();
	for (json = 0; json < 2; json++) {
		static const size_t caps[] = { 1, 7, 64, 1 << 20 };
		size_t c;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[json]);
		want = read_file(path, &want_len);
		for (c = 0; c < N(caps); c++) {
			got = print_all(json, caps[c], &len);
			compare(names[json], got, len, want, want_len);
			free(got);
		}
		free(want);
	}
	return test_finish("test_printers");
}
