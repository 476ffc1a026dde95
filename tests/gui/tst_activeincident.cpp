// SPDX-License-Identifier: MIT
// Which incident is acted on (issue 16, findings 1 and 8): an incident opened from an alert becomes the active one
// everywhere and the runbook's steps record on it; the wizard's "open one?" never makes a second incident; a resolved
// incident is asked about before anything records on it; and after a restart mid-drill the alert is attached to its
// open incident again and the wizard is back on the same runbook and page. Real store, real runbook library, real
// commands (echo), a metrics service fed by hand; offscreen, two window lifetimes over one store and QSettings.
#include "models/commandaudit.h"
#include "models/environmentlistmodel.h"
#include "models/incidentlistmodel.h"
#include "services/auditrecorder.h"
#include "services/metricsservice.h"
#include "services/runbooklibrary.h"
#include "services/storeclient.h"
#include "ui/alertbar.h"
#include "ui/confirmationdialog.h"
#include "ui/dashboardpane.h"
#include "ui/incidentheader.h"
#include "ui/mainwindow.h"
#include "ui/newincidentdialog.h"
#include "ui/runbookwizard.h"

#include <QApplication>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {
const QString Drill = u"Checkout Errors"_s;
const QString Rule = u"error_rate > 5%"_s;

const QByteArray RunbookText = "# Drill runbooks\n\n## Common Incidents\n\n### 1. Checkout Errors\n\n"
                               "**Alert**: `error_rate > 5%`\n**Severity**: P1\n\n#### Symptoms\n- Checkout fails\n\n"
                               "#### Diagnosis\n\n```bash\n# Look at the errors\necho diagnosis-ran\n```\n\n"
                               "#### Resolution\n\n**Option A: Restart**\n```bash\n# Restart the thing\n"
                               "echo restart-ran\n```\n";

template <typename T> QList<T*> visible(const QString& objectName)
{
    QList<T*> found;
    for (QWidget* w : QApplication::allWidgets()) {
        if (auto* t = qobject_cast<T*>(w); t && t->isVisible() && t->objectName() == objectName)
            found.append(t);
    }
    return found;
}

template <typename T> T* waitVisible(const QString& objectName, int timeoutMs = 5000)
{
    T* found = nullptr;
    (void)QTest::qWaitFor(
        [&] {
            const QList<T*> all = visible<T>(objectName);
            found = all.isEmpty() ? nullptr : all.constFirst();
            return found != nullptr;
        },
        timeoutMs);
    return found;
}
} // namespace

class TestActiveIncident : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void alertIncidentBecomesActiveAndStepsRecordOnIt();
    void wizardQuestionNeverOpensASecondIncident();
    void wizardQuestionWithoutAlertOpensOneDialog();
    void resolvedIncidentIsAskedAbout();
    void restartMidDrillReattachesAlertAndReopensWizard();

private:
    void start(); // one console lifetime over m_dir's store and the test's QSettings
    void stop(bool cleanly = true);
    void fire(double value);
    qint64 createIncident(const QString& title);
    QList<TimelineEvent> events(qint64 incidentId);
    QStringList commandIncidents(); // "started:<incident>" per command.started of every incident
    bool runStep(const QString& ref);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<RunbookLibrary> m_library;
    std::unique_ptr<EnvironmentListModel> m_environments;
    std::unique_ptr<AuditRecorder> m_audit;
    std::unique_ptr<MetricsService> m_metrics;
    std::unique_ptr<MainWindow> m_window;
    RunbookWizard* m_wizard = nullptr;
};

void TestActiveIncident::initTestCase()
{
    QCoreApplication::setOrganizationName(u"PetForceTest"_s);
    QCoreApplication::setApplicationName(u"tst_activeincident"_s);
}

