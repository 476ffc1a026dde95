// SPDX-License-Identifier: MIT
#include "services/dbaactions.h"

#include "models/backendsignal.h"
#include "services/auditrecorder.h"
#include "services/pgsession.h"

#include <QJsonArray>
#include <QTimer>

#include <utility>

using namespace Qt::StringLiterals;

DbaActions::DbaActions(QObject* parent)
    : QObject(parent)
    , m_session(new PgSession(this))
{
    connect(m_session, &PgSession::connected, this, &DbaActions::onConnected);
    connect(m_session, &PgSession::connectFailed, this, &DbaActions::onConnectFailed);
    connect(m_session, &PgSession::queryFinished, this, &DbaActions::onQueryFinished);
}

DbaActions::~DbaActions() = default;

void DbaActions::setConnectionOptions(const PgConnectionOptions& base)
{
    PgConnectionOptions o = base;
    o.purpose = u"dba-write"_s;
    o.readOnly = false;
    o.statementTimeoutMs = 0; // CREATE INDEX CONCURRENTLY may take long; the deadline is per query
    o.lockTimeoutMs = 5000; // fail clearly rather than queue behind a long transaction
    o.autoReconnect = false;
    o.queryDeadlineMs = 30000;
    m_session->setOptions(o);
}

int DbaActions::writePid() const { return m_session->backendPid(); }

QString DbaActions::signalSql(Signal signal, bool onlyIfIdle)
{
    // pid AND backend_start: a pid reused by a later backend is never hit. Never the console's own or a
    // non-client backend, whatever was asked.
    return u"SELECT s.pid, %1(s.pid) FROM pg_stat_activity s "
           "JOIN unnest($1::int[], $2::timestamptz[]) AS t(pid, backend_start) "
           "ON s.pid = t.pid AND s.backend_start = t.backend_start WHERE "_s.arg(BackendSignal::functionName(
               signal == Signal::Cancel ? BackendSignal::Function::Cancel : BackendSignal::Function::Terminate))
        + BackendSignal::serverCondition(u"s"_s) + (onlyIfIdle ? u" AND s.state = 'idle'"_s : QString());
}

DbaAction DbaActions::signalAction(Signal signal, const QList<DbaSession>& sessions, bool onlyIfIdle) const
{
    DbaAction a;
    a.source = signal == Signal::Cancel ? u"dba:cancel"_s : u"dba:terminate"_s;
    a.risk = signal == Signal::Cancel ? StepRisk::Write : StepRisk::Destructive;
    QStringList pids, starts;
    for (const DbaSession& s : sessions) {
        const QString why = BackendSignal::refusal(s, m_ownPids);
        if (!why.isEmpty()) {
            a.refused.append(why);
            continue;
        }
        a.targets.append(s);
        pids.append(QString::number(s.pid));
        starts.append(u"\""_s + s.backendStartText + u"\""_s);
    }
    a.title = (signal == Signal::Cancel ? tr("Cancel the query of %n session(s)", nullptr, int(a.targets.size()))
                                        : tr("Terminate %n session(s)", nullptr, int(a.targets.size())));
    a.query.sql = signalSql(signal, onlyIfIdle);
    a.query.parameters = { QString(u"{"_s + pids.join(u',') + u"}"_s), QString(u"{"_s + starts.join(u',') + u"}"_s) };
    a.query.deadlineMs = 10000;
    return a;
}

QString DbaActions::quoteIdentifier(QString name) { return u"\""_s + name.replace(u"\""_s, u"\"\""_s) + u"\""_s; }

DbaAction DbaActions::createIndexAction()
{
    DbaAction a;
    a.source = u"dba:create-index"_s;
    a.title = tr("Add missing index idx_household_members_household_id");
    a.risk = StepRisk::Write;
    // The seed's "Add missing index", as written there
    a.query = PgQuery::outsideTransaction(u"CREATE INDEX CONCURRENTLY idx_household_members_household_id\n"
                                          "ON household_members(household_id)\nWHERE status = 'active'"_s);
    a.query.deadlineMs = 0; // as long as it takes; cancel leaves an INVALID index (offered for DROP)
    return a;
}

