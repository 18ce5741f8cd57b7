/* SPDX-License-Identifier: Apache-2.0 */
/* The process context of an event in both printers. */
#ifndef EBPFTRACER_PRINT_PROCESS_H
#define EBPFTRACER_PRINT_PROCESS_H

#include <ebpfpub/ebpfpub.h>

#include "outbuf.h"

/* " ppid: 1 auid: 1000 session_id: 3 container: docker:1a2b3c4d5e6f", for the first line. */
void print_text_process(struct outbuf *out, const struct ebpfpub_process *p);
/* "ancestors: [pid comm 'arg' ...] ...\n" when there are ancestors. */
void print_text_ancestors(struct outbuf *out, const struct ebpfpub_process *p);
/* ,"process":{...} */
void print_json_process(struct outbuf *out, const struct ebpfpub_process *p);

/*
 * Both process printers keep the text of the last context they printed and append it again
 * while the next event's context is the same (compared by value). One printer state for the
 * process, so they are for one thread; print_process_forget() drops what is kept (tests),
 * print_process_memo_hits counts the contexts appended from it.
 */
void print_process_forget(void);
extern unsigned long print_process_memo_hits;

#endif
