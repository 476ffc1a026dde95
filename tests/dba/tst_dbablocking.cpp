// SPDX-License-Identifier: MIT
// The DBA pane against its own PostgreSQL (the `pgtest` fixture: max_connections 30, superuser_reserved_connections
// 3): the Connections headline adds up (issue 16: "10 connections of max_connections 40 … Headroom 35 free" did not),
// and a blocking chain of three shows every waiter, the pids whole, and the root blocker is ended from the tree
// through the typed confirmation, recorded on the incident before it runs.
#include "dbatestsupport.h"
#include "models/blockingtreemodel.h"
#include "models/commandaudit.h"
#include "models/dbasessionmodel.h"
#include "services/auditrecorder.h"
#include "services/storeclient.h"
#include "ui/confirmationdialog.h"
#include "ui/dbapane.h"

#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeView>

using namespace Qt::StringLiterals;
using namespace DbaTest;

class TestDbaBlocking : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void headlineAddsUp();
    void chainOfThreeAndTerminate();

private:
    PgConnectionOptions options(const QString& application = {}) const;
    QMap<QString, QString> m_env;
    QTemporaryDir m_dir;
    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<AuditRecorder> m_audit;
    std::unique_ptr<DbaPane> m_pane;
    qint64 m_incident = 0;
    QList<TimelineEvent> m_events;
};

PgConnectionOptions TestDbaBlocking::options(const QString& application) const
{
    PgConnectionOptions o;
    o.conninfo = u"postgresql://%1@%2:%3/%4"_s.arg(
        m_env.value(u"PGUSER"_s), m_env.value(u"PGHOST"_s), m_env.value(u"PGPORT"_s), m_env.value(u"PGDATABASE"_s));
    if (!application.isEmpty())
        o.conninfo += u"?application_name="_s + application;
    o.password = m_env.value(u"PGPASSWORD"_s);
    o.connectTimeoutS = 10;
    return o;
}

void TestDbaBlocking::initTestCase()
{
    const QString path = qEnvironmentVariable("PETFORCE_PGTEST_ENV");
    QFile f(path);
    if (path.isEmpty() || !f.open(QIODevice::ReadOnly))
        QSKIP("no test server: run through ctest (fixture pgtest)");
    for (const QString& line : QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts)) {
        const qsizetype eq = line.indexOf(u'=');
        if (eq > 0)
            m_env.insert(line.left(eq), line.mid(eq + 1));
    }
    auto s = open(options());
    QVERIFY(s);
    QVERIFY(exec(*s,
        u"DROP TABLE IF EXISTS dba_blocking_chain; CREATE TABLE dba_blocking_chain (id int PRIMARY KEY, v int); "
        "INSERT INTO dba_blocking_chain VALUES (1, 0), (2, 0)"_s)
                .ok());

    QVERIFY(m_dir.isValid());
    m_store = std::make_unique<StoreClient>(m_dir.filePath(u"incidents.db"_s));
    QSignalSpy opened(m_store.get(), &StoreClient::opened);
    m_store->open();
    QVERIFY(opened.wait(10000));
    QSignalSpy changed(m_store.get(), &StoreClient::incidentChanged);
    IncidentDraft draft;
    draft.title = u"Checkout hangs: locks"_s;
    draft.severity = Severity::P1;
    draft.environment = u"production"_s;
    m_store->createIncident(draft);
    QVERIFY(changed.wait(10000));
    m_incident = changed.last().at(0).value<Incident>().id;
    connect(
        m_store.get(), &StoreClient::eventsAppended, this, [this](const QList<TimelineEvent>& e) { m_events += e; });
    m_audit = std::make_unique<AuditRecorder>(m_store.get());

    ConsoleServices services;
    services.store = m_store.get();
    services.audit = m_audit.get();
    m_pane = std::make_unique<DbaPane>(services, [this] { return m_incident; });
    m_pane->resize(1000, 600);
    m_pane->show();
    QSignalSpy refreshed(m_pane.get(), &DbaPane::refreshed);
    m_pane->setConnection(options(), u"production"_s, u"petforce-production"_s);
    m_pane->setShown(true);
    QVERIFY(refreshed.wait(20000));
}

void TestDbaBlocking::cleanupTestCase()
{
    if (m_env.isEmpty())
        return;
    m_pane.reset();
    if (auto s = open(options()))
        exec(*s, u"DROP TABLE IF EXISTS dba_blocking_chain"_s);
}

