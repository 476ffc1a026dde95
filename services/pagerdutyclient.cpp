// SPDX-License-Identifier: MIT
#include "services/pagerdutyclient.h"

#include "services/httpreplytext.h"
#include "services/keychainsecret.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

PagerDutyClient::PagerDutyClient(SecretStore* secrets, QObject* parent)
    : QObject(parent)
    , m_token(new KeychainSecret(secrets, QString::fromUtf16(tokenKey), this))
    , m_network(new QNetworkAccessManager(this))
{
    m_timer.setInterval(5 * 60'000);
    connect(&m_timer, &QTimer::timeout, this, &PagerDutyClient::refresh);
    connect(m_token, &KeychainSecret::ready, this, &PagerDutyClient::fetch);
    connect(m_token, &KeychainSecret::unavailable, this, [this](SecretStore::Error error, const QString& message) {
        if (error == SecretStore::Error::NotFound)
            setState(State::NoToken, tr("No PagerDuty API token in the keychain: showing the static contacts."));
        else
            setState(State::NoToken, tr("PagerDuty token unavailable: %1").arg(message));
    });
    m_status = tr("PagerDuty not checked yet.");
}

PagerDutyClient::~PagerDutyClient()
{
    if (m_reply)
        m_reply->abort();
}

void PagerDutyClient::start()
{
    m_timer.start();
    refresh();
}

void PagerDutyClient::stop() { m_timer.stop(); }

void PagerDutyClient::refresh()
{
    if (m_policyId.isEmpty()) {
        setState(State::NotConfigured, tr("No PagerDuty escalation policy configured: showing the static contacts."));
        return;
    }
    if (m_reply)
        return; // one request at a time; the next tick tries again
    m_token->fetch();
}

void PagerDutyClient::fetch(const QString& token)
{
    if (m_reply || m_policyId.isEmpty())
        return;
    QUrl url = m_baseUrl;
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + u"/oncalls"_s);
    QUrlQuery query;
    query.addQueryItem(u"escalation_policy_ids[]"_s, m_policyId);
    query.addQueryItem(u"include[]"_s, u"users"_s);
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Token token=" + token.toUtf8());
    request.setRawHeader("Accept", "application/vnd.pagerduty+json;version=2");
    request.setTransferTimeout(m_timeoutMs);
    setState(State::Loading, tr("Asking PagerDuty…"));
    m_reply = m_network->get(request);
    QNetworkReply* reply = m_reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onReply(reply); });
}

void PagerDutyClient::onReply(QNetworkReply* reply)
{
    reply->deleteLater();
    m_reply = nullptr;
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status != 200) {
        if (status == 401)
            m_token->forget(); // a new token may have been stored since
        setState(State::Failed,
            tr("PagerDuty unreachable (%1): showing the static contacts.")
                .arg(describeReplyFailure(reply, m_timeoutMs, body)));
        return;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (!doc.isObject() || !doc.object().value(u"oncalls"_s).isArray()) {
        setState(State::Failed, tr("PagerDuty sent an answer without on-calls: showing the static contacts."));
        return;
    }
    QList<OnCallEntry> entries;
    for (const QJsonValue& value : doc.object().value(u"oncalls"_s).toArray()) {
        const QJsonObject o = value.toObject();
        const QJsonObject user = o.value(u"user"_s).toObject();
        OnCallEntry entry;
        entry.level = o.value(u"escalation_level"_s).toInt();
        entry.user = user.value(u"name"_s).toString(user.value(u"summary"_s).toString());
        entry.email = user.value(u"email"_s).toString();
        entry.schedule = o.value(u"schedule"_s).toObject().value(u"summary"_s).toString();
        if (!entry.user.isEmpty() && !entries.contains(entry))
            entries.append(entry);
    }
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.level < b.level; });
    m_onCalls = entries;
    m_lastSuccessMs = QDateTime::currentMSecsSinceEpoch();
    Q_EMIT onCallsChanged(m_onCalls);
    setState(State::Ready,
        entries.isEmpty()
            ? tr("PagerDuty: nobody on call for this policy.")
            : tr("PagerDuty on-call, checked %1.").arg(QDateTime::currentDateTimeUtc().toString(u"HH:mm 'UTC'"_s)));
}

void PagerDutyClient::setState(State state, const QString& status)
{
    m_state = state;
    m_status = status;
    Q_EMIT stateChanged(state, status);
}

#include "moc_pagerdutyclient.cpp"
