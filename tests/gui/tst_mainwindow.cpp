// SPDX-License-Identifier: MIT
// The incident commander's path through the main window, driven through real widgets offscreen.
#include "models/environmentlistmodel.h"
#include "models/incidentlistmodel.h"
#include "models/timelinemodel.h"
#include "services/storeclient.h"
#include "ui/incidentheader.h"
#include "ui/mainwindow.h"
#include "ui/newincidentdialog.h"
#include "ui/timelinepane.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;

namespace {
template <typename T> T* waitForTopLevel(const QString& objectName)
{
    T* found = nullptr;
    for (int n = 0; n < 100 && !found; ++n) {
        for (QWidget* w : QApplication::topLevelWidgets()) {
            if (auto* t = qobject_cast<T*>(w); t && t->isVisible() && t->objectName() == objectName)
                found = t;
        }
        if (!found)
            QTest::qWait(20);
    }
    return found;
}

QStringList timelineKinds(const MainWindow& window)
{
    QStringList kinds;
    const QAbstractItemModel* shown = window.timelinePane()->view()->model();
    for (int row = 0; row < shown->rowCount(); ++row)
        kinds.append(shown->index(row, TimelineModel::KindColumn).data().toString());
    return kinds;
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void commanderWalksAnIncident();
    void invalidDraftIsRefusedInTheDialog();
    void stateIsRememberedBetweenRuns();
    void corruptStoreIsNotOverwritten();
    void environmentSwitchAsksAndIsRecorded();
    void viewMenuBringsTheDockToTheFront();

private:
    void startWindow();
    void stopWindow();
    qint64 createIncident(const QString& title, Severity severity, const QString& environment);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_storePath;
    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<EnvironmentListModel> m_environments;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"PetForceTest"_s);
    QCoreApplication::setApplicationName(u"tst_mainwindow"_s);
}

void TestMainWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_storePath = m_dir->filePath(u"incidents.sqlite"_s);
    QSettings().clear();
    startWindow();
}

void TestMainWindow::cleanup() { stopWindow(); }

void TestMainWindow::startWindow()
{
    m_store = std::make_unique<StoreClient>(m_storePath);
    m_environments = std::make_unique<EnvironmentListModel>();
    EnvironmentProfile production(u"production"_s);
    production.setProduction(true);
    m_environments->setProfiles({ production, EnvironmentProfile(u"staging"_s), EnvironmentProfile(u"sandbox"_s) });
    m_environments->setActive(u"sandbox"_s);
    ConsoleServices services;
    services.store = m_store.get();
    services.environments = m_environments.get();
    m_window = std::make_unique<MainWindow>(services);
    QSignalSpy ready(m_window.get(), &MainWindow::storeReady);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_store->open();
    QVERIFY(ready.wait(10000));
}

void TestMainWindow::stopWindow()
{
    if (m_window)
        m_window->close();
    m_window.reset();
    m_environments.reset();
    m_store.reset();
}

