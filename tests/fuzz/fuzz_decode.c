/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for decode_record(): arbitrary record bytes against layouts built from the
 * committed format corpus (tests/data/formats, found through $EBPFPUB_TEST_FORMATS), which
 * cover every argument class and every capture kind: strings at enter and exit, buffers with
 * a length argument, sockaddrs with a length argument and through a pointer, argv read at
 * enter and as the new program's block, two argv arrays, six arguments, none.
 *
 * Input: byte 0 selects the layout (modulo the table below, whose order the seeds in
 * tests/fuzz/corpus/decode depend on), the rest is the record.
 *
 * A decoded event must keep every promise of ebpfpub.h, not only not crash: each pointer lies
 * inside the record or the decoder's own storage, strings are NUL-terminated at len and hold
 * no NUL before, counts are within the capture's bounds, flags and types are the documented
 * ones, integers fit their width. A refusal must be -EINVAL with a message (or -ENOMEM).
 *
 * With libFuzzer: tests/fuzz/run-fuzzer.sh decode. Without it, replay.c's main() replays
 * files and directories (the unit suite replays the committed corpus).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "layout.h"
#include "process_context.h"
#include "record.h"
#include "serializer.h"
#include "tracefs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUILTIN ((const struct ebpfpub_serializer *)1)

static const struct ebpfpub_capture write_caps[] = {
	{ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER, .when = EBPFPUB_AT_ENTER,
	  .size_arg = "count", .size = 32 },
};
static const struct ebpfpub_capture read_caps[] = {
	{ .arg = "buf", .kind = EBPFPUB_CAPTURE_BUFFER, .when = EBPFPUB_AT_EXIT,
	  .size_arg = "count" },
};
static const struct ebpfpub_capture sendto_caps[] = {
	{ .arg = "buff", .kind = EBPFPUB_CAPTURE_BUFFER, .when = EBPFPUB_AT_ENTER,
	  .size_arg = "len", .size = 64 },
	{ .arg = "addr", .kind = EBPFPUB_CAPTURE_SOCKADDR, .when = EBPFPUB_AT_ENTER,
	  .size_arg = "addr_len" },
};
static const struct ebpfpub_capture two_arrays_caps[] = {
	{ .arg = "filename", .kind = EBPFPUB_CAPTURE_STRING, .when = EBPFPUB_AT_ENTER },
	{ .arg = "argv", .kind = EBPFPUB_CAPTURE_ARGV, .when = EBPFPUB_AT_ENTER, .size = 16,
	  .max_items = 4 },
	{ .arg = "envp", .kind = EBPFPUB_CAPTURE_ARGV, .when = EBPFPUB_AT_ENTER, .size = 8,
	  .max_items = 2 },
};

#define SER(NAME, CAPS)                                                                       \
	{ .sz = sizeof(struct ebpfpub_serializer), .name = NAME, .captures = CAPS,            \
	  .capture_count = sizeof(CAPS) / sizeof(CAPS[0]) }

static const struct ebpfpub_serializer write_ser = SER("write_buf", write_caps);
static const struct ebpfpub_serializer read_ser = SER("read_buf", read_caps);
static const struct ebpfpub_serializer sendto_ser = SER("sendto", sendto_caps);
static const struct ebpfpub_serializer two_arrays_ser = SER("two_arrays", two_arrays_caps);

static const struct {
	const char *syscall;
	const struct ebpfpub_serializer *ser; /* NULL: generic; BUILTIN: the built-in one */
	uint32_t buffer_size, buffer_count;
	uint32_t context;   /* 0: none; N + 1: the process context with N ancestors */
} cases[] = {
	{ "mkdir", NULL, 4096, 8 },               /* 0: string at exit, umode_t */
	{ "openat", NULL, 64, 4 },                /* 1: int dfd, string, int, umode_t */
	{ "connect", BUILTIN, 4096, 8 },          /* 2: sockaddr at enter, int length */
	{ "accept4", BUILTIN, 4096, 8 },          /* 3: sockaddr at exit, length via int * */
	{ "execve", BUILTIN, 4096, 8 },           /* 4: string, argv, argv block */
	{ "execveat", BUILTIN, 64, 8 },           /* 5: the same with 64-byte strings */
	{ "write", &write_ser, 4096, 8 },         /* 6: buffer at enter, size_t length */
	{ "read", &read_ser, 64, 8 },             /* 7: buffer at exit, bound = buffer size */
	{ "sendto", &sendto_ser, 4096, 8 },       /* 8: six arguments, buffer + sockaddr */
	{ "execve", &two_arrays_ser, 4096, 8 },   /* 9: two argv arrays, small bounds */
	{ "rename", NULL, 4096, 8 },              /* 10: two strings */
	{ "getpid", NULL, 4096, 8 },              /* 11: no argument */
	{ "mmap", NULL, 4096, 8 },                /* 12: six unsigned longs, nothing captured */
	{ "mkdir", NULL, 4096, 8, 5 },            /* 13: the process context, 4 ancestors */
};
#define CASE_COUNT (sizeof(cases) / sizeof(cases[0]))

