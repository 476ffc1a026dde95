// SPDX-License-Identifier: MIT
// The step executor against the sandbox's real servers: the seed's AWS commands through the real aws CLI and
// moto, SQL through libpq, and the faults (missing binary, a hanging group, hostile values).
#include "executortestsupport.h"
#include "support/sandboxenv.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <algorithm>
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
    void logsTailFollows();
    void interactiveOpensTerminal();
    void ipSetUpdateShowsBeforeAfter();
    void ipSetLockConflictReadsAgain();
    void cleanupTestCase();

private:
    QString seededState() const;

    QMap<QString, QString> m_env;
    EnvironmentProfile m_profile;
    EnvironmentProfile m_writeProfile; // the seed's write steps act on resources of the test's own
    QString m_own; // their name: petforce-test-<pid>
    QString m_seeded; // the seeded resources as they were before the test
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
    if (!SandboxEnv::awsOff().isEmpty())
        return; // the SQL and shell steps still run; the AWS ones are skipped with the reason

    // The write steps (force-new-deployment, desired count, instance class, snapshot, parameter group, SSM) act
    // on a cluster, service, DB instance, parameter group and SSM prefix of the test's own, so that later tests in
    // the same sandbox see the seeded resources as seeded.
    m_seeded = seededState();
    QVERIFY(!m_seeded.isEmpty());
    m_own = u"petforce-test-%1"_s.arg(QCoreApplication::applicationPid());
    QString error;
    const QList<QStringList> creates {
        { u"ecs"_s, u"create-cluster"_s, u"--cluster-name"_s, m_own },
        { u"ecs"_s, u"create-service"_s, u"--cluster"_s, m_own, u"--service-name"_s, u"api"_s, u"--task-definition"_s,
            u"petforce-api:42"_s, u"--desired-count"_s, u"2"_s },
        { u"rds"_s, u"create-db-parameter-group"_s, u"--db-parameter-group-name"_s, m_own,
            u"--db-parameter-group-family"_s, u"postgres15"_s, u"--description"_s, u"tst_stepexecutor"_s },
        { u"rds"_s, u"create-db-instance"_s, u"--db-instance-identifier"_s, m_own, u"--db-instance-class"_s,
            u"db.t3.medium"_s, u"--engine"_s, u"postgres"_s, u"--allocated-storage"_s, u"20"_s, u"--master-username"_s,
            u"petforce"_s, u"--master-user-password"_s, u"not-a-real-password"_s, u"--db-parameter-group-name"_s,
            m_own },
    };
    for (const QStringList& create : creates) {
        awsJson(create, &error);
        QVERIFY2(error.isEmpty(), qPrintable(create.join(u' ') + u": "_s + error));
    }
    m_writeProfile = m_profile;
    m_writeProfile.setValue(EnvironmentProfile::Field::Cluster, m_own);
    m_writeProfile.setValue(EnvironmentProfile::Field::DbInstance, m_own);
    m_writeProfile.setValue(EnvironmentProfile::Field::DbParameterGroup, m_own);
    m_writeProfile.setValue(EnvironmentProfile::Field::SsmPrefix, u"/petforce/"_s + m_own);
}

