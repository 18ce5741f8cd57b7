/* SPDX-License-Identifier: Apache-2.0 */
/* Privileged tests: keep copies of delivered events so that tests can look them up after
 * polling. */
#ifndef EBPFPUB_TEST_CAPTURE_H
#define EBPFPUB_TEST_CAPTURE_H

#include <ebpfpub/ebpfpub.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test.h"

#define CAP_MAX_FIELDS 6
#define CAP_MAX_ARGV 64

struct cap_field {
	char name[32];
	enum ebpfpub_value_type type;
	uint32_t flags;
	int64_t s;
	uint64_t u;
	char *str;             /* STRING/BYTES (copied, NUL added) */
	uint32_t len;
	struct ebpfpub_sockaddr sa;
	char sa_data[128];
	uint32_t argc;
	char *argv[CAP_MAX_ARGV];
	uint32_t argv_flags[CAP_MAX_ARGV];
	enum ebpfpub_argv_source argv_source;
};

struct cap_event {
	char syscall[32];
	char serializer[32];
	uint32_t pid, tid, uid, gid;
	int64_t exit_code;
	uint32_t probe_error;
	uint64_t timestamp_ns, duration_ns;
	char comm[16];
	size_t field_count;
	struct cap_field fields[CAP_MAX_FIELDS];
};

struct cap_list {
	struct cap_event *ev;
	size_t count, cap;
};

static inline int cap_callback(void *ctx, const struct ebpfpub_event *e)
{
	struct cap_list *l = ctx;
	struct cap_event *c;
	size_t i;

	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->ev = realloc(l->ev, l->cap * sizeof(*l->ev));
		ASSERT(l->ev);
	}
	c = &l->ev[l->count++];
	memset(c, 0, sizeof(*c));
	snprintf(c->syscall, sizeof(c->syscall), "%s", e->syscall);
	snprintf(c->serializer, sizeof(c->serializer), "%s", e->serializer);
	c->pid = e->pid;
	c->tid = e->tid;
	c->uid = e->uid;
	c->gid = e->gid;
	c->exit_code = e->exit_code;
	c->probe_error = e->probe_error;
	c->timestamp_ns = e->timestamp_ns;
	c->duration_ns = e->duration_ns;
	memcpy(c->comm, e->comm, sizeof(c->comm));
	c->field_count = e->field_count < CAP_MAX_FIELDS ? e->field_count : CAP_MAX_FIELDS;
	for (i = 0; i < c->field_count; i++) {
		const struct ebpfpub_field *f = &e->fields[i];
		struct cap_field *cf = &c->fields[i];
		uint32_t k;

		snprintf(cf->name, sizeof(cf->name), "%s", f->name);
		cf->type = f->type;
		cf->flags = f->flags;
		switch (f->type) {
		case EBPFPUB_VALUE_SIGNED:
			cf->s = f->value.s;
			break;
		case EBPFPUB_VALUE_UNSIGNED:
		case EBPFPUB_VALUE_POINTER:
			cf->u = f->value.u;
			break;
		case EBPFPUB_VALUE_STRING:
		case EBPFPUB_VALUE_BYTES:
			cf->len = f->value.bytes.len;
			cf->str = malloc(cf->len + 1);
			ASSERT(cf->str);
			memcpy(cf->str, f->value.bytes.data, cf->len);
			cf->str[cf->len] = '\0';
			break;
		case EBPFPUB_VALUE_SOCKADDR:
			cf->sa = f->value.sockaddr;
			cf->len = f->value.sockaddr.data.len < sizeof(cf->sa_data)
					  ? f->value.sockaddr.data.len
					  : sizeof(cf->sa_data);
			memcpy(cf->sa_data, f->value.sockaddr.data.data, cf->len);
			cf->sa.data.data = cf->sa_data;
			break;
		case EBPFPUB_VALUE_ARGV:
			cf->argc = f->value.argv.count;
			cf->argv_source = f->value.argv.source;
			for (k = 0; k < cf->argc && k < CAP_MAX_ARGV; k++) {
				cf->argv[k] = strndup(f->value.argv.args[k].data,
						      f->value.argv.args[k].len);
				cf->argv_flags[k] = f->value.argv.arg_flags[k];
			}
			break;
		}
	}
	return 0;
}

