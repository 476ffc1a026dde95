// SPDX-License-Identifier: MIT
#include "models/textrepair.h"
#include "services/runbookparser.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const QString seedPath = u":/runbooks/petforce-operational-runbook.md"_s;

QString dataFile(const QString& name) { return qEnvironmentVariable("RUNBOOK_TEST_DATA") + u'/' + name; }

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

// "kind/risk/title" for comparing a list of steps at a glance.
QStringList summary(const QList<RunbookStep>& steps)
{
    QStringList out;
    for (const RunbookStep& s : steps)
        out.append(RunbookStep::kindName(s.kind) + u'/' + RunbookStep::riskName(s.risk) + u'/' + s.title);
    return out;
}

// "name:type=value<from" for each parameter.
QStringList parameters(const RunbookStep& step)
{
    QStringList out;
    for (const RunbookParameter& p : step.parameters) {
        QString s = p.name + u':' + ParameterType::name(p.type);
        if (!p.defaultValue().isEmpty())
            s += u'=' + p.defaultValue();
        if (p.prefill.isSet())
            s += u'<' + p.prefill.toString();
        out.append(s);
    }
    return out;
}

QString diagnosticsText(const RunbookDocument& doc)
{
    QStringList lines;
    for (const RunbookDiagnostic& d : doc.diagnostics)
        lines.append(d.toString());
    return lines.join(u'\n');
}

} // namespace

class TestRunbookParser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void seedIncidents();
    void seedDiagnosis_data();
    void seedDiagnosis();
    void seedResolution_data();
    void seedResolution();
    void seedStepTexts();
    void seedParameters();
    void seedCatalogue();
    void seedCatalogueSearch();
    void seedSeverityTableAndFlow();
    void seedKeptSections();
    void stepLinesPointAtTheSource();
    void crlfLineEndings();
    void secondRunbook();
    void annotations();
    void malformed_data();
    void malformed();
    void invalidUtf8();
    void fuzz();

private:
    RunbookDocument m_seed;
};

void TestRunbookParser::initTestCase()
{
    m_seed = RunbookParser::parseFile(seedPath);
    QVERIFY2(m_seed.diagnostics.isEmpty(), qPrintable(diagnosticsText(m_seed)));
    QCOMPARE(m_seed.sourceFile, seedPath);
    QCOMPARE(m_seed.title, u"Household Management System - Operational Runbook"_s);
}

void TestRunbookParser::seedIncidents()
{
    QCOMPARE(m_seed.runbooks.size(), 5);
    struct Expected {
        int number;
        const char16_t* title;
        Severity severity;
        const char16_t* metric;
        const char16_t* op;
        double threshold;
        const char16_t* unit;
        int line;
        int symptoms;
        int postIncident;
    };
    const Expected expected[] = {
        { 1, u"High Error Rate (500s)", Severity::P0, u"error_rate", u">", 5, u"%", 85, 3, 3 },
        { 2, u"High Latency (P99 > 1s)", Severity::P1, u"p99_latency", u">", 1000, u"ms", 161, 3, 0 },
        { 3, u"Database Connection Pool Exhausted", Severity::P0, u"db_pool_available", u"<", 2, u"", 234, 3, 0 },
        { 4, u"Rate Limit Violations", Severity::P2, u"rate_limit_violations", u">", 100, u"/hour", 317, 2, 0 },
        { 5, u"Memory Leak", Severity::P1, u"memory_usage", u">", 90, u"%", 373, 3, 0 },
    };
    for (int i = 0; i < 5; ++i) {
        const Runbook& r = m_seed.runbooks.at(i);
        const Expected& e = expected[i];
        QCOMPARE(r.number, e.number);
        QCOMPARE(r.title, QString::fromUtf16(e.title));
        QCOMPARE(r.severity, std::optional<Severity>(e.severity));
        QVERIFY(r.alert);
        QCOMPARE(r.alert->metric, QString::fromUtf16(e.metric));
        QCOMPARE(r.alert->op, QString::fromUtf16(e.op));
        QCOMPARE(r.alert->threshold, e.threshold);
        QCOMPARE(r.alert->unit, QString::fromUtf16(e.unit));
        QCOMPARE(r.line, e.line);
        QCOMPARE(r.symptoms.size(), e.symptoms);
        QCOMPARE(r.postIncident.size(), e.postIncident);
        QCOMPARE(r.sourceFile, seedPath);
    }
    QCOMPARE(m_seed.runbooks.at(0).alert->raw, u"error_rate > 5%"_s);
    QVERIFY(m_seed.runbooks.at(0).alert->fires(5.1));
    QVERIFY(!m_seed.runbooks.at(0).alert->fires(5));
    QVERIFY(m_seed.runbooks.at(2).alert->fires(1));
    QCOMPARE(m_seed.runbooks.at(0).symptoms,
        QStringList({ u"API returning 500 errors"_s, u"Users unable to create/join households"_s,
            u"Dashboard errors in Sentry"_s }));
    QCOMPARE(m_seed.runbooks.at(2).symptoms.constFirst(), u"\"too many connections\" errors"_s);
    QCOMPARE(m_seed.runbooks.at(3).symptoms,
        QStringList({ u"Many 429 (Too Many Requests) errors"_s, u"Users reporting \"too many requests\""_s }));
    QCOMPARE(m_seed.runbooks.at(0).postIncident,
        QStringList(
            { u"Document root cause"_s, u"Add monitoring to prevent recurrence"_s, u"Update runbook if needed"_s }));
    QCOMPARE(m_seed.runbookForMetric(u"memory_usage")->title, u"Memory Leak"_s);
    QVERIFY(!m_seed.runbookForMetric(u"disk_usage"));
}

