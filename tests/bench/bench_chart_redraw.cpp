// SPDX-License-Identifier: MIT
// scripts/bench chart_redraw: 16 metrics x 24 h at 10 s (138,240 samples) drawn by 16 MetricCharts on one pane
// (the 24 h range). Measures the time to redraw the whole pane after a new sample of every metric (decimation,
// mapping to the plot, axes when their range moves, and a synchronous repaint), and the memory the history takes.
// Prints: BENCH chart_redraw redraw_ms=<mean> data_ms=<decimation+replace part> max_ms=<max> points_drawn=<per chart>
// history_mb=<ring buffers>
//         rss_history_mb=<resident growth while filling>
#include "models/metricseries.h"
#include "ui/metricchart.h"

#include <QApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QGridLayout>
#include <QWidget>

#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace {
double residentMb()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = f.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toDouble() * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0) : 0;
}
} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    constexpr int kSeries = 16;
    constexpr int kSamples = 24 * 360; // 24 h at 10 s
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 start = now - qint64(kSamples) * 10000;

    const double before = residentMb();
    std::vector<MetricSeries> series;
    series.reserve(kSeries);
    for (int s = 0; s < kSeries; ++s) {
        series.emplace_back(kSamples);
        for (int i = 0; i < kSamples; ++i)
            series.back().append(start + qint64(i) * 10000, 50 + 40 * std::sin(i / (30.0 + s)) + (i % 97) * 0.1);
    }
    const double rssHistory = residentMb() - before;
    qsizetype bytes = 0;
    for (const MetricSeries& s : series)
        bytes += s.memoryBytes();

    QWidget pane;
    auto* grid = new QGridLayout(&pane);
    QList<MetricChart*> charts;
    for (int s = 0; s < kSeries; ++s) {
        auto* chart = new MetricChart(&pane);
        chart->setSeries(&series[std::size_t(s)]);
        chart->setUnit(QStringLiteral("%"));
        chart->setThreshold(90);
        grid->addWidget(chart, s / 4, s % 4);
        charts.append(chart);
    }
    pane.resize(1600, 1000);
    pane.show();
    app.processEvents();

    constexpr int kRounds = 30;
    double total = 0;
    double worst = 0;
    double data = 0; // decimation + replace + axes, without painting
    qint64 t = now;
    for (int round = 0; round < kRounds; ++round) {
        t += 10000;
        QElapsedTimer timer;
        timer.start();
        for (int s = 0; s < kSeries; ++s) {
            series[std::size_t(s)].append(t, 50 + round);
            charts[s]->setTimeRange(t - 24LL * 3600 * 1000, t);
            charts[s]->redraw();
        }
        const double dataMs = double(timer.nsecsElapsed()) / 1e6;
        pane.repaint(); // synchronous: the charts are painted before the clock stops
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        if (round > 0) { // the first round pays for first-time layout
            total += ms;
            data += dataMs;
            worst = std::max(worst, ms);
        }
    }
    std::printf("BENCH chart_redraw redraw_ms=%.2f data_ms=%.2f max_ms=%.2f points_drawn=%d history_mb=%.2f "
                "rss_history_mb=%.2f\n",
        total / (kRounds - 1), data / (kRounds - 1), worst, charts.first()->drawnPointCount(),
        double(bytes) / (1024.0 * 1024.0), rssHistory);
    return 0;
}
