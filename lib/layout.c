/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "serializer.h"
#include "util.h"

void layout_storage_init(struct layout_storage *st, uint32_t buffer_size, uint32_t buffer_count)
{
	uint64_t want = (uint64_t)buffer_size * buffer_count;
	uint32_t largest_item = buffer_size > 256 ? buffer_size : 256;

	if (want > (1u << 30))
		want = 1u << 30;
	st->buffer_size = buffer_size;
	/* A power of two lets generated code bound an item's offset with one AND, which the
	 * verifier understands whatever the path that led there. */
	st->capacity = util_round_up_pow2((uint32_t)want);
	if (st->capacity < 1024)
		st->capacity = 1024;
	st->area_size = record_align(st->capacity + largest_item + 2 * RECORD_ITEM_SIZE);
}

int layout_arg_index(const struct layout *layout, const char *name)
{
	uint32_t i;

	for (i = 0; i < layout->arg_count; i++)
		if (strcmp(layout->args[i]->name, name) == 0)
			return (int)i;
	return -1;
}

static const char *capture_kind_name(enum ebpfpub_capture_kind kind)
{
	switch (kind) {
	case EBPFPUB_CAPTURE_STRING:
		return "string";
	case EBPFPUB_CAPTURE_BUFFER:
		return "buffer";
	case EBPFPUB_CAPTURE_SOCKADDR:
		return "sockaddr";
	case EBPFPUB_CAPTURE_ARGV:
		return "argv";
	}
	return "unknown";
}

/* Every capture reads user memory through its argument, and takes its length from an
 * integer argument (or through a pointer one): refuse tables that would do otherwise. */
static int check_capture_types(const struct layout *l, const struct ebpfpub_capture *c, int arg,
			       int size_arg, char *err, size_t err_size)
{
	const struct format_field *ff = l->args[arg];
	const char *kind = capture_kind_name(c->kind);

	if (ff->class == FORMAT_CLASS_INTEGER) {
		util_errf(err, err_size,
			  "syscall '%s': %s capture of '%s': the argument has type '%s', an integer, not a pointer",
			  l->syscall, kind, c->arg, ff->c_type);
		return -EINVAL;
	}
	if (size_arg < 0)
		return 0;
	ff = l->args[size_arg];
	if (c->size_is_pointer && ff->class != FORMAT_CLASS_POINTER) {
		util_errf(err, err_size,
			  "syscall '%s': %s capture of '%s': length argument '%s' has type '%s', not a pointer to an integer",
			  l->syscall, kind, c->arg, c->size_arg, ff->c_type);
		return -EINVAL;
	}
	if (!c->size_is_pointer && ff->class != FORMAT_CLASS_INTEGER) {
		util_errf(err, err_size,
			  "syscall '%s': %s capture of '%s': length argument '%s' has type '%s', not an integer",
			  l->syscall, kind, c->arg, c->size_arg, ff->c_type);
		return -EINVAL;
	}
	return 0;
}

