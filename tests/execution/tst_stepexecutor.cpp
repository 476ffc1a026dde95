// SPDX-License-Identifier: MIT
// The step executor against the sandbox's real servers: the seed's AWS commands through the real aws CLI and
// moto, SQL through libpq, and the faults (missing binary, a hanging group, hostile values).
#include "executortestsupport.h"
#include "support/sandboxenv.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace ExecutorTest;

namespace {
bool groupAlive(qint64 pgid) { return pgid > 0 && ::kill(-pid_t(pgid), 0) == 0; }

// A step made by hand: text with one span.
RunbookStep handStep(StepKind kind, const QString& text, const QString& marked, StepSpan::Kind spanKind,
    const QString& key, TextQuoting quoting)
{
    RunbookStep s;
    s.kind = kind;
    s.risk = StepRisk::Read;
    s.title = u"hand-made"_s;
    s.text = text;
    s.language = kind == StepKind::Sql ? u"sql"_s : u"bash"_s;
    StepSpan span;
    span.kind = spanKind;
    span.start = text.indexOf(marked);
    span.length = marked.size();
    span.key = key;
    span.quoting = quoting;
    s.spans.append(span);
    return s;
}
} // namespace

class TestStepExecutor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void countQuery();
    void seedAwsCommands_data();
    void seedAwsCommands();
    void rebootCacheClusterFails();
    void seedSqlDiagnosis();
    void awsMissing();
    void hangingGroupStopped();
    void hostileValueStaysLiteral();
    void hostileValueBoundInSql();
    void logsTailFollowsWithCliV1();
    void interactiveOpensTerminal();
    void cleanupTestCase();

private:
    QMap<QString, QString> m_env;
    EnvironmentProfile m_profile;
    QTemporaryDir m_runs;
};

void TestStepExecutor::initTestCase()
{
    QString why;
    m_env = SandboxEnv::load(&why);
    if (m_env.isEmpty())
        QSKIP(qPrintable(why));
    m_profile = sandboxProfile();
    QVERIFY2(m_profile.validationError().isEmpty(), qPrintable(m_profile.validationError()));
    QVERIFY(!seed().runbooks.isEmpty());
}

void TestStepExecutor::countQuery()
{
    const RunbookStep* kill = runbook(u"Database Connection Pool Exhausted"_s)->step(u"resolution/0/1");
    QVERIFY(kill);
    const QString count = StepExecutor::countQuery(kill->text);
    QCOMPARE(count,
        u"SELECT count(*) FROM pg_stat_activity\nWHERE state = 'idle'\n  AND now() - state_change > interval '10 minutes'"_s);
    QVERIFY(StepExecutor::countQuery(u"SELECT pg_terminate_backend(12345);"_s).isEmpty());
    QVERIFY(StepExecutor::countQuery(u"SELECT count(*) FROM t WHERE x"_s).isEmpty());
}

// Every aws step of the seed that moto implements and that is not endless, interactive or a placeholder.
void TestStepExecutor::seedAwsCommands_data()
{
    QTest::addColumn<RunbookStep>("step");
    int n = 0;
    auto add = [&](const QString& where, const RunbookStep& step) {
        if (step.kind != StepKind::Aws || step.untilStopped || step.interactive)
            return;
        if (step.text.contains(u"reboot-cache-cluster"_s) || step.text.contains(u"execute-command"_s))
            return; // moto fails it (below) / needs the session-manager plugin
        for (const RunbookParameter& p : step.parameters) {
            if (p.placeholder)
                return; // wafv2 update-ip-set --id xxxxx: no real value to run with
        }
        QTest::addRow("%d %s %s", n++, qPrintable(where), qPrintable(step.title)) << step;
    };
    for (const Runbook& r : seed().runbooks) {
        for (const RunbookStep* s : r.allSteps())
            add(r.title, *s);
    }
    for (const CatalogueGroup& g : seed().catalogue) {
        for (const RunbookStep& s : g.steps)
            add(g.name, s);
    }
}

