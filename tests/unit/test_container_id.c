/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container_identify() on the cgroup paths real runtimes create (systemd and cgroupfs
 * drivers, rootful and rootless, nested), on look-alikes that must stay the host, on
 * systemd's escapes and on paths the kernel side had to cut.
 */
#include "test.h"

#include "container_id.h"

/* Two real-looking 64-hex ids and a pod uid in both spellings. */
#define ID1 "3e2f1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD_ "6b2a0e3c_1d4f_4a5b_9c8d_7e6f5a4b3c2d"
#define POD "6b2a0e3c-1d4f-4a5b-9c8d-7e6f5a4b3c2d"
#define STATIC_POD "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define USER_SVC "/user.slice/user-1000.slice/user@1000.service"
#define KUBE_BURST "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_ ".slice"

enum { H = CONTAINER_HOST, DOCKER = CONTAINER_DOCKER, CTRD = CONTAINER_CONTAINERD,
       CRIO = CONTAINER_CRIO, PODMAN = CONTAINER_PODMAN, K8S = CONTAINER_KUBERNETES,
       NSPAWN = CONTAINER_NSPAWN, LXC = CONTAINER_LXC, UNK = CONTAINER_UNKNOWN };

struct id_case {
	const char *path;
	unsigned int flags;
	int runtime;
	int engine;
	const char *id;
	const char *pod;
};

