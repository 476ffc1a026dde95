// SPDX-License-Identifier: MIT
#include "models/environmentlistmodel.h"
#include "models/preparedcommand.h"
#include "services/environmentconfig.h"
#include "services/runbookparser.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString diagnosticsText(const QList<RunbookDiagnostic>& diagnostics)
{
    QStringList lines;
    for (const RunbookDiagnostic& d : diagnostics)
        lines.append(d.toString());
    return lines.join(u'\n');
}

} // namespace

class TestEnvironment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void shippedConfig();
    void configProblems_data();
    void configProblems();
    void sandboxAwsOff();
    void profileEnvironment();
    void prepareShell();
    void prepareValues();
    void prepareSql();
    void prepareRedis();
    void runsWithValuesAsData();
    void listModel();

private:
    RunbookDocument m_seed;
    EnvironmentProfile m_sandbox;
    EnvironmentProfile m_production;
    const RunbookStep& step(int runbook, int option, int index) const
    {
        return option < 0 ? m_seed.runbooks.at(runbook).diagnosis.at(index)
                          : m_seed.runbooks.at(runbook).resolution.at(option).steps.at(index);
    }
};

void TestEnvironment::initTestCase()
{
    m_seed = RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s);
    QVERIFY(!m_seed.hasErrors());
    // The shipped sandbox profile takes these from the console's environment (scripts/sandbox env).
    qputenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000");
    qputenv("REDIS_HOST", "127.0.0.1");
    qputenv("REDIS_PORT", "6379");
    const EnvironmentConfig config = EnvironmentConfig::loadFile(EnvironmentConfig::shippedConfigPath());
    QVERIFY2(config.diagnostics().isEmpty(), qPrintable(diagnosticsText(config.diagnostics())));
    m_production = *config.profile(u"production"_s);
    QVERIFY(config.profile(u"sandbox"_s).has_value());
    // Substitution is checked on a local profile with names of its own (the shipped sandbox serves the
    // runbook's production names, so nothing would change there).
    const EnvironmentConfig local = EnvironmentConfig::load("environments:\n"
                                                            "  sandbox:\n"
                                                            "    label: Sandbox (local)\n"
                                                            "    region: us-east-1\n"
                                                            "    endpoint_url: http://127.0.0.1:5000\n"
                                                            "    cluster: petforce-sandbox\n"
                                                            "    service: api\n"
                                                            "    container: api\n"
                                                            "    task_family: petforce-api\n"
                                                            "    db_instance: petforce-sandbox\n"
                                                            "    db_parameter_group: petforce-sandbox\n"
                                                            "    log_group: /ecs/petforce-sandbox\n"
                                                            "    ssm_prefix: /petforce/sandbox\n"
                                                            "    cache_cluster: petforce-sandbox-redis\n"
                                                            "    redis:\n"
                                                            "      host: 127.0.0.1\n"
                                                            "      port: 6379\n"
                                                            "      tls: false\n"
                                                            "    database:\n"
                                                            "      url: postgresql://petforce@127.0.0.1:5432/petforce\n"
                                                            "      password_env: PETFORCE_SANDBOX_DB_PASSWORD\n",
        u"local.yaml"_s);
    QVERIFY2(local.diagnostics().isEmpty(), qPrintable(diagnosticsText(local.diagnostics())));
    m_sandbox = *local.profile(u"sandbox"_s);
}

