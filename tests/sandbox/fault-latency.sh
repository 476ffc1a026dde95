#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# latency: household_members bloated 10x -> the member list's mean > 100 ms in pg_stat_statements and
# LatencyP99 > 1000 ms; heal compacts the table again.
# shellcheck source=tests/sandbox/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
load_env
trap 'sb heal latency >/dev/null 2>&1 || true' EXIT
sb heal latency >/dev/null
if [[ "$(q "SELECT count(*) FROM pg_indexes WHERE tablename = 'household_members' AND indexdef LIKE '%(household_id)%'")" != 0 ]]; then
    fail "an index on household_members(household_id) exists: this test needs the sandbox's initial schema"
fi

SLOW_SQL="SELECT round(mean_exec_time) FROM pg_stat_statements WHERE mean_exec_time > 100 AND query LIKE '%FROM household_members hm%' ORDER BY mean_exec_time DESC LIMIT 1"
t0=$(date +%s)
sb inject latency
slow=$(q "$SLOW_SQL")
[[ -n "$slow" ]] || fail "the household-members query is not among the statements with mean_exec_time > 100"
ok "household-members query mean ${slow} ms (> 100) in pg_stat_statements"
if aws_part "LatencyP99 in CloudWatch"; then
    p99_high() { local v; v=$(metric_values PetForce/API LatencyP99 Service petforce-api "$t0" Maximum | sort -g | tail -n1); [[ -n "$v" ]] && gt "$v" 1000; }
    poll 60 "LatencyP99 > 1000 ms" p99_high
    ok "LatencyP99 $(metric_values PetForce/API LatencyP99 Service petforce-api "$t0" Maximum | sort -g | tail -n1) ms (> 1000)"
fi

sb heal latency
t1=$(date +%s)
healed_calls() { (( $(q "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '%FROM household_members hm%'") >= 3 )); }
poll 60 "three member-list calls after heal" healed_calls
mean=$(q "SELECT round(sum(total_exec_time) / sum(calls)) FROM pg_stat_statements WHERE query LIKE '%FROM household_members hm%'")
if ! gt 100 "$mean"; then
    # the absolute threshold is the runbook's; on a heavily loaded machine accept a 3x drop
    gt "$slow" "$((mean * 3))" || fail "member query mean still ${mean} ms after heal (was ${slow} ms)"
    note "machine loaded: mean ${mean} ms after heal is above 100 ms but 3x below ${slow} ms"
fi
ok "after heal: member query mean ${mean} ms"
aws_off && finish
p99_low() { local v; v=$(metric_values PetForce/API LatencyP99 Service petforce-api "$t1" Maximum | tail -n1); [[ -n "$v" ]] && gt 1000 "$v"; }
poll 60 "LatencyP99 < 1000 ms after heal" p99_low
ok "after heal: LatencyP99 $(metric_values PetForce/API LatencyP99 Service petforce-api "$t1" Maximum | tail -n1) ms"
