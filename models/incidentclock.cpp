// SPDX-License-Identifier: MIT
#include "models/incidentclock.h"

#include <QCoreApplication>
#include <QDateTime>

#include <algorithm>
#include <cstdlib>

using namespace Qt::StringLiterals;

MonotonicWallClock::MonotonicWallClock()
    : m_anchorWallMs(QDateTime::currentMSecsSinceEpoch())
{
    m_timer.start();
}

MonotonicWallClock MonotonicWallClock::manual(qint64 wallMs)
{
    MonotonicWallClock clock;
    clock.m_anchorWallMs = wallMs;
    clock.m_aheadMs = 0;
    clock.m_manual = true;
    return clock;
}

qint64 MonotonicWallClock::monotonicMs() const
{
    if (m_manual)
        return m_anchorWallMs + m_manualOffsetMs;
    return m_anchorWallMs + m_timer.elapsed();
}

qint64 MonotonicWallClock::wallMs() const
{
    if (m_manual)
        return m_anchorWallMs + m_manualOffsetMs + m_manualWallStepMs;
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 MonotonicWallClock::catchUp(qint64 recordedMs)
{
    const qint64 moved = recordedMs - nowMs();
    if (moved <= 0)
        return 0;
    m_aheadMs += moved;
    return moved;
}

void MonotonicWallClock::advance(qint64 ms) { m_manualOffsetMs += ms; }

void MonotonicWallClock::jumpWall(qint64 ms) { m_manualWallStepMs += ms; }

QString ClockJump::message() const
{
    if (source == Source::Recorded) {
        return QCoreApplication::translate("ClockJump",
            "The system clock moved back: it is %1 behind the times recorded in the store; times are shown as "
            "recorded.")
            .arg(formatDuration(-deltaMs));
    }
    return QCoreApplication::translate("ClockJump", "The system clock moved %1 %2; times are shown as recorded.")
        .arg(back() ? QCoreApplication::translate("ClockJump", "back")
                    : QCoreApplication::translate("ClockJump", "forward"),
            formatDuration(std::abs(deltaMs)));
}

QString ClockJump::timelineSummary() const
{
    if (source == Source::Recorded)
        return u"System clock moved back: %1 behind the times recorded in the store; times are shown as recorded"_s.arg(
            formatDuration(-deltaMs));
    return u"System clock moved %1 %2 while the console ran; times are shown as recorded"_s.arg(
        back() ? u"back"_s : u"forward"_s, formatDuration(std::abs(deltaMs)));
}

ClockGuard::ClockGuard(MonotonicWallClock* clock, qint64 thresholdMs, qint64 settleMs)
    : m_clock(clock)
    , m_thresholdMs(thresholdMs)
    , m_settleMs(settleMs)
    , m_driftMs(clock->wallMs() - clock->monotonicMs())
{
}

void ClockGuard::observe(qint64 recordedMs)
{
    const qint64 moved = m_clock->catchUp(recordedMs);
    if (moved <= 0)
        return;
    m_caughtUpMs += moved;
    m_lastCatchUpMonoMs = m_clock->monotonicMs();
}

std::optional<ClockJump> ClockGuard::check()
{
    m_clock->sync();
    const qint64 wall = m_clock->wallMs();
    const qint64 drift = wall - m_clock->monotonicMs();
    if (std::abs(drift - m_driftMs) > m_thresholdMs) {
        ClockJump jump;
        jump.source = ClockJump::Source::Running;
        jump.deltaMs = drift - m_driftMs;
        jump.wallMs = wall;
        jump.shownMs = m_clock->nowMs();
        m_driftMs = drift;
        m_caughtUpMs = 0; // the step explains what recorded times moved meanwhile
        return jump;
    }
    if (m_caughtUpMs > m_thresholdMs && m_clock->monotonicMs() - m_lastCatchUpMonoMs >= m_settleMs) {
        ClockJump jump;
        jump.source = ClockJump::Source::Recorded;
        jump.deltaMs = -m_caughtUpMs;
        jump.wallMs = wall;
        jump.shownMs = m_clock->nowMs();
        m_caughtUpMs = 0;
        return jump;
    }
    return std::nullopt;
}

IncidentClock IncidentClock::evaluate(
    const Incident& incident, qint64 nowMs, const ResponseFlow& flow, const SeverityTable& table)
{
    IncidentClock c;
    c.finished = !incident.isOpen();
    const qint64 end = c.finished && incident.resolvedMs ? *incident.resolvedMs : nowMs;

    c.step = std::clamp(incident.flowStep, 0, std::max(0, flow.stepCount() - 1));
    const FlowStep step = flow.step(c.step);
    c.stepName = step.name;
    c.stepElapsedMs = std::max<qint64>(0, end - incident.stepEnteredMs);
    if (step.target) {
        c.stepTargetMs = step.target->count();
        c.stepOverdue = !c.finished && c.stepElapsedMs > *c.stepTargetMs;
    }

    c.sinceStartMs = std::max<qint64>(0, end - incident.startedMs);
    c.responseTargetMs = table.level(incident.severity).responseTime.count();
    if (incident.acknowledgedMs) {
        c.respondedAfterMs = std::max<qint64>(0, *incident.acknowledgedMs - incident.startedMs);
        c.responseOverdue = *c.respondedAfterMs > c.responseTargetMs;
    } else {
        c.responseOverdue = !c.finished && c.sinceStartMs > c.responseTargetMs;
    }
    return c;
}

QString formatDuration(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms) / 1000;
    const auto two = [](qint64 v) { return QString::number(v).rightJustified(2, u'0'); };
    if (s < 60)
        return QString::number(s) + u's';
    if (s < 3600)
        return QString::number(s / 60) + u"m "_s + two(s % 60) + u's';
    if (s < 86400)
        return QString::number(s / 3600) + u"h "_s + two((s % 3600) / 60) + u'm';
    return QString::number(s / 86400) + u"d "_s + two((s % 86400) / 3600) + u'h';
}