DbaAction DbaActions::analyzeAction(const QString& table)
{
    DbaAction a;
    a.source = u"dba:analyze"_s;
    a.title = tr("ANALYZE %1").arg(table);
    a.risk = StepRisk::Write;
    const qsizetype dot = table.indexOf(u'.');
    const QString name = dot < 0
        ? quoteIdentifier(table)
        : QString(quoteIdentifier(table.left(dot)) + u"."_s + quoteIdentifier(table.mid(dot + 1)));
    a.query.sql = u"ANALYZE "_s + name;
    a.query.deadlineMs = 0;
    return a;
}

DbaAction DbaActions::dropInvalidIndexAction(const QString& schema, const QString& index)
{
    DbaAction a;
    a.source = u"dba:drop-invalid-index"_s;
    a.title = tr("Drop INVALID index %1.%2").arg(schema, index);
    a.risk = StepRisk::Destructive;
    a.query = PgQuery::outsideTransaction(
        u"DROP INDEX CONCURRENTLY IF EXISTS "_s + quoteIdentifier(schema) + u"."_s + quoteIdentifier(index));
    a.query.deadlineMs = 0;
    return a;
}

DbaAction DbaActions::resetStatementsAction()
{
    DbaAction a;
    a.source = u"dba:reset-statements"_s;
    a.title = tr("Reset pg_stat_statements");
    a.risk = StepRisk::Write;
    a.query.sql = u"SELECT pg_stat_statements_reset()"_s;
    return a;
}

ConfirmationRequest DbaActions::confirmation(const DbaAction& action, const QString& environment, const QString& target)
{
    ConfirmationRequest r;
    r.risk = action.risk;
    r.title = action.title;
    r.environment = environment;
    r.command = action.query.sql;
    r.commandLanguage = u"sql"_s;
    r.target = target;
    for (int i = 0; i < action.query.parameters.size(); ++i)
        r.parameters.append(u"$%1 = %2"_s.arg(i + 1).arg(action.query.parameters.at(i).toString()));
    if (!action.targets.isEmpty()) {
        r.affectedCount = action.targets.size();
        r.targetColumns = ConfirmationRequest::sessionColumns();
        for (const DbaSession& s : action.targets)
            r.targetRows.append(
                ConfirmationRequest::sessionRow(s.pid, s.user, s.application, s.state, s.stateAgeS, s.query));
    }
    for (const QString& why : action.refused)
        r.effects.append(tr("left out: %1").arg(why));
    return r;
}

bool DbaActions::run(
    const DbaAction& action, qint64 incidentId, const QString& environment, const QString& confirmationText)
{
    if (isBusy())
        return false;
    m_action = action;
    m_incidentId = incidentId;
    m_auditRecord = {};
    m_auditRecord.runId = AuditRecorder::newRunId();
    m_auditRecord.source = action.source;
    m_auditRecord.title = action.title;
    m_auditRecord.kind = u"sql"_s;
    m_auditRecord.environment = environment;
    m_auditRecord.command = action.query.sql;
    for (int i = 0; i < action.query.parameters.size(); ++i)
        m_auditRecord.parameters.insert(u"$%1"_s.arg(i + 1), action.query.parameters.at(i).toString());
    m_auditRecord.risk = RunbookStep::riskName(action.risk);
    m_auditRecord.confirmation = confirmationText;
    m_startRecorded = false;
    if (!m_audit || m_incidentId <= 0) {
        start();
        return true;
    }
    // Record before acting: the session opens only once command.started is on disk.
    m_awaitingRecord = true;
    m_audit->recordStarted(m_incidentId, m_auditRecord, this, [this](bool recorded, const QString& why) {
        m_awaitingRecord = false;
        if (!recorded) {
            DbaActionResult r;
            r.message = tr("Nothing ran: the start of this action could not be recorded on incident %1's timeline, "
                           "and an action runs only once its start is on disk. The store said: %2")
                            .arg(m_incidentId)
                            .arg(why);
            finish(r);
            return;
        }
        m_startRecorded = true;
        start();
    });
    return true;
}