static struct layout layouts[CASE_COUNT];
static struct decode_state states[CASE_COUNT];

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_decode: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static void setup(void)
{
	const char *root = getenv("EBPFPUB_TEST_FORMATS");
	char event[300], err[512];
	size_t i;

	if (!root)
		die("EBPFPUB_TEST_FORMATS must name the format corpus (tests/data/formats)", NULL);
	for (i = 0; i < CASE_COUNT; i++) {
		const struct ebpfpub_serializer *ser = cases[i].ser;
		char *en = NULL, *ex = NULL;
		size_t enl, exl;
		struct layout_storage st;

		if (ser == BUILTIN)
			ser = serializer_builtin(cases[i].syscall);
		snprintf(event, sizeof(event), "sys_enter_%s", cases[i].syscall);
		if (tracefs_read_format(root, event, &en, &enl))
			die("cannot read the format of", event);
		snprintf(event, sizeof(event), "sys_exit_%s", cases[i].syscall);
		if (tracefs_read_format(root, event, &ex, &exl))
			die("cannot read the format of", event);
		layout_storage_init(&st, cases[i].buffer_size, cases[i].buffer_count);
		if (layout_build(&layouts[i], cases[i].syscall, en, enl, ex, exl, ser, &st, err,
				 sizeof(err)))
			die("layout", err);
		if (cases[i].context)
			process_context_layout(&layouts[i], cases[i].context - 1);
		if (decode_state_init(&states[i], &layouts[i]))
			die("out of memory", NULL);
		free(en);
		free(ex);
	}
}

/* The bytes that the decoded event may point into. */
struct region {
	const char *rec;
	size_t rec_size;
	const struct decode_state *st;
};

static bool inside(const char *p, size_t n, const char *base, size_t size)
{
	return base && p >= base && n <= size && (size_t)(p - base) <= size - n;
}

#define FIELD_FLAGS (RECORD_ITEM_FLAGS | EBPFPUB_FIELD_NOT_CAPTURED)

/* A string of the header's kind: LEN bytes without NUL, then a NUL, inside the record (or
 * the decoder's scratch when SCRATCH_OK), or the empty string. */
static void check_string(const struct region *r, const struct ebpfpub_bytes *b, bool scratch_ok,
			 const char *what)
{
	if (!b->data)
		die(what, "NULL data");
	if (b->len == 0 && b->data[0] == '\0')
		return; /* "" (the decoder's literal, or a NUL in the record) */
	if (!inside(b->data, (size_t)b->len + 1, r->rec, r->rec_size) &&
	    !(scratch_ok && inside(b->data, (size_t)b->len + 1, r->st->scratch, r->st->scratch_cap)))
		die(what, "string outside the record and the decoder's storage");
	if (b->data[b->len] != '\0')
		die(what, "string not NUL-terminated at len");
	if (memchr(b->data, '\0', b->len))
		die(what, "string holds a NUL before len");
}

static void check_bytes(const struct region *r, const struct ebpfpub_bytes *b, const char *what)
{
	if (!b->data)
		die(what, "NULL data");
	if (b->len && !inside(b->data, b->len, r->rec, r->rec_size))
		die(what, "bytes outside the record");
}

