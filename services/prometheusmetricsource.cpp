// SPDX-License-Identifier: MIT
#include "services/prometheusmetricsource.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

PrometheusMetricSource::PrometheusMetricSource(const QUrl& baseUrl, int stepS, QObject* parent)
    : MetricSource(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_base(baseUrl)
    , m_stepS(std::max(stepS, 1))
{
}

bool PrometheusMetricSource::parseQueryRange(const QByteArray& json, double* value, qint64* timeMs)
{
    const QJsonObject root = QJsonDocument::fromJson(json).object();
    if (root.value(u"status"_s).toString() != u"success"_s)
        return false;
    const QJsonArray result = root.value(u"data"_s).toObject().value(u"result"_s).toArray();
    if (result.isEmpty())
        return false;
    const QJsonArray values = result.first().toObject().value(u"values"_s).toArray();
    if (values.isEmpty())
        return false;
    const QJsonArray last = values.last().toArray();
    bool ok = false;
    const double v = last.at(1).toString().toDouble(&ok);
    if (!ok)
        return false;
    *value = v;
    if (timeMs)
        *timeMs = qint64(last.at(0).toDouble() * 1000);
    return true;
}

bool PrometheusMetricSource::refresh()
{
    if (m_pending > 0)
        return false;
    const int generation = ++m_generation;
    m_values.clear();
    m_error.clear();
    const qint64 end = QDateTime::currentSecsSinceEpoch();
    for (const MetricDefinition& m : std::as_const(m_metrics)) {
        QUrl url = m_base;
        url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + u"/api/v1/query_range"_s);
        QUrlQuery q;
        q.addQueryItem(u"query"_s, QString::fromUtf8(QUrl::toPercentEncoding(m.query)));
        q.addQueryItem(u"start"_s, QString::number(end - 5 * m_stepS));
        q.addQueryItem(u"end"_s, QString::number(end));
        q.addQueryItem(u"step"_s, QString::number(m_stepS));
        url.setQuery(q);
        QNetworkRequest request(url);
        request.setTransferTimeout(m_timeoutMs);
        QNetworkReply* reply = m_network->get(request);
        ++m_pending;
        const QString name = m.name;
        const double scale = m.scale;
        connect(reply, &QNetworkReply::finished, this, [this, reply, name, scale, generation] {
            reply->deleteLater();
            if (generation != m_generation)
                return;
            double v = 0;
            if (reply->error() != QNetworkReply::NoError)
                m_error = reply->errorString();
            else if (parseQueryRange(reply->readAll(), &v))
                m_values.insert(name, v * scale);
            if (--m_pending > 0)
                return;
            if (m_values.isEmpty() && !m_error.isEmpty())
                Q_EMIT failed(m_error);
            else
                Q_EMIT refreshed(m_values, QDateTime::currentMSecsSinceEpoch());
        });
    }
    if (m_pending == 0)
        return false;
    return true;
}

#include "moc_prometheusmetricsource.cpp"
