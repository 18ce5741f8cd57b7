/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tracer_bench: a libebpfpub consumer for benchmarks.
 *
 * Traces the given syscalls system-wide (its own process excluded, the library's default),
 * decodes every event into a callback that reads every header field and every field value
 * (strings, socket addresses and argv bytes are hashed, so the decoded data is really
 * touched), and counts them. Prints "READY ..." once every ebpfpub_tracer_add_syscall has
 * returned, then polls until SIGINT/SIGTERM, or until -n matching events were delivered;
 * then drains what is pending and prints a report.
 *
 *   tracer_bench -t mkdir [-t openat,...] [-k ringbuf|perf] [-p PAGE_EXP]
 *                [-b BUFFER_SIZE] [-B BUFFER_COUNT] [-c COMM] [-a ARGV] [-n COUNT] [-j] [-v]
 *                [-X] [-A ANCESTORS]
 *
 * -X: no process context (ebpfpub_tracer_opts.no_process_context); -A N: N ancestors per
 * event (the callback then reads the context too).
 *   tracer_bench -t all [-k ...] [-p ...] [-j] [-v]
 *
 * -t all measures generate+load+attach of every syscall this kernel can trace
 * (ebpfpub_tracer_add_all_syscalls), reports seconds and counts, and exits.
 *
 * Start-up time is measured from the process start: from EBPFPUB_BENCH_T0_NS
 * (CLOCK_MONOTONIC nanoseconds, set by a runner just before it spawns this program) when
 * set, else from the start time in /proc/self/stat (10 ms resolution). It ends after the
 * last ebpfpub_tracer_add_syscall returned (the programs are attached then).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <ebpfpub/ebpfpub.h>

#define MAX_SYSCALLS 64

struct bench {
	const char *comm;          /* count as "matched" only events of this comm */
	const char *argv;          /* ... and only events with this argv (joined by spaces) */
	uint64_t expected;         /* stop after this many matched events (0: never) */
	uint64_t events;           /* delivered to the callback */
	uint64_t matched;
	uint64_t hash;             /* of every field of every event: keeps decoding honest */
	uint64_t lat_samples;      /* every 64th event: delivery latency */
	uint64_t lat_sum_ns, lat_max_ns;
	uint64_t first_ns, last_ns;
};

static volatile sig_atomic_t got_signal;
static int verbose;
static unsigned log_errors, log_warnings;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
	       (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* CLOCK_MONOTONIC time at which this process started. */
static uint64_t process_start_ns(const char **how)
{
	const char *env = getenv("EBPFPUB_BENCH_T0_NS");
	char buf[2048], *p;
	unsigned long long start_ticks = 0;
	struct timespec boot, mono;
	FILE *f;
	int i;

	if (env && *env) {
		*how = "spawner";
		return strtoull(env, NULL, 10);
	}
	*how = "proc";
	f = fopen("/proc/self/stat", "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return mono_ns();
	}
	fclose(f);
	/* Field 22 (starttime, clock ticks since boot); fields counted after "(comm)". */
	p = strrchr(buf, ')');
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (p)
		start_ticks = strtoull(p + 1, NULL, 10);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	{
		uint64_t boot_ns = (uint64_t)boot.tv_sec * 1000000000u + (uint64_t)boot.tv_nsec;
		uint64_t mono_now = (uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec;
		uint64_t start_boot = start_ticks * (1000000000u / (uint64_t)sysconf(_SC_CLK_TCK));

		return mono_now - (boot_ns - start_boot);
	}
}

/* A "Name:   N kB" line of /proc/self/status, in KiB (-1 if absent). VmHWM is the peak
 * resident set of this address space: unlike ru_maxrss it does not count the memory of the
 * process that forked this one before it ran execve. */
static long status_kb(const char *name)
{
	char line[256];
	size_t n = strlen(name);
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static inline uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ull;
	return h ^ (h >> 29);
}

static inline uint64_t mix_bytes(uint64_t h, const char *p, uint32_t len)
{
	uint32_t i;
	uint64_t w;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = mix(h, w);
	}
	for (; i < len; i++)
		h = mix(h, (unsigned char)p[i]);
	return mix(h, len);
}

/* Whether the ARGV field's arguments joined by single spaces equal WANT. */
static bool argv_equals(const struct ebpfpub_argv *a, const char *want)
{
	size_t pos = 0, n = strlen(want);
	uint32_t k;

	for (k = 0; k < a->count; k++) {
		if (k) {
			if (pos >= n || want[pos] != ' ')
				return false;
			pos++;
		}
		if (a->args[k].len > n - pos || memcmp(want + pos, a->args[k].data, a->args[k].len))
			return false;
		pos += a->args[k].len;
	}
	return pos == n;
}

static bool event_matches(const struct bench *b, const struct ebpfpub_event *e)
{
	size_t i;

	if (b->comm && strncmp(e->comm, b->comm, sizeof(e->comm)) != 0)
		return false;
	if (!b->argv)
		return true;
	for (i = 0; i < e->field_count; i++)
		if (e->fields[i].type == EBPFPUB_VALUE_ARGV &&
		    argv_equals(&e->fields[i].value.argv, b->argv))
			return true;
	return false;
}

static int on_event(void *ctx, const struct ebpfpub_event *e)
{
	struct bench *b = ctx;
	uint64_t h = b->hash;
	size_t i;
	uint32_t k;

	h = mix(h, (uint64_t)(unsigned char)e->syscall[0] << 8 | (unsigned char)e->serializer[0]);
	h = mix(h, e->timestamp_ns);
	h = mix(h, (uint64_t)e->pid << 32 | e->tid);
	h = mix(h, (uint64_t)e->uid << 32 | e->gid);
	h = mix(h, (uint64_t)e->exit_code);
	h = mix(h, e->duration_ns);
	h = mix(h, e->probe_error);
	h = mix_bytes(h, e->comm, sizeof(e->comm));
	if (e->process) {
		const struct ebpfpub_process *p = e->process;

		h = mix(h, (uint64_t)p->ppid << 32 | p->auid);
		h = mix(h, p->start_time_ns ^ p->cgroup_id);
		h = mix(h, (uint64_t)(unsigned char)p->container_runtime[0]);
		if (p->cgroup_path)
			h = mix(h, (uint64_t)(unsigned char)p->cgroup_path[1]);
		for (i = 0; i < p->ancestor_count; i++)
			h = mix(h, (uint64_t)p->ancestors[i].pid << 32 ^ p->ancestors[i].start_time_ns);
	}
	for (i = 0; i < e->field_count; i++) {
		const struct ebpfpub_field *f = &e->fields[i];

		h = mix(h, (uint64_t)(unsigned char)f->name[0] << 8 | (unsigned char)f->c_type[0]);
		h = mix(h, (uint64_t)f->type << 40 | (uint64_t)f->width << 32 | f->flags);
		h = mix(h, f->raw);
		switch (f->type) {
		case EBPFPUB_VALUE_SIGNED:
			h = mix(h, (uint64_t)f->value.s);
			break;
		case EBPFPUB_VALUE_UNSIGNED:
		case EBPFPUB_VALUE_POINTER:
			h = mix(h, f->value.u);
			break;
		case EBPFPUB_VALUE_STRING:
		case EBPFPUB_VALUE_BYTES:
			h = mix_bytes(h, f->value.bytes.data, f->value.bytes.len);
			break;
		case EBPFPUB_VALUE_SOCKADDR: {
			const struct ebpfpub_sockaddr *sa = &f->value.sockaddr;

			h = mix(h, (uint64_t)sa->family << 16 | sa->port);
			h = mix_bytes(h, (const char *)sa->addr, sizeof(sa->addr));
			h = mix(h, (uint64_t)sa->flowinfo << 32 | sa->scope_id);
			h = mix_bytes(h, sa->data.data, sa->data.len);
			break;
		}
		case EBPFPUB_VALUE_ARGV:
			h = mix(h, (uint64_t)f->value.argv.count << 8 | f->value.argv.source);
			for (k = 0; k < f->value.argv.count; k++) {
				h = mix_bytes(h, f->value.argv.args[k].data, f->value.argv.args[k].len);
				h = mix(h, f->value.argv.arg_flags[k]);
			}
			break;
		}
	}
	b->hash = h;
	if (b->events++ % 64 == 0) {
		uint64_t now = mono_ns();

		if (now > e->timestamp_ns) {
			uint64_t lat = now - e->timestamp_ns;

			b->lat_sum_ns += lat;
			if (lat > b->lat_max_ns)
				b->lat_max_ns = lat;
			b->lat_samples++;
		}
	}
	if (event_matches(b, e))
		b->matched++;
	return 0;
}

static void on_log(void *ctx, enum ebpfpub_log_level level, const char *msg)
{
	(void)ctx;
	if (level == EBPFPUB_LOG_ERROR)
		log_errors++;
	else if (level == EBPFPUB_LOG_WARNING)
		log_warnings++;
	if (verbose > 0 || (level <= EBPFPUB_LOG_WARNING && verbose == 0))
		fprintf(stderr, "tracer_bench: libebpfpub[%d]: %s\n", (int)level, msg);
}

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s -t SYSCALL[,SYSCALL...] [options]\n"
		"       %s -t all [options]   (generate+load every syscall, report, exit)\n"
		"  -t LIST    syscalls to trace (repeatable)\n"
		"  -k KIND    output: ringbuf, perf or default\n"
		"  -e WHERE   entry storage: task (task-local), map (event map) or default\n"
		"  -p EXP     page exponent of the output: 2^EXP pages per CPU (1..16; default 8)\n"
		"  -b SIZE    buffer storage: bytes of one string buffer (default 4096)\n"
		"  -B COUNT   buffer storage: buffers per event (default 8)\n"
		"  -c COMM    count as matched only events whose comm is COMM\n"
		"  -a ARGV    count as matched only events with an argv field equal to ARGV\n"
		"             (arguments joined by single spaces)\n"
		"  -n COUNT   stop once COUNT matched events were delivered\n"
		"  -R MODE    a rule on every syscall: keep only calls whose `mode` argument is\n"
		"             MODE (octal), decided in the enter program (rules benchmark)\n"
		"  -j         print the report as one JSON line (\"REPORT {...}\")\n"
		"  -v         print every library message (default: warnings and errors;\n"
		"             -t all: none unless -v)\n",
		argv0, argv0);
}

