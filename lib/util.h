/* SPDX-License-Identifier: Apache-2.0 */
#ifndef EBPFPUB_UTIL_H
#define EBPFPUB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Messages travel in fixed buffers owned by the object that failed. */
#define UTIL_ERR_SIZE 8192

__attribute__((format(printf, 3, 4))) void util_errf(char *err, size_t size, const char *fmt,
						      ...);
__attribute__((format(printf, 4, 5))) void util_log(ebpfpub_log_fn fn, void *ctx,
						     enum ebpfpub_log_level level,
						     const char *fmt, ...);

/* Opts structs grow at the end: copy what the caller has, reject unknown non-zero tail bytes. */
int util_copy_opts(void *dst, size_t dst_size, const void *src, size_t src_sz_field);

/* The last N lines of TEXT (the useful end of a verifier log). */
const char *util_tail_lines(const char *text, int n);

uint32_t util_round_up_pow2(uint32_t v);
int util_possible_cpus(void);

/* Kernel memory a BPF object fd accounts for (fdinfo memlock), or 0. */
uint64_t util_fd_memlock(int fd);

/* Gives back the resident pages of read-only file mappings whose path contains PATH_PART
 * (clean pages only: they are read from the file again when used). */
void util_drop_file_pages(const char *path_part);

/* The sum over all possible CPUs of per-CPU array FD's value at KEY (0 on failure). */
int util_percpu_sum(int fd, uint32_t key, uint64_t *sum);
/* Sets per-CPU array FD's value at KEY to 0 on every CPU. */
int util_percpu_zero(int fd, uint32_t key);

#endif
