// SPDX-License-Identifier: MIT
#pragma once

#include "models/severity.h"

#include <QMetaType>
#include <QString>

#include <optional>

// Status as the runbook's communication templates name it.
enum class IncidentStatus { Investigating = 0, Mitigating = 1, Resolved = 2 };

QString incidentStatusName(IncidentStatus status); // "Investigating"
std::optional<IncidentStatus> incidentStatusFromName(QStringView name);

// What the operator types into the new-incident dialog.
struct IncidentDraft {
    QString title;
    Severity severity = Severity::P2;
    QString environment; // "production", "staging", "sandbox"
    QString commander; // who runs the incident; the operator by default
    QString impact; // user-facing description

    // Empty when the draft can be opened; otherwise the reason, for the dialog to show.
    QString validationError() const;
};

// An incident as stored. Times are UTC milliseconds since the epoch.
struct Incident {
    qint64 id = 0;
    QString title;
    Severity severity = Severity::P2;
    IncidentStatus status = IncidentStatus::Investigating;
    QString environment;
    QString commander;
    QString impact;
    qint64 startedMs = 0;
    std::optional<qint64> acknowledgedMs;
    std::optional<qint64> resolvedMs;
    int flowStep = 0; // index into ResponseFlow::steps()
    qint64 stepEnteredMs = 0;
    qint64 lastSeq = 0; // sequence number of the newest event about this incident

    bool isOpen() const { return status != IncidentStatus::Resolved; }
    bool operator==(const Incident&) const = default;
};

Q_DECLARE_METATYPE(Incident)
