// SPDX-License-Identifier: MIT
#include "services/pgsession.h"

#include "services/backgroundio.h"
#include "services/libpq.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <QElapsedTimer>
#include <QHostAddress>
#include <QHostInfo>
#include <QPointer>
#include <QSocketNotifier>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <deque>
#include <optional>
#include <thread>

using namespace Qt::StringLiterals;

namespace {
constexpr quint64 SettingsQueryId = 0; // the session's own query after connecting
constexpr int MaxBackoffMs = 30000;
// Cancel threads blocked on a frozen server (PQcancel has no timeout in libpq 15). Past this many, a deadline
// goes straight to dropping the connection.
constexpr int MaxPendingCancels = 8;
std::atomic<int> g_pendingCancels { 0 };

// Only once LibPq::get() has succeeded: startConnect checks it before any other call.
const LibPq& pq() { return *LibPq::get(); }

QString libpqError(const PGconn* conn)
{
    return conn ? QString::fromUtf8(pq().PQerrorMessage(conn)).trimmed() : u"out of memory"_s;
}

QVariant cellValue(const PGresult* r, int row, int col, Oid type)
{
    if (pq().PQgetisnull(r, row, col))
        return {};
    const char* v = pq().PQgetvalue(r, row, col);
    const int len = pq().PQgetlength(r, row, col);
    const QByteArrayView bytes(v, len);
    bool ok = false;
    switch (type) {
    case 16: // bool
        return QVariant(len > 0 && v[0] == 't');
    case 20: // int8
    case 21: // int2
    case 23: // int4
    case 26: { // oid
        const qlonglong n = bytes.toLongLong(&ok);
        if (ok)
            return QVariant(n);
        break;
    }
    case 700: // float4
    case 701: { // float8
        const double x = bytes.toDouble(&ok);
        if (ok)
            return QVariant(x);
        break;
    }
    default:
        break;
    }
    return QVariant(QString::fromUtf8(bytes));
}

// A cell as the .tsv of a step has it (the text of cellValue(), NULL for SQL NULL), appended to out without a
// QString on the way for text columns.
void appendTsvCell(QByteArray& out, const PGresult* r, int row, int col, Oid type)
{
    if (pq().PQgetisnull(r, row, col)) {
        out += "NULL";
        return;
    }
    switch (type) {
    case 16:
    case 20:
    case 21:
    case 23:
    case 26:
    case 700:
    case 701:
        out += cellValue(r, row, col, type).toString().toUtf8();
        return;
    default:
        out.append(pq().PQgetvalue(r, row, col), pq().PQgetlength(r, row, col));
    }
}

PgError resultError(const PGresult* r)
{
    auto field = [r](int code) { return QString::fromUtf8(pq().PQresultErrorField(r, code)); };
    PgError e;
    e.sqlState = field(PG_DIAG_SQLSTATE);
    e.severity = field(PG_DIAG_SEVERITY_NONLOCALIZED);
    e.message = field(PG_DIAG_MESSAGE_PRIMARY);
    e.detail = field(PG_DIAG_MESSAGE_DETAIL);
    e.hint = field(PG_DIAG_MESSAGE_HINT);
    e.position = field(PG_DIAG_STATEMENT_POSITION).toInt();
    if (e.message.isEmpty())
        e.message = QString::fromUtf8(pq().PQresultErrorMessage(r)).trimmed();
    return e;
}

PgError clientError(const QString& message)
{
    PgError e;
    e.severity = u"ERROR"_s;
    e.message = message;
    return e;
}

QString seconds(int ms) { return QString::number(ms / 1000.0, 'g', 3) + u" s"_s; }

// Streaming (PgQuery::keepRows/outputPath): the GUI thread formats rows for at most SliceMs at a time, then lets the
// event loop run; with more than BacklogBytes handed to the file's worker and not written yet, it stops reading the
// socket (the server waits on TCP) until the worker has caught up.
constexpr qint64 SliceMs = 8;
constexpr qsizetype ChunkBytes = 1 << 20;
constexpr qint64 BacklogBytes = 16 << 20;

// The TSV file of a query's rows, written and hashed in order by the BackgroundIo worker; the session only
// formats rows into chunks and hands them over. Everything but `queued` is touched only by the worker.
struct SpillFile {
    std::unique_ptr<QFile> file;
    QCryptographicHash hash { QCryptographicHash::Sha256 };
    qint64 bytes = 0;
    QString error;
    std::atomic<qint64> queued { 0 }; // handed over, not written yet
};

struct SpillOutcome {
    qint64 bytes = 0;
    QByteArray sha256;
    QString error;
};

class Spill {
public:
    explicit Spill(const QString& path)
        : m_path(path)
        , m_file(std::make_shared<SpillFile>())
    {
        BackgroundIo::run([f = m_file, path] {
            QDir().mkpath(QFileInfo(path).absolutePath());
            f->file = std::make_unique<QFile>(path);
            if (!f->file->open(QIODevice::WriteOnly | QIODevice::Truncate))
                f->error = u"cannot write %1: %2"_s.arg(path, f->file->errorString());
        });
    }
    QString path() const { return m_path; }
    QByteArray& buffer() { return m_buffer; }
    qint64 backlog() const { return m_file->queued.load(); }
    void maybeFlush()
    {
        if (m_buffer.size() >= ChunkBytes)
            flush();
    }
    void flush()
    {
        if (m_buffer.isEmpty())
            return;
        QByteArray chunk = std::exchange(m_buffer, {});
        m_file->queued += chunk.size();
        BackgroundIo::run([f = m_file, chunk] {
            if (f->error.isEmpty() && f->file->write(chunk) != chunk.size())
                f->error = u"writing %1 failed: %2"_s.arg(f->file->fileName(), f->file->errorString());
            f->hash.addData(chunk);
            f->bytes += chunk.size();
            f->queued -= chunk.size();
        });
    }
    // A new statement: the file holds the last statement's rows only.
    void restart()
    {
        m_buffer.clear();
        BackgroundIo::run([f = m_file] {
            if (f->error.isEmpty() && (!f->file->seek(0) || !f->file->resize(0)))
                f->error = u"cannot truncate %1: %2"_s.arg(f->file->fileName(), f->file->errorString());
            f->hash.reset();
            f->bytes = 0;
        });
    }
    // Writes what is left and closes → done(outcome) on the GUI thread, unless context is gone.
    void close(QObject* context, std::function<void(SpillOutcome)> done)
    {
        flush();
        BackgroundIo::run(
            context,
            [f = m_file] {
                if (f->file)
                    f->file->close();
                return SpillOutcome { f->bytes, f->hash.result().toHex(), f->error };
            },
            std::move(done));
    }

private:
    QString m_path;
    std::shared_ptr<SpillFile> m_file;
    QByteArray m_buffer;
};
} // namespace

