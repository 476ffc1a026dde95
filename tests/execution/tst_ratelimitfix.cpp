// SPDX-License-Identifier: MIT
// Issue 16, findings 3 and 7, against real servers: "Check top offending IPs" answered by the console's own SCAN of
// a real redis-server the test starts (the pipeline counts values, not keys); "Check recent deployments" sorted by
// the console under moto (which ignores --sort); the WAF step adds to and removes from the set's current list, the
// IP set picked from list-ip-sets, through the real aws CLI against the sandbox's moto, driven in the wizard.
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
#include "ui/runbookwizard.h"
#include "ui/stepoutputview.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QTableWidget>
#include <QTcpSocket>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;
using namespace ExecutorTest;

namespace {
const QString RateRunbook = u"Rate Limit Violations"_s;

QStringList sorted(QStringList l)
{
    l.sort();
    return l;
}

QStringList listTexts(const QListWidget* list)
{
    QStringList out;
    for (int i = 0; list && i < list->count(); ++i)
        out.append(list->item(i)->text());
    return out;
}
} // namespace

class TestRateLimitFix : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void offendersTopFirst();
    void offendersCapSaid();
    void deploymentsNewestFirstUnderMoto();
    void wafAddThreeOffendersToOne();
    void wafRemoveOneOfFour();

private:
    bool redis(const QStringList& arguments, QString* out = nullptr);
    ConfirmationDialog* visibleDialog() const;
    QStringList confirmAndRun(const QString& name, bool* ok);
    void openWafStep();

    QTemporaryDir m_dir;
    QProcess m_redis;
    quint16 m_port = 0;
    EnvironmentProfile m_profile;
    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<RunbookLibrary> m_library;
    std::unique_ptr<EnvironmentListModel> m_environments;
    std::unique_ptr<AuditRecorder> m_audit;
    std::unique_ptr<MainWindow> m_window;
    RunbookWizard* m_wizard = nullptr;
    QList<std::pair<QString, QString>> m_sets; // {id, name} to delete
};

bool TestRateLimitFix::redis(const QStringList& arguments, QString* out)
{
    QProcess cli;
    cli.start(u"redis-cli"_s, QStringList { u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_port) } + arguments);
    if (!cli.waitForFinished(10000) || cli.exitCode() != 0)
        return false;
    if (out)
        *out = QString::fromUtf8(cli.readAllStandardOutput());
    return true;
}

