// SPDX-License-Identifier: MIT
#pragma once

#include "models/severity.h"

#include <QColor>
#include <QString>

// How severities and environments look on screen: one place, so every pane agrees.
namespace SeverityStyle {
QColor background(Severity severity);
QColor foreground(Severity severity);
// A style sheet for a badge label of that severity.
QString badgeStyleSheet(Severity severity);
// Production is always unmistakable: a red badge; other environments a quiet one.
QString environmentStyleSheet(const QString& environment);
} // namespace SeverityStyle
