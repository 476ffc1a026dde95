// SPDX-License-Identifier: MIT
// DbaMonitor and DbaActions against the sandbox's real PostgreSQL 15: sessions in each state with their ages,
// a three-level lock chain as a tree, terminate of exactly a selection, a reused pid refused, a role without
// privileges, a database without pg_stat_statements.
#include "dbatestsupport.h"
#include "models/blockingtreemodel.h"
#include "services/auditrecorder.h"
#include "services/dbaactions.h"
#include "services/storeclient.h"
#include "support/sandboxenv.h"

#include <QTemporaryDir>
#include <QUrl>

#include <functional>

using namespace Qt::StringLiterals;
using namespace DbaTest;

class TestDbaMonitor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void sessionsOfEachState();
    void unchangedSessionsAreNotSentAgain();
    void lockChainIsATree();
    void terminateExactlyASelection();
    void reusedPidIsRefused();
    void actionIsOnTheTimeline();
    void ownAndBackgroundRefused();
    void roleWithoutPrivileges();
    void extensionMissing();
    void invalidIndexDetectedAndDropped();

private:
    PgConnectionOptions superuser(const QString& purpose = u"dba-test"_s) const;
    PgConnectionOptions fromUrl(const QString& url) const;
    std::unique_ptr<DbaMonitor> startMonitor(const PgConnectionOptions& o);
    DbaActionResult runAction(DbaActions& actions, const DbaAction& action);

    QMap<QString, QString> m_env;
};

void TestDbaMonitor::initTestCase()
{
    QString why;
    m_env = SandboxEnv::load(&why);
    if (m_env.isEmpty())
        QSKIP(qPrintable(why));
    auto s = open(superuser());
    QVERIFY(s);
    QVERIFY(exec(*s,
        u"DROP TABLE IF EXISTS dba_test_chain; CREATE TABLE dba_test_chain (id int PRIMARY KEY, v int); "
        "INSERT INTO dba_test_chain VALUES (1, 0), (2, 0), (3, 0)"_s)
                .ok());
}

void TestDbaMonitor::cleanupTestCase()
{
    if (m_env.isEmpty())
        return;
    if (auto s = open(superuser())) {
        exec(*s, u"DROP TABLE IF EXISTS dba_test_chain"_s);
        exec(*s, u"DROP ROLE IF EXISTS dba_test_plain"_s);
    }
}

PgConnectionOptions TestDbaMonitor::fromUrl(const QString& url) const
{
    PgConnectionOptions o;
    const QUrl u(url);
    o.conninfo = u"postgresql://%1@%2:%3%4"_s.arg(u.userName(), u.host()).arg(u.port()).arg(u.path());
    o.password = u.password();
    o.connectTimeoutS = 10;
    return o;
}

PgConnectionOptions TestDbaMonitor::superuser(const QString& purpose) const
{
    PgConnectionOptions o = fromUrl(m_env.value(u"DATABASE_URL"_s));
    o.purpose = purpose;
    o.statementTimeoutMs = 0;
    o.lockTimeoutMs = 0;
    o.queryDeadlineMs = 0;
    return o;
}

std::unique_ptr<DbaMonitor> TestDbaMonitor::startMonitor(const PgConnectionOptions& o)
{
    auto m = std::make_unique<DbaMonitor>();
    m->setConnectionOptions(o);
    m->setIntervalMs(60000); // the test refreshes by hand
    QSignalSpy changed(m.get(), &DbaMonitor::connectionChanged);
    m->start();
    if (!QTest::qWaitFor([&] { return m->isConnected(); }, 20000))
        return nullptr;
    return m;
}

DbaActionResult TestDbaMonitor::runAction(DbaActions& actions, const DbaAction& action)
{
    QSignalSpy finished(&actions, &DbaActions::finished);
    if (!actions.run(action, 0, u"sandbox"_s, u"test"_s))
        return {};
    if (!finished.wait(30000))
        return {};
    return finished.last().at(1).value<DbaActionResult>();
}

