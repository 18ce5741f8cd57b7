#!/usr/bin/env bash
# Boots a Debian kernel package under qemu and runs one command in it as root.
#
#   tests/vm/run-kernel.sh [OPTIONS] KERNEL -- COMMAND [ARG...]
#
# KERNEL is a package name (linux-image-6.1.0-NN-amd64, linux-image-6.12.NN+deb12-amd64) or a
# shorthand, 6.1 or 6.12, for the newest such package apt offers. The package is fetched with
# apt-get download and unpacked into a cache (never into /boot). The guest sees this machine's
# / read-only through virtio-9p with a tmpfs overlay on top, so COMMAND runs with the host's
# programs and files (in the same working directory) but its writes stay in the guest.
# COMMAND's stdout and stderr go to ours; the exit status is COMMAND's, 124 when the guest
# timed out, 125 when the guest did not run it (the kernel's console log is printed then).
#
# Options:
#   --accel kvm|tcg|auto  auto (default) probes once whether KVM can boot this kernel, as nested
#                         KVM variants may hang stock kernels early in boot, and uses TCG if not
#   --timeout SECONDS     kill the guest after this long (default 1200)
#   --memory SIZE         guest memory (default 2G)
#   --smp N               guest CPUs (default: 2)
#   --cache DIR           download and unpack cache (default /var/cache/ebpfpub-vm)
#   --console             also print the guest kernel's console (verbose) to stderr
#   --prepare             only fetch and unpack the kernel and build its initramfs
set -euo pipefail

vm_dir=$(cd "$(dirname "$0")" && pwd)
accel=auto
timeout_s=1200
memory=2G
smp=2
cache=/var/cache/ebpfpub-vm
show_console=0
prepare_only=0

die() {
	echo "run-kernel: $*" >&2
	exit 125
}

usage() {
	sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2
	exit 125
}

while [ $# -gt 0 ]; do
	case $1 in
	--accel) accel=${2:?--accel needs kvm, tcg or auto}; shift 2 ;;
	--timeout) timeout_s=${2:?--timeout needs seconds}; shift 2 ;;
	--memory) memory=${2:?--memory needs a size}; shift 2 ;;
	--smp) smp=${2:?--smp needs a number}; shift 2 ;;
	--cache) cache=${2:?--cache needs a directory}; shift 2 ;;
	--console) show_console=1; shift ;;
	--prepare) prepare_only=1; shift ;;
	-h|--help) usage ;;
	--) die "no KERNEL before --" ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
kernel=$1
shift
if [ "$prepare_only" = 0 ]; then
	[ "${1:-}" = -- ] || die "expected -- COMMAND after the kernel (see --help)"
	shift
	[ $# -ge 1 ] || die "no COMMAND after --"
fi
case $accel in kvm|tcg|auto) ;; *) die "--accel must be kvm, tcg or auto, not '$accel'" ;; esac
[[ $timeout_s =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds, not '$timeout_s'"
[ "$(id -u)" = 0 ] || die "run as root: the guest shares this machine's / as root"
for tool in qemu-system-x86_64 apt-get dpkg-deb depmod modprobe xz /bin/busybox flock timeout; do
	command -v "$tool" >/dev/null || die "$tool is missing (scripts/bootstrap.sh installs it)"
done

# 6.1 and 6.12 name series; the newest package is the one with the highest version in its name.
resolve_kernel() {
	local re
	case $1 in
	6.1) re='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) re='^linux-image-6\.12\.[0-9]+\+deb12-amd64$' ;;
	linux-image-*) echo "$1"; return ;;
	*) die "unknown kernel '$1': give 6.1, 6.12 or a linux-image-* package name" ;;
	esac
	apt-cache pkgnames linux-image- | grep -E "$re" | sort -V | tail -n 1
}

pkg=$(resolve_kernel "$kernel")
[ -n "$pkg" ] || die "apt offers no package for kernel '$kernel' (run apt-get update?)"
kdir=$cache/$pkg
mkdir -p "$kdir"

# Fetch, unpack and build the initramfs once per package; the lock lets runs share the cache.
prepare_kernel() {
	local deb kver tree initrd staging mods
	deb=$(find "$kdir" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
	if [ -z "$deb" ]; then
		(cd "$kdir" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) ||
			true
		deb=$(find "$kdir" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
		[ -n "$deb" ] || die "apt-get download $pkg failed"
	fi
	tree=$kdir/tree
	rm -rf "$tree" "$kdir/initrd.img"
	dpkg-deb -x "$deb" "$tree"
	kver=$(basename "$(find "$tree/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)")
	[ -f "$tree/boot/vmlinuz-$kver" ] || die "$deb has no /boot/vmlinuz-$kver"
	# The .deb ships no modules.dep: the postinst would run depmod.
	depmod -b "$tree" "$kver"

	staging=$(mktemp -d)
	mkdir -p "$staging"/{bin,modules,proc,sys,dev,host,rw,newroot,ctl}
	cp /bin/busybox "$staging/bin/busybox"
	cp "$vm_dir/init.sh" "$staging/init"
	chmod 755 "$staging/init"
	# Load order from modprobe; built-in ones print "builtin NAME" and need nothing.
	mods=$(modprobe -d "$tree" -S "$kver" --show-depends -a 9p 9pnet_virtio overlay virtio_pci |
		awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++')
	: >"$staging/modules.order"
	local m name
	for m in $mods; do
		name=$(basename "$m")
		case $name in
		*.ko.xz) xz -dc "$m" >"$staging/modules/${name%.xz}"; name=${name%.xz} ;;
		*.ko.zst) zstd -qdc "$m" >"$staging/modules/${name%.zst}"; name=${name%.zst} ;;
		*.ko) cp "$m" "$staging/modules/$name" ;;
		*) die "unexpected module file $m" ;;
		esac
		echo "$name" >>"$staging/modules.order"
	done
	(cd "$staging" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 >"$kdir/initrd.img.tmp")
	rm -rf "$staging"
	mv "$kdir/initrd.img.tmp" "$kdir/initrd.img"
	echo "$kver" >"$kdir/kver"
}

