// SPDX-License-Identifier: MIT
#include "services/incidentstore.h"

#include "models/responseflow.h"
#include "services/atomicfilewriter.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLockFile>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>
#include <QVariant>

#include <cerrno>
#include <cstring>
#include <map>

#include <pwd.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr int SchemaVersion = 3;
constexpr int BusyTimeoutMs = 5000;
// How long open() waits for another process that is opening or migrating the same store.
constexpr int OpenLockTimeoutMs = 20000;
// How long open() retries switching to WAL while another process holds the file ("database is locked").
constexpr int WalRetryMs = 10000;
// Files up to this size get their PRAGMA quick_check inside open(); larger ones opened with Check::Deferred are
// opened read-only at once and checked in the background (quick_check reads every page).
constexpr qint64 QuickCheckMaxBytes = 8 * 1024 * 1024;
constexpr int NoteMaxChars = 20000;

// SQLite's primary result codes (sqlite3.h), as Qt Sql reports them in QSqlError::nativeErrorCode().
enum SqliteCode {
    SqlitePerm = 3,
    SqliteBusy = 5,
    SqliteLocked = 6,
    SqliteReadOnly = 8,
    SqliteIoErr = 10,
    SqliteCorrupt = 11,
    SqliteFull = 13,
    SqliteCantOpen = 14,
    SqliteConstraint = 19,
    SqliteAuth = 23,
    SqliteNotADb = 26,
};

QAtomicInteger<quint64> g_connectionCounter;

QString tr(const char* text) { return QCoreApplication::translate("IncidentStore", text); }

QString utcText(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs); }

StoreError makeError(StoreError::Code code, const QString& message) { return StoreError { code, message }; }

int sqliteCode(const QSqlError& error) { return error.nativeErrorCode().toInt() & 0xff; }

// Maps an SQLite failure to the store's error codes with a message for people. doing: "opening", "writing".
StoreError fromSql(const QSqlError& error, const QString& path, const QString& doing)
{
    const QString detail = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    switch (sqliteCode(error)) {
    case SqliteBusy:
    case SqliteLocked:
        return makeError(StoreError::Code::Busy,
            tr("The incident store %1 is busy: another program kept it locked for more than %2 seconds while %3 "
               "(%4). Try again.")
                .arg(path)
                .arg(BusyTimeoutMs / 1000)
                .arg(doing, detail));
    case SqlitePerm:
    case SqliteReadOnly:
    case SqliteCantOpen:
    case SqliteAuth:
        return makeError(StoreError::Code::Unwritable,
            tr("The incident store %1 cannot be written (%2 while %3). Check the permissions of the file and its "
               "folder, or choose another store with --store PATH.")
                .arg(path, detail, doing));
    case SqliteCorrupt:
    case SqliteNotADb:
        return makeError(StoreError::Code::Corrupt,
            tr("The incident store %1 is damaged or is not an incident store (%2). It has been left exactly as it "
               "is: move it aside to start a new store, and keep it for recovery.")
                .arg(path, detail));
    case SqliteFull:
        return makeError(StoreError::Code::Io,
            tr("The disk holding the incident store %1 is full (%2 while %3). Free some space and try again.")
                .arg(path, detail, doing));
    case SqliteConstraint:
        return makeError(StoreError::Code::Refused, tr("The store refused the change: %1.").arg(detail));
    case SqliteIoErr:
    default:
        return makeError(StoreError::Code::Io,
            tr("The incident store %1 could not be read or written (%2 while %3).").arg(path, detail, doing));
    }
}

StoreError refused(const QString& message) { return makeError(StoreError::Code::Refused, message); }

StoreError damagedError(const QString& path, const QString& detail)
{
    return makeError(StoreError::Code::Corrupt,
        tr("The incident store %1 is damaged (%2). The console has stopped writing to it and left it exactly as it "
           "is; what can still be read is shown read-only: move it aside to start a new store, and keep it for "
           "recovery.")
            .arg(path, detail));
}

bool isCorruptCode(int code) { return code == SqliteCorrupt || code == SqliteNotADb; }

// True when the header says the file is in WAL mode (file format versions 2 at offsets 18 and 19).
bool headerSaysWal(const QString& file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray header = f.read(20);
    return header.size() == 20 && header.at(18) == 2 && header.at(19) == 2;
}

// PRAGMA quick_check through check (open): none, or Code::Corrupt with SQLite's first lines (open: the refusal of
// open(); else: the message of a store found damaged while open).
StoreError quickCheck(QSqlDatabase& check, const QString& file, bool atOpen = true)
{
    QSqlQuery q(check);
    q.setForwardOnly(true);
    if (!q.exec(u"PRAGMA quick_check"_s)) {
        if (!atOpen && isCorruptCode(sqliteCode(q.lastError())))
            return damagedError(file, q.lastError().databaseText());
        return fromSql(q.lastError(), file, tr("checking it"));
    }
    QStringList report;
    while (q.next() && report.size() < 5)
        report.append(q.value(0).toString());
    if (q.lastError().isValid() && isCorruptCode(sqliteCode(q.lastError())))
        report.append(q.lastError().databaseText());
    q.finish();
    if (report != QStringList { u"ok"_s } && !atOpen)
        return damagedError(file, report.join(u"; "_s));
    if (report != QStringList { u"ok"_s }) {
        return makeError(StoreError::Code::Corrupt,
            tr("The incident store %1 is damaged (%2). It has been left exactly as it is: move it aside to "
               "start a new store, and keep it for recovery.")
                .arg(file, report.join(u"; "_s)));
    }
    return {};
}

quint32 bigEndian32(const QByteArray& bytes, int at)
{
    return (quint32(quint8(bytes.at(at))) << 24) | (quint32(quint8(bytes.at(at + 1))) << 16)
        | (quint32(quint8(bytes.at(at + 2))) << 8) | quint32(quint8(bytes.at(at + 3)));
}

// True when the main file is shorter than its own header says, with no write-ahead log that could still complete
// it: the mark of a truncated copy. Reads 100 bytes; O(1).
bool headerSaysTruncated(const QString& file)
{
    const QFileInfo wal(file + u"-wal"_s);
    if (wal.exists() && wal.size() > 0)
        return false;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray header = f.read(100);
    const qint64 size = f.size();
    if (header.size() < 100)
        return true;
    quint32 pageSize = (quint32(quint8(header.at(16))) << 8) | quint32(quint8(header.at(17)));
    if (pageSize == 1)
        pageSize = 65536;
    if (pageSize < 512)
        return true;
    const quint32 changeCounter = bigEndian32(header, 24);
    const quint32 pages = bigEndian32(header, 28);
    const quint32 validFor = bigEndian32(header, 92);
    if (size % pageSize != 0)
        return true;
    return pages > 0 && changeCounter == validFor && size < qint64(pages) * pageSize;
}

