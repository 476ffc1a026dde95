// SPDX-License-Identifier: MIT
// Record before acting (issue 15, finding 1): with the incident store's disk really full (a child of this test in a
// private mount namespace over a small tmpfs, as tst_storeprocesses does), a write or destructive step never runs
// and the operator sees the store's reason; a read step runs, marked not recorded; a finish that cannot be written
// is kept, retried and lands once space is freed; a failed keychain read after the start still records the end.
#include "executortestsupport.h"
#include "fulldisktest.h"
#include "services/auditrecorder.h"
#include "services/dbaactions.h"
#include "services/secretstore.h"
#include "services/storeclient.h"
#include "support/pgtestsession.h"
#include "support/sandboxenv.h"

#include <QUrl>

#include <QStandardPaths>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;
using namespace ExecutorTest;
using namespace FullDisk;

namespace {
struct Run {
    QString failure; // failed()
    bool finished = false;
    CommandOutcome outcome;
    CommandResult process;
    QStringList notRecorded; // notRecorded() reasons
};

// Assess, run, and wait for finished() or failed().
Run runToEnd(StepExecutor& executor, const StepRequest& request)
{
    Run out;
    QSignalSpy assessed(&executor, &StepExecutor::assessed);
    QSignalSpy failed(&executor, &StepExecutor::failed);
    QSignalSpy finished(&executor, &StepExecutor::finished);
    QObject::connect(&executor, &StepExecutor::notRecorded, &executor,
        [&out](const QString&, const QString& why) { out.notRecorded.append(why); });
    executor.assess(request);
    if (!QTest::qWaitFor([&] { return !assessed.isEmpty() || !failed.isEmpty(); }, 30000) || !failed.isEmpty()) {
        out.failure = failed.isEmpty() ? u"no assessment"_s : failed.constFirst().constFirst().toString();
        return out;
    }
    if (!executor.run(u"typed probe"_s)) {
        out.failure = u"not ready"_s;
        return out;
    }
    if (!QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 60000))
        out.failure = u"no end in time"_s;
    if (!failed.isEmpty())
        out.failure = failed.constFirst().constFirst().toString();
    if (!finished.isEmpty()) {
        out.finished = true;
        out.outcome = finished.constFirst().at(0).value<CommandOutcome>();
        out.process = finished.constFirst().at(1).value<CommandResult>();
    }
    return out;
}

} // namespace

class TestAuditFailClosed : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void destructiveAwsNeverRuns();
    void writeSqlNeverRuns();
    void readStepRunsNotRecorded();
    void dbaTerminateNeverRuns();
    void finishRetriedUntilSpaceFreed();
    void keychainFailureRecordsFinish();
    void stopWhileRecordingRecordsEnd();
    void startWaitsForCommit();

private:
    void runInFullDiskChild(const char* function) { runInChild("TestAuditFailClosed", function); }

    QMap<QString, QString> m_env;
    EnvironmentProfile m_profile;
};

void TestAuditFailClosed::initTestCase()
{
    if (inChild()) {
        m_profile = sandboxProfile(); // the parent loaded the sandbox's variables into the environment
        return;
    }
    QString why;
    m_env = SandboxEnv::load(&why);
    m_profile = sandboxProfile();
}

