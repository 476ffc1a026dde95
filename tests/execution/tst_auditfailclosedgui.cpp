// SPDX-License-Identifier: MIT
// Record before acting in the window (issue 15, finding 1): with the incident store's disk full (fulldisktest.h), the
// wizard says why a destructive step did not run; a read step's output is marked "not recorded"; a result the store
// refuses shows in the step view and the main window's status bar until it lands.
#include "executortestsupport.h"
#include "fulldisktest.h"
#include "support/sandboxenv.h"

#include "models/environmentlistmodel.h"
#include "models/incidentlistmodel.h"
#include "services/auditrecorder.h"
#include "services/runbooklibrary.h"
#include "ui/confirmationdialog.h"
#include "ui/mainwindow.h"
#include "ui/runbookwizard.h"
#include "ui/stepoutputview.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

using namespace Qt::StringLiterals;
using namespace ExecutorTest;
using namespace FullDisk;

class TestAuditFailClosedGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void wizardSaysWhyNothingRan();
    void readStepMarkedNotRecorded();
    void unrecordedResultShownUntilItLands();

private:
    // The console's window over a store on the tmpfs, with an active incident: false if it could not be set up.
    QString setUp(); // empty, or what failed
    ConfirmationDialog* visibleDialog() const;
    void runCurrentConfirming(const QString& typed);

    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<RunbookLibrary> m_library;
    std::unique_ptr<EnvironmentListModel> m_environments;
    std::unique_ptr<AuditRecorder> m_audit;
    std::unique_ptr<MainWindow> m_window;
    RunbookWizard* m_wizard = nullptr;
    qint64 m_incident = 0;
};

void TestAuditFailClosedGui::initTestCase()
{
    // The parent loads the sandbox's variables (the sandbox profile needs them); the child inherits them.
    QString why;
    if (!inChild() && SandboxEnv::load(&why).isEmpty())
        QSKIP(qPrintable(why));
}

QString TestAuditFailClosedGui::setUp()
{
    m_store = std::make_unique<StoreClient>(qEnvironmentVariable(FullDiskVar) + u"/incidents.sqlite"_s);
    QSignalSpy opened(m_store.get(), &StoreClient::opened);
    m_store->open();
    if (!opened.wait(10000))
        return u"setup step 1"_s;
    m_library = std::make_unique<RunbookLibrary>();
    m_library->setDirectories({});
    m_environments = std::make_unique<EnvironmentListModel>();
    m_environments->setProfiles({ sandboxProfile() });
    if (!m_environments->setActive(u"sandbox"_s))
        return u"setup step 2"_s;
    m_audit = std::make_unique<AuditRecorder>(m_store.get());
    m_audit->setRetryInterval(200);
    ConsoleServices services;
    services.store = m_store.get();
    services.runbooks = m_library.get();
    services.environments = m_environments.get();
    services.audit = m_audit.get();
    m_window = std::make_unique<MainWindow>(services);
    m_window->resize(1400, 900);
    m_window->show();
    m_wizard = m_window->runbookWizard();
    QSignalSpy changed(m_store.get(), &StoreClient::incidentChanged);
    IncidentDraft d;
    d.title = u"Disk full drill"_s;
    d.severity = Severity::P1;
    d.environment = u"sandbox"_s;
    d.impact = u"Checkout fails"_s;
    m_store->createIncident(d);
    if (!m_wizard || !changed.wait(10000))
        return u"setup step 3"_s;
    m_incident = changed.constFirst().constFirst().value<Incident>().id;
    if (!QTest::qWaitFor([&] { return m_window->incidentModel()->incident(m_incident).has_value(); }))
        return u"setup step 4"_s;
    m_window->setActiveIncident(m_incident);
    m_wizard->executor()->setRunsFolder(qEnvironmentVariable(OutsideVar));
    return QTest::qWaitFor([&] { return m_wizard->incident() == m_incident; }) ? QString() : u"wizard incident"_s;
}

ConfirmationDialog* TestAuditFailClosedGui::visibleDialog() const
{
    for (ConfirmationDialog* d : m_wizard->findChildren<ConfirmationDialog*>()) {
        if (d->isVisible())
            return d;
    }
    return nullptr;
}