static inline void cap_clear(struct cap_list *l)
{
	size_t i, j, k;

	for (i = 0; i < l->count; i++)
		for (j = 0; j < l->ev[i].field_count; j++) {
			free(l->ev[i].fields[j].str);
			for (k = 0; k < l->ev[i].fields[j].argc && k < CAP_MAX_ARGV; k++)
				free(l->ev[i].fields[j].argv[k]);
		}
	l->count = 0;
}

static inline const struct cap_field *cap_field(const struct cap_event *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->field_count; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return &e->fields[i];
	return NULL;
}

/* The first event of SYSCALL whose string field FIELD equals VALUE (or any, if FIELD NULL). */
static inline const struct cap_event *cap_find(const struct cap_list *l, const char *syscall,
					       const char *field, const char *value)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		const struct cap_field *f;

		if (strcmp(l->ev[i].syscall, syscall) != 0)
			continue;
		if (!field)
			return &l->ev[i];
		f = cap_field(&l->ev[i], field);
		if (f && f->str && strcmp(f->str, value) == 0)
			return &l->ev[i];
	}
	return NULL;
}

static inline size_t cap_count(const struct cap_list *l, const char *syscall)
{
	size_t i, n = 0;

	for (i = 0; i < l->count; i++)
		n += strcmp(l->ev[i].syscall, syscall) == 0;
	return n;
}

static inline int64_t cap_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Polls until WANT events of SYSCALL arrived or TIMEOUT_MS of real time passed; in a guest
 * (EBPFPUB_TEST_GUEST: an emulated CPU, often sharing the host with another guest) four
 * times as long. */
static inline void cap_poll_until(struct ebpfpub_tracer *t, struct cap_list *l,
				  const char *syscall, size_t want, int timeout_ms)
{
	int64_t end = cap_now_ms() + (int64_t)timeout_ms * (getenv("EBPFPUB_TEST_GUEST") ? 4 : 1);

	while (cap_count(l, syscall) < want && cap_now_ms() < end) {
		int r = ebpfpub_tracer_poll(t, 50);

		ASSERT(r >= 0);
	}
}

static inline void test_log(void *ctx, enum ebpfpub_log_level level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "[libebpfpub %d] %s\n", (int)level, msg);
}

/* EBPFPUB_TEST_ATTACH_MODE=dispatch|per-tracepoint runs a test's tracers in that mode (the
 * exact-value tests run once per mode: tests/meson.build); unset, the library chooses. */
static inline enum ebpfpub_attach_mode cap_attach_mode(void)
{
	const char *m = getenv("EBPFPUB_TEST_ATTACH_MODE");

	if (!m || !*m)
		return EBPFPUB_ATTACH_DEFAULT;
	if (strcmp(m, "dispatch") == 0)
		return EBPFPUB_ATTACH_DISPATCH;
	if (strcmp(m, "per-tracepoint") == 0)
		return EBPFPUB_ATTACH_PER_TRACEPOINT;
	fprintf(stderr, "EBPFPUB_TEST_ATTACH_MODE='%s' is neither dispatch nor per-tracepoint\n", m);
	exit(1);
}

/* A tracer limited to this process, with the test's own syscalls traced. */
static inline struct ebpfpub_tracer *cap_tracer(struct cap_list *l, const char *const *names,
						 size_t n)
{
	static uint32_t self;
	struct ebpfpub_tracer *t = NULL;
	size_t i;
	int r;

	self = (uint32_t)getpid();
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, o, .callback = cap_callback, .callback_ctx = l,
			     .trace_self = true, .pids = &self, .pid_count = 1,
			     .log_fn = test_log, .attach_mode = cap_attach_mode());

		r = ebpfpub_tracer_new(&o, &t);
	}
	if (r == -EPERM || r == -EACCES)
		test_skip_or_fail("no privilege to create BPF maps");
	ASSERT(r == 0);
	for (i = 0; i < n; i++) {
		r = ebpfpub_tracer_add_syscall(t, names[i]);
		if (r < 0)
			fprintf(stderr, "add_syscall(%s): %d: %s\n", names[i], r,
				ebpfpub_tracer_last_error(t));
		if (r == -ENODEV)
			test_skip_or_fail("tracefs is not mounted");
		ASSERT(r == 0);
	}
	return t;
}

#endif
