// SPDX-License-Identifier: MIT
#include "models/metricseries.h"

#include <algorithm>
#include <cmath>

MetricSeries::MetricSeries(int capacity)
    : m_samples(std::size_t(std::max(capacity, 1)))
{
}

MetricSample MetricSeries::at(int index) const
{
    return m_samples[std::size_t((m_head + index) % int(m_samples.size()))];
}

std::optional<MetricSample> MetricSeries::last() const
{
    if (m_size == 0)
        return std::nullopt;
    return at(m_size - 1);
}

bool MetricSeries::append(qint64 timeMs, double value)
{
    if (m_size > 0 && timeMs < at(m_size - 1).timeMs)
        return false;
    const int cap = capacity();
    if (m_size < cap) {
        m_samples[std::size_t((m_head + m_size) % cap)] = { timeMs, value };
        ++m_size;
    } else {
        m_samples[std::size_t(m_head)] = { timeMs, value };
        m_head = (m_head + 1) % cap;
    }
    return true;
}

void MetricSeries::clear()
{
    m_head = 0;
    m_size = 0;
}

int MetricSeries::firstAtOrAfter(qint64 timeMs) const
{
    int lo = 0;
    int hi = m_size;
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (at(mid).timeMs < timeMs)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

QList<QPointF> MetricSeries::decimated(qint64 fromMs, qint64 toMs, int buckets) const
{
    QList<QPointF> points;
    if (toMs <= fromMs || buckets <= 0 || m_size == 0)
        return points;
    const int begin = firstAtOrAfter(fromMs);
    const int end = firstAtOrAfter(toMs + 1);
    if (end - begin <= 2 * buckets) {
        points.reserve(end - begin);
        for (int i = begin; i < end; ++i) {
            const MetricSample s = at(i);
            points.append(QPointF(double(s.timeMs), s.value));
        }
        return points;
    }
    points.reserve(2 * buckets);
    const double span = double(toMs - fromMs);
    int current = -1;
    MetricSample lo {};
    MetricSample hi {};
    auto flush = [&] {
        if (current < 0)
            return;
        if (lo.timeMs == hi.timeMs && lo.value == hi.value) {
            points.append(QPointF(double(lo.timeMs), lo.value));
        } else if (lo.timeMs <= hi.timeMs) {
            points.append(QPointF(double(lo.timeMs), lo.value));
            points.append(QPointF(double(hi.timeMs), hi.value));
        } else {
            points.append(QPointF(double(hi.timeMs), hi.value));
            points.append(QPointF(double(lo.timeMs), lo.value));
        }
    };
    const int cap = capacity();
    int physical = (m_head + begin) % cap; // walk the ring without a modulo per sample
    const double perMs = buckets / span;
    for (int i = begin; i < end; ++i) {
        const MetricSample s = m_samples[std::size_t(physical)];
        if (++physical == cap)
            physical = 0;
        int bucket = int(double(s.timeMs - fromMs) * perMs);
        if (bucket >= buckets)
            bucket = buckets - 1;
        if (bucket != current) {
            flush();
            current = bucket;
            lo = s;
            hi = s;
            continue;
        }
        if (s.value < lo.value)
            lo = s;
        if (s.value > hi.value)
            hi = s;
    }
    flush();
    return points;
}

std::optional<MetricSample> MetricSeries::nearest(qint64 timeMs) const
{
    if (m_size == 0)
        return std::nullopt;
    const int i = firstAtOrAfter(timeMs);
    if (i >= m_size)
        return at(m_size - 1);
    if (i == 0)
        return at(0);
    const MetricSample a = at(i - 1);
    const MetricSample b = at(i);
    return (timeMs - a.timeMs) <= (b.timeMs - timeMs) ? a : b;
}

std::optional<MetricSample> MetricSeries::closest(qint64 timeMs, qint64 toleranceMs, double value) const
{
    const int begin = firstAtOrAfter(timeMs - toleranceMs);
    const int end = firstAtOrAfter(timeMs + toleranceMs + 1);
    if (begin >= end)
        return nearest(timeMs);
    std::optional<MetricSample> best;
    for (int i = begin; i < end; ++i) {
        const MetricSample s = at(i);
        if (!best || std::abs(s.value - value) < std::abs(best->value - value)
            || (std::abs(s.value - value) == std::abs(best->value - value)
                && std::abs(s.timeMs - timeMs) < std::abs(best->timeMs - timeMs)))
            best = s;
    }
    return best;
}
