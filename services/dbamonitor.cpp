// SPDX-License-Identifier: MIT
#include "services/dbamonitor.h"

#include "services/pgsession.h"

#include <QRegularExpression>

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
    // Lean: one pass over pg_stat_activity; pg_blocking_pids (it takes the lock manager's locks) only for the
    // sessions that wait on a lock.
    return u"SELECT pid, backend_start::text, usename, datname, application_name, client_addr::text, state, "
           "wait_event_type, wait_event, backend_type, "
           "extract(epoch FROM now() - xact_start)::float8, extract(epoch FROM now() - query_start)::float8, "
           "extract(epoch FROM now() - state_change)::float8, backend_xmin::text, query, "
           "CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid)::text END "
           "FROM pg_stat_activity"_s;
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
        m_sessionsQuery = m_session->execute(sessionsSql());
    }
    if ((m_wanted & SlowQueriesView) && m_slowQuery == 0)
        m_slowQuery = m_session->execute(slowQueriesSql(m_slowOrder), { m_slowLimit });
    if ((m_wanted & HealthView) && m_healthQuery == 0)
        m_healthQuery = m_session->execute(PgQuery::script(healthSql()));
}

void DbaMonitor::onConnected(int)
{
    m_sessionsQuery = m_slowQuery = m_healthQuery = m_settingsQuery = 0;
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

void DbaMonitor::handleSessions(const PgResult& result)
{
    if (!result.ok()) {
        Q_EMIT refreshFailed(u"sessions"_s, result.summary());
        return;
    }
    const QSet<int> own = ownPids();
    QList<DbaSession> sessions;
    sessions.reserve(result.rows().size());
    for (const QList<QVariant>& r : result.rows()) {
        DbaSession s;
        s.pid = int(r.value(0).toLongLong());
        s.backendStartText = text(r.value(1));
        s.backendStart = QDateTime::fromString(s.backendStartText.left(19), u"yyyy-MM-dd HH:mm:ss"_s);
        if (s.backendStart.isValid()) {
            // the offset the server printed ("+00", "+05:30")
            const QString tail = s.backendStartText.mid(s.backendStartText.lastIndexOf(QRegularExpression(u"[+-]"_s)));
            const QStringList hm = tail.mid(1).split(u':');
            int offset = hm.value(0).toInt() * 3600 + hm.value(1).toInt() * 60;
            if (tail.startsWith(u'-'))
                offset = -offset;
            s.backendStart.setOffsetFromUtc(offset);
        }
        s.user = text(r.value(2));
        s.database = text(r.value(3));
        s.application = text(r.value(4));
        s.clientAddress = text(r.value(5));
        s.state = text(r.value(6));
        s.waitEventType = text(r.value(7));
        s.waitEvent = text(r.value(8));
        s.backendType = text(r.value(9));
        s.transactionAgeS = toDouble(r.value(10));
        s.queryAgeS = toDouble(r.value(11));
        s.stateAgeS = toDouble(r.value(12));
        s.backendXmin = text(r.value(13));
        s.query = text(r.value(14));
        if (r.value(15).isValid())
            s.blockedBy = DbaSession::parseIntArray(r.value(15).toString());
        s.own = own.contains(s.pid);
        sessions.append(s);
    }
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