static int add_capture(struct layout *l, const struct ebpfpub_capture *c, char *err,
		       size_t err_size)
{
	struct layout_capture *lc;
	int arg, size_arg = -1, r;
	size_t i;

	if (!c->arg) {
		util_errf(err, err_size, "syscall '%s': a capture has no argument name", l->syscall);
		return -EINVAL;
	}
	arg = layout_arg_index(l, c->arg);
	if (arg < 0) {
		util_errf(err, err_size, "syscall '%s' has no argument '%s' to capture", l->syscall,
			  c->arg);
		return -EINVAL;
	}
	if (c->kind < EBPFPUB_CAPTURE_STRING || c->kind > EBPFPUB_CAPTURE_ARGV) {
		util_errf(err, err_size, "syscall '%s': argument '%s': unknown capture kind %d",
			  l->syscall, c->arg, (int)c->kind);
		return -EINVAL;
	}
	if (c->when != EBPFPUB_AT_EXIT && c->when != EBPFPUB_AT_ENTER) {
		util_errf(err, err_size, "syscall '%s': argument '%s': 'when' must be AT_ENTER or AT_EXIT",
			  l->syscall, c->arg);
		return -EINVAL;
	}
	if (c->size_arg) {
		size_arg = layout_arg_index(l, c->size_arg);
		if (size_arg < 0) {
			util_errf(err, err_size,
				  "syscall '%s': argument '%s': no length argument '%s'", l->syscall,
				  c->arg, c->size_arg);
			return -EINVAL;
		}
		if (c->size_is_pointer && c->when == EBPFPUB_AT_ENTER &&
		    c->kind == EBPFPUB_CAPTURE_SOCKADDR) {
			/* accept's *addrlen is only meaningful once the kernel wrote it. */
			util_errf(err, err_size,
				  "syscall '%s': argument '%s': a length read through a pointer needs AT_EXIT",
				  l->syscall, c->arg);
			return -EINVAL;
		}
	} else if ((c->kind == EBPFPUB_CAPTURE_BUFFER) && !c->size) {
		util_errf(err, err_size,
			  "syscall '%s': argument '%s': a buffer capture needs size_arg or size",
			  l->syscall, c->arg);
		return -EINVAL;
	}
	r = check_capture_types(l, c, arg, size_arg, err, err_size);
	if (r < 0)
		return r;
	if (c->kind == EBPFPUB_CAPTURE_ARGV && c->max_items > LAYOUT_ARGV_MAX_ITEMS) {
		util_errf(err, err_size, "syscall '%s': argument '%s': max_items %u is over %u",
			  l->syscall, c->arg, c->max_items, LAYOUT_ARGV_MAX_ITEMS);
		return -EINVAL;
	}
	for (i = 0; i < l->capture_count; i++)
		if (l->captures[i].arg == (uint32_t)arg) {
			util_errf(err, err_size, "syscall '%s': argument '%s' is captured twice",
				  l->syscall, c->arg);
			return -EINVAL;
		}
	lc = &l->captures[l->capture_count++];
	lc->arg = (uint32_t)arg;
	lc->kind = c->kind;
	lc->when = c->when;
	lc->size_arg = size_arg;
	lc->size_is_pointer = c->size_is_pointer;
	lc->max_items = c->max_items ? c->max_items : LAYOUT_ARGV_DEFAULT_ITEMS;
	switch (c->kind) {
	case EBPFPUB_CAPTURE_SOCKADDR:
		lc->size = c->size && c->size < LAYOUT_SOCKADDR_MAX ? c->size : LAYOUT_SOCKADDR_MAX;
		break;
	case EBPFPUB_CAPTURE_BUFFER:
		lc->size = c->size && c->size < l->storage.buffer_size ? c->size
									 : l->storage.buffer_size;
		break;
	default:
		/* STRING, ARGV: bytes of one string, NUL included (0: the buffer size). */
		lc->size = c->size && c->size < l->storage.buffer_size ? c->size
								       : l->storage.buffer_size;
		break;
	}
	if (lc->when == EBPFPUB_AT_ENTER)
		l->has_enter_captures = true;
	return 0;
}

/* The serializer's exit code may replace the ARGV capture of ops->rewind_argv, from where it
 * starts to the end of the enter captures: keep it the last enter capture. */
static void place_rewind_capture(struct layout *l)
{
	size_t i;

	l->rewind_capture = -1;
	if (!l->ops || !l->ops->rewind_argv)
		return;
	for (i = 0; i < l->capture_count; i++) {
		struct layout_capture c = l->captures[i];

		if (c.kind != EBPFPUB_CAPTURE_ARGV || c.when != EBPFPUB_AT_ENTER ||
		    strcmp(l->args[c.arg]->name, l->ops->rewind_argv) != 0)
			continue;
		memmove(&l->captures[i], &l->captures[i + 1],
			(l->capture_count - i - 1) * sizeof(c));
		l->captures[l->capture_count - 1] = c;
		l->rewind_capture = (int)l->capture_count - 1;
		return;
	}
}

