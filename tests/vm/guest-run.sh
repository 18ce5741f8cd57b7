#!/bin/bash
# Runs inside the guest (chroot into the overlay of the host's /): the environment of a root
# shell, then the command run-kernel.sh wrote to cmd; its status goes back through rc.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
# test_load_all opens more than the default 1024 descriptors.
ulimit -n 1048576 2>/dev/null || ulimit -n 65536
ctl=/run/ebpfpub-vm
hostname "ebpfpub-vm" 2>/dev/null
status=0
bash "$ctl/cmd" </dev/null >/dev/ttyS1 2>/dev/ttyS2 || status=$?
echo "$status" >"$ctl/rc"
