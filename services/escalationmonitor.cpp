// SPDX-License-Identifier: MIT
#include "services/escalationmonitor.h"

#include "models/commandaudit.h"
#include "models/incidentclock.h"
#include "services/storeclient.h"

#include <QJsonArray>

#include <memory>

using namespace Qt::StringLiterals;

EscalationMonitor::EscalationMonitor(StoreClient* store, QObject* parent)
    : QObject(parent)
    , m_store(store)
{
    auto clock = std::make_shared<MonotonicWallClock>();
    m_now = [clock] { return clock->nowMs(); };
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &EscalationMonitor::tick);
    if (!m_store)
        return;
    connect(m_store, &StoreClient::incidentsLoaded, this, [this](quint64 id, const QList<Incident>& incidents) {
        if (id != m_incidentsRequest)
            return;
        for (const Incident& incident : incidents)
            track(incident);
    });
    connect(m_store, &StoreClient::incidentChanged, this, [this](const Incident& incident) {
        if (m_incidentsRequest == 0)
            return; // not started
        track(incident);
        Q_EMIT clocksUpdated();
    });
    connect(m_store, &StoreClient::eventsAppended, this, [this](const QList<TimelineEvent>& events) {
        for (const TimelineEvent& event : events) {
            auto it = m_tracked.find(event.incidentId);
            if (it != m_tracked.end())
                apply(*it, event);
        }
        Q_EMIT clocksUpdated();
    });
    connect(m_store, &StoreClient::eventsLoaded, this,
        [this](quint64 id, qint64 incidentId, const QList<TimelineEvent>& events) {
            auto it = m_tracked.find(incidentId);
            if (it == m_tracked.end() || it->eventsRequest != id)
                return;
            for (const TimelineEvent& event : events)
                apply(*it, event);
            it->loaded = true;
            tick();
        });
}

void EscalationMonitor::setMatrix(const EscalationMatrix& matrix)
{
    m_matrix = matrix;
    Q_EMIT clocksUpdated();
}

void EscalationMonitor::setCadence(const UpdateCadence& cadence)
{
    m_cadence = cadence;
    Q_EMIT clocksUpdated();
}

void EscalationMonitor::start()
{
    if (m_store)
        m_incidentsRequest = m_store->requestIncidents(IncidentStore::Filter::Open);
    m_timer.start();
}

void EscalationMonitor::track(const Incident& incident)
{
    if (!incident.isOpen()) {
        m_tracked.remove(incident.id);
        return;
    }
    auto it = m_tracked.find(incident.id);
    if (it != m_tracked.end()) {
        it->incident = incident;
        return;
    }
    Tracked tracked;
    tracked.incident = incident;
    tracked.eventsRequest = m_store->requestEvents(incident.id, 0, 1'000'000);
    m_tracked.insert(incident.id, tracked);
}

void EscalationMonitor::apply(Tracked& tracked, const TimelineEvent& event)
{
    if (tracked.seenSeqs.contains(event.seq))
        return;
    tracked.seenSeqs.insert(event.seq);
    EscalationHistory& h = tracked.history;
    if (event.kind == EscalationEvent::Escalated) {
        for (const QJsonValue& role : event.detail.value(u"roles"_s).toArray()) {
            if (!h.escalatedTo.contains(role.toString()))
                h.escalatedTo.append(role.toString());
        }
    } else if (event.kind == EscalationEvent::Due) {
        if (const std::optional<Severity> s = severityFromCode(event.detail.value(u"severity"_s).toString());
            s && !h.dueRecorded(*s))
            h.dueRecordedFor.append(int(*s));
    } else if (event.kind == EscalationEvent::MessageSent) {
        h.lastUpdateMs = std::max(h.lastUpdateMs.value_or(0), event.timeMs);
        h.progress.clear(); // told: the next message's progress starts here
    } else if (event.kind == EventKind::Note || event.kind == AuditKind::Finished
        || event.kind == EventKind::Acknowledged || event.kind == EventKind::StatusChanged) {
        h.progress.append(event.summary);
    }
}

