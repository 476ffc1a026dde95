// SPDX-License-Identifier: MIT
// Hysteresis against the sandbox's rate-limit fault, with the shipped sandbox settings (10 s refresh, 20 s "for",
// 60 s clear): the hot IPs' rate_limit counters expire every 60 s and are rebuilt by the attack, so a read now and
// then sees them under the limit. The rule fires once and neither resolves nor refires while the fault stays
// injected (90 s watched); after heal it resolves once, after the clear time.
#include "services/metricsservice.h"
#include "services/runbookparser.h"
#include "support/sandboxenv.h"

#include <QElapsedTimer>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

class TestAlertHysteresis : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rateLimitFiresOnceWhileInjected()
    {
        QString why;
        const auto vars = SandboxEnv::load(&why);
        if (vars.isEmpty())
            QSKIP(qPrintable(why));
        EnvironmentProfile profile(u"sandbox"_s);
        profile.setValue(EnvironmentProfile::Field::RedisHost, vars.value(u"REDIS_HOST"_s));
        profile.setValue(EnvironmentProfile::Field::RedisPort, vars.value(u"REDIS_PORT"_s));
        const MetricsConfig shipped = MetricsConfig::load(u"sandbox"_s);
        QCOMPARE(shipped.alertClearMs, 60000);
        MetricsConfig config = shipped;
        config.metrics.clear(); // Redis only: the rule's source
        for (const MetricDefinition& m : shipped.metrics)
            if (m.source == MetricDefinition::Source::Redis)
                config.metrics.append(m);
        const RunbookDocument seed = RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s);
        MetricsService service;
        service.configure(config, profile, seed.runbooks);
        const QString rule = u"rate_limit_violations > 100/hour"_s;
        QVERIFY(service.alert(rule));
        QCOMPARE(service.alert(rule)->rule().clearForMs, 60000);
        QSignalSpy changes(&service, &MetricsService::alertChanged);
        auto transitions = [&](AlertState::State to) {
            int n = 0;
            for (const QList<QVariant>& c : std::as_const(changes))
                n += c.at(0).value<AlertRule>().id() == rule && c.at(1).value<AlertState::Transition>().to == to;
            return n;
        };
        service.start();
        QTRY_VERIFY_WITH_TIMEOUT(service.metric(u"rate_limit_violations"_s)->series.size() >= 1, 30000);
        QCOMPARE(service.alert(rule)->state(), AlertState::State::Inactive);

        auto heal = qScopeGuard([] { SandboxEnv::run({ u"heal"_s, u"rate-limit"_s }); });
        QString output;
        QCOMPARE(SandboxEnv::run({ u"inject"_s, u"rate-limit"_s }, &output), 0);
        QTRY_COMPARE_WITH_TIMEOUT(service.alert(rule)->state(), AlertState::State::Firing, 60000);
        const int samplesAtFire = service.metric(u"rate_limit_violations"_s)->series.size();

        // 90 s with the fault injected: the rule stays firing, no resolved and no second firing.
        QVERIFY(!QTest::qWaitFor([&] { return service.alert(rule)->state() != AlertState::State::Firing; }, 90000));
        QCOMPARE(transitions(AlertState::State::Resolved), 0);
        QCOMPARE(transitions(AlertState::State::Firing), 1);
        // What the hysteresis absorbed: reads at or under the limit while injected (each resolved the rule before).
        const MetricSeries& series = service.metric(u"rate_limit_violations"_s)->series;
        int clear = 0;
        int reads = 0;
        for (int i = samplesAtFire; i < series.size(); ++i) {
            ++reads;
            clear += series.at(i).value <= 100;
        }
        qInfo(
            "rate-limit injected: %d of %d reads in 90 s at or under the limit; the rule stayed firing", clear, reads);

        heal.dismiss();
        QCOMPARE(SandboxEnv::run({ u"heal"_s, u"rate-limit"_s }, &output), 0);
        QElapsedTimer t;
        t.start();
        QTRY_COMPARE_WITH_TIMEOUT(service.alert(rule)->state(), AlertState::State::Resolved, 60000 + 3 * 10000 + 20000);
        qInfo("rate-limit healed: resolved %.1f s after heal returned (clear time 60 s)", t.elapsed() / 1000.0);
        QVERIFY(t.elapsed() >= 50000); // not before the clear time (less a refresh period)
        QCOMPARE(transitions(AlertState::State::Resolved), 1);
        QCOMPARE(transitions(AlertState::State::Firing), 1);
    }
};

QTEST_GUILESS_MAIN(TestAlertHysteresis)
#include "tst_alerthysteresis.moc"
