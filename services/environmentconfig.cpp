// SPDX-License-Identifier: MIT
#include "services/environmentconfig.h"

#include <QRegularExpression>

#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <yaml-cpp/yaml.h>

using namespace Qt::StringLiterals;

namespace {

QString str(const YAML::Node& node) { return QString::fromStdString(node.Scalar()); }
int lineOf(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }

class Reader {
public:
    Reader(QString source, QList<RunbookDiagnostic>& diagnostics)
        : m_source(std::move(source))
        , m_diagnostics(diagnostics)
    {
    }

    void error(const YAML::Node& node, const QString& message)
    {
        m_diagnostics.append({ RunbookDiagnostic::Level::Error, m_source, lineOf(node), message });
    }
    void warning(const YAML::Node& node, const QString& message)
    {
        m_diagnostics.append({ RunbookDiagnostic::Level::Warning, m_source, lineOf(node), message });
    }

    bool scalar(const YAML::Node& node, const QString& what)
    {
        if (node.IsScalar())
            return true;
        error(node, what + u" must be a single value"_s);
        return false;
    }

    // A setting's value with every ${NAME} replaced by the console's environment variable NAME (the sandbox's
    // profile takes its ports and endpoint from `scripts/sandbox env`). An unset variable is an error: a profile
    // must never fall back to an empty endpoint, which would mean the real AWS.
    QString value(const YAML::Node& node, bool* unset)
    {
        static const QRegularExpression reference(u"\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}"_s);
        const QString raw = str(node);
        QString expanded;
        qsizetype last = 0;
        for (auto it = reference.globalMatch(raw); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            expanded += QStringView(raw).mid(last, m.capturedStart() - last);
            const QString name = m.captured(1);
            const QString env = qEnvironmentVariable(name.toLocal8Bit().constData());
            const QString awsOff = qEnvironmentVariable("PETFORCE_SANDBOX_AWS_OFF");
            if (env.isEmpty() && name.startsWith(u"AWS_"_s) && !awsOff.isEmpty()) {
                // The sandbox runs without its AWS part: the profile stays for PostgreSQL and Redis, and its
                // aws calls are refused with the sandbox's reason (never sent to the real AWS).
                m_awsOff = u"the sandbox's AWS part is off (${%1} is not set): %2"_s.arg(name, awsOff);
                warning(node, m_awsOff);
            } else if (env.isEmpty()) {
                error(node,
                    u"${%1} is not set in the console's environment (for the sandbox: scripts/sandbox up, "
                    "then start the console with scripts/run)"_s.arg(name));
                *unset = true;
            }
            expanded += env;
            last = m.capturedEnd();
        }
        expanded += QStringView(raw).mid(last);
        return expanded;
    }

    static bool isPasswordKey(const QString& key)
    {
        return key == u"password" || key == u"secret" || key == u"pass" || key == u"pwd";
    }

    std::optional<EnvironmentProfile> profile(const QString& name, const YAML::Node& node)
    {
        EnvironmentProfile p(name);
        m_awsOff.clear();
        if (!node.IsMap()) {
            error(node, u"environment %1 must be a map of settings"_s.arg(name));
            return std::nullopt;
        }
        bool refused = false;
        for (auto it = node.begin(); it != node.end(); ++it) {
            const QString key = str(it->first);
            const YAML::Node value = it->second; // a copy: it-> points into a temporary
            if (isPasswordKey(key)) {
                error(it->first,
                    u"%1: a password never goes in this file; name a keychain entry (password_secret) "
                    "or an environment variable (password_env) in the database section"_s.arg(name));
                refused = true;
            } else if (key == u"label") {
                if (scalar(value, key))
                    p.setLabel(str(value));
            } else if (key == u"production") {
                if (scalar(value, key))
                    p.setProduction(value.as<bool>(false));
            } else if (key == u"redis") {
                if (!value.IsMap()) {
                    error(value, u"redis must be a map: host, port, tls"_s);
                    continue;
                }
                for (auto r = value.begin(); r != value.end(); ++r) {
                    const QString k = str(r->first);
                    if (k == u"host" && scalar(r->second, k))
                        p.setValue(EnvironmentProfile::Field::RedisHost, this->value(r->second, &refused));
                    else if (k == u"port" && scalar(r->second, k))
                        p.setValue(EnvironmentProfile::Field::RedisPort, this->value(r->second, &refused));
                    else if (k == u"tls" && scalar(r->second, k))
                        p.setRedisTls(r->second.as<bool>(false));
                    else if (isPasswordKey(k)) {
                        error(r->first, u"%1: the Redis password never goes in this file"_s.arg(name));
                        refused = true;
                    } else if (k != u"host" && k != u"port" && k != u"tls")
                        warning(r->first, u"unknown redis setting \u201C%1\u201D"_s.arg(k));
                }
            } else if (key == u"database") {
                if (!value.IsMap()) {
                    error(value, u"database must be a map: url, url_env, password_secret, password_env"_s);
                    continue;
                }
                for (auto d = value.begin(); d != value.end(); ++d) {
                    const QString k = str(d->first);
                    if (!scalar(d->second, k))
                        continue;
                    if (k == u"url")
                        p.setValue(EnvironmentProfile::Field::DatabaseUrl, this->value(d->second, &refused));
                    else if (k == u"url_env")
                        p.setDatabaseUrlEnv(str(d->second));
                    else if (k == u"password_secret")
                        p.setPasswordSecret(str(d->second));
                    else if (k == u"password_env")
                        p.setPasswordEnv(str(d->second));
                    else if (isPasswordKey(k)) {
                        error(d->first,
                            u"%1: the database password never goes in this file; use password_secret "
                            "(a keychain entry) or password_env (an environment variable)"_s.arg(name));
                        refused = true;
                    } else
                        warning(d->first, u"unknown database setting \u201C%1\u201D"_s.arg(k));
                }
            } else if (const auto field = EnvironmentProfile::fieldFromKey(key)) {
                if (*field == EnvironmentProfile::Field::RedisHost || *field == EnvironmentProfile::Field::RedisPort
                    || *field == EnvironmentProfile::Field::DatabaseUrl) {
                    warning(it->first,
                        u"write %1 in the %2 section"_s.arg(
                            key, *field == EnvironmentProfile::Field::DatabaseUrl ? u"database"_s : u"redis"_s));
                }
                if (scalar(value, key))
                    p.setValue(*field, this->value(value, &refused));
            } else {
                warning(it->first, u"unknown setting \u201C%1\u201D in environment %2"_s.arg(key, name));
            }
        }
        const QString problem = p.validationError();
        if (!problem.isEmpty()) {
            error(node, name + u": "_s + problem);
            refused = true;
        }
        if (refused)
            return std::nullopt;
        p.setAwsOff(m_awsOff);
        return p;
    }

private:
    QString m_source;
    QList<RunbookDiagnostic>& m_diagnostics;
    QString m_awsOff; // of the profile being read
};

} // namespace

