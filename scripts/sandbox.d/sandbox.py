# SPDX-License-Identifier: MIT
"""PetForce local sandbox: PostgreSQL 15, Redis 7 and moto_server on loopback, with live load
and injectable faults.  Run through scripts/sandbox (which picks the Python that runs moto_server).
User documentation: README.md beside this file.

Layout of the sandbox folder (--dir):
  state.json        ports, passwords, paths (mode 600); present while a sandbox is up or starting
  env.json          what `env` prints, as {"set": {NAME: value}, "unset": [NAME]} (mode 600); written once up,
                    removed by down. A running console follows it (a restart on new ports reconnects it).
  run/*.pid         one JSON record per process started: pid, process group, start time
  run/loadgen.json  the load generator's heartbeat and acknowledged fault generation
  faults/*.json     injected faults (read by the load generator); faults/generation
  logs/             postgres, redis, moto, loadgen, pool holder logs
  redis/            Redis working folder (no persistence)
  pg/               PostgreSQL root (data/ + socket), owned by the postgres user; when the folder's
                    parents are not traversable by that user the root is a /tmp folder instead
                    (recorded in state.json)
"""

import argparse
import errno
import fcntl
import importlib.util
import json
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import pgwire  # noqa: E402
import resp  # noqa: E402

PGBIN = os.environ.get("PETFORCE_PGBIN", "/usr/lib/postgresql/15/bin")
PG_OS_USER = os.environ.get("PETFORCE_SANDBOX_PG_OS_USER", "postgres")
FAULTS = ("error-rate", "latency", "pool-exhausted", "rate-limit", "memory-leak")
MAX_CONNECTIONS = 40
INSTANCE_VAR = "PETFORCE_SANDBOX_INSTANCE"
IDLE_THRESHOLD_S = 10          # exported as PETFORCE_IDLE_THRESHOLD; see README
DATA_SIZES = {"users": 150000, "households": 50000, "members": 220000, "join_requests": 30000}
HOT_IPS = ("203.0.113.7", "198.51.100.23", "192.0.2.50")
MOTO_NOT_INSTALLED = ("moto_server is not installed (it is not in Debian 12; install it with its Python, "
                      "e.g. from PyPI as moto[server])")
MEMBER_QUERY_LIKE = "%FROM household_members hm JOIN users u%"
MEMBER_QUERY = ("SELECT hm.user_id, u.display_name, hm.role, hm.joined_at "
                "FROM household_members hm JOIN users u ON u.id = hm.user_id "
                "WHERE hm.household_id = %d AND hm.status = 'active' ORDER BY hm.joined_at")


class SandboxError(Exception):
    pass


def say(msg):
    try:
        print("sandbox: " + msg, file=sys.stderr, flush=True)
    except (OSError, ValueError):   # a closed stderr must not stop a start or a clean-up half-way
        pass


def default_dir():
    if os.environ.get("PETFORCE_SANDBOX_DIR"):
        return os.environ["PETFORCE_SANDBOX_DIR"]
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "petforce-console", "sandbox")


def aws_choice():
    """(moto_server script, "") or (None, why the AWS part is off). scripts/sandbox decides and passes it on."""
    if "SANDBOX_AWS_OFF" in os.environ:
        off = os.environ["SANDBOX_AWS_OFF"]
        return (None, off) if off else (os.environ.get("SANDBOX_MOTO_SERVER") or None, "")
    moto = shutil.which("moto_server")
    if not moto:
        return None, MOTO_NOT_INSTALLED
    if not (importlib.util.find_spec("boto3") and importlib.util.find_spec("moto")):
        return None, "%s has no boto3 and moto for %s (run through scripts/sandbox)" % (sys.executable, moto)
    return moto, ""


def aws_off(st):
    """Why this sandbox runs without its AWS part; "" when it has one."""
    return ((st or {}).get("aws") or {}).get("off", "")


def is_root():
    return os.geteuid() == 0


def write_json(path, data, mode=0o644):
    tmp = path + ".tmp%d" % os.getpid()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def read_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


class Fatal(SandboxError):
    """Raised by a wait_for predicate to stop waiting at once."""


