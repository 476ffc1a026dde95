// SPDX-License-Identifier: MIT
// ChartPlot with Qt Charts: the module libpetforce-chartplot.so, loaded by ChartPlot::create() on first use. The
// only place Qt Charts is used (deprecated upstream from Qt 6.10; replacing it means replacing this file). It
// links QtWidgets and QtCharts only, nothing of the console's libraries: everything else of a chart (decimation,
// hover, tooltips) stays in ui/metricchart.cpp.
#include "ui/chartplot.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsItem>
#include <QLineSeries>
#include <QPainter>
#include <QPointer>
#include <QPolygonF>
#include <QValueAxis>

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

class QtChartPlot final : public ChartPlot {
public:
    QtChartPlot(QWidget* parent, const QFont& labelsFont)
    {
        m_chart = new QChart;
        m_chart->legend()->hide();
        m_chart->setAnimationOptions(QChart::NoAnimation);
        m_chart->setMargins(QMargins(2, 2, 2, 2));
        m_chart->setBackgroundRoundness(0);
        m_line = new QLineSeries(m_chart);
        m_thresholdLine = new QLineSeries(m_chart);
        m_chart->addSeries(m_line);
        m_chart->addSeries(m_thresholdLine);
        m_x = new QDateTimeAxis(m_chart);
        m_x->setFormat(u"HH:mm"_s);
        m_x->setTickCount(4);
        m_y = new QValueAxis(m_chart);
        m_y->setTickCount(3);
        m_y->setLabelFormat(u"%.4g"_s);
        m_x->setLabelsFont(labelsFont);
        m_y->setLabelsFont(labelsFont);
        m_chart->addAxis(m_x, Qt::AlignBottom);
        m_chart->addAxis(m_y, Qt::AlignLeft);
        for (QLineSeries* s : { m_line, m_thresholdLine }) {
            s->attachAxis(m_x);
            s->attachAxis(m_y);
        }
        m_drawnLine = new PolylineItem(m_chart);
        m_drawnLine->setZValue(10); // above the grid and the threshold
        applyColours();
        // A new layout (axis labels of another width, a resize) moves the plot area: the line follows it.
        QObject::connect(m_chart, &QChart::plotAreaChanged, m_chart, [this] { mapLine(); });
        m_view = new QChartView(m_chart, parent);
        m_view->setRenderHint(QPainter::Antialiasing, false);
        m_view->setMinimumHeight(110);
        // Hover is looked up by MetricChart, from the series, rather than through QLineSeries::hovered: the view
        // does not pass mouse events to the scene (no hit tests against the stroked line).
        m_view->setInteractive(false);
        m_view->viewport()->setMouseTracking(true);
    }

    // The view (with the chart it owns) goes with the plot, unless its parent deleted it already.
    ~QtChartPlot() override { delete m_view.data(); }

    QWidget* view() const override { return m_view; }
    QWidget* viewport() const override { return m_view->viewport(); }
    double plotWidth() const override { return m_chart->plotArea().width(); }

    void setStale(bool stale) override
    {
        m_stale = stale;
        applyColours();
    }

    double yMin() const override { return m_y->min(); }
    double yMax() const override { return m_y->max(); }
    void setYRange(double min, double max) override { m_y->setRange(min, max); }

    void setXRange(qint64 fromMs, qint64 toMs, std::optional<double> threshold) override
    {
        m_fromMs = fromMs;
        m_toMs = toMs;
        m_x->setRange(QDateTime::fromMSecsSinceEpoch(fromMs), QDateTime::fromMSecsSinceEpoch(toMs));
        if (threshold)
            m_thresholdLine->replace({ QPointF(double(fromMs), *threshold), QPointF(double(toMs), *threshold) });
        else
            m_thresholdLine->clear();
    }

    void setPoints(QList<QPointF> points) override
    {
        m_points = std::move(points);
        mapLine();
    }

    std::optional<QPointF> valueAt(const QPoint& pos) const override
    {
        const QPointF inChart = m_chart->mapFromScene(m_view->mapToScene(pos));
        if (!m_chart->plotArea().contains(inChart))
            return std::nullopt;
        return m_chart->mapToValue(inChart, m_line);
    }

    QPoint positionOf(const QPointF& value) const override
    {
        return m_view->mapFromScene(m_chart->mapToScene(m_chart->mapToPosition(value, m_line)));
    }

private:
    void applyColours()
    {
        // One-pixel cosmetic pens: the raster engine's fast line path (a wider pen is stroked into polygons).
        QPen pen(m_stale ? QColor(160, 160, 160) : QColor(33, 113, 181));
        pen.setWidth(1);
        pen.setCosmetic(true);
        m_drawnLine->setPen(pen);
        QPen t(m_stale ? QColor(190, 160, 160) : QColor(215, 48, 39));
        t.setStyle(Qt::DashLine);
        t.setWidth(1);
        t.setCosmetic(true);
        m_thresholdLine->setPen(t);
    }

    // Maps the points to the plot area with the axes' current ranges (a straight linear map: no per-point call
    // into the chart's domain).
    void mapLine()
    {
        const QRectF plot = m_chart->plotArea();
        const double x0 = double(m_fromMs);
        const double xScale = m_toMs > m_fromMs ? plot.width() / double(m_toMs - m_fromMs) : 0;
        const double y0 = m_y->min();
        const double yScale = m_y->max() > m_y->min() ? plot.height() / (m_y->max() - m_y->min()) : 0;
        QPolygonF polygon;
        polygon.reserve(m_points.size());
        for (const QPointF& p : std::as_const(m_points))
            polygon.append(QPointF(plot.left() + (p.x() - x0) * xScale, plot.bottom() - (p.y() - y0) * yScale));
        m_drawnLine->setGeometry(std::move(polygon), plot);
    }

    QChart* m_chart = nullptr;
    QPointer<QChartView> m_view;
    QLineSeries* m_line = nullptr; // empty: holds the axes the drawn line and positions map through
    QLineSeries* m_thresholdLine = nullptr;
    PolylineItem* m_drawnLine = nullptr;
    QDateTimeAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
    QList<QPointF> m_points; // decimated, in (ms, value)
    qint64 m_fromMs = -1;
    qint64 m_toMs = -1;
    bool m_stale = false;
};
} // namespace

extern "C" Q_DECL_EXPORT ChartPlot* petforce_chartplot_create_v1(QWidget* parent, const QFont& labelsFont)
{
    return new QtChartPlot(parent, labelsFont);
}