void TestDbaBlocking::headlineAddsUp()
{
    std::vector<std::unique_ptr<PgSession>> helpers;
    for (int i = 0; i < 4; ++i) {
        helpers.push_back(openClient(options(), u"t-headline"_s));
        QVERIFY(helpers.back());
    }
    m_pane->tabs()->setCurrentIndex(DbaPane::ConnectionsTab);
    QSignalSpy refreshed(m_pane.get(), &DbaPane::refreshed);
    m_pane->monitor()->refreshNow();
    QVERIFY(refreshed.wait(20000));
    const DbaConnectionSummary& s = m_pane->summary();
    // The server we started: 30 slots, 3 of them reserved for superusers.
    QCOMPARE(s.maxConnections, 30);
    QCOMPARE(s.superuserReserved, 3);
    QVERIFY2(s.clientBackends >= 5, qPrintable(QString::number(s.clientBackends))); // 4 clients + the pane
    QVERIFY(s.total > s.clientBackends); // the background processes are listed too

    auto* total = m_pane->findChild<QLabel*>(u"dbaTotal"_s);
    QVERIFY(total);
    const QString text = total->text();
    QCOMPARE(text, m_pane->totalText());
    // "<clients> client connections of 27 usable (max_connections 30 − 3 reserved for superusers) · <free> free"
    static const QRegularExpression headline(
        u"^(\\d+) client connections of (\\d+) usable \\(max_connections (\\d+) − (\\d+) reserved for superusers\\)"
        " · (\\d+) free$"_s);
    const QRegularExpressionMatch m = headline.match(text);
    QVERIFY2(m.hasMatch(), qPrintable(text));
    const int clients = m.captured(1).toInt();
    const int usable = m.captured(2).toInt();
    const int max = m.captured(3).toInt();
    const int reserved = m.captured(4).toInt();
    const int free = m.captured(5).toInt();
    QCOMPARE(clients, s.clientBackends);
    QCOMPARE(max, 30);
    QCOMPARE(reserved, 3);
    QCOMPARE(usable, max - reserved);
    QCOMPARE(clients + free, usable);

    // The pool alert's measure says its own arithmetic, which counts the reserved slots as free.
    const QString headroom = m_pane->findChild<QLabel*>(u"dbaHeadroom"_s)->text();
    QVERIFY2(
        headroom.contains(
            u"db_pool_available = %1 (max_connections 30 − %2 client connections)"_s.arg(30 - clients).arg(clients)),
        qPrintable(headroom));
    const QString own = m_pane->findChild<QLabel*>(u"dbaOwn"_s)->text();
    QVERIFY2(own.contains(u"%1 background process"_s.arg(s.total - s.clientBackends)), qPrintable(own));
}

