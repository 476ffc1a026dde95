// SPDX-License-Identifier: MIT
#include "services/stepanalyzer.h"

#include "services/riskrules.h"
#include "services/shelllexer.h"
#include "services/sqlscanner.h"

using namespace Qt::StringLiterals;

namespace {

struct AwsResult {
    const char16_t* service;
    const char16_t* operation;
    const char16_t* keys; // comma-separated
};
constexpr AwsResult awsResults[] = {
    { u"ecs", u"list-tasks", u"taskArns" },
    { u"ecs", u"list-task-definitions", u"taskDefinitionArns" },
    { u"ecs", u"list-services", u"serviceArns" },
    { u"rds", u"describe-db-snapshots", u"DBSnapshots[].DBSnapshotIdentifier" },
    { u"rds", u"create-db-snapshot", u"DBSnapshot.DBSnapshotIdentifier" },
    { u"rds", u"describe-db-instances", u"DBInstances[].DBInstanceIdentifier" },
    { u"wafv2", u"get-ip-set", u"LockToken,IPSet.Addresses" },
    { u"wafv2", u"list-ip-sets", u"IPSets[].Id,IPSets[].LockToken" },
};

// Which result keys can fill a parameter.
QStringList wantedKeys(const RunbookParameter& p)
{
    if (p.type == ParameterType::Pid)
        return { u"pid"_s };
    if (p.name == u"task_id" || p.name == u"task")
        return { u"taskArns"_s };
    if (p.name == u"task_definition")
        return { u"taskDefinitionArns"_s };
    if (p.name == u"snapshot_id" || p.name == u"db_snapshot_identifier")
        return { u"DBSnapshots[].DBSnapshotIdentifier"_s, u"DBSnapshot.DBSnapshotIdentifier"_s };
    if (p.name == u"lock_token")
        return { u"LockToken"_s, u"IPSets[].LockToken"_s };
    if (p.name == u"ip_set_id")
        return { u"IPSets[].Id"_s };
    return {};
}

const ShellSimpleCommand* firstTopLevel(const ShellLexer& lexer, int* index)
{
    for (int i = 0; i < lexer.commands().size(); ++i) {
        if (lexer.commands().at(i).depth == 0) {
            *index = i;
            return &lexer.commands().at(i);
        }
    }
    return nullptr;
}

} // namespace

StepAnalyzer::Problems StepAnalyzer::analyzeCommand(RunbookStep& step, const EnvironmentProfile& names,
    const QList<DeclaredParameter>& declared, const ShellLexer* given)
{
    Problems problems;
    const std::optional<ShellLexer> own
        = given ? std::nullopt : std::optional<ShellLexer>(ShellLexer(ParameterDetector::maskPlaceholders(step.text)));
    const ShellLexer& lexer = given ? *given : *own;
    int first = -1;
    const ShellSimpleCommand* top = firstTopLevel(lexer, &first);
    step.kind = top ? RiskRules::kindForProgram(top->program()) : StepKind::Shell;

    RiskVerdict verdict;
    for (int i = 0; i < lexer.commands().size(); ++i)
        verdict.combine(RiskRules::forCommand(lexer.commands().at(i), i, lexer));
    if (lexer.commands().isEmpty())
        verdict = RiskVerdict { StepRisk::Write, u"no command found, treated as a write"_s, false, false };
    step.risk = verdict.risk;
    step.riskReason = verdict.reason;
    step.interactive = verdict.interactive;
    step.untilStopped = verdict.untilStopped;

    ParameterDetector detector(step, names);
    detector.declare(declared);
    detector.detectShell(lexer);
    problems += detector.problems();
    return problems;
}

StepAnalyzer::Problems StepAnalyzer::analyzeSql(
    RunbookStep& step, const EnvironmentProfile& names, const QList<DeclaredParameter>& declared)
{
    step.kind = StepKind::Sql;
    const RiskVerdict verdict = RiskRules::forSql(step.text);
    step.risk = verdict.risk;
    step.riskReason = verdict.reason;
    const SqlScanner scanner(step.text);
    ParameterDetector detector(step, names);
    detector.declare(declared);
    detector.detectSql(scanner);
    return detector.problems();
}

QStringList StepAnalyzer::resultKeys(const RunbookStep& step)
{
    if (step.kind == StepKind::Sql)
        return SqlScanner::outputColumns(step.text);
    if (step.kind != StepKind::Psql && step.kind != StepKind::Aws)
        return {};
    const ShellLexer lexer(ParameterDetector::maskPlaceholders(step.text));
    int index = -1;
    const ShellSimpleCommand* top = firstTopLevel(lexer, &index);
    if (!top)
        return {};
    if (step.kind == StepKind::Psql) {
        const QString sql = RiskRules::psqlSql(*top, index, lexer);
        const SqlScanner scanner(sql);
        QStringList keys;
        for (const SqlStatement& st : scanner.statements())
            keys += SqlScanner::outputColumns(QStringView(sql).mid(st.start, st.end - st.start));
        return keys;
    }
    const auto [service, op] = RiskRules::awsOperation(*top);
    for (const AwsResult& r : awsResults) {
        if (service == QStringView(r.service) && op == QStringView(r.operation))
            return QString::fromUtf16(r.keys).split(u',');
    }
    return {};
}

void StepAnalyzer::assignPrefills(
    RunbookStep& step, const QList<const RunbookStep*>& earlier, QHash<const RunbookStep*, QStringList>* cache)
{
    for (RunbookParameter& p : step.parameters) {
        if (p.prefill.isSet())
            continue;
        const QStringList wanted = wantedKeys(p);
        if (wanted.isEmpty())
            continue;
        for (const RunbookStep* candidate : earlier) {
            QStringList keys;
            if (cache && cache->contains(candidate)) {
                keys = cache->value(candidate);
            } else {
                keys = resultKeys(*candidate);
                if (cache)
                    cache->insert(candidate, keys);
            }
            const auto it
                = std::find_if(wanted.cbegin(), wanted.cend(), [&keys](const QString& k) { return keys.contains(k); });
            if (it != wanted.cend()) {
                p.prefill.source = ParameterPrefill::Source::StepResult;
                p.prefill.key = *it;
                p.prefill.stepRef = candidate->ref;
                break;
            }
        }
    }
}
