// SPDX-License-Identifier: MIT
#include "services/pgmetricsource.h"

#include "services/pgsession.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

PgMetricSource::PgMetricSource(const PgConnectionOptions& options, QObject* parent)
    : MetricSource(parent)
    , m_session(new PgSession(this))
{
    PgConnectionOptions o = options;
    o.purpose = u"metrics"_s;
    o.readOnly = true;
    o.connectTimeoutS = 5;
    o.statementTimeoutMs = 5000;
    o.queryDeadlineMs = m_timeoutMs;
    o.cancelLimitMs = 1000;
    o.autoReconnect = false;
    m_session->setOptions(o);
    connect(m_session, &PgSession::queryFinished, this, &PgMetricSource::onFinished);
}

PgMetricSource::~PgMetricSource() = default;

void PgMetricSource::setTimeoutMs(int ms)
{
    MetricSource::setTimeoutMs(ms);
    PgConnectionOptions o = m_session->options();
    o.queryDeadlineMs = ms;
    o.connectTimeoutS = std::max(1, ms / 1000);
    o.statementTimeoutMs = ms;
    m_session->setOptions(o);
}

bool PgMetricSource::refresh()
{
    if (m_running)
        return false;
    if (m_session->state() == PgSession::State::Disconnected)
        m_session->open();
    // One script: pool and deadlocks, then one statement per configured SQL metric, then pg_stat_statements
    // last (a script stops at an error: a server without the extension still gives everything else).
    QString sql = u"SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::float8,"
                  " current_setting('max_connections')::float8,"
                  " (SELECT coalesce(sum(deadlocks), 0) FROM pg_stat_database)::float8;"_s;
    for (const MetricDefinition& m : std::as_const(m_metrics))
        if (m.kind == u"sql"_s && !m.query.isEmpty())
            sql += u"\nSELECT ("_s + m.query + u")::float8;"_s;
    sql += u"\nSELECT coalesce(sum(calls), 0)::float8, coalesce(sum(total_exec_time), 0)::float8,"
           " coalesce(sum(calls) FILTER (WHERE mean_exec_time > 100), 0)::float8 FROM pg_stat_statements;"_s;
    m_running = m_session->executeScript(sql);
    return true;
}

void PgMetricSource::onFinished(quint64 id, const PgResult& result)
{
    if (id != m_running)
        return;
    m_running = 0;
    // A configured query that fails keeps the built-ins of the statements before it (a script stops at an error).
    const bool usable = result.ok() || result.outcome == PgResult::Outcome::Error;
    if (!usable || result.statements.isEmpty() || result.statements.first().rows.isEmpty()) {
        Q_EMIT failed(result.ok() ? u"no result"_s : result.summary());
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto cell = [&](qsizetype statement, int column) -> std::optional<double> {
        if (statement >= result.statements.size() || result.statements[statement].rows.isEmpty())
            return std::nullopt;
        const QList<QVariant>& row = result.statements[statement].rows.first();
        if (column >= row.size() || !row[column].isValid())
            return std::nullopt;
        return row[column].toDouble();
    };
    const double connections = cell(0, 0).value_or(0);
    const double maxConnections = cell(0, 1).value_or(0);
    const double deadlocks = cell(0, 2).value_or(0);
    qsizetype sqlCount = 0;
    for (const MetricDefinition& m : std::as_const(m_metrics))
        sqlCount += (m.kind == u"sql"_s && !m.query.isEmpty()) ? 1 : 0;
    std::optional<Totals> totals;
    if (const auto calls = cell(sqlCount + 1, 0))
        totals = Totals { *calls, cell(sqlCount + 1, 1).value_or(0), cell(sqlCount + 1, 2).value_or(0), deadlocks };
    QHash<QString, double> values;
    qsizetype sqlIndex = 1;
    for (const MetricDefinition& m : std::as_const(m_metrics)) {
        std::optional<double> v;
        if (m.kind == u"pool_usage"_s && maxConnections > 0)
            v = 100.0 * connections / maxConnections;
        else if (m.kind == u"pool_available"_s && maxConnections > 0)
            v = maxConnections - connections;
        else if (m.kind == u"deadlocks"_s && m_previousDeadlocks)
            v = std::max(0.0, deadlocks - *m_previousDeadlocks);
        else if (m.kind == u"query_latency"_s && totals && m_previous) {
            const double calls = totals->calls - m_previous->calls;
            v = calls > 0 ? std::max(0.0, totals->totalMs - m_previous->totalMs) / calls : 0.0;
        } else if (m.kind == u"slow_queries"_s && totals && m_previous)
            v = std::max(0.0, totals->slowCalls - m_previous->slowCalls);
        else if (m.kind == u"sql"_s && !m.query.isEmpty())
            v = cell(sqlIndex++, 0);
        if (v)
            values.insert(m.name, *v * m.scale);
    }
    m_previous = totals;
    m_previousDeadlocks = deadlocks;
    Q_EMIT refreshed(values, now);
}

#include "moc_pgmetricsource.cpp"