void TestEnvironment::shippedConfig()
{
    const EnvironmentConfig config = EnvironmentConfig::loadFile(EnvironmentConfig::shippedConfigPath());
    QCOMPARE(config.profiles().size(), 3);
    QCOMPARE(config.profiles().at(0).name(), u"production"_s);
    QCOMPARE(config.profiles().at(1).name(), u"staging"_s);
    QCOMPARE(config.profiles().at(2).name(), u"sandbox"_s);
    QCOMPARE(config.defaultProfile(), u"sandbox"_s);
    QVERIFY(m_production.isProduction());
    QVERIFY(!m_sandbox.isProduction());
    QCOMPARE(m_production.label(), u"Production"_s);
    using F = EnvironmentProfile::Field;
    // The example's production names are the runbook's own.
    for (F f : { F::Cluster, F::Service, F::Container, F::TaskFamily, F::DbInstance, F::DbParameterGroup, F::LogGroup,
             F::SsmPrefix, F::CacheCluster, F::RedisHost, F::DeployEnvironment })
        QCOMPARE(m_production.value(f), EnvironmentProfile::runbookNames().value(f));
    QVERIFY(m_production.redisTls());
    QCOMPARE(m_production.passwordSecret(), u"petforce/production/database"_s);
    const EnvironmentProfile shippedSandbox = *config.profile(u"sandbox"_s);
    QCOMPARE(shippedSandbox.passwordEnv(), u"PGPASSWORD"_s);
    QCOMPARE(shippedSandbox.databaseUrlEnv(), u"DATABASE_URL"_s);
    QCOMPARE(shippedSandbox.value(F::EndpointUrl), u"http://127.0.0.1:5000"_s); // from AWS_ENDPOINT_URL
    QCOMPARE(shippedSandbox.value(F::RedisPort), u"6379"_s);
    QCOMPARE(shippedSandbox.value(F::Cluster), u"petforce-production"_s); // the sandbox serves the runbook's names
    QCOMPARE(m_sandbox.passwordEnv(), u"PETFORCE_SANDBOX_DB_PASSWORD"_s);
    QCOMPARE(m_sandbox.value(F::EndpointUrl), u"http://127.0.0.1:5000"_s);
    QCOMPARE(m_sandbox.value(F::DeployEnvironment), u"sandbox"_s); // defaults to the profile's name
    // No password anywhere in the shipped file.
    QFile f(EnvironmentConfig::shippedConfigPath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(!text.contains("password:"));
    QVERIFY(!EnvironmentConfig::userConfigPath().isEmpty());
}

void TestEnvironment::configProblems_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<bool>("error");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("profiles");
    const QString head = u"environments:\n  prod:\n    cluster: c\n"_s;
    QTest::newRow("password in profile") << head + u"    password: hunter2\n"_s << true << 4
                                         << u"never goes in this file"_s << 0;
    QTest::newRow("password in database")
        << head + u"    database:\n      password: hunter2\n"_s << true << 5 << u"never goes in this file"_s << 0;
    QTest::newRow("password in url") << head + u"    database:\n      url: postgresql://u:hunter2@db/x\n"_s << true << 3
                                     << u"password"_s << 0;
    QTest::newRow("redis password") << head + u"    redis:\n      password: x\n"_s << true << 5 << u"Redis password"_s
                                    << 0;
    QTest::newRow("unknown setting") << head + u"    clustr: typo\n"_s << false << 4 << u"unknown setting"_s << 1;
    QTest::newRow("bad endpoint") << head + u"    endpoint_url: file:///etc/passwd\n"_s << true << 3
                                  << u"endpoint_url"_s << 0;
    QTest::newRow("bad name") << u"environments:\n  \"pro d\":\n    cluster: c\n"_s << true << 3 << u"may only use"_s
                              << 0;
    QTest::newRow("undefined default") << u"default: nope\n"_s + head << true << 1 << u"not defined"_s << 1;
    QTest::newRow("unset variable") << head + u"    endpoint_url: ${PETFORCE_TEST_UNSET_VARIABLE}\n"_s << true << 4
                                    << u"is not set"_s << 0;
    QTest::newRow("not yaml") << u"environments: [\n"_s << true << -1 << u"not valid YAML"_s << 0;
    QTest::newRow("no environments") << u"default: x\n"_s << true << 1 << u"no environments section"_s << 0;
}

