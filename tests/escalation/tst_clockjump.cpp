// SPDX-License-Identifier: MIT
// Issue 15, finding 7: the console started with the system clock 2 h behind (under faketime) against a store whose
// P2 incident was opened 2h10m earlier by a right clock, with a note a minute ago. It showed "Open for 0s"-style
// clamps, a countdown instead of an overdue escalation and no warning. Now: "Open for" about 2h10m, the response
// and the escalation overdue ("escalation.due" recorded), one "clock.jumped" on the timeline and one message.
#include "models/runbookdocument.h"
#include "models/timelinemodel.h"
#include "services/clockwatch.h"
#include "services/consoleservices.h"
#include "services/escalationmonitor.h"
#include "services/escalationservice.h"
#include "services/incidentstore.h"
#include "services/runbookparser.h"
#include "services/secretstore.h"
#include "services/storeclient.h"
#include "ui/escalationpanel.h"
#include "ui/incidentheader.h"
#include "ui/mainwindow.h"
#include "ui/timelinepane.h"

#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QLabel>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 Minute = 60'000;
constexpr qint64 Hour = 60 * Minute;

qint64 envNumber(const char* name) { return qEnvironmentVariable(name).toLongLong(); }

int countKind(const QList<TimelineEvent>& events, const QString& kind)
{
    return int(std::count_if(events.cbegin(), events.cend(), [&](const TimelineEvent& e) { return e.kind == kind; }));
}
} // namespace

class TestClockJump : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void startedTwoHoursBehind_data();
    void startedTwoHoursBehind();
    void consoleUnderFaketime(); // the child, run by startedTwoHoursBehind

private:
    QStringList timelineSummaries(MainWindow& window) const;
};

void TestClockJump::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"PetForceTest"_s);
    QCoreApplication::setApplicationName(u"tst_clockjump"_s);
}

void TestClockJump::startedTwoHoursBehind_data()
{
    QTest::addColumn<bool>("fakeMonotonic");
    // libfaketime's default fakes CLOCK_MONOTONIC too (it then reads the faked system clock's value); with
    // FAKETIME_DONT_FAKE_MONOTONIC=1 it is the real one, as when only the system clock is set wrong.
    QTest::newRow("monotonic faked (default)") << true;
    QTest::newRow("FAKETIME_DONT_FAKE_MONOTONIC=1") << false;
}

