// SPDX-License-Identifier: MIT
#pragma once

#include "models/commandaudit.h"
#include "models/postmortemdraft.h"
#include "services/incidentstore.h"

#include <QDateTime>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;

// The scripted incident of the post-mortem tests, written through the real store at fixed times (UTC):
// 09:58 created, 10:03 acknowledged, 10:07 and 10:12 commands run (ok / failed), 10:15 root cause noted,
// 10:31 fix deployed, 10:42 resolved. Returns its id (0 on failure).
inline qint64 scriptIncident(IncidentStore& store)
{
    const auto at = [](int h, int m) {
        return QDateTime(QDate(2026, 3, 14), QTime(h, m, 20), QTimeZone::utc()).toMSecsSinceEpoch();
    };
    IncidentDraft draft;
    draft.title = u"Database connection pool exhausted"_s;
    draft.severity = Severity::P1;
    draft.environment = u"production"_s;
    draft.commander = u"alice"_s;
    draft.impact = u"Logins failing for 30% of households"_s;
    const StoreChange created = store.createIncident(draft, u"alice"_s, at(9, 58));
    if (!created.ok)
        return 0;
    const qint64 id = created.incident.id;
    bool ok = store.acknowledge(id, u"bob"_s, at(10, 3)).ok;
    const auto run = [&](const QString& runId, const QString& title, int startMin, int endMin, const QString& status,
                         int exitCode) {
        CommandAudit audit;
        audit.runId = runId;
        audit.source = u"runbook:High DB connections#diagnosis/0"_s;
        audit.title = title;
        audit.kind = u"shell"_s;
        audit.environment = u"production"_s;
        audit.command = u"psql -c 'select count(*) from pg_stat_activity'"_s;
        audit.risk = u"read"_s;
        audit.confirmation = u"none"_s;
        ok = ok
            && store
                   .appendEvent(id, QString::fromUtf16(AuditKind::Started), u"Started "_s + title, audit.toJson(),
                       u"bob"_s, at(10, startMin))
                   .ok;
        CommandOutcome outcome;
        outcome.status = status;
        outcome.exitCode = exitCode;
        outcome.durationMs = 1200;
        QJsonObject detail = audit.toJson();
        const QJsonObject o = outcome.toJson();
        for (auto it = o.begin(); it != o.end(); ++it)
            detail.insert(it.key(), it.value());
        ok = ok
            && store
                   .appendEvent(id, QString::fromUtf16(AuditKind::Finished), u"Finished "_s + title, detail, u"bob"_s,
                       at(10, endMin))
                   .ok;
    };
    run(u"run-1"_s, u"Count connections"_s, 7, 7, u"ok"_s, 0);
    run(u"run-2"_s, u"Restart ECS service"_s, 12, 12, u"failed"_s, 255);
    ok = ok && store.addNote(id, u"Root cause: a deploy doubled the pool size per task"_s, u"bob"_s, at(10, 15)).ok;
    ok = ok && store.addNote(id, u"Checking dashboards"_s, u"bob"_s, at(10, 20)).ok;
    ok = ok
        && store
               .appendEvent(id, QString::fromUtf16(PostmortemKind::FixDeployed), u"Fix deployed"_s,
                   { { u"text"_s, u"Rolled back to task definition 41"_s } }, u"bob"_s, at(10, 31))
               .ok;
    ok = ok && store.resolve(id, u"Pool size restored; connections back under 60%"_s, u"alice"_s, at(10, 42)).ok;
    return ok ? id : 0;
}