void TestRunbookParser::seedDiagnosis_data()
{
    QTest::addColumn<int>("runbook");
    QTest::addColumn<QStringList>("steps");
    QTest::newRow("1 high error rate") << 0
                                       << QStringList { u"aws/read/Check recent deployments"_s,
                                              u"aws/read/Check CloudWatch Logs"_s, u"link/read/Check Datadog APM"_s,
                                              u"psql/read/Check database"_s };
    QTest::newRow("2 high latency") << 1
                                    << QStringList { u"psql/read/Check slow queries"_s,
                                           u"manual/read/Check Datadog APM traces"_s,
                                           u"redis/read/Check Redis latency"_s, u"aws/read/Check ECS metrics"_s };
    QTest::newRow("3 pool exhausted") << 2
                                      << QStringList { u"sql/read/Check current connections"_s,
                                             u"sql/read/Check connections by application"_s,
                                             u"sql/read/Check long-running queries"_s };
    QTest::newRow("4 rate limits") << 3
                                   << QStringList { u"aws/read/Check rate limiter logs"_s,
                                          u"redis/read/Check top offending IPs"_s };
    QTest::newRow("5 memory leak") << 4
                                   << QStringList { u"aws/read/Check ECS task memory"_s,
                                          u"aws/read/Check CloudWatch metrics"_s };
}

void TestRunbookParser::seedDiagnosis()
{
    QFETCH(int, runbook);
    QFETCH(QStringList, steps);
    QCOMPARE(summary(m_seed.runbooks.at(runbook).diagnosis), steps);
}

void TestRunbookParser::seedResolution_data()
{
    QTest::addColumn<int>("runbook");
    QTest::addColumn<int>("option");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("title");
    QTest::addColumn<QStringList>("steps");
    QTest::newRow("1A") << 0 << 0 << u"Option A"_s << u"Rollback Recent Deployment"_s
                        << QStringList { u"aws/read/Find previous healthy version"_s, u"gh/write/Rollback"_s };
    QTest::newRow("1B") << 0 << 1 << u"Option B"_s << u"Database Connection Issue"_s
                        << QStringList { u"psql/read/Check connection pool"_s,
                               u"aws/destructive/Restart ECS tasks (will clear connection pools)"_s,
                               u"aws/destructive/Scale up RDS (if needed)"_s };
    QTest::newRow("1C") << 0 << 2 << u"Option C"_s << u"Redis Connection Issue"_s
                        << QStringList { u"redis/read/Check Redis"_s, u"aws/destructive/Restart Redis (if needed)"_s };
    QTest::newRow("2A") << 1 << 0 << u"Option A"_s << u"Slow Database Query"_s
                        << QStringList { u"sql/write/Add missing index"_s, u"sql/write/Analyze table"_s };
    QTest::newRow("2B") << 1 << 1 << u"Option B"_s << u"Scale Horizontally"_s
                        << QStringList { u"aws/write/Increase ECS task count"_s };
    QTest::newRow("2C") << 1 << 2 << u"Option C"_s << u"Increase Cache Hit Rate"_s
                        << QStringList { u"snippet/read/Add caching to frequently accessed data"_s };
    QTest::newRow("3 immediate") << 2 << 0 << u"Immediate Fix"_s << u"Kill long-running queries"_s
                                 << QStringList { u"sql/destructive/Kill specific query"_s,
                                        u"sql/destructive/Kill all idle connections > 10 minutes"_s };
    QTest::newRow("3 short-term") << 2 << 1 << u"Short-term Fix"_s << u"Increase max_connections"_s
                                  << QStringList { u"aws/write/Increase max_connections (requires restart)"_s,
                                         u"aws/destructive/Reboot (during maintenance window)"_s };
    QTest::newRow("3 long-term") << 2 << 2 << u"Long-term Fix"_s << u"Connection Pooling"_s
                                 << QStringList { u"snippet/read/Reduce per-instance pool size"_s };
    QTest::newRow("4A") << 3 << 0 << u"Option A"_s << u"Legitimate Traffic Spike"_s
                        << QStringList { u"aws/write/Temporarily increase rate limits"_s,
                               u"aws/destructive/Restart services to pick up new config"_s };
    QTest::newRow("4B") << 3 << 1 << u"Option B"_s << u"Attack/Abuse"_s
                        << QStringList { u"aws/destructive/Block offending IPs at WAF level"_s,
                               u"redis/write/Or update rate limit per IP"_s };
    QTest::newRow("5 immediate") << 4 << 0 << u"Immediate"_s << u"Restart tasks"_s
                                 << QStringList { u"aws/destructive/Restart tasks"_s };
    QTest::newRow("5 investigation") << 4 << 1 << u"Investigation"_s << u"Take heap dump"_s
                                     << QStringList { u"aws/write/SSH into ECS task (via SSM)"_s,
                                            u"manual/read/Inside container"_s,
                                            u"manual/read/Trigger heap dump via Chrome DevTools"_s };
    QTest::newRow("5 fix") << 4 << 2 << u"Fix"_s << u"Patch memory leak"_s
                           << QStringList { u"snippet/read/Common causes:"_s };
}

void TestRunbookParser::seedResolution()
{
    QFETCH(int, runbook);
    QFETCH(int, option);
    QFETCH(QString, label);
    QFETCH(QString, title);
    QFETCH(QStringList, steps);
    const QList<ResolutionOption>& options = m_seed.runbooks.at(runbook).resolution;
    QCOMPARE(options.size(), runbook == 3 ? 2 : 3);
    QCOMPARE(options.at(option).label, label);
    QCOMPARE(options.at(option).title, title);
    QCOMPARE(summary(options.at(option).steps), steps);
}

