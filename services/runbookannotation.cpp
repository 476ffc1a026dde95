// SPDX-License-Identifier: MIT
#include "services/runbookannotation.h"

using namespace Qt::StringLiterals;

namespace {

// Splits "a=b c=\"d e\"" into directives, keeping double-quoted values whole.
QStringList splitDirectives(QStringView text, QString* error)
{
    QStringList out;
    QString cur;
    bool inQuotes = false;
    for (QChar c : text) {
        if (c == u'"') {
            inQuotes = !inQuotes;
            continue;
        }
        if (!inQuotes && c.isSpace()) {
            if (!cur.isEmpty())
                out.append(cur);
            cur.clear();
            continue;
        }
        cur.append(c);
    }
    if (inQuotes && error)
        *error = u"a double quote in the annotation is never closed"_s;
    if (!cur.isEmpty())
        out.append(cur);
    return out;
}

} // namespace

bool RunbookAnnotation::isEmpty() const
{
    return !risk && !kind && title.isEmpty() && !skip && parameters.isEmpty() && names.isEmpty();
}

RunbookAnnotation RunbookAnnotation::mergedWith(const RunbookAnnotation& inner) const
{
    RunbookAnnotation merged = *this;
    if (inner.risk)
        merged.risk = inner.risk;
    if (inner.kind)
        merged.kind = inner.kind;
    if (!inner.title.isEmpty())
        merged.title = inner.title;
    merged.skip = merged.skip || inner.skip;
    merged.parameters += inner.parameters;
    merged.line = inner.line ? inner.line : line;
    return merged;
}

std::optional<QString> RunbookAnnotation::directivesOf(QStringView comment)
{
    QStringView t = comment.trimmed();
    if (t.startsWith(u"<!--")) {
        t = t.mid(4);
        if (t.endsWith(u"-->"))
            t.chop(3);
    } else if (t.startsWith(u"--") || t.startsWith(u"//")) {
        t = t.mid(2);
    } else if (t.startsWith(u'#')) {
        t = t.mid(1);
    } else {
        return std::nullopt;
    }
    t = t.trimmed();
    if (!t.startsWith(u"petforce:"))
        return std::nullopt;
    return t.mid(9).trimmed().toString();
}

RunbookAnnotation RunbookAnnotation::parse(QStringView directives, int line)
{
    RunbookAnnotation a;
    a.line = line;
    QString splitError;
    const QStringList parts = splitDirectives(directives, &splitError);
    if (!splitError.isEmpty())
        a.errors.append(splitError);
    if (parts.isEmpty())
        a.errors.append(u"the annotation is empty: write for example <!-- petforce: risk=write -->"_s);
    for (const QString& part : parts) {
        const qsizetype eq = part.indexOf(u'=');
        const QString key = eq < 0 ? part : part.left(eq);
        const QString value = eq < 0 ? QString() : part.mid(eq + 1);
        if (key == u"skip" && eq < 0) {
            a.skip = true;
        } else if (key == u"risk") {
            a.risk = RunbookStep::riskFromName(value);
            if (!a.risk)
                a.errors.append(u"unknown risk \u201C%1\u201D: use read, write or destructive"_s.arg(value));
        } else if (key == u"kind") {
            a.kind = RunbookStep::kindFromName(value);
            if (!a.kind) {
                a.errors.append(u"unknown step kind \u201C%1\u201D: use sql, aws, redis, psql, gh, shell, link, manual "
                                "or snippet"_s.arg(value));
            }
        } else if (key == u"title") {
            a.title = value;
            if (value.isEmpty())
                a.errors.append(u"title= needs a text, for example title=\"Check the pool\""_s);
        } else if (key == u"param") {
            // name:type or name:type@literal
            const qsizetype colon = value.indexOf(u':');
            const qsizetype at = value.indexOf(u'@');
            DeclaredParameter p;
            p.line = line;
            p.name = colon < 0 ? value : value.left(colon);
            const QString type = colon < 0 ? QString() : value.mid(colon + 1, at < 0 ? -1 : at - colon - 1);
            p.literal = at < 0 ? QString() : value.mid(at + 1);
            const auto kind = ParameterType::fromName(type);
            bool nameOk = !p.name.isEmpty();
            for (QChar c : p.name) {
                if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'_' && c != u'-')
                    nameOk = false;
            }
            if (!nameOk) {
                a.errors.append(u"param needs a name of letters, digits, '_' or '-': param=NAME:TYPE[@VALUE]"_s);
            } else if (!kind) {
                QStringList names;
                for (ParameterType::Kind k : ParameterType::all())
                    names.append(ParameterType::name(k));
                a.errors.append(
                    u"unknown parameter type \u201C%1\u201D for %2: use %3"_s.arg(type, p.name, names.join(u", "_s)));
            } else if (at >= 0 && p.literal.isEmpty()) {
                a.errors.append(u"param=%1 has an empty value after '@'"_s.arg(value));
            } else {
                p.type = *kind;
                a.parameters.append(p);
            }
        } else if (key.startsWith(u"name.")) {
            const auto field = EnvironmentProfile::fieldFromKey(QStringView(key).mid(5));
            if (!field)
                a.errors.append(u"unknown environment name \u201C%1\u201D"_s.arg(key.mid(5)));
            else if (value.isEmpty())
                a.errors.append(u"%1= needs the name as the runbook writes it"_s.arg(key));
            else
                a.names.append({ *field, value });
        } else {
            a.errors.append(u"unknown annotation \u201C%1\u201D: use risk=, kind=, title=, param=, name.FIELD= or "
                            "skip"_s.arg(part));
        }
    }
    return a;
}
