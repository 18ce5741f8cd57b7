/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding of crafted generic records: exact values, and malformed records rejected without
 * reading past them (run under valgrind/ASan to see the "never past" part). */
#include <stdlib.h>

#include "decode.h"
#include "layout.h"
#include "record.h"
#include "serializer.h"
#include "test.h"
#include "tracefs.h"
#include "util.h"

static void load_layout(struct layout *l, const char *name)
{
	const char *root = getenv("EBPFPUB_TEST_FORMATS");
	char event[300], err[UTIL_ERR_SIZE];
	char *en = NULL, *ex = NULL;
	size_t enl, exl;
	struct layout_storage st;

	ASSERT(root);
	snprintf(event, sizeof(event), "sys_enter_%s", name);
	ASSERT(tracefs_read_format(root, event, &en, &enl) == 0);
	snprintf(event, sizeof(event), "sys_exit_%s", name);
	ASSERT(tracefs_read_format(root, event, &ex, &exl) == 0);
	layout_storage_init(&st, 64, 4);
	ASSERT(layout_build(l, name, en, enl, ex, exl, NULL, &st, err, sizeof(err)) == 0);
	free(en);
	free(ex);
}

/* Appends a string item; returns the new size. */
static uint32_t put_string(unsigned char *rec, uint32_t off, uint16_t arg, uint8_t flags,
			   const char *s, uint32_t len)
{
	struct record_item it = { .arg = arg, .kind = RECORD_ITEM_STRING, .flags = flags,
				  .len = len };

	memcpy(rec + off, &it, sizeof(it));
	memcpy(rec + off + RECORD_ITEM_SIZE, s, len);
	return off + RECORD_ITEM_SIZE + record_align(len);
}

static uint32_t header(unsigned char *rec, const struct layout *l, int64_t exit_code)
{
	struct record_header h;
	uint64_t args[RECORD_MAX_ARGS] = { (uint64_t)-100, 0x7ffd0000, 0x41, 0x1a4 }; /* openat */

	memset(&h, 0, sizeof(h));
	h.event_id = 1;
	h.enter_ns = 1000;
	h.exit_ns = 1500;
	h.pid_tgid = (uint64_t)4321 << 32 | 4322;
	h.uid_gid = (uint64_t)1002 << 32 | 1001;
	h.exit_code = exit_code;
	h.arg_count = (uint16_t)l->arg_count;
	memcpy(h.comm, "cat", 4);
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + RECORD_OFF_ARGS, args, 8 * l->arg_count);
	return l->fixed_size;
}

static void set_size(unsigned char *rec, uint32_t size)
{
	memcpy(rec + RECORD_OFF_SIZE, &size, 4);
}

