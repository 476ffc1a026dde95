// SPDX-License-Identifier: MIT
#include "services/stepexecutor.h"

#include "models/parametertype.h"
#include "services/auditrecorder.h"
#include "services/commandrunner.h"
#include "services/displaytext.h"
#include "services/pgsession.h"
#include "services/runsfolder.h"
#include "services/secretstore.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

namespace {

constexpr int ExcerptChars = 400;
constexpr int ListLimit = 20; // effects listed one by one up to this many rows

QString withoutSqlComments(const QString& sql)
{
    QStringList kept;
    const QStringList lines = sql.split(u'\n');
    for (const QString& line : lines) {
        if (!line.trimmed().startsWith(u"--"_s))
            kept.append(line);
    }
    QString out = kept.join(u'\n').trimmed();
    while (out.endsWith(u';'))
        out.chop(1);
    return out.trimmed();
}

// SELECT <select list with a call> FROM <rest>
const QRegularExpression& selectCallShape()
{
    static const QRegularExpression re(u"^SELECT\\s+(\\w+)\\s*\\((.*?)\\)\\s+FROM\\s+(.+)$"_s,
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption);
    return re;
}

// DELETE FROM <rest>: the rows are those of SELECT … FROM <rest>; empty for USING/RETURNING (another shape).
QString deletedRows(const QString& sql)
{
    static const QRegularExpression re(u"^DELETE\\s+FROM\\s+(.+)$"_s,
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression other(u"\\b(USING|RETURNING)\\b|;"_s, QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = re.match(withoutSqlComments(sql));
    if (!m.hasMatch() || other.match(m.captured(1)).hasMatch())
        return {};
    return m.captured(1);
}

const QRegularExpression& ipSetUpdateShape()
{
    static const QRegularExpression re(u"\\bwafv2\\s+update-ip-set\\b"_s);
    return re;
}

const QString IpSetNameVar = u"PF_IP_SET_NAME"_s;
const QString IpSetNameShown = u"<name read from the IP set>"_s;
const QString LockTokenShown = u"<LockToken read by get-ip-set>"_s;
const QString LockTokenParameter = u"lock_token"_s;
const QString AddressesParameter = u"addresses"_s;
const QString IpSetAddressesVar = u"PF_IP_SET_ADDRESSES"_s;
const QString IpSetAfterShown = u"<the set's list with your changes>"_s;
const QString IpSetAddKey = u"ip_set_add"_s;
const QString IpSetRemoveKey = u"ip_set_remove"_s;
constexpr int PreviewTimeoutMs = 90 * 1000;

// The words after `option` in shown command text, up to the next option or the end of the command.
QStringList optionWords(const QString& text, const QString& option)
{
    QStringList words;
    const qsizetype at
        = text.indexOf(QRegularExpression(u"(^|\\s)"_s + QRegularExpression::escape(option) + u"(\\s|$)"_s));
    if (at < 0)
        return words;
    const QStringList tokens = text.mid(at).simplified().split(u' ', Qt::SkipEmptyParts);
    for (qsizetype i = 1; i < tokens.size(); ++i) {
        QString w = tokens.at(i);
        if (w == u"\\")
            continue;
        if (w.startsWith(u"--"_s) || w.contains(u';') || w.contains(u'|') || w.contains(u'&') || w.startsWith(u'#'))
            break;
        if (w.size() >= 2 && (w.front() == u'\'' || w.front() == u'"') && w.back() == w.front())
            w = w.mid(1, w.size() - 2);
        words.append(w);
    }
    return words;
}

// A step calls `aws` (or redis-cli) where the parameter detector marked the call (an Insert span).
bool calls(const RunbookStep& step, StepKind kind, const QString& key)
{
    if (step.kind == kind)
        return true;
    return std::any_of(step.spans.cbegin(), step.spans.cend(),
        [&](const StepSpan& span) { return span.kind == StepSpan::Kind::Insert && span.key == key; });
}

// The URL's password, and the URL without it (user info and a password=… query item).
QString urlPassword(const QString& value)
{
    const QUrl url(value);
    if (!url.isValid())
        return {};
    if (!url.password().isEmpty())
        return url.password(QUrl::FullyDecoded);
    return QUrlQuery(url).queryItemValue(u"password"_s, QUrl::FullyDecoded);
}

QString withoutPassword(const QString& value)
{
    QUrl url(value);
    if (!url.isValid())
        return {};
    url.setPassword({});
    QUrlQuery query(url);
    if (query.hasQueryItem(u"password"_s)) {
        query.removeAllQueryItems(u"password"_s);
        url.setQuery(query);
    }
    return url.toString();
}

// One aws call with nothing after it (no pipe, list, redirection or substitution outside quotes): its stdout is
// the CLI's answer.
bool isSingleAwsCall(const QString& text)
{
    QChar quote;
    bool escaped = false;
    const QString t = text.trimmed();
    const auto next = [&t](qsizetype i) { return i + 1 < t.size() ? t.at(i + 1) : QChar(); };
    if (!t.startsWith(u"aws "_s))
        return false;
    for (qsizetype i = 0; i < t.size(); ++i) {
        const QChar c = t.at(i);
        if (escaped) {
            escaped = false;
            continue;
        }
        if (c == u'\\' && quote != u'\'') {
            escaped = true;
            continue;
        }
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else if (quote == u'"' && (c == u'`' || (c == u'$' && next(i) == u'(')))
                return false;
            continue;
        }
        if (c == u'\'' || c == u'"')
            quote = c;
        else if (QStringView(u"|;&<>`#\n").contains(c) || (c == u'$' && next(i) == u'('))
            return false;
    }
    return true;
}

QString cellText(const QVariant& v) { return v.isValid() ? v.toString() : u"NULL"_s; }

QString resultText(const PgResult& result, int maxRows)
{
    QString text;
    QStringList header;
    for (const PgColumn& c : result.columns())
        header.append(c.name);
    if (!header.isEmpty())
        text += header.join(u'\t') + u'\n';
    int n = 0;
    for (const QList<QVariant>& row : result.rows()) {
        if (maxRows >= 0 && n++ >= maxRows)
            break;
        QStringList cells;
        for (const QVariant& v : row)
            cells.append(cellText(v));
        text += cells.join(u'\t') + u'\n';
    }
    return text;
}

} // namespace

StepExecutor::StepExecutor(AuditRecorder* audit, SecretStore* secrets, QObject* parent)
    : QObject(parent)
    , m_recorder(audit)
    , m_secrets(secrets)
{
}

StepExecutor::~StepExecutor() = default;

PreparedCommand StepExecutor::prepare(
    const StepRequest& request, const QString& intervalOverride, const AwsCliOptions& aws)
{
    Q_UNUSED(aws)
    const bool ipSet = isIpSetUpdate(request.step);
    RunbookStep step = request.step;
    QMap<QString, QString> values = request.values;
    QString addressesVar;
    if (ipSet) {
        // The lock token comes from get-ip-set when the confirmation is built, never from the operator; so does the
        // list: the set's current one with the operator's additions and removals (values ip_set_add/ip_set_remove).
        if (const RunbookParameter* a = step.parameter(AddressesParameter))
            addressesVar = a->envVar;
        step.parameters.removeIf(
            [](const RunbookParameter& p) { return p.name == LockTokenParameter || p.name == AddressesParameter; });
        values.remove(LockTokenParameter);
        values.remove(AddressesParameter);
        values.remove(IpSetAddKey);
        values.remove(IpSetRemoveKey);
    }
    PreparedCommand p = PreparedCommand::prepare(step, withDatabaseUrl(request.profile), values);
    if (ipSet) {
        const QStringList added = ipSetAdded(request.values);
        for (const QString& a : added) {
            const ParameterCheck check = ParameterType::validate(ParameterType::Cidr, a);
            if (!check.ok)
                p.errors.append(tr("%1: %2").arg(a, check.reason));
        }
        if (added.isEmpty() && ipSetRemoved(request.values).isEmpty())
            p.errors.append(tr("Choose the addresses to add to the IP set, or the ones to remove from it."));
        if (!addressesVar.isEmpty()) {
            // Validated CIDRs, one word each (no quotes: the list is the words), "[]" for an empty list.
            p.script.replace(u"\"${"_s + addressesVar + u"}\""_s, u"${"_s + IpSetAddressesVar + u'}');
            p.displayText.replace(u'<' + AddressesParameter + u'>', IpSetAfterShown);
        }
        p.displayText.replace(u'<' + LockTokenParameter + u'>', LockTokenShown);
        if (!p.script.contains(QRegularExpression(u"(^|\\s)--name(\\s|=)"_s))) {
            // The seed's command has no --name (the API needs it): the name read with the set goes in beside --scope.
            static const QRegularExpression op(u"(\\bwafv2\\s+update-ip-set)\\b"_s);
            p.script.replace(op, u"\\1 --name \"${"_s + IpSetNameVar + u"}\""_s);
            p.displayText.replace(op, u"\\1 --name "_s + IpSetNameShown);
        }
    }
    if (request.step.kind == StepKind::Sql && !intervalOverride.isEmpty() && !request.profile.isProduction()) {
        static const QRegularExpression interval(
            u"\\binterval\\s+'([^']*)'"_s, QRegularExpression::CaseInsensitiveOption);
        QString script;
        qsizetype pos = 0;
        auto it = interval.globalMatch(p.script);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            script += QStringView(p.script).mid(pos, m.capturedStart() - pos);
            p.sqlParameters.append(intervalOverride);
            script += u'$' + QString::number(p.sqlParameters.size()) + u"::interval"_s;
            pos = m.capturedEnd();
        }
        script += QStringView(p.script).mid(pos);
        p.script = script;
        p.displayText.replace(interval,
            u"interval '"_s + QString(intervalOverride).replace(u"'"_s, u"''"_s) + u"' /* drill threshold */"_s);
    }
    return p;
}