void TestDbaMonitor::sessionsOfEachState()
{
    auto idle = open(superuser(u"t-idle"_s));
    auto inTx = open(superuser(u"t-tx"_s));
    auto active = open(superuser(u"t-active"_s));
    QVERIFY(idle && inTx && active);
    QVERIFY(exec(*idle, u"SELECT 1"_s).ok());
    QVERIFY(exec(*inTx, u"BEGIN; SELECT 1"_s).ok());
    send(*active, u"SELECT pg_sleep(60)"_s);
    QTest::qWait(1500);

    auto monitor = startMonitor(DbaMonitor::viewOptions(superuser()));
    QVERIFY(monitor);
    DbaConnectionSummary summary;
    const QList<DbaSession> sessions = refresh(*monitor, &summary);
    QVERIFY(!sessions.isEmpty());
    const auto i = find(sessions, idle->backendPid());
    const auto t = find(sessions, inTx->backendPid());
    const auto a = find(sessions, active->backendPid());
    const auto own = find(sessions, monitor->ownPid());
    QVERIFY(i && t && a && own);
    QCOMPARE(i->state, u"idle"_s);
    QCOMPARE(t->state, u"idle in transaction"_s);
    QCOMPARE(a->state, u"active"_s);
    QVERIFY2(i->stateAgeS >= 1.0 && i->stateAgeS < 30, qPrintable(QString::number(i->stateAgeS)));
    QVERIFY(t->transactionAgeS >= 1.0 && t->transactionAgeS < 30);
    QVERIFY(a->queryAgeS >= 1.0 && a->queryAgeS < 30);
    QVERIFY(a->query.contains(u"pg_sleep"_s));
    QCOMPARE(i->application, u"petforce-console/t-idle"_s);
    QVERIFY(own->own);
    QCOMPARE(own->application, u"petforce-console/dba"_s);
    QVERIFY(!i->own);
    QVERIFY(i->backendStart.isValid());
    QVERIFY(summary.maxConnections > 0);
    QVERIFY(summary.own >= 1);
    QCOMPARE(summary.headroom(), summary.maxConnections - summary.clientBackends);
    // the view session is read-only
    auto viewSession = monitor->session();
    const PgResult ro = exec(*viewSession, u"SHOW default_transaction_read_only"_s);
    QCOMPARE(ro.rows().value(0).value(0).toString(), u"on"_s);
    active->close();
}

void TestDbaMonitor::unchangedSessionsAreNotSentAgain()
{
    auto helper = open(superuser(u"t-delta"_s));
    QVERIFY(helper);
    const int pid = helper->backendPid();
    QVERIFY(exec(*helper, u"SELECT 'delta-one'"_s).ok());

    // The server's side: an idle session unchanged since the given time comes back as its pid only.
    auto probe = open(superuser(u"t-probe"_s));
    QVERIFY(probe);
    const auto sessionsSince = [&](double since) {
        PgQuery q;
        q.sql = DbaMonitor::sessionsSql();
        q.parameters = { since };
        return exec(*probe, q);
    };
    const PgResult all = sessionsSince(0.0);
    QVERIFY2(all.ok(), qPrintable(all.summary()));
    const double now = all.rows().last().value(10).toDouble();
    QVERIFY(now > 0);
    const auto fullRowOf = [pid](const PgResult& r) {
        for (const QList<QVariant>& row : r.rows())
            if (row.value(0).isValid() && row.value(0).toInt() == pid)
                return true;
        return false;
    };
    QVERIFY(fullRowOf(all));
    QVERIFY(DbaSession::parseIntArray(all.rows().last().value(15).toString()).contains(pid));
    const PgResult since = sessionsSince(now + 1);
    QVERIFY2(since.ok(), qPrintable(since.summary()));
    QVERIFY(!fullRowOf(since));
    QVERIFY(since.rows().size() < all.rows().size());
    QVERIFY(DbaSession::parseIntArray(since.rows().last().value(15).toString()).contains(pid));

    // The monitor's side: the session stays, as it was, its age moving on; each change shows.
    auto monitor = startMonitor(DbaMonitor::viewOptions(superuser()));
    QVERIFY(monitor);
    const auto first = find(refresh(*monitor), pid);
    QVERIFY(first);
    QCOMPARE(first->state, u"idle"_s);
    QVERIFY(first->query.contains(u"delta-one"_s));
    std::optional<DbaSession> later;
    QVERIFY(QTest::qWaitFor(
        [&] {
            later = find(refresh(*monitor), pid);
            return !later || later->stateAgeS > first->stateAgeS + DbaMonitor::ChangeMarginS + 0.5;
        },
        30000));
    QVERIFY(later);
    QCOMPARE(later->backendStartText, first->backendStartText);
    QCOMPARE(later->query, first->query);
    QCOMPARE(later->application, u"petforce-console/t-delta"_s);
    QVERIFY(later->sameExceptAges(*first));

    const auto waitFor = [&](const std::function<bool(const DbaSession&)>& what) {
        return QTest::qWaitFor(
            [&] {
                const auto s = find(refresh(*monitor), pid);
                return s && what(*s);
            },
            20000);
    };
    QVERIFY(exec(*helper, u"SELECT 'delta-two'"_s).ok());
    QVERIFY(waitFor([](const DbaSession& s) { return s.query.contains(u"delta-two"_s) && s.isIdle(); }));
    QVERIFY(exec(*helper, u"BEGIN; SELECT 'delta-three'"_s).ok());
    QVERIFY(waitFor([](const DbaSession& s) { return s.isIdleInTransaction() && s.transactionAgeS >= 0; }));
    QVERIFY(exec(*helper, u"COMMIT"_s).ok());
    QVERIFY(waitFor([](const DbaSession& s) { return s.isIdle() && s.transactionAgeS < 0; }));
    helper->close();
    QVERIFY(QTest::qWaitFor([&] { return !find(refresh(*monitor), pid); }, 20000));
}

