// SPDX-License-Identifier: MIT
// Issue 15, findings 3 and 8: the guards of every cancel/terminate path (the seed's runbook steps through the step
// executor, the same rule as the DBA pane), against the sandbox's real PostgreSQL; the WAF /0 refusal; the seed's
// FLUSHDB against a real redis-server of the test's own.
#include "executortestsupport.h"
#include "models/backendsignal.h"
#include "support/pgtestsession.h"
#include "support/sandboxenv.h"

#include <QProcess>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;
using namespace ExecutorTest;

namespace {

PgResult exec(PgSession& s, const QString& sql, const QList<QVariant>& params = {})
{
    PgQuery q;
    q.sql = sql;
    q.parameters = params;
    return PgTest::exec(s, q);
}

RunbookStep sqlStep(const QString& text, StepRisk risk = StepRisk::Destructive)
{
    return handMadeStep(StepKind::Sql, risk, text);
}

// Blocking redis-cli of the test's own.
QString redis(int port, const QStringList& args)
{
    QProcess p;
    p.start(u"redis-cli"_s, QStringList { u"-p"_s, QString::number(port) } + args);
    p.waitForFinished(10000);
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

} // namespace

class TestBackendGuards : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void planShapes();
    void ownBackendRefused();
    void checkpointerRefused();
    void bulkLeavesOutOwnAndBackground();
    void reusedPidNotTerminated();
    void foreignSessionTerminated();
    void pidNeverPrefilled();
    void wafSlashZeroRefused();
    void flushDbShowsDbsizeAndSendsAsync();

private:
    PgConnectionOptions options(const QString& purpose) const;
    std::unique_ptr<PgSession> client(const QString& applicationName) const; // another client's session
    Outcome runTerminate(StepExecutor& executor, int pid);

    QMap<QString, QString> m_env;
    EnvironmentProfile m_profile;
    QTemporaryDir m_runs;
    const RunbookStep* m_kill = nullptr; // the seed's SELECT pg_terminate_backend(12345);
    const RunbookStep* m_killIdle = nullptr; // the seed's bulk form
};

void TestBackendGuards::initTestCase()
{
    QString why;
    m_env = SandboxEnv::load(&why);
    if (m_env.isEmpty())
        QSKIP(qPrintable(why));
    m_profile = sandboxProfile();
    const Runbook* pool = runbook(u"Database Connection Pool Exhausted"_s);
    QVERIFY(pool);
    m_kill = pool->step(u"resolution/0/0"_s);
    m_killIdle = pool->step(u"resolution/0/1"_s);
    QVERIFY(m_kill && m_kill->text.contains(u"pg_terminate_backend(12345)"_s));
    QVERIFY(m_killIdle && m_killIdle->text.contains(u"FROM pg_stat_activity"_s));
    QCOMPARE(m_kill->risk, StepRisk::Destructive);
}

PgConnectionOptions TestBackendGuards::options(const QString& purpose) const
{
    PgConnectionOptions o;
    o.conninfo = m_env.value(u"DATABASE_URL"_s);
    o.purpose = purpose;
    o.statementTimeoutMs = 0;
    o.queryDeadlineMs = 0;
    return o;
}

std::unique_ptr<PgSession> TestBackendGuards::client(const QString& applicationName) const
{
    auto s = PgTest::open(options(u"test"_s));
    if (s && !exec(*s, u"SET application_name = '%1'"_s.arg(applicationName)).ok())
        return nullptr;
    return s;
}

Outcome TestBackendGuards::runTerminate(StepExecutor& executor, int pid)
{
    return runStep(executor, { *m_kill, m_profile, { { u"pid"_s, QString::number(pid) } }, 0, u"test"_s });
}

