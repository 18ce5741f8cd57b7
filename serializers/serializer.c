/* SPDX-License-Identifier: Apache-2.0 */
/* Built-in serializers by syscall name; every other syscall gets the generic one. */
#include <string.h>

#include "serializer.h"

extern const struct ebpfpub_serializer serializer_connect, serializer_bind, serializer_accept,
	serializer_accept4, serializer_execve, serializer_execveat;
extern const struct serializer_ops serializer_execve_ops, serializer_execveat_ops;

static const struct {
	const char *syscall;
	const struct ebpfpub_serializer *serializer;
} builtins[] = {
	{ "connect", &serializer_connect },   { "bind", &serializer_bind },
	{ "accept", &serializer_accept },     { "accept4", &serializer_accept4 },
	{ "execve", &serializer_execve },     { "execveat", &serializer_execveat },
};

const struct ebpfpub_serializer *serializer_builtin(const char *syscall)
{
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].syscall, syscall) == 0)
			return builtins[i].serializer;
	return NULL;
}

const struct serializer_ops *serializer_ops_for(const char *syscall)
{
	if (strcmp(syscall, "execve") == 0)
		return &serializer_execve_ops;
	if (strcmp(syscall, "execveat") == 0)
		return &serializer_execveat_ops;
	return NULL;
}
