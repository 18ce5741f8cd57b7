/* SPDX-License-Identifier: Apache-2.0 */
/* Task-local storage (Linux 5.11+) for the entries that carry a call's enter data to its
 * exit: one value per thread, freed with the thread, never evicted. */
#ifndef EBPFPUB_TASK_STORAGE_H
#define EBPFPUB_TASK_STORAGE_H

#include <stddef.h>
#include <stdint.h>

/* Creates a BPF_MAP_TYPE_TASK_STORAGE map of VALUE_SIZE-byte values; returns its fd, or
 * -errno with a message in ERR when this kernel cannot have one. */
int task_storage_create(uint32_t value_size, char *err, size_t err_size);

#endif
