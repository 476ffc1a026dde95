// SPDX-License-Identifier: MIT
#pragma once
// libpq, loaded on first use rather than linked. Linked, it makes the dynamic loader bind OpenSSL, Kerberos, LDAP
// and GnuTLS at every start of the console (about 8 ms, a third of its loading time, measured in
// docs/BENCHMARKS.md) although only the PostgreSQL session service needs it, and never before the first paint.
// Only services/pgsession.cpp calls libpq; it goes through this table.
#include <libpq-fe.h>

#include <QString>

#include <optional>

#define PETFORCE_LIBPQ_FUNCTIONS(X)                                                                                    \
    X(PQbackendPID)                                                                                                    \
    X(PQcancel)                                                                                                        \
    X(PQclear)                                                                                                         \
    X(PQcmdStatus)                                                                                                     \
    X(PQcmdTuples)                                                                                                     \
    X(PQconnectPoll)                                                                                                   \
    X(PQconnectStartParams)                                                                                            \
    X(PQconninfoFree)                                                                                                  \
    X(PQconninfoParse)                                                                                                 \
    X(PQconsumeInput)                                                                                                  \
    X(PQerrorMessage)                                                                                                  \
    X(PQfinish)                                                                                                        \
    X(PQflush)                                                                                                         \
    X(PQfname)                                                                                                         \
    X(PQfreeCancel)                                                                                                    \
    X(PQfreemem)                                                                                                       \
    X(PQftype)                                                                                                         \
    X(PQgetCancel)                                                                                                     \
    X(PQgetCopyData)                                                                                                   \
    X(PQgetResult)                                                                                                     \
    X(PQgetisnull)                                                                                                     \
    X(PQgetlength)                                                                                                     \
    X(PQgetvalue)                                                                                                      \
    X(PQisBusy)                                                                                                        \
    X(PQnfields)                                                                                                       \
    X(PQnotifies)                                                                                                      \
    X(PQntuples)                                                                                                       \
    X(PQputCopyEnd)                                                                                                    \
    X(PQresStatus)                                                                                                     \
    X(PQresultErrorField)                                                                                              \
    X(PQresultErrorMessage)                                                                                            \
    X(PQresultStatus)                                                                                                  \
    X(PQsendQuery)                                                                                                     \
    X(PQsendQueryParams)                                                                                               \
    X(PQserverVersion)                                                                                                 \
    X(PQsetNoticeReceiver)                                                                                             \
    X(PQsetSingleRowMode)                                                                                              \
    X(PQsetnonblocking)                                                                                                \
    X(PQsocket)                                                                                                        \
    X(PQstatus)                                                                                                        \
    X(PQtransactionStatus)

// The libpq functions the console uses, each with libpq's own type (a changed prototype fails to compile).
struct LibPq {
#define PETFORCE_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
    PETFORCE_LIBPQ_FUNCTIONS(PETFORCE_LIBPQ_MEMBER)
#undef PETFORCE_LIBPQ_MEMBER

    // The process's libpq, loaded by the first call (any thread; a second caller waits for the first). nullptr if
    // it cannot be loaded, with the reason and what to install in *error. PETFORCE_LIBPQ names another file.
    static const LibPq* get(QString* error = nullptr);
    // Starts loading it on a worker thread, so that the first session does not wait on the GUI thread.
    static void preload();
    // Loads the library file (a name like "libpq.so.5" or a path) and resolves every function. For tests.
    static std::optional<LibPq> load(const QString& fileName, QString* error);
};
