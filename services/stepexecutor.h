// SPDX-License-Identifier: MIT
#pragma once

#include "models/backendsignal.h"
#include "models/commandaudit.h"
#include "models/confirmationrequest.h"
#include "models/environmentprofile.h"
#include "models/preparedcommand.h"
#include "models/runbookstep.h"
#include "services/awsclioptions.h"
#include "services/commandresult.h"
#include "services/pgresult.h"
#include "services/redisclient.h"

#include <QObject>
#include <QPointer>
#include <QSet>

#include <optional>
#include <utility>

class AuditRecorder;
class CommandRunner;
class PgSession;
class SecretStore;

// One runbook step to run: the step, the environment, the operator's values and where it is recorded.
// A plain value; no thread affinity.
struct StepRequest {
    RunbookStep step;
    EnvironmentProfile profile;
    QMap<QString, QString> values; // by parameter name
    qint64 incidentId = 0; // 0: not recorded (no incident)
    QString source; // "runbook:<title>#diagnosis/0"
};

// What a diagnosis step's own output cannot show, read by the console beside it (issue 16, finding 7): the top
// rate_limit:* keys of "Check top offending IPs", the task definitions of "Check recent deployments" sorted. A
// plain value.
struct StepAnswer {
    QString title; // "Top offending IPs: rate_limit:* keys by count"
    QString why; // "The runbook's pipeline counts values, not keys: …"
    QStringList header;
    QList<QStringList> rows;
    QString note; // "read 10,000 keys (the cap): more were not read"
    QString error; // could not read; the rest is empty
    QStringList offenders; // "203.0.113.7/32", top first: offered to the WAF step
    bool isEmpty() const { return title.isEmpty() && error.isEmpty(); }
};
Q_DECLARE_METATYPE(StepAnswer)

// One WAF IP set as list-ip-sets names it. A plain value.
struct IpSetSummary {
    QString name;
    QString id;
    QString description;
};

// How long each kind of step may run before it is ended (issue 15, finding 5). A plain value.
struct StepDeadlines {
    int redisMs = 30 * 1000; // redis-cli steps (redis-cli 7.0 has no connect timeout of its own)
    int awsMs = -1; // aws steps; -1: AwsCliOptions::wallClockS (the CLI's own timeouts bound each request)
    int shellMs = 10 * 60 * 1000; // shell, gh and psql steps
    int sqlStatementMs = 60 * 1000; // SQL steps: statement_timeout (psql steps get it through PGOPTIONS)
    int sqlLockMs = 5000; // lock_timeout
    int sqlClientMs = 90 * 1000; // SQL steps: the client's deadline (PQcancel, then the connection dropped)
};

