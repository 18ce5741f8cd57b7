#!/bin/busybox sh
# /init of the guest's initramfs (run-kernel.sh): mounts the host's / read-only with a tmpfs
# overlay, mounts the kernel file systems the tests need inside it and runs guest-run.sh there.
/bin/busybox --install -s /bin
export PATH=/bin

fail() {
	echo "init: $*"
	dmesg | tail -n 20
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Tests talk to themselves over 127.0.0.1.
ip link set lo up
while read -r m; do
	insmod "/modules/$m" || fail "insmod $m failed"
done </modules.order

p9='trans=virtio,version=9p2000.L,msize=512000'
mount -t 9p -o "$p9,ro,cache=loose" hostroot /host || fail "cannot mount the host's / over 9p"
mount -t 9p -o "$p9" ctl /ctl || fail "cannot mount the control directory over 9p"
. /ctl/vm.env
mount -t tmpfs -o mode=755 rw /rw
mkdir /rw/upper /rw/work
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	fail "cannot mount the overlay"

r=/newroot
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
# What udev would add: bash's process substitution needs /dev/fd.
ln -s /proc/self/fd $r/dev/fd
ln -s /proc/self/fd/0 $r/dev/stdin
ln -s /proc/self/fd/1 $r/dev/stdout
ln -s /proc/self/fd/2 $r/dev/stderr
mount -t devpts devpts $r/dev/pts
mount -t tmpfs tmpfs $r/dev/shm
# A fast tmpfs on /tmp, unless the command runs in a checkout under the host's /tmp (as CI
# may use): then /tmp stays the host's, under the overlay, so that it is visible.
case "$(sed -n 's/^cd \(.*\) || exit 125$/\1/p' /ctl/cmd)" in
/tmp | /tmp/*) ;;
*) mount -t tmpfs -o mode=1777 tmpfs $r/tmp ;;
esac
mount -t tmpfs -o mode=755 tmpfs $r/run
mount -t tracefs tracefs $r/sys/kernel/tracing
mount -t debugfs debugfs $r/sys/kernel/debug
mount -t bpf bpf $r/sys/fs/bpf
mount -t cgroup2 cgroup2 $r/sys/fs/cgroup
mkdir -p $r/run/ebpfpub-vm
mount --bind /ctl $r/run/ebpfpub-vm
# The guest kernel's own modules and config, where modprobe and config readers look.
mkdir -p "$r/lib/modules/$VM_KVER"
mount --bind "/host$VM_TREE/lib/modules/$VM_KVER" "$r/lib/modules/$VM_KVER"
cp "/host$VM_TREE/boot/config-$VM_KVER" $r/boot/ 2>/dev/null
# Serial lines 1 and 2 carry COMMAND's stdout and stderr: no newline translation, no echo.
# They stay open here so that the ports are not shut down (and their bytes lost) in between.
exec 3>/dev/ttyS1 4>/dev/ttyS2
stty raw -echo <&3
stty raw -echo <&4

chroot $r /bin/bash /run/ebpfpub-vm/guest-run.sh 3>&- 4>&-
sync
poweroff -f
