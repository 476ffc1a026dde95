// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QMap>
#include <QPair>
#include <QString>

// How a PgSession connects and what it sets on its session. A plain value; no thread affinity.
struct PgConnectionOptions {
    // A libpq URL ("postgresql://user@host:5432/db?sslmode=require") or key=value string; may be empty when
    // parameters (or libpq's PG* environment variables) say everything.
    QString conninfo;
    // libpq keywords that override conninfo: host, port, dbname, user, sslmode... Never "password".
    QMap<QString, QString> parameters;
    // From the secret store. Handed to libpq only; never logged, never part of describe().
    QString password;
    // What the session is for ("dba-view", "runbook"): application_name becomes "petforce-console/<purpose>".
    QString purpose;

    int connectTimeoutS = 10; // the whole connection attempt, enforced by the session's own timer
    int keepalivesIdleS = 30; // TCP keepalives, so that a vanished server is noticed
    int keepalivesIntervalS = 10;
    int keepalivesCount = 3;

    int statementTimeoutMs = 5000; // sent after connect; 0 leaves the server's setting alone
    int lockTimeoutMs = 1000; // sent after connect; 0 leaves the server's setting alone
    bool readOnly = false; // default_transaction_read_only=on (views)

    int queryDeadlineMs = 30000; // client-side deadline per query unless the query says otherwise; 0 = none
    int cancelLimitMs = 3000; // after the deadline: time the server gets to answer the cancel before the
                              // connection is dropped

    bool autoReconnect = false; // after a lost connection, reconnect with back-off (1 s doubling to 30 s)

    QString applicationName() const; // at most 63 bytes, as PostgreSQL keeps
    // libpq keyword/value pairs in order (conninfo first, expanded by libpq), password included: for PgSession.
    QList<QPair<QByteArray, QByteArray>> libpqParameters() const;
    // For logs and the timeline: host, port, database and user as far as known here; never the password.
    QString describe() const;
};