// What the write steps could change on the seeded resources, as text to compare: the api service's deployments,
// desired count and task definition; the DB instance's class and snapshots; max_connections; the SSM limit.
QString TestStepExecutor::seededState() const
{
    QStringList state;
    const QJsonObject services = awsJson(
        { u"ecs"_s, u"describe-services"_s, u"--cluster"_s, u"petforce-production"_s, u"--services"_s, u"api"_s });
    const QJsonObject api = services.value(u"services"_s).toArray().at(0).toObject();
    state.append(
        QString::fromUtf8(QJsonDocument(api.value(u"deployments"_s).toArray()).toJson(QJsonDocument::Compact)));
    state.append(QString::number(api.value(u"desiredCount"_s).toInt()));
    state.append(api.value(u"taskDefinition"_s).toString());
    const QJsonObject db
        = awsJson({ u"rds"_s, u"describe-db-instances"_s, u"--db-instance-identifier"_s, u"petforce-production"_s });
    state.append(db.value(u"DBInstances"_s).toArray().at(0).toObject().value(u"DBInstanceClass"_s).toString());
    const QJsonObject snapshots
        = awsJson({ u"rds"_s, u"describe-db-snapshots"_s, u"--db-instance-identifier"_s, u"petforce-production"_s });
    state.append(u"snapshots %1"_s.arg(snapshots.value(u"DBSnapshots"_s).toArray().size()));
    const QJsonObject params = awsJson({ u"rds"_s, u"describe-db-parameters"_s, u"--db-parameter-group-name"_s,
        u"petforce-production"_s, u"--source"_s, u"user"_s });
    for (const QJsonValue& p : params.value(u"Parameters"_s).toArray())
        state.append(p.toObject().value(u"ParameterName"_s).toString() + u'='
            + p.toObject().value(u"ParameterValue"_s).toString());
    const QJsonObject ssm
        = awsJson({ u"ssm"_s, u"get-parameter"_s, u"--name"_s, u"/petforce/production/RATE_LIMIT_MAX_REQUESTS"_s });
    state.append(ssm.value(u"Parameter"_s).toObject().value(u"Value"_s).toString());
    if (api.isEmpty() || db.isEmpty() || ssm.isEmpty())
        return {};
    return state.join(u'\n');
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
    PETFORCE_SANDBOX_NEEDS_AWS();
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
    const EnvironmentProfile& profile = step.risk == StepRisk::Read ? m_profile : m_writeProfile;
    const Outcome out = runStep(executor, { step, profile, defaults(step), 0, u"test"_s });
    QVERIFY2(out.failure.isEmpty(), qPrintable(out.failure));
    QVERIFY2(out.outcome.status == u"ok"_s,
        qPrintable(executor.prepared().displayText + u"\n→ "_s + out.outcome.status + u": "_s + out.outcome.error));
    QVERIFY(QFile::exists(out.outcome.outputPath));
    QCOMPARE(out.outcome.sha256.size(), 64);
}

void TestStepExecutor::rebootCacheClusterFails()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
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
    PETFORCE_SANDBOX_NEEDS_AWS();
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
    // Beside itself: the console's own variables (a RECORD of the test's) do not reach children.
    standIn.write("#!/bin/bash\nRECORD=${0%/*}/record\nprintf 'call\\n' >> \"$RECORD\"\nfor a in \"$@\"; do printf "
                  "'%s\\n' \"$a\" >> \"$RECORD\"; done\n");
    standIn.close();
    standIn.setPermissions(standIn.permissions() | QFileDevice::ExeOwner);

    RunbookStep step = handStep(StepKind::Aws, u"aws ecs describe-services --cluster petforce-production"_s,
        u"petforce-production"_s, StepSpan::Kind::Profile, u"cluster"_s, TextQuoting::Unquoted);
    EnvironmentProfile profile = m_profile;
    profile.setValue(EnvironmentProfile::Field::Cluster, hostile);
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", bin.path().toLocal8Bit() + ':' + path);
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

