/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container identity from a cgroup v2 path as the kernel names it: the kernfs names of the
 * leaf and its parents joined by '/', e.g. "/system.slice/docker-<64 hex>.scope".
 * Pure string work: no I/O, no allocation.
 *
 * Recognised (the innermost match wins, so a cgroup below a container's cgroup, such as
 * systemd's init.scope inside a container, belongs to that container):
 *   docker      docker-<64 hex>.scope, docker/<64 hex>
 *   containerd  cri-containerd-<64 hex>.scope, <prefix>:cri-containerd:<64 hex>
 *   cri-o       crio-<64 hex>.scope, crio-<64 hex>
 *   podman      libpod-<64 hex>.scope, libpod-<64 hex> (cgroupfs); libpod-conmon-* is podman's
 *               monitor, a host process, as is crio-conmon-*
 *   kubernetes  any of the above, or a bare <64 hex> (cgroupfs driver), whose parent is a pod:
 *               *kubepods*-pod<uid with '_'>.slice, or pod<uid> below a "kubepods" cgroup;
 *               pod uid: 36-char UUID (normalised with '-') or 32 hex (static pods)
 *   nspawn      machine.slice/machine-<name>.scope, <name> unescaped from systemd's \xNN;
 *               libvirt's qemu-<n>-<name> machines are VMs: their processes are host ones
 *   lxc         lxc/<name>, lxc.payload.<name>, lxc.payload/<name>; lxc.monitor* is the host
 * Anything else is the host. Hex ids must be exactly 64 lowercase hex digits: a path that
 * only looks similar is the host, never a wrong guess.
 */
#ifndef EBPFPUB_CONTAINER_ID_H
#define EBPFPUB_CONTAINER_ID_H

#include <stddef.h>

enum container_runtime {
	CONTAINER_HOST = 0,
	CONTAINER_DOCKER,
	CONTAINER_CONTAINERD,
	CONTAINER_CRIO,
	CONTAINER_PODMAN,
	CONTAINER_KUBERNETES,
	CONTAINER_NSPAWN,
	CONTAINER_LXC,
	CONTAINER_UNKNOWN,	/* the path was cut where the answer depends on it */
};

/* What the kernel side could not capture. */
#define CONTAINER_PATH_TOP_CUT	(1u << 0)	/* the first ancestors are missing */
#define CONTAINER_PATH_LEAF_CUT (1u << 1)	/* the last name is incomplete */

/* A kernfs name is at most NAME_MAX (255) bytes; an unescaped one is never longer. */
#define CONTAINER_ID_SIZE	256
#define CONTAINER_POD_UID_SIZE	37
#define CONTAINER_SHORT_ID_LEN	12

struct container_identity {
	enum container_runtime runtime;
	/* kubernetes: the runtime that made the container (CONTAINER_UNKNOWN when a cgroupfs
	 * bare id does not say); else the same as runtime */
	enum container_runtime engine;
	char id[CONTAINER_ID_SIZE];		/* "" on the host; nspawn, lxc: the name */
	char pod_uid[CONTAINER_POD_UID_SIZE];	/* kubernetes only, else "" */
};

/*
 * Fills OUT from CGROUP_PATH and FLAGS (CONTAINER_PATH_*). With LEAF_CUT the runtime is
 * unknown and the id empty (the cut name might have been a nested container). With TOP_CUT
 * a container whose parent is visible is certain; one whose parent was cut (it could have
 * been a kubernetes pod) is unknown with its id kept; no match at all is unknown, not host.
 * Returns 0, or -EINVAL (NULL argument, unknown flag bit), -ENAMETOOLONG (a name longer
 * than CONTAINER_ID_SIZE - 1: OUT is then the host).
 */
int container_identify(const char *cgroup_path, unsigned int flags, struct container_identity *out);

/* "docker", "containerd", "cri-o", "podman", "kubernetes", "nspawn", "lxc", "host", "unknown" */
const char *container_runtime_name(enum container_runtime runtime);

/* The id for text output: the first 12 characters of a hex id, the whole name for nspawn
 * and lxc. Returns 0, -EINVAL, or -ENOSPC when SIZE cannot hold it and its NUL. */
int container_short_id(const struct container_identity *ci, char *buf, size_t size);

#endif
