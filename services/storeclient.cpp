// SPDX-License-Identifier: MIT
#include "services/storeclient.h"

#include "services/storeworker.h"

#include <QMetaObject>

namespace {
void registerStoreTypes()
{
    static const bool registered = [] {
        qRegisterMetaType<Incident>();
        qRegisterMetaType<TimelineEvent>();
        qRegisterMetaType<QList<Incident>>();
        qRegisterMetaType<QList<TimelineEvent>>();
        qRegisterMetaType<StoreError>();
        qRegisterMetaType<IncidentStore::Filter>();
        qRegisterMetaType<PostmortemRecord>();
        return true;
    }();
    Q_UNUSED(registered);
}
} // namespace

StoreClient::StoreClient(QString path, QObject* parent)
    : QObject(parent)
    , m_path(std::move(path))
{
    registerStoreTypes();
    m_thread.setObjectName(QStringLiteral("petforce-store"));
    m_worker = new StoreWorker(m_path);
    m_worker->moveToThread(&m_thread);
    connect(m_worker, &StoreWorker::opened, this, &StoreClient::opened);
    connect(m_worker, &StoreWorker::openFailed, this, &StoreClient::openFailed);
    connect(m_worker, &StoreWorker::checkProgress, this, &StoreClient::checkProgress);
    connect(m_worker, &StoreWorker::checkPassed, this, &StoreClient::checkPassed);
    connect(m_worker, &StoreWorker::damaged, this, &StoreClient::damaged);
    connect(m_worker, &StoreWorker::movedAside, this, &StoreClient::movedAside);
    connect(m_worker, &StoreWorker::moveAsideFailed, this, &StoreClient::moveAsideFailed);
    connect(m_worker, &StoreWorker::incidentChanged, this, &StoreClient::incidentChanged);
    connect(m_worker, &StoreWorker::eventsAppended, this, &StoreClient::eventsAppended);
    connect(m_worker, &StoreWorker::writeFailed, this, &StoreClient::writeFailed);
    connect(m_worker, &StoreWorker::eventRecorded, this, [this](quint64 id, const TimelineEvent& event) {
        Q_EMIT eventRecorded(id, event);
        answer(id, true, {});
    });
    connect(m_worker, &StoreWorker::appendFailed, this, [this](quint64 id, const StoreError& error) {
        Q_EMIT appendFailed(id, error);
        answer(id, false, error.message);
    });
    connect(m_worker, &StoreWorker::incidentsLoaded, this, &StoreClient::incidentsLoaded);
    connect(m_worker, &StoreWorker::eventsLoaded, this, &StoreClient::eventsLoaded);
    connect(m_worker, &StoreWorker::eventCountLoaded, this, &StoreClient::eventCountLoaded);
    connect(m_worker, &StoreWorker::postmortemSaved, this, &StoreClient::postmortemSaved);
    connect(m_worker, &StoreWorker::postmortemLoaded, this, &StoreClient::postmortemLoaded);
    m_thread.start();
}

StoreClient::~StoreClient()
{
    // Everything posted before runs first (writes are kept, reads skipped), then the store closes and the thread
    // ends. This waits for the writes still queued: a few milliseconds each.
    m_worker->setClosing();
    StoreWorker* worker = m_worker;
    QMetaObject::invokeMethod(
        m_worker,
        [worker] {
            worker->shutdown();
            worker->thread()->quit();
        },
        Qt::QueuedConnection);
    m_thread.wait();
    delete m_worker;
    m_worker = nullptr;
}

void StoreClient::setPollInterval(int ms)
{
    post([ms](StoreWorker* w) { w->setPollInterval(ms); });
}

void StoreClient::open()
{
    post([](StoreWorker* w) { w->open(); });
}

void StoreClient::moveAside()
{
    post([](StoreWorker* w) { w->moveAside(); });
}

void StoreClient::createIncident(const IncidentDraft& draft)
{
    post([draft](StoreWorker* w) { w->createIncident(draft); });
}

void StoreClient::acknowledge(qint64 incidentId)
{
    post([incidentId](StoreWorker* w) { w->acknowledge(incidentId); });
}

void StoreClient::changeSeverity(qint64 incidentId, Severity severity, const QString& reason)
{
    post([incidentId, severity, reason](StoreWorker* w) { w->changeSeverity(incidentId, severity, reason); });
}

void StoreClient::enterFlowStep(qint64 incidentId, int step)
{
    post([incidentId, step](StoreWorker* w) { w->enterFlowStep(incidentId, step); });
}

void StoreClient::changeStatus(qint64 incidentId, IncidentStatus status)
{
    post([incidentId, status](StoreWorker* w) { w->changeStatus(incidentId, status); });
}

void StoreClient::resolve(qint64 incidentId, const QString& summary)
{
    post([incidentId, summary](StoreWorker* w) { w->resolve(incidentId, summary); });
}

void StoreClient::addNote(qint64 incidentId, const QString& text)
{
    post([incidentId, text](StoreWorker* w) { w->addNote(incidentId, text); });
}

quint64 StoreClient::appendEvent(
    qint64 incidentId, const QString& kind, const QString& summary, const QJsonObject& detail, bool quiet)
{
    const quint64 id = m_nextRequest++;
    post([id, incidentId, kind, summary, detail, quiet](
             StoreWorker* w) { w->appendEvent(id, incidentId, kind, summary, detail, quiet); });
    return id;
}

quint64 StoreClient::appendEvent(qint64 incidentId, const QString& kind, const QString& summary,
    const QJsonObject& detail, QObject* context, Answer answer, bool quiet)
{
    const quint64 id = appendEvent(incidentId, kind, summary, detail, quiet);
    if (answer)
        m_waiting.insert(id, Waiting { context, context != nullptr, std::move(answer) });
    return id;
}

void StoreClient::answer(quint64 requestId, bool recorded, const QString& why)
{
    const auto it = m_waiting.constFind(requestId);
    if (it == m_waiting.cend())
        return;
    const Waiting w = *it;
    m_waiting.erase(it);
    if (!w.hasContext || w.context)
        w.answer(recorded, why);
}

quint64 StoreClient::requestIncidents(IncidentStore::Filter filter)
{
    const quint64 id = m_nextRequest++;
    post([id, filter](StoreWorker* w) { w->loadIncidents(id, filter); });
    return id;
}

quint64 StoreClient::requestEvents(qint64 incidentId, qint64 afterSeq, int limit)
{
    const quint64 id = m_nextRequest++;
    post([id, incidentId, afterSeq, limit](StoreWorker* w) { w->loadEvents(id, incidentId, afterSeq, limit); });
    return id;
}

quint64 StoreClient::requestEventCount(qint64 incidentId)
{
    const quint64 id = m_nextRequest++;
    post([id, incidentId](StoreWorker* w) { w->loadEventCount(id, incidentId); });
    return id;
}

void StoreClient::savePostmortem(const PostmortemRecord& record)
{
    post([record](StoreWorker* w) { w->savePostmortem(record); });
}

quint64 StoreClient::requestPostmortem(qint64 incidentId)
{
    const quint64 id = m_nextRequest++;
    post([id, incidentId](StoreWorker* w) { w->loadPostmortem(id, incidentId); });
    return id;
}

template <typename Work> void StoreClient::post(Work&& work)
{
    // Queued: runs on the worker thread, after everything posted before, while this thread goes on.
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, work = std::forward<Work>(work)] { work(w); }, Qt::QueuedConnection);
}