void TestEnvironment::configProblems()
{
    QFETCH(QString, yaml);
    QFETCH(bool, error);
    QFETCH(int, line);
    QFETCH(QString, message);
    QFETCH(int, profiles);
    const EnvironmentConfig config = EnvironmentConfig::load(yaml.toUtf8(), u"env.yaml"_s);
    QCOMPARE(config.hasErrors(), error);
    QCOMPARE(config.profiles().size(), profiles);
    bool found = false;
    for (const RunbookDiagnostic& d : config.diagnostics())
        found = found || ((line < 0 || d.line == line) && d.message.contains(message));
    QVERIFY2(found, qPrintable(diagnosticsText(config.diagnostics())));
    // A refused secret is never echoed back.
    QVERIFY(!diagnosticsText(config.diagnostics()).contains(u"hunter2"_s));
}

// scripts/sandbox up without moto_server exports no AWS_* but PETFORCE_SANDBOX_AWS_OFF: the sandbox profile stays for
// PostgreSQL and Redis, and every aws call says why it cannot run.
void TestEnvironment::sandboxAwsOff()
{
    const QByteArray endpoint = qgetenv("AWS_ENDPOINT_URL");
    qunsetenv("AWS_ENDPOINT_URL");
    const auto restore = qScopeGuard([&] {
        qputenv("AWS_ENDPOINT_URL", endpoint);
        qunsetenv("PETFORCE_SANDBOX_AWS_OFF");
    });
    const QString reason = u"moto_server is not installed (it is not in Debian 12)"_s;

    // Without the sandbox's word, an unset endpoint still refuses the profile (it must never mean the real AWS).
    EnvironmentConfig config = EnvironmentConfig::loadFile(EnvironmentConfig::shippedConfigPath());
    QVERIFY(!config.profile(u"sandbox"_s));
    QVERIFY(diagnosticsText(config.diagnostics()).contains(u"${AWS_ENDPOINT_URL} is not set in the console's"_s));

    qputenv("PETFORCE_SANDBOX_AWS_OFF", reason.toUtf8());
    config = EnvironmentConfig::loadFile(EnvironmentConfig::shippedConfigPath());
    QVERIFY2(!config.hasErrors(), qPrintable(diagnosticsText(config.diagnostics())));
    const std::optional<EnvironmentProfile> sandbox = config.profile(u"sandbox"_s);
    QVERIFY(sandbox);
    QCOMPARE(config.defaultProfile(), u"sandbox"_s);
    const QString expected = u"the sandbox's AWS part is off (${AWS_ENDPOINT_URL} is not set): "_s + reason;
    QCOMPARE(sandbox->awsOff(), expected);
    QCOMPARE(config.diagnostics().size(), 1);
    QCOMPARE(config.diagnostics().constFirst().level, RunbookDiagnostic::Level::Warning);
    QCOMPARE(config.diagnostics().constFirst().message, expected);
    QVERIFY(sandbox->value(EnvironmentProfile::Field::EndpointUrl).isEmpty());
    QVERIFY(config.profile(u"production"_s)->awsOff().isEmpty());
    EnvironmentListModel list;
    list.setProfiles({ *sandbox });
    QVERIFY(list.index(0).data(Qt::ToolTipRole).toString().contains(u"AWS: off, "_s + expected));

    // Its aws steps are refused with that reason (once, however many aws calls); its other steps run.
    const PreparedCommand restart = PreparedCommand::prepare(step(0, 1, 1), *sandbox, {});
    QCOMPARE(restart.errors, QStringList { expected });
    const PreparedCommand memory = PreparedCommand::prepare(step(4, -1, 0), *sandbox, {}); // two aws calls
    QCOMPARE(memory.errors, QStringList { expected });
    for (const Runbook& runbook : m_seed.runbooks) {
        for (const RunbookStep& s : runbook.diagnosis) {
            if (s.kind == StepKind::Sql || s.kind == StepKind::Redis) {
                const PreparedCommand p = PreparedCommand::prepare(s, *sandbox, {});
                QVERIFY2(!p.errors.contains(expected), qPrintable(s.text));
            }
        }
    }
}

