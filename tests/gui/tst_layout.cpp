// SPDX-License-Identifier: MIT
// Issue 16, finding 10: the main window at its default size as a new user sees it — docks that are not cramped,
// columns as wide as their values, buttons that stay where they are when validation text comes and goes, and a
// window that does not grow wider than the screen after the escalation panel's contact actions.
#include "models/environmentlistmodel.h"
#include "models/incidentlistmodel.h"
#include "services/escalationmonitor.h"
#include "services/escalationservice.h"
#include "services/runbooklibrary.h"
#include "services/runbookparser.h"
#include "services/secretstore.h"
#include "services/storeclient.h"
#include "ui/confirmationdialog.h"
#include "ui/elidedlabel.h"
#include "ui/escalationpanel.h"
#include "ui/mainwindow.h"
#include "ui/newincidentdialog.h"
#include "ui/runbookwizard.h"

#include <QApplication>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {
// PETFORCE_LAYOUT_SHOTS=DIR under Xvfb (QT_QPA_PLATFORM=xcb): the screen as it is, DIR/NAME.png (`import`).
void shot(const QString& name)
{
    const QString dir = qEnvironmentVariable("PETFORCE_LAYOUT_SHOTS");
    if (dir.isEmpty())
        return;
    QTest::qWait(300);
    QProcess::execute(u"import"_s, { u"-window"_s, u"root"_s, dir + u'/' + name + u".png"_s });
}

// Where a widget is on the screen: what the user's mouse aims at.
QRect onScreen(const QWidget* w) { return QRect(w->mapToGlobal(QPoint(0, 0)), w->size()); }

class UrlSink : public QObject {
    Q_OBJECT
public Q_SLOTS:
    void open(const QUrl&) { }
};
} // namespace

class TestLayout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void defaultSizeFitsAndDocksAreNotCramped();
    void severityColumnFitsItsValues();
    void escalationSequenceKeepsTheWindowOnScreen();
    void newIncidentErrorDoesNotMoveButtons();
    void wizardValidationDoesNotMoveButtons();
    void confirmationMismatchDoesNotMoveButtons();

private:
    qint64 openIncident(Severity severity, const QString& title);

    UrlSink m_urls;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<EscalationService> m_service;
    std::unique_ptr<RunbookLibrary> m_library;
    std::unique_ptr<EnvironmentListModel> m_environments;
    std::unique_ptr<MainWindow> m_window;
};

void TestLayout::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"PetForceTest"_s);
    QCoreApplication::setApplicationName(u"tst_layout"_s);
    for (const char* scheme : { "tel", "mailto", "slack" })
        QDesktopServices::setUrlHandler(QString::fromLatin1(scheme), &m_urls, "open");
}

void TestLayout::cleanupTestCase()
{
    for (const char* scheme : { "tel", "mailto", "slack" })
        QDesktopServices::unsetUrlHandler(QString::fromLatin1(scheme));
}

void TestLayout::init()
{
    QSettings().clear(); // a first start: the default layout
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<StoreClient>(m_dir->filePath(u"incidents.sqlite"_s));
    m_secrets = std::make_unique<SecretStore>(u"app.petforce.OpsConsole.test"_s);
    m_secrets->useSessionFallback();
    m_service = std::make_unique<EscalationService>(m_store.get(), m_secrets.get());
    m_service->setRunbook(RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s));
    m_library = std::make_unique<RunbookLibrary>();
    m_library->setDirectories({});
    QSignalSpy reloaded(m_library.get(), &RunbookLibrary::reloaded);
    m_library->reload();
    QVERIFY(reloaded.wait(20000));
    m_environments = std::make_unique<EnvironmentListModel>();
    EnvironmentProfile production(u"production"_s);
    production.setProduction(true);
    const QList<EnvironmentProfile> profiles { production, EnvironmentProfile(u"sandbox"_s) };
    m_environments->setProfiles(profiles);
    QVERIFY(m_environments->setActive(u"sandbox"_s));
    ConsoleServices services;
    services.store = m_store.get();
    services.secrets = m_secrets.get();
    services.escalation = m_service.get();
    services.runbooks = m_library.get();
    services.environments = m_environments.get();
    m_window = std::make_unique<MainWindow>(services);
    QSignalSpy ready(m_window.get(), &MainWindow::storeReady);
    m_window->show(); // at the size restoreLayout() chose
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_store->open();
    QVERIFY(ready.wait(10000));
    m_service->start();
    QTest::qWait(50); // the deferred dock sizing
}

void TestLayout::cleanup()
{
    m_window.reset();
    m_service.reset();
    m_library.reset();
    m_environments.reset();
    m_secrets.reset();
    m_store.reset();
}

qint64 TestLayout::openIncident(Severity severity, const QString& title)
{
    QSignalSpy changed(m_store.get(), &StoreClient::incidentChanged);
    m_store->createIncident({ title, severity, u"sandbox"_s, u"tester"_s, u"Users cannot join households"_s });
    if (!changed.wait(10000))
        return 0;
    const qint64 id = changed.constLast().at(0).value<Incident>().id;
    if (!QTest::qWaitFor([&] { return m_window->incidentModel()->incident(id).has_value(); }, 10000))
        return 0;
    m_window->setActiveIncident(id);
    return id;
}