class PgSessionPrivate {
public:
    enum class CancelReason { None, Deadline, User };
    struct Pending {
        quint64 id = 0;
        PgQuery query;
    };
    struct Running {
        quint64 id = 0;
        PgQuery query;
        PgResult result;
        QElapsedTimer elapsed;
        CancelReason cancelReason = CancelReason::None;
        int deadlineMs = 0;
        bool inCopyOut = false;
        bool streaming = false; // keepRows or outputPath: single-row mode, rows formatted slice by slice
        bool inRows = false; // between a statement's first PGRES_SINGLE_TUPLE and its PGRES_TUPLES_OK
        QList<Oid> types; // of the current statement's columns
        std::shared_ptr<Spill> spill;
    };

    explicit PgSessionPrivate(PgSession* q)
        : q(q)
    {
        for (QTimer* t : { &connectTimer, &deadlineTimer, &cancelLimitTimer, &reconnectTimer })
            t->setSingleShot(true);
        QObject::connect(&connectTimer, &QTimer::timeout, q, [this] {
            failConnect(
                u"timed out after %1 s connecting to %2"_s.arg(options.connectTimeoutS).arg(options.describe()));
        });
        QObject::connect(&deadlineTimer, &QTimer::timeout, q, [this] { onDeadline(); });
        QObject::connect(&cancelLimitTimer, &QTimer::timeout, q, [this] { onCancelLimit(); });
        QObject::connect(&reconnectTimer, &QTimer::timeout, q, [this] { startConnect(); });
    }

    ~PgSessionPrivate() { closeConnection(); }

    PgSession* q;
    PgConnectionOptions options;
    PGconn* conn = nullptr;
    PgSession::State state = PgSession::State::Disconnected;
    bool polling = false; // PQconnectPoll phase of Connecting
    int socket = -1;
    QPointer<QSocketNotifier> readNotifier;
    QPointer<QSocketNotifier> writeNotifier;
    QTimer connectTimer, deadlineTimer, cancelLimitTimer, reconnectTimer;
    QString lastError;
    QString lastNotice; // an unsolicited message: often why the server is about to close the connection
    QDateTime disconnectedSince;
    int backendPid = 0;
    QString serverVersion;
    std::deque<Pending> queue;
    std::optional<Running> running;
    quint64 nextId = 1;
    int backoffMs = 0;
    bool paused = false; // streaming: reading stopped for a slice or for the file's worker to catch up
    bool spillClosing = false; // a finished query's file is being closed: the next query waits for its result
    int lookupId = -1; // a QHostInfo lookup in flight
    QList<QPair<QByteArray, QByteArray>> lookupPending; // (host, port) entries still to resolve, in order
    QList<QByteArray> lookupHosts, lookupPorts, lookupAddresses; // one entry per address found so far

    void setState(PgSession::State s)
    {
        if (state == s)
            return;
        state = s;
        Q_EMIT q->stateChanged(s);
    }

    // --- sockets --------------------------------------------------------------------------------------------

    void deleteNotifiers()
    {
        for (QPointer<QSocketNotifier>* n : { &readNotifier, &writeNotifier }) {
            if (*n) {
                (*n)->setEnabled(false);
                (*n)->deleteLater();
            }
            *n = nullptr;
        }
        socket = -1;
    }

