// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookalert.h"
#include "models/severity.h"

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

// A rule watched on the dashboards: the runbook's "**Alert**" expression (or one the user adds in the same form
// in metrics.yaml), the severity of the incident it opens, the runbook it opens, and how long the condition must
// hold before it fires. A plain value.
struct AlertRule {
    RunbookAlert condition; // metric, op, threshold, unit
    Severity severity = Severity::P2;
    QString runbookTitle; // "High Error Rate (500s)"; empty for a rule without a runbook
    qint64 forMs = 60000; // the condition must hold this long (from the first sample that fires)
    qint64 clearForMs = 0; // a firing rule resolves once no sample has fired for this long (0: at once)
    QString origin; // "runbook", "config" or "source" (a source-down rule)
    QString source; // a source-down rule: the source ("postgres"); its samples are 1 (failed) or 0 (answered)
    QStringList blinds; // a source-down rule: the rules watching that source's metrics

    QString id() const { return condition.raw; } // "error_rate > 5%"
    QString metric() const { return condition.metric; }
};

// The state of one rule, driven by samples and the time they are evaluated at (a manual MonotonicWallClock in
// tests). Inactive → Pending when a sample fires; Pending → Firing once it has held forMs; Pending → Inactive
// when a sample no longer fires. Firing → Resolved only when the samples have stayed clear for clearForMs
// (hysteresis: a firing sample meanwhile keeps it firing, no transition); Resolved → Pending when one fires
// again. A missing sample (stale source) changes nothing: a silent source neither fires nor resolves an alert
// (its source-down rule says it is silent).
class AlertState {
public:
    enum class State { Inactive, Pending, Firing, Resolved };
    struct Transition {
        State from = State::Inactive;
        State to = State::Inactive;
        double value = 0;
        qint64 atMs = 0;
    };

    explicit AlertState(AlertRule rule = {});
    const AlertRule& rule() const { return m_rule; }
    State state() const { return m_state; }
    qint64 sinceMs() const { return m_sinceMs; } // when the current state began
    std::optional<double> lastValue() const { return m_lastValue; }
    // Firing, with clear samples since then (resolves at clearSinceMs + clearForMs); 0 otherwise.
    qint64 clearSinceMs() const { return m_clearSinceMs.value_or(0); }

    // Evaluates a sample (nullopt: no data) at nowMs; returns the change, if any.
    std::optional<Transition> update(std::optional<double> value, qint64 nowMs);

    static QString stateName(State state); // "inactive", "pending", "firing", "resolved"

private:
    AlertRule m_rule;
    State m_state = State::Inactive;
    qint64 m_sinceMs = 0;
    qint64 m_conditionSinceMs = 0;
    std::optional<qint64> m_clearSinceMs;
    std::optional<double> m_lastValue;
};

// How alert values read, everywhere they are shown: "1595", "9.25", "1" and their unit without a trailing space.
namespace AlertText {
QString value(double v); // 3 significant digits, no decimals from 1000 on
QString withUnit(const QString& value, const QString& unit); // "9.25 %", "1" (no unit)
QString threshold(const RunbookAlert& condition); // "> 5 %", "< 2"
} // namespace AlertText

Q_DECLARE_METATYPE(AlertRule)
Q_DECLARE_METATYPE(AlertState::Transition)
