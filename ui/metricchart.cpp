// SPDX-License-Identifier: MIT
#include "ui/metricchart.h"

#include "models/metricseries.h"
#include "ui/chartplot.h"

#include <QDateTime>
#include <QLabel>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>

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
    std::unique_ptr<ChartPlot> plot; // null when the chart module could not be loaded: then everything is a no-op
    QLabel* unavailable = nullptr; // what failed, in the chart's place
    int drawn = 0;
    qint64 axisFromMs = -1;
    qint64 axisToMs = -1;

    QString describe(const std::optional<MetricSample>& s) const
    {
        if (!s || s->timeMs < fromMs || s->timeMs > toMs)
            return {};
        return u"%1  %2 %3"_s.arg(
            QDateTime::fromMSecsSinceEpoch(s->timeMs).toString(u"HH:mm:ss"_s), QString::number(s->value, 'g', 6), unit);
    }
};

MetricChart::MetricChart(QWidget* parent)
    : QWidget(parent)
    , d(std::make_unique<MetricChartPrivate>())
{
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    QString error;
    d->plot = ChartPlot::create(this, small, &error);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    if (!d->plot) {
        // The dashboards' values and alerts keep working without their charts.
        d->unavailable = new QLabel(error, this);
        d->unavailable->setWordWrap(true);
        d->unavailable->setAlignment(Qt::AlignCenter);
        d->unavailable->setTextInteractionFlags(Qt::TextSelectableByMouse);
        d->unavailable->setMinimumHeight(110);
        layout->addWidget(d->unavailable);
        return;
    }
    layout->addWidget(d->plot->view());
    // Hover is looked up here, from the series, rather than through QLineSeries::hovered: the view does not pass
    // mouse events to the scene (no hit tests against the stroked line), and any x in the plot shows the exact
    // sample nearest to it, not only a point right on the line.
    d->plot->viewport()->installEventFilter(this);
}

MetricChart::~MetricChart()
{
    // The plot deletes its view with it, while this is still a MetricChart: no more of its events here.
    if (d->plot)
        d->plot->viewport()->removeEventFilter(this);
}

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
    if (d->plot)
        d->plot->setStale(stale);
}

int MetricChart::drawnPointCount() const { return d->drawn; }

void MetricChart::redraw()
{
    if (!d->plot)
        return;
    const int plotWidth = int(d->plot->plotWidth());
    const int pixels = std::max(16, plotWidth > 0 ? plotWidth : width());
    // The drawn window is whole pixel columns, and its end moves in steps of 1/32 of the width: a new sample
    // changes only the last column's points, and the axes (whose relayout — labels are text documents — is the
    // expensive part of a chart) keep their range until the next step. The window always holds the whole
    // requested range; the line may stop up to a step short of the right edge.
    const qint64 span = std::max<qint64>(1, d->toMs - d->fromMs);
    const int stepColumns = std::max(1, pixels / 32);
    const qint64 column = std::max<qint64>(1, (span + pixels - stepColumns - 1) / std::max(1, pixels - stepColumns));
    const qint64 step = column * stepColumns;
    const qint64 to = (d->toMs + step - 1) / step * step;
    const qint64 from = to - column * pixels;
    QList<QPointF> points; // decimated, in (ms, value)
    if (d->series)
        points = d->series->decimated(from, to, pixels);
    d->drawn = int(points.size());
    // The decimated points keep each column's minimum and maximum: their range is the samples' range.
    double lo = 0;
    double hi = 1;
    if (!points.isEmpty()) {
        lo = hi = points.constFirst().y();
        for (const QPointF& p : std::as_const(points)) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
    }
    if (d->threshold) {
        lo = std::min(lo, *d->threshold);
        hi = std::max(hi, *d->threshold);
    }
    lo = std::min(lo, 0.0);
    const double pad = (hi - lo) * 0.08 + (hi == lo ? 1 : 0);
    if (d->plot->yMin() != lo || d->plot->yMax() < hi || d->plot->yMax() > hi + 2 * pad)
        d->plot->setYRange(lo, hi + pad);
    if (d->axisFromMs != from || d->axisToMs != to) {
        d->axisFromMs = from;
        d->axisToMs = to;
        d->plot->setXRange(from, to, d->threshold);
    }
    d->plot->setPoints(std::move(points));
}

QString MetricChart::describeSampleAt(qint64 timeMs) const
{
    return d->series ? d->describe(d->series->nearest(timeMs)) : QString();
}

QPoint MetricChart::positionOf(qint64 timeMs, double value) const
{
    if (!d->plot)
        return {};
    return d->plot->viewport()->mapTo(this, d->plot->positionOf(QPointF(double(timeMs), value)));
}

QString MetricChart::hoverAt(const QPoint& pos)
{
    const std::optional<QPointF> value
        = d->plot ? d->plot->valueAt(d->plot->viewport()->mapFrom(this, pos)) : std::nullopt;
    if (!value) {
        QToolTip::hideText();
        return {};
    }
    // The sample drawn nearest to the mouse: within two pixel columns, the one closest in value (a decimated
    // column holds many samples; pointing at its spike shows the spike).
    const double msPerPixel = double(d->toMs - d->fromMs) / std::max(1.0, d->plot->plotWidth());
    const QString text = d->series
        ? d->describe(d->series->closest(qint64(std::llround(value->x())), qint64(2 * msPerPixel), value->y()))
        : QString();
    if (text.isEmpty()) {
        QToolTip::hideText();
        return {};
    }
    QToolTip::showText(mapToGlobal(pos), text, this);
    Q_EMIT sampleHovered(text);
    return text;
}

bool MetricChart::eventFilter(QObject* watched, QEvent* event)
{
    if (d->plot && watched == d->plot->viewport()) {
        if (event->type() == QEvent::MouseMove)
            hoverAt(d->plot->viewport()->mapTo(this, static_cast<QMouseEvent*>(event)->position().toPoint()));
        else if (event->type() == QEvent::Leave)
            QToolTip::hideText();
    }
    return QWidget::eventFilter(watched, event);
}

void MetricChart::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    redraw();
}

#include "moc_metricchart.cpp"
