// SPDX-License-Identifier: MIT
// The DBA models without a server: in-place session updates, the blocking tree, filters, slow-query deltas.
#include "models/blockingtreemodel.h"
#include "models/dbahealth.h"
#include "models/dbasessionfiltermodel.h"
#include "models/dbasessionmodel.h"
#include "models/slowquerymodel.h"
#include "services/dbaactions.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
DbaSession session(int pid, const QString& state, double stateAge = 1, const QString& app = u"petforce-api"_s)
{
    DbaSession s;
    s.pid = pid;
    s.backendStartText = u"2026-11-26 10:00:00.%1+00"_s.arg(pid, 6, 10, QLatin1Char('0'));
    s.state = state;
    s.stateAgeS = stateAge;
    s.queryAgeS = stateAge;
    s.application = app;
    s.backendType = u"client backend"_s;
    s.query = u"SELECT %1"_s.arg(pid);
    return s;
}

SlowQueryStat stat(qint64 calls, double total)
{
    SlowQueryStat s;
    s.key = u"a"_s;
    s.query = u"SELECT 1"_s;
    s.calls = calls;
    s.totalMs = total;
    s.meanMs = total / double(calls);
    s.rows = calls;
    return s;
}
} // namespace

class TestDbaModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parseIntArray();
    void updatesInPlace();
    void agesMoveOnWithOneSignal();
    void staleGreys();
    void blockingTreeThreeLevels();
    void blockingTreeCycle();
    void blockingTreeKeptWhileUnchanged();
    void filters();
    void parseInterval_data();
    void parseInterval();
    void slowQueryDeltas();
    void summaryHeadroom();
    void signalActionRefusesOwnAndBackground();
    void healthRates();
};

void TestDbaModels::parseIntArray()
{
    QCOMPARE(DbaSession::parseIntArray(u"{12,34}"_s), (QList<int> { 12, 34 }));
    QCOMPARE(DbaSession::parseIntArray(u"{}"_s), QList<int>());
    QCOMPARE(DbaSession::parseIntArray(u""_s), QList<int>());
    QCOMPARE(DbaSession::parseIntArray(u"{7}"_s), QList<int> { 7 });
    QCOMPARE(DbaSession::parseIntArray(u"{1, -2,x,3,99999999999}"_s), (QList<int> { 1, -2, 3 }));
}

void TestDbaModels::updatesInPlace()
{
    DbaSessionModel model;
    QAbstractItemModelTester tester(&model);
    model.setSessions({ session(1, u"idle"_s), session(2, u"active"_s), session(3, u"idle"_s) });
    QCOMPARE(model.rowCount(), 3);
    QPersistentModelIndex second = model.index(1, 0);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    DbaSession two = session(2, u"idle in transaction"_s, 5);
    model.setSessions({ two, session(3, u"idle"_s), session(4, u"active"_s) });
    QCOMPARE(reset.count(), 0);
    QCOMPARE(removed.count(), 1); // pid 1
    QCOMPARE(inserted.count(), 1); // pid 4
    QCOMPARE(changed.count(), 1); // pid 2 only; pid 3 unchanged
    QVERIFY(second.isValid());
    QCOMPARE(second.data(DbaSessionModel::PidRole).toInt(), 2);
    QCOMPARE(second.data(DbaSessionModel::StateRole).toString(), u"idle in transaction"_s);
    // the same pid with another backend_start is another session
    DbaSession reused = session(3, u"active"_s);
    reused.backendStartText = u"2026-11-26 11:00:00+00"_s;
    model.setSessions({ two, reused, session(4, u"active"_s) });
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowOf(reused.key()), 2);
}

void TestDbaModels::agesMoveOnWithOneSignal()
{
    DbaSessionModel model;
    QAbstractItemModelTester tester(&model);
    QList<DbaSession> sessions;
    for (int pid = 1; pid <= 50; ++pid)
        sessions.append(session(pid, pid % 2 ? u"idle"_s : u"active"_s, pid));
    model.setSessions(sessions);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    for (DbaSession& s : sessions) {
        s.stateAgeS += 1;
        s.queryAgeS += 1;
    }
    sessions[9].state = u"idle in transaction"_s; // and one really changed
    model.setSessions(sessions);
    QCOMPARE(changed.count(), 2);
    const auto rowSignal = changed.at(0);
    QCOMPARE(rowSignal.at(0).toModelIndex().row(), 9);
    QCOMPARE(rowSignal.at(1).toModelIndex().row(), 9);
    QCOMPARE(rowSignal.at(1).toModelIndex().column(), DbaSessionModel::ColumnCount - 1);
    const auto ageSignal = changed.at(1);
    QCOMPARE(ageSignal.at(0).toModelIndex(), model.index(0, DbaSessionModel::TransactionAgeColumn));
    QCOMPARE(ageSignal.at(1).toModelIndex(), model.index(49, DbaSessionModel::StateAgeColumn));
    QCOMPARE(model.index(4, DbaSessionModel::PidColumn).data(DbaSessionModel::StateAgeRole).toDouble(), 6.0);
    QCOMPARE(model.index(9, 0).data(DbaSessionModel::StateRole).toString(), u"idle in transaction"_s);
    changed.clear();
    model.setSessions(sessions); // nothing moved
    QCOMPARE(changed.count(), 0);
}

