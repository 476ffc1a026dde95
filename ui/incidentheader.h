// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"

#include <QWidget>

#include <optional>

class ElidedLabel;
class MonotonicWallClock;
class FlowStrip;
class QLabel;
class QHBoxLayout;
class QTimer;
class QToolButton;

// The active incident at a glance: severity, title, status, environment, elapsed time, the response flow with
// the current step and its clock, the response-time clock; what is overdue is marked. Ticks once a second while
// visible. Actions (acknowledge, next step, resolve) are the main window's, shown here as buttons.
class IncidentHeader : public QWidget {
    Q_OBJECT
public:
    explicit IncidentHeader(const MonotonicWallClock* clock, QWidget* parent = nullptr);

    void setIncident(const std::optional<Incident>& incident);
    std::optional<Incident> incident() const { return m_incident; }
    void addActionButton(QAction* action);

    // What the clocks read now (also shown on screen); for tests and the window title.
    QString stepClockText() const;
    QString responseClockText() const;
    QString elapsedText() const;

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void refreshClocks();

    const MonotonicWallClock* m_clock;
    std::optional<Incident> m_incident;
    QLabel* m_severity;
    ElidedLabel* m_title; // elided: a long title never widens the window
    QLabel* m_status;
    QLabel* m_environment;
    QLabel* m_elapsed;
    FlowStrip* m_flow;
    QLabel* m_stepClock;
    QLabel* m_responseClock;
    QHBoxLayout* m_buttons;
    QTimer* m_tick;
};