exec 9>"$kdir/lock"
flock 9
if [ ! -f "$kdir/kver" ] || [ ! -f "$kdir/initrd.img" ] || [ "$vm_dir/init.sh" -nt "$kdir/initrd.img" ] ||
	[ "$0" -nt "$kdir/initrd.img" ]; then
	echo "run-kernel: preparing $pkg in $kdir" >&2
	rm -f "$kdir/kver"
	prepare_kernel
fi
flock -u 9
kver=$(cat "$kdir/kver")
tree=$kdir/tree
[ "$prepare_only" = 0 ] || { echo "$kdir"; exit 0; }

run=$(mktemp -d /tmp/ebpfpub-vm.XXXXXX)
qemu_pid=
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# boot_guest ACCEL TIMEOUT CTL: boots with CTL as the control directory; returns timeout's status.
boot_guest() {
	local acc=$1 secs=$2 ctl=$3 accel_args out err
	if [ "$acc" = kvm ]; then
		accel_args=(-accel kvm -cpu host)
	else
		accel_args=(-accel tcg,thread=multi -cpu max)
	fi
	# The guest's serial lines 1 and 2 reach our stdout and stderr through FIFOs and cat, which
	# writes through our own descriptors (a file opened again would have its own offset).
	out=$ctl/stdout.fifo
	err=$ctl/stderr.fifo
	rm -f "$out" "$err"
	mkfifo "$out" "$err"
	local cats=() con=$ctl/console.fifo verbosity="quiet loglevel=4"
	[ "$show_console" = 0 ] || verbosity="loglevel=7"
	rm -f "$con"
	mkfifo "$con"
	cat "$out" &
	cats+=($!)
	cat "$err" >&2 &
	cats+=($!)
	if [ "$show_console" = 1 ]; then tee "$ctl/console.log" <"$con" >&2 & else cat "$con" >"$ctl/console.log" & fi
	cats+=($!)
	# Our own write ends keep the cats waiting until qemu is done, even if it never opens them.
	exec 6>"$con" 7>"$out" 8>"$err"
	cp "$vm_dir/guest-run.sh" "$ctl/guest-run.sh"
	printf 'VM_KVER=%q\nVM_TREE=%q\n' "$kver" "$tree" >"$ctl/vm.env"
	timeout -k 5 "$secs" qemu-system-x86_64 \
		-nodefaults -no-user-config -display none -no-reboot \
		-machine q35 "${accel_args[@]}" -smp "$smp" -m "$memory" \
		-kernel "$tree/boot/vmlinuz-$kver" -initrd "$kdir/initrd.img" \
		-append "console=ttyS0 $verbosity panic=-1 mitigations=off" \
		-serial "file:$con" \
		-chardev "file,id=gout,path=$out" -device isa-serial,chardev=gout,index=1 \
		-chardev "file,id=gerr,path=$err" -device isa-serial,chardev=gerr,index=2 \
		-fsdev local,id=hostroot,path=/,security_model=passthrough,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
		-fsdev "local,id=ctl,path=$ctl,security_model=none" \
		-device virtio-9p-pci,fsdev=ctl,mount_tag=ctl \
		</dev/null 6>&- 7>&- 8>&- &
	qemu_pid=$!
	local rc=0
	wait "$qemu_pid" || rc=$?
	qemu_pid=
	exec 6>&- 7>&- 8>&-
	wait "${cats[@]}"  # until they have copied everything
	return "$rc"
}

# A tiny boot that only reports back: whether KVM boots this kernel. Cached per host kernel.
kvm_works() {
	local stamp=$kdir/kvm-probe.$(uname -r) ctl
	if [ -f "$stamp" ]; then
		[ "$(cat "$stamp")" = ok ]
		return
	fi
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	ctl=$run/probe
	mkdir -p "$ctl"
	printf 'exit 0\n' >"$ctl/cmd"
	if boot_guest kvm 30 "$ctl" >/dev/null 2>&1 && [ "$(cat "$ctl/rc" 2>/dev/null)" = 0 ]; then
		echo ok >"$stamp"
		return 0
	fi
	echo "hangs or fails" >"$stamp"
	return 1
}

if [ "$accel" = auto ]; then
	if kvm_works; then accel=kvm; else accel=tcg; fi
fi

ctl=$run/ctl
mkdir -p "$ctl"
{
	printf 'cd %q || exit 125\n' "$PWD"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$ctl/cmd"

start=$SECONDS
status=0
boot_guest "$accel" "$timeout_s" "$ctl" || status=$?

if [ "$status" = 124 ] || [ "$status" = 137 ]; then
	echo "run-kernel: $pkg ($accel) timed out after ${timeout_s}s; last console lines:" >&2
	tail -n 30 "$ctl/console.log" >&2
	exit 124
fi
if [ ! -f "$ctl/rc" ]; then
	echo "run-kernel: $pkg ($accel) ended (qemu status $status) without running the command; console:" >&2
	tail -n 30 "$ctl/console.log" >&2
	exit 125
fi
echo "run-kernel: $pkg ($accel): status $(cat "$ctl/rc") after $((SECONDS - start))s" >&2
exit "$(cat "$ctl/rc")"