void TestAuditFailClosed::destructiveAwsNeverRuns()
{
    if (!inChild()) {
        runInFullDiskChild("destructiveAwsNeverRuns");
        return;
    }
    const QString folder = qEnvironmentVariable(FullDiskVar);
    const QString marker = fakeAws(qEnvironmentVariable(OutsideVar));
    QVERIFY(!marker.isEmpty());
    StoreClient store(folder + u"/incidents.sqlite"_s);
    AuditRecorder audit(&store);
    const qint64 incident = openWithIncident(store);
    QVERIFY(incident > 0);
    QVERIFY(fillDisk(folder));

    StepExecutor executor(&audit, nullptr);
    QTemporaryDir runs(qEnvironmentVariable(OutsideVar) + u"/runs-XXXXXX"_s);
    executor.setRunsFolder(runs.path());
    const StepRequest request { handStep(StepKind::Aws, StepRisk::Destructive,
                                    u"aws ecs stop-task --cluster petforce-production --task 0123456789abcdef"_s),
        m_profile, {}, incident, u"runbook:probe#diagnosis/0"_s };
    const Run run = runToEnd(executor, request);
    // Nothing ran, and the operator is told why, with the store's own words.
    QVERIFY2(!QFile::exists(marker), "the fake aws was called");
    QVERIFY2(run.failure.contains(u"Nothing ran"_s) && run.failure.contains(u"is full"_s), qPrintable(run.failure));
    QVERIFY(!run.finished);
    QCOMPARE(executor.state(), StepExecutor::State::Idle);
    QVERIFY(kindsOf(eventsOf(store, incident)).isEmpty());
    // Once space is back, the same step runs (and is recorded before it does).
    QVERIFY(QFile::remove(folder + u"/filler"_s));
    const Run again = runToEnd(executor, request);
    QVERIFY2(again.failure.isEmpty() && again.finished, qPrintable(again.failure));
    QVERIFY(QFile::exists(marker));
    QTRY_COMPARE(kindsOf(eventsOf(store, incident)), QStringList({ u"command.started"_s, u"command.finished"_s }));
}

void TestAuditFailClosed::writeSqlNeverRuns()
{
    if (!inChild()) {
        if (m_env.isEmpty())
            QSKIP("no sandbox: run through ctest (fixture sandbox)");
        runInFullDiskChild("writeSqlNeverRuns");
        // Its effect is absent in PostgreSQL (asked from outside the namespace, through psql).
        QProcess psql;
        psql.start(u"psql"_s,
            { u"-XtAc"_s,
                u"SELECT to_regclass('public.petforce_audit_probe_%1') IS NULL"_s.arg(
                    QCoreApplication::applicationPid()) });
        QVERIFY(psql.waitForFinished(30000));
        QCOMPARE(QString::fromUtf8(psql.readAllStandardOutput()).trimmed(), u"t"_s);
        return;
    }
    const QString folder = qEnvironmentVariable(FullDiskVar);
    StoreClient store(folder + u"/incidents.sqlite"_s);
    AuditRecorder audit(&store);
    const qint64 incident = openWithIncident(store);
    QVERIFY(incident > 0);
    QVERIFY(fillDisk(folder));
    StepExecutor executor(&audit, nullptr);
    const QString table = u"petforce_audit_probe_%1"_s.arg(qEnvironmentVariable(ParentPidVar));
    const Run run = runToEnd(executor,
        { handStep(StepKind::Sql, StepRisk::Write, u"CREATE TABLE public.%1 (id int)"_s.arg(table)), m_profile, {},
            incident, u"runbook:probe#diagnosis/0"_s });
    QVERIFY2(run.failure.contains(u"Nothing ran"_s) && run.failure.contains(u"is full"_s), qPrintable(run.failure));
    QVERIFY(!run.finished);
    QVERIFY(kindsOf(eventsOf(store, incident)).isEmpty());
}

void TestAuditFailClosed::readStepRunsNotRecorded()
{
    if (!inChild()) {
        runInFullDiskChild("readStepRunsNotRecorded");
        return;
    }
    const QString folder = qEnvironmentVariable(FullDiskVar);
    StoreClient store(folder + u"/incidents.sqlite"_s);
    AuditRecorder audit(&store);
    const qint64 incident = openWithIncident(store);
    QVERIFY(incident > 0);
    QVERIFY(fillDisk(folder));
    StepExecutor executor(&audit, nullptr);
    QTemporaryDir runs(qEnvironmentVariable(OutsideVar) + u"/runs-XXXXXX"_s);
    executor.setRunsFolder(runs.path());
    const Run run = runToEnd(executor,
        { handStep(StepKind::Shell, StepRisk::Read, u"echo read-step-ran"_s), m_profile, {}, incident,
            u"runbook:probe#diagnosis/0"_s });
    QVERIFY2(run.failure.isEmpty() && run.finished, qPrintable(run.failure));
    QCOMPARE(run.outcome.status, u"ok"_s);
    QVERIFY(run.process.out.tail.contains("read-step-ran"));
    QCOMPARE(run.notRecorded.size(), 1);
    QVERIFY2(run.notRecorded.constFirst().contains(u"is full"_s), qPrintable(run.notRecorded.constFirst()));
    QVERIFY(executor.notRecordedReason().contains(u"is full"_s));
    QVERIFY(kindsOf(eventsOf(store, incident)).isEmpty());
    QCOMPARE(audit.unrecordedCount(), 0); // nothing half-recorded waits: no finish without its start
}

