// SPDX-License-Identifier: MIT
// Secrets and desktop notifications for escalation, run twice by CTest: with no Secret Service at all (the panel's
// services say what is wrong and work for the session only when asked), and inside run-with-keyring.sh with a real
// gnome-keyring-daemon on a private session bus (the token is read from the keyring; a notification server on that
// bus receives the escalation notification).
#include "fakehttpserver.h"
#include "services/desktopnotifier.h"
#include "services/keychainsecret.h"
#include "services/pagerdutyclient.h"
#include "services/secretstore.h"
#include "services/slackposter.h"

#include <QDBusConnection>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
const QByteArray onCallsJson = R"({"oncalls":[{"escalation_level":1,"user":{"summary":"Alice Primary"}}]})";

// org.freedesktop.Notifications, served by the test itself on the private bus.
class FakeNotifications : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    QStringList received;
public Q_SLOTS:
    uint Notify(const QString& app, uint replaces, const QString& icon, const QString& summary, const QString& body,
        const QStringList& actions, const QVariantMap& hints, int timeout)
    {
        Q_UNUSED(app)
        Q_UNUSED(replaces)
        Q_UNUSED(icon)
        Q_UNUSED(actions)
        Q_UNUSED(hints)
        Q_UNUSED(timeout)
        received.append(summary + u'|' + body);
        return uint(received.size());
    }
};
} // namespace

class TestEscalationKeychain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void noSecretService();
    void tokenFromRealKeyring();
    void desktopNotificationOnSessionBus();
};

void TestEscalationKeychain::noSecretService()
{
    if (qEnvironmentVariableIsSet("PETFORCE_KEYRING_TEST"))
        QSKIP("a keyring is running in this session");
    FakeHttpServer server;
    server.enqueue({ 200, onCallsJson });
    SecretStore secrets(u"app.petforce.OpsConsole.test"_s);
    PagerDutyClient client(&secrets);
    client.setBaseUrl(server.url());
    client.setEscalationPolicyId(u"PABC123"_s);
    client.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), PagerDutyClient::State::NoToken, 30000);
    QVERIFY2(client.statusText().contains(u"No keychain is available"_s), qPrintable(client.statusText()));
    QCOMPARE(server.requestCount(), 0);

    SlackPoster slack(&secrets);
    QSignalSpy failed(&slack, &SlackPoster::postFailed);
    slack.post(u"UPDATE: kept"_s);
    QVERIFY(failed.wait(30000));
    QVERIFY(failed.constFirst().at(1).toString().contains(u"No keychain is available"_s));
    QCOMPARE(failed.constFirst().at(2).toString(), u"UPDATE: kept"_s);

    // Writing the token fails as well: nothing is kept unless the operator agrees to a session-only secret.
    QSignalSpy unavailable(client.token(), &KeychainSecret::unavailable);
    QSignalSpy stored(client.token(), &KeychainSecret::stored);
    client.token()->store(u"pd-token"_s);
    QVERIFY(unavailable.wait(30000));
    QCOMPARE(unavailable.constFirst().at(0).value<SecretStore::Error>(), SecretStore::Error::NoBackend);
    secrets.useSessionFallback(); // "Keep for this session only"
    client.token()->store(u"pd-token"_s);
    QVERIFY(stored.wait(5000));
    QSignalSpy changed(&client, &PagerDutyClient::onCallsChanged);
    client.refresh();
    QVERIFY(changed.wait(5000));
    QCOMPARE(client.onCalls().constFirst().user, u"Alice Primary"_s);
    QCOMPARE(server.requests().constFirst().headers.value("authorization"), "Token token=pd-token");
}

void TestEscalationKeychain::tokenFromRealKeyring()
{
    if (!qEnvironmentVariableIsSet("PETFORCE_KEYRING_TEST"))
        QSKIP("run by tst_escalationkeychain_keyring inside run-with-keyring.sh");
    {
        SecretStore writer(u"app.petforce.OpsConsole.test"_s);
        QSignalSpy written(&writer, &SecretStore::secretWritten);
        QSignalSpy failed(&writer, &SecretStore::failed);
        writer.writeSecret(QString::fromUtf16(PagerDutyClient::tokenKey), u"keyring-token"_s);
        QTRY_VERIFY_WITH_TIMEOUT(written.count() + failed.count() > 0, 30000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.constFirst().at(3).toString()));
    }
    FakeHttpServer server;
    server.enqueue({ 200, onCallsJson });
    SecretStore secrets(u"app.petforce.OpsConsole.test"_s); // a fresh store: the token comes from the keyring
    PagerDutyClient client(&secrets);
    client.setBaseUrl(server.url());
    client.setEscalationPolicyId(u"PABC123"_s);
    QSignalSpy changed(&client, &PagerDutyClient::onCallsChanged);
    client.refresh();
    QVERIFY2(changed.wait(30000), qPrintable(client.statusText()));
    QCOMPARE(client.onCalls().constFirst().user, u"Alice Primary"_s);
    QCOMPARE(server.requests().constFirst().headers.value("authorization"), "Token token=keyring-token");
    QVERIFY(!secrets.usesSessionFallback());
}

void TestEscalationKeychain::desktopNotificationOnSessionBus()
{
    DesktopNotifier notifier;
    if (!qEnvironmentVariableIsSet("PETFORCE_KEYRING_TEST")) {
        QVERIFY(!DesktopNotifier::sessionBusAvailable());
        QVERIFY(!notifier.notify(u"Escalate P0 incident now"_s, u"body"_s)); // the caller falls back
        return;
    }
    QDBusConnection bus = QDBusConnection::sessionBus();
    QVERIFY(bus.isConnected());
    // First with no notification server on the bus: the call fails later, and says so.
    QSignalSpy failed(&notifier, &DesktopNotifier::failed);
    QVERIFY(notifier.notify(u"t"_s, u"b"_s));
    QVERIFY(failed.wait(10000));

    FakeNotifications server;
    QVERIFY(bus.registerObject(u"/org/freedesktop/Notifications"_s, &server, QDBusConnection::ExportAllSlots));
    QVERIFY(bus.registerService(u"org.freedesktop.Notifications"_s));
    QSignalSpy shown(&notifier, &DesktopNotifier::shown);
    QVERIFY(notifier.notify(u"Escalate P0 incident now"_s, u"escalate to Engineering lead (Engrid) + CTO (Larry)"_s));
    QVERIFY(shown.wait(10000));
    QCOMPARE(server.received,
        QStringList { u"Escalate P0 incident now|escalate to Engineering lead (Engrid) + CTO (Larry)"_s });
    bus.unregisterService(u"org.freedesktop.Notifications"_s);
}

QTEST_GUILESS_MAIN(TestEscalationKeychain)
#include "tst_escalationkeychain.moc"
