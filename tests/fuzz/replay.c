/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main() of a fuzz target built without libFuzzer: replays inputs through
 * LLVMFuzzerTestOneInput(), every file named on the command line and every regular file found
 * (recursively) under a directory named there, each from a heap copy of exactly its size so
 * that a read past the input is caught by ASan or valgrind. A crash found by a fuzzer is kept
 * as a file of the corpus and replayed in the unit suite.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw() */
#endif

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	(void)st;
	(void)ftw;
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
	/* An empty corpus would make the replay test pass without testing anything. */
	if (!replayed) {
		fprintf(stderr, "no input replayed\n");
		replay_failed = 1;
	}
	printf("replayed %zu inputs\n", replayed);
	return replay_failed;
}
