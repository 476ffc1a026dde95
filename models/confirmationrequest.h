// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentprofile.h"
#include "models/runbookstep.h"

#include <QString>
#include <QStringList>

#include <optional>

// What the operator is asked before a command runs (DESIGN.md decision 4: risk decides the confirmation).
// Built by whoever is about to run something — a runbook step, a DBA action — and shown by the UI's
// ConfirmationDialog. A plain value; no thread affinity.
struct ConfirmationRequest {
    enum class Level {
        None, // reads run on click
        Show, // writes: the exact command and the target environment, Run / Cancel
        TypeName, // destructive: as Show, and the target's name must be typed
    };

    StepRisk risk = StepRisk::Read;
    QString title; // "Terminate 3 sessions", the step's title
    QString environment; // "production", "staging", "sandbox"
    QString command; // exactly what will run: the script, the SQL with $n, or the argv joined for display
    QString commandLanguage; // "sql", "bash": how to show it
    QStringList parameters; // "pid = 12345", one line per bound value, shown under the command
    QStringList effects; // what it will touch: one line each (sessions, the IP list before → after...)
    std::optional<qint64> affectedCount; // rows or sessions it will act on, counted first
    // What it will act on, one row each (the dialog's table confirmTargets): the sessions (pid, user, application,
    // state, idle for, query), the first rows a DELETE removes. targetColumns names the columns.
    QStringList targetColumns;
    QList<QStringList> targetRows;
    QString target; // the name that must be typed for destructive commands (an instance, a database)
    QStringList extraConfirmations; // each must be ticked ("0.0.0.0/0 matches every address")

    Level level() const;
    bool isProduction() const;
    // The typed text confirms the target: exactly the target's name (case-sensitive, surrounding blanks ignored).
    bool typedNameMatches(const QString& typed) const;

    // The name typed for a destructive command: one rule for every path (runbook steps, the DBA pane). fields are
    // the profile keys the command acts on, in order; a command on the database (SQL and psql steps, DBA actions)
    // passes {"database_url"}, which names the database of the environment's DATABASE_URL ("petforce"); any
    // other key its value (db_instance "petforce-production", cluster…). The first non-empty wins, else the
    // environment's name. The profile's database_url must be resolved (StepExecutor::withDatabaseUrl).
    static QString targetName(const EnvironmentProfile& profile, const QStringList& fields);
    // The database a DATABASE_URL or conninfo names: "postgresql://u@h:5432/petforce" and "dbname=petforce host=h"
    // give "petforce"; empty when it names none.
    static QString databaseName(const QString& url);
    // The table of sessions a cancel/terminate acts on, the same in the DBA pane and for runbook steps.
    static QStringList sessionColumns(); // pid, user, application, state, idle for, query
    static QStringList sessionRow(int pid, const QString& user, const QString& application, const QString& state,
        double stateAgeS, const QString& query);
};
