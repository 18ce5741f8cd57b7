/* SPDX-License-Identifier: Apache-2.0 */
/* Both output kinds deliver exact events; storage and output can be shared by tracers; strings
 * longer than the buffer arrive cut and flagged; a full output counts every lost event. */
#include <sys/stat.h>

#include "capture.h"

static uint32_t self;

static struct ebpfpub_tracer *tracer_with(struct cap_list *l, struct ebpfpub_buffer_storage *s,
					  struct ebpfpub_perf_output *p, const char *name)
{
	struct ebpfpub_tracer *t = NULL;
	EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .attach_mode = cap_attach_mode(), .callback = cap_callback, .callback_ctx = l,
		     .trace_self = true, .pids = &self, .pid_count = 1, .buffer_storage = s,
		     .perf_output = p, .log_fn = test_log);

	ASSERT(ebpfpub_tracer_new(&o, &t) == 0);
	if (ebpfpub_tracer_add_syscall(t, name) != 0) {
		fprintf(stderr, "%s\n", ebpfpub_tracer_last_error(t));
		ASSERT(0);
	}
	return t;
}

static void test_kind(enum ebpfpub_output_kind kind)
{
	struct ebpfpub_perf_output *p = NULL;
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t;
	const struct cap_event *e;
	char path[64];
	int i;
	EBPFPUB_OPTS(ebpfpub_perf_output_opts, po, .kind = kind, .page_exp = 4);

	ASSERT(ebpfpub_perf_output_new(&po, &p) == 0);
	CHECK_INT(ebpfpub_perf_output_kind(p), kind);
	CHECK(ebpfpub_perf_output_memory_usage(p) >= (kind == EBPFPUB_OUTPUT_PERF_ARRAY ? 16u * 4096 : 16u * 4096));
	t = tracer_with(&l, NULL, p, "mkdir");
	snprintf(path, sizeof(path), "/tmp/ebpfpub-out-%d", getpid());
	for (i = 0; i < 100; i++)
		mkdir(path, (mode_t)(0700 + (i % 8)));
	rmdir(path);
	cap_poll_until(t, &l, "mkdir", 100, 5000);
	CHECK_INT(cap_count(&l, "mkdir"), 100);
	e = cap_find(&l, "mkdir", "pathname", path);
	ASSERT(e);
	CHECK_INT(e->exit_code, 0);
	CHECK_INT(l.ev[99].exit_code, -EEXIST);
	CHECK_INT(cap_field(&l.ev[99], "mode")->u, 0700 + 3);
	CHECK_INT(ebpfpub_perf_output_lost(p), 0);
	ebpfpub_tracer_free(t);
	ebpfpub_perf_output_free(p);
	cap_clear(&l);
	free(l.ev);
}