void TestRateLimitFix::initTestCase()
{
    QString why;
    if (SandboxEnv::load(&why).isEmpty())
        QSKIP(qPrintable(why));
    m_port = freePort();
    QVERIFY(m_port > 0);
    m_redis.setProgram(u"redis-server"_s);
    m_redis.setArguments({ u"--port"_s, QString::number(m_port), u"--bind"_s, u"127.0.0.1"_s, u"--save"_s, u""_s,
        u"--appendonly"_s, u"no"_s, u"--dir"_s, m_dir.path() });
    m_redis.start();
    QVERIFY2(m_redis.waitForStarted(10000), qPrintable(m_redis.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(redis({ u"PING"_s }), 10000);
    // Three hot IPs, two of them with the same count (the pipeline prints "2 311" for them), a quiet one, and a
    // key of another kind.
    QVERIFY(redis({ u"SET"_s, u"rate_limit:203.0.113.7"_s, u"512"_s }));
    QVERIFY(redis({ u"SET"_s, u"rate_limit:198.51.100.23"_s, u"311"_s }));
    QVERIFY(redis({ u"SET"_s, u"rate_limit:192.0.2.50"_s, u"311"_s }));
    QVERIFY(redis({ u"SET"_s, u"rate_limit:198.51.100.10"_s, u"3"_s }));
    QVERIFY(redis({ u"SET"_s, u"session:abc"_s, u"999"_s }));
    m_profile = sandboxProfile();
    m_profile.setValue(EnvironmentProfile::Field::RedisHost, u"127.0.0.1"_s);
    m_profile.setValue(EnvironmentProfile::Field::RedisPort, QString::number(m_port));
    m_profile.setRedisTls(false);

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
    m_environments->setProfiles({ m_profile });
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
    draft.title = u"Rate limit drill"_s;
    draft.severity = Severity::P2;
    draft.environment = u"sandbox"_s;
    m_store->createIncident(draft);
    QVERIFY(changed.wait(10000));
    const qint64 incident = changed.constFirst().constFirst().value<Incident>().id;
    QTRY_VERIFY(m_window->incidentModel()->incident(incident).has_value());
    m_window->setActiveIncident(incident);
    QTRY_COMPARE(m_wizard->incident(), incident);
}

void TestRateLimitFix::cleanupTestCase()
{
    m_window.reset();
    for (const auto& [id, name] : std::as_const(m_sets))
        deleteIpSet(id, name);
    if (m_redis.state() != QProcess::NotRunning) {
        m_redis.terminate();
        m_redis.waitForFinished(10000);
    }
}

// The runbook's pipeline prints how often each count occurs, no IP; the console's answer beside it lists the
// rate_limit:* keys' IPs with their counts, top first, and says why.
void TestRateLimitFix::offendersTopFirst()
{
    const RunbookStep* step = runbook(RateRunbook)->step(u"diagnosis/1");
    QVERIFY(step && StepExecutor::isOffendersPipeline(*step));
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_dir.filePath(u"runs"_s));
    QSignalSpy answers(&executor, &StepExecutor::answerReady);
    const Outcome out = runStep(executor, { *step, m_profile, {}, 0, u"test"_s });
    QVERIFY2(out.failure.isEmpty(), qPrintable(out.failure));
    const QString printed = QString::fromUtf8(out.process.out.tail);
    QVERIFY2(!printed.contains(u"203.0.113.7"_s), qPrintable(printed)); // what the finding is about
    QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 1, 30000);
    QCOMPARE(answers.constFirst().at(0).toString(), executor.runId());
    const StepAnswer a = answers.constFirst().at(1).value<StepAnswer>();
    QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
    QVERIFY(a.why.contains(u"counts values, not keys"_s));
    QCOMPARE(a.rows.size(), 4); // session:abc is not a rate_limit key
    QCOMPARE(a.rows.at(0), QStringList({ u"203.0.113.7"_s, u"512"_s, u"rate_limit:203.0.113.7"_s }));
    QCOMPARE(a.rows.at(1).mid(0, 2), QStringList({ u"192.0.2.50"_s, u"311"_s }));
    QCOMPARE(a.rows.at(2).mid(0, 2), QStringList({ u"198.51.100.23"_s, u"311"_s }));
    QCOMPARE(a.rows.at(3).mid(0, 2), QStringList({ u"198.51.100.10"_s, u"3"_s }));
    QCOMPARE(a.offenders,
        QStringList({ u"203.0.113.7/32"_s, u"192.0.2.50/32"_s, u"198.51.100.23/32"_s, u"198.51.100.10/32"_s }));
    QVERIFY(!a.note.contains(u"cap"_s));
}

// The read is bounded: past the cap the answer says so.
void TestRateLimitFix::offendersCapSaid()
{
    const RunbookStep* step = runbook(RateRunbook)->step(u"diagnosis/1");
    QVERIFY(step);
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_dir.filePath(u"runs"_s));
    executor.setOffenderKeyCap(2);
    QSignalSpy answers(&executor, &StepExecutor::answerReady);
    const Outcome out = runStep(executor, { *step, m_profile, {}, 0, u"test"_s });
    QVERIFY2(out.failure.isEmpty(), qPrintable(out.failure));
    QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 1, 30000);
    const StepAnswer a = answers.constFirst().at(1).value<StepAnswer>();
    QCOMPARE(a.rows.size(), 2);
    QVERIFY2(a.note.contains(u"first 2 keys only (the cap)"_s), qPrintable(a.note));
}

// moto ignores --sort: the step's own `head -n 5` shows the oldest revisions; the console says so and lists them
// newest first.
void TestRateLimitFix::deploymentsNewestFirstUnderMoto()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    const RunbookStep* step = runbook(u"High Error Rate (500s)"_s)->step(u"diagnosis/0");
    QVERIFY(step && StepExecutor::isTaskDefinitionList(*step));
    int newest = 0;
    for (const QJsonValue& v :
        awsJson({ u"ecs"_s, u"list-task-definitions"_s, u"--family-prefix"_s, u"petforce-api"_s })
            .value(u"taskDefinitionArns"_s)
            .toArray())
        newest = qMax(newest, v.toString().section(u':', -1).toInt());
    QVERIFY(newest > 5);
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_dir.filePath(u"runs"_s));
    QSignalSpy answers(&executor, &StepExecutor::answerReady);
    const Outcome out = runStep(executor, { *step, sandboxProfile(), {}, 0, u"test"_s });
    QVERIFY2(out.failure.isEmpty(), qPrintable(out.failure));
    QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 1, 60000);
    const StepAnswer a = answers.constFirst().at(1).value<StepAnswer>();
    QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
    QVERIFY2(a.why.contains(u"ignores --sort"_s), qPrintable(a.why));
    QVERIFY(!a.rows.isEmpty());
    QCOMPARE(a.rows.constFirst().at(0), QString::number(newest));
    QCOMPARE(a.rows.constFirst().at(1), u"petforce-api:%1"_s.arg(newest));
    for (qsizetype i = 1; i < a.rows.size(); ++i)
        QVERIFY(a.rows.at(i - 1).at(0).toInt() > a.rows.at(i).at(0).toInt());
    QVERIFY2(a.note.contains(u"petforce-api:%1"_s.arg(newest)), qPrintable(a.note));
}

