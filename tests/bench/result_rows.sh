#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench result_rows [RUNS]: a runbook SQL step returning 100,000 rows x 2 KB against the sandbox's
# PostgreSQL (issue 15, finding 4; targets: peak RSS growth under 100 MB, longest event-loop stall under 100 ms).
# Runs tst_resultbounds' bigResultStaysBounded RUNS times (default 3) on a sandbox of its own and reports each run.
# Prints: BENCH result_rows rows=100000 ms=… peak_rss_mb=… max_stall_ms=…   (one line a run)
set -euo pipefail
build=${1:?usage: result_rows.sh BUILD_DIR [RUNS]}
runs=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
exe="$build/tests/execution/tst_resultbounds"
[ -x "$exe" ] || { echo "result_rows: $exe not built" >&2; exit 2; }
dir=$(mktemp -d /tmp/petforce-bench-rows.XXXXXX)
chmod 755 "$dir"
cleanup() { "$root/scripts/sandbox" --dir "$dir" down >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
"$root/scripts/sandbox" --dir "$dir" up >/dev/null
for _ in $(seq "$runs"); do
  line=$(PETFORCE_SANDBOX_DIR="$dir" PETFORCE_SANDBOX_SCRIPT="$root/scripts/sandbox" QT_QPA_PLATFORM=offscreen \
    "$exe" bigResultStaysBounded 2>&1 | grep -o '100,000 rows x 2 KB: .*' || true)
  [ -n "$line" ] || { echo "result_rows: the test printed no figures" >&2; exit 1; }
  ms=$(sed -E 's/.*: ([0-9]+) ms,.*/\1/' <<<"$line")
  rss=$(sed -E 's/.*peak RSS \+([0-9]+) MB.*/\1/' <<<"$line")
  stall=$(sed -E 's/.*stall ([0-9]+) ms.*/\1/' <<<"$line")
  echo "BENCH result_rows rows=100000 ms=$ms peak_rss_mb=$rss max_stall_ms=$stall"
done
