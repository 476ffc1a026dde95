// SPDX-License-Identifier: MIT
#include "services/parameterdetector.h"

#include "services/riskrules.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace {

using Field = EnvironmentProfile::Field;

// Options whose value is one of the profile's names (docs/RUNBOOKS.md "Environment names").
struct OptionField {
    const char16_t* option;
    Field field;
};
constexpr OptionField optionFields[] = {
    { u"--cluster", Field::Cluster },
    { u"--service", Field::Service },
    { u"--service-name", Field::Service },
    { u"--services", Field::Service },
    { u"--container", Field::Container },
    { u"--family", Field::TaskFamily },
    { u"--family-prefix", Field::TaskFamily },
    { u"--db-instance-identifier", Field::DbInstance },
    { u"--db-parameter-group-name", Field::DbParameterGroup },
    { u"--log-group-name", Field::LogGroup },
    { u"--cache-cluster-id", Field::CacheCluster },
    { u"--replication-group-id", Field::CacheCluster },
};

// Options whose value the operator chooses.
struct OptionParameter {
    const char16_t* option;
    const char16_t* name;
    ParameterType::Kind type;
    const char16_t* description;
};
constexpr OptionParameter optionParameters[] = {
    { u"--desired-count", u"desired_count", ParameterType::Integer, u"how many tasks the service should run" },
    { u"--db-instance-class", u"db_instance_class", ParameterType::InstanceClass, u"the new database instance class" },
    { u"--cache-node-type", u"cache_node_type", ParameterType::InstanceClass, u"the new cache node type" },
    { u"--task-definition", u"task_definition", ParameterType::Identifier,
        u"the task definition (family:revision or ARN)" },
    { u"--addresses", u"addresses", ParameterType::Cidr, u"the IPv4 network to put in the IP set" },
    { u"--lock-token", u"lock_token", ParameterType::Identifier, u"the IP set's current lock token" },
    { u"--task", u"task_id", ParameterType::Identifier, u"the ECS task (id or ARN)" },
    { u"--tasks", u"task_id", ParameterType::Identifier, u"the ECS task (id or ARN)" },
    { u"--db-snapshot-identifier", u"snapshot_id", ParameterType::Identifier, u"the database snapshot" },
    { u"--allocated-storage", u"allocated_storage", ParameterType::Integer, u"storage in GiB" },
    { u"--min-capacity", u"min_capacity", ParameterType::Integer, u"the minimum capacity" },
    { u"--max-capacity", u"max_capacity", ParameterType::Integer, u"the maximum capacity" },
};

bool isPlaceholderX(QStringView s)
{
    if (s.size() < 3)
        return false;
    for (QChar c : s) {
        if (c != u'x' && c != u'X')
            return false;
    }
    return true;
}

QString optionKey(QStringView option)
{
    QString key = option.toString();
    while (key.startsWith(u'-'))
        key.remove(0, 1);
    key.replace(u'-', u'_');
    return key;
}

const QStringList& shellVariables()
{
    static const QStringList vars { u"HOME"_s, u"PATH"_s, u"PWD"_s, u"OLDPWD"_s, u"USER"_s, u"SHELL"_s, u"RANDOM"_s,
        u"SECONDS"_s, u"LINENO"_s, u"HOSTNAME"_s, u"IFS"_s, u"TMPDIR"_s, u"LANG"_s };
    return vars;
}

} // namespace

ParameterDetector::ParameterDetector(RunbookStep& step, const EnvironmentProfile& names)
    : m_step(step)
    , m_names(names)
{
    for (Field f : EnvironmentProfile::fields()) {
        if (f == Field::DeployEnvironment || f == Field::DatabaseUrl || f == Field::RedisPort)
            continue;
        const QString value = names.value(f);
        if (value.isEmpty())
            continue;
        if (m_nameFields.contains(value))
            m_nameFields[value] = std::nullopt; // two fields share the name: only an option can tell them apart
        else
            m_nameFields.insert(value, f);
    }
}

QString ParameterDetector::maskPlaceholders(const QString& text)
{
    static const QRegularExpression placeholder(u"<([A-Za-z][A-Za-z0-9_-]*)>"_s);
    QString masked = text;
    auto it = placeholder.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        for (qsizetype k = m.capturedStart(); k < m.capturedEnd(); ++k)
            masked[k] = u'P';
    }
    return masked;
}

