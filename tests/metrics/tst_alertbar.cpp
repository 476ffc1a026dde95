// SPDX-License-Identifier: MIT
// The firing alerts outside the Dashboards tab, in the real main window offscreen with the default layout (the
// Runbook tab in front): the bar under the incident header, the window title, the desktop notification, the bar's
// button opening the incident; and a source that stops answering (a real Redis port nobody listens on) shown
// there as an alert of its own, with its state changes on the incident's timeline.
#include "models/environmentlistmodel.h"
#include "models/incidentlistmodel.h"
#include "services/consoleservices.h"
#include "services/metricsservice.h"
#include "services/storeclient.h"
#include "ui/alertbar.h"
#include "ui/dashboardpane.h"
#include "ui/mainwindow.h"

#include <QDateTime>
#include <QDockWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestAlertBar : public QObject {
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
    QStringList kinds(qint64 incidentId)
    {
        QStringList out;
        for (const TimelineEvent& e : events(incidentId))
            out.append(e.kind);
        return out;
    }
    void showWindow()
    {
        QSignalSpy ready(m_window.get(), &MainWindow::storeReady);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_store->open();
        QVERIFY(ready.wait(10000));
    }
    QPushButton* openButton(const QString& ruleId)
    {
        for (QWidget* row : m_window->alertBar()->findChildren<QWidget*>(u"alertBarRow"_s))
            if (row->property("ruleId").toString() == ruleId)
                return row->findChild<QPushButton*>(u"alertBarOpen"_s);
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(u"PetForceTest"_s);
        QCoreApplication::setApplicationName(u"tst_alertbar"_s);
        QTcpServer s; // a port nobody listens on: the Redis source fails at once
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        m_closedPort = s.serverPort();
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QSettings().clear(); // the default layout: the Runbook tab in front of Dashboards
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
            "refresh_seconds: 0.5\nalert_for_seconds: 0\nalert_clear_seconds: 0\nsource_down_seconds: 1\n"
            "metrics:\n"
            "  error_rate: {group: application, unit: '%', source: none}\n"
            "  rate_limit_violations: {group: hidden, unit: /hour, source: redis, kind: rate_limit_violations}\n"
            "alerts:\n  - {rule: 'error_rate > 5%', severity: P0, runbook: 'High Error Rate (500s)'}\n"
            "  - {rule: 'rate_limit_violations > 100/hour', severity: P1, runbook: 'Rate Limiting'}\n",
            u"sandbox"_s);
        m_metrics->configure(config, m_environments->profiles().first(), {});
        ConsoleServices services;
        services.store = m_store.get();
        services.environments = m_environments.get();
        services.metrics = m_metrics.get();
        m_window = std::make_unique<MainWindow>(services);
    }

    void cleanup()
    {
        m_window.reset();
        m_metrics.reset();
        m_environments.reset();
        m_store.reset();
    }

    void firingAlertSeenWithTheRunbookInFront()
    {
        AlertBar* bar = m_window->alertBar();
        QVERIFY(bar);
        QCOMPARE(bar->objectName(), u"alertBar"_s);
        QSignalSpy notified(bar, &AlertBar::notificationRequested);
        // Before the first paint (the dashboards pane is not built yet) the bar already shows a firing alert.
        QVERIFY(!m_window->findChild<DashboardPane*>());
        m_metrics->addSamples({ { u"error_rate"_s, 9.25 } }, QDateTime::currentMSecsSinceEpoch());
        QVERIFY(bar->isVisibleTo(m_window.get()));
        QVERIFY(m_window->windowTitle().startsWith(u"[P0 FIRING] "_s));
        QCOMPARE(notified.size(), 1);
        QVERIFY2(notified.first().at(0).toString().contains(u"error_rate > 5%"_s),
            qPrintable(notified.first().at(0).toString()));

        showWindow();
        auto* runbook = m_window->findChild<QDockWidget*>(u"runbookDock"_s);
        auto* dashboards = m_window->findChild<QDockWidget*>(u"dashboardsDock"_s);
        QVERIFY(runbook && dashboards);
        QTRY_VERIFY(!runbook->visibleRegion().isEmpty());
        QTRY_VERIFY(m_window->dashboardPane());
        QVERIFY(dashboards->visibleRegion().isEmpty()); // the Dashboards tab is behind
        QVERIFY(bar->isVisible());
        auto* incidentDock = m_window->findChild<QDockWidget*>(u"activeIncidentDock"_s);
        QVERIFY(incidentDock && !incidentDock->visibleRegion().isEmpty());
        QTRY_VERIFY(bar->height() >= bar->minimumSizeHint().height() && bar->height() > 0);
        QVERIFY(bar->parentWidget()->rect().contains(bar->geometry())); // in the dock, not squeezed out
        QCOMPARE(bar->texts().size(), 1);
        QVERIFY2(bar->texts().first().startsWith(u"P0 FIRING since "_s), qPrintable(bar->texts().first()));
        QVERIFY(bar->texts().first().contains(u"error_rate > 5% (now 9.25 %) — High Error Rate (500s)"_s));
        QCOMPARE(m_window->dashboardPane()->bannerTexts(), bar->texts()); // one piece of code, the same rows
        QVERIFY(m_window->windowTitle().startsWith(u"[P0 FIRING] "_s));

        // Still firing: no second notification.
        m_metrics->addSamples({ { u"error_rate"_s, 9.5 } }, QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(notified.size(), 1);
        QTRY_VERIFY(bar->texts().value(0).contains(u"(now 9.5 %)"_s));

        QPushButton* open = openButton(u"error_rate > 5%"_s);
        QVERIFY(open && open->isEnabled());
        QCOMPARE(open->text(), u"Open P0 incident"_s);
        QSignalSpy opened(m_window->dashboardPane(), &DashboardPane::incidentOpened);
        QTest::mouseClick(open, Qt::LeftButton);
        QVERIFY(opened.wait(10000));
        const qint64 id = opened.first().at(0).toLongLong();
        QTRY_VERIFY(m_window->incidentModel()->incident(id).has_value());
        QCOMPARE(m_window->incidentModel()->incident(id)->severity, Severity::P0);
        QTRY_VERIFY(kinds(id).contains(u"alert.fired"_s));
        QTRY_VERIFY(
            openButton(u"error_rate > 5%"_s) && openButton(u"error_rate > 5%"_s)->text() == u"Incident #%1"_s.arg(id));

        m_metrics->addSamples({ { u"error_rate"_s, 1.0 } }, QDateTime::currentMSecsSinceEpoch());
        QVERIFY(bar->isHidden());
        QVERIFY(!m_window->windowTitle().contains(u"FIRING"_s));
        QTRY_VERIFY(kinds(id).contains(u"alert.resolved"_s));
    }

    void sourceDownIsAnAlert()
    {
        showWindow();
        AlertBar* bar = m_window->alertBar();
        const QString down = u"redis not answering for 1 s"_s;
        QVERIFY(m_metrics->alert(down));
        m_metrics->start(); // Redis: connection refused on every read
        QTRY_VERIFY_WITH_TIMEOUT(openButton(down), 10000);
        const QString text = bar->texts().value(0);
        // As severe as the rule it blinds, with the source's error and that rule.
        QVERIFY2(text.startsWith(u"P1 FIRING since "_s), qPrintable(text));
        QVERIFY2(text.contains(down + u" — "_s), qPrintable(text));
        QVERIFY2(text.contains(u"(blind: rate_limit_violations > 100/hour)"_s), qPrintable(text));
        QVERIFY(m_window->windowTitle().startsWith(u"[P1 FIRING] "_s));
        QCOMPARE(m_metrics->alert(u"rate_limit_violations > 100/hour"_s)->state(), AlertState::State::Inactive);

        QSignalSpy opened(m_window->dashboardPane(), &DashboardPane::incidentOpened);
        QTest::mouseClick(openButton(down), Qt::LeftButton);
        QVERIFY(opened.wait(10000));
        const qint64 id = opened.first().at(0).toLongLong();
        QTRY_VERIFY(kinds(id).contains(u"alert.fired"_s));
        m_metrics->stop();
        m_metrics->markAnswered(u"redis"_s); // the source answers again (clear 0 s: resolves at once)
        QVERIFY(bar->isHidden());
        QList<TimelineEvent> timeline;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(timeline = events(id)).isEmpty() && timeline.last().kind == u"alert.resolved"_s, 10000);
        QCOMPARE(timeline.last().detail.value(u"source"_s).toString(), u"redis"_s);
        QVERIFY2(timeline.last().summary.contains(down), qPrintable(timeline.last().summary));
    }
};

QTEST_MAIN(TestAlertBar)
#include "tst_alertbar.moc"
