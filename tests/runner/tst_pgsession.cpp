// SPDX-License-Identifier: MIT
// PgSession against a real PostgreSQL 15 (the `pgtest` fixture: tests/support/pg-test-server).
#include "services/libpq.h"
#include "services/pgsession.h"
#include "support/childtest.h"
#include "support/pgtestsession.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <memory>

using namespace Qt::StringLiterals;

namespace {
const QString Hostile = u"'; DROP TABLE victims; -- \"$(touch /tmp/x)\" `id` \\ "_s;

// Freezes processes with SIGSTOP and always thaws them, even when a check fails.
class Freezer {
public:
    ~Freezer() { thaw(); }
    void freeze(qint64 pid)
    {
        if (pid > 0 && ::kill(pid_t(pid), SIGSTOP) == 0)
            m_pids.append(pid);
    }
    void thaw()
    {
        for (qint64 pid : std::as_const(m_pids))
            ::kill(pid_t(pid), SIGCONT);
        m_pids.clear();
    }

private:
    QList<qint64> m_pids;
};
} // namespace

class TestPgSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void connectsWithSettings();
    void readOnlySession();
    void hostileValueIsData();
    void nullIsNotEmpty();
    void typesAndCommandTags();
    void errorsCarrySqlState();
    void scriptRunsSeveralStatements();
    void outsideTransaction();
    void queueKeepsOrder();
    void statementTimeout();
    void clientDeadlineCancels();
    void userCancel();
    void terminatedMidQuery();
    void autoReconnectAfterIdleTermination();
    void frozenServerNeverBlocks();
    void connectFailures_data();
    void connectFailures();
    void hostNamesResolvedWithoutBlocking();
    void missingLibpqIsExplained();

private:
    PgConnectionOptions options(const QString& purpose = u"test"_s) const;
    std::unique_ptr<PgSession> connect(const PgConnectionOptions& options);
    static PgResult exec(PgSession& s, const PgQuery& q, int timeoutMs = 10000);
    static PgResult exec(PgSession& s, const QString& sql, const QList<QVariant>& params = {})
    {
        PgQuery q;
        q.sql = sql;
        q.parameters = params;
        return exec(s, q);
    }

    QMap<QString, QString> m_env;
};

void TestPgSession::initTestCase()
{
    const QString path = qEnvironmentVariable("PETFORCE_PGTEST_ENV");
    QFile f(path);
    if (path.isEmpty() || !f.open(QIODevice::ReadOnly))
        QSKIP("no test server: run through ctest (fixture pgtest) or set PETFORCE_PGTEST_ENV");
    const auto lines = QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        const qsizetype eq = line.indexOf(u'=');
        if (eq > 0)
            m_env.insert(line.left(eq), line.mid(eq + 1));
    }
    QVERIFY(m_env.contains(u"PGPORT"_s));
}

PgConnectionOptions TestPgSession::options(const QString& purpose) const
{
    PgConnectionOptions o;
    o.conninfo = u"postgresql://%1@%2:%3/%4"_s.arg(
        m_env.value(u"PGUSER"_s), m_env.value(u"PGHOST"_s), m_env.value(u"PGPORT"_s), m_env.value(u"PGDATABASE"_s));
    o.password = m_env.value(u"PGPASSWORD"_s);
    o.purpose = purpose;
    o.connectTimeoutS = 10;
    return o;
}

std::unique_ptr<PgSession> TestPgSession::connect(const PgConnectionOptions& o)
{
    QString error;
    auto s = PgTest::open(o, &error, 15000);
    if (!s)
        qWarning() << "connect failed:" << error;
    return s;
}

PgResult TestPgSession::exec(PgSession& s, const PgQuery& q, int timeoutMs) { return PgTest::exec(s, q, timeoutMs); }

void TestPgSession::connectsWithSettings()
{
    auto s = connect(options(u"dba-view"_s));
    QVERIFY(s);
    QCOMPARE(s->state(), PgSession::State::Connected);
    QVERIFY(s->backendPid() > 0);
    QVERIFY(s->serverVersion().startsWith(u"15."_s));
    const PgResult r = exec(*s,
        u"SELECT current_setting('application_name'), current_setting('statement_timeout'), "
        "current_setting('lock_timeout'), pg_backend_pid(), current_setting('default_transaction_read_only')"_s);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.rows().size(), 1);
    const auto row = r.rows().constFirst();
    QCOMPARE(row.at(0).toString(), u"petforce-console/dba-view"_s);
    QCOMPARE(row.at(1).toString(), u"5s"_s);
    QCOMPARE(row.at(2).toString(), u"1s"_s);
    QCOMPARE(row.at(3).toLongLong(), qlonglong(s->backendPid()));
    QCOMPARE(row.at(4).toString(), u"off"_s);
    QVERIFY(!options().describe().contains(options().password));
}

