/* SPDX-License-Identifier: Apache-2.0 */
/* Command-line parsing: every value is checked here, so that a typo is reported before
 * anything is loaded into the kernel, and without needing privilege. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

/* Ranges documented in ebpfpub.h. perf_size starts at 1 because the library reads 0 as
 * "the default" (8), so 2^0 pages cannot be asked for. */
#define BUFFER_SIZE_MIN 16
#define BUFFER_SIZE_MAX 65536
#define BUFFER_COUNT_MIN 1
#define BUFFER_COUNT_MAX 1024
#define PERF_SIZE_MIN 1
#define PERF_SIZE_MAX 16
#define EVENT_MAP_SIZE_MIN 16
#define EVENT_MAP_SIZE_MAX 1048576
/* The kernel's TASK_COMM_LEN, less the NUL. */
#define COMM_MAX 15
/* A year: longer durations are surely a typo. */
#define DURATION_MAX_S 31536000.0

enum long_only {
	OPT_OUTPUT_KIND = 0x100,
	OPT_JSON,
	OPT_PID,
	OPT_COMM,
	OPT_UID,
	OPT_DURATION,
	OPT_VERSION,
	OPT_CHECK,
	OPT_TRACEFS,
	OPT_ANCESTORS,
	OPT_CMDLINE,
	OPT_CGROUP,
	OPT_CONTAINER,
	OPT_HOST,
	OPT_NO_HOST,
	OPT_NO_CONTEXT,
	OPT_RULES,
	OPT_EXPLAIN,
	OPT_ATTACH_MODE,
};