    // Watches libpq's socket; re-creates the notifiers when libpq moved to another socket (next host, SSL
    // retry...).
    void watch(bool read, bool write)
    {
        const int s = conn ? pq().PQsocket(conn) : -1;
        if (s != socket || !readNotifier) {
            deleteNotifiers();
            socket = s;
            if (s >= 0) {
                readNotifier = new QSocketNotifier(s, QSocketNotifier::Read, q);
                writeNotifier = new QSocketNotifier(s, QSocketNotifier::Write, q);
                QObject::connect(readNotifier, &QSocketNotifier::activated, q, [this] { onSocket(true); });
                QObject::connect(writeNotifier, &QSocketNotifier::activated, q, [this] { onSocket(false); });
            }
        }
        if (readNotifier)
            readNotifier->setEnabled(read);
        if (writeNotifier)
            writeNotifier->setEnabled(write);
    }

    void closeConnection()
    {
        abortLookup();
        deleteNotifiers();
        if (conn) {
            pq().PQfinish(conn);
            conn = nullptr;
        }
        connectTimer.stop();
        deadlineTimer.stop();
        cancelLimitTimer.stop();
        polling = false;
        paused = false;
        backendPid = 0;
    }

    static void noticeReceiver(void* arg, const PGresult* r)
    {
        auto* self = static_cast<PgSessionPrivate*>(arg);
        const QString text = QString::fromUtf8(pq().PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED)) + u": "_s
            + QString::fromUtf8(pq().PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
        if (self->running)
            self->running->result.notices.append(text);
        else
            self->lastNotice = text;
    }

    // --- connecting -----------------------------------------------------------------------------------------

    // The host and port lists libpq will use: from the conninfo (URL or key=value), overridden by later keywords,
    // else $PGHOST / $PGPORT; and whether a hostaddr is given anyway.
    struct Targets {
        QList<QByteArray> hosts;
        QList<QByteArray> ports;
        bool hasHostaddr = false;
    };
    static Targets targets(const QList<QPair<QByteArray, QByteArray>>& params)
    {
        QByteArray host, hostaddr, port;
        const auto take = [&](const char* key, const QByteArray& value) {
            if (qstrcmp(key, "host") == 0)
                host = value;
            else if (qstrcmp(key, "hostaddr") == 0)
                hostaddr = value;
            else if (qstrcmp(key, "port") == 0)
                port = value;
        };
        for (const auto& p : params) {
            if (p.first == "dbname" && (p.second.contains('=') || p.second.startsWith("postgres"))) {
                char* error = nullptr;
                if (PQconninfoOption* options = pq().PQconninfoParse(p.second.constData(), &error)) {
                    for (PQconninfoOption* o = options; o->keyword; ++o)
                        if (o->val)
                            take(o->keyword, QByteArray(o->val));
                    pq().PQconninfoFree(options);
                }
                pq().PQfreemem(error);
            } else {
                take(p.first.constData(), p.second);
            }
        }
        Targets t;
        host = host.isEmpty() ? qgetenv("PGHOST") : host;
        port = port.isEmpty() ? qgetenv("PGPORT") : port;
        t.hasHostaddr = !hostaddr.isEmpty() || !qgetenv("PGHOSTADDR").isEmpty();
        if (!host.isEmpty())
            t.hosts = host.split(',');
        if (!port.isEmpty())
            t.ports = port.split(',');
        return t;
    }

    void abortLookup()
    {
        if (lookupId >= 0)
            QHostInfo::abortHostLookup(lookupId);
        lookupId = -1;
        lookupPending.clear();
        lookupHosts.clear();
        lookupPorts.clear();
        lookupAddresses.clear();
    }

    // libpq resolves host names inside PQconnectStartParams, synchronously: a slow or hung DNS server would freeze
    // the GUI thread. Names are resolved first with QHostInfo (asynchronous) and given to libpq as hostaddr, one
    // host entry per address so that libpq still tries each in turn; host stays for TLS verification, .pgpass and
    // messages. Sockets (paths) and literal addresses need no lookup.
    void startConnect()
    {
        reconnectTimer.stop();
        closeConnection();
        lastNotice.clear();
        setState(PgSession::State::Connecting);
        connectTimer.start(qMax(1, options.connectTimeoutS) * 1000);
        QString missingLibrary;
        if (!LibPq::get(&missingLibrary)) {
            failConnect(missingLibrary);
            return;
        }
        const Targets t = targets(options.libpqParameters());
        const auto isSocket = [](const QByteArray& h) { return h.isEmpty() || h.startsWith('/') || h.startsWith('@'); };
        const auto isName
            = [&](const QByteArray& h) { return !isSocket(h) && QHostAddress(QString::fromUtf8(h)).isNull(); };
        const bool portsMatch = t.ports.size() <= 1 || t.ports.size() == t.hosts.size();
        if (t.hasHostaddr || !portsMatch || std::any_of(t.hosts.cbegin(), t.hosts.cend(), isSocket)
            || std::none_of(t.hosts.cbegin(), t.hosts.cend(), isName)) {
            connectWith({});
            return;
        }
        for (qsizetype i = 0; i < t.hosts.size(); ++i)
            lookupPending.append({ t.hosts.at(i).trimmed(), t.ports.size() > 1 ? t.ports.at(i) : QByteArray() });
        resolveNext();
    }

