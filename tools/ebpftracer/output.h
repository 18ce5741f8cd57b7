/* SPDX-License-Identifier: Apache-2.0 */
/* Writing the buffered events: whole lines, once per poll batch, to a file or a pipe. */
#ifndef EBPFTRACER_OUTPUT_H
#define EBPFTRACER_OUTPUT_H

#include "outbuf.h"

/* A batch is written when it reaches this size: small enough to stay in the L2 cache
 * while write(2) copies it, large enough that the syscall costs nothing per event. */
#define OUTPUT_FLUSH_BYTES (1u << 18)

/*
 * ... or when its oldest event has waited this long, or when the tracer is idle (a poll
 * that delivered nothing), stops or fails. A tracer that keeps up with its syscalls gets a
 * dozen events per poll: writing each poll's batch made writes of about 6 KB, which cost
 * the kernel 2.7 times as much per byte as writes of 256 KB into a file on ext4 (the
 * per-call and per-page work of the filesystem; 0.21 against 0.08 us per JSON line), most
 * of the tracer's system time. A few milliseconds are nothing to a reader, and at a rate
 * where the writes' cost matters the buffer fills first.
 */
#define OUTPUT_FLUSH_MS 5

/*
 * Writes all of B to FD and empties it. The buffer holds whole events only, so the reader
 * never sees a torn line: a short write is continued, EINTR retried, and EAGAIN (a
 * non-blocking descriptor whose reader is slow) waited out. Returns 0 or -errno (-EPIPE
 * when the reader went away); on an error B is emptied too.
 */
int output_flush(struct outbuf *b, int fd);

/* 0 when FD is open for writing, else -EBADF: then there is nowhere to write events. */
int output_writable(int fd);

#endif