ParameterType::Kind ParameterDetector::typeForName(QStringView name)
{
    const QString n = name.toString().toLower();
    if (n.contains(u"pid"))
        return ParameterType::Pid;
    if (n.contains(u"cidr") || n.contains(u"network"))
        return ParameterType::Cidr;
    if (n == u"ip" || n.endsWith(u"-ip") || n.endsWith(u"_ip") || n.contains(u"address"))
        return ParameterType::IpAddress;
    if (n.contains(u"version"))
        return ParameterType::Version;
    if (n.contains(u"class") || n.contains(u"node-type") || n.contains(u"node_type"))
        return ParameterType::InstanceClass;
    if (n.endsWith(u"arn"))
        return ParameterType::Arn;
    if (n.endsWith(u"count") || n.endsWith(u"number") || n.endsWith(u"port") || n.endsWith(u"size")
        || n.endsWith(u"limit") || n.endsWith(u"seconds") || n.endsWith(u"minutes"))
        return ParameterType::Integer;
    if (n.endsWith(u"url"))
        return ParameterType::DatabaseUrl;
    if (n.endsWith(u"id") || n.endsWith(u"name") || n.endsWith(u"identifier") || n.endsWith(u"token")
        || n.endsWith(u"group") || n.endsWith(u"cluster") || n.endsWith(u"key"))
        return ParameterType::Identifier;
    return ParameterType::Text;
}

bool ParameterDetector::isFree(qsizetype start, qsizetype length) const
{
    for (const auto& [s, l] : m_claimed) {
        if (length == 0 || l == 0) {
            if (start > s && start < s + l)
                return false;
            continue;
        }
        if (start < s + l && s < start + length)
            return false;
    }
    return true;
}

void ParameterDetector::addSpan(StepSpan::Kind kind, const QString& key, qsizetype start, qsizetype length)
{
    StepSpan span;
    span.kind = kind;
    span.key = key;
    span.start = start;
    span.length = length;
    span.quoting = m_quoting ? m_quoting(start) : TextQuoting::Unquoted;
    m_claimed.append({ start, length });
    auto it
        = std::lower_bound(m_step.spans.begin(), m_step.spans.end(), span, [](const StepSpan& a, const StepSpan& b) {
              return a.start < b.start || (a.start == b.start && a.length < b.length);
          });
    m_step.spans.insert(it, span);
}

bool ParameterDetector::addParameter(const QString& name, ParameterType::Kind type, qsizetype start, qsizetype length,
    const QString& description, bool placeholder, const QString& envVar)
{
    if (length <= 0 || !isFree(start, length))
        return false;
    const QString literal = m_step.text.mid(start, length);
    if (!m_step.parameter(name)) {
        RunbookParameter p;
        p.name = name;
        p.type = type;
        p.example = literal;
        p.placeholder = placeholder || isPlaceholderX(literal) || literal.startsWith(u'<');
        p.description = description;
        p.envVar = envVar.isEmpty() ? RunbookParameter::envVarFor(name) : envVar;
        m_step.parameters.append(p);
    }
    addSpan(StepSpan::Kind::Parameter, name, start, length);
    return true;
}

bool ParameterDetector::addProfile(Field field, qsizetype start, qsizetype length)
{
    if (length <= 0 || !isFree(start, length))
        return false;
    addSpan(StepSpan::Kind::Profile, EnvironmentProfile::fieldKey(field), start, length);
    return true;
}

bool ParameterDetector::range(
    const ShellWord& word, qsizetype from, qsizetype to, qsizetype* start, qsizetype* length) const
{
    if (from < 0 || to > word.offsets.size() || from >= to)
        return false;
    const qsizetype s = word.offsets.at(from);
    const qsizetype e = word.offsets.at(to - 1) + 1;
    if (e - s != to - from)
        return false; // a quote or an escape sits inside: not one piece of text
    const TextQuoting q = m_quoting ? m_quoting(s) : TextQuoting::Unquoted;
    for (qsizetype k = s; k < e; ++k) {
        if (m_quoting && m_quoting(k) != q)
            return false;
    }
    *start = s;
    *length = e - s;
    return true;
}

bool ParameterDetector::wordValue(const ShellWord& word, qsizetype* start, qsizetype* length) const
{
    return range(word, 0, word.value.size(), start, length);
}