void TestEnvironment::profileEnvironment()
{
    const QMap<QString, QString> env = m_sandbox.environment();
    QCOMPARE(env.value(u"PETFORCE_ENVIRONMENT"_s), u"sandbox"_s);
    QCOMPARE(env.value(u"AWS_REGION"_s), u"us-east-1"_s);
    QCOMPARE(env.value(u"AWS_DEFAULT_REGION"_s), u"us-east-1"_s);
    QCOMPARE(env.value(u"AWS_ENDPOINT_URL"_s), u"http://127.0.0.1:5000"_s);
    QCOMPARE(env.value(u"PETFORCE_CLUSTER"_s), u"petforce-sandbox"_s);
    QCOMPARE(env.value(u"PETFORCE_LOG_GROUP"_s), u"/ecs/petforce-sandbox"_s);
    QCOMPARE(env.value(u"PETFORCE_REDIS_HOST"_s), u"127.0.0.1"_s);
    QCOMPARE(env.value(u"PETFORCE_REDIS_TLS"_s), u"0"_s);
    QCOMPARE(env.value(u"DATABASE_URL"_s), u"postgresql://petforce@127.0.0.1:5432/petforce"_s);
    QVERIFY(!env.contains(u"AWS_PROFILE"_s)); // not set for the sandbox
    QVERIFY(!m_production.environment().contains(u"AWS_ENDPOINT_URL"_s));
    for (const QString& value : env)
        QVERIFY(!value.contains(u"PASSWORD"_s));
}

void TestEnvironment::prepareShell()
{
    const RunbookStep& restart = step(0, 1, 1); // aws ecs update-service --cluster ... --force-new-deployment
    const PreparedCommand sandbox = PreparedCommand::prepare(restart, m_sandbox, {});
    QVERIFY2(sandbox.isReady(), qPrintable(sandbox.errors.join(u'\n')));
    QCOMPARE(sandbox.script,
        u"aws --endpoint-url \"${AWS_ENDPOINT_URL}\" ecs update-service \\\n  --cluster \"${PETFORCE_CLUSTER}\" \\\n"
        "  --service \"${PETFORCE_SERVICE}\" \\\n  --force-new-deployment"_s);
    QCOMPARE(sandbox.displayText,
        u"aws --endpoint-url http://127.0.0.1:5000 ecs update-service \\\n  --cluster petforce-sandbox \\\n"
        "  --service api \\\n  --force-new-deployment"_s);
    QCOMPARE(sandbox.environment.value(u"PETFORCE_CLUSTER"_s), u"petforce-sandbox"_s);

    const PreparedCommand production
        = PreparedCommand::prepare(restart, m_production, {}, { u"--cli-read-timeout"_s, u"30"_s });
    QVERIFY(production.isReady());
    QVERIFY(production.script.startsWith(u"aws --cli-read-timeout 30 ecs update-service"_s));
    QCOMPARE(production.environment.value(u"PETFORCE_CLUSTER"_s), u"petforce-production"_s);
    QCOMPARE(production.displayText, u"aws --cli-read-timeout 30 "_s + restart.text.mid(4));

    // Names inside option values, paths and quoted or substituted words resolve as well.
    QCOMPARE(PreparedCommand::prepare(step(0, -1, 1), m_sandbox, {}).displayText,
        u"aws --endpoint-url http://127.0.0.1:5000 logs tail /ecs/petforce-sandbox --follow --filter-pattern \"ERROR\""_s);
    QVERIFY(PreparedCommand::prepare(step(1, -1, 3), m_sandbox, {})
                .script.contains(u"--dimensions Name=ServiceName,Value=\"${PETFORCE_TASK_FAMILY}\" \\\n"_s));
    const PreparedCommand memory = PreparedCommand::prepare(step(4, -1, 0), m_sandbox, {});
    QCOMPARE(memory.script.count(u"\"${PETFORCE_CLUSTER}\""_s), 2);
    QVERIFY(memory.script.contains(
        u"$(aws --endpoint-url \"${AWS_ENDPOINT_URL}\" ecs list-tasks --cluster \"${PETFORCE_CLUSTER}\""_s));
    QVERIFY(PreparedCommand::prepare(step(0, 0, 1), m_sandbox, { { u"version"_s, u"v1.0.9"_s } })
                .script.contains(u"--field environment=\"${PETFORCE_DEPLOY_ENVIRONMENT}\""_s));

    // A profile without the name the step needs cannot run it.
    EnvironmentProfile bare(u"bare"_s);
    const PreparedCommand missing = PreparedCommand::prepare(restart, bare, {});
    QVERIFY(!missing.isReady());
    QVERIFY(missing.errors.join(u'\n').contains(u"has no cluster"_s));
    QVERIFY(missing.displayText.contains(u"--cluster <cluster>"_s));
}