// `aws logs tail … --follow`: CLI v2 runs the step as written; v1 has no `logs tail` and the console tails through
// filter-log-events. Either way an ERROR line written after the start shows up on stdout until Stop, in the
// CLI's own format (v2: "<ISO time> <stream> <message>"; the loop: the message).
void TestStepExecutor::logsTailFollows()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    const RunbookStep* step = runbook(u"High Error Rate (500s)"_s)->step(u"diagnosis/1");
    QVERIFY(step && step->untilStopped && step->text.contains(u"logs tail"_s));
    QVERIFY(StepExecutor::isLogsTail(*step));
    const QString version = awsVersion();
    const int major = StepExecutor::awsCliMajor(version);
    QVERIFY2(major == 1 || major == 2, qPrintable(version));
    if (qEnvironmentVariableIsSet("PETFORCE_TEST_AWS_CLI"))
        QCOMPARE(u"v%1"_s.arg(major), qEnvironmentVariable("PETFORCE_TEST_AWS_CLI"));
    qInfo("%s", qPrintable(version));
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    QSignalSpy assessed(&executor, &StepExecutor::assessed);
    QSignalSpy output(&executor, &StepExecutor::outputReceived);
    QSignalSpy finished(&executor, &StepExecutor::finished);
    QVERIFY(executor.assess({ *step, m_profile, {}, 0, u"test"_s }));
    QCOMPARE(executor.state(), StepExecutor::State::Assessing); // `aws --version` runs as a child
    QVERIFY(assessed.wait(60000));
    QCOMPARE(executor.awsCli(), version.section(u' ', 0, 0));
    QVERIFY(executor.run(u"none"_s));
    const QString ran = executor.runCommand();
    if (major == 2) {
        QCOMPARE(ran, executor.prepared().script); // the step as written: native `aws logs tail`
        QVERIFY2(ran.contains(u" logs tail "_s) && ran.contains(u"--follow"_s), qPrintable(ran));
        QVERIFY(!ran.contains(u"filter-log-events"_s));
    } else {
        QVERIFY2(ran.startsWith(u"# "_s + executor.awsCli() + u" has no `aws logs tail`"_s), qPrintable(ran));
        QVERIFY(ran.contains(u"logs filter-log-events"_s) && !ran.contains(u"--follow"_s));
    }
    // An ERROR line of our own, written after the tail started: it must show up in the followed output.
    QTest::qWait(1500);
    const QString marker = u"ERROR console-tail-test %1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    QVERIFY(ExecutorTest::putLogLine(u"tail-test"_s, marker));
    auto shown = [&] {
        QByteArray all;
        for (const QList<QVariant>& args : std::as_const(output))
            all += args.at(1).toByteArray();
        return QString::fromUtf8(all);
    };
    QTRY_VERIFY_WITH_TIMEOUT(shown().contains(marker), 30000);
    QVERIFY2(finished.isEmpty(),
        finished.isEmpty() ? "" : qPrintable(finished.constFirst().at(0).value<CommandOutcome>().error));
    for (const QList<QVariant>& args : std::as_const(output))
        QVERIFY2(args.at(0).value<CommandStream>() == CommandStream::Stdout, args.at(1).toByteArray().constData());
    QVERIFY(!shown().contains(u'\x1b')); // no colours into the step view
    QString line;
    for (const QString& l : shown().split(u'\n')) {
        if (l.contains(marker))
            line = l;
    }
    if (major == 2) {
        static const QRegularExpression native(
            u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?\\+00:00 tail-test "_s
            + QRegularExpression::escape(marker) + u'$');
        QVERIFY2(native.match(line).hasMatch(), qPrintable(line));
    } else {
        QCOMPARE(line, marker);
    }
    executor.stop();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.constFirst().at(0).value<CommandOutcome>().status, u"stopped"_s);
}

void TestStepExecutor::interactiveOpensTerminal()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    const RunbookStep* step = runbook(u"Memory Leak"_s)->step(u"resolution/1/0");
    QVERIFY(step && step->interactive);
    QTemporaryDir bin;
    const QString record = bin.filePath(u"record"_s);
    QFile terminal(bin.filePath(u"fake-terminal"_s));
    QVERIFY(terminal.open(QIODevice::WriteOnly));
    terminal.write("#!/bin/bash\nprintf '%s\\n' \"$@\" > \"${0%/*}/record\"\n");
    terminal.close();
    terminal.setPermissions(terminal.permissions() | QFileDevice::ExeOwner);
    qputenv("TERMINAL", terminal.fileName().toLocal8Bit());
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

