// SPDX-License-Identifier: MIT
#pragma once

#include "models/escalationmatrix.h"
#include "models/incident.h"

#include <QHash>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

// How often stakeholders must hear from the commander, per severity (defaults P0 15 min, P1 30 min, P2 2 h,
// P3 none). Pure data, any thread.
class UpdateCadence {
public:
    static UpdateCadence defaults();
    std::optional<qint64> interval(Severity severity) const;
    void setInterval(Severity severity, std::optional<qint64> ms);

private:
    QHash<int, qint64> m_intervals;
};

// What has already happened on an incident's timeline that matters to its escalation clock.
struct EscalationHistory {
    QStringList escalatedTo; // roles named by "Escalated to…" events, in order
    QList<int> dueRecordedFor; // severities whose "escalation due" is already on the timeline
    std::optional<qint64> lastUpdateMs; // the newest status message sent
    // Since the newest status message: the timeline summaries of notes, finished commands and status changes,
    // oldest first (what the Update template's "Progress" is about).
    QStringList progress;

    bool dueRecorded(Severity severity) const { return dueRecordedFor.contains(int(severity)); }
    // The last few of progress, for the Progress field: "Checking dashboards; “Kill idle connections”: ok in 0.4 s".
    QString progressText(int last = 4) const;
};

// Where an open incident stands against the escalation matrix and the update cadence at one instant. Computed
// from the incident's start and its current severity, so a severity change re-plans it.
struct EscalationClock {
    static EscalationClock evaluate(const Incident& incident, const EscalationMatrix& matrix, qint64 nowMs,
        const EscalationHistory& history = {}, const UpdateCadence& cadence = UpdateCadence::defaults());

    Severity severity = Severity::P3;
    bool known = false; // the matrix has a row for the severity
    bool finished = false; // the incident is resolved: no more clocks
    QStringList responsibleNow; // roles: { "On-call engineer" }, then the escalated roles as well
    std::optional<qint64> escalationDueMs; // when the escalation falls due (wall ms); none when it never does
    QStringList escalateTo; // whom it escalates to
    qint64 escalationCountdownMs = 0; // until due; 0 once due
    bool escalationDue = false; // due time reached
    bool escalated = false; // every role of escalateTo has been escalated to
    std::optional<qint64> nextUpdateDueMs;
    qint64 updateCountdownMs = 0;
    bool updateOverdue = false; // the next update is due now or late

    // "Escalate to Engineering lead + CTO in 4m 10s", "Escalation due: Engineering lead + CTO", "No escalation (P3)".
    QString escalationText() const;
    QString updateText() const; // "Next update in 12m 00s", "Status update overdue by 1m 05s"
};

Q_DECLARE_METATYPE(EscalationClock)
