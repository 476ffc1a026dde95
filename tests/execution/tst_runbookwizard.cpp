// SPDX-License-Identifier: MIT
// The runbook wizard in the main window, offscreen, against the sandbox: "Database Connection Pool Exhausted" on
// an injected pool-exhausted fault, resumable state from the timeline, one run per double click.
#include "executortestsupport.h"
#include "support/sandboxenv.h"

#include "models/environmentlistmodel.h"
#include "models/incidentlistmodel.h"
#include "services/auditrecorder.h"
#include "services/runbooklibrary.h"
#include "services/storeclient.h"
#include "ui/confirmationdialog.h"
#include "ui/ipseteditor.h"
#include "ui/mainwindow.h"
#include "ui/runbookpicker.h"
#include "ui/runbookwizard.h"
#include "ui/stepoutputview.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;
using namespace ExecutorTest;

namespace {
const QString PoolRunbook = u"Database Connection Pool Exhausted"_s;

QStringList column(QTableWidget* table, const QString& name)
{
    QStringList values;
    for (int c = 0; c < table->columnCount(); ++c) {
        if (table->horizontalHeaderItem(c)->text() != name)
            continue;
        for (int r = 0; r < table->rowCount(); ++r)
            values.append(table->item(r, c) ? table->item(r, c)->text() : QString());
    }
    return values;
}
} // namespace

class TestRunbookWizard : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void picker();
    void poolExhaustedWalkthrough();
    void doubleClickRunsOnce();
    void outcomeUnknownAfterCrash();
    void ipSetUpdateShowsBeforeAfter();
    void ipSetChangedMeanwhileAsksAgain();
    void logsTailInStepView();
    void checklistTicksAreSaved();
    void resumeShowsOutputs();
    void destructiveValuesNotPrefilled();

private:
    QList<TimelineEvent> loadEvents();
    CommandOutcome runCurrent(int timeoutMs = 60000);
    ConfirmationDialog* visibleDialog() const;
    std::unique_ptr<RunbookWizard> reopenedWizard(const QString& title);
    CommandAudit recordStart(
        const QString& ref, const QString& command, const QString& risk, const QString& confirmation = {});

    QTemporaryDir m_dir;
    bool m_injected = false;
    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<RunbookLibrary> m_library;
    std::unique_ptr<EnvironmentListModel> m_environments;
    std::unique_ptr<AuditRecorder> m_audit;
    std::unique_ptr<MainWindow> m_window;
    RunbookWizard* m_wizard = nullptr;
    qint64 m_incident = 0;
};

void TestRunbookWizard::initTestCase()
{
    QString why;
    if (SandboxEnv::load(&why).isEmpty())
        QSKIP(qPrintable(why));
    m_store = std::make_unique<StoreClient>(m_dir.filePath(u"store.db"_s));
    QSignalSpy opened(m_store.get(), &StoreClient::opened);
    m_store->open();
    QVERIFY(opened.wait(20000));
    m_library = std::make_unique<RunbookLibrary>();
    m_library->setDirectories({});
    QSignalSpy reloaded(m_library.get(), &RunbookLibrary::reloaded);
    m_library->reload();
    QVERIFY(reloaded.wait(20000));
    m_environments = std::make_unique<EnvironmentListModel>();
    m_environments->setProfiles({ sandboxProfile() });
    QVERIFY(m_environments->setActive(u"sandbox"_s));
    m_audit = std::make_unique<AuditRecorder>(m_store.get());

    ConsoleServices services;
    services.store = m_store.get();
    services.runbooks = m_library.get();
    services.environments = m_environments.get();
    services.audit = m_audit.get();
    m_window = std::make_unique<MainWindow>(services);
    m_window->resize(1400, 900);
    m_window->show();
    m_wizard = m_window->runbookWizard();
    QVERIFY(m_wizard);

    QSignalSpy changed(m_store.get(), &StoreClient::incidentChanged);
    IncidentDraft draft;
    draft.title = u"Pool exhausted drill"_s;
    draft.severity = Severity::P0;
    draft.environment = u"sandbox"_s;
    m_store->createIncident(draft);
    QVERIFY(changed.wait(10000));
    m_incident = changed.constFirst().constFirst().value<Incident>().id;
    QTRY_VERIFY(m_window->incidentModel()->incident(m_incident).has_value());
    m_window->setActiveIncident(m_incident);
    QTRY_COMPARE(m_wizard->incident(), m_incident);

    QString output;
    QCOMPARE(SandboxEnv::run({ u"inject"_s, u"pool-exhausted"_s }, &output), 0);
    m_injected = true;
}

