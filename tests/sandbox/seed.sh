#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sandbox serves the runbook's resources through the stock clients (read-only checks).
# shellcheck source=tests/sandbox/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
load_env

# PostgreSQL: schema, sizes, no index on household_members(household_id), pg_stat_statements, roles
[[ "$(q 'SHOW max_connections')" == 40 ]] || fail "max_connections"
[[ "$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")" == 1 ]] || fail "pg_stat_statements"
for t in users households household_members join_requests; do
    [[ "$(q "SELECT to_regclass('public.$t') IS NOT NULL")" == t ]] || fail "table $t missing"
done
members=$(q "SELECT count(*) FROM household_members")
(( members >= 200000 )) || fail "$members member rows"
[[ "$(q "SELECT count(*) FROM household_members WHERE status NOT IN ('active', 'pending', 'removed')")" == 0 ]] || fail "status values"
[[ "$(q "SELECT count(*) FROM pg_indexes WHERE tablename = 'household_members' AND indexdef LIKE '%(household_id)%'")" == 0 ]] \
    || fail "an index on household_members(household_id) exists"
ok "schema: $members household_members rows, no index on household_id"
psql "$DATABASE_URL" -X -qAt -c "SELECT count(*) FROM pg_stat_activity WHERE state = 'active';" >/dev/null || fail "psql \$DATABASE_URL"
apps=$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'petforce-api'")
(( apps >= 1 )) || fail "no petforce-api sessions (load generator)"
calls=$(q "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '%household%'")
(( calls > 0 )) || fail "pg_stat_statements has no household statements"
[[ "$(psql "$PETFORCE_SANDBOX_DBA_URL" -X -qAt -c 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" == f ]] \
    || fail "the DBA role"
ok "live load: $apps petforce-api sessions, $calls household statement calls; DBA role is no superuser"

# Redis
[[ "$(rcli PING)" == PONG ]] || fail "redis PING"
keys() { [[ -n "$(rcli --scan --pattern 'household:*' | head -n1)" && -n "$(rcli --scan --pattern 'rate_limit:*' | head -n1)" ]]; }
poll 30 "household:* and rate_limit:* keys" keys
key=$(rcli --scan --pattern 'household:*' | head -n1)
rcli GET "$key" | grep -q '"name"' || fail "GET $key"
rcli INFO memory | grep -q used_memory_human || fail "INFO memory"
ok "redis: $(rcli DBSIZE) keys, e.g. $key"

aws_part "the AWS resources, log lines and metrics" || finish
# AWS, with the runbook's commands (awsx passes --endpoint-url; rds always needed it: v1 ignores AWS_ENDPOINT_URL there)
E=(--endpoint-url "$AWS_ENDPOINT_URL")
awsx ecs list-task-definitions --family petforce-api --sort DESC --output text | grep -q 'petforce-api:42' || fail "revision 42"
[[ "$(awsx ecs describe-task-definition --task-definition petforce-api:42 --query 'taskDefinition.revision' --output text)" == 42 ]] || fail "describe-task-definition"
[[ "$(awsx ecs describe-services --cluster petforce-production --services api --query 'services[0].serviceName' --output text)" == api ]] || fail "service api"
task=$(awsx ecs list-tasks --cluster petforce-production --service-name api --query 'taskArns[0]' --output text)
[[ "$(awsx ecs describe-tasks --cluster petforce-production --tasks "$task" --query 'tasks[0].containers[0].memory' --output text)" =~ ^[0-9]+$ ]] || fail "task memory"
[[ "$(awsx ecs describe-tasks --cluster petforce-production --tasks "$task" --query 'tasks[0].lastStatus' --output text)" == RUNNING ]] || fail "task RUNNING"
ok "ecs: cluster petforce-production, service api, petforce-api:42, running task ${task##*/}"
[[ "$(awsx rds describe-db-instances "${E[@]}" --db-instance-identifier petforce-production --query 'DBInstances[0].DBInstanceStatus' --output text)" == available ]] || fail "rds instance"
awsx rds describe-db-parameter-groups "${E[@]}" --db-parameter-group-name petforce-production >/dev/null || fail "rds parameter group"
[[ "$(awsx elasticache describe-cache-clusters --cache-cluster-id petforce-production-redis --query 'CacheClusters[0].Engine' --output text)" == redis ]] || fail "elasticache"
[[ "$(awsx ssm get-parameter --name /petforce/production/RATE_LIMIT_MAX_REQUESTS --query Parameter.Value --output text)" =~ ^[0-9]+$ ]] || fail "ssm"
[[ "$(awsx wafv2 list-ip-sets --scope REGIONAL --query 'length(IPSets)' --output text)" -ge 1 ]] || fail "wafv2"
ok "rds, elasticache, ssm, wafv2 resources"
streams=$(awsx logs describe-log-streams --log-group-name /ecs/petforce-production --query 'length(logStreams)' --output text)
(( streams >= 1 )) || fail "log streams"
lines() { (( $(count_log_events INFO "$(( $(date +%s) - 600 ))000") > 0 )); }
poll 30 "INFO lines in the log group" lines
metric_names() {   # NAMESPACE DIMENSION: names of the metrics with DIMENSION=petforce-api
    awsx cloudwatch list-metrics --namespace "$1" --dimensions "Name=$2,Value=petforce-api" \
        --query 'Metrics[].MetricName' --output text | tr '\t' '\n' | sort -u | xargs
}
[[ "$(metric_names AWS/ECS ServiceName)" == "CPUUtilization MemoryUtilization" ]] \
    || fail "AWS/ECS metrics: $(metric_names AWS/ECS ServiceName)"
[[ "$(metric_names PetForce/API Service)" == "ErrorRate LatencyP50 LatencyP99 RequestCount SuccessRate" ]] \
    || fail "PetForce/API metrics: $(metric_names PetForce/API Service)"
awsx cloudwatch get-metric-statistics --namespace AWS/ECS --metric-name CPUUtilization \
    --dimensions Name=ServiceName,Value=petforce-api \
    --start-time "$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%S)" --end-time "$(date -u +%Y-%m-%dT%H:%M:%S)" \
    --period 300 --statistics Average --query 'length(Datapoints)' --output text | grep -qv '^0$' || fail "runbook CPU query"
ok "logs: $streams streams; metrics: AWS/ECS and PetForce/API series present"

# what moto / AWS CLI v1 lack (documented in the README): these must fail, not hang; v2 has `logs tail`
cli=$(aws --version 2>&1)
if [[ $cli == aws-cli/2.* ]]; then
    tail_out=$(awsx logs tail /ecs/petforce-production --since 10m --filter-pattern INFO) || fail "v2 logs tail"
    grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+\+00:00 [^ ]+ .*INFO' <<< "$tail_out" || fail "v2 logs tail printed: ${tail_out:0:300}"
    ok "${cli%% *}: aws logs tail prints the log group's lines"
elif awsx logs tail /ecs/petforce-production >/dev/null 2>&1; then
    fail "aws logs tail exists in ${cli%% *} now: update the README"
fi
if awsx elasticache reboot-cache-cluster --cache-cluster-id petforce-production-redis --cache-node-ids-to-reboot 0001 >/dev/null 2>&1; then
    note "elasticache reboot-cache-cluster works now: update the README"
fi
ok "known gaps fail fast (logs tail on v1, elasticache reboot-cache-cluster)"
