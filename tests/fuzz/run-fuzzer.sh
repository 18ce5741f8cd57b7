#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds a fuzz target with clang's libFuzzer, AddressSanitizer and UBSan, and runs it.
#
#   tests/fuzz/run-fuzzer.sh TARGET [EXECS]
#
# TARGET: decode (decode_record on records, fuzz_decode.c) or format (format_parse on format
# files, fuzz_format.c). EXECS: executions to run (default 10000000); 0 runs until Ctrl-C.
# Needs clang with its fuzzer runtime (Debian: clang-14 libclang-rt-14-dev, or clang-19 with
# libclang-rt-19-dev); CLANG=... picks one. The seeds (tests/fuzz/corpus/decode, or the
# committed format files) are copied to a work corpus under $FUZZ_DIR (default
# /tmp/ebpfpub-fuzz-TARGET), which keeps what the fuzzer finds; the repository is not
# written. A crash is saved there as crash-*; copy it into the committed corpus so that the
# unit suite replays it (fuzz_*_replay).
# One job, one worker: the fuzzer uses one core.
set -eu

usage() {
	echo "usage: $0 decode|format [EXECS]" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	usage
fi
target=$1
execs=${2:-10000000}
case $execs in
'' | *[!0-9]*) echo "$0: EXECS must be a number, not '$execs'" >&2; exit 2 ;;
esac
src=$(cd "$(dirname "$0")/../.." && pwd)
dir=${FUZZ_DIR:-/tmp/ebpfpub-fuzz-$target}
formats=$src/tests/data/formats

case $target in
decode)
	sources="tests/fuzz/fuzz_decode.c lib/decode.c lib/layout.c lib/format.c lib/tracefs.c
		lib/util.c serializers/serializer.c serializers/generic.c serializers/sockaddr.c
		serializers/execve.c"
	seeds=$src/tests/fuzz/corpus/decode
	;;
format)
	sources="tests/fuzz/fuzz_format.c lib/format.c"
	seeds=$formats/events/syscalls
	;;
*)
	echo "$0: unknown target '$target' (decode or format)" >&2
	exit 2
	;;
esac

if [ -z "${CLANG:-}" ]; then
	for c in clang-19 clang-14 clang; do
		if command -v "$c" >/dev/null; then
			CLANG=$c
			break
		fi
	done
fi
[ -n "${CLANG:-}" ] || { echo "$0: no clang found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }

mkdir -p "$dir/include/ebpfpub" "$dir/corpus"
# The generated version header, as meson writes it.
version=$(sed -n "s/^ *version: '\([0-9.]*\)'.*/\1/p" "$src/meson.build" | head -n 1)
IFS=. read -r major minor patch <<EOF
$version
EOF
sed -e "s/@EBPFPUB_VERSION@/$version/" -e "s/@EBPFPUB_VERSION_MAJOR@/$major/" \
	-e "s/@EBPFPUB_VERSION_MINOR@/$minor/" -e "s/@EBPFPUB_VERSION_PATCH@/$patch/" \
	"$src/include/ebpfpub/version.h.in" >"$dir/include/ebpfpub/version.h"

bin=$dir/fuzz_$target
cd "$src"
# shellcheck disable=SC2086 # the source list is split on purpose
"$CLANG" -std=c11 -D_GNU_SOURCE -DEBPFPUB_LIBFUZZER -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$dir/include" -Iinclude -Ilib -Iserializers -Itests/common \
	$sources -lbpf -o "$bin"

# Seeds get one file each (the format files are all named "format": name them by event).
find "$seeds" -type f | sort | while IFS= read -r f; do
	case $target in
	format) [ "$(basename "$f")" = format ] || continue
		cp "$f" "$dir/corpus/$(basename "$(dirname "$f")")" ;;
	*) cp "$f" "$dir/corpus/" ;;
	esac
done
echo "$bin: $(find "$dir/corpus" -type f | wc -l) inputs in $dir/corpus, $execs executions"
runs=-runs=$execs
[ "$execs" = 0 ] && runs=
cd "$dir"
# shellcheck disable=SC2086
EBPFPUB_TEST_FORMATS=$formats exec "$bin" $runs -max_len=8192 -print_final_stats=1 \
	-artifact_prefix="$dir/" "$dir/corpus"