// The schema version in the header of a file with no write-ahead log (where the header is current); nullopt when
// there is a log or the file does not start like an SQLite database. Lets open() refuse a newer store closed
// cleanly without SQLite, which would leave -wal/-shm files beside it.
std::optional<int> headerVersion(const QString& file)
{
    const QFileInfo wal(file + u"-wal"_s);
    if (wal.exists() && wal.size() > 0)
        return std::nullopt;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray header = f.read(100);
    if (header.size() < 100 || !header.startsWith(QByteArray("SQLite format 3\0", 16)))
        return std::nullopt;
    // Fields every valid header has (sqlite.org/fileformat.html): a power-of-two page size and the fixed payload
    // fractions. Anything else is left to SQLite to judge.
    const quint32 pageSize = (quint32(quint8(header.at(16))) << 8) | quint32(quint8(header.at(17)));
    const bool pageSizeOk = pageSize == 1 || (pageSize >= 512 && (pageSize & (pageSize - 1)) == 0);
    if (!pageSizeOk || header.at(21) != 64 || header.at(22) != 32 || header.at(23) != 32)
        return std::nullopt;
    return int(bigEndian32(header, 60));
}

StoreError newerSchema(const QString& file, int version)
{
    return makeError(StoreError::Code::NewerSchema,
        tr("The incident store %1 was written by a newer version of the console (schema version %2; this version "
           "supports up to %3). It has been left untouched: update the console, or choose another store with "
           "--store PATH.")
            .arg(file)
            .arg(version)
            .arg(SchemaVersion));
}

QString severityText(Severity s) { return severityCode(s); }

Severity severityFromText(const QString& text) { return severityFromCode(text).value_or(Severity::P2); }

IncidentStatus statusFromText(const QString& text)
{
    return incidentStatusFromName(text).value_or(IncidentStatus::Investigating);
}

// Text for a NOT NULL column: Qt Sql binds a null QString as NULL, so an empty one goes as ''.
QVariant textValue(const QString& text) { return text.isNull() ? QVariant(u""_s) : QVariant(text); }

QVariant optionalValue(const std::optional<qint64>& v) { return v ? QVariant(*v) : QVariant(); }

std::optional<qint64> optionalFrom(const QVariant& v)
{
    if (v.isNull())
        return std::nullopt;
    return v.toLongLong();
}

const QString IncidentColumns = u"id, title, severity, status, environment, commander, impact, started_ms, "
                                u"acknowledged_ms, resolved_ms, flow_step, step_entered_ms, last_seq"_s;
const QString EventColumns = u"seq, incident_id, time_ms, kind, actor, summary, detail"_s;

Incident incidentFromRow(const QSqlQuery& q)
{
    Incident i;
    i.id = q.value(0).toLongLong();
    i.title = q.value(1).toString();
    i.severity = severityFromText(q.value(2).toString());
    i.status = statusFromText(q.value(3).toString());
    i.environment = q.value(4).toString();
    i.commander = q.value(5).toString();
    i.impact = q.value(6).toString();
    i.startedMs = q.value(7).toLongLong();
    i.acknowledgedMs = optionalFrom(q.value(8));
    i.resolvedMs = optionalFrom(q.value(9));
    i.flowStep = q.value(10).toInt();
    i.stepEnteredMs = q.value(11).toLongLong();
    i.lastSeq = q.value(12).toLongLong();
    return i;
}

TimelineEvent eventFromRow(const QSqlQuery& q)
{
    TimelineEvent e;
    e.seq = q.value(0).toLongLong();
    e.incidentId = q.value(1).toLongLong();
    e.timeMs = q.value(2).toLongLong();
    e.kind = q.value(3).toString();
    e.actor = q.value(4).toString();
    e.summary = q.value(5).toString();
    e.detail = QJsonDocument::fromJson(q.value(6).toString().toUtf8()).object();
    return e;
}

QString firstLine(const QString& text, int maxChars = 120)
{
    QString line = text.trimmed().section(u'\n', 0, 0).trimmed();
    if (line.size() > maxChars)
        line = line.left(maxChars - 1) + u'…';
    return line;
}

StoreError notOpen(const QString& path)
{
    return makeError(StoreError::Code::Io, tr("The incident store %1 is not open.").arg(path));
}

StoreChange failedChange(StoreError error)
{
    StoreChange change;
    change.error = std::move(error);
    return change;
}

StoreError resolvedRefusal(const Incident& i)
{
    return refused(tr("Incident %1 is resolved: it takes only notes and events now.").arg(i.id));
}

QJsonObject stepDetail(int from, int to)
{
    return { { u"from"_s, from }, { u"to"_s, to }, { u"name"_s, ResponseFlow::defaults().step(to).name } };
}

QString stepSummary(int to)
{
    return tr("Entered step %1 of %2: %3")
        .arg(to + 1)
        .arg(ResponseFlow::defaults().stepCount())
        .arg(ResponseFlow::defaults().step(to).name);
}

} // namespace

// Schema history. Never edit a released version's statements: add a version. tests/store/data/schema-vN.sql keeps
// each earlier version's full schema, as that version of the console created it.
QStringList IncidentStore::migrationStatements(int version)
{
    switch (version) {
    case 1: // incidents and their timeline
        return {
            uR"(CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
    status TEXT NOT NULL CHECK (status IN ('Investigating', 'Mitigating', 'Resolved')),
    environment TEXT NOT NULL,
    commander TEXT NOT NULL,
    impact TEXT NOT NULL DEFAULT '',
    started_ms INTEGER NOT NULL,
    acknowledged_ms INTEGER,
    resolved_ms INTEGER,
    flow_step INTEGER NOT NULL DEFAULT 0,
    step_entered_ms INTEGER NOT NULL
))"_s,
            uR"(CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    time_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    summary TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
))"_s,
            u"CREATE INDEX incidents_status ON incidents(status)"_s,
        };
    case 2: // the newest event of each incident on its row, the timeline index, and append-only events
        return {
            u"CREATE INDEX events_incident_seq ON events(incident_id, seq)"_s,
            u"ALTER TABLE incidents ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0"_s,
            u"UPDATE incidents SET last_seq = coalesce((SELECT max(seq) FROM events WHERE events.incident_id = "
            u"incidents.id), 0)"_s,
            uR"(CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only: add a correcting event instead');
END)"_s,
            uR"(CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only: add a correcting event instead');
END)"_s,
            uR"(CREATE TRIGGER incidents_never_deleted BEFORE DELETE ON incidents
BEGIN
    SELECT RAISE(ABORT, 'incidents are never deleted: resolve them instead');
END)"_s,
        };
    case 3: // one post-mortem per incident, edited after the incident (not an event: it is rewritten as it is edited)
        return {
            uR"(CREATE TABLE postmortems (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),
    markdown TEXT NOT NULL,
    action_items TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(action_items)),
    time_zone TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
))"_s,
        };
    default:
        return {};
    }
}

class IncidentStore::Private {
public:
    QString connectionName;
    bool open = false;
    int schemaVersion = 0;
    bool readOnly = false; // the connection was opened read-only (being checked, or damaged)
    bool checking = false; // opened Deferred, not confirmed yet
    bool skipQuickCheck = false; // confirmChecked(): the file has just passed checkFile()
    StoreError damage; // set by markDamaged() or the first SQLITE_CORRUPT/SQLITE_NOTADB
    QSqlError corruptSeen; // the first SQLITE_CORRUPT/SQLITE_NOTADB of this connection
    // Prepared statements by SQL text, reused for the life of the connection (std::map: stable references).
    std::map<QString, QSqlQuery> statements;
    QSqlError sqlError; // of the last failed exec()

    QSqlDatabase db() const { return QSqlDatabase::database(connectionName, false); }