static void check_integer(const struct ebpfpub_field *f, const struct format_field *ff)
{
	uint32_t w = layout_value_width(ff);
	uint64_t mask = w >= 8 ? ~0ull : (1ull << (8 * w)) - 1;

	if (f->width != w || (w != 1 && w != 2 && w != 4 && w != 8))
		die(f->name, "integer width");
	if (f->type == EBPFPUB_VALUE_SIGNED) {
		if (!ff->value_signed || ((uint64_t)f->value.s & mask) != (f->raw & mask))
			die(f->name, "signed value is not the raw value's low bytes");
		if (w < 8 && (f->value.s < -(1ll << (8 * w - 1)) || f->value.s >= 1ll << (8 * w - 1)))
			die(f->name, "signed value does not fit its width");
	} else if (f->type == EBPFPUB_VALUE_UNSIGNED) {
		if (ff->value_signed || f->value.u != (f->raw & mask))
			die(f->name, "unsigned value is not the raw value's low bytes");
	} else {
		die(f->name, "an integer argument that is not decoded as an integer");
	}
}

static void check_argv(const struct region *r, const struct ebpfpub_field *f,
		       const struct layout_capture *c)
{
	const struct ebpfpub_argv *a = &f->value.argv;
	const struct decode_state *st = r->st;
	uint32_t i, any = 0;

	if (a->source != EBPFPUB_ARGV_FROM_CALLER && a->source != EBPFPUB_ARGV_FROM_NEW_MM)
		die(f->name, "argv source");
	if (a->count > c->max_items)
		die(f->name, "more argv entries than max_items");
	if ((f->flags & EBPFPUB_FIELD_NULL) && a->count)
		die(f->name, "a NULL argv with entries");
	if (a->more && !(f->flags & EBPFPUB_FIELD_TRUNCATED))
		die(f->name, "argv.more without TRUNCATED");
	if (!a->count)
		return;
	if (!a->args || a->args < st->argv || a->args + a->count > st->argv + st->argv_cap)
		die(f->name, "argv entries outside the decoder's array");
	if (!a->arg_flags || a->arg_flags < st->argv_flags ||
	    a->arg_flags + a->count > st->argv_flags + st->argv_cap ||
	    a->arg_flags - st->argv_flags != a->args - st->argv)
		die(f->name, "argv flags outside the decoder's array");
	for (i = 0; i < a->count; i++) {
		check_string(r, &a->args[i], true, f->name);
		if (a->arg_flags[i] & ~(uint32_t)RECORD_ITEM_FLAGS)
			die(f->name, "argv entry flags");
		any |= a->arg_flags[i];
	}
	if (any & ~f->flags & (EBPFPUB_FIELD_TRUNCATED | EBPFPUB_FIELD_UNREADABLE))
		die(f->name, "an argv entry's flag is not on the field");
}

static void check_captured(const struct region *r, const struct ebpfpub_field *f,
			   const struct layout_capture *c)
{
	static const enum ebpfpub_value_type type_of[] = {
		[EBPFPUB_CAPTURE_STRING] = EBPFPUB_VALUE_STRING,
		[EBPFPUB_CAPTURE_BUFFER] = EBPFPUB_VALUE_BYTES,
		[EBPFPUB_CAPTURE_SOCKADDR] = EBPFPUB_VALUE_SOCKADDR,
		[EBPFPUB_CAPTURE_ARGV] = EBPFPUB_VALUE_ARGV,
	};

	if (f->type != type_of[c->kind])
		die(f->name, "type is not the capture's");
	switch (c->kind) {
	case EBPFPUB_CAPTURE_STRING:
		check_string(r, &f->value.bytes, false, f->name);
		break;
	case EBPFPUB_CAPTURE_BUFFER:
		check_bytes(r, &f->value.bytes, f->name);
		break;
	case EBPFPUB_CAPTURE_SOCKADDR:
		check_bytes(r, &f->value.sockaddr.data, f->name);
		break;
	case EBPFPUB_CAPTURE_ARGV:
		check_argv(r, f, c);
		break;
	}
}

static const struct layout_capture *capture_of(const struct layout *l, uint32_t arg)
{
	size_t i;

	for (i = 0; i < l->capture_count; i++)
		if (l->captures[i].arg == arg)
			return &l->captures[i];
	return NULL;
}

