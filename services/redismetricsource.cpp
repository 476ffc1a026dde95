// SPDX-License-Identifier: MIT
#include "services/redismetricsource.h"

#include "services/redisclient.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

RedisMetricSource::RedisMetricSource(QObject* parent)
    : MetricSource(parent)
    , m_client(new RedisClient(this))
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        fail(u"no answer within %1 s"_s.arg(m_timeoutMs / 1000.0));
        m_client->disconnectFromServer();
    });
}

void RedisMetricSource::setServer(const QString& host, quint16 port, bool tls, const QString& password)
{
    m_client->setServer(host, port, tls);
    m_client->setPassword(password);
}

void RedisMetricSource::setRateLimit(const QString& pattern, int maxPerWindow)
{
    m_pattern = pattern;
    m_max = maxPerWindow;
}

bool RedisMetricSource::refresh()
{
    if (m_busy)
        return false;
    m_busy = true;
    const int generation = ++m_generation;
    m_values.clear();
    m_keys = 0;
    m_over = 0;
    m_client->setConnectTimeoutMs(m_timeoutMs);
    m_deadline.start(m_timeoutMs);
    auto alive = [this, generation] { return m_busy && generation == m_generation; };
    m_ping.start();
    m_client->command({ "PING" }, [this, alive](bool ok, const RedisReply& reply) {
        if (!alive())
            return;
        if (!ok || reply.isError())
            return fail(ok ? QString::fromUtf8(reply.string) : m_client->errorString());
        m_values.insert(u"ping_ms"_s, double(m_ping.nsecsElapsed()) / 1e6);
    });
    m_client->command({ "INFO", "memory" }, [this, alive](bool ok, const RedisReply& reply) {
        if (!alive() || !ok || reply.isError())
            return;
        for (const QByteArray& line : reply.string.split('\n')) {
            if (line.startsWith("used_memory:")) {
                m_values.insert(u"used_memory_mb"_s, line.mid(12).trimmed().toDouble() / (1024.0 * 1024.0));
                break;
            }
        }
    });
    scan("0");
    return true;
}

void RedisMetricSource::scan(const QByteArray& cursor)
{
    const int generation = m_generation;
    m_client->command({ "SCAN", cursor, "MATCH", m_pattern.toUtf8(), "COUNT", "1000" },
        [this, generation](bool ok, const RedisReply& reply) {
            if (!m_busy || generation != m_generation)
                return;
            if (!ok || reply.isError() || reply.elements.size() != 2)
                return fail(ok ? u"SCAN: "_s + QString::fromUtf8(reply.string) : m_client->errorString());
            const QByteArray next = reply.elements[0].string;
            QByteArrayList keys { "MGET" };
            for (const RedisReply& k : reply.elements[1].elements)
                keys.append(k.string);
            m_keys += double(keys.size() - 1);
            if (keys.size() > 1) {
                m_client->command(keys, [this, generation](bool ok, const RedisReply& values) {
                    if (!m_busy || generation != m_generation || !ok)
                        return;
                    for (const RedisReply& v : values.elements) {
                        double count = 0;
                        if (v.toDouble(&count))
                            m_over += std::max(0.0, count - m_max);
                    }
                });
            }
            if (next == "0") {
                // Replies come in order: a PING queued now answers after the last MGET.
                m_client->command({ "PING" }, [this, generation](bool ok, const RedisReply&) {
                    if (m_busy && generation == m_generation && ok)
                        finish();
                });
            } else {
                scan(next);
            }
        });
}

void RedisMetricSource::finish()
{
    m_deadline.stop();
    m_busy = false;
    m_values.insert(u"rate_limit_keys"_s, m_keys);
    m_values.insert(u"rate_limit_violations"_s, m_over);
    QHash<QString, double> values;
    for (const MetricDefinition& m : std::as_const(m_metrics))
        if (const auto it = m_values.constFind(m.kind); it != m_values.constEnd())
            values.insert(m.name, *it * m.scale);
    Q_EMIT refreshed(values, QDateTime::currentMSecsSinceEpoch());
}

void RedisMetricSource::fail(const QString& error)
{
    if (!m_busy)
        return;
    m_deadline.stop();
    m_busy = false;
    ++m_generation;
    Q_EMIT failed(error);
}

#include "moc_redismetricsource.cpp"