void DbaActions::start()
{
    const DbaAction& action = m_action;
    if (action.source.startsWith(u"dba:terminate"_s) || action.source.startsWith(u"dba:cancel"_s)) {
        if (action.targets.isEmpty()) {
            QTimer::singleShot(0, this, [this] { // asynchronous, like every other outcome
                DbaActionResult r;
                r.message = tr("Nothing to do: no session may be signalled.");
                finish(r);
            });
            return;
        }
    }
    m_connecting = true;
    m_session->open();
}

void DbaActions::onConnected(int pid)
{
    m_connecting = false;
    Q_EMIT writeSessionOpened(pid);
    m_running = m_session->execute(m_action.query);
}

void DbaActions::onConnectFailed(const QString& error)
{
    if (!m_connecting)
        return;
    m_connecting = false;
    DbaActionResult r;
    r.message = tr("Could not open the write session: %1").arg(error);
    if (error.contains(u"too many"_s) || error.contains(u"reserved"_s))
        r.message += tr(" (the pool is exhausted: only a role that may use the reserved connections, such as a "
                        "superuser or the RDS master user, can get in)");
    finish(r);
}

QString DbaActions::explain(const PgResult& result)
{
    if (result.ok())
        return {};
    if (result.error.sqlState == u"42501"_s)
        return tr("Missing privilege: %1. The console's role needs pg_signal_backend (or to be a member of the "
                  "session's role) to cancel or terminate, and ownership of the table for indexes and ANALYZE.")
            .arg(result.error.message);
    return result.summary();
}

void DbaActions::onQueryFinished(quint64 id, const PgResult& result)
{
    if (id != m_running)
        return;
    m_running = 0;
    DbaActionResult r;
    r.result = result;
    r.ok = result.ok();
    if (!result.ok()) {
        r.message = explain(result);
    } else if (!m_action.targets.isEmpty()) {
        QSet<int> hit;
        for (const auto& row : result.rows())
            if (row.value(1).toBool())
                hit.insert(int(row.value(0).toLongLong()));
        for (const DbaSession& s : std::as_const(m_action.targets)) {
            if (hit.contains(s.pid))
                r.signalled.append(s.pid);
            else
                r.missed.append(s.pid);
        }
        r.ok = !r.signalled.isEmpty(); // a false from the server, or nobody left: "not signalled", never ok
        r.message = tr("%1 of %2 session(s) signalled").arg(r.signalled.size()).arg(m_action.targets.size());
        if (!r.missed.isEmpty())
            r.message += tr("; not signalled (ended, or pid reused by another session): %1").arg([&] {
                QStringList l;
                for (int p : std::as_const(r.missed))
                    l.append(QString::number(p));
                return l.join(u", "_s);
            }());
    } else {
        r.message = result.commandTag().isEmpty() ? tr("done") : result.commandTag();
    }
    m_session->close();
    finish(r);
}

void DbaActions::finish(const DbaActionResult& r)
{
    if (m_audit && m_incidentId > 0 && std::exchange(m_startRecorded, false)) {
        CommandOutcome outcome;
        outcome.status
            = r.ok ? u"ok"_s : (r.result.outcome == PgResult::Outcome::TimedOut ? u"timed out"_s : u"failed"_s);
        outcome.durationMs = r.result.durationMs;
        outcome.rows = r.ok ? (m_action.targets.isEmpty() ? r.result.rowsAffected() : qint64(r.signalled.size())) : -1;
        outcome.error = r.ok ? QString() : r.message;
        outcome.excerpt = r.message.left(300);
        m_audit->recordFinished(m_incidentId, m_auditRecord, outcome);
    }
    Q_EMIT finished(m_action, r);
}

#include "moc_dbaactions.cpp"