void ParameterDetector::declare(const QList<DeclaredParameter>& declared)
{
    for (const DeclaredParameter& d : declared) {
        if (d.literal.isEmpty()) {
            m_declaredTypes.append(d);
            continue;
        }
        bool found = false;
        qsizetype from = 0;
        while (true) {
            const qsizetype at = m_step.text.indexOf(d.literal, from);
            if (at < 0)
                break;
            from = at + 1;
            const auto boundary = [](QChar c) { return !(c.isLetterOrNumber() || c == u'_' || c == u'.'); };
            const qsizetype end = at + d.literal.size();
            if ((at > 0 && !boundary(m_step.text[at - 1])) || (end < m_step.text.size() && !boundary(m_step.text[end])))
                continue;
            if (addParameter(d.name, d.type, at, d.literal.size(), u"declared by an annotation"_s))
                found = true;
        }
        if (!found) {
            m_problems.append({ d.name,
                u"the annotation declares parameter %1 with the value \u201C%2\u201D, which this step "
                "does not contain"_s.arg(d.name, d.literal) });
        } else if (RunbookParameter* p = const_cast<RunbookParameter*>(m_step.parameter(d.name))) {
            p->declared = true;
            p->type = d.type;
        }
    }
}

void ParameterDetector::applyDeclaredTypes()
{
    for (const DeclaredParameter& d : m_declaredTypes) {
        bool found = false;
        for (RunbookParameter& p : m_step.parameters) {
            const QString placeholderName
                = p.example.startsWith(u'<') ? p.example.mid(1, p.example.size() - 2) : QString();
            if (p.name == d.name || placeholderName == d.name) {
                p.type = d.type;
                p.declared = true;
                found = true;
            }
        }
        if (!found) {
            m_problems.append({ d.name,
                u"the annotation types parameter %1, which this step does not have (write it as <%1> "
                "or $%1, or give its value: param=%1:%2@VALUE)"_s.arg(d.name, ParameterType::name(d.type)) });
        }
    }
    m_declaredTypes.clear();
}

void ParameterDetector::detectPlaceholders()
{
    static const QRegularExpression placeholder(u"<([A-Za-z][A-Za-z0-9_-]*)>"_s);
    auto it = placeholder.globalMatch(m_step.text);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m_quoting && m_quoting(m.capturedStart()) == TextQuoting::Literal)
            continue;
        QString name = m.captured(1);
        name.replace(u'-', u'_');
        addParameter(name, typeForName(m.captured(1)), m.capturedStart(), m.capturedLength(),
            u"fill in the placeholder "_s + m.captured(0), true);
    }
}

void ParameterDetector::detectVariables()
{
    const QString& t = m_step.text;
    for (qsizetype i = 0; i + 1 < t.size(); ++i) {
        if (t[i] != u'$')
            continue;
        const TextQuoting q = m_quoting ? m_quoting(i) : TextQuoting::Unquoted;
        if (q != TextQuoting::Unquoted && q != TextQuoting::DoubleQuoted && q != TextQuoting::HeredocExpanding)
            continue;
        if (i > 0 && t[i - 1] == u'\\')
            continue;
        const bool braced = t[i + 1] == u'{';
        qsizetype k = i + (braced ? 2 : 1);
        const qsizetype nameStart = k;
        while (k < t.size()
            && ((t[k] >= u'A' && t[k] <= u'Z') || t[k] == u'_' || (k > nameStart && t[k] >= u'0' && t[k] <= u'9')))
            ++k;
        if (k == nameStart || (k < t.size() && t[k] >= u'a' && t[k] <= u'z'))
            continue;
        if (braced && (k >= t.size() || t[k] != u'}'))
            continue;
        const QString name = t.mid(nameStart, k - nameStart);
        const qsizetype end = braced ? k + 1 : k;
        if (shellVariables().contains(name) || t.contains(name + u'='))
            continue;
        ParameterType::Kind type = ParameterType::Text;
        ParameterPrefill prefill;
        prefill.source = ParameterPrefill::Source::Environment;
        prefill.key = name;
        for (Field f : EnvironmentProfile::fields()) {
            if (EnvironmentProfile::fieldVariable(f) == name)
                prefill.key = EnvironmentProfile::fieldKey(f);
        }
        if (name.endsWith(u"DATABASE_URL") || name.endsWith(u"DB_URL"))
            type = ParameterType::DatabaseUrl;
        if (addParameter(name, type, i, end - i, u"the environment variable "_s + name, true, name)) {
            for (RunbookParameter& p : m_step.parameters) {
                if (p.name == name)
                    p.prefill = prefill;
            }
        }
        i = end - 1;
    }
}