// Runs runbook steps, one at a time, for the active environment (the executor of DESIGN.md decision 5):
//   prepare → assess (asynchronous: counts what a destructive SQL step acts on) → run after the confirmation.
// SQL steps go through a PgSession (bound parameters, statement_timeout, lock_timeout, application_name
// petforce-console/runbook, a client deadline); aws/redis/psql/gh/shell steps through a CommandRunner (bash,
// process group, the profile's variables and the values as environment, AwsCliOptions for every `aws` call).
// Link, manual and snippet steps never run here; interactive steps are refused with the command to run in a
// terminal. Each run writes command.started before and command.finished after through the AuditRecorder; a write or
// destructive step starts only once its command.started is on disk (the commit returned): if that write fails,
// nothing runs and failed() says why. A read step runs anyway, marked notRecorded(). Every end of a started run
// (failed secret read, connect failure, stop before the start, cancel) writes its command.finished.
// Secrets (the database password) reach only libpq or the child's PGPASSWORD, never events or arguments.
// A child's environment is the allow list of CommandSpec plus the profile's variables and the step's values; of
// the console's secrets only what the step's kind needs: PGPASSWORD for psql, REDISCLI_AUTH for redis-cli, the AWS
// credential variables for steps that call aws. Deadlines per kind (StepDeadlines); a write or destructive step
// that ends without an answer is "outcome unknown"; aws exit codes and unparseable JSON answers are explained.
//
// Drill override: setIntervalOverride("10 seconds") makes SQL steps run the literal `interval '…'` of their text
// as a bound `$n::interval` with that value (the sandbox's PETFORCE_IDLE_THRESHOLD; never for production).
//
// Lives on the GUI thread and never blocks it. Does not own the recorder or the secret store.
class StepExecutor : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Assessing, Ready, Running };
    Q_ENUM(State)

    explicit StepExecutor(AuditRecorder* audit, SecretStore* secrets, QObject* parent = nullptr);
    ~StepExecutor() override;

    void setAwsOptions(const AwsCliOptions& options) { m_aws = options; } // endpoint comes from the profile
    void setRunsFolder(const QString& folder) { m_runsFolder = folder; } // empty: the runner's default
    void setIntervalOverride(const QString& interval) { m_intervalOverride = interval; }
    QString intervalOverride() const { return m_intervalOverride; }
    void setTailCapBytes(qsizetype bytes) { m_tailCap = bytes; }
    // Rows of a SQL step's result kept in memory and given to sqlResult(); every row goes to the step's .tsv in the
    // runs folder. Unset: RunsFolder::limits().resultRows (10,000 unless the settings say otherwise); 0: none.
    void setResultRowCap(int rows) { m_resultRows = rows; }
    // "first 10,000 of 100,000 rows shown; all of them in the file" when the result had more rows than were kept.
    static QString rowsNote(const PgResult& result);
    void setDeadlines(const StepDeadlines& deadlines) { m_deadlines = deadlines; }
    StepDeadlines deadlines() const { return m_deadlines; }

    // What an AWS CLI exit status means ("service error: the request reached AWS and failed"); empty for 0 and
    // codes the CLI does not document (pure).
    static QString awsExitMeaning(int exitCode);
    // The profile with its database URL taken from the console's variable databaseUrlEnv when it has no
    // database_url, without the URL's password (that goes as PGPASSWORD): psql steps' DATABASE_URL.
    static EnvironmentProfile withDatabaseUrl(const EnvironmentProfile& profile);

    // The step prepared for the request with the drill override applied (pure; any thread).
    static PreparedCommand prepare(
        const StepRequest& request, const QString& intervalOverride = {}, const AwsCliOptions& aws = {});
    // The confirmation for a prepared step without counting (pure).
    static ConfirmationRequest confirmationFor(const StepRequest& request, const PreparedCommand& prepared);
    // For `SELECT f(x) FROM rest` and `DELETE FROM rest` (comments ignored): "SELECT count(*) FROM rest"; empty when
    // the shape differs (USING, RETURNING, several statements).
    static QString countQuery(const QString& sql);
    static QString listQuery(const QString& sql, int limit); // the rows count() counted (a DELETE: all columns)
    // For `aws logs tail GROUP [--follow] [--filter-pattern P] [--since Nm]` (AWS CLI v2 only): a console-written
    // script that tails through repeated `aws logs filter-log-events --start-time`, and its environment (the
    // group, pattern and endpoint as variables); cliVersion ("aws-cli/1.45.11") goes into its first comment line.
    // nullopt for any other command. The executor asks the `aws` on PATH (`aws --version`, asynchronously, while
    // assessing) and runs this on v1 only; v2 runs the step's own `aws logs tail`.
    static std::optional<std::pair<QString, QMap<QString, QString>>> logsTailSpec(
        const PreparedCommand& prepared, const QString& cliVersion = {});
    static bool isLogsTail(const RunbookStep& step);
    // The major version in `aws --version` text ("aws-cli/2.9.19 Python/…" → 2); 0 when there is none.
    static int awsCliMajor(const QString& versionText);
    // `aws wafv2 update-ip-set …` (the seed's Rate Limiting step): replaces the whole IP list, so the assessment
    // reads the set first (list-ip-sets for its name, get-ip-set for its addresses and LockToken) and the
    // confirmation shows the list before → after. The lock token is never the operator's: prepare() leaves it to
    // the read (and adds --name, which the seed's command lacks); a WAFOptimisticLockException on update means
    // the set changed since it was read: reassess() reads it again and asks again (never a blind retry).
    static bool isIpSetUpdate(const RunbookStep& step);
    static bool isLockConflict(const CommandOutcome& outcome);
    // Before → after of an IP set update, one line each: "Before (3): a, b, c", "After (1): x", "+ x (added)",
    // "− a (removed)" (pure).
    static QStringList ipSetEffects(const QString& name, const QStringList& before, const QStringList& after);
    // An update-ip-set step's change: the addresses to add to and remove from the set's current list (CIDRs), as
    // values "ip_set_add" / "ip_set_remove" (space-separated); the rest of the list is kept as get-ip-set reads it
    // when the confirmation is built.
    static void setIpSetChange(QMap<QString, QString>& values, const QStringList& add, const QStringList& remove);
    static QStringList ipSetAdded(const QMap<QString, QString>& values);
    static QStringList ipSetRemoved(const QMap<QString, QString>& values);
    // The --scope of an update-ip-set step (REGIONAL when it has none).
    static QString ipSetScope(const RunbookStep& step);
    // The list an update writes: before without remove, then add (no duplicates, order kept) (pure).
    static QStringList ipSetAfter(const QStringList& before, const QStringList& add, const QStringList& remove);
    // Lookups for the WAF step's editor (asynchronous, children of their own; the assessment reads the set again):
    // `list-ip-sets --scope S` → ipSetsListed(); `get-ip-set` → ipSetAddressesRead(). A newer call of the same kind
    // replaces an older one still running.
    void listIpSets(const EnvironmentProfile& profile, const QString& scope);
    void readIpSetAddresses(
        const EnvironmentProfile& profile, const QString& scope, const QString& name, const QString& id);
    // "Check top offending IPs" (`redis-cli --scan --pattern 'rate_limit:*' | xargs … GET … | uniq -c`): its
    // pipeline counts how often each value occurs, so while it runs the console reads the keys natively (SCAN +
    // MGET, at most offenderKeyCap() keys) → answerReady() with the keys by count, top first.
    static bool isOffendersPipeline(const RunbookStep& step);
    static QString scanPattern(const QString& commandText); // --pattern P of redis-cli --scan; "*" when none
    static StepAnswer offendersAnswer(const QList<RedisClient::KeyValue>& keys, bool capped, int cap);
    void setOffenderKeyCap(int keys) { m_offenderCap = keys; }
    int offenderKeyCap() const { return m_offenderCap; }
    // "Check recent deployments" (`aws ecs list-task-definitions --family F --sort DESC | head`): moto ignores
    // --sort, so the console lists the family again and sorts it by revision, newest first → answerReady(), when the
    // endpoint is the sandbox's or the answer was not sorted.
    static bool isTaskDefinitionList(const RunbookStep& step);
    // sandbox: the profile has an endpoint_url (moto). Empty when the answer was sorted on real AWS.
    static StepAnswer taskDefinitionsAnswer(const QByteArray& json, const QString& endpoint);
    // An IP set never takes a /0 network (0.0.0.0/0, ::/0: every address; AWS refuses it too): the reason, for
    // people, or empty.
    static QString ipSetRefusal(const QStringList& after);
    // The seed's `redis-cli FLUSHDB` (one command, no ASYNC/SYNC): the assessment reads `INFO server` and `DBSIZE`
    // of the same host, port and db (-n, default 0) first; the confirmation shows them, and the run sends
    // `FLUSHDB ASYNC` where the server is Redis 4 or later.
    static bool isFlushDb(const RunbookStep& step);
    static int redisDbNumber(const QString& commandText); // -n N of a redis-cli line; 0 when none
    // The console's own PostgreSQL backends besides its runbook session and petforce-console/… applications
    // (never cancelled or terminated by a step, BackendSignal).
    void setOwnPids(const QSet<int>& pids) { m_ownPids = pids; }

    State state() const { return m_state; }
    bool isBusy() const { return m_state == State::Assessing || m_state == State::Running; }
    const PreparedCommand& prepared() const { return m_prepared; }
    QString runId() const { return m_audit.runId; }
    QString runCommand() const { return m_audit.command; } // the exact script the last run ran, as recorded
    QString awsCli() const { return m_awsCli; } // "aws-cli/2.9.19" as asked for a logs tail step; else empty
    qint64 processId() const; // the running command's process group, 0 when none
    bool isWaitingForRecord() const { return m_awaitingRecord; } // Running, its command.started not yet on disk
    QString notRecordedReason() const { return m_notRecorded; } // the last run's, when its start was not recorded

    // Prepares the step and builds its confirmation → assessed(request) or failed(). Destructive SQL of the shape
    // above is counted first (same bound values). Returns false if busy.
    bool assess(const StepRequest& request);
    // Runs the assessed step; confirmation is what the operator gave ("none", "typed …"). Returns false unless
    // Ready. → started(), outputReceived()…, sqlResult(), finished().
    bool run(const QString& confirmation);
    // Ends the run: the process group (SIGTERM, then SIGKILL) or PQcancel. Also abandons an assessment.
    void stop();
    // Opens the SQL steps' session for profile's database ahead of the first SQL step, when idle and the password
    // needs no keychain read (an environment variable, or none): a pool that runs out during the outage refuses new
    // connections, and "Database Connection Pool Exhausted"'s own diagnosis needs one. Quiet when it fails.
    void keepSessionFor(const EnvironmentProfile& profile);
    bool hasSession() const; // the SQL steps' session is open
    // Assesses the last request again (after a WAFOptimisticLockException): reads the IP set anew → assessed().
    bool reassess() { return assess(m_request); }