void TestRunbookParser::seedStepTexts()
{
    const Runbook& latency = m_seed.runbooks.at(1);
    // A heredoc stays in its step, delimiter included.
    QCOMPARE(latency.diagnosis.at(0).text,
        u"psql $DATABASE_URL << 'EOF'\nSELECT query, mean_exec_time, calls\nFROM pg_stat_statements\n"
        "WHERE mean_exec_time > 100\nORDER BY mean_exec_time DESC\nLIMIT 10;\nEOF"_s);
    // Continuations stay in their step.
    QCOMPARE(latency.resolution.at(1).steps.at(0).text,
        u"aws ecs update-service \\\n  --cluster petforce-production \\\n  --service api \\\n  --desired-count 6"_s);
    // So does a pipeline continued over lines.
    QCOMPARE(m_seed.runbooks.at(3).diagnosis.at(1).text,
        u"redis-cli --scan --pattern \"rate_limit:*\" | \\\n  xargs -I {} redis-cli GET {} | \\\n"
        "  sort | uniq -c | sort -nr | head -20"_s);
    // A link step keeps its comment lines and its URL.
    const RunbookStep& apm = m_seed.runbooks.at(0).diagnosis.at(2);
    QCOMPARE(apm.url, u"https://app.datadoghq.com/apm/services/petforce-api"_s);
    QCOMPARE(apm.text,
        u"# 3. Check Datadog APM\n# Navigate to: https://app.datadoghq.com/apm/services/petforce-api\n"
        "# Filter by: Status Code = 500"_s);
    // Earlier comment lines of a group become notes.
    QCOMPARE(m_seed.runbooks.at(0).resolution.at(1).steps.at(1).notes, QStringList { u"If near max_connections:"_s });
    // SQL: one statement a step, with its comment as the title.
    QCOMPARE(m_seed.runbooks.at(2).resolution.at(0).steps.at(0).text, u"SELECT pg_terminate_backend(12345);"_s);
    QCOMPARE(m_seed.runbooks.at(1).resolution.at(0).steps.at(1).text, u"ANALYZE household_members;"_s);
    // Interactive and endless commands are marked for the runner.
    QVERIFY(m_seed.runbooks.at(4).resolution.at(1).steps.at(0).interactive);
    QVERIFY(m_seed.runbooks.at(0).diagnosis.at(1).untilStopped); // logs tail --follow
    QVERIFY(m_seed.runbooks.at(1).diagnosis.at(2).untilStopped); // redis-cli --latency-history
    QVERIFY(!m_seed.runbooks.at(0).diagnosis.at(0).untilStopped);
    // Languages are kept.
    QCOMPARE(m_seed.runbooks.at(1).resolution.at(2).steps.at(0).language, u"typescript"_s);
    QCOMPARE(m_seed.runbooks.at(2).diagnosis.at(0).language, u"sql"_s);
}

void TestRunbookParser::seedParameters()
{
    const auto& r = m_seed.runbooks;
    QCOMPARE(
        parameters(r.at(0).diagnosis.at(3)), QStringList { u"DATABASE_URL:database-url<environment#database_url"_s });
    QCOMPARE(parameters(r.at(0).resolution.at(0).steps.at(0)),
        QStringList { u"task_definition:identifier=petforce-api:42<diagnosis/0#taskDefinitionArns"_s });
    QCOMPARE(parameters(r.at(0).resolution.at(0).steps.at(1)), QStringList { u"version:version=v1.1.0"_s });
    QCOMPARE(parameters(r.at(0).resolution.at(1).steps.at(2)),
        QStringList { u"db_instance_class:instance-class=db.t3.large"_s });
    QCOMPARE(parameters(r.at(1).resolution.at(1).steps.at(0)), QStringList { u"desired_count:integer=6"_s });
    QCOMPARE(parameters(r.at(2).resolution.at(0).steps.at(0)), QStringList { u"pid:pid=12345<diagnosis/2#pid"_s });
    QCOMPARE(parameters(r.at(2).resolution.at(0).steps.at(1)), QStringList {});
    QCOMPARE(parameters(r.at(2).resolution.at(1).steps.at(0)), QStringList { u"max_connections:integer=200"_s });
    QCOMPARE(parameters(r.at(3).resolution.at(0).steps.at(0)), QStringList { u"value:integer=200"_s });
    QCOMPARE(parameters(r.at(3).resolution.at(1).steps.at(0)),
        QStringList({ u"ip_set_id:identifier"_s, u"lock_token:identifier"_s, u"addresses:cidr=192.168.1.1/32"_s }));
    QCOMPARE(parameters(r.at(3).resolution.at(1).steps.at(1)),
        QStringList({ u"ip:ip=192.168.1.1"_s, u"value:integer=10"_s }));
    QCOMPARE(parameters(r.at(4).resolution.at(1).steps.at(0)),
        QStringList { u"task_id:identifier<catalogue/ECS/0#taskArns"_s });
    // Placeholders have no default; example literals do.
    const RunbookParameter* task = r.at(4).resolution.at(1).steps.at(0).parameter(u"task_id");
    QVERIFY(task->placeholder);
    QCOMPARE(task->example, u"<task-id>"_s);
    QCOMPARE(task->envVar, u"PF_TASK_ID"_s);
    const RunbookParameter* pid = r.at(2).resolution.at(0).steps.at(0).parameter(u"pid");
    QVERIFY(!pid->placeholder);
    QCOMPARE(pid->prefill.source, ParameterPrefill::Source::StepResult);
    QCOMPARE(pid->prefill.stepRef, u"diagnosis/2"_s);
    QCOMPARE(r.at(2).step(pid->prefill.stepRef)->title, u"Check long-running queries"_s);

    // The runbook's literal names are marked for the profile to replace.
    QCOMPARE(r.at(0).resolution.at(1).steps.at(1).profileFields(), QStringList({ u"cluster"_s, u"service"_s }));
    QCOMPARE(r.at(0).diagnosis.at(1).profileFields(), QStringList { u"log_group"_s });
    QCOMPARE(r.at(0).resolution.at(2).steps.at(0).profileFields(), QStringList { u"redis_host"_s });
    QCOMPARE(r.at(0).resolution.at(2).steps.at(1).profileFields(), QStringList { u"cache_cluster"_s });
    QCOMPARE(r.at(0).resolution.at(0).steps.at(1).profileFields(), QStringList { u"deploy_environment"_s });
    QCOMPARE(r.at(1).diagnosis.at(3).profileFields(), QStringList { u"task_family"_s });
    QCOMPARE(r.at(2).resolution.at(1).steps.at(0).profileFields(), QStringList { u"db_parameter_group"_s });
    QCOMPARE(r.at(3).resolution.at(0).steps.at(0).profileFields(), QStringList { u"ssm_prefix"_s });
    QCOMPARE(r.at(4).resolution.at(1).steps.at(0).profileFields(), QStringList({ u"cluster"_s, u"container"_s }));
    // The diagnosis of a memory leak reads the task list inside $(...): the names there resolve too.
    QCOMPARE(r.at(4).diagnosis.at(0).profileFields(), QStringList({ u"cluster"_s, u"service"_s }));
    int clusterSpans = 0;
    for (const StepSpan& s : r.at(4).diagnosis.at(0).spans)
        clusterSpans += s.kind == StepSpan::Kind::Profile && s.key == u"cluster";
    QCOMPARE(clusterSpans, 2);
}