// The seed's Rate Limiting step (`aws wafv2 update-ip-set` without --name, with placeholder id and lock token) on a
// set holding one address, adding three (issue 16, finding 3): the set is read first, the confirmation lists the
// resulting list before → after and needs the set's name typed, the update uses the LockToken that was read, and
// the set ends with four — the address that was there is kept.
void TestStepExecutor::ipSetUpdateShowsBeforeAfter()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    const RunbookStep* step = runbook(u"Rate Limit Violations"_s)->step(u"resolution/1/0");
    QVERIFY(step && StepExecutor::isIpSetUpdate(*step));
    QCOMPARE(step->risk, StepRisk::Destructive);
    const auto [id, name]
        = createIpSet(u"petforce-test-block-%1"_s.arg(QCoreApplication::applicationPid()), { u"203.0.113.7/32"_s });
    QVERIFY(!id.isEmpty());

    const QMap<QString, QString> values { { u"ip_set_id"_s, id } };
    const QStringList add { u"192.0.2.50/32"_s, u"198.51.100.23/32"_s, u"198.51.100.24/32"_s };
    auto change = [&values](const QStringList& a, const QStringList& r) {
        QMap<QString, QString> v = values;
        StepExecutor::setIpSetChange(v, a, r);
        return v;
    };
    StepRequest request { *step, m_profile, change(add, {}), 0, u"test"_s };
    const PreparedCommand shown = StepExecutor::prepare(request);
    QVERIFY2(shown.isReady(), qPrintable(shown.errors.join(u'\n'))); // no lock token or list asked of the operator
    QVERIFY2(shown.displayText.contains(u"--name <"_s), qPrintable(shown.displayText));
    QVERIFY(!shown.displayText.contains(u"192.168.1.1"_s)); // the runbook's example is never the value
    QVERIFY(shown.script.contains(u"--name \"${PF_IP_SET_NAME}\""_s));
    QVERIFY2(shown.script.contains(u"--addresses ${PF_IP_SET_ADDRESSES}"_s), qPrintable(shown.script));
    // Nothing chosen: nothing to run.
    QVERIFY(!StepExecutor::prepare({ *step, m_profile, values, 0, u"test"_s }).isReady());

    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const Outcome out = runStep(executor, request);
    QVERIFY2(out.failure.isEmpty(), qPrintable(out.failure));
    QCOMPARE(out.confirmation.level(), ConfirmationRequest::Level::TypeName);
    QCOMPARE(out.confirmation.target, name);
    const QStringList& effects = out.confirmation.effects;
    QVERIFY2(effects.contains(u"Before (1): 203.0.113.7/32"_s), qPrintable(effects.join(u'\n')));
    QVERIFY(effects.contains(u"After (4): 203.0.113.7/32, 192.0.2.50/32, 198.51.100.23/32, 198.51.100.24/32"_s));
    for (const QString& a : add)
        QVERIFY(effects.contains(u"+ %1 (added)"_s.arg(a)));
    QVERIFY(effects.contains(u"= 203.0.113.7/32 (kept)"_s));
    QVERIFY(!effects.join(u'\n').contains(u"(removed)"_s));
    QVERIFY2(out.confirmation.command.contains(u"--name "_s + name), qPrintable(out.confirmation.command));
    QVERIFY2(out.confirmation.command.contains(u"--addresses 203.0.113.7/32 192.0.2.50/32"_s),
        qPrintable(out.confirmation.command));
    QVERIFY2(out.outcome.status == u"ok"_s, qPrintable(out.outcome.error));
    QStringList after = readIpSet(id, name).first;
    after.sort();
    QCOMPARE(
        after, QStringList({ u"192.0.2.50/32"_s, u"198.51.100.23/32"_s, u"198.51.100.24/32"_s, u"203.0.113.7/32"_s }));

    // Removing one of the four leaves three.
    const Outcome removed
        = runStep(executor, { *step, m_profile, change({}, { u"198.51.100.23/32"_s }), 0, u"test"_s });
    QVERIFY2(removed.failure.isEmpty(), qPrintable(removed.failure));
    QVERIFY(removed.confirmation.effects.contains(u"− 198.51.100.23/32 (removed)"_s));
    QVERIFY2(std::any_of(removed.confirmation.effects.cbegin(), removed.confirmation.effects.cend(),
                 [](const QString& line) {
                     if (!line.startsWith(u"After (3): "_s))
                         return false;
                     QStringList l = line.mid(11).split(u", "_s);
                     l.sort();
                     return l == QStringList({ u"192.0.2.50/32"_s, u"198.51.100.24/32"_s, u"203.0.113.7/32"_s });
                 }),
        qPrintable(removed.confirmation.effects.join(u'\n')));
    QCOMPARE(removed.outcome.status, u"ok"_s);
    after = readIpSet(id, name).first;
    after.sort();
    QCOMPARE(after, QStringList({ u"192.0.2.50/32"_s, u"198.51.100.24/32"_s, u"203.0.113.7/32"_s }));

    // An address already there, nothing else: nothing to change, nothing runs.
    const Outcome same = runStep(executor, { *step, m_profile, change({ u"203.0.113.7/32"_s }, {}), 0, u"test"_s });
    QVERIFY(!same.assessed);
    QVERIFY2(same.failure.contains(u"Nothing to change"_s), qPrintable(same.failure));
    QVERIFY(deleteIpSet(id, name));
}