void TestRunbookWizard::cleanupTestCase()
{
    m_window.reset();
    if (m_injected)
        SandboxEnv::run({ u"heal"_s, u"pool-exhausted"_s });
}

QList<TimelineEvent> TestRunbookWizard::loadEvents()
{
    QSignalSpy loaded(m_store.get(), &StoreClient::eventsLoaded);
    const quint64 id = m_store->requestEvents(m_incident, 0, 10000);
    for (int i = 0; i < 20; ++i) {
        if (loaded.isEmpty() && !loaded.wait(5000))
            break;
        for (const QList<QVariant>& args : std::as_const(loaded)) {
            if (args.at(0).toULongLong() == id)
                return args.at(2).value<QList<TimelineEvent>>();
        }
        loaded.clear();
    }
    return {};
}

CommandOutcome TestRunbookWizard::runCurrent(int timeoutMs)
{
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    [&] { QTRY_VERIFY(m_wizard->runButton()->isEnabled()); }();
    m_wizard->runButton()->click();
    if (!finished.wait(timeoutMs))
        return {};
    return finished.constFirst().at(1).value<CommandOutcome>();
}

ConfirmationDialog* TestRunbookWizard::visibleDialog() const
{
    const QList<ConfirmationDialog*> dialogs = m_wizard->findChildren<ConfirmationDialog*>();
    for (ConfirmationDialog* d : dialogs) {
        if (d->isVisible())
            return d;
    }
    return nullptr;
}

// A SQL run of a Pool Exhausted step as the executor records its start (in this test's incident).
CommandAudit TestRunbookWizard::recordStart(
    const QString& ref, const QString& command, const QString& risk, const QString& confirmation)
{
    CommandAudit audit;
    audit.runId = AuditRecorder::newRunId();
    audit.source = u"runbook:"_s + PoolRunbook + u'#' + ref;
    audit.title = ref;
    audit.kind = u"sql"_s;
    audit.environment = u"sandbox"_s;
    audit.command = command;
    audit.risk = risk;
    audit.confirmation = confirmation;
    m_audit->recordStarted(m_incident, audit);
    return audit;
}

// A wizard of its own, as after restarting the console: everything it shows comes from the timeline.
std::unique_ptr<RunbookWizard> TestRunbookWizard::reopenedWizard(const QString& title)
{
    ConsoleServices services;
    services.store = m_store.get();
    services.runbooks = m_library.get();
    services.environments = m_environments.get();
    services.audit = m_audit.get();
    auto wizard = std::make_unique<RunbookWizard>(services);
    wizard->resize(900, 700);
    wizard->show();
    wizard->setIncident(m_incident);
    if (!wizard->openRunbook(title))
        return {};
    return wizard;
}

void TestRunbookWizard::picker()
{
    m_wizard->showPicker();
    m_wizard->picker()->setQuery(u"pool"_s);
    QList<QListWidgetItem*> rows = m_wizard->picker()->list()->findItems(PoolRunbook, Qt::MatchContains);
    QCOMPARE(rows.size(), 1);
    m_wizard->picker()->setQuery(u"ecs describe-tasks"_s);
    QVERIFY(m_wizard->picker()->list()->count() >= 1);
    QVERIFY(m_wizard->picker()->list()->item(0)->text().startsWith(u"Command"_s));
    QVERIFY(!m_wizard->openRunbook(u"No such runbook"_s));
}

