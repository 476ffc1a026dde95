// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentprofile.h"
#include "models/runbookstep.h"
#include "services/parameterdetector.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// One annotation: an HTML comment "<!-- petforce: risk=write param=pid:pid@12345 -->" before a code block, or a
// comment line "# petforce: risk=read" ("-- petforce: ..." in SQL) before one command inside a block. See
// docs/RUNBOOKS.md ("Annotations").
struct RunbookAnnotation {
    int line = 0;
    std::optional<StepRisk> risk; // risk=read|write|destructive
    std::optional<StepKind> kind; // kind=manual|snippet|shell|aws|...
    QString title; // title="..."
    bool skip = false; // skip: not a step (example output, a diagram)
    QList<DeclaredParameter> parameters; // param=name:type[@literal]
    QList<std::pair<EnvironmentProfile::Field, QString>> names; // name.cluster=notify-production
    QStringList errors; // unknown keys, bad values: each an error at line

    bool isEmpty() const;
    // Combines a block annotation with a line annotation (the line's values win).
    RunbookAnnotation mergedWith(const RunbookAnnotation& inner) const;

    // The directives after "petforce:" (text: the whole comment without its markers).
    static RunbookAnnotation parse(QStringView directives, int line);
    // If comment is an annotation comment ("<!-- petforce: ... -->", "# petforce: ...", "-- petforce: ..."),
    // its directives; otherwise nullopt.
    static std::optional<QString> directivesOf(QStringView comment);
};
