// SPDX-License-Identifier: MIT
#include "ui/metricchart.h"

#include "models/metricseries.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

class MetricChartPrivate {
public:
    const MetricSeries* series = nullptr;
    QString unit;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    std::optional<double> threshold;
    bool stale = false;
    QChart* chart = nullptr;
    QChartView* view = nullptr;
    QLineSeries* line = nullptr;
    QLineSeries* thresholdLine = nullptr;
    QDateTimeAxis* x = nullptr;
    QValueAxis* y = nullptr;
    int drawn = 0;
    qint64 axisFromMs = -1;
    qint64 axisToMs = -1;

    void applyColours()
    {
        QPen pen(stale ? QColor(160, 160, 160) : QColor(33, 113, 181));
        pen.setWidthF(1.5);
        line->setPen(pen);
        QPen t(stale ? QColor(190, 160, 160) : QColor(215, 48, 39));
        t.setStyle(Qt::DashLine);
        t.setWidthF(1.2);
        thresholdLine->setPen(t);
    }
};

MetricChart::MetricChart(QWidget* parent)
    : QWidget(parent)
    , d(std::make_unique<MetricChartPrivate>())
{
    d->chart = new QChart;
    d->chart->legend()->hide();
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->chart->setMargins(QMargins(2, 2, 2, 2));
    d->chart->setBackgroundRoundness(0);
    d->line = new QLineSeries(d->chart);
    d->thresholdLine = new QLineSeries(d->chart);
    d->chart->addSeries(d->line);
    d->chart->addSeries(d->thresholdLine);
    d->x = new QDateTimeAxis(d->chart);
    d->x->setFormat(u"HH:mm"_s);
    d->x->setTickCount(4);
    d->y = new QValueAxis(d->chart);
    d->y->setTickCount(3);
    d->y->setLabelFormat(u"%.4g"_s);
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    d->x->setLabelsFont(small);
    d->y->setLabelsFont(small);
    d->chart->addAxis(d->x, Qt::AlignBottom);
    d->chart->addAxis(d->y, Qt::AlignLeft);
    for (QLineSeries* s : { d->line, d->thresholdLine }) {
        s->attachAxis(d->x);
        s->attachAxis(d->y);
    }
    d->applyColours();
    d->view = new QChartView(d->chart, this);
    d->view->setRenderHint(QPainter::Antialiasing, false);
    d->view->setMinimumHeight(110);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->view);
    connect(d->line, &QLineSeries::hovered, this, [this](const QPointF& point, bool state) {
        if (!state) {
            QToolTip::hideText();
            return;
        }
        const QString text = describeSampleAt(qint64(point.x()));
        if (text.isEmpty())
            return;
        QToolTip::showText(QCursor::pos(), text, this);
        Q_EMIT sampleHovered(text);
    });
}

MetricChart::~MetricChart() = default;

void MetricChart::setSeries(const MetricSeries* series) { d->series = series; }

void MetricChart::setUnit(const QString& unit) { d->unit = unit; }

void MetricChart::setTimeRange(qint64 fromMs, qint64 toMs)
{
    d->fromMs = fromMs;
    d->toMs = toMs;
}

void MetricChart::setThreshold(std::optional<double> threshold)
{
    d->threshold = threshold;
    d->axisFromMs = -1; // redraw the threshold line
}

void MetricChart::setStale(bool stale)
{
    if (d->stale == stale)
        return;
    d->stale = stale;
    d->applyColours();
}

int MetricChart::drawnPointCount() const { return d->drawn; }

void MetricChart::redraw()
{
    const int plotWidth = int(d->chart->plotArea().width());
    const int pixels = std::max(16, plotWidth > 0 ? plotWidth : width());
    // The window is aligned to whole pixel columns: between two columns a new sample changes only the last
    // column's points, and the axes (whose relayout is the expensive part of a chart) keep their range.
    const qint64 span = std::max<qint64>(1, d->toMs - d->fromMs);
    const qint64 column = std::max<qint64>(1, span / pixels);
    const qint64 to = (d->toMs + column - 1) / column * column;
    const qint64 from = to - column * pixels;
    QList<QPointF> points;
    if (d->series)
        points = d->series->decimated(from, to, pixels);
    d->drawn = int(points.size());
    d->line->replace(points);
    double lo = 0;
    double hi = 1;
    if (d->series) {
        if (const auto range = d->series->valueRange(from, to)) {
            lo = range->first;
            hi = range->second;
        }
    }
    if (d->threshold) {
        lo = std::min(lo, *d->threshold);
        hi = std::max(hi, *d->threshold);
    }
    lo = std::min(lo, 0.0);
    const double pad = (hi - lo) * 0.08 + (hi == lo ? 1 : 0);
    if (d->y->min() != lo || d->y->max() < hi || d->y->max() > hi + 2 * pad)
        d->y->setRange(lo, hi + pad);
    if (d->axisFromMs != from || d->axisToMs != to) {
        d->axisFromMs = from;
        d->axisToMs = to;
        d->x->setRange(QDateTime::fromMSecsSinceEpoch(from), QDateTime::fromMSecsSinceEpoch(to));
        if (d->threshold)
            d->thresholdLine->replace({ QPointF(double(from), *d->threshold), QPointF(double(to), *d->threshold) });
        else
            d->thresholdLine->clear();
    }
}

QString MetricChart::describeSampleAt(qint64 timeMs) const
{
    if (!d->series)
        return {};
    const auto s = d->series->nearest(timeMs);
    if (!s || s->timeMs < d->fromMs || s->timeMs > d->toMs)
        return {};
    return u"%1  %2 %3"_s.arg(
        QDateTime::fromMSecsSinceEpoch(s->timeMs).toString(u"HH:mm:ss"_s), QString::number(s->value, 'g', 6), d->unit);
}

void MetricChart::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    redraw();
}

#include "moc_metricchart.cpp"
