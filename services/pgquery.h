// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>
#include <QVariant>

// One request to a PgSession. A plain value; no thread affinity.
struct PgQuery {
    enum class Mode {
        // One statement with bound text parameters $1..$n (PQsendQueryParams). Values are sent as data, never
        // spliced into the text: an invalid QVariant is SQL NULL; bool is true/false; QByteArray is sent as is;
        // anything else as toString() in UTF-8.
        Parameterized,
        // Several statements separated by ';', no parameters (PQsendQuery): runbook SQL blocks. They run in one
        // implicit transaction unless the text has its own BEGIN/COMMIT.
        Script,
    };
    QString sql;
    QList<QVariant> parameters;
    Mode mode = Mode::Parameterized;
    // Refuse (without sending) unless the session is outside any transaction block; use with a single
    // Parameterized statement for CREATE INDEX CONCURRENTLY / DROP INDEX CONCURRENTLY / VACUUM.
    bool requireNoTransaction = false;
    int deadlineMs = -1; // client-side deadline; -1 = the session's queryDeadlineMs, 0 = none
    // Big results (runbook steps). keepRows ≥ 0: at most that many rows of each statement stay in memory (the rest
    // are counted in PgStatementResult::rowsDropped). outputPath set: every row of the last statement goes to that
    // file as TSV (a header line, tab-separated cells, NULL for SQL NULL), written with its SHA-256 by the
    // BackgroundIo worker (PgResult::outputSha256). Either one reads rows one at a time (libpq single-row mode)
    // so that memory stays flat whatever the size of the result. Defaults: everything in memory, no file.
    int keepRows = -1;
    QString outputPath;

    static PgQuery script(const QString& sql)
    {
        PgQuery q;
        q.sql = sql;
        q.mode = Mode::Script;
        return q;
    }
    static PgQuery outsideTransaction(const QString& sql)
    {
        PgQuery q;
        q.sql = sql;
        q.requireNoTransaction = true;
        return q;
    }
};
