// SPDX-License-Identifier: MIT
#pragma once

#include "models/alertrule.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class MetricsService;
class MetricChart;
class QComboBox;
class QLabel;
class QTabWidget;
class QVBoxLayout;
class QHBoxLayout;
class QMenu;
class StoreClient;
struct Incident;

// The dashboards of the seed's key metrics (application, database, infrastructure, business: one tab each), each
// metric with its current value, unit and chart (threshold drawn; 15 min / 1 h / 6 h / 24 h), "no data since
// HH:MM" and greyed when its source fails; the team's dashboards as buttons that open the browser; and the firing
// alerts (an AlertBar, as the main window shows under the incident header), whose action opens an incident of
// that severity, records the alert as its first timeline event ("alert.fired") and asks for the rule's runbook
// (runbookRequested). GUI thread; the
// service and store are not owned (the store may be null: no incident action). Tells the service whether it is
// looked at (shown, and its window not minimised): MetricsService::setDashboardsShown.
class DashboardPane : public QWidget {
    Q_OBJECT
public:
    explicit DashboardPane(MetricsService* metrics, StoreClient* store, QWidget* parent = nullptr);
    ~DashboardPane() override;

    enum class Range { Minutes15, Hour1, Hours6, Hours24 };
    void setRange(Range range);
    static qint64 rangeMs(Range range);

    // Opens an incident for a firing (or pending) rule, as the alert bars' buttons do. False when the rule is
    // unknown or there is no store.
    bool openIncidentForAlert(const QString& ruleId);
    // A menu with the team's dashboards, for the main window's Incident menu (owned by the pane).
    QMenu* dashboardsMenu() const { return m_dashboardsMenu; }
    static bool openDashboard(const QString& url); // QDesktopServices

    // For tests and benchmarks.
    QTabWidget* tabs() const { return m_tabs; }
    MetricChart* chart(const QString& metric); // builds it if it was never shown
    QString valueText(const QString& metric) const;
    QString staleText(const QString& metric) const;
    QStringList bannerTexts() const;
    void redrawVisible(); // redraws the charts of the current tab
    // Tells MetricsService whether the dashboards are seen and draws what is: on show, hide, minimise, and when
    // the main window brings the pane's tab to the front.
    void updateShown();

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

Q_SIGNALS:
    void runbookRequested(const QString& runbookTitle);
    void incidentOpened(qint64 incidentId, const QString& ruleId);

private:
    struct Tile {
        QWidget* frame = nullptr;
        QVBoxLayout* body = nullptr;
        QLabel* value = nullptr;
        QLabel* status = nullptr;
        MetricChart* chart = nullptr; // built the first time the tile is shown (charts are costly to create)
        bool dirty = true;
    };
    struct PendingIncident {
        QString title;
        AlertRule rule;
        double value = 0;
        qint64 atMs = 0;
    };
    void rebuild();
    void updateTile(const QString& name);
    void redrawTile(const QString& name, Tile& tile);
    MetricChart* ensureChart(const QString& name, Tile& tile);
    bool isOnScreen() const;
    bool isOnScreen(const Tile& tile) const;
    QStringList layoutKey() const; // what rebuild() lays out: links, metrics and their groups
    void onAlertChanged(const AlertRule& rule, const AlertState::Transition& transition);
    void updateBanner();
    void onIncidentChanged(const Incident& incident);
    void tellShown(); // the service reads CloudWatch only while someone looks (or an alert needs it)

    MetricsService* m_metrics;
    StoreClient* m_store;
    Range m_range = Range::Hour1;
    QComboBox* m_rangeBox = nullptr;
    QHBoxLayout* m_links = nullptr;
    QMenu* m_dashboardsMenu = nullptr;
    QVBoxLayout* m_banners = nullptr;
    class AlertBar* m_alertBar = nullptr; // the firing alerts (ui/alertbar.h), as under the incident header
    QLabel* m_status = nullptr;
    QTabWidget* m_tabs = nullptr;
    QHash<QString, Tile> m_tiles;
    QStringList m_layoutKey;
    QList<PendingIncident> m_pending;
    QPointer<QWidget> m_watchedWindow; // the top-level whose minimising is watched
};
