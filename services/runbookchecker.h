// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

class QTextStream;
class QIODevice;

// `petforce-console --check-runbook FILE`: parses FILE, writes its JSON (RunbookJson) to out and one line per
// problem ("FILE:LINE: error: message") to err. Returns the exit code: 0 when the runbook has no errors (warnings
// are allowed), 1 when it has errors, 2 when the file cannot be read. Synchronous; for the command line.
class RunbookChecker {
public:
    static int run(const QString& path, QIODevice& out, QIODevice& err);
    // Convenience for main(): standard output and standard error.
    static int run(const QString& path);
};
