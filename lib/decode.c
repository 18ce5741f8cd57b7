/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "record.h"
#include "serializer.h"
#include "util.h"

int decode_state_init(struct decode_state *st, const struct layout *l)
{
	memset(st, 0, sizeof(*st));
	st->fields = calloc(l->arg_count ? l->arg_count : 1, sizeof(*st->fields));
	return st->fields ? 0 : -ENOMEM;
}

void decode_state_release(struct decode_state *st)
{
	free(st->fields);
	free(st->argv);
	free(st->argv_flags);
	free(st->scratch);
	memset(st, 0, sizeof(*st));
}

static int64_t sign_extend(uint64_t v, uint32_t width)
{
	if (width >= 8 || width == 0)
		return (int64_t)v;
	{
		unsigned shift = 64 - 8 * width;

		return (int64_t)(v << shift) >> shift;
	}
}

static uint64_t zero_extend(uint64_t v, uint32_t width)
{
	return width >= 8 || width == 0 ? v : v & ((1ull << (8 * width)) - 1);
}

/* Space for argv entries; returns -ENOMEM when it cannot grow. */
static int argv_reserve(struct decode_state *st, uint32_t n)
{
	struct ebpfpub_bytes *a;
	uint32_t *f, cap;

	if (n <= st->argv_cap)
		return 0;
	cap = st->argv_cap ? st->argv_cap * 2 : 32;
	while (cap < n)
		cap *= 2;
	a = realloc(st->argv, cap * sizeof(*a));
	if (!a)
		return -ENOMEM;
	st->argv = a;
	f = realloc(st->argv_flags, cap * sizeof(*f));
	if (!f)
		return -ENOMEM;
	st->argv_flags = f;
	st->argv_cap = cap;
	return 0;
}

static int scratch_reserve(struct decode_state *st, size_t n)
{
	char *s;

	if (n <= st->scratch_cap)
		return 0;
	s = realloc(st->scratch, n);
	if (!s)
		return -ENOMEM;
	st->scratch = s;
	st->scratch_cap = n;
	return 0;
}

static void init_fields(const struct layout *l, struct decode_state *st, const uint64_t *args)
{
	uint32_t i;

	for (i = 0; i < l->arg_count; i++) {
		const struct format_field *ff = l->args[i];
		struct ebpfpub_field *f = &st->fields[i];

		memset(f, 0, sizeof(*f));
		f->name = ff->name;
		f->c_type = ff->c_type;
		f->raw = args[i];
		f->width = ff->value_width ? ff->value_width : ff->size;
		if (ff->class == FORMAT_CLASS_INTEGER) {
			if (ff->value_signed) {
				f->type = EBPFPUB_VALUE_SIGNED;
				f->value.s = sign_extend(args[i], f->width);
			} else {
				f->type = EBPFPUB_VALUE_UNSIGNED;
				f->value.u = zero_extend(args[i], f->width);
			}
		} else {
			f->type = EBPFPUB_VALUE_POINTER;
			f->width = 8;
			f->value.u = args[i];
		}
	}
	/* Captured arguments change type; until an item arrives they are "not captured". */
	for (i = 0; i < l->capture_count; i++) {
		const struct layout_capture *c = &l->captures[i];
		struct ebpfpub_field *f = &st->fields[c->arg];

		memset(&f->value, 0, sizeof(f->value));
		f->flags = EBPFPUB_FIELD_NOT_CAPTURED;
		switch (c->kind) {
		case EBPFPUB_CAPTURE_STRING:
			f->type = EBPFPUB_VALUE_STRING;
			f->value.bytes.data = "";
			break;
		case EBPFPUB_CAPTURE_BUFFER:
			f->type = EBPFPUB_VALUE_BYTES;
			f->value.bytes.data = "";
			break;
		case EBPFPUB_CAPTURE_SOCKADDR:
			f->type = EBPFPUB_VALUE_SOCKADDR;
			f->value.sockaddr.data.data = "";
			break;
		case EBPFPUB_CAPTURE_ARGV:
			f->type = EBPFPUB_VALUE_ARGV;
			f->value.argv.source = EBPFPUB_ARGV_FROM_CALLER;
			break;
		}
	}
}

static const struct layout_capture *capture_of(const struct layout *l, uint32_t arg)
{
	size_t i;

	for (i = 0; i < l->capture_count; i++)
		if (l->captures[i].arg == arg)
			return &l->captures[i];
	return NULL;
}

