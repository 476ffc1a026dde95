// SPDX-License-Identifier: MIT
#pragma once
// Test support for the DBA tests: helper sessions that sit in a given state, and waiting for a monitor refresh.
// Tests may block here (QTest::qWaitFor keeps the event loop running).

#include "models/dbasession.h"
#include "services/dbamonitor.h"
#include "services/pgsession.h"
#include "support/pgtestsession.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <optional>

namespace DbaTest {

inline std::unique_ptr<PgSession> open(const PgConnectionOptions& o, QString* error = nullptr)
{
    return PgTest::open(o, error);
}

// Runs and waits (for statements that return); send() for those that block.
inline PgResult exec(PgSession& s, const PgQuery& q, int timeoutMs = 30000) { return PgTest::exec(s, q, timeoutMs); }

inline PgResult exec(PgSession& s, const QString& sql) { return exec(s, PgQuery::script(sql)); }

// A session that looks like another client's: application_name without the petforce-console/ prefix (every
// cancel/terminate refuses the console's own backends, BackendSignal).
inline std::unique_ptr<PgSession> openClient(const PgConnectionOptions& o, const QString& applicationName)
{
    auto s = PgTest::open(o);
    if (s && !exec(*s, QStringLiteral("SET application_name = '%1'").arg(applicationName)).ok())
        return nullptr;
    return s;
}

inline quint64 send(PgSession& s, const QString& sql)
{
    PgQuery q = PgQuery::script(sql);
    q.deadlineMs = 0;
    return s.execute(q);
}

// The next sessions refresh of a started monitor.
inline QList<DbaSession> refresh(DbaMonitor& monitor, DbaConnectionSummary* summary = nullptr, int timeoutMs = 20000)
{
    QSignalSpy spy(&monitor, &DbaMonitor::sessionsRefreshed);
    monitor.refreshNow();
    if (!spy.wait(timeoutMs))
        return {};
    if (summary)
        *summary = spy.last().at(1).value<DbaConnectionSummary>();
    return spy.last().at(0).value<QList<DbaSession>>();
}

// By value: the list is often a temporary.
inline std::optional<DbaSession> find(const QList<DbaSession>& sessions, int pid)
{
    for (const DbaSession& s : sessions)
        if (s.pid == pid)
            return s;
    return std::nullopt;
}

} // namespace DbaTest
