// SPDX-License-Identifier: MIT
// The test support that other areas use to reach the sandbox from a Qt test.
#include "services/sandboxenvironment.h"
#include "support/sandboxenv.h"

#include <QFile>

#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;

class TestSandboxEnv : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void loadsConnectionVariables();
    void awsVariables();
    void envFileHoldsWhatEnvPrints();
};

void TestSandboxEnv::loadsConnectionVariables()
{
    QString why;
    const QMap<QString, QString> vars = SandboxEnv::load(&why);
    QVERIFY2(!vars.isEmpty(), qPrintable(why));
    for (const char* name :
        { "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "REDIS_HOST", "REDIS_PORT", "DATABASE_URL" }) {
        QVERIFY2(!vars.value(QString::fromLatin1(name)).isEmpty(), name);
        QCOMPARE(qEnvironmentVariable(name), vars.value(QString::fromLatin1(name)));
    }
    QCOMPARE(vars.value(u"PGHOST"_s), u"127.0.0.1"_s);
    QCOMPARE(vars.value(u"PETFORCE_IDLE_THRESHOLD"_s), u"10 seconds"_s); // quotes removed
    QString status;
    QCOMPARE(SandboxEnv::run({ u"status"_s }, &status), 0);
    QCOMPARE(SandboxEnv::awsOff(), vars.value(u"PETFORCE_SANDBOX_AWS_OFF"_s));
    QVERIFY(SandboxEnv::awsOff().isEmpty() || !vars.contains(u"AWS_ENDPOINT_URL"_s));
}

void TestSandboxEnv::awsVariables()
{
    qputenv("PETFORCE_SANDBOX_AWS_OFF", "stale, from another sandbox's env"); // unset by load() when AWS is on
    QString why;
    const QMap<QString, QString> vars = SandboxEnv::load(&why);
    QVERIFY2(!vars.isEmpty(), qPrintable(why));
    PETFORCE_SANDBOX_NEEDS_AWS();
    for (const char* name :
        { "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION" }) {
        QVERIFY2(!vars.value(QString::fromLatin1(name)).isEmpty(), name);
        QCOMPARE(qEnvironmentVariable(name), vars.value(QString::fromLatin1(name)));
    }
    QCOMPARE(QUrl(vars.value(u"AWS_ENDPOINT_URL"_s)).host(), u"127.0.0.1"_s);
}

void TestSandboxEnv::envFileHoldsWhatEnvPrints()
{
    // `up` writes <dir>/env.json, which a running console follows (SandboxEnvironment): the same values as `env`.
    QString why;
    const QMap<QString, QString> vars = SandboxEnv::load(&why);
    QVERIFY2(!vars.isEmpty(), qPrintable(why));
    QFile file(SandboxEnvironment::envFilePath(qEnvironmentVariable("PETFORCE_SANDBOX_DIR")));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    QCOMPARE(file.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    QString error;
    const std::optional<SandboxEnvironment::Values> values = SandboxEnvironment::parse(file.readAll(), &error);
    QVERIFY2(values, qPrintable(error));
    QCOMPARE(values->set, vars);
    QCOMPARE(values->unset,
        QStringList { SandboxEnv::awsOff().isEmpty() ? u"PETFORCE_SANDBOX_AWS_OFF"_s : u"AWS_ENDPOINT_URL"_s });
    QVERIFY(SandboxEnvironment::differences(*values).isEmpty()); // load() put them in this environment
}

QTEST_GUILESS_MAIN(TestSandboxEnv)
#include "tst_sandboxenv.moc"