std::optional<Field> ParameterDetector::uniqueNameField(QStringView value) const
{
    return value.isEmpty() ? std::nullopt : m_nameFields.value(value.toString());
}

void ParameterDetector::optionValueParameter(const ShellSimpleCommand& cmd, int valueIndex, const QString& name,
    ParameterType::Kind type, const QString& description)
{
    if (valueIndex <= 0 || valueIndex >= cmd.words.size())
        return;
    const ShellWord& w = cmd.words.at(valueIndex);
    if (w.expansion || w.isOption())
        return;
    qsizetype s = 0;
    qsizetype l = 0;
    if (!wordValue(w, &s, &l))
        return;
    ParameterType::Kind t = type;
    if (name == u"value")
        t = ParameterType::isAsciiDigits(w.value) ? ParameterType::Integer : ParameterType::Text;
    addParameter(name, t, s, l, description);
}

void ParameterDetector::detectAws(const ShellSimpleCommand& cmd)
{
    const auto [service, op] = RiskRules::awsOperation(cmd);
    for (int k = 1; k < cmd.words.size(); ++k) {
        const ShellWord& w = cmd.words.at(k);
        if (!w.isOption())
            continue;
        const int v = k + 1 < cmd.words.size() && !cmd.words.at(k + 1).isOption() ? k + 1 : -1;
        const QString& option = w.value;
        bool handled = false;
        for (const OptionField& of : optionFields) {
            if (option != QStringView(of.option) || v < 0)
                continue;
            handled = true;
            const ShellWord& value = cmd.words.at(v);
            if (value.expansion)
                break;
            qsizetype s = 0;
            qsizetype l = 0;
            if (!wordValue(value, &s, &l))
                break;
            if (value.value == m_names.value(of.field))
                addProfile(of.field, s, l);
            else
                addParameter(optionKey(option), ParameterType::Identifier, s, l,
                    u"the "_s + EnvironmentProfile::fieldDescription(of.field) + u" to act on"_s);
            break;
        }
        if (handled || v < 0)
            continue;
        for (const OptionParameter& op2 : optionParameters) {
            if (option == QStringView(op2.option)) {
                optionValueParameter(
                    cmd, v, QString::fromUtf16(op2.name), op2.type, QString::fromUtf16(op2.description));
                handled = true;
                break;
            }
        }
        if (handled)
            continue;
        if (option == u"--id") {
            QString resource = op;
            const qsizetype dash = resource.indexOf(u'-');
            resource = dash >= 0 ? resource.mid(dash + 1) : resource;
            optionValueParameter(cmd, v, resource.replace(u'-', u'_') + u"_id"_s, ParameterType::Identifier,
                u"the "_s + resource + u" id"_s);
        } else if (option == u"--value" && service == u"ssm") {
            optionValueParameter(cmd, v, u"value"_s, ParameterType::Text, u"the new parameter value"_s);
        } else if (option == u"--name" && service == u"ssm") {
            const ShellWord& value = cmd.words.at(v);
            const QString prefix = m_names.value(Field::SsmPrefix);
            if (!prefix.isEmpty() && !value.expansion && value.value.startsWith(prefix + u'/')) {
                qsizetype s = 0;
                qsizetype l = 0;
                if (range(value, 0, prefix.size(), &s, &l))
                    addProfile(Field::SsmPrefix, s, l);
            }
        } else if (option == u"--parameters") {
            // "ParameterName=max_connections,ParameterValue=200,...": the value of the named parameter.
            const ShellWord& value = cmd.words.at(v);
            if (value.expansion)
                continue;
            static const QRegularExpression pair(u"ParameterName=([A-Za-z0-9_.-]+),ParameterValue=([^,\\s]+)"_s);
            auto it = pair.globalMatch(value.value);
            while (it.hasNext()) {
                const auto m = it.next();
                qsizetype s = 0;
                qsizetype l = 0;
                if (range(value, m.capturedStart(2), m.capturedEnd(2), &s, &l)) {
                    const QString literal = m.captured(2);
                    addParameter(m.captured(1).toLower(),
                        ParameterType::isAsciiDigits(literal) ? ParameterType::Integer : ParameterType::Text, s, l,
                        u"the new value of the database parameter "_s + m.captured(1));
                }
            }
        } else if (isPlaceholderX(cmd.words.at(v).value)) {
            optionValueParameter(cmd, v, optionKey(option), ParameterType::Identifier, u"fill in "_s + option);
        }
    }
    // aws logs tail GROUP
    if (service == u"logs" && op == u"tail") {
        const int o = cmd.positional(1, {});
        const int g = o < 0 ? -1 : cmd.positional(cmd.positional(o + 1, {}) + 1, {});
        if (g > 0) {
            const ShellWord& value = cmd.words.at(g);
            qsizetype s = 0;
            qsizetype l = 0;
            if (!value.expansion && wordValue(value, &s, &l)) {
                if (value.value == m_names.value(Field::LogGroup))
                    addProfile(Field::LogGroup, s, l);
                else
                    addParameter(u"log_group"_s, ParameterType::Identifier, s, l, u"the log group to read"_s);
            }
        }
    }
}