qint64 TestMainWindow::createIncident(const QString& title, Severity severity, const QString& environment)
{
    m_window->findChild<QAction*>(u"actionNewIncident"_s)->trigger();
    auto* dialog = waitForTopLevel<NewIncidentDialog>(u"newIncidentDialog"_s);
    if (!dialog)
        dialog = m_window->findChild<NewIncidentDialog*>(u"newIncidentDialog"_s);
    if (!dialog)
        return 0;
    dialog->findChild<QLineEdit*>(u"title"_s)->setText(title);
    dialog->setSeverity(severity);
    dialog->setEnvironment(environment);
    QTest::mouseClick(dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QSignalSpy changed(m_window.get(), &MainWindow::activeIncidentChanged);
    if (!QTest::qWaitFor(
            [&] { return m_window->activeIncident() && m_window->activeIncident()->title == title; }, 10000))
        return 0;
    return m_window->activeIncidentId();
}

void TestMainWindow::commanderWalksAnIncident()
{
    const qint64 id = createIncident(u"API returning 500s"_s, Severity::P0, u"production"_s);
    QVERIFY(id > 0);
    IncidentHeader* header = m_window->header();
    QCOMPARE(header->findChild<QLabel*>(u"incidentTitle"_s)->text(), u"API returning 500s"_s);
    QVERIFY(header->findChild<QLabel*>(u"incidentTitle"_s)->textInteractionFlags() & Qt::TextSelectableByMouse);
    QCOMPARE(header->findChild<QLabel*>(u"severityBadge"_s)->text(), u"P0"_s);
    QCOMPARE(header->findChild<QLabel*>(u"environmentBadge"_s)->text(), u"PRODUCTION"_s);
    QVERIFY(header->stepClockText().contains(u"Acknowledge"_s));
    QVERIFY(header->responseClockText().contains(u"Unacknowledged"_s));
    QVERIFY(m_window->windowTitle().contains(u"[P0] API returning 500s"_s));
    QTRY_COMPARE(timelineKinds(*m_window), QStringList { u"incident.created"_s });

    // Acknowledge with its keyboard shortcut.
    QAction* acknowledge = m_window->findChild<QAction*>(u"actionAcknowledge"_s);
    QVERIFY(acknowledge->isEnabled());
    QCOMPARE(acknowledge->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_K));
    acknowledge->trigger();
    QTRY_VERIFY(m_window->activeIncident()->acknowledgedMs.has_value());
    QTRY_VERIFY(header->responseClockText().startsWith(u"Acknowledged after"_s));
    QVERIFY(!acknowledge->isEnabled());
    QTRY_VERIFY(header->stepClockText().contains(u"Assess"_s));

    // A note through the note editor: Ctrl+M focuses it, Enter saves it.
    QApplication::setActiveWindow(m_window.get());
    m_window->findChild<QAction*>(u"actionAddNote"_s)->trigger();
    auto* editor = m_window->timelinePane()->findChild<QLineEdit*>(u"noteEditor"_s);
    QTest::keyClicks(editor, u"Error rate 12% since the 14:02 deploy"_s);
    QTest::keyClick(editor, Qt::Key_Return);
    QCOMPARE(editor->text(), QString());

    // Advance the flow to Mitigate, mark mitigating, resolve.
    QAction* next = m_window->findChild<QAction*>(u"actionNextStep"_s);
    QTRY_VERIFY(next->text().contains(u"Communicate"_s));
    next->trigger();
    QTRY_COMPARE(m_window->activeIncident()->flowStep, 2);
    QTRY_VERIFY(next->text().contains(u"Mitigate"_s));
    next->trigger();
    QTRY_COMPARE(m_window->activeIncident()->flowStep, 3);
    QVERIFY(header->stepClockText().contains(u"Mitigate"_s));
    m_window->findChild<QAction*>(u"actionMitigating"_s)->trigger();
    QTRY_COMPARE(m_window->activeIncident()->status, IncidentStatus::Mitigating);

    m_window->findChild<QAction*>(u"actionResolve"_s)->trigger();
    auto* resolveDialog = waitForTopLevel<QInputDialog>(u"resolveDialog"_s);
    if (!resolveDialog)
        resolveDialog = m_window->findChild<QInputDialog*>(u"resolveDialog"_s);
    QVERIFY(resolveDialog);
    resolveDialog->setTextValue(u"Rolled back to v1.1.0"_s);
    resolveDialog->accept();
    QTRY_COMPARE(m_window->activeIncident()->status, IncidentStatus::Resolved);
    QTRY_VERIFY(header->stepClockText().contains(u"Resolved"_s));
    QVERIFY(!m_window->findChild<QAction*>(u"actionResolve"_s)->isEnabled());
    // Next, Document: the post-mortem is one click away in the incident's header.
    auto* postmortem = m_window->findChild<QAction*>(u"actionPostmortem"_s);
    QVERIFY(postmortem && postmortem->isEnabled());
    const QList<QToolButton*> buttons = header->findChildren<QToolButton*>();
    QVERIFY(std::any_of(buttons.cbegin(), buttons.cend(),
        [postmortem](QToolButton* b) { return b->defaultAction() == postmortem && b->isVisible(); }));

    // Every change is on the timeline by itself, in the order it happened.
    const QStringList expected { u"incident.created"_s, u"incident.acknowledged"_s, u"flow.step"_s, u"note"_s,
        u"flow.step"_s, u"flow.step"_s, u"incident.status"_s, u"incident.resolved"_s };
    QTRY_COMPARE(timelineKinds(*m_window), expected);
    const QAbstractItemModel* shown = m_window->timelinePane()->view()->model();
    QCOMPARE(shown->index(3, TimelineModel::SummaryColumn).data().toString().contains(u"Error rate 12%"_s), true);
    for (int row = 1; row < shown->rowCount(); ++row) {
        QVERIFY(shown->index(row, 0).data(TimelineModel::SeqRole).toLongLong()
            > shown->index(row - 1, 0).data(TimelineModel::SeqRole).toLongLong());
    }
    QVERIFY(shown->index(0, TimelineModel::TimeColumn).data(Qt::ToolTipRole).toString().endsWith(u"UTC"_s));

    // The filter by kind keeps only notes.
    auto* kind = m_window->timelinePane()->findChild<QComboBox*>(u"kindFilter"_s);
    kind->setCurrentIndex(kind->findData(u"note"_s));
    QCOMPARE(shown->rowCount(), 1);
    kind->setCurrentIndex(0);
    QCOMPARE(shown->rowCount(), expected.size());

    // Resolved incidents leave the open list and appear in the resolved one.
    auto* filter = m_window->findChild<QComboBox*>(u"incidentShowFilter"_s);
    filter->setCurrentIndex(0);
    QCOMPARE(m_window->incidentView()->model()->rowCount(), 0);
    filter->setCurrentIndex(1);
    QCOMPARE(m_window->incidentView()->model()->rowCount(), 1);
}

