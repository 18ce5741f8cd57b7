/* SPDX-License-Identifier: Apache-2.0 */
/* The options structs' sz contract of every constructor that takes one: a caller built
 * against an older, shorter struct works and nothing past its sz is read; a newer, longer
 * struct works when the unknown tail is zero and is refused with -EINVAL otherwise; an sz
 * that does not even cover itself is refused. Privileged: the constructors create maps. */
#include <stddef.h>

#include <ebpfpub/ebpfpub.h>

#include "test.h"

static int on_event(void *ctx, const struct ebpfpub_event *ev)
{
	(void)ctx;
	(void)ev;
	return 0;
}

static void test_buffer_storage(void)
{
	struct {
		struct ebpfpub_buffer_storage_opts o;
		uint64_t tail;
	} longer = { .o = { .buffer_size = 512 } };
	struct ebpfpub_buffer_storage_opts older = { .buffer_size = 256, .buffer_count = 5000 };
	struct ebpfpub_buffer_storage *s = NULL;

	CHECK_INT(ebpfpub_buffer_storage_new(NULL, &s), 0);
	CHECK_INT(ebpfpub_buffer_storage_buffer_size(s), 4096);
	CHECK_INT(ebpfpub_buffer_storage_buffer_count(s), 8);
	ebpfpub_buffer_storage_free(s);
	/* Older: only buffer_size; the out-of-range buffer_count past sz is not read. */
	older.sz = offsetof(struct ebpfpub_buffer_storage_opts, buffer_count);
	s = NULL;
	CHECK_INT(ebpfpub_buffer_storage_new(&older, &s), 0);
	CHECK_INT(ebpfpub_buffer_storage_buffer_size(s), 256);
	CHECK_INT(ebpfpub_buffer_storage_buffer_count(s), 8);
	ebpfpub_buffer_storage_free(s);
	/* The same bytes with the whole struct's sz: buffer_count is read and refused. */
	older.sz = sizeof(older);
	s = NULL;
	CHECK_INT(ebpfpub_buffer_storage_new(&older, &s), -EINVAL);
	CHECK(s == NULL);
	longer.o.sz = sizeof(longer);
	CHECK_INT(ebpfpub_buffer_storage_new(&longer.o, &s), 0);
	CHECK_INT(ebpfpub_buffer_storage_buffer_size(s), 512);
	ebpfpub_buffer_storage_free(s);
	s = NULL;
	longer.tail = 1;
	CHECK_INT(ebpfpub_buffer_storage_new(&longer.o, &s), -EINVAL);
	CHECK(s == NULL);
	longer.o.sz = 4;
	longer.tail = 0;
	CHECK_INT(ebpfpub_buffer_storage_new(&longer.o, &s), -EINVAL);
	CHECK(s == NULL);
}

static void test_perf_output(void)
{
	struct {
		struct ebpfpub_perf_output_opts o;
		uint64_t tail;
	} longer = { .o = { .kind = EBPFPUB_OUTPUT_PERF_ARRAY, .page_exp = 2 } };
	struct ebpfpub_perf_output_opts older = { .kind = EBPFPUB_OUTPUT_PERF_ARRAY,
						   .page_exp = 99 };
	struct ebpfpub_perf_output *o = NULL;

	older.sz = offsetof(struct ebpfpub_perf_output_opts, page_exp);
	CHECK_INT(ebpfpub_perf_output_new(&older, &o), 0);
	CHECK_INT(ebpfpub_perf_output_kind(o), EBPFPUB_OUTPUT_PERF_ARRAY);
	ebpfpub_perf_output_free(o);
	o = NULL;
	older.sz = sizeof(older);
	CHECK_INT(ebpfpub_perf_output_new(&older, &o), -EINVAL);
	CHECK(o == NULL);
	longer.o.sz = sizeof(longer);
	CHECK_INT(ebpfpub_perf_output_new(&longer.o, &o), 0);
	CHECK_INT(ebpfpub_perf_output_kind(o), EBPFPUB_OUTPUT_PERF_ARRAY);
	ebpfpub_perf_output_free(o);
	o = NULL;
	longer.tail = 1;
	CHECK_INT(ebpfpub_perf_output_new(&longer.o, &o), -EINVAL);
	CHECK(o == NULL);
}

static void test_tracer(void)
{
	struct {
		struct ebpfpub_tracer_opts o;
		uint64_t tail;
	} longer = { .o = { .callback = on_event } };
	struct ebpfpub_tracer_opts older = { .callback = on_event, .event_map_size = 1 };
	struct ebpfpub_tracer *t = NULL;

	/* Older: callback and callback_ctx only; event_map_size 1 (out of range) is past sz. */
	older.sz = offsetof(struct ebpfpub_tracer_opts, buffer_storage);
	CHECK_INT(ebpfpub_tracer_new(&older, &t), 0);
	CHECK(t != NULL);
	ebpfpub_tracer_free(t);
	t = NULL;
	older.sz = sizeof(older);
	CHECK_INT(ebpfpub_tracer_new(&older, &t), -EINVAL);
	CHECK(t == NULL);
	longer.o.sz = sizeof(longer);
	CHECK_INT(ebpfpub_tracer_new(&longer.o, &t), 0);
	CHECK(t != NULL);
	ebpfpub_tracer_free(t);
	t = NULL;
	longer.tail = 1;
	CHECK_INT(ebpfpub_tracer_new(&longer.o, &t), -EINVAL);
	CHECK(t == NULL);
	longer.o.sz = 0;
	longer.tail = 0;
	CHECK_INT(ebpfpub_tracer_new(&longer.o, &t), -EINVAL);
	CHECK(t == NULL);
}

/* Stats go the other way: the library writes at most sz bytes. */
static void test_stats(void)
{
	EBPFPUB_OPTS(ebpfpub_tracer_opts, opts, .callback = on_event);
	struct {
		struct ebpfpub_tracer_stats s;
		uint64_t canary;
	} buf;
	struct ebpfpub_tracer *t = NULL;

	ASSERT(ebpfpub_tracer_new(&opts, &t) == 0);
	memset(&buf, 0xa5, sizeof(buf));
	buf.s.sz = offsetof(struct ebpfpub_tracer_stats, lost);
	CHECK_INT(ebpfpub_tracer_stats(t, &buf.s), 0);
	CHECK_INT(buf.s.sz, offsetof(struct ebpfpub_tracer_stats, lost));
	CHECK_INT(buf.s.events, 0);
	CHECK(buf.s.lost == 0xa5a5a5a5a5a5a5a5ull); /* past sz: untouched */
	memset(&buf, 0xa5, sizeof(buf));
	buf.s.sz = sizeof(buf);
	CHECK_INT(ebpfpub_tracer_stats(t, &buf.s), 0);
	CHECK_INT(buf.s.read_errors, 0);
	CHECK(buf.canary == 0xa5a5a5a5a5a5a5a5ull); /* unknown to the library: untouched */
	buf.s.sz = 4;
	CHECK_INT(ebpfpub_tracer_stats(t, &buf.s), -EINVAL);
	ebpfpub_tracer_free(t);
}

int main(void)
{
	test_require_root();
	test_buffer_storage();
	test_perf_output();
	test_tracer();
	test_stats();
	return test_finish("test_options");
}