void TestRunbookParser::seedCatalogue()
{
    QCOMPARE(m_seed.catalogue.size(), 4);
    QCOMPARE(m_seed.catalogueStepCount(), 22);
    QCOMPARE(m_seed.catalogue.at(0).name, u"ECS"_s);
    QCOMPARE(summary(m_seed.catalogue.at(0).steps),
        QStringList({ u"aws/read/List running tasks"_s, u"aws/read/Describe task"_s,
            u"aws/destructive/Force new deployment (restart all tasks)"_s, u"aws/write/Scale service"_s,
            u"aws/read/View logs"_s, u"aws/write/Execute command in container (requires ECS Exec enabled)"_s }));
    QCOMPARE(m_seed.catalogue.at(1).name, u"RDS"_s);
    QCOMPARE(summary(m_seed.catalogue.at(1).steps),
        QStringList(
            { u"aws/read/Describe database"_s, u"aws/write/Create snapshot"_s, u"aws/write/Restore from snapshot"_s,
                u"aws/destructive/Reboot"_s, u"aws/destructive/Modify instance class"_s }));
    QCOMPARE(m_seed.catalogue.at(2).name, u"Redis"_s);
    QCOMPARE(summary(m_seed.catalogue.at(2).steps),
        QStringList({ u"redis/write/Connect to Redis"_s, u"redis/read/Check latency"_s, u"redis/read/Get key"_s,
            u"redis/destructive/Clear cache (use with caution!)"_s, u"redis/read/Get cache size"_s }));
    QCOMPARE(m_seed.catalogue.at(3).name, u"Database Queries"_s);
    QCOMPARE(summary(m_seed.catalogue.at(3).steps),
        QStringList({ u"sql/read/Active connections"_s, u"sql/read/Long-running queries"_s,
            u"sql/destructive/Kill query"_s, u"sql/read/Slow queries (requires pg_stat_statements)"_s,
            u"sql/read/Table sizes"_s, u"sql/read/Index usage"_s }));

    const auto& ecs = m_seed.catalogue.at(0).steps;
    QCOMPARE(ecs.at(1).text, u"aws ecs describe-tasks --cluster petforce-production --tasks <task-id>"_s);
    QCOMPARE(parameters(ecs.at(1)), QStringList { u"task_id:identifier<catalogue/ECS/0#taskArns"_s });
    QCOMPARE(parameters(ecs.at(3)), QStringList { u"desired_count:integer=4"_s });
    QVERIFY(ecs.at(5).interactive);
    const auto& rds = m_seed.catalogue.at(1).steps;
    QCOMPARE(parameters(rds.at(2)),
        QStringList({ u"db_instance_identifier:identifier=petforce-restore"_s,
            u"snapshot_id:identifier<catalogue/RDS/1#DBSnapshot.DBSnapshotIdentifier"_s }));
    QCOMPARE(parameters(rds.at(1)), QStringList {}); // manual-$(date ...) is computed, not chosen
    const auto& redis = m_seed.catalogue.at(2).steps;
    QVERIFY(redis.at(0).interactive);
    QVERIFY(redis.at(1).untilStopped);
    QCOMPARE(parameters(redis.at(2)), QStringList { u"household_id:integer=12345"_s });
    const auto& sql = m_seed.catalogue.at(3).steps;
    QCOMPARE(parameters(sql.at(2)), QStringList { u"pid:pid=12345<catalogue/Database Queries/1#pid"_s });
    QCOMPARE(m_seed.catalogueStep(u"catalogue/Database Queries/1")->title, u"Long-running queries"_s);
}

