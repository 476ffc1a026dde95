// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

#include <optional>

// One environment the console works against (production, staging, sandbox): where the AWS CLI, Redis and the
// database are, and the names of the resources the runbook commands act on. Trusted configuration, but its values
// still reach commands only as environment variables (see PreparedCommand). Holds no secret: the database
// password is named by reference (a keychain entry or an environment variable).
class EnvironmentProfile {
public:
    // The names a runbook writes literally and a profile replaces. Key (YAML and annotations) and variable:
    enum class Field {
        AwsProfile, // aws_profile         AWS_PROFILE
        Region, // region                   AWS_REGION and AWS_DEFAULT_REGION
        EndpointUrl, // endpoint_url        AWS_ENDPOINT_URL (and --endpoint-url on every aws call)
        Cluster, // cluster                 PETFORCE_CLUSTER            petforce-production
        Service, // service                 PETFORCE_SERVICE            api
        Container, // container             PETFORCE_CONTAINER          api
        TaskFamily, // task_family          PETFORCE_TASK_FAMILY        petforce-api
        DbInstance, // db_instance          PETFORCE_DB_INSTANCE        petforce-production
        DbParameterGroup, // db_parameter_group PETFORCE_DB_PARAMETER_GROUP petforce-production
        LogGroup, // log_group              PETFORCE_LOG_GROUP          /ecs/petforce-production
        SsmPrefix, // ssm_prefix            PETFORCE_SSM_PREFIX         /petforce/production
        CacheCluster, // cache_cluster      PETFORCE_CACHE_CLUSTER      petforce-production-redis
        RedisHost, // redis_host            PETFORCE_REDIS_HOST         redis.xxxxx.cache.amazonaws.com
        RedisPort, // redis_port            PETFORCE_REDIS_PORT         6379
        DeployEnvironment, // deploy_environment PETFORCE_DEPLOY_ENVIRONMENT production (gh --field environment=)
        DatabaseUrl, // database_url        DATABASE_URL (without password)
    };

    EnvironmentProfile() = default;
    explicit EnvironmentProfile(QString name);

    QString name() const { return m_name; } // "production"
    void setName(const QString& name) { m_name = name; }
    QString label() const; // "Production"; the name when no label is set
    void setLabel(const QString& label) { m_label = label; }
    // Production is marked unmistakably in the UI and asks more before anything runs.
    bool isProduction() const { return m_production; }
    void setProduction(bool production) { m_production = production; }

    QString value(Field field) const;
    void setValue(Field field, const QString& value);
    bool redisTls() const { return m_redisTls; }
    void setRedisTls(bool tls) { m_redisTls = tls; }

    // Where the database URL and password come from. The URL is database_url, or the console's own environment
    // variable databaseUrlEnv; the password is the keychain entry passwordSecret or the variable passwordEnv.
    QString databaseUrlEnv() const { return m_databaseUrlEnv; }
    void setDatabaseUrlEnv(const QString& var) { m_databaseUrlEnv = var; }
    QString passwordSecret() const { return m_passwordSecret; }
    void setPasswordSecret(const QString& key) { m_passwordSecret = key; }
    QString passwordEnv() const { return m_passwordEnv; }
    void setPasswordEnv(const QString& var) { m_passwordEnv = var; }
    // Why this environment's AWS cannot be used (the sandbox runs without its AWS part); empty when it can. Every
    // aws call of a step is then refused with this text.
    QString awsOff() const { return m_awsOff; }
    void setAwsOff(const QString& reason) { m_awsOff = reason; }

    // The variables every command run against this profile sees (PETFORCE_ENVIRONMENT, AWS_PROFILE, AWS_REGION,
    // AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, PETFORCE_*, DATABASE_URL, PETFORCE_REDIS_TLS). Empty values are left
    // out. No secret is among them: the executor adds PGPASSWORD, for psql steps only, after reading the secret.
    QMap<QString, QString> environment() const;

    // Empty when the profile can be used, else what is wrong (for the config loader's messages).
    QString validationError() const;

    static QList<Field> fields();
    static QString fieldKey(Field field); // "cluster"
    static std::optional<Field> fieldFromKey(QStringView key);
    static QString fieldVariable(Field field); // "PETFORCE_CLUSTER"
    static QString fieldDescription(Field field); // for people

    // The names the seed runbook writes literally (cluster petforce-production, service api...): what a step's
    // Profile spans were recognised against, unless a runbook declares its own with annotations.
    static const EnvironmentProfile& runbookNames();

    bool operator==(const EnvironmentProfile&) const = default;

private:
    QString m_name;
    QString m_label;
    bool m_production = false;
    bool m_redisTls = false;
    QMap<Field, QString> m_values;
    QString m_databaseUrlEnv;
    QString m_passwordSecret;
    QString m_passwordEnv;
    QString m_awsOff;
};

Q_DECLARE_METATYPE(EnvironmentProfile)
