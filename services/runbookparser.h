// SPDX-License-Identifier: MIT
#pragma once

#include "models/runbookdocument.h"

#include <QByteArray>
#include <QString>

// Reads a runbook written in Markdown like the seed (docs/RUNBOOKS.md) with md4c, walking its structure:
// headings, paragraphs with bold lead-ins, lists, tables, fenced code blocks with their info strings, HTML comment
// annotations. Source line numbers come from md4c's text offsets.
//
// Pure functions, callable from any thread. Never throws and never crashes on any input (invalid UTF-8 is decoded
// leniently): what cannot be understood becomes a line-numbered diagnostic of the returned document.
class RunbookParser {
public:
    // sourceFile: the name used in diagnostics and RunbookDocument::sourceFile.
    static RunbookDocument parse(const QByteArray& markdown, const QString& sourceFile);
    // Reads and parses a file (":/runbooks/..." works too); an unreadable file gives a document with one error.
    static RunbookDocument parseFile(const QString& path);

    static constexpr qint64 maxFileSize = 16 * 1024 * 1024;
};
