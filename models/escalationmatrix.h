// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbooksection.h"
#include "models/severity.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// One row of the runbook's "Escalation Matrix": who answers first, after how long to escalate, and to whom.
struct EscalationLevel {
    Severity severity = Severity::P3;
    QString initialResponse; // "On-call engineer"
    std::optional<qint64> escalateAfterMs; // none for "N/A"
    QString escalateAfterText; // "15 minutes", as written
    QString escalateToText; // "Engineering lead + CTO", as written
    QStringList escalateTo; // { "Engineering lead", "CTO" }

    bool escalates() const { return escalateAfterMs.has_value(); }
};

// The escalation matrix, read from the runbook's table (never hard-coded). Pure data, any thread.
class EscalationMatrix {
public:
    EscalationMatrix() = default;
    explicit EscalationMatrix(QList<EscalationLevel> levels);

    // Reads a table with Severity, Initial Response, Escalate After and Escalate To columns (matched by name,
    // case-insensitively). Rows it cannot read are skipped and described in problems.
    static EscalationMatrix fromTable(const RunbookTable& table, QStringList* problems = nullptr);

    const QList<EscalationLevel>& levels() const { return m_levels; }
    bool isEmpty() const { return m_levels.isEmpty(); }
    std::optional<EscalationLevel> level(Severity severity) const;

private:
    QList<EscalationLevel> m_levels;
};

// "15 minutes", "2 hours", "30 min", "1 h", "90 seconds", "1 day" → milliseconds; none for "N/A" or anything else.
std::optional<qint64> parseDurationText(QStringView text);
// "engineering_lead" and "Engineering lead" → "engineering_lead"; "On-call engineer" → "on_call_engineer".
QString roleKey(QStringView role);
