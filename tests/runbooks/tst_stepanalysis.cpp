// SPDX-License-Identifier: MIT
#include "models/environmentprofile.h"
#include "services/codeblocksplitter.h"
#include "services/shelllexer.h"
#include "services/sqlscanner.h"
#include "services/stepanalyzer.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestStepAnalysis : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void riskRules_data();
    void riskRules();
    void splitting_data();
    void splitting();
    void sqlSplitting();
    void lexerQuoting();
    void lexerCompleteness_data();
    void lexerCompleteness();
    void outputColumns_data();
    void outputColumns();
};

void TestStepAnalysis::riskRules_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("risk");
    QTest::addColumn<bool>("interactive");
    QTest::addColumn<bool>("untilStopped");
    const auto row = [](const char* name, const char* lang, const QString& text, const char* kind, const char* risk,
                         bool interactive = false, bool untilStopped = false) {
        QTest::newRow(name) << QString::fromLatin1(lang) << text << QString::fromLatin1(kind)
                            << QString::fromLatin1(risk) << interactive << untilStopped;
    };
    // The examples.
    row("describe-*", "bash", u"aws ecs describe-services --cluster c --services s"_s, "aws", "read");
    row("list-*", "bash", u"aws ecs list-tasks --cluster c"_s, "aws", "read");
    row("get-*", "bash", u"aws ssm get-parameter --name /x"_s, "aws", "read");
    row("SELECT statistics", "sql", u"SELECT count(*) FROM pg_stat_activity;"_s, "sql", "read");
    row("PING", "bash", u"redis-cli -h h ping"_s, "redis", "read");
    row("INFO", "bash", u"redis-cli INFO memory"_s, "redis", "read");
    row("update-service", "bash", u"aws ecs update-service --cluster c --service s --desired-count 2"_s, "aws",
        "write");
    row("put-parameter", "bash", u"aws ssm put-parameter --name /x --value 1 --overwrite"_s, "aws", "write");
    row("modify-*", "bash", u"aws rds modify-db-parameter-group --db-parameter-group-name g"_s, "aws", "write");
    row("CREATE INDEX", "sql", u"CREATE INDEX CONCURRENTLY i ON t (c);"_s, "sql", "write");
    row("ANALYZE", "sql", u"ANALYZE household_members;"_s, "sql", "write");
    row("pg_terminate_backend", "sql", u"SELECT pg_terminate_backend(12345);"_s, "sql", "destructive");
    row("reboot-*", "bash", u"aws rds reboot-db-instance --db-instance-identifier x"_s, "aws", "destructive");
    row("FLUSHDB", "bash", u"redis-cli FLUSHDB"_s, "redis", "destructive");
    row("--force-new-deployment", "bash", u"aws ecs update-service --cluster c --service s --force-new-deployment"_s,
        "aws", "destructive");
    row("update-ip-set", "bash", u"aws wafv2 update-ip-set --scope REGIONAL --id i --lock-token t --addresses a"_s,
        "aws", "destructive");
    row("modify-db-instance --apply-immediately", "bash",
        u"aws rds modify-db-instance --db-instance-identifier x --db-instance-class db.t3.large --apply-immediately"_s,
        "aws", "destructive");
    // More of the table.
    row("modify-db-instance later", "bash",
        u"aws rds modify-db-instance --db-instance-identifier x --db-instance-class db.t3.large"_s, "aws", "write");
    row("global options first", "bash", u"aws --profile p --region eu-west-1 ecs describe-tasks --cluster c"_s, "aws",
        "read");
    row("unknown aws operation", "bash", u"aws ecs frobnicate-things"_s, "aws", "write");
    row("logs tail --follow", "bash", u"aws logs tail /ecs/x --follow"_s, "aws", "read", false, true);
    row("execute-command", "bash", u"aws ecs execute-command --cluster c --task t --command sh --interactive"_s, "aws",
        "write", true);
    row("s3 rm", "bash", u"aws s3 rm s3://bucket/key"_s, "aws", "destructive");
    row("redis interactive", "bash", u"redis-cli -h h --tls"_s, "redis", "write", true);
    row("redis latency", "bash", u"redis-cli --latency"_s, "redis", "read", false, true);
    row("redis SET", "bash", u"redis-cli SET k 1"_s, "redis", "write");
    row("redis DEL", "bash", u"redis-cli DEL k"_s, "redis", "destructive");
    row("redis CONFIG SET", "bash", u"redis-cli CONFIG SET maxmemory 1gb"_s, "redis", "write");
    row("DROP", "sql", u"DROP TABLE households;"_s, "sql", "destructive");
    row("DELETE", "sql", u"DELETE FROM t WHERE id = 1;"_s, "sql", "destructive");
    row("UPDATE without WHERE", "sql", u"UPDATE t SET a = 1;"_s, "sql", "destructive");
    row("UPDATE with WHERE", "sql", u"UPDATE t SET a = 1 WHERE id = 2;"_s, "sql", "write");
    row("EXPLAIN", "sql", u"EXPLAIN SELECT * FROM t;"_s, "sql", "read");
    row("EXPLAIN ANALYZE DELETE", "sql", u"EXPLAIN ANALYZE DELETE FROM t;"_s, "sql", "destructive");
    row("pg_cancel_backend", "sql", u"SELECT pg_cancel_backend(1);"_s, "sql", "write");
    row("CTE delete", "sql", u"WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x;"_s, "sql", "destructive");
    row("SELECT FOR UPDATE", "sql", u"SELECT * FROM t FOR UPDATE;"_s, "sql", "write");
    row("keyword in a string", "sql", u"SELECT 'DROP TABLE t' AS example;"_s, "sql", "read");
    row("psql -c DELETE", "bash", u"psql \"$DATABASE_URL\" -c \"DELETE FROM t\""_s, "psql", "destructive");
    row("psql interactive", "bash", u"psql $DATABASE_URL"_s, "psql", "write", true);
    row("psql heredoc", "bash", u"psql $DATABASE_URL <<EOF\nSELECT 1;\nEOF"_s, "psql", "read");
    row("sudo psql", "bash", u"sudo -u postgres psql -c 'DROP DATABASE x'"_s, "psql", "destructive");
    row("gh workflow run", "bash", u"gh workflow run rollback.yml --field version=v1.1.0"_s, "gh", "write");
    row("gh run list", "bash", u"gh run list --workflow rollback.yml"_s, "gh", "read");
    row("gh release delete", "bash", u"gh release delete v1.0.0"_s, "gh", "destructive");
    row("gh api GET", "bash", u"gh api repos/petforce/api/deployments"_s, "gh", "read");
    row("kubectl get", "bash", u"kubectl get pods -n api"_s, "shell", "read");
    row("rm", "bash", u"rm -rf /tmp/cache"_s, "shell", "destructive");
    row("curl GET", "bash", u"curl -s https://status.example/health"_s, "shell", "read");
    row("curl POST", "bash", u"curl -X POST https://hooks.example/x"_s, "shell", "write");
    row("unknown program", "bash", u"node app.js"_s, "shell", "write");
    row("tail -f", "bash", u"tail -f /var/log/syslog"_s, "shell", "read", false, true);
    // The riskiest command of a pipeline, a substitution or an xargs payload decides.
    row("xargs payload", "bash", u"aws ecs list-tasks --cluster c | xargs -n1 aws ecs stop-task --cluster c --task"_s,
        "aws", "destructive");
    row("substitution", "bash", u"echo $(redis-cli FLUSHALL)"_s, "shell", "destructive");
    row("read pipeline", "bash", u"aws ecs list-task-definitions --family f --sort DESC | head -n 5"_s, "aws", "read");
}

