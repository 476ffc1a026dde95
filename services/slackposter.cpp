// SPDX-License-Identifier: MIT
#include "services/slackposter.h"

#include "services/httpreplytext.h"
#include "services/keychainsecret.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {
// Retry-After as seconds or as an HTTP date; 1 s when absent or unreadable.
int retryAfterMs(const QByteArray& header)
{
    bool ok = false;
    const int seconds = header.trimmed().toInt(&ok);
    if (ok)
        return std::max(0, seconds) * 1000;
    const QDateTime when = QDateTime::fromString(QString::fromLatin1(header.trimmed()), Qt::RFC2822Date);
    if (when.isValid())
        return int(std::clamp<qint64>(QDateTime::currentDateTimeUtc().msecsTo(when), 0, 86'400'000));
    return 1000;
}
} // namespace

SlackPoster::SlackPoster(SecretStore* secrets, QObject* parent)
    : QObject(parent)
    , m_webhook(new KeychainSecret(secrets, QString::fromUtf16(webhookKey), this))
    , m_network(new QNetworkAccessManager(this))
{
    connect(m_webhook, &KeychainSecret::ready, this, &SlackPoster::sendWaiting);
    connect(m_webhook, &KeychainSecret::unavailable, this, [this](SecretStore::Error error, const QString& message) {
        const QString reason = error == SecretStore::Error::NotFound
            ? tr("no Slack webhook URL in the keychain; set one in the Escalation panel")
            : message;
        const QList<quint64> waiting = std::exchange(m_waitingForUrl, {});
        for (quint64 id : waiting)
            fail(id, reason);
    });
}

SlackPoster::~SlackPoster()
{
    for (Post& post : m_posts) {
        if (post.reply) {
            post.reply->disconnect(this);
            post.reply->abort();
        }
    }
}

quint64 SlackPoster::post(const QString& text)
{
    const quint64 id = m_nextId++;
    m_posts.insert(id, Post { text });
    send(id);
    return id;
}

void SlackPoster::send(quint64 id)
{
    if (!m_webhook->hasValue()) {
        m_waitingForUrl.append(id);
        m_webhook->fetch();
        return;
    }
    auto it = m_posts.find(id);
    if (it == m_posts.end())
        return;
    const QUrl url(m_webhook->value());
    if (!url.isValid() || !(url.scheme() == u"https" || url.scheme() == u"http")) {
        fail(id, tr("the Slack webhook URL in the keychain is not an http(s) URL"));
        return;
    }
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    request.setTransferTimeout(m_timeoutMs);
    const QByteArray body = QJsonDocument(QJsonObject { { u"text"_s, it->text } }).toJson(QJsonDocument::Compact);
    ++it->attempts;
    QNetworkReply* reply = m_network->post(request, body);
    it->reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, id, reply] { onReply(id, reply); });
}

void SlackPoster::sendWaiting()
{
    const QList<quint64> waiting = std::exchange(m_waitingForUrl, {});
    for (quint64 id : waiting)
        send(id);
}

void SlackPoster::onReply(quint64 id, QNetworkReply* reply)
{
    reply->deleteLater();
    auto it = m_posts.find(id);
    if (it == m_posts.end())
        return;
    it->reply = nullptr;
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 300) {
        m_posts.erase(it);
        Q_EMIT posted(id);
        return;
    }
    if (status == 429) {
        if (it->attempts >= m_maxAttempts) {
            fail(id,
                tr("Slack is rate-limiting (HTTP 429) after %n attempt(s); try again later", nullptr, it->attempts));
            return;
        }
        const int delay = std::min(retryAfterMs(reply->rawHeader("Retry-After")), m_maxRetryDelayMs);
        Q_EMIT retryScheduled(id, delay, tr("Slack is rate-limiting (HTTP 429): retrying in %1 s").arg(delay / 1000.0));
        QTimer::singleShot(delay, this, [this, id] { send(id); });
        return;
    }
    fail(id, describeReplyFailure(reply, m_timeoutMs, body));
}

void SlackPoster::fail(quint64 id, const QString& reason)
{
    const Post post = m_posts.take(id);
    Q_EMIT postFailed(id, reason, post.text);
}

#include "moc_slackposter.cpp"