static void check_event(const struct layout *l, const struct region *r,
			const struct ebpfpub_event *ev)
{
	struct record_header h;
	uint32_t i;

	memcpy(&h, r->rec, sizeof(h));
	if (ev->syscall != l->syscall || ev->serializer != l->serializer_name)
		die("event names", NULL);
	if (ev->pid != h.pid_tgid >> 32 || ev->tid != (uint32_t)h.pid_tgid ||
	    ev->uid != (uint32_t)h.uid_gid || ev->gid != h.uid_gid >> 32 ||
	    ev->exit_code != h.exit_code || ev->timestamp_ns != h.enter_ns)
		die("event header values", NULL);
	if (ev->duration_ns != (h.exit_ns >= h.enter_ns ? h.exit_ns - h.enter_ns : 0))
		die("duration", NULL);
	if (ev->probe_error & ~(uint32_t)RECORD_PROBE_ERRORS)
		die("probe_error has unknown bits", NULL);
	if (!memchr(ev->comm, '\0', sizeof(ev->comm)))
		die("comm is not NUL-terminated", NULL);
	if (ev->field_count != l->arg_count || (l->arg_count && !ev->fields))
		die("field count", NULL);
	for (i = 0; i < l->arg_count; i++) {
		const struct ebpfpub_field *f = &ev->fields[i];
		const struct format_field *ff = l->args[i];
		const struct layout_capture *c = capture_of(l, i);
		uint64_t raw;

		memcpy(&raw, r->rec + RECORD_OFF_ARGS + 8 * i, 8);
		if (f->name != ff->name || f->c_type != ff->c_type || f->raw != raw)
			die("field name, type or raw value", ff->name);
		if (f->flags & ~(uint32_t)FIELD_FLAGS)
			die(f->name, "unknown flag bits");
		if (c)
			check_captured(r, f, c);
		else if (ff->class == FORMAT_CLASS_INTEGER)
			check_integer(f, ff);
		else if (f->type != EBPFPUB_VALUE_POINTER || f->value.u != raw || f->width != 8)
			die(f->name, "pointer value");
		else if (f->flags)
			die(f->name, "flags on a field that is not captured");
	}
	if (!l->context_offset && ev->process)
		die("a process context without one in the layout", NULL);
	if (l->context_offset) {
		const struct ebpfpub_process *p = ev->process;
		const struct process_context_state *cs = r->st->context;
		size_t k;

		if (!p || p != &cs->proc || p->ancestors != cs->ancestors)
			die("process context not in the decoder's storage", NULL);
		if (p->ancestor_count > RECORD_MAX_ANCESTORS)
			die("ancestor count", NULL);
		for (k = 0; k < p->ancestor_count; k++)
			if (!memchr(p->ancestors[k].comm, '\0', sizeof(p->ancestors[k].comm)))
				die("ancestor comm is not NUL-terminated", NULL);
		if (!p->container_runtime || !p->container_id || !p->container_short_id)
			die("container strings", NULL);
		if (p->cgroup_path && (p->cgroup_path != cs->path ||
				       !memchr(cs->path, '\0', sizeof(cs->path))))
			die("cgroup path", NULL);
		if (!p->cgroup_path && !(p->flags & (EBPFPUB_PROCESS_PATH_UNKNOWN |
						     EBPFPUB_PROCESS_NO_CGROUP)))
			die("no cgroup path and no flag saying why", NULL);
	}
	/* Two argv fields never share entries. */
	for (i = 0; i < l->arg_count; i++) {
		const struct ebpfpub_argv *a = &ev->fields[i].value.argv;
		uint32_t j;

		if (ev->fields[i].type != EBPFPUB_VALUE_ARGV || !a->count)
			continue;
		for (j = i + 1; j < l->arg_count; j++) {
			const struct ebpfpub_argv *b = &ev->fields[j].value.argv;

			if (ev->fields[j].type == EBPFPUB_VALUE_ARGV && b->count &&
			    a->args < b->args + b->count && b->args < a->args + a->count)
				die("two argv fields share entries", NULL);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct ebpfpub_event ev;
	const struct layout *l;
	struct region r;
	char err[512];
	size_t which;
	uint32_t hsize;
	int ret;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1)
		return 0;
	which = data[0] % CASE_COUNT;
	l = &layouts[which];
	err[0] = '\0';
	ret = decode_record(l, &states[which], data + 1, size - 1, &ev, err, sizeof(err));
	if (ret) {
		if (ret == -ENOMEM || (ret == -EINVAL && err[0]))
			return 0;
		die("a failure other than -EINVAL with a message", err);
	}
	/* Only the bytes the record's header claims belong to it. */
	r.rec = (const char *)data + 1;
	memcpy(&hsize, r.rec + RECORD_OFF_SIZE, 4);
	if (hsize > size - 1)
		die("decoded a record larger than what arrived", NULL);
	r.rec_size = hsize;
	r.st = &states[which];
	check_event(l, &r, &ev);
	return 0;
}
