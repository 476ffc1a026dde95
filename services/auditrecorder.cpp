// SPDX-License-Identifier: MIT
#include "services/auditrecorder.h"

#include "services/storeclient.h"

#include <QUuid>

using namespace Qt::StringLiterals;

AuditRecorder::AuditRecorder(StoreClient* store, QObject* parent)
    : QObject(parent)
    , m_store(store)
{
}

QString AuditRecorder::newRunId() { return QUuid::createUuid().toString(QUuid::WithoutBraces); }

QString AuditRecorder::startedSummary(const CommandAudit& audit)
{
    return u"Started “%1” in %2 (%3)"_s.arg(
        audit.title.isEmpty() ? audit.command.left(80) : audit.title, audit.environment, audit.risk);
}

QString AuditRecorder::finishedSummary(const CommandAudit& audit, const CommandOutcome& outcome)
{
    QString text = u"“%1”: %2"_s.arg(audit.title.isEmpty() ? audit.command.left(80) : audit.title, outcome.status);
    if (outcome.exitCode >= 0 && outcome.status != u"ok"_s)
        text += u" (exit %1)"_s.arg(outcome.exitCode);
    text += u" in %1 s"_s.arg(QString::number(outcome.durationMs / 1000.0, 'f', 1));
    if (outcome.rows >= 0)
        text += u", %1 rows"_s.arg(outcome.rows);
    if (!outcome.note.isEmpty())
        text += u" ("_s + outcome.note + u')';
    if (!outcome.error.isEmpty())
        text += u" — "_s + outcome.error.section(u'\n', 0, 0).left(160);
    return text;
}

void AuditRecorder::recordStarted(qint64 incidentId, const CommandAudit& audit)
{
    m_store->appendEvent(incidentId, QString::fromUtf16(AuditKind::Started), startedSummary(audit), audit.toJson());
}

void AuditRecorder::recordFinished(qint64 incidentId, const CommandAudit& audit, const CommandOutcome& outcome)
{
    QJsonObject detail = outcome.toJson();
    detail.insert(u"run"_s, audit.runId);
    detail.insert(u"title"_s, audit.title);
    detail.insert(u"source"_s, audit.source);
    m_store->appendEvent(incidentId, QString::fromUtf16(AuditKind::Finished), finishedSummary(audit, outcome), detail);
}

#include "moc_auditrecorder.cpp"