ConfirmationRequest StepExecutor::confirmationFor(const StepRequest& request, const PreparedCommand& prepared)
{
    ConfirmationRequest c;
    c.risk = request.step.risk;
    c.title = request.step.title.isEmpty() ? RunbookStep::kindName(request.step.kind) : request.step.title;
    c.environment = request.profile.name();
    c.command = prepared.displayText;
    c.commandLanguage = request.step.kind == StepKind::Sql ? u"sql"_s : u"bash"_s;
    for (auto it = prepared.values.cbegin(); it != prepared.values.cend(); ++it)
        c.parameters.append(it.key() + u" = "_s + it.value());
    c.extraConfirmations = prepared.confirmations;
    if (c.risk == StepRisk::Destructive) {
        // What must be typed: the resource the step acts on (ConfirmationRequest::targetName, as the DBA pane).
        const bool database = request.step.kind == StepKind::Sql || request.step.kind == StepKind::Psql;
        c.target = ConfirmationRequest::targetName(withDatabaseUrl(request.profile),
            database ? QStringList { u"database_url"_s } : request.step.profileFields());
    }
    return c;
}

QString StepExecutor::countQuery(const QString& sql)
{
    const QString rest = deletedRows(sql);
    if (!rest.isEmpty())
        return u"SELECT count(*) FROM "_s + rest;
    const QRegularExpressionMatch m = selectCallShape().match(withoutSqlComments(sql));
    if (!m.hasMatch() || m.captured(1).compare(u"count"_s, Qt::CaseInsensitive) == 0)
        return {};
    return u"SELECT count(*) FROM "_s + m.captured(3);
}

QString StepExecutor::listQuery(const QString& sql, int limit)
{
    const QString deleted = deletedRows(sql);
    if (!deleted.isEmpty())
        return u"SELECT * FROM "_s + deleted + u" LIMIT "_s + QString::number(limit);
    const QRegularExpressionMatch m = selectCallShape().match(withoutSqlComments(sql));
    if (!m.hasMatch())
        return {};
    const QString rest = m.captured(3);
    QString columns = u"("_s + m.captured(2) + u")::text AS target"_s;
    if (rest.contains(u"pg_stat_activity"_s, Qt::CaseInsensitive))
        columns += u", usename::text AS user, application_name::text AS application, state::text AS state"_s;
    return u"SELECT "_s + columns + u" FROM "_s + rest + u" LIMIT "_s + QString::number(limit);
}

EnvironmentProfile StepExecutor::withDatabaseUrl(const EnvironmentProfile& profile)
{
    if (!profile.value(EnvironmentProfile::Field::DatabaseUrl).isEmpty() || profile.databaseUrlEnv().isEmpty())
        return profile;
    const QString url = withoutPassword(qEnvironmentVariable(profile.databaseUrlEnv().toLocal8Bit().constData()));
    if (url.isEmpty())
        return profile;
    EnvironmentProfile p = profile;
    p.setValue(EnvironmentProfile::Field::DatabaseUrl, url);
    return p;
}

qint64 StepExecutor::processId() const { return m_runner ? m_runner->processId() : 0; }

namespace {
const QRegularExpression& logsTailShape()
{
    static const QRegularExpression tail(
        u"^\\s*aws((?:\\s+--[\\w-]+(?:\\s+[^-\\s]\\S*)?)*)\\s+logs\\s+tail\\s+(\\S+)(.*)$"_s,
        QRegularExpression::DotMatchesEverythingOption | QRegularExpression::MultilineOption);
    return tail;
}
} // namespace

bool StepExecutor::isLogsTail(const RunbookStep& step)
{
    return step.kind == StepKind::Aws && logsTailShape().match(step.text).hasMatch();
}

int StepExecutor::awsCliMajor(const QString& versionText)
{
    static const QRegularExpression version(u"\\baws-cli/(\\d+)\\."_s);
    const QRegularExpressionMatch m = version.match(versionText);
    return m.hasMatch() ? m.captured(1).toInt() : 0;
}

std::optional<std::pair<QString, QMap<QString, QString>>> StepExecutor::logsTailSpec(
    const PreparedCommand& prepared, const QString& cliVersion)
{
    const QRegularExpressionMatch m = logsTailShape().match(prepared.displayText);
    if (!m.hasMatch())
        return std::nullopt;
    auto unquote = [](QString v) {
        if (v.size() >= 2 && (v.startsWith(u'\'') || v.startsWith(u'"')) && v.back() == v.front())
            v = v.mid(1, v.size() - 2);
        return v;
    };
    static const QRegularExpression endpoint(u"--endpoint-url\\s+(\"[^\"]*\"|'[^']*'|\\S+)"_s);
    static const QRegularExpression filter(u"--filter-pattern\\s+(\"[^\"]*\"|'[^']*'|\\S+)"_s);
    static const QRegularExpression since(u"--since\\s+(\\d+)m\\b"_s);
    const QString rest = m.captured(3);
    QMap<QString, QString> env;
    env.insert(u"PF_TAIL_LOG_GROUP"_s, unquote(m.captured(2)));
    // The profile's endpoint as the shown command has it: CLI v2 before 2.13 ignores AWS_ENDPOINT_URL.
    const QRegularExpressionMatch e = endpoint.match(m.captured(1));
    env.insert(u"PF_TAIL_ENDPOINT"_s, e.hasMatch() ? unquote(e.captured(1)) : QString());
    const QRegularExpressionMatch f = filter.match(rest);
    env.insert(u"PF_TAIL_FILTER"_s, f.hasMatch() ? unquote(f.captured(1)) : QString());
    const QRegularExpressionMatch sm = since.match(rest);
    env.insert(u"PF_TAIL_SINCE_S"_s, QString::number(sm.hasMatch() ? sm.captured(1).toInt() * 60 : 600));
    env.insert(u"PF_TAIL_FOLLOW"_s, rest.contains(u"--follow"_s) ? u"1"_s : u"0"_s);
    QString cli = cliVersion.section(u' ', 0, 0).trimmed();
    cli.remove(QRegularExpression(u"[^\\w./-]"_s));
    const QString script = u"# %1 has no `aws logs tail`: the same tail through filter-log-events\n"_s.arg(
                               cli.isEmpty() ? u"This AWS CLI"_s : cli)
        + uR"SH(start=$(( ($(date +%s) - PF_TAIL_SINCE_S) * 1000 ))
while :; do
  out=$(aws ${PF_TAIL_ENDPOINT:+--endpoint-url "$PF_TAIL_ENDPOINT"} logs filter-log-events \
    --log-group-name "$PF_TAIL_LOG_GROUP" --start-time "$start" \
    ${PF_TAIL_FILTER:+--filter-pattern "$PF_TAIL_FILTER"} \
    --query 'events[].[timestamp,message]' --output text) || exit $?
  if [ -n "$out" ] && [ "$out" != "None" ]; then
    printf '%s\n' "$out" | cut -f2-
    last=$(printf '%s\n' "$out" | cut -f1 | sort -n | tail -n 1)
    start=$((last + 1))
  fi
  [ "$PF_TAIL_FOLLOW" = 1 ] || exit 0
  sleep 2
done)SH"_s;
    return std::make_pair(script, env);
}

std::optional<std::pair<QString, QMap<QString, QString>>> StepExecutor::tailLoop() const
{
    if (awsCliMajor(m_awsCli) >= 2)
        return std::nullopt; // v2 runs the step's own `aws logs tail`
    return logsTailSpec(m_prepared, m_awsCli);
}

CommandRunner* StepExecutor::idlePreviewRunner()
{
    if (m_previewRunner && m_previewRunner->isRunning()) {
        delete m_previewRunner; // an abandoned read: killed with its group, without signals
        m_previewRunner = nullptr;
    }
    if (!m_previewRunner)
        m_previewRunner = new CommandRunner(this);
    return m_previewRunner;
}

void StepExecutor::detectAwsCli(std::function<void()> next)
{
    idlePreviewRunner();
    QMap<QString, QString> env = m_prepared.environment;
    env.insert(m_aws.environment());
    CommandSpec spec = CommandSpec::program({ u"aws"_s, u"--version"_s }, env);
    spec.timeoutMs = PreviewTimeoutMs;
    spec.runsFolder = m_runsFolder;
    spec.tailCapBytes = 64 * 1024;
    const quint64 generation = m_generation;
    connect(
        m_previewRunner, &CommandRunner::finished, this,
        [this, generation, next](const CommandResult& r) {
            if (generation != m_generation || m_state != State::Assessing)
                return;
            // Old v1 printed its version on stderr. No answer (no aws): the loop, and the run says why.
            const QString text = DisplayText::fromBytes(QByteArray(r.out.tail + '\n' + r.err.tail));
            static const QRegularExpression line(u"\\baws-cli/\\S+"_s);
            m_awsCli = line.match(text).captured(0);
            next();
        },
        Qt::SingleShotConnection);
    m_previewRunner->start(spec);
}

bool StepExecutor::isIpSetUpdate(const RunbookStep& step)
{
    return step.kind == StepKind::Aws && ipSetUpdateShape().match(step.text).hasMatch();
}

bool StepExecutor::isLockConflict(const CommandOutcome& outcome)
{
    return outcome.status == u"failed" && outcome.error.contains(u"WAFOptimisticLockException"_s);
}

QStringList StepExecutor::ipSetEffects(const QString& name, const QStringList& before, const QStringList& after)
{
    auto listed = [](const QStringList& l) { return l.isEmpty() ? tr("(empty)") : l.join(u", "_s); };
    QStringList lines;
    lines.append(tr("IP set %1 — the update writes this whole list (%2 → %3 addresses):")
                     .arg(name)
                     .arg(before.size())
                     .arg(after.size()));
    lines.append(tr("Before (%1): %2").arg(before.size()).arg(listed(before)));
    lines.append(tr("After (%1): %2").arg(after.size()).arg(listed(after)));
    for (const QString& a : after) {
        if (!before.contains(a))
            lines.append(tr("+ %1 (added)").arg(a));
    }
    for (const QString& b : before) {
        if (!after.contains(b))
            lines.append(tr("− %1 (removed)").arg(b));
    }
    for (const QString& a : after) {
        if (before.contains(a))
            lines.append(tr("= %1 (kept)").arg(a));
    }
    return lines;
}

