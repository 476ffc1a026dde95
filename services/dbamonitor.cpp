// SPDX-License-Identifier: MIT
#include "services/dbamonitor.h"

#include "services/pgsession.h"

using namespace Qt::StringLiterals;

namespace {
double toDouble(const QVariant& v) { return v.isValid() ? v.toDouble() : -1.0; }
QString text(const QVariant& v) { return v.isValid() ? v.toString() : QString(); }
} // namespace

DbaMonitor::DbaMonitor(QObject* parent)
    : QObject(parent)
    , m_session(new PgSession(this))
{
    m_timer.setInterval(2000);
    connect(&m_timer, &QTimer::timeout, this, &DbaMonitor::tick);
    connect(m_session, &PgSession::connected, this, &DbaMonitor::onConnected);
    connect(m_session, &PgSession::connectFailed, this, &DbaMonitor::onDisconnected);
    connect(m_session, &PgSession::connectionLost, this, &DbaMonitor::onDisconnected);
    connect(m_session, &PgSession::queryFinished, this, &DbaMonitor::onQueryFinished);
}

DbaMonitor::~DbaMonitor() = default;

PgConnectionOptions DbaMonitor::viewOptions(PgConnectionOptions o)
{
    o.purpose = u"dba"_s;
    o.readOnly = true;
    o.statementTimeoutMs = 5000;
    o.lockTimeoutMs = 1000;
    o.queryDeadlineMs = 7000; // the server's own 5 s first; a frozen server is given up on by the client
    o.cancelLimitMs = 2000;
    o.connectTimeoutS = qMin(o.connectTimeoutS, 10);
    o.keepalivesIdleS = qMin(o.keepalivesIdleS, 30);
    o.autoReconnect = true;
    return o;
}

void DbaMonitor::setConnectionOptions(const PgConnectionOptions& base)
{
    m_session->setOptions(viewOptions(base));
    m_lastHealth = {};
    if (m_started)
        m_session->reconnect();
}

PgConnectionOptions DbaMonitor::connectionOptions() const { return m_session->options(); }

void DbaMonitor::start()
{
    m_started = true;
    m_session->open();
    if (!m_paused)
        m_timer.start();
}

void DbaMonitor::stop()
{
    m_started = false;
    m_timer.stop();
    m_session->close();
    m_sessionsQuery = m_slowQuery = m_healthQuery = m_settingsQuery = 0;
}

void DbaMonitor::setIntervalMs(int ms) { m_timer.setInterval(qBound(1000, ms, 60000)); }

void DbaMonitor::setPaused(bool paused)
{
    m_paused = paused;
    if (paused)
        m_timer.stop();
    else if (m_started) {
        m_timer.start();
        tick();
    }
}

void DbaMonitor::setWantedViews(Views views)
{
    const Views added = views & ~m_wanted;
    m_wanted = views;
    if (added && m_started && !m_paused)
        tick();
}

void DbaMonitor::setSlowQueryOrder(SlowOrder order, int limit)
{
    m_slowOrder = order;
    m_slowLimit = qBound(1, limit, 1000);
}

void DbaMonitor::refreshNow() { tick(); }

bool DbaMonitor::isConnected() const { return m_session->isConnected(); }
QDateTime DbaMonitor::disconnectedSince() const { return m_session->disconnectedSince(); }
QString DbaMonitor::lastError() const { return m_session->lastError(); }
int DbaMonitor::ownPid() const { return m_session->backendPid(); }
void DbaMonitor::setExtraOwnPids(const QSet<int>& pids) { m_extraOwn = pids; }

QSet<int> DbaMonitor::ownPids() const
{
    QSet<int> pids = m_extraOwn;
    if (ownPid() > 0)
        pids.insert(ownPid());
    return pids;
}

QString DbaMonitor::sessionsSql()
{
    // One pass over pg_stat_activity (its rows cost the server the same whoever asks; what is sent back is what
    // varies). Sessions that are idle and have not changed since $1 are not sent again: their pids come in the
    // last row's array, read through pg_stat_get_backend_idset() from the same snapshot (one per transaction).
    // Timestamps as epoch numbers (date_part is float8: no numeric, no timestamp text) — the client computes the
    // ages against the server's own now(), sent in that last row. pg_blocking_pids (it takes the lock manager's
    // locks) only for the sessions that wait on a lock.
    return u"SELECT pid, backend_start::text, usename, datname, application_name, client_addr::text, state, "
           "wait_event_type, wait_event, backend_type, date_part('epoch', xact_start), "
           "date_part('epoch', query_start), date_part('epoch', state_change), backend_xmin::text, query, "
           "CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid)::text END "
           "FROM pg_stat_activity "
           "WHERE state IS DISTINCT FROM 'idle' OR state_change >= to_timestamp($1::float8) "
           "OR backend_start >= to_timestamp($1::float8) "
           "UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, date_part('epoch', now()), "
           "NULL, NULL, NULL, NULL, "
           "(SELECT array_agg(pg_stat_get_backend_pid(b)) FROM pg_stat_get_backend_idset() b)::text"_s;
}