void TestDbaMonitor::lockChainIsATree()
{
    auto a = open(superuser(u"t-root"_s));
    auto b = open(superuser(u"t-mid"_s));
    auto c = open(superuser(u"t-leaf"_s));
    QVERIFY(a && b && c);
    QVERIFY(exec(*a, u"BEGIN; UPDATE dba_test_chain SET v = 1 WHERE id = 1"_s).ok());
    send(*b, u"BEGIN; UPDATE dba_test_chain SET v = 2 WHERE id = 2; UPDATE dba_test_chain SET v = 2 WHERE id = 1"_s);
    QTest::qWait(500);
    send(*c, u"UPDATE dba_test_chain SET v = 3 WHERE id = 2"_s);

    auto monitor = startMonitor(DbaMonitor::viewOptions(superuser()));
    QVERIFY(monitor);
    QList<DbaSession> sessions;
    QVERIFY(QTest::qWaitFor(
        [&] {
            sessions = refresh(*monitor);
            const auto leaf = find(sessions, c->backendPid());
            return leaf && !leaf->blockedBy.isEmpty();
        },
        15000));
    QCOMPARE(find(sessions, b->backendPid())->blockedBy, QList<int> { a->backendPid() });
    QCOMPARE(find(sessions, c->backendPid())->blockedBy, QList<int> { b->backendPid() });
    QVERIFY(find(sessions, a->backendPid())->blockedBy.isEmpty()); // not waiting: pg_blocking_pids not called

    BlockingTreeModel tree;
    tree.setSessions(sessions);
    QVERIFY(tree.rootPids().contains(a->backendPid()));
    QStandardItem* root = nullptr;
    for (int r = 0; r < tree.rowCount(); ++r)
        if (tree.item(r, 0)->data(BlockingTreeModel::PidRole).toInt() == a->backendPid())
            root = tree.item(r, 0);
    QVERIFY(root);
    QCOMPARE(root->rowCount(), 1);
    QCOMPARE(root->child(0, 0)->data(BlockingTreeModel::PidRole).toInt(), b->backendPid());
    QCOMPARE(root->child(0, 0)->child(0, 0)->data(BlockingTreeModel::PidRole).toInt(), c->backendPid());

    a->close(); // releases the root
    b->close(); // its transaction holds the row the leaf waits for
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto leaf = find(refresh(*monitor), c->backendPid());
            return !leaf || leaf->blockedBy.isEmpty();
        },
        15000));
}

