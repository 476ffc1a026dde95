# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Shared helpers of the sandbox tests: sourced by each tests/sandbox/*.sh.
# Needs PETFORCE_SANDBOX_DIR (the fixture's folder); PETFORCE_SANDBOX_SCRIPT defaults to scripts/sandbox.
set -euo pipefail

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SANDBOX=${PETFORCE_SANDBOX_SCRIPT:-$(cd "$TESTS_DIR/../.." && pwd)/scripts/sandbox}
: "${PETFORCE_SANDBOX_DIR:?set PETFORCE_SANDBOX_DIR to the sandbox folder}"
SB_DIR=$PETFORCE_SANDBOX_DIR

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
note() { echo "# $*"; }

sb() { "$SANDBOX" --dir "$SB_DIR" "$@"; }

load_env() {
    local env
    env=$(sb env) || fail "scripts/sandbox env failed: is the sandbox fixture up?"
    eval "$env"
    export PGCONNECT_TIMEOUT=10 AWS_MAX_ATTEMPTS=2
}

# poll SECONDS DESCRIPTION COMMAND...: run COMMAND every second until it succeeds, or fail.
poll() {
    local timeout=$1 what=$2 deadline
    shift 2
    deadline=$((SECONDS + timeout))
    until "$@"; do
        if ((SECONDS >= deadline)); then fail "timed out after ${timeout}s waiting for: $what"; fi
        sleep 1
    done
}

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }                # one value, as PGUSER
rcli() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@"; }
# aws with the endpoint passed explicitly: CLI v2 before 2.13 ignores AWS_ENDPOINT_URL (v1 ignores it for rds)
awsx() { timeout 60 aws --cli-connect-timeout 5 --cli-read-timeout 30 ${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"} "$@"; }
now_ms() { date +%s%3N; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S; }                     # epoch seconds -> ISO (UTC)

# metric_values NAMESPACE METRIC DIM_NAME DIM_VALUE START_EPOCH STAT: one value per 10 s period, oldest first
metric_values() {
    awsx cloudwatch get-metric-statistics --namespace "$1" --metric-name "$2" \
        --dimensions "Name=$3,Value=$4" --start-time "$(iso "$5")" --end-time "$(iso $(($(date +%s) + 60)))" \
        --period 10 --statistics "$6" --output text \
        --query "sort_by(Datapoints,&Timestamp)[].$6" | tr '\t' '\n' | grep -v '^None$' | grep -v '^$' || true
}

# count_log_events PATTERN START_MS: events in /ecs/petforce-production matching PATTERN since START_MS
count_log_events() {
    awsx logs filter-log-events --log-group-name /ecs/petforce-production --filter-pattern "$1" \
        --start-time "$2" --query 'length(events)' --output text
}

# Without moto_server the sandbox's AWS part is off (env exports PETFORCE_SANDBOX_AWS_OFF, the reason). The parts of
# a test that need AWS are then skipped, and the test exits 77 (SKIP_RETURN_CODE): skipped, never passed.
SKIPPED=()
aws_off() { [[ -n "${PETFORCE_SANDBOX_AWS_OFF:-}" ]]; }
skip_now() { echo "SKIP: $1: the sandbox's AWS part is off: $PETFORCE_SANDBOX_AWS_OFF"; exit 77; }
need_aws() { if aws_off; then skip_now "$1 needs AWS"; fi; }          # the whole test needs AWS
# aws_part WHAT: true when AWS is on; else WHAT is noted as skipped (and `finish` exits 77).
aws_part() {
    if aws_off; then SKIPPED+=("$1"); note "skipped (AWS part off): $1"; return 1; fi
}
finish() { if ((${#SKIPPED[@]})); then skip_now "$(printf '%s; ' "${SKIPPED[@]}" | sed 's/; $//') skipped"; fi; }

# gt A B: A > B for decimals
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
