// SPDX-License-Identifier: MIT
// The PostgreSQL source against a pgtest server of its own (never the shared sandbox): pool metrics, then the
// server frozen with SIGSTOP (its postmaster and our backend) — metrics stale, event loop responsive — then
// SIGCONT and recovery.
#include "services/metricsservice.h"
#include "services/pgmetricsource.h"
#include "services/pgsession.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

class TestPgSourceFrozen : public QObject {
    Q_OBJECT
    QMap<QString, QString> m_env;

private Q_SLOTS:
    void initTestCase()
    {
        const QString path = qEnvironmentVariable("PETFORCE_PGTEST_ENV");
        QFile f(path);
        if (path.isEmpty() || !f.open(QIODevice::ReadOnly))
            QSKIP("no test server: run through ctest (fixture pgtest) or set PETFORCE_PGTEST_ENV");
        for (const QString& line : QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts)) {
            const qsizetype eq = line.indexOf(u'=');
            if (eq > 0)
                m_env.insert(line.left(eq), line.mid(eq + 1));
        }
        QVERIFY(m_env.contains(u"PGDATA"_s));
    }

    void frozenThenThawed()
    {
        qputenv("PETFORCE_TEST_PGPASSWORD", m_env.value(u"PGPASSWORD"_s).toUtf8());
        EnvironmentProfile profile(u"test"_s);
        profile.setValue(EnvironmentProfile::Field::DatabaseUrl,
            u"postgresql://%1@%2:%3/%4"_s.arg(m_env.value(u"PGUSER"_s), m_env.value(u"PGHOST"_s),
                m_env.value(u"PGPORT"_s), m_env.value(u"PGDATABASE"_s)));
        profile.setPasswordEnv(u"PETFORCE_TEST_PGPASSWORD"_s);
        const MetricsConfig config = MetricsConfig::fromYaml("refresh_seconds: 1\nmetrics:\n"
                                                             "  connection_pool_usage: {group: database, unit: '%',"
                                                             " source: postgres, kind: pool_usage}\n"
                                                             "  db_pool_available: {group: hidden, unit: connections,"
                                                             " source: postgres, kind: pool_available}\n",
            {});
        MetricsService service;
        service.configure(config, profile, {});
        service.start();
        QTRY_VERIFY_WITH_TIMEOUT(service.metric(u"db_pool_available"_s)->series.size() >= 2, 15000);
        QVERIFY(service.metric(u"connection_pool_usage"_s)->series.last()->value > 0);
        auto* source = qobject_cast<PgMetricSource*>(service.sources().value(0));
        QVERIFY(source);
        const int backend = source->session()->backendPid();
        QVERIFY(backend > 0);
        QFile pidFile(m_env.value(u"PGDATA"_s) + u"/postmaster.pid"_s);
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const int postmaster = pidFile.readLine().trimmed().toInt();
        QVERIFY(postmaster > 0);

        ::kill(postmaster, SIGSTOP);
        ::kill(backend, SIGSTOP);
        QTRY_VERIFY_WITH_TIMEOUT(service.metric(u"db_pool_available"_s)->stale, 15000);
        int longest = 0;
        for (int i = 0; i < 20; ++i) {
            QElapsedTimer step;
            step.start();
            QTest::qWait(50);
            longest = std::max(longest, int(step.elapsed()));
        }
        const int samples = service.metric(u"db_pool_available"_s)->series.size();
        ::kill(backend, SIGCONT);
        ::kill(postmaster, SIGCONT);
        QVERIFY2(longest < 500, qPrintable(QString::number(longest)));
        QTRY_VERIFY_WITH_TIMEOUT(!service.metric(u"db_pool_available"_s)->stale, 20000);
        QVERIFY(service.metric(u"db_pool_available"_s)->series.size() > samples);
    }
};

QTEST_GUILESS_MAIN(TestPgSourceFrozen)
#include "tst_pgsourcefrozen.moc"