void TestMainWindow::invalidDraftIsRefusedInTheDialog()
{
    m_window->findChild<QAction*>(u"actionNewIncident"_s)->trigger();
    auto* dialog = m_window->findChild<NewIncidentDialog*>(u"newIncidentDialog"_s);
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto* help = dialog->findChild<QLabel*>(u"severityHelp"_s);
    dialog->setSeverity(Severity::P0);
    QVERIFY(help->text().contains(u"Complete service outage"_s));
    QVERIFY(help->text().contains(u"5 minutes"_s));
    dialog->findChild<QLineEdit*>(u"title"_s)->setText(u"   "_s);
    QTest::mouseClick(dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    auto* error = dialog->findChild<QLabel*>(u"error"_s);
    QVERIFY(error->isVisible());
    QVERIFY(error->text().contains(u"title"_s));
    dialog->reject();
    QCOMPARE(m_window->incidentModel()->rowCount(), 0);
}

void TestMainWindow::stateIsRememberedBetweenRuns()
{
    const qint64 first = createIncident(u"Join household broken"_s, Severity::P1, u"staging"_s);
    QVERIFY(first > 0);
    const qint64 second = createIncident(u"Analytics slow"_s, Severity::P2, u"sandbox"_s);
    QVERIFY(second > 0);
    m_window->setActiveIncident(first);
    m_window->resize(1111, 777);
    stopWindow();

    startWindow();
    QCOMPARE(m_window->incidentModel()->rowCount(), 2);
    QCOMPARE(m_window->activeIncidentId(), first);
    QCOMPARE(m_window->size(), QSize(1111, 777));
    QTRY_COMPARE(timelineKinds(*m_window), QStringList { u"incident.created"_s });
}

void TestMainWindow::corruptStoreIsNotOverwritten()
{
    stopWindow();
    QFile file(m_storePath);
    for (const QString& suffix : { u"-wal"_s, u"-shm"_s })
        QFile::remove(m_storePath + suffix);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    const QByteArray junk = QByteArray("this is not an incident store\n").repeated(200);
    file.write(junk);
    file.close();

    m_store = std::make_unique<StoreClient>(m_storePath);
    ConsoleServices services;
    services.store = m_store.get();
    m_window = std::make_unique<MainWindow>(services);
    m_window->show();
    m_store->open();
    auto* box = waitForTopLevel<QMessageBox>(u"storeErrorBox"_s);
    if (!box)
        box = m_window->findChild<QMessageBox*>(u"storeErrorBox"_s);
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QFile check(m_storePath);
    QVERIFY(check.open(QIODevice::ReadOnly));
    QCOMPARE(check.readAll(), junk);
    check.close();

    // Moving it aside starts a fresh store and keeps the damaged file beside it.
    QPushButton* moveAside = nullptr;
    for (QAbstractButton* b : box->buttons()) {
        if (b->text().startsWith(u"Move Aside"_s))
            moveAside = qobject_cast<QPushButton*>(b);
    }
    QVERIFY(moveAside);
    QSignalSpy ready(m_window.get(), &MainWindow::storeReady);
    moveAside->click();
    QVERIFY(ready.wait(10000));
    const QStringList aside = QDir(m_dir->path()).entryList({ u"incidents.sqlite.corrupt-*"_s });
    QCOMPARE(aside.size(), 1);
    QFile moved(m_dir->filePath(aside.constFirst()));
    QVERIFY(moved.open(QIODevice::ReadOnly));
    QCOMPARE(moved.readAll(), junk);
}

void TestMainWindow::environmentSwitchAsksAndIsRecorded()
{
    const qint64 id = createIncident(u"Join household broken"_s, Severity::P1, u"sandbox"_s);
    QVERIFY(id > 0);
    auto* indicator = m_window->findChild<QLabel*>(u"environmentIndicator"_s);
    auto* switcher = m_window->findChild<QComboBox*>(u"environmentSwitcher"_s);
    QVERIFY(indicator->text().contains(u"SANDBOX"_s));
    QCOMPARE(switcher->currentText(), m_environments->index(2).data().toString());

    // Cancel keeps the environment.
    m_window->requestEnvironmentSwitch(u"production"_s);
    auto* box = m_window->findChild<QMessageBox*>(u"environmentSwitchBox"_s);
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QVERIFY(box->informativeText().contains(u"PRODUCTION"_s));
    box->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY(!m_window->findChild<QMessageBox*>(u"environmentSwitchBox"_s));
    QCOMPARE(m_window->activeEnvironment(), u"sandbox"_s);

    // Confirming switches, marks production and records the switch on the incident's timeline.
    m_window->requestEnvironmentSwitch(u"production"_s);
    box = m_window->findChild<QMessageBox*>(u"environmentSwitchBox"_s);
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    for (QAbstractButton* b : box->buttons()) {
        if (b->text().startsWith(u"Switch to"_s))
            b->click();
    }
    QTRY_COMPARE(m_window->activeEnvironment(), u"production"_s);
    QVERIFY(indicator->text().contains(u"PRODUCTION"_s));
    QCOMPARE(indicator->palette().color(QPalette::Window), QColor(0xb7, 0x1c, 0x1c));
    QTRY_VERIFY(timelineKinds(*m_window).contains(u"environment.switched"_s));
    QCOMPARE(QSettings().value(u"environment/active"_s).toString(), u"production"_s);
}

void TestMainWindow::viewMenuBringsTheDockToTheFront()
{
    // The working panes share one tab group; a pane shown from the View menu is the tab in front.
    auto* dba = m_window->findChild<QDockWidget*>(u"dbaDock"_s);
    auto* runbook = m_window->findChild<QDockWidget*>(u"runbookDock"_s);
    QVERIFY(dba && runbook);
    QVERIFY(dba->isHidden());
    QTRY_VERIFY(!runbook->visibleRegion().isEmpty());
    dba->toggleViewAction()->trigger();
    QVERIFY(m_window->tabifiedDockWidgets(dba).contains(runbook));
    QTRY_VERIFY(!dba->visibleRegion().isEmpty());
    QVERIFY(runbook->visibleRegion().isEmpty());
    runbook->toggleViewAction()->trigger(); // hidden
    runbook->toggleViewAction()->trigger(); // and shown again: in front
    QTRY_VERIFY(!runbook->visibleRegion().isEmpty());
    QVERIFY(dba->visibleRegion().isEmpty());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
