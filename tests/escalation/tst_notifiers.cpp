// SPDX-License-Identifier: MIT
// PagerDuty on-call and the Slack webhook against local HTTP servers on loopback: answers, errors, timeouts and
// rate limits (429 with Retry-After). Secrets come from a session-only SecretStore (the keychain itself is tested
// in tst_escalationkeychain).
#include "fakehttpserver.h"
#include "services/keychainsecret.h"
#include "services/pagerdutyclient.h"
#include "services/secretstore.h"
#include "services/slackposter.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {
const QByteArray onCallsJson = R"({"oncalls":[
 {"escalation_level":2,"user":{"id":"P2","summary":"Bob Secondary","type":"user_reference"},
  "schedule":{"summary":"PetForce secondary"}},
 {"escalation_level":1,"user":{"id":"P1","name":"Alice Primary","summary":"Alice Primary","email":"alice@petforce.app"},
  "schedule":{"summary":"PetForce primary"}}],"limit":25,"offset":0,"more":false})";
} // namespace

class TestNotifiers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void pagerDutyOnCall();
    void pagerDutyWithoutPolicyOrToken();
    void pagerDutyErrors_data();
    void pagerDutyErrors();
    void pagerDutyUnreachable();
    void pagerDutyRefreshesInTheBackground();
    void slackPosts();
    void slackHonoursRetryAfter();
    void slackGivesUpAfterRepeated429();
    void slackFailuresKeepTheMessage_data();
    void slackFailuresKeepTheMessage();
    void slackWithoutWebhook();

private:
    void storeSecret(const QString& key, const QString& value);
    // A client for policy PABC123 on the local server (or url).
    std::unique_ptr<PagerDutyClient> pagerDuty(const QUrl& url = {});
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<FakeHttpServer> m_server;
};

void TestNotifiers::init()
{
    m_secrets = std::make_unique<SecretStore>(u"app.petforce.OpsConsole.test"_s);
    m_secrets->useSessionFallback();
    m_server = std::make_unique<FakeHttpServer>();
}

void TestNotifiers::cleanup()
{
    m_server.reset();
    m_secrets.reset();
}

void TestNotifiers::storeSecret(const QString& key, const QString& value)
{
    QSignalSpy written(m_secrets.get(), &SecretStore::secretWritten);
    m_secrets->writeSecret(key, value);
    QVERIFY(written.wait(5000));
}

std::unique_ptr<PagerDutyClient> TestNotifiers::pagerDuty(const QUrl& url)
{
    auto client = std::make_unique<PagerDutyClient>(m_secrets.get());
    client->setBaseUrl(url.isEmpty() ? m_server->url() : url);
    client->setEscalationPolicyId(u"PABC123"_s);
    return client;
}

void TestNotifiers::pagerDutyOnCall()
{
    storeSecret(QString::fromUtf16(PagerDutyClient::tokenKey), u"pd-token-123"_s);
    m_server->enqueue({ 200, onCallsJson });
    auto owner = pagerDuty();
    PagerDutyClient& client = *owner;
    QSignalSpy changed(&client, &PagerDutyClient::onCallsChanged);
    client.refresh();
    QVERIFY(changed.wait(5000));
    QCOMPARE(client.state(), PagerDutyClient::State::Ready);
    const QList<OnCallEntry> onCalls = client.onCalls();
    QCOMPARE(onCalls.size(), 2);
    QCOMPARE(onCalls.at(0).level, 1);
    QCOMPARE(onCalls.at(0).user, u"Alice Primary"_s);
    QCOMPARE(onCalls.at(0).email, u"alice@petforce.app"_s);
    QCOMPARE(onCalls.at(1).user, u"Bob Secondary"_s);
    QCOMPARE(m_server->requestCount(), 1);
    const FakeHttpServer::Request& request = m_server->requests().constFirst();
    QCOMPARE(request.method, "GET");
    const QByteArray target = QByteArray::fromPercentEncoding(request.target);
    QVERIFY2(target.startsWith("/oncalls?") && target.contains("escalation_policy_ids[]=PABC123"), target.constData());
    QCOMPARE(request.headers.value("authorization"), "Token token=pd-token-123");
    QVERIFY(request.headers.value("accept").contains("pagerduty+json"));
}