QString DbaMonitor::slowQueriesSql(SlowOrder order)
{
    const QString by = order == SlowOrder::Total ? u"total_exec_time"_s
        : order == SlowOrder::Calls              ? u"calls"_s
                                                 : u"mean_exec_time"_s;
    return u"SELECT userid::text || '/' || dbid::text || '/' || coalesce(queryid::text, ''), query, calls, "
           "total_exec_time, mean_exec_time, rows FROM pg_stat_statements "
           "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
           "ORDER BY %1 DESC LIMIT $1"_s.arg(by);
}

QString DbaMonitor::healthSql()
{
    return u"SELECT xact_commit, xact_rollback, deadlocks, temp_files, temp_bytes, "
           "extract(epoch FROM clock_timestamp())::float8 FROM pg_stat_database WHERE datname = current_database();\n"
           // the seed's table sizes
           "SELECT schemaname, tablename, pg_total_relation_size(quote_ident(schemaname) || '.' || "
           "quote_ident(tablename)), "
           "pg_size_pretty(pg_total_relation_size(quote_ident(schemaname) || '.' || quote_ident(tablename))) "
           "FROM pg_tables WHERE schemaname = 'public' "
           "ORDER BY pg_total_relation_size(quote_ident(schemaname) || '.' || quote_ident(tablename)) DESC LIMIT 100;\n"
           // the seed's index usage (its column names are pg_indexes'; pg_stat_user_indexes calls them relname and
           // indexrelname)
           "SELECT s.schemaname, s.relname, s.indexrelname, s.idx_scan, i.indisvalid FROM pg_stat_user_indexes s "
           "JOIN pg_index i ON i.indexrelid = s.indexrelid ORDER BY s.idx_scan ASC LIMIT 200;\n"
           "SELECT to_regclass('public.household_members') IS NOT NULL, "
           "to_regclass('public.idx_household_members_household_id') IS NOT NULL"_s;
}

void DbaMonitor::tick()
{
    if (!m_started || m_paused || !m_session->isConnected())
        return;
    if (m_maxConnections == 0 && m_settingsQuery == 0)
        m_settingsQuery = m_session->execute(u"SELECT current_setting('max_connections')::int, "
                                             "current_setting('superuser_reserved_connections')::int"_s);
    if ((m_wanted & SessionsView) && m_sessionsQuery == 0) {
        m_sessionsClock.start();
        const double since = m_serverNow > 0 ? m_serverNow - ChangeMarginS : 0.0;
        m_sessionsQuery = m_session->execute(sessionsSql(), { since });
    }
    if ((m_wanted & SlowQueriesView) && m_slowQuery == 0)
        m_slowQuery = m_session->execute(slowQueriesSql(m_slowOrder), { m_slowLimit });
    if ((m_wanted & HealthView) && m_healthQuery == 0)
        m_healthQuery = m_session->execute(PgQuery::script(healthSql()));
}

void DbaMonitor::onConnected(int)
{
    m_sessionsQuery = m_slowQuery = m_healthQuery = m_settingsQuery = 0;
    m_known.clear();
    m_serverNow = 0;
    m_maxConnections = 0;
    Q_EMIT connectionChanged(true, {}, {});
    tick();
}

void DbaMonitor::onDisconnected(const QString& error)
{
    m_sessionsQuery = m_slowQuery = m_healthQuery = m_settingsQuery = 0;
    Q_EMIT connectionChanged(false, m_session->disconnectedSince(), error);
}

