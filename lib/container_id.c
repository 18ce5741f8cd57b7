/* SPDX-License-Identifier: Apache-2.0 */
/* Container identity from a cgroup path: one walk over the names, the innermost match wins. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "container_id.h"

#define CONTAINER_HEX_ID_LEN 64

/* One name of the path, not NUL-terminated. */
struct container_name {
	const char *s;
	size_t len;
};

struct container_match {
	enum container_runtime runtime;
	enum container_runtime engine;	/* what made it, when runtime is kubernetes */
	struct container_name id;
	struct container_name pod;	/* raw pod uid, '_' or '-' separated */
	size_t index;			/* of the matched name in the path */
	bool escaped;			/* the id is a systemd-escaped name */
	bool self_contained;		/* the name alone decides, whatever its parent */
};

static bool container_name_is(struct container_name n, const char *lit)
{
	return n.len == strlen(lit) && memcmp(n.s, lit, n.len) == 0;
}

/* Strips PREFIX and SUFFIX from N into *MID; false when N lacks either. */
static bool container_strip(struct container_name n, const char *prefix, const char *suffix,
			    struct container_name *mid)
{
	size_t p = strlen(prefix), s = strlen(suffix);

	if (n.len < p + s || memcmp(n.s, prefix, p) != 0 ||
	    memcmp(n.s + n.len - s, suffix, s) != 0)
		return false;
	mid->s = n.s + p;
	mid->len = n.len - p - s;
	return true;
}

static bool container_is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool container_is_hex_id(struct container_name n)
{
	size_t i;

	if (n.len != CONTAINER_HEX_ID_LEN)
		return false;
	for (i = 0; i < n.len; i++)
		if (!container_is_lower_hex(n.s[i]))
			return false;
	return true;
}

/* A pod uid: a UUID with SEP between its groups, or 32 hex digits (a static pod's hash). */
static bool container_is_pod_uid(struct container_name n, char sep)
{
	size_t i;

	if (n.len != 32 && n.len != 36)
		return false;
	for (i = 0; i < n.len; i++) {
		bool dash = n.len == 36 && (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? n.s[i] != sep : !container_is_lower_hex(n.s[i]))
			return false;
	}
	return true;
}

static const char *container_find(struct container_name n, const char *lit)
{
	size_t l = strlen(lit), i;

	for (i = 0; i + l <= n.len; i++)
		if (memcmp(n.s + i, lit, l) == 0)
			return n.s + i;
	return NULL;
}

/* The systemd driver's pod slice, "kubepods-burstable-pod<uid with '_'>.slice" (also under
 * "kubelet-kubepods…" in kind and the like). */
static bool container_systemd_pod(struct container_name n, struct container_name *uid)
{
	struct container_name body;
	size_t i;

	if (!container_strip(n, "", ".slice", &body) || !container_find(body, "kubepods"))
		return false;
	for (i = body.len; i >= 4; i--) {
		if (memcmp(body.s + i - 4, "-pod", 4) == 0) {
			uid->s = body.s + i;
			uid->len = body.len - i;
			return container_is_pod_uid(*uid, '_');
		}
	}
	return false;
}

/* The cgroupfs driver's "pod<uid>", valid only below a "kubepods" cgroup. */
static bool container_cgroupfs_pod(struct container_name n, bool below_kubepods,
				   struct container_name *uid)
{
	return below_kubepods && container_strip(n, "pod", "", uid) &&
	       container_is_pod_uid(*uid, '-');
}

/* Decodes systemd's \xNN escapes of N into OUT (SIZE bytes with the NUL): 0, -EINVAL for a
 * malformed escape or a control character, -ENAMETOOLONG. */
static int container_unescape(struct container_name n, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < n.len; i++) {
		unsigned char c = (unsigned char)n.s[i];

		if (c == '\\') {
			const char *hi, *lo;

			if (i + 3 >= n.len || n.s[i + 1] != 'x')
				return -EINVAL;
			hi = strchr(hex, n.s[i + 2] | 0x20);
			lo = strchr(hex, n.s[i + 3] | 0x20);
			if (!hi || !lo)
				return -EINVAL;
			c = (unsigned char)((hi - hex) << 4 | (lo - hex));
			i += 3;
		}
		if (c < 0x20 || c == 0x7f || c == '/')
			return -EINVAL;
		if (o + 1 >= size)
			return -ENAMETOOLONG;
		out[o++] = (char)c;
	}
	if (o == 0)
		return -EINVAL;
	out[o] = '\0';
	return 0;
}