void TestDbaModels::staleGreys()
{
    DbaSessionModel model;
    model.setSessions({ session(1, u"idle"_s) });
    QVERIFY(!model.index(0, 0).data(Qt::ForegroundRole).isValid());
    model.setStale(true);
    QVERIFY(model.index(0, 0).data(Qt::ForegroundRole).isValid());
    model.setSessions({ session(1, u"idle"_s) });
    QVERIFY(!model.isStale());
}

void TestDbaModels::blockingTreeThreeLevels()
{
    BlockingTreeModel model;
    QAbstractItemModelTester tester(&model);
    DbaSession root = session(10, u"idle in transaction"_s);
    DbaSession mid = session(20, u"active"_s);
    mid.blockedBy = { 10 };
    DbaSession leaf = session(30, u"active"_s);
    leaf.blockedBy = { 20 };
    DbaSession other = session(40, u"idle"_s);
    model.setSessions({ leaf, other, mid, root });
    QCOMPARE(model.rootPids(), QList<int> { 10 });
    QStandardItem* top = model.item(0, 0);
    QVERIFY(top->data(BlockingTreeModel::RootRole).toBool());
    QCOMPARE(top->rowCount(), 1);
    QCOMPARE(top->child(0, 0)->data(BlockingTreeModel::PidRole).toInt(), 20);
    QCOMPARE(top->child(0, 0)->rowCount(), 1);
    QCOMPARE(top->child(0, 0)->child(0, 0)->data(BlockingTreeModel::PidRole).toInt(), 30);
    QCOMPARE(model.waitingCount(), 2);
}

void TestDbaModels::blockingTreeCycle()
{
    BlockingTreeModel model;
    DbaSession a = session(1, u"active"_s);
    a.blockedBy = { 2 };
    DbaSession b = session(2, u"active"_s);
    b.blockedBy = { 1 };
    model.setSessions({ a, b });
    QCOMPARE(model.rootPids(), QList<int> { 1 });
    QCOMPARE(model.item(0, 0)->rowCount(), 1);
}

void TestDbaModels::blockingTreeKeptWhileUnchanged()
{
    BlockingTreeModel model;
    QAbstractItemModelTester tester(&model);
    DbaSession root = session(10, u"idle in transaction"_s, 100);
    DbaSession leaf = session(30, u"active"_s, 5);
    leaf.blockedBy = { 10 };
    model.setSessions({ leaf, root, session(40, u"idle"_s) });
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    const QPersistentModelIndex leafAge = model.index(0, BlockingTreeModel::AgeColumn, model.index(0, 0));
    QCOMPARE(leafAge.data().toString(), u"5 s"_s);

    leaf.queryAgeS = 6; // only the ages moved on: updated in place
    root.queryAgeS = 101;
    model.setSessions({ leaf, root, session(40, u"idle"_s, 7) });
    QCOMPARE(removed.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QVERIFY(leafAge.isValid());
    QCOMPARE(leafAge.data().toString(), u"6 s"_s);
    QCOMPARE(model.index(0, BlockingTreeModel::AgeColumn).data().toString(), u"1 min 41 s"_s);

    DbaSession second = session(31, u"active"_s); // a new waiter: rebuilt
    second.blockedBy = { 10 };
    model.setSessions({ leaf, root, second });
    QVERIFY(removed.count() > 0);
    QCOMPARE(model.item(0, 0)->rowCount(), 2);
    QCOMPARE(model.waitingCount(), 2);

    model.setSessions({ root }); // nobody waits any more
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.waitingCount(), 0);
}

void TestDbaModels::filters()
{
    DbaSessionModel model;
    DbaSessionFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter);
    model.setSessions({ session(1, u"idle"_s, 700), session(2, u"idle"_s, 5), session(3, u"active"_s, 400),
        session(4, u"idle in transaction"_s, 20, u"petforce-worker"_s), session(5, u"active"_s, 1) });
    QCOMPARE(filter.rowCount(), 5);
    filter.setStateFilter(DbaSessionFilterModel::StateFilter::HideIdle);
    QCOMPARE(filter.rowCount(), 3);
    filter.setStateFilter(DbaSessionFilterModel::StateFilter::IdleInTransaction);
    QCOMPARE(filter.rowCount(), 1);
    filter.applyIdlePreset(600);
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.index(0, 0).data(DbaSessionModel::PidRole).toInt(), 1);
    filter.applyLongRunningPreset(300);
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.index(0, 0).data(DbaSessionModel::PidRole).toInt(), 3);
    filter.clearFilters();
    filter.setApplication(u"petforce-worker"_s);
    QCOMPARE(filter.rowCount(), 1);
    filter.clearFilters();
    filter.setText(u"select 5"_s);
    QCOMPARE(filter.rowCount(), 1);
}

