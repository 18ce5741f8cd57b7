/* SPDX-License-Identifier: Apache-2.0 */
/* Many more threads than the event map has entries: every call is delivered (the original
 * ebpfpub stopped after ~1,023 distinct threads because exits never deleted entries). */
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "capture.h"

#define THREADS 300
#define AT_ONCE 8
#define CALLS 5

static char base[64];

static void *worker(void *arg)
{
	char path[128];
	int i;

	for (i = 0; i < CALLS; i++) {
		snprintf(path, sizeof(path), "%s/t%ld-%d", base, (long)(intptr_t)arg, i);
		if (mkdir(path, 0700) != 0)
			abort();
	}
	return NULL;
}

int main(void)
{
	static const char *const names[] = { "mkdir" };
	struct cap_list l = { 0 };
	struct ebpfpub_tracer *t = NULL;
	uint32_t self = (uint32_t)getpid();
	pthread_t th[64];
	size_t round, i;
	int r;

	test_require_root();
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .attach_mode = cap_attach_mode(), .callback = cap_callback, .callback_ctx = &l,
			     .trace_self = true, .pids = &self, .pid_count = 1, .event_map_size = 16,
			     .log_fn = test_log);

		r = ebpfpub_tracer_new(&o, &t);
	}
	ASSERT(r == 0);
	r = ebpfpub_tracer_add_syscall(t, names[0]);
	if (r == -ENODEV)
		test_skip_or_fail("tracefs is not mounted");
	ASSERT(r == 0);
	snprintf(base, sizeof(base), "/tmp/ebpfpub-threads-%d", getpid());
	ASSERT(mkdir(base, 0700) == 0);

	/* 300 distinct threads (8 at a time) against a 16-entry event map. */
	for (round = 0; round * AT_ONCE < THREADS; round++) {
		size_t n = THREADS - round * AT_ONCE < AT_ONCE ? THREADS - round * AT_ONCE : AT_ONCE;

		for (i = 0; i < n; i++)
			ASSERT(pthread_create(&th[i], NULL, worker,
					      (void *)(intptr_t)(round * AT_ONCE + i)) == 0);
		for (i = 0; i < n; i++)
			pthread_join(th[i], NULL);
		ASSERT(ebpfpub_tracer_poll(t, 0) >= 0);
	}
	cap_poll_until(t, &l, "mkdir", THREADS * CALLS + 1, 5000);
	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
		printf("delivered %zu, lost %llu, enter_dropped %llu, exit_without_enter %llu\n",
		       cap_count(&l, "mkdir"), (unsigned long long)st.lost,
		       (unsigned long long)st.enter_dropped,
		       (unsigned long long)st.exit_without_enter);
	}
	CHECK_INT(cap_count(&l, "mkdir"), THREADS * CALLS + 1);
	{
		size_t tids = 0, j;
		uint32_t *seen = calloc(l.count, sizeof(uint32_t));

		for (i = 0; i < l.count; i++) {
			for (j = 0; j < tids; j++)
				if (seen[j] == l.ev[i].tid)
					break;
			if (j == tids)
				seen[tids++] = l.ev[i].tid;
			CHECK_INT(l.ev[i].exit_code, 0);
			CHECK_INT(l.ev[i].pid, getpid());
		}
		CHECK_INT(tids, THREADS + 1);
		free(seen);
	}
	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
		CHECK_INT(st.lost, 0);
		CHECK_INT(st.enter_dropped, 0);
		CHECK_INT(st.exit_without_enter, 0);
	}
	ebpfpub_tracer_free(t);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
		CHECK_INT(system(cmd), 0);
	}
	cap_clear(&l);
	free(l.ev);
	return test_finish("test_threads");
}