void TestBackendGuards::planShapes()
{
    QString error;
    const auto single = BackendSignal::plan(u"-- Kill specific query\nSELECT pg_terminate_backend($1);"_s, &error);
    QVERIFY(single && single->single && error.isEmpty());
    QCOMPARE(single->pidSource, u"SELECT ($1)::int"_s);
    const auto bulk = BackendSignal::plan(m_killIdle->text, &error);
    QVERIFY(bulk && !bulk->single);
    QVERIFY(bulk->pidSource.startsWith(u"SELECT (pid)::int FROM pg_stat_activity\nWHERE state = 'idle'"_s));
    QVERIFY(!BackendSignal::plan(u"SELECT 1"_s, &error) && error.isEmpty());
    // Shapes the guard cannot rewrite are refused, never run as written.
    for (const QString& sql : { u"SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"_s,
             u"SELECT 1; SELECT pg_cancel_backend(42)"_s, u"SELECT pg_terminate_backend((SELECT 42))"_s }) {
        QVERIFY2(!BackendSignal::plan(sql, &error), qPrintable(sql));
        QVERIFY2(error.contains(u"cannot guard"_s), qPrintable(error));
    }
    QCOMPARE(BackendSignal::refusal(1, u"client backend"_s, u"petforce-console/dba"_s, false, u"x"_s),
        u"pid 1: this console's own connection"_s);
    QCOMPARE(BackendSignal::refusal(2, u"checkpointer"_s, QString(), false, u"x"_s),
        u"pid 2: not a client session (checkpointer)"_s);
    QVERIFY(BackendSignal::refusal(3, u"client backend"_s, u"psql"_s, false, u"x"_s).isEmpty());
    // A psql step cannot be guarded: refused before anything runs.
    RunbookStep psql;
    psql.kind = StepKind::Psql;
    psql.risk = StepRisk::Destructive;
    psql.text = u"psql -c 'SELECT pg_terminate_backend(42)'"_s;
    StepExecutor executor(nullptr, nullptr);
    const Outcome out = runStep(executor, { psql, m_profile, {}, 0, u"test"_s });
    QVERIFY2(out.failure.contains(u"cannot be guarded"_s), qPrintable(out.failure));
}

// The repro: the console's own runbook backend pid through the seed's step killed the session.
void TestBackendGuards::ownBackendRefused()
{
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const RunbookStep who = sqlStep(u"SELECT pg_backend_pid() AS pid"_s, StepRisk::Read);
    const Outcome first = runStep(executor, { who, m_profile, {}, 0, u"test"_s });
    QVERIFY2(first.outcome.status == u"ok"_s, qPrintable(first.outcome.error + first.failure));
    const int own = int(first.sql.rows().value(0).value(0).toLongLong());
    QVERIFY(own > 0);

    const Outcome kill = runTerminate(executor, own);
    QVERIFY(!kill.assessed);
    QVERIFY2(kill.failure.startsWith(u"Refused: pid %1: this console's own connection"_s.arg(own)),
        qPrintable(kill.failure));
    // The session is still alive: the same backend answers.
    const Outcome again = runStep(executor, { who, m_profile, {}, 0, u"test"_s });
    QCOMPARE(again.outcome.status, u"ok"_s);
    QCOMPARE(int(again.sql.rows().value(0).value(0).toLongLong()), own);

    // Another of the console's sessions (the DBA monitor's, application_name petforce-console/dba), and a pid
    // the console says is its own.
    auto dba = PgTest::open(options(u"dba"_s));
    QVERIFY(dba);
    const Outcome other = runTerminate(executor, dba->backendPid());
    QVERIFY2(other.failure.contains(u"this console's own connection"_s), qPrintable(other.failure));
    QVERIFY(exec(*dba, u"SELECT 1"_s).ok());
    auto foreign = client(u"held-by-console"_s);
    QVERIFY(foreign);
    executor.setOwnPids({ foreign->backendPid() });
    const Outcome listed = runTerminate(executor, foreign->backendPid());
    QVERIFY2(listed.failure.contains(u"this console's own connection"_s), qPrintable(listed.failure));
    QVERIFY(exec(*foreign, u"SELECT 1"_s).ok());
}