// The set changes between the read and the update: the update fails with WAFOptimisticLockException and changes
// nothing; a new assessment reads the set again and shows the new list, keeping what the other change added (the
// executor never retries by itself).
void TestStepExecutor::ipSetLockConflictReadsAgain()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    const RunbookStep* step = runbook(u"Rate Limit Violations"_s)->step(u"resolution/1/0");
    QVERIFY(step);
    const auto [id, name]
        = createIpSet(u"petforce-test-lock-%1"_s.arg(QCoreApplication::applicationPid()), { u"203.0.113.7/32"_s });
    QVERIFY(!id.isEmpty());
    QMap<QString, QString> values { { u"ip_set_id"_s, id } };
    StepExecutor::setIpSetChange(values, { u"192.0.2.50/32"_s }, {});
    const StepRequest request { *step, m_profile, values, 0, u"test"_s };
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    QSignalSpy assessed(&executor, &StepExecutor::assessed);
    QSignalSpy finished(&executor, &StepExecutor::finished);
    QVERIFY(executor.assess(request));
    QVERIFY(assessed.wait(60000));
    QVERIFY(assessed.constFirst().constFirst().value<ConfirmationRequest>().effects.contains(
        u"Before (1): 203.0.113.7/32"_s));

    QVERIFY(updateIpSet(id, name, { u"198.51.100.0/24"_s })); // someone else, meanwhile
    QVERIFY(executor.run(u"typed "_s + name));
    QVERIFY(finished.wait(60000));
    const CommandOutcome conflict = finished.constFirst().at(0).value<CommandOutcome>();
    QCOMPARE(conflict.status, u"failed"_s);
    QVERIFY2(StepExecutor::isLockConflict(conflict), qPrintable(conflict.error));
    QCOMPARE(readIpSet(id, name).first, QStringList { u"198.51.100.0/24"_s });
    QCOMPARE(assessed.size(), 1); // nothing retried on its own

    QVERIFY(executor.reassess());
    QVERIFY(assessed.wait(60000));
    const QStringList effects = assessed.constLast().constFirst().value<ConfirmationRequest>().effects;
    QVERIFY2(effects.contains(u"Before (1): 198.51.100.0/24"_s), qPrintable(effects.join(u'\n')));
    QVERIFY(effects.contains(u"= 198.51.100.0/24 (kept)"_s)); // the other change is not undone
    QVERIFY(executor.run(u"typed "_s + name));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.constLast().at(0).value<CommandOutcome>().status, u"ok"_s);
    QStringList final = readIpSet(id, name).first;
    final.sort();
    QCOMPARE(final, QStringList({ u"192.0.2.50/32"_s, u"198.51.100.0/24"_s }));
    QVERIFY(deleteIpSet(id, name));
}

// The test's own resources go; the seeded ones are as they were.
void TestStepExecutor::cleanupTestCase()
{
    if (m_env.isEmpty() || m_own.isEmpty())
        return;
    QString error;
    const QJsonObject snapshots
        = awsJson({ u"rds"_s, u"describe-db-snapshots"_s, u"--db-instance-identifier"_s, m_own });
    for (const QJsonValue& snapshot : snapshots.value(u"DBSnapshots"_s).toArray()) {
        awsJson({ u"rds"_s, u"delete-db-snapshot"_s, u"--db-snapshot-identifier"_s,
                    snapshot.toObject().value(u"DBSnapshotIdentifier"_s).toString() },
            &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    const QList<QStringList> deletes {
        { u"ecs"_s, u"delete-service"_s, u"--cluster"_s, m_own, u"--service"_s, u"api"_s, u"--force"_s },
        { u"ecs"_s, u"delete-cluster"_s, u"--cluster"_s, m_own },
        { u"rds"_s, u"delete-db-instance"_s, u"--db-instance-identifier"_s, m_own, u"--skip-final-snapshot"_s },
        { u"rds"_s, u"delete-db-parameter-group"_s, u"--db-parameter-group-name"_s, m_own },
        { u"ssm"_s, u"delete-parameter"_s, u"--name"_s, u"/petforce/"_s + m_own + u"/RATE_LIMIT_MAX_REQUESTS"_s },
    };
    for (const QStringList& d : deletes) {
        error.clear();
        awsJson(d, &error);
        QVERIFY2(error.isEmpty() || error.contains(u"ParameterNotFound"_s), qPrintable(d.join(u' ') + u": "_s + error));
    }
    QCOMPARE(seededState(), m_seeded);
}

QTEST_GUILESS_MAIN(TestStepExecutor)
#include "tst_stepexecutor.moc"
