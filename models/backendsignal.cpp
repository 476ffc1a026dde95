// SPDX-License-Identifier: MIT
#include "models/backendsignal.h"

#include "models/dbasession.h"

#include <QCoreApplication>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char* text) { return QCoreApplication::translate("BackendSignal", text); }

// The statement without -- and /* */ comments (outside quotes) and trailing semicolons.
QString withoutComments(const QString& sql)
{
    QString out;
    out.reserve(sql.size());
    bool quoted = false;
    for (qsizetype i = 0; i < sql.size(); ++i) {
        const QChar c = sql.at(i);
        if (quoted) {
            out.append(c);
            if (c == u'\'')
                quoted = false;
            continue;
        }
        if (c == u'\'') {
            quoted = true;
            out.append(c);
        } else if (c == u'-' && i + 1 < sql.size() && sql.at(i + 1) == u'-') {
            while (i < sql.size() && sql.at(i) != u'\n')
                ++i;
            out.append(u'\n');
        } else if (c == u'/' && i + 1 < sql.size() && sql.at(i + 1) == u'*') {
            const qsizetype end = sql.indexOf(u"*/"_s, i + 2);
            i = end < 0 ? sql.size() : end + 1;
            out.append(u' ');
        } else {
            out.append(c);
        }
    }
    out = out.trimmed();
    while (out.endsWith(u';'))
        out = out.chopped(1).trimmed();
    return out;
}

const QRegularExpression& signalCall()
{
    static const QRegularExpression re(
        u"\\bpg_(terminate|cancel)_backend\\s*\\("_s, QRegularExpression::CaseInsensitiveOption);
    return re;
}

} // namespace

QString BackendSignal::functionName(Function f)
{
    return f == Function::Cancel ? u"pg_cancel_backend"_s : u"pg_terminate_backend"_s;
}

QString BackendSignal::notDone(Function f)
{
    return f == Function::Cancel ? tr("not cancelled") : tr("not terminated");
}

bool BackendSignal::isConsoleApplication(QStringView applicationName)
{
    return applicationName.startsWith(u"petforce-console/");
}

QString BackendSignal::refusal(
    int pid, const QString& backendType, const QString& application, bool own, const QString& backendStartText)
{
    if (own || isConsoleApplication(application))
        return tr("pid %1: this console's own connection").arg(pid);
    if (backendType != u"client backend")
        return tr("pid %1: not a client session (%2)")
            .arg(pid)
            .arg(backendType.isEmpty() ? tr("its backend type is hidden") : backendType);
    if (backendStartText.isEmpty())
        return tr("pid %1: its backend_start is hidden from this role, so it cannot be identified").arg(pid);
    return {};
}

QString BackendSignal::refusal(const DbaSession& s, const QSet<int>& ownPids)
{
    return refusal(s.pid, s.backendType, s.application, s.own || ownPids.contains(s.pid), s.backendStartText);
}

QString BackendSignal::serverCondition(const QString& a, int ownPidsParameter)
{
    QString c = u"%1.backend_type = 'client backend' AND %1.pid <> pg_backend_pid() "
                "AND coalesce(%1.application_name, '') NOT LIKE 'petforce-console/%'"_s.arg(a);
    if (ownPidsParameter > 0)
        c += u" AND %1.pid <> ALL($%2::int[])"_s.arg(a).arg(ownPidsParameter);
    return c;
}

QString BackendSignal::intArray(const QList<int>& values)
{
    QStringList l;
    for (int v : values)
        l.append(QString::number(v));
    return u"{"_s + l.join(u',') + u"}"_s;
}

QString BackendSignal::textArray(const QStringList& values)
{
    QStringList l;
    for (QString v : values)
        l.append(u"\""_s + v.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s) + u"\""_s);
    return u"{"_s + l.join(u',') + u"}"_s;
}

bool BackendSignal::mentionsSignal(const QString& text) { return signalCall().match(text).hasMatch(); }

std::optional<BackendSignal::Plan> BackendSignal::plan(const QString& sql, QString* error)
{
    if (error)
        error->clear();
    const QString s = withoutComments(sql);
    if (!mentionsSignal(s))
        return std::nullopt;
    static const QRegularExpression shape(
        u"^SELECT\\s+pg_(terminate|cancel)_backend\\s*\\(([^()]*)\\)\\s*(?:FROM\\s+(.+))?$"_s,
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch m = shape.match(s);
    const QString arg = m.captured(2).trimmed();
    const QString rest = m.captured(3).trimmed();
    if (!m.hasMatch() || arg.isEmpty() || s.contains(u';') || signalCall().match(rest).hasMatch()
        || (m.capturedLength(3) == 0 && s.size() != m.capturedEnd(0))) {
        if (error)
            *error = tr("This statement calls pg_terminate_backend or pg_cancel_backend in a shape the console cannot "
                        "guard. Only SELECT pg_terminate_backend(<pid>) and SELECT pg_terminate_backend(pid) FROM "
                        "pg_stat_activity WHERE … run from a runbook (or use the DBA pane); nothing ran.");
        return std::nullopt;
    }
    Plan p;
    p.function = m.captured(1).compare(u"cancel"_s, Qt::CaseInsensitive) == 0 ? Function::Cancel : Function::Terminate;
    p.single = rest.isEmpty();
    p.pidSource = u"SELECT ("_s + arg + u")::int"_s + (rest.isEmpty() ? QString() : QString(u" FROM "_s + rest));
    return p;
}

QString BackendSignal::targetsQuery(const Plan& plan)
{
    return u"SELECT s.pid, s.backend_start::text AS backend_start, coalesce(s.backend_type, '') AS backend_type, "
           "coalesce(s.application_name, '') AS application, coalesce(s.usename::text, '') AS \"user\", "
           "coalesce(s.state, '') AS state, left(coalesce(s.query, ''), 80) AS query, "
           "s.pid = pg_backend_pid() AS self, "
           "coalesce(extract(epoch FROM now() - s.state_change)::float8, -1) AS state_age\nFROM pg_stat_activity s\nWHERE s.pid IN ("_s
        + plan.pidSource + u")\nORDER BY s.pid"_s;
}

QString BackendSignal::runQuery(const Plan& plan, int first)
{
    return u"SELECT s.pid, %1(s.pid) AS signalled\nFROM pg_stat_activity s\n"
           "JOIN unnest($%2::int[], $%3::timestamptz[]) AS t(pid, backend_start)\n"
           "  ON s.pid = t.pid AND s.backend_start = t.backend_start\n"
           "WHERE s.pid IN ("_s.arg(functionName(plan.function))
               .arg(first)
               .arg(first + 1)
        + plan.pidSource + u")\n  AND "_s + serverCondition(u"s"_s, first + 2);
}
