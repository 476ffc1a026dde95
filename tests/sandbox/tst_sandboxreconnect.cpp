// SPDX-License-Identifier: MIT
// Issue 16, finding 8: after `scripts/sandbox up --fresh` (new ports) the running console reconnects by itself.
// The sandbox's env file (<dir>/env.json, as scripts/sandbox writes it) first names ports nobody listens on — the
// old sandbox, gone — then is replaced (a rename, as sandbox.py does) by one naming a real PostgreSQL (the pgtest
// fixture's). The dashboards' PostgreSQL source and the DBA pane's session, built from the sandbox profile of the
// shipped environments.yaml through the console's environment, must answer again, and the message says how.
#include "models/environmentlistmodel.h"
#include "services/consoleservices.h"
#include "services/dbamonitor.h"
#include "services/environmentconfig.h"
#include "services/metricsservice.h"
#include "services/runbooklibrary.h"
#include "services/sandboxenvironment.h"
#include "ui/dbapane.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace Qt::StringLiterals;

class TestSandboxReconnect : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void restartOnNewPortsReconnects();
    void equalFileChangesNothing();

private:
    QMap<QString, QString> sandboxValues(const QString& pgPort, const QString& redisPort) const;
    bool writeEnvFile(const QMap<QString, QString>& set) const;

    QMap<QString, QString> m_pg;
    QTemporaryDir m_dir;
};

namespace {
// A loopback port nobody listens on (taken and released).
QString deadPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return {};
    return QString::number(server.serverPort());
}
} // namespace

void TestSandboxReconnect::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // no user environments.yaml: the shipped one, with its sandbox profile
    QVERIFY(!QFile::exists(EnvironmentConfig::userConfigPath()));
    const QString path = qEnvironmentVariable("PETFORCE_PGTEST_ENV");
    QFile f(path);
    if (path.isEmpty() || !f.open(QIODevice::ReadOnly))
        QSKIP("no test server: run through ctest (fixture pgtest) or set PETFORCE_PGTEST_ENV");
    for (const QString& line : QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts)) {
        const qsizetype eq = line.indexOf(u'=');
        if (eq > 0)
            m_pg.insert(line.left(eq), line.mid(eq + 1));
    }
    QVERIFY(m_pg.contains(u"PGPORT"_s));
    QVERIFY(m_dir.isValid());
}

QMap<QString, QString> TestSandboxReconnect::sandboxValues(const QString& pgPort, const QString& redisPort) const
{
    const QString user = m_pg.value(u"PGUSER"_s);
    const QString db = m_pg.value(u"PGDATABASE"_s);
    return {
        { u"PGHOST"_s, u"127.0.0.1"_s },
        { u"PGPORT"_s, pgPort },
        { u"PGUSER"_s, user },
        { u"PGPASSWORD"_s, m_pg.value(u"PGPASSWORD"_s) },
        { u"PGDATABASE"_s, db },
        { u"DATABASE_URL"_s, u"postgresql://%1@127.0.0.1:%2/%3"_s.arg(user, pgPort, db) },
        { u"REDIS_HOST"_s, u"127.0.0.1"_s },
        { u"REDIS_PORT"_s, redisPort },
        { u"PETFORCE_SANDBOX_AWS_OFF"_s, u"test: this sandbox has no AWS part"_s },
        { u"PETFORCE_SANDBOX_DIR"_s, m_dir.path() },
    };
}

// As sandbox.py's write_json: a temporary file renamed over env.json.
bool TestSandboxReconnect::writeEnvFile(const QMap<QString, QString>& set) const
{
    QJsonObject values;
    for (auto it = set.cbegin(); it != set.cend(); ++it)
        values.insert(it.key(), it.value());
    const QJsonObject doc { { u"set"_s, values }, { u"unset"_s, QJsonArray { u"AWS_ENDPOINT_URL"_s } } };
    const QString path = SandboxEnvironment::envFilePath(m_dir.path());
    QFile tmp(path + u".tmp"_s);
    if (!tmp.open(QIODevice::WriteOnly) || tmp.write(QJsonDocument(doc).toJson()) <= 0)
        return false;
    tmp.close();
    return std::rename(qPrintable(tmp.fileName()), qPrintable(path)) == 0;
}