void TestEnvironment::prepareValues()
{
    const RunbookStep& scale = step(1, 1, 0); // --desired-count 6
    const PreparedCommand ok = PreparedCommand::prepare(scale, m_sandbox, { { u"desired_count"_s, u"3"_s } });
    QVERIFY(ok.isReady());
    QVERIFY(ok.script.endsWith(u"--desired-count \"${PF_DESIRED_COUNT}\""_s));
    QVERIFY(ok.displayText.endsWith(u"--desired-count 3"_s));
    QCOMPARE(ok.environment.value(u"PF_DESIRED_COUNT"_s), u"3"_s);
    QCOMPARE(ok.values.value(u"desired_count"_s), u"3"_s);

    for (const QString& hostile : { u"3; reboot"_s, u"$(reboot)"_s, u"\u0663"_s, u"-1"_s }) {
        const PreparedCommand bad = PreparedCommand::prepare(scale, m_sandbox, { { u"desired_count"_s, hostile } });
        QVERIFY(!bad.isReady());
        QVERIFY(bad.errors.constFirst().startsWith(u"desired_count: "_s));
        QVERIFY(!bad.script.contains(hostile));
        QVERIFY(!bad.environment.contains(u"PF_DESIRED_COUNT"_s));
    }
    const PreparedCommand none = PreparedCommand::prepare(scale, m_sandbox, {});
    QVERIFY(!none.isReady());
    QCOMPARE(none.errors, QStringList { u"desired_count: no value given."_s });

    // A value already inside quotes is referenced inside them.
    const PreparedCommand ssm = PreparedCommand::prepare(step(3, 0, 0), m_sandbox, { { u"value"_s, u"400"_s } });
    QVERIFY(ssm.isReady());
    QVERIFY(ssm.script.contains(u"--name \"${PETFORCE_SSM_PREFIX}\"/RATE_LIMIT_MAX_REQUESTS \\\n"_s));
    QVERIFY(ssm.script.contains(u"--value \"${PF_VALUE}\" \\\n"_s));
    QVERIFY(ssm.displayText.contains(u"--name /petforce/sandbox/RATE_LIMIT_MAX_REQUESTS"_s));
    const PreparedCommand pg
        = PreparedCommand::prepare(step(2, 1, 0), m_sandbox, { { u"max_connections"_s, u"300"_s } });
    QVERIFY(pg.script.contains(
        u"\"ParameterName=max_connections,ParameterValue=${PF_MAX_CONNECTIONS},ApplyMethod=pending-reboot\""_s));

    // 0.0.0.0/0 is refused outright (issue 15, finding 8): no checkbox lets it through.
    const RunbookStep& waf = step(3, 1, 0);
    const QMap<QString, QString> wafValues { { u"ip_set_id"_s, u"a1b2c3"_s }, { u"lock_token"_s, u"0f1e2d"_s },
        { u"addresses"_s, u"0.0.0.0/0"_s } };
    const PreparedCommand wide = PreparedCommand::prepare(waf, m_sandbox, wafValues);
    QVERIFY(!wide.isReady());
    QVERIFY(wide.confirmations.isEmpty());
    QVERIFY2(wide.errors.join(u' ').contains(u"every address on the internet"_s), qPrintable(wide.errors.join(u' ')));
    // Placeholders have no default: the wizard must ask.
    QCOMPARE(PreparedCommand::prepare(waf, m_sandbox, {}).errors.size(), 3);

    // $DATABASE_URL comes from the profile unless the operator gives one.
    const PreparedCommand psql = PreparedCommand::prepare(step(0, -1, 3), m_sandbox, {});
    QVERIFY(psql.isReady());
    QVERIFY(psql.script.startsWith(u"psql \"${DATABASE_URL}\" -c \"SELECT count(*)"_s));
    QCOMPARE(psql.environment.value(u"DATABASE_URL"_s), u"postgresql://petforce@127.0.0.1:5432/petforce"_s);
}

