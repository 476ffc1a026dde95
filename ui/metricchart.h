// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

#include <memory>
#include <optional>

class MetricSeries;
class MetricChartPrivate;

// One metric's line over a time range, decimated to the pixels available (at most min and max per pixel column),
// the alert threshold as a dashed line, a greyed look for stale data, and the exact sample under the mouse shown
// as a tooltip. Qt Charts draws it through ui/chartplot.h, a module loaded with the first chart; if it cannot be
// loaded, the chart shows why in its place and its methods do nothing (no points, no positions, no hover). GUI
// thread; the series is not owned and must outlive the chart or be cleared with setSeries(nullptr).
class MetricChart : public QWidget {
    Q_OBJECT
public:
    explicit MetricChart(QWidget* parent = nullptr);
    ~MetricChart() override;

    void setSeries(const MetricSeries* series);
    void setUnit(const QString& unit);
    void setTimeRange(qint64 fromMs, qint64 toMs);
    void setThreshold(std::optional<double> threshold);
    void setStale(bool stale);
    // Rebuilds the drawn points from the series for the current range and width. Cheap: O(samples in range).
    void redraw();
    int drawnPointCount() const;
    // "17:42:10  12.3 ms" for the sample nearest to timeMs; empty when there is none.
    QString describeSampleAt(qint64 timeMs) const;
    // What the mouse at pos (this widget's coordinates) shows: the nearest sample's describeSampleAt() as a
    // tooltip and sampleHovered(); empty outside the plot or with no sample in range.
    QString hoverAt(const QPoint& pos);
    // Where (timeMs, value) is drawn, in this widget's coordinates (for tests).
    QPoint positionOf(qint64 timeMs, double value) const;

Q_SIGNALS:
    void sampleHovered(const QString& text);

protected:
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    std::unique_ptr<MetricChartPrivate> d;
};
