// SPDX-License-Identifier: MIT
// Issue 16, finding 5: a destructive confirmation asks the same name for the same database whichever path asks
// (the runbook's kill step and the DBA pane's terminate), and lists what it will act on: the idle sessions the
// seed's kill step terminates (pid, user, application, state, idle time), the count and first rows of a DELETE.
// Against the sandbox's real PostgreSQL; nothing is terminated or deleted (every dialog is cancelled).
#include "executortestsupport.h"
#include "support/pgtestsession.h"
#include "support/sandboxenv.h"

#include "models/dbasessionfiltermodel.h"
#include "models/environmentlistmodel.h"
#include "services/consoleservices.h"
#include "ui/confirmationdialog.h"
#include "ui/dbapane.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace ExecutorTest;

namespace {
PgResult exec(PgSession& s, const QString& sql)
{
    PgQuery q;
    q.sql = sql;
    return PgTest::exec(s, q);
}

QTreeWidgetItem* rowOf(QTreeWidget* tree, const QString& pid)
{
    for (int i = 0; tree && i < tree->topLevelItemCount(); ++i) {
        if (tree->topLevelItem(i)->text(0) == pid)
            return tree->topLevelItem(i);
    }
    return nullptr;
}

QString typedName(ConfirmationDialog* dialog)
{
    auto* edit = dialog ? dialog->findChild<QLineEdit*>(u"confirmationTyped"_s) : nullptr;
    return edit ? edit->placeholderText() : QString();
}
} // namespace

class TestConfirmTargets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void killStepListsIdleSessions();
    void sameNameForTheSameDatabase();
    void deleteListsCountAndFirstRows();

private:
    PgConnectionOptions options() const;
    ConfirmationRequest assessKillIdle(); // the seed's "Kill all idle connections" under the drill threshold 0 s

    QMap<QString, QString> m_env;
    EnvironmentProfile m_profile;
    std::unique_ptr<PgSession> m_victim; // an idle client session of another program
    QTemporaryDir m_runs;
};

void TestConfirmTargets::initTestCase()
{
    QString why;
    m_env = SandboxEnv::load(&why);
    if (m_env.isEmpty())
        QSKIP(qPrintable(why));
    m_profile = sandboxProfile();
    m_victim = PgTest::open(options());
    QVERIFY(m_victim);
    QVERIFY(exec(*m_victim, u"SET application_name = 't-confirm-victim'"_s).ok()); // then idle
}

void TestConfirmTargets::cleanupTestCase()
{
    if (m_env.isEmpty())
        return;
    if (auto s = PgTest::open(options()))
        exec(*s, u"DROP TABLE IF EXISTS pf_confirm_delete_test"_s);
    m_victim.reset();
}

PgConnectionOptions TestConfirmTargets::options() const
{
    PgConnectionOptions o;
    o.conninfo = m_env.value(u"DATABASE_URL"_s);
    o.purpose = u"test"_s;
    o.statementTimeoutMs = 0;
    o.queryDeadlineMs = 0;
    return o;
}

ConfirmationRequest TestConfirmTargets::assessKillIdle()
{
    const Runbook* pool = runbook(u"Database Connection Pool Exhausted"_s);
    const RunbookStep* kill = pool ? pool->step(u"resolution/0/1"_s) : nullptr;
    if (!kill || !kill->text.contains(u"state = 'idle'"_s))
        return {};
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    executor.setIntervalOverride(u"0 seconds"_s); // every idle session qualifies, the victim among them
    QSignalSpy assessed(&executor, &StepExecutor::assessed);
    QSignalSpy failed(&executor, &StepExecutor::failed);
    if (!executor.assess({ *kill, m_profile, {}, 0, u"test"_s }))
        return {};
    if (!QTest::qWaitFor([&] { return !assessed.isEmpty() || !failed.isEmpty(); }, 30000) || !failed.isEmpty()) {
        qWarning() << "assess failed:" << failed.value(0).value(0).toString();
        return {};
    }
    return assessed.constFirst().constFirst().value<ConfirmationRequest>();
}

// The runbook's kill dialog lists the sessions it will kill, as the DBA pane's does (it listed none).
void TestConfirmTargets::killStepListsIdleSessions()
{
    QTest::qWait(1100); // idle for at least a second
    const ConfirmationRequest c = assessKillIdle();
    QCOMPARE(c.risk, StepRisk::Destructive);
    QCOMPARE(
        c.targetColumns, QStringList({ u"pid"_s, u"user"_s, u"application"_s, u"state"_s, u"idle for"_s, u"query"_s }));
    QVERIFY(c.affectedCount.value_or(0) >= 1);

    QWidget parent;
    bool answered = false;
    ConfirmationDialog* dialog = ConfirmationDialog::ask(&parent, c, [&](bool) { answered = true; });
    QVERIFY(dialog);
    auto* targets = dialog->findChild<QTreeWidget*>(u"confirmTargets"_s);
    QVERIFY(targets);
    QVERIFY(targets->isVisible());
    const QTreeWidgetItem* victim = rowOf(targets, QString::number(m_victim->backendPid()));
    QVERIFY2(victim, "the idle session the step will terminate is not listed");
    QCOMPARE(victim->text(1), QUrl(m_env.value(u"DATABASE_URL"_s)).userName());
    QCOMPARE(victim->text(2), u"t-confirm-victim"_s);
    QCOMPARE(victim->text(3), u"idle"_s);
    QVERIFY2(QRegularExpression(u"^\\d+ s$"_s).match(victim->text(4)).hasMatch(), qPrintable(victim->text(4)));
    QVERIFY(victim->text(4) != u"0 s"_s);
    QCOMPARE(victim->text(5), u"SET application_name = 't-confirm-victim'"_s);
    // The console's own sessions are never among them (left out, said so).
    for (int i = 0; i < targets->topLevelItemCount(); ++i)
        QVERIFY(!targets->topLevelItem(i)->text(2).startsWith(u"petforce-console/"_s));
    dialog->findChild<QPushButton*>(u"confirmationCancel"_s)->click();
    QVERIFY(answered);
}

