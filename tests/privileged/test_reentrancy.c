/* SPDX-License-Identifier: Apache-2.0 */
/* The callback contract (issue #9): calls that would re-enter a tracer from its own callback
 * return -EBUSY, freeing it from its callback is safe, stop() is allowed, two threads cannot
 * poll one tracer at once, and tracers that share an output each get exactly their own
 * events (issue #10: one's callback error or stop does not end the other's poll). */
#include <pthread.h>
#include <sys/stat.h>

#include "capture.h"

static uint32_t self;
static char dir[64];

static struct ebpfpub_tracer *new_tracer(ebpfpub_event_fn fn, void *ctx,
					 struct ebpfpub_perf_output *p, const char *syscall)
{
	struct ebpfpub_tracer *t = NULL;
	EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = fn, .callback_ctx = ctx,
		     .trace_self = true, .pids = &self, .pid_count = 1, .perf_output = p,
		     .log_fn = test_log);

	ASSERT(ebpfpub_tracer_new(&o, &t) == 0);
	if (ebpfpub_tracer_add_syscall(t, syscall) != 0) {
		fprintf(stderr, "%s\n", ebpfpub_tracer_last_error(t));
		ASSERT(0);
	}
	return t;
}

static void calls(int n)
{
	int i;

	for (i = 0; i < n; i++)
		mkdir("/tmp", 0755);   /* EEXIST */
}

struct reenter {
	struct ebpfpub_tracer *t;
	int events;
	int poll_rc, add_rc, serializer_rc;
	char message[256];
};

static int reenter_cb(void *ctx, const struct ebpfpub_event *ev)
{
	static const struct ebpfpub_serializer ser = { .sz = sizeof(ser), .name = "none" };
	struct reenter *r = ctx;

	(void)ev;
	if (r->events++ == 0) {
		r->poll_rc = ebpfpub_tracer_poll(r->t, 0);
		snprintf(r->message, sizeof(r->message), "%s", ebpfpub_tracer_last_error(r->t));
		r->add_rc = ebpfpub_tracer_add_syscall(r->t, "rmdir");
		r->serializer_rc = ebpfpub_tracer_set_serializer(r->t, "unlink", &ser);
	}
	return 0;
}

static void test_reentrant_calls_refused(void)
{
	struct reenter r = { 0 };
	int got = 0, n;

	r.t = new_tracer(reenter_cb, &r, NULL, "mkdir");
	calls(10);
	while (got < 10 && (n = ebpfpub_tracer_poll(r.t, 1000)) > 0)
		got += n;
	CHECK_INT(got, 10);
	CHECK_INT(r.events, 10);   /* each record once: no recursion, no repeat */
	CHECK_INT(r.poll_rc, -EBUSY);
	CHECK_STR(r.message, "ebpfpub_tracer_poll() cannot be called from the tracer's own callback");
	CHECK_INT(r.add_rc, -EBUSY);
	CHECK_INT(r.serializer_rc, -EBUSY);
	CHECK_INT(ebpfpub_tracer_syscall_count(r.t), 1);
	/* Outside the callback the same calls work. */
	CHECK_INT(ebpfpub_tracer_add_syscall(r.t, "rmdir"), 0);
	ebpfpub_tracer_free(r.t);
}

struct self_free {
	struct ebpfpub_tracer *t;
	int events;
};

static int free_cb(void *ctx, const struct ebpfpub_event *ev)
{
	struct self_free *f = ctx;

	(void)ev;
	f->events++;
	ebpfpub_tracer_free(f->t);   /* freed when the callback returns */
	return 0;
}

static void test_free_from_callback(void)
{
	struct self_free f = { 0 };

	f.t = new_tracer(free_cb, &f, NULL, "mkdir");
	calls(5);
	/* The poll that ran the callback frees the tracer and says it is gone. */
	CHECK_INT(ebpfpub_tracer_poll(f.t, 2000), -ECANCELED);
	CHECK_INT(f.events, 1);
}

struct stopper {
	struct ebpfpub_tracer *t;
	int events;
};

static int stop_cb(void *ctx, const struct ebpfpub_event *ev)
{
	struct stopper *s = ctx;

	(void)ev;
	if (++s->events == 3)
		ebpfpub_tracer_stop(s->t);
	return 0;
}

static void test_stop_from_callback(void)
{
	struct stopper s = { 0 };
	int r;

	s.t = new_tracer(stop_cb, &s, NULL, "mkdir");
	calls(10);
	while ((r = ebpfpub_tracer_poll(s.t, 1000)) > 0)
		;
	CHECK_INT(r, -ECANCELED);
	CHECK_INT(s.events, 10);   /* what was in the output is still handed over */
	ebpfpub_tracer_free(s.t);
}

struct counted {
	int events;
	int fail_at;   /* return -42 at this event (0: never) */
};

static int count_cb(void *ctx, const struct ebpfpub_event *ev)
{
	struct counted *c = ctx;

	(void)ev;
	if (++c->events == c->fail_at)
		return -42;
	return 0;
}

struct poller {
	struct ebpfpub_tracer *t;
	int delivered, busy;
	volatile int *done;
};

