#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench startup [RUNS]: cold start to first painted main window, console vs a bare QMainWindow.
set -euo pipefail
build=${1:?build dir}
shift
exec python3 "$(dirname "$0")/startup.py" "$build" "$@"