void TestRunbookWizard::poolExhaustedWalkthrough()
{
    m_window->openRunbookWizard(PoolRunbook);
    QCOMPARE(m_wizard->runbookTitle(), PoolRunbook);
    QCOMPARE(m_wizard->itemRefs().constFirst(), u"overview"_s);
    QVERIFY(m_wizard->itemRefs().contains(u"resolution/0/1"_s));
    QVERIFY(m_wizard->itemRefs().contains(u"verify/1"_s));
    QCOMPARE(m_wizard->itemRefs().constLast(), u"checklist"_s);

    // Diagnosis: connections by application shows the held idle sessions.
    QVERIFY(m_wizard->selectItem(u"diagnosis/1"_s));
    QVERIFY(m_wizard->commandText().contains(u"GROUP BY application_name, state"_s));
    CommandOutcome diag = runCurrent();
    QCOMPARE(diag.status, u"ok"_s);
    QTableWidget* table = m_wizard->output()->table();
    QVERIFY(column(table, u"application_name"_s).contains(u"petforce-api"_s));
    QVERIFY(column(table, u"state"_s).contains(u"idle"_s));
    auto idleSessions = [table] {
        int idle = 0;
        const QStringList states = column(table, u"state"_s);
        const QStringList counts = column(table, u"connections"_s);
        for (int i = 0; i < states.size(); ++i) {
            if (states.at(i) == u"idle")
                idle += counts.at(i).toInt();
        }
        return idle;
    };
    const int idleBefore = idleSessions();
    QVERIFY2(idleBefore >= 8, qPrintable(QString::number(idleBefore)));

    // The destructive step: the drill threshold is shown, the count comes first, the name must be typed.
    QVERIFY(m_wizard->selectItem(u"resolution/0/1"_s));
    QVERIFY2(m_wizard->commandText().contains(u"interval '10 seconds'"_s), qPrintable(m_wizard->commandText()));
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    m_wizard->runButton()->click();
    ConfirmationDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = m_wizard->findChild<ConfirmationDialog*>()) != nullptr, 30000);
    QTRY_VERIFY(dialog->isVisible());
    auto* count = dialog->findChild<QLabel*>(u"confirmationCount"_s);
    QVERIFY(count);
    const QRegularExpressionMatch m = QRegularExpression(u"(\\d+) row"_s).match(count->text());
    QVERIFY2(m.hasMatch(), qPrintable(count->text()));
    const int counted = m.captured(1).toInt();
    QVERIFY2(counted >= 8, qPrintable(count->text()));
    auto* typed = dialog->findChild<QLineEdit*>(u"confirmationTyped"_s);
    auto* run = dialog->findChild<QPushButton*>(u"confirmationRun"_s);
    QVERIFY(typed && run);
    QVERIFY(!run->isEnabled());
    typed->setText(u"sandbox"_s);
    QVERIFY(!run->isEnabled());
    run->click(); // refused: nothing runs
    QTest::qWait(100);
    QVERIFY(finished.isEmpty());
    typed->setText(u"petforce"_s);
    QVERIFY(run->isEnabled());
    run->click();
    QVERIFY(finished.wait(60000));
    const CommandOutcome kill = finished.constFirst().at(1).value<CommandOutcome>();
    QCOMPARE(kill.status, u"ok"_s);
    QVERIFY(kill.rows >= counted - 2 && kill.rows <= counted + 2);
    QCOMPARE(m_wizard->stepState(u"resolution/0/1"_s), u"ok"_s);

    // Verify: fewer idle sessions than before the kill (those idle for less than the threshold stay). The
    // sandbox's load reconnects into the freed pool at once (9 of 27 within the verify step, seen in CI) and those
    // sessions can pass the 10 s drill threshold while the test runs, so the count only has to have dropped; the
    // number terminated is checked against the confirmed count above.
    QVERIFY(m_wizard->selectItem(u"verify/1"_s));
    QCOMPARE(runCurrent().status, u"ok"_s);
    QVERIFY2(idleSessions() < idleBefore,
        qPrintable(
            u"%1 idle before, %2 terminated, %3 idle after"_s.arg(idleBefore).arg(kill.rows).arg(idleSessions())));

    // The timeline holds both events of the destructive run, with the typed confirmation and the count's result.
    const QList<TimelineEvent> events = loadEvents();
    QString run_;
    bool startedSeen = false;
    bool finishedSeen = false;
    for (const TimelineEvent& e : events) {
        if (e.kind == u"command.started"_s && e.detail.value(u"source"_s).toString().endsWith(u"#resolution/0/1"_s)) {
            startedSeen = true;
            run_ = e.detail.value(u"run"_s).toString();
            QCOMPARE(e.detail.value(u"confirmation"_s).toString(), u"typed petforce"_s);
            QCOMPARE(e.detail.value(u"risk"_s).toString(), u"destructive"_s);
            QVERIFY(e.detail.value(u"command"_s).toString().contains(u"pg_terminate_backend"_s));
            QVERIFY(!QJsonDocument(e.detail).toJson().contains(qgetenv("PGPASSWORD")));
        }
        if (e.kind == u"command.finished"_s && !run_.isEmpty() && e.detail.value(u"run"_s).toString() == run_) {
            finishedSeen = true;
            QCOMPARE(e.detail.value(u"status"_s).toString(), u"ok"_s);
            QCOMPARE(e.detail.value(u"sha256"_s).toString().size(), 64);
        }
    }
    QVERIFY(startedSeen);
    QVERIFY(finishedSeen);
}

