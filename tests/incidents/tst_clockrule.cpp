// SPDX-License-Identifier: MIT
// The console's clock rule (issue 15, finding 7; docs/escalation.md "Clock"): durations come from the monotonic
// clock anchored on the system clock at start, never earlier than the newest time recorded in the store, and a
// step of the system clock of more than a minute is reported once.
#include "models/escalationclock.h"
#include "models/escalationmatrix.h"
#include "models/incidentclock.h"
#include "models/runbookdocument.h"
#include "services/runbookparser.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 Second = 1000;
constexpr qint64 Minute = 60 * Second;
constexpr qint64 Hour = 60 * Minute;
constexpr qint64 Real = 1'780'000'000'000; // the true time when the console starts

EscalationMatrix seedMatrix()
{
    static const RunbookDocument seed = RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s);
    return EscalationMatrix::fromTable(*seed.escalationMatrix());
}

Incident incident(Severity severity, qint64 startedMs)
{
    Incident i;
    i.id = 1;
    i.title = u"API returning 500s"_s;
    i.severity = severity;
    i.startedMs = startedMs;
    i.stepEnteredMs = startedMs;
    return i;
}
} // namespace

class TestClockRule : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void systemClockBehindTheStore_data();
    void systemClockBehindTheStore();
    void startUpLoadsMakeOneJump();
    void smallSkewIsIgnored();
    void systemClockMovesBackWhileRunning();
    void systemClockMovesForwardWhileRunning();
    void recordedTimesFromAnotherConsoleAhead();
};

void TestClockRule::systemClockBehindTheStore_data()
{
    QTest::addColumn<qint64>("startedAgo"); // by the true clock
    QTest::addColumn<qint64>("newestAgo"); // the newest event, by the true clock
    QTest::addColumn<qint64>("openFor"); // what "Open for" must read at least
    QTest::addColumn<bool>("escalationDue");
    QTest::addColumn<bool>("jumpNoted");
    // The case, turned round: opened 2h10m ago, a note a minute ago, P2 escalates after 2 h.
    QTest::newRow("P2 2h10m, note 1m ago") << 130 * Minute << 1 * Minute << 129 * Minute << true << true;
    // Opened 1h52m ago with nothing since: the start is 8 min ahead of the system clock. The store says no more than
    // that the incident is at least 0s old (it was 0s clamped, and a countdown of 2h08m): "Open for" counts from 0
    // and the step is noted.
    QTest::newRow("P2 1h52m, nothing since") << 112 * Minute << 112 * Minute << 0LL << false << true;
    // Nothing recorded after the system clock's time: nothing to correct, nothing noted.
    QTest::newRow("P2 2h30m, note 2h05m ago") << 150 * Minute << 125 * Minute << 30 * Minute << false << false;
}

void TestClockRule::systemClockBehindTheStore()
{
    QFETCH(qint64, startedAgo);
    QFETCH(qint64, newestAgo);
    QFETCH(qint64, openFor);
    QFETCH(bool, escalationDue);
    QFETCH(bool, jumpNoted);
    MonotonicWallClock clock = MonotonicWallClock::manual(Real - 2 * Hour); // started 2 h behind
    ClockGuard guard(&clock);
    const Incident i = incident(Severity::P2, Real - startedAgo);

    // Before the store is read the times are in the future: the old clamps.
    const IncidentClock before = IncidentClock::evaluate(i, clock.nowMs());
    QCOMPARE(before.sinceStartMs, std::max<qint64>(0, startedAgo - 2 * Hour));

    guard.observe(i.startedMs);
    guard.observe(Real - newestAgo);
    QVERIFY(clock.nowMs() >= Real - newestAgo);
    QVERIFY(clock.nowMs() >= i.startedMs);
    const IncidentClock c = IncidentClock::evaluate(i, clock.nowMs());
    QCOMPARE(c.sinceStartMs, std::max(openFor, clock.nowMs() - i.startedMs));
    QVERIFY(c.sinceStartMs >= openFor);
    QVERIFY(c.sinceStartMs <= startedAgo);
    const EscalationClock e = EscalationClock::evaluate(i, seedMatrix(), clock.nowMs());
    QCOMPARE(e.escalationDue, escalationDue);
    if (escalationDue) {
        QCOMPARE(e.escalationCountdownMs, 0);
        QCOMPARE(e.escalationText(), u"Escalation due: Engineering lead"_s);
    } else {
        QVERIFY(e.escalationCountdownMs <= 2 * Hour);
    }

    clock.advance(2 * Second); // settled
    const std::optional<ClockJump> jump = guard.check();
    QCOMPARE(jump.has_value(), jumpNoted);
    if (jump) {
        QCOMPARE(jump->source, ClockJump::Source::Recorded);
        QVERIFY(jump->back());
        QCOMPARE(jump->deltaMs, -(2 * Hour - std::min(startedAgo, newestAgo)));
        QCOMPARE(jump->shownMs, clock.nowMs());
        QCOMPARE(jump->wallMs, Real - 2 * Hour + 2 * Second);
    }
    clock.advance(10 * Second);
    QVERIFY(!guard.check()); // once
    QCOMPARE(IncidentClock::evaluate(i, clock.nowMs()).sinceStartMs, c.sinceStartMs + 12 * Second);
}

