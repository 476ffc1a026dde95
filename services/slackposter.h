// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

class KeychainSecret;
class QNetworkAccessManager;
class QNetworkReply;
class SecretStore;

// Posts status messages to a Slack incoming webhook (its URL kept in the keychain under "petforce/slack/webhook").
// Each post has a timeout; a 429 answer is retried once its Retry-After has passed (a single timer, never a busy
// loop), up to maxAttempts; any other failure ends the post with postFailed carrying the reason and the message
// text, so nothing typed is lost.
//
// Lives on the GUI thread; does not own the secret store.
class SlackPoster : public QObject {
    Q_OBJECT
public:
    static constexpr char16_t webhookKey[] = u"petforce/slack/webhook";

    explicit SlackPoster(SecretStore* secrets, QObject* parent = nullptr);
    ~SlackPoster() override;

    void setTimeout(int ms) { m_timeoutMs = ms; } // default 10 s
    void setMaxAttempts(int attempts) { m_maxAttempts = attempts; } // default 3
    void setMaxRetryDelay(int ms) { m_maxRetryDelayMs = ms; } // Retry-After is capped at this (default 10 min)
    KeychainSecret* webhook() const { return m_webhook; }

    // Starts a post and returns its id at once → posted(), retryScheduled() (maybe several), or postFailed().
    quint64 post(const QString& text);
    int pendingCount() const { return int(m_posts.size()); }

Q_SIGNALS:
    void posted(quint64 id);
    void retryScheduled(quint64 id, int delayMs, const QString& reason);
    void postFailed(quint64 id, const QString& reason, const QString& text);

private:
    struct Post {
        QString text;
        int attempts = 0;
        QNetworkReply* reply = nullptr;
    };
    void sendWaiting();
    void send(quint64 id);
    void onReply(quint64 id, QNetworkReply* reply);
    void fail(quint64 id, const QString& reason);

    KeychainSecret* m_webhook;
    QNetworkAccessManager* m_network;
    QHash<quint64, Post> m_posts;
    QList<quint64> m_waitingForUrl;
    quint64 m_nextId = 1;
    int m_timeoutMs = 10'000;
    int m_maxAttempts = 3;
    int m_maxRetryDelayMs = 10 * 60'000;
};