void StepExecutor::readPreview(const QStringList& awsArguments, std::function<void(const QByteArray&)> next)
{
    idlePreviewRunner();
    AwsCliOptions aws = m_aws;
    const QString endpoint = m_request.profile.value(EnvironmentProfile::Field::EndpointUrl);
    if (!endpoint.isEmpty())
        aws.endpointUrl = endpoint;
    QMap<QString, QString> env = m_request.profile.environment();
    env.insert(aws.environment());
    CommandSpec spec
        = CommandSpec::program(aws.programArguments(awsArguments + QStringList { u"--output"_s, u"json"_s }), env);
    spec.timeoutMs = PreviewTimeoutMs;
    spec.runsFolder = m_runsFolder;
    spec.tailCapBytes = 4 * 1024 * 1024;
    const quint64 generation = m_generation;
    connect(
        m_previewRunner, &CommandRunner::finished, this,
        [this, generation, next](const CommandResult& r) {
            if (generation != m_generation || m_state != State::Assessing)
                return;
            if (!r.ok() || r.out.tailTruncated) {
                setState(State::Idle);
                QString why = r.error.isEmpty() ? r.summary() : r.error;
                const QString err = DisplayText::fromBytes(r.err.tail.right(ExcerptChars)).trimmed();
                if (!err.isEmpty())
                    why += u"\n"_s + err;
                Q_EMIT failed(tr("Could not read the IP set before changing it; nothing ran: %1").arg(why));
                return;
            }
            next(r.out.tail);
        },
        Qt::SingleShotConnection);
    m_previewRunner->start(spec);
}

void StepExecutor::readIpSet()
{
    // The set's scope and id as the command will use them; its name from list-ip-sets; its addresses and the
    // LockToken from get-ip-set. Every value goes as its own argument (no shell).
    const QString text = m_prepared.displayText;
    const QString scope = optionWords(text, u"--scope"_s).value(0, u"REGIONAL"_s);
    const QString id = optionWords(text, u"--id"_s).value(0);
    const QStringList add = ipSetAdded(m_request.values);
    const QStringList remove = ipSetRemoved(m_request.values);
    if (const QString why = ipSetRefusal(add); !why.isEmpty()) {
        setState(State::Idle);
        Q_EMIT failed(why);
        return;
    }
    QString lockVar;
    for (const RunbookParameter& p : std::as_const(m_request.step.parameters)) {
        if (p.name == LockTokenParameter)
            lockVar = p.envVar;
    }
    if (id.isEmpty() || !AwsCliOptions::isSafeParameterValue(id) || !AwsCliOptions::isSafeParameterValue(scope)) {
        setState(State::Idle);
        Q_EMIT failed(tr("The IP set's id is missing: nothing ran."));
        return;
    }
    readPreview({ u"wafv2"_s, u"list-ip-sets"_s, u"--scope"_s, scope },
        [this, scope, id, add, remove, lockVar](const QByteArray& listed) {
            QString name;
            const QJsonArray sets = QJsonDocument::fromJson(listed).object().value(u"IPSets"_s).toArray();
            for (const QJsonValue& v : sets) {
                if (v.toObject().value(u"Id"_s).toString() == id)
                    name = v.toObject().value(u"Name"_s).toString();
            }
            if (name.isEmpty()) {
                setState(State::Idle);
                Q_EMIT failed(tr("There is no %1 IP set with id %2 in the %3 environment: nothing ran.")
                                  .arg(scope, id, m_request.profile.name()));
                return;
            }
            readPreview({ u"wafv2"_s, u"get-ip-set"_s, u"--scope"_s, scope, u"--name"_s, name, u"--id"_s, id },
                [this, name, add, remove, lockVar](const QByteArray& got) {
                    const QJsonObject answer = QJsonDocument::fromJson(got).object();
                    const QString token = answer.value(u"LockToken"_s).toString();
                    QStringList before;
                    for (const QJsonValue& a : answer.value(u"IPSet"_s).toObject().value(u"Addresses"_s).toArray())
                        before.append(a.toString());
                    if (token.isEmpty()) {
                        setState(State::Idle);
                        Q_EMIT failed(tr("get-ip-set gave no LockToken for %1: nothing ran.").arg(name));
                        return;
                    }
                    // The list as read now (someone may have changed it since the editor showed it): kept, but
                    // for what the operator chose to remove, with what they chose to add.
                    const QStringList after = ipSetAfter(before, add, remove);
                    if (after == before) {
                        setState(State::Idle);
                        Q_EMIT failed(tr("Nothing to change: IP set %1 already holds what you asked for (%2); nothing "
                                         "ran.")
                                          .arg(name, before.isEmpty() ? tr("empty") : before.join(u", "_s)));
                        return;
                    }
                    QStringList quoted;
                    for (const QString& a : after)
                        quoted.append(PreparedCommand::shellQuote(a));
                    m_prepared.environment.insert(IpSetAddressesVar, after.isEmpty() ? u"[]"_s : after.join(u' '));
                    m_prepared.values.insert(AddressesParameter, after.join(u", "_s));
                    if (!add.isEmpty())
                        m_prepared.values.insert(u"added"_s, add.join(u", "_s));
                    if (!remove.isEmpty())
                        m_prepared.values.insert(u"removed"_s, remove.join(u", "_s));
                    m_prepared.displayText.replace(IpSetAfterShown, after.isEmpty() ? u"'[]'"_s : quoted.join(u' '));
                    m_prepared.environment.insert(IpSetNameVar, name);
                    m_prepared.values.insert(u"ip_set_name"_s, name);
                    if (!lockVar.isEmpty()) {
                        m_prepared.environment.insert(lockVar, token);
                        m_prepared.values.insert(LockTokenParameter, token);
                    }
                    m_prepared.displayText.replace(IpSetNameShown, PreparedCommand::shellQuote(name));
                    m_prepared.displayText.replace(LockTokenShown, PreparedCommand::shellQuote(token));
                    m_confirmation = confirmationFor(m_request, m_prepared);
                    m_confirmation.target = name;
                    m_confirmation.effects = ipSetEffects(name, before, after);
                    for (const QString& a : add) {
                        if (before.contains(a))
                            m_confirmation.effects.append(tr("%1 is already in the set").arg(a));
                    }
                    for (const QString& r : remove) {
                        if (!before.contains(r))
                            m_confirmation.effects.append(tr("%1 is no longer in the set (removed meanwhile)").arg(r));
                    }
                    setState(State::Ready);
                    Q_EMIT assessed(m_confirmation);
                });
        });
}

void StepExecutor::setIpSetChange(QMap<QString, QString>& values, const QStringList& add, const QStringList& remove)
{
    values.remove(IpSetAddKey);
    values.remove(IpSetRemoveKey);
    if (!add.isEmpty())
        values.insert(IpSetAddKey, add.join(u' '));
    if (!remove.isEmpty())
        values.insert(IpSetRemoveKey, remove.join(u' '));
}

QStringList StepExecutor::ipSetAdded(const QMap<QString, QString>& values)
{
    return values.value(IpSetAddKey).split(u' ', Qt::SkipEmptyParts);
}

QStringList StepExecutor::ipSetRemoved(const QMap<QString, QString>& values)
{
    return values.value(IpSetRemoveKey).split(u' ', Qt::SkipEmptyParts);
}

QString StepExecutor::ipSetScope(const RunbookStep& step)
{
    const QString scope = optionWords(step.text, u"--scope"_s).value(0);
    return scope.isEmpty() || !AwsCliOptions::isSafeParameterValue(scope) ? u"REGIONAL"_s : scope;
}

QStringList StepExecutor::ipSetAfter(const QStringList& before, const QStringList& add, const QStringList& remove)
{
    QStringList after;
    for (const QString& b : before) {
        if (!remove.contains(b) && !after.contains(b))
            after.append(b);
    }
    for (const QString& a : add) {
        if (!after.contains(a))
            after.append(a);
    }
    return after;
}

void StepExecutor::awsLookup(CommandRunner*& slot, const EnvironmentProfile& profile, const QStringList& arguments,
    std::function<void(bool, const QByteArray&, const QString&)> done)
{
    if (!profile.awsOff().isEmpty()) {
        done(false, {}, profile.awsOff());
        return;
    }
    if (slot && slot->isRunning()) {
        delete slot; // the older lookup: killed with its group, without signals
        slot = nullptr;
    }
    if (!slot)
        slot = new CommandRunner(this);
    AwsCliOptions aws = m_aws;
    const QString endpoint = profile.value(EnvironmentProfile::Field::EndpointUrl);
    if (!endpoint.isEmpty())
        aws.endpointUrl = endpoint;
    QMap<QString, QString> env = profile.environment();
    env.insert(aws.environment());
    CommandSpec spec
        = CommandSpec::program(aws.programArguments(arguments + QStringList { u"--output"_s, u"json"_s }), env);
    spec.timeoutMs = PreviewTimeoutMs;
    spec.runsFolder = m_runsFolder;
    spec.tailCapBytes = 4 * 1024 * 1024;
    connect(
        slot, &CommandRunner::finished, this,
        [done](const CommandResult& r) {
            if (r.ok() && !r.out.tailTruncated) {
                done(true, r.out.tail, {});
                return;
            }
            QString why = r.error.isEmpty() ? r.summary() : r.error;
            const QString err = DisplayText::fromBytes(r.err.tail.right(ExcerptChars)).trimmed();
            if (!err.isEmpty())
                why += u"\n"_s + err;
            done(false, {}, why);
        },
        Qt::SingleShotConnection);
    slot->start(spec);
}

