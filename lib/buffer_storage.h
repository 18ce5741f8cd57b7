/* SPDX-License-Identifier: Apache-2.0 */
/* The buffer storage as the tracer sees it: a map fd for the programs and the sizes that the
 * layouts are built for. */
#ifndef EBPFPUB_BUFFER_STORAGE_H
#define EBPFPUB_BUFFER_STORAGE_H

#include <ebpfpub/ebpfpub.h>

#include "layout.h"

int buffer_storage_fd(const struct ebpfpub_buffer_storage *storage);
const struct layout_storage *buffer_storage_sizes(const struct ebpfpub_buffer_storage *storage);

#endif
