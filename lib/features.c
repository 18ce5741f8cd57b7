/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The feature check: what this machine offers the library. Kernel features are probed by
 * asking the running kernel (creating a map, loading a tiny program that is never
 * attached), never by its version: backports and configs make versions lie. Every finding
 * is YES, NO or UNKNOWN; UNKNOWN is given whenever the evidence is missing (no kernel
 * config, no permission), never a guess.
 */
#include <ebpfpub/ebpfpub.h>

#include "context_offsets.h"
#include "dispatch.h"
#include "feature_probes.h"
#include "tracefs.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stddef.h>
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
#define FEATURES_MOUNTINFO "/proc/self/mountinfo"
#define FEATURES_LOGINUID "/proc/self/loginuid"
#define FEATURES_MOUNT_HINT "mount -t tracefs nodev /sys/kernel/tracing"

/* Capability numbers, spelled out because older uapi headers lack CAP_BPF and CAP_PERFMON. */
#define FEATURES_CAP_SYS_ADMIN 21
#define FEATURES_CAP_PERFMON 38
#define FEATURES_CAP_BPF 39

/* Longest syscall name checked; real ones are under 32 bytes. */
#define FEATURES_MAX_NAME 128

/* The size of the struct before the probed kernel features were added: still accepted. */
#define FEATURES_SZ_BASE \
	(offsetof(struct ebpfpub_features, missing_syscalls) + sizeof(char **))
/* Whether the caller's struct has FIELD (sz 0: this header's struct). */
#define FEATURES_HAS(f, field) \
	(!(f)->sz || (f)->sz >= offsetof(struct ebpfpub_features, field) + sizeof((f)->field))

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
 * A ring buffer map (Linux 5.8) is created and closed at once. The raw syscall is used for
 * its errno: EINVAL means the map type is unknown, EPERM only that we may not ask.
 */
static enum ebpfpub_feature_state features_probe_ringbuf(void)
{
	union bpf_attr attr;
	long page = sysconf(_SC_PAGESIZE);
	int fd;

	if (page <= 0)
		return EBPFPUB_FEATURE_UNKNOWN;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_RINGBUF;
	attr.max_entries = (__u32)page;
	fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd >= 0) {
		close(fd);
		return EBPFPUB_FEATURE_YES;
	}
	/* ENOSYS: no bpf() at all (CONFIG_BPF_SYSCALL off). */
	if (errno == EINVAL || errno == ENOSYS)
		return EBPFPUB_FEATURE_NO;
	return EBPFPUB_FEATURE_UNKNOWN;
}

bool features_have_ringbuf(void)
{
	return features_probe_ringbuf() == EBPFPUB_FEATURE_YES;
}

/* The precondition of every program probe: an empty tracepoint program loads. Without it
 * (no privilege, lockdown) a failed probe would say nothing about the feature. */
static bool features_can_load(void)
{
	return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACEPOINT, NULL) == 1;
}

/* The verifier's words for a helper a tracepoint program may not call: an id it does not
 * know, and one it knows but not for this program type (older and newer wording). */
static const char *const features_no_helper[] = {
	"invalid func ",
	"unknown func ",
	"cannot use helper ",
};

/*
 * Loads "call FUNC_ID; r0 = 0; exit". The helper is offered when the program loads or the
 * verifier complains about anything else (its arguments are not set up). Not libbpf's
 * libbpf_probe_bpf_helper(): libbpf 1.1 knows only the older wording, so on newer kernels
 * it answers "present" for a helper the kernel has but not for tracepoint programs.
 */
static enum ebpfpub_feature_state features_helper(int func_id)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = func_id },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[4096];
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof(log),
		    .log_level = 1);
	size_t i;
	int fd;

	/* all of it: valgrind does not see the kernel write the log, and strstr reads it */
	memset(log, 0, sizeof(log));
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), &opts);
	if (fd >= 0) {
		close(fd);
		return EBPFPUB_FEATURE_YES;
	}
	if (errno != EINVAL && errno != EACCES)
		return EBPFPUB_FEATURE_UNKNOWN;
	log[sizeof(log) - 1] = '\0';
	for (i = 0; i < sizeof(features_no_helper) / sizeof(features_no_helper[0]); i++)
		if (strstr(log, features_no_helper[i]))
			return EBPFPUB_FEATURE_NO;
	return EBPFPUB_FEATURE_YES;
}

