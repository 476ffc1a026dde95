// SPDX-License-Identifier: MIT
#pragma once

#include "services/pgconnectionoptions.h"
#include "services/pgquery.h"
#include "services/pgresult.h"

#include <QDateTime>
#include <QObject>

#include <memory>

class PgSessionPrivate;

// One connection to a target PostgreSQL database through libpq's asynchronous API (the only place libpq is
// used). Lives on the thread that creates it (the GUI thread in the program) and never blocks it: connecting
// is driven by PQconnectPoll and QSocketNotifier, queries by PQsendQueryParams/PQsendQuery, and a cancel
// (PQcancel blocks) runs on a short-lived thread of its own. Queries run one at a time, in order; results come
// back by value in queryFinished(). After connecting, the session sets statement_timeout, lock_timeout and
// (readOnly) default_transaction_read_only before it reports connected().
//
// A client-side deadline guards every query: on expiry the query is cancelled; if the server has not answered
// within cancelLimitMs after that (a frozen server), the connection is dropped and the query reported TimedOut.
class PgSession : public QObject {
    Q_OBJECT
public:
    enum class State {
        Disconnected, // never connected, closed, or lost (see lastError(), disconnectedSince())
        Connecting, // connecting or sending the session settings
        Connected, // ready; queries may be running (isBusy())
    };
    Q_ENUM(State)

    explicit PgSession(QObject* parent = nullptr);
    // libpq is loaded by the first open() (services/libpq.h); this starts loading it on a worker thread now.
    static void preloadLibrary();
    ~PgSession() override; // closes the connection; queued and running queries are dropped without signals

    // Takes effect on the next open()/reconnect().
    void setOptions(const PgConnectionOptions& options);
    PgConnectionOptions options() const;

    // Starts connecting (closing any connection first) → connected() or connectFailed(). Returns at once.
    void open();
    // Same as open(), after a loss or to pick up new options.
    void reconnect();
    // Closes the connection; queued and running queries finish as NotConnected / Cancelled. No reconnect.
    void close();

    State state() const;
    bool isConnected() const { return state() == State::Connected; }
    bool isBusy() const; // a query is on the wire
    int queuedCount() const; // not yet sent
    int backendPid() const; // this session's server process (pg_stat_activity.pid); 0 when not connected
    QString serverVersion() const; // "15.20" when connected
    QString lastError() const; // why the last connection failed or was lost
    QDateTime disconnectedSince() const; // UTC; invalid while connected or never connected
    QString applicationName() const;

    // Queue a query; returns its id at once. The result comes as queryFinished(id, …), always, exactly once,
    // unless the session is destroyed first. While Connecting, queries wait for the connection; while
    // Disconnected they finish (asynchronously) as NotConnected.
    quint64 execute(const PgQuery& query);
    quint64 execute(const QString& sql, const QList<QVariant>& parameters = {});
    quint64 executeScript(const QString& sql);
    // Cancels a queued (finishes at once) or running (PQcancel off-thread) query → queryFinished(Cancelled).
    // Returns false if the id is unknown or already finished.
    bool cancel(quint64 queryId);

Q_SIGNALS:
    void stateChanged(PgSession::State state);
    void connected(int backendPid);
    void connectFailed(const QString& error);
    // An established connection broke (server gone, backend terminated, dropped after a deadline).
    void connectionLost(const QString& error);
    void queryStarted(quint64 queryId);
    void queryFinished(quint64 queryId, const PgResult& result);

private:
    friend class PgSessionPrivate;
    std::unique_ptr<PgSessionPrivate> d;
};