void TestStepExecutor::seedAwsCommands()
{
    QFETCH(RunbookStep, step);
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const Outcome out = runStep(executor, { step, m_profile, defaults(step), 0, u"test"_s });
    QVERIFY2(out.failure.isEmpty(), qPrintable(out.failure));
    QVERIFY2(out.outcome.status == u"ok"_s,
        qPrintable(executor.prepared().displayText + u"\n→ "_s + out.outcome.status + u": "_s + out.outcome.error));
    QVERIFY(QFile::exists(out.outcome.outputPath));
    QCOMPARE(out.outcome.sha256.size(), 64);
}

void TestStepExecutor::rebootCacheClusterFails()
{
    const RunbookStep* step = runbook(u"High Error Rate (500s)"_s)->step(u"resolution/2/1");
    QVERIFY(step && step->text.contains(u"reboot-cache-cluster"_s));
    QCOMPARE(step->risk, StepRisk::Destructive);
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const Outcome out = runStep(executor, { *step, m_profile, {}, 0, u"test"_s });
    QVERIFY(out.assessed);
    QCOMPARE(out.confirmation.level(), ConfirmationRequest::Level::TypeName);
    QCOMPARE(out.confirmation.target, u"petforce-production-redis"_s);
    QCOMPARE(out.outcome.status, u"failed"_s);
    QVERIFY(out.outcome.exitCode > 0);
    QVERIFY2(out.outcome.error.contains(u"cache-node-ids-to-reboot"_s) || out.outcome.error.contains(u"500"_s),
        qPrintable(out.outcome.error));
}

void TestStepExecutor::seedSqlDiagnosis()
{
    const Runbook* pool = runbook(u"Database Connection Pool Exhausted"_s);
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    for (const RunbookStep& step : pool->diagnosis) {
        const Outcome out = runStep(executor, { step, m_profile, {}, 0, u"test"_s });
        QVERIFY2(out.outcome.status == u"ok"_s, qPrintable(step.title + u": "_s + out.outcome.error + out.failure));
        QVERIFY(out.sql.ok());
        QVERIFY(QFile::exists(out.outcome.outputPath));
    }
    // The session runs as the console's runbook session, with its timeouts.
    RunbookStep show = handStep(StepKind::Sql,
        u"SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS st, "
        "current_setting('lock_timeout') AS lt, 'petforce-production' AS c;"_s,
        u"petforce-production"_s, StepSpan::Kind::Profile, u"cluster"_s, TextQuoting::SqlString);
    const Outcome out = runStep(executor, { show, m_profile, {}, 0, u"test"_s });
    QVERIFY2(out.sql.ok(), qPrintable(out.sql.summary()));
    QCOMPARE(out.sql.rows().value(0).value(0).toString(), u"petforce-console/runbook"_s);
    QCOMPARE(out.sql.rows().value(0).value(1).toString(), u"1min"_s);
    QCOMPARE(out.sql.rows().value(0).value(2).toString(), u"5s"_s);
}

void TestStepExecutor::awsMissing()
{
    const RunbookStep* step = runbook(u"High Error Rate (500s)"_s)->step(u"resolution/0/0");
    QVERIFY(step);
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", "/nonexistent");
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const Outcome out = runStep(executor, { *step, m_profile, defaults(*step), 0, u"test"_s });
    qputenv("PATH", path);
    QCOMPARE(out.outcome.status, u"not started"_s);
    QCOMPARE(out.process.missingProgram, u"aws"_s);
    QVERIFY2(out.outcome.error.contains(u"Install"_s, Qt::CaseInsensitive), qPrintable(out.outcome.error));
}

void TestStepExecutor::hangingGroupStopped()
{
    RunbookStep step;
    step.kind = StepKind::Shell;
    step.title = u"hangs"_s;
    step.text = u"bash -c 'sleep 300 & sleep 300' & sleep 300"_s;
    step.untilStopped = true;
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    QSignalSpy started(&executor, &StepExecutor::started);
    QSignalSpy finished(&executor, &StepExecutor::finished);
    QVERIFY(executor.assess({ step, m_profile, {}, 0, u"test"_s }));
    QCOMPARE(executor.state(), StepExecutor::State::Ready);
    QVERIFY(executor.run(u"none"_s));
    QVERIFY(!executor.run(u"none"_s)); // a second click does nothing
    QTRY_VERIFY(executor.processId() > 0);
    const qint64 pgid = executor.processId();
    QTest::qWait(200); // let the grandchildren start
    executor.stop();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.constFirst().at(0).value<CommandOutcome>().status, u"stopped"_s);
    QTRY_VERIFY(!groupAlive(pgid));
}