    void resolveNext()
    {
        if (lookupPending.isEmpty()) {
            QList<QPair<QByteArray, QByteArray>> extra { { "host", lookupHosts.join(',') },
                { "hostaddr", lookupAddresses.join(',') } };
            if (!lookupPorts.isEmpty() && !lookupPorts.constFirst().isEmpty())
                extra.append({ "port", lookupPorts.join(',') });
            lookupHosts.clear();
            lookupPorts.clear();
            lookupAddresses.clear();
            connectWith(extra);
            return;
        }
        const auto [name, port] = lookupPending.takeFirst();
        if (!QHostAddress(QString::fromUtf8(name)).isNull()) {
            lookupHosts.append(name);
            lookupPorts.append(port);
            lookupAddresses.append(name);
            resolveNext();
            return;
        }
        lookupId = QHostInfo::lookupHost(QString::fromUtf8(name), q, [this, name, port](const QHostInfo& info) {
            if (info.lookupId() != lookupId)
                return; // aborted
            lookupId = -1;
            if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
                failConnect(u"could not translate host name \"%1\" to address: %2"_s.arg(
                    QString::fromUtf8(name), info.errorString()));
                return;
            }
            for (const QHostAddress& address : info.addresses()) {
                lookupHosts.append(name);
                lookupPorts.append(port);
                lookupAddresses.append(address.toString().toUtf8());
            }
            resolveNext();
        });
    }

    void connectWith(const QList<QPair<QByteArray, QByteArray>>& extra)
    {
        auto params = options.libpqParameters();
        params.append(extra); // later keywords win over the conninfo's
        QList<const char*> keys, values;
        for (const auto& p : params) {
            keys.append(p.first.constData());
            values.append(p.second.constData());
        }
        keys.append(nullptr);
        values.append(nullptr);
        conn = pq().PQconnectStartParams(keys.constData(), values.constData(), 1);
        if (!conn || pq().PQstatus(conn) == CONNECTION_BAD) {
            failConnect(libpqError(conn));
            return;
        }
        polling = true;
        watch(false, true); // as if PQconnectPoll had returned PGRES_POLLING_WRITING
    }

    void poll()
    {
        switch (pq().PQconnectPoll(conn)) {
        case PGRES_POLLING_FAILED:
            failConnect(libpqError(conn));
            return;
        case PGRES_POLLING_READING:
            watch(true, false);
            return;
        case PGRES_POLLING_WRITING:
            watch(false, true);
            return;
        case PGRES_POLLING_OK:
        case PGRES_POLLING_ACTIVE:
            break;
        }
        polling = false;
        pq().PQsetnonblocking(conn, 1);
        pq().PQsetNoticeReceiver(conn, &PgSessionPrivate::noticeReceiver, this);
        backendPid = pq().PQbackendPID(conn);
        const int v = pq().PQserverVersion(conn);
        serverVersion = v >= 100000 ? u"%1.%2"_s.arg(v / 10000).arg(v % 10000)
                                    : u"%1.%2.%3"_s.arg(v / 10000).arg(v / 100 % 100).arg(v % 100);
        watch(true, false);
        sendSettings();
    }

    void sendSettings()
    {
        QStringList sets;
        QList<QVariant> values;
        auto add = [&](const QString& name, const QString& value) {
            values.append(value);
            sets.append(u"set_config('%1', $%2, false)"_s.arg(name).arg(values.size()));
        };
        if (options.statementTimeoutMs > 0)
            add(u"statement_timeout"_s, QString::number(options.statementTimeoutMs));
        if (options.lockTimeoutMs > 0)
            add(u"lock_timeout"_s, QString::number(options.lockTimeoutMs));
        if (options.readOnly)
            add(u"default_transaction_read_only"_s, u"on"_s);
        if (sets.isEmpty()) {
            becomeConnected();
            return;
        }
        PgQuery query;
        query.sql = u"SELECT "_s + sets.join(u", "_s);
        query.parameters = values;
        send(SettingsQueryId, query);
    }

    void becomeConnected()
    {
        connectTimer.stop();
        backoffMs = 0;
        lastError.clear();
        disconnectedSince = QDateTime();
        QPointer<PgSession> alive(q);
        setState(PgSession::State::Connected);
        if (!alive)
            return;
        Q_EMIT q->connected(backendPid);
        if (alive)
            scheduleNext();
    }

    void failConnect(const QString& message)
    {
        closeConnection();
        lastError = message;
        if (!disconnectedSince.isValid())
            disconnectedSince = QDateTime::currentDateTimeUtc();
        QPointer<PgSession> alive(q);
        running.reset();
        setState(PgSession::State::Disconnected);
        if (alive)
            Q_EMIT q->connectFailed(message);
        if (alive)
            failQueued(PgResult::Outcome::NotConnected, u"not connected: "_s + message);
        if (alive)
            scheduleReconnect();
    }

    void scheduleReconnect()
    {
        if (!options.autoReconnect)
            return;
        backoffMs = backoffMs == 0 ? 1000 : qMin(MaxBackoffMs, backoffMs * 2);
        reconnectTimer.start(backoffMs);
    }

    // An established connection broke. The running query (if any) is reported lost unless already finished.
    void lose(const QString& message, std::optional<PgResult> runningResult = std::nullopt)
    {
        if (state == PgSession::State::Connecting) {
            failConnect(message);
            return;
        }
        closeConnection();
        lastError = message.isEmpty() ? u"connection lost"_s : message;
        disconnectedSince = QDateTime::currentDateTimeUtc();
        std::optional<Running> r = std::move(running);
        running.reset();
        QPointer<PgSession> alive(q);
        setState(PgSession::State::Disconnected);
        if (alive)
            Q_EMIT q->connectionLost(lastError);
        if (alive && r && r->id != SettingsQueryId) {
            PgResult result = runningResult ? *runningResult : r->result;
            if (!runningResult) {
                result.outcome = PgResult::Outcome::ConnectionLost;
                result.error = clientError(lastError);
                result.durationMs = r->elapsed.elapsed();
            }
            abandonSpill(*r, result);
            Q_EMIT q->queryFinished(r->id, result);
        }
        if (alive)
            failQueued(PgResult::Outcome::NotConnected, u"not connected: "_s + lastError);
        if (alive)
            scheduleReconnect();
    }

    // A query that ended without all its rows: what was read is written, the file said to be incomplete.
    static void abandonSpill(Running& r, PgResult& result)
    {
        if (!r.spill)
            return;
        r.spill->flush();
        r.spill->close(nullptr, {});
        r.spill.reset();
        result.outputPath.clear();
        result.outputError = u"the query ended before all of its rows were read"_s;
    }

    QString lostMessage() const
    {
        QString m = libpqError(conn);
        if (!lastNotice.isEmpty())
            m = lastNotice + u"; "_s + m;
        return m;
    }

    // --- queries --------------------------------------------------------------------------------------------

    void failQueued(PgResult::Outcome outcome, const QString& message)
    {
        QPointer<PgSession> alive(q);
        while (alive && !queue.empty()) {
            Pending p = std::move(queue.front());
            queue.pop_front();
            PgResult r;
            r.id = p.id;
            r.outcome = outcome;
            r.error = clientError(message);
            Q_EMIT q->queryFinished(p.id, r);
        }
    }

    void scheduleNext()
    {
        QTimer::singleShot(0, q, [this] { startNext(); });
    }

    void startNext()
    {
        while (state == PgSession::State::Connected && !running && !spillClosing && !queue.empty()) {
            Pending p = std::move(queue.front());
            queue.pop_front();
            if (p.query.requireNoTransaction && pq().PQtransactionStatus(conn) != PQTRANS_IDLE) {
                PgResult r;
                r.id = p.id;
                r.outcome = PgResult::Outcome::Error;
                r.error = clientError(u"this statement must run outside a transaction block, and the session is "
                                      "inside one; COMMIT or ROLLBACK first"_s);
                QPointer<PgSession> alive(q);
                Q_EMIT q->queryFinished(p.id, r);
                if (!alive)
                    return;
                continue;
            }
            send(p.id, p.query);
        }
    }

    void send(quint64 id, const PgQuery& query)
    {
        running.emplace();
        running->id = id;
        running->query = query;
        running->result.id = id;
        running->elapsed.start();
        running->streaming = query.keepRows >= 0 || !query.outputPath.isEmpty();
        if (!query.outputPath.isEmpty())
            running->spill = std::make_shared<Spill>(query.outputPath);
        const QByteArray sql = query.sql.toUtf8();
        int sent = 0;
        if (query.mode == PgQuery::Mode::Script) {
            sent = pq().PQsendQuery(conn, sql.constData());
        } else {
            QByteArrayList storage;
            QList<const char*> values;
            storage.reserve(query.parameters.size());
            for (const QVariant& v : query.parameters) {
                if (!v.isValid() || v.isNull()) {
                    values.append(nullptr);
                    continue;
                }
                if (v.typeId() == QMetaType::Bool)
                    storage.append(v.toBool() ? QByteArray("true") : QByteArray("false"));
                else if (v.typeId() == QMetaType::QByteArray)
                    storage.append(v.toByteArray());
                else
                    storage.append(v.toString().toUtf8());
                values.append(storage.constLast().constData());
            }
            sent = pq().PQsendQueryParams(
                conn, sql.constData(), int(values.size()), nullptr, values.constData(), nullptr, nullptr, 0);
        }
        if (!sent) {
            if (pq().PQstatus(conn) == CONNECTION_BAD) {
                lose(lostMessage());
                return;
            }
            finishRunning(PgResult::Outcome::Error, clientError(libpqError(conn)));
            return;
        }
        if (running->streaming)
            pq().PQsetSingleRowMode(conn); // right after sending; if refused, results come whole (and are cut) // right
                                           // after sending; if refused, results come whole (and are cut)
        if (id != SettingsQueryId) {
            running->deadlineMs = query.deadlineMs < 0 ? options.queryDeadlineMs : query.deadlineMs;
            if (running->deadlineMs > 0)
                deadlineTimer.start(running->deadlineMs);
            QPointer<PgSession> alive(q);
            Q_EMIT q->queryStarted(id);
            if (!alive || !conn || !running)
                return;
        }
        flush();
    }

    void flush()
    {
        const int f = pq().PQflush(conn);
        if (f < 0) {
            lose(lostMessage());
            return;
        }
        watch(true, f == 1);
    }

    void onSocket(bool readable)
    {
        if (!conn)
            return;
        if (polling) {
            poll();
            return;
        }
        if (!readable) {
            flush();
            return;
        }
        if (paused)
            return; // the resume reads
        if (!pq().PQconsumeInput(conn)) {
            lose(lostMessage());
            return;
        }
        while (PGnotify* n = pq().PQnotifies(conn))
            pq().PQfreemem(n);
        if (running) {
            drainResults();
            return;
        }
        if (pq().PQstatus(conn) == CONNECTION_BAD)
            lose(lostMessage());
    }

    // Reads COPY TO STDOUT data as one-column rows. Returns false while more data is to come.
    bool drainCopyOut()
    {
        for (;;) {
            char* buf = nullptr;
            const int n = pq().PQgetCopyData(conn, &buf, 1);
            if (n > 0) {
                PgStatementResult& s = running->result.statements.last();
                const int len = n - (buf[n - 1] == '\n' ? 1 : 0);
                if (running->query.keepRows < 0 || s.rows.size() < running->query.keepRows)
                    s.rows.append({ QVariant(QString::fromUtf8(buf, len)) });
                else
                    ++s.rowsDropped;
                if (running->spill) {
                    running->spill->buffer().append(buf, len).append('\n');
                    running->spill->maybeFlush();
                }
                pq().PQfreemem(buf);
                continue;
            }
            if (n == 0)
                return false;
            running->inCopyOut = false; // -1 done, -2 error: PQgetResult tells
            return true;
        }
    }

    // Streaming: stops reading for now and resumes from the event loop after ms.
    void pauseDrain(int ms)
    {
        if (paused)
            return;
        paused = true;
        if (readNotifier)
            readNotifier->setEnabled(false);
        QTimer::singleShot(ms, q, [this, id = running->id] {
            paused = false;
            if (!conn || !running || running->id != id)
                return;
            // What libpq holds first; the socket is read again (the notifier) only once that is parsed: reading it
            // now would grow libpq's buffer by what the server sends meanwhile (and move all of it on each read).
            if (readNotifier)
                readNotifier->setEnabled(true);
            drainResults();
        });
    }

    // A statement's result begins: its columns; the file starts again with their names.
    void beginStatement(const PGresult* r)
    {
        PgStatementResult s;
        const int ncols = pq().PQnfields(r);
        running->types.clear();
        s.columns.reserve(ncols);
        for (int c = 0; c < ncols; ++c) {
            s.columns.append({ QString::fromUtf8(pq().PQfname(r, c)), quint32(pq().PQftype(r, c)) });
            running->types.append(pq().PQftype(r, c));
        }
        running->result.statements.append(std::move(s));
        if (Spill* spill = running->spill.get()) {
            spill->restart();
            for (int c = 0; c < ncols; ++c) {
                if (c > 0)
                    spill->buffer() += '\t';
                spill->buffer() += pq().PQfname(r, c);
            }
            if (ncols > 0)
                spill->buffer() += '\n';
        }
    }

    // The rows of r into the current statement: kept up to keepRows, every one written to the file.
    void addRows(const PGresult* r)
    {
        PgStatementResult& s = running->result.statements.last();
        const int ncols = int(running->types.size());
        const int nrows = pq().PQntuples(r);
        const int keep = running->query.keepRows;
        Spill* spill = running->spill.get();
        for (int row = 0; row < nrows; ++row) {
            if (keep < 0 || s.rows.size() < keep) {
                QList<QVariant> values;
                values.reserve(ncols);
                for (int c = 0; c < ncols; ++c)
                    values.append(cellValue(r, row, c, running->types.at(c)));
                s.rows.append(std::move(values));
            } else {
                ++s.rowsDropped;
            }
            if (spill) {
                QByteArray& b = spill->buffer();
                for (int c = 0; c < ncols; ++c) {
                    if (c > 0)
                        b += '\t';
                    appendTsvCell(b, r, row, c, running->types.at(c));
                }
                b += '\n';
                spill->maybeFlush();
            }
        }
    }

    void endStatement(PGresult* r)
    {
        PgStatementResult& s = running->result.statements.last();
        s.commandTag = QString::fromUtf8(pq().PQcmdStatus(r));
        const QByteArray tuples(pq().PQcmdTuples(r));
        bool ok = false;
        const qint64 n = tuples.toLongLong(&ok);
        s.rowsAffected = ok ? n : -1;
    }

    void drainResults()
    {
        if (paused)
            return;
        QElapsedTimer slice;
        slice.start();
        while (running && conn) {
            if (running->streaming) {
                if (running->spill && running->spill->backlog() > BacklogBytes) {
                    pauseDrain(2);
                    return;
                }
                if (slice.elapsed() >= SliceMs) {
                    pauseDrain(0);
                    return;
                }
            }
            if (running->inCopyOut && !drainCopyOut())
                return;
            if (pq().PQisBusy(conn))
                return;
            PGresult* r = pq().PQgetResult(conn);
            if (!r) {
                completeRunning();
                return;
            }
            const ExecStatusType status = pq().PQresultStatus(r);
            if (status != PGRES_SINGLE_TUPLE && status != PGRES_TUPLES_OK)
                running->inRows = false; // an error ends a statement's rows too; those received are kept
            switch (status) {
            case PGRES_SINGLE_TUPLE:
                if (!running->inRows)
                    beginStatement(r);
                running->inRows = true;
                addRows(r);
                break;
            case PGRES_TUPLES_OK:
            case PGRES_COMMAND_OK:
            case PGRES_EMPTY_QUERY:
                if (!running->inRows) {
                    beginStatement(r);
                    addRows(r);
                }
                running->inRows = false;
                endStatement(r);
                break;
            case PGRES_COPY_OUT: {
                PgStatementResult s;
                s.columns.append({ u"copy"_s, 25 });
                s.commandTag = u"COPY"_s;
                running->result.statements.append(s);
                running->inCopyOut = true;
                if (running->spill) {
                    running->spill->restart();
                    running->spill->buffer() += "copy\n";
                }
                break;
            }
            case PGRES_COPY_IN:
                pq().PQputCopyEnd(conn, "COPY FROM STDIN is not supported by the console");
                break;
            case PGRES_FATAL_ERROR:
            case PGRES_NONFATAL_ERROR:
            case PGRES_BAD_RESPONSE:
                if (!running->result.error.isError())
                    running->result.error = resultError(r);
                break;
            default:
                if (!running->result.error.isError())
                    running->result.error = clientError(
                        u"unsupported result: "_s + QString::fromUtf8(pq().PQresStatus(pq().PQresultStatus(r))));
                break;
            }
            pq().PQclear(r);
        }
    }

    void completeRunning()
    {
        PgResult::Outcome outcome = PgResult::Outcome::Ok;
        PgError error = running->result.error;
        if (error.isError()) {
            outcome = PgResult::Outcome::Error;
            if (error.sqlState == u"57014"_s && running->cancelReason != CancelReason::None)
                outcome = running->cancelReason == CancelReason::Deadline ? PgResult::Outcome::TimedOut
                                                                          : PgResult::Outcome::Cancelled;
        }
        if (outcome == PgResult::Outcome::TimedOut)
            error.message = u"timed out after %1 (client deadline); the server cancelled the statement"_s.arg(
                seconds(running->deadlineMs));
        finishRunning(outcome, error);
    }

    void finishRunning(PgResult::Outcome outcome, const PgError& error)
    {
        deadlineTimer.stop();
        cancelLimitTimer.stop();
        Running r = std::move(*running);
        running.reset();
        r.result.outcome = outcome;
        r.result.error = error;
        r.result.durationMs = r.elapsed.elapsed();
        QPointer<PgSession> alive(q);
        if (r.id == SettingsQueryId) {
            if (outcome == PgResult::Outcome::Ok)
                becomeConnected();
            else
                failConnect(u"could not apply the session settings: "_s + error.toString());
            return;
        }
        if (r.spill) {
            // The result once the file's worker has written (and hashed) the last of it; the next query waits.
            spillClosing = true;
            r.result.outputPath = r.spill->path();
            r.spill->close(q, [this, id = r.id, result = r.result](SpillOutcome o) mutable {
                spillClosing = false;
                result.outputBytes = o.bytes;
                result.outputSha256 = o.sha256;
                result.outputError = o.error;
                announce(id, result);
            });
            return;
        }
        announce(r.id, r.result);
    }

    void announce(quint64 id, const PgResult& result)
    {
        QPointer<PgSession> alive(q);
        Q_EMIT q->queryFinished(id, result);
        if (!alive || !conn)
            return;
        if (pq().PQstatus(conn) == CONNECTION_BAD) {
            lose(lostMessage());
            return;
        }
        scheduleNext();
    }

    // --- deadlines and cancel -------------------------------------------------------------------------------

    // PQcancel opens a connection of its own and waits for the server to close it, without a timeout: it runs on
    // a detached thread (a thread pool's would hold up the program's exit on a frozen server).
    void startCancel()
    {
        if (!conn || g_pendingCancels.load() >= MaxPendingCancels)
            return;
        PGcancel* cancel = pq().PQgetCancel(conn);
        if (!cancel)
            return;
        ++g_pendingCancels;
        std::thread([cancel] {
            char error[256];
            pq().PQcancel(cancel, error, sizeof error);
            pq().PQfreeCancel(cancel);
            --g_pendingCancels;
        }).detach();
    }

    void cancelRunning(CancelReason reason)
    {
        if (!running || running->cancelReason != CancelReason::None)
            return;
        running->cancelReason = reason;
        deadlineTimer.stop();
        startCancel();
        cancelLimitTimer.start(qMax(100, options.cancelLimitMs));
    }

    void onDeadline() { cancelRunning(CancelReason::Deadline); }

    // The server did not answer the cancel in time: give up on the connection.
    void onCancelLimit()
    {
        if (!running)
            return;
        PgResult result = running->result;
        result.durationMs = running->elapsed.elapsed();
        result.connectionDropped = true;
        const QString waited = seconds(options.cancelLimitMs);
        if (running->cancelReason == CancelReason::Deadline) {
            result.outcome = PgResult::Outcome::TimedOut;
            result.error = clientError(
                u"timed out after %1 (client deadline); the server did not answer the "
                "cancel within %2, so the connection was dropped"_s.arg(seconds(running->deadlineMs), waited));
        } else {
            result.outcome = PgResult::Outcome::Cancelled;
            result.error = clientError(
                u"cancelled; the server did not answer the cancel within %1, so the connection was dropped"_s.arg(
                    waited));
        }
        lose(u"connection dropped: the server did not answer within %1 after a cancel"_s.arg(waited), result);
    }
};

