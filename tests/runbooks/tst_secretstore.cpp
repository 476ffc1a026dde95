// SPDX-License-Identifier: MIT
#include "services/secretstore.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

// Run twice by CTest: tst_secretstore with no session bus at all (noSecretService), and tst_secretstore_keyring
// inside run-with-keyring.sh with a real gnome-keyring-daemon (roundTripInKeyring).
class TestSecretStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void noSecretService();
    void sessionFallbackAfterError();
    void roundTripInKeyring();
};

void TestSecretStore::noSecretService()
{
    if (qEnvironmentVariableIsSet("PETFORCE_KEYRING_TEST"))
        QSKIP("a keyring is running in this session");
    SecretStore store(u"app.petforce.OpsConsole.test"_s);
    QSignalSpy failed(&store, &SecretStore::failed);
    QSignalSpy read(&store, &SecretStore::secretRead);
    const quint64 id = store.readSecret(u"petforce/sandbox/database"_s);
    QVERIFY(failed.wait(30000));
    QCOMPARE(read.count(), 0);
    QCOMPARE(failed.constFirst().at(0).value<quint64>(), id);
    const auto error = failed.constFirst().at(2).value<SecretStore::Error>();
    const QString message = failed.constFirst().at(3).toString();
    QVERIFY2(error == SecretStore::Error::NoBackend, qPrintable(message));
    QVERIFY2(message.contains(u"No keychain is available"_s), qPrintable(message));
    QVERIFY(message.contains(u"never stores secrets in plain text"_s));

    // A write fails the same way and leaves nothing behind in plain text.
    QSignalSpy written(&store, &SecretStore::secretWritten);
    store.writeSecret(u"petforce/sandbox/database"_s, u"s3cret"_s);
    QVERIFY(failed.wait(30000));
    QCOMPARE(written.count(), 0);
    QCOMPARE(failed.constLast().at(2).value<SecretStore::Error>(), SecretStore::Error::NoBackend);
}

void TestSecretStore::sessionFallbackAfterError()
{
    if (qEnvironmentVariableIsSet("PETFORCE_KEYRING_TEST"))
        QSKIP("a keyring is running in this session");
    SecretStore store(u"app.petforce.OpsConsole.test"_s);
    QVERIFY(!store.usesSessionFallback());
    store.useSessionFallback(); // the operator agreed after the error above
    QSignalSpy read(&store, &SecretStore::secretRead);
    QSignalSpy written(&store, &SecretStore::secretWritten);
    QSignalSpy removed(&store, &SecretStore::secretRemoved);
    QSignalSpy failed(&store, &SecretStore::failed);
    store.writeSecret(u"k"_s, u"v"_s);
    QCOMPARE(written.count(), 0); // asynchronous, like the keychain
    QVERIFY(written.wait(5000));
    const quint64 id = store.readSecret(u"k"_s);
    QVERIFY(read.wait(5000));
    QCOMPARE(read.constFirst().at(0).value<quint64>(), id);
    QCOMPARE(read.constFirst().at(2).toString(), u"v"_s);
    store.removeSecret(u"k"_s);
    QVERIFY(removed.wait(5000));
    store.readSecret(u"k"_s);
    QVERIFY(failed.wait(5000));
    QCOMPARE(failed.constFirst().at(2).value<SecretStore::Error>(), SecretStore::Error::NotFound);
}

void TestSecretStore::roundTripInKeyring()
{
    if (!qEnvironmentVariableIsSet("PETFORCE_KEYRING_TEST"))
        QSKIP("run by tst_secretstore_keyring inside run-with-keyring.sh");
    SecretStore store(u"app.petforce.OpsConsole.test"_s);
    QSignalSpy read(&store, &SecretStore::secretRead);
    QSignalSpy written(&store, &SecretStore::secretWritten);
    QSignalSpy removed(&store, &SecretStore::secretRemoved);
    QSignalSpy failed(&store, &SecretStore::failed);
    const QString key = u"petforce/sandbox/database"_s;
    const QString secret = u"p\u00e4ss w\"ord;$(id)"_s;

    store.writeSecret(key, secret);
    QVERIFY(written.wait(30000) || !failed.isEmpty());
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.constFirst().at(3).toString()));

    const quint64 id = store.readSecret(key);
    QVERIFY(read.wait(30000) || !failed.isEmpty());
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.constFirst().at(3).toString()));
    QCOMPARE(read.constFirst().at(0).value<quint64>(), id);
    QCOMPARE(read.constFirst().at(1).toString(), key);
    QCOMPARE(read.constFirst().at(2).toString(), secret);

    store.removeSecret(key);
    QVERIFY(removed.wait(30000) || !failed.isEmpty());
    QVERIFY(failed.isEmpty());

    store.readSecret(key);
    QVERIFY(failed.wait(30000));
    QCOMPARE(failed.constFirst().at(2).value<SecretStore::Error>(), SecretStore::Error::NotFound);
}

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