QString EnvironmentConfig::userConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + u"/environments.yaml"_s;
}

QString EnvironmentConfig::shippedConfigPath() { return u":/config/environments.yaml"_s; }

EnvironmentConfig EnvironmentConfig::load(const QByteArray& yaml, const QString& source)
{
    EnvironmentConfig config;
    config.m_source = source;
    Reader reader(source, config.m_diagnostics);
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        if (!root.IsMap()) {
            config.m_diagnostics.append({ RunbookDiagnostic::Level::Error, source, 0,
                u"the file must be a map with an environments section"_s });
            return config;
        }
        for (auto it = root.begin(); it != root.end(); ++it) {
            const QString key = str(it->first);
            if (key != u"default" && key != u"environments")
                reader.warning(it->first, u"unknown top-level setting \u201C%1\u201D"_s.arg(key));
        }
        const YAML::Node environments = root["environments"];
        if (!environments || !environments.IsMap()) {
            reader.error(root, u"no environments section (a map of name: settings)"_s);
            return config;
        }
        for (auto it = environments.begin(); it != environments.end(); ++it) {
            if (auto p = reader.profile(str(it->first), it->second))
                config.m_profiles.append(*p);
        }
        const YAML::Node def = root["default"];
        if (def && def.IsScalar()) {
            config.m_default = str(def);
            if (!config.profile(config.m_default)) {
                reader.error(def, u"the default environment \u201C%1\u201D is not defined"_s.arg(config.m_default));
                config.m_default.clear();
            }
        }
        if (config.m_default.isEmpty() && !config.m_profiles.isEmpty()) {
            // Never production by default: the sandbox, else the first profile that is not production.
            config.m_default = config.m_profiles.constFirst().name();
            for (const EnvironmentProfile& p : std::as_const(config.m_profiles)) {
                if (!p.isProduction()) {
                    config.m_default = p.name();
                    break;
                }
            }
            if (config.profile(u"sandbox"_s))
                config.m_default = u"sandbox"_s;
        }
    } catch (const YAML::Exception& e) {
        config.m_diagnostics.append({ RunbookDiagnostic::Level::Error, source, e.mark.line >= 0 ? e.mark.line + 1 : 0,
            u"not valid YAML: "_s + QString::fromStdString(e.msg) });
    }
    return config;
}

EnvironmentConfig EnvironmentConfig::loadFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        EnvironmentConfig config;
        config.m_source = path;
        config.m_diagnostics.append(
            { RunbookDiagnostic::Level::Error, path, 0, u"cannot read the file: "_s + file.errorString() });
        return config;
    }
    return load(file.read(1024 * 1024), path);
}

EnvironmentConfig EnvironmentConfig::loadDefault()
{
    const QString user = userConfigPath();
    return loadFile(QFileInfo::exists(user) ? user : shippedConfigPath());
}

std::optional<EnvironmentProfile> EnvironmentConfig::profile(const QString& name) const
{
    for (const EnvironmentProfile& p : m_profiles) {
        if (p.name() == name)
            return p;
    }
    return std::nullopt;
}