void DbaMonitor::onQueryFinished(quint64 id, const PgResult& result)
{
    if (id == 0)
        return;
    if (id == m_settingsQuery) {
        m_settingsQuery = 0;
        if (result.ok() && !result.rows().isEmpty()) {
            m_maxConnections = int(result.rows().first().value(0).toLongLong());
            m_reserved = int(result.rows().first().value(1).toLongLong());
        }
    } else if (id == m_sessionsQuery) {
        m_sessionsQuery = 0;
        handleSessions(result);
    } else if (id == m_slowQuery) {
        m_slowQuery = 0;
        handleSlow(result);
    } else if (id == m_healthQuery) {
        m_healthQuery = 0;
        handleHealth(result);
    }
}

namespace {
// "2026-11-26 19:27:46.123456+00" (or "+05:30", "-08"; with the ISO DateStyle, the default) → that instant.
// By position: QDateTime::fromString's parser costs more than the rest of a refresh's new rows.
QDateTime parseBackendStart(const QString& text)
{
    const QStringView t(text);
    if (t.size() < 22 || t.at(4) != u'-' || t.at(10) != u' ' || t.at(13) != u':')
        return {};
    const QDate date(t.mid(0, 4).toInt(), t.mid(5, 2).toInt(), t.mid(8, 2).toInt());
    int ms = 0;
    qsizetype pos = 19;
    if (t.at(pos) == u'.') {
        int scale = 100;
        for (++pos; pos < t.size() && t.at(pos).isDigit(); ++pos, scale /= 10)
            ms += scale * (t.at(pos).unicode() - u'0'); // milliseconds: the first three digits count
    }
    const QTime time(t.mid(11, 2).toInt(), t.mid(14, 2).toInt(), t.mid(17, 2).toInt(), ms);
    if (!date.isValid() || !time.isValid() || pos >= t.size() || (t.at(pos) != u'+' && t.at(pos) != u'-'))
        return {};
    const QStringView zone = t.mid(pos + 1);
    int offset = zone.left(2).toInt() * 3600 + (zone.size() >= 5 ? zone.mid(3, 2).toInt() * 60 : 0);
    if (t.at(pos) == u'-')
        offset = -offset;
    return QDateTime(date, time, Qt::OffsetFromUTC, offset);
}
} // namespace

void DbaMonitor::handleSessions(const PgResult& result)
{
    if (!result.ok()) {
        m_serverNow = 0; // ask for everything again
        Q_EMIT refreshFailed(u"sessions"_s, result.summary());
        return;
    }
    const QSet<int> own = ownPids();
    const QList<QList<QVariant>>& rows = result.rows();
    if (rows.isEmpty() || rows.last().value(0).isValid()) {
        m_serverNow = 0;
        Q_EMIT refreshFailed(u"sessions"_s, tr("incomplete answer"));
        return;
    }
    const QList<QVariant>& last = rows.last();
    const double now = last.value(10).toDouble();
    const QList<int> pids = DbaSession::parseIntArray(last.value(15).toString());

    // The sessions sent in full: new, changed, or not idle.
    for (qsizetype i = 0; i + 1 < rows.size(); ++i) {
        const QList<QVariant>& r = rows.at(i);
        const int pid = int(r.value(0).toLongLong());
        KnownSession& k = m_known[pid];
        DbaSession& s = k.session;
        const QString start = text(r.value(1));
        if (s.pid != pid || s.backendStartText != start) {
            s = DbaSession {};
            s.pid = pid;
            s.backendStartText = start;
            s.backendStart = parseBackendStart(start);
        }
        // Assign only what differs: unchanged strings stay shared with what the views hold.
        const auto set = [](QString& field, const QVariant& v) {
            const QString value = text(v);
            if (field != value)
                field = value;
        };
        set(s.user, r.value(2));
        set(s.database, r.value(3));
        set(s.application, r.value(4));
        set(s.clientAddress, r.value(5));
        set(s.state, r.value(6));
        set(s.waitEventType, r.value(7));
        set(s.waitEvent, r.value(8));
        set(s.backendType, r.value(9));
        k.xactStart = toDouble(r.value(10));
        k.queryStart = toDouble(r.value(11));
        k.stateChange = toDouble(r.value(12));
        set(s.backendXmin, r.value(13));
        set(s.query, r.value(14));
        const QList<int> blockedBy
            = r.value(15).isValid() ? DbaSession::parseIntArray(r.value(15).toString()) : QList<int>();
        if (s.blockedBy != blockedBy)
            s.blockedBy = blockedBy;
    }

    // Every session of the snapshot, in the server's order; the unchanged ones from what we already had.
    const auto age = [now](double since) { return since < 0 ? -1.0 : qMax(0.0, now - since); };
    QList<DbaSession> sessions;
    sessions.reserve(pids.size());
    QSet<int> present;
    present.reserve(pids.size());
    bool missing = false;
    for (int pid : pids) {
        const auto it = m_known.find(pid);
        if (it == m_known.end()) {
            missing = true; // sent as unchanged but never seen: ask for everything next time
            continue;
        }
        present.insert(pid);
        DbaSession& s = it->session;
        s.transactionAgeS = age(it->xactStart);
        s.queryAgeS = age(it->queryStart);
        s.stateAgeS = age(it->stateChange);
        s.own = own.contains(pid);
        sessions.append(s);
    }
    if (present.size() != m_known.size())
        m_known.removeIf(
            [&present](const QHash<int, KnownSession>::iterator& it) { return !present.contains(it.key()); });
    m_serverNow = missing ? 0.0 : now;

    const DbaConnectionSummary summary = DbaConnectionSummary::from(sessions, m_maxConnections, m_reserved);
    Q_EMIT sessionsRefreshed(sessions, summary, m_sessionsClock.elapsed());
}

