// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookstep.h"
#include "services/shelllexer.h"

#include <QString>

// What the rule table says about one command or statement.
struct RiskVerdict {
    StepRisk risk = StepRisk::Read;
    QString reason; // the rule that decided: "aws rds reboot-db-instance: reboot-* is destructive"
    bool interactive = false; // needs a terminal
    bool untilStopped = false; // runs until stopped

    // Keeps the higher risk (and its reason); flags accumulate.
    void combine(const RiskVerdict& other);
};

// The documented risk rule table (docs/RUNBOOKS.md, "Risk rules"). Conservative: what no rule knows is a write.
// Pure; any thread.
class RiskRules {
public:
    // One simple command of a shell step (lexer: the step's lexer, for here-documents).
    static RiskVerdict forCommand(const ShellSimpleCommand& command, int commandIndex, const ShellLexer& lexer);
    // One SQL statement.
    static RiskVerdict forSql(QStringView statement);
    // The SQL a psql command runs (-c, or its here-document); empty when it runs none (interactive) or a file.
    static QString psqlSql(const ShellSimpleCommand& command, int commandIndex, const ShellLexer& lexer);
    // The step kind of a command by its program: aws, redis-cli, psql, gh; anything else is shell.
    static StepKind kindForProgram(QStringView program);
    // aws: the service and operation words ("ecs", "update-service"); empty when missing.
    static std::pair<QString, QString> awsOperation(const ShellSimpleCommand& command);
};