void StepExecutor::listIpSets(const EnvironmentProfile& profile, const QString& scope)
{
    awsLookup(m_listRunner, profile, { u"wafv2"_s, u"list-ip-sets"_s, u"--scope"_s, scope },
        [this, scope](bool ok, const QByteArray& out, const QString& why) {
            QList<IpSetSummary> sets;
            if (!ok) {
                Q_EMIT ipSetsListed(scope, sets, tr("Could not list the IP sets: %1").arg(why));
                return;
            }
            for (const QJsonValue& v : QJsonDocument::fromJson(out).object().value(u"IPSets"_s).toArray()) {
                const QJsonObject o = v.toObject();
                sets.append({ o.value(u"Name"_s).toString(), o.value(u"Id"_s).toString(),
                    o.value(u"Description"_s).toString() });
            }
            std::sort(sets.begin(), sets.end(), [](const IpSetSummary& a, const IpSetSummary& b) {
                return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
            });
            Q_EMIT ipSetsListed(scope, sets, {});
        });
}

void StepExecutor::readIpSetAddresses(
    const EnvironmentProfile& profile, const QString& scope, const QString& name, const QString& id)
{
    awsLookup(m_readRunner, profile,
        { u"wafv2"_s, u"get-ip-set"_s, u"--scope"_s, scope, u"--name"_s, name, u"--id"_s, id },
        [this, id](bool ok, const QByteArray& out, const QString& why) {
            QStringList addresses;
            if (!ok) {
                Q_EMIT ipSetAddressesRead(id, addresses, tr("Could not read the IP set: %1").arg(why));
                return;
            }
            const QJsonObject set = QJsonDocument::fromJson(out).object().value(u"IPSet"_s).toObject();
            for (const QJsonValue& a : set.value(u"Addresses"_s).toArray())
                addresses.append(a.toString());
            Q_EMIT ipSetAddressesRead(id, addresses, {});
        });
}

bool StepExecutor::isOffendersPipeline(const RunbookStep& step)
{
    static const QRegularExpression shape(u"redis-cli\\b[^|]*--scan\\b[^|]*\\|.*\\bGET\\b.*\\buniq\\s+-c\\b"_s,
        QRegularExpression::DotMatchesEverythingOption);
    return step.kind == StepKind::Redis && shape.match(step.text).hasMatch();
}

QString StepExecutor::scanPattern(const QString& commandText)
{
    const QString p = optionWords(commandText, u"--pattern"_s).value(0);
    return p.isEmpty() ? u"*"_s : p;
}

StepAnswer StepExecutor::offendersAnswer(const QList<RedisClient::KeyValue>& keys, bool capped, int cap)
{
    StepAnswer a;
    a.title = tr("Top offending IPs: the rate_limit:* keys by count, top first");
    a.why = tr("The runbook's pipeline counts values, not keys: `xargs … GET {}` prints only each key's count, so "
               "`uniq -c` tells how many IPs share a count and the IPs are lost. The console read the keys itself "
               "(SCAN + MGET) and lists each IP with its count.");
    a.header = { tr("ip"), tr("count"), tr("key") };
    struct Row {
        QString ip;
        qint64 count;
        QString key;
    };
    QList<Row> rows;
    for (const RedisClient::KeyValue& kv : keys) {
        if (kv.isNil)
            continue; // expired between SCAN and MGET
        bool numeric = false;
        const qint64 count = kv.value.trimmed().toLongLong(&numeric);
        if (!numeric)
            continue;
        const QString key = DisplayText::fromBytes(kv.key);
        const qsizetype colon = key.indexOf(u':');
        rows.append({ colon >= 0 ? key.mid(colon + 1) : key, count, key });
    }
    std::sort(rows.begin(), rows.end(),
        [](const Row& x, const Row& y) { return x.count > y.count || (x.count == y.count && x.ip < y.ip); });
    const QLocale en(QLocale::English);
    for (const Row& r : std::as_const(rows)) {
        if (a.rows.size() < 50)
            a.rows.append({ r.ip, QString::number(r.count), r.key });
        const QHostAddress address(r.ip);
        if (a.offenders.size() < 20 && !address.isNull())
            a.offenders.append(r.ip + (address.protocol() == QAbstractSocket::IPv6Protocol ? u"/128"_s : u"/32"_s));
    }
    a.note = rows.isEmpty() ? tr("No rate_limit:* key holds a count.")
                            : tr("%1 key(s) with a count; the first %2 shown.")
                                  .arg(en.toString(qlonglong(rows.size())))
                                  .arg(qMin<qsizetype>(rows.size(), 50));
    if (capped)
        a.note += u' '
            + tr("Read the first %1 keys only (the cap): more keys match and were not read.").arg(en.toString(cap));
    return a;
}

bool StepExecutor::isTaskDefinitionList(const RunbookStep& step)
{
    static const QRegularExpression shape(u"\\baws\\b[^|]*\\becs\\s+list-task-definitions\\b"_s);
    return step.kind == StepKind::Aws && shape.match(step.text).hasMatch();
}

StepAnswer StepExecutor::taskDefinitionsAnswer(const QByteArray& json, const QString& endpoint)
{
    StepAnswer a;
    struct Def {
        int revision;
        QString arn;
    };
    QList<Def> defs;
    const QJsonArray arns = QJsonDocument::fromJson(json).object().value(u"taskDefinitionArns"_s).toArray();
    for (const QJsonValue& v : arns) {
        const QString arn = v.toString();
        bool ok = false;
        const int revision = arn.section(u':', -1).toInt(&ok);
        if (ok)
            defs.append({ revision, arn });
    }
    bool sorted = true;
    for (qsizetype i = 1; i < defs.size(); ++i)
        sorted = sorted && defs.at(i - 1).revision > defs.at(i).revision;
    if (sorted && endpoint.isEmpty())
        return a; // real AWS answered as asked: the step's own output says it
    std::stable_sort(defs.begin(), defs.end(), [](const Def& x, const Def& y) { return x.revision > y.revision; });
    a.title = tr("Recent deployments: the task definitions, newest first");
    a.why = !endpoint.isEmpty()
        ? tr("The sandbox's AWS (moto, %1) ignores --sort: it lists the revisions oldest first, so the step's "
             "`head` shows the oldest. The console listed them again and sorts them by revision (a family's "
             "revisions only grow), newest first.")
              .arg(endpoint)
        : tr("The answer was not sorted newest first although the command asks for --sort DESC: the console sorts "
             "it by revision, newest first.");
    a.header = { tr("revision"), tr("task definition") };
    for (const Def& d : std::as_const(defs)) {
        if (a.rows.size() >= 10)
            break;
        a.rows.append({ QString::number(d.revision), d.arn.section(u'/', -1) });
    }
    a.note = defs.isEmpty()
        ? tr("No task definition in the family.")
        : tr("%1 revision(s) in all; the newest is %2.").arg(defs.size()).arg(defs.constFirst().arn.section(u'/', -1));
    return a;
}

void StepExecutor::startAnswer()
{
    const RunbookStep& step = m_request.step;
    const QString runId = m_audit.runId;
    const EnvironmentProfile& profile = m_request.profile;
    if (isOffendersPipeline(step)) {
        delete m_answerRedis; // an older read: its callbacks are dropped
        m_answerRedis = new RedisClient(this);
        RedisClient* client = m_answerRedis;
        const QString host = profile.value(EnvironmentProfile::Field::RedisHost);
        const QString port = profile.value(EnvironmentProfile::Field::RedisPort);
        client->setServer(host, quint16(port.isEmpty() ? 6379 : port.toUInt()), profile.redisTls());
        client->setPassword(qEnvironmentVariable("REDISCLI_AUTH"));
        QTimer::singleShot(m_deadlines.redisMs, client, [client] { client->disconnectFromServer(); });
        const int cap = m_offenderCap;
        client->scanValues(scanPattern(m_prepared.displayText).toUtf8(), cap,
            [this, client, runId, cap](
                bool ok, const QList<RedisClient::KeyValue>& keys, bool capped, const QString& error) {
                StepAnswer a;
                if (ok) {
                    a = offendersAnswer(keys, capped, cap);
                } else {
                    a.title = tr("Top offending IPs");
                    a.error = tr("Could not read the rate_limit:* keys: %1").arg(error);
                }
                client->disconnectFromServer();
                Q_EMIT answerReady(runId, a);
            });
        return;
    }
    if (isTaskDefinitionList(step)) {
        const QString family = optionWords(m_prepared.displayText, u"--family"_s).value(0);
        if (family.isEmpty() || !AwsCliOptions::isSafeParameterValue(family))
            return;
        const QString endpoint = profile.value(EnvironmentProfile::Field::EndpointUrl);
        awsLookup(m_answerRunner, profile,
            { u"ecs"_s, u"list-task-definitions"_s, u"--family-prefix"_s, family, u"--sort"_s, u"DESC"_s },
            [this, runId, family, endpoint](bool ok, const QByteArray& out, const QString& why) {
                StepAnswer a;
                if (ok) {
                    // --family-prefix also matches petforce-api-worker: only this family's revisions.
                    QJsonObject doc = QJsonDocument::fromJson(out).object();
                    QJsonArray kept;
                    for (const QJsonValue& v : doc.value(u"taskDefinitionArns"_s).toArray()) {
                        if (v.toString().section(u'/', -1).section(u':', 0, 0) == family)
                            kept.append(v);
                    }
                    doc.insert(u"taskDefinitionArns"_s, kept);
                    a = taskDefinitionsAnswer(QJsonDocument(doc).toJson(QJsonDocument::Compact), endpoint);
                } else {
                    a.title = tr("Recent deployments");
                    a.error = tr("Could not list the task definitions again: %1").arg(why);
                }
                if (!a.isEmpty())
                    Q_EMIT answerReady(runId, a);
            });
    }
}

QString StepExecutor::ipSetRefusal(const QStringList& after)
{
    for (const QString& a : after) {
        if (a.trimmed().endsWith(u"/0"_s))
            return tr("%1 is every address on the internet: an IP set never takes a /0 network (AWS refuses it too). "
                      "Give the addresses to block, such as 192.0.2.10/32; nothing ran.")
                .arg(a.trimmed());
    }
    return {};
}

