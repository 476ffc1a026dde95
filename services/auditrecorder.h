// SPDX-License-Identifier: MIT
#pragma once

#include "models/commandaudit.h"

#include <QObject>

class StoreClient;

// Writes the audit of each command onto the incident's timeline: "command.started" before it runs, with the
// exact command, environment, operator (the store's actor), parameters, risk and the confirmation given; and
// "command.finished" after, with its outcome. Lives on the GUI thread; writes through the StoreClient (never
// blocking). Does not own the store client.
class AuditRecorder : public QObject {
    Q_OBJECT
public:
    explicit AuditRecorder(StoreClient* store, QObject* parent = nullptr);

    // A fresh run id for a CommandAudit.
    static QString newRunId();
    static QString startedSummary(const CommandAudit& audit);
    static QString finishedSummary(const CommandAudit& audit, const CommandOutcome& outcome);

    void recordStarted(qint64 incidentId, const CommandAudit& audit);
    void recordFinished(qint64 incidentId, const CommandAudit& audit, const CommandOutcome& outcome);

private:
    StoreClient* m_store;
};
