// SPDX-License-Identifier: MIT
// Issue 16, finding 6: the timeline holds what happened. Real commands (bash, and a SQL step against the sandbox's
// PostgreSQL) run through the step executor, recorded by the AuditRecorder into a real store, shown by the window's
// timeline: a failure's row says its stderr's first line and the detail shows the stderr; a SQL step's detail shows
// its table; the search finds a word that only its output holds; the whole output opens from the detail.
#include "execution/executortestsupport.h"
#include "support/sandboxenv.h"

#include "models/environmentlistmodel.h"
#include "models/timelinefiltermodel.h"
#include "models/timelinemodel.h"
#include "services/auditrecorder.h"
#include "services/storeclient.h"
#include "ui/eventdetailview.h"
#include "ui/mainwindow.h"
#include "ui/newincidentdialog.h"
#include "ui/timelinepane.h"

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>

#include <memory>

using namespace Qt::StringLiterals;
using namespace ExecutorTest;

class TestTimelineDetail : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void failureShowsStderr();
    void outputReadableAndSearchable();
    void sqlStepShowsTable();

private:
    qint64 openIncident(const QString& title);
    Outcome run(const RunbookStep& step, const EnvironmentProfile& profile);
    // The row of the timeline (as shown) of kind whose summary contains text; -1 when none (yet).
    int row(const QString& kind, const QString& text) const;
    void select(int row);
    QAbstractItemModel* shown() const { return m_window->timelinePane()->view()->model(); }
    template <typename T> T* detail(const QString& name) const
    {
        return m_window->timelinePane()->detail()->findChild<T*>(name);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<AuditRecorder> m_audit;
    std::unique_ptr<EnvironmentListModel> m_environments;
    std::unique_ptr<MainWindow> m_window;
    qint64 m_incident = 0;
};

void TestTimelineDetail::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"PetForceTest"_s);
    QCoreApplication::setApplicationName(u"tst_timelinedetail"_s);
}

void TestTimelineDetail::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QSettings().clear();
    m_store = std::make_unique<StoreClient>(m_dir->filePath(u"incidents.sqlite"_s));
    m_audit = std::make_unique<AuditRecorder>(m_store.get());
    m_environments = std::make_unique<EnvironmentListModel>();
    m_environments->setProfiles({ EnvironmentProfile(u"sandbox"_s) });
    m_environments->setActive(u"sandbox"_s);
    ConsoleServices services;
    services.store = m_store.get();
    services.environments = m_environments.get();
    services.audit = m_audit.get();
    m_window = std::make_unique<MainWindow>(services);
    QSignalSpy ready(m_window.get(), &MainWindow::storeReady);
    m_window->resize(1200, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_store->open();
    QVERIFY(ready.wait(10000));
    m_incident = openIncident(u"Timeline detail"_s);
    QVERIFY(m_incident > 0);
}

void TestTimelineDetail::cleanup()
{
    if (m_window)
        m_window->close();
    m_window.reset();
    m_audit.reset();
    m_environments.reset();
    m_store.reset();
    m_dir.reset();
}

qint64 TestTimelineDetail::openIncident(const QString& title)
{
    m_window->findChild<QAction*>(u"actionNewIncident"_s)->trigger();
    NewIncidentDialog* dialog = nullptr;
    for (int n = 0; n < 100 && !dialog; ++n) {
        for (QWidget* w : QApplication::topLevelWidgets()) {
            if (auto* d = qobject_cast<NewIncidentDialog*>(w); d && d->isVisible())
                dialog = d;
        }
        if (!dialog)
            QTest::qWait(20);
    }
    if (!dialog)
        return 0;
    dialog->findChild<QLineEdit*>(u"title"_s)->setText(title);
    dialog->setEnvironment(u"sandbox"_s);
    dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
    if (!QTest::qWaitFor(
            [&] { return m_window->activeIncident() && m_window->activeIncident()->title == title; }, 10000))
        return 0;
    return m_window->activeIncidentId();
}