void TestStepAnalysis::riskRules()
{
    QFETCH(QString, language);
    QFETCH(QString, text);
    RunbookStep step;
    step.text = text;
    step.language = language;
    if (language == u"sql")
        StepAnalyzer::analyzeSql(step, EnvironmentProfile::runbookNames(), {});
    else
        StepAnalyzer::analyzeCommand(step, EnvironmentProfile::runbookNames(), {});
    QFETCH(QString, kind);
    QFETCH(QString, risk);
    QFETCH(bool, interactive);
    QFETCH(bool, untilStopped);
    QCOMPARE(RunbookStep::kindName(step.kind), kind);
    QVERIFY2(RunbookStep::riskName(step.risk) == risk, qPrintable(step.riskReason));
    QVERIFY(!step.riskReason.isEmpty());
    QCOMPARE(step.interactive, interactive);
    QCOMPARE(step.untilStopped, untilStopped);
}

void TestStepAnalysis::splitting_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("titles");
    QTest::addColumn<QStringList>("kinds");
    QTest::newRow("two commands, no comment") << u"date\nhostname\n"_s << QStringList({ u"date"_s, u"hostname"_s })
                                              << QStringList({ u"shell"_s, u"shell"_s });
    QTest::newRow("and-continuation") << u"# Both\ncd /tmp &&\n  ls\n"_s << QStringList { u"Both"_s }
                                      << QStringList { u"shell"_s };
    QTest::newRow("quoted newline") << u"# Multi-line string\necho \"one\ntwo\"\n# Next\ndate\n"_s
                                    << QStringList({ u"Multi-line string"_s, u"Next"_s })
                                    << QStringList({ u"shell"_s, u"shell"_s });
    QTest::newRow("substitution over lines")
        << u"# Nested\naws ecs describe-tasks --tasks $(\n  aws ecs list-tasks)\n"_s << QStringList { u"Nested"_s }
        << QStringList { u"aws"_s };
    QTest::newRow("tab heredoc") << u"# Tabs\ncat <<-END\n\tbody\n\tEND\n# After\ndate\n"_s
                                 << QStringList({ u"Tabs"_s, u"After"_s }) << QStringList({ u"shell"_s, u"shell"_s });
    QTest::newRow("comment-only groups") << u"# 1. First do this\n# carefully\n\n# 2. Then this\n"_s
                                         << QStringList({ u"First do this"_s, u"Then this"_s })
                                         << QStringList({ u"manual"_s, u"manual"_s });
    QTest::newRow("link then command") << u"# Dashboards\n# Navigate to: https://example.com/d\naws ecs list-tasks\n"_s
                                       << QStringList({ u"Dashboards"_s, u"aws ecs list-tasks"_s })
                                       << QStringList({ u"link"_s, u"aws"_s });
    QTest::newRow("hash inside word is not a comment")
        << u"# Count\necho a#b | wc -c\n"_s << QStringList { u"Count"_s } << QStringList { u"shell"_s };
}

