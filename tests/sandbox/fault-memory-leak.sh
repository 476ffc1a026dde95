#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# memory-leak: MemoryUtilization (AWS/ECS, ServiceName=petforce-api) above 90 % and rising; heal restores it.
# shellcheck source=tests/sandbox/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
load_env
need_aws "the memory-leak fault (CloudWatch MemoryUtilization)"
trap 'sb heal memory-leak >/dev/null 2>&1 || true' EXIT
sb heal memory-leak >/dev/null

mem() { metric_values AWS/ECS MemoryUtilization ServiceName petforce-api "$1" Maximum; }
sb inject memory-leak
t0=$(date +%s)
two_points() { (( $(mem "$t0" | wc -l) >= 2 )); }
poll 90 "two MemoryUtilization datapoints after inject" two_points
mapfile -t v < <(mem "$t0")
for x in "${v[@]}"; do gt "$x" 90 || fail "MemoryUtilization $x % (want > 90): ${v[*]}"; done
gt "${v[-1]}" "${v[0]}" || fail "MemoryUtilization not rising: ${v[*]}"
ok "MemoryUtilization ${v[*]} (> 90 and rising)"

sb heal memory-leak
t1=$(date +%s)
mem_low() { local v; v=$(mem "$t1" | tail -n1); [[ -n "$v" ]] && gt 90 "$v"; }
poll 60 "MemoryUtilization < 90 % after heal" mem_low
ok "after heal: MemoryUtilization $(mem "$t1" | tail -n1) %"