struct report_item {
	const char *key;
	char value[96];
	bool is_string;
};

static struct report_item items[64];
static size_t item_count;

__attribute__((format(printf, 3, 4))) static void item(const char *key, bool is_string,
						       const char *fmt, ...)
{
	va_list ap;

	if (item_count == sizeof(items) / sizeof(items[0]))
		return;
	items[item_count].key = key;
	items[item_count].is_string = is_string;
	va_start(ap, fmt);
	vsnprintf(items[item_count].value, sizeof(items[0].value), fmt, ap);
	va_end(ap);
	item_count++;
}

static void print_report(bool json)
{
	size_t i;

	if (json) {
		printf("REPORT {");
		for (i = 0; i < item_count; i++)
			printf(items[i].is_string ? "%s\"%s\": \"%s\"" : "%s\"%s\": %s",
			       i ? ", " : "", items[i].key, items[i].value);
		printf("}\n");
	} else {
		for (i = 0; i < item_count; i++)
			printf("%-22s %s\n", items[i].key, items[i].value);
	}
	fflush(stdout);
}

static const char *kind_name(enum ebpfpub_output_kind k)
{
	return k == EBPFPUB_OUTPUT_RING_BUFFER ? "ringbuf" :
	       k == EBPFPUB_OUTPUT_PERF_ARRAY ? "perf" : "default";
}

