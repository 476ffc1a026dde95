// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

// A message about a runbook file: something that could not be understood (error) or looks wrong (warning).
struct RunbookDiagnostic {
    enum class Level { Warning, Error };
    Level level = Level::Error;
    QString file;
    int line = 0; // 1-based; 0 when the message is about the whole file
    QString message;

    // "FILE:LINE: error: message", the form compilers and editors understand.
    QString toString() const;
    static bool hasErrors(const QList<RunbookDiagnostic>& diagnostics);
    bool operator==(const RunbookDiagnostic&) const = default;
};

Q_DECLARE_METATYPE(RunbookDiagnostic)