void TestRunbookWizard::doubleClickRunsOnce()
{
    m_window->openRunbookWizard(PoolRunbook);
    QVERIFY(m_wizard->selectItem(u"diagnosis/0"_s));
    const int before = int(loadEvents().size());
    QSignalSpy started(m_wizard->executor(), &StepExecutor::started);
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    QTRY_VERIFY(m_wizard->runButton()->isEnabled());
    m_wizard->runButton()->click();
    m_wizard->runButton()->click();
    QTest::mouseDClick(m_wizard->runButton(), Qt::LeftButton);
    QVERIFY(finished.wait(30000));
    QTest::qWait(300);
    QCOMPARE(started.size(), 1);
    QCOMPARE(finished.size(), 1);
    QTRY_COMPARE(int(loadEvents().size()), before + 2);

    // Ctrl+Return runs the step like the button (once, however often it is pressed meanwhile).
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTRY_VERIFY(m_wizard->runButton()->isEnabled());
    QTest::keyClick(m_wizard->runButton(), Qt::Key_Return, Qt::ControlModifier);
    QTest::keyClick(m_wizard->runButton(), Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(finished.wait(30000));
    QTest::qWait(300);
    QCOMPARE(started.size(), 2);
    QCOMPARE(finished.size(), 2);
}

void TestRunbookWizard::outcomeUnknownAfterCrash()
{
    // A start recorded by a console that then crashed: no finish.
    recordStart(u"resolution/0/0"_s, u"SELECT pg_terminate_backend($1);"_s, u"destructive"_s, u"typed petforce"_s);
    QTRY_VERIFY(!unfinishedRuns(loadEvents()).isEmpty());

    m_wizard->showPicker();
    m_window->openRunbookWizard(PoolRunbook);
    QTRY_COMPARE(m_wizard->stepState(u"resolution/0/0"_s), u"unknown"_s);
    QCOMPARE(m_wizard->stepState(u"resolution/0/1"_s), u"ok"_s); // resumed from the timeline
    QVERIFY(m_wizard->selectItem(u"resolution/0/0"_s));
    QVERIFY(m_wizard->statusText().contains(u"outcome is unknown"_s));
}

// The Rate Limiting runbook's WAF block (`aws wafv2 update-ip-set`, destructive): the confirmation shows the IP
// list before and after, refuses until the set's name is typed, and the update lands.
void TestRunbookWizard::ipSetUpdateShowsBeforeAfter()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    const auto [id, name]
        = createIpSet(u"petforce-wizard-block-%1"_s.arg(QCoreApplication::applicationPid()), { u"203.0.113.7/32"_s });
    QVERIFY(!id.isEmpty());
    m_wizard->showPicker();
    m_window->openRunbookWizard(u"Rate Limit Violations"_s);
    QVERIFY(m_wizard->chooseOption(1));
    QVERIFY(m_wizard->selectItem(u"resolution/1/0"_s));
    QVERIFY(m_wizard->commandText().contains(u"update-ip-set --name"_s));
    QVERIFY(!m_wizard->findChild<QWidget*>(u"param_lock_token"_s)); // read from the set, not typed
    QVERIFY(!m_wizard->findChild<QWidget*>(u"param_addresses"_s)); // the list comes from the set
    QVERIFY(!m_wizard->commandText().contains(u"192.168.1.1"_s));
    IpSetEditor* editor = m_wizard->ipSetEditor();
    QVERIFY(editor);
    QTRY_VERIFY_WITH_TIMEOUT(editor->chooseSet(name), 60000); // picked from list-ip-sets
    QTRY_VERIFY_WITH_TIMEOUT(editor->currentKnown(), 60000);
    QCOMPARE(editor->current(), QStringList { u"203.0.113.7/32"_s });
    QVERIFY(editor->setRemoving(u"203.0.113.7/32"_s, true));
    QVERIFY(editor->addTyped(u"198.51.100.23/32"_s));
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    QTRY_VERIFY(m_wizard->runButton()->isEnabled());
    m_wizard->runButton()->click();
    ConfirmationDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = visibleDialog()) != nullptr, 60000);
    auto* effects = dialog->findChild<QListWidget*>(u"confirmationEffects"_s);
    QVERIFY(effects);
    QStringList lines;
    for (int i = 0; i < effects->count(); ++i)
        lines.append(effects->item(i)->text());
    QVERIFY2(lines.contains(u"Before (1): 203.0.113.7/32"_s), qPrintable(lines.join(u'\n')));
    QVERIFY(lines.contains(u"After (1): 198.51.100.23/32"_s));
    QVERIFY(lines.contains(u"+ 198.51.100.23/32 (added)"_s));
    QVERIFY(lines.contains(u"− 203.0.113.7/32 (removed)"_s));
    auto* command = dialog->findChild<QPlainTextEdit*>(u"confirmationCommand"_s);
    QVERIFY(command && command->toPlainText().contains(u"--name "_s + name));
    auto* typed = dialog->findChild<QLineEdit*>(u"confirmationTyped"_s);
    auto* run = dialog->findChild<QPushButton*>(u"confirmationRun"_s);
    QVERIFY(typed && run);
    QVERIFY(!run->isEnabled());
    typed->setText(u"sandbox"_s);
    QVERIFY(!run->isEnabled());
    typed->setText(name);
    QVERIFY(run->isEnabled());
    run->click();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.constFirst().at(1).value<CommandOutcome>().status, u"ok"_s);
    QCOMPARE(readIpSet(id, name).first, QStringList { u"198.51.100.23/32"_s });
    QVERIFY(deleteIpSet(id, name));
}