void ParameterDetector::detectRedis(const ShellSimpleCommand& cmd)
{
    // The profile supplies where Redis is: remove -h/-p/--tls as written and insert the profile's after the
    // program name.
    const ShellWord& program = cmd.words.constFirst();
    if (isFree(program.end, 0))
        addSpan(StepSpan::Kind::Insert, u"redis"_s, program.end, 0);
    for (int k = 1; k < cmd.words.size(); ++k) {
        const ShellWord& w = cmd.words.at(k);
        if (w.quoted)
            continue;
        const ShellWord& previous = cmd.words.at(k - 1);
        if ((w.value == u"-h" || w.value == u"-p") && k + 1 < cmd.words.size()) {
            const ShellWord& value = cmd.words.at(k + 1);
            if (value.expansion || m_step.text.mid(previous.end, w.start - previous.end).contains(u'\n'))
                continue;
            if (isFree(previous.end, value.end - previous.end))
                addSpan(StepSpan::Kind::Remove, w.value, previous.end, value.end - previous.end);
            ++k;
        } else if (w.value == u"--tls") {
            if (!m_step.text.mid(previous.end, w.start - previous.end).contains(u'\n')
                && isFree(previous.end, w.end - previous.end))
                addSpan(StepSpan::Kind::Remove, w.value, previous.end, w.end - previous.end);
        }
    }
    // Keys written as prefix:VALUE name the household, IP... the operator means.
    static const QStringList valueOptions { u"-h"_s, u"-p"_s, u"-n"_s, u"-a"_s, u"-u"_s, u"-r"_s, u"-i"_s,
        u"--pattern"_s, u"--user"_s, u"--pass"_s };
    const int c = cmd.positional(1, valueOptions);
    if (c < 0)
        return;
    const QString command = cmd.words.at(c).value.toUpper();
    const int key = c + 1 < cmd.words.size() ? c + 1 : -1;
    if (key > 0 && !cmd.words.at(key).expansion && command != u"INFO" && command != u"CONFIG" && command != u"CLIENT") {
        const ShellWord& w = cmd.words.at(key);
        const qsizetype colon = w.value.lastIndexOf(u':');
        if (colon > 0 && colon + 1 < w.value.size()) {
            const QString tail = w.value.mid(colon + 1);
            QString prefix = w.value.left(colon);
            prefix = prefix.mid(prefix.lastIndexOf(u':') + 1);
            qsizetype s = 0;
            qsizetype l = 0;
            if (range(w, colon + 1, w.value.size(), &s, &l)) {
                if (ParameterType::validate(ParameterType::IpAddress, tail).ok)
                    addParameter(u"ip"_s, ParameterType::IpAddress, s, l, u"the client IP address"_s);
                else if (ParameterType::isAsciiDigits(tail))
                    addParameter(prefix.replace(u'-', u'_') + u"_id"_s, ParameterType::Integer, s, l,
                        u"the "_s + prefix + u" id in the key"_s);
            }
        }
    }
    if ((command == u"SET" || command == u"SETEX") && c + 2 < cmd.words.size()) {
        const int valueIndex = command == u"SETEX" ? c + 3 : c + 2;
        if (valueIndex < cmd.words.size() && ParameterType::isAsciiDigits(cmd.words.at(valueIndex).value))
            optionValueParameter(cmd, valueIndex, u"value"_s, ParameterType::Integer, u"the value to set"_s);
    }
}

