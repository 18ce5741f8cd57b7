/* SPDX-License-Identifier: Apache-2.0 */
/* Every syscall of the running kernel loads through the verifier and attaches. */
#include <time.h>

#include "capture.h"

static int count_cb(void *ctx, const struct ebpfpub_event *e)
{
	(void)e;
	(*(uint64_t *)ctx)++;
	return 0;
}

int main(void)
{
	struct ebpfpub_tracer *t = NULL;
	uint64_t events = 0;
	struct timespec a, b;
	char **names;
	int n, added, r;

	test_require_root();
	n = ebpfpub_list_syscalls(NULL, &names);
	if (n == -ENODEV)
		test_skip_or_fail("tracefs is not mounted");
	ASSERT(n > 300);
	{
		/* Smaller event maps: 360 of them at the default size would pin ~65 MB. */
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = count_cb, .callback_ctx = &events,
			     .event_map_size = 64, .log_fn = test_log);

		r = ebpfpub_tracer_new(&o, &t);
	}
	if (r == -EPERM)
		test_skip_or_fail("no privilege to create BPF maps");
	ASSERT(r == 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	added = ebpfpub_tracer_add_all_syscalls(t);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (added != n)
		fprintf(stderr, "last error: %s\n", ebpfpub_tracer_last_error(t));
	CHECK_INT(added, n);
	CHECK_INT(ebpfpub_tracer_syscall_count(t), n);
	printf("generated, loaded and attached %d syscalls in %.3f s; tracer maps use %llu bytes\n",
	       added, (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
	       (unsigned long long)ebpfpub_tracer_memory_usage(t));
	/* The system's own syscalls flow in: everything decodes. */
	for (r = 0; r < 10; r++)
		ASSERT(ebpfpub_tracer_poll(t, 20) >= 0);
	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
		CHECK_INT(st.malformed, 0);
		printf("events %llu lost %llu exit_without_enter %llu\n",
		       (unsigned long long)st.events, (unsigned long long)st.lost,
		       (unsigned long long)st.exit_without_enter);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	ebpfpub_tracer_free(t);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("detached and freed in %.3f s\n",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	ebpfpub_strv_free(names);
	return test_finish("test_load_all");
}
