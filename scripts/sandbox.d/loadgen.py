# SPDX-License-Identifier: MIT
"""The sandbox's live load: PetForce API traffic on the database and Redis, CloudWatch metrics and log
lines in /ecs/petforce-production.  Started by `scripts/sandbox up`, stopped by `down`.

Budget: one tick per second does one or two real database statements and a few Redis commands; every
10 s (or at once on SIGUSR1, sent by inject/heal) one PutMetricData and one PutLogEvents per stream.
The API's request count and latency percentiles are modelled from the real statements' timings and
the injected faults (faults/*.json); the database sees a sample of the modelled traffic. When the
sandbox's AWS part is off the metrics and lines go only to the heartbeat (run/loadgen.json), and
neither awsseed nor boto3 is imported.
"""

import ipaddress
import json
import math
import os
import random
import select
import signal
import time
import traceback
import uuid

import pgwire
import resp
from sandbox import (HOT_IPS, MEMBER_QUERY, aws_off, read_json, rate_limit_line, write_json)

awsseed = None   # imported only when the sandbox has its AWS part

TICK_S = 1.0
PUBLISH_S = 10.0
# Ordinary clients. Never a hot IP: their traffic would recreate rate_limit:<hot ip> after heal and put
# INFO lines under the hot IP's filter.
NORMAL_IPS = [ip for ip in ["198.51.100.%d" % i for i in range(10, 40)] + ["203.0.113.%d" % i for i in range(100, 120)]
              if ip not in HOT_IPS]
PATHS = ["GET /api/households/%d", "GET /api/households/%d/members", "POST /api/households/%d/join",
         "GET /api/me/households", "PATCH /api/households/%d/members/me"]


