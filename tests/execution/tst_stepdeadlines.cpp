// SPDX-License-Identifier: MIT
// Hangs and labels (issue 15, finding 5): a redis-cli step against a frozen or stopped Redis ends within its
// deadline; a write step that ends without an answer is "outcome unknown", a read one "timed out"; the AWS CLI's
// exit codes are explained; an aws step whose JSON answer is cut short fails even with exit 0. A real
// redis-server the test starts, and a fake `aws` first on PATH.
#include "executortestsupport.h"
#include "support/sandboxenv.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace ExecutorTest;

class TestStepDeadlines : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void defaults();
    void frozenRedisEndsAtDeadline_data();
    void frozenRedisEndsAtDeadline();
    void frozenRedisStopsFlushAtAssessment();
    void stoppedRedisFailsAtOnce();
    void awsWithoutAnswer_data();
    void awsWithoutAnswer();
    void awsExitCodesExplained_data();
    void awsExitCodesExplained();
    void jsonAnswerChecked_data();
    void jsonAnswerChecked();
    void sqlWithoutAnswer_data();
    void sqlWithoutAnswer();
    void cleanupTestCase();

private:
    void fakeAws(const QByteArray& body);
    Outcome run(const RunbookStep& step, const StepDeadlines& deadlines = {});

    QTemporaryDir m_dir;
    QProcess m_redis;
    quint16 m_port = 0;
    EnvironmentProfile m_profile { u"test"_s };
    QByteArray m_path;
};

void TestStepDeadlines::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir().mkpath(m_dir.filePath(u"bin"_s)));
    m_path = qgetenv("PATH");
    qputenv("PATH", QFile::encodeName(m_dir.filePath(u"bin"_s)) + ':' + m_path);
    m_port = freePort();
    QVERIFY(m_port > 0);
    m_redis.setProgram(u"redis-server"_s);
    m_redis.setArguments({ u"--port"_s, QString::number(m_port), u"--bind"_s, u"127.0.0.1"_s, u"--save"_s, u""_s,
        u"--appendonly"_s, u"no"_s, u"--dir"_s, m_dir.path() });
    m_redis.start();
    QVERIFY2(m_redis.waitForStarted(10000), qPrintable(m_redis.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(
        [this] {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, m_port);
            return s.waitForConnected(200);
        }(),
        10000);
    m_profile.setValue(EnvironmentProfile::Field::RedisHost, u"127.0.0.1"_s);
    m_profile.setValue(EnvironmentProfile::Field::RedisPort, QString::number(m_port));
    m_profile.setValue(EnvironmentProfile::Field::Cluster, u"petforce-production"_s);
}

void TestStepDeadlines::cleanupTestCase()
{
    qputenv("PATH", m_path);
    if (m_redis.state() != QProcess::NotRunning) {
        ::kill(pid_t(m_redis.processId()), SIGCONT);
        m_redis.terminate();
        m_redis.waitForFinished(10000);
    }
}

void TestStepDeadlines::fakeAws(const QByteArray& body)
{
    QFile f(m_dir.filePath(u"bin/aws"_s));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("#!/bin/sh\n" + body + '\n');
    f.close();
    QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
}

Outcome TestStepDeadlines::run(const RunbookStep& step, const StepDeadlines& deadlines)
{
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_dir.filePath(u"runs"_s));
    executor.setDeadlines(deadlines);
    return runStep(executor, { step, m_profile, {}, 0, u"test"_s }, 60000);
}

void TestStepDeadlines::defaults()
{
    const StepDeadlines d;
    QCOMPARE(d.redisMs, 30000);
    QCOMPARE(d.shellMs, 10 * 60 * 1000);
    QCOMPARE(d.sqlStatementMs, 60000);
    QCOMPARE(d.sqlClientMs, 90000);
    QCOMPARE(AwsCliOptions().wallClockS, 180);
    // The PONG of the running server: the steps below reach it.
    const Outcome out = run(handMadeStep(StepKind::Redis, StepRisk::Read, u"redis-cli PING"_s, u"redis"_s));
    QVERIFY2(out.outcome.status == u"ok"_s, qPrintable(out.outcome.error + out.failure));
    QCOMPARE(out.process.out.tail.trimmed(), QByteArray("PONG"));
}

// The server stops answering (SIGSTOP: the kernel still accepts connections): redis-cli would wait for ever.
void TestStepDeadlines::frozenRedisEndsAtDeadline_data()
{
    QTest::addColumn<RunbookStep>("step");
    QTest::addColumn<QString>("status");
    QTest::newRow("read GET") << handMadeStep(StepKind::Redis, StepRisk::Read, u"redis-cli GET household:1"_s,
        u"redis"_s) << u"timed out"_s;
    QTest::newRow("write SET") << handMadeStep(
        StepKind::Redis, StepRisk::Write, u"redis-cli SET rate_limit_override:192.0.2.1 10"_s, u"redis"_s)
                               << u"outcome unknown"_s;
    QTest::newRow("destructive DEL") << handMadeStep(
        StepKind::Redis, StepRisk::Destructive, u"redis-cli DEL rate_limit:192.0.2.1"_s, u"redis"_s)
                                     << u"outcome unknown"_s;
}

