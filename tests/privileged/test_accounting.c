/* SPDX-License-Identifier: Apache-2.0 */
/* Every call the programs were asked to see ends in exactly one counter: more threads blocked
 * inside read() than the event map holds, for each filter kind, and a burst into a full
 * output of each kind (issue #9: evicted calls vanished with a comm or uid filter, and the
 * perf event array counted its losses twice). */
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "capture.h"

#define THREADS 200
#define TEST_UID 4242
#define TEST_COMM "ebpfpub-acct"

enum filter_kind { BY_PID, BY_UID, BY_COMM };

static int pipe_fds[2];
static int ready;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static enum filter_kind kind;

static void *reader(void *arg)
{
	char c;

	(void)arg;
	/* Credentials and comm are per thread: only these threads match the filter. */
	if (kind == BY_UID && syscall(SYS_setresuid, TEST_UID, TEST_UID, -1) != 0)
		abort();
	if (kind == BY_COMM && prctl(PR_SET_NAME, TEST_COMM) != 0)
		abort();
	pthread_mutex_lock(&lock);
	ready++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	if (read(pipe_fds[0], &c, 1) != 1)
		abort();
	return NULL;
}

/* Calls that passed the filters and ended somewhere. */
static uint64_t ended(const struct ebpfpub_tracer_stats *st)
{
	return st->events + st->evicted + st->lost + st->in_flight + st->malformed + st->filtered +
	       st->enter_dropped + st->exit_not_seen;
}

static void drain(struct ebpfpub_tracer *t)
{
	int i;

	for (i = 0; i < 30; i++)
		ASSERT(ebpfpub_tracer_poll(t, 20) >= 0);
}

static void test_filter(enum filter_kind k, enum ebpfpub_entry_storage where)
{
	static const char *const names[] = { "pid", "uid", "comm" };
	uint32_t self = (uint32_t)getpid();
	struct ebpfpub_tracer *t = NULL;
	struct cap_list l = { 0 };
	pthread_t th[THREADS];
	char bytes[THREADS];
	uint64_t before, misses_before;
	int i;
	EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .attach_mode = cap_attach_mode(), .callback = cap_callback, .callback_ctx = &l,
		     .trace_self = true, .event_map_size = 16, .log_fn = test_log,
		     .entry_storage = where);
	EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

	kind = k;
	if (k == BY_PID) {
		o.pids = &self;
		o.pid_count = 1;
	} else if (k == BY_UID) {
		o.filter_uid = true;
		o.uid = TEST_UID;
	} else {
		o.comm = TEST_COMM;
	}
	ASSERT(ebpfpub_tracer_new(&o, &t) == 0);
	if (ebpfpub_tracer_add_syscall(t, "read") != 0) {
		fprintf(stderr, "%s\n", ebpfpub_tracer_last_error(t));
		ASSERT(0);
	}
	/* The main thread's own reads (fdinfo, while adding the syscall) are calls too. */
	drain(t);
	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	before = ended(&st);
	misses_before = st.exit_without_enter;
	ASSERT(pipe(pipe_fds) == 0);
	ready = 0;
	for (i = 0; i < THREADS; i++)
		ASSERT(pthread_create(&th[i], NULL, reader, NULL) == 0);
	pthread_mutex_lock(&lock);
	while (ready < THREADS)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	usleep(300 * 1000);   /* let every thread block inside read() */
	/* A process that no filter kind lets through: its call is counted as filtered. */
	{
		int fds[2], status;
		pid_t child;
		char c;

		ASSERT(pipe(fds) == 0);
		ASSERT(write(fds[1], "y", 1) == 1);
		child = fork();
		ASSERT(child >= 0);
		if (child == 0)
			_exit(read(fds[0], &c, 1) == 1 ? 0 : 1);
		ASSERT(waitpid(child, &status, 0) == child && status == 0);
		close(fds[0]);
		close(fds[1]);
	}

	/* The LRU map holds at most 16 (fewer: it keeps free entries per CPU); the others were
	 * evicted. Each thread has its own task storage entry. */
	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	if (where == EBPFPUB_ENTRY_STORAGE_EVENT_MAP)
		CHECK(st.in_flight >= 1 && st.in_flight <= 16);
	else
		CHECK_INT(st.in_flight, THREADS);
	memset(bytes, 'x', sizeof(bytes));
	ASSERT(write(pipe_fds[1], bytes, sizeof(bytes)) == (ssize_t)sizeof(bytes));
	for (i = 0; i < THREADS; i++)
		ASSERT(pthread_join(th[i], NULL) == 0);
	drain(t);

	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	printf("%s, filter %s: %llu delivered + %llu evicted + %llu lost + %llu in flight of %d; "
	       "kernel_filtered %llu, exit_without_enter %llu\n",
	       where == EBPFPUB_ENTRY_STORAGE_TASK ? "task storage" : "event map", names[k],
	       (unsigned long long)st.events, (unsigned long long)st.evicted,
	       (unsigned long long)st.lost, (unsigned long long)st.in_flight, THREADS,
	       (unsigned long long)st.kernel_filtered, (unsigned long long)st.exit_without_enter);
	CHECK_INT(cap_count(&l, "read"), st.events);
	CHECK_INT(ended(&st) - before, THREADS);
	CHECK_INT(st.in_flight, 0);
	if (where == EBPFPUB_ENTRY_STORAGE_EVENT_MAP) {
		CHECK(st.evicted >= THREADS - 16);
	} else {
		CHECK_INT(st.evicted, 0);
		CHECK_INT(cap_count(&l, "read") - (before - st.in_flight), THREADS);
	}
	/* An evicted entry's exit is counted as evicted only, never as a miss too. */
	CHECK_INT(st.exit_without_enter - misses_before, 0);
	CHECK_INT(st.enter_dropped, 0);
	CHECK(st.kernel_filtered >= 1);   /* the child's read, at least */
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	ebpfpub_tracer_free(t);
	cap_clear(&l);
	free(l.ev);
}

