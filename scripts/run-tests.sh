#!/usr/bin/env bash
# Sets everything up (scripts/bootstrap.sh) and runs every test suite: on this machine's kernel
# unit (no privilege), privileged (loads programs into the running kernel) and packaging
# (.deb/.rpm); then, when scripts/test-llvm-matrix.sh exists, the other LLVM versions; then the
# privileged suite on Debian 12's kernels 6.1 and 6.12 under qemu (tests/vm/), both at once.
# Fails when any part fails, and prints the time each part took.
#
#   scripts/run-tests.sh [--host-only] [MESON TEST ARGS...]
#
# --host-only runs only the suites on this machine's kernel; other arguments go to that
# meson test (e.g. --suite unit).
set -euo pipefail
cd "$(dirname "$0")/.."

host_only=0
meson_args=()
for a in "$@"; do
	case $a in
	--host-only) host_only=1 ;;
	*) meson_args+=("$a") ;;
	esac
done

scripts/bootstrap.sh

failed=()
timings=()
record() {  # NAME STATUS SECONDS
	timings+=("$(printf '%-28s %4ss  %s' "$1" "$3" "$([ "$2" = 0 ] && echo ok || echo "FAILED ($2)")")")
	[ "$2" = 0 ] || failed+=("$1")
}

start=$SECONDS
status=0
meson test -C build --print-errorlogs --num-processes 2 "${meson_args[@]}" || status=$?
record "host kernel $(uname -r)" "$status" $((SECONDS - start))

if [ "$host_only" = 0 ]; then
	if [ -x scripts/test-llvm-matrix.sh ]; then
		start=$SECONDS
		status=0
		scripts/test-llvm-matrix.sh || status=$?
		record "LLVM matrix" "$status" $((SECONDS - start))
	fi

	# The guests read build/ live: nothing rebuilds it while they run. Each writes its own
	# log, printed when both are done.
	logs=build/vm-logs
	mkdir -p "$logs"
	kernels=(6.1 6.12)
	pids=()
	t0=$SECONDS
	for k in "${kernels[@]}"; do
		tests/vm/run-kernel.sh --prepare "$k" >/dev/null
		(
			s=$SECONDS
			rc=0
			tests/vm/run-suite.sh "$k" >"$logs/$k.log" 2>&1 || rc=$?
			echo "$rc $((SECONDS - s))" >"$logs/$k.status"
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
	for k in "${kernels[@]}"; do
		echo "==== privileged suite on Debian's $k kernel (qemu) ===="
		cat "$logs/$k.log"
		read -r rc secs <"$logs/$k.status"
		record "kernel $k (qemu)" "$rc" "$secs"
	done
	timings+=("$(printf '%-28s %4ss' "both kernels (concurrent)" $((SECONDS - t0)))")
fi

echo "==== run-tests: time per part ===="
printf '%s\n' "${timings[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "run-tests: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "run-tests: all parts passed"