// FLUSHDB reads DBSIZE first (its confirmation shows it): a frozen server stops it there, within the deadline.
void TestStepDeadlines::frozenRedisStopsFlushAtAssessment()
{
    QVERIFY(::kill(pid_t(m_redis.processId()), SIGSTOP) == 0);
    StepDeadlines d;
    d.redisMs = 1500;
    QElapsedTimer t;
    t.start();
    const Outcome out
        = run(handMadeStep(StepKind::Redis, StepRisk::Destructive, u"redis-cli FLUSHDB"_s, u"redis"_s), d);
    const qint64 took = t.elapsed();
    QVERIFY(::kill(pid_t(m_redis.processId()), SIGCONT) == 0);
    QVERIFY2(out.failure.contains(u"nothing ran"_s), qPrintable(out.failure + out.outcome.status));
    QVERIFY2(took >= 1500 && took < 1500 + 4000, qPrintable(QString::number(took)));
}

void TestStepDeadlines::frozenRedisEndsAtDeadline()
{
    QFETCH(RunbookStep, step);
    QFETCH(QString, status);
    QVERIFY(::kill(pid_t(m_redis.processId()), SIGSTOP) == 0);
    StepDeadlines d;
    d.redisMs = 1500;
    QElapsedTimer t;
    t.start();
    const Outcome out = run(step, d);
    const qint64 took = t.elapsed();
    QVERIFY(::kill(pid_t(m_redis.processId()), SIGCONT) == 0);
    QVERIFY2(out.failure.isEmpty(), qPrintable(out.failure));
    QCOMPARE(out.outcome.status, status);
    QVERIFY2(took >= 1500 && took < 1500 + 4000, qPrintable(QString::number(took)));
    QVERIFY(out.process.timedOut);
    if (step.risk == StepRisk::Read) {
        QVERIFY2(out.outcome.error.contains(u"no answer within 1.5 s"_s), qPrintable(out.outcome.error));
        QVERIFY(!out.outcome.error.contains(u"unknown"_s));
    } else {
        QVERIFY2(out.outcome.error.startsWith(u"Outcome unknown — check before running it again"_s),
            qPrintable(out.outcome.error));
        QVERIFY(out.outcome.error.contains(u"no answer within 1.5 s"_s));
    }
    qInfo("%s ended after %lld ms: %s", QTest::currentDataTag(), took, qPrintable(out.outcome.status));
}

// A stopped server refuses the connection: the step fails at once and says why.
void TestStepDeadlines::stoppedRedisFailsAtOnce()
{
    m_redis.terminate();
    QVERIFY(m_redis.waitForFinished(10000));
    QElapsedTimer t;
    t.start();
    const Outcome out = run(handMadeStep(StepKind::Redis, StepRisk::Write, u"redis-cli SET a b"_s, u"redis"_s));
    QCOMPARE(out.outcome.status, u"failed"_s);
    QVERIFY2(out.outcome.error.contains(u"Connection refused"_s), qPrintable(out.outcome.error));
    QVERIFY(t.elapsed() < 10000);
}

void TestStepDeadlines::awsWithoutAnswer_data()
{
    QTest::addColumn<RunbookStep>("step");
    QTest::addColumn<QString>("status");
    QTest::newRow("read describe-services") << handMadeStep(
        StepKind::Aws, StepRisk::Read, u"aws ecs describe-services --cluster petforce-production"_s, u"aws"_s)
                                            << u"timed out"_s;
    QTest::newRow("write update-service") << handMadeStep(StepKind::Aws, StepRisk::Write,
        u"aws ecs update-service --cluster petforce-production --service api --force-new-deployment"_s, u"aws"_s)
                                          << u"outcome unknown"_s;
}

// The CLI never answers (a request hanging past its read timeout, retried): the wall-clock limit ends it.
void TestStepDeadlines::awsWithoutAnswer()
{
    QFETCH(RunbookStep, step);
    QFETCH(QString, status);
    fakeAws("exec sleep 300");
    StepDeadlines d;
    d.awsMs = 1000;
    const Outcome out = run(step, d);
    QCOMPARE(out.outcome.status, status);
    if (status == u"outcome unknown")
        QVERIFY2(out.outcome.error.contains(u"check before running it again"_s), qPrintable(out.outcome.error));
    else
        QVERIFY2(out.outcome.error.contains(u"no answer within 1 s"_s), qPrintable(out.outcome.error));
}

void TestStepDeadlines::awsExitCodesExplained_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("meaning");
    QTest::newRow("252") << 252 << u"command syntax"_s;
    QTest::newRow("253") << 253 << u"configuration or credentials"_s;
    QTest::newRow("254") << 254 << u"service error: the request reached AWS and failed"_s;
    QTest::newRow("130") << 130 << u"interrupted (SIGINT)"_s;
    QTest::newRow("255") << 255 << u"other error"_s;
    QTest::newRow("1") << 1 << QString();
}

