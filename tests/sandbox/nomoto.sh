#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A sandbox of its own on a machine without moto_server (not in Debian 12): every folder holding one is taken
# off PATH and SANDBOX_PYTHON is unset, so scripts/sandbox really falls back to the system's python3. up says in
# one line that the AWS part is off and why; PostgreSQL, Redis and the load work; the AWS faults refuse in one
# line; env exports no AWS_*; down stops everything.
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PETFORCE_SANDBOX_DIR=${NOMOTO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/petforce-sandbox-nomoto.XXXXXX")}
# shellcheck source=tests/sandbox/common.sh
source "$TESTS_DIR/common.sh"
trap 'sb down >/dev/null 2>&1 || true; rm -rf "$SB_DIR" "$SB_DIR.log"' EXIT

path=()
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
    if [[ -x "$d/moto_server" ]]; then note "off PATH: $d"; else path+=("$d"); fi
done
PATH=$(IFS=:; echo "${path[*]}")
export PATH
unset SANDBOX_PYTHON PETFORCE_SANDBOX_AWS_OFF AWS_ENDPOINT_URL
! command -v moto_server >/dev/null || fail "moto_server still on PATH"
sb down >/dev/null   # a sandbox left in this folder by an interrupted run

# 1. up: within its time, one line says the AWS part is off and why
start=$SECONDS
timeout 120 "$SANDBOX" --dir "$SB_DIR" up > "$SB_DIR.log" 2>&1 || { cat "$SB_DIR.log"; fail "up failed without moto_server"; }
took=$((SECONDS - start))
sed 's/^/  | /' "$SB_DIR.log"
off_lines=$(grep -c "AWS part off: " "$SB_DIR.log" || true)
(( off_lines == 1 )) || fail "$off_lines lines say the AWS part is off (want 1)"
grep -q "^sandbox: AWS part off: moto_server is not installed (it is not in Debian 12; install it with its Python, e.g. from PyPI as moto\[server\]); PostgreSQL, Redis and the load run without it$" \
    "$SB_DIR.log" || fail "the AWS-off line"
! grep -q Traceback "$SB_DIR.log" || fail "a traceback in up's output"
py=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["python"])' "$SB_DIR/state.json")
if "$py" -c 'import boto3' 2>/dev/null; then note "$py has boto3"; else note "$py has no boto3"; fi
ok "up without moto_server in ${took}s ($(grep -o 'sandbox up in [0-9.]*s' "$SB_DIR.log")) on $py"

# 2. status and env say so
out=$(sb status) || { echo "$out"; fail "status of a sandbox without AWS is not 0"; }
[[ "$out" == *"up; AWS part off: moto_server is not installed"* ]] || fail "status: $out"
[[ "$out" != *"moto      up"* ]] || fail "status shows moto up: $out"
env_out=$(sb env) || fail "env failed"
! grep -q '^export AWS_' <<< "$env_out" || fail "env exports AWS_*: $(grep '^export AWS_' <<< "$env_out")"
load_env
[[ -z "${AWS_ENDPOINT_URL:-}" ]] || fail "AWS_ENDPOINT_URL is set"
[[ "$PETFORCE_SANDBOX_AWS_OFF" == "moto_server is not installed"* ]] || fail "PETFORCE_SANDBOX_AWS_OFF='${PETFORCE_SANDBOX_AWS_OFF:-}'"
ok "status: AWS part off; env: no AWS_*, PETFORCE_SANDBOX_AWS_OFF='$PETFORCE_SANDBOX_AWS_OFF'"

# 3. psql and redis-cli reach it; the load writes to both
[[ "$(q 'SELECT count(*) >= 50000 FROM households')" == t ]] || fail "psql"
[[ "$(rcli PING)" == PONG ]] || fail "redis-cli"
requests=$(q 'SELECT max(id) FROM join_requests')
more_requests() { (( $(q 'SELECT max(id) FROM join_requests') > requests )); }
poll 30 "the load's join requests in PostgreSQL" more_requests
cached() { [[ -n "$(rcli --scan --pattern 'household:*' | head -n1)" && -n "$(rcli --scan --pattern 'rate_limit:*' | head -n1)" ]]; }
poll 30 "the load's household:* and rate_limit:* keys in Redis" cached
apps=$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'petforce-api'")
(( apps >= 1 )) || fail "no petforce-api sessions"
ok "psql and redis-cli work; the load inserts join requests ($requests -> $(q 'SELECT max(id) FROM join_requests')) and caches $(rcli DBSIZE) keys"

# 4. the faults that need AWS refuse in one line; rate-limit makes its Redis half; heal works
for fault in error-rate memory-leak; do
    if out=$(sb inject "$fault" 2>&1); then fail "inject $fault succeeded without AWS: $out"; fi
    [[ "$(wc -l <<< "$out")" == 1 ]] || fail "inject $fault: more than one line: $out"
    [[ "$out" == "sandbox: error: inject $fault needs the sandbox's AWS part ("*"), which is off: moto_server is not installed"* ]] \
        || fail "inject $fault: $out"
    [[ ! -e "$SB_DIR/faults/$fault.json" ]] || fail "inject $fault left a fault file"
    ok "inject $fault refuses: ${out#sandbox: error: }"
done
out=$(sb inject rate-limit) || fail "inject rate-limit: $out"
[[ "$out" == *"AWS part off"* ]] || fail "inject rate-limit does not say what it left out: $out"
for ip in 203.0.113.7 198.51.100.23 192.0.2.50; do
    v=$(rcli GET "rate_limit:$ip")
    [[ "$v" =~ ^[0-9]+$ ]] && (( v > 100 )) || fail "rate_limit:$ip = '$v' (want > 100)"
done
ok "inject rate-limit: $out"
sb heal >/dev/null || fail "heal failed"
[[ "$(rcli EXISTS rate_limit:203.0.113.7)" == 0 ]] || fail "rate_limit:203.0.113.7 left after heal"
[[ -z "$(ls "$SB_DIR/faults/"*.json 2>/dev/null)" ]] || fail "faults left after heal"
ok "heal: hot keys gone, no fault left"

# 5. down stops everything
read -r pg redis <<< "$(sed -n 's/^sandbox: ports: postgres \([0-9]*\), redis \([0-9]*\), aws off$/\1 \2/p' "$SB_DIR.log")"
[[ -n "$pg" && -n "$redis" ]] || fail "up printed no ports"
out=$(sb down) || fail "down failed"
[[ "$out" == *"stopped: loadgen, redis, postgres" ]] || fail "down: $out"
left=""
for p in /proc/[0-9]*; do
    if { tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -qxF "PETFORCE_SANDBOX_INSTANCE=$SB_DIR"; then left+=" ${p#/proc/}"; fi
done
left+=$(ss -Hltn "( sport = :$pg or sport = :$redis )" 2>/dev/null | tr '\n' ' ' || true)
[[ -z "${left// /}" ]] || fail "down left: $left"
[[ ! -e "$SB_DIR/state.json" ]] || fail "down left state.json"
ok "down stopped loadgen, redis and postgres; nothing left"
