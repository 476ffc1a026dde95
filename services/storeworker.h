// SPDX-License-Identifier: MIT
#pragma once

#include "models/incidentclock.h"
#include "services/incidentstore.h"

#include <QList>
#include <QObject>
#include <QSet>

#include <atomic>
#include <functional>
#include <memory>

class QThread;
class QTimer;

// The StoreClient's worker: owns the IncidentStore on the client's worker thread and runs every call there, in the
// order the client posted them. Results leave as signals, by value (queued to the client's thread).
//
// Created on the client's thread and moved to the worker thread before any call; from then on every method but
// setClosing() runs on the worker thread only. Times of the events it writes come from a MonotonicWallClock read
// on this thread at each write: the wall clock read once at start, advanced monotonically, so that one console's
// own timeline never goes back when the system clock jumps (the order of events is their seq in any case). It is
// moved forward to the newest event's time at open and to other instances' event times (a system clock behind
// them), and to the system clock when that moved forward (docs/escalation.md, "Clock").
class StoreWorker : public QObject {
    Q_OBJECT
public:
    explicit StoreWorker(QString path, QObject* parent = nullptr);
    ~StoreWorker() override;

    // Any thread: from now on reads are skipped (writes still run), as the client is going away.
    void setClosing() { m_closing = true; }

    // → opened() or openFailed(); then polls every pollInterval. A big store is opened read-only and checked on a
    // thread of its own meanwhile (→ checkProgress() ..., then checkPassed() or damaged()); writes wait for it.
    void open();
    // Closes the store (never checkpointing a damaged one), renames it aside (IncidentStore::moveAside()) and opens
    // a new one at the path: → movedAside() then opened(), or moveAsideFailed().
    void moveAside();
    void setPollInterval(int ms); // default 1000 ms
    void shutdown(); // stops polling and closes the store; the last call before the thread ends

    void createIncident(const IncidentDraft& draft);
    void acknowledge(qint64 incidentId);
    void changeSeverity(qint64 incidentId, Severity severity, const QString& reason);
    void enterFlowStep(qint64 incidentId, int step);
    void changeStatus(qint64 incidentId, IncidentStatus status);
    void resolve(qint64 incidentId, const QString& summary);
    void addNote(qint64 incidentId, const QString& text);
    // → eventRecorded(requestId) once committed, or appendFailed(requestId) with writeFailed() unless quiet.
    void appendEvent(quint64 requestId, qint64 incidentId, const QString& kind, const QString& summary,
        const QJsonObject& detail, bool quiet = false);

    void loadIncidents(quint64 requestId, IncidentStore::Filter filter);
    void loadEvents(quint64 requestId, qint64 incidentId, qint64 afterSeq, int limit);
    void loadEventCount(quint64 requestId, qint64 incidentId);
    void savePostmortem(const PostmortemRecord& record);
    void loadPostmortem(quint64 requestId, qint64 incidentId);

    // Looks for events other instances appended since the last look; run by the poll timer.
    void poll();

Q_SIGNALS:
    void opened(int schemaVersion);
    void checkProgress(int percent); // of the background check; -1: unknown
    void checkPassed(qint64 elapsedMs);
    void damaged(const StoreError& error); // once per open: writing has stopped
    void movedAside(const QString& newPath);
    void moveAsideFailed(const QString& message);
    void openFailed(const StoreError& error);
    void incidentChanged(const Incident& incident);
    void eventsAppended(const QList<TimelineEvent>& events);
    void writeFailed(const QString& what, const StoreError& error);
    void eventRecorded(quint64 requestId, const TimelineEvent& event);
    void appendFailed(quint64 requestId, const StoreError& error);
    void incidentsLoaded(quint64 requestId, const QList<Incident>& incidents);
    void eventsLoaded(quint64 requestId, qint64 incidentId, const QList<TimelineEvent>& events);
    void eventCountLoaded(quint64 requestId, qint64 incidentId, qint64 count);
    void postmortemSaved(const PostmortemRecord& record);
    void postmortemLoaded(quint64 requestId, qint64 incidentId, const PostmortemRecord& record, bool found);

private:
    using Write = std::function<StoreChange(IncidentStore&, qint64 nowMs)>;
    // Runs call(store) and publishes its result: incidentChanged + eventsAppended, or writeFailed(what). While the
    // store is being checked the write waits (its time is taken now).
    // requestId > 0: an appendEvent()'s, also answered by eventRecorded() or appendFailed() (quiet: no writeFailed()).
    void write(const QString& what, Write call, quint64 requestId = 0, bool quiet = false);
    void write(const QString& what, const Write& call, qint64 nowMs, quint64 requestId, bool quiet);
    void savePostmortemNow(const PostmortemRecord& record);
    void publish(const QString& what, const StoreChange& change, bool quiet = false);
    void startCheck();
    void finishCheck(quint64 generation, const StoreError& error, qint64 elapsedMs);
    void reportCheckProgress();
    void stopCheck();
    void runWaiting();
    void noticeDamage(); // after each call: the first corruption seen stops writing and is reported

    QString m_path;
    std::unique_ptr<IncidentStore> m_store;
    MonotonicWallClock m_clock;
    QString m_actor;
    QTimer* m_pollTimer = nullptr;
    int m_pollIntervalMs = 1000;
    qint64 m_lastSeenSeq = 0; // every event up to here has been published (by a write here or by the poll)
    QSet<qint64> m_ownSeqs; // events written here and published already, above m_lastSeenSeq
    std::atomic_bool m_closing = false;
    QList<std::function<void()>> m_waiting; // writes posted while the store was being checked, in order
    QThread* m_checker = nullptr;
    QTimer* m_progressTimer = nullptr;
    quint64 m_checkGeneration = 0;
    std::shared_ptr<std::atomic<int>> m_checkerTid; // Linux thread id of the checker, for its read count
    std::function<void()> m_finishCheck; // the running check's finishCheck(), for shutdown() to wait for
    qint64 m_checkBytes = 0;
    bool m_damageReported = false;
};
