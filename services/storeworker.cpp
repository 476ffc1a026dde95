// SPDX-License-Identifier: MIT
#include "services/storeworker.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThread>
#include <QTimer>

#include <algorithm>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
QString tr(const char* text) { return QCoreApplication::translate("StoreClient", text); }

constexpr int PollBatch = 1000;
constexpr int ProgressIntervalMs = 250;

// Bytes the thread tid has read so far (Linux: rchar of /proc/self/task/<tid>/io), or -1.
qint64 bytesReadBy(int tid)
{
    QFile io(u"/proc/self/task/%1/io"_s.arg(tid));
    if (tid <= 0 || !io.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : io.readAll().split('\n')) {
        if (line.startsWith("rchar:"))
            return line.mid(6).trimmed().toLongLong();
    }
    return -1;
}
} // namespace

StoreWorker::StoreWorker(QString path, QObject* parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_actor(IncidentStore::currentOperator())
{
}

StoreWorker::~StoreWorker() { stopCheck(); }

void StoreWorker::open()
{
    if (m_pollTimer)
        m_pollTimer->stop();
    stopCheck();
    m_damageReported = false;
    m_store = std::make_unique<IncidentStore>(m_path);
    if (!m_store->open(IncidentStore::Check::Deferred)) {
        Q_EMIT openFailed(m_store->lastError());
        runWaiting();
        return;
    }
    m_lastSeenSeq = m_store->maxSeq();
    m_ownSeqs.clear();
    // The newest event's time: this console's clock never writes earlier (a system clock behind the store's).
    if (m_lastSeenSeq > 0) {
        if (const QList<TimelineEvent> newest = m_store->eventsSince(m_lastSeenSeq - 1, 1); !newest.isEmpty())
            m_clock.catchUp(newest.first().timeMs);
    }
    if (!m_pollTimer) {
        m_pollTimer = new QTimer(this);
        connect(m_pollTimer, &QTimer::timeout, this, &StoreWorker::poll);
    }
    m_pollTimer->start(m_pollIntervalMs);
    Q_EMIT opened(m_store->schemaVersion());
    if (m_store->isChecking())
        startCheck();
    else
        runWaiting();
}

void StoreWorker::startCheck()
{
    const quint64 generation = ++m_checkGeneration;
    const QString path = m_path;
    m_checkBytes = QFileInfo(path).size() + QFileInfo(path + u"-wal"_s).size();
    auto tid = std::make_shared<std::atomic<int>>(0);
    m_checkerTid = tid;
    auto error = std::make_shared<StoreError>();
    auto elapsed = std::make_shared<qint64>(0);
    // Its own read-only connection on its own thread, so that reads here go on meanwhile.
    m_checker = QThread::create([path, tid, error, elapsed] {
        *tid = int(::gettid());
        QElapsedTimer timer;
        timer.start();
        *error = IncidentStore::checkFile(path);
        *elapsed = timer.elapsed();
    });
    m_checker->setObjectName(u"petforce-store-check"_s);
    m_finishCheck = [this, generation, error, elapsed] { finishCheck(generation, *error, *elapsed); };
    connect(m_checker, &QThread::finished, this, m_finishCheck);
    if (!m_progressTimer) {
        m_progressTimer = new QTimer(this);
        connect(m_progressTimer, &QTimer::timeout, this, &StoreWorker::reportCheckProgress);
    }
    m_progressTimer->start(ProgressIntervalMs);
    Q_EMIT checkProgress(0);
    m_checker->start();
}

void StoreWorker::reportCheckProgress()
{
    if (!m_checkerTid || m_checkBytes <= 0)
        return;
    const qint64 read = bytesReadBy(*m_checkerTid);
    Q_EMIT checkProgress(read < 0 ? -1 : int(std::min<qint64>(99, read * 100 / m_checkBytes)));
}

void StoreWorker::stopCheck()
{
    ++m_checkGeneration; // a result still to come is dropped
    if (m_progressTimer)
        m_progressTimer->stop();
    if (m_checker) {
        m_checker->wait(); // quick_check cannot be interrupted through Qt Sql
        delete m_checker;
        m_checker = nullptr;
    }
    m_checkerTid.reset();
}

void StoreWorker::finishCheck(quint64 generation, const StoreError& error, qint64 elapsedMs)
{
    if (generation != m_checkGeneration || !m_store)
        return;
    stopCheck();
    if (error.code == StoreError::Code::Corrupt) {
        m_store->markDamaged(error);
        noticeDamage();
    } else if (error.isError()) {
        Q_EMIT openFailed(error); // not damage (busy, unreadable): it stays read-only, writes are refused
    } else if (!m_store->confirmChecked()) {
        Q_EMIT openFailed(m_store->lastError());
    } else {
        m_lastSeenSeq = std::max(m_lastSeenSeq, m_store->maxSeq());
        Q_EMIT checkPassed(elapsedMs);
    }
    runWaiting();
}

void StoreWorker::runWaiting()
{
    const QList<std::function<void()>> waiting = std::exchange(m_waiting, {});
    for (const std::function<void()>& work : waiting)
        work();
}

void StoreWorker::noticeDamage()
{
    if (!m_store || m_damageReported || !m_store->isDamaged())
        return;
    m_damageReported = true;
    stopCheck();
    m_store->markDamaged(m_store->damageError());
    Q_EMIT damaged(m_store->damageError());
    runWaiting(); // refused now, with the reason
}

void StoreWorker::moveAside()
{
    if (m_pollTimer)
        m_pollTimer->stop();
    stopCheck();
    m_store.reset(); // closes without checkpointing a damaged file
    QString why;
    const QString moved = IncidentStore::moveAside(m_path, &why);
    if (moved.isEmpty()) {
        Q_EMIT moveAsideFailed(why);
        return;
    }
    Q_EMIT movedAside(moved);
    open();
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
    if (m_checker) {
        // Changes typed while the check runs are written once it has passed, also at quit: wait for it.
        m_checker->wait();
        if (const std::function<void()> finish = std::exchange(m_finishCheck, {}))
            finish();
    }
    stopCheck();
    runWaiting(); // refused now only if the check failed
    m_store.reset();
}

void StoreWorker::publish(const QString& what, const StoreChange& change, bool quiet)
{
    if (!change.ok) {
        if (!quiet)
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

void StoreWorker::write(const QString& what, Write call, quint64 requestId, bool quiet)
{
    m_clock.sync(); // a system clock that moved forward is followed, one that moved back is not
    const qint64 nowMs = m_clock.nowMs();
    if (m_checker) {
        m_waiting.append([this, what, call, nowMs, requestId, quiet] { write(what, call, nowMs, requestId, quiet); });
        return;
    }
    write(what, call, nowMs, requestId, quiet);
}

void StoreWorker::write(const QString& what, const Write& call, qint64 nowMs, quint64 requestId, bool quiet)
{
    const StoreChange change = m_store ? call(*m_store, nowMs) : notOpen(m_path);
    publish(what, change, quiet);
    if (requestId > 0) {
        if (change.ok)
            Q_EMIT eventRecorded(requestId, change.events.value(0));
        else
            Q_EMIT appendFailed(requestId, change.error);
    }
    noticeDamage();
}

void StoreWorker::createIncident(const IncidentDraft& draft)
{
    write(tr("Open incident “%1”").arg(draft.title.trimmed()),
        [=, this](IncidentStore& store, qint64 now) { return store.createIncident(draft, m_actor, now); });
}

void StoreWorker::acknowledge(qint64 incidentId)
{
    write(tr("Acknowledge incident %1").arg(incidentId),
        [=, this](IncidentStore& store, qint64 now) { return store.acknowledge(incidentId, m_actor, now); });
}

void StoreWorker::changeSeverity(qint64 incidentId, Severity severity, const QString& reason)
{
    write(tr("Change the severity of incident %1").arg(incidentId), [=, this](IncidentStore& store, qint64 now) {
        return store.changeSeverity(incidentId, severity, reason, m_actor, now);
    });
}

void StoreWorker::enterFlowStep(qint64 incidentId, int step)
{
    write(tr("Move incident %1 to another step").arg(incidentId),
        [=, this](IncidentStore& store, qint64 now) { return store.enterFlowStep(incidentId, step, m_actor, now); });
}

void StoreWorker::changeStatus(qint64 incidentId, IncidentStatus status)
{
    write(tr("Change the status of incident %1").arg(incidentId),
        [=, this](IncidentStore& store, qint64 now) { return store.changeStatus(incidentId, status, m_actor, now); });
}

void StoreWorker::resolve(qint64 incidentId, const QString& summary)
{
    write(tr("Resolve incident %1").arg(incidentId),
        [=, this](IncidentStore& store, qint64 now) { return store.resolve(incidentId, summary, m_actor, now); });
}

void StoreWorker::addNote(qint64 incidentId, const QString& text)
{
    write(tr("Add note to incident %1").arg(incidentId),
        [=, this](IncidentStore& store, qint64 now) { return store.addNote(incidentId, text, m_actor, now); });
}

void StoreWorker::appendEvent(quint64 requestId, qint64 incidentId, const QString& kind, const QString& summary,
    const QJsonObject& detail, bool quiet)
{
    write(
        tr("Add event to incident %1").arg(incidentId),
        [=, this](IncidentStore& store, qint64 now) {
            return store.appendEvent(incidentId, kind, summary, detail, m_actor, now);
        },
        requestId, quiet);
}

void StoreWorker::loadIncidents(quint64 requestId, IncidentStore::Filter filter)
{
    if (m_closing || !m_store)
        return;
    Q_EMIT incidentsLoaded(requestId, m_store->incidents(filter));
    noticeDamage();
}

void StoreWorker::loadEvents(quint64 requestId, qint64 incidentId, qint64 afterSeq, int limit)
{
    if (m_closing || !m_store)
        return;
    Q_EMIT eventsLoaded(requestId, incidentId, m_store->events(incidentId, afterSeq, limit));
    noticeDamage();
}

void StoreWorker::loadEventCount(quint64 requestId, qint64 incidentId)
{
    if (m_closing || !m_store)
        return;
    Q_EMIT eventCountLoaded(requestId, incidentId, m_store->eventCount(incidentId));
    noticeDamage();
}

void StoreWorker::savePostmortem(const PostmortemRecord& record)
{
    if (!m_store)
        return;
    PostmortemRecord saved = record;
    m_clock.sync();
    saved.updatedMs = m_clock.nowMs();
    if (m_checker) {
        m_waiting.append([this, saved] { savePostmortemNow(saved); });
        return;
    }
    savePostmortemNow(saved);
}

void StoreWorker::savePostmortemNow(const PostmortemRecord& saved)
{
    if (!m_store)
        return;
    const PostmortemRecord& record = saved;
    if (m_store->savePostmortem(saved))
        Q_EMIT postmortemSaved(saved);
    else
        Q_EMIT writeFailed(tr("Save the post-mortem of incident %1").arg(record.incidentId), m_store->lastError());
    noticeDamage();
}

void StoreWorker::loadPostmortem(quint64 requestId, qint64 incidentId)
{
    if (m_closing || !m_store)
        return;
    const std::optional<PostmortemRecord> record = m_store->postmortem(incidentId);
    Q_EMIT postmortemLoaded(requestId, incidentId, record.value_or(PostmortemRecord {}), record.has_value());
    noticeDamage();
}

void StoreWorker::poll()
{
    if (m_closing || !m_store || !m_store->isOpen())
        return;
    const qint64 newest = m_store->maxSeq();
    noticeDamage();
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
            m_clock.catchUp(e.timeMs); // another console's clock is ahead: follow it
            if (!incidentIds.contains(e.incidentId))
                incidentIds.append(e.incidentId);
        }
        m_lastSeenSeq = batch.last().seq;
        if (batch.size() < PollBatch || m_lastSeenSeq >= newest)
            break;
    }
    noticeDamage();
    if (foreign.isEmpty())
        return;
    for (const qint64 id : std::as_const(incidentIds)) {
        if (const std::optional<Incident> incident = m_store->incident(id))
            Q_EMIT incidentChanged(*incident);
    }
    Q_EMIT eventsAppended(foreign);
}