static const struct option long_options[] = {
	{ "tracepoint_list", required_argument, NULL, 't' },
	{ "list", no_argument, NULL, 'l' },
	{ "buffer_size", required_argument, NULL, 'b' },
	{ "buffer_count", required_argument, NULL, 'c' },
	{ "perf_size", required_argument, NULL, 'p' },
	{ "event_map_size", required_argument, NULL, 'e' },
	{ "output_kind", required_argument, NULL, OPT_OUTPUT_KIND },
	{ "attach_mode", required_argument, NULL, OPT_ATTACH_MODE },
	{ "attach-mode", required_argument, NULL, OPT_ATTACH_MODE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "output", required_argument, NULL, 'o' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "tracefs", required_argument, NULL, OPT_TRACEFS },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "ancestors", required_argument, NULL, OPT_ANCESTORS },
	{ "cmdline", no_argument, NULL, OPT_CMDLINE },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "container", required_argument, NULL, OPT_CONTAINER },
	{ "host", no_argument, NULL, OPT_HOST },
	{ "no-host", no_argument, NULL, OPT_NO_HOST },
	{ "no-context", no_argument, NULL, OPT_NO_CONTEXT },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("Usage: ebpftracer -t SYSCALL[,SYSCALL...] [OPTION...]\n"
	       "       ebpftracer --list | --check [-t LIST] | --help | --version\n"
	       "\n"
	       "Traces system calls made by every process (except ebpftracer itself) with eBPF\n"
	       "programs that libebpfpub generates at run time, and prints one record per call.\n"
	       "\n"
	       "What to trace:\n"
	       "  -t, --tracepoint_list LIST  comma-separated syscall names (mkdir,connect);\n"
	       "                              'all' traces every syscall this kernel has.\n"
	       "                              Required unless --rules, --list or --check is given.\n"
	       "  -l, --list                  print the syscalls this kernel can trace and exit\n"
	       "      --rules PATH            a rule file, or a directory of *.yaml rule files: trace\n"
	       "                              their syscalls, print only the calls a rule matches\n"
	       "                              and run the rules' actions (see ebpftracer(1))\n"
	       "      --explain               with --rules: print where each condition runs (kernel\n"
	       "                              enter, kernel exit, user space) and exit\n"
	       "\n"
	       "Filters (combined with AND):\n"
	       "      --pid PID[,PID...]      only these processes (thread group ids, at most %d)\n"
	       "      --comm NAME             only tasks named NAME (at most %d bytes)\n"
	       "      --uid UID               only this user (a number or a user name)\n"
	       "      --cgroup PATH           only tasks in this cgroup2 cgroup or below it (a\n"
	       "                              path below the cgroup2 mount; exact, in the kernel)\n"
	       "      --container ID          only tasks of the container whose id (or name)\n"
	       "                              starts with ID (decided in user space)\n"
	       "      --host, --no-host       only tasks outside / inside containers (user space)\n"
	       "\n"
	       "Process context (ppid, auid, session, cgroup, container: on by default):\n"
	       "      --ancestors N           also the first N ancestors of the caller, read in\n"
	       "                              the kernel (0 .. 32, default 0)\n"
	       "      --cmdline               give ancestors their command line and uid (a\n"
	       "                              process table fed by /proc and traced execve)\n"
	       "      --no-context            capture no process context\n"
	       "\n"
	       "Output:\n"
	       "      --json                  one JSON object per event per line; the start-up\n"
	       "                              report and the summary then go to stderr\n"
	       "  -o, --output FILE           write events (and, in text mode, the start-up report\n"
	       "                              and the summary) to FILE instead of stdout\n"
	       "  -v, --verbose               print the generated programs (LLVM IR and BPF\n"
	       "                              instructions) before tracing, and library messages\n"
	       "      --duration SECONDS      stop by itself after SECONDS (fractions allowed)\n"
	       "\n"
	       "Kernel resources:\n"
	       "  -b, --buffer_size N         bytes of one captured string, NUL included\n"
	       "                              (%d .. %d, default 4096); longer ones are truncated\n"
	       "  -c, --buffer_count N        strings one event can carry (%d .. %d, default 8)\n"
	       "  -p, --perf_size N           2^N pages per CPU for the event output\n"
	       "                              (%d .. %d, default 8)\n"
	       "  -e, --event_map_size N      threads that can be inside one traced syscall at once\n"
	       "                              (%d .. %d, default 1024)\n"
	       "      --output_kind KIND      'ringbuf' (one ring for all CPUs, Linux 5.8+) or\n"
	       "                              'perf' (a perf ring per CPU); default: ringbuf when\n"
	       "                              the kernel has it\n"
	       "      --attach_mode MODE      'per-tracepoint' (programs on each syscall's own\n"
	       "                              tracepoints), 'dispatch' (two programs on\n"
	       "                              raw_syscalls dispatch to them) or 'auto' (default:\n"
	       "                              dispatch from %d syscalls on)\n"
	       "      --tracefs DIR           tracefs mount point (default: /sys/kernel/tracing,\n"
	       "                              then /sys/kernel/debug/tracing)\n"
	       "\n"
	       "Other:\n"
	       "      --check                 print what this machine offers the library; exit 0\n"
	       "                              when everything needed (for the -t syscalls) is there\n"
	       "  -h, --help                  print this help and exit\n"
	       "      --version               print the version and exit\n"
	       "\n"
	       "Ctrl-C (SIGINT) or SIGTERM stops tracing: a summary is printed and nothing stays\n"
	       "attached. Needs root, or CAP_BPF and CAP_PERFMON.\n"
	       "\n"
	       "Examples:\n"
	       "  sudo ebpftracer --tracepoint_list=mkdir,connect\n"
	       "  sudo ebpftracer -t execve --json --duration 10 | jq '.args.filename.value'\n",
	       OPTIONS_MAX_PIDS, COMM_MAX, BUFFER_SIZE_MIN, BUFFER_SIZE_MAX, BUFFER_COUNT_MIN,
	       BUFFER_COUNT_MAX, PERF_SIZE_MIN, PERF_SIZE_MAX, EVENT_MAP_SIZE_MIN,
	       EVENT_MAP_SIZE_MAX, EBPFPUB_DISPATCH_CROSSOVER);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ebpftracer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see ebpftracer --help)\n", stderr);
	return EXIT_USAGE;
}

/* A decimal number with nothing around it: strtoull alone accepts " 12", "-1" and "12x". */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	return *end ? -EINVAL : 0;
}

static int parse_range(const char *opt, const char *s, uint32_t min, uint32_t max,
		       uint32_t *out)
{
	uint64_t v;
	int r = parse_u64(s, &v);

	if (r == -EINVAL)
		return usage_error("%s: '%s' is not a whole number", opt, s);
	if (r < 0 || v < min || v > max)
		return usage_error("%s: %s is out of range (%" PRIu32 " .. %" PRIu32 ")", opt, s,
				   min, max);
	*out = (uint32_t)v;
	return 0;
}

static bool has_syscall(const struct options *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->syscall_count; i++)
		if (!strcmp(o->syscalls[i], name))
			return true;
	return false;
}

/*
 * A name given twice, or 'all' beside names, is refused rather than quietly merged: such a
 * list is a typo or a misunderstanding (two lists concatenated, a script's default list),
 * and which syscalls get traced should never be a guess.
 */