enum ebpfpub_feature_state features_probe_helper(int func_id)
{
	if (!features_can_load())
		return EBPFPUB_FEATURE_UNKNOWN;
	return features_helper(func_id);
}

/* Both must be there; one missing decides. */
static enum ebpfpub_feature_state features_both(enum ebpfpub_feature_state a,
						enum ebpfpub_feature_state b)
{
	if (a == EBPFPUB_FEATURE_NO || b == EBPFPUB_FEATURE_NO)
		return EBPFPUB_FEATURE_NO;
	if (a == EBPFPUB_FEATURE_YES && b == EBPFPUB_FEATURE_YES)
		return EBPFPUB_FEATURE_YES;
	return EBPFPUB_FEATURE_UNKNOWN;
}

/* A loop of four turns: verifiers before bounded loops reject any back-edge (EINVAL). */
static enum ebpfpub_feature_state features_probe_bounded_loops(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_JLT | BPF_K, .dst_reg = BPF_REG_0, .off = -2, .imm = 4 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), NULL);

	if (fd >= 0) {
		close(fd);
		return EBPFPUB_FEATURE_YES;
	}
	return errno == EINVAL ? EBPFPUB_FEATURE_NO : EBPFPUB_FEATURE_UNKNOWN;
}

static void features_probe_programs(struct ebpfpub_features *features)
{
	int storage_map;

	if (!features_can_load()) {
		features->probe_read_user_kernel = EBPFPUB_FEATURE_UNKNOWN;
		features->bounded_loops = EBPFPUB_FEATURE_UNKNOWN;
		features->bpf_loop = EBPFPUB_FEATURE_UNKNOWN;
		features->send_signal = EBPFPUB_FEATURE_UNKNOWN;
		features->task_storage = EBPFPUB_FEATURE_UNKNOWN;
		features->current_task_btf = EBPFPUB_FEATURE_UNKNOWN;
		return;
	}
	features->probe_read_user_kernel = features_both(features_helper(BPF_FUNC_probe_read_user),
							 features_helper(BPF_FUNC_probe_read_kernel));
	features->bounded_loops = features_probe_bounded_loops();
	features->bpf_loop = features_helper(BPF_FUNC_loop);
	features->send_signal = features_helper(BPF_FUNC_send_signal);
	storage_map = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL);
	features->task_storage = features_both(storage_map > 0 ? EBPFPUB_FEATURE_YES :
						storage_map == 0 ? EBPFPUB_FEATURE_NO :
								   EBPFPUB_FEATURE_UNKNOWN,
						features_helper(BPF_FUNC_task_storage_get));
	features->current_task_btf = features_helper(BPF_FUNC_get_current_task_btf);
}

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void features_unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER": the mount
 * point of a cgroup2 line, or NULL. Cuts LINE into words. */
static char *features_cgroup2_mountpoint(char *line)
{
	char *word, *save = NULL, *mountpoint = NULL;
	int i = 0;
	bool dash = false;

	for (word = strtok_r(line, " \n", &save); word; word = strtok_r(NULL, " \n", &save), i++) {
		if (i == 4)
			mountpoint = word;
		else if (i > 5 && !dash && !strcmp(word, "-"))
			dash = true;
		else if (dash)
			return !strcmp(word, "cgroup2") ? mountpoint : NULL;
	}
	return NULL;
}

enum ebpfpub_feature_state features_find_cgroup2(const char *mountinfo, char *path,
						 size_t size)
{
	enum ebpfpub_feature_state state = EBPFPUB_FEATURE_NO;
	char *line = NULL, *mountpoint;
	size_t cap = 0;
	FILE *f;

	if (size)
		path[0] = '\0';
	f = fopen(mountinfo, "re");
	if (!f)
		return EBPFPUB_FEATURE_UNKNOWN;
	while (getline(&line, &cap, f) > 0) {
		mountpoint = features_cgroup2_mountpoint(line);
		if (!mountpoint)
			continue;
		features_unescape(mountpoint);
		state = EBPFPUB_FEATURE_YES;
		/* v1 and v2 can be mounted side by side: the first v2 mount that fits is it. */
		if (strlen(mountpoint) < size) {
			strcpy(path, mountpoint);
			break;
		}
	}
	if (ferror(f))
		state = EBPFPUB_FEATURE_UNKNOWN;
	free(line);
	fclose(f);
	return state;
}