void TestPgSession::readOnlySession()
{
    PgConnectionOptions o = options(u"view"_s);
    o.readOnly = true;
    auto s = connect(o);
    QVERIFY(s);
    const PgResult r = exec(*s, u"CREATE TABLE ro_attempt(i int)"_s);
    QCOMPARE(r.outcome, PgResult::Outcome::Error);
    QCOMPARE(r.error.sqlState, u"25006"_s); // read_only_sql_transaction
}

void TestPgSession::hostileValueIsData()
{
    auto s = connect(options());
    QVERIFY(s);
    QVERIFY(exec(*s, u"DROP TABLE IF EXISTS victims"_s).ok());
    QVERIFY(exec(*s, u"CREATE TABLE victims(name text)"_s).ok());
    PgResult r = exec(*s, u"SELECT $1::text AS v"_s, { Hostile });
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.rows().constFirst().constFirst().toString(), Hostile);
    r = exec(*s, u"INSERT INTO victims(name) VALUES ($1)"_s, { Hostile });
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.rowsAffected(), 1);
    r = exec(*s, u"SELECT name, count(*) OVER () FROM victims"_s);
    QVERIFY2(r.ok(), qPrintable(r.summary())); // the table is still there
    QCOMPARE(r.rows().size(), 1);
    QCOMPARE(r.rows().constFirst().at(0).toString(), Hostile);
    QVERIFY(exec(*s, u"DROP TABLE victims"_s).ok());
}

void TestPgSession::nullIsNotEmpty()
{
    auto s = connect(options());
    QVERIFY(s);
    const PgResult r = exec(*s, u"SELECT $1::text, $2::text, NULL::int, ''::text, $1::text IS NULL, $2 = ''"_s,
        { QVariant(), QString(u""_s) });
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    const auto row = r.rows().constFirst();
    QVERIFY(!row.at(0).isValid());
    QVERIFY(row.at(1).isValid());
    QCOMPARE(row.at(1).toString(), QString());
    QVERIFY(!row.at(2).isValid());
    QVERIFY(row.at(3).isValid());
    QCOMPARE(row.at(4), QVariant(true));
    QCOMPARE(row.at(5), QVariant(true));
}

void TestPgSession::typesAndCommandTags()
{
    auto s = connect(options());
    QVERIFY(s);
    PgResult r = exec(*s, u"SELECT 7::int4 AS a, true AS b, 1.5::float8 AS c, 'x'::text AS d, 12.50::numeric AS e"_s);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.columns().size(), 5);
    QCOMPARE(r.columns().at(0).name, u"a"_s);
    QCOMPARE(r.columns().at(0).typeOid, 23u);
    QCOMPARE(r.columns().at(3).typeOid, 25u);
    QCOMPARE(r.statements.constFirst().columnIndex(u"d"_s), 3);
    const auto row = r.rows().constFirst();
    QCOMPARE(row.at(0), QVariant(qlonglong(7)));
    QCOMPARE(row.at(1), QVariant(true));
    QCOMPARE(row.at(2), QVariant(1.5));
    QCOMPARE(row.at(3), QVariant(u"x"_s));
    QCOMPARE(row.at(4), QVariant(u"12.50"_s));
    QCOMPARE(r.commandTag(), u"SELECT 1"_s);
    QVERIFY(r.durationMs >= 0);

    r = exec(*s,
        u"CREATE TEMP TABLE tags(i int); INSERT INTO tags SELECT generate_series(1, 5); UPDATE tags SET i = 0 WHERE i > 2"_s);
    QCOMPARE(r.outcome, PgResult::Outcome::Error); // several statements need executeScript
    PgQuery q = PgQuery::script(
        u"CREATE TEMP TABLE tags(i int); INSERT INTO tags SELECT generate_series(1, 5); UPDATE tags SET i = 0 WHERE i > 2"_s);
    r = exec(*s, q);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.statements.size(), 3);
    QCOMPARE(r.statements.at(1).commandTag, u"INSERT 0 5"_s);
    QCOMPARE(r.commandTag(), u"UPDATE 3"_s);
    QCOMPARE(r.rowsAffected(), 3);
}