static const struct id_case cases[] = {
	/* Docker: systemd driver, cgroupfs driver, systemd inside, Docker in Docker */
	{ "/system.slice/docker-" ID1 ".scope", 0, DOCKER, DOCKER, ID1, "" },
	{ "/docker/" ID1, 0, DOCKER, DOCKER, ID1, "" },
	{ "/system.slice/docker-" ID1 ".scope/init.scope", 0, DOCKER, DOCKER, ID1, "" },
	{ "/system.slice/docker-" ID1 ".scope/system.slice/cron.service", 0, DOCKER, DOCKER, ID1, "" },
	{ "/docker/" ID1 "/docker/" ID2, 0, DOCKER, DOCKER, ID2, "" },
	{ "//docker//" ID1 "/", 0, DOCKER, DOCKER, ID1, "" },
	/* containerd outside kubernetes, and its one-name cgroupfs form */
	{ "/system.slice/cri-containerd-" ID1 ".scope", 0, CTRD, CTRD, ID1, "" },
	{ "/system.slice/containerd.service/system.slice:cri-containerd:" ID1, 0, CTRD, CTRD, ID1, "" },
	/* CRI-O outside kubernetes */
	{ "/machine.slice/crio-" ID1 ".scope", 0, CRIO, CRIO, ID1, "" },
	{ "/crio-" ID1, 0, CRIO, CRIO, ID1, "" },
	/* Podman: rootful, rootless, cgroupfs, in a pod, with systemd inside */
	{ "/machine.slice/libpod-" ID1 ".scope", 0, PODMAN, PODMAN, ID1, "" },
	{ USER_SVC "/user.slice/libpod-" ID1 ".scope", 0, PODMAN, PODMAN, ID1, "" },
	{ USER_SVC "/user.slice/libpod-" ID1 ".scope/container", 0, PODMAN, PODMAN, ID1, "" },
	{ "/libpod_parent/libpod-" ID1, 0, PODMAN, PODMAN, ID1, "" },
	{ "/machine.slice/machine-libpod_pod_" ID2 ".slice/libpod-" ID1 ".scope", 0, PODMAN, PODMAN,
	  ID1, "" },
	/* Kubernetes, systemd driver: every QoS class, every CRI */
	{ KUBE_BURST "/cri-containerd-" ID1 ".scope", 0, K8S, CTRD, ID1, POD },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_ ".slice/crio-" ID1
	  ".scope", 0, K8S, CRIO, ID1, POD },
	{ "/kubepods.slice/kubepods-pod" POD_ ".slice/docker-" ID1 ".scope", 0, K8S, DOCKER, ID1, POD },
	{ "/kubepods.slice/kubepods-pod" STATIC_POD ".slice/cri-containerd-" ID2 ".scope", 0, K8S, CTRD,
	  ID2, STATIC_POD },
	{ "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	  "kubelet-kubepods-besteffort-pod" POD_ ".slice/cri-containerd-" ID1 ".scope", 0, K8S, CTRD, ID1,
	  POD },
	/* Kubernetes, cgroupfs driver */
	{ "/kubepods/burstable/pod" POD "/" ID1, 0, K8S, UNK, ID1, POD },
	{ "/kubepods/pod" POD "/" ID1, 0, K8S, UNK, ID1, POD },
	{ "/kubepods/besteffort/pod" POD "/crio-" ID1, 0, K8S, CRIO, ID1, POD },
	/* containerd's own form with a pod in the slice part (kind, k3s in a container) */
	{ "/system.slice/containerd.service/kubepods-burstable-pod" POD_ ".slice:cri-containerd:" ID1, 0,
	  K8S, CTRD, ID1, POD },
	/* kind: a kubernetes node in a Docker container; the pod's container is innermost */
	{ "/system.slice/docker-" ID2 ".scope/kubepods/burstable/pod" POD "/" ID1, 0, K8S, UNK, ID1, POD },
	/* Docker in a kubernetes container: the inner container is not the pod's */
	{ KUBE_BURST "/cri-containerd-" ID1 ".scope/docker/" ID2, 0, DOCKER, DOCKER, ID2, "" },
	/* systemd-nspawn, escapes */
	{ "/machine.slice/machine-debian.scope", 0, NSPAWN, NSPAWN, "debian", "" },
	{ "/machine.slice/machine-debian\\x2dbookworm.scope", 0, NSPAWN, NSPAWN, "debian-bookworm", "" },
	{ "/machine.slice/machine-my\\x2dbox\\x2e1.scope/system.slice/sshd.service", 0, NSPAWN, NSPAWN,
	  "my-box.1", "" },
	{ "/machine.slice/machine-A\\x2DB.scope", 0, NSPAWN, NSPAWN, "A-B", "" },
	/* LXC: v1 layout, LXC 4 / LXD payloads, nested cgroups inside */
	{ "/lxc/web01", 0, LXC, LXC, "web01", "" },
	{ "/lxc.payload.web01", 0, LXC, LXC, "web01", "" },
	{ "/lxc.payload.db.prod/system.slice/postgresql.service", 0, LXC, LXC, "db.prod", "" },
	{ "/lxc.payload/web01/init.scope", 0, LXC, LXC, "web01", "" },

	/* the host: services, sessions, the root, monitors, VMs */
	{ "/", 0, H, H, "", "" },
	{ "", 0, H, H, "", "" },
	{ "/init.scope", 0, H, H, "", "" },
	{ "/system.slice/sshd.service", 0, H, H, "", "" },
	{ "/system.slice/docker.service", 0, H, H, "", "" },
	{ "/system.slice/containerd.service", 0, H, H, "", "" },
	{ USER_SVC "/app.slice/app-gnome-firefox-1234.scope", 0, H, H, "", "" },
	{ "/machine.slice/libpod-conmon-" ID1 ".scope", 0, H, H, "", "" },
	{ USER_SVC "/user.slice/libpod-conmon-" ID1 ".scope", 0, H, H, "", "" },
	{ KUBE_BURST "/crio-conmon-" ID1 ".scope", 0, H, H, "", "" },
	{ "/lxc.monitor.web01", 0, H, H, "", "" },
	{ "/lxc.pivot", 0, H, H, "", "" },
	{ "/machine.slice/machine-qemu\\x2d1\\x2dwin11.scope", 0, H, H, "", "" },
	{ KUBE_BURST, 0, H, H, "", "" },
	{ "/kubepods.slice", 0, H, H, "", "" },
	/* look-alikes: never a wrong guess */
	{ "/system.slice/docker-foo.scope", 0, H, H, "", "" },
	{ "/system.slice/docker-" "3e2f1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1" ".scope",
	  0, H, H, "", "" },
	{ "/system.slice/docker-" ID1 "0.scope", 0, H, H, "", "" },
	{ "/system.slice/docker-" "3E2F1A9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F" ".scope",
	  0, H, H, "", "" },
	{ "/system.slice/docker-" ID1 ".service", 0, H, H, "", "" },
	{ "/system.slice/" ID1, 0, H, H, "", "" },
	{ "/dockerx/" ID1, 0, H, H, "", "" },
	{ "/kubepods/burstable/pod" POD "x/" ID1, 0, H, H, "", "" },
	{ "/kubepods/burstable/pod" POD_ "/" ID1, 0, H, H, "", "" },
	{ "/other/pod" POD "/" ID1, 0, H, H, "", "" },
	{ "/system.slice/machine-debian.scope", 0, H, H, "", "" },
	{ "/machine.slice/machine-.scope", 0, H, H, "", "" },
	{ "/machine.slice/machine-bad\\x2.scope", 0, H, H, "", "" },
	{ "/machine.slice/machine-bad\\xzz.scope", 0, H, H, "", "" },
	{ "/machine.slice/machine-nul\\x00.scope", 0, H, H, "", "" },
	{ "/machine.slice/machine-tail\\", 0, H, H, "", "" },
	{ "/lxc", 0, H, H, "", "" },
	{ "/lxc.payload.", 0, H, H, "", "" },
	{ "/lxc/..", 0, H, H, "", "" },
	{ "/system.slice/containerd.service/x:cri-containerd:" ID1 "z", 0, H, H, "", "" },

	/* truncation: a cut leaf is unknown, whatever came before */
	{ "/system.slice/docker-" ID1 ".scope/init.sc", CONTAINER_PATH_LEAF_CUT, UNK, UNK, "", "" },
	{ "/system.slice/docker-3e2f1a9b", CONTAINER_PATH_LEAF_CUT, UNK, UNK, "", "" },
	{ "/system.slice/sshd.serv", CONTAINER_PATH_LEAF_CUT, UNK, UNK, "", "" },
	{ "system.slice/docker-" ID1 ".sc", CONTAINER_PATH_LEAF_CUT | CONTAINER_PATH_TOP_CUT, UNK, UNK,
	  "", "" },
	/* missing ancestors: certain when the match's parent is visible */
	{ "system.slice/docker-" ID1 ".scope", CONTAINER_PATH_TOP_CUT, DOCKER, DOCKER, ID1, "" },
	{ "kubepods-burstable-pod" POD_ ".slice/cri-containerd-" ID1 ".scope", CONTAINER_PATH_TOP_CUT,
	  K8S, CTRD, ID1, POD },
	{ "docker-" ID1 ".scope/init.scope", CONTAINER_PATH_TOP_CUT, UNK, UNK, ID1, "" },
	{ "cri-containerd-" ID1 ".scope", CONTAINER_PATH_TOP_CUT, UNK, UNK, ID1, "" },
	{ "lxc.payload.web01/init.scope", CONTAINER_PATH_TOP_CUT, LXC, LXC, "web01", "" },
	{ "pod" POD "/" ID1, CONTAINER_PATH_TOP_CUT, UNK, UNK, "", "" },
	{ "machine-debian.scope", CONTAINER_PATH_TOP_CUT, UNK, UNK, "", "" },
	{ "system.slice/sshd.service", CONTAINER_PATH_TOP_CUT, UNK, UNK, "", "" },
};

