#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench dba_refresh [N] [SECONDS]: the DBA sessions view (all sessions + blocking tree, every second)
# against Debian's pg_activity (`pg_activity --refresh 1`), side by side on the same throwaway PostgreSQL with
# N sessions (default: N = 500 and N = 2000; SECONDS default 60). Server time per refresh from pg_stat_statements
# (each tool runs as its own role; pg_activity's refreshes counted by the server), client CPU per refresh (the
# console's from its first refresh on, pg_activity's between two samples once it runs), and the console's
# end-to-end refresh time (query sent → pane updated and its sessions table painted, offscreen).
# SECONDS must be at least 10.
# Prints: BENCH dba_refresh sessions=N server_ratio=… cpu_ratio=… median_ms=… p95_ms=…  (ratios: console / pg_activity)
set -euo pipefail
build=${1:?usage: dba_refresh.sh BUILD_DIR [N] [SECONDS]}
sizes=${2:-"500 2000"}
seconds=${3:-60}
here=$(cd "$(dirname "$0")" && pwd)
bin=/usr/lib/postgresql/15/bin
exe="$build/tests/bench/bench_dba_refresh"
[ -x "$exe" ] || { echo "dba_refresh: $exe not built" >&2; exit 2; }
command -v pg_activity >/dev/null || { echo "dba_refresh: pg_activity missing (apt-get install pg-activity)" >&2; exit 2; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

dir=$(mktemp -d /tmp/petforce-bench-dba.XXXXXX)
chmod 755 "$dir"
holder=
cleanup() {
  [ -z "$holder" ] || kill "$holder" 2>/dev/null || true
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$dir/data" "$dir/sock" "$dir/log"
[ "$(id -u)" -ne 0 ] || chown postgres: "$dir/data" "$dir/sock" "$dir/log"
as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
port=$((20000 + RANDOM % 30000))
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log/server.log" -w -t 60 start -o "-c listen_addresses=127.0.0.1 -c port=$port \
  -c unix_socket_directories=$dir/sock -c fsync=off -c max_connections=2100 -c shared_buffers=128MB \
  -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top" >/dev/null
psql() { command psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
psql -c "CREATE EXTENSION pg_stat_statements; CREATE ROLE bench_console LOGIN SUPERUSER; CREATE ROLE bench_pga LOGIN SUPERUSER"

stats() { # total exec ms of a role's statements
  psql -At -c "SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = '$1'"
}

for n in $sizes; do
  exec 3> >(python3 "$here/dba_sessions.py" 127.0.0.1 "$port" postgres postgres "$n" > "$dir/holder.out")
  holder=$!
  for _ in $(seq 1 600); do grep -q READY "$dir/holder.out" 2>/dev/null && break; sleep 0.5; done
  grep -q READY "$dir/holder.out" || { echo "dba_refresh: sessions not ready" >&2; exit 1; }
  sleep 2
  psql -c "SELECT pg_stat_statements_reset()" >/dev/null

  console=$(PGPASSWORD= QT_QPA_PLATFORM=offscreen "$exe" "postgresql://bench_console@127.0.0.1:$port/postgres" "$seconds")
  refreshes=$(sed -n 's/.*refreshes=\([0-9]*\).*/\1/p' <<<"$console")
  console_cpu=$(sed -n 's/.*cpu_s=\([0-9.]*\).*/\1/p' <<<"$console")
  console_server=$(stats bench_console)

  # pg_activity needs a terminal: script(1) gives it one. Its refreshes are counted by the server (calls of its
  # per-refresh statements: it refreshes less often than every second when a refresh takes it long), its CPU from
  # /proc, both between two samples once it runs (its start-up is not counted, as the console's is not).
  TERM=xterm-256color timeout -s INT "$seconds" script -qfec \
    "stty cols 200 rows 60; exec pg_activity --refresh 1 --no-db-size --no-tempfiles -h 127.0.0.1 -p $port -U bench_pga -d postgres" \
    "$dir/pga.typescript" >/dev/null 2>&1 </dev/null &
  spid=$!
  sleep 3
  pga=$(pgrep -n -f "pg_activity --refresh 1 --no-db-size --no-tempfiles -h 127.0.0.1 -p $port" || true)
  [ -n "$pga" ] || { echo "dba_refresh: pg_activity did not start" >&2; exit 1; }
  pga_sample() { # cpu_s calls server_ms
    local cpu
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$pga/stat")
    echo "$cpu $(psql -At -F ' ' -c "SELECT coalesce(max(calls), 0), coalesce(sum(total_exec_time), 0) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'bench_pga'")"
  }
  read -r pga_cpu0 pga_calls0 pga_server0 < <(pga_sample)
  sleep $((seconds - 6))
  read -r pga_cpu1 pga_calls1 pga_server1 < <(pga_sample)
  wait "$spid" 2>/dev/null || true
  pga_refreshes=$((pga_calls1 - pga_calls0))
  pga_cpu=$(echo "$pga_cpu1 - $pga_cpu0" | bc)
  pga_server=$(echo "$pga_server1 - $pga_server0" | bc)

  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
  python3 - "$n" "$console" "$refreshes" "$console_cpu" "$console_server" "$pga_refreshes" "$pga_cpu" "$pga_server" "$build_type" <<'PY'
import re, sys
n, console, refreshes, ccpu, cserver, prefreshes, pcpu, pserver, build_type = sys.argv[1:]
refreshes, prefreshes = max(1, int(refreshes or 0)), max(1, int(prefreshes or 0))
ccpu, cserver, pcpu, pserver = float(ccpu or 0), float(cserver or 0), float(pcpu or 0), float(pserver or 0)
m = dict(re.findall(r"(\w+)=([\d.]+)", console))
server_ratio = (cserver / refreshes) / (pserver / prefreshes) if pserver > 0 else float("nan")
cpu_ratio = (ccpu / refreshes) / (pcpu / prefreshes) if pcpu > 0 else float("nan")
print("# console: %d refreshes, server %.2f ms/refresh, cpu %.2f ms/refresh; pg_activity: %d refreshes, server %.2f ms/refresh, cpu %.2f ms/refresh"
      % (refreshes, cserver / refreshes, 1000 * ccpu / refreshes, prefreshes, pserver / prefreshes, 1000 * pcpu / prefreshes))
print("# %s" % console.strip())
print("# build %s, load average %s" % (build_type, open("/proc/loadavg").read().split(" ", 3)[:3]))
print("BENCH dba_refresh sessions=%s server_ratio=%.2f cpu_ratio=%.3f median_ms=%s p95_ms=%s"
      % (n, server_ratio, cpu_ratio, m.get("median_ms"), m.get("p95_ms")))
PY
  exec 3>&-
  kill "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
  holder=
  psql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'bench-%'" >/dev/null || true
  sleep 1
done
