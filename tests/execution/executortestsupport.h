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
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

namespace ExecutorTest {

// A hand-made step: `program …` with, when key is given, the runner's Insert span right after the program (as the
// parameter detector marks a value the operator fills in).
inline RunbookStep handMadeStep(StepKind kind, StepRisk risk, const QString& text, const QString& key = {})
{
    RunbookStep s;
    s.kind = kind;
    s.risk = risk;
    s.title = QStringLiteral("hand-made");
    s.text = text;
    s.language = kind == StepKind::Sql ? QStringLiteral("sql") : QStringLiteral("bash");
    if (!key.isEmpty()) {
        StepSpan span;
        span.kind = StepSpan::Kind::Insert;
        span.start = text.indexOf(u' ');
        span.length = 0;
        span.key = key;
        span.quoting = TextQuoting::Unquoted;
        s.spans.append(span);
    }
    return s;
}

// A loopback TCP port free at the moment of asking (0 if none).
inline quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

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

// The test's own call of the real aws CLI against the sandbox (blocking: tests only): its JSON answer, empty on
// failure (*error says why).
inline QJsonObject awsJson(const QStringList& arguments, QString* error = nullptr)
{
    QProcess aws;
    aws.start(QStringLiteral("aws"),
        QStringList { QStringLiteral("--endpoint-url"), qEnvironmentVariable("AWS_ENDPOINT_URL") } + arguments
            + QStringList { QStringLiteral("--output"), QStringLiteral("json") });
    if (!aws.waitForFinished(60000) || aws.exitCode() != 0) {
        if (error)
            *error = QString::fromUtf8(aws.readAllStandardError());
        return {};
    }
    return QJsonDocument::fromJson(aws.readAllStandardOutput()).object();
}

// `aws --version` of the `aws` on PATH (blocking: tests only), e.g. "aws-cli/2.9.19 Python/3.11.2 …".
inline QString awsVersion()
{
    QProcess aws;
    aws.setProcessChannelMode(QProcess::MergedChannels);
    aws.start(QStringLiteral("aws"), { QStringLiteral("--version") });
    aws.waitForFinished(60000);
    return QString::fromUtf8(aws.readAll()).trimmed();
}

// Writes one log line (MESSAGE, stamped now) to a stream of the sandbox's /ecs/petforce-production group through the
// real aws CLI (blocking: tests only); true when put-log-events succeeded.
inline bool putLogLine(const QString& stream, const QString& message)
{
    QProcess put;
    put.setProgram(QStringLiteral("bash"));
    put.setArguments({ QStringLiteral("-c"),
        QStringLiteral("E=(--endpoint-url \"$AWS_ENDPOINT_URL\"); aws \"${E[@]}\" logs create-log-stream "
                       "--log-group-name /ecs/petforce-production --log-stream-name \"$STREAM\" 2>/dev/null; "
                       "aws \"${E[@]}\" logs put-log-events --log-group-name /ecs/petforce-production "
                       "--log-stream-name \"$STREAM\" --log-events \"timestamp=$(date +%s000),message=$MARKER\"") });
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("MARKER"), message);
    env.insert(QStringLiteral("STREAM"), stream);
    put.setProcessEnvironment(env);
    put.start();
    return put.waitForFinished(30000) && put.exitStatus() == QProcess::NormalExit && put.exitCode() == 0;
}

// An IP set of the test's own (the sandbox's seeded one stays as seeded): {id, name}.
inline std::pair<QString, QString> createIpSet(const QString& name, const QStringList& addresses)
{
    const QJsonObject o
        = awsJson(QStringList { QStringLiteral("wafv2"), QStringLiteral("create-ip-set"), QStringLiteral("--scope"),
                      QStringLiteral("REGIONAL"), QStringLiteral("--name"), name,
                      QStringLiteral("--ip-address-version"), QStringLiteral("IPV4"), QStringLiteral("--addresses") }
            + addresses);
    return { o.value(QStringLiteral("Summary")).toObject().value(QStringLiteral("Id")).toString(), name };
}

// {addresses, lock token} of an IP set, read by the test.
inline std::pair<QStringList, QString> readIpSet(const QString& id, const QString& name)
{
    const QJsonObject o = awsJson({ QStringLiteral("wafv2"), QStringLiteral("get-ip-set"), QStringLiteral("--scope"),
        QStringLiteral("REGIONAL"), QStringLiteral("--name"), name, QStringLiteral("--id"), id });
    QStringList addresses;
    for (const QJsonValue& a : o.value(QStringLiteral("IPSet")).toObject().value(QStringLiteral("Addresses")).toArray())
        addresses.append(a.toString());
    return { addresses, o.value(QStringLiteral("LockToken")).toString() };
}

inline bool updateIpSet(const QString& id, const QString& name, const QStringList& addresses)
{
    const QString token = readIpSet(id, name).second;
    QString error;
    awsJson(QStringList { QStringLiteral("wafv2"), QStringLiteral("update-ip-set"), QStringLiteral("--scope"),
                QStringLiteral("REGIONAL"), QStringLiteral("--name"), name, QStringLiteral("--id"), id,
                QStringLiteral("--lock-token"), token, QStringLiteral("--addresses") }
            + addresses,
        &error);
    return error.isEmpty();
}

inline bool deleteIpSet(const QString& id, const QString& name)
{
    const QString token = readIpSet(id, name).second;
    QString error;
    awsJson({ QStringLiteral("wafv2"), QStringLiteral("delete-ip-set"), QStringLiteral("--scope"),
                QStringLiteral("REGIONAL"), QStringLiteral("--name"), name, QStringLiteral("--id"), id,
                QStringLiteral("--lock-token"), token },
        &error);
    return error.isEmpty();
}

} // namespace ExecutorTest