void EscalationMonitor::tick()
{
    const qint64 now = m_now();
    for (auto it = m_tracked.begin(); it != m_tracked.end(); ++it) {
        Tracked& t = *it;
        if (!t.loaded)
            continue;
        const EscalationClock c = EscalationClock::evaluate(t.incident, m_matrix, now, t.history, m_cadence);
        if (c.escalationDue && !c.escalated && !t.history.dueRecorded(c.severity)) {
            t.history.dueRecordedFor.append(int(c.severity)); // at once, so the next tick does not repeat it
            QStringList whom;
            for (const QString& role : c.escalateTo)
                whom.append(m_contacts.describeRole(role));
            QJsonObject detail { { u"severity"_s, severityCode(c.severity) }, { u"dueMs"_s, *c.escalationDueMs },
                { u"escalateTo"_s, QJsonArray::fromStringList(c.escalateTo) } };
            m_store->appendEvent(t.incident.id, QString::fromUtf16(EscalationEvent::Due),
                u"Escalation due (%1, %2 since start): %3"_s.arg(severityCode(c.severity),
                    formatDuration(*c.escalationDueMs - t.incident.startedMs), whom.join(u" + "_s)),
                detail);
            Q_EMIT escalationDue(t.incident, c);
        }
        if (c.updateOverdue && t.remindedUpdateAt != c.nextUpdateDueMs) {
            t.remindedUpdateAt = c.nextUpdateDueMs;
            Q_EMIT updateDue(t.incident, c);
        }
    }
    Q_EMIT clocksUpdated();
}

bool EscalationMonitor::isTracking(qint64 incidentId) const
{
    const auto it = m_tracked.constFind(incidentId);
    return it != m_tracked.cend() && it->loaded;
}

std::optional<Incident> EscalationMonitor::incident(qint64 incidentId) const
{
    const auto it = m_tracked.constFind(incidentId);
    if (it == m_tracked.cend())
        return std::nullopt;
    return it->incident;
}

EscalationClock EscalationMonitor::clock(qint64 incidentId) const
{
    const auto it = m_tracked.constFind(incidentId);
    if (it == m_tracked.cend())
        return {};
    return EscalationClock::evaluate(it->incident, m_matrix, m_now(), it->history, m_cadence);
}

EscalationHistory EscalationMonitor::history(qint64 incidentId) const { return m_tracked.value(incidentId).history; }

void EscalationMonitor::recordEscalation(qint64 incidentId, const QStringList& roles)
{
    QStringList whom;
    for (const QString& role : roles)
        whom.append(m_contacts.describeRole(role));
    m_store->appendEvent(incidentId, QString::fromUtf16(EscalationEvent::Escalated),
        u"Escalated to %1"_s.arg(whom.join(u" + "_s)), { { u"roles"_s, QJsonArray::fromStringList(roles) } });
}

void EscalationMonitor::recordContact(
    qint64 incidentId, const Contact& contact, const QString& channel, const QString& summary)
{
    m_store->appendEvent(incidentId, QString::fromUtf16(EscalationEvent::ContactMade), summary,
        { { u"role"_s, contact.role }, { u"name"_s, contact.name }, { u"channel"_s, channel } });
}

void EscalationMonitor::recordMessage(
    qint64 incidentId, const QString& templateName, const QString& channel, const QString& text)
{
    const QString where = channel == u"slack" ? u"posted to Slack"_s : u"copied for sending"_s;
    m_store->appendEvent(incidentId, QString::fromUtf16(EscalationEvent::MessageSent),
        u"Status message \u201C%1\u201D %2"_s.arg(templateName, where),
        { { u"template"_s, templateName }, { u"channel"_s, channel }, { u"text"_s, text } });
}

void EscalationMonitor::recordSending(qint64 incidentId, const QString& templateName, const QString& channel,
    const QString& text, QObject* context, std::function<void(bool, const QString&)> answer)
{
    const QString where = channel == u"slack" ? u"to Slack"_s : channel;
    m_store->appendEvent(incidentId, QString::fromUtf16(EscalationEvent::MessageSending),
        u"Posting status message \u201C%1\u201D %2"_s.arg(templateName, where),
        { { u"template"_s, templateName }, { u"channel"_s, channel }, { u"text"_s, text } }, context, std::move(answer),
        /*quiet=*/true);
}

#include "moc_escalationmonitor.cpp"