// The same database, the same name to type: the runbook's kill step and the DBA pane's terminate both ask for the
// database of the sandbox's DATABASE_URL (they asked "petforce" and "petforce-production").
void TestConfirmTargets::sameNameForTheSameDatabase()
{
    const QString database = QUrl(m_env.value(u"DATABASE_URL"_s)).path().mid(1);
    QVERIFY(!database.isEmpty());
    QVERIFY(database != m_profile.value(EnvironmentProfile::Field::DbInstance)); // else the test proves nothing

    const ConfirmationRequest step = assessKillIdle();
    QWidget parent;
    ConfirmationDialog* stepDialog = ConfirmationDialog::ask(&parent, step, [](bool) {});
    const QString stepName = typedName(stepDialog);
    QCOMPARE(stepName, database);
    stepDialog->reject();

    // The DBA pane as the window builds it: from the active environment.
    EnvironmentListModel environments;
    environments.setProfiles({ m_profile });
    environments.setActive(m_profile.name());
    ConsoleServices services;
    services.environments = &environments;
    DbaPane pane(services, [] { return qint64(1); });
    pane.resize(1200, 700);
    pane.show();
    QSignalSpy refreshed(&pane, &DbaPane::refreshed);
    pane.setShown(true);
    QVERIFY(refreshed.wait(20000));
    pane.tabs()->setCurrentIndex(DbaPane::SessionsTab);
    pane.sessionFilter()->setText(u"t-confirm-victim"_s);
    QTRY_COMPARE(pane.sessionFilter()->rowCount(), 1);
    pane.sessionView()->selectRow(0);
    ConfirmationDialog* dbaDialog = pane.terminateSelected();
    QVERIFY2(dbaDialog, qPrintable(pane.messageText()));
    QCOMPARE(typedName(dbaDialog), stepName);
    // And it lists the session the same way.
    const QTreeWidgetItem* victim
        = rowOf(dbaDialog->findChild<QTreeWidget*>(u"confirmTargets"_s), QString::number(m_victim->backendPid()));
    QVERIFY(victim);
    QCOMPARE(victim->text(2), u"t-confirm-victim"_s);
    QCOMPARE(victim->text(3), u"idle"_s);
    dbaDialog->reject();
}

// A DELETE step's confirmation: how many rows, and the first of them as a table.
void TestConfirmTargets::deleteListsCountAndFirstRows()
{
    auto admin = PgTest::open(options());
    QVERIFY(admin);
    QVERIFY(exec(*admin, u"DROP TABLE IF EXISTS pf_confirm_delete_test"_s).ok());
    QVERIFY(exec(*admin,
        u"CREATE TABLE pf_confirm_delete_test AS SELECT n, 'row ' || n AS label FROM generate_series(1, 25) AS n"_s)
                .ok());
    const RunbookStep step = handMadeStep(StepKind::Sql, StepRisk::Destructive,
        u"-- Remove the test rows\nDELETE FROM pf_confirm_delete_test WHERE n > 3;"_s);
    StepExecutor executor(nullptr, nullptr);
    executor.setRunsFolder(m_runs.path());
    QSignalSpy assessed(&executor, &StepExecutor::assessed);
    QSignalSpy failed(&executor, &StepExecutor::failed);
    QVERIFY(executor.assess({ step, m_profile, {}, 0, u"test"_s }));
    QVERIFY(QTest::qWaitFor([&] { return !assessed.isEmpty() || !failed.isEmpty(); }, 30000));
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));
    const auto c = assessed.constFirst().constFirst().value<ConfirmationRequest>();
    QCOMPARE(c.affectedCount.value_or(-1), 22);
    QCOMPARE(c.targetColumns, QStringList({ u"n"_s, u"label"_s }));
    QCOMPARE(c.targetRows.size(), 20);
    QCOMPARE(c.targetRows.value(0).value(1), u"row 4"_s);
    QVERIFY2(c.effects.contains(u"… and 2 more"_s), qPrintable(c.effects.join(u'\n')));

    QWidget parent;
    ConfirmationDialog* dialog = ConfirmationDialog::ask(&parent, c, [](bool) {});
    QVERIFY(dialog);
    QCOMPARE(dialog->findChild<QTreeWidget*>(u"confirmTargets"_s)->topLevelItemCount(), 20);
    QCOMPARE(dialog->findChild<QLabel*>(u"confirmationCount"_s)->text(), u"It will act on 22 row(s)."_s);
    dialog->reject();
    executor.stop();
    // Nothing was deleted by assessing.
    QCOMPARE(exec(*admin, u"SELECT count(*) FROM pf_confirm_delete_test"_s).rows().value(0).value(0).toLongLong(), 25);
}

QTEST_MAIN(TestConfirmTargets)
#include "tst_confirmtargets.moc"