void TestRunbookParser::seedCatalogueSearch()
{
    const auto titles = [this](QStringView query) {
        QStringList out;
        for (const CatalogueHit& h : m_seed.searchCatalogue(query))
            out.append(m_seed.catalogue.at(h.group).steps.at(h.step).title);
        return out;
    };
    QCOMPARE(titles(u"snapshot"), QStringList({ u"Create snapshot"_s, u"Restore from snapshot"_s }));
    QCOMPARE(titles(u"redis latency"), QStringList { u"Check latency"_s });
    QCOMPARE(titles(u"PG_TERMINATE_BACKEND"), QStringList { u"Kill query"_s });
    QCOMPARE(titles(u"ECS desired-count"), QStringList { u"Scale service"_s });
    QCOMPARE(m_seed.searchCatalogue(u"").size(), 22);
    QVERIFY(titles(u"kubectl").isEmpty());
}

void TestRunbookParser::seedSeverityTableAndFlow()
{
    QVERIFY(m_seed.severityTable);
    const QList<SeverityLevel>& parsed = m_seed.severityTable->levels();
    const QList<SeverityLevel>& expected = SeverityTable::defaults().levels();
    QCOMPARE(parsed.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(parsed.at(i).severity, expected.at(i).severity);
        QCOMPARE(parsed.at(i).name, expected.at(i).name);
        QCOMPARE(parsed.at(i).description, expected.at(i).description);
        QCOMPARE(parsed.at(i).responseTime, expected.at(i).responseTime);
        QCOMPARE(parsed.at(i).responseTimeText, expected.at(i).responseTimeText);
        QCOMPARE(parsed.at(i).examples, expected.at(i).examples);
    }
    // The flow comes out of the mis-encoded box diagram.
    QVERIFY(m_seed.flow);
    const ResponseFlow& defaults = ResponseFlow::defaults();
    QCOMPARE(m_seed.flow->stepCount(), 6);
    for (int i = 0; i < 6; ++i) {
        QCOMPARE(m_seed.flow->step(i).name, defaults.step(i).name);
        QCOMPARE(m_seed.flow->step(i).targetText, defaults.step(i).targetText);
        QCOMPARE(m_seed.flow->step(i).target, defaults.step(i).target);
        QCOMPARE(m_seed.flow->step(i).actions, defaults.step(i).actions);
    }
}

void TestRunbookParser::seedKeptSections()
{
    const auto matrix = m_seed.escalationMatrix();
    QVERIFY(matrix);
    QCOMPARE(
        matrix->header, QStringList({ u"Severity"_s, u"Initial Response"_s, u"Escalate After"_s, u"Escalate To"_s }));
    QCOMPARE(matrix->rows.size(), 4);
    QCOMPARE(matrix->rows.at(0),
        QStringList({ u"P0"_s, u"On-call engineer"_s, u"15 minutes"_s, u"Engineering lead + CTO"_s }));
    QCOMPARE(matrix->rows.at(3).at(2), u"N/A"_s);

    QVERIFY(m_seed.contactsYaml().startsWith(u"on_call_engineer:\n  primary: Check PagerDuty rotation\n"_s));
    QVERIFY(m_seed.contactsYaml().contains(u"  email: \"buck@petforce.app\"\n"_s));

    const QList<RunbookCodeBlock> templates = m_seed.communicationTemplates();
    QCOMPARE(templates.size(), 3);
    QCOMPARE(templates.at(0).caption, u"Incident Started"_s);
    QCOMPARE(templates.at(1).caption, u"Update"_s);
    QCOMPARE(templates.at(2).caption, u"Resolved"_s);
    // The emoji were mis-encoded in the file; shown repaired, kept raw.
    QVERIFY(templates.at(0).text.startsWith(u"\u00f0\u0178\u0161\u00a8 INCIDENT: [P0/P1/P2] [Title]"_s));
    QVERIFY(
        templates.at(0).displayText().startsWith(u"\U0001F6A8 INCIDENT: [P0/P1/P2] [Title]\nStatus: Investigating"_s));
    QVERIFY(templates.at(1).displayText().startsWith(u"\U0001F4CA UPDATE: [Title]"_s));
    QVERIFY(templates.at(2).displayText().startsWith(u"\u2705 RESOLVED: [Title]"_s));

    const QList<RunbookListItem> dashboards = m_seed.dashboards();
    QCOMPARE(dashboards.size(), 4);
    QCOMPARE(dashboards.at(0).link, u"https://console.aws.amazon.com/cloudwatch/dashboards/petforce-production"_s);
    QVERIFY(dashboards.at(0).text.startsWith(u"CloudWatch Dashboard: "_s));
    QCOMPARE(dashboards.at(3).link, u"https://petforce.pagerduty.com/incidents"_s);

    QVERIFY(m_seed.keyMetricsYaml().startsWith(u"application:\n  - request_rate: requests/second\n"_s));
    QVERIFY(m_seed.keyMetricsYaml().contains(u"  - active_users: count\n"_s));
    QVERIFY(m_seed.postMortemTemplate().startsWith(u"# Post-Mortem: [Incident Title]\n\n**Date**: [Date]\n"_s));
    QVERIFY(m_seed.postMortemTemplate().endsWith(u"- [What we learned]\n"_s));

    const RunbookSection* flow = m_seed.section(u"Incident Response/Incident Response Flow");
    QVERIFY(flow);
    QCOMPARE(flow->line, 30);
    QCOMPARE(flow->endLine, 79);
    QVERIFY(flow->markdown.contains(u"\u2502 1. Acknowledge (1 min)  \u2502"_s));
    QVERIFY(flow->codeBlocks.constFirst().displayText().startsWith(u"\u250C\u2500\u2500"_s));
    QCOMPARE(flow->codeBlocks.constFirst().line, 32);
    const RunbookSection* escalation = m_seed.section(u"escalation procedures");
    QVERIFY(escalation);
    QCOMPARE(escalation->level, 2);
    QVERIFY(escalation->markdown.startsWith(u"## Escalation Procedures\n\n### Escalation Matrix\n"_s));
    QVERIFY(!m_seed.section(u"Nope"));
    QVERIFY(m_seed.codeBlockText(u"Nope").isEmpty());
}

