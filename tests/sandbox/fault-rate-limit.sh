#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# rate-limit: > 100 RATE_LIMIT lines in the last hour from a few hot IPs, with rate_limit:<ip> keys in
# Redis; heal stops the attack and deletes the keys.
# shellcheck source=tests/sandbox/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
load_env
HOT=(203.0.113.7 198.51.100.23 192.0.2.50)
if aws_off; then   # the Redis half: the hot keys come and go; the log lines and the WAF need AWS
    trap 'sb heal rate-limit >/dev/null 2>&1 || true' EXIT
    sb heal rate-limit >/dev/null
    sb inject rate-limit
    for ip in "${HOT[@]}"; do
        v=$(rcli GET "rate_limit:$ip")
        if ! [[ "$v" =~ ^[0-9]+$ ]] || (( v <= 100 )); then fail "rate_limit:$ip = '$v' (want > 100)"; fi
    done
    ok "hot IPs ${HOT[*]} have rate_limit keys > 100"
    sb heal rate-limit
    for ip in "${HOT[@]}"; do
        [[ "$(rcli EXISTS "rate_limit:$ip")" == 0 ]] || fail "rate_limit:$ip still exists after heal"
    done
    ok "after heal: hot keys gone"
    aws_part "RATE_LIMIT lines in CloudWatch Logs and the WAF fix" || finish
fi
WAF_NAME=petforce-production-blocked-ips
WAF_ID=$(awsx wafv2 list-ip-sets --scope REGIONAL --query "IPSets[?Name=='$WAF_NAME'].Id | [0]" --output text)
waf_addresses() { awsx wafv2 get-ip-set --scope REGIONAL --name "$WAF_NAME" --id "$WAF_ID" --query 'IPSet.Addresses' --output text; }
waf_set() {   # waf_set ADDRESS...: replace the set's addresses (read the lock token first)
    local token
    token=$(awsx wafv2 get-ip-set --scope REGIONAL --name "$WAF_NAME" --id "$WAF_ID" --query LockToken --output text)
    awsx wafv2 update-ip-set --scope REGIONAL --name "$WAF_NAME" --id "$WAF_ID" --lock-token "$token" --addresses "$@" >/dev/null
}
read -r -a WAF_ORIGINAL <<< "$(waf_addresses)"
cleanup() {
    sb heal rate-limit >/dev/null 2>&1 || true
    waf_set "${WAF_ORIGINAL[@]}" 2>/dev/null || true
}
trap cleanup EXIT
sb heal rate-limit >/dev/null
heartbeat() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["published_at"])' "$SB_DIR/run/loadgen.json"; }

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
    # every line that names a hot IP is a RATE_LIMIT line: ordinary traffic never comes from one (if it did,
    # it would also recreate rate_limit:<ip> after heal)
    # both counts from one answer: the load adds lines between two calls (a slower CLI start widened the gap)
    counts=$(awsx logs filter-log-events --log-group-name /ecs/petforce-production --filter-pattern "\"ip=$ip\"" \
        --start-time "$(date -d '1 hour ago' +%s)000" \
        --query "[length(events), length(events[?contains(message, 'RATE_LIMIT')])]" --output text) || fail "filter-log-events"
    read -r lines rl <<< "$counts"
    (( rl > 0 )) || fail "no RATE_LIMIT line for $ip"
    (( rl == lines )) || fail "$((lines - rl)) of the $lines lines naming $ip are not RATE_LIMIT lines"
done
ok "hot IPs ${HOT[*]} have rate_limit keys > 100, RATE_LIMIT lines and no other lines"

# the runbook's Option B fix works: block one hot IP at the WAF and its RATE_LIMIT lines stop
waf_set "${HOT[0]}/32" "${WAF_ORIGINAL[@]}"
# Taken after the update returned: a publish that started while the CLI was still writing may have read the old
# set, and its lines (stamped at or after its own heartbeat) must not count.
blocked_at=$(date +%s.%N)
publish_after() { gt "$(heartbeat)" "$1"; }
poll 60 "a publish after the WAF update" publish_after "$blocked_at"
since=$(heartbeat)
poll 60 "one more publish" publish_after "$since"
since_ms=$(awk -v t="$since" 'BEGIN { printf "%.0f", t * 1000 }')
n_blocked=$(count_log_events "\"ip=${HOT[0]}\"" "$since_ms")
n_other=$(count_log_events "\"ip=${HOT[1]}\"" "$since_ms")
(( n_blocked == 0 && n_other > 0 )) || fail "after blocking ${HOT[0]} at the WAF: $n_blocked lines from it, $n_other from ${HOT[1]}"
ok "WAF block of ${HOT[0]} stops its RATE_LIMIT lines (${HOT[1]}: $n_other)"
waf_set "${WAF_ORIGINAL[@]}"

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
