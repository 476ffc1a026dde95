// SPDX-License-Identifier: MIT
#pragma once
// The Qt Charts part of MetricChart behind a small interface. Qt Charts (with QtOpenGL and QtOpenGLWidgets) is not
// linked into the console: the dynamic loader bound it at every start (about 2 ms) although charts are only built
// after the first paint. Its implementation is the module libpetforce-chartplot.so (ui/chartplot/, linked with
// QtWidgets and QtCharts only), loaded by the first create(). Only ui/metricchart.cpp uses this.
//
// GUI thread. Positions are in viewport()'s coordinates; values are (milliseconds since the epoch, value).
#include <QList>
#include <QPointF>
#include <QString>

#include <memory>
#include <optional>

class QFont;
class QPoint;
class QWidget;

class ChartPlot {
public:
    virtual ~ChartPlot() = default;

    // The chart's widget, to lay out: a child of the parent given to create(), deleted with the plot.
    virtual QWidget* view() const = 0;
    // The part of view() that shows the chart: mouse events over the chart arrive there.
    virtual QWidget* viewport() const = 0;
    // Width of the plot area (without axes) in pixels, 0 before the first layout.
    virtual double plotWidth() const = 0;
    // The greyed colours of stale data, or the normal ones.
    virtual void setStale(bool stale) = 0;
    virtual double yMin() const = 0;
    virtual double yMax() const = 0;
    virtual void setYRange(double min, double max) = 0;
    // The x axis' range, and the threshold drawn across it (none: no threshold line).
    virtual void setXRange(qint64 fromMs, qint64 toMs, std::optional<double> threshold) = 0;
    // The line's points (already decimated), drawn with the current ranges and kept on the plot when it moves.
    virtual void setPoints(QList<QPointF> points) = 0;
    // The value at pos; none outside the plot area.
    virtual std::optional<QPointF> valueAt(const QPoint& pos) const = 0;
    // Where value is drawn.
    virtual QPoint positionOf(const QPointF& value) const = 0;

    // A new plot with its view a child of parent and axis labels in labelsFont. The first call loads the module
    // (never unloaded); nullptr if it cannot be loaded, with what failed and what to do in *error (the process
    // tries once). PETFORCE_MODULE_DIR, if set, is the only folder searched; else the installed module next to
    // the program (<bin>/../lib/petforce-console), then, for a program run from the build tree, the build tree's.
    static std::unique_ptr<ChartPlot> create(QWidget* parent, const QFont& labelsFont, QString* error = nullptr);
    // Loads the module on a pool thread now (the console calls it after its first paint), so that the first chart
    // shown does not pay for loading Qt Charts on the GUI thread; a create() meanwhile waits for that load.
    static void preload();
};

// The module's one entry point (resolved by name; the number changes with this interface).
#define PETFORCE_CHARTPLOT_FACTORY "petforce_chartplot_create_v1"
using PetforceChartPlotFactory = ChartPlot* (*)(QWidget* parent, const QFont& labelsFont);
