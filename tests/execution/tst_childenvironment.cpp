// SPDX-License-Identifier: MIT
// Children get only what they need (issue 15, finding 6): every step's child environment holds nothing outside the
// allow list, the profile's variables, the step's values and the one secret its kind needs; canary secrets in the
// console's environment (and the sandbox's PGPASSWORD and password-bearing DATABASE_URL) never reach the other
// kinds. psql steps run under the sandbox profile. Each child dumps /proc/self/environ.
#include "executortestsupport.h"
#include "services/commandspec.h"
#include "support/sandboxenv.h"

#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace ExecutorTest;

namespace {
const QByteArray Marker = "\n--petforce-environ--\n";
const QByteArray Dump = "printf '\\n--petforce-environ--\\n'; cat /proc/self/environ";

QMap<QString, QString> environOf(const QByteArray& stdoutBytes)
{
    QMap<QString, QString> env;
    const qsizetype at = stdoutBytes.indexOf(Marker);
    if (at < 0)
        return env;
    for (const QByteArray& entry : stdoutBytes.mid(at + Marker.size()).split('\0')) {
        const qsizetype eq = entry.indexOf('=');
        if (eq > 0)
            env.insert(QString::fromUtf8(entry.left(eq)), QString::fromUtf8(entry.mid(eq + 1)));
    }
    return env;
}
} // namespace

class TestChildEnvironment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void onlyTheAllowList_data();
    void onlyTheAllowList();
    void psqlRunsUnderSandboxProfile_data();
    void psqlRunsUnderSandboxProfile();
    void awsStillReachesTheSandbox();
    void cleanupTestCase();

private:
    void fake(const QString& name);

    QMap<QString, QString> m_env;
    EnvironmentProfile m_profile; // the shipped sandbox profile: url_env DATABASE_URL, password_env PGPASSWORD
    EnvironmentProfile m_ownPassword; // the same with password_env PETFORCE_TEST_DB_PASSWORD
    QTemporaryDir m_dir;
    QByteArray m_path;
    const QString m_canary = u"canary-%1-do-not-leak"_s.arg(QCoreApplication::applicationPid());
};

void TestChildEnvironment::initTestCase()
{
    QString why;
    m_env = SandboxEnv::load(&why);
    if (m_env.isEmpty())
        QSKIP(qPrintable(why));
    m_profile = sandboxProfile();
    QVERIFY2(m_profile.validationError().isEmpty(), qPrintable(m_profile.validationError()));
    QCOMPARE(m_profile.passwordEnv(), u"PGPASSWORD"_s);
    QVERIFY(!m_env.value(u"PGPASSWORD"_s).isEmpty());
    QVERIFY(!QUrl(m_env.value(u"DATABASE_URL"_s)).password().isEmpty()); // the sandbox's URL holds the password
    m_ownPassword = m_profile;
    m_ownPassword.setPasswordEnv(u"PETFORCE_TEST_DB_PASSWORD"_s);
    // Secrets in the console's own environment.
    qputenv("PETFORCE_CANARY_SECRET", m_canary.toUtf8());
    qputenv("PETFORCE_TEST_DB_PASSWORD", m_env.value(u"PGPASSWORD"_s).toUtf8());
    qputenv("GITHUB_TOKEN", m_canary.toUtf8());
    qputenv("REDISCLI_AUTH", "redis-canary");
    if (qEnvironmentVariableIsEmpty("AWS_SECRET_ACCESS_KEY"))
        qputenv("AWS_SECRET_ACCESS_KEY", "aws-canary"); // the sandbox without its AWS part exports none
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir().mkpath(m_dir.filePath(u"bin"_s)));
    for (const QString& name : { u"aws"_s, u"redis-cli"_s, u"gh"_s })
        fake(name);
    m_path = qgetenv("PATH");
}

void TestChildEnvironment::cleanupTestCase()
{
    qunsetenv("PETFORCE_CANARY_SECRET");
    qunsetenv("REDISCLI_AUTH");
    qunsetenv("GITHUB_TOKEN");
}