void TestClockJump::startedTwoHoursBehind()
{
    QFETCH(bool, fakeMonotonic);
    if (qEnvironmentVariableIsSet("PETFORCE_CLOCK_STORE"))
        QSKIP("the child");
    const QString faketime = QStandardPaths::findExecutable(u"faketime"_s);
    QVERIFY2(!faketime.isEmpty(), "faketime is not installed: run scripts/setup");

    QTemporaryDir dir;
    const QString path = dir.filePath(u"incidents.sqlite"_s);
    const qint64 real = QDateTime::currentMSecsSinceEpoch();
    qint64 id = 0;
    {
        IncidentStore store(path);
        QVERIFY(store.open());
        const StoreChange created = store.createIncident(
            { u"Checkout returning 502s"_s, Severity::P2, u"sandbox"_s, u"tester"_s, u"Some users cannot pay"_s }, {},
            real - 130 * Minute);
        QVERIFY(created.ok);
        id = created.incident.id;
        QVERIFY(store.addNote(id, u"Still failing after the rollback"_s, {}, real - Minute).ok);
    }

    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PETFORCE_CLOCK_STORE"_s, path);
    env.insert(u"PETFORCE_CLOCK_REAL_MS"_s, QString::number(real));
    env.insert(u"PETFORCE_CLOCK_INCIDENT"_s, QString::number(id));
    env.insert(u"PETFORCE_CLOCK_MONOTONIC_FAKED"_s, fakeMonotonic ? u"1"_s : u"0"_s);
    if (!fakeMonotonic)
        env.insert(u"FAKETIME_DONT_FAKE_MONOTONIC"_s, u"1"_s);
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    // -m: the multi-threaded libfaketime (the store has a thread of its own).
    child.start(
        faketime, { u"-m"_s, u"-f"_s, u"-2h"_s, QCoreApplication::applicationFilePath(), u"consoleUnderFaketime"_s });
    QVERIFY(child.waitForFinished(90'000));
    const QByteArray output = child.readAll();
    QByteArray failures; // the child's failure lines (QTest cuts a long message)
    for (const QByteArray& line : output.split('\n')) {
        if (line.startsWith("FAIL!") || line.startsWith("   Loc") || line.startsWith("   Actual")
            || line.startsWith("   Expected") || line.startsWith("QINFO"))
            failures += line + '\n';
    }
    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0
            && output.contains("PASS   : TestClockJump::consoleUnderFaketime()"),
        (failures.isEmpty() ? output.right(2000) : failures).constData());

    // What the console wrote, read back with the right clock.
    IncidentStore store(path);
    QVERIFY(store.open());
    const QList<TimelineEvent> events = store.events(id, 0, -1);
    QCOMPARE(countKind(events, QString::fromUtf16(ClockEvent::Jumped)), 1);
    QCOMPARE(countKind(events, QString::fromUtf16(EscalationEvent::Due)), 1);
    QCOMPARE(countKind(events, QString::fromUtf16(EventKind::Acknowledged)), 1);
    qint64 previous = 0;
    for (const TimelineEvent& e : events) {
        // In order: the console 2 h behind wrote its events after the note, not 2 h before it.
        QVERIFY2(e.timeMs >= previous, qPrintable(e.kind));
        previous = e.timeMs;
        if (e.kind == EventKind::Acknowledged)
            QVERIFY(e.detail.value(u"afterMs"_s).toInteger() >= 129 * Minute);
        if (e.kind == ClockEvent::Jumped) {
            QCOMPARE(e.detail.value(u"direction"_s).toString(), u"back"_s);
            QCOMPARE(e.detail.value(u"source"_s).toString(), u"recorded"_s);
            const qint64 delta = e.detail.value(u"deltaMs"_s).toInteger();
            QVERIFY2(delta <= -2 * Hour + 2 * Minute && delta >= -2 * Hour, qPrintable(QString::number(delta)));
            QVERIFY(e.summary.startsWith(u"System clock moved back: 1h 5"_s));
            QVERIFY(e.timeMs >= real - Minute && e.timeMs < QDateTime::currentMSecsSinceEpoch());
        }
    }
}

void TestClockJump::consoleUnderFaketime()
{
    if (!qEnvironmentVariableIsSet("PETFORCE_CLOCK_STORE"))
        QSKIP("run by startedTwoHoursBehind, under faketime");
    const qint64 real = envNumber("PETFORCE_CLOCK_REAL_MS");
    const qint64 id = envNumber("PETFORCE_CLOCK_INCIDENT");
    const qint64 wall = QDateTime::currentMSecsSinceEpoch();
    QVERIFY2(std::abs(wall - (real - 2 * Hour)) < 5 * Minute, "not 2 h behind: faketime did not work");
    // The monotonic clock QElapsedTimer reads: faked by default (it then counts from the faked system time).
    QElapsedTimer probe;
    probe.start();
    const bool monotonicFaked = std::abs(probe.msecsSinceReference() - wall) < 24 * Hour;
    qInfo("QElapsedTimer reference %lld ms, system clock %lld ms: monotonic %s", probe.msecsSinceReference(), wall,
        monotonicFaked ? "faked" : "not faked");
    QCOMPARE(monotonicFaked, envNumber("PETFORCE_CLOCK_MONOTONIC_FAKED") == 1);

    // Wired as app/application.cpp wires it.
    StoreClient store(qEnvironmentVariable("PETFORCE_CLOCK_STORE"));
    ClockWatch watch(&store);
    SecretStore secrets(u"app.petforce.OpsConsole.test"_s);
    secrets.useSessionFallback();
    EscalationService service(&store, &secrets);
    service.setRunbook(RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s));
    service.monitor()->setClock([&watch] { return watch.nowMs(); });
    ConsoleServices services;
    services.store = &store;
    services.secrets = &secrets;
    services.escalation = &service;
    services.clock = &watch;
    MainWindow window(services);
    QSignalSpy jumps(&watch, &ClockWatch::jumped);
    QSignalSpy ready(&window, &MainWindow::storeReady);
    connect(&store, &StoreClient::opened, &service, [&service] { service.start(); });
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    store.open();
    QVERIFY(ready.wait(10000));
    window.setActiveIncident(id);
    EscalationPanel* panel = window.escalationPanel();
    QVERIFY(panel);
    QTRY_VERIFY_WITH_TIMEOUT(service.monitor()->isTracking(id) && panel->incident(), 10000);

    // The message, once, not a dialog.
    QTRY_COMPARE_WITH_TIMEOUT(jumps.count(), 1, 10000);
    const ClockJump jump = jumps.at(0).at(0).value<ClockJump>();
    QVERIFY(jump.back());
    QVERIFY(window.clockNote());
    QVERIFY(window.clockNote()->isVisible());
    QCOMPARE(window.clockNote()->text(), jump.message());
    QVERIFY2(jump.message().startsWith(u"The system clock moved back: it is 1h 5"_s), qPrintable(jump.message()));
    QVERIFY(jump.message().endsWith(u"times are shown as recorded."_s));
    QVERIFY(!QApplication::activeModalWidget());

    // The durations: from the recorded times, not the system clock.
    QTRY_VERIFY_WITH_TIMEOUT(window.header()->incident(), 10000);
    const QRegularExpression openFor(u"^Open for 2h (09|10)m$"_s);
    QVERIFY2(openFor.match(window.header()->elapsedText()).hasMatch(), qPrintable(window.header()->elapsedText()));
    QVERIFY2(window.header()->responseClockText().endsWith(u"— overdue"_s),
        qPrintable(window.header()->responseClockText()));
    QVERIFY2(
        panel->escalationText().startsWith(u"Escalation due: Engineering lead"_s), qPrintable(panel->escalationText()));
    QVERIFY(panel->alertText().contains(u"escalate to"_s));

    // On the timeline, once.
    QTRY_COMPARE_WITH_TIMEOUT(timelineSummaries(window).filter(u"System clock moved back"_s).size(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(timelineSummaries(window).filter(u"Escalation due"_s).size(), 1, 10000);
    QVERIFY(!jumps.wait(3000)); // no second message while it runs on
    QCOMPARE(timelineSummaries(window).filter(u"System clock moved back"_s).size(), 1);
    QVERIFY(openFor.match(window.header()->elapsedText()).hasMatch());

    // Time to acknowledge: written by the store's worker, whose clock caught up with the newest event too.
    QAction* acknowledge = window.findChild<QAction*>(u"actionAcknowledge"_s);
    QVERIFY(acknowledge);
    acknowledge->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(window.header()->responseClockText().startsWith(u"Acknowledged after 2h"_s), 10000);
    QVERIFY2(QRegularExpression(u"^Acknowledged after 2h (09|10)m \\(target 1 hour\\)"_s)
                 .match(window.header()->responseClockText())
                 .hasMatch(),
        qPrintable(window.header()->responseClockText()));
}

QStringList TestClockJump::timelineSummaries(MainWindow& window) const
{
    QStringList summaries;
    const QAbstractItemModel* shown = window.timelinePane()->view()->model();
    for (int row = 0; row < shown->rowCount(); ++row)
        summaries.append(shown->index(row, TimelineModel::SummaryColumn).data().toString());
    return summaries;
}

QTEST_MAIN(TestClockJump)
#include "tst_clockjump.moc"