    // Runs sql with values bound in order. Returns the active query (read it, then finish() it) or nullptr with
    // sqlError set.
    QSqlQuery* exec(const QString& sql, const QVariantList& values = {})
    {
        auto it = statements.find(sql);
        if (it == statements.end()) {
            QSqlQuery q(db());
            q.setForwardOnly(true);
            if (!q.prepare(sql)) {
                sqlError = q.lastError();
                return nullptr;
            }
            it = statements.emplace(sql, q).first;
        }
        QSqlQuery& q = it->second;
        for (int i = 0; i < values.size(); ++i)
            q.bindValue(i, values.at(i));
        if (!q.exec()) {
            sqlError = q.lastError();
            noteError(sqlError);
            q.finish();
            return nullptr;
        }
        return &q;
    }

    void noteError(const QSqlError& error)
    {
        if (!corruptSeen.isValid() && isCorruptCode(sqliteCode(error)))
            corruptSeen = error;
    }

    bool damaged() const { return damage.isError() || corruptSeen.isValid(); }

    // Why a write cannot run now (none: it can).
    StoreError writeRefusal(const QString& path) const
    {
        if (damage.isError())
            return damage;
        if (corruptSeen.isValid())
            return damagedError(path, corruptSeen.databaseText());
        if (checking || readOnly) {
            return makeError(StoreError::Code::Checking,
                tr("The incident store %1 is still being checked (it is %2 MB). Nothing was written: changes can "
                   "be saved once the check has passed.")
                    .arg(path)
                    .arg(QFileInfo(path).size() / (1024 * 1024)));
        }
        return {};
    }

    // Opens the connection (named connectionName) to file; read-only ones never write and never checkpoint.
    QSqlError connect(const QString& file, bool readOnlyConnection)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connectionName);
        db.setDatabaseName(file);
        db.setConnectOptions(readOnlyConnection ? u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=%1"_s.arg(BusyTimeoutMs)
                                                : u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(BusyTimeoutMs));
        readOnly = readOnlyConnection;
        if (!db.open())
            return db.lastError();
        return {};
    }

    // Replaces a read-write connection by a read-only one without checkpointing the log into the file: the new
    // connection is opened and reads first, so that it holds its shared lock on the file while the old one closes
    // (SQLite checkpoints on close only when it can take the exclusive lock; a read-only connection never does).
    void switchToReadOnly(const QString& file)
    {
        if (readOnly || connectionName.isEmpty())
            return;
        const QString old = connectionName;
        connectionName = old + u"-ro"_s;
        statements.clear();
        if (!connect(file, true).isValid()) {
            QSqlQuery q(db());
            q.exec(u"SELECT count(*) FROM sqlite_master"_s); // starts its read: takes the shared lock
            q.finish();
        }
        {
            QSqlDatabase rw = QSqlDatabase::database(old, false);
            QSqlQuery(rw).exec(u"PRAGMA wal_autocheckpoint = 0"_s);
            rw.close();
        }
        QSqlDatabase::removeDatabase(old);
        readOnly = true;
    }

    // Runs a statement that returns nothing, or one value.
    bool run(const QString& sql, const QVariantList& values = {})
    {
        QSqlQuery* q = exec(sql, values);
        if (!q)
            return false;
        q->finish();
        return true;
    }
    std::optional<QVariant> value(const QString& sql, const QVariantList& values = {})
    {
        QSqlQuery* q = exec(sql, values);
        if (!q)
            return std::nullopt;
        QVariant v;
        if (q->next())
            v = q->value(0);
        if (stepFailed(q))
            return std::nullopt;
        q->finish();
        return v;
    }

    // After reading rows: true (sqlError set, q finished) when a step failed, as on a damaged page.
    bool stepFailed(QSqlQuery* q)
    {
        if (!q->lastError().isValid())
            return false;
        sqlError = q->lastError();
        noteError(sqlError);
        q->finish();
        return true;
    }

    std::optional<Incident> loadIncident(qint64 id, bool* failed)
    {
        *failed = false;
        QSqlQuery* q = exec(u"SELECT "_s + IncidentColumns + u" FROM incidents WHERE id = ?"_s, { id });
        if (!q) {
            *failed = true;
            return std::nullopt;
        }
        std::optional<Incident> result;
        if (q->next())
            result = incidentFromRow(*q);
        if (stepFailed(q)) {
            *failed = true;
            return std::nullopt;
        }
        q->finish();
        return result;
    }

    bool saveIncident(const Incident& i)
    {
        return run(u"UPDATE incidents SET title = ?, severity = ?, status = ?, environment = ?, commander = ?, "
                   u"impact = ?, acknowledged_ms = ?, resolved_ms = ?, flow_step = ?, step_entered_ms = ?, "
                   u"last_seq = ? WHERE id = ?"_s,
            { textValue(i.title), severityText(i.severity), incidentStatusName(i.status), textValue(i.environment),
                textValue(i.commander), textValue(i.impact), optionalValue(i.acknowledgedMs),
                optionalValue(i.resolvedMs), i.flowStep, i.stepEnteredMs, i.lastSeq, i.id });
    }

    // Appends one event about incident (whose lastSeq follows) to change.events.
    bool addEvent(StoreChange& change, Incident& incident, const QString& kind, const QString& summary,
        const QJsonObject& detail, const QString& actor, qint64 nowMs)
    {
        TimelineEvent e;
        e.incidentId = incident.id;
        e.timeMs = nowMs;
        e.kind = kind;
        e.actor = actor;
        e.summary = summary;
        e.detail = detail;
        QSqlQuery* q = exec(u"INSERT INTO events (incident_id, time_ms, kind, actor, summary, detail) "
                            u"VALUES (?, ?, ?, ?, ?, ?)"_s,
            { e.incidentId, e.timeMs, textValue(e.kind), textValue(e.actor), textValue(e.summary),
                QString::fromUtf8(QJsonDocument(detail).toJson(QJsonDocument::Compact)) });
        if (!q)
            return false;
        e.seq = q->lastInsertId().toLongLong();
        q->finish();
        incident.lastSeq = e.seq;
        change.events.append(e);
        return true;
    }

    // The pre-flight of open(): looks at an existing, non-empty file through a read-only connection, so that a
    // newer, corrupt or unreadable file is refused before anything could write to it.
    StoreError inspect(const QString& file, bool fullCheck, int* versionFound)
    {
        const QString name = connectionName + u"-inspect"_s;
        StoreError error;
        {
            QSqlDatabase check = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            check.setDatabaseName(file);
            check.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=%1"_s.arg(BusyTimeoutMs));
            error = inspectWith(check, file, fullCheck, versionFound);
            check.close();
        }
        QSqlDatabase::removeDatabase(name);
        return error;
    }

    StoreError inspectWith(QSqlDatabase& check, const QString& file, bool fullCheck, int* versionFound)
    {
        const QString doing = tr("checking it");
        if (!check.open())
            return fromSql(check.lastError(), file, doing);
        QSqlQuery q(check);
        if (!q.exec(u"PRAGMA user_version"_s) || !q.next())
            return fromSql(q.lastError(), file, doing);
        const int version = q.value(0).toInt();
        *versionFound = version;
        q.finish();
        if (!q.exec(u"SELECT count(*) FROM sqlite_master"_s) || !q.next())
            return fromSql(q.lastError(), file, doing);
        const qint64 objects = q.value(0).toLongLong();
        q.finish();
        if (version > SchemaVersion)
            return newerSchema(file, version);
        if (version == 0 && objects > 0) {
            return makeError(StoreError::Code::Corrupt,
                tr("%1 is an SQLite database but not an incident store (it has tables and no schema version). It has "
                   "been left as it is: move it aside to start a new store, or choose another store with "
                   "--store PATH.")
                    .arg(file));
        }
        if (fullCheck || headerSaysTruncated(file))
            return quickCheck(check, file);
        return {};
    }

    // One change of an existing incident, as a transaction: begin, load, let the body change the incident and add
    // events, save the row, commit. The body returns an error to refuse; then nothing is written.
    class Change {
    public:
        Change(Private* d, const QString& path, qint64 incidentId, const QString& actor, qint64 nowMs, QString writing)
            : m_d(d)
            , m_path(path)
            , m_incidentId(incidentId)
            , m_actor(actor.isEmpty() ? IncidentStore::currentOperator() : actor)
            , m_nowMs(nowMs)
            , m_writing(std::move(writing))
        {
        }

        // body(Incident&, Change&) → StoreError (none: go on)
        template <typename Body> StoreChange run(bool isOpen, const Body& body)
        {
            if (!isOpen)
                return failedChange(notOpen(m_path));
            if (StoreError refusal = m_d->writeRefusal(m_path); refusal.isError())
                return failedChange(refusal);
            if (!m_d->run(u"BEGIN IMMEDIATE"_s))
                return failedChange(fromSql(m_d->sqlError, m_path, m_writing));
            bool failed = false;
            std::optional<Incident> incident = m_d->loadIncident(m_incidentId, &failed);
            StoreError error;
            if (failed)
                error = fromSql(m_d->sqlError, m_path, m_writing);
            else if (!incident)
                error = refused(tr("There is no incident %1 in this store.").arg(m_incidentId));
            else
                error = body(*incident, *this);
            if (!error.isError() && !m_sqlFailed) {
                if (!m_d->saveIncident(*incident) || !m_d->run(u"COMMIT"_s))
                    m_sqlFailed = true;
            }
            if (m_sqlFailed && !error.isError())
                error = fromSql(m_d->sqlError, m_path, m_writing);
            if (error.isError()) {
                m_d->run(u"ROLLBACK"_s);
                return failedChange(error);
            }
            m_change.ok = true;
            m_change.incident = *incident;
            return m_change;
        }

        // Appends one event; false (and the change fails) if SQLite refused.
        bool add(Incident& incident, const char16_t* kind, const QString& summary, const QJsonObject& detail)
        {
            return add(incident, QString::fromUtf16(kind), summary, detail);
        }
        bool add(Incident& incident, const QString& kind, const QString& summary, const QJsonObject& detail)
        {
            if (m_sqlFailed)
                return false;
            if (!m_d->addEvent(m_change, incident, kind, summary, detail, m_actor, m_nowMs))
                m_sqlFailed = true;
            return !m_sqlFailed;
        }

        // The implicit acknowledgement of an incident that is resolved or moved on before anyone acknowledged it.
        void acknowledgeImplicitly(Incident& incident, const QString& by)
        {
            incident.acknowledgedMs = m_nowMs;
            add(incident, EventKind::Acknowledged, tr("Acknowledged by %1 (%2)").arg(m_actor, by),
                { { u"afterMs"_s, m_nowMs - incident.startedMs }, { u"implicit"_s, true }, { u"by"_s, by } });
        }

        qint64 nowMs() const { return m_nowMs; }
        const QString& actor() const { return m_actor; }

    private:
        Private* m_d;
        QString m_path;
        qint64 m_incidentId;
        QString m_actor;
        qint64 m_nowMs;
        QString m_writing;
        StoreChange m_change;
        bool m_sqlFailed = false;
    };
};

