// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookalert.h"
#include "models/severity.h"

#include <QMetaType>
#include <QString>

#include <optional>

// A rule watched on the dashboards: the runbook's "**Alert**" expression (or one the user adds in the same form
// in metrics.yaml), the severity of the incident it opens, the runbook it opens, and how long the condition must
// hold before it fires. A plain value.
struct AlertRule {
    RunbookAlert condition; // metric, op, threshold, unit
    Severity severity = Severity::P2;
    QString runbookTitle; // "High Error Rate (500s)"; empty for a rule without a runbook
    qint64 forMs = 60000; // the condition must hold this long (from the first sample that fires)
    QString origin; // "runbook" or "config"

    QString id() const { return condition.raw; } // "error_rate > 5%"
    QString metric() const { return condition.metric; }
};

// The state of one rule, driven by samples and the time they are evaluated at (a manual MonotonicWallClock in
// tests). Inactive → Pending when a sample fires; Pending → Firing once it has held forMs; Pending → Inactive
// and Firing → Resolved when a sample no longer fires; Resolved → Pending when one fires again. A missing
// sample (stale source) changes nothing: a silent source neither fires nor resolves an alert.
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

    // Evaluates a sample (nullopt: no data) at nowMs; returns the change, if any.
    std::optional<Transition> update(std::optional<double> value, qint64 nowMs);

    static QString stateName(State state); // "inactive", "pending", "firing", "resolved"

private:
    AlertRule m_rule;
    State m_state = State::Inactive;
    qint64 m_sinceMs = 0;
    qint64 m_conditionSinceMs = 0;
    std::optional<double> m_lastValue;
};

Q_DECLARE_METATYPE(AlertRule)
Q_DECLARE_METATYPE(AlertState::Transition)
