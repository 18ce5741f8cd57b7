/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding of crafted records of the sockaddr and argv serializers (layouts built from the
 * committed formats): exact typed values, and malformed records rejected or flagged without
 * reading past them. Each record is decoded from a heap copy of exactly its size, so that
 * valgrind or ASan sees any read past the end. */
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "decode.h"
#include "layout.h"
#include "record.h"
#include "serializer.h"
#include "test.h"
#include "tracefs.h"
#include "util.h"

static void load_layout(struct layout *l, const char *name, const struct ebpfpub_serializer *ser,
			uint32_t buffer_size)
{
	const char *root = getenv("EBPFPUB_TEST_FORMATS");
	char event[300], err[UTIL_ERR_SIZE];
	char *en = NULL, *ex = NULL;
	size_t enl, exl;
	struct layout_storage st;

	if (!root) {
		fprintf(stderr, "EBPFPUB_TEST_FORMATS is not set (meson test sets it)\n");
		exit(1);
	}
	snprintf(event, sizeof(event), "sys_enter_%s", name);
	ASSERT(tracefs_read_format(root, event, &en, &enl) == 0);
	snprintf(event, sizeof(event), "sys_exit_%s", name);
	ASSERT(tracefs_read_format(root, event, &ex, &exl) == 0);
	layout_storage_init(&st, buffer_size, 8);
	if (layout_build(l, name, en, enl, ex, exl, ser, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", name, err);
		exit(1);
	}
	free(en);
	free(ex);
}

/* A record under construction. */
struct rec {
	unsigned char b[8192];
	uint32_t size;
};

static void rec_start(struct rec *r, const struct layout *l, int64_t exit_code)
{
	struct record_header h;
	uint32_t i;

	memset(r->b, 0xAA, sizeof(r->b));
	memset(&h, 0, sizeof(h));
	h.event_id = 7;
	h.enter_ns = 100;
	h.exit_ns = 250;
	h.pid_tgid = (uint64_t)1234 << 32 | 1235;
	h.exit_code = exit_code;
	h.arg_count = (uint16_t)l->arg_count;
	memcpy(h.comm, "test", 5);
	memcpy(r->b, &h, sizeof(h));
	for (i = 0; i < l->arg_count; i++) {
		uint64_t v = 0x1000 * (i + 1);

		memcpy(r->b + RECORD_OFF_ARGS + 8 * i, &v, 8);
	}
	r->size = l->fixed_size;
}

static void rec_item(struct rec *r, uint16_t arg, uint8_t kind, uint8_t flags, const void *data,
		     uint32_t len)
{
	struct record_item it = { .arg = arg, .kind = kind, .flags = flags, .len = len };

	ASSERT(r->size + RECORD_ITEM_SIZE + record_align(len) <= sizeof(r->b));
	memcpy(r->b + r->size, &it, sizeof(it));
	if (len)
		memcpy(r->b + r->size + RECORD_ITEM_SIZE, data, len);
	r->size += RECORD_ITEM_SIZE + record_align(len);
}

static void rec_argv_header(struct rec *r, uint16_t arg, uint8_t flags, uint32_t captured,
			    uint32_t source, uint32_t more)
{
	struct record_argv_end end = { .captured = captured, .source = source, .more = more };

	rec_item(r, arg, RECORD_ITEM_ARGV_END, flags, &end, sizeof(end));
}

static void rec_arg(struct rec *r, uint16_t arg, const char *s)
{
	rec_item(r, arg, RECORD_ITEM_ARGV_ARG, 0, s, (uint32_t)strlen(s) + 1);
}

/* Decodes a heap copy of exactly the record's size (the header's size field set), with a
 * decode state made for L (kept while L stays the same, as the tracer does). */
static struct decode_state st;
static const struct layout *st_layout;
static struct ebpfpub_event ev;
static unsigned char *copy;
static char err[512];

static void state_done(void)
{
	if (st_layout)
		decode_state_release(&st);
	st_layout = NULL;
}

static int decode(const struct layout *l, struct rec *r)
{
	int ret;

	if (st_layout != l) {
		state_done();
		ASSERT(decode_state_init(&st, l) == 0);
		st_layout = l;
	}

	memcpy(r->b + RECORD_OFF_SIZE, &r->size, 4);
	free(copy);
	copy = malloc(r->size);
	ASSERT(copy);
	memcpy(copy, r->b, r->size);
	err[0] = '\0';
	ret = decode_record(l, &st, copy, r->size, &ev, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "  (expected or not) %s\n", err);
	return ret;
}

static const struct ebpfpub_field *field(const char *name)
{
	const struct ebpfpub_field *f = ebpfpub_event_field(&ev, name);

	ASSERT(f);
	return f;
}

/* ---------------------------------------------------------------------------------------- */

static void check_sockaddr_item(const struct layout *l, uint16_t arg, const char *name,
				const void *sa, uint32_t len, uint8_t item_flags,
				uint32_t want_flags)
{
	struct rec r;

	rec_start(&r, l, 0);
	rec_item(&r, arg, RECORD_ITEM_SOCKADDR, item_flags, sa, len);
	CHECK_INT(decode(l, &r), 0);
	CHECK_INT(field(name)->type, EBPFPUB_VALUE_SOCKADDR);
	CHECK_INT(field(name)->flags, want_flags);
}

static void test_sockaddr(void)
{
	struct layout l, la;
	struct rec r;
	const struct ebpfpub_sockaddr *sa;
	unsigned char raw[128];
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(8080) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(443),
				     .sin6_flowinfo = htonl(0x12345), .sin6_scope_id = 3 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	static const unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					      0,    0,    0,    0,    0, 0, 0, 1 };
	static const unsigned char v4[4] = { 127, 0, 0, 1 };
	uint32_t n;

	load_layout(&l, "connect", serializer_builtin("connect"), 4096);
	load_layout(&la, "accept4", serializer_builtin("accept4"), 4096);
	CHECK_STR(l.serializer_name, "connect");
	CHECK_STR(la.serializer_name, "accept");
	CHECK_INT(l.capture_count, 1);
	CHECK_INT(l.captures[0].size, LAYOUT_SOCKADDR_MAX);
	CHECK_INT(l.captures[0].when, EBPFPUB_AT_ENTER);
	CHECK_INT(la.captures[0].when, EBPFPUB_AT_EXIT);
	CHECK(la.captures[0].size_is_pointer);

	/* No item: the field says it was not captured. */
	rec_start(&r, &l, -EFAULT);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(field("uservaddr")->type, EBPFPUB_VALUE_SOCKADDR);
	CHECK_INT(field("uservaddr")->flags, EBPFPUB_FIELD_NOT_CAPTURED);
	CHECK_INT(field("fd")->type, EBPFPUB_VALUE_SIGNED);
	CHECK_INT(field("addrlen")->value.s, 0x3000);

	/* AF_INET */
	memcpy(&sin.sin_addr, v4, 4);
	check_sockaddr_item(&l, 1, "uservaddr", &sin, sizeof(sin), 0, 0);
	sa = &field("uservaddr")->value.sockaddr;
	CHECK_INT(sa->family, AF_INET);
	CHECK_INT(sa->port, 8080);
	CHECK(memcmp(sa->addr, v4, 4) == 0);
	CHECK_INT(sa->data.len, 14);
	CHECK_INT(ev.exit_code, 0);
	CHECK_INT(ev.pid, 1234);
	CHECK_INT(ev.tid, 1235);
	CHECK_INT(ev.duration_ns, 150);

	/* AF_INET6, with flow info and scope id */
	memcpy(&sin6.sin6_addr, v6, 16);
	check_sockaddr_item(&la, 1, "upeer_sockaddr", &sin6, sizeof(sin6), 0, 0);
	sa = &field("upeer_sockaddr")->value.sockaddr;
	CHECK_INT(sa->family, AF_INET6);
	CHECK_INT(sa->port, 443);
	CHECK(memcmp(sa->addr, v6, 16) == 0);
	CHECK_INT(sa->flowinfo, 0x12345);
	CHECK_INT(sa->scope_id, 3);
	/* RFC 2133's 24 bytes: no scope id, not an error */
	check_sockaddr_item(&l, 1, "uservaddr", &sin6, 24, 0, 0);
	sa = &field("uservaddr")->value.sockaddr;
	CHECK_INT(sa->port, 443);
	CHECK_INT(sa->flowinfo, 0x12345);
	CHECK_INT(sa->scope_id, 0);

	/* AF_UNIX: a path, an abstract name, an unnamed socket, a 108-byte path without NUL */
	strcpy(sun.sun_path, "/run/test.sock");
	n = (uint32_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sun.sun_path) + 1);
	check_sockaddr_item(&l, 1, "uservaddr", &sun, n, 0, 0);
	sa = &field("uservaddr")->value.sockaddr;
	CHECK_INT(sa->family, AF_UNIX);
	CHECK_INT(sa->data.len, strlen("/run/test.sock"));
	CHECK(memcmp(sa->data.data, "/run/test.sock", sa->data.len) == 0);
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path + 1, "abstract\0x", 10);
	check_sockaddr_item(&l, 1, "uservaddr", &sun, 2 + 11, 0, 0);
	sa = &field("uservaddr")->value.sockaddr;
	CHECK_INT(sa->family, AF_UNIX);
	CHECK_INT(sa->data.len, 11);
	CHECK(memcmp(sa->data.data, "\0abstract\0x", 11) == 0);
	check_sockaddr_item(&la, 1, "upeer_sockaddr", &sun, 2, 0, 0);
	sa = &field("upeer_sockaddr")->value.sockaddr;
	CHECK_INT(sa->family, AF_UNIX);
	CHECK_INT(sa->data.len, 0);
	memset(sun.sun_path, 'p', sizeof(sun.sun_path));
	check_sockaddr_item(&l, 1, "uservaddr", &sun, sizeof(sun), 0, 0);
	CHECK_INT(field("uservaddr")->value.sockaddr.data.len, sizeof(sun.sun_path));

	/* Another family: its number and the raw bytes */
	memset(raw, 0, sizeof(raw));
	raw[0] = AF_NETLINK;
	memcpy(raw + 2, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 10);
	check_sockaddr_item(&l, 1, "uservaddr", raw, 12, 0, 0);
	sa = &field("uservaddr")->value.sockaddr;
	CHECK_INT(sa->family, AF_NETLINK);
	CHECK_INT(sa->port, 0);
	CHECK_INT(sa->data.len, 10);
	CHECK(memcmp(sa->data.data, raw + 2, 10) == 0);

	/* Too short for the family: flagged, what fits decoded */
	check_sockaddr_item(&l, 1, "uservaddr", &sin, 8, 0, EBPFPUB_FIELD_BAD_LENGTH);
	CHECK_INT(field("uservaddr")->value.sockaddr.port, 8080);
	check_sockaddr_item(&l, 1, "uservaddr", &sin, 4, 0, EBPFPUB_FIELD_BAD_LENGTH);
	CHECK_INT(field("uservaddr")->value.sockaddr.family, AF_INET);
	CHECK_INT(field("uservaddr")->value.sockaddr.port, 0);
	check_sockaddr_item(&l, 1, "uservaddr", &sin6, 20, 0, EBPFPUB_FIELD_BAD_LENGTH);
	CHECK_INT(field("uservaddr")->value.sockaddr.port, 0);
	check_sockaddr_item(&l, 1, "uservaddr", &sin, 1, 0, EBPFPUB_FIELD_BAD_LENGTH);
	CHECK_INT(field("uservaddr")->value.sockaddr.family, 0);
	CHECK_INT(field("uservaddr")->value.sockaddr.data.len, 0);
	check_sockaddr_item(&l, 1, "uservaddr", raw, 128, EBPFPUB_FIELD_BAD_LENGTH,
			    EBPFPUB_FIELD_BAD_LENGTH);
	CHECK_INT(field("uservaddr")->value.sockaddr.data.len, 126);
	/* The kernel side flagged the item: nothing more is added */
	check_sockaddr_item(&l, 1, "uservaddr", NULL, 0, EBPFPUB_FIELD_NULL, EBPFPUB_FIELD_NULL);
	CHECK_INT(field("uservaddr")->value.sockaddr.family, 0);
	CHECK(field("uservaddr")->value.sockaddr.data.data != NULL);
	check_sockaddr_item(&l, 1, "uservaddr", NULL, 0, EBPFPUB_FIELD_UNREADABLE,
			    EBPFPUB_FIELD_UNREADABLE);

	/* Malformed: -EINVAL, never a read past the record */
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_SOCKADDR, 0, &sin, sizeof(sin));
	r.size -= 8;                                    /* the item's data runs past the end */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_item(&r, 1, 9, 0, &sin, sizeof(sin));      /* unknown kind */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_item(&r, 0, RECORD_ITEM_SOCKADDR, 0, &sin, sizeof(sin)); /* fd is not captured */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_STRING, 0, "x", 2); /* not what the argument captures */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, 0, "x", 2);
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_item(&r, 9, RECORD_ITEM_SOCKADDR, 0, &sin, sizeof(sin)); /* no such argument */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	r.size = RECORD_HEADER_SIZE - 1;
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	r.size += 4;                                    /* a partial item header: ignored */
	CHECK_INT(decode(&l, &r), 0);

	state_done();
	layout_release(&l);
	layout_release(&la);
}