Q_SIGNALS:
    void stateChanged(StepExecutor::State state);
    void assessed(const ConfirmationRequest& request);
    void failed(const QString& error); // could not assess or start; nothing ran
    void started(const QString& runId);
    void outputReceived(CommandStream stream, const QByteArray& chunk);
    void sqlResult(const PgResult& result);
    void finished(const CommandOutcome& outcome, const CommandResult& process);
    // A read step runs although its command.started could not be written (why: the store's reason): the run is
    // not on the timeline (neither its start nor its finish).
    void notRecorded(const QString& runId, const QString& why);
    // The console's own answer beside a diagnosis step's output (see isOffendersPipeline, isTaskDefinitionList);
    // for the run runId, after started(), before or after finished().
    void answerReady(const QString& runId, const StepAnswer& answer);
    void ipSetsListed(const QString& scope, const QList<IpSetSummary>& sets, const QString& error);
    void ipSetAddressesRead(const QString& id, const QStringList& addresses, const QString& error);

private:
    void setState(State state);
    void withPassword(std::function<void(const QString&)> next);
    void connectSession(const QString& password, std::function<void()> next);
    void startSql();
    void startProcess(const QString& password);
    void onProcessFinished(const CommandResult& result);
    int processDeadlineMs() const; // the step's CommandSpec timeout by kind
    bool writes() const; // a write or destructive step: no answer means the outcome is unknown
    CommandOutcome withoutAnswer(CommandOutcome outcome, const QString& why) const;
    QString jsonProblem(const CommandResult& result) const; // why an aws step's answer is not the JSON it promised
    void onQueryFinished(quint64 id, const PgResult& result);
    QString runsFolder() const; // m_runsFolder or the default
    void finish(const CommandOutcome& outcome, const CommandResult& process = {});
    void onStartRecorded(bool recorded, const QString& why); // the answer to recordStarted()
    void startRun(); // after the start is recorded (or not needed)
    void readIpSet();
    void readSignalTargets(); // a cancel/terminate step: the backends it names, guarded (BackendSignal)
    void onSignalTargets(const PgResult& result);
    void signalOutcome(const PgResult& result, CommandOutcome& outcome) const; // a false or missed: not done
    void readFlushDb(); // INFO server + DBSIZE before FLUSHDB
    void readPreview(const QStringList& awsArguments, std::function<void(const QByteArray&)> next);
    void detectAwsCli(std::function<void()> next); // `aws --version` → m_awsCli, then next
    std::optional<std::pair<QString, QMap<QString, QString>>> tailLoop() const; // logsTailSpec on CLI v1
    void startAnswer(); // the console's own read beside a diagnosis step (answerReady)
    // One aws call of the console's own (no shell) for profile → done(ok, stdout, why). slot: which lookup it is;
    // a newer call on the same slot replaces the older.
    void awsLookup(CommandRunner*& slot, const EnvironmentProfile& profile, const QStringList& arguments,
        std::function<void(bool, const QByteArray&, const QString&)> done);

    AuditRecorder* m_recorder;
    QPointer<SecretStore> m_secrets;
    AwsCliOptions m_aws;
    QString m_runsFolder;
    QString m_intervalOverride;
    qsizetype m_tailCap = 256 * 1024;
    std::optional<int> m_resultRows;
    StepDeadlines m_deadlines;

    State m_state = State::Idle;
    bool m_warming = false; // keepSessionFor's connect is under way: its failure is nobody's
    StepRequest m_request;
    PreparedCommand m_prepared;
    ConfirmationRequest m_confirmation;
    CommandAudit m_audit;
    CommandRunner* m_runner = nullptr;
    CommandRunner* idlePreviewRunner(); // m_previewRunner, made anew if an abandoned read still runs on it
    CommandRunner* m_previewRunner = nullptr; // reads before a destructive aws step (get-ip-set), `aws --version`
    QString m_awsCli; // the `aws --version` of a logs tail step's assessment
    std::optional<BackendSignal::Plan> m_signal; // the assessed step cancels/terminates backends
    QList<int> m_signalPids; // the backends confirmed (with their backend_start, bound in the run)
    QSet<int> m_ownPids;
    PgSession* m_session = nullptr;
    QString m_sessionKey; // the connection the session was opened for
    quint64 m_query = 0;
    quint64 m_countQuery = 0;
    quint64 m_listQuery = 0;
    quint64 m_generation = 0;
    qint64 m_startedMs = 0;
    bool m_awaitingRecord = false; // run() asked for command.started and waits for its commit
    bool m_startRecorded = false; // command.started is on disk: command.finished follows, whatever the end
    QString m_notRecorded; // why this run is not on the timeline (a read step run while the store failed)
    int m_offenderCap = 10000;
    RedisClient* m_answerRedis = nullptr;
    CommandRunner* m_answerRunner = nullptr;
    CommandRunner* m_listRunner = nullptr;
    CommandRunner* m_readRunner = nullptr;
};
