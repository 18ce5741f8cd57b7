#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for libebpfpub and builds it into build/:
# installs the build and test dependencies, mounts tracefs if it is not mounted, configures
# and builds. Safe to run again. Needs root (apt-get, mount).
set -euo pipefail
cd "$(dirname "$0")/.."

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "bootstrap: run as root (sudo $0): it installs packages and mounts tracefs" >&2
		exit 1
	fi
}

packages=(
	meson ninja-build pkg-config gcc
	llvm-19-dev libbpf-dev libelf-dev zlib1g-dev libyaml-dev
	python3 man-db
	bpftrace bpftool               # benchmark: comparison, and seeing tracers attach
	debhelper dpkg-dev lintian rpm fakeroot  # packaging
	systemd                        # systemd-analyze verify of ebpftracer.service
	valgrind                       # the decoder test under valgrind
	make file binutils             # packaging: the example agent's Makefile, rpm's file types, nm/objdump
	qemu-system-x86 busybox-static kmod xz-utils zstd  # tests/vm: other kernels under qemu
	podman runc fuse-overlayfs     # tests: a real container (crun refuses hybrid cgroups)
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	need_root
	echo "bootstrap: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Syscall tracepoints live in tracefs, which a fresh machine may not have mounted.
if [ ! -d /sys/kernel/tracing/events/syscalls ] && [ ! -d /sys/kernel/debug/tracing/events/syscalls ]; then
	need_root
	echo "bootstrap: mounting tracefs on /sys/kernel/tracing"
	mount -t tracefs nodev /sys/kernel/tracing
fi

if [ ! -f build/build.ninja ]; then
	meson setup build -Dllvm_config="${LLVM_CONFIG:-/usr/lib/llvm-19/bin/llvm-config}"
fi
ninja -C build