/* Splits the new program's argv area (NUL-separated strings) into arguments, stored from entry
 * BASE of the argv array on: at most max_items of them, each cut to the capture's size. */
static int decode_argv_block(const struct layout_capture *c, struct decode_state *st,
			     uint32_t base, const char *data, uint32_t len, uint32_t item_flags,
			     struct ebpfpub_argv *argv, uint32_t *field_flags)
{
	uint32_t per_arg = c->size ? c->size : 4096, max = c->max_items;
	uint32_t pos, n, need = 0;
	int r;

	/* First pass: how many arguments, and scratch for those cut or without their NUL. */
	for (pos = 0, n = 0; pos < len && n < max; n++) {
		const char *s = data + pos, *nul = memchr(s, '\0', len - pos);
		uint32_t slen = nul ? (uint32_t)(nul - s) : len - pos;

		if (!nul || slen >= per_arg)
			need += (slen < per_arg ? slen : per_arg - 1) + 1;
		pos += slen + 1;
	}
	r = scratch_reserve(st, need ? need : 1);
	if (r < 0)
		return r;
	r = argv_reserve(st, base + (n ? n : 1));
	if (r < 0)
		return r;
	for (pos = 0, n = 0, need = 0; pos < len && n < max; n++) {
		const char *s = data + pos, *nul = memchr(s, '\0', len - pos);
		uint32_t slen = nul ? (uint32_t)(nul - s) : len - pos;
		struct ebpfpub_bytes *a = &st->argv[base + n];
		uint32_t flags = 0;

		if (!nul || slen >= per_arg) {
			uint32_t keep = slen < per_arg ? slen : per_arg - 1;

			memcpy(st->scratch + need, s, keep);
			st->scratch[need + keep] = '\0';
			a->data = st->scratch + need;
			a->len = keep;
			need += keep + 1;
			flags = EBPFPUB_FIELD_TRUNCATED;
		} else {
			a->data = s;
			a->len = slen;
		}
		st->argv_flags[base + n] = flags;
		*field_flags |= flags;
		pos += slen + 1;
	}
	argv->count = n;
	/* Strings left after max_items: more arguments than captured. */
	argv->more = pos < len;
	if (argv->more || (item_flags & EBPFPUB_FIELD_TRUNCATED))
		*field_flags |= EBPFPUB_FIELD_TRUNCATED;
	*field_flags |= item_flags & (EBPFPUB_FIELD_UNREADABLE | EBPFPUB_FIELD_NULL);
	argv->source = EBPFPUB_ARGV_FROM_NEW_MM;
	return 0;
}

/* Where the argv entries of each ARGV field are, until the array stops moving. */
struct argv_span {
	uint32_t base, count;
	uint32_t expect;   /* arguments announced by the header item */
	bool header, block;
};

/* The capture kind that an item kind belongs to. */
static int item_capture_kind(uint32_t kind)
{
	switch (kind) {
	case RECORD_ITEM_STRING:
		return EBPFPUB_CAPTURE_STRING;
	case RECORD_ITEM_BYTES:
		return EBPFPUB_CAPTURE_BUFFER;
	case RECORD_ITEM_SOCKADDR:
		return EBPFPUB_CAPTURE_SOCKADDR;
	case RECORD_ITEM_ARGV_ARG:
	case RECORD_ITEM_ARGV_END:
	case RECORD_ITEM_ARGV_BLOCK:
		return EBPFPUB_CAPTURE_ARGV;
	}
	return -1;
}

