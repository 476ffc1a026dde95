// SPDX-License-Identifier: MIT
// The seed's five rules against the sandbox's five faults: with each fault injected, its rule fires within two
// refresh periods (plus the rule's short "for" and the time CloudWatch needs for a new datapoint) while the other
// rules stay quiet (except what the fault really causes: an exhausted pool raises the API's errors and
// latency); after heal it resolves. Short refresh and "for" here; the shipped config is used otherwise.
#include "services/metricsservice.h"
#include "services/runbookparser.h"
#include "support/sandboxenv.h"

#include <QElapsedTimer>
#include <QScopeGuard>
#include <QTest>

using namespace Qt::StringLiterals;

class TestMetricFaults : public QObject {
    Q_OBJECT
    std::unique_ptr<MetricsService> m_service;

    AlertState::State stateOf(const QString& rule) const { return m_service->alert(rule)->state(); }
    bool firing(const QString& rule) const { return stateOf(rule) == AlertState::State::Firing; }
    bool needsAws(const QString& rule) const
    {
        const MetricDefinition* m = m_service->config().metric(m_service->alert(rule)->rule().metric());
        return m && m->source == MetricDefinition::Source::CloudWatch;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString why;
        const auto vars = SandboxEnv::load(&why);
        if (vars.isEmpty())
            QSKIP(qPrintable(why));
        EnvironmentProfile profile(u"sandbox"_s);
        profile.setValue(EnvironmentProfile::Field::EndpointUrl, vars.value(u"AWS_ENDPOINT_URL"_s));
        profile.setValue(EnvironmentProfile::Field::Region, vars.value(u"AWS_DEFAULT_REGION"_s, u"us-east-1"_s));
        profile.setValue(EnvironmentProfile::Field::RedisHost, vars.value(u"REDIS_HOST"_s));
        profile.setValue(EnvironmentProfile::Field::RedisPort, vars.value(u"REDIS_PORT"_s));
        profile.setValue(EnvironmentProfile::Field::DatabaseUrl, vars.value(u"DATABASE_URL"_s));
        profile.setPasswordEnv(u"PGPASSWORD"_s);
        profile.setAwsOff(SandboxEnv::awsOff()); // then no CloudWatch source: its rules are skipped below
        MetricsConfig config = MetricsConfig::load(u"sandbox"_s);
        config.refreshMs = 10000;
        config.alertForMs = 5000;
        config.alertClearMs = 5000; // heal → resolved within the budget below (tst_alerthysteresis: the shipped 60 s)
        config.cloudWatchPeriodS = 10; // drill speed: the shipped sandbox profile reads CloudWatch once a minute
        config.cloudWatchRefreshMs = 10000;
        const RunbookDocument seed = RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s);
        m_service = std::make_unique<MetricsService>();
        m_service->configure(config, profile, seed.runbooks);
        qsizetype seedRules = 0;
        for (const AlertState& a : m_service->alerts())
            seedRules += a.rule().source.isEmpty();
        QCOMPARE(seedRules, qsizetype(5)); // and one source-down rule per source
        m_service->start();
        // Every rule's metric has data and every rule is quiet before the first fault.
        for (const AlertState& a : m_service->alerts()) {
            if (!a.rule().source.isEmpty())
                continue;
            const QString metric = m_service->config().metric(a.rule().metric())->name;
            if (needsAws(a.rule().id()) && !SandboxEnv::awsOff().isEmpty())
                continue;
            QTRY_VERIFY2_WITH_TIMEOUT(m_service->metric(metric)->series.size() >= 1, qPrintable(metric), 60000);
        }
        for (const AlertState& a : m_service->alerts())
            QVERIFY2(!firing(a.rule().id()), qPrintable(a.rule().id()));
    }

    void cleanupTestCase()
    {
        if (m_service)
            SandboxEnv::run({ u"heal"_s });
    }

    void faultFiresItsRule_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QStringList>("consequences"); // rules the fault really trips too (scripts/sandbox.d/README)
        QTest::newRow("error-rate") << u"error-rate"_s << u"error_rate > 5%"_s << QStringList();
        QTest::newRow("latency") << u"latency"_s << u"p99_latency > 1000ms"_s << QStringList();
        // An exhausted pool makes the API's new connections fail and wait: its errors and latency go up for real.
        QTest::newRow("pool-exhausted") << u"pool-exhausted"_s << u"db_pool_available < 2"_s
                                        << QStringList { u"error_rate > 5%"_s, u"p99_latency > 1000ms"_s };
        QTest::newRow("rate-limit") << u"rate-limit"_s << u"rate_limit_violations > 100/hour"_s << QStringList();
        QTest::newRow("memory-leak") << u"memory-leak"_s << u"memory_usage > 90%"_s << QStringList();
    }
    void faultFiresItsRule()
    {
        QFETCH(QString, fault);
        QFETCH(QString, rule);
        QFETCH(QStringList, consequences);
        QVERIFY(m_service->alert(rule));
        if (needsAws(rule))
            PETFORCE_SANDBOX_NEEDS_AWS();
        QString output;
        auto heal = qScopeGuard([&] { SandboxEnv::run({ u"heal"_s, fault }); }); // also when a check fails
        QCOMPARE(SandboxEnv::run({ u"inject"_s, fault }, &output), 0);
        QElapsedTimer t;
        t.start();
        const int refresh = m_service->config().refreshMs;
        // Two refresh periods, the rule's "for", and one CloudWatch period for the first datapoint that shows it.
        const int budget = 2 * refresh + int(m_service->alert(rule)->rule().forMs) + 10000;
        QTRY_VERIFY_WITH_TIMEOUT(firing(rule), budget + 20000);
        const qint64 fired = t.elapsed();
        qInfo("%s: %s firing %.1f s after inject returned (budget %.1f s)", qPrintable(fault), qPrintable(rule),
            fired / 1000.0, budget / 1000.0);
        QVERIFY2(fired <= budget, qPrintable(u"fired after %1 ms"_s.arg(fired)));
        QStringList noisy;
        for (const AlertState& a : m_service->alerts())
            if (a.rule().id() != rule && !consequences.contains(a.rule().id())
                && a.state() == AlertState::State::Firing)
                noisy.append(a.rule().id() + u" = "_s + QString::number(a.lastValue().value_or(0)));
        QVERIFY2(noisy.isEmpty(), qPrintable(noisy.join(u", "_s)));

        heal.dismiss();
        QCOMPARE(SandboxEnv::run({ u"heal"_s, fault }, &output), 0);
        t.restart();
        QTRY_VERIFY_WITH_TIMEOUT(stateOf(rule) == AlertState::State::Resolved, 3 * refresh + 20000);
        qInfo("%s: resolved %.1f s after heal returned", qPrintable(fault), t.elapsed() / 1000.0);
        // Every rule quiet again before the next fault.
        for (const AlertState& a : m_service->alerts())
            QTRY_VERIFY2_WITH_TIMEOUT(!firing(a.rule().id()), qPrintable(a.rule().id()), 3 * refresh + 20000);
    }
};

QTEST_GUILESS_MAIN(TestMetricFaults)
#include "tst_metricfaults.moc"
