// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>

#include <algorithm>

// One row of pg_stat_activity as the DBA views show it. A plain value; no thread affinity.
// A session is identified by pid AND backend_start together (a pid can be reused by a later backend);
// backendStartText keeps the server's exact text so that it can be sent back unchanged ($2::timestamptz).
struct DbaSession {
    int pid = 0;
    QString backendStartText; // as the server printed it, microseconds and offset included
    QDateTime backendStart;
    QString user;
    QString database;
    QString application;
    QString clientAddress;
    QString state; // "active", "idle", "idle in transaction", ...; empty for non-client backends or no privilege
    QString waitEventType;
    QString waitEvent;
    QString backendType; // "client backend", "autovacuum launcher", ...
    double transactionAgeS = -1; // -1: none
    double queryAgeS = -1;
    double stateAgeS = -1;
    QString backendXmin;
    QString query; // "<insufficient privilege>" for other roles' sessions without pg_read_all_stats
    QList<int> blockedBy; // pg_blocking_pids, only for sessions waiting on a lock
    bool own = false; // one of this console's own connections

    QString key() const { return QString::number(pid) + QLatin1Char('@') + backendStartText; }
    bool isClientBackend() const { return backendType == QLatin1String("client backend"); }
    bool isIdle() const { return state == QLatin1String("idle"); }
    bool isIdleInTransaction() const { return state.startsWith(QLatin1String("idle in transaction")); }
    bool privilegeHidden() const { return query == QLatin1String("<insufficient privilege>"); }
    bool operator==(const DbaSession&) const = default;
    // Equal but for the three ages (which move on with every refresh while nothing else changes).
    bool sameExceptAges(const DbaSession& other) const;
    bool sameAges(const DbaSession& other) const
    {
        return transactionAgeS == other.transactionAgeS && queryAgeS == other.queryAgeS && stateAgeS == other.stateAgeS;
    }

    // "{12,34}" (PostgreSQL int[] text) → [12, 34]
    static QList<int> parseIntArray(const QString& text);
};

// The connection picture of one database server, computed from the sessions and the server's settings
// (the seed's pool-usage and by-application queries, without asking the server twice).
struct DbaConnectionSummary {
    int total = 0; // all rows of pg_stat_activity, as the seed counts them
    int clientBackends = 0;
    int maxConnections = 0;
    int superuserReserved = 0;
    int own = 0; // this console's own connections among total
    QMap<QString, int> byState; // "(none)" for backends without a state
    // (application_name, state) → count: the seed's by-application query, without this console's own sessions,
    // which are counted apart so that the views can show them as the console's.
    QMap<QPair<QString, QString>, int> byApplicationState;
    QMap<QPair<QString, QString>, int> ownByApplicationState;

    // Free connection slots: max_connections - client backends (the seed's db_pool_available); of these, the
    // last superuserReserved are open to superusers only.
    int headroom() const { return maxConnections - clientBackends; }
    // What an ordinary (non-superuser) role can use: max_connections - superuser_reserved_connections, and what of
    // that is free (0 when superusers sit in the reserved slots). Background processes (total - clientBackends)
    // are listed by pg_stat_activity but take no max_connections slot.
    int usable() const { return std::max(0, maxConnections - superuserReserved); }
    int usableFree() const { return std::max(0, usable() - clientBackends); }
    int backgroundProcesses() const { return total - clientBackends; }
    bool headroomLow() const { return maxConnections > 0 && headroom() < 2; } // the seed's db_pool_available < 2

    static DbaConnectionSummary from(const QList<DbaSession>& sessions, int maxConnections, int superuserReserved);
};
