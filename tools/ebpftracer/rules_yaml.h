/* SPDX-License-Identifier: Apache-2.0 */
/* Rule files (YAML, libyaml) turned into the library's ebpfpub_rule objects and the actions
 * that ebpftracer runs itself (print, exec). */
#ifndef EBPFTRACER_RULES_YAML_H
#define EBPFTRACER_RULES_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebpfpub/ebpfpub.h>

/* Where something was written: for messages. */
struct yaml_where {
	const char *file;   /* borrowed from struct rules_yaml.files */
	unsigned line, column;
};

struct arg_mark {
	char *arg;
	struct yaml_where at;
};

struct tracer_rule {
	struct ebpfpub_rule *rule;
	const char *name;        /* the rule's own */
	struct yaml_where at;
	bool print;
	int signo;               /* kill / signal: sent by the program */
	char **exec_argv;        /* NULL-terminated, or NULL */
	struct arg_mark *args;   /* where each argument's conditions are, for the library's errors */
	size_t arg_count;
	uint64_t matches;
};

struct rules_yaml {
	struct tracer_rule *rules;
	size_t count;
	char **syscalls;         /* the union of the rules' syscalls, in the order first named */
	size_t syscall_count;
	char **files;            /* the files read */
	size_t file_count;
};

/*
 * Reads PATH (a rule file, or a directory whose *.yaml files are read in name order) into
 * OUT. KNOWN (NULL-terminated, or NULL not to check) are the syscalls that exist. On error
 * returns -1 with "FILE:LINE:COLUMN: message" in ERR, OUT left empty.
 */
int rules_yaml_load(const char *path, char *const *known, struct rules_yaml *out, char *err,
		    size_t err_size);
void rules_yaml_release(struct rules_yaml *r);
/* Where the library's complaint about RULE most likely points: the argument it names. */
struct yaml_where rules_yaml_locate(const struct tracer_rule *rule, const char *message);

#endif