void TestDbaMonitor::terminateExactlyASelection()
{
    std::vector<std::unique_ptr<PgSession>> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(openClient(superuser(), u"t-victim"_s));
        QVERIFY(held.back());
    }
    auto monitor = startMonitor(DbaMonitor::viewOptions(superuser()));
    QVERIFY(monitor);
    const QList<DbaSession> sessions = refresh(*monitor);
    QList<DbaSession> selection { *find(sessions, held[0]->backendPid()), *find(sessions, held[2]->backendPid()) };

    DbaActions actions;
    actions.setConnectionOptions(superuser());
    actions.setOwnPids(monitor->ownPids());
    const DbaAction action = actions.signalAction(DbaActions::Signal::Terminate, selection);
    QCOMPARE(action.targets.size(), 2);
    // Taken before acting: a terminated session notices the lost connection and forgets its pid.
    const QSet<int> expected { held[0]->backendPid(), held[2]->backendPid() };
    const DbaActionResult r = runAction(actions, action);
    QVERIFY2(r.ok, qPrintable(r.message));
    QCOMPARE(QSet<int>(r.signalled.cbegin(), r.signalled.cend()), expected);
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto after = refresh(*monitor);
            return std::none_of(expected.cbegin(), expected.cend(), [&](int pid) { return find(after, pid); });
        },
        10000));
    const auto after = refresh(*monitor);
    QVERIFY(find(after, held[1]->backendPid()));
    QVERIFY(find(after, held[3]->backendPid()));
    QVERIFY(find(after, monitor->ownPid()));
    QVERIFY(!find(after, actions.writePid()) || actions.writePid() == 0); // the write session is closed after
}

void TestDbaMonitor::reusedPidIsRefused()
{
    auto victim = openClient(superuser(), u"t-reused"_s);
    QVERIFY(victim);
    auto monitor = startMonitor(DbaMonitor::viewOptions(superuser()));
    QVERIFY(monitor);
    DbaSession listed = *find(refresh(*monitor), victim->backendPid());
    // the pid as listed before a later backend took it: another backend_start
    listed.backendStartText = listed.backendStart.addSecs(-3600).toString(Qt::ISODateWithMs);
    DbaActions actions;
    actions.setConnectionOptions(superuser());
    const DbaActionResult r = runAction(actions, actions.signalAction(DbaActions::Signal::Terminate, { listed }));
    QVERIFY(!r.ok); // not signalled: never "ok" on the timeline
    QVERIFY(r.signalled.isEmpty());
    QCOMPARE(r.missed, QList<int> { victim->backendPid() });
    QVERIFY(r.message.contains(u"pid reused"_s));
    QVERIFY(exec(*victim, u"SELECT 1"_s).ok()); // still alive
}

