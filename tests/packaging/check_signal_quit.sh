#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SIGTERM, SIGINT and SIGHUP close the real console as its Quit would: it exits 0 and its layout is saved
# (app/quitonsignal.h). Offscreen, a private folder per signal. Usage: check_signal_quit.sh CONSOLE WORK
set -euo pipefail
console=$1 work=$2
rm -rf "$work"
for sig in TERM INT HUP; do
    dir=$work/$sig
    mkdir -p "$dir"
    conf=$dir/config/PetForce/petforce-console.conf
    PETFORCE_BENCH_PAINT_MARKER=2 QT_QPA_PLATFORM=offscreen XDG_DATA_HOME=$dir/data XDG_CONFIG_HOME=$dir/config \
        XDG_STATE_HOME=$dir/state XDG_CACHE_HOME=$dir/cache \
        "$console" --store "$dir/incidents.sqlite" > "$dir/out" 2> "$dir/err" &
    pid=$!
    for _ in $(seq 300); do
        grep -q PAINTED "$dir/out" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    grep -q PAINTED "$dir/out" || { cat "$dir/err"; echo "FAIL: the console did not paint"; exit 1; }
    if grep -qs '^state=' "$conf"; then echo "FAIL: a layout was saved before SIG$sig"; exit 1; fi
    kill -"$sig" "$pid"
    rc=0
    wait "$pid" || rc=$?
    [[ $rc == 0 ]] || { cat "$dir/err"; echo "FAIL: SIG$sig: exit status $rc (want 0)"; exit 1; }
    grep -qs '^state=' "$conf" || { echo "FAIL: SIG$sig: no layout saved in $conf"; exit 1; }
    echo "ok: SIG$sig closed the console (exit 0) and its layout was saved"
done