/* libvirt registers its VMs with machined as "qemu-<n>-<name>": the process is the VM's
 * hypervisor on the host, not a container. */
static bool container_is_libvirt_vm(const char *name)
{
	const char *p = name + 5;

	if (strncmp(name, "qemu-", 5) != 0 || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '-';
}

/* An LXC name as LXC stores it in a cgroup name: anything printable but '/'. */
static bool container_is_lxc_name(struct container_name n)
{
	size_t i;

	if (n.len == 0 || container_name_is(n, ".") || container_name_is(n, ".."))
		return false;
	for (i = 0; i < n.len; i++)
		if ((unsigned char)n.s[i] < 0x20 || n.s[i] == 0x7f)
			return false;
	return true;
}

static bool container_set(struct container_match *m, enum container_runtime rt,
			  struct container_name id, bool self_contained)
{
	m->runtime = rt;
	m->engine = rt;
	m->id = id;
	m->escaped = false;
	m->self_contained = self_contained;
	m->pod.s = NULL;
	m->pod.len = 0;
	return true;
}

/* Matches N (whose parent is PARENT, NULL when not visible) against every layout. */
static bool container_match_name(struct container_name n, const struct container_name *parent,
				 struct container_match *m)
{
	struct container_name id, pre;
	const char *colon;

	/* The monitors share their container's prefix: refuse them first. */
	if (container_strip(n, "libpod-conmon-", "", &id) || container_strip(n, "crio-conmon-", "", &id))
		return false;
	if (container_strip(n, "docker-", ".scope", &id) && container_is_hex_id(id))
		return container_set(m, CONTAINER_DOCKER, id, false);
	if (container_strip(n, "cri-containerd-", ".scope", &id) && container_is_hex_id(id))
		return container_set(m, CONTAINER_CONTAINERD, id, false);
	if ((container_strip(n, "crio-", ".scope", &id) || container_strip(n, "crio-", "", &id)) &&
	    container_is_hex_id(id))
		return container_set(m, CONTAINER_CRIO, id, false);
	if ((container_strip(n, "libpod-", ".scope", &id) || container_strip(n, "libpod-", "", &id)) &&
	    container_is_hex_id(id))
		return container_set(m, CONTAINER_PODMAN, id, false);
	if (container_strip(n, "lxc.payload.", "", &id) && container_is_lxc_name(id))
		return container_set(m, CONTAINER_LXC, id, true);
	/* "<slice>:cri-containerd:<id>": containerd's own cgroupsPath, kept as one name when
	 * it runs with the cgroupfs driver; the pod, if any, is in the slice part. */
	colon = container_find(n, ":cri-containerd:");
	if (colon) {
		pre.s = n.s;
		pre.len = (size_t)(colon - n.s);
		id.s = colon + strlen(":cri-containerd:");
		id.len = n.len - pre.len - strlen(":cri-containerd:");
		if (!container_is_hex_id(id))
			return false;
		container_set(m, CONTAINER_CONTAINERD, id, true);
		if (container_systemd_pod(pre, &m->pod))
			m->runtime = CONTAINER_KUBERNETES;
		return true;
	}
	if (!parent)
		return false;
	if (container_name_is(*parent, "docker") && container_is_hex_id(n))
		return container_set(m, CONTAINER_DOCKER, n, false);
	if ((container_name_is(*parent, "lxc") || container_name_is(*parent, "lxc.payload")) &&
	    container_is_lxc_name(n))
		return container_set(m, CONTAINER_LXC, n, false);
	if (container_name_is(*parent, "machine.slice") &&
	    container_strip(n, "machine-", ".scope", &id)) {
		char name[CONTAINER_ID_SIZE];
		int err = container_unescape(id, name, sizeof(name));

		/* not a name systemd writes, or a VM: no match (a too long one is reported) */
		if (err == -EINVAL || (!err && container_is_libvirt_vm(name)))
			return false;
		container_set(m, CONTAINER_NSPAWN, id, false);
		m->escaped = true;
		return true;
	}
	return false;
}

static int container_copy_id(const struct container_match *m, struct container_identity *out)
{
	if (m->escaped) {
		int err = container_unescape(m->id, out->id, sizeof(out->id));

		if (err)
			out->id[0] = '\0';
		return err;	/* -EINVAL was refused by the match */
	}
	if (m->id.len >= sizeof(out->id))
		return -ENAMETOOLONG;
	memcpy(out->id, m->id.s, m->id.len);
	out->id[m->id.len] = '\0';
	return 0;
}

static void container_copy_pod(struct container_name pod, struct container_identity *out)
{
	size_t i;

	for (i = 0; i < pod.len; i++)
		out->pod_uid[i] = pod.s[i] == '_' ? '-' : pod.s[i];
	out->pod_uid[pod.len] = '\0';
}

int container_identify(const char *cgroup_path, unsigned int flags, struct container_identity *out)
{
	struct container_name prev = { NULL, 0 }, prev_pod = { NULL, 0 };
	struct container_match best = { .runtime = CONTAINER_HOST }, m;
	bool found = false, prev_is_pod = false, below_kubepods = false;
	const char *p = cgroup_path;
	size_t index = 0;
	int err;

	if (!cgroup_path || !out || (flags & ~(CONTAINER_PATH_TOP_CUT | CONTAINER_PATH_LEAF_CUT)))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->runtime = out->engine = CONTAINER_HOST;
	if (flags & CONTAINER_PATH_LEAF_CUT) {
		out->runtime = out->engine = CONTAINER_UNKNOWN;
		return 0;
	}
	while (*p) {
		struct container_name n, uid;

		if (*p == '/') {
			p++;
			continue;
		}
		n.s = p;
		n.len = strcspn(p, "/");
		p += n.len;
		if (container_match_name(n, index ? &prev : NULL, &m)) {
			m.index = index;
			if (prev_is_pod && m.runtime != CONTAINER_KUBERNETES && !m.self_contained) {
				m.pod = prev_pod;
				m.runtime = CONTAINER_KUBERNETES;
			}
			if (m.runtime == CONTAINER_KUBERNETES)
				m.self_contained = true;
			best = m;
			found = true;
		} else if (prev_is_pod && container_is_hex_id(n)) {
			/* the cgroupfs driver names the container by its bare id */
			container_set(&m, CONTAINER_KUBERNETES, n, true);
			m.engine = CONTAINER_UNKNOWN;
			m.pod = prev_pod;
			m.index = index;
			best = m;
			found = true;
		}
		prev_is_pod = container_systemd_pod(n, &uid) ||
			      container_cgroupfs_pod(n, below_kubepods, &uid);
		if (prev_is_pod)
			prev_pod = uid;
		below_kubepods = below_kubepods || container_name_is(n, "kubepods");
		prev = n;
		index++;
	}
	if (!found) {
		if (flags & CONTAINER_PATH_TOP_CUT)
			out->runtime = out->engine = CONTAINER_UNKNOWN;
		return 0;
	}
	err = container_copy_id(&best, out);
	if (err)
		return err;
	/* the parent was cut: it may have been a pod */
	if ((flags & CONTAINER_PATH_TOP_CUT) && best.index == 0 && !best.self_contained) {
		out->runtime = out->engine = CONTAINER_UNKNOWN;
		return 0;
	}
	out->runtime = best.runtime;
	out->engine = best.engine;
	if (best.runtime == CONTAINER_KUBERNETES)
		container_copy_pod(best.pod, out);
	return 0;
}

const char *container_runtime_name(enum container_runtime runtime)
{
	switch (runtime) {
	case CONTAINER_HOST:
		return "host";
	case CONTAINER_DOCKER:
		return "docker";
	case CONTAINER_CONTAINERD:
		return "containerd";
	case CONTAINER_CRIO:
		return "cri-o";
	case CONTAINER_PODMAN:
		return "podman";
	case CONTAINER_KUBERNETES:
		return "kubernetes";
	case CONTAINER_NSPAWN:
		return "nspawn";
	case CONTAINER_LXC:
		return "lxc";
	case CONTAINER_UNKNOWN:
		break;
	}
	return "unknown";
}

int container_short_id(const struct container_identity *ci, char *buf, size_t size)
{
	size_t len;

	if (!ci || !buf)
		return -EINVAL;
	len = strnlen(ci->id, sizeof(ci->id));
	/* names are short already and would lose their meaning */
	if (ci->runtime != CONTAINER_NSPAWN && ci->runtime != CONTAINER_LXC &&
	    len > CONTAINER_SHORT_ID_LEN)
		len = CONTAINER_SHORT_ID_LEN;
	if (len + 1 > size)
		return -ENOSPC;
	memcpy(buf, ci->id, len);
	buf[len] = '\0';
	return 0;
}