void TestAuditFailClosedGui::runCurrentConfirming(const QString& typed)
{
    QTRY_VERIFY(m_wizard->runButton()->isEnabled());
    m_wizard->runButton()->click();
    ConfirmationDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = visibleDialog()) != nullptr, 30000);
    if (auto* edit = dialog->findChild<QLineEdit*>(u"confirmationTyped"_s); edit && edit->isVisible())
        edit->setText(typed);
    dialog->findChild<QPushButton*>(u"confirmationRun"_s)->click();
}

void TestAuditFailClosedGui::wizardSaysWhyNothingRan()
{
    if (!inChild()) {
        runInChild("TestAuditFailClosedGui", "wizardSaysWhyNothingRan");
        return;
    }
    const QString marker = fakeAws(qEnvironmentVariable(OutsideVar));
    const QString setup = setUp();
    QVERIFY2(setup.isEmpty(), qPrintable(setup));
    QVERIFY(fillDisk(qEnvironmentVariable(FullDiskVar)));
    m_wizard->openCatalogueStep(
        handStep(StepKind::Aws, StepRisk::Destructive, u"aws ecs stop-task --cluster petforce-production --task t1"_s));
    runCurrentConfirming(u"sandbox"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_wizard->statusText().contains(u"Nothing ran"_s), 20000);
    QVERIFY2(m_wizard->statusText().contains(u"is full"_s), qPrintable(m_wizard->statusText()));
    QVERIFY(!m_wizard->executor()->isBusy());
    QTest::qWait(300);
    QVERIFY2(!QFile::exists(marker), "the fake aws was called");
}

void TestAuditFailClosedGui::readStepMarkedNotRecorded()
{
    if (!inChild()) {
        runInChild("TestAuditFailClosedGui", "readStepMarkedNotRecorded");
        return;
    }
    const QString setup = setUp();
    QVERIFY2(setup.isEmpty(), qPrintable(setup));
    QVERIFY(fillDisk(qEnvironmentVariable(FullDiskVar)));
    QSignalSpy finished(m_wizard->executor(), &StepExecutor::finished);
    m_wizard->openCatalogueStep(handStep(StepKind::Shell, StepRisk::Read, u"echo read-ran"_s));
    QTRY_VERIFY(m_wizard->runButton()->isEnabled());
    m_wizard->runButton()->click();
    if (QTest::qWaitFor([&] { return visibleDialog() != nullptr; }, 1000))
        visibleDialog()->findChild<QPushButton*>(u"confirmationRun"_s)->click();
    QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 30000));
    QTRY_VERIFY(m_wizard->output()->text(CommandStream::Stdout).contains(u"read-ran"_s));
    const QString note = m_wizard->output()->recordingText();
    QVERIFY2(note.startsWith(u"Not recorded"_s) && note.contains(u"is full"_s), qPrintable(note));
    QVERIFY(m_wizard->output()->findChild<QLabel*>(u"recordingNote"_s)->isVisible());
    QVERIFY2(m_wizard->statusText().contains(u"not recorded"_s), qPrintable(m_wizard->statusText()));
}

void TestAuditFailClosedGui::unrecordedResultShownUntilItLands()
{
    if (!inChild()) {
        runInChild("TestAuditFailClosedGui", "unrecordedResultShownUntilItLands");
        return;
    }
    const QString setup = setUp();
    QVERIFY2(setup.isEmpty(), qPrintable(setup));
    const QString filler = qEnvironmentVariable(FullDiskVar) + u"/filler"_s;
    m_wizard->openCatalogueStep(handStep(
        StepKind::Shell, StepRisk::Write, u"head -c 100M /dev/zero > '%1' 2>/dev/null; echo filled"_s.arg(filler)));
    runCurrentConfirming(u"sandbox"_s);
    auto* status = m_window->findChild<QLabel*>(u"unrecordedStatus"_s);
    QVERIFY(status);
    QTRY_VERIFY_WITH_TIMEOUT(status->isVisible(), 20000);
    QCOMPARE(status->text(), u"1 command result(s) not recorded"_s);
    QVERIFY2(m_wizard->output()->recordingText().startsWith(u"Result not recorded yet"_s),
        qPrintable(m_wizard->output()->recordingText()));
    QVERIFY(QFile::remove(filler));
    QTRY_VERIFY_WITH_TIMEOUT(!status->isVisible(), 20000);
    QVERIFY(m_wizard->output()->recordingText().isEmpty());
    QCOMPARE(kindsOf(eventsOf(*m_store, m_incident)), QStringList({ u"command.started"_s, u"command.finished"_s }));
}

QTEST_MAIN(TestAuditFailClosedGui)
#include "tst_auditfailclosedgui.moc"
