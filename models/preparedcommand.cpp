// SPDX-License-Identifier: MIT
#include "models/preparedcommand.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

bool isShellSafe(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
        || QStringView(u"-_./:=,@+%").contains(c);
}

QString reference(const QString& var, TextQuoting quoting)
{
    const QString ref = u"${"_s + var + u'}';
    switch (quoting) {
    case TextQuoting::Unquoted:
        return u'"' + ref + u'"';
    case TextQuoting::DoubleQuoted:
    case TextQuoting::HeredocExpanding:
        return ref;
    case TextQuoting::SingleQuoted:
        return u"'\""_s + ref + u"\"'"_s;
    case TextQuoting::Literal:
    case TextQuoting::Sql:
    case TextQuoting::SqlString:
        break;
    }
    return {};
}

QString shown(const QString& value, TextQuoting quoting)
{
    return quoting == TextQuoting::Unquoted ? PreparedCommand::shellQuote(value) : value;
}

} // namespace

QString PreparedCommand::shellQuote(const QString& word)
{
    if (!word.isEmpty() && std::all_of(word.cbegin(), word.cend(), isShellSafe))
        return word;
    QString q = word;
    q.replace(u"'"_s, u"'\\''"_s);
    return u'\'' + q + u'\'';
}

PreparedCommand PreparedCommand::prepare(const RunbookStep& step, const EnvironmentProfile& profile,
    const QMap<QString, QString>& values, const QStringList& awsArguments)
{
    PreparedCommand out;
    const bool runnable = step.isRunnable();
    const bool sql = step.kind == StepKind::Sql;
    const QMap<QString, QString> profileEnv = profile.environment();
    out.environment = profileEnv;

    // The values, checked by type.
    for (const RunbookParameter& p : step.parameters) {
        QString value;
        bool have = values.contains(p.name);
        if (have) {
            value = values.value(p.name);
        } else if (p.prefill.source == ParameterPrefill::Source::Environment) {
            const auto field = EnvironmentProfile::fieldFromKey(p.prefill.key);
            const QString var = field ? EnvironmentProfile::fieldVariable(*field) : p.prefill.key;
            have = profileEnv.contains(var);
            value = profileEnv.value(var);
        }
        if (!have) {
            if (runnable)
                out.errors.append(u"%1: no value given."_s.arg(p.name));
            continue;
        }
        const ParameterCheck check = ParameterType::validate(p.type, value);
        if (!check.ok) {
            out.errors.append(p.name + u": "_s + check.reason);
            continue;
        }
        if (check.needsExtraConfirmation)
            out.confirmations.append(p.name + u": "_s + check.confirmationReason);
        out.values.insert(p.name, value);
        out.environment.insert(p.envVar, value);
    }

    QList<StepSpan> spans = step.spans;
    std::sort(spans.begin(), spans.end(), [](const StepSpan& a, const StepSpan& b) {
        return a.start < b.start || (a.start == b.start && a.length < b.length);
    });

    QMap<QString, int> sqlIndex; // parameter or field → $n
    qsizetype pos = 0;
    for (const StepSpan& span : spans) {
        if (span.start < pos || span.start + span.length > step.text.size()) {
            out.errors.append(u"The step's marked places overlap (a bug in the runbook reader)."_s);
            break;
        }
        const QStringView before = QStringView(step.text).mid(pos, span.start - pos);
        out.script += before;
        out.displayText += before;
        pos = span.start + span.length;

        QString var;
        QString value;
        bool haveValue = false;
        switch (span.kind) {
        case StepSpan::Kind::Remove:
            continue;
        case StepSpan::Kind::Insert: {
            QString script;
            QString display;
            if (span.key == u"aws") {
                if (runnable && !profile.awsOff().isEmpty() && !out.errors.contains(profile.awsOff()))
                    out.errors.append(profile.awsOff());
                const QString endpoint = profile.value(EnvironmentProfile::Field::EndpointUrl);
                if (!endpoint.isEmpty()) {
                    script += u" --endpoint-url \"${AWS_ENDPOINT_URL}\""_s;
                    display += u" --endpoint-url "_s + shellQuote(endpoint);
                }
                for (const QString& arg : awsArguments) {
                    script += u' ' + shellQuote(arg);
                    display += u' ' + shellQuote(arg);
                }
            } else if (span.key == u"redis") {
                const QString host = profile.value(EnvironmentProfile::Field::RedisHost);
                const QString port = profile.value(EnvironmentProfile::Field::RedisPort);
                if (host.isEmpty() && runnable)
                    out.errors.append(u"The %1 environment has no Redis host (redis_host)."_s.arg(profile.name()));
                if (!host.isEmpty()) {
                    script += u" -h \"${PETFORCE_REDIS_HOST}\""_s;
                    display += u" -h "_s + shellQuote(host);
                }
                if (!port.isEmpty()) {
                    script += u" -p \"${PETFORCE_REDIS_PORT}\""_s;
                    display += u" -p "_s + shellQuote(port);
                }
                if (profile.redisTls()) {
                    script += u" --tls"_s;
                    display += u" --tls"_s;
                }
            }
            out.script += script;
            out.displayText += display;
            continue;
        }
        case StepSpan::Kind::Parameter: {
            const RunbookParameter* p = step.parameter(span.key);
            var = p ? p->envVar : RunbookParameter::envVarFor(span.key);
            haveValue = out.values.contains(span.key);
            value = out.values.value(span.key);
            if (!haveValue)
                value = u'<' + span.key + u'>';
            break;
        }
        case StepSpan::Kind::Profile: {
            const auto field = EnvironmentProfile::fieldFromKey(span.key);
            var = field ? EnvironmentProfile::fieldVariable(*field) : QString();
            value = field ? profile.value(*field) : QString();
            haveValue = !value.isEmpty();
            if (!haveValue) {
                if (runnable)
                    out.errors.append(u"The %1 environment has no %2."_s.arg(profile.name(), span.key));
                value = u'<' + span.key + u'>';
            }
            if (haveValue && sql)
                out.values.insert(span.key, value);
            break;
        }
        }

        out.displayText += haveValue ? shown(value, span.quoting) : value;
        if (span.quoting == TextQuoting::Sql || span.quoting == TextQuoting::SqlString || sql) {
            if (!sqlIndex.contains(span.key)) {
                sqlIndex.insert(span.key, int(out.sqlParameters.size()) + 1);
                out.sqlParameters.append(haveValue ? value : QString());
            }
            const QString n = u'$' + QString::number(sqlIndex.value(span.key));
            out.script += span.quoting == TextQuoting::SqlString ? u"' || "_s + n + u" || '"_s : n;
        } else if (span.quoting == TextQuoting::Literal) {
            out.script += step.text.mid(span.start, span.length);
            if (runnable) {
                out.errors.append(
                    u"%1 sits where no value can be passed (a quoted heredoc or a comment)."_s.arg(span.key));
            }
        } else {
            out.script += reference(var, span.quoting);
        }
    }
    const QStringView rest = QStringView(step.text).mid(std::min(pos, step.text.size()));
    out.script += rest;
    out.displayText += rest;
    if (!runnable)
        out.script.clear();
    return out;
}
