// SPDX-License-Identifier: MIT
// The DBA monitor against its own throwaway PostgreSQL (the `pgtest` fixture): the server stopped and restarted
// during refreshes (disconnected since…, last data kept, reconnect with back-off), and frozen with SIGSTOP
// (the event loop keeps ticking; the client deadline gives up; the monitor comes back after SIGCONT).
#include "dbatestsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTimer>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace DbaTest;

class TestDbaResilience : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void serverRestartedDuringRefresh();
    void frozenServerNeverFreezesTheLoop();

private:
    PgConnectionOptions options() const;
    bool pgCtl(const QStringList& arguments);
    QMap<QString, QString> m_env;
};

void TestDbaResilience::initTestCase()
{
    const QString path = qEnvironmentVariable("PETFORCE_PGTEST_ENV");
    QFile f(path);
    if (path.isEmpty() || !f.open(QIODevice::ReadOnly))
        QSKIP("no test server: run through ctest (fixture pgtest)");
    for (const QString& line : QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts)) {
        const qsizetype eq = line.indexOf(u'=');
        if (eq > 0)
            m_env.insert(line.left(eq), line.mid(eq + 1));
    }
    QVERIFY(m_env.contains(u"PGDATA"_s));
}

PgConnectionOptions TestDbaResilience::options() const
{
    PgConnectionOptions o;
    o.conninfo = u"postgresql://%1@%2:%3/%4"_s.arg(
        m_env.value(u"PGUSER"_s), m_env.value(u"PGHOST"_s), m_env.value(u"PGPORT"_s), m_env.value(u"PGDATABASE"_s));
    o.password = m_env.value(u"PGPASSWORD"_s);
    o.connectTimeoutS = 5;
    return o;
}

bool TestDbaResilience::pgCtl(const QStringList& arguments)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    const QString pgctl = u"/usr/lib/postgresql/15/bin/pg_ctl"_s;
    const QStringList args = QStringList { u"-D"_s, m_env.value(u"PGDATA"_s) } + arguments;
    if (::geteuid() == 0)
        p.start(u"runuser"_s, QStringList { u"-u"_s, u"postgres"_s, u"--"_s, pgctl } + args);
    else
        p.start(pgctl, args);
    // a test may block; the monitor's own work is not on this path
    if (!p.waitForFinished(60000))
        return false;
    if (p.exitCode() != 0)
        qWarning() << p.readAll();
    return p.exitCode() == 0;
}

void TestDbaResilience::serverRestartedDuringRefresh()
{
    DbaMonitor monitor;
    monitor.setConnectionOptions(options());
    monitor.setIntervalMs(1000);
    QSignalSpy refreshed(&monitor, &DbaMonitor::sessionsRefreshed);
    QSignalSpy changed(&monitor, &DbaMonitor::connectionChanged);
    monitor.start();
    QVERIFY(refreshed.wait(15000));

    QVERIFY(pgCtl({ u"stop"_s, u"-m"_s, u"fast"_s, u"-w"_s }));
    QVERIFY(QTest::qWaitFor([&] { return !monitor.isConnected(); }, 10000));
    QVERIFY(monitor.disconnectedSince().isValid());
    QVERIFY(QTest::qWaitFor([&] { return !changed.isEmpty() && !changed.last().at(0).toBool(); }, 5000));
    QTest::qWait(1500); // a refresh or two while the server is down: nothing breaks
    // start again with the options it ran with (pg_ctl keeps them in postmaster.opts)
    QFile optsFile(m_env.value(u"PGDATA"_s) + u"/postmaster.opts"_s);
    QVERIFY(optsFile.open(QIODevice::ReadOnly));
    QString line = QString::fromUtf8(optsFile.readAll()).trimmed();
    optsFile.close();
    // "/usr/lib/postgresql/15/bin/postgres" "-D" "…" "-c" "listen_addresses=127.0.0.1" …
    QStringList words;
    for (QString w : line.split(u"\" \""_s))
        words.append(w.remove(u'"'));
    QStringList pgOptions;
    for (int i = 1; i < words.size(); ++i)
        if (words.at(i) == u"-c"_s && i + 1 < words.size())
            pgOptions << u"-c"_s << words.at(++i);
    QVERIFY(pgCtl({ u"start"_s, u"-w"_s, u"-l"_s, m_env.value(u"PETFORCE_PGTEST_DIR"_s) + u"/log/server.log"_s, u"-o"_s,
        pgOptions.join(u' ') }));
    refreshed.clear();
    QVERIFY(QTest::qWaitFor([&] { return monitor.isConnected(); }, 20000)); // back-off: 1, 2, 4 s...
    QVERIFY(refreshed.wait(10000));
    QVERIFY(!monitor.disconnectedSince().isValid());
}

void TestDbaResilience::frozenServerNeverFreezesTheLoop()
{
    DbaMonitor monitor;
    monitor.setConnectionOptions(options());
    monitor.setIntervalMs(1000);
    QSignalSpy refreshed(&monitor, &DbaMonitor::sessionsRefreshed);
    monitor.start();
    QVERIFY(refreshed.wait(15000));
    const int backend = monitor.ownPid();
    QVERIFY(backend > 0);

    // the event loop's heartbeat
    QElapsedTimer sinceBeat;
    qint64 worstGap = 0;
    QTimer heartbeat;
    heartbeat.setInterval(20);
    sinceBeat.start();
    connect(&heartbeat, &QTimer::timeout, this, [&] { worstGap = qMax(worstGap, sinceBeat.restart()); });
    heartbeat.start();

    ::kill(pid_t(backend), SIGSTOP); // the monitor's own backend: its next refresh hangs
    QElapsedTimer frozen;
    frozen.start();
    const bool lost = QTest::qWaitFor([&] { return !monitor.isConnected(); }, 20000);
    const qint64 gaveUpAfter = frozen.elapsed();
    ::kill(pid_t(backend), SIGCONT);
    QVERIFY2(lost, "the monitor never gave up on the frozen server");
    qInfo() << "gave up after" << gaveUpAfter << "ms; worst event-loop gap" << worstGap << "ms";
    QVERIFY(gaveUpAfter < 12000); // the deadline (7 s) + the cancel limit (2 s) + one interval
    QVERIFY2(worstGap < 500, qPrintable(QString::number(worstGap)));
    refreshed.clear();
    QVERIFY(QTest::qWaitFor([&] { return monitor.isConnected(); }, 20000));
    QVERIFY(refreshed.wait(10000));
    heartbeat.stop();
}

QTEST_GUILESS_MAIN(TestDbaResilience)
#include "tst_dbaresilience.moc"