Outcome TestTimelineDetail::run(const RunbookStep& step, const EnvironmentProfile& profile)
{
    StepExecutor executor(m_audit.get(), nullptr);
    executor.setRunsFolder(m_dir->filePath(u"runs"_s));
    return runStep(executor, { step, profile, {}, m_incident, u"test"_s }, 60000, u"none"_s);
}

int TestTimelineDetail::row(const QString& kind, const QString& text) const
{
    for (int r = 0; r < shown()->rowCount(); ++r) {
        const QModelIndex i = shown()->index(r, TimelineModel::SummaryColumn);
        if (i.data(TimelineModel::KindRole).toString() == kind && i.data().toString().contains(text))
            return r;
    }
    return -1;
}

void TestTimelineDetail::select(int row)
{
    QTableView* view = m_window->timelinePane()->view();
    view->setCurrentIndex(view->model()->index(row, TimelineModel::SummaryColumn));
}

// A failing command: its row says stderr's first line (it said "failed (exit 3) … — exit 3"), its detail shows the
// stderr tail, marked as a failure, and the stderr file opens from it.
void TestTimelineDetail::failureShowsStderr()
{
    RunbookStep step = handMadeStep(StepKind::Shell, StepRisk::Read,
        u"echo 'some output first'; echo 'psql: error: connection refused (test)' >&2; echo 'second line' >&2; "
        "exit 3"_s);
    step.title = u"Check database"_s;
    const Outcome out = run(step, EnvironmentProfile(u"sandbox"_s));
    QVERIFY2(out.assessed, qPrintable(out.failure));
    QCOMPARE(out.outcome.status, u"failed"_s);

    QTRY_VERIFY_WITH_TIMEOUT(row(u"command.finished"_s, u"Check database"_s) >= 0, 10000);
    const int r = row(u"command.finished"_s, u"Check database"_s);
    const QString summary = shown()->index(r, TimelineModel::SummaryColumn).data().toString();
    QVERIFY2(summary.contains(u"failed (exit 3)"_s), qPrintable(summary));
    QVERIFY2(summary.endsWith(u"— psql: error: connection refused (test)"_s), qPrintable(summary));

    select(r);
    auto* stderrBox = detail<QPlainTextEdit>(u"eventDetailStderr"_s);
    QVERIFY(stderrBox);
    QVERIFY(stderrBox->isVisible());
    QCOMPARE(stderrBox->toPlainText(), u"psql: error: connection refused (test)\nsecond line"_s);
    QVERIFY(detail<QLabel>(u"eventDetailStderrLabel"_s)->text().startsWith(u"Failed"_s));
    QVERIFY(detail<QPlainTextEdit>(u"eventDetailCommand"_s)->toPlainText().contains(u"exit 3"_s)); // the started's
    QCOMPARE(detail<QPlainTextEdit>(u"eventDetailOutput"_s)->toPlainText(), u"some output first\n"_s);

    // The stderr file of the runs folder opens from the detail (here: the test's opener, not the desktop's).
    QString opened;
    m_window->timelinePane()->detail()->setFileOpener([&](const QString& path) { opened = path; });
    auto* openStderr = detail<QPushButton>(u"eventDetailOpenStderr"_s);
    QVERIFY(openStderr && openStderr->isVisible());
    openStderr->click();
    QTRY_VERIFY(!opened.isEmpty());
    QFile file(opened);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("psql: error: connection refused (test)\nsecond line\n"));
}