def wait_for(what, predicate, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            result = predicate()
            if result:
                return result
        except Fatal:
            raise
        except Exception as e:  # noqa: BLE001 - the predicate probes servers that are still starting
            last_error = e
        if time.monotonic() >= deadline:
            raise SandboxError("timed out after %ds waiting for %s%s" % (
                timeout, what, (": %s" % last_error) if last_error else ""))
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# processes: every process the sandbox starts is recorded with its start time (so a recycled pid
# is never signalled) and runs in a process group of its own (so its children stop with it).

def proc_stat(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return {"state": fields[0], "ppid": int(fields[1]), "pgrp": int(fields[2]), "start": int(fields[19])}


def reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def is_alive(rec):
    if not rec:
        return False
    reap(rec["pid"])
    st = proc_stat(rec["pid"])
    return bool(st) and st["start"] == rec["start"] and st["state"] not in ("Z", "X")


def group_pids(pgid):
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st["pgrp"] == pgid and st["state"] not in ("Z", "X"):
                pids.append(int(name))
    return pids


class Sandbox:
    def __init__(self, path):
        self.dir = os.path.abspath(path)
        self.run = os.path.join(self.dir, "run")
        self.logs = os.path.join(self.dir, "logs")
        self.faults_dir = os.path.join(self.dir, "faults")
        self.state_path = os.path.join(self.dir, "state.json")
        self.env_path = os.path.join(self.dir, "env.json")
        self.children = {}
        self.lock_fd = None

    # -- bookkeeping -------------------------------------------------------------------------
    def state(self):
        return read_json(self.state_path)

    def save_state(self, st):
        write_json(self.state_path, st, 0o600)

    def pidfile(self, name):
        return os.path.join(self.run, name + ".pid")

    def record(self, name):
        return read_json(self.pidfile(name))

    def lock(self, timeout=300):
        os.makedirs(self.dir, exist_ok=True)
        self.lock_fd = os.open(os.path.join(self.dir, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() > deadline:
                raise SandboxError("another scripts/sandbox command holds %s/.lock" % self.dir)
            time.sleep(0.2)

    def child_env(self, extra=None):
        """The environment of every process `up` starts: it carries the instance marker, by which `down`
        (and the tests) find anything of this sandbox that escaped its pid records."""
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env[INSTANCE_VAR] = self.dir
        env.update(extra or {})
        return env

    def spawn(self, name, argv, cwd=None):
        logf = open(os.path.join(self.logs, name + ".log"), "ab")
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                    start_new_session=True, close_fds=True, env=self.child_env(),
                                    cwd=cwd or self.dir)
        finally:
            logf.close()
        st = proc_stat(proc.pid)
        rec = {"pid": proc.pid, "pgid": proc.pid, "start": st["start"] if st else 0, "argv": argv}
        write_json(self.pidfile(name), rec)
        self.children[name] = proc
        return rec

    def stop_record(self, name, timeout=10.0):
        rec = self.record(name)
        if not rec:
            return False
        stopped = False
        if is_alive(rec):
            stopped = True
            pgid = rec.get("pgid", rec["pid"])
            for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(pgid, sig)
                except ProcessLookupError:
                    break
                deadline = time.monotonic() + wait
                while time.monotonic() < deadline:
                    reap(rec["pid"])
                    if not group_pids(pgid):
                        break
                    time.sleep(0.1)
                if not group_pids(pgid):
                    break
            if group_pids(pgid):
                say("warning: process group %d (%s) survived SIGKILL" % (pgid, name))
        try:
            os.unlink(self.pidfile(name))
        except FileNotFoundError:
            pass
        return stopped

    # -- PostgreSQL helpers ------------------------------------------------------------------
    def as_pg_user(self, argv):
        if is_root():
            return ["runuser", "-u", PG_OS_USER, "--"] + argv
        return argv

    def pg_admin(self, st=None, database="petforce", timeout=60.0):
        st = st or self.state()
        pg = st["pg"]
        return pgwire.Connection(pg["socket_dir"], pg["port"], "postgres", database,
                                 application_name="petforce-sandbox", timeout=timeout)

    def pg_app(self, st, application_name, timeout=15.0, options=None):
        pg = st["pg"]
        return pgwire.Connection("127.0.0.1", pg["port"], pg["app_user"], pg["database"], pg["app_password"],
                                 application_name=application_name, timeout=timeout, options=options)

    def stop_postgres(self, st):
        pg = (st or {}).get("pg") or {}
        data = pg.get("data")
        rec = self.record("postgres")
        if data and os.path.exists(os.path.join(data, "postmaster.pid")) and (rec is None or is_alive(rec)):
            children = []
            if rec:
                children = [int(p) for p in os.listdir("/proc") if p.isdigit()
                            and (proc_stat(int(p)) or {}).get("ppid") == rec["pid"]]
            for mode, t in (("fast", "30"), ("immediate", "15")):
                r = subprocess.run(self.as_pg_user([os.path.join(PGBIN, "pg_ctl"), "-D", data, "-m", mode,
                                                    "-w", "-t", t, "-s", "stop"]),
                                   cwd=pg.get("root", "/"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                if r.returncode == 0 and not is_alive(rec):
                    break
            if rec and is_alive(rec):
                os.kill(rec["pid"], signal.SIGKILL)
            for pid in children:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            os.unlink(self.pidfile("postgres"))
        except FileNotFoundError:
            pass
        root = pg.get("root")
        if root and os.path.isdir(root):
            log = os.path.join(root, "postgres.log")
            if os.path.exists(log):
                shutil.copyfile(log, os.path.join(self.logs, "postgres.log"))
            shutil.rmtree(root, ignore_errors=True)

    # -- status ------------------------------------------------------------------------------
    def component_status(self, st):
        out = {}
        checks = {
            "postgres": lambda: self.pg_admin(st, timeout=5).close() or True,
            "redis": lambda: resp.Redis("127.0.0.1", st["redis"]["port"], timeout=5).call("PING") == "PONG",
            "moto": lambda: http_alive(st["aws"]["endpoint"]),
            "loadgen": lambda: time.time() - (read_json(os.path.join(self.run, "loadgen.json"), {})
                                              .get("published_at", 0)) < 60,
        }
        if aws_off(st):
            del checks["moto"]
        for name, check in checks.items():
            rec = self.record(name)
            alive = is_alive(rec)
            healthy = False
            if alive:
                try:
                    healthy = bool(check())
                except Exception:  # noqa: BLE001
                    healthy = False
            out[name] = {"pid": rec["pid"] if rec else None, "alive": alive, "healthy": healthy}
        return out

    def active_faults(self):
        return sorted(f[:-5] for f in os.listdir(self.faults_dir) if f.endswith(".json")) \
            if os.path.isdir(self.faults_dir) else []


def http_alive(url):
    try:
        urllib.request.urlopen(url + "/", timeout=5).read(1)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def free_ports(n):
    socks, ports = [], []
    try:
        while len(ports) < n:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def can_pg_user_use(path):
    if not is_root():
        return True
    return subprocess.run(["runuser", "-u", PG_OS_USER, "--", "test", "-w", path, "-a", "-x", path],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


# ---------------------------------------------------------------------------------------------
# up

class Interrupted(Exception):
    pass


def _interrupt(signum, frame):
    raise Interrupted("interrupted by signal %d" % signum)


def foreign_dir(sb):
    """A non-empty folder that is not a sandbox's: never written to, never cleaned."""
    return (os.path.isdir(sb.dir) and not os.path.exists(os.path.join(sb.dir, ".petforce-sandbox"))
            and any(n != ".lock" for n in os.listdir(sb.dir)))


def cmd_up(sb, args):
    if foreign_dir(sb):
        raise SandboxError("%s is not empty and is not a sandbox folder; choose another --dir" % sb.dir)
    sb.lock()
    st = sb.state()
    if st and args.fresh:
        say("--fresh: stopping the sandbox already in %s" % sb.dir)
        do_down(sb, st)
        st = None
    if st:
        comps = sb.component_status(st)
        if st.get("status") == "up" and all(c["alive"] for c in comps.values()):
            print("sandbox already running in %s (started %s); not starting another:" % (
                sb.dir, time.strftime("%H:%M:%S", time.localtime(st.get("started_at", 0)))))
            print_status(sb, st, comps)
            if not os.path.exists(sb.env_path):
                write_env_file(sb, st)   # a sandbox started before env.json existed
            return 0
        if any(c["alive"] for c in comps.values()) or st.get("status") == "starting":
            print("sandbox in %s is partly running:" % sb.dir)
            print_status(sb, st, comps)
            print("run `scripts/sandbox down --dir %s` first (or `up --fresh`)" % shlex.quote(sb.dir))
            return 1
        do_down(sb, st)   # stale state from a crash: clean what is left, then start anew
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    t0 = time.monotonic()
    try:
        st = start_all(sb, args)
    except BaseException as e:  # noqa: BLE001 - a failed up must leave nothing running
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        say("up failed: %s" % e)
        say("stopping what was started (logs stay in %s)" % sb.logs)
        do_down(sb, sb.state())
        return 1
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    took = time.monotonic() - t0
    st["up_seconds"] = round(took, 1)
    sb.save_state(st)
    write_env_file(sb, st)
    try:
        print("sandbox up in %.1fs: %s%s" % (took, sb.dir, " (AWS part off)" if aws_off(st) else ""))
        print_status(sb, st, sb.component_status(st), reason=False)
        print("use: eval \"$(scripts/sandbox env --dir %s)\"" % shlex.quote(sb.dir), flush=True)
    except OSError:
        pass
    return 0


def fail_point(name):
    """Test hook: PETFORCE_SANDBOX_FAIL_AT=<step> makes `up` fail at that step."""
    if os.environ.get("PETFORCE_SANDBOX_FAIL_AT") == name:
        raise SandboxError("PETFORCE_SANDBOX_FAIL_AT=%s" % name)


def start_all(sb, args):
    marker = os.path.join(sb.dir, ".petforce-sandbox")
    if os.path.isdir(sb.dir) and not os.path.exists(marker):
        extra = [n for n in os.listdir(sb.dir) if n not in (".lock",)]
        if extra:
            raise SandboxError("%s is not empty and is not a sandbox folder; choose another --dir" % sb.dir)
    os.chmod(sb.dir, 0o755)
    open(marker, "w").close()
    for sub in (sb.run, sb.logs):
        os.makedirs(sub, exist_ok=True)
    shutil.rmtree(sb.faults_dir, ignore_errors=True)
    os.makedirs(sb.faults_dir)
    with open(os.path.join(sb.faults_dir, "generation"), "w") as f:
        f.write("0\n")
    for name in os.listdir(sb.run):
        os.unlink(os.path.join(sb.run, name))
    redis_dir = os.path.join(sb.dir, "redis")
    shutil.rmtree(redis_dir, ignore_errors=True)
    os.makedirs(redis_dir)

    moto_script, off = aws_choice()
    if off:
        say("AWS part off: %s; PostgreSQL, Redis and the load run without it" % off)
    redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
    for tool in (redis_server, os.path.join(PGBIN, "initdb"), os.path.join(PGBIN, "pg_ctl")):
        if not os.access(tool, os.X_OK):
            raise SandboxError("%s missing: run scripts/setup (postgresql-15, redis-server)" % tool)
    if is_root():
        try:
            import pwd
            pwd.getpwnam(PG_OS_USER)
        except KeyError:
            raise SandboxError("running as root needs the unprivileged user %r for PostgreSQL" % PG_OS_USER)

    pg_port, redis_port, aws_port = (free_ports(2) + [None]) if off else free_ports(3)
    # PostgreSQL root: inside the folder when the postgres user can reach it, else a private /tmp folder.
    pg_root = os.path.join(sb.dir, "pg")
    shutil.rmtree(pg_root, ignore_errors=True)
    os.makedirs(pg_root, mode=0o700)
    if is_root():
        shutil.chown(pg_root, PG_OS_USER, PG_OS_USER)
    sock_path_len = len(os.path.join(pg_root, ".s.PGSQL.%d" % pg_port))
    if not can_pg_user_use(pg_root) or sock_path_len > 100:
        os.rmdir(pg_root)
        pg_root = tempfile.mkdtemp(prefix="petforce-sandbox-pg-", dir="/tmp")
        if is_root():
            shutil.chown(pg_root, PG_OS_USER, PG_OS_USER)
    st = {
        "version": 1, "status": "starting", "dir": sb.dir, "started_at": time.time(),
        "python": sys.executable, "moto_server": moto_script,
        "idle_threshold_seconds": IDLE_THRESHOLD_S,
        "pg": {"root": pg_root, "data": os.path.join(pg_root, "data"), "socket_dir": pg_root,
               "port": pg_port, "database": "petforce",
               "user": "petforce", "password": secrets.token_urlsafe(18),
               "app_user": "petforce_app", "app_password": secrets.token_urlsafe(18),
               "dba_user": "petforce_dba", "dba_password": secrets.token_urlsafe(18),
               "max_connections": MAX_CONNECTIONS},
        "redis": {"port": redis_port},
        "aws": {"off": off} if off else {
            "port": aws_port, "endpoint": "http://127.0.0.1:%d" % aws_port, "region": "us-east-1",
            "access_key": "testing", "secret_key": "testing"},
    }
    sb.save_state(st)
    say("ports: postgres %d, redis %d, aws %s" % (pg_port, redis_port, "off" if off else aws_port))

    # Start moto and Redis first: they boot while PostgreSQL is initialised.
    if not off:
        sb.spawn("moto", [sys.executable, moto_script, "-H", "127.0.0.1", "-p", str(aws_port)])
    sb.spawn("redis", [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                       "--appendonly", "no", "--dir", redis_dir, "--daemonize", "no", "--protected-mode", "yes",
                       "--maxmemory", "64mb", "--maxmemory-policy", "volatile-lru", "--logfile", ""])
    fail_point("spawn")
    t0 = time.monotonic()
    start_postgres(sb, st)
    say("postgres started (%.1fs)" % (time.monotonic() - t0))
    fail_point("postgres")

    seed_result, seed_error = {}, []

    def seed_aws():
        try:
            wait_for("moto_server on port %d" % aws_port, lambda: http_alive(st["aws"]["endpoint"]), 45)
            import awsseed
            seed_result.update(awsseed.seed(st["aws"]["endpoint"], log=say))
        except BaseException as e:  # noqa: BLE001
            seed_error.append(e)

    seeder = threading.Thread(target=seed_aws, daemon=True)
    if not off:
        seeder.start()
    create_database(sb, st)
    say("schema and data ready (%.1fs)" % (time.monotonic() - t0))
    fail_point("schema")
    wait_for("redis on port %d" % redis_port,
             lambda: resp.Redis("127.0.0.1", redis_port, timeout=2).call("PING") == "PONG", 30)
    if not off:
        seeder.join(90)
    if seeder.is_alive():
        raise SandboxError("seeding moto_server took longer than 90s")
    if seed_error:
        raise SandboxError("seeding moto_server failed: %s" % seed_error[0])
    st["aws"].update(seed_result)
    sb.save_state(st)
    say("redis ready, AWS part off (%.1fs)" % (time.monotonic() - t0) if off else
        "redis and moto ready, AWS seeded (%.1fs)" % (time.monotonic() - t0))
    fail_point("seed")

    sb.spawn("loadgen", [sys.executable, os.path.join(HERE, "sandbox.py"), "_loadgen", "--dir", sb.dir])
    hb = os.path.join(sb.run, "loadgen.json")

    def loadgen_ready():
        if (read_json(hb) or {}).get("publishes", 0) >= 1:
            return True
        if not is_alive(sb.record("loadgen")):
            raise Fatal("the load generator exited; see %s/loadgen.log" % sb.logs)
        return False
    wait_for("the load generator's first metrics", loadgen_ready, 45)
    say("load generator published its first metrics (%.1fs)" % (time.monotonic() - t0))
    fail_point("loadgen")
    for name in ("redis", "loadgen") if off else ("moto", "redis", "loadgen"):
        if not is_alive(sb.record(name)):
            raise SandboxError("%s exited during start-up; see %s/%s.log" % (name, sb.logs, name))
    st["status"] = "up"
    sb.save_state(st)
    return st


def start_postgres(sb, st):
    pg = st["pg"]
    r = subprocess.run(sb.as_pg_user([os.path.join(PGBIN, "initdb"), "-D", pg["data"], "-U", "postgres",
                                      "-A", "trust", "-E", "UTF8", "--locale=C", "-N"]),
                       cwd=pg["root"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode:
        raise SandboxError("initdb failed: %s" % r.stdout.decode(errors="replace")[-800:])
    conf = {
        "listen_addresses": "'127.0.0.1'", "port": pg["port"],
        "unix_socket_directories": "'%s'" % pg["socket_dir"], "unix_socket_permissions": "0700",
        "max_connections": MAX_CONNECTIONS, "superuser_reserved_connections": 3,
        "shared_preload_libraries": "'pg_stat_statements'", "pg_stat_statements.track": "top",
        "pg_stat_statements.max": 2000, "track_io_timing": "on", "shared_buffers": "128MB",
        "cluster_name": "'petforce-sandbox-%d'" % pg["port"], "fsync": "off", "synchronous_commit": "off",
        "full_page_writes": "off", "max_wal_size": "1GB", "max_parallel_workers_per_gather": 0,
        "jit": "off", "log_line_prefix": "'%m [%p] %q%u@%d/%a '", "log_min_duration_statement": 5000,
        "password_encryption": "'scram-sha-256'",
    }
    with open(os.path.join(pg["data"], "postgresql.conf"), "a") as f:
        f.write("\n# --- PetForce sandbox (scripts/sandbox) ---\n")
        for key, val in conf.items():
            f.write("%s = %s\n" % (key, val))
    with open(os.path.join(pg["data"], "pg_hba.conf"), "w") as f:
        f.write("# PetForce sandbox: the Unix socket lives in a folder only the server's user (and root) can\n"
                "# enter; TCP is loopback only and needs a password.\n"
                "local all all trust\n"
                "host  all all 127.0.0.1/32 scram-sha-256\n")
    r = subprocess.run(sb.as_pg_user([os.path.join(PGBIN, "pg_ctl"), "-D", pg["data"], "-l",
                                      os.path.join(pg["root"], "postgres.log"), "-w", "-t", "60", "-s", "start"]),
                       cwd=pg["root"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=sb.child_env())
    pidline = None
    try:
        with open(os.path.join(pg["data"], "postmaster.pid")) as f:
            pidline = int(f.readline())
    except (OSError, ValueError):
        pass
    if pidline:
        st_ = proc_stat(pidline)
        write_json(sb.pidfile("postgres"), {"pid": pidline, "pgid": st_["pgrp"] if st_ else pidline,
                                            "start": st_["start"] if st_ else 0, "argv": ["postgres"]})
    if r.returncode:
        log = ""
        try:
            with open(os.path.join(pg["root"], "postgres.log")) as f:
                log = f.read()[-800:]
        except OSError:
            pass
        raise SandboxError("PostgreSQL did not start: %s %s" % (r.stdout.decode(errors="replace"), log))


def create_database(sb, st):
    pg = st["pg"]
    conn = sb.pg_admin(st, database="postgres", timeout=120)
    lit = pgwire.literal
    conn.query("SET pg_stat_statements.track = 'none'")
    conn.query("CREATE ROLE petforce LOGIN SUPERUSER PASSWORD %s" % lit(pg["password"]))
    conn.query("CREATE ROLE petforce_app LOGIN PASSWORD %s" % lit(pg["app_password"]))
    conn.query("CREATE ROLE petforce_dba LOGIN PASSWORD %s IN ROLE pg_monitor, pg_signal_backend"
               % lit(pg["dba_password"]))
    conn.query("CREATE DATABASE petforce OWNER petforce")
    conn.close()
    conn = sb.pg_admin(st, database="petforce", timeout=300)
    conn.query("SET pg_stat_statements.track = 'none'")
    conn.query("SET ROLE petforce")
    with open(os.path.join(HERE, "schema.sql")) as f:
        sql = f.read()
    sql = re.sub(r"(?<!:):(users|households|members|join_requests)\b", lambda m: str(DATA_SIZES[m.group(1)]), sql)
    sql = "\n".join(line for line in sql.splitlines() if not line.startswith("VACUUM"))
    conn.query(sql)
    conn.query("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO petforce_app;"
               "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO petforce_app;"
               "GRANT SELECT ON ALL TABLES IN SCHEMA public TO petforce_dba")
    conn.query("RESET ROLE")
    conn.query("VACUUM ANALYZE")
    conn.query("SELECT pg_stat_statements_reset()")
    conn.close()


# ---------------------------------------------------------------------------------------------
# down / status / env

def instance_pids(marker):
    """Processes whose environment carries this sandbox's instance marker."""
    needle = ("\0%s=%s\0" % (INSTANCE_VAR, marker)).encode()
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                if needle in b"\0" + f.read() + b"\0":
                    st = proc_stat(int(name))
                    if st and st["state"] not in ("Z", "X"):
                        pids.append(int(name))
        except OSError:
            pass
    return pids


def do_down(sb, st):
    if foreign_dir(sb):
        return []
    stopped = []
    for name in ("loadgen", "poolhold", "moto", "redis"):
        if sb.stop_record(name):
            stopped.append(name)
    rec = sb.record("postgres")
    if rec and is_alive(rec):
        stopped.append("postgres")
    sb.stop_postgres(st)
    strays = instance_pids(sb.dir)
    if strays:
        say("stopping %d stray process(es) of this sandbox: %s" % (len(strays), strays))
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        wait_for("stray processes to exit", lambda: not instance_pids(sb.dir), 10, 0.1)
    if st and st.get("pg", {}).get("root") and os.path.isdir(st["pg"]["root"]):
        shutil.rmtree(st["pg"]["root"], ignore_errors=True)
    for path in (sb.env_path, sb.state_path, os.path.join(sb.run, "loadgen.json"),
                 os.path.join(sb.run, "poolhold.json")):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    shutil.rmtree(sb.faults_dir, ignore_errors=True)
    return stopped


def cmd_down(sb, args):
    if not os.path.isdir(sb.dir) or foreign_dir(sb):
        print("no sandbox in %s" % sb.dir)
        return 0
    sb.lock()
    st = sb.state()
    stopped = do_down(sb, st)
    print("sandbox in %s stopped%s" % (sb.dir, (": " + ", ".join(stopped)) if stopped else " (nothing was running)"))
    return 0


def print_status(sb, st, comps, reason=True):
    ports = {"postgres": "127.0.0.1:%s" % st["pg"]["port"], "redis": "127.0.0.1:%s" % st["redis"]["port"],
             "moto": st["aws"].get("endpoint"), "loadgen": "-"}
    for name, c in comps.items():
        state = "up" if c["alive"] and c["healthy"] else ("not answering" if c["alive"] else "not running")
        print("  %-9s %-15s pid %-8s %s" % (name, state, c["pid"] or "-", ports[name]))
    if aws_off(st):
        print("  moto      off             %s" % (aws_off(st) if reason else "(AWS part off, see above)"))
    hb = read_json(os.path.join(sb.run, "loadgen.json"), {})
    if hb.get("metrics"):
        m = hb["metrics"]
        print("  metrics   ErrorRate %.1f%%  P99 %.0f ms  Memory %.1f%%  (%.0fs ago)" % (
            m.get("ErrorRate", 0), m.get("LatencyP99", 0), m.get("MemoryUtilization", 0),
            time.time() - hb.get("published_at", 0)))
    print("  faults    %s" % (", ".join(sb.active_faults()) or "none"))


def cmd_status(sb, args):
    st = sb.state() if os.path.isdir(sb.dir) else None
    if not st:
        print("no sandbox running in %s" % sb.dir)
        return 3
    comps = sb.component_status(st)
    healthy = all(c["alive"] and c["healthy"] for c in comps.values())
    print("sandbox in %s: %s%s" % (sb.dir, st.get("status") if healthy or st.get("status") != "up" else "degraded",
                                   "; AWS part off: " + aws_off(st) if aws_off(st) else ""))
    print_status(sb, st, comps)
    return 0 if healthy and st.get("status") == "up" else 1


def env_values(sb, st):
    """(names to unset, [(name, value)]): what `env` exports, also written to env.json."""
    pg, aws = st["pg"], st["aws"]
    off = aws_off(st)
    url = "postgresql://%s:%s@127.0.0.1:%d/%s" % (pg["user"], pg["password"], pg["port"], pg["database"])
    dba_url = "postgresql://%s:%s@127.0.0.1:%d/%s" % (pg["dba_user"], pg["dba_password"], pg["port"],
                                                      pg["database"])
    values = [
        ("PGHOST", "127.0.0.1"), ("PGPORT", pg["port"]), ("PGUSER", pg["user"]),
        ("PGPASSWORD", pg["password"]), ("PGDATABASE", pg["database"]), ("DATABASE_URL", url),
        ("REDIS_HOST", "127.0.0.1"), ("REDIS_PORT", st["redis"]["port"]),
        ("REDIS_URL", "redis://127.0.0.1:%d/0" % st["redis"]["port"]),
    ] + ([("PETFORCE_SANDBOX_AWS_OFF", off)] if off else [
        ("AWS_ENDPOINT_URL", aws["endpoint"]), ("AWS_ACCESS_KEY_ID", aws["access_key"]),
        ("AWS_SECRET_ACCESS_KEY", aws["secret_key"]), ("AWS_DEFAULT_REGION", aws["region"]),
        ("AWS_REGION", aws["region"]), ("AWS_MAX_ATTEMPTS", 2), ("AWS_PAGER", "")]) + [
        ("PETFORCE_SANDBOX_DIR", sb.dir), ("PETFORCE_SANDBOX_DBA_URL", dba_url),
        ("PETFORCE_IDLE_THRESHOLD", "%d seconds" % st.get("idle_threshold_seconds", IDLE_THRESHOLD_S)),
    ]
    # an endpoint (or an AWS-off mark) left in the shell by another sandbox's env must not stay
    return (["AWS_ENDPOINT_URL"] if off else ["PETFORCE_SANDBOX_AWS_OFF"]), values


def env_lines(sb, st):
    unset, values = env_values(sb, st)
    return ["unset " + " ".join(unset)] + ["export %s=%s" % (k, shlex.quote(str(v))) for k, v in values]


def write_env_file(sb, st):
    unset, values = env_values(sb, st)
    write_json(sb.env_path, {"set": {k: str(v) for k, v in values}, "unset": unset}, 0o600)


def cmd_env(sb, args):
    st = sb.state() if os.path.isdir(sb.dir) else None
    if not st or st.get("status") != "up":
        say("no sandbox is up in %s (scripts/sandbox up --dir ...)" % sb.dir)
        return 1
    print("\n".join(env_lines(sb, st)))
    return 0


# ---------------------------------------------------------------------------------------------
# faults

def bump_generation(sb):
    path = os.path.join(sb.faults_dir, "generation")
    try:
        with open(path) as f:
            gen = int(f.read().strip() or 0) + 1
    except (OSError, ValueError):
        gen = 1
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % gen)
    os.replace(path + ".tmp", path)
    return gen


def sync_loadgen(sb, what, timeout=45):
    """Bump the fault generation, wake the load generator and wait until it has published with it."""
    gen = bump_generation(sb)
    rec = sb.record("loadgen")
    if not is_alive(rec):
        raise SandboxError("the load generator is not running (scripts/sandbox status)")
    os.kill(rec["pid"], signal.SIGUSR1)
    hb = os.path.join(sb.run, "loadgen.json")
    wait_for("the load generator to publish %s" % what, lambda: (read_json(hb) or {}).get("generation", -1) >= gen,
             timeout)


def fault_path(sb, name):
    return os.path.join(sb.faults_dir, name + ".json")


def aws_client(st, service):
    import awsseed
    try:
        return awsseed.client(st["aws"]["endpoint"], service)
    except ImportError as e:   # a sandbox started with moto, reached now by a Python without boto3
        raise SandboxError("%s; run with the Python that started this sandbox: SANDBOX_PYTHON=%s" % (
            e, st.get("python")))


def member_query_stats(conn):
    rows = conn.query("SELECT sum(calls)::bigint, (sum(total_exec_time) / nullif(sum(calls), 0))::float8 "
                      "FROM pg_stat_statements WHERE query LIKE %s" % pgwire.literal(MEMBER_QUERY_LIKE))
    calls = int(rows[0][0] or 0)
    return calls, float(rows[0][1] or 0.0)


def reset_member_query_stats(conn):
    conn.query("SELECT pg_stat_statements_reset(0, 0, queryid) FROM pg_stat_statements WHERE query LIKE %s"
               % pgwire.literal(MEMBER_QUERY_LIKE))


def has_household_index(conn):
    return conn.scalar("SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                       "AND a.attnum = i.indkey[0] WHERE i.indrelid = 'household_members'::regclass "
                       "AND a.attname = 'household_id' AND i.indisvalid") != "0"


def inject_error_rate(sb, st):
    import awsseed
    ecs = aws_client(st, "ecs")
    svc = ecs.describe_services(cluster=awsseed.CLUSTER, services=[awsseed.SERVICE])["services"][0]
    good = int(svc["taskDefinition"].rsplit(":", 1)[-1])
    bad = awsseed.register_revision(ecs, 0, "v1.2.0")
    ecs.update_service(cluster=awsseed.CLUSTER, service=awsseed.SERVICE,
                       taskDefinition="%s:%d" % (awsseed.FAMILY, bad))
    write_json(fault_path(sb, "error-rate"), {"injected_at": time.time(), "bad_revision": bad,
                                              "good_revision": good})
    sync_loadgen(sb, "the error-rate fault")
    return "deployed %s:%d (v1.2.0, faulty); ErrorRate > 5%% and ERROR lines in %s" % (
        awsseed.FAMILY, bad, awsseed.LOG_GROUP)


def heal_error_rate(sb, st, info):
    note = ""
    if info and not aws_off(st):
        import awsseed
        ecs = aws_client(st, "ecs")
        svc = ecs.describe_services(cluster=awsseed.CLUSTER, services=[awsseed.SERVICE])["services"][0]
        if int(svc["taskDefinition"].rsplit(":", 1)[-1]) == info["bad_revision"]:
            ecs.update_service(cluster=awsseed.CLUSTER, service=awsseed.SERVICE,
                               taskDefinition="%s:%d" % (awsseed.FAMILY, info["good_revision"]))
            note = "rolled back to %s:%d; " % (awsseed.FAMILY, info["good_revision"])
        try:
            ecs.deregister_task_definition(taskDefinition="%s:%d" % (awsseed.FAMILY, info["bad_revision"]))
            note += "deregistered %s:%d" % (awsseed.FAMILY, info["bad_revision"])
        except Exception:  # noqa: BLE001 - already deregistered by an operator
            pass
    return note


def inject_latency(sb, st):
    conn = sb.pg_admin(st, timeout=300)
    conn.query("SET pg_stat_statements.track = 'none'; SET lock_timeout = '60s'")
    conn.query("ALTER TABLE household_members SET (fillfactor = 10)")
    conn.query("VACUUM FULL household_members")
    conn.query("ANALYZE household_members")
    reset_member_query_stats(conn)
    indexed = has_household_index(conn)
    write_json(fault_path(sb, "latency"), {"injected_at": time.time()})
    if not indexed:
        wait_for("the household-members query's mean to pass 100 ms",
                 lambda: (lambda c, m: c >= 2 and m > 100)(*member_query_stats(conn)), 90, 0.5)
    sync_loadgen(sb, "the latency fault")   # publishes the slow calls just measured: P99 > 1000 ms
    calls, mean = member_query_stats(conn)
    conn.close()
    return "household_members bloated 10x; member query mean %.0f ms over %d calls%s" % (
        mean, calls, " (an index on household_id exists: the runbook fix is in place)" if indexed else "")


def heal_latency(sb, st, info):
    conn = sb.pg_admin(st, timeout=300)
    conn.query("SET pg_stat_statements.track = 'none'; SET lock_timeout = '60s'")
    opts = conn.scalar("SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class "
                       "WHERE oid = 'household_members'::regclass")
    note = ""
    if "fillfactor" in (opts or "") or info:
        conn.query("ALTER TABLE household_members RESET (fillfactor)")
        conn.query("VACUUM FULL household_members")
        conn.query("ANALYZE household_members")
        reset_member_query_stats(conn)
        note = "household_members compacted (VACUUM FULL); indexes kept"
    conn.close()
    return note


def inject_pool(sb, st):
    ready = os.path.join(sb.run, "poolhold.json")
    try:
        os.unlink(ready)
    except FileNotFoundError:
        pass
    rec = sb.spawn("poolhold", [sys.executable, os.path.join(HERE, "sandbox.py"), "_hold-pool", "--dir", sb.dir])

    def holder_ready():
        if not is_alive(rec):
            raise Fatal("pool holder exited; see %s/poolhold.log" % sb.logs)
        return read_json(ready)
    info = wait_for("the held sessions", holder_ready, 90, 0.3)
    write_json(fault_path(sb, "pool-exhausted"), {"injected_at": time.time(), "backend_pids": info["pids"]})
    sync_loadgen(sb, "the pool-exhausted fault")
    return "holding %d sessions (%d idle > %ds, %d idle in transaction); %d of %d connections free" % (
        len(info["pids"]), info["stale"], IDLE_THRESHOLD_S, info["idle_in_tx"],
        MAX_CONNECTIONS - info["client_backends"], MAX_CONNECTIONS)


def heal_pool(sb, st, info):
    stopped = sb.stop_record("poolhold")
    pids = (info or {}).get("backend_pids") or (read_json(os.path.join(sb.run, "poolhold.json"), {}) or {}).get(
        "pids", [])
    if pids:
        plist = ",".join(str(int(p)) for p in pids)

        def gone():
            c = sb.pg_admin(st, timeout=10)
            try:
                return c.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid IN (%s)" % plist) == "0"
            finally:
                c.close()
        try:
            wait_for("held sessions to end", gone, 15, 0.3)
        except SandboxError:
            c = sb.pg_admin(st, timeout=10)
            c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (%s)" % plist)
            c.close()
            wait_for("held sessions to end", gone, 15, 0.3)
    try:
        os.unlink(os.path.join(sb.run, "poolhold.json"))
    except FileNotFoundError:
        pass
    return "released the held sessions" if stopped or pids else ""


def inject_rate_limit(sb, st):
    r = resp.Redis("127.0.0.1", st["redis"]["port"])
    counts = {}
    for ip in HOT_IPS:
        key = "rate_limit:" + ip
        r.pipeline([["SET", key, 0, "EX", 60, "NX"], ["INCRBY", key, random.randint(1200, 1800)]])
        counts[ip] = r.call("GET", key)
    r.close()
    if aws_off(st):   # the Redis half only: the lines go to CloudWatch Logs, the fix to the WAF
        write_json(fault_path(sb, "rate-limit"), {"injected_at": time.time(), "hot_ips": list(HOT_IPS)})
        sync_loadgen(sb, "the rate-limit fault")
        return ("hot IPs %s: rate_limit keys only; AWS part off, so no RATE_LIMIT log lines and no WAF fix"
                % ", ".join(HOT_IPS))
    import awsseed
    # The attack began a quarter of an hour ago: its earlier RATE_LIMIT lines are already in the log group.
    logs = aws_client(st, "logs")
    now = int(time.time() * 1000)
    streams = st["aws"]["log_streams"]
    events = {s: [] for s in streams}
    n = 120
    for i in range(n):
        ts = now - 900000 + i * (900000 // n)
        ip = HOT_IPS[i % len(HOT_IPS)]
        events[streams[i % len(streams)]].append({"timestamp": ts, "message": rate_limit_line(ip, 101 + i * 11, 100)})
    for stream, evs in events.items():
        logs.put_log_events(logGroupName=awsseed.LOG_GROUP, logStreamName=stream, logEvents=evs)
    write_json(fault_path(sb, "rate-limit"), {"injected_at": time.time(), "hot_ips": list(HOT_IPS)})
    sync_loadgen(sb, "the rate-limit fault")
    return "hot IPs %s; %d RATE_LIMIT lines in the last 15 min, more every 10 s" % (", ".join(HOT_IPS), n)


def rate_limit_line(ip, count, limit):
    return ("WARN RATE_LIMIT exceeded ip=%s count=%d limit=%d window=60s path=/api/households/join status=429"
            % (ip, count, limit))


def heal_rate_limit(sb, st, info):
    if info is not None:   # stop the attack first, or the load generator recreates the keys
        os.unlink(fault_path(sb, "rate-limit"))
        sync_loadgen(sb, "the healed state")
    r = resp.Redis("127.0.0.1", st["redis"]["port"])
    r.call("DEL", *["rate_limit:" + ip for ip in HOT_IPS])
    r.close()
    return "hot IPs' rate_limit keys deleted; no new RATE_LIMIT lines"


def inject_memory(sb, st):
    write_json(fault_path(sb, "memory-leak"), {"injected_at": time.time()})
    sync_loadgen(sb, "the memory-leak fault")
    return "MemoryUtilization above 90% and rising"


def heal_memory(sb, st, info):
    return "MemoryUtilization back to its baseline"


INJECT = {"error-rate": inject_error_rate, "latency": inject_latency, "pool-exhausted": inject_pool,
          "rate-limit": inject_rate_limit, "memory-leak": inject_memory}
HEAL = {"error-rate": heal_error_rate, "latency": heal_latency, "pool-exhausted": heal_pool,
        "rate-limit": heal_rate_limit, "memory-leak": heal_memory}


def require_up(sb):
    st = sb.state() if os.path.isdir(sb.dir) else None
    if not st or st.get("status") != "up":
        raise SandboxError("no sandbox is up in %s" % sb.dir)
    return st


AWS_FAULTS = {"error-rate": "it deploys a faulty ECS revision",
              "memory-leak": "it shows in CloudWatch's MemoryUtilization"}


def cmd_inject(sb, args):
    sb.lock()
    st = require_up(sb)
    if aws_off(st) and args.fault in AWS_FAULTS:
        raise SandboxError("inject %s needs the sandbox's AWS part (%s), which is off: %s" % (
            args.fault, AWS_FAULTS[args.fault], aws_off(st)))
    if os.path.exists(fault_path(sb, args.fault)):
        print("%s is already injected" % args.fault)
        return 0
    t0 = time.monotonic()
    try:
        note = INJECT[args.fault](sb, st)
    except BaseException:
        say("inject %s failed; healing what it did" % args.fault)
        try:
            HEAL[args.fault](sb, st, read_json(fault_path(sb, args.fault)))
        finally:
            try:
                os.unlink(fault_path(sb, args.fault))
            except FileNotFoundError:
                pass
        raise
    print("injected %s in %.1fs: %s" % (args.fault, time.monotonic() - t0, note))
    return 0


def cmd_heal(sb, args):
    sb.lock()
    st = require_up(sb)
    names = [args.fault] if args.fault else list(FAULTS)
    healed = []
    for name in names:
        path = fault_path(sb, name)
        info = read_json(path)
        t0 = time.monotonic()
        note = HEAL[name](sb, st, info)
        if info is not None and os.path.exists(path):
            os.unlink(path)
            sync_loadgen(sb, "the healed state")
        if info is not None or note:
            healed.append(name)
            print("healed %s in %.1fs%s" % (name, time.monotonic() - t0, (": " + note) if note else ""))
    if not healed:
        print("nothing to heal" if not args.fault else "%s was not injected" % args.fault)
    return 0


# ---------------------------------------------------------------------------------------------
# pool holder (started by `inject pool-exhausted`, stopped by `heal`/`down`)

def cmd_hold_pool(sb, args):
    st = require_up(sb)
    conns, stale, idle_tx = [], 0, 0
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))   # closing the sockets ends the sessions

    def open_app(name):
        c = sb.pg_app(st, name, timeout=20)
        conns.append(c)
        return c

    def open_migrate():
        pg = st["pg"]
        c = pgwire.Connection("127.0.0.1", pg["port"], pg["user"], pg["database"], pg["password"],
                              application_name="petforce-migrate", timeout=20)
        conns.append(c)
        return c
    # 0. a stuck migration (superuser); its first session also counts the others
    monitor = open_migrate()

    def client_backends():
        return int(monitor.scalar("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"))
    # 1. leaked API pool connections, idle from the start ("idle for more than the threshold")
    for _ in range(8):
        open_app("petforce-api").query("SELECT 1")
        stale += 1
    stale_since = time.monotonic()
    # 2. worker sessions stuck idle in transaction
    for i in range(8):
        open_app("petforce-worker").query("BEGIN; SELECT count(*) FROM join_requests WHERE household_id = %d"
                                          % (1 + i * 97))
        idle_tx += 1
    # 3. more leaked API connections until the application role is refused (superuser slots remain)
    while len(conns) < MAX_CONNECTIONS:
        try:
            open_app("petforce-api").query("SELECT 1")
        except pgwire.PgError as e:
            if e.sqlstate == "53300":
                break
            raise
    # 4. the migration's sessions, idle in transaction, until fewer than 2 connections are free; checked
    #    a few times, as a short-lived connection of someone else may have been counted
    for _ in range(4):
        while client_backends() < MAX_CONNECTIONS - 1:
            try:
                open_migrate().query("BEGIN; SELECT count(*) FROM households WHERE id < 100")
            except pgwire.PgError as e:
                if e.sqlstate == "53300":
                    break
                raise
            idle_tx += 1
        time.sleep(0.3)
    total = client_backends()
    rest = IDLE_THRESHOLD_S + 1 - (time.monotonic() - stale_since)
    if rest > 0:
        time.sleep(rest)
    write_json(os.path.join(sb.run, "poolhold.json"), {
        "pids": [c.backend_pid for c in conns], "stale": stale, "idle_in_tx": idle_tx,
        "client_backends": total, "held": len(conns)})
    print("holding %d sessions; %d client backends" % (len(conns), total), flush=True)
    while True:
        signal.pause()


# ---------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts/sandbox", description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default=None, help="sandbox folder (default: %s)" % default_dir())
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("up", help="start everything; returns when all of it answers")
    p.add_argument("--fresh", action="store_true", help="stop a sandbox already running in the folder first")
    sub.add_parser("down", help="stop exactly what up started")
    sub.add_parser("status", help="what runs, on which ports; exit 0 when all of it answers")
    sub.add_parser("env", help="print export lines for psql, redis-cli and aws")
    p = sub.add_parser("inject", help="inject a fault")
    p.add_argument("fault", choices=FAULTS)
    p = sub.add_parser("heal", help="heal one fault, or all of them")
    p.add_argument("fault", nargs="?", choices=FAULTS)
    sub.add_parser("_loadgen")
    sub.add_parser("_hold-pool")
    # accept --dir after the command too
    for name, sp in sub.choices.items():
        sp.add_argument("--dir", dest="dir_after", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sb = Sandbox(args.dir_after or args.dir or default_dir())
    try:
        if args.command == "_loadgen":
            import loadgen
            return loadgen.main(sb)
        handler = {"up": cmd_up, "down": cmd_down, "status": cmd_status, "env": cmd_env,
                   "inject": cmd_inject, "heal": cmd_heal, "_hold-pool": cmd_hold_pool}[args.command]
        return handler(sb, args)
    except SandboxError as e:
        say("error: %s" % e)
        return 1
    except BrokenPipeError:   # e.g. `scripts/sandbox status | head -n 2`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