namespace {
PgConnectionOptions sandboxSuperuser(const QString& purpose)
{
    const QUrl u(qEnvironmentVariable("DATABASE_URL"));
    PgConnectionOptions o;
    o.conninfo = u"postgresql://%1@%2:%3%4"_s.arg(u.userName(), u.host()).arg(u.port()).arg(u.path());
    o.password = u.password();
    o.connectTimeoutS = 10;
    o.purpose = purpose;
    o.queryDeadlineMs = 0;
    return o;
}
} // namespace

void TestAuditFailClosed::dbaTerminateNeverRuns()
{
    if (!inChild()) {
        if (m_env.isEmpty())
            QSKIP("no sandbox: run through ctest (fixture sandbox)");
        runInFullDiskChild("dbaTerminateNeverRuns");
        return;
    }
    const QString folder = qEnvironmentVariable(FullDiskVar);
    StoreClient store(folder + u"/incidents.sqlite"_s);
    AuditRecorder audit(&store);
    const qint64 incident = openWithIncident(store);
    QVERIFY(incident > 0);
    QString error;
    auto victim = PgTest::open(sandboxSuperuser(u"audit-victim"_s), &error);
    QVERIFY2(victim, qPrintable(error));
    // Another program's session: the console's own (petforce-console/…) are never signalled.
    QVERIFY(PgTest::exec(*victim, PgQuery::script(u"SET application_name = 'petforce-api'"_s)).ok());
    const PgResult me = PgTest::exec(*victim,
        PgQuery::script(u"SELECT pid, backend_start::text, backend_type FROM pg_stat_activity "
                        "WHERE pid = pg_backend_pid()"_s));
    QVERIFY2(me.ok() && me.rows().size() == 1, qPrintable(me.summary()));
    DbaSession target;
    target.pid = me.rows().at(0).at(0).toInt();
    target.backendStartText = me.rows().at(0).at(1).toString();
    target.backendType = me.rows().at(0).at(2).toString();
    DbaActions actions;
    actions.setAudit(&audit);
    actions.setConnectionOptions(sandboxSuperuser(u"dba-write"_s));
    const DbaAction terminate = actions.signalAction(DbaActions::Signal::Terminate, { target });
    QCOMPARE(terminate.targets.size(), 1);
    QVERIFY(fillDisk(folder));

    QSignalSpy finished(&actions, &DbaActions::finished);
    QVERIFY(actions.run(terminate, incident, u"sandbox"_s, u"typed petforce"_s));
    QVERIFY(finished.wait(30000));
    const DbaActionResult refused = finished.constFirst().at(1).value<DbaActionResult>();
    QVERIFY(!refused.ok);
    QVERIFY2(refused.message.contains(u"Nothing ran"_s) && refused.message.contains(u"is full"_s),
        qPrintable(refused.message));
    QVERIFY(refused.signalled.isEmpty());
    QVERIFY(PgTest::exec(*victim, PgQuery::script(u"SELECT 1"_s)).ok()); // still there
    QVERIFY(kindsOf(eventsOf(store, incident)).isEmpty());

    // With room again, the same action runs, recorded before and after (the check can fail).
    QVERIFY(QFile::remove(folder + u"/filler"_s));
    finished.clear();
    QVERIFY(actions.run(terminate, incident, u"sandbox"_s, u"typed petforce"_s));
    QVERIFY(finished.wait(30000));
    const DbaActionResult done = finished.constFirst().at(1).value<DbaActionResult>();
    QVERIFY2(done.ok && done.signalled == QList<int> { target.pid }, qPrintable(done.message));
    QTRY_COMPARE(kindsOf(eventsOf(store, incident)), QStringList({ u"command.started"_s, u"command.finished"_s }));
}

