/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel probes of the feature check that other parts of the library decide by
 * (not "features.h": that name is glibc's). */
#ifndef EBPFPUB_FEATURE_PROBES_H
#define EBPFPUB_FEATURE_PROBES_H

#include <ebpfpub/ebpfpub.h>

#include <stdbool.h>
#include <stddef.h>

/* Whether a ring buffer map can be created: the one probe for choosing the default output.
 * False also when it cannot be told (no CAP_BPF): the perf event array is the safe choice. */
bool features_have_ringbuf(void);

/* Whether tracepoint programs may call helper FUNC_ID (enum bpf_func_id). Loads a tiny
 * program that is never attached; UNKNOWN when no tracepoint program can be loaded here. */
enum ebpfpub_feature_state features_probe_helper(int func_id);

/* The first cgroup2 mount point in MOUNTINFO (a /proc/PID/mountinfo file) into PATH: YES
 * (PATH "" when no mount point fits in SIZE), NO when there is none, UNKNOWN when the file
 * cannot be read. */
enum ebpfpub_feature_state features_find_cgroup2(const char *mountinfo, char *path,
						 size_t size);

#endif
