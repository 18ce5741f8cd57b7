/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for format_parse().
 *
 * With libFuzzer (clang): build with -DEBPFPUB_LIBFUZZER -fsanitize=fuzzer,address,undefined
 * and run it on a corpus directory, e.g. a copy of tests/data/formats.
 *
 * Without it, main() below replays inputs: every file named on the command line, and every
 * regular file found (recursively) under a directory named there, so a crash found by a
 * fuzzer can be kept as a regression file and replayed under valgrind or a sanitizer.
 */
#ifndef EBPFPUB_LIBFUZZER
#define _GNU_SOURCE /* nftw() */
#endif

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

#ifndef EBPFPUB_LIBFUZZER
#include <ftw.h>
#include <sys/stat.h>

static size_t replayed;
static int replay_failed;

static int replay_file(const char *path)
{
	uint8_t *data = NULL, *grown;
	size_t used = 0, cap = 0, n;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (cap - used < 4096) {
			cap = cap ? cap * 2 : 8192;
			grown = realloc(data, cap);
			if (!grown) {
				free(data);
				fclose(f);
				return -1;
			}
			data = grown;
		}
		n = fread(data + used, 1, cap - used, f);
		used += n;
	} while (n);
	fclose(f);
	/* An exactly sized copy, so that reading past the input is caught. */
	grown = malloc(used ? used : 1);
	if (!grown) {
		free(data);
		return -1;
	}
	memcpy(grown, data, used);
	free(data);
	LLVMFuzzerTestOneInput(grown, used);
	free(grown);
	replayed++;
	return 0;
}

static int replay_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_F && replay_file(path))
		replay_failed = 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct stat st;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st)) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			replay_failed = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (nftw(argv[i], replay_entry, 16, FTW_PHYS))
				replay_failed = 1;
		} else if (replay_file(argv[i])) {
			replay_failed = 1;
		}
	}
	printf("replayed %zu inputs\n", replayed);
	return replay_failed;
}
#endif
