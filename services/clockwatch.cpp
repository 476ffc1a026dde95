// SPDX-License-Identifier: MIT
#include "services/clockwatch.h"

#include "services/storeclient.h"

#include <algorithm>

using namespace Qt::StringLiterals;

ClockWatch::ClockWatch(StoreClient* store, QObject* parent)
    : ClockWatch(store, MonotonicWallClock(), parent)
{
}

ClockWatch::ClockWatch(StoreClient* store, const MonotonicWallClock& clock, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_clock(clock)
    , m_guard(&m_clock)
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &ClockWatch::check);
    m_timer.start();
    if (!m_store)
        return;
    connect(m_store, &StoreClient::incidentsLoaded, this, [this](quint64, const QList<Incident>& incidents) {
        for (const Incident& incident : incidents)
            observe(incident);
    });
    connect(m_store, &StoreClient::incidentChanged, this, &ClockWatch::observe);
    const auto observeEvents = [this](const QList<TimelineEvent>& events) {
        for (const TimelineEvent& event : events)
            m_guard.observe(event.timeMs);
    };
    connect(m_store, &StoreClient::eventsAppended, this, observeEvents);
    connect(m_store, &StoreClient::eventsLoaded, this,
        [observeEvents](quint64, qint64, const QList<TimelineEvent>& events) { observeEvents(events); });
}

void ClockWatch::observe(const Incident& incident)
{
    if (incident.isOpen())
        m_open.insert(incident.id);
    else
        m_open.remove(incident.id);
    m_guard.observe(incident.startedMs);
    m_guard.observe(incident.stepEnteredMs);
    if (incident.acknowledgedMs)
        m_guard.observe(*incident.acknowledgedMs);
    if (incident.resolvedMs)
        m_guard.observe(*incident.resolvedMs);
}

void ClockWatch::check()
{
    const std::optional<ClockJump> jump = m_guard.check();
    if (!jump)
        return;
    m_jumps.append(*jump);
    if (m_store) {
        const QJsonObject detail { { u"direction"_s, jump->back() ? u"back"_s : u"forward"_s },
            { u"deltaMs"_s, jump->deltaMs },
            { u"source"_s, jump->source == ClockJump::Source::Recorded ? u"recorded"_s : u"running"_s },
            { u"wallMs"_s, jump->wallMs }, { u"shownMs"_s, jump->shownMs } };
        QList<qint64> open(m_open.cbegin(), m_open.cend());
        std::sort(open.begin(), open.end());
        for (const qint64 id : std::as_const(open))
            m_store->appendEvent(id, QString::fromUtf16(ClockEvent::Jumped), jump->timelineSummary(), detail);
    }
    Q_EMIT jumped(*jump);
}

#include "moc_clockwatch.cpp"
