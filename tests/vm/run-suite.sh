#!/usr/bin/env bash
# Runs the privileged test suite of the host's build directory (built already) on another
# kernel under qemu: tests/vm/run-suite.sh KERNEL [MESON TEST ARGS...], KERNEL as for
# run-kernel.sh (6.1, 6.12 or a package name). CI=true makes a skipped test fail, as in CI;
# EBPFPUB_TEST_GUEST tells the tests that they run in a guest (no container runtime there).
# BUILD_DIR chooses the build directory (default build); RUN_KERNEL_ARGS passes options to
# run-kernel.sh (e.g. "--timeout 900"). The guest reads the build directory live: do not
# rebuild it while the suite runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 1 ] || { echo "usage: $0 KERNEL [MESON TEST ARGS...]" >&2; exit 2; }
kernel=$1
shift
build=${BUILD_DIR:-build}
[ -f "$build/build.ninja" ] || { echo "run-suite: no $build/ here: run scripts/bootstrap.sh first" >&2; exit 2; }
# shellcheck disable=SC2086
exec tests/vm/run-kernel.sh ${RUN_KERNEL_ARGS:-} "$kernel" -- \
	env CI=true EBPFPUB_TEST_GUEST=1 meson test -C "$build" --suite privileged --print-errorlogs --no-rebuild "$@"
