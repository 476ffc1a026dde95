// SPDX-License-Identifier: MIT
// The five sandbox drills end to end, as an incident commander walks them (issue 16): the console as the program
// wires it (Application), the real sandbox, real widgets offscreen. Per fault: inject → the alert shows while the
// Runbook tab is in front → open the incident from the alert → it is the active one → the runbook's diagnosis
// (psql steps too) → the fix through its confirmation, confirmed with Enter → verify → heal → the alert resolves
// once → resolve → the post-mortem draft lists the alert's fire and resolve times and the commands. The drills run
// one after another in one console and one store, so each starts with the previous (resolved) incident active:
// every command event must belong to its own drill's incident.
#include "support/sandboxenv.h"

#include "app/application.h"
#include "models/commandaudit.h"
#include "models/incidentlistmodel.h"
#include "models/postmortemdraft.h"
#include "services/storeclient.h"
#include "ui/confirmationdialog.h"
#include "ui/ipseteditor.h"
#include "ui/mainwindow.h"
#include "ui/runbookwizard.h"
#include "ui/stepoutputview.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <memory>

using namespace Qt::StringLiterals;

namespace {
struct Drill {
    QString fault; // scripts/sandbox inject …
    QString runbook; // the runbook's title
    QString rule; // the alert rule's id (the runbook's **Alert** expression)
    int option = 0; // the resolution option the drill takes
    QStringList fixRefs; // the option's steps the drill runs, in order
    bool needsAws = true;
};

const QList<Drill>& drills()
{
    static const QList<Drill> all {
        { u"pool-exhausted"_s, u"Database Connection Pool Exhausted"_s, u"db_pool_available < 2"_s, 0,
            { u"resolution/0/1"_s }, false },
        { u"latency"_s, u"High Latency (P99 > 1s)"_s, u"p99_latency > 1000ms"_s, 0, { u"resolution/0/0"_s } },
        { u"error-rate"_s, u"High Error Rate (500s)"_s, u"error_rate > 5%"_s, 1, { u"resolution/1/1"_s } },
        { u"rate-limit"_s, u"Rate Limit Violations"_s, u"rate_limit_violations > 100/hour"_s, 1,
            { u"resolution/1/0"_s } },
        { u"memory-leak"_s, u"Memory Leak"_s, u"memory_usage > 90%"_s, 0, { u"resolution/0/0"_s } },
    };
    return all;
}

// Commands that run until stopped (a log tail, Redis's latency history): run a few seconds, then Stop.
bool streams(const QString& command)
{
    return command.contains(u"--follow"_s) || command.contains(u"--latency"_s); // also --latency-history
}
// A link, a manual instruction or a snippet has nothing to run ("Check Datadog APM": a page to open).
bool runnable(const RunbookStep& step)
{
    return step.kind != StepKind::Link && step.kind != StepKind::Manual && step.kind != StepKind::Snippet;
}
} // namespace

class TestDrills : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void drill_data();
    void drill();

private:
    bool startConsole(QString* why);
    QWidget* alertRow(const QString& rule) const; // the alert bar's row of that rule, if shown
    ConfirmationDialog* visibleConfirmation() const;
    CommandOutcome runStep(const QString& ref, QString* why);
    QList<TimelineEvent> loadEvents(qint64 incidentId);
    void shot(const QString& drill, const QString& moment, QWidget* widget = nullptr) const;

    QTemporaryDir m_dir;
    std::unique_ptr<Application> m_app;
    MainWindow* m_window = nullptr;
    RunbookWizard* m_wizard = nullptr;
    QString m_injected;
};

void TestDrills::initTestCase()
{
    QCoreApplication::setOrganizationName(u"PetForce"_s);
    QCoreApplication::setOrganizationDomain(u"petforce.app"_s);
    QCoreApplication::setApplicationName(u"petforce-console"_s);
    QString why;
    if (SandboxEnv::load(&why).isEmpty())
        QSKIP(qPrintable(why));
    // The shipped metrics settings with the sandbox's times shortened (the drill's pace, not the product's): the
    // sources read every 2 s, CloudWatch every 10 s (the sandbox publishes every 10 s), rules fire after 4 s.
    QFile shipped(u":/config/metrics.yaml"_s);
    QVERIFY(shipped.open(QIODevice::ReadOnly));
    QString yaml = QString::fromUtf8(shipped.readAll());
    const qsizetype sandbox = yaml.indexOf(u"\n  sandbox:\n"_s);
    QVERIFY(sandbox > 0);
    yaml = yaml.left(sandbox)
        + u"\n  sandbox:\n    refresh_seconds: 2\n    cloudwatch_period_seconds: 60\n"
          u"    cloudwatch_refresh_seconds: 10\n    alert_for_seconds: 4\n    alert_clear_seconds: 8\n"_s;
    const QString config = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
    QVERIFY(QDir().mkpath(config));
    QFile user(config + u"/metrics.yaml"_s);
    QVERIFY(user.open(QIODevice::WriteOnly | QIODevice::Truncate));
    user.write(yaml.toUtf8());
    user.close();
    QSettings().clear(); // no wizard place of an earlier run
    QSettings().setValue(u"environment/active"_s, u"sandbox"_s);
    QVERIFY2(startConsole(&why), qPrintable(why));
}