void TestActiveIncident::init()
{
    QSettings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(QDir(m_dir->path()).mkpath(u"runbooks"_s));
    QFile file(m_dir->filePath(u"runbooks/drill.md"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(RunbookText), RunbookText.size());
    file.close();
    start();
}

void TestActiveIncident::cleanup()
{
    stop();
    m_dir.reset();
}

void TestActiveIncident::start()
{
    m_store = std::make_unique<StoreClient>(m_dir->filePath(u"incidents.sqlite"_s));
    m_library = std::make_unique<RunbookLibrary>();
    m_library->setIncludeShipped(false);
    m_library->setDirectories({ m_dir->filePath(u"runbooks"_s) });
    QSignalSpy reloaded(m_library.get(), &RunbookLibrary::reloaded);
    m_library->reload();
    QVERIFY(reloaded.wait(20000));
    QCOMPARE(m_library->runbooks().size(), 1);
    m_environments = std::make_unique<EnvironmentListModel>();
    m_environments->setProfiles({ EnvironmentProfile(u"sandbox"_s) });
    QVERIFY(m_environments->setActive(u"sandbox"_s));
    m_audit = std::make_unique<AuditRecorder>(m_store.get());
    m_metrics = std::make_unique<MetricsService>();
    m_metrics->setStore(m_store.get());
    m_metrics->configure(MetricsConfig::fromYaml("refresh_seconds: 1\nalert_for_seconds: 0\nmetrics:\n"
                                                 "  error_rate: {group: application, unit: '%', source: none}\n",
                             u"sandbox"_s),
        m_environments->profiles().constFirst(), m_library->runbooks());
    QVERIFY(m_metrics->alert(Rule));
    QCOMPARE(m_metrics->alert(Rule)->rule().runbookTitle, Drill);

    ConsoleServices services;
    services.store = m_store.get();
    services.runbooks = m_library.get();
    services.environments = m_environments.get();
    services.audit = m_audit.get();
    services.metrics = m_metrics.get();
    m_window = std::make_unique<MainWindow>(services);
    m_window->resize(1400, 900);
    m_wizard = m_window->runbookWizard();
    QSignalSpy ready(m_window.get(), &MainWindow::storeReady);
    QSignalSpy linked(m_metrics.get(), &MetricsService::linksRestored);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_store->open();
    QVERIFY(ready.wait(10000));
    QVERIFY(linked.count() > 0 || linked.wait(10000));
    QVERIFY(m_window->dashboardPane());
}

void TestActiveIncident::stop(bool cleanly)
{
    for (QWidget* w : QApplication::topLevelWidgets())
        if (auto* box = qobject_cast<QMessageBox*>(w))
            box->done(QMessageBox::Cancel);
    if (m_window && cleanly)
        m_window->close(); // saves the layout and the wizard's place
    m_window.reset();
    m_wizard = nullptr;
    m_metrics.reset();
    m_audit.reset();
    m_environments.reset();
    m_library.reset();
    m_store.reset();
}

void TestActiveIncident::fire(double value)
{
    m_metrics->addSamples({ { u"error_rate"_s, value } }, QDateTime::currentMSecsSinceEpoch());
}

qint64 TestActiveIncident::createIncident(const QString& title)
{
    QSignalSpy changed(m_store.get(), &StoreClient::incidentChanged);
    IncidentDraft draft;
    draft.title = title;
    draft.severity = Severity::P2;
    draft.environment = u"sandbox"_s;
    m_store->createIncident(draft);
    if (!changed.wait(10000))
        return 0;
    const qint64 id = changed.constFirst().constFirst().value<Incident>().id;
    (void)QTest::qWaitFor([&] { return m_window->incidentModel()->incident(id).has_value(); });
    return id;
}

QList<TimelineEvent> TestActiveIncident::events(qint64 incidentId)
{
    QSignalSpy loaded(m_store.get(), &StoreClient::eventsLoaded);
    const quint64 request = m_store->requestEvents(incidentId, 0, -1);
    for (int i = 0; i < 50; ++i) {
        for (const QList<QVariant>& args : std::as_const(loaded))
            if (args.at(0).toULongLong() == request)
                return args.at(2).value<QList<TimelineEvent>>();
        loaded.wait(200);
    }
    return {};
}

QStringList TestActiveIncident::commandIncidents()
{
    QStringList out;
    const IncidentListModel* model = m_window->incidentModel();
    for (int row = 0; row < model->rowCount(); ++row)
        for (const TimelineEvent& e : events(model->index(row, 0).data(IncidentListModel::IdRole).toLongLong()))
            if (e.kind == QStringView(AuditKind::Started) || e.kind == QStringView(AuditKind::Finished))
                out.append(e.kind + u':' + QString::number(e.incidentId));
    return out;
}

bool TestActiveIncident::runStep(const QString& ref)
{
    if (!m_wizard->selectItem(ref))
        return false;
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    if (!QTest::qWaitFor([&] { return m_wizard->runButton()->isEnabled(); }, 5000))
        return false;
    m_wizard->runButton()->click();
    // A read step may still be confirmed with a click.
    (void)QTest::qWaitFor(
        [&] {
            for (auto* d : m_wizard->findChildren<ConfirmationDialog*>())
                if (d->isVisible()) {
                    d->findChild<QPushButton*>(u"confirmationRun"_s)->click();
                    return true;
                }
            return !finished.isEmpty();
        },
        2000);
    return (!finished.isEmpty() || finished.wait(30000))
        && finished.constFirst().at(1).value<CommandOutcome>().status == u"ok"_s;
}

void TestActiveIncident::alertIncidentBecomesActiveAndStepsRecordOnIt()
{
    // The last incident worked on is resolved and still active: the bug recorded the next drill's commands on it.
    const qint64 old = createIncident(u"Rate limit storm"_s);
    QVERIFY(old > 0);
    m_store->resolve(old, u"Limits raised"_s);
    m_window->setActiveIncident(old);
    QTRY_VERIFY(m_window->activeIncident() && !m_window->activeIncident()->isOpen());

    fire(9.5);
    QCOMPARE(m_metrics->alert(Rule)->state(), AlertState::State::Firing);
    QVERIFY(m_window->dashboardPane()->openIncidentForAlert(Rule));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->activeIncidentId() != old && m_window->activeIncidentId() > 0, 10000);
    const qint64 id = m_window->activeIncidentId();
    const QString title = m_window->activeIncident()->title;
    QVERIFY2(title.startsWith(Drill + u": "_s), qPrintable(title));
    // Active everywhere: the header, the window title, the wizard (on the alert's runbook), the alert's link.
    QCOMPARE(m_window->header()->findChild<QLabel*>(u"incidentTitle"_s)->text(), title);
    QVERIFY(m_window->windowTitle().contains(title));
    QTRY_COMPARE(m_wizard->runbookTitle(), Drill);
    QCOMPARE(m_wizard->incident(), id);
    QCOMPARE(m_metrics->linkedIncident(Rule), id);
    auto* label = m_wizard->findChild<QLabel*>(u"stepIncident"_s);
    QVERIFY(label);
    QVERIFY2(label->text().startsWith(u"For incident #%1 — %2"_s.arg(id).arg(Drill)), qPrintable(label->text()));
    QVERIFY2(label->text().endsWith(u"(P1, open)"_s), qPrintable(label->text()));
    QTest::qWait(200);
    QVERIFY(visible<QMessageBox>(u"openIncidentQuestion"_s).isEmpty()); // it has an incident: nothing to ask
    QVERIFY(visible<NewIncidentDialog>(u"newIncidentDialog"_s).isEmpty());

    QVERIFY(runStep(u"diagnosis/0"_s));
    const QString started = QString::fromUtf16(AuditKind::Started);
    const QString finished = QString::fromUtf16(AuditKind::Finished);
    QTRY_COMPARE_WITH_TIMEOUT(commandIncidents(),
        (QStringList { started + u':' + QString::number(id), finished + u':' + QString::number(id) }), 10000);

    // The banner's action again (or the alert bar's): the same incident, made active, never a second one.
    m_window->setActiveIncident(old);
    QCOMPARE(m_wizard->incident(), old);
    QVERIFY(m_window->dashboardPane()->openIncidentForAlert(Rule));
    QTRY_COMPARE(m_window->activeIncidentId(), id);
    QTest::qWait(300);
    QCOMPARE(m_window->incidentModel()->rowCount(), 2);
}

