// SPDX-License-Identifier: MIT
// How often CloudWatch is read (each read is an `aws` process, ~1 s of CPU): one batched get-metric-data per read,
// at most once per cloudwatch_refresh_seconds, never a second while one still runs, and not at all while nobody
// looks at the dashboards unless an alert rule watches one of its metrics. A fake `aws` first on PATH records its
// calls and answers only when the test writes to its fifo.
#include "services/cloudwatchmetricsource.h"
#include "services/metricsservice.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

class TestCloudWatchSchedule : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<MetricsService> m_service;

    QString logPath() const { return m_dir.filePath(u"calls.log"_s); }
    QString fifoPath() const { return m_dir.filePath(u"gate"_s); }
    int calls() const
    {
        QFile f(logPath());
        return f.open(QIODevice::ReadOnly) ? int(f.readAll().count('\n')) : 0;
    }
    MetricSource* cloudWatch() const
    {
        for (MetricSource* s : m_service->sources())
            if (s->name() == u"cloudwatch"_s)
                return s;
        return nullptr;
    }
    // Lets the running fake answer (it waits on the fifo), then waits for the values.
    bool answer()
    {
        QSignalSpy updated(m_service.get(), &MetricsService::metricUpdated);
        const int fd = ::open(QFile::encodeName(fifoPath()).constData(), O_WRONLY);
        if (fd < 0 || ::write(fd, "go\n", 3) != 3)
            return false;
        ::close(fd);
        return updated.wait(20000) && !cloudWatch()->isBusy();
    }
    void configure(const QByteArray& extra)
    {
        m_service = std::make_unique<MetricsService>();
        const MetricsConfig config = MetricsConfig::fromYaml(
            "refresh_seconds: 600\ncloudwatch_refresh_seconds: 1200\ncloudwatch_period_seconds: 60\n"
            "metrics:\n"
            "  request_rate: {group: application, unit: req/s, source: cloudwatch, namespace: PetForce/API,"
            " metric: RequestCount, dimensions: [Service=petforce-api], stat: Sum}\n"
            "  error_rate: {group: application, unit: '%', source: cloudwatch, namespace: PetForce/API,"
            " metric: ErrorRate, dimensions: [Service=petforce-api], stat: Average}\n"
                + extra,
            u"test"_s);
        QVERIFY(config.diagnostics.isEmpty());
        m_service->configure(config, EnvironmentProfile(u"test"_s), {});
        QVERIFY(cloudWatch());
        QFile::remove(logPath());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(::mkfifo(QFile::encodeName(fifoPath()).constData(), 0600) == 0);
        QFile fake(m_dir.filePath(u"aws"_s));
        QVERIFY(fake.open(QIODevice::WriteOnly));
        // Its log and gate beside itself: the console's own variables do not reach children (issue 15, finding 6).
        fake.write("#!/bin/sh\n"
                   "echo \"$*\" >> \"${0%/*}/calls.log\"\n"
                   "read line < \"${0%/*}/gate\"\n"
                   "echo '{\"MetricDataResults\": [{\"Id\": \"m0\", \"Timestamps\": [\"2026-01-01T00:00:00Z\"],"
                   " \"Values\": [120]}, {\"Id\": \"m1\", \"Timestamps\": [\"2026-01-01T00:00:00Z\"],"
                   " \"Values\": [1.5]}]}'\n");
        fake.close();
        QVERIFY(fake.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        qputenv("PATH", QFile::encodeName(m_dir.path()) + ':' + qgetenv("PATH"));
    }

    void cleanup()
    {
        if (m_service && cloudWatch() && cloudWatch()->isBusy())
            answer();
        m_service.reset();
    }

    void oneBatchedCallPerPeriodNeverTwoAtOnce()
    {
        configure({});
        m_service->start();
        QVERIFY(cloudWatch()->isBusy());
        QTRY_COMPARE(calls(), 1);
        QFile log(logPath());
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray call = log.readAll();
        QVERIFY(call.contains("cloudwatch get-metric-data"));
        QVERIFY(call.contains("\"Id\":\"m0\"") && call.contains("\"Id\":\"m1\"")); // both metrics, one process
        m_service->refreshNow(); // still running: not a second process
        QVERIFY(answer());
        QCOMPARE(calls(), 1);
        QCOMPARE(m_service->metric(u"error_rate"_s)->series.last()->value, 1.5);
        m_service->refreshNow(); // read less than cloudwatch_refresh_seconds ago: not again
        QVERIFY(!cloudWatch()->isBusy());
        QCOMPARE(calls(), 1);
    }

    void notReadWhileHiddenUnlessAnAlertNeedsIt()
    {
        configure({});
        m_service->setDashboardsShown(false);
        m_service->start();
        QVERIFY(!m_service->feedsAlerts(cloudWatch()));
        QVERIFY(!cloudWatch()->isBusy()); // nobody looks and no rule watches: no aws process
        m_service->refreshNow();
        QVERIFY(!cloudWatch()->isBusy());
        m_service->setDashboardsShown(true); // shown again: the overdue read starts at once
        QVERIFY(cloudWatch()->isBusy());
        QVERIFY(answer());
        QCOMPARE(calls(), 1);

        configure("alerts:\n  - {rule: 'error_rate > 5%', severity: P0}\n");
        QVERIFY(m_service->feedsAlerts(cloudWatch()));
        m_service->setDashboardsShown(false);
        m_service->start();
        QVERIFY(cloudWatch()->isBusy()); // hidden, but a rule watches error_rate: alerts never go blind
        QVERIFY(answer());
    }

    // The sandbox without its AWS part: no CloudWatch source and no aws process; its metrics say why.
    void noCallWhenTheSandboxAwsIsOff()
    {
        m_service = std::make_unique<MetricsService>();
        const MetricsConfig config = MetricsConfig::fromYaml(
            "metrics:\n  error_rate: {group: application, unit: '%', source: cloudwatch, namespace: PetForce/API,"
            " metric: ErrorRate, dimensions: [Service=petforce-api], stat: Average}\n",
            u"test"_s);
        EnvironmentProfile profile(u"sandbox"_s);
        profile.setAwsOff(u"the sandbox's AWS part is off: moto_server is not installed"_s);
        QFile::remove(logPath());
        m_service->configure(config, profile, {});
        QVERIFY(!cloudWatch());
        m_service->start();
        m_service->refreshNow();
        QCOMPARE(calls(), 0);
        QVERIFY(m_service->metric(u"error_rate"_s)->stale);
        QCOMPARE(m_service->metric(u"error_rate"_s)->error, profile.awsOff());
    }
};

QTEST_GUILESS_MAIN(TestCloudWatchSchedule)
#include "tst_cloudwatchschedule.moc"
