// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookparameter.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

// How the characters at some place of a command are quoted: decides how a value is referenced there.
enum class TextQuoting {
    Unquoted, // shell word: "${VAR}"
    DoubleQuoted, // inside "...": ${VAR}
    SingleQuoted, // inside '...': '"${VAR}"'
    HeredocExpanding, // body of << EOF: ${VAR}
    Literal, // body of << 'EOF', a comment: nothing can be referenced here
    Sql, // SQL outside strings: $n
    SqlString, // inside a SQL '...' literal: ' || $n || '
};

// A piece of a step's text that changes when the step is shown for, or run against, an environment.
struct StepSpan {
    enum class Kind {
        Parameter, // replaced by the parameter named key
        Profile, // a literal name of the runbook, replaced by the active profile's field key ("cluster")
        Remove, // connection options that the profile supplies instead (redis-cli -h HOST --tls)
        Insert, // a place where the profile's options go (key "aws": --endpoint-url; "redis": -h/-p/--tls)
    };
    Kind kind = Kind::Parameter;
    qsizetype start = 0; // in RunbookStep::text
    qsizetype length = 0;
    QString key;
    TextQuoting quoting = TextQuoting::Unquoted;

    bool operator==(const StepSpan&) const = default;
};

enum class StepKind { Sql, Aws, Redis, Psql, Gh, Shell, Link, Manual, Snippet };
enum class StepRisk { Read = 0, Write = 1, Destructive = 2 };

// One step of a runbook: a command, one SQL statement, a link, a manual instruction or a snippet to show.
struct RunbookStep {
    StepKind kind = StepKind::Manual;
    StepRisk risk = StepRisk::Read;
    QString riskReason; // which rule (or annotation) decided the risk
    QString title; // from the comment line before the command ("Check recent deployments")
    QStringList notes; // earlier comment lines of the group ("If near max_connections:")
    QString text; // exactly as the runbook writes it (command lines, the SQL statement, the comment lines)
    QString language; // the code block's info string: "bash", "sql", "typescript"
    QString url; // link steps
    int line = 0; // 1-based line of the text's first line in the source file
    QString ref; // where the step sits: "diagnosis/0", "resolution/1/0", "catalogue/ECS/3"
    bool interactive = false; // needs a terminal (execute-command --interactive, redis-cli with no command)
    bool untilStopped = false; // runs until stopped (--follow, redis-cli --latency)
    QList<RunbookParameter> parameters;
    QList<StepSpan> spans; // sorted by start, never overlapping

    bool isRunnable() const; // not link, manual or snippet
    const RunbookParameter* parameter(QStringView name) const;
    // The value the wizard fills in before the operator types anything: the example when it is a real value, but
    // never for a destructive step or a pid (the runbook's 12345 is a hint, shown as the placeholder).
    QString offeredValue(const RunbookParameter& p) const;
    QStringList profileFields() const; // profile fields the step uses, in text order ("cluster", "redis_host")

    static QString kindName(StepKind kind); // "sql", "aws", ...
    static std::optional<StepKind> kindFromName(QStringView name);
    static QString riskName(StepRisk risk); // "read", "write", "destructive"
    static std::optional<StepRisk> riskFromName(QStringView name);
};

Q_DECLARE_METATYPE(RunbookStep)