bool TestDrills::startConsole(QString* why)
{
    CommandLine line;
    line.storePath = m_dir.filePath(u"incidents.sqlite"_s);
    m_app = std::make_unique<Application>(line);
    if (!m_app->start()) {
        *why = u"the console did not start"_s;
        return false;
    }
    m_window = m_app->window();
    m_window->resize(1400, 900);
    QSignalSpy ready(m_window, &MainWindow::storeReady);
    if (!ready.wait(30000)) {
        *why = u"the store did not open"_s;
        return false;
    }
    m_wizard = m_window->runbookWizard();
    if (m_window->activeEnvironment() != u"sandbox") {
        *why = u"the active environment is %1, not sandbox"_s.arg(m_window->activeEnvironment());
        return false;
    }
    return m_wizard != nullptr;
}

void TestDrills::cleanupTestCase()
{
    if (!m_injected.isEmpty())
        SandboxEnv::run({ u"heal"_s, m_injected });
    m_app.reset();
}

// PETFORCE_DRILL_SHOTS=DIR: the window (or a dialog) at each moment of a drill, as PNGs to look at.
void TestDrills::shot(const QString& drill, const QString& moment, QWidget* widget) const
{
    const QString dir = qEnvironmentVariable("PETFORCE_DRILL_SHOTS");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    (widget ? widget : m_window)->grab().save(u"%1/%2-%3.png"_s.arg(dir, drill, moment));
}

void TestDrills::cleanup()
{
    if (!m_injected.isEmpty() && SandboxEnv::run({ u"heal"_s, m_injected }) == 0)
        m_injected.clear(); // a failed drill leaves no fault behind for the next
    // The latency drill's fix (the runbook's index) goes again: the other tests find the sandbox's own schema.
    QProcess psql;
    psql.start(u"psql"_s,
        { u"-X"_s, u"-q"_s, u"-c"_s, u"DROP INDEX CONCURRENTLY IF EXISTS idx_household_members_household_id"_s });
    QVERIFY(psql.waitForFinished(60000));
}

QWidget* TestDrills::alertRow(const QString& rule) const
{
    auto* bar = m_window->findChild<QWidget*>(u"alertBar"_s);
    if (!bar || !bar->isVisible())
        return nullptr;
    for (QWidget* row : bar->findChildren<QWidget*>(u"alertBarRow"_s)) {
        if (row->property("ruleId").toString() == rule)
            return row;
    }
    return nullptr;
}

ConfirmationDialog* TestDrills::visibleConfirmation() const
{
    for (ConfirmationDialog* d : m_window->findChildren<ConfirmationDialog*>()) {
        if (d->isVisible())
            return d;
    }
    return nullptr;
}

