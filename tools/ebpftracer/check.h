/* SPDX-License-Identifier: Apache-2.0 */
/* The actions that look at the machine without tracing: --list and --check. */
#ifndef EBPFTRACER_CHECK_H
#define EBPFTRACER_CHECK_H

#include "options.h"

/* Prints the traceable syscalls, one a line; returns the exit status. */
int check_list(const struct options *opts);

/* Prints the feature report; returns 0 when everything needed is there, else 1. */
int check_features(const struct options *opts);

#endif
