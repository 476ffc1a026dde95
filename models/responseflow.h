// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

// One step of the incident response flow: "2. Assess (2-5 min)" with its actions.
struct FlowStep {
    QString name; // "Assess"
    QString targetText; // "2-5 min", as the runbook writes it; "varies" when there is no target
    std::optional<std::chrono::milliseconds> target; // upper bound of the target; none for "varies"
    QStringList actions; // "Check dashboards", "Review logs", ...
};

// The six-step response flow of the runbook (Acknowledge, Assess, Communicate, Mitigate, Verify, Document).
class ResponseFlow {
public:
    ResponseFlow() = default;
    explicit ResponseFlow(QList<FlowStep> steps);

    static const ResponseFlow& defaults();

    const QList<FlowStep>& steps() const { return m_steps; }
    int stepCount() const { return int(m_steps.size()); }
    // The step at index, or an empty step when out of range.
    FlowStep step(int index) const;
    // Index of the step named name (case-insensitive), -1 if none.
    int indexOf(QStringView name) const;

private:
    QList<FlowStep> m_steps;
};