static void test_shared_and_truncation(void)
{
	struct ebpfpub_buffer_storage *s = NULL;
	struct ebpfpub_perf_output *p = NULL;
	struct cap_list la = { 0 }, lb = { 0 };
	struct ebpfpub_tracer *a, *b;
	const struct cap_event *e;
	const struct cap_field *f;
	char p63[128], p64[128], plong[400];
	EBPFPUB_OPTS(ebpfpub_buffer_storage_opts, so, .buffer_size = 64, .buffer_count = 2);

	ASSERT(ebpfpub_buffer_storage_new(&so, &s) == 0);
	CHECK_INT(ebpfpub_buffer_storage_buffer_size(s), 64);
	CHECK(ebpfpub_buffer_storage_memory_usage(s) > 0);
	ASSERT(ebpfpub_perf_output_new(NULL, &p) == 0);
	a = tracer_with(&la, s, p, "mkdir");
	b = tracer_with(&lb, s, p, "rmdir");
	CHECK(ebpfpub_tracer_buffer_storage(a) == s);
	CHECK(ebpfpub_tracer_perf_output(b) == p);

	/* 63 characters + NUL fit exactly; 64 do not. */
	memset(p63, 'x', sizeof(p63));
	memcpy(p63, "/tmp/", 5);
	p63[63] = '\0';
	memcpy(p64, p63, 63);
	p64[63] = 'y';
	p64[64] = '\0';
	memset(plong, 'z', sizeof(plong));
	memcpy(plong, "/tmp/", 5);
	plong[sizeof(plong) - 1] = '\0';
	ASSERT(mkdir(p63, 0700) == 0);
	ASSERT(mkdir(p64, 0700) == 0);
	CHECK(mkdir(plong, 0700) == -1);   /* ENAMETOOLONG */
	ASSERT(rmdir(p63) == 0);
	ASSERT(rmdir(p64) == 0);

	/* Either tracer's poll drains the shared output into the right callback. */
	cap_poll_until(a, &la, "mkdir", 3, 3000);
	cap_poll_until(b, &lb, "rmdir", 2, 3000);
	CHECK_INT(cap_count(&la, "mkdir"), 3);
	CHECK_INT(cap_count(&la, "rmdir"), 0);
	CHECK_INT(cap_count(&lb, "rmdir"), 2);

	e = cap_find(&la, "mkdir", "pathname", p63);
	ASSERT(e);
	CHECK_INT(cap_field(e, "pathname")->flags, 0);
	CHECK_INT(cap_field(e, "pathname")->len, 63);
	CHECK_INT(e->probe_error, 0);
	p64[63] = '\0';
	e = cap_find(&la, "mkdir", "pathname", p64);   /* cut to 63 characters */
	ASSERT(e);
	f = cap_field(&la.ev[1], "pathname");
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK_INT(f->len, 63);
	CHECK(la.ev[1].probe_error & EBPFPUB_PROBE_ERROR_TRUNCATED);
	f = cap_field(&la.ev[2], "pathname");
	CHECK_INT(f->flags, EBPFPUB_FIELD_TRUNCATED);
	CHECK_INT(f->len, 63);
	CHECK(strncmp(f->str, plong, 63) == 0);
	CHECK_INT(la.ev[2].exit_code, -ENAMETOOLONG);
	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(a, &st) == 0);
		CHECK_INT(st.truncated, 2);
	}
	ebpfpub_tracer_free(a);
	ebpfpub_tracer_free(b);
	ebpfpub_perf_output_free(p);
	ebpfpub_buffer_storage_free(s);
	cap_clear(&la);
	cap_clear(&lb);
	free(la.ev);
	free(lb.ev);
}

/* A burst into a tiny ring with nobody reading: every call is either delivered or counted
 * as lost, nothing vanishes. */
static void test_loss_is_counted(enum ebpfpub_output_kind kind)
{
	struct ebpfpub_perf_output *p = NULL;
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t;
	const int calls = 20000;
	int i;
	EBPFPUB_OPTS(ebpfpub_perf_output_opts, po, .kind = kind, .page_exp = 0);

	ASSERT(ebpfpub_perf_output_new(&po, &p) == 0);
	t = tracer_with(&l, NULL, p, "mkdir");
	for (i = 0; i < calls; i++)
		mkdir("/tmp", 0755);
	for (i = 0; i < 20; i++)
		ASSERT(ebpfpub_tracer_poll(t, 10) >= 0);
	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
		printf("kind %d: %llu delivered + %llu lost of %d\n", (int)kind,
		       (unsigned long long)cap_count(&l, "mkdir"), (unsigned long long)st.lost, calls);
		CHECK(st.lost > 0);
		CHECK_INT(cap_count(&l, "mkdir") + st.lost, calls);
		CHECK_INT(ebpfpub_perf_output_lost(p), st.lost);
	}
	ebpfpub_tracer_free(t);
	ebpfpub_perf_output_free(p);
	cap_clear(&l);
	free(l.ev);
}

/* Events already in the output when stop() is called are still delivered. */
static void test_stop_drains(void)
{
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = tracer_with(&l, NULL, NULL, "mkdir");
	int i, r;

	for (i = 0; i < 50; i++)
		mkdir("/tmp", 0755);
	ebpfpub_tracer_stop(t);
	while ((r = ebpfpub_tracer_poll(t, 1000)) > 0)
		;
	CHECK_INT(r, -ECANCELED);
	CHECK_INT(cap_count(&l, "mkdir"), 50);
	CHECK_INT(ebpfpub_tracer_poll(t, 1000), -ECANCELED);
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
}

int main(void)
{
	test_require_root();
	self = (uint32_t)getpid();
	test_kind(EBPFPUB_OUTPUT_RING_BUFFER);
	test_kind(EBPFPUB_OUTPUT_PERF_ARRAY);
	test_shared_and_truncation();
	test_stop_drains();
	test_loss_is_counted(EBPFPUB_OUTPUT_RING_BUFFER);
	test_loss_is_counted(EBPFPUB_OUTPUT_PERF_ARRAY);
	return test_finish("test_outputs");
}