// Runs the step through the wizard as a user does; a confirmation is answered from the keyboard: the target's
// name typed and Enter (destructive), or Tab to Run and Space (a write, whose default button is Cancel).
CommandOutcome TestDrills::runStep(const QString& ref, QString* why)
{
    if (!m_wizard->selectItem(ref)) {
        *why = ref + u": no such step"_s;
        return {};
    }
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    // The WAF step: the diagnosis's top offenders ticked to add to the set's current list.
    if (m_wizard->stepAt(ref).text.contains(u"update-ip-set"_s)) {
        IpSetEditor* waf = nullptr;
        if (!QTest::qWaitFor(
                [&] { return (waf = m_wizard->ipSetEditor()) && waf->isVisible() && waf->currentKnown(); }, 30000)) {
            *why = ref + u": the IP set's list was not read: "_s + (waf ? waf->problem() : u"no editor"_s);
            return {};
        }
        for (const QString& address : m_wizard->offenders().mid(0, 3))
            waf->setAdding(address, true);
        if (!QTest::qWaitFor([&] { return m_wizard->runButton()->isEnabled(); }, 5000)) {
            *why = ref + u": "_s + waf->problem();
            return {};
        }
    }
    if (!QTest::qWaitFor([&] { return m_wizard->runButton()->isEnabled(); }, 20000)) {
        *why = ref + u": Run stays disabled: "_s + m_wizard->statusText();
        return {};
    }
    const QString command = m_wizard->commandText();
    m_wizard->runButton()->click();
    ConfirmationDialog* dialog = nullptr;
    const bool asked
        = QTest::qWaitFor([&] { return (dialog = visibleConfirmation()) != nullptr || !finished.isEmpty(); }, 20000);
    Q_UNUSED(asked); // a read runs without asking
    if (dialog) {
        shot(m_injected, u"3-confirm-"_s + QString(ref).replace(u'/', u'-'), dialog);
        auto* typed = dialog->findChild<QLineEdit*>(u"confirmationTyped"_s);
        auto* run = dialog->findChild<QPushButton*>(u"confirmationRun"_s);
        if (typed && typed->isVisible()) {
            typed->setFocus();
            QTest::keyClicks(typed, dialog->request().target);
            QTest::keyClick(typed, Qt::Key_Return);
        } else if (run) {
            run->setFocus(); // a write: Cancel is the default button, Run is reached with Tab and pressed with Space
            QTest::keyClick(run, Qt::Key_Space);
        }
    }
    if (streams(command)) {
        QTest::qWait(5000);
        if (finished.isEmpty())
            m_wizard->stopButton()->click();
    }
    if (finished.isEmpty() && !finished.wait(90000)) {
        *why = ref + u": did not finish: "_s + m_wizard->statusText();
        return {};
    }
    return finished.constFirst().at(1).value<CommandOutcome>();
}

QList<TimelineEvent> TestDrills::loadEvents(qint64 incidentId)
{
    StoreClient* store = m_window->services().store;
    QSignalSpy loaded(store, &StoreClient::eventsLoaded);
    const quint64 id = store->requestEvents(incidentId, 0, 100000);
    for (int i = 0; i < 40; ++i) {
        for (const QList<QVariant>& args : std::as_const(loaded)) {
            if (args.at(0).toULongLong() == id)
                return args.at(2).value<QList<TimelineEvent>>();
        }
        loaded.clear();
        loaded.wait(1000);
    }
    return {};
}

void TestDrills::drill_data()
{
    QTest::addColumn<int>("index");
    for (int i = 0; i < drills().size(); ++i)
        QTest::newRow(qPrintable(drills().at(i).fault)) << i;
}