// The first lines of a command's output are readable from its row, the whole output opens from there, and the
// timeline's search finds a word that only the output holds.
void TestTimelineDetail::outputReadableAndSearchable()
{
    RunbookStep step = handMadeStep(StepKind::Shell, StepRisk::Read,
        u"for n in 1 2 3; do echo \"line $n\"; done; "
        "printf 'needle-%s\\n' xyzzy"_s);
    step.title = u"Look for it"_s;
    const Outcome out = run(step, EnvironmentProfile(u"sandbox"_s));
    QVERIFY2(out.outcome.status == u"ok"_s, qPrintable(out.outcome.error));
    QTRY_VERIFY_WITH_TIMEOUT(row(u"command.finished"_s, u"Look for it"_s) >= 0, 10000);
    const int all = shown()->rowCount();

    select(row(u"command.finished"_s, u"Look for it"_s));
    QCOMPARE(
        detail<QPlainTextEdit>(u"eventDetailOutput"_s)->toPlainText(), u"line 1\nline 2\nline 3\nneedle-xyzzy\n"_s);
    QVERIFY(!detail<QPlainTextEdit>(u"eventDetailStderr"_s)->isVisible());
    QString opened;
    m_window->timelinePane()->detail()->setFileOpener([&](const QString& path) { opened = path; });
    detail<QPushButton>(u"eventDetailOpenOutput"_s)->click();
    QTRY_VERIFY(!opened.isEmpty());
    QFile file(opened);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("line 1\nline 2\nline 3\nneedle-xyzzy\n"));
    file.close();
    // Once the runs folder's cap has removed it, the detail says so instead of opening nothing.
    QVERIFY(QFile::remove(opened));
    opened.clear();
    detail<QPushButton>(u"eventDetailOpenOutput"_s)->click();
    QTRY_VERIFY(detail<QLabel>(u"eventDetailNote"_s)->text().contains(u"no longer there"_s));
    QVERIFY(opened.isEmpty());

    // "needle-xyzzy" is in no summary and not in the command (printf writes it): only in the output.
    auto* search = m_window->timelinePane()->findChild<QLineEdit*>(u"timelineSearch"_s);
    QVERIFY(search);
    search->setText(u"NEEDLE-xyzzy"_s);
    QTRY_COMPARE(shown()->rowCount(), 1);
    QCOMPARE(shown()->index(0, 0).data(TimelineModel::KindRole).toString(), u"command.finished"_s);
    search->setText(u"needle-nothing"_s);
    QTRY_COMPARE(shown()->rowCount(), 0);
    search->clear();
    QCOMPARE(shown()->rowCount(), all);
}

// A SQL step's detail shows its result as a table (against the sandbox's PostgreSQL).
void TestTimelineDetail::sqlStepShowsTable()
{
    QString why;
    if (SandboxEnv::load(&why).isEmpty())
        QSKIP(qPrintable(why));
    RunbookStep step = handMadeStep(StepKind::Sql, StepRisk::Read,
        u"SELECT n AS pid, 'app-' || n AS application_name FROM generate_series(1, 30) AS n"_s);
    step.title = u"Sessions by application"_s;
    const Outcome out = run(step, sandboxProfile());
    QVERIFY2(out.outcome.status == u"ok"_s, qPrintable(out.failure + out.outcome.error));
    QTRY_VERIFY_WITH_TIMEOUT(row(u"command.finished"_s, u"Sessions by application"_s) >= 0, 10000);
    select(row(u"command.finished"_s, u"Sessions by application"_s));
    auto* table = detail<QTableWidget>(u"eventDetailTable"_s);
    QVERIFY(table && table->isVisible());
    QCOMPARE(table->columnCount(), 2);
    QCOMPARE(table->horizontalHeaderItem(0)->text(), u"pid"_s);
    QCOMPARE(table->horizontalHeaderItem(1)->text(), u"application_name"_s);
    QCOMPARE(table->rowCount(), CommandOutcome::RowsKept); // the first rows; all 30 in the result file
    QCOMPARE(table->item(2, 1)->text(), u"app-3"_s);
    QVERIFY(m_window->timelinePane()->detail()->findChild<QLabel*>()); // labels exist
    bool said = false;
    for (QLabel* l : m_window->timelinePane()->detail()->findChildren<QLabel*>())
        said = said || (l->isVisible() && l->text().contains(u"First 20 of 30 rows"_s));
    QVERIFY(said);
    QVERIFY(detail<QPushButton>(u"eventDetailOpenOutput"_s)->isVisible()); // the .tsv
}

QTEST_MAIN(TestTimelineDetail)
#include "tst_timelinedetail.moc"
