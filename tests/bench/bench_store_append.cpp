// SPDX-License-Identifier: MIT
// BENCH store_append: events appended one transaction each through IncidentStore::appendEvent, against the same
// inserts through the sqlite3 shell (BEGIN; INSERT; COMMIT; per event) into the same schema with the same pragmas
// (busy_timeout, WAL, synchronous=FULL, foreign_keys). Target: ratio = console/sqlite >= 0.5.
//
//   bench_store_append [--events N (10000)] [--rounds R (4)] [--dir DIR (a temporary folder)]
//
// The events of each side are split into R rounds that alternate console / sqlite, so that a change in the load of
// the machine falls on both. The sqlite3 side is timed from process start to exit, less the time of a run of the
// pragmas alone (process start-up). The console side also checks the incident and updates its row (lastSeq) in
// each transaction, as the program does. Prints the BENCH line on stdout, details on stderr.
#include "services/incidentstore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QStringList>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace {

const QByteArray Pragmas = "PRAGMA busy_timeout = 5000;\nPRAGMA journal_mode = WAL;\nPRAGMA synchronous = FULL;\n"
                           "PRAGMA foreign_keys = ON;\n";

[[noreturn]] void fail(const QString& message)
{
    std::fprintf(stderr, "bench_store_append: %s\n", qPrintable(message));
    std::exit(2);
}

// Runs sqlite3 on path with script as its input; returns the elapsed nanoseconds.
qint64 runSqlite(const QString& sqlite3, const QString& path, const QString& scriptFile)
{
    QProcess p;
    p.setProgram(sqlite3);
    p.setArguments({ u"-bail"_s, path });
    p.setStandardInputFile(scriptFile);
    p.setStandardOutputFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    p.start();
    if (!p.waitForFinished(-1) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        fail(u"sqlite3 failed: "_s + QString::fromUtf8(p.readAllStandardError()));
    return timer.nsecsElapsed();
}

qint64 countEvents(const QString& path)
{
    IncidentStore store(path);
    if (!store.open())
        fail(store.lastError().message);
    return store.eventsSince(0, -1).size();
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const auto option = [&args](const QString& name, const QString& fallback) {
        const qsizetype i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
    };
    const int events = option(u"--events"_s, u"10000"_s).toInt();
    const int rounds = std::max(1, option(u"--rounds"_s, u"4"_s).toInt());
    QTemporaryDir temporary;
    const QString dir = option(u"--dir"_s, temporary.path());
    const QString sqlite3 = QStandardPaths::findExecutable(u"sqlite3"_s);
    if (sqlite3.isEmpty())
        fail(u"the sqlite3 shell is not installed (apt-get install sqlite3)"_s);
    if (events <= 0 || !temporary.isValid())
        fail(u"usage: bench_store_append [--events N] [--rounds R] [--dir DIR]"_s);

    const QString consolePath = dir + u"/console.sqlite"_s;
    const QString shellPath = dir + u"/shell.sqlite"_s;
    for (const QString& path : { consolePath, shellPath }) {
        for (const QString& suffix : { u""_s, u"-wal"_s, u"-shm"_s })
            QFile::remove(path + suffix);
    }

    // The same schema on both sides, each with one incident to append to.
    IncidentDraft draft;
    draft.title = u"Benchmark"_s;
    draft.environment = u"sandbox"_s;
    qint64 shellIncident = 0;
    {
        IncidentStore shell(shellPath);
        if (!shell.open())
            fail(shell.lastError().message);
        shellIncident = shell.createIncident(draft, u"bench"_s, QDateTime::currentMSecsSinceEpoch()).incident.id;
    }
    IncidentStore console(consolePath);
    if (!console.open())
        fail(console.lastError().message);
    const StoreChange created = console.createIncident(draft, u"bench"_s, QDateTime::currentMSecsSinceEpoch());
    if (!created.ok)
        fail(created.error.message);

    // The shell's scripts, one per round, and the pragmas alone for its start-up time.
    const QString baselineFile = dir + u"/baseline.sql"_s;
    {
        QFile f(baselineFile);
        if (!f.open(QIODevice::WriteOnly) || f.write(Pragmas) != Pragmas.size())
            fail(u"cannot write "_s + baselineFile);
    }
    QStringList scripts;
    int next = 0;
    for (int round = 0; round < rounds; ++round) {
        const int count = events / rounds + (round < events % rounds ? 1 : 0);
        QByteArray script = Pragmas;
        for (int i = 0; i < count; ++i, ++next) {
            script += "BEGIN;\nINSERT INTO events (incident_id, time_ms, kind, actor, summary, detail) VALUES ("
                + QByteArray::number(shellIncident) + ", " + QByteArray::number(QDateTime::currentMSecsSinceEpoch())
                + ", 'bench.append', 'bench', 'Event " + QByteArray::number(next)
                + "', '{\"i\":" + QByteArray::number(next) + "}');\nCOMMIT;\n";
        }
        const QString file = dir + u"/round-%1.sql"_s.arg(round);
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly) || f.write(script) != script.size())
            fail(u"cannot write "_s + file);
        scripts.append(file);
    }
    qint64 baselineNs = runSqlite(sqlite3, shellPath, baselineFile);
    baselineNs = std::min(baselineNs, runSqlite(sqlite3, shellPath, baselineFile));

    qint64 consoleNs = 0;
    qint64 shellNs = 0;
    next = 0;
    for (int round = 0; round < rounds; ++round) {
        const int count = events / rounds + (round < events % rounds ? 1 : 0);
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < count; ++i, ++next) {
            const StoreChange c = console.appendEvent(created.incident.id, u"bench.append"_s, u"Event %1"_s.arg(next),
                { { u"i"_s, next } }, u"bench"_s, QDateTime::currentMSecsSinceEpoch());
            if (!c.ok)
                fail(c.error.message);
        }
        consoleNs += timer.nsecsElapsed();
        shellNs += std::max<qint64>(1, runSqlite(sqlite3, shellPath, scripts.at(round)) - baselineNs);
    }
    console.close();

    const qint64 consoleEvents = countEvents(consolePath) - 1;
    const qint64 shellEvents = countEvents(shellPath) - 1;
    if (consoleEvents != events || shellEvents != events)
        fail(u"expected %1 events on each side, found %2 and %3"_s.arg(events).arg(consoleEvents).arg(shellEvents));

    const double consolePerS = events / (double(consoleNs) / 1e9);
    const double shellPerS = events / (double(shellNs) / 1e9);
    std::fprintf(stderr,
        "store_append: %d events in %d rounds in %s; console %.2f s, sqlite3 %.2f s (start-up %.1f ms "
        "subtracted per run)\n",
        events, rounds, qPrintable(dir), consoleNs / 1e9, shellNs / 1e9, baselineNs / 1e6);
    std::printf("BENCH store_append console_per_s=%.0f sqlite_per_s=%.0f ratio=%.2f\n", consolePerS, shellPerS,
        consolePerS / shellPerS);
    return 0;
}