void TestDbaModels::parseInterval_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("seconds");
    QTest::newRow("sandbox") << u"10 seconds"_s << 10.0;
    QTest::newRow("runbook") << u"10 minutes"_s << 600.0;
    QTest::newRow("hms") << u"00:10:00"_s << 600.0;
    QTest::newRow("hour") << u"1 hour"_s << 3600.0;
    QTest::newRow("junk") << u"soon"_s << -1.0;
}

void TestDbaModels::parseInterval()
{
    QFETCH(QString, text);
    QFETCH(double, seconds);
    QCOMPARE(DbaSessionFilterModel::parseInterval(text), seconds);
}

void TestDbaModels::slowQueryDeltas()
{
    SlowQueryModel model;
    QAbstractItemModelTester tester(&model);
    model.setStatements({ stat(10, 100.0) });
    QCOMPARE(model.statements().first().deltaCalls, -1);
    model.setStatements({ stat(14, 180.0) });
    QCOMPARE(model.statements().first().deltaCalls, 4);
    QCOMPARE(model.statements().first().deltaMeanMs(), 20.0);
    model.setStatements({ stat(2, 10.0) }); // reset between refreshes
    QCOMPARE(model.statements().first().deltaCalls, -1);
    model.setMinimumMeanMs(100);
    QCOMPARE(model.rowCount(), 0);
}

void TestDbaModels::summaryHeadroom()
{
    QList<DbaSession> sessions;
    for (int i = 0; i < 39; ++i)
        sessions.append(session(100 + i, u"idle"_s));
    DbaSession bg;
    bg.pid = 5;
    bg.backendType = u"checkpointer"_s;
    sessions.append(bg);
    sessions[0].own = true;
    const auto s = DbaConnectionSummary::from(sessions, 40, 3);
    QCOMPARE(s.total, 40);
    QCOMPARE(s.headroom(), 1);
    QVERIFY(s.headroomLow());
    QCOMPARE(s.own, 1);
    QCOMPARE(s.byState.value(u"idle"_s), 39);
    QCOMPARE(s.byState.value(u"(none)"_s), 1);
    // this console's own session is counted apart in the by-application table
    QCOMPARE(s.byApplicationState.value(qMakePair(u"petforce-api"_s, u"idle"_s)), 38);
    QCOMPARE(s.ownByApplicationState.value(qMakePair(u"petforce-api"_s, u"idle"_s)), 1);
    QCOMPARE(s.ownByApplicationState.size(), 1);
}

void TestDbaModels::signalActionRefusesOwnAndBackground()
{
    DbaActions actions;
    actions.setOwnPids({ 7 });
    DbaSession own = session(7, u"active"_s);
    DbaSession bg = session(8, QString());
    bg.backendType = u"autovacuum launcher"_s;
    DbaSession target = session(9, u"idle"_s);
    const DbaAction a = actions.signalAction(DbaActions::Signal::Terminate, { own, bg, target });
    QCOMPARE(a.targets.size(), 1);
    QCOMPARE(a.targets.first().pid, 9);
    QCOMPARE(a.refused.size(), 2);
    QCOMPARE(a.risk, StepRisk::Destructive);
    QVERIFY(a.query.sql.contains(u"s.backend_start = t.backend_start"_s));
    QCOMPARE(a.query.parameters.value(0).toString(), u"{9}"_s);
    QCOMPARE(a.query.parameters.value(1).toString(), u"{\"%1\"}"_s.arg(target.backendStartText));
    const ConfirmationRequest r = DbaActions::confirmation(a, u"production"_s, u"petforce-production"_s);
    QCOMPARE(r.level(), ConfirmationRequest::Level::TypeName);
    QCOMPARE(r.affectedCount.value_or(-1), 1);
    QVERIFY(DbaActions::createIndexAction().query.requireNoTransaction);
}

void TestDbaModels::healthRates()
{
    DbaHealth a;
    a.commits = 100;
    a.deadlocks = 1;
    a.sampledAt = 1000;
    DbaHealth b = a;
    b.commits = 150;
    b.deadlocks = 2;
    b.sampledAt = 1010;
    b.computeRates(a);
    QCOMPARE(b.commitsPerS, 5.0);
    QCOMPARE(b.deadlocksPerS, 0.1);
}

QTEST_GUILESS_MAIN(TestDbaModels)
#include "tst_dbamodels.moc"
