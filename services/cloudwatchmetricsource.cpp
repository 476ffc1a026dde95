// SPDX-License-Identifier: MIT
#include "services/cloudwatchmetricsource.h"

#include "services/commandrunner.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

CloudWatchMetricSource::CloudWatchMetricSource(const AwsCliOptions& options, int periodS, QObject* parent)
    : MetricSource(parent)
    , m_options(options)
    , m_periodS(std::max(periodS, 1))
    , m_runner(new CommandRunner(this))
{
    connect(m_runner, &CommandRunner::finished, this, [this](const CommandResult& result) {
        const QByteArray out = m_runner->tail(CommandStream::Stdout);
        if (!result.ok()) {
            const QString err = QString::fromUtf8(m_runner->tail(CommandStream::Stderr)).trimmed();
            Q_EMIT failed(result.summary() + (err.isEmpty() ? QString() : u": "_s + err.right(300)));
            return;
        }
        qint64 newest = 0;
        const QHash<QString, double> values = parseOutput(out, &newest);
        Q_EMIT refreshed(values, QDateTime::currentMSecsSinceEpoch());
    });
}

CloudWatchMetricSource::~CloudWatchMetricSource() = default;

bool CloudWatchMetricSource::isBusy() const { return m_runner->isRunning(); }

QByteArray CloudWatchMetricSource::queriesJson() const
{
    QJsonArray queries;
    for (qsizetype i = 0; i < m_metrics.size(); ++i) {
        const MetricDefinition& m = m_metrics[i];
        QJsonArray dimensions;
        for (const QString& d : m.cwDimensions) {
            const qsizetype eq = d.indexOf(u'=');
            dimensions.append(QJsonObject { { u"Name"_s, d.left(eq) }, { u"Value"_s, d.mid(eq + 1) } });
        }
        const QJsonObject metric { { u"Namespace"_s, m.cwNamespace }, { u"MetricName"_s, m.cwMetric },
            { u"Dimensions"_s, dimensions } };
        queries.append(QJsonObject { { u"Id"_s, u"m%1"_s.arg(i) },
            { u"MetricStat"_s,
                QJsonObject { { u"Metric"_s, metric }, { u"Period"_s, m_periodS }, { u"Stat"_s, m.cwStat } } },
            { u"ReturnData"_s, true } });
    }
    return QJsonDocument(queries).toJson(QJsonDocument::Compact);
}

QHash<QString, double> CloudWatchMetricSource::parseOutput(const QByteArray& json, qint64* newestMs) const
{
    QHash<QString, double> values;
    const QJsonArray results = QJsonDocument::fromJson(json).object().value(u"MetricDataResults"_s).toArray();
    for (const QJsonValue& r : results) {
        const QJsonObject o = r.toObject();
        bool ok = false;
        const qsizetype index = o.value(u"Id"_s).toString().mid(1).toLongLong(&ok);
        if (!ok || index < 0 || index >= m_metrics.size())
            continue;
        const QJsonArray stamps = o.value(u"Timestamps"_s).toArray();
        const QJsonArray vals = o.value(u"Values"_s).toArray();
        // The newest datapoint (CloudWatch sorts newest first by default, but do not rely on it).
        qsizetype best = -1;
        qint64 bestMs = 0;
        for (qsizetype i = 0; i < std::min(stamps.size(), vals.size()); ++i) {
            const QJsonValue t = stamps[i];
            const qint64 ms = t.isDouble() ? qint64(t.toDouble() * 1000)
                                           : QDateTime::fromString(t.toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
            if (best < 0 || ms > bestMs) {
                best = i;
                bestMs = ms;
            }
        }
        if (best < 0)
            continue; // no datapoint: absent, never a zero
        const MetricDefinition& m = m_metrics[index];
        double v = vals[best].toDouble() * m.scale;
        if (m.perSecond)
            v /= m_periodS;
        values.insert(m.name, v);
        if (newestMs)
            *newestMs = std::max(*newestMs, bestMs);
    }
    return values;
}

bool CloudWatchMetricSource::refresh()
{
    if (m_runner->isRunning() || m_metrics.isEmpty())
        return false;
    const QDateTime end = QDateTime::currentDateTimeUtc();
    // A few periods back: the newest complete datapoint is at most one period old.
    const QDateTime start = end.addSecs(-qint64(std::max(3 * m_periodS, 120)));
    const QStringList args { u"cloudwatch"_s, u"get-metric-data"_s, u"--start-time"_s, start.toString(Qt::ISODate),
        u"--end-time"_s, end.toString(Qt::ISODate), u"--metric-data-queries"_s, QString::fromUtf8(queriesJson()),
        u"--output"_s, u"json"_s };
    CommandSpec spec = CommandSpec::program(m_options.programArguments(args), m_options.environment());
    spec.timeoutMs = m_timeoutMs;
    spec.killGraceMs = 1000;
    spec.tailCapBytes = 4 * 1024 * 1024;
    if (m_dir.isValid())
        spec.outputBasePath = m_dir.filePath(u"get-metric-data"_s);
    return m_runner->start(spec);
}

#include "moc_cloudwatchmetricsource.cpp"