void TestNotifiers::pagerDutyWithoutPolicyOrToken()
{
    PagerDutyClient client(m_secrets.get());
    client.setBaseUrl(m_server->url());
    QSignalSpy state(&client, &PagerDutyClient::stateChanged);
    client.refresh();
    QCOMPARE(client.state(), PagerDutyClient::State::NotConfigured);
    QVERIFY(client.statusText().contains(u"static contacts"_s));

    client.setEscalationPolicyId(u"PABC123"_s);
    client.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), PagerDutyClient::State::NoToken, 5000);
    QVERIFY2(client.statusText().contains(u"No PagerDuty API token"_s), qPrintable(client.statusText()));
    QCOMPARE(m_server->requestCount(), 0);
}

void TestNotifiers::pagerDutyErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("hang");
    QTest::addColumn<QString>("expected");
    QTest::newRow("401") << 401 << QByteArray(R"({"error":{"message":"Unauthorized"}})") << false << u"HTTP 401"_s;
    QTest::newRow("500") << 500 << QByteArray("oops") << false << u"HTTP 500: oops"_s;
    QTest::newRow("not json") << 200 << QByteArray("<html>") << false << u"without on-calls"_s;
    QTest::newRow("timeout") << 200 << QByteArray() << true << u"no answer within 0.3 s"_s;
}

void TestNotifiers::pagerDutyErrors()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, hang);
    QFETCH(QString, expected);
    storeSecret(QString::fromUtf16(PagerDutyClient::tokenKey), u"tok"_s);
    FakeHttpServer::Reply reply { status, body };
    reply.hang = hang;
    m_server->enqueue(reply);
    auto owner = pagerDuty();
    PagerDutyClient& client = *owner;
    client.setTimeout(300);
    QElapsedTimer timer;
    timer.start();
    client.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), PagerDutyClient::State::Failed, 5000);
    QVERIFY2(client.statusText().contains(expected), qPrintable(client.statusText()));
    QVERIFY(client.statusText().contains(u"static contacts"_s));
    QVERIFY(client.onCalls().isEmpty());
    if (hang)
        QVERIFY(timer.elapsed() < 3000);
}

void TestNotifiers::pagerDutyUnreachable()
{
    storeSecret(QString::fromUtf16(PagerDutyClient::tokenKey), u"tok"_s);
    const QUrl url = m_server->url();
    m_server.reset(); // nothing listens there any more
    auto owner = pagerDuty(url);
    PagerDutyClient& client = *owner;
    client.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), PagerDutyClient::State::Failed, 5000);
    QVERIFY2(client.statusText().contains(u"PagerDuty unreachable"_s), qPrintable(client.statusText()));
}

void TestNotifiers::pagerDutyRefreshesInTheBackground()
{
    storeSecret(QString::fromUtf16(PagerDutyClient::tokenKey), u"tok"_s);
    m_server->setDefault({ 200, onCallsJson });
    auto owner = pagerDuty();
    PagerDutyClient& client = *owner;
    client.setRefreshInterval(200);
    QSignalSpy changed(&client, &PagerDutyClient::onCallsChanged);
    client.start();
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() >= 3, 5000);
    client.stop();
}

void TestNotifiers::slackPosts()
{
    storeSecret(QString::fromUtf16(SlackPoster::webhookKey), m_server->url(u"/services/T1/B2/xyz"_s).toString());
    SlackPoster slack(m_secrets.get());
    QSignalSpy posted(&slack, &SlackPoster::posted);
    const QString text = u"\U0001F4CA UPDATE: API returning 500s\nStatus: Mitigating"_s;
    const quint64 id = slack.post(text);
    QVERIFY(posted.wait(5000));
    QCOMPARE(posted.constFirst().at(0).value<quint64>(), id);
    const FakeHttpServer::Request& request = m_server->requests().constFirst();
    QCOMPARE(request.method, "POST");
    QCOMPARE(request.target, "/services/T1/B2/xyz");
    QCOMPARE(request.headers.value("content-type"), "application/json");
    QCOMPARE(QJsonDocument::fromJson(request.body).object().value(u"text"_s).toString(), text);
    QCOMPARE(slack.pendingCount(), 0);
}

