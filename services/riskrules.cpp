// SPDX-License-Identifier: MIT
#include "services/riskrules.h"

#include "services/sqlscanner.h"

#include <array>

using namespace Qt::StringLiterals;

namespace {

RiskVerdict verdict(StepRisk risk, const QString& reason)
{
    RiskVerdict v;
    v.risk = risk;
    v.reason = reason;
    return v;
}

bool startsWithAny(QStringView s, std::initializer_list<const char16_t*> prefixes)
{
    for (const char16_t* p : prefixes) {
        if (s.startsWith(QStringView(p)))
            return true;
    }
    return false;
}

bool isOneOf(QStringView s, std::initializer_list<const char16_t*> words)
{
    for (const char16_t* w : words) {
        if (s.compare(QStringView(w), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

const QStringList& awsValueOptions()
{
    static const QStringList options { u"--profile"_s, u"--region"_s, u"--endpoint-url"_s, u"--output"_s, u"--query"_s,
        u"--color"_s, u"--cli-connect-timeout"_s, u"--cli-read-timeout"_s, u"--ca-bundle"_s, u"--cli-binary-format"_s };
    return options;
}

RiskVerdict forAws(const ShellSimpleCommand& cmd)
{
    const auto [service, op] = RiskRules::awsOperation(cmd);
    const QString what = u"aws "_s + service + u' ' + op;
    RiskVerdict v;
    if (service.isEmpty() || op.isEmpty())
        return verdict(StepRisk::Write, u"aws without a service and operation: unknown, treated as a write"_s);

    if (service == u"s3") {
        if (isOneOf(op, { u"rm", u"rb" }))
            return verdict(StepRisk::Destructive, what + u": s3 rm/rb deletes objects"_s);
        if (isOneOf(op, { u"ls", u"presign" }))
            return verdict(StepRisk::Read, what + u": s3 ls/presign reads"_s);
        return verdict(StepRisk::Write, what + u": s3 cp/mv/sync/mb write"_s);
    }
    if (op == u"update-service" && cmd.hasOption(u"--force-new-deployment"))
        return verdict(StepRisk::Destructive, what + u" --force-new-deployment replaces every running task"_s);
    if (op == u"modify-db-instance" && cmd.hasOption(u"--apply-immediately"))
        return verdict(StepRisk::Destructive, what + u" --apply-immediately changes the database now"_s);
    if (op == u"update-ip-set")
        return verdict(StepRisk::Destructive, what + u": replaces the whole address list"_s);
    if (startsWithAny(op,
            { u"reboot-", u"delete-", u"terminate-", u"stop-", u"failover-", u"deregister-", u"purge-", u"remove-" }))
        return verdict(
            StepRisk::Destructive, what + u": reboot-*, delete-*, terminate-*, stop-*, failover-* are destructive"_s);
    if (op == u"execute-command") {
        v = verdict(StepRisk::Write, what + u": a shell inside a running container"_s);
        v.interactive = cmd.hasOption(u"--interactive");
        return v;
    }
    if (startsWithAny(op,
            { u"create-", u"put-", u"update-", u"modify-", u"register-", u"restore-", u"start-", u"reset-", u"copy-",
                u"tag-", u"untag-", u"attach-", u"detach-", u"set-", u"enable-", u"disable-", u"import-", u"rotate-",
                u"associate-", u"disassociate-", u"add-", u"send-", u"publish-", u"run-", u"invoke" }))
        return verdict(StepRisk::Write, what + u": create-*, put-*, update-*, modify-*, restore-* ... are writes"_s);
    if (startsWithAny(
            op, { u"describe-", u"list-", u"get-", u"filter-", u"lookup-", u"search-", u"batch-get-", u"head-" })
        || op == u"tail" || op == u"wait") {
        v = verdict(StepRisk::Read, what + u": describe-*, list-*, get-*, filter-*, tail are reads"_s);
        v.untilStopped = op == u"tail" && cmd.hasOption(u"--follow");
        return v;
    }
    return verdict(StepRisk::Write, what + u": an operation no rule knows, treated as a write"_s);
}

RiskVerdict forRedis(const ShellSimpleCommand& cmd)
{
    static const QStringList valueOptions { u"-h"_s, u"-p"_s, u"-s"_s, u"-a"_s, u"-u"_s, u"-n"_s, u"-r"_s, u"-i"_s,
        u"-d"_s, u"-D"_s, u"--user"_s, u"--pass"_s, u"--pattern"_s, u"--quoted-pattern"_s, u"--count"_s, u"--cacert"_s,
        u"--cacertdir"_s, u"--cert"_s, u"--key"_s, u"--sni"_s, u"--tls-ciphers"_s, u"--tls-ciphersuites"_s, u"--eval"_s,
        u"--rdb"_s, u"--functions-rdb"_s, u"--pipe-timeout"_s, u"--memkeys-samples"_s, u"--intrinsic-latency"_s };
    RiskVerdict v;
    const bool repeatForever = cmd.optionValue(u"-r") > 0 && cmd.words.at(cmd.optionValue(u"-r")).value == u"-1";
    for (const char16_t* mode : { u"--latency", u"--latency-history", u"--latency-dist", u"--stat" }) {
        if (cmd.hasOption(mode)) {
            v = verdict(StepRisk::Read, u"redis-cli "_s + QString::fromUtf16(mode) + u" measures, until stopped"_s);
            v.untilStopped = true;
            return v;
        }
    }
    for (const char16_t* mode : { u"--scan", u"--bigkeys", u"--memkeys", u"--hotkeys", u"--intrinsic-latency" }) {
        if (cmd.hasOption(mode))
            return verdict(StepRisk::Read, u"redis-cli "_s + QString::fromUtf16(mode) + u" reads"_s);
    }
    if (cmd.hasOption(u"--pipe"))
        return verdict(StepRisk::Write, u"redis-cli --pipe sends commands from its input"_s);
    const int c = cmd.positional(1, valueOptions);
    if (c < 0) {
        v = verdict(
            StepRisk::Write, u"redis-cli with no command opens an interactive session that can change anything"_s);
        v.interactive = true;
        return v;
    }
    const QString command = cmd.words.at(c).value.toUpper();
    const QString sub = c + 1 < cmd.words.size() ? cmd.words.at(c + 1).value.toUpper() : QString();
    const QString what = u"redis-cli "_s + command;
    if (isOneOf(command,
            { u"FLUSHDB", u"FLUSHALL", u"DEL", u"UNLINK", u"SHUTDOWN", u"DEBUG", u"REPLICAOF", u"SLAVEOF", u"FAILOVER",
                u"SWAPDB", u"RESTORE" })
        || (command == u"CLIENT" && sub == u"KILL") || (command == u"SCRIPT" && sub == u"FLUSH")
        || (command == u"FUNCTION" && sub == u"FLUSH"))
        return verdict(StepRisk::Destructive, what + u": deletes data or stops the server"_s);
    if (isOneOf(command,
            { u"PING", u"INFO", u"GET", u"MGET", u"EXISTS", u"TTL", u"PTTL", u"TYPE", u"STRLEN", u"HGET", u"HGETALL",
                u"HMGET", u"HLEN", u"HKEYS", u"HVALS", u"LLEN", u"LRANGE", u"LINDEX", u"SCARD", u"SMEMBERS",
                u"SISMEMBER", u"ZCARD", u"ZRANGE", u"ZSCORE", u"ZRANK", u"SCAN", u"HSCAN", u"SSCAN", u"ZSCAN",
                u"DBSIZE", u"TIME", u"ROLE", u"LASTSAVE", u"OBJECT", u"KEYS", u"ECHO", u"GETRANGE", u"BITCOUNT",
                u"PFCOUNT", u"XLEN", u"XRANGE", u"XINFO" })
        || (command == u"SLOWLOG" && sub != u"RESET") || (command == u"CLIENT" && (sub == u"LIST" || sub == u"INFO"))
        || (command == u"MEMORY" && sub != u"PURGE") || (command == u"CONFIG" && sub == u"GET")
        || (command == u"LATENCY" && sub != u"RESET"))
        return verdict(StepRisk::Read, what + u": reads"_s);
    v = verdict(StepRisk::Write, what + u": changes data or settings"_s);
    v.untilStopped = repeatForever;
    return v;
}

RiskVerdict forGh(const ShellSimpleCommand& cmd)
{
    const int a = cmd.positional(1, { u"-R"_s, u"--repo"_s });
    const int b = a < 0 ? -1 : cmd.positional(a + 1, { u"-R"_s, u"--repo"_s });
    const QString group = a < 0 ? QString() : cmd.words.at(a).value;
    const QString action = b < 0 ? QString() : cmd.words.at(b).value;
    const QString what = u"gh "_s + group + (action.isEmpty() ? QString() : u' ' + action);
    if (group == u"api") {
        const int m = std::max(cmd.optionValue(u"-X"), cmd.optionValue(u"--method"));
        const QString method = m < 0 ? u"GET"_s : cmd.words.at(m).value.toUpper();
        if (method == u"DELETE")
            return verdict(StepRisk::Destructive, what + u" -X DELETE deletes"_s);
        if (method == u"GET" && !cmd.hasOption(u"-f") && !cmd.hasOption(u"-F") && !cmd.hasOption(u"--field")
            && !cmd.hasOption(u"--raw-field"))
            return verdict(StepRisk::Read, what + u": GET reads"_s);
        return verdict(StepRisk::Write, what + u": a request that changes something"_s);
    }
    if (isOneOf(action, { u"delete", u"delete-asset", u"archive" }))
        return verdict(StepRisk::Destructive, what + u": deletes"_s);
    if (isOneOf(action, { u"list", u"view", u"watch", u"status", u"checks", u"diff" }) || group == u"search")
        return verdict(StepRisk::Read, what + u": reads"_s);
    return verdict(StepRisk::Write, what + u": starts or changes something (workflow run, rerun, create...)"_s);
}

RiskVerdict forKnownUtility(const ShellSimpleCommand& cmd)
{
    const QString prog = cmd.program();
    RiskVerdict v;
    if (isOneOf(prog,
            { u"head", u"sort", u"uniq", u"grep", u"egrep", u"fgrep", u"awk", u"cut", u"tr", u"wc", u"jq", u"yq",
                u"column", u"cat", u"less", u"more", u"date", u"echo", u"printf", u"true", u"false", u"sleep", u"xargs",
                u"ls", u"pwd", u"whoami", u"id", u"hostname", u"uname", u"printenv", u"dig", u"nslookup", u"host",
                u"base64", u"md5sum", u"sha256sum", u"nc", u"test", u"[" })) {
        return verdict(StepRisk::Read, prog + u" only reads"_s);
    }
    if (prog == u"sed") {
        for (const ShellWord& w : cmd.words) {
            if (!w.quoted && (w.value.startsWith(u"-i") || w.value == u"--in-place"))
                return verdict(StepRisk::Write, u"sed -i changes files"_s);
        }
        return verdict(StepRisk::Read, u"sed only reads"_s);
    }
    if (prog == u"tail") {
        v = verdict(StepRisk::Read, u"tail only reads"_s);
        v.untilStopped = cmd.hasOption(u"-f") || cmd.hasOption(u"-F") || cmd.hasOption(u"--follow");
        return v;
    }
    if (prog == u"watch" || prog == u"ping") {
        v = verdict(StepRisk::Read, prog + u" only reads"_s);
        v.untilStopped = !(prog == u"ping" && cmd.hasOption(u"-c"));
        return v;
    }
    if (prog == u"curl") {
        const int m = std::max(cmd.optionValue(u"-X"), cmd.optionValue(u"--request"));
        const QString method = m < 0 ? u"GET"_s : cmd.words.at(m).value.toUpper();
        if (method == u"GET"
            && !(cmd.hasOption(u"-d") || cmd.hasOption(u"--data") || cmd.hasOption(u"-F") || cmd.hasOption(u"-T")
                || cmd.hasOption(u"--upload-file") || cmd.hasOption(u"--data-raw") || cmd.hasOption(u"--json")))
            return verdict(StepRisk::Read, u"curl GET only reads"_s);
        if (method == u"DELETE")
            return verdict(StepRisk::Destructive, u"curl -X DELETE deletes"_s);
        return verdict(StepRisk::Write, u"curl sends data"_s);
    }
    if (prog == u"kubectl") {
        const int a = cmd.positional(1, { u"-n"_s, u"--namespace"_s, u"--context"_s });
        const QString action = a < 0 ? QString() : cmd.words.at(a).value;
        if (isOneOf(action, { u"get", u"describe", u"logs", u"top", u"explain", u"version" })) {
            v = verdict(StepRisk::Read, u"kubectl "_s + action + u" only reads"_s);
            v.untilStopped = action == u"logs" && (cmd.hasOption(u"-f") || cmd.hasOption(u"--follow"));
            return v;
        }
        if (isOneOf(action, { u"delete", u"drain", u"cordon" }))
            return verdict(StepRisk::Destructive, u"kubectl "_s + action + u" removes or evicts"_s);
        v = verdict(StepRisk::Write, u"kubectl "_s + action + u" changes the cluster"_s);
        v.interactive = action == u"exec" && (cmd.hasOption(u"-it") || cmd.hasOption(u"-ti"));
        return v;
    }
    if (isOneOf(prog,
            { u"rm", u"rmdir", u"shred", u"dd", u"mkfs", u"kill", u"pkill", u"killall", u"reboot", u"shutdown",
                u"halt" }))
        return verdict(StepRisk::Destructive, prog + u" deletes or stops things"_s);
    if (isOneOf(prog, { u"ssh", u"bash", u"sh", u"zsh" }) && cmd.words.size() == 1) {
        v = verdict(StepRisk::Write, prog + u" opens an interactive session"_s);
        v.interactive = true;
        return v;
    }
    return verdict(StepRisk::Write, prog + u": a program no rule knows, treated as a write"_s);
}

} // namespace

void RiskVerdict::combine(const RiskVerdict& other)
{
    if (int(other.risk) > int(risk) || reason.isEmpty()) {
        risk = std::max(risk, other.risk);
        reason = other.reason;
    }
    interactive = interactive || other.interactive;
    untilStopped = untilStopped || other.untilStopped;
}

std::pair<QString, QString> RiskRules::awsOperation(const ShellSimpleCommand& cmd)
{
    const int s = cmd.positional(1, awsValueOptions());
    if (s < 0)
        return {};
    const int o = cmd.positional(s + 1, awsValueOptions());
    return { cmd.words.at(s).value, o < 0 ? QString() : cmd.words.at(o).value };
}

StepKind RiskRules::kindForProgram(QStringView program)
{
    if (program == u"aws")
        return StepKind::Aws;
    if (program == u"redis-cli")
        return StepKind::Redis;
    if (program == u"psql")
        return StepKind::Psql;
    if (program == u"gh")
        return StepKind::Gh;
    return StepKind::Shell;
}

QString RiskRules::psqlSql(const ShellSimpleCommand& cmd, int commandIndex, const ShellLexer& lexer)
{
    for (int i = 1; i + 1 < cmd.words.size(); ++i) {
        const QString& w = cmd.words.at(i).value;
        if (!cmd.words.at(i).quoted && (w == u"-c" || w == u"--command"))
            return cmd.words.at(i + 1).value;
    }
    for (int i = 1; i < cmd.words.size(); ++i) {
        if (!cmd.words.at(i).quoted && cmd.words.at(i).value.startsWith(u"--command="))
            return cmd.words.at(i).value.mid(10);
    }
    for (const ShellHeredoc& h : lexer.heredocs()) {
        if (h.command == commandIndex)
            return lexer.text().mid(h.bodyStart, h.bodyEnd - h.bodyStart);
    }
    return {};
}

RiskVerdict RiskRules::forCommand(const ShellSimpleCommand& command, int commandIndex, const ShellLexer& lexer)
{
    const QString prog = command.program();
    if (prog == u"aws")
        return forAws(command);
    if (prog == u"redis-cli")
        return forRedis(command);
    if (prog == u"gh")
        return forGh(command);
    if (prog == u"psql") {
        const bool file = command.hasOption(u"-f") || command.hasOption(u"--file");
        const QString sql = psqlSql(command, commandIndex, lexer);
        if (file)
            return verdict(StepRisk::Write, u"psql -f runs a file the console cannot see into"_s);
        if (sql.trimmed().isEmpty()) {
            RiskVerdict v = verdict(StepRisk::Write, u"psql with no SQL opens an interactive session"_s);
            v.interactive = true;
            return v;
        }
        RiskVerdict v;
        const SqlScanner scanner(sql);
        for (const SqlStatement& st : scanner.statements())
            v.combine(forSql(QStringView(sql).mid(st.start, st.end - st.start)));
        v.reason = u"psql: "_s + v.reason;
        return v;
    }
    return forKnownUtility(command);
}

RiskVerdict RiskRules::forSql(QStringView statement)
{
    const QStringList words = SqlScanner::words(statement);
    const QStringList functions = SqlScanner::functionCalls(statement);
    for (const QString& f : functions) {
        if (isOneOf(f, { u"pg_terminate_backend", u"pg_drop_replication_slot", u"lo_unlink", u"pg_promote" }))
            return verdict(StepRisk::Destructive, f + u"() ends sessions or removes state"_s);
    }
    if (words.isEmpty())
        return verdict(StepRisk::Read, u"an empty statement"_s);
    QString first = words.constFirst();
    qsizetype at = 0;
    if (first == u"EXPLAIN") {
        if (!words.contains(u"ANALYZE"_s))
            return verdict(StepRisk::Read, u"EXPLAIN only plans"_s);
        // EXPLAIN ANALYZE runs the statement: judge what follows.
        at = words.indexOf(u"ANALYZE"_s) + 1;
        first = at < words.size() ? words.at(at) : QString();
    }
    for (const QString& f : functions) {
        if (isOneOf(f,
                { u"pg_cancel_backend", u"pg_reload_conf", u"set_config", u"pg_stat_reset", u"pg_stat_statements_reset",
                    u"setval", u"nextval", u"pg_rotate_logfile", u"pg_switch_wal", u"pg_create_restore_point",
                    u"pg_advisory_lock" }))
            return verdict(StepRisk::Write, f + u"() changes server state"_s);
    }
    if (isOneOf(first, { u"DROP", u"TRUNCATE", u"DELETE" }))
        return verdict(StepRisk::Destructive, first + u" removes data"_s);
    if (first == u"UPDATE") {
        if (!words.mid(at).contains(u"WHERE"_s))
            return verdict(StepRisk::Destructive, u"UPDATE without WHERE changes every row"_s);
        return verdict(StepRisk::Write, u"UPDATE changes rows"_s);
    }
    if (isOneOf(first, { u"SELECT", u"WITH", u"VALUES", u"TABLE", u"SHOW" })) {
        const QStringList rest = words.mid(at);
        if (rest.contains(u"DELETE"_s) || rest.contains(u"TRUNCATE"_s))
            return verdict(StepRisk::Destructive, first + u" with DELETE removes data"_s);
        if (rest.contains(u"INSERT"_s) || rest.contains(u"UPDATE"_s) || rest.contains(u"MERGE"_s)
            || rest.contains(u"INTO"_s))
            return verdict(StepRisk::Write, first + u" that writes (INSERT, UPDATE, INTO, FOR UPDATE)"_s);
        return verdict(StepRisk::Read, first + u" only reads"_s);
    }
    if (isOneOf(first, { u"SET", u"RESET", u"BEGIN", u"COMMIT", u"ROLLBACK", u"START" }))
        return verdict(StepRisk::Read, first + u" only changes this session"_s);
    if (first == u"CREATE" && words.size() > 1 && (words.at(1) == u"INDEX" || words.contains(u"INDEX"_s)))
        return verdict(StepRisk::Write, u"CREATE INDEX writes (and locks the table unless CONCURRENTLY)"_s);
    if (isOneOf(first,
            { u"CREATE", u"ALTER", u"ANALYZE", u"VACUUM", u"REINDEX", u"CLUSTER", u"COMMENT", u"GRANT", u"REVOKE",
                u"INSERT", u"MERGE", u"COPY", u"REFRESH", u"LOCK", u"DO", u"CALL" }))
        return verdict(StepRisk::Write, first + u" changes the database"_s);
    return verdict(StepRisk::Write, first + u": a statement no rule knows, treated as a write"_s);
}
