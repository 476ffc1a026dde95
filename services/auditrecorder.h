// SPDX-License-Identifier: MIT
#pragma once

#include "models/commandaudit.h"
#include "services/incidentstore.h"

#include <QHash>
#include <QObject>

#include <functional>

class StoreClient;
class QTimer;

// Writes the audit of each command onto the incident's timeline: "command.started" before it runs, with the
// exact command, environment, operator (the store's actor), parameters, risk and the confirmation given; and
// "command.finished" after, with its outcome. Lives on the GUI thread; writes through the StoreClient (never
// blocking). Does not own the store client.
//
// Record before acting (issue 15): recordStarted() answers once the started event's commit has returned (it is on
// disk) or failed, with the store's reason; a write or destructive action starts only on that answer. A finish
// that cannot be written is kept in memory, retried (every retryInterval and after any successful write) and
// counted in unrecordedCount() until it lands; it is never dropped while this object lives.
class AuditRecorder : public QObject {
    Q_OBJECT
public:
    explicit AuditRecorder(StoreClient* store, QObject* parent = nullptr);
    ~AuditRecorder() override;

    // A fresh run id for a CommandAudit.
    static QString newRunId();
    static QString startedSummary(const CommandAudit& audit);
    // "“Check database”: failed (exit 2) in 0.3 s — psql: error: connection … failed": a failure says its stderr's
    // first line (else its error's first line that is more than the exit status).
    static QString finishedSummary(const CommandAudit& audit, const CommandOutcome& outcome);

    // recorded: the commit returned; else why says what the store said ("the disk … is full"). Called on this
    // thread, later (never from inside recordStarted()), and not at all once context is destroyed.
    using StartedAnswer = std::function<void(bool recorded, const QString& why)>; // StoreClient::Answer
    void recordStarted(
        qint64 incidentId, const CommandAudit& audit, QObject* context = nullptr, StartedAnswer answer = {});
    void recordFinished(qint64 incidentId, const CommandAudit& audit, const CommandOutcome& outcome);

    // Finishes not yet on disk (failed at least once, being retried).
    int unrecordedCount() const;
    bool hasUnrecorded() const { return unrecordedCount() > 0; }
    bool isUnrecorded(const QString& runId) const { return m_finishes.value(runId).failed; }
    QString lastError() const { return m_lastError; } // the store's reason of the last failed finish
    void setRetryInterval(int ms); // default 10 s
    void retryNow(); // posts every unrecorded finish again (one write in flight each)

Q_SIGNALS:
    // A finish could not be written: kept in memory, shown as "not recorded" until finishRecorded(runId).
    void finishNotRecorded(const QString& runId, const QString& why);
    void finishRecorded(const QString& runId);
    void unrecordedChanged(int count);

private:
    struct Finish {
        qint64 incidentId = 0;
        QString runId;
        QString summary;
        QJsonObject detail;
        int attempts = 0;
        bool inFlight = false;
        bool failed = false; // at least once: unrecorded until it lands
    };
    void post(Finish& finish);
    void onRecorded(quint64 requestId);
    void onFailed(quint64 requestId, const StoreError& error);

    StoreClient* m_store;
    QHash<quint64, QString> m_finishing; // request id → run id of a finish in flight
    QHash<QString, Finish> m_finishes; // by run id: every finish not on disk yet
    QTimer* m_retry;
    QString m_lastError;
};
