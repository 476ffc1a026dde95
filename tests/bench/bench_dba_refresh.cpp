// SPDX-License-Identifier: MIT
// The console's side of `scripts/bench dba_refresh` (tests/bench/dba_refresh.sh): the DBA pane, shown on its
// Sessions tab (offscreen), refreshing all sessions with the blocking tree every second for a while. Prints the
// end-to-end refresh time — query sent → the pane's models, tables and labels updated and the sessions table
// painted — with its parts, and the process's CPU time from the first refresh on.
//   bench_dba_refresh CONNINFO SECONDS      (password from PGPASSWORD)
// Parts (medians, ms): pg = PgSession's send → last answer (server, transfer, libpq, conversion to values);
// monitor = the rest until DbaMonitor's signal (merging with the sessions already known, ages, summary);
// pane = the pane's models and tables; paint = painting the sessions table's viewport. The blocking tree is
// not updated while its tab is hidden (as in the program).
#include "models/dbasessionmodel.h"
#include "services/dbamonitor.h"
#include "services/pgsession.h"
#include "ui/dbapane.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTabWidget>
#include <QTableView>
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

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0.0;
    std::sort(values.begin(), values.end());
    return values.at(qMin(qsizetype(p * double(values.size())), values.size() - 1));
}
} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: bench_dba_refresh CONNINFO SECONDS\n");
        return 2;
    }
    PgConnectionOptions o;
    o.conninfo = args.at(1);
    o.password = qEnvironmentVariable("PGPASSWORD");
    const int seconds = args.at(2).toInt();

    DbaPane pane(ConsoleServices {}, [] { return qint64(0); });
    pane.resize(1400, 900);
    pane.tabs()->setCurrentIndex(DbaPane::SessionsTab);
    pane.show();
    DbaMonitor* monitor = pane.monitor();
    PgSession* session = monitor->session();

    // Slots run in connection order, and the pane connected first: for one refresh, refreshed() (inside the
    // pane's handling of sessionsRefreshed), then sessionsRefreshed here, then PgSession::queryFinished here.
    QElapsedTimer clock;
    clock.start();
    qint64 sentNs = -1; // the sessions query went on the wire
    qint64 updatedNs = -1; // the pane said refreshed()
    qint64 paintedNs = -1; // the sessions table painted
    QList<double> total, pg, monitorPart, panePart, paint;
    int rows = 0;
    int waiting = 0;
    double cpuStart = -1;
    bool pending = false; // a refresh measured, waiting for PgSession's result to name its pg part
    QObject::connect(session, &PgSession::queryStarted, &app, [&](quint64) { sentNs = clock.nsecsElapsed(); });
    QObject::connect(&pane, &DbaPane::refreshed, &app, [&] {
        updatedNs = clock.nsecsElapsed();
        pane.sessionView()->viewport()->repaint();
        paintedNs = clock.nsecsElapsed();
    });
    QObject::connect(monitor, &DbaMonitor::sessionsRefreshed, &app,
        [&](const QList<DbaSession>&, const DbaConnectionSummary&, qint64 elapsedMs) {
            if (cpuStart < 0) {
                cpuStart = cpuSeconds(); // from the first refresh on: connecting is not part of it
                return;
            }
            if (sentNs < 0 || updatedNs < sentNs)
                return;
            // elapsedMs: queued → signal, whole milliseconds; the pane's part is what is left (≤ 1 ms too much)
            total.append(double(paintedNs - sentNs) / 1e6);
            panePart.append(qMax(0.0, double(updatedNs - sentNs) / 1e6 - double(elapsedMs)));
            paint.append(double(paintedNs - updatedNs) / 1e6);
            monitorPart.append(double(elapsedMs)); // minus the pg part, below
            rows = pane.sessionModel()->rowCount();
            waiting = int(std::count_if(pane.sessionModel()->sessions().cbegin(),
                pane.sessionModel()->sessions().cend(), [](const DbaSession& s) { return !s.blockedBy.isEmpty(); }));
            pending = true;
        });
    QObject::connect(session, &PgSession::queryFinished, &app, [&](quint64, const PgResult& result) {
        if (!pending)
            return;
        pending = false;
        pg.append(double(result.durationMs));
        monitorPart.last() = qMax(0.0, monitorPart.last() - double(result.durationMs));
    });
    QObject::connect(
        monitor, &DbaMonitor::connectionChanged, &app, [&](bool connected, const QDateTime&, const QString& error) {
            if (!connected)
                std::fprintf(stderr, "bench_dba_refresh: %s\n", qPrintable(error));
        });
    pane.setConnection(o, u"bench"_s, u"bench"_s);
    monitor->setIntervalMs(1000);
    pane.setShown(true);
    QTimer::singleShot(seconds * 1000 + 500, &app, &QCoreApplication::quit);
    app.exec();
    const double cpu = cpuSeconds() - (cpuStart < 0 ? cpuSeconds() : cpuStart);
    std::printf("CONSOLE refreshes=%lld rows=%d waiting=%d median_ms=%.1f p95_ms=%.1f cpu_s=%.3f "
                "pg_ms=%.1f monitor_ms=%.1f pane_ms=%.1f paint_ms=%.1f\n",
        static_cast<long long>(total.size()), rows, waiting, percentile(total, 0.5), percentile(total, 0.95), cpu,
        percentile(pg, 0.5), percentile(monitorPart, 0.5), percentile(panePart, 0.5), percentile(paint, 0.5));
    return total.isEmpty() ? 1 : 0;
}
