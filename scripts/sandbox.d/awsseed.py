# SPDX-License-Identifier: MIT
"""Seeds moto_server with PetForce production's AWS resources (names from the runbook)."""

import json
import time

CLUSTER = "petforce-production"
SERVICE = "api"
FAMILY = "petforce-api"
GOOD_REVISION = 42          # the runbook's "previous healthy version"
DB_INSTANCE = "petforce-production"
DB_PARAMETER_GROUP = "petforce-production"
CACHE_CLUSTER = "petforce-production-redis"
LOG_GROUP = "/ecs/petforce-production"
SSM_RATE_LIMIT = "/petforce/production/RATE_LIMIT_MAX_REQUESTS"
WAF_IP_SET = "petforce-production-blocked-ips"
REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"


def client(endpoint, service):
    import boto3
    from botocore.config import Config
    cfg = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    return boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                 region_name=REGION).client(service, endpoint_url=endpoint, config=cfg)


def container_definition(revision, image_tag):
    return {
        "name": "api",
        "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/petforce-api:" + image_tag,
        "cpu": 512,
        "memory": 1024,
        "essential": True,
        "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
        "environment": [{"name": "NODE_ENV", "value": "production"},
                        {"name": "RELEASE", "value": "r%d" % revision}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": LOG_GROUP, "awslogs-region": REGION, "awslogs-stream-prefix": "api"}},
    }


def image_tag(revision):
    # 42 revisions over the releases v1.0.0 .. v1.1.0 (v1.1.0 is the runbook's rollback target)
    return "v1.1.0" if revision >= 40 else "v1.0.%d" % (revision // 4)


def register_revision(ecs, revision, tag):
    out = ecs.register_task_definition(
        family=FAMILY, taskRoleArn="arn:aws:iam::123456789012:role/petforce-api-task",
        executionRoleArn="arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        networkMode="bridge", cpu="512", memory="1024",
        containerDefinitions=[container_definition(revision, tag)])
    return out["taskDefinition"]["revision"]


def seed(endpoint, log=print):
    t0 = time.time()
    ecs = client(endpoint, "ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    for rev in range(1, GOOD_REVISION + 1):
        got = register_revision(ecs, rev, image_tag(rev))
        if got != rev:
            raise RuntimeError("unexpected task definition revision %s (wanted %s)" % (got, rev))
    ec2 = client(endpoint, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.%d.0/24" % i,
                                 AvailabilityZone=REGION + zone)["Subnet"]["SubnetId"]
               for i, zone in ((1, "a"), (2, "b"))]
    group = ec2.create_security_group(GroupName="petforce-api", Description="PetForce API tasks",
                                      VpcId=vpc)["GroupId"]
    net = {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group], "assignPublicIp": "DISABLED"}}
    ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition="%s:%d" % (FAMILY, GOOD_REVISION),
                       desiredCount=2, launchType="FARGATE", networkConfiguration=net)
    # moto advances a task's lastStatus each time it is described (RUNNING -> ... -> STOPPED); keep the
    # service's tasks RUNNING as in production.
    import urllib.request
    urllib.request.urlopen(urllib.request.Request(
        endpoint + "/moto-api/state-manager/set-transition", method="POST",
        data=json.dumps({"model_name": "ecs::task",
                         "transition": {"progression": "manual", "times": 10 ** 9}}).encode()), timeout=10).read()
    tasks = ecs.run_task(cluster=CLUSTER, taskDefinition="%s:%d" % (FAMILY, GOOD_REVISION), count=2,
                         launchType="FARGATE", startedBy="ecs-svc/petforce-api", group="service:" + SERVICE)["tasks"]
    # (networkMode "bridge", not awsvpc: moto 5.2's run_task fails on awsvpc ENIs)
    task_ids = [t["taskArn"].rsplit("/", 1)[-1] for t in tasks]

    rds = client(endpoint, "rds")
    rds.create_db_parameter_group(DBParameterGroupName=DB_PARAMETER_GROUP, DBParameterGroupFamily="postgres15",
                                  Description="PetForce production PostgreSQL 15")
    rds.modify_db_parameter_group(DBParameterGroupName=DB_PARAMETER_GROUP, Parameters=[
        {"ParameterName": "max_connections", "ParameterValue": "40", "ApplyMethod": "pending-reboot"}])
    rds.create_db_instance(DBInstanceIdentifier=DB_INSTANCE, DBInstanceClass="db.t3.medium", Engine="postgres",
                           EngineVersion="15.5", AllocatedStorage=100, MasterUsername="petforce",
                           MasterUserPassword="not-the-sandbox-password", DBName="petforce",
                           DBParameterGroupName=DB_PARAMETER_GROUP, MultiAZ=False)

    ec = client(endpoint, "elasticache")
    ec.create_cache_cluster(CacheClusterId=CACHE_CLUSTER, Engine="redis", EngineVersion="7.0",
                            CacheNodeType="cache.t3.medium", NumCacheNodes=1)

    logs = client(endpoint, "logs")
    logs.create_log_group(logGroupName=LOG_GROUP)
    logs.put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=30)
    streams = ["api/api/" + tid for tid in task_ids]
    for stream in streams:
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    now = int(time.time() * 1000)
    for i, stream in enumerate(streams):
        logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=[
            {"timestamp": now - 600000 + i, "message": "INFO petforce-api v1.1.0 (r%d) listening on :3000" % GOOD_REVISION},
            {"timestamp": now - 599000 + i, "message": "INFO connected to PostgreSQL petforce (pool min=2 max=10)"},
            {"timestamp": now - 598000 + i, "message": "INFO connected to Redis petforce-production-redis"}])

    ssm = client(endpoint, "ssm")
    ssm.put_parameter(Name=SSM_RATE_LIMIT, Value="100", Type="String",
                      Description="Requests per IP per 60 s window")

    waf = client(endpoint, "wafv2")
    ipset = waf.create_ip_set(Name=WAF_IP_SET, Scope="REGIONAL", IPAddressVersion="IPV4",
                              Addresses=["192.0.2.254/32"], Description="Blocked abusive clients")["Summary"]
    log("seeded AWS resources in %.1fs" % (time.time() - t0))
    return {"task_ids": task_ids, "log_streams": streams, "waf_ip_set_id": ipset["Id"],
            "waf_ip_set_name": WAF_IP_SET}


if __name__ == "__main__":
    import sys
    print(json.dumps(seed(sys.argv[1])))