PgSession::PgSession(QObject* parent)
    : QObject(parent)
    , d(std::make_unique<PgSessionPrivate>(this))
{
}

PgSession::~PgSession() = default;

void PgSession::setOptions(const PgConnectionOptions& options) { d->options = options; }

PgConnectionOptions PgSession::options() const { return d->options; }

void PgSession::preloadLibrary() { LibPq::preload(); }

void PgSession::open()
{
    d->backoffMs = 0;
    d->startConnect();
}

void PgSession::reconnect() { open(); }

void PgSession::close()
{
    d->reconnectTimer.stop();
    const bool wasConnected = d->state != State::Disconnected;
    std::optional<PgSessionPrivate::Running> r = std::move(d->running);
    d->running.reset();
    if (r && d->conn)
        d->startCancel(); // the server may still be running it: ask it to stop
    d->closeConnection();
    if (wasConnected)
        d->disconnectedSince = QDateTime::currentDateTimeUtc();
    QPointer<PgSession> alive(this);
    d->setState(State::Disconnected);
    if (alive && r && r->id != SettingsQueryId) {
        PgResult result = r->result;
        result.outcome = PgResult::Outcome::Cancelled;
        result.error = clientError(u"the session was closed while the query ran; its outcome is unknown"_s);
        result.durationMs = r->elapsed.elapsed();
        PgSessionPrivate::abandonSpill(*r, result);
        Q_EMIT queryFinished(r->id, result);
    }
    if (alive)
        d->failQueued(PgResult::Outcome::NotConnected, u"the session was closed"_s);
}

