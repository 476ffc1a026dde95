// SPDX-License-Identifier: MIT
#pragma once

#include "models/severity.h"

#include <QColor>
#include <QString>

class QLabel;

// How severities and environments look on screen: one place, so every pane agrees.
namespace SeverityStyle {
QColor background(Severity severity);
QColor foreground(Severity severity);
// Turns a label into a coloured badge (palette and bold font, no style sheet).
void paintBadge(QLabel* label, const QColor& background, const QColor& foreground);
// Production is always unmistakable: a red badge; other environments a quiet grey one.
void paintEnvironmentBadge(QLabel* label, const QString& environment);
bool isProduction(const QString& environment);
} // namespace SeverityStyle
