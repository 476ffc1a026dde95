// SPDX-License-Identifier: MIT
#include "services/storeworker.h"

#include <QCoreApplication>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
QString tr(const char* text) { return QCoreApplication::translate("StoreClient", text); }

constexpr int PollBatch = 1000;
} // namespace

StoreWorker::StoreWorker(QString path, QObject* parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_actor(IncidentStore::currentOperator())
{
}

StoreWorker::~StoreWorker() = default;

void StoreWorker::open()
{
    if (m_pollTimer)
        m_pollTimer->stop();
    m_store = std::make_unique<IncidentStore>(m_path);
    if (!m_store->open()) {
        Q_EMIT openFailed(m_store->lastError());
        return;
    }
    m_lastSeenSeq = m_store->maxSeq();
    m_ownSeqs.clear();
    if (!m_pollTimer) {
        m_pollTimer = new QTimer(this);
        connect(m_pollTimer, &QTimer::timeout, this, &StoreWorker::poll);
    }
    m_pollTimer->start(m_pollIntervalMs);
    Q_EMIT opened(m_store->schemaVersion());
}

void StoreWorker::setPollInterval(int ms)
{
    m_pollIntervalMs = std::max(10, ms);
    if (m_pollTimer && m_pollTimer->isActive())
        m_pollTimer->setInterval(m_pollIntervalMs);
}

void StoreWorker::shutdown()
{
    delete m_pollTimer;
    m_pollTimer = nullptr;
    m_store.reset();
}

void StoreWorker::publish(const QString& what, const StoreChange& change)
{
    if (!change.ok) {
        Q_EMIT writeFailed(what, change.error);
        return;
    }
    for (const TimelineEvent& e : change.events) {
        if (e.seq > m_lastSeenSeq)
            m_ownSeqs.insert(e.seq);
    }
    Q_EMIT incidentChanged(change.incident);
    Q_EMIT eventsAppended(change.events);
}

namespace {
StoreChange notOpen(const QString& path)
{
    StoreChange change;
    change.error.code = StoreError::Code::Io;
    change.error.message = tr("The incident store %1 is not open.").arg(path);
    return change;
}
} // namespace

template <typename Call> void StoreWorker::write(const QString& what, const Call& call)
{
    publish(what, m_store ? call(*m_store) : notOpen(m_path));
}

void StoreWorker::createIncident(const IncidentDraft& draft)
{
    write(tr("Open incident “%1”").arg(draft.title.trimmed()),
        [&](IncidentStore& store) { return store.createIncident(draft, m_actor, m_clock.nowMs()); });
}

void StoreWorker::acknowledge(qint64 incidentId)
{
    write(tr("Acknowledge incident %1").arg(incidentId),
        [&](IncidentStore& store) { return store.acknowledge(incidentId, m_actor, m_clock.nowMs()); });
}

void StoreWorker::changeSeverity(qint64 incidentId, Severity severity, const QString& reason)
{
    write(tr("Change the severity of incident %1").arg(incidentId), [&](IncidentStore& store) {
        return store.changeSeverity(incidentId, severity, reason, m_actor, m_clock.nowMs());
    });
}

void StoreWorker::enterFlowStep(qint64 incidentId, int step)
{
    write(tr("Move incident %1 to another step").arg(incidentId),
        [&](IncidentStore& store) { return store.enterFlowStep(incidentId, step, m_actor, m_clock.nowMs()); });
}

void StoreWorker::changeStatus(qint64 incidentId, IncidentStatus status)
{
    write(tr("Change the status of incident %1").arg(incidentId),
        [&](IncidentStore& store) { return store.changeStatus(incidentId, status, m_actor, m_clock.nowMs()); });
}

void StoreWorker::resolve(qint64 incidentId, const QString& summary)
{
    write(tr("Resolve incident %1").arg(incidentId),
        [&](IncidentStore& store) { return store.resolve(incidentId, summary, m_actor, m_clock.nowMs()); });
}

void StoreWorker::addNote(qint64 incidentId, const QString& text)
{
    write(tr("Add note to incident %1").arg(incidentId),
        [&](IncidentStore& store) { return store.addNote(incidentId, text, m_actor, m_clock.nowMs()); });
}

void StoreWorker::appendEvent(qint64 incidentId, const QString& kind, const QString& summary, const QJsonObject& detail)
{
    write(tr("Add event to incident %1").arg(incidentId), [&](IncidentStore& store) {
        return store.appendEvent(incidentId, kind, summary, detail, m_actor, m_clock.nowMs());
    });
}

void StoreWorker::loadIncidents(quint64 requestId, IncidentStore::Filter filter)
{
    if (m_closing || !m_store)
        return;
    Q_EMIT incidentsLoaded(requestId, m_store->incidents(filter));
}

void StoreWorker::loadEvents(quint64 requestId, qint64 incidentId, qint64 afterSeq, int limit)
{
    if (m_closing || !m_store)
        return;
    Q_EMIT eventsLoaded(requestId, incidentId, m_store->events(incidentId, afterSeq, limit));
}

void StoreWorker::loadEventCount(quint64 requestId, qint64 incidentId)
{
    if (m_closing || !m_store)
        return;
    Q_EMIT eventCountLoaded(requestId, incidentId, m_store->eventCount(incidentId));
}

void StoreWorker::savePostmortem(const PostmortemRecord& record)
{
    if (!m_store)
        return;
    PostmortemRecord saved = record;
    saved.updatedMs = m_clock.nowMs();
    if (m_store->savePostmortem(saved))
        Q_EMIT postmortemSaved(saved);
    else
        Q_EMIT writeFailed(tr("Save the post-mortem of incident %1").arg(record.incidentId), m_store->lastError());
}

void StoreWorker::loadPostmortem(quint64 requestId, qint64 incidentId)
{
    if (m_closing || !m_store)
        return;
    const std::optional<PostmortemRecord> record = m_store->postmortem(incidentId);
    Q_EMIT postmortemLoaded(requestId, incidentId, record.value_or(PostmortemRecord {}), record.has_value());
}

void StoreWorker::poll()
{
    if (m_closing || !m_store || !m_store->isOpen())
        return;
    const qint64 newest = m_store->maxSeq();
    if (m_store->lastError().isError() || newest <= m_lastSeenSeq)
        return;
    // Seqs are handed out inside write transactions, which SQLite runs one at a time: an event with a higher seq
    // never becomes visible before a lower one, so "everything above the last seq seen" misses nothing.
    QList<TimelineEvent> foreign;
    QList<qint64> incidentIds;
    for (;;) {
        const QList<TimelineEvent> batch = m_store->eventsSince(m_lastSeenSeq, PollBatch);
        if (batch.isEmpty())
            break;
        for (const TimelineEvent& e : batch) {
            if (m_ownSeqs.remove(e.seq))
                continue;
            foreign.append(e);
            if (!incidentIds.contains(e.incidentId))
                incidentIds.append(e.incidentId);
        }
        m_lastSeenSeq = batch.last().seq;
        if (batch.size() < PollBatch || m_lastSeenSeq >= newest)
            break;
    }
    if (foreign.isEmpty())
        return;
    for (const qint64 id : std::as_const(incidentIds)) {
        if (const std::optional<Incident> incident = m_store->incident(id))
            Q_EMIT incidentChanged(*incident);
    }
    Q_EMIT eventsAppended(foreign);
}