void TestLayout::defaultSizeFitsAndDocksAreNotCramped()
{
    const QRect screen = m_window->screen()->availableGeometry();
    QVERIFY2(m_window->frameGeometry().width() <= screen.width(),
        qPrintable(u"window %1 px, screen %2 px"_s.arg(m_window->frameGeometry().width()).arg(screen.width())));
    QVERIFY(m_window->height() <= screen.height());
    QCOMPARE(m_window->screen()->geometry().width(), 1400); // tests/gui/screen-1400x900.json
    shot(u"default"_s);
    // Each dock shown at the default size gets at least the room its contents ask for.
    for (QDockWidget* dock : m_window->findChildren<QDockWidget*>()) {
        if (!dock->isVisible() || !dock->widget() || dock->visibleRegion().isEmpty())
            continue;
        const QSize wanted = dock->widget()->minimumSizeHint();
        QVERIFY2(dock->widget()->width() >= wanted.width() && dock->widget()->height() >= wanted.height(),
            qPrintable(u"%1: %2x%3 < %4x%5"_s.arg(dock->objectName())
                           .arg(dock->widget()->width())
                           .arg(dock->widget()->height())
                           .arg(wanted.width())
                           .arg(wanted.height())));
    }
    // The incidents list shows its columns up to the environment without scrolling sideways.
    auto* incidents = m_window->findChild<QDockWidget*>(u"incidentsDock"_s);
    QVERIFY(incidents);
    QVERIFY2(incidents->width() >= 320, qPrintable(QString::number(incidents->width())));
    // The working panes (runbook, timeline, escalation…) have at least a third of the window's height.
    auto* runbook = m_window->findChild<QDockWidget*>(u"runbookDock"_s);
    QVERIFY(runbook);
    QVERIFY2(runbook->height() >= m_window->height() / 3,
        qPrintable(u"%1 of %2"_s.arg(runbook->height()).arg(m_window->height())));
}

void TestLayout::severityColumnFitsItsValues()
{
    QVERIFY(openIncident(Severity::P0, u"Checkout returns 500 for every household member on iOS and Android"_s));
    const QAbstractItemView* view = m_window->incidentView();
    QHeaderView* header = m_window->incidentView()->horizontalHeader();
    QTRY_VERIFY(view->model()->rowCount() > 0);
    const int sev = IncidentListModel::SeverityColumn;
    // Its title with the sort arrow and its "P0" both fit.
    QVERIFY2(header->sectionSize(sev) >= header->sectionSizeHint(sev),
        qPrintable(u"%1 < header %2"_s.arg(header->sectionSize(sev)).arg(header->sectionSizeHint(sev))));
    QVERIFY2(header->sectionSize(sev) >= view->sizeHintForColumn(sev),
        qPrintable(u"%1 < cells %2"_s.arg(header->sectionSize(sev)).arg(view->sizeHintForColumn(sev))));
}

void TestLayout::escalationSequenceKeepsTheWindowOnScreen()
{
    // A title as long as they come in a P0 (the store takes 200 characters).
    QVERIFY(openIncident(Severity::P0,
        u"API returning 500s on POST /households/{id}/members for every iOS and Android client since the 04:10 "
        "deploy of petforce-api r42; web unaffected"_s));
    EscalationPanel* panel = m_window->escalationPanel();
    QVERIFY(panel);
    auto* dock = qobject_cast<QDockWidget*>(panel->parentWidget());
    if (!dock)
        dock = m_window->findChild<QDockWidget*>(u"escalationDock"_s);
    QVERIFY(dock);
    dock->show();
    dock->raise();
    QTRY_VERIFY(panel->isVisible());
    // The long title is shortened with "…", whole in its tooltip.
    auto* title = m_window->findChild<ElidedLabel*>(u"incidentTitle"_s);
    QVERIFY(title);
    QTRY_VERIFY(title->isElided());
    QVERIFY(title->text().endsWith(u"…"_s));
    QVERIFY(title->toolTip().endsWith(u"web unaffected"_s));
    const int screenWidth = m_window->screen()->availableGeometry().width();
    const int before = m_window->frameGeometry().width();
    QVERIFY(before <= screenWidth);

    QTableWidget* contacts = panel->contactsTable();
    QTRY_VERIFY(contacts->rowCount() > 0);
    int engrid = -1;
    for (int r = 0; r < contacts->rowCount(); ++r)
        if (contacts->item(r, 1) && contacts->item(r, 1)->text().contains(u"Engrid"_s))
            engrid = r;
    QVERIFY(engrid >= 0);
    contacts->selectRow(engrid);
    QTest::mouseClick(panel->findChild<QPushButton*>(u"callButton"_s), Qt::LeftButton);
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = panel->findChild<QMessageBox*>(u"noNumberBox"_s)) != nullptr);
    shot(u"escalation-call"_s);
    box->accept();
    // The clocks tick on: each tick sets the countdown lines again.
    m_service->monitor()->setTickInterval(20);
    QTest::qWait(300);
    QCoreApplication::processEvents();
    QVERIFY2(m_window->frameGeometry().width() <= screenWidth,
        qPrintable(u"window %1 px, screen %2 px"_s.arg(m_window->frameGeometry().width()).arg(screenWidth)));
    shot(u"escalation-after"_s);
    QCOMPARE(m_window->frameGeometry().width(), before);
    QVERIFY2(m_window->minimumSizeHint().width() <= screenWidth,
        qPrintable(u"minimum %1 px"_s.arg(m_window->minimumSizeHint().width())));
}