// The repro: the checkpointer's pid returned false and the timeline said "ok".
void TestBackendGuards::checkpointerRefused()
{
    auto probe = PgTest::open(options(u"test"_s));
    QVERIFY(probe);
    const PgResult bg
        = exec(*probe, u"SELECT pid, backend_start::text FROM pg_stat_activity WHERE backend_type = 'checkpointer'"_s);
    QVERIFY2(bg.ok() && bg.rows().size() == 1, qPrintable(bg.summary()));
    const int checkpointer = int(bg.rows().value(0).value(0).toLongLong());
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const Outcome out = runTerminate(executor, checkpointer);
    QVERIFY(!out.assessed);
    QVERIFY2(out.failure.contains(u"not a client session (checkpointer)"_s), qPrintable(out.failure));
    // And what would run refuses it on the server too, whatever was confirmed: no row, nothing signalled.
    BackendSignal::Plan plan = *BackendSignal::plan(u"SELECT pg_terminate_backend($1)"_s, nullptr);
    const PgResult forced = exec(*probe, BackendSignal::runQuery(plan, 2),
        { QString::number(checkpointer), BackendSignal::intArray({ checkpointer }),
            BackendSignal::textArray({ bg.rows().value(0).value(1).toString() }), BackendSignal::intArray({}) });
    QVERIFY2(forced.ok(), qPrintable(forced.summary()));
    QCOMPARE(forced.rows().size(), 0);
    const PgResult still = exec(*probe, u"SELECT count(*) FROM pg_stat_activity WHERE pid = $1"_s, { checkpointer });
    QCOMPARE(still.rows().value(0).value(0).toLongLong(), 1);
}

// The seed's bulk form: counted, listed and terminated without the console's own and background processes.
void TestBackendGuards::bulkLeavesOutOwnAndBackground()
{
    auto victim = client(u"t-bulk-victim"_s);
    QVERIFY(victim);
    auto dba = PgTest::open(options(u"dba"_s)); // idle too: the console's own
    QVERIFY(dba);
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    executor.setIntervalOverride(u"0 seconds"_s); // every idle session qualifies
    // Only the test's victim is in reach: the condition names it and the two console sessions.
    RunbookStep step = *m_killIdle;
    step.text.replace(u"WHERE state = 'idle'"_s,
        u"WHERE state = 'idle' AND (application_name = 't-bulk-victim' OR application_name LIKE 'petforce-console/%')"_s);
    QVERIFY(step.text.contains(u"t-bulk-victim"_s));
    step.spans.clear();
    step.parameters.clear();
    QSignalSpy assessed(&executor, &StepExecutor::assessed);
    QSignalSpy failed(&executor, &StepExecutor::failed);
    QVERIFY(executor.assess({ step, m_profile, {}, 0, u"test"_s }));
    QVERIFY(QTest::qWaitFor([&] { return !assessed.isEmpty() || !failed.isEmpty(); }, 30000));
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));
    const auto confirmation = assessed.constFirst().constFirst().value<ConfirmationRequest>();
    QCOMPARE(confirmation.affectedCount.value_or(-1), 1);
    const QString effects = confirmation.effects.join(u'\n');
    QVERIFY2(effects.contains(u"pid %1 "_s.arg(victim->backendPid())), qPrintable(effects));
    QVERIFY2(effects.contains(u"left out: pid %1: this console's own connection"_s.arg(dba->backendPid())),
        qPrintable(effects));
    QVERIFY(confirmation.command.contains(u"backend_type = 'client backend'"_s));
    QSignalSpy finished(&executor, &StepExecutor::finished);
    const int victimPid = victim->backendPid();
    QVERIFY(executor.run(u"typed petforce"_s));
    QVERIFY(finished.wait(30000));
    const auto o = finished.constFirst().constFirst().value<CommandOutcome>();
    QVERIFY2(o.status == u"ok"_s, qPrintable(o.status + u": "_s + o.error));
    QCOMPARE(o.rows, 1);
    QVERIFY(exec(*dba, u"SELECT 1"_s).ok());
    auto probe = PgTest::open(options(u"test"_s));
    QVERIFY(QTest::qWaitFor(
        [&] {
            return exec(*probe, u"SELECT count(*) FROM pg_stat_activity WHERE pid = $1"_s, { victimPid })
                       .rows()
                       .value(0)
                       .value(0)
                       .toLongLong()
                == 0;
        },
        10000));
}