void TestRunbookParser::stepLinesPointAtTheSource()
{
    const QStringList lines = QString::fromUtf8(readAll(seedPath)).split(u'\n');
    QList<RunbookStep> all;
    for (const Runbook& r : m_seed.runbooks) {
        for (const RunbookStep* s : r.allSteps())
            all.append(*s);
    }
    for (const CatalogueGroup& g : m_seed.catalogue)
        all += g.steps;
    QCOMPARE(all.size(), 15 + 25 + 22);
    for (const RunbookStep& s : all) {
        QVERIFY(s.line > 0 && s.line <= lines.size());
        QCOMPARE(lines.at(s.line - 1), s.text.section(u'\n', 0, 0));
    }
}

void TestRunbookParser::crlfLineEndings()
{
    QByteArray data = readAll(seedPath);
    data.replace("\n", "\r\n");
    const RunbookDocument doc = RunbookParser::parse(data, u"crlf.md"_s);
    QVERIFY2(doc.diagnostics.isEmpty(), qPrintable(diagnosticsText(doc)));
    QCOMPARE(doc.runbooks.size(), 5);
    QCOMPARE(doc.catalogueStepCount(), 22);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(summary(doc.runbooks.at(i).diagnosis), summary(m_seed.runbooks.at(i).diagnosis));
        QCOMPARE(doc.runbooks.at(i).line, m_seed.runbooks.at(i).line);
    }
    QCOMPARE(doc.runbooks.at(1).diagnosis.at(0).text, m_seed.runbooks.at(1).diagnosis.at(0).text);
    QCOMPARE(doc.catalogue.at(3).steps.at(5).line, 659);
}

void TestRunbookParser::secondRunbook()
{
    const RunbookDocument doc = RunbookParser::parseFile(dataFile(u"notifications-runbook.md"_s));
    QVERIFY2(!doc.hasErrors(), qPrintable(diagnosticsText(doc)));
    QCOMPARE(doc.title, u"Notifications Service - Operational Runbook"_s);
    QCOMPARE(doc.runbooks.size(), 3);

    const Runbook& backlog = doc.runbooks.at(0);
    QCOMPARE(backlog.title, u"Notification Queue Backlog"_s);
    QCOMPARE(backlog.severity, std::optional<Severity>(Severity::P1));
    QCOMPARE(backlog.alert->metric, u"queue_depth"_s);
    QCOMPARE(backlog.alert->op, u">="_s);
    QCOMPARE(backlog.alert->threshold, 5000.0);
    QCOMPARE(backlog.symptoms.size(), 2);
    QCOMPARE(summary(backlog.diagnosis),
        QStringList({ u"manual/read/Start with the queue itself."_s, u"aws/read/Check queue depth"_s,
            u"aws/read/Check worker tasks"_s, u"sql/read/Oldest pending notifications"_s }));
    QCOMPARE(backlog.resolution.size(), 2);
    QCOMPARE(backlog.resolution.at(0).label, u"Option 1"_s);
    QCOMPARE(summary(backlog.resolution.at(0).steps), QStringList { u"aws/write/Scale the workers"_s });
    QCOMPARE(parameters(backlog.resolution.at(0).steps.at(0)), QStringList { u"desired_count:integer=8"_s });
    // The file declares its own literal names: they resolve through the profile like the seed's.
    QCOMPARE(backlog.resolution.at(0).steps.at(0).profileFields(), QStringList({ u"cluster"_s, u"service"_s }));
    QCOMPARE(backlog.diagnosis.at(2).profileFields(), QStringList({ u"cluster"_s, u"service"_s }));
    QCOMPARE(summary(backlog.resolution.at(1).steps),
        QStringList { u"aws/destructive/Purge the queue (messages are lost)"_s });
    QCOMPARE(backlog.postIncident.size(), 2);

    const Runbook& email = doc.runbooks.at(1);
    QCOMPARE(email.number, 2);
    QCOMPARE(email.severity, std::optional<Severity>(Severity::P2)); // Severity before Alert is fine
    QCOMPARE(email.alert->threshold, 2.5);
    QCOMPARE(summary(email.diagnosis),
        QStringList({ u"manual/read/Open the SES reputation dashboard."_s,
            u"manual/read/Check the size of the suppression list."_s, u"aws/read/Suppressed addresses"_s }));
    QCOMPARE(email.resolution.at(0).label, u"Immediate Fix"_s);
    QCOMPARE(summary(email.resolution.at(0).steps), QStringList { u"shell/destructive/Pause marketing emails"_s });
    QVERIFY(email.resolution.at(0).steps.at(0).riskReason.contains(u"annotation"_s));
    QCOMPARE(email.resolution.at(1).label, u"Follow-up Fix"_s);
    QCOMPARE(parameters(email.resolution.at(1).steps.at(0)), QStringList { u"email:text=ops@example.com"_s });
    QVERIFY(email.resolution.at(1).steps.at(0).parameters.constFirst().declared);

    const Runbook& webhooks = doc.runbooks.at(2);
    QCOMPARE(webhooks.number, 0);
    QCOMPARE(webhooks.title, u"Webhook Retries Exhausted"_s);
    QCOMPARE(webhooks.alert->unit, u"/minute"_s);
    QCOMPARE(summary(webhooks.resolution.at(0).steps),
        QStringList { u"sql/write/Requeue the failed attempts of the last hour"_s });
    QCOMPARE(summary(webhooks.resolution.at(1).steps), QStringList { u"sql/write/Cancel the stuck job"_s });
    QCOMPARE(
        parameters(webhooks.resolution.at(1).steps.at(0)), QStringList { u"pid:pid=4242<catalogue/Database/0#pid"_s });

    QCOMPARE(doc.catalogue.size(), 2);
    QCOMPARE(summary(doc.catalogue.at(0).steps),
        QStringList({ u"aws/read/Queue attributes"_s, u"aws/read/Tail worker logs"_s }));
    QCOMPARE(doc.catalogue.at(0).steps.at(1).profileFields(), QStringList { u"log_group"_s });
    QCOMPARE(summary(doc.catalogue.at(1).steps), QStringList { u"sql/read/Sessions of the notify service"_s });
    QVERIFY(!doc.severityTable);
    QVERIFY(!doc.flow);
}

