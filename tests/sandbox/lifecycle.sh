#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/sandbox's own life cycle, on a second sandbox in a folder of its own: a failed `up` leaves
# nothing running; `up` twice starts no twins; `status`/`env` work; a killed component shows as
# degraded; `down` stops everything, also after kill -9, and is idempotent.
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PETFORCE_SANDBOX_DIR=${LIFECYCLE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/petforce-sandbox-lifecycle.XXXXXX")}
# shellcheck source=tests/sandbox/common.sh
source "$TESTS_DIR/common.sh"
trap 'sb down >/dev/null 2>&1 || true; rm -rf "$SB_DIR"' EXIT

# Processes of this sandbox: those carrying its instance marker, the postmaster and its children
# (cluster name petforce-sandbox-<port>), and anything listening on its ports.
leftovers() {   # $1: "pgport redisport awsport"
    local p pg redis aws out=""
    read -r pg redis aws <<< "$1"
    [[ "$aws" != off ]] || aws=$pg   # the AWS part is off: no port of its own
    for p in /proc/[0-9]*; do
        if { tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -qxF "PETFORCE_SANDBOX_INSTANCE=$SB_DIR"; then
            out+=" ${p#/proc/}"
        fi
    done
    out+=$(pgrep -f "petforce-sandbox-$pg" | tr '\n' ' ' || true)
    out+=$(ss -Hltn "( sport = :$pg or sport = :$redis or sport = :$aws )" 2>/dev/null | tr '\n' ' ' || true)
    echo "$out" | xargs
}
ports_of() { sed -n 's/^sandbox: ports: postgres \([0-9]*\), redis \([0-9]*\), aws \([0-9]*\|off\)$/\1 \2 \3/p' "$1"; }

sb down >/dev/null   # a sandbox left in this folder by an interrupted run

# 1. a failed up (at each of two late steps) leaves nothing behind
for step in seed loadgen; do
    if PETFORCE_SANDBOX_FAIL_AT=$step sb up > "$SB_DIR.log" 2>&1; then fail "up succeeded despite FAIL_AT=$step"; fi
    ports=$(ports_of "$SB_DIR.log")
    [[ -n "$ports" ]] || { cat "$SB_DIR.log"; fail "up printed no ports"; }
    left=$(leftovers "$ports")
    [[ -z "$left" ]] || fail "failed up (at $step) left: $left"
    [[ ! -e "$SB_DIR/state.json" ]] || fail "failed up left state.json"
    ok "up failing at '$step' left nothing running"
done
rm -f "$SB_DIR.log"

# 2. up, then up again: no twins
start=$SECONDS
sb up > "$SB_DIR.log" 2>&1 || { cat "$SB_DIR.log"; fail "up failed"; }
ok "up took $((SECONDS - start))s ($(grep -o 'sandbox up in [0-9.]*s' "$SB_DIR.log"))"
ports=$(ports_of "$SB_DIR.log")
pids_before=$(cat "$SB_DIR"/run/*.pid | md5sum)
out=$(sb up 2>&1) || fail "second up failed: $out"
[[ "$out" == *"already running"* ]] || fail "second up did not report the running sandbox: $out"
[[ "$(cat "$SB_DIR"/run/*.pid | md5sum)" == "$pids_before" ]] || fail "second up changed the processes"
ok "second up reported the running sandbox"
sb status >/dev/null || fail "status of a healthy sandbox"
load_env
for v in PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE DATABASE_URL REDIS_HOST REDIS_PORT; do
    [[ -n "${!v:-}" ]] || fail "env does not set $v"
done
[[ "$(q 'SELECT 1')" == 1 ]] || fail "psql"
[[ "$(rcli PING)" == PONG ]] || fail "redis-cli"
ok "env reaches psql and redis-cli"
if aws_part "env's AWS_* and aws against moto"; then
    for v in AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION; do
        [[ -n "${!v:-}" ]] || fail "env does not set $v"
    done
    [[ "$(awsx ecs list-clusters --query 'length(clusterArns)' --output text)" == 1 ]] || fail "aws"
    ok "env reaches aws"
fi

# 3. kill -9 a component: status says so, up refuses to start twins, down still cleans everything
kill -9 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$SB_DIR/run/loadgen.pid")"
sleep 0.5
if sb status >/dev/null; then fail "status is 0 with the load generator killed"; fi
if sb up >/dev/null 2>&1; then fail "up on a partly running sandbox returned 0"; fi
ok "a killed load generator shows in status; up refuses"
kill -9 "$(head -n1 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pg"]["data"])' "$SB_DIR/state.json")/postmaster.pid")"
sb down >/dev/null || fail "down failed"
left=$(leftovers "$ports")
[[ -z "$left" ]] || fail "down left: $left"
[[ ! -e "$SB_DIR/state.json" ]] || fail "down left state.json"
out=$(sb down) || fail "second down failed"
[[ "$out" == *"nothing was running"* ]] || fail "second down: $out"
ok "down after kill -9 left nothing; a second down is a no-op"
if sb env >/dev/null 2>&1; then fail "env succeeds with no sandbox up"; fi
rm -f "$SB_DIR.log"
finish