IncidentStore::IncidentStore(QString path)
    : d(new Private)
    , m_path(std::move(path))
{
}

IncidentStore::~IncidentStore()
{
    close();
    delete d;
}

int IncidentStore::currentSchemaVersion() { return SchemaVersion; }

QString IncidentStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/incidents.sqlite"_s;
}

QString IncidentStore::moveAside(const QString& path, QString* errorMessage)
{
    const auto fail = [errorMessage](const QString& message) {
        if (errorMessage)
            *errorMessage = message;
        return QString();
    };
    if (!QFileInfo::exists(path))
        return fail(tr("There is no file %1 to move aside.").arg(path));
    const QString stamp = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmss'Z'"_s);
    QString target = path + u".corrupt-"_s + stamp;
    for (int n = 2; QFileInfo::exists(target) || QFileInfo::exists(target + u"-wal"_s); ++n)
        target = path + u".corrupt-"_s + stamp + u'-' + QString::number(n);

    // The -wal belongs to its database: move it first, so that a new store at path can never pick it up.
    QStringList moved;
    for (const QString& suffix : { u"-wal"_s, u"-shm"_s }) {
        if (!QFileInfo::exists(path + suffix))
            continue;
        if (!QFile::rename(path + suffix, target + suffix)) {
            for (const QString& back : std::as_const(moved))
                QFile::rename(target + back, path + back);
            return fail(tr("Could not move %1 aside to %2.").arg(path + suffix, target + suffix));
        }
        moved.append(suffix);
    }
    if (!QFile::rename(path, target)) {
        for (const QString& back : std::as_const(moved))
            QFile::rename(target + back, path + back);
        return fail(tr("Could not move %1 aside to %2.").arg(path, target));
    }
    if (errorMessage)
        errorMessage->clear();
    return target;
}

QString IncidentStore::currentOperator()
{
    for (const char* variable : { "USER", "LOGNAME" }) {
        const QString name = qEnvironmentVariable(variable).trimmed();
        if (!name.isEmpty())
            return name;
    }
    passwd entry {};
    passwd* found = nullptr;
    char buffer[4096];
    if (getpwuid_r(geteuid(), &entry, buffer, sizeof buffer, &found) == 0 && found && found->pw_name)
        return QString::fromLocal8Bit(found->pw_name);
    return u"uid %1"_s.arg(geteuid());
}

