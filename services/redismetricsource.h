// SPDX-License-Identifier: MIT
#pragma once

#include "services/metricsource.h"

#include <QElapsedTimer>
#include <QTimer>

class RedisClient;

// Redis metrics through RedisClient (QTcpSocket/QSslSocket + hiredis's reader): PING round trip, INFO memory's
// used_memory, and the rate-limit counters (SCAN for the pattern, then MGET): how many keys, and how many requests
// above the limit they hold together. GUI thread; a refresh that outlasts the timeout drops the connection.
class RedisMetricSource : public MetricSource {
    Q_OBJECT
public:
    explicit RedisMetricSource(QObject* parent = nullptr);
    QString name() const override { return QStringLiteral("redis"); }
    void setServer(const QString& host, quint16 port, bool tls, const QString& password = {});
    void setRateLimit(const QString& pattern, int maxPerWindow);
    bool refresh() override;
    bool isBusy() const override { return m_busy; }
    RedisClient* client() const { return m_client; }

private:
    void scan(const QByteArray& cursor);
    void finish();
    void fail(const QString& error);
    RedisClient* m_client;
    QTimer m_deadline;
    QElapsedTimer m_ping;
    QString m_pattern = QStringLiteral("rate_limit:*");
    int m_max = 100;
    bool m_busy = false;
    int m_generation = 0;
    QHash<QString, double> m_values;
    double m_keys = 0;
    double m_over = 0;
};