// The set changes between the confirmation's read and the update: the update fails (WAFOptimisticLockException)
// and changes nothing, and the wizard reads the set again and asks again with the new list before → after.
void TestRunbookWizard::ipSetChangedMeanwhileAsksAgain()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    const auto [id, name]
        = createIpSet(u"petforce-wizard-lock-%1"_s.arg(QCoreApplication::applicationPid()), { u"203.0.113.7/32"_s });
    QVERIFY(!id.isEmpty());
    m_wizard->showPicker();
    m_window->openRunbookWizard(u"Rate Limit Violations"_s);
    QVERIFY(m_wizard->chooseOption(1));
    QVERIFY(m_wizard->selectItem(u"resolution/1/0"_s));
    IpSetEditor* editor = m_wizard->ipSetEditor();
    QVERIFY(editor);
    QTRY_VERIFY_WITH_TIMEOUT(editor->chooseSet(name), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(editor->currentKnown(), 60000);
    QVERIFY(editor->setRemoving(u"203.0.113.7/32"_s, true));
    QVERIFY(editor->addTyped(u"198.51.100.23/32"_s));
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    QTRY_VERIFY(m_wizard->runButton()->isEnabled());
    m_wizard->runButton()->click();
    ConfirmationDialog* first = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((first = visibleDialog()) != nullptr, 60000);
    QVERIFY(updateIpSet(id, name, { u"192.0.2.99/32"_s })); // someone else, meanwhile
    const QPointer<ConfirmationDialog> firstGone = first;
    first->findChild<QLineEdit*>(u"confirmationTyped"_s)->setText(name);
    first->findChild<QPushButton*>(u"confirmationRun"_s)->click();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.constFirst().at(1).value<CommandOutcome>().status, u"failed"_s);
    QCOMPARE(readIpSet(id, name).first, QStringList { u"192.0.2.99/32"_s }); // nothing changed
    ConfirmationDialog* second = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(firstGone.isNull() && (second = visibleDialog()) != nullptr, 60000);
    auto* effects = second->findChild<QListWidget*>(u"confirmationEffects"_s);
    QStringList lines;
    for (int i = 0; i < effects->count(); ++i)
        lines.append(effects->item(i)->text());
    QVERIFY2(lines.contains(u"Before (1): 192.0.2.99/32"_s), qPrintable(lines.join(u'\n')));
    QVERIFY(lines.contains(u"= 192.0.2.99/32 (kept)"_s)); // someone else's change is not undone
    QVERIFY(lines.contains(u"203.0.113.7/32 is no longer in the set (removed meanwhile)"_s));
    second->findChild<QPushButton*>(u"confirmationCancel"_s)->click(); // Cancel is safe
    QTRY_VERIFY(!m_wizard->executor()->isBusy());
    QCOMPARE(finished.size(), 1);
    QCOMPARE(readIpSet(id, name).first, QStringList { u"192.0.2.99/32"_s });
    QVERIFY(deleteIpSet(id, name));
}

