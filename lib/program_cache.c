/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "program_cache.h"
#include "util.h"

int program_cache_find(const struct program_cache *c, const struct program_shape *shape)
{
	size_t i;

	for (i = 0; i < c->count; i++)
		if (c->entries[i].users && program_shape_equal(&c->entries[i].shape, shape))
			return (int)i;
	return -1;
}

int program_cache_copy_insns(struct loader_program *dst, const struct loader_program *src)
{
	size_t size = src->insn_count * sizeof(struct bpf_insn);

	memset(dst, 0, sizeof(*dst));
	if (!src->insn_count)
		return 0;
	dst->insns = malloc(size);
	if (!dst->insns)
		return -ENOMEM;
	memcpy(dst->insns, src->insns, size);
	dst->insn_count = src->insn_count;
	return 0;
}

static void entry_release(struct program_cache_entry *e)
{
	if (e->enter_fd >= 0)
		close(e->enter_fd);
	if (e->exit_fd >= 0)
		close(e->exit_fd);
	loader_program_release(&e->insns[0]);
	loader_program_release(&e->insns[1]);
	program_shape_release(&e->shape);
	e->enter_fd = e->exit_fd = -1;
	e->users = 0;
}

int program_cache_add(struct program_cache *c, struct program_shape *shape, int enter_fd,
		      int exit_fd, const struct loader_program insns[2])
{
	struct program_cache_entry *grown, *e;
	size_t slot;

	for (slot = 0; slot < c->count && c->entries[slot].users; slot++)
		;
	if (slot == c->count) {
		grown = realloc(c->entries, (c->count + 1) * sizeof(*grown));
		if (!grown) {
			program_shape_release(shape);
			return -ENOMEM;
		}
		c->entries = grown;
		c->count++;
	}
	e = &c->entries[slot];
	memset(e, 0, sizeof(*e));
	e->shape = *shape;
	memset(shape, 0, sizeof(*shape));
	e->enter_fd = fcntl(enter_fd, F_DUPFD_CLOEXEC, 0);
	e->exit_fd = fcntl(exit_fd, F_DUPFD_CLOEXEC, 0);
	if (e->enter_fd < 0 || e->exit_fd < 0 ||
	    program_cache_copy_insns(&e->insns[0], &insns[0]) < 0 ||
	    program_cache_copy_insns(&e->insns[1], &insns[1]) < 0) {
		int r = e->enter_fd < 0 || e->exit_fd < 0 ? -errno : -ENOMEM;

		entry_release(e);
		return r;
	}
	e->users = 1;
	return (int)slot;
}

void program_cache_hold(struct program_cache *c, int slot)
{
	c->entries[slot].users++;
}

void program_cache_drop(struct program_cache *c, int slot)
{
	if (slot >= 0 && (size_t)slot < c->count && c->entries[slot].users &&
	    !--c->entries[slot].users)
		entry_release(&c->entries[slot]);
}

uint64_t program_cache_memory(const struct program_cache *c)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < c->count; i++)
		if (c->entries[i].users)
			sum += util_fd_memlock(c->entries[i].enter_fd) +
			       util_fd_memlock(c->entries[i].exit_fd);
	return sum;
}

void program_cache_release(struct program_cache *c)
{
	size_t i;

	for (i = 0; i < c->count; i++)
		if (c->entries[i].users)
			entry_release(&c->entries[i]);
	free(c->entries);
	memset(c, 0, sizeof(*c));
}
