// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookalert.h"
#include "models/runbookstep.h"
#include "models/severity.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

// One way out of an incident: "**Option A: Rollback Recent Deployment**", "**Immediate Fix**: Kill ...".
struct ResolutionOption {
    QString label; // "Option A", "Immediate Fix", "Fix"
    QString title; // "Rollback Recent Deployment", "Kill long-running queries"
    int line = 0;
    QList<RunbookStep> steps;
};

// The runbook of one incident section ("### 1. High Error Rate (500s)" under "Common Incidents").
struct Runbook {
    QString title; // "High Error Rate (500s)"
    int number = 0; // 1; 0 when the heading has no number
    std::optional<Severity> severity;
    std::optional<RunbookAlert> alert;
    QStringList symptoms;
    QList<RunbookStep> diagnosis;
    QList<ResolutionOption> resolution;
    QStringList postIncident;
    QString sourceFile; // the file it was read from (":/runbooks/..." for the shipped one)
    int line = 0; // of the heading

    // "diagnosis/0", "resolution/1/0": see RunbookStep::ref. nullptr when there is no such step.
    const RunbookStep* step(QStringView ref) const;
    QList<const RunbookStep*> allSteps() const; // diagnosis, then each option's steps
};

Q_DECLARE_METATYPE(Runbook)