void TestLayout::newIncidentErrorDoesNotMoveButtons()
{
    NewIncidentDialog dialog({ u"sandbox"_s, u"production"_s }, m_window.get());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    const QRect before = onScreen(ok);
    const QSize size = dialog.size();
    ok->click(); // no title: the dialog says so and stays
    auto* error = dialog.findChild<QLabel*>(u"error"_s);
    QTRY_VERIFY(error->isVisible());
    QVERIFY(!error->text().isEmpty());
    QCoreApplication::processEvents();
    QTest::qWait(50);
    QCOMPARE(dialog.size(), size);
    QTest::qWait(50); // the layout runs on the next events
    QCOMPARE(onScreen(ok), before);
    dialog.findChild<QLineEdit*>(u"title"_s)->setText(u"Checkout fails"_s); // hides the message
    QTRY_VERIFY(!error->isVisible());
    QTest::qWait(50); // the layout runs on the next events
    QCOMPARE(onScreen(ok), before);
}

void TestLayout::wizardValidationDoesNotMoveButtons()
{
    QVERIFY(openIncident(Severity::P0, u"Pool exhausted"_s));
    m_window->openRunbookWizard(u"Database Connection Pool Exhausted"_s);
    RunbookWizard* wizard = m_window->runbookWizard();
    QVERIFY(wizard->selectItem(u"resolution/0/0"_s)); // terminate <pid>
    QTest::qWait(200); // the saved results are read (asynchronously) and the editors refilled
    QVERIFY(wizard->findChild<QComboBox*>(u"param_pid"_s));
    QPushButton* run = wizard->runButton();
    const QRect before = onScreen(run);
    for (const QString& value : { u"not-a-pid"_s, u"4242"_s, QString(), u"-1"_s }) {
        wizard->setParameter(u"pid"_s, value);
        QTest::qWait(50);
        QTest::qWait(50); // the layout runs on the next events
        QCOMPARE(onScreen(run), before);
    }
    wizard->setParameter(u"pid"_s, u"not-a-pid"_s);
    QTRY_VERIFY(!wizard->findChild<QLabel*>(u"reason_pid"_s)->text().isEmpty());
    shot(u"wizard-reason"_s);
    // At the default size the step's Run button is in sight, without scrolling the dock.
    auto* scroll
        = qobject_cast<QScrollArea*>(wizard->parentWidget() ? wizard->parentWidget()->parentWidget() : nullptr);
    QVERIFY(scroll);
    const QRect viewport(scroll->viewport()->mapToGlobal(QPoint(0, 0)), scroll->viewport()->size());
    QVERIFY2(viewport.contains(onScreen(run)),
        qPrintable(u"Run at y %1..%2, the dock shows %3..%4"_s.arg(onScreen(run).top())
                       .arg(onScreen(run).bottom())
                       .arg(viewport.top())
                       .arg(viewport.bottom())));
    QTest::qWait(50); // the layout runs on the next events
    QCOMPARE(onScreen(run), before);
}

void TestLayout::confirmationMismatchDoesNotMoveButtons()
{
    ConfirmationRequest request;
    request.risk = StepRisk::Destructive;
    request.title = u"Terminate pid 4242"_s;
    request.environment = u"production"_s;
    request.target = u"petforce-production"_s;
    request.command = u"SELECT pg_terminate_backend(4242)"_s;
    ConfirmationDialog dialog(request, m_window.get());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto* run = dialog.findChild<QPushButton*>(u"confirmationRun"_s);
    auto* typed = dialog.findChild<QLineEdit*>(u"confirmationTyped"_s);
    auto* mismatch = dialog.findChild<QLabel*>(u"confirmationMismatch"_s);
    QVERIFY(run && typed && mismatch);
    const QRect before = onScreen(run);
    QVERIFY(!mismatch->isVisible());
    typed->setText(u"petforce"_s); // the other name: said why Run stays off
    QTRY_VERIFY(mismatch->isVisible());
    shot(u"confirmation-mismatch"_s);
    QVERIFY(!run->isEnabled());
    QTest::qWait(50); // the layout runs on the next events
    QCOMPARE(onScreen(run), before);
    typed->setText(u"petforce-production"_s);
    QTRY_VERIFY(!mismatch->isVisible());
    QVERIFY(run->isEnabled());
    QTest::qWait(50); // the layout runs on the next events
    QCOMPARE(onScreen(run), before);
}

QTEST_MAIN(TestLayout)
#include "tst_layout.moc"