def log(msg):
    print("%s loadgen: %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class LoadGen:
    def __init__(self, sb):
        self.sb = sb
        self.st = sb.state()
        self.hb_path = os.path.join(sb.run, "loadgen.json")
        self.aws = not aws_off(self.st)
        if self.aws:
            global awsseed
            import awsseed
            ep = self.st["aws"]["endpoint"]
            self.cw = awsseed.client(ep, "cloudwatch")
            self.logs = awsseed.client(ep, "logs")
            self.ecs = awsseed.client(ep, "ecs")
            self.waf = awsseed.client(ep, "wafv2")
            self.ssm = awsseed.client(ep, "ssm")
            self.streams = self.st["aws"]["log_streams"]
        self.pool = []
        self.redis = None
        self.households_max = 50000
        self.publishes = 0
        self.tick_no = 0
        self.last_publish = time.time()
        self.rate_limit = 100
        self.rate_limit_read = 0.0
        self.deployment_id = None
        self.task_definition = None
        self.restarted_at = None          # last force-new-deployment seen
        self.memory = 57.0
        self.cpu = 28.0
        self.generation_seen = None
        self.reset_interval()

    def reset_interval(self):
        self.member_ms = []
        self.other_ms = []
        self.db_errors = []
        self.lines = []           # (timestamp ms, message)

    # -- connections -------------------------------------------------------------------------
    def conn(self):
        self.pool = [c for c in self.pool if c is not None]
        if len(self.pool) < 2:
            try:
                self.pool.append(self.sb.pg_app(self.st, "petforce-api", timeout=20,
                                                options="-c statement_timeout=15000"))
            except (OSError, pgwire.PgError) as e:
                self.db_error("could not acquire a database connection: %s" % e)
        if not self.pool:
            return None
        return self.pool[self.tick_no % len(self.pool)]

    def drop(self, c):
        try:
            c.close()
        except OSError:
            pass
        self.pool = [x for x in self.pool if x is not c]

    def db_error(self, text):
        self.db_errors.append(text)
        self.line("ERROR db: %s" % text)

    def run_sql(self, sql, bucket):
        c = self.conn()
        if c is None:
            return None
        t0 = time.monotonic()
        try:
            rows = c.query(sql)
        except pgwire.PgError as e:
            self.db_error(str(e))
            if c.status == "E":
                c.query("ROLLBACK")
            return None
        except (OSError, ConnectionError) as e:
            self.db_error("connection lost: %s" % e)
            self.drop(c)
            return None
        bucket.append((time.monotonic() - t0) * 1000.0)
        return rows

    def rds(self):
        if self.redis is None:
            self.redis = resp.Redis("127.0.0.1", self.st["redis"]["port"], timeout=5)
        return self.redis

    def line(self, message):
        self.lines.append((int(time.time() * 1000), message))

    # -- one tick of traffic -----------------------------------------------------------------
    def hot_household(self):
        # 80 % of reads go to 500 popular households, so the cache has a realistic hit rate
        return random.randint(1, 500) if random.random() < 0.8 else random.randint(1, self.households_max)

    def tick(self, faults):
        self.tick_no += 1
        n = self.tick_no
        hid = self.hot_household()
        # household read, cache-aside through Redis
        try:
            r = self.rds()
            ip = random.choice(NORMAL_IPS)
            key = "rate_limit:" + ip
            cached, _, _ = r.pipeline([["GET", "household:%d" % hid], ["SET", key, 0, "EX", 60, "NX"],
                                       ["INCR", key]])
            if cached is None:
                rows = self.run_sql("SELECT h.id, h.name, h.owner_user_id, h.invite_code, h.created_at "
                                    "FROM households h WHERE h.id = %d" % hid, self.other_ms)
                if rows:
                    doc = dict(zip(("id", "name", "owner_user_id", "invite_code", "created_at"), rows[0]))
                    r.call("SET", "household:%d" % hid, json.dumps(doc), "EX", 300)
        except (OSError, ConnectionError, resp.RedisError) as e:
            self.redis = None
            self.line("ERROR redis: %s" % e)
        if n % 2 == 0:   # member list: the statement without an index
            self.run_sql(MEMBER_QUERY % random.randint(1, self.households_max), self.member_ms)
        if n % 5 == 0:
            self.run_sql("INSERT INTO join_requests (household_id, user_id, message) VALUES (%d, %d, %s)" % (
                random.randint(1, self.households_max), random.randint(1, 150000),
                pgwire.literal("Please add me!")), self.other_ms)
        if n % 10 == 3:
            self.run_sql("WITH r AS (UPDATE join_requests SET status = 'approved', decided_at = now() "
                         "WHERE id = (SELECT max(id) FROM join_requests WHERE status = 'pending') "
                         "RETURNING household_id, user_id) "
                         "INSERT INTO household_members (household_id, user_id) SELECT household_id, user_id FROM r",
                         self.other_ms)
        if n % 20 == 7:
            rows = self.run_sql(
                "WITH h AS (INSERT INTO households (name, owner_user_id, invite_code) VALUES (%s, %d, %s) "
                "RETURNING id, owner_user_id) INSERT INTO household_members (household_id, user_id, role) "
                "SELECT id, owner_user_id, 'owner' FROM h RETURNING household_id" % (
                    pgwire.literal("The %s household" % random.choice(["Rivera", "Nguyen", "Patel", "Kowalski"])),
                    random.randint(1, 150000), pgwire.literal(uuid.uuid4().hex[:10].upper())), self.other_ms)
            if rows:
                self.households_max = max(self.households_max, int(rows[0][0]))
        if "rate-limit" in faults:
            self.attack(faults["rate-limit"])

    def attack(self, info):
        blocked = info.get("_blocked", set())
        try:
            r = self.rds()
            for ip in HOT_IPS:
                if ip in blocked:
                    continue
                key = "rate_limit:" + ip
                r.pipeline([["SET", key, 0, "EX", 60, "NX"], ["INCRBY", key, random.randint(25, 40)]])
        except (OSError, ConnectionError, resp.RedisError) as e:
            self.redis = None
            self.line("ERROR redis: %s" % e)

    # -- every 10 s: metrics and logs --------------------------------------------------------
    def poll_aws(self, faults):
        svc = self.ecs.describe_services(cluster=awsseed.CLUSTER, services=[awsseed.SERVICE])["services"][0]
        self.task_definition = int(str(svc["taskDefinition"]).rsplit(":", 1)[-1])
        dep = svc["deployments"][0]["id"] if svc.get("deployments") else None
        if self.deployment_id is not None and dep != self.deployment_id:
            self.restarted_at = time.time()
            self.memory = 52.0
            self.line("INFO ecs: new deployment %s; tasks restarted (petforce-api:%d)" % (dep, self.task_definition))
        self.deployment_id = dep
        if time.time() - self.rate_limit_read > 60:
            try:
                self.rate_limit = int(self.ssm.get_parameter(Name=awsseed.SSM_RATE_LIMIT)["Parameter"]["Value"])
            except Exception:  # noqa: BLE001 - an operator may have typed anything
                pass
            self.rate_limit_read = time.time()
        if "rate-limit" in faults:
            ipset = self.waf.get_ip_set(Name=awsseed.WAF_IP_SET, Scope="REGIONAL",
                                        Id=self.st["aws"]["waf_ip_set_id"])["IPSet"]
            nets = []
            for a in ipset.get("Addresses", []):
                try:
                    nets.append(ipaddress.ip_network(a, strict=False))
                except ValueError:
                    pass
            faults["rate-limit"]["_blocked"] = {ip for ip in HOT_IPS
                                                if any(ipaddress.ip_address(ip) in n for n in nets)}

    def churn(self):
        """A pool opens a fresh connection now and then; when none is left this is where it fails."""
        try:
            c = self.sb.pg_app(self.st, "petforce-api", timeout=10)
            c.query("SELECT 1")
            c.close()
            return None
        except pgwire.PgError as e:
            return str(e)
        except OSError as e:
            return "connection failed: %s" % e

    def publish(self, faults, generation):
        if generation != self.generation_seen:
            # inject/heal changed the world: what was measured before says nothing about it now, so
            # take one fresh member list instead (the slow statement, or the fixed/healed one).
            self.member_ms, self.other_ms, self.db_errors = [], [], []
            self.run_sql(MEMBER_QUERY % random.randint(1, self.households_max), self.member_ms)
            self.generation_seen = generation
        now = time.time()
        interval = max(1.0, min(60.0, now - self.last_publish))
        if self.aws:
            self.poll_aws(faults)
        churn_error = self.churn()
        if churn_error:
            self.db_errors.append(churn_error)
            for _ in range(random.randint(3, 6)):
                self.line("ERROR db pool: could not acquire connection: %s" % churn_error)

        rps = 48 + 8 * math.sin(now / 3600.0 * 2 * math.pi) + random.gauss(0, 2)
        requests = max(1, int(rps * interval))
        err = max(0.05, random.gauss(0.35, 0.1))
        bad_deploy = "error-rate" in faults and self.task_definition == faults["error-rate"].get("bad_revision")
        if bad_deploy:
            err += random.uniform(8.0, 13.0)
        if churn_error or self.db_errors:
            err += random.uniform(6.0, 10.0)
        err = min(err, 60.0)
        member = max(self.member_ms) if self.member_ms else 0.0
        p50 = 38 + random.gauss(0, 3) + 0.5 * (sorted(self.member_ms)[len(self.member_ms) // 2] if self.member_ms else 0)
        p99 = 190 + random.gauss(0, 25) + 4 * member
        if "latency" in faults and member > 100:
            p50 = max(p50, random.uniform(140, 220))
            p99 = max(p99, random.uniform(1150, 1600))
        if churn_error:
            p99 = max(p99, random.uniform(2500, 3500))   # requests wait for the pool's acquire timeout
        self.cpu = min(95.0, max(5.0, 0.8 * self.cpu + 0.2 * (28 + random.gauss(0, 4))
                                 + (12 if "latency" in faults and member > 100 else 0)))
        if "memory-leak" in faults:
            t0 = faults["memory-leak"].get("injected_at", now)
            if self.restarted_at and self.restarted_at > t0:
                mem = min(99.0, 52.0 + 0.04 * (now - self.restarted_at))   # the leak is still there
            else:
                mem = 99.2 - (99.2 - 91.0) * math.exp(-(now - t0) / 900.0)
            self.memory = mem
            self.cpu = min(95.0, self.cpu + 8)   # garbage collector
        else:
            if self.memory > 70:   # healed: the leaking tasks were replaced
                self.memory = 57.0
            self.memory = min(70.0, max(50.0, 0.7 * self.memory + 0.3 * (57 + random.gauss(0, 1.5))))

        # log lines: a sample of requests, then the faults' own lines
        for _ in range(random.randint(3, 6)):
            hid = self.hot_household()
            path = random.choice(PATHS)
            path = path % hid if "%d" in path else path
            ms = max(2, int(random.gauss(p50, p50 / 4)))
            self.line("INFO %s 200 %dms ip=%s req=%s" % (path, ms, random.choice(NORMAL_IPS), uuid.uuid4().hex[:12]))
        if bad_deploy:
            for _ in range(random.randint(6, 10)):
                self.line("ERROR POST /api/households/%d/join 500 req=%s TypeError: Cannot read properties of "
                          "undefined (reading 'householdId') at JoinService.requestJoin (/app/dist/services/"
                          "join.js:88:31) release=v1.2.0" % (self.hot_household(), uuid.uuid4().hex[:12]))
        if "latency" in faults and member > 100:
            self.line("WARN slow request GET /api/households/%d/members %dms (db %dms)" % (
                self.hot_household(), int(p99), int(member)))
        if "rate-limit" in faults:
            blocked = faults["rate-limit"].get("_blocked", set())
            count_by_ip = {}
            try:
                vals = self.rds().pipeline([["GET", "rate_limit:" + ip] for ip in HOT_IPS])
                count_by_ip = {ip: int(v) for ip, v in zip(HOT_IPS, vals) if isinstance(v, str) and v.isdigit()}
            except (OSError, ConnectionError, resp.RedisError):
                self.redis = None
            for ip in HOT_IPS:
                if ip in blocked:
                    continue
                for _ in range(4):
                    self.line(rate_limit_line(ip, count_by_ip.get(ip, 0) or random.randint(500, 1500),
                                              self.rate_limit))
        if "memory-leak" in faults and self.memory > 85:
            self.line("WARN heap usage %.2f GB of 2.00 GB (%.0f%%); gc pause %dms" % (
                2.0 * self.memory / 100, self.memory, random.randint(180, 900)))

        metrics = {"CPUUtilization": round(self.cpu, 2), "MemoryUtilization": round(self.memory, 2),
                   "RequestCount": requests, "ErrorRate": round(err, 2), "SuccessRate": round(100 - err, 2),
                   "LatencyP50": round(p50, 1), "LatencyP99": round(p99, 1)}
        if self.aws:
            self.put_aws(metrics, now)
        self.publishes += 1
        self.last_publish = now
        write_json(self.hb_path, {
            "pid": os.getpid(), "generation": generation, "published_at": now, "publishes": self.publishes,
            "faults": sorted(faults), "metrics": metrics, "task_definition": self.task_definition,
            "member_query_ms_max": round(member, 1), "db_errors": len(self.db_errors),
            "log_lines": len(self.lines), "aws": self.aws})
        self.reset_interval()

    def put_aws(self, metrics, now):
        """The interval's metrics to CloudWatch, its lines to /ecs/petforce-production."""
        dims_ecs = [{"Name": "ServiceName", "Value": "petforce-api"}]
        dims_api = [{"Name": "Service", "Value": "petforce-api"}]
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        units = {"CPUUtilization": "Percent", "MemoryUtilization": "Percent", "RequestCount": "Count",
                 "ErrorRate": "Percent", "SuccessRate": "Percent", "LatencyP50": "Milliseconds",
                 "LatencyP99": "Milliseconds"}
        self.cw.put_metric_data(Namespace="AWS/ECS", MetricData=[
            {"MetricName": k, "Dimensions": dims_ecs, "Timestamp": ts, "Value": metrics[k], "Unit": units[k]}
            for k in ("CPUUtilization", "MemoryUtilization")])
        self.cw.put_metric_data(Namespace="PetForce/API", MetricData=[
            {"MetricName": k, "Dimensions": dims_api, "Timestamp": ts, "Value": metrics[k], "Unit": units[k]}
            for k in ("RequestCount", "ErrorRate", "SuccessRate", "LatencyP50", "LatencyP99")])
        by_stream = {}
        for i, (t, msg) in enumerate(self.lines):
            by_stream.setdefault(self.streams[i % len(self.streams)], []).append({"timestamp": t, "message": msg})
        for stream, events in by_stream.items():
            events.sort(key=lambda e: e["timestamp"])
            self.logs.put_log_events(logGroupName=awsseed.LOG_GROUP, logStreamName=stream, logEvents=events)


def read_faults(sb):
    faults = {}
    try:
        names = os.listdir(sb.faults_dir)
    except OSError:
        return faults
    for name in names:
        if name.endswith(".json"):
            info = read_json(os.path.join(sb.faults_dir, name))
            if info is not None:
                faults[name[:-5]] = info
    return faults


def read_generation(sb):
    try:
        with open(os.path.join(sb.faults_dir, "generation")) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def main(sb):
    flags = {"stop": False, "publish": False}
    rfd, wfd = os.pipe()
    os.set_blocking(rfd, False)
    os.set_blocking(wfd, False)
    signal.set_wakeup_fd(wfd)

    def on_term(signum, frame):
        flags["stop"] = True

    def on_usr1(signum, frame):
        flags["publish"] = True
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGUSR1, on_usr1)
    gen = LoadGen(sb)
    log("started (pid %d)" % os.getpid())
    blocked_cache = {}
    next_tick = time.monotonic()
    next_publish = time.monotonic()   # publish at once: `up` waits for the first metrics
    failures = 0
    while not flags["stop"]:
        now = time.monotonic()
        if now >= next_tick:
            faults = read_faults(sb)
            if "rate-limit" in faults:
                faults["rate-limit"]["_blocked"] = blocked_cache.get("rate-limit", set())
            try:
                gen.tick(faults)
            except Exception:  # noqa: BLE001 - the load must go on
                log("tick failed: %s" % traceback.format_exc(limit=3))
            next_tick = max(next_tick + TICK_S, time.monotonic() + 0.2)
        if flags["publish"] or time.monotonic() >= next_publish:
            flags["publish"] = False
            generation = read_generation(sb)
            faults = read_faults(sb)
            try:
                gen.publish(faults, generation)
                if "rate-limit" in faults:
                    blocked_cache["rate-limit"] = faults["rate-limit"].get("_blocked", set())
                failures = 0
            except Exception:  # noqa: BLE001
                failures += 1
                log("publish failed: %s" % traceback.format_exc(limit=3))
            next_publish = time.monotonic() + (PUBLISH_S if not failures else 2.0)
        delay = min(next_tick, next_publish) - time.monotonic()
        if delay > 0 and not flags["stop"] and not flags["publish"]:
            try:
                select.select([rfd], [], [], delay)
            except InterruptedError:
                pass
        try:
            while os.read(rfd, 512):
                pass
        except (BlockingIOError, OSError):
            pass
    for c in gen.pool:
        try:
            c.close()
        except OSError:
            pass
    log("stopped")
    return 0
