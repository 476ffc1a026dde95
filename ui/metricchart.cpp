// SPDX-License-Identifier: MIT
#include "ui/metricchart.h"

#include "models/metricseries.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsItem>
#include <QLineSeries>
#include <QMouseEvent>
#include <QPainter>
#include <QPolygonF>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

namespace {
// The metric's line, drawn by the chart's plot rather than by a QLineSeries: a QLineSeries rebuilds a
// QPainterPath and strokes it (QPainterPathStroker, miter joins, for its hover hit-test shape) on every
// replace(), which was most of a redraw. This item keeps the decimated points mapped to the plot and draws them
// with one cosmetic polyline, clipped to the plot area. A child of the QChart, in its coordinates.
class PolylineItem : public QGraphicsItem {
public:
    using QGraphicsItem::QGraphicsItem;
    void setPen(const QPen& pen)
    {
        m_pen = pen;
        update();
    }
    void setGeometry(QPolygonF polygon, const QRectF& plot)
    {
        if (plot != m_plot) {
            prepareGeometryChange();
            m_plot = plot;
        }
        m_polygon = std::move(polygon);
        update();
    }
    QRectF boundingRect() const override { return m_plot; }
    void paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        if (m_polygon.size() < 2)
            return;
        painter->save();
        painter->setClipRect(m_plot);
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->setPen(m_pen);
        painter->drawPolyline(m_polygon);
        painter->restore();
    }

private:
    QPolygonF m_polygon;
    QRectF m_plot;
    QPen m_pen;
};
} // namespace

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
    QLineSeries* line = nullptr; // empty: holds the axes the drawn line and hover map through
    PolylineItem* drawnLine = nullptr;
    QList<QPointF> points; // decimated, in (ms, value)
    QLineSeries* thresholdLine = nullptr;
    QDateTimeAxis* x = nullptr;
    QValueAxis* y = nullptr;
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

    void applyColours()
    {
        // One-pixel cosmetic pens: the raster engine's fast line path (a wider pen is stroked into polygons).
        QPen pen(stale ? QColor(160, 160, 160) : QColor(33, 113, 181));
        pen.setWidth(1);
        pen.setCosmetic(true);
        drawnLine->setPen(pen);
        QPen t(stale ? QColor(190, 160, 160) : QColor(215, 48, 39));
        t.setStyle(Qt::DashLine);
        t.setWidth(1);
        t.setCosmetic(true);
        thresholdLine->setPen(t);
    }

    // Maps points to the plot area with the axes' current ranges (a straight linear map: no per-point call
    // into the chart's domain).
    void mapLine()
    {
        const QRectF plot = chart->plotArea();
        const double x0 = double(axisFromMs);
        const double xScale = axisToMs > axisFromMs ? plot.width() / double(axisToMs - axisFromMs) : 0;
        const double y0 = y->min();
        const double yScale = y->max() > y->min() ? plot.height() / (y->max() - y->min()) : 0;
        QPolygonF polygon;
        polygon.reserve(points.size());
        for (const QPointF& p : std::as_const(points))
            polygon.append(QPointF(plot.left() + (p.x() - x0) * xScale, plot.bottom() - (p.y() - y0) * yScale));
        drawnLine->setGeometry(std::move(polygon), plot);
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
    d->drawnLine = new PolylineItem(d->chart);
    d->drawnLine->setZValue(10); // above the grid and the threshold
    d->applyColours();
    // A new layout (axis labels of another width, a resize) moves the plot area: the line follows it.
    connect(d->chart, &QChart::plotAreaChanged, this, [this] { d->mapLine(); });
    d->view = new QChartView(d->chart, this);
    d->view->setRenderHint(QPainter::Antialiasing, false);
    d->view->setMinimumHeight(110);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->view);
    // Hover is looked up here, from the series, rather than through QLineSeries::hovered: the view does not pass
    // mouse events to the scene (no hit tests against the stroked line), and any x in the plot shows the exact
    // sample nearest to it, not only a point right on the line.
    d->view->setInteractive(false);
    d->view->viewport()->setMouseTracking(true);
    d->view->viewport()->installEventFilter(this);
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
    d->points.clear();
    if (d->series)
        d->points = d->series->decimated(from, to, pixels);
    d->drawn = int(d->points.size());
    // The decimated points keep each column's minimum and maximum: their range is the samples' range.
    double lo = 0;
    double hi = 1;
    if (!d->points.isEmpty()) {
        lo = hi = d->points.constFirst().y();
        for (const QPointF& p : std::as_const(d->points)) {
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
    d->mapLine();
}

QString MetricChart::describeSampleAt(qint64 timeMs) const
{
    return d->series ? d->describe(d->series->nearest(timeMs)) : QString();
}

QPoint MetricChart::positionOf(qint64 timeMs, double value) const
{
    const QPointF scene = d->chart->mapToScene(d->chart->mapToPosition(QPointF(double(timeMs), value), d->line));
    return d->view->viewport()->mapTo(this, d->view->mapFromScene(scene));
}

QString MetricChart::hoverAt(const QPoint& pos)
{
    const QPointF inChart = d->chart->mapFromScene(d->view->mapToScene(d->view->viewport()->mapFrom(this, pos)));
    if (!d->chart->plotArea().contains(inChart)) {
        QToolTip::hideText();
        return {};
    }
    // The sample drawn nearest to the mouse: within two pixel columns, the one closest in value (a decimated
    // column holds many samples; pointing at its spike shows the spike).
    const QPointF value = d->chart->mapToValue(inChart, d->line);
    const double msPerPixel = double(d->toMs - d->fromMs) / std::max(1.0, d->chart->plotArea().width());
    const QString text = d->series
        ? d->describe(d->series->closest(qint64(std::llround(value.x())), qint64(2 * msPerPixel), value.y()))
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
    if (watched == d->view->viewport()) {
        if (event->type() == QEvent::MouseMove)
            hoverAt(d->view->viewport()->mapTo(this, static_cast<QMouseEvent*>(event)->position().toPoint()));
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
