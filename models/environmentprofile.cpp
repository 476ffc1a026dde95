// SPDX-License-Identifier: MIT
#include "models/environmentprofile.h"

#include "models/parametertype.h"

#include <array>

using namespace Qt::StringLiterals;

namespace {

struct FieldInfo {
    EnvironmentProfile::Field field;
    const char16_t* key;
    const char16_t* variable;
    const char16_t* description;
};

using F = EnvironmentProfile::Field;
constexpr std::array<FieldInfo, 16> fieldTable { {
    { F::AwsProfile, u"aws_profile", u"AWS_PROFILE", u"AWS CLI profile (SSO and MFA keep working)" },
    { F::Region, u"region", u"AWS_REGION", u"AWS region" },
    { F::EndpointUrl, u"endpoint_url", u"AWS_ENDPOINT_URL", u"AWS endpoint override (the sandbox's moto_server)" },
    { F::Cluster, u"cluster", u"PETFORCE_CLUSTER", u"ECS cluster" },
    { F::Service, u"service", u"PETFORCE_SERVICE", u"ECS service" },
    { F::Container, u"container", u"PETFORCE_CONTAINER", u"container name in the task" },
    { F::TaskFamily, u"task_family", u"PETFORCE_TASK_FAMILY",
        u"task-definition family, also the CloudWatch ServiceName dimension" },
    { F::DbInstance, u"db_instance", u"PETFORCE_DB_INSTANCE", u"RDS instance identifier" },
    { F::DbParameterGroup, u"db_parameter_group", u"PETFORCE_DB_PARAMETER_GROUP", u"RDS parameter group" },
    { F::LogGroup, u"log_group", u"PETFORCE_LOG_GROUP", u"CloudWatch Logs group" },
    { F::SsmPrefix, u"ssm_prefix", u"PETFORCE_SSM_PREFIX", u"SSM parameter path prefix" },
    { F::CacheCluster, u"cache_cluster", u"PETFORCE_CACHE_CLUSTER", u"ElastiCache cluster id" },
    { F::RedisHost, u"redis_host", u"PETFORCE_REDIS_HOST", u"Redis host" },
    { F::RedisPort, u"redis_port", u"PETFORCE_REDIS_PORT", u"Redis port" },
    { F::DeployEnvironment, u"deploy_environment", u"PETFORCE_DEPLOY_ENVIRONMENT",
        u"environment name given to deployment workflows" },
    { F::DatabaseUrl, u"database_url", u"DATABASE_URL", u"PostgreSQL URL, without the password" },
} };

const FieldInfo* info(F field)
{
    for (const FieldInfo& i : fieldTable) {
        if (i.field == field)
            return &i;
    }
    return nullptr;
}

bool isNameChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_' || c == u'-';
}

