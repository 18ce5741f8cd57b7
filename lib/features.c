/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The feature check: what this machine offers the library, found without loading a program.
 * Every finding is YES, NO or UNKNOWN; UNKNOWN is given whenever the evidence is missing
 * (no kernel config, no permission), never a guess.
 */
#include <ebpfpub/ebpfpub.h>

#include "tracefs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#define FEATURES_PROC_CONFIG "/proc/config.gz"
#define FEATURES_BOOT_CONFIG "/boot/config-"
#define FEATURES_BTF "/sys/kernel/btf/vmlinux"
#define FEATURES_MOUNT_HINT "mount -t tracefs nodev /sys/kernel/tracing"

/* Capability numbers, spelled out because older uapi headers lack CAP_BPF and CAP_PERFMON. */
#define FEATURES_CAP_SYS_ADMIN 21
#define FEATURES_CAP_PERFMON 38
#define FEATURES_CAP_BPF 39

/* Longest syscall name checked; real ones are under 32 bytes. */
#define FEATURES_MAX_NAME 128

enum features_config_key {
	FEATURES_CONFIG_BPF_EVENTS,
	FEATURES_CONFIG_BPF_SYSCALL,
	FEATURES_CONFIG_FTRACE_SYSCALLS,
	FEATURES_CONFIG_COUNT,
};

static const char *const features_config_names[FEATURES_CONFIG_COUNT] = {
	[FEATURES_CONFIG_BPF_EVENTS] = "CONFIG_BPF_EVENTS",
	[FEATURES_CONFIG_BPF_SYSCALL] = "CONFIG_BPF_SYSCALL",
	[FEATURES_CONFIG_FTRACE_SYSCALLS] = "CONFIG_FTRACE_SYSCALLS",
};

struct features_config {
	bool found;
	enum ebpfpub_feature_state state[FEATURES_CONFIG_COUNT];
};

/* One line of a kernel config: "CONFIG_X=y", "CONFIG_X=m" or "# CONFIG_X is not set". */
static void features_config_line(struct features_config *cfg, const char *line)
{
	bool unset = false;
	size_t i, n;

	if (!strncmp(line, "# ", 2)) {
		line += 2;
		unset = true;
	}
	for (i = 0; i < FEATURES_CONFIG_COUNT; i++) {
		n = strlen(features_config_names[i]);
		if (strncmp(line, features_config_names[i], n))
			continue;
		if (unset && !strncmp(line + n, " is not set", 11))
			cfg->state[i] = EBPFPUB_FEATURE_NO;
		else if (!unset && (!strncmp(line + n, "=y", 2) || !strncmp(line + n, "=m", 2)))
			cfg->state[i] = EBPFPUB_FEATURE_YES;
	}
}

static void features_config_reset(struct features_config *cfg)
{
	size_t i;

	/* In a config that was read, an option that is absent is off (its dependencies are). */
	for (i = 0; i < FEATURES_CONFIG_COUNT; i++)
		cfg->state[i] = EBPFPUB_FEATURE_NO;
}

/* Reads /proc/config.gz; 0 when it was read to the end. */
static int features_read_proc_config(struct features_config *cfg)
{
	char line[512];
	bool at_start = true;
	gzFile gz;
	int fd, ret = 0;

	fd = open(FEATURES_PROC_CONFIG, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return -ENOMEM;
	}
	features_config_reset(cfg);
	while (gzgets(gz, line, sizeof(line))) {
		size_t n = strlen(line);

		/* A line longer than the buffer comes in pieces: only a line's start counts. */
		if (at_start)
			features_config_line(cfg, line);
		at_start = n && line[n - 1] == '\n';
	}
	if (!gzeof(gz))
		ret = -EIO;
	gzclose(gz);
	return ret;
}

/* Reads /boot/config-RELEASE; 0 when it was read to the end. */
static int features_read_boot_config(struct features_config *cfg, const char *path)
{
	char line[512];
	bool at_start = true;
	FILE *f;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	features_config_reset(cfg);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (at_start)
			features_config_line(cfg, line);
		at_start = n && line[n - 1] == '\n';
	}
	if (ferror(f))
		ret = -EIO;
	fclose(f);
	return ret;
}

