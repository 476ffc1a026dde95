// SPDX-License-Identifier: MIT
#include "models/incidentclock.h"

#include <QDateTime>

#include <algorithm>

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
    clock.m_manual = true;
    return clock;
}

qint64 MonotonicWallClock::nowMs() const
{
    if (m_manual)
        return m_anchorWallMs + m_manualOffsetMs;
    return m_anchorWallMs + m_timer.elapsed();
}

void MonotonicWallClock::advance(qint64 ms) { m_manualOffsetMs += ms; }

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