ConfirmationDialog* TestRateLimitFix::visibleDialog() const
{
    const QList<ConfirmationDialog*> dialogs = m_wizard->findChildren<ConfirmationDialog*>();
    for (ConfirmationDialog* d : dialogs) {
        if (d->isVisible())
            return d;
    }
    return nullptr;
}

// Clicks Run, reads the confirmation's effects, types the set's name and runs; *ok: the step ended ok.
QStringList TestRateLimitFix::confirmAndRun(const QString& name, bool* ok)
{
    *ok = false;
    QStringList lines;
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    [&] { QTRY_VERIFY(m_wizard->runButton()->isEnabled()); }();
    if (!m_wizard->runButton()->isEnabled())
        return lines;
    m_wizard->runButton()->click();
    ConfirmationDialog* dialog = nullptr;
    [&] { QTRY_VERIFY_WITH_TIMEOUT((dialog = visibleDialog()) != nullptr, 60000); }();
    if (!dialog)
        return lines;
    lines = listTexts(dialog->findChild<QListWidget*>(u"confirmationEffects"_s));
    auto* typed = dialog->findChild<QLineEdit*>(u"confirmationTyped"_s);
    auto* run = dialog->findChild<QPushButton*>(u"confirmationRun"_s);
    if (!typed || !run)
        return lines;
    typed->setText(name);
    run->click();
    if (finished.wait(60000))
        *ok = finished.constFirst().at(1).value<CommandOutcome>().status == u"ok";
    return lines;
}

void TestRateLimitFix::openWafStep()
{
    m_wizard->showPicker();
    m_window->openRunbookWizard(RateRunbook);
    QVERIFY(m_wizard->chooseOption(1));
    QVERIFY(m_wizard->selectItem(u"resolution/1/0"_s));
    QVERIFY(m_wizard->ipSetEditor());
}

