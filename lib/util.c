/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util.h"

void util_errf(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!err || !size)
		return;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

void util_log(ebpfpub_log_fn fn, void *ctx, enum ebpfpub_log_level level, const char *fmt, ...)
{
	char msg[UTIL_ERR_SIZE];   /* as long as last_error: a message is never cut shorter */
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(ctx, level, msg);
}

int util_copy_opts(void *dst, size_t dst_size, const void *src, size_t src_sz)
{
	const unsigned char *s = src;
	size_t i;

	memset(dst, 0, dst_size);
	if (!src)
		return 0;
	if (src_sz < sizeof(size_t))
		return -EINVAL;
	/* A newer caller may pass a bigger struct: fine as long as what we don't know is 0. */
	for (i = dst_size; i < src_sz; i++)
		if (s[i])
			return -EINVAL;
	memcpy(dst, src, src_sz < dst_size ? src_sz : dst_size);
	return 0;
}

const char *util_tail_lines(const char *text, int n)
{
	const char *p;

	if (!text)
		return "";
	p = text + strlen(text);
	/* Skip trailing newlines so that they don't count as lines. */
	while (p > text && p[-1] == '\n')
		p--;
	while (p > text) {
		if (p[-1] == '\n' && --n == 0)
			break;
		p--;
	}
	return p;
}

uint32_t util_round_up_pow2(uint32_t v)
{
	uint32_t p = 1;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

int util_possible_cpus(void)
{
	int n = libbpf_num_possible_cpus();

	return n > 0 ? n : 1;
}

uint64_t util_fd_memlock(int fd)
{
	char path[64], line[256];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

int util_percpu_sum(int fd, uint32_t key, uint64_t *sum)
{
	int cpus = util_possible_cpus(), i, r = 0;
	uint64_t *values = calloc((size_t)cpus, sizeof(*values));

	*sum = 0;
	if (!values)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, values) != 0)
		r = -errno;
	else
		for (i = 0; i < cpus; i++)
			*sum += values[i];
	free(values);
	return r;
}

/* One mapping of /proc/self/smaps: its range, whether it can be written, and how much of it
 * is private anonymous memory (pages copied on write, e.g. relocated data). */
struct smaps_entry {
	unsigned long start, end;
	bool writable, wanted;
	unsigned long anon_kib;
};

static void drop_if_clean(const struct smaps_entry *m)
{
	/* Clean pages of a read-only file mapping come back from the file on the next access;
	 * a mapping with copied-on-write pages (read-only after relocation) must keep them. */
	if (m->wanted && !m->writable && m->anon_kib == 0 && m->end > m->start)
		madvise((void *)m->start, m->end - m->start, MADV_DONTNEED);
}

void util_drop_file_pages(const char *path_part)
{
	struct smaps_entry m = { 0 };
	char line[512], perms[8], path[256];
	unsigned long start, end, kib;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &start, &end, perms, path) >= 3) {
			drop_if_clean(&m);
			m.start = start;
			m.end = end;
			m.writable = perms[1] == 'w';
			m.wanted = strstr(path, path_part) != NULL;
			m.anon_kib = 0;
		} else if (sscanf(line, "Anonymous: %lu kB", &kib) == 1) {
			m.anon_kib = kib;
		}
	}
	drop_if_clean(&m);
	fclose(f);
}

int util_percpu_zero(int fd, uint32_t key)
{
	uint64_t *values = calloc((size_t)util_possible_cpus(), sizeof(*values));
	int r = 0;

	if (!values)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &key, values, BPF_ANY) != 0)
		r = -errno;
	free(values);
	return r;
}
