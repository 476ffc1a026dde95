// SPDX-License-Identifier: MIT
#pragma once

#include "models/incident.h"
#include "models/postmortemrecord.h"
#include "models/timelineevent.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

// Why the store could not be opened or written.
struct StoreError {
    enum class Code {
        None,
        NewerSchema, // written by a newer version of the console: refused, never touched
        Corrupt, // not a database or damaged: never overwritten; offer moveAside()
        Checking, // opened read-only while the whole file is being checked: nothing was written
        Unwritable, // read-only folder or file, permission denied
        Busy, // locked by another process for longer than the busy timeout
        Io, // disk full, I/O error, anything else
        Refused, // the change makes no sense for the incident as it is (see each change): nothing was written
    };
    Code code = Code::None;
    QString message; // for people: what is wrong and what to do

    bool isError() const { return code != Code::None; }
};

// Result of one change to an incident: the incident as it is now and the events the change appended.
struct StoreChange {
    bool ok = false;
    Incident incident;
    QList<TimelineEvent> events;
    StoreError error;
};

// The console's own incident store: one SQLite file through Qt Sql (WAL, synchronous=FULL, foreign keys,
// schema versioned by migrations). Every change is one transaction that updates the incident row and appends
// the timeline events describing it; events are append-only (the schema refuses UPDATE and DELETE).
//
// Synchronous and not thread-safe: one instance belongs to one thread (the StoreClient's worker thread in the
// program; the test's thread in tests): open() creates its Qt Sql connection on the calling thread and every
// later call must come from that thread. Several instances, in this process or others, may share one file.
// Everything returned is a value owned by the caller.
//
// Rules of the changes (each refused with StoreError::Code::Refused when broken, nothing written):
// - a resolved incident takes only notes and appendEvent(); everything else is refused;
// - acknowledge() once; it moves the flow from Acknowledge (step 0) to Assess (step 1) and says so (flow.step);
// - enterFlowStep() to a step other than the current one, within ResponseFlow::defaults(), never back to 0;
//   entering a later step of an unacknowledged incident acknowledges it first (incident.acknowledged with
//   detail.implicit = true), as moving on is responding;
// - resolve() of an unacknowledged incident acknowledges it implicitly first, the same way; changeStatus() to
//   Resolved is resolve() with no summary;
// - changeSeverity()/changeStatus() to the value the incident already has are refused;
// - appendEvent() refuses the kinds of EventKind that change an incident (only the changes above write them).
class IncidentStore {
public:
    explicit IncidentStore(QString path);
    ~IncidentStore();
    IncidentStore(const IncidentStore&) = delete;
    IncidentStore& operator=(const IncidentStore&) = delete;

    static int currentSchemaVersion();
    // The SQL statements that migrate a file from schema version - 1 to version (1..currentSchemaVersion()),
    // in order. For tests and tools; open() runs them.
    static QStringList migrationStatements(int version);
    // The store file in the user's data folder (QStandardPaths::AppDataLocation).
    static QString defaultPath();
    // Renames a corrupt store (and its -wal/-shm) to "<path>.corrupt-<UTC time>"; returns the new path or empty.
    // Call it only while no instance has the file open.
    static QString moveAside(const QString& path, QString* errorMessage = nullptr);
    // The operator's OS user name, the actor of every event the console writes.
    static QString currentOperator();

    // Full: PRAGMA quick_check of the whole file before anything else. Deferred: a file over 8 MB in WAL mode at
    // the current schema gets only the cheap checks and is opened read-only (reads work, writes are refused with
    // Code::Checking) until checkFile() has passed and confirmChecked() reopened it for writing.
    enum class Check { Full, Deferred };
    // Opens (creating the file and folder if needed) and migrates. On false, lastError() says why; a file that
    // is corrupt, unreadable or from a newer version is then left exactly as it was.
    bool open(Check check = Check::Full);
    bool isOpen() const;
    // Closes. A damaged store is closed without checkpointing its log into it (see docs/HACKING.md).
    void close();
    // Any thread, with a read-only connection of its own: PRAGMA quick_check of the whole file (blocks while it reads
    // every page: 0.6 ms per MB from the page cache, the disk's speed otherwise). An error (Code::Corrupt when damaged)
    // or none.
    static StoreError checkFile(const QString& path);
    bool isChecking() const; // opened Deferred and not confirmed yet
    // After checkFile() passed: reopens for writing. On false, lastError() says why and the store is closed.
    bool confirmChecked();
    // True once the file was found damaged: a failed check (markDamaged()) or any SQLITE_CORRUPT/SQLITE_NOTADB
    // since open(). From then on every write is refused with Code::Corrupt and damageError()'s message, and reads
    // go through a read-only connection; nothing more reaches the file.
    bool isDamaged() const;
    StoreError damageError() const;
    void markDamaged(const StoreError& error);
    QString path() const { return m_path; }
    StoreError lastError() const { return m_error; }
    int schemaVersion() const; // of the open file