// High Error Rate's `aws logs tail … --follow` in the step view: the moto log group's ERROR lines appear as the CLI
// prints them (v2 natively: "<ISO time> <stream> <message>"; v1 through the console's loop: the message), the
// command.started event records what ran, and Stop ends it.
void TestRunbookWizard::logsTailInStepView()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    const int major = StepExecutor::awsCliMajor(awsVersion());
    QVERIFY(major == 1 || major == 2);
    m_wizard->showPicker();
    m_window->openRunbookWizard(u"High Error Rate (500s)"_s);
    QVERIFY(m_wizard->selectItem(u"diagnosis/1"_s));
    QVERIFY(m_wizard->commandText().contains(u"logs tail"_s));
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    QTRY_VERIFY(m_wizard->runButton()->isEnabled());
    m_wizard->runButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(m_wizard->stopButton()->isEnabled(), 60000);
    const QString marker = u"ERROR wizard-tail-test %1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    QVERIFY(ExecutorTest::putLogLine(u"wizard-tail"_s, marker));
    QTRY_VERIFY_WITH_TIMEOUT(m_wizard->output()->text(CommandStream::Stdout).contains(marker), 30000);
    QString line;
    for (const QString& l : m_wizard->output()->text(CommandStream::Stdout).split(u'\n')) {
        if (l.contains(marker))
            line = l;
    }
    if (major == 2)
        QVERIFY2(QRegularExpression(u"^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+\\+00:00 wizard-tail "_s
                     + QRegularExpression::escape(marker) + u'$')
                     .match(line)
                     .hasMatch(),
            qPrintable(line));
    else
        QCOMPARE(line, marker);
    QVERIFY(m_wizard->output()->text(CommandStream::Stderr).trimmed().isEmpty());
    QVERIFY(finished.isEmpty());
    m_wizard->stopButton()->click();
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.constFirst().at(1).value<CommandOutcome>().status, u"stopped"_s);
    // The timeline's command.started has what ran: the step itself on v2, the console's loop on v1.
    QString recorded;
    for (const TimelineEvent& e : loadEvents()) {
        if (e.kind == u"command.started"_s && e.detail.value(u"source"_s).toString().endsWith(u"#diagnosis/1"_s))
            recorded = CommandAudit::fromJson(e.detail).command;
    }
    QVERIFY(!recorded.isEmpty());
    if (major == 2)
        QVERIFY2(
            recorded.contains(u" logs tail "_s) && !recorded.contains(u"filter-log-events"_s), qPrintable(recorded));
    else
        QVERIFY2(recorded.contains(u"has no `aws logs tail`"_s) && recorded.contains(u"filter-log-events"_s),
            qPrintable(recorded));
}

