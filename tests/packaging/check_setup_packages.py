#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fails when building, testing or the sandbox needs a Debian package that scripts/setup would not install.

  check_setup_packages.py --source DIR --work DIR [--setup FILE] [--programs FILE] [--cmake CMAKE]

1. Every name `scripts/setup --list` prints is a real package, installed (a virtual name never is).
2. The project is configured into WORK under `strace -f -e trace=openat,execve`; each file it opened or ran
   under /usr belongs (dpkg's file lists) to a package of Debian priority required/important, or to the
   Depends/Pre-Depends closure (no Recommends) of the setup list, taken from dpkg's database.
3. Each program in the programs file, resolved on PATH as the tests resolve it, belongs to such a package
   (the aws CLI and moto_server are the operator's: not checked here).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

ALLOWED_PRIORITIES = {"required", "important"}
# merged /usr: a file opened as /usr/bin/x may be listed by its package as /bin/x
ALIASES = (("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/"), ("/usr/lib/", "/lib/"), ("/usr/lib64/", "/lib64/"))


def dpkg_db():
    """name -> (priority, provides, depends groups) for every installed package."""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${db:Status-Status}\t${Priority}\t${Provides}\t${Pre-Depends}\t"
         "${Depends}\n"], capture_output=True, text=True, check=True).stdout
    db = {}
    providers = {}
    for line in out.splitlines():
        name, status, priority, provides, predepends, depends = (line.split("\t") + [""] * 6)[:6]
        if status != "installed":
            continue
        groups = [g.strip() for g in (predepends + "," + depends).split(",") if g.strip()]
        db[name] = (priority, groups)
        for p in provides.split(","):
            p = re.sub(r"\s*\(.*\)", "", p).strip()
            if p:
                providers.setdefault(p, []).append(name)
    return db, providers


def bare(dep):
    return re.sub(r"\s*[\(\[].*$", "", dep).strip().split(":")[0]


def closure(roots, db, providers):
    seen = set()
    todo = [r for r in roots if r in db]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for group in db[name][1]:
            # the first alternative that is installed, as apt would have it; a virtual name: its installed providers
            for alt in (bare(a) for a in group.split("|")):
                chosen = [alt] if alt in db else providers.get(alt, [])
                if chosen:
                    todo.extend(chosen)
                    break
    return seen


def file_owners():
    owners = {}
    for lst in glob.glob("/var/lib/dpkg/info/*.list"):
        pkg = os.path.basename(lst)[:-5].split(":")[0]
        with open(lst, encoding="utf-8", errors="replace") as f:
            for path in f:
                owners.setdefault(path.rstrip("\n"), pkg)
    return owners


def owner_of(path, owners):
    candidates = [path, os.path.realpath(path)]
    for c in list(candidates):
        for new, old in ALIASES:
            if c.startswith(new):
                candidates.append(old + c[len(new):])
    for c in candidates:
        if c in owners:
            return owners[c]
    return None


SYSCALL = re.compile(r'^(\d+)\s+(openat|execve)\((?:AT_FDCWD, )?"([^"]*)"(.*)$')
RESUMED = re.compile(r"^(\d+)\s+<\.\.\. (openat|execve) resumed>.*\)\s+=\s+(-?\d+)")
RESULT = re.compile(r"\)\s+=\s+(-?\d+)")
EXITED = re.compile(r"^(\d+)\s+\+\+\+ exited with (\d+) \+\+\+")


