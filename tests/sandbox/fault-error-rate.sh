#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# error-rate: a faulty deployment (petforce-api:43+) -> ErrorRate > 5 % and ERROR lines; heal rolls back.
# shellcheck source=tests/sandbox/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
load_env
need_aws "the error-rate fault (a faulty ECS deployment)"
trap 'sb heal error-rate >/dev/null 2>&1 || true' EXIT
sb heal error-rate >/dev/null

t0=$(date +%s); t0ms=$(now_ms)
sb inject error-rate
svc_td=$(awsx ecs describe-services --cluster petforce-production --services api --query 'services[0].taskDefinition' --output text)
[[ "$svc_td" != *:42 ]] || fail "service still runs petforce-api:42 after inject"
ok "service api runs $svc_td"

error_rate_high() { local v; v=$(metric_values PetForce/API ErrorRate Service petforce-api "$t0" Maximum | tail -n1); [[ -n "$v" ]] && gt "$v" 5; }
poll 60 "ErrorRate > 5 % in CloudWatch" error_rate_high
ok "ErrorRate $(metric_values PetForce/API ErrorRate Service petforce-api "$t0" Maximum | tail -n1) % (> 5)"
errors_logged() { (( $(count_log_events ERROR "$t0ms") > 0 )); }
poll 60 "ERROR lines in /ecs/petforce-production" errors_logged
ok "$(count_log_events ERROR "$t0ms") ERROR lines since inject"

sb heal error-rate
t1=$(date +%s); t1ms=$(now_ms)
svc_td=$(awsx ecs describe-services --cluster petforce-production --services api --query 'services[0].taskDefinition' --output text)
[[ "$svc_td" == *:42 ]] || fail "service not rolled back to petforce-api:42 ($svc_td)"
newest=$(awsx ecs list-task-definitions --family petforce-api --status ACTIVE --query 'taskDefinitionArns[-1]' --output text)
[[ "$newest" == *:42 ]] || fail "faulty revision still ACTIVE: $newest"
ok "rolled back to petforce-api:42; faulty revision deregistered"
# (polled: a test of another area may disturb the load generator's sessions for a moment)
error_rate_low() { local v; v=$(metric_values PetForce/API ErrorRate Service petforce-api "$t1" Maximum | tail -n1); [[ -n "$v" ]] && gt 5 "$v"; }
poll 60 "ErrorRate < 5 % after heal" error_rate_low
n=$(count_log_events '"release=v1.2.0"' "$t1ms")
(( n == 0 )) || fail "$n ERROR lines of the faulty release after heal"
ok "after heal: ErrorRate $(metric_values PetForce/API ErrorRate Service petforce-api "$t1" Maximum | tail -n1) %, no ERROR lines of the faulty release"
