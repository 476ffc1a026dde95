// SPDX-License-Identifier: MIT
#pragma once
// Test support for the step executor: the sandbox profile, the seed runbook, and running a step to its end.

#include "models/runbookdocument.h"
#include "services/environmentconfig.h"
#include "services/runbookparser.h"
#include "services/stepexecutor.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

namespace ExecutorTest {

inline EnvironmentProfile sandboxProfile()
{
    const EnvironmentConfig config = EnvironmentConfig::loadFile(EnvironmentConfig::shippedConfigPath());
    return config.profile(QStringLiteral("sandbox")).value_or(EnvironmentProfile());
}

inline const RunbookDocument& seed()
{
    static const RunbookDocument doc
        = RunbookParser::parseFile(QStringLiteral(":/runbooks/petforce-operational-runbook.md"));
    return doc;
}

inline const Runbook* runbook(const QString& title)
{
    for (const Runbook& r : seed().runbooks) {
        if (r.title == title)
            return &r;
    }
    return nullptr;
}

// The parameters' example values, where they are real values.
inline QMap<QString, QString> defaults(const RunbookStep& step)
{
    QMap<QString, QString> values;
    for (const RunbookParameter& p : step.parameters) {
        if (!p.defaultValue().isEmpty())
            values.insert(p.name, p.defaultValue());
    }
    return values;
}

struct Outcome {
    bool assessed = false;
    QString failure; // from failed()
    ConfirmationRequest confirmation;
    CommandOutcome outcome;
    CommandResult process;
    PgResult sql;
};

// Assess, then run with the confirmation the test gives, and wait for the end.
inline Outcome runStep(StepExecutor& executor, const StepRequest& request, int timeoutMs = 60000,
    const QString& confirmation = QStringLiteral("test"))
{
    Outcome out;
    QSignalSpy assessed(&executor, &StepExecutor::assessed);
    QSignalSpy failed(&executor, &StepExecutor::failed);
    QSignalSpy finished(&executor, &StepExecutor::finished);
    QSignalSpy sql(&executor, &StepExecutor::sqlResult);
    if (!executor.assess(request)) {
        out.failure = QStringLiteral("busy");
        return out;
    }
    QElapsedTimer waited;
    waited.start();
    while (assessed.isEmpty() && failed.isEmpty() && waited.elapsed() < timeoutMs)
        QTest::qWait(20);
    if (assessed.isEmpty() && failed.isEmpty()) {
        out.failure = QStringLiteral("no assessment in time");
        return out;
    }
    if (!failed.isEmpty()) {
        out.failure = failed.constFirst().constFirst().toString();
        return out;
    }
    out.assessed = true;
    out.confirmation = assessed.constFirst().constFirst().value<ConfirmationRequest>();
    if (!executor.run(confirmation)) {
        out.failure = QStringLiteral("not ready");
        return out;
    }
    if (finished.isEmpty())
        finished.wait(timeoutMs);
    if (!finished.isEmpty()) {
        out.outcome = finished.constFirst().at(0).value<CommandOutcome>();
        out.process = finished.constFirst().at(1).value<CommandResult>();
    } else {
        out.failure = QStringLiteral("did not finish in time");
    }
    if (!sql.isEmpty())
        out.sql = sql.constFirst().constFirst().value<PgResult>();
    return out;
}

} // namespace ExecutorTest
