// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

struct DbaSession;

// The one rule for every cancel/terminate of PostgreSQL backends: the DBA pane's actions (DbaActions) and runbook
// SQL steps that call pg_cancel_backend / pg_terminate_backend (StepExecutor). Never the console's own backends
// (application_name petforce-console/…, the pids it holds, the signalling session itself), never a non-client
// backend (checkpointer, walwriter, autovacuum…), and only the backend that was read before asking: pid AND
// backend_start (a reused pid never matches). Pure; any thread.
class BackendSignal {
public:
    enum class Function { Cancel, Terminate };

    static QString functionName(Function f); // "pg_terminate_backend"
    static QString notDone(Function f); // "not terminated" / "not cancelled", for people
    static bool isConsoleApplication(QStringView applicationName); // "petforce-console/…"
    // Why this backend may not be signalled, for people ("pid 12: this console's own connection"); empty: it may.
    static QString refusal(
        int pid, const QString& backendType, const QString& application, bool own, const QString& backendStartText);
    static QString refusal(const DbaSession& session, const QSet<int>& ownPids);
    // The server-side guard on the pg_stat_activity row `alias`: a client backend, not the signalling session, not
    // a petforce-console/… application; ownPidsParameter > 0 adds `alias.pid <> ALL($n::int[])`.
    static QString serverCondition(const QString& alias, int ownPidsParameter = 0);
    static QString intArray(const QList<int>& values); // "{1,2}"
    static QString textArray(const QStringList& values); // {"a","b"}

    // A runbook SQL statement that signals backends, in one of the two shapes that can be guarded:
    //   SELECT pg_terminate_backend(<pid>)            (one pid: a literal or a bound $n)
    //   SELECT pg_terminate_backend(<col>) FROM <rest> (bulk: the pids <rest> yields)
    struct Plan {
        Function function = Function::Terminate;
        bool single = false; // the first shape
        QString pidSource; // "SELECT (<pid>)::int [FROM <rest>]": the pids the statement names
    };
    // nullopt with *error empty: the SQL signals nothing. nullopt with *error set: it calls a signal function in a
    // shape that cannot be guarded (refused: nothing may run).
    static std::optional<Plan> plan(const QString& sql, QString* error);
    static bool mentionsSignal(const QString& text); // pg_cancel_backend( / pg_terminate_backend( anywhere
    // Read at assessment: pid, backend_start (text), backend_type, application, user, state, query, self (the
    // reading session), state_age (seconds in its state, -1 unknown) of every backend the statement names, guarded or
    // not (the refused are shown as left out).
    static QString targetsQuery(const Plan& plan);
    // What runs: the confirmed (pid, backend_start) pairs ($first int[], $first+1 timestamptz[]) that still match
    // the statement and the guard (own pids $first+2 int[]); one row (pid, signalled) per backend signalled.
    static QString runQuery(const Plan& plan, int first);
};