// Ticks of the post-incident checklist are runbook.checklist events: a wizard opened afresh shows them.
void TestRunbookWizard::checklistTicksAreSaved()
{
    m_wizard->showPicker();
    m_window->openRunbookWizard(PoolRunbook);
    QVERIFY(m_wizard->selectItem(u"checklist"_s));
    auto* list = m_wizard->findChild<QListWidget*>(u"postIncidentChecklist"_s);
    QVERIFY(list && list->count() >= 3);
    const QString first = list->item(0)->text();
    const QString third = list->item(2)->text();
    auto checklistEvents = [this] {
        int n = 0;
        for (const TimelineEvent& e : loadEvents())
            n += e.kind == u"runbook.checklist"_s ? 1 : 0;
        return n;
    };
    const int before = checklistEvents();
    list->item(0)->setCheckState(Qt::Checked);
    list->item(2)->setCheckState(Qt::Checked);
    list->item(2)->setCheckState(Qt::Unchecked);
    QTRY_COMPARE(checklistEvents(), before + 3);

    auto reopened = reopenedWizard(PoolRunbook);
    QVERIFY(reopened);
    QVERIFY(reopened->selectItem(u"checklist"_s));
    auto* again = reopened->findChild<QListWidget*>(u"postIncidentChecklist"_s);
    QTRY_VERIFY(again->count() >= 3 && again->item(0)->checkState() == Qt::Checked);
    QCOMPARE(again->item(0)->text(), first);
    QCOMPARE(again->item(2)->text(), third);
    QCOMPARE(again->item(1)->checkState(), Qt::Unchecked);
    QCOMPARE(again->item(2)->checkState(), Qt::Unchecked);
}

// A resumed run: each finished step shows its outcome and the tail of its output file, not a blank view.
void TestRunbookWizard::resumeShowsOutputs()
{
    // diagnosis/1 (SQL) ran in the walkthrough; an aws step's output is run here (AWS part on).
    const bool aws = SandboxEnv::awsOff().isEmpty();
    if (aws) {
        m_wizard->showPicker();
        m_window->openRunbookWizard(u"High Error Rate (500s)"_s);
        QVERIFY(m_wizard->selectItem(u"diagnosis/0"_s));
        const QString shellRef = m_wizard->currentRef();
        const CommandOutcome shell = runCurrent();
        QCOMPARE(shell.status, u"ok"_s);
        const QString shown = m_wizard->output()->text(CommandStream::Stdout);
        QVERIFY(!shown.trimmed().isEmpty());

        auto error = reopenedWizard(u"High Error Rate (500s)"_s);
        QVERIFY(error);
        QTRY_COMPARE(error->stepState(shellRef), u"ok"_s);
        QVERIFY(error->selectItem(shellRef));
        QVERIFY(error->statusText().startsWith(u"ok"_s));
        QTRY_VERIFY(!error->output()->text(CommandStream::Stdout).trimmed().isEmpty());
        QCOMPARE(error->output()->text(CommandStream::Stdout).trimmed(), shown.trimmed());
        // The rollback's task definition is offered from that earlier run's JSON (taskDefinitionArns), as in the
        // session that ran it.
        QVERIFY(error->selectItem(u"resolution/0/0"_s));
        auto* taskDefinition = error->findChild<QComboBox*>(u"param_task_definition"_s);
        QVERIFY(taskDefinition);
        QTRY_VERIFY(taskDefinition->count() > 0);
        QVERIFY2(
            taskDefinition->itemText(0).startsWith(u"arn:aws:ecs:"_s) && shown.contains(taskDefinition->itemText(0)),
            qPrintable(taskDefinition->itemText(0)));
        QCOMPARE(taskDefinition->currentText(), taskDefinition->itemText(0));
    }

    // An earlier session's run of "long-running queries" (diagnosis/2) that found two, recorded as the executor
    // records a SQL step: its result file is where the kill step's pid comes from after a restart.
    QTemporaryDir runs;
    QFile tsv(runs.filePath(u"earlier.tsv"_s));
    QVERIFY(tsv.open(QIODevice::WriteOnly));
    tsv.write("pid\tduration\tstate\tquery\n4242\t00:07:12\tactive\tSELECT pg_sleep(900)\n"
              "5151\t00:06:01\tactive\tSELECT pg_sleep(900)\n");
    tsv.close();
    const CommandAudit audit = recordStart(u"diagnosis/2"_s,
        u"SELECT pid, now() - pg_stat_activity.query_start AS duration, state, query FROM …"_s, u"read-only"_s);
    CommandOutcome outcome;
    outcome.status = u"ok"_s;
    outcome.rows = 2;
    outcome.outputPath = tsv.fileName();
    m_audit->recordFinished(m_incident, audit, outcome);
    const auto stored = [this, run = audit.runId] {
        const QList<TimelineEvent> events = loadEvents();
        return std::any_of(events.cbegin(), events.cend(), [&run](const TimelineEvent& e) {
            return e.kind == u"command.finished"_s && e.detail.value(u"run"_s).toString() == run;
        });
    };
    QTRY_VERIFY(stored());

    auto pool = reopenedWizard(PoolRunbook);
    QVERIFY(pool);
    QTRY_COMPARE(pool->stepState(u"diagnosis/1"_s), u"ok"_s);
    QVERIFY(pool->selectItem(u"diagnosis/1"_s));
    QVERIFY(pool->statusText().startsWith(u"ok"_s));
    QTRY_VERIFY(column(pool->output()->table(), u"application_name"_s).contains(u"petforce-api"_s));
    QTRY_COMPARE(pool->stepState(u"diagnosis/2"_s), u"ok"_s);
    QVERIFY(pool->selectItem(u"resolution/0/0"_s));
    auto* pid = pool->findChild<QComboBox*>(u"param_pid"_s);
    QVERIFY(pid);
    pid->setEditText(u"9999"_s); // typed before the saved result is read (that answer is queued): it stays
    QTRY_COMPARE(pid->count(), 2);
    QCOMPARE(pid->itemText(0), u"4242"_s);
    QCOMPARE(pid->itemText(1), u"5151"_s);
    QCOMPARE(pid->currentText(), u"9999"_s);
    if (!aws)
        QSKIP(qPrintable(u"the aws step's half skipped: the sandbox's AWS part is off: "_s + SandboxEnv::awsOff()));
}

