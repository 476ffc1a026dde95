// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentprofile.h"
#include "models/runbookstep.h"

#include <QMap>
#include <QString>
#include <QStringList>

// A runbook step made ready to run against one environment with the operator's values. The step's text stays the
// trusted code; every value (the operator's, and the profile's names) reaches it only as an environment variable
// referenced in double quotes ("${PF_PID}", "${PETFORCE_CLUSTER}") or, for SQL steps, as a bound parameter ($1).
// Nothing is ever spliced into the script or the SQL.
struct PreparedCommand {
    QStringList errors; // why it cannot run: a missing or invalid value, a profile field the step needs is empty
    QStringList confirmations; // valid values that need an extra confirmation (0.0.0.0/0)
    QString displayText; // for people: the step with the values and names filled in. Never run this.
    QString script; // shell steps: for bash -c; SQL steps: the statement with $1..$n
    QStringList sqlParameters; // SQL steps: the values of $1..$n
    QMap<QString, QString> environment; // what the process sees: the profile's variables and the values
    QMap<QString, QString> values; // the value used for each parameter, by name (for the timeline)

    bool isReady() const { return errors.isEmpty(); }

    // values: by parameter name. A parameter prefilled from the environment (DATABASE_URL) takes the profile's
    // value when values has none; every other parameter needs a value. awsArguments: fixed options the runner adds
    // to every aws call (["--cli-connect-timeout", "10"]); trusted, shell-quoted here.
    static PreparedCommand prepare(const RunbookStep& step, const EnvironmentProfile& profile,
        const QMap<QString, QString>& values, const QStringList& awsArguments = {});
    // A word quoted for bash when it needs it: abc → abc, a b → 'a b', it's → 'it'\''s'.
    static QString shellQuote(const QString& word);
};
