// SPDX-License-Identifier: MIT
#include "services/auditrecorder.h"

#include "services/storeclient.h"

#include <QTimer>
#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;

AuditRecorder::AuditRecorder(StoreClient* store, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_retry(new QTimer(this))
{
    m_retry->setSingleShot(true);
    m_retry->setInterval(10000);
    connect(m_retry, &QTimer::timeout, this, &AuditRecorder::retryNow);
    if (m_store) {
        connect(
            m_store, &StoreClient::eventRecorded, this, [this](quint64 id, const TimelineEvent&) { onRecorded(id); });
        connect(m_store, &StoreClient::appendFailed, this, &AuditRecorder::onFailed);
        // Any write that lands (a note, another console's event) says the store takes writes again.
        connect(m_store, &StoreClient::eventsAppended, this, [this] {
            if (hasUnrecorded())
                QTimer::singleShot(0, this, &AuditRecorder::retryNow);
        });
    }
}

AuditRecorder::~AuditRecorder() = default;

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
    // Why it failed: stderr's first line ("psql: error: …"), not the exit status said just before.
    QString why = outcome.status == u"ok"_s ? QString() : outcome.firstStderrLine();
    if (why.isEmpty()) {
        const QStringList lines = outcome.error.split(u'\n', Qt::SkipEmptyParts);
        for (const QString& line : lines) {
            const QString t = line.trimmed();
            if (!t.isEmpty() && t != u"exit %1"_s.arg(outcome.exitCode)) {
                why = t;
                break;
            }
        }
    }
    if (!why.isEmpty())
        text += u" — "_s + why.left(160);
    return text;
}

void AuditRecorder::recordStarted(qint64 incidentId, const CommandAudit& audit, QObject* context, StartedAnswer answer)
{
    m_store->appendEvent(incidentId, QString::fromUtf16(AuditKind::Started), startedSummary(audit), audit.toJson(),
        context, std::move(answer));
}

void AuditRecorder::recordFinished(qint64 incidentId, const CommandAudit& audit, const CommandOutcome& outcome)
{
    QJsonObject detail = outcome.toJson();
    detail.insert(u"run"_s, audit.runId);
    detail.insert(u"title"_s, audit.title);
    detail.insert(u"source"_s, audit.source);
    Finish& f = m_finishes[audit.runId];
    f.incidentId = incidentId;
    f.runId = audit.runId;
    f.summary = finishedSummary(audit, outcome);
    f.detail = detail;
    post(f);
}

int AuditRecorder::unrecordedCount() const
{
    return int(std::count_if(m_finishes.cbegin(), m_finishes.cend(), [](const Finish& f) { return f.failed; }));
}

void AuditRecorder::setRetryInterval(int ms) { m_retry->setInterval(std::max(10, ms)); }

void AuditRecorder::post(Finish& f)
{
    ++f.attempts;
    f.inFlight = true;
    // A retry is quiet: the first failure was reported (writeFailed) and the count says it is still pending.
    const quint64 id = m_store->appendEvent(
        f.incidentId, QString::fromUtf16(AuditKind::Finished), f.summary, f.detail, /*quiet=*/f.attempts > 1);
    m_finishing.insert(id, f.runId);
}

void AuditRecorder::retryNow()
{
    for (Finish& f : m_finishes) {
        if (f.failed && !f.inFlight) {
            // The time of the event is the retry's; the detail says the finish was written late.
            f.detail.insert(u"recordedLate"_s, true);
            post(f);
        }
    }
}

void AuditRecorder::onRecorded(quint64 requestId)
{
    const QString runId = m_finishing.take(requestId);
    if (runId.isEmpty())
        return;
    const bool wasFailed = m_finishes.value(runId).failed;
    m_finishes.remove(runId);
    if (wasFailed) {
        Q_EMIT finishRecorded(runId);
        Q_EMIT unrecordedChanged(unrecordedCount());
    }
    if (hasUnrecorded())
        retryNow(); // the store takes writes again
}

void AuditRecorder::onFailed(quint64 requestId, const StoreError& error)
{
    const QString runId = m_finishing.take(requestId);
    const auto it = m_finishes.find(runId);
    if (runId.isEmpty() || it == m_finishes.end())
        return;
    it->inFlight = false;
    m_lastError = error.message;
    if (!it->failed) {
        it->failed = true;
        Q_EMIT finishNotRecorded(runId, error.message);
        Q_EMIT unrecordedChanged(unrecordedCount());
    }
    m_retry->start();
}

#include "moc_auditrecorder.cpp"
