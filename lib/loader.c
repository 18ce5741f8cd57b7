/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/perf_event.h>

#include "loader.h"
#include "util.h"

int loader_extract(const void *image, size_t size, const char *section,
		   struct loader_program *prog, char *err, size_t err_size)
{
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	char relname[128];
	int r = -EINVAL;

	memset(prog, 0, sizeof(*prog));
	snprintf(relname, sizeof(relname), ".rel%s", section);
	if (elf_version(EV_CURRENT) == EV_NONE) {
		util_errf(err, err_size, "libelf: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	elf = elf_memory((char *)image, size);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0) {
		util_errf(err, err_size, "libelf cannot read the emitted object: %s", elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name)
			continue;
		if (strcmp(name, relname) == 0 && shdr.sh_size) {
			util_errf(err, err_size,
				  "section '%s' has relocations: generated code must reference maps through llvm.bpf.pseudo only",
				  section);
			r = -EINVAL;
			goto out;
		}
		if (strcmp(name, section) != 0)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_size || data->d_size % 8) {
			util_errf(err, err_size, "section '%s' is empty or not made of instructions",
				  section);
			goto out;
		}
		prog->insns = malloc(data->d_size);
		if (!prog->insns) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(prog->insns, data->d_buf, data->d_size);
		prog->insn_count = data->d_size / 8;
	}
	if (!prog->insns) {
		util_errf(err, err_size, "the emitted object has no section '%s'", section);
		goto out;
	}
	r = 0;
out:
	if (elf)
		elf_end(elf);
	if (r < 0)
		loader_program_release(prog);
	return r;
}

void loader_program_release(struct loader_program *prog)
{
	free(prog->insns);
	prog->insns = NULL;
	prog->insn_count = 0;
}

int loader_load(const struct loader_program *prog, const char *name, const char *what,
		char *err, size_t err_size)
{
	const size_t log_size = 1u << 20;
	enum bpf_prog_type type = prog->raw_tracepoint ? BPF_PROG_TYPE_RAW_TRACEPOINT
						       : BPF_PROG_TYPE_TRACEPOINT;
	char pname[16];
	char *log;
	int fd, e;

	snprintf(pname, sizeof(pname), "%s", name);
	/* Fast path: no verifier log. Only a rejected program pays for one. */
	fd = bpf_prog_load(type, pname, "GPL", prog->insns, prog->insn_count, NULL);
	if (fd >= 0)
		return fd;
	e = -errno;
	/* EPERM is a missing capability; the verifier's own rejections come as EACCES or
	 * EINVAL, so those get a second load with the log. */
	if (e == -EPERM) {
		util_errf(err, err_size,
			  "%s: loading a BPF program was refused (%s): run as root, or give the process CAP_BPF and CAP_PERFMON (e.g. setcap cap_bpf,cap_perfmon+ep)",
			  what, strerror(-e));
		return e;
	}
	log = calloc(1, log_size);   /* valgrind does not see the kernel write the log */
	if (!log) {
		util_errf(err, err_size, "%s: the verifier rejected the program: %s", what,
			  strerror(-e));
		return e;
	}
	{
		LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = log_size,
			    .log_level = 1);

		fd = bpf_prog_load(type, pname, "GPL", prog->insns, prog->insn_count, &opts);
		if (fd >= 0) {
			/* Passed the second time (a transient failure): keep it. */
			free(log);
			return fd;
		}
		e = -errno;
	}
	if (!log[0] && e == -EACCES)
		util_errf(err, err_size,
			  "%s: loading a BPF program was refused (%s) without a verifier log: run as root, or give the process CAP_BPF and CAP_PERFMON",
			  what, strerror(-e));
	else
		util_errf(err, err_size,
			  "%s: the verifier rejected the program (%s); its log ends with:\n%s", what,
			  strerror(-e), util_tail_lines(log, 12));
	free(log);
	return e;
}

int loader_attach_raw(int prog_fd, const char *name, const char *what, char *err,
		      size_t err_size)
{
	int fd = bpf_raw_tracepoint_open(name, prog_fd), e;

	if (fd >= 0)
		return fd;
	e = -errno;
	util_errf(err, err_size, "%s: attaching to raw tracepoint %s failed: %s%s", what, name,
		  strerror(-e), e == -EPERM ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "");
	return e;
}

