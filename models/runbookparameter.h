// SPDX-License-Identifier: MIT
#pragma once

#include "models/parametertype.h"

#include <QString>

// Where the wizard can take a parameter's value from instead of asking the operator to type it.
struct ParameterPrefill {
    enum class Source {
        None,
        Environment, // a variable of the active environment profile (key: "database_url") or of the console
        StepResult, // a column of an earlier step's result (key: the column or JSON field, stepRef: the step)
    };
    Source source = Source::None;
    QString key; // "pid", "taskArns", "database_url"
    QString stepRef; // StepResult: the step's reference, see RunbookStep::ref ("diagnosis/2", "catalogue/ECS/0")

    bool isSet() const { return source != Source::None; }
    // "diagnosis/2#pid", "environment#database_url"; empty when none.
    QString toString() const;
    bool operator==(const ParameterPrefill&) const = default;
};

// A value of a runbook step that the operator chooses: a placeholder (<task-id>, xxxxx, $DATABASE_URL) or an
// example literal of the runbook (12345 in pg_terminate_backend(12345), db.t3.large, v1.1.0...). The text it
// stands for is marked in the step by StepSpan entries of kind Parameter carrying this name.
struct RunbookParameter {
    QString name; // "pid", "task_id", "DATABASE_URL": unique within a step
    ParameterType::Kind type = ParameterType::Text;
    QString example; // the text as the runbook writes it: "12345", "<task-id>", "xxxxx", "$DATABASE_URL"
    bool placeholder = false; // the example is a placeholder, not a value to offer as the default
    QString description; // for people: what the value is for
    QString envVar; // the environment variable that carries the value into a command: "PF_PID", "DATABASE_URL"
    ParameterPrefill prefill;
    bool declared = false; // declared or typed by an annotation rather than detected

    // The value to offer before the operator types anything: the example when it is a real value.
    QString defaultValue() const { return placeholder ? QString() : example; }
    // The variable name used for a parameter name: "task-id" → "PF_TASK_ID".
    static QString envVarFor(QStringView name);
    bool operator==(const RunbookParameter&) const = default;
};