void TestAuditFailClosed::finishRetriedUntilSpaceFreed()
{
    if (!inChild()) {
        runInFullDiskChild("finishRetriedUntilSpaceFreed");
        return;
    }
    const QString folder = qEnvironmentVariable(FullDiskVar);
    StoreClient store(folder + u"/incidents.sqlite"_s);
    AuditRecorder audit(&store);
    audit.setRetryInterval(200);
    const qint64 incident = openWithIncident(store);
    QVERIFY(incident > 0);
    QSignalSpy notRecorded(&audit, &AuditRecorder::finishNotRecorded);
    QSignalSpy recorded(&audit, &AuditRecorder::finishRecorded);
    StepExecutor executor(&audit, nullptr);
    QTemporaryDir runs(qEnvironmentVariable(OutsideVar) + u"/runs-XXXXXX"_s);
    executor.setRunsFolder(runs.path());
    // The step's start lands; the step itself fills the disk, so its finish cannot be written.
    const Run run = runToEnd(executor,
        { handStep(StepKind::Shell, StepRisk::Write,
              u"head -c 100M /dev/zero > '%1/filler' 2>/dev/null; echo filled"_s.arg(folder)),
            m_profile, {}, incident, u"runbook:probe#diagnosis/0"_s });
    QVERIFY2(run.failure.isEmpty() && run.finished, qPrintable(run.failure));
    QVERIFY(notRecorded.wait(10000));
    QVERIFY2(notRecorded.constFirst().at(1).toString().contains(u"is full"_s),
        qPrintable(notRecorded.constFirst().at(1).toString()));
    QCOMPARE(audit.unrecordedCount(), 1);
    QVERIFY(audit.isUnrecorded(executor.runId()));
    // Retried meanwhile (every 200 ms here), still refused: nothing lands, nothing is lost.
    QTest::qWait(700);
    QCOMPARE(recorded.size(), 0);
    QCOMPARE(kindsOf(eventsOf(store, incident)), QStringList { u"command.started"_s });
    // Space freed: the next retry lands, once.
    QVERIFY(QFile::remove(folder + u"/filler"_s));
    QVERIFY(recorded.wait(10000));
    QCOMPARE(recorded.constFirst().constFirst().toString(), executor.runId());
    QCOMPARE(audit.unrecordedCount(), 0);
    QTest::qWait(500);
    const QList<TimelineEvent> events = eventsOf(store, incident);
    QCOMPARE(kindsOf(events), QStringList({ u"command.started"_s, u"command.finished"_s }));
    QCOMPARE(events.constLast().detail.value(u"status"_s).toString(), u"ok"_s);
    QVERIFY(events.constLast().detail.value(u"recordedLate"_s).toBool());
    QVERIFY(unfinishedRuns(events).isEmpty());
}

void TestAuditFailClosed::keychainFailureRecordsFinish()
{
    // No full disk: a keychain that cannot be reached (no session bus), the real SecretStore.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/petforce-test-bus");
    QTemporaryDir dir;
    StoreClient store(dir.filePath(u"incidents.sqlite"_s));
    AuditRecorder audit(&store);
    const qint64 incident = openWithIncident(store);
    QVERIFY(incident > 0);
    SecretStore secrets(u"app.petforce.OpsConsole.test"_s);
    StepExecutor executor(&audit, &secrets);
    EnvironmentProfile profile = m_profile;
    profile.setName(u"keychain-probe"_s);
    profile.setPasswordEnv({});
    profile.setPasswordSecret(u"probe-db-password"_s);
    profile.setValue(EnvironmentProfile::Field::DatabaseUrl, u"postgresql://probe@127.0.0.1:1/probe"_s);
    const Run run = runToEnd(executor,
        { handStep(StepKind::Sql, StepRisk::Write, u"SELECT 1"_s), profile, {}, incident,
            u"runbook:probe#diagnosis/0"_s });
    QVERIFY2(run.finished, qPrintable(run.failure));
    QCOMPARE(run.outcome.status, u"not started"_s);
    QVERIFY2(run.outcome.error.contains(u"password"_s, Qt::CaseInsensitive), qPrintable(run.outcome.error));
    QTRY_COMPARE(kindsOf(eventsOf(store, incident)), QStringList({ u"command.started"_s, u"command.finished"_s }));
    const QList<TimelineEvent> events = eventsOf(store, incident);
    QVERIFY(unfinishedRuns(events).isEmpty()); // after a restart: "not started", never "outcome unknown"
    QCOMPARE(events.constLast().detail.value(u"status"_s).toString(), u"not started"_s);
}