void TestDbaMonitor::actionIsOnTheTimeline()
{
    QTemporaryDir dir;
    StoreClient store(dir.filePath(u"incidents.db"_s));
    QSignalSpy opened(&store, &StoreClient::opened);
    store.open();
    QVERIFY(opened.wait(10000));
    QSignalSpy changed(&store, &StoreClient::incidentChanged);
    IncidentDraft draft;
    draft.title = u"Database connection pool exhausted"_s;
    draft.severity = Severity::P1;
    draft.environment = u"sandbox"_s;
    store.createIncident(draft);
    QVERIFY(changed.wait(10000));
    const qint64 incident = changed.last().at(0).value<Incident>().id;
    QVERIFY(incident > 0);

    auto victim = openClient(superuser(), u"t-audited"_s);
    QVERIFY(victim);
    const int victimPid = victim->backendPid();
    auto monitor = startMonitor(DbaMonitor::viewOptions(superuser()));
    QVERIFY(monitor);
    const auto listed = find(refresh(*monitor), victim->backendPid());
    QVERIFY(listed);
    AuditRecorder audit(&store);
    DbaActions actions;
    actions.setAudit(&audit);
    actions.setConnectionOptions(superuser());
    QList<TimelineEvent> events;
    connect(&store, &StoreClient::eventsAppended, this, [&](const QList<TimelineEvent>& e) { events += e; });
    QSignalSpy finished(&actions, &DbaActions::finished);
    QVERIFY(actions.run(
        actions.signalAction(DbaActions::Signal::Terminate, { *listed }), incident, u"sandbox"_s, u"typed petforce"_s));
    QVERIFY(finished.wait(30000));
    QVERIFY(QTest::qWaitFor(
        [&] {
            int n = 0;
            for (const TimelineEvent& e : std::as_const(events))
                n += e.kind == QString::fromUtf16(AuditKind::Started)
                    || e.kind == QString::fromUtf16(AuditKind::Finished);
            return n == 2;
        },
        10000));
    for (const TimelineEvent& e : std::as_const(events)) {
        if (e.kind == QString::fromUtf16(AuditKind::Started)) {
            const CommandAudit a = CommandAudit::fromJson(e.detail);
            QCOMPARE(a.source, u"dba:terminate"_s);
            QCOMPARE(a.risk, u"destructive"_s);
            QCOMPARE(a.confirmation, u"typed petforce"_s);
            QVERIFY(a.command.contains(u"pg_terminate_backend"_s));
            QCOMPARE(a.parameters.value(u"$1"_s).toString(), u"{%1}"_s.arg(victimPid));
        } else if (e.kind == QString::fromUtf16(AuditKind::Finished)) {
            const CommandOutcome o = CommandOutcome::fromJson(e.detail);
            QCOMPARE(o.status, u"ok"_s);
            QCOMPARE(o.rows, qint64(1));
        }
    }
}

void TestDbaMonitor::ownAndBackgroundRefused()
{
    auto monitor = startMonitor(DbaMonitor::viewOptions(superuser()));
    QVERIFY(monitor);
    const auto sessions = refresh(*monitor);
    QList<DbaSession> background;
    for (const DbaSession& s : sessions)
        if (!s.isClientBackend())
            background.append(s);
    QVERIFY(!background.isEmpty());
    DbaActions actions;
    actions.setConnectionOptions(superuser());
    actions.setOwnPids(monitor->ownPids());
    const DbaAction a = actions.signalAction(
        DbaActions::Signal::Terminate, background + QList { *find(sessions, monitor->ownPid()) });
    QVERIFY(a.targets.isEmpty());
    QCOMPARE(a.refused.size(), background.size() + 1);
    // and the server refuses them too, whatever is sent
    DbaAction forced = a;
    forced.targets = background;
    QStringList pids, starts;
    for (const DbaSession& s : std::as_const(background)) {
        pids.append(QString::number(s.pid));
        starts.append(u"\""_s + s.backendStartText + u"\""_s);
    }
    forced.query.parameters
        = { QString(u"{"_s + pids.join(u',') + u"}"_s), QString(u"{"_s + starts.join(u',') + u"}"_s) };
    const DbaActionResult r = runAction(actions, forced);
    QVERIFY2(!r.ok && r.result.ok(), qPrintable(r.message)); // the query ran; nothing was signalled
    QVERIFY(r.signalled.isEmpty());
}

