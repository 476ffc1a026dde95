// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "models/incidentclock.h"
#include "models/timelineevent.h"

#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

class StoreClient;

namespace ClockEvent {
// detail: direction ("back"/"forward"), deltaMs (signed), source ("recorded"/"running"), wallMs, shownMs
inline constexpr char16_t Jumped[] = u"clock.jumped";
} // namespace ClockEvent

// The console's clock (a MonotonicWallClock) and its guard: every time the store reports (incidents' starts,
// acknowledgements, events) moves it forward when the system clock is behind them, and every second it is
// compared with the system clock (ClockGuard). A jump of more than a minute is written once on the timeline of
// every open incident ("clock.jumped", through StoreClient::appendEvent) and emitted once as jumped().
//
// Lives on the GUI thread; does not own the store client. Create it before the other users of the store's signals,
// so that their slots see the clock already caught up.
class ClockWatch : public QObject {
    Q_OBJECT
public:
    explicit ClockWatch(StoreClient* store, QObject* parent = nullptr);
    // For tests: over a manual clock.
    ClockWatch(StoreClient* store, const MonotonicWallClock& clock, QObject* parent = nullptr);

    const MonotonicWallClock* clock() const { return &m_clock; } // lives as long as this
    qint64 nowMs() const { return m_clock.nowMs(); }
    void setCheckInterval(int ms) { m_timer.setInterval(ms); }
    QList<ClockJump> jumps() const { return m_jumps; } // found so far, oldest first

    void check(); // what the timer runs

Q_SIGNALS:
    void jumped(const ClockJump& jump);

private:
    void observe(const Incident& incident);

    StoreClient* m_store;
    MonotonicWallClock m_clock;
    ClockGuard m_guard;
    QSet<qint64> m_open; // the open incidents the store has reported
    QList<ClockJump> m_jumps;
    QTimer m_timer;
};
