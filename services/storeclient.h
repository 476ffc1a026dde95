// SPDX-License-Identifier: MIT
#pragma once

#include "services/incidentstore.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QThread>

#include <functional>

class StoreWorker;

// The GUI thread's door to the incident store. Lives on the thread that creates it (the GUI thread); every call
// returns at once and the work runs on a worker thread of its own owning an IncidentStore. Results come back
// as signals, by value. Also polls the file (every pollIntervalMs) so that changes made by another console
// instance on the same store arrive as eventsAppended/incidentChanged within a few seconds.
//
// Calls run on the worker in the order they were made; a change's signals come in the order incidentChanged,
// eventsAppended. Event times are taken on the worker at the write, from a MonotonicWallClock started with the
// client, and the actor is IncidentStore::currentOperator(). The poll reports only other instances' events (this
// client's own were reported by its writes), incidentChanged for each incident concerned first, then one
// eventsAppended; it starts from the newest event at open(), so a view that loads after opened() should ignore
// events whose seq it already has.
class StoreClient : public QObject {
    Q_OBJECT
public:
    explicit StoreClient(QString path, QObject* parent = nullptr);
    // Stops the worker thread: the writes already posted are finished (reads not yet run are dropped), then the
    // store is closed. Blocks only for those writes.
    ~StoreClient() override;

    QString path() const { return m_path; }
    void setPollInterval(int ms); // default 1000 ms; takes effect on the next poll

    // → opened() or openFailed(). A store over 8 MB opens read-only at once and is checked whole in the background
    // (→ checkProgress()..., then checkPassed(), or damaged()); changes made meanwhile wait for the check.
    void open();
    // For a damaged store: closes it (nothing is checkpointed into it), renames it and its -wal/-shm aside and
    // starts a new store at path() → movedAside(newPath) then opened(), or moveAsideFailed().
    void moveAside();

    // Changes: each → incidentChanged() + eventsAppended(), or writeFailed().
    void createIncident(const IncidentDraft& draft);
    void acknowledge(qint64 incidentId);
    void changeSeverity(qint64 incidentId, Severity severity, const QString& reason);
    void enterFlowStep(qint64 incidentId, int step);
    void changeStatus(qint64 incidentId, IncidentStatus status);
    void resolve(qint64 incidentId, const QString& summary);
    void addNote(qint64 incidentId, const QString& text);
    // An event of the caller's own kind. Returns a request id: → eventRecorded(id, event) once its commit has
    // returned (synchronous=FULL: on disk), or appendFailed(id, error) (and writeFailed() unless quiet, for a retry
    // its caller reports itself) when nothing was written.
    quint64 appendEvent(
        qint64 incidentId, const QString& kind, const QString& summary, const QJsonObject& detail, bool quiet = false);
    // The same, for a caller that acts only once the event is on disk: answer(true, {}) once its commit returned, or
    // answer(false, the store's reason) when nothing was written. Called later on this thread (never from inside this
    // call), and not at all once context (when given) is destroyed.
    using Answer = std::function<void(bool recorded, const QString& why)>;
    quint64 appendEvent(qint64 incidentId, const QString& kind, const QString& summary, const QJsonObject& detail,
        QObject* context, Answer answer, bool quiet = false);

    // Reads: each returns a request id that the answering signal carries.
    quint64 requestIncidents(IncidentStore::Filter filter = IncidentStore::Filter::All); // → incidentsLoaded()
    quint64 requestEvents(qint64 incidentId, qint64 afterSeq, int limit); // → eventsLoaded()
    quint64 requestEventCount(qint64 incidentId); // → eventCountLoaded()

    // Post-mortems. savePostmortem() replaces the incident's one (updatedMs set on the worker) → postmortemSaved()
    // or writeFailed(); requestPostmortem() → postmortemLoaded() (found false: the incident has none yet).
    void savePostmortem(const PostmortemRecord& record);
    quint64 requestPostmortem(qint64 incidentId);

Q_SIGNALS:
    void opened(int schemaVersion);
    void openFailed(const StoreError& error);
    void checkProgress(int percent); // -1: unknown
    void checkPassed(qint64 elapsedMs);
    // The file is damaged (found by the check, or SQLITE_CORRUPT later): every change from now on is refused with
    // error.message (writeFailed()); reads go on read-only. Offer moveAside().
    void damaged(const StoreError& error);
    void movedAside(const QString& newPath);
    void moveAsideFailed(const QString& message);
    // A change made here, or seen by the poll as made by another instance.
    void incidentChanged(const Incident& incident);
    void eventsAppended(const QList<TimelineEvent>& events);
    // A change could not be written. what says which ("Add note to incident 3"); nothing was written.
    void writeFailed(const QString& what, const StoreError& error);
    // The answer to appendEvent(): after incidentChanged/eventsAppended, or with writeFailed().
    void eventRecorded(quint64 requestId, const TimelineEvent& event);
    void appendFailed(quint64 requestId, const StoreError& error);
    void incidentsLoaded(quint64 requestId, const QList<Incident>& incidents);
    void eventsLoaded(quint64 requestId, qint64 incidentId, const QList<TimelineEvent>& events);
    void eventCountLoaded(quint64 requestId, qint64 incidentId, qint64 count);
    void postmortemSaved(const PostmortemRecord& record);
    void postmortemLoaded(quint64 requestId, qint64 incidentId, const PostmortemRecord& record, bool found);

private:
    template <typename Work> void post(Work&& work); // runs work(worker) on the worker thread

    QString m_path;
    QThread m_thread;
    StoreWorker* m_worker = nullptr;
    quint64 m_nextRequest = 1;
    struct Waiting {
        QPointer<QObject> context;
        bool hasContext = false;
        Answer answer;
    };
    QHash<quint64, Waiting> m_waiting; // appendEvent() request id → who waits for its commit
    void answer(quint64 requestId, bool recorded, const QString& why);
};

Q_DECLARE_METATYPE(StoreError)