/* The audit login uid (CONFIG_AUDIT) of a process shows as /proc/PID/loginuid. */
static enum ebpfpub_feature_state features_probe_loginuid(void)
{
	if (access("/proc/self", F_OK))
		return EBPFPUB_FEATURE_UNKNOWN;
	if (!access(FEATURES_LOGINUID, F_OK))
		return EBPFPUB_FEATURE_YES;
	return errno == ENOENT ? EBPFPUB_FEATURE_NO : EBPFPUB_FEATURE_UNKNOWN;
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
	const char *const *defaults = tracefs_default_roots;
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

/* What the process context needs, read from the BTF as the tracer reads it. */
static void features_probe_context(struct ebpfpub_features *all)
{
	struct context_offsets o;
	char err[256];

	if (all->btf != EBPFPUB_FEATURE_YES) {
		all->context_task = all->context_audit = all->context_cgroup_path =
			all->btf == EBPFPUB_FEATURE_NO ? EBPFPUB_FEATURE_NO : EBPFPUB_FEATURE_UNKNOWN;
	} else if (context_offsets_load(&o, err, sizeof(err)) < 0 && !o.have_task) {
		all->context_task = all->context_audit = all->context_cgroup_path =
			EBPFPUB_FEATURE_NO;
	} else {
		all->context_task = EBPFPUB_FEATURE_YES;
		all->context_audit = o.have_audit ? EBPFPUB_FEATURE_YES : EBPFPUB_FEATURE_NO;
		all->context_cgroup_path = o.have_cgroup ? EBPFPUB_FEATURE_YES : EBPFPUB_FEATURE_NO;
	}
	all->cgroup_id_helper = features_can_load()
					? features_helper(BPF_FUNC_get_current_cgroup_id)
					: EBPFPUB_FEATURE_UNKNOWN;
}

int ebpfpub_features_probe(const char *tracefs_path, const char *const *names, size_t count,
			   struct ebpfpub_features *features)
{
	struct ebpfpub_features all;
	struct features_config cfg;
	struct utsname uts;
	size_t i, sz;
	int ret;

	if (!features || (features->sz && features->sz < FEATURES_SZ_BASE))
		return -EINVAL;
	if (count && !names)
		return -EINVAL;
	for (i = 0; i < count; i++)
		if (!names[i])
			return -EINVAL;
	/* An older caller's struct is shorter: it gets the part it knows. */
	sz = features->sz && features->sz < sizeof(all) ? features->sz : sizeof(all);

	memset(&all, 0, sizeof(all));
	if (!uname(&uts))
		snprintf(all.kernel_release, sizeof(all.kernel_release), "%s", uts.release);

	features_read_config(&all, &cfg);
	features_probe_caps(&all);
	features_probe_tracefs(&all, tracefs_path, &cfg);
	all.bpf_events = cfg.state[FEATURES_CONFIG_BPF_EVENTS];
	/* BPF_EVENTS depends on BPF_SYSCALL. */
	if (cfg.state[FEATURES_CONFIG_BPF_SYSCALL] == EBPFPUB_FEATURE_NO)
		all.bpf_events = EBPFPUB_FEATURE_NO;
	all.ring_buffer = features_probe_ringbuf();
	if (cfg.state[FEATURES_CONFIG_BPF_SYSCALL] == EBPFPUB_FEATURE_NO)
		all.ring_buffer = EBPFPUB_FEATURE_NO;
	all.btf = features_probe_btf();
	features_probe_programs(&all);
	all.cgroup2 = features_find_cgroup2(FEATURES_MOUNTINFO, all.cgroup2_path,
					    sizeof(all.cgroup2_path));
	all.audit_loginuid = features_probe_loginuid();
	features_probe_context(&all);
	{
		char why[256];

		all.dispatch = features_can_load()
				       ? dispatch_probe(all.tracefs_path[0] ? all.tracefs_path : NULL,
							why, sizeof(why))
				       : EBPFPUB_FEATURE_UNKNOWN;
	}

