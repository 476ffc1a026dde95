// SPDX-License-Identifier: MIT
#include "models/escalationclock.h"

#include "models/incidentclock.h"

using namespace Qt::StringLiterals;

UpdateCadence UpdateCadence::defaults()
{
    UpdateCadence cadence;
    cadence.setInterval(Severity::P0, 15 * 60'000);
    cadence.setInterval(Severity::P1, 30 * 60'000);
    cadence.setInterval(Severity::P2, 2 * 3'600'000);
    return cadence;
}

std::optional<qint64> UpdateCadence::interval(Severity severity) const
{
    const auto it = m_intervals.constFind(int(severity));
    if (it == m_intervals.cend())
        return std::nullopt;
    return *it;
}

void UpdateCadence::setInterval(Severity severity, std::optional<qint64> ms)
{
    if (ms && *ms > 0)
        m_intervals.insert(int(severity), *ms);
    else
        m_intervals.remove(int(severity));
}

EscalationClock EscalationClock::evaluate(const Incident& incident, const EscalationMatrix& matrix, qint64 nowMs,
    const EscalationHistory& history, const UpdateCadence& cadence)
{
    EscalationClock clock;
    clock.severity = incident.severity;
    clock.finished = !incident.isOpen();
    const std::optional<EscalationLevel> level = matrix.level(incident.severity);
    clock.known = level.has_value();
    if (level)
        clock.responsibleNow.append(level->initialResponse);
    for (const QString& role : history.escalatedTo) {
        bool already = false;
        for (const QString& r : std::as_const(clock.responsibleNow))
            already = already || roleKey(r) == roleKey(role);
        if (!already)
            clock.responsibleNow.append(role);
    }
    if (clock.finished)
        return clock;
    if (level && level->escalateAfterMs) {
        clock.escalateTo = level->escalateTo;
        clock.escalationDueMs = incident.startedMs + *level->escalateAfterMs;
        clock.escalationCountdownMs = std::max<qint64>(0, *clock.escalationDueMs - nowMs);
        clock.escalationDue = nowMs >= *clock.escalationDueMs;
        bool all = !clock.escalateTo.isEmpty();
        for (const QString& role : std::as_const(clock.escalateTo)) {
            bool found = false;
            for (const QString& done : history.escalatedTo)
                found = found || roleKey(done) == roleKey(role);
            all = all && found;
        }
        clock.escalated = all;
    }
    if (const std::optional<qint64> every = cadence.interval(incident.severity)) {
        const qint64 from = history.lastUpdateMs.value_or(incident.startedMs);
        clock.nextUpdateDueMs = from + *every;
        clock.updateCountdownMs = *clock.nextUpdateDueMs - nowMs;
        clock.updateOverdue = clock.updateCountdownMs <= 0;
    }
    return clock;
}

QString EscalationClock::escalationText() const
{
    if (finished)
        return u"Resolved: no escalation"_s;
    if (!known)
        return u"No escalation matrix row for %1"_s.arg(severityCode(severity));
    if (!escalationDueMs)
        return u"No timed escalation for %1"_s.arg(severityCode(severity));
    const QString whom = escalateTo.join(u" + "_s);
    if (escalated)
        return u"Escalated to %1"_s.arg(whom);
    if (escalationDue)
        return u"Escalation due: %1"_s.arg(whom);
    return u"Escalate to %1 in %2"_s.arg(whom, formatDuration(escalationCountdownMs));
}

QString EscalationClock::updateText() const
{
    if (finished || !nextUpdateDueMs)
        return u"No scheduled status updates"_s;
    if (updateOverdue && updateCountdownMs == 0)
        return u"Status update due now"_s;
    if (updateOverdue)
        return u"Status update overdue by %1"_s.arg(formatDuration(-updateCountdownMs));
    return u"Next status update in %1"_s.arg(formatDuration(updateCountdownMs));
}

QString EscalationHistory::progressText(int last) const
{
    return progress.mid(std::max<qsizetype>(0, progress.size() - last)).join(u"; "_s);
}