int layout_build(struct layout *l, const char *syscall, const char *enter_buf, size_t enter_len,
		 const char *exit_buf, size_t exit_len, const struct ebpfpub_serializer *ser,
		 const struct layout_storage *storage, char *err, size_t err_size)
{
	struct ebpfpub_capture *generic = NULL;
	const struct ebpfpub_capture *caps;
	const struct format_field *ret;
	size_t ncaps, i;
	char msg[512];
	int r;

	memset(l, 0, sizeof(*l));
	l->storage = *storage;
	l->syscall = strdup(syscall);
	if (!l->syscall)
		return -ENOMEM;
	r = format_parse(enter_buf, enter_len, &l->enter, msg, sizeof(msg));
	if (r < 0) {
		util_errf(err, err_size, "syscall '%s': format of sys_enter_%s: %s", syscall, syscall,
			  msg);
		goto err;
	}
	r = format_parse(exit_buf, exit_len, &l->exit, msg, sizeof(msg));
	if (r < 0) {
		util_errf(err, err_size, "syscall '%s': format of sys_exit_%s: %s", syscall, syscall,
			  msg);
		goto err;
	}
	ret = format_find(&l->exit, "ret");
	if (!ret || ret->size != 8) {
		util_errf(err, err_size, "syscall '%s': sys_exit_%s has no 8-byte field 'ret'",
			  syscall, syscall);
		r = -EINVAL;
		goto err;
	}
	l->ret_offset = ret->offset;
	l->arg_count = (uint32_t)format_arg_count(&l->enter);
	if (l->arg_count > RECORD_MAX_ARGS) {
		util_errf(err, err_size, "syscall '%s' has %u arguments; a syscall has at most %u",
			  syscall, l->arg_count, RECORD_MAX_ARGS);
		r = -EINVAL;
		goto err;
	}
	l->args = calloc(l->arg_count ? l->arg_count : 1, sizeof(*l->args));
	if (!l->args) {
		r = -ENOMEM;
		goto err;
	}
	for (i = 0; i < l->arg_count; i++) {
		l->args[i] = format_arg(&l->enter, i);
		if (l->args[i]->size != 8 || l->args[i]->offset % 8) {
			util_errf(err, err_size,
				  "syscall '%s': field '%s' has size %u at offset %u; syscall arguments are 8 aligned bytes",
				  syscall, l->args[i]->name, l->args[i]->size, l->args[i]->offset);
			r = -EINVAL;
			goto err;
		}
	}

	if (ser) {
		l->serializer_name = ser->name ? ser->name : "custom";
		caps = ser->captures;
		ncaps = ser->capture_count;
		if (ser != serializer_builtin(syscall))
			l->user = ser;
	} else {
		r = serializer_generic_captures(&l->enter, &generic, &ncaps);
		if (r < 0)
			goto err;
		caps = generic;
		l->serializer_name = serializer_generic_name;
	}
	l->captures = calloc(ncaps ? ncaps : 1, sizeof(*l->captures));
	if (!l->captures) {
		r = -ENOMEM;
		goto err;
	}
	for (i = 0; i < ncaps; i++) {
		r = add_capture(l, &caps[i], err, err_size);
		if (r < 0)
			goto err;
	}
	l->ops = serializer_ops_for(syscall);
	place_rewind_capture(l);

	l->fixed_size = RECORD_HEADER_SIZE + 8 * l->arg_count;
	l->entry_size = l->fixed_size;
	if (l->has_enter_captures) {
		uint32_t room = l->storage.capacity < LAYOUT_ENTER_CAPACITY_MAX
					? l->storage.capacity
					: LAYOUT_ENTER_CAPACITY_MAX;

		/* Enter captures travel in the event map from enter to exit; bound them so that
		 * each entry stays small, the exit program may add more. */
		l->enter_capacity = room;
		l->entry_size = record_align(room + l->storage.area_size - l->storage.capacity);
	}
	free(generic);
	return 0;
err:
	free(generic);
	layout_release(l);
	return r;
}

void layout_release(struct layout *l)
{
	if (!l)
		return;
	format_release(&l->enter);
	format_release(&l->exit);
	free(l->args);
	free(l->captures);
	free(l->syscall);
	memset(l, 0, sizeof(*l));
}
