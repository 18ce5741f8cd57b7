#!/bin/bash
# Runs inside the guest (chroot into the overlay of the host's /): the environment of a root
# shell, then the command run-kernel.sh wrote to cmd; its status goes back through rc.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
# test_load_all opens more than the default 1024 descriptors.
ulimit -n 1048576 2>/dev/null || ulimit -n 65536
ctl=/run/ebpfpub-vm
hostname "ebpfpub-vm" 2>/dev/null
# Pipes, not the serial ttys, as the command's stdout and stderr: the host's are not
# terminals either (meson would draw progress spinners on a tty).
exec 2> >(cat >/dev/ttyS2)
err_pid=$!
bash "$ctl/cmd" </dev/null | cat >/dev/ttyS1
status=${PIPESTATUS[0]}
exec 2>&-
wait "$err_pid"
echo "$status" >"$ctl/rc"