	ret = features_find_missing(&all, names, count);
	if (ret)
		return ret;
	all.sz = sz;
	memcpy(features, &all, sz);
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

#define FEATURES_UNPROBED "probing needs CAP_BPF and CAP_PERFMON"

/* The findings after missing_syscalls, for a caller whose struct has them. */
static void features_describe_programs(struct features_out *out,
				       const struct ebpfpub_features *features)
{
	if (!FEATURES_HAS(features, audit_loginuid))
		return;
	features_line(out, "bpf_probe_read_user/kernel", features->probe_read_user_kernel,
		      "Linux 5.5 or later: no program can be loaded", FEATURES_UNPROBED);
	features_line(out, "bounded loops", features->bounded_loops,
		      "Linux 5.3 or later: execve and execveat cannot be traced (their argv "
		      "loop is rejected); other syscalls are not affected",
		      FEATURES_UNPROBED);
	features_line(out, "bpf_loop", features->bpf_loop,
		      "Linux 5.17 or later: argv is read in a bounded loop instead",
		      FEATURES_UNPROBED);
	features_line(out, "bpf_send_signal", features->send_signal,
		      "Linux 5.3 or later: not used by this version", FEATURES_UNPROBED);
	features_line(out, "task-local storage", features->task_storage,
		      "Linux 5.11 or later: enter entries wait in one LRU hash per syscall "
		      "instead, where more threads inside a call than it holds are evicted",
		      FEATURES_UNPROBED);
	features_line(out, "bpf_get_current_task_btf", features->current_task_btf,
		      "Linux 5.11 or later: needed for task-local storage (see above)",
		      FEATURES_UNPROBED);
	if (features->cgroup2 == EBPFPUB_FEATURE_YES && features->cgroup2_path[0] &&
	    memchr(features->cgroup2_path, '\0', sizeof(features->cgroup2_path)))
		features_printf(out, "cgroup v2: %s\n", features->cgroup2_path);
	else
		features_line(out, "cgroup v2", features->cgroup2,
			      "no cgroup2 mount in " FEATURES_MOUNTINFO
			      ": cgroup paths are empty, containers unknown, no --cgroup filter",
			      FEATURES_MOUNTINFO " is not readable");
	features_line(out, "audit login uid", features->audit_loginuid,
		      "no " FEATURES_LOGINUID " (CONFIG_AUDIT): events carry no auid",
		      "/proc is not readable");
	if (!FEATURES_HAS(features, cgroup_id_helper))
		return;
	features_line(out, "process context (task BTF)", features->context_task,
		      "no kernel BTF for task_struct: events carry no process context", NULL);
	features_line(out, "process context: audit", features->context_audit,
		      "no task_struct.loginuid (CONFIG_AUDIT): auid and session id are flagged unknown",
		      NULL);
	features_line(out, "process context: cgroup path", features->context_cgroup_path,
		      "no css_set/cgroup/kernfs_node BTF: no cgroup path nor container", NULL);
	features_line(out, "bpf_get_current_cgroup_id", features->cgroup_id_helper,
		      "Linux 4.18 or later: no cgroup id nor container", FEATURES_UNPROBED);
	if (FEATURES_HAS(features, dispatch))
		features_line(out, "dispatch (raw_syscalls + tail calls)", features->dispatch,
			      "no raw_syscalls tracepoints, tail calls or x86-64 syscall numbers: "
			      "every syscall is attached to its own tracepoints",
			      FEATURES_UNPROBED);
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
		      "Linux 5.8 or later: a perf event array is used instead",
		      "probing needs CAP_BPF: a perf event array is used instead");
	features_line(&out, "BTF", features->btf,
		      FEATURES_BTF " is missing: execve argv is read only at enter, not again "
		      "from the new program", NULL);
	features_describe_programs(&out, features);
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
