#!/usr/bin/env bash
# Builds libebpfpub with each supported LLVM (a release build into build-llvmNN) and runs the
# unit and privileged suites there; installs llvm-NN-dev when it is missing. Prints the time
# per LLVM and fails when any build or test fails. The default LLVM (build/, 19) is tested
# by scripts/run-tests.sh, so 19 is added here only when asked.
#
#   scripts/test-llvm-matrix.sh                 # LLVM 15 and 16
#   scripts/test-llvm-matrix.sh --with-19       # and 19
#   scripts/test-llvm-matrix.sh --llvm 16       # only these (comma-separated)
#   scripts/test-llvm-matrix.sh -- ARGS         # ARGS go to meson test (e.g. a test name)
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
	sed -n '2,10s/^# \{0,1\}//p' "$0"
	exit "$1"
}

versions=(15 16)
test_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--with-19) versions+=(19) ;;
	--llvm)
		[ $# -ge 2 ] || { echo "test-llvm-matrix: --llvm needs a list, e.g. --llvm 15,16" >&2; exit 2; }
		IFS=, read -r -a versions <<<"$2"
		shift ;;
	--) shift; test_args=("$@"); break ;;
	-h|--help) usage 0 ;;
	*) echo "test-llvm-matrix: unknown argument '$1'" >&2; usage 2 >&2 ;;
	esac
	shift
done
for v in "${versions[@]}"; do
	case "$v" in
	15|16|17|18|19) ;;
	*) echo "test-llvm-matrix: LLVM '$v' is not supported (15 .. 19)" >&2; exit 2 ;;
	esac
done

# Without root the privileged suite would only skip, and a skip must not pass for a run.
if [ "$(id -u)" != 0 ]; then
	echo "test-llvm-matrix: run as root (sudo $0): it installs llvm-NN-dev and runs the privileged suite" >&2
	exit 1
fi

# apt-get waits for the dpkg lock itself; someone else's install may hold it for a while.
install_llvm() {
	local pkg="llvm-$1-dev"

	echo "test-llvm-matrix: installing $pkg"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "$pkg" \
		>/dev/null && return 0
	# A machine whose package lists are older than the archive.
	apt-get update -qq -o DPkg::Lock::Timeout=600 &&
		apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "$pkg" \
			>/dev/null
}

# Configures (or reconfigures) and builds DIR with LLVM V; warnings are errors, so that a
# new LLVM's deprecations show up here. The log is printed only when it fails.
build_one() {
	local v="$1" dir="$2" config="/usr/lib/llvm-$1/bin/llvm-config" log

	log=$(mktemp "${TMPDIR:-/tmp}/ebpfpub-llvm$1-build.XXXXXX")

	[ -x "$config" ] || install_llvm "$v" || return 1
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" -Dbuildtype=release -Dwerror=true -Dllvm_config="$config" \
			>"$log" 2>&1
	else
		meson setup "$dir" -Dbuildtype=release -Dwerror=true -Dllvm_config="$config" \
			>"$log" 2>&1
	fi && ninja -C "$dir" -j2 >>"$log" 2>&1 && rm -f "$log" && return 0
	tail -n 40 "$log" >&2
	echo "test-llvm-matrix: building with LLVM $v failed (whole log: $log)" >&2
	return 1
}

# One LLVM: build, unit, privileged. The times go to the summary.
run_one() {
	local v="$1" dir="build-llvm$1" t0 t1 t2 t3 rc=0

	t0=$(date +%s)
	if ! build_one "$v" "$dir"; then
		summary+=("LLVM $v: build FAILED after $(($(date +%s) - t0)) s")
		return 1
	fi
	t1=$(date +%s)
	meson test -C "$dir" --suite unit --print-errorlogs --num-processes 2 --no-rebuild \
		"${test_args[@]}" || rc=1
	t2=$(date +%s)
	# The *_dispatch entries repeat exact-value tests in the other attachment mode: that is
	# the tracer's choice, not LLVM's code (test_dispatch covers the code dispatch adds).
	local priv=("${test_args[@]}")
	if [ ${#priv[@]} = 0 ]; then
		mapfile -t priv < <(meson test -C "$dir" --suite privileged --list 2>/dev/null |
			sed -n 's|^.* / ||p' | grep -v '_dispatch$')
	fi
	meson test -C "$dir" --suite privileged --print-errorlogs --no-rebuild "${priv[@]}" || rc=1
	t3=$(date +%s)
	summary+=("LLVM $v: build $((t1 - t0)) s, unit $((t2 - t1)) s, privileged $((t3 - t2)) s, total $((t3 - t0)) s$([ $rc = 0 ] || echo ', FAILED')")
	return $rc
}

summary=()
failed=()
start=$(date +%s)
for v in "${versions[@]}"; do
	echo "=== LLVM $v ==="
	run_one "$v" || failed+=("$v")
done

echo "=== LLVM matrix ==="
printf '%s\n' "${summary[@]}"
echo "all: $(($(date +%s) - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
	echo "test-llvm-matrix: FAILED with LLVM ${failed[*]}" >&2
	exit 1
fi
echo "test-llvm-matrix: passed with LLVM ${versions[*]}"
