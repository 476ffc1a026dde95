// SPDX-License-Identifier: MIT
#include "models/runbookalert.h"

#include <array>

using namespace Qt::StringLiterals;

namespace {
bool isMetricStart(QChar c) { return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_'; }
bool isMetricChar(QChar c) { return isMetricStart(c) || (c >= u'0' && c <= u'9') || c == u'.'; }
bool isDigit(QChar c) { return c >= u'0' && c <= u'9'; }
} // namespace

std::optional<RunbookAlert> RunbookAlert::parse(QStringView text, QString* error)
{
    const auto fail = [error, text](const QString& why) -> std::optional<RunbookAlert> {
        if (error)
            *error = u"cannot understand the alert \u201C"_s + text.toString() + u"\u201D: "_s + why;
        return std::nullopt;
    };
    const QStringView t = text.trimmed();
    qsizetype i = 0;
    if (t.isEmpty() || !isMetricStart(t[0]))
        return fail(u"expected a metric name such as error_rate"_s);
    while (i < t.size() && isMetricChar(t[i]))
        ++i;
    RunbookAlert alert;
    alert.raw = t.toString();
    alert.metric = t.left(i).toString();
    while (i < t.size() && t[i] == u' ')
        ++i;
    static constexpr std::array<const char16_t*, 7> ops { u">=", u"<=", u"==", u"!=", u">", u"<", u"=" };
    for (const char16_t* op : ops) {
        if (t.mid(i).startsWith(QStringView(op))) {
            alert.op = QString::fromUtf16(op);
            if (alert.op == u"=")
                alert.op = u"=="_s;
            i += QStringView(op).size();
            break;
        }
    }
    if (alert.op.isEmpty())
        return fail(u"expected a comparison (>, >=, <, <=, ==, !=) after the metric"_s);
    while (i < t.size() && t[i] == u' ')
        ++i;
    const qsizetype numberStart = i;
    while (i < t.size() && isDigit(t[i]))
        ++i;
    if (i < t.size() && t[i] == u'.' && i + 1 < t.size() && isDigit(t[i + 1])) {
        ++i;
        while (i < t.size() && isDigit(t[i]))
            ++i;
    }
    if (i == numberStart)
        return fail(u"expected a number after the comparison"_s);
    bool ok = false;
    alert.threshold = t.mid(numberStart, i - numberStart).toString().toDouble(&ok);
    if (!ok)
        return fail(u"the threshold is not a number"_s);
    alert.unit = t.mid(i).trimmed().toString();
    for (QChar c : alert.unit) {
        if (c.isSpace() && c != u' ')
            return fail(u"the unit contains a line break"_s);
    }
    return alert;
}

bool RunbookAlert::fires(double value) const
{
    if (op == u">")
        return value > threshold;
    if (op == u">=")
        return value >= threshold;
    if (op == u"<")
        return value < threshold;
    if (op == u"<=")
        return value <= threshold;
    if (op == u"==")
        return value == threshold;
    if (op == u"!=")
        return value != threshold;
    return false;
}
