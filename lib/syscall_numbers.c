/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "syscall_numbers.h"

struct syscall_number_entry {
	const char *name;
	int nr;
};

static const struct syscall_number_entry syscall_numbers_table[] = {
#include "syscall_numbers_table.h"
	{ NULL, -1 }   /* keeps the array non-empty where the table is */
};

static int compare_entry(const void *key, const void *elem)
{
	return strcmp(key, ((const struct syscall_number_entry *)elem)->name);
}

int syscall_number(const char *name)
{
	const struct syscall_number_entry *e;

	if (!name)
		return -1;
	e = bsearch(name, syscall_numbers_table, SYSCALL_NUMBERS_COUNT,
		    sizeof(syscall_numbers_table[0]), compare_entry);
	return e && e->nr < SYSCALL_NUMBERS_LIMIT ? e->nr : -1;
}
