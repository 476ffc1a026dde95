#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench dashboard_idle [MINUTES]: the console with every dashboard pane live on a sandbox of its own
# (offscreen), left alone for MINUTES (default 10) after a 30 s warm-up. Measures the CPU share of one core the
# operator pays for: the console's own threads plus the processes it ran and reaped (the `aws` CLI once per
# CloudWatch refresh: cutime+cstime), each also apart, and the console's resident memory at the end.
# Prints: BENCH dashboard_idle cpu_pct=<console + children> console_cpu_pct=<own threads>
#         children_cpu_pct=<aws CLI etc.> rss_mb=<resident>
set -euo pipefail
build=${1:?build dir}
minutes=${2:-10}
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d /tmp/petforce-bench-idle.XXXXXX)
console_pid=
cleanup() {
  [ -n "$console_pid" ] && kill "$console_pid" 2>/dev/null && wait "$console_pid" 2>/dev/null || true
  "$root/scripts/sandbox" down --dir "$work/sandbox" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$root/scripts/sandbox" up --dir "$work/sandbox" >&2
eval "$("$root/scripts/sandbox" env --dir "$work/sandbox")"
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state" \
  XDG_CACHE_HOME="$work/cache" QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
"$build/app/petforce-console" --store "$work/incidents.sqlite" >"$work/console.log" 2>&1 &
console_pid=$!
sleep 30
ticks() { awk '{print $14+$15, $16+$17}' "/proc/$console_pid/stat"; }
read -r own0 kids0 < <(ticks)
t0=$(date +%s.%N)
sleep $((minutes * 60))
read -r own1 kids1 < <(ticks)
t1=$(date +%s.%N)
hz=$(getconf CLK_TCK)
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$console_pid/status")
awk -v o0="$own0" -v o1="$own1" -v k0="$kids0" -v k1="$kids1" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v rss="$rss_kb" \
  'BEGIN { s = t1 - t0; own = 100 * (o1 - o0) / hz / s; kids = 100 * (k1 - k0) / hz / s
           printf "BENCH dashboard_idle cpu_pct=%.2f console_cpu_pct=%.2f children_cpu_pct=%.2f rss_mb=%.1f\n",
           own + kids, own, kids, rss / 1024 }'