void TestActiveIncident::wizardQuestionNeverOpensASecondIncident()
{
    fire(12);
    m_window->openRunbookWizard(Drill);
    auto* question = waitVisible<QMessageBox>(u"openIncidentQuestion"_s);
    QVERIFY(question);
    QVERIFY2(question->text().contains(Rule), qPrintable(question->text()));
    // Run before answering: the same question, not a second one.
    QVERIFY(m_wizard->selectItem(u"diagnosis/0"_s));
    m_wizard->runButton()->click();
    QCOMPARE(visible<QMessageBox>(u"openIncidentQuestion"_s).size(), 1);
    QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
    // For this runbook's alert: opened as the banner does (alert.fired first), no dialog.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->activeIncidentId() > 0, 10000);
    const qint64 id = m_window->activeIncidentId();
    QCOMPARE(m_metrics->linkedIncident(Rule), id);
    QVERIFY(visible<NewIncidentDialog>(u"newIncidentDialog"_s).isEmpty());
    QTRY_COMPARE(m_wizard->incident(), id);
    QVERIFY(m_wizard->incidentText().startsWith(u"For incident #%1"_s.arg(id)));

    // Asked again (from the picker and back): it attaches to the same incident.
    m_window->setActiveIncident(0);
    QVERIFY(m_wizard->openRunbook(Drill));
    question = waitVisible<QMessageBox>(u"openIncidentQuestion"_s);
    QVERIFY(question);
    QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_COMPARE(m_window->activeIncidentId(), id);
    QTest::qWait(300);
    QCOMPARE(m_window->incidentModel()->rowCount(), 1);
    const QList<TimelineEvent> timeline = events(id);
    QCOMPARE(std::count_if(
                 timeline.cbegin(), timeline.cend(), [](const TimelineEvent& e) { return e.kind == u"alert.fired"_s; }),
        1);
}

