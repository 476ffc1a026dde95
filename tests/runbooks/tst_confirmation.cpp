// SPDX-License-Identifier: MIT
#include "models/commandaudit.h"
#include "models/confirmationrequest.h"
#include "services/auditrecorder.h"
#include "ui/confirmationdialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
ConfirmationRequest terminateRequest()
{
    ConfirmationRequest r;
    r.risk = StepRisk::Destructive;
    r.title = u"Kill all idle connections > 10 minutes"_s;
    r.environment = u"production"_s;
    r.target = u"petforce-production"_s;
    r.command = u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle'"_s;
    r.commandLanguage = u"sql"_s;
    r.affectedCount = 3;
    r.effects = { u"pid 101 petforce-api idle 12m"_s, u"pid 102 petforce-api idle 14m"_s,
        u"pid 103 petforce-api idle 30m"_s };
    return r;
}
} // namespace

class TestConfirmation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void levelsFollowRisk_data();
    void levelsFollowRisk();
    void readRunsWithoutDialog();
    void destructiveNeedsTheTypedName();
    void extraConfirmationMustBeTicked();
    void cancelIsSafe();
    void auditRoundTripsAndFindsUnfinishedRuns();
    void targetNameOneRule_data();
    void targetNameOneRule();
    void failureSummarySaysStderr();
};

void TestConfirmation::levelsFollowRisk_data()
{
    QTest::addColumn<StepRisk>("risk");
    QTest::addColumn<bool>("extra");
    QTest::addColumn<int>("level");
    QTest::newRow("read") << StepRisk::Read << false << int(ConfirmationRequest::Level::None);
    QTest::newRow("read with 0.0.0.0/0") << StepRisk::Read << true << int(ConfirmationRequest::Level::Show);
    QTest::newRow("write") << StepRisk::Write << false << int(ConfirmationRequest::Level::Show);
    QTest::newRow("destructive") << StepRisk::Destructive << false << int(ConfirmationRequest::Level::TypeName);
}

void TestConfirmation::levelsFollowRisk()
{
    QFETCH(StepRisk, risk);
    QFETCH(bool, extra);
    QFETCH(int, level);
    ConfirmationRequest r;
    r.risk = risk;
    if (extra)
        r.extraConfirmations = { u"0.0.0.0/0 matches every address"_s };
    QCOMPARE(int(r.level()), level);
}

void TestConfirmation::readRunsWithoutDialog()
{
    ConfirmationRequest r;
    r.risk = StepRisk::Read;
    int calls = 0;
    bool confirmed = false;
    QVERIFY(!ConfirmationDialog::ask(nullptr, r, [&](bool ok) {
        ++calls;
        confirmed = ok;
    }));
    QCOMPARE(calls, 1);
    QVERIFY(confirmed);
}

void TestConfirmation::destructiveNeedsTheTypedName()
{
    QWidget parent;
    parent.show();
    int calls = 0;
    bool confirmed = false;
    ConfirmationDialog* dialog = ConfirmationDialog::ask(&parent, terminateRequest(), [&](bool ok) {
        ++calls;
        confirmed = ok;
    });
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->findChild<QPlainTextEdit*>(u"confirmationCommand"_s)->toPlainText(), terminateRequest().command);
    QVERIFY(dialog->findChild<QLabel*>(u"confirmationCount"_s)->text().contains(u"3 row"_s));
    QCOMPARE(dialog->findChild<QLabel*>(u"confirmationEnvironment"_s)->text(), u"PRODUCTION"_s);
    auto* run = dialog->findChild<QPushButton*>(u"confirmationRun"_s);
    auto* typed = dialog->findChild<QLineEdit*>(u"confirmationTyped"_s);
    QVERIFY(!run->isEnabled());
    QTest::keyClicks(typed, u"petforce-productio"_s);
    QVERIFY(!run->isEnabled());
    QTest::keyClick(typed, Qt::Key_Return); // not yet the name: Enter neither runs nor cancels
    QTest::qWait(50);
    QCOMPARE(calls, 0);
    QVERIFY(dialog->isVisible());
    QTest::keyClicks(typed, u"N"_s); // case matters
    QVERIFY(!run->isEnabled());
    QTest::keyClick(typed, Qt::Key_Backspace);
    QTest::keyClicks(typed, u"n"_s);
    QVERIFY(run->isEnabled());
    QCOMPARE(dialog->confirmationText(), u"typed petforce-production"_s);
    QTest::keyClick(typed, Qt::Key_Return); // the name matches: Enter runs
    QTRY_COMPARE(calls, 1);
    QVERIFY(confirmed);
}

void TestConfirmation::extraConfirmationMustBeTicked()
{
    ConfirmationRequest r;
    r.risk = StepRisk::Write;
    r.environment = u"sandbox"_s;
    r.command = u"aws wafv2 update-ip-set ..."_s;
    r.extraConfirmations = { u"0.0.0.0/0 matches every address"_s };
    ConfirmationDialog dialog(r);
    dialog.show();
    auto* run = dialog.findChild<QPushButton*>(u"confirmationRun"_s);
    QVERIFY(!run->isEnabled());
    QVERIFY(!dialog.findChild<QLineEdit*>(u"confirmationTyped"_s));
    QVERIFY(dialog.findChild<QPushButton*>(u"confirmationCancel"_s)->isDefault()); // Enter cancels a write
    dialog.findChild<QCheckBox*>(u"confirmationExtra"_s)->setChecked(true);
    QVERIFY(run->isEnabled());
    QVERIFY(!run->isDefault());
    QVERIFY(dialog.confirmationText().contains(u"ticked: 0.0.0.0/0"_s));
}