namespace {
// The one redis-cli line of a FLUSHDB step: its start (program and options) before FLUSHDB.
const QRegularExpression& flushDbLine()
{
    static const QRegularExpression re(u"^(\\s*redis-cli\\b[^\\n;|&<>`()]*?)\\s+FLUSHDB\\s*$"_s,
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::MultilineOption);
    return re;
}

QString commandLines(const QString& text)
{
    QStringList kept;
    for (const QString& line : text.split(u'\n')) {
        if (!line.trimmed().isEmpty() && !line.trimmed().startsWith(u'#'))
            kept.append(line);
    }
    return kept.join(u'\n');
}
} // namespace

bool StepExecutor::isFlushDb(const RunbookStep& step)
{
    const QString lines = commandLines(step.text);
    return step.kind == StepKind::Redis && !lines.contains(u'\n') && flushDbLine().match(lines).hasMatch();
}

int StepExecutor::redisDbNumber(const QString& commandText)
{
    static const QRegularExpression n(u"(?:^|\\s)-n\\s+['\"]?(\\d+)['\"]?(?=\\s|$)"_s);
    const QRegularExpressionMatch m = n.match(commandText);
    return m.hasMatch() ? m.captured(1).toInt() : 0;
}

void StepExecutor::readFlushDb()
{
    const QRegularExpressionMatch script = flushDbLine().match(m_prepared.script);
    const QRegularExpressionMatch shown = flushDbLine().match(m_prepared.displayText);
    if (!script.hasMatch() || !shown.hasMatch()) {
        setState(State::Idle);
        Q_EMIT failed(tr("The FLUSHDB step is not one redis-cli command: nothing ran."));
        return;
    }
    const QString start = script.captured(1).trimmed();
    const int db = redisDbNumber(shown.captured(1));
    const QString dbOption = redisDbNumber(start) == db && start.contains(QRegularExpression(u"\\s-n\\s"_s))
        ? QString()
        : u" -n "_s + QString::number(db);
    idlePreviewRunner();
    // The same host, port, TLS and db as the run; two reads, told apart by a marker line.
    CommandSpec spec = CommandSpec::shell(
        start + dbOption + u" INFO server && printf '\\n@@DBSIZE@@\\n' && "_s + start + dbOption + u" DBSIZE"_s,
        m_prepared.environment);
    spec.timeoutMs = m_deadlines.redisMs; // the preview reads within the deadline the run would have
    spec.runsFolder = m_runsFolder;
    spec.tailCapBytes = 256 * 1024;
    const quint64 generation = m_generation;
    connect(
        m_previewRunner, &CommandRunner::finished, this,
        [this, generation, db](const CommandResult& r) {
            if (generation != m_generation || m_state != State::Assessing)
                return;
            const QString out = DisplayText::fromBytes(r.out.tail);
            const qsizetype marker = out.indexOf(u"@@DBSIZE@@"_s);
            static const QRegularExpression versionLine(
                u"^redis_version:(\\d+)\\.(\\S*)"_s, QRegularExpression::MultilineOption);
            const QRegularExpressionMatch version = versionLine.match(out);
            bool sized = false;
            const qint64 keys = marker < 0 ? -1 : out.mid(marker + 10).trimmed().toLongLong(&sized);
            if (!r.ok() || r.out.tailTruncated || !sized || !version.hasMatch()) {
                QString why = r.error.isEmpty() ? r.summary() : r.error;
                const QString err = DisplayText::fromBytes(r.err.tail.right(ExcerptChars)).trimmed();
                if (!err.isEmpty())
                    why += u"\n"_s + err;
                else if (r.ok())
                    why += u"\n"_s + out.trimmed().left(ExcerptChars);
                setState(State::Idle);
                Q_EMIT failed(tr("Could not read the Redis database before flushing it; nothing ran: %1").arg(why));
                return;
            }
            const int major = version.captured(1).toInt();
            const bool async = major >= 4;
            static const QRegularExpression flush(
                u"\\bFLUSHDB\\s*$"_s, QRegularExpression::CaseInsensitiveOption | QRegularExpression::MultilineOption);
            if (async) {
                m_prepared.script.replace(flush, u"FLUSHDB ASYNC"_s);
                m_prepared.displayText.replace(flush, u"FLUSHDB ASYNC"_s);
            }
            const EnvironmentProfile& profile = m_request.profile;
            const QString host = profile.value(EnvironmentProfile::Field::RedisHost);
            QString port = profile.value(EnvironmentProfile::Field::RedisPort);
            if (port.isEmpty())
                port = u"6379"_s;
            m_confirmation = confirmationFor(m_request, m_prepared);
            m_confirmation.affectedCount = keys;
            m_confirmation.parameters.append(u"host = %1"_s.arg(host));
            m_confirmation.parameters.append(u"port = %1"_s.arg(port));
            m_confirmation.parameters.append(u"db = %1"_s.arg(db));
            m_confirmation.effects.append(
                tr("Redis %1:%2, db %3: DBSIZE %4 key(s), all deleted").arg(host, port).arg(db).arg(keys));
            const QString server = version.captured(1) + u'.' + version.captured(2);
            m_confirmation.effects.append(async
                    ? tr("Redis %1: sent as FLUSHDB ASYNC (the keys go at once, their memory is freed in the "
                         "background)")
                          .arg(server)
                    : tr("Redis %1 has no FLUSHDB ASYNC (Redis 4 and later): sent as FLUSHDB, which blocks the "
                         "server until done")
                          .arg(server));
            setState(State::Ready);
            Q_EMIT assessed(m_confirmation);
        },
        Qt::SingleShotConnection);
    m_previewRunner->start(spec);
}

void StepExecutor::readSignalTargets()
{
    const quint64 generation = m_generation;
    withPassword([this, generation](const QString& password) {
        if (generation != m_generation)
            return;
        connectSession(password, [this, generation] {
            if (generation != m_generation)
                return;
            QList<QVariant> params;
            for (const QString& v : std::as_const(m_prepared.sqlParameters))
                params.append(v);
            const quint64 id = m_session->execute(BackendSignal::targetsQuery(*m_signal), params);
            auto* context = new QObject(m_session);
            connect(m_session, &PgSession::queryFinished, context,
                [this, context, id, generation](quint64 answered, const PgResult& result) {
                    if (answered != id)
                        return;
                    context->deleteLater();
                    if (generation == m_generation && m_state == State::Assessing)
                        onSignalTargets(result);
                });
        });
    });
}

void StepExecutor::onSignalTargets(const PgResult& result)
{
    const BackendSignal::Plan plan = *m_signal;
    const bool terminate = plan.function == BackendSignal::Function::Terminate;
    if (!result.ok()) {
        setState(State::Idle);
        Q_EMIT failed(tr("Could not read the sessions the step acts on; nothing ran: %1").arg(result.summary()));
        return;
    }
    QList<int> pids;
    QStringList starts;
    QList<QStringList> targets;
    QStringList leftOut;
    QSet<int> own = m_ownPids;
    for (const QList<QVariant>& row : result.rows()) {
        const int pid = int(row.value(0).toLongLong());
        const QString start = row.value(1).isValid() ? row.value(1).toString() : QString();
        const bool self = row.value(7).toBool();
        if (self)
            own.insert(pid);
        const QString why = BackendSignal::refusal(
            pid, row.value(2).toString(), row.value(3).toString(), self || m_ownPids.contains(pid), start);
        if (!why.isEmpty()) {
            leftOut.append(why);
            continue;
        }
        pids.append(pid);
        starts.append(start);
        if (targets.size() < ListLimit)
            targets.append(ConfirmationRequest::sessionRow(pid, row.value(4).toString(), row.value(3).toString(),
                row.value(5).toString(), row.value(8).toDouble(), row.value(6).toString()));
    }
    const QString verb = terminate ? tr("terminate") : tr("cancel");
    if (plan.single && !leftOut.isEmpty()) {
        setState(State::Idle);
        Q_EMIT failed(tr("Refused: %1. Nothing ran.").arg(leftOut.join(u"; "_s)));
        return;
    }
    if (pids.isEmpty()) {
        setState(State::Idle);
        const QString named = plan.single ? m_prepared.values.value(u"pid"_s) : QString();
        QString why = plan.single
            ? tr("No session has pid %1 in the %2 database: nothing to %3.")
                  .arg(named.isEmpty() ? tr("(the given)") : named, m_request.profile.name(), verb)
            : tr("No session may be %1: nothing ran.").arg(terminate ? tr("terminated") : tr("cancelled"));
        if (!leftOut.isEmpty())
            why += u"\n"_s + tr("Left out: %1").arg(leftOut.join(u"; "_s));
        Q_EMIT failed(why);
        return;
    }
    // What runs: exactly the backends confirmed (pid AND backend_start), still named by the statement, guarded.
    const int first = int(m_prepared.sqlParameters.size()) + 1;
    QString shownError;
    const auto shownPlan = BackendSignal::plan(m_prepared.displayText, &shownError);
    m_prepared.script = BackendSignal::runQuery(plan, first);
    m_prepared.displayText = BackendSignal::runQuery(shownPlan.value_or(plan), first);
    m_prepared.sqlParameters.append(BackendSignal::intArray(pids));
    m_prepared.sqlParameters.append(BackendSignal::textArray(starts));
    m_prepared.sqlParameters.append(BackendSignal::intArray(QList<int>(own.cbegin(), own.cend())));
    m_signalPids = pids;
    m_confirmation = confirmationFor(m_request, m_prepared);
    m_confirmation.parameters.append(u"$%1 = %2"_s.arg(first).arg(m_prepared.sqlParameters.at(first - 1)));
    m_confirmation.parameters.append(u"$%1 = %2"_s.arg(first + 1).arg(m_prepared.sqlParameters.at(first)));
    m_confirmation.parameters.append(u"$%1 = %2"_s.arg(first + 2).arg(m_prepared.sqlParameters.at(first + 1)));
    m_confirmation.affectedCount = pids.size();
    m_confirmation.targetColumns = ConfirmationRequest::sessionColumns();
    m_confirmation.targetRows = targets;
    m_confirmation.effects.clear();
    if (pids.size() > targets.size())
        m_confirmation.effects.append(tr("… and %n more", nullptr, int(pids.size() - targets.size())));
    for (const QString& why : std::as_const(leftOut))
        m_confirmation.effects.append(tr("left out: %1").arg(why));
    setState(State::Ready);
    Q_EMIT assessed(m_confirmation);
}