static void features_read_config(struct ebpfpub_features *features, struct features_config *cfg)
{
	char path[sizeof(FEATURES_BOOT_CONFIG) + sizeof(features->kernel_release)];
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	if (!features_read_proc_config(cfg)) {
		cfg->found = true;
		snprintf(features->kernel_config_source, sizeof(features->kernel_config_source),
			 "%s", FEATURES_PROC_CONFIG);
		return;
	}
	snprintf(path, sizeof(path), "%s%s", FEATURES_BOOT_CONFIG, features->kernel_release);
	if (features->kernel_release[0] && !features_read_boot_config(cfg, path)) {
		char *dst = features->kernel_config_source;
		size_t n = strlen(path), room = sizeof(features->kernel_config_source);

		cfg->found = true;
		/* A release string can be 64 bytes: then the source is shown cut, with "...". */
		if (n < room) {
			memcpy(dst, path, n + 1);
		} else {
			memcpy(dst, path, room - 4);
			memcpy(dst + room - 4, "...", 4);
		}
		return;
	}
	for (i = 0; i < FEATURES_CONFIG_COUNT; i++)
		cfg->state[i] = EBPFPUB_FEATURE_UNKNOWN;
}

static void features_probe_caps(struct ebpfpub_features *features)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	uint64_t eff;
	bool admin;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data)) {
		features->cap_bpf = EBPFPUB_FEATURE_UNKNOWN;
		features->cap_perfmon = EBPFPUB_FEATURE_UNKNOWN;
		return;
	}
	eff = (uint64_t)data[1].effective << 32 | data[0].effective;
	/* Before 5.8 CAP_SYS_ADMIN was what CAP_BPF and CAP_PERFMON are now, and it still
	 * implies both. */
	admin = eff >> FEATURES_CAP_SYS_ADMIN & 1;
	features->cap_bpf = (admin || (eff >> FEATURES_CAP_BPF & 1)) ? EBPFPUB_FEATURE_YES :
								      EBPFPUB_FEATURE_NO;
	features->cap_perfmon = (admin || (eff >> FEATURES_CAP_PERFMON & 1)) ?
					EBPFPUB_FEATURE_YES :
					EBPFPUB_FEATURE_NO;
}

/*
 * Ring buffer maps came with Linux 5.8 and need CONFIG_BPF_SYSCALL. When privileged, a ring
 * buffer map is created and closed at once, which also settles backported kernels. The raw
 * syscall is used on purpose: libbpf's bpf_map_create() first probes the kernel by loading a
 * program and may raise RLIMIT_MEMLOCK, and the feature check must do neither.
 */
static void features_probe_ring_buffer(struct ebpfpub_features *features,
				       const struct features_config *cfg)
{
	unsigned int major = 0, minor = 0;
	union bpf_attr attr;
	long page;
	int fd;

	features->ring_buffer = EBPFPUB_FEATURE_UNKNOWN;
	if (cfg->state[FEATURES_CONFIG_BPF_SYSCALL] == EBPFPUB_FEATURE_NO) {
		features->ring_buffer = EBPFPUB_FEATURE_NO;
		return;
	}
	if (sscanf(features->kernel_release, "%u.%u", &major, &minor) == 2)
		features->ring_buffer = (major > 5 || (major == 5 && minor >= 8)) ?
						EBPFPUB_FEATURE_YES :
						EBPFPUB_FEATURE_NO;
	if (features->cap_bpf != EBPFPUB_FEATURE_YES)
		return;

	page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_RINGBUF;
	attr.max_entries = (__u32)page;
	fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd >= 0) {
		close(fd);
		features->ring_buffer = EBPFPUB_FEATURE_YES;
	} else if (errno == EINVAL) {
		/* The map type is unknown to this kernel. */
		features->ring_buffer = EBPFPUB_FEATURE_NO;
	}
	/* EPERM (lockdown), ENOMEM...: the version decides. */
}

static enum ebpfpub_feature_state features_probe_btf(void)
{
	int fd = open(FEATURES_BTF, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return EBPFPUB_FEATURE_YES;
	}
	return (errno == ENOENT || errno == EACCES) ? EBPFPUB_FEATURE_NO : EBPFPUB_FEATURE_UNKNOWN;
}


