// SPDX-License-Identifier: MIT
#pragma once

#include "services/metricsource.h"

#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

// Metrics from a Prometheus HTTP API: one GET /api/v1/query_range per metric (its PromQL in `query`), over the
// last few refresh periods; the newest value of the first series. QNetworkAccessManager, GUI thread.
class PrometheusMetricSource : public MetricSource {
    Q_OBJECT
public:
    explicit PrometheusMetricSource(const QUrl& baseUrl, int stepS, QObject* parent = nullptr);
    QString name() const override { return QStringLiteral("prometheus"); }
    bool refresh() override;
    bool isBusy() const override { return m_pending > 0; }
    // The newest value of the first series of a query_range answer; false when there is none.
    static bool parseQueryRange(const QByteArray& json, double* value, qint64* timeMs = nullptr);

private:
    QNetworkAccessManager* m_network;
    QUrl m_base;
    int m_stepS;
    int m_pending = 0;
    int m_generation = 0;
    QString m_error;
    QHash<QString, double> m_values;
};