void StepExecutor::signalOutcome(const PgResult& result, CommandOutcome& o) const
{
    const QString notDone = BackendSignal::notDone(m_signal->function);
    if (o.status != u"ok") {
        o.error = notDone + u": "_s + o.error;
        return;
    }
    QList<int> done;
    QList<int> refused;
    for (const QList<QVariant>& row : result.rows())
        (row.value(1).toBool() ? done : refused).append(int(row.value(0).toLongLong()));
    QStringList missed;
    for (int pid : m_signalPids) {
        if (!done.contains(pid) && !refused.contains(pid))
            missed.append(QString::number(pid));
    }
    QStringList warnings;
    for (const QString& n : result.notices) {
        if (n.contains(u"WARNING"_s))
            warnings.append(n.trimmed());
    }
    o.rows = done.size();
    QStringList why;
    if (!refused.isEmpty())
        why.append(tr("the server answered false for pid %1").arg([&] {
            QStringList l;
            for (int p : std::as_const(refused))
                l.append(QString::number(p));
            return l.join(u", "_s);
        }()));
    if (!missed.isEmpty())
        why.append(tr("pid %1 ended, or its pid now belongs to another session (backend_start differs)")
                       .arg(missed.join(u", "_s)));
    why += warnings;
    if (done.isEmpty() || !refused.isEmpty() || !warnings.isEmpty()) {
        o.status = u"failed"_s;
        o.error = notDone + u": "_s + why.join(u"; "_s);
        return;
    }
    if (!missed.isEmpty())
        o.excerpt
            = tr("%1 of %2 done; %3: %4\n").arg(done.size()).arg(m_signalPids.size()).arg(notDone, why.join(u"; "_s))
            + o.excerpt;
}

void StepExecutor::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

bool StepExecutor::assess(const StepRequest& request)
{
    if (isBusy())
        return false;
    ++m_generation;
    m_request = request;
    m_prepared = prepare(request, m_intervalOverride, m_aws);
    if (!request.step.isRunnable()) {
        setState(State::Idle);
        Q_EMIT failed(tr("This step is not a command: nothing runs from the console."));
        return true;
    }
    if (!m_prepared.isReady()) {
        setState(State::Idle);
        Q_EMIT failed(m_prepared.errors.join(u'\n'));
        return true;
    }
    m_confirmation = confirmationFor(request, m_prepared);
    m_awsCli.clear();
    m_signal.reset();
    m_signalPids.clear();
    if (BackendSignal::mentionsSignal(m_prepared.script)) {
        // Every cancel/terminate goes through the guard (BackendSignal): in a shape it can rewrite, or not at all.
        QString why;
        if (request.step.kind == StepKind::Sql)
            m_signal = BackendSignal::plan(m_prepared.script, &why);
        else
            why = tr("pg_terminate_backend / pg_cancel_backend in a %1 step cannot be guarded: run it as a SQL step "
                     "or from the DBA pane; nothing ran.")
                      .arg(RunbookStep::kindName(request.step.kind));
        if (!m_signal) {
            setState(State::Idle);
            Q_EMIT failed(why);
            return true;
        }
        setState(State::Assessing);
        readSignalTargets();
        return true;
    }
    if (isFlushDb(request.step)) {
        setState(State::Assessing);
        readFlushDb();
        return true;
    }
    if (logsTailSpec(m_prepared)) {
        // `aws logs tail` is v2's: ask the `aws` that will run which it is (a child; the GUI thread never waits).
        setState(State::Assessing);
        detectAwsCli([this] {
            setState(State::Ready);
            Q_EMIT assessed(m_confirmation);
        });
        return true;
    }
    if (isIpSetUpdate(request.step)) {
        setState(State::Assessing);
        readIpSet();
        return true;
    }
    const QString count = request.step.kind == StepKind::Sql && request.step.risk == StepRisk::Destructive
        ? countQuery(m_prepared.script)
        : QString();
    if (count.isEmpty()) {
        setState(State::Ready);
        Q_EMIT assessed(m_confirmation);
        return true;
    }
    setState(State::Assessing);
    const quint64 generation = m_generation;
    withPassword([this, generation, count](const QString& password) {
        if (generation != m_generation)
            return;
        connectSession(password, [this, generation, count] {
            if (generation != m_generation)
                return;
            QList<QVariant> params;
            for (const QString& v : std::as_const(m_prepared.sqlParameters))
                params.append(v);
            m_countQuery = m_session->execute(count, params);
            m_listQuery = m_session->execute(listQuery(m_prepared.script, ListLimit + 1), params);
        });
    });
    return true;
}

void StepExecutor::withPassword(std::function<void(const QString&)> next)
{
    const EnvironmentProfile& profile = m_request.profile;
    if (!profile.passwordEnv().isEmpty()) {
        next(qEnvironmentVariable(profile.passwordEnv().toLocal8Bit().constData()));
        return;
    }
    if (profile.passwordSecret().isEmpty() || !m_secrets) {
        next({});
        return;
    }
    const quint64 id = m_secrets->readSecret(profile.passwordSecret());
    auto* context = new QObject(this);
    connect(m_secrets, &SecretStore::secretRead, context,
        [context, id, next](quint64 requestId, const QString&, const QString& secret) {
            if (requestId != id)
                return;
            context->deleteLater();
            next(secret);
        });
    connect(m_secrets, &SecretStore::failed, context,
        [this, context, id](quint64 requestId, const QString& key, SecretStore::Error error, const QString& message) {
            if (requestId != id)
                return;
            context->deleteLater();
            if (m_state == State::Running) {
                // The run's start is on the timeline: so is its end.
                CommandOutcome o;
                o.status = u"not started"_s;
                o.error = tr("Could not read the password: %1").arg(SecretStore::explain(error, key, message));
                finish(o);
                return;
            }
            setState(State::Idle);
            Q_EMIT failed(SecretStore::explain(error, key, message));
        });
}

void StepExecutor::connectSession(const QString& password, std::function<void()> next)
{
    const EnvironmentProfile& profile = m_request.profile;
    QString url = profile.value(EnvironmentProfile::Field::DatabaseUrl);
    if (url.isEmpty() && !profile.databaseUrlEnv().isEmpty())
        url = qEnvironmentVariable(profile.databaseUrlEnv().toLocal8Bit().constData());
    if (url.isEmpty()) {
        setState(State::Idle);
        Q_EMIT failed(tr("The %1 environment has no database URL.").arg(profile.name()));
        return;
    }
    const QString key = profile.name() + u'\n' + url;
    if (m_session && m_sessionKey == key && m_session->isConnected()) {
        next();
        return;
    }
    if (m_session && m_sessionKey == key && m_session->state() == PgSession::State::Connecting && m_warming) {
        m_warming = false; // keepSessionFor's connect, still under way: this step waits for it (and its failure)
        connect(
            m_session, &PgSession::connected, this, [next] { next(); }, Qt::SingleShotConnection);
        return;
    }
    delete m_session;
    m_session = new PgSession(this);
    m_sessionKey = key;
    PgConnectionOptions options;
    options.conninfo = url;
    options.password = password;
    options.purpose = u"runbook"_s;
    options.statementTimeoutMs = m_deadlines.sqlStatementMs;
    options.lockTimeoutMs = m_deadlines.sqlLockMs;
    options.queryDeadlineMs = m_deadlines.sqlClientMs;
    m_session->setOptions(options);
    connect(m_session, &PgSession::queryFinished, this, &StepExecutor::onQueryFinished);
    connect(
        m_session, &PgSession::connected, this, [next] { next(); }, Qt::SingleShotConnection);
    connect(m_session, &PgSession::connected, this, [this] { m_warming = false; });
    connect(m_session, &PgSession::connectFailed, this, [this](const QString& error) {
        m_sessionKey.clear();
        if (std::exchange(m_warming, false) && m_state == State::Idle) {
            // keepSessionFor's: tried again in 30 s while idle; a step's own connect says why it failed
            const EnvironmentProfile profile = m_request.profile;
            QTimer::singleShot(30000, this, [this, profile] {
                if (m_state == State::Idle && !hasSession())
                    keepSessionFor(profile);
            });
            return;
        }
        if (m_state == State::Running) {
            CommandOutcome o;
            o.status = u"not started"_s;
            o.error = tr("Could not connect: %1").arg(error);
            finish(o);
        } else {
            setState(State::Idle);
            Q_EMIT failed(tr("Could not connect to the %1 database: %2").arg(m_request.profile.name(), error));
        }
    });
    m_session->open();
}

void StepExecutor::keepSessionFor(const EnvironmentProfile& profile)
{
    if (m_state != State::Idle || !profile.passwordSecret().isEmpty())
        return;
    if (withDatabaseUrl(profile).value(EnvironmentProfile::Field::DatabaseUrl).isEmpty())
        return;
    m_request = {};
    m_request.profile = profile; // as a step's request has it: the same session key
    const QString password = profile.passwordEnv().isEmpty()
        ? QString()
        : qEnvironmentVariable(profile.passwordEnv().toLocal8Bit().constData());
    m_warming = true;
    connectSession(password, [] {});
}

bool StepExecutor::hasSession() const { return m_session && m_session->isConnected(); }