static void features_probe_tracefs(struct ebpfpub_features *features, const char *tracefs_path,
				   const struct features_config *cfg)
{
	const char *const defaults[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char err[256];
	size_t i;
	int ret;

	ret = tracefs_locate(tracefs_path, features->tracefs_path, sizeof(features->tracefs_path),
			     err, sizeof(err));
	if (!ret) {
		features->tracefs = EBPFPUB_FEATURE_YES;
		features->syscall_tracepoints = EBPFPUB_FEATURE_YES;
		return;
	}
	features->tracefs_path[0] = '\0';
	if (ret == -ENODEV) {
		/* tracefs_locate() wants events/syscalls; tell "not mounted" from "mounted on a
		 * kernel without syscall tracepoints". */
		for (i = 0; i < (tracefs_path ? 1 : 2); i++) {
			const char *root = tracefs_path ? tracefs_path : defaults[i];

			if (tracefs_has_events(root) &&
			    strlen(root) < sizeof(features->tracefs_path)) {
				strcpy(features->tracefs_path, root);
				features->tracefs = EBPFPUB_FEATURE_YES;
				features->syscall_tracepoints = EBPFPUB_FEATURE_NO;
				return;
			}
		}
		features->tracefs = EBPFPUB_FEATURE_NO;
	} else {
		features->tracefs = EBPFPUB_FEATURE_UNKNOWN;
	}
	/* Without a readable tracefs only the kernel config can tell. */
	features->syscall_tracepoints = cfg->state[FEATURES_CONFIG_FTRACE_SYSCALLS];
}

static bool features_syscall_exists(const char *root, const char *name)
{
	static const char *const prefixes[] = { "sys_enter_", "sys_exit_" };
	char path[PATH_MAX];
	struct stat st;
	size_t i;
	int n;

	if (!name[0] || strlen(name) > FEATURES_MAX_NAME || strchr(name, '/'))
		return false;
	for (i = 0; i < 2; i++) {
		n = snprintf(path, sizeof(path), "%s/events/syscalls/%s%s", root, prefixes[i],
			     name);
		if (n < 0 || (size_t)n >= sizeof(path))
			return false;
		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			return false;
	}
	return true;
}

static int features_find_missing(struct ebpfpub_features *features, const char *const *names,
				 size_t count)
{
	char **missing = NULL;
	size_t used = 0, i, k;
	int ret;

	/* Without syscall tracepoints every name is missing; without knowing, none is listed. */
	if (features->syscall_tracepoints == EBPFPUB_FEATURE_UNKNOWN ||
	    (features->syscall_tracepoints == EBPFPUB_FEATURE_YES && !features->tracefs_path[0]))
		return 0;

	for (i = 0; i < count; i++) {
		bool dup = false;
		char **grown;

		if (features->syscall_tracepoints == EBPFPUB_FEATURE_YES &&
		    features_syscall_exists(features->tracefs_path, names[i]))
			continue;
		for (k = 0; k < used; k++)
			dup = dup || !strcmp(missing[k], names[i]);
		if (dup)
			continue;
		grown = realloc(missing, (used + 2) * sizeof(*missing));
		if (!grown) {
			ret = -ENOMEM;
			goto err;
		}
		missing = grown;
		missing[used] = strdup(names[i]);
		if (!missing[used]) {
			ret = -ENOMEM;
			goto err;
		}
		missing[++used] = NULL;
	}
	features->missing_syscalls = missing;
	return 0;
err:
	if (missing) {
		missing[used] = NULL;
		tracefs_strv_free(missing);
	}
	return ret;
}

int ebpfpub_list_syscalls(const char *tracefs_path, char ***names)
{
	char root[PATH_MAX];
	int ret;

	if (!names)
		return -EINVAL;
	ret = tracefs_locate(tracefs_path, root, sizeof(root), NULL, 0);
	if (ret)
		return ret;
	return tracefs_list_syscalls(root, names);
}

void ebpfpub_strv_free(char **strv)
{
	tracefs_strv_free(strv);
}

int ebpfpub_features_probe(const char *tracefs_path, const char *const *names, size_t count,
			   struct ebpfpub_features *features)
{
	struct features_config cfg;
	struct utsname uts;
	size_t i;
	int ret;

	/* sz 0 (a zeroed struct) means the caller's struct is this one. */
	if (!features || (features->sz && features->sz < sizeof(*features)))
		return -EINVAL;
	if (count && !names)
		return -EINVAL;
	for (i = 0; i < count; i++)
		if (!names[i])
			return -EINVAL;

	memset(features, 0, sizeof(*features));
	features->sz = sizeof(*features);
	if (!uname(&uts))
		snprintf(features->kernel_release, sizeof(features->kernel_release), "%s",
			 uts.release);

	features_read_config(features, &cfg);
	features_probe_caps(features);
	features_probe_tracefs(features, tracefs_path, &cfg);
	features->bpf_events = cfg.state[FEATURES_CONFIG_BPF_EVENTS];
	/* BPF_EVENTS depends on BPF_SYSCALL. */
	if (cfg.state[FEATURES_CONFIG_BPF_SYSCALL] == EBPFPUB_FEATURE_NO)
		features->bpf_events = EBPFPUB_FEATURE_NO;
	features_probe_ring_buffer(features, &cfg);
	features->btf = features_probe_btf();

	ret = features_find_missing(features, names, count);
	if (ret)
		return ret;
	return 0;
}

void ebpfpub_features_release(struct ebpfpub_features *features)
{
	if (!features)
		return;
	tracefs_strv_free(features->missing_syscalls);
	features->missing_syscalls = NULL;
}

/* snprintf-like appending: LEN counts what would have been written. */
struct features_out {
	char *buf;
	size_t size;
	size_t len;
};

static void features_printf(struct features_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void features_printf(struct features_out *out, const char *fmt, ...)
{
	char *dst = NULL;
	size_t room = 0;
	va_list ap;
	int n;

	if (out->len < out->size) {
		dst = out->buf + out->len;
		room = out->size - out->len;
	}
	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		out->len += (size_t)n;
}

static const char *features_state(enum ebpfpub_feature_state state)
{
	switch (state) {
	case EBPFPUB_FEATURE_YES:
		return "yes";
	case EBPFPUB_FEATURE_NO:
		return "no";
	default:
		return "unknown";
	}
}

/* "STATE" plus the hint that goes with it, if any. */
static void features_line(struct features_out *out, const char *what,
			  enum ebpfpub_feature_state state, const char *if_no,
			  const char *if_unknown)
{
	const char *hint = state == EBPFPUB_FEATURE_NO ? if_no :
			   state == EBPFPUB_FEATURE_YES ? NULL :
							  if_unknown;

	features_printf(out, "%s: %s%s%s%s\n", what, features_state(state), hint ? " (" : "",
			hint ? hint : "", hint ? ")" : "");
}

int ebpfpub_features_describe(const struct ebpfpub_features *features, char *buf, size_t size)
{
	struct features_out out = { .buf = buf, .size = size };
	const char *config_hint;
	char **known = NULL;
	size_t i;

	if (!features || (!buf && size))
		return -EINVAL;
	if (size)
		buf[0] = '\0';

	features_printf(&out, "kernel: %.*s\n", (int)sizeof(features->kernel_release),
			features->kernel_release[0] ? features->kernel_release : "unknown");
	if (features->tracefs == EBPFPUB_FEATURE_YES)
		features_printf(&out, "tracefs: %.*s\n", (int)sizeof(features->tracefs_path),
				features->tracefs_path);
	else if (features->tracefs == EBPFPUB_FEATURE_NO)
		features_printf(&out, "tracefs: not mounted — run: %s\n", FEATURES_MOUNT_HINT);
	else
		features_printf(&out, "tracefs: unknown (not readable: run as root, or with "
				      "CAP_SYS_ADMIN)\n");
	features_line(&out, "syscall tracepoints", features->syscall_tracepoints,
		      "the kernel was built without CONFIG_FTRACE_SYSCALLS", NULL);
	features_line(&out, "CAP_BPF", features->cap_bpf, "run as root, or grant CAP_BPF", NULL);
	features_line(&out, "CAP_PERFMON", features->cap_perfmon,
		      "run as root, or grant CAP_PERFMON", NULL);
	config_hint = features->kernel_config_source[0] ? NULL : "no kernel config found";
	features_line(&out, "BPF events (CONFIG_BPF_EVENTS)", features->bpf_events,
		      "BPF programs cannot attach to tracepoints on this kernel", config_hint);
	features_line(&out, "ring buffer", features->ring_buffer,
		      "Linux 5.8 or later: a perf event array is used instead", NULL);
	features_line(&out, "BTF", features->btf, FEATURES_BTF " is missing", NULL);
	if (features->kernel_config_source[0])
		features_printf(&out, "kernel config: %.*s\n",
				(int)sizeof(features->kernel_config_source),
				features->kernel_config_source);
	else
		features_printf(&out, "kernel config: not found (no " FEATURES_PROC_CONFIG
				      " nor " FEATURES_BOOT_CONFIG "%.*s)\n",
				(int)sizeof(features->kernel_release), features->kernel_release);

	/* Suggestions need the syscall list; describing goes on without them if it fails. */
	if (features->missing_syscalls && features->missing_syscalls[0] &&
	    features->syscall_tracepoints == EBPFPUB_FEATURE_YES &&
	    features->tracefs_path[0] &&
	    memchr(features->tracefs_path, '\0', sizeof(features->tracefs_path)) &&
	    tracefs_list_syscalls(features->tracefs_path, &known) < 0)
		known = NULL;
	for (i = 0; features->missing_syscalls && features->missing_syscalls[i]; i++) {
		char suggestions[256];

		if (known && tracefs_suggest(features->missing_syscalls[i], known, suggestions,
					     sizeof(suggestions)) > 0)
			features_printf(&out, "missing syscall: '%s' (did you mean %s?)\n",
					features->missing_syscalls[i], suggestions);
		else
			features_printf(&out, "missing syscall: '%s'\n",
					features->missing_syscalls[i]);
	}
	tracefs_strv_free(known);
	if (out.len > INT_MAX)
		return -EOVERFLOW;
	return (int)out.len;
}