void TestPgSession::errorsCarrySqlState()
{
    auto s = connect(options());
    QVERIFY(s);
    PgResult r = exec(*s, u"SELECT * FROM no_such_table"_s);
    QCOMPARE(r.outcome, PgResult::Outcome::Error);
    QCOMPARE(r.error.sqlState, u"42P01"_s);
    QVERIFY(r.error.message.contains(u"no_such_table"_s));
    QCOMPARE(r.error.severity, u"ERROR"_s);
    QVERIFY(r.error.position > 0);
    r = exec(*s, u"SELEC 1"_s);
    QCOMPARE(r.error.sqlState, u"42601"_s);
    r = exec(*s, u"SELECT 1/$1::int"_s, { 0 });
    QCOMPARE(r.error.sqlState, u"22012"_s);
    r = exec(*s, u"SELECT 1"_s); // the session is still usable
    QVERIFY(r.ok());
    QCOMPARE(s->state(), PgSession::State::Connected);
}

void TestPgSession::scriptRunsSeveralStatements()
{
    auto s = connect(options());
    QVERIFY(s);
    PgResult r = exec(*s,
        PgQuery::script(u"DO $$ BEGIN RAISE NOTICE 'hello from the runbook'; END $$;\n"
                        "SELECT 1 AS one;\nSELECT 'a' AS x UNION ALL SELECT 'b';"_s));
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.statements.size(), 3);
    QCOMPARE(r.statements.at(1).rows.constFirst().constFirst(), QVariant(qlonglong(1)));
    QCOMPARE(r.rows().size(), 2);
    QCOMPARE(r.notices.size(), 1);
    QVERIFY(r.notices.constFirst().contains(u"hello from the runbook"_s));

    // An error in the middle: the statements before it are kept, the rest is not run.
    r = exec(*s, PgQuery::script(u"SELECT 1; SELECT * FROM missing_table; SELECT 3"_s));
    QCOMPARE(r.outcome, PgResult::Outcome::Error);
    QCOMPARE(r.error.sqlState, u"42P01"_s);
    QCOMPARE(r.statements.size(), 1);
}

void TestPgSession::outsideTransaction()
{
    auto s = connect(options());
    QVERIFY(s);
    QVERIFY(exec(*s, u"DROP TABLE IF EXISTS cic"_s).ok());
    QVERIFY(exec(*s, u"CREATE TABLE cic(i int)"_s).ok());
    // In a script (one implicit transaction) it fails, as it would in psql -1.
    PgResult r = exec(*s, PgQuery::script(u"SELECT 1; CREATE INDEX CONCURRENTLY cic_i ON cic(i)"_s));
    QCOMPARE(r.error.sqlState, u"25001"_s); // active_sql_transaction
    r = exec(*s, PgQuery::outsideTransaction(u"CREATE INDEX CONCURRENTLY cic_i ON cic(i)"_s));
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.commandTag(), u"CREATE INDEX"_s);
    // Inside an open transaction the session refuses without sending.
    QVERIFY(exec(*s, u"BEGIN"_s).ok());
    r = exec(*s, PgQuery::outsideTransaction(u"DROP INDEX CONCURRENTLY cic_i"_s));
    QCOMPARE(r.outcome, PgResult::Outcome::Error);
    QVERIFY(r.error.sqlState.isEmpty());
    QVERIFY(r.error.message.contains(u"outside a transaction"_s));
    QVERIFY(exec(*s, u"ROLLBACK"_s).ok());
    r = exec(*s, PgQuery::outsideTransaction(u"DROP INDEX CONCURRENTLY cic_i"_s));
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QVERIFY(exec(*s, u"DROP TABLE cic"_s).ok());
}

void TestPgSession::queueKeepsOrder()
{
    auto s = connect(options());
    QVERIFY(s);
    QList<quint64> order;
    QList<QVariant> values;
    QObject::connect(s.get(), &PgSession::queryFinished, [&](quint64 id, const PgResult& r) {
        order.append(id);
        values.append(r.rows().value(0).value(0));
    });
    QList<quint64> ids;
    for (int i = 0; i < 5; ++i)
        ids.append(s->execute(u"SELECT $1::int"_s, { i }));
    QVERIFY(s->queuedCount() + (s->isBusy() ? 1 : 0) == 5);
    QTRY_COMPARE(order.size(), 5);
    QCOMPARE(order, ids);
    QCOMPARE(values.last(), QVariant(qlonglong(4)));
}