bool IncidentStore::open(Check check)
{
    close();
    m_error = {};
    d->damage = {};
    d->corruptSeen = {};
    d->checking = false;
    d->readOnly = false;
    if (m_path.trimmed().isEmpty()) {
        m_error = makeError(StoreError::Code::Io, tr("No file was given for the incident store."));
        return false;
    }
    const QFileInfo info(m_path);
    const QString file = info.absoluteFilePath();
    const auto fail = [this](StoreError error) {
        close();
        m_error = std::move(error);
        return false;
    };

    if (!QDir().mkpath(info.absolutePath())) {
        return fail(makeError(StoreError::Code::Unwritable,
            tr("Cannot create the folder %1 for the incident store %2. Check its permissions, or choose another "
               "store with --store PATH.")
                .arg(info.absolutePath(), file)));
    }
    d->connectionName = u"petforce-store-%1"_s.arg(g_connectionCounter.fetchAndAddOrdered(1));
    if (!QSqlDatabase::isDriverAvailable(u"QSQLITE"_s)) {
        return fail(makeError(StoreError::Code::Io,
            tr("Cannot open the incident store %1: Qt's SQLite driver (QSQLITE) is not installed. Install the "
               "libqt6sql6-sqlite package.")
                .arg(file)));
    }

    // The checks that need no SQLite come first: a newer file closed cleanly, then permissions. Only a store this
    // process could write is looked at through SQLite, whose read-only connection may create -wal/-shm files that
    // would otherwise belong to the wrong user.
    const bool exists = info.exists() && info.size() > 0;
    if (exists) {
        if (const std::optional<int> version = headerVersion(file); version && *version > SchemaVersion)
            return fail(newerSchema(file, *version));
    }
    if (::access(QFile::encodeName(info.absolutePath()).constData(), W_OK) != 0) {
        return fail(makeError(StoreError::Code::Unwritable,
            tr("Cannot write in the folder %1 of the incident store %2 (%3). Check its permissions, or choose "
               "another store with --store PATH.")
                .arg(info.absolutePath(), file, QString::fromLocal8Bit(std::strerror(errno)))));
    }
    if (info.exists()) {
        QFile probe(file);
        if (!probe.open(QIODevice::ReadWrite)) {
            return fail(makeError(StoreError::Code::Unwritable,
                tr("The incident store %1 cannot be written (%2). Check the permissions of the file and its folder, "
                   "or choose another store with --store PATH.")
                    .arg(file, probe.errorString())));
        }
    }
    // A big store in WAL mode at the current schema can be read before its check: opened read-only, nothing is
    // written until confirmChecked(). Any other file is checked whole first (it may need writes to open).
    bool deferred = exists && check == Check::Deferred && !d->skipQuickCheck && info.size() > QuickCheckMaxBytes
        && headerSaysWal(file);
    if (exists) {
        int version = 0;
        StoreError error = d->inspect(file, !deferred && !d->skipQuickCheck, &version);
        if (!error.isError() && deferred && version != SchemaVersion) {
            deferred = false;
            error = d->inspect(file, true, &version);
        }
        if (error.isError())
            return fail(error);
        if (deferred) {
            const QString opening = tr("opening it");
            if (const QSqlError e = d->connect(file, true); e.isValid())
                return fail(fromSql(e, file, opening));
            if (!d->run(u"PRAGMA busy_timeout = %1"_s.arg(BusyTimeoutMs)))
                return fail(fromSql(d->sqlError, file, opening));
            d->schemaVersion = version;
            d->checking = true;
            d->open = true;
            return true;
        }
    }

    // One process at a time switches a store to WAL and migrates it. The lock file sits beside the store; a lock
    // left by a process that died is taken over (QLockFile checks that its owner still runs).
    // (QLockFile::tryLock(timeout) backs off to 100, 200, 400 ms... between attempts; opens take milliseconds, so
    // poll in short steps instead.)
    QLockFile lock(file + u".lock"_s);
    lock.setStaleLockTime(0);
    QElapsedTimer lockWait;
    lockWait.start();
    bool locked = lock.tryLock(0);
    while (!locked && lock.error() == QLockFile::LockFailedError && lockWait.elapsed() < OpenLockTimeoutMs) {
        QThread::msleep(2 + QRandomGenerator::global()->bounded(8));
        locked = lock.tryLock(0);
    }
    if (!locked) {
        switch (lock.error()) {
        case QLockFile::PermissionError:
            return fail(makeError(StoreError::Code::Unwritable,
                tr("Cannot write in the folder %1 of the incident store %2. Check its permissions, or choose "
                   "another store with --store PATH.")
                    .arg(info.absolutePath(), file)));
        case QLockFile::LockFailedError:
            return fail(makeError(StoreError::Code::Busy,
                tr("Another program has been opening the incident store %1 for more than %2 seconds (lock file "
                   "%3). Try again.")
                    .arg(file)
                    .arg(OpenLockTimeoutMs / 1000)
                    .arg(lock.fileName())));
        default:
            return fail(makeError(StoreError::Code::Io,
                tr("Cannot create the lock file %1 beside the incident store.").arg(lock.fileName())));
        }
    }

    const QString opening = tr("opening it");
    if (const QSqlError e = d->connect(file, false); e.isValid())
        return fail(fromSql(e, file, opening));
    // busy_timeout first, so that every later statement waits for other processes instead of failing.
    if (!d->run(u"PRAGMA busy_timeout = %1"_s.arg(BusyTimeoutMs)))
        return fail(fromSql(d->sqlError, file, opening));

    const std::optional<QVariant> version = d->value(u"PRAGMA user_version"_s);
    if (!version)
        return fail(fromSql(d->sqlError, file, opening));
    if (version->toInt() > SchemaVersion) // upgraded by a newer console since the pre-flight
        return fail(newerSchema(file, version->toInt()));

    // Switching to WAL needs a moment with no other connection in the file; a racing first open of another process
    // can make it fail at once with "database is locked" (the busy handler is not consulted): retry.
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        const std::optional<QVariant> mode = d->value(u"PRAGMA journal_mode = WAL"_s);
        if (mode && mode->toString().compare(u"wal"_s, Qt::CaseInsensitive) == 0)
            break;
        if (mode) {
            return fail(makeError(StoreError::Code::Io,
                tr("The incident store %1 cannot use write-ahead logging (journal mode stays %2).")
                    .arg(file, mode->toString())));
        }
        const int code = sqliteCode(d->sqlError);
        if ((code != SqliteBusy && code != SqliteLocked) || waited.elapsed() > WalRetryMs)
            return fail(fromSql(d->sqlError, file, opening));
        QThread::msleep(10 + QRandomGenerator::global()->bounded(40));
    }
    if (!d->run(u"PRAGMA synchronous = FULL"_s) || !d->run(u"PRAGMA foreign_keys = ON"_s))
        return fail(fromSql(d->sqlError, file, opening));

    // Migrations: each version in its own transaction, which re-reads the version so that it never runs twice.
    for (int target = version->toInt() + 1; target <= SchemaVersion; ++target) {
        const QString migrating = tr("upgrading it to schema version %1").arg(target);
        if (!d->run(u"BEGIN IMMEDIATE"_s))
            return fail(fromSql(d->sqlError, file, migrating));
        const std::optional<QVariant> now = d->value(u"PRAGMA user_version"_s);
        bool ok = now.has_value();
        if (ok && now->toInt() == target - 1) {
            const QStringList statements = migrationStatements(target);
            for (const QString& sql : statements) {
                QSqlQuery q(d->db());
                if (!q.exec(sql)) {
                    d->sqlError = q.lastError();
                    ok = false;
                    break;
                }
            }
            ok = ok && d->run(u"PRAGMA user_version = %1"_s.arg(target));
        }
        if (!ok || !d->run(u"COMMIT"_s)) {
            const QSqlError error = d->sqlError;
            d->run(u"ROLLBACK"_s);
            return fail(fromSql(error, file, migrating));
        }
    }
    lock.unlock();

    d->schemaVersion = SchemaVersion;
    d->open = true;
    return true;
}

bool IncidentStore::isOpen() const { return d->open; }