void TestSandboxReconnect::restartOnNewPortsReconnects()
{
    // The console as scripts/run starts it: the (old) sandbox's values in its environment.
    const QString oldPg = deadPort(), oldRedis = deadPort(), newRedis = deadPort();
    const QMap<QString, QString> before = sandboxValues(oldPg, oldRedis);
    for (auto it = before.cbegin(); it != before.cend(); ++it)
        qputenv(it.key().toLocal8Bit().constData(), it.value().toLocal8Bit());
    qunsetenv("AWS_ENDPOINT_URL");
    QVERIFY(writeEnvFile(before));
    EnvironmentListModel environments;
    environments.setProfiles(EnvironmentConfig::loadDefault().profiles());
    QVERIFY(environments.setActive(u"sandbox"_s));

    RunbookLibrary runbooks;
    MetricsService metrics;
    QSignalSpy failed(&metrics, &MetricsService::sourceFailed);
    metrics.watch(&environments, &runbooks);
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 20000); // the old ports: nobody there
    QVERIFY(metrics.metric(u"connection_pool_usage"_s)->stale);

    ConsoleServices services;
    services.environments = &environments;
    DbaPane pane(services, [] { return qint64(0); });
    pane.setShown(true);
    QVERIFY(pane.monitor()->connectionOptions().conninfo.contains(u":"_s + oldPg + u"/"_s));
    QVERIFY(!pane.monitor()->isConnected());

    SandboxEnvironment sandbox(&environments, m_dir.path());
    QSignalSpy reloaded(&sandbox, &SandboxEnvironment::reloaded);
    QSignalSpy unavailable(&sandbox, &SandboxEnvironment::unavailable);
    connect(&metrics, &MetricsService::sourceFailed, &sandbox, &SandboxEnvironment::recheck);
    sandbox.start();

    // `scripts/sandbox up --fresh`: new ports, the file replaced.
    const QString newPg = m_pg.value(u"PGPORT"_s);
    QVERIFY(writeEnvFile(sandboxValues(newPg, newRedis)));
    QVERIFY(reloaded.wait(10000));
    QCOMPARE(reloaded.size(), 1);
    const QString message = reloaded.constFirst().at(0).toString();
    QVERIFY2(message.contains(u"PostgreSQL %1 \u2192 %2"_s.arg(oldPg, newPg)), qPrintable(message));
    QVERIFY2(message.contains(u"Redis %1 \u2192 %2"_s.arg(oldRedis, newRedis)), qPrintable(message));
    QVERIFY2(message.contains(u"use the new ports"_s), qPrintable(message));
    QCOMPARE(qEnvironmentVariable("PGPORT"), newPg);
    QCOMPARE(environments.activeName(), u"sandbox"_s);
    QCOMPARE(
        environments.profiles().value(environments.activeRow()).value(EnvironmentProfile::Field::RedisPort), newRedis);

    // The dashboards' PostgreSQL metrics answer again; the DBA pane's session is on the new port and connected.
    QTRY_VERIFY_WITH_TIMEOUT(!metrics.metric(u"connection_pool_usage"_s)->stale, 20000);
    QVERIFY(metrics.metric(u"connection_pool_usage"_s)->lastSampleMs > 0);
    QVERIFY(pane.monitor()->connectionOptions().conninfo.contains(u":"_s + newPg + u"/"_s));
    QTRY_VERIFY_WITH_TIMEOUT(pane.monitor()->isConnected(), 20000);

    // `scripts/sandbox down`: the file goes, and the console says how to get the sandbox back — once.
    QVERIFY(QFile::remove(SandboxEnvironment::envFilePath(m_dir.path())));
    QTRY_COMPARE_WITH_TIMEOUT(unavailable.size(), 1, 10000);
    QVERIFY2(unavailable.constFirst().at(0).toString().contains(u"scripts/sandbox up"_s),
        qPrintable(unavailable.constFirst().at(0).toString()));
    sandbox.recheck();
    QTest::qWait(600);
    QCOMPARE(unavailable.size(), 1);
    QCOMPARE(reloaded.size(), 1);
}

void TestSandboxReconnect::equalFileChangesNothing()
{
    // The file rewritten with what the console already has (`scripts/sandbox up` on a running sandbox): no reload.
    const QMap<QString, QString> now = sandboxValues(m_pg.value(u"PGPORT"_s), deadPort());
    for (auto it = now.cbegin(); it != now.cend(); ++it)
        qputenv(it.key().toLocal8Bit().constData(), it.value().toLocal8Bit());
    qunsetenv("AWS_ENDPOINT_URL");
    QVERIFY(writeEnvFile(now));
    EnvironmentListModel environments;
    environments.setProfiles(EnvironmentConfig::loadDefault().profiles());
    QVERIFY(environments.setActive(u"sandbox"_s));
    QSignalSpy reset(&environments, &QAbstractItemModel::modelReset);
    SandboxEnvironment sandbox(&environments, m_dir.path());
    QSignalSpy reloaded(&sandbox, &SandboxEnvironment::reloaded);
    sandbox.start();
    QVERIFY(writeEnvFile(now));
    QTest::qWait(1000);
    QCOMPARE(reloaded.size(), 0);
    QCOMPARE(reset.size(), 0);
    QVERIFY(SandboxEnvironment::differences(*SandboxEnvironment::parse([&] {
        QFile f(SandboxEnvironment::envFilePath(m_dir.path()));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }()))
                .isEmpty());
}

QTEST_MAIN(TestSandboxReconnect)
#include "tst_sandboxreconnect.moc"
