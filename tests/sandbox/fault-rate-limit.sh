#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# rate-limit: > 100 RATE_LIMIT lines in the last hour from a few hot IPs, with rate_limit:<ip> keys in
# Redis; heal stops the attack and deletes the keys.
# shellcheck source=tests/sandbox/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
load_env
trap 'sb heal rate-limit >/dev/null 2>&1 || true' EXIT
sb heal rate-limit >/dev/null
HOT=(203.0.113.7 198.51.100.23 192.0.2.50)

sb inject rate-limit
# the runbook's own diagnosis commands
n=$(awsx logs filter-log-events --log-group-name /ecs/petforce-production --filter-pattern "RATE_LIMIT" \
        --start-time "$(date -d '1 hour ago' +%s)000" --query 'length(events)' --output text)
(( n > 100 )) || fail "$n RATE_LIMIT lines in the last hour (want > 100)"
ok "$n RATE_LIMIT lines in the last hour"
top=$(rcli --scan --pattern "rate_limit:*" | xargs -I {} redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" GET {} | sort | uniq -c | sort -nr | head -20)
[[ -n "$top" ]] || fail "no rate_limit:* keys"
for ip in "${HOT[@]}"; do
    v=$(rcli GET "rate_limit:$ip")
    if ! [[ "$v" =~ ^[0-9]+$ ]] || (( v <= 100 )); then fail "rate_limit:$ip = '$v' (want > 100)"; fi
    awsx logs filter-log-events --log-group-name /ecs/petforce-production --filter-pattern "\"ip=$ip\"" \
        --start-time "$(date -d '1 hour ago' +%s)000" --query 'events[0].message' --output text | grep -q RATE_LIMIT \
        || fail "no RATE_LIMIT line for $ip"
done
ok "hot IPs ${HOT[*]} have rate_limit keys > 100 and RATE_LIMIT lines"

sb heal rate-limit
t1=$(date +%s); t1ms=$(now_ms)
for ip in "${HOT[@]}"; do
    [[ "$(rcli EXISTS "rate_limit:$ip")" == 0 ]] || fail "rate_limit:$ip still exists after heal"
done
datapoint_after_heal() { [[ -n "$(metric_values PetForce/API RequestCount Service petforce-api "$t1" Sum)" ]]; }
poll 60 "a publish after heal" datapoint_after_heal
n=$(count_log_events RATE_LIMIT "$t1ms")
(( n == 0 )) || fail "$n RATE_LIMIT lines after heal"
for ip in "${HOT[@]}"; do
    [[ "$(rcli EXISTS "rate_limit:$ip")" == 0 ]] || fail "rate_limit:$ip came back after heal"
done
ok "after heal: hot keys gone, no new RATE_LIMIT lines"