void TestStepAnalysis::splitting()
{
    QFETCH(QString, text);
    QFETCH(QStringList, titles);
    QFETCH(QStringList, kinds);
    CodeBlockSplitter splitter(EnvironmentProfile::runbookNames(), u"t.md"_s);
    CodeBlockSplitter::Input input;
    input.language = u"bash"_s;
    input.text = text;
    input.firstLine = 10;
    QList<RunbookDiagnostic> diagnostics;
    const QList<RunbookStep> steps = splitter.split(input, &diagnostics);
    QVERIFY(diagnostics.isEmpty());
    QStringList gotTitles;
    QStringList gotKinds;
    for (const RunbookStep& s : steps) {
        gotTitles.append(s.title);
        gotKinds.append(RunbookStep::kindName(s.kind));
    }
    QCOMPARE(gotTitles, titles);
    QCOMPARE(gotKinds, kinds);
}

void TestStepAnalysis::sqlSplitting()
{
    CodeBlockSplitter splitter(EnvironmentProfile::runbookNames(), u"t.md"_s);
    CodeBlockSplitter::Input input;
    input.language = u"postgresql"_s;
    input.text = u"-- Semicolon in a string\nSELECT ';' AS s;\n\n/* Dollar quoted */\nDO $$ BEGIN PERFORM 1; END $$;\n"
                 "-- No semicolon at the end\nSELECT 2\n"_s;
    input.firstLine = 5;
    QList<RunbookDiagnostic> diagnostics;
    const QList<RunbookStep> steps = splitter.split(input, &diagnostics);
    QVERIFY(diagnostics.isEmpty());
    QCOMPARE(steps.size(), 3);
    QCOMPARE(steps.at(0).title, u"Semicolon in a string"_s);
    QCOMPARE(steps.at(0).text, u"SELECT ';' AS s;"_s);
    QCOMPARE(steps.at(0).line, 6);
    QCOMPARE(steps.at(1).title, u"Dollar quoted"_s);
    QCOMPARE(steps.at(1).text, u"DO $$ BEGIN PERFORM 1; END $$;"_s);
    QCOMPARE(steps.at(1).line, 9);
    QCOMPARE(steps.at(2).text, u"SELECT 2"_s);
    QCOMPARE(steps.at(2).line, 11);
}

