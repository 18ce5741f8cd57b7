#!/usr/bin/env bash
# Sets everything up (scripts/bootstrap.sh) and runs every test suite: unit (no privilege),
# privileged (loads programs into the running kernel) and packaging (.deb/.rpm).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
meson test -C build --print-errorlogs --num-processes 2 "$@"
