// SPDX-License-Identifier: MIT
#pragma once

#include "models/alertrule.h"
#include "models/environmentprofile.h"
#include "models/incidentclock.h"
#include "models/metricseries.h"
#include "services/metricsconfig.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>

class EnvironmentListModel;
class MetricSource;
class RunbookLibrary;
class StoreClient;

// The live dashboards' data: reads every configured source each refresh period (asynchronously, each source on
// its own), keeps each metric's history (MetricSeries), marks the metrics of a failing source stale (never a
// false zero), and evaluates the alert rules (the runbooks' "**Alert**" lines and metrics.yaml's) on every new
// sample. Lives on the GUI thread; owns its sources. The series it returns stay owned by the service and live
// until the next configure().
//
// A rule linked to an open incident (linkIncident) has its state changes appended to that incident's timeline
// ("alert.pending", "alert.firing", "alert.resolved") through the StoreClient, if one is set. The links are rebuilt
// from the store when it opens (restoreLinks: the open incidents' "alert.fired"/"alert.firing" events name their
// rule) and dropped when their incident is resolved.
//
// Each source has a source-down rule of its own (sourceDownRule: "postgres not answering for 30 s"): every failed
// read is a firing sample (1), every answer a clear one (0), so a source that stops answering fires after
// source_down_seconds, as severe as the most severe rule it blinds, and resolves as the others do.
class MetricsService : public QObject {
    Q_OBJECT
public:
    struct MetricState {
        MetricDefinition definition;
        MetricSeries series;
        bool stale = false; // the source failed since the last sample (or never answered)
        qint64 lastSampleMs = 0; // 0: never
        QString error; // the source's last error while stale
    };

    explicit MetricsService(QObject* parent = nullptr);
    ~MetricsService() override;

    // Builds the sources for the environment (servers from profile, metrics from config) and the rules from
    // config and runbooks. Keeps history only when the metric's definition did not change. Does not start.
    void configure(const MetricsConfig& config, const EnvironmentProfile& profile, const QList<Runbook>& runbooks);
    const MetricsConfig& config() const { return m_config; }
    QString environment() const { return m_environment; }

    // Follows the active environment and the runbooks: (re)configures from MetricsConfig::load(active) on every
    // change of either and keeps running. Neither is owned; both must outlive the service.
    void watch(EnvironmentListModel* environments, RunbookLibrary* runbooks);

    void start(); // refreshes now, then every refresh period
    void stop();
    bool isRunning() const { return m_timer.isActive(); }
    void refreshNow();

    // Whether anyone looks at the dashboards (the pane says so when it is shown, hidden or its window minimised;
    // true until told otherwise). While nobody does, CloudWatch (an `aws` process per read) is not read unless an
    // alert rule watches one of its metrics: alerts never go blind. Shown again, an overdue read starts at once.
    void setDashboardsShown(bool shown);
    bool dashboardsShown() const { return m_dashboardsShown; }
    // True when some alert rule watches one of source's metrics (by name or alias).
    bool feedsAlerts(const MetricSource* source) const;

    // Alert evaluation time; by default the console's own clock. For tests: a manual clock (not owned).
    void setClock(const MonotonicWallClock* clock) { m_clock = clock; }
    qint64 nowMs() const { return m_clock ? m_clock->nowMs() : m_ownClock.nowMs(); }
    // The store the links' events go to; its opened() rebuilds the links (restoreLinks()). Not owned.
    void setStore(StoreClient* store);

    QStringList metricNames() const { return m_order; }
    const MetricState* metric(const QString& name) const; // nullptr when unknown
    QList<AlertState> alerts() const { return m_alerts; }
    const AlertState* alert(const QString& ruleId) const;
    // The threshold drawn on a metric's chart: the first rule that watches it (by name or alias).
    std::optional<AlertRule> ruleForMetric(const QString& name) const;
    QList<MetricSource*> sources() const { return m_sources; }

    // Feeds values as a source would (tests, and the sources' refreshed()).
    void addSamples(const QHash<QString, double>& values, qint64 timeMs);
    void markStale(const QString& sourceName, const QString& error);
    void markAnswered(const QString& sourceName); // the source's read succeeded (its refreshed())
    QString sourceError(const QString& sourceName) const { return m_sourceErrors.value(sourceName); }
    // The source-down rule of a source, severity from the rules that watch its metrics.
    static AlertRule sourceDownRule(
        const QString& sourceName, const MetricsConfig& config, const QList<AlertRule>& rules);
    static QString sourceLabel(const QString& sourceName); // "PostgreSQL"

    // Alert state changes of ruleId go onto incidentId's timeline from now on (0 unlinks).
    void linkIncident(const QString& ruleId, qint64 incidentId);
    qint64 linkedIncident(const QString& ruleId) const { return m_links.value(ruleId); }
    // Reads the open incidents and their events from the store and links each rule to the newest open incident
    // whose timeline has the rule's "alert.fired" or "alert.firing" (→ incidentLinked() per link, then
    // linksRestored()). Done on the store's opened(); links made meanwhile are kept.
    void restoreLinks();

Q_SIGNALS:
    void configured();
    void metricUpdated(const QString& name); // a new sample (and not stale any more)
    void metricStaleChanged(const QString& name, bool stale);
    void alertChanged(const AlertRule& rule, const AlertState::Transition& transition);
    void sourceFailed(const QString& source, const QString& error);
    void incidentLinked(const QString& ruleId, qint64 incidentId); // 0: unlinked
    void linksRestored();

private:
    void evaluate(const QString& metric, double value);
    void evaluateSource(const QString& sourceName, bool down);
    void apply(const AlertState& alert, const AlertState::Transition& change);
    void reconfigureFromWatched();
    void refreshSources(bool onlyCostly);
    EnvironmentListModel* m_environments = nullptr;
    RunbookLibrary* m_runbooks = nullptr;
    MetricsConfig m_config;
    QString m_environment;
    QHash<QString, MetricState> m_metrics;
    QStringList m_order;
    QList<AlertState> m_alerts;
    QList<MetricSource*> m_sources;
    QHash<QString, qint64> m_links;
    QHash<QString, QString> m_sourceErrors; // by source name, while it fails
    quint64 m_openIncidentsRequest = 0; // restoreLinks(): the open incidents
    QHash<quint64, qint64> m_linkEventsRequests; // restoreLinks(): events request → incident
    QHash<const MetricSource*, qint64> m_lastRefresh; // m_uptime at the source's last refresh
    QElapsedTimer m_uptime;
    QTimer m_timer;
    MonotonicWallClock m_ownClock;
    const MonotonicWallClock* m_clock = nullptr;
    StoreClient* m_store = nullptr;
    bool m_dashboardsShown = true;
};
