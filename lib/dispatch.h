/* SPDX-License-Identifier: Apache-2.0 */
/* The "dispatch" attachment: one program on raw_syscalls/sys_enter and one on
 * raw_syscalls/sys_exit tail-call the generated enter/exit programs of the syscall whose
 * number they see, through two program arrays indexed by syscall number. An untraced number
 * costs one failed tail call and a return; adding or removing a syscall is an array update
 * (no attach, no detach, no call of the others missed).
 *
 * The raw records put the number at offset 8 (long id) and the arguments at 16 + 8 * i
 * (unsigned long args[6]) on enter, the return value at 16 on exit: the offsets of
 * sys_enter_X (__syscall_nr at 8, its arguments at 16, 24...) and sys_exit_X (ret at 16).
 * So the same generated programs run unchanged under either attachment; in both the
 * arguments are what the kernel read from pt_regs (syscall_get_arguments). */
#ifndef EBPFPUB_DISPATCH_H
#define EBPFPUB_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

struct dispatch;

/* Creates the program arrays, loads both dispatchers and attaches them. */
int dispatch_new(const char *tracefs, struct dispatch **out, char *err, size_t err_size);
/* Detaches the dispatchers, then closes the arrays. Accepts NULL. */
void dispatch_free(struct dispatch *d);

/* Puts the programs of syscall NR in the arrays: the exit first, so that a call whose enter
 * program ran meets its exit program. */
int dispatch_set(struct dispatch *d, uint32_t nr, int enter_fd, int exit_fd, char *err,
		 size_t err_size);
/* Takes the enter (then, separately, the exit) program of NR out. */
void dispatch_clear_enter(struct dispatch *d, uint32_t nr);
void dispatch_clear_exit(struct dispatch *d, uint32_t nr);

/* Waits until programs taken out of the arrays have stopped running on every CPU (a program
 * that was tail-called just before may still be writing its record): the kernel runs them
 * with preemption off, so one RCU grace period (membarrier's MEMBARRIER_CMD_GLOBAL) is
 * enough. Without membarrier it returns at once; a late record is then counted malformed. */
void dispatch_wait_running(void);

/* Kernel memory of the arrays and the dispatchers. */
uint64_t dispatch_memory(const struct dispatch *d);

/* Whether dispatch can work here: the raw_syscalls tracepoints exist and a tracepoint program
 * can tail-call through a program array (loaded, never attached). UNKNOWN without the
 * privilege to load; WHY tells what is missing. */
enum ebpfpub_feature_state dispatch_probe(const char *tracefs, char *why, size_t why_size);

#endif
