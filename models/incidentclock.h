// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "models/responseflow.h"
#include "models/severity.h"

#include <QElapsedTimer>
#include <QString>

#include <optional>

// Wall-clock time that cannot jump while the program runs: the system clock is read once, at construction,
// and then advanced by a monotonic clock. All incident durations on screen are measured with it.
class MonotonicWallClock {
public:
    MonotonicWallClock();
    // For tests: a clock that starts at wallMs and advances by hand with advance().
    static MonotonicWallClock manual(qint64 wallMs);

    qint64 nowMs() const;
    void advance(qint64 ms); // only for manual clocks

private:
    qint64 m_anchorWallMs = 0;
    qint64 m_manualOffsetMs = 0;
    bool m_manual = false;
    QElapsedTimer m_timer;
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