static void check_case(size_t i, const struct id_case *c)
{
	struct container_identity ci;
	int err = container_identify(c->path, c->flags, &ci);

	if (err || (int)ci.runtime != c->runtime || (int)ci.engine != c->engine ||
	    strcmp(ci.id, c->id) != 0 || strcmp(ci.pod_uid, c->pod) != 0) {
		fprintf(stderr, "case %zu '%s' flags %u: err %d runtime %s engine %s id '%s' pod '%s'"
			", expected %s %s '%s' '%s'\n", i, c->path, c->flags, err,
			container_runtime_name(ci.runtime), container_runtime_name(ci.engine), ci.id,
			ci.pod_uid, container_runtime_name(c->runtime),
			container_runtime_name(c->engine), c->id, c->pod);
		test_failures++;
	}
}

static void test_names(void)
{
	CHECK_STR(container_runtime_name(CONTAINER_HOST), "host");
	CHECK_STR(container_runtime_name(CONTAINER_DOCKER), "docker");
	CHECK_STR(container_runtime_name(CONTAINER_CONTAINERD), "containerd");
	CHECK_STR(container_runtime_name(CONTAINER_CRIO), "cri-o");
	CHECK_STR(container_runtime_name(CONTAINER_PODMAN), "podman");
	CHECK_STR(container_runtime_name(CONTAINER_KUBERNETES), "kubernetes");
	CHECK_STR(container_runtime_name(CONTAINER_NSPAWN), "nspawn");
	CHECK_STR(container_runtime_name(CONTAINER_LXC), "lxc");
	CHECK_STR(container_runtime_name(CONTAINER_UNKNOWN), "unknown");
	CHECK_STR(container_runtime_name((enum container_runtime)99), "unknown");
}

