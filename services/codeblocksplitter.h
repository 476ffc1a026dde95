// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentprofile.h"
#include "models/runbookdiagnostic.h"
#include "models/runbookstep.h"
#include "services/runbookannotation.h"

#include <QList>
#include <QString>

// Turns one fenced code block of a runbook into steps (docs/RUNBOOKS.md, "Steps"):
// - shell blocks (bash, sh, shell, zsh): one step per command; the '#' comment lines just before a command are
//   its title (the last line) and notes (the others); '\' continuations, here-documents, pipes and open quotes
//   keep lines in one step; a comment group with "Navigate to:" or a URL is a link step; any other comment group
//   with no command after it is a manual step;
// - SQL blocks (sql, postgresql, psql...): one step per statement, the "--" comments before it as title and notes;
// - other languages (typescript, yaml, json...): one snippet step, shown and never run;
// - a block without a language: one manual step.
// Pure; any thread. Steps are returned by value.
class CodeBlockSplitter {
public:
    enum class BlockType { Shell, Sql, Snippet, Plain };
    static BlockType typeOf(QStringView language);

    struct Input {
        QString language;
        QString text; // the block's content
        int firstLine = 0; // source line of the content's first line
        RunbookAnnotation annotation; // the block's annotation, if any
        QString fallbackTitle; // for a lone untitled step: the resolution option's title
    };

    CodeBlockSplitter(const EnvironmentProfile& names, QString file);
    QList<RunbookStep> split(const Input& input, QList<RunbookDiagnostic>* diagnostics) const;

    // "# 1. Check recent deployments" → "Check recent deployments".
    static QString cleanTitle(QStringView comment);

private:
    const EnvironmentProfile& m_names;
    QString m_file;

    QList<RunbookStep> splitShell(const Input& input, QList<RunbookDiagnostic>* diagnostics) const;
    QList<RunbookStep> splitSql(const Input& input, QList<RunbookDiagnostic>* diagnostics) const;
    void finishStep(
        RunbookStep& step, const RunbookAnnotation& annotation, QList<RunbookDiagnostic>* diagnostics) const;
    void error(QList<RunbookDiagnostic>* diagnostics, int line, const QString& message) const;
    void warning(QList<RunbookDiagnostic>* diagnostics, int line, const QString& message) const;
};
