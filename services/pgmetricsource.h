// SPDX-License-Identifier: MIT
#pragma once

#include "services/metricsource.h"
#include "services/pgconnectionoptions.h"

#include <optional>

class PgSession;

// Database metrics through the shared PgSession (libpq, asynchronous): pool usage from pg_stat_activity and
// max_connections, query latency and slow-query calls from pg_stat_statements deltas, deadlocks from
// pg_stat_database deltas (the first refresh only sets the baseline for those), and the configured business SQL.
// One read-only session of its own, kept open between refreshes and reopened when lost. GUI thread.
class PgMetricSource : public MetricSource {
    Q_OBJECT
public:
    explicit PgMetricSource(const PgConnectionOptions& options, QObject* parent = nullptr);
    ~PgMetricSource() override;
    QString name() const override { return QStringLiteral("postgres"); }
    bool refresh() override;
    bool isBusy() const override { return m_running != 0; }
    void setTimeoutMs(int ms) override;
    PgSession* session() const { return m_session; }

private:
    void onFinished(quint64 id, const class PgResult& result);
    PgSession* m_session;
    quint64 m_running = 0;
    struct Totals {
        double calls = 0;
        double totalMs = 0;
        double slowCalls = 0;
        double deadlocks = 0;
    };
    std::optional<Totals> m_previous; // pg_stat_statements totals of the last refresh
    std::optional<double> m_previousDeadlocks;
};