void TestPgSession::statementTimeout()
{
    PgConnectionOptions o = options();
    o.statementTimeoutMs = 300;
    auto s = connect(o);
    QVERIFY(s);
    QElapsedTimer t;
    t.start();
    const PgResult r = exec(*s, u"SELECT pg_sleep(5)"_s);
    QCOMPARE(r.outcome, PgResult::Outcome::Error);
    QCOMPARE(r.error.sqlState, u"57014"_s); // query_canceled, by the server's own statement_timeout
    QVERIFY(t.elapsed() < 4000);
}

void TestPgSession::clientDeadlineCancels()
{
    PgConnectionOptions o = options();
    o.statementTimeoutMs = 0; // only the client's deadline
    auto s = connect(o);
    QVERIFY(s);
    PgQuery q;
    q.sql = u"SELECT pg_sleep(30)"_s;
    q.deadlineMs = 500;
    QElapsedTimer t;
    t.start();
    const PgResult r = exec(*s, q, 15000);
    QCOMPARE(r.outcome, PgResult::Outcome::TimedOut);
    QCOMPARE(r.error.sqlState, u"57014"_s); // PQcancel reached the server
    QVERIFY(!r.connectionDropped);
    QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
    QCOMPARE(s->state(), PgSession::State::Connected);
    QVERIFY(exec(*s, u"SELECT 1"_s).ok());
}

void TestPgSession::userCancel()
{
    PgConnectionOptions o = options();
    o.statementTimeoutMs = 0;
    auto s = connect(o);
    QVERIFY(s);
    QSignalSpy finished(s.get(), &PgSession::queryFinished);
    QSignalSpy started(s.get(), &PgSession::queryStarted);
    const quint64 id = s->execute(u"SELECT pg_sleep(30)"_s);
    const quint64 queued = s->execute(u"SELECT 2"_s);
    QVERIFY(started.wait(5000));
    QVERIFY(s->cancel(queued));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(1).value<PgResult>().outcome, PgResult::Outcome::Cancelled);
    QVERIFY(s->cancel(id));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 10000);
    const auto r = finished.at(1).at(1).value<PgResult>();
    QCOMPARE(finished.at(1).at(0).toULongLong(), id);
    QCOMPARE(r.outcome, PgResult::Outcome::Cancelled);
    QVERIFY(!s->cancel(id));
}

void TestPgSession::terminatedMidQuery()
{
    PgConnectionOptions o = options(u"victim"_s);
    o.statementTimeoutMs = 0;
    auto victim = connect(o);
    QVERIFY(victim);
    auto admin = connect(options(u"admin"_s));
    QVERIFY(admin);
    const int pid = victim->backendPid();
    QSignalSpy lost(victim.get(), &PgSession::connectionLost);
    QSignalSpy finished(victim.get(), &PgSession::queryFinished);
    QSignalSpy started(victim.get(), &PgSession::queryStarted);
    victim->execute(u"SELECT pg_sleep(30)"_s);
    QVERIFY(started.wait(5000));
    const PgResult t = exec(*admin, u"SELECT pg_terminate_backend($1)"_s, { pid });
    QVERIFY2(t.ok(), qPrintable(t.summary()));
    QCOMPARE(t.rows().constFirst().constFirst(), QVariant(true));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
    const auto r = finished.at(0).at(1).value<PgResult>();
    QVERIFY2(r.outcome == PgResult::Outcome::ConnectionLost || r.error.sqlState == u"57P01"_s, qPrintable(r.summary()));
    QTRY_COMPARE_WITH_TIMEOUT(victim->state(), PgSession::State::Disconnected, 5000);
    QCOMPARE(lost.size(), 1);
    QVERIFY(!victim->lastError().isEmpty());
    QVERIFY(victim->disconnectedSince().isValid());
    QCOMPARE(victim->backendPid(), 0);
    // A query while disconnected finishes at once as NotConnected.
    QCOMPARE(exec(*victim, u"SELECT 1"_s).outcome, PgResult::Outcome::NotConnected);

    QSignalSpy connected(victim.get(), &PgSession::connected);
    victim->reconnect();
    QVERIFY(connected.wait(10000));
    QVERIFY(victim->backendPid() != pid);
    QVERIFY(!victim->disconnectedSince().isValid());
    QVERIFY(exec(*victim, u"SELECT 1"_s).ok());
}

