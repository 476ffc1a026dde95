// SPDX-License-Identifier: MIT
#include "models/runbookdiagnostic.h"

#include <algorithm>

using namespace Qt::StringLiterals;

QString RunbookDiagnostic::toString() const
{
    const QString where = line > 0 ? file + u':' + QString::number(line) : file;
    return where + (level == Level::Error ? u": error: "_s : u": warning: "_s) + message;
}

bool RunbookDiagnostic::hasErrors(const QList<RunbookDiagnostic>& diagnostics)
{
    return std::any_of(
        diagnostics.cbegin(), diagnostics.cend(), [](const RunbookDiagnostic& d) { return d.level == Level::Error; });
}
