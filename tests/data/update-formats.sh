#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regenerates tests/data/formats from the running kernel's syscall tracepoints, so that the
# fixture directory looks like a tracefs root (formats/events/syscalls/<event>/{format,id})
# and can be passed to tracefs_locate() as an override. Run as root; tracefs must be mounted.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dest="$here/formats"
src=${TRACEFS:-}

if [ -z "$src" ]; then
	for root in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		if [ -d "$root/events/syscalls" ]; then
			src=$root
			break
		fi
	done
fi
if [ -z "$src" ] || [ ! -d "$src/events/syscalls" ]; then
	echo "no tracefs with events/syscalls found: mount it with" \
	     "'mount -t tracefs nodev /sys/kernel/tracing' (or set TRACEFS=<root>)" >&2
	exit 1
fi

# Build into a temporary directory first so a failure half-way leaves the old set intact.
tmp=$(mktemp -d "$here/formats.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

count=0
for dir in "$src"/events/syscalls/*/; do
	event=$(basename "$dir")
	[ -r "$dir/format" ] || continue
	mkdir -p "$tmp/events/syscalls/$event"
	# tracefs files report size 0: cat reads them to EOF where cp might not.
	cat "$dir/format" > "$tmp/events/syscalls/$event/format"
	if [ -r "$dir/id" ]; then
		cat "$dir/id" > "$tmp/events/syscalls/$event/id"
	fi
	count=$((count + 1))
done

if [ "$count" -eq 0 ]; then
	echo "no format files under $src/events/syscalls" >&2
	exit 1
fi

uname -r > "$tmp/KERNEL_RELEASE"
chmod 755 "$tmp"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "copied $count format files from $src (kernel $(uname -r)) to $dest"
