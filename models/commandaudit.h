// SPDX-License-Identifier: MIT
#pragma once

#include "models/timelineevent.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

// The audit of one command the console runs (DESIGN.md decision 5): a "command.started" event written before
// it runs and a "command.finished" event after. Pure data and the event shapes; the AuditRecorder service
// writes them. Secrets never appear here: callers put only non-secret values in parameters.
namespace AuditKind {
inline constexpr char16_t Started[] = u"command.started";
inline constexpr char16_t Finished[] = u"command.finished";
} // namespace AuditKind

struct CommandAudit {
    QString runId; // unique per run (a UUID); ties the two events together
    QString source; // where the command comes from: "runbook:<title>#diagnosis/0", "dba:terminate"
    QString title; // for people: the step's title
    QString kind; // "sql", "shell", "program"
    QString environment;
    QString command; // the exact script, SQL or argv (joined) that runs
    QJsonObject parameters; // name → value, as bound or passed through the environment (never secrets)
    QString risk; // "read", "write", "destructive"
    QString confirmation; // "none", "shown", "typed <name>", plus any extra confirmations ticked

    QJsonObject toJson() const;
    static CommandAudit fromJson(const QJsonObject& detail);
};

struct CommandOutcome {
    QString status; // "ok", "failed", "timed out", "stopped", "not started", "outcome unknown" (a write, no answer)
    int exitCode = -1; // processes
    qint64 durationMs = 0;
    qint64 rows = -1; // SQL: rows returned or affected; -1 when not SQL
    QString error; // the error for people, if any
    QString excerpt; // the start of the output, safe to show, a few hundred characters at most
    QString outputPath; // the full output's file, if kept
    QString sha256; // of that file
    // What was cut to stay bounded, for people: "first 10,000 of 100,000 rows shown; all of them in the file",
    // "stderr cut at 256 MiB (3.1 GiB written by the command)". Empty when nothing was.
    QString note;
    // What the timeline's detail shows (issue 16, finding 6), bounded: the end of stderr (a failure's reason), the
    // file it is kept in, and for SQL the first rows of the result as a table.
    QString stderrTail; // at most StderrTailChars, safe to show
    QString stderrPath;
    QStringList resultColumns;
    QList<QStringList> resultRows; // at most RowsKept rows, each cell at most CellChars

    static constexpr int ExcerptChars = 2000; // the first lines of stdout kept in excerpt
    static constexpr int StderrTailChars = 4000;
    static constexpr int RowsKept = 20;
    static constexpr int CellChars = 200;

    // The first non-empty line of stderrTail, cut to 200 characters ("psql: error: connection … failed").
    QString firstStderrLine() const;
    void setRows(const QStringList& columnNames, const QList<QStringList>& allRows); // keeps the bounds above

    QJsonObject toJson() const;
    static CommandOutcome fromJson(const QJsonObject& detail);
};

// The runs of these events that have a "started" but no "finished": after a crash their outcome is unknown.
QList<CommandAudit> unfinishedRuns(const QList<TimelineEvent>& events);