int main(int argc, char **argv)
{
	const char *names[MAX_SYSCALLS], *t0_how;
	size_t name_count = 0, i;
	bool all = false, json = false;
	enum ebpfpub_output_kind kind = EBPFPUB_OUTPUT_DEFAULT;
	enum ebpfpub_entry_storage entry_storage = EBPFPUB_ENTRY_STORAGE_DEFAULT;
	uint32_t page_exp = 0, buffer_size = 0, buffer_count = 0;
	struct ebpfpub_buffer_storage *storage = NULL;
	struct ebpfpub_perf_output *output = NULL;
	struct ebpfpub_tracer *tracer = NULL;
	struct bench b = { 0 };
	struct rusage ru_ready, ru_end, ru_a;
	uint64_t t0, t_main, t_ready, mem_storage, mem_output, mem_tracer;
	struct sigaction sa;
	int opt, r, rc = 0;
	long long rule_mode = -1;   /* -R */

	t_main = mono_ns();
	bool no_context = false;
	uint32_t ancestors = 0;
	t0 = process_start_ns(&t0_how);
	while ((opt = getopt(argc, argv, "t:k:p:b:B:c:a:n:e:R:jvhXA:")) != -1) {
		switch (opt) {
		case 't': {
			char *list = strdup(optarg), *save = NULL, *tok;

			for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (strcmp(tok, "all") == 0) {
					all = true;
					continue;
				}
				if (name_count == MAX_SYSCALLS) {
					fprintf(stderr, "tracer_bench: at most %d syscalls\n", MAX_SYSCALLS);
					return 2;
				}
				names[name_count++] = tok;
			}
			break;
		}
		case 'X':
			no_context = true;
			break;
		case 'A':
			ancestors = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			if (strcmp(optarg, "ringbuf") == 0)
				kind = EBPFPUB_OUTPUT_RING_BUFFER;
			else if (strcmp(optarg, "perf") == 0)
				kind = EBPFPUB_OUTPUT_PERF_ARRAY;
			else if (strcmp(optarg, "default") == 0)
				kind = EBPFPUB_OUTPUT_DEFAULT;
			else {
				fprintf(stderr, "tracer_bench: -k ringbuf|perf|default\n");
				return 2;
			}
			break;
		case 'p':
			page_exp = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'e':
			if (strcmp(optarg, "task") == 0)
				entry_storage = EBPFPUB_ENTRY_STORAGE_TASK;
			else if (strcmp(optarg, "map") == 0)
				entry_storage = EBPFPUB_ENTRY_STORAGE_EVENT_MAP;
			else if (strcmp(optarg, "default") == 0)
				entry_storage = EBPFPUB_ENTRY_STORAGE_DEFAULT;
			else {
				fprintf(stderr, "tracer_bench: -e task|map|default\n");
				return 2;
			}
			break;
		case 'b':
			buffer_size = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'B':
			buffer_count = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			b.comm = optarg;
			break;
		case 'a':
			b.argv = optarg;
			break;
		case 'n':
			b.expected = strtoull(optarg, NULL, 10);
			break;
		case 'R':
			rule_mode = strtoll(optarg, NULL, 8);
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if ((!all && name_count == 0) || (all && name_count) || optind != argc) {
		usage(stderr, argv[0]);
		return 2;
	}
	if (all && !verbose)
		verbose = -1;  /* every syscall that fails logs an error: count them only */

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	{
		EBPFPUB_OPTS(ebpfpub_buffer_storage_opts, so, .buffer_size = buffer_size,
			     .buffer_count = buffer_count, .log_fn = on_log);
		EBPFPUB_OPTS(ebpfpub_perf_output_opts, po, .kind = kind, .page_exp = page_exp,
			     .log_fn = on_log);

		r = ebpfpub_buffer_storage_new(&so, &storage);
		if (r < 0) {
			fprintf(stderr, "tracer_bench: buffer storage: %s\n", strerror(-r));
			return 1;
		}
		r = ebpfpub_perf_output_new(&po, &output);
		if (r < 0) {
			fprintf(stderr, "tracer_bench: perf output: %s\n", strerror(-r));
			ebpfpub_buffer_storage_free(storage);
			return 1;
		}
	}
	{
		EBPFPUB_OPTS(ebpfpub_tracer_opts, to, .callback = on_event, .callback_ctx = &b,
			     .buffer_storage = storage, .perf_output = output, .log_fn = on_log,
			     .entry_storage = entry_storage, .no_process_context = no_context,
			     .ancestors = ancestors);

		r = ebpfpub_tracer_new(&to, &tracer);
		if (r < 0) {
			fprintf(stderr, "tracer_bench: tracer: %s\n", strerror(-r));
			rc = 1;
			goto out;
		}
	}

	if (all) {
		char **list = NULL;
		int available = ebpfpub_list_syscalls(NULL, &list);
		uint64_t a0, a1;
		struct rusage ru_b;

		ebpfpub_strv_free(list);
		getrusage(RUSAGE_SELF, &ru_a);
		a0 = mono_ns();
		r = ebpfpub_tracer_add_all_syscalls(tracer);
		a1 = mono_ns();
		getrusage(RUSAGE_SELF, &ru_b);
		mem_storage = ebpfpub_buffer_storage_memory_usage(storage);
		mem_output = ebpfpub_perf_output_memory_usage(output);
		mem_tracer = ebpfpub_tracer_memory_usage(tracer);
		item("mode", true, "all");
		item("available", false, "%d", available);
		item("added", false, "%d", r < 0 ? 0 : r);
		item("failed", false, "%d", available >= 0 && r >= 0 ? available - r : -1);
		item("error", true, "%s", r < 0 ? strerror(-r) : "");
		item("add_all_s", false, "%.3f", (double)(a1 - a0) / 1e9);
		item("per_syscall_ms", false, "%.3f",
		     r > 0 ? (double)(a1 - a0) / 1e6 / r : 0.0);
		item("add_all_user_s", false, "%.3f", tv_s(ru_b.ru_utime) - tv_s(ru_a.ru_utime));
		item("add_all_sys_s", false, "%.3f", tv_s(ru_b.ru_stime) - tv_s(ru_a.ru_stime));
		item("startup_to_new_ms", false, "%.1f", (double)(a0 - t0) / 1e6);
		item("kind", true, "%s", kind_name(ebpfpub_perf_output_kind(output)));
		item("memory_bytes", false, "%llu",
		     (unsigned long long)(mem_storage + mem_output + mem_tracer));
		item("memory_tracer_bytes", false, "%llu", (unsigned long long)mem_tracer);
		item("maxrss_kb", false, "%ld", ru_b.ru_maxrss);
		item("vm_hwm_kb", false, "%ld", status_kb("VmHWM"));
		rc = r < 0 ? 1 : 0;
		goto teardown;
	}

	if (rule_mode >= 0) {
		struct ebpfpub_int_test eq = { .op = EBPFPUB_INT_EQ, .value = rule_mode };
		EBPFPUB_OPTS(ebpfpub_condition, c, .key = EBPFPUB_COND_ARG, .arg = "mode",
			     .ints = &eq, .int_count = 1);
		struct ebpfpub_rule *rule = NULL;

		r = ebpfpub_rule_new("bench-mode", &rule);
		for (i = 0; r == 0 && i < name_count; i++)
			r = ebpfpub_rule_add_syscall(rule, names[i]);
		if (r == 0)
			r = ebpfpub_rule_add_condition(rule, EBPFPUB_WHEN, &c);
		if (r == 0)
			r = ebpfpub_tracer_add_rule(tracer, rule);
		ebpfpub_rule_free(rule);
		if (r < 0) {
			fprintf(stderr, "tracer_bench: -R: %s\n", ebpfpub_tracer_last_error(tracer));
			rc = 1;
			goto out;
		}
	}
	for (i = 0; i < name_count; i++) {
		r = ebpfpub_tracer_add_syscall(tracer, names[i]);
		if (r < 0) {
			fprintf(stderr, "tracer_bench: add_syscall(%s): %s: %s\n", names[i],
				strerror(-r), ebpfpub_tracer_last_error(tracer));
			rc = 1;
			goto out;
		}
	}
	t_ready = mono_ns();
	getrusage(RUSAGE_SELF, &ru_ready);
	mem_storage = ebpfpub_buffer_storage_memory_usage(storage);
	mem_output = ebpfpub_perf_output_memory_usage(output);
	mem_tracer = ebpfpub_tracer_memory_usage(tracer);
	printf("READY pid=%d startup_ms=%.1f\n", (int)getpid(), (double)(t_ready - t0) / 1e6);
	fflush(stdout);

	while (!got_signal && !(b.expected && b.matched >= b.expected)) {
		uint64_t before = b.events;

		r = ebpfpub_tracer_poll(tracer, 100);
		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "tracer_bench: poll: %s\n", strerror(-r));
			rc = 1;
			break;
		}
		if (b.events != before) {
			uint64_t now = mono_ns();

			if (!b.first_ns)
				b.first_ns = now;
			b.last_ns = now;
		}
	}
	/* Whatever is still in the output when the signal came. */
	while (ebpfpub_tracer_poll(tracer, 0) > 0)
		b.last_ns = mono_ns();
	getrusage(RUSAGE_SELF, &ru_end);

	{
		EBPFPUB_OPTS(ebpfpub_tracer_stats, st);

		ebpfpub_tracer_stats(tracer, &st);
		item("mode", true, "trace");
		item("kind", true, "%s", kind_name(ebpfpub_perf_output_kind(output)));
		item("page_exp", false, "%u", page_exp ? page_exp : 8);
		item("events", false, "%llu", (unsigned long long)st.events);
		item("matched", false, "%llu", (unsigned long long)b.matched);
		item("lost", false, "%llu", (unsigned long long)st.lost);
		item("enter_dropped", false, "%llu", (unsigned long long)st.enter_dropped);
		item("exit_without_enter", false, "%llu", (unsigned long long)st.exit_without_enter);
		item("malformed", false, "%llu", (unsigned long long)st.malformed);
		item("truncated", false, "%llu", (unsigned long long)st.truncated);
		item("read_errors", false, "%llu", (unsigned long long)st.read_errors);
		item("filtered", false, "%llu", (unsigned long long)st.filtered);
	}
	item("startup_ms", false, "%.1f", (double)(t_ready - t0) / 1e6);
	item("startup_in_main_ms", false, "%.1f", (double)(t_ready - t_main) / 1e6);
	item("startup_from", true, "%s", t0_how);
	item("memory_bytes", false, "%llu",
	     (unsigned long long)(mem_storage + mem_output + mem_tracer));
	item("memory_storage_bytes", false, "%llu", (unsigned long long)mem_storage);
	item("memory_output_bytes", false, "%llu", (unsigned long long)mem_output);
	item("memory_tracer_bytes", false, "%llu", (unsigned long long)mem_tracer);
	item("cpu_s", false, "%.3f", cpu_seconds(&ru_end));
	item("cpu_startup_s", false, "%.3f", cpu_seconds(&ru_ready));
	item("cpu_after_ready_s", false, "%.3f", cpu_seconds(&ru_end) - cpu_seconds(&ru_ready));
	item("cpu_after_ready_user_s", false, "%.3f", tv_s(ru_end.ru_utime) - tv_s(ru_ready.ru_utime));
	item("cpu_after_ready_sys_s", false, "%.3f", tv_s(ru_end.ru_stime) - tv_s(ru_ready.ru_stime));
	item("maxrss_kb", false, "%ld", ru_end.ru_maxrss);
	item("vm_hwm_kb", false, "%ld", status_kb("VmHWM"));
	/* Now: the heap (anonymous); libLLVM's pages and the mapped ring (file-backed). */
	item("rss_anon_kb", false, "%ld", status_kb("RssAnon"));
	item("rss_file_kb", false, "%ld", status_kb("RssFile"));
	item("rss_shmem_kb", false, "%ld", status_kb("RssShmem"));
	item("deliver_span_s", false, "%.3f",
	     b.first_ns ? (double)(b.last_ns - b.first_ns) / 1e9 : 0.0);
	item("latency_mean_us", false, "%.1f",
	     b.lat_samples ? (double)b.lat_sum_ns / (double)b.lat_samples / 1e3 : 0.0);
	item("latency_max_us", false, "%.1f", (double)b.lat_max_ns / 1e3);
	item("voluntary_ctxsw", false, "%ld", ru_end.ru_nvcsw - ru_ready.ru_nvcsw);
	item("checksum", true, "%016llx", (unsigned long long)b.hash);
teardown:
	/* Detaching is part of the cost of a tracer: closing each perf event of a syscall
	 * tracepoint waits for the kernel to unregister it. */
	{
		uint64_t f0 = mono_ns();

		ebpfpub_tracer_free(tracer);
		tracer = NULL;
		item("teardown_s", false, "%.3f", (double)(mono_ns() - f0) / 1e9);
	}
	print_report(json);
out:
	ebpfpub_tracer_free(tracer);
	ebpfpub_perf_output_free(output);
	ebpfpub_buffer_storage_free(storage);
	return rc;
}
