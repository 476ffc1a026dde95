// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>

#include <chrono>
#include <optional>

// Incident severity, P0 (most severe) to P3, as in the runbook's "Severity Levels" table.
enum class Severity { P0 = 0, P1 = 1, P2 = 2, P3 = 3 };

// One row of the severity table: what the level means and how fast it must be answered.
struct SeverityLevel {
    Severity severity = Severity::P3;
    QString name; // "Critical"
    QString description; // "Complete service outage"
    std::chrono::milliseconds responseTime { 0 };
    QString responseTimeText; // "5 minutes", as the runbook writes it
    QString examples; // "Database down, API returning 500s"

    QString label() const; // "P0 - Critical"
};

// The severity table. defaults() carries the runbook's own table; a runbook library may supply another.
class SeverityTable {
public:
    SeverityTable() = default;
    explicit SeverityTable(QList<SeverityLevel> levels);

    static const SeverityTable& defaults();

    const QList<SeverityLevel>& levels() const { return m_levels; }
    // The level for a severity; a default-constructed level if the table lacks it.
    SeverityLevel level(Severity severity) const;

private:
    QList<SeverityLevel> m_levels;
};

QString severityCode(Severity severity); // "P0"
std::optional<Severity> severityFromCode(QStringView code); // "P0", "p1", "P2 - Medium" → severity