void TestActiveIncident::wizardQuestionWithoutAlertOpensOneDialog()
{
    m_window->openRunbookWizard(Drill); // no alert fires: the dialog, prefilled from the runbook
    auto* question = waitVisible<QMessageBox>(u"openIncidentQuestion"_s);
    QVERIFY(question);
    QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
    auto* dialog = waitVisible<NewIncidentDialog>(u"newIncidentDialog"_s);
    QVERIFY(dialog);
    QCOMPARE(dialog->findChild<QLineEdit*>(u"title"_s)->text(), Drill);
    // Run while the dialog is open: asked once more, answered yes: still the one dialog.
    QVERIFY(m_wizard->selectItem(u"diagnosis/0"_s));
    m_wizard->runButton()->click();
    question = waitVisible<QMessageBox>(u"openIncidentQuestion"_s);
    QVERIFY(question);
    QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
    QTest::qWait(200);
    QCOMPARE(visible<NewIncidentDialog>(u"newIncidentDialog"_s).size(), 1);
    QTest::mouseClick(dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->activeIncident() && m_window->activeIncident()->title == Drill, 10000);
    QTRY_COMPARE(m_wizard->incident(), m_window->activeIncidentId());
    QTest::qWait(300);
    QCOMPARE(m_window->incidentModel()->rowCount(), 1);
    QVERIFY(runStep(u"diagnosis/0"_s));
    const QString id = QString::number(m_window->activeIncidentId());
    QTRY_COMPARE_WITH_TIMEOUT(commandIncidents(),
        (QStringList {
            QString::fromUtf16(AuditKind::Started) + u':' + id, QString::fromUtf16(AuditKind::Finished) + u':' + id }),
        10000);
}

void TestActiveIncident::resolvedIncidentIsAskedAbout()
{
    const qint64 id = createIncident(u"Yesterday's outage"_s);
    QVERIFY(id > 0);
    m_window->setActiveIncident(id);
    m_store->resolve(id, u"Fixed"_s);
    QTRY_VERIFY(!m_window->activeIncident()->isOpen());
    QVERIFY(m_wizard->openRunbook(Drill));
    QTRY_VERIFY2(m_wizard->incidentText().endsWith(u"(P2, resolved)"_s), qPrintable(m_wizard->incidentText()));
    QVERIFY(m_wizard->selectItem(u"diagnosis/0"_s));

    // Cancel (the default, also Enter): nothing runs, nothing is recorded.
    m_wizard->runButton()->click();
    auto* question = waitVisible<QMessageBox>(u"resolvedIncidentQuestion"_s);
    QVERIFY(question);
    QVERIFY(question->text().contains(u"#%1"_s.arg(id)));
    QCOMPARE(question->defaultButton(), question->button(QMessageBox::Cancel));
    QTest::keyClick(question, Qt::Key_Return);
    QTRY_VERIFY(visible<QMessageBox>(u"resolvedIncidentQuestion"_s).isEmpty());
    QTest::qWait(300);
    QVERIFY(!m_wizard->executor()->isBusy());
    QCOMPARE(commandIncidents(), QStringList());

    // Recorded on it only when told so.
    m_wizard->runButton()->click();
    question = waitVisible<QMessageBox>(u"resolvedIncidentQuestion"_s);
    QVERIFY(question);
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    question->findChild<QPushButton*>(u"resolvedRecordAnyway"_s)->click();
    (void)QTest::qWaitFor(
        [&] {
            for (auto* d : m_wizard->findChildren<ConfirmationDialog*>())
                if (d->isVisible()) {
                    d->findChild<QPushButton*>(u"confirmationRun"_s)->click();
                    return true;
                }
            return !finished.isEmpty();
        },
        2000);
    QVERIFY(!finished.isEmpty() || finished.wait(30000));
    const QString n = QString::number(id);
    QTRY_COMPARE_WITH_TIMEOUT(commandIncidents(),
        (QStringList {
            QString::fromUtf16(AuditKind::Started) + u':' + n, QString::fromUtf16(AuditKind::Finished) + u':' + n }),
        10000);
}