bool StepExecutor::run(const QString& confirmation)
{
    if (m_state != State::Ready)
        return false;
    setState(State::Running);
    m_audit = CommandAudit();
    m_audit.runId = AuditRecorder::newRunId();
    m_audit.source = m_request.source;
    m_audit.title = m_request.step.title;
    m_audit.kind = m_request.step.kind == StepKind::Sql ? u"sql"_s : u"shell"_s;
    m_audit.environment = m_request.profile.name();
    m_audit.command = m_prepared.script;
    if (const auto tail = tailLoop())
        m_audit.command = tail->first; // what really runs in place of `aws logs tail` (CLI v1)
    // Never a secret on the timeline: a URL's password is taken out of any value.
    auto scrub = [](const QString& value) {
        if (!value.contains(u"://"_s))
            return value;
        QUrl url(value);
        if (!url.isValid() || url.password().isEmpty())
            return value;
        url.setPassword({});
        return url.toString();
    };
    for (auto it = m_prepared.values.cbegin(); it != m_prepared.values.cend(); ++it)
        m_audit.parameters.insert(it.key(), scrub(it.value()));
    for (int i = 0; i < m_prepared.sqlParameters.size(); ++i)
        m_audit.parameters.insert(u'$' + QString::number(i + 1), scrub(m_prepared.sqlParameters.at(i)));
    m_audit.risk = RunbookStep::riskName(m_request.step.risk);
    m_audit.confirmation = confirmation;
    m_startRecorded = false;
    m_notRecorded.clear();
    m_startedMs = QDateTime::currentMSecsSinceEpoch();
    if (!m_recorder || m_request.incidentId <= 0) {
        startRun(); // no incident: nothing is recorded
        return true;
    }
    // Record before acting: the step starts only on the commit's answer (a few ms; the GUI thread goes on).
    m_awaitingRecord = true;
    const quint64 generation = m_generation;
    const qint64 incidentId = m_request.incidentId;
    const CommandAudit audit = m_audit;
    const qint64 startedMs = m_startedMs;
    m_recorder->recordStarted(m_request.incidentId, m_audit, this,
        [this, generation, incidentId, audit, startedMs](bool recorded, const QString& why) {
            if (generation == m_generation && m_awaitingRecord) {
                onStartRecorded(recorded, why);
                return;
            }
            // Stopped while the start was being written: its end is recorded too (nothing ran).
            if (recorded && m_recorder) {
                CommandOutcome o;
                o.status = u"stopped"_s;
                o.error = tr("Stopped before the command started.");
                o.durationMs = QDateTime::currentMSecsSinceEpoch() - startedMs;
                m_recorder->recordFinished(incidentId, audit, o);
            }
        });
    return true;
}

void StepExecutor::onStartRecorded(bool recorded, const QString& why)
{
    m_awaitingRecord = false;
    if (recorded) {
        m_startRecorded = true;
        startRun();
        return;
    }
    if (m_request.step.risk != StepRisk::Read) {
        // Fail closed: nothing ran and nothing else is recorded.
        setState(State::Idle);
        Q_EMIT failed(tr("Nothing ran: the start of this %1 step could not be recorded on incident %2's timeline, "
                         "and a write or destructive step runs only once its start is on disk. The store said: %3")
                          .arg(RunbookStep::riskName(m_request.step.risk))
                          .arg(m_request.incidentId)
                          .arg(why));
        return;
    }
    m_notRecorded = why.isEmpty() ? tr("the incident store did not take the event") : why;
    startRun();
}

void StepExecutor::startRun()
{
    Q_EMIT started(m_audit.runId);
    if (!m_notRecorded.isEmpty())
        Q_EMIT notRecorded(m_audit.runId, m_notRecorded);
    startAnswer(); // beside the step's own output, whatever it prints

    const quint64 generation = m_generation;
    const bool sql = m_request.step.kind == StepKind::Sql;
    const bool needsPassword = sql || m_request.step.kind == StepKind::Psql;
    if (!needsPassword) {
        startProcess({});
        return;
    }
    withPassword([this, generation, sql](const QString& password) {
        if (generation != m_generation || m_state != State::Running)
            return;
        if (sql)
            connectSession(password, [this, generation] {
                if (generation == m_generation && m_state == State::Running)
                    startSql();
            });
        else
            startProcess(password);
    });
}

QString StepExecutor::runsFolder() const { return RunsFolder::pathOr(m_runsFolder); }

void StepExecutor::startSql()
{
    PgQuery q;
    q.sql = m_prepared.script;
    for (const QString& v : std::as_const(m_prepared.sqlParameters))
        q.parameters.append(v);
    q.requireNoTransaction = m_prepared.script.contains(u"CONCURRENTLY"_s, Qt::CaseInsensitive);
    // The first rows in memory; all of them to the .tsv beside the runner's files, written off the GUI thread.
    q.keepRows = m_resultRows.value_or(RunsFolder::limits().resultRows);
    q.outputPath = runsFolder() + u'/' + m_audit.runId + u".tsv"_s;
    RunsFolder::pruneInBackground(runsFolder(), RunsFolder::limits().folderCapBytes, { q.outputPath });
    m_query = m_session->execute(q);
}

QString StepExecutor::rowsNote(const PgResult& result)
{
    if (result.rowsDropped() <= 0)
        return {};
    const QLocale en(QLocale::English); // "10,000", as the docs and the timeline read
    return tr("first %1 of %2 rows shown; all of them in the file")
        .arg(en.toString(qlonglong(result.rows().size())), en.toString(result.totalRows()));
}

void StepExecutor::startProcess(const QString& password)
{
    const RunbookStep& step = m_request.step;
    const EnvironmentProfile& profile = m_request.profile;
    // The child's environment: the runner's allow list, the profile's variables and the step's values, and of the
    // console's secrets only what this step's kind needs (issue 15, finding 6).
    QMap<QString, QString> env = m_prepared.environment;
    AwsCliOptions aws = m_aws;
    aws.endpointUrl.clear(); // the prepared text passes --endpoint-url "${AWS_ENDPOINT_URL}" itself
    const QMap<QString, QString> awsEnv = aws.shellEnvironment();
    for (auto it = awsEnv.cbegin(); it != awsEnv.cend(); ++it) {
        if (!env.contains(it.key()))
            env.insert(it.key(), it.value());
    }
    QStringList inherit;
    if (calls(step, StepKind::Aws, u"aws"_s))
        inherit += CommandSpec::awsCredentialNames();
    if (calls(step, StepKind::Redis, u"redis"_s))
        inherit.append(u"REDISCLI_AUTH"_s);
    QStringList removed;
    if (!profile.passwordEnv().isEmpty())
        removed.append(profile.passwordEnv());
    removed.append(u"PGPASSWORD"_s);
    if (step.kind == StepKind::Psql) {
        QString secret = password;
        if (secret.isEmpty() && !profile.databaseUrlEnv().isEmpty())
            secret = urlPassword(qEnvironmentVariable(profile.databaseUrlEnv().toLocal8Bit().constData()));
        if (!secret.isEmpty())
            env.insert(u"PGPASSWORD"_s, secret);
        // The SQL steps' timeouts, for psql too (a SET in the step's own text still wins).
        env.insert(u"PGCONNECT_TIMEOUT"_s, u"10"_s);
        env.insert(u"PGOPTIONS"_s,
            u"-c statement_timeout=%1 -c lock_timeout=%2"_s.arg(m_deadlines.sqlStatementMs).arg(m_deadlines.sqlLockMs));
    }
    CommandSpec spec = CommandSpec::shell(m_prepared.script, env);
    spec.timeoutMs = processDeadlineMs();
    if (const auto tail = tailLoop()) {
        // AWS CLI v1 has no `logs tail`: the console tails through filter-log-events. v2 runs the step as written.
        spec.script = tail->first;
        spec.environment.insert(tail->second);
    }
    if (step.interactive) {
        // Needs a terminal: the desktop's terminal emulator runs the exact command (the console's output files
        // stay empty). $TERMINAL first, else Debian's x-terminal-emulator.
        QString terminal = qEnvironmentVariable("TERMINAL");
        if (terminal.isEmpty())
            terminal = u"x-terminal-emulator"_s;
        spec = CommandSpec::program({ terminal, u"-e"_s, u"bash"_s, u"--noprofile"_s, u"--norc"_s, u"-c"_s,
                                        m_prepared.script + u"; echo; read -r -p 'Press Enter to close. '"_s },
            env);
        spec.timeoutMs = 0;
        inherit += CommandSpec::displayNames();
    }
    spec.inherit = inherit;
    spec.removeEnvironment = removed;
    spec.runsFolder = m_runsFolder;
    spec.tailCapBytes = m_tailCap;
    if (!m_runner) {
        m_runner = new CommandRunner(this);
        connect(m_runner, &CommandRunner::outputReceived, this, &StepExecutor::outputReceived);
        connect(m_runner, &CommandRunner::finished, this, &StepExecutor::onProcessFinished);
    }
    if (!m_runner->start(spec)) {
        CommandOutcome o;
        o.status = u"not started"_s;
        o.error = tr("Another command is still running.");
        finish(o);
    }
}

int StepExecutor::processDeadlineMs() const
{
    const RunbookStep& step = m_request.step;
    if (step.untilStopped || step.interactive || logsTailSpec(m_prepared))
        return 0;
    switch (step.kind) {
    case StepKind::Redis:
        return m_deadlines.redisMs;
    case StepKind::Aws:
        return m_deadlines.awsMs >= 0 ? m_deadlines.awsMs : qMax(0, m_aws.wallClockS) * 1000;
    default:
        return m_deadlines.shellMs;
    }
}

bool StepExecutor::writes() const { return m_request.step.risk != StepRisk::Read; }

CommandOutcome StepExecutor::withoutAnswer(CommandOutcome outcome, const QString& why) const
{
    if (!writes()) {
        outcome.error = why; // a read: its status ("timed out", "failed") says enough
        return outcome;
    }
    outcome.status = u"outcome unknown"_s;
    outcome.error = tr("Outcome unknown — check before running it again: %1. The %2 step may or may not have "
                       "taken effect.")
                        .arg(why, RunbookStep::riskName(m_request.step.risk));
    return outcome;
}

QString StepExecutor::awsExitMeaning(int exitCode)
{
    switch (exitCode) {
    case 130:
        return tr("interrupted (SIGINT)");
    case 252:
        return tr("command syntax: the CLI refused the arguments, nothing was sent");
    case 253:
        return tr("configuration or credentials: the environment or the CLI's config is not usable (profile, "
                  "region, expired or missing credentials)");
    case 254:
        return tr("service error: the request reached AWS and failed");
    case 255:
        return tr("other error: the CLI failed on its own (an uncaught error)");
    default:
        return {};
    }
}