// A stand-in that dumps its environment: what the real program would have seen.
void TestChildEnvironment::fake(const QString& name)
{
    QFile f(m_dir.filePath(u"bin/"_s + name));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("#!/bin/sh\n" + Dump + "\n");
    f.close();
    QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
}

void TestChildEnvironment::onlyTheAllowList_data()
{
    QTest::addColumn<RunbookStep>("step");
    QTest::addColumn<bool>("ownPassword");
    QTest::addColumn<QStringList>("secrets"); // the console's secrets this kind gets
    const QStringList aws = CommandSpec::awsCredentialNames();
    const RunbookStep* psql = nullptr;
    for (const Runbook& r : seed().runbooks) {
        for (const RunbookStep* s : r.allSteps()) {
            if (!psql && s->kind == StepKind::Psql && !s->text.contains(u"<<"_s))
                psql = s;
        }
    }
    QVERIFY(psql);
    RunbookStep psqlDump = *psql;
    psqlDump.text += u"\n"_s + QString::fromUtf8(Dump);
    for (bool own : { false, true }) {
        const char* p = own ? "password_env PETFORCE_TEST_DB_PASSWORD" : "password_env PGPASSWORD";
        QTest::addRow("shell, %s", p) << handMadeStep(StepKind::Shell, StepRisk::Read, QString::fromUtf8(Dump), {})
                                      << own << QStringList();
        QTest::addRow("aws, %s", p) << handMadeStep(StepKind::Aws, StepRisk::Read, u"aws sts get-caller-identity"_s,
            u"aws"_s) << own << aws;
        QTest::addRow("redis-cli, %s", p) << handMadeStep(StepKind::Redis, StepRisk::Read, u"redis-cli PING"_s,
            u"redis"_s) << own << QStringList { u"REDISCLI_AUTH"_s };
        QTest::addRow("gh, %s", p) << handMadeStep(StepKind::Gh, StepRisk::Read, u"gh run list"_s, {}) << own
                                   << QStringList();
        QTest::addRow("psql, %s", p) << psqlDump << own << QStringList { u"PGPASSWORD"_s };
    }
}

void TestChildEnvironment::onlyTheAllowList()
{
    QFETCH(RunbookStep, step);
    QFETCH(bool, ownPassword);
    QFETCH(QStringList, secrets);
    EnvironmentProfile profile = ownPassword ? m_ownPassword : m_profile;
    profile.setAwsOff({}); // the stand-in aws answers even when the sandbox runs without its AWS part
    qputenv("PATH", QFile::encodeName(m_dir.filePath(u"bin"_s)) + ':' + m_path);
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_dir.filePath(u"runs"_s));
    const Outcome out = runStep(executor, { step, profile, {}, 0, u"test"_s });
    qputenv("PATH", m_path);
    QVERIFY2(out.outcome.status == u"ok"_s, qPrintable(out.failure + out.outcome.status + u": "_s + out.outcome.error));
    const QMap<QString, QString> env = environOf(out.process.out.tail);
    QVERIFY2(env.contains(u"PATH"_s) && env.contains(u"HOME"_s), out.process.out.tail.constData());

    QSet<QString> allowed { u"PWD"_s, u"SHLVL"_s, u"_"_s, u"OLDPWD"_s }; // bash's own
    for (const QString& name : executor.prepared().environment.keys())
        allowed.insert(name); // the profile's variables and the step's values
    for (const QString& name : AwsCliOptions().shellEnvironment().keys())
        allowed.insert(name); // the console's own CLI settings (timeouts, pager off)
    if (step.kind == StepKind::Psql)
        allowed += QSet<QString> { u"PGCONNECT_TIMEOUT"_s, u"PGOPTIONS"_s };
    for (const QString& name : secrets)
        allowed.insert(name);
    QStringList outside;
    for (auto it = env.cbegin(); it != env.cend(); ++it) {
        if (!CommandSpec::isInherited(it.key()) && !allowed.contains(it.key()))
            outside.append(it.key());
    }
    QVERIFY2(outside.isEmpty(), qPrintable(u"outside the allow list: "_s + outside.join(u", "_s)));

    // The canaries: never, in any variable.
    const QString password = m_env.value(u"PGPASSWORD"_s);
    for (auto it = env.cbegin(); it != env.cend(); ++it) {
        QVERIFY2(!it.value().contains(m_canary), qPrintable(it.key()));
        QVERIFY2(!it.value().contains(u':' + password + u'@'), qPrintable(it.key())); // a URL with the password
    }
    QVERIFY(!env.contains(u"PETFORCE_TEST_DB_PASSWORD"_s));
    QVERIFY(!env.contains(u"PETFORCE_CANARY_SECRET"_s));
    QVERIFY(!env.contains(u"GITHUB_TOKEN"_s));
    QVERIFY(!env.contains(u"PGHOST"_s) && !env.contains(u"PETFORCE_SANDBOX_DBA_URL"_s));
    // The one secret of the kind: PGPASSWORD for psql only (whichever variable the profile names), REDISCLI_AUTH for
    // redis-cli only, the AWS keys for aws only.
    QCOMPARE(env.value(u"PGPASSWORD"_s), step.kind == StepKind::Psql ? password : QString());
    QCOMPARE(env.contains(u"REDISCLI_AUTH"_s), step.kind == StepKind::Redis);
    QCOMPARE(env.contains(u"AWS_SECRET_ACCESS_KEY"_s), step.kind == StepKind::Aws);
    if (env.contains(u"DATABASE_URL"_s))
        QVERIFY(QUrl(env.value(u"DATABASE_URL"_s)).password().isEmpty());
}

