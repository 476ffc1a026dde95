// SPDX-License-Identifier: MIT
// Models and parsers of the dashboards, without servers: MetricSeries (ring buffer, decimation), the alert state
// machine on a manual clock, metrics.yaml with the seed's rules, CloudWatch and Prometheus answers.
#include "models/alertrule.h"
#include "models/incidentclock.h"
#include "models/metricseries.h"
#include "services/cloudwatchmetricsource.h"
#include "services/metricsconfig.h"
#include "services/metricsservice.h"
#include "services/prometheusmetricsource.h"
#include "services/runbookparser.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

class TestMetricModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void ringBufferKeepsNewest()
    {
        MetricSeries s(4);
        for (int i = 0; i < 6; ++i)
            QVERIFY(s.append(i * 1000, i));
        QCOMPARE(s.size(), 4);
        QCOMPARE(s.at(0).value, 2.0);
        QCOMPARE(s.last()->value, 5.0);
        QVERIFY(!s.append(1000, 9)); // older than the last: refused
        QCOMPARE(s.nearest(3400)->value, 3.0);
    }

    void decimationKeepsExtremes_data()
    {
        QTest::addColumn<int>("buckets");
        QTest::newRow("100 px") << 100;
        QTest::newRow("600 px") << 600;
        QTest::newRow("1 px") << 1;
    }
    void decimationKeepsExtremes()
    {
        QFETCH(int, buckets);
        MetricSeries s(8640);
        for (int i = 0; i < 8640; ++i)
            s.append(qint64(i) * 10000, std::sin(i / 50.0) * 10 + (i == 4321 ? 1000 : 0) - (i == 77 ? 500 : 0));
        const QList<QPointF> points = s.decimated(0, 8639LL * 10000, buckets);
        QVERIFY(points.size() <= 2 * buckets);
        double hi = -1e9;
        double lo = 1e9;
        for (qsizetype i = 0; i < points.size(); ++i) {
            hi = std::max(hi, points[i].y());
            lo = std::min(lo, points[i].y());
            if (i > 0)
                QVERIFY(points[i].x() >= points[i - 1].x()); // time order
        }
        QVERIFY(hi > 900); // the spike (about +1000) survives
        QVERIFY(lo < -400); // and the dip (about -500)
    }

    void fewSamplesAreKeptAsIs()
    {
        MetricSeries s(100);
        for (int i = 0; i < 10; ++i)
            s.append(i * 1000, i);
        QCOMPARE(s.decimated(0, 9000, 300).size(), 10);
        QCOMPARE(s.decimated(2000, 4000, 300).size(), 3);
    }

    void alertStateMachine()
    {
        MonotonicWallClock clock = MonotonicWallClock::manual(1'700'000'000'000);
        AlertRule rule;
        rule.condition = *RunbookAlert::parse(u"error_rate > 5%");
        rule.forMs = 30000;
        AlertState state(rule);
        using S = AlertState::State;
        QVERIFY(!state.update(1.0, clock.nowMs()));
        QCOMPARE(state.state(), S::Inactive);
        auto t = state.update(8.0, clock.nowMs());
        QVERIFY(t);
        QCOMPARE(t->to, S::Pending);
        clock.advance(10000);
        QVERIFY(!state.update(9.0, clock.nowMs())); // still pending
        clock.advance(10000);
        QVERIFY(!state.update(std::nullopt, clock.nowMs())); // no data: nothing changes
        QCOMPARE(state.state(), S::Pending);
        clock.advance(10000);
        t = state.update(9.5, clock.nowMs());
        QVERIFY(t);
        QCOMPARE(t->to, S::Firing);
        QCOMPARE(t->value, 9.5);
        QCOMPARE(state.sinceMs(), clock.nowMs());
        clock.advance(5000);
        QVERIFY(!state.update(std::nullopt, clock.nowMs())); // a silent source never resolves an alert
        t = state.update(2.0, clock.nowMs());
        QVERIFY(t);
        QCOMPARE(t->from, S::Firing);
        QCOMPARE(t->to, S::Resolved);
        // Flapping: a short blip goes pending and back, never firing.
        t = state.update(6.0, clock.nowMs());
        QCOMPARE(t->to, S::Pending);
        clock.advance(1000);
        t = state.update(4.0, clock.nowMs());
        QCOMPARE(t->to, S::Inactive);
    }

    void hysteresis()
    {
        // A firing rule resolves only after its samples stayed clear for clearForMs; a firing sample meanwhile
        // keeps it firing without any transition (the rate-limit counter's dips: no resolved → firing flapping).
        MonotonicWallClock clock = MonotonicWallClock::manual(1'700'000'000'000);
        AlertRule rule;
        rule.condition = *RunbookAlert::parse(u"rate_limit_violations > 100/hour");
        rule.forMs = 20000;
        rule.clearForMs = 60000;
        AlertState state(rule);
        using S = AlertState::State;
        QCOMPARE(state.update(1400.0, clock.nowMs())->to, S::Pending);
        clock.advance(20000);
        QCOMPARE(state.update(1400.0, clock.nowMs())->to, S::Firing);
        const qint64 firedAt = clock.nowMs();
        clock.advance(10000);
        QVERIFY(!state.update(0.0, clock.nowMs())); // a dip: clearing, still firing
        QCOMPARE(state.state(), S::Firing);
        QCOMPARE(state.clearSinceMs(), clock.nowMs());
        clock.advance(10000);
        QVERIFY(!state.update(1100.0, clock.nowMs())); // firing again: no transition, the clear time restarts
        QCOMPARE(state.clearSinceMs(), qint64(0));
        QCOMPARE(state.sinceMs(), firedAt);
        clock.advance(10000);
        QVERIFY(!state.update(50.0, clock.nowMs()));
        const qint64 clearFrom = clock.nowMs();
        clock.advance(30000);
        QVERIFY(!state.update(std::nullopt, clock.nowMs())); // no data counts for nothing
        QVERIFY(!state.update(20.0, clock.nowMs()));
        clock.advance(29999);
        QVERIFY(!state.update(20.0, clock.nowMs())); // 1 ms short of 60 s clear
        QCOMPARE(state.state(), S::Firing);
        clock.advance(1);
        const auto t = state.update(20.0, clock.nowMs());
        QVERIFY(t);
        QCOMPARE(t->from, S::Firing);
        QCOMPARE(t->to, S::Resolved);
        QCOMPARE(t->atMs, clearFrom + 60000);
        QCOMPARE(state.clearSinceMs(), qint64(0));
        // Without hysteresis (clearForMs 0) the first clear sample resolves, as before.
        rule.clearForMs = 0;
        AlertState quick(rule);
        quick.update(1400.0, clock.nowMs());
        clock.advance(20000);
        QCOMPARE(quick.update(1400.0, clock.nowMs())->to, S::Firing);
        QCOMPARE(quick.update(0.0, clock.nowMs())->to, S::Resolved);
    }

    void clearSecondsFromConfig()
    {
        const MetricsConfig config = MetricsConfig::fromYaml(
            "alert_clear_seconds: 45\nsource_down_seconds: 12\n"
            "metrics:\n  cpu_utilization: {group: infrastructure, unit: '%', source: prometheus, query: up}\n"
            "alerts:\n  - {rule: 'cpu_utilization > 90%', severity: P1, clear_seconds: 300}\n"
            "  - {rule: 'cpu_utilization > 99%', severity: P0}\n",
            {});
        QCOMPARE(config.alertClearMs, 45000);
        QCOMPARE(config.sourceDownForMs, 12000);
        QCOMPARE(config.extraRules.at(0).clearForMs, 300000);
        QCOMPARE(config.extraRules.at(1).clearForMs, 45000);
        const MetricsConfig shipped = MetricsConfig::load(u"sandbox"_s);
        QCOMPARE(shipped.alertClearMs, 60000);
        QCOMPARE(shipped.sourceDownForMs, 30000);
        const RunbookDocument doc = RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s);
        for (const AlertRule& rule : shipped.rules(doc.runbooks))
            QCOMPARE(rule.clearForMs, 60000);
    }

    void sourceDownFiresAndResolves()
    {
        // A source that stops answering is an alert of its own, as severe as the worst rule it blinds.
        const MetricsConfig config = MetricsConfig::fromYaml("alert_for_seconds: 0\nalert_clear_seconds: 20\n"
                                                             "source_down_seconds: 30\nmetrics:\n"
                                                             "  db_pool_available: {group: hidden, unit: connections,"
                                                             " source: postgres, kind: pool_available}\n"
                                                             "  redis_latency: {group: infrastructure, unit: ms,"
                                                             " source: redis, kind: ping_ms}\n"
                                                             "alerts:\n  - {rule: 'db_pool_available < 2',"
                                                             " severity: P0, runbook: Pool}\n",
            {});
        MetricsService service;
        MonotonicWallClock clock = MonotonicWallClock::manual(1'700'000'000'000);
        service.setClock(&clock);
        service.configure(config, EnvironmentProfile(u"test"_s), {}); // not started: no reads
        const AlertState* pg = service.alert(u"postgres not answering for 30 s"_s);
        const AlertState* redis = service.alert(u"redis not answering for 30 s"_s);
        QVERIFY(pg && redis);
        QCOMPARE(pg->rule().severity, Severity::P0); // a P0 rule goes blind
        QCOMPARE(pg->rule().blinds, QStringList { u"db_pool_available < 2"_s });
        QCOMPARE(redis->rule().severity, Severity::P3); // no rule watches Redis
        QSignalSpy changes(&service, &MetricsService::alertChanged);
        using S = AlertState::State;

        service.markStale(u"postgres"_s, u"connection refused"_s);
        QCOMPARE(service.alert(pg->rule().id())->state(), S::Pending);
        clock.advance(15000);
        service.markStale(u"postgres"_s, u"connection refused"_s);
        QCOMPARE(service.alert(pg->rule().id())->state(), S::Pending);
        clock.advance(15000);
        service.markStale(u"postgres"_s, u"connection refused"_s);
        QCOMPARE(service.alert(pg->rule().id())->state(), S::Firing);
        QCOMPARE(service.sourceError(u"postgres"_s), u"connection refused"_s);
        QCOMPARE(service.alert(redis->rule().id())->state(), S::Inactive); // only the failing source
        QCOMPARE(service.alert(u"db_pool_available < 2"_s)->state(), S::Inactive); // blind, not firing
        QCOMPARE(changes.size(), 2);
        QCOMPARE(changes.last().at(0).value<AlertRule>().id(), pg->rule().id());

        service.markAnswered(u"postgres"_s);
        QCOMPARE(service.alert(pg->rule().id())->state(), S::Firing); // clearing: hysteresis as any rule
        QVERIFY(service.sourceError(u"postgres"_s).isEmpty());
        clock.advance(20000);
        service.markAnswered(u"postgres"_s);
        QCOMPARE(service.alert(pg->rule().id())->state(), S::Resolved);
        QCOMPARE(changes.size(), 3);
    }

    void shippedConfigWithSeedRules()
    {
        const RunbookDocument doc = RunbookParser::parseFile(u":/runbooks/petforce-operational-runbook.md"_s);
        const MetricsConfig config = MetricsConfig::load(u"sandbox"_s);
        QVERIFY2(config.diagnostics.isEmpty(), qPrintable(config.diagnostics.value(0).toString()));
        QCOMPARE(config.refreshMs, 10000);
        QCOMPARE(config.dashboards.size(), 4);
        const QStringList seedMetrics { u"request_rate"_s, u"error_rate"_s, u"p50_latency"_s, u"p99_latency"_s,
            u"success_rate"_s, u"connection_pool_usage"_s, u"query_latency"_s, u"slow_queries"_s, u"deadlocks"_s,
            u"cpu_utilization"_s, u"memory_utilization"_s, u"disk_usage"_s, u"network_throughput"_s,
            u"households_created"_s, u"join_requests"_s, u"active_users"_s };
        for (const QString& name : seedMetrics)
            QVERIFY2(config.metric(name), qPrintable(name));
        const QList<AlertRule> rules = config.rules(doc.runbooks);
        QCOMPARE(rules.size(), 5);
        for (const AlertRule& rule : rules) {
            QVERIFY2(config.metric(rule.metric()), qPrintable(rule.id())); // every seed rule has a metric
            QVERIFY(!rule.runbookTitle.isEmpty());
            QCOMPARE(rule.forMs, 20000);
        }
        QCOMPARE(config.metric(u"memory_usage"_s)->name, u"memory_utilization"_s);
        QCOMPARE(rules.first().severity, Severity::P0);
    }

    void userRulesInTheRunbookForm()
    {
        const MetricsConfig config = MetricsConfig::fromYaml(
            "refresh_seconds: 2\nmetrics:\n  cpu_utilization: {group: infrastructure, unit: '%', source: prometheus,"
            " query: 'up'}\nalerts:\n  - {rule: 'cpu_utilization > 90%', severity: P1, for_seconds: 5}\n"
            "  - {rule: 'not a rule'}\n",
            u"production"_s);
        QCOMPARE(config.refreshMs, 2000);
        QCOMPARE(config.extraRules.size(), 1);
        QCOMPARE(config.extraRules.first().severity, Severity::P1);
        QCOMPARE(config.extraRules.first().forMs, 5000);
        QCOMPARE(config.diagnostics.size(), 1); // the bad rule is reported, not dropped silently
    }

    void serviceEvaluatesAndMarksStale()
    {
        MetricsConfig config = MetricsConfig::fromYaml(
            "alert_for_seconds: 0\nmetrics:\n  error_rate: {group: application, unit: '%', source: none}\n"
            "alerts:\n  - {rule: 'error_rate > 5%', severity: P0, runbook: High Error Rate}\n",
            {});
        MetricsService service;
        MonotonicWallClock clock = MonotonicWallClock::manual(1'700'000'000'000);
        service.setClock(&clock);
        service.configure(config, EnvironmentProfile(u"test"_s), {});
        QSignalSpy alerts(&service, &MetricsService::alertChanged);
        service.addSamples({ { u"error_rate"_s, 1.0 } }, clock.nowMs());
        QCOMPARE(alerts.size(), 0);
        service.addSamples({ { u"error_rate"_s, 9.0 } }, clock.nowMs());
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(service.alert(u"error_rate > 5%"_s)->state(), AlertState::State::Firing);
        QCOMPARE(service.metric(u"error_rate"_s)->series.size(), 2);
        QVERIFY(!service.metric(u"error_rate"_s)->stale);
    }

    void cloudWatchBatch()
    {
        AwsCliOptions options;
        CloudWatchMetricSource source(options, 10);
        MetricDefinition a;
        a.name = u"error_rate"_s;
        a.cwNamespace = u"PetForce/API"_s;
        a.cwMetric = u"ErrorRate"_s;
        a.cwDimensions = { u"Service=petforce-api"_s };
        MetricDefinition b = a;
        b.name = u"request_rate"_s;
        b.cwMetric = u"RequestCount"_s;
        b.cwStat = u"Sum"_s;
        b.perSecond = true;
        MetricDefinition c = a;
        c.name = u"p99_latency"_s;
        source.setMetrics({ a, b, c });
        const QByteArray queries = source.queriesJson();
        QVERIFY(queries.contains(R"("Id":"m1")"));
        QVERIFY(queries.contains(R"("Name":"Service","Value":"petforce-api")"));
        const QByteArray out = R"({"MetricDataResults":[
            {"Id":"m0","Timestamps":[1795714106,1795714116],"Values":[0.36,9.5],"StatusCode":"Complete"},
            {"Id":"m1","Timestamps":["2026-11-26T17:30:00Z"],"Values":[500.0],"StatusCode":"Complete"},
            {"Id":"m2","Timestamps":[],"Values":[],"StatusCode":"Complete"}]})";
        const auto values = source.parseOutput(out);
        QCOMPARE(values.value(u"error_rate"_s), 9.5); // the newest datapoint, whatever the order
        QCOMPARE(values.value(u"request_rate"_s), 50.0);
        QVERIFY(!values.contains(u"p99_latency"_s)); // no datapoint: absent, not zero
    }

    void prometheusAnswer()
    {
        double v = 0;
        qint64 t = 0;
        QVERIFY(PrometheusMetricSource::parseQueryRange(
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"1"],[1700000010,"42.5"]]}]}})",
            &v, &t));
        QCOMPARE(v, 42.5);
        QCOMPARE(t, 1700000010000);
        QVERIFY(!PrometheusMetricSource::parseQueryRange(R"({"status":"success","data":{"result":[]}})", &v));
    }
};

QTEST_GUILESS_MAIN(TestMetricModels)
#include "tst_metricmodels.moc"