// A value with quotes, spaces, ';', $() and backticks: the parameter validator refuses it (first line), and the
// same value reaching a command through the profile (a trusted field, not validated per character) still runs
// exactly one command with the literal value.
void TestStepExecutor::hostileValueStaysLiteral()
{
    const QString hostile = u"a b\"c'd; touch PWNED1 $(touch PWNED2) `touch PWNED3`"_s;
    QVERIFY(!ParameterType::validate(ParameterType::Text, hostile).ok);

    QTemporaryDir bin;
    const QString record = bin.filePath(u"record"_s);
    QFile standIn(bin.filePath(u"aws"_s));
    QVERIFY(standIn.open(QIODevice::WriteOnly));
    standIn.write("#!/bin/bash\nprintf 'call\\n' >> \"$RECORD\"\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> "
                  "\"$RECORD\"; done\n");
    standIn.close();
    standIn.setPermissions(standIn.permissions() | QFileDevice::ExeOwner);

    RunbookStep step = handStep(StepKind::Aws, u"aws ecs describe-services --cluster petforce-production"_s,
        u"petforce-production"_s, StepSpan::Kind::Profile, u"cluster"_s, TextQuoting::Unquoted);
    EnvironmentProfile profile = m_profile;
    profile.setValue(EnvironmentProfile::Field::Cluster, hostile);
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", bin.path().toLocal8Bit() + ':' + path);
    qputenv("RECORD", record.toLocal8Bit());
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const QString cwd = QDir::currentPath();
    QDir::setCurrent(bin.path());
    const Outcome out = runStep(executor, { step, profile, {}, 0, u"test"_s });
    QDir::setCurrent(cwd);
    qputenv("PATH", path);
    QCOMPARE(out.outcome.status, u"ok"_s);
    QFile f(record);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.count(u"call"_s), 1);
    QVERIFY(lines.contains(hostile));
    QVERIFY(!executor.prepared().script.contains(hostile));
    for (const char* name : { "PWNED1", "PWNED2", "PWNED3" })
        QVERIFY(!QFile::exists(bin.filePath(QString::fromLatin1(name))));
}

void TestStepExecutor::hostileValueBoundInSql()
{
    const QString hostile = u"x'); DROP TABLE users; -- $(id) `id`"_s;
    RunbookStep step
        = handStep(StepKind::Sql, u"SELECT 'petforce-production' AS v, (SELECT count(*) FROM users) AS n;"_s,
            u"petforce-production"_s, StepSpan::Kind::Profile, u"cluster"_s, TextQuoting::SqlString);
    EnvironmentProfile profile = m_profile;
    profile.setValue(EnvironmentProfile::Field::Cluster, hostile);
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const Outcome out = runStep(executor, { step, profile, {}, 0, u"test"_s });
    QVERIFY2(out.sql.ok(), qPrintable(out.sql.summary()));
    QCOMPARE(out.sql.rows().value(0).value(0).toString(), hostile);
    QVERIFY(out.sql.rows().value(0).value(1).toLongLong() > 0);
    QVERIFY(!executor.prepared().script.contains(hostile));
}