int loader_attach(int prog_fd, uint32_t id, const char *what, char *err, size_t err_size)
{
	struct perf_event_attr attr;
	int fd, e;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	/* One event on CPU 0 with pid -1 runs the attached program for every CPU. */
	fd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		e = -errno;
		util_errf(err, err_size,
			  "%s: perf_event_open on tracepoint %u failed: %s%s", what, id, strerror(-e),
			  e == -EACCES || e == -EPERM
				  ? " (needs root or CAP_PERFMON; check /proc/sys/kernel/perf_event_paranoid)"
				  : "");
		return e;
	}
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		e = -errno;
		util_errf(err, err_size, "%s: attaching the program failed: %s", what, strerror(-e));
		close(fd);
		return e;
	}
	return fd;
}

int loader_tracepoint_id(const char *tracefs, const char *event, uint32_t *id)
{
	return loader_event_id(tracefs, "syscalls", event, id);
}

int loader_event_id(const char *tracefs, const char *category, const char *event, uint32_t *id)
{
	char path[512], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs, category, event);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*id = (uint32_t)strtoul(buf, NULL, 10);
	return *id ? 0 : -EINVAL;
}

/* Offset in bytes of member NAME of struct TYPE_ID, looking into anonymous members. */
int loader_btf_member_offset(const struct btf *btf, uint32_t type_id, const char *name,
			 uint32_t *offset, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_member *m;
	int i, n;

	if (!t || depth > 8)
		return -ENOENT;
	if (!btf_is_struct(t) && !btf_is_union(t))
		return -ENOENT;
	m = btf_members(t);
	n = btf_vlen(t);
	for (i = 0; i < n; i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		uint32_t bits = btf_member_bit_offset(t, (uint32_t)i);

		if (mname && strcmp(mname, name) == 0) {
			*offset = bits / 8;
			return 0;
		}
		if (!mname || !*mname) {
			uint32_t inner;
			int tid = btf__resolve_type(btf, m->type);

			if (tid > 0 && loader_btf_member_offset(btf, (uint32_t)tid, name, &inner, depth + 1) == 0) {
				*offset = bits / 8 + inner;
				return 0;
			}
		}
	}
	return -ENOENT;
}

int loader_task_status_offset(uint32_t *offset, char *err, size_t err_size)
{
	struct btf *btf = btf__load_vmlinux_btf();
	uint32_t thread_info, status;
	int task, ti, r;

	if (!btf) {
		util_errf(err, err_size, "kernel BTF (/sys/kernel/btf/vmlinux) is not readable: %s",
			  strerror(errno));
		return -ENOENT;
	}
	task = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	ti = btf__find_by_name_kind(btf, "thread_info", BTF_KIND_STRUCT);
	r = task > 0 && ti > 0 ? 0 : -ENOENT;
	if (!r)
		r = loader_btf_member_offset(btf, (uint32_t)task, "thread_info", &thread_info, 0);
	if (!r)
		r = loader_btf_member_offset(btf, (uint32_t)ti, "status", &status, 0);
	if (!r)
		*offset = thread_info + status;
	else
		util_errf(err, err_size,
			  "kernel BTF lacks task_struct.thread_info or thread_info.status");
	btf__free(btf);
	return r;
}

int loader_mm_offsets(uint32_t *task_mm, uint32_t *mm_arg_start, uint32_t *mm_env_end, char *err,
		      size_t err_size)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int task, mm, r;
	uint32_t arg_end;

	if (!btf) {
		util_errf(err, err_size, "kernel BTF (/sys/kernel/btf/vmlinux) is not readable: %s",
			  strerror(errno));
		return -ENOENT;
	}
	task = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	mm = btf__find_by_name_kind(btf, "mm_struct", BTF_KIND_STRUCT);
	r = task > 0 && mm > 0 ? 0 : -ENOENT;
	if (!r)
		r = loader_btf_member_offset(btf, (uint32_t)task, "mm", task_mm, 0);
	if (!r)
		r = loader_btf_member_offset(btf, (uint32_t)mm, "arg_start", mm_arg_start, 0);
	if (!r)
		r = loader_btf_member_offset(btf, (uint32_t)mm, "arg_end", &arg_end, 0);
	/* The exit program reads arg_start and arg_end with one 16-byte read. */
	if (!r && arg_end != *mm_arg_start + 8)
		r = -EINVAL;
	/* env_end: where the exec'd filename starts on the new stack (the kernel copies it
	 * first, above the environment). Optional. */
	*mm_env_end = 0;
	if (!r && loader_btf_member_offset(btf, (uint32_t)mm, "env_end", mm_env_end, 0) != 0)
		*mm_env_end = 0;
	if (r)
		util_errf(err, err_size,
			  "kernel BTF lacks task_struct.mm or mm_struct.arg_start/arg_end next to each other");
	btf__free(btf);
	return r;
}