void TestDbaMonitor::roleWithoutPrivileges()
{
    auto su = open(superuser());
    QVERIFY(su);
    QVERIFY(
        exec(*su, u"DROP ROLE IF EXISTS dba_test_plain; CREATE ROLE dba_test_plain LOGIN PASSWORD 'plain-pw'"_s).ok());
    auto target = openClient(superuser(), u"t-superuser-session"_s);
    QVERIFY(target);

    PgConnectionOptions plain = fromUrl(m_env.value(u"DATABASE_URL"_s));
    plain.conninfo = u"postgresql://dba_test_plain@%1:%2/%3"_s.arg(
        m_env.value(u"PGHOST"_s), m_env.value(u"PGPORT"_s), m_env.value(u"PGDATABASE"_s));
    plain.password = u"plain-pw"_s;
    auto monitor = startMonitor(DbaMonitor::viewOptions(plain));
    QVERIFY(monitor);
    const auto sessions = refresh(*monitor);
    const auto other = find(sessions, target->backendPid());
    QVERIFY(other);
    QVERIFY(other->privilegeHidden());
    QVERIFY(other->state.isEmpty());

    DbaActions actions;
    actions.setConnectionOptions(plain);
    DbaSession visible = *other;
    visible.backendType = u"client backend"_s; // as seen by a privileged listing
    // the plain role cannot even see backend_start: the identification then matches nothing
    DbaActionResult r = runAction(actions, actions.signalAction(DbaActions::Signal::Terminate, { visible }));
    QVERIFY(r.signalled.isEmpty());

    // The sandbox's DBA role (pg_monitor + pg_signal_backend, not a superuser) sees everything but may not
    // terminate a superuser's session: a clear message.
    const PgConnectionOptions dba = fromUrl(m_env.value(u"PETFORCE_SANDBOX_DBA_URL"_s));
    auto dbaMonitor = startMonitor(DbaMonitor::viewOptions(dba));
    QVERIFY(dbaMonitor);
    const auto seen = find(refresh(*dbaMonitor), target->backendPid());
    QVERIFY(seen && !seen->privilegeHidden());
    DbaActions dbaActions;
    dbaActions.setConnectionOptions(dba);
    r = runAction(dbaActions, dbaActions.signalAction(DbaActions::Signal::Terminate, { *seen }));
    QVERIFY(!r.ok);
    QVERIFY2(r.message.startsWith(u"Missing privilege"_s), qPrintable(r.message));
    QVERIFY(exec(*target, u"SELECT 1"_s).ok());
}

void TestDbaMonitor::extensionMissing()
{
    PgConnectionOptions o = superuser();
    o.parameters.insert(u"dbname"_s, u"postgres"_s);
    auto probe = open(o);
    QVERIFY(probe);
    const PgResult has = exec(*probe, u"SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"_s);
    if (has.rows().value(0).value(0).toLongLong() != 0)
        QSKIP("the postgres database has pg_stat_statements");
    auto monitor = startMonitor(DbaMonitor::viewOptions(o));
    QVERIFY(monitor);
    QSignalSpy unavailable(monitor.get(), &DbaMonitor::slowQueriesUnavailable);
    monitor->setWantedViews(DbaMonitor::SlowQueriesView);
    QVERIFY(unavailable.wait(10000));
    QVERIFY(unavailable.last().at(1).toString().contains(u"CREATE EXTENSION pg_stat_statements"_s));
    QVERIFY(unavailable.last().at(1).toString().contains(u"shared_preload_libraries"_s));
}

void TestDbaMonitor::invalidIndexDetectedAndDropped()
{
    auto su = open(superuser());
    QVERIFY(su);
    // a concurrent build that fails half-way leaves an INVALID index, as a cancelled one does
    const PgResult failed = exec(*su,
        PgQuery::outsideTransaction(u"CREATE INDEX CONCURRENTLY dba_test_invalid ON dba_test_chain ((1 / (v - v)))"_s));
    QVERIFY(!failed.ok());
    auto monitor = startMonitor(DbaMonitor::viewOptions(superuser()));
    QVERIFY(monitor);
    QSignalSpy health(monitor.get(), &DbaMonitor::healthRefreshed);
    monitor->setWantedViews(DbaMonitor::HealthView);
    QVERIFY(health.wait(15000));
    DbaHealth h = health.last().at(0).value<DbaHealth>();
    QCOMPARE(h.invalidIndexes.size(), 1);
    QCOMPARE(h.invalidIndexes.first().name, u"dba_test_invalid"_s);
    QVERIFY(h.householdMembersExists);

    DbaActions actions;
    actions.setConnectionOptions(superuser());
    const DbaAction drop
        = DbaActions::dropInvalidIndexAction(h.invalidIndexes.first().schema, h.invalidIndexes.first().name);
    QVERIFY(drop.query.requireNoTransaction);
    const DbaActionResult r = runAction(actions, drop);
    QVERIFY2(r.ok, qPrintable(r.message));
    health.clear();
    monitor->refreshNow();
    QVERIFY(health.wait(15000));
    QVERIFY(health.last().at(0).value<DbaHealth>().invalidIndexes.isEmpty());
}

QTEST_GUILESS_MAIN(TestDbaMonitor)
#include "tst_dbamonitor.moc"