void TestStepDeadlines::awsExitCodesExplained()
{
    QFETCH(int, code);
    QFETCH(QString, meaning);
    fakeAws("echo 'An error occurred (fake) when calling the Thing operation' >&2\nexit " + QByteArray::number(code));
    const Outcome out = run(handMadeStep(
        StepKind::Aws, StepRisk::Read, u"aws ecs describe-services --cluster petforce-production"_s, u"aws"_s));
    QCOMPARE(out.outcome.status, u"failed"_s);
    QCOMPARE(out.outcome.exitCode, code);
    QVERIFY2(out.outcome.error.startsWith(u"exit %1"_s.arg(code)), qPrintable(out.outcome.error));
    QVERIFY2(out.outcome.error.contains(u"An error occurred (fake)"_s), qPrintable(out.outcome.error));
    if (meaning.isEmpty())
        QCOMPARE(out.outcome.error.section(u'\n', 0, 0), u"exit 1"_s);
    else
        QVERIFY2(out.outcome.error.contains(u"exit %1 (%2"_s.arg(code).arg(meaning)), qPrintable(out.outcome.error));
    QCOMPARE(StepExecutor::awsExitMeaning(code).isEmpty(), meaning.isEmpty());
}

void TestStepDeadlines::jsonAnswerChecked_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("status");
    const QString describe = u"aws ecs describe-services --cluster petforce-production"_s;
    const QByteArray whole = R"({"services": [{"serviceName": "api", "desiredCount": 2}], "failures": []})";
    const QByteArray cut = R"({"services": [{"serviceName": "api", "desiredCou)";
    QTest::newRow("whole, default output") << describe << whole << u"ok"_s;
    QTest::newRow("cut, default output") << describe << cut << u"failed"_s;
    QTest::newRow("cut, --output json") << describe + u" --output json"_s << cut << u"failed"_s;
    QTest::newRow("text, --output json") << describe + u" --output json"_s << QByteArray("api\t2") << u"failed"_s;
    QTest::newRow("scalar, --output json")
        << describe + u" --output json --query services[0].serviceName"_s << QByteArray("\"api\"") << u"ok"_s;
    QTest::newRow("text, --output text") << describe + u" --output text"_s << QByteArray("{api\t2") << u"ok"_s;
    QTest::newRow("text, default output") << describe << QByteArray("SERVICES\tapi\t2") << u"ok"_s;
    QTest::newRow("empty") << describe << QByteArray() << u"ok"_s;
    QTest::newRow("piped to head") << describe + u" | head -c 20"_s << whole << u"ok"_s;
}

// Exit 0 is not enough: an answer that promised JSON must parse.
void TestStepDeadlines::jsonAnswerChecked()
{
    QFETCH(QString, command);
    QFETCH(QByteArray, answer);
    QFETCH(QString, status);
    QFile a(m_dir.filePath(u"answer.json"_s));
    QVERIFY(a.open(QIODevice::WriteOnly | QIODevice::Truncate));
    a.write(answer + (answer.isEmpty() ? "" : "\n"));
    a.close();
    fakeAws("cat '" + QFile::encodeName(a.fileName()) + "'");
    const Outcome out = run(handMadeStep(StepKind::Aws, StepRisk::Read, command, u"aws"_s));
    QCOMPARE(out.process.exitCode, 0);
    QVERIFY2(out.outcome.status == status, qPrintable(out.outcome.status + u": "_s + out.outcome.error));
    if (status == u"failed")
        QVERIFY2(out.outcome.error.startsWith(u"the answer was not valid JSON"_s), qPrintable(out.outcome.error));
}

void TestStepDeadlines::sqlWithoutAnswer_data()
{
    QTest::addColumn<int>("risk");
    QTest::addColumn<QString>("status");
    QTest::newRow("read") << int(StepRisk::Read) << u"timed out"_s;
    QTest::newRow("write") << int(StepRisk::Write) << u"outcome unknown"_s;
}

// The server holds the answer past the client deadline (PQcancel then): a write's effect is not known.
void TestStepDeadlines::sqlWithoutAnswer()
{
    QFETCH(int, risk);
    QFETCH(QString, status);
    QString why;
    if (SandboxEnv::load(&why).isEmpty())
        QSKIP(qPrintable(why));
    RunbookStep step;
    step.kind = StepKind::Sql;
    step.risk = StepRisk(risk);
    step.title = u"slow"_s;
    step.text = u"SELECT pg_sleep(20);"_s;
    step.language = u"sql"_s;
    StepDeadlines d;
    d.sqlClientMs = 1000;
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_dir.filePath(u"runs"_s));
    executor.setDeadlines(d);
    QElapsedTimer t;
    t.start();
    const Outcome out = runStep(executor, { step, sandboxProfile(), {}, 0, u"test"_s });
    QVERIFY2(out.failure.isEmpty(), qPrintable(out.failure));
    QCOMPARE(out.outcome.status, status);
    QVERIFY(t.elapsed() < 15000);
    if (StepRisk(risk) != StepRisk::Read)
        QVERIFY2(out.outcome.error.startsWith(u"Outcome unknown — check before running it again: timed out"_s),
            qPrintable(out.outcome.error));
}

QTEST_GUILESS_MAIN(TestStepDeadlines)
#include "tst_stepdeadlines.moc"
