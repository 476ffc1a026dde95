#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The runbook's "Add missing index" fix (High Latency, Option A) makes the slow household-members query
# at least 10x faster (mean_exec_time in pg_stat_statements).  Cleans up after itself: heals the latency
# fault and drops the index, so the other tests find the initial schema whatever the order.
# shellcheck source=tests/sandbox/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
load_env
cleanup() {
    sb heal latency >/dev/null 2>&1 || true
    psql -X -q -c 'DROP INDEX CONCURRENTLY IF EXISTS idx_household_members_household_id' >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

LIKE="query LIKE '%FROM household_members hm%'"
stats() { q "SELECT coalesce(sum(calls), 0) || ' ' || coalesce(round((sum(total_exec_time) / nullif(sum(calls), 0))::numeric, 3), 0) FROM pg_stat_statements WHERE $LIKE"; }
calls_at_least() { local s; s=$(stats); (( ${s%% *} >= $1 )); }

sb inject latency
poll 60 "three slow calls" calls_at_least 3
read -r calls_before mean_before <<< "$(stats)"
gt "$mean_before" 100 || fail "member query mean ${mean_before} ms before the fix (want > 100)"
ok "before the fix: mean ${mean_before} ms over ${calls_before} calls"

# the runbook's fix, verbatim
psql -X -v ON_ERROR_STOP=1 <<'SQL'
-- Add missing index
CREATE INDEX CONCURRENTLY idx_household_members_household_id
ON household_members(household_id)
WHERE status = 'active';

-- Analyze table
ANALYZE household_members;
SQL
q "SELECT pg_stat_statements_reset(0, 0, queryid) FROM pg_stat_statements WHERE $LIKE" >/dev/null
poll 60 "three calls after the fix" calls_at_least 3
read -r calls_after mean_after <<< "$(stats)"
ok "after the fix: mean ${mean_after} ms over ${calls_after} calls"
plan=$(q "EXPLAIN SELECT hm.user_id FROM household_members hm WHERE hm.household_id = 42 AND hm.status = 'active'")
[[ "$plan" == *idx_household_members_household_id* ]] || fail "the planner does not use the index: $plan"
gt "$mean_before" "$(awk -v a="$mean_after" 'BEGIN { print a * 10 }')" \
    || fail "only $(awk -v a="$mean_before" -v b="$mean_after" 'BEGIN { printf "%.1f", a / b }')x faster (want >= 10x)"
ok "$(awk -v a="$mean_before" -v b="$mean_after" 'BEGIN { printf "%.0f", a / b }')x faster"

# heal keeps what the runbook fix did
sb heal latency >/dev/null
[[ "$(q "SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_household_members_household_id'")" == 1 ]] \
    || fail "heal dropped the runbook's index"
ok "heal kept the index"