void TestChildEnvironment::psqlRunsUnderSandboxProfile_data()
{
    QTest::addColumn<bool>("ownPassword");
    QTest::newRow("password_env PGPASSWORD") << false;
    QTest::newRow("password_env PETFORCE_TEST_DB_PASSWORD") << true;
}

// The seed's psql steps under the shipped sandbox profile (its URL from DATABASE_URL, no field to fill in): they
// connect with the URL without its password, the password as PGPASSWORD.
void TestChildEnvironment::psqlRunsUnderSandboxProfile()
{
    QFETCH(bool, ownPassword);
    const EnvironmentProfile& profile = ownPassword ? m_ownPassword : m_profile;
    int ran = 0;
    for (const Runbook& r : seed().runbooks) {
        for (const RunbookStep* s : r.allSteps()) {
            if (s->kind != StepKind::Psql || s->risk != StepRisk::Read || !s->text.contains(u"count("_s))
                continue;
            StepExecutor executor(nullptr, nullptr);
            executor.setRunsFolder(m_dir.filePath(u"runs"_s));
            const Outcome out = runStep(executor, { *s, profile, {}, 0, u"test"_s });
            const QString shown = executor.prepared().displayText;
            QVERIFY2(out.failure.isEmpty(), qPrintable(s->title + u": "_s + out.failure));
            QVERIFY2(out.outcome.status == u"ok"_s,
                qPrintable(shown + u"\n→ "_s + out.outcome.status + u": "_s + out.outcome.error));
            QVERIFY2(out.process.out.tail.contains("count"), out.process.out.tail.constData());
            QVERIFY(!shown.contains(m_env.value(u"PGPASSWORD"_s) + u'@'));
            const QString url = executor.prepared().environment.value(u"DATABASE_URL"_s);
            QVERIFY2(url.startsWith(u"postgresql://"_s) && QUrl(url).password().isEmpty(), qPrintable(url));
            ++ran;
        }
    }
    QVERIFY(ran >= 2);
}

// The aws CLI still authenticates (the credential variables reach aws steps and the console's own aws reads).
void TestChildEnvironment::awsStillReachesTheSandbox()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_dir.filePath(u"runs"_s));
    const Outcome out = runStep(executor,
        { handMadeStep(StepKind::Aws, StepRisk::Read, u"aws ecs list-clusters"_s, u"aws"_s), m_profile, {}, 0, {} });
    QVERIFY2(out.outcome.status == u"ok"_s, qPrintable(out.outcome.error + out.failure));
    QVERIFY2(out.process.out.tail.contains("petforce-production"), out.process.out.tail.constData());
}

QTEST_GUILESS_MAIN(TestChildEnvironment)
#include "tst_childenvironment.moc"
