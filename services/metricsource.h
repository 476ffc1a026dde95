// SPDX-License-Identifier: MIT
#pragma once

#include "models/metricdefinition.h"

#include <QHash>
#include <QObject>

// One place metric values come from (PostgreSQL, Redis, CloudWatch, Prometheus). Lives on the GUI thread and
// never blocks it: refresh() starts an asynchronous read and returns; the read ends in exactly one of
// refreshed() (the values it got, by metric name; a metric it could not compute is simply absent) or failed().
// A refresh asked for while one is still running is skipped (returns false). Owned by the MetricsService.
class MetricSource : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    void setMetrics(const QList<MetricDefinition>& metrics) { m_metrics = metrics; }
    const QList<MetricDefinition>& metrics() const { return m_metrics; }
    virtual QString name() const = 0; // "postgres", "redis", "cloudwatch", "prometheus"
    virtual bool refresh() = 0;
    virtual bool isBusy() const = 0;
    // The longest a refresh may take before the service gives up on it and reports the source stale.
    virtual void setTimeoutMs(int ms) { m_timeoutMs = ms; }

Q_SIGNALS:
    void refreshed(const QHash<QString, double>& values, qint64 timeMs);
    void failed(const QString& error);

protected:
    QList<MetricDefinition> m_metrics;
    int m_timeoutMs = 10000;
};
