// SPDX-License-Identifier: MIT
// The Prometheus source against a real prometheus (Debian's package) of the test's own, scraping itself on a
// free loopback port: query_range answers become samples; a stopped server makes the metric stale.
#include "services/metricsservice.h"

#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestPrometheusSource : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QProcess m_server;
    quint16 m_port = 0;

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(u"prometheus"_s).isEmpty())
            QSKIP("prometheus is not installed (scripts/setup installs it from scripts/setup.packages)");
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        m_port = s.serverPort();
        s.close();
        QFile config(m_dir.filePath(u"prometheus.yml"_s));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
                     "  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:"
            + QByteArray::number(m_port) + "']\n");
        config.close();
        m_server.setProgram(u"prometheus"_s);
        m_server.setArguments(
            { u"--config.file="_s + config.fileName(), u"--storage.tsdb.path="_s + m_dir.filePath(u"data"_s),
                u"--web.listen-address=127.0.0.1:"_s + QString::number(m_port) });
        m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_server.start();
        QVERIFY(m_server.waitForStarted(10000));
    }
    void cleanupTestCase()
    {
        m_server.terminate();
        if (!m_server.waitForFinished(10000))
            m_server.kill();
    }

    void queryRangeThenDown()
    {
        const MetricsConfig config = MetricsConfig::fromYaml(
            "refresh_seconds: 1\nprometheus_url: http://127.0.0.1:" + QByteArray::number(m_port)
                + "\nmetrics:\n"
                  "  active_users: {group: business, unit: count, source: prometheus, query: 'up{job=\"self\"}'}\n"
                  "  redis_memory: {group: infrastructure, unit: MB, source: prometheus, scale: 0.00000095367431640625,"
                  " query: 'process_resident_memory_bytes{job=\"self\"}'}\n",
            {});
        MetricsService service;
        service.configure(config, EnvironmentProfile(u"test"_s), {});
        service.start();
        // Prometheus needs a scrape or two before the series exist.
        QTRY_VERIFY_WITH_TIMEOUT(service.metric(u"active_users"_s)->series.size() >= 1, 30000);
        QCOMPARE(service.metric(u"active_users"_s)->series.last()->value, 1.0);
        QTRY_VERIFY_WITH_TIMEOUT(service.metric(u"redis_memory"_s)->series.size() >= 1, 30000);
        QVERIFY(service.metric(u"redis_memory"_s)->series.last()->value > 5); // MB resident: a real process

        m_server.terminate();
        QVERIFY(m_server.waitForFinished(10000));
        QTRY_VERIFY_WITH_TIMEOUT(service.metric(u"active_users"_s)->stale, 10000);
    }
};

QTEST_GUILESS_MAIN(TestPrometheusSource)
#include "tst_prometheussource.moc"
