// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookstep.h"

#include <QString>
#include <QStringList>

#include <optional>

// What the operator is asked before a command runs (DESIGN.md decision 4: risk decides the confirmation).
// Built by whoever is about to run something — a runbook step, a DBA action — and shown by the UI's
// ConfirmationDialog. A plain value; no thread affinity.
struct ConfirmationRequest {
    enum class Level {
        None, // reads run on click
        Show, // writes: the exact command and the target environment, Run / Cancel
        TypeName, // destructive: as Show, and the target's name must be typed
    };

    StepRisk risk = StepRisk::Read;
    QString title; // "Terminate 3 sessions", the step's title
    QString environment; // "production", "staging", "sandbox"
    QString command; // exactly what will run: the script, the SQL with $n, or the argv joined for display
    QString commandLanguage; // "sql", "bash": how to show it
    QStringList parameters; // "pid = 12345", one line per bound value, shown under the command
    QStringList effects; // what it will touch: one line each (sessions, the IP list before → after...)
    std::optional<qint64> affectedCount; // rows or sessions it will act on, counted first
    QString target; // the name that must be typed for destructive commands (an instance, a database)
    QStringList extraConfirmations; // each must be ticked ("0.0.0.0/0 matches every address")

    Level level() const;
    bool isProduction() const;
    // The typed text confirms the target: exactly the target's name (case-sensitive, surrounding blanks ignored).
    bool typedNameMatches(const QString& typed) const;
};