void TestRunbookParser::annotations()
{
    const QByteArray md = R"(# T

## Common Incidents

### 1. Annotated

**Alert**: `x > 1`
**Severity**: P3

#### Diagnosis

<!-- petforce: risk=write -->
```bash
# Both steps of this block are writes
aws ecs list-tasks --cluster petforce-production

# petforce: risk=destructive title="Really dangerous"
aws ecs describe-services --cluster petforce-production --services api
```

<!-- petforce: skip -->
```bash
this is example output, not a step
```

```bash
# Look at the dashboard
# petforce: kind=manual
open the dashboard and look at it

# petforce: param=retention:integer@30
aws logs put-retention-policy --log-group-name /ecs/petforce-production --retention-in-days 30
```
)";
    const RunbookDocument doc = RunbookParser::parse(md, u"a.md"_s);
    QVERIFY2(doc.diagnostics.isEmpty(), qPrintable(diagnosticsText(doc)));
    const QList<RunbookStep>& steps = doc.runbooks.constFirst().diagnosis;
    QCOMPARE(summary(steps),
        QStringList({ u"aws/write/Both steps of this block are writes"_s, u"aws/destructive/Really dangerous"_s,
            u"manual/read/Look at the dashboard"_s, u"aws/write/aws logs put-retention-policy"_s }));
    QCOMPARE(steps.at(0).riskReason, u"risk=write from the annotation at line 12"_s);
    QCOMPARE(parameters(steps.at(3)), QStringList { u"retention:integer=30"_s });
    QCOMPARE(steps.at(3).profileFields(), QStringList { u"log_group"_s });
}

void TestRunbookParser::malformed_data()
{
    QTest::addColumn<QString>("markdown");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");
    const QString head = u"# T\n\n## Common Incidents\n\n### 1. Broken\n\n**Alert**: `x > 1`\n**Severity**: P1\n\n"
                         "#### Diagnosis\n\n"_s; // 11 lines: the next line is 12
    QTest::newRow("unclosed fence") << head + u"```bash\naws ecs list-tasks\n"_s << 12 << u"never closed"_s;
    QTest::newRow("unclosed tilde fence") << head + u"~~~sql\nSELECT 1;\n```\n"_s << 12 << u"never closed"_s;
    QTest::newRow("no severity") << u"# T\n\n## Common Incidents\n\n### 1. Broken\n\n**Alert**: `x > 1`\n"_s << 5
                                 << u"has no severity"_s;
    QTest::newRow("bad severity") << u"# T\n\n## Common Incidents\n\n### Broken\n\n**Severity**: P7\n"_s << 7
                                  << u"unknown severity"_s;
    QTest::newRow("bad alert") << u"# T\n\n## Common Incidents\n\n### Broken\n\n**Severity**: P1\n**Alert**: `high`\n"_s
                               << 8 << u"cannot understand the alert"_s;
    QTest::newRow("unknown annotation") << head + u"<!-- petforce: colour=red -->\n```bash\nls\n```\n"_s << 12
                                        << u"unknown annotation"_s;
    QTest::newRow("unknown annotation in code")
        << head + u"```bash\n# petforce: frobnicate\nls\n```\n"_s << 13 << u"unknown annotation"_s;
    QTest::newRow("unknown risk") << head + u"<!-- petforce: risk=scary -->\n```bash\nls\n```\n"_s << 12
                                  << u"unknown risk"_s;
    QTest::newRow("unknown parameter type")
        << head + u"<!-- petforce: param=n:float@1 -->\n```bash\nls 1\n```\n"_s << 12 << u"unknown parameter type"_s;
    QTest::newRow("declared value missing")
        << head + u"<!-- petforce: param=n:integer@77 -->\n```bash\nls 1\n```\n"_s << 12 << u"no step"_s;
    QTest::newRow("annotation without colon")
        << head + u"<!-- petforce risk=read -->\n```bash\nls\n```\n"_s << 12 << u"petforce:"_s;
    QTest::newRow("unterminated quote") << head + u"```bash\necho \"hello\n```\n"_s << 13 << u"never ends"_s;
    QTest::newRow("heredoc never ends") << head + u"```bash\npsql << 'EOF'\nSELECT 1;\n```\n"_s << 13
                                        << u"here-document"_s;
    QTest::newRow("unterminated sql string") << head + u"```sql\nSELECT 'abc;\n```\n"_s << 13 << u"never closed"_s;
    QTest::newRow("nothing") << u"just text\n"_s << 0 << u"no incident runbooks"_s;
}

