/* SPDX-License-Identifier: Apache-2.0 */
/* The generic serializer: every argument by value, plus each `char *` as a string read after
 * the call (paths and names are inputs that are still in place at exit). */
#include <errno.h>
#include <stdlib.h>

#include "serializer.h"

const char serializer_generic_name[] = "generic";

int serializer_generic_captures(const struct format *enter, struct ebpfpub_capture **out,
				size_t *count)
{
	size_t n = format_arg_count(enter), i, k = 0;
	struct ebpfpub_capture *caps;

	*out = NULL;
	*count = 0;
	caps = calloc(n ? n : 1, sizeof(*caps));
	if (!caps)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct format_field *f = format_arg(enter, i);

		if (f->class != FORMAT_CLASS_STRING)
			continue;
		caps[k].arg = f->name;
		caps[k].kind = EBPFPUB_CAPTURE_STRING;
		caps[k].when = EBPFPUB_AT_EXIT;
		k++;
	}
	*out = caps;
	*count = k;
	return 0;
}