void TestDbaBlocking::chainOfThreeAndTerminate()
{
    // root holds row 1; mid holds row 2 and waits for row 1; leaf waits for row 2 (behind mid, not root).
    auto root = openClient(options(), u"t-root"_s);
    auto mid = openClient(options(), u"t-mid"_s);
    auto leaf = openClient(options(), u"t-leaf"_s);
    QVERIFY(root && mid && leaf);
    const int rootPid = root->backendPid(); // 0 once it is terminated
    QVERIFY(exec(*root, u"BEGIN; UPDATE dba_blocking_chain SET v = 1 WHERE id = 1"_s).ok());
    send(*mid,
        u"BEGIN; UPDATE dba_blocking_chain SET v = 2 WHERE id = 2; UPDATE dba_blocking_chain SET v = 2 WHERE id = 1"_s);
    QTest::qWait(300);
    send(*leaf, u"UPDATE dba_blocking_chain SET v = 3 WHERE id = 2"_s);

    {
        auto probe = open(options());
        QVERIFY(probe);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return exec(*probe, u"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"_s)
                           .rows()
                           .value(0)
                           .value(0)
                           .toInt()
                    == 2;
            },
            10000));
    }
    m_pane->tabs()->setCurrentIndex(DbaPane::BlockingTab);
    BlockingTreeModel* tree = m_pane->blockingModel();
    QSignalSpy refreshed(m_pane.get(), &DbaPane::refreshed);
    m_pane->monitor()->refreshNow();
    QVERIFY(refreshed.wait(20000));
    QTRY_VERIFY2_WITH_TIMEOUT(tree->rootPids().contains(rootPid) && tree->waitingCount() == 2,
        qPrintable(u"roots %1, waiting %2, root pid %3; %4"_s.arg(tree->rootPids().size())
                       .arg(tree->waitingCount())
                       .arg(rootPid)
                       .arg(m_pane->messageText())),
        20000);
    // Every waiter is counted and shown: mid directly, leaf behind mid.
    QCOMPARE(tree->indirectWaitingCount(), 1);
    QVERIFY2(m_pane->blockingText().startsWith(u"2 session(s) wait on locks (1 of them behind another waiter)"_s),
        qPrintable(m_pane->blockingText()));
    QStandardItem* rootItem = nullptr;
    int rootRow = -1;
    for (int r = 0; r < tree->rowCount(); ++r)
        if (tree->item(r, 0)->data(BlockingTreeModel::PidRole).toInt() == rootPid) {
            rootItem = tree->item(r, 0);
            rootRow = r;
        }
    QVERIFY(rootItem);
    QCOMPARE(rootItem->rowCount(), 1);
    QStandardItem* midItem = rootItem->child(0, 0);
    QCOMPARE(midItem->data(BlockingTreeModel::PidRole).toInt(), mid->backendPid());
    QCOMPARE(midItem->rowCount(), 1);
    QCOMPARE(midItem->child(0, 0)->data(BlockingTreeModel::PidRole).toInt(), leaf->backendPid());
    // The root's Blocks column counts both sessions behind it, not only the one waiting on it directly.
    QCOMPARE(tree->item(rootRow, BlockingTreeModel::BlockedCountColumn)->text(), u"2 (1 directly)"_s);
    QCOMPARE(midItem->parent()->child(0, BlockingTreeModel::BlockedCountColumn)->text(), u"1"_s);

    // The pids are not cut off: the column is as wide as its widest entry, indentation included.
    QTreeView* view = m_pane->blockingView();
    const QAbstractItemView* sized = view; // sizeHintForColumn is public there
    QTRY_VERIFY(view->isVisible());
    QVERIFY2(view->columnWidth(BlockingTreeModel::PidColumn) >= sized->sizeHintForColumn(BlockingTreeModel::PidColumn),
        qPrintable(u"%1 < %2"_s.arg(view->columnWidth(BlockingTreeModel::PidColumn))
                       .arg(sized->sizeHintForColumn(BlockingTreeModel::PidColumn))));
    const QRect leafRect = view->visualRect(tree->indexFromItem(midItem->child(0, 0)));
    const int leafTextWidth = view->fontMetrics().horizontalAdvance(QString::number(leaf->backendPid()));
    QVERIFY2(leafRect.width() >= leafTextWidth, qPrintable(u"%1 < %2"_s.arg(leafRect.width()).arg(leafTextWidth)));

    // The actions: nothing selected, the buttons are off.
    auto* terminate = m_pane->findChild<QPushButton*>(u"blockingTerminate"_s);
    auto* cancel = m_pane->findChild<QPushButton*>(u"blockingCancel"_s);
    QVERIFY(terminate && cancel);
    view->selectionModel()->clearCurrentIndex();
    QVERIFY(!terminate->isEnabled());
    view->setCurrentIndex(tree->index(rootRow, 0));
    QVERIFY(terminate->isEnabled() && cancel->isEnabled());
    QCOMPARE(m_pane->selectedBlocker()->pid, rootPid);

    m_events.clear();
    terminate->click();
    auto* dialog = m_pane->findChild<ConfirmationDialog*>();
    QVERIFY(dialog);
    // It lists the session it will end, and asks for the target's name.
    auto* run = dialog->findChild<QPushButton*>(u"confirmationRun"_s);
    auto* typed = dialog->findChild<QLineEdit*>(u"confirmationTyped"_s);
    QVERIFY(run && typed);
    QVERIFY(!run->isEnabled());
    typed->setText(u"petforce-production"_s);
    QVERIFY(run->isEnabled());
    std::optional<DbaActionResult> result;
    connect(m_pane.get(), &DbaPane::actionFinished, this, [&result](const DbaActionResult& r) { result = r; });
    run->click();
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 30000);
    QVERIFY2(result->ok, qPrintable(m_pane->messageText()));

    // The blocker is gone, and its waiters move on.
    auto probe = open(options());
    QVERIFY(probe);
    QTRY_VERIFY_WITH_TIMEOUT(exec(*probe, u"SELECT count(*) FROM pg_stat_activity WHERE pid = %1"_s.arg(rootPid))
                                 .rows()
                                 .value(0)
                                 .value(0)
                                 .toInt()
            == 0,
        10000);
    QTRY_VERIFY_WITH_TIMEOUT(tree->waitingCount() <= 1, 20000); // mid got row 1; leaf waits for mid's commit
    // Recorded on the incident: started (before) and finished, naming the pid.
    QTRY_VERIFY_WITH_TIMEOUT(m_events.size() >= 2, 10000);
    qint64 startedSeq = -1, finishedSeq = -1;
    for (const TimelineEvent& e : std::as_const(m_events)) {
        QCOMPARE(e.incidentId, m_incident);
        if (e.kind == QString::fromUtf16(AuditKind::Started)) {
            const CommandAudit a = CommandAudit::fromJson(e.detail);
            QCOMPARE(a.source, u"dba:terminate"_s);
            QCOMPARE(a.confirmation, u"typed petforce-production"_s);
            QCOMPARE(a.parameters.value(u"$1"_s).toString(), u"{%1}"_s.arg(rootPid));
            startedSeq = e.seq;
        } else if (e.kind == QString::fromUtf16(AuditKind::Finished)) {
            finishedSeq = e.seq;
        }
    }
    QVERIFY(startedSeq > 0 && finishedSeq > startedSeq);
    exec(*mid, u"ROLLBACK"_s);
}

QTEST_MAIN(TestDbaBlocking)
#include "tst_dbablocking.moc"
