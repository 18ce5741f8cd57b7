/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "process_context.h"
#include "record.h"
#include "serializer.h"
#include "util.h"

int decode_state_init(struct decode_state *st, const struct layout *l)
{
	memset(st, 0, sizeof(*st));
	st->fields = calloc(l->arg_count ? l->arg_count : 1, sizeof(*st->fields));
	if (st->fields && l->context_offset) {
		st->context = calloc(1, sizeof(*st->context));
		if (!st->context) {
			free(st->fields);
			st->fields = NULL;
		}
	}
	return st->fields ? 0 : -ENOMEM;
}

void decode_state_release(struct decode_state *st)
{
	free(st->fields);
	free(st->argv);
	free(st->argv_flags);
	free(st->scratch);
	if (st->context)
		process_context_release(st->context);
	free(st->context);
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

/*
 * The zero values that a record's event and fields start from, copied rather than
 * memset(): GCC's generic tuning expands a memset of 32 bytes or more into rep stosq,
 * which costs about 9 ns here for an event and again for each field, on every record
 * (a fifth of the decoder's time per mkdir event); a copy is a few vector moves.
 */
static const struct ebpfpub_event zero_event;
static const struct ebpfpub_field zero_field;

static void init_fields(const struct layout *l, struct decode_state *st, const uint64_t *args)
{
	uint32_t i;

	for (i = 0; i < l->arg_count; i++) {
		const struct format_field *ff = l->args[i];
		struct ebpfpub_field *f = &st->fields[i];

		*f = zero_field;
		f->name = ff->name;
		f->c_type = ff->c_type;
		f->raw = args[i];
		f->width = layout_value_width(ff);
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

		f->value = zero_field.value;
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

/* One record being decoded. */
struct decode_ctx {
	const struct layout *l;
	struct decode_state *st;
	uint32_t argv_used;          /* entries of st->argv in use */
	bool have_block;
	struct argv_span spans[RECORD_MAX_ARGS];
	char *err;
	size_t err_size;
};

/* One item: its header, its data and the capture of its argument. */
struct decode_item {
	uint32_t off;
	uint32_t kind, len;
	uint32_t flags;              /* the item's flags, unknown bits dropped */
	const char *data;
	const struct layout_capture *c;
	struct ebpfpub_field *f;
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

static int decode_string(struct decode_ctx *x, const struct decode_item *it)
{
	struct ebpfpub_field *f = it->f;

	if (it->len && it->data[it->len - 1] != '\0') {
		util_errf(x->err, x->err_size, "syscall '%s': string '%s' is not NUL-terminated",
			  x->l->syscall, f->name);
		return -EINVAL;
	}
	f->type = EBPFPUB_VALUE_STRING;
	f->flags = it->flags;
	f->value.bytes.data = it->len ? it->data : "";
	/* A string may hold a NUL before its end (user memory can): report the C string's
	 * length, so that data[len] is a NUL inside the item. */
	f->value.bytes.len = it->len ? (uint32_t)strnlen(it->data, it->len) : 0;
	return 0;
}

static int decode_bytes(struct decode_ctx *x, const struct decode_item *it)
{
	struct ebpfpub_field *f = it->f;

	(void)x;
	f->type = EBPFPUB_VALUE_BYTES;
	f->flags = it->flags;
	f->value.bytes.data = it->len ? it->data : "";
	f->value.bytes.len = it->len;
	return 0;
}

static int decode_sockaddr(struct decode_ctx *x, const struct decode_item *it)
{
	struct ebpfpub_field *f = it->f;
	uint32_t bad;

	(void)x;
	f->type = EBPFPUB_VALUE_SOCKADDR;
	f->flags = it->flags;
	bad = serializer_decode_sockaddr((const unsigned char *)it->data, it->len,
					 &f->value.sockaddr);
	/* Too short for its family: flagged, unless nothing was read at all. */
	if (!(it->flags & (EBPFPUB_FIELD_NULL | EBPFPUB_FIELD_UNREADABLE)))
		f->flags |= bad;
	if (!it->len)
		f->value.sockaddr.data.data = "";
	return 0;
}

/* One argument read through the caller's argv pointers. The programs write the string with
 * its NUL, or nothing (len 0) flagged UNREADABLE when it could not be read: anything else
 * would hand out an entry that is not NUL-terminated. */
static int decode_argv_arg(struct decode_ctx *x, const struct decode_item *it)
{
	struct argv_span *sp = &x->spans[it->c->arg];
	struct ebpfpub_field *f = it->f;
	struct ebpfpub_bytes *a;
	int r;

	if (it->len ? it->data[it->len - 1] != '\0'
		    : !(it->flags & (EBPFPUB_FIELD_UNREADABLE | EBPFPUB_FIELD_NULL))) {
		util_errf(x->err, x->err_size, "syscall '%s': argv[%u] is not NUL-terminated",
			  x->l->syscall, sp->count);
		return -EINVAL;
	}
	/* A field's arguments are consecutive, and never follow its block. */
	if (sp->block || (sp->count && sp->base + sp->count != x->argv_used) ||
	    sp->count >= it->c->max_items) {
		util_errf(x->err, x->err_size,
			  "syscall '%s': argv item at offset %u is out of place or over the %u captured arguments",
			  x->l->syscall, it->off, it->c->max_items);
		return -EINVAL;
	}
	if (!sp->count)
		sp->base = x->argv_used;
	r = argv_reserve(x->st, x->argv_used + 1);
	if (r < 0)
		return r;
	a = &x->st->argv[x->argv_used];
	a->data = it->len ? it->data : "";
	a->len = it->len ? (uint32_t)strnlen(it->data, it->len) : 0;
	x->st->argv_flags[x->argv_used] = it->flags;
	x->argv_used++;
	sp->count++;
	f->flags |= it->flags & (EBPFPUB_FIELD_TRUNCATED | EBPFPUB_FIELD_UNREADABLE);
	f->flags &= ~(uint32_t)EBPFPUB_FIELD_NOT_CAPTURED;
	f->type = EBPFPUB_VALUE_ARGV;
	return 0;
}

static int decode_argv_end(struct decode_ctx *x, const struct decode_item *it)
{
	struct argv_span *sp = &x->spans[it->c->arg];
	struct ebpfpub_field *f = it->f;
	struct record_argv_end end;

	if (it->len < sizeof(end)) {
		util_errf(x->err, x->err_size, "syscall '%s': short argv header item",
			  x->l->syscall);
		return -EINVAL;
	}
	memcpy(&end, it->data, sizeof(end));
	if (sp->header || sp->block || end.captured > it->c->max_items ||
	    (end.source != EBPFPUB_ARGV_FROM_CALLER && end.source != EBPFPUB_ARGV_FROM_NEW_MM)) {
		util_errf(x->err, x->err_size,
			  "syscall '%s': argv header item at offset %u is repeated or invalid (%u arguments, source %u)",
			  x->l->syscall, it->off, end.captured, end.source);
		return -EINVAL;
	}
	/* The header promises a NULL argv has no arguments. */
	if ((it->flags & EBPFPUB_FIELD_NULL) && end.captured) {
		util_errf(x->err, x->err_size,
			  "syscall '%s': argv header item at offset %u says NULL and %u arguments",
			  x->l->syscall, it->off, end.captured);
		return -EINVAL;
	}
	sp->header = true;
	sp->expect = end.captured;
	f->type = EBPFPUB_VALUE_ARGV;
	f->flags &= ~(uint32_t)EBPFPUB_FIELD_NOT_CAPTURED;
	f->flags |= it->flags;
	f->value.argv.more = end.more != 0;
	if (end.more)
		f->flags |= EBPFPUB_FIELD_TRUNCATED;
	f->value.argv.source = (enum ebpfpub_argv_source)end.source;
	return 0;
}

static int decode_argv_block_item(struct decode_ctx *x, const struct decode_item *it)
{
	struct argv_span *sp = &x->spans[it->c->arg];
	struct ebpfpub_field *f = it->f;
	int r;

	if (x->have_block) {
		util_errf(x->err, x->err_size, "syscall '%s': a second argv block at offset %u",
			  x->l->syscall, it->off);
		return -EINVAL;
	}
	/* The header promises a NULL argv has no arguments, and a block has some. */
	if ((it->flags & EBPFPUB_FIELD_NULL) && it->len) {
		util_errf(x->err, x->err_size,
			  "syscall '%s': argv block at offset %u says NULL and holds %u bytes",
			  x->l->syscall, it->off, it->len);
		return -EINVAL;
	}
	x->have_block = true;
	/* Replaces what the enter program captured. */
	memset(sp, 0, sizeof(*sp));
	sp->block = true;
	sp->base = x->argv_used;
	f->type = EBPFPUB_VALUE_ARGV;
	f->flags = 0;
	r = decode_argv_block(it->c, x->st, x->argv_used, it->data, it->len, it->flags,
			      &f->value.argv, &f->flags);
	if (r < 0)
		return r;
	sp->count = f->value.argv.count;
	x->argv_used += sp->count;
	return 0;
}

/* Reads the item at OFF (RECORD_SIZE bytes in the record) and checks it against the layout;
 * returns the offset of the next item through *NEXT. */
static int read_item(struct decode_ctx *x, const unsigned char *p, uint32_t record_size,
		     uint32_t off, struct decode_item *it, uint64_t *next)
{
	const struct layout *l = x->l;
	struct record_item hdr;

	memcpy(&hdr, p + off, sizeof(hdr));
	if (hdr.len > record_size - off - RECORD_ITEM_SIZE) {
		util_errf(x->err, x->err_size,
			  "syscall '%s': item at offset %u claims %u bytes past the record end",
			  l->syscall, off, hdr.len);
		return -EINVAL;
	}
	it->c = hdr.arg < l->arg_count ? capture_of(l, hdr.arg) : NULL;
	if (!it->c) {
		util_errf(x->err, x->err_size,
			  "syscall '%s': item at offset %u names argument %u, which is not captured",
			  l->syscall, off, hdr.arg);
		return -EINVAL;
	}
	it->f = &x->st->fields[hdr.arg];
	if (item_capture_kind(hdr.kind) >= 0 && item_capture_kind(hdr.kind) != (int)it->c->kind) {
		util_errf(x->err, x->err_size,
			  "syscall '%s': item at offset %u has kind %u, which argument '%s' does not capture",
			  l->syscall, off, hdr.kind, it->f->name);
		return -EINVAL;
	}
	it->off = off;
	it->kind = hdr.kind;
	it->len = hdr.len;
	it->flags = hdr.flags & RECORD_ITEM_FLAGS;
	it->data = (const char *)p + off + RECORD_ITEM_SIZE;
	/* In 64 bits: a length near 4 GiB must not wrap to an earlier offset. */
	*next = (uint64_t)off + RECORD_ITEM_SIZE + (((uint64_t)hdr.len + 7) & ~7ull);
	return 0;
}

/* A process context item (CGROUP_NAME, ANCESTOR) at OFF: 1 when it was one (decoded),
 * 0 when it is another kind, -EINVAL when malformed. */
static int read_context_item(struct decode_ctx *x, const unsigned char *p, uint32_t record_size,
			     uint32_t off, uint64_t *next)
{
	struct record_item hdr;
	int r;

	memcpy(&hdr, p + off, sizeof(hdr));
	if (hdr.kind != RECORD_ITEM_CGROUP_NAME && hdr.kind != RECORD_ITEM_ANCESTOR &&
	    hdr.kind != RECORD_ITEM_CGROUP_SAME)
		return 0;
	if (!x->l->context_offset || hdr.len > record_size - off - RECORD_ITEM_SIZE) {
		util_errf(x->err, x->err_size,
			  "syscall '%s': context item at offset %u: %s", x->l->syscall, off,
			  x->l->context_offset ? "its length passes the record end"
					       : "the layout has no context");
		return -EINVAL;
	}
	r = process_context_item(x->st->context, x->l->syscall, hdr.kind, hdr.arg, hdr.flags,
				 (const char *)p + off + RECORD_ITEM_SIZE, hdr.len, x->err,
				 x->err_size);
	*next = (uint64_t)off + RECORD_ITEM_SIZE + (((uint64_t)hdr.len + 7) & ~7ull);
	return r < 0 ? r : 1;
}

/* Items are applied in record order. A later STRING, BYTES or SOCKADDR item for an argument
 * replaces an earlier one (an exec's filename re-read at exit follows the one read at
 * enter), and an ARGV_BLOCK replaces the ARGV_END and ARGV_ARG items of its argument (the
 * new program's argv); ARGV_ARG items add one argument each to their field. */
static int decode_item(struct decode_ctx *x, const struct decode_item *it)
{
	switch (it->kind) {
	case RECORD_ITEM_STRING:
		return decode_string(x, it);
	case RECORD_ITEM_BYTES:
		return decode_bytes(x, it);
	case RECORD_ITEM_SOCKADDR:
		return decode_sockaddr(x, it);
	case RECORD_ITEM_ARGV_ARG:
		return decode_argv_arg(x, it);
	case RECORD_ITEM_ARGV_END:
		return decode_argv_end(x, it);
	case RECORD_ITEM_ARGV_BLOCK:
		return decode_argv_block_item(x, it);
	}
	util_errf(x->err, x->err_size, "syscall '%s': unknown item kind %u at offset %u",
		  x->l->syscall, it->kind, it->off);
	return -EINVAL;
}

/* The argv array no longer moves: point each ARGV field at its entries. */
static int finish_argv(struct decode_ctx *x)
{
	const struct layout *l = x->l;
	size_t i;

	for (i = 0; i < l->capture_count; i++) {
		const struct layout_capture *c = &l->captures[i];
		struct argv_span *sp = &x->spans[c->arg];
		struct ebpfpub_argv *argv = &x->st->fields[c->arg].value.argv;

		if (c->kind != EBPFPUB_CAPTURE_ARGV)
			continue;
		if (sp->header && sp->count != sp->expect) {
			util_errf(x->err, x->err_size,
				  "syscall '%s': argv header announces %u arguments, %u arrived",
				  l->syscall, sp->expect, sp->count);
			return -EINVAL;
		}
		argv->count = sp->count;
		argv->args = sp->count ? x->st->argv + sp->base : NULL;
		argv->arg_flags = sp->count ? x->st->argv_flags + sp->base : NULL;
	}
	return 0;
}

/* Checks the header against the layout and fills the event's fixed part. */
static int decode_header(const struct layout *l, const unsigned char *p, size_t size,
			 struct record_header *h, struct ebpfpub_event *ev, char *err,
			 size_t err_size)
{
	if (size < RECORD_HEADER_SIZE) {
		util_errf(err, err_size, "record of %zu bytes is shorter than its %u-byte header", size,
			  RECORD_HEADER_SIZE);
		return -EINVAL;
	}
	memcpy(h, p, sizeof(*h));
	if (h->size < l->fixed_size || h->size > size) {
		util_errf(err, err_size,
			  "syscall '%s': record says %u bytes, %zu arrived, at least %u expected",
			  l->syscall, h->size, size, l->fixed_size);
		return -EINVAL;
	}
	if (h->arg_count != l->arg_count) {
		util_errf(err, err_size, "syscall '%s': record has %u arguments, the syscall %u",
			  l->syscall, h->arg_count, l->arg_count);
		return -EINVAL;
	}
	*ev = zero_event;
	ev->syscall = l->syscall;
	ev->serializer = l->serializer_name;
	ev->timestamp_ns = h->enter_ns;
	ev->duration_ns = h->exit_ns >= h->enter_ns ? h->exit_ns - h->enter_ns : 0;
	ev->pid = (uint32_t)(h->pid_tgid >> 32);
	ev->tid = (uint32_t)h->pid_tgid;
	ev->uid = (uint32_t)h->uid_gid;
	ev->gid = (uint32_t)(h->uid_gid >> 32);
	ev->exit_code = h->exit_code;
	ev->probe_error = h->probe_error & RECORD_PROBE_ERRORS;
	memcpy(ev->comm, h->comm, sizeof(h->comm));
	ev->comm[sizeof(ev->comm) - 1] = '\0';
	return 0;
}

int decode_record(const struct layout *l, struct decode_state *st, const void *data,
		  size_t size, struct ebpfpub_event *ev, char *err, size_t err_size)
{
	const unsigned char *p = data;
	static const struct decode_ctx zero_ctx;
	uint64_t args[RECORD_MAX_ARGS] = { 0 };
	struct decode_ctx x = zero_ctx;   /* not an initializer: see zero_event */
	struct record_header h;
	uint64_t next;
	uint32_t off;
	int r;

	x.l = l;
	x.st = st;
	x.err = err;
	x.err_size = err_size;

	r = decode_header(l, p, size, &h, ev, err, err_size);
	if (r < 0)
		return r;
	memcpy(args, p + RECORD_OFF_ARGS, 8u * l->arg_count);
	init_fields(l, st, args);
	if (l->context_offset) {
		if (!st->context)
			return -ENOMEM;
		process_context_begin(st->context, p + l->context_offset);
	}
	for (off = l->fixed_size; h.size - off >= RECORD_ITEM_SIZE; off = (uint32_t)next) {
		struct decode_item it;

		r = read_context_item(&x, p, h.size, off, &next);
		if (r > 0)
			goto item_done;
		if (r < 0)
			return r;
		r = read_item(&x, p, h.size, off, &it, &next);
		if (r < 0)
			return r;
		r = decode_item(&x, &it);
		if (r < 0)
			return r;
item_done:
		if (next >= h.size)
			break;
	}
	r = finish_argv(&x);
	if (r < 0)
		return r;
	ev->field_count = l->arg_count;
	ev->fields = st->fields;
	if (l->context_offset)
		ev->process = process_context_finish(st->context);
	return 0;
}