// Assessed against one backend; when the run comes, that backend is gone (or its pid is another's): not
// terminated, failed, never ok. The same pid with another backend_start is never hit.
void TestBackendGuards::reusedPidNotTerminated()
{
    auto victim = client(u"t-reused"_s);
    QVERIFY(victim);
    const int pid = victim->backendPid();
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    QSignalSpy assessed(&executor, &StepExecutor::assessed);
    QSignalSpy finished(&executor, &StepExecutor::finished);
    QVERIFY(executor.assess({ *m_kill, m_profile, { { u"pid"_s, QString::number(pid) } }, 0, u"test"_s }));
    QVERIFY(assessed.wait(30000));
    const auto confirmation = assessed.constFirst().constFirst().value<ConfirmationRequest>();
    QCOMPARE(confirmation.affectedCount.value_or(-1), 1);
    QVERIFY(confirmation.command.contains(u"s.backend_start = t.backend_start"_s));
    victim.reset(); // the backend ends between the confirmation and the run
    auto probe = PgTest::open(options(u"test"_s));
    QVERIFY(QTest::qWaitFor(
        [&] {
            return exec(*probe, u"SELECT count(*) FROM pg_stat_activity WHERE pid = $1"_s, { pid })
                       .rows()
                       .value(0)
                       .value(0)
                       .toLongLong()
                == 0;
        },
        10000));
    QVERIFY(executor.run(u"typed petforce"_s));
    QVERIFY(finished.wait(30000));
    const auto o = finished.constFirst().constFirst().value<CommandOutcome>();
    QCOMPARE(o.status, u"failed"_s);
    QVERIFY2(o.error.startsWith(u"not terminated: pid %1 ended, or its pid now belongs to another session"_s.arg(pid)),
        qPrintable(o.error));

    // The same pid, a later backend (another backend_start): what runs matches nothing; the session lives.
    auto other = client(u"t-reused-2"_s);
    QVERIFY(other);
    const PgResult start
        = exec(*probe, u"SELECT (backend_start - interval '1 hour')::text FROM pg_stat_activity WHERE pid = $1"_s,
            { other->backendPid() });
    const BackendSignal::Plan plan = *BackendSignal::plan(u"SELECT pg_terminate_backend($1)"_s, nullptr);
    const PgResult r = exec(*probe, BackendSignal::runQuery(plan, 2),
        { QString::number(other->backendPid()), BackendSignal::intArray({ other->backendPid() }),
            BackendSignal::textArray({ start.rows().value(0).value(0).toString() }), BackendSignal::intArray({}) });
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.rows().size(), 0);
    QVERIFY(exec(*other, u"SELECT 1"_s).ok());
}

void TestBackendGuards::foreignSessionTerminated()
{
    auto victim = client(u"t-foreign"_s);
    QVERIFY(victim);
    const int pid = victim->backendPid();
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const Outcome out = runTerminate(executor, pid);
    QVERIFY2(out.assessed, qPrintable(out.failure));
    QVERIFY(out.confirmation.effects.value(0).startsWith(u"pid %1 "_s.arg(pid)));
    QVERIFY2(out.outcome.status == u"ok"_s, qPrintable(out.outcome.error));
    QCOMPARE(out.outcome.rows, 1);
    QVERIFY(!exec(*victim, u"SELECT 1"_s).ok());
    // A pid nobody has: refused before asking.
    const Outcome nobody = runTerminate(executor, 2147483000);
    QVERIFY2(nobody.failure.startsWith(u"No session has pid 2147483000"_s), qPrintable(nobody.failure));
}

void TestBackendGuards::pidNeverPrefilled()
{
    const RunbookParameter* pid = m_kill->parameter(u"pid");
    QVERIFY(pid);
    QCOMPARE(pid->example, u"12345"_s);
    QVERIFY(m_kill->offeredValue(*pid).isEmpty());
    // Without a value nothing is ready: the example is never what runs.
    const PreparedCommand p = StepExecutor::prepare({ *m_kill, m_profile, {}, 0, {} });
    QVERIFY(!p.isReady());
    QVERIFY(!p.sqlParameters.contains(u"12345"_s));
}

void TestBackendGuards::wafSlashZeroRefused()
{
    const Runbook* rate = nullptr;
    const RunbookStep* waf = nullptr;
    for (const Runbook& r : seed().runbooks) {
        for (const RunbookStep* s : r.allSteps()) {
            if (StepExecutor::isIpSetUpdate(*s)) {
                rate = &r;
                waf = s;
            }
        }
    }
    QVERIFY(rate && waf);
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const Outcome out = runStep(
        executor, { *waf, m_profile, { { u"ip_set_id"_s, u"a1b2c3"_s }, { u"ip_set_add"_s, u"0.0.0.0/0"_s } }, 0, {} });
    QVERIFY(!out.assessed);
    QVERIFY2(out.failure.contains(u"every address on the internet"_s), qPrintable(out.failure));
    QVERIFY(StepExecutor::ipSetRefusal({ u"192.0.2.1/32"_s, u"::/0"_s }).contains(u"::/0 is every address"_s));
    QVERIFY(StepExecutor::ipSetRefusal({ u"192.0.2.1/32"_s }).isEmpty());
}