static void test_short_id(void)
{
	struct container_identity ci;
	char buf[CONTAINER_SHORT_ID_LEN + 1], tiny[12];

	CHECK_INT(container_identify("/docker/" ID1, 0, &ci), 0);
	CHECK_INT(container_short_id(&ci, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "3e2f1a9b8c7d");
	CHECK_INT(container_short_id(&ci, tiny, sizeof(tiny)), -ENOSPC);
	CHECK_INT(container_identify(KUBE_BURST "/cri-containerd-" ID2 ".scope", 0, &ci), 0);
	CHECK_INT(container_short_id(&ci, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "0123456789ab");
	/* names stay whole */
	CHECK_INT(container_identify("/lxc.payload.a-rather-long-name", 0, &ci), 0);
	CHECK_INT(container_short_id(&ci, buf, sizeof(buf)), -ENOSPC);
	{
		char name[64];

		CHECK_INT(container_short_id(&ci, name, sizeof(name)), 0);
		CHECK_STR(name, "a-rather-long-name");
	}
	CHECK_INT(container_identify("/system.slice/sshd.service", 0, &ci), 0);
	CHECK_INT(container_short_id(&ci, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	CHECK_INT(container_short_id(NULL, buf, sizeof(buf)), -EINVAL);
	CHECK_INT(container_short_id(&ci, NULL, 0), -EINVAL);
}

static void test_errors(void)
{
	struct container_identity ci;
	char path[600];
	size_t i;

	CHECK_INT(container_identify(NULL, 0, &ci), -EINVAL);
	CHECK_INT(container_identify("/", 0, NULL), -EINVAL);
	CHECK_INT(container_identify("/", 4, &ci), -EINVAL);
	/* a name longer than the kernel makes: reported, and OUT says host */
	memcpy(path, "/lxc/", 5);
	for (i = 5; i < 5 + 300; i++)
		path[i] = 'n';
	path[i] = '\0';
	CHECK_INT(container_identify(path, 0, &ci), -ENAMETOOLONG);
	CHECK_INT(ci.runtime, CONTAINER_HOST);
	CHECK_STR(ci.id, "");
	/* the longest name that fits */
	path[5 + CONTAINER_ID_SIZE - 1] = '\0';
	CHECK_INT(container_identify(path, 0, &ci), 0);
	CHECK_INT(ci.runtime, CONTAINER_LXC);
	CHECK_INT(strlen(ci.id), CONTAINER_ID_SIZE - 1);
}

int main(void)
{
	size_t i;

	ASSERT(sizeof(cases) / sizeof(cases[0]) >= 30);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(i, &cases[i]);
	test_names();
	test_short_id();
	test_errors();
	printf("%zu paths\n", sizeof(cases) / sizeof(cases[0]));
	return test_finish("test_container_id");
}
