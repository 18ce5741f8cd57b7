/* SPDX-License-Identifier: Apache-2.0 */
/* The program that the exec tests run: prints its arguments, one per line, and exits 0. With
 * no output wanted (the tests check the traced argv, not this), it can be silenced by
 * EBPFPUB_PRINT_ARGS_QUIET. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int i;

	if (getenv("EBPFPUB_PRINT_ARGS_QUIET"))
		return 0;
	for (i = 0; i < argc; i++)
		printf("argv[%d] = '%s'\n", i, argv[i]);
	return 0;
}
