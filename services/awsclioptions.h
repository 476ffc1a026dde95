// SPDX-License-Identifier: MIT
#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

// How the console calls the operator's own `aws` (v1 or v2): explicit connect/read timeouts and a bounded retry
// count (the CLI's defaults wait minutes), and the environment profile's endpoint override passed as
// --endpoint-url (v1's rds and every v2 before 2.13 ignore AWS_ENDPOINT_URL). Only options both versions accept
// (v1 refuses --cli-binary-format and --no-cli-auto-prompt); v2-only settings go as environment.
// A plain value; no thread affinity.
struct AwsCliOptions {
    int connectTimeoutS = 5;
    int readTimeoutS = 30;
    int maxAttempts = 2; // AWS_MAX_ATTEMPTS: the first try included
    // The wall-clock limit of one runbook aws step (issue 15, finding 5): the CLI's own timeouts bound each request
    // (connect + read, times maxAttempts, plus backoff: ~90 s with the defaults), and a step may make a few (pages,
    // a pipeline). 0: none.
    int wallClockS = 180;
    QString endpointUrl; // e.g. a local moto_server; empty for AWS itself
    QString profile; // AWS_PROFILE; empty: the operator's default
    QString region; // AWS_REGION and AWS_DEFAULT_REGION; empty: the profile's

    // Global options for an argument vector, to go right after "aws":
    // --cli-connect-timeout N --cli-read-timeout N [--endpoint-url URL]
    QStringList arguments() const;
    // {"aws", arguments()..., awsArguments...}: a Program CommandSpec's arguments.
    QStringList programArguments(const QStringList& awsArguments) const;
    // AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, AWS_PAGER="" (v2 would wait in a pager), AWS_CLI_AUTO_PROMPT=off (v2),
    // PYTHONUNBUFFERED=1 (output as it comes, not per 8 KiB),
    // AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION and AWS_ENDPOINT_URL as set.
    QMap<QString, QString> environment() const;
    // environment() plus an exported bash function `aws` that puts arguments() in front of every `aws` call in
    // runbook text run through bash (the text itself stays as written): for Shell CommandSpecs.
    QMap<QString, QString> shellEnvironment() const;
    // False for an endpoint that is not a plain http(s) URL (nothing else is accepted as endpointUrl).
    bool isValid(QString* why = nullptr) const;
    // The CLI loads a parameter value that starts with file://, fileb://, http:// or https:// from there: an
    // operator's value must never start so.
    static bool isSafeParameterValue(const QString& value);
};
