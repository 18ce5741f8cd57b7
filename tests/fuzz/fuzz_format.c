/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for format_parse().
 *
 * With libFuzzer (clang): build with -DEBPFPUB_LIBFUZZER -fsanitize=fuzzer,address,undefined
 * and run it on a corpus directory, e.g. a copy of tests/data/formats.
 *
 * Without it, tests/fuzz/replay.c gives the main() that replays inputs: the unit suite's
 * fuzz_format_replay runs it over the committed format files.
 */

#include "format.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct format fmt;
	char err[256];
	size_t i;
	int ret;

	ret = format_parse((const char *)data, size, &fmt, err, sizeof(err));
	if (ret) {
		/* Every failure is explained; anything else than these two is a bug. */
		if ((ret != -EINVAL && ret != -ENOMEM) || (ret == -EINVAL && !err[0]))
			abort();
		return 0;
	}
	/* Touch what the parser returned so that a bad pointer shows up here. */
	for (i = 0; i < fmt.field_count; i++) {
		const struct format_field *f = &fmt.fields[i];

		if (!f->name[0] || !f->c_type[0] || format_find(&fmt, f->name) != f)
			abort();
		if ((uint64_t)f->offset + f->size > UINT32_MAX)
			abort();
	}
	for (i = 0; i < format_arg_count(&fmt); i++)
		if (!format_arg(&fmt, i) || format_arg(&fmt, i)->is_common)
			abort();
	format_release(&fmt);
	return 0;
}