void TestStepAnalysis::lexerQuoting()
{
    const QString text = u"redis-cli SET \"k:1\" 'v w' x # c\ncat <<'EOF'\n$HOME\nEOF"_s;
    const ShellLexer lexer(text);
    QVERIFY(lexer.isComplete());
    QCOMPARE(lexer.commands().size(), 2);
    const ShellSimpleCommand& set = lexer.commands().at(0);
    QCOMPARE(set.program(), u"redis-cli"_s);
    QCOMPARE(set.words.size(), 5);
    QCOMPARE(set.words.at(2).value, u"k:1"_s);
    QCOMPARE(set.words.at(3).value, u"v w"_s);
    QCOMPARE(lexer.quotingAt(text.indexOf(u"k:1")), TextQuoting::DoubleQuoted);
    QCOMPARE(lexer.quotingAt(text.indexOf(u"v w")), TextQuoting::SingleQuoted);
    QCOMPARE(lexer.quotingAt(text.indexOf(u" x ") + 1), TextQuoting::Unquoted);
    QCOMPARE(lexer.quotingAt(text.indexOf(u"# c")), TextQuoting::Literal);
    QCOMPARE(lexer.quotingAt(text.indexOf(u"$HOME")), TextQuoting::Literal);
    QCOMPARE(lexer.heredocs().size(), 1);
    QCOMPARE(lexer.heredocs().constFirst().command, 1);
    QVERIFY(lexer.heredocs().constFirst().quoted);
    // Offsets map every character of a value back to the text.
    const ShellWord& key = set.words.at(2);
    QCOMPARE(text.mid(key.offsets.constFirst(), 3), u"k:1"_s);
}

void TestStepAnalysis::lexerCompleteness_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("complete");
    QTest::newRow("simple") << u"ls -l"_s << true;
    QTest::newRow("continuation") << u"aws ecs update-service \\"_s << false;
    QTest::newRow("pipe") << u"a |"_s << false;
    QTest::newRow("and") << u"a &&"_s << false;
    QTest::newRow("open double quote") << u"echo \"abc"_s << false;
    QTest::newRow("open single quote") << u"echo 'abc"_s << false;
    QTest::newRow("open substitution") << u"echo $(date"_s << false;
    QTest::newRow("heredoc pending") << u"psql << 'EOF'"_s << false;
    QTest::newRow("heredoc done") << u"psql << 'EOF'\nSELECT 1;\nEOF"_s << true;
    QTest::newRow("escaped quote") << u"echo \\\"abc"_s << true;
    QTest::newRow("arithmetic") << u"echo $((1 + 2))"_s << true;
    QTest::newRow("placeholder redirect") << u"cat < file"_s << true;
}

void TestStepAnalysis::lexerCompleteness()
{
    QFETCH(QString, text);
    QFETCH(bool, complete);
    const ShellLexer lexer(text);
    QCOMPARE(lexer.isComplete(), complete);
    if (!complete)
        QVERIFY(!lexer.problem().isEmpty());
}

void TestStepAnalysis::outputColumns_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QStringList>("columns");
    QTest::newRow("plain") << u"SELECT pid, state FROM pg_stat_activity"_s << QStringList({ u"pid"_s, u"state"_s });
    QTest::newRow("aliases") << u"SELECT count(*) as total, now() - query_start AS duration FROM x"_s
                             << QStringList({ u"total"_s, u"duration"_s });
    QTest::newRow("qualified") << u"SELECT a.pid, b.usename FROM a JOIN b ON true"_s
                               << QStringList({ u"pid"_s, u"usename"_s });
    QTest::newRow("subquery ignored") << u"SELECT (SELECT 1 AS inner_one) AS outer_one"_s
                                      << QStringList { u"outer_one"_s };
    QTest::newRow("not a select") << u"UPDATE t SET a = 1"_s << QStringList {};
}

void TestStepAnalysis::outputColumns()
{
    QFETCH(QString, sql);
    QFETCH(QStringList, columns);
    QCOMPARE(SqlScanner::outputColumns(sql), columns);
}

QTEST_GUILESS_MAIN(TestStepAnalysis)
#include "tst_stepanalysis.moc"