void TestNotifiers::slackHonoursRetryAfter()
{
    storeSecret(QString::fromUtf16(SlackPoster::webhookKey), m_server->url(u"/hook"_s).toString());
    m_server->enqueue({ 429, "rate_limited", { { "Retry-After", "1" } } });
    m_server->enqueue({ 200, "ok" });
    SlackPoster slack(m_secrets.get());
    QSignalSpy posted(&slack, &SlackPoster::posted);
    QSignalSpy retry(&slack, &SlackPoster::retryScheduled);
    QSignalSpy received(m_server.get(), &FakeHttpServer::requestReceived);
    QElapsedTimer timer;
    timer.start();
    slack.post(u"hello"_s);
    QVERIFY(retry.wait(5000));
    QCOMPARE(retry.constFirst().at(1).toInt(), 1000);
    QVERIFY(retry.constFirst().at(2).toString().contains(u"429"_s));
    const qint64 firstAt = timer.elapsed();
    QCOMPARE(m_server->requestCount(), 1);
    QTest::qWait(300);
    QCOMPARE(m_server->requestCount(), 1); // no retry before Retry-After has passed
    QVERIFY(posted.wait(5000));
    QCOMPARE(m_server->requestCount(), 2);
    QVERIFY2(timer.elapsed() - firstAt >= 900, qPrintable(QString::number(timer.elapsed() - firstAt)));
}

void TestNotifiers::slackGivesUpAfterRepeated429()
{
    storeSecret(QString::fromUtf16(SlackPoster::webhookKey), m_server->url(u"/hook"_s).toString());
    m_server->setDefault({ 429, "rate_limited", { { "Retry-After", "0" } } });
    SlackPoster slack(m_secrets.get());
    slack.setMaxAttempts(3);
    QSignalSpy failed(&slack, &SlackPoster::postFailed);
    QSignalSpy retry(&slack, &SlackPoster::retryScheduled);
    slack.post(u"keep me"_s);
    QVERIFY(failed.wait(5000));
    QCOMPARE(retry.count(), 2);
    QCOMPARE(m_server->requestCount(), 3);
    QVERIFY(failed.constFirst().at(1).toString().contains(u"429"_s));
    QCOMPARE(failed.constFirst().at(2).toString(), u"keep me"_s);
}

void TestNotifiers::slackFailuresKeepTheMessage_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("hang");
    QTest::addColumn<QString>("expected");
    QTest::newRow("invalid payload") << 400 << QByteArray("invalid_payload") << false << u"HTTP 400: invalid_payload"_s;
    QTest::newRow("revoked") << 404 << QByteArray("no_service") << false << u"HTTP 404: no_service"_s;
    QTest::newRow("server error") << 500 << QByteArray() << false << u"HTTP 500"_s;
    QTest::newRow("timeout") << 200 << QByteArray() << true << u"no answer within 0.3 s"_s;
}

void TestNotifiers::slackFailuresKeepTheMessage()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, hang);
    QFETCH(QString, expected);
    storeSecret(QString::fromUtf16(SlackPoster::webhookKey), m_server->url(u"/hook"_s).toString());
    FakeHttpServer::Reply reply { status, body };
    reply.hang = hang;
    m_server->enqueue(reply);
    SlackPoster slack(m_secrets.get());
    slack.setTimeout(300);
    QSignalSpy failed(&slack, &SlackPoster::postFailed);
    QSignalSpy posted(&slack, &SlackPoster::posted);
    slack.post(u"RESOLVED: DB down"_s);
    QVERIFY(failed.wait(5000));
    QCOMPARE(posted.count(), 0);
    QVERIFY2(failed.constFirst().at(1).toString().contains(expected), qPrintable(failed.constFirst().at(1).toString()));
    QCOMPARE(failed.constFirst().at(2).toString(), u"RESOLVED: DB down"_s);
    QCOMPARE(m_server->requestCount(), 1);
}

void TestNotifiers::slackWithoutWebhook()
{
    SlackPoster slack(m_secrets.get());
    QSignalSpy failed(&slack, &SlackPoster::postFailed);
    slack.post(u"text"_s);
    QVERIFY(failed.wait(5000));
    QVERIFY(failed.constFirst().at(1).toString().contains(u"no Slack webhook URL"_s));
    QCOMPARE(failed.constFirst().at(2).toString(), u"text"_s);
}

QTEST_GUILESS_MAIN(TestNotifiers)
#include "tst_notifiers.moc"