void TestPgSession::autoReconnectAfterIdleTermination()
{
    PgConnectionOptions o = options(u"auto"_s);
    o.autoReconnect = true;
    auto s = connect(o);
    QVERIFY(s);
    auto admin = connect(options(u"admin"_s));
    QVERIFY(admin);
    const int pid = s->backendPid();
    QSignalSpy lost(s.get(), &PgSession::connectionLost);
    QSignalSpy connected(s.get(), &PgSession::connected);
    QVERIFY(exec(*admin, u"SELECT pg_terminate_backend($1)"_s, { pid }).ok());
    QVERIFY(lost.wait(5000)); // noticed while idle
    QVERIFY2(lost.at(0).at(0).toString().contains(u"terminat"_s), qPrintable(lost.at(0).at(0).toString()));
    QVERIFY(connected.wait(10000));
    QVERIFY(s->backendPid() != pid);
}

void TestPgSession::frozenServerNeverBlocks()
{
    PgConnectionOptions o = options(u"frozen"_s);
    o.statementTimeoutMs = 0;
    o.cancelLimitMs = 1000;
    auto s = connect(o);
    QVERIFY(s);
    QFile pidFile(m_env.value(u"PGDATA"_s) + u"/postmaster.pid"_s);
    QVERIFY(pidFile.open(QIODevice::ReadOnly));
    const qint64 postmaster = pidFile.readLine().trimmed().toLongLong();
    QVERIFY(postmaster > 0);

    // The event loop must keep turning: a 20 ms timer records its longest gap.
    QElapsedTimer sinceTick;
    qint64 maxGap = 0;
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, [&] { maxGap = qMax(maxGap, sinceTick.restart()); });

    QSignalSpy started(s.get(), &PgSession::queryStarted);
    QSignalSpy finished(s.get(), &PgSession::queryFinished);
    QSignalSpy lost(s.get(), &PgSession::connectionLost);
    PgQuery q;
    q.sql = u"SELECT pg_sleep(30)"_s;
    q.deadlineMs = 1500;
    const quint64 id = s->execute(q);
    QVERIFY(started.wait(5000));
    Freezer freezer;
    freezer.freeze(s->backendPid());
    freezer.freeze(postmaster);
    sinceTick.start();
    ticker.start(20);
    QElapsedTimer t;
    t.start();

    // Meanwhile a new connection to the frozen server gives up after its connect timeout.
    PgConnectionOptions o2 = options(u"frozen-connect"_s);
    o2.connectTimeoutS = 1;
    PgSession other;
    other.setOptions(o2);
    QSignalSpy otherFailed(&other, &PgSession::connectFailed);
    other.open();

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
    const qint64 took = t.elapsed();
    const auto r = finished.at(0).at(1).value<PgResult>();
    QCOMPARE(finished.at(0).at(0).toULongLong(), id);
    QCOMPARE(r.outcome, PgResult::Outcome::TimedOut);
    QVERIFY(r.connectionDropped);
    QVERIFY2(took < 6000, qPrintable(QString::number(took))); // deadline 1.5 s + cancel limit 1 s + slack
    QCOMPARE(s->state(), PgSession::State::Disconnected);
    QCOMPARE(lost.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(otherFailed.size(), 1, 5000);
    QVERIFY2(
        otherFailed.at(0).at(0).toString().contains(u"timed out"_s), qPrintable(otherFailed.at(0).at(0).toString()));
    ticker.stop();
    QVERIFY2(maxGap < 1000, qPrintable(u"longest event loop stall %1 ms"_s.arg(maxGap)));

    freezer.thaw();
    QSignalSpy connected(s.get(), &PgSession::connected);
    s->reconnect();
    QVERIFY(connected.wait(10000));
    QVERIFY(exec(*s, u"SELECT 1"_s).ok());
}

void TestPgSession::connectFailures_data()
{
    QTest::addColumn<QString>("conninfo");
    QTest::addColumn<bool>("wrongPassword");
    QTest::addColumn<QString>("expected");
    QTest::newRow("wrong password") << QString() << true << u"password authentication failed"_s;
    QTest::newRow("nobody listening") << u"postgresql://postgres@127.0.0.1:1/postgres"_s << false
                                      << u"Connection refused"_s;
    QTest::newRow("bad conninfo") << u"postgresql://[::1"_s << false << u"IPv6 host address"_s;
}