void TestActiveIncident::restartMidDrillReattachesAlertAndReopensWizard()
{
    // First lifetime: the alert opens the incident, a diagnosis runs, the operator moves on to the resolution.
    fire(9.5);
    QVERIFY(m_window->dashboardPane()->openIncidentForAlert(Rule));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->activeIncidentId() > 0, 10000);
    const qint64 id = m_window->activeIncidentId();
    QTRY_COMPARE(m_wizard->runbookTitle(), Drill);
    QVERIFY(runStep(u"diagnosis/0"_s));
    QVERIFY(m_wizard->selectItem(u"option"_s));
    stop();

    // Second lifetime: the same store and settings.
    start();
    QCOMPARE(m_window->activeIncidentId(), id);
    QCOMPARE(m_metrics->linkedIncident(Rule), id); // rebuilt from the incident's alert.fired
    QTRY_COMPARE_WITH_TIMEOUT(m_wizard->runbookTitle(), Drill, 10000);
    QTRY_COMPARE(m_wizard->currentRef(), u"option"_s); // where it was left, after its last command
    QCOMPARE(m_wizard->incident(), id);
    QVERIFY(m_wizard->incidentText().startsWith(u"For incident #%1 — %2"_s.arg(id).arg(Drill)));
    QTRY_COMPARE(m_wizard->stepState(u"diagnosis/0"_s), u"ok"_s);
    QTest::qWait(200);
    QVERIFY(visible<QMessageBox>(u"openIncidentQuestion"_s).isEmpty());

    // The alert fires again: its banner names the incident and its firing goes onto that timeline.
    fire(11);
    QPushButton* button = nullptr;
    QTRY_VERIFY((button = m_window->alertBar()->findChild<QPushButton*>(u"alertBarOpen"_s)) != nullptr);
    QTRY_COMPARE(button->text(), u"Incident #%1"_s.arg(id));
    QTRY_VERIFY_WITH_TIMEOUT(events(id).constLast().kind == u"alert.firing"_s, 10000);
    QVERIFY(m_window->dashboardPane()->openIncidentForAlert(Rule));
    QTest::qWait(300);
    QCOMPARE(m_window->incidentModel()->rowCount(), 1);
    QCOMPARE(m_window->activeIncidentId(), id);

    // The resolution runs, then the console dies (no clean quit): the store's command events, newer than the saved
    // place, bring it back there.
    QVERIFY(runStep(u"resolution/0/0"_s));
    QVERIFY(m_wizard->selectItem(u"overview"_s)); // not saved: the console does not get to quit
    stop(false);
    start();
    QTRY_COMPARE_WITH_TIMEOUT(m_wizard->runbookTitle(), Drill, 10000);
    QTRY_COMPARE(m_wizard->currentRef(), u"resolution/0/0"_s);
    QTRY_COMPARE(m_wizard->stepState(u"resolution/0/0"_s), u"ok"_s);
    QCOMPARE(m_metrics->linkedIncident(Rule), id);

    // Resolved, the incident takes no more alerts: the next firing offers a new one.
    m_store->resolve(id, u"Restarted"_s);
    QTRY_COMPARE(m_metrics->linkedIncident(Rule), 0);
    stop();
    start();
    QCOMPARE(m_metrics->linkedIncident(Rule), 0);
}

QTEST_MAIN(TestActiveIncident)
#include "tst_activeincident.moc"