PgSession::State PgSession::state() const { return d->state; }

bool PgSession::isBusy() const { return d->running.has_value() && d->running->id != SettingsQueryId; }

int PgSession::queuedCount() const { return int(d->queue.size()); }

int PgSession::backendPid() const { return d->state == State::Connected ? d->backendPid : 0; }

QString PgSession::serverVersion() const { return d->state == State::Connected ? d->serverVersion : QString(); }

QString PgSession::lastError() const { return d->lastError; }

QDateTime PgSession::disconnectedSince() const { return d->disconnectedSince; }

QString PgSession::applicationName() const { return d->options.applicationName(); }

quint64 PgSession::execute(const PgQuery& query)
{
    const quint64 id = d->nextId++;
    d->queue.push_back({ id, query });
    if (d->state == State::Disconnected) {
        QTimer::singleShot(0, this, [this] {
            if (d->state == State::Disconnected)
                d->failQueued(PgResult::Outcome::NotConnected,
                    d->lastError.isEmpty() ? u"not connected"_s : u"not connected: "_s + d->lastError);
        });
    } else if (d->state == State::Connected) {
        d->scheduleNext();
    }
    return id;
}

quint64 PgSession::execute(const QString& sql, const QList<QVariant>& parameters)
{
    PgQuery q;
    q.sql = sql;
    q.parameters = parameters;
    return execute(q);
}

quint64 PgSession::executeScript(const QString& sql) { return execute(PgQuery::script(sql)); }

bool PgSession::cancel(quint64 queryId)
{
    if (d->running && d->running->id == queryId && queryId != SettingsQueryId) {
        d->cancelRunning(PgSessionPrivate::CancelReason::User);
        return true;
    }
    for (auto it = d->queue.begin(); it != d->queue.end(); ++it) {
        if (it->id != queryId)
            continue;
        d->queue.erase(it);
        PgResult r;
        r.id = queryId;
        r.outcome = PgResult::Outcome::Cancelled;
        r.error = clientError(u"cancelled before it was sent"_s);
        Q_EMIT queryFinished(queryId, r);
        return true;
    }
    return false;
}
#include "moc_pgsession.cpp"