// `aws logs tail … --follow` (v2 only; the machine has v1): tailed through filter-log-events until stopped.
void TestStepExecutor::logsTailFollowsWithCliV1()
{
    const RunbookStep* step = runbook(u"High Error Rate (500s)"_s)->step(u"diagnosis/1");
    QVERIFY(step && step->untilStopped && step->text.contains(u"logs tail"_s));
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    QSignalSpy output(&executor, &StepExecutor::outputReceived);
    QSignalSpy finished(&executor, &StepExecutor::finished);
    QVERIFY(executor.assess({ *step, m_profile, {}, 0, u"test"_s }));
    QCOMPARE(executor.state(), StepExecutor::State::Ready);
    // An ERROR line of our own, written after the tail started: it must show up in the followed output.
    QVERIFY(executor.run(u"none"_s));
    QTest::qWait(1500);
    const QString marker = u"ERROR console-tail-test %1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    QProcess put;
    put.setProgram(u"bash"_s);
    put.setArguments({ u"-c"_s,
        u"aws logs create-log-stream --log-group-name /ecs/petforce-production --log-stream-name tail-test "
        "2>/dev/null; aws logs put-log-events --log-group-name /ecs/petforce-production --log-stream-name "
        "tail-test --log-events \"timestamp=$(date +%s000),message=$MARKER\""_s });
    QProcessEnvironment penv = QProcessEnvironment::systemEnvironment();
    penv.insert(u"MARKER"_s, marker);
    put.setProcessEnvironment(penv);
    put.start();
    QVERIFY(put.waitForFinished(30000));
    QCOMPARE(put.exitCode(), 0);
    auto seen = [&] {
        for (const QList<QVariant>& args : std::as_const(output)) {
            if (args.at(1).toByteArray().contains(marker.toUtf8()))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(seen(), 15000);
    QVERIFY2(finished.isEmpty(),
        finished.isEmpty() ? "" : qPrintable(finished.constFirst().at(0).value<CommandOutcome>().error));
    for (const QList<QVariant>& args : std::as_const(output))
        QVERIFY2(args.at(0).value<CommandStream>() == CommandStream::Stdout, args.at(1).toByteArray().constData());
    executor.stop();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.constFirst().at(0).value<CommandOutcome>().status, u"stopped"_s);
}

void TestStepExecutor::interactiveOpensTerminal()
{
    const RunbookStep* step = runbook(u"Memory Leak"_s)->step(u"resolution/1/0");
    QVERIFY(step && step->interactive);
    QTemporaryDir bin;
    const QString record = bin.filePath(u"record"_s);
    QFile terminal(bin.filePath(u"fake-terminal"_s));
    QVERIFY(terminal.open(QIODevice::WriteOnly));
    terminal.write("#!/bin/bash\nprintf '%s\\n' \"$@\" > \"$RECORD\"\n");
    terminal.close();
    terminal.setPermissions(terminal.permissions() | QFileDevice::ExeOwner);
    qputenv("TERMINAL", terminal.fileName().toLocal8Bit());
    qputenv("RECORD", record.toLocal8Bit());
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const Outcome out = runStep(executor, { *step, m_profile, { { u"task_id"_s, u"abc123"_s } }, 0, u"test"_s });
    QCOMPARE(out.outcome.status, u"ok"_s);
    QFile f(record);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString args = QString::fromUtf8(f.readAll());
    QVERIFY2(args.contains(u"execute-command"_s) && args.contains(u"--interactive"_s), qPrintable(args));
    QVERIFY(!args.contains(u"abc123"_s)); // the value travels in the environment

    qputenv("TERMINAL", "no-such-terminal-emulator");
    const Outcome missing = runStep(executor, { *step, m_profile, { { u"task_id"_s, u"abc123"_s } }, 0, u"test"_s });
    qunsetenv("TERMINAL");
    QCOMPARE(missing.outcome.status, u"not started"_s);
    QVERIFY2(missing.outcome.error.contains(u"execute-command"_s), qPrintable(missing.outcome.error));
}

// The seed's write steps changed the shared sandbox: put back what awsseed.py made (two api tasks, db.t3.medium).
void TestStepExecutor::cleanupTestCase()
{
    if (m_env.isEmpty())
        return;
    QProcess restore;
    restore.start(u"bash"_s,
        { u"-c"_s,
            u"aws ecs update-service --cluster petforce-production --service api --desired-count 2 >/dev/null && "
            "aws rds modify-db-instance --endpoint-url \"$AWS_ENDPOINT_URL\" --db-instance-identifier "
            "petforce-production --db-instance-class db.t3.medium --apply-immediately >/dev/null"_s });
    QVERIFY(restore.waitForFinished(60000));
    QCOMPARE(restore.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestStepExecutor)
#include "tst_stepexecutor.moc"
