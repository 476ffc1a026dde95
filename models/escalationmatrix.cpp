// SPDX-License-Identifier: MIT
#include "models/escalationmatrix.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

EscalationMatrix::EscalationMatrix(QList<EscalationLevel> levels)
    : m_levels(std::move(levels))
{
}

namespace {
int columnOf(const QStringList& header, QStringView name)
{
    for (int i = 0; i < header.size(); ++i) {
        if (header.at(i).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}
} // namespace

EscalationMatrix EscalationMatrix::fromTable(const RunbookTable& table, QStringList* problems)
{
    const int severityCol = columnOf(table.header, u"Severity");
    const int initialCol = columnOf(table.header, u"Initial Response");
    const int afterCol = columnOf(table.header, u"Escalate After");
    const int toCol = columnOf(table.header, u"Escalate To");
    if (severityCol < 0 || initialCol < 0 || afterCol < 0 || toCol < 0) {
        if (problems)
            problems->append(u"the escalation table needs the columns Severity, Initial Response, Escalate After "
                             u"and Escalate To (line %1)"_s.arg(table.line));
        return {};
    }
    static const QRegularExpression separators(u"\\s*(?:\\+|,|&|\\band\\b)\\s*"_s);
    QList<EscalationLevel> levels;
    for (const QStringList& row : table.rows) {
        const auto cell = [&row](int col) { return col < row.size() ? row.at(col).trimmed() : QString(); };
        const std::optional<Severity> severity = severityFromCode(cell(severityCol));
        if (!severity) {
            if (problems)
                problems->append(u"unknown severity \"%1\" in the escalation table"_s.arg(cell(severityCol)));
            continue;
        }
        EscalationLevel level;
        level.severity = *severity;
        level.initialResponse = cell(initialCol);
        level.escalateAfterText = cell(afterCol);
        level.escalateAfterMs = parseDurationText(level.escalateAfterText);
        level.escalateToText = cell(toCol);
        if (level.escalateAfterMs) {
            for (const QString& part : level.escalateToText.split(separators, Qt::SkipEmptyParts))
                level.escalateTo.append(part.trimmed());
        } else if (problems && level.escalateAfterText.compare(u"N/A", Qt::CaseInsensitive) != 0) {
            problems->append(u"cannot read the escalation delay \"%1\" for %2"_s.arg(
                level.escalateAfterText, severityCode(level.severity)));
        }
        levels.append(level);
    }
    return EscalationMatrix(levels);
}

std::optional<EscalationLevel> EscalationMatrix::level(Severity severity) const
{
    for (const EscalationLevel& level : m_levels) {
        if (level.severity == severity)
            return level;
    }
    return std::nullopt;
}

std::optional<qint64> parseDurationText(QStringView text)
{
    static const QRegularExpression pattern(
        u"^\\s*(\\d+(?:\\.\\d+)?)\\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hrs?|hours?|d|days?)\\s*$"_s,
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = pattern.match(text.toString());
    if (!match.hasMatch())
        return std::nullopt;
    const double value = match.captured(1).toDouble();
    const QChar unit = match.captured(2).at(0).toLower();
    double factor = 1000;
    if (unit == u'm')
        factor = 60'000;
    else if (unit == u'h')
        factor = 3'600'000;
    else if (unit == u'd')
        factor = 86'400'000;
    return qint64(value * factor);
}

QString roleKey(QStringView role)
{
    QString key;
    for (const QChar c : role.trimmed()) {
        if (c.isLetterOrNumber())
            key.append(c.toLower());
        else if (!key.endsWith(u'_'))
            key.append(u'_');
    }
    while (key.endsWith(u'_'))
        key.chop(1);
    return key;
}
