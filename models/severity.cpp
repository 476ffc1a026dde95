// SPDX-License-Identifier: MIT
#include "models/severity.h"

#include <algorithm>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

QString SeverityLevel::label() const { return severityCode(severity) + u" - "_s + name; }

SeverityTable::SeverityTable(QList<SeverityLevel> levels)
    : m_levels(std::move(levels))
{
}

const SeverityTable& SeverityTable::defaults()
{
    // The runbook's "Severity Levels" table (Incident Response section).
    static const SeverityTable table({
        { Severity::P0, u"Critical"_s, u"Complete service outage"_s, 5min, u"5 minutes"_s,
            u"Database down, API returning 500s"_s },
        { Severity::P1, u"High"_s, u"Major feature broken"_s, 15min, u"15 minutes"_s,
            u"Join household broken, auth broken"_s },
        { Severity::P2, u"Medium"_s, u"Minor feature degraded"_s, 1h, u"1 hour"_s, u"Analytics slow, email delayed"_s },
        { Severity::P3, u"Low"_s, u"Non-critical issue"_s, 24h, u"24 hours"_s, u"UI bug, typo, cosmetic issue"_s },
    });
    return table;
}

SeverityLevel SeverityTable::level(Severity severity) const
{
    const auto it = std::find_if(
        m_levels.cbegin(), m_levels.cend(), [severity](const SeverityLevel& l) { return l.severity == severity; });
    if (it != m_levels.cend())
        return *it;
    SeverityLevel missing;
    missing.severity = severity;
    return missing;
}

QString severityCode(Severity severity) { return u"P"_s + QString::number(static_cast<int>(severity)); }

std::optional<Severity> severityFromCode(QStringView code)
{
    code = code.trimmed();
    if (code.size() < 2 || (code[0] != u'P' && code[0] != u'p'))
        return std::nullopt;
    if (code.size() > 2 && code[2].isLetterOrNumber())
        return std::nullopt;
    switch (code[1].unicode()) {
    case u'0':
        return Severity::P0;
    case u'1':
        return Severity::P1;
    case u'2':
        return Severity::P2;
    case u'3':
        return Severity::P3;
    default:
        return std::nullopt;
    }
}
