/* SPDX-License-Identifier: Apache-2.0 */
/* x86-64 syscall numbers by tracepoint name, from a table generated at build time (see
 * gen_syscall_numbers.py): the dispatch programs index their program arrays by the number
 * the raw_syscalls tracepoints report. */
#ifndef EBPFPUB_SYSCALL_NUMBERS_H
#define EBPFPUB_SYSCALL_NUMBERS_H

/* Numbers 0 .. SYSCALL_NUMBERS_LIMIT - 1 have a slot in the program arrays. */
#define SYSCALL_NUMBERS_LIMIT 512

/* The number of syscall NAME (as its tracepoints are named), or -1 when the table has none
 * (a syscall newer than the build machine's headers, or another architecture). */
int syscall_number(const char *name);

#endif
