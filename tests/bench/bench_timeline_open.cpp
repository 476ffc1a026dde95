// SPDX-License-Identifier: MIT
// scripts/bench timeline_open [EVENTS]: an incident with 100,000 events. Measures the time from opening it to the
// first rows painted, and the longest event-loop stall while scrolling the timeline from end to end.
// Prints: BENCH timeline_open first_rows_ms=... max_stall_ms=...
#include "models/timelinemodel.h"
#include "services/incidentstore.h"
#include "services/storeclient.h"
#include "ui/mainwindow.h"
#include "ui/timelinepane.h"

#include <QApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEvent>
#include <QFileInfo>
#include <QJsonObject>
#include <QScrollBar>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {
class PaintWatch : public QObject {
public:
    std::function<void()> onPaint;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Paint && onPaint)
            onPaint();
        return QObject::eventFilter(watched, event);
    }
};
} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    const int count = argc > 1 ? std::atoi(argv[1]) : 100000;

    // The store lives in memory-backed storage so that building it does not take minutes of fsyncs.
    QTemporaryDir dir(QFileInfo(u"/dev/shm"_s).isDir() ? u"/dev/shm/bench-timeline-XXXXXX"_s : QString());
    const QString path = dir.filePath(u"incidents.sqlite"_s);
    qint64 incidentId = 0;
    {
        IncidentStore store(path);
        if (!store.open()) {
            std::fprintf(stderr, "%s\n", qPrintable(store.lastError().message));
            return 1;
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        IncidentDraft draft { u"Bench: 100k events"_s, Severity::P1, u"sandbox"_s, u"bench"_s, u"none"_s };
        incidentId = store.createIncident(draft, u"bench"_s, now - count * 1000LL).incident.id;
        QElapsedTimer fill;
        fill.start();
        for (int n = 1; n < count; ++n) {
            const auto change = store.appendEvent(incidentId, u"bench.event"_s, u"Event %1 of the benchmark"_s.arg(n),
                QJsonObject { { u"n"_s, n } }, u"bench"_s, now - (count - n) * 1000LL);
            if (!change.ok) {
                std::fprintf(stderr, "append failed: %s\n", qPrintable(change.error.message));
                return 1;
            }
        }
        std::printf("# built %d events in %lld ms\n", count, static_cast<long long>(fill.elapsed()));
    }

    StoreClient client(path);
    ConsoleServices services;
    services.store = &client;
    MainWindow window(services);
    window.resize(1280, 800);
    window.show();
    client.open();
    QObject::connect(&window, &MainWindow::storeReady, &app, [] { QCoreApplication::exit(0); });
    QApplication::exec();
    window.setActiveIncident(0);
    QCoreApplication::processEvents();

    QTableView* view = window.timelinePane()->view();
    PaintWatch watch;
    view->viewport()->installEventFilter(&watch);
    QElapsedTimer opening;
    double firstRowsMs = -1;
    watch.onPaint = [&] {
        if (firstRowsMs < 0 && view->model()->rowCount() > 0) {
            firstRowsMs = opening.nsecsElapsed() / 1e6;
            QTimer::singleShot(0, &app, [] { QCoreApplication::exit(0); });
        }
    };
    opening.start();
    window.setActiveIncident(incidentId);
    QTimer::singleShot(30000, &app, [] { QCoreApplication::exit(1); });
    if (QApplication::exec() != 0) {
        std::fprintf(stderr, "no rows painted within 30 s\n");
        return 1;
    }
    watch.onPaint = nullptr;

    // Scroll from top to bottom a page at a time, as fast as the event loop allows, until every event is loaded,
    // while a heartbeat timer measures the longest gap between two turns of the event loop.
    QElapsedTimer beat;
    beat.start();
    qint64 lastBeat = 0;
    qint64 maxStallNs = 0;
    QTimer heartbeat;
    heartbeat.setInterval(0);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 now = beat.nsecsElapsed();
        maxStallNs = std::max(maxStallNs, now - lastBeat);
        lastBeat = now;
    });
    QScrollBar* bar = view->verticalScrollBar();
    TimelineModel* model = window.timelineModel();
    QTimer scroller;
    scroller.setInterval(4);
    QElapsedTimer scrolling;
    QObject::connect(&scroller, &QTimer::timeout, [&] {
        if (bar->value() >= bar->maximum() && !model->canFetchMore({}) && model->rowCount() >= count)
            QCoreApplication::exit(0);
        bar->setValue(bar->value() + bar->pageStep() * 4);
    });
    lastBeat = beat.nsecsElapsed();
    heartbeat.start();
    scroller.start();
    scrolling.start();
    QTimer::singleShot(300000, &app, [] { QCoreApplication::exit(1); });
    const int rc = QApplication::exec();
    std::printf("# loaded %d rows while scrolling in %lld ms\n", model->rowCount(),
        static_cast<long long>(scrolling.elapsed()));
    if (rc != 0) {
        std::fprintf(stderr, "scrolling did not reach the end within 300 s\n");
        return 1;
    }
    std::printf("BENCH timeline_open first_rows_ms=%.1f max_stall_ms=%.1f\n", firstRowsMs, maxStallNs / 1e6);
    return 0;
}
