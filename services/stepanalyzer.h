// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentprofile.h"
#include "models/runbookstep.h"
#include "services/parameterdetector.h"
#include "services/shelllexer.h"

#include <QHash>
#include <QList>
#include <QStringList>

// Fills in what the console needs to know about one step from its text: kind, risk (RiskRules), whether it is
// interactive or runs until stopped, its parameters and the profile names it uses (ParameterDetector).
// Pure; any thread.
class StepAnalyzer {
public:
    // Problems with declared parameters: (parameter name, message).
    using Problems = QList<std::pair<QString, QString>>;

    // A command step of a shell block (step.text: the command's lines). lexer: of the step's text with its
    // placeholders masked (ParameterDetector::maskPlaceholders), when the caller has one already.
    static Problems analyzeCommand(RunbookStep& step, const EnvironmentProfile& names,
        const QList<DeclaredParameter>& declared, const ShellLexer* lexer = nullptr);
    // One SQL statement (step.text: the statement).
    static Problems analyzeSql(
        RunbookStep& step, const EnvironmentProfile& names, const QList<DeclaredParameter>& declared);

    // The columns (SQL) or JSON fields (aws) of the step's result that later steps can take values from.
    static QStringList resultKeys(const RunbookStep& step);
    // Points parameters at the nearest earlier step whose result offers their value: a pid from a result row's
    // pid column, a task from list-tasks' taskArns... earlier: nearest first. cache: resultKeys by step, kept
    // between calls.
    static void assignPrefills(RunbookStep& step, const QList<const RunbookStep*>& earlier,
        QHash<const RunbookStep*, QStringList>* cache = nullptr);
};