// The test: the WAF step on a set holding one address, adding three (the diagnosis's offenders, offered
// in the add list): the confirmation lists the resulting list and the set ends with four.
void TestRateLimitFix::wafAddThreeOffendersToOne()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    const auto set
        = createIpSet(u"petforce-ratefix-add-%1"_s.arg(QCoreApplication::applicationPid()), { u"198.51.100.200/32"_s });
    QVERIFY(!set.first.isEmpty());
    m_sets.append(set);
    // The diagnosis first: its answer beside the pipeline's output, the offenders kept for the WAF step.
    m_wizard->showPicker();
    m_window->openRunbookWizard(RateRunbook);
    QVERIFY(m_wizard->selectItem(u"diagnosis/1"_s));
    QSignalSpy finished(m_wizard, &RunbookWizard::stepFinished);
    QTRY_VERIFY(m_wizard->runButton()->isEnabled());
    m_wizard->runButton()->click();
    QVERIFY(finished.wait(60000));
    auto* answer = m_wizard->output()->findChild<QWidget*>(u"stepAnswer"_s);
    QVERIFY(answer);
    QTRY_VERIFY_WITH_TIMEOUT(answer->isVisible(), 30000);
    QTableWidget* table = m_wizard->output()->answerTable();
    QCOMPARE(table->item(0, 0)->text(), u"203.0.113.7"_s);
    QCOMPARE(table->item(0, 1)->text(), u"512"_s);
    QVERIFY(m_wizard->output()->answerText().contains(u"counts values, not keys"_s));
    QCOMPARE(m_wizard->offenders().value(0), u"203.0.113.7/32"_s);

    QVERIFY(m_wizard->chooseOption(1));
    QVERIFY(m_wizard->selectItem(u"resolution/1/0"_s));
    IpSetEditor* editor = m_wizard->ipSetEditor();
    QVERIFY(editor);
    QVERIFY(!m_wizard->commandText().contains(u"192.168.1.1"_s)); // no example prefilled
    auto* sets = editor->findChild<QComboBox*>(u"wafIpSet"_s);
    QVERIFY(sets);
    QTRY_VERIFY_WITH_TIMEOUT(sets->findText(set.second) >= 0, 60000); // from list-ip-sets
    sets->setCurrentIndex(sets->findText(set.second));
    QTRY_VERIFY_WITH_TIMEOUT(editor->currentKnown(), 60000);
    QCOMPARE(editor->current(), QStringList { u"198.51.100.200/32"_s });
    QVERIFY(!m_wizard->runButton()->isEnabled()); // nothing chosen yet
    // The offenders are offered, not ticked: tick the top three as the operator would.
    auto* add = editor->findChild<QListWidget*>(u"wafAdd"_s);
    QVERIFY(add);
    QVERIFY2(add->count() >= 3, qPrintable(listTexts(add).join(u'\n')));
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(add->item(i)->checkState(), Qt::Unchecked);
        add->item(i)->setCheckState(Qt::Checked);
    }
    const QStringList three { u"203.0.113.7/32"_s, u"192.0.2.50/32"_s, u"198.51.100.23/32"_s };
    QCOMPARE(editor->toAdd(), three);
    QVERIFY(editor->findChild<QLabel*>(u"wafSummary"_s)->text().contains(u"After the update: 4 address(es)"_s));

    bool ok = false;
    const QStringList lines = confirmAndRun(set.second, &ok);
    QVERIFY2(lines.contains(u"Before (1): 198.51.100.200/32"_s), qPrintable(lines.join(u'\n')));
    QVERIFY(lines.contains(u"After (4): 198.51.100.200/32, 203.0.113.7/32, 192.0.2.50/32, 198.51.100.23/32"_s));
    for (const QString& a : three)
        QVERIFY(lines.contains(u"+ %1 (added)"_s.arg(a)));
    QVERIFY(lines.contains(u"= 198.51.100.200/32 (kept)"_s));
    QVERIFY(ok);
    QCOMPARE(sorted(readIpSet(set.first, set.second).first), sorted(three + QStringList { u"198.51.100.200/32"_s }));
    // The editor reads the set again: the four are listed, the added ones no longer offered for adding.
    QTRY_COMPARE_WITH_TIMEOUT(sorted(editor->current()), sorted(three + QStringList { u"198.51.100.200/32"_s }), 60000);
    QVERIFY(editor->toAdd().isEmpty());
}

// Removing one of four leaves three; the others stay.
void TestRateLimitFix::wafRemoveOneOfFour()
{
    PETFORCE_SANDBOX_NEEDS_AWS();
    const QStringList four { u"192.0.2.1/32"_s, u"192.0.2.2/32"_s, u"192.0.2.3/32"_s, u"192.0.2.4/32"_s };
    const auto set = createIpSet(u"petforce-ratefix-remove-%1"_s.arg(QCoreApplication::applicationPid()), four);
    QVERIFY(!set.first.isEmpty());
    m_sets.append(set);
    openWafStep();
    IpSetEditor* editor = m_wizard->ipSetEditor();
    QTRY_VERIFY_WITH_TIMEOUT(editor->chooseSet(set.second), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(editor->currentKnown(), 60000);
    QCOMPARE(sorted(editor->current()), four);
    auto* current = editor->findChild<QListWidget*>(u"wafCurrent"_s);
    QVERIFY(current);
    const QList<QListWidgetItem*> hit = current->findItems(u"192.0.2.3/32"_s, Qt::MatchExactly);
    QCOMPARE(hit.size(), 1);
    hit.constFirst()->setCheckState(Qt::Checked);
    QCOMPARE(editor->toRemove(), QStringList { u"192.0.2.3/32"_s });
    bool ok = false;
    const QStringList lines = confirmAndRun(set.second, &ok);
    QVERIFY2(lines.contains(u"− 192.0.2.3/32 (removed)"_s), qPrintable(lines.join(u'\n')));
    QVERIFY(std::any_of(lines.cbegin(), lines.cend(), [](const QString& l) { return l.startsWith(u"After (3): "_s); }));
    QVERIFY(ok);
    QCOMPARE(sorted(readIpSet(set.first, set.second).first),
        QStringList({ u"192.0.2.1/32"_s, u"192.0.2.2/32"_s, u"192.0.2.4/32"_s }));
}

QTEST_MAIN(TestRateLimitFix)
#include "tst_ratelimitfix.moc"