/* ---------------------------------------------------------------------------------------- */

static void check_args(const char *name, const char *const *want, uint32_t n)
{
	const struct ebpfpub_field *f = field(name);
	uint32_t i;

	CHECK_INT(f->type, EBPFPUB_VALUE_ARGV);
	CHECK_INT(f->value.argv.count, n);
	for (i = 0; i < n && i < f->value.argv.count; i++) {
		CHECK_INT(f->value.argv.args[i].len, strlen(want[i]));
		CHECK(memcmp(f->value.argv.args[i].data, want[i], strlen(want[i]) + 1) == 0);
	}
}

static void test_argv(void)
{
	static const char *const three[] = { "prog", "", "x y" };
	struct layout l, small;
	struct rec r;
	const struct ebpfpub_field *f;
	char block[4096];
	uint32_t n, i;

	load_layout(&l, "execve", serializer_builtin("execve"), 4096);
	load_layout(&small, "execveat", serializer_builtin("execveat"), 64);
	CHECK_STR(l.serializer_name, "execve");
	CHECK(l.rewind_capture >= 0 && small.rewind_capture >= 0);
	CHECK_INT(l.captures[l.capture_count - 1].kind, EBPFPUB_CAPTURE_ARGV);
	CHECK_INT(l.captures[l.capture_count - 1].max_items, LAYOUT_ARGV_DEFAULT_ITEMS);
	CHECK_INT(small.captures[small.capture_count - 1].size, 64);

	/* No item: not captured */
	rec_start(&r, &l, 0);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(field("argv")->flags, EBPFPUB_FIELD_NOT_CAPTURED);
	CHECK_INT(field("argv")->value.argv.count, 0);

	/* From the caller: the header first, then the arguments (an empty one included) */
	rec_start(&r, &l, -ENOENT);
	rec_item(&r, 0, RECORD_ITEM_STRING, 0, "/bin/prog", 10);
	rec_argv_header(&r, 1, 0, 3, EBPFPUB_ARGV_FROM_CALLER, 0);
	for (i = 0; i < 3; i++)
		rec_arg(&r, 1, three[i]);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_STR(field("filename")->value.bytes.data, "/bin/prog");
	f = field("argv");
	CHECK_INT(f->flags, 0);
	CHECK_INT(f->value.argv.source, EBPFPUB_ARGV_FROM_CALLER);
	CHECK(!f->value.argv.more);
	check_args("argv", three, 3);
	CHECK_INT(f->value.argv.arg_flags[1], 0);
	CHECK_INT(field("envp")->type, EBPFPUB_VALUE_POINTER);
	CHECK_INT(ev.exit_code, -ENOENT);

	/* The header after the arguments is read the same */
	rec_start(&r, &l, -ENOENT);
	for (i = 0; i < 3; i++)
		rec_arg(&r, 1, three[i]);
	rec_argv_header(&r, 1, 0, 3, EBPFPUB_ARGV_FROM_CALLER, 0);
	CHECK_INT(decode(&l, &r), 0);
	check_args("argv", three, 3);

	/* More than captured, NULL, unreadable array, an unreadable argument */
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, EBPFPUB_FIELD_TRUNCATED, 1, EBPFPUB_ARGV_FROM_CALLER, 1);
	rec_arg(&r, 1, "prog");
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(field("argv")->flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK(field("argv")->value.argv.more);
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, EBPFPUB_FIELD_NULL, 0, EBPFPUB_ARGV_FROM_CALLER, 0);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(field("argv")->flags, EBPFPUB_FIELD_NULL);
	CHECK_INT(field("argv")->value.argv.count, 0);
	CHECK(field("argv")->value.argv.args == NULL);
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, EBPFPUB_FIELD_UNREADABLE, 2, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_arg(&r, 1, "prog");
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, EBPFPUB_FIELD_UNREADABLE, NULL, 0);
	CHECK_INT(decode(&l, &r), 0);
	f = field("argv");
	CHECK_INT(f->flags, EBPFPUB_FIELD_UNREADABLE);
	CHECK_INT(f->value.argv.count, 2);
	CHECK_INT(f->value.argv.arg_flags[1], EBPFPUB_FIELD_UNREADABLE);
	CHECK_STR(f->value.argv.args[1].data, "");
	CHECK_INT(f->value.argv.args[1].len, 0);
	/* a cut argument */
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 1, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, EBPFPUB_FIELD_TRUNCATED, "abc", 4);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(field("argv")->flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK_INT(field("argv")->value.argv.arg_flags[0], EBPFPUB_FIELD_TRUNCATED);

	/* From the new program: one block of NUL-separated strings */
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, "prog\0\0x y", 10);
	CHECK_INT(decode(&l, &r), 0);
	f = field("argv");
	CHECK_INT(f->flags, 0);
	CHECK_INT(f->value.argv.source, EBPFPUB_ARGV_FROM_NEW_MM);
	check_args("argv", three, 3);
	CHECK(!f->value.argv.more);
	/* an empty block */
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, NULL, 0);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(field("argv")->value.argv.count, 0);
	CHECK_INT(field("argv")->value.argv.source, EBPFPUB_ARGV_FROM_NEW_MM);
	/* 40 strings, 32 kept: more */
	for (n = 0, i = 0; i < 40; i++)
		n += (uint32_t)snprintf(block + n, sizeof(block) - n, "arg%u", i) + 1;
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, block, n);
	CHECK_INT(decode(&l, &r), 0);
	f = field("argv");
	CHECK_INT(f->value.argv.count, 32);
	CHECK(f->value.argv.more);
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK_STR(f->value.argv.args[31].data, "arg31");
	/* exactly 32: not more */
	for (n = 0, i = 0; i < 32; i++)
		n += (uint32_t)snprintf(block + n, sizeof(block) - n, "arg%u", i) + 1;
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, block, n);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(field("argv")->value.argv.count, 32);
	CHECK(!field("argv")->value.argv.more);
	CHECK_INT(field("argv")->flags, 0);
	/* cut by the kernel side (flag), the last string without its NUL */
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, EBPFPUB_FIELD_TRUNCATED, "prog\0unterminated", 17);
	CHECK_INT(decode(&l, &r), 0);
	f = field("argv");
	CHECK_INT(f->value.argv.count, 2);
	CHECK_STR(f->value.argv.args[1].data, "unterminated");
	CHECK_INT(f->value.argv.arg_flags[1], EBPFPUB_FIELD_TRUNCATED);
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	/* the block replaces what the enter program captured */
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, EBPFPUB_FIELD_UNREADABLE, 1, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, EBPFPUB_FIELD_UNREADABLE, NULL, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, "prog\0\0x y", 10);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(field("argv")->flags, 0);
	CHECK_INT(field("argv")->value.argv.source, EBPFPUB_ARGV_FROM_NEW_MM);
	check_args("argv", three, 3);
	/* an argument longer than the per-argument size (64): 63 bytes, flagged */
	state_done();
	memset(block, 'L', 100);
	block[100] = '\0';
	memcpy(block + 101, "short", 6);
	rec_start(&r, &small, 0);
	rec_item(&r, 2, RECORD_ITEM_ARGV_BLOCK, 0, block, 107);
	CHECK_INT(decode(&small, &r), 0);
	f = field("argv");
	CHECK_INT(f->value.argv.count, 2);
	CHECK_INT(f->value.argv.args[0].len, 63);
	CHECK_INT(strlen(f->value.argv.args[0].data), 63);
	CHECK_INT(f->value.argv.arg_flags[0], EBPFPUB_FIELD_TRUNCATED);
	CHECK_STR(f->value.argv.args[1].data, "short");
	CHECK_INT(f->value.argv.arg_flags[1], 0);
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	state_done();

	/* Malformed */
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 1, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, 0, "abc", 3);      /* no NUL */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 1, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, 0, NULL, 0);       /* empty, not flagged */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 3, EBPFPUB_ARGV_FROM_CALLER, 0); /* says 3, 2 arrive */
	rec_arg(&r, 1, "a");
	rec_arg(&r, 1, "b");
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 0, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_argv_header(&r, 1, 0, 0, EBPFPUB_ARGV_FROM_CALLER, 0); /* twice */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 33, EBPFPUB_ARGV_FROM_CALLER, 0); /* over max_items */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 0, 7, 0);                      /* unknown source */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_END, 0, "12345678", 8); /* short header */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	for (i = 0; i < 33; i++)                                 /* 33 arguments, max 32 */
		rec_arg(&r, 1, "a");
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, "a", 2);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, "b", 2);      /* two blocks */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, "a", 2);
	rec_arg(&r, 1, "b");                                     /* an argument after it */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_item(&r, 0, RECORD_ITEM_ARGV_BLOCK, 0, "a", 2);      /* on the filename */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_item(&r, 2, RECORD_ITEM_ARGV_ARG, 0, "a", 2);        /* envp is not captured */
	CHECK_INT(decode(&l, &r), -EINVAL);
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 2, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_arg(&r, 1, "a");
	{
		uint32_t claim = 2000, at = r.size;              /* claims bytes past the end */

		rec_arg(&r, 1, "bb");
		memcpy(r.b + at + 4, &claim, 4);
	}
	CHECK_INT(decode(&l, &r), -EINVAL);

	/* After all that, a good record still decodes with the same state */
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, "prog\0\0x y", 10);
	CHECK_INT(decode(&l, &r), 0);
	check_args("argv", three, 3);

	state_done();
	layout_release(&l);
	layout_release(&small);
}