int decode_record(const struct layout *l, struct decode_state *st, const void *data,
		  size_t size, struct ebpfpub_event *ev, char *err, size_t err_size)
{
	const unsigned char *p = data;
	struct record_header h;
	struct argv_span spans[6];
	uint32_t off, i, argv_used = 0;
	bool have_block = false;
	int r;

	if (size < RECORD_HEADER_SIZE) {
		util_errf(err, err_size, "record of %zu bytes is shorter than its %u-byte header", size,
			  RECORD_HEADER_SIZE);
		return -EINVAL;
	}
	memcpy(&h, p, sizeof(h));
	if (h.size < l->fixed_size || h.size > size) {
		util_errf(err, err_size,
			  "syscall '%s': record says %u bytes, %zu arrived, at least %u expected",
			  l->syscall, h.size, size, l->fixed_size);
		return -EINVAL;
	}
	if (h.arg_count != l->arg_count) {
		util_errf(err, err_size, "syscall '%s': record has %u arguments, the syscall %u",
			  l->syscall, h.arg_count, l->arg_count);
		return -EINVAL;
	}
	memset(ev, 0, sizeof(*ev));
	ev->syscall = l->syscall;
	ev->serializer = l->serializer_name;
	ev->timestamp_ns = h.enter_ns;
	ev->duration_ns = h.exit_ns >= h.enter_ns ? h.exit_ns - h.enter_ns : 0;
	ev->pid = (uint32_t)(h.pid_tgid >> 32);
	ev->tid = (uint32_t)h.pid_tgid;
	ev->uid = (uint32_t)h.uid_gid;
	ev->gid = (uint32_t)(h.uid_gid >> 32);
	ev->exit_code = h.exit_code;
	ev->probe_error = h.probe_error;
	memcpy(ev->comm, h.comm, sizeof(h.comm));
	ev->comm[sizeof(ev->comm) - 1] = '\0';
	{
		uint64_t args[6] = { 0 };

		memcpy(args, p + RECORD_OFF_ARGS, 8u * l->arg_count);
		init_fields(l, st, args);
	}
	memset(spans, 0, sizeof(spans));

	for (off = l->fixed_size; off + RECORD_ITEM_SIZE <= h.size;) {
		struct record_item it;
		const char *d;
		struct ebpfpub_field *f;
		const struct layout_capture *c;

		memcpy(&it, p + off, sizeof(it));
		d = (const char *)p + off + RECORD_ITEM_SIZE;
		if (it.len > h.size - off - RECORD_ITEM_SIZE) {
			util_errf(err, err_size,
				  "syscall '%s': item at offset %u claims %u bytes past the record end",
				  l->syscall, off, it.len);
			return -EINVAL;
		}
		if (it.arg >= l->arg_count || !(c = capture_of(l, it.arg))) {
			util_errf(err, err_size,
				  "syscall '%s': item at offset %u names argument %u, which is not captured",
				  l->syscall, off, it.arg);
			return -EINVAL;
		}
		f = &st->fields[it.arg];
		if (item_capture_kind(it.kind) >= 0 && item_capture_kind(it.kind) != (int)c->kind) {
			util_errf(err, err_size,
				  "syscall '%s': item at offset %u has kind %u, which argument '%s' does not capture",
				  l->syscall, off, it.kind, f->name);
			return -EINVAL;
		}
		switch (it.kind) {
		case RECORD_ITEM_STRING:
			if (it.len && d[it.len - 1] != '\0') {
				util_errf(err, err_size,
					  "syscall '%s': string '%s' is not NUL-terminated",
					  l->syscall, f->name);
				return -EINVAL;
			}
			f->type = EBPFPUB_VALUE_STRING;
			f->flags = it.flags;
			f->value.bytes.data = it.len ? d : "";
			/* A string may hold a NUL before its end (a cut multibyte path does not,
			 * but user memory can): report the C string length. */
			f->value.bytes.len = it.len ? (uint32_t)strnlen(d, it.len) : 0;
			break;
		case RECORD_ITEM_BYTES:
			f->type = EBPFPUB_VALUE_BYTES;
			f->flags = it.flags;
			f->value.bytes.data = d;
			f->value.bytes.len = it.len;
			break;
		case RECORD_ITEM_SOCKADDR: {
			uint32_t bad;

			f->type = EBPFPUB_VALUE_SOCKADDR;
			f->flags = it.flags;
			bad = serializer_decode_sockaddr((const unsigned char *)d, it.len,
							 &f->value.sockaddr);
			/* Too short for its family: flagged, unless nothing was read at all. */
			if (!(it.flags & (EBPFPUB_FIELD_NULL | EBPFPUB_FIELD_UNREADABLE)))
				f->flags |= bad;
			if (!it.len)
				f->value.sockaddr.data.data = "";
			break;
		}
		case RECORD_ITEM_ARGV_ARG: {
			struct argv_span *sp = &spans[it.arg];
			struct ebpfpub_bytes *a;

			if (!it.len || d[it.len - 1] != '\0') {
				if (!(it.flags & (EBPFPUB_FIELD_UNREADABLE | EBPFPUB_FIELD_NULL))) {
					util_errf(err, err_size,
						  "syscall '%s': argv[%u] is not NUL-terminated",
						  l->syscall, sp->count);
					return -EINVAL;
				}
			}
			/* A field's arguments are consecutive, and never follow its block. */
			if (sp->block || (sp->count && sp->base + sp->count != argv_used) ||
			    sp->count >= c->max_items) {
				util_errf(err, err_size,
					  "syscall '%s': argv item at offset %u is out of place or over the %u captured arguments",
					  l->syscall, off, c->max_items);
				return -EINVAL;
			}
			if (!sp->count)
				sp->base = argv_used;
			r = argv_reserve(st, argv_used + 1);
			if (r < 0)
				return r;
			a = &st->argv[argv_used];
			a->data = it.len ? d : "";
			a->len = it.len ? (uint32_t)strnlen(d, it.len) : 0;
			st->argv_flags[argv_used] = it.flags;
			argv_used++;
			sp->count++;
			f->flags |= it.flags & (EBPFPUB_FIELD_TRUNCATED | EBPFPUB_FIELD_UNREADABLE);
			f->flags &= ~(uint32_t)EBPFPUB_FIELD_NOT_CAPTURED;
			f->type = EBPFPUB_VALUE_ARGV;
			break;
		}
		case RECORD_ITEM_ARGV_END: {
			struct argv_span *sp = &spans[it.arg];
			struct record_argv_end end;

			if (it.len < sizeof(end)) {
				util_errf(err, err_size, "syscall '%s': short argv header item",
					  l->syscall);
				return -EINVAL;
			}
			memcpy(&end, d, sizeof(end));
			if (sp->header || sp->block || end.captured > c->max_items ||
			    (end.source != EBPFPUB_ARGV_FROM_CALLER &&
			     end.source != EBPFPUB_ARGV_FROM_NEW_MM)) {
				util_errf(err, err_size,
					  "syscall '%s': argv header item at offset %u is repeated or invalid (%u arguments, source %u)",
					  l->syscall, off, end.captured, end.source);
				return -EINVAL;
			}
			sp->header = true;
			sp->expect = end.captured;
			f->type = EBPFPUB_VALUE_ARGV;
			f->flags &= ~(uint32_t)EBPFPUB_FIELD_NOT_CAPTURED;
			f->flags |= it.flags;
			f->value.argv.more = end.more != 0;
			if (end.more)
				f->flags |= EBPFPUB_FIELD_TRUNCATED;
			f->value.argv.source = (enum ebpfpub_argv_source)end.source;
			break;
		}
		case RECORD_ITEM_ARGV_BLOCK: {
			struct argv_span *sp = &spans[it.arg];

			if (have_block) {
				util_errf(err, err_size, "syscall '%s': a second argv block at offset %u",
					  l->syscall, off);
				return -EINVAL;
			}
			have_block = true;
			/* Replaces what the enter program captured. */
			memset(sp, 0, sizeof(*sp));
			sp->block = true;
			sp->base = argv_used;
			f->type = EBPFPUB_VALUE_ARGV;
			f->flags = 0;
			r = decode_argv_block(c, st, argv_used, d, it.len, it.flags, &f->value.argv,
					      &f->flags);
			if (r < 0)
				return r;
			sp->count = f->value.argv.count;
			argv_used += sp->count;
			break;
		}
		default:
			util_errf(err, err_size, "syscall '%s': unknown item kind %u at offset %u",
				  l->syscall, it.kind, off);
			return -EINVAL;
		}
		off += RECORD_ITEM_SIZE + record_align(it.len);
	}
	/* The argv array no longer moves: point each ARGV field at its entries. */
	for (i = 0; i < l->capture_count; i++) {
		const struct layout_capture *c = &l->captures[i];
		struct argv_span *sp = &spans[c->arg];
		struct ebpfpub_argv *argv = &st->fields[c->arg].value.argv;

		if (c->kind != EBPFPUB_CAPTURE_ARGV)
			continue;
		if (sp->header && sp->count != sp->expect) {
			util_errf(err, err_size,
				  "syscall '%s': argv header announces %u arguments, %u arrived",
				  l->syscall, sp->expect, sp->count);
			return -EINVAL;
		}
		argv->count = sp->count;
		argv->args = sp->count ? st->argv + sp->base : NULL;
		argv->arg_flags = sp->count ? st->argv_flags + sp->base : NULL;
	}
	ev->field_count = l->arg_count;
	ev->fields = st->fields;
	return 0;
}
