// SPDX-License-Identifier: MIT
#include "ui/severitystyle.h"

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

QString badgeStyleSheet(Severity severity)
{
    return u"QLabel { background: %1; color: %2; border-radius: 4px; padding: 2px 8px; font-weight: bold; }"_s.arg(
        background(severity).name(), foreground(severity).name());
}

QString environmentStyleSheet(const QString& environment)
{
    if (environment.compare(u"production"_s, Qt::CaseInsensitive) == 0)
        return u"QLabel { background: #b71c1c; color: white; border-radius: 4px; padding: 2px 8px; "
               "font-weight: bold; }"_s;
    return u"QLabel { background: palette(midlight); border-radius: 4px; padding: 2px 8px; }"_s;
}

} // namespace SeverityStyle