void IncidentStore::close()
{
    if (d->connectionName.isEmpty())
        return;
    if (d->damaged())
        d->switchToReadOnly(QFileInfo(m_path).absoluteFilePath());
    d->statements.clear();
    {
        QSqlDatabase db = QSqlDatabase::database(d->connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(d->connectionName);
    d->connectionName.clear();
    d->open = false;
    d->schemaVersion = 0;
    d->checking = false;
}

StoreError IncidentStore::checkFile(const QString& path)
{
    const QString file = QFileInfo(path).absoluteFilePath();
    const QString name = u"petforce-check-%1"_s.arg(g_connectionCounter.fetchAndAddOrdered(1));
    StoreError error;
    {
        QSqlDatabase check = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        check.setDatabaseName(file);
        check.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=%1"_s.arg(BusyTimeoutMs));
        error = check.open() ? quickCheck(check, file, false) : fromSql(check.lastError(), file, tr("checking it"));
        check.close();
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

bool IncidentStore::isChecking() const { return d->open && d->checking; }

bool IncidentStore::confirmChecked()
{
    if (!d->open || !d->checking)
        return d->open && !d->damaged();
    if (d->damaged()) {
        m_error = d->writeRefusal(m_path);
        return false;
    }
    d->skipQuickCheck = true;
    const bool ok = open(Check::Full);
    d->skipQuickCheck = false;
    return ok;
}

bool IncidentStore::isDamaged() const { return d->damaged(); }

StoreError IncidentStore::damageError() const { return d->damaged() ? d->writeRefusal(m_path) : StoreError {}; }

void IncidentStore::markDamaged(const StoreError& error)
{
    d->damage = error.code == StoreError::Code::Corrupt ? error : damagedError(m_path, error.message);
    d->checking = false;
    if (d->open)
        d->switchToReadOnly(QFileInfo(m_path).absoluteFilePath());
}

int IncidentStore::schemaVersion() const { return d->open ? d->schemaVersion : 0; }

StoreChange IncidentStore::createIncident(const IncidentDraft& draft, const QString& actor, qint64 nowMs)
{
    if (!d->open)
        return failedChange(m_error = notOpen(m_path));
    if (const QString invalid = draft.validationError(); !invalid.isEmpty())
        return failedChange(m_error = refused(invalid));
    if (StoreError refusal = d->writeRefusal(m_path); refusal.isError())
        return failedChange(m_error = refusal);
    const QString who = actor.isEmpty() ? currentOperator() : actor;
    const QString writing = tr("opening an incident");
    if (!d->run(u"BEGIN IMMEDIATE"_s))
        return failedChange(m_error = fromSql(d->sqlError, m_path, writing));

    StoreChange change;
    Incident& i = change.incident;
    i.title = draft.title.trimmed();
    i.severity = draft.severity;
    i.status = IncidentStatus::Investigating;
    i.environment = draft.environment.trimmed();
    i.commander = draft.commander.trimmed().isEmpty() ? who : draft.commander.trimmed();
    i.impact = draft.impact.trimmed();
    i.startedMs = nowMs;
    i.flowStep = 0;
    i.stepEnteredMs = nowMs;
    bool ok = false;
    if (QSqlQuery* q = d->exec(u"INSERT INTO incidents (title, severity, status, environment, commander, impact, "
                               u"started_ms, acknowledged_ms, resolved_ms, flow_step, step_entered_ms, last_seq) "
                               u"VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, 0)"_s,
            { textValue(i.title), severityText(i.severity), incidentStatusName(i.status), textValue(i.environment),
                textValue(i.commander), textValue(i.impact), i.startedMs, i.flowStep, i.stepEnteredMs })) {
        i.id = q->lastInsertId().toLongLong();
        q->finish();
        const QJsonObject detail { { u"title"_s, i.title }, { u"severity"_s, severityCode(i.severity) },
            { u"environment"_s, i.environment }, { u"impact"_s, i.impact }, { u"commander"_s, i.commander } };
        ok = d->addEvent(change, i, QString::fromUtf16(EventKind::Created),
                 tr("Opened %1 incident in %2: %3").arg(severityCode(i.severity), i.environment, i.title), detail, who,
                 nowMs)
            && d->saveIncident(i) && d->run(u"COMMIT"_s);
    }
    if (!ok) {
        const QSqlError error = d->sqlError;
        d->run(u"ROLLBACK"_s);
        return failedChange(m_error = fromSql(error, m_path, writing));
    }
    change.ok = true;
    m_error = {};
    return change;
}

StoreChange IncidentStore::acknowledge(qint64 incidentId, const QString& actor, qint64 nowMs)
{
    Private::Change runner(d, m_path, incidentId, actor, nowMs, tr("acknowledging incident %1").arg(incidentId));
    StoreChange change = runner.run(d->open, [](Incident& i, Private::Change& r) -> StoreError {
        if (!i.isOpen())
            return resolvedRefusal(i);
        if (i.acknowledgedMs)
            return refused(
                tr("Incident %1 was already acknowledged at %2 UTC.").arg(i.id).arg(utcText(*i.acknowledgedMs)));
        i.acknowledgedMs = r.nowMs();
        r.add(i, EventKind::Acknowledged, tr("Acknowledged by %1").arg(r.actor()),
            { { u"afterMs"_s, r.nowMs() - i.startedMs } });
        if (i.flowStep == 0 && ResponseFlow::defaults().stepCount() > 1) {
            i.flowStep = 1;
            i.stepEnteredMs = r.nowMs();
            r.add(i, EventKind::StepEntered, stepSummary(1), stepDetail(0, 1));
        }
        return {};
    });
    m_error = change.error;
    return change;
}

StoreChange IncidentStore::changeSeverity(
    qint64 incidentId, Severity severity, const QString& reason, const QString& actor, qint64 nowMs)
{
    Private::Change runner(
        d, m_path, incidentId, actor, nowMs, tr("changing the severity of incident %1").arg(incidentId));
    StoreChange change = runner.run(d->open, [&](Incident& i, Private::Change& r) -> StoreError {
        if (!i.isOpen())
            return resolvedRefusal(i);
        if (i.severity == severity)
            return refused(tr("Incident %1 is already %2.").arg(i.id).arg(severityCode(severity)));
        const QString from = severityCode(i.severity);
        const QString to = severityCode(severity);
        const QString why = reason.trimmed();
        i.severity = severity;
        r.add(i, EventKind::SeverityChanged,
            why.isEmpty() ? tr("Severity %1 → %2").arg(from, to)
                          : tr("Severity %1 → %2: %3").arg(from, to, firstLine(why)),
            { { u"from"_s, from }, { u"to"_s, to }, { u"reason"_s, why } });
        return {};
    });
    m_error = change.error;
    return change;
}

StoreChange IncidentStore::enterFlowStep(qint64 incidentId, int step, const QString& actor, qint64 nowMs)
{
    Private::Change runner(
        d, m_path, incidentId, actor, nowMs, tr("moving incident %1 to another step").arg(incidentId));
    StoreChange change = runner.run(d->open, [&](Incident& i, Private::Change& r) -> StoreError {
        const ResponseFlow& flow = ResponseFlow::defaults();
        if (!i.isOpen())
            return resolvedRefusal(i);
        if (step < 0 || step >= flow.stepCount())
            return refused(
                tr("There is no step %1 in the response flow (steps 0 to %2).").arg(step).arg(flow.stepCount() - 1));
        if (step == i.flowStep)
            return refused(tr("Incident %1 is already in step %2 (%3).").arg(i.id).arg(step).arg(flow.step(step).name));
        if (step == 0)
            return refused(
                tr("Incident %1 cannot go back to %2: every incident starts there.").arg(i.id).arg(flow.step(0).name));
        if (!i.acknowledgedMs)
            r.acknowledgeImplicitly(i, QString::fromUtf16(EventKind::StepEntered));
        const int from = i.flowStep;
        i.flowStep = step;
        i.stepEnteredMs = r.nowMs();
        r.add(i, EventKind::StepEntered, stepSummary(step), stepDetail(from, step));
        return {};
    });
    m_error = change.error;
    return change;
}

StoreChange IncidentStore::changeStatus(qint64 incidentId, IncidentStatus status, const QString& actor, qint64 nowMs)
{
    if (status == IncidentStatus::Resolved)
        return resolve(incidentId, QString(), actor, nowMs);
    Private::Change runner(
        d, m_path, incidentId, actor, nowMs, tr("changing the status of incident %1").arg(incidentId));
    StoreChange change = runner.run(d->open, [&](Incident& i, Private::Change& r) -> StoreError {
        if (!i.isOpen())
            return resolvedRefusal(i);
        if (i.status == status)
            return refused(tr("Incident %1 is already %2.").arg(i.id).arg(incidentStatusName(status)));
        const QString from = incidentStatusName(i.status);
        const QString to = incidentStatusName(status);
        i.status = status;
        r.add(
            i, EventKind::StatusChanged, tr("Status %1 → %2").arg(from, to), { { u"from"_s, from }, { u"to"_s, to } });
        return {};
    });
    m_error = change.error;
    return change;
}

StoreChange IncidentStore::resolve(qint64 incidentId, const QString& summary, const QString& actor, qint64 nowMs)
{
    Private::Change runner(d, m_path, incidentId, actor, nowMs, tr("resolving incident %1").arg(incidentId));
    StoreChange change = runner.run(d->open, [&](Incident& i, Private::Change& r) -> StoreError {
        if (!i.isOpen())
            return refused(tr("Incident %1 is already resolved.").arg(i.id));
        if (!i.acknowledgedMs)
            r.acknowledgeImplicitly(i, QString::fromUtf16(EventKind::Resolved));
        const QString text = summary.trimmed();
        const QString from = incidentStatusName(i.status);
        i.status = IncidentStatus::Resolved;
        i.resolvedMs = r.nowMs();
        r.add(i, EventKind::Resolved, text.isEmpty() ? tr("Resolved") : tr("Resolved: %1").arg(firstLine(text)),
            { { u"summary"_s, text }, { u"from"_s, from }, { u"durationMs"_s, r.nowMs() - i.startedMs } });
        return {};
    });
    m_error = change.error;
    return change;
}

StoreChange IncidentStore::addNote(qint64 incidentId, const QString& text, const QString& actor, qint64 nowMs)
{
    Private::Change runner(d, m_path, incidentId, actor, nowMs, tr("adding a note to incident %1").arg(incidentId));
    StoreChange change = runner.run(d->open, [&](Incident& i, Private::Change& r) -> StoreError {
        const QString note = text.trimmed();
        if (note.isEmpty())
            return refused(tr("A note needs some text."));
        if (note.size() > NoteMaxChars)
            return refused(tr("The note is too long (%1 characters; at most %2).").arg(note.size()).arg(NoteMaxChars));
        r.add(i, EventKind::Note, firstLine(note), { { u"text"_s, note } });
        return {};
    });
    m_error = change.error;
    return change;
}

QString IncidentStore::sideFolder(const QString& storePath) { return storePath + u".details"_s; }

QJsonObject IncidentStore::cappedDetail(const QJsonObject& detail, const QString& sideFile, qint64 sideBytes,
    const QByteArray& sideSha256, qsizetype capBytes)
{
    constexpr qsizetype Reserve = 4096; // the reference and the lists of keys
    constexpr qsizetype MaxStringChars = 4096;
    const auto compactSize
        = [](const QJsonValue& v) { return QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact).size() - 2; };
    QJsonObject out;
    QJsonArray cut, omitted;
    qsizetype used = 2;
    const qsizetype budget = capBytes - Reserve;
    for (auto it = detail.constBegin(); it != detail.constEnd(); ++it) {
        const qsizetype keySize = it.key().toUtf8().size() + 4;
        const qsizetype size = compactSize(it.value());
        if (used + keySize + size <= budget) {
            out.insert(it.key(), it.value());
            used += keySize + size;
            continue;
        }
        // A long string keeps its start: at most 6 bytes a character once escaped, so the bound holds.
        const qsizetype room = qMin<qsizetype>(MaxStringChars, (budget - used - keySize - 8) / 6);
        if (it.value().isString() && room >= 64) {
            const QString s = it.value().toString().left(room) + u'…';
            out.insert(it.key(), s);
            used += keySize + compactSize(s);
            cut.append(it.key());
        } else {
            omitted.append(it.key());
        }
    }
    if (omitted.size() + cut.size() > 64) { // very many keys: the lists would outgrow the reserve
        omitted = QJsonArray { u"(%1 keys)"_s.arg(omitted.size()) };
        cut = QJsonArray { u"(%1 keys)"_s.arg(cut.size()) };
    }
    out.insert(u"detailCut"_s,
        QJsonObject { { u"file"_s, sideFile }, { u"bytes"_s, sideBytes },
            { u"sha256"_s, QString::fromLatin1(sideSha256) }, { u"cut"_s, cut }, { u"omitted"_s, omitted } });
    if (QJsonDocument(out).toJson(QJsonDocument::Compact).size() > capBytes)
        out = QJsonObject { { u"detailCut"_s, out.value(u"detailCut"_s) } };
    return out;
}

StoreChange IncidentStore::appendEvent(qint64 incidentId, const QString& kind, const QString& summary,
    const QJsonObject& detail, const QString& actor, qint64 nowMs)
{
    const QByteArray compact = QJsonDocument(detail).toJson(QJsonDocument::Compact);
    if ((compact.size() > EventDetailCapBytes || summary.size() > EventSummaryMaxChars) && d->open) {
        // Too big for the store: the whole event in a side file first, then the event with a cut detail.
        const QString name = u"incident-%1-%2-%3.json"_s.arg(incidentId)
                                 .arg(nowMs)
                                 .arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
        const QString folder = sideFolder(m_path);
        const QString file = folder + u'/' + name;
        const QByteArray whole = QJsonDocument(
            QJsonObject { { u"incident"_s, incidentId }, { u"timeMs"_s, nowMs }, { u"kind"_s, kind },
                { u"summary"_s, summary },
                { u"detail"_s,
                    detail } }).toJson(QJsonDocument::Compact);
        QString error;
        if (!QDir().mkpath(folder) || !AtomicFileWriter::write(file, whole, &error)) {
            StoreChange failed;
            failed.error = { StoreError::Code::Io,
                tr("The event's detail (%1 bytes) is too big for the store and its side file %2 could not be "
                   "written: %3")
                    .arg(compact.size())
                    .arg(file, error.isEmpty() ? tr("cannot create the folder") : error) };
            m_error = failed.error;
            return failed;
        }
        const QJsonObject capped = cappedDetail(
            detail, name, whole.size(), QCryptographicHash::hash(whole, QCryptographicHash::Sha256).toHex());
        const QString shortSummary
            = summary.size() > EventSummaryMaxChars ? summary.left(EventSummaryMaxChars - 1) + u'…' : summary;
        StoreChange change = appendEvent(incidentId, kind, shortSummary, capped, actor, nowMs);
        if (!change.ok)
            QFile::remove(file);
        return change;
    }
    Private::Change runner(d, m_path, incidentId, actor, nowMs, tr("adding an event to incident %1").arg(incidentId));
    StoreChange change = runner.run(d->open, [&](Incident& i, Private::Change& r) -> StoreError {
        const QString k = kind.trimmed();
        if (k.isEmpty())
            return refused(tr("An event needs a kind."));
        for (const char16_t* own : { EventKind::Created, EventKind::SeverityChanged, EventKind::Acknowledged,
                 EventKind::StepEntered, EventKind::StatusChanged, EventKind::Resolved }) {
            if (k == QStringView(own))
                return refused(
                    tr("Events of kind %1 are written by the store itself, with the change they describe.").arg(k));
        }
        r.add(i, k, summary, detail);
        return {};
    });
    m_error = change.error;
    return change;
}

QList<Incident> IncidentStore::incidents(Filter filter)
{
    if (!d->open) {
        m_error = notOpen(m_path);
        return {};
    }
    QString sql = u"SELECT "_s + IncidentColumns + u" FROM incidents"_s;
    if (filter == Filter::Open)
        sql += u" WHERE status <> 'Resolved'"_s;
    else if (filter == Filter::Resolved)
        sql += u" WHERE status = 'Resolved'"_s;
    sql += u" ORDER BY id"_s;
    QSqlQuery* q = d->exec(sql);
    if (!q) {
        m_error = fromSql(d->sqlError, m_path, tr("reading incidents"));
        return {};
    }
    QList<Incident> result;
    while (q->next())
        result.append(incidentFromRow(*q));
    if (d->stepFailed(q)) {
        m_error = fromSql(d->sqlError, m_path, tr("reading incidents"));
        return {};
    }
    q->finish();
    m_error = {};
    return result;
}

std::optional<Incident> IncidentStore::incident(qint64 incidentId)
{
    if (!d->open) {
        m_error = notOpen(m_path);
        return std::nullopt;
    }
    bool failed = false;
    std::optional<Incident> result = d->loadIncident(incidentId, &failed);
    m_error = failed ? fromSql(d->sqlError, m_path, tr("reading incident %1").arg(incidentId)) : StoreError {};
    return result;
}

qint64 IncidentStore::eventCount(qint64 incidentId)
{
    if (!d->open) {
        m_error = notOpen(m_path);
        return 0;
    }
    const std::optional<QVariant> v = d->value(u"SELECT count(*) FROM events WHERE incident_id = ?"_s, { incidentId });
    m_error = v ? StoreError {} : fromSql(d->sqlError, m_path, tr("counting events"));
    return v ? v->toLongLong() : 0;
}

QList<TimelineEvent> IncidentStore::events(qint64 incidentId, qint64 afterSeq, int limit)
{
    if (!d->open) {
        m_error = notOpen(m_path);
        return {};
    }
    QSqlQuery* q = d->exec(
        u"SELECT "_s + EventColumns + u" FROM events WHERE incident_id = ? AND seq > ? ORDER BY seq LIMIT ?"_s,
        { incidentId, afterSeq, limit < 0 ? -1 : limit });
    if (!q) {
        m_error = fromSql(d->sqlError, m_path, tr("reading the timeline"));
        return {};
    }
    QList<TimelineEvent> result;
    while (q->next())
        result.append(eventFromRow(*q));
    if (d->stepFailed(q)) {
        m_error = fromSql(d->sqlError, m_path, tr("reading the timeline"));
        return {};
    }
    q->finish();
    m_error = {};
    return result;
}

QList<TimelineEvent> IncidentStore::eventsSince(qint64 afterSeq, int limit)
{
    if (!d->open) {
        m_error = notOpen(m_path);
        return {};
    }
    QSqlQuery* q = d->exec(u"SELECT "_s + EventColumns + u" FROM events WHERE seq > ? ORDER BY seq LIMIT ?"_s,
        { afterSeq, limit < 0 ? -1 : limit });
    if (!q) {
        m_error = fromSql(d->sqlError, m_path, tr("reading new events"));
        return {};
    }
    QList<TimelineEvent> result;
    while (q->next())
        result.append(eventFromRow(*q));
    if (d->stepFailed(q)) {
        m_error = fromSql(d->sqlError, m_path, tr("reading new events"));
        return {};
    }
    q->finish();
    m_error = {};
    return result;
}

qint64 IncidentStore::maxSeq()
{
    if (!d->open) {
        m_error = notOpen(m_path);
        return 0;
    }
    const std::optional<QVariant> v = d->value(u"SELECT coalesce(max(seq), 0) FROM events"_s);
    m_error = v ? StoreError {} : fromSql(d->sqlError, m_path, tr("reading the newest event"));
    return v ? v->toLongLong() : 0;
}

QString IncidentStore::integrityCheck()
{
    if (!d->open) {
        m_error = notOpen(m_path);
        return m_error.message;
    }
    QSqlQuery q(d->db());
    if (!q.exec(u"PRAGMA integrity_check"_s)) {
        d->noteError(q.lastError());
        m_error = fromSql(q.lastError(), m_path, tr("checking it"));
        return q.lastError().text();
    }
    QStringList report;
    while (q.next())
        report.append(q.value(0).toString());
    m_error = {};
    return report.join(u'\n');
}

bool IncidentStore::savePostmortem(const PostmortemRecord& record)
{
    if (!d->open) {
        m_error = notOpen(m_path);
        return false;
    }
    if (StoreError refusal = d->writeRefusal(m_path); refusal.isError()) {
        m_error = refusal;
        return false;
    }
    const QString writing = tr("saving the post-mortem of incident %1").arg(record.incidentId);
    bool failed = false;
    if (!d->loadIncident(record.incidentId, &failed)) {
        m_error = failed ? fromSql(d->sqlError, m_path, writing)
                         : refused(tr("There is no incident %1.").arg(record.incidentId));
        return false;
    }
    if (!d->run(u"INSERT INTO postmortems (incident_id, markdown, action_items, time_zone, updated_ms) "
                u"VALUES (?, ?, ?, ?, ?) ON CONFLICT(incident_id) DO UPDATE SET markdown = excluded.markdown, "
                u"action_items = excluded.action_items, time_zone = excluded.time_zone, "
                u"updated_ms = excluded.updated_ms"_s,
            { record.incidentId, textValue(record.markdown),
                QString::fromUtf8(QJsonDocument(ActionItem::toJson(record.actionItems)).toJson(QJsonDocument::Compact)),
                textValue(record.timeZone), record.updatedMs })) {
        m_error = fromSql(d->sqlError, m_path, writing);
        return false;
    }
    m_error = {};
    return true;
}

std::optional<PostmortemRecord> IncidentStore::postmortem(qint64 incidentId)
{
    if (!d->open) {
        m_error = notOpen(m_path);
        return std::nullopt;
    }
    QSqlQuery* q
        = d->exec(u"SELECT markdown, action_items, time_zone, updated_ms FROM postmortems WHERE incident_id = ?"_s,
            { incidentId });
    if (!q) {
        m_error = fromSql(d->sqlError, m_path, tr("reading the post-mortem of incident %1").arg(incidentId));
        return std::nullopt;
    }
    std::optional<PostmortemRecord> result;
    if (q->next()) {
        PostmortemRecord r;
        r.incidentId = incidentId;
        r.markdown = q->value(0).toString();
        r.actionItems = ActionItem::fromJson(QJsonDocument::fromJson(q->value(1).toString().toUtf8()).array());
        r.timeZone = q->value(2).toString();
        r.updatedMs = q->value(3).toLongLong();
        result = r;
    }
    if (d->stepFailed(q)) {
        m_error = fromSql(d->sqlError, m_path, tr("reading the post-mortem of incident %1").arg(incidentId));
        return std::nullopt;
    }
    q->finish();
    m_error = {};
    return result;
}
