// SPDX-License-Identifier: MIT
#include "models/incidentclock.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 Minute = 60 * 1000;
constexpr qint64 Start = 1'780'000'000'000; // some UTC instant

Incident openIncident(Severity severity)
{
    Incident i;
    i.id = 1;
    i.title = u"API returning 500s"_s;
    i.severity = severity;
    i.startedMs = Start;
    i.stepEnteredMs = Start;
    return i;
}
} // namespace

class TestIncidentClock : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void responseTime_data();
    void responseTime();
    void stepTargets_data();
    void stepTargets();
    void acknowledgedLate();
    void resolvedStopsClocks();
    void manualClockAdvances();
    void monotonicClockNeverGoesBack();
    void formatting_data();
    void formatting();
};

void TestIncidentClock::responseTime_data()
{
    QTest::addColumn<Severity>("severity");
    QTest::addColumn<qint64>("elapsed");
    QTest::addColumn<bool>("overdue");
    QTest::newRow("P0 at 4m59") << Severity::P0 << 5 * Minute - 1000 << false;
    QTest::newRow("P0 at 5m01") << Severity::P0 << 5 * Minute + 1000 << true;
    QTest::newRow("P1 at 14m") << Severity::P1 << 14 * Minute << false;
    QTest::newRow("P1 at 16m") << Severity::P1 << 16 * Minute << true;
    QTest::newRow("P2 at 59m") << Severity::P2 << 59 * Minute << false;
    QTest::newRow("P2 at 61m") << Severity::P2 << 61 * Minute << true;
    QTest::newRow("P3 at 23h") << Severity::P3 << 23 * 60 * Minute << false;
    QTest::newRow("P3 at 25h") << Severity::P3 << 25 * 60 * Minute << true;
}

void TestIncidentClock::responseTime()
{
    QFETCH(Severity, severity);
    QFETCH(qint64, elapsed);
    Incident i = openIncident(severity);
    i.flowStep = 3; // Mitigate has no target: only the response clock can be overdue
    const auto c = IncidentClock::evaluate(i, Start + elapsed);
    QCOMPARE(c.sinceStartMs, elapsed);
    QFETCH(bool, overdue);
    QCOMPARE(c.responseOverdue, overdue);
    QCOMPARE(c.anyOverdue(), c.responseOverdue);
    QVERIFY(!c.stepOverdue);
}

void TestIncidentClock::stepTargets_data()
{
    QTest::addColumn<int>("step");
    QTest::addColumn<qint64>("inStep");
    QTest::addColumn<bool>("overdue");
    QTest::addColumn<QString>("name");
    QTest::newRow("acknowledge in time") << 0 << 50 * 1000LL << false << u"Acknowledge"_s;
    QTest::newRow("acknowledge late") << 0 << 61 * 1000LL << true << u"Acknowledge"_s;
    QTest::newRow("assess 4m") << 1 << 4 * Minute << false << u"Assess"_s;
    QTest::newRow("assess 6m") << 1 << 6 * Minute << true << u"Assess"_s;
    QTest::newRow("communicate 2m") << 2 << 2 * Minute << true << u"Communicate"_s;
    QTest::newRow("mitigate 3h") << 3 << 180 * Minute << false << u"Mitigate"_s;
    QTest::newRow("verify 5m") << 4 << 5 * Minute << false << u"Verify"_s;
    QTest::newRow("document 61m") << 5 << 61 * Minute << true << u"Document"_s;
}

void TestIncidentClock::stepTargets()
{
    QFETCH(int, step);
    QFETCH(qint64, inStep);
    Incident i = openIncident(Severity::P3);
    i.acknowledgedMs = Start + 1000;
    i.flowStep = step;
    i.stepEnteredMs = Start + 2 * Minute;
    const auto c = IncidentClock::evaluate(i, i.stepEnteredMs + inStep);
    QCOMPARE(c.step, step);
    QFETCH(QString, name);
    QCOMPARE(c.stepName, name);
    QCOMPARE(c.stepElapsedMs, inStep);
    QFETCH(bool, overdue);
    QCOMPARE(c.stepOverdue, overdue);
    QCOMPARE(c.sinceStartMs, 2 * Minute + inStep);
}

void TestIncidentClock::acknowledgedLate()
{
    Incident i = openIncident(Severity::P0);
    i.acknowledgedMs = Start + 7 * Minute;
    i.flowStep = 3;
    const auto c = IncidentClock::evaluate(i, Start + 30 * Minute);
    QCOMPARE(c.respondedAfterMs, std::optional<qint64>(7 * Minute));
    QVERIFY(c.responseOverdue); // answered late: remembered
    QVERIFY(!c.anyOverdue()); // but nothing is overdue now
}

void TestIncidentClock::resolvedStopsClocks()
{
    Incident i = openIncident(Severity::P1);
    i.acknowledgedMs = Start + Minute;
    i.status = IncidentStatus::Resolved;
    i.resolvedMs = Start + 42 * Minute;
    i.flowStep = 5;
    i.stepEnteredMs = Start + 40 * Minute;
    const auto c = IncidentClock::evaluate(i, Start + 500 * Minute);
    QVERIFY(c.finished);
    QCOMPARE(c.sinceStartMs, 42 * Minute);
    QCOMPARE(c.stepElapsedMs, 2 * Minute);
    QVERIFY(!c.stepOverdue);
    QVERIFY(!c.anyOverdue());
}

void TestIncidentClock::manualClockAdvances()
{
    auto clock = MonotonicWallClock::manual(Start);
    QCOMPARE(clock.nowMs(), Start);
    clock.advance(15 * Minute);
    QCOMPARE(clock.nowMs(), Start + 15 * Minute);
}

void TestIncidentClock::monotonicClockNeverGoesBack()
{
    MonotonicWallClock clock;
    qint64 last = clock.nowMs();
    for (int n = 0; n < 1000; ++n) {
        const qint64 now = clock.nowMs();
        QVERIFY(now >= last);
        last = now;
    }
}

void TestIncidentClock::formatting_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("negative") << qint64(-5000) << u"0s"_s;
    QTest::newRow("45s") << qint64(45'999) << u"45s"_s;
    QTest::newRow("3m05s") << qint64(185'000) << u"3m 05s"_s;
    QTest::newRow("1h02m") << qint64(3'720'000) << u"1h 02m"_s;
    QTest::newRow("2d03h") << qint64((2 * 24 + 3) * 3'600'000LL) << u"2d 03h"_s;
}

void TestIncidentClock::formatting()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(formatDuration(ms), text);
}

QTEST_GUILESS_MAIN(TestIncidentClock)
#include "tst_incidentclock.moc"
