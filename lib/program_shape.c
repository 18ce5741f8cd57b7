/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "program_shape.h"
#include "rules.h"

struct shape_writer {
	uint8_t *bytes;
	size_t size, cap;
	bool failed;
};

static void put(struct shape_writer *w, const void *p, size_t n)
{
	if (w->failed)
		return;
	if (w->size + n > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 512;
		uint8_t *grown;

		while (cap < w->size + n)
			cap *= 2;
		grown = realloc(w->bytes, cap);
		if (!grown) {
			w->failed = true;
			return;
		}
		w->bytes = grown;
		w->cap = cap;
	}
	memcpy(w->bytes + w->size, p, n);
	w->size += n;
}

static void put32(struct shape_writer *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

/* The environment as the generator sees it, with the per-syscall values cleared. fill_env()
 * zeroes the whole struct first, so its padding compares equal too. */
static void put_env(struct shape_writer *w, const struct codegen_env *env)
{
	struct codegen_env e;

	memcpy(&e, env, sizeof(e));
	e.event_id = 0;
	e.counter_base = 0;
	e.event_map_fd = -1;   /* by_number programs keep entries in task storage only */
	e.rules = NULL;
	e.gate_key = 0;
	e.generation = 0;
	put(w, &e, sizeof(e));
}

/* Arguments are read by offset; a length argument by its width and signedness too. */
static void put_capture(struct shape_writer *w, const struct layout *l,
			const struct layout_capture *c)
{
	put32(w, c->arg);
	put32(w, l->args[c->arg]->offset);
	put32(w, (uint32_t)c->kind);
	put32(w, (uint32_t)c->when);
	put32(w, (uint32_t)c->size_arg);
	if (c->size_arg >= 0) {
		const struct format_field *ff = l->args[c->size_arg];

		put32(w, ff->offset);
		put32(w, ff->value_width);
		put32(w, ff->value_signed);
	}
	put32(w, c->size_is_pointer);
	put32(w, c->size);
	put32(w, c->max_items);
}

int program_shape_of(const struct layout *l, const struct codegen_env *env,
		     struct program_shape *out)
{
	struct shape_writer w = { 0 };
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!env->by_number || !env->entry_in_task || (env->rules && env->rules->count) || l->ops)
		return 0;
	put_env(&w, env);
	put32(&w, l->arg_count);
	for (i = 0; i < l->arg_count; i++)
		put32(&w, l->args[i]->offset);
	put32(&w, (uint32_t)l->capture_count);
	for (i = 0; i < l->capture_count; i++)
		put_capture(&w, l, &l->captures[i]);
	put32(&w, l->ret_offset);
	put32(&w, l->has_enter_captures);
	put32(&w, (uint32_t)l->rewind_capture);
	put32(&w, l->fixed_size);
	put32(&w, l->entry_size);
	put32(&w, l->enter_capacity);
	put32(&w, l->context_offset);
	put32(&w, l->ancestors);
	put32(&w, l->storage.buffer_size);
	put32(&w, l->storage.capacity);
	put32(&w, l->storage.area_size);
	if (w.failed) {
		free(w.bytes);
		return -ENOMEM;
	}
	out->bytes = w.bytes;
	out->size = w.size;
	return 1;
}

bool program_shape_equal(const struct program_shape *a, const struct program_shape *b)
{
	return a->size == b->size && memcmp(a->bytes, b->bytes, a->size) == 0;
}

void program_shape_release(struct program_shape *s)
{
	free(s->bytes);
	memset(s, 0, sizeof(*s));
}