bool isVariableName(QStringView s)
{
    if (s.isEmpty() || (s[0] >= u'0' && s[0] <= u'9'))
        return false;
    for (QChar c : s) {
        if (!((c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_'))
            return false;
    }
    return true;
}

} // namespace

EnvironmentProfile::EnvironmentProfile(QString name)
    : m_name(std::move(name))
{
}

QString EnvironmentProfile::label() const { return m_label.isEmpty() ? m_name : m_label; }

QString EnvironmentProfile::value(Field field) const
{
    if (field == Field::DeployEnvironment && !m_values.contains(field))
        return m_name;
    return m_values.value(field);
}

void EnvironmentProfile::setValue(Field field, const QString& value)
{
    if (value.isEmpty())
        m_values.remove(field);
    else
        m_values.insert(field, value);
}

QMap<QString, QString> EnvironmentProfile::environment() const
{
    QMap<QString, QString> env;
    env.insert(u"PETFORCE_ENVIRONMENT"_s, m_name);
    for (const FieldInfo& i : fieldTable) {
        const QString v = value(i.field);
        if (!v.isEmpty())
            env.insert(QString::fromUtf16(i.variable), v);
    }
    if (env.contains(u"AWS_REGION"_s))
        env.insert(u"AWS_DEFAULT_REGION"_s, env.value(u"AWS_REGION"_s));
    if (!value(Field::RedisHost).isEmpty())
        env.insert(u"PETFORCE_REDIS_TLS"_s, m_redisTls ? u"1"_s : u"0"_s);
    return env;
}

QString EnvironmentProfile::validationError() const
{
    if (m_name.isEmpty())
        return u"the environment has no name"_s;
    for (QChar c : m_name) {
        if (!isNameChar(c))
            return u"the environment name \u201C%1\u201D may only use letters, digits, '-' and '_'"_s.arg(m_name);
    }
    for (auto it = m_values.cbegin(); it != m_values.cend(); ++it) {
        for (QChar c : it.value()) {
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                return u"%1 contains a control character"_s.arg(fieldKey(it.key()));
        }
    }
    const QString url = value(Field::DatabaseUrl);
    if (!url.isEmpty()) {
        const ParameterCheck check = ParameterType::validate(ParameterType::DatabaseUrl, url);
        if (!check.ok)
            return u"database url: "_s + check.reason;
    }
    const QString endpoint = value(Field::EndpointUrl);
    if (!endpoint.isEmpty() && !endpoint.startsWith(u"http://"_s) && !endpoint.startsWith(u"https://"_s))
        return u"endpoint_url must start with http:// or https://"_s;
    const QString port = value(Field::RedisPort);
    if (!port.isEmpty() && !ParameterType::validate(ParameterType::Integer, port).ok)
        return u"redis port \u201C%1\u201D is not a number"_s.arg(port);
    if (!m_databaseUrlEnv.isEmpty() && !isVariableName(m_databaseUrlEnv))
        return u"url_env \u201C%1\u201D is not an environment variable name"_s.arg(m_databaseUrlEnv);
    if (!m_passwordEnv.isEmpty() && !isVariableName(m_passwordEnv))
        return u"password_env \u201C%1\u201D is not an environment variable name"_s.arg(m_passwordEnv);
    return {};
}

QList<EnvironmentProfile::Field> EnvironmentProfile::fields()
{
    QList<Field> all;
    for (const FieldInfo& i : fieldTable)
        all.append(i.field);
    return all;
}

QString EnvironmentProfile::fieldKey(Field field)
{
    const FieldInfo* i = info(field);
    return i ? QString::fromUtf16(i->key) : QString();
}

std::optional<EnvironmentProfile::Field> EnvironmentProfile::fieldFromKey(QStringView key)
{
    for (const FieldInfo& i : fieldTable) {
        if (key == QStringView(i.key))
            return i.field;
    }
    return std::nullopt;
}

QString EnvironmentProfile::fieldVariable(Field field)
{
    const FieldInfo* i = info(field);
    return i ? QString::fromUtf16(i->variable) : QString();
}

QString EnvironmentProfile::fieldDescription(Field field)
{
    const FieldInfo* i = info(field);
    return i ? QString::fromUtf16(i->description) : QString();
}

const EnvironmentProfile& EnvironmentProfile::runbookNames()
{
    static const EnvironmentProfile names = [] {
        EnvironmentProfile p(u"production"_s);
        p.setValue(F::Cluster, u"petforce-production"_s);
        p.setValue(F::Service, u"api"_s);
        p.setValue(F::Container, u"api"_s);
        p.setValue(F::TaskFamily, u"petforce-api"_s);
        p.setValue(F::DbInstance, u"petforce-production"_s);
        p.setValue(F::DbParameterGroup, u"petforce-production"_s);
        p.setValue(F::LogGroup, u"/ecs/petforce-production"_s);
        p.setValue(F::SsmPrefix, u"/petforce/production"_s);
        p.setValue(F::CacheCluster, u"petforce-production-redis"_s);
        p.setValue(F::RedisHost, u"redis.xxxxx.cache.amazonaws.com"_s);
        p.setValue(F::DeployEnvironment, u"production"_s);
        return p;
    }();
    return names;
}