void DbaMonitor::handleSlow(const PgResult& result)
{
    if (!result.ok()) {
        const QString state = result.error.sqlState;
        if (state == u"42P01"_s) // relation does not exist
            Q_EMIT slowQueriesUnavailable(tr("pg_stat_statements is not installed in this database."),
                tr("Run as a superuser in this database: CREATE EXTENSION pg_stat_statements;  (the server must also "
                   "have shared_preload_libraries = 'pg_stat_statements' in postgresql.conf, or in the RDS parameter "
                   "group, and have been restarted)"));
        else if (result.error.message.contains(u"shared_preload_libraries"_s))
            Q_EMIT slowQueriesUnavailable(tr("pg_stat_statements is installed but not loaded by the server."),
                tr("Add shared_preload_libraries = 'pg_stat_statements' to postgresql.conf (RDS: the DB parameter "
                   "group), restart the server, then: CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"));
        else if (state == u"42501"_s)
            Q_EMIT slowQueriesUnavailable(tr("This role may not read pg_stat_statements."),
                tr("GRANT pg_read_all_stats TO <the console's role>;"));
        else
            Q_EMIT refreshFailed(u"slow queries"_s, result.summary());
        return;
    }
    QList<SlowQueryStat> stats;
    for (const QList<QVariant>& r : result.rows()) {
        SlowQueryStat s;
        s.key = text(r.value(0));
        s.query = text(r.value(1));
        s.calls = r.value(2).toLongLong();
        s.totalMs = r.value(3).toDouble();
        s.meanMs = r.value(4).toDouble();
        s.rows = r.value(5).toLongLong();
        stats.append(s);
    }
    Q_EMIT slowQueriesRefreshed(stats);
}

void DbaMonitor::handleHealth(const PgResult& result)
{
    if (!result.ok() || result.statements.size() < 4) {
        Q_EMIT refreshFailed(u"health"_s, result.ok() ? tr("incomplete answer") : result.summary());
        return;
    }
    DbaHealth h;
    if (const auto& rows = result.statements.at(0).rows; !rows.isEmpty()) {
        const auto& r = rows.first();
        h.commits = r.value(0).toLongLong();
        h.rollbacks = r.value(1).toLongLong();
        h.deadlocks = r.value(2).toLongLong();
        h.tempFiles = r.value(3).toLongLong();
        h.tempBytes = r.value(4).toLongLong();
        h.sampledAt = r.value(5).toDouble();
    }
    for (const auto& r : result.statements.at(1).rows)
        h.tables.append({ text(r.value(0)), text(r.value(1)), r.value(2).toLongLong(), text(r.value(3)) });
    for (const auto& r : result.statements.at(2).rows) {
        DbaHealth::Index i { text(r.value(0)), text(r.value(1)), text(r.value(2)), r.value(3).toLongLong(),
            r.value(4).toBool() };
        h.indexes.append(i);
        if (!i.valid)
            h.invalidIndexes.append(i);
    }
    if (const auto& rows = result.statements.at(3).rows; !rows.isEmpty()) {
        h.householdMembersExists = rows.first().value(0).toBool();
        h.householdMembersIndexExists = rows.first().value(1).toBool();
    }
    h.computeRates(m_lastHealth);
    m_lastHealth = h;
    Q_EMIT healthRefreshed(h);
}

#include "moc_dbamonitor.cpp"
