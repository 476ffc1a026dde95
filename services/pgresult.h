// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVariant>

// One column of a result: its name and the server's type OID (23 int4, 25 text, 16 bool, ...).
struct PgColumn {
    QString name;
    quint32 typeOid = 0;
};

// An error reported by the server (SQLSTATE and its fields) or by the client (sqlState empty).
struct PgError {
    QString sqlState; // "42P01", "57014" (canceled), "25P02"...; empty for client-side errors
    QString severity; // "ERROR", "FATAL"... (not localized)
    QString message; // primary message, for people
    QString detail;
    QString hint;
    int position = 0; // 1-based character position in the statement, 0 if none

    bool isError() const { return !message.isEmpty() || !sqlState.isEmpty(); }
    QString toString() const; // "ERROR 42P01: relation \"x\" does not exist"
};

// What one statement returned. A cell is an invalid QVariant for SQL NULL (test with isValid()); otherwise a
// QString, except bool (bool), int2/int4/int8/oid (qlonglong) and float4/float8 (double). An empty string is a
// valid QVariant holding an empty QString.
struct PgStatementResult {
    QList<PgColumn> columns;
    QList<QList<QVariant>> rows;
    QString commandTag; // "SELECT 3", "UPDATE 1", "CREATE INDEX"
    qint64 rowsAffected = -1; // from the command tag; -1 when the command reports none
    qint64 rowsDropped = 0; // rows the server returned beyond PgQuery::keepRows (not in rows)

    qint64 totalRows() const { return rows.size() + rowsDropped; }

    int columnIndex(const QString& name) const; // -1 if absent
};

// The outcome of one query or script, delivered by value on the thread of the PgSession that ran it.
struct PgResult {
    enum class Outcome {
        Ok,
        Error, // the server (or the client) reported an error: see error
        TimedOut, // the client-side deadline expired; cancelled, or the connection dropped if the server did not
                  // answer the cancel in time
        Cancelled, // cancelled by the caller (PgSession::cancel)
        ConnectionLost, // the connection broke before the answer came
        NotConnected, // never sent: the session was not connected
    };
    quint64 id = 0; // the id PgSession::execute returned
    Outcome outcome = Outcome::Ok;
    PgError error;
    // One entry per statement that completed: one for a parameterized query, several for a script (those before
    // an error are kept).
    QList<PgStatementResult> statements;
    QStringList notices; // NOTICE/WARNING messages the server sent meanwhile
    qint64 durationMs = 0; // from send to the last answer (or to giving up)
    bool connectionDropped = false; // true when the session dropped the connection to give up on this query
    // With PgQuery::outputPath: the file, its size and lower-case hex SHA-256 once every row is in it; outputError
    // says why it is incomplete (write failed, or the query ended before its rows did).
    QString outputPath;
    qint64 outputBytes = 0;
    QByteArray outputSha256;
    QString outputError;

    bool ok() const { return outcome == Outcome::Ok; }
    // Shortcuts to the last statement's result (empty ones if there is none).
    const QList<PgColumn>& columns() const;
    const QList<QList<QVariant>>& rows() const;
    QString commandTag() const;
    qint64 rowsAffected() const;
    qint64 totalRows() const; // the last statement's rows, kept or not
    qint64 rowsDropped() const;
    // For people: "ok", the error, "timed out after 2 s", "connection lost: ..."
    QString summary() const;
    static QString outcomeName(Outcome outcome);
};

Q_DECLARE_METATYPE(PgResult)
