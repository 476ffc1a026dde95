// SPDX-License-Identifier: MIT
// The dashboards dock in the real main window, offscreen: values and charts, a source that fails (stale, greyed,
// "no data since"), an alert's banner whose button opens an incident of its severity with "alert.fired" first on
// its timeline and asks for the runbook, and the rule's later state changes on that timeline.
#include "models/environmentlistmodel.h"
#include "models/incidentlistmodel.h"
#include "services/consoleservices.h"
#include "services/metricsservice.h"
#include "services/storeclient.h"
#include "ui/dashboardpane.h"
#include "ui/mainwindow.h"
#include "ui/metricchart.h"

#include <QDateTime>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestDashboardPane : public QObject {
    Q_OBJECT
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StoreClient> m_store;
    std::unique_ptr<EnvironmentListModel> m_environments;
    std::unique_ptr<MetricsService> m_metrics;
    std::unique_ptr<MainWindow> m_window;
    quint16 m_closedPort = 0;

    QList<TimelineEvent> events(qint64 incidentId)
    {
        QSignalSpy loaded(m_store.get(), &StoreClient::eventsLoaded);
        m_store->requestEvents(incidentId, 0, 100);
        if (!loaded.wait(10000))
            return {};
        return loaded.first().at(2).value<QList<TimelineEvent>>();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(u"PetForceTest"_s);
        QCoreApplication::setApplicationName(u"tst_dashboardpane"_s);
        QTcpServer s; // a port nobody listens on: the Redis source fails at once
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        m_closedPort = s.serverPort();
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QSettings().clear();
        m_store = std::make_unique<StoreClient>(m_dir->filePath(u"incidents.sqlite"_s));
        m_environments = std::make_unique<EnvironmentListModel>();
        EnvironmentProfile sandbox(u"sandbox"_s);
        sandbox.setValue(EnvironmentProfile::Field::RedisHost, u"127.0.0.1"_s);
        sandbox.setValue(EnvironmentProfile::Field::RedisPort, QString::number(m_closedPort));
        m_environments->setProfiles({ sandbox });
        m_environments->setActive(u"sandbox"_s);
        m_metrics = std::make_unique<MetricsService>();
        m_metrics->setStore(m_store.get());
        const MetricsConfig config = MetricsConfig::fromYaml(
            "refresh_seconds: 1\nalert_for_seconds: 0\nalert_clear_seconds: 0\n"
            "dashboards:\n  - {name: Datadog APM, url: 'https://app.datadoghq.com/apm/services/petforce-api'}\n"
            "metrics:\n"
            "  error_rate: {group: application, unit: '%', source: none}\n"
            "  query_latency: {group: database, unit: ms, source: none}\n"
            "  redis_latency: {group: infrastructure, unit: ms, source: redis, kind: ping_ms}\n"
            "  active_users: {group: business, unit: count, source: none}\n"
            "alerts:\n  - {rule: 'error_rate > 5%', severity: P0, runbook: 'High Error Rate (500s)'}\n",
            u"sandbox"_s);
        m_metrics->configure(config, m_environments->profiles().first(), {});
        ConsoleServices services;
        services.store = m_store.get();
        services.environments = m_environments.get();
        services.metrics = m_metrics.get();
        m_window = std::make_unique<MainWindow>(services);
        QSignalSpy ready(m_window.get(), &MainWindow::storeReady);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_store->open();
        QVERIFY(ready.wait(10000));
    }

    void cleanup()
    {
        m_window.reset();
        m_metrics.reset();
        m_environments.reset();
        m_store.reset();
    }

    void valuesAndCharts()
    {
        DashboardPane* pane = m_window->dashboardPane();
        QVERIFY(pane);
        QCOMPARE(pane->tabs()->count(), 4);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < 20; ++i)
            m_metrics->addSamples({ { u"error_rate"_s, 1.0 + i * 0.1 } }, now - (20 - i) * 10000);
        QCOMPARE(pane->valueText(u"error_rate"_s), u"2.9 %"_s);
        QVERIFY(pane->staleText(u"error_rate"_s).isEmpty());
        QTRY_VERIFY(pane->chart(u"error_rate"_s)->drawnPointCount() >= 19);
        QVERIFY(pane->chart(u"error_rate"_s)->describeSampleAt(now - 10000).contains(u"2.9 %"_s));
        pane->setRange(DashboardPane::Range::Minutes15);
        QVERIFY(pane->chart(u"error_rate"_s)->drawnPointCount() >= 19);
        QVERIFY(pane->bannerTexts().isEmpty()); // below the threshold: quiet
    }

    void failingSourceIsStale()
    {
        DashboardPane* pane = m_window->dashboardPane();
        const qint64 then = QDateTime::currentMSecsSinceEpoch() - 60000;
        m_metrics->addSamples({ { u"redis_latency"_s, 0.4 } }, then);
        m_metrics->start(); // the Redis source fails: nobody listens on its port
        QTRY_VERIFY_WITH_TIMEOUT(m_metrics->metric(u"redis_latency"_s)->stale, 10000);
        pane->tabs()->setCurrentIndex(2);
        const QString expected = u"no data since "_s + QDateTime::fromMSecsSinceEpoch(then).toString(u"HH:mm"_s);
        QTRY_COMPARE(pane->staleText(u"redis_latency"_s), expected);
        QCOMPARE(pane->valueText(u"redis_latency"_s), u"0.4 ms"_s); // the last value, never a zero
        QCOMPARE(m_metrics->metric(u"redis_latency"_s)->series.size(), 1);
        m_metrics->stop();
    }

    void alertOpensIncident()
    {
        DashboardPane* pane = m_window->dashboardPane();
        QSignalSpy runbook(pane, &DashboardPane::runbookRequested);
        QSignalSpy opened(pane, &DashboardPane::incidentOpened);
        m_metrics->addSamples({ { u"error_rate"_s, 9.25 } }, QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(pane->bannerTexts().size(), 1);
        QVERIFY2(pane->bannerTexts().first().startsWith(u"P0 FIRING"_s), qPrintable(pane->bannerTexts().first()));
        auto* button = pane->findChild<QPushButton*>(u"alertBarOpen"_s);
        QVERIFY(button && button->isEnabled());
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(opened.wait(10000));
        const qint64 id = opened.first().at(0).toLongLong();
        QTRY_COMPARE(runbook.size(), 1);
        QCOMPARE(runbook.first().at(0).toString(), u"High Error Rate (500s)"_s);
        QVERIFY(m_window->statusBar()->currentMessage().contains(u"High Error Rate"_s));
        QTRY_VERIFY(m_window->incidentModel()->incident(id).has_value());
        QCOMPARE(m_window->incidentModel()->incident(id)->severity, Severity::P0);

        QList<TimelineEvent> timeline;
        QTRY_VERIFY_WITH_TIMEOUT((timeline = events(id)).size() >= 2, 10000);
        QCOMPARE(timeline.at(1).kind, u"alert.fired"_s); // the first event after the creation
        QCOMPARE(timeline.at(1).detail.value(u"value"_s).toDouble(), 9.25);
        QCOMPARE(timeline.at(1).detail.value(u"threshold"_s).toDouble(), 5.0);
        QVERIFY2(
            timeline.at(1).summary.endsWith(u": value 9.25 %, threshold > 5 %"_s), qPrintable(timeline.at(1).summary));
        const QString impact = m_window->incidentModel()->incident(id)->impact;
        QVERIFY2(impact.endsWith(u"value 9.25 % (threshold > 5 %)"_s) && !impact.contains(u"  "_s), qPrintable(impact));

        // Later state changes of the rule go onto the incident's timeline.
        m_metrics->addSamples({ { u"error_rate"_s, 1.0 } }, QDateTime::currentMSecsSinceEpoch());
        QTRY_VERIFY_WITH_TIMEOUT(
            !(timeline = events(id)).isEmpty() && timeline.last().kind == u"alert.resolved"_s, 10000);
        QVERIFY(pane->bannerTexts().isEmpty());
    }
};

QTEST_MAIN(TestDashboardPane)
#include "tst_dashboardpane.moc"