void TestEnvironment::prepareSql()
{
    const RunbookStep& kill = step(2, 0, 0); // SELECT pg_terminate_backend(12345);
    const PreparedCommand ok = PreparedCommand::prepare(kill, m_sandbox, { { u"pid"_s, u"4242"_s } });
    QVERIFY(ok.isReady());
    QCOMPARE(ok.script, u"SELECT pg_terminate_backend($1);"_s);
    QCOMPARE(ok.sqlParameters, QStringList { u"4242"_s });
    QCOMPARE(ok.displayText, u"SELECT pg_terminate_backend(4242);"_s);
    const PreparedCommand bad
        = PreparedCommand::prepare(kill, m_sandbox, { { u"pid"_s, u"12345; DROP TABLE households"_s } });
    QVERIFY(!bad.isReady());
    QVERIFY(bad.sqlParameters.constFirst().isEmpty());
    QVERIFY(!bad.script.contains(u"DROP"_s));
    // A step without parameters runs as written.
    QCOMPARE(PreparedCommand::prepare(step(1, 0, 1), m_sandbox, {}).script, u"ANALYZE household_members;"_s);
}

void TestEnvironment::prepareRedis()
{
    const RunbookStep& ping = step(0, 2, 0); // redis-cli -h redis.xxxxx.cache.amazonaws.com ping
    QCOMPARE(PreparedCommand::prepare(ping, m_production, {}).script,
        u"redis-cli -h \"${PETFORCE_REDIS_HOST}\" -p \"${PETFORCE_REDIS_PORT}\" --tls ping"_s);
    QCOMPARE(PreparedCommand::prepare(ping, m_sandbox, {}).displayText, u"redis-cli -h 127.0.0.1 -p 6379 ping"_s);
    const RunbookStep& connect = m_seed.catalogue.at(2).steps.at(0); // redis-cli -h ... --tls
    QCOMPARE(PreparedCommand::prepare(connect, m_sandbox, {}).displayText, u"redis-cli -h 127.0.0.1 -p 6379"_s);
    QCOMPARE(PreparedCommand::prepare(connect, m_production, {}).displayText,
        u"redis-cli -h redis.xxxxx.cache.amazonaws.com -p 6379 --tls"_s);
    // Every redis-cli of a pipeline talks to the profile's Redis.
    const PreparedCommand scan = PreparedCommand::prepare(step(3, -1, 1), m_sandbox, {});
    QCOMPARE(scan.script.count(u"redis-cli -h \"${PETFORCE_REDIS_HOST}\" -p \"${PETFORCE_REDIS_PORT}\""_s), 2);
    const PreparedCommand set
        = PreparedCommand::prepare(step(3, 1, 1), m_sandbox, { { u"ip"_s, u"10.1.2.3"_s }, { u"value"_s, u"20"_s } });
    QVERIFY(set.isReady());
    QVERIFY(set.script.endsWith(u"SET \"rate_limit_override:${PF_IP}\" \"${PF_VALUE}\""_s));
    QVERIFY(set.displayText.endsWith(u"SET \"rate_limit_override:10.1.2.3\" 20"_s));
}