void TestAuditFailClosed::stopWhileRecordingRecordsEnd()
{
    // Stopped before the start's commit answered: nothing runs, and the end is recorded after the start.
    QTemporaryDir dir;
    const QString marker = fakeAws(dir.path());
    qputenv("PATH", (dir.path() + u"/bin:"_s).toLocal8Bit() + qgetenv("PATH"));
    StoreClient store(dir.filePath(u"incidents.sqlite"_s));
    AuditRecorder audit(&store);
    const qint64 incident = openWithIncident(store);
    QVERIFY(incident > 0);
    StepExecutor executor(&audit, nullptr);
    executor.setRunsFolder(dir.path());
    QSignalSpy assessed(&executor, &StepExecutor::assessed);
    QSignalSpy finished(&executor, &StepExecutor::finished);
    QVERIFY(executor.assess({ handStep(StepKind::Aws, StepRisk::Destructive, u"aws ecs stop-task --task x"_s),
        m_profile, {}, incident, u"runbook:probe#diagnosis/0"_s }));
    QVERIFY(QTest::qWaitFor([&] { return !assessed.isEmpty(); }, 10000));
    QVERIFY(executor.run(u"typed probe"_s));
    QVERIFY(executor.isWaitingForRecord()); // the commit's answer comes later, never inside run()
    executor.stop();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.constFirst().constFirst().value<CommandOutcome>().status, u"stopped"_s);
    QTRY_COMPARE(kindsOf(eventsOf(store, incident)), QStringList({ u"command.started"_s, u"command.finished"_s }));
    QTest::qWait(300);
    QVERIFY(!QFile::exists(marker));
}

void TestAuditFailClosed::startWaitsForCommit()
{
    // What waiting for the commit costs: run() → started() over a store on this test's disk, 20 runs.
    QTemporaryDir dir;
    StoreClient store(dir.filePath(u"incidents.sqlite"_s));
    AuditRecorder audit(&store);
    const qint64 incident = openWithIncident(store);
    QVERIFY(incident > 0);
    StepExecutor executor(&audit, nullptr);
    executor.setRunsFolder(dir.path());
    QList<qint64> waits;
    for (int i = 0; i < 20; ++i) {
        QSignalSpy assessed(&executor, &StepExecutor::assessed);
        QSignalSpy started(&executor, &StepExecutor::started);
        QSignalSpy finished(&executor, &StepExecutor::finished);
        QVERIFY(executor.assess({ handStep(StepKind::Shell, StepRisk::Write, u"true"_s), m_profile, {}, incident,
            u"runbook:probe#diagnosis/0"_s }));
        QVERIFY(QTest::qWaitFor([&] { return !assessed.isEmpty(); }, 10000));
        QElapsedTimer timer;
        timer.start();
        QVERIFY(executor.run(u"shown"_s));
        QVERIFY(started.isEmpty()); // never before the commit's answer
        QVERIFY(started.wait(10000));
        waits.append(timer.elapsed());
        QVERIFY(finished.wait(10000));
    }
    std::sort(waits.begin(), waits.end());
    qInfo("run() → started(): median %lld ms, max %lld ms over %lld runs", waits.at(waits.size() / 2),
        waits.constLast(), qlonglong(waits.size()));
    QVERIFY(waits.at(waits.size() / 2) < 500);
    QTRY_COMPARE(kindsOf(eventsOf(store, incident)).size(), 40);
}

QTEST_GUILESS_MAIN(TestAuditFailClosed)
#include "tst_auditfailclosed.moc"