/* A user serializer with two argv-like captures: separate arrays, the exec argv moved last,
 * per-argument size and count from the capture. */
static void test_two_arrays(void)
{
	static const struct ebpfpub_capture caps[] = {
		{ .arg = "argv", .kind = EBPFPUB_CAPTURE_ARGV, .when = EBPFPUB_AT_ENTER,
		  .max_items = 4, .size = 8 },
		{ .arg = "envp", .kind = EBPFPUB_CAPTURE_ARGV, .when = EBPFPUB_AT_ENTER,
		  .max_items = 2 },
		{ .arg = "filename", .kind = EBPFPUB_CAPTURE_STRING, .when = EBPFPUB_AT_ENTER },
	};
	static const struct ebpfpub_serializer ser = {
		.sz = sizeof(struct ebpfpub_serializer), .name = "argv_envp",
		.captures = caps, .capture_count = 3,
	};
	static const char *const av[] = { "a", "b" }, *const en[] = { "HOME=/", "X=1" };
	struct layout l;
	struct rec r;

	load_layout(&l, "execve", &ser, 4096);
	CHECK_STR(l.serializer_name, "argv_envp");
	CHECK(l.user == &ser);
	CHECK_INT(l.capture_count, 3);
	/* argv (argument 1) is the last enter capture: a successful exec rewinds to it */
	CHECK_INT(l.captures[2].arg, 1);
	CHECK_INT(l.captures[2].max_items, 4);
	CHECK_INT(l.captures[2].size, 8);
	CHECK_INT(l.captures[0].arg, 2);
	CHECK_INT(l.captures[0].size, 4096);

	rec_start(&r, &l, 0);
	rec_argv_header(&r, 2, 0, 2, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_arg(&r, 2, en[0]);
	rec_arg(&r, 2, en[1]);
	rec_item(&r, 0, RECORD_ITEM_STRING, 0, "/p", 3);
	rec_argv_header(&r, 1, 0, 2, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_arg(&r, 1, av[0]);
	rec_arg(&r, 1, av[1]);
	CHECK_INT(decode(&l, &r), 0);
	check_args("argv", av, 2);
	check_args("envp", en, 2);
	/* and with the new program's argv */
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 2, 0, 2, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_arg(&r, 2, en[0]);
	rec_arg(&r, 2, en[1]);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, "a\0b\0a-long-one\0d\0e", 19);
	CHECK_INT(decode(&l, &r), 0);
	check_args("envp", en, 2);
	CHECK_INT(field("argv")->value.argv.count, 4);
	CHECK_STR(field("argv")->value.argv.args[2].data, "a-long-");
	CHECK_INT(field("argv")->value.argv.arg_flags[2], EBPFPUB_FIELD_TRUNCATED);
	CHECK(field("argv")->value.argv.more);
	/* interleaved arguments of two arrays do not parse */
	rec_start(&r, &l, 0);
	rec_arg(&r, 1, av[0]);
	rec_arg(&r, 2, en[0]);
	rec_arg(&r, 1, av[1]);
	CHECK_INT(decode(&l, &r), -EINVAL);
	state_done();
	layout_release(&l);
}

/* BYTES of a user serializer (write's buffer). */
static void test_bytes(void)
{
	static const struct ebpfpub_capture caps[] = {
		{ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER, .when = EBPFPUB_AT_ENTER,
		  .size_arg = "count", .size = 32 },
	};
	static const struct ebpfpub_serializer ser = {
		.sz = sizeof(struct ebpfpub_serializer), .name = "write_buf",
		.captures = caps, .capture_count = 1,
	};
	struct layout l;
	struct rec r;

	load_layout(&l, "write", &ser, 4096);
	CHECK_INT(l.captures[0].size, 32);
	rec_start(&r, &l, 5);
	rec_item(&r, 1, RECORD_ITEM_BYTES, 0, "a\0b\0c", 5);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(field("buf")->type, EBPFPUB_VALUE_BYTES);
	CHECK_INT(field("buf")->value.bytes.len, 5);
	CHECK(memcmp(field("buf")->value.bytes.data, "a\0b\0c", 5) == 0);
	rec_start(&r, &l, 5);
	rec_item(&r, 1, RECORD_ITEM_SOCKADDR, 0, "\2\0", 2);
	CHECK_INT(decode(&l, &r), -EINVAL);
	state_done();
	layout_release(&l);
}

/* Holes found in the decoder: records it accepted although the result broke a promise of
 * ebpfpub.h. Each record below was decoded with 0 before the fix. */
static void test_promises(void)
{
	struct layout l;
	struct rec r;
	const struct ebpfpub_field *f;
	uint32_t pe = 0xffffffffu;

	load_layout(&l, "execve", serializer_builtin("execve"), 4096);
	/* An unreadable argument with bytes and no NUL, ending exactly at the record's end:
	 * argv[0].data[len] was the byte after the record. */
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 1, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, EBPFPUB_FIELD_UNREADABLE, "abcdefgh", 8);
	CHECK_INT(decode(&l, &r), -EINVAL);
	CHECK_STR(err, "syscall 'execve': argv[0] is not NUL-terminated");
	/* The same flagged NULL, shorter than its padding: data[len] was not a NUL either. */
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 2, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_arg(&r, 1, "prog");
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, EBPFPUB_FIELD_NULL, "abc", 3);
	CHECK_INT(decode(&l, &r), -EINVAL);
	CHECK_STR(err, "syscall 'execve': argv[1] is not NUL-terminated");
	/* What the programs write for an unreadable argument still decodes: "" and its flag. */
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, 0, 1, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, EBPFPUB_FIELD_UNREADABLE, NULL, 0);
	CHECK_INT(decode(&l, &r), 0);
	f = field("argv");
	CHECK_INT(f->value.argv.count, 1);
	CHECK_STR(f->value.argv.args[0].data, "");
	CHECK_INT(f->value.argv.arg_flags[0], EBPFPUB_FIELD_UNREADABLE);

	/* "A NULL argv flags the field EBPFPUB_FIELD_NULL with count 0": a header item saying
	 * NULL and one argument gave count 1. */
	rec_start(&r, &l, 0);
	rec_argv_header(&r, 1, EBPFPUB_FIELD_NULL, 1, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_arg(&r, 1, "prog");
	CHECK_INT(decode(&l, &r), -EINVAL);
	CHECK_STR(err, "syscall 'execve': argv header item at offset 96 says NULL and 1 arguments");

	/* The same for the new program's argv block (found by fuzz_decode). */
	rec_start(&r, &l, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, EBPFPUB_FIELD_NULL, "true", 5);
	CHECK_INT(decode(&l, &r), -EINVAL);
	CHECK_STR(err, "syscall 'execve': argv block at offset 96 says NULL and holds 5 bytes");

	/* Flags are enum ebpfpub_field_flags and probe_error enum ebpfpub_probe_error: unknown
	 * bits, and NOT_CAPTURED on a field that has its item, were passed on. */
	rec_start(&r, &l, 0);
	memcpy(r.b + RECORD_OFF_PROBE_ERROR, &pe, 4);
	rec_item(&r, 0, RECORD_ITEM_STRING, 0xe0 | EBPFPUB_FIELD_NOT_CAPTURED |
		 EBPFPUB_FIELD_TRUNCATED, "/bin/tru", 9);
	rec_argv_header(&r, 1, 0xe0, 1, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, 0xe0 | EBPFPUB_FIELD_TRUNCATED, "tru", 4);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(ev.probe_error, EBPFPUB_PROBE_ERROR_READ | EBPFPUB_PROBE_ERROR_NO_SPACE |
				  EBPFPUB_PROBE_ERROR_TRUNCATED);
	CHECK_INT(field("filename")->flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK_STR(field("filename")->value.bytes.data, "/bin/tru");
	f = field("argv");
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK_INT(f->value.argv.arg_flags[0], EBPFPUB_FIELD_TRUNCATED);
	state_done();
	layout_release(&l);
}

/* The rule that the exec captures rely on: a later item for an argument replaces an earlier
 * one; ARGV_ARG items add up. */
static void test_later_item_replaces(void)
{
	static const char block[] = "/bin/true\0--version";
	struct layout l, lc;
	struct rec r;
	const struct ebpfpub_field *f;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(1) };
	struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons(2) };

	load_layout(&l, "execve", serializer_builtin("execve"), 4096);
	/* The filename unreadable at enter, read again at exit; argv re-read from the new
	 * program as a block after the enter-time header and arguments. */
	rec_start(&r, &l, 0);
	rec_item(&r, 0, RECORD_ITEM_STRING, EBPFPUB_FIELD_UNREADABLE, NULL, 0);
	rec_argv_header(&r, 1, EBPFPUB_FIELD_UNREADABLE, 1, EBPFPUB_ARGV_FROM_CALLER, 0);
	rec_item(&r, 1, RECORD_ITEM_ARGV_ARG, EBPFPUB_FIELD_UNREADABLE, NULL, 0);
	rec_item(&r, 0, RECORD_ITEM_STRING, 0, "/bin/true", 10);
	rec_item(&r, 1, RECORD_ITEM_ARGV_BLOCK, 0, block, sizeof(block));
	CHECK_INT(decode(&l, &r), 0);
	f = field("filename");
	CHECK_INT(f->flags, 0);
	CHECK_STR(f->value.bytes.data, "/bin/true");
	CHECK_INT(f->value.bytes.len, 9);
	f = field("argv");
	CHECK_INT(f->flags, 0);
	CHECK_INT(f->value.argv.source, EBPFPUB_ARGV_FROM_NEW_MM);
	CHECK_INT(f->value.argv.count, 2);
	CHECK_STR(f->value.argv.args[0].data, "/bin/true");
	CHECK_STR(f->value.argv.args[1].data, "--version");
	CHECK_INT(f->value.argv.arg_flags[1], 0);
	/* The other order: the unreadable one comes last and wins. */
	rec_start(&r, &l, 0);
	rec_item(&r, 0, RECORD_ITEM_STRING, 0, "/bin/true", 10);
	rec_item(&r, 0, RECORD_ITEM_STRING, EBPFPUB_FIELD_UNREADABLE, NULL, 0);
	CHECK_INT(decode(&l, &r), 0);
	CHECK_INT(field("filename")->flags, EBPFPUB_FIELD_UNREADABLE);
	CHECK_STR(field("filename")->value.bytes.data, "");
	state_done();
	layout_release(&l);

	load_layout(&lc, "connect", serializer_builtin("connect"), 4096);
	rec_start(&r, &lc, 0);
	rec_item(&r, 1, RECORD_ITEM_SOCKADDR, 0, &a, sizeof(a));
	rec_item(&r, 1, RECORD_ITEM_SOCKADDR, 0, &b, sizeof(b));
	CHECK_INT(decode(&lc, &r), 0);
	CHECK_INT(field("uservaddr")->value.sockaddr.port, 2);
	state_done();
	layout_release(&lc);
}

int main(void)
{
	test_sockaddr();
	test_argv();
	test_two_arrays();
	test_bytes();
	test_promises();
	test_later_item_replaces();
	free(copy);
	return test_finish("test_decode_serializers");
}
