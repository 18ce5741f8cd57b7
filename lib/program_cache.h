/* SPDX-License-Identifier: Apache-2.0 */
/* The programs a tracer has loaded, one pair per shape (program_shape.h), for its other
 * dispatched syscalls of that shape to share: each syscall holds descriptors of its own
 * (dup) and a reference to the entry, which closes its pair when the last one goes, so a
 * removed syscall leaves no program behind that no other syscall runs. */
#ifndef EBPFPUB_PROGRAM_CACHE_H
#define EBPFPUB_PROGRAM_CACHE_H

#include <stdint.h>

#include "loader.h"
#include "program_shape.h"

struct program_cache_entry {
	struct program_shape shape;
	int enter_fd, exit_fd;
	struct loader_program insns[2];   /* enter, exit: for ebpfpub_tracer_program_text */
	unsigned users;                   /* 0: a free slot */
};

struct program_cache {
	struct program_cache_entry *entries;
	size_t count;
};

/* The slot of SHAPE's programs, or -1. */
int program_cache_find(const struct program_cache *c, const struct program_shape *shape);
/* Keeps SHAPE (taken over, also on failure) with duplicates of the two descriptors and a
 * copy of INSNS, for one user; returns its slot. */
int program_cache_add(struct program_cache *c, struct program_shape *shape, int enter_fd,
		      int exit_fd, const struct loader_program insns[2]);
void program_cache_hold(struct program_cache *c, int slot);
/* One user fewer; the last one closes the programs. */
void program_cache_drop(struct program_cache *c, int slot);
/* Copies SRC into DST (empty when SRC is). */
int program_cache_copy_insns(struct loader_program *dst, const struct loader_program *src);
/* The kernel memory of the cached programs. */
uint64_t program_cache_memory(const struct program_cache *c);
void program_cache_release(struct program_cache *c);

#endif
