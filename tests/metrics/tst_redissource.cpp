// SPDX-License-Identifier: MIT
// The Redis client (hiredis's reader over QTcpSocket) and source against a redis-server of the test's own on a free
// port: values, then the server stopped mid-run (metrics stale, the event loop keeps turning), then back.
#include "services/metricsservice.h"
#include "services/redisclient.h"
#include "services/redismetricsource.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestRedisSource : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QProcess m_server;
    quint16 m_port = 0;

    bool startServer()
    {
        m_server.setProgram(u"redis-server"_s);
        m_server.setArguments({ u"--port"_s, QString::number(m_port), u"--bind"_s, u"127.0.0.1"_s, u"--save"_s, u""_s,
            u"--appendonly"_s, u"no"_s, u"--dir"_s, m_dir.path() });
        m_server.start();
        if (!m_server.waitForStarted(5000))
            return false;
        // Ready when it accepts a connection.
        for (int i = 0; i < 100; ++i) {
            QTcpSocket probe;
            probe.connectToHost(u"127.0.0.1"_s, m_port);
            if (probe.waitForConnected(100))
                return true;
            QTest::qWait(50);
        }
        return false;
    }
    void stopServer()
    {
        m_server.kill();
        m_server.waitForFinished(5000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(u"redis-server"_s).isEmpty())
            QSKIP("redis-server is not installed (scripts/setup)");
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        m_port = s.serverPort();
        s.close();
        QVERIFY(startServer());
    }
    void cleanupTestCase() { stopServer(); }

    void clientRoundTrip()
    {
        RedisClient client;
        client.setServer(u"127.0.0.1"_s, m_port);
        int answered = 0;
        RedisReply last;
        client.command({ "SET", "rate_limit:203.0.113.7", "1500" }, [&](bool ok, const RedisReply& r) {
            QVERIFY(ok);
            QCOMPARE(r.type, RedisReply::Type::Status);
            ++answered;
        });
        client.command({ "SET", "rate_limit:10.0.0.1", "3" }, [&](bool ok, const RedisReply&) { answered += ok; });
        client.command({ "MGET", "rate_limit:203.0.113.7", "nope" }, [&](bool ok, const RedisReply& r) {
            answered += ok;
            last = r;
        });
        client.command({ "NOSUCHCOMMAND" }, [&](bool ok, const RedisReply& r) {
            answered += ok;
            QVERIFY(r.isError());
        });
        QTRY_COMPARE(answered, 4);
        QCOMPARE(last.elements.size(), 2);
        QCOMPARE(last.elements[0].string, QByteArray("1500"));
        QCOMPARE(last.elements[1].type, RedisReply::Type::Nil);
    }

    void sourceValuesThenDownThenUp()
    {
        MetricsConfig config = MetricsConfig::fromYaml(
            "refresh_seconds: 1\nalert_for_seconds: 0\nalert_clear_seconds: 0\nsource_down_seconds: 2\nmetrics:\n"
            "  redis_latency: {group: infrastructure, unit: ms, source: redis, kind: ping_ms}\n"
            "  redis_memory: {group: infrastructure, unit: MB, source: redis, kind: used_memory_mb}\n"
            "  rate_limit_keys: {group: infrastructure, unit: keys, source: redis, kind: rate_limit_keys}\n"
            "  rate_limit_violations: {group: hidden, unit: /hour, source: redis, kind: rate_limit_violations}\n"
            "alerts:\n  - {rule: 'rate_limit_violations > 100/hour', severity: P2}\n",
            {});
        EnvironmentProfile profile(u"test"_s);
        profile.setValue(EnvironmentProfile::Field::RedisHost, u"127.0.0.1"_s);
        profile.setValue(EnvironmentProfile::Field::RedisPort, QString::number(m_port));
        MetricsService service;
        service.configure(config, profile, {});
        QSignalSpy stale(&service, &MetricsService::metricStaleChanged);
        service.start();
        QTRY_VERIFY_WITH_TIMEOUT(service.metric(u"rate_limit_keys"_s)->series.size() >= 1, 10000);
        QCOMPARE(service.metric(u"rate_limit_keys"_s)->series.last()->value, 2.0);
        QVERIFY(service.metric(u"redis_memory"_s)->series.last()->value > 0.1);
        QCOMPARE(service.metric(u"rate_limit_violations"_s)->series.last()->value, 1400.0);
        QTRY_COMPARE(service.alert(u"rate_limit_violations > 100/hour"_s)->state(), AlertState::State::Firing);

        const QString down = u"redis not answering for 2 s"_s;
        QVERIFY(service.alert(down));
        QCOMPARE(service.alert(down)->rule().severity, Severity::P2); // the Redis rule's
        QCOMPARE(service.alert(down)->state(), AlertState::State::Inactive);
        stopServer();
        QTRY_VERIFY_WITH_TIMEOUT(service.metric(u"redis_latency"_s)->stale, 10000);
        // The silent source is an alert of its own once it failed for 2 s.
        QTRY_COMPARE_WITH_TIMEOUT(service.alert(down)->state(), AlertState::State::Firing, 10000);
        QVERIFY(!service.sourceError(u"redis"_s).isEmpty());
        const int samples = service.metric(u"redis_latency"_s)->series.size();
        // Responsive while the source is down: the event loop keeps turning in small steps.
        QElapsedTimer t;
        t.start();
        int longest = 0;
        for (int i = 0; i < 30; ++i) {
            QElapsedTimer step;
            step.start();
            QTest::qWait(50);
            longest = std::max(longest, int(step.elapsed()));
        }
        QVERIFY2(longest < 500, qPrintable(QString::number(longest)));
        QCOMPARE(service.metric(u"redis_latency"_s)->series.size(), samples); // no false zeros while down
        QCOMPARE(service.alert(u"rate_limit_violations > 100/hour"_s)->state(), AlertState::State::Firing);

        QVERIFY(startServer());
        QTRY_VERIFY_WITH_TIMEOUT(!service.metric(u"redis_latency"_s)->stale, 15000);
        QCOMPARE(service.alert(down)->state(), AlertState::State::Resolved);
        QTRY_COMPARE_WITH_TIMEOUT(service.alert(u"rate_limit_violations > 100/hour"_s)->state(),
            AlertState::State::Resolved, 15000); // the fresh server has no counters
    }
};

QTEST_GUILESS_MAIN(TestRedisSource)
#include "tst_redissource.moc"