static int add_syscall(struct options *o, const char *name, size_t len)
{
	char **grown, *copy;
	int r = 0;

	copy = strndup(name, len);
	if (!copy)
		return usage_error("out of memory");
	if (!strcmp(copy, "all")) {
		if (o->trace_all)
			r = usage_error("--tracepoint_list: 'all' is given twice");
		else if (o->syscall_count)
			r = usage_error("--tracepoint_list: 'all' already traces every syscall;"
					" it cannot be combined with '%s'", o->syscalls[0]);
		o->trace_all = true;
	} else if (o->trace_all) {
		r = usage_error("--tracepoint_list: 'all' already traces every syscall;"
				" it cannot be combined with '%s'", copy);
	} else if (has_syscall(o, copy)) {
		r = usage_error("--tracepoint_list: '%s' is given twice", copy);
	}
	if (r || o->trace_all) {
		free(copy);
		return r;
	}
	/* One more slot for the NULL that ends the list, as ebpfpub_features_probe likes. */
	grown = realloc(o->syscalls, (o->syscall_count + 2) * sizeof(*grown));
	if (!grown) {
		free(copy);
		return usage_error("out of memory");
	}
	o->syscalls = grown;
	o->syscalls[o->syscall_count++] = copy;
	o->syscalls[o->syscall_count] = NULL;
	return 0;
}

