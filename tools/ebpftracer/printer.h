/* SPDX-License-Identifier: Apache-2.0 */
/* The two event printers: the text form people read and the JSON lines programs read. */
#ifndef EBPFTRACER_PRINTER_H
#define EBPFTRACER_PRINTER_H

#include <ebpfpub/ebpfpub.h>

#include "outbuf.h"

/* Appends one event, whole lines only, to OUT; the caller checks OUT->error and writes. */
typedef void (*printer_event_fn)(struct outbuf *out, const struct ebpfpub_event *event);

/* Two lines (the header, then the syscall and its arguments) and an empty line. */
void print_text_event(struct outbuf *out, const struct ebpfpub_event *event);

/* One JSON object on one line. */
void print_json_event(struct outbuf *out, const struct ebpfpub_event *event);

/* Why a captured field holds no value, shared so both printers agree on the reasons. */
enum printer_missing {
	PRINTER_HAS_VALUE = 0,
	PRINTER_NULL,
	PRINTER_UNREADABLE,
	PRINTER_NOT_CAPTURED,
	PRINTER_BAD_LENGTH,
};

/*
 * The reason FIELD has no value, or PRINTER_HAS_VALUE. An argv keeps the arguments that
 * were read even when a later one was unreadable, so only an argv with none is missing.
 */
static inline enum printer_missing printer_field_missing(const struct ebpfpub_field *f)
{
	if (f->type == EBPFPUB_VALUE_ARGV && f->value.argv.count > 0)
		return PRINTER_HAS_VALUE;
	if (f->flags & EBPFPUB_FIELD_NULL)
		return PRINTER_NULL;
	if (f->flags & EBPFPUB_FIELD_UNREADABLE)
		return PRINTER_UNREADABLE;
	if (f->flags & EBPFPUB_FIELD_NOT_CAPTURED)
		return PRINTER_NOT_CAPTURED;
	if (f->flags & EBPFPUB_FIELD_BAD_LENGTH)
		return PRINTER_BAD_LENGTH;
	return PRINTER_HAS_VALUE;
}

#endif
