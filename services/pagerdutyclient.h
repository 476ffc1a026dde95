// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

class KeychainSecret;
class QNetworkAccessManager;
class QNetworkReply;
class SecretStore;

// One current on-call entry from PagerDuty.
struct OnCallEntry {
    int level = 0; // escalation level: 1 primary, 2 secondary, …
    QString user; // "Alice Example"
    QString email;
    QString schedule; // the schedule's name, if any
    bool operator==(const OnCallEntry&) const = default;
};

// "Check PagerDuty rotation": the current on-call people of one escalation policy, from PagerDuty's REST API
// (GET {baseUrl}/oncalls?escalation_policy_ids[]=ID with "Authorization: Token token=…"), refreshed in the
// background. The token lives in the keychain (key "petforce/pagerduty/token"), read when first needed. Never
// blocks; a refresh that does not answer within the timeout is abandoned and reported.
//
// Lives on the GUI thread; does not own the secret store; returns data by value.
class PagerDutyClient : public QObject {
    Q_OBJECT
public:
    static constexpr char16_t tokenKey[] = u"petforce/pagerduty/token";
    enum class State { NotConfigured, NoToken, Loading, Ready, Failed };
    Q_ENUM(State)

    explicit PagerDutyClient(SecretStore* secrets, QObject* parent = nullptr);
    ~PagerDutyClient() override;

    void setBaseUrl(const QUrl& url) { m_baseUrl = url; } // default https://api.pagerduty.com
    QUrl baseUrl() const { return m_baseUrl; }
    void setEscalationPolicyId(const QString& id) { m_policyId = id; }
    QString escalationPolicyId() const { return m_policyId; }
    void setTimeout(int ms) { m_timeoutMs = ms; } // default 10 s
    void setRefreshInterval(int ms) { m_timer.setInterval(ms); } // default 5 min
    KeychainSecret* token() const { return m_token; }

    void start(); // refresh now and then every refresh interval
    void stop();
    void refresh(); // → onCallsChanged() or stateChanged(Failed/NoToken/NotConfigured)

    State state() const { return m_state; }
    QString statusText() const { return m_status; } // for people: what is shown, or why nothing is
    QList<OnCallEntry> onCalls() const { return m_onCalls; } // sorted by level
    qint64 lastSuccessMs() const { return m_lastSuccessMs; }

Q_SIGNALS:
    void onCallsChanged(const QList<OnCallEntry>& onCalls);
    void stateChanged(PagerDutyClient::State state, const QString& status);

private:
    void setState(State state, const QString& status);
    void fetch(const QString& token);
    void onReply(QNetworkReply* reply);

    KeychainSecret* m_token;
    QNetworkAccessManager* m_network;
    QPointer<QNetworkReply> m_reply;
    QUrl m_baseUrl { QStringLiteral("https://api.pagerduty.com") };
    QString m_policyId;
    int m_timeoutMs = 10'000;
    QTimer m_timer;
    State m_state = State::NotConfigured;
    QString m_status;
    QList<OnCallEntry> m_onCalls;
    qint64 m_lastSuccessMs = 0;
};
