// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QPointF>

#include <optional>
#include <vector>

// One sample of a metric: UTC milliseconds since the epoch and the value.
struct MetricSample {
    qint64 timeMs = 0;
    double value = 0;
};

// The recent history of one metric: a ring buffer of samples in time order (appending an older sample than the
// last is ignored), and its decimation for drawing: at most the minimum and the maximum per pixel bucket, so
// that a chart draws a few hundred points whatever the history holds. A plain value; no thread affinity.
class MetricSeries {
public:
    explicit MetricSeries(int capacity = 8640); // 24 h at 10 s
    int capacity() const { return int(m_samples.size()); }
    int size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    MetricSample at(int index) const; // 0 = oldest kept
    std::optional<MetricSample> last() const;
    // False (and nothing kept) when timeMs is older than the last sample.
    bool append(qint64 timeMs, double value);
    void clear();

    // The samples in [fromMs, toMs] reduced to at most two points (min and max, in time order) per bucket of
    // (toMs - fromMs) / buckets; all of them when there are fewer than that. x = time in ms, y = value.
    QList<QPointF> decimated(qint64 fromMs, qint64 toMs, int buckets) const;
    // The sample nearest to timeMs within [fromMs, toMs]; nullopt when there is none.
    std::optional<MetricSample> nearest(qint64 timeMs) const;
    // The sample in [timeMs - toleranceMs, timeMs + toleranceMs] whose value is closest to value (what the mouse
    // points at in a decimated pixel column, a spike included; the nearer in time on a tie); nearest(timeMs) when
    // that window holds none.
    std::optional<MetricSample> closest(qint64 timeMs, qint64 toleranceMs, double value) const;
    qsizetype memoryBytes() const { return qsizetype(m_samples.capacity() * sizeof(MetricSample)); }

private:
    int firstAtOrAfter(qint64 timeMs) const; // index; size() when none
    std::vector<MetricSample> m_samples;
    int m_head = 0; // index of the oldest sample
    int m_size = 0;
};