void ParameterDetector::detectGh(const ShellSimpleCommand& cmd)
{
    for (int k = 1; k + 1 < cmd.words.size(); ++k) {
        const ShellWord& w = cmd.words.at(k);
        if (w.quoted || !(w.value == u"--field" || w.value == u"-f" || w.value == u"-F" || w.value == u"--raw-field"))
            continue;
        const ShellWord& pair = cmd.words.at(k + 1);
        const qsizetype eq = pair.value.indexOf(u'=');
        if (pair.expansion || eq <= 0 || eq + 1 >= pair.value.size())
            continue;
        const QString key = pair.value.left(eq);
        const QString value = pair.value.mid(eq + 1);
        qsizetype s = 0;
        qsizetype l = 0;
        if (!range(pair, eq + 1, pair.value.size(), &s, &l))
            continue;
        if (key == u"environment" && value == m_names.value(Field::DeployEnvironment))
            addProfile(Field::DeployEnvironment, s, l);
        else
            addParameter(key,
                ParameterType::validate(ParameterType::Version, value).ok ? ParameterType::Version : typeForName(key),
                s, l, u"the workflow's "_s + key);
        ++k;
    }
}

void ParameterDetector::detectNames(const ShellSimpleCommand& cmd)
{
    // Any remaining word, or part between '=' and ',', that is one of the runbook's names.
    for (int k = 1; k < cmd.words.size(); ++k) {
        const ShellWord& w = cmd.words.at(k);
        if (w.expansion)
            continue;
        const QString prefix = m_names.value(Field::SsmPrefix);
        qsizetype s = 0;
        qsizetype l = 0;
        if (const auto f = uniqueNameField(w.value)) {
            if (wordValue(w, &s, &l))
                addProfile(*f, s, l);
            continue;
        }
        if (!prefix.isEmpty() && w.value.startsWith(prefix + u'/')) {
            if (range(w, 0, prefix.size(), &s, &l))
                addProfile(Field::SsmPrefix, s, l);
            continue;
        }
        qsizetype from = 0;
        for (qsizetype i = 0; i <= w.value.size(); ++i) {
            if (i < w.value.size() && w.value[i] != u'=' && w.value[i] != u',')
                continue;
            if (const auto f = uniqueNameField(QStringView(w.value).mid(from, i - from))) {
                if (from > 0 && range(w, from, i, &s, &l))
                    addProfile(*f, s, l);
            }
            from = i + 1;
        }
    }
}

void ParameterDetector::detectShell(const ShellLexer& lexer)
{
    m_quoting = [&lexer](qsizetype pos) { return lexer.quotingAt(pos); };
    detectPlaceholders();
    detectVariables();
    for (const ShellSimpleCommand& cmd : lexer.commands()) {
        const QString prog = cmd.program();
        if (prog == u"aws") {
            if (isFree(cmd.words.constFirst().end, 0))
                addSpan(StepSpan::Kind::Insert, u"aws"_s, cmd.words.constFirst().end, 0);
            detectAws(cmd);
        } else if (prog == u"redis-cli") {
            detectRedis(cmd);
        } else if (prog == u"gh") {
            detectGh(cmd);
        }
        detectNames(cmd);
    }
    applyDeclaredTypes();
    sortParameters();
    m_quoting = nullptr;
}

void ParameterDetector::detectSql(const SqlScanner& scanner)
{
    m_quoting = [&scanner](qsizetype pos) { return scanner.quotingAt(pos); };
    detectPlaceholders();
    const QList<SqlToken> toks = SqlScanner::tokens(m_step.text);
    for (qsizetype i = 0; i + 3 < toks.size(); ++i) {
        if (toks.at(i).type == SqlToken::Type::Word
            && (toks.at(i).text == u"PG_TERMINATE_BACKEND" || toks.at(i).text == u"PG_CANCEL_BACKEND")
            && toks.at(i + 1).text == u"(" && toks.at(i + 2).type == SqlToken::Type::Number
            && toks.at(i + 3).text == u")") {
            addParameter(u"pid"_s, ParameterType::Pid, toks.at(i + 2).offset, toks.at(i + 2).text.size(),
                u"the PID of the session to end"_s);
        }
    }
    applyDeclaredTypes();
    sortParameters();
    m_quoting = nullptr;
}

void ParameterDetector::sortParameters()
{
    const auto firstUse = [this](const RunbookParameter& p) {
        for (const StepSpan& s : m_step.spans) {
            if (s.kind == StepSpan::Kind::Parameter && s.key == p.name)
                return s.start;
        }
        return m_step.text.size();
    };
    std::stable_sort(m_step.parameters.begin(), m_step.parameters.end(),
        [&firstUse](const RunbookParameter& a, const RunbookParameter& b) { return firstUse(a) < firstUse(b); });
}