// Issue 15: the pid of the seed's terminate step is empty with the runbook's 12345 as a hint (it came prefilled);
// 0.0.0.0/0 for the WAF IP set is refused with its reason, and no run is offered.
void TestRunbookWizard::destructiveValuesNotPrefilled()
{
    m_wizard->showPicker();
    m_window->openRunbookWizard(PoolRunbook);
    QVERIFY(m_wizard->selectItem(u"resolution/0/0"_s));
    auto* pid = m_wizard->findChild<QComboBox*>(u"param_pid"_s);
    QVERIFY(pid);
    QCOMPARE(pid->currentText(), QString());
    QCOMPARE(pid->lineEdit()->placeholderText(), u"e.g. 12345"_s);
    QVERIFY(!m_wizard->runButton()->isEnabled());
    QVERIFY2(m_wizard->commandText().contains(u"<pid>"_s), qPrintable(m_wizard->commandText()));

    m_wizard->showPicker();
    m_window->openRunbookWizard(u"Rate Limit Violations"_s);
    QVERIFY(m_wizard->chooseOption(1));
    QVERIFY(m_wizard->selectItem(u"resolution/1/0"_s));
    IpSetEditor* editor = m_wizard->ipSetEditor();
    QVERIFY(editor);
    auto* entry = editor->findChild<QLineEdit*>(u"wafAddEntry"_s);
    auto* add = editor->findChild<QPushButton*>(u"wafAddButton"_s);
    auto* reason = editor->findChild<QLabel*>(u"wafAddReason"_s);
    QVERIFY(entry && add && reason);
    QVERIFY(!entry->text().contains(u"192.168.1.1"_s)); // the runbook's example is never offered
    entry->setText(u"0.0.0.0/0"_s);
    add->click();
    QVERIFY2(reason->text().contains(u"every address on the internet"_s), qPrintable(reason->text()));
    QVERIFY(editor->toAdd().isEmpty());
    QVERIFY(!m_wizard->runButton()->isEnabled());
}

QTEST_MAIN(TestRunbookWizard)
#include "tst_runbookwizard.moc"