void TestRunbookParser::malformed()
{
    QFETCH(QString, markdown);
    QFETCH(int, line);
    QFETCH(QString, message);
    const RunbookDocument doc = RunbookParser::parse(markdown.toUtf8(), u"bad.md"_s);
    QVERIFY(doc.hasErrors());
    bool found = false;
    for (const RunbookDiagnostic& d : doc.diagnostics) {
        if (d.level == RunbookDiagnostic::Level::Error && d.line == line && d.message.contains(message))
            found = true;
    }
    QVERIFY2(found, qPrintable(diagnosticsText(doc)));
}

void TestRunbookParser::invalidUtf8()
{
    QByteArray data = readAll(seedPath);
    // Invalid sequences in a heading, a list, a command and a comment; a NUL byte; an overlong encoding.
    data.replace("### Escalation Matrix", "### Escalation \xff\xfe Matrix");
    data.replace("- Slow page loads", "- Slow \xc3 page loads");
    data.replace("aws ecs list-tasks --cluster petforce-production --service-name api",
        "aws ecs list-tasks --cluster petforce-production --service-name api \xed\xa0\x80");
    data.replace("# Check Redis\n", "# Check \xc0\xaf Redis\n");
    static const char withNul[] = "#### Symptoms\n- ECS\0 tasks restarting";
    data.replace("#### Symptoms\n- ECS tasks restarting", QByteArray(withNul, sizeof(withNul) - 1));
    const RunbookDocument doc = RunbookParser::parse(data, u"broken.md"_s);
    QVERIFY2(!doc.hasErrors(), qPrintable(diagnosticsText(doc)));
    QCOMPARE(doc.runbooks.size(), 5);
    QCOMPARE(doc.catalogueStepCount(), 22);
    QCOMPARE(doc.runbooks.at(1).symptoms.constFirst(), u"Slow \uFFFD page loads"_s);
    QVERIFY(doc.runbooks.at(4).symptoms.constFirst().contains(u"\uFFFD"_s));
    QVERIFY(doc.section(u"Escalation \uFFFD\uFFFD Matrix"));
    QVERIFY(doc.catalogue.at(0).steps.at(0).text.endsWith(u"\uFFFD"_s)
        || doc.catalogue.at(0).steps.at(0).text.contains(u"\uFFFD"_s));
    QCOMPARE(doc.runbooks.at(0).resolution.at(2).steps.at(0).line, 147);
}

void TestRunbookParser::fuzz()
{
    // Truncations, byte flips and spliced fragments of the seed never crash the parser, and every line number it
    // reports lies in the file.
    const QByteArray seed = readAll(seedPath);
    QRandomGenerator random(20260202);
    const QList<QByteArray> nasty { "```", "~~~", "<!-- petforce: ", "\\", "'", "\"", "<< EOF\n", "$(", "`",
        QByteArray(1, '\0'), "\xff", "\r", "-- ", "/*", "$$", "| ", "**Option", "### 9. ", "#### Diagnosis\n" };
    for (int round = 0; round < 400; ++round) {
        QByteArray data;
        switch (round % 4) {
        case 0:
            data = seed.left(random.bounded(int(seed.size())));
            break;
        case 1: {
            data = seed;
            for (int k = random.bounded(1, 40); k > 0; --k)
                data[random.bounded(int(data.size()))] = char(random.bounded(256));
            break;
        }
        case 2:
            for (int k = 0; k < 30; ++k) {
                const int from = random.bounded(int(seed.size()));
                data += seed.mid(from, random.bounded(1, 300));
                data += nasty.at(random.bounded(int(nasty.size())));
            }
            break;
        default:
            for (int k = random.bounded(1, 4000); k > 0; --k)
                data += char(random.bounded(256));
            break;
        }
        const RunbookDocument doc = RunbookParser::parse(data, u"fuzz.md"_s);
        // On failure, the input is left in the test's folder to reproduce it.
        const auto ok = [&data, round](bool condition) {
            if (!condition) {
                QFile f(u"fuzz-failure-%1.md"_s.arg(round));
                if (f.open(QIODevice::WriteOnly))
                    f.write(data);
                qWarning("round %d: input kept in fuzz-failure-%d.md", round, round);
            }
            return condition;
        };
        const int lines = int(data.count('\n') + data.count('\r')) + 1;
        for (const RunbookDiagnostic& d : doc.diagnostics)
            QVERIFY(ok(d.line >= 0 && d.line <= lines));
        for (const Runbook& r : doc.runbooks) {
            for (const RunbookStep* s : r.allSteps()) {
                QVERIFY(ok(s->line >= 0 && s->line <= lines));
                for (const StepSpan& span : s->spans)
                    QVERIFY(ok(span.start >= 0 && span.start + span.length <= s->text.size()));
            }
        }
    }
    // A file far too large is refused, not parsed.
    const RunbookDocument huge = RunbookParser::parse(QByteArray(RunbookParser::maxFileSize + 1, 'a'), u"huge.md"_s);
    QVERIFY(huge.hasErrors());
}

QTEST_GUILESS_MAIN(TestRunbookParser)
#include "tst_runbookparser.moc"