/* Splits LIST at commas; blanks around names are forgiven, empty names are not. */
static int parse_syscalls(struct options *o, const char *list)
{
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int r;

		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (!len)
			return usage_error("--tracepoint_list: '%s' has an empty syscall name", list);
		r = add_syscall(o, p, len);
		if (r)
			return r;
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int parse_pids(struct options *o, const char *list)
{
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		char item[32];
		size_t len = end ? (size_t)(end - p) : strlen(p), i;
		uint64_t v;

		if (!len || len >= sizeof(item))
			return usage_error("--pid: '%s' is not a list of process ids", list);
		memcpy(item, p, len);
		item[len] = '\0';
		if (parse_u64(item, &v) < 0 || v == 0 || v > INT32_MAX)
			return usage_error("--pid: '%s' is not a process id", item);
		for (i = 0; i < o->pid_count && o->pids[i] != v; i++)
			;
		if (i == o->pid_count) {
			if (o->pid_count == OPTIONS_MAX_PIDS)
				return usage_error("--pid: at most %d processes can be filtered",
						   OPTIONS_MAX_PIDS);
			o->pids[o->pid_count++] = (uint32_t)v;
		}
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int parse_uid(struct options *o, const char *s)
{
	struct passwd *pw;
	uint64_t v;

	if (parse_u64(s, &v) == 0) {
		/* (uid_t)-1 means "no user" to the kernel: no task has it. */
		if (v >= UINT32_MAX)
			return usage_error("--uid: %s is not a user id", s);
		o->uid = (uint32_t)v;
	} else {
		pw = getpwnam(s);
		if (!pw)
			return usage_error("--uid: no user named '%s'", s);
		o->uid = pw->pw_uid;
	}
	o->filter_uid = true;
	return 0;
}

static int parse_duration(struct options *o, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!isdigit((unsigned char)s[0]) || *end || errno || !isfinite(v))
		return usage_error("--duration: '%s' is not a number of seconds", s);
	if (v <= 0 || v > DURATION_MAX_S)
		return usage_error("--duration: %s is out of range (more than 0, at most %.0f)", s,
				   DURATION_MAX_S);
	o->duration_ms = (uint64_t)ceil(v * 1000.0);
	return 0;
}

static int parse_attach_mode(struct options *o, const char *s)
{
	if (strcmp(s, "auto") == 0)
		o->attach_mode = EBPFPUB_ATTACH_DEFAULT;
	else if (strcmp(s, "per-tracepoint") == 0)
		o->attach_mode = EBPFPUB_ATTACH_PER_TRACEPOINT;
	else if (strcmp(s, "dispatch") == 0)
		o->attach_mode = EBPFPUB_ATTACH_DISPATCH;
	else
		return usage_error("--attach_mode: '%s' is none of 'auto', 'per-tracepoint', 'dispatch'",
				   s);
	return 0;
}

static int parse_output_kind(struct options *o, const char *s)
{
	if (!strcmp(s, "ringbuf"))
		o->output_kind = EBPFPUB_OUTPUT_RING_BUFFER;
	else if (!strcmp(s, "perf"))
		o->output_kind = EBPFPUB_OUTPUT_PERF_ARRAY;
	else
		return usage_error("--output_kind: '%s' is neither 'ringbuf' nor 'perf'", s);
	return 0;
}

static int parse_one(struct options *o, int c, const char *arg)
{
	switch (c) {
	case 't':
		return parse_syscalls(o, arg);
	case 'l':
		o->action = OPTIONS_LIST;
		return 0;
	case 'b':
		return parse_range("--buffer_size", arg, BUFFER_SIZE_MIN, BUFFER_SIZE_MAX,
				   &o->buffer_size);
	case 'c':
		return parse_range("--buffer_count", arg, BUFFER_COUNT_MIN, BUFFER_COUNT_MAX,
				   &o->buffer_count);
	case 'p':
		return parse_range("--perf_size", arg, PERF_SIZE_MIN, PERF_SIZE_MAX, &o->perf_size);
	case 'e':
		return parse_range("--event_map_size", arg, EVENT_MAP_SIZE_MIN, EVENT_MAP_SIZE_MAX,
				   &o->event_map_size);
	case OPT_OUTPUT_KIND:
		return parse_output_kind(o, arg);
	case OPT_ATTACH_MODE:
		return parse_attach_mode(o, arg);
	case 'v':
		o->verbose = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_PID:
		return parse_pids(o, arg);
	case OPT_COMM:
		if (!arg[0] || strlen(arg) > COMM_MAX)
			return usage_error("--comm: '%s' must have 1 to %d bytes (the kernel keeps %d)",
					   arg, COMM_MAX, COMM_MAX);
		o->comm = arg;
		return 0;
	case OPT_UID:
		return parse_uid(o, arg);
	case 'o':
		if (!arg[0])
			return usage_error("--output: the file name is empty");
		o->output_path = arg;
		return 0;
	case OPT_DURATION:
		return parse_duration(o, arg);
	case OPT_TRACEFS:
		if (!arg[0])
			return usage_error("--tracefs: the directory name is empty");
		o->tracefs_path = arg;
		return 0;
	case OPT_CHECK:
		o->action = OPTIONS_CHECK;
		return 0;
	case OPT_ANCESTORS:
		return parse_range("--ancestors", arg, 0, 32, &o->ancestors);
	case OPT_CMDLINE:
		o->cmdline = true;
		return 0;
	case OPT_CGROUP:
		if (!arg[0])
			return usage_error("--cgroup: the path is empty");
		o->cgroup = arg;
		return 0;
	case OPT_CONTAINER:
		if (!arg[0])
			return usage_error("--container: the id is empty");
		o->container = arg;
		return 0;
	case OPT_HOST:
	case OPT_NO_HOST:
		if (o->host_filter)
			return usage_error("--host and --no-host exclude each other");
		o->host_filter = c == OPT_HOST ? EBPFPUB_HOST_ONLY : EBPFPUB_CONTAINERS_ONLY;
		return 0;
	case OPT_NO_CONTEXT:
		o->no_context = true;
		return 0;
	case OPT_RULES:
		if (!arg[0])
			return usage_error("--rules: the file or directory name is empty");
		o->rules_path = arg;
		return 0;
	case OPT_EXPLAIN:
		o->explain = true;
		return 0;
	}
	return usage_error("unhandled option %d", c);
}

int options_parse(int argc, char **argv, struct options *o)
{
	bool help = false, version = false;
	int c, r;

	memset(o, 0, sizeof(*o));
	o->action = OPTIONS_TRACE;
	/* Messages are ours, one line each, rather than getopt's. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:lb:c:p:e:vo:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			help = true;
			break;
		case OPT_VERSION:
			version = true;
			break;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		case '?':
			/* For a long option glibc leaves optopt 0 when the name is unknown, and
			 * sets it to the option's code when a value was given to a flag. */
			if (!strncmp(argv[optind - 1], "--", 2)) {
				if (optopt)
					return usage_error("option '%s' takes no value",
							   argv[optind - 1]);
				return usage_error("unknown option '%s'", argv[optind - 1]);
			}
			return usage_error("unknown option '-%c'", optopt);
		default:
			r = parse_one(o, c, optarg);
			if (r)
				return r;
		}
	}
	if (help || version) {
		if (help)
			print_help();
		else
			printf("ebpftracer %s (libebpfpub %s)\n", EBPFPUB_VERSION, ebpfpub_version());
		o->action = OPTIONS_EXIT;
		return 0;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (o->no_context && (o->ancestors || o->cmdline || o->container || o->host_filter))
		return usage_error("--no-context excludes --ancestors, --cmdline, --container, --host and --no-host");
	if (o->host_filter == EBPFPUB_HOST_ONLY && o->container)
		return usage_error("--host and --container exclude each other");
	if (o->explain && !o->rules_path)
		return usage_error("--explain needs --rules");
	if (o->action == OPTIONS_TRACE && !o->trace_all && !o->syscall_count && !o->rules_path)
		return usage_error("no syscall to trace: give --tracepoint_list (-t), e.g. -t mkdir,connect");
	return 0;
}

void options_release(struct options *o)
{
	size_t i;

	for (i = 0; i < o->syscall_count; i++)
		free(o->syscalls[i]);
	free(o->syscalls);
	o->syscalls = NULL;
	o->syscall_count = 0;
}
