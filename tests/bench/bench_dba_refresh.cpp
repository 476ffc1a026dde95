// SPDX-License-Identifier: MIT
// The console's side of `scripts/bench dba_refresh` (tests/bench/dba_refresh.sh): the DBA monitor refreshing the
// sessions view (all sessions, with the blocking tree) every second for a while; prints the end-to-end refresh
// time (query sent → both models updated) and the process's CPU time.
//   bench_dba_refresh CONNINFO SECONDS      (password from PGPASSWORD)
#include "models/blockingtreemodel.h"
#include "models/dbasessionmodel.h"
#include "services/dbamonitor.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {
double cpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: bench_dba_refresh CONNINFO SECONDS\n");
        return 2;
    }
    PgConnectionOptions o;
    o.conninfo = args.at(1);
    o.password = qEnvironmentVariable("PGPASSWORD");
    const int seconds = args.at(2).toInt();

    DbaMonitor monitor;
    DbaSessionModel sessions;
    BlockingTreeModel blocking;
    monitor.setConnectionOptions(o);
    monitor.setIntervalMs(1000);
    QList<double> times;
    int rows = 0;
    int waiting = 0;
    double cpuStart = -1;
    QObject::connect(&monitor, &DbaMonitor::sessionsRefreshed, &app,
        [&](const QList<DbaSession>& list, const DbaConnectionSummary&, qint64 elapsedMs) {
            QElapsedTimer t;
            t.start();
            sessions.setSessions(list);
            blocking.setSessions(list);
            const double ms = double(elapsedMs) + double(t.nsecsElapsed()) / 1e6;
            if (cpuStart < 0) {
                cpuStart = cpuSeconds(); // from the first refresh on: connecting is not part of it
                return;
            }
            times.append(ms);
            rows = int(list.size());
            waiting = blocking.waitingCount();
        });
    QObject::connect(
        &monitor, &DbaMonitor::connectionChanged, &app, [&](bool connected, const QDateTime&, const QString& error) {
            if (!connected)
                std::fprintf(stderr, "bench_dba_refresh: %s\n", qPrintable(error));
        });
    monitor.start();
    QTimer::singleShot(seconds * 1000 + 500, &app, &QCoreApplication::quit);
    app.exec();
    const double cpu = cpuSeconds() - (cpuStart < 0 ? cpuSeconds() : cpuStart);
    std::sort(times.begin(), times.end());
    const auto pct = [&](double p) {
        return times.isEmpty() ? 0.0 : times.at(qMin(qsizetype(p * double(times.size())), times.size() - 1));
    };
    std::printf("CONSOLE refreshes=%lld rows=%d waiting=%d median_ms=%.1f p95_ms=%.1f cpu_s=%.3f\n",
        static_cast<long long>(times.size()), rows, waiting, pct(0.5), pct(0.95), cpu);
    return times.isEmpty() ? 1 : 0;
}