void TestEnvironment::runsWithValuesAsData()
{
    // The prepared script run as the runner will (bash -c, the values in the environment), with stand-ins for aws
    // and gh that print their arguments one per line: each value arrives as exactly one argument, as typed.
    QTemporaryDir bin;
    QVERIFY(bin.isValid());
    for (const QString& name : { u"aws"_s, u"gh"_s }) {
        QFile f(bin.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        f.close();
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }
    const auto run = [&bin](const PreparedCommand& prepared) {
        QProcess bash;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (auto it = prepared.environment.cbegin(); it != prepared.environment.cend(); ++it)
            env.insert(it.key(), it.value());
        env.insert(u"PATH"_s, bin.path() + u':' + env.value(u"PATH"_s));
        bash.setProcessEnvironment(env);
        bash.start(u"bash"_s, { u"--noprofile"_s, u"--norc"_s, u"-o"_s, u"pipefail"_s, u"-c"_s, prepared.script });
        if (!bash.waitForFinished(20000))
            return QStringList { u"timeout"_s };
        return QString::fromUtf8(bash.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    };

    const PreparedCommand scale
        = PreparedCommand::prepare(step(1, 1, 0), m_sandbox, { { u"desired_count"_s, u"3"_s } });
    QCOMPARE(run(scale),
        QStringList({ u"--endpoint-url"_s, u"http://127.0.0.1:5000"_s, u"ecs"_s, u"update-service"_s, u"--cluster"_s,
            u"petforce-sandbox"_s, u"--service"_s, u"api"_s, u"--desired-count"_s, u"3"_s }));

    // A declared free-text value with spaces, '=', ',' and '%' stays one argument.
    const RunbookDocument doc = RunbookParser::parse(
        "## Useful Commands\n\n### Deploy\n\n<!-- petforce: param=note:text@hello -->\n```bash\n"
        "# Annotate\ngh workflow run note.yml --field note=hello --field environment=production\n```\n",
        u"note.md"_s);
    QVERIFY(!doc.hasErrors());
    const RunbookStep& note = doc.catalogue.constFirst().steps.constFirst();
    const QString text = u"two words, 42% = fine"_s;
    const PreparedCommand annotated = PreparedCommand::prepare(note, m_sandbox, { { u"note"_s, text } });
    QVERIFY2(annotated.isReady(), qPrintable(annotated.errors.join(u'\n')));
    QVERIFY(!annotated.script.contains(text));
    QCOMPARE(run(annotated),
        QStringList({ u"workflow"_s, u"run"_s, u"note.yml"_s, u"--field"_s, u"note="_s + text, u"--field"_s,
            u"environment=sandbox"_s }));
}

void TestEnvironment::listModel()
{
    EnvironmentListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy active(&model, &EnvironmentListModel::activeChanged);
    model.setProfiles({ m_production, m_sandbox });
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0).data().toString(), u"Production \u2014 PRODUCTION"_s);
    QCOMPARE(model.index(1).data().toString(), u"Sandbox (local)"_s);
    QVERIFY(model.index(0).data(EnvironmentListModel::IsProductionRole).toBool());
    QVERIFY(model.index(0).data(Qt::ForegroundRole).isValid());
    QVERIFY(!model.index(1).data(Qt::ForegroundRole).isValid());
    QCOMPARE(model.index(1).data(EnvironmentListModel::EndpointRole).toString(), u"http://127.0.0.1:5000"_s);
    QCOMPARE(model.index(1).data(EnvironmentListModel::ProfileRole).value<EnvironmentProfile>(), m_sandbox);

    QVERIFY(model.setActive(u"sandbox"_s));
    QCOMPARE(active.count(), 1);
    QCOMPARE(changed.count(), 1);
    QVERIFY(model.index(1).data(EnvironmentListModel::IsActiveRole).toBool());
    QVERIFY(model.setActive(u"production"_s));
    QCOMPARE(changed.count(), 3); // the old row and the new one
    QCOMPARE(model.activeRow(), 0);
    QVERIFY(!model.setActive(u"nope"_s));
    QCOMPARE(model.activeName(), u"production"_s);
    model.setProfiles({ m_sandbox });
    QVERIFY(model.activeName().isEmpty()); // production went away
    QCOMPARE(model.roleNames().value(EnvironmentListModel::IsProductionRole), QByteArray("isProduction"));
}

QTEST_MAIN(TestEnvironment) // QGuiApplication: the list model answers Qt::FontRole
#include "tst_environment.moc"