int main(void)
{
	struct layout l;
	struct decode_state st;
	struct ebpfpub_event ev;
	const struct ebpfpub_field *f;
	unsigned char rec[1024], *copy;
	char err[512];
	uint32_t size;

	load_layout(&l, "openat");
	ASSERT(decode_state_init(&st, &l) == 0);
	CHECK_INT(l.arg_count, 4);
	CHECK_STR(l.serializer_name, "generic");

	/* A good record: openat(AT_FDCWD, "/etc/passwd", O_RDONLY|..., 0644) = 3 */
	memset(rec, 0xAA, sizeof(rec));
	size = header(rec, &l, 3);
	size = put_string(rec, size, 1, 0, "/etc/passwd", 12);
	set_size(rec, size);
	CHECK_INT(decode_record(&l, &st, rec, size, &ev, err, sizeof(err)), 0);
	CHECK_STR(ev.syscall, "openat");
	CHECK_INT(ev.pid, 4321);
	CHECK_INT(ev.tid, 4322);
	CHECK_INT(ev.uid, 1001);
	CHECK_INT(ev.gid, 1002);
	CHECK_INT(ev.exit_code, 3);
	CHECK_INT(ev.timestamp_ns, 1000);
	CHECK_INT(ev.duration_ns, 500);
	CHECK_STR(ev.comm, "cat");
	CHECK_INT(ev.field_count, 4);
	f = ebpfpub_event_field(&ev, "dfd");
	ASSERT(f);
	CHECK_INT(f->type, EBPFPUB_VALUE_SIGNED);
	CHECK_INT(f->width, 4);
	CHECK_INT(f->value.s, -100);
	f = ebpfpub_event_field(&ev, "filename");
	ASSERT(f);
	CHECK_INT(f->type, EBPFPUB_VALUE_STRING);
	CHECK_STR(f->value.bytes.data, "/etc/passwd");
	CHECK_INT(f->value.bytes.len, 11);
	CHECK_INT(f->flags, 0);
	f = ebpfpub_event_field(&ev, "flags");
	CHECK_INT(f->type, EBPFPUB_VALUE_SIGNED);
	CHECK_INT(f->value.s, 0x41);
	f = ebpfpub_event_field(&ev, "mode");
	CHECK_INT(f->type, EBPFPUB_VALUE_UNSIGNED);
	CHECK_INT(f->width, 2);
	CHECK_INT(f->value.u, 0644);
	CHECK(ebpfpub_event_field(&ev, "nosuch") == NULL);

	/* Negative exit code, truncated string, flag kept */
	size = header(rec, &l, -2);
	size = put_string(rec, size, 1, EBPFPUB_FIELD_TRUNCATED, "/very/long/pa", 14);
	set_size(rec, size);
	memcpy(rec + RECORD_OFF_PROBE_ERROR, &(uint32_t){ EBPFPUB_PROBE_ERROR_TRUNCATED }, 4);
	CHECK_INT(decode_record(&l, &st, rec, size, &ev, err, sizeof(err)), 0);
	CHECK_INT(ev.exit_code, -2);
	CHECK_INT(ev.probe_error, EBPFPUB_PROBE_ERROR_TRUNCATED);
	f = ebpfpub_event_field(&ev, "filename");
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK_STR(f->value.bytes.data, "/very/long/pa");

	/* NULL and unreadable pointers: empty strings with their flag */
	size = header(rec, &l, -14);
	size = put_string(rec, size, 1, EBPFPUB_FIELD_UNREADABLE, "", 0);
	set_size(rec, size);
	CHECK_INT(decode_record(&l, &st, rec, size, &ev, err, sizeof(err)), 0);
	f = ebpfpub_event_field(&ev, "filename");
	CHECK_INT(f->flags, EBPFPUB_FIELD_UNREADABLE);
	CHECK_STR(f->value.bytes.data, "");

	/* No item at all (storage was full): the field says so */
	size = header(rec, &l, 0);
	set_size(rec, size);
	CHECK_INT(decode_record(&l, &st, rec, size, &ev, err, sizeof(err)), 0);
	CHECK_INT(ebpfpub_event_field(&ev, "filename")->flags, EBPFPUB_FIELD_NOT_CAPTURED);

	/* --- malformed records --- */
	/* shorter than the header */
	CHECK_INT(decode_record(&l, &st, rec, 10, &ev, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "shorter") != NULL);
	/* header claims more than arrived: decode only what arrived, in an exact-size copy */
	size = header(rec, &l, 0);
	size = put_string(rec, size, 1, 0, "/etc/passwd", 12);
	set_size(rec, size);
	copy = malloc(size - 8);
	memcpy(copy, rec, size - 8);
	CHECK_INT(decode_record(&l, &st, copy, size - 8, &ev, err, sizeof(err)), -EINVAL);
	free(copy);
	/* item length past the end of the record */
	size = header(rec, &l, 0);
	size = put_string(rec, size, 1, 0, "/etc/passwd", 12);
	memcpy(rec + l.fixed_size + 4, &(uint32_t){ 4000 }, 4);
	set_size(rec, size);
	CHECK_INT(decode_record(&l, &st, rec, size, &ev, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "past the record end") != NULL);
	/* string without NUL */
	size = header(rec, &l, 0);
	size = put_string(rec, size, 1, 0, "abcdefgh", 8);
	set_size(rec, size);
	CHECK_INT(decode_record(&l, &st, rec, size, &ev, err, sizeof(err)), -EINVAL);
	/* item for an argument that is not captured (dfd) and for one that does not exist */
	size = header(rec, &l, 0);
	size = put_string(rec, size, 0, 0, "x", 2);
	set_size(rec, size);
	CHECK_INT(decode_record(&l, &st, rec, size, &ev, err, sizeof(err)), -EINVAL);
	size = header(rec, &l, 0);
	size = put_string(rec, size, 9, 0, "x", 2);
	set_size(rec, size);
	CHECK_INT(decode_record(&l, &st, rec, size, &ev, err, sizeof(err)), -EINVAL);
	/* unknown item kind */
	size = header(rec, &l, 0);
	size = put_string(rec, size, 1, 0, "x", 2);
	rec[l.fixed_size + 2] = 99;
	set_size(rec, size);
	CHECK_INT(decode_record(&l, &st, rec, size, &ev, err, sizeof(err)), -EINVAL);
	/* wrong argument count */
	size = header(rec, &l, 0);
	rec[RECORD_OFF_ARG_COUNT] = 5;
	set_size(rec, size);
	CHECK_INT(decode_record(&l, &st, rec, size, &ev, err, sizeof(err)), -EINVAL);
	/* Every prefix of a good record: rejected or decoded, never a crash or overread. */
	size = header(rec, &l, 0);
	size = put_string(rec, size, 1, 0, "/etc/passwd", 12);
	set_size(rec, size);
	{
		uint32_t n;

		for (n = 0; n <= size; n++) {
			copy = malloc(n ? n : 1);
			memcpy(copy, rec, n);
			(void)decode_record(&l, &st, copy, n, &ev, err, sizeof(err));
			free(copy);
		}
	}
	/* Random garbage after a valid header */
	{
		unsigned seed = 1;
		int i, j;

		for (i = 0; i < 2000; i++) {
			uint32_t n = l.fixed_size + (uint32_t)(rand_r(&seed) % 200);

			copy = malloc(n);
			memcpy(copy, rec, l.fixed_size);
			for (j = (int)l.fixed_size; j < (int)n; j++)
				copy[j] = (unsigned char)rand_r(&seed);
			memcpy(copy, &n, 4);
			(void)decode_record(&l, &st, copy, n, &ev, err, sizeof(err));
			free(copy);
		}
	}

	decode_state_release(&st);
	layout_release(&l);
	return test_finish("test_decode");
}