def traced_files(log):
    """Paths that openat() opened and execve() ran successfully, from `strace -f -o LOG` output. A process that
    exited non-zero was a probe that found nothing (pkg-config --exists for an optional module reads every .pc
    file): what it opened is not needed."""
    opened = {}
    failed = set()
    pending = {}
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = SYSCALL.match(line)
            if m:
                pid, path, rest = m.group(1), m.group(3), m.group(4)
                if rest.rstrip().endswith("<unfinished ...>"):
                    pending[pid] = path
                    continue
                r = RESULT.search(rest)
                if r and int(r.group(1)) >= 0:
                    opened.setdefault(pid, set()).add(path)
                continue
            m = RESUMED.match(line)
            if m and m.group(1) in pending:
                path = pending.pop(m.group(1))
                if int(m.group(3)) >= 0:
                    opened.setdefault(m.group(1), set()).add(path)
                continue
            m = EXITED.match(line)
            if m and m.group(2) != "0":
                failed.add(m.group(1))
    return set().union(*(paths for pid, paths in opened.items() if pid not in failed))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--setup")
    ap.add_argument("--programs")
    ap.add_argument("--cmake", default="cmake")
    args = ap.parse_args()
    setup = args.setup or os.path.join(args.source, "scripts", "setup")
    programs = args.programs or os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs.txt")

    failures = []
    listed = subprocess.run([setup, "--list"], capture_output=True, text=True, check=True).stdout.split()
    db, providers = dpkg_db()
    for name in listed:
        if name not in db:
            by = providers.get(name)
            failures.append("scripts/setup lists %s, which is not installed%s" % (
                name, " (a virtual package, provided by %s: list that instead)" % ", ".join(sorted(by)) if by else
                ": run scripts/setup"))
    allowed = closure(listed, db, providers)
    print("# scripts/setup lists %d packages; with their Depends/Pre-Depends closure %d" % (len(listed),
                                                                                          len(allowed)))

    def acceptable(pkg):
        return pkg in allowed or db.get(pkg, ("", []))[0] in ALLOWED_PRIORITIES

    owners = file_owners()

    # 2. configure under strace
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    log = os.path.join(work, "strace.log")
    cmd = ["strace", "-f", "-q", "-s", "4096", "-e", "trace=openat,execve", "-e", "signal=none", "-o", log,
           args.cmake, "-S", args.source, "-B", os.path.join(work, "build"), "-G", "Ninja",
           "-DCMAKE_BUILD_TYPE=Debug", "-DPETFORCE_WERROR=ON"]
    env = dict(os.environ)
    env.pop("CMAKE_PREFIX_PATH", None)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if r.returncode != 0:
        failures.append("configuring the project failed:\n" + r.stdout[-3000:])
    # Python's site.py reads every .pth file of its site folders at start (aws --version at configure): read
    # because they are there, not needed.
    files = sorted(p for p in traced_files(log)
                   if p.startswith("/usr/") and not os.path.isdir(p) and not p.endswith(".pth"))
    outside = {}
    unowned = []
    for path in files:
        pkg = owner_of(path, owners)
        if pkg is None:
            unowned.append(path)
        elif not acceptable(pkg):
            outside.setdefault(pkg, []).append(path)
    print("# configure opened or ran %d files under /usr, from %d packages" % (
        len(files), len({owner_of(p, owners) for p in files} - {None})))
    for pkg, paths in sorted(outside.items()):
        failures.append("configure needs %s (e.g. %s; %d files), which scripts/setup does not install: not in the "
                        "Depends/Pre-Depends closure of its list, priority %s" % (
                            pkg, paths[0], len(paths), db.get(pkg, ("?", []))[0] or "?"))
    for path in unowned:
        if path.startswith("/usr/local/"):
            failures.append("configure used %s, which no Debian package installed" % path)
    others = [p for p in unowned if not p.startswith("/usr/local/")]
    if others:
        print("# %d opened files belong to no package (caches made on the machine), e.g. %s" % (
            len(others), ", ".join(others[:3])))

    # 3. programs the tests and the sandbox run
    path_dirs = os.environ.get("PATH", "").split(os.pathsep)
    with open(programs, encoding="utf-8") as f:
        names = [ln.split("#")[0].strip() for ln in f]
    for name in filter(None, names):
        if name.startswith("[root] "):  # run only when the tests run as root (runuser -u postgres)
            if os.geteuid() != 0:
                continue
            name = name[len("[root] "):]
        if os.path.isabs(name):
            hits = [name] if os.access(name, os.X_OK) else []
        else:
            hits = [os.path.join(d, name) for d in path_dirs if d and os.access(os.path.join(d, name), os.X_OK)
                    and not os.path.isdir(os.path.join(d, name))]
        if not hits:
            failures.append("the tests run %s, which is not on PATH (no package of scripts/setup provides it)" % name)
            continue
        first_pkg = owner_of(hits[0], owners)
        if first_pkg is not None:
            if not acceptable(first_pkg):
                failures.append("the tests run %s from %s (%s), which scripts/setup does not install" % (
                    name, first_pkg, hits[0]))
            continue
        # The first on PATH is the machine's own (pyenv, /usr/local): a fresh machine resolves the Debian copy.
        debian = [(h, owner_of(h, owners)) for h in hits[1:] if owner_of(h, owners)]
        good = [(h, p) for h, p in debian if acceptable(p)]
        if good:
            print("# %s: %s comes first on this PATH (no package); a fresh machine runs %s from %s" % (
                name, hits[0], good[0][0], good[0][1]))
        else:
            failures.append("the tests run %s as %s, which no Debian package of scripts/setup provides" % (
                name, hits[0]))

    for f in failures:
        print("FAIL: " + f)
    if failures:
        return 1
    print("ok: every package the configure step and the tests' programs need is installed by scripts/setup")
    return 0


if __name__ == "__main__":
    sys.exit(main())