QString StepExecutor::jsonProblem(const CommandResult& result) const
{
    const RunbookStep& step = m_request.step;
    if (step.kind != StepKind::Aws || step.untilStopped || step.interactive || !isSingleAwsCall(step.text)
        || logsTailSpec(m_prepared) || QRegularExpression(u"^\\s*aws\\s+s3\\s"_s).match(step.text).hasMatch())
        return {};
    static const QRegularExpression output(u"--output(?:\\s+|=)['\"]?(\\w+)"_s);
    const QRegularExpressionMatch m = output.match(step.text);
    const QString mode = m.hasMatch() ? m.captured(1) : QString();
    const QByteArray answer = result.out.tail.trimmed();
    if (answer.isEmpty() || (!mode.isEmpty() && mode != u"json"_s))
        return {};
    // Without --output the profile's or the CLI's default decides: an answer that starts as JSON must be JSON.
    if (mode.isEmpty() && !answer.startsWith('{') && !answer.startsWith('['))
        return {};
    if (result.out.tailTruncated) {
        // Only its end is in memory: a complete answer ends its outermost object or array.
        if (answer.endsWith('}') || answer.endsWith(']'))
            return {};
        return tr("the answer was not valid JSON (it ends mid-value after %1 bytes)").arg(result.out.bytes);
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson('[' + answer + ']', &error);
    if (error.error == QJsonParseError::NoError && doc.array().size() == 1)
        return {};
    return tr("the answer was not valid JSON (%1 at byte %2 of %3)")
        .arg(error.error == QJsonParseError::NoError ? tr("more than one value") : error.errorString())
        .arg(qMax(0, error.offset - 1))
        .arg(answer.size());
}

void StepExecutor::onProcessFinished(const CommandResult& result)
{
    if (m_state != State::Running)
        return;
    CommandOutcome o;
    if (m_request.step.interactive && !result.started && !result.missingProgram.isEmpty()) {
        CommandResult r = result;
        r.error = tr("No terminal emulator to open (%1): install one (apt-get install xterm) or set $TERMINAL, or run "
                     "it in your own terminal:\n%2")
                      .arg(result.missingProgram, m_prepared.displayText);
        o.status = u"not started"_s;
        o.error = r.error;
        finish(o, r);
        return;
    }
    const bool aws = calls(m_request.step, StepKind::Aws, u"aws"_s);
    const QString err = DisplayText::fromBytes(result.err.tail.right(ExcerptChars)).trimmed();
    if (!result.started || !result.missingProgram.isEmpty())
        o.status = u"not started"_s;
    else if (result.stoppedByUser)
        o.status = u"stopped"_s;
    else
        o.status = result.ok() ? u"ok"_s : u"failed"_s;
    o.exitCode = result.signalled ? -1 : result.exitCode;
    o.durationMs = result.durationMs;
    if (!result.ok()) {
        o.error = result.error.isEmpty() ? result.summary() : result.error;
        const QString meaning = aws && result.started && !result.signalled && !result.timedOut && !result.stoppedByUser
            ? awsExitMeaning(result.exitCode)
            : QString();
        if (!meaning.isEmpty())
            o.error += u" ("_s + meaning + u')';
        if (!err.isEmpty() && result.started)
            o.error += u"\n"_s + err;
    }
    if (result.timedOut) {
        // Ended at its deadline: a write may or may not have happened.
        QString why = tr("no answer within %1 s; the command was ended at its deadline")
                          .arg(processDeadlineMs() / 1000.0, 0, 'f', processDeadlineMs() % 1000 ? 1 : 0);
        if (!err.isEmpty())
            why += u"\n"_s + err;
        o.status = u"timed out"_s;
        o = withoutAnswer(o, why);
    } else if (result.stoppedByUser && writes()) {
        o.error = tr("Stopped before it answered: the outcome is unknown — check before running it again.");
    } else if (result.ok()) {
        const QString problem = jsonProblem(result);
        if (!problem.isEmpty()) {
            o.status = u"failed"_s;
            o.error = problem;
        }
    }
    o.excerpt = DisplayText::fromBytes(result.out.tail.left(CommandOutcome::ExcerptChars * 2))
                    .left(CommandOutcome::ExcerptChars);
    // The end of stderr and its file, for the timeline's detail (a failure's summary says its first line).
    o.stderrTail = DisplayText::fromBytes(result.err.tail.right(CommandOutcome::StderrTailChars * 2))
                       .right(CommandOutcome::StderrTailChars)
                       .trimmed();
    if (result.err.bytes > 0)
        o.stderrPath = result.err.path;
    o.outputPath = result.out.path;
    o.sha256 = QString::fromLatin1(result.out.sha256);
    o.note = result.cutNote();
    finish(o, result);
}

void StepExecutor::onQueryFinished(quint64 id, const PgResult& result)
{
    if (id == m_countQuery) {
        m_countQuery = 0;
        if (m_state != State::Assessing)
            return;
        if (!result.ok()) {
            setState(State::Idle);
            Q_EMIT failed(tr("Could not count what the step acts on: %1").arg(result.summary()));
            return;
        }
        m_confirmation.affectedCount = result.rows().value(0).value(0).toLongLong();
        return;
    }
    if (id == m_listQuery) {
        m_listQuery = 0;
        if (m_state != State::Assessing)
            return;
        if (result.ok()) {
            // The first rows it acts on, as a table; the count says how many in all.
            for (const PgColumn& c : result.columns())
                m_confirmation.targetColumns.append(c.name);
            for (const QList<QVariant>& row : result.rows()) {
                if (m_confirmation.targetRows.size() >= ListLimit)
                    break;
                QStringList cells;
                for (const QVariant& v : row)
                    cells.append(cellText(v).simplified().left(120));
                m_confirmation.targetRows.append(cells);
            }
            const qint64 all = m_confirmation.affectedCount.value_or(result.rows().size());
            if (all > m_confirmation.targetRows.size())
                m_confirmation.effects.append(
                    tr("… and %n more", nullptr, int(all - m_confirmation.targetRows.size())));
        }
        setState(State::Ready);
        Q_EMIT assessed(m_confirmation);
        return;
    }
    if (id != m_query || m_state != State::Running)
        return;
    m_query = 0;
    Q_EMIT sqlResult(result);
    CommandOutcome o;
    switch (result.outcome) {
    case PgResult::Outcome::Ok:
        o.status = u"ok"_s;
        break;
    case PgResult::Outcome::TimedOut:
        o.status = u"timed out"_s;
        break;
    case PgResult::Outcome::Cancelled:
        o.status = u"stopped"_s;
        break;
    case PgResult::Outcome::NotConnected:
        o.status = u"not started"_s;
        break;
    default:
        o.status = u"failed"_s;
    }
    o.durationMs = result.durationMs;
    if (!result.ok())
        o.error = result.summary();
    if (result.outcome == PgResult::Outcome::TimedOut || result.outcome == PgResult::Outcome::ConnectionLost)
        o = withoutAnswer(o, result.summary()); // no answer: a write may or may not have been committed
    if (result.ok())
        o.rows = result.totalRows() == 0 && result.rowsAffected() >= 0 ? result.rowsAffected() : result.totalRows();
    o.excerpt = resultText(result, 8).left(ExcerptChars);
    if (!result.columns().isEmpty()) {
        // The first rows as a table for the timeline's detail (the whole result in the .tsv).
        QStringList names;
        for (const PgColumn& c : result.columns())
            names.append(c.name);
        QList<QStringList> rows;
        for (const QList<QVariant>& row : result.rows()) {
            if (rows.size() >= CommandOutcome::RowsKept)
                break;
            QStringList cells;
            for (const QVariant& v : row)
                cells.append(cellText(v));
            rows.append(cells);
        }
        o.setRows(names, rows);
    }
    o.note = rowsNote(result);
    // The full result, written by the session beside the runner's files, referenced from the timeline.
    if (!result.outputPath.isEmpty() && result.outputError.isEmpty()) {
        o.outputPath = result.outputPath;
        o.sha256 = QString::fromLatin1(result.outputSha256);
    } else if (!result.outputError.isEmpty()) {
        o.note = (o.note.isEmpty() ? QString() : o.note + u"; "_s)
            + tr("result file incomplete: %1").arg(result.outputError);
    }
    if (m_signal)
        signalOutcome(result, o); // a false or a backend gone: "not terminated", never ok
    finish(o);
}

void StepExecutor::finish(const CommandOutcome& outcome, const CommandResult& process)
{
    CommandOutcome o = outcome;
    if (o.durationMs == 0)
        o.durationMs = QDateTime::currentMSecsSinceEpoch() - m_startedMs;
    if (m_recorder && m_request.incidentId > 0 && m_startRecorded)
        m_recorder->recordFinished(m_request.incidentId, m_audit, o); // kept and retried by the recorder if it fails
    m_startRecorded = false;
    setState(State::Idle);
    Q_EMIT finished(o, process);
}

void StepExecutor::stop()
{
    if (m_state == State::Assessing) {
        ++m_generation;
        if (m_previewRunner && m_previewRunner->isRunning())
            m_previewRunner->stop();
        setState(State::Idle);
        return;
    }
    if (m_state != State::Running)
        return;
    if (m_awaitingRecord) {
        // Its start is still being written: nothing has run, and nothing will (the answer records the end).
        m_awaitingRecord = false;
        ++m_generation;
        CommandOutcome o;
        o.status = u"stopped"_s;
        o.error = tr("Stopped before the command started.");
        finish(o);
        return;
    }
    if (m_runner && m_runner->isRunning()) {
        m_runner->stop();
        return;
    }
    if (m_session && m_query) {
        m_session->cancel(m_query);
        return;
    }
    // Still waiting for a password or a connection: nothing has run.
    ++m_generation;
    CommandOutcome o;
    o.status = u"stopped"_s;
    o.error = tr("Stopped before the command started.");
    finish(o);
}

#include "moc_stepexecutor.cpp"