void TestBackendGuards::flushDbShowsDbsizeAndSendsAsync()
{
    const RunbookStep* flush = nullptr;
    for (const CatalogueGroup& g : seed().catalogue) {
        for (const RunbookStep& s : g.steps) {
            if (StepExecutor::isFlushDb(s))
                flush = &s;
        }
    }
    for (const Runbook& r : seed().runbooks) {
        for (const RunbookStep* s : r.allSteps()) {
            if (StepExecutor::isFlushDb(*s))
                flush = s;
        }
    }
    QVERIFY(flush);
    QCOMPARE(flush->risk, StepRisk::Destructive);
    QCOMPARE(StepExecutor::redisDbNumber(u"redis-cli -n 3 FLUSHDB"_s), 3);
    QCOMPARE(StepExecutor::redisDbNumber(u"redis-cli FLUSHDB"_s), 0);

    // A redis-server of the test's own: the sandbox's keys stay.
    QTemporaryDir dir;
    const int port = freePort();
    QProcess server;
    server.start(u"redis-server"_s,
        { u"--port"_s, QString::number(port), u"--bind"_s, u"127.0.0.1"_s, u"--save"_s, u""_s, u"--appendonly"_s,
            u"no"_s, u"--dir"_s, dir.path() });
    QVERIFY(server.waitForStarted());
    QVERIFY(QTest::qWaitFor([&] { return redis(port, { u"PING"_s }) == u"PONG"_s; }, 10000));
    for (int i = 0; i < 7; ++i)
        redis(port, { u"SET"_s, u"household:%1"_s.arg(i), u"x"_s });
    redis(port, { u"-n"_s, u"1"_s, u"SET"_s, u"other-db"_s, u"kept"_s });
    QCOMPARE(redis(port, { u"DBSIZE"_s }), u"7"_s);
    QProcess monitor;
    monitor.start(u"redis-cli"_s, { u"-p"_s, QString::number(port), u"MONITOR"_s });
    QVERIFY(monitor.waitForReadyRead(10000)); // "OK"

    EnvironmentProfile profile = m_profile;
    profile.setValue(EnvironmentProfile::Field::RedisHost, u"127.0.0.1"_s);
    profile.setValue(EnvironmentProfile::Field::RedisPort, QString::number(port));
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    const Outcome out = runStep(executor, { *flush, profile, {}, 0, u"test"_s });
    QVERIFY2(out.assessed, qPrintable(out.failure));
    const ConfirmationRequest& c = out.confirmation;
    QVERIFY2(c.parameters.contains(u"host = 127.0.0.1"_s), qPrintable(c.parameters.join(u'\n')));
    QVERIFY(c.parameters.contains(u"port = %1"_s.arg(port)));
    QVERIFY(c.parameters.contains(u"db = 0"_s));
    QCOMPARE(c.affectedCount.value_or(-1), 7);
    QVERIFY2(c.effects.value(0).contains(u"db 0: DBSIZE 7 key(s)"_s), qPrintable(c.effects.join(u'\n')));
    QVERIFY2(c.command.endsWith(u"FLUSHDB ASYNC"_s), qPrintable(c.command));
    QVERIFY2(out.outcome.status == u"ok"_s, qPrintable(out.outcome.error));
    QCOMPARE(redis(port, { u"DBSIZE"_s }), u"0"_s);
    QCOMPARE(redis(port, { u"-n"_s, u"1"_s, u"GET"_s, u"other-db"_s }), u"kept"_s);
    QVERIFY(QTest::qWaitFor(
        [&] {
            monitor.waitForReadyRead(100);
            return monitor.peek(1 << 20).toUpper().contains("\"FLUSHDB\" \"ASYNC\"");
        },
        10000));
    monitor.kill();
    monitor.waitForFinished();
    server.terminate();
    server.waitForFinished(10000);
}

QTEST_MAIN(TestBackendGuards)
#include "tst_backendguards.moc"
