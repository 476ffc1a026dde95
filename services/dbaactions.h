// SPDX-License-Identifier: MIT
#pragma once

#include "models/commandaudit.h"
#include "models/confirmationrequest.h"
#include "models/dbasession.h"
#include "services/pgconnectionoptions.h"
#include "services/pgquery.h"
#include "services/pgresult.h"

#include <QHash>
#include <QObject>
#include <QSet>

class AuditRecorder;
class PgSession;

// One DBA action, ready to confirm and run: exactly the SQL that runs, its bound values, its risk.
struct DbaAction {
    QString source; // "dba:terminate", "dba:cancel", "dba:create-index", "dba:analyze", "dba:reset-statements"
    QString title; // "Terminate 3 sessions"
    PgQuery query;
    StepRisk risk = StepRisk::Write;
    QList<DbaSession> targets; // for cancel/terminate: the sessions, identified by pid and backend_start
    QStringList refused; // sessions left out before asking, with why ("pid 12: this console's own connection")
};

// What came of an action. For cancel/terminate: the pids the server signalled, and the targets it did not
// (ended meanwhile, or a reused pid: backend_start no longer matches).
struct DbaActionResult {
    bool ok = false;
    QString message; // for people; a clear one for a missing privilege
    QList<int> signalled;
    QList<int> missed;
    PgResult result;
};

// Runs DBA actions (cancel/terminate sessions, CREATE/DROP INDEX CONCURRENTLY, ANALYZE, reset statistics)
// through a separate write session, opened explicitly for an action and closed after it, so that the console
// does not hold a second connection of the pool it diagnoses. Each action is audited ("command.started" /
// "command.finished") on the given incident's timeline. Lives on the GUI thread and never blocks it; owns its
// PgSession; does not own the AuditRecorder.
class DbaActions : public QObject {
    Q_OBJECT
public:
    enum class Signal { Cancel, Terminate };

    explicit DbaActions(QObject* parent = nullptr);
    ~DbaActions() override;

    void setConnectionOptions(const PgConnectionOptions& base); // purpose "dba-write", not read-only
    void setAudit(AuditRecorder* audit) { m_audit = audit; }
    // The console's own backends (never signalled).
    void setOwnPids(const QSet<int>& pids) { m_ownPids = pids; }
    int writePid() const; // the write session's backend while one is open, else 0
    bool isBusy() const { return m_running != 0 || m_connecting || m_awaitingRecord; }

    // Cancel/terminate: sessions identified by pid AND backend_start (a reused pid never matches); the
    // console's own and non-client backends are left out (in refused) before anything is asked.
    // onlyIfIdle: the server re-checks state = 'idle' (the "all idle" preset: a session that woke up is spared).
    DbaAction signalAction(Signal signal, const QList<DbaSession>& sessions, bool onlyIfIdle = false) const;
    static QString signalSql(Signal signal, bool onlyIfIdle = false);
    static QString quoteIdentifier(QString name); // identifiers cannot be bound: "name", quotes doubled
    static DbaAction createIndexAction(); // the seed's index, CONCURRENTLY, outside any transaction
    static DbaAction analyzeAction(const QString& table); // ANALYZE schema-qualified table
    static DbaAction dropInvalidIndexAction(const QString& schema, const QString& index);
    static DbaAction resetStatementsAction();
    // The confirmation for an action against environment (production: destructive needs target typed): target is
    // ConfirmationRequest::targetName(profile, {"database_url"}), the name a runbook SQL step asks for too.
    static ConfirmationRequest confirmation(const DbaAction& action, const QString& environment, const QString& target);

    // Opens the write session, runs the action, closes the session → finished(). incidentId > 0: audited on
    // that incident's timeline with the confirmation given, and the action starts only once its command.started
    // is on disk: if that write fails nothing runs (finished() with the store's reason, ok false, nothing else
    // recorded). Returns false (nothing runs) while busy.
    bool run(const DbaAction& action, qint64 incidentId, const QString& environment, const QString& confirmationText);

    static QString explain(const PgResult& result); // a missing privilege said plainly

Q_SIGNALS:
    void writeSessionOpened(int pid);
    void finished(const DbaAction& action, const DbaActionResult& result);

private:
    void onConnected(int pid);
    void onConnectFailed(const QString& error);
    void onQueryFinished(quint64 id, const PgResult& result);
    void finish(const DbaActionResult& result);
    void start(); // once the start is recorded (or not needed)

    PgSession* m_session;
    AuditRecorder* m_audit = nullptr;
    QSet<int> m_ownPids;
    bool m_connecting = false;
    quint64 m_running = 0;
    DbaAction m_action;
    CommandAudit m_auditRecord;
    qint64 m_incidentId = 0;
    bool m_awaitingRecord = false;
    bool m_startRecorded = false; // command.started is on disk: command.finished follows
};