void TestPgSession::connectFailures()
{
    QFETCH(QString, conninfo);
    QFETCH(bool, wrongPassword);
    QFETCH(QString, expected);
    PgConnectionOptions o = options();
    if (!conninfo.isEmpty())
        o.conninfo = conninfo;
    if (wrongPassword)
        o.password = u"not-the-password"_s;
    PgSession s;
    s.setOptions(o);
    QSignalSpy failed(&s, &PgSession::connectFailed);
    QSignalSpy finished(&s, &PgSession::queryFinished);
    s.open();
    s.execute(u"SELECT 1"_s); // waits for the connection, then fails with it
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
    const QString error = failed.at(0).at(0).toString();
    QVERIFY2(error.contains(expected, Qt::CaseInsensitive), qPrintable(error));
    QVERIFY(!error.contains(u"not-the-password"_s));
    QCOMPARE(s.state(), PgSession::State::Disconnected);
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(1).value<PgResult>().outcome, PgResult::Outcome::NotConnected);
}

void TestPgSession::hostNamesResolvedWithoutBlocking()
{
    // A host name is looked up asynchronously (libpq would do it synchronously, on the GUI thread) and every
    // address is tried: "localhost" resolves to ::1 and 127.0.0.1, the server listens on one of them.
    PgConnectionOptions o = options();
    o.conninfo = u"postgresql://%1@localhost:%2/%3"_s.arg(
        m_env.value(u"PGUSER"_s), m_env.value(u"PGPORT"_s), m_env.value(u"PGDATABASE"_s));
    auto s = connect(o);
    QVERIFY(s);
    QCOMPARE(exec(*s, u"SELECT 1"_s).outcome, PgResult::Outcome::Ok);

    // A name that does not resolve fails with a message that names it.
    o.conninfo = u"postgresql://postgres@no-such-host.invalid:5432/postgres"_s;
    PgSession bad;
    bad.setOptions(o);
    QSignalSpy failed(&bad, &PgSession::connectFailed);
    bad.open();
    // open() returned before the lookup finished: done synchronously, the failure would already be known here.
    QCOMPARE(bad.state(), PgSession::State::Connecting);
    QVERIFY(failed.wait(15000));
    QVERIFY2(failed.first().first().toString().contains(u"could not translate host name \"no-such-host.invalid\""_s),
        qPrintable(failed.first().first().toString()));
}

void TestPgSession::missingLibpqIsExplained()
{
    // libpq is loaded on first use (services/libpq.h), so a missing or wrong library is an error message, not a
    // console that fails to start.
    if (qEnvironmentVariableIsSet("PETFORCE_LIBPQ")) { // the child process below: no libpq to load
        PgSession s;
        s.setOptions(options());
        QSignalSpy failed(&s, &PgSession::connectFailed);
        QSignalSpy finished(&s, &PgSession::queryFinished);
        s.open();
        s.execute(u"SELECT 1"_s);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        const QString error = failed.at(0).at(0).toString();
        QVERIFY2(error.contains(u"Install the libpq5 package"_s), qPrintable(error));
        QVERIFY2(error.contains(qEnvironmentVariable("PETFORCE_LIBPQ")), qPrintable(error));
        QCOMPARE(s.state(), PgSession::State::Disconnected);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(1).value<PgResult>().outcome, PgResult::Outcome::NotConnected);
        return;
    }
    QString error;
    QVERIFY(!LibPq::load(u"/nonexistent/libpq.so.5"_s, &error));
    QVERIFY2(error.contains(u"Install the libpq5 package"_s), qPrintable(error));
    QVERIFY(!LibPq::load(u"libz.so.1"_s, &error)); // a library, but not libpq
    QVERIFY2(error.contains(u"PQconnectStartParams"_s), qPrintable(error));
    QVERIFY(LibPq::load(u"libpq.so.5"_s, &error));

    // The whole path, in a process of its own (a process loads libpq once).
    QByteArray output;
    QVERIFY2(ChildTest::passes("TestPgSession", u"missingLibpqIsExplained"_s,
                 { { u"PETFORCE_LIBPQ"_s, u"/nonexistent/libpq.so.5"_s } }, &output),
        output.constData());
}

QTEST_GUILESS_MAIN(TestPgSession)
#include "tst_pgsession.moc"
