#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Startup benchmark: time from spawning the program to its first paint, for the console and for a bare
QMainWindow built in the same tree, alternating, in the same run. Prints
BENCH startup console_ms=... bare_ms=... skeleton_ms=... over_skeleton=...
(medians; over_skeleton = console / skeleton, target <= 1.3). skeleton: the bare program with a menu bar, three
docks, a label and an empty table (bare_mainwindow --skeleton), the floor of any window with text, menus and docks;
bare: a QMainWindow that paints no text (printed for reference)."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

build = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
console = os.path.join(build, "app", "petforce-console")
bare = os.path.join(build, "tests", "bench", "bare_mainwindow")

tmp = tempfile.mkdtemp(prefix="bench-startup-")
env = dict(os.environ)
env.update({"PETFORCE_BENCH_PAINT_MARKER": "1", "XDG_DATA_HOME": tmp + "/data", "XDG_CONFIG_HOME": tmp + "/config",
            "XDG_STATE_HOME": tmp + "/state", "XDG_CACHE_HOME": tmp + "/cache"})
xvfb = None
if shutil.which("Xvfb") and "DISPLAY" not in os.environ:
    display = ":%d" % (90 + os.getpid() % 100)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    env["DISPLAY"] = display
    env.pop("QT_QPA_PLATFORM", None)
    platform = "xcb (Xvfb)"
else:
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    platform = env.get("QT_QPA_PLATFORM", "default")


def first_paint_ms(argv):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    line = proc.stdout.readline()
    elapsed = (time.perf_counter() - start) * 1000.0
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if line.strip() != b"PAINTED":
        raise SystemExit("%s never painted" % argv[0])
    return elapsed


try:
    store = os.path.join(tmp, "incidents.sqlite")
    first_paint_ms([console, "--store", store])  # creates the store: later runs open an existing one
    first_paint_ms([bare])
    c, b, s = [], [], []
    for _ in range(runs):
        c.append(first_paint_ms([console, "--store", store]))
        b.append(first_paint_ms([bare]))
        s.append(first_paint_ms([bare, "--skeleton"]))
    cm, bm, sm = statistics.median(c), statistics.median(b), statistics.median(s)
    print("# platform=%s runs=%d console_min=%.1f bare_min=%.1f skeleton_min=%.1f" % (platform, runs, min(c), min(b),
                                                                                    min(s)))
    print("# console/bare=%.2f skeleton/bare=%.2f" % (cm / bm, sm / bm))
    print("BENCH startup console_ms=%.1f bare_ms=%.1f skeleton_ms=%.1f over_skeleton=%.2f" % (cm, bm, sm, cm / sm))
finally:
    if xvfb:
        xvfb.terminate()
        xvfb.wait()
    shutil.rmtree(tmp, ignore_errors=True)
