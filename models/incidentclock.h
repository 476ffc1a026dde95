// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "models/responseflow.h"
#include "models/severity.h"

#include <QElapsedTimer>
#include <QMetaType>
#include <QString>

#include <optional>

// Wall-clock time that cannot go back: the system clock is read once, at construction, and then advanced by a
// monotonic clock. It only ever moves forward further: to a time recorded in the store that is newer (catchUp(),
// the store's times are the truth when the system clock is behind them) and to the system clock when that is
// ahead (sync(): corrected, or the computer slept). All incident durations on screen are measured with it; the
// rule is in docs/escalation.md ("Clock"). One thread at a time (each thread has its own).
class MonotonicWallClock {
public:
    MonotonicWallClock();
    // For tests: a clock that starts at wallMs and advances by hand with advance(); its system clock follows
    // until jumpWall() moves it.
    static MonotonicWallClock manual(qint64 wallMs);

    qint64 nowMs() const { return monotonicMs() + m_aheadMs; }
    qint64 monotonicMs() const; // the anchor plus the monotonic time since: what the system clock should read
    qint64 wallMs() const; // the system clock now
    qint64 aheadMs() const { return m_aheadMs; } // how far forward catchUp() and sync() have moved it
    // A time recorded by a clock (an event's time): nowMs() never reads earlier from here on. Returns how far
    // nowMs() moved (0 when recordedMs is not newer).
    qint64 catchUp(qint64 recordedMs);
    // Follows the system clock forward when it reads later than nowMs(); returns how far nowMs() moved.
    qint64 sync() { return catchUp(wallMs()); }

    void advance(qint64 ms); // only for manual clocks: both clocks advance
    void jumpWall(qint64 ms); // only for manual clocks: the system clock alone steps

private:
    qint64 m_anchorWallMs = 0;
    qint64 m_aheadMs = 0;
    qint64 m_manualOffsetMs = 0;
    qint64 m_manualWallStepMs = 0;
    bool m_manual = false;
    QElapsedTimer m_timer;
};

// A step of the system clock against the console's clock, as ClockGuard finds it.
struct ClockJump {
    enum class Source {
        Recorded, // the system clock is behind a time recorded in the store (found at start, or from another
                  // console's events)
        Running, // the system clock and the monotonic clock diverged while the console ran
    };
    Source source = Source::Running;
    qint64 deltaMs = 0; // the system clock's step: < 0 back, > 0 forward
    qint64 wallMs = 0; // the system clock when it was found
    qint64 shownMs = 0; // the console's now when it was found (the time its clocks use)

    bool back() const { return deltaMs < 0; }
    // "The system clock moved back 2h 00m; times are shown as recorded."
    QString message() const;
    QString timelineSummary() const; // the message with the source, for the timeline
};

Q_DECLARE_METATYPE(ClockJump)

// Finds steps of the system clock over a MonotonicWallClock (which it moves forward as the rule says). The rule:
// now = max(system clock at start + monotonic time since, newest recorded time seen + monotonic time since it was
// seen, the system clock whenever it reads later). A jump is reported once when, since the last one,
//   - times seen in the store moved the clock forward by more than thresholdMs in all (reported settleMs after
//     the last of them, so that a start-up's loads make one jump), or
//   - the system clock moved against the monotonic one by more than thresholdMs, either way.
// Not thread-safe; a model: the caller feeds it times and calls check() (every second).
class ClockGuard {
public:
    static constexpr qint64 DefaultThresholdMs = 60'000;
    static constexpr qint64 DefaultSettleMs = 1000;

    explicit ClockGuard(
        MonotonicWallClock* clock, qint64 thresholdMs = DefaultThresholdMs, qint64 settleMs = DefaultSettleMs);

    const MonotonicWallClock& clock() const { return *m_clock; }
    // A time recorded in the store (an event's, an incident's start): the clock catches up silently.
    void observe(qint64 recordedMs);
    // Syncs the clock with the system clock and returns the jump found since the last one, if any.
    std::optional<ClockJump> check();

private:
    MonotonicWallClock* m_clock;
    qint64 m_thresholdMs;
    qint64 m_settleMs;
    qint64 m_driftMs = 0; // system clock minus monotonic clock at the last report (or the start)
    qint64 m_caughtUpMs = 0; // moved by recorded times since the last report
    qint64 m_lastCatchUpMonoMs = 0; // monotonic time of the newest of them
};

// Where an open incident stands at one instant against the response flow and its severity's response time.
class IncidentClock {
public:
    static IncidentClock evaluate(const Incident& incident, qint64 nowMs,
        const ResponseFlow& flow = ResponseFlow::defaults(), const SeverityTable& table = SeverityTable::defaults());

    int step = 0; // current flow step index
    QString stepName;
    qint64 stepElapsedMs = 0; // time spent in the current step
    std::optional<qint64> stepTargetMs; // none for steps that "vary"
    bool stepOverdue = false;

    qint64 sinceStartMs = 0; // time since the incident started (until resolution, once resolved)
    qint64 responseTargetMs = 0; // the severity's response time
    std::optional<qint64> respondedAfterMs; // start to acknowledgement, once acknowledged
    bool responseOverdue = false; // not acknowledged within the response time, or acknowledged late
    bool finished = false; // resolved: clocks stopped

    bool anyOverdue() const { return stepOverdue || (responseOverdue && !respondedAfterMs); }
};

// "45s", "3m 05s", "1h 02m", "2d 03h": compact, for clocks on screen. Negative values are shown as 0s.
QString formatDuration(qint64 ms);