void TestDrills::drill()
{
    QFETCH(int, index);
    const Drill d = drills().at(index);
    if (d.needsAws)
        PETFORCE_SANDBOX_NEEDS_AWS();
    QString why;
    const qint64 before = m_window->activeIncidentId();

    // The Runbook tab is in front (the default layout): the dashboards are out of sight.
    auto* dashboards = m_window->findChild<QDockWidget*>(u"dashboardsDock"_s);
    if (dashboards)
        QVERIFY(dashboards->visibleRegion().isEmpty());

    // The console is ready: its SQL steps' session is open before the outage (the pool drill needs it).
    QTRY_VERIFY_WITH_TIMEOUT(m_wizard->executor()->hasSession(), 40000);
    QString output;
    QCOMPARE(SandboxEnv::run({ u"inject"_s, d.fault }, &output), 0);
    m_injected = d.fault;

    // The alert shows in the bar under the incident header and in the window's title.
    QTRY_VERIFY_WITH_TIMEOUT(alertRow(d.rule) != nullptr, 150000);
    QVERIFY2(m_window->windowTitle().contains(u"FIRING"_s), qPrintable(m_window->windowTitle()));
    shot(d.fault, u"1-alert"_s);
    if (auto* text = alertRow(d.rule)->findChild<QLabel*>(u"alertBarText"_s))
        QVERIFY2(!text->text().contains(u" )"_s), qPrintable(text->text())); // "now 1)", not "now 1 )"
    auto* open = alertRow(d.rule)->findChild<QPushButton*>(u"alertBarOpen"_s);
    QVERIFY(open && open->isEnabled());
    open->click();

    // The incident it opens is the active one, and the wizard shows its runbook for it.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->activeIncidentId() != before && m_window->activeIncidentId() > 0, 20000);
    const qint64 incident = m_window->activeIncidentId();
    QVERIFY(m_window->activeIncident()->title.contains(d.runbook));
    QTRY_COMPARE(m_wizard->runbookTitle(), d.runbook);
    QTRY_COMPARE(m_wizard->incident(), incident);

    // Diagnosis: every step the runbook names runs (psql ones too) and succeeds.
    for (const QString& ref : m_wizard->itemRefs()) {
        if (!ref.startsWith(u"diagnosis/"_s) || !runnable(m_wizard->stepAt(ref)))
            continue;
        const CommandOutcome outcome = runStep(ref, &why);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY2(outcome.status == u"ok"_s || (outcome.status == u"stopped"_s),
            qPrintable(ref + u": "_s + outcome.status + u" "_s + outcome.error + u" "_s + m_wizard->statusText()));
    }

    // The fix, confirmed from the keyboard.
    shot(d.fault, u"2-diagnosed"_s);
    QVERIFY(m_wizard->chooseOption(d.option));
    for (const QString& ref : d.fixRefs) {
        const CommandOutcome outcome = runStep(ref, &why);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY2(outcome.status == u"ok"_s, qPrintable(ref + u": "_s + outcome.status + u" "_s + outcome.error));
    }

    // Verify: the diagnosis again.
    for (const QString& ref : m_wizard->itemRefs()) {
        if (!ref.startsWith(u"verify/"_s) || !runnable(m_wizard->stepAt(ref)))
            continue;
        const CommandOutcome outcome = runStep(ref, &why);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY2(outcome.status == u"ok"_s || outcome.status == u"stopped"_s,
            qPrintable(ref + u": "_s + outcome.status + u" "_s + outcome.error));
    }

    // The sandbox's fault healed (what the runbook's fix cannot do there, e.g. a rollback through GitHub): the
    // alert resolves, once.
    QCOMPARE(SandboxEnv::run({ u"heal"_s, d.fault }, &output), 0);
    m_injected.clear();
    QTRY_VERIFY_WITH_TIMEOUT(alertRow(d.rule) == nullptr, 150000);

    // Resolve, through the dialog.
    QAction* resolve = m_window->findChild<QAction*>(u"actionResolve"_s);
    QVERIFY(resolve && resolve->isEnabled());
    resolve->trigger();
    QInputDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<QInputDialog*>(u"resolveDialog"_s)) != nullptr);
    dialog->setTextValue(u"Fixed in the drill"_s);
    dialog->accept();
    QTRY_VERIFY2(!m_window->incidentModel()->incident(incident)->isOpen(),
        qPrintable(u"active #%1; status: %2"_s.arg(m_window->activeIncidentId())
                       .arg(m_window->statusBar()->currentMessage())));
    QCOMPARE(m_window->activeIncidentId(), incident);
    shot(d.fault, u"4-resolved"_s);

    // The timeline: the alert fired and resolved once; the commands are all here.
    QList<TimelineEvent> events;
    int fired = 0;
    int resolved = 0;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
        events = loadEvents(incident);
        fired = resolved = 0;
        for (const TimelineEvent& e : events) {
            if (e.detail.value(u"rule"_s).toString() != d.rule)
                continue;
            fired += e.kind == u"alert.firing"_s || e.kind == u"alert.fired"_s;
            resolved += e.kind == u"alert.resolved"_s;
        }
        return resolved >= 1;
    }()),
        20000);
    QCOMPARE(resolved, 1);
    int commands = 0;
    for (const TimelineEvent& e : events)
        commands += e.kind == u"command.finished"_s;
    QVERIFY2(commands >= 3, qPrintable(QString::number(commands)));

    // The post-mortem draft lists the alert's fire and resolve times and the commands.
    const QString draft = PostmortemDraft::build(
        *m_window->incidentModel()->incident(incident), events, {}, QTimeZone::systemTimeZone());
    bool fireLine = false;
    bool resolveLine = false;
    bool commandLine = false;
    for (const QString& line : draft.split(u'\n')) {
        if (!line.startsWith(u"- **"_s))
            continue;
        fireLine = fireLine || (line.contains(d.rule) && line.contains(u"fire"_s, Qt::CaseInsensitive));
        resolveLine = resolveLine || (line.contains(d.rule) && line.contains(u"resolve"_s, Qt::CaseInsensitive));
        commandLine = commandLine || line.contains(u"Ran `"_s);
    }
    QVERIFY2(fireLine && resolveLine && commandLine, qPrintable(draft));

    // Nothing of this drill landed on another incident.
    const IncidentListModel* list = m_window->incidentModel();
    for (int row = 0; row < list->rowCount(); ++row) {
        const qint64 other = list->index(row, 0).data(IncidentListModel::IdRole).toLongLong();
        if (other == incident)
            continue;
        for (const TimelineEvent& e : loadEvents(other)) {
            if (!e.kind.startsWith(u"command."_s))
                continue;
            const QString source = e.detail.value(u"source"_s).toString();
            QVERIFY2(!source.contains(d.runbook),
                qPrintable(u"%1 of %2 on incident %3"_s.arg(e.kind, d.runbook).arg(other)));
        }
    }
}

QTEST_MAIN(TestDrills)
#include "tst_drills.moc"
