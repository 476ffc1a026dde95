// SPDX-License-Identifier: MIT
#include "ui/severitystyle.h"

#include <QLabel>

using namespace Qt::StringLiterals;

namespace SeverityStyle {

QColor background(Severity severity)
{
    switch (severity) {
    case Severity::P0:
        return QColor(0xc6, 0x28, 0x28);
    case Severity::P1:
        return QColor(0xef, 0x6c, 0x00);
    case Severity::P2:
        return QColor(0xf9, 0xa8, 0x25);
    case Severity::P3:
        return QColor(0x15, 0x65, 0xc0);
    }
    return Qt::gray;
}

QColor foreground(Severity severity) { return severity == Severity::P2 ? QColor(Qt::black) : QColor(Qt::white); }

void paintBadge(QLabel* label, const QColor& background, const QColor& foreground)
{
    QPalette palette = label->palette();
    palette.setColor(QPalette::Window, background);
    palette.setColor(QPalette::WindowText, foreground);
    label->setPalette(palette);
    // Containers such as tool bars give their widgets other roles: say which ones the badge paints with.
    label->setBackgroundRole(QPalette::Window);
    label->setForegroundRole(QPalette::WindowText);
    label->setAutoFillBackground(true);
    label->setMargin(3);
    label->setIndent(6);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
}

bool isProduction(const QString& environment)
{
    return environment.trimmed().compare(u"production"_s, Qt::CaseInsensitive) == 0;
}

void paintEnvironmentBadge(QLabel* label, const QString& environment)
{
    if (isProduction(environment))
        paintBadge(label, QColor(0xb7, 0x1c, 0x1c), Qt::white);
    else
        paintBadge(label, label->parentWidget()->palette().color(QPalette::Midlight),
            label->parentWidget()->palette().color(QPalette::WindowText));
}

} // namespace SeverityStyle