static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	int r;

	while (!*p->done) {
		r = ebpfpub_tracer_poll(p->t, 10);
		if (r == -EBUSY) {
			p->busy++;
			usleep(1000);
		}
		else if (r > 0)
			p->delivered += r;
		else if (r < 0)
			abort();
	}
	return NULL;
}

/* Read while the pollers run: the loss counters live in a kernel map, not in what they
 * write. */
static uint64_t lost_so_far(struct ebpfpub_tracer *t)
{
	struct ebpfpub_tracer_stats st = { .sz = sizeof(st) };

	if (ebpfpub_tracer_stats(t, &st) != 0)
		return 0;
	return st.lost;
}

static void test_two_threads_poll_one_tracer(void)
{
	struct ebpfpub_tracer_stats st = { .sz = sizeof(st) };
	struct counted c = { 0 };
	struct ebpfpub_tracer *t = NULL;
	struct poller a = { 0 }, b = { 0 };
	volatile int done = 0;
	pthread_t ta, tb;
	int i;

	{
		/* No log_fn: the refusals would fill the test log. */
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = count_cb, .callback_ctx = &c,
			     .trace_self = true, .pids = &self, .pid_count = 1);

		ASSERT(ebpfpub_tracer_new(&o, &t) == 0);
		ASSERT(ebpfpub_tracer_add_syscall(t, "mkdir") == 0);
	}
	a.t = b.t = t;
	a.done = b.done = &done;
	ASSERT(pthread_create(&ta, NULL, poll_thread, &a) == 0);
	ASSERT(pthread_create(&tb, NULL, poll_thread, &b) == 0);
	calls(100000);
	/* Under an emulated CPU (the qemu runs) the pollers can lag by seconds, and a full
	 * output loses records: wait until every call is delivered or counted lost. */
	for (i = 0; i < 6000 && c.events + lost_so_far(t) < 100000; i++)
		usleep(10000);
	done = 1;
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	ASSERT(ebpfpub_tracer_stats(t, &st) == 0);
	printf("two pollers: %d + %d delivered, %d + %d refused, %llu lost\n", a.delivered,
	       b.delivered, a.busy, b.busy, (unsigned long long)st.lost);
	/* each record exactly once: delivered once or counted lost, never both or twice */
	CHECK_INT((uint64_t)c.events + st.lost, 100000);
	CHECK_INT(st.events, (uint64_t)c.events);
	CHECK_INT(a.delivered + b.delivered, c.events);
	CHECK(a.busy + b.busy > 0);   /* the second poller was refused, not let in */
	ebpfpub_tracer_free(t);
}

static void test_shared_output(void)
{
	struct ebpfpub_perf_output *p = NULL;
	struct counted ca = { 0 }, cb = { .fail_at = 2 };
	struct ebpfpub_tracer *a, *b;
	char path[128];
	int i, r, got = 0;

	ASSERT(ebpfpub_perf_output_new(NULL, &p) == 0);
	a = new_tracer(count_cb, &ca, p, "mkdir");
	b = new_tracer(count_cb, &cb, p, "rmdir");
	snprintf(path, sizeof(path), "%s/shared", dir);
	for (i = 0; i < 5; i++) {
		ASSERT(mkdir(path, 0700) == 0);
		ASSERT(rmdir(path) == 0);
	}
	/* A's poll drains B's records into B's callback; B's error (-42 at its second event)
	 * does not end A's poll, and A counts only its own events. */
	while (got < 5 && (r = ebpfpub_tracer_poll(a, 1000)) > 0)
		got += r;
	CHECK_INT(got, 5);
	CHECK_INT(ca.events, 5);
	CHECK_INT(cb.events, 5);
	/* B's own next poll reports its callback's error. */
	CHECK_INT(ebpfpub_tracer_poll(b, 0), -42);
	CHECK_INT(ebpfpub_tracer_poll(b, 0), 0);

	/* Stopping B does not stop A. */
	ebpfpub_tracer_stop(b);
	ASSERT(mkdir(path, 0700) == 0);
	ASSERT(rmdir(path) == 0);
	got = 0;
	while (got < 1 && (r = ebpfpub_tracer_poll(a, 1000)) > 0)
		got += r;
	CHECK_INT(got, 1);
	CHECK_INT(ca.events, 6);
	CHECK_INT(cb.events, 6);   /* B's record was drained into B's callback */
	CHECK_INT(ebpfpub_tracer_poll(b, 0), -ECANCELED);
	CHECK_INT(ebpfpub_tracer_poll(a, 0), 0);
	ebpfpub_tracer_free(a);
	ebpfpub_tracer_free(b);
	ebpfpub_perf_output_free(p);
}

int main(void)
{
	test_require_root();
	self = (uint32_t)getpid();
	snprintf(dir, sizeof(dir), "/tmp/ebpfpub-reenter-%d", getpid());
	ASSERT(mkdir(dir, 0700) == 0);
	test_reentrant_calls_refused();
	test_free_from_callback();
	test_stop_from_callback();
	test_two_threads_poll_one_tracer();
	test_shared_output();
	rmdir(dir);
	return test_finish("test_reentrancy");
}
