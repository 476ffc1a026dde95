#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pool-exhausted: idle and idle-in-transaction sessions held until fewer than 2 connections are free;
# some idle longer than PETFORCE_IDLE_THRESHOLD; heal drops them.
# shellcheck source=tests/sandbox/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
load_env
trap 'sb heal pool-exhausted >/dev/null 2>&1 || true' EXIT
sb heal pool-exhausted >/dev/null

FREE_SQL="SELECT setting::int - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') FROM pg_settings WHERE name = 'max_connections'"
t0ms=$(now_ms)
sb inject pool-exhausted
free=$(q "$FREE_SQL")
(( free < 2 )) || fail "$free connections free (want < 2)"
ok "$free connection(s) free of $(q 'SHOW max_connections') (this psql included)"
stale=$(q "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle' AND now() - state_change > interval '$PETFORCE_IDLE_THRESHOLD'")
(( stale >= 1 )) || fail "no session idle for more than $PETFORCE_IDLE_THRESHOLD"
idle_tx=$(q "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'")
(( idle_tx >= 1 )) || fail "no idle-in-transaction session"
ok "$stale sessions idle > $PETFORCE_IDLE_THRESHOLD, $idle_tx idle in transaction"
if out=$(psql "$PETFORCE_SANDBOX_DBA_URL" -X -qAt -c 'SELECT 1' 2>&1); then
    fail "a non-superuser still got a connection"
fi
[[ "$out" == *"reserved for non-replication superuser"* || "$out" == *"too many clients"* ]] || fail "unexpected: $out"
ok "non-superuser refused: ${out##*FATAL:  }"
if aws_part "the API's pool ERROR lines in CloudWatch Logs"; then
    pool_errors() { (( $(count_log_events '"could not acquire connection"' "$t0ms") > 0 )); }
    poll 60 "pool ERROR lines in the log group" pool_errors
    ok "the API logs 'could not acquire connection'"
fi

sb heal pool-exhausted
free=$(q "$FREE_SQL")
(( free >= 10 )) || fail "only $free connections free after heal"
held=$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name IN ('petforce-worker', 'petforce-migrate') OR state = 'idle in transaction'")
(( held == 0 )) || fail "$held held sessions left after heal"
psql "$PETFORCE_SANDBOX_DBA_URL" -X -qAt -c 'SELECT 1' >/dev/null || fail "non-superuser still refused after heal"
ok "after heal: $free connections free, no held sessions"
finish
