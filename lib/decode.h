/* SPDX-License-Identifier: Apache-2.0 */
/* Record bytes -> struct ebpfpub_event, with every length checked against the record. */
#ifndef EBPFPUB_DECODE_H
#define EBPFPUB_DECODE_H

#include <stddef.h>

#include <ebpfpub/ebpfpub.h>

#include "layout.h"

struct process_context_state;

/* Per-syscall decoding state, reused for every event so that decoding allocates nothing in
 * the steady state. */
struct decode_state {
	struct ebpfpub_field *fields;
	struct ebpfpub_bytes *argv;
	uint32_t *argv_flags;
	uint32_t argv_cap;
	char *scratch;            /* NUL-terminated copies of cut argv strings */
	size_t scratch_cap;
	struct process_context_state *context;  /* layouts with a context_offset */
};

int decode_state_init(struct decode_state *st, const struct layout *layout);
void decode_state_release(struct decode_state *st);

/* Decodes DATA (SIZE bytes available) into EVENT, whose pointers stay valid while DATA and ST
 * are untouched; they point into the record or into ST only, and every string is
 * NUL-terminated at its len. Items are applied in record order: a later STRING, BYTES or
 * SOCKADDR item for an argument replaces an earlier one, an ARGV_BLOCK replaces the
 * argument's enter-time argv. Returns 0, or -EINVAL with a message in ERR for a malformed
 * record (-ENOMEM when ST cannot grow). */
int decode_record(const struct layout *layout, struct decode_state *st, const void *data,
		  size_t size, struct ebpfpub_event *event, char *err, size_t err_size);

#endif