void TestClockRule::startUpLoadsMakeOneJump()
{
    MonotonicWallClock clock = MonotonicWallClock::manual(Real - 2 * Hour);
    ClockGuard guard(&clock);
    guard.observe(Real - 90 * Minute); // the incident list
    clock.advance(200);
    QVERIFY(!guard.check()); // still settling
    guard.observe(Real - 1 * Minute); // the timeline, a moment later
    clock.advance(500);
    QVERIFY(!guard.check());
    clock.advance(600);
    const std::optional<ClockJump> jump = guard.check();
    QVERIFY(jump);
    QCOMPARE(jump->deltaMs, -(119 * Minute - 200)); // the whole catch-up, less the 200 ms between
    QCOMPARE(jump->message(),
        u"The system clock moved back: it is 1h 58m behind the times recorded in the store; times are shown as "
        "recorded."_s);
    QCOMPARE(jump->timelineSummary(),
        u"System clock moved back: 1h 58m behind the times recorded in the store; times are shown as recorded"_s);
    QVERIFY(!guard.check());
}

void TestClockRule::smallSkewIsIgnored()
{
    MonotonicWallClock clock = MonotonicWallClock::manual(Real);
    ClockGuard guard(&clock);
    guard.observe(Real + 45 * Second); // another machine's clock a little ahead
    QCOMPARE(clock.nowMs(), Real + 45 * Second); // followed, silently
    clock.advance(2 * Second);
    QVERIFY(!guard.check());
    clock.jumpWall(-50 * Second); // NTP stepping back a little
    QVERIFY(!guard.check());
    QCOMPARE(clock.nowMs(), Real + 47 * Second);
}

void TestClockRule::systemClockMovesBackWhileRunning()
{
    MonotonicWallClock clock = MonotonicWallClock::manual(Real);
    ClockGuard guard(&clock);
    const Incident i = incident(Severity::P1, Real - 20 * Minute);
    guard.observe(i.startedMs);
    clock.advance(5 * Minute);
    QVERIFY(!guard.check());
    clock.jumpWall(-2 * Hour);
    QCOMPARE(clock.wallMs(), Real + 5 * Minute - 2 * Hour);
    const std::optional<ClockJump> jump = guard.check();
    QVERIFY(jump);
    QCOMPARE(jump->source, ClockJump::Source::Running);
    QCOMPARE(jump->deltaMs, -2 * Hour);
    QCOMPARE(jump->message(), u"The system clock moved back 2h 00m; times are shown as recorded."_s);
    QCOMPARE(clock.nowMs(), Real + 5 * Minute); // never back
    const IncidentClock c = IncidentClock::evaluate(i, clock.nowMs());
    QCOMPARE(c.sinceStartMs, 25 * Minute);
    QVERIFY(c.responseOverdue); // P1: respond within 15 min
    QVERIFY(EscalationClock::evaluate(i, seedMatrix(), clock.nowMs()).escalationCountdownMs == 5 * Minute);
    clock.advance(Minute);
    QVERIFY(!guard.check()); // once per jump
    QCOMPARE(clock.nowMs(), Real + 6 * Minute);

    // Set right again: a jump forward by as much; the console's clock was right all along and does not move.
    clock.jumpWall(2 * Hour);
    const std::optional<ClockJump> back = guard.check();
    QVERIFY(back);
    QCOMPARE(back->deltaMs, 2 * Hour);
    QCOMPARE(clock.nowMs(), Real + 6 * Minute);
}

void TestClockRule::systemClockMovesForwardWhileRunning()
{
    // Suspended for 3 h: CLOCK_MONOTONIC stops meanwhile, the system clock does not. Followed (now = max(...)).
    MonotonicWallClock clock = MonotonicWallClock::manual(Real);
    ClockGuard guard(&clock);
    const Incident i = incident(Severity::P0, Real - 5 * Minute);
    clock.advance(Minute);
    clock.jumpWall(3 * Hour);
    const std::optional<ClockJump> jump = guard.check();
    QVERIFY(jump);
    QCOMPARE(jump->deltaMs, 3 * Hour);
    QVERIFY(!jump->back());
    QCOMPARE(jump->message(), u"The system clock moved forward 3h 00m; times are shown as recorded."_s);
    QCOMPARE(clock.nowMs(), Real + Minute + 3 * Hour);
    QCOMPARE(IncidentClock::evaluate(i, clock.nowMs()).sinceStartMs, 3 * Hour + 6 * Minute);
    QVERIFY(EscalationClock::evaluate(i, seedMatrix(), clock.nowMs()).escalationDue);
    QVERIFY(!guard.check());
}

void TestClockRule::recordedTimesFromAnotherConsoleAhead()
{
    // While running, another console (right clock) writes an event 2 h after ours: the store is the truth.
    MonotonicWallClock clock = MonotonicWallClock::manual(Real - 2 * Hour);
    ClockGuard guard(&clock);
    clock.advance(10 * Minute);
    QVERIFY(!guard.check());
    guard.observe(Real + 10 * Minute);
    QCOMPARE(clock.nowMs(), Real + 10 * Minute);
    clock.advance(Second);
    const std::optional<ClockJump> jump = guard.check();
    QVERIFY(jump);
    QCOMPARE(jump->source, ClockJump::Source::Recorded);
    QCOMPARE(jump->deltaMs, -2 * Hour);
    QVERIFY(!guard.check());
    guard.observe(Real + 10 * Minute + 500); // already there
    clock.advance(Second);
    QVERIFY(!guard.check());
}

QTEST_GUILESS_MAIN(TestClockRule)
#include "tst_clockrule.moc"