    // Changes. Each is one transaction; each appends the event(s) describing it, with actor (empty: the
    // currentOperator()) and time nowMs. On failure ok is false, error says why and nothing was written.
    StoreChange createIncident(const IncidentDraft& draft, const QString& actor, qint64 nowMs);
    StoreChange acknowledge(qint64 incidentId, const QString& actor, qint64 nowMs);
    StoreChange changeSeverity(
        qint64 incidentId, Severity severity, const QString& reason, const QString& actor, qint64 nowMs);
    StoreChange enterFlowStep(qint64 incidentId, int step, const QString& actor, qint64 nowMs);
    StoreChange changeStatus(qint64 incidentId, IncidentStatus status, const QString& actor, qint64 nowMs);
    StoreChange resolve(qint64 incidentId, const QString& summary, const QString& actor, qint64 nowMs);
    StoreChange addNote(qint64 incidentId, const QString& text, const QString& actor, qint64 nowMs);
    // Any other event (commands run, alerts, messages sent...): appended as given, incident row untouched
    // except its lastSeq. A detail over EventDetailCapBytes (compact JSON) or a summary over EventSummaryMaxChars is
    // written whole to a side file in sideFolder() first (durably), and the event keeps a cut detail (see
    // cappedDetail()) and summary; if the side file cannot be written, nothing is.
    static constexpr qsizetype EventDetailCapBytes = 256 * 1024;
    static constexpr qsizetype EventSummaryMaxChars = 2000;
    StoreChange appendEvent(qint64 incidentId, const QString& kind, const QString& summary, const QJsonObject& detail,
        const QString& actor, qint64 nowMs);

    // Reads. On failure they return nothing (empty, nullopt, 0) and lastError() says why.
    enum class Filter { Open, Resolved, All };
    QList<Incident> incidents(Filter filter = Filter::All); // ordered by id
    std::optional<Incident> incident(qint64 incidentId);
    qint64 eventCount(qint64 incidentId);
    // Events of one incident with seq > afterSeq, in seq order, at most limit (negative: no limit).
    QList<TimelineEvent> events(qint64 incidentId, qint64 afterSeq = 0, int limit = 500);
    // Events of all incidents with seq > afterSeq, in seq order: how another instance's writes are seen.
    QList<TimelineEvent> eventsSince(qint64 afterSeq, int limit = 1000);
    qint64 maxSeq();

    // Post-mortems (schema version 3): one per incident, rewritten in place as it is edited (not an event).
    // savePostmortem() replaces the incident's post-mortem in one statement; an unknown incident is Refused.
    bool savePostmortem(const PostmortemRecord& record);
    // nullopt when the incident has none yet (lastError() clear) or on failure (lastError() says why).
    std::optional<PostmortemRecord> postmortem(qint64 incidentId);
    QString integrityCheck(); // "ok" or SQLite's report

    // Side files of events too big for the store: "<store>.details/" beside the store file.
    static QString sideFolder(const QString& storePath);
    // detail cut to at most capBytes of compact JSON: its small values as they are, long strings cut (to a few KiB
    // at most), other big values left out, and "detailCut": { file (name in sideFolder()), bytes, sha256 (of the
    // side file), cut: [keys], omitted: [keys] }. Pure; any thread.
    static QJsonObject cappedDetail(const QJsonObject& detail, const QString& sideFile, qint64 sideBytes,
        const QByteArray& sideSha256, qsizetype capBytes = EventDetailCapBytes);

private:
    class Private;
    Private* d;
    QString m_path;
    StoreError m_error;
};

Q_DECLARE_METATYPE(IncidentStore::Filter)