/* Bursts into a tiny output with nobody reading, drained between them, so that the kernel
 * also has room to report its losses (PERF_RECORD_LOST) after the first: delivered + lost
 * must equal the calls made, exactly. */
static void test_overflow(enum ebpfpub_output_kind okind)
{
	uint32_t self = (uint32_t)getpid();
	struct ebpfpub_perf_output *p = NULL;
	struct ebpfpub_tracer *t = NULL;
	struct cap_list l = { 0 };
	const int calls = 20000;
	int round, i;
	EBPFPUB_OPTS(ebpfpub_perf_output_opts, po, .kind = okind, .page_exp = 1);
	EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .attach_mode = cap_attach_mode(), .callback = cap_callback, .callback_ctx = &l,
		     .trace_self = true, .pids = &self, .pid_count = 1, .log_fn = test_log);
	EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

	ASSERT(ebpfpub_perf_output_new(&po, &p) == 0);
	o.perf_output = p;
	ASSERT(ebpfpub_tracer_new(&o, &t) == 0);
	ASSERT(ebpfpub_tracer_add_syscall(t, "mkdir") == 0);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < calls; i++)
			mkdir("/tmp", 0755);
		drain(t);
	}
	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	printf("output kind %d: %zu delivered + %llu lost of %d\n", (int)okind,
	       cap_count(&l, "mkdir"), (unsigned long long)st.lost, 3 * calls);
	CHECK(st.lost > 0);
	CHECK_INT(cap_count(&l, "mkdir") + st.lost, 3 * calls);
	CHECK_INT(ebpfpub_perf_output_lost(p), st.lost);
	CHECK_INT(st.evicted + st.in_flight + st.enter_dropped, 0);
	ebpfpub_tracer_free(t);
	ebpfpub_perf_output_free(p);
	cap_clear(&l);
	free(l.ev);
}

int main(void)
{
	test_require_root();
	test_filter(BY_PID, EBPFPUB_ENTRY_STORAGE_EVENT_MAP);
	test_filter(BY_UID, EBPFPUB_ENTRY_STORAGE_EVENT_MAP);
	test_filter(BY_COMM, EBPFPUB_ENTRY_STORAGE_EVENT_MAP);
	test_filter(BY_PID, EBPFPUB_ENTRY_STORAGE_TASK);
	test_filter(BY_UID, EBPFPUB_ENTRY_STORAGE_TASK);
	test_filter(BY_COMM, EBPFPUB_ENTRY_STORAGE_TASK);
	test_overflow(EBPFPUB_OUTPUT_RING_BUFFER);
	test_overflow(EBPFPUB_OUTPUT_PERF_ARRAY);
	return test_finish("test_accounting");
}
