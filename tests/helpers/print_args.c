/* SPDX-License-Identifier: Apache-2.0 */
/* The program that the exec tests run: prints its arguments, one per line, and exits 0. With
 * no output wanted (the tests check the traced argv, not this), it can be silenced by
 * EBPFPUB_PRINT_ARGS_QUIET; EBPFPUB_PRINT_ARGS_EXIT_ARGC makes it exit with its argc. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int i;

	/* What the running kernel gives a program started with an empty argv. */
	if (getenv("EBPFPUB_PRINT_ARGS_EXIT_ARGC"))
		return argc;
	if (getenv("EBPFPUB_PRINT_ARGS_QUIET"))
		return 0;
	for (i = 0; i < argc; i++)
		printf("argv[%d] = '%s'\n", i, argv[i]);
	return 0;
}
