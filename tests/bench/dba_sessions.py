#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Holds N sessions on a PostgreSQL for `scripts/bench dba_refresh`: about 80 % idle, 5 % idle in transaction,
# 5 % active (pg_sleep) and 10 % in three-session lock chains (holder idle in transaction → waiter → waiter).
# Prints READY when all are in place and holds them until stdin closes.
#   dba_sessions.py HOST PORT USER DATABASE N
import os
import resource
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "sandbox.d"))
import pgwire  # noqa: E402

host, port, user, db, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 100)), hard))


def connect(app):
    return pgwire.Connection(host, port, user, db, application_name=app, timeout=60)


setup = connect("bench-setup")
setup.query("DROP TABLE IF EXISTS bench_rows; CREATE TABLE bench_rows (id int PRIMARY KEY, v int); "
            "INSERT INTO bench_rows SELECT g, 0 FROM generate_series(1, %d) g" % (n + 1))
setup.close()

held = []
chains = max(1, n // 30)  # 3 sessions each: ~10 %
active = max(1, n // 20)
in_tx = max(1, n // 20)
idle = n - 3 * chains - active - in_tx
for i in range(idle):
    c = connect("bench-api")
    c.query("SELECT 1")
    held.append(c)
for i in range(in_tx):
    c = connect("bench-worker")
    c.query("BEGIN; SELECT 1")
    held.append(c)
for i in range(active):
    c = connect("bench-report")
    c._send(b"Q", b"SELECT pg_sleep(100000)\0")
    held.append(c)
for k in range(chains):
    h = connect("bench-migrate")
    h.query("BEGIN; UPDATE bench_rows SET v = v + 1 WHERE id = %d" % (k + 1))
    w1 = connect("bench-api")
    w1._send(b"Q", ("UPDATE bench_rows SET v = v + 1 WHERE id = %d\0" % (k + 1)).encode())
    w2 = connect("bench-api")
    w2._send(b"Q", ("UPDATE bench_rows SET v = v + 1 WHERE id = %d\0" % (k + 1)).encode())
    held += [h, w1, w2]
print("READY %d" % len(held), flush=True)
sys.stdin.read()