void TestConfirmation::cancelIsSafe()
{
    QWidget parent;
    parent.show();
    int calls = 0;
    bool confirmed = true;
    ConfirmationDialog* dialog = ConfirmationDialog::ask(&parent, terminateRequest(), [&](bool ok) {
        ++calls;
        confirmed = ok;
    });
    QTRY_VERIFY(dialog->isVisible());
    dialog->findChild<QLineEdit*>(u"confirmationTyped"_s)->setText(u"petforce-production"_s);
    QTest::keyClick(dialog, Qt::Key_Escape);
    QTRY_COMPARE(calls, 1);
    QVERIFY(!confirmed);
}

void TestConfirmation::auditRoundTripsAndFindsUnfinishedRuns()
{
    CommandAudit a;
    a.runId = AuditRecorder::newRunId();
    a.title = u"Check connection pool"_s;
    a.kind = u"sql"_s;
    a.environment = u"sandbox"_s;
    a.command = u"SELECT count(*) FROM pg_stat_activity;"_s;
    a.parameters = QJsonObject { { u"pid"_s, u"12345"_s } };
    a.risk = u"read"_s;
    a.confirmation = u"none"_s;
    QCOMPARE(CommandAudit::fromJson(a.toJson()).toJson(), a.toJson());

    CommandOutcome o;
    o.status = u"ok"_s;
    o.durationMs = 1200;
    o.rows = 1;
    QCOMPARE(CommandOutcome::fromJson(o.toJson()).toJson(), o.toJson());
    QCOMPARE(AuditRecorder::finishedSummary(a, o), u"“Check connection pool”: ok in 1.2 s, 1 rows"_s);

    CommandAudit b = a;
    b.runId = AuditRecorder::newRunId();
    QVERIFY(a.runId != b.runId);
    auto event = [](const QString& kind, const QJsonObject& detail) {
        TimelineEvent e;
        e.kind = kind;
        e.detail = detail;
        return e;
    };
    QJsonObject finishedA = o.toJson();
    finishedA.insert(u"run"_s, a.runId);
    const QList<TimelineEvent> events { event(QString::fromUtf16(AuditKind::Started), a.toJson()),
        event(QString::fromUtf16(AuditKind::Started), b.toJson()),
        event(QString::fromUtf16(AuditKind::Finished), finishedA) };
    const QList<CommandAudit> open = unfinishedRuns(events);
    QCOMPARE(open.size(), 1);
    QCOMPARE(open.constFirst().runId, b.runId);
}

void TestConfirmation::targetNameOneRule_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("fields");
    QTest::addColumn<QString>("expected");
    const QStringList db { u"database_url"_s };
    QTest::newRow("database of the URL") << u"postgresql://petforce@127.0.0.1:5432/petforce"_s << db << u"petforce"_s;
    QTest::newRow("postgres:// and options") << u"postgres://u@h/orders?sslmode=require"_s << db << u"orders"_s;
    QTest::newRow("conninfo") << u"host=h port=5432 dbname=petforce user=u"_s << db << u"petforce"_s;
    QTest::newRow("quoted conninfo") << u"dbname='pet force' host=h"_s << db << u"pet force"_s;
    QTest::newRow("no database: the environment") << u"postgresql://u@h:5432"_s << db << u"sandbox"_s;
    QTest::newRow("an AWS step: the instance")
        << u"postgresql://u@h/petforce"_s << QStringList { u"db_instance"_s } << u"petforce-production"_s;
    QTest::newRow("first field with a value")
        << QString() << QStringList { u"database_url"_s, u"cluster"_s } << u"petforce-cluster"_s;
}

void TestConfirmation::targetNameOneRule()
{
    QFETCH(QString, url);
    QFETCH(QStringList, fields);
    QFETCH(QString, expected);
    EnvironmentProfile p(u"sandbox"_s);
    p.setValue(EnvironmentProfile::Field::DbInstance, u"petforce-production"_s);
    p.setValue(EnvironmentProfile::Field::Cluster, u"petforce-cluster"_s);
    p.setValue(EnvironmentProfile::Field::DatabaseUrl, url);
    QCOMPARE(ConfirmationRequest::targetName(p, fields), expected);
}

// A failed command's finish says stderr's first line, not "exit 1" twice; the detail keeps the stderr tail.
void TestConfirmation::failureSummarySaysStderr()
{
    CommandAudit a;
    a.title = u"Check database"_s;
    CommandOutcome o;
    o.status = u"failed"_s;
    o.exitCode = 2;
    o.durationMs = 300;
    o.error = u"exit 2"_s;
    QCOMPARE(AuditRecorder::finishedSummary(a, o), u"“Check database”: failed (exit 2) in 0.3 s"_s);
    o.error = u"exit 2\npsql: error: connection refused"_s;
    o.stderrTail = u"\npsql: error: connection refused\n\tIs the server running?"_s;
    QCOMPARE(AuditRecorder::finishedSummary(a, o),
        u"“Check database”: failed (exit 2) in 0.3 s — psql: error: connection refused"_s);
    o.setRows({ u"a"_s }, QList<QStringList>(30, QStringList { QString(300, u'x') }));
    const CommandOutcome back = CommandOutcome::fromJson(o.toJson());
    QCOMPARE(back.stderrTail, o.stderrTail);
    QCOMPARE(back.resultColumns, QStringList { u"a"_s });
    QCOMPARE(back.resultRows.size(), CommandOutcome::RowsKept);
    QCOMPARE(back.resultRows.value(0).value(0).size(), CommandOutcome::CellChars + 1); // cut, with …
}

QTEST_MAIN(TestConfirmation)
#include "tst_confirmation.moc"
