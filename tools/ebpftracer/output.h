/* SPDX-License-Identifier: Apache-2.0 */
/* Writing the buffered events: whole lines, once per poll batch, to a file or a pipe. */
#ifndef EBPFTRACER_OUTPUT_H
#define EBPFTRACER_OUTPUT_H

#include "outbuf.h"

/* A batch is written when it reaches this size: small enough to stay in the L2 cache
 * while write(2) copies it, large enough that the syscall costs nothing per event. */
#define OUTPUT_FLUSH_BYTES (1u << 18)

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
