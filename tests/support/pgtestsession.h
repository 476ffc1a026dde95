// SPDX-License-Identifier: MIT
#pragma once
// Test support shared by the tests that talk to PostgreSQL through PgSession (tst_pgsession, the DBA tests):
// open a session and wait until it is connected, run a query and wait for its answer. Tests may block here
// (QTest::qWaitFor keeps the event loop running).

#include "services/pgsession.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace PgTest {

// A connected session, or nullptr (with the reason in *error) when it did not connect within timeoutMs.
inline std::unique_ptr<PgSession> open(const PgConnectionOptions& o, QString* error = nullptr, int timeoutMs = 20000)
{
    auto s = std::make_unique<PgSession>();
    s->setOptions(o);
    QSignalSpy connected(s.get(), &PgSession::connected);
    QSignalSpy failed(s.get(), &PgSession::connectFailed);
    s->open();
    if (!QTest::qWaitFor([&] { return !connected.isEmpty() || !failed.isEmpty(); }, timeoutMs) || connected.isEmpty()) {
        if (error)
            *error = s->lastError();
        return nullptr;
    }
    return s;
}

// Runs q and waits for its result; an Error "test: no answer in time" when none came within timeoutMs.
inline PgResult exec(PgSession& s, const PgQuery& q, int timeoutMs = 30000)
{
    PgResult out;
    bool done = false;
    quint64 id = 0;
    auto c = QObject::connect(&s, &PgSession::queryFinished, [&](quint64 finished, const PgResult& r) {
        if (finished == id) {
            out = r;
            done = true;
        }
    });
    id = s.execute(q);
    (void)QTest::qWaitFor([&] { return done; }, timeoutMs);
    QObject::disconnect(c);
    if (!done) {
        out.outcome = PgResult::Outcome::Error;
        out.error.message = QStringLiteral("test: no answer in time");
    }
    return out;
}

} // namespace PgTest
